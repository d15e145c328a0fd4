"""Stage 6's image–text data, generated here from Fashion-MNIST and Chinese templates (COURSE.md §6).

A scene is a ``CANVAS``-pixel square holding Fashion-MNIST items of 28×28 pixels in its four
quadrants (``SLOTS``: 左上, 右上, 左下, 右下), or a single item in the centre. From a scene come

- :func:`pairs`: one or two items and a Chinese caption naming the items, their positions and
  relations (CLIP-style image–text pairs; :func:`captions` lists every wording of a scene);
- :func:`questions`: one to four items and a question with its answer (VQA): what is in a
  quadrant, how many tops or shoes, which side an item is on, whether there is an item.

**Held-out combinations**: class ``c`` never stands in quadrant ``c % 4`` (``HELD_OUT``) in any
training or validation scene the package generates; the grader's test scenes, drawn from the
Fashion-MNIST *test* images with a seed chosen at grading time, contain them, so a model is also
measured on combinations it never saw. Training and validation use disjoint parts of the
training images, as in ``west2ai.detection``.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .detection import item_source, split_rng

CANVAS = 56  # scenes are CANVAS × CANVAS grey images
ITEM = 28
CLASSES_ZH = ("T恤", "裤子", "套头衫", "连衣裙", "外套", "凉鞋", "衬衫", "运动鞋", "包", "短靴")
MEASURE = ("件", "条", "件", "条", "件", "双", "件", "双", "个", "双")
SLOTS = ("左上", "右上", "左下", "右下")
CENTRE = 4  # the slot of a single centred item
OFFSETS = ((0, 0), (ITEM, 0), (0, ITEM), (ITEM, ITEM), (ITEM // 2, ITEM // 2))  # (x, y) of each slot
HELD_OUT = frozenset((c, c % 4) for c in range(len(CLASSES_ZH)))  # (class, quadrant) never in training
TOPS = (0, 2, 4, 6)  # T恤、套头衫、外套、衬衫: "上衣"
SHOES = (5, 7, 9)  # 凉鞋、运动鞋、短靴: "鞋"
CAPTION_MAX = 24  # characters: every caption and question fits
SPLIT_SEEDS = {"train": 10, "val": 11}
GROUPS = ("seen", "unseen")  # test scenes without / with a held-out combination


@dataclass(frozen=True)
class Scene:
    items: tuple[tuple[int, int], ...]  # (class, slot) pairs, slots ascending

    def held_out(self) -> bool:
        return any(pair in HELD_OUT for pair in self.items)


@dataclass(frozen=True)
class Scenes:
    images: np.ndarray  # (n, CANVAS, CANVAS) uint8
    scenes: tuple[Scene, ...]
    texts: tuple[str, ...]  # the caption (pairs) or the question (questions) of each scene
    answers: tuple[str, ...] = ()  # questions only
    kinds: tuple[str, ...] = ()  # questions only: what / count / side / exists

    def __len__(self) -> int:
        return len(self.images)


def _name(c: int) -> str:
    return MEASURE[c] + CLASSES_ZH[c]


def captions(scene: Scene) -> list[str]:
    """Every caption template filled in for ``scene`` (one or two items); the first is the
    canonical one the grader's retrieval test uses."""
    if len(scene.items) == 1:
        (c, slot), = scene.items
        if slot == CENTRE:
            return [f"一{_name(c)}", f"一张{CLASSES_ZH[c]}的照片", f"图中是一{_name(c)}", f"画面中间有一{_name(c)}",
                    f"这是一{_name(c)}"]
        where = SLOTS[slot]
        return [f"{where}有一{_name(c)}", f"一{_name(c)}在{where}", f"{where}角是一{_name(c)}",
                f"只有{where}有东西：一{_name(c)}"]
    (a, p), (b, q) = scene.items
    if (p, q) in ((0, 1), (2, 3)):  # one row: a on the left
        return [f"左边是一{_name(a)}，右边是一{_name(b)}", f"{CLASSES_ZH[a]}在{CLASSES_ZH[b]}的左边",
                f"{CLASSES_ZH[b]}在{CLASSES_ZH[a]}的右边", f"{'上' if p == 0 else '下'}面一排：{CLASSES_ZH[a]}和{CLASSES_ZH[b]}"]
    if (p, q) in ((0, 2), (1, 3)):  # one column: a above
        return [f"上面是一{_name(a)}，下面是一{_name(b)}", f"{CLASSES_ZH[a]}在{CLASSES_ZH[b]}的上面",
                f"{CLASSES_ZH[b]}在{CLASSES_ZH[a]}的下面", f"{'左' if p == 0 else '右'}边一列：{CLASSES_ZH[a]}和{CLASSES_ZH[b]}"]
    return [f"{SLOTS[p]}是一{_name(a)}，{SLOTS[q]}是一{_name(b)}",  # a diagonal
            f"{CLASSES_ZH[a]}在{SLOTS[p]}，{CLASSES_ZH[b]}在{SLOTS[q]}"]


