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
# # 阶段二 · 01 用 requests 和 XPath 爬取教务处通知
#
# 考核指南的作业 1 要求爬取福州大学教务处的"教学通知"（`https://jwch.fzu.edu.cn/jxtz.htm`）。
# 为了不在批改时反复访问学校的真实服务器，本课程在你的电脑上（`127.0.0.1`）启动一个**本地副本**：
# 页面结构、翻页方式、附件和下载次数的加载方式都与真实网站一致，只是数据由随机种子生成。
# 为真实网站写的爬虫，把网址换成本地地址后就能在副本上运行。
#
# **学习目标**
#
# - 理解 HTTP 请求与响应：方法、网址、状态码、请求头与响应头、编码；
# - 会用浏览器开发者工具（DevTools）查看网页结构、复制 XPath、在 Network 面板里找到动态加载的数据；
# - 会用 `requests` 写一个"有礼貌"的请求函数：超时、间隔、出错重试；
# - 会用 `lxml` 和 XPath 解析列表页、翻页、解析详情页与附件，并清洗字段；
# - 把至少 500 条通知及其附件保存为 `notices.csv` 和 `attachments.csv`，供 03 号 notebook 做数据分析。
#
# **评分（自动批改共 {{points.auto}} 分）**
#
# | 单元格 | 内容 | 分值 |
# |---|---|---|
# | `ex-clean-test` | 练习 1：清洗文本 `clean_text`、`clean_publisher` | 2 |
# | `ex-fetch-test` | 练习 2：有礼貌的请求 `fetch`（超时、间隔、重试） | 3 |
# | `ex-parse-list-test` | 练习 3：解析列表页 `parse_list_page` | 3 |
# | `ex-list-pages-test` | 练习 4：翻页 `list_page_urls` | 2 |
# | `ex-parse-detail-test` | 练习 5：解析详情页附件 `parse_detail_page` | 3 |
# | `ex-download-count-test` | 练习 6：附件下载次数 `download_count` | 2 |
# | `csv-rows-test` | 练习 7 的结果：通知条数、顺序与覆盖（≥ 500 条） | 3 |
# | `csv-date-test` | 练习 7 的结果：日期已清洗、与网站一致 | 1 |
# | `csv-publisher-test` | 练习 7 的结果：通知人已清洗（无回车、括号）、与网站一致 | 2 |
# | `csv-title-test` | 练习 7 的结果：完整标题、与网站一致 | 1 |
# | `csv-attachments-test` | 练习 7 的结果：附件（所属通知与附件名） | 3 |
# | `csv-attachment-urls-test` | 练习 7 的结果：附件的下载链接 | 2 |
# | `csv-downloads-test` | 练习 7 的结果：附件下载次数 | 3 |
#
# 最后七项检查你保存的 CSV（与网站的真实数据逐字段比对，至少 99% 一致），并在另一个随机种子生成的站点上再运行一次你的
# `crawl`，确认它不是只对这一个站点有效。每项只看一个方面，大体正确的爬虫能拿到大部分分数：只爬列表页、不爬详情页的爬虫
# 能拿到前四项（7 分）；某个字段没清洗干净，只失去那一项。
#
# **预计学习时间**：4–6 小时（阅读 1–2 小时，编写与调试 3–4 小时）。
# **训练预算**：无训练；整本 notebook 运行不到 1 分钟（本地网站很快）。

# %% deletable=false editable=false nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false, "task": false}
import subprocess
import sys

if "google.colab" in sys.modules:  # Colab: install the course package (it never replaces Colab's torch)
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "{{package_url}}"], check=True)

import json
import os
import re
import time
from urllib.parse import urljoin

import pandas as pd
import requests
from lxml import etree
from tqdm.auto import tqdm

from west2ai.sites import serve_notice_site
from west2ai.training import progress_bars

SEED = 2024
site = serve_notice_site(seed=SEED)  # the local copy of the notice site, in a background thread
BASE_URL = site.base_url
print("本地网站已启动：", BASE_URL + "/jxtz.htm")

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-02", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ## 1. HTTP 是怎么工作的
#
# 浏览器打开一个网页，其实是在和服务器进行一问一答：
#
# 1. **请求（request）**：浏览器向服务器发送"方法 + 网址 + 请求头"。最常见的方法是 `GET`（要一个资源）和 `POST`（提交数据）。
#    网址由几部分组成：`http://127.0.0.1:8000/jxtz/42.htm?x=1` 中，`http` 是协议，`127.0.0.1` 是主机，`8000` 是端口，
#    `/jxtz/42.htm` 是路径，`?x=1` 是查询参数。请求头里常见的有 `User-Agent`（我是谁）、`Cookie`（登录状态）等。
# 2. **响应（response）**：服务器返回"状态码 + 响应头 + 正文"。状态码 `200` 表示成功，`404` 表示找不到，
#    `5xx`（如 `503`）表示服务器出错或太忙。响应头 `Content-Type` 说明正文是什么（`text/html`、`application/json`……），
#    有时还会带上字符编码 `charset=utf-8`。
# 3. 浏览器拿到 HTML 后，还会继续请求其中引用的 CSS、图片、JavaScript；JavaScript 运行时可能再发请求（XHR / fetch）取数据，
#    再把数据填进页面。**爬虫只拿到第一步的 HTML**，JavaScript 填进去的内容在 HTML 里是看不到的——后面的"下载次数"就是这种情况。
#
# `requests` 库把这些步骤包装成了一个函数调用。先看看教学通知的第一页：

# %%
resp = requests.get(BASE_URL + "/jxtz.htm", timeout=5)
print("状态码：", resp.status_code)
print("Content-Type：", resp.headers["Content-Type"])
print("requests 猜测的编码：", resp.encoding)
print(resp.text[600:760])  # mojibake: the header names no charset, so requests guessed ISO-8859-1

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-04", "locked": true, "schema_version": 3, "solution": false, "task": false}
# 上面的中文是乱码：响应头只写了 `text/html`，没有写 `charset`，`requests` 就按 HTTP 标准默认的 ISO-8859-1 解码。
# 网页本身在 `<meta>` 里声明了 UTF-8（真实的教务处网站也是这样），所以要**自己指定编码**：

# %%
resp.encoding = "utf-8"  # or resp.content.decode("utf-8")
print(resp.text[600:760])

