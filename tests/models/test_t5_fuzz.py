"""Bad-input fuzzing of :mod:`nlpguide.models.t5`, the T5 runtime (the contract: tests/fuzz_support.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fuzz_support import (
    NON_SEQUENCE_OR_STR,
    NON_STR,
    PLAIN_WORD,
    TEXT,
    TEXT_OR_HUGE,
    UNTOUCHABLE_MODEL,
    UNTOUCHABLE_TOKENIZER,
    attempt,
    bad_count,
    fuzz,
    rejects,
)
from hypothesis import assume, given
from hypothesis import strategies as st

from nlpguide.models import t5 as t5_api

WORD_LISTS = st.lists(st.one_of(PLAIN_WORD, TEXT), max_size=8)
BAD_STR_LISTS = st.one_of(
    st.just("sport"),
    st.just(["a", None]),
    st.just([1, 2]),
    NON_SEQUENCE_OR_STR.filter(lambda v: not isinstance(v, str)),
)


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


#: Each public callable -> the test here that fuzzes it (tests/*/test_fuzz_coverage.py).
REGISTRY: dict[str, str] = {
    "nlpguide.models.t5.source_text": "TestT5.test_source_text",
    "nlpguide.models.t5.read_record": "TestT5.test_read_record",
    "nlpguide.models.t5.generate_texts": "TestT5WithModels.test_generate_texts_checks_first",
}
