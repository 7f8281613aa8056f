"""Headless Debian chromium for the site's browser tests, with no way off loopback."""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import http.server
import json
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


class LoggingHandler(http.server.SimpleHTTPRequestHandler):
    """Serves .wasm as application/wasm (as ``python -m http.server`` does) and records
    every request in ``requests`` (set it on a subclass: one list per server)."""

    extensions_map = {  # noqa: RUF012 - the handler's own class attribute, extended
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".wasm": "application/wasm",
    }
    requests: list[str]

    def log_message(self, *_args: Any) -> None:
        """Keep the log out of the test output: every request is recorded in log_request."""

    def log_request(self, code: int | str = "-", _size: int | str = "-") -> None:
        self.requests.append(f"{self.command} {self.path} {code}")


@dataclasses.dataclass
class Server:
    """A served folder: its base URL and every request it answered (``"GET /path 200"``)."""

    base: str
    requests: list[str]

    def url(self, page: str) -> str:
        return f"{self.base}/{page}"


@contextlib.contextmanager
def logged_server(folder: Path) -> Iterator[Server]:
    """``folder`` served on 127.0.0.1 by a :class:`LoggingHandler` of its own."""
    requests: list[str] = []
    handler = type("Handler", (LoggingHandler,), {"requests": requests})
    with serve(folder, handler) as base:
        yield Server(base, requests)


#: URL schemes that never touch the network (chromium's own pages, in-page data).
LOCAL_SCHEMES = {"chrome", "chrome-untrusted", "devtools", "data", "blob", "about"}


def requests_made(driver: Any) -> list[str]:
    """Every URL chromium asked for since the last call (its performance log, refused ones too)."""
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls
