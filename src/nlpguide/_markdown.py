"""One Markdown table writer for the package: every cell shown literally.

The MLM simulator's table, the greedy-decoding trace and the pages' tables go
through :func:`table`, so one set of escaping rules holds everywhere.

>>> print(table(["input", "target"], [["a <extra_id_0>", "b|c"]], code=True))
| input | target |
|---|---|
| `a <extra_id_0>` | `b\\|c` |
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from . import _check

__all__ = ["cell", "table"]


def cell(value: object, *, code: bool = False) -> str:
    """One cell: on one line, in a code span (``code=True``) or with Markdown escaped."""
    text = " ".join(str(value).split())  # a table row is one line
    if code:
        # Inside a code span < > * _ are literal; only the table's own | needs escaping.
        fence = "``" if "`" in text else "`"
        pad = " " if text.startswith("`") or text.endswith("`") else ""
        text = f"{fence}{pad}{text}{pad}{fence}" if text else ""
    else:
        for char in "\\`*_<>[]":
            text = text.replace(char, "\\" + char)
    return text.replace("|", "\\|")


def table(
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    code: bool | Sequence[bool] = False,
    align: str | None = None,
) -> str:
    """A Markdown table with every cell shown literally.

    ``code`` puts cells in code spans (one flag, or one per column); other
    cells have Markdown's special characters escaped. ``align`` holds one of
    ``l``, ``r``, ``c`` per column (default: all left).

    >>> print(table(["word", "n"], [["*he*", 3]], align="lr"))
    | word | n |
    |---|---:|
    | \\*he\\* | 3 |
    >>> table(["a"], [[1, 2]])
    Traceback (most recent call last):
    ...
    ValueError: row 0 has 2 cells, the header 1
    """
    header = _check.strings("header", header)
    width = len(header)
    if width == 0:
        msg = "header must name at least one column"
        raise ValueError(msg)
    if isinstance(code, bool):
        flags = [code] * width
    else:
        if isinstance(code, str | bytes) or not isinstance(code, Sequence):
            msg = f"code must be a bool or a list of bools, got {type(code).__name__}"
            raise TypeError(msg)
        flags = [_check.boolean("code flag", flag) for flag in code]
    if len(flags) != width:
        msg = f"code has {len(flags)} flags for {width} columns"
        raise ValueError(msg)
    align = "l" * width if align is None else _check.text("align", align)
    rules = {"l": "---", "r": "---:", "c": ":---:"}
    if len(align) != width or set(align) - set(rules):
        msg = f"align must hold one of l, r, c per column ({width}), got {align!r}"
        raise ValueError(msg)
    if isinstance(rows, str | bytes) or not isinstance(rows, Iterable):
        msg = f"rows must be an iterable of rows (lists of cells), got {type(rows).__name__}"
        raise TypeError(msg)
    lines = ["| " + " | ".join(cell(h, code=False) for h in header) + " |"]
    lines.append("|" + "|".join(rules[a] for a in align) + "|")
    for i, row in enumerate(rows):
        if isinstance(row, str | bytes) or not isinstance(row, Sequence):
            msg = f"row {i} must be a list of cells, got {type(row).__name__}"
            raise TypeError(msg)
        if len(row) != width:
            msg = f"row {i} has {len(row)} cells, the header {width}"
            raise ValueError(msg)
        cells = (cell(v, code=flag) for v, flag in zip(row, flags, strict=True))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
