"""Stage 4's exported text models, judged outside the student's kernel (see ``judge.py``).

- ``sentiment-test``: the program reads Unicode code points, shape (batch, length), and returns
  class scores (batch, 2). The grader feeds the test reviews cut and right-padded to
  ``REVIEW_MAX_CHARS`` (``torch.export`` fixes a recurrent layer's length), and a second copy
  with one random character of every review doubled: a model that learnt sentiment shrugs
  that off, one that looks reviews up does not.
- ``poem-lm``: the program reads ids of ``text.poem_vocab()``, shape (batch, length) with
  length 1 … ``LM_CONTEXT``, and returns next-character logits (batch, length, vocab). The
  grader computes the held-out poems' cross-entropy in nats per character (each poem
  ``^text^`` read in windows of ``LM_CONTEXT``, by ``text.poem_nats`` as in the notebook) and
  samples ``SAMPLES`` poems from ``^`` with its own fixed seed, temperature and top-k, whose
  complete lines give the format score.
"""
from __future__ import annotations

import numpy as np

from .. import text

SAMPLES = 32  # poems the grader samples
SAMPLE_SEED = 1998
TEMPERATURE = 0.8
TOP_K = 20
MAX_NEW = text.LM_CONTEXT - 1  # characters per sample at most: the context never has to slide
PERTURB_DROP = 0.05  # a model losing more accuracy than this on the perturbed reviews looked them up


def flatten(rows) -> dict[str, np.ndarray]:
    """Ragged int rows as two arrays (``flat``, ``offsets``) that ``np.savez`` can store."""
    lengths = [len(r) for r in rows]
    flat = np.fromiter((v for r in rows for v in r), dtype=np.int64, count=sum(lengths))
    return {"flat": flat, "offsets": np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)}


def unflatten(flat: np.ndarray, offsets: np.ndarray) -> list[np.ndarray]:
    return [flat[a:b] for a, b in zip(offsets[:-1], offsets[1:])]


# ------------------------------------------------------------------ the grader's inputs
def perturbed(texts, seed: int | None = None) -> list[str]:
    """Each text with one character, at a random place, doubled."""
    rng = np.random.default_rng(seed)
    out = []
    for t in texts:
        i = int(rng.integers(len(t))) if t else 0
        out.append(t[:i + 1] + t[i:] if t else t)
    return out


def sentiment_inputs() -> tuple[dict[str, np.ndarray], np.ndarray]:
    """The arrays the judging process gets (code points of the test reviews, clean and
    perturbed, cut to ``REVIEW_MAX_CHARS``) and the labels it does not get."""
    test = text.reviews("test")
    cut = [t[:text.REVIEW_MAX_CHARS] for t in test.texts]
    clean = flatten([[ord(c) for c in t] for t in cut])
    shaken = flatten([[ord(c) for c in t] for t in perturbed(cut)])  # one longer: _scores cuts it
    return ({"flat": clean["flat"], "offsets": clean["offsets"],
             "flat_perturbed": shaken["flat"], "offsets_perturbed": shaken["offsets"]},
            np.asarray(test.labels, dtype=np.int64))


def poem_inputs() -> dict[str, np.ndarray]:
    """The held-out poems as ids of ``text.poem_vocab()``, wrapped in ``^``."""
    return flatten(text.poem_ids(text.poem_split()[1]))


# ------------------------------------------------------------------ step 1, in the clean process
def _scores(module, rows: list[np.ndarray], batch: int) -> list[int]:
    """Predicted class of every row (code points), right-padded to ``REVIEW_MAX_CHARS``."""
    import torch

    padded = np.full((len(rows), text.REVIEW_MAX_CHARS), text.PAD, dtype=np.int64)
    for i, row in enumerate(rows):
        padded[i, :len(row)] = row[:text.REVIEW_MAX_CHARS]
    preds = []
    with torch.no_grad():
        for start in range(0, len(padded), batch):
            x = torch.from_numpy(padded[start:start + batch])
            out = module(x)
            if not isinstance(out, torch.Tensor) or out.shape != (len(x), 2):
                raise ValueError(f"情感模型的输出应是形状为 (batch, 2) 的张量，实际为 {tuple(getattr(out, 'shape', ()))}")
            preds += out.argmax(1).tolist()
    return preds


def sentiment_predictions(module, arrays, batch: int) -> dict:
    return {"predictions": _scores(module, unflatten(arrays["flat"], arrays["offsets"]), batch),
            "jittered": _scores(module, unflatten(arrays["flat_perturbed"], arrays["offsets_perturbed"]), batch)}


def lm_logits(module, x, vocab: int):
    """``module(x)`` checked as a language model's output, (batch, length, ``vocab``) finite
    logits, as floats; ``ValueError`` saying what is wrong otherwise. The grader and the
    notebook's self-check (``grading.poem_lm_figures``) both read a model through this."""
    import torch

    out = module(x)
    if not isinstance(out, torch.Tensor) or out.shape != (*x.shape, vocab):
        raise ValueError(f"语言模型的输出应是形状为 (batch, 长度, {vocab}) 的张量，实际为 {tuple(getattr(out, 'shape', ()))}")
    if not torch.isfinite(out).all():
        raise ValueError("语言模型的输出含有 NaN 或无穷大")
    return out.float()


def sample_ids(forward, vocab: int, n: int = SAMPLES, seed: int = SAMPLE_SEED, temperature: float = TEMPERATURE,
               top_k: int = TOP_K, max_new: int = MAX_NEW, context: int = text.LM_CONTEXT) -> list[list[int]]:
    """``n`` samples from ``^`` (id 0) with temperature and top-k, each until its closing ``^``
    or ``max_new`` characters; returned without the opening ``^``. A finished sample leaves
    the batch, so the cost follows the samples' real lengths."""
    import torch

    gen = torch.Generator().manual_seed(seed)
    seqs = torch.zeros((n, 1), dtype=torch.int64)
    out: list[list[int] | None] = [None] * n
    active = list(range(n))
    with torch.no_grad():
        for _ in range(max_new):
            logits = lm_logits(forward, seqs[:, -context:], vocab)[:, -1] / temperature
            kth = torch.topk(logits, min(top_k, vocab)).values[:, -1:]
            logits = logits.masked_fill(logits < kth, float("-inf"))
            nxt = torch.multinomial(torch.softmax(logits, dim=-1), 1, generator=gen)
            seqs = torch.cat([seqs, nxt], dim=1)
            finished = (nxt[:, 0] == 0).tolist()
            for row, done in zip(active, finished):
                if done:
                    out[row] = seqs[active.index(row), 1:].tolist()
            keep = [i for i, done in enumerate(finished) if not done]
            active = [active[i] for i in keep]
            seqs = seqs[keep]
            if not active:
                break
    for i, row in enumerate(active):
        out[row] = seqs[i, 1:].tolist()
    return [s for s in out if s is not None]


def poem_predictions(module, arrays) -> dict:
    vocab = len(text.poem_vocab())

    def forward(x):
        return lm_logits(module, x, vocab)

    poems_ids = unflatten(arrays["flat"], arrays["offsets"])
    return {"nats": text.poem_nats(forward, poems_ids), "samples": sample_ids(module, vocab)}


# ------------------------------------------------------------------ step 2, in the grader
def decode(samples: list[list[int]]) -> list[str]:
    itos = text.poem_vocab()
    return ["".join(itos[i] for i in s) for s in samples]
