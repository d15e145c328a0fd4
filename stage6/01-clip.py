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
# # 阶段六 · 01 CLIP：让图像和文字住进同一个空间
#
# 到目前为止，你的模型都只会一件事：给 Fashion-MNIST 的图分 10 类，或者读一段中文。CLIP（Radford 等，2021，
# “Learning Transferable Visual Models From Natural Language Supervision”）把两者接在一起：一个**图像编码器**、一个**文本编码器**，
# 各自把输入变成同一个 $D$ 维空间里的向量；训练时只告诉它“这张图配这句话”，用**对比损失**（InfoNCE）让配对的图文靠近、
# 不配对的远离。训练完，它从来没有被当作分类器训练过，却能做分类：把“一张T恤的照片”“一张裤子的照片”……十句话编码，
# 看图像离哪一句最近——这就是**零样本分类**（zero-shot classification）。
#
# 这一节的数据由 `west2ai.multimodal` 现场生成：56×56 的画布上放一两件 Fashion-MNIST 的衣物（四个角之一，或正中间），
# 配一句中文描述（“左上有一件T恤”“包在短靴的右边”……）。你用阶段三/五的卷积块搭图像编码器、用阶段四的 Transformer 块搭
# 字符级文本编码器，写出对称的 InfoNCE 损失，在几分钟的 CPU 预算里训练一个小 CLIP；评分器再用它从没见过的
# **物品–位置组合**考它的检索，用朴素的 Fashion-MNIST 测试图考它的零样本分类。
#
# **学习目标**
# - 理解图文对比学习：一个 batch 里 $N$ 对图文构成 $N \times N$ 的相似度矩阵，对角线是正样本，其余是负样本；
# - 写出对称的 InfoNCE 损失：L2 归一化、可学习的温度（`logit_scale`，初值 $\log(1/0.07)$，上限 $\log 100$）、行列两个方向的交叉熵；
# - 搭出双塔模型：保留位置信息的卷积图像编码器、带填充掩码和掩码平均池化的字符级 Transformer 文本编码器、投影头；
# - 用零样本分类和检索召回率（recall@1/@5，图→文、文→图）评价一个从没当作分类器训练过的模型，理解**提示集成**为什么有用；
# - 看清组合泛化：训练时从没出现过的“物品–位置”组合，模型还认得出吗？
#
# **评分项**（自动评分 {{points.auto}} 分 + 人工评分 {{points.manual}} 分，共 {{points.total}} 分）
#
# | 评分单元 | 内容 | 分值 |
# |---|---|---|
# | `ex-loss-test` | 练习 1：对称的 InfoNCE 损失（归一化、温度、两个方向） | 2 |
# | `ex-image-test` | 练习 2：图像编码器（形状、逐张独立、记得物品在哪个角） | 1 |
# | `ex-text-test` | 练习 3：文本编码器的结构与参数量 | 1 |
# | `ex-text-padding-test` | 练习 3：多补几个填充，文本嵌入不变 | 1 |
# | `ex-clip-test` | 练习 4：CLIP 模型（两个编码器、可学习的温度、能导出） | 1 |
# | `ex-zero-shot-test` | 练习 5：零样本分类与提示集成 | 1 |
# | `ex-train-test` | 练习 6：训练函数（进度条、每个 epoch 在验证集上评估、返回训练历史） | 1 |
# {{tier_rows}}
# | `learning-notes` | 学习笔记（人工评分） | 5 |
#
# 三个档位的测试各自独立计分，并且每一档都会检查：**参数量 ≤ {{param_limit}}**；**不得使用** `torchvision.models`、`timm`、
# `transformers` 中的现成网络或任何预训练权重；不得用测试图训练。档位看的是**零样本分类准确率（提示集成）**：
# 评分器在一个干净的进程里加载导出的 `{{export}}`，把 10,000 张 Fashion-MNIST 测试图放在空画布正中，用 6 个提示模板
# 给每类写 6 句话、平均后分类，看不到标签，自己算准确率（见第 7 节）。
#
# **预计学习时间**：8–12 小时（含阅读 CLIP 论文第 2 节与 3.1 节）。
#
# **CPU 预算**：参考模型从零训练在 2 核 CPU 上约 1.5 分钟（24,000 对图文、4 个 epoch，零样本准确率约 86%），
# 上限 **{{budget_minutes}} 分钟**。训练结束后权重存为 `{{checkpoint}}`，之后（包括评分时）直接加载，不再训练；
# 提交作业时请把 `{{checkpoint}}`、`{{export}}` 和 notebook 放在一起。
#
# 参考阅读：CLIP 论文（<https://arxiv.org/abs/2103.00020>）第 2.3 节（对比目标与图 3 的伪代码）、2.4 节（编码器与温度）、
# 3.1 节（零样本迁移与提示工程、提示集成）；[《动手学深度学习》](https://zh.d2l.ai/) 10.7 节 Transformer、7.5 节批量规范化。

# %% deletable=false editable=false nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false, "task": false}
import subprocess
import sys

if "google.colab" in sys.modules:  # Colab: install the course package (it never replaces Colab's torch)
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "{{package_url}}"], check=True)

import math
import tempfile
import time  # noqa: F401  (for timing your own epochs)
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from tqdm.auto import tqdm

import west2ai.detection
import west2ai.grading
import west2ai.multimodal as mm
import west2ai.text
import west2ai.training

torch.manual_seed(0)
np.random.seed(0)
device = "cuda" if torch.cuda.is_available() else "cpu"
print("torch", torch.__version__, "| device:", device, "| CPU threads:", torch.get_num_threads())
PARAM_LIMIT = "{{param_limit}}"  # 模型参数量上限（本阶段的 stage.toml 中规定）
CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
SLOTS_EN = ["top-left", "top-right", "bottom-left", "bottom-right", "centre"]  # mm.SLOTS in English, plus the centre


def max_err(a, b):
    """Largest absolute difference between two tensors."""
    return (a - b).abs().max().item()


# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-01", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ## 1. 数据：场景与描述
#
# `mm.pairs(split, n)` 生成 `n` 对图文：`images` 是 `(n, 56, 56)` 的 `uint8` 画布，`texts` 是每张图的一句中文描述，
# `scenes[i].items` 记下画布里的物品 `(类别, 位置)`，位置 0–3 是左上、右上、左下、右下四个 28×28 的角，4 是正中间
# （只有单件物品时才会放在中间，约占一半）。训练与验证用 Fashion-MNIST **训练图**里互不重叠的两部分；
# 评分器的测试图文用**测试图**、在评分时用随机种子现生成。
#
# 同一个场景有好几种说法（`mm.captions(scene)`），生成数据时随机挑一种；第一种是“标准说法”，评分器的检索测试用它。
# 下面看看训练集的样子（matplotlib 的标题用英文，因为很多机器和 Colab 没有中文字体；中文描述打印在下面）。

# %% deletable=false editable=false nbgrader={"grade": false, "grade_id": "data", "locked": true, "schema_version": 3, "solution": false, "task": false}
N_TRAIN, N_VAL = 24_000, 1_000
train = mm.pairs("train", N_TRAIN)
val = mm.pairs("val", N_VAL)
print(f"训练 {len(train):,} 对，验证 {len(val):,} 对；不同的描述：训练集 {len(set(train.texts)):,} 句")
lengths = [len(t) for t in train.texts]
print(f"描述长度 {min(lengths)}–{max(lengths)} 个字（CAPTION_MAX = {mm.CAPTION_MAX}）")


def scene_title(scene):
    """A short English title of a scene, e.g. 'Bag @ top-left + Sandal @ bottom-right'."""
    return " + ".join(f"{CLASSES[c]} @ {SLOTS_EN[s]}" for c, s in scene.items)


fig, axes = plt.subplots(2, 6, figsize=(15, 5.6))
for i, ax in enumerate(axes.flat):
    ax.imshow(train.images[i], cmap="gray")
    ax.set_title(f"#{i}: " + scene_title(train.scenes[i]).replace(" + ", "\n+ "), fontsize=7)
    ax.axis("off")
fig.suptitle("Training scenes (56x56) with their items; the Chinese captions are printed below")
plt.tight_layout()
plt.show()
for i in range(12):
    print(f"#{i:<2} {train.texts[i]}")

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-02", "locked": true, "schema_version": 3, "solution": false, "task": false}
# 一个场景的全部说法：单件物品在角上有 4 种，在中间有 5 种，同一行或同一列的两件有 4 种（“左边是……右边是……”“A在B的左边”……），
# 对角的两件有 2 种。一句话只有十几个字，里面有**物品**（“一双凉鞋”）、**位置**（“右上”）和**关系**（“在……的左边”）。
#
# **留出的组合**：第 $c$ 类物品从不出现在第 $c \bmod 4$ 个角上（`mm.HELD_OUT`，例如 T恤 从不在左上、裤子从不在右上），
# 训练集和验证集里一次也没有；评分器的检索测试有一半（“未见组合”）每张图至少含一个这样的组合。模型要是只记住了
# “裤子总在哪儿出现”，在未见组合上就会露馅；要是真的分别学会了“裤子长什么样”和“右上是哪儿”，就能组合出来。

# %% deletable=false editable=false nbgrader={"grade": false, "grade_id": "held-out", "locked": true, "schema_version": 3, "solution": false, "task": false}
for scene in (train.scenes[0], train.scenes[1], mm.Scene(((1, 0), (8, 3))), mm.Scene(((5, 4),))):
    print(scene_title(scene), "→", " | ".join(mm.captions(scene)))
held = sorted(mm.HELD_OUT)
print("留出的 (类别, 位置)：", "、".join(f"{mm.CLASSES_ZH[c]}@{mm.SLOTS[s]}" for c, s in held))
seen_pairs = {pair for s in train.scenes + val.scenes for pair in s.items}
print(f"训练集与验证集中出现的 (类别, 位置) 组合 {len(seen_pairs)} 种（10 类 × 5 处 = 50 种，减去留出的 10 种）；"
      f"其中留出的组合 {len(seen_pairs & mm.HELD_OUT)} 种")
unseen = mm.pairs("test", 4, seed=0, group="unseen")   # what the grader's 'unseen' test pairs look like
print("评分器的“未见组合”测试图文举例：", " | ".join(mm.captions(s)[0] for s in unseen.scenes))

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-03", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 字符词表
#
# 和阶段四一样按**字**切分：词表 `itos` 的第 0 项是填充 `<pad>`，第 1 项是未知字 `<unk>`，其余是训练描述里出现过的字
# （按 `sorted` 排序）。`encode_texts(texts)` 把一组句子编成 `(M, CAPTION_MAX)` 的 `int64` 张量：每个字换成 id，
# 不在词表里的字记为 1，右侧用 0 填充到 24 个字。导出时评分器在你的文本编码器前面接上一个查找表
# （`west2ai.text.char_lookup(itos)`），把 Unicode 码位按同样的约定换成你的 id，所以导出的模型直接读文字。
#
# 注意：零样本的 6 个提示模板里有训练描述中从没出现过的字（“照片**里**是一件T恤”），它们会变成 `<unk>`。

# %% deletable=false editable=false nbgrader={"grade": false, "grade_id": "vocab", "locked": true, "schema_version": 3, "solution": false, "task": false}
itos = ["<pad>", "<unk>", *sorted(set("".join(train.texts)))]
stoi = {c: i for i, c in enumerate(itos)}


def encode_texts(texts, length=mm.CAPTION_MAX):
    """Sentences as a (M, length) int64 tensor of vocabulary ids, right-padded with 0 (unknown characters: 1)."""
    out = torch.zeros(len(texts), length, dtype=torch.int64)
    for row, text in enumerate(texts):
        ids = [stoi.get(c, 1) for c in text[:length]]
        out[row, :len(ids)] = torch.tensor(ids, dtype=torch.int64)
    return out


def to_floats(images):
    """uint8 scenes (n, 56, 56) as float images (n, 1, 56, 56) in [0, 1], what the encoders read."""
    return torch.from_numpy(np.array(images, dtype=np.float32) / 255).unsqueeze(1)


print(f"词表 {len(itos)} 项：{''.join(itos[2:])}")
print("encode_texts(['一个包']) =", encode_texts(["一个包"])[0].tolist())
unknown = sorted({c for t in mm.PROMPTS for c in t.format(c="", m="") if c not in stoi})
print("提示模板里不在词表中的字：", unknown)
x_train, t_train = to_floats(train.images), encode_texts(train.texts)
x_val, t_val = to_floats(val.images), encode_texts(val.texts)

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-04", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ## 2. 对比损失：对称的 InfoNCE
#
# 一个 batch 有 $N$ 对图文。图像编码器给出 $N$ 个图像嵌入 $u_i$，文本编码器给出 $N$ 个文本嵌入 $v_j$。先各自做 L2 归一化
# $\hat u_i = u_i / \lVert u_i \rVert$、$\hat v_j = v_j / \lVert v_j \rVert$，算出 $N \times N$ 的**余弦相似度**矩阵，再乘以温度的倒数
# $s = e^{t}$（$t$ 就是 `logit_scale`）：
#
# $$\text{logits}_{ij} = s \cdot \hat u_i^\top \hat v_j ,\qquad
# \mathcal L = \tfrac12\Big[\underbrace{\mathrm{CE}(\text{logits}, \text{对角线})}_{\text{每张图在 } N \text{ 句话里找自己的}}
# + \underbrace{\mathrm{CE}(\text{logits}^\top, \text{对角线})}_{\text{每句话在 } N \text{ 张图里找自己的}}\Big]$$
#
# 第 $i$ 行是一个 $N$ 分类问题：正确答案是第 $i$ 列。CLIP 论文图 3 的伪代码就是这么写的
# （`loss_i = cross_entropy_loss(logits, labels, axis=0)`，`loss_t = … axis=1`，`loss = (loss_i + loss_t)/2`）。几个要点：
#
# - **归一化**：只比较方向，不比较长短；否则模型可以靠把向量拉长来压低损失；
# - **温度**：余弦相似度在 $[-1, 1]$ 里，直接当 logits 时 softmax 太“平”，正样本概率最多 $e/(e + (N-1)e^{-1})$。
#   CLIP 让 $t$ 可学习，初值 $\log(1/0.07) \approx 2.659$（$s \approx 14.3$），并且**截断在 $\log 100$**（$s \le 100$）防止训练不稳；
# - **两个方向**：图找文、文找图，两个交叉熵取平均，损失对“图”和“文”是对称的。
#
# 一个手算的例子：$N = 2$，图像嵌入与文本嵌入都是 $\begin{pmatrix}1&0\\0&1\end{pmatrix}$，$t = 0$（$s = 1$），logits 是单位阵，
# 每一行的交叉熵是 $-\log\frac{e}{e + 1} = \log(1 + e^{-1}) \approx 0.3133$，两个方向一样，损失约 0.3133。
#
# ### 练习 1：`clip_loss`（2 分）
#
# 实现 `clip_loss(image_emb, text_emb, logit_scale)`：`image_emb`、`text_emb` 形状都是 `(N, D)`（第 $i$ 行互相配对），
# `logit_scale` 是 0 维张量 $t$（可能需要梯度）。返回上式的损失（0 维张量），其中 $s = e^{\min(t,\, \log 100)}$
# （`logit_scale.clamp(max=math.log(100)).exp()`）。梯度要能传回两个嵌入和 `logit_scale`。

# %% nbgrader={"grade": false, "grade_id": "ex-loss", "locked": false, "schema_version": 3, "solution": true, "task": false}
def clip_loss(image_emb, text_emb, logit_scale):
    ### BEGIN SOLUTION
    image_emb = F.normalize(image_emb, dim=-1)
    text_emb = F.normalize(text_emb, dim=-1)
    logits = logit_scale.clamp(max=math.log(100)).exp() * image_emb @ text_emb.T   # (N, N): image i vs text j
    labels = torch.arange(len(logits), device=logits.device)
    return (F.cross_entropy(logits, labels) + F.cross_entropy(logits.T, labels)) / 2
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-loss-test", "locked": true, "points": 2.0, "schema_version": 3, "solution": false, "task": false}
_eye = torch.eye(2)
_got = clip_loss(_eye, _eye, torch.tensor(0.0))
assert isinstance(_got, torch.Tensor) and _got.ndim == 0, f"clip_loss 应返回 0 维张量，实际为 {type(_got).__name__} {getattr(_got, 'shape', '')}"
assert abs(_got.item() - math.log(1 + math.exp(-1))) < 1e-5, f"上面手算的例子应得 log(1 + e⁻¹) ≈ 0.3133，你的函数返回 {_got.item():.4f}"
_got = clip_loss(3 * _eye, 0.5 * _eye, torch.tensor(0.0))
assert abs(_got.item() - 0.3133) < 1e-4, f"嵌入乘以正数（3 倍、0.5 倍）后损失应不变（先 L2 归一化），你的函数返回 {_got.item():.4f}"
torch.manual_seed(0)
_u, _v = torch.randn(4, 8), torch.randn(4, 8)
_got = clip_loss(_u, _v, torch.tensor(math.log(1 / 0.07)))
assert abs(_got.item() - 5.1350) < 1e-3, f"torch.manual_seed(0) 下 randn(4, 8) 的两组嵌入、t = log(1/0.07) 时损失应约为 5.1350，你的函数返回 {_got.item():.4f}"
### BEGIN HIDDEN TESTS
def _reference_loss(u, v, t):
    u, v = u / u.norm(dim=1, keepdim=True), v / v.norm(dim=1, keepdim=True)
    logits = torch.exp(torch.clamp(t, max=math.log(100))) * u @ v.T
    y = torch.arange(len(u))
    return 0.5 * (F.cross_entropy(logits, y) + F.cross_entropy(logits.T, y))


