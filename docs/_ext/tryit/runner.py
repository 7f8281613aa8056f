"""Run a cell's code as a notebook does and report what it showed, for tryit.js.

The browser loads this file into Pyodide; the tests import it into CPython, so the
output a reader sees is computed by the same code in both. :func:`run` executes the
code in the page's namespace (one per page, as in a notebook kernel), captures stdout
and stderr, evaluates a final expression statement and returns everything as JSON:

``{"stdout": str, "stderr": str, "displays": [...], "result": {...} | null,
"error": str | null}``, where each display and the result is
``{"markdown": str}`` (objects with ``_repr_markdown_``) or ``{"plain": repr(obj)}``.

When IPython is not importable (Pyodide has no IPython), a minimal ``IPython.display``
with ``Markdown`` and ``display`` is installed, so the page's own
``from IPython.display import Markdown`` runs unchanged.
"""

from __future__ import annotations

import ast
import contextlib
import importlib.util
import io
import json
import linecache
import sys
import traceback
import types
from typing import Any

__all__ = ["install_display_shim", "new_namespace", "run"]

_displays: list[dict[str, str]] = []


def _shown(obj: object) -> dict[str, str]:
    markdown = getattr(obj, "_repr_markdown_", None)
    if callable(markdown):
        text = markdown()
        if isinstance(text, str):
            return {"markdown": text}
    return {"plain": repr(obj)}


class Markdown:
    """Markdown text, shown rendered (the part of ``IPython.display.Markdown`` pages use)."""

    def __init__(self, data: str) -> None:
        self.data = data

    def _repr_markdown_(self) -> str:
        return self.data


def display(*objs: object) -> None:
    """Show objects in the cell's output, as IPython's ``display`` does."""
    _displays.extend(_shown(obj) for obj in objs)


def install_display_shim() -> bool:
    """Provide ``IPython.display`` (Markdown, display) where IPython is absent; True if done."""
    # Already imported (or this shim already installed): leave it be.
    if "IPython" not in sys.modules and importlib.util.find_spec("IPython") is None:
        package = types.ModuleType("IPython")
        module = types.ModuleType("IPython.display")
        module.Markdown = Markdown  # type: ignore[attr-defined]
        module.display = display  # type: ignore[attr-defined]
        package.display = module  # type: ignore[attr-defined]
        package.__path__ = []  # a package, so `import IPython.display` works
        sys.modules["IPython"] = package
        sys.modules["IPython.display"] = module
        return True
    return False


def new_namespace() -> dict[str, Any]:
    """A fresh namespace for one page's cells."""
    return {"__name__": "__main__", "__builtins__": __builtins__}


def _traceback(error: BaseException, filename: str) -> str:
    """The traceback from the cell's own frame on (the runner's frames are not the reader's)."""
    tb = error.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename != filename:
        tb = tb.tb_next
    if tb is None:  # raised before the cell ran: a SyntaxError from compiling it
        return "".join(traceback.format_exception_only(type(error), error))
    return "".join(traceback.format_exception(type(error), error, tb))


def merged_stream(text: str) -> str:
    """A stream as the site shows it: myst-nb's ``nb_merge_streams`` ends it in one newline.

    The build renders each cell's stdout (and stderr) through myst-nb's
    ``coalesce_streams``, which strips trailing whitespace and adds one ``\\n``; the
    live output follows the same rule, so Run on unmodified code shows what the page
    showed.
    """
    return text.rstrip() + "\n" if text else ""


def run(code: str, namespace: dict[str, Any], filename: str = "<cell>") -> str:
    """Execute ``code`` in ``namespace``; return what it printed, showed, returned or raised."""
    # Registered so that tracebacks quote the reader's lines.
    linecache.cache[filename] = (len(code), None, code.splitlines(keepends=True), filename)
    stdout, stderr = io.StringIO(), io.StringIO()
    result: dict[str, str] | None = None
    error: str | None = None
    _displays.clear()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        try:
            tree = ast.parse(code, filename, "exec")
            last = None
            if tree.body and isinstance(tree.body[-1], ast.Expr):
                last = ast.Expression(tree.body.pop().value)
            # Running the reader's code is this module's purpose.
            exec(compile(tree, filename, "exec"), namespace)  # noqa: S102
            if last is not None:
                value = eval(compile(last, filename, "eval"), namespace)
                if value is not None:
                    result = _shown(value)
        except BaseException as err:  # noqa: BLE001 - the reader's code may raise anything
            error = _traceback(err, filename)
    report = {
        "stdout": merged_stream(stdout.getvalue()),
        "stderr": merged_stream(stderr.getvalue()),
        "displays": list(_displays),
        "result": result,
        "error": error,
    }
    _displays.clear()
    return json.dumps(report)
