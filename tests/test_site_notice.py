"""The local copy of the 教务处 notice site (west2ai.sites.notice): structure, truth, server."""
import json
import re
import time
from urllib.parse import urljoin, urlsplit

import pytest
import requests
from bs4 import BeautifulSoup
from lxml import etree

from west2ai.mentor.truth import notice_tables, site_truth
from west2ai.sites import NoticeSite, serve_notice_site
from west2ai.sites.notice import (
    ATTACHMENT_CSV_COLUMNS, COLUMNS, NOTICE_CSV_COLUMNS, OWNER, attachment_bytes, crawl_tables, generate,
)

LIST_XPATH = "/html/body/div[1]/div[2]/div[2]/div/div/div[3]/div[1]/ul/li"
ATTACH_XPATH = "/html/body/div/div[2]/div[2]/form/div/div[1]/div/ul/li"
CLICKTIMES = "/system/resource/code/news/click/clicktimes.jsp"
PAGER_XPATH = "/html/body/div[1]/div[2]/div[2]/div/div/div[3]/div[2]/div[1]/div/span[1]/span[9]/a/text()"


@pytest.fixture(scope="module")
def site():
    with serve_notice_site(seed=2024) as s:
        yield s


def get(http, url):
    r = http.get(url, timeout=10)
    r.encoding = "utf-8"
    return r


def tree(http, url):
    r = get(http, url)
    assert r.status_code == 200, url
    return etree.HTML(r.text)


def list_url(site, page):
    return site.url("/jxtz.htm" if page == 1 else f"/jxtz/{site.n_pages - page + 1}.htm")


