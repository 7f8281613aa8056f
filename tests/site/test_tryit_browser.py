"""The try-it cells in a real browser: headless Debian chromium, offline, on the built site.

Every live cell (a code cell tagged ``try-it``) of the five pages that have them is run
unmodified, and its output must equal the output the build executed for it, exactly.
Then its code is edited (``tryit_edits.CHANGES``: a new sentence, a new rate, another
task) and run: the output must differ and equal what CPython prints for the same edited
code run by the same runner (``docs/_ext/tryit/runner.py``). Then code that raises
(``tryit_edits.RAISES``) must show its traceback in the cell, with no console error.

The browser reaches nothing but the site: ``nox -s browser`` runs the tests in a network
namespace of their own (``unshare --net``: loopback only) where the kernel allows it, and
chromium has no DNS and an unreachable proxy for every host but 127.0.0.1 in any case (as
``tests/site/test_site_browser.py``). Every request it made (its performance log, which lists
refused ones too) and every request the server received must be on the site's origin. Times are measured in the page
(``window.tryit``) and printed: first click to Pyodide ready (target 5 s) and a second
Run (target 200 ms). Screenshots of a cell before and after Run go to
``docs/_build/screenshots``.

Run ``nox -s docs`` first, then ``nox -s browser`` (marker ``browser``).
"""

from __future__ import annotations

import dataclasses
import functools
import json
import socket
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from browser_support import LOCAL_SCHEMES, Server, chromium, logged_server, requests_made
from site_pages import load_file

if TYPE_CHECKING:
    from selenium.webdriver.remote.webdriver import WebDriver

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
SITE = DOCS / "_build" / "html"
EXECUTED = DOCS / "_build" / "jupyter_execute"
CACHE = DOCS / "_build" / ".jupyter_cache"  # docs/conf.py's nb_execution_cache_path
SCREENSHOTS = DOCS / "_build" / "screenshots"
RUNNER = DOCS / "_ext" / "tryit" / "runner.py"
TIMEOUT_S = 120
BOOT_TARGET_S = 5.0
RERUN_TARGET_MS = 200.0
# Far above the targets: these fail only when something is broken, not when the machine
# is busy; the measured times are printed against the targets.
BOOT_LIMIT_S = 30.0
RERUN_LIMIT_MS = 2000.0
NOT_BUILT = f"The site is not built ({SITE / 'index.html'} is missing): run `nox -s docs` first."


tryit_edits = load_file("tryit_edits", Path(__file__).with_name("tryit_edits.py"))
_RUNNER = load_file("tryit_runner_rules", RUNNER)  # the live output's rules, for the build's too
PAGES = list(tryit_edits.CHANGES)


# -- what the build executed ------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class BuiltCell:
    """A live cell as the build ran it: its code and what it printed and returned."""

    code: str
    stdout: str
    stderr: str
    result: dict[str, str] | None


def _text(value: str | list[str]) -> str:
    return value if isinstance(value, str) else "".join(value)


def _code_cells(notebook: dict[str, Any]) -> list[tuple[str, list[str]]]:
    """Each code cell's source and tags: what the execution cache's key depends on."""
    return [
        (_text(c["source"]), c["metadata"].get("tags", []))
        for c in notebook["cells"]
        if c["cell_type"] == "code"
    ]


def executed_notebook(page: str) -> dict[str, Any]:
    """The page as the build executed it, with its outputs.

    A forced build (CI's) leaves them in jupyter_execute/. A build in cache mode writes
    the notebook there without outputs (myst-nb merges them into a copy), so they are
    read from the execution cache: the executed notebook whose code is the page's.
    """
    notebook = json.loads((EXECUTED / f"{page}.ipynb").read_text(encoding="utf-8"))
    if any(c.get("outputs") for c in notebook["cells"]):
        return notebook
    code = _code_cells(notebook)
    for cached in sorted(CACHE.glob("executed/*/base.ipynb")):
        candidate = json.loads(cached.read_text(encoding="utf-8"))
        if _code_cells(candidate) == code:
            return candidate
    pytest.fail(f"no executed outputs for {page}: build the site first (nox -s docs)")


