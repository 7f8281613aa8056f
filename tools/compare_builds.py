"""Compare the executed pages of two builds of the site: same numbers on every page?

``nox -s repro`` builds the site a second time from a cold cache and runs this on
the executed notebooks of both builds (``jupyter_execute/**/*.ipynb``)::

    python tests/compare_builds.py docs/_build/jupyter_execute docs/_build/repro/jupyter_execute

Every output of every code cell is compared: text exactly, images by their bytes'
hash. Timings are the one thing allowed to differ, and only where a page labels
them: in a cell tagged ``timing``, numbers with a time unit or a ratio sign
(``43 s``, ``1.5 ms``, ``14x``) are masked and the cell's images (plots of
timings) are skipped. In the provenance record the build appends to every page
(a cell tagged ``nlpguide-provenance`` that prints ``nlpguide.provenance``'s JSON
record), the time fields (when the page ran) are masked and nothing else: the
versions and the hashes of the models loaded must match. Exit status 1 lists
each difference with its page and cell.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

TIMING_TAG = "timing"
#: A measured duration or a ratio of durations, as the pages print them, with the spaces
#: before it (a right-aligned table column pads "9 s" and "26 s" differently).
TIMING = re.compile(
    r" *(?<![\w.])\d[\d,]*(?:\.\d+)?\s?(?:ms|s|sec|seconds?|min|minutes?|x|\u00d7|times)(?![\w])"
)
_TEXT_TYPES = ("text/plain", "text/markdown", "text/html", "text/latex")
#: The tag of the cell that prints the page's provenance record, and the record's time
#: fields: ``nlpguide.provenance``'s CELL_TAG and TIME_FIELDS (a test keeps the copies
#: equal; this script runs without nlpguide).
PROVENANCE_TAG = "nlpguide-provenance"
TIME_FIELDS = ("executed_at",)


@dataclass
class Report:
    """What was compared and what differed."""

    pages: int = 0
    cells: int = 0
    outputs: int = 0
    images: int = 0
    masked: int = 0
    timing_cells: int = 0
    differences: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """One line with the counts."""
        verdict = "identical" if not self.differences else f"{len(self.differences)} differences"
        return (
            f"{self.pages} pages, {self.cells} code cells, {self.outputs} outputs "
            f"({self.images} images): {verdict}; {self.masked} labelled timings masked "
            f"in {self.timing_cells} cells tagged '{TIMING_TAG}'"
        )


def mask_timings(text: str) -> tuple[str, int]:
    """Replace each timing in ``text`` by ``<timing>``; return the text and the count.

    >>> mask_timings("trained in 43 s (1.5 ms per article, 14x the encoder); 96.8% right")
    ('trained in<timing> (<timing> per article,<timing> the encoder); 96.8% right', 3)
    >>> mask_timings("full    9 s") == mask_timings("full   26 s")
    True
    """
    return TIMING.subn("<timing>", text)


def _text(value: Any) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def _merged_streams(outputs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A cell's outputs with each stream (stdout, stderr) as one output, as the page shows it.

    How a stream is cut into chunks depends on timing, so chunks are joined exactly and
    the whole ends in one newline (``docs/_ext/streams.py``, the site's rule).

    >>> chunks = [{"output_type": "stream", "name": "stdout", "text": t} for t in ("a", "\\nb\\n\\n")]
    >>> _merged_streams(chunks)[0]["text"]  # cut before a newline: joined, no blank line
    'a\\nb\\n'
    """
    merged: list[dict[str, Any]] = []
    first: dict[str, dict[str, Any]] = {}
    for output in outputs:
        if output.get("output_type") != "stream":
            merged.append(output)
            continue
        name = str(output.get("name"))
        text = _text(output.get("text", ""))
        if name in first:
            first[name]["text"] += text
        else:
            first[name] = {**output, "text": text}
            merged.append(first[name])
    for head in first.values():
        text = head["text"].rstrip()
        head["text"] = text + "\n" if text else ""
    return merged


def mask_provenance(record: Any) -> str:
    """A provenance record as canonical JSON, with its time fields masked and only those.

    >>> mask_provenance({"executed_at": "2026-12-01T21:53:07+00:00", "models": []})
    '{"executed_at": "<time>", "models": []}'
    """
    if isinstance(record, str):
        try:
            record = json.loads(record)
        except json.JSONDecodeError:
            return record  # not a record: compared as it is
    if isinstance(record, dict):
        record = {k: "<time>" if k in TIME_FIELDS else v for k, v in record.items()}
    return json.dumps(record, sort_keys=True)


