"""Small scrapers in the styles real students wrote for the FZU notice site, run on the copy.

``specs/notice-site.md`` promises that a scraper written for the real site works on the local
copy once its base URL is changed. Each scraper below is written the way student code for the
real site is (CSS classes, absolute and positional XPaths, regexes over the raw HTML, the JSON
count endpoint by GET and by POST, following ``p_next``, hard-coded page numbers, the
per-publisher lists, Selenium reading the script-filled counts) and is checked field by field
against the ground truth (``west2ai.mentor.truth``) on a bounded slice of the default site:
a few list pages, among them the hard-coded numbers 150 and 215, their detail pages,
attachments and counts.
"""
from __future__ import annotations

import html as htmllib
import json
import re
from urllib.parse import parse_qs, urljoin, urlsplit

import pandas as pd
import pytest
import requests
from bs4 import BeautifulSoup
from lxml import etree

from west2ai.mentor.truth import site_truth
from west2ai.sites import serve_notice_site
from west2ai.sites.notice import COLUMNS

CLICKTIMES = "/system/resource/code/news/click/clicktimes.jsp"
OWNER = "1744984858"
HARD_CODED = (215, 150)  # page numbers seen hard-coded in student scrapers


@pytest.fixture(scope="module")
def site():
    with serve_notice_site(seed=2024) as s:
        yield s


@pytest.fixture(scope="module")
def truth(site):
    return site_truth(site)


@pytest.fixture(scope="module")
def slice_pages(site):
    """List page URLs of the slice: the first two pages, the hard-coded ones, the last one."""
    base = site.base_url
    return [base + "/jxtz.htm", f"{base}/jxtz/{site.n_pages - 1}.htm",
            *(f"{base}/jxtz/{n}.htm" for n in HARD_CODED), base + "/jxtz/1.htm"]


@pytest.fixture(scope="module")
def expected(truth, slice_pages):
    """Truth rows of the slice: (notices, attachments)."""
    notices, attachments = truth
    mine = notices[notices.list_url.isin(slice_pages)]
    assert len(mine) == 20 * (len(slice_pages) - 1) + (notices.page == notices.page.max()).sum()
    # the slice covers every case a scraper must handle
    assert set(mine.n_attachments) == {0, 1, 2, 3}
    assert (mine.column == 1042).any(), "a 教材中心 notice (content.jsp) is in the slice"
    assert set(mine.publisher) == set(COLUMNS)
    return mine.reset_index(drop=True), attachments[attachments.notice_url.isin(set(mine.url))].reset_index(drop=True)


def get_text(session, url):
    """What every student scraper does first: GET and fix the encoding (the header has no charset)."""
    r = session.get(url, timeout=10)
    r.raise_for_status()
    r.encoding = "utf-8"
    return r.text


def file_id_of(url):
    return int(parse_qs(urlsplit(url).query)["wbfileid"][0])


# ------------------------------------------------------------------ comparisons with the truth
def check_notices(got: list[dict], exp: pd.DataFrame, style: str, fields=("date", "publisher", "title", "url")):
    got = pd.DataFrame(got)
    assert len(got) == len(exp), f"{style}: {len(got)} notices, expected {len(exp)}"
    for col in fields:
        bad = [(g, e) for g, e in zip(got[col], exp[col]) if g != e]
        assert not bad, f"{style}: {len(bad)} wrong {col}, e.g. {bad[:3]}"


def check_attachments(got: list[dict], exp: pd.DataFrame, style: str):
    got = pd.DataFrame(got, columns=["notice_url", "file_id", "name", "url", "downloads"])
    assert len(got) == len(exp), f"{style}: {len(got)} attachments, expected {len(exp)}"
    for col in ("notice_url", "file_id", "name", "url", "downloads"):
        bad = [(g, e) for g, e in zip(got[col], exp[col]) if g != e]
        assert not bad, f"{style}: {len(bad)} wrong {col}, e.g. {bad[:3]}"
    assert (got.downloads > 0).mean() > 0.8, f"{style}: the counts look like silent zeros"


