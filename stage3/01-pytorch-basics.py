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
# # 阶段三 · 01 PyTorch 基础：张量、自动求导、模块与数据
#
# 阶段二里你用 numpy 手写了前向传播和反向传播。从这一节开始，我们把这些活儿交给 PyTorch：
# 它的张量（tensor）和 numpy 数组几乎一样好用，却能自动求梯度、在 GPU 上运行，
# 并且提供了搭建和训练网络所需的一整套积木。
#
# **学习目标**
# - 创建、索引、变形张量，理解并使用广播（broadcasting）；
# - 用自动求导（autograd）求梯度，并和阶段二手推的梯度逐项核对；知道 `torch.no_grad()` 与原地更新，亲手写出 `optimizer.step()` 做的事；
# - 用 `nn.Module` 搭建网络，知道参数是怎样被注册和计数的；
# - 亲手解析 Fashion-MNIST 的 idx 二进制文件，写一个自己的 `Dataset`，再交给 `DataLoader`；
# - 写出标准的训练循环（带 tqdm 进度条）和评估函数；从训练集里留出验证集，每个 epoch 看验证集，测试集只在最后看一次；画训练曲线；
# - 用 `state_dict` 保存、加载模型权重（`weights_only=True`）。
#
# **评分项**（全部自动评分，共 19 分）
#
# | 评分单元 | 内容 | 分值 |
# |---|---|---|
# | `ex-to-tensor-test` | 练习 1：图像数组转张量 | 1 |
# | `ex-sgd-step-test` | 练习 2：亲手写一步梯度下降（`torch.no_grad`、原地更新、梯度清零） | 2 |
# | `ex-autograd-test` | 练习 3：自动求导，核对手推梯度 | 3 |
# | `ex-mlp-test` | 练习 4：`nn.Module` 多层感知机 | 2 |
# | `ex-read-idx-test` | 练习 5：解析 idx 文件 | 2 |
# | `ex-dataset-test` | 练习 6：自定义 `Dataset` | 2 |
# | `ex-train-test` | 练习 7：训练循环（带进度条）与评估函数 | 3 |
# | `ex-mlp-accuracy-test` | 练习 8：训练好的 MLP 在完整测试集（10,000 张）上准确率 ≥ 80% | 2 |
# | `ex-save-load-test` | 练习 9：保存与加载 `state_dict` | 2 |
#
# **预计学习时间**：4–6 小时（含阅读 d2l 第 2、4、5 章的相关小节）。
#
# **CPU 预算**：本节只有一次很小的训练（两层 MLP、3 个 epoch），在 2 核 CPU 上只要几秒（实测约 3 秒）；整本 notebook 半分钟以内跑完。
#
# 参考阅读：[《动手学深度学习》](https://zh.d2l.ai/) 2.1 数据操作、2.5 自动微分、5.1 层和块、5.5 读写文件；
# PyTorch 官方教程 *Learn the Basics*。

# %% deletable=false editable=false nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false, "task": false}
import subprocess
import sys

if "google.colab" in sys.modules:  # Colab: install the course package (it never replaces Colab's torch)
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "{{package_url}}"], check=True)

import contextlib
import io
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, Dataset, Subset  # noqa: F401  (Subset: for your own code)
from tqdm.auto import tqdm

import west2ai.data
import west2ai.grading
import west2ai.training

torch.manual_seed(0)
np.random.seed(0)
device = "cuda" if torch.cuda.is_available() else "cpu"

# Where the four raw idx files live (on Colab they are downloaded once).
RAW = west2ai.data.fashion_mnist_root(download="google.colab" in sys.modules) / "FashionMNIST" / "raw"
print("torch", torch.__version__, "| device:", device, "| data:", RAW)

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-02", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ## 1. 张量与广播
#
# 张量就是多维数组。和 numpy 相比，它多了三样东西：所在设备（`device`）、是否需要梯度（`requires_grad`），
# 以及一整套可以在 GPU 上运行的运算。常用的创建、查看形状、变形和索引方式如下。

# %%
x = torch.arange(12, dtype=torch.float32).reshape(3, 4)
print(x)
print("shape:", x.shape, "| dtype:", x.dtype, "| device:", x.device)
print("第 2 行:", x[1], "| 第 3 列:", x[:, 2])
print("转置后的形状:", x.T.shape, "| 展平:", x.flatten().shape)

a = np.ones((2, 3))
t = torch.from_numpy(a)        # shares memory with the numpy array
a[0, 0] = 100
print("from_numpy 共享内存:", t[0, 0].item(), "| 回到 numpy:", type(t.numpy()).__name__)

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-04", "locked": true, "schema_version": 3, "solution": false, "task": false}
# **广播规则**（和 numpy 完全相同）：把两个张量的形状从最右边一维开始对齐，每一维要么相等，要么其中一个是 1
# （或缺失），结果沿着长度为 1 的那一维“复制”展开——但并不真的复制内存。
#
# 例如形状 `(3, 1)` 与 `(1, 4)` 相加得到 `(3, 4)`；形状 `(n, 1, d)` 与 `(1, m, d)` 相减得到 `(n, m, d)`。
# 用 `unsqueeze`（或索引里的 `None`）可以插入长度为 1 的维度。

# %%
col = torch.tensor([[0.0], [10.0], [20.0]])   # (3, 1)
row = torch.tensor([[1.0, 2.0, 3.0, 4.0]])    # (1, 4)
print((col + row).shape)
print(col + row)
print(x.unsqueeze(0).shape, x[:, None, :].shape)


# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-06", "locked": true, "schema_version": 3, "solution": false, "task": false}
# **想一想**：形状 `(3, 1)` 与形状 `(4,)` 的张量相加，结果是什么形状？`(2, 3)` 与 `(3, 2)` 能直接相加吗？
# `(n, 1, d)` 与 `(1, m, d)` 相减得到的 `(n, m, d)` 张量，当 n = m = 10,000、d = 784、float32 时要占多少内存？
#
# <details><summary>提示</summary>
#
# `(4,)` 先在左边补成 `(1, 4)`，再与 `(3, 1)` 广播成 `(3, 4)`。`(2, 3)` 与 `(3, 2)` 最右一维是 3 对 2，既不相等也不是 1，
# 会报错（需要的话先转置）。广播的结果是实实在在的新张量：10,000 × 10,000 × 784 × 4 字节约 313 GB——
# 所以大规模算两两距离时要展开成 $\lVert a\rVert^2 - 2a\cdot b + \lVert b\rVert^2$（阶段二 04 练习 3 的第二种思路），只生成 `(n, m)` 的结果。
# </details>

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-09", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 练习 1：把图像数组变成张量（1 分）
#
# 卷积网络要的输入形状是 `(N, C, H, W)`（批量、通道、高、宽）。实现 `images_to_tensor(images)`：
# 输入形状 `(N, 28, 28)`、dtype `uint8` 的 numpy 数组，返回形状 `(N, 1, 28, 28)`、dtype `float32`、
# 数值在 `[0, 1]`（除以 255）的张量。下面的 `Dataset` 会用到它。

# %% nbgrader={"grade": false, "grade_id": "ex-to-tensor", "locked": false, "schema_version": 3, "solution": true, "task": false}
def images_to_tensor(images):
    ### BEGIN SOLUTION
    return torch.from_numpy(np.asarray(images, dtype=np.float32) / 255.0).unsqueeze(1)
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-to-tensor-test", "locked": true, "points": 1.0, "schema_version": 3, "solution": false, "task": false}
sample = np.array([[[0, 255], [51, 102]]], dtype=np.uint8)
t = images_to_tensor(sample)
assert isinstance(t, torch.Tensor), f"应返回 torch.Tensor，实际返回了 {type(t).__name__}"
assert t.shape == (1, 1, 2, 2), f"形状应为 (1, 1, 2, 2)，实际为 {tuple(t.shape)}"
assert t.dtype == torch.float32, f"dtype 应为 torch.float32，实际为 {t.dtype}"
assert torch.allclose(t, torch.tensor([[[[0.0, 1.0], [0.2, 0.4]]]])), "数值应除以 255 缩放到 [0, 1]"
### BEGIN HIDDEN TESTS
imgs = np.random.default_rng(0).integers(0, 256, size=(5, 28, 28), dtype=np.uint8)
imgs_before = imgs.copy()
t = images_to_tensor(imgs[:, ::-1, :])  # a non-contiguous view
assert type(t) is torch.Tensor and t.dtype == torch.float32, \
    f"输入为 (5, 28, 28) 的非连续 uint8 数组时应返回 float32 张量，实际为 {type(t).__name__} {getattr(t, 'dtype', '')}"
assert t.shape == (5, 1, 28, 28), f"输入为 (5, 28, 28) 时形状应为 (5, 1, 28, 28)，实际为 {tuple(t.shape)}"
assert np.allclose(t.numpy()[:, 0], imgs[:, ::-1, :] / 255.0, atol=1e-7), \
    "输入是上下翻转后的非连续视图时数值不对：每个像素应除以 255，图像的顺序和方向保持不变"
assert np.array_equal(imgs, imgs_before), "不要修改输入数组"
### END HIDDEN TESTS

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-12", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ## 2. 自动求导
#
# 给张量设置 `requires_grad=True`，PyTorch 就会记录在它上面做过的每一步运算（计算图）。
# 对一个标量调用 `.backward()`，链式法则自动沿着计算图反向走一遍，把 $\partial\,\text{loss}/\partial x$
# 存进 `x.grad`。三个要点：
#
# 1. 梯度会**累加**：再次 `backward()` 之前要清零（训练时用 `optimizer.zero_grad()`）；
# 2. 只需要前向结果、不需要梯度时（评估、推理），放进 `with torch.no_grad():`，又快又省内存；
# 3. `tensor.detach()` 得到一个不再追踪梯度的张量，`.numpy()` 之前常常需要它。

# %%
w = torch.tensor([1.0, -2.0, 3.0], requires_grad=True)
loss = (w ** 2).sum()          # d loss / d w = 2 w
loss.backward()
print("第一次:", w.grad)
loss = (w ** 2).sum()
loss.backward()
print("没有清零，梯度累加了:", w.grad)
w.grad.zero_()
with torch.no_grad():
    y = w * 2
print("no_grad 中的结果 requires_grad =", y.requires_grad)


# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-13", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 练习 2：亲手写一步梯度下降（2 分）
#
# 训练循环里的 `optimizer.step()` 和 `optimizer.zero_grad()` 并不神秘，最朴素的 SGD 你自己就能写。
# 实现 `sgd_step(params, lr)`：对 `params`（可迭代对象，例如列表或 `model.parameters()`）中每个梯度不为 `None` 的参数 `p`，
# 做一步梯度下降 $p \leftarrow p - \text{lr}\cdot\partial\,\text{loss}/\partial p$，再把它的梯度清零；返回 `None`。
#
# - 必须**原地**更新（`p -= lr * p.grad` 或 `p.sub_(...)`）。写成 `p = p - lr * p.grad` 只是让局部变量 `p`
#   指向了一个新张量，模型里的参数根本没有变；
# - 更新要放在 `with torch.no_grad():` 里：参数的更新不是模型计算的一部分，不应记进计算图。
#   在 `no_grad` 之外原地修改一个 `requires_grad=True` 的叶子张量，PyTorch 会直接报错——不妨试一试，读读报错信息；
# - 更新后用 `p.grad.zero_()` 把梯度清零，否则下一次 `backward()` 会在旧梯度上累加；`p.grad` 为 `None` 的参数跳过。
#
# 先心算一遍：`w = [1, -2]`、`loss = (w ** 2).sum()` 的梯度是 `2w = [2, -4]`，`lr = 0.1` 走一步后 `w` 应为 `[0.8, -1.6]`，
# 梯度变为 `[0, 0]`。

