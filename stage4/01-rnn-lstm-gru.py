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
# # 阶段四 · 01 循环神经网络：用张量运算写出 RNN、LSTM 与 GRU
#
# 文本、语音、股价、传感器读数都是**序列**：前后的元素彼此相关，长度也不固定。循环神经网络（RNN）一步读入一个元素，
# 用一个**隐状态**（hidden state）记住读过的内容，每一步都用同一组参数。这一节不调用现成的 `nn.RNN`，
# 而是只用矩阵乘法和 `tanh`、`sigmoid` 亲手写出三种循环网络，把 PyTorch 的权重复制过来，逐位核对结果；
# 然后看一看梯度怎样沿时间反向传播、为什么普通 RNN 记不住久远的输入，以及怎样防止梯度爆炸。
#
# **学习目标**
# - 读懂 `nn.RNN` / `nn.LSTM` / `nn.GRU` 的输入输出形状（`batch_first`、初始状态、多层）和参数的命名、排布；
# - 只用张量运算写出 RNN、LSTM、GRU 的单步计算和多层网络，复制权重后与 PyTorch 的输出和最终状态一致（最大绝对误差 ≤ 1e-5）；
# - 理解随时间反向传播（BPTT）：autograd 沿展开的循环求出的梯度与 `nn.LSTM` 的完全一致；
# - 画出梯度范数随时间步的变化，亲眼看到 RNN 的梯度消失，以及 LSTM 的遗忘门怎样把梯度保住；
# - 实现按全局范数的梯度裁剪，驯服梯度爆炸。
#
# **评分项**（全部自动评分，共 {{points.auto}} 分）
#
# | 评分单元 | 内容 | 分值 |
# |---|---|---|
# | `ex-rnn-cell-test` | 练习 1：RNN 的一步 | 1 |
# | `ex-rnn-params-test` | 练习 2：按 PyTorch 的名字和形状注册参数 | 1 |
# | `ex-my-rnn-single-test` | 练习 3：`MyRNN` 单层（默认零初始状态与给定初始状态） | 1 |
# | `ex-my-rnn-multi-test` | 练习 3：`MyRNN` 多层 | 2 |
# | `ex-lstm-cell-test` | 练习 4：LSTM 的一步 | 2 |
# | `ex-my-lstm-test` | 练习 5：多层 `MyLSTM`（输出与 `(h_n, c_n)`） | 2 |
# | `ex-gru-cell-test` | 练习 6：GRU 的一步 | 2 |
# | `ex-my-gru-test` | 练习 7：多层 `MyGRU` | 1 |
# | `ex-forget-bias-test` | 练习 8：设置遗忘门偏置 | 1 |
# | `ex-grad-norms-test` | 练习 9：各时间步的梯度范数 | 2 |
# | `ex-vanishing-test` | 练习 9：RNN 的梯度消失，LSTM 保住了梯度 | 1 |
# | `ex-clip-test` | 练习 10：梯度裁剪 | 2 |
#
# 和 PyTorch 对照的测试都是“复制权重、比较输出”：你的模块的参数名和形状必须与 PyTorch 的完全相同，
# `load_state_dict(ref.state_dict())` 才能把权重复制过来。隐藏测试会换新的形状、层数和随机种子再比一次，
# 包括序列长度为 1、批量为 1 的情形，并比较反向传播得到的梯度。
#
# **预计学习时间**：5–7 小时（含阅读 d2l 第 8、9 章的相关小节）。
#
# **CPU 预算**：本节不训练模型，所有计算都很小；整本 notebook 在 2 核 CPU 上十几秒就能跑完。
#
# 参考阅读：[《动手学深度学习》](https://zh.d2l.ai/) 8.4 循环神经网络、8.7 通过时间反向传播、9.1 门控循环单元（GRU）、
# 9.2 长短期记忆网络（LSTM）、9.3 深度循环神经网络；Christopher Olah 的 *Understanding LSTM Networks*；
# Pascanu、Mikolov、Bengio，*On the difficulty of training recurrent neural networks*（2013，梯度裁剪）；
# PyTorch 文档中 `nn.RNN`、`nn.LSTM`、`nn.GRU` 的公式。

# %% deletable=false editable=false nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false, "task": false}
import subprocess
import sys

if "google.colab" in sys.modules:  # Colab: install the course package (it never replaces Colab's torch)
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "{{package_url}}"], check=True)

import math

import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

import west2ai.grading

torch.manual_seed(0)
np.random.seed(0)
device = "cuda" if torch.cuda.is_available() else "cpu"
print("torch", torch.__version__, "| device:", device, "| CPU threads:", torch.get_num_threads())
print("本节的计算都很小，全部在 CPU 上进行")

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-02", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ## 1. `nn.RNN` 的接口：形状与参数
#
# 最简单的循环网络（Elman RNN）在第 $t$ 步读入 $x_t$，用上一步的隐状态 $h_{t-1}$ 算出新的隐状态：
#
# $$h_t = \tanh\left(x_t W_{ih}^\top + b_{ih} + h_{t-1} W_{hh}^\top + b_{hh}\right).$$
#
# 每一步用的都是**同一组**参数 $W_{ih}, W_{hh}, b_{ih}, b_{hh}$（沿时间的权重共享），所以序列再长，参数量也不变。
# `nn.RNN(input_size, hidden_size, num_layers, batch_first=True)` 的约定：
#
# | 量 | 形状 | 含义 |
# |---|---|---|
# | 输入 `x` | `(B, T, input_size)` | `batch_first=True`：批量在前、时间在中间（默认 `False` 时是 `(T, B, ·)`） |
# | 初始状态 `h0` | `(num_layers, B, hidden_size)` | **不受** `batch_first` 影响，层在最前；不给时全为 0 |
# | 输出 `output` | `(B, T, hidden_size)` | **最上面一层**在每个时间步的隐状态 |
# | 最终状态 `h_n` | `(num_layers, B, hidden_size)` | **每一层**在最后一个时间步的隐状态 |
#
# **多层**（stacked）RNN 把第 $k-1$ 层在各时间步的隐状态序列当作第 $k$ 层的输入序列。第 $k$ 层的参数叫
# `weight_ih_l{k}`（形状 `(hidden_size, input_size)`，$k \ge 1$ 时输入就是下一层的隐状态，形状为 `(hidden_size, hidden_size)`）、
# `weight_hh_l{k}`（`(hidden_size, hidden_size)`）、`bias_ih_l{k}` 和 `bias_hh_l{k}`（都是 `(hidden_size,)`）。
#
# 先算一算：`nn.RNN(4, 6, num_layers=2)` 的第 0 层有 $6 \times 4 + 6 \times 6 + 6 + 6 = 72$ 个参数，
# 第 1 层有 $6 \times 6 + 6 \times 6 + 6 + 6 = 84$ 个，共 156 个。下面的单元打印参数名和形状，并验证
# `output[:, -1]` 就是 `h_n[-1]`。

# %%
rnn = nn.RNN(input_size=4, hidden_size=6, num_layers=2, batch_first=True)
for name, p in rnn.named_parameters():
    print(f"{name:14s} {tuple(p.shape)}")
print("参数量:", west2ai.grading.n_params(rnn))

x = torch.randn(3, 5, 4)                       # B=3 sequences, T=5 steps, 4 features each
output, h_n = rnn(x)                           # h0 omitted: zeros
print("output:", tuple(output.shape), "| h_n:", tuple(h_n.shape))
print("output[:, -1] 与 h_n[-1] 相同:", torch.allclose(output[:, -1], h_n[-1]))

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-03", "locked": true, "schema_version": 3, "solution": false, "task": false}
# **想一想**：(1) `h_n[0]` 里装的是什么？它在 `output` 里出现过吗？(2) 公式里的 $b_{ih}$ 和 $b_{hh}$ 总是相加，
# 只要一个偏置就够了，PyTorch 为什么要存两个？
#
# <details><summary>提示</summary>
#
# (1) `h_n[0]` 是**第 0 层**（最下面一层）在最后一个时间步的隐状态。`output` 只含最上面一层的隐状态，所以它不在 `output` 里；
# 把多层 RNN 的状态接着传给下一段序列时，每一层的状态都要用到，所以要单独返回。
# (2) 数学上确实多余：只有 $b_{ih} + b_{hh}$ 起作用。两个偏置来自 NVIDIA cuDNN 的实现约定，PyTorch 为了能直接调用 cuDNN、
# 并且在 CPU 和 GPU 上用同一份 `state_dict`，沿用了它。对 GRU 来说两个偏置**不**等价（后面会看到 $b_{hn}$ 被重置门乘着）。
# </details>

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-04", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 练习 1：RNN 的一步（1 分）
#
# 实现 `rnn_cell(x, h, w_ih, w_hh, b_ih, b_hh)`：`x` 形状 `(B, input_size)`，`h` 形状 `(B, hidden_size)`，
# 权重和偏置的形状与 `nn.RNN` 的第 0 层相同；按上面的公式返回新的隐状态，形状 `(B, hidden_size)`。
# 注意权重是 `(输出, 输入)` 的排布，所以要乘它的转置：`x @ w_ih.T`。
#
# 先想好两个能心算的值：权重和偏置全为 0 时，结果全为 0；`x` 和 `h` 全为 0 时，结果是 $\tanh(b_{ih} + b_{hh})$。