@functools.cache
def built_cells(page: str) -> list[BuiltCell]:
    """The try-it cells of the page's executed notebook, in page order."""
    notebook = executed_notebook(page)
    cells = []
    for cell in notebook["cells"]:
        if cell["cell_type"] != "code" or "try-it" not in cell["metadata"].get("tags", []):
            continue
        streams = {"stdout": "", "stderr": ""}
        result = None
        for output in cell["outputs"]:
            if output["output_type"] == "stream":
                streams[output["name"]] += _text(output["text"])
            elif output["output_type"] == "execute_result":
                data = output["data"]
                if "text/markdown" in data:
                    result = {"markdown": _text(data["text/markdown"])}
                else:
                    result = {"plain": _text(data["text/plain"])}
        # The notebook holds the chunks as the kernel sent them: joined, and ended as the
        # page ends them (the runner applies the same rule).
        merged = {name: _RUNNER.merged_stream(text) for name, text in streams.items()}
        cells.append(BuiltCell(_text(cell["source"]), merged["stdout"], merged["stderr"], result))
    return cells


# -- the loopback server, with its request log --------------------------------------------


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    """The built site served by http.server on 127.0.0.1, logging every request."""
    if not (SITE / "index.html").is_file():
        pytest.fail(NOT_BUILT, pytrace=False)
    with logged_server(SITE) as served:
        yield served


@pytest.fixture(scope="module")
def driver() -> Iterator[WebDriver]:
    """Headless Debian chromium via the Debian chromedriver, with no way off loopback."""
    with chromium(timeout_s=TIMEOUT_S, log_requests=True) as browser:
        yield browser


# -- one visit per page: every live cell run, edited, broken, reset ------------------------

_WAIT_FOR_RUN = """
const [index, before, done] = arguments;
const poll = () => {
  const runs = window.tryit.runs.filter((r) => r.cell === index);
  const status = window.tryit.cells[index].status;
  if (runs.length > before && !window.tryit.cells[index].runButton.disabled) done(runs.at(-1));
  else if (status.dataset.kind === "error" && /could not start|Not run/.test(status.textContent))
    done({failed: status.textContent});
  else setTimeout(poll, 20);
};
poll();
"""


@dataclasses.dataclass
class PageVisit:
    """What the browser showed for one page's live cells."""

    page: str
    live_cells: int  # cells the page's script made live
    pyodide_before_click: list[str]  # requests for Pyodide's files before the first Run
    boot_ms: float
    boot_steps: dict[str, float]  # ms from the click to: the loader, Python, the packages
    static_shown: list[str]  # the text of each cell's output as the build rendered it
    original: list[dict[str, Any]]
    rerun: dict[str, Any]
    changed: list[dict[str, Any]]
    raising: list[dict[str, Any]]
    reset_code: list[str]
    reset_static_shown: list[bool]
    console: list[dict[str, Any]]
    requests_made: list[str]  # every URL chromium asked for on this page


def _click_and_wait(driver: WebDriver, index: int) -> dict[str, Any]:
    before = driver.execute_script(
        "return window.tryit.runs.filter((r) => r.cell === arguments[0]).length", index
    )
    driver.execute_script("window.tryit.cells[arguments[0]].runButton.click()", index)
    run = driver.execute_async_script(_WAIT_FOR_RUN, index, before)
    assert "failed" not in run, run["failed"]
    run["shown"] = driver.execute_script(
        "return window.tryit.cells[arguments[0]].output.innerText", index
    )
    return run


def _set_code(driver: WebDriver, index: int, code: str) -> None:
    driver.execute_script(
        "window.tryit.cells[arguments[0]].code.textContent = arguments[1]", index, code
    )


