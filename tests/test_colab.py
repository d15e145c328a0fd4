"""Every release notebook in a simulated fresh Colab machine (issue 10).

What Colab has and this machine must pretend: ``google.colab`` imported when the kernel
starts, no Debian dataset, no ``WEST2AI_DATA``, an empty home (no course cache), internet for
pip and torchvision. Here the kernel runs under bubblewrap with the Debian copy hidden;
the setup cell's ``pip install`` of the repository address (pyproject's ``[project.urls]``)
is answered by this checkout through git's ``insteadOf`` and installed into a throwaway
folder; torchvision's Fashion-MNIST download is answered by a local HTTP server named in
``WEST2AI_FASHION_MNIST_URL``; proxies that lead nowhere stop anything else from leaving.
"""
from __future__ import annotations

import gzip
import json
import re
import shutil
import sys
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from conftest import ROOT, kit
from west2ai import data
from west2ai.mentor.build import repository

pytestmark = pytest.mark.slow

RELEASES = [p for stage in kit().stages() for p in sorted((ROOT / "release" / stage).glob("*.ipynb"))]
IDS = [f"{p.parent.name}/{p.stem}" for p in RELEASES]
# Locked cells of the notebook's own that fetch or generate data (training cells excluded)
LOADERS = re.compile(r"\b(fashion_mnist|fashion_mnist_arrays|fashion_mnist_root|make_contest|poems|serve_\w+|crawl_tables"
                     r"|load_crawl|reviews|review_stats|peoples_daily|poem_split|poem_vocab|canvases|pairs|questions)\(")
NEEDS_FASHION_MNIST = re.compile(r"\b(fashion_mnist|fashion_mnist_arrays|fashion_mnist_root|make_contest|canvases|pairs"
                                 r"|questions)\(")


class _Handler(SimpleHTTPRequestHandler):
    requests: list[str] = []

    def log_message(self, *args):
        pass

    def do_GET(self):  # noqa: N802 (http.server's name)
        type(self).requests.append(self.path)
        super().do_GET()