# ------------------------------------------------------------------ style 1: CSS classes (BeautifulSoup)
def scrape_css(session, list_urls, base):
    """List ``ul.list-gl > li``; detail page by class: breadcrumb, h4, xl_sj, xl_main > ul; counts: JSON by GET."""
    notices, attachments = [], []
    for list_url in list_urls:
        soup = BeautifulSoup(get_text(session, list_url), "html.parser")
        for li in soup.select("ul.list-gl > li"):
            url = urljoin(list_url, li.a["href"])
            page = BeautifulSoup(get_text(session, url), "html.parser")
            notices.append({
                "url": url,
                "publisher": page.select("p.w-main-dh-text a")[-1].get_text(strip=True),
                "title": page.select_one('h4[align="center"]').get_text(strip=True),
                "date": page.select_one("div.fl.xl_sj > span.xl_sj_icon").get_text().split("：")[1].strip(),
            })
            assert page.select_one("div.fl.xl_sj > span.xl_sj_icon + span.xl_sj_icon2") is not None
            for item in page.select("div.xl_main > ul > li"):
                a = item.find("a")
                fid = int(item.find("span", id=re.compile(r"^nattach"))["id"][len("nattach"):])
                params = {"wbnewsid": fid, "owner": OWNER, "type": "wbnewsfile", "randomid": "nattach"}
                count = session.get(base + CLICKTIMES, params=params, timeout=10).json()["wbshowtimes"]
                attachments.append({"notice_url": url, "file_id": fid, "name": a.get_text(strip=True),
                                    "url": urljoin(url, a["href"]), "downloads": int(count)})
    return notices, attachments


def test_css_selectors(site, slice_pages, expected):
    with requests.Session() as s:
        notices, attachments = scrape_css(s, slice_pages, site.base_url)
    check_notices(notices, expected[0], "CSS")
    check_attachments(attachments, expected[1], "CSS")


# ------------------------------------------------------------------ style 2: absolute / positional XPaths (lxml)
LIST_LI = "/html/body/div[1]/div[2]/div[2]/div/div/div[3]/div[1]/ul/li"
PUBLISHER = "/html/body/div/div[2]/div[1]/p/a[3]/text()"
TITLE = "/html/body/div/div[2]/div[2]/form/div/div[1]/div/div[1]/h4/text()"
DATE = "/html/body/div/div[2]/div[2]/form/div/div[1]/div/div[2]/div/span[1]/text()"
ATTACH_LI = "/html/body/div/div[2]/div[2]/form/div/div[1]/div/ul/li"


def scrape_xpath(session, list_urls, base):
    """Copied-from-DevTools XPaths everywhere; counts: JSON by POST with form fields."""
    notices, attachments = [], []
    for list_url in list_urls:
        tree = etree.HTML(get_text(session, list_url))
        for li in tree.xpath(LIST_LI):
            url = urljoin(list_url, li.xpath("./a/@href")[0])
            page = etree.HTML(session.get(url, timeout=10).content.decode("utf-8"))
            notices.append({
                "url": url,
                "publisher": page.xpath(PUBLISHER)[0],
                "title": page.xpath(TITLE)[0],
                "date": page.xpath(DATE)[0].replace("发布时间：", ""),
            })
            for item in page.xpath(ATTACH_LI):
                href = item.xpath("./a/@href")[0]
                fid = file_id_of(href)
                form = {"wbnewsid": str(fid), "owner": OWNER, "type": "wbnewsfile", "randomid": "nattach"}
                count = json.loads(session.post(base + CLICKTIMES, data=form, timeout=10).text)["wbshowtimes"]
                attachments.append({"notice_url": url, "file_id": fid, "name": item.xpath("./a/text()")[0],
                                    "url": urljoin(url, href), "downloads": count})
    return notices, attachments


def test_positional_xpaths(site, slice_pages, expected):
    with requests.Session() as s:
        notices, attachments = scrape_xpath(s, slice_pages, site.base_url)
    check_notices(notices, expected[0], "XPath")
    check_attachments(attachments, expected[1], "XPath")


# ------------------------------------------------------------------ style 3: regexes over the raw HTML
LIST_RE = re.compile(
    r'<span class="doclist_time">\s*(?:<font[^>]*>)?(\d{4}-\d{2}-\d{2})(?:</font>)?\s*</span>\s*'
    r'【(.*?)】\s*<a href="(.*?)" target="_blank" title="(.*?)">', re.S)
DATE_RE = re.compile(r"发布时间：(\d{4}-\d{2}-\d{2})")
ATTACH_RE = re.compile(r'<a href="(/system/_content/download\.jsp\?urltype=news\.DownloadAttachUrl'
                       r'&owner=\d+&wbfileid=(\d+))"[^>]*>(.*?)</a>')
SCRIPT_RE = re.compile(r'getClickTimes\((\d+),(\d+),"wbnewsfile","attach"\)')
COUNT_RES = (re.compile(r'"wbshowtimes":(\d+)'), re.compile(r'{"wbshowtimes":(\d+),'))


