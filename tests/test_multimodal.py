"""Stage 6's image–text data (west2ai/multimodal.py): deterministic scenes whose pictures match
their captions and answers, and held-out combinations absent from every training set."""
from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from west2ai import multimodal as mm
from west2ai.data import fashion_mnist_arrays

pytestmark = pytest.mark.usefixtures("fashion_mnist")


@pytest.mark.parametrize("make", [mm.pairs, mm.questions])
def test_held_out_combinations_never_appear_in_training_or_validation(make):
    for split in ("train", "val"):
        data = make(split, 3000)
        seen = Counter(pair for scene in data.scenes for pair in scene.items if pair[1] != mm.CENTRE)
        assert not set(seen) & mm.HELD_OUT, f"{split} 含有留出的组合：{set(seen) & mm.HELD_OUT}"
        # every other (class, quadrant) combination does appear
        assert len(seen) == 4 * len(mm.CLASSES_ZH) - len(mm.HELD_OUT), sorted(seen)
    unseen = make("test", 300, seed=5, group="unseen")
    assert all(scene.held_out() for scene in unseen.scenes)
    assert not any(scene.held_out() for scene in make("test", 300, seed=5, group="seen").scenes)
    with pytest.raises(ValueError, match="留出"):
        make("train", 10, group="unseen")


@pytest.mark.parametrize("make", [mm.pairs, mm.questions])
def test_scenes_are_deterministic_and_test_scenes_follow_the_seed(make):
    a, b = make("train", 50), make("train", 50)
    assert np.array_equal(a.images, b.images) and a.texts == b.texts and a.scenes == b.scenes
    one, two = make("test", 50, seed=1), make("test", 50, seed=2)
    assert not np.array_equal(one.images, two.images) and one.texts != two.texts
    with pytest.raises(ValueError, match="seed"):
        make("test", 5)


def test_pictures_match_the_layout():
    items, labels = fashion_mnist_arrays("test")
    data = mm.pairs("test", 200, seed=9)
    for image, scene in zip(data.images, data.scenes):
        painted = np.zeros_like(image, dtype=bool)
        for c, slot in scene.items:
            x, y = mm.OFFSETS[slot]
            patch = image[y:y + mm.ITEM, x:x + mm.ITEM]
            match = np.flatnonzero((items == patch).all(axis=(1, 2)))
            assert len(match) and c in labels[match], f"{mm.SLOTS[slot] if slot < 4 else '中间'} 的物品不是类别 {c}"
            painted[y:y + mm.ITEM, x:x + mm.ITEM] = True
        assert not image[~painted].any(), "物品之外应是黑底"


def test_captions_name_the_items_and_fit():
    data = mm.pairs("train", 2000)
    for text, scene in zip(data.texts, data.scenes):
        assert text in mm.captions(scene) and len(text) <= mm.CAPTION_MAX, text
        for c, _ in scene.items:
            assert mm.CLASSES_ZH[c] in text, (text, scene)
    centre = mm.Scene(((8, mm.CENTRE),))
    assert mm.captions(centre)[:2] == ["一个包", "一张包的照片"]
    row = mm.Scene(((0, 2), (7, 3)))
    assert mm.captions(row)[0] == "左边是一件T恤，右边是一双运动鞋" and "T恤在运动鞋的左边" in mm.captions(row)
    column = mm.Scene(((9, 1), (1, 3)))
    assert "短靴在裤子的上面" in mm.captions(column)


def test_questions_have_the_right_answers():
    data = mm.questions("val", 2000)
    assert set(data.answers) <= set(mm.ANSWERS) and set(data.kinds) == set(mm.QUESTION_KINDS)
    for text, answer, kind, scene in zip(data.texts, data.answers, data.kinds, data.scenes):
        present = [c for c, _ in scene.items]
        assert len(text) <= mm.CAPTION_MAX
        if kind == "what":
            slot = mm.SLOTS.index(text[:2])
            there = [c for c, s in scene.items if s == slot]
            assert answer == (mm.CLASSES_ZH[there[0]] if there else "空"), (text, answer, scene)
        elif kind == "count":
            group = mm.TOPS if "上衣" in text else mm.SHOES
            assert answer == str(sum(c in group for c in present)), (text, answer, scene)
        elif kind == "side":
            c = mm.CLASSES_ZH.index(text[:-4])
            assert present.count(c) == 1, (text, scene)
            slot = next(s for k, s in scene.items if k == c)
            assert answer == ("左边" if slot in (0, 2) else "右边"), (text, answer, scene)
        else:
            c = mm.CLASSES_ZH.index(text[1:-2])
            assert answer == ("有" if c in present else "没有"), (text, answer, scene)
    answers = Counter(a for a, k in zip(data.answers, data.kinds) if k == "what")
    assert answers["空"] < 0.35 * sum(answers.values()), answers


