# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     notebook_metadata_filter: kernelspec,jupytext
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "intro", "locked": true, "schema_version": 3, "solution": false, "task": false}
# # 阶段一 · 01 Python 基础：九个检查点
#
# 西二在线 AI 方向的考核指南要求大家在第一阶段“深度学习 Python 基础语法知识，拥有独立编写 Python 代码能力”。后面所有阶段（爬虫、numpy/pandas、PyTorch、Transformer……）都建立在这些基础之上：读别人的模型源码时，装饰器、魔术方法、生成器、类型注解随处可见。
#
# 这本 notebook 按九个检查点组织。每个检查点先用一小段文字和一个可运行的例子讲清楚概念，再给出一两个小练习：你在指定的函数或类里写代码，下面的测试单元格会立即检查。
#
# ## 学习目标
#
# 1. 熟练使用 list 和 dict 做计数、分组与排序；
# 2. 会写 lambda，并把函数当作普通的值传来传去；
# 3. 理解装饰器的原理，会用 `functools.wraps` 写带参数的装饰器；
# 4. 会用 `__init__`、`__repr__`、`__eq__`、`__len__`、`__add__` 等魔术方法让自己的类“像内置类型一样”工作；
# 5. 会用 `re` 模块从文本中提取信息；
# 6. 会写列表、字典、集合推导式；
# 7. 理解生成器与 `yield` 的惰性求值；
# 8. 掌握继承、多态与 `super()`；
# 9. 会写类型注解，并用 `typing.get_type_hints` 读取它们。
#
# ## 评分表
#
# 本 notebook 共 19 个自动评分的测试单元格，总分 **{{points.auto}} 分**。每个测试单元格包含可见检查和隐藏测试，隐藏测试会用其他输入检验你的代码，所以请按题意实现，而不是只凑出示例的答案。
#
# | 检查点 | 练习 | 测试单元格 grade_id | 分值 |
# |---|---|---|---|
# | 1 list 与 dict | 1.1 `word_freq` | `ex-word-freq-test` | 2 |
# | 1 list 与 dict | 1.2 `group_by` | `ex-group-by-test` | 2 |
# | 2 lambda | 2.1 `sort_students` | `ex-sort-students-test` | 2 |
# | 2 lambda | 2.2 `compose` | `ex-compose-test` | 1 |
# | 3 装饰器 | 3.1 `count_calls` | `ex-count-calls-test` | 2 |
# | 3 装饰器 | 3.2 `retry` | `ex-retry-test` | 2 |
# | 4 类与魔术方法 | 4.1 `Vector2D`（构造、显示、相等） | `ex-vector-basic-test` | 1 |
# | 4 类与魔术方法 | 4.1 `Vector2D`（加法、数乘、长度） | `ex-vector-ops-test` | 2 |
# | 4 类与魔术方法 | 4.2 `Playlist` | `ex-playlist-test` | 2 |
# | 5 正则表达式 | 5.1 `find_phones` | `ex-phones-test` | 2 |
# | 5 正则表达式 | 5.2 `parse_dates` | `ex-dates-test` | 2 |
# | 6 推导式 | 6.1 `even_squares` | `ex-even-squares-test` | 1 |
# | 6 推导式 | 6.2 `invert_dict` 与 `initials` | `ex-dict-set-test` | 2 |
# | 7 生成器 | 7.1 `fibonacci` | `ex-fib-test` | 2 |
# | 7 生成器 | 7.2 `chunked` | `ex-chunked-test` | 2 |
# | 8 面向对象 | 8.1 `Circle` 与 `Rect` | `ex-shapes-test` | 2 |
# | 8 面向对象 | 8.2 `Square` | `ex-square-test` | 1 |
# | 9 类型注解 | 9.1 `merge_counts` | `ex-typed-merge-test` | 2 |
# | 9 类型注解 | 9.2 `first_long_word` | `ex-typed-first-test` | 1 |
# | | | **合计** | **{{points.auto}}** |
#
# 本 notebook 没有模型任务，因此没有 及格/良好/优秀 分档。
#
# - **预计学习时间**：6–8 小时（已有其他语言基础的同学约 3 小时）。
# - **CPU 预算**：无训练，全部单元格在普通笔记本电脑上几秒内跑完。
# - **使用方法**：从上到下依次运行。只在标有“在这里写你的代码”的地方作答；不要修改或删除测试单元格。写完一个练习就运行它下面的测试单元格，看到报错时先读中文提示。

# %% deletable=false editable=false nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false, "task": false}
# Setup. This notebook uses only the Python standard library, so (unlike later
# notebooks) it installs nothing on Colab: the course package west2ai is not needed here.
# Nothing here is random, so there is no seed to set.
import sys
import math
import re
import functools
import itertools
import inspect
import types
import typing
from collections import Counter, defaultdict  # noqa: F401  (Counter: for your own code)

print("Python", sys.version.split()[0])

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-02", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ## 检查点 1：list 与 dict
#
# `list` 是有序、可变的序列；`dict` 是“键 → 值”的映射，从 Python 3.7 起会**保持插入顺序**。两个最常见的套路：
#
# - **计数**：遍历数据，用 `d[k] = d.get(k, 0) + 1` 累加（标准库的 `collections.Counter` 做的就是这件事）；
# - **分组**：`d.setdefault(k, []).append(x)` 或 `collections.defaultdict(list)`，把同一类的元素收进同一个列表。
#
# `sorted(iterable, key=..., reverse=...)` 返回一个**新的**列表，`list.sort()` 则原地排序并返回 `None`——这是初学者最常踩的坑之一。

# %%
fruits = ["apple", "banana", "apple", "cherry", "banana", "apple"]

counts = {}
for f in fruits:
    counts[f] = counts.get(f, 0) + 1
print(counts)                     # {'apple': 3, 'banana': 2, 'cherry': 1}

by_letter = defaultdict(list)
for f in fruits:
    by_letter[f[0]].append(f)
print(dict(by_letter))

print(sorted(counts.items(), key=lambda kv: kv[1], reverse=True))
print(fruits.sort())              # None! sort() works in place ...
print(fruits)                     # ... and has changed the list itself

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "think-01", "locked": true, "schema_version": 3, "solution": false, "task": false}
# **想一想**：
# 1. 上面 `print(fruits.sort())` 为什么打印 `None`？如果写成 `fruits = fruits.sort()`，之后 `fruits` 是什么？
# 2. 把 `counts.get(f, 0) + 1` 换成 `counts[f] + 1`，运行时会发生什么？
#
# <details><summary>提示</summary>
#
# 1. `list.sort()` 原地修改列表，返回值是 `None`；`fruits = fruits.sort()` 会让名字 `fruits` 指向 `None`，排好序的列表就找不到了。想要新列表时用 `sorted(...)`。
# 2. 第一次遇到某个单词时字典里还没有这个键，`counts[f]` 会抛出 `KeyError`；`get(f, 0)` 在键不存在时返回默认值 0。
#
# </details>

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-04", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 练习 1.1：词频统计（2 分）
#
# 实现 `word_freq(text)`，统计英文文本中每个单词出现的次数，返回一个由 `(单词, 次数)` **元组**组成的**列表**：
#
# - 先把整段文本转成小写，再按空白字符（`str.split()`）切分；
# - 每个片段去掉两端的标点（`token.strip(string.punctuation)`），去完为空的片段不算单词；
# - 按次数**从多到少**排序，次数相同时按单词的字母序**从小到大**排序。
#
# 例如 `word_freq("The cat and the hat. The end!")` 应返回 `[("the", 3), ("and", 1), ("cat", 1), ("end", 1), ("hat", 1)]`。

# %% nbgrader={"grade": false, "grade_id": "ex-word-freq", "locked": false, "schema_version": 3, "solution": true, "task": false}
import string


def word_freq(text):
    ### BEGIN SOLUTION
    counts = {}
    for token in text.lower().split():
        word = token.strip(string.punctuation)
        if word:
            counts[word] = counts.get(word, 0) + 1
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-word-freq-test", "locked": true, "points": 2.0, "schema_version": 3, "solution": false, "task": false}
result = word_freq("The cat and the hat. The end!")
assert isinstance(result, list), f"word_freq 应返回 list，而不是 {type(result).__name__}"
assert result[:1] == [("the", 3)], f"出现最多的应是 ('the', 3)（注意转小写、去标点），实际开头为 {result[:1]}"
assert result == [("the", 3), ("and", 1), ("cat", 1), ("end", 1), ("hat", 1)], \
    f"次数相同的单词应按字母序排列，实际得到 {result}"
assert word_freq("") == [], "空文本应返回空列表 []"
### BEGIN HIDDEN TESTS
import string as _string
from collections import Counter as _Counter

def _ref_word_freq(t):
    c = _Counter(w for w in (tok.strip(_string.punctuation) for tok in t.lower().split()) if w)
    return sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))

_texts = [
    "b a c b a b -- ... Zebra zebra, ZEBRA! apple? 'apple'",
    "one\ttwo\nthree  two three three",
    "!!! ??? ,,,",
    "Go go GO; stop. Stop",
]
for _t in _texts:
    _got = word_freq(_t)
    assert type(_got) is list, f"word_freq({_t!r}) 应返回 list，实际返回 {type(_got).__name__}"
    assert all(type(p) is tuple and len(p) == 2 and type(p[0]) is str and type(p[1]) is int for p in _got), \
        f"word_freq({_t!r}) 的每一项应是 (str, int) 元组，实际返回 {_got!r}"
    assert _got == _ref_word_freq(_t), \
        f"word_freq({_t!r}) 的结果不对（检查转小写、制表符/换行切分、去两端标点、同次数按字母序）：你的函数返回 {_got!r}"
