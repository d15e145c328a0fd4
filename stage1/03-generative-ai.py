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

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-00", "locked": true, "schema_version": 3, "solution": false, "task": false}
# # 阶段一 · 03 生成式 AI 初识：从「文字接龙」到唐诗 bigram 语言模型
#
# 本 notebook 对应考核指南第一阶段的「生成式 AI 认知与使用」：先读一段关于生成式 AI 与大型语言模型（LLM）的导读，写一段书面回答；再用 **只有 numpy** 的几十行代码，在《唐诗三百首》上亲手训练一个最小的语言模型——字级 bigram 模型，并用它「写诗」。
#
# **学习目标**
# - 说清楚生成式 AI、语言模型、token、「文字接龙」（next-token prediction）这几个概念；
# - 说出训练一个大型语言模型的主要步骤：预训练、指令微调、RLHF（对齐），以及评估与推理；
# - 用计数的方法估计条件概率 $P(\text{下一个字} \mid \text{当前字})$，理解 add-k 平滑；
# - 实现带温度（temperature）的采样，理解温度对生成结果的影响；
# - 用困惑度（perplexity）在验证集上评估语言模型，并用它选择超参数。
#
# **评分表**（自动评分 {{points.auto}} 分 + 人工评分 {{points.manual}} 分，共 {{points.total}} 分；本 notebook 不分档）
#
# | 题目 | grade_id | 分值 | 评分方式 |
# | --- | --- | --- | --- |
# | A. 书面题：大型语言模型是怎样训练出来的 | `ex-llm-training` | 6 | 人工 |
# | 练习 1：字表 `build_vocab` | `ex-vocab-test` | 2 | 自动 |
# | 练习 2：bigram 计数 `count_bigrams` | `ex-counts-test` | 2 | 自动 |
# | 练习 3：add-k 平滑 `bigram_probs` | `ex-probs-test` | 2 | 自动 |
# | 练习 4：带温度的采样 `sample_next` | `ex-sample-test` | 2 | 自动 |
# | 练习 4：温度必须大于 0 | `ex-sample-errors-test` | 1 | 自动 |
# | 练习 5：困惑度 `perplexity` | `ex-ppl-test` | 2 | 自动 |
# | 练习 6：在验证集上选择平滑参数 k | `ex-choose-k-test` | 2 | 自动 |
#
# **预计学习时间**：观看李宏毅《生成式 AI 导论 2024》相关章节约 6 小时；阅读与书面题约 1 小时；编程约 2 小时。
#
# **CPU 预算**：无训练（bigram 模型只需计数，全部代码在几秒内运行完毕）。

# %% deletable=false editable=false nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false, "task": false}
import subprocess
import sys

if "google.colab" in sys.modules:  # Colab: install the course package (it never replaces Colab's torch)
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "{{package_url}}"], check=True)

import math

import matplotlib.pyplot as plt
import numpy as np

from west2ai.data import poems

SEED = 0
np.random.seed(SEED)  # the exercises below always use an explicit np.random.Generator
BOUNDARY = "^"        # the single special token: marks both the start and the end of a poem

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-02", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ## A. 导读：生成式 AI 与大型语言模型
#
# > 配套课程：李宏毅《生成式 AI 导论 2024》（台湾大学，课程主页 https://speech.ee.ntu.edu.tw/~hylee/genai/2024-spring.php ，视频在 YouTube 与 B 站均有搬运）。请至少看完「生成式 AI 是什么」和「大型语言模型修炼史」三讲，再回答下面的书面题。
#
# **生成式 AI（Generative AI）** 指让机器产生复杂而有结构的东西：一段文字、一张图片、一段语音。所谓「复杂」，是指可能的输出几乎无穷无尽——同一个问题有无数种写法，机器必须从中「组合」出一个合理的答案，而不是像分类那样从几个选项中挑一个。
#
# **语言模型（language model）** 给文字序列分配概率。把文字切成一个个 **token**（中文里常常是一个字或一个词片段），语言模型要做的事情就是：给定前面的 token $x_1,\dots,x_{t-1}$，预测下一个 token 的概率分布
# $$P(x_t \mid x_1, \dots, x_{t-1}).$$
# 李宏毅老师把它叫作 **「文字接龙」**：模型每次只接一个 token，把接出来的 token 加回输入，再接下一个，直到接出「结束」符号为止。ChatGPT 的回答就是这样一个 token 一个 token 接出来的；因为每一步是按概率**采样**，同一个问题问两次，答案可能不同。
#
# **大型语言模型（LLM）** 就是用 Transformer 这样的大型神经网络来做文字接龙，参数动辄几十亿、上千亿。光会接龙还不够：一个只读过网页的模型会「续写」，却不一定会「回答问题」，也不一定说话得体、安全。因此 LLM 的训练分成好几个阶段，每个阶段的数据来源、训练目标和作用都不同——这正是书面题要你讲清楚的内容。
#
# 本 notebook 的 B 部分会把「文字接龙」做到最简：只看**前一个字**来预测下一个字（bigram 模型）。它和 LLM 预训练的目标完全相同（最大化下一个 token 的概率），只是模型小到可以用计数来「训练」。

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-03", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 书面题：大型语言模型是怎样训练出来的？（6 分，人工评分）
#
# 在下面的单元格中用中文写 300–600 字，依次说明训练并使用一个大型语言模型的主要步骤。每一步都请说清楚：**用什么数据**、**训练目标（或做法）是什么**、**这一步让模型学会了什么 / 为什么需要这一步**。至少包括：
#
# 1. 预训练（pre-training）；
# 2. 指令微调（instruction fine-tuning / SFT）；
# 3. 基于人类反馈的强化学习（RLHF）或其他对齐（alignment）方法；
# 4. 如何评估一个语言模型；
# 5. 训练好以后如何使用它（推理、采样、提示词 prompt）。
#
# 用自己的话写，不要大段复制课程字幕或网上文章；可以用例子说明。