def test_zero_shot_prompts_and_centred_images():
    prompts = mm.class_prompts(mm.PROMPT)
    assert prompts[0] == "一张T恤的照片" and prompts[8] == "一张包的照片" and len(prompts) == 10
    assert mm.class_prompts("一{m}{c}")[5] == "一双凉鞋"
    assert all(len(p) <= mm.CAPTION_MAX for t in mm.PROMPTS for p in mm.class_prompts(t))
    images, _ = fashion_mnist_arrays("test")
    scenes = mm.centred(images[:3])
    assert scenes.shape == (3, mm.CANVAS, mm.CANVAS) and np.array_equal(scenes[:, 14:42, 14:42], images[:3])
    assert scenes.sum() == images[:3].astype(np.int64).sum()
    with pytest.raises(ValueError, match="28"):
        mm.centred(scenes)


def test_zero_shot_ensemble_averages_normalised_prompt_embeddings():
    image = np.array([[1.0, 0.2]])
    one = np.array([[1.0, 0.0], [0.0, 1.0]])
    assert mm.zero_shot_predictions(image, one).tolist() == [0]
    # a second prompt, ten times as long, pointing class 0 away: after normalising each prompt
    # the average decides (class 0: (1, 0) and (0, 1) → (0.5, 0.5); class 1 stays (0, 1))
    two = np.stack([one, np.array([[0.0, 10.0], [0.0, 10.0]])])
    assert mm.zero_shot_predictions(image, two).tolist() == [0]
    assert mm.zero_shot_predictions(np.array([[0.2, 1.0]]), two).tolist() == [1]


def test_recall_counts_a_shared_caption_for_every_image_that_has_it():
    # three images, two distinct captions: images 0 and 1 share caption 0
    truth = np.array([0, 0, 1])
    image_emb = np.array([[1.0, 0.0], [0.9, 0.1], [1.0, 0.05]])
    text_emb = np.array([[1.0, 0.0], [0.0, 1.0]])
    i2t, t2i = mm.top_k(image_emb, text_emb, 2), mm.top_k(text_emb, image_emb, 2)
    assert i2t.tolist() == [[0, 1], [0, 1], [0, 1]] and t2i.tolist() == [[0, 2], [1, 2]]
    recall = mm.retrieval_recall(i2t, t2i, truth, ks=(1, 2))
    assert recall == {"i2t@1": pytest.approx(2 / 3), "t2i@1": 0.5, "i2t@2": 1.0, "t2i@2": 1.0}, recall


def test_linear_probe_separates_separable_classes_deterministically():
    rng = np.random.default_rng(3)
    directions = rng.normal(size=(4, 16))
    labels = rng.integers(4, size=400)
    train = 3 * directions[labels] + rng.normal(size=(400, 16))  # linearly separable after normalising
    test_labels = rng.integers(4, size=200)
    test = 3 * directions[test_labels] + rng.normal(size=(200, 16))
    fitted = mm.linear_probe(train, labels, train)
    assert (fitted == labels).mean() == 1.0, (fitted != labels).sum()
    predicted = mm.linear_probe(train, labels, test)
    assert predicted.dtype.kind == "i" and predicted.shape == (200,) and (predicted == test_labels).mean() > 0.97
    assert np.array_equal(predicted, mm.linear_probe(train, labels, test))
    # only the direction counts: the same embeddings scaled row by row give the same classes
    scale = rng.uniform(0.1, 10, size=(400, 1))
    assert np.array_equal(predicted, mm.linear_probe(train * scale, labels, test * 7))
    with pytest.raises(ValueError, match="标签"):
        mm.linear_probe(train, labels[:-1], test)


def test_probe_set_is_fixed_labelled_training_images_centred():
    images, labels = mm.probe_set()
    assert images.shape == (mm.PROBE_IMAGES, mm.CANVAS, mm.CANVAS) and labels.shape == (mm.PROBE_IMAGES,)
    assert np.array_equal(images, mm.probe_set()[0]) and np.bincount(labels).min() > 400
    train, train_labels = fashion_mnist_arrays("train")
    first = np.flatnonzero((train == images[0, 14:42, 14:42]).all(axis=(1, 2)))
    assert len(first) and labels[0] in train_labels[first]
