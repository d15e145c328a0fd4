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
# # 阶段四 · 03 注意力与 Transformer：从公式到 PyTorch 源码
#
# RNN 按时间步一个接一个地读序列，第 100 个词要经过 99 步传递才能“看到”第 1 个词。注意力机制换了一种思路：
# 每个位置直接和所有位置比较相似度，按相似度加权汇总信息，一步就能连接任意两个位置，而且所有位置可以并行计算。
# Transformer（Vaswani 等，2017，*Attention Is All You Need*）完全由注意力和逐位置的全连接层搭成，
# 是今天几乎所有大语言模型的骨架。
#
# 这一节先亲手实现 Transformer 的每个零件，并且每个零件都和 PyTorch 的官方实现**逐位对齐**
# （同样的输入、同样的权重，最大误差不超过 1e-5）；然后像读一篇论文那样读 PyTorch 自己的源码，
# 回答“代码在做什么、为什么这样做”，能用实验验证的结论就用实验验证。
#
# **学习目标**
# - 写出缩放点积注意力，支持 padding 掩码与因果掩码，与 `F.scaled_dot_product_attention` 一致；
# - 分清两种布尔掩码约定：`F.scaled_dot_product_attention` 里 True 表示“可以看”，`nn.MultiheadAttention` 里 True 表示“不许看”；
# - 写出多头注意力，参数名和形状与 `nn.MultiheadAttention` 相同，拷入同一组权重后输出一致；
# - 按论文公式写出正弦位置编码；
# - 写出 Pre-LN 编码器块，与 `nn.TransformerEncoderLayer(norm_first=True)` 一致；
# - 离线阅读 PyTorch 源码（`torch/nn/modules/transformer.py`、`F.multi_head_attention_forward`），
#   找到缩放、掩码合并、快速路径（fast path）的实现，并用实验验证读到的结论。
#
# **评分项**（自动评分 {{points.auto}} 分 + 人工评分 {{points.manual}} 分，共 {{points.total}} 分）
#
# | 评分单元 | 内容 | 分值 |
# |---|---|---|
# | `ex-attention-test` | 练习 1：缩放点积注意力（无掩码） | 1 |
# | `ex-attention-mask-test` | 练习 1：缩放点积注意力的掩码与因果掩码 | 2 |
# | `ex-masks-test` | 练习 2：由长度生成 padding 掩码；因果掩码 | 2 |
# | `ex-mha-padding-test` | 练习 3：给 `nn.MultiheadAttention` 的 padding 掩码（约定相反） | 1 |
# | `ex-mha-params-test` | 练习 4：多头注意力的参数名与形状 | 1 |
# | `ex-mha-forward-test` | 练习 4：多头注意力的输出与注意力权重 | 2 |
# | `ex-mha-mask-test` | 练习 4：多头注意力的 `key_padding_mask` 与 `attn_mask` | 2 |
# | `ex-pe-test` | 练习 5：正弦位置编码 | 2 |
# | `ex-encoder-params-test` | 练习 6：Pre-LN 编码器块的参数名与形状 | 1 |
# | `ex-encoder-forward-test` | 练习 6：Pre-LN 编码器块的输出 | 2 |
# | `read-facts-test` | 源码阅读：用实验确定的六个事实 | 2 |
# | `ex-fast-path-test` | 练习 7：检测快速路径是否被走到 | 2 |
# | `read-scaling` | 源码阅读：缩放发生在哪里、为什么（人工评分） | 2 |
# | `read-masks` | 源码阅读：两种掩码怎样合并（人工评分） | 2 |
# | `read-need-weights` | 源码阅读：`need_weights` 与 `average_attn_weights`（人工评分） | 1 |
# | `read-fast-path` | 源码阅读：快速路径需要什么条件（人工评分） | 2 |
# | `read-norm-first` | 源码阅读：`norm_first` 怎样改变残差通路（人工评分） | 1 |
#
# 每个练习都有可见的检查和隐藏测试；隐藏测试会换新的形状和随机种子，再与 PyTorch 的实现比较。
# 后面的练习会用到前面的函数（多头注意力用练习 1 的 `attention`，编码器块用练习 4 的多头注意力），请按顺序完成。
#
# **预计学习时间**：6–8 小时（含阅读论文第 3 节，以及[《动手学深度学习》](https://zh.d2l.ai/)“注意力机制”一章中
# 注意力评分函数、多头注意力、自注意力和位置编码、Transformer 几节）。
#
# **CPU 预算**：本节不训练模型，所有张量都很小；整本 notebook 在 2 核 CPU 上几秒钟就能跑完。

# %% deletable=false editable=false nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false, "task": false}
import subprocess
import sys

if "google.colab" in sys.modules:  # Colab: install the course package (it never replaces Colab's torch)
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "{{package_url}}"], check=True)

import inspect
import math
import warnings

import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F
from torch import nn

torch.manual_seed(0)
device = "cuda" if torch.cuda.is_available() else "cpu"  # everything here is tiny: the checks run on the CPU
print("torch", torch.__version__, "| device:", device)
if not torch.__version__.startswith("2.14"):
    print("注意：源码阅读部分按 torch 2.14 写成；你的版本不同，源码细节可能略有出入，请以你自己读到的源码为准。")

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-01", "locked": true, "schema_version": 3, "solution": false, "task": false}
# 下面两个小工具供测试使用，你也可以在自己的实验里用：`randomize_` 把一个模块的**所有**参数换成随机数
# （`nn.MultiheadAttention` 的偏置默认初始化为 0，`LayerNorm` 的权重默认为 1：不换掉的话，偏置用错了也看不出来）；
# `max_err` 返回两个张量的最大绝对误差。

# %% deletable=false editable=false nbgrader={"grade": false, "grade_id": "helpers", "locked": true, "schema_version": 3, "solution": false, "task": false}
def randomize_(module, seed=0, std=0.3):
    """Overwrite every parameter of `module` with N(0, std^2) noise (biases and LayerNorm weights included)."""
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(torch.randn(p.shape, generator=gen) * std)
    return module


def max_err(a, b):
    """The largest absolute difference between two tensors, as a Python float."""
    return (a.detach().double() - b.detach().double()).abs().max().item()


# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-02", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ## 1. 缩放点积注意力
#
# 设有 $L$ 个查询（query）、$S$ 个键（key）和对应的 $S$ 个值（value），查询和键的维数都是 $d$。注意力先算每个查询与每个键的相似度，
# 用 softmax 变成权重，再对值加权平均：
#
# $$\mathrm{Attention}(Q, K, V) = \mathrm{softmax}\!\left(\frac{QK^\top}{\sqrt{d}}\right) V,
# \qquad Q \in \mathbb{R}^{L\times d},\ K \in \mathbb{R}^{S\times d},\ V \in \mathbb{R}^{S\times d_v}.$$
#
# 权重矩阵的形状是 $(L, S)$：第 $i$ 行是第 $i$ 个查询分给各个键的权重，和为 1（softmax 沿**键**的那一维，也就是最后一维）。
# 前面还可以有任意多个批量维度，例如 `(N, L, d)` 或多头时的 `(N, H, L, d)`：矩阵乘法 `@` 只作用在最后两维。
#
# **掩码**决定哪些键可以被哪些查询看到。本练习用 `F.scaled_dot_product_attention`（下文简称 SDPA）的约定：
# 布尔掩码 `mask` 中 **True 表示“可以看”**，形状要能广播到 $(\dots, L, S)$。做法是在 softmax 之前把不许看的位置的分数设为 $-\infty$，
# 它们的权重就恰好是 0。**因果掩码**（causal）让查询 $i$ 只能看键 $j \le i$，语言模型生成时不能偷看后面的词；
# 两者同时给出时，只有两者都允许的位置才能看。
#
# 先心算两个例子：查询全为 0 时所有分数都是 0，权重全是 $1/S$，输出就是值的平均；因果掩码下第 0 个查询只能看第 0 个键，权重为 1。
#
# ### 练习 1：缩放点积注意力（3 分）
#
# 实现 `attention(q, k, v, mask=None, causal=False)`，返回 `(output, weights)`：
# - `q` 形状 `(..., L, d)`，`k` 形状 `(..., S, d)`，`v` 形状 `(..., S, d_v)`；`output` 形状 `(..., L, d_v)`，`weights` 形状 `(..., L, S)`；
# - 缩放因子是 $1/\sqrt{d}$，$d$ 取 `q` 的最后一维；
# - `mask`：布尔张量，能广播到 `(..., L, S)`，True = 可以看；`causal=True`：查询 `i` 只能看键 `j <= i`（`L != S` 时也按这个下标规则，
#   与 SDPA 的 `is_causal=True` 相同）；两者同时给出时取“与”。可以假定每个查询至少能看到一个键。
#
# 不要调用 `F.scaled_dot_product_attention`（测试拿它作参照）。`masked_fill`、`torch.softmax`、`torch.ones(...).tril()` 会有用。

# %% nbgrader={"grade": false, "grade_id": "ex-attention", "locked": false, "schema_version": 3, "solution": true, "task": false}
def attention(q, k, v, mask=None, causal=False):
    ### BEGIN SOLUTION
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.size(-1))
    allowed = mask
    if causal:
        L, S = scores.shape[-2:]
        below = torch.ones(L, S, dtype=torch.bool, device=q.device).tril()
        allowed = below if allowed is None else allowed & below
    if allowed is not None:
        scores = scores.masked_fill(~allowed, float("-inf"))
    weights = torch.softmax(scores, dim=-1)
    return weights @ v, weights
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-attention-test", "locked": true, "points": 1.0, "schema_version": 3, "solution": false, "task": false}
torch.manual_seed(0)
q0, k0, v0 = torch.zeros(1, 3, 4), torch.randn(1, 5, 4), torch.randn(1, 5, 2)
res = attention(q0, k0, v0)
assert isinstance(res, tuple) and len(res) == 2, f"attention 应返回 (output, weights) 二元组，实际返回 {type(res).__name__}"
out0, w0 = res
assert tuple(out0.shape) == (1, 3, 2) and tuple(w0.shape) == (1, 3, 5), \
    f"q (1, 3, 4)、k (1, 5, 4)、v (1, 5, 2) 时 output 应为 (1, 3, 2)、weights 应为 (1, 3, 5)，实际为 {tuple(out0.shape)} 和 {tuple(w0.shape)}"
assert torch.allclose(w0, torch.full((1, 3, 5), 0.2)), f"q 全为 0 时每个权重都应为 1/5 = 0.2，实际第一行为 {w0[0, 0].tolist()}"
assert max_err(out0, v0.mean(dim=1, keepdim=True).expand(1, 3, 2)) < 1e-6, "q 全为 0 时输出应是 v 各行的平均"
q1, k1, v1 = torch.randn(2, 4, 8), torch.randn(2, 6, 8), torch.randn(2, 6, 8)
out1, w1 = attention(q1, k1, v1)
err = max_err(out1, F.scaled_dot_product_attention(q1, k1, v1))
assert err <= 1e-5, f"随机输入上与 F.scaled_dot_product_attention 的最大误差为 {err:.2e}（缩放因子是 1/sqrt(d) 吗？）"
assert torch.allclose(w1.sum(-1), torch.ones(2, 4), atol=1e-5), \
    f"每个查询的权重之和应为 1（softmax 沿键的那一维），实际为 {w1.sum(-1)[0].tolist()}"
### BEGIN HIDDEN TESTS
torch.manual_seed(11)
for shape_q, shape_k, dv in (((3, 2, 5, 16), (3, 2, 7, 16), 4), ((4, 9, 3), (4, 2, 3), 6), ((2, 2, 1, 6), (2, 2, 5, 6), 3)):
    qh, kh = torch.randn(shape_q), torch.randn(shape_k)
    vh = torch.randn(*shape_k[:-1], dv)
    copies = (qh.clone(), kh.clone(), vh.clone())
    got = attention(qh, kh, vh)
    assert isinstance(got, tuple) and len(got) == 2, f"q 形状 {shape_q} 时应返回二元组，实际为 {type(got).__name__}"
    out_h, w_h = got
    assert type(out_h) is torch.Tensor and type(w_h) is torch.Tensor, \
        f"q 形状 {shape_q} 时 output 和 weights 应是张量，实际为 {type(out_h).__name__} 和 {type(w_h).__name__}"
    assert out_h.shape == (*shape_q[:-1], dv) and w_h.shape == (*shape_q[:-1], shape_k[-2]), \
        f"q {shape_q}、k {shape_k}、v 最后一维 {dv} 时形状不对：output {tuple(out_h.shape)}，weights {tuple(w_h.shape)}"
    err = max_err(out_h, F.scaled_dot_product_attention(qh, kh, vh))
    assert err <= 1e-5, f"q {shape_q}、k {shape_k}、v 最后一维 {dv} 时与 SDPA 的最大误差为 {err:.2e}（d 应取 q 的最后一维）"
    want_w = torch.softmax(qh.double() @ kh.double().transpose(-2, -1) / math.sqrt(shape_q[-1]), dim=-1)
    err = max_err(w_h, want_w)
    assert err <= 1e-5, f"q {shape_q}、k {shape_k} 时注意力权重的最大误差为 {err:.2e}"
    assert all(torch.equal(a, b) for a, b in zip(copies, (qh, kh, vh))), f"q 形状 {shape_q} 时 attention 修改了输入张量"