# %% nbgrader={"grade": false, "grade_id": "ex-sgd-step", "locked": false, "schema_version": 3, "solution": true, "task": false}
def sgd_step(params, lr):
    ### BEGIN SOLUTION
    with torch.no_grad():
        for p in params:
            if p.grad is not None:
                p -= lr * p.grad
                p.grad.zero_()
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-sgd-step-test", "locked": true, "points": 2.0, "schema_version": 3, "solution": false, "task": false}
w = torch.tensor([1.0, -2.0], requires_grad=True)
(w ** 2).sum().backward()
result = sgd_step([w], 0.1)
assert result is None, f"sgd_step 应原地更新参数、返回 None，实际返回了 {type(result).__name__}"
assert torch.allclose(w.detach(), torch.tensor([0.8, -1.6])), \
    f"w = [1, -2]、lr = 0.1 走一步后应为 [0.8, -1.6]，实际为 {w.detach().tolist()}（是原地更新吗？）"
assert w.requires_grad, "更新后参数应仍然 requires_grad=True（不要 detach 参数本身）"
assert w.grad is None or not w.grad.any(), f"更新后梯度应清零（p.grad.zero_()），实际为 {w.grad.tolist()}"
### BEGIN HIDDEN TESTS
# A parameter without a gradient is skipped, not an error.
idle = nn.Parameter(torch.ones(3))
sgd_step([idle], 0.5)
assert torch.equal(idle.detach(), torch.ones(3)), f"没有梯度（grad 为 None）的参数应保持不变，实际变成了 {idle.detach().tolist()}"
# Five steps of least squares, once with sgd_step (params as a generator) and once with torch.optim.SGD.
torch.manual_seed(0)
X_ls, y_ls = torch.randn(40, 3), torch.randn(40, 1)
mine, ref = nn.Linear(3, 1), nn.Linear(3, 1)
ref.load_state_dict(mine.state_dict())
ref_opt = torch.optim.SGD(ref.parameters(), lr=0.05)
for step in range(5):
    F.mse_loss(mine(X_ls), y_ls).backward()
    sgd_step(mine.parameters(), 0.05)
    ref_opt.zero_grad()
    F.mse_loss(ref(X_ls), y_ls).backward()
    ref_opt.step()
    gap = max((a - b).abs().max().item() for a, b in zip(mine.parameters(), ref.parameters()))
    assert gap < 1e-6, f"最小二乘的第 {step + 1} 步后，参数与 torch.optim.SGD 相差 {gap:.2e}（梯度清零了吗？参数是原地更新的吗？）"
assert all(p.is_leaf and p.requires_grad for p in mine.parameters()), "更新后模型参数应仍是 requires_grad=True 的叶子张量"
### END HIDDEN TESTS

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-13b", "locked": true, "schema_version": 3, "solution": false, "task": false}
# **想一想**：PyTorch 为什么默认把梯度**累加**到 `.grad` 上，而不是每次 `backward()` 都覆盖？什么时候累加正好是你想要的？
#
# <details><summary>提示</summary>
#
# 同一个参数可能出现在好几项损失里，分别 `backward()` 后梯度相加才是总损失的梯度（求导对加法是线性的）。
# 另一个常见用法是**梯度累积**：内存放不下一个大 batch 时，把它拆成几个小批分别 `backward()`，梯度自动累加，
# 再 `step()` 一次，效果与一次大 batch 相同（每个小批的平均损失先除以小批的个数；模型里有 BatchNorm 时略有差别）。代价是每次更新之后都必须清零。
# </details>

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-14", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 练习 3：用 autograd 求两层网络的梯度（3 分）
#
# 阶段二里你为两层网络手推过反向传播。现在让 PyTorch 来做，再由测试用 numpy 手推的梯度逐项核对。
#
# 实现 `two_layer_loss_and_grads(X, y, W1, b1, W2, b2)`。输入都是 numpy 数组：
# `X` 形状 `(N, D)`，`y` 形状 `(N,)` 的整数类别，`W1 (D, H)`、`b1 (H,)`、`W2 (H, C)`、`b2 (C,)`。网络为
#
# $$h = \mathrm{ReLU}(X W_1 + b_1),\qquad s = h W_2 + b_2,\qquad
# \text{loss} = \frac1N\sum_i -\log \mathrm{softmax}(s_i)_{y_i}.$$
#
# 返回 `(loss, grads)`：`loss` 是 Python `float`；`grads` 是字典，键为 `"W1" "b1" "W2" "b2"`，
# 值是与对应参数同形状的 numpy 数组。提示：用 `torch.tensor(..., dtype=torch.float64, requires_grad=True)`
# 建参数张量，损失可以用 `F.cross_entropy`，最后对 loss 调用 `backward()`。不要修改输入数组。

# %% nbgrader={"grade": false, "grade_id": "ex-autograd", "locked": false, "schema_version": 3, "solution": true, "task": false}
def two_layer_loss_and_grads(X, y, W1, b1, W2, b2):
    ### BEGIN SOLUTION
    params = {
        name: torch.tensor(value, dtype=torch.float64, requires_grad=True)
        for name, value in (("W1", W1), ("b1", b1), ("W2", W2), ("b2", b2))
    }
    X = torch.tensor(X, dtype=torch.float64)
    y = torch.as_tensor(y, dtype=torch.long)
    h = torch.relu(X @ params["W1"] + params["b1"])
    scores = h @ params["W2"] + params["b2"]
    loss = F.cross_entropy(scores, y)
    loss.backward()
    return loss.item(), {name: p.grad.numpy() for name, p in params.items()}
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-autograd-test", "locked": true, "points": 3.0, "schema_version": 3, "solution": false, "task": false}
rng = np.random.default_rng(0)
Xs, ys = rng.normal(size=(4, 3)), np.array([0, 1, 2, 1])
W1s, b1s = rng.normal(size=(3, 5)), rng.normal(size=5)
W2s, b2s = rng.normal(size=(5, 3)), rng.normal(size=3)
loss_val, grads = two_layer_loss_and_grads(Xs, ys, W1s, b1s, W2s, b2s)
assert isinstance(loss_val, float), f"loss 应是 Python float（用 .item()），实际为 {type(loss_val).__name__}"
assert isinstance(grads, dict) and set(grads) == {"W1", "b1", "W2", "b2"}, "grads 应是含 W1 b1 W2 b2 四个键的字典"
for name, ref in (("W1", W1s), ("b1", b1s), ("W2", W2s), ("b2", b2s)):
    assert isinstance(grads[name], np.ndarray), f"grads['{name}'] 应是 numpy 数组"
    assert grads[name].shape == ref.shape, f"grads['{name}'] 形状应为 {ref.shape}，实际为 {grads[name].shape}"