def _visit(driver: WebDriver, server: Server, page: str) -> PageVisit:
    cells = built_cells(page)
    driver.get_log("browser")
    driver.get_log("performance")
    # Every visit boots from the network, as a reader's first visit does.
    driver.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": True})
    first_request = len(server.requests)
    driver.get(server.url(f"{page}.html"))
    live = driver.execute_script("return window.tryit ? window.tryit.cells.length : 0")
    assert live == len(cells), f"{live} live cells on the page, {len(cells)} tagged in the notebook"
    pyodide_before = [r for r in server.requests[first_request:] if "/_static/pyodide/" in r]
    shot = page.replace("/", "__")
    root = "return window.tryit.cells[0].root"
    driver.execute_script(root + ".scrollIntoView()")
    driver.execute_script(root).screenshot(str(SCREENSHOTS / f"tryit__{shot}__before.png"))
    static_shown = driver.execute_script(
        "return window.tryit.cells.map((c) => c.staticOutput ? c.staticOutput.innerText : '')"
    )
    original = [_click_and_wait(driver, k) for k in range(live)]
    driver.execute_script(root).screenshot(str(SCREENSHOTS / f"tryit__{shot}__after.png"))
    boot_ms = driver.execute_script("return window.tryit.bootMs")
    boot_steps = driver.execute_script("return window.tryit.bootSteps")
    rerun = _click_and_wait(driver, 0)  # Python is ready: this is a plain second Run
    changed, raising, reset_code, reset_static = [], [], [], []
    for k, cell in enumerate(cells):
        _set_code(driver, k, tryit_edits.apply(cell.code, tryit_edits.CHANGES[page][k]))
        changed.append(_click_and_wait(driver, k))
        if k == 0:
            driver.execute_script(root).screenshot(str(SCREENSHOTS / f"tryit__{shot}__edited.png"))
        _set_code(driver, k, tryit_edits.apply(cell.code, tryit_edits.RAISES[page][k]))
        raising.append(_click_and_wait(driver, k))
        driver.execute_script(
            "window.tryit.cells[arguments[0]].root.querySelector('.tryit-reset').click()", k
        )
        reset_code.append(
            driver.execute_script("return window.tryit.cells[arguments[0]].code.textContent", k)
        )
        reset_static.append(
            driver.execute_script(
                "const c = window.tryit.cells[arguments[0]];"
                "return c.output.hidden && (!c.staticOutput || !c.staticOutput.hidden);",
                k,
            )
        )
    return PageVisit(
        page=page,
        live_cells=live,
        pyodide_before_click=pyodide_before,
        boot_ms=boot_ms,
        boot_steps=boot_steps,
        static_shown=static_shown,
        original=original,
        rerun=rerun,
        changed=changed,
        raising=raising,
        reset_code=reset_code,
        reset_static_shown=reset_static,
        console=driver.get_log("browser"),
        requests_made=requests_made(driver),
    )


@dataclasses.dataclass
class Figures:
    """Measured in the browser; printed at the end of the run."""

    boot_ms: dict[str, float] = dataclasses.field(default_factory=dict)
    boot_steps: dict[str, dict[str, float]] = dataclasses.field(default_factory=dict)
    rerun_ms: dict[str, float] = dataclasses.field(default_factory=dict)
    live_cells: int = 0
    requests: int = 0

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if not self.boot_ms:
            return
        terminalreporter.write_sep("-", "try-it cells in headless chromium")
        for page, boot in self.boot_ms.items():
            terminalreporter.write_line(
                f"{page}: first click -> Python ready {boot / 1000:.2f} s "
                f"(target <= {BOOT_TARGET_S:.0f} s), second Run {self.rerun_ms[page]:.0f} ms "
                f"(target <= {RERUN_TARGET_MS:.0f} ms); boot steps: "
                + ", ".join(f"{k} {v / 1000:.2f} s" for k, v in self.boot_steps[page].items())
            )
        sizes = sum(
            p.stat().st_size for d in ("pyodide", "tryit") for p in (SITE / "_static" / d).iterdir()
        )
        interfaces = sorted(name for _, name in socket.if_nameindex())
        terminalreporter.write_line(
            f"live cells: {self.live_cells}; requests served: {self.requests}, all on the "
            f"site's origin; bytes the try-it assets add to the site: {sizes:,}; "
            f"network interfaces: {', '.join(interfaces)}"
        )


@pytest.fixture(scope="module")
def figures(pytestconfig: pytest.Config) -> Figures:
    counts = Figures()
    pytestconfig.pluginmanager.register(counts, "tryit-figures")
    return counts


@pytest.fixture(scope="module")
def visit(driver: WebDriver, server: Server, figures: Figures) -> Any:
    """Each page visited once (cached): every live cell run, edited, broken and reset."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    @functools.cache
    def _cached(page: str) -> PageVisit:
        seen = _visit(driver, server, page)
        figures.boot_ms[page] = seen.boot_ms
        figures.boot_steps[page] = seen.boot_steps
        figures.rerun_ms[page] = seen.rerun["totalMs"]
        figures.live_cells += seen.live_cells
        figures.requests = len(server.requests)
        return seen

    return _cached


@functools.cache
def cpython(page: str) -> dict[str, list[dict[str, Any]]]:
    """The same sequence of runs as the browser's, by the same runner, in CPython."""
    runner = load_file("tryit_runner", RUNNER)
    runner.install_display_shim()
    namespace = runner.new_namespace()
    cells = built_cells(page)

    def run(k: int, code: str) -> dict[str, Any]:
        return json.loads(runner.run(code, namespace, f"<try-it cell {k + 1}>"))

    seen: dict[str, list[dict[str, Any]]] = {"original": [], "changed": [], "raising": []}
    seen["original"] = [run(k, cell.code) for k, cell in enumerate(cells)]
    seen["rerun"] = [run(0, cells[0].code)]
    for k, cell in enumerate(cells):
        seen["changed"].append(run(k, tryit_edits.apply(cell.code, tryit_edits.CHANGES[page][k])))
        seen["raising"].append(run(k, tryit_edits.apply(cell.code, tryit_edits.RAISES[page][k])))
    return seen


