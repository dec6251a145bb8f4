"""Browser tests' helpers: Debian's headless Chromium driven by Selenium (nothing downloaded at run
time), axe-core from node_modules injected in the page, and the web app served from a thread."""
from __future__ import annotations

import asyncio
import os
import shutil
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tremplin.settings import REPO_ROOT

AXE = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = REPO_ROOT / "var" / "screenshots"
CHROMIUM = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
CHROMEDRIVER = "/usr/bin/chromedriver"


def require_browser() -> tuple[str, str]:
    """Chromium, chromedriver, selenium and axe-core, or a skip (a failure in CI) saying what is missing."""
    missing = []
    browser = next((path for path in CHROMIUM if os.path.exists(path)), None) or shutil.which("chromium")
    driver = CHROMEDRIVER if os.path.exists(CHROMEDRIVER) else shutil.which("chromedriver")
    if not browser or not driver:
        missing.append("chromium et chromium-driver (apt-get install -y chromium chromium-driver)")
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append("selenium (pip install -e '.[test]')")
    if not AXE.exists():
        missing.append("axe-core (npm ci)")
    if missing:
        message = "browser tests need: " + ", ".join(missing) + " — scripts/setup.sh installs them"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return browser, driver  # type: ignore[return-value]


def new_driver(width: int = 1100, height: int = 900):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    os.environ.setdefault("SE_OFFLINE", "true")  # never let Selenium Manager fetch a browser
    browser, driver = require_browser()
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                f"--window-size={width},{height}", "--lang=fr-FR", "--disable-extensions"):
        options.add_argument(arg)
    return webdriver.Chrome(service=Service(driver), options=options)


def screenshot(driver, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    driver.save_screenshot(str(path))
    return path


def axe_violations(driver, impacts: tuple[str, ...] = ("serious", "critical")) -> list[dict[str, Any]]:
    """axe-core's violations of these impacts on the current page (WCAG 2 A/AA rules and best practices)."""
    driver.execute_script(AXE.read_text())
    driver.set_script_timeout(60)
    found = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations))"
        ".catch(e => done([{id: 'axe-error', impact: 'critical', help: String(e), nodes: []}]));")
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "targets": [n.get("target") for n in v.get("nodes", [])][:5]}
            for v in found if v.get("impact") in impacts]


def fits_width(driver, width: int = 360) -> tuple[bool, int]:
    """Emulate a phone `width` px wide; the page must not scroll sideways."""
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": 740, "deviceScaleFactor": 1, "mobile": True})
    driver.refresh()
    scroll = driver.execute_script("return document.documentElement.scrollWidth")
    driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    return scroll <= width, scroll


@dataclass
class WebServer:
    """The web app over a real Rasa, served from a thread with its own event loop."""

    database_url: str
    rasa_url: str
    url: str = ""
    _loop: asyncio.AbstractEventLoop | None = None
    _stop: asyncio.Event | None = None
    _thread: threading.Thread | None = None
    _ready: threading.Event = field(default_factory=threading.Event)
    error: BaseException | None = None

    def start(self) -> str:
        from tests.support.stack import free_port
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        self._thread = threading.Thread(target=self._run, args=(port,), daemon=True)
        self._thread.start()
        if not self._ready.wait(60) or self.error:
            raise RuntimeError(f"web app did not start: {self.error!r}")
        return self.url

    def _run(self, port: int) -> None:
        asyncio.run(self._serve(port))

    async def _serve(self, port: int) -> None:
        from bot.rasa_client import RasaClient
        from bot.web.launch import serve_web
        from tremplin.db import make_engine

        self._loop, self._stop = asyncio.get_running_loop(), asyncio.Event()
        engine = make_engine(self.database_url)
        try:
            async with RasaClient(self.rasa_url, 60) as rasa:
                task = asyncio.create_task(serve_web(engine, rasa, self._stop, f"127.0.0.1:{port}",
                                                     retry_delays=(1.0, 2.0)))
                await asyncio.sleep(0.5)
                self._ready.set()
                await task
        except BaseException as exc:  # noqa: BLE001 - reported to the test thread
            self.error = exc
            self._ready.set()
        finally:
            await engine.dispose()

    def stop(self) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread is not None:
            self._thread.join(15)