for _seed, (_n, _d, _t) in enumerate(((5, 3, 2.0), (16, 32, 0.5), (2, 7, 4.0), (9, 4, -1.0))):
    torch.manual_seed(300 + _seed)
    _u, _v = torch.randn(_n, _d) * 2, torch.randn(_n, _d) + 0.3
    _got, _want = clip_loss(_u, _v, torch.tensor(_t)), _reference_loss(_u, _v, torch.tensor(_t))
    assert abs(_got.item() - _want.item()) < 1e-5, f"N={_n}、D={_d}、t={_t} 的随机嵌入上损失不对：你的函数返回 {_got.item():.5f}"
    _swapped = clip_loss(_v, _u, torch.tensor(_t))
    assert abs(_swapped.item() - _got.item()) < 1e-5, \
        f"N={_n}、D={_d} 时交换图像与文本嵌入，损失应不变（两个方向取平均），你的函数返回 {_got.item():.5f} 与 {_swapped.item():.5f}"
# the clamp: t above log(100) acts as log(100)
_u, _v = torch.randn(6, 5), torch.randn(6, 5)
_high, _cap = clip_loss(_u, _v, torch.tensor(8.0)), clip_loss(_u, _v, torch.tensor(math.log(100)))
assert abs(_high.item() - _cap.item()) < 1e-5, f"t = 8 时应按 log(100) 截断，你的函数在 t = 8 和 t = log 100 时分别返回 {_high.item():.4f}、{_cap.item():.4f}"
# only one direction is wrong when the similarity matrix is not symmetric
_u = torch.tensor([[1.0, 0.0], [1.0, 1.0], [0.0, 1.0]])
_v = torch.tensor([[1.0, 0.2], [0.3, 1.0], [0.0, 1.0]])
_got = clip_loss(_u, _v, torch.tensor(1.5))
assert abs(_got.item() - _reference_loss(_u, _v, torch.tensor(1.5)).item()) < 1e-5, \
    f"相似度矩阵不对称的一个 3×3 例子上损失不对（要对行和列各做一次交叉熵），你的函数返回 {_got.item():.5f}"
# gradients reach both embeddings and the temperature
_u, _v, _t = torch.randn(4, 6, requires_grad=True), torch.randn(4, 6, requires_grad=True), torch.tensor(1.0, requires_grad=True)
clip_loss(_u, _v, _t).backward()
assert _u.grad is not None and _v.grad is not None and _t.grad is not None and abs(_t.grad.item()) > 0, \
    "梯度应能传回图像嵌入、文本嵌入和 logit_scale（不要 detach，不要用 .item() 取温度）"
### END HIDDEN TESTS

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-05", "locked": true, "schema_version": 3, "solution": false, "task": false}
# **想一想**：随机初始化的模型上（嵌入方向随机、$s \approx 14.3$），batch 大小 $N = 256$ 时初始损失大约是多少？
# 温度太高（$s$ 很小）或太低（$s$ 很大）各会怎样？
#
# <details><summary>提示</summary>
#
# 方向随机时每一行的 logits 差不多相等，$N$ 分类的交叉熵约 $\ln N = \ln 256 \approx 5.55$；$D = 64$ 维的随机方向余弦约有 $\pm 0.12$ 的起伏，
# 乘以 14.3 后 logits 有 $\pm 1.8$ 左右的噪声，所以实际会比 $\ln N$ 高一点（参考解训练前约 6.1，下面的训练单元会打印它）。
# $s$ 很小时 softmax 太平：就算正样本的余弦是 1、负样本是 0，正样本的概率也不高，损失下不去，梯度很弱；
# $s$ 很大时 softmax 接近 argmax，只有最难的负样本有梯度，训练容易不稳。让它可学习，模型自己找平衡；
# 训练中 $s$ 通常一路上升（参考解从 14.3 升到 18.5 左右）。
# </details>

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-06", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ## 3. 图像编码器：记得东西在哪个角
#
# 图像编码器就是阶段三的卷积块：`Conv2d(3×3, padding=1) → BatchNorm2d → ReLU → MaxPool2d(2)`，56 → 28 → 14 → 7。
# 和分类不同的是**位置**：分类网络最后常用全局平均池化把 7×7 的特征图压成一个向量，“鞋在左上”和“鞋在右下”就成了同一个向量。
# 这里的描述要说出位置，所以最后改用 `nn.AdaptiveAvgPool2d(2)`：把特征图平均成 2×2，**每个角一格**，拉平后再经
# 一个线性层（**投影头**）映射到 $D$ 维的共同空间。
#
# ### 练习 2：`ImageEncoder`（1 分）
#
# 实现 `ImageEncoder(embed_dim=64, width=32)`：`forward(images)` 读 `(N, 1, 56, 56)`、取值在 [0, 1] 的画布，返回 `(N, embed_dim)`。
# 推荐的结构（`width=32` 时参数约 7.7 万，参考解用 `width=24`，约 4.6 万）：通道数 `width // 2 → width → 2·width` 的三个卷积块（各带 2×2 最大池化），
# 再一层 `2·width` 通道的 3×3 卷积 + BN + ReLU（不池化），`AdaptiveAvgPool2d(2)`，拉平，`nn.Linear(4 · 2·width, embed_dim)`。
# 你可以换别的结构，测试只检查：输出形状；`eval()` 模式下每张图的嵌入不受同一批其他图的影响；
# 同一件物品放在左上和右下，它给嵌入带来的变化（减去空画布的嵌入）明显不同（随机初始化时两者的余弦相似度就应低于 0.8；
# 全局平均池化约为 0.95，`AdaptiveAvgPool2d(2)` 约为 0.2–0.5）；参数量不超过 200,000。

# %% nbgrader={"grade": false, "grade_id": "ex-image", "locked": false, "schema_version": 3, "solution": true, "task": false}
### BEGIN SOLUTION
def conv_block(c_in, c_out, pool=True):
    layers = [nn.Conv2d(c_in, c_out, 3, padding=1, bias=False), nn.BatchNorm2d(c_out), nn.ReLU()]
    return nn.Sequential(*layers, nn.MaxPool2d(2)) if pool else nn.Sequential(*layers)
### END SOLUTION


