"""Checks that hidden tests use. They compute metrics themselves and trust nothing the
student's code computed: the model object is evaluated here, on data loaded here."""
from __future__ import annotations

import numbers
from pathlib import Path

import numpy as np

BANNED_MODULE_PREFIXES = ("torchvision.models", "timm", "transformers", "torch.hub")
JUDGE_BATCH = 1000  # the mentor-side grader feeds exported models batches of this size


class GradingError(AssertionError):
    """A check failed; the message (Chinese) says what to fix."""


def n_params(model) -> int:
    """Number of parameters of a ``torch.nn.Module`` (trainable or not)."""
    import torch

    if not isinstance(model, torch.nn.Module):
        raise GradingError(f"model 应是 torch.nn.Module，而不是 {type(model).__name__}")
    return sum(p.numel() for p in model.parameters())


def check_param_limit(model, limit: int) -> int:
    n = n_params(model)
    if n > limit:
        raise GradingError(f"模型参数量 {n:,} 超过上限 {limit:,}")
    return n


def check_not_banned(model) -> None:
    """Refuse models built from ``torchvision.models``, ``timm``, ``transformers`` or the hub."""
    for module in model.modules():
        # Walk the class hierarchy too: a subclass of a banned network is still that network.
        for cls in type(module).__mro__:
            origin = cls.__module__ or ""
            if origin.startswith(BANNED_MODULE_PREFIXES):
                raise GradingError(
                    f"模型中包含 {type(module).__name__}（来自 {origin}.{cls.__name__}）：本课程禁止使用 "
                    "torchvision.models、timm、transformers 等现成网络或预训练权重，请用 nn 层自己搭建。"
                )


def predict(model, images, batch_size: int = 1000, device: str | None = None) -> np.ndarray:
    """Class predictions of ``model`` for a float tensor of images, in eval mode, no grad."""
    import torch

    device = device or ("cuda" if torch.cuda.is_available() else "cpu")
    was_training = model.training
    model.eval()
    model.to(device)
    preds = []
    with torch.no_grad():
        for start in range(0, len(images), batch_size):
            out = model(images[start:start + batch_size].to(device))
            if not isinstance(out, torch.Tensor) or out.ndim != 2:
                raise GradingError("模型输出应是形状为 (batch, 类别数) 的张量")
            preds.append(out.argmax(1).cpu())
    model.train(was_training)
    return torch.cat(preds).numpy()


def fashion_mnist_test_tensors():
    """The full 10,000-image Fashion-MNIST test set as (images float in [0,1], labels)."""
    import torch

    from .data import fashion_mnist_arrays

    x, y = fashion_mnist_arrays("test")
    images = torch.from_numpy(x.astype(np.float32) / 255.0).unsqueeze(1)
    return images, torch.from_numpy(y)


def fashion_mnist_accuracy(model, normalize=None) -> float:
    """Accuracy of ``model`` on the full Fashion-MNIST test set, computed here.

    ``normalize`` (optional) maps a batch of [0,1] images (N,1,28,28) to the model's input.
    """
    images, labels = fashion_mnist_test_tensors()
    if normalize is not None:
        images = normalize(images)
    preds = predict(model, images)
    return float((preds == labels.numpy()).mean())


def tier_progress(value: float, tiers: dict[str, float], tier: str | None = None, what: str = "测试集准确率",
                  note: str = "", lower_is_better: bool = False) -> str:
    """The student's own figure against the tiers, e.g. ``测试集准确率 90.30%：已达及格，距良好
    1.20 个百分点``: printed, and raised as a ``GradingError`` when ``tier`` (one of the keys of
    ``tiers``, which go from the lowest line up; None: only print) is not reached. With
    ``lower_is_better`` the figure is a loss (``验证集损失 6.250：已达及格，距良好 0.050``)."""
    def ok(line: float) -> bool:
        return value <= line if lower_is_better else value >= line

    reached = [label for label, line in tiers.items() if ok(line)]
    missing = [(label, line) for label, line in tiers.items() if not ok(line)]
    shown = f"{value:.3f}" if lower_is_better else f"{value:.2%}"
    text = f"{what} {shown}：" + (f"已达{reached[-1]}" if reached else "未达任何档位")
    if missing:
        label, line = missing[0]
        text += (f"，距{label} {value - line:.3f}" if lower_is_better
                 else f"，距{label} {(line - value) * 100:.2f} 个百分点")
    text += note
    print(text)
    if tier is not None and not ok(tiers[tier]):
        line = f"{tiers[tier]:g}" if lower_is_better else f"{tiers[tier] * 100:g}%"
        raise GradingError(f"{text}；本单元格检查的是{tier}线 {line}")
    return text


