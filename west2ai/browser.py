"""A headless Chromium for Selenium, found on this machine (never downloaded).

``chrome_driver()`` builds a ``selenium.webdriver.Chrome`` from an installed Chromium (or
Chrome) and its chromedriver. The driver path is always given to Selenium explicitly, so
Selenium Manager never runs and nothing is downloaded. Use the driver as a context manager so
the browser is closed even when your code raises::

    with chrome_driver() as driver:
        driver.get(url)

``grading_driver()`` keeps one browser open for a notebook's test cells.
``browser_available()`` says whether a browser and driver were found (the mentor CLI's
``doctor`` command and the notebooks call it). ``WEST2AI_CHROME`` and ``WEST2AI_CHROMEDRIVER``
name the two programs explicitly when they live somewhere unusual.
"""
from __future__ import annotations

import atexit
import functools
import os
import re
import shutil
import subprocess
import tempfile

CHROME_CANDIDATES = (
    "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome",
    "/usr/bin/google-chrome-stable", "/snap/bin/chromium",
    "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
    "/Applications/Chromium.app/Contents/MacOS/Chromium",
)
CHROME_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
DRIVER_CANDIDATES = (
    "/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver",
    "/usr/lib/chromium-browser/chromedriver", "/snap/bin/chromium.chromedriver",
)

# Flags that make Chromium work headless as root in a container, without reaching any
# Google service in the background (without them it stalls trying to).
CHROME_FLAGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--lang=zh-CN",
)

INSTALL_HINT = (
    "请先安装 Chromium 浏览器和 chromedriver：\n"
    "  · Debian / Ubuntu：sudo apt-get install chromium chromium-driver\n"
    "    （Ubuntu 上包名可能是 chromium-browser 和 chromium-chromedriver）\n"
    "  · Colab：在代码单元里运行 !apt install chromium-chromedriver\n"
    "  · 其他位置的安装：设置环境变量 WEST2AI_CHROME（浏览器程序）和 "
    "WEST2AI_CHROMEDRIVER（chromedriver 程序）"
)


_LIVE_DRIVERS: set = set()   # drivers not quit yet; quit at interpreter exit as a safety net


@atexit.register
def _quit_leftover_drivers() -> None:
    for driver in list(_LIVE_DRIVERS):
        try:
            driver.quit()
        except Exception:
            pass


class BrowserNotFound(RuntimeError):
    """No usable Chromium/Chrome or chromedriver here; the message says how to install them."""


def _is_exe(path) -> bool:
    return bool(path) and os.path.isfile(path) and os.access(path, os.X_OK)


def _find(env_var: str, candidates, names) -> str | None:
    """``$env_var`` when set (and only then), else the first executable candidate or name."""
    env = os.environ.get(env_var)
    if env:
        return env if _is_exe(env) else None
    for path in (*candidates, *(shutil.which(name) for name in names)):
        if _is_exe(path):
            return path
    return None


def find_chrome() -> str | None:
    """Path of an installed Chromium/Chrome, or None."""
    return _find("WEST2AI_CHROME", CHROME_CANDIDATES, CHROME_NAMES)


def find_chromedriver() -> str | None:
    """Path of an installed chromedriver, or None."""
    return _find("WEST2AI_CHROMEDRIVER", DRIVER_CANDIDATES, ("chromedriver",))


def browser_available() -> tuple[bool, str]:
    """(True, what was found) or (False, a Chinese message saying what to install)."""
    try:
        import selenium
    except ImportError:
        return False, "未安装 selenium：请运行 pip install selenium"
    chrome, driver = find_chrome(), find_chromedriver()
    missing = []
    for name, path, var in (("Chromium 浏览器", chrome, "WEST2AI_CHROME"),
                            ("chromedriver", driver, "WEST2AI_CHROMEDRIVER")):
        if not path:
            where = os.environ.get(var)
            missing.append(f"{name}（环境变量 {var}={where} 不是可执行文件）" if where else name)
    if missing:
        return False, f"找不到 {'和 '.join(missing)}。{INSTALL_HINT}"
    chrome_major, driver_major = _major_version(chrome), _major_version(driver)
    if chrome_major and driver_major and chrome_major != driver_major:
        return False, (f"浏览器 {chrome}（版本 {chrome_major}）与 chromedriver {driver}（版本 {driver_major}）"
                       f"的主版本号不一致，请安装配套的一对。{INSTALL_HINT}")
    return True, f"浏览器可用：{chrome}，驱动：{driver}（selenium {selenium.__version__}）"


@functools.lru_cache(maxsize=8)
def _major_version(program: str) -> str | None:
    """Major version printed by ``program --version`` (e.g. '156'), or None if unknown."""
    try:
        out = subprocess.run([program, "--version"], capture_output=True, text=True, timeout=15).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r"(\d+)\.\d+\.\d+", out)
    return match.group(1) if match else None


def chrome_driver(headless: bool = True, window_size: tuple[int, int] = (1280, 900),
                  page_load_timeout: float = 30):
    """A new ``selenium.webdriver.Chrome`` on the installed Chromium; quit it when done.

    Raises ``BrowserNotFound`` (with installation instructions) when Chromium or chromedriver
    is missing. Each driver gets a fresh, temporary browser profile, removed on ``quit()``;
    a driver still open when Python exits is quit then (no browser is left running).
    """
    ok, message = browser_available()
    if not ok:
        raise BrowserNotFound(message)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = find_chrome()
    for flag in CHROME_FLAGS:
        options.add_argument(flag)
    if headless:
        options.add_argument("--headless=new")
    options.add_argument(f"--window-size={window_size[0]},{window_size[1]}")
    profile = tempfile.mkdtemp(prefix="west2ai-chrome-")
    options.add_argument(f"--user-data-dir={profile}")
    # An explicit driver path: Selenium Manager is never asked to find or download anything.
    service = Service(executable_path=find_chromedriver())
    try:
        driver = webdriver.Chrome(options=options, service=service)
    except Exception:
        shutil.rmtree(profile, ignore_errors=True)
        raise
    driver.set_page_load_timeout(page_load_timeout)
    quit_browser = driver.quit

    def quit():
        if driver not in _LIVE_DRIVERS:
            return  # already quit: quitting twice is harmless
        _LIVE_DRIVERS.discard(driver)
        try:
            quit_browser()
        finally:
            shutil.rmtree(profile, ignore_errors=True)

    driver.quit = quit  # `with chrome_driver() as d:` calls quit() on the way out
    _LIVE_DRIVERS.add(driver)
    return driver



_GRADING_DRIVER = None


def grading_driver():
    """One browser shared by a notebook's test cells (starting Chromium costs seconds).

    Returns the same driver on every call while it works, reset to a single blank tab with no
    implicit wait; starts a new one when the old one was quit or crashed. It is quit when
    Python exits. Student code should use ``with chrome_driver() as driver:`` instead.
    """
    global _GRADING_DRIVER
    driver = _GRADING_DRIVER
    if driver is not None and driver in _LIVE_DRIVERS:
        try:
            handles = driver.window_handles
            if len(handles) > 1:
                for handle in handles[1:]:
                    driver.switch_to.window(handle)
                    driver.close()
                driver.switch_to.window(handles[0])
            elif driver.current_window_handle != handles[0]:
                driver.switch_to.window(handles[0])
            driver.implicitly_wait(0)
            driver.get("about:blank")
            return driver
        except Exception:
            try:
                driver.quit()
            except Exception:
                pass
    _GRADING_DRIVER = chrome_driver()
    return _GRADING_DRIVER