class ImageEncoder(nn.Module):
    def __init__(self, embed_dim=64, width=32):
        super().__init__()
        ### BEGIN SOLUTION
        self.features = nn.Sequential(conv_block(1, width // 2), conv_block(width // 2, width),   # 56 -> 28 -> 14
                                      conv_block(width, 2 * width), conv_block(2 * width, 2 * width, pool=False))  # -> 7
        self.pool = nn.AdaptiveAvgPool2d(2)             # one cell per quadrant: keeps "where"
        self.proj = nn.Linear(4 * 2 * width, embed_dim)
        ### END SOLUTION

    def forward(self, images):
        ### BEGIN SOLUTION
        return self.proj(self.pool(self.features(images)).flatten(1))
        ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-image-test", "locked": true, "points": 1.0, "schema_version": 3, "solution": false, "task": false}
torch.manual_seed(0)
_enc = ImageEncoder(64).eval()
_n = west2ai.grading.n_params(_enc)
assert _n <= 200_000, f"ImageEncoder(64) 的参数量应不超过 200,000，实际为 {_n:,}"
with torch.no_grad():
    _out = _enc(x_val[:5])
assert isinstance(_out, torch.Tensor) and _out.shape == (5, 64), f"输入 (5, 1, 56, 56) 时应输出 (5, 64)，实际为 {getattr(_out, 'shape', type(_out).__name__)}"
_item = torch.tensor(west2ai.detection.item_source("val")[0][:3]).float().div(255)   # three plain 28x28 items
_scenes = torch.zeros(3, 3, 1, 56, 56)        # per item: top-left, bottom-right, and an empty canvas
_scenes[:, 0, 0, :28, :28] = _item
_scenes[:, 1, 0, 28:, 28:] = _item
with torch.no_grad():
    _emb = _enc(_scenes.reshape(9, 1, 56, 56)).reshape(3, 3, -1)
_cos = F.cosine_similarity(_emb[:, 0] - _emb[:, 2], _emb[:, 1] - _emb[:, 2], dim=-1)   # what the item adds, per corner
assert _cos.max().item() < 0.8, (f"同一件物品放在左上和右下，它给嵌入带来的变化（减去空画布的嵌入）余弦相似度为 "
                                 f"{[round(c, 3) for c in _cos.tolist()]}，几乎相同：全局平均池化会丢掉位置，试试 AdaptiveAvgPool2d(2)")
### BEGIN HIDDEN TESTS
torch.manual_seed(11)
for _dim in (32, 48):
    _enc_h = ImageEncoder(_dim).eval()
    _batch = torch.rand(7, 1, 56, 56)
    with torch.no_grad():
        _all, _one = _enc_h(_batch), _enc_h(_batch[2:3])
    assert _all.shape == (7, _dim), f"ImageEncoder({_dim}) 对 7 张图的输出形状应为 (7, {_dim})，你的是 {tuple(_all.shape)}"
    assert max_err(_all[2:3], _one) < 1e-4, f"ImageEncoder({_dim}) 在 eval() 模式下单独算一张图与放在一批里算，结果相差 {max_err(_all[2:3], _one):.2e}"
_enc_g = ImageEncoder(16)
_enc_g(torch.rand(4, 1, 56, 56)).sum().backward()
assert all(p.grad is not None for p in _enc_g.parameters()), "ImageEncoder 的每个参数都应参与计算并得到梯度"
### END HIDDEN TESTS

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-07", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ## 4. 文本编码器：字符、位置、一个 Transformer 块、掩码平均池化
#
# 文本编码器就是阶段四 03 的编码器：
#
# 1. `self.embed = nn.Embedding(vocab_size, dim, padding_idx=0)` 把字变成向量，加上**可学习的位置嵌入**
#    `self.pos`（`nn.Parameter`，形状 `(1, max_len, dim)`，初始化为标准差 0.02 的随机数；长度为 `L` 的输入只用前 `L` 个）——
#    “裤子在包的左边”和“包在裤子的左边”字完全一样，只有顺序不同；
# 2. 一个 **pre-LN** 编码器块 `self.block = nn.TransformerEncoderLayer(dim, heads, ff, dropout=0.0, batch_first=True, norm_first=True)`
#    （或者你阶段四写的同样结构的块），调用时传 `src_key_padding_mask`：填充的位置（id 为 0）不能被别的字“看到”；
# 3. 再过一个 `self.norm = nn.LayerNorm(dim)`，然后做**掩码平均池化**：只对真实的字取平均，填充位置不算；
# 4. 投影头 `self.proj = nn.Linear(dim, embed_dim)`。
#
# 这样得到的嵌入与“补了多少个 0”无关：同一句话补到 12 个字或 24 个字，结果应一样（测试会检查）。
# 还有一个边界情况：评分器有时会送来**整行都是填充**的占位输入，这时不能产生 NaN。注意键全被遮住时 softmax 会得到 NaN，
# 平均池化也会除以 0。一个简单的办法：第 0 个位置永远不遮（真实的句子第 0 个字从来不是填充，所以不影响结果），
# 池化时分母至少取 1。
#
# ### 练习 3：`TextEncoder`（2 分）
#
# 实现 `TextEncoder(vocab_size, embed_dim=64, dim=64, heads=4, ff=128, max_len=mm.CAPTION_MAX)`，子模块和参数名如上
# （`embed`、`pos`、`block`、`norm`、`proj`）；`forward(ids)` 读 `(M, L)` 的 `int64` id（`L ≤ max_len`，右侧用 0 填充），返回 `(M, embed_dim)`。
# 参数量为 $V d + L_\max d + (4d^2 + 4d) + (2 d f + f + d) + 4d + 2d + (d E + E)$（$V$ 词表大小，$d$ = `dim`，$f$ = `ff`，$E$ = `embed_dim`）。

# %% nbgrader={"grade": false, "grade_id": "ex-text", "locked": false, "schema_version": 3, "solution": true, "task": false}
class TextEncoder(nn.Module):
    def __init__(self, vocab_size, embed_dim=64, dim=64, heads=4, ff=128, max_len=mm.CAPTION_MAX):
        super().__init__()
        ### BEGIN SOLUTION
        self.embed = nn.Embedding(vocab_size, dim, padding_idx=0)
        self.pos = nn.Parameter(torch.randn(1, max_len, dim) * 0.02)
        self.block = nn.TransformerEncoderLayer(dim, heads, ff, dropout=0.0, batch_first=True, norm_first=True)
        self.norm = nn.LayerNorm(dim)
        self.proj = nn.Linear(dim, embed_dim)
        ### END SOLUTION

    def forward(self, ids):
        ### BEGIN SOLUTION
        pad = ids == 0
        pad = pad & (torch.arange(ids.shape[1], device=ids.device) > 0)   # never mask position 0: no NaN on empty rows
        h = self.embed(ids) + self.pos[:, :ids.shape[1]]
        h = self.norm(self.block(h, src_key_padding_mask=pad))
        keep = (ids != 0).unsqueeze(-1).to(h.dtype)
        pooled = (h * keep).sum(1) / keep.sum(1).clamp(min=1.0)            # the mean over the real characters
        return self.proj(pooled)
        ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-text-test", "locked": true, "points": 1.0, "schema_version": 3, "solution": false, "task": false}
def _text_params(v, e, d, h, f, L):
    return v * d + L * d + (4 * d * d + 4 * d) + (2 * d * f + f + d) + 4 * d + 2 * d + (d * e + e)


torch.manual_seed(0)
_te = TextEncoder(len(itos)).eval()
_n = west2ai.grading.n_params(_te)
assert _n == _text_params(len(itos), 64, 64, 4, 128, mm.CAPTION_MAX), \
    f"TextEncoder({len(itos)}) 的参数量应为 {_text_params(len(itos), 64, 64, 4, 128, mm.CAPTION_MAX):,}，实际为 {_n:,}"
assert tuple(_te.pos.shape) == (1, mm.CAPTION_MAX, 64) and _te.embed.padding_idx == 0, \
    f"pos 应为 (1, {mm.CAPTION_MAX}, 64)、embed 的 padding_idx 应为 0，实际为 {tuple(_te.pos.shape)}、{_te.embed.padding_idx}"
with torch.no_grad():
    _out = _te(encode_texts(["裤子在包的左边", "包在裤子的左边", "一个包"]))
assert isinstance(_out, torch.Tensor) and _out.shape == (3, 64), f"3 句话应得到 (3, 64)，实际为 {getattr(_out, 'shape', type(_out).__name__)}"
assert max_err(_out[0], _out[1]) > 1e-5, "“裤子在包的左边”和“包在裤子的左边”的嵌入完全相同：忘了加位置嵌入？"
### BEGIN HIDDEN TESTS
for (_v, _e, _d, _h, _f, _L) in ((30, 16, 24, 3, 40, 10), (12, 8, 8, 2, 8, 6)):
    _te_h = TextEncoder(_v, embed_dim=_e, dim=_d, heads=_h, ff=_f, max_len=_L)
    _n = west2ai.grading.n_params(_te_h)
    assert _n == _text_params(_v, _e, _d, _h, _f, _L), f"TextEncoder({_v}, embed_dim={_e}, dim={_d}, ...) 的参数量不对：你的有 {_n:,} 个"
    with torch.no_grad():
        _o = _te_h.eval()(torch.randint(1, _v, (4, _L)))
    assert _o.shape == (4, _e), f"TextEncoder({_v}, embed_dim={_e}, ...) 对 (4, {_L}) 的输出形状应为 (4, {_e})，你的是 {tuple(_o.shape)}"
_te_g = TextEncoder(20, embed_dim=8, dim=16, heads=2, ff=16, max_len=8)
_te_g(torch.tensor([[3, 4, 5, 0, 0], [6, 7, 0, 0, 0]])).sum().backward()
assert _te_g.pos.grad is not None and _te_g.proj.weight.grad is not None and _te_g.embed.weight.grad is not None, \
    "位置嵌入、字嵌入和投影头都应参与计算并得到梯度"
### END HIDDEN TESTS

# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-text-padding-test", "locked": true, "points": 1.0, "schema_version": 3, "solution": false, "task": false}
torch.manual_seed(1)
_te = TextEncoder(len(itos)).eval()
_ids = encode_texts(["左边是一件T恤，右边是一双短靴", "一个包"])
with torch.no_grad():
    _long, _short = _te(_ids), _te(_ids[:, :15])          # 24 vs 15 columns: only more padding
assert max_err(_long, _short) < 1e-5, f"同样的句子补到 24 个字和 15 个字，嵌入最多相差 {max_err(_long, _short):.2e}：填充位置要遮住，池化时不要算进去"
with torch.no_grad():
    _empty = _te(torch.zeros(2, mm.CAPTION_MAX, dtype=torch.int64))
assert torch.isfinite(_empty).all(), "整行都是填充的输入得到了 NaN 或无穷大：第 0 个位置不要遮，池化的分母至少取 1"
### BEGIN HIDDEN TESTS
torch.manual_seed(21)
_te_h = TextEncoder(40, embed_dim=12, dim=16, heads=2, ff=24, max_len=20).eval()
with torch.no_grad():
    for _p in _te_h.parameters():
        _p.normal_(0, 0.5)
_rows = torch.zeros(5, 20, dtype=torch.int64)
for _r, _len in enumerate((1, 3, 7, 12, 20)):
    _rows[_r, :_len] = torch.randint(1, 40, (_len,))
with torch.no_grad():
    _full = _te_h(_rows)
    for _r, _len in enumerate((1, 3, 7, 12, 20)):
        _alone = _te_h(_rows[_r:_r + 1, :_len])
        assert max_err(_alone, _full[_r:_r + 1]) < 1e-4, \
            f"长度 {_len} 的句子不补 0 与补到 20 个字，嵌入相差 {max_err(_alone, _full[_r:_r + 1]):.2e}（随机权重的编码器上）"
    _again = _te_h(_rows[[3, 0, 4]])
assert max_err(_again, _full[[3, 0, 4]]) < 1e-4, "eval() 模式下一句话的嵌入不应受同一批其他句子的影响"
_te_h.train()
with torch.no_grad():
    _short_rows = _rows[:3]                          # lengths 1, 3 and 7
    _diff = max_err(_te_h(_short_rows[:, :8]), _te_h(_short_rows))
assert _diff < 1e-4, f"train() 模式下（没有 eval 的快速路径）补到 8 个字与补到 20 个字，嵌入相差 {_diff:.2e}：填充位置要遮住"
### END HIDDEN TESTS

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-08", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ## 5. 双塔合体：CLIP 模型
#
# CLIP 模型只是把两个编码器和温度放在一起：图像和文本**各走各的塔**，只在损失里相遇。这样所有图像（比如 10,000 张测试图）
# 和所有句子都能各自算一次嵌入、存起来，再用一次矩阵乘法比较——检索和零样本分类都靠这一点。
#
# ### 练习 4：`CLIP`（1 分）
#
# 实现 `CLIP(vocab_size, embed_dim=64, width=32)`：
#
# | 名字 | 内容 |
# |---|---|
# | `image_encoder` | `ImageEncoder(embed_dim, width)` |
# | `text_encoder` | `TextEncoder(vocab_size, embed_dim)` |
# | `logit_scale` | `nn.Parameter`，0 维，初值 $\log(1/0.07)$ |
#
# 方法 `encode_image(images)`：`(N, 1, 56, 56)` → `(N, embed_dim)`；`encode_text(ids)`：`(M, L)` → `(M, embed_dim)`（都**不**归一化：
# 损失和评分器自己归一化）。评分器导出的正是这两个方法（`west2ai.grading.export_clip(model, itos, 路径)`），
# 所以它们里面不能有依赖数据取值的 Python 分支。

# %% nbgrader={"grade": false, "grade_id": "ex-clip", "locked": false, "schema_version": 3, "solution": true, "task": false}
class CLIP(nn.Module):
    def __init__(self, vocab_size, embed_dim=64, width=32):
        super().__init__()
        ### BEGIN SOLUTION
        self.image_encoder = ImageEncoder(embed_dim, width)
        self.text_encoder = TextEncoder(vocab_size, embed_dim)
        self.logit_scale = nn.Parameter(torch.tensor(math.log(1 / 0.07)))
        ### END SOLUTION

    def encode_image(self, images):
        ### BEGIN SOLUTION
        return self.image_encoder(images)
        ### END SOLUTION

    def encode_text(self, ids):
        ### BEGIN SOLUTION
        return self.text_encoder(ids)
        ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-clip-test", "locked": true, "points": 1.0, "schema_version": 3, "solution": false, "task": false}
torch.manual_seed(0)
_clip = CLIP(len(itos)).eval()
assert isinstance(_clip.logit_scale, nn.Parameter) and _clip.logit_scale.ndim == 0, \
    f"logit_scale 应是 0 维的 nn.Parameter，实际为 {type(_clip.logit_scale).__name__} {tuple(getattr(_clip.logit_scale, 'shape', ()))}"
assert abs(_clip.logit_scale.item() - math.log(1 / 0.07)) < 1e-6, f"logit_scale 的初值应为 log(1/0.07) ≈ 2.6593，实际为 {_clip.logit_scale.item():.4f}"
with torch.no_grad():
    _im, _tx = _clip.encode_image(x_val[:3]), _clip.encode_text(t_val[:5])
assert _im.shape == (3, 64) and _tx.shape == (5, 64), f"encode_image 应得 (3, 64)、encode_text 应得 (5, 64)，实际为 {tuple(_im.shape)}、{tuple(_tx.shape)}"
_n = west2ai.grading.n_params(_clip)
assert _n == west2ai.grading.n_params(_clip.image_encoder) + west2ai.grading.n_params(_clip.text_encoder) + 1, \
    f"CLIP 的参数应是两个编码器的参数再加一个 logit_scale，实际共 {_n:,} 个"
### BEGIN HIDDEN TESTS
with tempfile.TemporaryDirectory() as _tmp:
    _path = west2ai.grading.export_clip(_clip, itos, Path(_tmp) / "probe.pt2")
    _program = torch.export.load(_path).module()
    _texts = ["一个包", "左边是一件T恤，右边是一双短靴", "照片里是一条裤子"]
    _points = west2ai.text.code_points(_texts, max_chars=mm.CAPTION_MAX, pad_to=mm.CAPTION_MAX)
    with torch.no_grad():
        _ei, _et = _program(x_val[:4], _points)
        _want_i, _want_t = _clip.encode_image(x_val[:4]), _clip.encode_text(encode_texts(_texts))
assert max_err(_ei, _want_i) < 1e-4 and max_err(_et, _want_t) < 1e-4, \
    f"导出的程序与 encode_image / encode_text 的结果不一致（最大相差 {max(max_err(_ei, _want_i), max_err(_et, _want_t)):.2e}）"
### END HIDDEN TESTS

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-09", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ## 6. 零样本分类与提示集成
#
# 训练好的 CLIP 怎么分类一张朴素的 28×28 Fashion-MNIST 图？把它放在空画布正中间（`mm.centred(images)`，就是训练数据里
# “单件物品放在中间”的样子），算图像嵌入；再为 10 个类别各写一句话，比如模板 `mm.PROMPT = "一张{c}的照片"` 填进类名
# （`mm.class_prompts(mm.PROMPT)` 给出 10 句，按类别顺序），算 10 个文本嵌入；余弦相似度最大的那一句就是预测的类别。
#
# 一句话的措辞会影响结果（CLIP 论文 3.1.4 节：“A photo of a {label}.” 比只写类名好 1.3 个百分点）。**提示集成**用好几个模板：
# 每个模板给出 10 个文本嵌入，各自 L2 归一化后**按类别在模板之间取平均**，再归一化一次，得到每类一个“平均”的嵌入，再照常分类。
# 它相当于在嵌入空间里对几种说法做集成，论文里在 ImageNet 上又提高了 3.5 个百分点。评分器用 `mm.PROMPTS` 里的 6 个模板。
#
# ### 练习 5：`zero_shot_classify`（1 分）
#
# 实现 `zero_shot_classify(model, images, templates)`：`images` 是 `(n, 28, 28)` 的 `uint8` 数组，`templates` 是模板的列表
# （只有一个时就是单一提示）。返回长度为 `n` 的 `int64` 张量：每张图预测的类别。在 `eval()` 模式下、不求梯度地计算；
# 图像可以分批（每批 1,000 张）编码。结果应与评分器的 `mm.zero_shot_predictions` 一致。

# %% nbgrader={"grade": false, "grade_id": "ex-zero-shot", "locked": false, "schema_version": 3, "solution": true, "task": false}
def zero_shot_classify(model, images, templates, batch_size=1000):
    ### BEGIN SOLUTION
    model.eval()
    scenes = to_floats(mm.centred(images))
    with torch.no_grad():
        prompts = torch.stack([F.normalize(model.encode_text(encode_texts(mm.class_prompts(t)).to(device)), dim=-1)
                               for t in templates])                       # (templates, classes, D)
        classes = F.normalize(prompts.mean(0), dim=-1)                    # one averaged embedding per class
        preds = []
        for i in range(0, len(scenes), batch_size):
            emb = F.normalize(model.encode_image(scenes[i:i + batch_size].to(device)), dim=-1)
            preds.append((emb @ classes.T).argmax(1).cpu())
    return torch.cat(preds)
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-zero-shot-test", "locked": true, "points": 1.0, "schema_version": 3, "solution": false, "task": false}
_items, _labels = west2ai.detection.item_source("val")
torch.manual_seed(0)
_clip = CLIP(len(itos)).eval()
_pred = zero_shot_classify(_clip, _items[:300], [mm.PROMPT])
assert isinstance(_pred, torch.Tensor) and _pred.shape == (300,) and _pred.dtype == torch.int64, \
    f"应返回形状 (300,) 的 int64 张量，实际为 {type(_pred).__name__} {getattr(_pred, 'shape', '')} {getattr(_pred, 'dtype', '')}"
with torch.no_grad():
    _img = _clip.encode_image(to_floats(mm.centred(_items[:300]))).numpy()
    _one = _clip.encode_text(encode_texts(mm.class_prompts(mm.PROMPT))).numpy()
_want = mm.zero_shot_predictions(_img, _one)
assert (_pred.numpy() == _want).mean() > 0.99, f"单一提示时与 mm.zero_shot_predictions 只有 {(_pred.numpy() == _want).mean():.1%} 一致"
### BEGIN HIDDEN TESTS
torch.manual_seed(5)
_clip_h = CLIP(len(itos), embed_dim=32, width=16).eval()
with torch.no_grad():
    for _p in _clip_h.text_encoder.parameters():
        _p.add_(torch.randn_like(_p) * 0.3)
    _img = _clip_h.encode_image(to_floats(mm.centred(_items[:400]))).numpy()
    _all = np.stack([_clip_h.encode_text(encode_texts(mm.class_prompts(t))).numpy() for t in mm.PROMPTS])
for _templates, _embs in ((list(mm.PROMPTS), _all), (list(mm.PROMPTS[1:4]), _all[1:4]), ([mm.PROMPTS[2]], _all[2])):
    _got = zero_shot_classify(_clip_h, _items[:400], _templates, batch_size=150)
    _agree = (_got.numpy() == mm.zero_shot_predictions(_img, _embs)).mean()
    assert _agree > 0.99, f"用 {len(_templates)} 个模板、batch_size=150 时，预测与评分器的做法只有 {_agree:.1%} 一致（每个模板先归一化，平均后再归一化）"
### END HIDDEN TESTS

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-10", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ## 7. 训练
#
# 限制与评分：参数量 **≤ {{param_limit}}**；只用 `torch.nn` 的层自己搭；只用 `mm.pairs("train", …)` 的图文训练
# （不能把类别标签当监督信号——这个模型从来没有被当作分类器训练过）；从零训练在 2 核 CPU 上不超过 **{{budget_minutes}} 分钟**。
# 档位看评分器在 10,000 张测试图上的零样本准确率（提示集成）：
#
# {{tier_table}}
#
# 下面锁定的 `evaluate_clip(model)` 在验证集上计算三个数：1,000 对验证图文的 recall@1（图→文、文→图，每张图的正确答案是它的
# **标准说法**，同一句话可以对应好几张图，和评分器一样），以及 2,000 张验证物品图（来自训练图中没有用来生成训练场景的那一部分）
# 的零样本准确率（提示集成）。
#
# **一个陷阱**：一个 batch 里可能有好几张图的描述一字不差（比如 256 对里有两张图都配“一个包”）。InfoNCE 把对角线以外的都当作负样本，
# 于是模型被要求把“一个包”和另一张包的图**推开**——这是**假负样本**。描述种类很多时影响不大；CLIP 在 4 亿对网上图文上几乎碰不到，
# 我们的描述只有一千来种，碰到得多一些。修正的办法之一是把“描述相同”的位置都当作正样本（软标签），或者在取 batch 时避开重复；
# 参考解没有修正，你可以试一试，把结果写进学习笔记。
#
# ### 练习 6：训练（1 分）
#
# 在 `CLIP_CONFIG` 里写下模型的参数（传给 `CLIP(len(itos), **CLIP_CONFIG)`），在 `train_clip(model)` 里写训练过程：
# 每步从 `x_train`、`t_train` 里取一批（打乱顺序），算两个嵌入和 `clip_loss`，反向传播，更新；用 tqdm 显示进度条；
# 每个 epoch 结束时调用 `evaluate_clip(model)`，打印并记录；返回字典 `history`，含 `loss`（每个 epoch 的平均训练损失）、
# `val_i2t`、`val_t2i`、`val_zero_shot` 四个按 epoch 记录的列表。
#
# 参考配方（`width=24`，约 1.5 分钟）：batch size 256（对比学习喜欢大 batch：负样本多），4 个 epoch，`AdamW`（lr 3e-3，
# weight_decay 0.05，`logit_scale` 不衰减）配合 `OneCycleLR`（每个 batch `scheduler.step()` 一次）。可以对照的数：
# 训练前的损失约为 $\ln 256 \approx 5.5$ 再高一点（见上面的“想一想”）；第 1 个 epoch 后验证集零样本准确率应超过 70%、
# recall@1 超过 40%。如果损失停在 5.5 附近不动，检查图文有没有对齐（同一个下标）、是否忘了 `optimizer.zero_grad()`。

# %% deletable=false editable=false nbgrader={"grade": false, "grade_id": "evaluate", "locked": true, "schema_version": 3, "solution": false, "task": false}
val_items, val_item_labels = west2ai.detection.item_source("val")
val_items, val_item_labels = val_items[:2000], torch.tensor(val_item_labels[:2000])
val_canonical = [mm.captions(s)[0] for s in val.scenes]
val_distinct = sorted(set(val_canonical))
val_truth = np.array([val_distinct.index(c) for c in val_canonical])


def evaluate_clip(model, batch_size=500):
    """Validation figures: recall@1 image->text and text->image on the validation pairs (canonical captions),
    and zero-shot accuracy with the prompt ensemble on 2,000 validation items."""
    model.eval()
    with torch.no_grad():
        im = torch.cat([model.encode_image(x_val[i:i + batch_size].to(device)).cpu() for i in range(0, len(x_val), batch_size)])
        tx = model.encode_text(encode_texts(val_distinct).to(device)).cpu()
    recall = mm.retrieval_recall(mm.top_k(im.numpy(), tx.numpy(), 1), mm.top_k(tx.numpy(), im.numpy(), 1), val_truth, ks=(1,))
    zero_shot = (zero_shot_classify(model, val_items, mm.PROMPTS) == val_item_labels).float().mean().item()
    return {"val_i2t": recall["i2t@1"], "val_t2i": recall["t2i@1"], "val_zero_shot": zero_shot}


# %% nbgrader={"grade": false, "grade_id": "ex-train", "locked": false, "schema_version": 3, "solution": true, "task": false}
### BEGIN SOLUTION
CLIP_CONFIG = dict(embed_dim=64, width=24)


def train_clip(model, epochs=4, batch_size=256, lr=3e-3):
    decay = [p for name, p in model.named_parameters() if p.ndim >= 2]
    no_decay = [p for name, p in model.named_parameters() if p.ndim < 2]   # biases, norms, logit_scale
    optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": 0.05}, {"params": no_decay, "weight_decay": 0.0}], lr=lr)
    steps = len(x_train) // batch_size
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=lr, total_steps=epochs * steps, pct_start=0.1)
    history = {"loss": [], "val_i2t": [], "val_t2i": [], "val_zero_shot": []}
    for epoch in range(1, epochs + 1):
        model.train()
        order = torch.randperm(len(x_train))
        total = 0.0
        bar = tqdm(range(steps), desc=f"epoch {epoch}/{epochs}", leave=False)
        for step in bar:
            idx = order[step * batch_size:(step + 1) * batch_size]
            images, ids = x_train[idx].to(device), t_train[idx].to(device)
            loss = clip_loss(model.encode_image(images), model.encode_text(ids), model.logit_scale)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            scheduler.step()
            total += loss.item()
            bar.set_postfix(loss=f"{loss.item():.3f}")
        history["loss"].append(total / steps)
        for key, value in evaluate_clip(model).items():
            history[key].append(value)
        print(f"epoch {epoch}/{epochs}  loss {history['loss'][-1]:.3f}  scale {model.logit_scale.exp().item():.1f}  |  val R@1 "
              f"image→text {history['val_i2t'][-1]:.1%}  text→image {history['val_t2i'][-1]:.1%}  zero-shot {history['val_zero_shot'][-1]:.1%}")
    return history
