"""Driving the dispatcher page in a real headless Chromium (Debian's) through Selenium.

``browser_paths()`` finds chromium and chromedriver (skip outside CI, fail in CI when they
are missing). ``Browser`` wraps one Chrome session: it records every network request the
page makes (Chrome DevTools performance log: ``Network.requestWillBeSent``) and the console,
so that a test can assert that nothing went to another host and that no script failed.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "out" / "web-screenshots"
WAIT_S = 60.0
"""Longest wait for the page to reach a state (a bound against hanging, not a timing claim)."""
WINDOW = (1400, 1250)
INSTALL_HINT = "apt-get install chromium chromium-driver (or: source .ci/chromium.sh)"


def browser_paths() -> tuple[str, str]:
    """(chromium, chromedriver); skips outside CI and fails in CI when either is missing."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if not chromium or not driver:
        missing = " and ".join(
            name for name, path in (("chromium", chromium), ("chromedriver", driver)) if not path
        )
        if os.environ.get("CI"):
            pytest.fail(f"{missing} missing in CI: .ci/run must source .ci/chromium.sh")
        pytest.skip(f"the browser tests need Debian's {missing}: {INSTALL_HINT}")
    try:
        import selenium  # noqa: F401
    except ImportError:
        pytest.fail("selenium is not installed: it is one of the dev dependencies (selenium)")
    return chromium, driver


class Browser:
    """One headless Chromium session with its network requests and console recorded."""

    def __init__(self, chromium: str, chromedriver: str) -> None:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service

        options = webdriver.ChromeOptions()
        options.binary_location = chromium
        for argument in (
            "--headless=new",
            "--no-sandbox",  # tests run as root in containers
            "--disable-gpu",
            "--disable-dev-shm-usage",
            f"--window-size={WINDOW[0]},{WINDOW[1]}",
            "--lang=nb-NO",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-default-apps",
            "--disable-extensions",
            "--disable-sync",
        ):
            options.add_argument(argument)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
        self.driver = webdriver.Chrome(service=Service(chromedriver), options=options)
        self.requests: list[str] = []
        self.console: list[dict[str, Any]] = []

    def quit(self) -> None:
        self.driver.quit()

    # ---------------------------------------------------------------------------- recording

    def collect(self) -> None:
        """Move the browser's new performance and console entries into the lists."""
        for entry in self.driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            if message.get("method") == "Network.requestWillBeSent":
                self.requests.append(message["params"]["request"]["url"])
            elif message.get("method") == "Network.webSocketCreated":
                self.requests.append(message["params"]["url"])
        self.console.extend(self.driver.get_log("browser"))

    def foreign_requests(self, base: str) -> list[str]:
        """Requests to any host other than the service at ``base`` (data: URLs are local)."""
        self.collect()
        own = urlsplit(base).netloc
        return [
            url
            for url in self.requests
            if not url.startswith(("data:", "blob:", "about:"))
            and not (urlsplit(url).scheme in ("http", "https") and urlsplit(url).netloc == own)
        ]

    def console_errors(self, allowed: Callable[[dict[str, Any]], bool] | None = None) -> list[str]:
        """SEVERE console entries (script errors, CSP violations, failed loads) not ``allowed``."""
        self.collect()
        return [
            entry["message"]
            for entry in self.console
            if entry["level"] == "SEVERE" and not (allowed and allowed(entry))
        ]

    # ------------------------------------------------------------------------------- page

    def js(self, script: str, *args: Any) -> Any:
        return self.driver.execute_script(script, *args)

    def wait_for(self, script: str, *args: Any) -> Any:
        """Poll until ``script`` (a JS expression body returning a value) is truthy."""
        from selenium.webdriver.support.ui import WebDriverWait

        return WebDriverWait(self.driver, WAIT_S, poll_frequency=0.1).until(
            lambda driver: driver.execute_script(script, *args)
        )

    def screenshot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        assert self.driver.save_screenshot(str(path)), name
        return path


@contextmanager
def open_browser() -> Iterator[Browser]:
    """A Browser, quit afterwards (skips or fails as browser_paths says)."""
    chromium, chromedriver = browser_paths()
    browser = Browser(chromium, chromedriver)
    try:
        yield browser
    finally:
        browser.quit()


CONTRAST_SCRIPT = """
// WCAG contrast ratio of each selected element's text against its nearest opaque background.
function rgb(text) {
  const m = text.match(/rgba?\\(([\\d.]+), ([\\d.]+), ([\\d.]+)(?:, ([\\d.]+))?\\)/);
  return m ? [+m[1], +m[2], +m[3], m[4] === undefined ? 1 : +m[4]] : null;
}
function luminance([r, g, b]) {
  const f = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
  return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
}
function background(node) {
  for (let n = node; n; n = n.parentElement) {
    const c = rgb(getComputedStyle(n).backgroundColor);
    if (c && c[3] === 1 && !getComputedStyle(n).backgroundImage.includes('gradient')) return c;
  }
  return [255, 255, 255, 1];
}
const out = [];
for (const selector of arguments[0]) {
  for (const node of document.querySelectorAll(selector)) {
    if (!node.offsetParent && getComputedStyle(node).position !== 'fixed') continue;
    const fg = rgb(getComputedStyle(node).color);
    const bg = background(node);
    const [a, b] = [luminance(fg), luminance(bg)].sort((x, y) => y - x);
    out.push([selector, (a + 0.05) / (b + 0.05)]);
  }
}
return out;
"""