### END HIDDEN TESTS

# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-attention-mask-test", "locked": true, "points": 2.0, "schema_version": 3, "solution": false, "task": false}
torch.manual_seed(0)
q, k, v = torch.randn(2, 4, 8), torch.randn(2, 4, 8), torch.randn(2, 4, 8)
out_c, w_c = attention(q, k, v, causal=True)
assert torch.allclose(w_c[:, 0, 0], torch.ones(2)), f"因果掩码下第 0 个查询只能看第 0 个键，权重应为 1，实际为 {w_c[:, 0, 0].tolist()}"
assert (w_c.triu(1) == 0).all(), "因果掩码下查询 i 对键 j > i 的权重应恰好为 0（被遮住的分数在 softmax 前设为 -inf）"
err = max_err(out_c, F.scaled_dot_product_attention(q, k, v, is_causal=True))
assert err <= 1e-5, f"causal=True 时与 SDPA(is_causal=True) 的最大误差为 {err:.2e}"
keep = torch.tensor([[True, True, True, False], [True, True, False, False]])  # (N, S): True = may attend
out_m, w_m = attention(q, k, v, mask=keep[:, None, :])
assert (w_m[~keep[:, None, :].expand_as(w_m)] == 0).all(), \
    f"mask 为 False 的键权重应为 0，第 1 条序列第 0 个查询的权重为 {w_m[1, 0].tolist()}（True 表示“可以看”）"
err = max_err(out_m, F.scaled_dot_product_attention(q, k, v, attn_mask=keep[:, None, :]))
assert err <= 1e-5, f"给出 mask 时与 SDPA 的最大误差为 {err:.2e}"
### BEGIN HIDDEN TESTS
torch.manual_seed(12)
N, H, L, S, d = 3, 2, 5, 5, 8
qh, kh, vh = torch.randn(N, H, L, d), torch.randn(N, H, S, d), torch.randn(N, H, S, d)
lens = torch.tensor([5, 2, 4])
keep_h = (torch.arange(S)[None, :] < lens[:, None])[:, None, None, :]  # (N, 1, 1, S)
mask_before = keep_h.clone()
out_h, w_h = attention(qh, kh, vh, mask=keep_h)
err = max_err(out_h, F.scaled_dot_product_attention(qh, kh, vh, attn_mask=keep_h))
assert err <= 1e-5, f"四维输入 (3, 2, 5, 8)、mask 形状 (3, 1, 1, 5) 时与 SDPA 的最大误差为 {err:.2e}"
assert torch.equal(keep_h, mask_before), "attention 修改了传入的 mask"
both = keep_h & torch.ones(L, S, dtype=torch.bool).tril()
out_b, w_b = attention(qh, kh, vh, mask=keep_h, causal=True)
err = max_err(out_b, F.scaled_dot_product_attention(qh, kh, vh, attn_mask=both))
assert err <= 1e-5, f"mask 与 causal=True 同时给出时与 SDPA（两者取与）的最大误差为 {err:.2e}"
assert (w_b[~both.expand_as(w_b)] == 0).all(), "mask 与 causal 同时给出时，任一方不允许的位置权重都应为 0"
qr, kr, vr = torch.randn(2, 3, 4), torch.randn(2, 6, 4), torch.randn(2, 6, 5)
out_r, _ = attention(qr, kr, vr, causal=True)
err = max_err(out_r, F.scaled_dot_product_attention(qr, kr, vr, is_causal=True))
assert err <= 1e-5, f"L = 3、S = 6 时 causal=True 与 SDPA 的最大误差为 {err:.2e}（查询 i 只能看键 j <= i）"
### END HIDDEN TESTS

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-03", "locked": true, "schema_version": 3, "solution": false, "task": false}
# **想一想**：(1) 把 `q` 整体乘以 10，注意力权重会变得更“尖”（集中在少数键上）还是更平坦？
# (2) 给某个查询的全部分数都加上同一个常数，权重会变吗？这和“把被遮住的分数设成 $-\infty$”有什么关系？
#
# <details><summary>提示</summary>
#
# (1) 更尖：分数整体放大 10 倍，相当于 softmax 的“温度”降到 1/10，最大的那个分数占的权重越来越接近 1。
# 这正是要除以 $\sqrt{d}$ 的原因之一——维数越高，点积的数值越大，softmax 越容易饱和（源码阅读部分还会回到这一点）。
# (2) 不变：$\mathrm{softmax}(z + c)_i = e^{z_i + c} / \sum_j e^{z_j + c} = \mathrm{softmax}(z)_i$。所以数值稳定的 softmax 可以先减去最大值；
# 而加上 $-\infty$ 的那一项 $e^{-\infty} = 0$，不影响其他项之间的比例，相当于把这个键从求和里删掉。
# </details>

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-04", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ## 2. 两种掩码，两种约定
#
# 一个 batch 里的句子长短不一，要在末尾补上 padding 才能拼成一个张量。例如长度为 `[3, 1, 2]` 的三句话补齐到长度 3：
#
# ```
# 第 0 句：w w w
# 第 1 句：w . .      （. 表示 padding）
# 第 2 句：w w .
# ```
#
# padding 只是占位，不应被任何查询看到，所以要用掩码遮住这些**键**。按 SDPA 的约定（True = 可以看），
# 上例的 padding 掩码是 `[[T, T, T], [T, F, F], [T, T, F]]`，形状 `(N, S)`；交给 `attention` 时加一维变成 `(N, 1, S)`，
# 沿查询那一维广播。长度为 3 的因果掩码是下三角：`[[T, F, F], [T, T, F], [T, T, T]]`。
#
# ### 练习 2：padding 掩码与因果掩码（2 分）
#
# - `padding_mask(lengths, max_len=None)`：`lengths` 是一维整数张量或列表；返回形状 `(len(lengths), max_len)` 的布尔张量，
#   第 `b` 行的前 `lengths[b]` 个位置为 True（真实的词），其余为 False（padding）；`max_len` 为 None 时取 `max(lengths)`。
# - `causal_mask(size)`：返回形状 `(size, size)` 的布尔张量，位置 `(i, j)` 在 `j <= i` 时为 True。
#
# 提示：`torch.arange(max_len)[None, :] < lengths[:, None]` 一行就能用广播比较出整个掩码。

# %% nbgrader={"grade": false, "grade_id": "ex-masks", "locked": false, "schema_version": 3, "solution": true, "task": false}
def padding_mask(lengths, max_len=None):
    ### BEGIN SOLUTION
    lengths = torch.as_tensor(lengths)
    if max_len is None:
        max_len = int(lengths.max())
    return torch.arange(max_len, device=lengths.device)[None, :] < lengths[:, None]
    ### END SOLUTION


def causal_mask(size):
    ### BEGIN SOLUTION
    return torch.ones(size, size, dtype=torch.bool).tril()
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-masks-test", "locked": true, "points": 2.0, "schema_version": 3, "solution": false, "task": false}
pm = padding_mask(torch.tensor([3, 1, 2]))
assert isinstance(pm, torch.Tensor) and pm.dtype == torch.bool, \
    f"padding_mask 应返回布尔张量，实际为 {type(pm).__name__} {getattr(pm, 'dtype', '')}"
want = torch.tensor([[True, True, True], [True, False, False], [True, True, False]])
assert pm.shape == (3, 3) and torch.equal(pm, want), f"padding_mask([3, 1, 2]) 应为 {want.tolist()}，实际为 {pm.tolist()}"
cm = causal_mask(3)
assert isinstance(cm, torch.Tensor) and cm.dtype == torch.bool, \
    f"causal_mask 应返回布尔张量，实际为 {type(cm).__name__} {getattr(cm, 'dtype', '')}"
want = torch.tensor([[True, False, False], [True, True, False], [True, True, True]])
assert torch.equal(cm, want), f"causal_mask(3) 应为下三角 {want.tolist()}，实际为 {cm.tolist()}"
### BEGIN HIDDEN TESTS
for lens, max_len in (([2, 5, 1, 5], None), ([4, 1], 6), (torch.tensor([1]), 3), (torch.tensor([7, 3, 3]), 7)):
    got = padding_mask(lens, max_len) if max_len is not None else padding_mask(lens)
    lens_t = torch.as_tensor(lens)
    width = max_len if max_len is not None else int(lens_t.max())
    want = torch.tensor([[j < n for j in range(width)] for n in lens_t.tolist()])
    assert type(got) is torch.Tensor and got.dtype == torch.bool, \
        f"padding_mask({lens!r}, max_len={max_len}) 应返回布尔张量，实际为 {type(got).__name__} {getattr(got, 'dtype', '')}"
    assert torch.equal(got, want), f"padding_mask({lens!r}, max_len={max_len}) 不对：你的函数返回 {got.tolist()}"
for size in (1, 2, 6):
    got = causal_mask(size)
    assert type(got) is torch.Tensor and got.dtype == torch.bool and got.shape == (size, size), \
        f"causal_mask({size}) 应返回 ({size}, {size}) 的布尔张量，实际为 {type(got).__name__} {getattr(got, 'shape', '')}"
    assert all(bool(got[i, j]) == (j <= i) for i in range(size) for j in range(size)), \
        f"causal_mask({size}) 不对：你的函数返回 {got.tolist()}"
### END HIDDEN TESTS

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-05", "locked": true, "schema_version": 3, "solution": false, "task": false}
# 检查一下掩码的作用：padding 位置上放什么内容，都不应该影响真实位置的输出。下面把 padding 位置的键和值换成很大的随机数，
# 比较真实位置的输出（应当完全不变，差值为 0 或 1e-7 量级）。

# %%
torch.manual_seed(0)
lengths = torch.tensor([3, 1, 2])
x = torch.randn(3, 3, 4)
keep = padding_mask(lengths)                      # (N, S), True = real token
out_a, _ = attention(x, x, x, mask=keep[:, None, :])
x_noisy = torch.where(keep[:, :, None], x, 100 * torch.randn(3, 3, 4))
out_b, _ = attention(x, x_noisy, x_noisy, mask=keep[:, None, :])
print("真实位置输出的最大变化：", max_err(out_a[keep], out_b[keep]))

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-06", "locked": true, "schema_version": 3, "solution": false, "task": false}
# **一个经典的坑**：`nn.MultiheadAttention`（以及 `nn.TransformerEncoderLayer` 等用到它的模块）的布尔掩码约定**正好相反**：
# `key_padding_mask` 中 True 表示“这是 padding，忽略它”；布尔 `attn_mask` 中 True 表示“不许看”。
# SDPA 自己的文档里就有一段提醒（`print(F.scaled_dot_product_attention.__doc__)` 可以看到）：
#
# > The boolean mask semantics for `attn_mask` are the inverse of `MultiheadAttention`'s `key_padding_mask`. …
# > If migrating from MHA, ensure you invert your boolean mask (e.g., using `~mask` or `mask.logical_not()`).
#
# 用错了不会报错。下面把按 SDPA 约定写的掩码直接交给 `nn.MultiheadAttention`：第 0 句（长度 3，没有 padding）的三个键全被遮住，
# 输出成了 `nan`；第 1、2 句则只看 padding、不看真实的词——程序照样跑完，没有任何提示。

# %%
torch.manual_seed(0)
x = torch.randn(3, 3, 4)
mha = nn.MultiheadAttention(4, 2, batch_first=True)
sdpa_style = torch.tensor([[True, True, True], [True, False, False], [True, True, False]])  # True = may attend
out_wrong, w_wrong = mha(x, x, x, key_padding_mask=sdpa_style)
print("第 0 句的输出：", out_wrong[0, 0].tolist())
print("第 1 句第 0 个查询的权重：", w_wrong[1, 0].tolist())

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-07", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 练习 3：给 `nn.MultiheadAttention` 的 padding 掩码（1 分）
#
# 实现 `mha_padding_mask(lengths, max_len=None)`：参数与 `padding_mask` 相同，返回可以直接作为 `nn.MultiheadAttention`
# 的 `key_padding_mask` 的布尔张量（形状 `(N, max_len)`，padding 处为 True）。上例 `[3, 1, 2]` 的结果应为
# `[[F, F, F], [F, T, T], [F, F, T]]`。测试会检查：每句话的真实位置的输出，与把这句话单独截掉 padding 后送进同一个
# `nn.MultiheadAttention` 得到的输出相同。

# %% nbgrader={"grade": false, "grade_id": "ex-mha-padding", "locked": false, "schema_version": 3, "solution": true, "task": false}
def mha_padding_mask(lengths, max_len=None):
    ### BEGIN SOLUTION
    return ~padding_mask(lengths, max_len)
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-mha-padding-test", "locked": true, "points": 1.0, "schema_version": 3, "solution": false, "task": false}
kpm = mha_padding_mask(torch.tensor([3, 1, 2]))
want = torch.tensor([[False, False, False], [False, True, True], [False, False, True]])
assert isinstance(kpm, torch.Tensor) and kpm.dtype == torch.bool, \
    f"应返回布尔张量，实际为 {type(kpm).__name__} {getattr(kpm, 'dtype', '')}"
