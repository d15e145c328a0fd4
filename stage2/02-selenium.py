# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     notebook_metadata_filter: kernelspec,jupytext
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-00", "locked": true, "schema_version": 3, "solution": false, "task": false}
# # 阶段二 · 02 用 Selenium 爬取动态网页：问答话题
#
# 考核原题：**用 Selenium 爬取知乎某个话题下的 50 个问题，每个问题 20 个回答，保存问题标题、问题内容和回答内容。**
#
# 知乎需要登录，也不欢迎评分脚本反复访问，所以课程在你自己的电脑上（`127.0.0.1`）启动了一个仿知乎的话题页“知问”：
# 问题随页面滚动一批批加载，回答藏在「阅读全文」按钮后面，所有文字都由 JavaScript 在页面打开之后才请求回来。
# 这正是 `requests` 拿不到、必须用真正浏览器的那一类网页。
#
# **学习目标**
# - 明白“动态网页”是什么：HTML 只是空壳，内容由 JavaScript 通过 XHR 请求 JSON 后再渲染；
# - 用 Selenium 驱动无头（headless）Chromium：打开页面、用 CSS 选择器 / XPath 定位元素、读取文字和属性；
# - 用**显式等待**（`WebDriverWait`）代替 `time.sleep`；
# - 用 `execute_script` 滚动页面触发“无限滚动”，点击按钮展开全文；
# - 把爬到的数据整理成 `pandas.DataFrame` 并保存为 Excel 也能正确打开的 CSV。
#
# **分值**（共 {{points.auto}} 分，全部自动评分）
#
# | 评分单元 | 内容 | 分值 |
# |---|---|---|
# | `ex-cards-test` | 练习 1 `question_cards`：读出页面上的问题卡片 | 2 |
# | `ex-scroll-test` | 练习 2 `scroll_until`：滚动直到加载出足够多的元素 | 3 |
# | `ex-collect-test` | 练习 3 `collect_questions`：收集前 n 个问题 | 2 |
# | `ex-expand-test` | 练习 4 `expand_answers`：点击「阅读全文」并读出全文 | 3 |
# | `ex-question-test` | 练习 5 `scrape_question`：爬取一个问题页 | 3 |
# | `ex-topic-test` | 练习 6 `scrape_topic`：爬取整个话题，得到表格 | 2 |
# | `ex-csv-test` | 练习 7 `save_qa_csv`：保存 CSV | 2 |
# | `final-titles` | 最终结果 `qa.csv`：找到话题的前 50 个问题（标题一致率 ≥ 99%） | 2 |
# | `final-texts` | 最终结果：问题内容一致率 ≥ 99% | 2 |
# | `final-count` | 最终结果：每个问题恰好 20 个回答，共 1000 行 | 2 |
# | `final-answers` | 最终结果：回答**全文**（点过按钮）一致率 ≥ 99% | 3 |
# | `final-csv` | 最终结果：`qa.csv` 的格式 | 1 |
#
# “一致”指去掉首尾空白、把连续空白合并成一个空格之后，与网站上的文字完全相同。
#
# **预计学习时间**：3–4 小时。 **CPU 预算**：无训练；完整爬取 50 × 20 个回答，参考实现在 2 核机器上约 1–1.5 分钟。
#
# **需要浏览器**：课程包的 `chrome_driver()` 先找本机安装的 Chromium + chromedriver（Debian：`sudo apt-get install chromium chromium-driver`），
# 找不到时交给 Selenium 自带的 **Selenium Manager**：它会自动下载配套的 Chrome for Testing 和 chromedriver（第一次需要联网，约半分钟）。
# **Colab 上什么都不用装**，直接运行即可；不要运行 `!apt install chromium-chromedriver`——Ubuntu 的这个包只是要求安装 snap 的占位程序，
# Colab 没有 snapd，装上也用不了。实在没有浏览器时，设置单元会用中文说明原因和办法：演示单元会跳过，需要浏览器的练习测试会失败并说明原因，
# 练习 7（保存 CSV）不需要浏览器，照常可做。

# %% deletable=false editable=false nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false, "task": false}
import subprocess
import sys

if "google.colab" in sys.modules:  # Colab: install the course package (it never replaces Colab's torch)
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "{{package_url}}"], check=True)

import time
from pathlib import Path

import pandas as pd
import requests
from IPython.display import display
from tqdm.auto import tqdm
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from west2ai.browser import browser_available, chrome_driver, grading_driver
from west2ai.sites import serve_qa_site
from west2ai.training import progress_bars

print("检查浏览器……（本机没有时由 Selenium Manager 自动下载 Chrome，第一次约需半分钟）")
BROWSER_OK, BROWSER_MSG = browser_available()
if BROWSER_OK:
    print("✅", BROWSER_MSG)
else:
    print("⚠️ 没有可用的浏览器：演示单元会跳过，需要浏览器的练习测试和完整爬取都无法通过（练习 7 不受影响）。\n" + BROWSER_MSG)

# %% deletable=false editable=false nbgrader={"grade": false, "grade_id": "start-site", "locked": true, "schema_version": 3, "solution": false, "task": false}
# Start the local Q&A site (a background thread; it stops when the kernel stops).
SITE_SEED = 2024
site = serve_qa_site(seed=SITE_SEED)
print("话题页：", site.topic_url)

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-03", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ## 1. 为什么 `requests` 不够用
#
# 先像上一个 notebook 一样，用 `requests` 直接下载话题页：