# %% nbgrader={"grade": false, "grade_id": "ex-rnn-cell", "locked": false, "schema_version": 3, "solution": true, "task": false}
def rnn_cell(x, h, w_ih, w_hh, b_ih, b_hh):
    ### BEGIN SOLUTION
    return torch.tanh(x @ w_ih.T + b_ih + h @ w_hh.T + b_hh)
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-rnn-cell-test", "locked": true, "points": 1.0, "schema_version": 3, "solution": false, "task": false}
torch.manual_seed(0)
ref = nn.RNNCell(4, 6)
x_step, h_step = torch.randn(3, 4), torch.randn(3, 6)
got = rnn_cell(x_step, h_step, ref.weight_ih, ref.weight_hh, ref.bias_ih, ref.bias_hh)
assert isinstance(got, torch.Tensor) and got.shape == (3, 6), \
    f"rnn_cell 对 B=3、hidden_size=6 应返回 (3, 6) 的张量，实际为 {type(got).__name__} {tuple(getattr(got, 'shape', ()))}"
err = (got - ref(x_step, h_step)).abs().max().item()
assert err <= 1e-5, f"与 nn.RNNCell 的结果最大相差 {err:.2e}（权重要转置：x @ w_ih.T；两个偏置都要加；最后过 tanh）"
zero = rnn_cell(torch.zeros(2, 4), torch.zeros(2, 6), ref.weight_ih, ref.weight_hh, ref.bias_ih, ref.bias_hh)
err = (zero - torch.tanh(ref.bias_ih + ref.bias_hh)).abs().max().item()
assert err <= 1e-6, f"x 和 h 全为 0 时结果应为 tanh(b_ih + b_hh)，你的结果与它相差 {err:.2e}"
### BEGIN HIDDEN TESTS
for _seed, (_b, _i, _h, _dtype) in enumerate([(1, 1, 1, torch.float32), (5, 7, 3, torch.float64), (1, 9, 11, torch.float32)]):
    torch.manual_seed(100 + _seed)
    _ref = nn.RNNCell(_i, _h).to(_dtype)
    _x, _hs = torch.randn(_b, _i, dtype=_dtype), torch.randn(_b, _h, dtype=_dtype)
    _got = rnn_cell(_x, _hs, _ref.weight_ih, _ref.weight_hh, _ref.bias_ih, _ref.bias_hh)
    assert isinstance(_got, torch.Tensor) and _got.shape == (_b, _h) and _got.dtype == _dtype, \
        f"B={_b}、input_size={_i}、hidden_size={_h}、{_dtype} 时形状或 dtype 不对：你的函数返回 {tuple(getattr(_got, 'shape', ()))} {getattr(_got, 'dtype', '')}"
    _err = (_got - _ref(_x, _hs)).abs().max().item()
    assert _err <= 1e-5, f"B={_b}、input_size={_i}、hidden_size={_h}、{_dtype} 时与 nn.RNNCell 最大相差 {_err:.2e}"
### END HIDDEN TESTS

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-06", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 练习 2：按 PyTorch 的名字和形状注册参数（1 分）
#
# LSTM 和 GRU 的参数与 RNN 同名，只是把几个“门”的权重**上下叠在一起**：LSTM 有 4 组（行数 `4 * hidden_size`），
# GRU 有 3 组（`3 * hidden_size`），RNN 只有 1 组。所以一个函数就能为三种网络注册参数。
#
# 实现 `add_rnn_parameters(module, input_size, hidden_size, num_layers, gates)`：对 `k = 0, 1, …, num_layers - 1`，
# **按这个顺序**给 `module` 注册四个 `nn.Parameter`：
#
# | 名字 | 形状 |
# |---|---|
# | `weight_ih_l{k}` | `(gates * hidden_size, input_size)`，$k \ge 1$ 时为 `(gates * hidden_size, hidden_size)` |
# | `weight_hh_l{k}` | `(gates * hidden_size, hidden_size)` |
# | `bias_ih_l{k}`、`bias_hh_l{k}` | `(gates * hidden_size,)` |
#
# 初始化与 PyTorch 相同：每个元素独立地取自均匀分布 $U(-1/\sqrt{H}, 1/\sqrt{H})$，$H$ 为 `hidden_size`
# （`torch.empty(...).uniform_(-bound, bound)`）。注册用 `module.register_parameter(name, param)` 或 `setattr(module, name, param)`
# （名字是拼出来的字符串，所以不能写成 `self.weight_ih_l0 = …`）。函数不需要返回值。
#
# 写好之后，检查一下：`gates=4` 时，`nn.LSTM(4, 6, num_layers=2)` 应有 $4 \times 156 = 624$ 个参数。

# %% nbgrader={"grade": false, "grade_id": "ex-rnn-params", "locked": false, "schema_version": 3, "solution": true, "task": false}
def add_rnn_parameters(module, input_size, hidden_size, num_layers, gates):
    ### BEGIN SOLUTION
    bound = 1 / math.sqrt(hidden_size)
    for k in range(num_layers):
        layer_input = input_size if k == 0 else hidden_size
        shapes = {
            f"weight_ih_l{k}": (gates * hidden_size, layer_input),
            f"weight_hh_l{k}": (gates * hidden_size, hidden_size),
            f"bias_ih_l{k}": (gates * hidden_size,),
            f"bias_hh_l{k}": (gates * hidden_size,),
        }
        for name, shape in shapes.items():
            module.register_parameter(name, nn.Parameter(torch.empty(shape).uniform_(-bound, bound)))
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-rnn-params-test", "locked": true, "points": 1.0, "schema_version": 3, "solution": false, "task": false}
for gates, ref_class in ((1, nn.RNN), (4, nn.LSTM), (3, nn.GRU)):
    ref = ref_class(4, 6, num_layers=2)
    holder = nn.Module()
    add_rnn_parameters(holder, 4, 6, 2, gates)
    want = [(n, tuple(p.shape)) for n, p in ref.named_parameters()]
    got = [(n, tuple(p.shape)) for n, p in holder.named_parameters()]
    assert got == want, f"gates={gates} 时参数的名字、形状或顺序应与 {ref_class.__name__} 相同：\n应为 {want}\n实际为 {got}"
    holder.load_state_dict(ref.state_dict())
values = torch.cat([p.detach().flatten() for p in holder.parameters()])
bound = 1 / math.sqrt(6)
assert values.abs().max() <= bound, f"初始值应在 ±1/√hidden_size = ±{bound:.4f} 之内，实际最大绝对值为 {values.abs().max():.4f}"
### BEGIN HIDDEN TESTS
for _gates, _cls, _i, _h, _layers in ((1, nn.RNN, 1, 9, 3), (4, nn.LSTM, 5, 2, 1), (3, nn.GRU, 3, 7, 3)):
    _ref = _cls(_i, _h, num_layers=_layers)
    _holder = nn.Module()
    add_rnn_parameters(_holder, _i, _h, _layers, _gates)
    _want = [(n, tuple(p.shape)) for n, p in _ref.named_parameters()]
    _got = [(n, tuple(p.shape)) for n, p in _holder.named_parameters()]
    assert _got == _want, f"input_size={_i}、hidden_size={_h}、num_layers={_layers}、gates={_gates} 时参数名或形状不对：你注册的是 {_got}"
    assert all(type(p) is nn.Parameter and p.requires_grad and p.dtype == torch.float32 for p in _holder.parameters()), \
        "每个参数都应是 requires_grad=True 的 float32 nn.Parameter"
_holder, _other = nn.Module(), nn.Module()
add_rnn_parameters(_holder, 8, 16, 2, 4)
add_rnn_parameters(_other, 8, 16, 2, 4)
_values = torch.cat([p.detach().flatten() for p in _holder.parameters()])
_bound = 1 / math.sqrt(16)
_ratio = (_values.std() / _bound).item()
assert _values.abs().max() <= _bound and 0.5 < _ratio < 0.65, \
    f"input_size=8、hidden_size=16 时初始值应服从 U(-1/√16, 1/√16)：你的参数最大绝对值 {_values.abs().max():.4f}，标准差是界的 {_ratio:.3f} 倍"
assert not torch.equal(_values, torch.cat([p.detach().flatten() for p in _other.parameters()])), \
    "两次调用得到了完全相同的初始值：应随机初始化"
### END HIDDEN TESTS

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-08", "locked": true, "schema_version": 3, "solution": false, "task": false}
# 下面的锁定单元提供一个小工具：`layer_weights(module, k)` 按 `(w_ih, w_hh, b_ih, b_hh)` 的顺序取出第 `k` 层的四个参数，
# 正好是各个 `*_cell` 函数的参数顺序，例如 `rnn_cell(x_t, h, *layer_weights(self, k))`。