# %% [markdown] nbgrader={"grade": true, "grade_id": "ex-llm-training", "locked": false, "points": 6.0, "schema_version": 3, "solution": true, "task": false}
# **参考答案**
#
# 1. **预训练（自我学习）**：从互联网上收集海量文本（网页、书籍、代码等，规模可达数万亿 token），经过去重、过滤低质量与有害内容后，让模型做「文字接龙」：给定前文，预测下一个 token，用交叉熵损失训练。这一步不需要人工标注（自监督学习），因为文本本身就提供了答案。模型由此学会语法、大量世界知识和一定的推理能力，得到「基座模型」。但基座模型只会续写，你问它问题，它可能接着出更多问题。
# 2. **指令微调（SFT，名师指点）**：收集人工撰写或整理的「指令—回答」对话数据（数量远少于预训练，通常几万到几十万条），以预训练参数为初始化，继续用同样的下一个 token 预测目标训练（一般只对回答部分计算损失）。模型由此学会按对话格式理解指令、给出回答。因为有预训练打底，少量高质量数据就能让它举一反三。
# 3. **RLHF / 对齐（参与实战）**：让模型对同一问题生成多个回答，由人来比较哪个更好；用这些偏好数据训练一个奖励模型（reward model），再用强化学习（如 PPO）调整语言模型，使它的回答获得更高奖励（也可以用 DPO 等方法直接从偏好数据优化）。这一步不要求人写出标准答案，只需判断好坏，让模型更有帮助、更诚实、更无害，符合人类偏好。
# 4. **评估**：用标准评测集（如选择题形式的 MMLU、C-Eval，数学题、代码题）自动打分；用困惑度衡量语言建模能力；对开放式回答请人评分或让更强的模型当裁判；还要做安全测试（红队测试、越狱攻击）。评测要警惕测试题混进训练数据。
# 5. **推理与使用**：使用时参数不再变化。模型逐个 token 地接龙生成回答，每一步从预测的分布中采样（温度、top-k、top-p 控制随机性）。用户通过提示词（prompt）提供任务说明、例子（in-context learning）、让它一步步思考等方式引导模型，也可以接入检索（RAG）和工具。
#
# === BEGIN MARK SCHEME ===
# 满分 6 分，按要点给分（可给 0.5 分），总分不超过 6 分。
#
# - **预训练（2 分）**
#   - 1 分：指出数据是海量、无需人工标注的网络文本（自监督），并说明学到的是语言能力与世界知识（得到只会续写的基座模型）。
#   - 1 分：明确训练目标是预测下一个 token（文字接龙 / next-token prediction，交叉熵）。只写「让模型读很多书」而没有目标的，此项 0 分。
# - **指令微调 SFT（1 分）**：人工标注的「指令—回答」数据，量比预训练小得多；在预训练模型基础上继续训练（目标仍是预测下一个 token）；作用是让模型学会遵循指令、以对话形式回答。缺少数据来源或作用之一给 0.5 分。
# - **RLHF / 对齐（1 分）**：人类对模型回答做比较或打分 → 奖励模型 → 强化学习（PPO）优化；或 DPO 等直接偏好优化。说出目的（有帮助、无害、诚实，符合人类偏好）。只写「用人类反馈让模型更好」而没有机制的给 0.5 分。
# - **评估（1 分）**：至少两种方式，如标准评测集（MMLU、C-Eval 等）、困惑度、人工评测 / 模型当裁判、安全与红队测试。只写一种给 0.5 分。
# - **推理与使用（1 分）**：逐 token 自回归生成并采样（提到温度或 top-k/top-p 之一），以及提示词 / 上下文学习不改变参数。只写其一给 0.5 分。
#
# 扣分：
# - 明显的事实错误每处扣 0.5 分（例如「预训练需要人工逐句标注」「RLHF 需要人写出标准答案」「推理时模型还在更新参数」），最多扣 2 分。
# - 阶段顺序颠倒且未说明原因的扣 0.5 分。
# - 大段照抄字幕或网上文章（与参考资料高度雷同、与本题要求的结构不符）的，整题最多给 2 分。
# === END MARK SCHEME ===

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-05", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ## B. 动手：唐诗上的字级 bigram 语言模型
#
# LLM 把「前面所有 token」都当作条件；我们先做最简单的近似——**只看前一个字**：
# $$P(x_t \mid x_1,\dots,x_{t-1}) \approx P(x_t \mid x_{t-1}).$$
# 这就是 **bigram（二元）模型**。它的「参数」就是一张 $V \times V$ 的表 `P`，`P[i, j]` 是「当前字为第 i 个字时，下一个字是第 j 个字」的概率（$V$ 是字表大小）。训练它不需要梯度下降：统计训练集里每对相邻字出现了几次，再按行归一化，就是最大似然估计。
#
# **约定（所有练习都遵守）**
# - 每首诗的正文（`Poem.text`，各行用 `"\n"` 连接）是一条序列；`"\n"` 和标点都当作普通字符，这样模型也能学会断句、换行。
# - 只用**一个**特殊 token `BOUNDARY = "^"`（setup 单元格中已定义），它在字表中的下标是 0。每首诗在训练和评估时都包成 `"^" + text + "^"`：开头的 `^` 表示「开始」，结尾的 `^` 表示「结束」。因此 `P[0]` 是「一首诗第一个字」的分布，`P[:, 0]` 是「在这个字之后结束」的概率。语料中没有 `^` 这个字符。
# - 字表用**全部**诗（训练集 + 验证集）建立——它只是一张字的清单，不含任何统计信息；计数只用训练集。这样验证集里不会出现字表外的字。
#
# 先加载数据。验证集是确定性的：下标是 10 的倍数的诗（第 0、10、20……首）作验证集，其余作训练集。

# %% deletable=false editable=false nbgrader={"grade": false, "grade_id": "load-data", "locked": true, "schema_version": 3, "solution": false, "task": false}
ps = poems("tang300")
all_texts = [p.text for p in ps]
train_texts = [t for i, t in enumerate(all_texts) if i % 10 != 0]
val_texts = [t for i, t in enumerate(all_texts) if i % 10 == 0]
print(f"{len(ps)} poems: {len(train_texts)} train, {len(val_texts)} validation")
print(ps[0].title, ps[0].author)
print(ps[0].text)


# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-07", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 练习 1：字表（2 分）
#
# 实现 `build_vocab(texts)`，返回 `(itos, stoi)`：
# - `itos`（index → string）：Python `list`，`itos[0]` 是 `BOUNDARY`，后面是 `texts` 中出现过的所有不同字符，按 Python 字符串的默认顺序（`sorted`）从小到大排列，不重复；
# - `stoi`（string → index）：Python `dict`，满足 `stoi[itos[i]] == i`。
#
# 例如 `build_vocab(["春风春", "风雨"])` 返回 `(["^", "春", "雨", "风"], {"^": 0, "春": 1, "雨": 2, "风": 3})`。

# %% nbgrader={"grade": false, "grade_id": "ex-vocab", "locked": false, "schema_version": 3, "solution": true, "task": false}
def build_vocab(texts):
    """Return (itos, stoi): BOUNDARY first, then the sorted unique characters of texts."""
    ### BEGIN SOLUTION
    chars = sorted(set("".join(texts)) - {BOUNDARY})
    itos = [BOUNDARY] + chars
    stoi = {c: i for i, c in enumerate(itos)}
    return itos, stoi
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-vocab-test", "locked": true, "points": 2.0, "schema_version": 3, "solution": false, "task": false}
itos_demo, stoi_demo = build_vocab(["春风春", "风雨"])
assert isinstance(itos_demo, list), f"itos 应是 list，而不是 {type(itos_demo).__name__}"
assert isinstance(stoi_demo, dict), f"stoi 应是 dict，而不是 {type(stoi_demo).__name__}"
assert itos_demo[0] == BOUNDARY, f"itos[0] 应是 BOUNDARY {BOUNDARY!r}，实际为 {itos_demo[0]!r}"
assert itos_demo == ["^", "春", "雨", "风"], f"字表应为 ['^', '春', '雨', '风']（其余字符按 sorted 排序），实际为 {itos_demo}"
assert stoi_demo == {"^": 0, "春": 1, "雨": 2, "风": 3}, f"stoi 与 itos 不对应：{stoi_demo}"
### BEGIN HIDDEN TESTS
import west2ai.data as _wd
_texts = [p.text for p in _wd.poems("tang300")]
_ref_itos = [BOUNDARY] + sorted(set("".join(_texts)))
_itos, _stoi = build_vocab(_texts)
assert type(_itos) is list and type(_stoi) is dict, f"itos 应是 list，stoi 应是 dict，实际为 {type(_itos).__name__}、{type(_stoi).__name__}"
assert all(type(c) is str and len(c) == 1 for c in _itos), "itos 的每一项应是单个字符（str）"
assert _itos == _ref_itos, f"唐诗全集上的字表不正确：你的字表有 {len(_itos)} 项，前 5 项为 {_itos[:5]}"
assert len(_stoi) == len(_itos) and all(_stoi[c] == i for i, c in enumerate(_itos)), "stoi 与 itos 不对应"
assert "\n" in _stoi, "换行符也应在字表中"
_i1, _s1 = build_vocab(["风", "春"])
_i2, _s2 = build_vocab(["春风"])
assert _i1 == _i2 == ["^", "春", "风"], f"字表应与诗的顺序、分组无关（排序后）：你的函数给出 {_i1} 和 {_i2}"
_i3, _s3 = build_vocab([])
assert _i3 == ["^"] and _s3 == {"^": 0}, f"空语料的字表应只含 BOUNDARY：你的函数返回 ({_i3!r}, {_s3!r})"
### END HIDDEN TESTS

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-10", "locked": true, "schema_version": 3, "solution": false, "task": false}
# 用全部诗建立字表。自查：应打印 `V = 2501`（《唐诗三百首》里 2500 个不同的字符，加上 `^`），第二项是换行符 `'\n'`。

# %% deletable=false editable=false nbgrader={"grade": false, "grade_id": "vocab", "locked": true, "schema_version": 3, "solution": false, "task": false}
itos, stoi = build_vocab(all_texts)
V = len(itos)
print("vocabulary size V =", V)
print("first entries:", itos[:12])


# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-12", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 练习 2：bigram 计数（2 分）
#
# 实现 `count_bigrams(texts, stoi)`：返回形状为 `(V, V)` 的**整数** numpy 数组 `N`（`V = len(stoi)`），`N[i, j]` 是所有序列 `"^" + text + "^"` 中「字 i 后面紧跟字 j」出现的次数。
#
# 例：用上面的 `stoi_demo`，`["春风春", "风雨"]` 包成 `^春风春^` 和 `^风雨^`，相邻字对是 (^,春) (春,风) (风,春) (春,^) (^,风) (风,雨) (雨,^)，共 7 对。一条长为 $n$ 的文本贡献 $n+1$ 对。
#
# 提示：可以逐对累加；更快的写法是先把序列转成下标数组 `s`，再用 `np.add.at(N, (s[:-1], s[1:]), 1)`。

# %% nbgrader={"grade": false, "grade_id": "ex-counts", "locked": false, "schema_version": 3, "solution": true, "task": false}
def count_bigrams(texts, stoi):
    """Integer array N of shape (V, V): N[i, j] = times char i is followed by char j."""
    ### BEGIN SOLUTION
    V = len(stoi)
    N = np.zeros((V, V), dtype=np.int64)
    b = stoi[BOUNDARY]
    for text in texts:
        s = np.array([b] + [stoi[c] for c in text] + [b], dtype=np.int64)
        np.add.at(N, (s[:-1], s[1:]), 1)
    return N
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-counts-test", "locked": true, "points": 2.0, "schema_version": 3, "solution": false, "task": false}
_demo_stoi = {"^": 0, "春": 1, "雨": 2, "风": 3}
N_demo = count_bigrams(["春风春", "风雨"], _demo_stoi)
assert isinstance(N_demo, np.ndarray), f"应返回 numpy 数组，而不是 {type(N_demo).__name__}"
assert N_demo.shape == (4, 4), f"形状应为 (V, V) = (4, 4)，实际为 {N_demo.shape}"
assert N_demo.dtype.kind in "iu", f"计数应是整数类型，实际 dtype 为 {N_demo.dtype}"
assert N_demo.sum() == 7, f"两条文本共有 7 个相邻字对（含首尾的 ^），实际总数为 {N_demo.sum()}"
_expected = np.array([[0, 1, 0, 1],
                      [1, 0, 0, 1],
                      [1, 0, 0, 0],
                      [0, 1, 1, 0]])
