"""The local JavaScript-rendered Q&A topic site (west2ai.sites.qa) and the Selenium driver helper."""
import re
import shlex

import pytest
import requests

from west2ai import browser
from west2ai.browser import BrowserNotFound, browser_available, chrome_driver
from west2ai.sites import serve_qa_site
from west2ai.mentor.truth import qa_truth
from west2ai.sites.qa import EXCERPT_CHARS, N_QUESTIONS, PAGE_SIZE

SEED = 2024


@pytest.fixture(scope="module")
def site():
    with serve_qa_site(seed=SEED) as s:
        yield s


def get_json(http, url):
    r = http.get(url, timeout=10)
    assert r.status_code == 200, url
    assert r.headers["Content-Type"].startswith("application/json")
    return r.json()


def feed(http, site, limit=PAGE_SIZE):
    items, url = [], site.url(f"/api/questions?offset=0&limit={limit}")
    while url:
        page = get_json(http, url)
        items += page["data"]
        url = None if page["paging"]["is_end"] else site.url(page["paging"]["next"])
    return items


def test_truth_shape(site):
    truth = qa_truth(site.seed)
    assert list(truth.columns) == ["question_id", "question_title", "question_text",
                                   "answer_index", "answer_text"]
    per_q = truth.groupby("question_id", sort=False).size()
    assert len(per_q) == N_QUESTIONS >= 50
    assert per_q.min() >= 20 and per_q.max() <= 25
    assert truth.question_title.nunique() == N_QUESTIONS
    assert truth.answer_text.is_unique
    assert (truth.answer_text.str.len() > EXCERPT_CHARS + 10).all()
    for _, g in truth.groupby("question_id", sort=False):
        assert list(g.answer_index) == list(range(len(g)))
    # Chinese text, no stray whitespace a browser would collapse
    for col in ("question_title", "question_text", "answer_text"):
        assert truth[col].str.contains(r"[\u4e00-\u9fff]").all()
        assert (truth[col] == truth[col].str.split().str.join(" ")).all()


def test_determinism():
    a, b, c = qa_truth(SEED), qa_truth(SEED), qa_truth(SEED + 1)
    assert a.equals(b)
    assert not a.question_title.equals(c.question_title)
    with serve_qa_site(seed=SEED) as s1, serve_qa_site(seed=SEED) as s2:
        assert s1.base_url != s2.base_url
        assert qa_truth(s1.seed).equals(qa_truth(s2.seed))
        assert requests.get(s1.url("/api/questions?limit=5"), timeout=10).json() == \
            requests.get(s2.url("/api/questions?limit=5"), timeout=10).json()


def test_feed_pagination(http, site):
    first = get_json(http, site.url("/api/questions?offset=0&limit=10"))
    assert len(first["data"]) == 10
    assert first["paging"] == {"is_start": True, "is_end": False, "totals": N_QUESTIONS,
                               "next": "/api/questions?offset=10&limit=10"}
    items = feed(http, site)
    truth = qa_truth(site.seed).drop_duplicates("question_id")
    assert [q["id"] for q in items] == list(truth.question_id)
    assert [q["title"] for q in items] == list(truth.question_title)
    assert all(q["url"] == f"/question/{q['id']}" for q in items)
    counts = qa_truth(site.seed).groupby("question_id", sort=False).size()
    assert [q["answer_count"] for q in items] == list(counts)
    # other page sizes give the same feed; limit is capped
    assert feed(http, site, limit=7) == items
    big = get_json(http, site.url("/api/questions?offset=0&limit=1000"))
    assert len(big["data"]) == 20
    last = get_json(http, site.url(f"/api/questions?offset={N_QUESTIONS - 3}&limit=10"))
    assert len(last["data"]) == 3 and last["paging"]["is_end"] and last["paging"]["next"] is None


def test_question_and_answers(http, site):
    truth = qa_truth(site.seed)
    for qid in list(truth.question_id.unique()[:3]) + [truth.question_id.iloc[-1]]:
        rows = truth[truth.question_id == qid]
        q = get_json(http, site.url(f"/api/questions/{qid}"))
        assert q["title"] == rows.question_title.iloc[0]
        assert q["detail"] == rows.question_text.iloc[0]
        answers, url = [], site.url(f"/api/questions/{qid}/answers?offset=0&limit=10")
        while url:
            page = get_json(http, url)
            assert len(page["data"]) <= 10
            answers += page["data"]
            url = None if page["paging"]["is_end"] else site.url(page["paging"]["next"])
        assert len(answers) == len(rows)
        votes = [a["voteup_count"] for a in answers]
        assert votes == sorted(votes, reverse=True)
        for a, full in zip(answers, rows.answer_text):
            assert "content" not in a
            assert a["excerpt"].endswith("…") and full.startswith(a["excerpt"][:-1])
            assert len(a["excerpt"]) < len(full)
            detail = get_json(http, site.url(f"/api/answers/{a['id']}"))
            assert detail["content"] == full