# %%
html = requests.get(site.topic_url, timeout=10).text
print(html)
print("HTML 里有问题卡片吗？", "question-card" in html)

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-05", "locked": true, "schema_version": 3, "solution": false, "task": false}
# HTML 里只有一个空的 `<div id="question-list">` 和一行 `<script src="/static/topic.js">`。
# 浏览器打开页面后运行这段 JavaScript，它再向服务器请求 JSON（这类请求叫 **XHR / fetch**），把问题一条条插进页面。
# 在真实浏览器里按 F12 打开开发者工具，切到 Network → Fetch/XHR，滚动页面，就能看到这些请求。
#
# > 直接请求这些 JSON 接口也是一种常用的爬虫技巧（而且往往更快）。但很多网站的接口带签名、加密参数，很难直接调用；
# > 这时最通用的办法是让一个真正的浏览器去执行 JavaScript——这就是 **Selenium** 的用途。本 notebook 练的是 Selenium。
#
# ## 2. 启动浏览器
#
# Selenium 通过 **WebDriver** 控制浏览器：Python 发出命令（打开网址、找元素、点击……），`chromedriver` 把命令转交给 Chromium 执行。
# 浏览器和 chromedriver 的主版本号必须配套。课程包里的 `chrome_driver()` 按下面的顺序找一对能用的：
#
# 1. **本机安装的** Chromium + chromedriver（Debian 的 `chromium`、`chromium-driver` 包；批改的机器也是这样）：明确指定驱动路径，不联网；
# 2. 找不到（或者找到的是 Ubuntu 那种 snap 占位程序）时，交给 **Selenium Manager**：Selenium 4.11 起自带，
#    `webdriver.Chrome(options=...)` 不给任何路径时，它会找一个 Chrome，或者下载 Chrome for Testing 和配套的 chromedriver 到 `~/.cache/selenium`。
#    这是 Colab 上可靠的做法，不用 `apt install`，自己写就是：
#    ```python
#    from selenium import webdriver
#    options = webdriver.ChromeOptions()
#    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage"):
#        options.add_argument(flag)
#    driver = webdriver.Chrome(options=options)   # no paths: Selenium Manager gets Chrome and chromedriver
#    ```
#
# `chrome_driver()` 还帮你处理了其余繁琐的启动参数：无头模式（`--headless=new`，不弹出窗口）、以 root 运行需要的 `--no-sandbox`、
# 关掉后台联网、每次使用全新的临时配置目录。
#
# 浏览器是一个独立的进程，**用完一定要关掉**（`driver.quit()`）。最稳妥的写法是 `with` 语句——即使中途出错也会自动关闭：
# ```python
# with chrome_driver() as driver:
#     driver.get(url)
#     ...
# ```
# 下面的演示为了能分成几个单元讲解，先打开一个 `demo` 浏览器，演示结束时再关掉它。
# 没有浏览器时（见设置单元的提示）演示单元只打印一句话就跳过，不会报错。

# %%
if BROWSER_OK:
    demo = chrome_driver()
    demo.get(site.topic_url)
    print("页面标题：", demo.title)
    cards = demo.find_elements(By.CSS_SELECTOR, ".question-card")
    print("刚打开时找到的问题卡片数：", len(cards))
else:
    print("没有浏览器，跳过演示：", BROWSER_MSG.splitlines()[0])

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-07", "locked": true, "schema_version": 3, "solution": false, "task": false}
# 刚打开时卡片数常常是 0（机器慢时也可能已经有了）：`driver.get()` 只等 HTML 和脚本加载完，JavaScript 发出的 XHR 可能还在路上。
# 代码不能赌运气——下一节的“显式等待”解决这个问题。
#
# ## 3. 显式等待
#
# 新手常写 `time.sleep(3)`：等短了会漏数据，等长了白白浪费时间。正确做法是**显式等待**：反复检查一个条件，条件一成立就立刻继续，超时才报错。
# ```python
# wait = WebDriverWait(driver, timeout=10, poll_frequency=0.05)   # 最多等 10 秒，每 0.05 秒检查一次
# wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, ".question-card")))   # 现成的条件
# wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, ".question-card")) >= 10)  # 自己写的条件
# ```
# `until` 接受任何“传入 driver、返回真/假”的函数，返回条件函数最后一次的返回值；超时抛出 `TimeoutException`。
# `poll_frequency` 默认是 0.5 秒，要做上千次等待时调小它能省下不少时间。

# %%
if BROWSER_OK:
    wait = WebDriverWait(demo, timeout=10, poll_frequency=0.05)
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, ".question-card")) >= 10)
    cards = demo.find_elements(By.CSS_SELECTOR, ".question-card")
    print("等待之后的问题卡片数：", len(cards))

# % [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-think-wait", "locked": true, "schema_version": 3, "solution": false, "task": false}
# **想一想**：① 你写了 `time.sleep(2)`，在自己电脑上每次都能通过，交上去却在批改的机器上偶尔失败，为什么？
# ② 把 `poll_frequency` 设成 0.001 秒会不会更好？
#
# <details><summary>提示</summary>
#
# ① 数据什么时候到，取决于机器和网络当时的快慢：批改的机器同时在跑很多份作业，2 秒可能不够。显式等待以"条件成立"为准：
# 快的时候不白等，慢的时候多等一会儿（直到超时）。② 不会：每检查一次就是一条 WebDriver 命令，检查太频繁只会让 Python、
# chromedriver 和浏览器都忙着回答"好了没有"；0.05 秒已经足够灵敏。
# </details>

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-09", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ## 4. 定位元素，读取文字和属性
#
# JavaScript 渲染出的每张问题卡片长这样（用开发者工具的 Elements 面板可以看到）：
# ```html
# <div class="question-card" data-question-id="428055577">
#   <h2 class="question-title"><a href="/question/428055577">问题标题</a></h2>
#   <div class="question-excerpt">作者：最高赞回答的开头…</div>
#   <div class="question-meta">25 个回答 · 1024 人关注</div>
# </div>
# ```
# 常用的定位方法：
# - `driver.find_element(By.CSS_SELECTOR, "...")` 找第一个，找不到抛 `NoSuchElementException`；`find_elements` 找全部，找不到返回空列表；
# - 也可以 `By.XPATH`、`By.CLASS_NAME`、`By.TAG_NAME` 等；在一个元素内部继续找：`card.find_element(By.CSS_SELECTOR, "a")`；
# - `element.text` 是元素**显示出来**的文字；`element.get_attribute("href")` 读属性（`href` 会被换算成以 `http://` 开头的完整地址）。

# %%
if BROWSER_OK:
    first = cards[0]
    link = first.find_element(By.CSS_SELECTOR, "h2.question-title a")
    print("标题：", link.text)
    print("链接：", link.get_attribute("href"))
    print("同一个元素，用 XPath 找：", demo.find_element(By.XPATH, "//div[@class='question-card'][1]//h2/a").text)

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-11", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ## 5. 滚动页面：无限滚动
#
# 话题页一次只加载 10 个问题，滚到页面底部附近时才请求下一批；全部加载完后，底部的状态栏会变成「没有更多了」
# （`<div id="feed-status" class="feed-status feed-end">`）。Selenium 没有“滚动”命令，但可以在页面里**执行 JavaScript**：
# ```python
# driver.execute_script("window.scrollTo(0, document.documentElement.scrollHeight);")
# ```
# 滚动之后新内容要过一会儿才出现，所以滚动后要**等待数量变多**（或者等到出现 `.feed-end`），再决定要不要继续滚。

