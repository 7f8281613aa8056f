"""How each page was made, computed at build time: a footer per page and a table of all.

Every executed page (a MyST notebook) gets one more cell, appended to its source
when Sphinx reads it, that calls
:func:`nlpguide.provenance.show`: the page's own kernel reports when it ran, on
what device, with which versions of Python, torch, transformers, peft and
nlpguide, and which offline models it loaded with their sha256. The record is an
output of the notebook, so jupyter-cache keeps it with the page's other outputs
and a page taken from the execution cache still shows the run it came from.

After the page is read, the cell is taken out of the page, and its record,
joined with myst-nb's execution record (run time, execution mode), becomes a
footer. ``{provenance-table}`` puts the records of every page in
one table (the "Build info" page).
"""

from __future__ import annotations

import json
import time
from datetime import datetime
from typing import Any

from docutils import nodes
from myst_nb.core.read import is_myst_markdown_notebook
from sphinx.addnodes import pending_xref
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from nlpguide.provenance import CELL_TAG, TIME_FIELDS

logger = logging.getLogger(__name__)

CELL = f"""

```{{code-cell}} python
:tags: [remove-input, {CELL_TAG}]

import nlpguide.provenance

nlpguide.provenance.show()
```
"""
_VERSIONS = ("python", "torch", "transformers", "peft", "nlpguide")
_started = time.time()


def _records(env: Any) -> dict[str, dict[str, Any]]:
    if not hasattr(env, "nlpguide_provenance"):
        env.nlpguide_provenance = {}
    return env.nlpguide_provenance


def _tables(env: Any) -> set[str]:
    if not hasattr(env, "nlpguide_provenance_tables"):
        env.nlpguide_provenance_tables = set()
    return env.nlpguide_provenance_tables


def append_cell(app: Any, docname: str, source: list[str]) -> None:
    """Append the provenance cell to a notebook page's source (``source-read``)."""
    if is_myst_markdown_notebook(source[0]):
        source[0] = source[0].rstrip("\n") + "\n" + CELL
        _records(app.env)[docname] = {"record": None, "exec": None}


def take_record(doctree: nodes.document) -> dict[str, Any] | None:
    """Remove the provenance cell from the page; return the record it output, if any.

    The record is read from the rendered cell, not from the notebook myst-nb writes
    to ``jupyter_execute``: on an execution-cache hit myst-nb 1.4 writes that file
    without outputs, while the page itself is rendered from the cached outputs.
    """
    record = None
    for cell in list(doctree.findall(nodes.container)):
        if cell.get("nb_element") != "cell_code":
            continue
        if CELL_TAG not in cell.get("cell_metadata", {}).get("tags", []):
            continue
        for block in cell.findall(nodes.literal_block):
            try:
                found = json.loads(block.astext())
            except json.JSONDecodeError:
                continue
            if isinstance(found, dict) and set(TIME_FIELDS) <= set(found):
                record = found
        cell.parent.remove(cell)
    return record


def collect(app: Any, doctree: nodes.document) -> None:
    """Read the page's record and myst-nb's execution data; add the footer (``doctree-read``)."""
    env = app.env
    entry = _records(env).get(env.docname)
    if entry is None:
        return
    exec_data = getattr(env, "nb_metadata", {}).get(env.docname, {}).get("exec_data") or {}
    entry["record"] = take_record(doctree)
    entry["exec"] = {
        "runtime": exec_data.get("runtime"),
        "method": exec_data.get("method"),
        # myst-nb stamps a page taken from jupyter-cache with the cached run's time.
        "reused": exec_data.get("method") == "cache"
        and exec_data.get("mtime", _started) < _started,
    }
    doctree += footer(entry, link=app.config.provenance_page in env.found_docs, app=app)


def purge(_app: Any, env: Any, docname: str) -> None:
    """Forget a page's record before it is read again (``env-purge-doc``)."""
    _records(env).pop(docname, None)
    _tables(env).discard(docname)


def merge(_app: Any, env: Any, docnames: set[str], other: Any) -> None:
    """Take the records of pages read in a parallel process (``env-merge-info``)."""
    theirs = _records(other)
    _records(env).update({d: theirs[d] for d in docnames if d in theirs})
    _tables(env).update(_tables(other) & docnames)


