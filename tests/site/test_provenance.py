"""How each page was made: the kernel's record, the loaders' part, the footer and the table."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
from contextlib import redirect_stdout
from pathlib import Path

import pytest
from site_pages import HEADER, compare_builds

from nlpguide import provenance

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
SHA = "ab" * 32


@pytest.fixture(autouse=True)
def _fresh_registry() -> None:
    provenance.clear()


class TestRecord:
    def test_record_says_when_on_what_and_which_models(self) -> None:
        """The record holds the UTC time, the versions a reader compares, and the models."""
        provenance.record_model("encoder", "all-MiniLM-L6-v2", hashes={"weights": SHA})
        record = provenance.page_record()
        assert record["executed_at"].endswith("+00:00")
        assert {"device", "python", "torch", "transformers", "peft", "nlpguide"} <= set(
            record["environment"]
        )
        assert record["environment"]["nlpguide"] == __import__("nlpguide").__version__
        assert record["models"][0] == {
            "loader": "encoder",
            "model": "all-MiniLM-L6-v2",
            "sha256": {"weights": SHA},
        }

    def test_a_model_loaded_twice_is_listed_once(self) -> None:
        """Loading the same model again (a second pipeline) does not repeat it."""
        for _ in range(2):
            provenance.record_model("decoder", "SmolLM2-135M-Instruct", hashes={"gguf": SHA})
        assert len([m for m in provenance.loaded_models() if m["loader"] == "decoder"]) == 1

    def test_show_prints_the_record_as_json(self) -> None:
        """show() prints one JSON object holding every time field the comparison masks."""
        out = io.StringIO()
        with redirect_stdout(out):
            provenance.show()
        assert set(provenance.TIME_FIELDS) <= set(json.loads(out.getvalue()))

    def test_bad_arguments_are_refused_by_the_contract(self) -> None:
        """A non-mapping of hashes is a TypeError, an empty model name a ValueError."""
        with pytest.raises(TypeError, match="hashes must be a Mapping"):
            provenance.record_model("encoder", "x", hashes=[SHA])  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="model must be a non-empty str"):
            provenance.record_model("encoder", " ", hashes={})

    def test_folder_hash_follows_content_not_bytecode(self, tmp_path: Path) -> None:
        """A folder's hash changes with a file's content, not with __pycache__."""
        (tmp_path / "meta.json").write_text("{}")
        before = provenance.folder_sha256(tmp_path)
        (tmp_path / "__pycache__").mkdir()
        (tmp_path / "__pycache__" / "x.pyc").write_bytes(b"\0")
        assert provenance.folder_sha256(tmp_path) == before
        (tmp_path / "meta.json").write_text('{"v": 1}')
        assert provenance.folder_sha256(tmp_path) != before


class TestComparison:
    """``nox -s repro`` ignores the record's time fields, and only those."""

    compare_builds = compare_builds()

    def _build(self, root: Path, record: dict[str, object]) -> Path:
        cell = {
            "cell_type": "code",
            "metadata": {"tags": [provenance.CELL_TAG]},
            "outputs": [
                {"output_type": "stream", "name": "stdout", "text": json.dumps(record, indent=1)}
            ],
            "source": "",
        }
        root.mkdir()
        (root / "page.ipynb").write_text(json.dumps({"cells": [cell], "nbformat": 4}))
        return root

    def _record(self, when: str, sha: str = SHA) -> dict[str, object]:
        model = {"loader": "encoder", "model": "m", "sha256": {"weights": sha}}
        return {"executed_at": when, "environment": {"torch": "2.13.0"}, "models": [model]}

    def test_script_copies_the_tag_and_time_fields(self) -> None:
        """The standalone script names the same cell tag and time fields as nlpguide."""
        assert self.compare_builds.PROVENANCE_TAG == provenance.CELL_TAG
        assert self.compare_builds.TIME_FIELDS == provenance.TIME_FIELDS

    def test_time_of_execution_may_differ(self, tmp_path: Path) -> None:
        """Two builds that ran at different times compare equal."""
        a = self._build(tmp_path / "a", self._record("2026-12-01T10:00:00+00:00"))
        b = self._build(tmp_path / "b", self._record("2026-12-02T11:30:00+00:00"))
        assert self.compare_builds.compare(a, b).differences == []

    def test_a_different_model_hash_is_a_difference(self, tmp_path: Path) -> None:
        """A model whose hash changed between builds is reported, though times differ too."""
        a = self._build(tmp_path / "a", self._record("2026-12-01T10:00:00+00:00"))
        b = self._build(tmp_path / "b", self._record("2026-12-02T11:30:00+00:00", "cd" * 32))
        (difference,) = self.compare_builds.compare(a, b).differences
        assert "cd" * 32 in difference


