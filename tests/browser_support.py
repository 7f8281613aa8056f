"""Headless Debian chromium for the site's browser tests, with no way off loopback."""

from __future__ import annotations

import contextlib
import functools
import http.server
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
WINDOW = (1280, 2000)

_FLAGS = (
    "--headless=new",
    "--no-sandbox",  # we run as root
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-default-apps",
    "--disable-quic",
    "--disable-extensions",
    # Offline guard: no DNS at all, and every host but loopback (which chromium
    # always reaches directly) goes to a proxy on a closed port and fails.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    "--proxy-server=http://127.0.0.1:9",
)


@contextlib.contextmanager
def chromium(*, timeout_s: float, log_requests: bool = False) -> Iterator[Any]:
    """A selenium driver for Debian's chromium and chromedriver; selenium-manager never runs.

    ``log_requests`` also keeps chromium's performance log, which lists every request
    a page made, refused ones too.
    """
    for binary, package in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")):
        if not binary.is_file():
            pytest.fail(f"{binary} is missing: apt-get install {package} (nox -s browser does)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    with (
        pytest.MonkeyPatch.context() as env,
        tempfile.TemporaryDirectory(prefix="nlpguide-chromium-") as profile,
    ):
        # Selenium-manager must not look for (or download) a driver or report statistics.
        env.setenv("SE_OFFLINE", "true")
        env.setenv("SE_AVOID_STATS", "true")
        options = webdriver.ChromeOptions()
        options.binary_location = str(CHROMIUM)
        for flag in (
            *_FLAGS,
            f"--user-data-dir={profile}",
            f"--window-size={WINDOW[0]},{WINDOW[1]}",
        ):
            options.add_argument(flag)
        logs = {"browser": "ALL", "performance": "ALL"} if log_requests else {"browser": "ALL"}
        options.set_capability("goog:loggingPrefs", logs)
        browser = webdriver.Chrome(
            options=options, service=Service(executable_path=str(CHROMEDRIVER))
        )
        try:
            browser.set_page_load_timeout(timeout_s)
            browser.set_script_timeout(timeout_s)
            browser.set_window_size(*WINDOW)
            yield browser
        finally:
            browser.quit()


@contextlib.contextmanager
def serve(folder: Path, handler: type[http.server.SimpleHTTPRequestHandler]) -> Iterator[str]:
    """``folder`` served by ``handler`` from a thread on 127.0.0.1 (any free port): its URL."""
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(folder))
    )
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
