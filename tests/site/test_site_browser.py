"""The built site in a real browser: headless Debian chromium driven by selenium.

Every HTML page of ``docs/_build/html`` is served on loopback and opened once; the
tests then check that it rendered, logged no console errors, that its internal links
and anchors resolve, that its images loaded and that a lesson's notebook download is
a notebook. The search page must find the masked-language-modelling lesson.

Pages checked: every ``*.html`` of the build except the generated indexes
(``genindex.html``, ``py-modindex.html``) and the ``_``-prefixed folders
(``_modules``: viewcode's source listings, ``_sources``, ``_static``, ``_images``).
Links into those are still checked. Screenshots go to ``docs/_build/screenshots``.

Run ``nox -s docs`` first, then ``nox -s browser`` (marker ``browser``, deselected in
the ordinary test run). Nothing but 127.0.0.1 is contacted: chromium is started with
its background services off, no DNS and an unreachable proxy for every other host.
"""

from __future__ import annotations

import dataclasses
import functools
import http.server
import json
import re
import struct
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import pytest
from browser_support import WINDOW, chromium, serve

if TYPE_CHECKING:  # selenium is imported where it is used: the module must import without it
    from selenium.webdriver.remote.webdriver import WebDriver

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
SITE = DOCS / "_build" / "html"
SCREENSHOTS = DOCS / "_build" / "screenshots"
TIMEOUT_S = 60
NOT_BUILT = f"The site is not built ({SITE / 'index.html'} is missing): run `nox -s docs` first."

# Generated indexes, not pages of the toctree.
NOT_PAGES = {"genindex.html", "py-modindex.html"}


class KnownConsoleError(NamedTuple):
    """A console error that is not the page's fault here, matched narrowly."""

    source: str  # the log entry's source
    pattern: str  # a regular expression for the whole message
    why: str


# Console errors that are not the page's fault, each matched narrowly with a reason.
# None are known: the MathJax CDN, favicon and theme-mode errors were fixed in
# docs/conf.py (MathJax served from _static, html_favicon, default_mode).
KNOWN_CONSOLE_ERRORS: tuple[KnownConsoleError, ...] = ()


def _source_pages() -> dict[str, str]:
    """Each Markdown page of docs/ (its built .html name) with its front matter."""
    pages = {}
    for source in sorted(DOCS.rglob("*.md")):
        rel = source.relative_to(DOCS)
        # vendor/: third-party files and their provenance notes, excluded in docs/conf.py.
        if rel.parts[0].startswith("_") or rel.parts[0] == "vendor":
            continue
        text = source.read_text(encoding="utf-8")
        front = text.split("\n---\n", 1)[0] if text.startswith("---\n") else ""
        pages[rel.with_suffix(".html").as_posix()] = front
    return pages


def _built_pages() -> list[str]:
    """The pages to open: every built page of the site (index.html alone if unbuilt)."""
    if not (SITE / "index.html").is_file():
        return ["index.html"]  # its tests then fail, saying how to build the site
    pages = []
    for path in SITE.rglob("*.html"):
        rel = path.relative_to(SITE)
        if rel.parts[0].startswith("_") or rel.as_posix() in NOT_PAGES:
            continue
        pages.append(rel.as_posix())
    return sorted(pages)


SOURCE_PAGES = _source_pages()
PAGES = _built_pages()
# Lessons: pages written as notebooks (a kernelspec in the front matter), as in docs/conf.py.
LESSONS = [
    page for page, front in SOURCE_PAGES.items() if "kernelspec:" in front and page != "index.html"
]


# -- the loopback server ---------------------------------------------------------------


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    # Pyodide (the try-it cells) compiles its .wasm as it streams in only if so labelled.
    extensions_map = {  # noqa: RUF012 - the handler's own class attribute, extended
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".wasm": "application/wasm",
    }

    def log_message(self, *_args: Any) -> None:
        """Keep the request log out of the test output."""


