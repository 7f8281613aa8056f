"""The core wheel the site serves to Pyodide: small, numpy-only, complete and reproducible."""

from __future__ import annotations

import base64
import hashlib
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from site_pages import load_file

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The core wheel, built from this checkout."""
    return load_file("core_wheel", ROOT / "docs/_ext/core_wheel.py").build_core_wheel(
        "nlpguide", tmp_path_factory.mktemp("core")
    )


class TestContents:
    def test_small_and_pure_python(self, wheel: Path) -> None:
        """The wheel is py3-none-any and well under 200 kB."""
        assert wheel.name.endswith("-py3-none-any.whl")
        assert wheel.stat().st_size < 200_000

    def test_no_model_layer(self, wheel: Path) -> None:
        """No torch layer, model weights or data files: those stay in the wheel pip installs."""
        names = zipfile.ZipFile(wheel).namelist()
        assert not [n for n in names if "/models/" in n or "/data_files/" in n]
        assert not [n for n in names if n.endswith(".safetensors")]
        # The core and the lessons the live cells import (they import torch only when called).
        assert {"nlpguide/mlm.py", "nlpguide/lessons/t5.py", "nlpguide/_check.py"} <= set(names)

    def test_metadata_names_numpy_only(self, wheel: Path) -> None:
        """METADATA names the package, its version and numpy as its only requirement."""
        archive = zipfile.ZipFile(wheel)
        meta_name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        lines = archive.read(meta_name).decode().splitlines()
        assert "Name: nlpguide" in lines
        assert [line for line in lines if line.startswith("Requires-Dist:")] == [
            "Requires-Dist: numpy>=1.24"
        ]

    def test_record_lists_every_file_with_its_hash(self, wheel: Path) -> None:
        """RECORD holds each file's sha256 and size (and itself, unhashed)."""
        archive = zipfile.ZipFile(wheel)
        record_name = next(n for n in archive.namelist() if n.endswith(".dist-info/RECORD"))
        rows = [line.split(",") for line in archive.read(record_name).decode().splitlines()]
        assert {row[0] for row in rows} == set(archive.namelist())
        for name, digest, size in rows:
            if name == record_name:
                assert (digest, size) == ("", "")
                continue
            data = archive.read(name)
            expected = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
            assert digest == "sha256=" + expected.decode(), name
            assert int(size) == len(data), name


class TestBuild:
    def test_same_sources_same_bytes(self, wheel: Path, tmp_path: Path) -> None:
        """A second build of the same checkout is byte-for-byte the same wheel."""
        again = load_file("core_wheel", ROOT / "docs/_ext/core_wheel.py").build_core_wheel(
            "nlpguide", tmp_path
        )
        assert again.read_bytes() == wheel.read_bytes()

    def test_core_runs_from_the_wheel(self, wheel: Path) -> None:
        """The wheel alone (numpy beside it) masks a sentence as the README's doctest does."""
        code = (
            "import sys; sys.path.insert(0, sys.argv[1]); import nlpguide\n"
            "assert nlpguide.__file__.startswith(sys.argv[1]), nlpguide.__file__\n"
            "from nlpguide.mlm import simulate_mlm\n"
            "print(simulate_mlm('the cat sat on the mat because it was tired', rng=1))\n"
        )
        done = subprocess.run(
            [sys.executable, "-c", code, str(wheel)],
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )
        assert (
            done.stdout.splitlines()[1]
            == "masked:   the cat [MASK] on the mat because it was [MASK]"
        )
