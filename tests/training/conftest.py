"""The training jobs import their sibling modules by plain name, as `python training/x.py` does."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

TRAINING = Path(__file__).resolve().parents[2] / "training"
if str(TRAINING) not in sys.path:
    sys.path.insert(0, str(TRAINING))


def _build_deb(folder: Path, name: str, files: dict[str, bytes]) -> Path:
    """A real .deb (``dpkg-deb --build``) named NAME_1.0_all.deb holding ``files``."""
    root = folder / f"root-{name}"
    (root / "DEBIAN").mkdir(parents=True)
    (root / "DEBIAN" / "control").write_text(
        f"Package: {name}\nVersion: 1.0\nArchitecture: all\n"
        "Maintainer: nlpguide <nlpguide@example.org>\nDescription: test\n",
        encoding="utf-8",
    )
    for relpath, payload in files.items():
        (root / relpath).parent.mkdir(parents=True, exist_ok=True)
        (root / relpath).write_bytes(payload)
    deb = folder / f"{name}_1.0_all.deb"
    subprocess.run(
        ["dpkg-deb", "--root-owner-group", "--build", str(root), str(deb)],
        check=True,
        capture_output=True,
    )
    return deb


@pytest.fixture
def make_deb() -> Callable[[Path, str, dict[str, bytes]], Path]:
    """Build a fake Debian package: ``make_deb(folder, name, {path: bytes})``."""
    return _build_deb
