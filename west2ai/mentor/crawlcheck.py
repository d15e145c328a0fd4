"""The hidden checks of stage 2/01's crawl, one per aspect of the saved CSV files.

Each check compares what the student saved (``notices.csv``, ``attachments.csv``, crawled from
the default site) with the site's truth — at least 99 % must agree — and then runs the
student's ``crawl`` on a small site of another seed and compares the same aspect exactly, so
that a crawler fitted to one site still fails. A failure raises ``AssertionError`` with a
Chinese message that says what was checked and what the student's crawl produced, never the
expected value. The notebook's hidden test cells call these (mentor-side: the release never
shows them, and a student cell that imports them is flagged by the tamper scan).
"""
from __future__ import annotations

import contextlib
import io
import posixpath
import warnings
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import pandas as pd

from ..sites import serve_notice_site
from ..sites.notice import ATTACHMENT_CSV_COLUMNS, NOTICE_CSV_COLUMNS
from .truth import notice_tables, site_truth

SEED = 2024  # the site the notebook crawls
OTHER_SITE_NOTICES = 45  # three list pages: the pager must be followed


def _require(condition, message: str) -> None:
    if not condition:
        raise AssertionError(message)


def path_of(url) -> str:
    """A notice or attachment URL without its host: the path, plus the query (教材中心's content.jsp?…)."""
    parts = urlsplit(str(url).strip())
    return posixpath.normpath(parts.path) + (f"?{parts.query}" if parts.query else "")


def file_id_of(url) -> str:
    return (parse_qs(urlsplit(str(url).strip()).query).get("wbfileid") or [""])[0]


@dataclass
class OtherCrawl:
    """The student's crawl of a small site of another seed, beside that site's truth."""

    notices: pd.DataFrame
    attachments: pd.DataFrame
    truth_notices: pd.DataFrame
    truth_attachments: pd.DataFrame

    def found(self) -> set[str]:
        """Paths of the crawled notices that exist on the site."""
        return set(self.notices["url"].map(path_of)) & set(self.truth_notices["path"])

    def truth_attachments_found(self) -> pd.DataFrame:
        """The site's attachments of the notices the crawl found."""
        found = self.found()
        _require(len(found) >= OTHER_SITE_NOTICES // 2,
                 f"在另一个站点（{OTHER_SITE_NOTICES} 条通知）上，crawl 只拿到 {len(found)} 条能与网站对上的通知，无法检查附件")
        return self.truth_attachments[self.truth_attachments["notice_url"].map(path_of).isin(found)]


