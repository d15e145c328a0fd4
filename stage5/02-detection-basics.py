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
# # 阶段五 · 02 目标检测基础：框、IoU、NMS 与 mAP
#
# 图像分类回答“图里是什么”，目标检测还要回答“在哪里”：检测器对每张图输出一组**框**（box），每个框带一个类别和一个分数。
# 训练检测器之前，先要把围绕“框”的几件基本工具弄清楚：框怎样表示、两个框有多重合（IoU）、
# 怎样把一堆重叠的候选框删成一个（NMS）、以及怎样给一个检测器打分（mAP）。这些工具在每个检测框架里都有，
# 本阶段后面训练的检测器也由导师端的评分器用同样的规则评价：按类别做 NMS（IoU 阈值 0.5），再算 VOC 式的 mAP@0.5
# （`west2ai.detection.postprocess` 与 `west2ai.detection.mean_average_precision`）。
#
# 这一节亲手实现它们，并且**逐个与参照实现对齐**：框的换算与 IoU 与 `torchvision.ops` 的结果一致，
# NMS 保留的下标和顺序与 `torchvision.ops.nms` / `batched_nms` 完全相同，AP 与 mAP 与评分器用的
# `west2ai.detection.average_precision` / `mean_average_precision` 相同。
#
# **学习目标**
# - 分清三种框格式 xyxy、xywh、cxcywh，能互相换算，会算面积；
# - 用广播一次算出两组框两两之间的 IoU 矩阵；
# - 写出贪心 NMS，以及按类别的 NMS，理解 YOLO 代码里“给每个类别的框加一个偏移”的技巧；
# - 按 VOC 的规则把检测结果判成 TP / FP，画出 precision–recall 曲线，算出全点插值的 AP 和各类别平均的 mAP。
#
# **评分项**（自动评分 {{points.auto}} 分 + 人工评分 {{points.manual}} 分，共 {{points.total}} 分）
#
# | 评分单元 | 内容 | 分值 |
# |---|---|---|
# | `ex-convert-test` | 练习 1：三种框格式互相换算（与 `torchvision.ops.box_convert` 一致） | 2 |
# | `ex-area-test` | 练习 1：框的面积 | 1 |
# | `ex-iou-cases-test` | 练习 2：IoU 的典型情形（相同、分离、相切、包含、部分重叠） | 1 |
# | `ex-iou-test` | 练习 2：IoU 矩阵（与 `torchvision.ops.box_iou` 一致） | 2 |
# | `ex-nms-test` | 练习 3：NMS（与 `torchvision.ops.nms` 保留相同的下标、相同的顺序） | 3 |
# | `ex-batched-nms-test` | 练习 4：按类别的 NMS（与 `torchvision.ops.batched_nms` 一致） | 2 |
# | `ex-match-test` | 练习 5：把检测结果判成 TP / FP | 2 |
# | `ex-pr-test` | 练习 6：precision 与 recall 序列 | 1 |
# | `ex-ap-test` | 练习 7：AP（VOC 全点插值） | 3 |
# | `ex-map-test` | 练习 8：mAP@0.5 | 3 |
#
# 每个练习都有可见的检查和隐藏测试；隐藏测试会换新的随机框、形状和种子，再与参照实现比较。
# **这些函数必须用张量运算自己写**：隐藏测试调用你的函数时，会临时把 `torchvision.ops` 的 `box_convert`、`box_area`、
# `box_iou`、`nms`、`batched_nms`（连同 `torchvision.ops.boxes` 里的其他函数和底层的 `torch.ops.torchvision.nms`）以及
# `west2ai.detection` 里的参考实现换成一调用就报错的函数——提前 `import` 进来的别名也一样会报错。
# 调用你自己在前面练习里写的函数完全没问题（NMS 用你的 `box_iou`，mAP 用你的 `average_precision`），所以请按顺序完成。
#
# **预计学习时间**：3–4 小时（含阅读[《动手学深度学习》](https://zh.d2l.ai/)“目标检测和边界框”“锚框”两节）。
#
# **CPU 预算**：本节不训练模型；整本 notebook 在 2 核 CPU 上十几秒就能跑完。

# %% deletable=false editable=false nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false, "task": false}
import subprocess
import sys

if "google.colab" in sys.modules:  # Colab: install the course package (it never replaces Colab's torch)
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "{{package_url}}"], check=True)

import math

import matplotlib.pyplot as plt
import numpy as np
import torch
import torchvision
from matplotlib.patches import Rectangle

import west2ai.detection
import west2ai.grading
from west2ai.data import FASHION_MNIST_CLASSES

torch.manual_seed(0)
np.random.seed(0)
device = "cuda" if torch.cuda.is_available() else "cpu"  # everything here is tiny: it all runs on the CPU
print("torch", torch.__version__, "| torchvision", torchvision.__version__, "| device:", device)

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-01", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ## 1. 框的三种写法
#
# 图像坐标的原点在左上角，x 向右、y 向下。一个与坐标轴平行的矩形框用 4 个数表示，常见三种写法：
#
# | 格式 | 4 个数 | 谁在用 |
# |---|---|---|
# | `xyxy` | 左上角 $(x_1, y_1)$、右下角 $(x_2, y_2)$ | torchvision 的检测函数、本课程的画布标注、评分器 |
# | `xywh` | 左上角 $(x_1, y_1)$、宽 $w$、高 $h$ | COCO 的标注文件、matplotlib 的 `Rectangle` |
# | `cxcywh` | 中心 $(c_x, c_y)$、宽 $w$、高 $h$ | YOLO 的网络输出与标签文件、DETR |
#
# 它们之间只差加减和除以 2：$w = x_2 - x_1$，$c_x = (x_1 + x_2)/2$，$x_1 = c_x - w/2$，$y$ 方向同理。
# 例如 xyxy 的 `(10, 20, 30, 60)` 写成 xywh 是 `(10, 20, 20, 40)`，写成 cxcywh 是 `(20, 40, 20, 40)`，面积是 $20 \times 40 = 800$。
#
# 本课程的检测画布（`west2ai.detection.canvases`）把框的 $x_2, y_2$ 记成**不含**的像素边界：一件宽 20 像素、从第 10 列开始的衣服，
# 它的框是 $x_1 = 10$、$x_2 = 30$，宽正好是 $x_2 - x_1 = 20$。（VOC 的老标注把 $x_2$ 记成最后一个**包含**的像素，宽要 $+1$，
# 读别人的代码时留意这一点。）
#
# ### 练习 1：格式换算与面积（3 分）
#
# - `box_convert(boxes, in_fmt, out_fmt)`：`boxes` 是形状 `(..., 4)` 的浮点张量（前面可以有任意多个维度），`in_fmt`、`out_fmt`
#   取 `"xyxy"`、`"xywh"`、`"cxcywh"` 之一；返回同形状的**新**张量（不修改输入），与 `torchvision.ops.box_convert` 一致。
#   两个格式相同时返回一份拷贝；其他格式名抛出 `ValueError`。
# - `box_area(boxes)`：`boxes` 形状 `(..., 4)`、xyxy 格式，返回形状 `(...)` 的面积，与 `torchvision.ops.box_area` 一致。
#
# 提示：先把任何格式都换成 xyxy，再从 xyxy 换成目标格式，只需写 4 个小换算。`x1, y1, x2, y2 = boxes.unbind(-1)` 拆开最后一维，
# `torch.stack([...], dim=-1)` 拼回去。

