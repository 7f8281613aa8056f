"""Hostile inputs for the command line's any-input tests (tests/core/test_cli.py).

The argument-check contract of every public callable lives in the
``test_arguments.py`` table of each layer (tests/argument_contract.py); this module
holds only the hypothesis strategies and the ``rejects`` check that the CLI's
property tests draw on: unicode of every category, huge text, junk of every type,
model names and configs.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from nlpguide import choose

# --------------------------------------------------------------------------- settings

settings.register_profile(
    "nlpguide-fuzz",
    derandomize=True,  # the same examples on every run: CI is reproducible
    database=None,
    deadline=None,
    print_blob=False,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)
FUZZ = settings.get_profile("nlpguide-fuzz")


def fuzz(max_examples: int) -> settings:
    """The fuzz profile with a per-test example budget."""
    return settings(FUZZ, max_examples=max_examples)


# Python's own complaints: an error that reads like this escaped from inside a function
# instead of being raised by its argument checks.
_INTERNAL = re.compile(
    r"unhashable type|object is not (iterable|subscriptable|callable)|not supported between"
    r"|has no attribute|unsupported operand|expected string or bytes-like|slice indices must"
    r"|cannot be interpreted as an integer|argument of type .* is not iterable|has no len\(\)"
    r"|values to unpack|index out of range|can only concatenate|must be real number, not"
    r"|too large to convert|cannot convert float|float\(\) argument must be"
    r"|could not convert|int\(\) argument must be|invalid literal for int"
    r"|not in tuple|is not in list|Exceeds the limit .* for integer string conversion"
)

BAD_INPUT = (ValueError, TypeError)


def _clear(err: BaseException) -> str:
    message = str(err)
    assert message.strip(), f"{type(err).__name__} without a message"
    assert not _INTERNAL.search(message), f"unclear {type(err).__name__}: {message}"
    return message


@dataclass(frozen=True)
class Outcome:
    """What one fuzzed call did: returned ``value`` or raised the allowed ``error``."""

    ok: bool
    value: Any = None
    error: BaseException | None = None


def attempt(
    call: Callable[[], Any], errors: tuple[type[BaseException], ...] = BAD_INPUT
) -> Outcome:
    """Run one case; an allowed error must be a clear one."""
    try:
        return Outcome(True, call())
    except errors as err:
        _clear(err)
        return Outcome(False, error=err)


def rejects(
    target: str,
    call: Callable[[], Any],
    mentions: str | None = None,
    errors: tuple[type[BaseException], ...] = BAD_INPUT,
) -> BaseException:
    """The call must raise an allowed, clear error (naming ``mentions`` when given)."""
    out = attempt(call, errors)
    assert not out.ok, f"{target} accepted bad input and returned {out.value!r}"
    assert out.error is not None
    if mentions is not None:
        assert re.search(mentions, str(out.error)), (
            f"{target}: the error does not name {mentions!r}: {out.error}"
        )
    return out.error


# --------------------------------------------------------------------------- strategies

ANY_CHAR = st.characters(exclude_categories=())  # surrogates, controls, private use too
NASTY = [
    "",
    " ",
    "\t\n \r",
    "\x00",
    "\u202e\u202dabc",  # right-to-left / left-to-right overrides
    "\u200f\u05e9\u05dc\u05d5\u05dd",  # right-to-left mark, Hebrew
    "\ud800",  # lone surrogates
    "x\udcff y",
    "\ufeff",
    "e\u0301",
    "\u0130\u00df\ufb03",  # İ ß ﬃ: case mapping changes the length
    "\U0001f642" * 3,
    "a\nb",
    "{}",
    "{0}",
    "{labels.x}",
    "%s",
    "--",
    "-1",
    "nan",
    "\\",
    "|",
    "`",
    "<b>",
    "[MASK]",
    "<extra_id_0>",
    "\u0663",  # ARABIC-INDIC DIGIT THREE: float() reads it as 3
]
HUGE_TEXT = "lorem ipsum dolor sit amet, " * 8000  # 224k characters
TEXT = st.one_of(st.text(ANY_CHAR, max_size=30), st.sampled_from(NASTY))

HUGE_INT = 10**400
JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(),
    st.complex_numbers(max_magnitude=1e3),
    st.binary(max_size=8),
    st.lists(st.integers(-3, 3), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    st.sampled_from(
        [
            (),
            object(),
            Ellipsis,
            HUGE_INT,
            Fraction(1, 3),
            frozenset({1}),
            np.float64("nan"),
            np.int64(3),
            np.bool_(True),
            np.array([1, 2]),
            np.str_("abc"),
        ]
    ),
)
NON_STR = JUNK.filter(lambda v: not isinstance(v, str))

MODEL_NAMES = st.one_of(
    st.sampled_from(choose.known_models()),
    st.sampled_from(choose.known_models()).map(lambda n: n.rpartition("/")[2].upper()),
)


# --------------------------------------------------------------------------- model configs


def model_configs(
    model_type: str, dim: st.SearchStrategy[int]
) -> st.SearchStrategy[dict[str, Any]]:
    """Consistent configs of one model_type, with dims drawn from ``dim``."""

    @st.composite
    def build(draw: Any) -> dict[str, Any]:
        heads, head_dim = draw(st.integers(1, 8)), draw(dim)
        width = heads * head_dim
        d: dict[str, Any] = {"model_type": model_type}
        if model_type in {"bert", "roberta", "electra", "albert"}:
            d |= {"hidden_size": width, "num_attention_heads": heads}
            for k in (
                "num_hidden_layers",
                "intermediate_size",
                "vocab_size",
                "max_position_embeddings",
                "type_vocab_size",
            ):
                d[k] = draw(dim)
            if model_type in {"electra", "albert"}:
                d["embedding_size"] = draw(dim)
            if model_type == "albert":
                d["num_hidden_groups"] = draw(st.sampled_from([1, 2, None]))
                d["inner_group_num"] = draw(st.sampled_from([1, 2, None]))
        elif model_type == "distilbert":
            d |= {"dim": width, "n_heads": heads}
            for k in ("n_layers", "hidden_dim", "vocab_size", "max_position_embeddings"):
                d[k] = draw(dim)
            d["sinusoidal_pos_embds"] = draw(st.sampled_from([True, False, None]))
        elif model_type in {"t5", "mt5", "umt5"}:
            d |= {"d_model": draw(dim), "d_kv": head_dim, "num_heads": heads}
            for k in ("d_ff", "vocab_size", "num_layers"):
                d[k] = draw(dim)
            d["feed_forward_proj"] = draw(st.sampled_from(["relu", "gated-gelu", None]))
            d["tie_word_embeddings"] = draw(st.sampled_from([True, False, None]))
        elif model_type in {"bart", "mbart", "marian"}:
            d |= {
                "d_model": width,
                "encoder_attention_heads": heads,
                "decoder_attention_heads": heads,
            }
            for k in (
                "vocab_size",
                "max_position_embeddings",
                "encoder_layers",
                "decoder_layers",
                "encoder_ffn_dim",
                "decoder_ffn_dim",
            ):
                d[k] = draw(dim)
            if model_type == "marian" and draw(st.booleans()):
                d["share_encoder_decoder_embeddings"] = False
                d["decoder_vocab_size"] = draw(dim)
        elif model_type == "gpt2":
            d |= {"n_embd": width, "n_head": heads}
            for k in ("n_layer", "vocab_size", "n_positions"):
                d[k] = draw(dim)
        else:  # the LLaMA family: an explicit head_dim frees hidden_size from the heads
            kv = draw(st.sampled_from([h for h in range(1, heads + 1) if heads % h == 0]))
            d |= {"num_attention_heads": heads, "num_key_value_heads": kv}
            if draw(st.booleans()) or model_type == "gemma":  # gemma's default head_dim is 256
                d |= {"hidden_size": draw(dim), "head_dim": head_dim}
            else:
                d["hidden_size"] = width
            for k in ("num_hidden_layers", "intermediate_size", "vocab_size"):
                d[k] = draw(dim)
        return d

    return build()


BIG_DIM = st.one_of(st.integers(1, 64), st.sampled_from([10**6, 10**30, 10**120]))
CONFIGS = st.sampled_from(choose.SUPPORTED_MODEL_TYPES).flatmap(lambda t: model_configs(t, BIG_DIM))
# --------------------------------------------------------------------------- records
