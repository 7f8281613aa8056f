"""nlpguide's numpy-only core as a small ``py3-none-any`` wheel, for Pyodide in the browser.

The wheel pip installs carries the model artefacts (about 8 MB); the browser needs only
the numpy-only code. :func:`build_core_wheel` zips the installed package's source folder
without ``models/`` (the torch layer and its artefacts) and ``data_files/`` (data for
the translation models) and writes its own ``METADATA``, ``WHEEL`` and ``RECORD`` (name,
version and runtime requirements read from the package's installed metadata). Files are
written in sorted order with fixed timestamps, so the same sources give the same bytes.

Run by ``docs/conf.py`` at every build; ``python docs/_ext/core_wheel.py OUT_DIR`` builds
it by hand.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.metadata
import sys
import zipfile
from pathlib import Path

__all__ = ["build_core_wheel"]

# The torch layer (with the model weights) and the translation data: not for the browser.
EXCLUDED_DIRS = ("models", "data_files")
EXCLUDED_NAMES = ("__pycache__",)
FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip file can hold


def _files(package_dir: Path) -> list[Path]:
    kept = []
    for path in sorted(package_dir.rglob("*")):
        rel = path.relative_to(package_dir).as_posix()
        if not path.is_file() or path.suffix in {".pyc", ".pyo"}:
            continue
        if any(part in EXCLUDED_NAMES for part in path.relative_to(package_dir).parts):
            continue
        if any(rel == d or rel.startswith(d + "/") for d in EXCLUDED_DIRS):
            continue
        kept.append(path)
    return kept


def _record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def _metadata(dist: importlib.metadata.Distribution) -> str:
    meta = dist.metadata
    lines = [
        "Metadata-Version: 2.1",
        f"Name: {meta['Name']}",
        f"Version: {meta['Version']}",
        f"Summary: {meta['Summary']} (core only: no model artefacts)",
    ]
    if meta["Requires-Python"]:
        lines.append(f"Requires-Python: {meta['Requires-Python']}")
    if meta["License-Expression"] or meta["License"]:
        lines.append(f"License: {meta['License-Expression'] or meta['License']}")
    core = [req for req in dist.requires or [] if "extra ==" not in req]
    lines += [f"Requires-Dist: {req}" for req in core]
    return "\n".join(lines) + "\n"


def build_core_wheel(package: str, out_dir: Path) -> Path:
    """Build ``<name>-<version>-py3-none-any.whl`` of an installed package's core into out_dir.

    The package's source folder is the folder of its ``__init__.py`` (an editable
    install points into the checkout, so the wheel holds the checkout's code).
    """
    module = __import__(package)
    package_dir = Path(module.__file__).resolve().parent
    dist = importlib.metadata.distribution(package)
    name, version = dist.metadata["Name"].replace("-", "_"), dist.metadata["Version"]
    dist_info = f"{name}-{version}.dist-info"
    entries: list[tuple[str, bytes]] = [
        (f"{package}/{path.relative_to(package_dir).as_posix()}", path.read_bytes())
        for path in _files(package_dir)
    ]
    wheel = "Wheel-Version: 1.0\nGenerator: nlpguide docs/_ext/core_wheel.py\n"
    wheel += "Root-Is-Purelib: true\nTag: py3-none-any\n"
    entries += [
        (f"{dist_info}/METADATA", _metadata(dist).encode()),
        (f"{dist_info}/WHEEL", wheel.encode()),
    ]
    record = "\n".join(_record_line(n, d) for n, d in entries) + f"\n{dist_info}/RECORD,,\n"
    entries.append((f"{dist_info}/RECORD", record.encode()))
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{name}-{version}-py3-none-any.whl"
    partial = target.with_suffix(".partial")
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
        for entry_name, data in entries:
            info = zipfile.ZipInfo(entry_name, date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    if target.is_file() and target.read_bytes() == partial.read_bytes():
        partial.unlink()  # unchanged: keep the old file (and its mtime)
    else:
        partial.replace(target)
    return target


if __name__ == "__main__":
    built = build_core_wheel("nlpguide", Path(sys.argv[1]))
    print(f"{built} ({built.stat().st_size:,} bytes)")