def fashion_mnist_tier(model, threshold: float, tier: str, *, limit: int, normalize=None) -> float:
    """One tier test of a Fashion-MNIST model: no banned network, at most ``limit``
    parameters, and accuracy on the full test set (computed here) of at least ``threshold``.
    ``tier`` names the tier in the message (及格 / 良好 / 优秀). Returns the accuracy."""
    check_not_banned(model)
    check_param_limit(model, limit)
    acc = fashion_mnist_accuracy(model, normalize=normalize)
    if acc < threshold:
        raise GradingError(f"测试集准确率 {acc:.2%}，未达到{tier}线 {threshold * 100:g}%")
    return acc


def model_device(model):
    """The device of a module's first parameter or buffer (the CPU for a module with neither)."""
    import torch

    for tensor in (*model.parameters(), *model.buffers()):
        return tensor.device
    return torch.device("cpu")


def sentiment_accuracy(model, itos, split: str = "test") -> float:
    """Accuracy of a text classifier (``model(ids)`` → scores) on the reviews of ``split``,
    computed here as the mentor's grader does: reviews cut and right-padded to
    ``REVIEW_MAX_CHARS``, code points mapped to ids by ``text.char_lookup(itos)``."""
    import torch

    from . import text

    if not isinstance(model, torch.nn.Module):
        raise GradingError(f"model 应是 torch.nn.Module，而不是 {type(model).__name__}")
    reviews = text.reviews(split)
    device = model_device(model)
    lookup = text.char_lookup(itos).to(device)
    was_training = model.training
    model.eval()
    correct = 0
    with torch.no_grad():
        for start in range(0, len(reviews), 500):
            points = text.code_points(reviews.texts[start:start + 500], pad_to=text.REVIEW_MAX_CHARS).to(device)
            out = model(lookup(points))
            if not isinstance(out, torch.Tensor) or out.shape != (len(points), 2):
                raise GradingError(f"情感模型的输出应是形状为 (batch, 2) 的张量，实际为 {tuple(getattr(out, 'shape', ()))}")
            labels = torch.tensor(reviews.labels[start:start + 500], device=device)
            correct += int((out.argmax(1) == labels).sum())
    model.train(was_training)
    return correct / len(reviews)


def poem_lm_figures(model, device=None) -> tuple[float, float, list[str]]:
    """(held-out nats per character, format score, samples) of a language model (``model(ids)``
    → logits over ``text.poem_vocab()``), computed here as the mentor's grader does: the same
    windows, and samples drawn with the grader's seed, temperature and top-k."""
    import torch

    from . import text
    from .mentor import textjudge

    if not isinstance(model, torch.nn.Module):
        raise GradingError(f"model 应是 torch.nn.Module，而不是 {type(model).__name__}")
    device = device or model_device(model)
    vocab = len(text.poem_vocab())
    was_training = model.training
    model.eval()

    def forward(x):
        return textjudge.lm_logits(lambda ids: model(ids.to(device)).cpu(), x, vocab)

    try:
        nats = text.poem_nats(forward)
        samples = textjudge.decode(textjudge.sample_ids(forward, vocab))
    except ValueError as exc:
        raise GradingError(str(exc)) from exc
    finally:
        model.train(was_training)
    return nats, text.format_score(samples), samples


def export_model(model, path, normalize=None, channels: int = 1, size: int = 28):
    """Export ``model`` for the mentor's grader, which scores the tiers from this file alone.

    The exported program (``torch.export``, on the CPU, in eval mode) takes a batch of images
    as float tensors in [0, 1] of shape (N, ``channels``, ``size``, ``size``) and returns the
    class scores; ``normalize`` (optional) is applied first, so the file holds the whole
    pipeline. The grader counts every parameter, buffer and constant in it against the limit
    and runs it on the test images only. Returns the path written.
    """
    import copy

    import torch

    if not isinstance(model, torch.nn.Module):
        raise GradingError(f"model 应是 torch.nn.Module，而不是 {type(model).__name__}")

    class Pipeline(torch.nn.Module):
        def __init__(self, net):
            super().__init__()
            self.net = net

        def forward(self, x):
            return self.net(normalize(x) if normalize is not None else x)

    pipeline = Pipeline(copy.deepcopy(model).cpu()).eval()
    batch = torch.export.Dim("batch", min=1, max=1 << 20)
    try:  # any batch size
        return _export(pipeline, (torch.rand(4, channels, size, size),), ({0: batch},), path, "")
    except GradingError:  # some operators fix the batch size: the grader feeds batches of this size
        return _export(pipeline, (torch.rand(JUDGE_BATCH, channels, size, size),), None, path, "")