def _numpy_forward_backward(X, y, W1, b1, W2, b2):
    """Stage 2 by hand: forward, softmax cross-entropy, backward."""
    z = X @ W1 + b1
    h = np.maximum(z, 0)
    s = h @ W2 + b2
    s = s - s.max(axis=1, keepdims=True)
    p = np.exp(s) / np.exp(s).sum(axis=1, keepdims=True)
    n = len(y)
    loss = -np.log(p[np.arange(n), y]).mean()
    ds = p.copy()
    ds[np.arange(n), y] -= 1
    ds /= n
    dh = ds @ W2.T
    dz = dh * (z > 0)
    return loss, {"W1": X.T @ dz, "b1": dz.sum(0), "W2": h.T @ ds, "b2": ds.sum(0)}


ref_loss, _ = _numpy_forward_backward(Xs, ys, W1s, b1s, W2s, b2s)
assert np.isclose(loss_val, ref_loss), f"loss 应约为 {ref_loss:.6f}，实际为 {loss_val:.6f}"
### BEGIN HIDDEN TESTS
rng = np.random.default_rng(42)
N, D, H, C = 9, 6, 8, 4
args = [rng.normal(size=(N, D)), rng.integers(0, C, size=N), rng.normal(size=(D, H)),
        rng.normal(size=H), rng.normal(size=(H, C)), rng.normal(size=C)]
copies = [a.copy() for a in args]
ref_loss, ref_grads = _numpy_forward_backward(*args)
for call in (1, 2):  # a second call must not accumulate gradients
    loss_val, grads = two_layer_loss_and_grads(*args)
    assert type(loss_val) is float and np.isclose(loss_val, ref_loss, rtol=1e-10), \
        f"另一组输入（N={N}, D={D}, H={H}, C={C}）第 {call} 次调用的 loss 与手推结果不符：你的函数返回 {loss_val!r}"
    for name, g in ref_grads.items():
        assert type(grads[name]) is np.ndarray and grads[name].shape == g.shape, \
            f"另一组输入上 grads['{name}'] 应是形状 {g.shape} 的 numpy 数组，实际为 {type(grads[name]).__name__} {np.shape(grads[name])}"
        rel = np.abs(grads[name] - g).max() / max(1e-12, np.abs(g).max())
        assert rel < 1e-8, f"另一组输入第 {call} 次调用时 grads['{name}'] 与手推梯度不符（相对误差 {rel:.2e}；梯度累加了？）"
for a, c in zip(args, copies):
    assert np.array_equal(a, c), "不要修改输入数组"
### END HIDDEN TESTS

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-17", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ## 3. 用 `nn.Module` 搭网络
#
# `nn.Module` 是 PyTorch 里一切网络的基类。写一个网络只需两步：在 `__init__` 里把层（它们本身也是
# `Module`）赋值给 `self` 的属性——PyTorch 由此**自动注册**它们的参数；在 `forward` 里写前向计算。
# 调用 `model(x)` 时会执行 `forward`。`model.parameters()` 遍历全部参数，`nn.Sequential` 把若干层串起来。

# %%
demo = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))
print(demo)
for name, p in demo.named_parameters():
    print(f"{name:10s} {tuple(p.shape)}")
print("参数总数:", west2ai.grading.n_params(demo))   # 4*3+3 + 3*2+2 = 23


# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-19", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 练习 4：多层感知机（2 分）
#
# 补全 `MLP`：把 `(N, 1, 28, 28)` 的图像展平成 784 维，经过 `Linear(784, hidden)` → `ReLU` →
# `Linear(hidden, n_classes)`，输出 `(N, n_classes)` 的 logits（未经 softmax）。
# 默认设置下参数量应为 $784\times128+128+128\times10+10 = 101{,}770$。

# %% nbgrader={"grade": false, "grade_id": "ex-mlp", "locked": false, "schema_version": 3, "solution": true, "task": false}
class MLP(nn.Module):
    def __init__(self, hidden=128, n_classes=10):
        super().__init__()
        ### BEGIN SOLUTION
        self.flatten = nn.Flatten()
        self.fc1 = nn.Linear(28 * 28, hidden)
        self.fc2 = nn.Linear(hidden, n_classes)
        ### END SOLUTION

    def forward(self, x):
        ### BEGIN SOLUTION
        return self.fc2(torch.relu(self.fc1(self.flatten(x))))
        ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-mlp-test", "locked": true, "points": 2.0, "schema_version": 3, "solution": false, "task": false}
m = MLP()
out = m(torch.zeros(5, 1, 28, 28))
assert isinstance(out, torch.Tensor) and out.shape == (5, 10), f"输出形状应为 (5, 10)，实际为 {tuple(out.shape)}"
n = west2ai.grading.n_params(m)
assert n == 101_770, f"默认 MLP 的参数量应为 101,770，实际为 {n:,}（层是否都赋值给了 self？）"
### BEGIN HIDDEN TESTS
torch.manual_seed(1)
m = MLP(hidden=32, n_classes=3)
n = west2ai.grading.n_params(m)
assert n == 784 * 32 + 32 + 32 * 3 + 3, f"MLP(hidden=32, n_classes=3) 的参数量不对：你的模型有 {n:,} 个（用上 hidden 和 n_classes 参数了吗？）"
linears = [mod for mod in m.modules() if type(mod) is nn.Linear]
assert len(linears) == 2 and linears[0].in_features == 784 and linears[1].out_features == 3, \
    f"MLP(hidden=32, n_classes=3) 应恰有两个 nn.Linear（784 → 32 → 3），实际为 {[(lin.in_features, lin.out_features) for lin in linears]}"
xb = torch.randn(6, 1, 28, 28)
expected = linears[1](torch.relu(linears[0](xb.reshape(6, -1))))
out = m(xb)
assert type(out) is torch.Tensor and out.shape == (6, 3), \
    f"MLP(hidden=32, n_classes=3) 对 (6, 1, 28, 28) 的输入应输出 (6, 3) 的张量，实际为 {getattr(out, 'shape', type(out).__name__)}"
