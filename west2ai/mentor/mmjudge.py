"""Stage 6's exported image–text models, judged outside the student's kernel (see ``judge.py``).

- ``clip-pairs``: the program reads scenes (N, 1, CANVAS, CANVAS) as floats in [0, 1] and
  texts (M, CAPTION_MAX) as Unicode code points right-padded with 0 (``text.code_points``), and
  returns (image embeddings (N, D), text embeddings (M, D)). The grader measures zero-shot
  classification of the plain Fashion-MNIST test images (centred in empty scenes) with the
  prompt ``multimodal.PROMPT`` and with the ensemble ``multimodal.PROMPTS`` (the score), checks
  it again on the images moved by one grey level (a model that looks test images up fails),
  measures a linear probe on the same test images (``multimodal.linear_probe`` fitted on the
  frozen image embeddings of ``multimodal.probe_set``, labelled training images), and measures recall@1/@5 both ways on ``RETRIEVAL_PAIRS`` test pairs of seen and of unseen
  combinations drawn with the grading seed, each image's caption the canonical one.
- ``vqa-scenes``: the program reads scenes and questions (N, CAPTION_MAX) code points and
  returns answer scores (N, len(ANSWERS)); the grader measures accuracy on ``VQA_SCENES`` test
  scenes of seen and of unseen combinations drawn with the grading seed (the score: both pooled),
  and per question kind.

Step 1 (in the clean process) gets no test labels (only the probe's training labels, which are
no secret): it returns predicted classes, rankings and answers.
"""
from __future__ import annotations

import numpy as np

from .. import multimodal as mm
from ..text import code_points

RETRIEVAL_PAIRS = 1_000  # test pairs per group (seen, unseen)
VQA_SCENES = 2_000  # test scenes per group
TOP = 5  # ranks kept for recall@1 and recall@5
BATCH = 500


def _points(texts) -> np.ndarray:
    return code_points(list(texts), max_chars=mm.CAPTION_MAX, pad_to=mm.CAPTION_MAX).numpy()


# ------------------------------------------------------------------ the grader's inputs
def claim_inputs():
    """The zero-shot and linear-probe part of :func:`clip_inputs` (CLIP's claim that stage 6's
    03-paper-reading reproduces): the same for every seed."""
    from ..data import fashion_mnist_arrays

    images, labels = fashion_mnist_arrays("test")
    probe_images, probe_labels = mm.probe_set()
    arrays = {"zero_shot": mm.centred(images),
              "prompts": _points(t for template in mm.PROMPTS for t in mm.class_prompts(template)),
              "probe_images": probe_images, "probe_labels": probe_labels}
    return arrays, {"labels": labels}


def clip_inputs(seed: int):
    """(arrays for the judging process, what it is not given: zero-shot labels and each
    retrieval image's caption index per group). The probe's labelled training images are given."""
    arrays, truth = claim_inputs()
    for group in mm.GROUPS:
        pairs = mm.pairs("test", RETRIEVAL_PAIRS, seed, group=group)
        canonical = [mm.captions(s)[0] for s in pairs.scenes]
        distinct = sorted(set(canonical))
        arrays[f"{group}_images"] = pairs.images
        arrays[f"{group}_texts"] = _points(distinct)
        truth[group] = np.array([distinct.index(c) for c in canonical])
    return arrays, truth


def vqa_inputs(seed: int):
    arrays, truth = {}, {}
    for group in mm.GROUPS:
        data = mm.questions("test", VQA_SCENES, seed, group=group)
        arrays[f"{group}_images"] = data.images
        arrays[f"{group}_questions"] = _points(data.texts)
        truth[group] = (np.array([mm.ANSWERS.index(a) for a in data.answers]), np.array(data.kinds))
    return arrays, truth


# ------------------------------------------------------------------ step 1: embeddings and answers
def _floats(images: np.ndarray):
    import torch

    return torch.from_numpy(images.astype(np.float32) / 255.0).unsqueeze(1)


def embed(forward, images: np.ndarray | None = None, texts: np.ndarray | None = None) -> np.ndarray:
    """Embeddings of ``images`` (uint8 scenes) or of ``texts`` (code points) through
    ``forward(images, texts) -> (image_emb, text_emb)``; the other input is one dummy row."""
    import torch

    dummy_image, dummy_text = torch.zeros(1, 1, mm.CANVAS, mm.CANVAS), torch.zeros(1, mm.CAPTION_MAX, dtype=torch.int64)
    rows = images if images is not None else texts
    out = []
    with torch.no_grad():
        for start in range(0, len(rows), BATCH):
            chunk = rows[start:start + BATCH]
            if images is not None:
                got = forward(_floats(chunk), dummy_text)
            else:
                got = forward(dummy_image, torch.from_numpy(np.ascontiguousarray(chunk)))
            if not (isinstance(got, tuple) and len(got) == 2 and all(isinstance(g, torch.Tensor) and g.ndim == 2 for g in got)):
                raise ValueError("CLIP 模型应返回 (图像嵌入 (N, D), 文本嵌入 (M, D)) 两个张量")
            emb = got[0] if images is not None else got[1]
            if emb.shape[0] != len(chunk) or got[0].shape[1] != got[1].shape[1]:
                raise ValueError(f"嵌入形状不对：图像 {tuple(got[0].shape)}，文本 {tuple(got[1].shape)}（两者的维度 D 应相同）")
            if not torch.isfinite(emb).all():
                raise ValueError("嵌入含有 NaN 或无穷大")
            out.append(emb.float().numpy())
    return np.concatenate(out)