def _live(page: str) -> list[tuple[str, int]]:
    return [(page, k) for k in range(len(tryit_edits.CHANGES[page]))]


LIVE = [cell for page in PAGES for cell in _live(page)]
LIVE_IDS = [f"{page}#{k + 1}" for page, k in LIVE]
_REPORT = ("stdout", "stderr", "displays", "result", "error")


def _report(run: dict[str, Any]) -> dict[str, Any]:
    return {key: run["report"][key] for key in _REPORT}


# -- the tests ------------------------------------------------------------------------------


class TestTheSiteIsBuilt:
    def test_executed_notebooks_exist(self) -> None:
        """The build left an executed notebook for every page with live cells."""
        missing = [p for p in PAGES if not (EXECUTED / f"{p}.ipynb").is_file()]
        assert not missing, f"{NOT_BUILT} Missing: {missing}"

    def test_every_tagged_cell_has_edits(self) -> None:
        """tryit_edits has one change and one raising edit for each tagged cell of each page."""
        for page in PAGES:
            n = len(built_cells(page))
            assert n == len(tryit_edits.CHANGES[page]) == len(tryit_edits.RAISES[page]), page


@pytest.mark.parametrize(("page", "k"), LIVE, ids=LIVE_IDS)
class TestEveryLiveCell:
    def test_unmodified_output_is_the_builds(self, page: str, k: int, visit: Any) -> None:
        """Run on the unmodified code prints and returns exactly what the build executed."""
        built = built_cells(page)[k]
        report = _report(visit(page).original[k])
        assert report["error"] is None, report["error"]
        assert report["stdout"] == built.stdout
        assert report["stderr"] == built.stderr
        assert report["result"] == built.result
        assert report["stdout"] or report["result"], "the cell showed nothing"

    def test_live_output_reads_as_the_builds(self, page: str, k: int, visit: Any) -> None:
        """The live output, as rendered on the page, reads as the build's rendered output."""
        seen = visit(page)
        assert seen.original[k]["shown"].split() == seen.static_shown[k].split()

    def test_edited_output_differs_and_is_correct(self, page: str, k: int, visit: Any) -> None:
        """After an edit, Run shows a different output: the one CPython gives for that code."""
        seen = visit(page)
        changed = _report(seen.changed[k])
        assert changed["error"] is None, changed["error"]
        assert changed != _report(seen.original[k])
        assert changed == cpython(page)["changed"][k]

    def test_raising_code_shows_its_traceback(self, page: str, k: int, visit: Any) -> None:
        """Code that raises shows Python's traceback, from the cell's own line, in the cell."""
        run = visit(page).raising[k]
        error = run["report"]["error"]
        expected = cpython(page)["raising"][k]["error"]
        assert error.startswith("Traceback (most recent call last):\n"), error
        assert f'File "<try-it cell {k + 1}>"' in error
        assert error.splitlines()[-1] == expected.splitlines()[-1]
        assert error.splitlines()[-1] in run["shown"]  # in the box, not only in the report

    def test_reset_restores_code_and_output(self, page: str, k: int, visit: Any) -> None:
        """Reset puts back the original code and the build's output."""
        seen = visit(page)
        # A <pre> may end in a newline that the notebook's source does not have.
        assert seen.reset_code[k].removesuffix("\n") == built_cells(page)[k].code
        assert seen.reset_static_shown[k]