assert torch.equal(kpm, want), f"mha_padding_mask([3, 1, 2]) 应为 {want.tolist()}（True = padding），实际为 {kpm.tolist()}"
### BEGIN HIDDEN TESTS
torch.manual_seed(13)
lens = [2, 5, 3, 1]
mha_h = randomize_(nn.MultiheadAttention(8, 2, batch_first=True), seed=13)
xh = torch.randn(4, 6, 8)
kpm_h = mha_padding_mask(lens, 6)
assert type(kpm_h) is torch.Tensor and kpm_h.dtype == torch.bool and kpm_h.shape == (4, 6), \
    f"mha_padding_mask({lens}, 6) 应返回 (4, 6) 的布尔张量，实际为 {type(kpm_h).__name__} {getattr(kpm_h, 'shape', '')}"
with torch.no_grad():
    out_h, _ = mha_h(xh, xh, xh, key_padding_mask=kpm_h)
    for b, n in enumerate(lens):
        alone, _ = mha_h(xh[b:b + 1, :n], xh[b:b + 1, :n], xh[b:b + 1, :n])
        err = max_err(out_h[b, :n], alone[0])
        assert err <= 1e-5, \
            f"长度 {lens}、max_len=6 时第 {b} 句真实位置的输出与单独计算这句话不一致（最大误差 {err:.2e}）：padding 处应为 True"
### END HIDDEN TESTS

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-08", "locked": true, "schema_version": 3, "solution": false, "task": false}
# **想一想**：如果某个查询的**所有**键都被遮住，按公式会算出什么？什么情况下真的会遇到这种行？
# （提示：有的实现把 padding 补在句子**前面**，再加上因果掩码，看看第 0 个查询。）
#
# <details><summary>提示</summary>
#
# 这一行的分数全是 $-\infty$，softmax 的分子分母都是 0，得到 `nan`；你的 `attention` 和 `nn.MultiheadAttention`（上面的例子）
# 都会这样，`nan` 还会在后面的层里传染给其他位置。PyTorch 2.x 的 CPU 版 `F.scaled_dot_product_attention` 对这种行返回 0
# （torch 2.14 实测），但不要依赖这种细节。左侧 padding 加因果掩码时，第 0 个查询本身是 padding，它只能看键 0，
# 而键 0 又被 padding 掩码遮住——整行都被遮住。长度为 0 的序列同理。常见的对策是保证每个查询至少能看到一个位置
# （例如让 padding 查询看自己），或者在算完后把 `nan` 换成 0。
# </details>

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-09", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ## 3. 多头注意力
#
# 单个注意力只能按一种“相似度”汇总信息。多头注意力把 $d_\text{model} = E$ 维的表示投影成 $H$ 组，每组 $E/H$ 维，
# 各自做一次注意力，再拼接起来过一个输出投影：
#
# $$\mathrm{MultiHead}(Q, K, V) = \mathrm{Concat}(\mathrm{head}_1, \dots, \mathrm{head}_H)\,W^O,\qquad
# \mathrm{head}_h = \mathrm{Attention}(Q W^Q_h,\ K W^K_h,\ V W^V_h).$$
#
# `nn.MultiheadAttention` 把三个输入投影**打包**存成一个参数（查询、键、值的维数都等于 `embed_dim` 时）：
#
# | 参数名 | 形状 | 含义 |
# |---|---|---|
# | `in_proj_weight` | `(3E, E)` | 按行依次叠放 $W^Q$、$W^K$、$W^V$（各 `(E, E)`，`F.linear` 的约定：`y = x @ W.T + b`） |
# | `in_proj_bias` | `(3E,)` | 依次是三个投影的偏置 |
# | `out_proj.weight`、`out_proj.bias` | `(E, E)`、`(E,)` | 输出投影，一个 `nn.Linear(E, E)` |
#
# 所以参数量是 $4E^2 + 4E$，与头数无关：E = 16 时为 1,088。计算步骤（`batch_first=True`，输入 `(N, L, E)`）：
#
# 1. 用 `in_proj_weight.chunk(3)` 和 `in_proj_bias.chunk(3)` 拆出三组权重，`F.linear` 得到 $q, k, v$；
# 2. 拆头：`(N, L, E)` → `(N, L, H, E/H)` → `transpose(1, 2)` → `(N, H, L, E/H)`；
# 3. 每个头做缩放点积注意力（缩放因子 $1/\sqrt{E/H}$，用你的 `attention` 即可）；
# 4. 拼回：`(N, H, L, E/H)` → `(N, L, H, E/H)` → `(N, L, E)`，再过 `out_proj`。
#
# ### 练习 4：`MyMultiheadAttention`（5 分）
#
# 实现 `MyMultiheadAttention(embed_dim, num_heads, batch_first=True)`，参数名和形状与上表相同，
# 使得 `mine.load_state_dict(nn.MultiheadAttention(...).state_dict())` 可以直接拷入官方模块的权重。
# `forward(query, key, value, key_padding_mask=None, need_weights=True, attn_mask=None, average_attn_weights=True)`
# 的参数、掩码约定和返回值都与 `nn.MultiheadAttention` 相同：
#
# - `batch_first=True` 时输入 `(N, L, E)`、`(N, S, E)`；为 False 时是 `(L, N, E)`、`(S, N, E)`，输出也照此排列；
# - `key_padding_mask`：`(N, S)` 布尔张量，True = padding（忽略这个键）；`attn_mask`：`(L, S)` 布尔张量，True = 不许看。
#   只需支持布尔掩码和二维 `attn_mask`；两者同时给出时，任一方不许看的位置都不能看；
# - 返回 `(output, weights)`：`need_weights=False` 时 `weights` 为 `None`；否则 `average_attn_weights=True` 时返回各头平均后的权重
#   `(N, L, S)`，为 False 时返回每个头的权重 `(N, H, L, S)`（无论 `batch_first` 取什么，权重都是批量维在前）。
#
# 初始化可以仿照官方：`in_proj_weight` 用 `nn.init.xavier_uniform_`，两个偏置置 0。不要调用 `nn.MultiheadAttention`
# 或 `F.multi_head_attention_forward`。

# %% nbgrader={"grade": false, "grade_id": "ex-mha", "locked": false, "schema_version": 3, "solution": true, "task": false}
class MyMultiheadAttention(nn.Module):
    def __init__(self, embed_dim, num_heads, batch_first=True):
        super().__init__()
        ### BEGIN SOLUTION
        if embed_dim % num_heads:
            raise ValueError(f"embed_dim {embed_dim} 不能被 num_heads {num_heads} 整除")
        self.embed_dim, self.num_heads, self.batch_first = embed_dim, num_heads, batch_first
        self.head_dim = embed_dim // num_heads
        self.in_proj_weight = nn.Parameter(torch.empty(3 * embed_dim, embed_dim))
        self.in_proj_bias = nn.Parameter(torch.zeros(3 * embed_dim))
        self.out_proj = nn.Linear(embed_dim, embed_dim)
        nn.init.xavier_uniform_(self.in_proj_weight)
        nn.init.zeros_(self.out_proj.bias)
        ### END SOLUTION

    def forward(self, query, key, value, key_padding_mask=None, need_weights=True, attn_mask=None,
                average_attn_weights=True):
        ### BEGIN SOLUTION
        if not self.batch_first:                                  # (L, N, E) -> (N, L, E)
            query, key, value = (t.transpose(0, 1) for t in (query, key, value))
        N, L, E = query.shape
        S = key.shape[1]
        w_q, w_k, w_v = self.in_proj_weight.chunk(3)
        b_q, b_k, b_v = self.in_proj_bias.chunk(3)

        def split_heads(t, length):                               # (N, T, E) -> (N, H, T, E/H)
            return t.view(N, length, self.num_heads, self.head_dim).transpose(1, 2)

        q = split_heads(F.linear(query, w_q, b_q), L)
        k = split_heads(F.linear(key, w_k, b_k), S)
        v = split_heads(F.linear(value, w_v, b_v), S)
        allowed = None                                            # SDPA convention: True = may attend
        if attn_mask is not None:
            allowed = ~attn_mask                                  # (L, S)
        if key_padding_mask is not None:
            keys_ok = ~key_padding_mask[:, None, None, :]         # (N, 1, 1, S)
            allowed = keys_ok if allowed is None else allowed & keys_ok
        out, weights = attention(q, k, v, mask=allowed)           # (N, H, L, E/H), (N, H, L, S)
        out = self.out_proj(out.transpose(1, 2).reshape(N, L, E))
        if not self.batch_first:
            out = out.transpose(0, 1)
        if not need_weights:
            return out, None
        return out, weights.mean(dim=1) if average_attn_weights else weights
        ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-mha-params-test", "locked": true, "points": 1.0, "schema_version": 3, "solution": false, "task": false}
mine = MyMultiheadAttention(16, 4)
ref = nn.MultiheadAttention(16, 4, batch_first=True)
mine_shapes = {name: tuple(t.shape) for name, t in mine.state_dict().items()}
ref_shapes = {name: tuple(t.shape) for name, t in ref.state_dict().items()}
assert mine_shapes == ref_shapes, f"参数名与形状应与 nn.MultiheadAttention 相同：应为 {ref_shapes}，实际为 {mine_shapes}"
n_mine = sum(p.numel() for p in mine.parameters())
assert n_mine == 4 * 16 * 16 + 4 * 16, f"E = 16 时参数量应为 4E² + 4E = 1,088，实际为 {n_mine:,}"
loaded = mine.load_state_dict(ref.state_dict())
assert not loaded.missing_keys and not loaded.unexpected_keys, f"加载 nn.MultiheadAttention 的权重时不匹配：{loaded}"
### BEGIN HIDDEN TESTS
for E, H in ((12, 3), (8, 8), (32, 2)):
    mine_h = MyMultiheadAttention(E, H, batch_first=False)
    ref_h = nn.MultiheadAttention(E, H)
    got = {name: tuple(t.shape) for name, t in mine_h.state_dict().items()}
    want = {name: tuple(t.shape) for name, t in ref_h.state_dict().items()}
    assert got == want, f"MyMultiheadAttention({E}, {H}, batch_first=False) 的参数名与形状不对：你的模块是 {got}"
    trainable = {name for name, p in mine_h.named_parameters() if p.requires_grad}
    assert trainable == set(want), f"MyMultiheadAttention({E}, {H}) 的可训练参数应恰好是这四个，你的模块有 {sorted(trainable)}"
    missing = mine_h.load_state_dict(ref_h.state_dict(), strict=True)
    assert not missing.missing_keys and not missing.unexpected_keys, f"MyMultiheadAttention({E}, {H}) 加载官方权重时不匹配：{missing}"
### END HIDDEN TESTS

# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-mha-forward-test", "locked": true, "points": 2.0, "schema_version": 3, "solution": false, "task": false}
torch.manual_seed(0)
ref = randomize_(nn.MultiheadAttention(16, 4, batch_first=True), seed=1)   # training mode, dropout 0: the plain path
mine = MyMultiheadAttention(16, 4)
assert set(mine.state_dict()) == set(ref.state_dict()), \
    f"参数名与 nn.MultiheadAttention 不同，无法拷入官方权重：你的参数是 {sorted(mine.state_dict())}（先通过参数测试）"
mine.load_state_dict(ref.state_dict())
x = torch.randn(2, 5, 16)
with torch.no_grad():
    out_ref, w_ref = ref(x, x, x)
    res = mine(x, x, x)
assert isinstance(res, tuple) and len(res) == 2, f"forward 应返回 (output, weights) 二元组，实际返回 {type(res).__name__}"
out_mine, w_mine = res
assert tuple(out_mine.shape) == (2, 5, 16), f"输入 (2, 5, 16) 时输出形状应为 (2, 5, 16)，实际为 {tuple(out_mine.shape)}"
err = max_err(out_mine, out_ref)
assert err <= 1e-5, f"自注意力输出与 nn.MultiheadAttention 的最大误差为 {err:.2e}（投影、拆头、缩放因子 1/sqrt(E/H)、out_proj）"
assert w_mine is not None and tuple(w_mine.shape) == (2, 5, 5), \
    f"默认应返回各头平均后的权重 (2, 5, 5)，实际为 {None if w_mine is None else tuple(w_mine.shape)}"