# %% deletable=false editable=false nbgrader={"grade": false, "grade_id": "layer-weights", "locked": true, "schema_version": 3, "solution": false, "task": false}
def layer_weights(module, k):
    """Layer k's (weight_ih, weight_hh, bias_ih, bias_hh), in the order the *_cell functions take them."""
    return tuple(getattr(module, f"{kind}_l{k}") for kind in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"))


# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-09", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 练习 3：多层 RNN（3 分，分两个单元评分：单层 1 分、多层 2 分）
#
# 补全 `MyRNN.forward(x, h0=None)`（`__init__` 已经写好，它调用你的 `add_rnn_parameters`）：
#
# - `x` 形状 `(B, T, input_size)`（batch first）；`h0` 形状 `(num_layers, B, hidden_size)`，为 `None` 时用全 0，
#   并且 dtype 和 device 与 `x` 相同（`x.new_zeros(...)`；写成 `torch.zeros(...)` 会在 float64 的输入上出错）；
# - 第 0 层从 `h0[0]` 出发，逐个时间步调用 `rnn_cell`，得到隐状态序列；第 `k` 层把第 `k - 1` 层的隐状态序列当作输入，从 `h0[k]` 出发；
# - 返回 `(output, h_n)`：`output` 形状 `(B, T, hidden_size)`，是最上面一层各步的隐状态；`h_n` 形状
#   `(num_layers, B, hidden_size)`，是每一层最后一步的隐状态。`torch.stack(list_of_tensors, dim=…)` 能把一列张量叠起来。
#
# 不要原地修改张量（例如往预先分配好的 `output[:, t] = h` 里写）：后面要沿这个循环反向传播，用列表收集、最后 `stack` 最稳妥。

# %% nbgrader={"grade": false, "grade_id": "ex-my-rnn", "locked": false, "schema_version": 3, "solution": true, "task": false}
class MyRNN(nn.Module):
    """A multi-layer tanh RNN, batch first, with nn.RNN's parameter names and shapes."""

    def __init__(self, input_size, hidden_size, num_layers=1):
        super().__init__()
        self.input_size, self.hidden_size, self.num_layers = input_size, hidden_size, num_layers
        add_rnn_parameters(self, input_size, hidden_size, num_layers, gates=1)

    def forward(self, x, h0=None):
        ### BEGIN SOLUTION
        batch, steps, _ = x.shape
        if h0 is None:
            h0 = x.new_zeros(self.num_layers, batch, self.hidden_size)
        layer_input, last = x, []
        for k in range(self.num_layers):
            h, states = h0[k], []
            for t in range(steps):
                h = rnn_cell(layer_input[:, t], h, *layer_weights(self, k))
                states.append(h)
            layer_input = torch.stack(states, dim=1)   # (B, T, H): the next layer's input
            last.append(h)
        return layer_input, torch.stack(last)          # (B, T, H), (num_layers, B, H)
        ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-my-rnn-single-test", "locked": true, "points": 1.0, "schema_version": 3, "solution": false, "task": false}
torch.manual_seed(1)
ref = nn.RNN(4, 6, batch_first=True)
mine = MyRNN(4, 6)
assert list(mine.state_dict()) == list(ref.state_dict()), f"MyRNN 的参数名应与 nn.RNN 相同：{list(mine.state_dict())}"
mine.load_state_dict(ref.state_dict())
x_seq = torch.randn(3, 7, 4)
result = mine(x_seq)
assert isinstance(result, tuple) and len(result) == 2, f"forward 应返回 (output, h_n) 两个张量，实际返回 {type(result).__name__}"
out, h_n = result
want_out, want_h = ref(x_seq)
assert out.shape == (3, 7, 6) and h_n.shape == (1, 3, 6), \
    f"B=3、T=7、hidden_size=6 时 output 应为 (3, 7, 6)、h_n 应为 (1, 3, 6)，实际为 {tuple(out.shape)}、{tuple(h_n.shape)}"
err = max((out - want_out).abs().max().item(), (h_n - want_h).abs().max().item())
assert err <= 1e-5, f"默认零初始状态时与 nn.RNN 最大相差 {err:.2e}"
h0 = torch.randn(1, 3, 6)
out, h_n = mine(x_seq, h0)
want_out, want_h = ref(x_seq, h0)
err = max((out - want_out).abs().max().item(), (h_n - want_h).abs().max().item())
assert err <= 1e-5, f"给定 h0 时与 nn.RNN 最大相差 {err:.2e}（第一步应从 h0[0] 出发）"
out, h_n = mine.double()(x_seq.double())
assert out.dtype == torch.float64 and h_n.dtype == torch.float64, \
    f"float64 的输入、默认初始状态时应得到 float64 的结果，实际为 {out.dtype}、{h_n.dtype}（零状态用 x.new_zeros）"
### BEGIN HIDDEN TESTS
for _seed, (_b, _t, _i, _h) in enumerate([(1, 1, 3, 5), (2, 1, 1, 4), (1, 9, 2, 3), (4, 3, 6, 2)]):
    torch.manual_seed(200 + _seed)
    _ref = nn.RNN(_i, _h, batch_first=True)
    _mine = MyRNN(_i, _h)
    _mine.load_state_dict(_ref.state_dict())
    _x = torch.randn(_b, _t, _i)
    for _h0 in (None, torch.randn(1, _b, _h)):
        _got_out, _got_h = _mine(_x, _h0)
        _want_out, _want_h = _ref(_x, _h0)
        assert _got_out.shape == _want_out.shape and _got_h.shape == _want_h.shape, \
            f"B={_b}、T={_t}、input_size={_i}、hidden_size={_h}（h0 {'给定' if _h0 is not None else '为 None'}）时形状不对：你的 output {tuple(_got_out.shape)}、h_n {tuple(_got_h.shape)}"
        _err = max((_got_out - _want_out).abs().max().item(), (_got_h - _want_h).abs().max().item())
        assert _err <= 1e-5, f"B={_b}、T={_t}、input_size={_i}、hidden_size={_h}（h0 {'给定' if _h0 is not None else '为 None'}）时与 nn.RNN 最大相差 {_err:.2e}"
# Backprop through time: the gradients of the unrolled loop equal nn.RNN's.
torch.manual_seed(210)
_ref = nn.RNN(3, 5, batch_first=True).double()
_mine = MyRNN(3, 5).double()
_mine.load_state_dict(_ref.state_dict())
_x, _h0 = torch.randn(2, 6, 3, dtype=torch.float64), torch.randn(1, 2, 5, dtype=torch.float64)
_w_out, _w_h = torch.randn(2, 6, 5, dtype=torch.float64), torch.randn(1, 2, 5, dtype=torch.float64)
_grads = []
for _model in (_mine, _ref):
    _xg, _hg = _x.clone().requires_grad_(True), _h0.clone().requires_grad_(True)
    _o, _hn = _model(_xg, _hg)
    ((_o * _w_out).sum() + (_hn * _w_h).sum()).backward()
    _grads.append([_xg.grad, _hg.grad] + [p.grad for p in _model.parameters()])
assert all(g is not None for g in _grads[0]), "反向传播后输入、h0 和每个参数都应有梯度（计算图断了？不要 detach 或原地写入）"
_err = max((a - b).abs().max().item() for a, b in zip(*_grads))
assert _err <= 1e-8, f"沿时间反向传播的梯度与 nn.RNN 的最大相差 {_err:.2e}"
### END HIDDEN TESTS

# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-my-rnn-multi-test", "locked": true, "points": 2.0, "schema_version": 3, "solution": false, "task": false}
for layers, give_h0 in ((2, True), (3, False)):
    torch.manual_seed(layers)
    ref = nn.RNN(4, 6, num_layers=layers, batch_first=True)
    mine = MyRNN(4, 6, num_layers=layers)
    mine.load_state_dict(ref.state_dict())
    x_seq = torch.randn(3, 5, 4)
    h0 = torch.randn(layers, 3, 6) if give_h0 else None
    out, h_n = mine(x_seq, h0)
    want_out, want_h = ref(x_seq, h0)
    assert out.shape == (3, 5, 6) and h_n.shape == (layers, 3, 6), \
        f"num_layers={layers} 时 output 应为 (3, 5, 6)、h_n 应为 ({layers}, 3, 6)，实际为 {tuple(out.shape)}、{tuple(h_n.shape)}"
    err = (h_n - want_h).abs().max().item()
    assert err <= 1e-5, f"num_layers={layers} 时 h_n 与 nn.RNN 最大相差 {err:.2e}（h_n[k] 应是第 k 层最后一步的隐状态）"
    err = (out - want_out).abs().max().item()
    assert err <= 1e-5, f"num_layers={layers} 时 output 与 nn.RNN 最大相差 {err:.2e}（第 k 层的输入是第 k-1 层的隐状态序列，output 取最上面一层）"
### BEGIN HIDDEN TESTS
_largest = west2ai.grading.check_recurrent_layer(MyRNN, nn.RNN, [(1, 1, 2, 3, 2), (2, 12, 1, 9, 3), (1, 4, 7, 4, 4), (5, 2, 3, 3, 2)],
                                                 seed=300, gradient_case=(3, 5, 2, 4, 3))
### END HIDDEN TESTS

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-12", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ## 2. LSTM：用门控制记忆
#
# 长短期记忆网络（LSTM，Hochreiter & Schmidhuber，1997）在隐状态 $h$ 之外多了一个**记忆元**（cell state）$c$，
# 由三个“门”控制它的读写。PyTorch 的公式（$\sigma$ 是 sigmoid，$\odot$ 是逐元素乘）：
#
# $$\begin{aligned}
# i_t &= \sigma(x_t W_{ii}^\top + b_{ii} + h_{t-1} W_{hi}^\top + b_{hi}) &&\text{输入门：写入多少新内容}\\
# f_t &= \sigma(x_t W_{if}^\top + b_{if} + h_{t-1} W_{hf}^\top + b_{hf}) &&\text{遗忘门：保留多少旧记忆}\\
# g_t &= \tanh(x_t W_{ig}^\top + b_{ig} + h_{t-1} W_{hg}^\top + b_{hg}) &&\text{候选内容}\\
# o_t &= \sigma(x_t W_{io}^\top + b_{io} + h_{t-1} W_{ho}^\top + b_{ho}) &&\text{输出门：露出多少记忆}\\
# c_t &= f_t \odot c_{t-1} + i_t \odot g_t, \qquad h_t = o_t \odot \tanh(c_t).
# \end{aligned}$$
#
# 四组权重按 **i, f, g, o** 的顺序上下叠成一个矩阵：`weight_ih_l0` 的形状是 `(4 * hidden_size, input_size)`，
# 第 `0:H` 行是 $W_{ii}$，`H:2H` 行是 $W_{if}$，依此类推；偏置同理。所以一次矩阵乘法就算出四个门的“预激活”，
# 再用 `gates.chunk(4, dim=1)` 切成四块。`nn.LSTM` 的状态是一对 `(h, c)`，初始状态和最终状态都写成 `(h_0, c_0)`、
# `(h_n, c_n)`，每个的形状都是 `(num_layers, B, hidden_size)`。
#
# ### 练习 4：LSTM 的一步（2 分）
#
# 实现 `lstm_cell(x, h, c, w_ih, w_hh, b_ih, b_hh)`，返回 `(h_new, c_new)`，形状都是 `(B, hidden_size)`。
#
# 一个能心算的值：权重和偏置全为 0 时，四个门的预激活都是 0，于是 $i = f = o = \sigma(0) = 0.5$、$g = 0$；
# 若 $c = 1$，则 $c_\text{new} = 0.5$，$h_\text{new} = 0.5 \tanh(0.5) \approx 0.2311$。

# %% nbgrader={"grade": false, "grade_id": "ex-lstm-cell", "locked": false, "schema_version": 3, "solution": true, "task": false}
def lstm_cell(x, h, c, w_ih, w_hh, b_ih, b_hh):
    ### BEGIN SOLUTION
    gates = x @ w_ih.T + b_ih + h @ w_hh.T + b_hh
    i, f, g, o = gates.chunk(4, dim=1)
    c_new = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
    h_new = torch.sigmoid(o) * torch.tanh(c_new)
    return h_new, c_new
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-lstm-cell-test", "locked": true, "points": 2.0, "schema_version": 3, "solution": false, "task": false}
zeros_w = [torch.zeros(8, 3), torch.zeros(8, 2), torch.zeros(8), torch.zeros(8)]
result = lstm_cell(torch.randn(1, 3), torch.randn(1, 2), torch.ones(1, 2), *zeros_w)
assert isinstance(result, tuple) and len(result) == 2, f"lstm_cell 应返回 (h_new, c_new)，实际返回 {type(result).__name__}"
h_new, c_new = result
assert torch.allclose(c_new, torch.full((1, 2), 0.5)) and torch.allclose(h_new, torch.full((1, 2), 0.5 * math.tanh(0.5))), \
    f"权重全为 0、c = 1 时应得 c_new = 0.5、h_new ≈ 0.2311，实际为 c_new {c_new.tolist()}、h_new {h_new.tolist()}"
torch.manual_seed(0)
ref = nn.LSTMCell(4, 6)
x_step, h_step, c_step = torch.randn(3, 4), torch.randn(3, 6), torch.randn(3, 6)
h_new, c_new = lstm_cell(x_step, h_step, c_step, ref.weight_ih, ref.weight_hh, ref.bias_ih, ref.bias_hh)
want_h, want_c = ref(x_step, (h_step, c_step))
assert h_new.shape == (3, 6) and c_new.shape == (3, 6), f"h_new、c_new 应为 (3, 6)，实际为 {tuple(h_new.shape)}、{tuple(c_new.shape)}"
err = (c_new - want_c).abs().max().item()
assert err <= 1e-5, f"c_new 与 nn.LSTMCell 最大相差 {err:.2e}（门的顺序是 i, f, g, o；g 用 tanh，其余用 sigmoid）"
err = (h_new - want_h).abs().max().item()
assert err <= 1e-5, f"h_new 与 nn.LSTMCell 最大相差 {err:.2e}（h_new = o * tanh(c_new)）"
### BEGIN HIDDEN TESTS
for _seed, (_b, _i, _h, _dtype) in enumerate([(1, 1, 1, torch.float32), (5, 7, 3, torch.float64), (1, 2, 10, torch.float32)]):
    torch.manual_seed(400 + _seed)
    _ref = nn.LSTMCell(_i, _h).to(_dtype)
    _x, _hs, _cs = torch.randn(_b, _i, dtype=_dtype), torch.randn(_b, _h, dtype=_dtype), torch.randn(_b, _h, dtype=_dtype)
    _got_h, _got_c = lstm_cell(_x, _hs, _cs, _ref.weight_ih, _ref.weight_hh, _ref.bias_ih, _ref.bias_hh)
    _want_h, _want_c = _ref(_x, (_hs, _cs))
    assert _got_h.shape == (_b, _h) and _got_c.shape == (_b, _h) and _got_h.dtype == _dtype, \
        f"B={_b}、input_size={_i}、hidden_size={_h}、{_dtype} 时形状或 dtype 不对：你的 h_new {tuple(_got_h.shape)} {_got_h.dtype}"
    _err = max((_got_h - _want_h).abs().max().item(), (_got_c - _want_c).abs().max().item())
    assert _err <= 1e-5, f"B={_b}、input_size={_i}、hidden_size={_h}、{_dtype} 时与 nn.LSTMCell 最大相差 {_err:.2e}"
### END HIDDEN TESTS

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-14", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 练习 5：多层 LSTM（2 分）
#
# 补全 `MyLSTM.forward(x, state=None)`：与 `MyRNN` 一样逐层、逐步计算，只是状态是一对 `(h, c)`。
# `state` 为 `None` 时 `h0`、`c0` 都是全 0（dtype、device 与 `x` 相同），否则 `state = (h0, c0)`，形状都是 `(num_layers, B, hidden_size)`。
# 返回 `(output, (h_n, c_n))`，与 `nn.LSTM(..., batch_first=True)` 完全相同。

# %% nbgrader={"grade": false, "grade_id": "ex-my-lstm", "locked": false, "schema_version": 3, "solution": true, "task": false}
class MyLSTM(nn.Module):
    """A multi-layer LSTM, batch first, with nn.LSTM's parameter names and shapes (gates i, f, g, o)."""

    def __init__(self, input_size, hidden_size, num_layers=1):
        super().__init__()
        self.input_size, self.hidden_size, self.num_layers = input_size, hidden_size, num_layers
        add_rnn_parameters(self, input_size, hidden_size, num_layers, gates=4)

    def forward(self, x, state=None):
        ### BEGIN SOLUTION
        batch, steps, _ = x.shape
        if state is None:
            zeros = x.new_zeros(self.num_layers, batch, self.hidden_size)
            state = (zeros, zeros)
        h0, c0 = state
        layer_input, last_h, last_c = x, [], []
        for k in range(self.num_layers):
            h, c, states = h0[k], c0[k], []
            for t in range(steps):
                h, c = lstm_cell(layer_input[:, t], h, c, *layer_weights(self, k))
                states.append(h)
            layer_input = torch.stack(states, dim=1)
            last_h.append(h)
            last_c.append(c)
        return layer_input, (torch.stack(last_h), torch.stack(last_c))
        ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-my-lstm-test", "locked": true, "points": 2.0, "schema_version": 3, "solution": false, "task": false}
for layers, give_state in ((1, False), (2, True), (3, False)):
    torch.manual_seed(10 + layers)
    ref = nn.LSTM(4, 6, num_layers=layers, batch_first=True)
    mine = MyLSTM(4, 6, num_layers=layers)
    assert list(mine.state_dict()) == list(ref.state_dict()), f"MyLSTM 的参数名应与 nn.LSTM 相同：{list(mine.state_dict())}"
    mine.load_state_dict(ref.state_dict())
    x_seq = torch.randn(3, 5, 4)
    state = (torch.randn(layers, 3, 6), torch.randn(layers, 3, 6)) if give_state else None
    result = mine(x_seq, state)
    assert isinstance(result, tuple) and len(result) == 2 and isinstance(result[1], tuple) and len(result[1]) == 2, \
        "forward 应返回 (output, (h_n, c_n))"
    out, (h_n, c_n) = result
    want_out, (want_h, want_c) = ref(x_seq, state)
    case = f"num_layers={layers}（{'给定 (h0, c0)' if give_state else '默认零状态'}）"
    assert out.shape == (3, 5, 6) and h_n.shape == (layers, 3, 6) and c_n.shape == (layers, 3, 6), \
        f"{case} 时形状不对：output {tuple(out.shape)}、h_n {tuple(h_n.shape)}、c_n {tuple(c_n.shape)}"
    err = max((out - want_out).abs().max().item(), (h_n - want_h).abs().max().item(), (c_n - want_c).abs().max().item())
    assert err <= 1e-5, f"{case} 时与 nn.LSTM 最大相差 {err:.2e}"
### BEGIN HIDDEN TESTS
_largest = west2ai.grading.check_recurrent_layer(MyLSTM, nn.LSTM, [(1, 1, 2, 3, 1), (2, 1, 1, 5, 3), (1, 10, 3, 2, 2), (4, 6, 5, 7, 2)],
                                                 seed=500, gradient_case=(2, 7, 3, 4, 2))
_out, (_hn, _cn) = MyLSTM(2, 3, 2).double()(torch.randn(2, 4, 2, dtype=torch.float64))
assert _out.dtype == _hn.dtype == _cn.dtype == torch.float64, \
    f"float64 的输入、默认零状态时结果应为 float64，你的是 {_out.dtype}、{_hn.dtype}、{_cn.dtype}（零状态用 x.new_zeros）"
### END HIDDEN TESTS

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-16", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ## 3. 随时间反向传播（BPTT）
#
# 你的 `MyLSTM.forward` 是一个普通的 Python 循环。前向计算时，autograd 把每一步的每个运算都记进计算图，
# 这张图就是把网络**沿时间展开**（unroll）后的样子：一个 $T$ 步的单层循环网络，相当于一个 $T$ 层深、各层共享参数的前馈网络。
# 对损失调用 `backward()`，链式法则就从最后一步一路往回走，这就是**随时间反向传播**（backpropagation through time，BPTT）：
# 共享参数的梯度是它在每个时间步上的梯度之和。
#
# 下面把同一份权重放进 `MyLSTM` 和 `nn.LSTM`，对同一个损失求梯度，逐个参数比较：应当只相差浮点舍入（float64 下小于 1e-15）。
# 展开也有代价：反向传播要用到前向时每一步的中间结果，内存随 $T$ 线性增长。处理很长的序列时常用**截断 BPTT**：
# 把序列切成若干段，每段之间把隐状态 `detach()`，梯度只在段内传播。

# %%
torch.manual_seed(0)
ref_lstm = nn.LSTM(3, 5, num_layers=2, batch_first=True).double()
my_lstm = MyLSTM(3, 5, num_layers=2).double()
my_lstm.load_state_dict(ref_lstm.state_dict())
x_seq = torch.randn(4, 20, 3, dtype=torch.float64)
target = torch.randn(4, 5, dtype=torch.float64)
for model in (my_lstm, ref_lstm):
    model.zero_grad()
    out, _ = model(x_seq)
    F.mse_loss(out[:, -1], target).backward()   # a loss on the last step only: its gradient reaches every step
for (name, p_mine), p_ref in zip(my_lstm.named_parameters(), ref_lstm.parameters()):
    print(f"{name:14s} 梯度最大相差 {(p_mine.grad - p_ref.grad).abs().max().item():.1e}")

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-17", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ## 4. GRU：更简单的门控
#
# 门控循环单元（GRU，Cho 等，2014）去掉了单独的记忆元，只用两个门：**重置门** $r$ 决定计算候选状态时用多少旧状态，
# **更新门** $z$ 决定新状态里保留多少旧状态。PyTorch 的公式：
#
# $$\begin{aligned}
# r_t &= \sigma(x_t W_{ir}^\top + b_{ir} + h_{t-1} W_{hr}^\top + b_{hr})\\
# z_t &= \sigma(x_t W_{iz}^\top + b_{iz} + h_{t-1} W_{hz}^\top + b_{hz})\\
# n_t &= \tanh\big(x_t W_{in}^\top + b_{in} + r_t \odot (h_{t-1} W_{hn}^\top + b_{hn})\big)\\
# h_t &= (1 - z_t) \odot n_t + z_t \odot h_{t-1}.
# \end{aligned}$$
#
# 三组权重按 **r, z, n** 的顺序叠放（`3 * hidden_size` 行）。**注意** $n_t$ 的写法：重置门乘的是
# $h_{t-1} W_{hn}^\top + b_{hn}$ 这一整项（矩阵乘法**之后**，连同偏置 $b_{hn}$），而 d2l 和原论文写的是先算 $r_t \odot h_{t-1}$ 再乘矩阵。
# 两种写法都是 GRU，但结果不同；要与 `nn.GRU` 一致，就得照 PyTorch 的写法。所以这里不能先把
# `x @ w_ih.T + b_ih + h @ w_hh.T + b_hh` 加在一起再切块：输入部分和隐状态部分要分别算、分别切成三块。
#
# ### 练习 6：GRU 的一步（2 分）
#
# 实现 `gru_cell(x, h, w_ih, w_hh, b_ih, b_hh)`，返回新的隐状态 `(B, hidden_size)`。
# 能心算的值：权重和偏置全为 0 时 $r = z = 0.5$、$n = 0$，所以 $h_\text{new} = 0.5\,h$。

# %% nbgrader={"grade": false, "grade_id": "ex-gru-cell", "locked": false, "schema_version": 3, "solution": true, "task": false}
def gru_cell(x, h, w_ih, w_hh, b_ih, b_hh):
    ### BEGIN SOLUTION
    x_r, x_z, x_n = (x @ w_ih.T + b_ih).chunk(3, dim=1)
    h_r, h_z, h_n = (h @ w_hh.T + b_hh).chunk(3, dim=1)
    r = torch.sigmoid(x_r + h_r)
    z = torch.sigmoid(x_z + h_z)
    n = torch.tanh(x_n + r * h_n)
    return (1 - z) * n + z * h
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-gru-cell-test", "locked": true, "points": 2.0, "schema_version": 3, "solution": false, "task": false}
h_step = torch.randn(2, 3)
half = gru_cell(torch.randn(2, 4), h_step, torch.zeros(9, 4), torch.zeros(9, 3), torch.zeros(9), torch.zeros(9))
assert isinstance(half, torch.Tensor) and half.shape == (2, 3), \
    f"gru_cell 对 B=2、hidden_size=3 应返回 (2, 3) 的张量，实际为 {type(half).__name__} {tuple(getattr(half, 'shape', ()))}"
assert torch.allclose(half, 0.5 * h_step), f"权重全为 0 时应得 0.5 * h，实际为 {half.tolist()}（h_new = (1 - z) * n + z * h）"
torch.manual_seed(0)
ref = nn.GRUCell(4, 6)
x_step, h_step = torch.randn(3, 4), torch.randn(3, 6)
got = gru_cell(x_step, h_step, ref.weight_ih, ref.weight_hh, ref.bias_ih, ref.bias_hh)
err = (got - ref(x_step, h_step)).abs().max().item()
assert err <= 1e-5, f"与 nn.GRUCell 最大相差 {err:.2e}（门的顺序是 r, z, n；重置门乘的是 h @ W_hn.T + b_hn 整项）"
### BEGIN HIDDEN TESTS
for _seed, (_b, _i, _h, _dtype) in enumerate([(1, 1, 1, torch.float32), (5, 7, 3, torch.float64), (1, 2, 10, torch.float32)]):
    torch.manual_seed(600 + _seed)
    _ref = nn.GRUCell(_i, _h).to(_dtype)
    with torch.no_grad():
        _ref.bias_hh.mul_(5)  # a large b_hn: putting it outside the reset gate no longer goes unnoticed
    _x, _hs = torch.randn(_b, _i, dtype=_dtype), torch.randn(_b, _h, dtype=_dtype)
    _got = gru_cell(_x, _hs, _ref.weight_ih, _ref.weight_hh, _ref.bias_ih, _ref.bias_hh)
    assert isinstance(_got, torch.Tensor) and _got.shape == (_b, _h) and _got.dtype == _dtype, \
        f"B={_b}、input_size={_i}、hidden_size={_h}、{_dtype} 时形状或 dtype 不对：你的函数返回 {tuple(getattr(_got, 'shape', ()))} {getattr(_got, 'dtype', '')}"
    _err = (_got - _ref(_x, _hs)).abs().max().item()
    assert _err <= 1e-5, f"B={_b}、input_size={_i}、hidden_size={_h}、{_dtype}（偏置较大）时与 nn.GRUCell 最大相差 {_err:.2e}"
### END HIDDEN TESTS

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-19", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 练习 7：多层 GRU（1 分）
#
# 补全 `MyGRU.forward(x, h0=None)`：接口与 `MyRNN` 完全相同，返回 `(output, h_n)`，与 `nn.GRU(..., batch_first=True)` 一致。

# %% nbgrader={"grade": false, "grade_id": "ex-my-gru", "locked": false, "schema_version": 3, "solution": true, "task": false}
class MyGRU(nn.Module):
    """A multi-layer GRU, batch first, with nn.GRU's parameter names and shapes (gates r, z, n)."""

    def __init__(self, input_size, hidden_size, num_layers=1):
        super().__init__()
        self.input_size, self.hidden_size, self.num_layers = input_size, hidden_size, num_layers
        add_rnn_parameters(self, input_size, hidden_size, num_layers, gates=3)

    def forward(self, x, h0=None):
        ### BEGIN SOLUTION
        batch, steps, _ = x.shape
        if h0 is None:
            h0 = x.new_zeros(self.num_layers, batch, self.hidden_size)
        layer_input, last = x, []
        for k in range(self.num_layers):
            h, states = h0[k], []
            for t in range(steps):
                h = gru_cell(layer_input[:, t], h, *layer_weights(self, k))
                states.append(h)
            layer_input = torch.stack(states, dim=1)
            last.append(h)
        return layer_input, torch.stack(last)
        ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-my-gru-test", "locked": true, "points": 1.0, "schema_version": 3, "solution": false, "task": false}
for layers, give_h0 in ((1, False), (2, True), (3, False)):
    torch.manual_seed(20 + layers)
    ref = nn.GRU(4, 6, num_layers=layers, batch_first=True)
    mine = MyGRU(4, 6, num_layers=layers)
    assert list(mine.state_dict()) == list(ref.state_dict()), f"MyGRU 的参数名应与 nn.GRU 相同：{list(mine.state_dict())}"
    mine.load_state_dict(ref.state_dict())
    x_seq = torch.randn(3, 5, 4)
    h0 = torch.randn(layers, 3, 6) if give_h0 else None
    out, h_n = mine(x_seq, h0)
    want_out, want_h = ref(x_seq, h0)
    case = f"num_layers={layers}（{'给定 h0' if give_h0 else '默认零状态'}）"
    assert out.shape == (3, 5, 6) and h_n.shape == (layers, 3, 6), \
        f"{case} 时 output 应为 (3, 5, 6)、h_n 应为 ({layers}, 3, 6)，实际为 {tuple(out.shape)}、{tuple(h_n.shape)}"
    err = max((out - want_out).abs().max().item(), (h_n - want_h).abs().max().item())
    assert err <= 1e-5, f"{case} 时与 nn.GRU 最大相差 {err:.2e}"
### BEGIN HIDDEN TESTS
_largest = west2ai.grading.check_recurrent_layer(MyGRU, nn.GRU, [(1, 1, 2, 3, 1), (2, 1, 1, 5, 3), (1, 11, 3, 2, 2), (4, 6, 5, 7, 2)],
                                                 seed=700, gradient_case=(2, 6, 3, 4, 2))
### END HIDDEN TESTS

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-21", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ## 5. 梯度消失：RNN 为什么记不住久远的输入
#
# 设损失 $L$ 只取决于最后一步的隐状态 $h_T$。由链式法则，它对第 $t$ 步隐状态的梯度要乘过 $T - t$ 个雅可比矩阵：
#
# $$\frac{\partial L}{\partial h_t} = \frac{\partial L}{\partial h_T}\prod_{s=t+1}^{T}\frac{\partial h_s}{\partial h_{s-1}},
# \qquad \frac{\partial h_s}{\partial h_{s-1}} = \operatorname{diag}\!\left(1 - h_s^2\right) W_{hh}.$$
#
# 每乘一次，梯度的大小大约乘上 $W_{hh}$ 的“放大倍数”再乘 $\tanh' \le 1$。PyTorch 默认初始化下 $W_{hh}$ 的元素取自
# $U(-1/\sqrt{H}, 1/\sqrt{H})$，方差为 $1/(3H)$，随机矩阵理论告诉我们它的谱半径约为 $\sqrt{H \cdot 1/(3H)} = 1/\sqrt{3} \approx 0.58$。
# 于是梯度每往回传一步就缩小到约一半，传 99 步后只剩 $0.58^{99} \approx 10^{-23}$ 甚至更小：远处的输入对损失的梯度几乎为 0，
# 网络学不到长距离的依赖。反过来，$W_{hh}$ 的放大倍数大于 1 时，梯度会指数增长——这就是下一节的梯度爆炸。
#
# LSTM 的记忆元走的是另一条路：$c_t = f_t \odot c_{t-1} + i_t \odot g_t$，沿这条路 $\partial c_t / \partial c_{t-1} = \operatorname{diag}(f_t)$，
# 没有矩阵乘法，也没有 $\tanh'$。遗忘门 $f_t$ 接近 1 时，梯度几乎原样传回去（“恒定误差传送带”）。但要注意：PyTorch 默认初始化下
# 遗忘门的偏置接近 0，$f \approx \sigma(0) = 0.5$，梯度同样按 $0.5^{T-t}$ 消失！所以常把遗忘门偏置初始化为 1 或更大
# （Gers 等，2000；Jozefowicz 等，2015）：偏置为 3 时 $f \approx \sigma(3) \approx 0.95$，沿记忆元每往回一步只损失约 5%，而不是一半。
#
# ### 练习 8：设置遗忘门偏置（1 分）
#
# 实现 `set_forget_bias(lstm, value)`：对 `lstm`（`nn.LSTM` 或你的 `MyLSTM`，都有 `hidden_size`、`num_layers` 属性和同名参数）
# 的每一层 `k`，把 `bias_ih_l{k}` 中属于遗忘门的那一段设为 `value`，把 `bias_hh_l{k}` 的同一段设为 0，
# 使遗忘门的总偏置恰为 `value`；其他门的偏置和所有权重保持不变。原地修改（放在 `torch.no_grad()` 里），不需要返回值。
# 遗忘门是 i, f, g, o 中的第二组，即第 `hidden_size : 2 * hidden_size` 个元素。

# %% nbgrader={"grade": false, "grade_id": "ex-forget-bias", "locked": false, "schema_version": 3, "solution": true, "task": false}
def set_forget_bias(lstm, value):
    ### BEGIN SOLUTION
    hidden = lstm.hidden_size
    with torch.no_grad():
        for k in range(lstm.num_layers):
            getattr(lstm, f"bias_ih_l{k}")[hidden:2 * hidden] = value
            getattr(lstm, f"bias_hh_l{k}")[hidden:2 * hidden] = 0.0
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-forget-bias-test", "locked": true, "points": 1.0, "schema_version": 3, "solution": false, "task": false}
torch.manual_seed(0)
lstm = nn.LSTM(3, 5, num_layers=2, batch_first=True)
before = {name: p.detach().clone() for name, p in lstm.named_parameters()}
set_forget_bias(lstm, 2.0)
for k in range(2):
    b_ih, b_hh = getattr(lstm, f"bias_ih_l{k}"), getattr(lstm, f"bias_hh_l{k}")
    assert torch.all(b_ih[5:10] == 2.0) and torch.all(b_hh[5:10] == 0.0), \
        f"第 {k} 层遗忘门的偏置应为 bias_ih[5:10] = 2、bias_hh[5:10] = 0，实际为 {b_ih[5:10].tolist()}、{b_hh[5:10].tolist()}"
    for name in (f"bias_ih_l{k}", f"bias_hh_l{k}"):
        p = dict(lstm.named_parameters())[name]
        keep = torch.cat([p[:5], p[10:]]).detach()
        assert torch.equal(keep, torch.cat([before[name][:5], before[name][10:]])), f"{name} 中其他门（i, g, o）的偏置不应改变"
for name, p in lstm.named_parameters():
    if name.startswith("weight"):
        assert torch.equal(p.detach(), before[name]), f"权重 {name} 不应改变"
f_gate = torch.sigmoid(lstm.bias_ih_l0[5:10] + lstm.bias_hh_l0[5:10])
assert torch.allclose(f_gate, torch.full((5,), 1 / (1 + math.exp(-2)))), \
    f"x = 0、h = 0 时第 0 层的遗忘门应为 σ(2) ≈ 0.881，实际为 {f_gate.tolist()}"
### BEGIN HIDDEN TESTS
torch.manual_seed(800)
_lstm = nn.LSTM(4, 7, num_layers=3)
_before = {name: p.detach().clone() for name, p in _lstm.named_parameters()}
set_forget_bias(_lstm, -1.5)
for _name, _p in _lstm.named_parameters():
    assert type(_p) is nn.Parameter and _p.is_leaf and _p.requires_grad, f"{_name} 应仍是 requires_grad=True 的叶子参数"
    _want = _before[_name].clone()
    if _name.startswith("bias_ih"):
        _want[7:14] = -1.5
    elif _name.startswith("bias_hh"):
        _want[7:14] = 0.0
    assert torch.equal(_p.detach(), _want), f"hidden_size=7、num_layers=3、value=-1.5 时 {_name} 不对：应只改遗忘门那一段（第 7 到 13 个元素）"
_out, _ = _lstm(torch.randn(2, 3, 4))
_out.sum().backward()
assert all(p.grad is not None for p in _lstm.parameters()), "设置偏置之后应仍能正常反向传播"
### END HIDDEN TESTS

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-23", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 练习 9：各时间步的梯度范数（2 分 + 1 分）
#
# 要看梯度怎样随时间衰减，最直接的办法是让损失只取决于最后一步，再看它对**每一步的输入** $x_t$ 的梯度有多大：
# $\partial L / \partial x_t = (\partial L / \partial h_t)(\partial h_t / \partial x_t)$，它正比于隐状态上的梯度，而且对 `nn.RNN`、
# `nn.LSTM` 和你的模块都能直接求（`nn.LSTM` 内部的中间隐状态拿不到，输入却总能拿到）。
#
# 实现 `grad_norms_over_time(model, x)`：`model(x)` 返回 `(output, state)`（batch first），`x` 形状 `(B, T, input_size)`。
#
# 1. 复制一份需要梯度的输入：`x = x.detach().clone().requires_grad_(True)`（不要改动调用者的张量）；
# 2. 损失取最后一步的输出之和：`L = output[:, -1].sum()`；
# 3. 用 `torch.autograd.grad(L, x)` 只对输入求导（这样不会在模型参数的 `.grad` 上留下任何东西）；
# 4. 返回形状 `(T,)` 的张量，第 `t` 个元素是 $\lVert \partial L / \partial x_{:, t, :} \rVert_2$（对批量和特征两个维度一起求 2-范数，
#    例如 `torch.linalg.vector_norm(g, dim=(0, 2))`），不带梯度。
#
# 作为检查：把 `nn.RNN` 的 `weight_hh_l0` 置 0 后，最后一步的输出只取决于 $x_T$，所以除最后一个元素外全为 0。

# %% nbgrader={"grade": false, "grade_id": "ex-grad-norms", "locked": false, "schema_version": 3, "solution": true, "task": false}
def grad_norms_over_time(model, x):
    ### BEGIN SOLUTION
    x = x.detach().clone().requires_grad_(True)
    output, _ = model(x)
    (grad,) = torch.autograd.grad(output[:, -1].sum(), x)
    return torch.linalg.vector_norm(grad, dim=(0, 2))
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-grad-norms-test", "locked": true, "points": 2.0, "schema_version": 3, "solution": false, "task": false}
torch.manual_seed(0)
probe = nn.RNN(3, 5, batch_first=True)
x_seq = torch.randn(2, 6, 3)
norms = grad_norms_over_time(probe, x_seq)
assert isinstance(norms, torch.Tensor) and norms.shape == (6,), \
    f"T=6 时应返回形状 (6,) 的张量，实际为 {type(norms).__name__} {tuple(getattr(norms, 'shape', ()))}"
assert not norms.requires_grad, "返回的梯度范数不应再带梯度"
assert bool((norms > 0).all()), f"普通 RNN 每一步的输入都影响最后的输出，梯度范数都应大于 0，实际为 {norms.tolist()}"
assert all(p.grad is None for p in probe.parameters()), "不应在模型参数的 .grad 上留下梯度（用 torch.autograd.grad(L, x)）"
assert not x_seq.requires_grad, "不应改动调用者的输入张量（先 x.detach().clone()）"
with torch.no_grad():
    probe.weight_hh_l0.zero_()
norms = grad_norms_over_time(probe, x_seq)
assert bool((norms[:-1] == 0).all()) and norms[-1] > 0, \
    f"weight_hh_l0 = 0 时只有最后一步的输入影响最后的输出：除最后一个元素外都应为 0，实际为 {norms.tolist()}"
### BEGIN HIDDEN TESTS
def _reference_norms(model, x):
    """Per-step gradient norms by a different road: backward() on a leaf copy, then its .grad."""
    leaf = x.detach().clone().requires_grad_(True)
    out, _ = model(leaf)
    out[:, -1].sum().backward()
    return leaf.grad.pow(2).sum(dim=(0, 2)).sqrt()


for _seed, (_cls, _b, _t, _i, _h, _layers) in enumerate([(nn.RNN, 3, 8, 2, 4, 1), (nn.LSTM, 2, 5, 3, 6, 2),
                                                          (nn.GRU, 1, 1, 4, 3, 1), (nn.LSTM, 1, 12, 1, 2, 1)]):
    torch.manual_seed(900 + _seed)
    _model = _cls(_i, _h, num_layers=_layers, batch_first=True).double()
    _x = torch.randn(_b, _t, _i, dtype=torch.float64)
    _got = grad_norms_over_time(_model, _x)
    _case = f"{_cls.__name__}（B={_b}、T={_t}、input_size={_i}、hidden_size={_h}、num_layers={_layers}，float64）"
    assert isinstance(_got, torch.Tensor) and _got.shape == (_t,), \
        f"{_case} 时应返回形状 ({_t},) 的张量，你的函数返回 {type(_got).__name__} {tuple(getattr(_got, 'shape', ()))}"
    assert all(p.grad is None for p in _model.parameters()), f"{_case}：调用后模型参数的 .grad 应保持为 None"
    _err = (_got - _reference_norms(_model, _x)).abs().max().item()
    assert _err <= 1e-10, f"{_case} 时与逐步计算的梯度范数最大相差 {_err:.2e}（范数应对批量和特征两个维度一起求）"
### END HIDDEN TESTS

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-25", "locked": true, "schema_version": 3, "solution": false, "task": false}
# 下面用**你自己写的** `MyRNN` 和 `MyLSTM`，在同一条长度 $T = 100$ 的随机序列上画出梯度范数随时间步的变化（纵轴取对数）：
# 普通 RNN、默认初始化的 LSTM、遗忘门偏置为 3 的 LSTM。计算用 float64，否则 RNN 的梯度会小到 float32 表示不了（下溢成 0）。
# 按上面的估算，RNN 在第 0 步的梯度应比最后一步小 20 个数量级以上，默认初始化的 LSTM 也差不多；遗忘门偏置为 3 的 LSTM，
# 各步的梯度范数相差通常不到 10 倍。

# %% deletable=false editable=false nbgrader={"grade": false, "grade_id": "vanishing-plot", "locked": true, "schema_version": 3, "solution": false, "task": false}
def vanishing_demo(seed=0, steps=100, batch=8, input_size=8, hidden=32, forget_bias=3.0):
    """Per-step gradient norms of an RNN, a default LSTM and an LSTM with an open forget gate (float64)."""
    torch.manual_seed(seed)
    x = torch.randn(batch, steps, input_size, dtype=torch.float64)
    rnn = MyRNN(input_size, hidden).double()
    lstm_default = MyLSTM(input_size, hidden).double()
    lstm_open = MyLSTM(input_size, hidden).double()
    lstm_open.load_state_dict(lstm_default.state_dict())
    set_forget_bias(lstm_open, forget_bias)
    return {"RNN (tanh)": grad_norms_over_time(rnn, x),
            "LSTM, default init": grad_norms_over_time(lstm_default, x),
            f"LSTM, forget-gate bias {forget_bias:g}": grad_norms_over_time(lstm_open, x)}


curves = vanishing_demo()
fig, ax = plt.subplots(figsize=(8, 4.5))
for label, norms in curves.items():
    ax.semilogy(range(len(norms)), norms.numpy(), label=label)
    print(f"{label:28s} 最后一步 / 第 0 步 = {(norms[-1] / norms[0]).item():.2e}")
ax.set_xlabel("time step t")
ax.set_ylabel("||dL / dx_t||  (L = sum of the last output)")
ax.set_title("Gradient reaching each time step from the last one (T = 100)")
ax.legend()
plt.show()

# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-vanishing-test", "locked": true, "points": 1.0, "schema_version": 3, "solution": false, "task": false}
curves = vanishing_demo()
decay = {label: (norms[-1] / norms[0]).item() for label, norms in curves.items()}
rnn_decay, default_decay, open_decay = decay.values()
assert rnn_decay > 1e10, f"RNN 最后一步与第 0 步的梯度范数之比应超过 1e10（梯度消失），实际为 {rnn_decay:.2e}"
assert default_decay > 1e10, f"默认初始化的 LSTM 在 100 步里也应明显衰减（遗忘门约 0.5），比值实际为 {default_decay:.2e}"
assert open_decay < 1e2, f"遗忘门偏置为 3 的 LSTM 梯度应基本保住（比值 < 100），实际为 {open_decay:.2e}（检查 set_forget_bias 与 MyLSTM）"
### BEGIN HIDDEN TESTS
for _seed in (1, 2):
    _curves = vanishing_demo(seed=_seed, steps=80, batch=4, input_size=5, hidden=24, forget_bias=4.0)
    _decay = [(n[-1] / n[0]).item() for n in _curves.values()]
    assert _decay[0] > 1e8 and _decay[2] < 1e2, \
        f"另一个随机种子（{_seed}）与另一组大小下，RNN 与遗忘门偏置为 4 的 LSTM 的衰减比值不对：你的结果为 {_decay[0]:.2e}、{_decay[2]:.2e}"
# The same picture with PyTorch's own modules and the student's two functions.
torch.manual_seed(3)
_x = torch.randn(4, 90, 6, dtype=torch.float64)
_rnn = nn.RNN(6, 20, batch_first=True).double()
_lstm = nn.LSTM(6, 20, batch_first=True).double()
set_forget_bias(_lstm, 3.0)
_r, _l = grad_norms_over_time(_rnn, _x), grad_norms_over_time(_lstm, _x)
assert (_r[-1] / _r[0]).item() > 1e8 and (_l[-1] / _l[0]).item() < 1e2, \
    f"nn.RNN 与遗忘门偏置为 3 的 nn.LSTM 上衰减比值不对：你的结果为 {(_r[-1] / _r[0]).item():.2e}、{(_l[-1] / _l[0]).item():.2e}"
### END HIDDEN TESTS

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-27", "locked": true, "schema_version": 3, "solution": false, "task": false}
# **想一想**：(1) 图里默认初始化的 LSTM 的梯度同样消失了，那 LSTM 比 RNN 好在哪里？(2) GRU 里哪一个门扮演了遗忘门的角色，
# 它取什么值时梯度能原样传回去？(3) 能不能把普通 RNN 的 $W_{hh}$ 初始化成单位矩阵来避免梯度消失？
#
# <details><summary>提示</summary>
#
# (1) 区别在于**能不能学会**保住梯度。LSTM 沿记忆元的雅可比就是 $\operatorname{diag}(f_t)$，只要遗忘门学到接近 1（或一开始就用大的偏置打开），
# 梯度就能跨过几百步；RNN 的雅可比是 $\operatorname{diag}(1-h^2)W_{hh}$，既要 $W_{hh}$ 的放大倍数恰好为 1，又要 $\tanh$ 不饱和，几乎不可能在长序列上一直成立。
# (2) 更新门 $z_t$：$h_t = (1-z_t)\odot n_t + z_t \odot h_{t-1}$，$z_t \to 1$ 时 $h_t \approx h_{t-1}$，梯度沿这条路原样传回。
# (3) 对 $\tanh$ RNN 帮助有限：$\tanh' < 1$ 仍会让梯度衰减，而一旦放大倍数超过 1 又会爆炸。Le 等（2015）的 IRNN 用 ReLU 加单位矩阵初始化，
# 在一些任务上接近 LSTM，但训练更不稳定，离不开下一节的梯度裁剪。
# </details>

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-28", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ## 6. 梯度爆炸与梯度裁剪
#
# 反过来，$W_{hh}$ 的放大倍数大于 1 时，雅可比的连乘可以指数增长：一次 `loss.backward()` 得到的梯度可能是平时的上百万倍，
# 一步更新就把参数推到荒唐的地方，损失变成 `inf` 或 `nan`。最常用的对策是**按全局范数裁剪梯度**（Pascanu 等，2013）：
# 把所有参数的梯度看成一个长向量 $g$，若 $\lVert g\rVert_2$ 超过阈值 `max_norm`，就整体缩放：
#
# $$g \leftarrow g \cdot \min\left(1, \frac{\texttt{max\_norm}}{\lVert g\rVert_2 + 10^{-6}}\right).$$
#
# 方向不变，只限制步长；梯度不大时什么也不做。PyTorch 的 `torch.nn.utils.clip_grad_norm_` 就是这样做的，
# 放在 `loss.backward()` 与 `optimizer.step()` 之间。
#
# ### 练习 10：梯度裁剪（2 分）
#
# 实现 `clip_grad_norm(parameters, max_norm)`，行为与 `torch.nn.utils.clip_grad_norm_(parameters, max_norm)`（2-范数）相同：
#
# - `parameters` 是参数的可迭代对象（列表，或 `model.parameters()` 这样的**生成器**：只能遍历一次，先 `list(...)`）；
# - `.grad` 为 `None` 的参数跳过；总范数 $\lVert g\rVert_2 = \sqrt{\sum_p \lVert p.\text{grad}\rVert_2^2}$；
# - 按上面的公式**原地**缩放每个梯度（`p.grad.mul_(...)`），不要创建新的 `.grad` 张量；
# - 返回**裁剪之前**的总范数（0 维张量或 Python `float` 都可以）；一个梯度都没有时返回 0。
#
# 先心算：两个参数的梯度分别为 `[3, 0]` 和 `[0, 4]`，总范数为 5；`max_norm = 1` 时裁剪后应为 `[0.6, 0]` 和 `[0, 0.8]`，返回 5。

# %% nbgrader={"grade": false, "grade_id": "ex-clip", "locked": false, "schema_version": 3, "solution": true, "task": false}
def clip_grad_norm(parameters, max_norm):
    ### BEGIN SOLUTION
    grads = [p.grad for p in parameters if p.grad is not None]
    if not grads:
        return torch.tensor(0.0)
    with torch.no_grad():
        total = torch.sqrt(sum(g.pow(2).sum() for g in grads))
        scale = torch.clamp(max_norm / (total + 1e-6), max=1.0)
        for g in grads:
            g.mul_(scale)                 # in place: the same .grad tensors, shorter
    return total
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-clip-test", "locked": true, "points": 2.0, "schema_version": 3, "solution": false, "task": false}
a = nn.Parameter(torch.zeros(2))
b = nn.Parameter(torch.zeros(2))
a.grad, b.grad = torch.tensor([3.0, 0.0]), torch.tensor([0.0, 4.0])
grad_a = a.grad
total = clip_grad_norm([a, b], 1.0)
assert isinstance(total, (float, torch.Tensor)) and abs(float(total) - 5.0) < 1e-5, f"应返回裁剪前的总范数 5，实际返回 {total!r}"
assert torch.allclose(a.grad, torch.tensor([0.6, 0.0])) and torch.allclose(b.grad, torch.tensor([0.0, 0.8])), \
    f"max_norm = 1 时梯度应缩放为 [0.6, 0] 和 [0, 0.8]，实际为 {a.grad.tolist()} 和 {b.grad.tolist()}"
assert a.grad is grad_a, "应原地缩放梯度（p.grad.mul_），而不是给 p.grad 赋一个新张量"
total = clip_grad_norm([a, b], 10.0)
assert abs(float(total) - 1.0) < 1e-5 and torch.allclose(a.grad, torch.tensor([0.6, 0.0])), \
    f"总范数 1 不超过 max_norm = 10 时梯度应保持不变、返回 1：实际返回 {float(total):.4f}，梯度 {a.grad.tolist()}"
### BEGIN HIDDEN TESTS
def _two_copies(seed, with_idle):
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(5, 7), nn.Tanh(), nn.Linear(7, 3), nn.Linear(3, 2))
    copy = nn.Sequential(nn.Linear(5, 7), nn.Tanh(), nn.Linear(7, 3), nn.Linear(3, 2))
    copy.load_state_dict(model.state_dict())
    if with_idle:  # a frozen layer: its parameters have no gradient
        for net in (model, copy):
            net[3].requires_grad_(False)
    x = torch.randn(4, 5)
    for net in (model, copy):
        out = net(x)
        (out.pow(2).sum() * 50).backward()
    return model, copy


