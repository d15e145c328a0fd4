"""The fixture sites' ground truth, kept with the mentor.

Hidden tests compare what a student's scraper collected with these tables; the student
package serves the sites (``west2ai.sites``) but no longer hands out the tables themselves
(a student cell that reaches for them is flagged by the tamper scan). Each table is
computed from the site's seed, never from anything a scraper reports.
"""
from __future__ import annotations

from collections import Counter

import pandas as pd

from ..sites import notice, qa

__all__ = ["expected_qa", "normalize_text", "notice_tables", "qa_truth", "score_qa", "site_truth"]


# ------------------------------------------------------------------ the notice site
def notice_tables(seed: int = notice.DEFAULT_SEED, n_notices: int = notice.DEFAULT_N_NOTICES,
                  base_url: str = "http://127.0.0.1") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Ground truth ``(notices, attachments)`` of a site, without serving it.

    ``notices``: one row per notice, newest first — notice_id, date (``YYYY-MM-DD``),
    publisher (no brackets), title (the full clean title), url (absolute detail URL: what a
    scraper gets by joining the list's href with the page URL), path (``/info/{column}/{id}.htm``,
    or ``/content.jsp?…&wbnewsid={id}`` with its query for 教材中心), page (1 = ``/jxtz.htm``),
    list_url, n_attachments, views, column, publisher_page and publisher_list_url (the notice's
    page in its publisher's own list ``/jxtz/{abbr}.htm``, ``/jxtz/{abbr}/{N}.htm``).
    ``attachments``: one row per attachment — file_id (``wbfileid``), notice_id, notice_url,
    name, downloads (what the clicktimes endpoint answers), url (absolute download URL), path
    (path and query), size (bytes).
    """
    return notice._tables(notice.generate(seed, n_notices), base_url)


def site_truth(site: notice.NoticeSite) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``notice_tables`` of a running notice site (its own seed, size and address)."""
    return notice._tables(site.data, site.base_url)


# ------------------------------------------------------------------ the Q&A site
def qa_truth(seed: int = 0):
    """Every question and answer of the site for ``seed``, as a pandas DataFrame.

    Columns: question_id, question_title, question_text, answer_index, answer_text; rows in
    feed order, then each question's answer order (answer_index counts from 0).
    """
    rows = [
        {"question_id": q.id, "question_title": q.title, "question_text": q.detail,
         "answer_index": i, "answer_text": a.content}
        for q in qa._generate(seed) for i, a in enumerate(q.answers)
    ]
    return pd.DataFrame(rows, columns=["question_id", "question_title", "question_text",
                                       "answer_index", "answer_text"])




def normalize_text(value) -> str:
    """Text with runs of whitespace collapsed and the ends stripped (for comparisons)."""
    return " ".join(str(value).split())


def expected_qa(seed: int = 0, n_questions: int = 50, n_answers: int = 20):
    """The rows a scraper should collect: the first ``n_questions`` questions of the feed and
    the first ``n_answers`` answers of each (columns question_title, question_text,
    answer_text)."""
    truth = qa_truth(seed)
    qids = list(truth.question_id.unique()[:n_questions])
    rows = truth[truth.question_id.isin(qids) & (truth.answer_index < n_answers)]
    return rows[["question_title", "question_text", "answer_text"]].reset_index(drop=True)


def score_qa(df, seed: int = 0, n_questions: int = 50, n_answers: int = 20) -> dict:
    """Compare a scraped table (question_title, question_text, answer_text) with the truth.

    Computed here from the seed, never from anything the scraper reports. Returns:
    ``n_titles`` distinct titles in ``df``; ``title_rate`` share of the expected questions
    found (by title); ``text_rate`` share of expected questions whose question_text matches;
    ``bad_counts`` {title: rows} for expected questions without exactly ``n_answers`` rows;
    ``n_rows``; ``answer_rate`` share of the expected answers found under their question
    (order-free, each counted once); ``n_excerpts`` answers that are still cut-off excerpts.
    Texts are compared after collapsing whitespace.
    """
    expected = expected_qa(seed, n_questions, n_answers)
    got = {}
    for title, text, answer in zip(df["question_title"], df["question_text"], df["answer_text"]):
        entry = got.setdefault(normalize_text(title), {"texts": [], "answers": []})
        entry["texts"].append(normalize_text(text))
        entry["answers"].append(normalize_text(answer))
    titles = list(dict.fromkeys(expected.question_title))
    found = texts_ok = answers_ok = 0
    bad_counts = {}
    for title in titles:
        rows = expected[expected.question_title == title]
        entry = got.get(normalize_text(title))
        if entry is None:
            bad_counts[title] = 0
            continue
        found += 1
        texts_ok += entry["texts"][0] == normalize_text(rows.question_text.iloc[0])
        if len(entry["answers"]) != n_answers:
            bad_counts[title] = len(entry["answers"])
        want = Counter(normalize_text(a) for a in rows.answer_text)
        answers_ok += sum((Counter(entry["answers"]) & want).values())
    n_excerpts = sum(a.endswith("…") for e in got.values() for a in e["answers"])
    return {
        "n_titles": len(got), "title_rate": found / len(titles), "text_rate": texts_ok / len(titles),
        "bad_counts": bad_counts, "n_rows": len(df), "answer_rate": answers_ok / len(expected),
        "n_excerpts": n_excerpts,
    }