def crawl_other_site(crawl, seed: int, attachments: bool = False) -> OtherCrawl:
    """Run ``crawl`` (quietly) on a small site of ``seed``; check the shapes it returns."""
    with serve_notice_site(seed=seed, n_notices=OTHER_SITE_NOTICES) as site, \
            contextlib.redirect_stderr(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        notices, atts = crawl(site.base_url, min_notices=OTHER_SITE_NOTICES, progress=False)
        truth_notices, truth_attachments = site_truth(site)
    _require(type(notices) is pd.DataFrame and "url" in notices.columns,
             f"在另一个站点上，crawl 返回的 notices 应是含 url 列的 DataFrame，你返回了 {type(notices).__name__}")
    if attachments:
        _require(type(atts) is pd.DataFrame and set(ATTACHMENT_CSV_COLUMNS) <= set(atts.columns),
                 f"在另一个站点上，crawl 应返回两个 DataFrame，attachments 的列为 {list(ATTACHMENT_CSV_COLUMNS)}"
                 "（没有附件也要有这些列）")
    return OtherCrawl(notices, atts, truth_notices, truth_attachments)


# ------------------------------------------------------------------ notices.csv
def check_rows(got: pd.DataFrame, crawl, seed: int) -> None:
    """No duplicates, real notices, the newest 500 covered; elsewhere every notice in site order."""
    truth, _ = notice_tables(seed=SEED)
    paths = got["url"].map(path_of)
    _require(paths.is_unique, f"notices.csv 里有 {int(paths.duplicated().sum())} 条重复的通知")
    real = paths.isin(set(truth.path)).mean()
    _require(real >= 0.99, f"notices.csv 里只有 {real:.1%} 的详情链接是网站上存在的通知（要求 ≥ 99%）")
    cover = len(set(truth.path[:500]) & set(paths))
    _require(cover >= 495, f"最新的 500 条通知你只爬到 {cover} 条：翻页是否从第一页开始、按倒序编号一页不漏？")
    other = crawl_other_site(crawl, seed)
    _require(list(other.notices.columns) == list(NOTICE_CSV_COLUMNS),
             f"在另一个站点上，crawl 返回的 notices 的列应为 {list(NOTICE_CSV_COLUMNS)}，你返回了 {list(other.notices.columns)}")
    _require(list(other.notices["url"].map(path_of)) == list(other.truth_notices.path),
             f"在另一个站点（{OTHER_SITE_NOTICES} 条通知）上，crawl 没有按网站的顺序拿到全部通知：你得到 {len(other.notices)} 条")


def check_field(got: pd.DataFrame, crawl, field: str, seed: int, hint: str) -> None:
    """One column of notices.csv against the site (≥ 99 %), then exactly on another site."""
    truth, _ = notice_tables(seed=SEED)
    merged = got.assign(path=got["url"].map(path_of)).merge(truth, on="path", suffixes=("", "_true"))
    _require(len(merged) >= 500,
             f"notices.csv 里只有 {len(merged)} 条能与网站上的通知对上（要求 ≥ 500），先让条数与覆盖那一项通过")
    wrong = merged[field] != merged[f"{field}_true"]
    _require(1 - wrong.mean() >= 0.99, f"{field} 列只有 {1 - wrong.mean():.1%} 与网站一致（要求 ≥ 99%），"
                                      f"例如你的 {merged.loc[wrong, field].head(2).tolist()}：{hint}")
    other = crawl_other_site(crawl, seed)
    _require(field in other.notices.columns, f"在另一个站点上，crawl 返回的 notices 缺少 {field} 列")
    merged = (other.notices.assign(path=other.notices["url"].map(path_of))
              .merge(other.truth_notices, on="path", suffixes=("", "_true")))
    _require(len(merged) >= OTHER_SITE_NOTICES // 2,
             f"在另一个站点（{OTHER_SITE_NOTICES} 条通知）上，crawl 只拿到 {len(merged)} 条能与网站对上的通知，无法检查 {field}")
    wrong = merged.loc[merged[field] != merged[f"{field}_true"], field].head(2).tolist()
    _require(not wrong, f"在另一个站点上，crawl 得到的 {field} 与网站不一致，例如你的 {wrong}：{hint}")


# ------------------------------------------------------------------ attachments.csv
def _expected_attachments(got: pd.DataFrame, attachments: pd.DataFrame) -> pd.DataFrame:
    """The site's ``attachments`` of the notices in the student's notices.csv."""
    mine = set(got["url"].map(path_of))
    expected = attachments[attachments.notice_url.map(path_of).isin(mine)]
    _require(len(expected) > 100, f"notices.csv 里能与网站对上的通知太少（它们只有 {len(expected)} 个附件），先让条数与覆盖那一项通过")
    return expected


def check_attachments(att_got: pd.DataFrame, got: pd.DataFrame, crawl, seed: int) -> None:
    """Every attachment (notice, name) of the crawled notices, none extra; elsewhere exactly."""
    expected = _expected_attachments(got, notice_tables(seed=SEED)[1])
    want = set(zip(expected["notice_url"].map(path_of), expected["name"]))
    have = set(zip(att_got["notice_url"].map(path_of), att_got["name"].str.strip()))
    hit = len(want & have) / len(want)
    _require(hit >= 0.99, f"只有 {hit:.1%} 的附件（所属通知、附件名）与网站一致（要求 ≥ 99%）：每条通知的详情页都爬了吗？附件名清洗了吗？")
    extra = len(have - want)
    _require(extra <= 0.01 * len(want), f"attachments.csv 里有 {extra} 个附件在网站上找不到（所属通知或附件名不对）")
    other = crawl_other_site(crawl, seed, attachments=True)
    truth = other.truth_attachments_found()
    _require(sorted(zip(other.attachments["notice_url"].map(path_of), other.attachments["name"]))
             == sorted(zip(truth["notice_url"].map(path_of), truth["name"])),
             f"在另一个站点上，crawl 得到的附件（所属通知、附件名）与网站不一致：你得到 {len(other.attachments)} 个附件")


def check_attachment_urls(att_got: pd.DataFrame, crawl, seed: int) -> None:
    """Each attachment's download URL names its own file; elsewhere exactly the site's URLs."""
    _, attachments = notice_tables(seed=SEED)
    true = set(zip(attachments["notice_url"].map(path_of), attachments["name"],
                   attachments["file_id"].astype(str), attachments["url"].map(path_of)))
    have = list(zip(att_got["notice_url"].map(path_of), att_got["name"].str.strip(),
                    att_got["url"].map(file_id_of), att_got["url"].map(path_of)))
    ok = sum(key in true for key in have) / len(have)
    _require(ok >= 0.99, f"只有 {ok:.1%} 的附件下载链接与网站一致（要求 ≥ 99%），例如你的 {att_got['url'].iloc[0]!r}："
                         "链接里的 wbfileid 要与附件对应")
    other = crawl_other_site(crawl, seed, attachments=True)
    truth = other.truth_attachments_found()
    _require(sorted(zip(other.attachments["name"], other.attachments["url"])) == sorted(zip(truth["name"], truth["url"])),
             "在另一个站点上，crawl 得到的附件下载链接与网站不一致：用 urljoin(详情页网址, href) 拼出完整网址")


def check_downloads(att_got: pd.DataFrame, got: pd.DataFrame, crawl, seed: int) -> None:
    """Each attachment's download count (by its own file id); elsewhere exactly."""
    _, attachments = notice_tables(seed=SEED)
    expected = _expected_attachments(got, attachments)
    true = dict(zip(attachments.file_id.astype(str), attachments.downloads.astype(str)))
    pairs = dict(zip(att_got["url"].map(file_id_of), att_got["downloads"].str.strip()))
    right = sum(true.get(k) == v for k, v in pairs.items())
    _require(right >= 0.99 * len(expected), f"只有 {right}/{len(expected)} 个附件的下载次数与网站一致（要求 ≥ 99%）："
                                            "每个附件查的是它自己的 file_id 吗？")
    other = crawl_other_site(crawl, seed, attachments=True)
    truth = other.truth_attachments_found()
    mine = sorted(zip(other.attachments["notice_url"].map(path_of), other.attachments["name"],
                      pd.to_numeric(other.attachments["downloads"], errors="coerce")))
    _require(mine == sorted(zip(truth["notice_url"].map(path_of), truth["name"], truth["downloads"])),
             f"在另一个站点上，crawl 得到的下载次数与网站不一致（你得到 {len(other.attachments)} 个附件）："
             "download_count 用的是传入的 base_url 吗？")