def test_size_and_years(site):
    """As many pages as the real list had: the page numbers 150-215 students hard-code exist."""
    truth = site_truth(site)[0]
    assert len(truth) >= 4000
    assert site.n_pages == -(-len(truth) // 20) >= 216
    years = set(truth.date.str[:4])
    assert {str(y) for y in range(2014, 2026)} <= years
    assert list(truth.date) == sorted(truth.date, reverse=True), "newest first"
    assert truth.url.is_unique and truth.notice_id.is_unique


def test_publishers_unequal_shares(site):
    shares = site_truth(site)[0].publisher.value_counts(normalize=True)
    assert {"质量办", "计划科", "教研科", "实践科", "考试中心", "学籍科", "教材中心", "综合科"} <= set(shares.index)
    assert shares.max() > 2.5 * shares.min()


def test_dates_have_bursts(site):
    truth = site_truth(site)[0]
    months = truth.date.str[5:7].astype(int).value_counts()
    assert months[9] > 2 * months[10] and months[3] > 1.5 * months[4], "term starts are dense"
    assert months[9] > 2 * months[8], "summer break is quiet"


def test_first_page_items_both_selectors(site, http):
    r = get(http, site.url("/jxtz.htm"))
    assert r.status_code == 200
    assert "charset" not in r.headers["Content-Type"], "like the real site: no charset in the header"
    assert f"\r\n\t\t\t\t\t\t\t\t\t\t\t【{site_truth(site)[0].publisher[0]}】\r\n" in r.text
    doc = etree.HTML(r.text)
    lis = doc.xpath(LIST_XPATH)
    assert len(lis) == 20
    css = BeautifulSoup(r.text, "html.parser").select("ul.list-gl > li")
    assert len(css) == 20
    truth = site_truth(site)[0].iloc[:20]
    for li, row in zip(lis, truth.itertuples()):
        texts = li.xpath("./text()")
        assert "\n" in texts[1] and "\t" in texts[1]  # lxml turns the page's \r\n into \n
        assert texts[1].strip() == f"【{row.publisher}】"
        assert li.xpath("normalize-space(./span[@class='doclist_time'])") == row.date
        assert li.xpath("./a/@title")[0].strip() == row.title
        href = li.xpath("./a/@href")[0]
        column = COLUMNS[row.publisher][0]
        if column == 1042:
            assert href == f"content.jsp?urltype=news.NewsContentUrl&wbtreeid=1042&wbnewsid={row.notice_id}"
        else:
            assert href == f"info/{column}/{row.notice_id}.htm"
        assert urljoin(r.url, href) == row.url


def test_numbered_pages_count_down(site, http):
    p = site.n_pages
    truth = site_truth(site)[0]
    assert get(http, site.url(f"/jxtz/{p}.htm")).status_code == 404
    assert get(http, site.url("/jxtz/0.htm")).status_code == 404
    for page in (2, 3, p - 1, p):
        url = list_url(site, page)
        doc = tree(http, url)
        lis = doc.xpath(LIST_XPATH)
        expected = truth[truth.page == page]
        assert len(lis) == len(expected) == min(20, len(truth) - 20 * (page - 1))
        hrefs = [li.xpath("./a/@href")[0] for li in lis]
        assert all(h.startswith(("../info/", "../content.jsp?")) for h in hrefs)
        assert [urljoin(url, h) for h in hrefs] == list(expected.url)
    assert (truth.page == p).sum() < 20, "the default site ends on a short page"


def test_pager_and_total(site, http):
    r = get(http, site.url("/jxtz.htm"))
    doc = etree.HTML(r.text)
    last = doc.xpath("//span[@class='p_no']/a")[-1]
    assert last.text == str(site.n_pages)
    assert last.get("href") == "jxtz/1.htm"
    assert doc.xpath(PAGER_XPATH) == [str(site.n_pages)]
    assert re.search(r"共(\d+)条", r.text).group(1) == str(site.n_notices)
    # numbered pages: links relative to /jxtz/, the first page is ../jxtz.htm
    url = list_url(site, 5)
    doc = tree(http, url)
    hrefs = {a.text: a.get("href") for a in doc.xpath("//span[@class='p_no']/a")}
    assert urljoin(url, hrefs["1"]) == site.url("/jxtz.htm")
    assert urljoin(url, hrefs[str(site.n_pages)]) == site.url("/jxtz/1.htm")
    assert urljoin(url, hrefs["4"]) == list_url(site, 4)


def test_every_page_follows_truth(site, http):
    truth = site_truth(site)[0]
    for page in range(1, site.n_pages + 1):
        url = list_url(site, page)
        doc = tree(http, url)
        got = [urljoin(url, h) for h in doc.xpath("//ul[@class='list-gl']/li/a/@href")]
        assert got == list(truth.url[truth.page == page])


def test_markup_noise(site, http):
    data = generate(2024)
    important = [i for i in range(data.n) if data.important[i]]
    padded = [i for i in range(data.n) if data.title_attr[i] != data.title[i]]
    cut = [i for i in range(data.n) if len(data.title[i]) > 32]
    assert important and padded and cut
    i = important[0]
    doc = tree(http, list_url(site, i // 20 + 1))
    li = doc.xpath(LIST_XPATH)[i % 20]
    assert li.xpath("./span/font/text()")[0] == data.date[i].isoformat()
    assert li.xpath("./a/font")
    i = cut[0]
    li = tree(http, list_url(site, i // 20 + 1)).xpath(LIST_XPATH)[i % 20]
    assert li.xpath("string(./a)").endswith("...") and li.xpath("./a/@title")[0].strip() == data.title[i]


def test_detail_pages_and_attachments(site, http):
    truth = site_truth(site)[0]
    att = site_truth(site)[1]
    assert set(truth.n_attachments) == {0, 1, 2, 3}
    assert truth.n_attachments.sum() == len(att)
    for n in (0, 1, 2, 3):
        row = truth[truth.n_attachments == n].iloc[0]
        r = get(http, row.url)
        assert r.status_code == 200
        doc = etree.HTML(r.text)
        assert doc.xpath("//h4[@align='center']/text()") == [row.title]
        assert doc.xpath("/html/body/div/div[2]/div[2]/form/div/div[1]/div/div[1]/h4/text()") == [row.title]
        assert doc.xpath("/html/body/div/div[2]/div[1]/p/a[3]/text()") == [row.publisher]
        assert doc.xpath("//p[@class='w-main-dh-text']/a[last()]/text()") == [row.publisher]
        sj = doc.xpath("//div[@class='fl xl_sj']/span")
        assert [s.get("class") for s in sj] == ["xl_sj_icon", "xl_sj_icon2"]
        assert sj[0].text == f"发布时间：{row.date}"
        lis = doc.xpath(ATTACH_XPATH)
        assert lis == doc.xpath('//ul[@style="list-style-type:none;"]/li') == doc.xpath('//div[@class="xl_main"]/ul/li')
        for a in att[att.notice_url == row.url].itertuples():  # bare "&" in the HTML as served
            assert f'<a href="/system/_content/download.jsp?urltype=news.DownloadAttachUrl&owner={OWNER}&wbfileid={a.file_id}"' in r.text
        assert "&amp;owner" not in r.text
        expected = att[att.notice_url == row.url]
        assert len(lis) == n == len(expected)
        for li, a in zip(lis, expected.itertuples()):
            assert li.xpath("./a/text()") == [a.name]
            assert urljoin(row.url, li.xpath("./a/@href")[0]) == a.url
            assert li.xpath("./span/@id") == [f"nattach{a.file_id}"]
            script = li.xpath("./span/script/text()")[0]
            assert script == f'getClickTimes({a.file_id},{OWNER},"wbnewsfile","attach")'
            assert str(a.downloads) not in li.xpath("string(.)").replace(str(a.file_id), "").replace(str(OWNER), "")
            assert li.xpath(".//text()")[3] == script


def test_clicktimes_json_and_download(site, http):
    att = site_truth(site)[1]
    for a in att.sample(5, random_state=0).itertuples():
        url = site.url(f"/system/resource/code/news/click/clicktimes.jsp?wbnewsid={a.file_id}"
                       f"&owner={OWNER}&type=wbnewsfile&randomid=nattach")
        r = http.get(url, timeout=10)
        assert r.status_code == 200 and r.json()["wbshowtimes"] == a.downloads
        body = http.get(a.url, timeout=10)
        assert body.status_code == 200
        assert body.content == attachment_bytes(a.file_id, a.size, a.name)
        assert len(body.content) == a.size
        assert http.get(a.url, timeout=10).content == body.content
    bad = site.url("/system/resource/code/news/click/clicktimes.jsp?wbnewsid=1&owner=1744984858&type=wbnewsfile")
    assert http.get(bad, timeout=10).status_code == 404


def test_clicktimes_compact_json_get_and_post(site, http):
    """Exactly the real site's bytes: compact, wbshowtimes first; POST with form fields too."""
    a = site_truth(site)[1].iloc[3]
    fields = {"wbnewsid": a.file_id, "owner": OWNER, "type": "wbnewsfile", "randomid": "nattach"}
    expected = f'{{"wbshowtimes":{a.downloads},"randomid":"nattach","wbnewsid":{a.file_id}}}'
    url = site.url(CLICKTIMES)
    assert http.get(url, params=fields, timeout=5).text == expected
    assert http.post(url, data=fields, timeout=5).text == expected
    query = f"?wbnewsid={a.file_id}&owner={OWNER}"
    assert http.post(url + query, data={"type": "wbnewsfile", "randomid": "nattach"}, timeout=5).text == expected
    assert http.get(url, params=fields, timeout=5).text == expected, "the connection still works after a POST"
    assert http.post(url, data={**fields, "owner": 1}, timeout=5).status_code == 404
    assert http.post(url, data={**fields, "wbnewsid": "x"}, timeout=5).status_code == 404


def test_publisher_lists(site, http):
    """Each publisher's own list, /jxtz/{abbr}.htm then /jxtz/{abbr}/{N}.htm, counting down."""
    truth = site_truth(site)[0]
    assert set(truth.publisher) == set(COLUMNS)
    for publisher, (column, abbr) in COLUMNS.items():
        mine = truth[truth.publisher == publisher]
        assert (mine.column == column).all()
        pages = -(-len(mine) // 20)
        first = site.url(f"/jxtz/{abbr}.htm")
        doc = tree(http, first)
        assert doc.xpath("//span[@class='p_no']/a")[-1].text == str(pages)
        assert doc.xpath("//span[@class='p_no']/a")[-1].get("href") == f"{abbr}/1.htm"
        assert doc.xpath("//span[@class='p_t']/text()")[0] == f"共{len(mine)}条"
        got = [urljoin(first, h) for h in doc.xpath(LIST_XPATH.replace("/li", "/li/a/@href"))]
        assert got == list(mine.url[:20])
        assert list(mine.publisher_list_url[:20]) == [first] * min(20, len(mine))
        last = site.url(f"/jxtz/{abbr}/1.htm")
        doc = tree(http, last)
        got = [urljoin(last, h) for h in doc.xpath("//ul[@class='list-gl']/li/a/@href")]
        assert got == list(mine.url[20 * (pages - 1):])
        assert urljoin(last, doc.xpath("//span[@class='p_first p_fun']/a/@href")[0]) == first


def test_ids_in_real_ranges(site):
    notices, attachments = site_truth(site)
    assert 5_000 < notices.notice_id.min() and notices.notice_id.max() < 15_000
    assert 13_000_000 < attachments.file_id.min() < 13_100_000
    assert 16_300_000 < attachments.file_id.max() < 16_800_000
    assert attachments.file_id.is_unique and notices.notice_id.is_monotonic_decreasing


def test_downloads_depend_on_publisher(site):
    att = site_truth(site)[1].merge(site_truth(site)[0][["notice_id", "publisher"]], on="notice_id")
    means = att.groupby("publisher").downloads.mean()
    assert means.max() > 4 * means.min()
    assert (att.downloads >= 0).all()


def test_404_and_unknown(site, http):
    for path in ("/nope.htm", "/info/1039/1.htm", "/jxtz/abc.htm", "/system/_content/download.jsp?wbfileid=1",
                 "/system/_content/download.jsp?urltype=news.DownloadAttachUrl&owner=1744984858&wbfileid=x"):
        assert get(http, site.url(path)).status_code == 404, path
    truth = site_truth(site)[0]
    row = truth[truth.column == 1039].iloc[0]
    assert get(http, site.url(row.path.replace("/1039/", "/1041/"))).status_code == 404, "only in its own column"
    row = truth[truth.column == 1042].iloc[0]
    assert get(http, site.url(f"/info/1042/{row.notice_id}.htm")).status_code == 404, "教材中心 is content.jsp only"
    assert get(http, site.url(row.path.replace("wbtreeid=1042", "wbtreeid=1041"))).status_code == 404
    assert get(http, site.url("/content.jsp?urltype=news.NewsContentUrl&wbtreeid=1042&wbnewsid=1")).status_code == 404
    assert get(http, site.url(f"/jxtz/{site.n_pages - 1}.htm")).status_code == 200
    for path in (f"/jxtz/{site.n_pages}.htm", "/jxtz/kszx/0.htm", "/jxtz/jczx/99.htm", "/jxtz/nope.htm"):
        assert get(http, site.url(path)).status_code == 404, path


def test_dot_segments_resolved(site, http):
    """A naive join of the base and ``../info/…`` still reaches the page (as on real servers)."""
    row = site_truth(site)[0].iloc[30]
    assert get(http, site.base_url + "/../" + row.path.lstrip("/")).status_code == 200
    assert get(http, site.base_url + "/" + row.path).status_code == 200  # "//info/…"


def test_deterministic_and_seeded():
    a1, b1 = notice_tables(seed=5)
    a2, b2 = notice_tables(seed=5)
    assert a1.equals(a2) and b1.equals(b2)
    a3, _ = notice_tables(seed=6)
    assert not a1[["title", "date"]].equals(a3[["title", "date"]])
    small, _ = notice_tables(seed=5, n_notices=45)
    assert len(small) == 45


def test_generation_fast(measurements):
    """The whole site builds in well under a second per thousand notices."""
    t0 = time.perf_counter()
    site = NoticeSite(seed=99)
    seconds = time.perf_counter() - t0
    t0 = time.perf_counter()
    big = generate(99, 20_000)
    big_seconds = time.perf_counter() - t0
    measurements.append(f"notice site: {site.n_notices} notices built in {seconds * 1000:.0f} ms; "
                        f"{big.n} notices generated in {big_seconds * 1000:.0f} ms")
    assert seconds < 0.25 * site.n_notices / 1000, f"{seconds:.2f} s for {site.n_notices} notices"
    assert big_seconds < 0.25 * big.n / 1000, f"{big_seconds:.2f} s for {big.n} notices"


def test_crawl_tables_schema():
    notices, attachments = crawl_tables(seed=2024)
    assert tuple(notices.columns) == NOTICE_CSV_COLUMNS
    assert tuple(attachments.columns) == ATTACHMENT_CSV_COLUMNS
    full, full_att = notice_tables(seed=2024)
    assert list(notices.title) == list(full.title) and len(attachments) == len(full_att)
    newest, newest_att = crawl_tables(seed=2024, limit=500)
    assert len(newest) == 500 and list(newest.url) == list(full.url[:500])
    assert set(newest_att.notice_url) <= set(newest.url)
    assert len(newest_att) == full.n_attachments[:500].sum()


def test_browser_assets(site, http):
    js = http.get(site.url("/system/resource/js/counter.js"), timeout=5)
    assert js.status_code == 200 and "function getClickTimes" in js.text and "clicktimes.jsp" in js.text
    assert http.get(site.url("/style/style.css"), timeout=5).status_code == 200
    assert "jxtz.htm" in get(http, site.url("/")).text


def test_truth_urls_use_port(site):
    assert site_truth(site)[0].url.iloc[0].startswith(site.base_url + "/info/")
    assert urlsplit(site.base_url).hostname == "127.0.0.1"


def test_fault_injection_and_hits():
    with serve_notice_site(seed=3, n_notices=30) as s:
        assert s.n_pages == 2
        s.fail_next("/jxtz.htm", 2)
        codes = [requests.get(s.url("/jxtz.htm"), timeout=5).status_code for _ in range(3)]
        assert codes == [503, 503, 200]
        assert s.hits("/jxtz.htm") == 3
        s.delay_next("/jxtz/1.htm", 1, seconds=0.6)
        with pytest.raises(requests.Timeout):
            requests.get(s.url("/jxtz/1.htm"), timeout=0.2)
        assert requests.get(s.url("/jxtz/1.htm"), timeout=5).status_code == 200


def test_close_with_open_connection():
    s = serve_notice_site(seed=4, n_notices=25)
    session = requests.Session()
    assert session.get(s.url("/jxtz.htm"), timeout=5).status_code == 200
    t0 = time.perf_counter()
    s.close()  # the session still holds a keep-alive connection
    assert time.perf_counter() - t0 < 2
    with pytest.raises(RuntimeError):
        _ = s.base_url
    session.close()


def test_clicktimes_views(site, http):
    row = site_truth(site)[0].iloc[0]
    url = site.url(f"/system/resource/code/news/click/clicktimes.jsp?wbnewsid={row.notice_id}&owner={OWNER}&type=wbnews")
    assert json.loads(http.get(url, timeout=5).text)["wbshowtimes"] == row.views


def test_site_examples_and_no_truth_on_the_site(site):
    """The student package serves the site and points at examples; the truth tables are the mentor's."""
    notices, attachments = site_truth(site)
    assert site.example_notice(2) == notices[notices.n_attachments == 2].url.iloc[0]
    first = attachments.iloc[0]
    assert site.example_attachment() == {"file_id": first.file_id, "name": first["name"], "url": first.url}
    assert not any("truth" in name for name in dir(site))


def test_the_sites_of_the_hidden_tests_hold_the_cases_they_check():
    """The hidden tests of stage2/01 rely on these seeds: a red <font> date among the first 50
    notices of seed 4 (ex-parse-list) and notices with 0, 1 and 2 attachments on seed 21
    (ex-parse-detail). Checked here once, not in the students' test cells."""
    with serve_notice_site(seed=4, n_notices=50) as s:
        assert s.data.important[:50].count(True) >= 1
    with serve_notice_site(seed=21, n_notices=40) as s:
        assert set(site_truth(s)[0].n_attachments) >= {0, 1, 2}