def _export(module, example: tuple, dynamic_shapes: tuple, path, hint: str):
    """``torch.export`` ``module`` (on the CPU, in eval mode) and save it at ``path``."""
    import torch

    try:
        program = torch.export.export(module, example, dynamic_shapes=dynamic_shapes)
    except Exception as exc:
        raise GradingError(
            f"模型无法用 torch.export 导出（{type(exc).__name__}: {str(exc).splitlines()[0][:300]}）。"
            "forward 里只能用 torch 的张量运算：不要读文件、不要转成 numpy 或 Python 数、"
            f"不要写依赖数据取值的 if 分支。{hint}"
        ) from exc
    path = Path(path)
    torch.export.save(program, path)
    print(f"已导出 {path}（导师端评分用它计算档位）")
    return path


def export_text_classifier(model, itos, path):
    """Export a text classifier that reads vocabulary ids (batch, length) → scores (batch, classes).

    ``itos[0]`` is padding and ``itos[1]`` the unknown character; ``text.char_lookup(itos)`` is
    put in front, so the exported program reads Unicode code points (``text.code_points``) and
    needs no vocabulary file. ``torch.export`` fixes the length of a recurrent layer's input, so
    the program reads batches (any size) of reviews cut and right-padded to ``REVIEW_MAX_CHARS``:
    ``model(ids)`` must give every review the same scores however much padding follows it
    (padding id 0; e.g. pool over the real positions only). Returns the path written.
    """
    import copy

    import torch

    from .text import REVIEW_MAX_CHARS, char_lookup, code_points

    if not isinstance(model, torch.nn.Module):
        raise GradingError(f"model 应是 torch.nn.Module，而不是 {type(model).__name__}")
    pipeline = torch.nn.Sequential(char_lookup(itos), copy.deepcopy(model).cpu()).eval()
    example = (code_points(["这本书写得很好，推荐", "质量很差，不会再买了"], pad_to=REVIEW_MAX_CHARS),)
    dims = ({0: torch.export.Dim("batch", min=1, max=1 << 20)},)
    return _export(pipeline, example, dims, path, "forward(ids) 只接收 id 张量（不传 lengths）时，也要能算出结果。")


def export_language_model(model, path, context: int | None = None):
    """Export a language model that reads ids (batch, length) → logits (batch, length, vocab),
    for any length from 1 to ``context`` (default ``text.LM_CONTEXT``, what the grader feeds).
    Returns the path written."""
    import copy

    import torch

    from .text import LM_CONTEXT

    if not isinstance(model, torch.nn.Module):
        raise GradingError(f"model 应是 torch.nn.Module，而不是 {type(model).__name__}")
    context = context or LM_CONTEXT
    net = copy.deepcopy(model).cpu().eval()
    example = (torch.zeros((2, min(8, context)), dtype=torch.int64),)
    dims = ({0: torch.export.Dim("batch", min=1, max=1 << 16), 1: torch.export.Dim("length", min=1, max=context)},)
    return _export(net, example, dims, path, f"模型应接受长度 1 到 {context} 的输入（block_size ≥ {context}）。")


def _detector_pipeline(model, decode):
    """``decode(model(images))`` as one module (a copy, on the CPU, in eval mode)."""
    import copy

    import torch

    class Detector(torch.nn.Module):
        def __init__(self, net):
            super().__init__()
            self.net = net

        def forward(self, images):
            out = self.net(images)
            return decode(out) if decode is not None else out

    if not isinstance(model, torch.nn.Module):
        raise GradingError(f"model 应是 torch.nn.Module，而不是 {type(model).__name__}")
    return Detector(copy.deepcopy(model).cpu()).eval()