for _seed, (_max_norm, _idle) in enumerate([(0.5, False), (2.0, True), (1e6, False), (3.0, True)]):
    _mine, _ref = _two_copies(1000 + _seed, _idle)
    _got = clip_grad_norm(_mine.parameters(), _max_norm)  # a generator, as model.parameters() is
    _want = torch.nn.utils.clip_grad_norm_(_ref.parameters(), _max_norm)
    _case = f"第 {_seed + 1} 组（max_norm={_max_norm:g}{'，有的参数没有梯度' if _idle else ''}，传入 model.parameters() 生成器）"
    assert isinstance(_got, (float, torch.Tensor)) and abs(float(_got) - float(_want)) <= 1e-5 * float(_want), \
        f"{_case}：返回的总范数与 clip_grad_norm_ 不符，你的函数返回 {_got!r}"
    for (_name, _p), _q in zip(_mine.named_parameters(), _ref.parameters()):
        if _q.grad is None:
            assert _p.grad is None, f"{_case}：没有梯度的参数 {_name} 不应被赋上梯度"
        else:
            _err = (_p.grad - _q.grad).abs().max().item()
            assert _err <= 1e-6 * max(1.0, _q.grad.abs().max().item()), \
                f"{_case}：参数 {_name} 裁剪后的梯度与 clip_grad_norm_ 最大相差 {_err:.2e}"