# % [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-think-encoding", "locked": true, "schema_version": 3, "solution": false, "task": false}
# **想一想**：`requests` 为什么偏偏猜成 ISO-8859-1？如果一个网页的响应头和 `<meta>` 都没写编码，你还能怎样判断它用的是什么编码？
#
# <details><summary>提示</summary>
#
# HTTP 标准规定 `text/*` 类型没有写 `charset` 时默认是 ISO-8859-1，`requests` 只看响应头，所以照此解码。没有任何声明时，
# 可以看 `resp.apparent_encoding`：它根据正文的字节分布**猜**编码（对中文网页通常能猜出 UTF-8 或 GBK），但只是猜测，
# 解码后最好抽查几段中文。
# </details>

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-06", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 做一个有礼貌的爬虫
#
# 爬虫访问的是别人的服务器。请记住：
#
# - **设置超时**（`timeout=`）：服务器不回应时不要永远等下去；
# - **控制频率**：两次请求之间稍等片刻（真实网站建议 ≥ 0.5 秒），不要并发轰炸；先看看网站的 `robots.txt` 和使用条款；
# - **出错重试，但有上限**：网络偶尔抖动或服务器暂时返回 `5xx` 时可以重试几次；`404` 这类错误重试也没用，应立即放弃；
# - **表明身份**：用 `User-Agent` 请求头说明你是谁；
# - 复用一个 `requests.Session`：它会保持连接、共享请求头，比每次都新建连接更快，也对服务器更友好。
#
# 本地副本可以快速访问，所以 notebook 里默认不等待（`delay=0`）；爬真实网站时请把 `delay` 调大。

# %% deletable=false editable=false nbgrader={"grade": false, "grade_id": "session", "locked": true, "schema_version": 3, "solution": false, "task": false}
HEADERS = {"User-Agent": "Mozilla/5.0 (compatible; west2ai-course-crawler/1.0; stage2 homework)"}


def make_session():
    """A requests.Session that sends our User-Agent with every request."""
    session = requests.Session()
    session.headers.update(HEADERS)
    return session


SESSION = make_session()
NOTICE_COLUMNS = ["date", "publisher", "title", "url"]            # notices.csv
ATTACHMENT_COLUMNS = ["notice_url", "name", "downloads", "url"]   # attachments.csv

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-08", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ## 2. 用开发者工具看清网页
#
# 在真实网站上，按 `F12`（或右键 →"检查"）打开浏览器的开发者工具（DevTools）：
#
# - **Elements（元素）面板**：点左上角的箭头，再点页面上的一条通知，就能看到它对应的 HTML。右键该元素 → Copy → Copy XPath，
#   会得到类似 `/html/body/div[1]/div[2]/div[2]/div/div/div[3]/div[1]/ul/li[1]` 的**绝对 XPath**。
#   它能用，但很脆弱：页面结构一改就失效。更稳妥的是用 class 等属性定位，比如 `//ul[@class="list-gl"]/li`。
# - **查看网页源代码**（`Ctrl+U`）：这是服务器返回的原始 HTML，也就是爬虫拿到的东西。打开一条带附件的通知对比一下：
#   Elements 面板里"已下载 123 次"有数字，源代码里却只有 `<script>getClickTimes(…)</script>`——数字是 JavaScript 后来填进去的。
# - **Network（网络）面板**：勾选 Fetch/XHR 后刷新页面，能看到 JavaScript 发出的请求 `clicktimes.jsp?wbnewsid=…`，
#   它的响应是一段紧凑的 JSON：`{"wbshowtimes":123,"randomid":"nattach",…}`（没有空格，`wbshowtimes` 在最前；用 GET 或把同样的
#   字段作为表单 POST 过去，回答都一样）。爬虫直接请求这个网址，就能拿到下载次数。
#
# 如果你在自己电脑上运行这个 notebook，可以用浏览器直接打开上面打印的本地地址，照着练习一遍（在 Colab 上无法从浏览器访问它，
# 那就打印 HTML 来看）。下面打印列表页里的一条通知，注意其中的回车 `\r\n`、制表符和全角括号：

# %%
html_first = resp.text
start = html_first.index('<ul class="list-gl">')
print(repr(html_first[start:start + 420]))

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-10", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ## 3. XPath 入门
#
# `lxml.etree.HTML(text)` 把 HTML 解析成一棵树，`tree.xpath(表达式)` 按路径查找节点：
#
# | 表达式 | 含义 |
# |---|---|
# | `/html/body/div[1]` | 从根开始的绝对路径，`[1]` 表示第 1 个（从 1 数起） |
# | `//ul[@class="list-gl"]/li` | 任意位置上 class 为 `list-gl` 的 `ul` 的子节点 `li` |
# | `./a/@href`、`./a/@title` | 当前节点下 `a` 的属性值 |
# | `./text()` | 当前节点**直接**包含的文本节点（不含子标签里的文字），返回列表 |
# | `string(./span)`、`normalize-space(./span)` | 节点内的全部文字（含子标签）；后者还会去掉首尾空白、合并中间的空白 |
# | `./span/following-sibling::text()[1]` | `span` 后面紧跟着的第一个文本节点 |
#
# CSS 选择器 `ul.list-gl > li` 与 `//ul[@class="list-gl"]/li` 等价（BeautifulSoup 的 `select` 用的就是 CSS 选择器）。

# %%
tree = etree.HTML(html_first)
items = tree.xpath("/html/body/div[1]/div[2]/div[2]/div/div/div[3]/div[1]/ul/li")  # copied from DevTools
print(len(items), len(tree.xpath('//ul[@class="list-gl"]/li')))
li = items[0]
print(li.xpath("./text()"))                      # the publisher sits between the date and the link
print(li.xpath("normalize-space(./span)"), li.xpath("./a/@title"), li.xpath("./a/@href"))


# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-12", "locked": true, "schema_version": 3, "solution": false, "task": false}
# 几个要注意的细节（真实网站也是这样）：
#
# - 列表里的链接文字太长时会被截断成 `……...`，**完整标题在 `title` 属性里**；
# - 少数通知的日期和标题外面包了一层 `<font color="red">`，这时 `./span/text()` 只拿到空白——用 `string()` / `normalize-space()`；
# - 链接是**相对地址**：第一页是 `info/1039/13600.htm`，其他页是 `../info/1039/13600.htm`。中间的数字是发布单位的栏目号
#   （`info/1035/…` 是综合科，`info/1040/…` 是质量办……），教材中心的通知则链接到
#   `content.jsp?urltype=news.NewsContentUrl&wbtreeid=1042&wbnewsid=…`。所以**不要**只匹配 `info/\d+/`，
#   一律用 `urljoin(当前页网址, href)` 拼成完整网址，不要手工拼字符串；
# - 个别标题的 `title` 属性前后带有多余的空格（包括全角空格 `\u3000`）。
#
# ### 练习 1：清洗文本（2 分）
#
# 作业要求"一律去除回车、括号等无用符号"。实现两个函数：
#
# - `clean_text(s)`：把任意连续的空白（空格、`\r`、`\n`、`\t`、全角空格 `\u3000`、`\xa0` 等）替换成**一个**空格，再去掉首尾空白。
#   正文里本来就有的括号（如"（论文）"）要保留。提示：正则 `\s+` 能匹配所有这些空白。
# - `clean_publisher(s)`：先 `clean_text`，再去掉首尾的括号 `【】`、`[]`、`()`、`（）` 和括号内侧的空格，例如 `"\r\n\t【质量办】\r\n"` → `"质量办"`。