def _prompt_embeddings(forward, arrays) -> np.ndarray:
    return embed(forward, texts=arrays["prompts"]).reshape(len(mm.PROMPTS), len(mm.CLASSES_ZH), -1)


def claim_predictions(forward, arrays: dict[str, np.ndarray]) -> dict:
    """Zero-shot predictions with one prompt and with the ensemble, and the linear probe's."""
    return _claim_predictions(forward, arrays, _prompt_embeddings(forward, arrays))


def _claim_predictions(forward, arrays, prompts: np.ndarray) -> dict:
    images = embed(forward, images=arrays["zero_shot"])
    probe = embed(forward, images=arrays["probe_images"])
    return {"zero_shot": mm.zero_shot_predictions(images, prompts[0]).tolist(),
            "zero_shot_ensemble": mm.zero_shot_predictions(images, prompts).tolist(),
            "linear_probe": mm.linear_probe(probe, arrays["probe_labels"], images).tolist()}


def clip_predictions(forward, arrays: dict[str, np.ndarray]) -> dict:
    from .judge import jittered

    prompts = _prompt_embeddings(forward, arrays)
    result = _claim_predictions(forward, arrays, prompts)
    shaken = embed(forward, images=jittered(arrays["zero_shot"]))
    result["jittered"] = mm.zero_shot_predictions(shaken, prompts).tolist()
    for group in mm.GROUPS:
        im = embed(forward, images=arrays[f"{group}_images"])
        tx = embed(forward, texts=arrays[f"{group}_texts"])
        result[f"{group}_i2t"] = mm.top_k(im, tx, TOP).tolist()
        result[f"{group}_t2i"] = mm.top_k(tx, im, TOP).tolist()
    return result


def vqa_predictions(forward, arrays: dict[str, np.ndarray]) -> dict:
    import torch

    result = {}
    with torch.no_grad():
        for group in mm.GROUPS:
            images, questions = arrays[f"{group}_images"], arrays[f"{group}_questions"]
            preds = []
            for start in range(0, len(images), BATCH):
                n = len(images[start:start + BATCH])
                out = forward(_floats(images[start:start + BATCH]),
                              torch.from_numpy(np.ascontiguousarray(questions[start:start + BATCH])))
                if not isinstance(out, torch.Tensor) or out.shape != (n, len(mm.ANSWERS)):
                    raise ValueError(f"VQA 模型的输出应是形状为 (batch, {len(mm.ANSWERS)}) 的答案分数，"
                                     f"实际为 {tuple(getattr(out, 'shape', ()))}")
                preds.append(out.argmax(1))
            result[group] = torch.cat(preds).tolist()
    return result


# ------------------------------------------------------------------ step 2: figures
def claim_figures(result: dict, truth: dict) -> dict[str, float]:
    """Accuracies on the zero-shot test images: one prompt, the ensemble, the linear probe."""
    labels = truth["labels"]
    return {k: float((np.asarray(result[k]) == labels).mean()) for k in ("zero_shot", "zero_shot_ensemble", "linear_probe")}


def clip_figures(result: dict, truth: dict) -> dict[str, float]:
    figures = claim_figures(result, truth)
    figures["jittered"] = float((np.asarray(result["jittered"]) == truth["labels"]).mean())
    for group in mm.GROUPS:
        recall = mm.retrieval_recall(np.asarray(result[f"{group}_i2t"]), np.asarray(result[f"{group}_t2i"]), truth[group])
        figures.update({f"{group}_{k}": v for k, v in recall.items()})
    return figures


def vqa_figures(result: dict, truth: dict) -> dict[str, float]:
    figures, right = {}, []
    for group in mm.GROUPS:
        answers, kinds = truth[group]
        hit = np.asarray(result[group]) == answers
        right.append(hit)
        figures[group] = float(hit.mean())
        for kind in mm.QUESTION_KINDS:
            figures[f"{group}_{kind}"] = float(hit[kinds == kind].mean())
    figures["all"] = float(np.concatenate(right).mean())
    return figures


def clip_details(figures: dict[str, float]) -> str:
    return (f"单一提示 {figures['zero_shot']:.2%}、提示集成 {figures['zero_shot_ensemble']:.2%}、"
            f"线性探针 {figures['linear_probe']:.2%}；检索 R@1/R@5 图→文、文→图：已见 "
            f"{figures['seen_i2t@1']:.0%}/{figures['seen_i2t@5']:.0%}、{figures['seen_t2i@1']:.0%}/{figures['seen_t2i@5']:.0%}，"
            f"未见 {figures['unseen_i2t@1']:.0%}/{figures['unseen_i2t@5']:.0%}、"
            f"{figures['unseen_t2i@1']:.0%}/{figures['unseen_t2i@5']:.0%}")


def vqa_details(figures: dict[str, float]) -> str:
    kinds = "、".join(f"{k} {figures['seen_' + k]:.0%}/{figures['unseen_' + k]:.0%}" for k in mm.QUESTION_KINDS)
    return f"已见组合 {figures['seen']:.2%}，未见组合 {figures['unseen']:.2%}；各类问题（已见/未见）：{kinds}"