def test_html_has_no_content(http, site):
    truth = qa_truth(site.seed)
    r = http.get(site.topic_url, timeout=10)
    assert r.status_code == 200 and "text/html" in r.headers["Content-Type"]
    html = r.content.decode("utf-8")
    assert 'id="question-list"' in html and "/static/topic.js" in html
    assert not any(t in html for t in truth.question_title)
    assert "question-card" not in html
    qid = truth.question_id.iloc[0]
    qhtml = http.get(site.question_url(qid), timeout=10).content.decode("utf-8")
    assert 'id="answer-list"' in qhtml
    rows = truth[truth.question_id == qid]
    assert rows.question_title.iloc[0] not in qhtml and rows.question_text.iloc[0] not in qhtml
    assert not any(a[:10] in qhtml for a in rows.answer_text)
    # the scripts carry no content either: everything arrives as JSON
    for path in ("/static/topic.js", "/static/question.js"):
        js = http.get(site.url(path), timeout=10).text
        assert "fetch(" in js and not any(t in js for t in truth.question_title)
    assert http.get(site.url("/"), allow_redirects=False, timeout=10).headers["Location"] == "/topic"


def test_not_found(http, site):
    for path in ("/question/1", "/api/questions/1", "/api/answers/1", "/nope",
                 "/api/questions/1/answers"):
        assert http.get(site.url(path), timeout=10).status_code == 404, path
    r = http.get(site.url("/api/questions?offset=x"), timeout=10)
    assert r.status_code == 400


def test_close_stops_server():
    s = serve_qa_site(seed=3)
    url = s.topic_url
    assert requests.get(url, timeout=5).status_code == 200
    s.close()
    s.close()  # twice is fine
    with pytest.raises(requests.ConnectionError):
        requests.get(url, timeout=2)


def test_browser_missing_message(monkeypatch):
    """A wrong WEST2AI_CHROME is reported as such, with the recipes; nothing is downloaded."""
    monkeypatch.setenv("WEST2AI_CHROME", "/nonexistent/chromium")
    ok, message = browser_available()
    assert not ok
    assert "WEST2AI_CHROME=/nonexistent/chromium" in message
    assert "apt-get install chromium chromium-driver" in message
    # Colab: Selenium Manager, and a warning against the snap stub that the old advice installed
    assert "Colab" in message and "Selenium Manager" in message and "Chrome for Testing" in message
    colab_line = next(line for line in message.splitlines() if "chromium-chromedriver" in line)
    assert "不要" in colab_line and "snap" in colab_line
    with pytest.raises(BrowserNotFound, match="chromium-driver"):
        chrome_driver()


def fake_program(folder, name, stdout="", code=0):
    """An executable shell script printing ``stdout`` and exiting with ``code`` (shell builtins
    only: it must run with an empty PATH)."""
    path = folder / name
    path.write_text(f"#!/bin/sh\nprintf '%s\\n' {shlex.quote(stdout)}\nexit {code}\n", encoding="utf-8")
    path.chmod(0o755)
    return path


def no_browser_here(monkeypatch, tmp_path, manager_stdout, manager_code):
    """This machine as Colab sees it: no Chromium, no chromedriver (the browser lookup points at
    nothing), and a Selenium Manager answering as given (no network is touched)."""
    monkeypatch.setattr(browser, "CHROME_CANDIDATES", ())
    monkeypatch.setattr(browser, "DRIVER_CANDIDATES", ())
    empty = tmp_path / "empty-path"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    for var in ("WEST2AI_CHROME", "WEST2AI_CHROMEDRIVER", browser.MANAGER_SWITCH):
        monkeypatch.delenv(var, raising=False)
    manager = fake_program(tmp_path, "selenium-manager", manager_stdout, manager_code)
    monkeypatch.setenv("SE_MANAGER_PATH", str(manager))
    monkeypatch.setattr(browser, "_PROBES", {})