assert np.array_equal(N_demo, _expected), f"计数不正确，应为\n{_expected}\n实际为\n{N_demo}"
### BEGIN HIDDEN TESTS
import west2ai.data as _wd
_texts = [p.text for p in _wd.poems("tang300")]
_tr = [t for i, t in enumerate(_texts) if i % 10 != 0]
_ref_stoi = {c: i for i, c in enumerate([BOUNDARY] + sorted(set("".join(_texts))))}
_V = len(_ref_stoi)
_ref_N = np.zeros((_V, _V), dtype=np.int64)
for _t in _tr:
    _s = [0] + [_ref_stoi[c] for c in _t] + [0]
    for _a, _b in zip(_s[:-1], _s[1:]):
        _ref_N[_a, _b] += 1
_N = count_bigrams(_tr, _ref_stoi)
assert type(_N) is np.ndarray and _N.dtype.kind in "iu" and _N.shape == (_V, _V), f"返回值应是 (V, V) 的整数 numpy 数组：实际为 {type(_N).__name__}，形状 {getattr(_N, 'shape', None)}，dtype {getattr(_N, 'dtype', None)}"
assert int(_N.sum()) == sum(len(t) + 1 for t in _tr), f"总计数应等于相邻字对的总数 sum(len(text) + 1)：你的总计数为 {int(_N.sum())}"
assert int(_N[0].sum()) == len(_tr) and int(_N[:, 0].sum()) == len(_tr), f"每首诗恰好开始一次、结束一次：第 0 行之和 {int(_N[0].sum())}，第 0 列之和 {int(_N[:, 0].sum())}，训练集共 {len(_tr)} 首"
assert np.array_equal(_N, _ref_N), f"唐诗训练集上的计数与参考答案不一致：有 {int((_N != _ref_N).sum())} 个格子不同"
_N0 = count_bigrams([], _ref_stoi)
assert _N0.shape == (_V, _V) and int(np.abs(_N0).sum()) == 0, f"空语料的计数应是全 0 的 (V, V) 数组：你的数组形状 {_N0.shape}，总和 {int(np.abs(_N0).sum())}"
_Nd = count_bigrams(["春春春"], _demo_stoi)
assert np.array_equal(_Nd, [[0, 1, 0, 0], [1, 2, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]]), f"重复的字对要累加计数：['春春春'] 的计数你得到\n{_Nd}"
### END HIDDEN TESTS

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-15", "locked": true, "schema_version": 3, "solution": false, "task": false}
# 在训练集上计数，看看唐诗里最常见的相邻字对。自查：训练集共 281 首诗，相邻字对总数应为 21994（每首诗贡献“字数 + 1”对）。

# %% deletable=false editable=false nbgrader={"grade": false, "grade_id": "counts", "locked": true, "schema_version": 3, "solution": false, "task": false}
N_train = count_bigrams(train_texts, stoi)
print("total bigrams in train:", N_train.sum())
top = np.argsort(N_train, axis=None)[::-1][:10]
for flat in top:
    i, j = divmod(int(flat), V)
    print(repr(itos[i] + itos[j]), N_train[i, j])


# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "think-01", "locked": true, "schema_version": 3, "solution": false, "task": false}
# **想一想**：
# 1. 训练集只有约 2.2 万个相邻字对，而 $V \times V$ 的表有 $2501^2 \approx 625$ 万格。大多数格子的计数是多少？直接用「计数 ÷ 行和」当概率会有什么问题？
# 2. 上面 `'。^'` 出现了 277 次，和训练集的诗数 281 很接近。这说明了什么？
#
# <details><summary>提示</summary>
#
# 1. 绝大多数格子是 0。最大似然估计会给所有没见过的字对概率 0，验证集里只要出现一个这样的字对，整首诗的概率就是 0——这正是下一个练习要用平滑解决的问题。
# 2. 几乎每首诗都以句号结尾（只有少数以问号、感叹号等结尾），所以模型会学到「句号之后很可能结束」。
#
# </details>

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-17", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 练习 3：add-k 平滑（2 分）
#
# 把计数变成条件概率：最大似然估计是 $P[i,j] = N[i,j] / \sum_{j'} N[i,j']$。但训练集里没出现过的字对概率就成了 0——验证集里只要出现一次，整首诗的概率就是 0。**add-k 平滑**给每个计数加上一个小的正数 $k$：
# $$P[i,j] = \frac{N[i,j] + k}{\sum_{j'} \left(N[i,j'] + k\right)}.$$
#
# 实现 `bigram_probs(counts, k=1.0)`：返回与 `counts` 同形状的 `float64` numpy 数组，每行之和为 1；**不要修改**传入的 `counts`。（`k = 0` 时就是最大似然估计；本题只会在每一行都有计数时用 `k = 0`。）

# %% nbgrader={"grade": false, "grade_id": "ex-probs", "locked": false, "schema_version": 3, "solution": true, "task": false}
def bigram_probs(counts, k=1.0):
    """Row-normalised add-k smoothed probabilities, float64 array of counts' shape."""
    ### BEGIN SOLUTION
    smoothed = np.asarray(counts, dtype=np.float64) + k
    return smoothed / smoothed.sum(axis=1, keepdims=True)
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-probs-test", "locked": true, "points": 2.0, "schema_version": 3, "solution": false, "task": false}
_counts = np.array([[0, 1, 0, 1],
                    [1, 0, 0, 1],
                    [1, 0, 0, 0],
                    [0, 1, 1, 0]])
