"""Stage 5's detection data and measure (west2ai/detection.py): generated canvases that are the
same on every machine and whose test canvases depend on the grader's seed, and VOC's mAP."""
from __future__ import annotations

import math
import re

import numpy as np
import pytest
import torch
from torchvision.ops import batched_nms, box_iou

from west2ai import detection
from west2ai.data import fashion_mnist_arrays

pytestmark = pytest.mark.usefixtures("fashion_mnist")


def test_canvases_are_deterministic_and_test_canvases_follow_the_seed():
    a, b = detection.canvases("train", 40), detection.canvases("train", 40)
    assert np.array_equal(a.images, b.images) and all(np.array_equal(x, y) for x, y in zip(a.boxes, b.boxes))
    assert not np.array_equal(a.images, detection.canvases("val", 40).images)
    one, two = detection.canvases("test", 40, seed=1), detection.canvases("test", 40, seed=2)
    assert not np.array_equal(one.images, two.images), "不同的评分种子应画出不同的测试画布"
    assert np.array_equal(one.images, detection.canvases("test", 40, seed=1).images)
    with pytest.raises(ValueError, match="seed"):
        detection.canvases("test", 10)
    with pytest.raises(ValueError, match="split"):
        detection.canvases("valid", 10)


def test_training_and_validation_items_are_disjoint_parts_of_the_training_images():
    images, labels = fashion_mnist_arrays("train")
    train, val = detection.item_source("train"), detection.item_source("val")
    assert len(train[0]) + len(val[0]) == len(images) and len(val[0]) == detection.VAL_ITEMS
    assert np.array_equal(train[0], images[:-detection.VAL_ITEMS]) and np.array_equal(val[0], images[-detection.VAL_ITEMS:])
    assert np.array_equal(np.concatenate([train[1], val[1]]), labels)
    assert np.array_equal(detection.item_source("test")[0], fashion_mnist_arrays("test")[0])


def test_every_item_pixel_lies_in_a_box_of_its_canvas():
    data = detection.canvases("val", 300)
    assert data.images.shape == (300, detection.CANVAS, detection.CANVAS) and data.images.dtype == np.uint8
    counts = [len(b) for b in data.boxes]
    assert min(counts) >= 1 and max(counts) <= detection.ITEMS_PER_CANVAS[1] and 2.0 < np.mean(counts) < 3.0, counts
    for image, boxes, labels in zip(data.images, data.boxes, data.labels):
        assert boxes.dtype == np.float32 and labels.dtype == np.int64 and len(boxes) == len(labels)
        assert (boxes[:, :2] >= 0).all() and (boxes[:, 2:] <= detection.CANVAS).all()
        assert (boxes[:, 2:] > boxes[:, :2]).all() and ((0 <= labels) & (labels < 10)).all()
        covered = np.zeros(image.shape, dtype=bool)
        for x1, y1, x2, y2 in boxes.astype(int):
            covered[y1:y2, x1:x2] = True
        assert not (image[~covered] > detection.MASK_LEVEL).any(), "框外不应有物品像素"
        if len(boxes) > 1:
            iou = detection.box_iou_matrix(boxes, boxes)
            assert iou[~np.eye(len(boxes), dtype=bool)].max() <= detection.MAX_OVERLAP + 1e-6


def test_box_iou_matrix_matches_torchvision():
    rng = np.random.default_rng(0)
    a = np.sort(rng.uniform(0, 64, (30, 2, 2)), axis=1).transpose(0, 2, 1).reshape(30, 4)[:, [0, 2, 1, 3]]
    b = np.sort(rng.uniform(0, 64, (20, 2, 2)), axis=1).transpose(0, 2, 1).reshape(20, 4)[:, [0, 2, 1, 3]]
    assert np.allclose(detection.box_iou_matrix(a, b), box_iou(torch.tensor(a), torch.tensor(b)).numpy(), atol=1e-12)


def det(boxes, scores, labels):
    return {"boxes": np.asarray(boxes, float).reshape(-1, 4), "scores": np.asarray(scores, float),
            "labels": np.asarray(labels, int)}


def gt(boxes, labels):
    return {"boxes": np.asarray(boxes, float).reshape(-1, 4), "labels": np.asarray(labels, int)}


A, B, C = [0, 0, 10, 10], [20, 20, 30, 30], [40, 40, 50, 50]


def test_average_precision_all_point_interpolation_by_hand():
    # ranked TP, FP, TP of 2 truths: precision 1, 1/2, 2/3 at recall 1/2, 1/2, 1 → 1/2·1 + 1/2·2/3
    assert detection.average_precision([0.9, 0.8, 0.7], [1, 0, 1], 2) == pytest.approx(5 / 6)
    # the envelope: TP FP FP TP TP of 4 truths (one never found) → 1/4·1 + 2/4·(3/5)
    assert detection.average_precision([5, 4, 3, 2, 1], [1, 0, 0, 1, 1], 4) == pytest.approx(0.25 + 0.5 * 0.6)
    assert detection.average_precision([], [], 3) == 0.0
    # tied scores keep the given order: TP first, or FP first
    assert detection.average_precision([0.5, 0.5], [1, 0], 1) == 1.0
    assert detection.average_precision([0.5, 0.5], [0, 1], 1) == pytest.approx(0.5)
    with pytest.raises(ValueError):
        detection.average_precision([0.5], [0], 0)


