"""Bad-input fuzzing of :mod:`nlpguide.models.decoding` (the contract: tests/fuzz_support.py)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from fuzz_support import (
    BAD_PROBABILITY,
    JUNK,
    NON_SEQUENCE_OR_STR,
    NON_STR,
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
from hypothesis.extra import numpy as hnp

from nlpguide.models import decoding

PROB = st.floats(0, 1)


def candidates() -> st.SearchStrategy[tuple[decoding.Candidate, ...]]:
    return st.lists(
        st.builds(decoding.Candidate, TEXT, st.integers(0, 50000), PROB), min_size=1, max_size=4
    ).map(lambda cs: tuple(sorted(cs, key=lambda c: -c.probability)))


class FakeChatTokenizer:
    """Records the messages a chat template would format."""

    def __init__(self) -> None:
        self.seen: list[Any] = []

    def apply_chat_template(self, messages: Any, **_kwargs: Any) -> dict[str, Any]:
        self.seen.append(messages)
        n = sum(len(m["content"]) for m in messages) + 1
        return {
            "input_ids": np.ones((1, n), dtype=np.int64),
            "attention_mask": np.ones((1, n), dtype=np.int64),
        }

    def decode(self, ids: Any, **_kwargs: Any) -> str:
        return " ".join(str(int(i)) for i in ids)


#: One prompt's token ids: a (1, n) array.
PROMPT_IDS = hnp.arrays(
    np.int64, st.tuples(st.just(1), st.integers(1, 6)), elements=st.integers(0, 99)
)


BAD_INPUTS = st.one_of(
    NON_STR,
    st.just({}),
    st.just({"attention_mask": np.ones((1, 2))}),
    st.just({"input_ids": [[1, 2]]}),
    st.just({"input_ids": np.ones(3, dtype=np.int64)}),
    st.just({"input_ids": np.ones((2, 3), dtype=np.int64)}),
    st.just({"input_ids": np.ones((1, 0), dtype=np.int64)}),
)


class TestDecoding:
    @fuzz(200)
    @given(
        token=st.one_of(TEXT, NON_STR),
        token_id=st.one_of(st.integers(0, 10**6), bad_count(0)),
        probability=st.one_of(PROB, BAD_PROBABILITY),
    )
    def test_candidate(self, token: Any, token_id: Any, probability: Any) -> None:
        """A Candidate is a str token, a non-negative id and a probability in [0, 1]."""
        out = attempt(
            "nlpguide.models.decoding.Candidate",
            lambda: decoding.Candidate(token, token_id, probability),
        )
        if out.ok:
            assert isinstance(token, str)
            assert isinstance(token_id, int)
            assert not isinstance(token_id, bool)
            assert token_id >= 0
            assert 0.0 <= float(probability) <= 1.0

    @fuzz(200)
    @given(
        step=st.one_of(st.integers(0, 100), bad_count(0)),
        cands=st.one_of(
            candidates(),
            candidates().map(lambda c: c[::-1]),
            st.just(()),
            st.just([1, 2]),
            NON_SEQUENCE_OR_STR,
        ),
    )
    def test_greedy_step(self, step: Any, cands: Any) -> None:
        """A GreedyStep holds candidates by falling probability; its margin is non-negative."""
        out = attempt(
            "nlpguide.models.decoding.GreedyStep", lambda: decoding.GreedyStep(step, cands)
        )
        if out.ok:
            assert out.value.chosen == cands[0]
            assert 0.0 <= out.value.margin <= 1.0

    @fuzz(150)
    @given(
        use_cache=st.one_of(st.booleans(), JUNK),
        new_tokens=st.one_of(st.integers(1, 100), bad_count(1)),
        seconds=st.one_of(
            st.lists(st.floats(0, 100), min_size=1, max_size=4).map(tuple),
            st.just(()),
            st.just((math.nan,)),
            st.just((-1.0,)),
            NON_SEQUENCE_OR_STR,
        ),
        token_ids=st.one_of(
            st.lists(st.integers(0, 100), max_size=4).map(tuple),
            st.just(("a",)),
            st.just((-1,)),
            NON_SEQUENCE_OR_STR,
        ),
    )
    def test_generation_timing(
        self, use_cache: Any, new_tokens: Any, seconds: Any, token_ids: Any
    ) -> None:
        """A GenerationTiming's median lies between its fastest and slowest run."""
        out = attempt(
            "nlpguide.models.decoding.GenerationTiming",
            lambda: decoding.GenerationTiming(use_cache, new_tokens, seconds, token_ids),
        )
        if out.ok:
            assert isinstance(use_cache, bool)
            assert isinstance(new_tokens, int)
            assert not isinstance(new_tokens, bool)
            assert all(isinstance(i, int) and i >= 0 for i in token_ids)
            assert min(seconds) <= out.value.median <= max(seconds)

    @fuzz(200)
    @given(token=st.one_of(TEXT_OR_HUGE, NON_STR))
    def test_show_token(self, token: Any) -> None:
        """show_token leaves no space, newline or tab visible as such."""
        out = attempt("nlpguide.models.decoding.show_token", lambda: decoding.show_token(token))
        if out.ok:
            assert not {" ", "\n", "\t"} & set(out.value)
            assert len(out.value) >= len(token)

    @fuzz(200)
    @given(
        messages=st.one_of(
            TEXT,
            st.lists(
                st.fixed_dictionaries(
                    {"role": st.sampled_from(["user", "assistant"]), "content": TEXT}
                ),
                max_size=3,
            ),
            st.just([{"role": None, "content": 5}]),
            st.just([{"role": "user"}]),
            st.just([{"role": "user", "content": "x", "extra": 1}]),
            st.just(["hello"]),
            NON_STR,
        ),
        system=st.one_of(st.none(), TEXT, NON_STR),
    )
    def test_chat_inputs(self, messages: Any, system: Any) -> None:
        """chat_inputs formats str roles and contents only, or rejects the messages unread."""
        tok = FakeChatTokenizer()
        out = attempt(
            "nlpguide.models.decoding.chat_inputs",
            lambda: decoding.chat_inputs(tok, messages, system=system),
        )
        if not out.ok:
            assert tok.seen == []
            return
        (sent,) = tok.seen
        assert all(isinstance(m["role"], str) and isinstance(m["content"], str) for m in sent)
        if not isinstance(messages, str):
            assert sent[len(sent) - len(messages) :] == [dict(m) for m in messages]
        if system is not None:
            assert sent[0] == {"role": "system", "content": system}
        if isinstance(messages, str):
            assert sent[-1] == {"role": "user", "content": messages}
        assert set(out.value) == {"input_ids", "attention_mask"}

    @fuzz(200)
    @given(
        trace=st.one_of(
            st.lists(
                st.builds(decoding.GreedyStep, st.integers(0, 50), candidates()),
                min_size=1,
                max_size=4,
            ),
            st.just([]),
            st.just([1]),
            st.just(["step"]),
            NON_SEQUENCE_OR_STR,
        )
    )
    def test_trace_markdown(self, trace: Any) -> None:
        """trace_markdown has a header, a rule and one row per step."""
        out = attempt(
            "nlpguide.models.decoding.trace_markdown", lambda: decoding.trace_markdown(trace)
        )
        if out.ok:
            assert len(out.value.splitlines()) == len(trace) + 2

    @fuzz(200)
    @given(data=st.data())
    def test_generated_text(self, data: st.DataObject) -> None:
        """generated_text decodes what follows the prompt, or rejects mismatched arrays."""
        prompt = data.draw(
            st.one_of(PROMPT_IDS, BAD_INPUTS.map(lambda v: ("bad", v))), label="prompt"
        )
        if isinstance(prompt, tuple):
            inputs, valid = prompt[1], False
        else:
            inputs, valid = {"input_ids": prompt}, True
        n = prompt.shape[1] if valid else 2
        output = data.draw(
            st.one_of(
                hnp.arrays(
                    np.int64,
                    st.tuples(st.just(1), st.integers(n, n + 5)),
                    elements=st.integers(0, 99),
                ),
                st.just(("bad", np.ones((1, max(n - 1, 0)), dtype=np.int64))),
                st.just(("bad", np.ones((2, n + 1), dtype=np.int64))),
                st.just(("bad", np.ones(n + 1, dtype=np.int64))),
                NON_STR.map(lambda v: ("bad", v)),
            ),
            label="output",
        )
        if isinstance(output, tuple):
            output, valid = output[1], False
        out = attempt(
            "nlpguide.models.decoding.generated_text",
            lambda: decoding.generated_text(FakeChatTokenizer(), inputs, output),
        )
        if valid:
            assert out.ok, out.error
            assert out.value == " ".join(str(i) for i in output[0, n:])
        else:
            assert not out.ok, out.value


