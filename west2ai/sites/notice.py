"""A faithful local copy of the Fuzhou University 教务处 "教学通知" list (stage 2 scraping).

The real site (``https://jwch.fzu.edu.cn/jxtz.htm``) cannot be reached from grading machines,
and students must not hammer a university server from a grading run, so the course serves a
copy generated from a seed on 127.0.0.1 (``specs/notice-site.md`` records what the real site
serves)::

    with serve_notice_site(seed=2024) as site:
        requests.get(site.base_url + "/jxtz.htm")
        site.example_notice()   # a detail page to look at
        # the ground-truth tables are mentor-side: west2ai.mentor.truth.site_truth(site)

What it copies from the real site (a scraper written for the real site works here once its
base URL is changed):

- Scale: 4,327 notices by default (:data:`DEFAULT_N_NOTICES`), dated 2013-09 to 2025-06, on
  217 list pages: as many as the real list had when students wrote their scrapers, so the page
  numbers 150–215 they hard-code exist. Pages render on request; generating the content takes
  about 10 ms per thousand notices.
- List pages: ``/jxtz.htm`` first, then ``/jxtz/{P-1}.htm`` … ``/jxtz/1.htm`` (page numbers
  count down), 20 notices a page, newest first, in ``<ul class="list-gl">``: each ``<li>`` has
  ``<span class="doclist_time">`` (the date, sometimes inside a red ``<font>``), a text node
  ``【发布单位】`` wrapped in ``\\r\\n``/tabs, and ``<a href title>`` whose ``title`` holds the
  full title (the link text is cut short for long titles, some carry ``<font>`` markup).
  The VSB pager: ``span.p_no > a`` links, the last one holding the page count, ``span.p_next``
  (``下页``) and ``<span class="p_t">共N条</span>``. Both ``ul.list-gl > li`` and
  ``/html/body/div[1]/div[2]/div[2]/div/div/div[3]/div[1]/ul/li`` select the 20 items.
- Columns: the detail link lives in the publisher's column (:data:`COLUMNS`), relative to the
  list page (``info/1035/N.htm`` on ``/jxtz.htm``, ``../info/1035/N.htm`` one level down)::

      综合科 1035 zhk      教学运行 1036 jxyx    教研科 1037 jyjg     计划科 1038 jhk
      实践科 1039 sjk      质量办 1040 zlb       考试中心 1041 kszx   学籍科 1152 tpxqglk
      教材中心 1042 jczx, served as content.jsp?urltype=news.NewsContentUrl&wbtreeid=1042&wbnewsid=N
      (linked as ``content.jsp?…`` or ``../content.jsp?…``, with bare ``&``)

  1035–1040, 1152 ``tpxqglk`` and the ``content.jsp`` form of 1042 are the real site's; which
  publisher 1152 belongs to is not recorded (学籍科 here), and 考试中心's column (1041 ``kszx``)
  and the abbreviations of 1035, 1036 and 1042 are our choice. Each publisher has its own list,
  ``/jxtz/{abbr}.htm`` then ``/jxtz/{abbr}/{N}.htm``, counting down like the main one.
- Ids in the real ranges: notice ids (``wbnewsid``) rise from about 5,600 to 14,300 on the
  default site, attachment ids (``wbfileid``) from about 13.05 M to 16.7 M.
- Detail pages (``/info/{column}/N.htm``, ``/content.jsp?…``): the breadcrumb
  ``<p class="w-main-dh-text">`` whose third (last) link is the publisher
  (``/html/body/div/div[2]/div[1]/p/a[3]``), the title ``<h4 align="center">``
  (``…/form/div/div[1]/div/div[1]/h4``), the date in ``div.fl.xl_sj > span.xl_sj_icon``
  (``发布时间：YYYY-MM-DD``) followed by ``span.xl_sj_icon2`` (the view count), the body in
  ``div.v_news_content``, all inside ``<div class="xl_main">``; 0–3 attachments as ``<li>`` of
  a ``<ul style="list-style-type:none;">`` that is a direct child of ``div.xl_main``
  (``//div[@class="xl_main"]/ul/li`` and
  ``/html/body/div/div[2]/div[2]/form/div/div[1]/div/ul/li``). Their links are
  ``/system/_content/download.jsp?urltype=news.DownloadAttachUrl&owner=1744984858&wbfileid=ID``
  with bare ``&`` in the HTML as served (parsers read them as they are).
- Download counts are not in the HTML: ``已下载<span id="nattachID"><script>getClickTimes(ID,
  1744984858,"wbnewsfile","attach")</script></span>次``; the script fetches
  ``/system/resource/code/news/click/clicktimes.jsp?wbnewsid=ID&owner=1744984858&type=wbnewsfile&randomid=nattach``,
  which answers compact JSON, ``wbshowtimes`` first: ``{"wbshowtimes":N,"randomid":"nattach",
  "wbnewsid":ID}``, for GET and for POST with the fields as form data (``type=wbnews`` gives a
  notice's view count).
- HTML is UTF-8 but the ``Content-Type`` header names no charset (as on many real sites):
  ``requests`` then guesses ISO-8859-1, so a scraper must set ``response.encoding``.

Differences, on purpose: downloading an attachment does not raise its count (the truth stays
fixed), unknown paths answer 404, and tests can inject failures and delays
(:meth:`NoticeSite.fail_next`, :meth:`NoticeSite.delay_next`) to check retries and timeouts.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import html
import json
import posixpath
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, quote, urlsplit

import numpy as np
import pandas as pd

OWNER = 1744984858
PER_PAGE = 20
DEFAULT_SEED = 2024
DEFAULT_N_NOTICES = 4327  # 217 list pages, the last one with 7 notices
FIRST_DAY = dt.date(2013, 9, 2)
LAST_DAY = dt.date(2025, 6, 20)
CRAWL_DAY = dt.date(2025, 6, 21)  # "today" for the download counts

# Column layout of the CSV files the stage 2 crawler writes (notebook 01), which notebook 03
# reads; :func:`crawl_tables` gives the same tables straight from the truth.
NOTICE_CSV_COLUMNS = ("date", "publisher", "title", "url")
ATTACHMENT_CSV_COLUMNS = ("notice_url", "name", "downloads", "url")

DOWNLOAD_PATH = "/system/_content/download.jsp"
CLICKTIMES_PATH = "/system/resource/code/news/click/clicktimes.jsp"
CONTENT_PATH = "/content.jsp"

# publisher: (column, abbreviation of its own list /jxtz/{abbr}.htm); see the module docstring
COLUMNS = {
    "综合科": (1035, "zhk"),
    "教学运行": (1036, "jxyx"),
    "教研科": (1037, "jyjg"),
    "计划科": (1038, "jhk"),
    "实践科": (1039, "sjk"),
    "质量办": (1040, "zlb"),
    "考试中心": (1041, "kszx"),
    "教材中心": (1042, "jczx"),
    "学籍科": (1152, "tpxqglk"),
}
CONTENT_COLUMN = 1042  # this column's notices are served through content.jsp


def detail_path(column: int, notice_id: int) -> str:
    """Path (and query) of a notice's detail page, as the site links it."""
    if column == CONTENT_COLUMN:
        return f"{CONTENT_PATH}?urltype=news.NewsContentUrl&wbtreeid={column}&wbnewsid={notice_id}"
    return f"/info/{column}/{notice_id}.htm"