### END SOLUTION


# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-11", "locked": true, "schema_version": 3, "solution": false, "task": false}
# 下面的锁定单元建模型并调用 `west2ai.training.load_or_train`：`{{checkpoint}}` 已存在就直接加载（评分时也是这样），
# 否则调用你的 `train_clip` 训练，并把权重和训练记录存为 `{{checkpoint}}`。**改了模型结构或训练过程后，删掉 `{{checkpoint}}` 再运行**。
# 之后它把模型（前面接上字符查找表）导出成 `{{export}}`，交给导师端评分器（本阶段的 03 也会读这个文件）。

# %% deletable=false editable=false nbgrader={"grade": false, "grade_id": "train", "locked": true, "schema_version": 3, "solution": false, "task": false}
torch.manual_seed(0)
model = CLIP(len(itos), **CLIP_CONFIG).to(device)
print(f"CLIP 参数量: {west2ai.grading.n_params(model):,}（图像编码器 {west2ai.grading.n_params(model.image_encoder):,}，"
      f"文本编码器 {west2ai.grading.n_params(model.text_encoder):,}）| 配置: {CLIP_CONFIG}")
model.eval()
with torch.no_grad():
    first_loss = clip_loss(model.encode_image(x_train[:256].to(device)), model.encode_text(t_train[:256].to(device)), model.logit_scale)
