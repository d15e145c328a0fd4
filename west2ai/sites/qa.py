"""A local, JavaScript-rendered Q&A topic site (a Zhihu-like topic page) for stage 2's Selenium task.

The guide's second scraping task collects a Zhihu topic's questions and answers with a real
browser. Zhihu needs a login and must not be hammered from a grading run, so the course serves
this copy on 127.0.0.1. Everything a student scrapes arrives by XHR (``fetch``) after the page
has loaded; plain ``requests`` of the pages return empty shells.

Pages (HTML shells, no content in the HTML):
  ``/topic``                 topic page; questions load 10 at a time as the page scrolls
                             (infinite scroll). Each ``div.question-card`` holds
                             ``h2.question-title > a[href="/question/<id>"]``.
  ``/question/<id>``         question page: ``h1.question-title``, ``div.question-detail``,
                             answers (``div.answer-item``) load 10 at a time as the page
                             scrolls. Each answer shows an excerpt in ``div.answer-content``
                             and a ``button.read-more`` 「阅读全文」; clicking it fetches the
                             full text, puts it in ``div.answer-content``, removes the button
                             and adds the class ``expanded`` to the answer.
JSON endpoints (what the pages' scripts call; paging like Zhihu's API):
  ``/api/questions?offset=&limit=``              the topic feed
  ``/api/questions/<id>``                        one question (title, detail)
  ``/api/questions/<id>/answers?offset=&limit=`` answers with excerpts
  ``/api/answers/<id>``                          one answer's full text

Content is generated from a seed: the same seed always gives the same site.
Every question and answer as a pandas DataFrame (the grader's truth table) is mentor-side:
``west2ai.mentor.truth.qa_truth(seed)``.
"""
from __future__ import annotations

import functools
import json
import random
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

N_QUESTIONS = 60
ANSWERS_PER_QUESTION = (20, 25)
PAGE_SIZE = 10          # questions / answers per scroll load
MAX_LIMIT = 20          # the API never returns more than this per request
EXCERPT_CHARS = 30
TOPIC_NAME = "大学生活与编程学习"

# ------------------------------------------------------------------------ content templates
_TOPICS = {
    "tool": [
        ("Python", "C 语言"), ("PyTorch", "TensorFlow"), ("NumPy", "纯 Python 列表"),
        ("pandas", "Excel"), ("Linux", "Windows"), ("Git", "网盘备份"), ("Docker", "虚拟机"),
        ("Vim", "VS Code"), ("Jupyter Notebook", "PyCharm"), ("LaTeX", "Word"),
        ("Selenium", "requests"), ("正则表达式", "字符串方法"), ("C++", "Java"),
        ("CUDA", "CPU 多线程"),
    ],
    "course": [
        ("高等数学", ""), ("线性代数", ""), ("概率论与数理统计", ""), ("数据结构", ""),
        ("操作系统", ""), ("计算机网络", ""), ("大学物理", ""), ("离散数学", ""),
        ("编译原理", ""), ("机器学习", ""),
    ],
    "life": [
        ("住六人间宿舍", ""), ("在实验室熬夜赶项目", ""), ("参加社团招新", ""),
        ("连续一学期的早八课", ""), ("期末周", ""), ("学校食堂的新窗口", ""),
        ("图书馆占座", ""), ("第一次做小组作业", ""), ("大一转专业", ""),
        ("参加西二在线工作室考核", ""), ("和室友作息不一致", ""),
    ],
    "career": [
        ("考研", ""), ("保研", ""), ("找暑期实习", ""), ("参加 ACM 竞赛", ""),
        ("参加数学建模竞赛", ""), ("投第一篇论文", ""), ("参加 Kaggle 比赛", ""),
        ("给开源项目提 PR", ""), ("申请出国读研", ""),
    ],
}

_TITLES = {
    "tool": [
        "刚入门，{name}应该怎么学？", "{name}有哪些新手容易踩的坑？",
        "用了一年{name}是一种怎样的体验？", "{name}和{alt}应该先学哪个？",
        "有哪些适合大学生的{name}学习资源？",
    ],
    "course": [
        "{name}挂科是一种怎样的体验？", "怎样才能学好{name}？", "{name}有哪些值得推荐的教材？",
        "如何在一个月内复习完{name}？", "学{name}到底有什么用？",
    ],
    "life": ["{name}是一种怎样的体验？", "如何看待{name}？", "关于{name}，有哪些过来人的建议？"],
    "career": [
        "大二了，{name}需要做哪些准备？", "{name}到底难不难？", "普通本科生{name}有希望吗？",
        "{name}是一种怎样的体验？",
    ],
}