# %%
if BROWSER_OK:
    before = len(demo.find_elements(By.CSS_SELECTOR, ".question-card"))
    demo.execute_script("window.scrollTo(0, document.documentElement.scrollHeight);")
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, ".question-card")) > before)
    print("滚动前", before, "个，滚动后", len(demo.find_elements(By.CSS_SELECTOR, ".question-card")), "个")

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-13", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ## 6. 问题页与「阅读全文」按钮
#
# 点开一个问题（`/question/<id>`），页面同样是空壳，脚本会加载：
# ```html
# <div id="question-header" class="question-header">
#   <h1 class="question-title">问题标题</h1>
#   <div class="question-detail">问题内容</div>
# </div>
# <div id="answer-list" class="answer-list">
#   <div class="answer-item" data-answer-id="...">
#     <div class="answer-author">作者</div>
#     <div class="answer-votes">赞同 123</div>
#     <div class="answer-content">回答的前 30 个字…</div>
#     <button class="read-more" type="button">阅读全文</button>
#   </div>
#   ...
# </div>
# <div id="answer-status" class="feed-status">...</div>
# ```
# 回答也是每次加载 10 个、滚动加载更多，到底后同样出现 `.feed-end`。每个回答只显示开头，点击「阅读全文」后脚本才去请求全文：
# 请求回来后 `.answer-content` 换成全文、按钮消失，并给这个 `.answer-item` 加上 class `expanded`。所以点击之后也要**等待**。
#
# 点击有几种写法：
# - `button.click()`：模拟真实鼠标，先把按钮滚动到可见处再点，最接近真人操作；
# - `driver.execute_script("arguments[0].click();", button)`：直接在页面里调用按钮的 `click()`，不需要滚动、不会被别的元素挡住；
# - 批量：`execute_script` 的参数也可以是元素列表，一条命令点掉一批按钮：
#   ```python
#   driver.execute_script("for (const b of arguments[0]) b.click();", buttons)
#   ```
#
# 为什么要在意批量？Python 每发一条 WebDriver 命令（找元素、读文字、点击……），都要经过 chromedriver 转给浏览器再把结果送回来，
# 每条要几毫秒到几十毫秒。50 个问题 × 20 个回答，每个回答“找按钮、点击、检查、读文字”就是几千条命令——能合并的就合并。

# %%
if BROWSER_OK:
    question_url = cards[0].find_element(By.CSS_SELECTOR, "h2.question-title a").get_attribute("href")
    demo.get(question_url)
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, ".answer-item")) >= 1)
    print("问题：", demo.find_element(By.CSS_SELECTOR, "h1.question-title").text)
    item = demo.find_elements(By.CSS_SELECTOR, ".answer-item")[0]
    print("点击前：", item.find_element(By.CSS_SELECTOR, ".answer-content").text)
    item.find_element(By.CSS_SELECTOR, "button.read-more").click()
    wait.until(lambda d: "expanded" in item.get_attribute("class"))
    print("点击后：", item.find_element(By.CSS_SELECTOR, ".answer-content").text)

# %%
if BROWSER_OK:
    demo.quit()  # close the demo browser

# % [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-think-commands", "locked": true, "schema_version": 3, "solution": false, "task": false}
# **想一想**：完整爬取要展开 50 × 20 = 1000 个回答。如果每个回答发 4 条 WebDriver 命令（找按钮、点击、检查是否展开、读文字），
# 每条约 10 毫秒，光是命令往返就要多久？改成"每个问题一条命令点掉全部按钮、一个条件等它们全部展开"之后呢？
#
# <details><summary>提示</summary>
#
# 1000 × 4 × 10 ms = 40 秒，还没算等全文加载的时间。批量之后每个问题只要几条命令（一次批量点击、几次等待检查、读文字），
# 50 个问题加起来几百条命令，几秒钟就够了。这就是参考实现能在 1–1.5 分钟内爬完的原因。
# </details>


# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-16", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ## 7. 练习
#
# 下面把任务拆成 7 个小函数，每个函数下面紧跟着测试。测试使用自己的浏览器（`grading_driver()`）和另一个随机种子的网站，
# 所以函数里**只能用传进来的 `driver` 和网址**，不要依赖上面演示里的变量。
# 每个函数都要带等待：测试里的页面是刚打开的，数据还在路上。
#
# ### 练习 1：读出页面上的问题卡片（2 分）
# 实现 `question_cards(driver)`：driver 已经停在话题页上（卡片已经加载出来了）。
# 按页面顺序返回**当前已加载的所有**问题卡片，每个是一个字典 `{"title": 标题文字, "url": 问题页完整地址}`，
# 地址以 `http://` 开头（提示：`get_attribute("href")`）。

# %% nbgrader={"grade": false, "grade_id": "ex-cards", "locked": false, "schema_version": 3, "solution": true, "task": false}
def question_cards(driver):
    """All question cards rendered so far on the topic page, as [{"title": str, "url": str}]."""
    ### BEGIN SOLUTION
    cards = []
    for card in driver.find_elements(By.CSS_SELECTOR, ".question-card"):
        link = card.find_element(By.CSS_SELECTOR, "h2.question-title a")
        cards.append({"title": link.text.strip(), "url": link.get_attribute("href")})
    return cards
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-cards-test", "locked": true, "points": 2.0, "schema_version": 3, "solution": false, "task": false}
_ok, _msg = browser_available()
assert _ok, "本测试需要浏览器，但这里启动不了：" + _msg
_d = grading_driver()
_d.get(site.topic_url)
WebDriverWait(_d, 10, 0.05).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, ".question-card")) >= 10)
_cards = question_cards(_d)
assert isinstance(_cards, list), f"question_cards 应返回列表，而不是 {type(_cards).__name__}"
assert len(_cards) == 10, f"页面上已加载 10 张卡片，你返回了 {len(_cards)} 个"
assert all(isinstance(c, dict) for c in _cards), "列表里的每一项应是字典 {'title': ..., 'url': ...}"
assert set(_cards[0]) >= {"title", "url"}, f"字典需要 'title' 和 'url' 两个键，你的键是 {sorted(_cards[0])}"
assert _cards[0]["url"].startswith("http://"), f"url 应是以 http:// 开头的完整地址，而不是 {_cards[0]['url']!r}"
print("第一张卡片：", _cards[0])
### BEGIN HIDDEN TESTS
from west2ai.mentor.truth import qa_truth as _qa_truth
_truth = _qa_truth(7).drop_duplicates("question_id")
with serve_qa_site(seed=7) as _s:
    _d.get(_s.topic_url)
    WebDriverWait(_d, 10, 0.05).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, ".question-card")) >= 10)
    _d.execute_script("window.scrollTo(0, document.documentElement.scrollHeight);")
    WebDriverWait(_d, 10, 0.05).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, ".question-card")) >= 20)
    _cards = question_cards(_d)
    _base = _s.base_url
