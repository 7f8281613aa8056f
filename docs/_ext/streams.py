"""A cell's printed output, the same however the kernel happened to cut it into chunks.

The kernel sends ``stdout`` in chunks whose edges depend on timing: a flush can fall
between a printed line and its newline. myst-nb's ``nb_merge_streams`` joins the chunks
but strips each one's trailing whitespace first and keeps its leading whitespace, so a
cut between ``"...tokens"`` and ``"\\nT=1.0..."`` shows a blank line that another build
does not (``nox -s repro`` caught exactly that on the generation page). This extension
replaces that join with an exact one: the chunks are concatenated as sent, then the
whole stream is ended in one newline as before. The text a page shows then depends only
on what the cell printed.

Registered by ``docs/conf.py``; it changes what myst-nb's renderer calls, and nothing
else. The rule's shape matches ``tools/compare_builds.py`` and the Try-it runner's
``merged_stream``.
"""

from __future__ import annotations

import re
from typing import Any

from myst_nb.core import render

__all__ = ["coalesce_streams", "setup"]

# myst-nb's rule for carriage returns (myst_nb/core/utils.py). Its backspace rule is
# written r"[^\n]\b", a word boundary, inside a loop that never runs; this one means it.
_CARRIAGE_RETURN = re.compile(r".*\r(?=[^\n])")
_BACKSPACE = re.compile("[^\n]\x08")


def _text(value: Any) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def _settle(text: str) -> str:
    """Apply backspaces and carriage returns as a terminal would, then end in one newline.

    >>> _settle("10%\\r50%\\r100%\\ndone!\\x08\\n\\n")
    '100%\\ndone\\n'
    """
    previous = None
    while previous != text:
        previous, text = text, _BACKSPACE.sub("", text)
    return _CARRIAGE_RETURN.sub("", text).rstrip() + "\n"


def coalesce_streams(outputs: list[Any]) -> list[Any]:
    """Join each stream's chunks exactly into one output, leaving the notebook's own as sent.

    >>> chunks = [{"output_type": "stream", "name": "stdout", "text": t}
    ...           for t in ("T=0.5 ok", "\\nT=1.0 ok\\n")]
    >>> [o["text"] for o in coalesce_streams(chunks)]
    ['T=0.5 ok\\nT=1.0 ok\\n']
    """
    merged: list[Any] = []
    streams: dict[str, Any] = {}
    for output in outputs:
        if output["output_type"] != "stream":
            merged.append(output)
        elif output["name"] in streams:
            streams[output["name"]]["text"] += _text(output["text"])
        else:
            # A copy: the notebook myst-nb writes to _build/jupyter_execute keeps the
            # chunks as the kernel sent them, for the tests and the repro check to join.
            joined = type(output)(output)
            joined["text"] = _text(output["text"])
            streams[output["name"]] = joined
            merged.append(joined)
    for output in streams.values():
        output["text"] = _settle(output["text"])
    # As myst-nb: stdout before stderr when they are adjacent, since they are asynchronous.
    for i, output in enumerate(merged[:-1]):
        following = merged[i + 1]
        if (output["output_type"], following["output_type"]) == ("stream", "stream") and (
            output["name"],
            following["name"],
        ) == ("stderr", "stdout"):
            merged[i], merged[i + 1] = following, output
    return merged


def setup(_app: Any) -> dict[str, Any]:
    """Point myst-nb's renderer at :func:`coalesce_streams`."""
    if not hasattr(render, "coalesce_streams"):
        raise RuntimeError(
            "myst-nb no longer calls myst_nb.core.render.coalesce_streams: "
            "docs/_ext/streams.py needs updating for this myst-nb version"
        )
    render.coalesce_streams = coalesce_streams  # type: ignore[assignment]
    return {"parallel_read_safe": True, "parallel_write_safe": True}
