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
# # 阶段二 · 03 用 pandas 分析教务处通知
#
# 考核指南的作业 3：对作业 1 爬取的福大教务处通知做数据分析，回答三个问题——
#
# 1. "通知人"都有哪些，各占多少比例？
# 2. 附件下载次数与通知人之间有没有关系？是什么样的关系？
# 3. 每天发布的通知数量是怎样分布的？哪些时间段通知特别密集？
#
# 最后再提出并回答**一个你自己的问题**。
#
# **学习目标**
#
# - 会用 `pandas` 读取 CSV、查看与清理数据（`read_csv`、`info`、`value_counts`）；
# - 会用 `groupby` + 聚合、`merge` 连接两张表，会用相关比 η² 衡量"类别变量与数值变量"的关系；
# - 会处理时间序列：`to_datetime`、按天计数、`resample`、滑动平均；
# - 会画一张合格的图：标题、坐标轴标签、图例。
#
# **评分（自动批改 {{points.auto}} 分 + 人工批改 {{points.manual}} 分，共 {{points.total}} 分）**
#
# | 单元格 | 内容 | 分值 |
# |---|---|---|
# | `ex-shares-test` | 练习 1：通知人占比 `publisher_shares` | 2 |
# | `ex-downloads-test` | 练习 2：各通知人的附件下载统计 `downloads_by_publisher` | 3 |
# | `ex-eta-test` | 练习 3：相关比 η² `correlation_ratio` | 2 |
# | `ex-daily-test` | 练习 4：每日通知数 `notices_per_day` | 2 |
# | `ex-dense-test` | 练习 5：密集时段 `busiest_weeks`、`month_profile` | 2 |
# | `ex-plot-test` | 练习 6：每日通知数的图 `plot_daily` | 2 |
# | `own-question` | 练习 7：你自己的问题（人工批改） | 4 |
#
# 自动批改的测试不依赖你爬到的数据：隐藏测试会用网站的真实数据（以及另一个随机种子生成的数据）重新调用你的函数，
# 并与它自己算出的结果比较。
#
# **预计学习时间**：3–4 小时。**训练预算**：无训练；整本 notebook 运行只需几秒。

# %% deletable=false editable=false nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false, "task": false}
import subprocess
import sys

if "google.colab" in sys.modules:  # Colab: install the course package (it never replaces Colab's torch)
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "{{package_url}}"], check=True)

import os

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import display

import west2ai.grading
from west2ai.sites.notice import ATTACHMENT_CSV_COLUMNS, NOTICE_CSV_COLUMNS, PUBLISHER_EN, crawl_tables

np.random.seed(0)
pd.set_option("display.width", 120)


# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-02", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ## 1. 读入数据
#
# 数据来自 01 号 notebook 保存在旁边的 `notices.csv`（每条通知一行：日期、通知人、标题、链接）和 `attachments.csv`
# （每个附件一行：所属通知的链接、附件名、下载次数、下载链接）。
#
# **如果这两个文件不存在**（例如你还没有完成 01，或者在 Colab 上单独打开了这个 notebook），下面的单元格会调用课程提供的
# `crawl_tables(seed=2024, limit=500)`，直接从本地网站的真实数据生成与"完美完成 01"**等价**的两张表（最新的 500 条通知
# 及其附件），所以这个 notebook 可以独立运行。

# %% deletable=false editable=false nbgrader={"grade": false, "grade_id": "load-data", "locked": true, "schema_version": 3, "solution": false, "task": false}
def load_crawl(folder="."):
    """The two tables from notebook 01's CSV files, or the equivalent tables from the site's truth."""
    paths = [os.path.join(folder, "notices.csv"), os.path.join(folder, "attachments.csv")]
    if all(os.path.exists(p) for p in paths):
        notices, attachments = (pd.read_csv(p) for p in paths)
        if set(NOTICE_CSV_COLUMNS) <= set(notices.columns) and set(ATTACHMENT_CSV_COLUMNS) <= set(attachments.columns) \
                and len(notices) > 0 and len(attachments) > 0:
            print(f"读取 01 号 notebook 的结果：{len(notices)} 条通知，{len(attachments)} 个附件")
            return notices, attachments
        print("CSV 的列不完整或为空，改用网站真实数据生成的等价表格")
    else:
        print("没有找到 notices.csv / attachments.csv，改用网站真实数据生成的等价表格")
    return crawl_tables(seed=2024, limit=500)