def test_mean_average_precision_duplicates_empty_classes_and_matching():
    truths = [gt([A, B], [0, 1]), gt([C], [0])]
    perfect = [det([A, B], [0.9, 0.8], [0, 1]), det([C], [0.7], [0])]
    mean, per_class = detection.mean_average_precision(perfect, truths)
    assert mean == 1.0 and per_class[:2] == [1.0, 1.0] and all(math.isnan(p) for p in per_class[2:])
    # a duplicate of a taken box is a false positive, even above the other true positive
    dup = [det([A, A, B], [0.9, 0.85, 0.8], [0, 0, 1]), det([C], [0.7], [0])]
    mean, per_class = detection.mean_average_precision(dup, truths)
    assert per_class[0] == pytest.approx(0.5 * 1 + 0.5 * 2 / 3) and per_class[1] == 1.0
    # the wrong class does not match; a class with truths but no detections has AP 0
    wrong = [det([A, B], [0.9, 0.8], [0, 2]), det([C], [0.7], [0])]
    mean, per_class = detection.mean_average_precision(wrong, truths)
    assert per_class[1] == 0.0 and math.isnan(per_class[3]) and per_class[2] != per_class[2]  # 2: no truths
    assert mean == pytest.approx(0.5)
    # IoU 0.5 exactly matches; just below does not
    half = [0, 0, 10, 20]  # IoU with A is 100 / 200 = 0.5
    assert detection.mean_average_precision([det([half], [1], [0])], [gt([A], [0])])[0] == 1.0
    assert detection.mean_average_precision([det([[0, 0, 10, 20.5]], [1], [0])], [gt([A], [0])])[0] == 0.0
    with pytest.raises(ValueError, match="一一对应"):
        detection.mean_average_precision(perfect, truths[:1])
    with pytest.raises(ValueError, match="没有任何框"):
        detection.mean_average_precision([det([], [], [])], [gt([], [])])


def test_postprocess_is_class_wise_nms_with_a_floor_and_a_cap():
    boxes = torch.tensor([[A, [1, 1, 11, 11], A, C]], dtype=torch.float32)
    scores = torch.zeros(1, 4, 10)
    scores[0, 0, 3], scores[0, 1, 3], scores[0, 2, 5], scores[0, 3, 1] = 0.9, 0.8, 0.6, 0.005
    out = detection.postprocess(boxes, scores)[0]
    # box 1 overlaps box 0 of the same class (IoU 0.68): suppressed; box 2 is another class: kept;
    # box 3 scores below the floor
    assert out["labels"].tolist() == [3, 5] and out["scores"].tolist() == pytest.approx([0.9, 0.6])
    rng = torch.Generator().manual_seed(0)
    xy = torch.rand(1, 300, 2, generator=rng) * 50
    many = torch.cat([xy, xy + 4 + torch.rand(1, 300, 2, generator=rng) * 10], -1)
    s = torch.rand(1, 300, 10, generator=rng)
    got = detection.postprocess(many, s)[0]
    k, c = torch.nonzero(s[0] >= detection.SCORE_MIN, as_tuple=True)
    want = batched_nms(many[0][k], s[0][k, c], c, detection.NMS_IOU)[:detection.MAX_DETECTIONS]
    assert len(got["scores"]) == detection.MAX_DETECTIONS
    # an inverted box (x2 < x1) is empty: it suppresses nothing
    flipped = torch.tensor([[[10, 0, 0, 10], [0, 0, 10, 10]]], dtype=torch.float32)
    two = torch.zeros(1, 2, 10)
    two[0, :, 4] = torch.tensor([0.9, 0.8])
    out = detection.postprocess(flipped, two)[0]
    assert out["scores"].tolist() == pytest.approx([0.9, 0.8]) and out["boxes"][0].tolist() == [10, 0, 10, 10]
    assert np.array_equal(got["scores"], s[0][k, c][want].numpy())


def test_dense_output_says_what_is_wrong():
    good = torch.rand(2, 5, 14)
    boxes, scores = detection.dense_output(good, 2)
    assert boxes.shape == (2, 5, 4) and scores.shape == (2, 5, 10)
    for bad, words in ((torch.rand(2, 5, 15), "(batch=2, K, 14)"), (torch.rand(3, 5, 14), "(batch=2"),
                       (good * 3, "[0, 1]"), (good.log() * 0 / 0, "NaN")):
        with pytest.raises(ValueError, match=re.escape(words)):
            detection.dense_output(bad, 2)


def test_references_blocked_refuses_every_way_to_the_references_and_restores_them():
    from torchvision.ops import nms as early_alias

    from west2ai import grading

    boxes, scores = torch.tensor([[0.0, 0, 10, 10], [1, 1, 11, 11]]), torch.tensor([0.9, 0.8])
    compiled = torch.ops.torchvision.nms.default  # the compiled operator, taken before the block
    with grading.references_blocked():
        for call in (lambda: early_alias(boxes, scores, 0.5), lambda: torch.ops.torchvision.nms(boxes, scores, 0.5),
                     lambda: compiled(boxes, scores, 0.5),
                     lambda: box_iou(boxes, boxes), lambda: detection.box_iou_matrix(boxes.numpy(), boxes.numpy()),
                     lambda: detection.average_precision([1.0], [1], 1)):
            with pytest.raises(RuntimeError, match="已被禁用"):
                call()
        assert (boxes[:, 2:] - boxes[:, :2]).prod(1).tolist() == [100.0, 100.0], "张量运算本身不受影响"
    assert early_alias(boxes, scores, 0.5).tolist() == [0] and detection.average_precision([1.0], [1], 1) == 1.0
    assert box_iou(boxes, boxes)[0, 0] == 1.0