err = max_err(w_mine, w_ref)
assert err <= 1e-5, f"平均注意力权重与 nn.MultiheadAttention 的最大误差为 {err:.2e}"
### BEGIN HIDDEN TESTS
torch.manual_seed(14)
for E, H, bf in ((12, 3, True), (8, 2, False), (24, 6, True)):
    ref_h = randomize_(nn.MultiheadAttention(E, H, batch_first=bf), seed=E)
    mine_h = MyMultiheadAttention(E, H, batch_first=bf)
    mine_h.load_state_dict(ref_h.state_dict())
    N, L, S = 3, 4, 7
    qh = torch.randn(N, L, E) if bf else torch.randn(L, N, E)
    kh = torch.randn(N, S, E) if bf else torch.randn(S, N, E)
    vh = torch.randn(N, S, E) if bf else torch.randn(S, N, E)
    with torch.no_grad():
        for avg in (True, False):
            o_r, w_r = ref_h(qh, kh, vh, average_attn_weights=avg)
            o_m, w_m = mine_h(qh, kh, vh, average_attn_weights=avg)
            assert o_m.shape == o_r.shape, \
                f"E={E}、H={H}、batch_first={bf} 的交叉注意力（L=4、S=7）输出形状应为 {tuple(o_r.shape)}，实际为 {tuple(o_m.shape)}"
            err = max_err(o_m, o_r)
            assert err <= 1e-5, f"E={E}、H={H}、batch_first={bf} 的交叉注意力输出最大误差为 {err:.2e}"
            assert w_m is not None and w_m.shape == w_r.shape, \
                f"E={E}、H={H}、batch_first={bf}、average_attn_weights={avg} 时权重形状不对：你的是 {None if w_m is None else tuple(w_m.shape)}"
            err = max_err(w_m, w_r)
            assert err <= 1e-5, f"E={E}、H={H}、batch_first={bf}、average_attn_weights={avg} 时权重最大误差为 {err:.2e}"
        o_n, w_n = mine_h(qh, kh, vh, need_weights=False)
        assert w_n is None, f"need_weights=False 时第二个返回值应为 None，实际为 {type(w_n).__name__}"
        err = max_err(o_n, ref_h(qh, kh, vh, need_weights=False)[0])
        assert err <= 1e-5, f"E={E}、H={H}、need_weights=False 时输出最大误差为 {err:.2e}"
xg = torch.randn(2, 3, 12, requires_grad=True)
mine_g = MyMultiheadAttention(12, 3)
mine_g(xg, xg, xg)[0].sum().backward()
assert xg.grad is not None and mine_g.in_proj_weight.grad is not None and mine_g.out_proj.weight.grad is not None, \
    "梯度应能传回输入和所有投影参数（不要在 forward 里用 no_grad 或 detach）"
### END HIDDEN TESTS

# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-mha-mask-test", "locked": true, "points": 2.0, "schema_version": 3, "solution": false, "task": false}
torch.manual_seed(0)
ref = randomize_(nn.MultiheadAttention(16, 4, batch_first=True), seed=2)
mine = MyMultiheadAttention(16, 4)
assert set(mine.state_dict()) == set(ref.state_dict()), \
    f"参数名与 nn.MultiheadAttention 不同，无法拷入官方权重：你的参数是 {sorted(mine.state_dict())}（先通过参数测试）"
mine.load_state_dict(ref.state_dict())
x = torch.randn(3, 5, 16)
pad = torch.tensor([[False] * 5, [False] * 3 + [True] * 2, [False] + [True] * 4])   # True = padding
future = torch.ones(5, 5, dtype=torch.bool).triu(1)                                 # True = not allowed
with torch.no_grad():
    for name, kwargs in (("key_padding_mask", {"key_padding_mask": pad}), ("attn_mask（因果）", {"attn_mask": future}),
                         ("两者同时", {"key_padding_mask": pad, "attn_mask": future})):
        out_ref, w_ref = ref(x, x, x, **kwargs)
        out_mine, w_mine = mine(x, x, x, **kwargs)
        err = max(max_err(out_mine, out_ref), max_err(w_mine, w_ref))
        assert err <= 1e-5, f"给出 {name} 时输出或权重与 nn.MultiheadAttention 的最大误差为 {err:.2e}（True 表示不许看）"
### BEGIN HIDDEN TESTS
torch.manual_seed(15)
for E, H, bf in ((12, 2, True), (8, 4, False)):
    ref_h = randomize_(nn.MultiheadAttention(E, H, batch_first=bf), seed=100 + E)
    mine_h = MyMultiheadAttention(E, H, batch_first=bf)
    mine_h.load_state_dict(ref_h.state_dict())
    N, L, S = 4, 3, 6
    qh = torch.randn(N, L, E) if bf else torch.randn(L, N, E)
    kvh = torch.randn(N, S, E) if bf else torch.randn(S, N, E)
    pad_h = torch.arange(S)[None, :] >= torch.tensor([6, 2, 4, 1])[:, None]
    am_h = torch.rand(L, S) < 0.3
    am_h[:, 0] = False                                     # every query keeps key 0
    with torch.no_grad():
        for kwargs in ({"key_padding_mask": pad_h}, {"attn_mask": am_h}, {"key_padding_mask": pad_h, "attn_mask": am_h}):
            for avg in (True, False):
                o_r, w_r = ref_h(qh, kvh, kvh, average_attn_weights=avg, **kwargs)
                o_m, w_m = mine_h(qh, kvh, kvh, average_attn_weights=avg, **kwargs)
                err = max(max_err(o_m, o_r), max_err(w_m, w_r))
                assert err <= 1e-5, (f"E={E}、H={H}、batch_first={bf}、给出 {sorted(kwargs)}、average_attn_weights={avg} 时"
                                     f"与 nn.MultiheadAttention 的最大误差为 {err:.2e}")
            o_n, w_n = mine_h(qh, kvh, kvh, need_weights=False, **kwargs)
            err = max_err(o_n, ref_h(qh, kvh, kvh, need_weights=False, **kwargs)[0])
            assert w_n is None and err <= 1e-5, \
                f"E={E}、H={H}、给出 {sorted(kwargs)}、need_weights=False 时输出最大误差 {err:.2e}，权重应为 None"
### END HIDDEN TESTS

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-10", "locked": true, "schema_version": 3, "solution": false, "task": false}
# **想一想**：`embed_dim = 512` 时，8 个头和 1 个头的多头注意力参数量各是多少？计算量（乘加次数）呢？那分成多个头到底换来了什么？
#
# <details><summary>提示</summary>
#
# 参数量都是 $4E^2 + 4E = 1{,}050{,}624$：头数只决定 $E$ 维怎样切分，投影矩阵的大小不变。计算量也几乎一样：
# 投影都是 $E \times E$ 的矩阵乘法；注意力部分 8 个头各算 $L\times S$ 个 64 维点积，总乘加次数与 1 个头算 512 维点积相同
# （只是多存了 8 份 $L\times S$ 的权重）。换来的是表达能力：每个头有自己的一套 softmax 权重，
# 可以同时关注不同位置、按不同的“相似度”汇总信息（例如一个头看相邻的词，另一个头看句法上相关的词）；
# 单个头的 softmax 只能给出一种加权方式。
# </details>

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-11", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ## 4. 正弦位置编码
#
# 注意力对位置一无所知：把输入序列打乱顺序，每个位置的输出也只是跟着打乱（不信可以用你的 `attention` 试一试）。
# 所以 Transformer 在输入的词向量上加一个只与位置有关的向量。论文第 3.5 节用的是正弦位置编码：对位置 $pos$ 和 $i = 0, 1, \dots, d/2 - 1$，
#
# $$PE_{(pos,\,2i)} = \sin\!\left(\frac{pos}{10000^{2i/d}}\right),\qquad
# PE_{(pos,\,2i+1)} = \cos\!\left(\frac{pos}{10000^{2i/d}}\right).$$
#
# 偶数维用正弦、奇数维用余弦，相邻的一对维度共用一个频率；频率从 1 开始逐对降低，波长从 $2\pi$ 增长到约 $10000\cdot 2\pi$。
# 先心算几个值：$PE_0 = [0, 1, 0, 1, \dots]$（$\sin 0 = 0$，$\cos 0 = 1$）；$PE_{(1,0)} = \sin 1 \approx 0.8415$，
# $PE_{(1,1)} = \cos 1 \approx 0.5403$；频率最低的最后一对维度随位置变化极慢。
#
# ### 练习 5：`sinusoidal_positional_encoding`（2 分）
#
# 实现 `sinusoidal_positional_encoding(max_len, d_model)`，返回形状 `(max_len, d_model)`、dtype `float32` 的张量，
# 第 `pos` 行是位置 `pos`（从 0 开始）的编码；`d_model` 为偶数。
# 位置很大时 float32 的角度会损失精度：可以先用 float64 计算，最后再转成 float32。

# %% nbgrader={"grade": false, "grade_id": "ex-pe", "locked": false, "schema_version": 3, "solution": true, "task": false}
def sinusoidal_positional_encoding(max_len, d_model):
    ### BEGIN SOLUTION
    pos = torch.arange(max_len, dtype=torch.float64)[:, None]              # (max_len, 1)
    two_i = torch.arange(0, d_model, 2, dtype=torch.float64)[None, :]      # (1, d_model / 2)
    angle = pos / 10000 ** (two_i / d_model)
    pe = torch.empty(max_len, d_model, dtype=torch.float64)
    pe[:, 0::2] = torch.sin(angle)
    pe[:, 1::2] = torch.cos(angle)
    return pe.float()
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-pe-test", "locked": true, "points": 2.0, "schema_version": 3, "solution": false, "task": false}
pe = sinusoidal_positional_encoding(50, 16)
assert isinstance(pe, torch.Tensor), f"应返回 torch.Tensor，实际为 {type(pe).__name__}"
assert pe.shape == (50, 16) and pe.dtype == torch.float32, f"应为 (50, 16) 的 float32 张量，实际为 {tuple(pe.shape)} {pe.dtype}"
assert torch.allclose(pe[0], torch.tensor([0.0, 1.0] * 8)), f"第 0 行应为 [0, 1, 0, 1, ...]，实际为 {pe[0].tolist()}"
assert abs(pe[1, 0].item() - math.sin(1)) < 1e-6 and abs(pe[1, 1].item() - math.cos(1)) < 1e-6, \
    f"PE[1, 0] 应为 sin 1 ≈ 0.8415，PE[1, 1] 应为 cos 1 ≈ 0.5403，实际为 {pe[1, 0].item():.4f} 和 {pe[1, 1].item():.4f}"
want = math.sin(7 / 10000 ** (4 / 16))
assert abs(pe[7, 4].item() - want) < 1e-6, f"PE[7, 4]（pos = 7，2i = 4）应为 sin(7 / 10000^(4/16)) ≈ {want:.4f}，实际为 {pe[7, 4].item():.4f}"
### BEGIN HIDDEN TESTS
for max_len, d in ((30, 6), (100, 32), (1, 2), (1000, 512)):
    got = sinusoidal_positional_encoding(max_len, d)
    assert type(got) is torch.Tensor and got.dtype == torch.float32 and got.shape == (max_len, d), \
        f"max_len={max_len}、d_model={d} 时应返回 ({max_len}, {d}) 的 float32 张量，实际为 {type(got).__name__} {getattr(got, 'shape', '')}"
    pos = torch.arange(max_len, dtype=torch.float64)[:, None]
    angle = pos / 10000 ** (torch.arange(0, d, 2, dtype=torch.float64) / d)
    want = torch.stack([torch.sin(angle), torch.cos(angle)], dim=-1).reshape(max_len, d)
    tol = 1e-5 if max_len <= 100 else 2e-4       # float32 angles lose a little for large positions
    err = max_err(got, want)
    assert err <= tol, f"max_len={max_len}、d_model={d} 时与论文公式的最大误差为 {err:.2e}（偶数维 sin、奇数维 cos，指数是 2i/d）"
### END HIDDEN TESTS

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-12", "locked": true, "schema_version": 3, "solution": false, "task": false}
# 画出来看看：横轴是维度，纵轴是位置。左边的维度频率高，颜色随位置快速交替；越往右频率越低，几乎是常数。
# 论文把词向量乘以 $\sqrt{d_\text{model}}$ 后再加上位置编码（第 3.4 节）。

