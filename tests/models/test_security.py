"""Security basics: no code runs from a checkpoint, no eval or pickle, the CLI writes only to its cache.

* Weights load from safetensors only, and ``trust_remote_code`` is refused, so
  loading a model never executes code that came with it.
* No source file (package, examples, benchmarks, the site's pages) calls
  ``eval``/``exec``, imports a pickle-family module or calls ``torch.load``.
* What the package ships and what it prepares in its cache is safetensors, JSON
  and text: nothing that is unpickled.
* The CLI writes nothing outside its cache folder: not in the working
  directory, not in ``$HOME``, and it leaves nothing in ``$TMPDIR``.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
PYTHON_SOURCES = sorted(
    [
        *(ROOT / "src").rglob("*.py"),
        *(ROOT / "examples").rglob("*.py"),
        *(ROOT / "benchmarks").rglob("*.py"),
        *(ROOT / "training").rglob("*.py"),
        *(ROOT / "tools").rglob("*.py"),
        ROOT / "docs" / "conf.py",
        ROOT / "noxfile.py",
    ]
)
PAGES = sorted(p for p in (ROOT / "docs").rglob("*.md") if "_build" not in p.parts)
FORBIDDEN_CALLS = {"eval", "exec", "__import__"}
FORBIDDEN_MODULES = {
    "pickle",
    "cPickle",
    "_pickle",
    "dill",
    "shelve",
    "marshal",
    "joblib",
    "cloudpickle",
}
FORBIDDEN_ATTRIBUTES = {("torch", "load"), ("yaml", "load"), ("os", "system")}
#: What the package ships and prepares: safetensors weights, JSON/text configs,
#: SentencePiece / tokenizer files (protobuf and JSON, never unpickled).
SAFE_SUFFIXES = {".safetensors", ".json", ".txt", ".model", ".jinja", ".md", ".lock"}
_CODE_CELL = re.compile(r"^```\{code-cell\}[^\n]*\n(.*?)^```", re.MULTILINE | re.DOTALL)


def _page_cells(page: Path) -> str:
    """The Python of a page's code cells, cell options removed.

    Options come as ``:key: value`` lines or as a YAML block between ``---`` lines
    (figure captions and alt text).
    """
    cells = []
    for cell in _CODE_CELL.findall(page.read_text(encoding="utf-8")):
        body = cell.split("\n---\n", 1)[1] if cell.startswith("---\n") else cell
        lines = [line for line in body.splitlines() if not line.startswith(":")]
        cells.append("\n".join(lines))
    return "\n\n".join(cells)


def _violations(tree: ast.AST) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id in FORBIDDEN_CALLS:
                found.append(f"line {node.lineno}: {func.id}()")
            if (
                isinstance(func, ast.Attribute)
                and isinstance(func.value, ast.Name)
                and (func.value.id, func.attr) in FORBIDDEN_ATTRIBUTES
            ):
                found.append(f"line {node.lineno}: {func.value.id}.{func.attr}()")
            for keyword in node.keywords:
                if keyword.arg == "trust_remote_code" and not (
                    isinstance(keyword.value, ast.Constant) and keyword.value.value is False
                ):
                    found.append(f"line {node.lineno}: trust_remote_code=...")
                if keyword.arg == "shell" and not (
                    isinstance(keyword.value, ast.Constant) and keyword.value.value is False
                ):
                    found.append(f"line {node.lineno}: shell=...")
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
            )
            found += [
                f"line {node.lineno}: import {n}"
                for n in names
                if n.split(".")[0] in FORBIDDEN_MODULES
            ]
    return found


class TestSourcesRunNoUntrustedCode:
    @pytest.mark.parametrize("path", PYTHON_SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
    def test_python_source_is_clean(self, path: Path) -> None:
        """No eval/exec, pickle-family import, torch.load, os.system, shell=True or remote code."""
        assert _violations(ast.parse(path.read_text(encoding="utf-8"))) == []

    @pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
    def test_page_code_is_clean(self, page: Path) -> None:
        """The site's code cells follow the same rules as the package."""
        assert _violations(ast.parse(_page_cells(page))) == []

    def test_scanner_catches_each_forbidden_form(self) -> None:
        """The scanner itself flags every form it promises to flag."""
        bad = (
            "import pickle\nfrom dill import loads\neval('1')\nexec('x=1')\n"
            "torch.load('w.pt')\nos.system('ls')\nf(trust_remote_code=True)\n"
            "subprocess.run('ls', shell=True)\n"
        )
        assert len(_violations(ast.parse(bad))) == 8
        assert _violations(ast.parse("f(trust_remote_code=False)\nsafe_eval = 1\n")) == []