P1 = bigram_probs(_counts, k=1.0)
assert isinstance(P1, np.ndarray), f"应返回 numpy 数组，而不是 {type(P1).__name__}"
assert P1.shape == (4, 4), f"形状应为 (4, 4)，实际为 {P1.shape}"
assert np.allclose(P1.sum(axis=1), 1.0), f"每行之和应为 1，实际为 {P1.sum(axis=1)}"
assert np.allclose(P1[0], [1/6, 2/6, 1/6, 2/6]), f"k=1 时第 0 行应为 [1/6, 2/6, 1/6, 2/6]，实际为 {P1[0]}"
assert np.allclose(P1[2], [2/5, 1/5, 1/5, 1/5]), f"k=1 时第 2 行应为 [2/5, 1/5, 1/5, 1/5]，实际为 {P1[2]}"
P0 = bigram_probs(_counts, k=0.0)
assert np.allclose(P0[3], [0, 0.5, 0.5, 0]), f"k=0 时应为最大似然估计，第 3 行应为 [0, 0.5, 0.5, 0]，实际为 {P0[3]}"
assert np.allclose(P0.sum(axis=1), 1.0), f"k=0 时每行之和也应为 1，实际为 {P0.sum(axis=1)}"
### BEGIN HIDDEN TESTS
_g = np.random.default_rng(7)
_C = _g.integers(0, 20, size=(30, 30))
_C_copy = _C.copy()
for _k in (0.01, 0.5, 3.0):
    _P = bigram_probs(_C, k=_k)
    _ref = (_C + _k) / (_C + _k).sum(axis=1, keepdims=True)
    assert type(_P) is np.ndarray and _P.dtype == np.float64, f"应返回 float64 的 numpy 数组：实际为 {type(_P).__name__}，dtype {getattr(_P, 'dtype', None)}"
    assert _P.shape == _C.shape, f"形状应与 counts 相同：counts {_C.shape}，你返回 {_P.shape}"
    assert np.allclose(_P, _ref, rtol=1e-10, atol=0), f"k={_k} 时概率与参考答案不一致"
assert np.array_equal(_C, _C_copy), "不要修改传入的 counts"
assert np.allclose(bigram_probs(_C), (_C + 1.0) / (_C + 1.0).sum(axis=1, keepdims=True)), "k 的默认值应为 1.0"
_Z = bigram_probs(np.zeros((5, 5), dtype=np.int64), k=0.2)
assert np.allclose(_Z, 0.2), f"全零计数加平滑后应是均匀分布：你的第一行为 {_Z[0]}"
### END HIDDEN TESTS


# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-20", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 练习 4：带温度的采样（2 + 1 分）
#
# 生成文字时，每一步从分布 $p$（`P` 的一行）中**采样**下一个字。**温度** $T > 0$ 用来调节随机性：
# $$q_i = \frac{p_i^{1/T}}{\sum_j p_j^{1/T}} = \operatorname{softmax}\!\left(\frac{\log p}{T}\right)_i .$$
# - $T = 1$：按原分布采样；
# - $T < 1$：分布更「尖」，更保守；$T \to 0$ 时总是选概率最大的字（贪心，greedy / argmax）；
# - $T > 1$：分布更「平」，更随机、更有「创意」，也更容易胡言乱语。
#
# 实现 `sample_next(p, temperature, rng)`：
# - `p`：一维概率数组（非负，和为 1）；`rng`：一个 `np.random.Generator`。**所有随机性都必须来自这个 `rng`**（例如 `rng.choice(len(q), p=q)`），不要用 `np.random.choice` 或 `random` 模块——这样给定种子，结果可以复现；
# - 返回采样到的下标，类型为 Python `int`（用 `int(...)` 转换）；
# - `temperature <= 0` 时抛出 `ValueError`，并附上说明原因的信息；
# - 温度很小（比如 `1e-4`）时也要正确工作：$p_i^{1/T}$ 会下溢成 0，请在对数空间计算 $\log p / T$，像数值稳定的 softmax 一样先减去最大值；
# - 不要修改传入的 `p`。

# %% nbgrader={"grade": false, "grade_id": "ex-sample", "locked": false, "schema_version": 3, "solution": true, "task": false}
def sample_next(p, temperature, rng):
    """Sample an index from p sharpened/flattened by temperature; randomness only from rng."""
    ### BEGIN SOLUTION
    if not temperature > 0:
        raise ValueError(f"temperature 必须大于 0，收到 {temperature!r}")
    p = np.asarray(p, dtype=np.float64)
    with np.errstate(divide="ignore"):
        logits = np.log(p) / temperature
    logits = logits - logits.max()
    q = np.exp(logits)
    q = q / q.sum()
    return int(rng.choice(len(q), p=q))
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-sample-test", "locked": true, "points": 2.0, "schema_version": 3, "solution": false, "task": false}
_p = np.array([0.1, 0.2, 0.6, 0.1])
_x = sample_next(_p, 1.0, np.random.default_rng(0))
assert isinstance(_x, int), f"应返回 Python int（用 int(...) 转换），而不是 {type(_x).__name__}"
assert 0 <= _x < 4, f"下标应在 [0, 4) 内，实际为 {_x}"
_g = np.random.default_rng(0)
_draws = np.array([sample_next(_p, 1.0, _g) for _ in range(20000)])
_freq = np.bincount(_draws, minlength=4) / len(_draws)
assert np.allclose(_freq, _p, atol=0.02), f"T=1 时采样频率应接近 p={_p}，实际为 {np.round(_freq, 3)}"
_greedy = [sample_next(_p, 0.01, _g) for _ in range(200)]
assert all(x == 2 for x in _greedy), f"温度 0.01 时应几乎总是选概率最大的下标 2：200 次采样中你采到的下标有 {sorted(set(_greedy))}"
_g1, _g2 = np.random.default_rng(123), np.random.default_rng(123)
assert [sample_next(_p, 1.0, _g1) for _ in range(50)] == [sample_next(_p, 1.0, _g2) for _ in range(50)], \
    "用相同种子的 rng 应得到相同的采样序列：随机性必须全部来自传入的 rng"