_GRADES = ["大一", "大二", "大三", "大四", "研一"]
_MAJORS = ["计算机科学与技术", "软件工程", "人工智能", "电子信息", "数学与应用数学", "通信工程"]

_DETAIL_INTRO = [
    "本人{grade}，{major}专业。", "坐标福州，{grade}在读。", "{grade}学生一枚，{major}方向。",
    "如题。", "{major}专业{grade}学生，第一次提问。",
]
_DETAIL_CONTEXT = {
    "tool": ["最近课程和项目都要用到{name}，", "看到学长学姐都在用{name}，",
             "实验室的师兄推荐我学{name}，"],
    "course": ["这学期开了{name}，", "下个月就要考{name}了，", "{name}是我们专业的必修课，"],
    "life": ["最近身边很多人在讨论{name}，", "开学以来一直在想{name}这件事，",
             "室友和我聊起了{name}，"],
    "career": ["身边的同学已经开始准备{name}了，", "辅导员开会时提到了{name}，",
               "最近一直在纠结要不要{name}，"],
}
_DETAIL_WORRY = {
    "tool": ["自学了两周感觉没什么进展", "网上的教程太多了不知道从哪看起",
             "一遇到报错就不知道怎么办", "总觉得自己只会照着教程敲"],
    "course": ["上课基本听不懂", "作业都是参考同学的", "课本看了两遍还是一头雾水",
               "平时没怎么认真听课"],
    "life": ["心里有点没底", "不知道该怎么调整心态", "感觉时间完全不够用", "最近有点焦虑"],
    "career": ["我还完全没有头绪", "不知道自己的绩点够不够", "担心自己的项目经历太少",
               "家里人也一直在催"],
}
_DETAIL_ASK = [
    "想问问各位过来人有什么建议？", "有没有具体一点的时间规划可以参考？",
    "大家都是怎么坚持下来的？", "求一份靠谱的路线，谢谢！", "应该从哪里开始比较好？",
]

_OPENERS = [
    "谢邀。", "利益相关：{school}。", "说一下我自己的经历。", "匿了，怕被同学认出来。",
    "来答一个。", "人在{place}，刚下课，简单说几句。", "看到这个问题忍不住来答。", "",
]
_SCHOOLS = ["某 211 计算机专业大三", "普通一本软件工程在读", "西二在线工作室 AI 方向成员",
            "已上岸的研究生", "刚毕业的算法工程师"]
_PLACES = ["图书馆", "实验室", "宿舍", "食堂", "地铁上"]
_BODY_GENERAL = [
    "我当时大概花了{n}周时间，每天{h}个小时左右。",
    "最重要的是动手，光看不练基本等于没学。",
    "建议先找一本薄一点的入门书，{n}天内过一遍，不求甚解。",
    "遇到问题先自己搜索十分钟，再去问人，效率会高很多。",
    "做笔记很有用，我现在还会翻{grade}时写的笔记。",
    "不要和别人比进度，每个人的起点都不一样。",
    "找{k}个志同道合的同学一起学，互相监督，效果比一个人好。",
    "B 站上有很多免费课程，挑一门评分高的跟完就行。",
    "我身边有{k}个同学就是这么坚持下来的，现在都挺好的。",
    "一开始我也很焦虑，后来发现把大目标拆成小任务就好多了。",
    "每周留出{h}个小时复盘一下，看看哪里卡住了。",
    "别熬夜，我{grade}的时候熬了{n}个通宵，效率反而更低。",
]
_BODY_KIND = {
    "tool": [
        "{name}的官方文档其实写得很好，很多人都忽略了。",
        "我第一次用{name}的时候光配环境就花了{n}天。",
        "建议先用{name}做一个小项目，比如爬点数据画个图。",
        "和{alt}比起来，{name}上手更快，但想精通都不容易。",
        "{name}的报错信息要从下往上读，最后一行通常最有用。",
    ],
    "course": [
        "{name}的关键是把课后习题做一遍，至少做{m}道。",
        "考前{n}天我把往年卷刷了三遍，最后考了{score}分。",
        "{name}的课本第一遍看不懂很正常，第二遍会好很多。",
        "上{name}的时候坐前排，有问题课后直接问老师。",
    ],
    "life": [
        "{name}这件事，心态最重要。",
        "我{grade}的时候也经历过{name}，现在回头看其实没那么可怕。",
        "和室友、同学多沟通，很多问题说开了就好了。",
        "关于{name}，我的建议是先照顾好自己的睡眠。",
    ],
    "career": [
        "{name}一定要早点准备，我是{grade}下学期开始的，现在觉得还是有点晚。",
        "关于{name}，信息差很重要，多问问学长学姐。",
        "我有{k}个朋友走了{name}这条路，结果都还不错。",
        "{name}期间我每天学习{h}个小时，坚持了{n}周。",
    ],
}
_CLOSERS = [
    "以上，希望对你有帮助。", "共勉。", "祝你顺利！", "有问题可以评论区问我。",
    "（{mo}月{d}日更新：评论区问的人有点多，统一回复一下：坚持就好。）",
    "就这些，先去上课了。", "",
]
_NICK_A = ["会飞的", "不想早起的", "爱吃拌面的", "努力学习的", "秃头的", "摸鱼的", "快乐的", "熬夜的"]
_NICK_B = ["咸鱼", "程序员", "研究生", "小白", "学长", "学姐", "猫", "土豆"]


