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
# # 阶段二 · 04 NumPy 与反向传播：从数组到两层神经网络
#
# 考核指南的第二阶段要求"理解梯度下降、反向传播等深度学习基本原理"。最好的理解方式是**亲手写一遍**：
# 这本 notebook 不用 PyTorch，只用 NumPy，从数组的基本操作出发，一步步写出一个两层全连接神经网络的前向传播、
# 反向传播和优化器，并用它在 Fashion-MNIST 上达到 88% 以上的测试准确率。到了第三阶段，你会发现
# PyTorch 的 `nn.Linear`、`loss.backward()`、`optim.SGD` 做的正是这里的事情。
#
# **学习目标**
#
# - 熟练使用 NumPy 数组：形状、dtype、切片、布尔掩码、花式索引（fancy indexing）；
# - 理解广播（broadcasting）规则，用向量化代替 Python 循环，并亲手测出加速比；
# - 写出数值稳定的 softmax；
# - 用梯度下降拟合线性回归，并与闭式解（最小二乘）对照；
# - 只用 NumPy 实现全连接层、ReLU、softmax 交叉熵的前向与反向传播，用**数值梯度检查**验证自己的实现；
# - 用带动量（momentum）的小批量 SGD 和学习率衰减训练两层网络，保存检查点。
#
# **评分（自动批改共 {{points.auto}} 分）**
#
# | 单元格 | 内容 | 分值 |
# |---|---|---|
# | `ex-one-hot-test` | 练习 1：花式索引 `one_hot` | 2 |
# | `ex-standardize-test` | 练习 2：广播 `standardize` | 2 |
# | `ex-pairwise-test` | 练习 3：向量化的成对距离 `pairwise_sq_dists` | 3 |
# | `ex-softmax-test` | 练习 4：数值稳定的 `softmax` | 2 |
# | `ex-linreg-test` | 练习 5：梯度下降线性回归 `fit_linear_gd` | 3 |
# | `ex-affine-test` | 练习 6：全连接层 `affine_forward` / `affine_backward` | 3 |
# | `ex-relu-test` | 练习 7：`relu_forward` / `relu_backward` | 2 |
# | `ex-softmax-ce-test` | 练习 8：`softmax_cross_entropy`（损失与梯度） | 3 |
# | `ex-twolayer-test` | 练习 9：`TwoLayerNet` 的前向与反向（梯度检查） | 4 |
# | `ex-sgd-test` | 练习 10：带动量的 SGD `sgd_momentum` | 2 |
# {{tier_rows}}
#
# 三个档位由隐藏测试**自己**计算：它读取你的 `net.params`，在完整的 10,000 张测试图片上用 NumPy 做一次前向传播，
# 不使用你的代码算出的任何准确率。模型必须是 784 → H → 10 的两层网络（ReLU），参数总数不超过 **{{param_limit}}**。
# 梯度的隐藏测试在 float64 下用数值梯度检查你的反向传播，相对误差须小于 1e-6。
#
# **预计学习时间**：8–10 小时（阅读与推导 3–4 小时，编写与调试 5–6 小时）。
# **训练预算**：2 核 CPU 上不超过 {{budget_minutes}} 分钟（参考实现的训练约半分钟）；训练完成后权重保存在 notebook 旁的
# `{{checkpoint}}`，之后（包括批改时）直接加载，不再重新训练。

# %% deletable=false editable=false nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false, "task": false}
import subprocess
import sys

if "google.colab" in sys.modules:  # Colab: install the course package (it never replaces Colab's torch)
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "{{package_url}}"], check=True)

import time
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from tqdm.auto import tqdm

from west2ai.data import FASHION_MNIST_CLASSES, fashion_mnist_arrays
from west2ai.training import grading

SEED = 0
rng = np.random.default_rng(SEED)
np.set_printoptions(precision=4, suppress=True)
print("numpy", np.__version__)
PARAM_LIMIT = "{{param_limit}}"  # 模型参数量上限（本阶段的 stage.toml 中规定）

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-02", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ## 1　数组与索引
#
# NumPy 的核心是 `ndarray`：一块连续内存，加上**形状**（`shape`）和**元素类型**（`dtype`）。
# 深度学习里几乎所有数据都是数组：一批图片是 `(N, 28, 28)`，一层的权重是 `(输入维度, 输出维度)`。
#
# 取数据有三种方式：
#
# - **切片** `a[1:3, ::2]`：返回**视图**（view），和原数组共享内存，修改视图会改到原数组；
# - **布尔掩码** `a[a > 5]`：用同形状的 True/False 数组挑选元素，返回副本；
# - **花式索引** `a[[0, 2], [1, 3]]`：用整数数组指定位置，取出 `a[0, 1]` 和 `a[2, 3]`，返回副本。

# %%
a = np.arange(12).reshape(3, 4)
print(a, a.shape, a.dtype)
print("row 1:", a[1])
print("last column:", a[:, -1])
print("a > 5:", a[a > 5])
print("a[[0, 2], [1, 3]]:", a[[0, 2], [1, 3]])

view = a[:, 1:3]
view[0, 0] = 100          # a slice is a view: this also changes a
print(a)


# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-04", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 练习 1：花式索引——`one_hot`（2 分）
#
# 分类问题的标签通常是整数（0–9），计算交叉熵时却常需要 one-hot 矩阵：第 `i` 行只有第 `y[i]` 列是 1。
#
# 实现 `one_hot(y, num_classes)`：输入形状 `(N,)` 的整数数组，返回形状 `(N, num_classes)`、dtype 为 `float64` 的数组。
# 要求**不用 Python 循环**：先建一个全零矩阵，再用花式索引 `out[行号数组, 列号数组] = 1` 一次写入。
# （`np.arange(N)` 可以生成行号。）

# %% nbgrader={"grade": false, "grade_id": "ex-one-hot", "locked": false, "schema_version": 3, "solution": true, "task": false}
def one_hot(y, num_classes):
    ### BEGIN SOLUTION
    y = np.asarray(y)
    out = np.zeros((len(y), num_classes), dtype=np.float64)
    out[np.arange(len(y)), y] = 1.0
    return out
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-one-hot-test", "locked": true, "points": 2.0, "schema_version": 3, "solution": false, "task": false}
Y = one_hot(np.array([0, 2, 1]), 3)
assert isinstance(Y, np.ndarray), f"one_hot 应返回 numpy 数组，而不是 {type(Y).__name__}"
assert Y.shape == (3, 3), f"输出形状应为 (3, 3)，实际为 {Y.shape}"
assert np.array_equal(Y, [[1, 0, 0], [0, 0, 1], [0, 1, 0]]), f"结果不对：\n{Y}"
assert Y.dtype == np.float64, f"dtype 应为 float64，实际为 {Y.dtype}"
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(101)
_y = _rng.integers(0, 10, size=1000)
_y_copy = _y.copy()
_Y = one_hot(_y, 10)
assert type(_Y) is np.ndarray and _Y.dtype == np.float64 and _Y.shape == (1000, 10), \
    f"1000 个标签、10 类时应返回形状 (1000, 10) 的 float64 数组，你返回了 {type(_Y).__name__} {getattr(_Y, 'shape', '')} {getattr(_Y, 'dtype', '')}"
assert np.array_equal(_Y, np.eye(10)[_y]), \
    f"1000 个随机标签上结果不对：有 {int((_Y.argmax(axis=1) != _y).sum())} 行的 1 不在标签那一列，或者一行不止一个 1"
assert np.array_equal(_y, _y_copy), "one_hot 不应修改输入的标签数组"
_Y7 = one_hot(np.array([4, 4, 0]), 7)
assert _Y7.shape == (3, 7) and np.array_equal(_Y7.sum(axis=1), [1, 1, 1]) and _Y7[0, 4] == 1.0, \
    f"one_hot([4, 4, 0], 7) 不对，你得到：\n{_Y7}\n（列数应由 num_classes 决定，不是由标签的最大值决定）"
_Y0 = one_hot(np.zeros(0, dtype=np.int64), 5)
assert type(_Y0) is np.ndarray and _Y0.shape == (0, 5), "空标签数组应得到形状 (0, num_classes) 的结果"
### END HIDDEN TESTS

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-07", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ## 2　广播
#
# 两个形状不同的数组做逐元素运算时，NumPy 会按**广播规则**自动"扩展"它们：从最后一维往前逐维比较，
# 两维相等、或其中一个是 1，就能广播（是 1 的那一维被复制）；缺少的维度视为 1。例如
# `(3, 1) + (1, 4) → (3, 4)`，`(N, D) - (D,) → (N, D)`（每一行都减去同一个向量）。
# 广播不会真的复制内存，既简洁又快。

# %%
col = np.array([[0], [10], [20]])      # (3, 1)
row = np.array([1, 2, 3, 4])           # (4,)  -> treated as (1, 4)
print(col + row)                       # (3, 4)

X_demo = rng.normal(5.0, 2.0, size=(1000, 3))
print("column means:", X_demo.mean(axis=0), "shape:", X_demo.mean(axis=0).shape)
print("keepdims:", X_demo.mean(axis=0, keepdims=True).shape)


# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-09", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 练习 2：广播——`standardize`（2 分）
#
# 神经网络的输入最好是"均值 0、标准差 1"的。实现 `standardize(X, eps=1e-8)`：对形状 `(N, D)` 的数组**逐列**标准化，
# 返回 `(X - 每列均值) / (每列标准差 + eps)`（标准差用 `X.std(axis=0)`，即总体标准差）。
#
# - 不用循环，用 `axis=0` 的统计量加广播；
# - 返回新数组，**不要修改** `X`；
# - 常数列的标准差为 0，`eps` 保证结果是 0 而不是 `nan`。

# %% nbgrader={"grade": false, "grade_id": "ex-standardize", "locked": false, "schema_version": 3, "solution": true, "task": false}
def standardize(X, eps=1e-8):
    ### BEGIN SOLUTION
    X = np.asarray(X, dtype=np.float64)
    return (X - X.mean(axis=0)) / (X.std(axis=0) + eps)
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-standardize-test", "locked": true, "points": 2.0, "schema_version": 3, "solution": false, "task": false}
Z = standardize(X_demo)
assert isinstance(Z, np.ndarray), f"standardize 应返回 numpy 数组，而不是 {type(Z).__name__}"
assert Z.shape == X_demo.shape, f"输出形状应为 {X_demo.shape}，实际为 {Z.shape}"
assert np.allclose(Z.mean(axis=0), 0, atol=1e-7), f"每列均值应约为 0，实际为 {Z.mean(axis=0)}"
assert np.allclose(Z.std(axis=0), 1, atol=1e-6), f"每列标准差应约为 1，实际为 {Z.std(axis=0)}"
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(202)
_X = _rng.normal(0, 1, size=(50, 6)) * np.array([1e-3, 1, 10, 100, 1e4, 1]) + np.array([5, -2, 0, 1e3, 7, 0])
_X[:, 5] = 3.0
_Xc = _X.copy()
_Z = standardize(_X)
assert type(_Z) is np.ndarray and _Z.shape == (50, 6) and _Z.dtype.kind == "f", \
    f"形状 (50, 6) 的输入应得到同形状的浮点数组，你返回了 {type(_Z).__name__} {getattr(_Z, 'shape', '')}"
assert np.array_equal(_X, _Xc), "standardize 不应修改输入数组"
_mu, _sd = _X.mean(axis=0), _X.std(axis=0)
assert np.allclose(_Z, (_X - _mu) / (_sd + 1e-8), rtol=1e-7, atol=1e-9), "逐列标准化的结果与期望不符"
assert np.all(np.isfinite(_Z)) and np.allclose(_Z[:, 5], 0.0), "常数列应得到 0（别忘了 eps）"
_Z2 = standardize(_X[:, :2], eps=1.0)
assert np.allclose(_Z2, (_X[:, :2] - _mu[:2]) / (_sd[:2] + 1.0)), "参数 eps 没有生效"
### END HIDDEN TESTS

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-12", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ## 3　向量化：把循环交给 NumPy
#
# Python 循环每一步都要解释执行、检查类型；NumPy 的一次数组运算则在编译好的 C 代码（和 BLAS 矩阵库）里一口气完成。
# **向量化**就是把"对每个元素做同一件事"的循环改写成整块数组的运算。
#
# 经典例子是成对距离：给定 `A` 形状 `(n, d)`、`B` 形状 `(m, d)`，求 `D[i, j] = ‖A[i] - B[j]‖²`，形状 `(n, m)`。
# 下面是双重循环的版本（已给出，仅用于对照）。

# %% deletable=false editable=false nbgrader={"grade": false, "grade_id": "pairwise-loop", "locked": true, "schema_version": 3, "solution": false, "task": false}
def pairwise_sq_dists_loop(A, B):
    """Squared Euclidean distances with two Python loops (slow reference)."""
    D = np.zeros((len(A), len(B)))
    for i in range(len(A)):
        for j in range(len(B)):
            diff = A[i] - B[j]
            D[i, j] = np.dot(diff, diff)
    return D


# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-14", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 练习 3：向量化的成对距离——`pairwise_sq_dists`（3 分）
#
# 实现 `pairwise_sq_dists(A, B)`，结果与循环版相同，但**不能有 Python 循环**。两种思路任选：
#
# 1. 广播：`A[:, None, :] - B[None, :, :]` 的形状是 `(n, m, d)`，平方后沿最后一维求和（简单，但要占 `n·m·d` 的内存）；
# 2. 展开平方：`‖a - b‖² = ‖a‖² + ‖b‖² - 2 a·b`，其中所有的 `a·b` 就是一次矩阵乘法 `A @ B.T`（更快、更省内存）。
#    浮点舍入可能让个别结果变成 `-1e-15` 这样的小负数，可以用 `np.maximum(D, 0)` 截断。
#
# 返回 float 类型的 numpy 数组，形状 `(n, m)`。测试只检查结果；下面的单元格会为你计时。

# %% nbgrader={"grade": false, "grade_id": "ex-pairwise", "locked": false, "schema_version": 3, "solution": true, "task": false}
def pairwise_sq_dists(A, B):
    ### BEGIN SOLUTION
    A = np.asarray(A, dtype=np.float64)
    B = np.asarray(B, dtype=np.float64)
    sq = (A * A).sum(axis=1)[:, None] + (B * B).sum(axis=1)[None, :] - 2.0 * (A @ B.T)
    return np.maximum(sq, 0.0)
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-pairwise-test", "locked": true, "points": 3.0, "schema_version": 3, "solution": false, "task": false}
_A = np.array([[0.0, 0.0], [1.0, 1.0], [3.0, 4.0]])
_B = np.array([[0.0, 0.0], [1.0, 0.0]])
D = pairwise_sq_dists(_A, _B)
assert isinstance(D, np.ndarray), f"pairwise_sq_dists 应返回 numpy 数组，而不是 {type(D).__name__}"
assert D.shape == (3, 2), f"输出形状应为 (3, 2)，实际为 {D.shape}"
assert np.allclose(D, [[0, 1], [2, 1], [25, 20]]), f"结果不对：\n{D}"
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(303)
for (_n, _m, _d) in [(17, 9, 5), (1, 40, 3), (30, 1, 1), (64, 80, 128)]:
    _A = _rng.normal(0, 3, size=(_n, _d))
    _B = _rng.normal(1, 2, size=(_m, _d))
    _Ac, _Bc = _A.copy(), _B.copy()
    _D = pairwise_sq_dists(_A, _B)
    _ref = ((_A[:, None, :] - _B[None, :, :]) ** 2).sum(axis=2)
    assert type(_D) is np.ndarray and _D.dtype.kind == "f", "应返回浮点 numpy 数组"
    assert _D.shape == (_n, _m), f"形状应为 {(_n, _m)}，实际为 {_D.shape}"
    assert np.allclose(_D, _ref, rtol=1e-9, atol=1e-8), "成对距离的结果与期望不符"
    assert np.array_equal(_A, _Ac) and np.array_equal(_B, _Bc), "不应修改输入数组"
_S = pairwise_sq_dists(_A, _A)
assert np.allclose(np.diag(_S), 0.0, atol=1e-8) and np.allclose(_S, _S.T, atol=1e-8), "A 与自身的距离矩阵应对称且对角线为 0"
### END HIDDEN TESTS

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-17", "locked": true, "schema_version": 3, "solution": false, "task": false}
# 亲眼看看加速比（数字因机器而异，通常是几百倍）：

# %%
A_big = rng.standard_normal((300, 64))
B_big = rng.standard_normal((400, 64))

t0 = time.perf_counter()
D_loop = pairwise_sq_dists_loop(A_big, B_big)
t_loop = time.perf_counter() - t0

t_vec = float("inf")
for _ in range(5):                      # best of 5: timing a few milliseconds is noisy
    t0 = time.perf_counter()
    D_vec = pairwise_sq_dists(A_big, B_big)
    t_vec = min(t_vec, time.perf_counter() - t0)

print(f"loop:       {t_loop * 1e3:8.1f} ms")
print(f"vectorized: {t_vec * 1e3:8.2f} ms   (speed-up x{t_loop / t_vec:.0f})")
print("max difference:", np.abs(D_loop - D_vec).max())

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-19", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ## 4　数值稳定的 softmax
#
# softmax 把任意实数向量变成概率分布：$\mathrm{softmax}(z)_i = e^{z_i} / \sum_j e^{z_j}$。
# 直接计算时，`np.exp(1000)` 会溢出成 `inf`，得到 `nan`。注意到给所有 $z_i$ 减去同一个常数 $c$，结果不变
# （分子分母同乘 $e^{-c}$）；取 $c = \max_j z_j$，最大的指数变成 $e^0 = 1$，就不会溢出了。

# %%
z = np.array([1000.0, 1001.0])
with np.errstate(over="ignore", invalid="ignore"):
    print("naive:", np.exp(z) / np.exp(z).sum())


# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-21", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 练习 4：数值稳定的 softmax（2 分）
#
# 实现 `softmax(z)`：输入形状为 `(n,)` 的一维数组，返回同形状的概率向量（float 数组，各项之和为 1）。
# 先减去最大值再取指数。不要修改输入数组。

# %% nbgrader={"grade": false, "grade_id": "ex-softmax", "locked": false, "schema_version": 3, "solution": true, "task": false}
def softmax(z):
    ### BEGIN SOLUTION
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(z - z.max())
    return e / e.sum()
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-softmax-test", "locked": true, "points": 2.0, "schema_version": 3, "solution": false, "task": false}
p = softmax(np.array([1.0, 2.0, 3.0]))
assert isinstance(p, np.ndarray), f"softmax 应返回 numpy 数组，而不是 {type(p).__name__}"
assert p.shape == (3,), f"输出形状应为 (3,)，实际为 {p.shape}"
assert np.isclose(p.sum(), 1.0), f"概率之和应为 1，实际为 {p.sum():.6f}"
assert np.allclose(p, [0.09003057, 0.24472847, 0.66524096]), f"结果不对：{p}"
### BEGIN HIDDEN TESTS
with np.errstate(all="ignore"):
    _big = softmax(np.array([1000.0, 1001.0]))
    _neg = softmax(np.array([-1000.0, 0.0, -2000.0]))
assert type(_big) is np.ndarray and _big.dtype.kind == "f", f"softmax 应返回浮点 numpy 数组，你返回了 {type(_big).__name__}"
assert np.all(np.isfinite(_big)), f"softmax([1000, 1001]) 得到 {_big}：大输入溢出了，记得先减去最大值"
assert np.allclose(_big, [0.26894142, 0.73105858]), f"softmax([1000, 1001]) 得到 {_big}，与 softmax([0, 1]) 应相同"
assert np.all(np.isfinite(_neg)) and np.allclose(_neg, [0.0, 1.0, 0.0]), \
    f"softmax([-1000, 0, -2000]) 得到 {_neg}：很负的得分应得到约等于 0 的概率，而不是 nan"
_rng = np.random.default_rng(404)
_z = _rng.normal(0, 5, size=20)
_zc = _z.copy()
_p = softmax(_z)
_e = np.exp(_z - _z.max())
assert _p.shape == (20,) and np.allclose(_p, _e / _e.sum(), rtol=1e-9), "softmax 的结果与期望不符"
assert np.array_equal(_z, _zc), "softmax 不应修改输入数组"
_one = softmax(np.array([7.0]))
assert np.allclose(_one, [1.0]), f"只有一个元素时概率应为 1，你得到 {_one}"
### END HIDDEN TESTS

# % [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-think-softmax", "locked": true, "schema_version": 3, "solution": false, "task": false}
# **想一想**：给所有得分加上同一个常数，softmax 不变。那把所有得分**乘以 2** 呢？乘以 0 呢？
#
# <details><summary>提示</summary>
#
# 乘以 2 会让分布更"尖"：大的概率更大、小的更小（相当于"温度"降低一半）；乘以 0 得到均匀分布，每类 $1/n$。
# 所以 softmax 只对得分之间的**差**敏感，对整体平移不敏感，对缩放敏感——后面"初始损失约为多少"就要用到这一点。
# </details>

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-24", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ## 5　梯度下降：线性回归
#
# 模型 $\hat y = Xw + b$，损失取均方误差 $L(w, b) = \frac1n \sum_i (\hat y_i - y_i)^2$。
# 记残差 $r = \hat y - y$，求导得
#
# $$\frac{\partial L}{\partial w} = \frac{2}{n} X^\top r, \qquad \frac{\partial L}{\partial b} = \frac{2}{n} \sum_i r_i .$$
#
# 梯度下降就是反复执行 $w \leftarrow w - \eta\, \partial L/\partial w$，$b \leftarrow b - \eta\, \partial L/\partial b$（$\eta$ 是学习率）。
# 线性回归还有闭式解（最小二乘），正好用来检验梯度下降是否收敛到了正确答案。下面是一组合成数据：

# %% deletable=false editable=false nbgrader={"grade": false, "grade_id": "linreg-data", "locked": true, "schema_version": 3, "solution": false, "task": false}
rng_lin = np.random.default_rng(1)
X_lin = rng_lin.standard_normal((200, 3))
w_true, b_true = np.array([2.0, -3.0, 0.5]), 1.0
y_lin = X_lin @ w_true + b_true + 0.1 * rng_lin.standard_normal(200)
print(X_lin.shape, y_lin.shape)


# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-26", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 练习 5：梯度下降线性回归——`fit_linear_gd`（3 分）
#
# 实现 `fit_linear_gd(X, y, lr=0.1, n_steps=200)`，`X` 形状 `(n, d)`，`y` 形状 `(n,)`：
#
# - 从 `w = 0`（形状 `(d,)` 的 float64 数组）、`b = 0.0` 开始；
# - 每一步：先计算当前的损失 $L$ 并追加到列表 `losses`，再计算梯度，再更新 `w` 和 `b`；
# - 共 `n_steps` 步，返回 `(w, b, losses)`：`w` 是 numpy 数组，`b` 是 float，`losses` 是长度为 `n_steps` 的 float 列表
#   （`losses[k]` 是第 `k` 次更新**之前**的损失）。

# %% nbgrader={"grade": false, "grade_id": "ex-linreg", "locked": false, "schema_version": 3, "solution": true, "task": false}
def fit_linear_gd(X, y, lr=0.1, n_steps=200):
    ### BEGIN SOLUTION
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    n, d = X.shape
    w, b = np.zeros(d), 0.0
    losses = []
    for _ in range(n_steps):
        r = X @ w + b - y
        losses.append(float(np.mean(r ** 2)))
        w = w - lr * (2.0 / n) * (X.T @ r)
        b = b - lr * 2.0 * float(r.mean())
    return w, b, losses
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-linreg-test", "locked": true, "points": 3.0, "schema_version": 3, "solution": false, "task": false}
w_gd, b_gd, losses_gd = fit_linear_gd(X_lin, y_lin, lr=0.1, n_steps=300)
assert isinstance(w_gd, np.ndarray) and w_gd.shape == (3,), f"w 应是形状 (3,) 的 numpy 数组，实际为 {type(w_gd).__name__} {getattr(w_gd, 'shape', '')}"
assert len(losses_gd) == 300, f"losses 的长度应为 n_steps=300，实际为 {len(losses_gd)}"
assert np.isclose(losses_gd[0], np.mean(y_lin ** 2)), "losses[0] 应是 w=0、b=0 时（更新之前）的损失"
assert losses_gd[-1] < losses_gd[0], "损失没有下降：检查梯度的符号和学习率"
A_lin = np.column_stack([X_lin, np.ones(len(X_lin))])
theta_lin = np.linalg.lstsq(A_lin, y_lin, rcond=None)[0]
assert np.allclose(w_gd, theta_lin[:3], atol=1e-3), f"w 与闭式解 {theta_lin[:3]} 相差太大：{w_gd}"
assert np.isclose(float(b_gd), theta_lin[3], atol=1e-3), f"b 与闭式解 {theta_lin[3]:.4f} 相差太大：{float(b_gd):.4f}"
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(505)
_X = _rng.normal(0, 1, size=(40, 4))
_y = _rng.normal(0, 3, size=40)
_w1, _b1, _l1 = fit_linear_gd(_X, _y, lr=0.05, n_steps=1)
assert type(_w1) is np.ndarray and _w1.shape == (4,) and _w1.dtype == np.float64, \
    f"4 个特征时 w 应是形状 (4,) 的 float64 数组，你返回了 {type(_w1).__name__} {getattr(_w1, 'shape', '')} {getattr(_w1, 'dtype', '')}"
assert isinstance(_b1, (float, np.floating)) and type(_l1) is list and len(_l1) == 1, \
    f"n_steps=1 时 b 应是 float、losses 应是长度 1 的列表，你返回了 b: {type(_b1).__name__}、losses: {type(_l1).__name__}"
assert np.allclose(_w1, 0.05 * 2 / 40 * (_X.T @ _y), rtol=1e-10, atol=1e-12), "第一步更新后的 w 不对"
assert np.isclose(float(_b1), 0.05 * 2 * _y.mean(), rtol=1e-10), "第一步更新后的 b 不对"
assert np.isclose(float(_l1[0]), np.mean(_y ** 2), rtol=1e-10), \
    f"losses[0] 应是 w=0、b=0 时（更新之前）的均方误差，你记录的是 {float(_l1[0]):.6f}"
_w, _b = np.zeros(4), 0.0
_ref_losses = []
for _ in range(7):
    _r = _X @ _w + _b - _y
    _ref_losses.append(np.mean(_r ** 2))
    _w, _b = _w - 0.03 * 2 / 40 * (_X.T @ _r), _b - 0.03 * 2 * _r.mean()