# %% nbgrader={"grade": false, "grade_id": "ex-clean", "locked": false, "schema_version": 3, "solution": true, "task": false}
def clean_text(s):
    """Collapse every run of whitespace into one space and strip both ends."""
    ### BEGIN SOLUTION
    return re.sub(r"\s+", " ", str(s)).strip()
    ### END SOLUTION


def clean_publisher(s):
    """clean_text, then drop the brackets around a publisher name: '【质量办】' -> '质量办'."""
    ### BEGIN SOLUTION
    return clean_text(s).strip("【】[]()（） ")
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-clean-test", "locked": true, "points": 2.0, "schema_version": 3, "solution": false, "task": false}
_raw = "\r\n\t\t  2025-06-20\r\n\t"
assert clean_text(_raw) == "2025-06-20", f"日期两边的空白没去掉：clean_text({_raw!r}) 得到 {clean_text(_raw)!r}"
assert clean_text("关于\r\n  选课的通知") == "关于 选课的通知", "中间连续的空白应合并成一个空格"
_raw = "\r\n\t\t【质量办】\r\n\t"
assert clean_publisher(_raw) == "质量办", f"clean_publisher({_raw!r}) 应为 '质量办'，实际为 {clean_publisher(_raw)!r}"
### BEGIN HIDDEN TESTS
assert type(clean_text(" x ")) is str and type(clean_publisher("【x】")) is str, \
    f"clean_text 和 clean_publisher 都应返回 str，实际为 {type(clean_text(' x ')).__name__} 和 {type(clean_publisher('【x】')).__name__}"
_cases = [("\u3000标题\xa0 ", "标题", "全角空格 \\u3000 和 \\xa0 也是空白"),
          ("a\n\n\tb  c", "a b c", "每一段连续空白都应合并成一个空格"),
          ("", "", "空字符串应原样返回"),
          ("关于做好2025届本科毕业设计（论文）工作的通知", "关于做好2025届本科毕业设计（论文）工作的通知", "正文里的括号要保留")]
for _raw, _want, _hint in _cases:
    _got = clean_text(_raw)
    assert _got == _want, f"clean_text({_raw!r}) 得到 {_got!r}：{_hint}"
_cases = [("【 考试中心 】", "考试中心"), ("[计划科]", "计划科"), ("（教材中心）", "教材中心"), ("教学运行", "教学运行"),
          ("\r\n\t\t\t\t\t\t\t\t\t\t\t【学籍科】\r\n\t\t\t\t\t\t\t\t\t\t\t", "学籍科")]
for _raw, _want in _cases:
    _got = clean_publisher(_raw)
    assert _got == _want, f"clean_publisher({_raw!r}) 得到 {_got!r}：四种括号 【】 [] () （） 和括号内侧的空格都要去掉，没有括号时原样保留"
### END HIDDEN TESTS
assert clean_publisher("【综合科】") == "综合科", f"clean_publisher('【综合科】') 应为 '综合科'，实际为 {clean_publisher('【综合科】')!r}"


# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-15", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 练习 2：有礼貌的请求函数（3 分）
#
# 实现 `fetch(url, session=None, timeout=5.0, attempts=3, delay=0.0)`，返回**按 UTF-8 解码**的响应正文（`str`）：
#
# - `session` 为 `None` 时使用上面的 `SESSION`，否则用传入的会话发请求（`session.get(...)`）；每次请求都要传 `timeout=timeout`；
# - 每次发请求**之前**先等待 `delay` 秒（`time.sleep`）；
# - 连接出错或超时（`requests.ConnectionError`、`requests.Timeout`）以及状态码 `5xx` 时重试，**总共最多尝试 `attempts` 次**，
#   两次尝试之间可以稍等片刻（例如 0.2 秒，不要超过 1 秒）；最后一次仍失败就把错误抛出（`5xx` 用 `resp.raise_for_status()` 抛出 `requests.HTTPError`）；
# - 状态码 `4xx`（如 `404`）**不要重试**，立即 `raise_for_status()`。
#
# 不要写 `while True`：循环次数必须有上限。

# %% nbgrader={"grade": false, "grade_id": "ex-fetch", "locked": false, "schema_version": 3, "solution": true, "task": false}
def fetch(url, session=None, timeout=5.0, attempts=3, delay=0.0):
    """GET ``url`` politely and return the body decoded as UTF-8 (see the rules above)."""
    ### BEGIN SOLUTION
    if session is None:
        session = SESSION
    for attempt in range(1, attempts + 1):
        if delay:
            time.sleep(delay)
        try:
            resp = session.get(url, timeout=timeout)
        except (requests.ConnectionError, requests.Timeout):
            if attempt == attempts:
                raise
        else:
            if resp.status_code < 500:
                resp.raise_for_status()  # 4xx: retrying will not help
                resp.encoding = "utf-8"
                return resp.text
            if attempt == attempts:
                resp.raise_for_status()
        time.sleep(0.1 * attempt)  # back off a little before the next try
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-fetch-test", "locked": true, "points": 3.0, "schema_version": 3, "solution": false, "task": false}
text = fetch(BASE_URL + "/jxtz.htm")
assert isinstance(text, str), f"fetch 应返回 str，实际为 {type(text).__name__}"
assert "教学通知" in text, "返回的文字里找不到'教学通知'：记得按 UTF-8 解码（resp.encoding = 'utf-8'）"
try:
    fetch(BASE_URL + "/no-such-page.htm")
except requests.HTTPError:
    pass
else:
    raise AssertionError("请求不存在的页面（404）应抛出 requests.HTTPError")
### BEGIN HIDDEN TESTS
import socket
from west2ai.sites import serve_notice_site as _serve
from west2ai.mentor.truth import site_truth as _site_truth


class _CountingSession(requests.Session):
    def __init__(self):
        super().__init__()
        self.calls = []

    def request(self, method, url, *args, **kwargs):
        self.calls.append(kwargs.get("timeout"))
        return super().request(method, url, *args, **kwargs)