class _Server(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        pass  # torchvision's redirect probe hangs up mid-file: not an error of the mirror


@pytest.fixture(scope="module")
def mirror(tmp_path_factory, fashion_mnist):
    """A local HTTP server holding the four official-format ``.gz`` files."""
    folder = tmp_path_factory.mktemp("mirror")
    raw = fashion_mnist / "FashionMNIST" / "raw"
    for name in data.FASHION_MNIST_FILES:
        with open(raw / name, "rb") as fin, gzip.open(folder / f"{name}.gz", "wb", compresslevel=1) as fout:
            shutil.copyfileobj(fin, fout)
    server = _Server(("127.0.0.1", 0), partial(_Handler, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/", _Handler.requests
    server.shutdown()


def colab_kernel(home: Path, mirror_url: str) -> Path:
    """A kernelspec folder for a kernel that believes it runs on a fresh Colab machine."""
    startup = home / ".ipython" / "profile_default" / "startup"
    startup.mkdir(parents=True)
    # Colab's runtime imports google.colab before the first cell; the notebooks test exactly that.
    (startup / "00-colab.py").write_text(
        "import sys, types\nsys.modules['google.colab'] = types.ModuleType('google.colab')\n", encoding="utf-8")
    hidden = [str(data.SYSTEM_FASHION_MNIST)] if data.SYSTEM_FASHION_MNIST.is_dir() else []
    argv = ["bwrap", "--bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--die-with-parent"]
    for folder in hidden:
        argv += ["--tmpfs", folder]
    for name in ("WEST2AI_DATA", "WEST2AI_CACHE", "XDG_CACHE_HOME", "PIP_FIND_LINKS", "NBGRADER_EXECUTION"):
        argv += ["--unsetenv", name]
    argv += ["--", sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    nowhere = "http://127.0.0.1:9"  # the discard port: any request for the internet fails at once
    env = {
        "HOME": str(home), "IPYTHONDIR": str(home / ".ipython"), "MPLCONFIGDIR": str(home / ".mpl"),
        "WEST2AI_FASHION_MNIST_URL": mirror_url,
        "http_proxy": nowhere, "https_proxy": nowhere, "HTTP_PROXY": nowhere, "HTTPS_PROXY": nowhere,
        "no_proxy": "127.0.0.1,localhost", "NO_PROXY": "127.0.0.1,localhost",
        # pip: this checkout stands in for the repository; nothing from an index; a throwaway target
        "GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": f"url.{ROOT.as_uri()}.insteadOf",
        "GIT_CONFIG_VALUE_0": repository(kit()),
        "PIP_NO_INDEX": "1", "PIP_NO_DEPS": "1", "PIP_NO_BUILD_ISOLATION": "0", "PIP_TARGET": str(home / "pip-target"),
    }
    spec = home / "kernels" / "colab-sim"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({"argv": argv, "display_name": "Colab (simulated)",
                                                  "language": "python", "env": env}), encoding="utf-8")
    return home


def loader_cells(nb) -> list[str]:
    """grade_ids of the setup cell and the locked cells that load data, in order."""
    out = []
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type != "code" or not meta.get("locked") or meta.get("solution") or meta.get("grade"):
            continue
        if meta.get("grade_id") == "setup" or LOADERS.search(cell.source):
            out.append(meta["grade_id"])
    return out


def test_every_release_notebook_has_a_setup_cell_that_installs_from_the_repository():
    """One repository address: pyproject's, in every setup cell that installs, the README's clone
    line and its Colab links."""
    url = repository(kit())
    assert url.startswith("https://github.com/"), f"[project.urls] Repository 应是 GitHub 地址：{url}"
    installs = 0
    for path in RELEASES:
        setup = [c for c in nbformat.read(path, as_version=4).cells
                 if c.metadata.get("nbgrader", {}).get("grade_id") == "setup"]
        assert setup, f"{path.name} 没有 setup 单元格"
        addresses = re.findall(r"git\+(\S+?)[\"']", setup[0].source)
        assert all(a == url for a in addresses), f"{path.name} 的 setup 单元格安装地址 {addresses} 与 pyproject 的 {url} 不一致"
        installs += bool(addresses)
    assert installs >= len(RELEASES) - 1, "除不需要课程包的 notebook 外，每个 setup 单元格都应安装课程包"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"git clone {url}" in readme, "README 的 git clone 行应使用 pyproject 中的仓库地址"
    colab = re.findall(r"https://colab\.research\.google\.com/github/([^)\s]+)", readme)
    assert colab, "README 应给出 Colab 打开链接"
    slug = url.removeprefix("https://github.com/").removesuffix(".git")
    assert all(link.startswith(slug + "/blob/") for link in colab), f"README 的 Colab 链接应指向 {slug}：{colab}"


@pytest.mark.parametrize("path", RELEASES, ids=IDS)
def test_release_notebook_sets_up_and_loads_its_data_on_a_fresh_colab(path, mirror, tmp_path, monkeypatch):
    mirror_url, requests = mirror
    home = colab_kernel(tmp_path / "home", mirror_url)
    monkeypatch.setenv("JUPYTER_PATH", str(home))
    work = tmp_path / "work"
    work.mkdir()
    nb = nbformat.read(path, as_version=4)
    wanted = loader_cells(nb)
    nb.cells = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") in wanted]
    # A probe at the end: what the kernel saw of Colab and where the data came from.
    nb.cells.append(nbformat.v4.new_code_cell(
        "import sys, json, west2ai.data as _d\n"
        "print('PROBE', json.dumps({'colab': _d.on_colab(), 'cache': str(_d.cache_dir())}))"))
    before = len(requests)
    client = NotebookClient(nb, kernel_name="colab-sim", timeout=600, allow_errors=True,
                            resources={"metadata": {"path": str(work)}})
    client.execute()
    errors = {c.metadata.get("nbgrader", {}).get("grade_id", "probe"): f"{o['ename']}: {o['evalue']}"
              for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"}
    assert not errors, f"模拟 Colab 中这些单元格出错：{errors}"
    probe = json.loads(next(o["text"] for o in nb.cells[-1].outputs if "PROBE" in o.get("text", ""))
                       .split("PROBE", 1)[1])
    assert probe["colab"], "内核应认为自己运行在 Colab 上"
    setup = nb.cells[0].source
    if "pip" in setup:
        assert (home / "pip-target" / "west2ai" / "__init__.py").is_file(), \
            "setup 单元格应从仓库地址安装课程包（此处由本仓库代答）"
    raw = Path(probe["cache"]) / "FashionMNIST" / "raw"
    if any(NEEDS_FASHION_MNIST.search(c.source) for c in nb.cells):
        got = sorted({r.strip("/") for r in requests[before:]})  # torchvision asks twice (a redirect probe first)
        assert got == sorted(f"{n}.gz" for n in data.FASHION_MNIST_FILES), \
            f"Fashion-MNIST 应经由 torchvision 从镜像下载四个文件，实际请求：{got}"
        assert raw.is_dir() and str(raw).startswith(str(home)), f"数据应下载到 Colab 的用户缓存：{raw}"
        assert all(data.md5_of(raw / n) == md5 for n, md5 in data.FASHION_MNIST_FILES.items())
    else:
        assert len(requests) == before, f"{path.name} 不应下载数据"


def test_without_colab_or_permission_nothing_is_downloaded(tmp_path, monkeypatch):
    """Off Colab the loaders never download unless asked: a missing dataset is a clear error."""
    monkeypatch.setattr(data, "SYSTEM_FASHION_MNIST", tmp_path / "none")
    monkeypatch.delenv("WEST2AI_DATA", raising=False)
    monkeypatch.setenv("WEST2AI_CACHE", str(tmp_path / "cache"))
    monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    with pytest.raises(data.DatasetNotFound, match="dataset-fashion-mnist"):
        data.fashion_mnist_arrays("test")
    monkeypatch.setitem(sys.modules, "google.colab", type(sys)("google.colab"))
    monkeypatch.setenv(data.MIRROR_VARIABLE, "http://127.0.0.1:9/")
    for name in ("http_proxy", "https_proxy"):  # the official mirror too leads nowhere
        monkeypatch.setenv(name, "http://127.0.0.1:9")
    monkeypatch.delenv("no_proxy", raising=False)
    with pytest.raises(data.DatasetNotFound, match="下载失败"):
        data.fashion_mnist_arrays("test")