def _fill(rng: random.Random, template: str, name: str, alt: str) -> str:
    values = {
        "name": name, "alt": alt, "grade": rng.choice(_GRADES), "major": rng.choice(_MAJORS),
        "school": rng.choice(_SCHOOLS), "place": rng.choice(_PLACES), "n": rng.randint(2, 12),
        "h": rng.randint(1, 6), "k": rng.randint(2, 9), "m": rng.randint(50, 300),
        "score": rng.randint(61, 98), "mo": rng.randint(1, 12), "d": rng.randint(1, 28),
    }
    return template.format(**values)


@dataclass
class Answer:
    id: int
    author: str
    votes: int
    content: str

    @property
    def excerpt(self) -> str:
        return self.content[:EXCERPT_CHARS] + "…"


@dataclass
class Question:
    id: int
    title: str
    detail: str
    followers: int
    answers: list = field(default_factory=list)


def _answer_text(rng: random.Random, kind: str, name: str, alt: str) -> str:
    n_body = rng.randint(2, 4)
    n_kind = rng.randint(1, min(2, n_body))
    body = rng.sample(_BODY_KIND[kind], n_kind) + rng.sample(_BODY_GENERAL, n_body - n_kind)
    rng.shuffle(body)
    parts = [rng.choice(_OPENERS)] + body + [rng.choice(_CLOSERS)]
    return "".join(_fill(rng, p, name, alt) for p in parts)


@functools.lru_cache(maxsize=8)
def _generate(seed: int) -> tuple:
    """The site's questions, in feed order (a tuple of ``Question``)."""
    rng = random.Random(f"west2ai-qa-{seed}")
    combos = [(kind, name, alt, t) for kind, topics in _TOPICS.items()
              for name, alt in topics for t in _TITLES[kind]]
    rng.shuffle(combos)
    per_name, chosen = {}, []
    for kind, name, alt, template in combos:
        if per_name.get(name, 0) >= 2:
            continue
        per_name[name] = per_name.get(name, 0) + 1
        chosen.append((kind, name, alt, template))
        if len(chosen) == N_QUESTIONS:
            break
    qids = rng.sample(range(310_000_000, 690_000_000), N_QUESTIONS)
    aids = iter(rng.sample(range(1_000_000_000, 3_000_000_000), N_QUESTIONS * ANSWERS_PER_QUESTION[1]))
    seen = set()
    questions = []
    for qid, (kind, name, alt, template) in zip(qids, chosen):
        title = template.format(name=name, alt=alt)
        detail = (_fill(rng, rng.choice(_DETAIL_INTRO), name, alt)
                  + _fill(rng, rng.choice(_DETAIL_CONTEXT[kind]), name, alt)
                  + "但是" + rng.choice(_DETAIL_WORRY[kind]) + "。" + rng.choice(_DETAIL_ASK))
        q = Question(qid, title, detail, followers=int(rng.paretovariate(1.2) * 50))
        answers = []
        for _ in range(rng.randint(*ANSWERS_PER_QUESTION)):
            while True:
                text = _answer_text(rng, kind, name, alt)
                if len(text) >= EXCERPT_CHARS + 15 and text not in seen:
                    break
            seen.add(text)
            author = "匿名用户" if rng.random() < 0.12 else rng.choice(_NICK_A) + rng.choice(_NICK_B)
            answers.append(Answer(next(aids), author, int(rng.paretovariate(1.1) * 10) - 10, text))
        answers.sort(key=lambda a: -a.votes)   # 默认排序: most upvoted first
        q.answers = answers
        questions.append(q)
    return tuple(questions)