class _Ids(HTMLParser):
    """Collect the fragment targets of a page: id attributes and <a name=...>."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for key, value in attrs:
            if value is not None and (key == "id" or (tag == "a" and key == "name")):
                self.ids.add(value)


@dataclasses.dataclass
class Site:
    """The site served on loopback, with a cache of what was fetched from it."""

    base: str
    _bodies: dict[str, tuple[int, bytes]] = dataclasses.field(default_factory=dict)
    _ids: dict[str, set[str]] = dataclasses.field(default_factory=dict)
    # A proxy from the environment would take loopback requests off this machine.
    _opener: urllib.request.OpenerDirector = dataclasses.field(
        default_factory=lambda: urllib.request.build_opener(urllib.request.ProxyHandler({}))
    )

    def url(self, page: str) -> str:
        return f"{self.base}/{page}"

    def is_internal(self, url: str) -> bool:
        parts = urllib.parse.urlsplit(url)
        return f"{parts.scheme}://{parts.netloc}" == self.base

    def fetch(self, url: str) -> tuple[int, bytes]:
        """HTTP status and body of a URL on this server (without its fragment)."""
        url = urllib.parse.urldefrag(url).url
        if url not in self._bodies:
            try:
                with self._opener.open(url, timeout=TIMEOUT_S) as response:
                    self._bodies[url] = (response.status, response.read())
            except urllib.error.HTTPError as error:
                self._bodies[url] = (error.code, b"")
        return self._bodies[url]

    def ids(self, url: str) -> set[str]:
        url = urllib.parse.urldefrag(url).url
        if url not in self._ids:
            parser = _Ids()
            parser.feed(self.fetch(url)[1].decode("utf-8", errors="replace"))
            self._ids[url] = parser.ids
        return self._ids[url]


@pytest.fixture(scope="session")
def site() -> Iterator[Site]:
    """The built site, served by http.server from a thread on 127.0.0.1 (any free port)."""
    if not (SITE / "index.html").is_file():
        pytest.fail(NOT_BUILT, pytrace=False)
    with serve(SITE, _QuietHandler) as base:
        yield Site(base=base)


# -- the browser -----------------------------------------------------------------------


@pytest.fixture(scope="session")
def driver() -> Iterator[WebDriver]:
    """Headless Debian chromium via the Debian chromedriver, with no way off loopback."""
    with chromium(timeout_s=TIMEOUT_S, log_requests=False) as browser:
        yield browser


# -- one visit per page ----------------------------------------------------------------

_COLLECT = """
// The theme's search page has no <article>: its content is the search container.
const article = document.querySelector("main article, main .bd-search-container");
const h1 = article && article.querySelector("h1");
const first = (selector) => {
  const link = document.querySelector(selector);
  return link ? link.href : null;
};
return {
  title: document.title,
  h1: h1 ? h1.textContent.trim() : "",
  article: article ? article.innerText.trim() : "",
  links: Array.from(document.querySelectorAll("a[href]"), (a) => a.href),
  images: Array.from(document.images, (img) => ({
    src: img.currentSrc || img.src,
    complete: img.complete,
    width: img.naturalWidth,
  })),
  // Outputs that scroll sideways, or spill past the article's right edge.
  wideOutputs: Array.from(document.querySelectorAll(".cell_output, .cell_output *"))
    .filter((e) => (e.scrollWidth > e.clientWidth + 1
                    && ["auto", "scroll"].includes(getComputedStyle(e).overflowX))
                   || (article && e.getBoundingClientRect().right
                       > article.getBoundingClientRect().right + 1))
    .map((e) => (e.innerText || e.tagName).trim().slice(0, 80)),
  nbDownload: first("p.nb-download a"),
  menuDownload: first(".dropdown-download-buttons a.btn-download-notebook-button"),
};
"""


@dataclasses.dataclass
class Visit:
    """What one page looked like in the browser."""

    page: str
    url: str
    status: int
    title: str
    h1: str
    article: str
    console: list[dict[str, Any]]
    links: list[str]
    images: list[dict[str, Any]]
    wide_outputs: list[str]
    nb_download: str | None
    menu_download: str | None
    screenshot: Path


def _screenshot_path(page: str) -> Path:
    return SCREENSHOTS / (page.removesuffix(".html").replace("/", "__") + ".png")


def _triage(entries: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[str]]:
    """SEVERE console entries: the unexpected ones, and the reasons of the known ones."""
    unexpected, known = [], []
    for entry in entries:
        if entry.get("level") != "SEVERE":
            continue
        reason = next(
            (
                k.why
                for k in KNOWN_CONSOLE_ERRORS
                if entry.get("source") == k.source
                and re.fullmatch(k.pattern, str(entry.get("message")))
            ),
            None,
        )
        if reason is None:
            unexpected.append(entry)
        else:
            known.append(reason)
    return unexpected, known


def _load(driver: WebDriver, url: str) -> None:
    """Open a URL and wait until it and all its images have loaded."""
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(url)
    wait = WebDriverWait(driver, TIMEOUT_S)
    wait.until(lambda d: d.execute_script("return document.readyState") == "complete")
    # Lazy images below the window would never load: ask for all of them now.
    driver.execute_script(
        "document.querySelectorAll('img[loading=lazy]').forEach((i) => { i.loading = 'eager'; });"
    )
    wait.until(
        lambda d: d.execute_script("return Array.from(document.images).every(i => i.complete)")
    )


@dataclasses.dataclass
class Tally:
    """What the browser tests checked, printed at the end of the run."""

    pages: int = 0
    links: int = 0
    link_targets: set[str] = dataclasses.field(default_factory=set)
    fragments: int = 0
    external: set[str] = dataclasses.field(default_factory=set)
    images: int = 0
    downloads: int = 0
    screenshots: int = 0
    searches: int = 0
    known_errors: Counter[str] = dataclasses.field(default_factory=Counter)

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        terminalreporter.write_sep("-", "site checked in headless chromium")
        terminalreporter.write_line(
            f"pages rendered: {self.pages}, internal links checked: {self.links} "
            f"({len(self.link_targets)} distinct targets, {self.fragments} with an anchor), "
            f"external links counted (not followed): {len(self.external)} distinct, "
            f"images loaded: {self.images}, notebook downloads: {self.downloads}, "
            f"screenshots: {self.screenshots} in {SCREENSHOTS}, searches: {self.searches}"
        )
        for why, count in sorted(self.known_errors.items()):
            terminalreporter.write_line(f"known console error let through {count}x: {why}")


@pytest.fixture(scope="session")
def tally(pytestconfig: pytest.Config) -> Tally:
    """Counts of what was checked; a terminal-summary hook reports them."""
    counts = Tally()
    pytestconfig.pluginmanager.register(counts, "site-browser-tally")
    return counts


@pytest.fixture(scope="session")
def visit(site: Site, driver: WebDriver) -> Callable[[str], Visit]:
    """Open a page in chromium (once per page), take its screenshot, record what it showed."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    @functools.cache
    def _visit(page: str) -> Visit:
        url = site.url(page)
        driver.get_log("browser")  # type: ignore[attr-defined]  # drop what the page before left
        _load(driver, url)
        seen = driver.execute_script(_COLLECT)
        shot = _screenshot_path(page)
        driver.save_screenshot(str(shot))
        return Visit(
            page=page,
            url=url,
            status=site.fetch(url)[0],
            title=seen["title"],
            h1=seen["h1"],
            article=seen["article"],
            console=driver.get_log("browser"),  # type: ignore[attr-defined]  # Chrome's log API
            links=seen["links"],
            images=seen["images"],
            wide_outputs=seen["wideOutputs"],
            nb_download=seen["nbDownload"],
            menu_download=seen["menuDownload"],
            screenshot=shot,
        )

    return _visit