def _layout(rng, counts: tuple[int, int], centre: bool, distinct: bool, held_out: str | None) -> Scene:
    """A random scene of ``counts`` items (inclusive range) honouring ``held_out``: "exclude" (no
    held-out pair), "only" (at least one), or None."""
    while True:
        k = int(rng.integers(counts[0], counts[1] + 1))
        if k == 1 and centre and rng.random() < 0.5:
            slots = [CENTRE]
        else:
            slots = sorted(int(s) for s in rng.choice(4, size=k, replace=False))
        classes = (rng.choice(len(CLASSES_ZH), size=k, replace=False) if distinct
                   else rng.integers(len(CLASSES_ZH), size=k))
        scene = Scene(tuple((int(c), s) for c, s in zip(classes, slots)))
        if held_out is None or (held_out == "only") == scene.held_out():
            return scene


def _paint(scenes: list[Scene], split: str, rng) -> np.ndarray:
    items, classes = item_source(split)
    by_class = [np.flatnonzero(classes == c) for c in range(len(CLASSES_ZH))]
    images = np.zeros((len(scenes), CANVAS, CANVAS), dtype=np.uint8)
    for n, scene in enumerate(scenes):
        for c, slot in scene.items:
            x, y = OFFSETS[slot]
            images[n, y:y + ITEM, x:x + ITEM] = items[by_class[c][int(rng.integers(len(by_class[c])))]]
    return images


def _rng(split: str, seed: int | None, salt: int):
    return split_rng(split, seed, SPLIT_SEEDS, "测试场景", salt)


def _held_out_mode(split: str, group: str | None) -> str | None:
    if split != "test":
        if group not in (None, "seen"):
            raise ValueError("训练与验证数据里没有留出的组合（group 只能是 'seen'）")
        return "exclude"
    if group not in (None, *GROUPS):
        raise ValueError(f"group 应为 {GROUPS} 之一或 None，而不是 {group!r}")
    return {"seen": "exclude", "unseen": "only", None: None}[group]


def pairs(split: str, count: int, seed: int | None = None, group: str | None = None) -> Scenes:
    """``count`` image–caption pairs with one or two distinct items (half of the single items
    centred), each with a caption drawn from :func:`captions`. Training and validation never
    contain a ``HELD_OUT`` combination; test pairs are drawn with ``seed`` from the test images,
    only ``seen`` or only ``unseen`` combinations if ``group`` says so."""
    rng = _rng(split, seed, 0)
    mode = _held_out_mode(split, group)
    scenes = [_layout(rng, (1, 2), centre=True, distinct=True, held_out=mode) for _ in range(count)]
    texts = tuple(str(rng.choice(captions(s))) for s in scenes)
    return Scenes(_paint(scenes, split, rng), tuple(scenes), texts)


ANSWERS = CLASSES_ZH + ("空", "0", "1", "2", "3", "4", "左边", "右边", "有", "没有")
QUESTION_KINDS = ("what", "count", "side", "exists")