# ------------------------------------------------------------------------ pages and scripts
_CSS = """
body { font-family: -apple-system, "PingFang SC", "Microsoft YaHei", sans-serif; margin: 0;
       background: #f6f6f6; color: #121212; }
.app-header { background: #fff; border-bottom: 1px solid #eee; padding: 12px 24px; }
.logo { color: #1772f6; font-weight: bold; font-size: 22px; }
main { max-width: 720px; margin: 16px auto; }
.topic-header, .question-header { background: #fff; padding: 16px 20px; margin-bottom: 10px; }
.question-card, .answer-item { background: #fff; padding: 16px 20px; margin-bottom: 10px;
                               min-height: 90px; }
.question-title a { color: #121212; text-decoration: none; }
.question-excerpt, .question-meta, .answer-votes { color: #8590a6; font-size: 14px; }
.answer-author { font-weight: bold; }
.read-more { color: #1772f6; background: none; border: none; cursor: pointer; padding: 4px 0; }
.feed-status { text-align: center; color: #8590a6; padding: 24px; }
"""

_PAGE = """<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>{title}</title>
<link rel="stylesheet" href="/static/style.css">
</head>
<body>
<header class="app-header"><span class="logo">知问</span> <nav><a href="/topic">话题</a></nav></header>
{main}
<noscript>请开启 JavaScript 后浏览本站。</noscript>
<script src="/static/{script}"></script>
</body>
</html>
"""

_TOPIC_MAIN = """<main class="topic-main">
  <div class="topic-header"><h1 class="topic-name">{topic}</h1><p class="topic-meta">话题 · 精华问答</p></div>
  <div id="question-list" class="question-list"></div>
  <div id="feed-status" class="feed-status">加载中…</div>
</main>"""

_QUESTION_MAIN = """<main class="question-main" data-question-id="{qid}">
  <div id="question-header" class="question-header"></div>
  <div id="answer-list" class="answer-list"></div>
  <div id="answer-status" class="feed-status">加载中…</div>
</main>"""

# Shared by both pages: infinite scroll that loads the next batch near the bottom of the page
# (and keeps loading while the page is too short to scroll).
_JS_COMMON = """
function el(tag, cls, text) {
  var e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}
function infiniteScroll(firstUrl, render, statusEl) {
  var next = firstUrl, loading = false;
  function nearBottom() {
    return window.innerHeight + window.scrollY >= document.documentElement.scrollHeight - 300;
  }
  function load() {
    if (loading || !next) return;
    loading = true;
    statusEl.textContent = "加载中…";
    fetch(next, {headers: {"Accept": "application/json"}})
      .then(function (r) { return r.json(); })
      .then(function (page) {
        page.data.forEach(render);
        next = page.paging.is_end ? null : page.paging.next;
        loading = false;
        if (!next) { statusEl.textContent = "没有更多了"; statusEl.classList.add("feed-end"); }
        else { statusEl.textContent = ""; if (document.documentElement.scrollHeight <= window.innerHeight) load(); }
      })
      .catch(function () { loading = false; statusEl.textContent = "加载失败，请滚动重试"; });
  }
  window.addEventListener("scroll", function () { if (nearBottom()) load(); });
  load();
}
"""