assert type(_cards) is list and len(_cards) == 20, \
    f"另一个话题页滚动后已加载 20 张卡片，question_cards 返回了 {len(_cards) if type(_cards) is list else type(_cards).__name__}"
assert all(type(c) is dict and type(c["title"]) is str and type(c["url"]) is str for c in _cards), \
    "每张卡片应是 title、url 都为字符串的字典"
assert [c["title"].strip() for c in _cards] == list(_truth.question_title[:20]), \
    f"另一个话题页上标题与页面不一致（你的前两个：{[c['title'] for c in _cards[:2]]}）"
assert [c["url"] for c in _cards] == [f"{_base}/question/{q}" for q in _truth.question_id[:20]], \
    f"另一个话题页上 url 与页面不一致（你的第一个：{_cards[0]['url']!r}）"
### END HIDDEN TESTS

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-19", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 练习 2：滚动直到加载出足够多的元素（3 分）
# 实现 `scroll_until(driver, css, n, timeout=10)`：driver 停在一个无限滚动的页面上（话题页或问题页，页面可能刚打开）。
# 反复“滚动到底部 → 等待新元素出现”，直到匹配 CSS 选择器 `css` 的元素**至少有 `n` 个**，或者页面已经全部加载完（出现 `.feed-end`）。
# 返回此时匹配 `css` 的**全部**元素（`find_elements` 的结果，可能多于 `n` 个）。
#
# 要求：用 `WebDriverWait` 等待（每次等待最多 `timeout` 秒），不要用 `time.sleep`；已经够 `n` 个时不要再滚动。

# %% nbgrader={"grade": false, "grade_id": "ex-scroll", "locked": false, "schema_version": 3, "solution": true, "task": false}
def scroll_until(driver, css, n, timeout=10):
    """Scroll an infinite-scroll page until >= n elements match `css` (or the feed ends); return them."""
    ### BEGIN SOLUTION
    wait = WebDriverWait(driver, timeout, poll_frequency=0.05)

    def at_end(d):
        return len(d.find_elements(By.CSS_SELECTOR, ".feed-end")) > 0

    while True:
        items = driver.find_elements(By.CSS_SELECTOR, css)
        if len(items) >= n or at_end(driver):
            return items
        driver.execute_script("window.scrollTo(0, document.documentElement.scrollHeight);")
        seen = len(items)
        wait.until(lambda d, seen=seen: len(d.find_elements(By.CSS_SELECTOR, css)) > seen or at_end(d))
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-scroll-test", "locked": true, "points": 3.0, "schema_version": 3, "solution": false, "task": false}
_ok, _msg = browser_available()
assert _ok, "本测试需要浏览器，但这里启动不了：" + _msg
_d = grading_driver()
_d.get(site.topic_url)
_items = scroll_until(_d, ".question-card", 25)
_n_items = len(_items)
_first = _items[0].find_element(By.CSS_SELECTOR, "a").text if _items else None
assert isinstance(_items, list), f"scroll_until 应返回 find_elements 得到的列表，而不是 {type(_items).__name__}"
assert _n_items >= 25, f"要求至少 25 个问题卡片，只得到 {_n_items} 个：滚动后有没有等新卡片加载出来？"
# Pages load 10 at a time; a batch may land between the count and the scroll, so one extra batch is fine.
assert _n_items <= 40, f"要 25 个却加载了 {_n_items} 个：够数之后就不要再滚动了"
print("加载出", _n_items, "个卡片，第一个：", _first)
### BEGIN HIDDEN TESTS
from selenium.webdriver.remote.webelement import WebElement as _WebElement
from west2ai.mentor.truth import qa_truth as _qa_truth
_truth = _qa_truth(7)
_titles = list(_truth.drop_duplicates("question_id").question_title)
with serve_qa_site(seed=7) as _s:
    _d.get(_s.topic_url)
    _items = scroll_until(_d, ".question-card", 35)
    assert type(_items) is list and all(type(e) is _WebElement for e in _items), \
        f"scroll_until 应返回 find_elements 得到的元素列表，实际为 {type(_items).__name__}"
    assert 35 <= len(_items) <= 50, f"另一个话题页上要 35 个卡片，你返回了 {len(_items)} 个（太少：没等加载；太多：够数后还在滚动）"
    assert [e.find_element(By.CSS_SELECTOR, "a").text for e in _items[:35]] == _titles[:35], \
        "返回的卡片顺序或内容与页面不一致：应直接返回 find_elements 的结果"
    _items = scroll_until(_d, ".question-card", 1000, timeout=10)
    assert len(_items) == len(_titles), "加载完后（出现“没有更多了”）应返回全部元素，不能一直等"
    _qid = _truth.question_id.iloc[-1]
    _d.get(_s.question_url(_qid))
    _answers = scroll_until(_d, ".answer-item", 15)
    assert len(_answers) >= 15, f"问题页上要 15 个回答，你返回了 {len(_answers)} 个：css 参数要用传进来的选择器"
    _answers = scroll_until(_d, ".answer-item", 5)
    assert len(_answers) >= 15, "元素已经够数时应直接返回全部元素"