def ask(scene: Scene, kind: str, rng) -> tuple[str, str] | None:
    """A question of ``kind`` about ``scene`` and its answer, or None when this scene cannot
    answer it (``side`` needs exactly one item of the class asked about)."""
    present = [c for c, _ in scene.items]
    if kind == "what":  # mostly an occupied quadrant, sometimes an empty one
        taken = [s for _, s in scene.items]
        slot = int(rng.choice(taken)) if rng.random() < 0.75 or len(taken) == 4 else int(rng.choice(
            [s for s in range(4) if s not in taken]))
        there = [c for c, s in scene.items if s == slot]
        return f"{SLOTS[slot]}是什么？", CLASSES_ZH[there[0]] if there else "空"
    if kind == "count":
        tops = bool(rng.integers(2))
        group, word = (TOPS, "件上衣") if tops else (SHOES, "双鞋")
        return f"有几{word}？", str(sum(c in group for c in present))
    if kind == "side":
        single = [c for c in set(present) if present.count(c) == 1]
        if not single:
            return None
        c = int(rng.choice(sorted(single)))
        slot = next(s for k, s in scene.items if k == c)
        return f"{CLASSES_ZH[c]}在哪边？", "左边" if slot in (0, 2) else "右边"
    if kind == "exists":
        c = int(rng.choice(present)) if rng.random() < 0.5 else int(rng.integers(len(CLASSES_ZH)))
        return f"有{CLASSES_ZH[c]}吗？", "有" if c in present else "没有"
    raise ValueError(f"问题类型应为 {QUESTION_KINDS} 之一，而不是 {kind!r}")


def questions(split: str, count: int, seed: int | None = None, group: str | None = None) -> Scenes:
    """``count`` scenes of one to four items in the quadrants, each with one question (the
    kinds in turn) and its answer, one of ``ANSWERS``. Held-out combinations as in :func:`pairs`."""
    rng = _rng(split, seed, 1)
    mode = _held_out_mode(split, group)
    scenes, texts, answers, kinds = [], [], [], []
    while len(scenes) < count:
        kind = QUESTION_KINDS[len(scenes) % len(QUESTION_KINDS)]
        scene = _layout(rng, (1, 4), centre=False, distinct=False, held_out=mode)
        asked = ask(scene, kind, rng)
        if asked is None:
            continue
        scenes.append(scene)
        texts.append(asked[0])
        answers.append(asked[1])
        kinds.append(kind)
    return Scenes(_paint(scenes, split, rng), tuple(scenes), tuple(texts), tuple(answers), tuple(kinds))


# ---------------------------------------------------------------- the grader's measures
PROMPT = "一张{c}的照片"  # zero-shot classification with one prompt
PROMPTS = (PROMPT, "一{m}{c}", "图中是一{m}{c}", "画面中间有一{m}{c}", "这是一{m}{c}", "照片里是一{m}{c}")  # ensembling


def class_prompts(template: str) -> list[str]:
    """``template`` filled in for the ten classes, in class order."""
    return [template.format(c=CLASSES_ZH[k], m=MEASURE[k]) for k in range(len(CLASSES_ZH))]


def centred(images: np.ndarray) -> np.ndarray:
    """Plain 28×28 Fashion-MNIST images put in the centre of empty scenes (zero-shot inputs)."""
    images = np.asarray(images, dtype=np.uint8)
    if images.ndim != 3 or images.shape[1:] != (ITEM, ITEM):
        raise ValueError(f"应是 (n, {ITEM}, {ITEM}) 的图片，实际为 {images.shape}")
    out = np.zeros((len(images), CANVAS, CANVAS), dtype=np.uint8)
    x, y = OFFSETS[CENTRE]
    out[:, y:y + ITEM, x:x + ITEM] = images
    return out