print(f"训练前一个 256 对的 batch 上的损失 {first_loss.item():.3f}（ln 256 = {math.log(256):.3f}）")
history = west2ai.training.load_or_train(model, "{{checkpoint}}", lambda: train_clip(model))
# The mentor's grader scores the tiers from this file, outside this kernel (see below).
west2ai.grading.export_clip(model, itos, "{{export}}")
if history:
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 3.8))
    epochs_run = range(1, len(history["loss"]) + 1)
    ax1.plot(epochs_run, history["loss"], "o-", label="training loss")
    ax1.set_xlabel("epoch")
    ax1.set_ylabel("symmetric InfoNCE loss")
    ax1.set_title("CLIP training loss (batch 256)")
    ax1.legend()
    for key, label in (("val_i2t", "val recall@1 image->text"), ("val_t2i", "val recall@1 text->image"),
                       ("val_zero_shot", "val zero-shot accuracy (ensemble)")):
        ax2.plot(epochs_run, history[key], "s-", label=label)
    ax2.set_xlabel("epoch")
    ax2.set_ylabel("fraction")
    ax2.set_title("validation")
    ax2.legend()
    plt.show()

# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-train-test", "locked": true, "points": 1.0, "schema_version": 3, "solution": false, "task": false}
assert history is not None, "没有读到训练记录：{{checkpoint}} 是只有权重的旧检查点。请删除它，重新运行上面的训练单元"
_keys = ("loss", "val_i2t", "val_t2i", "val_zero_shot")
assert all(k in history for k in _keys), f"train_clip 返回的记录应有 {_keys}，实际只有 {sorted(history)}"
assert len({len(history[k]) for k in _keys}) == 1 and len(history["loss"]) >= 1, \
    f"每个列表应每个 epoch 各记一项、长度相同，实际长度为 { {k: len(history[k]) for k in _keys} }"