def tables_to_rewrite(_app: Any, env: Any) -> list[str]:
    """Rebuild the pages holding the table every time: any page may have changed."""
    return sorted(_tables(env))


# -- formatting ----------------------------------------------------------------------


def when(entry: dict[str, Any]) -> str:
    """When the page ran, in UTC, to the minute."""
    record = entry.get("record") or {}
    stamp = record.get("executed_at")
    if not stamp:
        return "not executed in this build"
    return datetime.fromisoformat(stamp).strftime("%Y-%m-%d %H:%M UTC")


def run_time(entry: dict[str, Any]) -> str:
    """How long the page's cells ran (myst-nb's execution record)."""
    seconds = (entry.get("exec") or {}).get("runtime")
    return "not recorded" if seconds is None else f"{seconds:.1f} s"


def versions(entry: dict[str, Any]) -> str:
    """Device and library versions in one line."""
    env = (entry.get("record") or {}).get("environment", {})
    if not env:
        return ""
    names = {"python": "Python"}
    parts = [f"{names.get(k, k)} {env[k]}" for k in _VERSIONS if k in env]
    return f"{env.get('device', 'unknown device')}: " + ", ".join(parts)


def _hash_nodes(model: dict[str, Any]) -> list[nodes.Node]:
    """A model's name and its sources' hashes, shortened (the full hash on hover)."""
    out: list[nodes.Node] = [nodes.Text(model["model"])]
    hashes = model.get("sha256", {})
    if not hashes:
        return [*out, nodes.Text(" (named by the page, no offline hash)")]
    out.append(nodes.Text(" (sha256 "))
    for i, (role, digest) in enumerate(hashes.items()):
        if i:
            out.append(nodes.Text(", "))
        out += [
            nodes.Text(f"{role} "),
            nodes.abbreviation(digest[:12], digest[:12], explanation=digest),
        ]
    out.append(nodes.Text(")"))
    return out


def models_paragraphs(entry: dict[str, Any]) -> list[nodes.paragraph]:
    """One paragraph per model the page loaded, or one saying it loaded none."""
    if not entry.get("record"):
        return []
    models = entry["record"].get("models", [])
    if not models:
        return [nodes.paragraph("", "none")]
    return [nodes.paragraph("", "", *_hash_nodes(model)) for model in models]


def _doc_link(target: str, fromdoc: str, label: str) -> pending_xref:
    ref = pending_xref(
        refdoc=fromdoc,
        reftarget="/" + target,
        reftype="doc",
        refdomain="std",
        refexplicit=True,
        refwarn=True,
    )
    ref += nodes.inline(label, label)
    return ref


def footer(entry: dict[str, Any], *, link: bool, app: Any) -> nodes.container:
    """The visible note at the end of a page."""
    box = nodes.container(classes=["nlpguide-provenance"])
    box += nodes.rubric("", "How this page was made")
    ran = nodes.paragraph()
    if entry.get("record"):
        ran += nodes.Text(f"Executed {when(entry)} in {run_time(entry)}")
        if entry["exec"]["reused"]:
            ran += nodes.Text(", a run this build took from the execution cache")
        ran += nodes.Text(f", on {versions(entry)}.")
    else:
        ran += nodes.Text("This page was not executed in this build.")
    box += ran
    models = models_paragraphs(entry)
    if models:
        line = nodes.paragraph("", "Models loaded: ")
        for i, para in enumerate(models):
            line += nodes.Text("; " if i else "")
            line.extend(para.children)
        line += nodes.Text(".")
        box += line
    if link:
        note = nodes.paragraph()
        note += nodes.Text("Every page's record: ")
        note += _doc_link(app.config.provenance_page, app.env.docname, "Build info")
        note += nodes.Text(".")
        box += note
    return box


# -- the table -----------------------------------------------------------------------


class ProvenanceTableNode(nodes.General, nodes.Element):
    """Placeholder for the table, filled once every page has been read."""


class ProvenanceTable(SphinxDirective):
    """``{provenance-table}``: one row per executed page."""

    def run(self) -> list[nodes.Node]:
        _tables(self.env).add(self.env.docname)
        return [ProvenanceTableNode()]