assert torch.allclose(out, expected, atol=1e-6), "前向计算应为 Linear → ReLU → Linear，输出不经过 softmax"
### END HIDDEN TESTS

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-22", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ## 4. 自己读数据：idx 文件与 `Dataset`
#
# Fashion-MNIST 的原始文件是 **idx 格式**（和 MNIST 相同），结构非常简单：
#
# | 字节 | 内容 |
# |---|---|
# | 0–1 | 两个 0 字节 |
# | 2 | 数据类型：`0x08` 表示无符号字节（uint8） |
# | 3 | 维数 `k`（图像为 3，标签为 1） |
# | 4 … 4k+3 | 每一维的长度，各占 4 字节，**大端序**（big-endian）整数 |
# | 之后 | 全部数据，按 C 顺序排列，每个值 1 字节 |
#
# 下面看看测试集图像文件的前 16 个字节。

# %%
head = (RAW / "t10k-images-idx3-ubyte").read_bytes()[:16]
print(head.hex(" "))
print("维数:", head[3], "| 第一维:", int.from_bytes(head[4:8], "big"))


# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-24", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 练习 5：解析 idx 文件（2 分）
#
# 实现 `read_idx(path)`：读取一个（未压缩的）idx 文件，返回形状由文件头给出、dtype 为 `uint8` 的 numpy 数组。
# 如果前两个字节不是 0，或类型字节不是 `0x08`，抛出 `ValueError`。
# 提示：`Path(path).read_bytes()`、`int.from_bytes(..., "big")`、`np.frombuffer(data, dtype=np.uint8, offset=...)`。

# %% nbgrader={"grade": false, "grade_id": "ex-read-idx", "locked": false, "schema_version": 3, "solution": true, "task": false}
def read_idx(path):
    ### BEGIN SOLUTION
    data = Path(path).read_bytes()
    if data[0] != 0 or data[1] != 0 or data[2] != 0x08:
        raise ValueError(f"{path} 不是 uint8 的 idx 文件")
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-read-idx-test", "locked": true, "points": 2.0, "schema_version": 3, "solution": false, "task": false}
labels = read_idx(RAW / "t10k-labels-idx1-ubyte")
assert isinstance(labels, np.ndarray), f"应返回 numpy 数组，实际为 {type(labels).__name__}"
assert labels.shape == (10000,), f"测试集标签的形状应为 (10000,)，实际为 {labels.shape}"
assert labels.dtype == np.uint8, f"dtype 应为 uint8，实际为 {labels.dtype}"
images = read_idx(RAW / "t10k-images-idx3-ubyte")
assert images.shape == (10000, 28, 28), f"测试集图像的形状应为 (10000, 28, 28)，实际为 {images.shape}"
### BEGIN HIDDEN TESTS
raw_dir = west2ai.data.fashion_mnist_root() / "FashionMNIST" / "raw"
ref_x, ref_y = west2ai.data.fashion_mnist_arrays("test")
got_x = read_idx(raw_dir / "t10k-images-idx3-ubyte")
got_y = read_idx(str(raw_dir / "t10k-labels-idx1-ubyte"))
assert type(got_x) is np.ndarray and got_x.dtype == np.uint8 and np.array_equal(got_x, ref_x), \
    "测试集图像的像素值与官方数据不一致（数据的起始偏移量对吗？）"
assert type(got_y) is np.ndarray and np.array_equal(got_y.astype(np.int64), ref_y), \
    "path 为字符串时读出的测试集标签与官方数据不一致（应接受 str 和 Path 两种路径）"
with tempfile.TemporaryDirectory() as tmp:
    body = np.random.default_rng(0).integers(0, 256, size=(2, 3, 4), dtype=np.uint8)
    good = Path(tmp) / "tiny-idx3"
    good.write_bytes(bytes([0, 0, 8, 3]) + b"".join(d.to_bytes(4, "big") for d in (2, 3, 4)) + body.tobytes())
    got = read_idx(good)
    assert type(got) is np.ndarray and got.shape == (2, 3, 4) and np.array_equal(got, body), \
        f"一个手工构造的三维 idx 小文件读取结果不对：你的函数返回形状 {np.shape(got)}（维数与各维长度要从文件头读出）"
    for bad_head in (bytes([1, 0, 8, 1]), bytes([0, 0, 0x0D, 1])):
        bad = Path(tmp) / "bad"
        bad.write_bytes(bad_head + (4).to_bytes(4, "big") + bytes(16))
        try:
            read_idx(bad)
        except ValueError:
            pass
        else:
            raise AssertionError("文件头不合法时应抛出 ValueError")
### END HIDDEN TESTS

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-27", "locked": true, "schema_version": 3, "solution": false, "task": false}
# `torch.utils.data.Dataset` 只要求实现两个方法：`__len__` 返回样本数，`__getitem__(i)` 返回第 `i` 个样本。
# 图像预处理通常通过 `transform` 参数传入（一个作用在单张图像上的函数），让同一个数据集类可以配不同的增强。
#
# ### 练习 6：自定义 `FashionMNISTIdx` 数据集（2 分）
#
# 补全 `FashionMNISTIdx(raw_dir, train=True, transform=None)`：
# - 在 `__init__` 里用 `read_idx` 读入训练集（`train-…`）或测试集（`t10k-…`）的图像和标签，
#   并用 `images_to_tensor` 一次性把全部图像转成张量（每次取样再转换会慢得多）；
# - `__getitem__(i)` 返回 `(image, label)`：`image` 是形状 `(1, 28, 28)`、数值在 `[0, 1]` 的 float32 张量，
#   若给了 `transform` 则返回 `transform(image)`；`label` 是 Python `int`。