def detection_map(model, decode, data, batch_size: int = 250) -> tuple[float, list[float]]:
    """(mAP@0.5, AP per class) of a detector on ``data`` (``detection.canvases``), computed
    here as the mentor's grader does: images as floats in [0, 1] of shape (N, 1, CANVAS, CANVAS),
    ``decode(model(images))`` → (N, K, 4 + classes), then ``detection.postprocess`` and
    ``detection.mean_average_precision``."""
    import torch

    from . import detection

    if not isinstance(model, torch.nn.Module):
        raise GradingError(f"model 应是 torch.nn.Module，而不是 {type(model).__name__}")
    device = model_device(model)
    was_training = model.training
    model.eval()
    found = []
    try:
        with torch.no_grad():
            for start in range(0, len(data), batch_size):
                x = torch.from_numpy(data.images[start:start + batch_size]).float().div(255).unsqueeze(1)
                out = model(x.to(device))
                out = (decode(out) if decode is not None else out)
                boxes, scores = detection.dense_output(out.cpu() if hasattr(out, "cpu") else out, len(x))
                found += detection.postprocess(boxes, scores)
    except ValueError as exc:
        raise GradingError(str(exc)) from exc
    finally:
        model.train(was_training)
    return detection.mean_average_precision(found, [data.targets(i) for i in range(len(data))])


def export_detector(model, path, decode=None):
    """Export a detector for the mentor's grader: the program reads canvases (N, 1, CANVAS,
    CANVAS) as floats in [0, 1] and returns ``decode(model(images))``, shape (N, K, 4 + classes):
    K boxes x1, y1, x2, y2 in canvas pixels and their class scores in [0, 1]. The grader then
    applies ``detection.postprocess`` (score floor, class-wise NMS) and computes mAP@0.5 on test
    canvases it draws at grading time. Returns the path written."""
    import torch

    from . import detection

    pipeline = _detector_pipeline(model, decode)
    example = torch.rand(4, 1, detection.CANVAS, detection.CANVAS)
    with torch.no_grad():
        try:
            detection.dense_output(pipeline(example), len(example))
        except ValueError as exc:
            raise GradingError(str(exc)) from exc
    dims = ({0: torch.export.Dim("batch", min=1, max=1 << 20)},)
    return _export(pipeline, (example,), dims, path, "decode 也只能用张量运算（不要在这里做 NMS：评分器统一做）。")


def _code_point_program(model, itos, two_towers: bool):
    """``model`` as one module reading its texts as code points (``text.char_lookup(itos)`` in
    front): ``(model.encode_image(images), model.encode_text(ids))`` for a CLIP (``two_towers``),
    else ``model(images, ids)``."""
    import copy

    import torch

    from .text import char_lookup

    if not isinstance(model, torch.nn.Module):
        raise GradingError(f"model 应是 torch.nn.Module，而不是 {type(model).__name__}")
    if two_towers and not all(hasattr(model, m) for m in ("encode_image", "encode_text")):
        raise GradingError("model 应是有 encode_image(images) 和 encode_text(ids) 两个方法的 torch.nn.Module")

    class ReadsCodePoints(torch.nn.Module):
        def __init__(self, net):
            super().__init__()
            self.lookup, self.net = char_lookup(itos), net

        def forward(self, images, texts):
            ids = self.lookup(texts)
            return (self.net.encode_image(images), self.net.encode_text(ids)) if two_towers else self.net(images, ids)

    return ReadsCodePoints(copy.deepcopy(model).cpu()).eval()


def _multimodal_example():
    import torch

    from . import multimodal as mm
    from .text import code_points

    texts = code_points(["一张包的照片", "左边是什么？", "有几双鞋？"], max_chars=mm.CAPTION_MAX, pad_to=mm.CAPTION_MAX)
    return torch.rand(3, 1, mm.CANVAS, mm.CANVAS), texts


def export_clip(model, itos, path):
    """Export a CLIP-style model for the mentor's grader: the program reads scenes (N, 1, CANVAS,
    CANVAS) as floats in [0, 1] and captions (M, CAPTION_MAX) as code points (``text.char_lookup(itos)``
    is put in front of ``model.encode_text``), and returns ``(model.encode_image(images),
    model.encode_text(ids))``. Returns the path written."""
    import torch

    program = _code_point_program(model, itos, two_towers=True)
    images, texts = _multimodal_example()
    dims = ({0: torch.export.Dim("images", min=1, max=1 << 16)}, {0: torch.export.Dim("texts", min=1, max=1 << 16)})
    return _export(program, (images, texts[:2]), dims, path, "图像和文本的 batch 大小应能各自变化。")