@pytest.mark.models
class TestDecodingWithModels:
    @fuzz(150)
    @given(
        inputs=st.one_of(BAD_INPUTS, st.just("ok")),
        steps=st.one_of(st.integers(1, 5), bad_count(1)),
        top_k=st.one_of(st.integers(1, 5), bad_count(1)),
    )
    def test_greedy_trace_checks_first(self, inputs: Any, steps: Any, top_k: Any) -> None:
        """greedy_trace rejects bad inputs / steps / top_k before running the model."""
        import torch

        if inputs == "ok":
            assume(
                not (
                    isinstance(steps, int)
                    and not isinstance(steps, bool)
                    and steps >= 1
                    and isinstance(top_k, int)
                    and not isinstance(top_k, bool)
                    and top_k >= 1
                )
            )
            inputs = {"input_ids": torch.ones((1, 3), dtype=torch.long)}
        rejects(
            "nlpguide.models.decoding.greedy_trace",
            lambda: decoding.greedy_trace(
                UNTOUCHABLE_TOKENIZER, UNTOUCHABLE_MODEL, inputs, steps=steps, top_k=top_k
            ),
        )

    @fuzz(150)
    @given(
        inputs=st.one_of(BAD_INPUTS, st.just("ok")),
        use_cache=st.one_of(st.booleans(), JUNK),
        new_tokens=st.one_of(st.integers(1, 5), bad_count(1)),
        repeats=st.one_of(st.integers(1, 5), bad_count(1)),
    )
    def test_time_generation_checks_first(
        self, inputs: Any, use_cache: Any, new_tokens: Any, repeats: Any
    ) -> None:
        """time_generation rejects bad arguments before generating anything."""
        import torch

        if inputs == "ok":
            ok = isinstance(use_cache, bool) and all(
                isinstance(v, int) and not isinstance(v, bool) and v >= 1
                for v in (new_tokens, repeats)
            )
            assume(not ok)
            inputs = {"input_ids": torch.ones((1, 3), dtype=torch.long)}
        rejects(
            "nlpguide.models.decoding.time_generation",
            lambda: decoding.time_generation(
                UNTOUCHABLE_MODEL,
                inputs,
                use_cache=use_cache,
                new_tokens=new_tokens,
                repeats=repeats,
            ),
        )


#: Each public callable -> the test here that fuzzes it (tests/*/test_fuzz_coverage.py).
REGISTRY: dict[str, str] = {
    "nlpguide.models.decoding.Candidate": "TestDecoding.test_candidate",
    "nlpguide.models.decoding.GreedyStep": "TestDecoding.test_greedy_step",
    "nlpguide.models.decoding.GenerationTiming": "TestDecoding.test_generation_timing",
    "nlpguide.models.decoding.show_token": "TestDecoding.test_show_token",
    "nlpguide.models.decoding.chat_inputs": "TestDecoding.test_chat_inputs",
    "nlpguide.models.decoding.trace_markdown": "TestDecoding.test_trace_markdown",
    "nlpguide.models.decoding.generated_text": "TestDecoding.test_generated_text",
    "nlpguide.models.decoding.greedy_trace": "TestDecodingWithModels.test_greedy_trace_checks_first",
    "nlpguide.models.decoding.time_generation": "TestDecodingWithModels.test_time_generation_checks_first",
}