OFFLINE_MANAGER = ('{"logs": [], "result": {"code": 65, "message": "error sending request for url '
                   '(https://googlechromelabs.github.io/chrome-for-testing/last-known-good-versions-with-downloads.json)", '
                   '"driver_path": "", "browser_path": ""}}')


def test_no_browser_at_all_gives_the_reason_and_the_remedy(monkeypatch, tmp_path, capfd):
    no_browser_here(monkeypatch, tmp_path, OFFLINE_MANAGER, 65)
    ok, message = browser_available()
    assert not ok
    assert "本机找不到 Chromium 浏览器和 chromedriver" in message
    assert "Selenium Manager 也没能准备好浏览器" in message and "error sending request" in message
    assert "Colab" in message and "python -m west2ai doctor" in message
    with pytest.raises(BrowserNotFound, match="Selenium Manager 也没能准备好浏览器"):
        chrome_driver()
    assert capfd.readouterr().err == "", "the failure is told in the message, never on stderr"


def test_manager_switch_turns_the_fallback_off(monkeypatch, tmp_path):
    no_browser_here(monkeypatch, tmp_path, OFFLINE_MANAGER, 65)
    monkeypatch.setenv("SE_MANAGER_PATH", str(tmp_path / "never-run"))  # would fail loudly if asked
    monkeypatch.setenv(browser.MANAGER_SWITCH, "0")
    ok, message = browser_available()
    assert not ok and f"{browser.MANAGER_SWITCH}=0" in message
    with pytest.raises(BrowserNotFound, match=browser.MANAGER_SWITCH):
        chrome_driver()


def test_a_snap_stub_is_not_a_browser(monkeypatch, tmp_path):
    """Ubuntu's chromium-browser / chromium-chromedriver packages install scripts that only ask
    for the snap; found on PATH they must not count as a working browser."""
    stub = "Command '/usr/bin/chromium-browser' requires the chromium snap to be installed."
    chrome = fake_program(tmp_path, "chromium-browser", stub, 1)
    driver = fake_program(tmp_path, "chromedriver", stub, 1)
    monkeypatch.setenv("WEST2AI_CHROME", str(chrome))
    monkeypatch.setenv("WEST2AI_CHROMEDRIVER", str(driver))
    monkeypatch.setenv(browser.MANAGER_SWITCH, "0")
    reason = browser.local_browser()
    assert isinstance(reason, str) and "snap" in reason and str(chrome) in reason
    assert not browser_available()[0]


BROWSER_OK, BROWSER_MESSAGE = browser_available()
needs_browser = pytest.mark.skipif(
    not BROWSER_OK, reason=f"需要 Chromium 和 chromedriver 才能做真实浏览器检查：{BROWSER_MESSAGE}")


@needs_browser
def test_selenium_manager_fallback_starts_a_browser(monkeypatch, tmp_path, capfd):
    """Where nothing is installed, chrome_driver() lets Selenium Manager find the browser: a fake
    Selenium Manager hands over this machine's Chromium, as the real one hands over the Chrome
    for Testing it downloaded on Colab. Its warnings do not reach stderr (nbgrader would give a
    test cell that writes there no points)."""
    chrome, driver = browser.local_browser()
    answer = ('{"logs": [{"level": "WARN", "timestamp": 0, "message": "a warning for the log"}], "result": '
              f'{{"code": 0, "message": "", "driver_path": "{driver}", "browser_path": "{chrome}"}}}}')
    no_browser_here(monkeypatch, tmp_path, answer, 0)
    assert browser.local_browser() == "本机找不到 Chromium 浏览器和 chromedriver"
    ok, message = browser_available()
    assert ok and "Selenium Manager" in message, message
    with chrome_driver() as d:
        d.get("data:text/html;charset=utf-8,<h1>你好</h1>")
        assert d.find_element("css selector", "h1").text == "你好"
    assert "a warning for the log" not in capfd.readouterr().err