notices, attachments = load_crawl()
notices.head()

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-04", "locked": true, "schema_version": 3, "solution": false, "task": false}
# 拿到数据先看一眼：有多少行、每列是什么类型、有没有缺失值。`date` 读进来是字符串，后面做时间分析时再转换成日期。

# %%
notices.info()
print()
print(attachments.describe())


# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-06", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ## 2. 通知人与占比
#
# `Series.value_counts()` 统计每个取值出现的次数，加上 `normalize=True` 就变成占比。
#
# ### 练习 1：通知人占比（2 分）
#
# 实现 `publisher_shares(notices)`：返回一个 `pd.Series`，索引是通知人，值是该通知人发布的通知占全部通知的比例（浮点数，
# 总和为 1），按占比**从大到小**排列。

# %% nbgrader={"grade": false, "grade_id": "ex-shares", "locked": false, "schema_version": 3, "solution": true, "task": false}
def publisher_shares(notices):
    """Share of notices per publisher, largest first (a Series that sums to 1)."""
    ### BEGIN SOLUTION
    return notices["publisher"].value_counts(normalize=True).sort_values(ascending=False)
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-shares-test", "locked": true, "points": 2.0, "schema_version": 3, "solution": false, "task": false}
shares = publisher_shares(notices)
assert isinstance(shares, pd.Series), f"应返回 pd.Series，实际为 {type(shares).__name__}"
assert abs(shares.sum() - 1) < 1e-9, f"占比之和应为 1，实际为 {shares.sum():.4f}"
assert shares.is_monotonic_decreasing, "应按占比从大到小排列"
assert set(shares.index) == set(notices["publisher"]), "索引应是全部通知人"
### BEGIN HIDDEN TESTS
for _seed, _n in ((2024, 847), (9, 300)):
    _nt, _ = crawl_tables(seed=_seed, n_notices=_n)
    _got = publisher_shares(_nt.copy())
    _exp = _nt["publisher"].value_counts() / len(_nt)
    assert type(_got) is pd.Series and _got.dtype.kind == "f", \
        f"另一份数据（{_n} 条通知）上应返回浮点数的 pd.Series，你返回了 {type(_got).__name__}（dtype {getattr(_got, 'dtype', '?')}）"
    assert _got.is_monotonic_decreasing, f"另一份数据（{_n} 条通知）上没有按占比从大到小排列：{_got.round(3).to_dict()}"
    assert sorted(_got.index) == sorted(_exp.index), f"另一份数据（{_n} 条通知）上索引应是全部通知人，你的索引是 {sorted(_got.index)}"
    assert np.allclose(_got.sort_index().to_numpy(), _exp.sort_index().to_numpy()), \
        f"另一份数据（{_n} 条通知）上占比不对，你得到 {_got.round(3).to_dict()}：是否除以了通知总数？"
### END HIDDEN TESTS
assert (shares > 0).all(), f"占比应都大于 0（只列出出现过的通知人），你的结果里有 {int((shares <= 0).sum())} 个不大于 0"

# %%
shares = publisher_shares(notices)
print((shares * 100).round(1).astype(str) + "%")


# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-10", "locked": true, "schema_version": 3, "solution": false, "task": false}
# 考试中心和计划科发的通知最多：考试安排、选课这类事务每学期都要发好几轮；教材中心、综合科的通知就少得多。
#
# ## 3. 附件下载次数与通知人有关系吗？
#
# 附件表里只有 `notice_url`，没有通知人，要先用 `merge` 把两张表连起来（类似 SQL 的 JOIN）：
#
# ```python
# merged = attachments.merge(notices[["url", "publisher"]], left_on="notice_url", right_on="url")
# ```
#
# 然后按通知人分组（`groupby`），看每组下载次数的数量、均值、中位数、总和。
#
# ### 练习 2：各通知人的附件下载统计（3 分）
#
# 实现 `downloads_by_publisher(notices, attachments)`：返回一个 `DataFrame`，索引是通知人（只包含有附件的通知人），
# 列**依次**为 `n_attachments`（附件个数）、`mean`（平均下载次数）、`median`（中位数）、`total`（总下载次数），
# 按 `mean` 从大到小排列。