# %%
pe = sinusoidal_positional_encoding(100, 64)
plt.figure(figsize=(7, 3.5))
plt.imshow(pe.numpy(), aspect="auto", cmap="RdBu", vmin=-1, vmax=1)
plt.xlabel("dimension")
plt.ylabel("position")
plt.title("Sinusoidal positional encoding (max_len=100, d_model=64)")
plt.colorbar()
plt.show()

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-13", "locked": true, "schema_version": 3, "solution": false, "task": false}
# **想一想**：论文说选择正弦函数，是因为“对任意固定的偏移 $k$，$PE_{pos+k}$ 都可以表示为 $PE_{pos}$ 的线性函数”。
# 对同一个频率 $\omega$ 的一对维度 $(\sin \omega\,pos,\ \cos \omega\,pos)$，这个线性变换是什么？它依赖 $pos$ 吗？
#
# <details><summary>提示</summary>
#
# 由和角公式，$\sin\omega(pos+k) = \sin\omega pos\cos\omega k + \cos\omega pos\sin\omega k$，
# $\cos\omega(pos+k) = \cos\omega pos\cos\omega k - \sin\omega pos\sin\omega k$，也就是把这对数乘以一个旋转矩阵
# $\begin{pmatrix}\cos\omega k & \sin\omega k\\ -\sin\omega k & \cos\omega k\end{pmatrix}$。它只依赖偏移 $k$，不依赖 $pos$：
# “往后挪 $k$ 个位置”在每对维度上都是同一个旋转，模型容易学会按**相对**位置去关注。RoPE（旋转位置编码）把这个想法用在了 $q$、$k$ 上。
# </details>

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-14", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ## 5. Pre-LN 编码器块
#
# 一个 Transformer 编码器块由两个子层组成：多头自注意力，和逐位置的前馈网络 $\mathrm{FFN}(x) = W_2\,\mathrm{ReLU}(W_1 x + b_1) + b_2$。
# 每个子层都带残差连接和 LayerNorm。论文原版把 LayerNorm 放在残差相加**之后**（Post-LN）；
# 现在更常用的是放在子层**之前**（Pre-LN，GPT-2 之后的大多数模型都这样做）：
#
# $$\text{Post-LN:}\quad x \leftarrow \mathrm{LN}\big(x + \mathrm{SA}(x)\big),\quad x \leftarrow \mathrm{LN}\big(x + \mathrm{FFN}(x)\big)$$
# $$\text{Pre-LN:}\quad x \leftarrow x + \mathrm{SA}\big(\mathrm{LN}_1(x)\big),\quad x \leftarrow x + \mathrm{FFN}\big(\mathrm{LN}_2(x)\big)$$
#
# `nn.TransformerEncoderLayer(d_model, nhead, dim_feedforward, dropout=0.0, batch_first=True, norm_first=True)` 就是 Pre-LN 版本。
# 它的子模块名是 `self_attn`（一个 `nn.MultiheadAttention`）、`linear1`（`d_model → dim_feedforward`）、`linear2`（`dim_feedforward → d_model`）、
# `norm1`、`norm2`（`nn.LayerNorm(d_model)`，eps 为 1e-5）；几个 `Dropout` 没有参数，本节不用。
# 掩码沿用 `nn.MultiheadAttention` 的约定：`src_mask` 为 `(L, L)` 布尔张量，True = 不许看；`src_key_padding_mask` 为 `(N, L)`，True = padding。
#
# ### 练习 6：`MyEncoderBlock`（3 分）
#
# 实现 `MyEncoderBlock(d_model, nhead, dim_feedforward=2048, activation="relu")`（`activation` 为 `"relu"` 或 `"gelu"`），
# 子模块名与上面相同，`self_attn` 用你的 `MyMultiheadAttention(d_model, nhead, batch_first=True)`，
# 使得 `nn.TransformerEncoderLayer` 的 `state_dict` 可以直接加载。`forward(src, src_mask=None, src_key_padding_mask=None)`：
# `src` 形状 `(N, L, d_model)`，返回同形状的张量，按上面的 Pre-LN 公式计算（自注意力的 `query`、`key`、`value` 都是 $\mathrm{LN}_1(x)$，
# 不需要注意力权重）。

# %% nbgrader={"grade": false, "grade_id": "ex-encoder", "locked": false, "schema_version": 3, "solution": true, "task": false}
class MyEncoderBlock(nn.Module):
    def __init__(self, d_model, nhead, dim_feedforward=2048, activation="relu"):
        super().__init__()
        ### BEGIN SOLUTION
        if activation not in ("relu", "gelu"):
            raise ValueError(f"activation 应为 'relu' 或 'gelu'，收到 {activation!r}")
        self.self_attn = MyMultiheadAttention(d_model, nhead, batch_first=True)
        self.linear1 = nn.Linear(d_model, dim_feedforward)
        self.linear2 = nn.Linear(dim_feedforward, d_model)
        self.norm1 = nn.LayerNorm(d_model)
        self.norm2 = nn.LayerNorm(d_model)
        self.activation = F.relu if activation == "relu" else F.gelu
        ### END SOLUTION

    def forward(self, src, src_mask=None, src_key_padding_mask=None):
        ### BEGIN SOLUTION
        h = self.norm1(src)
        x = src + self.self_attn(h, h, h, key_padding_mask=src_key_padding_mask, attn_mask=src_mask,
                                 need_weights=False)[0]
        return x + self.linear2(self.activation(self.linear1(self.norm2(x))))
        ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-encoder-params-test", "locked": true, "points": 1.0, "schema_version": 3, "solution": false, "task": false}
block = MyEncoderBlock(16, 4, 32)
ref = nn.TransformerEncoderLayer(16, 4, 32, dropout=0.0, batch_first=True, norm_first=True)
mine_shapes = {name: tuple(t.shape) for name, t in block.state_dict().items()}
ref_shapes = {name: tuple(t.shape) for name, t in ref.state_dict().items()}
assert mine_shapes == ref_shapes, (f"参数名与形状应与 nn.TransformerEncoderLayer 相同：缺少 {sorted(set(ref_shapes) - set(mine_shapes))}，"
                                   f"多出 {sorted(set(mine_shapes) - set(ref_shapes))}，其余形状 {mine_shapes}")
assert isinstance(block.self_attn, MyMultiheadAttention), \
    f"self_attn 应是你的 MyMultiheadAttention，实际为 {type(block.self_attn).__name__}"
loaded = block.load_state_dict(ref.state_dict())
assert not loaded.missing_keys and not loaded.unexpected_keys, f"加载 nn.TransformerEncoderLayer 的权重时不匹配：{loaded}"
### BEGIN HIDDEN TESTS
for d, h, ff, act in ((12, 3, 20, "relu"), (8, 2, 8, "gelu")):
    block_h = MyEncoderBlock(d, h, ff, activation=act)
    ref_h = nn.TransformerEncoderLayer(d, h, ff, dropout=0.0, activation=act, batch_first=True, norm_first=True)
    got = {name: tuple(t.shape) for name, t in block_h.state_dict().items()}
    want = {name: tuple(t.shape) for name, t in ref_h.state_dict().items()}
    assert got == want, f"MyEncoderBlock({d}, {h}, {ff}, activation={act!r}) 的参数名与形状不对：你的模块是 {got}"
    assert type(block_h.self_attn) is MyMultiheadAttention, \
        f"MyEncoderBlock({d}, {h}, {ff}) 的 self_attn 应是 MyMultiheadAttention，实际为 {type(block_h.self_attn).__name__}"
    assert abs(block_h.norm1.eps - 1e-5) < 1e-12 and abs(block_h.norm2.eps - 1e-5) < 1e-12, \
        f"两个 LayerNorm 的 eps 应为 1e-5，你的是 {block_h.norm1.eps} 和 {block_h.norm2.eps}"
default_ff = MyEncoderBlock(8, 2)
assert default_ff.linear1.out_features == 2048, f"dim_feedforward 默认应为 2048，实际为 {default_ff.linear1.out_features}"
### END HIDDEN TESTS

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-15", "locked": true, "schema_version": 3, "solution": false, "task": false}
# **和官方模块比较时的一个细节。** `nn.TransformerEncoderLayer` 在 `eval()` 模式、且不需要梯度时会走一条**快速路径**（fast path）：
# 整个块交给一个融合的 C++ 函数 `torch._transformer_encoder_layer_fwd` 一次算完，不再逐步调用 Python 代码。
# 对单独一层而言，快速路径与普通路径的结果在 1e-7 量级上一致（torch 2.14 实测，padding 位置也一样）。但把几层叠成 `nn.TransformerEncoder`（Post-LN）后，
# 它在 eval 模式且不需要梯度时会把带 padding 的 batch 转成**嵌套张量**（nested tensor，只存真实的词），算完再补回普通张量——padding 位置的输出直接是 0，
# 与训练模式下算出的值完全不同。padding 位置的输出本来就没有意义（没有谁会看它们，损失也不算它们），
# 所以与官方实现比较时，要么只比较真实位置，要么用 `dropout=0.0` 的模块在训练模式下比较（训练模式从不走快速路径）。
# 下面的测试两样都做。构造 Pre-LN 的 `nn.TransformerEncoder` 时，PyTorch 还会发出一条警告，说明它为什么不用嵌套张量：

# %%
torch.manual_seed(0)
x = torch.randn(3, 5, 16)
pad = mha_padding_mask(torch.tensor([5, 3, 1]))
with warnings.catch_warnings():
    warnings.simplefilter("ignore")        # the "nested tensors are a prototype" warning
    stack = nn.TransformerEncoder(nn.TransformerEncoderLayer(16, 4, 32, dropout=0.0, batch_first=True), num_layers=2)
    with torch.no_grad():
        y_train = stack.train()(x, src_key_padding_mask=pad)
        y_eval = stack.eval()(x, src_key_padding_mask=pad)
print("真实位置：训练模式与 eval 模式的最大差", max_err(y_train[~pad], y_eval[~pad]))
print("padding 位置：eval 模式输出的最大绝对值", y_eval[pad].abs().max().item(),
      "| 训练模式", y_train[pad].abs().max().item())
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    nn.TransformerEncoder(nn.TransformerEncoderLayer(16, 4, 32, batch_first=True, norm_first=True), num_layers=2)
print("构造 Pre-LN 堆叠时的警告：", [str(w.message) for w in caught])

# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-encoder-forward-test", "locked": true, "points": 2.0, "schema_version": 3, "solution": false, "task": false}
torch.manual_seed(0)
ref = randomize_(nn.TransformerEncoderLayer(16, 4, 32, dropout=0.0, batch_first=True, norm_first=True), seed=3)
block = MyEncoderBlock(16, 4, 32)
assert set(block.state_dict()) == set(ref.state_dict()), \
    f"参数名与 nn.TransformerEncoderLayer 不同，无法拷入官方权重：你的参数是 {sorted(block.state_dict())}（先通过参数测试）"
block.load_state_dict(ref.state_dict())
x = torch.randn(3, 5, 16)
pad = torch.tensor([[False] * 5, [False] * 3 + [True] * 2, [False] + [True] * 4])
with torch.no_grad():
    y = block(x)
    assert isinstance(y, torch.Tensor) and y.shape == (3, 5, 16), \
        f"输入 (3, 5, 16) 时应返回同形状的张量，实际为 {type(y).__name__} {getattr(y, 'shape', '')}"
    err = max_err(y, ref.train()(x))
    assert err <= 1e-5, f"无掩码时与 nn.TransformerEncoderLayer(norm_first=True) 的最大误差为 {err:.2e}（Pre-LN：x + SA(LN1(x))，再 x + FFN(LN2(x))）"
    y_pad = block(x, src_key_padding_mask=pad)
    err = max_err(y_pad, ref.train()(x, src_key_padding_mask=pad))
    assert err <= 1e-5, f"给出 src_key_padding_mask 时与训练模式下的官方模块（dropout=0）的最大误差为 {err:.2e}"
    err = max_err(y_pad[~pad], ref.eval()(x, src_key_padding_mask=pad)[~pad])
    assert err <= 1e-5, f"给出 src_key_padding_mask 时真实位置的输出与 eval 模式下的官方模块最大误差为 {err:.2e}"
### BEGIN HIDDEN TESTS
torch.manual_seed(16)
for d, h, ff, act, L in ((12, 3, 20, "relu", 6), (8, 2, 16, "gelu", 4), (16, 8, 8, "relu", 7)):
    ref_h = randomize_(nn.TransformerEncoderLayer(d, h, ff, dropout=0.0, activation=act, batch_first=True, norm_first=True),
                       seed=200 + d)
    block_h = MyEncoderBlock(d, h, ff, activation=act)
    block_h.load_state_dict(ref_h.state_dict())
    xh = torch.randn(4, L, d) * 2 + 1
    pad_h = torch.arange(L)[None, :] >= torch.tensor([L, 1, L - 1, 2])[:, None]
    future = torch.ones(L, L, dtype=torch.bool).triu(1)
    with torch.no_grad():
        for kwargs in ({}, {"src_key_padding_mask": pad_h}, {"src_mask": future},
                       {"src_mask": future, "src_key_padding_mask": pad_h}):
            got = block_h(xh, **kwargs)
            err = max_err(got, ref_h.train()(xh, **kwargs))
            assert err <= 1e-5, (f"d_model={d}、nhead={h}、dim_feedforward={ff}、activation={act!r}、掩码 {sorted(kwargs)} 时"
                                 f"与官方模块的最大误差为 {err:.2e}")
            err = max_err(got[~pad_h], ref_h.eval()(xh, **kwargs)[~pad_h])
            assert err <= 1e-5, f"d_model={d}、nhead={h}、掩码 {sorted(kwargs)} 时真实位置与 eval 模式官方模块的最大误差为 {err:.2e}"
xg = torch.randn(2, 3, 12, requires_grad=True)
block_g = MyEncoderBlock(12, 3, 20)
block_g(xg).sum().backward()
assert xg.grad is not None and all(p.grad is not None for p in block_g.parameters()), \
    "梯度应能传回输入和每一个参数（两个子层都要用到，且不要 detach）"