### BEGIN HIDDEN TESTS
_g = np.random.default_rng(1)
_q = np.array([0.25, 0.3, 0.2, 0.25])
_q_copy = _q.copy()
assert all(sample_next(_q, 1e-4, _g) == 1 for _ in range(100)), "T=1e-4 时应总是选 argmax（p 的 1/T 次方会下溢成 0：请在对数空间计算并先减去最大值）"
assert np.array_equal(_q, _q_copy), "不要修改传入的 p"
for _T in (0.5, 2.0):
    _target = _p ** (1 / _T)
    _target = _target / _target.sum()
    _draws = np.array([sample_next(_p, _T, _g) for _ in range(20000)])
    _freq = np.bincount(_draws, minlength=4) / len(_draws)
    assert np.allclose(_freq, _target, atol=0.02), f"T={_T} 时采样分布应正比于 p^(1/T)"
_h = np.random.default_rng(6)
np.random.seed(1)
_s1 = [sample_next(_p, 1.0, _h) for _ in range(40)]
_h = np.random.default_rng(6)
np.random.seed(2)
_s2 = [sample_next(_p, 1.0, _h) for _ in range(40)]
assert _s1 == _s2, "结果不应受全局 np.random 种子影响"
_h7, _h8 = np.random.default_rng(7), np.random.default_rng(8)
assert [sample_next(_p, 1.0, _h7) for _ in range(60)] != [sample_next(_p, 1.0, _h8) for _ in range(60)], \
    "不同种子应给出不同的采样序列"
_big = np.random.default_rng(3).dirichlet(np.ones(2501))
_xs = [sample_next(_big, 1.0, _g) for _ in range(50)]
assert all(type(x) is int and 0 <= x < 2501 for x in _xs), "大字表上应返回合法的 int 下标"
_pz = np.array([0.0, 0.5, 0.5, 0.0])
with np.errstate(divide="ignore", invalid="ignore"):  # log(0) warnings are not the point here
    _zs = [sample_next(_pz, 1.0, _g) for _ in range(200)]
assert all(x in (1, 2) for x in _zs), "概率为 0 的下标不应被采到"
### END HIDDEN TESTS

# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-sample-errors-test", "locked": true, "points": 1.0, "schema_version": 3, "solution": false, "task": false}
_raised = False
try:
    sample_next(np.array([0.5, 0.5]), 0.0, np.random.default_rng(0))
except ValueError as e:
    _raised = True
    _msg = str(e)
assert _raised, "temperature=0 时应抛出 ValueError"
### BEGIN HIDDEN TESTS
assert _msg.strip(), "ValueError 应附上说明原因的信息"
_raised = False
try:
    sample_next(np.array([0.5, 0.5]), -1.0, np.random.default_rng(0))
except ValueError:
    _raised = True
assert _raised, "temperature<0 时应抛出 ValueError"
_x = sample_next(np.array([0.2, 0.8]), 1.0, np.random.default_rng(0))
assert type(_x) is int and _x in (0, 1), "temperature>0 时应正常返回 int 下标"
_x = sample_next(np.array([0.2, 0.8]), 5.0, np.random.default_rng(0))
assert type(_x) is int and _x in (0, 1), "temperature>1 时也应正常返回"
### END HIDDEN TESTS


# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-24", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 练习 5：困惑度 perplexity（2 分）
#
# 怎样评价一个语言模型？看它给**没见过的**文本分配多高的概率。把所有文本包成 `"^" + text + "^"` 后，设全部相邻字对共有 $M$ 个，第 $m$ 对是 $(a_m, b_m)$，则
# $$\text{perplexity} = \exp\!\left(-\frac{1}{M}\sum_{m=1}^{M} \log P[a_m, b_m]\right).$$
# 括号里是平均交叉熵（正是 LLM 预训练最小化的损失）。困惑度可以理解为「模型每一步平均在多少个字之间犹豫」：完全不懂的均匀模型（每个字概率都是 $1/V$）的困惑度恰好是 $V$；越小越好。
#
# 实现 `perplexity(texts, probs, stoi)`，返回 Python `float`。注意：是对**所有文本的所有字对**一起取平均，不是先算每首诗的困惑度再平均。

# %% nbgrader={"grade": false, "grade_id": "ex-ppl", "locked": false, "schema_version": 3, "solution": true, "task": false}
def perplexity(texts, probs, stoi):
    """exp of the mean negative log-probability over all bigrams of the wrapped texts."""
    ### BEGIN SOLUTION
    b = stoi[BOUNDARY]
    total, count = 0.0, 0
    for text in texts:
        s = np.array([b] + [stoi[c] for c in text] + [b], dtype=np.int64)
        total += float(np.log(probs[s[:-1], s[1:]]).sum())
        count += len(s) - 1
    return float(math.exp(-total / count))
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-ppl-test", "locked": true, "points": 2.0, "schema_version": 3, "solution": false, "task": false}
_demo_stoi = {"^": 0, "春": 1, "雨": 2, "风": 3}
_P_demo = np.array([[1, 2, 1, 2],
                    [2, 1, 1, 2],
                    [2, 1, 1, 1],
                    [1, 2, 2, 1]]) / np.array([[6], [6], [5], [6]])
_pp = perplexity(["春风春", "风雨"], _P_demo, _demo_stoi)
assert type(_pp) is float, f"应返回 Python float（用 float(...) 转换），而不是 {type(_pp).__name__}"
# 7 bigrams: six have probability 2/6 and (雨,^) has 2/5
_expected = math.exp(-(6 * math.log(2 / 6) + math.log(2 / 5)) / 7)
assert math.isclose(_pp, _expected, rel_tol=1e-9), f"困惑度应为 {_expected:.6f}，实际为 {_pp:.6f}"
_uniform = np.full((4, 4), 0.25)
_pu = perplexity(["春风春", "风雨", "雨"], _uniform, _demo_stoi)
assert math.isclose(_pu, 4.0, rel_tol=1e-9), f"均匀模型的困惑度应等于字表大小 4，实际为 {_pu}"
### BEGIN HIDDEN TESTS
import west2ai.data as _wd
_texts = [p.text for p in _wd.poems("tang300")]
_va = [t for i, t in enumerate(_texts) if i % 10 == 0]
_ref_stoi = {c: i for i, c in enumerate([BOUNDARY] + sorted(set("".join(_texts))))}
_V = len(_ref_stoi)
_pu = perplexity(_va, np.full((_V, _V), 1.0 / _V), _ref_stoi)
assert type(_pu) is float, f"应返回 Python float，实际为 {type(_pu).__name__}"
assert math.isclose(_pu, _V, rel_tol=1e-9), f"唐诗验证集上均匀模型的困惑度应等于字表大小 V，你的函数返回 {_pu}"
_g = np.random.default_rng(11)
_R = _g.dirichlet(np.ones(4), size=4)
_tx = ["春风雨", "风", "", "雨雨春风"]
_lp = 0.0
_m = 0
for _t in _tx:
    _s = [0] + [_demo_stoi[c] for c in _t] + [0]
    for _a, _b in zip(_s[:-1], _s[1:]):
        _lp += math.log(_R[_a, _b])
        _m += 1
