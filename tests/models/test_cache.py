"""The model cache: atomic writes, corruption detection, locking."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from nlpguide.models._cache import (
    MANIFEST,
    CacheEntryError,
    cache_dir,
    ensure_entry,
    entry_key,
    verify_entry,
)


def _write_safetensors(folder: Path, values: int = 64) -> None:
    import torch
    from safetensors.torch import save_file

    save_file({"w": torch.arange(values, dtype=torch.float32)}, str(folder / "w.safetensors"))


class TestKeys:
    def test_key_is_stable_and_order_free(self) -> None:
        """The same settings in any order give the same key; other settings another."""
        assert entry_key({"a": 1, "b": "x"}) == entry_key({"b": "x", "a": 1})
        assert entry_key({"a": 1}) != entry_key({"a": 2})

    def test_env_var_moves_the_cache(self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
        """NLPGUIDE_CACHE_DIR overrides the platform's cache folder."""
        monkeypatch.setenv("NLPGUIDE_CACHE_DIR", str(tmp_path / "c"))
        assert cache_dir() == tmp_path / "c"


@pytest.mark.models
class TestEnsureEntry:
    def test_builds_once(self, tmp_path: Path) -> None:
        """A second call reuses the entry without calling the builder."""
        calls: list[Path] = []

        def build(folder: Path) -> None:
            calls.append(folder)
            _write_safetensors(folder)

        first = ensure_entry("toy", {"v": 1}, build, root=tmp_path)
        second = ensure_entry("toy", {"v": 1}, build, root=tmp_path)
        assert first == second
        assert len(calls) == 1
        assert (first / MANIFEST).is_file()
        verify_entry(first, hashes=True)

    def test_interrupted_build_leaves_nothing_that_loads(self, tmp_path: Path) -> None:
        """A builder that dies half-way leaves neither the entry nor its temporary folder."""

        def build(folder: Path) -> None:
            (folder / "half.safetensors").write_bytes(b"\x10\x00\x00")
            raise KeyboardInterrupt

        with pytest.raises(KeyboardInterrupt):
            ensure_entry("toy", {"v": 2}, build, root=tmp_path)
        assert [p.name for p in tmp_path.iterdir() if p.is_dir()] == []

    def test_killed_process_leaves_nothing_that_loads(self, tmp_path: Path) -> None:
        """A preparation killed with SIGKILL half-way leaves no entry; the next call builds it."""
        proc = _preparer(tmp_path, key="slow", sleep=60)
        deadline = time.monotonic() + 60
        while not any(p.name.startswith(".toy-") for p in tmp_path.iterdir()):
            assert proc.poll() is None, "the preparing process died on its own"
            assert time.monotonic() < deadline, "the child never started building"
            time.sleep(0.05)
        proc.kill()
        proc.communicate()  # reap it and close its pipe
        entries = [p for p in tmp_path.iterdir() if p.is_dir() and not p.name.startswith(".")]
        assert entries == []
        folder = ensure_entry("toy", {"v": "slow"}, _write_safetensors, root=tmp_path)
        verify_entry(folder, hashes=True)

    def test_truncated_file_is_detected_and_rebuilt(self, tmp_path: Path) -> None:
        """Cutting a safetensors file short makes verification fail and the next call rebuild."""
        folder = ensure_entry("toy", {"v": 3}, _write_safetensors, root=tmp_path)
        weights = folder / "w.safetensors"
        weights.write_bytes(weights.read_bytes()[:-10])
        with pytest.raises(CacheEntryError, match=r"wrong size|truncated"):
            verify_entry(folder)
        rebuilt = ensure_entry("toy", {"v": 3}, _write_safetensors, root=tmp_path)
        verify_entry(rebuilt, hashes=True)

    def test_flipped_bytes_fail_the_hash_check(self, tmp_path: Path) -> None:
        """Same-size corruption passes the size check but not the sha256 check."""
        folder = ensure_entry("toy", {"v": 4}, _write_safetensors, root=tmp_path)
        weights = folder / "w.safetensors"
        data = bytearray(weights.read_bytes())
        data[-1] ^= 0xFF
        weights.write_bytes(bytes(data))
        verify_entry(folder)
        with pytest.raises(CacheEntryError, match="sha256"):
            verify_entry(folder, hashes=True)

    def test_missing_manifest_is_invalid(self, tmp_path: Path) -> None:
        """A folder without a manifest (as a crash before renaming would leave) is no entry."""
        (tmp_path / "x").mkdir()
        with pytest.raises(CacheEntryError, match="manifest"):
            verify_entry(tmp_path / "x")

    def test_garbage_manifest_is_invalid(self, tmp_path: Path) -> None:
        """An unreadable manifest is reported as a cache error, not a JSON traceback."""
        (tmp_path / MANIFEST).write_text("{not json")
        with pytest.raises(CacheEntryError, match="not valid JSON"):
            verify_entry(tmp_path)

    def test_concurrent_preparation_builds_once(self, tmp_path: Path) -> None:
        """Two processes preparing the same entry at once build it once and both get it."""
        procs = [_preparer(tmp_path, key="concurrent", sleep=0.5) for _ in range(2)]
        outputs = [proc.communicate(timeout=120)[0].strip() for proc in procs]
        assert [proc.returncode for proc in procs] == [0, 0]
        assert outputs[0] == outputs[1]
        assert (tmp_path / "builds.log").read_text().count("built") == 1
        verify_entry(Path(outputs[0]), hashes=True)
        manifest = json.loads((Path(outputs[0]) / MANIFEST).read_text())
        assert manifest["key_parts"] == {"v": "concurrent"}


# Separate interpreters, not multiprocessing: a child must not depend on how pytest
# imported this test module.
_PREPARER = """
import sys, time
from pathlib import Path
import torch
from safetensors.torch import save_file
from nlpguide.models._cache import ensure_entry

root, key, sleep = Path(sys.argv[1]), sys.argv[2], float(sys.argv[3])

def build(folder):
    save_file({"w": torch.arange(64, dtype=torch.float32)}, str(folder / "w.safetensors"))
    time.sleep(sleep)
    with (root / "builds.log").open("a") as fh:
        fh.write("built\\n")

print(ensure_entry("toy", {"v": key}, build, root=root))
"""


def _preparer(root: Path, *, key: str, sleep: float) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", _PREPARER, str(root), key, str(sleep)],
        stdout=subprocess.PIPE,
        text=True,
    )
