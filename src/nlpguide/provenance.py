"""How a page was made: the versions it ran with and the offline models it loaded.

The site build appends one hidden cell to every executed page that calls
:func:`show`; the page's kernel then reports what *it* ran with, and the docs'
provenance extension turns that record into the footer under each page and the
"Build info" table. The model loaders of :mod:`nlpguide.models` call
:func:`record_model` for each model they load, so the list is what the page
really loaded, not what it meant to load.

>>> clear()
>>> record_model("encoder", "all-MiniLM-L6-v2", hashes={"weights": "ab" * 32})
>>> [m["model"] for m in loaded_models()]
['all-MiniLM-L6-v2']
>>> sorted(page_record())
['environment', 'executed_at', 'models']
>>> clear()

Nothing here imports numpy, torch or transformers: versions are read from the
installed distributions, and torch is asked about a GPU only if the page
imported it already.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import sys
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ._check import instance, text
from ._versions import versions

__all__ = [
    "CELL_TAG",
    "TIME_FIELDS",
    "clear",
    "environment",
    "folder_sha256",
    "loaded_models",
    "page_record",
    "record_model",
    "show",
]

#: The tag of the notebook cell that calls :func:`show` (the docs extension adds it).
CELL_TAG = "nlpguide-provenance"
#: The record's fields that a rebuild is expected to change: ``nox -s repro`` ignores
#: these and only these.
TIME_FIELDS = ("executed_at",)
#: The libraries a reader needs to match before filing "this no longer runs".
LIBRARIES = ("torch", "transformers", "peft", "numpy")

# Asset packages that pages load with another library's loader (spaCy's ``spacy.load``)
# rather than nlpguide's. nlpguide locates asset packages with ``find_spec`` and never
# imports them, so an asset module in ``sys.modules`` means the page loaded it.
_IMPORTED_MODEL_ASSETS = {"ner": "en_core_web_sm 3.8.0 (spaCy)"}

_loaded: list[dict[str, Any]] = []


def record_model(loader: str, model: str, *, hashes: Mapping[str, str]) -> None:
    """Note that ``loader`` loaded ``model`` in this process, with its sources' sha256.

    ``hashes`` maps each source file's role (``"weights"``, ``"gguf"``, ...) to its
    sha256; it is empty for a model named by the caller (a hub checkpoint). Loading
    the same model twice records it once.
    """
    text("loader", loader)
    text("model", model)
    instance("hashes", hashes, Mapping)
    # The record is JSON read by the docs build: a role or a hash that is no str is a bug.
    sha256 = {
        text("each role in hashes", role): text(f"hashes[{role!r}]", digest)
        for role, digest in hashes.items()
    }
    entry = {"loader": loader, "model": model, "sha256": sha256}
    if entry not in _loaded:
        _loaded.append(entry)


def clear() -> None:
    """Forget the models recorded so far (a new page in the same process)."""
    _loaded.clear()


def folder_sha256(folder: str | os.PathLike[str]) -> str:
    """One sha256 over a folder's files: each relative path with its content's hash.

    Compiled ``__pycache__`` files are left out: importing a package writes them.
    A path that is not a folder raises :class:`ValueError`.
    """
    folder = Path(instance("folder", folder, (str, os.PathLike)))
    if not folder.is_dir():
        raise ValueError(f"folder must be an existing directory, got {str(folder)!r}")
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        rel = path.relative_to(folder)
        if "__pycache__" in rel.parts:
            continue
        digest.update(
            f"{rel.as_posix()}\0{hashlib.sha256(path.read_bytes()).hexdigest()}\n".encode()
        )
    return digest.hexdigest()


def _imported_assets() -> list[dict[str, Any]]:
    from ._assets import ASSETS  # noqa: PLC0415

    found = []
    for name, label in _IMPORTED_MODEL_ASSETS.items():
        module = sys.modules.get(ASSETS[name].module)
        paths = list(getattr(module, "__path__", []))
        if module is None or not paths:
            continue
        hashes = {"package": folder_sha256(Path(paths[0]))}
        found.append({"loader": "spacy.load", "model": label, "sha256": hashes})
    return found


def loaded_models() -> list[dict[str, Any]]:
    """The models loaded in this process so far, in the order they were first loaded."""
    return [dict(m) for m in _loaded] + _imported_assets()


def _device() -> str:
    torch = sys.modules.get("torch")
    machine = platform.machine() or "unknown machine"
    if torch is not None and torch.cuda.is_available():
        return f"GPU ({torch.cuda.get_device_name(0)})"
    return f"CPU ({machine})"


def environment() -> dict[str, str]:
    """What this process runs on: device, Python, nlpguide and the model libraries.

    nlpguide's version is read like the others, from the installed distribution: this
    module imports nothing from the package's ``__init__``, which loads
    :mod:`nlpguide.models` (and through it this module) on demand.
    """
    return {"device": _device(), **versions("nlpguide", *LIBRARIES)}


def page_record() -> dict[str, Any]:
    """The record of this process: when (UTC), on what, and which models it loaded."""
    return {
        "executed_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "environment": environment(),
        "models": loaded_models(),
    }


def show() -> None:
    """Print :func:`page_record` as JSON: a notebook cell's output, read by the docs build.

    Plain text, so that every notebook tool keeps it and myst-nb renders it without a
    custom MIME type.
    """
    sys.stdout.write(json.dumps(page_record(), indent=1, sort_keys=True) + "\n")