### END HIDDEN TESTS

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-22", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 练习 3：收集话题的前 n 个问题（2 分）
# 实现 `collect_questions(driver, topic_url, n=50)`：打开话题页 `topic_url`，滚动加载，返回页面上**前 `n` 个**问题，
# 格式与练习 1 相同（恰好 `n` 个字典，按页面顺序）。提示：组合练习 1 和练习 2。

# %% nbgrader={"grade": false, "grade_id": "ex-collect", "locked": false, "schema_version": 3, "solution": true, "task": false}
def collect_questions(driver, topic_url, n=50):
    """The first n questions of the topic page, as [{"title": str, "url": str}]."""
    ### BEGIN SOLUTION
    driver.get(topic_url)
    scroll_until(driver, ".question-card", n)
    return question_cards(driver)[:n]
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-collect-test", "locked": true, "points": 2.0, "schema_version": 3, "solution": false, "task": false}
_ok, _msg = browser_available()
assert _ok, "本测试需要浏览器，但这里启动不了：" + _msg
_d = grading_driver()
_qs = collect_questions(_d, site.topic_url, 15)
assert isinstance(_qs, list), f"collect_questions 应返回列表，而不是 {type(_qs).__name__}"
assert len(_qs) == 15, f"要求前 15 个问题，你返回了 {len(_qs)} 个"
assert len({q["url"] for q in _qs}) == 15, "返回的问题有重复"
print("前 3 个问题：", [q["title"] for q in _qs[:3]])
### BEGIN HIDDEN TESTS
from west2ai.mentor.truth import qa_truth as _qa_truth
_truth = _qa_truth(7).drop_duplicates("question_id")
with serve_qa_site(seed=7) as _s:
    _qs = collect_questions(_d, _s.topic_url, 23)
    _base = _s.base_url
assert type(_qs) is list and len(_qs) == 23, \
    f"另一个话题页上要前 23 个问题，你返回了 {len(_qs) if type(_qs) is list else type(_qs).__name__}（多了要截断到 n 个）"
assert all(type(q) is dict for q in _qs), "每个问题应是 {'title': ..., 'url': ...} 字典"
assert [q["title"].strip() for q in _qs] == list(_truth.question_title[:23]), \
    f"另一个话题页上前 23 个问题的标题或顺序不对（你的前两个：{[q['title'] for q in _qs[:2]]}）"
assert [q["url"] for q in _qs] == [f"{_base}/question/{q}" for q in _truth.question_id[:23]], \
    f"另一个话题页上问题的 url 不对（你的第一个：{_qs[0]['url']!r}）"
### END HIDDEN TESTS

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-25", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 练习 4：点击「阅读全文」，读出回答全文（3 分）
# 实现 `expand_answers(driver, items, timeout=10)`：driver 停在问题页上，`items` 是若干个回答元素（`.answer-item`，`find_elements` 得到的）。
# 对其中每个还带着「阅读全文」按钮（`button.read-more`）的回答点击按钮（已经展开、没有按钮的跳过），
# **等到这些回答全部展开**（class 里有 `expanded`），再按顺序返回它们 `.answer-content` 的文字（字符串列表，长度与 `items` 相同）。
#
# 提示：一共要展开 1000 个回答，逐个 `button.click()` 能通过测试但比较慢，可以用上面讲的 `execute_script` 批量点击；
# 等待条件可以写成 `lambda d: all("expanded" in item.get_attribute("class") for item in items)`。

# %% nbgrader={"grade": false, "grade_id": "ex-expand", "locked": false, "schema_version": 3, "solution": true, "task": false}
def expand_answers(driver, items, timeout=10):
    """Click 阅读全文 on each answer item, wait until all are expanded, return their full texts."""
    ### BEGIN SOLUTION
    # one WebDriver command clicks the button inside every given answer (expanded ones have none)
    driver.execute_script(
        "for (const item of arguments[0]) {"
        "  const button = item.querySelector('button.read-more');"
        "  if (button) button.click();"
        "}", items)
    wait = WebDriverWait(driver, timeout, poll_frequency=0.05)
    wait.until(lambda d: all("expanded" in (item.get_dom_attribute("class") or "") for item in items))
    return [item.find_element(By.CSS_SELECTOR, ".answer-content").text.strip() for item in items]
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-expand-test", "locked": true, "points": 3.0, "schema_version": 3, "solution": false, "task": false}
_ok, _msg = browser_available()
assert _ok, "本测试需要浏览器，但这里启动不了：" + _msg
_d = grading_driver()
_d.get(site.topic_url)
WebDriverWait(_d, 10, 0.05).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".question-card a"))
_d.get(_d.find_element(By.CSS_SELECTOR, ".question-card a").get_attribute("href"))
WebDriverWait(_d, 10, 0.05).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, ".answer-item")) >= 10)
_items = _d.find_elements(By.CSS_SELECTOR, ".answer-item")[:5]
_texts = expand_answers(_d, _items)
_expanded = ["expanded" in (e.get_attribute("class") or "") for e in _items]
assert isinstance(_texts, list), f"expand_answers 应返回字符串列表，而不是 {type(_texts).__name__}"
assert len(_texts) == 5, f"传入 5 个回答，应返回 5 段文字，实际 {len(_texts)} 段"
assert all(_expanded), f"有回答没有展开（class 里没有 expanded）：{_expanded}。按钮点了吗？等它加载完了吗？"
assert not any(str(t).endswith("…") for t in _texts), "返回的还是以“…”结尾的摘要，不是全文"
print("第一个回答全文：", _texts[0])
### BEGIN HIDDEN TESTS
from west2ai.mentor.truth import qa_truth as _qa_truth
_truth = _qa_truth(7)
_qid = _truth.question_id.unique()[4]
_want = list(_truth[_truth.question_id == _qid].answer_text)
with serve_qa_site(seed=7) as _s:
    _d.get(_s.question_url(_qid))
    WebDriverWait(_d, 10, 0.05).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, ".answer-item")) >= 10)
    _items = _d.find_elements(By.CSS_SELECTOR, ".answer-item")
    _items[1].find_element(By.CSS_SELECTOR, "button.read-more").click()   # one already expanded
    WebDriverWait(_d, 10, 0.05).until(lambda d: "expanded" in _items[1].get_attribute("class"))
    _texts = expand_answers(_d, _items[:10])
    _open = ["expanded" in e.get_attribute("class") for e in _items[:10]]
    assert all(_open), f"另一个问题页上的 10 个回答（其中第 2 个已经展开过）没有全部展开：{_open}"
    _texts2 = expand_answers(_d, _items[1:3])