### END HIDDEN TESTS

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-16", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ## 6. 读 PyTorch 的源码
#
# 到这里你已经亲手写出了和官方一致的零件。官方代码还多做了哪些事？为什么那样写？这一部分带你读源码。
# 不需要上网：PyTorch 的 Python 源码就装在你的机器上，`inspect` 模块可以告诉你在哪个文件、第几行，并把源码打印出来。
# 在 Jupyter 里，`nn.TransformerEncoderLayer.forward??`（两个问号）也能直接显示源码。
#
# - `nn.TransformerEncoderLayer`、`nn.TransformerEncoder` 在 `torch/nn/modules/transformer.py`；
# - `nn.MultiheadAttention` 在 `torch/nn/modules/activation.py`（它的 `forward` 最终调用 `F.multi_head_attention_forward`）；
# - `F.multi_head_attention_forward`、`F._canonical_mask` 在 `torch/nn/functional.py`；
# - `F.scaled_dot_product_attention` 是 C++ 实现的，`inspect.getsource` 读不到；它的文档字符串里有一段等价的 Python 参考实现。
#
# 下面的问题都针对 torch 2.14 的源码，引用时请写**函数名和代码原文**，不要只写行号（行号随版本变化）。

# %%
print("functional.py:  ", inspect.getsourcefile(F))
print("transformer.py: ", inspect.getsourcefile(nn.TransformerEncoderLayer))
print("activation.py:  ", inspect.getsourcefile(nn.MultiheadAttention))
_, first_line = inspect.getsourcelines(F.multi_head_attention_forward)
print("F.multi_head_attention_forward 从 functional.py 的第", first_line, "行开始")
try:
    inspect.getsource(F.scaled_dot_product_attention)
except TypeError as exc:
    print("F.scaled_dot_product_attention：", exc)
print("\n".join(F.scaled_dot_product_attention.__doc__.splitlines()[6:40]))

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-17", "locked": true, "schema_version": 3, "solution": false, "task": false}
# 一个函数常有几百行。`show_source(obj, "词1", "词2", context=2)` 只打印含有这些词的行及其前后 `context` 行（带文件中的行号）；
# 不给词时打印全部。

# %% deletable=false editable=false nbgrader={"grade": false, "grade_id": "source-helper", "locked": true, "schema_version": 3, "solution": false, "task": false}
def show_source(obj, *words, context=2):
    """Print the source of `obj` with its file's line numbers: every line, or only those containing one of
    `words` and `context` lines around each."""
    lines, first = inspect.getsourcelines(obj)
    print(f"# {inspect.getsourcefile(obj)}（torch {torch.__version__}）")
    if words:
        hits = [i for i, line in enumerate(lines) if any(w in line for w in words)]
        shown = sorted({j for i in hits for j in range(max(0, i - context), min(len(lines), i + context + 1))})
    else:
        shown = list(range(len(lines)))
    previous = None
    for i in shown:
        if previous is not None and i != previous + 1:
            print("      ...")
        print(f"{first + i:6d}  {lines[i].rstrip()}")
        previous = i


# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-18", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 6.1 缩放发生在哪里
#
# `nn.MultiheadAttention.forward` 在走不了快速路径时调用 `F.multi_head_attention_forward`。读它的后半部分：
# 先看 q 被整理成什么形状，再看 `need_weights=True` 和 `need_weights=False` 两个分支各自怎样算注意力。

# %%
show_source(F.multi_head_attention_forward, "q = q.view", "q_scaled", "_B, _Nt, E", "baddbmm",
            "scaled_dot_product_attention(", context=1)

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-19", "locked": true, "schema_version": 3, "solution": false, "task": false}
# **问题 1（2 分，人工评分）**：
#
# (a) 在 `F.multi_head_attention_forward` 中，`need_weights=True` 与 `need_weights=False` 两个分支分别在哪里、以什么方式乘上缩放因子？
# 这里的 $d$ 是 `embed_dim` 还是每个头的维数？从哪几句代码可以看出来？
#
# (b) `need_weights=True` 的分支把 q 先乘上缩放因子，再与 k 相乘，而不是先算出 $qk^\top$ 再除。这样做有什么好处？（比较两个张量的元素个数。）
#
# (c) 为什么要缩放？设 q、k 的各分量独立、均值为 0、方差为 1，点积 $q\cdot k$ 的方差是多少？不缩放时，维数大了会怎样？
#
# 把回答写在下面的单元格里（引用代码原文）。

# %% [markdown] nbgrader={"grade": true, "grade_id": "read-scaling", "locked": false, "points": 2.0, "schema_version": 3, "solution": true, "task": false}
# **参考答案**
#
# (a) 进入注意力计算之前，q 已被整理成每个头一份：`q = q.view(tgt_len, bsz * num_heads, head_dim).transpose(0, 1)`，
# 形状 `(bsz * num_heads, tgt_len, head_dim)`。
# - `need_weights=True`：`_B, _Nt, E = q.shape` 取出的 `E` 正是 `head_dim`，然后 `q_scaled = q * math.sqrt(1.0 / float(E))`，
#   再用 `torch.baddbmm(attn_mask, q_scaled, k.transpose(-2, -1))` 一步算出“掩码 + 缩放后的分数”，之后 softmax、与 v 相乘。
# - `need_weights=False`：源码里没有显式的缩放；q、k、v 被整理成 `(bsz, num_heads, L, head_dim)` 后交给
#   `scaled_dot_product_attention(q, k, v, attn_mask, dropout_p, is_causal)`，没有传 `scale`，于是用默认值
#   `1 / math.sqrt(query.size(-1))`（SDPA 文档字符串中的参考实现），`query.size(-1)` 也是 `head_dim`。
#
# 所以 $d$ 是每个头的维数 `embed_dim // num_heads`，不是 `embed_dim`（变量名 `E` 很容易让人误读）。
#
# (b) q 每个头只有 $L \times d_h$ 个元素，分数矩阵有 $L \times S$ 个；先缩放 q 只需 $L d_h$ 次乘法，序列长时比缩放 $L\times S$ 的分数省，
# 也少分配一个 $L\times S$ 的中间张量（`baddbmm` 把加掩码也并进了矩阵乘法）。同时乘法之前数值更小，半精度下不容易溢出。
#
# (c) $q\cdot k = \sum_{i=1}^{d} q_i k_i$，每项均值 0、方差 1，且相互独立，所以方差为 $d$，标准差 $\sqrt d$。
# 不缩放时 $d$ 越大分数越分散，softmax 越接近 one-hot：落在饱和区，梯度很小，训练困难（论文 3.2.1 节的脚注）。
# 除以 $\sqrt d$ 让分数的方差回到 1，与维数无关。
#
# === BEGIN MARK SCHEME ===
# 共 2 分，可以给半分。
# - (a) 1 分：两个分支都说对（`q_scaled = q * math.sqrt(1.0 / float(E))` 与交给 SDPA 用默认的 1/sqrt(query.size(-1))）得 0.5 分；
#   指出 d 是每个头的维数 head_dim（不是 embed_dim），并以 q 的形状 `(bsz * num_heads, tgt_len, head_dim)` 或 `_B, _Nt, E = q.shape` 为据，得 0.5 分。
#   只说“乘了 1/sqrt(d)”而不区分两个分支，或认为 d 是 embed_dim：该半分不给。
# - (b) 0.5 分：比较元素个数（L×d_h 对 L×S）说明先缩放 q 更省，或指出少一个 L×S 的中间张量 / 数值范围更小，任一合理理由即可。
# - (c) 0.5 分：方差为 d（标准差 sqrt(d)），并说明不缩放会使 softmax 饱和、梯度变小。只写“防止数值太大”而没有方差推理：0 分。
# 引用的代码与 torch 2.14 源码明显不符（编造的语句）的部分不得分。
# === END MARK SCHEME ===

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-20", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 6.2 两种掩码怎样合并
#
# 先读 `F._canonical_mask`（所有掩码进门时都要经过它），再看 `F.multi_head_attention_forward` 里 `key_padding_mask` 怎样并进 `attn_mask`，
# 最后看快速路径用的 `nn.MultiheadAttention.merge_masks`。

# %%
show_source(F._canonical_mask)
show_source(F.multi_head_attention_forward, "is_causal = False", "ensure attn_mask's dim is 3", "attn_mask.unsqueeze(0)",
            "merge key padding", "key_padding_mask.view", "attn_mask = attn_mask + key_padding_mask", context=3)
show_source(nn.MultiheadAttention.merge_masks, "logical", "_expanded", context=1)

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-21", "locked": true, "schema_version": 3, "solution": false, "task": false}
# **问题 2（2 分，人工评分）**：
#
# (a) `_canonical_mask` 把布尔掩码变成了什么？浮点掩码呢？为什么经过它之后，两个掩码可以直接**相加**？
#
# (b) 在 `F.multi_head_attention_forward` 中，形状 `(N, S)` 的 `key_padding_mask` 经过哪几步变形才与 `attn_mask` 相加？相加后的形状是什么？
# 对“不许看”而言，相加等价于哪种逻辑运算？
#
# (c) `merge_masks` 的文档字符串说两个掩码 “combined with logical `or`”，代码里写的却是加法。两者矛盾吗？
# 另外，同时给出 `key_padding_mask` 时，源码为什么要把 `is_causal` 提示关掉？

# %% [markdown] nbgrader={"grade": true, "grade_id": "read-masks", "locked": false, "points": 2.0, "schema_version": 3, "solution": true, "task": false}
# **参考答案**
#
# (a) 布尔掩码被换成同形状的浮点张量：`torch.zeros_like(mask, dtype=target_type).masked_fill_(mask, float("-inf"))`，
# 即 True（不许看）处为 $-\infty$，其余为 0。浮点掩码原样返回，之后直接**加**到分数上（所以 0/1 的浮点掩码并不会遮住任何位置，只是给分数加 1）。
# 其他 dtype 会触发 `only bool and floating types of ... are supported` 的错误；两个掩码类型不一致时会发出“已弃用”的警告。
# 统一成“加到分数上的偏置”之后，多个掩码的效果就是把偏置相加，一条 `+` 就能合并。
#
# (b) `key_padding_mask.view(bsz, 1, 1, src_len).expand(-1, num_heads, -1, -1).reshape(bsz * num_heads, 1, src_len)`：
# 先为每个头复制一份，再与 q 一样把批量维和头维并成一维；二维的 `attn_mask` `(L, S)` 之前已 `unsqueeze(0)` 成 `(1, L, S)`。
# 相加时广播成 `(bsz * num_heads, L, S)`。$0 + 0 = 0$，只要有一个是 $-\infty$ 结果就是 $-\infty$：
# 对“不许看”是**逻辑或**（对“可以看”是逻辑与）。
#
# (c) 不矛盾：进入 `merge_masks` 之前两个掩码都已被 `_canonical_mask` 变成 $0/-\infty$ 的浮点张量，在这种表示下加法就是逻辑或；
# 浮点掩码还能叠加任意的偏置（例如 ALiBi 这类位置偏置），比布尔运算更通用。
# 关于 `is_causal`：它只是一个“这个掩码是因果掩码”的**提示**，让 SDPA 可以用专门的因果内核而不读掩码；
# 并进 padding 掩码以后，合并出的掩码已经不再是纯粹的下三角（源码注释：“the merged mask is no longer causal”），再用这个提示就会算错，
# 所以要关掉，改为老老实实地使用合并后的掩码。
#
# === BEGIN MARK SCHEME ===
# 共 2 分，可以给半分。
# - (a) 0.5 分：布尔 → 0/−inf 的浮点张量（True 处为 −inf），浮点掩码原样相加；并说明因此可以相加。
# - (b) 1 分：写出 view → expand（按头复制）→ reshape 成 (bsz*num_heads, 1, S)，相加后为 (bsz*num_heads, L, S)，得 0.5 分；
#   指出相加对“不许看”等价于逻辑或（或对“可以看”等价于逻辑与），得 0.5 分。
# - (c) 0.5 分：指出在 0/−inf 表示下加法即逻辑或，二者不矛盾；并说明 is_causal 在合并 padding 掩码后不再成立（只答其一给 0.25 分）。
# 只复述代码而不解释“为什么”的部分最多给一半。
# === END MARK SCHEME ===

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-22", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 6.3 `need_weights` 与 `average_attn_weights`
#
# `nn.MultiheadAttention` 默认 `need_weights=True`，而 `nn.TransformerEncoderLayer` 调用它时传的是 `need_weights=False`。

# %%
show_source(nn.TransformerEncoderLayer._sa_block)
show_source(F.multi_head_attention_forward, "if need_weights:", "attn_output_weights.view", "return attn_output", context=2)

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-23", "locked": true, "schema_version": 3, "solution": false, "task": false}
# **问题 3（1 分，人工评分）**：`need_weights=True` 与 `False` 在 `F.multi_head_attention_forward` 里分别走哪条计算路径、返回什么？
# `nn.TransformerEncoderLayer._sa_block` 为什么传 `need_weights=False`？`average_attn_weights` 对返回的权重做了什么，形状如何变化？