_none = nn.Parameter(torch.ones(3))
_got = clip_grad_norm([_none], 1.0)
assert isinstance(_got, (float, torch.Tensor)) and float(_got) == 0.0 and _none.grad is None, \
    f"一个梯度都没有时应返回 0 且什么也不做，你的函数返回 {_got!r}"
### END HIDDEN TESTS

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-30", "locked": true, "schema_version": 3, "solution": false, "task": false}
# 看一看裁剪的效果。下面的 `nn.RNN` 把 $W_{hh}$ 设成 3 倍的随机正交矩阵（放大倍数为 3），在一个玩具任务上（输出序列最后 5 个数之和）
# 用 SGD（学习率 0.05）训练 40 步。不裁剪时，第一步的梯度范数就上万，一步更新就把参数推离了原处，此后梯度越来越大，
# 损失一路涨到 $10^{15}$ 以上；用你的 `clip_grad_norm` 把每步的梯度范数限制为 1，损失就一直停在目标的方差 5 附近
# （这么少的步数谈不上学会了任务，但训练没有崩溃）。注意右图画的是**裁剪之前**的范数：裁剪不会让梯度本身变小，只限制每一步走多远。

# %% deletable=false editable=false nbgrader={"grade": false, "grade_id": "clip-demo", "locked": true, "schema_version": 3, "solution": false, "task": false}
def train_exploding_rnn(max_norm=None, steps=40, seed=0):
    """SGD on a toy sum task with an RNN whose recurrent weights are 3 x orthogonal; returns losses and gradient norms."""
    torch.manual_seed(seed)
    rnn, head = nn.RNN(1, 32, batch_first=True), nn.Linear(32, 1)
    with torch.no_grad():
        rnn.weight_hh_l0.copy_(3.0 * torch.linalg.qr(torch.randn(32, 32))[0])
    params = list(rnn.parameters()) + list(head.parameters())
    optimizer = torch.optim.SGD(params, lr=0.05)
    losses, norms = [], []
    for _ in range(steps):
        x = torch.randn(16, 30, 1)
        loss = F.mse_loss(head(rnn(x)[0][:, -1]), x[:, -5:].sum(1))
        optimizer.zero_grad()
        loss.backward()
        if max_norm is None:
            norm = torch.sqrt(sum(p.grad.pow(2).sum() for p in params))
        else:
            norm = clip_grad_norm(params, max_norm)
        optimizer.step()
        losses.append(loss.item())
        norms.append(float(norm))
    return losses, norms