_now = evaluate_clip(model)
assert all(abs(history[k][-1] - _now[k]) < 0.005 for k in _now), \
    f"训练好的模型在验证集上的结果 {_now} 与记录的最后一项 { {k: history[k][-1] for k in _now} } 不一致：检查点与记录不是同一次训练，或没有在验证集上评估"
assert history.progress_bars, f"训练时没有显示 tqdm 进度条（数到 {history.progress_bars} 个）：删除 {{checkpoint}} 后重新训练"
assert len(history["loss"]) == 1 or history["loss"][-1] < history["loss"][0], \
    f"训练损失应下降：第一个 epoch {history['loss'][0]:.3f}，最后 {history['loss'][-1]:.3f}"
assert _now["val_zero_shot"] > 0.5, f"验证集零样本准确率只有 {_now['val_zero_shot']:.1%}：检查损失、编码器和训练过程"

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-12", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 它检索得怎么样
#
# 下面拿几张验证图，在验证集全部不同的标准说法（几百句）里找最像的 3 句；再反过来，用几句你自己写的话（包括训练中
# 从没出现过的组合，比如“左上有一件T恤”）在验证图里找最像的图。

# %%
model.eval()
with torch.no_grad():
    val_img_emb = model.encode_image(x_val.to(device)).cpu().numpy()
    val_txt_emb = model.encode_text(encode_texts(val_distinct).to(device)).cpu().numpy()
for i, ranks in enumerate(mm.top_k(val_img_emb[:6], val_txt_emb, 3)):
    mark = "✓" if ranks[0] == val_truth[i] else "✗"
    print(f"验证图 #{i}（{val_canonical[i]}）{mark} → " + " | ".join(val_distinct[r] for r in ranks))

queries = ["左上有一件T恤", "右上有一条裤子", "包在凉鞋的左边", "一双运动鞋"]
with torch.no_grad():
    query_emb = model.encode_text(encode_texts(queries).to(device)).cpu().numpy()
best = mm.top_k(query_emb, val_img_emb, 4)
fig, axes = plt.subplots(len(queries), 4, figsize=(7, 7.2))
for q, row in enumerate(best):
    for j, k in enumerate(row):
        axes[q, j].imshow(val.images[k], cmap="gray")
        axes[q, j].set_title(scene_title(val.scenes[k]).replace(" + ", "\n+ "), fontsize=6)
        axes[q, j].axis("off")
    print(f"第 {q + 1} 行：“{queries[q]}” 最像的 4 张验证图")
fig.suptitle("Text -> image: the 4 nearest validation scenes for each query (rows in the order printed)")
plt.tight_layout()
plt.show()

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-13", "locked": true, "schema_version": 3, "solution": false, "task": false}
# **想一想**：“左上有一件T恤”“右上有一条裤子”是训练中从没出现过的组合（验证集里也没有这样的图），模型找到的图是什么样的？
# 它找对了“物品”、找对了“位置”，还是两者都对了一半？为什么文→图的 recall@1 常常比图→文的低？
#
# <details><summary>提示</summary>
#
# 验证集里没有“T恤在左上”的图，最好的答案只能是“左上有一件别的上衣”或“T恤在别的角”。参考模型多半给出 T恤 在别处或中间的图：
# 物品的信号比位置更强（零样本分类只练了物品）。评分器的“未见组合”测试里确实有这样的图，参考模型在那里的 recall 明显低于已见组合
# （见下面的自测），说明它对“物品 × 位置”的组合只学会了一部分。
# 文→图：同一句标准说法（比如“一个包”）对应好几张图，只要命中其中任何一张就算对；但“包在凉鞋的左边”这样的句子只配一张图，
# 同一行的“凉鞋在包的右边”是另一句，而图里还有好多张“包和凉鞋在同一行”的近似图可以混淆。两个方向的难度并不对称。
# </details>

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-14", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ## 8. 自测与档位
#
# 上面的训练单元把模型导出成了 `{{export}}`。**档位分由导师端评分器给出**：它在一个干净的进程里加载这个文件，参数、buffer 和常量
# 全部计入参数上限（{{param_limit}}），只给它看图和文字（看不到答案），自己算：
#
# - 零样本分类准确率：10,000 张测试图，单一提示 `mm.PROMPT` 和提示集成 `mm.PROMPTS`（**档位看后者**）；它还把测试图整体调亮一个灰度级
#   再测一次：学会了衣物的模型几乎不受影响，“背下”测试图的模型会露馅，拿不到档位分；
# - 检索 recall@1/@5（图→文、文→图）：评分时用随机种子现生成的测试图文，“已见组合”与“未见组合”各 1,000 对，每张图配它的标准说法。
#
# 下面的自测单元和档位单元用同样的方法（`west2ai.grading.clip_figures`）算一遍；检索的测试图文用一个固定的种子，
# 评分器换一个种子，recall 会有一两个百分点的起伏，零样本准确率则不变（测试图是固定的）。

# %%
figures = west2ai.grading.clip_figures(model, itos, seed=2025)
print(f"参数量 {west2ai.grading.n_params(model):,}；零样本：单一提示 {figures['zero_shot']:.2%}，提示集成 {figures['zero_shot_ensemble']:.2%}，"
      f"调亮一个灰度级后 {figures['jittered']:.2%}")
for group, name in (("seen", "已见组合"), ("unseen", "未见组合")):
    print(f"{name}：图→文 R@1 {figures[group + '_i2t@1']:.1%} R@5 {figures[group + '_i2t@5']:.1%}；"
          f"文→图 R@1 {figures[group + '_t2i@1']:.1%} R@5 {figures[group + '_t2i@5']:.1%}")
