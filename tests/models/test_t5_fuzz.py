"""Bad-input fuzzing of :mod:`nlpguide.models.t5`, the T5 runtime (the contract: tests/fuzz_support.py)."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import pytest
from fuzz_support import (
    JUNK,
    NON_SEQUENCE_OR_STR,
    NON_STR,
    TEXT,
    TEXT_OR_HUGE,
    UNTOUCHABLE_MODEL,
    UNTOUCHABLE_TOKENIZER,
    attempt,
    bad_count,
    contract,
    fuzz,
    rejects,
)
from hypothesis import assume, given
from hypothesis import strategies as st

from nlpguide.models import t5 as t5_api


class TestT5:
    @fuzz(200)
    @given(
        task=st.one_of(st.sampled_from(["topic", "headline"]), TEXT, NON_STR),
        title=st.one_of(TEXT, NON_STR),
        body=st.one_of(TEXT_OR_HUGE, NON_STR),
    )
    def test_source_text(self, task: Any, title: Any, body: Any) -> None:
        """source_text frames str title and body for a known task, or raises a clear error."""
        out = attempt(
            "nlpguide.models.t5.source_text", lambda: t5_api.source_text(task, title, body)
        )
        if out.ok:
            assert isinstance(title, str)
            assert isinstance(body, str)
            assert out.value.startswith(t5_api.TASK_PREFIXES[task])
            assert body in out.value

    @fuzz(80)
    @given(
        folder=st.one_of(
            st.sampled_from(
                ["", "no/such/folder", "a\x00b", "/", "__file__", "__bad_json__", "__list_json__"]
            ),
            NON_STR.filter(lambda v: not isinstance(v, bytes)),
        )
    )
    def test_read_record(self, folder: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
        """read_record reads a JSON object from a folder, or says the record is missing / bad."""
        if isinstance(folder, str) and folder == "__file__":
            folder = Path(__file__)
        elif isinstance(folder, str) and folder in ("__bad_json__", "__list_json__"):
            content = "{not json" if folder == "__bad_json__" else "[1, 2]"
            folder = tmp_path_factory.mktemp("record")
            (folder / "t5_record.json").write_text(content, encoding="utf-8")
        rejects(
            "nlpguide.models.t5.read_record",
            lambda: t5_api.read_record(folder),
            errors=(ValueError, TypeError, FileNotFoundError),
        )

    def test_read_record_valid(self) -> None:
        """The shipped record holds the training metrics."""
        out = attempt("nlpguide.models.t5.read_record", t5_api.read_record)
        assert out.ok
        assert "metrics" in out.value


@pytest.mark.models
class TestT5WithModels:
    @fuzz(150)
    @given(
        sources=st.one_of(
            st.lists(TEXT, max_size=2), st.just("one source"), st.just([None]), NON_SEQUENCE_OR_STR
        ),
        max_source_tokens=st.one_of(st.integers(2, 512), bad_count(2)),
        max_new_tokens=st.one_of(st.integers(1, 64), bad_count(1)),
        num_beams=st.one_of(st.integers(1, 4), bad_count(1)),
        batch_size=st.one_of(st.integers(1, 64), bad_count(1)),
    )
    def test_generate_texts_checks_first(
        self,
        sources: Any,
        max_source_tokens: Any,
        max_new_tokens: Any,
        num_beams: Any,
        batch_size: Any,
    ) -> None:
        """generate_texts rejects bad sources or sizes before the model is touched."""

        def positive(v: Any, low: int) -> bool:
            return isinstance(v, int) and not isinstance(v, bool) and v >= low

        valid = (
            isinstance(sources, list)
            and all(isinstance(s, str) for s in sources)
            and positive(max_source_tokens, 2)
            and positive(max_new_tokens, 1)
            and positive(num_beams, 1)
            and positive(batch_size, 1)
        )
        assume(not valid)
        rejects(
            "nlpguide.models.t5.generate_texts",
            lambda: t5_api.generate_texts(
                UNTOUCHABLE_TOKENIZER,
                UNTOUCHABLE_MODEL,
                sources,
                max_source_tokens=max_source_tokens,
                max_new_tokens=max_new_tokens,
                num_beams=num_beams,
                batch_size=batch_size,
            ),
        )


class TestRuntime:
    @fuzz(200)
    @given(
        task=st.one_of(st.sampled_from(["topic", "headline"]), TEXT, NON_STR),
        text=st.one_of(TEXT_OR_HUGE, NON_STR),
    )
    def test_frame_input(self, task: Any, text: Any) -> None:
        """frame_input puts a known task's prefix before non-blank text, or names the bad argument."""
        broken = set()
        if not (isinstance(task, str) and task in t5_api.TASK_PREFIXES):
            broken.add("task")
        if not (isinstance(text, str) and text.strip()):
            broken.add("text")

        def sane(framed: str) -> None:
            assert framed.startswith(t5_api.TASK_PREFIXES[task])
            assert framed.endswith(text)

        contract(
            "nlpguide.models.t5.frame_input",
            lambda: t5_api.frame_input(task, text),
            broken,
            sane,
        )

    @fuzz(200)
    @given(english=st.one_of(TEXT_OR_HUGE, NON_STR))
    def test_translate_source(self, english: Any) -> None:
        """translate_source puts T5's translate prefix before non-blank English, or names it."""
        broken = set() if isinstance(english, str) and english.strip() else {"english"}

        def sane(framed: str) -> None:
            assert framed.startswith("translate English to French: ")
            assert english in framed

        contract(
            "nlpguide.models.t5.translate_source",
            lambda: t5_api.translate_source(english),
            broken,
            sane,
        )

    @fuzz(120)
    @given(
        sources=st.one_of(
            st.lists(TEXT, max_size=2), st.just("one source"), st.just([None]), NON_SEQUENCE_OR_STR
        ),
        max_source_tokens=st.one_of(st.integers(2, 512), bad_count(2)),
    )
    def test_encode_sources_checks_first(self, sources: Any, max_source_tokens: Any) -> None:
        """encode_sources rejects bad sources or a bad length before the tokenizer is touched."""
        valid = (
            isinstance(sources, list)
            and all(isinstance(s, str) for s in sources)
            and isinstance(max_source_tokens, int)
            and not isinstance(max_source_tokens, bool)
            and max_source_tokens >= 2
        )
        assume(not valid)
        rejects(
            "nlpguide.models.t5.encode_sources",
            lambda: t5_api.encode_sources(UNTOUCHABLE_TOKENIZER, sources, max_source_tokens),
        )

    @fuzz(60)
    @given(
        folder=st.one_of(
            st.sampled_from(["", "no/such/folder", "a\x00b", "/", "__file__", "__empty__"]),
            NON_STR.filter(lambda v: not isinstance(v, bytes)),
        )
    )
    def test_folders(self, folder: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
        """load_tokenizer, load_t5 and export_t5 reject a folder that is no T5 artefact, loading nothing."""
        if isinstance(folder, str) and folder == "__file__":
            folder = Path(__file__)
        elif isinstance(folder, str) and folder == "__empty__":
            folder = tmp_path_factory.mktemp("empty")
        dst = tmp_path_factory.mktemp("export")
        for target, call in (
            ("nlpguide.models.t5.load_tokenizer", lambda: t5_api.load_tokenizer(folder)),
            ("nlpguide.models.t5.load_t5", lambda: t5_api.load_t5(folder)),
            ("nlpguide.models.t5.export_t5", lambda: t5_api.export_t5(folder, dst)),
        ):
            rejects(target, call, errors=(TypeError, ValueError, FileNotFoundError))
        assert not any(dst.iterdir())

    def test_valid_folder(self) -> None:
        """The shipped folder loads: T5's special ids, and an fp32 model in eval mode."""
        out = attempt(
            "nlpguide.models.t5.load_tokenizer", lambda: t5_api.load_tokenizer(t5_api.ARTEFACT_DIR)
        )
        assert out.ok
        assert (out.value.pad_token_id, out.value.eos_token_id) == (0, 1)
        out = attempt("nlpguide.models.t5.load_t5", t5_api.load_t5)
        assert out.ok
        assert not out.value[1].training

    @fuzz(30)
    @given(extra=st.lists(JUNK, min_size=1, max_size=2))
    def test_quiet_progress(self, extra: list[Any]) -> None:
        """quiet_progress takes no arguments; without any it hides the bars and restores them."""
        from transformers.utils import logging

        rejects(
            "nlpguide.models.t5.quiet_progress",
            lambda: t5_api.quiet_progress(*extra),
            mentions="quiet_progress",
        )
        with warnings.catch_warnings():
            # The hub's own bars stay off under HF_HUB_DISABLE_PROGRESS_BARS, and it says so.
            warnings.filterwarnings("ignore", "Cannot enable progress bars", UserWarning)
            before = logging.is_progress_bar_enabled()
            logging.enable_progress_bar()
            out = attempt("nlpguide.models.t5.quiet_progress", t5_api.quiet_progress)
            assert out.ok
            with out.value:
                assert not logging.is_progress_bar_enabled()
            assert logging.is_progress_bar_enabled()
            if not before:  # leave the switch as the session had it
                logging.disable_progress_bar()


#: Each public callable -> the test here that fuzzes it (tests/*/test_fuzz_coverage.py).
REGISTRY: dict[str, str] = {
    "nlpguide.models.t5.frame_input": "TestRuntime.test_frame_input",
    "nlpguide.models.t5.encode_sources": "TestRuntime.test_encode_sources_checks_first",
    "nlpguide.models.t5.load_tokenizer": "TestRuntime.test_folders",
    "nlpguide.models.t5.load_t5": "TestRuntime.test_folders",
    "nlpguide.models.t5.export_t5": "TestRuntime.test_folders",
    "nlpguide.models.t5.quiet_progress": "TestRuntime.test_quiet_progress",
    "nlpguide.models.t5.source_text": "TestT5.test_source_text",
    "nlpguide.models.t5.translate_source": "TestRuntime.test_translate_source",
    "nlpguide.models.t5.read_record": "TestT5.test_read_record",
    "nlpguide.models.t5.generate_texts": "TestT5WithModels.test_generate_texts_checks_first",
}