def scrape_regex(session, list_urls, base):
    """No parser at all: the list, the dates, the attachment links, the script ids and the
    counts (GET and POST, two regex forms) all come from regexes over the raw text."""
    notices, attachments = [], []
    n = 0
    for list_url in list_urls:
        for date, publisher, href, title in LIST_RE.findall(get_text(session, list_url)):
            url = urljoin(list_url, href)
            text = get_text(session, url)
            assert DATE_RE.search(text).group(1) == date
            notices.append({"url": url, "date": date, "publisher": publisher,
                            "title": htmllib.unescape(title).strip()})
            links = ATTACH_RE.findall(text)
            assert [int(fid) for fid, _ in SCRIPT_RE.findall(text)] == [int(f) for _, f, _ in links]
            for href, fid, name in links:
                query = f"?wbnewsid={fid}&owner={OWNER}&type=wbnewsfile&randomid=nattach"
                if n % 2:
                    body = session.get(base + CLICKTIMES + query, timeout=10).text
                else:
                    body = session.post(base + CLICKTIMES, data=parse_qs(query[1:]), timeout=10).text
                counts = {int(rx.search(body).group(1)) for rx in COUNT_RES}
                assert len(counts) == 1, f"the two count regexes disagree on {body!r}"
                n += 1
                attachments.append({"notice_url": url, "file_id": int(fid), "name": htmllib.unescape(name),
                                    "url": base + href, "downloads": counts.pop()})
    return notices, attachments


def test_regexes_on_raw_html(site, slice_pages, expected):
    with requests.Session() as s:
        notices, attachments = scrape_regex(s, slice_pages, site.base_url)
    check_notices(notices, expected[0], "regex")
    check_attachments(attachments, expected[1], "regex")


def test_counts_every_way_agree(site, expected, http):
    """GET with params, GET with the query written out, POST with form fields: json and both
    regexes read the same number, the truth's."""
    for a in expected[1].itertuples():
        fields = {"wbnewsid": a.file_id, "owner": OWNER, "type": "wbnewsfile", "randomid": "nattach"}
        bodies = [
            http.get(site.url(CLICKTIMES), params=fields, timeout=10).text,
            http.get(site.url(f"{CLICKTIMES}?wbnewsid={a.file_id}&owner={OWNER}&type=wbnewsfile&randomid=nattach"),
                     timeout=10).text,
            http.post(site.url(CLICKTIMES), data=fields, timeout=10).text,
        ]
        for body in bodies:
            assert json.loads(body)["wbshowtimes"] == a.downloads
            assert [int(rx.search(body).group(1)) for rx in COUNT_RES] == [a.downloads] * 2, body


# ------------------------------------------------------------------ style 4: following p_next
def list_fields(list_url, text):
    rows = []
    for li in etree.HTML(text).xpath('//ul[@class="list-gl"]/li'):
        a = li.xpath("./a")[0]
        rows.append({
            "date": li.xpath('normalize-space(./span[@class="doclist_time"])'),
            "publisher": li.xpath("./span/following-sibling::text()[1]")[0].strip().strip("【】"),
            "title": a.get("title").strip(),
            "url": urljoin(list_url, a.get("href")),
        })
    return rows


def follow_next(session, url, max_pages):
    """Start at a first page and click 下页 until it is gone (or ``max_pages`` pages)."""
    rows, seen = [], []
    while url and len(seen) < max_pages:
        text = get_text(session, url)
        seen.append(url)
        rows += list_fields(url, text)
        nxt = BeautifulSoup(text, "html.parser").select_one("span.p_next > a")
        url = urljoin(url, nxt["href"]) if nxt else None
    return seen, rows, url


def test_follow_p_next(site, truth, http):
    notices = truth[0]
    seen, rows, more = follow_next(http, site.url("/jxtz.htm"), 6)
    assert seen == list(dict.fromkeys(notices.list_url[:120])) and more is not None
    check_notices(rows, notices.iloc[:120], "p_next")
    # to the end, on a small site of the same kind
    with serve_notice_site(seed=11, n_notices=65) as small, requests.Session() as session:
        seen, rows, more = follow_next(session, small.url("/jxtz.htm"), 50)
        small_truth = site_truth(small)[0]
    assert more is None and len(seen) == 4
    check_notices(rows, small_truth, "p_next (to the end)")