with _serve(seed=7, n_notices=50) as _chk:
    _url = _chk.url("/jxtz.htm")
    _s = _CountingSession()
    _t = fetch(_url, session=_s, timeout=2.5)
    assert type(_t) is str and "共50条" in _t and "教学通知" in _t, \
        f"在另一个站点上请求第一页，应返回按 UTF-8 解码的正文（str），你返回了 {type(_t).__name__}（内容是乱码或不完整？）"
    assert _s.calls == [2.5], f"应当用传入的 session 发 1 次请求并带上 timeout，实际 {_s.calls}"
    # a flaky server: two 503s, then success
    _chk.fail_next("/jxtz.htm", 2)
    _before = _chk.hits("/jxtz.htm")
    assert "共50条" in fetch(_url, attempts=3), "服务器先回两次 503、第三次才成功：attempts=3 时应返回第三次的正文"
    assert _chk.hits("/jxtz.htm") - _before == 3, "两次 503 之后第三次应成功"
    # still failing after the last attempt: raise, and do not try more often than allowed
    _chk.fail_next("/jxtz.htm", 3)
    _before = _chk.hits("/jxtz.htm")
    try:
        fetch(_url, attempts=3)
    except requests.HTTPError:
        pass
    else:
        raise AssertionError("三次都是 503 时应抛出 requests.HTTPError")
    assert _chk.hits("/jxtz.htm") - _before == 3, "attempts=3 时最多请求 3 次"
    # 404: no retry
    _before = _chk.hits("/missing.htm")
    try:
        fetch(_chk.url("/missing.htm"), attempts=3)
    except requests.HTTPError:
        pass
    else:
        raise AssertionError("404 应抛出 requests.HTTPError")
    assert _chk.hits("/missing.htm") - _before == 1, "404 不应重试"
    # a slow first answer: the timeout fires, the retry succeeds
    _chk.delay_next("/jxtz.htm", 1, seconds=2.0)
    _t0 = time.perf_counter()
    assert "共50条" in fetch(_url, timeout=0.3, attempts=2), "第一次请求超时后应重试，并返回第二次请求的正文"
    assert time.perf_counter() - _t0 < 1.9, "超时后应重试，而不是一直等待"
    # the politeness delay
    _t0 = time.perf_counter()
    fetch(_url, delay=0.3)
    assert time.perf_counter() - _t0 >= 0.3, "每次请求前应等待 delay 秒"
    # JSON endpoints come back as text too
    _fid = int(_site_truth(_chk)[1].file_id.iloc[0])
    _j = fetch(_chk.url(f"/system/resource/code/news/click/clicktimes.jsp?wbnewsid={_fid}&owner=1744984858&type=wbnewsfile&randomid=nattach"))
    assert json.loads(_j)["wbshowtimes"] == int(_site_truth(_chk)[1].downloads.iloc[0]), \
        f"请求 clicktimes.jsp 这样的 JSON 接口时，fetch 应原样返回正文文字，你返回了 {_j[:60]!r}"
# nobody listens: connection errors are raised after the last attempt
_sock = socket.socket()
_sock.bind(("127.0.0.1", 0))
_port = _sock.getsockname()[1]
_sock.close()
_t0 = time.perf_counter()
try:
    fetch(f"http://127.0.0.1:{_port}/jxtz.htm", attempts=2, timeout=1)
except requests.ConnectionError:
    pass
else:
    raise AssertionError("连不上服务器时应抛出 requests.ConnectionError")
_spent = time.perf_counter() - _t0
assert _spent < 5, f"连不上服务器时，attempts=2 应在几秒内放弃，实际用了 {_spent:.1f} 秒：重试次数有上限吗？间隔是否太长？"
### END HIDDEN TESTS
assert "list-gl" in text, "返回的文字里没有通知列表（list-gl）：应返回完整的响应正文"


# % [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-think-retry", "locked": true, "schema_version": 3, "solution": false, "task": false}
# **想一想**：`fetch` 遇到 `404` 为什么不重试，遇到 `503` 却要重试？如果服务器一直回 `503`、而你的循环没有上限，会发生什么？
# 练习 7 要请求大约 25 个列表页、500 个详情页和四百多次下载次数，爬真实网站时设 `delay=0.5`，至少要多久？
#
# <details><summary>提示</summary>
#
# `404` 表示"没有这个页面"，再问多少次答案都一样；`503` 表示服务器暂时忙不过来，过一会儿可能就好了。没有上限的重试会变成
# 一个永远不停、还在不断给对方服务器加压的死循环。大约 970 个请求 × 0.5 秒 ≈ 8 分钟，还没算服务器的响应时间——所以要有进度条。
# </details>

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-18", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 练习 3：解析列表页（3 分）
#
# 实现 `parse_list_page(html, page_url)`：`html` 是一页列表页的文字，`page_url` 是它的网址。按页面顺序返回一个列表，
# 每条通知一个字典，键正好是 `date`、`publisher`、`title`、`url`：
#
# - `date`：`YYYY-MM-DD`（注意 `<font>` 包着日期的情况）；
# - `publisher`：通知人，如 `质量办`（用 `clean_publisher`）；
# - `title`：**完整**标题，取 `a` 的 `title` 属性（用 `clean_text`）；
# - `url`：详情页的**完整**网址，`urljoin(page_url, href)`。