# %% nbgrader={"grade": false, "grade_id": "ex-downloads", "locked": false, "schema_version": 3, "solution": true, "task": false}
def downloads_by_publisher(notices, attachments):
    """Download statistics of attachments per publisher, highest mean first."""
    ### BEGIN SOLUTION
    merged = attachments.merge(notices[["url", "publisher"]], left_on="notice_url", right_on="url")
    stats = merged.groupby("publisher")["downloads"].agg(["count", "mean", "median", "sum"])
    stats.columns = ["n_attachments", "mean", "median", "total"]
    return stats.sort_values("mean", ascending=False)
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-downloads-test", "locked": true, "points": 3.0, "schema_version": 3, "solution": false, "task": false}
stats = downloads_by_publisher(notices, attachments)
assert isinstance(stats, pd.DataFrame), f"应返回 DataFrame，实际为 {type(stats).__name__}"
assert list(stats.columns) == ["n_attachments", "mean", "median", "total"], f"列应依次为 n_attachments、mean、median、total，实际为 {list(stats.columns)}"
assert stats["n_attachments"].sum() == len(attachments), "各组附件个数之和应等于附件总数"
assert stats["mean"].is_monotonic_decreasing, "应按 mean 从大到小排列"
### BEGIN HIDDEN TESTS
for _seed, _n in ((2024, 847), (9, 300)):
    _nt, _at = crawl_tables(seed=_seed, n_notices=_n)
    _got = downloads_by_publisher(_nt.copy(), _at.copy())
    _m = _at.merge(_nt[["url", "publisher"]], left_on="notice_url", right_on="url")
    _g = _m.groupby("publisher")["downloads"]
    assert type(_got) is pd.DataFrame and _got["mean"].is_monotonic_decreasing, \
        f"另一份数据（{_n} 条通知）上应返回按 mean 从大到小排列的 DataFrame，你返回了 {type(_got).__name__}"
    assert sorted(_got.index) == sorted(_g.size().index), \
        f"另一份数据（{_n} 条通知）上索引应是所有有附件的通知人，你的索引是 {sorted(_got.index)}"
    _got = _got.sort_index()
    for _col, _exp in (("n_attachments", _g.size()), ("mean", _g.mean()), ("median", _g.median()), ("total", _g.sum())):
        assert np.allclose(_got[_col].to_numpy(dtype=float), _exp.sort_index().to_numpy(dtype=float)), \
            f"另一份数据（{_n} 条通知）上 {_col} 列不对，你得到 {_got[_col].round(1).to_dict()}"
### END HIDDEN TESTS
assert stats["total"].sum() == attachments["downloads"].sum(), \
    f"各组 total 之和应等于全部附件的下载次数 {attachments['downloads'].sum()}，你的是 {stats['total'].sum()}"

# %%
stats = downloads_by_publisher(notices, attachments)
display(stats.round(1))

merged = attachments.merge(notices[["url", "publisher"]], left_on="notice_url", right_on="url")
order = stats.index
fig, ax = plt.subplots(figsize=(9, 4))
ax.boxplot([merged.loc[merged["publisher"] == p, "downloads"] for p in order], showfliers=False)
ax.set_xticks(range(1, len(order) + 1), [PUBLISHER_EN[p] for p in order], rotation=30, ha="right")
ax.set_title("Attachment downloads by publisher")
ax.set_xlabel("Publisher")
ax.set_ylabel("Downloads per attachment")
plt.tight_layout()
plt.show()


# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-14", "locked": true, "schema_version": 3, "solution": false, "task": false}
# 各组的均值相差好几倍，箱线图里最高几组与最低几组的箱子完全不重叠——看起来"谁发的通知"与"附件被下载多少次"关系很大。
# 怎么把"关系有多强"变成一个数？
#
# 通知人是**类别**变量，下载次数是**数值**变量，皮尔逊相关系数用不上。常用的是**相关比**（correlation ratio）η²：
#
# $$\eta^2 = \frac{\sum_g n_g(\bar y_g - \bar y)^2}{\sum_i (y_i - \bar y)^2}$$
#
# 分母是下载次数的总离差平方和，分子是"组均值"之间的离差平方和（每组按人数加权）。η² 在 0 到 1 之间：
# 0 表示各组均值完全相同（通知人对下载次数没有解释力），1 表示组内毫无差异（知道通知人就知道下载次数）。
# 它就是单因素方差分析里"组间平方和占总平方和的比例"。
#
# ### 练习 3：相关比 η²（2 分）
#
# 实现 `correlation_ratio(df, group_col, value_col)`：按上面的公式返回 η²（`float`）。如果 `value_col` 的值全都相同
# （分母为 0），返回 `0.0`。

# %% nbgrader={"grade": false, "grade_id": "ex-eta", "locked": false, "schema_version": 3, "solution": true, "task": false}
def correlation_ratio(df, group_col, value_col):
    """eta squared: the share of the variance of value_col explained by the groups of group_col."""
    ### BEGIN SOLUTION
    y = df[value_col].astype(float)
    total = ((y - y.mean()) ** 2).sum()
    if total == 0:
        return 0.0
    group_means = y.groupby(df[group_col]).transform("mean")
    return float(((group_means - y.mean()) ** 2).sum() / total)
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-eta-test", "locked": true, "points": 2.0, "schema_version": 3, "solution": false, "task": false}
toy = pd.DataFrame({"g": ["a", "a", "a", "b", "b", "b"], "y": [1, 2, 3, 7, 8, 9]})
eta = correlation_ratio(toy, "g", "y")
assert isinstance(eta, float), f"应返回 float，实际为 {type(eta).__name__}"
assert abs(eta - 54 / 58) < 1e-9, f"示例中 η² 应为 54/58 ≈ 0.931，实际为 {eta:.4f}"
### BEGIN HIDDEN TESTS
def _eta(df, g, v):
    y = df[v].astype(float)
    sst = ((y - y.mean()) ** 2).sum()
    means = df.assign(_y=y).groupby(g)["_y"].agg(["mean", "size"])
    return float((means["size"] * (means["mean"] - y.mean()) ** 2).sum() / sst)
_const = correlation_ratio(pd.DataFrame({"g": list("abab"), "y": [5, 5, 5, 5]}), "g", "y")
assert _const == 0.0, f"y 全都相同（分母为 0）时应返回 0.0，你返回了 {_const!r}"
_same = correlation_ratio(pd.DataFrame({"g": list("aabb"), "y": [1, 3, 1, 3]}), "g", "y")
assert abs(_same) < 1e-12, f"g=aabb、y=[1, 3, 1, 3] 时两组均值相同，你得到 η² = {_same}"
_pure = correlation_ratio(pd.DataFrame({"g": list("abab"), "y": [1, 3, 1, 3]}), "g", "y")
assert abs(_pure - 1.0) < 1e-12, f"g=abab、y=[1, 3, 1, 3] 时组内没有差异，你得到 η² = {_pure}"
for _seed, _n in ((2024, 847), (9, 300)):
    _nt, _at = crawl_tables(seed=_seed, n_notices=_n)
    _m = _at.merge(_nt[["url", "publisher"]], left_on="notice_url", right_on="url")
    _got = correlation_ratio(_m, "publisher", "downloads")
    assert isinstance(_got, float) and abs(_got - _eta(_m, "publisher", "downloads")) < 1e-9, \
        f"另一份数据（{_n} 条通知）上 η² 与按公式计算的结果不一致，你得到 {_got!r}：组间平方和要按每组人数加权"