# ------------------------------------------------------------------ style 5: hard-coded page numbers
def test_hard_coded_page_numbers(site, truth, http):
    """``for i in range(150, 216): get(f".../jxtz/{i}.htm")``, as students wrote it."""
    notices = truth[0]
    rows = []
    for i in range(215, 149, -1):
        url = f"{site.base_url}/jxtz/{i}.htm"
        rows += list_fields(url, get_text(http, url))
    exp = notices[notices.page.between(site.n_pages - 215 + 1, site.n_pages - 150 + 1)]
    assert len(exp) == 66 * 20
    check_notices(rows, exp, "hard-coded pages")


# ------------------------------------------------------------------ style 6: the per-publisher lists
def test_publisher_lists(site, truth, http):
    """``jxtz/{abbr}.htm`` then ``jxtz/{abbr}/{N}.htm``: the first, second and last page of every
    publisher, and one whole list (教材中心, whose links are content.jsp) by its page numbers."""
    notices = truth[0]
    for publisher, (_, abbr) in COLUMNS.items():
        exp = notices[notices.publisher == publisher].reset_index(drop=True)
        pages = -(-len(exp) // 20)
        first = site.url(f"/jxtz/{abbr}.htm")
        text = get_text(http, first)
        assert int(etree.HTML(text).xpath('//span[@class="p_no"]/a/text()')[-1]) == pages
        rows = list_fields(first, text)
        for n in (pages - 1, 1):
            url = site.url(f"/jxtz/{abbr}/{n}.htm")
            rows += list_fields(url, get_text(http, url))
        want = pd.concat([exp.iloc[:40], exp.iloc[20 * (pages - 1):]])
        check_notices(rows, want, f"list of {publisher}")
    exp = notices[notices.publisher == "教材中心"]
    pages = -(-len(exp) // 20)
    urls = [site.url("/jxtz/jczx.htm")] + [site.url(f"/jxtz/jczx/{n}.htm") for n in range(pages - 1, 0, -1)]
    rows = [row for url in urls for row in list_fields(url, get_text(http, url))]
    check_notices(rows, exp, "whole list of 教材中心")
    for row in rows[:3]:  # content.jsp detail pages answer, and their breadcrumb names the list
        page = etree.HTML(get_text(http, row["url"]))
        assert page.xpath(PUBLISHER) == ["教材中心"]
        assert urljoin(row["url"], page.xpath("/html/body/div/div[2]/div[1]/p/a[3]/@href")[0]) == urls[0]


# ------------------------------------------------------------------ style 7: Selenium reads the filled-in counts
def test_selenium_reads_script_filled_counts(site, expected):
    from west2ai.browser import BrowserNotFound, chrome_driver

    try:
        driver = chrome_driver()
    except BrowserNotFound as exc:
        pytest.fail(f"Selenium scraper test needs Chromium and chromedriver: {exc}", pytrace=False)
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    notices, attachments = expected
    picks = notices.loc[sorted({notices.index[notices.n_attachments == 3][0],
                                notices.index[(notices.column == 1042) & (notices.n_attachments > 0)][0]})]
    got_notices, got_attachments = [], []
    with driver:
        for row in picks.itertuples():
            driver.get(row.url)
            spans = driver.find_elements(By.CSS_SELECTOR, "div.xl_main > ul > li span[id^='nattach']")
            WebDriverWait(driver, 10).until(lambda d, spans=spans: all(s.text.strip().isdigit() for s in spans))
            got_notices.append({
                "url": driver.current_url,
                "publisher": driver.find_element(By.XPATH, "/html/body/div/div[2]/div[1]/p/a[3]").text,
                "title": driver.find_element(By.CSS_SELECTOR, "h4[align='center']").text,
                "date": driver.find_element(By.CLASS_NAME, "xl_sj_icon").text.split("：")[1],
            })
            for item in driver.find_elements(By.XPATH, '//div[@class="xl_main"]/ul/li'):
                a = item.find_element(By.TAG_NAME, "a")
                span = item.find_element(By.CSS_SELECTOR, "span[id^='nattach']")
                got_attachments.append({
                    "notice_url": driver.current_url, "file_id": int(span.get_attribute("id")[len("nattach"):]),
                    "name": a.text, "url": a.get_attribute("href"), "downloads": int(span.text),
                })
                assert re.fullmatch(rf"附件【{re.escape(a.text)}】已下载{span.text}次", item.text), item.text
            views = driver.find_element(By.CSS_SELECTOR, "span.xl_sj_icon2 > span")
            WebDriverWait(driver, 10).until(lambda d, views=views: views.text.strip().isdigit())
            assert int(views.text) == row.views
    check_notices(got_notices, picks, "Selenium")
    check_attachments(got_attachments, attachments[attachments.notice_url.isin(picks.url)], "Selenium")
