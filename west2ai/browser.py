"""A headless Chrome/Chromium for Selenium: the one installed here, else Selenium Manager's.

``chrome_driver()`` builds a ``selenium.webdriver.Chrome``, trying in this order:

1. an installed Chromium (or Chrome) and its chromedriver. The driver path is given to
   Selenium explicitly, so nothing is downloaded: this is the route on Debian, on CI and in
   the grading sandbox (which has no network). ``WEST2AI_CHROME`` and ``WEST2AI_CHROMEDRIVER``
   name the two programs when they live somewhere unusual. A program that cannot even print
   its version (Ubuntu's ``chromium-browser`` / ``chromium-chromedriver`` packages are stubs
   that ask for the snap, and Colab has no snapd) does not count as installed;
2. Selenium Manager, shipped with Selenium >= 4.11: ``webdriver.Chrome(options=...)`` with no
   paths finds a Chrome, or downloads a matching Chrome for Testing and chromedriver into
   ``~/.cache/selenium``. This is the maintained route on Colab, Windows and macOS.
   ``WEST2AI_SELENIUM_MANAGER=0`` turns it off (an offline machine fails faster then).

Use the driver as a context manager so the browser is closed even when your code raises::

    with chrome_driver() as driver:
        driver.get(url)

``grading_driver()`` keeps one browser open for a notebook's test cells.
``browser_available()`` says whether a browser can be driven here, and if not, why and what
to do, in Chinese (the mentor CLI's ``doctor`` command and the notebooks call it). It never
raises: a machine with no browser at all gets the message, not a traceback.
"""
from __future__ import annotations

import atexit
import functools
import logging
import os
import re
import shutil
import subprocess
import tempfile
from contextlib import contextmanager

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
    "怎样准备浏览器：\n"
    "  · Colab、Windows、macOS：不用手动安装。Selenium（≥ 4.11）自带的 Selenium Manager 会自动下载配套的 "
    "Chrome for Testing 和 chromedriver（第一次需要联网，约半分钟），本课程的 chrome_driver() 在本机找不到浏览器时就走这条路；"
    "下载失败时请检查网络后重新运行。\n"
    "    注意：不要在 Colab 上运行 apt install chromium-chromedriver——Ubuntu 的这个包只是一个要求安装 snap 的占位程序，"
    "Colab 没有 snapd，装上也不能用。\n"
    "  · Debian：sudo apt-get install chromium chromium-driver"
    "（Ubuntu 上同名的 apt 包同样是 snap 占位程序：请用 sudo snap install chromium，或安装 Google Chrome，或交给 Selenium Manager）\n"
    "  · 装在别处的浏览器：设置环境变量 WEST2AI_CHROME（浏览器程序）和 WEST2AI_CHROMEDRIVER（chromedriver 程序）\n"
    "  · 在终端运行 python -m west2ai doctor 可以检查浏览器是否就绪"
)
MANAGER_SWITCH = "WEST2AI_SELENIUM_MANAGER"   # "0" turns the Selenium Manager fallback off


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


@functools.lru_cache(maxsize=8)
def _major_version(program: str) -> str | None:
    """Major version printed by ``program --version`` (e.g. '156'), or None if unknown."""
    try:
        out = subprocess.run([program, "--version"], capture_output=True, text=True, timeout=15).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r"(\d+)\.\d+\.\d+", out)
    return match.group(1) if match else None


def _bad_env() -> str | None:
    """Why an explicitly named program (WEST2AI_CHROME / WEST2AI_CHROMEDRIVER) is unusable."""
    for var in ("WEST2AI_CHROME", "WEST2AI_CHROMEDRIVER"):
        where = os.environ.get(var)
        if where and not _is_exe(where):
            return f"环境变量 {var}={where} 不是可执行文件"
    return None


def local_browser() -> tuple[str, str] | str:
    """``(chrome, chromedriver)`` installed here and able to run, or why not (a Chinese reason)."""
    chrome, driver = find_chrome(), find_chromedriver()
    missing = [name for name, path in (("Chromium 浏览器", chrome), ("chromedriver", driver)) if not path]
    if missing:
        return f"本机找不到 {'和 '.join(missing)}"
    chrome_major, driver_major = _major_version(chrome), _major_version(driver)
    broken = [path for path, major in ((chrome, chrome_major), (driver, driver_major)) if not major]
    if broken:
        return (f"{'、'.join(broken)} 无法运行（连版本号都读不出；Ubuntu 的 chromium-browser / chromium-chromedriver "
                f"apt 包只是要求安装 snap 的占位程序）")
    if chrome_major != driver_major:
        return (f"浏览器 {chrome}（版本 {chrome_major}）与 chromedriver {driver}（版本 {driver_major}）"
                f"的主版本号不一致，需要配套的一对")
    return chrome, driver


def manager_allowed() -> bool:
    """Whether Selenium Manager may be asked for a browser (``WEST2AI_SELENIUM_MANAGER=0`` says no)."""
    return os.environ.get(MANAGER_SWITCH, "1").strip().lower() not in ("0", "false", "no", "off")


def _first_line(exc: BaseException) -> str:
    """A short reason: the first line of the error, plus Selenium Manager's own message
    (e.g. 'error sending request for url …' when offline) found down the exception chain."""
    text = str(getattr(exc, "msg", None) or exc).strip()
    line = (text.splitlines() or [type(exc).__name__])[0].split("; For documentation")[0]
    cause, seen = exc.__cause__ or exc.__context__, 0
    while cause is not None and seen < 5:
        found = re.search(r"'message': '([^']+)'", str(cause))
        if found:
            line = f"{line}：{found.group(1)}"
            break
        cause, seen = cause.__cause__ or cause.__context__, seen + 1
    return line[:400]