_pr = perplexity(_tx, _R, _demo_stoi)
assert math.isclose(_pr, math.exp(-_lp / _m), rel_tol=1e-9), f"另一组文本（含空文本）上的困惑度不对：你的函数返回 {_pr}（应对所有字对一起平均，空文本也贡献一对 (^,^)）"
_per_text = float(np.mean([perplexity([t], _R, _demo_stoi) for t in _tx]))
assert not math.isclose(_pr, _per_text, rel_tol=1e-6), "不应先算每首诗的困惑度再平均"
### END HIDDEN TESTS

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "think-02", "locked": true, "schema_version": 3, "solution": false, "task": false}
# **想一想**：
# 1. 如果不平滑（$k = 0$），训练集上算出的模型在验证集上的困惑度是多少？为什么？
# 2. 一个语言模型在某个数据集上的困惑度可能小于 1 吗？什么情况下恰好等于 1？
#
# <details><summary>提示</summary>
#
# 1. 算不出有限的数。验证集里有训练集没出现过的字对，它的概率是 0，$-\log 0 = +\infty$，困惑度是无穷大；更糟的是，有 136 个字只在验证集里出现，它们在训练集计数中整行都是 0，$0/0$ 得到 `nan`，于是 `perplexity` 直接返回 `nan`。平滑让每个概率都大于 0，两个问题一起解决。
# 2. 不可能：每个概率都不超过 1，所以 $-\log P \ge 0$，困惑度 $\ge 1$。只有模型对每一步的下一个字都给出概率 1（而且都猜对了）时才等于 1。作为对照：均匀模型是 $V = 2501$，下一个练习里最好的 $k$ 能把验证集困惑度降到几百。
#
# </details>

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-27", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 练习 6：用验证集选择平滑参数 k（2 分）
#
# $k$ 太小，模型几乎只会背训练集，没见过的字对概率极低；$k$ 太大，分布又被「抹平」，接近均匀模型。$k$ 是一个**超参数**：不能用训练集选（训练集上永远是 $k$ 越小越好），要用验证集选。
#
# 在下面的单元格中：对 `k_grid` 中的每个 $k$，用训练集计数 `N_train` 得到概率表，计算它在 `val_texts` 上的困惑度，按顺序存入列表 `val_ppls`；再把验证集困惑度最低的那个 $k$ 赋给 `best_k`。之后的单元格会用 `best_k` 建立最终模型 `P_best`。
#
# 评分时，测试会自己加载唐诗、自己划分数据、用参考实现算出网格上的最优困惑度，再用参考实现评估你的 `P_best`：它在验证集上的困惑度要落在参考最优值的 $[0.99, 1.01]$ 倍之内（只能用训练集计数——把验证集也拿来计数会被发现）。

# %% nbgrader={"grade": false, "grade_id": "ex-choose-k", "locked": false, "schema_version": 3, "solution": true, "task": false}
k_grid = [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0]
### BEGIN SOLUTION
val_ppls = [perplexity(val_texts, bigram_probs(N_train, k), stoi) for k in k_grid]
best_k = k_grid[int(np.argmin(val_ppls))]
### END SOLUTION

# %% deletable=false editable=false nbgrader={"grade": false, "grade_id": "final-model", "locked": true, "schema_version": 3, "solution": false, "task": false}
P_best = bigram_probs(N_train, best_k)
for k, v in zip(k_grid, val_ppls):
    print(f"k = {k:<6}  validation perplexity = {v:8.2f}")
print(f"best k = {best_k}; uniform model perplexity = V = {V}")

# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-choose-k-test", "locked": true, "points": 2.0, "schema_version": 3, "solution": false, "task": false}
assert len(val_ppls) == len(k_grid), f"val_ppls 应有 {len(k_grid)} 个值（每个 k 一个），实际有 {len(val_ppls)} 个"
assert best_k in k_grid, f"best_k 应取自 k_grid，实际为 {best_k}"
assert best_k == k_grid[int(np.argmin(val_ppls))], \
    f"best_k 应是验证集困惑度最低的那个 k：你的 val_ppls 最低处是 k={k_grid[int(np.argmin(val_ppls))]}，而 best_k={best_k}"
assert isinstance(P_best, np.ndarray) and P_best.shape == (V, V), f"P_best 应是 (V, V) 的概率表：实际为 {type(P_best).__name__}，形状 {getattr(P_best, 'shape', None)}"
assert min(val_ppls) < V, f"平滑后的 bigram 模型在验证集上应优于均匀模型（困惑度小于 V={V}）：你的 val_ppls 最低为 {min(val_ppls):.1f}"
### BEGIN HIDDEN TESTS
import west2ai.data as _wd
_texts = [p.text for p in _wd.poems("tang300")]
_tr = [t for i, t in enumerate(_texts) if i % 10 != 0]
_va = [t for i, t in enumerate(_texts) if i % 10 == 0]
_ref_itos = [BOUNDARY] + sorted(set("".join(_texts)))
_ref_stoi = {c: i for i, c in enumerate(_ref_itos)}
_V = len(_ref_itos)
_ref_N = np.zeros((_V, _V), dtype=np.float64)
for _t in _tr:
    _s = [0] + [_ref_stoi[c] for c in _t] + [0]
    for _a, _b in zip(_s[:-1], _s[1:]):
        _ref_N[_a, _b] += 1