@pytest.mark.parametrize("page", PAGES)
class TestEveryPage:
    def test_python_loads_on_first_click(self, page: str, visit: Any) -> None:
        """Opening the page fetches none of Pyodide's files; the first Run does."""
        seen = visit(page)
        assert seen.pyodide_before_click == []
        assert any("/_static/pyodide/pyodide.asm.wasm" in url for url in seen.requests_made)

    def test_no_console_errors(self, page: str, visit: Any) -> None:
        """Booting Python and every run, raising ones included, log no console error."""
        errors = [e for e in visit(page).console if e.get("level") == "SEVERE"]
        assert not errors, "\n".join(str(e.get("message")) for e in errors)

    def test_no_request_leaves_the_site(self, page: str, visit: Any, server: Server) -> None:
        """Every request chromium made for the page went to the site's own origin."""
        made = visit(page).requests_made
        assert made, "no request recorded"
        # chromium's own pages (chrome://) and in-page data never touch the network.
        network = [u for u in made if urllib.parse.urlsplit(u).scheme not in LOCAL_SCHEMES]
        away = [url for url in network if not url.startswith(server.base + "/")]
        assert not away, away

    def test_times(self, page: str, visit: Any) -> None:
        """Python boots and a second Run completes well inside generous limits (targets printed)."""
        seen = visit(page)
        assert 0 < seen.boot_ms < BOOT_LIMIT_S * 1000
        assert 0 < seen.rerun["totalMs"] < RERUN_LIMIT_MS
        assert _report(seen.rerun) == cpython(page)["rerun"][0]


class TestTheServer:
    def test_every_request_was_for_a_file_of_the_site(self, server: Server, visit: Any) -> None:
        """The server's log: every request named a file of the built site and was answered 200."""
        for page in PAGES:
            visit(page)
        assert server.requests
        bad = [r for r in server.requests if not r.endswith(" 200") and not r.endswith(" 304")]
        assert not bad, bad
        for request in server.requests:
            path = urllib.parse.unquote(urllib.parse.urlsplit(request.split()[1]).path)
            assert (SITE / path.lstrip("/")).is_file() or path.endswith("/"), request

    def test_wasm_is_served_as_application_wasm(self, server: Server) -> None:
        """The test server, like `python -m http.server`, serves .wasm as application/wasm."""
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        url = server.url("_static/pyodide/pyodide.asm.wasm")
        with opener.open(urllib.request.Request(url, method="HEAD"), timeout=30) as response:
            assert response.headers["Content-Type"] == "application/wasm"
        import mimetypes

        assert mimetypes.guess_type("pyodide.asm.wasm")[0] == "application/wasm"


class TestEditing:
    def test_typed_edit_runs(self, driver: WebDriver, server: Server) -> None:
        """Code typed into a live cell with the keyboard is what Run executes."""
        from selenium.webdriver.common.keys import Keys

        driver.get(server.url("bert/masked-language-modelling.html"))
        code = driver.execute_script("return window.tryit.cells[1].code")
        code.click()
        code.send_keys(Keys.CONTROL, Keys.END)
        code.send_keys(Keys.ENTER, 'print("typed by a reader")')
        run = _click_and_wait(driver, 1)
        assert run["report"]["stdout"].endswith("typed by a reader\n"), run["report"]

    def test_file_url_says_how_to_serve(self, driver: WebDriver) -> None:
        """Opened as a file, Run says that file:// cannot load Python and how to serve the site."""
        driver.get((SITE / "index.html").as_uri())
        driver.execute_script("window.tryit.cells[0].runButton.click()")
        time.sleep(0.5)
        status = driver.execute_script("return window.tryit.cells[0].status.textContent")
        assert "python -m http.server -d docs/_build/html" in status, status


# The numpy-only modules whose doctests must pass in the browser as they do in CPython.
CORE_MODULES = (
    "nlpguide",
    "nlpguide._check",
    "nlpguide.choose",
    "nlpguide.mlm",
    "nlpguide.text2text",
)
_DOCTESTS = """
import doctest, importlib, json, sys
import numpy
results = {"python": sys.version.split()[0], "numpy": numpy.__version__, "modules": {}}
for name in MODULES:
    module = importlib.import_module(name)
    # ELLIPSIS: the flag pytest runs the suite's doctests with.
    failed, attempted = doctest.testmod(module, optionflags=doctest.ELLIPSIS, report=False)
    results["modules"][name] = [failed, attempted]
print(json.dumps(results))
"""


class TestTheCoreInPyodide:
    def test_core_doctests_pass(self, driver: WebDriver, server: Server) -> None:
        """The core's doctests pass under Pyodide: CPython 3.12.7, numpy 2.0.2, wasm32."""
        driver.get(server.url("index.html"))
        _set_code(driver, 0, f"MODULES = {CORE_MODULES!r}\n" + _DOCTESTS)
        run = _click_and_wait(driver, 0)
        assert run["report"]["error"] is None, run["report"]["error"]
        results = json.loads(run["report"]["stdout"].splitlines()[-1])
        assert (results["python"], results["numpy"]) == ("3.12.7", "2.0.2")
        for name, (failed, attempted) in results["modules"].items():
            assert attempted > 0, name
            assert failed == 0, f"{failed} of {attempted} doctests of {name} fail in Pyodide"
