"""Try it yourself: run a page's code cells in the reader's browser, with Pyodide.

A myst-nb code cell tagged ``try-it`` gets a **Run** and a **Reset** button; its code
becomes editable in place and its output (stdout, the value of the last expression, a
traceback on error) replaces the build's output, in the page's own style. Python
(Pyodide) starts on the first click, not on page load, and everything it needs is
served by the site itself: no CDN, no third-party request.

Cells share one namespace per page, as in a notebook: Run on a cell first runs, in
page order, every earlier ``try-it`` cell that has not run since the page was loaded.
So a live cell may use what an earlier *live* cell defined, never what a static cell
defined.

Configuration (``conf.py``)::

    extensions = [..., "tryit"]
    tryit_pyodide_dir = "/path/to/pyodide"  # the npm package pyodide's files
    tryit_pyodide_sha256 = "pyodide-0.27.7.sha256"  # sha256sum lines: checked on copy
    tryit_packages = ["vendor/numpy-...-pyodide_2024_0_wasm32.whl"]  # listed in the lock file
    tryit_wheels = ["dist/mypkg-1.0-py3-none-any.whl"]  # pure-Python, loaded by URL
    tryit_help_page = "live-cells"  # the page that explains live cells, linked once a page

The Pyodide runtime and ``tryit_packages`` go to ``_static/pyodide/`` (the
``indexURL``); a package wheel must be the very file of Pyodide's lock file (same
name and sha256), so runtime, lock file and wheel tag match. Pure-Python wheels go to
``_static/tryit/`` and are loaded by URL; Pyodide does not resolve their dependencies,
so name those in ``tryit_packages``. A build that has ``try-it`` cells but no runtime
fails, naming what is missing. ``file://`` pages cannot load Python (the browser
blocks it): serve the site over HTTP, e.g. ``python -m http.server -d _build/html``.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.util import logging

__all__ = ["file_sha256", "read_sha256_table", "setup", "track_pages"]

HERE = Path(__file__).resolve().parent
TAG_CLASS = "tag_try-it"  # myst-nb puts each cell tag on the cell as a class tag_<tag>
# The runtime the browser loads from indexURL, plus the files that carry its licence.
RUNTIME_FILES = (
    "pyodide.js",
    "pyodide.asm.js",
    "pyodide.asm.wasm",
    "python_stdlib.zip",
    "pyodide-lock.json",
    "package.json",
    "README.md",
)
OWN_FILES = ("tryit.js", "tryit.css", "runner.py")

logger = logging.getLogger(__name__)


def file_sha256(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def read_sha256_table(path: Path) -> dict[str, str]:
    """``{file name: sha256}`` from sha256sum's output format (``#`` lines are comments)."""
    table = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            digest, name = line.split(maxsplit=1)
            table[name.lstrip("*")] = digest
    return table


def _has_live_cells(doctree: nodes.document) -> bool:
    return any(TAG_CLASS in node.get("classes", ()) for node in doctree.findall(nodes.container))


def _help_line(docname: str, target: str) -> nodes.paragraph:
    """One line before a page's first live cell, linking to the page on live cells."""
    link = addnodes.pending_xref(
        "",
        nodes.inline("", "how live cells work"),
        refdomain="std",
        reftype="doc",
        reftarget=f"/{target}",
        refdoc=docname,
        refexplicit=True,
        refwarn=True,
    )
    text = "\u25b6 The cells below with a Run button are live: edit them and run them in your browser ("
    return nodes.paragraph("", "", nodes.Text(text), link, nodes.Text(")."), classes=["tryit-note"])


def _note_page(app: Sphinx, doctree: nodes.document) -> None:
    live = [n for n in doctree.findall(nodes.container) if TAG_CLASS in n.get("classes", ())]
    if not live:
        return
    docname = app.env.docname
    app.env.tryit_pages.add(docname)  # type: ignore[attr-defined]
    target = app.config.tryit_help_page
    # Only where the site has that page (a tiny test site may not).
    if target and docname != target and target in app.env.found_docs:
        first = live[0]
        first.parent.insert(first.parent.index(first), _help_line(docname, target))


def track_pages(app: Sphinx, name: str) -> None:
    """Keep ``env.<name>``, a set of docnames, right across rereads and parallel reads."""

    def init(_app: Sphinx, env: Any, docnames: list[str]) -> None:
        pages = getattr(env, name, None)
        if pages is None:
            pages = set()
            setattr(env, name, pages)
        pages.difference_update(docnames)

    def merge(_app: Sphinx, env: Any, _docnames: set[str], other: Any) -> None:
        getattr(env, name).update(getattr(other, name, set()))

    def purge(_app: Sphinx, env: Any, docname: str) -> None:
        getattr(env, name, set()).discard(docname)

    app.connect("env-before-read-docs", init)
    app.connect("env-purge-doc", purge)
    app.connect("env-merge-info", merge)