def export_vqa(model, itos, path):
    """Export a VQA model: the program reads scenes (N, 1, CANVAS, CANVAS) in [0, 1] and questions
    (N, CAPTION_MAX) as code points, and returns ``model(images, ids)``, answer scores (N,
    len(multimodal.ANSWERS)). Returns the path written."""
    import torch

    program = _code_point_program(model, itos, two_towers=False)
    batch = torch.export.Dim("batch", min=1, max=1 << 16)
    return _export(program, _multimodal_example(), ({0: batch}, {0: batch}), path, "")


def clip_figures(model, itos, seed: int | None = None) -> dict[str, float]:
    """The grader's figures of a CLIP-style model (zero-shot with one prompt and with the
    ensemble, the linear probe, recall@1/@5 on seen and unseen test pairs drawn with ``seed``),
    computed here as the grader does, for the notebook's self-check. Without ``seed`` only the
    claim CLIP's paper makes (the two zero-shot figures and the linear probe; no test pairs to
    draw): quicker."""
    return _clip_figures(_code_point_program(model, itos, two_towers=True), seed)


def load_clip_export(path):
    """The program of an exported CLIP (``export_clip``'s file) as a module, or a GradingError."""
    import torch

    path = Path(path)
    if not path.is_file():
        raise GradingError(f"找不到 {path.name}：先在 01-clip 中训练并导出 clip.pt2，再把它放在本 notebook 旁边")
    try:
        return torch.export.load(str(path)).module()
    except Exception as exc:
        raise GradingError(f"{path.name} 无法加载（{type(exc).__name__}）：请在 01-clip 中重新导出 clip.pt2") from exc


def clip_export_figures(path, seed: int | None = None) -> dict[str, float]:
    """:func:`clip_figures` of an exported CLIP file (``clip.pt2``), measured as the grader does
    (03-paper-reading reproduces the claim on it)."""
    return _clip_figures(load_clip_export(path), seed)


def _clip_figures(program, seed: int | None) -> dict[str, float]:
    from .mentor import mmjudge

    if seed is None:
        return _figures(program, None, lambda _: mmjudge.claim_inputs(), mmjudge.claim_predictions,
                        mmjudge.claim_figures)
    return _figures(program, seed, mmjudge.clip_inputs, mmjudge.clip_predictions, mmjudge.clip_figures)


def vqa_figures(model, itos, seed: int) -> dict[str, float]:
    """The grader's figures of a VQA model on test scenes drawn with ``seed`` (accuracy pooled,
    per group and per question kind), computed here as the grader does."""
    from .mentor import mmjudge

    return _figures(_code_point_program(model, itos, two_towers=False), seed, mmjudge.vqa_inputs, mmjudge.vqa_predictions,
                    mmjudge.vqa_figures)


def _figures(program, seed, inputs, predictions, figures):
    """``figures(predictions(program, inputs(seed)), truth)``: the grader's two steps, here."""
    arrays, truth = inputs(seed)
    try:
        result = predictions(program, arrays)
    except ValueError as exc:
        raise GradingError(str(exc)) from exc
    return figures(result, truth)


def _tensors(result) -> list:
    """A recurrent layer's ``(output, h_n)`` or ``(output, (h_n, c_n))`` as a flat list."""
    if not isinstance(result, tuple) or len(result) != 2:
        raise GradingError("forward 应返回 (output, h_n)，LSTM 返回 (output, (h_n, c_n))")
    out, state = result
    return [out, *(state if isinstance(state, tuple) else (state,))]