# %% nbgrader={"grade": false, "grade_id": "ex-parse-list", "locked": false, "schema_version": 3, "solution": true, "task": false}
def parse_list_page(html, page_url):
    """Notices of one list page, in page order: dicts with keys date, publisher, title, url."""
    ### BEGIN SOLUTION
    tree = etree.HTML(html)
    rows = []
    for li in tree.xpath('//ul[@class="list-gl"]/li'):
        a = li.xpath("./a")[0]
        rows.append({
            "date": clean_text(li.xpath('string(./span[@class="doclist_time"])')),
            "publisher": clean_publisher(li.xpath("./span/following-sibling::text()[1]")[0]),
            "title": clean_text(a.get("title") or a.xpath("string(.)")),
            "url": urljoin(page_url, a.get("href")),
        })
    return rows
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-parse-list-test", "locked": true, "points": 3.0, "schema_version": 3, "solution": false, "task": false}
rows = parse_list_page(html_first, BASE_URL + "/jxtz.htm")
assert isinstance(rows, list), f"应返回 list，实际为 {type(rows).__name__}"
assert len(rows) == 20, f"每页有 20 条通知，实际解析出 {len(rows)} 条"
assert all(isinstance(r, dict) and set(r) == {"date", "publisher", "title", "url"} for r in rows), "每条应是键为 date、publisher、title、url 的字典"
assert rows[0]["url"].startswith(BASE_URL + "/info/"), f"url 应是完整网址，实际为 {rows[0]['url']!r}"
assert re.search(r"\d{4}-\d{2}-\d{2}", rows[0]["date"]), f"没有解析出日期：{rows[0]['date']!r}"
### BEGIN HIDDEN TESTS
# cleaning is graded in ex-clean and csv-clean; here: the right rows, the right fields, full urls
from west2ai.sites import serve_notice_site as _serve
from west2ai.mentor.truth import site_truth as _site_truth
with _serve(seed=4, n_notices=50) as _chk:
    _truth = _site_truth(_chk)[0]
    # this site has a red <font> date among its first 50 notices (seed 4)
    for _page in (1, 2, 3):
        _url = _chk.url("/jxtz.htm" if _page == 1 else f"/jxtz/{_chk.n_pages - _page + 1}.htm")
        _html = requests.get(_url, timeout=5).content.decode("utf-8")
        _rows = parse_list_page(_html, _url)
        _exp = _truth[_truth.page == _page]
        assert type(_rows) is list and len(_rows) == len(_exp), \
            f"另一个站点第 {_page} 页：你解析出 {len(_rows) if type(_rows) is list else type(_rows).__name__} 条，与页面上的条数不符"
        for _r, _e in zip(_rows, _exp.itertuples()):
            assert type(_r) is dict and all(isinstance(_r.get(k), str) for k in ("date", "publisher", "title", "url")), \
                f"另一个站点第 {_page} 页：每条应是四个值都为 str 的字典，你得到 {_r!r}"
            assert _r["url"] == _e.url, f"另一个站点第 {_page} 页：详情链接不对，你得到 {_r['url']!r}（用 urljoin(page_url, href)）"
            assert _e.date in _r["date"], f"另一个站点第 {_page} 页：日期不对，你得到 {_r['date']!r}（<font> 包着日期时用 string()）"
            assert _e.publisher in _r["publisher"], f"另一个站点第 {_page} 页：通知人不对，你得到 {_r['publisher']!r}"
            assert _e.title in _r["title"], f"另一个站点第 {_page} 页：标题不完整，你得到 {_r['title']!r}（完整标题在 title 属性里）"
### END HIDDEN TESTS
assert len({r["url"] for r in rows}) == 20, f"20 条通知应有 20 个不同的 url，你只得到 {len({r['url'] for r in rows})} 个"


# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-21", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 练习 4：翻页（2 分）
#
# 列表一共有 P 页，网址是**倒着编号**的：第 1 页是 `/jxtz.htm`，第 2 页是 `/jxtz/{P-1}.htm`，……，最后一页是 `/jxtz/1.htm`。
# 总页数写在页码栏里：`class="p_no"` 的 `span` 里的最后一个 `<a>`（页面上还有"共N条"）。
#
# 实现 `list_page_urls(first_html, first_url)`：根据第一页的 HTML 和网址，按从新到旧的顺序返回**所有**列表页的完整网址。
# 只有一页时页码栏里没有 `p_no` 链接，这时只返回 `[first_url]`。

