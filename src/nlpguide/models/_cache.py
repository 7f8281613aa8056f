"""A small, safe on-disk cache for prepared models.

Each entry is a folder ``<cache>/<kind>-<key>``, where ``key`` hashes the source
asset, the recipe and its settings, so a changed input never reuses a stale
entry. An entry is built in a temporary folder beside it and renamed into place
only when complete (a rename is atomic on one file system): an interrupted build
leaves nothing that loads. A manifest records each file's size and sha256; sizes
are checked on every load (a truncated file is found at once), hashes on
request. Builders run under a file lock, so two processes never write the same
entry. Only safetensors and JSON/text files are written — never pickle.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

__all__ = ["MANIFEST", "CacheEntryError", "cache_dir", "ensure_entry", "entry_key", "verify_entry"]

MANIFEST = "nlpguide-manifest.json"


class CacheEntryError(RuntimeError):
    """A cache entry is incomplete or corrupted."""


def cache_dir() -> Path:
    """The cache root: ``$NLPGUIDE_CACHE_DIR``, else the platform's user cache folder.

    >>> import os
    >>> os.environ["NLPGUIDE_CACHE_DIR"] = "/tmp/nlpguide-doctest"
    >>> str(cache_dir())
    '/tmp/nlpguide-doctest'
    >>> del os.environ["NLPGUIDE_CACHE_DIR"]
    """
    env = os.environ.get("NLPGUIDE_CACHE_DIR")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_cache_dir  # noqa: PLC0415

    return Path(user_cache_dir("nlpguide"))


def file_sha256(path: Path, *, chunk: int = 1 << 22) -> str:
    """The sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def entry_key(parts: Mapping[str, object]) -> str:
    """A short stable hash of the settings that define an entry.

    >>> entry_key({"asset": "abc", "recipe": 1})
    '6988816ff5090fe4'
    """
    blob = json.dumps(parts, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def _write_manifest(folder: Path, parts: Mapping[str, object]) -> None:
    files = {
        str(p.relative_to(folder)): {"size": p.stat().st_size, "sha256": file_sha256(p)}
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != MANIFEST
    }
    manifest = {"key_parts": dict(parts), "files": files}
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, default=str), encoding="utf-8")


def _check_safetensors(path: Path) -> None:
    # A safetensors file is an 8-byte header length, a JSON header and the data;
    # the header's largest end offset must equal the data's length.
    size = path.stat().st_size
    with path.open("rb") as fh:
        raw = fh.read(8)
        if len(raw) < 8:
            raise CacheEntryError(f"{path} is truncated (no header)")
        n = int.from_bytes(raw, "little")
        if n <= 0 or 8 + n > size:
            raise CacheEntryError(f"{path} is truncated (header)")
        header = json.loads(fh.read(n))
    end = max((v["data_offsets"][1] for k, v in header.items() if k != "__metadata__"), default=0)
    if 8 + n + end != size:
        raise CacheEntryError(f"{path} is truncated: {size} bytes, expected {8 + n + end}")


def verify_entry(folder: Path, *, hashes: bool = False) -> None:
    """Raise :class:`CacheEntryError` unless ``folder`` is a complete entry.

    Always checks that every listed file exists with its recorded size and that
    safetensors files are internally consistent; with ``hashes=True`` also
    re-hashes every file.
    """
    manifest_path = folder / MANIFEST
    if not manifest_path.is_file():
        raise CacheEntryError(f"{folder} has no manifest (an interrupted build?)")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise CacheEntryError(f"{manifest_path} is not valid JSON") from err
    for rel, meta in manifest["files"].items():
        path = folder / rel
        if not path.is_file() or path.stat().st_size != meta["size"]:
            raise CacheEntryError(f"{path} is missing or has the wrong size")
        if path.suffix == ".safetensors":
            _check_safetensors(path)
        if hashes and file_sha256(path) != meta["sha256"]:
            raise CacheEntryError(f"{path} does not match its recorded sha256")


def ensure_entry(
    kind: str,
    parts: Mapping[str, object],
    build: Callable[[Path], None],
    *,
    root: Path | None = None,
) -> Path:
    """Return the folder of entry ``kind``/``parts``, building it first if needed.

    ``build(folder)`` writes the entry's files into an empty temporary folder.
    A corrupted entry is moved aside and rebuilt.
    """
    from filelock import FileLock  # noqa: PLC0415

    root = cache_dir() if root is None else root
    root.mkdir(parents=True, exist_ok=True)
    final = root / f"{kind}-{entry_key(parts)}"
    with FileLock(str(final) + ".lock"):
        if final.exists():
            try:
                verify_entry(final)
            except CacheEntryError:
                shutil.rmtree(final)
            else:
                return final
        tmp = Path(tempfile.mkdtemp(prefix=f".{final.name}.", dir=root))
        try:
            build(tmp)
            _write_manifest(tmp, parts)
            verify_entry(tmp)
            tmp.rename(final)
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)
    return final