_w7, _b7, _l7 = fit_linear_gd(_X, _y, lr=0.03, n_steps=7)
assert np.allclose(_w7, _w, rtol=1e-9) and np.isclose(float(_b7), _b, rtol=1e-9), "7 步之后的 w、b 与期望不符"
assert np.allclose([float(_v) for _v in _l7], _ref_losses, rtol=1e-9), "losses 的记录与期望不符"
_wa, _ba, _la = fit_linear_gd(_X, _y)
assert len(_la) == 200, "n_steps 的默认值应为 200"
### END HIDDEN TESTS

# %%
print("gradient descent:", w_gd, round(float(b_gd), 4))
print("closed form:     ", theta_lin[:3], round(theta_lin[3], 4))
print("true parameters: ", w_true, b_true)

fig, ax = plt.subplots(figsize=(6, 3.5))
ax.semilogy(losses_gd, label="training MSE")
ax.axhline(np.mean((A_lin @ theta_lin - y_lin) ** 2), color="C1", ls="--", label="closed-form MSE")
ax.set_title("Linear regression by gradient descent")
ax.set_xlabel("step")
ax.set_ylabel("MSE (log scale)")
ax.legend()
plt.show()


# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-30", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ## 6　两层神经网络：模块化的前向与反向传播
#
# 我们要搭的网络是
# $$h = XW_1 + b_1,\quad a = \mathrm{ReLU}(h),\quad s = aW_2 + b_2,\quad L = \mathrm{CE}(\mathrm{softmax}(s), y),$$
# `X` 形状 `(N, 784)`（一批 N 张展平的图片），`W1` 形状 `(784, H)`，`W2` 形状 `(H, 10)`，`s` 是每类的得分。
#
# 与其对整个网络一次性求导，不如像 CS231n 那样把它拆成**层**：每一层有
#
# - `forward(输入) -> (输出, cache)`：计算输出，并把反向传播要用的中间量存进 `cache`；
# - `backward(dout, cache) -> d输入`：已知损失对输出的梯度 `dout`（**与输出同形状**），由链式法则算出损失对输入（和参数）的梯度。
#
# 一条很好用的经验：**梯度和它对应的变量形状相同**。比如全连接层里 `dW` 必须是 `(D, M)`，
# 而能用 `x`（`(N, D)`）与 `dout`（`(N, M)`）拼出这个形状的乘法只有 `x.T @ dout`。
#
# 怎么知道反向传播写对了？**数值梯度检查**：对一个标量函数 $f$，$\frac{\partial f}{\partial x_i} \approx \frac{f(x + h e_i) - f(x - h e_i)}{2h}$。
# 对一层输出 `out`，取随机的 `dout`，令 $f = \sum(\text{out} \odot \text{dout})$，它对输入的梯度恰好就是 backward 应返回的结果。
# 下面两个工具函数已经写好；用 float64 检查时，相对误差应在 1e-7 以下。

# %% deletable=false editable=false nbgrader={"grade": false, "grade_id": "gradcheck-helpers", "locked": true, "schema_version": 3, "solution": false, "task": false}
def numerical_gradient(f, x, h=1e-5):
    """Central-difference gradient of the scalar function f() with respect to the array x.

    f takes no arguments and reads x; x is changed in place during the check and restored.
    """
    grad = np.zeros(x.shape, dtype=np.float64)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        x[idx] = old + h
        f_plus = f()
        x[idx] = old - h
        f_minus = f()
        x[idx] = old
        grad[idx] = (f_plus - f_minus) / (2 * h)
    return grad