_rng = np.random.default_rng(0)
_shuffled = _m.assign(publisher=_rng.permutation(_m["publisher"].to_numpy()))
_got = correlation_ratio(_shuffled, "publisher", "downloads")
assert abs(_got - _eta(_shuffled, "publisher", "downloads")) < 1e-9, f"通知人随机打乱后的数据上 η² 不对，你得到 {_got!r}"
### END HIDDEN TESTS
assert 0.0 <= eta <= 1.0, f"η² 应在 0 到 1 之间，你得到 {eta}"

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-eta-sanity", "locked": true, "schema_version": 3, "solution": false, "task": false}
# 下面算出真实数据的 η²，并和"把通知人随机打乱"之后的 η² 对照。先估计一下打乱后该是多少：即使分组与数值毫无关系，
# $k$ 个组的均值也会因为抽样而略有不同，η² 的期望约为 $(k-1)/(n-1)$。这里 $k = 9$ 个通知人、$n$ ≈ 440 个附件，
# 所以打乱后的 η² 应约为 **0.02**；真实数据的 η² 要明显大于它，才说明通知人与下载次数确有关系。

# %%
eta = correlation_ratio(merged, "publisher", "downloads")
rng = np.random.default_rng(0)
shuffled = merged.assign(publisher=rng.permutation(merged["publisher"].to_numpy()))
print(f"通知人对下载次数的 η² = {eta:.3f}")
print(f"把通知人随机打乱后的 η² = {correlation_ratio(shuffled, 'publisher', 'downloads'):.3f}（没有关系时大约是这么大）")


# % [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-think-eta", "locked": true, "schema_version": 3, "solution": false, "task": false}
# **想一想**：附件只有 10 个时，把通知人随机打乱后的 η² 大约是多少？为什么样本少的时候不能只看 η² 的大小下结论？
#
# <details><summary>提示</summary>
#
# 按 $(k-1)/(n-1)$ 估计，9 个组、10 个附件时约为 $8/9 ≈ 0.9$：几乎每个附件自成一组，"组间差异"全是偶然。
# 所以要和随机打乱的结果（或者显著性检验）比较，组数相对样本数不能太多。
# </details>

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-18", "locked": true, "schema_version": 3, "solution": false, "task": false}
# **结论（怎样的关系）**：通知人能解释下载次数超过四分之一的差异，远高于随机打乱后的水平，所以二者确有关系：
# 考试中心、学籍科、计划科的附件（考试安排、名单、选课指南——几乎每个学生都要看）平均下载次数是质量办、综合科、
# 教材中心附件（面向少数教师的表格）的好几倍。
#
# 要注意两点：
#
# - **相关不等于因果**：不是"考试中心"这几个字让附件被多下载，而是它的附件与更多学生有关；
# - **混杂因素**：刚发布的通知还没来得及被下载，附件的"年龄"也影响下载次数。如果某个通知人最近发得特别多，它的均值就会被拉低。
#   比较时可以只看发布超过一个月的通知，或者按年份分组再比较。
#
# ## 4. 每天发多少通知？哪些时段特别密集？
#
# 时间分析的第一步是把字符串变成日期：`pd.to_datetime(notices["date"])`。有了日期，就可以：
#
# - 按天计数：`value_counts()`，再用 `asfreq("D", fill_value=0)` 补上没有通知的日子（这些天的计数是 0，不能漏掉）；
# - 按周汇总：`daily.resample("W").sum()`（每周以周日结束，索引是那个周日）；
# - 平滑：`daily.rolling(30).mean()` 是 30 天滑动平均，能看出趋势和"旺季"。
#
# ### 练习 4：每日通知数（2 分）
#
# 实现 `notices_per_day(notices)`：返回一个 `pd.Series`，索引是从最早一天到最晚一天的**每一天**（`DatetimeIndex`，
# 升序，没有通知的日子也在里面），值是当天的通知条数（整数）。