def _unit(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    return x / np.maximum(np.linalg.norm(x, axis=-1, keepdims=True), 1e-12)


def zero_shot_predictions(image_emb, prompt_embs) -> np.ndarray:
    """Predicted class of each image: the class whose prompt embedding is closest in cosine.
    ``prompt_embs`` is (classes, dim) for one prompt, or (prompts, classes, dim) to ensemble:
    each prompt's embeddings are normalised, averaged over the prompts, normalised again."""
    prompts = _unit(prompt_embs)
    if prompts.ndim == 3:
        prompts = _unit(prompts.mean(axis=0))
    return (_unit(image_emb) @ prompts.T).argmax(axis=1)


PROBE_IMAGES = 5_000  # labelled training images the linear probe is fitted on
PROBE_SEED = 2021  # picks them (CLIP's year): fixed, the same for every student and the grader
PROBE_STEPS = 100  # L-BFGS iterations of the linear probe
PROBE_DECAY = 1e-4  # its weight decay: loss = mean cross-entropy + PROBE_DECAY / 2 · ‖W‖²


def probe_set() -> tuple[np.ndarray, np.ndarray]:
    """The linear probe's training set: ``PROBE_IMAGES`` Fashion-MNIST training images (a fixed
    subset) centred in empty scenes, and their labels."""
    from .data import fashion_mnist_arrays

    images, labels = fashion_mnist_arrays("train")
    pick = np.sort(np.random.default_rng(PROBE_SEED).choice(len(images), PROBE_IMAGES, replace=False))
    return centred(images[pick]), labels[pick].astype(np.int64)


def linear_probe(train_emb, train_labels, test_emb, steps: int = PROBE_STEPS, decay: float = PROBE_DECAY) -> np.ndarray:
    """Predicted class of each ``test_emb`` row by the grader's linear probe: multinomial logistic
    regression (weights and bias, both starting at zero) on the L2-normalised ``train_emb``, in
    float64, fitted full-batch by ``steps`` L-BFGS iterations (strong Wolfe line search) on the
    mean cross-entropy plus ``decay / 2`` times the squared weights (not the bias)."""
    import torch

    x = torch.from_numpy(_unit(train_emb))
    y = torch.from_numpy(np.asarray(train_labels, dtype=np.int64))
    if x.ndim != 2 or y.shape != (len(x),):
        raise ValueError(f"训练嵌入应是 (n, D)、标签应是 (n,)，实际为 {tuple(x.shape)} 与 {tuple(y.shape)}")
    weight = torch.zeros(x.shape[1], int(y.max()) + 1, dtype=torch.float64, requires_grad=True)
    bias = torch.zeros(weight.shape[1], dtype=torch.float64, requires_grad=True)
    optimiser = torch.optim.LBFGS([weight, bias], lr=1.0, max_iter=steps, history_size=20,
                                  tolerance_grad=1e-9, tolerance_change=1e-12, line_search_fn="strong_wolfe")

    def loss():
        optimiser.zero_grad()
        value = torch.nn.functional.cross_entropy(x @ weight + bias, y) + decay / 2 * (weight * weight).sum()
        value.backward()
        return value

    optimiser.step(loss)
    with torch.no_grad():
        return (torch.from_numpy(_unit(test_emb)) @ weight + bias).argmax(1).numpy()


def top_k(query_emb, key_emb, k: int) -> np.ndarray:
    """Indices of the ``k`` keys most similar (cosine) to each query, best first."""
    sim = _unit(query_emb) @ _unit(key_emb).T
    k = min(k, sim.shape[1])
    part = np.argpartition(-sim, k - 1, axis=1)[:, :k]
    order = np.take_along_axis(-sim, part, axis=1).argsort(axis=1, kind="stable")
    return np.take_along_axis(part, order, axis=1)


def retrieval_recall(image_to_text: np.ndarray, text_to_image: np.ndarray, truth: np.ndarray,
                     ks=(1, 5)) -> dict[str, float]:
    """Recall@k both ways. ``truth[i]`` is the index of image ``i``'s caption among the distinct
    captions; ``image_to_text`` (images, ≥ max k) and ``text_to_image`` (captions, ≥ max k) are
    the :func:`top_k` rankings. Several images can share a caption: image→text is a hit when
    the caption is in the image's top k; text→image when any of the caption's images is."""
    truth = np.asarray(truth)
    out = {}
    for k in ks:
        out[f"i2t@{k}"] = float(np.mean([truth[i] in image_to_text[i, :k] for i in range(len(truth))]))
        captions_with_images = np.unique(truth)
        out[f"t2i@{k}"] = float(np.mean([np.any(truth[text_to_image[j, :k]] == j) for j in captions_with_images]))
    return out