def cell_outputs(cell: dict[str, Any]) -> list[tuple[str, str]]:
    """One code cell's outputs as ``(kind, content)``; images by their sha256.

    >>> cell_outputs({"outputs": [
    ...     {"output_type": "stream", "name": "stdout", "text": ["4", "2\\n"]},
    ...     {"output_type": "execute_result", "data": {"text/plain": "7", "image/png": "iVBO"}},
    ... ]})  # doctest: +NORMALIZE_WHITESPACE
    [('stream:stdout', '42\\n'),
     ('image/png', '1fffae4a706277be63acaa077518961b1891dadc882ff3991d1c1036f810d720'),
     ('text/plain', '7')]
    """
    out: list[tuple[str, str]] = []
    for output in _merged_streams(cell.get("outputs", [])):
        kind = output.get("output_type")
        if kind == "stream":
            out.append((f"stream:{output.get('name')}", _text(output.get("text", ""))))
        elif kind == "error":
            out.append(("error", f"{output.get('ename')}: {output.get('evalue')}"))
        else:
            data = output.get("data", {})
            for mime in sorted(data):
                if mime.startswith("image/"):
                    digest = hashlib.sha256(_text(data[mime]).encode()).hexdigest()
                    out.append((mime, digest))
                elif mime in _TEXT_TYPES:
                    out.append((mime, _text(data[mime])))
    return out


def _code_cells(path: Path) -> list[dict[str, Any]]:
    notebook = json.loads(path.read_text(encoding="utf-8"))
    return [c for c in notebook["cells"] if c.get("cell_type") == "code"]


def _tags(cell: dict[str, Any]) -> set[str]:
    return set(cell.get("metadata", {}).get("tags", []))


def compare_cell(
    page: str, index: int, a: dict[str, Any], b: dict[str, Any], report: Report
) -> None:
    """Compare one cell of both builds, adding any difference to ``report``."""
    timing = TIMING_TAG in _tags(a)
    provenance = PROVENANCE_TAG in _tags(a)
    report.timing_cells += timing
    outs_a, outs_b = cell_outputs(a), cell_outputs(b)
    if timing:
        outs_a = [o for o in outs_a if not o[0].startswith("image/")]
        outs_b = [o for o in outs_b if not o[0].startswith("image/")]
    if [k for k, _ in outs_a] != [k for k, _ in outs_b]:
        report.differences.append(f"{page} cell {index}: output kinds differ")
        return
    for (kind, raw_a), (_, raw_b) in zip(outs_a, outs_b, strict=True):
        report.outputs += 1
        report.images += kind.startswith("image/")
        text_a, text_b = raw_a, raw_b
        if timing and not kind.startswith("image/"):
            text_a, n = mask_timings(raw_a)
            text_b, _ = mask_timings(raw_b)
            report.masked += n
        if provenance and not kind.startswith("image/"):
            text_a, text_b = mask_provenance(raw_a), mask_provenance(raw_b)
        if text_a != text_b:
            report.differences.append(f"{page} cell {index} ({kind}):\n  {text_a!r}\n  {text_b!r}")


def compare(first: Path, second: Path) -> Report:
    """Compare every executed page of two builds."""
    report = Report()
    pages_a = sorted(p.relative_to(first) for p in first.rglob("*.ipynb"))
    pages_b = sorted(p.relative_to(second) for p in second.rglob("*.ipynb"))
    if pages_a != pages_b:
        missing = sorted(set(pages_a) ^ set(pages_b))
        report.differences.append(f"the builds executed different pages: {missing}")
    for page in sorted(set(pages_a) & set(pages_b)):
        report.pages += 1
        cells_a, cells_b = _code_cells(first / page), _code_cells(second / page)
        if len(cells_a) != len(cells_b):
            report.differences.append(f"{page}: {len(cells_a)} vs {len(cells_b)} code cells")
            continue
        for index, (a, b) in enumerate(zip(cells_a, cells_b, strict=True)):
            report.cells += 1
            compare_cell(str(page), index, a, b, report)
    return report


def main(argv: list[str] | None = None) -> int:
    """Compare two builds' executed notebooks; exit 1 on any difference."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("first", type=Path, help="jupyter_execute folder of one build")
    parser.add_argument("second", type=Path, help="jupyter_execute folder of the other")
    args = parser.parse_args(argv)
    for folder in (args.first, args.second):
        if not any(folder.rglob("*.ipynb")):
            parser.error(f"{folder} holds no executed notebooks: build the site first")
    report = compare(args.first, args.second)
    for difference in report.differences:
        print(difference)
    print(f"reproducibility: {report.summary()}")
    return 1 if report.differences else 0


if __name__ == "__main__":
    sys.exit(main())