# %% nbgrader={"grade": false, "grade_id": "ex-boxes", "locked": false, "schema_version": 3, "solution": true, "task": false}
def box_convert(boxes, in_fmt, out_fmt):
    ### BEGIN SOLUTION
    formats = ("xyxy", "xywh", "cxcywh")
    if in_fmt not in formats or out_fmt not in formats:
        raise ValueError(f"不支持的框格式：{in_fmt!r} → {out_fmt!r}，只支持 {formats}")
    if in_fmt == out_fmt:
        return boxes.clone()
    a, b, c, d = boxes.unbind(-1)
    if in_fmt == "xywh":
        x1, y1, x2, y2 = a, b, a + c, b + d
    elif in_fmt == "cxcywh":
        x1, y1, x2, y2 = a - 0.5 * c, b - 0.5 * d, a + 0.5 * c, b + 0.5 * d
    else:
        x1, y1, x2, y2 = a, b, c, d
    if out_fmt == "xywh":
        out = (x1, y1, x2 - x1, y2 - y1)
    elif out_fmt == "cxcywh":
        out = ((x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1)
    else:
        out = (x1, y1, x2, y2)
    return torch.stack(out, dim=-1)
    ### END SOLUTION


def box_area(boxes):
    ### BEGIN SOLUTION
    return (boxes[..., 2] - boxes[..., 0]) * (boxes[..., 3] - boxes[..., 1])
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-convert-test", "locked": true, "points": 2.0, "schema_version": 3, "solution": false, "task": false}
FORMATS = ("xyxy", "xywh", "cxcywh")
example = torch.tensor([[10.0, 20.0, 30.0, 60.0]])
for fmt, want in (("xywh", [10.0, 20.0, 20.0, 40.0]), ("cxcywh", [20.0, 40.0, 20.0, 40.0]), ("xyxy", [10.0, 20.0, 30.0, 60.0])):
    got = box_convert(example, "xyxy", fmt)
    assert isinstance(got, torch.Tensor) and got.shape == (1, 4), \
        f"box_convert 应返回形状 (1, 4) 的张量，实际为 {type(got).__name__} {tuple(getattr(got, 'shape', ()))}"
    assert torch.allclose(got, torch.tensor([want])), f"xyxy (10, 20, 30, 60) 换成 {fmt} 应为 {want}，实际为 {got.tolist()}"
torch.manual_seed(0)
boxes = torch.rand(5, 4) * 50
before = boxes.clone()
for in_fmt in FORMATS:
    for out_fmt in FORMATS:
        got = box_convert(boxes, in_fmt, out_fmt)
        err = (got - torchvision.ops.box_convert(boxes, in_fmt, out_fmt)).abs().max().item()
        assert err <= 1e-4, f"{in_fmt} → {out_fmt}：与 torchvision.ops.box_convert 的最大误差为 {err:.2e}"
assert torch.equal(boxes, before), "box_convert 修改了输入张量（应返回新张量）"
same = box_convert(boxes, "xywh", "xywh")
assert torch.equal(same, boxes) and same is not boxes, "格式相同时应返回一份相等的拷贝，而不是输入本身"
try:
    box_convert(boxes, "yxyx", "xyxy")
    raised = None
except ValueError:
    raised = "ValueError"
except Exception as e:
    raised = type(e).__name__
assert raised == "ValueError", f"不认识的格式 'yxyx' 应抛出 ValueError，实际：{raised or '没有报错'}"
### BEGIN HIDDEN TESTS
_gen = torch.Generator().manual_seed(2024)
for _shape, _dtype in (((7, 4), torch.float32), ((2, 3, 4), torch.float32), ((0, 4), torch.float32), ((6, 4), torch.float64)):
    _boxes = (torch.rand(_shape, generator=_gen, dtype=_dtype) * 90 + 1)
    _copy = _boxes.clone()
    for _in in FORMATS:
        for _out in FORMATS:
            _want = torchvision.ops.box_convert(_boxes, _in, _out)
            with west2ai.grading.references_blocked():
                _got = box_convert(_boxes, _in, _out)
            assert type(_got) is torch.Tensor and _got.shape == _want.shape, \
                f"隐藏测试：{_in} → {_out} 的结果形状不对，你的函数返回 {tuple(getattr(_got, 'shape', ()))}"
            assert _got.dtype == _boxes.dtype, f"隐藏测试：{_in} → {_out} 改变了 dtype（{_boxes.dtype} → {_got.dtype}）"
            _err = (_got - _want).abs().max().item() if _want.numel() else 0.0
            assert _err <= 1e-4, f"隐藏测试：{_in} → {_out} 的最大误差为 {_err:.2e}"
            with west2ai.grading.references_blocked():
                _back = box_convert(_got, _out, _in)
            _err = (_back - _boxes).abs().max().item() if _want.numel() else 0.0
            assert _err <= 1e-4, f"隐藏测试：{_in} → {_out} → {_in} 往返一次后误差为 {_err:.2e}"
    assert torch.equal(_boxes, _copy), "隐藏测试：box_convert 修改了输入张量"
for _bad in (("xyxy", "XYXY"), ("xywhr", "xyxy"), ("cxcywh", "")):
    try:
        with west2ai.grading.references_blocked():
            box_convert(_boxes, *_bad)
        _raised = None
    except ValueError:
        _raised = "ValueError"
    except Exception as _e:
        _raised = type(_e).__name__
    assert _raised == "ValueError", f"格式 {_bad} 应抛出 ValueError，实际：{_raised or '没有报错'}"
### END HIDDEN TESTS

# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-area-test", "locked": true, "points": 1.0, "schema_version": 3, "solution": false, "task": false}
got = box_area(torch.tensor([[10.0, 20.0, 30.0, 60.0], [0.0, 0.0, 1.0, 1.0]]))
assert isinstance(got, torch.Tensor) and got.shape == (2,), \
    f"两个框的面积应是形状 (2,) 的张量，实际为 {type(got).__name__} {tuple(getattr(got, 'shape', ()))}"
assert got.tolist() == [800.0, 1.0], f"(10, 20, 30, 60) 与 (0, 0, 1, 1) 的面积应为 [800, 1]，实际为 {got.tolist()}"
torch.manual_seed(0)
corners = torch.rand(2, 3, 2) * 50
boxes = torch.cat([corners, corners + torch.rand(2, 3, 2) * 30], dim=-1)
got = box_area(boxes)
assert got.shape == (2, 3), f"形状 (2, 3, 4) 的框应得到 (2, 3) 的面积，实际为 {tuple(got.shape)}"
err = (got - torchvision.ops.box_area(boxes)).abs().max().item()
assert err <= 1e-3, f"与 torchvision.ops.box_area 的最大误差为 {err:.2e}"
### BEGIN HIDDEN TESTS
_gen = torch.Generator().manual_seed(77)
for _shape, _dtype in (((9,), torch.float32), ((4, 5), torch.float64), ((0,), torch.float32)):
    _xy = torch.rand(*_shape, 2, generator=_gen, dtype=_dtype) * 60
    _boxes = torch.cat([_xy, _xy + torch.rand(*_shape, 2, generator=_gen, dtype=_dtype) * 25], dim=-1)
    _want = torchvision.ops.box_area(_boxes)
    with west2ai.grading.references_blocked():
        _got = box_area(_boxes)
    assert type(_got) is torch.Tensor and _got.shape == _want.shape, \
        f"隐藏测试：形状 {tuple(_boxes.shape)} 的框，你的函数返回形状 {tuple(getattr(_got, 'shape', ()))}"
    _err = (_got - _want).abs().max().item() if _want.numel() else 0.0
    assert _err <= 1e-3, f"隐藏测试：形状 {tuple(_boxes.shape)} 的框面积最大误差为 {_err:.2e}"
with west2ai.grading.references_blocked():
    _flat = box_area(torch.tensor([[3.0, 4.0, 3.0, 9.0], [2.0, 2.0, 7.0, 2.0]]))
assert _flat.tolist() == [0.0, 0.0], f"宽或高为 0 的框面积应为 0，你的函数返回 {_flat.tolist()}"
### END HIDDEN TESTS

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-02", "locked": true, "schema_version": 3, "solution": false, "task": false}
# 看一看本阶段的检测数据：`west2ai.detection.canvases(split, count)` 在 64×64 的黑底画布上随机摆 1–4 件缩放过的 Fashion-MNIST 衣物，
# 每件的框由它的像素轮廓算出（xyxy，像素坐标），`Canvases.boxes[i]`、`Canvases.labels[i]` 是第 `i` 张画布的框和类别
# （类别名在 `west2ai.data.FASHION_MNIST_CLASSES` 里）。matplotlib 的 `Rectangle` 要的是左上角和宽高，正好用上你的 `box_convert`。

# %%
val = west2ai.detection.canvases("val", 8)  # imshow centres pixel i at i, so a pixel edge is at i - 0.5
fig, axes = plt.subplots(2, 4, figsize=(12, 6.4))
for i, ax in enumerate(axes.flat):
    ax.imshow(val.images[i], cmap="gray")
    for (x, y, w, h), label in zip(box_convert(torch.as_tensor(val.boxes[i]), "xyxy", "xywh").tolist(),
                                   val.labels[i].tolist()):
        ax.add_patch(Rectangle((x - 0.5, y - 0.5), w, h, fill=False, edgecolor="lime", linewidth=1.5))
        ax.text(x, y - 1, FASHION_MNIST_CLASSES[label], color="lime", fontsize=8, va="bottom")
    ax.set_title(f"val canvas {i}: {len(val.labels[i])} objects", fontsize=9)
    ax.axis("off")
fig.suptitle("Detection canvases with their ground-truth boxes (xyxy -> xywh for Rectangle)")
plt.tight_layout()
plt.show()
print("第 0 张画布的框（xyxy）：\n", val.boxes[0], "\n类别：", [FASHION_MNIST_CLASSES[c] for c in val.labels[0]])

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-03", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ## 2. IoU：两个框有多重合
#
# 交并比（Intersection over Union）是两个框交集的面积除以并集的面积：
#
# $$\mathrm{IoU}(A, B) = \frac{|A \cap B|}{|A \cup B|} = \frac{|A \cap B|}{|A| + |B| - |A \cap B|}.$$
#
# 两个与坐标轴平行的框的交集还是一个框：左上角取两者左上角的较大值，右下角取两者右下角的较小值；如果算出来的宽或高是负数，
# 说明两个框不相交，交集面积按 0 算（`clamp(min=0)`）。先心算几个值：
#
# | 情形 | 例子（xyxy） | IoU |
# |---|---|---|
# | 完全相同 | `(0, 0, 10, 10)` 与自己 | 1 |
# | 互不相交 | `(0, 0, 10, 10)` 与 `(20, 20, 30, 30)` | 0 |
# | 只共享一条边（相切） | `(0, 0, 10, 10)` 与 `(10, 0, 20, 10)` | 0（交集宽为 0） |
# | 包含 | `(5, 5, 15, 15)` 在 `(0, 0, 20, 20)` 里面 | 100 / 400 = 0.25 |
# | 错开半个框 | `(0, 0, 10, 10)` 与 `(5, 0, 15, 10)` | 50 / 150 = 1/3 |
#
# 最后一行说明 IoU 比直觉更“严格”：两个同样大的框错开一半，IoU 只有 1/3，还不到检测里常用的阈值 0.5。
#
# ### 练习 2：IoU 矩阵（3 分）
#
# 实现 `box_iou(boxes1, boxes2)`：`boxes1` 形状 `(N, 4)`、`boxes2` 形状 `(M, 4)`，都是 xyxy；返回形状 `(N, M)` 的张量，
# 第 `(i, j)` 个元素是 `boxes1[i]` 与 `boxes2[j]` 的 IoU，与 `torchvision.ops.box_iou` 一致。不要写循环：
# 给两组框各加一个维度（`boxes1[:, None, :]` 与 `boxes2[None, :, :]`），广播出 `(N, M, 2)` 的左上角与右下角。
# 可以假定每个框的宽和高都大于 0；`N` 或 `M` 为 0 时返回形状 `(N, M)` 的空张量（广播会自然做到）。

# %% nbgrader={"grade": false, "grade_id": "ex-iou", "locked": false, "schema_version": 3, "solution": true, "task": false}
def box_iou(boxes1, boxes2):
    ### BEGIN SOLUTION
    lt = torch.maximum(boxes1[:, None, :2], boxes2[None, :, :2])  # (N, M, 2) top-left of the intersection
    rb = torch.minimum(boxes1[:, None, 2:], boxes2[None, :, 2:])  # (N, M, 2) bottom-right
    wh = (rb - lt).clamp(min=0)
    inter = wh[..., 0] * wh[..., 1]
    union = box_area(boxes1)[:, None] + box_area(boxes2)[None, :] - inter
    return inter / union
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-iou-cases-test", "locked": true, "points": 1.0, "schema_version": 3, "solution": false, "task": false}
cases = [  # (name, box a, box b, IoU)
    ("完全相同", [0, 0, 10, 10], [0, 0, 10, 10], 1.0),
    ("互不相交", [0, 0, 10, 10], [20, 20, 30, 30], 0.0),
    ("共享一条边", [0, 0, 10, 10], [10, 0, 20, 10], 0.0),
    ("只共享一个角", [0, 0, 10, 10], [10, 10, 20, 20], 0.0),
    ("包含", [5, 5, 15, 15], [0, 0, 20, 20], 0.25),
    ("错开半个框", [0, 0, 10, 10], [5, 0, 15, 10], 1 / 3),
]
for name, a, b, want in cases:
    got = box_iou(torch.tensor([a], dtype=torch.float32), torch.tensor([b], dtype=torch.float32))
    assert isinstance(got, torch.Tensor) and got.shape == (1, 1), \
        f"{name}：一个框对一个框应返回形状 (1, 1) 的张量，实际为 {type(got).__name__} {tuple(getattr(got, 'shape', ()))}"
    assert abs(got.item() - want) <= 1e-6, f"{name}：{a} 与 {b} 的 IoU 应为 {want:.4f}，实际为 {got.item():.4f}"
### BEGIN HIDDEN TESTS
_cases = [
    ([0, 0, 20, 20], [5, 5, 15, 15], 0.25),        # containing (the other order)
    ([0, 0, 4, 4], [2, 2, 6, 6], 4 / 28),          # overlapping in both directions
    ([0, 4, 12, 8], [4, 0, 8, 12], 16 / 80),       # a cross
    ([3, 3, 9, 9], [9, 3, 15, 9], 0.0),            # touching on the left
    ([3, 3, 9, 9], [3, 9, 9, 15], 0.0),            # touching below
    ([3, 3, 9, 9], [-9, -9, 3, 3], 0.0),           # touching at a corner, negative coordinates
    ([2.5, 1.5, 7.5, 9.5], [2.5, 1.5, 7.5, 9.5], 1.0),
    ([0, 0, 30, 10], [10, 0, 20, 10], 1 / 3),
]
_a = torch.tensor([c[0] for c in _cases], dtype=torch.float32)
_b = torch.tensor([c[1] for c in _cases], dtype=torch.float32)
with west2ai.grading.references_blocked():
    _got = box_iou(_a, _b)
    _got_t = box_iou(_b, _a)
assert type(_got) is torch.Tensor and _got.shape == (len(_cases), len(_cases)), \
    f"隐藏测试：{len(_cases)} 个框对 {len(_cases)} 个框应得到方阵，你的函数返回形状 {tuple(getattr(_got, 'shape', ()))}"
for _k, (_p, _q, _want) in enumerate(_cases):
    assert abs(_got[_k, _k].item() - _want) <= 1e-6, f"隐藏测试：{_p} 与 {_q} 的 IoU 不对，你的函数返回 {_got[_k, _k].item():.4f}"
assert torch.allclose(_got, _got_t.T, atol=1e-6), "隐藏测试：box_iou(a, b) 应等于 box_iou(b, a) 的转置（IoU 是对称的）"
### END HIDDEN TESTS

# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-iou-test", "locked": true, "points": 2.0, "schema_version": 3, "solution": false, "task": false}
def random_boxes(n, generator=None, size=64.0, max_side=30.0, integer=False):
    """n random xyxy boxes inside a size x size canvas, every side at least 1 pixel (integer corners if asked)."""
    xy = torch.rand(n, 2, generator=generator) * (size - max_side)
    wh = 1 + torch.rand(n, 2, generator=generator) * (max_side - 1)
    boxes = torch.cat([xy, xy + wh], dim=1)
    return boxes.round() if integer else boxes


gen = torch.Generator().manual_seed(0)
b1, b2 = random_boxes(5, gen), random_boxes(7, gen)
got = box_iou(b1, b2)
assert isinstance(got, torch.Tensor) and got.shape == (5, 7), \
    f"5 个框对 7 个框应返回 (5, 7)，实际为 {type(got).__name__} {tuple(getattr(got, 'shape', ()))}"
err = (got - torchvision.ops.box_iou(b1, b2)).abs().max().item()
assert err <= 1e-6, f"随机框上与 torchvision.ops.box_iou 的最大误差为 {err:.2e}"
assert torch.allclose(box_iou(b1, b1).diagonal(), torch.ones(5)), "每个框与自己的 IoU 应为 1"
empty = box_iou(torch.zeros(0, 4), b2)
assert isinstance(empty, torch.Tensor) and empty.shape == (0, 7), \
    f"0 个框对 7 个框应返回形状 (0, 7) 的空张量，实际为 {tuple(getattr(empty, 'shape', ()))}"
### BEGIN HIDDEN TESTS
_gen = torch.Generator().manual_seed(31337)
for _k, (_n, _m, _integer, _dtype) in enumerate(((1, 1, False, torch.float32), (13, 4, True, torch.float32),
                                                 (40, 55, False, torch.float32), (9, 0, False, torch.float32),
                                                 (17, 23, False, torch.float64), (60, 60, True, torch.float32))):
    _a = west2ai.grading.random_boxes(_n, _gen, integer=_integer).to(_dtype)
    _b = west2ai.grading.random_boxes(_m, _gen, integer=_integer).to(_dtype)
    _copies = (_a.clone(), _b.clone())
    _want = torchvision.ops.box_iou(_a, _b)
    with west2ai.grading.references_blocked():
        _got = box_iou(_a, _b)
    assert type(_got) is torch.Tensor and _got.shape == _want.shape, \
        f"隐藏测试（第 {_k} 组）：形状不对，你的函数返回 {tuple(getattr(_got, 'shape', ()))}"
    _err = (_got.double() - _want.double()).abs().max().item() if _want.numel() else 0.0
    assert _err <= 1e-6, f"隐藏测试（第 {_k} 组随机框）：与参照的最大误差为 {_err:.2e}"
    assert torch.equal(_a, _copies[0]) and torch.equal(_b, _copies[1]), "隐藏测试：box_iou 修改了输入张量"
### END HIDDEN TESTS

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-04", "locked": true, "schema_version": 3, "solution": false, "task": false}
# **想一想**：(1) 一个 20×20 的框向右平移 5 像素，和原来的框 IoU 是多少？平移多少像素以后 IoU 就低于 0.5 了？
# (2) 换成 10×10 的小框呢？这说明检测小物体时，框的位置要准到什么程度？
#
# <details><summary>提示</summary>
#
# (1) 交集 $15 \times 20 = 300$，并集 $400 + 400 - 300 = 500$，IoU = 0.6。平移 $d$ 像素时交集是 $20(20 - d)$，
# $\mathrm{IoU} < 0.5$ 等价于交集小于并集的一半，即 $20(20 - d) < \frac{800}{3}$，$d > 6.7$：平移 7 像素（框宽的 1/3）就不算检测到了。
# (2) 同样的推导给出 $d > 3.3$：4 个像素就够了。IoU 只看相对的重合程度，小物体允许的绝对误差也小，
# 所以小物体的 AP 通常明显低于大物体（COCO 为此把 AP 按物体大小分成 small / medium / large 分别报告）。
# </details>

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-05", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ## 3. 非极大值抑制（NMS）
#
# 检测器在每个位置、每个尺度都会输出候选框，同一件物体附近往往有一串高度重合的框，分数都不低。
# 非极大值抑制（non-maximum suppression）只留下其中分数最高的那个：
#
# 1. 把框按分数从高到低排序（分数相同的，**下标小的在前**）；
# 2. 取出排在最前面、还没被删掉的框，**保留**它；
# 3. 删掉所有与它的 IoU **大于** `iou_threshold` 的框（等于阈值的不删，与 torchvision 相同）；
# 4. 回到第 2 步，直到没有框剩下。
#
# 返回保留的框的**下标**（int64 张量），按保留的先后顺序排列——也就是分数从高到低。
#
# ### 练习 3：NMS（3 分）
#
# 实现 `nms(boxes, scores, iou_threshold)`：`boxes` 形状 `(N, 4)`、xyxy，`scores` 形状 `(N,)`；返回的下标和顺序与
# `torchvision.ops.nms` 完全相同（分数相同的框按上面的规则：下标小的先处理，这也是 torchvision 在 CPU 上的行为）。
# `N = 0` 时返回空的 int64 张量。不要修改输入。
#
# 提示：用你的 `box_iou(boxes, boxes)` 一次算出 $N \times N$ 的 IoU 矩阵；`torch.sort(scores, descending=True, stable=True)` 给出
# 稳定的降序（`stable=True` 才保证分数相同的框保持原来的先后）；然后用一个布尔张量 `suppressed` 记录谁已被删，Python 循环
# 最多走 $N$ 步。

# %% nbgrader={"grade": false, "grade_id": "ex-nms", "locked": false, "schema_version": 3, "solution": true, "task": false}
def nms(boxes, scores, iou_threshold):
    ### BEGIN SOLUTION
    order = torch.sort(scores, descending=True, stable=True).indices
    iou = box_iou(boxes, boxes)
    suppressed = torch.zeros(len(scores), dtype=torch.bool, device=scores.device)
    keep = []
    for i in order.tolist():
        if suppressed[i]:
            continue
        keep.append(i)
        suppressed |= iou[i] > iou_threshold
    return torch.tensor(keep, dtype=torch.int64, device=scores.device)
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-nms-test", "locked": true, "points": 3.0, "schema_version": 3, "solution": false, "task": false}
boxes = torch.tensor([[0, 0, 10, 10], [1, 0, 11, 10], [20, 20, 30, 30], [0, 0, 10, 5]], dtype=torch.float32)
scores = torch.tensor([0.9, 0.8, 0.7, 0.95])
# box 3 (0.95) first; box 0 overlaps it with IoU exactly 0.5 (not > 0.5): kept; box 1 overlaps box 0 with IoU 0.82: removed
got = nms(boxes, scores, 0.5)
assert isinstance(got, torch.Tensor) and got.dtype == torch.int64, \
    f"nms 应返回 int64 的下标张量，实际为 {type(got).__name__} {getattr(got, 'dtype', '')}"
assert got.tolist() == [3, 0, 2], \
    f"阈值 0.5 时应保留 [3, 0, 2]（IoU 恰好等于阈值的不删；按分数从高到低排列），实际为 {got.tolist()}"
got = nms(boxes, scores, 0.4)
assert got.tolist() == [3, 2], f"阈值 0.4 时应保留 [3, 2]，实际为 {got.tolist()}"
same = torch.tensor([[0, 0, 10, 10]] * 3, dtype=torch.float32)
got = nms(same, torch.tensor([0.5, 0.9, 0.9]), 0.5)
assert got.tolist() == [1], f"三个相同的框、分数 [0.5, 0.9, 0.9]：分数相同时下标小的优先，应保留 [1]，实际为 {got.tolist()}"
got = nms(torch.zeros(0, 4), torch.zeros(0), 0.5)
assert isinstance(got, torch.Tensor) and got.shape == (0,) and got.dtype == torch.int64, \
    f"没有框时应返回空的 int64 张量，实际为 {got!r}"
gen = torch.Generator().manual_seed(1)
boxes = random_boxes(80, gen)
scores = torch.rand(80, generator=gen)
got, want = nms(boxes, scores, 0.5), torchvision.ops.nms(boxes, scores, 0.5)
assert torch.equal(got, want), \
    f"80 个随机框上与 torchvision.ops.nms 不一致：应保留 {len(want)} 个、前几个为 {want[:6].tolist()}，你的是 {got[:6].tolist()}（共 {len(got)} 个）"
### BEGIN HIDDEN TESTS
_gen = torch.Generator().manual_seed(4242)
for _k, (_n, _threshold, _integer, _ties) in enumerate(((1, 0.5, False, False), (57, 0.25, True, False),
                                                      (300, 0.5, False, False), (200, 0.75, True, False),
                                                      (150, 0.375, True, True), (400, 0.5, True, True))):
    _boxes = west2ai.grading.random_boxes(_n, _gen, integer=_integer)
    _scores = (torch.randint(0, 4, (_n,), generator=_gen).float() if _ties
               else torch.randperm(_n, generator=_gen).float() / _n)  # distinct scores unless ties are tested
    _copies = (_boxes.clone(), _scores.clone())
    _want = torchvision.ops.nms(_boxes, _scores, _threshold)
    with west2ai.grading.references_blocked():
        _got = nms(_boxes, _scores, _threshold)
    assert type(_got) is torch.Tensor and _got.dtype == torch.int64, \
        f"隐藏测试第 {_k} 组：应返回 int64 张量，你的函数返回 {type(_got).__name__} {getattr(_got, 'dtype', '')}"
    assert torch.equal(_got, _want), (f"隐藏测试第 {_k} 组{'（有分数相同的框）' if _ties else ''}：保留的下标或顺序不对，"
                                      f"你的函数保留了 {len(_got)} 个，前几个为 {_got[:5].tolist()}")
    assert torch.equal(_boxes, _copies[0]) and torch.equal(_scores, _copies[1]), f"隐藏测试第 {_k} 组：nms 修改了输入"
_boxes = west2ai.grading.random_boxes(30, _gen).double()
_scores = torch.rand(30, generator=_gen, dtype=torch.float64)
_want = torchvision.ops.nms(_boxes, _scores, 0.5)
with west2ai.grading.references_blocked():
    _got = nms(_boxes, _scores, 0.5)
assert torch.equal(_got, _want), f"隐藏测试（float64 的框）：你的函数保留了 {_got.tolist()}"
### END HIDDEN TESTS

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-06", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 按类别的 NMS 与“类别偏移”技巧
#
# 一件衬衫和紧挨着它的一只包，两个框可能重合得很厉害，但它们是不同的物体：NMS 只应在**同一类别**的框之间做。
# 最直接的写法是按类别循环，每个类别单独调一次 `nms`，最后把所有保留的框按分数重新排序。
#
# 真实的代码常用一个更巧的办法：给第 $c$ 类的每个框的 4 个坐标都加上同一个偏移 $c \cdot D$，$D$ 比任何坐标都大，
# 于是不同类别的框被平移到画面上互不相交的区域，IoU 都是 0；然后对所有框**只调用一次** `nms`。
# `torchvision.ops.batched_nms` 在框不多时就这样做（`_batched_nms_coordinate_trick`，取 $D$ = 最大坐标 + 1）；
# YOLOv5 的 `non_max_suppression` 里是这几行（`max_wh = 7680` 是它允许的最大图像边长）：
#
# ```python
# c = x[:, 5:6] * (0 if agnostic else max_wh)  # classes
# boxes, scores = x[:, :4] + c, x[:, 4]        # boxes (offset by class), scores
# i = torchvision.ops.nms(boxes, scores, iou_thres)  # NMS
# ```
#
# 一次大的 NMS 比十次小的 NMS 快（尤其在 GPU 上，省掉了循环和多次启动计算），`agnostic=True` 时偏移为 0，就成了不分类别的 NMS。
#
# ### 练习 4：按类别的 NMS（2 分）
#
# 实现 `batched_nms(boxes, scores, idxs, iou_threshold)`：`idxs` 形状 `(N,)`，是每个框的类别（非负整数）；只在类别相同的框之间做 NMS，
# 返回保留的下标，按分数从高到低排列（分数相同时下标小的在前），与 `torchvision.ops.batched_nms` 一致。用你的 `nms`，
# 偏移技巧或按类别循环都可以（循环的话，最后要稳定地按分数重新排序）。`N = 0` 时返回空的 int64 张量。可以假定坐标都不小于 0。

# %% nbgrader={"grade": false, "grade_id": "ex-batched-nms", "locked": false, "schema_version": 3, "solution": true, "task": false}
def batched_nms(boxes, scores, idxs, iou_threshold):
    ### BEGIN SOLUTION
    if len(boxes) == 0:
        return torch.zeros(0, dtype=torch.int64, device=boxes.device)
    offsets = idxs.to(boxes.dtype) * (boxes.max() + 1)  # each class moved to its own region: no IoU across classes
    return nms(boxes + offsets[:, None], scores, iou_threshold)
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-batched-nms-test", "locked": true, "points": 2.0, "schema_version": 3, "solution": false, "task": false}
twin = torch.tensor([[0, 0, 10, 10], [0, 0, 10, 10], [1, 0, 11, 10]], dtype=torch.float32)
got = batched_nms(twin, torch.tensor([0.6, 0.9, 0.8]), torch.tensor([0, 1, 0]), 0.5)
assert isinstance(got, torch.Tensor) and got.dtype == torch.int64, \
    f"batched_nms 应返回 int64 的下标张量，实际为 {type(got).__name__} {getattr(got, 'dtype', '')}"
assert got.tolist() == [1, 2], \
    f"类别 [0, 1, 0]、分数 [0.6, 0.9, 0.8]：框 1 是另一类，应保留；框 0 被同类的框 2 抑制，应返回 [1, 2]，实际为 {got.tolist()}"
got = batched_nms(twin, torch.tensor([0.6, 0.9, 0.8]), torch.tensor([0, 0, 0]), 0.5)
assert got.tolist() == [1], f"三个框同一类别时就是普通 NMS，应返回 [1]，实际为 {got.tolist()}"
got = batched_nms(torch.zeros(0, 4), torch.zeros(0), torch.zeros(0, dtype=torch.int64), 0.5)
assert isinstance(got, torch.Tensor) and got.shape == (0,) and got.dtype == torch.int64, f"没有框时应返回空的 int64 张量，实际为 {got!r}"
gen = torch.Generator().manual_seed(2)
boxes, scores, idxs = random_boxes(120, gen), torch.rand(120, generator=gen), torch.randint(0, 4, (120,), generator=gen)
got, want = batched_nms(boxes, scores, idxs, 0.5), torchvision.ops.batched_nms(boxes, scores, idxs, 0.5)
assert torch.equal(got, want), \
    f"120 个随机框、4 个类别：与 torchvision.ops.batched_nms 不一致，应保留 {len(want)} 个，你的函数保留 {len(got)} 个"
### BEGIN HIDDEN TESTS
_gen = torch.Generator().manual_seed(8080)
for _k, (_n, _classes, _threshold, _integer, _ties) in enumerate(((1, 3, 0.5, False, False), (90, 10, 0.5, True, False),
                                                                 (700, 10, 0.5, False, False), (250, 80, 0.25, True, False),
                                                                 (300, 3, 0.75, True, True), (500, 10, 0.5, True, True))):
    _boxes = west2ai.grading.random_boxes(_n, _gen, integer=_integer)
    _scores = (torch.randint(0, 5, (_n,), generator=_gen).float() / 4 if _ties
               else torch.randperm(_n, generator=_gen).float() / _n)
    _idxs = torch.randint(0, _classes, (_n,), generator=_gen)
    _copies = (_boxes.clone(), _scores.clone(), _idxs.clone())
    _want = torchvision.ops.batched_nms(_boxes, _scores, _idxs, _threshold)
    with west2ai.grading.references_blocked():
        _got = batched_nms(_boxes, _scores, _idxs, _threshold)
    assert type(_got) is torch.Tensor and _got.dtype == torch.int64, \
        f"隐藏测试第 {_k} 组：应返回 int64 张量，你的函数返回 {type(_got).__name__} {getattr(_got, 'dtype', '')}"
    assert torch.equal(_got, _want), (f"隐藏测试第 {_k} 组{'（有分数相同的框）' if _ties else ''}：保留的下标或顺序不对，"
                                      f"你的函数保留了 {len(_got)} 个，前几个为 {_got[:5].tolist()}")
    assert all(torch.equal(_x, _y) for _x, _y in zip(_copies, (_boxes, _scores, _idxs))), \
        f"隐藏测试第 {_k} 组：batched_nms 修改了输入"
### END HIDDEN TESTS

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-07", "locked": true, "schema_version": 3, "solution": false, "task": false}
# 看看 NMS 的效果。下面的 `simulated_detector` 扮演一个还不错的检测器：在每个真实框周围撒几个抖动过的候选框，
# 抖得越厉害分数越低，少数候选框的类别是错的，背景上还有几个零星的误检。左图是全部候选框，右图是按类别 NMS（阈值 0.5）之后
# 留下的框：同一件衣物、同一类别的一串框只剩分数最高的那个（绿色：分数 ≥ 0.5；橙色：更低）。留下来的还有类别错了的候选框
# （它和正确的框不是同一类，不会互相抑制）、抖得太厉害以致与最好的框 IoU 不到 0.5 的框，以及背景上的误检——它们大多分数很低，
# 在 mAP 里是排在末尾的 FP（第 4 节会看到这样扣分不多）。

# %%
def simulated_detector(data, seed=0, per_object=6, false_per_image=1):
    """A stand-in for a detector's raw output on `data` (a west2ai.detection.Canvases): per image, jittered
    candidates around every ground-truth box (more jitter, lower score; 10% with a wrong class) and a few
    boxes on the background. Returns a list of dicts of tensors: boxes (K, 4) xyxy, scores (K,), labels (K,)."""
    gen = torch.Generator().manual_seed(seed)
    out = []
    for gt_boxes, gt_labels in zip(data.boxes, data.labels):
        boxes, scores, labels = [], [], []
        for box, label in zip(torch.as_tensor(gt_boxes), gt_labels.tolist()):
            side = float((box[2:] - box[:2]).max())
            for _ in range(per_object):
                jitter = torch.randn(4, generator=gen) * 0.08 * side
                boxes.append((box + jitter).round())
                quality = float(jitter.abs().mean()) / side  # 0 = perfect
                scores.append(float(torch.sigmoid(torch.tensor(4.0 - 50 * quality) + 0.7 * torch.randn(1, generator=gen))))
                wrong = float(torch.rand(1, generator=gen)) < 0.1
                labels.append(int(torch.randint(0, 10, (1,), generator=gen)) if wrong else label)
        for _ in range(false_per_image):
            corner = torch.randint(0, 40, (2,), generator=gen).float()
            boxes.append(torch.cat([corner, corner + torch.randint(10, 25, (2,), generator=gen).float()]))
            scores.append(0.5 * float(torch.rand(1, generator=gen)))
            labels.append(int(torch.randint(0, 10, (1,), generator=gen)))
        boxes = torch.stack(boxes)
        boxes[:, 2:] = torch.maximum(boxes[:, 2:], boxes[:, :2] + 1)  # every side at least one pixel
        out.append({"boxes": boxes, "scores": torch.tensor(scores), "labels": torch.tensor(labels, dtype=torch.int64)})
    return out


raw = simulated_detector(val)
fig, axes = plt.subplots(1, 2, figsize=(10, 5))
for ax, title, shown in ((axes[0], "all candidates", None), (axes[1], "after class-wise NMS (IoU 0.5)", "nms")):
    det = raw[0]
    keep = batched_nms(det["boxes"], det["scores"], det["labels"], 0.5) if shown else torch.arange(len(det["scores"]))
    ax.imshow(val.images[0], cmap="gray")
    for (x, y, w, h), s, c in zip(box_convert(det["boxes"][keep], "xyxy", "xywh").tolist(),
                                  det["scores"][keep].tolist(), det["labels"][keep].tolist()):
        colour = "lime" if s >= 0.5 else "orange"
        ax.add_patch(Rectangle((x - 0.5, y - 0.5), w, h, fill=False, edgecolor=colour, linewidth=1))
        if shown and s >= 0.3:
            ax.text(x, y - 1, f"{FASHION_MNIST_CLASSES[c]} {s:.2f}", color=colour, fontsize=8, va="bottom")
    ax.set_title(f"{title}: {len(keep)} boxes")
    ax.axis("off")
plt.tight_layout()
plt.show()

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-08", "locked": true, "schema_version": 3, "solution": false, "task": false}
# **想一想**：(1) torchvision 的偏移取 $D$ = 所有框的最大坐标 + 1。如果有的框超出了图像的左上角（坐标是负数），这个偏移还能保证
# 不同类别的框互不相交吗？举一个反例，并说说怎样改。(2) NMS 的阈值调到 0.3 或 0.8，分别会出什么问题？
# 想想两件同类的衣服靠得很近时。
#
# <details><summary>提示</summary>
#
# (1) 不能。第 $c$ 类的框平移后落在 $[m + cD,\ M + cD]$（$m$、$M$ 是最小、最大坐标），相邻两类不重叠要求 $m + (c+1)D \ge M + cD$，
# 即 $m \ge M - D = -1$。反例：两个相同的框 `(-10, -10, -2, -2)`，类别 0 和 1：$D = -2 + 1 = -1$，类别 1 的框平移成
# `(-11, -11, -3, -3)`，和类别 0 的框 IoU ≈ 0.62，会被当成同一类抑制掉。改法：用 $D = M - m + 1$（坐标范围加 1），
# 或者像 YOLOv5 那样用一个比任何图像都大的常数并先把框裁剪到图像内；torchvision 的文档要求 $0 \le x_1 < x_2$，正是这个前提。
# (2) 阈值太低（0.3）：靠得很近的两件同类衣服，框的 IoU 超过 0.3 就只剩一个，漏检（recall 下降）；阈值太高（0.8）：
# 同一件衣服的两个抖动候选框 IoU 常在 0.5–0.8 之间，会同时留下，多出来的那个算误检（precision 下降）。
# 0.45–0.6 是常见的折中；拥挤场景有 Soft-NMS 等改进。
# </details>

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-09", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ## 4. 给检测器打分：precision、recall、AP 与 mAP
#
# 分类模型只要数对了多少张图；检测器的输出是一串带分数的框，要先判断每个框**对不对**。PASCAL VOC 的规则（评分器也用它）是：
# 对一个类别、一张图，
#
# 1. 把这张图里这个类别的检测框按分数**从高到低**逐个处理（分数相同时下标小的先处理）；
# 2. 对当前的检测框，找出与它 IoU 最大的那个真实框（IoU 相同时取下标小的）；
# 3. 如果这个 IoU **≥ 0.5**，并且这个真实框还没被更早的检测框“认领”，就是 **TP**（true positive），真实框从此被认领
#    （VOC 官方 MATLAB 工具包 `VOCevaldet.m` 写的是 `ovmax>=VOCopts.minoverlap`；不少 Python 移植，例如 py-faster-rcnn 的
#    `voc_eval.py`，写成了 `ovmax > ovthresh`，IoU 恰好 0.5 时结论相反）；
# 4. 否则是 **FP**（false positive）：框得不准（IoU < 0.5）、图里根本没有这类物体，或者 IoU 最大的那个真实框已经被认领了——
#    同一件物体的第二个框（**重复检测**）算误检，这正是 NMS 要删掉它们的原因。注意第 4 步只看 IoU **最大**的那个真实框：
#    即使另一个没被认领的真实框的 IoU 也超过 0.5，这个检测框仍是 FP（VOC 的做法）。
#
# ### 练习 5：把检测结果判成 TP / FP（2 分）
#
# 实现 `match_detections(det_boxes, det_scores, gt_boxes, iou_threshold=0.5)`：一张图、一个类别的检测框 `det_boxes` `(n, 4)`、
# 分数 `det_scores` `(n,)`，真实框 `gt_boxes` `(m, 4)`，都是 xyxy。返回形状 `(n,)` 的布尔张量，**按检测框原来的顺序**，
# 第 `i` 个为 True 表示 `det_boxes[i]` 是 TP。没有真实框时全是 False；没有检测框时返回空的布尔张量。
#
# 提示：用你的 `box_iou` 算出 `(n, m)` 的矩阵，`argmax(dim=1)` 给出每个检测框 IoU 最大的真实框（并列时取第一个）；
# 再按稳定的降序逐个处理检测框，用一个长度为 `m` 的布尔张量记录哪些真实框已被认领。

# %% nbgrader={"grade": false, "grade_id": "ex-match", "locked": false, "schema_version": 3, "solution": true, "task": false}
def match_detections(det_boxes, det_scores, gt_boxes, iou_threshold=0.5):
    ### BEGIN SOLUTION
    is_tp = torch.zeros(len(det_boxes), dtype=torch.bool)
    if len(det_boxes) == 0 or len(gt_boxes) == 0:
        return is_tp
    iou = box_iou(det_boxes, gt_boxes)
    best = iou.argmax(dim=1)
    taken = torch.zeros(len(gt_boxes), dtype=torch.bool)
    for i in torch.sort(det_scores, descending=True, stable=True).indices.tolist():
        j = int(best[i])
        if iou[i, j] >= iou_threshold and not taken[j]:
            taken[j] = is_tp[i] = True
    return is_tp
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-match-test", "locked": true, "points": 2.0, "schema_version": 3, "solution": false, "task": false}
def as_boxes(rows):
    return torch.tensor(rows, dtype=torch.float32).reshape(-1, 4)


gt = as_boxes([[0, 0, 10, 10], [20, 0, 30, 10]])
dets = as_boxes([[0, 0, 10, 10], [1, 0, 11, 10], [20, 0, 30, 5], [40, 40, 50, 50], [0, 0, 10, 10]])
scores = torch.tensor([0.6, 0.9, 0.8, 0.7, 0.6])
# 0.9 takes gt 0 (IoU 0.82); 0.8 takes gt 1 (IoU exactly 0.5); 0.7 overlaps nothing; both 0.6 boxes find gt 0 taken
got = match_detections(dets, scores, gt)
assert isinstance(got, torch.Tensor) and got.dtype == torch.bool and got.shape == (5,), \
    f"应返回形状 (5,) 的布尔张量，实际为 {type(got).__name__} {getattr(got, 'dtype', '')} {tuple(getattr(got, 'shape', ()))}"
want = [False, True, True, False, False]
assert got.tolist() == want, f"应为 {want}（按检测框原来的顺序；IoU 恰好 0.5 算匹配；重复检测是 FP），实际为 {got.tolist()}"
got = match_detections(as_boxes([[0, 0, 10, 9], [0, 0, 10, 10]]), torch.tensor([0.5, 0.5]), as_boxes([[0, 0, 10, 10]]))
assert got.tolist() == [True, False], \
    f"两个分数相同的检测框抢同一个真实框：下标小的先处理、先认领，应为 [True, False]，实际为 {got.tolist()}"
got = match_detections(as_boxes([[1, 0, 11, 10], [1, 0, 11, 10]]), torch.tensor([0.9, 0.8]), as_boxes([[0, 0, 10, 10], [3, 0, 13, 10]]))
assert got.tolist() == [True, False], \
    f"第二个检测框 IoU 最大的真实框 0 已被认领：即使真实框 1 的 IoU 也有 0.67，它仍是 FP，应为 [True, False]，实际为 {got.tolist()}"
got = match_detections(dets, scores, as_boxes([]))
assert got.tolist() == [False] * 5, f"没有真实框时所有检测框都是 FP，实际为 {got.tolist()}"
got = match_detections(as_boxes([]), torch.zeros(0), gt)
assert isinstance(got, torch.Tensor) and got.shape == (0,) and got.dtype == torch.bool, f"没有检测框时应返回空的布尔张量，实际为 {got!r}"
### BEGIN HIDDEN TESTS
def _oracle_match(det_boxes, det_scores, gt_boxes, threshold):
    hits = [False] * len(det_boxes)
    if len(det_boxes) and len(gt_boxes):
        iou = torchvision.ops.box_iou(det_boxes.double(), gt_boxes.double())
        taken = [False] * len(gt_boxes)
        for i in torch.sort(det_scores.double(), descending=True, stable=True).indices.tolist():
            j = int(iou[i].argmax())
            if iou[i, j] >= threshold and not taken[j]:
                taken[j] = hits[i] = True
    return hits


_gen = torch.Generator().manual_seed(5150)
for _k in range(40):
    _m = int(torch.randint(0, 6, (1,), generator=_gen))
    _gt = west2ai.grading.random_boxes(_m, _gen, integer=True)
    _count = int(torch.randint(0, 3 * _m + 1, (1,), generator=_gen))
    _copies = torch.randint(0, max(_m, 1), (_count,), generator=_gen)  # several detections of some objects
    _dets = torch.cat([_gt[_copies] + torch.randint(-4, 5, (_count, 4), generator=_gen).float(),
                       west2ai.grading.random_boxes(int(torch.randint(0, 4, (1,), generator=_gen)), _gen, integer=True)])
    _dets[:, 2:] = torch.maximum(_dets[:, 2:], _dets[:, :2] + 1)
    _scores = torch.randint(0, 6, (len(_dets),), generator=_gen).float() / 5  # many ties
    _threshold = (0.5, 0.5, 0.75, 0.25)[_k % 4]
    _want = _oracle_match(_dets, _scores, _gt, _threshold)
    with west2ai.grading.references_blocked():
        _got = match_detections(_dets, _scores, _gt, _threshold)
    assert type(_got) is torch.Tensor and _got.dtype == torch.bool and _got.shape == (len(_dets),), \
        f"隐藏测试第 {_k} 组：应返回形状 ({len(_dets)},) 的布尔张量，你的函数返回 {getattr(_got, 'dtype', type(_got).__name__)}"
    assert _got.tolist() == _want, \
        f"隐藏测试第 {_k} 组（{len(_dets)} 个检测框、{_m} 个真实框、阈值 {_threshold}）：你的函数返回 {_got.tolist()}"
### END HIDDEN TESTS

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-10", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### precision 与 recall
#
# 把一个类别在**所有图**里的检测框合在一起，按分数从高到低排好（分数相同时保持原来的顺序），设一共有 $n_\text{truth}$ 个真实框。
# 只看前 $k$ 个检测框时，设其中 $\mathrm{TP}_k$ 个是 TP：
#
# $$\text{precision}_k = \frac{\mathrm{TP}_k}{k}\ \ (\text{检出的框里有多少是对的}),\qquad
# \text{recall}_k = \frac{\mathrm{TP}_k}{n_\text{truth}}\ \ (\text{真实物体有多少被找到了}).$$
#
# 例如分数 `[0.9, 0.8, 0.7, 0.6, 0.5]`、TP 标记 `[1, 0, 1, 1, 0]`、$n_\text{truth} = 4$：precision 为
# `[1, 0.5, 0.667, 0.75, 0.6]`，recall 为 `[0.25, 0.25, 0.5, 0.75, 0.75]`。把分数阈值从高往低放，每放进一个框就得到曲线上的一个点，
# 这就是 precision–recall（PR）曲线。
#
# ### 练习 6：precision 与 recall 序列（1 分）
#
# 实现 `precision_recall(scores, is_tp, n_truth)`：`scores` `(n,)`、布尔张量 `is_tp` `(n,)`（顺序任意），`n_truth` 是正整数；
# 先按分数稳定降序排列，返回 `(precision, recall)`，两个形状 `(n,)` 的浮点张量（建议 float64）。`torch.cumsum` 会有用。

# %% nbgrader={"grade": false, "grade_id": "ex-pr", "locked": false, "schema_version": 3, "solution": true, "task": false}
def precision_recall(scores, is_tp, n_truth):
    ### BEGIN SOLUTION
    order = torch.sort(scores, descending=True, stable=True).indices
    cum_tp = is_tp[order].to(torch.float64).cumsum(0)
    ranks = torch.arange(1, len(order) + 1, dtype=torch.float64)
    return cum_tp / ranks, cum_tp / n_truth
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-pr-test", "locked": true, "points": 1.0, "schema_version": 3, "solution": false, "task": false}
res = precision_recall(torch.tensor([0.9, 0.8, 0.7, 0.6, 0.5]), torch.tensor([True, False, True, True, False]), 4)
assert isinstance(res, tuple) and len(res) == 2, f"应返回 (precision, recall) 二元组，实际返回 {type(res).__name__}"
precision, recall = res
assert torch.allclose(precision.double(), torch.tensor([1, 0.5, 2 / 3, 0.75, 0.6], dtype=torch.float64), atol=1e-6), \
    f"precision 应为 [1, 0.5, 0.667, 0.75, 0.6]，实际为 {[round(v, 3) for v in precision.tolist()]}"
assert torch.allclose(recall.double(), torch.tensor([0.25, 0.25, 0.5, 0.75, 0.75], dtype=torch.float64), atol=1e-6), \
    f"recall 应为 [0.25, 0.25, 0.5, 0.75, 0.75]，实际为 {[round(v, 3) for v in recall.tolist()]}"
precision, recall = precision_recall(torch.tensor([0.6, 0.9, 0.5, 0.8, 0.7]), torch.tensor([True, True, False, False, True]), 4)
assert torch.allclose(precision.double(), torch.tensor([1, 0.5, 2 / 3, 0.75, 0.6], dtype=torch.float64), atol=1e-6), \
    f"打乱顺序的同一组检测应先按分数降序排列，precision 应为 [1, 0.5, 0.667, 0.75, 0.6]，实际为 {[round(v, 3) for v in precision.tolist()]}"
precision, recall = precision_recall(torch.tensor([0.5, 0.5]), torch.tensor([False, True]), 1)
assert precision.tolist() == [0.0, 0.5], f"分数相同时保持原来的顺序：precision 应为 [0, 0.5]，实际为 {precision.tolist()}"
### BEGIN HIDDEN TESTS
_gen = torch.Generator().manual_seed(6174)
for _n in (1, 7, 60, 333):
    _scores = torch.randint(0, 8, (_n,), generator=_gen).float() / 7
    _tp = torch.rand(_n, generator=_gen) < 0.6
    _n_truth = int(_tp.sum()) + int(torch.randint(1, 4, (1,), generator=_gen))
    _order = np.argsort(-_scores.numpy(), kind="stable")
    _cum = np.cumsum(_tp.numpy()[_order])
    with west2ai.grading.references_blocked():
        _got = precision_recall(_scores, _tp, _n_truth)
    assert isinstance(_got, tuple) and len(_got) == 2, f"隐藏测试（{_n} 个检测框）：应返回二元组，你的函数返回 {type(_got).__name__}"
    _p, _r = (np.asarray(_x.detach().double()) for _x in _got)
    assert _p.shape == (_n,) and _r.shape == (_n,), f"隐藏测试（{_n} 个检测框）：形状应为 ({_n},)，你的函数返回 {_p.shape} 和 {_r.shape}"
    _err = max(np.abs(_p - _cum / np.arange(1, _n + 1)).max(), np.abs(_r - _cum / _n_truth).max())
    assert _err <= 1e-6, f"隐藏测试（{_n} 个检测框，有分数相同的）：precision / recall 的最大误差为 {_err:.2e}"
### END HIDDEN TESTS

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-11", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### AP：PR 曲线下的面积（VOC 全点插值）
#
# PR 曲线是锯齿形的：每多一个 FP，precision 就往下掉一点。VOC（2010 年起）先把曲线“抹平”成它的**包络**：
# 在每个 recall 处，取它**右边**（recall 更大处）能达到的最高 precision，
#
# $$p_\text{interp}(r) = \max_{r' \ge r} p(r'),$$
#
# 再算包络下的面积。包络是阶梯形的，面积就是每一步 recall 的增量乘以那一点的包络高度：
#
# $$\mathrm{AP} = \sum_{k=1}^{n} (r_k - r_{k-1})\, p_\text{interp}(r_k),\qquad r_0 = 0.$$
#
# recall 没有增加的点（FP）增量为 0，不贡献面积；recall 最终达不到 1 时，缺的那一段面积为 0（漏检的物体直接扣分）。
# 上面的例子：包络在 recall 0.25 处是 1，在 0.5 和 0.75 处都是 0.75（后面的 0.75 把 0.5 处的 0.667 抬高了），
# 所以 $\mathrm{AP} = 0.25 \times 1 + 0.25 \times 0.75 + 0.25 \times 0.75 = 0.625$。
#
# ### 练习 7：AP（3 分）
#
# 实现 `average_precision(scores, is_tp, n_truth)`，返回 Python float，与评分器的 `west2ai.detection.average_precision`
# 一致（读一读它的源码：`import inspect; print(inspect.getsource(west2ai.detection.average_precision))`，它在两头各加了一个哨兵点，
# 结果与上面的公式相同）。用你的 `precision_recall`；包络可以用 `torch.flip` 与 `torch.cummax` 一行算出（从右往左的累计最大值）。
# 没有任何检测框时 AP 为 0。

# %% nbgrader={"grade": false, "grade_id": "ex-ap", "locked": false, "schema_version": 3, "solution": true, "task": false}
def average_precision(scores, is_tp, n_truth):
    ### BEGIN SOLUTION
    precision, recall = precision_recall(scores, is_tp, n_truth)
    envelope = precision.flip(0).cummax(0).values.flip(0)  # best precision at this recall or beyond
    gains = torch.diff(recall, prepend=recall.new_zeros(1))
    return float((gains * envelope).sum())
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-ap-test", "locked": true, "points": 3.0, "schema_version": 3, "solution": false, "task": false}
ap = average_precision(torch.tensor([0.9, 0.8, 0.7, 0.6, 0.5]), torch.tensor([True, False, True, True, False]), 4)
assert isinstance(ap, float), f"average_precision 应返回 Python float，实际为 {type(ap).__name__}"
assert abs(ap - 0.625) <= 1e-6, f"上面例子的 AP 应为 0.625，实际为 {ap:.4f}（包络取的是右边的最大 precision 吗？）"
ap = average_precision(torch.tensor([0.9, 0.8]), torch.tensor([True, True]), 2)
assert abs(ap - 1.0) <= 1e-6, f"全部找到且没有误检时 AP 应为 1，实际为 {ap:.4f}"
ap = average_precision(torch.tensor([0.9, 0.8, 0.7]), torch.tensor([False, False, True]), 2)
assert abs(ap - 1 / 6) <= 1e-6, f"前两个是 FP、第三个 TP、共 2 个真实框时 AP 应为 0.5 × 1/3 = 0.1667，实际为 {ap:.4f}"
ap = average_precision(torch.zeros(0), torch.zeros(0, dtype=torch.bool), 3)
assert ap == 0.0, f"没有检测框时 AP 应为 0，实际为 {ap!r}"
gen = torch.Generator().manual_seed(3)
for n, n_truth in ((10, 6), (50, 40)):
    scores, is_tp = torch.rand(n, generator=gen), torch.rand(n, generator=gen) < 0.5
    want = west2ai.detection.average_precision(scores.numpy(), is_tp.numpy(), n_truth)
    ap = average_precision(scores, is_tp, n_truth)
    assert abs(ap - want) <= 1e-6, f"{n} 个随机检测框、{n_truth} 个真实框：参照 AP 为 {want:.4f}，你的为 {ap:.4f}"
### BEGIN HIDDEN TESTS
_gen = torch.Generator().manual_seed(2718)
for _k, (_n, _levels, _extra) in enumerate(((1, 0, 0), (1, 0, 2), (12, 3, 0), (45, 5, 3), (200, 0, 10), (500, 20, 0))):
    _scores = torch.randint(0, _levels + 1, (_n,), generator=_gen).float() / max(_levels, 1) if _levels \
        else torch.rand(_n, generator=_gen)
    _tp = torch.rand(_n, generator=_gen) < (0.3 + 0.1 * _k)
    _n_truth = max(int(_tp.sum()) + _extra, 1)
    _want = west2ai.detection.average_precision(_scores.numpy(), _tp.numpy(), _n_truth)
    with west2ai.grading.references_blocked():
        _got = average_precision(_scores, _tp, _n_truth)
    assert isinstance(_got, float), f"隐藏测试第 {_k} 组：应返回 Python float，你的函数返回 {type(_got).__name__}"
    assert abs(_got - _want) <= 1e-6, \
        f"隐藏测试第 {_k} 组（{_n} 个检测框{'，有分数相同的' if _levels else ''}）：你的函数返回 AP = {_got:.4f}"
_scores, _tp = torch.tensor([0.9, 0.9, 0.9, 0.1]), torch.tensor([False, True, True, True])
with west2ai.grading.references_blocked():
    _got = average_precision(_scores, _tp, 4)
assert abs(_got - west2ai.detection.average_precision(_scores.numpy(), _tp.numpy(), 4)) <= 1e-6, \
    f"隐藏测试：分数相同的检测应保持原来的顺序，你的函数返回 AP = {_got:.4f}"
### END HIDDEN TESTS

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-12", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### mAP：各类别 AP 的平均
#
# mAP（mean average precision）对每个类别单独算 AP，再对类别求平均。细节按评分器（`west2ai.detection.mean_average_precision`）：
#
# - 第 $c$ 类的 AP：在**每张图**里用练习 5 的规则匹配这一类的检测框与真实框（只看标签为 $c$ 的框；标签错了的检测框
#   在它自己那一类里是 FP），把所有图的检测框**按图的顺序**接在一起（图内保持原来的顺序）得到分数和 TP 标记，
#   真实框个数 $n_\text{truth}$ 是所有图里第 $c$ 类真实框的总数，交给练习 7 的 `average_precision`；
# - 有真实框、但一个检测框都没有的类别，AP 为 0（全部漏检）；
# - **没有任何真实框**的类别，AP 记为 `nan`，不参与平均（它的检测框全是 FP，但 recall 无从谈起）；
# - mAP 是其余类别 AP 的算术平均。
#
# “按图的顺序接起来”决定了分数相同的检测框谁排在前面：图 0 的在图 1 的前面。
#
# ### 练习 8：mAP@0.5（3 分）
#
# 实现 `mean_average_precision(detections, truths, num_classes=10, iou_threshold=0.5)`：`detections` 和 `truths` 是等长的 list，
# 每张图一个 dict——检测 `{"boxes": (n, 4), "scores": (n,), "labels": (n,)}`，真实标注 `{"boxes": (m, 4), "labels": (m,)}`，
# 都是张量，框是 xyxy。返回 `(mAP, per_class)`：`mAP` 是 Python float，`per_class` 是长度 `num_classes` 的 list，
# 每项是 Python float（没有真实框的类别为 `float("nan")`）。可以假定至少有一个真实框。用你的 `match_detections` 和 `average_precision`。

# %% nbgrader={"grade": false, "grade_id": "ex-map", "locked": false, "schema_version": 3, "solution": true, "task": false}
def mean_average_precision(detections, truths, num_classes=10, iou_threshold=0.5):
    ### BEGIN SOLUTION
    per_class = []
    for c in range(num_classes):
        scores, flags, n_truth = [], [], 0
        for det, truth in zip(detections, truths):
            gt = truth["boxes"][truth["labels"] == c]
            mine = det["labels"] == c
            n_truth += len(gt)
            scores.append(det["scores"][mine])
            flags.append(match_detections(det["boxes"][mine], det["scores"][mine], gt, iou_threshold))
        if n_truth == 0:
            per_class.append(float("nan"))
        else:
            per_class.append(average_precision(torch.cat(scores), torch.cat(flags), n_truth))
    present = [ap for ap in per_class if not math.isnan(ap)]
    return sum(present) / len(present), per_class
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-map-test", "locked": true, "points": 3.0, "schema_version": 3, "solution": false, "task": false}
def as_numpy(images):
    return [{key: value.numpy() for key, value in image.items()} for image in images]


truths = [
    {"boxes": as_boxes([[0, 0, 10, 10], [20, 20, 30, 30]]), "labels": torch.tensor([0, 1])},
    {"boxes": as_boxes([[5, 5, 15, 15], [40, 40, 60, 60]]), "labels": torch.tensor([0, 2])},
]
detections = [
    {"boxes": as_boxes([[0, 0, 10, 10], [0, 0, 10, 10], [20, 20, 30, 30], [50, 50, 60, 60]]),
     "scores": torch.tensor([0.9, 0.8, 0.7, 0.6]), "labels": torch.tensor([0, 0, 2, 3])},
    {"boxes": as_boxes([[5, 5, 15, 15], [40, 40, 60, 60]]), "scores": torch.tensor([0.8, 0.95]), "labels": torch.tensor([0, 2])},
]
# class 0: 0.9 TP, 0.8 duplicate (image 0, FP) before 0.8 TP (image 1): AP = 0.5 * 1 + 0.5 * 2/3 = 5/6
# class 1: one object, no detection: AP 0; class 2: 0.95 TP, 0.7 FP (wrong class in image 0): AP 1; class 3: no truth: nan
res = mean_average_precision(detections, truths, num_classes=4)
assert isinstance(res, tuple) and len(res) == 2, f"应返回 (mAP, per_class) 二元组，实际返回 {type(res).__name__}"
m_ap, per_class = res
assert isinstance(per_class, list) and len(per_class) == 4, \
    f"num_classes=4 时 per_class 应是长度 4 的 list，实际为 {type(per_class).__name__} {per_class!r}"
assert math.isnan(per_class[3]), f"类别 3 没有真实框，AP 应为 nan（不参与平均），实际为 {per_class[3]!r}"
for c, want, why in ((0, 5 / 6, "分数相同时图 0 的重复检测排在图 1 的 TP 前面"), (1, 0.0, "有真实框但没有检测框"),
                     (2, 1.0, "标签错了的检测框只在它自己的类别里算 FP")):
    assert abs(float(per_class[c]) - want) <= 1e-6, f"类别 {c} 的 AP 应为 {want:.4f}（{why}），实际为 {float(per_class[c]):.4f}"
assert isinstance(m_ap, float) and abs(m_ap - (5 / 6 + 0 + 1) / 3) <= 1e-6, \
    f"mAP 应为 (5/6 + 0 + 1) / 3 = 0.6111（不算类别 3），实际为 {m_ap!r}"
want_map, want_per_class = west2ai.detection.mean_average_precision(as_numpy(detections), as_numpy(truths), num_classes=4)
assert abs(m_ap - want_map) <= 1e-6, f"与 west2ai.detection.mean_average_precision 不一致：参照 {want_map:.4f}，你的 {m_ap:.4f}"
### BEGIN HIDDEN TESTS
def _random_scene(gen, images, classes):
    detections, truths = [], []
    for _ in range(images):
        m = int(torch.randint(0, 5, (1,), generator=gen))
        gt = west2ai.grading.random_boxes(m, gen, integer=True)
        labels = torch.randint(0, classes, (m,), generator=gen)
        copies = torch.randint(0, m, (int(torch.randint(0, 3 * m + 1, (1,), generator=gen)),), generator=gen) if m \
            else torch.zeros(0, dtype=torch.int64)
        boxes = torch.cat([gt[copies] + torch.randint(-4, 5, (len(copies), 4), generator=gen).float(),
                           west2ai.grading.random_boxes(int(torch.randint(0, 3, (1,), generator=gen)), gen, integer=True)])
        boxes[:, 2:] = torch.maximum(boxes[:, 2:], boxes[:, :2] + 1)
        det_labels = torch.cat([labels[copies], torch.randint(0, classes, (len(boxes) - len(copies),), generator=gen)])
        wrong = torch.rand(len(boxes), generator=gen) < 0.15
        det_labels = torch.where(wrong, torch.randint(0, classes, (len(boxes),), generator=gen), det_labels)
        scores = torch.randint(1, 21, (len(boxes),), generator=gen).float() / 20  # ties across and within images
        detections.append({"boxes": boxes, "scores": scores, "labels": det_labels})
        truths.append({"boxes": gt, "labels": labels})
    return detections, truths


_gen = torch.Generator().manual_seed(1729)
for _k, (_images, _classes, _threshold) in enumerate(((1, 2, 0.5), (6, 3, 0.5), (25, 10, 0.5), (40, 5, 0.75),
                                                     (12, 10, 0.5), (80, 10, 0.5))):
    _dets, _truths = _random_scene(_gen, _images, _classes)
    if not any(len(_x["labels"]) for _x in _truths):
        _truths[0] = {"boxes": torch.tensor([[1.0, 1.0, 9.0, 9.0]]), "labels": torch.tensor([0])}
    if _k == 4:
        _dets[0] = {"boxes": torch.zeros(0, 4), "scores": torch.zeros(0), "labels": torch.zeros(0, dtype=torch.int64)}
    _want_map, _want_pc = west2ai.detection.mean_average_precision(as_numpy(_dets), as_numpy(_truths), num_classes=_classes,
                                                                   iou_threshold=_threshold)
    with west2ai.grading.references_blocked():
        _got = mean_average_precision(_dets, _truths, num_classes=_classes, iou_threshold=_threshold)
    assert isinstance(_got, tuple) and len(_got) == 2, f"隐藏测试第 {_k} 组：应返回二元组，你的函数返回 {type(_got).__name__}"
    _got_map, _got_pc = _got
    assert len(_got_pc) == _classes, f"隐藏测试第 {_k} 组：per_class 应有 {_classes} 项，你的函数返回 {len(_got_pc)} 项"
    for _c, (_g, _w) in enumerate(zip(_got_pc, _want_pc)):
        _g = float(_g)
        assert (math.isnan(_g) and math.isnan(_w)) or abs(_g - _w) <= 1e-6, \
            f"隐藏测试第 {_k} 组（{_images} 张图、{_classes} 类、IoU 阈值 {_threshold}）：类别 {_c} 的 AP 不对，你的函数返回 {_g:.4f}"
    assert isinstance(_got_map, float) and abs(_got_map - _want_map) <= 1e-6, \
        f"隐藏测试第 {_k} 组：mAP 不对，你的函数返回 {_got_map!r}"
### END HIDDEN TESTS

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-13", "locked": true, "schema_version": 3, "solution": false, "task": false}
# 把这些工具用在 300 张验证画布上：还是上面那个 `simulated_detector`，比较不做 NMS 与按类别 NMS 之后的 mAP，
# 并和评分器的 `west2ai.detection.mean_average_precision` 对照（两者应完全相同）。不做 NMS 时，同一件衣物的多个候选框里
# 只有一个能认领真实框，其余都是 FP，mAP 会明显更低。最后画出一个类别的 PR 曲线和它的包络，包络下的面积就是这一类的 AP。

# %%
data = west2ai.detection.canvases("val", 300)
truths = [{"boxes": torch.as_tensor(b), "labels": torch.as_tensor(labels)} for b, labels in zip(data.boxes, data.labels)]
raw = simulated_detector(data, seed=1)
after_nms = []
for det in raw:
    keep = batched_nms(det["boxes"], det["scores"], det["labels"], 0.5)
    after_nms.append({key: value[keep] for key, value in det.items()})
for name, dets in (("不做 NMS", raw), ("按类别 NMS 之后", after_nms)):
    mine, per_class = mean_average_precision(dets, truths)
    reference, _ = west2ai.detection.mean_average_precision(as_numpy(dets), as_numpy(truths))
    print(f"{name}：每张图平均 {np.mean([len(d['scores']) for d in dets]):.1f} 个框，mAP@0.5 = {mine:.4f}"
          f"（评分器：{reference:.4f}）")
print("各类别 AP：", {FASHION_MNIST_CLASSES[c]: round(ap, 3) for c, ap in enumerate(per_class)})

cls = 6  # Shirt; try other classes too
scores, flags, n_truth = [], [], 0
for det, truth in zip(after_nms, truths):
    mine = det["labels"] == cls
    gt = truth["boxes"][truth["labels"] == cls]
    n_truth += len(gt)
    scores.append(det["scores"][mine])
    flags.append(match_detections(det["boxes"][mine], det["scores"][mine], gt))
precision, recall = precision_recall(torch.cat(scores), torch.cat(flags), n_truth)
envelope = precision.flip(0).cummax(0).values.flip(0)
ap = average_precision(torch.cat(scores), torch.cat(flags), n_truth)
fig, ax = plt.subplots(figsize=(6, 4.5))
ax.plot(recall, precision, ".-", color="tab:blue", alpha=0.5, markersize=3, label="precision at each detection")
ax.step(torch.cat([torch.zeros(1, dtype=recall.dtype), recall]), torch.cat([envelope[:1], envelope]), where="pre",
        color="tab:red", label="envelope (VOC all-point)")
ax.fill_between(torch.cat([torch.zeros(1, dtype=recall.dtype), recall]), torch.cat([envelope[:1], envelope]),
                step="pre", color="tab:red", alpha=0.1)
ax.set(xlabel="recall", ylabel="precision", xlim=(0, 1.02), ylim=(0, 1.05),
       title=f"PR curve of class {FASHION_MNIST_CLASSES[cls]} ({n_truth} objects): AP = {ap:.3f}")
ax.legend(loc="lower left")
plt.tight_layout()
plt.show()

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-14", "locked": true, "schema_version": 3, "solution": false, "task": false}
# **想一想**：(1) VOC 2007 用的是 **11 点插值**：在 recall = 0, 0.1, …, 1.0 这 11 个点上取包络的值 $p_\text{interp}(r)$，求平均；
# VOC 2010 起改成了本节的**全点插值**。算一算练习 7 的例子（全点 AP = 0.625）的 11 点 AP。两种算法哪个更粗糙？为什么要改？
# (2) 检测器输出时通常把分数阈值设得很低（评分器只丢掉低于 0.01 的框），而不是只交“有把握”的框。按全点插值的定义，
# 在排序的最末尾多交一些低分框，AP 可能变低吗？
#
# <details><summary>提示</summary>
#
# (1) 包络在 recall ≤ 0.25 处为 1，在 0.25 < r ≤ 0.75 处为 0.75，recall 超过 0.75 以后没有点，记为 0。11 个点里
# 0、0.1、0.2 取 1，0.3–0.7 五个点取 0.75，0.8、0.9、1.0 取 0：$(3 \times 1 + 5 \times 0.75 + 3 \times 0)/11 = 6.75/11 \approx 0.614$，
# 与 0.625 接近但不相同。11 点插值只在 11 个固定的 recall 上采样，两个方法在两个采样点之间的差别完全看不出来，
# AP 较低（曲线很短）时尤其不准；全点插值用上曲线上的每一个点，就是包络下的精确面积，VOC 2010 起改用它
# （COCO 则在 101 个 recall 点上采样，并在 IoU 0.5:0.95 的 10 个阈值上再平均）。
# (2) 不会变低。末尾多出的框排在所有已有框之后，前面每一点的 precision 和 recall 都不变；包络在每点取的是“右边的最大值”，
# 新的点只可能把它抬高；多出的 TP 还会增加 recall，带来新的面积。所以低分框只会让 AP 不变或变高——这也是为什么
# 评比时阈值放得很低，而实际部署时要另选一个阈值，在 precision 和 recall 之间取舍。
# </details>

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-15", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ## 小结
#
# - 三种框格式只差加减和除以 2，但读数据、读别人的代码时一定先弄清是哪一种（以及 $x_2$ 含不含最后一个像素）；
# - IoU 用广播一次算成矩阵；NMS 是“排序 → 保留最高分 → 删掉重叠的”贪心循环，按类别的 NMS 可以用类别偏移一次做完；
# - 评价检测器：逐类按分数排序、按 IoU ≥ 0.5 与“每个真实框只能认领一次”判 TP / FP，算全点插值的 AP，再对有真实框的类别平均得到 mAP。
#
# 后面训练检测器时，导师端的评分器正是用这一套规则（`west2ai.detection.postprocess` 的按类别 NMS 与 `mean_average_precision`）
# 在它自己生成的测试画布上给你的模型打分。