# -- the tests -------------------------------------------------------------------------


class TestTheSiteIsBuilt:
    def test_index_exists(self) -> None:
        """The site has been built into docs/_build/html."""
        assert (SITE / "index.html").is_file(), NOT_BUILT

    def test_every_source_page_is_a_built_page(self) -> None:
        """Every Markdown page of docs/ was built, so every page of the toctree is checked."""
        assert (SITE / "index.html").is_file(), NOT_BUILT
        missing = sorted(set(SOURCE_PAGES) - set(PAGES))
        assert not missing, f"not built (run `nox -s docs`): {missing}"
        assert "search.html" in PAGES


@pytest.mark.parametrize("page", PAGES)
class TestPagesRender:
    def test_page_renders(self, page: str, visit: Callable[[str], Visit], tally: Tally) -> None:
        """The page is served with HTTP 200 and shows a title, a heading and article text."""
        seen = visit(page)
        assert seen.status == 200, seen.url
        assert seen.title.strip(), "empty <title>"
        assert seen.h1, "no <h1> (or an empty one) in the main article"
        assert seen.article, "the main article has no text"
        tally.pages += 1


@pytest.mark.parametrize("page", PAGES)
class TestConsole:
    def test_no_console_errors(
        self, page: str, visit: Callable[[str], Visit], tally: Tally
    ) -> None:
        """Loading the page logs no error in the browser console (but the known ones)."""
        errors, known = _triage(visit(page).console)
        tally.known_errors.update(known)
        assert not errors, "\n".join(f"{e.get('source')}: {e.get('message')}" for e in errors)


