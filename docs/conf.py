"""Sphinx configuration for the nlpguide site (an executable book built with myst-nb)."""

from __future__ import annotations

import os
from pathlib import Path

import nlpguide

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
]

exclude_patterns = ["_build", "**.ipynb_checkpoints", "Thumbs.db", ".DS_Store"]
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
nb_kernel_rgx_aliases = {".*": "python3"}
myst_enable_extensions = ["colon_fence", "dollarmath", "deflist", "substitution"]
myst_heading_anchors = 3

# -- API reference ---------------------------------------------------------------------
autosummary_generate = True
autodoc_typehints = "description"
autodoc_member_order = "bysource"
autodoc_default_options = {"members": True, "undoc-members": False, "show-inheritance": False}
nitpick_ignore_regex = [
    # Third-party types named in signatures: no intersphinx, since the build is offline.
    (r"py:.*", r"(numpy|np|torch|transformers|datasets|collections\.abc|typing)\..*"),
    (r"py:.*", r"(numpy|pathlib|os)\..*"),
    (r"py:.*", r"(NDArray|IntArray|BoolArray|ArrayLike|Generator|DatasetDict|Path|Any)"),
    # Type aliases (Literal unions) that autodoc names but does not document.
    (r"py:.*", r"(Architecture|TableFormat|RngLike|Strategy|Label)"),
]

# -- HTML ------------------------------------------------------------------------------
html_theme = "sphinx_book_theme"
html_title = "nlpguide: BERT, T5 and GPT, executed"
html_static_path = ["_static"]
html_theme_options = {
    "show_toc_level": 2,
    "use_download_button": True,
    "use_fullscreen_button": False,
    "use_repository_button": False,
    "home_page_in_toc": True,
}