@needs_browser
def test_real_browser_scroll_and_read_more(site):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    truth = qa_truth(site.seed)
    titles = list(truth.drop_duplicates("question_id").question_title)

    def count(d, css):
        return len(d.find_elements(By.CSS_SELECTOR, css))

    with chrome_driver() as d:
        wait = WebDriverWait(d, 15, poll_frequency=0.05)
        d.get(site.topic_url)
        wait.until(lambda d: count(d, ".question-card") >= PAGE_SIZE)
        assert count(d, ".question-card") == PAGE_SIZE, "without scrolling only one batch loads"
        d.execute_script("window.scrollTo(0, document.documentElement.scrollHeight);")
        wait.until(lambda d: count(d, ".question-card") >= 2 * PAGE_SIZE)
        while not d.find_elements(By.CSS_SELECTOR, ".feed-end"):
            n = count(d, ".question-card")
            d.execute_script("window.scrollTo(0, document.documentElement.scrollHeight);")
            wait.until(lambda d, n=n: count(d, ".question-card") > n or d.find_elements(By.CSS_SELECTOR, ".feed-end"))
        links = d.find_elements(By.CSS_SELECTOR, ".question-card h2.question-title a")
        assert [a.text for a in links] == titles
        href = links[0].get_attribute("href")
        assert re.fullmatch(re.escape(site.base_url) + r"/question/\d+", href)

        d.get(href)
        # the header and the answers arrive by separate requests: wait for both
        wait.until(lambda d: count(d, ".answer-item") >= PAGE_SIZE and count(d, ".question-detail"))
        rows = truth[truth.question_title == titles[0]]
        assert d.find_element(By.CSS_SELECTOR, "h1.question-title").text == titles[0]
        assert d.find_element(By.CSS_SELECTOR, ".question-detail").text == rows.question_text.iloc[0]
        item = d.find_elements(By.CSS_SELECTOR, ".answer-item")[0]
        content = item.find_element(By.CSS_SELECTOR, ".answer-content")
        assert content.text.endswith("…") and content.text != rows.answer_text.iloc[0]
        button = item.find_element(By.CSS_SELECTOR, "button.read-more")
        assert button.text == "阅读全文"
        button.click()
        wait.until(lambda d: "expanded" in item.get_dom_attribute("class"))
        assert content.text == rows.answer_text.iloc[0]
        assert not item.find_elements(By.CSS_SELECTOR, "button.read-more")
        # more answers load on scroll
        d.execute_script("window.scrollTo(0, document.documentElement.scrollHeight);")
        wait.until(lambda d: count(d, ".answer-item") >= min(2 * PAGE_SIZE, len(rows)))


def test_notebook_02_without_any_browser_explains_and_does_not_crash(monkeypatch, tmp_path):
    """Colab after the old advice: the snap stubs that `apt install chromium-chromedriver`
    leaves on Ubuntu, and a Selenium Manager that cannot download (offline). The reference
    notebook runs top to bottom: the setup cell says why and what to do, the demo cells skip,
    exercise 7 (no browser needed) passes, and every browser test fails with the reason."""
    import nbclient
    import nbformat

    from conftest import ROOT

    stub = "Command '/usr/bin/chromium-browser' requires the chromium snap to be installed."
    monkeypatch.setenv("WEST2AI_CHROME", str(fake_program(tmp_path, "chromium-browser", stub, 1)))
    monkeypatch.setenv("WEST2AI_CHROMEDRIVER", str(fake_program(tmp_path, "chromedriver", stub, 1)))
    monkeypatch.setenv("SE_MANAGER_PATH", str(fake_program(tmp_path, "selenium-manager", OFFLINE_MANAGER, 65)))
    monkeypatch.delenv(browser.MANAGER_SWITCH, raising=False)
    nb = nbformat.read(ROOT / "source" / "stage2" / "02-selenium.ipynb", as_version=4)
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(tmp_path)}}).execute()

    def gid(cell):
        return cell.metadata.get("nbgrader", {}).get("grade_id", "")

    errors = {gid(c) or c.source[:40]: o for c in nb.cells if c.cell_type == "code"
              for o in c.get("outputs", []) if o.get("output_type") == "error"}
    setup = next(c for c in nb.cells if gid(c) == "setup")
    said = "".join(o.get("text", "") for o in setup.outputs)
    assert "setup" not in errors, errors.get("setup")
    assert "没有可用的浏览器" in said and "snap" in said and "Selenium Manager 也没能准备好浏览器" in said, said
    browser_tests = {gid(c) for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")
                     and gid(c) != "ex-csv-test"}
    assert set(errors) == browser_tests, f"only the browser tests may fail: {sorted(errors)}"
    for name in browser_tests:
        assert errors[name]["ename"] == "AssertionError" and "启动不了" in errors[name]["evalue"], (name, errors[name])