def _wheels(app: Sphinx) -> list[Path]:
    return [Path(w) for w in app.config.tryit_wheels]


def _check_inputs(app: Sphinx, _env: Any) -> None:
    """Every file the browser will need exists and is the recorded one; else fail now."""
    if not app.env.tryit_pages:  # type: ignore[attr-defined]
        return
    config = app.config
    where = config.tryit_pyodide_dir
    if not where or not Path(where).is_dir():
        msg = (
            f"pages {sorted(app.env.tryit_pages)} have try-it cells, but the Pyodide "  # type: ignore[attr-defined]
            f"runtime folder tryit_pyodide_dir={where!r} does not exist: fetch it first "
            "(nox -s docs does)"
        )
        raise ExtensionError(msg)
    expected = read_sha256_table(Path(config.tryit_pyodide_sha256))
    for name in RUNTIME_FILES:
        path = Path(where) / name
        if name not in expected:
            msg = f"{name} has no sha256 in {config.tryit_pyodide_sha256}"
            raise ExtensionError(msg)
        if not path.is_file() or file_sha256(path) != expected[name]:
            msg = f"{path} is missing or is not the file recorded in {config.tryit_pyodide_sha256}"
            raise ExtensionError(msg)
    lock = json.loads((Path(where) / "pyodide-lock.json").read_text(encoding="utf-8"))
    by_file = {p["file_name"]: p for p in lock["packages"].values()}
    for wheel in map(Path, config.tryit_packages):
        entry = by_file.get(wheel.name)
        if entry is None:
            msg = f"{wheel.name} is not a package of Pyodide's lock file"
            raise ExtensionError(msg)
        if not wheel.is_file() or file_sha256(wheel) != entry["sha256"]:
            msg = f"{wheel} is missing or differs from the lock file's {entry['sha256']}"
            raise ExtensionError(msg)
    for wheel in _wheels(app):
        if not wheel.is_file() or not wheel.name.endswith("-none-any.whl"):
            msg = f"{wheel} is not a pure-Python wheel that exists"
            raise ExtensionError(msg)


def _add_assets(
    app: Sphinx, pagename: str, _template: str, _context: dict[str, Any], _doctree: Any
) -> None:
    if pagename not in app.env.tryit_pages:  # type: ignore[attr-defined]
        return
    lock = Path(app.config.tryit_pyodide_dir) / "pyodide-lock.json"
    by_file = {
        p["file_name"]: p["name"]
        for p in json.loads(lock.read_text(encoding="utf-8"))["packages"].values()
    }
    # Packages of the lock file are loaded by name (Pyodide checks their sha256); the
    # pure-Python wheels by URL, relative to _static/.
    packages = [by_file[Path(p).name] for p in app.config.tryit_packages]
    packages += [f"tryit/{w.name}" for w in _wheels(app)]
    app.add_css_file("tryit/tryit.css")
    app.add_js_file(
        "tryit/tryit.js",
        loading_method="defer",
        **{"data-pyodide": "pyodide/", "data-packages": json.dumps(packages)},
    )


def _copy_assets(app: Sphinx, exception: BaseException | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    if not app.env.tryit_pages:  # type: ignore[attr-defined]
        return
    static = Path(app.outdir) / "_static"
    pyodide, own = static / "pyodide", static / "tryit"
    pyodide.mkdir(parents=True, exist_ok=True)
    own.mkdir(parents=True, exist_ok=True)
    sources = [Path(app.config.tryit_pyodide_dir) / name for name in RUNTIME_FILES]
    for source in [*sources, *map(Path, app.config.tryit_packages)]:
        shutil.copyfile(source, pyodide / source.name)
    for source in [*(HERE / name for name in OWN_FILES), *_wheels(app)]:
        shutil.copyfile(source, own / source.name)
    logger.info("tryit: Pyodide and %d wheel(s) copied into %s", len(_wheels(app)), static)


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value("tryit_pyodide_dir", None, "html", types=[str, type(None)])
    app.add_config_value("tryit_pyodide_sha256", "", "html", types=[str])
    app.add_config_value("tryit_packages", [], "html", types=[list])
    app.add_config_value("tryit_wheels", [], "html", types=[list])
    app.add_config_value("tryit_help_page", "", "html", types=[str])
    track_pages(app, "tryit_pages")
    app.connect("doctree-read", _note_page)
    app.connect("env-updated", _check_inputs)
    app.connect("html-page-context", _add_assets)
    app.connect("build-finished", _copy_assets)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
