"""Sphinx configuration for the nlpguide site (an executable book built with myst-nb)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from docutils import nodes

import nlpguide
from nlpguide.models import cache_dir

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "_ext"))  # the site's own extensions

from core_wheel import build_core_wheel

project = "nlpguide"
author = "nlpguide developers"
copyright = "2026, nlpguide developers"
release = nlpguide.__version__

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.viewcode",
    "sphinx_design",
    "sphinx_copybutton",
    # {exercise} / {solution} blocks at the end of lesson pages; togglebutton turns
    # ":class: dropdown" solutions into closed blocks a reader opens on purpose.
    "sphinx_exercise",
    "sphinx_togglebutton",
    # Copies MathJax into _static and points mathjax_path at it: no CDN, so the maths
    # renders offline and readers load no third-party script.
    "sphinx-mathjax-offline",
    # A hidden last cell on every executed page records how it ran; a footer shows it.
    "provenance",
    # docs/_ext/tryit: cells tagged try-it run in the reader's browser (Pyodide).
    "tryit",
    # docs/_ext/streams.py: printed output joined exactly, however the kernel chunked it.
    "streams",
    # docs/_ext/livemodels: {live-model} widgets run the real models in the reader's browser.
    "livemodels",
]

exclude_patterns = ["_build", "_ext", "vendor", "**.ipynb_checkpoints", "Thumbs.db", ".DS_Store"]
source_suffix = {".md": "myst-nb", ".rst": "restructuredtext"}
root_doc = "index"

# -- execution: every number on a page is computed when the site is built -------------
# "cache" for contributors (unchanged pages are not re-run); CI sets
# NLPGUIDE_DOCS_EXECUTION=force so every page runs from scratch.
nb_execution_mode = os.environ.get("NLPGUIDE_DOCS_EXECUTION", "cache")
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_execution_timeout = 600  # seconds per cell: the longest cell fine-tunes a model
nb_execution_cache_path = str(Path(__file__).parent / "_build" / ".jupyter_cache")
nb_merge_streams = True
# Markdown outputs (tables built by the pages) need GFM or MyST: CommonMark has no tables.
nb_render_markdown_format = "myst"
nb_kernel_rgx_aliases = {".*": "python3"}
myst_enable_extensions = ["colon_fence", "dollarmath", "deflist", "substitution"]
myst_heading_anchors = 3

# -- try it yourself: numpy-only cells run in the reader's browser ---------------------
# Pyodide 0.27.7 (CPython 3.12 for WebAssembly) from the npm package, fetched and checked
# against docs/_ext/pyodide-0.27.7.sha256 by `nox -s docs` into a cache folder; its numpy
# wheel is committed (docs/vendor/pyodide/README.md says where it comes from); nlpguide's
# numpy-only core is built from this checkout at every build, without model artefacts.
PYODIDE_VERSION = "0.27.7"
_cache_home = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
tryit_pyodide_dir = os.environ.get(
    "NLPGUIDE_PYODIDE_DIR", str(_cache_home / "nlpguide-pyodide" / PYODIDE_VERSION)
)
tryit_pyodide_sha256 = str(HERE / "_ext" / f"pyodide-{PYODIDE_VERSION}.sha256")
tryit_packages = [str(HERE / "vendor/pyodide/numpy-2.0.2-cp312-cp312-pyodide_2024_0_wasm32.whl")]
tryit_wheels = [str(build_core_wheel("nlpguide", HERE / "_build" / "tryit-wheels"))]
tryit_help_page = "live-cells"  # linked once, before the first live cell of a page

# -- live models: the site's models on the reader's own text, in the browser -------------
# Runtimes from npm (transformers.js, onnxruntime-web, wllama), fetched and checked against
# docs/_ext/livemodels/npm.sha256 by `nox -s docs`; the models are exported at build time
# into nlpguide's cache (docs/_ext/livemodels/export.py), keyed on their inputs.
live_npm_dir = os.environ.get("NLPGUIDE_NPM_DIR", str(_cache_home / "nlpguide-npm"))
live_models_dir = str(cache_dir() / "live-models")

# -- API reference ---------------------------------------------------------------------
autosummary_generate = True
autodoc_typehints = "description"
autodoc_member_order = "bysource"
autodoc_default_options = {"members": True, "undoc-members": False, "show-inheritance": False}
nitpick_ignore_regex = [
    # Third-party types named in signatures: no intersphinx, since the build is offline.
    (r"py:.*", r"(numpy|np|torch|transformers|datasets|collections\.abc|typing)\..*"),
    (r"py:.*", r"(numpy|pathlib|os)\..*"),
    (r"py:.*", r"(NDArray|IntArray|BoolArray|ArrayLike|Generator|DatasetDict|Path|Any|Axes)"),
    # Type aliases (Literal unions) that autodoc names but does not document.
    (r"py:.*", r"(Architecture|TableFormat|RngLike|Strategy|Label)"),
]

# -- HTML ------------------------------------------------------------------------------
html_theme = "sphinx_book_theme"
html_title = "nlpguide: BERT, T5 and GPT, executed"
html_static_path = ["_static"]
html_favicon = "_static/favicon.svg"
# The theme reads the light/dark mode from here on a visitor's first page; left empty,
# it logs a console error and falls back to "auto".
html_context = {"default_mode": "auto"}
html_theme_options = {
    "show_toc_level": 2,
    "use_download_button": True,
    "use_fullscreen_button": False,
    "use_repository_button": False,
    "home_page_in_toc": True,
}


# -- notebooks as downloads ------------------------------------------------------------
# myst-nb writes every executed page as a notebook into _build/jupyter_execute. The
# book theme offers it for download only when launch buttons are configured, so copy
# it into _sources here (the theme then adds ".ipynb" to its download menu) and put a
# visible link under each lesson's title.
_NOTEBOOK_EXCLUDE = {root_doc}


def _is_lesson_notebook(app, docname):
    meta = app.env.metadata.get(docname, {})
    return "kernelspec" in meta and docname not in _NOTEBOOK_EXCLUDE


def _executed_notebook(app, docname):
    return Path(app.outdir).parent / "jupyter_execute" / f"{docname}.ipynb"


def _add_notebook_link(app, doctree, docname):
    if not _is_lesson_notebook(app, docname) or app.builder.format != "html":
        return
    href = "../" * docname.count("/") + f"_sources/{docname}.ipynb"
    link = nodes.reference("", "Download this page as a notebook (.ipynb)", refuri=href)
    up = "../" * docname.count("/")
    how = nodes.reference(
        "", "how to run it", refuri=f"{up}live-cells.html#running-a-downloaded-notebook"
    )
    run = nodes.Text(': pip install "nlpguide[models]" and the offline assets (')
    para = nodes.paragraph("", "", link, run, how, nodes.Text(")"), classes=["nb-download"])
    section = next(iter(doctree.findall(nodes.section)), None)
    if section is not None and section.children and isinstance(section[0], nodes.title):
        section.insert(1, para)


def _copy_notebook(app, pagename, _templatename, context, doctree):
    if doctree is None or not _is_lesson_notebook(app, pagename):
        return
    source = _executed_notebook(app, pagename)
    if not source.is_file():
        return
    notebook = json.loads(source.read_text(encoding="utf-8"))
    # Build-only metadata: jupytext's pairing with the .md source, myst-nb's line map.
    for key in ("jupytext", "source_map"):
        notebook.get("metadata", {}).pop(key, None)
    if app.config.nb_merge_streams:
        # myst-nb merges a cell's stream outputs into the first one in place but leaves
        # the later ones in the notebook it writes: drop them, or text shows up twice.
        for cell in notebook.get("cells", []):
            seen = set()
            kept = []
            for output in cell.get("outputs", []):
                if output.get("output_type") == "stream":
                    if output.get("name") in seen:
                        continue
                    seen.add(output.get("name"))
                kept.append(output)
            if "outputs" in cell:
                cell["outputs"] = kept
    target = Path(app.outdir) / "_sources" / f"{pagename}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    context["ipynb_source"] = f"{pagename}.ipynb"


def _number_exercises_per_page(_app, env):
    """Restart exercise numbers on each page: sphinx-exercise numbers them site-wide."""
    for by_type in env.toc_fignumbers.values():
        numbers = by_type.get("exercise", {})
        for n, key in enumerate(sorted(numbers, key=numbers.get), 1):
            numbers[key] = (n,)
    return []


def setup(app):
    # After Sphinx's own numbering (the toctree collector, priority 500).
    app.connect("env-get-updated", _number_exercises_per_page, priority=900)
    app.connect("doctree-resolved", _add_notebook_link)
    # Before the theme's header buttons (priority 501), which read ipynb_source.
    app.connect("html-page-context", _copy_notebook, priority=500)
    app.add_css_file("custom.css")