def check_recurrent_layer(mine_cls, ref_cls, cases, seed: int, gradient_case) -> float:
    """Stage 4's hidden tests of a student's multi-layer recurrent layer (``mine_cls``, built
    like ``ref_cls``: ``nn.RNN``, ``nn.LSTM`` or ``nn.GRU``, batch-first, the same parameter names).

    For each ``(batch, steps, input_size, hidden_size, num_layers)`` in ``cases`` both layers get
    the same weights and input, with the initial state ``None`` and given: outputs and final
    states must agree to 1e-5. Then, in float64 on ``gradient_case``, backpropagation through
    time must give the same gradients (input, initial states, every weight) to 1e-8. Raises
    ``GradingError`` with a Chinese message naming the case but not the expected values;
    returns the largest forward difference seen."""
    import torch

    name = f"nn.{ref_cls.__name__}"
    largest = 0.0
    states = 2 if ref_cls is torch.nn.LSTM else 1

    def initial(layers, b, h, dtype=torch.float32):
        made = tuple(torch.randn(layers, b, h, dtype=dtype) for _ in range(states))
        return made if states == 2 else made[0]

    for k, (b, t, i, h, layers) in enumerate(cases):
        torch.manual_seed(seed + k)
        ref = ref_cls(i, h, num_layers=layers, batch_first=True)
        mine = mine_cls(i, h, num_layers=layers)
        mine.load_state_dict(ref.state_dict())
        x = torch.randn(b, t, i)
        for state in (None, initial(layers, b, h)):
            case = (f"B={b}、T={t}、input_size={i}、hidden_size={h}、num_layers={layers}"
                    f"（初始状态{'给定' if state is not None else '为 None'}）")
            got, want = _tensors(mine(x, state)), _tensors(ref(x, state))
            if [g.shape for g in got] != [w.shape for w in want]:
                raise GradingError(f"{case} 时形状不对：你的结果形状为 {[tuple(g.shape) for g in got]}")
            err = max((g - w).abs().max().item() for g, w in zip(got, want))
            largest = max(largest, err)
            if err > 1e-5:
                raise GradingError(f"{case} 时与 {name} 最大相差 {err:.2e}")
    torch.manual_seed(seed + 10)
    b, t, i, h, layers = gradient_case
    ref = ref_cls(i, h, num_layers=layers, batch_first=True).double()
    mine = mine_cls(i, h, num_layers=layers).double()
    mine.load_state_dict(ref.state_dict())
    x, state = torch.randn(b, t, i, dtype=torch.float64), initial(layers, b, h, torch.float64)
    grads = []
    for model in (mine, ref):
        leaves = [v.clone().requires_grad_(True) for v in (x, *(state if states == 2 else (state,)))]
        outs = _tensors(model(leaves[0], tuple(leaves[1:]) if states == 2 else leaves[1]))
        (outs[0].pow(2).sum() + sum((n + 1) * s.sum() for n, s in enumerate(outs[1:]))).backward()
        grads.append([v.grad for v in leaves] + [p.grad for p in model.parameters()])
    if any(g is None for g in grads[0]) or len(grads[0]) != len(grads[1]):
        raise GradingError("反向传播后输入、初始状态和每个参数都应有梯度（计算图断了？）")
    err = max((a - c).abs().max().item() for a, c in zip(*grads))
    if err > 1e-8:
        raise GradingError(f"{layers} 层网络沿时间反向传播的梯度与 {name} 的最大相差 {err:.2e}")
    return largest


REFERENCE_MODULES = ("torchvision.ops.boxes", "torchvision.ops._box_convert",
                     "torchvision.transforms.v2.functional._meta", "west2ai.detection")


def references_blocked():
    """A context (an ``ExitStack``) in which every reference box operation raises, for hidden
    tests of a student's own IoU, NMS and AP (stage 5): the code of every function in
    ``REFERENCE_MODULES`` is swapped, so an alias taken earlier (``from torchvision.ops import
    nms as f``) raises too; the module attributes are patched; and a dispatch mode refuses
    torchvision's compiled operators however they are reached. Everything is restored on exit."""
    import contextlib
    import inspect
    import sys
    from unittest import mock

    import torchvision.ops
    import torchvision.transforms.v2.functional  # noqa: F401  (its box conversions are blocked too)
    from torch.utils._python_dispatch import TorchDispatchMode

    from . import detection

    def refuse(*args, **kwargs):
        raise RuntimeError("隐藏测试期间 torchvision.ops 与 west2ai.detection 的参考实现已被禁用：请用张量运算自己实现")

    class RefuseTorchvisionOps(TorchDispatchMode):  # catches torch.ops.torchvision.nms(.default) taken earlier
        def __torch_dispatch__(self, func, types, args=(), kwargs=None):
            if func.namespace == "torchvision":
                refuse()
            return func(*args, **(kwargs or {}))

    stack = contextlib.ExitStack()
    try:
        for name in REFERENCE_MODULES:
            module = sys.modules[name]
            for f in list(vars(module).values()):
                if inspect.isfunction(f) and f.__module__ == name and not f.__code__.co_freevars:
                    stack.callback(setattr, f, "__code__", f.__code__)
                    f.__code__ = refuse.__code__
        for module, names in ((torchvision.ops, ("box_convert", "box_area", "box_iou", "nms", "batched_nms")),
                              (detection, ("box_iou_matrix", "postprocess", "average_precision",
                                           "mean_average_precision"))):
            for name in names:
                stack.enter_context(mock.patch.object(module, name, refuse))
        stack.enter_context(RefuseTorchvisionOps())
    except BaseException:
        stack.close()  # undo what was done
        raise
    return stack