# %% nbgrader={"grade": false, "grade_id": "ex-daily", "locked": false, "schema_version": 3, "solution": true, "task": false}
def notices_per_day(notices):
    """Number of notices on every day from the first to the last date (zeros included)."""
    ### BEGIN SOLUTION
    days = pd.to_datetime(notices["date"])
    return days.value_counts().sort_index().asfreq("D", fill_value=0)
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-daily-test", "locked": true, "points": 2.0, "schema_version": 3, "solution": false, "task": false}
daily = notices_per_day(notices)
assert isinstance(daily, pd.Series), f"应返回 pd.Series，实际为 {type(daily).__name__}"
assert isinstance(daily.index, pd.DatetimeIndex), "索引应是 DatetimeIndex（用 pd.to_datetime 转换日期）"
_days = pd.to_datetime(notices["date"])
assert len(daily) == (_days.max() - _days.min()).days + 1, "从最早到最晚的每一天都应在索引里（包括没有通知的日子）"
assert daily.sum() == len(notices), "每日条数之和应等于通知总数"
### BEGIN HIDDEN TESTS
for _seed, _n in ((2024, 847), (9, 300)):
    _nt, _ = crawl_tables(seed=_seed, n_notices=_n)
    _got = notices_per_day(_nt.copy())
    _d = pd.to_datetime(_nt["date"])
    _exp = pd.Series(0, index=pd.date_range(_d.min(), _d.max(), freq="D"))
    _exp = _exp.add(_d.value_counts(), fill_value=0)
    assert type(_got) is pd.Series and type(_got.index) is pd.DatetimeIndex, \
        f"另一份数据（{_n} 条通知）上应返回索引为 DatetimeIndex 的 pd.Series，你返回了 {type(_got).__name__}"
    assert _got.index.is_monotonic_increasing and _got.dtype.kind in "iu", \
        f"另一份数据（{_n} 条通知）上值应是整数、索引应升序，你的 dtype 是 {_got.dtype}"
    assert list(_got.index) == list(_exp.index), \
        f"另一份数据（{_n} 条通知）上应包含从最早到最晚的每一天，你的索引有 {len(_got)} 天：没有通知的日子也要在里面"
    assert (_got.to_numpy() == _exp.to_numpy()).all(), f"另一份数据（{_n} 条通知）上每日条数不对"
### END HIDDEN TESTS
assert (daily >= 0).all(), "每日条数不会是负数"


# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-21", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 练习 5：密集时段（2 分）
#
# 实现两个函数：
#
# - `busiest_weeks(daily, k=5)`：`daily` 是练习 4 那样的每日计数，按周汇总（`resample("W").sum()`），返回通知最多的 `k` 周
#   （`pd.Series`，索引是每周的周日，按条数从大到小排列）；
# - `month_profile(notices)`：按**月份**（1–12 月，不分年份）统计通知总数，返回索引为 1, 2, …, 12 的 `pd.Series`
#   （某个月没有通知时记 0）。

# %% nbgrader={"grade": false, "grade_id": "ex-dense", "locked": false, "schema_version": 3, "solution": true, "task": false}
def busiest_weeks(daily, k=5):
    """The k weeks (ending on Sunday) with the most notices, most first."""
    ### BEGIN SOLUTION
    return daily.resample("W").sum().sort_values(ascending=False).head(k)
    ### END SOLUTION


def month_profile(notices):
    """Total notices per calendar month 1..12, over all years."""
    ### BEGIN SOLUTION
    months = pd.to_datetime(notices["date"]).dt.month
    return months.value_counts().reindex(range(1, 13), fill_value=0)
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-dense-test", "locked": true, "points": 2.0, "schema_version": 3, "solution": false, "task": false}
_d = pd.to_datetime(notices["date"]).value_counts().sort_index().asfreq("D", fill_value=0)
weeks = busiest_weeks(_d, k=5)
assert isinstance(weeks, pd.Series) and len(weeks) == 5, "应返回 5 周的 Series"
assert weeks.is_monotonic_decreasing, "应按条数从大到小排列"
profile = month_profile(notices)
assert isinstance(profile, pd.Series), f"month_profile 应返回 pd.Series，实际为 {type(profile).__name__}"
assert list(profile.index) == list(range(1, 13)), "索引应是 1 到 12 月"
assert profile.sum() == len(notices), "各月之和应等于通知总数"
### BEGIN HIDDEN TESTS
for _seed, _n in ((2024, 847), (9, 300)):
    _nt, _ = crawl_tables(seed=_seed, n_notices=_n)
    _dd = pd.to_datetime(_nt["date"]).value_counts().sort_index().asfreq("D", fill_value=0)
    _wk = _dd.resample("W").sum()
    for _k in (3, 7):
        _got = busiest_weeks(_dd.copy(), k=_k)
        assert type(_got) is pd.Series and len(_got) == _k, \
            f"另一份数据上 busiest_weeks(k={_k}) 应返回 {_k} 周，你返回了 {len(_got) if type(_got) is pd.Series else type(_got).__name__}"
        assert list(_got.to_numpy()) == sorted(_wk.to_numpy(), reverse=True)[:_k], \
            f"另一份数据上最密集的 {_k} 周的条数不对，你得到 {list(_got.to_numpy())}"
        assert all(_wk[_i] == _v for _i, _v in _got.items()), "索引应是该周的周日（resample('W')）"
    _prof = month_profile(_nt.copy())
    _exp = pd.to_datetime(_nt["date"]).dt.month.value_counts()
    assert type(_prof) is pd.Series and list(_prof.index) == list(range(1, 13)), \
        f"另一份数据上 month_profile 应返回索引为 1–12 的 pd.Series，你的索引是 {list(getattr(_prof, 'index', []))}"
    assert all(int(_prof[_m]) == int(_exp.get(_m, 0)) for _m in range(1, 13)), \
        f"另一份数据上各月通知数不对，你得到 {_prof.tolist()}"
