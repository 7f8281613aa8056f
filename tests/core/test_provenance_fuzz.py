"""Bad-input fuzzing of :mod:`nlpguide.provenance` (the contract: tests/fuzz_support.py)."""

from __future__ import annotations

import io
import json
import re
import tempfile
from collections.abc import Callable
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

from fuzz_support import JUNK, NON_STR, TEXT, WORDY, attempt, contract, draw_broken, fuzz, rejects
from hypothesis import given
from hypothesis import strategies as st

from nlpguide import provenance

HEX64 = re.compile(r"[0-9a-f]{64}")


class TestProvenance:
    @fuzz(200)
    @given(data=st.data())
    def test_record_model(self, data: st.DataObject) -> None:
        """record_model lists a model once under its loader, or names the bad argument."""
        provenance.clear()
        args: dict[str, Any] = {
            "loader": data.draw(WORDY, label="loader"),
            "model": data.draw(WORDY, label="model"),
            "hashes": data.draw(st.dictionaries(WORDY, WORDY, max_size=3), label="hashes"),
        }
        broken = draw_broken(data.draw, list(args), max_size=2)
        spoilers = {
            "loader": st.one_of(NON_STR, st.sampled_from(["", " ", "\t\n"])),
            "model": st.one_of(NON_STR, st.sampled_from(["", " "])),
            "hashes": st.one_of(
                JUNK.filter(lambda v: not isinstance(v, dict)),
                st.dictionaries(WORDY, NON_STR, min_size=1, max_size=2),
                st.dictionaries(st.integers(), WORDY, min_size=1, max_size=2),
                st.just({"weights": ""}),
            ),
        }
        for name in broken:
            args[name] = data.draw(spoilers[name], label=f"bad {name}")

        def sane(result: None) -> None:
            assert result is None
            entry = {"loader": args["loader"], "model": args["model"], "sha256": args["hashes"]}
            assert provenance.loaded_models().count(entry) == 1
            provenance.record_model(**args)
            assert provenance.loaded_models().count(entry) == 1

        contract(
            "nlpguide.provenance.record_model",
            lambda: provenance.record_model(**args),
            broken,
            sane,
            names={"hashes": r"hashes"},
        )
        if broken:
            assert provenance.loaded_models() == []
        provenance.clear()  # the record is process-wide: leave none behind

    @fuzz(100)
    @given(
        files=st.dictionaries(
            st.sampled_from(["a.json", "b.bin", "sub/c.txt", "__pycache__/x.pyc"]),
            st.binary(max_size=16),
            max_size=4,
        ),
        where=st.sampled_from(["folder", "str", "file", "missing"]),
    )
    def test_folder_sha256(self, files: dict[str, bytes], where: str) -> None:
        """folder_sha256 is one hex digest that ignores __pycache__, or a ValueError for no folder."""
        with tempfile.TemporaryDirectory() as root:
            folder = Path(root) / "pkg"
            for rel, content in {"meta.json": b"{}", **files}.items():
                (folder / rel).parent.mkdir(parents=True, exist_ok=True)
                (folder / rel).write_bytes(content)
            path: Any = {
                "folder": folder,
                "str": str(folder),
                "file": folder / "meta.json",
                "missing": folder / "nope",
            }[where]
            out = attempt(
                "nlpguide.provenance.folder_sha256", lambda: provenance.folder_sha256(path)
            )
            if where in {"folder", "str"}:
                assert out.ok, out.error
                assert HEX64.fullmatch(out.value)
                pyc = folder / "__pycache__" / "y.pyc"
                pyc.parent.mkdir(exist_ok=True)
                pyc.write_bytes(b"\0")
                assert provenance.folder_sha256(folder) == out.value
            else:
                assert isinstance(out.error, ValueError)
                assert "folder" in str(out.error)

    @fuzz(60)
    @given(folder=st.one_of(NON_STR, TEXT.map(lambda t: t + "\x00")))
    def test_folder_sha256_bad_path(self, folder: Any) -> None:
        """A folder that is no str or os.PathLike is a TypeError, a NUL in it a ValueError."""
        error = rejects(
            "nlpguide.provenance.folder_sha256",
            lambda: provenance.folder_sha256(folder),
            mentions="folder",
        )
        assert isinstance(error, ValueError if isinstance(folder, str) else TypeError)

    @fuzz(60)
    @given(extra=st.lists(JUNK, min_size=1, max_size=2))
    def test_no_argument_functions(self, extra: list[Any]) -> None:
        """clear, environment, loaded_models, page_record and show take no arguments."""
        checks: dict[str, tuple[Callable[[], Any], Callable[[Any], bool]]] = {
            "clear": (provenance.clear, lambda out: out is None),
            "environment": (
                provenance.environment,
                lambda out: all(isinstance(v, str) and v for v in out.values()),
            ),
            "loaded_models": (provenance.loaded_models, lambda out: isinstance(out, list)),
            "page_record": (
                provenance.page_record,
                lambda out: sorted(out) == ["environment", "executed_at", "models"],
            ),
            "show": (provenance.show, lambda out: out is None),
        }
        for name, (fn, sane) in checks.items():
            rejects(f"nlpguide.provenance.{name}", lambda fn=fn: fn(*extra), mentions=name)  # type: ignore[misc]
            printed = io.StringIO()
            with redirect_stdout(printed):
                out = attempt(f"nlpguide.provenance.{name}", fn)
            assert out.ok, out.error
            assert sane(out.value), (name, out.value)
            if name == "show":
                assert sorted(json.loads(printed.getvalue())) == sorted(provenance.page_record())
            else:
                assert printed.getvalue() == ""


#: Each public callable -> the test here that fuzzes it (tests/*/test_fuzz_coverage.py).
REGISTRY: dict[str, str] = {
    "nlpguide.provenance.record_model": "TestProvenance.test_record_model",
    "nlpguide.provenance.folder_sha256": "TestProvenance.test_folder_sha256",
    "nlpguide.provenance.clear": "TestProvenance.test_no_argument_functions",
    "nlpguide.provenance.environment": "TestProvenance.test_no_argument_functions",
    "nlpguide.provenance.loaded_models": "TestProvenance.test_no_argument_functions",
    "nlpguide.provenance.page_record": "TestProvenance.test_no_argument_functions",
    "nlpguide.provenance.show": "TestProvenance.test_no_argument_functions",
}