# %% nbgrader={"grade": false, "grade_id": "ex-dataset", "locked": false, "schema_version": 3, "solution": true, "task": false}
class FashionMNISTIdx(Dataset):
    def __init__(self, raw_dir, train=True, transform=None):
        ### BEGIN SOLUTION
        prefix = "train" if train else "t10k"
        raw_dir = Path(raw_dir)
        self.images = images_to_tensor(read_idx(raw_dir / f"{prefix}-images-idx3-ubyte"))
        self.labels = read_idx(raw_dir / f"{prefix}-labels-idx1-ubyte").astype(np.int64)
        self.transform = transform
        ### END SOLUTION

    def __len__(self):
        ### BEGIN SOLUTION
        return len(self.labels)
        ### END SOLUTION

    def __getitem__(self, i):
        ### BEGIN SOLUTION
        image = self.images[i]
        if self.transform is not None:
            image = self.transform(image)
        return image, int(self.labels[i])
        ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-dataset-test", "locked": true, "points": 2.0, "schema_version": 3, "solution": false, "task": false}
train_ds = FashionMNISTIdx(RAW, train=True)
test_ds = FashionMNISTIdx(RAW, train=False)
assert len(train_ds) == 60000, f"训练集应有 60000 个样本，实际为 {len(train_ds)}"
assert len(test_ds) == 10000, f"测试集应有 10000 个样本，实际为 {len(test_ds)}"
img, label = test_ds[0]
assert isinstance(img, torch.Tensor) and img.shape == (1, 28, 28), "图像应是形状为 (1, 28, 28) 的张量"
assert img.dtype == torch.float32 and 0 <= float(img.min()) and float(img.max()) <= 1, "图像应是 [0, 1] 之间的 float32"
assert isinstance(label, int), f"标签应是 Python int，实际为 {type(label).__name__}"
### BEGIN HIDDEN TESTS
raw_dir = west2ai.data.fashion_mnist_root() / "FashionMNIST" / "raw"
for split, train in (("train", True), ("test", False)):
    ref_x, ref_y = west2ai.data.fashion_mnist_arrays(split)
    ds = FashionMNISTIdx(raw_dir, train=train)
    assert len(ds) == len(ref_y), f"{split} 集应有 {len(ref_y)} 个样本，你的数据集有 {len(ds)} 个"
    for i in (0, 1, 777, len(ref_y) - 1):
        img, label = ds[i]
        assert type(img) is torch.Tensor and img.dtype == torch.float32 and img.shape == (1, 28, 28), \
            f"{split} 集第 {i} 个样本的图像应是 (1, 28, 28) 的 float32 张量，实际为 {type(img).__name__} {getattr(img, 'shape', '')}"
        assert np.allclose(img.numpy()[0], ref_x[i] / 255.0, atol=1e-6), \
            f"{split} 集第 {i} 个样本的像素与官方数据不一致（读错了文件，或没有除以 255？）"
        assert type(label) is int and label == ref_y[i], \
            f"{split} 集第 {i} 个样本的标签不对：你的数据集返回 {label!r}（应是 Python int，且与图像对应）"
ds = FashionMNISTIdx(raw_dir, train=False, transform=lambda t: 1 - t)
img, label = ds[5]
assert np.allclose(img.numpy()[0], 1 - ref_x[5] / 255.0, atol=1e-6), "给了 transform 时应返回 transform(image)"
### END HIDDEN TESTS

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-30", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ## 5. `DataLoader` 与训练循环
#
# `DataLoader` 负责把数据集切成批（batch）、在每个 epoch 打乱顺序（`shuffle=True`），
# 并把一批样本拼成张量（标签也会被拼成 `int64` 张量）。`num_workers=0` 表示在主进程里取数据——
# 我们的数据已全部在内存中，这样最简单也最快。

# %%
train_ds = FashionMNISTIdx(RAW, train=True)
test_ds = FashionMNISTIdx(RAW, train=False)
loader = DataLoader(train_ds, batch_size=64, shuffle=True)
xb, yb = next(iter(loader))
print("一批图像:", tuple(xb.shape), xb.dtype, "| 一批标签:", tuple(yb.shape), yb.dtype)
print("每个 epoch 的批数:", len(loader))


# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-32", "locked": true, "schema_version": 3, "solution": false, "task": false}
# 一个 epoch 的标准训练循环只有五步，几乎所有 PyTorch 代码都长这样：
#
# ```python
# for xb, yb in loader:
#     xb, yb = xb.to(device), yb.to(device)
#     loss = loss_fn(model(xb), yb)   # 1. 前向  2. 损失
#     optimizer.zero_grad()           # 3. 清零旧梯度
#     loss.backward()                 # 4. 反向传播
#     optimizer.step()                # 5. 更新参数
# ```
#
# 评估时要 `model.eval()`（让 Dropout、BatchNorm 进入推理模式）并放在 `torch.no_grad()` 里；训练时 `model.train()`。
#
# ### 练习 7：训练一个 epoch，评估准确率（3 分）
#
# 实现两个函数：
# - `train_epoch(model, loader, optimizer, loss_fn, device="cpu", progress=True)`：把模型设为训练模式，
#   跑完 `loader` 的一个 epoch，用 `tqdm(loader, disable=not progress, leave=False)` 显示进度条
#   （`progress=False` 时不显示：测试会数一数你创建了几个没有被关掉的进度条）；
#   返回这个 epoch 的**按样本平均**的损失（Python `float`：每批损失乘以该批样本数，累加后除以总样本数——
#   最后一批可能更小）。
# - `evaluate(model, loader, device="cpu")`：在评估模式和 `torch.no_grad()` 下计算准确率，返回 `[0, 1]` 之间的
#   Python `float`。