# %% [markdown] nbgrader={"grade": true, "grade_id": "read-need-weights", "locked": false, "points": 1.0, "schema_version": 3, "solution": true, "task": false}
# **参考答案**
#
# `need_weights=True`：在 Python 里显式计算——`baddbmm` 得到分数、`softmax`、（训练时）dropout、再 `bmm` 乘 v。
# 形状 `(bsz * num_heads, L, S)` 的权重矩阵被完整地算出、保存并返回：先 `.view(bsz, num_heads, tgt_len, src_len)`，
# `average_attn_weights=True` 时再 `.mean(dim=1)` 对各头取平均，返回 `(N, L, S)`；为 False 时返回每个头的 `(N, num_heads, L, S)`。
#
# `need_weights=False`：交给 `scaled_dot_product_attention`，第二个返回值是 `None`。SDPA 可以选择融合内核（FlashAttention、
# memory-efficient attention 等），它们分块计算，从不把 $L\times S$ 的权重矩阵写进内存，长序列时又快又省显存。
#
# 编码器块只需要注意力的输出、不需要权重，所以 `_sa_block` 传 `need_weights=False` 以走 SDPA 这条快的路径。
# 平均后的权重只适合画图观察，丢掉了每个头各自的信息。
#
# === BEGIN MARK SCHEME ===
# 共 1 分，可以给半分。
# - 0.5 分：True 走显式的 bmm/softmax 路径并返回权重，False 交给 scaled_dot_product_attention、返回 None；
#   并说明 _sa_block 不需要权重，传 False 是为了用更快、更省内存的 SDPA（能提到不必生成 L×S 权重矩阵更好）。
# - 0.5 分：average_attn_weights 对头这一维取平均（mean(dim=1)），形状 (N, L, S)；否则 (N, num_heads, L, S)。
# === END MARK SCHEME ===

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-24", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 用实验确定的六个事实（2 分）
#
# 读源码得出的结论，最好用实验确认一遍。下面每一项都请你**写代码做实验**得出答案（不要只凭猜测），填进字典 `ATTN_FACTS`。
# 隐藏测试会自己做同样的实验来核对。
#
# | 键 | 问题 | 答案的类型 |
# |---|---|---|
# | `"scale"` | `nn.MultiheadAttention(32, 4)` 在 `need_weights=True` 的分支中，q 被乘上的那个数（问题 1 的结论） | `float` |
# | `"weights_shape_averaged"` | `nn.MultiheadAttention(8, 2, batch_first=True)`，query `(2, 3, 8)`、key 和 value `(2, 6, 8)` 时返回的权重形状 | `tuple` |
# | `"weights_shape_per_head"` | 同上，但 `average_attn_weights=False` | `tuple` |
# | `"weights_without_need"` | 同上，但 `need_weights=False` 时返回的第二个值 | 那个值本身 |
# | `"float_mask_hides_padding"` | 把 0/1 的**浮点**张量（padding 处为 1.0）当作 `key_padding_mask` 传给 `nn.MultiheadAttention`，padding 键的权重是否都为 0？ | `bool` |
# | `"stack_zero_at_padding"` | 由 Post-LN 层（`norm_first=False`）堆成的 `nn.TransformerEncoder`，在 `eval()` 且 `torch.no_grad()` 下给出 `src_key_padding_mask`，padding 位置的输出是否全为 0？ | `bool` |
#
# 形状写成整数的元组，例如 `(4, 5)`。

# %% nbgrader={"grade": false, "grade_id": "read-facts", "locked": false, "schema_version": 3, "solution": true, "task": false}
### BEGIN SOLUTION
torch.manual_seed(0)
_mha = nn.MultiheadAttention(8, 2, batch_first=True)
_q, _kv = torch.randn(2, 3, 8), torch.randn(2, 6, 8)
_pad = torch.tensor([[False] * 4 + [True] * 2] * 2)
with torch.no_grad():
    _, _w_avg = _mha(_q, _kv, _kv)
    _, _w_heads = _mha(_q, _kv, _kv, average_attn_weights=False)
    _, _w_none = _mha(_q, _kv, _kv, need_weights=False)
    _, _w_float = _mha(_q, _kv, _kv, key_padding_mask=_pad.float())
_x = torch.randn(2, 4, 16)
_pad_x = torch.tensor([[False] * 4, [False, False, True, True]])
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    _stack = nn.TransformerEncoder(nn.TransformerEncoderLayer(16, 4, 32, dropout=0.0, batch_first=True), 2).eval()
    with torch.no_grad():
        _y = _stack(_x, src_key_padding_mask=_pad_x)
ATTN_FACTS = {
    "scale": 1 / math.sqrt(32 // 4),     # E in multi_head_attention_forward is head_dim = 8
    "weights_shape_averaged": tuple(_w_avg.shape),
    "weights_shape_per_head": tuple(_w_heads.shape),
    "weights_without_need": _w_none,
    "float_mask_hides_padding": bool((_w_float[_pad[:, None, :].expand_as(_w_float)] == 0).all()),
    "stack_zero_at_padding": bool((_y[_pad_x] == 0).all()),
}
### END SOLUTION
print(ATTN_FACTS)

# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "read-facts-test", "locked": true, "points": 2.0, "schema_version": 3, "solution": false, "task": false}
KEYS = {"scale", "weights_shape_averaged", "weights_shape_per_head", "weights_without_need", "float_mask_hides_padding",
        "stack_zero_at_padding"}
assert isinstance(ATTN_FACTS, dict) and set(ATTN_FACTS) == KEYS, \
    f"ATTN_FACTS 应是恰好含这六个键的字典：{sorted(KEYS)}，实际为 {sorted(ATTN_FACTS) if isinstance(ATTN_FACTS, dict) else type(ATTN_FACTS).__name__}"
assert isinstance(ATTN_FACTS["scale"], (int, float)) and not isinstance(ATTN_FACTS["scale"], bool), f"'scale' 应是一个数，实际为 {type(ATTN_FACTS['scale']).__name__}"
for _key in ("weights_shape_averaged", "weights_shape_per_head"):
    _val = ATTN_FACTS[_key]
    assert type(_val) is tuple and all(type(n) is int for n in _val), f"'{_key}' 应是整数元组，例如 (4, 5)，实际为 {_val!r}"
for _key in ("float_mask_hides_padding", "stack_zero_at_padding"):
    assert type(ATTN_FACTS[_key]) is bool, f"'{_key}' 应是 True 或 False，实际为 {ATTN_FACTS[_key]!r}"
### BEGIN HIDDEN TESTS
torch.manual_seed(17)
_probe = nn.MultiheadAttention(8, 2, batch_first=True)
_pq, _pkv = torch.randn(2, 3, 8), torch.randn(2, 6, 8)
_ppad = torch.tensor([[False] * 5 + [True], [False] * 3 + [True] * 3])
with torch.no_grad():
    _truth_avg = tuple(_probe(_pq, _pkv, _pkv)[1].shape)
    _truth_heads = tuple(_probe(_pq, _pkv, _pkv, average_attn_weights=False)[1].shape)
    _truth_none = _probe(_pq, _pkv, _pkv, need_weights=False)[1]
    _wf = _probe(_pq, _pkv, _pkv, key_padding_mask=_ppad.float())[1]
_truth_float = bool((_wf[_ppad[:, None, :].expand_as(_wf)] == 0).all())
_px = torch.randn(3, 5, 16)
_ppad_x = torch.arange(5)[None, :] >= torch.tensor([5, 2, 3])[:, None]
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    _pstack = nn.TransformerEncoder(nn.TransformerEncoderLayer(16, 4, 32, dropout=0.0, batch_first=True), 2).eval()
    with torch.no_grad():
        _truth_stack = bool((_pstack(_px, src_key_padding_mask=_ppad_x)[_ppad_x] == 0).all())
_scale = ATTN_FACTS["scale"]
assert abs(_scale - 1 / math.sqrt(32 // 4)) < 1e-6, \
    f"'scale' 不对：你填的是 {_scale!r}（multi_head_attention_forward 里的 E 是从哪个张量的形状取出的？）"
assert ATTN_FACTS["weights_shape_averaged"] == _truth_avg, \
    f"'weights_shape_averaged' 不对：你填的是 {ATTN_FACTS['weights_shape_averaged']!r}（L = 3、S = 6，批量维在前）"
assert ATTN_FACTS["weights_shape_per_head"] == _truth_heads, \
    f"'weights_shape_per_head' 不对：你填的是 {ATTN_FACTS['weights_shape_per_head']!r}"
assert ATTN_FACTS["weights_without_need"] is _truth_none or ATTN_FACTS["weights_without_need"] == _truth_none, \
    f"'weights_without_need' 不对：你填的是 {ATTN_FACTS['weights_without_need']!r}"
assert ATTN_FACTS["float_mask_hides_padding"] is _truth_float, \
    f"'float_mask_hides_padding' 不对：你填的是 {ATTN_FACTS['float_mask_hides_padding']!r}（看看 _canonical_mask 怎样处理浮点掩码）"
assert ATTN_FACTS["stack_zero_at_padding"] is _truth_stack, \
    f"'stack_zero_at_padding' 不对：你填的是 {ATTN_FACTS['stack_zero_at_padding']!r}"
### END HIDDEN TESTS

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-25", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 6.4 快速路径需要什么
#
# 回到 `nn.TransformerEncoderLayer.forward`。它先检查一长串条件，任何一条不满足，就把原因写进 `why_not_sparsity_fast_path`；
# 全部满足时才调用融合函数 `torch._transformer_encoder_layer_fwd`，否则走下面那段普通的 Python 代码。

# %%
show_source(nn.TransformerEncoderLayer.forward, "why_not_sparsity_fast_path", "elif", "_transformer_encoder_layer_fwd(",
            context=1)

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-26", "locked": true, "schema_version": 3, "solution": false, "task": false}
# 怎样从外面知道一次调用走没走快速路径？forward hook 不行——读读上面的条件，挂上 hook 本身就会让它退回普通路径。
# 可以利用 Python 的动态性：`forward` 每次都是通过 `torch` 模块的属性去找 `torch._transformer_encoder_layer_fwd`，
# 所以在调用期间把这个属性临时换成一个“记下自己被调用过、再原样调用原函数”的包装函数，就能知道它有没有被调用。
#
# ### 练习 7：`fast_path_taken`（2 分）
#
# 实现 `fast_path_taken(layer, src, **kwargs)`：执行一次 `layer(src, **kwargs)`，若这次调用走了融合函数
# `torch._transformer_encoder_layer_fwd` 就返回 `True`，否则返回 `False`。要求：
# - “原函数”指调用时 `torch._transformer_encoder_layer_fwd` 所指的那个函数：包装函数把所有参数原样交给它并返回它的结果
#   （层的输出不能因为你的检测而改变）；
# - 调用结束后**无论是否出错**都要把原函数放回去（`try` / `finally`），出错时照常抛出异常；
# - 不改变 `layer` 的模式、参数和梯度设置（由调用者决定在 `torch.no_grad()` 里调用与否）。

# %% nbgrader={"grade": false, "grade_id": "ex-fast-path", "locked": false, "schema_version": 3, "solution": true, "task": false}
def fast_path_taken(layer, src, **kwargs):
    ### BEGIN SOLUTION
    original = torch._transformer_encoder_layer_fwd
    calls = []

    def spy(*args, **kw):
        calls.append(1)
        return original(*args, **kw)

    torch._transformer_encoder_layer_fwd = spy
    try:
        layer(src, **kwargs)
    finally:
        torch._transformer_encoder_layer_fwd = original
    return bool(calls)
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-fast-path-test", "locked": true, "points": 2.0, "schema_version": 3, "solution": false, "task": false}
_fused = torch._C._VariableFunctions._transformer_encoder_layer_fwd    # the original, wherever torch's attribute points now
torch._transformer_encoder_layer_fwd = _fused
torch.manual_seed(0)
layer = nn.TransformerEncoderLayer(16, 4, 32, dropout=0.0, batch_first=True, norm_first=True)
x = torch.randn(2, 5, 16)
layer.eval()
with torch.no_grad():
    taken = fast_path_taken(layer, x)
assert taken is True, f"eval() 且在 torch.no_grad() 中调用时应走快速路径，你的函数返回 {taken!r}"
assert torch._transformer_encoder_layer_fwd is _fused, "调用结束后应把 torch._transformer_encoder_layer_fwd 换回原函数"
layer.train()
with torch.no_grad():
    taken = fast_path_taken(layer, x)
assert taken is False, f"训练模式下不会走快速路径，你的函数返回 {taken!r}"
### BEGIN HIDDEN TESTS
torch._transformer_encoder_layer_fwd = _fused


def _truth(layer, src, **kwargs):
    """The checker's own spy: did this call reach the fused function?"""
    seen = []

    def spy(*args, **kw):
        seen.append(1)
        return _fused(*args, **kw)

    torch._transformer_encoder_layer_fwd = spy
    try:
        layer(src, **kwargs)
    finally:
        torch._transformer_encoder_layer_fwd = _fused
    return bool(seen)


class _Recorded(nn.TransformerEncoderLayer):
    """Keeps its last output (an overridden forward, not a hook: hooks close the fast path)."""

    def forward(self, *args, **kwargs):
        self.last = super().forward(*args, **kwargs)
        return self.last


def _make(d=16, h=4, cls=nn.TransformerEncoderLayer, **kw):
    torch.manual_seed(18)
    return randomize_(cls(d, h, 32, dropout=0.0, batch_first=True, norm_first=True, **kw), seed=18).eval()


_xs = torch.randn(3, 6, 16)
_pad = torch.arange(6)[None, :] >= torch.tensor([6, 2, 4])[:, None]
_hooked = _make()
_hooked.register_forward_hook(lambda module, inputs, output: None)
_cases = [  # (name, layer, src, kwargs, inside no_grad)
    ("eval + no_grad + padding 掩码", _make(), _xs, {"src_key_padding_mask": _pad}, True),
    ("eval，不在 no_grad 中", _make(), _xs, {}, False),
    ("eval + no_grad + 奇数个头", _make(d=12, h=3), torch.randn(3, 6, 12), {}, True),
    ("eval + no_grad + 挂了 forward hook", _hooked, _xs, {}, True),
    ("eval + no_grad + 未分批的二维输入", _make(), _xs[0], {}, True),
    ("eval + no_grad + 两种掩码", _make(), _xs, {"src_key_padding_mask": _pad,
                                             "src_mask": torch.ones(6, 6, dtype=torch.bool).triu(1)}, True),
]
for name, layer_h, src_h, kwargs, quiet in _cases:
    with torch.set_grad_enabled(not quiet):
        want = _truth(layer_h, src_h, **kwargs)
        got = fast_path_taken(layer_h, src_h, **kwargs)
    assert got is want, f"情形“{name}”下你的函数返回 {got!r}，与这次调用是否真的走了融合函数不符"
    assert torch._transformer_encoder_layer_fwd is _fused, f"情形“{name}”之后没有把原函数放回去"
    assert layer_h.training is False, f"情形“{name}”之后层的模式被改变了"
# The wrapper hands the call through: the layer's output is what the fused function computes.
_rec = _make(cls=_Recorded)
with torch.no_grad():
    _truth(_rec, _xs)
    _want_out = _rec.last
    fast_path_taken(_rec, _xs)
assert max_err(_rec.last, _want_out) == 0, "走快速路径时，层的输出因为你的检测而改变了：包装函数应返回原函数的结果"
# An error inside the layer still puts the original back, and is raised.
try:
    with torch.no_grad():
        fast_path_taken(_make(), torch.randn(2, 5, 7))
    _raised = False
except Exception:
    _raised = True
assert torch._transformer_encoder_layer_fwd is _fused, "层在调用中出错时也要把原函数放回去（用 try / finally）"
assert _raised, "层在调用中出错时应照常抛出异常，不要吞掉"
# Whatever torch's attribute held before the call is what is called, and what is put back.
_seen = []


def _outer_spy(*args, **kw):
    _seen.append(1)
    return _fused(*args, **kw)


torch._transformer_encoder_layer_fwd = _outer_spy
try:
    with torch.no_grad():
        _inner = fast_path_taken(_make(), _xs)
finally:
    _after = torch._transformer_encoder_layer_fwd
    torch._transformer_encoder_layer_fwd = _fused
assert _inner is True and _seen, "包装函数应调用调用前 torch._transformer_encoder_layer_fwd 所指的那个函数，并把全部参数交给它"
assert _after is _outer_spy, "调用结束后应放回调用前 torch._transformer_encoder_layer_fwd 所指的那个函数"
### END HIDDEN TESTS

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-27", "locked": true, "schema_version": 3, "solution": false, "task": false}
# 用你的 `fast_path_taken` 把几种情形跑一遍，再对照上面的源码找原因。先猜一猜每一行的结果，再运行。

# %%
def _fresh_layer(d_model=16, nhead=4, **kwargs):
    torch.manual_seed(0)
    return nn.TransformerEncoderLayer(d_model, nhead, 32, dropout=0.0, batch_first=True, norm_first=True, **kwargs)


def _frozen(layer):
    for p in layer.parameters():
        p.requires_grad_(False)
    return layer


x = torch.randn(2, 5, 16)
pad = torch.tensor([[False] * 5, [False] * 3 + [True] * 2])
future = torch.ones(5, 5, dtype=torch.bool).triu(1)
hooked = _fresh_layer().eval()
hooked.register_forward_hook(lambda module, inputs, output: None)
scenarios = [  # (name, run inside torch.no_grad(), experiment)
    ("1. eval + no_grad", True, lambda: fast_path_taken(_fresh_layer().eval(), x)),
    ("2. eval，不在 no_grad 中", False, lambda: fast_path_taken(_fresh_layer().eval(), x)),
    ("3. eval，不在 no_grad 中，但参数全部冻结", False, lambda: fast_path_taken(_frozen(_fresh_layer().eval()), x)),
    ("4. 训练模式 + no_grad（dropout=0）", True, lambda: fast_path_taken(_fresh_layer().train(), x)),
    ("5. eval + no_grad，3 个头（d_model=12）", True,
     lambda: fast_path_taken(_fresh_layer(12, 3).eval(), torch.randn(2, 5, 12))),
    ("6. eval + no_grad，activation=torch.tanh", True, lambda: fast_path_taken(_fresh_layer(activation=torch.tanh).eval(), x)),
    ("7. eval + no_grad，同时给出 src_mask 和 src_key_padding_mask", True,
     lambda: fast_path_taken(_fresh_layer().eval(), x, src_mask=future, src_key_padding_mask=pad)),
    ("8. eval + no_grad，挂了 forward hook", True, lambda: fast_path_taken(hooked, x)),
    ("9. eval + no_grad，未分批的二维输入 (5, 16)", True, lambda: fast_path_taken(_fresh_layer().eval(), x[0])),
]
for name, quiet, run in scenarios:
    with torch.set_grad_enabled(not quiet):
        print(f"{run()!s:<6} {name}")

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-28", "locked": true, "schema_version": 3, "solution": false, "task": false}
# **问题 4（2 分，人工评分）**：
#
# (a) 上表中每个 `False`，是 `TransformerEncoderLayer.forward` 里的哪一条检查让它退回普通路径的？引用那条检查写进
# `why_not_sparsity_fast_path` 的原因字符串。
#
# (b) 为什么融合函数只在 eval 模式、且“不需要梯度”时才能用？（提示：看看调用 `torch._transformer_encoder_layer_fwd` 时传了哪些参数，
# 有没有 dropout 概率；再试试对它的输出调用 `backward()`。）情形 3 明明没有进入 `torch.no_grad()`，为什么又是 `True`？
#
# (c) 类的文档字符串（`print(nn.TransformerEncoderLayer.__doc__)`）在 “Fast path” 一节写着需要
# “at most one of `src_mask` and `src_key_padding_mask` is passed”，情形 7 却走了快速路径。代码是怎样处理两个掩码的？
# 文档与代码不一致时，应该相信哪一个、怎样确认？

# %% [markdown] nbgrader={"grade": true, "grade_id": "read-fast-path", "locked": false, "points": 2.0, "schema_version": 3, "solution": true, "task": false}
# **参考答案**
#
# 实验结果：1 True，2 False，3 True，4 False，5 False，6 False，7 True，8 False，9 False。
#
# (a) 情形 2：`"grad is enabled and at least one of query or the input/output projection weights or biases requires_grad"`；
# 情形 4：`"training is enabled"`；情形 5：`"num_head is odd"`；情形 6：`"activation_relu_or_gelu was not True"`
# （`__init__` 只认 `F.relu`、`F.gelu`、`nn.ReLU`、`nn.GELU`，其余激活记为 0）；
# 情形 8：`"forward pre-/hooks are attached to the module"`；情形 9：`"input not batched; expected src.dim() of 3 but got 2"`。
# 其他检查还有：`torch.backends.mha.get_fastpath_enabled()`、`batch_first`、自注意力带偏置、q/k/v 维数相同、两个 LayerNorm 的 eps 相同、
# 嵌套张量不能带掩码、不在 autocast 中、张量没有 `__torch_function__`、设备是 cpu/cuda/xpu 等。
#
# (b) 融合函数是只为推理写的：调用时传入的是各层的权重、`norm_first`、LayerNorm 的 eps、合并后的掩码，**没有 dropout 概率**，
# 训练模式下它算出的就不是 `nn.TransformerEncoderLayer` 要的函数；它也没有反向传播——对它的输出 `backward()` 会报
# `derivative for aten::_transformer_encoder_layer_fwd is not implemented`。所以只要自动求导需要记录计算图（梯度开启且某个输入或参数
# `requires_grad`）就不能用它。情形 3 的参数全部冻结、输入也不需要梯度，条件 `torch.is_grad_enabled() and any(x.requires_grad ...)`
# 不成立，于是照样走快速路径：检查的是“这次调用是否需要梯度”，而不是“有没有进入 `no_grad`”。
#
# (c) 代码里并没有“至多一个掩码”这条检查：快速路径先调用 `self.self_attn.merge_masks(src_mask, src_key_padding_mask, src)`，
# 两个都有时把它们扩展成 `(N, num_heads, L, L)` 相加，`mask_type` 为 2，融合函数照样能处理。文档字符串落后于代码。
# 应当以**所用版本的代码**为准，并用实验确认（像情形 7 那样）；文档只是对代码的描述，可能过时。
#
# === BEGIN MARK SCHEME ===
# 共 2 分，可以给半分。
# - (a) 1 分：表中六个 False（情形 2、4、5、6、8、9）都对应到正确的检查（引用原因字符串或等价的条件），对 5 个以上给 1 分，3–4 个给 0.5 分。
# - (b) 0.5 分：指出融合函数没有 dropout / 不支持反向传播（只为推理），所以要求 eval 且不需要梯度；并解释情形 3（检查的是
#   grad 开启且有张量 requires_grad）。只答其一给 0.25 分。
# - (c) 0.5 分：指出 merge_masks 把两个掩码合并（mask_type 2），文档过时；结论是以代码和实验为准。
# 与实验表不符的结论（例如认为情形 7 是 False）不得分。
# === END MARK SCHEME ===

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-29", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 6.5 `norm_first` 与残差通路
#
# 最后读普通路径的那几行，以及 `nn.TransformerEncoder` 构造时对 `norm_first` 的检查（上一节的警告就来自这里）。
# 源码注释里的链接是 Xiong 等人 2020 年的论文 *On Layer Normalization in the Transformer Architecture*。

# %%
show_source(nn.TransformerEncoderLayer.forward, "see Fig. 1", "x = src", "if self.norm_first", "x = x + self",
            "x = self.norm", context=2)
show_source(nn.TransformerEncoder.__init__, "norm_first", context=1)

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-30", "locked": true, "schema_version": 3, "solution": false, "task": false}
# **问题 5（1 分，人工评分）**：
#
# (a) 把 $n$ 个 Pre-LN 块叠起来，写出最后的输出 $x_n$ 与输入 $x_0$ 的关系；Post-LN 呢？哪一种从输入到输出有一条不经过任何 LayerNorm 的恒等通路？
# 这对很深的网络的梯度意味着什么？
#
# (b) Pre-LN 堆叠的最后输出没有经过归一化。实际的模型怎样处理？（看看 `nn.TransformerEncoder` 的构造参数。）

# %% [markdown] nbgrader={"grade": true, "grade_id": "read-norm-first", "locked": false, "points": 1.0, "schema_version": 3, "solution": true, "task": false}
# **参考答案**
#
# (a) Pre-LN：`x = x + self._sa_block(self.norm1(x), ...)`，`x = x + self._ff_block(self.norm2(x))`，于是
# $x_n = x_0 + \sum_{l=1}^{n} F_l(\cdot)$，每个 $F_l$ 是一个子层作用在归一化后的残差流上。输入沿着一条只做加法的通路直达输出，
# $\partial x_n / \partial x_0$ 里总有一项单位矩阵，
# 梯度可以不衰减地传回浅层，深层网络训练稳定，对学习率预热（warmup）不那么敏感（Xiong 等，2020）。
# Post-LN：`x = self.norm1(x + self._sa_block(x, ...))`，`x = self.norm2(x + self._ff_block(x))`，每一层的残差和都要再过一次 LayerNorm，
# 恒等通路被每层的归一化截断，梯度要穿过 $2n$ 个 LayerNorm，靠近输出的层梯度大、浅层梯度小，通常需要 warmup 才能训练稳定。
#
# (b) 残差流一路只做加法，数值尺度随层数增长，所以在整个堆叠之后再加一个 LayerNorm：`nn.TransformerEncoder(encoder_layer, num_layers, norm=...)`
# 的 `norm` 参数就是为此准备的（GPT-2 的 `ln_f` 同理）。另外，`nn.TransformerEncoder` 发现层是 `norm_first=True` 时不启用嵌套张量的快速路径
# （警告：`encoder_layer.norm_first was True`）。
#
# === BEGIN MARK SCHEME ===
# 共 1 分，可以给半分。
# - (a) 0.5 分：正确写出两种形式（或等价的代码），指出 Pre-LN 有不经过 LayerNorm 的恒等（纯加法）残差通路，梯度能直接传到浅层、
#   训练更稳定 / 不太依赖 warmup；Post-LN 的 LayerNorm 在残差通路上。
# - (b) 0.5 分：指出在堆叠末尾再加一个 LayerNorm（nn.TransformerEncoder 的 norm 参数、或 GPT-2 的 ln_f 之类）。
# === END MARK SCHEME ===
