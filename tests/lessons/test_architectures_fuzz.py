"""Bad-input fuzzing of :mod:`nlpguide.lessons.architectures` (the contract: tests/fuzz_support.py)."""

from __future__ import annotations

from typing import Any

from fuzz_support import JUNK, TEXT, attempt, fuzz, rejects
from hypothesis import given
from hypothesis import strategies as st
from matplotlib.figure import Figure

from nlpguide.lessons.architectures import SUPPORTED_MODEL_TYPES, describe, draw
from nlpguide.sizes import reference_config

BASES = ("bert-base-uncased", "t5-small", "gpt2", "SmolLM2-135M-Instruct")


class TestDescribe:
    @fuzz(150)
    @given(
        base=st.sampled_from(BASES),
        key=st.sampled_from(
            ["hidden_size", "num_hidden_layers", "num_attention_heads", "intermediate_size",
             "d_model", "num_layers", "num_heads", "d_ff", "d_kv", "n_embd", "n_layer",
             "num_key_value_heads", "vocab_size", "model_type"]
        ),
        value=st.one_of(st.integers(-3, 4096), JUNK, st.sampled_from(SUPPORTED_MODEL_TYPES)),
    )  # fmt: skip
    def test_one_field_spoiled(self, base: str, key: str, value: Any) -> None:
        """One changed field either gives positive sizes or a clear error naming a key."""
        config = reference_config(base) | {key: value}
        out = attempt("nlpguide.lessons.architectures.describe", lambda: describe(config))
        if out.ok:
            for stack in out.value.stacks:
                assert min(stack.layers, stack.heads, stack.kv_heads, stack.ffn) >= 1
        else:
            assert "config" in str(out.error) or "model" in str(out.error)

    @fuzz(60)
    @given(config=st.one_of(JUNK, TEXT))
    def test_junk_config(self, config: Any) -> None:
        """Junk is refused with a TypeError or ValueError, never an internal error."""
        out = attempt("nlpguide.lessons.architectures.describe", lambda: describe(config))
        assert not out.ok or isinstance(config, dict | str)


class TestDraw:
    @fuzz(40)
    @given(ax=JUNK.filter(lambda v: v is not None), title=st.one_of(st.none(), TEXT, JUNK))
    def test_bad_ax(self, ax: Any, title: Any) -> None:
        """Anything but an Axes for ax is a TypeError naming ax."""
        rejects("nlpguide.lessons.architectures.draw", lambda: draw("gpt2", ax=ax, title=title),
                "ax|title")  # fmt: skip

    @fuzz(30)
    @given(title=st.one_of(TEXT, JUNK))
    def test_title(self, title: Any) -> None:
        """A str or None title is drawn; anything else is refused naming title."""
        ax = Figure().add_subplot()
        out = attempt(
            "nlpguide.lessons.architectures.draw", lambda: draw("gpt2", ax=ax, title=title)
        )
        if out.ok:
            assert title is None or isinstance(title, str)
        else:
            assert "title" in str(out.error)


#: Each public callable -> the test here that fuzzes it (tests/*/test_fuzz_coverage.py).
#: Architecture and Stack are what describe() builds: fuzzed through it.
REGISTRY: dict[str, str] = {
    "nlpguide.lessons.architectures.Architecture": "TestDescribe.test_one_field_spoiled",
    "nlpguide.lessons.architectures.Stack": "TestDescribe.test_one_field_spoiled",
    "nlpguide.lessons.architectures.describe": "TestDescribe.test_junk_config",
    "nlpguide.lessons.architectures.draw": "TestDraw.test_bad_ax",
}