# %% nbgrader={"grade": false, "grade_id": "ex-train", "locked": false, "schema_version": 3, "solution": true, "task": false}
def train_epoch(model, loader, optimizer, loss_fn, device="cpu", progress=True):
    ### BEGIN SOLUTION
    model.train()
    total, count = 0.0, 0
    for xb, yb in tqdm(loader, disable=not progress, leave=False):
        xb, yb = xb.to(device), yb.to(device)
        loss = loss_fn(model(xb), yb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item() * len(yb)
        count += len(yb)
    return total / count
    ### END SOLUTION


def evaluate(model, loader, device="cpu"):
    ### BEGIN SOLUTION
    model.eval()
    correct, count = 0, 0
    with torch.no_grad():
        for xb, yb in loader:
            xb, yb = xb.to(device), yb.to(device)
            correct += (model(xb).argmax(dim=1) == yb).sum().item()
            count += len(yb)
    return correct / count
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-train-test", "locked": true, "points": 3.0, "schema_version": 3, "solution": false, "task": false}
# A small check on 1,000 TRAINING images (the test images are only for the final figure).
ref_x, ref_y = west2ai.data.fashion_mnist_arrays("train")
xs = torch.from_numpy(ref_x[:1000].astype(np.float32) / 255).unsqueeze(1)
ys = torch.from_numpy(ref_y[:1000])
small = torch.utils.data.TensorDataset(xs, ys)
torch.manual_seed(0)
net = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
opt = torch.optim.SGD(net.parameters(), lr=0.5)
losses = [train_epoch(net, DataLoader(small, batch_size=100, shuffle=True), opt, nn.CrossEntropyLoss(), progress=False)
          for _ in range(3)]
assert all(isinstance(v, float) for v in losses), f"train_epoch 应返回 Python float，实际返回 {[type(v).__name__ for v in losses]}"
assert losses[-1] < losses[0], f"训练 3 个 epoch 后损失应下降，实际为 {losses}"
acc = evaluate(net, DataLoader(small, batch_size=256))
assert isinstance(acc, float) and 0.0 <= acc <= 1.0, f"evaluate 应返回 [0, 1] 之间的 float，实际为 {acc!r}"
assert acc > 0.6, f"在训练过的 1000 张训练图上准确率应明显高于随机猜测（10%），实际为 {acc:.3f}"
# Progress bars: shown when progress=True, none when progress=False.
with west2ai.training.progress_bars() as bars:
    train_epoch(net, DataLoader(small, batch_size=500), opt, nn.CrossEntropyLoss(), progress=False)
assert bars.shown == 0, f"progress=False 时不应显示进度条，实际显示了 {bars.shown} 个（tqdm 的 disable 参数）"
with west2ai.training.progress_bars() as bars, contextlib.redirect_stderr(io.StringIO()):
    train_epoch(net, DataLoader(small, batch_size=500), opt, nn.CrossEntropyLoss(), progress=True)
assert bars.shown >= 1, f"progress=True 时应显示 tqdm 进度条，实际显示了 {bars.shown} 个（创建了 {bars.count} 个）"
### BEGIN HIDDEN TESTS
loss_fn = nn.CrossEntropyLoss()
# evaluate: compare with our own count; grad mode and train mode come back as expected
with torch.no_grad():
    expected_acc = (net(xs).argmax(1) == ys).sum().item() / len(ys)
acc = evaluate(net, DataLoader(small, batch_size=300))
assert type(acc) is float and abs(acc - expected_acc) < 1e-9, \
    f"batch_size=300（最后一批只有 100 张）时 evaluate 的准确率与逐样本统计不符：你的函数返回 {acc!r}（按样本数而不是按批平均）"
assert torch.is_grad_enabled(), "evaluate 结束后梯度计算应恢复（使用 with torch.no_grad():）"
# lr = 0: parameters stay put, so the mean loss must equal the per-sample mean (uneven last batch)
frozen = torch.optim.SGD(net.parameters(), lr=0.0)
mean_loss = train_epoch(net, DataLoader(small, batch_size=300), frozen, loss_fn, progress=False)
with torch.no_grad():
    expected_loss = loss_fn(net(xs), ys).item()
assert type(mean_loss) is float and abs(mean_loss - expected_loss) < 1e-5, \
    f"lr=0 时 train_epoch 的平均损失应按样本数加权（最后一批只有 100 个样本），你的函数返回 {mean_loss!r}"
# one real epoch without shuffling must match a reference loop step for step (zero_grad!)
torch.manual_seed(5)
a_net = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
b_net = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
b_net.load_state_dict(a_net.state_dict())
train_epoch(a_net, DataLoader(small, batch_size=100), torch.optim.SGD(a_net.parameters(), lr=0.1), loss_fn, progress=False)
b_opt = torch.optim.SGD(b_net.parameters(), lr=0.1)
for i in range(0, 1000, 100):
    b_opt.zero_grad()
    loss_fn(b_net(xs[i:i + 100]), ys[i:i + 100]).backward()
    b_opt.step()
for pa, pb in zip(a_net.parameters(), b_net.parameters()):
    assert torch.allclose(pa, pb, atol=1e-5), "一个 epoch 后的参数与标准训练循环不符（忘了 zero_grad？）"
assert a_net.training, "train_epoch 应把模型设为训练模式"
### END HIDDEN TESTS

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-35", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 练习 8：训练你的 MLP（2 分）
#
# 先把 60,000 张训练图随机分成两份：55,000 张用来训练（更新参数），5,000 张做**验证集**（validation set）。
# 每个 epoch 结束时看验证集上的准确率，用它判断训练是否正常、该训练几轮、学习率合不合适；
# **测试集只在最后看一次**，报告最终成绩。如果每个 epoch 都盯着测试集来调设置，测试集就成了又一个验证集，
# 最后报告的数字会偏乐观。
#
# 下面的单元用你写好的全部零件训练 `MLP`：3 个 epoch、Adam（lr 1e-3）、batch size 128，在 2 核 CPU 上只要几秒。
# 训练之前先看一眼损失，这是最便宜的检查：刚初始化的网络对 10 个类别的输出差不多，softmax 后每类的概率都约为 1/10，
# 所以交叉熵应约为 $\ln 10 \approx 2.30$；如果差得很远（比如 20），多半是输入没有缩放到 [0, 1]，或者标签错了。
# 第 1 个 epoch 之后验证准确率应已超过 80%。
#
# 隐藏测试会**自己**在完整的 10,000 张测试图像上计算 `mlp` 的准确率，要求 ≥ 80%（通常能到 85% 左右）。
# 这个单元不用修改；如果没有达到要求，回头检查前面的练习。

# %% deletable=false editable=false nbgrader={"grade": false, "grade_id": "train-mlp", "locked": true, "schema_version": 3, "solution": false, "task": false}
torch.manual_seed(0)
train_part, val_part = torch.utils.data.random_split(train_ds, [55_000, 5_000], generator=torch.Generator().manual_seed(0))
train_loader = DataLoader(train_part, batch_size=128, shuffle=True)
val_loader = DataLoader(val_part, batch_size=1000)
mlp = MLP().to(device)
optimizer = torch.optim.Adam(mlp.parameters(), lr=1e-3)
xb, yb = next(iter(val_loader))
with torch.no_grad():
    first_loss = F.cross_entropy(mlp(xb.to(device)), yb.to(device)).item()
print(f"训练前的损失 {first_loss:.3f}（应约为 ln 10 = {np.log(10):.3f}）")
history = {"train_loss": [], "val_acc": []}
for epoch in range(1, 4):
    history["train_loss"].append(train_epoch(mlp, train_loader, optimizer, nn.CrossEntropyLoss(), device))
    history["val_acc"].append(evaluate(mlp, val_loader, device))
    print(f"epoch {epoch}: train loss {history['train_loss'][-1]:.4f} | val acc {history['val_acc'][-1]:.4f}")

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-36", "locked": true, "schema_version": 3, "solution": false, "task": false}
# 训练曲线：`west2ai.training.plot_curves` 把每个 epoch 的平均训练损失画在左边的纵轴上（实线），验证准确率画在右边的纵轴上（虚线）。
# 训练结束后，才在测试集上算一次准确率。

# %% deletable=false editable=false nbgrader={"grade": false, "grade_id": "curves-mlp", "locked": true, "schema_version": 3, "solution": false, "task": false}
west2ai.training.plot_curves(history, "MLP on Fashion-MNIST: training (solid) vs validation (dashed)")
plt.show()
test_loader = DataLoader(test_ds, batch_size=1000)
print(f"测试集准确率（只在最后看这一次）：{evaluate(mlp, test_loader, device):.4f}")

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-37", "locked": true, "schema_version": 3, "solution": false, "task": false}
# **想一想**：(1) 如果再多训练很多个 epoch，训练损失一直下降、验证准确率却开始下降，说明了什么？该在哪个 epoch 停下来？
# (2) 为什么这个决定要看验证集，而不能看测试集？
#
# <details><summary>提示</summary>
#
# (1) 模型开始**过拟合**：它在记忆训练集的细节，而不是学到能推广到新图片的规律。应该停在验证准确率最高的那个 epoch
# 附近（early stopping），或者加正则化、数据增强。(2) 用测试集挑 epoch，相当于让测试集参与了“训练”（挑设置也是一种拟合），
# 测试集上的数字就不再是对新数据的无偏估计，会偏高。验证集就是专门用来做这些决定的。
# </details>

# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-mlp-accuracy-test", "locked": true, "points": 2.0, "schema_version": 3, "solution": false, "task": false}
assert isinstance(mlp, MLP), "mlp 应是上面训练好的 MLP"
### BEGIN HIDDEN TESTS
assert west2ai.grading.n_params(mlp) == 101_770, f"mlp 应是默认设置的 MLP（101,770 个参数），实际有 {west2ai.grading.n_params(mlp):,} 个"
mlp_acc = west2ai.grading.fashion_mnist_accuracy(mlp)
assert mlp_acc >= 0.80, f"MLP 在完整测试集上的准确率 {mlp_acc:.2%}，未达到 80%"
### END HIDDEN TESTS

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-38", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ## 6. 保存与加载权重
#
# 训练好的模型要存下来。PyTorch 推荐只保存 **`state_dict`**——一个“参数名 → 张量”的有序字典——而不是整个模型对象：
# 加载时先按同样的代码建好模型，再 `load_state_dict`。
#
# 读取时请总是传 `weights_only=True`：`torch.load` 底层用的是 pickle，一个恶意文件在被完整反序列化时可以执行任意代码；
# `weights_only=True` 只允许张量、字典、数字这类“纯数据”，遇到别的对象就报错。不要加载来路不明的检查点。

# %%
print(list(mlp.state_dict().keys()))


# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-40", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 练习 9：保存与加载 `state_dict`（2 分）
#
# - `save_weights(model, path)`：用 `torch.save` 把 `model.state_dict()` 存到 `path`；
# - `load_weights(model, path)`：用 `torch.load(path, map_location="cpu", weights_only=True)` 读入，
#   `model.load_state_dict(...)`，返回 `model`。

# %% nbgrader={"grade": false, "grade_id": "ex-save-load", "locked": false, "schema_version": 3, "solution": true, "task": false}
def save_weights(model, path):
    ### BEGIN SOLUTION
    torch.save(model.state_dict(), path)
    ### END SOLUTION


def load_weights(model, path):
    ### BEGIN SOLUTION
    model.load_state_dict(torch.load(path, map_location="cpu", weights_only=True))
    return model
    ### END SOLUTION


# %%
ckpt_dir = Path(tempfile.mkdtemp())   # a scratch folder, so the notebook's folder stays clean
save_weights(mlp, ckpt_dir / "mlp.pt")
restored = load_weights(MLP(), ckpt_dir / "mlp.pt")
print("加载后测试准确率:", evaluate(restored.to(device), test_loader, device))

# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-save-load-test", "locked": true, "points": 2.0, "schema_version": 3, "solution": false, "task": false}
tmp = Path(tempfile.mkdtemp())
torch.manual_seed(0)
src = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))
dst = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))
save_weights(src, tmp / "w.pt")
assert (tmp / "w.pt").is_file(), "save_weights 应写出文件"
back = load_weights(dst, tmp / "w.pt")
assert back is dst, "load_weights 应返回传入的 model"
probe = torch.randn(5, 4)
assert torch.allclose(src(probe), dst(probe)), "加载后的模型输出应与原模型相同"
### BEGIN HIDDEN TESTS
state = torch.load(tmp / "w.pt", weights_only=True)
assert isinstance(state, dict) and list(state) == list(src.state_dict()), "应保存 state_dict，而不是整个模型"


class _NotData:
    pass


torch.save({"0.weight": _NotData()}, tmp / "evil.pt")
try:
    load_weights(nn.Sequential(nn.Linear(4, 3)), tmp / "evil.pt")
    refused = False
except Exception:
    refused = True
assert refused, "load_weights 应使用 weights_only=True，拒绝加载非纯数据的检查点"
### END HIDDEN TESTS
