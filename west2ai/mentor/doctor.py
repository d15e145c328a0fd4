"""``python -m west2ai doctor``: what this machine has for the course, and what to install."""
from __future__ import annotations

import importlib.metadata as md
import platform
import shutil
import sys

from ..data import dataset_report

PACKAGES = [
    ("torch", "pip install torch==2.14.1"),
    ("torchvision", "pip install torchvision==0.29.1"),
    ("numpy", "pip install numpy"),
    ("pandas", "pip install pandas"),
    ("matplotlib", "pip install matplotlib"),
    ("tqdm", "pip install tqdm"),
    ("scikit-learn", "pip install scikit-learn"),
    ("requests", "pip install requests"),
    ("lxml", "pip install lxml"),
    ("selenium", "pip install selenium"),
    ("snownlp", "pip install snownlp"),
    ("nbgrader", "pip install nbgrader==0.9.6"),
    ("jupyterlab", "pip install jupyterlab"),
]


def browser_report() -> tuple[bool, str]:
    try:
        from ..browser import browser_available
    except ImportError:
        chrome = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
        driver = shutil.which("chromedriver")
        if chrome and driver:
            return True, f"{chrome} + {driver}"
        return False, "缺少浏览器或驱动：sudo apt-get install chromium chromium-driver"
    return browser_available()


def run_doctor() -> int:
    missing = []
    print(f"Python {sys.version.split()[0]}（{platform.machine()}）")
    print("\nPython 包：")
    for name, fix in PACKAGES:
        try:
            print(f"  [OK]   {name} {md.version(name)}")
        except md.PackageNotFoundError:
            print(f"  [缺失] {name}  →  {fix}")
            missing.append(fix)
    try:
        import torch

        device = "cuda (" + torch.cuda.get_device_name(0) + ")" if torch.cuda.is_available() else "cpu"
        print(f"  训练设备：{device}")
    except ImportError:
        pass
    print("\n数据集：")
    for name, where in dataset_report():
        ok = not where.startswith("缺失")
        print(f"  [{'OK' if ok else '缺失'}]{'  ' if ok else ''} {name}: {where}")
        if not ok:
            missing.append(where)
    ok, message = browser_report()
    print("\n浏览器（阶段 2 Selenium）：")
    print(f"  [{'OK' if ok else '缺失'}]{'  ' if ok else ''} {message}")
    if not ok:
        missing.append(message)
    from .sandbox import sandbox_problem

    problem = sandbox_problem()
    print("\n评分沙箱（仅导师评分时需要）：")
    print(f"  [{'OK' if not problem else '提示'}]{'  ' if not problem else ''} {problem or 'bubblewrap 可用'}")
    if missing:
        print("\n需要安装的内容：")
        for fix in missing:
            print(f"  - {fix}")
        return 1
    print("\n一切就绪。")
    return 0