def _page_order(env: Any) -> list[str]:
    """Pages in the order of the table of contents, then any others by name."""
    seen: list[str] = []

    def visit(doc: str) -> None:
        if doc in seen:
            return
        seen.append(doc)
        for child in env.toctree_includes.get(doc, []):
            visit(child)

    visit(env.config.root_doc)
    return [d for d in seen if d in _records(env)] + sorted(set(_records(env)) - set(seen))


def _cell_nodes(cell: Any) -> list[nodes.Node]:
    if isinstance(cell, str):
        return [nodes.paragraph("", cell)]
    if isinstance(cell, nodes.Node):
        return [cell]
    return list(cell)


def _table(headers: list[str], rows: list[list[Any]], classes: list[str]) -> nodes.table:
    """A table; each cell is a string, a node, or a list of paragraphs."""
    table = nodes.table(classes=["colwidths-auto", *classes])
    group = nodes.tgroup(cols=len(headers))
    table += group
    group.extend(nodes.colspec(colwidth=1) for _ in headers)
    head, body = nodes.thead(), nodes.tbody()
    group += head
    group += body
    for part, cells in ((head, headers), *((body, r) for r in rows)):
        row = nodes.row()
        for cell in cells:
            row += nodes.entry("", *_cell_nodes(cell))
        part.append(row)
    return table


def make_table(env: Any, docname: str) -> list[nodes.Node]:
    """A summary line, a row per executed page, and each model's full hashes once."""
    order = _page_order(env)
    rows, models, total = [], {}, 0.0
    for page in order:
        entry = _records(env)[page]
        title = env.titles[page].astext() if page in env.titles else page
        total += (entry.get("exec") or {}).get("runtime") or 0.0
        link = nodes.paragraph("", "", _doc_link(page, docname, title))
        rows.append([link, when(entry), run_time(entry), models_paragraphs(entry), versions(entry)])
        for model in (entry.get("record") or {}).get("models", []):
            for role, digest in model.get("sha256", {}).items():
                models[(model["model"], role)] = digest
    ran = sum(1 for page in order if _records(env)[page].get("record"))
    summary = f"{ran} of {len(order)} pages with code executed; their cells ran for {total:.0f} s."
    pages = _table(
        ["Page", "Executed", "Run time", "Models (sha256)", "Ran on"],
        rows,
        ["nlpguide-provenance-table"],
    )
    full = _table(
        ["Model", "Source", "sha256"],
        [[m, role, nodes.literal(d, d)] for (m, role), d in sorted(models.items())],
        ["nlpguide-provenance-hashes"],
    )
    intro = "The sources of every model above, with their full sha256:"
    return [nodes.paragraph("", summary), pages, nodes.paragraph("", intro), full]


class FillProvenanceTables(SphinxPostTransform):
    """Replace each placeholder with the table (before references are resolved)."""

    default_priority = 8

    def run(self, **_kwargs: Any) -> None:
        for node in list(self.document.findall(ProvenanceTableNode)):
            node.replace_self(make_table(self.env, self.env.docname))


def log_run_times(app: Any, exception: BaseException | None) -> None:
    """Print each page's cell run time at the end of the build (``build-finished``)."""
    if exception is not None:
        return
    rows = []
    for docname in _page_order(app.env):
        entry = _records(app.env).get(docname)
        if entry and entry.get("exec") and entry["exec"].get("runtime") is not None:
            how = "cache" if entry["exec"]["reused"] else "ran"
            rows.append((entry["exec"]["runtime"], docname, how))
    if not rows:
        return
    lines = [f"{seconds:7.1f} s  {docname} ({how})" for seconds, docname, how in rows]
    total = sum(seconds for seconds, _, how in rows if how == "ran")
    lines.append(f"{total:7.1f} s  in all, for the pages executed in this build")
    logger.info("page run times:\n%s", "\n".join(lines))


def setup(app: Any) -> dict[str, Any]:
    app.add_config_value("provenance_page", "build-info", "env")
    app.connect("build-finished", log_run_times)
    app.connect("source-read", append_cell)
    app.connect("doctree-read", collect)
    app.connect("env-purge-doc", purge)
    app.connect("env-merge-info", merge)
    app.connect("env-updated", tables_to_rewrite)
    app.add_node(ProvenanceTableNode)
    app.add_directive("provenance-table", ProvenanceTable)
    app.add_post_transform(FillProvenanceTables)
    return {
        "version": "1",
        "env_version": 1,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