@pytest.mark.parametrize("page", PAGES)
class TestLinks:
    def test_internal_links_resolve(
        self, page: str, site: Site, visit: Callable[[str], Visit], tally: Tally
    ) -> None:
        """Every same-site link reaches a file (HTTP 200) and its #anchor exists there."""
        seen = visit(page)
        broken = []
        for href in seen.links:
            parts = urllib.parse.urlsplit(href)
            if not site.is_internal(href):
                if parts.scheme in {"http", "https"}:
                    tally.external.add(href)
                continue
            tally.links += 1
            target = urllib.parse.urldefrag(href).url
            tally.link_targets.add(target)
            status = site.fetch(target)[0]
            if status != 200:
                broken.append(f"{href}: HTTP {status}")
                continue
            fragment = urllib.parse.unquote(parts.fragment)
            if fragment:
                tally.fragments += 1
                if fragment not in site.ids(target):
                    broken.append(f"{href}: no id {fragment!r} in the target page")
        assert not broken, "\n".join(broken)


class TestImages:
    @pytest.mark.parametrize("page", PAGES)
    def test_images_loaded(self, page: str, visit: Callable[[str], Visit], tally: Tally) -> None:
        """Every <img> on the page (the matplotlib plots among them) has loaded."""
        images = visit(page).images
        unloaded = [image["src"] for image in images if not image["width"]]
        assert not unloaded, f"images that did not load: {unloaded}"
        tally.images += len(images)

    def test_lessons_show_plots(self, site: Site, visit: Callable[[str], Visit]) -> None:
        """The lessons show plots: images the build wrote to _images/, served by this site."""
        plots = [
            image["src"]
            for page in LESSONS
            for image in visit(page).images
            if image["src"].startswith(site.url("_images/"))
        ]
        assert plots, "no lesson shows an image from _images/"


@pytest.mark.parametrize("page", LESSONS)
class TestNotebookDownloads:
    def test_download_is_a_notebook(
        self, page: str, site: Site, visit: Callable[[str], Visit], tally: Tally
    ) -> None:
        """The lesson's .ipynb link and the theme's download menu fetch the same notebook."""
        seen = visit(page)
        assert seen.nb_download, "no 'Download this page as a notebook' link (p.nb-download)"
        assert seen.menu_download, "no .ipynb entry in the theme's download menu"
        expected = site.url("_sources/" + page.removesuffix(".html") + ".ipynb")
        assert seen.nb_download == expected
        assert seen.menu_download == expected
        status, body = site.fetch(expected)
        assert status == 200, expected
        notebook = json.loads(body)
        assert {"cells", "nbformat"} <= notebook.keys(), sorted(notebook)
        assert notebook["cells"], "the notebook has no cells"
        tally.downloads += 1


@pytest.mark.parametrize("page", PAGES)
class TestOutputsFit:
    def test_no_output_scrolls_sideways(self, page: str, visit: Callable[[str], Visit]) -> None:
        """Every cell output fits the reading column: nothing hides past its right edge."""
        assert visit(page).wide_outputs == []


@pytest.mark.parametrize("page", PAGES)
class TestScreenshots:
    def test_screenshot_saved(self, page: str, visit: Callable[[str], Visit], tally: Tally) -> None:
        """A PNG of the page, as wide as the browser window, is in docs/_build/screenshots."""
        shot = visit(page).screenshot
        header = shot.read_bytes()[:24]
        assert header[:8] == b"\x89PNG\r\n\x1a\n", shot
        width, _height = struct.unpack(">II", header[16:24])
        assert width == WINDOW[0], (shot, width)
        tally.screenshots += 1


class TestSearch:
    def test_search_finds_masked_language_modelling(
        self, site: Site, driver: WebDriver, tally: Tally
    ) -> None:
        """Searching "masked language" lists results, one of them the BERT MLM lesson."""
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support.ui import WebDriverWait

        driver.get_log("browser")  # type: ignore[attr-defined]  # Chrome's log API
        _load(driver, site.url("search.html?q=masked+language"))
        summary = WebDriverWait(driver, TIMEOUT_S).until(
            lambda d: d.execute_script(
                "const s = document.querySelector('#search-results p.search-summary');"
                "return s && s.innerText.trim();"
            )
        )
        results = driver.find_elements(By.CSS_SELECTOR, "#search-results li a")
        hrefs = [link.get_attribute("href") or "" for link in results]
        assert hrefs, summary
        paths = {urllib.parse.urlsplit(href).path for href in hrefs}
        assert "/bert/masked-language-modelling.html" in paths, hrefs
        driver.save_screenshot(str(SCREENSHOTS / "search__masked-language.png"))
        errors, known = _triage(driver.get_log("browser"))  # type: ignore[attr-defined]  # Chrome's log API
        tally.known_errors.update(known)
        assert not errors, [e.get("message") for e in errors]
        tally.searches += 1