_one, _ = crawl_tables(seed=9, n_notices=300)
_one = _one[pd.to_datetime(_one["date"]).dt.month != 8]
assert int(month_profile(_one)[8]) == 0, "没有通知的月份应记 0"
### END HIDDEN TESTS
assert isinstance(weeks.index, pd.DatetimeIndex) and (weeks.index.day_of_week == 6).all(), \
    f"busiest_weeks 的索引应是每周的周日（resample('W') 的结果），你的索引是 {list(weeks.index)}"

# %%
daily = notices_per_day(notices)
print("最密集的 5 周：")
print(busiest_weeks(daily, k=5))
print("\n按月份统计：")
print(month_profile(notices))


# % [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-think-days", "locked": true, "schema_version": 3, "solution": false, "task": false}
# **想一想**：如果 `notices_per_day` 不补上没有通知的日子，"平均每天几条通知"和 `rolling(30)` 滑动平均会偏向哪边？为什么？
# 另外，数据只覆盖两年多，`month_profile` 里有的月份出现了三次、有的只出现两次，直接比较各月总数公平吗？
#
# <details><summary>提示</summary>
#
# 不补 0 时，平均数只在"有通知的日子"里算，会偏高；`rolling(30)` 按**行**数滑动，30 行可能跨越两三个月，曲线被抹平、时间也对不上。
# 各月总数应除以该月在数据中出现的次数（或者按年份分开画），否则多出现一次的月份天然占便宜。
# </details>

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-25", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 练习 6：把每日通知数画出来（2 分）
#
# 实现 `plot_daily(daily)`：在一张新图上画两条线——每天的通知数（细一点、半透明，`alpha=0.4`）和 30 天滑动平均
# （`daily.rolling(30).mean()`）；设置标题、x 轴和 y 轴标签、图例（用英文，很多机器上没有中文字体），并返回 `Axes` 对象。

# %% nbgrader={"grade": false, "grade_id": "ex-plot", "locked": false, "schema_version": 3, "solution": true, "task": false}
def plot_daily(daily):
    """Daily notice counts and their 30-day rolling mean; returns the Axes."""
    ### BEGIN SOLUTION
    fig, ax = plt.subplots(figsize=(10, 4))
    ax.plot(daily.index, daily.to_numpy(), lw=0.8, alpha=0.4, label="notices per day")
    ax.plot(daily.index, daily.rolling(30).mean().to_numpy(), lw=2, label="30-day rolling mean")
    ax.set_title("Teaching notices per day")
    ax.set_xlabel("Date")
    ax.set_ylabel("Notices")
    ax.legend()
    return ax
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-plot-test", "locked": true, "points": 2.0, "schema_version": 3, "solution": false, "task": false}
_d = pd.to_datetime(notices["date"]).value_counts().sort_index().asfreq("D", fill_value=0)
ax = plot_daily(_d)
plt.close(ax.figure)  # only checked here; the next cell shows the plot
west2ai.grading.check_plot(ax)
assert len(ax.get_lines()) >= 2, f"应画两条线：每日条数和 30 天滑动平均，你画了 {len(ax.get_lines())} 条"
### BEGIN HIDDEN TESTS
_nt, _ = crawl_tables(seed=9, n_notices=300)
_dd = pd.to_datetime(_nt["date"]).value_counts().sort_index().asfreq("D", fill_value=0)
_ax = plot_daily(_dd.copy())
west2ai.grading.check_plot(_ax)
_ys = [np.asarray(line.get_ydata(), dtype=float) for line in _ax.get_lines()]
_labels = _ax.get_legend_handles_labels()[1]
plt.close(_ax.figure)
assert any(len(y) == len(_dd) and np.allclose(y, _dd.to_numpy()) for y in _ys), "另一份数据上：应有一条线是每日通知数（没有通知的日子是 0）"
_roll = _dd.rolling(30).mean().to_numpy()
assert any(len(y) == len(_dd) and np.allclose(y, _roll, equal_nan=True) for y in _ys), \
    "另一份数据上：应有一条线是 daily.rolling(30).mean()"