@pytest.mark.models
class TestLoaders:
    def test_default_path_records_the_model_with_its_weights_hash(self) -> None:
        """Loading the offline encoder records it with the sha256 of its weights file."""
        from nlpguide.models import default_path
        from nlpguide.models._cache import file_sha256

        folder = default_path("encoder")
        (model,) = [m for m in provenance.loaded_models() if m["loader"] == "encoder"]
        assert model["model"] == "all-MiniLM-L6-v2"
        assert model["sha256"] == {"weights": file_sha256(folder / "model.safetensors")}


def _site(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(DOCS / "conf.py", src / "conf.py")
    shutil.copytree(DOCS / "_static", src / "_static")
    shutil.copytree(DOCS / "_ext", src / "_ext")
    shutil.copy(DOCS / "build-info.md", src / "build-info.md")
    (src / "index.md").write_text("# Tiny\n\n```{toctree}\npage\nplain\nbuild-info\n```\n")
    (src / "plain.md").write_text("# Plain\n\nNo code on this page.\n")
    page = "# A page\n\n```{code-cell} python\nfrom nlpguide.models import default_path\n"
    page += 'print(default_path("encoder").name)\n```\n'
    (src / "page.md").write_text(HEADER + page)
    return src


def _sphinx(src: Path, out: Path, mode: str, *extra: str) -> None:
    env = {**os.environ, "NLPGUIDE_DOCS_EXECUTION": mode}
    cmd = [sys.executable, "-m", "sphinx", "-T", "-n", "-W", "--keep-going", "-q", *extra]
    result = subprocess.run(
        [*cmd, "-b", "html", str(src), str(out)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.models
@pytest.mark.slow
class TestSite:
    """A tiny project with the site's own conf.py, built as ``nox -s docs`` builds it."""

    def test_footer_and_table_in_force_then_cache_mode(self, tmp_path: Path) -> None:
        """A forced build shows the footer; a cache-mode rebuild still shows that run's record."""
        src = _site(tmp_path)
        _sphinx(src, tmp_path / "html", "force")
        page = (tmp_path / "html" / "page.html").read_text()
        footer = page[page.index("nlpguide-provenance") :]
        assert "How this page was made" in footer
        assert "torch 2.13.0" in footer
        assert "Python 3." in footer
        assert "all-MiniLM-L6-v2 (sha256 weights" in footer
        assert 'href="build-info.html"' in footer
        assert "executed_at" not in page  # the record cell itself is not on the page
        assert "nlpguide-provenance" not in (tmp_path / "html" / "plain.html").read_text()
        info = (tmp_path / "html" / "build-info.html").read_text()
        assert "1 of 1 pages with code executed" in info
        assert 'href="page.html"' in info
        assert "all-MiniLM-L6-v2" in info
        assert re.search(r"<span class=\"pre\">[0-9a-f]{64}</span>", info)  # a full hash

        _sphinx(src, tmp_path / "cached", "cache", "-E")  # runs the page, fills the cache
        _sphinx(src, tmp_path / "again", "cache", "-E")  # a fresh environment: a cache hit
        again = (tmp_path / "again" / "page.html").read_text()
        assert "a run this build took from the execution cache" in again
        assert "all-MiniLM-L6-v2 (sha256 weights" in again
