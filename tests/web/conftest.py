"""Fixtures of the dispatcher page's tests: the service helpers of tests/app and a browser.

The browser is Debian's Chromium driven by its chromedriver through Selenium. Without them
the browser tests skip, but only outside CI: in CI (CI set) they fail, so that a broken
install (.ci/chromium.sh) cannot pass unnoticed.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "app"))

from servicekit import (  # noqa: F401 - fixtures are found by name
    roads_cache,
    service,
    sqlite_url,
    start_thread_worker,
)