def download_path(file_id: int) -> str:
    """Path and query of an attachment's download link."""
    return f"{DOWNLOAD_PATH}?urltype=news.DownloadAttachUrl&owner={OWNER}&wbfileid={file_id}"


def _list_path(prefix: str, n_pages: int, page: int) -> str:
    """Path of list page ``page`` (1 = newest) of the list ``prefix`` (``jxtz``, ``jxtz/zlb``)."""
    return f"/{prefix}.htm" if page == 1 else f"/{prefix}/{n_pages - page + 1}.htm"


def _n_pages(n: int) -> int:
    return max(1, -(-n // PER_PAGE))


# --------------------------------------------------------------------------- generation

# publisher: (base share, P(0,1,2,3 attachments), typical downloads of an old attachment,
#             boost at term start, boost in exam weeks)
PUBLISHERS = {
    "考试中心": (0.19, (0.35, 0.40, 0.18, 0.07), 950, 0.9, 2.6),
    "计划科": (0.17, (0.30, 0.42, 0.20, 0.08), 620, 2.4, 0.8),
    "质量办": (0.14, (0.55, 0.30, 0.12, 0.03), 170, 1.0, 1.0),
    "教研科": (0.12, (0.25, 0.40, 0.25, 0.10), 260, 0.8, 0.6),
    "实践科": (0.10, (0.30, 0.40, 0.20, 0.10), 420, 1.2, 0.9),
    "学籍科": (0.09, (0.40, 0.40, 0.15, 0.05), 720, 1.6, 1.4),
    "综合科": (0.07, (0.75, 0.20, 0.05, 0.00), 110, 1.0, 1.0),
    "教学运行": (0.07, (0.60, 0.30, 0.10, 0.00), 300, 1.5, 1.2),
    "教材中心": (0.05, (0.45, 0.45, 0.10, 0.00), 140, 2.0, 0.5),
}

# English names for plots (matplotlib has no CJK font on many machines, Colab included)
PUBLISHER_EN = {
    "考试中心": "Exam Center", "计划科": "Planning", "质量办": "Quality Office",
    "教研科": "Teaching Research", "实践科": "Practice", "学籍科": "Registry",
    "综合科": "General Affairs", "教学运行": "Operations", "教材中心": "Textbooks",
}

TITLES = {
    "考试中心": [
        "关于{year}年{half}全国大学英语四、六级考试报名的通知",
        "关于{term}期末考试安排的通知",
        "关于{term}期末考试安排的通知（第{batch}批）",
        "关于{term}补考安排的通知",
        "关于{year}年{half}全国计算机等级考试（NCRE）报名工作的通知",
        "关于做好{term}期末考试巡考工作的通知",
        "关于{term}课程考核材料归档的通知",
        "{term}重修考试时间安排",
        "关于{year}年{half}全国大学英语四、六级口语考试报名的通知",
        "关于{term}监考人员培训的通知",
    ],
    "计划科": [
        "关于{term}本科生选课的通知",
        "关于{term}补退选的通知",
        "关于{term}开课计划确认工作的通知",
        "关于修订{year}级本科专业人才培养方案的通知",
        "关于{term}课表查询及调课申请的通知",
        "关于{term}辅修、双学位选课的通知",
        "关于报送{term}教学任务书的通知",
        "关于{term}通识教育选修课开课申报的通知",
    ],
    "质量办": [
        "关于开展{term}期中教学检查工作的通知",
        "关于开展{term}学生评教工作的通知",
        "关于编制{year}年本科教学质量报告的通知",
        "关于组织{term}教学督导听课的通知",
        "关于开展{year}年本科专业评估自评工作的通知",
        "关于做好{term}教学信息员工作的通知",
        "关于公布{term}期初教学检查情况的通报",
    ],
    "教研科": [
        "关于申报{year}年省级一流本科课程的通知",
        "关于开展{year}年校级教学改革研究项目立项工作的通知",
        "关于举办第{nth}届青年教师教学竞赛的通知",
        "关于推荐{year}年福建省高等教育教学成果奖的通知",
        "关于{year}年校级教改项目结题验收的通知",
        "关于开展{year}年“课程思政”示范课程建设的通知",
        "关于组织申报{year}年产学合作协同育人项目的通知",
    ],
    "实践科": [
        "关于做好{year}届本科毕业设计（论文）工作的通知",
        "关于{year}年大学生创新创业训练计划项目立项的通知",
        "关于组织参加{year}年全国大学生数学建模竞赛的通知",
        "关于开展{term}实验教学检查的通知",
        "关于{year}届本科毕业设计（论文）中期检查的通知",
        "关于做好{term}学生实习安全工作的通知",
        "关于{year}年大学生学科竞赛经费报销的通知",
    ],
    "学籍科": [
        "关于{year}届本科毕业生学位资格审核的通知",
        "关于{year}级新生学籍电子注册的通知",
        "关于做好{term}转专业工作的通知",
        "关于{term}学生休学、复学办理的通知",
        "关于{year}届毕业生毕业资格初审结果的公示",
        "关于{term}学生缓考申请办理的通知",
        "关于核对{year}届毕业生信息的通知",
    ],
    "综合科": [
        "关于{holiday}放假期间教务工作安排的通知",
        "关于召开{year}年教务工作会议的通知",
        "关于教务处办公地点调整的通知",
        "关于{month}月{day}日调整课程安排的通知",
        "关于做好{year}年教学档案整理工作的通知",
    ],
    "教学运行": [
        "关于{term}调停课办理的通知",
        "{term}第{week}周教学运行情况通报",
        "关于{term}教室借用的通知",
        "关于{month}月{day}日停课、补课安排的通知",
        "关于{term}开学第一周教学秩序检查的通知",
    ],
    "教材中心": [
        "关于{term}教材征订工作的通知",
        "关于{term}教材发放的通知",
        "关于开展{year}年优秀教材评选推荐工作的通知",
        "关于{term}教材选用审核的通知",
    ],
}

SUFFIXES = ["", "", "", "", "", "", "", "", "（补充通知）", "（更新）", "（第二轮）"]

ATTACHMENTS = {
    "考试中心": ["{term}期末考试安排表", "考场安排及监考名单", "补考名单", "报名操作指南", "考试违纪处理办法"],
    "计划科": ["{term}选课操作指南", "开课计划表", "教学任务书模板", "课程一览表", "人才培养方案模板"],
    "质量办": ["教学检查情况汇总表", "听课记录表", "评教操作说明", "本科教学质量报告模板"],
    "教研科": ["项目申报书", "推荐汇总表", "课程建设方案", "结题验收表"],
    "实践科": ["毕业设计（论文）工作日程安排", "项目立项汇总表", "竞赛报名表", "实习安全承诺书"],
    "学籍科": ["学位资格审核名单", "转专业申请表", "休学复学申请表", "毕业生信息核对表"],
    "综合科": ["会议日程", "工作安排表"],
    "教学运行": ["调停课申请表", "教学运行情况汇总"],
    "教材中心": ["教材征订单", "教材选用审核表", "优秀教材推荐表"],
}
EXTENSIONS = [".docx", ".doc", ".xlsx", ".xls", ".pdf", ".zip", ".rar"]
EXT_WEIGHTS = [0.30, 0.15, 0.22, 0.10, 0.15, 0.05, 0.03]
HOLIDAYS = {1: "元旦", 2: "春节", 4: "清明节", 5: "劳动节", 6: "端午节", 9: "中秋节", 10: "国庆节"}


def _term(d: dt.date) -> str:
    """The academic term a date falls in, as the notices write it."""
    if d.month >= 8:
        return f"{d.year}-{d.year + 1}学年第一学期"
    if d.month == 1:
        return f"{d.year - 1}-{d.year}学年第一学期"
    return f"{d.year - 1}-{d.year}学年第二学期"


SEASONS = ("start", "exam", "break", "normal")
SEASON_RATE = {"start": 2.7, "exam": 2.2, "break": 0.22, "normal": 1.0}
WEEKDAY_RATE = np.array([1.0, 1.1, 1.0, 1.0, 0.9, 0.12, 0.06])


def _seasons(month: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Index into SEASONS for each date: term start, exam weeks, breaks, the rest."""
    md = month * 100 + day
    start = ((220 <= md) & (md <= 315)) | ((828 <= md) & (md <= 925))
    exam = ((610 <= md) & (md <= 705)) | (md >= 1220) | (md <= 115)
    brk = ((120 <= md) & (md <= 215)) | ((715 <= md) & (md <= 820)) | ((1001 <= md) & (md <= 1007))
    return np.select([start, exam, brk], [0, 1, 2], 3)


@dataclass
class NoticeData:
    """Everything the site serves, generated once from a seed (plain Python lists)."""

    seed: int
    notice_id: list   # newest first, as on the list pages
    column: list
    date: list        # datetime.date
    publisher: list
    title: list       # the clean full title
    title_attr: list  # the title attribute as served (a few carry stray spaces)
    important: list   # rendered with red <font> markup
    views: list
    attachments: list  # per notice: list of (file_id, name, downloads, size)
    _by_publisher: dict = field(default=None, repr=False, compare=False)

    @property
    def n(self) -> int:
        return len(self.notice_id)

    @property
    def n_pages(self) -> int:
        return _n_pages(self.n)

    def path(self, i: int) -> str:
        """Path (and query) of notice ``i``'s detail page."""
        return detail_path(self.column[i], self.notice_id[i])

    def of_publisher(self, publisher: str | None) -> list:
        """Indices (newest first) of the notices in ``publisher``'s list (all when None)."""
        if publisher is None:
            return list(range(self.n))
        if self._by_publisher is None:
            groups = {p: [] for p in COLUMNS}
            for i, p in enumerate(self.publisher):
                groups[p].append(i)
            self._by_publisher = groups
        return self._by_publisher[publisher]


def generate(seed: int = DEFAULT_SEED, n_notices: int = DEFAULT_N_NOTICES) -> NoticeData:
    """Generate the site's content; deterministic per (seed, n_notices), fast (vectorised:
    about 10 ms per thousand notices)."""
    if n_notices < 1:
        raise ValueError("n_notices must be positive")
    n = n_notices
    rng = np.random.default_rng(seed)
    n_days = (LAST_DAY - FIRST_DAY).days + 1
    calendar = pd.date_range(FIRST_DAY, periods=n_days, freq="D")
    season = _seasons(calendar.month.to_numpy(), calendar.day.to_numpy())
    weekday = (np.arange(n_days) + FIRST_DAY.weekday()) % 7
    rate = np.array([SEASON_RATE[s] for s in SEASONS])[season] * WEEKDAY_RATE[weekday]
    rate *= rng.lognormal(0.0, 0.35, size=n_days)  # day-to-day jitter: bursts within a season
    picks = np.sort(rng.choice(n_days, size=n, p=rate / rate.sum()))  # oldest first

    names = list(PUBLISHERS)
    base = np.array([PUBLISHERS[p][0] for p in names])
    boost = np.ones((len(SEASONS), len(names)))
    boost[0] = [PUBLISHERS[p][3] for p in names]  # term start
    boost[1] = [PUBLISHERS[p][4] for p in names]  # exam weeks

    # all random numbers drawn up front, all choices vectorised; only the texts are a loop
    u = rng.random((n, 12))
    noise = rng.lognormal(0.0, 0.55, size=(n, 3))
    view_noise = rng.lognormal(0.0, 0.4, size=n)
    id_gaps = rng.integers(1, 4, size=n)
    file_gaps = rng.integers(1, 1930, size=(n, 3))
    sizes = rng.integers(900, 6000, size=(n, 3))
    first_notice = 5600 + int(rng.integers(0, 400))
    first_file = 13_050_000 + int(rng.integers(0, 20_000))

    weights = base * boost[season[picks]]
    pub_cdf = np.cumsum(weights, axis=1) / weights.sum(axis=1, keepdims=True)
    pub = np.minimum((pub_cdf <= u[:, :1]).sum(axis=1), len(names) - 1)
    att_cdf = np.cumsum([PUBLISHERS[p][1] for p in names], axis=1)[pub]
    n_att = np.minimum((att_cdf <= u[:, 7:8]).sum(axis=1), 3)
    slot = np.arange(3)
    has = slot < n_att[:, None]
    file_ids = np.zeros((n, 3), dtype=np.int64)
    file_ids[has] = first_file + np.cumsum(file_gaps[has])
    ext_cdf = np.cumsum(EXT_WEIGHTS) / sum(EXT_WEIGHTS)
    ext = np.minimum((ext_cdf <= ((u[:, 9:10] + 0.61 * slot) % 1.0)[..., None]).sum(axis=2), len(EXTENSIONS) - 1)
    age = (CRAWL_DAY - FIRST_DAY).days - picks
    ramp = 1.0 - np.exp(-age / 40.0)  # new notices still collect downloads
    typical = np.array([PUBLISHERS[p][2] for p in names])[pub] * ramp
    downloads = np.rint(typical[:, None] * noise / (1 + 0.35 * slot)).astype(int)
    views = (np.rint(typical * 3 * view_noise) + 15).astype(int)
    notice_ids = first_notice + np.cumsum(id_gaps)
    dates = [FIRST_DAY + dt.timedelta(days=k) for k in picks.tolist()]

    def pick(seq, x):
        return seq[min(int(x * len(seq)), len(seq) - 1)]

    pubs = [names[k] for k in pub.tolist()]
    titles, attrs, atts = [], [], []
    for row, (d, p, r, k) in enumerate(zip(dates, pubs, u.tolist(), n_att.tolist())):
        term = _term(d)
        template = pick(TITLES[p], r[1])
        month = d.month
        slots = {
            "year": d.year + 1 if "届" in template and month >= 8 else d.year,
            "term": term,
            "half": "上半年" if month <= 6 else "下半年",
            "batch": pick("一二三", r[2]),
            "nth": d.year - 2008,
            "holiday": HOLIDAYS.get(month, HOLIDAYS.get(month + 1, "国庆节")),
            "month": month,
            "day": min(28, d.day + 1 + int(r[2] * 5)),
            "week": 1 + int(r[2] * 18),
        }
        title = template.format(**slots) + pick(SUFFIXES, r[3])
        attr = title
        if r[4] < 0.06:  # editors leave stray spaces around some titles
            attr = pick(["", " ", "\u3000", "  "], r[5]) + title + pick([" ", "\u3000", "  "], r[6])
        att, used = [], set()
        for j in range(k):
            stem = pick(ATTACHMENTS[p], (r[8] + 0.37 * j) % 1.0).format(term=term)
            if stem in used:
                stem = f"{stem}（{j + 1}）"
            used.add(stem)
            name = (f"附件{j + 1}：" if k > 1 else "") + stem + EXTENSIONS[ext[row, j]]
            att.append((int(file_ids[row, j]), name, int(downloads[row, j]), int(sizes[row, j])))
        titles.append(title)
        attrs.append(attr)
        atts.append(att)

    lists = (notice_ids.tolist(), [COLUMNS[p][0] for p in pubs], dates, pubs, titles, attrs,
             (u[:, 11] < 0.04).tolist(), views.tolist(), atts)
    return NoticeData(seed, *(lst[::-1] for lst in lists))  # newest first


# --------------------------------------------------------------------------- truth tables

def _tables(data: NoticeData, base_url: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    base_url = base_url.rstrip("/")
    p = data.n_pages
    paths = [data.path(i) for i in range(data.n)]
    pub_page = [0] * data.n
    pub_list = [""] * data.n
    for publisher, (_, abbr) in COLUMNS.items():
        idx = data.of_publisher(publisher)
        pages = _n_pages(len(idx))
        for k, i in enumerate(idx):
            pub_page[i] = k // PER_PAGE + 1
            pub_list[i] = base_url + _list_path(f"jxtz/{abbr}", pages, pub_page[i])
    page = [i // PER_PAGE + 1 for i in range(data.n)]
    notices = pd.DataFrame({
        "notice_id": data.notice_id,
        "date": [d.isoformat() for d in data.date],
        "publisher": data.publisher,
        "title": data.title,
        "url": [base_url + path for path in paths],
        "path": paths,
        "page": page,
        "list_url": [base_url + _list_path("jxtz", p, k) for k in page],
        "n_attachments": [len(a) for a in data.attachments],
        "views": data.views,
        "column": data.column,
        "publisher_page": pub_page,
        "publisher_list_url": pub_list,
    })
    attach_rows = [
        (file_id, data.notice_id[i], base_url + paths[i], name, downloads,
         base_url + download_path(file_id), download_path(file_id), size)
        for i in range(data.n) for file_id, name, downloads, size in data.attachments[i]
    ]
    attachments = pd.DataFrame(attach_rows, columns=[
        "file_id", "notice_id", "notice_url", "name", "downloads", "url", "path", "size"])
    return notices, attachments


def crawl_tables(seed: int = DEFAULT_SEED, n_notices: int = DEFAULT_N_NOTICES,
                 base_url: str = "http://127.0.0.1", limit: int | None = None,
                 ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """What a perfect crawl saves: the two CSV tables of notebook 01 (columns
    :data:`NOTICE_CSV_COLUMNS` and :data:`ATTACHMENT_CSV_COLUMNS`), for the newest ``limit``
    notices (all when ``None``; notebook 01 crawls the newest 500) and their attachments."""
    notices, attachments = _tables(generate(seed, n_notices), base_url)
    if limit is not None:
        notices = notices.iloc[:limit]
        attachments = attachments[attachments.notice_url.isin(set(notices.url))]
    return (notices[list(NOTICE_CSV_COLUMNS)].reset_index(drop=True),
            attachments[list(ATTACHMENT_CSV_COLUMNS)].reset_index(drop=True))


def attachment_bytes(file_id: int, size: int, name: str = "") -> bytes:
    """The deterministic content served for one attachment."""
    head = f"west2ai notice-site fixture attachment\nwbfileid={file_id}\nname={name}\n".encode()
    chunks, block = [head], hashlib.sha256(str(file_id).encode()).digest()
    total = len(head)
    while total < size:
        block = hashlib.sha256(block).digest()
        chunks.append(block)
        total += len(block)
    return b"".join(chunks)[:max(size, len(head))]


# --------------------------------------------------------------------------- rendering

NL = "\r\n"
IND = "\t" * 10

HEAD = """<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=UTF-8" />
<meta http-equiv="X-UA-Compatible" content="IE=edge" />
<title>{title}</title>
<meta name="keywords" content="福州大学教务处" />
<link href="{root}style/style.css" rel="stylesheet" type="text/css" />
<script type="text/javascript" src="{root}system/resource/js/counter.js"></script>
</head>
<body>
"""

HEADER = """<div class="header">
\t<div class="logo"><a href="{root}index.htm"><img src="{root}images/logo.png" alt="福州大学教务处" /></a></div>
\t<ul class="nav">
\t\t<li><a href="{root}index.htm">首页</a></li>
\t\t<li><a href="{root}jxtz.htm">教学通知</a></li>
\t\t<li><a href="{root}index.htm">教务信息</a></li>
\t\t<li><a href="{root}index.htm">办事指南</a></li>
\t</ul>
</div>
"""

FOOTER = """<div class="footer"><p>Copyright &copy; 福州大学教务处 &nbsp; 地址：福建省福州市闽侯县福州大学城乌龙江北大道2号</p></div>
"""



def _escape(s: str) -> str:
    return html.escape(s, quote=True)


def _menu(root: str, current: str | None) -> str:
    """The left menu: the main list and every publisher's own list."""
    on = ' class="on"' if current is None else ""
    items = [f'\t\t\t<li{on}><a href="{root}jxtz.htm">教学通知</a></li>\n']
    for publisher, (_, abbr) in COLUMNS.items():
        on = ' class="on"' if publisher == current else ""
        items.append(f'\t\t\t<li{on}><a href="{root}jxtz/{abbr}.htm">{publisher}</a></li>\n')
    return '\t<div class="ny_left">\n\t\t<h2>通知公告</h2>\n\t\t<ul class="ny_menu">\n' + "".join(items) + "\t\t</ul>\n\t</div>\n"


def render_list_page(data: NoticeData, page: int, publisher: str | None = None) -> str:
    """List page ``page`` (1-based, 1 = newest) of the main list (``/jxtz.htm``,
    ``/jxtz/{N}.htm``) or of ``publisher``'s own list (``/jxtz/{abbr}.htm``, ``/jxtz/{abbr}/{N}.htm``)."""
    indices = data.of_publisher(publisher)
    n_pages = _n_pages(len(indices))
    prefix = "jxtz" if publisher is None else f"jxtz/{COLUMNS[publisher][1]}"
    numbered = page > 1
    root = "../" * (prefix.count("/") + numbered)
    stem = prefix.rsplit("/", 1)[-1]

    def href(j):
        """Link from this page to page ``j`` of the same list."""
        if j == 1:
            return f"../{stem}.htm" if numbered else f"{stem}.htm"
        return f"{n_pages - j + 1}.htm" if numbered else f"{stem}/{n_pages - j + 1}.htm"

    items = []
    for i in indices[(page - 1) * PER_PAGE:page * PER_PAGE]:
        date = data.date[i].isoformat()
        if data.important[i]:
            date = f'<font color="red">{date}</font>'
        title = data.title[i]
        text = title if len(title) <= 32 else title[:30] + "..."  # long titles are cut short
        text = _escape(text)
        if data.important[i]:
            text = f'<font color="#FF0000">{text}</font>'
        link = root + data.path(i)[1:]  # relative; content.jsp links keep their bare "&"
        items.append(
            f"<li>{NL}{IND}\t<span class=\"doclist_time\">{NL}{IND}\t\t{date}{NL}{IND}\t</span>{NL}"
            f"{IND}\t【{data.publisher[i]}】{NL}"
            f"{IND}\t<a href=\"{link}\" target=\"_blank\" title=\"{_escape(data.title_attr[i])}\">{text}</a>{NL}"
            f"{IND}</li>"
        )
    # VSB pager: 首页 上页 [window of numbers, the last page always shown] 下页 尾页
    spans = []
    if page == 1:
        spans += ['<span class="p_first_d p_fun_d">首页</span>', '<span class="p_prev_d p_fun_d">上页</span>']
    else:
        spans += [f'<span class="p_first p_fun"><a href="{href(1)}">首页</a></span>',
                  f'<span class="p_prev p_fun"><a href="{href(page - 1)}">上页</a></span>']
    start = max(1, min(page - 2, n_pages - 4))
    shown = sorted({1, n_pages} | set(range(start, min(n_pages, start + 4) + 1)))
    prev = 0
    for j in shown:
        if j - prev > 1:
            spans.append('<span class="p_dot">...</span>')
        if j == page:
            spans.append(f'<span class="p_no_d">{j}</span>')
        else:
            spans.append(f'<span class="p_no"><a href="{href(j)}">{j}</a></span>')
        prev = j
    if page == n_pages:
        spans += ['<span class="p_next_d p_fun_d">下页</span>', '<span class="p_last_d p_fun_d">尾页</span>']
    else:
        spans += [f'<span class="p_next p_fun"><a href="{href(page + 1)}">下页</a></span>',
                  f'<span class="p_last p_fun"><a href="{href(n_pages)}">尾页</a></span>']
    pager = (
        '<div class="ecms_pag">\r\n<div class="ecms_pagination">\r\n'
        '<div class="pb_sys_common pb_sys_normal pb_sys_style1" style="margin-top:10px;text-align:center;">'
        f'<span class="p_pages">{"".join(spans)}</span>'
        f'<span class="p_t">共{len(indices)}条</span>&nbsp;<span class="p_t">{page}/{n_pages}</span>'
        "</div>\r\n</div>\r\n</div>"
    )
    heading = publisher or "教学通知"
    position = f'<a href="{root}index.htm">首页</a> &gt; <a href="{root}jxtz.htm">教学通知</a>'
    if publisher is not None:
        position += f' &gt; <a href="{root}{prefix}.htm">{publisher}</a>'
    lst = f"{NL}{IND[:-1]}".join(items)
    return (
        HEAD.format(title=f"{heading}-福州大学教务处", root=root)
        + '<div class="page">\n'
        + HEADER.format(root=root)
        + '<div class="w-main">\n'
        + f'<div class="banner"><img src="{root}images/banner.jpg" alt="" /></div>\n'
        + '<div class="wapper">\n'
        + '<div class="ny_main">\n'
        + _menu(root, publisher)
        + '\t<div class="ny_right">\n'
        + f'\t\t<div class="ny_tit"><h3>{heading}</h3></div>\n'
        + f'\t\t<div class="ny_pos">当前位置：{position}</div>\n'
        + '\t\t<div class="ny_con">\n'
        + f'\t\t\t<div class="box-gl clearfix">{NL}\t\t\t\t<ul class="list-gl">{NL}{IND[:-1]}{lst}{NL}\t\t\t\t</ul>{NL}\t\t\t</div>\n'
        + "\t\t\t" + pager + "\n"
        + "\t\t</div>\n\t</div>\n</div>\n</div>\n</div>\n"
        + FOOTER
        + "</div>\n</body>\n</html>\n"
    )


BODY = [
    "各学院（部）、各有关单位：",
    "根据学校本学期教学工作安排，现将有关事项通知如下，请各单位认真组织、按时完成。",
    "一、请各学院高度重视，指定专人负责，及时将通知精神传达到相关教师和学生。",
    "二、相关材料请于规定时间内通过教务管理系统提交，逾期不予受理。",
    "三、工作中如有疑问，请与教务处{publisher}联系。",
    "特此通知。",
]


def render_detail_page(data: NoticeData, i: int) -> str:
    """Detail page of notice ``i`` (index in newest-first order).

    Layout (``/html/body/div`` is ``div.page``)::

        div.page > div.w-main > div.w-main-dh > p.w-main-dh-text > a, a, a (the publisher)
                              > div.ny_con > form > div.conth > div.xl_news > div.xl_main
        div.xl_main > div.xl_tit > h4[align=center]
                    > div.xl_sjbox > div.fl.xl_sj > span.xl_sj_icon, span.xl_sj_icon2
                    > div.xl_con > div#vsb_content > div.v_news_content
                    > ul[style="list-style-type:none;"] > li (the attachments)
    """
    nid, col, publisher = data.notice_id[i], data.column[i], data.publisher[i]
    root = "" if col == CONTENT_COLUMN else "../../"
    paras = "\n".join(f"<p>{_escape(p.format(publisher=publisher))}</p>" for p in BODY)
    paras += f'\n<p style="text-align:right;">教务处</p>\n<p style="text-align:right;">{data.date[i].isoformat()}</p>'
    atts = data.attachments[i]
    ul = ""
    if atts:
        lis = []
        for file_id, name, _downloads, _size in atts:
            # bare "&" in the href, as the real site serves it
            lis.append(
                f'<li>附件【<a href="{download_path(file_id)}" target="_blank">{_escape(name)}</a>】已下载'
                f'<span id="nattach{file_id}"><script>getClickTimes({file_id},{OWNER},"wbnewsfile","attach")'
                "</script></span>次</li>"
            )
        ul = '<ul style="list-style-type:none;">\n' + "\n".join(lis) + "\n</ul>\n"
    nav = []
    for label, j in (("上一条", i - 1), ("下一条", i + 1)):
        if 0 <= j < data.n:
            nav.append(f'<p>{label}：<a href="{root}{data.path(j)[1:]}">{_escape(data.title[j])}</a></p>')
        else:
            nav.append(f"<p>{label}：没有了</p>")
    abbr = COLUMNS[publisher][1]
    return (
        HEAD.format(title=f"{_escape(data.title[i])}-福州大学教务处", root=root)
        + '<div class="page">\n'
        + HEADER.format(root=root)
        + '<div class="w-main">\n'
        + '<div class="w-main-dh">\n'
        + f'<p class="w-main-dh-text">当前位置：<a href="{root}index.htm">首页</a>&gt;&gt;'
        + f'<a href="{root}jxtz.htm">教学通知</a>&gt;&gt;<a href="{root}jxtz/{abbr}.htm">{publisher}</a></p>\n'
        + "</div>\n"
        + '<div class="ny_con">\n'
        + '<form name="_newscontent_fromname">\n'
        + '<div class="conth">\n'
        + '<div class="xl_news">\n'
        + '<div class="xl_main">\n'
        + f'<div class="xl_tit"><h4 align="center">{_escape(data.title[i])}</h4></div>\n'
        + '<div class="xl_sjbox clearfix">'
        + f'<div class="fl xl_sj"><span class="xl_sj_icon">发布时间：{data.date[i].isoformat()}</span>'
        + f'<span class="xl_sj_icon2">点击次数：<span id="dynclicks_wbnews_{nid}_{col}">'
        + f'<script>_showDynClicks("wbnews", {OWNER}, {nid})</script></span></span></div></div>\n'
        + f'<div class="xl_con"><div id="vsb_content"><div class="v_news_content">\n{paras}\n</div></div></div>\n'
        + ul
        + "</div>\n</div>\n"
        + '<div class="xl_page">\n' + "\n".join(nav) + "\n</div>\n"
        + "</div>\n</form>\n</div>\n</div>\n"
        + FOOTER
        + "</div>\n</body>\n</html>\n"
    )


INDEX = (HEAD.format(title="福州大学教务处", root="") + '<div class="page">\n' + HEADER.format(root="")
         + '<div class="w-main"><p><a href="jxtz.htm">教学通知</a></p></div>\n' + FOOTER + "</div>\n</body>\n</html>\n")
# The browser side of the counts, as on the real site: each inline getClickTimes(...) call asks
# clicktimes.jsp (an XHR, visible in the devtools Network panel) and fills its <span>.
COUNTER_JS = """\
function _fillClicks(span, id, owner, type, randomid) {
  var xhr = new XMLHttpRequest();
  xhr.open("GET", "/system/resource/code/news/click/clicktimes.jsp?wbnewsid=" + id + "&owner=" + owner
           + "&type=" + type + "&randomid=" + randomid);
  xhr.onload = function () {
    if (xhr.status === 200) { span.textContent = JSON.parse(xhr.responseText).wbshowtimes; }
  };
  xhr.send();
}
function getClickTimes(id, owner, type, randomid) {
  _fillClicks(document.currentScript.parentNode, id, owner, type, "n" + randomid);
}
function _showDynClicks(type, owner, id) {
  _fillClicks(document.currentScript.parentNode, id, owner, type, "dynclicks");
}
"""
STYLE_CSS = """\
body { font-family: sans-serif; margin: 0; background: #f4f6f9; }
.header { background: #0b4ea2; color: #fff; padding: 8px 24px; }
.header a { color: #fff; } .header ul.nav li { display: inline; margin-right: 16px; }
.wapper, .ny_con, .conth { max-width: 960px; margin: 0 auto; background: #fff; padding: 12px 24px; }
.ny_left { display: none; } ul.list-gl li { list-style: none; padding: 6px 0; border-bottom: 1px dashed #ddd; }
.doclist_time { float: right; color: #888; } .p_pages span { margin: 0 4px; } .footer { text-align: center; color: #888; }
.w-main-dh { max-width: 960px; margin: 0 auto; padding: 8px 24px; } .xl_sj span { margin-right: 16px; color: #888; }
"""
NOT_FOUND = "<html><head><title>404 Not Found</title></head><body><h1>404 Not Found</h1></body></html>\n"


# --------------------------------------------------------------------------- server

class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, so a requests.Session reuses its connection
    server_version = "VSB-Fixture/1.0"
    sys_version = ""
    timeout = 15  # idle keep-alive connections close after this many seconds
    disable_nagle_algorithm = True  # headers and body go out at once (no 40 ms stalls)
    max_body = 1 << 16  # form fields only

    def log_message(self, *args):  # silence: nbgrader counts stderr output as a failure
        pass

    def do_GET(self):  # noqa: N802 (http.server naming)
        self._answer(parse_qs(urlsplit(self.path).query))

    def do_POST(self):  # noqa: N802
        """As GET, with the form fields of the body (application/x-www-form-urlencoded) added
        to the query's: students call clicktimes.jsp both ways."""
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if not 0 <= length <= self.max_body:
            self.close_connection = True
            return self._send(400, b"<html><body><h1>400 Bad Request</h1></body></html>", "text/html")
        body = self.rfile.read(length) if length else b""
        query = parse_qs(urlsplit(self.path).query)
        for key, values in parse_qs(body.decode("utf-8", "replace")).items():
            query[key] = values + query.get(key, [])  # the form's value wins
        self._answer(query)

    def _answer(self, query):
        site: NoticeSite = self.server.site
        parts = urlsplit(self.path)
        # like nginx: "//" and "/../" are resolved ("http://host/" + "/info/…" still works)
        path = posixpath.normpath(re.sub(r"/{2,}", "/", parts.path)) if parts.path else "/"
        if parts.path.endswith("/") and path != "/":
            path += "/"
        status, delay = site._record(path)
        if delay:
            time.sleep(delay)
        if status is not None:
            return self._send(status, f"<html><body><h1>{status} Service Unavailable</h1></body></html>".encode(), "text/html")
        try:
            status, body, ctype, extra = site._respond(path, query)
        except Exception:  # never let a fixture bug print a traceback into a test cell
            status, body, ctype, extra = 500, b"<html><body><h1>500</h1></body></html>", "text/html", {}
        self._send(status, body, ctype, extra)

    def _send(self, status, body, ctype, extra=None):
        try:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            for k, v in (extra or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body)
        except OSError:  # the client gave up (a timeout test): nothing to report
            self.close_connection = True


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # closing must not wait for idle keep-alive connections

    def handle_error(self, request, client_address):  # silence: no tracebacks on stderr
        pass


class NoticeSite:
    """The notice site: content generated from ``seed``, served on 127.0.0.1 once started.

    Use :func:`serve_notice_site` (a started site, also a context manager). Attributes:
    ``base_url`` (``http://127.0.0.1:PORT``), ``n_pages``, ``n_notices``; methods ``url(path)``,
    ``example_notice``, ``example_attachment``, ``fail_next``, ``delay_next``, ``hits``. The
    truth tables the grader compares with are mentor-side (``west2ai.mentor.truth``).
    """

    def __init__(self, seed: int = DEFAULT_SEED, n_notices: int = DEFAULT_N_NOTICES):
        self.seed = seed
        self.data = generate(seed, n_notices)
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._hits: Counter = Counter()
        self._faults: dict[str, list] = {}
        d = self.data
        # list pages: path -> (publisher or None for the main list, page)
        self._pages = {_list_path("jxtz", d.n_pages, p): (None, p) for p in range(1, d.n_pages + 1)}
        for publisher, (_, abbr) in COLUMNS.items():
            pages = _n_pages(len(d.of_publisher(publisher)))
            self._pages.update({_list_path(f"jxtz/{abbr}", pages, p): (publisher, p) for p in range(1, pages + 1)})
        self._details = {}   # /info/{column}/{id}.htm -> index
        self._content = {}   # wbnewsid of a content.jsp notice -> index
        for i in range(d.n):
            if d.column[i] == CONTENT_COLUMN:
                self._content[d.notice_id[i]] = i
            else:
                self._details[d.path(i)] = i
        self._files = {a[0]: a for atts in d.attachments for a in atts}
        self._views = dict(zip(d.notice_id, d.views))

    # -- facts
    @property
    def n_notices(self) -> int:
        return self.data.n

    @property
    def n_pages(self) -> int:
        return self.data.n_pages

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("the site is not running: use serve_notice_site() or start()")
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def example_notice(self, n_attachments: int = 2) -> str:
        """The URL of the newest notice with ``n_attachments`` attachments (for the examples)."""
        d = self.data
        i = next(i for i in range(d.n) if len(d.attachments[i]) == n_attachments)
        return self.url(d.path(i))

    def example_attachment(self) -> dict:
        """The newest attachment: ``file_id``, ``name`` and its download ``url`` (for the examples)."""
        file_id, name, _, _ = next(a for atts in self.data.attachments for a in atts)
        return {"file_id": file_id, "name": name, "url": self.url(download_path(file_id))}

    # -- test hooks
    def fail_next(self, path: str, n: int = 1, status: int = 503) -> None:
        """The next ``n`` requests for ``path`` answer ``status`` (a flaky server)."""
        with self._lock:
            self._faults.setdefault(path, []).extend([("status", status)] * n)

    def delay_next(self, path: str, n: int = 1, seconds: float = 1.0) -> None:
        """The next ``n`` requests for ``path`` wait ``seconds`` before answering (a slow server)."""
        with self._lock:
            self._faults.setdefault(path, []).extend([("delay", seconds)] * n)

    def hits(self, path: str | None = None):
        """How many requests reached ``path`` (no query), or the whole Counter."""
        with self._lock:
            return self._hits[path] if path is not None else Counter(self._hits)

    def _record(self, path):
        with self._lock:
            self._hits[path] += 1
            queue = self._faults.get(path)
            if queue:
                kind, value = queue.pop(0)
                return (value, 0.0) if kind == "status" else (None, value)
        return None, 0.0

    # -- routing
    def _respond(self, path, query):
        html_type = "text/html"  # no charset, like the real site
        if path in ("/", "/index.htm"):
            return 200, INDEX.encode(), html_type, {}
        if path == "/system/resource/js/counter.js":
            return 200, COUNTER_JS.encode(), "application/javascript", {}
        if path == "/style/style.css":
            return 200, STYLE_CSS.encode(), "text/css", {}
        if path in self._pages:
            return 200, render_list_page(self.data, self._pages[path][1], self._pages[path][0]).encode(), html_type, {}
        if path in self._details:
            return 200, render_detail_page(self.data, self._details[path]).encode(), html_type, {}
        q = {k: v[0] for k, v in query.items()}
        if path == CONTENT_PATH and q.get("wbtreeid") == str(CONTENT_COLUMN):
            i = self._content.get(_int(q.get("wbnewsid")))
            if i is not None:
                return 200, render_detail_page(self.data, i).encode(), html_type, {}
        if path == CLICKTIMES_PATH and q.get("owner") == str(OWNER):
            wid = _int(q.get("wbnewsid"))
            kind = q.get("type", "wbnewsfile")
            if kind == "wbnewsfile" and wid in self._files:
                n = self._files[wid][2]
            elif kind == "wbnews" and wid in self._views:
                n = self._views[wid]
            else:
                n = None
            if n is not None:
                # compact, wbshowtimes first, exactly as the real site writes it
                body = json.dumps({"wbshowtimes": n, "randomid": q.get("randomid", "nattach"), "wbnewsid": wid},
                                  separators=(",", ":"), ensure_ascii=False)
                return 200, body.encode(), "application/json;charset=UTF-8", {}
        if path == DOWNLOAD_PATH and q.get("owner") == str(OWNER):
            fid = _int(q.get("wbfileid"))
            if fid in self._files:
                _, name, _, size = self._files[fid]
                extra = {"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"}
                return 200, attachment_bytes(fid, size, name), "application/octet-stream", extra
        return 404, NOT_FOUND.encode(), html_type, {}

    # -- lifecycle
    def start(self) -> NoticeSite:
        if self._server is None:
            self._server = _Server(("127.0.0.1", 0), _Handler)
            self._server.site = self
            self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.1},
                                            name=f"notice-site-{self.seed}", daemon=True)
            self._thread.start()
        return self

    def close(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)
            self._server = None
            self._thread = None

    def __enter__(self) -> NoticeSite:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        where = self.base_url if self._server is not None else "stopped"
        return f"<NoticeSite seed={self.seed} notices={self.n_notices} pages={self.n_pages} {where}>"


def serve_notice_site(seed: int = DEFAULT_SEED, n_notices: int = DEFAULT_N_NOTICES) -> NoticeSite:
    """Generate the site from ``seed`` and serve it on 127.0.0.1 (a free port) in a
    background thread. The result is started and is a context manager::

        with serve_notice_site(seed=2024) as site:
            ...                     # site.base_url, site.url(path), site.hits(path)

    In a notebook, keep it running: ``site = serve_notice_site(seed=2024)`` (the thread is a
    daemon; it ends with the kernel, or call ``site.close()``).
    """
    return NoticeSite(seed, n_notices).start()


def _int(value) -> int:
    """A query value as an int, -1 when it is missing or not a number."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1