def probe_references_blocked():
    """A context (an ``ExitStack``) in which the reference zero-shot and linear-probe functions
    raise, for hidden tests of a student's own (stage 6, 03-paper-reading): the code of
    ``multimodal.zero_shot_predictions`` and ``multimodal.linear_probe`` is swapped, so an alias
    taken earlier raises too, and scikit-learn's ``LogisticRegression.fit`` is patched."""
    import contextlib
    from unittest import mock

    from . import multimodal

    def refuse(*args, **kwargs):
        raise RuntimeError("隐藏测试期间 west2ai.multimodal 的参考实现与 sklearn 的 LogisticRegression 已被禁用：请用 torch 自己实现")

    stack = contextlib.ExitStack()
    for f in (multimodal.zero_shot_predictions, multimodal.linear_probe):
        stack.callback(setattr, f, "__code__", f.__code__)
        f.__code__ = refuse.__code__
    try:
        from sklearn.linear_model import LogisticRegression

        stack.enter_context(mock.patch.object(LogisticRegression, "fit", refuse))
    except ImportError:
        pass
    return stack


def random_boxes(n: int, generator, size: float = 64.0, max_side: float = 30.0, integer: bool = False):
    """``n`` random x1, y1, x2, y2 boxes inside a ``size`` square, sides 1 … ``max_side``
    (rounded to whole pixels when ``integer``), drawn from a ``torch.Generator``."""
    import torch

    xy = torch.rand(n, 2, generator=generator) * (size - max_side)
    boxes = torch.cat([xy, xy + 1 + torch.rand(n, 2, generator=generator) * (max_side - 1)], dim=1)
    return boxes.round() if integer else boxes


def exact_type(value, expected: type, what: str):
    """Assert ``type(value) is expected`` (no subclasses, no look-alikes) and return it."""
    if type(value) is not expected:
        raise GradingError(f"{what} 的类型应为 {expected.__name__}，实际为 {type(value).__name__}")
    return value


def close(value, expected: float, what: str, rel: float = 1e-6, abs_: float = 1e-9) -> None:
    """Assert a real number is close to ``expected`` (and really is a number)."""
    if isinstance(value, bool) or not isinstance(value, (numbers.Real, np.floating, np.integer)):
        raise GradingError(f"{what} 应是一个数，实际为 {type(value).__name__}")
    if not np.isclose(float(value), expected, rtol=rel, atol=abs_):
        raise GradingError(f"{what} 应约为 {expected:.6g}，实际为 {float(value):.6g}")


def check_plot(ax, legend: bool = True) -> None:
    """A matplotlib Axes has a title, both axis labels and (optionally) a legend."""
    import matplotlib.axes

    if not isinstance(ax, matplotlib.axes.Axes):
        raise GradingError(f"应传入 matplotlib 的 Axes 对象，实际为 {type(ax).__name__}")
    title = ax.get_title() or (ax.figure._suptitle.get_text() if ax.figure._suptitle else "")
    if not title.strip():
        raise GradingError("图缺少标题（ax.set_title）")
    if not ax.get_xlabel().strip():
        raise GradingError("图缺少 x 轴标签（ax.set_xlabel）")
    if not ax.get_ylabel().strip():
        raise GradingError("图缺少 y 轴标签（ax.set_ylabel）")
    if legend and ax.get_legend() is None and not any(
        other.get_legend() is not None for other in ax.figure.axes
    ):
        raise GradingError("图缺少图例（ax.legend）")