_line = west2ai.grading.tier_progress(figures["zero_shot_ensemble"], {"及格": "{{tiers.pass.threshold}}", "良好": "{{tiers.good.threshold}}", "优秀": "{{tiers.excellent.threshold}}"},
                                      what="零样本分类准确率（提示集成）")

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-15", "locked": true, "schema_version": 3, "solution": false, "task": false}
# **想一想**：提示集成比单一提示高还是低？为什么把几种说法的嵌入**平均**会有帮助？如果某个模板里有训练时从没见过的字
# （“照片**里**是一件T恤”的“里”），集成还有用吗？
#
# <details><summary>提示</summary>
#
# 每个模板的文本嵌入 = “类别”的信号 + 这种说法特有的偏移（比如“一张……的照片”这种说法更像某几类的训练描述）。
# 在几种说法之间平均，类别信号保留，各自的偏移互相抵消一部分，10 个类别的嵌入更“干净”，这和模型集成降低方差是一个道理。
# 训练描述里没有“一张T恤的照片”之外的中间物品说法时，单一提示可能正好落在模型熟悉的说法上，集成的提升就小，甚至略低；
# 含 `<unk>` 的模板是一个“没见过的字 + 熟悉的类名”，通常仍指向正确的类别，只是更嘈杂一些。
# </details>

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-16", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 档位测试

# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "tier", "locked": true, "schema_version": 3, "solution": false, "task": false} west2ai={"expand": "tiers"}
assert isinstance(model, CLIP), "model 应是上面训练好的 CLIP"
west2ai.grading.check_not_banned(model)
west2ai.grading.check_param_limit(model, "{{param_limit}}")
_line = west2ai.grading.tier_progress(figures["zero_shot_ensemble"], {"及格": "{{tiers.pass.threshold}}", "良好": "{{tiers.good.threshold}}", "优秀": "{{tiers.excellent.threshold}}"},
                                      "{{tier.label}}", what="零样本分类准确率（提示集成）")
### BEGIN HIDDEN TESTS
import importlib

import west2ai.data
import west2ai.grading
import west2ai.mentor.mmjudge
import west2ai.multimodal
import west2ai.text

for _module in (west2ai.data, west2ai.text, west2ai.multimodal, west2ai.mentor.mmjudge, west2ai.grading):
    importlib.reload(_module)  # undo any monkey-patching
west2ai.grading.check_not_banned(model)
west2ai.grading.check_param_limit(model, "{{param_limit}}")
# the grader's zero-shot measure (prompt ensemble, all 10,000 test images), through the character lookup it exports
_acc = west2ai.grading.clip_figures(model, itos)["zero_shot_ensemble"]
assert _acc >= "{{tier.threshold}}", f"零样本分类准确率（提示集成）{_acc:.2%}，未达到{{tier.label}}线 {{tier.percent}}"
### END HIDDEN TESTS

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-17", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ## 学习笔记（5 分，人工评分）
#
# 在下面的单元里写你的学习笔记（300–800 字，可以配表格），至少包括：
#
# 1. **你试过什么**：至少两种不同的设置（编码器的宽度或结构、batch 大小、epoch 数、学习率、温度是否可学习、是否处理重复描述……），
#    各自的参数量、用时和**验证集**上的 recall@1 与零样本准确率（用表格列出数字）；
# 2. **什么没有奏效**，你认为原因是什么；
# 3. **你的最终模型**：单一提示与提示集成、已见组合与未见组合的数字各是多少，差别说明了什么；`logit_scale` 最后学到了多少；
# 4. **对比学习**：用你自己的话说明 InfoNCE 的正负样本从哪里来、batch 大小和假负样本怎样影响它，为什么一个没有被当作分类器训练的模型能做分类。
#
# 笔记要写你自己的实验和理解；照抄网上的文字或与代码对不上的笔记不得分。

# %% [markdown] nbgrader={"grade": true, "grade_id": "learning-notes", "locked": false, "points": 5.0, "schema_version": 3, "solution": true, "task": false}
# **示例笔记（参考解作者的实验记录）**
#
# 我的目标是在 2 核 CPU 上约 1.5 分钟内训练完、零样本准确率尽量高。下面的用时是**单线程、机器上同时还有别的训练进程**时量的
# （双线程独占时大约快 1.7 倍）。对照实验的数字是训练后用 `west2ai.grading.clip_figures` 量的（零样本用全部 10,000 张测试图；
# 作者为了写档位才这样做，你做选择时请看验证集）：
#
# | 设置 | 参数量 | 单线程训练用时 | 零样本（单一 / 集成） | 已见组合 R@1 图→文 / 文→图 | 未见组合 R@1 图→文 / 文→图 |
# |---|---|---|---|---|---|
# | `width=32`，30,000 对，4 epoch | 119,537 | 约 444 s（三个进程抢两个核） | 87.6% / 87.6% | 79% / 71% | 34% / 21% |
# | **最终**：`width=24`，24,000 对，4 epoch | 89,109 | 约 158 s | 86.3% / 86.1% | 77% / 69% | 31% / 15% |
# | 同上，重复描述当作正样本（软标签） | 89,109 | 约 240 s（更挤的时候） | 86.7% / 86.5% | 77% / 69% | 30% / 22% |
#
# **没有奏效的**：(1) 把重复的描述当作正样本（同一 batch 里描述一字不差的图文都算配对，目标是按行归一化的 0/1 矩阵）几乎没有变化
# （+0.3 个百分点，在两次运行的起伏之内：同一配置的两次运行，集成准确率 86.2% 与 86.1%）：256 对里描述完全相同的只有一两对，假负样本太少，影响不了训练。(2) 提示集成没有带来提升
# （86.1% 对单一提示 86.3%）：训练描述里本来就有“一张T恤的照片”这种说法，单一提示正好是模型最熟悉的；集成里“照片里是一件T恤”的
# “里”是 `<unk>`，反而添了噪声。CLIP 论文里集成有用，是因为网上的图文说法千变万化，单个模板很难正好对上。
# (3) 更宽的图像编码器（`width=32`）高了约 1.4 个百分点，但每个 epoch 慢一倍多，放不进预算。
#
# **最终模型**：图像编码器 46,420 个参数，文本编码器 42,688 个，外加一个 `logit_scale`（$s$ 从 14.3 升到约 18.5）。
# 最终模型在验证集上：recall@1 图→文 77.9%、文→图 70.3%，零样本 86.3%（第 1 个 epoch 后分别是 60.3%、44.5%、75.0%）。
# 已见组合的检索很好（图→文 R@5 约 97–99%），未见组合的 R@1 只有两三成（文→图只有 15–21%，随评分种子变化）：模型认得物品，也认得位置，但没有见过
# “T恤在左上”时，它常把图配到“T恤在别的角”或“左上是别的上衣”的句子上——组合泛化只学会了一部分。
# 零样本分类只用到“中间有一件物品”这一种场景，正是训练数据里最常见的单件物品描述，所以即使从没当作分类器训练，也能到 86%。
#
# **对比学习**：InfoNCE 的正样本是同一下标的图文，负样本是同一 batch 里的其他 255 对；batch 越大负样本越多、任务越难、学到的区分越细。
# 描述重复时就有假负样本（上面的实验说明在这里影响很小）。零样本分类其实就是一次文→图检索：10 句类名描述各自的嵌入当作 10 个“分类器权重”，
# 余弦相似度当作 logits。
#
# === BEGIN MARK SCHEME ===
# 共 5 分，按下面四项给分，可以给半分。
# - 实验记录（2 分）：至少两种不同的设置，列出参数量、用时、验证集 recall@1 与零样本准确率的具体数字，并与 notebook 里的代码和
#   `clip.pt` 的结果一致。只有一种设置或没有数字：最多 1 分。
# - 失败分析（1 分）：至少一次没有带来提升的尝试，并给出合理的原因（位置信息、batch 大小与负样本、温度、欠拟合 / 过拟合等）。
#   只说“效果不好”而无分析：0 分。
# - 最终模型（1 分）：给出单一提示 / 提示集成、已见 / 未见组合的数字，并对差别有具体解释（集成抵消措辞偏移；组合泛化只学会一部分等）。
# - 对比学习（1 分）：正确说明正负样本来自 batch 内的配对、batch 越大负样本越多、重复描述造成假负样本；零样本分类靠“图与类名描述的相似度”。
# 扣分：与代码对不上的数字、明显照抄的通用文字整项不得分；整篇照抄他人笔记记 0 分。
# === END MARK SCHEME ===