_got = word_freq("!!! ??? ,,,")
assert _got == [], f"只有标点的文本去掉标点后没有单词：你的函数返回 {_got!r}"
### END HIDDEN TESTS

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-07", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 练习 1.2：按键分组（2 分）
#
# 实现 `group_by(records, key)`：`records` 是若干字典组成的列表，`key` 是一个键名。返回一个 `dict`，把 `record[key]` 相同的记录放进同一个列表：
#
# - 字典的键按它们**第一次出现**的顺序排列；
# - 每个列表里的记录保持在 `records` 中的原始顺序；
# - 返回值必须是普通的 `dict`（如果用了 `defaultdict`，最后用 `dict(...)` 转换一下）。
#
# ```python
# people = [{"name": "Ann", "city": "Fuzhou"}, {"name": "Bob", "city": "Xiamen"}, {"name": "Cat", "city": "Fuzhou"}]
# group_by(people, "city")
# # {"Fuzhou": [{"name": "Ann", ...}, {"name": "Cat", ...}], "Xiamen": [{"name": "Bob", ...}]}
# ```

# %% nbgrader={"grade": false, "grade_id": "ex-group-by", "locked": false, "schema_version": 3, "solution": true, "task": false}
def group_by(records, key):
    ### BEGIN SOLUTION
    groups = {}
    for record in records:
        groups.setdefault(record[key], []).append(record)
    return groups
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-group-by-test", "locked": true, "points": 2.0, "schema_version": 3, "solution": false, "task": false}
people = [{"name": "Ann", "city": "Fuzhou"}, {"name": "Bob", "city": "Xiamen"},
          {"name": "Cat", "city": "Fuzhou"}]
g = group_by(people, "city")
assert isinstance(g, dict), f"group_by 应返回 dict，而不是 {type(g).__name__}"
assert list(g) == ["Fuzhou", "Xiamen"], f"键应按第一次出现的顺序排列，实际为 {list(g)}"
assert [r["name"] for r in g["Fuzhou"]] == ["Ann", "Cat"], "同一组内的记录应保持原始顺序"
assert group_by([], "city") == {}, "空列表应返回空字典 {}"
### BEGIN HIDDEN TESTS
_recs = [{"id": i, "grade": "ABCAB"[i % 5], "even": i % 2 == 0} for i in range(12)]
_g = group_by(_recs, "grade")
assert type(_g) is dict, f"group_by 应返回普通 dict，实际返回 {type(_g).__name__}（defaultdict 请用 dict(...) 转换）"
assert list(_g) == ["A", "B", "C"], f"按 'grade' 分组时键应按第一次出现的顺序排列，你的键顺序为 {list(_g)}"
assert all(type(v) is list for v in _g.values()), f"每组应是 list，实际类型为 {[type(v).__name__ for v in _g.values()]}"
for _key in "ABC":
    _ids = [r["id"] for r in _g[_key]]
    _want = [r["id"] for r in _recs if r["grade"] == _key]
    assert _ids == _want, f"'{_key}' 组的记录应保持原始顺序且不遗漏：你的分组里 id 依次为 {_ids}"
assert _g["A"][0] is _recs[0], "分组里应放原来的记录对象，而不是副本"
_g2 = group_by(_recs, "even")
assert list(_g2) == [True, False] and len(_g2[True]) == 6 and len(_g2[False]) == 6, \
    f"按布尔值键 'even' 分组不对：你的键为 {list(_g2)}，各组长度 {[len(v) for v in _g2.values()]}"
_e = group_by([], "x")
assert type(_e) is dict and _e == {}, f"空列表应返回空 dict，你的函数返回 {_e!r}"
### END HIDDEN TESTS

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-10", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ## 检查点 2：lambda 与“函数是一等公民”
#
# 在 Python 里函数也是对象：可以赋给变量、放进列表、作为参数传入、作为返回值返回。`lambda 参数: 表达式` 是一种只能写一个表达式的匿名函数，最常见的用法是给 `sorted`、`max`、`min` 当 `key`。
#
# 当排序有多个条件时，让 `key` 返回一个**元组**即可：元组按位置逐个比较。对数字取负号可以让某一项倒序，而其余项仍然正序。

# %%
words = ["kiwi", "fig", "banana", "apple", "date"]
print(sorted(words, key=len))                       # by length
print(sorted(words, key=lambda w: (-len(w), w)))    # longest first, ties alphabetical
print(max(words, key=lambda w: w.count("a")))

square = lambda x: x * x
double = lambda x: 2 * x
pipeline = [square, double]
x = 3
for f in pipeline:
    x = f(x)
print(x)   # double(square(3)) = 18


# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-12", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 练习 2.1：成绩排序（2 分）
#
# 实现 `sort_students(students)`：`students` 是形如 `{"name": "Ann", "score": 90}` 的字典列表。返回一个**新列表**：按 `score` **从高到低**排，分数相同按 `name` **字母序从小到大**排。不要修改传入的列表。
#
# 提示：`sorted(..., key=lambda s: ...)`。

# %% nbgrader={"grade": false, "grade_id": "ex-sort-students", "locked": false, "schema_version": 3, "solution": true, "task": false}
def sort_students(students):
    ### BEGIN SOLUTION
    return sorted(students, key=lambda s: (-s["score"], s["name"]))
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-sort-students-test", "locked": true, "points": 2.0, "schema_version": 3, "solution": false, "task": false}
roster = [{"name": "Cat", "score": 85}, {"name": "Ann", "score": 92}, {"name": "Bob", "score": 85}]
ranked = sort_students(roster)
assert isinstance(ranked, list), f"应返回 list，而不是 {type(ranked).__name__}（注意 list.sort() 返回 None）"
assert [s["name"] for s in ranked] == ["Ann", "Bob", "Cat"], \
    f"应按分数从高到低、同分按名字排序，实际顺序为 {[s['name'] for s in ranked]}"
assert [s["name"] for s in roster] == ["Cat", "Ann", "Bob"], "不要修改传入的列表，请返回一个新列表"
### BEGIN HIDDEN TESTS
_roster = [{"name": n, "score": s} for n, s in
           [("zed", 60), ("amy", 75), ("Bea", 75), ("kai", 99), ("eve", 60), ("al", 75), ("neg", -3)]]
_before = [dict(s) for s in _roster]
_r = sort_students(_roster)
assert type(_r) is list and _r is not _roster, "应返回一个新的 list（不要原地排序后返回原列表）"
_names = [s["name"] for s in _r]
assert _names == ["kai", "Bea", "al", "amy", "eve", "zed", "neg"], \
    f"另一组学生（含大小写不同的名字、负分）排序不对：你的顺序为 {_names}（同分按字符串默认顺序，大写字母在小写之前）"
assert _roster == _before, "不要修改传入的列表或其中的字典"
_e = sort_students([])
assert _e == [], f"空列表应返回 []，你的函数返回 {_e!r}"
### END HIDDEN TESTS

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-15", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 练习 2.2：函数组合（1 分）
#
# 实现 `compose(*funcs)`，返回一个新函数：`compose(f, g, h)(x)` 等于 `f(g(h(x)))`，即**最右边的函数最先执行**。不传任何函数时，`compose()` 返回“原样返回参数”的恒等函数。
#
# 提示：可以返回一个 `lambda`，也可以在函数里定义一个内部函数再返回它。

# %% nbgrader={"grade": false, "grade_id": "ex-compose", "locked": false, "schema_version": 3, "solution": true, "task": false}
def compose(*funcs):
    ### BEGIN SOLUTION
    return lambda x: functools.reduce(lambda acc, f: f(acc), reversed(funcs), x)
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-compose-test", "locked": true, "points": 1.0, "schema_version": 3, "solution": false, "task": false}
inc = lambda x: x + 1
dbl = lambda x: x * 2
h = compose(dbl, inc)
assert callable(h), "compose 应返回一个函数"
assert h(3) == 8, f"compose(dbl, inc)(3) 应先 +1 再 ×2 得到 8，实际为 {h(3)}"
assert compose()(42) == 42, "compose() 应返回恒等函数"
### BEGIN HIDDEN TESTS
_v = compose(inc, dbl)(3)
assert _v == 7, f"compose(inc, dbl)(3) 应先 ×2 再 +1：你的函数返回 {_v!r}（最右边的函数最先执行）"
_v = compose(str, abs, inc)(-5)
assert _v == str(abs(-5 + 1)), f"三个函数组合 compose(str, abs, inc)(-5) 的结果不对：你的函数返回 {_v!r}"
_v = compose(len)("hello")
assert _v == 5, f"只有一个函数时 compose(len)('hello') 应等于 len('hello')：你的函数返回 {_v!r}"
_ident = compose()
assert _ident("x") == "x" and _ident([1]) == [1], \
    f"compose() 应是恒等函数：对 'x' 返回 {_ident('x')!r}，对 [1] 返回 {_ident([1])!r}"
_fs = [lambda x, k=k: x * 10 + k for k in range(4)]
_v = compose(*_fs)(0)
assert _v == 3210, f"四个函数的组合顺序不对：compose(f0, f1, f2, f3)(0) 应先执行 f3，你的函数返回 {_v!r}"
### END HIDDEN TESTS

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-18", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ## 检查点 3：装饰器
#
# 装饰器就是“接收一个函数、返回一个新函数”的函数。写在函数定义上方的 `@deco` 只是语法糖：
#
# ```python
# @deco
# def f(): ...
# # 等价于
# def f(): ...
# f = deco(f)
# ```
#
# 新函数（通常叫 `wrapper`）用 `*args, **kwargs` 接住任意参数，在调用原函数的前后加上额外的行为（计时、日志、缓存、重试……）。有一个细节必须注意：`wrapper` 会**顶替**原函数，`f.__name__` 会变成 `"wrapper"`，文档字符串也丢了。用 `@functools.wraps(func)` 装饰 `wrapper` 就能把名字、文档等信息复制过来。
#
# 需要参数的装饰器（如 `@repeat(3)`）多套一层：`repeat(3)` 先返回真正的装饰器。

