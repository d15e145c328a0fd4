"""Stage 5's detection data and the one measure of a detector (COURSE.md §6: generated here).

- :func:`canvases` places scaled Fashion-MNIST items on a ``CANVAS``-pixel square, several per
  image, with each item's box taken from its mask. Training and validation canvases come from
  disjoint parts of the training images; test canvases come from the test images, and the
  mentor's grader draws them with its own seed at grading time, so no answer can be looked up.
- :func:`postprocess` turns a detector's dense output (boxes and per-class scores) into final
  detections: a score floor, class-wise NMS and at most ``MAX_DETECTIONS`` per image.
- :func:`mean_average_precision` is VOC's measure: average precision at one IoU threshold
  (all-point interpolation) per class, averaged over the classes that have ground truth.

The notebook's self-check and the grader call these same functions.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .data import FASHION_MNIST_CLASSES, fashion_mnist_arrays

CANVAS = 64  # canvases are CANVAS × CANVAS grey images
ITEM_SIZES = (14, 28)  # an item is scaled to a square of this many pixels (inclusive range)
ITEMS_PER_CANVAS = (1, 4)  # inclusive range
MAX_OVERLAP = 0.2  # two items' boxes overlap at most this much (IoU)
MASK_LEVEL = 25  # a scaled item's pixels above this grey level make its mask, hence its box
VAL_ITEMS = 6_000  # the last 6,000 training images give the validation canvases
SPLIT_SEEDS = {"train": 0, "val": 1}  # test canvases need the seed they are drawn with
IOU_THRESHOLD = 0.5  # a detection matches a ground-truth box of its class at IoU ≥ this
SCORE_MIN = 0.01  # detections scoring below this are dropped before NMS
NMS_IOU = 0.5  # class-wise NMS threshold of the final post-processing
MAX_DETECTIONS = 100  # per image, after NMS
NUM_CLASSES = len(FASHION_MNIST_CLASSES)


@dataclass(frozen=True)
class Canvases:
    images: np.ndarray  # (n, CANVAS, CANVAS) uint8
    boxes: tuple[np.ndarray, ...]  # per canvas (k, 4) float32: x1, y1, x2, y2 in pixels, x2/y2 exclusive
    labels: tuple[np.ndarray, ...]  # per canvas (k,) int64 Fashion-MNIST classes

    def __len__(self) -> int:
        return len(self.images)

    def targets(self, i: int) -> dict[str, np.ndarray]:
        return {"boxes": self.boxes[i], "labels": self.labels[i]}


def box_iou_matrix(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """IoU of every box in ``a`` (n, 4) with every box in ``b`` (m, 4), both x1, y1, x2, y2."""
    a, b = np.asarray(a, dtype=np.float64).reshape(-1, 4), np.asarray(b, dtype=np.float64).reshape(-1, 4)
    lt = np.maximum(a[:, None, :2], b[None, :, :2])
    rb = np.minimum(a[:, None, 2:], b[None, :, 2:])
    inter = np.clip(rb - lt, 0, None).prod(axis=2)
    area = lambda x: np.clip(x[:, 2] - x[:, 0], 0, None) * np.clip(x[:, 3] - x[:, 1], 0, None)  # noqa: E731
    union = area(a)[:, None] + area(b)[None, :] - inter
    return np.where(union > 0, inter / np.where(union > 0, union, 1), 0.0)


def _scaled(item: np.ndarray, size: int) -> np.ndarray:
    from PIL import Image

    return np.asarray(Image.fromarray(item).resize((size, size), Image.BILINEAR))


def item_source(split: str) -> tuple[np.ndarray, np.ndarray]:
    """The Fashion-MNIST images and labels generated scenes of ``split`` take their items from:
    "train" the first 54,000 training images, "val" the last ``VAL_ITEMS``, "test" the test set."""
    if split == "test":
        return fashion_mnist_arrays("test")
    images, labels = fashion_mnist_arrays("train")
    cut = len(images) - VAL_ITEMS
    return (images[:cut], labels[:cut]) if split == "train" else (images[cut:], labels[cut:])


def split_rng(split: str, seed: int | None, defaults: dict[str, int], what: str, salt: int | None = None):
    """The random generator of generated data of ``split`` ("train", "val" or "test"): training and
    validation fall back to their ``defaults`` seed, ``what`` (e.g. "测试画布") must be given one
    (the grader picks it when it grades); ``salt`` separates several kinds of data of one split."""
    if split not in ("train", "val", "test"):
        raise ValueError(f"split 应为 'train'、'val' 或 'test'，而不是 {split!r}")
    if seed is None:
        if split == "test":
            raise ValueError(f"{what}需要指定 seed（评分时由导师端随机选定）")
        seed = defaults[split]
    key = [seed, ("train", "val", "test").index(split)]
    return np.random.default_rng(key if salt is None else [*key, salt])


def canvases(split: str, count: int, seed: int | None = None) -> Canvases:
    """``count`` detection canvases drawn from the ``split`` images ("train", "val" or "test").

    The same (split, count, seed) gives the same canvases on every machine. Training and
    validation have fixed default seeds; test canvases must be given one (the grader picks it
    when it grades)."""
    rng = split_rng(split, seed, SPLIT_SEEDS, "测试画布")
    if count < 1:
        raise ValueError(f"count 应为正整数，而不是 {count!r}")
    items, classes = item_source(split)
    images = np.zeros((count, CANVAS, CANVAS), dtype=np.uint8)
    all_boxes, all_labels = [], []
    for n in range(count):
        boxes, labels = [], []
        for _ in range(int(rng.integers(ITEMS_PER_CANVAS[0], ITEMS_PER_CANVAS[1] + 1))):
            index = int(rng.integers(len(items)))
            size = int(rng.integers(ITEM_SIZES[0], ITEM_SIZES[1] + 1))
            item = _scaled(items[index], size)
            ys, xs = np.nonzero(item > MASK_LEVEL)
            if len(xs) == 0:
                continue
            for _attempt in range(20):
                x, y = (int(v) for v in rng.integers(0, CANVAS - size + 1, size=2))
                box = np.array([x + xs.min(), y + ys.min(), x + xs.max() + 1, y + ys.max() + 1], dtype=np.float32)
                if not boxes or box_iou_matrix(box, np.stack(boxes)).max() <= MAX_OVERLAP:
                    break
            else:
                continue  # no room left for this item
            region = images[n, y:y + size, x:x + size]
            np.maximum(region, item, out=region)
            boxes.append(box)
            labels.append(int(classes[index]))
        all_boxes.append(np.stack(boxes).astype(np.float32) if boxes else np.zeros((0, 4), np.float32))
        all_labels.append(np.asarray(labels, dtype=np.int64))
    return Canvases(images, tuple(all_boxes), tuple(all_labels))


# ---------------------------------------------------------------- detections and their measure
def dense_output(out, batch: int, num_classes: int = NUM_CLASSES):
    """(boxes, scores) of a detector's dense output for ``batch`` images: a float tensor of
    shape (batch, K, 4 + classes), K candidate boxes x1, y1, x2, y2 in canvas pixels followed
    by their class scores in [0, 1]. Raises ``ValueError`` saying what is wrong otherwise."""
    import torch

    if not isinstance(out, torch.Tensor) or out.ndim != 3 or out.shape[0] != batch or out.shape[2] != 4 + num_classes:
        raise ValueError(f"检测器的输出应是形状为 (batch={batch}, K, {4 + num_classes}) 的张量"
                         f"（4 个框坐标 + {num_classes} 个类别分数），实际为 {tuple(getattr(out, 'shape', ())) or type(out).__name__}")
    out = out.detach().float()
    if not torch.isfinite(out).all():
        raise ValueError("检测器的输出含有 NaN 或无穷大")
    scores = out[..., 4:]
    if scores.min() < 0 or scores.max() > 1:
        raise ValueError(f"类别分数应在 [0, 1] 之间（objectness × 类别概率），实际范围 [{float(scores.min()):.3g}, {float(scores.max()):.3g}]")
    return out[..., :4], scores


def postprocess(boxes, scores, score_min: float = SCORE_MIN, iou: float = NMS_IOU,
                max_detections: int = MAX_DETECTIONS) -> list[dict[str, np.ndarray]]:
    """Final detections of a batch from a detector's dense output.

    ``boxes`` (batch, K, 4) x1, y1, x2, y2 in canvas pixels and ``scores`` (batch, K, classes)
    in [0, 1] (objectness × class probability), torch tensors or arrays. Every (box, class)
    pair scoring at least ``score_min`` is a candidate (a box with x2 < x1 or y2 < y1 is made
    empty first: it matches nothing and suppresses nothing); class-wise NMS
    (``torchvision.ops.batched_nms``) keeps the best of overlapping boxes of one class, and the
    ``max_detections`` highest-scoring survivors of each image are returned as dicts of arrays
    ``boxes`` (n, 4), ``scores`` (n,), ``labels`` (n,)."""
    import torch
    from torchvision.ops import batched_nms

    boxes, scores = torch.as_tensor(boxes, dtype=torch.float32), torch.as_tensor(scores, dtype=torch.float32)
    boxes = torch.cat([boxes[..., :2], torch.maximum(boxes[..., 2:], boxes[..., :2])], -1)
    out = []
    for b, s in zip(boxes, scores):
        k, c = torch.nonzero(s >= score_min, as_tuple=True)
        kept_boxes, kept_scores = b[k], s[k, c]
        keep = batched_nms(kept_boxes, kept_scores, c, iou)[:max_detections]
        out.append({"boxes": kept_boxes[keep].numpy(), "scores": kept_scores[keep].numpy(),
                    "labels": c[keep].numpy().astype(np.int64)})
    return out


def average_precision(scores, is_tp, n_truth: int) -> float:
    """All-point interpolated AP (VOC 2010+) of one class's detections, given each one's score
    and whether it matched. Ties in score keep the given order."""
    if n_truth <= 0:
        raise ValueError("没有真实框的类别没有 AP")
    order = np.argsort(-np.asarray(scores, dtype=np.float64), kind="stable")
    tp = np.asarray(is_tp, dtype=np.float64)[order]
    cum_tp, cum_fp = np.cumsum(tp), np.cumsum(1.0 - tp)
    recall = np.concatenate([[0.0], cum_tp / n_truth, [1.0]])
    precision = np.concatenate([[0.0], cum_tp / np.maximum(cum_tp + cum_fp, 1e-12), [0.0]])
    precision = np.maximum.accumulate(precision[::-1])[::-1]  # the precision envelope
    steps = np.nonzero(recall[1:] != recall[:-1])[0]
    return float(np.sum((recall[steps + 1] - recall[steps]) * precision[steps + 1]))


def mean_average_precision(detections, truths, num_classes: int = NUM_CLASSES,
                           iou_threshold: float = IOU_THRESHOLD) -> tuple[float, list[float]]:
    """(mAP, AP per class) of ``detections`` against ``truths``, VOC style.

    Both are lists with one dict per image: detections ``boxes`` (n, 4), ``scores`` (n,),
    ``labels`` (n,); truths ``boxes`` (m, 4), ``labels`` (m,). Per class, detections of all
    images are ranked by score (ties: image order, then detection order); each one matches the
    ground-truth box of its class in its image with the highest IoU if that IoU ≥
    ``iou_threshold`` and the box is not yet taken (a second detection of a taken box is a
    false positive). A class without ground truth has AP ``nan`` and is left out of the mean;
    one with ground truth but no detections has AP 0."""
    if len(detections) != len(truths):
        raise ValueError(f"检测结果有 {len(detections)} 张图，真实标注有 {len(truths)} 张图，应一一对应")
    per_class: list[float] = []
    for c in range(num_classes):
        scores, is_tp, n_truth = [], [], 0
        for det, truth in zip(detections, truths):
            gt = np.asarray(truth["boxes"], dtype=np.float64).reshape(-1, 4)[np.asarray(truth["labels"]) == c]
            n_truth += len(gt)
            mine = np.asarray(det["labels"]) == c
            d_boxes = np.asarray(det["boxes"], dtype=np.float64).reshape(-1, 4)[mine]
            d_scores = np.asarray(det["scores"], dtype=np.float64).reshape(-1)[mine]
            taken = np.zeros(len(gt), dtype=bool)
            ious = box_iou_matrix(d_boxes, gt) if len(gt) else np.zeros((len(d_boxes), 0))
            hits = np.zeros(len(d_boxes), dtype=bool)
            for i in np.argsort(-d_scores, kind="stable"):
                if ious.shape[1]:
                    j = int(ious[i].argmax())
                    if ious[i, j] >= iou_threshold and not taken[j]:
                        taken[j] = hits[i] = True
            scores.append(d_scores)
            is_tp.append(hits)
        if n_truth == 0:
            per_class.append(float("nan"))
            continue
        per_class.append(average_precision(np.concatenate(scores), np.concatenate(is_tp), n_truth))
    present = [ap for ap in per_class if not np.isnan(ap)]
    if not present:
        raise ValueError("真实标注里没有任何框，无法计算 mAP")
    return float(np.mean(present)), per_class