def _ref_ppl(texts, probs):
    lp, m = 0.0, 0
    for t in texts:
        s = np.array([0] + [_ref_stoi[c] for c in t] + [0])
        lp += float(np.log(probs[s[:-1], s[1:]]).sum())
        m += len(s) - 1
    return math.exp(-lp / m)


_grid = [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0]
_ref_ppls = [_ref_ppl(_va, (_ref_N + k) / (_ref_N + k).sum(axis=1, keepdims=True)) for k in _grid]
_best = min(_ref_ppls)
assert type(P_best) is np.ndarray and P_best.shape == (_V, _V), f"P_best 应是 ({_V}, {_V}) 的 numpy 数组"
assert np.all(np.isfinite(P_best)) and np.all(P_best > 0), "平滑后的概率应全部为正"
assert np.allclose(P_best.sum(axis=1), 1.0), "P_best 每行之和应为 1"
_student = _ref_ppl(_va, P_best)
assert 0.99 * _best <= _student <= 1.01 * _best, \
    f"P_best 在验证集上的困惑度为 {_student:.1f}，没有落在网格上最优 k 的困惑度的 [0.99, 1.01] 倍之内"\
    "（是否只用训练集计数？是否选了验证集困惑度最低的 k？）"
assert list(k_grid) == _grid, "不要修改 k_grid"
assert np.allclose([float(v) for v in val_ppls], _ref_ppls, rtol=1e-6), f"val_ppls 与参考实现算出的困惑度不一致：你的 val_ppls 为 {[round(float(v), 1) for v in val_ppls]}"
### END HIDDEN TESTS

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-31", "locked": true, "schema_version": 3, "solution": false, "task": false}
# 把训练集和验证集上的困惑度画在一起（横轴取对数）。训练集困惑度随 $k$ 减小一路下降，验证集却先降后升——这就是**过拟合**：小 $k$ 的模型把训练集背得太死。

# %%
train_ppls = [perplexity(train_texts, bigram_probs(N_train, k), stoi) for k in k_grid]
fig, ax = plt.subplots(figsize=(6, 4))
ax.plot(k_grid, train_ppls, "o-", label="train")
ax.plot(k_grid, val_ppls, "s-", label="validation")
ax.axvline(best_k, color="gray", linestyle="--", label=f"best k = {best_k}")
ax.set_xscale("log")
ax.set_yscale("log")
ax.set_xlabel("add-k smoothing k (log scale)")
ax.set_ylabel("perplexity (log scale)")
ax.set_title("Character bigram model on Tang poems: perplexity vs k")
ax.legend()
plt.show()


# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-33", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ## 用 bigram 模型「写诗」（不计分）
#
# 从 `^` 出发，用你的 `sample_next` 一个字一个字地接龙，接到 `^`（结束）或达到长度上限为止。试试不同的温度：温度低时容易陷入重复，温度高时像乱码。
#
# `P_best` 是按验证集困惑度选出来的：为了不给没见过的字对零概率，平滑把不少概率分给了生僻字，采样时就会冒出一串生僻字。生成时常用平滑更弱的模型（例如 $k = 0.001$），下面两个都试一试——「评估最好」和「生成最好看」并不是一回事。bigram 只记得前一个字，所以一句之内还算通顺，整首诗却没有意义——要记住更长的上下文，就需要第四阶段的 RNN 和 Transformer。你也可以改改 `gen_rng` 的种子、`max_len` 和温度。

# %%
def generate(probs, itos, temperature, rng, max_len=48):
    """Sample one poem character by character, starting after BOUNDARY (index 0)."""
    out, i = [], 0
    for _ in range(max_len):  # bounded: never loops forever
        i = sample_next(probs[i], temperature, rng)
        if i == 0:
            break
        out.append(itos[i])
    return "".join(out)


P_sharp = bigram_probs(N_train, 0.001)  # weaker smoothing: fewer rare characters when sampling
gen_rng = np.random.default_rng(2024)
for name, probs in (("P_best", P_best), ("k = 0.001", P_sharp)):
    for T in (0.5, 1.0):
        print(f"--- model {name}, temperature = {T}")
        for _ in range(2):
            print(generate(probs, itos, T, gen_rng))
            print()

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "think-03", "locked": true, "schema_version": 3, "solution": false, "task": false}
# **想一想**：
# 1. 温度 $T \to \infty$ 时，`sample_next` 的采样分布趋向什么？为什么这时生成的「诗」像乱码？
# 2. 温度很低（接近贪心）时，bigram 模型为什么容易陷入循环，反复生成同一串字？
#
# <details><summary>提示</summary>
#
# 1. 对每个 $p_i > 0$，$p_i^{1/T} \to 1$，所以分布趋向「所有概率不为 0 的字等可能」；平滑后每个字的概率都大于 0，于是趋向整个字表上的均匀分布，困惑度接近 $V$。
# 2. 贪心时下一个字只由当前字决定；只要某个字第二次出现，后面的字就会和第一次完全一样，形成一个循环。LLM 看的是很长的上下文，但低温时同样会出现重复，所以实际使用时常配合 top-p 采样或重复惩罚。
#
# </details>

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-35", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ## 小结
#
# - 语言模型就是「文字接龙」：估计下一个 token 的条件概率，再一步步采样生成；
# - bigram 模型用计数训练，add-k 平滑让没见过的字对也有概率，平滑强度这个超参数要在验证集上选；
# - 困惑度 = exp(平均交叉熵)，它也是 LLM 预训练时盯着看的指标；
# - 温度控制生成的随机性，$T \to 0$ 是贪心解码。
#
# LLM 与这里的 bigram 相比，区别在于：上下文从 1 个字变成成千上万个 token，概率表换成了 Transformer 神经网络，计数换成了梯度下降；此外还有指令微调和 RLHF。第二阶段学习梯度下降与反向传播，第四阶段你会亲手训练一个小型 Transformer 语言模型。