assert len(_labels) >= 2, f"图例里应有两条线的名字，你的图例是 {_labels}"
### END HIDDEN TESTS

# %%
ax = plot_daily(notices_per_day(notices))
plt.show()

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-29", "locked": true, "schema_version": 3, "solution": false, "task": false}
# **读图**：通知明显扎堆出现——每年 2 月底到 3 月中旬、8 月底到 9 月下旬是**开学季**（选课、补退选、转专业、教材发放），
# 6 月中下旬和 12 月下旬到 1 月中旬是**考试周**（考试安排、补考、成绩与毕业审核），寒暑假和国庆期间几乎没有通知，
# 周末也很少。滑动平均曲线上每年都能看到这两高两低的节奏。
#
# ## 5. 你自己的问题
#
# ### 练习 7：提出并回答一个问题（4 分，人工批改）
#
# 从这两张表里再找一个值得问的问题，例如：
#
# - 标题里出现"补充通知""更新"的通知（说明要发第二次）集中在哪些通知人？
# - 附件的文件类型（`.docx`、`.xlsx`、`.pdf`……）与下载次数有关吗？
# - 一周里哪天发通知最多？不同通知人的"工作日"习惯一样吗？
# - 标题长度、附件个数与下载次数有关系吗？
#
# 在下面的代码单元格里写分析代码（可以有表格和图），然后在再下面的文字单元格里写：**问题是什么、怎么分析的、结论是什么、结论有什么局限**。

# %%
# your analysis for exercise 7 (tables, plots)

# %% [markdown] nbgrader={"grade": true, "grade_id": "own-question", "locked": false, "points": 4.0, "schema_version": 3, "solution": true, "task": false}
# **问题**：附件的文件类型与下载次数有关吗？
#
# **方法**：从附件名中取出扩展名（`attachments["name"].str.extract(r"(\.\w+)$")`），按扩展名分组计算下载次数的个数、
# 均值、中位数，并计算相关比 η²；为排除通知人的影响，再在考试中心一个通知人内部重复比较。
#
# **结论**：各类型的均值差别不大（η² 约 0.01–0.03，接近随机打乱的水平）；在同一通知人内部比较也看不出稳定的差异。
# 下载次数主要由"谁发的"（通知面向多少学生）决定，而不是文件格式。
#
# **局限**：有些类型（`.rar`、`.zip`）样本很少，均值不稳定；下载次数还受发布时间影响，近期的附件次数偏低。
#
# === BEGIN MARK SCHEME ===
# 共 4 分：
# - 1 分：问题明确、能用这两张表回答（不是重复练习 1–6 的三个问题）。
# - 1 分：分析方法合适且有代码支持（分组统计、连接、时间处理或图表之一），代码能运行、结果可见。
# - 1 分：结论由数据支持，写出了具体数字或图中的现象，而不是泛泛而谈。
# - 1 分：指出至少一个局限或混杂因素（样本量、发布时间、相关不等于因果等）。
# 只有问题没有分析：最多 1 分；结论与代码结果矛盾：结论分不给。
# === END MARK SCHEME ===