_JS_TOPIC = _JS_COMMON + """
(function () {
  var list = document.getElementById("question-list");
  infiniteScroll("/api/questions?offset=0&limit=%d", function (q) {
    var card = el("div", "question-card");
    card.dataset.questionId = q.id;
    var h = el("h2", "question-title");
    var a = el("a", "", q.title);
    a.href = q.url;
    h.appendChild(a);
    card.appendChild(h);
    if (q.top_answer) card.appendChild(el("div", "question-excerpt", q.top_answer.author + "：" + q.top_answer.excerpt));
    card.appendChild(el("div", "question-meta", q.answer_count + " 个回答 · " + q.follower_count + " 人关注"));
    list.appendChild(card);
  }, document.getElementById("feed-status"));
})();
""" % PAGE_SIZE

_JS_QUESTION = _JS_COMMON + """
(function () {
  var qid = document.querySelector("main").dataset.questionId;
  var header = document.getElementById("question-header");
  var list = document.getElementById("answer-list");
  fetch("/api/questions/" + qid).then(function (r) { return r.json(); }).then(function (q) {
    document.title = q.title + " - 知问";
    header.appendChild(el("h1", "question-title", q.title));
    header.appendChild(el("div", "question-detail", q.detail));
    header.appendChild(el("div", "question-meta", q.answer_count + " 个回答 · " + q.follower_count + " 人关注"));
  });
  infiniteScroll("/api/questions/" + qid + "/answers?offset=0&limit=%d", function (ans) {
    var item = el("div", "answer-item");
    item.dataset.answerId = ans.id;
    item.appendChild(el("div", "answer-author", ans.author.name));
    item.appendChild(el("div", "answer-votes", "赞同 " + ans.voteup_count));
    var content = el("div", "answer-content", ans.excerpt);
    item.appendChild(content);
    var button = el("button", "read-more", "阅读全文");
    button.type = "button";
    button.addEventListener("click", function () {
      button.disabled = true;
      button.textContent = "加载中…";
      fetch("/api/answers/" + ans.id).then(function (r) { return r.json(); }).then(function (full) {
        content.textContent = full.content;
        button.remove();
        item.classList.add("expanded");
      }).catch(function () { button.disabled = false; button.textContent = "阅读全文"; });
    });
    item.appendChild(button);
    list.appendChild(item);
  }, document.getElementById("answer-status"));
})();
""" % PAGE_SIZE


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        # A browser closing a connection early is not worth a traceback on stderr
        # (nbgrader gives a test cell 0 points for any stderr output).
        pass