@pytest.mark.models
class TestLoadersRunNoCheckpointCode:
    @pytest.mark.parametrize("loader", ["encoder", "masked_lm", "decoder", "seq2seq"])
    def test_trust_remote_code_is_refused(self, loader: str) -> None:
        """Every loader refuses trust_remote_code=True before loading anything."""
        from nlpguide import models

        with pytest.raises(ValueError, match="trust_remote_code=True is refused"):
            getattr(models, loader)("some/model", trust_remote_code=True)

    @pytest.mark.parametrize("value", [False, None, "no"])
    def test_pickled_weights_cannot_be_asked_for(self, value: object) -> None:
        """use_safetensors set to anything but True is refused."""
        from nlpguide import models

        with pytest.raises(ValueError, match="never from pickle"):
            models.encoder(use_safetensors=value)

    def test_checkpoint_with_only_pickle_weights_is_not_unpickled(self, tmp_path: Path) -> None:
        """A folder holding only pytorch_model.bin fails to load without unpickling it."""
        from nlpguide import models

        source = models.default_path("encoder")
        for name in ("config.json", "tokenizer.json", "tokenizer_config.json"):
            if (source / name).is_file():
                (tmp_path / name).write_bytes((source / name).read_bytes())
        # Not a pickle at all: unpickling it would raise UnpicklingError, not OSError.
        (tmp_path / "pytorch_model.bin").write_bytes(b"this would run code if unpickled")
        with pytest.raises(OSError, match="safetensors") as info:
            models.encoder(str(tmp_path))
        assert "Unpickling" not in repr(info.value)


@pytest.mark.models
class TestShippedAndCachedFiles:
    def test_shipped_artefacts_are_safe_formats(self) -> None:
        """Everything under models/artefacts is safetensors, JSON or SentencePiece."""
        from nlpguide.models.t5 import ARTEFACT_DIR

        files = [p for p in ARTEFACT_DIR.parent.rglob("*") if p.is_file()]
        assert files
        assert {p.suffix for p in files} <= SAFE_SUFFIXES, sorted({p.suffix for p in files})

    @pytest.mark.parametrize("kind", ["masked_lm", "decoder", "seq2seq"])
    def test_prepared_entries_are_safe_formats(self, kind: str) -> None:
        """A prepared model folder holds safetensors weights and text files only."""
        from nlpguide import models

        folder = models.default_path(kind)
        suffixes = {p.suffix for p in folder.rglob("*") if p.is_file()}
        assert ".safetensors" in suffixes
        assert suffixes <= SAFE_SUFFIXES, sorted(suffixes)


def _files_under(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


@pytest.mark.models
@pytest.mark.slow
class TestCliWritesOnlyToItsCache:
    COMMANDS: tuple[tuple[str, ...], ...] = (
        ("table",),
        ("recommend", "sentiment analysis"),
        ("mask", "The cat sat on the mat", "--seed", "0"),
        ("frame", "mnli", "--premise", "A man eats.", "--hypothesis", "A man is eating."),
        ("params", "bert-base-uncased", "--tokens", "128"),
        ("assets",),
        ("assets", "--prepare"),
        ("nonsense",),
    )

    def test_every_command_writes_only_under_the_cache(
        self, tmp_path: Path, offline_env: dict[str, str]
    ) -> None:
        """Running every command (models prepared from scratch) creates files only in the cache."""
        dirs = {name: tmp_path / name for name in ("work", "home", "tmp", "cache")}
        for folder in dirs.values():
            folder.mkdir()
        env: dict[str, Any] = {
            **offline_env,
            "HOME": str(dirs["home"]),
            "TMPDIR": str(dirs["tmp"]),
            "NLPGUIDE_CACHE_DIR": str(dirs["cache"]),
        }
        for name in ("XDG_CACHE_HOME", "XDG_CONFIG_HOME", "HF_HOME", "MPLCONFIGDIR"):
            env.pop(name, None)
        for argv in self.COMMANDS:
            result = subprocess.run(
                [sys.executable, "-m", "nlpguide", *argv],
                cwd=dirs["work"],
                env=env,
                capture_output=True,
                text=True,
                timeout=600,
                check=False,
            )
            assert result.returncode == (2 if argv == ("nonsense",) else 0), result.stderr
        assert _files_under(dirs["work"]) == set()
        assert _files_under(dirs["home"]) == set()
        assert _files_under(dirs["tmp"]) == set()
        assert any(p.suffix == ".safetensors" for p in dirs["cache"].rglob("*"))