assert type(_texts) is list and all(type(t) is str for t in _texts), \
    f"expand_answers 应返回字符串列表，实际为 {type(_texts).__name__}"
assert [t.strip() for t in _texts] == _want[:10], \
    f"另一个问题页上 10 个回答的全文不对（你的第一段以 {(_texts or [''])[0][:20]!r} 开头）：已展开的回答要跳过，顺序要与 items 一致"
assert [t.strip() for t in _texts2] == _want[1:3], "对已经全部展开的回答再调用一次，应直接返回它们的全文"
### END HIDDEN TESTS

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-28", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 练习 5：爬取一个问题页（3 分）
# 实现 `scrape_question(driver, url, n_answers=20)`：打开问题页 `url`，等问题加载出来，滚动加载回答直到至少 `n_answers` 个（不够就全部），
# 展开**前 `n_answers` 个**回答，返回字典：
# ```python
# {"title": 问题标题, "text": 问题内容, "answers": [前 n_answers 个回答的全文, ...]}
# ```

# %% nbgrader={"grade": false, "grade_id": "ex-question", "locked": false, "schema_version": 3, "solution": true, "task": false}
def scrape_question(driver, url, n_answers=20):
    """Title, detail text and the full text of the first n_answers answers of one question page."""
    ### BEGIN SOLUTION
    driver.get(url)
    wait = WebDriverWait(driver, 10, poll_frequency=0.05)
    detail = wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, ".question-detail")))
    title = driver.find_element(By.CSS_SELECTOR, "h1.question-title").text.strip()
    items = scroll_until(driver, ".answer-item", n_answers)[:n_answers]
    return {"title": title, "text": detail.text.strip(), "answers": expand_answers(driver, items)}
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-question-test", "locked": true, "points": 3.0, "schema_version": 3, "solution": false, "task": false}
_ok, _msg = browser_available()
assert _ok, "本测试需要浏览器，但这里启动不了：" + _msg
_d = grading_driver()
_d.get(site.topic_url)
WebDriverWait(_d, 10, 0.05).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".question-card a"))
_url = _d.find_element(By.CSS_SELECTOR, ".question-card a").get_attribute("href")
_q = scrape_question(_d, _url, 20)
assert isinstance(_q, dict), f"scrape_question 应返回字典，而不是 {type(_q).__name__}"
assert set(_q) >= {"title", "text", "answers"}, f"字典需要 'title'、'text'、'answers' 三个键，你的键是 {sorted(_q)}"
assert _q["title"] and _q["text"], "问题标题或问题内容是空的：等问题加载出来了吗？"
assert isinstance(_q["answers"], list) and len(_q["answers"]) == 20, \
    f"要求 20 个回答，得到 {len(_q['answers']) if isinstance(_q['answers'], list) else type(_q['answers']).__name__}"
assert not any(str(a).endswith("…") for a in _q["answers"]), "回答里还有以“…”结尾的摘要：要点「阅读全文」"
print(_q["title"], "|", _q["text"][:40], "|", len(_q["answers"]), "个回答")
### BEGIN HIDDEN TESTS
from west2ai.mentor.truth import qa_truth as _qa_truth
_truth = _qa_truth(7)
_sizes = _truth.groupby("question_id", sort=False).size()
_qa, _qb = _sizes.index[9], _sizes.idxmin()
with serve_qa_site(seed=7) as _s:
    _ra = scrape_question(_d, _s.question_url(_qa), 13)
    _rb = scrape_question(_d, _s.question_url(_qb), int(_sizes.min()) + 3)
for _r, _qid, _n in ((_ra, _qa, 13), (_rb, _qb, int(_sizes.min()))):
    _rows = _truth[_truth.question_id == _qid]
    assert type(_r) is dict and type(_r["answers"]) is list, "应返回字典，其中 answers 是列表"
    assert _r["title"].strip() == _rows.question_title.iloc[0], f"另一个问题页的标题不对：你得到 {_r['title']!r}"
    assert _r["text"].strip() == _rows.question_text.iloc[0], f"另一个问题页的问题内容不对：你得到 {_r['text'][:30]!r}…"
    assert [a.strip() for a in _r["answers"]] == list(_rows.answer_text[:_n]), \
        (f"另一个问题页上要前 {_n} 个回答的全文（回答不够时全部），你返回了 {len(_r['answers'])} 个或内容不对："
         "回答总数少于 n_answers 时不要一直等")
### END HIDDEN TESTS

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-31", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 练习 6：爬取整个话题（2 分）
# 实现 `scrape_topic(driver, topic_url, n_questions=50, n_answers=20, progress=True)`：收集前 `n_questions` 个问题，逐个爬取，
# 返回一个 `pandas.DataFrame`：**每个回答一行**，列依次为 `question_title`、`question_text`、`answer_text`，按问题顺序、回答顺序排列。
# 用 `tqdm` 显示进度条，`progress=False` 时不显示（测试会这样调用）。

# %% nbgrader={"grade": false, "grade_id": "ex-topic", "locked": false, "schema_version": 3, "solution": true, "task": false}
def scrape_topic(driver, topic_url, n_questions=50, n_answers=20, progress=True):
    """One row per answer: question_title, question_text, answer_text."""
    ### BEGIN SOLUTION
    rows = []
    questions = collect_questions(driver, topic_url, n_questions)
    for q in tqdm(questions, desc="问题", disable=not progress):
        info = scrape_question(driver, q["url"], n_answers)
        for answer in info["answers"]:
            rows.append({"question_title": info["title"], "question_text": info["text"],
                         "answer_text": answer})
    return pd.DataFrame(rows, columns=["question_title", "question_text", "answer_text"])
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-topic-test", "locked": true, "points": 2.0, "schema_version": 3, "solution": false, "task": false}
_ok, _msg = browser_available()
assert _ok, "本测试需要浏览器，但这里启动不了：" + _msg
_d = grading_driver()
with progress_bars() as _bars:
    _df = scrape_topic(_d, site.topic_url, n_questions=2, n_answers=3, progress=False)