def _make_handler(site: QASite):
    questions = site._questions
    by_qid = {q.id: q for q in questions}
    by_aid = {a.id: a for q in questions for a in q.answers}

    class Handler(BaseHTTPRequestHandler):
        server_version = "west2ai-qa/1.0"
        protocol_version = "HTTP/1.1"

        def log_message(self, format, *args):  # noqa: A002  (silence: no stderr output)
            pass

        def _send(self, status, body, ctype, cache="no-store"):
            data = body.encode("utf-8") if isinstance(body, str) else body
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Cache-Control", cache)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

        def _json(self, obj, status=200):
            self._send(status, json.dumps(obj, ensure_ascii=False), "application/json; charset=utf-8")

        def _not_found(self):
            if self.path.startswith("/api/"):
                self._json({"error": {"code": 404, "message": "资源不存在"}}, 404)
            else:
                self._send(404, "<h1>404 页面不存在</h1>", "text/html; charset=utf-8")

        def do_HEAD(self):  # noqa: N802
            self.do_GET()

        def do_GET(self):  # noqa: N802
            site.request_count += 1
            parts = urlsplit(self.path)
            path, query = parts.path, parse_qs(parts.query)
            if path.startswith("/api/"):
                if site.latency:
                    time.sleep(site.latency)
                return self._api(path, query)
            if path in ("/", "/index.html"):
                self.send_response(302)
                self.send_header("Location", "/topic")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if path == "/topic":
                html = _PAGE.format(title=f"{TOPIC_NAME} - 话题 - 知问", script="topic.js",
                                    main=_TOPIC_MAIN.format(topic=TOPIC_NAME))
                return self._send(200, html, "text/html; charset=utf-8")
            m = re.fullmatch(r"/question/(\d+)", path)
            if m and int(m.group(1)) in by_qid:
                html = _PAGE.format(title="问题 - 知问", script="question.js",
                                    main=_QUESTION_MAIN.format(qid=m.group(1)))
                return self._send(200, html, "text/html; charset=utf-8")
            statics = {"/static/style.css": (_CSS, "text/css; charset=utf-8"),
                       "/static/topic.js": (_JS_TOPIC, "application/javascript; charset=utf-8"),
                       "/static/question.js": (_JS_QUESTION, "application/javascript; charset=utf-8")}
            if path in statics:  # scripts and styles may be cached, like on a real site
                return self._send(200, *statics[path], cache="max-age=3600")
            if path == "/favicon.ico":
                return self._send(204, b"", "image/x-icon")
            return self._not_found()

        @staticmethod
        def _paging(query):
            try:
                offset = max(0, int(query.get("offset", ["0"])[0]))
                limit = min(MAX_LIMIT, max(1, int(query.get("limit", [str(PAGE_SIZE)])[0])))
            except ValueError:
                return None
            return offset, limit

        def _page(self, items, base, query, render):
            paging = self._paging(query)
            if paging is None:
                return self._json({"error": {"code": 400, "message": "offset/limit 必须是整数"}}, 400)
            offset, limit = paging
            chunk = items[offset:offset + limit]
            is_end = offset + limit >= len(items)
            self._json({
                "data": [render(x) for x in chunk],
                "paging": {"is_start": offset == 0, "is_end": is_end, "totals": len(items),
                           "next": None if is_end else f"{base}?offset={offset + limit}&limit={limit}"},
            })

        def _api(self, path, query):
            if path == "/api/questions":
                return self._page(list(questions), path, query, lambda q: {
                    "id": q.id, "type": "question", "title": q.title, "url": f"/question/{q.id}",
                    "answer_count": len(q.answers), "follower_count": q.followers,
                    "top_answer": {"author": q.answers[0].author, "excerpt": q.answers[0].excerpt},
                })
            m = re.fullmatch(r"/api/questions/(\d+)(/answers)?", path)
            if m and int(m.group(1)) in by_qid:
                q = by_qid[int(m.group(1))]
                if m.group(2):
                    return self._page(q.answers, path, query, lambda a: {
                        "id": a.id, "type": "answer", "author": {"name": a.author},
                        "voteup_count": a.votes, "excerpt": a.excerpt,
                    })
                return self._json({"id": q.id, "type": "question", "title": q.title,
                                   "detail": q.detail, "answer_count": len(q.answers),
                                   "follower_count": q.followers})
            m = re.fullmatch(r"/api/answers/(\d+)", path)
            if m and int(m.group(1)) in by_aid:
                a = by_aid[int(m.group(1))]
                return self._json({"id": a.id, "type": "answer", "author": {"name": a.author},
                                   "voteup_count": a.votes, "content": a.content})
            return self._not_found()

    return Handler


class QASite:
    """A running Q&A site on 127.0.0.1 (see the module docstring for its pages).

    Attributes: ``base_url`` (no trailing slash), ``topic_url``, ``seed``, ``request_count``
    (requests served so far). The truth tables the grader compares with are mentor-side
    (``west2ai.mentor.truth``).
    Use it as a context manager, or call ``close()``.
    """

    def __init__(self, seed: int = 0, latency: float = 0.02):
        self.seed = seed
        self.latency = latency
        self.request_count = 0
        self._questions = _generate(seed)
        self._server = _Server(("127.0.0.1", 0), _make_handler(self))
        self.port = self._server.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.topic_url = self.base_url + "/topic"
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.2}, daemon=True,
                                        name=f"west2ai-qa-site-{self.port}")
        self._thread.start()

    def url(self, path: str = "/") -> str:
        """Absolute URL of ``path`` on this site."""
        return self.base_url + ("" if path.startswith("/") else "/") + path

    def question_url(self, question_id: int) -> str:
        return f"{self.base_url}/question/{question_id}"

    def close(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def __repr__(self):
        state = "running" if self._server is not None else "closed"
        return f"<QASite seed={self.seed} {self.base_url} ({state})>"


def serve_qa_site(seed: int = 0, latency: float = 0.02) -> QASite:
    """Start the Q&A site in a background thread and return it (already serving).

    ``with serve_qa_site(seed=1) as site: ...`` stops it at the end of the block; in a
    notebook, ``site = serve_qa_site(seed=1)`` keeps it running until the kernel stops.
    ``latency`` (seconds) delays every JSON answer a little, like a real server.
    """
    return QASite(seed=seed, latency=latency)