def rel_error(a, b):
    """Relative error ||a - b|| / (||a|| + ||b||) of two arrays."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    return float(np.linalg.norm(a - b) / max(1e-12, np.linalg.norm(a) + np.linalg.norm(b)))


# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-32", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 练习 6：全连接层——`affine_forward` / `affine_backward`（3 分）
#
# - `affine_forward(x, W, b)`：`x` 形状 `(N, D)`，`W` 形状 `(D, M)`，`b` 形状 `(M,)`；返回 `(out, cache)`，`out = x @ W + b`，形状 `(N, M)`。
#   `cache` 里存什么由你决定（反向传播需要 `x` 和 `W`）。
# - `affine_backward(dout, cache)`：`dout` 形状 `(N, M)`；返回 `(dx, dW, db)`，形状分别与 `x`、`W`、`b` 相同。
#   想一想：`b` 被加到了每一行上，所以 `db` 要把 `dout` 沿哪一维求和？
#
# 训练时我们用 float32 来加快速度，所以**不要把数组转换成 float64**：输入是 float32，输出也应是 float32。

# %% nbgrader={"grade": false, "grade_id": "ex-affine", "locked": false, "schema_version": 3, "solution": true, "task": false}
def affine_forward(x, W, b):
    ### BEGIN SOLUTION
    out = x @ W + b
    cache = (x, W)
    return out, cache
    ### END SOLUTION


def affine_backward(dout, cache):
    ### BEGIN SOLUTION
    x, W = cache
    dx = dout @ W.T
    dW = x.T @ dout
    db = dout.sum(axis=0)
    return dx, dW, db
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-affine-test", "locked": true, "points": 3.0, "schema_version": 3, "solution": false, "task": false}
_rng = np.random.default_rng(6)
x_t, W_t, b_t = _rng.standard_normal((4, 5)), _rng.standard_normal((5, 3)), _rng.standard_normal(3)
out_t, cache_t = affine_forward(x_t, W_t, b_t)
assert isinstance(out_t, np.ndarray) and out_t.shape == (4, 3), f"out 的形状应为 (4, 3)，实际为 {getattr(out_t, 'shape', type(out_t).__name__)}"
assert np.allclose(out_t, x_t @ W_t + b_t), "affine_forward 的输出不对"
dout_t = _rng.standard_normal((4, 3))
dx_t, dW_t, db_t = affine_backward(dout_t, cache_t)
assert dx_t.shape == x_t.shape and dW_t.shape == W_t.shape and db_t.shape == b_t.shape, "dx、dW、db 的形状应分别与 x、W、b 相同"
f_t = lambda: np.sum(affine_forward(x_t, W_t, b_t)[0] * dout_t)
for name, analytic, var in [("dx", dx_t, x_t), ("dW", dW_t, W_t), ("db", db_t, b_t)]:
    err = rel_error(analytic, numerical_gradient(f_t, var))
    assert err < 1e-7, f"{name} 未通过梯度检查，相对误差 {err:.2e}"
x32 = x_t.astype(np.float32)
out32, cache32 = affine_forward(x32, W_t.astype(np.float32), b_t.astype(np.float32))
assert out32.dtype == np.float32, f"输入为 float32 时输出也应是 float32，实际为 {out32.dtype}"
assert all(g.dtype == np.float32 for g in affine_backward(dout_t.astype(np.float32), cache32)), "float32 输入的梯度也应是 float32"
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(606)
_x, _W, _b = _rng.standard_normal((7, 6)), _rng.standard_normal((6, 9)), _rng.standard_normal(9)
_dout = _rng.standard_normal((7, 9))
_out, _cache = affine_forward(_x, _W, _b)
assert type(_out) is np.ndarray and _out.dtype == np.float64, \
    f"float64 输入应得到 float64 的 out，你返回了 {type(_out).__name__} {getattr(_out, 'dtype', '')}"
assert np.allclose(_out, _x @ _W + _b, rtol=1e-12, atol=1e-12), "形状 (7, 6) × (6, 9) 的输入上 affine_forward 的输出不对"
_grads = affine_backward(_dout, _cache)
assert len(_grads) == 3 and all(type(_g) is np.ndarray for _g in _grads), \
    f"affine_backward 应返回三个 numpy 数组 (dx, dW, db)，你返回了 {len(_grads)} 个"
def _ng(_f, _v, _h=1e-6):
    _g = np.zeros(_v.shape)
    for _i in np.ndindex(_v.shape):
        _o = _v[_i]
        _v[_i] = _o + _h; _p = _f()
        _v[_i] = _o - _h; _m = _f()
        _v[_i] = _o
        _g[_i] = (_p - _m) / (2 * _h)
    return _g
_f = lambda: float(np.sum((_x @ _W + _b) * _dout))
for _a, _v in zip(_grads, (_x, _W, _b)):
    assert _a.shape == _v.shape, f"梯度的形状 {_a.shape} 应与对应变量的形状 {_v.shape} 相同"
    _n = _ng(_f, _v)
    assert np.linalg.norm(_a - _n) / (np.linalg.norm(_a) + np.linalg.norm(_n)) < 1e-6, "affine_backward 的梯度与数值梯度不符"
_out1, _c1 = affine_forward(_x[:1], _W, _b)
assert _out1.shape == (1, 9) and affine_backward(_dout[:1], _c1)[2].shape == (9,), "N=1 时 db 的形状仍应为 (M,)"
### END HIDDEN TESTS

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-35", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 练习 7：ReLU——`relu_forward` / `relu_backward`（2 分）
#
# $\mathrm{ReLU}(x) = \max(x, 0)$，逐元素计算。
#
# - `relu_forward(x)`：返回 `(out, cache)`，`out` 与 `x` 同形状、同 dtype；**不要原地修改** `x`（`np.maximum` 会返回新数组）。
# - `relu_backward(dout, cache)`：返回 `dx`。`x > 0` 的位置梯度原样通过，其余位置（包括 `x == 0`）为 0。

# %% nbgrader={"grade": false, "grade_id": "ex-relu", "locked": false, "schema_version": 3, "solution": true, "task": false}
def relu_forward(x):
    ### BEGIN SOLUTION
    out = np.maximum(x, 0)
    cache = x
    return out, cache
    ### END SOLUTION


def relu_backward(dout, cache):
    ### BEGIN SOLUTION
    x = cache
    return dout * (x > 0)
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-relu-test", "locked": true, "points": 2.0, "schema_version": 3, "solution": false, "task": false}
x_r = np.array([[-2.0, -0.5, 0.5], [1.5, -3.0, 2.0]])
out_r, cache_r = relu_forward(x_r)
assert isinstance(out_r, np.ndarray) and out_r.shape == x_r.shape, "relu_forward 的输出应与输入同形状"
assert np.allclose(out_r, [[0, 0, 0.5], [1.5, 0, 2.0]]), f"relu_forward 的输出不对：\n{out_r}"
assert x_r[0, 0] == -2.0, "relu_forward 修改了输入 x：请返回新数组"
dx_r = relu_backward(np.ones_like(x_r) * 3.0, cache_r)
assert np.allclose(dx_r, [[0, 0, 3], [3, 0, 3]]), f"relu_backward 的结果不对：\n{dx_r}"
out32_r, cache32_r = relu_forward(x_r.astype(np.float32))
assert out32_r.dtype == np.float32 and relu_backward(np.ones((2, 3), np.float32), cache32_r).dtype == np.float32, "float32 输入应得到 float32 输出"
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(707)
_x = _rng.standard_normal((6, 8))
_x[np.abs(_x) < 1e-3] = 0.5
_x[0, 0] = 0.0
_xc = _x.copy()
_out, _cache = relu_forward(_x)
assert type(_out) is np.ndarray and np.array_equal(_out, np.maximum(_xc, 0)), "形状 (6, 8) 的随机输入上 relu_forward 的输出不对"
assert np.array_equal(_x, _xc), "relu_forward 不应修改输入"
_dout = _rng.standard_normal((6, 8))
_dx = relu_backward(_dout, _cache)
assert type(_dx) is np.ndarray and _dx.shape == (6, 8), \
    f"dx 应是与 x 同形状 (6, 8) 的数组，你返回了 {type(_dx).__name__} {getattr(_dx, 'shape', '')}"
assert np.allclose(_dx, _dout * (_xc > 0)), "relu_backward 的结果与期望不符"
assert _dx[0, 0] == 0.0, "x == 0 处的梯度应为 0"
_x2 = _rng.standard_normal(5) + 3.0
_o2, _c2 = relu_forward(_x2)
_x3 = -np.abs(_rng.standard_normal((2, 3, 4))) - 0.1
_o3, _c3 = relu_forward(_x3)
assert np.array_equal(_o3, np.zeros((2, 3, 4))) and np.array_equal(relu_backward(np.ones((2, 3, 4)), _c3), np.zeros((2, 3, 4))), \
    "全为负数的三维输入：输出和梯度都应全为 0（不要假设输入是二维的）"
assert np.array_equal(relu_backward(np.full(5, 2.0), _c2), np.full(5, 2.0)), "全为正数的一维输入：梯度应原样通过"
### END HIDDEN TESTS

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-38", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 练习 8：softmax 交叉熵——`softmax_cross_entropy`（3 分）
#
# `scores` 形状 `(N, C)`（每行是一张图片在 C 个类别上的得分），`y` 形状 `(N,)`（正确类别）。令 $P$ 为逐行 softmax，损失是平均交叉熵
# $$L = -\frac1N \sum_i \log P_{i, y_i}.$$
# 它对得分的梯度有一个漂亮的形式（试着自己推一推）：$\dfrac{\partial L}{\partial s} = \dfrac{P - Y}{N}$，$Y$ 是 one-hot 矩阵。
#
# 实现 `softmax_cross_entropy(scores, y)`，返回 `(loss, dscores)`：`loss` 是一个 float，`dscores` 与 `scores` 同形状、同 dtype。
#
# - 逐行减去最大值（`keepdims=True` 让广播对齐），保证得分很大时不溢出；
# - $\log P_{i,y_i}$ 可以写成 `shifted[i, y_i] - log(sum(exp(shifted[i])))`，比先算 $P$ 再取对数更稳定；
# - 取出每行正确类别的元素：花式索引 `arr[np.arange(N), y]`。

# %% nbgrader={"grade": false, "grade_id": "ex-softmax-ce", "locked": false, "schema_version": 3, "solution": true, "task": false}
def softmax_cross_entropy(scores, y):
    ### BEGIN SOLUTION
    N = scores.shape[0]
    shifted = scores - scores.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    sum_exp = exp.sum(axis=1, keepdims=True)
    log_probs = shifted - np.log(sum_exp)
    loss = float(-log_probs[np.arange(N), y].mean())
    dscores = exp / sum_exp
    dscores[np.arange(N), y] -= 1
    dscores /= N
    return loss, dscores
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-softmax-ce-test", "locked": true, "points": 3.0, "schema_version": 3, "solution": false, "task": false}
loss_u, d_u = softmax_cross_entropy(np.zeros((4, 10)), np.array([0, 3, 9, 1]))
assert np.isclose(float(loss_u), np.log(10)), f"得分全为 0 时损失应为 log(10)≈2.3026，实际为 {float(loss_u):.4f}"
assert isinstance(d_u, np.ndarray) and d_u.shape == (4, 10), "dscores 应与 scores 同形状"
_rng = np.random.default_rng(8)
s_c, y_c = _rng.standard_normal((5, 4)), np.array([0, 1, 3, 3, 2])
loss_c, ds_c = softmax_cross_entropy(s_c, y_c)
err_c = rel_error(ds_c, numerical_gradient(lambda: softmax_cross_entropy(s_c, y_c)[0], s_c))
assert err_c < 1e-7, f"dscores 未通过梯度检查，相对误差 {err_c:.2e}"
loss_big, ds_big = softmax_cross_entropy(np.array([[1000.0, 0.0, -1000.0]]), np.array([1]))
assert np.isfinite(loss_big) and np.all(np.isfinite(ds_big)), "得分很大时出现 inf/nan：记得逐行减去最大值"
assert softmax_cross_entropy(s_c.astype(np.float32), y_c)[1].dtype == np.float32, "float32 得分的梯度也应是 float32"
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(808)
_s = _rng.normal(0, 4, size=(12, 7)) + np.array([[500.0]] * 6 + [[-800.0]] * 6)
_y = _rng.integers(0, 7, size=12)
_sc = _s.copy()
_loss, _ds = softmax_cross_entropy(_s, _y)
assert np.array_equal(_s, _sc), "softmax_cross_entropy 不应修改 scores"
assert isinstance(_loss, (float, np.floating)) and not isinstance(_loss, np.ndarray), "loss 应是一个 float"
_sh = _s - _s.max(axis=1, keepdims=True)
_lp = _sh - np.log(np.exp(_sh).sum(axis=1, keepdims=True))
assert np.isclose(float(_loss), -_lp[np.arange(12), _y].mean(), rtol=1e-10), "损失值与期望不符（是否取了平均？）"
_P = np.exp(_lp)
_Y = np.zeros_like(_P); _Y[np.arange(12), _y] = 1
assert type(_ds) is np.ndarray and _ds.shape == (12, 7) and np.allclose(_ds, (_P - _Y) / 12, rtol=1e-9, atol=1e-12), "dscores 与期望不符"
_s2 = _rng.standard_normal((6, 5))
_y2 = _rng.integers(0, 5, size=6)
def _lossf():
    _t = _s2 - _s2.max(axis=1, keepdims=True)
    return float(-(_t - np.log(np.exp(_t).sum(axis=1, keepdims=True)))[np.arange(6), _y2].mean())
_n = np.zeros_like(_s2)
for _i in np.ndindex(_s2.shape):
    _o = _s2[_i]
    _s2[_i] = _o + 1e-6; _p = _lossf()
    _s2[_i] = _o - 1e-6; _m = _lossf()
    _s2[_i] = _o
    _n[_i] = (_p - _m) / 2e-6
_a = softmax_cross_entropy(_s2, _y2)[1]
assert np.linalg.norm(_a - _n) / (np.linalg.norm(_a) + np.linalg.norm(_n)) < 1e-6, "dscores 与数值梯度不符"
### END HIDDEN TESTS

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-41", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 练习 9：两层网络——`TwoLayerNet`（4 分）
#
# 把前面的层组装起来。构造函数（已写好）创建参数字典 `self.params`，键为 `W1`、`b1`、`W2`、`b2`。偏置从 0 开始；
# 权重从均值 0 的正态分布随机抽取，标准差按"输入维度" $n_\text{in}$（fan-in）来定，目的是让每一层输出的方差既不逐层放大、也不逐层缩小：
#
# - **LeCun 初始化**：标准差 $\sqrt{1/n_\text{in}}$。输出 $\sum_{i=1}^{n_\text{in}} x_i w_i$ 是 $n_\text{in}$ 项之和，
#   每项方差约为 $\mathrm{Var}(x)/n_\text{in}$，加起来正好保持 $\mathrm{Var}(x)$；
# - **He 初始化**（何恺明等，2015）：标准差 $\sqrt{2/n_\text{in}}$。ReLU 会把大约一半的值置 0，信号的平方均值减半，
#   所以每经过一个 ReLU 就要把方差乘 2 补回来。
#
# 这里 `W1` 的输出要经过 ReLU，用 He 初始化（$\sqrt{2/784}$）：隐藏层 $h$ 的方差约为 2，ReLU 之后平方均值约为 1；
# 输出层 `W2` 后面没有 ReLU，用 LeCun 初始化（$\sqrt{1/H}$），于是初始得分的标准差约为 1（第 7 节会用到这个数）。
# （He 等人的论文把系数 2 放在**接收** ReLU 输出的那一层；放在 ReLU 前面那一层效果一样——每个 ReLU 只需补一次 2 倍。）
# PyTorch 的 `nn.Linear` 默认用的又是另一种均匀分布（标准差约 $\sqrt{1/(3 n_\text{in})}$），第三阶段会再见到。
#
# 你要写两个方法：
#
# - `forward(X)`：依次经过 affine → ReLU → affine，返回得分 `scores`（形状 `(N, C)`），并把三层的 `cache` 存到 `self.cache`；
# - `backward(dscores)`：利用 `self.cache` 反向经过三层，返回梯度字典 `grads`，键与 `self.params` 相同，每个梯度与对应参数同形状。
#
# `loss(X, y)` 已经写好：它调用 `forward`、`softmax_cross_entropy` 和 `backward`，返回 `(loss, grads)`。
# 注意：不要在方法里改变参数的 dtype（批改时会用 float64 参数做梯度检查）。

# %% nbgrader={"grade": false, "grade_id": "ex-twolayer", "locked": false, "schema_version": 3, "solution": true, "task": false}
class TwoLayerNet:
    """input_dim -> hidden_dim (ReLU) -> num_classes, parameters in the dict self.params."""

    def __init__(self, input_dim=784, hidden_dim=256, num_classes=10, seed=0, dtype=np.float32):
        init_rng = np.random.default_rng(seed)
        # W1 feeds a ReLU: He init, std sqrt(2 / fan_in); W2 feeds the softmax: LeCun init, std sqrt(1 / fan_in)
        self.params = {
            "W1": (init_rng.standard_normal((input_dim, hidden_dim)) * np.sqrt(2.0 / input_dim)).astype(dtype),
            "b1": np.zeros(hidden_dim, dtype=dtype),
            "W2": (init_rng.standard_normal((hidden_dim, num_classes)) * np.sqrt(1.0 / hidden_dim)).astype(dtype),
            "b2": np.zeros(num_classes, dtype=dtype),
        }
        self.cache = None

    def forward(self, X):
        """Class scores of shape (N, num_classes); keeps what backward needs in self.cache."""
        ### BEGIN SOLUTION
        p = self.params
        h, cache1 = affine_forward(X, p["W1"], p["b1"])
        a, cache_relu = relu_forward(h)
        scores, cache2 = affine_forward(a, p["W2"], p["b2"])
        self.cache = (cache1, cache_relu, cache2)
        return scores
        ### END SOLUTION

    def backward(self, dscores):
        """Gradients of the loss w.r.t. every parameter, given dL/dscores of the last forward."""
        ### BEGIN SOLUTION
        cache1, cache_relu, cache2 = self.cache
        grads = {}
        da, grads["W2"], grads["b2"] = affine_backward(dscores, cache2)
        dh = relu_backward(da, cache_relu)
        _, grads["W1"], grads["b1"] = affine_backward(dh, cache1)
        return grads
        ### END SOLUTION

    def loss(self, X, y):
        scores = self.forward(X)
        loss, dscores = softmax_cross_entropy(scores, y)
        return loss, self.backward(dscores)

    def predict(self, X):
        return self.forward(X).argmax(axis=1)


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-twolayer-test", "locked": true, "points": 4.0, "schema_version": 3, "solution": false, "task": false}
net_t = TwoLayerNet(input_dim=6, hidden_dim=5, num_classes=3, seed=1, dtype=np.float64)
_rng = np.random.default_rng(9)
X_n, y_n = _rng.standard_normal((4, 6)), np.array([0, 2, 1, 2])
scores_n = net_t.forward(X_n)
assert isinstance(scores_n, np.ndarray) and scores_n.shape == (4, 3), f"scores 的形状应为 (4, 3)，实际为 {getattr(scores_n, 'shape', type(scores_n).__name__)}"
loss_n, grads_n = net_t.loss(X_n, y_n)
assert isinstance(grads_n, dict) and set(grads_n) == set(net_t.params), f"grads 的键应为 {sorted(net_t.params)}"
for name in net_t.params:
    assert grads_n[name].shape == net_t.params[name].shape, f"grads['{name}'] 的形状应为 {net_t.params[name].shape}"
    err = rel_error(grads_n[name], numerical_gradient(lambda: net_t.loss(X_n, y_n)[0], net_t.params[name]))
    assert err < 1e-7, f"grads['{name}'] 未通过梯度检查，相对误差 {err:.2e}"
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(909)
for _seed in range(100):
    _r = np.random.default_rng(1000 + _seed)
    _P = {"W1": _r.normal(0, 0.7, (8, 6)), "b1": _r.normal(0, 0.3, 6), "W2": _r.normal(0, 0.7, (6, 4)), "b2": _r.normal(0, 0.3, 4)}
    _X = _r.standard_normal((5, 8))
    if np.abs(_X @ _P["W1"] + _P["b1"]).min() > 1e-2:
        break
_y = np.array([3, 0, 1, 3, 2])
_net = TwoLayerNet(input_dim=8, hidden_dim=6, num_classes=4, seed=5)
_net.params = {_k: _v.copy() for _k, _v in _P.items()}
def _ref_loss():
    _s = np.maximum(_X @ _P["W1"] + _P["b1"], 0) @ _P["W2"] + _P["b2"]
    _s = _s - _s.max(axis=1, keepdims=True)
    return float(-(_s - np.log(np.exp(_s).sum(axis=1, keepdims=True)))[np.arange(5), _y].mean())
_scores = _net.forward(_X)
assert type(_scores) is np.ndarray and np.allclose(_scores, np.maximum(_X @ _P["W1"] + _P["b1"], 0) @ _P["W2"] + _P["b2"], rtol=1e-12, atol=1e-12), "forward 的得分与期望不符"
_net.forward(_rng.standard_normal((3, 8)))
_loss, _grads = _net.loss(_X, _y)
assert np.isclose(float(_loss), _ref_loss(), rtol=1e-10), "loss 与期望不符"
assert type(_grads) is dict and set(_grads) == {"W1", "b1", "W2", "b2"}, \
    f"grads 应是键为 W1、b1、W2、b2 的字典，你的键是 {sorted(_grads) if type(_grads) is dict else type(_grads).__name__}"
for _k in ("W1", "b1", "W2", "b2"):
    _g = _grads[_k]
    assert type(_g) is np.ndarray and _g.dtype == np.float64 and _g.shape == _P[_k].shape, f"grads['{_k}'] 类型或形状不对"
    _v = _P[_k]
    _n = np.zeros(_v.shape)
    for _i in np.ndindex(_v.shape):
        _o = _v[_i]
        _v[_i] = _o + 1e-6; _p = _ref_loss()
        _v[_i] = _o - 1e-6; _m = _ref_loss()
        _v[_i] = _o
        _n[_i] = (_p - _m) / 2e-6
    _err = np.linalg.norm(_g - _n) / max(1e-12, np.linalg.norm(_g) + np.linalg.norm(_n))
    assert _err < 1e-6, f"grads['{_k}'] 与数值梯度的相对误差 {_err:.2e} 超过 1e-6"
for _k in _P:
    assert np.array_equal(_net.params[_k], _P[_k]), "forward/backward 不应修改参数"
### END HIDDEN TESTS

# % [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-think-init", "locked": true, "schema_version": 3, "solution": false, "task": false}
# **想一想**：如果把 `W1` 全部初始化为 0（偏置也是 0），训练会怎样？如果全部初始化为同一个非零常数呢？
#
# <details><summary>提示</summary>
#
# 全为 0 时隐藏层 $h = 0$，ReLU 在 0 处的梯度取 0，`W1` 的梯度永远是 0，第一层根本学不动。全为同一个常数时，
# 所有隐藏单元算的是同一个函数、收到同样的梯度，训练多久都一模一样——H 个单元只顶一个用。随机初始化就是为了**打破对称**。
# </details>

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-44", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 练习 10：带动量的 SGD——`sgd_momentum`（2 分）
#
# 普通 SGD 每步走 $-\eta\, g$。动量法为每个参数维护一个"速度" $v$（初始为 0），每一步
# $$v \leftarrow \mu v - \eta g, \qquad \theta \leftarrow \theta + v,$$
# $\mu$（通常 0.9）让更新方向在一致的方向上越走越快、在来回震荡的方向上相互抵消。
#
# 实现 `sgd_momentum(params, grads, velocity, lr, momentum=0.9)`：对 `params` 的每个键更新参数和速度，**原地修改**
# `params` 与 `velocity` 两个字典（可以写 `params[k] += ...`，也可以给 `params[k]` 赋新数组），不需要返回值。
# 第一次调用时 `velocity` 是空字典 `{}`：缺少的键用 `np.zeros_like(params[k])` 初始化。参数的 dtype 不能变（float32 保持 float32）。

# %% nbgrader={"grade": false, "grade_id": "ex-sgd", "locked": false, "schema_version": 3, "solution": true, "task": false}
def sgd_momentum(params, grads, velocity, lr, momentum=0.9):
    ### BEGIN SOLUTION
    for k in params:
        v = velocity.get(k)
        if v is None:
            v = np.zeros_like(params[k])
        v = momentum * v - lr * grads[k]
        velocity[k] = v
        params[k] += v
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-sgd-test", "locked": true, "points": 2.0, "schema_version": 3, "solution": false, "task": false}
p_s = {"w": np.array([1.0, 2.0]), "b": np.array([0.5])}
g_s = {"w": np.array([1.0, -1.0]), "b": np.array([2.0])}
vel_s = {}
sgd_momentum(p_s, g_s, vel_s, lr=0.1, momentum=0.9)
assert np.allclose(p_s["w"], [0.9, 2.1]) and np.allclose(p_s["b"], [0.3]), f"第一步之后的参数不对：{p_s}"
assert set(vel_s) == {"w", "b"} and np.allclose(vel_s["w"], [-0.1, 0.1]), f"velocity 应被填入每个参数的速度：{vel_s}"
sgd_momentum(p_s, g_s, vel_s, lr=0.1, momentum=0.9)
assert np.allclose(p_s["w"], [0.71, 2.29]), f"第二步之后的参数不对（别忘了 μv）：{p_s['w']}"
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(1010)
_p0 = {"W": _rng.standard_normal((3, 4)).astype(np.float32), "c": _rng.standard_normal(4).astype(np.float32)}
_params = {_k: _v.copy() for _k, _v in _p0.items()}
_vel = {}
_ref_p = {_k: _v.astype(np.float64) for _k, _v in _p0.items()}
_ref_v = {_k: np.zeros_like(_v) for _k, _v in _ref_p.items()}
for _step in range(4):
    _g = {_k: _rng.standard_normal(_v.shape).astype(np.float32) for _k, _v in _p0.items()}
    _gc = {_k: _v.copy() for _k, _v in _g.items()}
    sgd_momentum(_params, _g, _vel, lr=0.05, momentum=0.8)
    for _k in _p0:
        assert np.array_equal(_g[_k], _gc[_k]), "sgd_momentum 不应修改梯度"
        _ref_v[_k] = 0.8 * _ref_v[_k] - 0.05 * _g[_k]
        _ref_p[_k] = _ref_p[_k] + _ref_v[_k]
for _k in _p0:
    assert type(_params[_k]) is np.ndarray and _params[_k].dtype == np.float32, "float32 参数更新后应仍是 float32"
    assert np.allclose(_params[_k], _ref_p[_k], rtol=1e-5, atol=1e-6), "多步更新后的参数与期望不符"
    assert np.allclose(_vel[_k], _ref_v[_k], rtol=1e-5, atol=1e-6), "velocity 与期望不符"
_pd = {"x": np.array([1.0])}
sgd_momentum(_pd, {"x": np.array([1.0])}, {}, lr=0.5)
assert np.allclose(_pd["x"], [0.5]), "momentum 默认值下第一步应为 x - lr * g"
### END HIDDEN TESTS

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-47", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ## 7　在 Fashion-MNIST 上训练
#
# Fashion-MNIST 有 60,000 张训练图片和 10,000 张测试图片，每张是 28×28 的灰度图，共 10 类服饰。
# 我们把每张图展平成 784 维向量，除以 255 后用整个训练集的均值与标准差标准化（固定常数，批改时也用同样的预处理），
# 并从训练集末尾留出 5,000 张作为**验证集**：调超参数看验证集，测试集只在最后看一次。

# %% deletable=false editable=false nbgrader={"grade": false, "grade_id": "load-data", "locked": true, "schema_version": 3, "solution": false, "task": false}
MEAN, STD = 0.2860, 0.3530      # pixel mean and std of the Fashion-MNIST training set (in [0, 1])


def preprocess(images):
    """uint8 images (N, 28, 28) -> standardized float32 vectors (N, 784)."""
    return (images.reshape(len(images), -1).astype(np.float32) / 255.0 - MEAN) / STD


x_train_all, y_train_all = fashion_mnist_arrays("train")
x_test, y_test = fashion_mnist_arrays("test")
X_train, y_train = preprocess(x_train_all[:-5000]), y_train_all[:-5000]
X_val, y_val = preprocess(x_train_all[-5000:]), y_train_all[-5000:]
X_test = preprocess(x_test)
print("train", X_train.shape, X_train.dtype, "val", X_val.shape, "test", X_test.shape)

fig, axes = plt.subplots(2, 8, figsize=(12, 3.4))
for ax, img, label in zip(axes.ravel(), x_train_all, y_train_all):
    ax.imshow(img, cmap="gray")
    ax.set_title(FASHION_MNIST_CLASSES[label], fontsize=8)
    ax.axis("off")
fig.suptitle("Fashion-MNIST training examples")
plt.show()

# % [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-think-preprocess", "locked": true, "schema_version": 3, "solution": false, "task": false}
# **想一想**：为什么测试图片也用**训练集**的均值 0.2860 和标准差 0.3530 来标准化，而不是用测试集自己的均值和标准差？
#
# <details><summary>提示</summary>
#
# 预处理是模型的一部分：网络是在"减去 0.2860、除以 0.3530"之后的数上学会的，测试时必须做完全相同的变换。
# 用测试集自己的统计量，等于偷看了测试数据，而且上线后逐张预测时根本没有"测试集的均值"可用（一张图片怎么算均值？）。
# </details>

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-49", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 练习 11：选择超参数并训练（档位：及格 84% / 良好 86% / 优秀 88%，共 10 分）
#
# 在下面的单元格里定义 6 个超参数：
#
# | 名字 | 含义 | 提示 |
# |---|---|---|
# | `HIDDEN_DIM` | 隐藏层宽度 H | 参数量 = 784·H + H + 10·H + 10，不得超过 {{param_limit}} |
# | `EPOCHS` | 训练轮数 | 每轮在 2 核 CPU 上约几秒；全部训练须在 {{budget_minutes}} 分钟内完成 |
# | `BATCH_SIZE` | 每个小批量的样本数 | 常用 64–256 |
# | `LR` | 初始学习率 | 对这个网络，0.01–0.1 之间都值得一试 |
# | `LR_DECAY` | 每轮结束后学习率乘以它 | 例如 0.7–0.95 |
# | `MOMENTUM` | 动量系数 μ | 通常 0.9 |
#
# 训练单元格会显示进度条、打印每轮的训练/验证指标，结束时画出曲线，并把权重保存到 `{{checkpoint}}`。
# **之后重新运行（包括批改时）会直接加载这个文件**；修改了超参数想重新训练，请先删除 `{{checkpoint}}`。
# 提交作业时请把 `{{checkpoint}}` 和 notebook 放在一起提交（没有它，批改时会在预算内重新训练一次）。

# %% nbgrader={"grade": false, "grade_id": "hparams", "locked": false, "schema_version": 3, "solution": true, "task": false}
### BEGIN SOLUTION
HIDDEN_DIM = 384
EPOCHS = 12
BATCH_SIZE = 128
LR = 0.05
LR_DECAY = 0.8
MOMENTUM = 0.9
### END SOLUTION

# % [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-sanity", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 训练前的两个检查
#
# 正式训练要跑好几轮，先花一秒钟确认前向、反向和更新都没有明显的错误（CS231n 的经典做法）：
#
# 1. **初始损失**：如果得分全都接近 0，10 个类别的概率都是 1/10，损失正好是 $\ln 10 \approx 2.30$，准确率约 10%（瞎猜）。
#    我们的初始化让得分的标准差约为 1（见练习 9 前的说明），softmax 对缩放敏感，所以初始损失会略高一些，**约 2.7**
#    （粗略估计 $\ln 10 + \sigma^2/2 \approx 2.8$），准确率仍约 **10%**。看到 10 以上或 `nan`，说明前向传播或 softmax 有问题。
# 2. **过拟合一小批**：几十万个参数记住 100 张图片轻而易举。在这 100 张图上更新 100 步，训练损失应从约 2.7 降到 **0.01 以下**；
#    降不下来，多半是反向传播或 `sgd_momentum` 有 bug（或者学习率太小）。

# %%
probe = TwoLayerNet(784, HIDDEN_DIM, 10, seed=SEED)
scores0 = probe.forward(X_val)
loss0, _ = softmax_cross_entropy(scores0, y_val)
print(f"untrained net: val loss {loss0:.3f} (ln 10 = {np.log(10):.3f}), "
      f"score std {scores0.std():.2f}, val accuracy {(scores0.argmax(axis=1) == y_val).mean():.1%}")

small_X, small_y = X_train[:100], y_train[:100]
small_velocity = {}
for step in range(1, 101):
    small_loss, small_grads = probe.loss(small_X, small_y)
    sgd_momentum(probe.params, small_grads, small_velocity, lr=0.05, momentum=0.9)
    if step in (1, 25, 50, 100):
        print(f"overfitting 100 images, step {step:3d}: loss {small_loss:.4f}")
del probe, small_velocity

# %%
CKPT = Path("{{checkpoint}}")


def evaluate(net, X, y, batch_size=2000):
    """Mean loss and accuracy of net on (X, y), in batches."""
    total_loss, correct = 0.0, 0
    for i in range(0, len(X), batch_size):
        scores = net.forward(X[i:i + batch_size])
        loss, _ = softmax_cross_entropy(scores, y[i:i + batch_size])
        total_loss += loss * len(scores)
        correct += int((scores.argmax(axis=1) == y[i:i + batch_size]).sum())
    return total_loss / len(X), correct / len(X)


def train(net):
    history = {"train_loss": [], "train_acc": [], "val_loss": [], "val_acc": []}
    order_rng = np.random.default_rng(SEED)
    velocity, lr, n = {}, LR, len(X_train)
    for epoch in range(1, EPOCHS + 1):
        perm = order_rng.permutation(n)
        run_loss, run_correct = 0.0, 0
        bar = tqdm(range(0, n, BATCH_SIZE), desc=f"epoch {epoch}/{EPOCHS}", leave=False)
        for start in bar:
            idx = perm[start:start + BATCH_SIZE]
            X_batch, y_batch = X_train[idx], y_train[idx]
            scores = net.forward(X_batch)                              # 1. forward
            loss, dscores = softmax_cross_entropy(scores, y_batch)    # 2. loss and dL/dscores
            grads = net.backward(dscores)                              # 3. backward
            sgd_momentum(net.params, grads, velocity, lr, MOMENTUM)   # 4. update
            run_loss += loss * len(idx)
            run_correct += int((scores.argmax(axis=1) == y_batch).sum())
        val_loss, val_acc = evaluate(net, X_val, y_val)
        history["train_loss"].append(run_loss / n)
        history["train_acc"].append(run_correct / n)
        history["val_loss"].append(val_loss)
        history["val_acc"].append(val_acc)
        print(f"epoch {epoch:2d}  lr {lr:.4f}  train loss {run_loss / n:.4f} acc {run_correct / n:.4f}"
              f"  |  val loss {val_loss:.4f} acc {val_acc:.4f}")
        lr *= LR_DECAY
    return history


net = TwoLayerNet(784, HIDDEN_DIM, 10, seed=SEED)
n_params = sum(p.size for p in net.params.values())
print(f"parameters: {n_params:,} (limit {PARAM_LIMIT:,})")

if CKPT.exists():   # always the case while nbgrader grades, if you submitted the checkpoint
    try:
        ckpt = np.load(CKPT)
    except Exception as exc:
        raise RuntimeError(f"检查点 {CKPT} 无法读取（{type(exc).__name__}）：文件可能已损坏，请删除它后重新运行本单元格训练。") from exc
    with ckpt:
        for name in net.params:
            if name not in ckpt or ckpt[name].shape != net.params[name].shape:
                raise RuntimeError(f"检查点 {CKPT} 与当前模型结构不匹配：修改了 HIDDEN_DIM？请删除 {CKPT} 后重新训练。")
            net.params[name] = ckpt[name].astype(np.float32)
        history = {k[len("hist_"):]: ckpt[k].tolist() for k in ckpt.files if k.startswith("hist_")}
    print(f"已加载检查点 {CKPT}（删除该文件即可重新训练）")
else:
    if grading():
        print("批改中且没有检查点：在预算内重新训练")
    t0 = time.perf_counter()
    history = train(net)
    print(f"训练用时 {time.perf_counter() - t0:.1f} s")
    np.savez(CKPT, **net.params, **{f"hist_{k}": np.array(v) for k, v in history.items()})
    print(f"已保存检查点 {CKPT}")

# %%
if history:
    epochs = range(1, len(history["train_loss"]) + 1)
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(11, 4))
    ax_loss.plot(epochs, history["train_loss"], "o-", label="train")
    ax_loss.plot(epochs, history["val_loss"], "s--", label="validation")
    ax_loss.set_title("Cross-entropy loss")
    ax_loss.set_xlabel("epoch")
    ax_loss.set_ylabel("loss")
    ax_loss.legend()
    ax_acc.plot(epochs, history["train_acc"], "o-", label="train")
    ax_acc.plot(epochs, history["val_acc"], "s--", label="validation")
    ax_acc.set_title("Accuracy")
    ax_acc.set_xlabel("epoch")
    ax_acc.set_ylabel("accuracy")
    ax_acc.legend()
    fig.suptitle(f"Two-layer net 784-{HIDDEN_DIM}-10 on Fashion-MNIST")
    plt.show()

test_loss, test_acc = evaluate(net, X_test, y_test)
print(f"test loss {test_loss:.4f}  test accuracy {test_acc:.2%}")

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-53", "locked": true, "schema_version": 3, "solution": false, "task": false}
# 下面三个单元格是档位自测：隐藏测试会读取 `net.params`，自己加载测试集、做预处理和前向传播来计算准确率。
# **档位分由导师端评分器给出**：评分后它在一个干净的进程里读取 `{{export}}` 中的 `W1、b1、W2、b2`，
# 用自己的前向传播（同样的标准化）只对测试图片做预测，再自己算准确率，不依赖这个 notebook 里的任何代码。

# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "tier", "locked": true, "schema_version": 3, "solution": false, "task": false} west2ai={"expand": "tiers"}
assert isinstance(net, TwoLayerNet), "请先运行上面的训练单元格，得到训练好的 net"
from west2ai.grading import tier_progress

_line = tier_progress(evaluate(net, X_test, y_test)[1], {"及格": "{{tiers.pass.threshold}}", "良好": "{{tiers.good.threshold}}", "优秀": "{{tiers.excellent.threshold}}"}, "{{tier.label}}")
### BEGIN HIDDEN TESTS
_LIMIT, _THRESHOLD, _TIER = "{{param_limit}}", "{{tier.threshold}}", "{{tier.label}}"
import numpy as _np
from west2ai.data import fashion_mnist_arrays as _load_fmnist
_P = net.params
assert type(_P) is dict and set(_P) == {"W1", "b1", "W2", "b2"}, "net.params 应恰好包含 W1、b1、W2、b2"
_W1, _b1, _W2, _b2 = (_P[_k] for _k in ("W1", "b1", "W2", "b2"))
for _a in (_W1, _b1, _W2, _b2):
    assert type(_a) is _np.ndarray and _a.dtype.kind == "f" and bool(_np.all(_np.isfinite(_a))), "参数应是有限的浮点 numpy 数组"
assert _W1.ndim == 2, "W1 应是二维数组"
_H = _W1.shape[1]
assert _W1.shape == (784, _H) and _b1.shape == (_H,) and _W2.shape == (_H, 10) and _b2.shape == (10,), "参数形状不符合 784-H-10 的两层网络"
_n_params = sum(int(_a.size) for _a in (_W1, _b1, _W2, _b2))
assert _n_params <= _LIMIT, f"参数量 {_n_params:,} 超过上限 {_LIMIT:,}"
_x, _y = _load_fmnist("test")
_X = (_x.reshape(len(_x), -1).astype(_np.float64) / 255.0 - 0.2860) / 0.3530
_scores = _np.maximum(_X @ _W1.astype(_np.float64) + _b1, 0.0) @ _W2.astype(_np.float64) + _b2
_acc = float((_scores.argmax(axis=1) == _y).mean())
assert _acc >= _THRESHOLD, f"测试集准确率 {_acc:.2%}，未达到{_TIER}线 {_THRESHOLD:.1%}"
### END HIDDEN TESTS

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-57", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ## 小结
#
# 你刚刚只用 NumPy 完成了深度学习框架的核心工作：
#
# - **前向传播**把输入一层层变成得分和损失，每层记下反向传播需要的中间量；
# - **反向传播**就是链式法则：从 `dL/dscores` 出发，每层把"对输出的梯度"变成"对输入和参数的梯度"；
# - **数值梯度检查**是验证反向传播的最可靠办法；
# - **优化器**（带动量的 SGD、学习率衰减）决定了怎样利用梯度。
#
# 第三阶段换成 PyTorch 后，`nn.Linear`、`nn.ReLU`、`nn.CrossEntropyLoss` 对应练习 6–8，`loss.backward()` 替你完成练习 9 的 `backward`，
# `torch.optim.SGD(..., momentum=0.9)` 就是练习 10。有了这本 notebook 的经验，你会知道这些调用背后发生了什么。