# %%
def log_calls(func):
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        result = func(*args, **kwargs)
        print(f"{func.__name__}{args} -> {result}")
        return result
    return wrapper


def repeat(n):                      # a decorator factory: repeat(n) returns the decorator
    def decorator(func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            return [func(*args, **kwargs) for _ in range(n)]
        return wrapper
    return decorator


@log_calls
def add(a, b):
    """Add two numbers."""
    return a + b


@repeat(3)
def hello(name):
    return f"hi {name}"


add(2, 3)
print(add.__name__, "|", add.__doc__)   # kept by functools.wraps
print(hello("west2"))


# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "think-02", "locked": true, "schema_version": 3, "solution": false, "task": false}
# **想一想**：
# 1. 如果把 `log_calls` 里的 `@functools.wraps(func)` 删掉，上面最后打印的 `add.__name__` 和 `add.__doc__` 会变成什么？
# 2. 为什么 `@repeat(3)` 要写三层函数，而 `@log_calls` 只要两层？
#
# <details><summary>提示</summary>
#
# 1. 分别变成 `'wrapper'` 和 `None`：`add` 这个名字现在指向的是 `wrapper`，它没有文档字符串。
# 2. `@log_calls` 等价于 `add = log_calls(add)`，`log_calls` 本身就是装饰器；`@repeat(3)` 等价于 `hello = repeat(3)(hello)`：先调用 `repeat(3)` 得到真正的装饰器，再用它装饰函数，所以多一层。
#
# </details>

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-20", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 练习 3.1：调用计数器（2 分）
#
# 实现装饰器 `count_calls(func)`：
#
# - 返回的包装函数把所有参数（位置参数和关键字参数）原样传给 `func`，并返回 `func` 的返回值；
# - 包装函数有一个属性 `calls`，初始为 `0`，**每调用一次加 1**（在调用 `func` 之前计数，所以即使 `func` 抛出异常也算一次）；
# - 用 `functools.wraps` 保留原函数的 `__name__` 和 `__doc__`；
# - 每个被装饰的函数有自己独立的计数。
#
# 提示：函数也是对象，可以直接给它加属性：`wrapper.calls = 0`；在 `wrapper` 内部用 `wrapper.calls += 1` 更新。

# %% nbgrader={"grade": false, "grade_id": "ex-count-calls", "locked": false, "schema_version": 3, "solution": true, "task": false}
def count_calls(func):
    ### BEGIN SOLUTION
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        wrapper.calls += 1
        return func(*args, **kwargs)

    wrapper.calls = 0
    return wrapper
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-count-calls-test", "locked": true, "points": 2.0, "schema_version": 3, "solution": false, "task": false}
@count_calls
def greet(name, punct="!"):
    """Say hello."""
    return f"hello {name}{punct}"

assert getattr(greet, "calls", None) == 0, f"还没调用时 calls 应为 0，实际为 {getattr(greet, 'calls', None)}"
assert greet("Ann") == "hello Ann!", "包装函数应返回原函数的返回值"
assert greet("Bob", punct="?") == "hello Bob?", "包装函数应把关键字参数传给原函数"
assert greet.calls == 2, f"调用两次后 calls 应为 2，实际为 {greet.calls}"
assert greet.__name__ == "greet", f"__name__ 应保留为 'greet'，实际为 {greet.__name__!r}（用 functools.wraps）"
assert greet.__doc__ == "Say hello.", "__doc__ 应被保留（用 functools.wraps）"
### BEGIN HIDDEN TESTS
@count_calls
def _boom(x):
    raise KeyError(x)

@count_calls
def _ident(*a, **k):
    return a, k

for _i in range(5):
    try:
        _boom(_i)
    except KeyError:
        pass
    else:
        raise AssertionError("被装饰的函数抛出的异常应照常抛出，不要吞掉")
assert _boom.calls == 5, f"抛出异常的调用也要计数：调用 5 次后 calls 为 {_boom.calls}（在调用 func 之前加 1）"
assert _ident.calls == 0, f"每个被装饰的函数应有自己的计数：另一个函数还没调用，calls 却为 {_ident.calls}"
_v = _ident(1, 2, z=3)
assert _v == ((1, 2), {"z": 3}), f"位置参数和关键字参数都应原样传给原函数：_ident(1, 2, z=3) 返回 {_v!r}"
assert _ident.calls == 1 and _boom.calls == 5, \
    f"两个函数的计数应互不影响：现在分别为 {_ident.calls} 和 {_boom.calls}"
assert _boom.__name__ == "_boom" and _ident.__name__ == "_ident", \
    f"函数名应被保留：得到 {_boom.__name__!r} 和 {_ident.__name__!r}（用 functools.wraps）"
assert getattr(_boom, "__wrapped__", None) is not None, "包装函数上没有 __wrapped__：请用 @functools.wraps(func)"
### END HIDDEN TESTS

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-23", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 练习 3.2：失败重试（2 分）
#
# 网络请求时常偶然失败，爬虫里经常用“重试”装饰器。实现**带参数的**装饰器 `retry(times)`：
#
# - `@retry(times)` 装饰的函数被调用时，最多执行原函数 `times` 次：只要某一次没有抛出异常，就立即返回它的结果；
# - 如果 `times` 次都抛出了异常（`Exception` 的子类），就把**最后一次**的异常重新抛出（在 `except` 里保存下来，循环结束后 `raise`）；
# - `times < 1` 时，`retry(times)` 本身立刻抛出 `ValueError`；
# - 用 `functools.wraps` 保留原函数的名字。

# %% nbgrader={"grade": false, "grade_id": "ex-retry", "locked": false, "schema_version": 3, "solution": true, "task": false}
def retry(times):
    ### BEGIN SOLUTION
    if times < 1:
        raise ValueError("times must be >= 1")

    def decorator(func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            last_error = None
            for _ in range(times):
                try:
                    return func(*args, **kwargs)
                except Exception as e:
                    last_error = e
            raise last_error

        return wrapper

    return decorator
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-retry-test", "locked": true, "points": 2.0, "schema_version": 3, "solution": false, "task": false}
attempts = []

@retry(3)
def flaky(x):
    attempts.append(x)
    if len(attempts) < 3:
        raise ConnectionError("network glitch")
    return x * 10

assert flaky(4) == 40, "前两次失败、第三次成功时应返回第三次的结果"
assert len(attempts) == 3, f"应恰好执行 3 次，实际执行了 {len(attempts)} 次"
assert flaky.__name__ == "flaky", "用 functools.wraps 保留函数名"
try:
    retry(0)
except ValueError:
    pass
else:
    raise AssertionError("retry(0) 应抛出 ValueError")
### BEGIN HIDDEN TESTS
_n = {"calls": 0}

@retry(4)
def _always_fails(tag, *, sep="-"):
    _n["calls"] += 1
    raise TimeoutError(f"{tag}{sep}{_n['calls']}")

try:
    _always_fails("t", sep=":")
except TimeoutError as _e:
    assert str(_e) == "t:4", f"全部失败时应重新抛出最后一次的异常：你抛出的异常信息为 {str(_e)!r}"
else:
    raise AssertionError("retry(4) 装饰的函数每次都失败时应抛出异常，你的包装函数没有抛出")
assert _n["calls"] == 4, f"retry(4) 全部失败时原函数应恰好执行 4 次，实际执行了 {_n['calls']} 次"

_m = {"calls": 0}

@retry(5)
def _ok_first():
    _m["calls"] += 1
    return "ok"

_v = _ok_first()
assert _v == "ok" and _m["calls"] == 1, f"第一次就成功时应立即返回：返回 {_v!r}，原函数执行了 {_m['calls']} 次"

_k = {"calls": 0}

@retry(1)
def _once():
    _k["calls"] += 1
    raise ValueError("x")

try:
    _once()
except ValueError:
    pass
else:
    raise AssertionError("retry(1) 装饰的函数失败时应抛出它的异常，你的包装函数没有抛出")
assert _k["calls"] == 1, f"retry(1) 应只执行 1 次，实际执行了 {_k['calls']} 次"
try:
    retry(-2)
except ValueError:
    pass
else:
    raise AssertionError("retry(-2)（times < 1）应立刻抛出 ValueError")
### END HIDDEN TESTS

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-26", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ## 检查点 4：类与魔术方法
#
# `class` 把数据（属性）和操作数据的函数（方法）绑在一起。名字以双下划线开头和结尾的方法叫**魔术方法**（dunder methods），Python 会在特定语法下自动调用它们：
#
# | 语法 | 调用的方法 |
# |---|---|
# | `Point(1, 2)` | `__init__(self, x, y)` |
# | `repr(p)`、在交互环境里显示 `p` | `__repr__(self)` |
# | `p == q` | `__eq__(self, other)` |
# | `p + q` | `__add__(self, other)` |
# | `p * 3` / `3 * p` | `__mul__` / `__rmul__` |
# | `abs(p)` | `__abs__(self)` |
# | `len(box)` | `__len__(self)` |
# | `box[i]` | `__getitem__(self, i)` |
# | `x in box` | `__contains__(self, x)` |
#
# 当 `other` 的类型不受支持时，`__eq__`、`__add__` 这类方法应**返回**（不是抛出）`NotImplemented`，Python 会接着尝试对方的方法或给出合适的结果/报错。

# %%
class Point:
    def __init__(self, x, y):
        self.x = x
        self.y = y

    def __repr__(self):
        return f"Point({self.x!r}, {self.y!r})"

    def __eq__(self, other):
        if not isinstance(other, Point):
            return NotImplemented
        return (self.x, self.y) == (other.x, other.y)


p = Point(1, 2)
print(p, p == Point(1, 2), p == (1, 2))


class Deck:
    def __init__(self, cards):
        self._cards = list(cards)

    def __len__(self):
        return len(self._cards)

    def __getitem__(self, i):
        return self._cards[i]


deck = Deck("AKQJ")
print(len(deck), deck[0], deck[-1], deck[1:3], "Q" in deck, list(deck))


# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-28", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 练习 4.1：二维向量 `Vector2D`（共 3 分，两个测试单元格）
#
# 补全下面的 `Vector2D` 类（后面的 numpy、PyTorch 正是靠这些魔术方法让 `a + b` 能作用在数组和张量上）：
#
# - `__init__(self, x, y)`：把两个分量存为属性 `x`、`y`；
# - `__repr__`：返回 `"Vector2D(x, y)"`，分量用 `repr` 显示，例如 `Vector2D(1, 2)`、`Vector2D(0.5, -1)`；
# - `__eq__`：两个 `Vector2D` 分量都相等时相等；和其他类型比较时返回 `NotImplemented`；
# - `__add__`：分量相加，返回新的 `Vector2D`；另一边不是 `Vector2D` 时返回 `NotImplemented`；
# - `__mul__` / `__rmul__`：和一个数（`int` 或 `float`）相乘，`v * 3` 和 `3 * v` 都要支持；
# - `__abs__`：返回向量长度 $\sqrt{x^2 + y^2}$，类型为 `float`（可以用 `math.hypot`）。
#
# 测试 `ex-vector-basic-test`（1 分）检查前三项，`ex-vector-ops-test`（2 分）检查后三项。

# %% nbgrader={"grade": false, "grade_id": "ex-vector", "locked": false, "schema_version": 3, "solution": true, "task": false}
class Vector2D:
    def __init__(self, x, y):
        ### BEGIN SOLUTION
        self.x = x
        self.y = y
        ### END SOLUTION

    def __repr__(self):
        ### BEGIN SOLUTION
        return f"Vector2D({self.x!r}, {self.y!r})"
        ### END SOLUTION

    def __eq__(self, other):
        ### BEGIN SOLUTION
        if not isinstance(other, Vector2D):
            return NotImplemented
        return self.x == other.x and self.y == other.y
        ### END SOLUTION

    def __add__(self, other):
        ### BEGIN SOLUTION
        if not isinstance(other, Vector2D):
            return NotImplemented
        return Vector2D(self.x + other.x, self.y + other.y)
        ### END SOLUTION

    def __mul__(self, k):
        ### BEGIN SOLUTION
        if not isinstance(k, (int, float)):
            return NotImplemented
        return Vector2D(self.x * k, self.y * k)
        ### END SOLUTION

    def __rmul__(self, k):
        ### BEGIN SOLUTION
        return self.__mul__(k)
        ### END SOLUTION

    def __abs__(self):
        ### BEGIN SOLUTION
        return math.hypot(self.x, self.y)
        ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-vector-basic-test", "locked": true, "points": 1.0, "schema_version": 3, "solution": false, "task": false}
v = Vector2D(1, 2)
assert (v.x, v.y) == (1, 2), f"属性 x、y 应为 (1, 2)，实际为 {(getattr(v, 'x', None), getattr(v, 'y', None))}"
assert repr(v) == "Vector2D(1, 2)", f"repr 应为 'Vector2D(1, 2)'，实际为 {repr(v)!r}"
assert v == Vector2D(1, 2), "分量相同的两个向量应相等"
assert v != Vector2D(2, 1), "分量不同的向量不应相等"
assert v != (1, 2), "Vector2D 不应等于元组（非 Vector2D 时返回 NotImplemented）"
### BEGIN HIDDEN TESTS
for _v, _want in [(Vector2D(0.5, -1), "Vector2D(0.5, -1)"), (Vector2D(-7, 30), "Vector2D(-7, 30)")]:
    assert repr(_v) == _want, f"另一个向量的 repr 不对（分量用 repr 显示、逗号后一个空格）：你的 __repr__ 返回 {repr(_v)!r}"
assert Vector2D(3, 4) == Vector2D(3, 4) and not (Vector2D(3, 4) == Vector2D(3, 5)), \
    "Vector2D(3, 4) 与 Vector2D(3, 4) 应相等、与 Vector2D(3, 5) 不相等"
assert not (Vector2D(3, 4) == [3, 4]) and Vector2D(0, 0) != None, "Vector2D 不应等于列表或 None"  # noqa: E711
_v = Vector2D.__eq__(Vector2D(1, 1), "x")
assert _v is NotImplemented, f"和字符串比较时 __eq__ 应返回 NotImplemented，你的 __eq__ 返回 {_v!r}"
assert Vector2D(1, 2) == Vector2D(1.0, 2.0), "Vector2D(1, 2) 与 Vector2D(1.0, 2.0) 的分量数值相等，应相等"
### END HIDDEN TESTS

# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-vector-ops-test", "locked": true, "points": 2.0, "schema_version": 3, "solution": false, "task": false}
s = Vector2D(1, 2) + Vector2D(3, -5)
assert isinstance(s, Vector2D), f"加法应返回 Vector2D，而不是 {type(s).__name__}"
assert (s.x, s.y) == (4, -3), f"(1, 2) + (3, -5) 应为 (4, -3)，实际为 {(s.x, s.y)}"
m = Vector2D(1, 2) * 3
assert isinstance(m, Vector2D) and (m.x, m.y) == (3, 6), "v * 3 应把两个分量都乘以 3"
r = 3 * Vector2D(1, 2)
assert isinstance(r, Vector2D) and (r.x, r.y) == (3, 6), "3 * v 也要支持（实现 __rmul__）"
assert abs(Vector2D(3, 4)) == 5.0, f"abs(Vector2D(3, 4)) 应为 5.0，实际为 {abs(Vector2D(3, 4))}"
### BEGIN HIDDEN TESTS
_a, _b = Vector2D(2.5, -1), Vector2D(-0.5, 7)
_s = _a + _b
assert type(_s) is Vector2D and (_s.x, _s.y) == (2.0, 6), \
    f"Vector2D(2.5, -1) + Vector2D(-0.5, 7) 的结果不对：你的加法返回 {_s!r}"
assert (_a.x, _a.y) == (2.5, -1), f"加法不应修改原向量：左边的向量变成了 {(_a.x, _a.y)}"
_m = Vector2D(-2, 5) * 0.5
assert type(_m) is Vector2D and (_m.x, _m.y) == (-1.0, 2.5), f"Vector2D(-2, 5) * 0.5 的结果不对：你返回 {_m!r}"
_r = 4 * Vector2D(-2, 5)
assert type(_r) is Vector2D and (_r.x, _r.y) == (-8, 20), f"4 * Vector2D(-2, 5) 的结果不对：你返回 {_r!r}"
_v = Vector2D(1, 2).__add__((1, 2))
assert _v is NotImplemented, f"加一个元组时 __add__ 应返回 NotImplemented，你的 __add__ 返回 {_v!r}"
try:
    Vector2D(1, 2) + 5
except TypeError:
    pass
else:
    raise AssertionError("Vector2D(1, 2) + 5 应抛出 TypeError（__add__ 返回 NotImplemented 即可）")
_len = abs(Vector2D(-5, 12))
assert type(_len) is float and _len == 13.0, f"abs(Vector2D(-5, 12)) 的结果不对：你返回 {_len!r}（应是 float）"
_z = abs(Vector2D(0, 0))
assert type(_z) is float and _z == 0.0, f"零向量的长度应是 float 0.0，你返回 {_z!r}"
_v = abs(Vector2D(1, 1))
assert math.isclose(_v, 2 ** 0.5), f"abs(Vector2D(1, 1)) 应为 √2，你返回 {_v!r}"
### END HIDDEN TESTS

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-32", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 练习 4.2：歌单 `Playlist`（2 分）
#
# 补全 `Playlist` 类，让它用起来像一个只读的列表：
#
# - `__init__(self, name, songs=None)`：保存歌单名 `name`；`songs` 是歌曲名列表，为 `None` 时表示空歌单。**复制**一份传入的列表保存起来（外面再修改原列表不应影响歌单）。
#   注意：不要把默认值写成 `songs=[]`——默认值只创建一次，所有歌单会共享同一个列表！
# - `add(self, song)`：把一首歌加到末尾；
# - `__len__`：歌曲数量；
# - `__getitem__(self, index)`：按下标取歌，行为和列表一样（支持负数下标和切片，越界时抛出 `IndexError`）；
# - `__contains__(self, song)`：`song in playlist`。
#
# 有了 `__len__` 和 `__getitem__`，`for song in playlist` 就能直接工作了。

# %% nbgrader={"grade": false, "grade_id": "ex-playlist", "locked": false, "schema_version": 3, "solution": true, "task": false}
class Playlist:
    def __init__(self, name, songs=None):
        ### BEGIN SOLUTION
        self.name = name
        self._songs = list(songs) if songs is not None else []
        ### END SOLUTION

    def add(self, song):
        ### BEGIN SOLUTION
        self._songs.append(song)
        ### END SOLUTION

    def __len__(self):
        ### BEGIN SOLUTION
        return len(self._songs)
        ### END SOLUTION

    def __getitem__(self, index):
        ### BEGIN SOLUTION
        return self._songs[index]
        ### END SOLUTION

    def __contains__(self, song):
        ### BEGIN SOLUTION
        return song in self._songs
        ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-playlist-test", "locked": true, "points": 2.0, "schema_version": 3, "solution": false, "task": false}
p = Playlist("study", ["Lo-fi 1", "Lo-fi 2"])
p.add("Rain")
assert p.name == "study", "应保存歌单名到属性 name"
assert len(p) == 3, f"加入一首歌后长度应为 3，实际为 {len(p)}"
assert p[0] == "Lo-fi 1" and p[-1] == "Rain", "下标访问应和列表一致（包括负数下标）"
assert "Rain" in p and "Jazz" not in p, "请实现 __contains__"
assert list(itertools.islice(iter(p), 10)) == ["Lo-fi 1", "Lo-fi 2", "Rain"], \
    "for 循环应依次得到所有歌曲（越界下标要抛出 IndexError）"
### BEGIN HIDDEN TESTS
_a, _b = Playlist("a"), Playlist("b")
_a.add("x")
assert len(_a) == 1 and len(_b) == 0, "歌单之间不能共享同一个列表（不要用可变默认参数）"
_src = ["s1", "s2", "s3", "s4"]
_c = Playlist("c", _src)
_src.append("s5")
_src[0] = "changed"
assert len(_c) == 4 and _c[0] == "s1", f"应保存传入列表的副本：外面改了原列表后，歌单长度 {len(_c)}、第一首 {_c[0]!r}"
_c.add("s6")
assert _src == ["changed", "s2", "s3", "s4", "s5"], f"add 不应修改调用者的列表，它变成了 {_src}"
_v1, _v2 = _c[1:3], _c[::-1][0]
assert _v1 == ["s2", "s3"] and _v2 == "s6", f"切片应和列表一致：_c[1:3] 得 {_v1!r}，_c[::-1][0] 得 {_v2!r}"
try:
    _c[99]
except IndexError:
    pass
else:
    raise AssertionError("越界下标应抛出 IndexError")
_v = list(itertools.islice(iter(_c), 20))
assert _v == ["s1", "s2", "s3", "s4", "s6"], f"for 循环应依次得到歌单中的歌曲，实际得到 {_v}"
assert type(len(_c)) is int and ("s6" in _c) is True and ("zz" in _c) is False, \
    "len 应返回 int，in 应返回 True/False"
_t, _g = Playlist("t", ()), Playlist("g", (x for x in "ab"))
assert len(_t) == 0 and len(_g) == 2, f"songs 也可以是元组或生成器：得到长度 {len(_t)} 和 {len(_g)}（用 list(songs) 复制）"
### END HIDDEN TESTS

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-35", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ## 检查点 5：正则表达式 `re`
#
# 正则表达式用一个“模式串”描述文本的形状，爬虫和数据清洗中天天会用。常用的几个元素：
#
# | 写法 | 含义 |
# |---|---|
# | `\d`、`\w`、`\s` | 数字、字母数字下划线（也包括汉字）、空白 |
# | `[3-9]`、`[-/]` | 字符集合：其中任意一个字符 |
# | `{4}`、`{1,2}`、`+`、`*`、`?` | 重复次数 |
# | `( … )` | 分组，`m.group(1)` 取出第 1 组 |
# | `\1`、`\2` | 反向引用：和第 1、2 组匹配到的**同一段文字** |
# | `(?<!\d)`、`(?!\d)` | 前面 / 后面**不能**紧跟一个数字（不消耗字符） |
# | `a|b` | 或 |
#
# - `re.findall(p, s)`：返回所有匹配；模式里有分组时，返回各组组成的元组；
# - `re.finditer(p, s)`：逐个返回 `Match` 对象，可以用 `m.group(k)`、`m.start()`；
# - `re.sub(p, repl, s)`：替换。
#
# 模式串请写成原始字符串 `r"..."`，这样反斜杠不会被 Python 先吃掉。

# %%
log = "user=alice id=42; user=bob id=7; user=carol id=1234"
print(re.findall(r"user=(\w+) id=(\d+)", log))

for m in re.finditer(r"id=(\d+)", log):
    print(m.group(0), "->", int(m.group(1)), "at", m.start())

print(re.sub(r"\d", "#", "card 6222 0000 1234"))
print(re.findall(r"(?<!\d)\d{3}(?!\d)", "12 345 6789 000"))   # exactly three digits
print(re.findall(r"(\w)\1", "aabbcdde"))                       # doubled letters


# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-37", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 练习 5.1：提取手机号（2 分）
#
# 实现 `find_phones(text)`，按出现顺序返回文本中所有中国大陆手机号（字符串列表）。这里的手机号是：
#
# - 恰好 11 位数字，第一位是 `1`，第二位是 `3`–`9`；
# - 前后都**不能紧挨着其他数字**（否则它只是一个更长数字串的一部分）；紧挨着字母、汉字、标点都可以。
#
# 例如 `find_phones("张三 13812345678，李四:15900001111")` 返回 `["13812345678", "15900001111"]`。

# %% nbgrader={"grade": false, "grade_id": "ex-phones", "locked": false, "schema_version": 3, "solution": true, "task": false}
def find_phones(text):
    ### BEGIN SOLUTION
    return re.findall(r"(?<!\d)1[3-9]\d{9}(?!\d)", text)
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-phones-test", "locked": true, "points": 2.0, "schema_version": 3, "solution": false, "task": false}
got = find_phones("张三 13812345678，李四:15900001111")
assert isinstance(got, list), f"应返回 list，而不是 {type(got).__name__}"
assert got == ["13812345678", "15900001111"], f"应找到两个手机号，实际为 {got}"
assert find_phones("没有号码") == [], "没有手机号时应返回空列表"
assert find_phones("订单号 2138123456789") == [], "更长数字串中的一段不是手机号（前后不能紧挨数字）"
### BEGIN HIDDEN TESTS
_t = ("tel:19912345678abc, 12812345678, 1381234567, 139123456789; "
      "+8613700001111 联系13600002222或17788889999。10012345678 15511112222")
_got = find_phones(_t)
assert type(_got) is list and all(type(x) is str for x in _got), f"应返回字符串列表，实际返回 {_got!r}"
assert _got == ["19912345678", "13600002222", "17788889999", "15511112222"], \
    f"一段混合文本（含第二位不对、位数不对、带 +86 前缀、紧挨字母汉字的号码）结果不对：你的函数返回 {_got}"
_e = find_phones("")
assert _e == [], f"空字符串应返回 []，你的函数返回 {_e!r}"
_v = find_phones("18600001111-13900002222")
assert _v == ["18600001111", "13900002222"], f"用 - 连接的两个号码都应找到：你的函数返回 {_v}"
### END HIDDEN TESTS

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-40", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 练习 5.2：解析日期（2 分）
#
# 实现 `parse_dates(text)`，按出现顺序返回文本中所有日期，每个日期是整数元组 `(年, 月, 日)`。支持三种写法（年是 4 位数字，月和日是 1–2 位数字）：
#
# 1. `2024-03-15`
# 2. `2024/3/5`
# 3. `2024年3月15日`
#
# 前两种写法里的两个分隔符必须**相同**：`2024-03/15` 不算日期（提示：反向引用 `\2`）。不需要检查月份、日期的取值范围。
#
# 例如 `parse_dates("开学 2024-09-01，考试 2025年1月8日")` 返回 `[(2024, 9, 1), (2025, 1, 8)]`。

# %% nbgrader={"grade": false, "grade_id": "ex-dates", "locked": false, "schema_version": 3, "solution": true, "task": false}
def parse_dates(text):
    ### BEGIN SOLUTION
    pattern = re.compile(r"(\d{4})([-/])(\d{1,2})\2(\d{1,2})|(\d{4})年(\d{1,2})月(\d{1,2})日")
    dates = []
    for m in pattern.finditer(text):
        if m.group(1) is not None:
            parts = m.group(1, 3, 4)
        else:
            parts = m.group(5, 6, 7)
        dates.append(tuple(int(p) for p in parts))
    return dates
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-dates-test", "locked": true, "points": 2.0, "schema_version": 3, "solution": false, "task": false}
got = parse_dates("开学 2024-09-01，考试 2025年1月8日")
assert isinstance(got, list), f"应返回 list，而不是 {type(got).__name__}"
assert got == [(2024, 9, 1), (2025, 1, 8)], f"应得到 [(2024, 9, 1), (2025, 1, 8)]，实际为 {got}"
assert parse_dates("2023/12/31") == [(2023, 12, 31)], "也要支持用 / 分隔的写法"
assert parse_dates("2024-03/15") == [], "两个分隔符不同的不算日期"
### BEGIN HIDDEN TESTS
_t = "a1999年12月31日b 2000/1/2, 2001-02-03; 2002-4/5 2003/06-07 deadline 2030年7月1日!"
_got = parse_dates(_t)
assert type(_got) is list, f"应返回 list，实际返回 {type(_got).__name__}"
assert all(type(d) is tuple and len(d) == 3 and all(type(v) is int for v in d) for d in _got), \
    f"每个日期应是三个 int 组成的元组，实际返回 {_got!r}"
assert _got == [(1999, 12, 31), (2000, 1, 2), (2001, 2, 3), (2030, 7, 1)], \
    f"一段混合三种写法（含分隔符不一致的假日期）的文本结果不对：你的函数返回 {_got}"
_e1, _e2 = parse_dates(""), parse_dates("2024年3月")
assert _e1 == [] and _e2 == [], f"空文本和没有“日”的“2024年3月”都不是日期：你的函数返回 {_e1!r} 和 {_e2!r}"
_v = parse_dates("2024/3/5 和 2024-3-5")
assert _v == [(2024, 3, 5), (2024, 3, 5)], f"同一个日期出现两次都应返回：你的函数返回 {_v}"
### END HIDDEN TESTS

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-43", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ## 检查点 6：推导式
#
# 推导式用一行代码从已有的可迭代对象构造新的容器：
#
# ```python
# [表达式 for 变量 in 可迭代对象 if 条件]        # 列表推导式
# {键: 值 for 变量 in 可迭代对象}               # 字典推导式
# {表达式 for 变量 in 可迭代对象}               # 集合推导式（去重）
# ```
#
# 多个 `for` 的顺序和嵌套循环的书写顺序**相同**：`[x for row in matrix for x in row]` 等价于外层循环 `row`、内层循环 `x`。推导式短小时比循环更清楚；逻辑复杂时还是写普通循环更好读。

# %%
matrix = [[1, 2, 3], [4, 5, 6]]
print([x for row in matrix for x in row])                # flatten
print([[row[i] for row in matrix] for i in range(3)])    # transpose
scores = {"ann": 92, "bob": 58, "cat": 77}
print({name: s >= 60 for name, s in scores.items()})
print({len(w) for w in ["a", "bb", "cc", "ddd"]})        # a set removes duplicates


# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-45", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 练习 6.1：偶数的平方（1 分）
#
# 实现 `even_squares(matrix)`：`matrix` 是整数列表的列表（各行长度可以不同，也可以为空）。按“先行后列”的顺序，返回所有**偶数**的平方组成的列表。请用**一个**列表推导式完成。
#
# 例如 `even_squares([[1, 2], [3, 4, 6]])` 返回 `[4, 16, 36]`。

# %% nbgrader={"grade": false, "grade_id": "ex-even-squares", "locked": false, "schema_version": 3, "solution": true, "task": false}
def even_squares(matrix):
    ### BEGIN SOLUTION
    return [x * x for row in matrix for x in row if x % 2 == 0]
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-even-squares-test", "locked": true, "points": 1.0, "schema_version": 3, "solution": false, "task": false}
got = even_squares([[1, 2], [3, 4, 6]])
assert isinstance(got, list), f"应返回 list，而不是 {type(got).__name__}"
assert got == [4, 16, 36], f"应为 [4, 16, 36]，实际为 {got}"
assert even_squares([]) == [], "空矩阵应返回空列表"
### BEGIN HIDDEN TESTS
_got = even_squares([[], [-2, -3, 0], [7], [10, 11, 12]])
assert type(_got) is list and _got == [4, 0, 100, 144], \
    f"含空行、负数和 0 的矩阵结果不对（负偶数和 0 也是偶数）：你的函数返回 {_got!r}"
_v = even_squares([[1, 3], [5]])
assert _v == [], f"没有偶数时应返回 []，你的函数返回 {_v!r}"
_v = even_squares([[8]])
assert _v == [64], f"even_squares([[8]]) 的结果不对：你的函数返回 {_v!r}"
### END HIDDEN TESTS

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-48", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 练习 6.2：字典与集合推导式（2 分）
#
# 在同一个单元格里实现两个函数，各用一个推导式：
#
# - `invert_dict(d)`：返回键和值互换后的**新字典**（保证 `d` 的值互不相同且可哈希），不要修改 `d`。例如 `invert_dict({"a": 1, "b": 2})` 返回 `{1: "a", 2: "b"}`；
# - `initials(words)`：返回所有**非空**单词首字母的**大写**组成的**集合**。例如 `initials(["apple", "Avocado", "", "banana"])` 返回 `{"A", "B"}`。

# %% nbgrader={"grade": false, "grade_id": "ex-dict-set", "locked": false, "schema_version": 3, "solution": true, "task": false}
def invert_dict(d):
    ### BEGIN SOLUTION
    return {v: k for k, v in d.items()}
    ### END SOLUTION


def initials(words):
    ### BEGIN SOLUTION
    return {w[0].upper() for w in words if w}
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-dict-set-test", "locked": true, "points": 2.0, "schema_version": 3, "solution": false, "task": false}
inv = invert_dict({"a": 1, "b": 2})
assert isinstance(inv, dict), f"invert_dict 应返回 dict，而不是 {type(inv).__name__}"
assert inv == {1: "a", 2: "b"}, f"应为 {{1: 'a', 2: 'b'}}，实际为 {inv}"
ini = initials(["apple", "Avocado", "", "banana"])
assert isinstance(ini, set), f"initials 应返回 set，而不是 {type(ini).__name__}"
assert ini == {"A", "B"}, f"应为 {{'A', 'B'}}，实际为 {ini}（记得跳过空字符串并转大写）"
### BEGIN HIDDEN TESTS
_d = {"x": 10, "y": (1, 2), 3: "z"}
_inv = invert_dict(_d)
assert type(_inv) is dict and _inv == {10: "x", (1, 2): "y", "z": 3}, \
    f"键和值类型混合的字典互换结果不对：你的函数返回 {_inv!r}"
assert _d == {"x": 10, "y": (1, 2), 3: "z"}, f"不要修改传入的字典，它变成了 {_d!r}"
_e = invert_dict({})
assert type(_e) is dict and _e == {}, f"空字典互换后应是空 dict，你的函数返回 {_e!r}"
_ini = initials(["zoo", "Zen", "é", "", "42nd", "quiet"])
assert type(_ini) is set and _ini == {"Z", "É", "4", "Q"}, \
    f"另一组单词（含大小写、非英文字母、数字开头、空串）结果不对：你的函数返回 {_ini!r}"
_e1, _e2 = initials([]), initials(["", ""])
assert type(_e1) is set and _e2 == set(), f"没有非空单词时应返回空集合 set()，你的函数返回 {_e1!r} 和 {_e2!r}"
_v = initials(w for w in ["ab"])
assert type(_v) is set, f"参数是生成器时也应返回 set，你的函数返回 {type(_v).__name__}"
### END HIDDEN TESTS

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-51", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ## 检查点 7：生成器与 `yield`
#
# 函数体里只要出现 `yield`，它就成了**生成器函数**：调用它并不执行函数体，而是返回一个生成器对象；每次对它调用 `next()`（或在 `for` 循环中迭代），函数体才运行到下一个 `yield`，交出一个值后**暂停**，保留所有局部变量，等待下一次继续。
#
# 这叫**惰性求值**：值在需要时才计算。因此生成器可以表示无穷序列，也可以逐块读取放不进内存的大文件——PyTorch 的 `DataLoader` 就是这样一批一批地产生数据的。无穷生成器不能直接 `list(...)`，要用 `itertools.islice(gen, n)` 取前 n 个。

# %%
def countdown(n):
    print("start")
    while n > 0:
        yield n
        n -= 1
    print("done")


g = countdown(3)
print(type(g).__name__, inspect.isgenerator(g))   # nothing printed by countdown yet
print(next(g))
print(list(g))                                   # the rest


def naturals():
    n = 0
    while True:          # infinite, but lazy
        yield n
        n += 1


print(list(itertools.islice(naturals(), 5)))
print(sum(x * x for x in range(4)))              # a generator expression


# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "think-03", "locked": true, "schema_version": 3, "solution": false, "task": false}
# **想一想**：
# 1. 运行 `g = countdown(3)` 时为什么没有打印 `start`？`start` 和 `done` 分别是在哪一步打印出来的？
# 2. 在上面的 `print(list(g))` 之后再执行一次 `list(g)`，会得到什么？
#
# <details><summary>提示</summary>
#
# 1. 调用生成器函数只创建生成器对象，函数体一行都不执行；第一次 `next(g)` 才从头运行到第一个 `yield`，所以 `start` 在 `print(next(g))` 时打印；`list(g)` 取完剩下的值、函数体走到末尾时打印 `done`。
# 2. 得到空列表 `[]`：生成器只能遍历一次，用完就“耗尽”了，想再来一遍要重新调用 `countdown(3)`。
#
# </details>

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-53", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 练习 7.1：斐波那契生成器（2 分）
#
# 用 `yield` 实现**无穷**生成器函数 `fibonacci()`，依次产生 0, 1, 1, 2, 3, 5, 8, …（每一项是前两项之和）。每次调用 `fibonacci()` 都从头开始一个新的、独立的序列。
#
# 自查用的数值：从第 0 项数起，第 10 项是 55，第 50 项是 12586269025——用整数相加就是精确的，不要用含 $\sqrt{5}$ 的浮点公式。

# %% nbgrader={"grade": false, "grade_id": "ex-fib", "locked": false, "schema_version": 3, "solution": true, "task": false}
def fibonacci():
    ### BEGIN SOLUTION
    a, b = 0, 1
    while True:
        yield a
        a, b = b, a + b
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-fib-test", "locked": true, "points": 2.0, "schema_version": 3, "solution": false, "task": false}
assert inspect.isgeneratorfunction(fibonacci), "fibonacci 应是生成器函数（函数体里用 yield）"
first = list(itertools.islice(fibonacci(), 8))
assert first == [0, 1, 1, 2, 3, 5, 8, 13], f"前 8 项应为 [0, 1, 1, 2, 3, 5, 8, 13]，实际为 {first}"
### BEGIN HIDDEN TESTS
_g1, _g2 = fibonacci(), fibonacci()
assert type(_g1) is types.GeneratorType, f"fibonacci() 应返回生成器，实际返回 {type(_g1).__name__}"
_v = [next(_g1) for _ in range(5)]
assert _v == [0, 1, 1, 2, 3], f"用 next() 逐个取前 5 项应为 [0, 1, 1, 2, 3]，实际为 {_v}"
_v = next(_g2)
assert _v == 0, f"每个生成器应独立从头开始：第二个生成器的第一项是 {_v!r}"
_v = next(_g1)
assert _v == 5, f"第一个生成器的第 6 项应为 5（不受第二个生成器影响），实际为 {_v!r}"
_a, _b, _ref = 0, 1, []
for _ in range(60):
    _ref.append(_a)
    _a, _b = _b, _a + _b
_got = list(itertools.islice(fibonacci(), 60))
_bad = next((i for i, (x, y) in enumerate(zip(_got, _ref)) if x != y or type(x) is not int), None)
assert _got == _ref and all(type(x) is int for x in _got), \
    f"前 60 项不对：从第 {_bad} 项（从 0 数）起出错，你的值为 {_got[_bad] if _bad is not None and _bad < len(_got) else None!r}" \
    "（应是 int，不要用浮点公式）"
### END HIDDEN TESTS

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-56", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 练习 7.2：分块 `chunked`（2 分）
#
# 用 `yield` 实现生成器函数 `chunked(iterable, size)`：把任意可迭代对象按顺序切成若干个**列表**，每块 `size` 个元素，最后一块可以不足 `size` 个（但不能为空）。
#
# - 必须是**惰性**的：只在需要下一块时才从 `iterable` 中取元素（所以它能处理无穷序列）。不要先 `list(iterable)`！
# - `size < 1` 时抛出 `ValueError`（作为生成器函数，它会在第一次 `next()` 时抛出，这样就可以）。
#
# 例如 `list(chunked(range(7), 3))` 返回 `[[0, 1, 2], [3, 4, 5], [6]]`。
#
# 提示：`it = iter(iterable)` 之后，`list(itertools.islice(it, size))` 能从 `it` 中取出至多 `size` 个元素。

# %% nbgrader={"grade": false, "grade_id": "ex-chunked", "locked": false, "schema_version": 3, "solution": true, "task": false}
def chunked(iterable, size):
    ### BEGIN SOLUTION
    if size < 1:
        raise ValueError("size must be >= 1")
    it = iter(iterable)
    while True:
        chunk = list(itertools.islice(it, size))
        if not chunk:
            return
        yield chunk
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-chunked-test", "locked": true, "points": 2.0, "schema_version": 3, "solution": false, "task": false}
gen = chunked(range(7), 3)
assert inspect.isgenerator(gen), f"chunked 应返回生成器，而不是 {type(gen).__name__}（函数体里用 yield）"
got = list(itertools.islice(gen, 10))
assert got == [[0, 1, 2], [3, 4, 5], [6]], f"应为 [[0, 1, 2], [3, 4, 5], [6]]，实际为 {got}"
assert list(itertools.islice(chunked([], 2), 5)) == [], "空输入应不产生任何块"
### BEGIN HIDDEN TESTS
_pulled = []

def _source(n):
    for i in range(n):
        _pulled.append(i)
        yield i

_g = chunked(_source(100), 4)
assert _pulled == [], "调用 chunked 时还不应读取任何元素"
_v = next(_g)
assert _v == [0, 1, 2, 3], f"从一个 100 个元素的生成器按 4 分块，第一块不对：你得到 {_v!r}"
assert len(_pulled) <= 5, f"取第一块时只应读取约 4 个元素，实际读取了 {len(_pulled)} 个（要惰性）"
_v = next(_g)
assert _v == [4, 5, 6, 7] and len(_pulled) <= 9, f"第二块为 {_v!r}，到此共读取了 {len(_pulled)} 个元素（要惰性）"
_all = list(itertools.islice(chunked("abcdefghij", 4), 10))
assert _all == [["a", "b", "c", "d"], ["e", "f", "g", "h"], ["i", "j"]], f"把字符串 'abcdefghij' 按 4 分块的结果不对：{_all!r}"
assert all(type(c) is list for c in _all), f"每一块都应是 list，实际类型为 {[type(c).__name__ for c in _all]}"
for _n, _size in [(6, 2), (3, 10), (3, 1)]:
    _v = list(itertools.islice(chunked(range(_n), _size), 10))
    _want = [list(range(_n))[i:i + _size] for i in range(0, _n, _size)]
    assert _v == _want, f"chunked(range({_n}), {_size}) 的结果不对：你的生成器产生了 {_v}"
_inf = chunked(itertools.count(), 3)
_v1, _v2 = next(_inf), next(_inf)
assert _v1 == [0, 1, 2] and _v2 == [3, 4, 5], f"无穷序列也应能分块：前两块为 {_v1!r}、{_v2!r}"
for _bad in (0, -1):
    try:
        next(chunked([1, 2, 3], _bad))
    except ValueError:
        pass
    else:
        raise AssertionError(f"size={_bad}（< 1）时应抛出 ValueError")
### END HIDDEN TESTS

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-59", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ## 检查点 8：面向对象——继承、多态与 `super()`
#
# **继承**：`class Dog(Animal)` 让 `Dog` 自动拥有 `Animal` 的全部方法，再按需**重写**（override）其中一部分。**多态**：调用者只管调用 `animal.speak()`，不用关心它到底是哪一种动物，实际运行哪个方法由对象的真实类型决定。`super()` 用来调用父类的方法，最常见的是在子类的 `__init__` 里先让父类完成它那部分初始化。
#
# `isinstance(obj, Cls)` 对子类的实例也返回 `True`；`issubclass(Dog, Animal)` 判断类之间的关系。后面写 PyTorch 模型时，每个模型都是 `class Net(nn.Module)`，并在 `__init__` 第一行调用 `super().__init__()`——就是这里的知识。

# %%
class Animal:
    sound = "..."

    def __init__(self, name):
        self.name = name

    def speak(self):
        return f"{self.name} says {self.sound}"


class Dog(Animal):
    sound = "woof"


class Puppy(Dog):
    def __init__(self, name, age_months):
        super().__init__(name)         # let Animal set self.name
        self.age_months = age_months

    def speak(self):                   # override, but reuse the parent's version
        return super().speak() + " (tiny)"


for a in [Animal("generic"), Dog("Rex"), Puppy("Bit", 3)]:
    print(type(a).__name__, "|", a.speak())   # polymorphism: same call, different behaviour
print(isinstance(Puppy("Bit", 3), Animal), issubclass(Puppy, Dog))


# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-61", "locked": true, "schema_version": 3, "solution": false, "task": false}
# 下面的基类 `Shape` 已经写好：`area()` 留给子类实现；`describe()` 调用 `self.area()`，所以对任何子类都能工作（多态）；`total_area` 对一组形状求面积之和，同样不关心具体类型。

# %% deletable=false editable=false nbgrader={"grade": false, "grade_id": "shape-base", "locked": true, "schema_version": 3, "solution": false, "task": false}
class Shape:
    name = "shape"

    def area(self):
        raise NotImplementedError("subclasses must implement area()")

    def perimeter(self):
        raise NotImplementedError("subclasses must implement perimeter()")

    def describe(self):
        return f"{self.name}: area={self.area():.2f}"


def total_area(shapes):
    return sum(s.area() for s in shapes)


# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-63", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 练习 8.1：圆与矩形（2 分）
#
# 补全 `Shape` 的两个子类（类名和 `name` 已经写好）：
#
# - `Circle(radius)`：属性 `radius`；`area()` 返回 $\pi r^2$，`perimeter()` 返回 $2\pi r$（用 `math.pi`）；
# - `Rect(width, height)`：属性 `width`、`height`；`area()` 返回 `width * height`，`perimeter()` 返回 `2 * (width + height)`。
#
# 不要在子类里重写 `describe()`——它从 `Shape` 继承而来，会自动调用你写的 `area()`。

# %% nbgrader={"grade": false, "grade_id": "ex-shapes", "locked": false, "schema_version": 3, "solution": true, "task": false}
class Circle(Shape):
    name = "circle"

    def __init__(self, radius):
        ### BEGIN SOLUTION
        self.radius = radius
        ### END SOLUTION

    def area(self):
        ### BEGIN SOLUTION
        return math.pi * self.radius ** 2
        ### END SOLUTION

    def perimeter(self):
        ### BEGIN SOLUTION
        return 2 * math.pi * self.radius
        ### END SOLUTION


class Rect(Shape):
    name = "rect"

    def __init__(self, width, height):
        ### BEGIN SOLUTION
        self.width = width
        self.height = height
        ### END SOLUTION

    def area(self):
        ### BEGIN SOLUTION
        return self.width * self.height
        ### END SOLUTION

    def perimeter(self):
        ### BEGIN SOLUTION
        return 2 * (self.width + self.height)
        ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-shapes-test", "locked": true, "points": 2.0, "schema_version": 3, "solution": false, "task": false}
c, r = Circle(1), Rect(2, 3)
assert isinstance(c, Shape) and isinstance(r, Shape), "Circle 和 Rect 都应继承 Shape"
assert math.isclose(c.area(), math.pi), f"Circle(1).area() 应为 π，实际为 {c.area()}"
assert r.area() == 6, f"Rect(2, 3).area() 应为 6，实际为 {r.area()}"
assert r.perimeter() == 10, f"Rect(2, 3).perimeter() 应为 10，实际为 {r.perimeter()}"
assert r.describe() == "rect: area=6.00", f"describe() 应得到 'rect: area=6.00'，实际为 {r.describe()!r}"
### BEGIN HIDDEN TESTS
_c = Circle(2.5)
assert _c.radius == 2.5, f"Circle(2.5).radius 应为 2.5，实际为 {getattr(_c, 'radius', None)!r}"
assert math.isclose(_c.area(), math.pi * 6.25) and math.isclose(_c.perimeter(), 5 * math.pi), \
    f"Circle(2.5) 的面积或周长不对：area()={_c.area()!r}，perimeter()={_c.perimeter()!r}"
assert _c.describe() == f"circle: area={math.pi * 6.25:.2f}", f"Circle(2.5).describe() 不对：{_c.describe()!r}"
_r = Rect(0.5, 8)
assert (_r.width, _r.height) == (0.5, 8), f"Rect(0.5, 8) 的 width、height 不对：{(_r.width, _r.height)}"
assert _r.area() == 4.0 and _r.perimeter() == 17.0, f"Rect(0.5, 8) 的面积或周长不对：{_r.area()!r}，{_r.perimeter()!r}"
_v = total_area([Circle(1), Rect(2, 3), Rect(1, 1)])
assert math.isclose(_v, math.pi + 7), f"total_area([Circle(1), Rect(2, 3), Rect(1, 1)]) 的结果不对：得到 {_v!r}"
assert "describe" not in Circle.__dict__ and "describe" not in Rect.__dict__, "不要在子类里重写 describe()"
_v1, _v2 = Rect(4, 5).area(), Circle(10).perimeter()
assert _v1 == 20 and math.isclose(_v2, 20 * math.pi), f"Rect(4, 5).area() 得 {_v1!r}，Circle(10).perimeter() 得 {_v2!r}"
### END HIDDEN TESTS

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-66", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 练习 8.2：正方形（1 分）
#
# 正方形是一种特殊的矩形。补全 `Square(Rect)`：
#
# - `__init__(self, side)`：用 `super().__init__(side, side)` 让 `Rect` 完成初始化，再把边长存为属性 `side`；
# - **不要**重写 `area()`、`perimeter()`，它们继承自 `Rect` 就已经正确。
#
# 这个练习依赖 8.1 的 `Rect`。

# %% nbgrader={"grade": false, "grade_id": "ex-square", "locked": false, "schema_version": 3, "solution": true, "task": false}
class Square(Rect):
    name = "square"

    def __init__(self, side):
        ### BEGIN SOLUTION
        super().__init__(side, side)
        self.side = side
        ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-square-test", "locked": true, "points": 1.0, "schema_version": 3, "solution": false, "task": false}
sq = Square(3)
assert isinstance(sq, Rect) and isinstance(sq, Shape), "Square 应是 Rect（也是 Shape）的子类"
assert sq.side == 3, f"属性 side 应为 3，实际为 {getattr(sq, 'side', None)}"
assert (sq.width, sq.height) == (3, 3), "应通过 super().__init__(side, side) 设置 width 和 height"
assert sq.area() == 9 and sq.perimeter() == 12, "Square(3) 的面积应为 9，周长应为 12"
assert sq.describe() == "square: area=9.00", f"describe() 应为 'square: area=9.00'，实际为 {sq.describe()!r}"
### BEGIN HIDDEN TESTS
assert "area" not in Square.__dict__ and "perimeter" not in Square.__dict__, "不要重写 area/perimeter"
_sq = Square(1.5)
_v = (_sq.width, _sq.height, _sq.side)
assert _v == (1.5, 1.5, 1.5), f"Square(1.5) 的 (width, height, side) 应都为 1.5，实际为 {_v}"
assert _sq.area() == 2.25 and _sq.perimeter() == 6.0, f"Square(1.5) 的面积或周长不对：{_sq.area()!r}，{_sq.perimeter()!r}"
_v = total_area([Square(2), Square(5)])
assert math.isclose(_v, 29), f"total_area([Square(2), Square(5)]) 的结果不对：得到 {_v!r}"
### END HIDDEN TESTS

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-69", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ## 检查点 9：类型注解
#
# 类型注解写在参数后面（`x: int`）和 `->` 之后（返回类型）。Python 运行时**不会**检查它们，但它们让代码更好读，编辑器和 `mypy` 之类的工具也能据此发现错误。Python 3.9 起可以直接写 `list[int]`、`dict[str, float]`；3.10 起可以用 `X | None` 表示“X 或 None”（等价于 `typing.Optional[X]`）。
#
# 注解保存在函数的 `__annotations__` 里，`typing.get_type_hints(func)` 会把它们解析成真正的类型对象返回。

# %%
def greet(name: str, times: int = 1) -> list[str]:
    return [f"hello {name}"] * times


def find_index(items: list[int], target: int) -> int | None:
    for i, x in enumerate(items):
        if x == target:
            return i
    return None


print(typing.get_type_hints(greet))
print(typing.get_type_hints(find_index))
print(greet(name="Ann", times=2), find_index([3, 5, 7], 7), find_index([], 1))


# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-71", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 练习 9.1：带注解的 `merge_counts`（2 分）
#
# 写出函数 `merge_counts(a, b)`，**包括带类型注解的函数头**：
#
# - 参数 `a`、`b` 都注解为 `dict[str, int]`，返回值也注解为 `dict[str, int]`；
# - 函数返回一个**新字典**：包含两者的全部键，同一个键的值相加；不要修改 `a` 和 `b`。
#
# 例如 `merge_counts({"x": 1, "y": 2}, {"y": 5, "z": 3})` 返回 `{"x": 1, "y": 7, "z": 3}`。

# %% nbgrader={"grade": false, "grade_id": "ex-typed-merge", "locked": false, "schema_version": 3, "solution": true, "task": false}
# Write the whole function here, starting with:  def merge_counts(a: ..., b: ...) -> ...:
### BEGIN SOLUTION
def merge_counts(a: dict[str, int], b: dict[str, int]) -> dict[str, int]:
    merged = dict(a)
    for key, value in b.items():
        merged[key] = merged.get(key, 0) + value
    return merged
### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-typed-merge-test", "locked": true, "points": 2.0, "schema_version": 3, "solution": false, "task": false}
got = merge_counts({"x": 1, "y": 2}, {"y": 5, "z": 3})
assert got == {"x": 1, "y": 7, "z": 3}, f"应为 {{'x': 1, 'y': 7, 'z': 3}}，实际为 {got}"
hints = typing.get_type_hints(merge_counts)
assert set(hints) == {"a", "b", "return"}, f"a、b 和返回值都要加注解，现在只有 {sorted(hints)}"
for _name, _hint in hints.items():
    assert typing.get_origin(_hint) is dict and typing.get_args(_hint) == (str, int), \
        f"{_name} 的注解应为 dict[str, int]，实际为 {_hint}"
### BEGIN HIDDEN TESTS
_a, _b = {"p": 4}, {"p": -4, "q": 0}
_m = merge_counts(_a, _b)
assert type(_m) is dict and _m == {"p": 0, "q": 0}, f"相加为 0 的键和值为 0 的键都要保留：你的函数返回 {_m!r}"
assert _a == {"p": 4} and _b == {"p": -4, "q": 0}, f"不要修改传入的字典：它们变成了 {_a!r} 和 {_b!r}"
assert _m is not _a and _m is not _b, "应返回一个新字典，而不是传入的某个字典"
_e = merge_counts({}, {})
assert type(_e) is dict and _e == {}, f"两个空字典合并应得空 dict，你的函数返回 {_e!r}"
_x = {"k": 1}
_mx = merge_counts(_x, {})
assert _mx == {"k": 1} and _mx is not _x, f"merge_counts(x, {{}}) 应返回 x 的副本：得到 {_mx!r}，是否同一对象：{_mx is _x}"
_v = merge_counts({"a": 2, "b": 3}, {"a": 40})
assert _v == {"a": 42, "b": 3}, f"merge_counts({{'a': 2, 'b': 3}}, {{'a': 40}}) 的结果不对：你的函数返回 {_v!r}"
### END HIDDEN TESTS

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-74", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 练习 9.2：`first_long_word`（1 分）
#
# 写出函数 `first_long_word(words, min_len=5)`，**包括带类型注解的函数头**：
#
# - `words` 注解为 `list[str]`，`min_len` 注解为 `int`，默认值为 `5`；
# - 返回 `words` 中第一个长度 **≥** `min_len` 的单词；没有这样的单词时返回 `None`。因此返回值注解为 `str | None`（或 `typing.Optional[str]`）。

# %% nbgrader={"grade": false, "grade_id": "ex-typed-first", "locked": false, "schema_version": 3, "solution": true, "task": false}
# Write the whole function here, starting with:  def first_long_word(words: ..., min_len: ... = 5) -> ...:
### BEGIN SOLUTION
def first_long_word(words: list[str], min_len: int = 5) -> str | None:
    for word in words:
        if len(word) >= min_len:
            return word
    return None
### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-typed-first-test", "locked": true, "points": 1.0, "schema_version": 3, "solution": false, "task": false}
assert first_long_word(["hi", "hello", "greetings"]) == "hello", "默认 min_len=5 时应返回 'hello'"
assert first_long_word(["a", "bb"]) is None, "没有足够长的单词时应返回 None"
hints = typing.get_type_hints(first_long_word)
assert hints.get("min_len") is int, f"min_len 的注解应为 int，实际为 {hints.get('min_len')}"
ret = hints.get("return")
assert typing.get_origin(ret) in (typing.Union, types.UnionType) and set(typing.get_args(ret)) == {str, type(None)}, \
    f"返回值的注解应为 str | None，实际为 {ret}"
### BEGIN HIDDEN TESTS
_w = hints.get("words")
assert typing.get_origin(_w) is list and typing.get_args(_w) == (str,), f"words 的注解应为 list[str]，实际为 {_w}"
_d = inspect.signature(first_long_word).parameters["min_len"].default
assert _d == 5, f"min_len 的默认值应为 5，实际为 {_d!r}"
for _call, _v, _want in [
    ("first_long_word(['abc', 'abcd', 'xyz'], 3)", first_long_word(["abc", "abcd", "xyz"], 3), "abc"),
    ("first_long_word(['abc', 'abcd', 'wxyz'], min_len=4)", first_long_word(["abc", "abcd", "wxyz"], min_len=4), "abcd"),
    ("first_long_word([], 0)", first_long_word([], 0), None),
    ("first_long_word(['', 'q'], 0)", first_long_word(["", "q"], 0), ""),
    ("first_long_word(['short', 'longer'], 6)", first_long_word(["short", "longer"], 6), "longer"),
]:
    assert _v == _want and type(_v) is type(_want), \
        f"{_call} 的结果不对：你的函数返回 {_v!r}（注意是 ≥ min_len，空串也可能满足）"
### END HIDDEN TESTS

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-77", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ## 小结
#
# 九个检查点到这里就完成了。回顾一下：计数/分组/排序（list、dict、lambda），装饰器和魔术方法（让代码“更 Pythonic”的两大工具），正则表达式（下一阶段爬虫的主力），推导式和生成器（简洁、省内存地处理数据），继承与 `super()`（每一个 PyTorch 模型的写法），以及类型注解。
#
# 建议继续阅读：Python 官方教程（中文版）第 4、5、9 章，以及 `re` 模块文档中的“正则表达式 HOWTO”。接下来，阶段一的其他 notebook 会带你用这些工具完成更完整的小项目。