@contextmanager
def _quiet_selenium():
    """Selenium Manager logs its warnings through ``logging`` (stderr); nbgrader gives a test
    cell that writes to stderr no points, so they are held back while a driver starts."""
    logger = logging.getLogger("selenium")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


_PROBES: dict[tuple, tuple[bool, str]] = {}


def browser_available() -> tuple[bool, str]:
    """(True, what will be used) or (False, why not and what to do), in Chinese; never raises.

    An installed pair is checked without starting it. Without one, Selenium Manager is asked
    for a browser once per process (this starts, and quits, a headless Chrome; on Colab the
    first call downloads Chrome for Testing, about half a minute).
    """
    try:
        import selenium
    except ImportError:
        return False, "未安装 selenium：请运行 pip install selenium"
    bad = _bad_env()
    if bad:
        return False, f"{bad}。{INSTALL_HINT}"
    local = local_browser()
    if isinstance(local, tuple):
        return True, f"浏览器可用：{local[0]}，驱动：{local[1]}（selenium {selenium.__version__}）"
    if not manager_allowed():
        return False, f"{local}，且 {MANAGER_SWITCH}=0 关掉了 Selenium Manager。{INSTALL_HINT}"
    key = tuple(os.environ.get(v) for v in ("PATH", "SE_MANAGER_PATH", "SE_OFFLINE", "WEST2AI_CHROME"))
    if key not in _PROBES:
        try:
            driver = _manager_driver(headless=True, window_size=(800, 600), page_load_timeout=30)
        except Exception as exc:
            _PROBES[key] = False, (f"{local}；Selenium Manager 也没能准备好浏览器（{_first_line(exc)}）。"
                                   f"{INSTALL_HINT}")
        else:
            try:
                version = driver.capabilities.get("browserVersion", "?")
                where = getattr(driver.service, "path", None) or "Selenium Manager 的缓存"
            finally:
                driver.quit()
            _PROBES[key] = True, (f"{local}，改用 Selenium Manager 准备的 Chrome {version}"
                                  f"（驱动：{where}；selenium {selenium.__version__}）")
    return _PROBES[key]


def _options(binary: str | None, headless: bool, window_size: tuple[int, int]):
    """Chrome options with the course's flags and a fresh temporary profile: (options, profile dir)."""
    from selenium import webdriver

    options = webdriver.ChromeOptions()
    if binary:
        options.binary_location = binary
    for flag in CHROME_FLAGS:
        options.add_argument(flag)
    if headless:
        options.add_argument("--headless=new")
    options.add_argument(f"--window-size={window_size[0]},{window_size[1]}")
    profile = tempfile.mkdtemp(prefix="west2ai-chrome-")
    options.add_argument(f"--user-data-dir={profile}")
    return options, profile


def _start(options, profile: str, service, page_load_timeout: float):
    """A started driver whose quit() also removes its profile; registered for quitting at exit."""
    from selenium import webdriver

    try:
        with _quiet_selenium():
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


def _local_driver(chrome: str, chromedriver: str, headless: bool, window_size, page_load_timeout):
    from selenium.webdriver.chrome.service import Service

    options, profile = _options(chrome, headless, window_size)
    # An explicit driver path: Selenium Manager is never asked to find or download anything.
    return _start(options, profile, Service(executable_path=chromedriver), page_load_timeout)


def _manager_driver(headless: bool, window_size, page_load_timeout):
    """The maintained route where nothing usable is installed (Colab): no paths, Selenium
    Manager finds a Chrome or downloads Chrome for Testing and a matching chromedriver."""
    from selenium.webdriver.chrome.service import Service

    chrome = find_chrome()
    binary = chrome if chrome and _major_version(chrome) else None  # a working Chrome without a driver
    options, profile = _options(binary, headless, window_size)
    return _start(options, profile, Service(), page_load_timeout)


def chrome_driver(headless: bool = True, window_size: tuple[int, int] = (1280, 900),
                  page_load_timeout: float = 30):
    """A new headless ``selenium.webdriver.Chrome``; quit it when done (or use ``with``).

    The installed Chromium and chromedriver first; where there are none (or they fail to
    start), Selenium Manager's Chrome. Raises ``BrowserNotFound`` with the reasons and what
    to do when neither works. Each driver gets a fresh, temporary browser profile, removed on
    ``quit()``; a driver still open when Python exits is quit then (no browser is left running).
    """
    try:
        import selenium  # noqa: F401
    except ImportError as exc:
        raise BrowserNotFound("未安装 selenium：请运行 pip install selenium") from exc
    bad = _bad_env()
    if bad:
        raise BrowserNotFound(f"{bad}。{INSTALL_HINT}")
    local = local_browser()
    if isinstance(local, tuple):
        try:
            return _local_driver(*local, headless, window_size, page_load_timeout)
        except Exception as exc:
            reason = f"本机的 {local[0]} 启动失败（{_first_line(exc)}）"
    else:
        reason = local
    if not manager_allowed():
        raise BrowserNotFound(f"{reason}，且 {MANAGER_SWITCH}=0 关掉了 Selenium Manager。{INSTALL_HINT}")
    try:
        return _manager_driver(headless, window_size, page_load_timeout)
    except Exception as exc:
        raise BrowserNotFound(f"{reason}；Selenium Manager 也没能准备好浏览器（{_first_line(exc)}）。"
                              f"{INSTALL_HINT}") from exc


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