# %% nbgrader={"grade": false, "grade_id": "ex-list-pages", "locked": false, "schema_version": 3, "solution": true, "task": false}
def list_page_urls(first_html, first_url):
    """All list page URLs, newest first: [first_url, .../jxtz/{P-1}.htm, ..., .../jxtz/1.htm]."""
    ### BEGIN SOLUTION
    tree = etree.HTML(first_html)
    numbers = tree.xpath('//span[@class="p_no"]/a/text()')
    total = int(numbers[-1]) if numbers else 1
    return [first_url] + [urljoin(first_url, f"jxtz/{n}.htm") for n in range(total - 1, 0, -1)]
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-list-pages-test", "locked": true, "points": 2.0, "schema_version": 3, "solution": false, "task": false}
urls = list_page_urls(html_first, BASE_URL + "/jxtz.htm")
assert isinstance(urls, list), f"应返回 list，实际为 {type(urls).__name__}"
assert len(urls) == site.n_pages, f"应有 {site.n_pages} 页，实际 {len(urls)} 页"
assert urls[0] == BASE_URL + "/jxtz.htm", "第一个网址应是第一页"
assert urls[1] == BASE_URL + f"/jxtz/{site.n_pages - 1}.htm", f"第二页应是 /jxtz/{site.n_pages - 1}.htm，实际为 {urls[1]}"
### BEGIN HIDDEN TESTS
from west2ai.sites import serve_notice_site as _serve
for _n in (95, 30, 15):
    with _serve(seed=_n, n_notices=_n) as _chk:
        _first = _chk.url("/jxtz.htm")
        _got = list_page_urls(requests.get(_first, timeout=5).content.decode("utf-8"), _first)
        _pages = -(-_n // 20)
        _exp = [_first] + [_chk.url(f"/jxtz/{k}.htm") for k in range(_pages - 1, 0, -1)]
        assert type(_got) is list and all(type(u) is str for u in _got), \
            f"{_n} 条通知的站点上应返回网址字符串的列表，你返回了 {type(_got).__name__}"
        assert _got == _exp, (f"{_n} 条通知（{_pages} 页）的站点上，你返回了 {len(_got)} 个网址，"
                              f"前两个是 {_got[:2]}：页数从 p_no 里最后一个链接读，倒序编号")
### END HIDDEN TESTS
assert urls[-1] == BASE_URL + "/jxtz/1.htm", f"最后一页应是 /jxtz/1.htm，实际为 {urls[-1]}"

# % [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-think-pages", "locked": true, "schema_version": 3, "solution": false, "task": false}
# **想一想**：网站为什么把页码**倒着**编号（最新的一页是 `/jxtz.htm`，最老的一页是 `/jxtz/1.htm`）？
# 如果你爬到一半时网站发布了一条新通知，一页一页往后爬会出现什么问题？怎样发现和处理？
#
# <details><summary>提示</summary>
#
# 发布新通知时，只有最新的几页内容会变；倒序编号让老通知所在页的网址保持不变，生成静态页面和缓存都更省事。
# 但爬到一半时来了新通知，所有通知都往后挪一格：上一页最后一条会在下一页开头再出现一次。按详情页网址去重
# （`drop_duplicates("url")`）就能发现并去掉重复；要求"最新 500 条"时，也可以爬完后再检查一次第一页。
# </details>

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-24", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ## 4. 详情页、附件与下载次数
#
# 详情页上：面包屑 `<p class="w-main-dh-text">` 的最后一个链接是发布单位，标题在 `<h4 align="center">` 里，
# 发布时间在 `<span class="xl_sj_icon">发布时间：YYYY-MM-DD</span>` 里。打开一条有附件的通知，附件在
# `<div class="xl_main">` 的直接子元素 `<ul style="list-style-type:none;">` 里（`//div[@class="xl_main"]/ul/li`），每个附件一个 `<li>`：
#
# ```html
# <li>附件【<a href="/system/_content/download.jsp?urltype=news.DownloadAttachUrl&owner=1744984858&wbfileid=16655107"
#    target="_blank">附件1：推荐汇总表.docx</a>】已下载<span id="nattach16655107"><script>
#    getClickTimes(16655107,1744984858,"wbnewsfile","attach")</script></span>次</li>
# ```
#
# 注意原始 HTML 里链接中的 `&` 没有转义成 `&amp;`（真实网站就是这样）；lxml 解析后 `@href` 里是普通的 `&`。
#
# 下载次数不在 HTML 里，而是由 `getClickTimes` 向下面这个网址要来的（在 DevTools 的 Network 面板里能看到它）：
#
# ```
# /system/resource/code/news/click/clicktimes.jsp?wbnewsid=附件ID&owner=1744984858&type=wbnewsfile&randomid=nattach
# ```
#
# 响应是 JSON，次数在 `wbshowtimes` 字段里。附件 ID 可以从 `span` 的 `id`（`nattach` 后面的数字）、链接里的 `wbfileid`
# 或脚本参数中得到。

# %%
example_url = site.example_notice(n_attachments=2)   # a notice with two attachments
detail_html = SESSION.get(example_url, timeout=5).content.decode("utf-8")
ul_start = detail_html.index('<ul style="list-style-type:none;">')
print(example_url)
print(detail_html[ul_start:ul_start + 700])


# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-26", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 练习 5：解析详情页的附件（3 分）
#
# 实现 `parse_detail_page(html, page_url)`：返回该通知的附件列表（没有附件时返回空列表 `[]`），每个附件一个字典：
#
# - `name`：附件名（`a` 的文字，用 `clean_text`）；
# - `file_id`：附件 ID，`int` 类型；
# - `url`：附件的完整下载网址，`urljoin(page_url, href)`。

# %% nbgrader={"grade": false, "grade_id": "ex-parse-detail", "locked": false, "schema_version": 3, "solution": true, "task": false}
def parse_detail_page(html, page_url):
    """Attachments of one notice: dicts with keys name, file_id (int), url."""
    ### BEGIN SOLUTION
    tree = etree.HTML(html)
    found = []
    for li in tree.xpath('//ul[@style="list-style-type:none;"]/li'):
        a = li.xpath("./a")[0]
        span_id = li.xpath("./span/@id")[0]  # "nattach16655107"
        found.append({
            "name": clean_text(a.xpath("string(.)")),
            "file_id": int(span_id.replace("nattach", "")),
            "url": urljoin(page_url, a.get("href")),
        })
    return found
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-parse-detail-test", "locked": true, "points": 3.0, "schema_version": 3, "solution": false, "task": false}
found = parse_detail_page(detail_html, example_url)
assert isinstance(found, list), f"应返回 list，实际为 {type(found).__name__}"
assert len(found) == 2, f"这条通知有 2 个附件，实际解析出 {len(found)} 个"
assert all(set(f) == {"name", "file_id", "url"} for f in found), "每个附件应是键为 name、file_id、url 的字典"
assert isinstance(found[0]["file_id"], int), "file_id 应是 int"
assert found[0]["url"].startswith(BASE_URL + "/system/_content/download.jsp?"), f"url 应是完整的下载网址，实际为 {found[0]['url']!r}"
### BEGIN HIDDEN TESTS
from west2ai.sites import serve_notice_site as _serve
from west2ai.mentor.truth import site_truth as _site_truth
with _serve(seed=21, n_notices=40) as _chk:
    _truth, _att = _site_truth(_chk)[0], _site_truth(_chk)[1]
    for _n in sorted(set(_truth.n_attachments)):
        _row = _truth[_truth.n_attachments == _n].iloc[0]
        _got = parse_detail_page(requests.get(_row.url, timeout=5).content.decode("utf-8"), _row.url)
        _exp = _att[_att.notice_url == _row.url]
        assert type(_got) is list and len(_got) == _n, \
            f"另一个站点上一条有 {_n} 个附件的通知，你解析出 {len(_got) if type(_got) is list else type(_got).__name__} 个"
        for _g, _e in zip(_got, _exp.itertuples()):
            assert type(_g) is dict and type(_g.get("file_id")) is int and isinstance(_g.get("name"), str), \
                f"每个附件应是字典，file_id 为 int、name 为 str，你得到 {_g!r}"
            assert _g["file_id"] == _e.file_id, f"另一个站点上附件 ID 不对，你得到 {_g['file_id']}（取 nattach 后面的数字）"
            assert _g["name"] == _e.name, f"另一个站点上附件名不对，你得到 {_g['name']!r}（用 clean_text 清洗 a 的文字）"
            assert _g["url"] == _e.url, f"另一个站点上下载网址不对，你得到 {_g['url']!r}（用 urljoin(page_url, href)）"
### END HIDDEN TESTS
assert found[0]["file_id"] != found[1]["file_id"], f"两个附件的 file_id 应不同，你得到的都是 {found[0]['file_id']}"


# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-29", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 练习 6：附件下载次数（2 分）
#
# 实现 `download_count(file_id, base_url, session=None)`：请求上面的 `clicktimes.jsp`（用你的 `fetch`），解析 JSON，
# 以 `int` 返回 `wbshowtimes`。`base_url` 形如 `http://127.0.0.1:8000`（末尾没有 `/`）。

# %% nbgrader={"grade": false, "grade_id": "ex-download-count", "locked": false, "schema_version": 3, "solution": true, "task": false}
def download_count(file_id, base_url, session=None):
    """How often attachment ``file_id`` was downloaded, from the clicktimes JSON endpoint."""
    ### BEGIN SOLUTION
    url = (f"{base_url}/system/resource/code/news/click/clicktimes.jsp"
           f"?wbnewsid={file_id}&owner=1744984858&type=wbnewsfile&randomid=nattach")
    return int(json.loads(fetch(url, session=session))["wbshowtimes"])
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-download-count-test", "locked": true, "points": 2.0, "schema_version": 3, "solution": false, "task": false}
first_att = site.example_attachment()
n = download_count(int(first_att["file_id"]), BASE_URL)
assert isinstance(n, int) and not isinstance(n, bool), f"应返回 int，实际为 {type(n).__name__}"
assert n >= 0, "下载次数不会是负数"
### BEGIN HIDDEN TESTS
from west2ai.sites import serve_notice_site as _serve
from west2ai.mentor.truth import site_truth as _site_truth
with _serve(seed=33, n_notices=40) as _chk:
    _att = _site_truth(_chk)[1]
    for _e in _att.head(8).itertuples():
        _got = download_count(int(_e.file_id), _chk.base_url)
        assert type(_got) is int, f"应返回 int，实际为 {type(_got).__name__}"
        assert _got == _e.downloads, f"另一个站点上附件 {_e.file_id} 的下载次数不对，你得到 {_got}：是否用了传入的 base_url？"
### END HIDDEN TESTS
_again = download_count(int(first_att["file_id"]), BASE_URL)
assert n == _again, f"同一个附件查两次，下载次数应相同，你得到 {n} 和 {_again}"

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-32", "locked": true, "schema_version": 3, "solution": false, "task": false}
# 有能力的话，也可以把附件本身下载下来（作业里的加分项，不计分）：下载网址返回的就是文件内容（`resp.content`，字节串）。

# %%
att = site.example_attachment()
data = SESSION.get(att["url"], timeout=5).content
print(att["name"], len(data), "字节")
# to keep them: open(os.path.join("attachments", name), "wb").write(data)

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-34", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 练习 7：把它们组装成爬虫（结果共 15 分，见下面七个检查）
#
# 实现 `crawl(base_url, min_notices=500, delay=0.0, progress=True)`，返回两个 `DataFrame`：
#
# 1. 从第一页 `base_url + "/jxtz.htm"` 开始，用 `list_page_urls` 得到所有列表页，依次用 `fetch` + `parse_list_page` 解析，
#    **攒够 `min_notices` 条就停止翻页**（整页整页地加，所以条数可能略多于 `min_notices`，站点总共不足时就全部爬完）；
# 2. 对每条通知，`fetch` 它的详情页，用 `parse_detail_page` 找附件，用 `download_count` 查下载次数；
# 3. 返回 `(notices, attachments)`：
#    - `notices` 的列依次为 `NOTICE_COLUMNS = ["date", "publisher", "title", "url"]`，每条通知一行，顺序与网站一致；
#    - `attachments` 的列依次为 `ATTACHMENT_COLUMNS = ["notice_url", "name", "downloads", "url"]`，每个附件一行，
#      `notice_url` 是所属通知的 `url`，`downloads` 是下载次数（`int`）；没有附件时也要返回带这些列的空表。
#
# 所有请求都要经过 `fetch`，并把 `delay` 传下去。`progress=True` 时用 `tqdm` 显示详情页的进度条，`progress=False` 时不显示。

# %% nbgrader={"grade": false, "grade_id": "ex-crawl", "locked": false, "schema_version": 3, "solution": true, "task": false}
def crawl(base_url, min_notices=500, delay=0.0, progress=True):
    """Crawl list pages, detail pages and download counts; return (notices, attachments)."""
    ### BEGIN SOLUTION
    first_url = base_url + "/jxtz.htm"
    first_html = fetch(first_url, delay=delay)
    rows = []
    for url in list_page_urls(first_html, first_url):
        html = first_html if url == first_url else fetch(url, delay=delay)
        rows.extend(parse_list_page(html, url))
        if len(rows) >= min_notices:
            break
    attachments = []
    for row in tqdm(rows, desc="详情页", disable=not progress):
        for att in parse_detail_page(fetch(row["url"], delay=delay), row["url"]):
            if delay:
                time.sleep(delay)
            attachments.append({
                "notice_url": row["url"],
                "name": att["name"],
                "downloads": download_count(att["file_id"], base_url),
                "url": att["url"],
            })
    return pd.DataFrame(rows, columns=NOTICE_COLUMNS), pd.DataFrame(attachments, columns=ATTACHMENT_COLUMNS)
    ### END SOLUTION


# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-36", "locked": true, "schema_version": 3, "solution": false, "task": false}
# 下面的单元格运行你的爬虫并保存结果（开始前会先删除旧的 CSV，保证文件总是这一次运行的结果）。在本地副本上只需几秒
# （500 多个详情页和几百次下载次数请求，本地网站回答得很快）；同样的爬虫在真实网站上加了 `delay=0.5` 之后至少要八分钟，
# 所以要有进度条。

# %% deletable=false editable=false nbgrader={"grade": false, "grade_id": "run-crawl", "locked": true, "schema_version": 3, "solution": false, "task": false}
for name in ("notices.csv", "attachments.csv"):
    if os.path.exists(name):
        os.remove(name)  # a failed crawl must not leave an old result behind
t0 = time.perf_counter()
with progress_bars() as bars:
    notices_df, attachments_df = crawl(BASE_URL, min_notices=500)
notices_df.to_csv("notices.csv", index=False)
attachments_df.to_csv("attachments.csv", index=False)
print(f"{len(notices_df)} 条通知，{len(attachments_df)} 个附件，用时 {time.perf_counter() - t0:.1f} 秒")
if not bars.shown:
    print("提示：爬取时没有显示进度条。在真实网站上这至少要八分钟：progress=True 时请用 tqdm 显示详情页的进度")
notices_df.head()

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-38", "locked": true, "schema_version": 3, "solution": false, "task": false}
# 七个检查读的是你保存的 CSV，每个只看一个方面。隐藏部分会与网站的真实数据逐字段比对（至少 99% 一致），并在另一个随机种子的
# 站点上再运行一次 `crawl(..., progress=False)`，比较同一个方面。

# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "csv-rows-test", "locked": true, "points": 3.0, "schema_version": 3, "solution": false, "task": false}
assert os.path.exists("notices.csv"), "没有找到 notices.csv：先让上面的爬取单元格成功运行"
got = pd.read_csv("notices.csv", dtype=str, keep_default_na=False)
missing = [c for c in NOTICE_COLUMNS if c not in got.columns]
assert not missing, f"notices.csv 缺少列 {missing}"
assert len(got) >= 500, f"至少需要 500 条通知，实际只有 {len(got)} 条"
### BEGIN HIDDEN TESTS
from west2ai.mentor import crawlcheck as _cc
_cc.check_rows(got, crawl, seed=31)
### END HIDDEN TESTS
assert got["url"].str.strip().str.startswith("http").all(), "url 应是完整网址（以 http 开头）"

# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "csv-date-test", "locked": true, "points": 1.0, "schema_version": 3, "solution": false, "task": false}
assert os.path.exists("notices.csv"), "没有找到 notices.csv：先让上面的爬取单元格成功运行"
got = pd.read_csv("notices.csv", dtype=str, keep_default_na=False)
assert "date" in got.columns, f"notices.csv 缺少 date 列，现有列：{list(got.columns)}"
_bad = got.loc[~got["date"].str.fullmatch(r"\d{4}-\d{2}-\d{2}"), "date"]
assert _bad.empty, f"有 {len(_bad)} 个日期不是 2025-06-20 这样的格式，例如 {_bad.head(2).tolist()}"
### BEGIN HIDDEN TESTS
from west2ai.mentor import crawlcheck as _cc
_cc.check_field(got, crawl, "date", seed=32, hint="<font> 包着日期时用 string() 取文字，再用 clean_text")
### END HIDDEN TESTS
assert (got["date"].iloc[:-1].values >= got["date"].iloc[1:].values).all(), \
    "通知应按网站上的顺序保存（最新的在前），日期应逐行不增：翻页是否从 jxtz.htm 开始、按倒序编号往后爬？"

# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "csv-publisher-test", "locked": true, "points": 2.0, "schema_version": 3, "solution": false, "task": false}
assert os.path.exists("notices.csv"), "没有找到 notices.csv：先让上面的爬取单元格成功运行"
got = pd.read_csv("notices.csv", dtype=str, keep_default_na=False)
assert "publisher" in got.columns, f"notices.csv 缺少 publisher 列，现有列：{list(got.columns)}"
_bad = got.loc[got["publisher"].str.contains(r"[【】\[\]（）()\s]"), "publisher"]
assert _bad.empty, f"有 {len(_bad)} 个通知人还带着括号或空白，例如 {_bad.head(2).tolist()}：用 clean_publisher"
### BEGIN HIDDEN TESTS
from west2ai.mentor import crawlcheck as _cc
_cc.check_field(got, crawl, "publisher", seed=33, hint="通知人夹在日期和链接之间，用 clean_publisher 清洗")
### END HIDDEN TESTS
assert (got["publisher"] != "").all(), "有通知人是空的：通知人是 span 后面紧跟着的文本节点"

# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "csv-title-test", "locked": true, "points": 1.0, "schema_version": 3, "solution": false, "task": false}
assert os.path.exists("notices.csv"), "没有找到 notices.csv：先让上面的爬取单元格成功运行"
got = pd.read_csv("notices.csv", dtype=str, keep_default_na=False)
assert "title" in got.columns, f"notices.csv 缺少 title 列，现有列：{list(got.columns)}"
assert not got["title"].str.contains(r"[\r\n\t]").any(), "标题里还有回车或制表符：用 clean_text"
### BEGIN HIDDEN TESTS
from west2ai.mentor import crawlcheck as _cc
_cc.check_field(got, crawl, "title", seed=36, hint="完整标题在 a 的 title 属性里（链接文字会被截断），再用 clean_text")
### END HIDDEN TESTS
_cut = got.loc[got["title"].str.endswith("..."), "title"]
assert _cut.empty, f"有 {len(_cut)} 个标题被截断了（以 ... 结尾），例如 {_cut.head(1).tolist()}：完整标题在 a 的 title 属性里"

# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "csv-attachments-test", "locked": true, "points": 3.0, "schema_version": 3, "solution": false, "task": false}
assert os.path.exists("attachments.csv"), "没有找到 attachments.csv：先让上面的爬取单元格成功运行"
att_got = pd.read_csv("attachments.csv", dtype=str, keep_default_na=False)
missing = [c for c in ATTACHMENT_COLUMNS if c not in att_got.columns]
assert not missing, f"attachments.csv 缺少列 {missing}"
assert len(att_got) > 0, "attachments.csv 是空的：还没有爬详情页的附件"
### BEGIN HIDDEN TESTS
from west2ai.mentor import crawlcheck as _cc
_cc.check_attachments(att_got, pd.read_csv("notices.csv", dtype=str, keep_default_na=False), crawl, seed=34)
### END HIDDEN TESTS
assert att_got["notice_url"].isin(pd.read_csv("notices.csv", dtype=str, keep_default_na=False)["url"]).all(), \
    "每个附件的 notice_url 都应是 notices.csv 里某条通知的 url"

# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "csv-attachment-urls-test", "locked": true, "points": 2.0, "schema_version": 3, "solution": false, "task": false}
assert os.path.exists("attachments.csv"), "没有找到 attachments.csv：先让上面的爬取单元格成功运行"
att_got = pd.read_csv("attachments.csv", dtype=str, keep_default_na=False)
assert "url" in att_got.columns and len(att_got) > 0, "attachments.csv 没有 url 列或是空的"
_bad = att_got.loc[~att_got["url"].str.strip().str.startswith("http"), "url"]
assert _bad.empty, f"有 {len(_bad)} 个下载链接不是完整网址，例如 {_bad.head(1).tolist()}：用 urljoin(page_url, href)"
### BEGIN HIDDEN TESTS
from west2ai.mentor import crawlcheck as _cc
_cc.check_attachment_urls(att_got, crawl, seed=38)
### END HIDDEN TESTS
assert att_got["url"].str.contains("download.jsp").all(), "下载链接应指向 download.jsp（附件 a 标签的 href）"

# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "csv-downloads-test", "locked": true, "points": 3.0, "schema_version": 3, "solution": false, "task": false}
assert os.path.exists("attachments.csv"), "没有找到 attachments.csv：先让上面的爬取单元格成功运行"
att_got = pd.read_csv("attachments.csv", dtype=str, keep_default_na=False)
assert "downloads" in att_got.columns and len(att_got) > 0, "attachments.csv 没有 downloads 列或是空的"
_bad = att_got.loc[~att_got["downloads"].str.strip().str.fullmatch(r"\d+"), "downloads"]
assert _bad.empty, f"有 {len(_bad)} 个 downloads 不是非负整数，例如 {_bad.head(2).tolist()}：从 clicktimes.jsp 的 JSON 里取 wbshowtimes"
### BEGIN HIDDEN TESTS
from west2ai.mentor import crawlcheck as _cc
_cc.check_downloads(att_got, pd.read_csv("notices.csv", dtype=str, keep_default_na=False), crawl, seed=35)
### END HIDDEN TESTS
_zero = (att_got["downloads"].str.strip() == "0").mean()
assert _zero < 0.5, f"{_zero:.0%} 的附件下载次数是 0：多半没有真正读到 clicktimes.jsp 返回的 wbshowtimes（不要在出错时默默记 0）"

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-43", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ## 小结
#
# - 先用 DevTools 看清结构：哪些数据在 HTML 里，哪些是 JavaScript 另外请求来的；
# - `fetch` 负责"有礼貌"：超时、间隔、有上限的重试；解析函数只管把 HTML 变成干净的字段——分开写，分开测；
# - 爬真实网站时：把 `delay` 设为 0.5 秒以上，只爬需要的页面，遵守网站的规定。
#
# `notices.csv` 和 `attachments.csv` 就在这个 notebook 旁边，下一个爬虫练习是 02 号 notebook（Selenium），
# 数据分析在 03 号 notebook 里进行。