assert _bars.shown == 0, f"progress=False 时不应显示进度条，却显示了 {_bars.shown} 个：tqdm(..., disable=not progress)"
assert isinstance(_df, pd.DataFrame), f"scrape_topic 应返回 DataFrame，而不是 {type(_df).__name__}"
assert list(_df.columns) == ["question_title", "question_text", "answer_text"], \
    f"列应依次为 question_title, question_text, answer_text，实际为 {list(_df.columns)}"
assert len(_df) == 6, f"2 个问题 × 3 个回答应有 6 行，实际 {len(_df)} 行"
assert _df.question_title.nunique() == 2, "应包含 2 个不同的问题"
display(_df)
### BEGIN HIDDEN TESTS
from west2ai.mentor.truth import expected_qa as _expected_qa
with serve_qa_site(seed=7) as _s:
    _df = scrape_topic(_d, _s.topic_url, n_questions=3, n_answers=12, progress=False)
_want = _expected_qa(7, 3, 12)
assert type(_df) is pd.DataFrame and list(_df.columns) == list(_want.columns), \
    f"另一个话题上 scrape_topic 应返回列为 {list(_want.columns)} 的 DataFrame，实际为 {type(_df).__name__}"
assert len(_df) == len(_want), f"另一个话题上 3 个问题 × 12 个回答，你得到 {len(_df)} 行"
for _col in _want.columns:
    assert [str(v).strip() for v in _df[_col]] == list(_want[_col]), f"另一个话题上 {_col} 列的内容或顺序不对"
### END HIDDEN TESTS
assert len(_df) > 0, "scrape_topic 返回了空表"


# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-34", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 练习 7：保存为 CSV（2 分）
# 实现 `save_qa_csv(df, path)`：把表格保存到 `path`，要求
# - 不要写出行号（index）这一列；
# - 编码用 **`utf-8-sig`**（带 BOM 的 UTF-8）：不带 BOM 时，Excel 打开中文 CSV 会显示乱码。

# %% nbgrader={"grade": false, "grade_id": "ex-csv", "locked": false, "schema_version": 3, "solution": true, "task": false}
def save_qa_csv(df, path):
    """Write df to path as CSV: no index column, UTF-8 with BOM (Excel-friendly)."""
    ### BEGIN SOLUTION
    df.to_csv(path, index=False, encoding="utf-8-sig")
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-csv-test", "locked": true, "points": 2.0, "schema_version": 3, "solution": false, "task": false}
import tempfile as _tempfile
_small = pd.DataFrame({"question_title": ["标题一", "标题二"], "question_text": ["内容一", "内容二"],
                       "answer_text": ["回答一", "回答二"]})
with _tempfile.TemporaryDirectory() as _tmp:
    _path = Path(_tmp) / "small.csv"
    save_qa_csv(_small, _path)
    assert _path.exists(), "save_qa_csv 没有写出文件"
    _raw = _path.read_bytes()
assert _raw.startswith(b"\xef\xbb\xbf"), "文件开头没有 BOM：请用 encoding='utf-8-sig'"
assert _raw[3:].decode("utf-8").splitlines()[0] == "question_title,question_text,answer_text", \
    "第一行应是列名 question_title,question_text,answer_text（不要写出 index 列）"
### BEGIN HIDDEN TESTS
_tricky = pd.DataFrame({"question_title": ["a,b", "引号\"在这里"], "question_text": ["换\n行", " 空格 "],
                        "answer_text": ["逗号，和,英文逗号", "普通"]})
with _tempfile.TemporaryDirectory() as _tmp:
    _path = Path(_tmp) / "tricky.csv"
    save_qa_csv(_tricky, str(_path))
    _raw = _path.read_bytes()
    _back = pd.read_csv(_path, encoding="utf-8-sig", dtype=str, keep_default_na=False)
assert _raw.startswith(b"\xef\xbb\xbf") and not _raw.startswith(b"\xef\xbb\xbf\xef\xbb\xbf"), \
    f"文件开头应恰好有一个 BOM，实际开头是 {_raw[:6]!r}"
assert list(_back.columns) == list(_tricky.columns), f"读回来的列是 {list(_back.columns)}：不要写出 index 列"
assert _back.equals(_tricky), "含逗号、引号、换行的内容读回来变了样：用 df.to_csv 写，不要自己拼字符串"
### END HIDDEN TESTS

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-37", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ## 8. 完整爬取：50 个问题 × 20 个回答
#
# 下面的单元用你写的函数爬取整个话题，保存到 notebook 旁边的 `qa.csv`。它会先删掉旧的 `qa.csv`，所以评分用的一定是这一次的结果。
# 参考实现在 2 核机器上大约需要 1–1.5 分钟；如果你的实现慢得多，检查一下是不是用了 `time.sleep`、`poll_frequency` 太大，或者每个回答发了太多条命令。

# %% deletable=false editable=false nbgrader={"grade": false, "grade_id": "run-scrape", "locked": true, "schema_version": 3, "solution": false, "task": false}
QA_CSV = Path("qa.csv")
QA_CSV.unlink(missing_ok=True)  # always grade this run's result, never an old file
if not BROWSER_OK:
    print("⚠️ 没有可用的浏览器，无法爬取：" + BROWSER_MSG)
else:
    _start = time.time()
    with chrome_driver() as driver, progress_bars() as bars:  # the browser is closed even if your code raises
        qa = scrape_topic(driver, site.topic_url, n_questions=50, n_answers=20)
    save_qa_csv(qa, QA_CSV)
    print(f"用时 {time.time() - _start:.1f} 秒，共 {len(qa)} 行，已保存到 {QA_CSV.resolve()}")
    if not bars.shown:
        print("提示：爬取时没有显示进度条。要爬一分钟以上的任务应当让人看到进度：在 scrape_topic 里用 tqdm（progress=True 时）")
    display(qa.head())

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-39", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ## 9. 评分：检查 `qa.csv`
#
# 下面 5 个单元读取 `qa.csv`，与网站上的真实内容逐条比对（比对前去掉首尾空白、合并连续空白）。
# 话题页的前 50 个问题、每个问题的前 20 个回答（页面默认顺序）就是要爬的内容。

# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "final-titles", "locked": true, "points": 2.0, "schema_version": 3, "solution": false, "task": false}
_ok, _msg = browser_available()
assert _ok, "qa.csv 要用浏览器爬取，但这里启动不了浏览器：" + _msg
assert Path("qa.csv").exists(), "找不到 qa.csv：请先成功运行上面的完整爬取单元"
_qa = pd.read_csv("qa.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
assert "question_title" in _qa.columns, f"qa.csv 缺少 question_title 列，现有列：{list(_qa.columns)}"
print("qa.csv 里有", _qa.question_title.nunique(), "个不同的问题")
### BEGIN HIDDEN TESTS
from west2ai.mentor.truth import score_qa as _score_qa
_r = _score_qa(_qa, seed=2024, n_questions=50, n_answers=20)
assert _r["n_titles"] == 50, f"qa.csv 里应恰好有 50 个不同的问题，实际 {_r['n_titles']} 个"
assert _r["title_rate"] >= 0.99, f"话题前 50 个问题只找到 {_r['title_rate']:.0%}"
### END HIDDEN TESTS

# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "final-texts", "locked": true, "points": 2.0, "schema_version": 3, "solution": false, "task": false}
_ok, _msg = browser_available()
assert _ok, "qa.csv 要用浏览器爬取，但这里启动不了浏览器：" + _msg
assert Path("qa.csv").exists(), "找不到 qa.csv：请先成功运行上面的完整爬取单元"
_qa = pd.read_csv("qa.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
assert "question_text" in _qa.columns, f"qa.csv 缺少 question_text 列，现有列：{list(_qa.columns)}"
assert (_qa.question_text.str.strip() != "").all(), "有问题内容是空的"
### BEGIN HIDDEN TESTS
from west2ai.mentor.truth import score_qa as _score_qa
_r = _score_qa(_qa, seed=2024, n_questions=50, n_answers=20)
assert _r["text_rate"] >= 0.99, f"问题内容一致率 {_r['text_rate']:.1%}，要求 ≥ 99%"
### END HIDDEN TESTS

# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "final-count", "locked": true, "points": 2.0, "schema_version": 3, "solution": false, "task": false}
_ok, _msg = browser_available()
assert _ok, "qa.csv 要用浏览器爬取，但这里启动不了浏览器：" + _msg
assert Path("qa.csv").exists(), "找不到 qa.csv：请先成功运行上面的完整爬取单元"
_qa = pd.read_csv("qa.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
assert len(_qa) == 1000, f"50 个问题 × 20 个回答应有 1000 行，qa.csv 有 {len(_qa)} 行"
_sizes = _qa.groupby("question_title").size()
assert (_sizes == 20).all(), f"每个问题应恰好 20 个回答，这些问题不是：{_sizes[_sizes != 20].to_dict()}"
### BEGIN HIDDEN TESTS
from west2ai.mentor.truth import score_qa as _score_qa
_r = _score_qa(_qa, seed=2024, n_questions=50, n_answers=20)
assert _r["n_rows"] == 1000 and not _r["bad_counts"], f"回答数量不对：{_r['bad_counts']}"
### END HIDDEN TESTS

# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "final-answers", "locked": true, "points": 3.0, "schema_version": 3, "solution": false, "task": false}
_ok, _msg = browser_available()
assert _ok, "qa.csv 要用浏览器爬取，但这里启动不了浏览器：" + _msg
assert Path("qa.csv").exists(), "找不到 qa.csv：请先成功运行上面的完整爬取单元"
_qa = pd.read_csv("qa.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
assert "answer_text" in _qa.columns, f"qa.csv 缺少 answer_text 列，现有列：{list(_qa.columns)}"
_n_cut = int(_qa.answer_text.str.strip().str.endswith("…").sum())
assert _n_cut == 0, f"有 {_n_cut} 个回答以“…”结尾，还是摘要：要点「阅读全文」并等全文加载出来"
### BEGIN HIDDEN TESTS
from west2ai.mentor.truth import score_qa as _score_qa
_r = _score_qa(_qa, seed=2024, n_questions=50, n_answers=20)
assert _r["answer_rate"] >= 0.99, f"回答全文一致率 {_r['answer_rate']:.1%}，要求 ≥ 99%"
### END HIDDEN TESTS

# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "final-csv", "locked": true, "points": 1.0, "schema_version": 3, "solution": false, "task": false}
_ok, _msg = browser_available()
assert _ok, "qa.csv 要用浏览器爬取，但这里启动不了浏览器：" + _msg
assert Path("qa.csv").exists(), "找不到 qa.csv：请先成功运行上面的完整爬取单元"
_raw = Path("qa.csv").read_bytes()
assert _raw.startswith(b"\xef\xbb\xbf"), "qa.csv 开头没有 BOM：请用 encoding='utf-8-sig' 保存"
### BEGIN HIDDEN TESTS
_qa = pd.read_csv("qa.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
assert list(_qa.columns) == ["question_title", "question_text", "answer_text"], \
    f"qa.csv 的列应依次为 question_title, question_text, answer_text，实际为 {list(_qa.columns)}"
assert len(_qa) == 1000 and (_qa.answer_text.str.strip() != "").all(), \
    f"qa.csv 应有 1000 行且没有空回答，实际 {len(_qa)} 行、{int((_qa.answer_text.str.strip() == '').sum())} 个空回答"
### END HIDDEN TESTS

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-45", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ## 10. 想一想（不计分）
#
# - 打开开发者工具的 Network 面板，找到话题页和回答全文用的 JSON 接口。如果直接用 `requests` 请求它们，代码会是什么样？快多少？
#   真实网站的接口常常需要登录 Cookie 或签名参数，这时两种方法各有什么优缺点？
# - 真实网站会限制访问频率。对别人的服务器，请求之间应该加多长的间隔？`robots.txt` 是什么？
# - 本页的回答按赞同数排序；如果网站改成“按时间排序”，或者同一个问题在滚动中途新增了回答，你的爬虫会出什么问题？
#
# <details><summary>提示</summary>
#
# 直接请求 JSON 接口通常快十倍以上（不用启动浏览器、不用渲染），但要自己处理登录 Cookie、签名参数和翻页；Selenium 慢，却能"像人一样"
# 拿到页面最终显示的内容。请求间隔至少 0.5–1 秒，`robots.txt` 写着网站希望爬虫不要访问哪些路径。回答顺序在滚动中途变化时，
# 按位置取"前 20 个"会漏掉或重复回答：可以用回答的 ID（`data-answer-id`）去重。
# </details>