fig, axes = plt.subplots(1, 2, figsize=(11, 4))
for max_norm, label in ((None, "no clipping"), (1.0, "clip to norm 1")):
    losses, norms = train_exploding_rnn(max_norm)
    axes[0].semilogy(losses, label=label)
    axes[1].semilogy(norms, label=label)
    print(f"{label:15s} 前 5 步的梯度范数 {[f'{n:.1e}' for n in norms[:5]]}，最后的损失 {losses[-1]:.3g}")
axes[0].set(xlabel="SGD step", ylabel="training loss (log scale)", title="Loss: clipping keeps training finite")
axes[1].set(xlabel="SGD step", ylabel="gradient norm before clipping", title="Gradient norm of an RNN with W_hh = 3 x orthogonal")
for ax in axes:
    ax.legend()
plt.tight_layout()
plt.show()

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-31", "locked": true, "schema_version": 3, "solution": false, "task": false}
# **想一想**：(1) 梯度裁剪能缓解梯度**消失**吗？(2) 还有一种裁剪是把每个元素截断到 $[-c, c]$（`clip_grad_value_`），
# 它与按全局范数裁剪相比有什么缺点？(3) 裁剪之后每一步的更新量最大是多少（用学习率和 `max_norm` 表示）？
#
# <details><summary>提示</summary>
#
# (1) 不能：裁剪只会把梯度变小，消失的梯度仍然太小。消失要靠结构（LSTM/GRU 的门、残差连接）和初始化（遗忘门偏置、正交初始化）来解决。
# (2) 逐元素截断会改变梯度的**方向**：大的分量被截平，小的分量不变，更新不再沿最陡下降的方向；按全局范数缩放保持方向，只缩短步长。
# (3) 普通 SGD 下参数向量每一步最多移动 $\text{lr} \times \texttt{max\_norm}$（这里是 $0.05 \times 1 = 0.05$）；带动量或 Adam 时更新量还取决于优化器的状态，
# 但也不会再被一次爆炸的梯度带飞。
# </details>
