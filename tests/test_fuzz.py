"""Bad-input fuzzing of every public function and CLI command (issue #7, item 3).

Every callable in the ``__all__`` of nlpguide's public modules is called with
hypothesis-generated input: wrong types (None, bytes, floats, lists, dicts, bools
where ints are wanted), empty and whitespace strings, huge strings and arrays,
arbitrary unicode (lone surrogates, control characters, right-to-left marks),
negative / NaN / infinite / >1 probabilities, out-of-range ids and unknown names.
The contract checked everywhere:

- valid input gives a result that passes a basic sanity check;
- bad input raises ``ValueError`` or ``TypeError`` (or the documented
  ``FileNotFoundError`` / ``FileExistsError``) whose message is not empty and is
  not one of Python's internal complaints (``unhashable type``, ``has no
  attribute``, ...); where exactly one argument is bad, the message names it;
- anything else (``AttributeError``, ``KeyError``, ``OverflowError``, ...) is a bug.

The CLI (``nlpguide.cli.main``) must exit 0, or 2 with exactly one
``nlpguide: error:`` line on stderr and nothing on stdout.

Functions that run real models get invalid input only, with stand-in models that
fail the test if they are touched: the arguments must be checked first. Every call
counts as one case; the total is printed at the end of the run (see conftest.py).
:data:`REGISTRY` maps each public callable to its test, and
:class:`TestCoverage` fails when a public callable has none.
"""

from __future__ import annotations

import contextlib
import importlib
import inspect
import io
import json
import math
import os
import random
import re
import string
import sys
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, fields
from fractions import Fraction
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from nlpguide import choose, cli, data, mlm, text2text
from nlpguide.models import decoding, finetune, retrieval, zero_shot
from nlpguide.models import t5 as t5_api

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


# --------------------------------------------------------------------------- counting

#: Calls made per target during this module's run; added to the session tally.
CASES: Counter[str] = Counter()


@pytest.fixture(scope="module", autouse=True)
def _report_cases(fuzz_tally: Counter[str]) -> Iterator[None]:
    """Hand this module's case counts to the session summary (conftest.py)."""
    yield
    fuzz_tally.update(CASES)
    CASES.clear()


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
    target: str, call: Callable[[], Any], errors: tuple[type[BaseException], ...] = BAD_INPUT
) -> Outcome:
    """Count one case of ``target`` and run it; an allowed error must be a clear one."""
    CASES[target] += 1
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
    out = attempt(target, call, errors)
    assert not out.ok, f"{target} accepted bad input and returned {out.value!r}"
    assert out.error is not None
    if mentions is not None:
        assert re.search(mentions, str(out.error)), (
            f"{target}: the error does not name {mentions!r}: {out.error}"
        )
    return out.error


def contract(
    target: str,
    call: Callable[[], Any],
    broken: set[str] | frozenset[str],
    sanity: Callable[[Any], None],
    *,
    names: Mapping[str, str] | None = None,
    allowed_when_valid: str | None = None,
    errors: tuple[type[BaseException], ...] = BAD_INPUT,
) -> Outcome:
    """Valid arguments (``broken`` empty) must work; bad ones must be rejected clearly.

    With exactly one bad argument the message must name it (``names`` maps an
    argument to a regex when the message words it differently).
    ``allowed_when_valid`` is a documented ValueError that valid-looking input may
    still meet (e.g. span corruption's "cannot build this mask").
    """
    out = attempt(target, call, errors)
    if not broken:
        if not out.ok and allowed_when_valid and re.search(allowed_when_valid, str(out.error)):
            return out
        assert out.ok, f"{target} rejected valid input: {out.error!r}"
        sanity(out.value)
        return out
    assert not out.ok, f"{target} accepted bad {sorted(broken)} and returned {out.value!r}"
    if len(broken) == 1:
        (name,) = broken
        pattern = (names or {}).get(name, re.escape(name))
        assert re.search(pattern, str(out.error)), (
            f"{target}: bad {name} but the error does not name it: {out.error}"
        )
    return out


def draw_broken(draw: Any, candidates: list[str], max_size: int = 2) -> frozenset[str]:
    """Which arguments to spoil in this example (often none, so valid input runs too)."""
    return frozenset(draw(st.sets(st.sampled_from(candidates), max_size=max_size), label="broken"))


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
TEXT_OR_HUGE = st.one_of(TEXT, st.just(HUGE_TEXT))
WORDY = st.text(ANY_CHAR, min_size=1, max_size=30).filter(lambda s: s.strip() != "")
PLAIN_WORD = st.text(string.ascii_lowercase, min_size=1, max_size=8)

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
NON_SEQUENCE_OR_STR = st.one_of(
    st.none(),
    st.integers(),
    st.floats(),
    st.text(max_size=5),
    st.binary(max_size=5),
    st.just({"a": 1}),
    st.just(object()),
)

BAD_PROBABILITY = st.one_of(
    st.floats().filter(lambda x: not 0.0 <= x <= 1.0),
    st.sampled_from([math.nan, math.inf, -math.inf, -1e-300, 1 + 1e-9, 2, -1, HUGE_INT, -HUGE_INT]),
    st.sampled_from([True, False, None, "0.5", 0.5j, [0.5], np.float64("nan"), b"0"]),
)


def bad_count(minimum: int) -> st.SearchStrategy[Any]:
    """Not an int >= minimum: too small, bools, floats, numeric strings, None, ..."""
    return st.one_of(
        st.integers(minimum - 10**6, minimum - 1),
        st.sampled_from([True, False, 1.0, 2.5, math.nan, math.inf, "3", None, [3], 3j]),
    )


# --------------------------------------------------------------------------- stand-ins


class Untouchable:
    """A model or tokenizer that fails the test if the code under test uses it.

    Argument checks must come first: any attribute read or call here means the
    function started real work on input it should have rejected.
    """

    def __init__(self, what: str) -> None:
        object.__setattr__(self, "_what", what)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):  # introspection (pytest, inspect), not use
            raise AttributeError(name)
        raise AssertionError(f"{self._what}.{name} was used before the arguments were checked")

    def __call__(self, *_args: Any, **_kwargs: Any) -> Any:
        raise AssertionError(f"{self._what} was called before the arguments were checked")

    def __getitem__(self, key: Any) -> Any:
        raise AssertionError(f"{self._what}[{key!r}] was read before the arguments were checked")

    def __repr__(self) -> str:
        return f"<untouchable {self._what}>"


UNTOUCHABLE_TOKENIZER = Untouchable("tokenizer")
UNTOUCHABLE_MODEL = Untouchable("model")


# ============================================================================ nlpguide


class TestPackage:
    @fuzz(150)
    @given(name=st.one_of(st.sampled_from(["choose", "mlm", "models", "__version__"]), TEXT))
    def test_lazy_attributes(self, name: str) -> None:
        """A public submodule loads on access; any other name raises AttributeError naming it."""
        import nlpguide

        CASES["nlpguide.__getattr__"] += 1
        try:
            out = Outcome(True, getattr(nlpguide, name))
        except AttributeError as err:  # the contract of a module's __getattr__
            out = Outcome(False, error=err)
        if out.ok:
            assert (
                name in nlpguide.__all__ or hasattr(type(nlpguide), name) or name in vars(nlpguide)
            )
        else:
            assert repr(name) in str(out.error)


# ============================================================================ mlm


def id_arrays(vocab: int) -> st.SearchStrategy[np.ndarray]:
    """Valid 1-D or 2-D id arrays (some empty) whose ids are below ``vocab``."""
    fitting = [
        dt
        for dt in (np.int64, np.int32, np.int16, np.uint16, np.uint8, np.int8)
        if np.iinfo(dt).max >= vocab - 1  # random replacements must fit the dtype
    ]
    dtypes = st.sampled_from(fitting)
    return hnp.arrays(
        dtypes,
        hnp.array_shapes(min_dims=1, max_dims=2, min_side=0, max_side=7),
        elements=st.integers(0, min(vocab - 1, 127)),
    )


def bad_id_arrays(vocab: int) -> st.SearchStrategy[Any]:
    """Not a 1-D/2-D integer array of ids in [0, vocab)."""
    return st.one_of(
        st.just(np.array([0, vocab, 1])),
        st.just(np.array([[1, -1]])),
        st.just(np.array([[-(2**62), 0]])),
        st.just(np.zeros((2, 2, 2), dtype=np.int64)),
        st.just(np.array(3)),
        st.just(np.array([0.0, 1.0])),
        st.just(np.array([True, False])),
        st.just(np.array(["1", "2"])),
        st.just(np.array([1, 2], dtype=object)),
        st.just([1, 2, 3]),
        NON_STR.filter(lambda v: not isinstance(v, np.ndarray)),
    )


def flag_arrays(shape: tuple[int, ...]) -> st.SearchStrategy[Any]:
    """Valid special-token / attention masks for ``shape``: None, bool or 0/1 ints."""
    return st.one_of(
        st.none(),
        hnp.arrays(np.bool_, shape),
        hnp.arrays(np.int64, shape, elements=st.integers(0, 1)),
    )


def bad_flag_arrays(shape: tuple[int, ...]) -> st.SearchStrategy[Any]:
    """Masks of the wrong shape, type or values."""
    wrong_shape = (*shape, 1) if len(shape) < 2 else (shape[0] + 1, *shape[1:])
    return st.one_of(
        st.just(np.ones(wrong_shape, dtype=bool)),
        st.just(np.full(shape, 2, dtype=np.int64)) if math.prod(shape) else st.nothing(),
        st.just(np.full(shape, -1, dtype=np.int8)) if math.prod(shape) else st.nothing(),
        st.just(np.zeros(shape, dtype=np.float64)),
        st.just(np.zeros(shape, dtype=np.int64).tolist()),
        st.sampled_from([1, "mask", b"\x01", 0.5]),
    )


def rngs() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.none(),
        st.integers(0, 2**128),
        st.builds(np.random.default_rng, st.integers(0, 100)),
        st.just(np.uint32(7)),
    )


BAD_RNG = st.one_of(
    st.integers(max_value=-1),
    st.sampled_from([True, 1.5, "0", [0], np.random.RandomState(0), math.nan, b"\x00"]),
)


def _masking_args(draw: Any, *, whole_words: bool) -> tuple[dict[str, Any], frozenset[str]]:
    """Arguments for mask_tokens / whole_word_mask with up to two of them spoiled."""
    names = [
        "vocab_size",
        "input_ids",
        "mask_token_id",
        "special_tokens_mask",
        "attention_mask",
        "mlm_probability",
        "mask_replace_prob",
        "random_replace_prob",
        "strategy",
        "max_predictions",
        "rng",
    ]
    if whole_words:
        names += ["words", "per_word_decision"]
    broken = draw_broken(draw, names)

    def pick(name: str, good: st.SearchStrategy[Any], bad: st.SearchStrategy[Any]) -> Any:
        return draw(bad if name in broken else good, label=name)

    vocab = pick("vocab_size", st.integers(1, 300), st.one_of(bad_count(1), st.just(2**70)))
    v = 50 if "vocab_size" in broken else vocab
    ids = pick("input_ids", id_arrays(v), bad_id_arrays(v))
    shape = ids.shape if isinstance(ids, np.ndarray) and ids.ndim in (1, 2) else (3,)
    m = pick("mask_replace_prob", st.floats(0, 1), BAD_PROBABILITY)
    room = 1.0 - m if isinstance(m, float) and 0 <= m <= 1 else 1.0
    strategy = pick(
        "strategy",
        st.sampled_from(["bernoulli", "fixed"]),
        st.one_of(st.sampled_from(["Fixed", "random", "", None, 1, ["fixed"]]), TEXT),
    )
    args: dict[str, Any] = {
        "input_ids": ids,
        "vocab_size": vocab,
        "mask_token_id": pick(
            "mask_token_id",
            st.integers(0, v - 1),
            st.one_of(st.just(v), st.just(-1), st.just(True), st.just(1.0), st.just("0")),
        ),
        "special_tokens_mask": pick(
            "special_tokens_mask", flag_arrays(shape), bad_flag_arrays(shape)
        ),
        "attention_mask": pick("attention_mask", flag_arrays(shape), bad_flag_arrays(shape)),
        "mlm_probability": pick("mlm_probability", st.floats(0, 1), BAD_PROBABILITY),
        "mask_replace_prob": m,
        "random_replace_prob": pick("random_replace_prob", st.floats(0, room), BAD_PROBABILITY),
        "strategy": strategy,
        "max_predictions": pick(
            "max_predictions",
            st.integers(1, 10) if strategy == "fixed" else st.none(),
            bad_count(1),
        ),
        "rng": pick("rng", rngs(), BAD_RNG),
    }
    if whole_words:
        rows = shape[0] if len(shape) == 2 else 1
        cols = shape[-1]
        token_rows = st.lists(
            st.lists(
                st.sampled_from(["[CLS]", "[SEP]", "[PAD]", "un", "##able", "cat", "##s"]),
                min_size=cols,
                max_size=cols,
            ),
            min_size=rows,
            max_size=rows,
        )
        id_rows = st.lists(
            st.lists(st.one_of(st.none(), st.integers(-1, 3)), min_size=cols, max_size=cols),
            min_size=rows,
            max_size=rows,
        )
        one_d = len(shape) == 1
        good_words = st.one_of(
            token_rows.map(lambda t: {"tokens": t[0] if one_d else t}),
            id_rows.map(lambda w: {"word_ids": w[0] if one_d else w}),
        )
        bad_words = st.one_of(
            st.just({}),
            st.just({"tokens": ["a"] * cols, "word_ids": [0] * cols}),
            st.just({"tokens": "not a list"}),
            st.just({"tokens": [1] * max(cols, 1)}),
            st.just({"word_ids": [-2] * max(cols, 1)}),
            st.just({"word_ids": [0.5] * max(cols, 1)}),
            st.just({"word_ids": np.zeros((9, 9, 9), dtype=np.int64)}),
            st.just({"tokens": ["a"] * (cols + 1)}),
        )
        args.update(draw(bad_words if "words" in broken else good_words, label="words"))
        args["per_word_decision"] = pick(
            "per_word_decision", st.booleans(), st.sampled_from([1, 0, None, "yes", np.bool_(1)])
        )
    return args, broken


MASKING_NAMES = {
    "words": r"tokens|word_ids",
    "strategy": r"strategy",
    "max_predictions": r"max_predictions",
    "input_ids": r"input_ids",
    "vocab_size": r"vocab_size",
    "per_word_decision": r"per_word_decision",
}


def _check_masked(args: dict[str, Any], out: mlm.MaskedBatch) -> None:
    """Shape, dtype, labels and untouched positions of a masking result."""
    ids = args["input_ids"]
    assert out.input_ids.shape == ids.shape == out.labels.shape
    assert out.input_ids.dtype == ids.dtype
    assert out.labels.dtype == np.int64
    selected = out.labels != mlm.IGNORE_INDEX
    assert np.array_equal(out.labels[selected], ids[selected])
    assert np.array_equal(out.input_ids[~selected], ids[~selected])
    assert out.input_ids.size == 0 or int(out.input_ids.max()) < args["vocab_size"]
    for name in ("special_tokens_mask",):
        if args[name] is not None:
            assert not selected[args[name].astype(bool)].any()
    if args["attention_mask"] is not None:
        assert not selected[~args["attention_mask"].astype(bool)].any()


class TestMlm:
    @fuzz(300)
    @given(data=st.data())
    def test_mask_tokens(self, data: st.DataObject) -> None:
        """mask_tokens masks consistently, or rejects the one bad argument by name."""
        args, broken = _masking_args(data.draw, whole_words=False)
        contract(
            "nlpguide.mlm.mask_tokens",
            lambda: mlm.mask_tokens(**args),
            broken,
            lambda out: _check_masked(args, out),
            names=MASKING_NAMES,
        )

    @fuzz(250)
    @given(data=st.data())
    def test_whole_word_mask(self, data: st.DataObject) -> None:
        """whole_word_mask masks consistently, or rejects the one bad argument by name."""
        args, broken = _masking_args(data.draw, whole_words=True)
        contract(
            "nlpguide.mlm.whole_word_mask",
            lambda: mlm.whole_word_mask(**args),
            broken,
            lambda out: _check_masked(args, out),
            names=MASKING_NAMES,
        )

    def test_huge_batch(self) -> None:
        """A million-token batch masks in one call without error."""
        ids = (np.arange(1_000_000, dtype=np.int64) % 30000).reshape(1000, 1000)
        out = attempt(
            "nlpguide.mlm.mask_tokens",
            lambda: mlm.mask_tokens(ids, mask_token_id=103, vocab_size=30522, rng=0),
        )
        assert out.ok
        assert 0.14 < out.value.num_selected / ids.size < 0.16

    @fuzz(250)
    @given(data=st.data())
    def test_simulate_mlm(self, data: st.DataObject) -> None:
        """simulate_mlm selects max(1, round(n * rate)) words, or names its bad argument."""
        broken = draw_broken(
            data.draw, ["sentence", "mask_rate", "mask_replace_prob", "random_replace_prob", "rng"]
        )

        def pick(name: str, good: Any, bad: Any) -> Any:
            return data.draw(bad if name in broken else good, label=name)

        sentence = pick(
            "sentence",
            st.one_of(TEXT_OR_HUGE.filter(lambda s: bool(mlm._WORD_RE.findall(s))), WORDY),
            st.one_of(NON_STR, st.sampled_from(["", "   ", "\t\n"])),
        )
        assume("sentence" in broken or mlm._WORD_RE.findall(sentence))
        m = pick("mask_replace_prob", st.floats(0, 1), BAD_PROBABILITY)
        kwargs = {
            "mask_rate": pick("mask_rate", st.floats(0, 1), BAD_PROBABILITY),
            "mask_replace_prob": m,
            "random_replace_prob": pick(
                "random_replace_prob",
                st.floats(0, 1.0 - m if isinstance(m, float) and 0 <= m <= 1 else 1.0),
                BAD_PROBABILITY,
            ),
            "rng": pick("rng", rngs(), BAD_RNG),
        }

        def sane(sim: mlm.MLMSimulation) -> None:
            n = len(sim.words)
            assert n == len(mlm._WORD_RE.findall(sentence))
            rate = kwargs["mask_rate"]
            assert len(sim.selected_positions) == min(n, max(1, round(n * rate)))
            assert str(sim).startswith("original: ")
            if n < 1000:
                assert len(sim.to_markdown().splitlines()) == n + 2

        contract(
            "nlpguide.mlm.simulate_mlm",
            lambda: mlm.simulate_mlm(sentence, **kwargs),
            broken,
            sane,
            names={"sentence": "sentence", "mask_rate": "mask_rate"},
        )

    @fuzz(200)
    @given(data=st.data())
    def test_masked_batch(self, data: st.DataObject) -> None:
        """MaskedBatch holds an int id array and int64 labels of one shape, or says which is wrong."""
        shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=2, max_side=5), label="shape")
        broken = draw_broken(data.draw, ["input_ids", "labels"])
        good_ids = hnp.arrays(np.int64, shape, elements=st.integers(0, 99))
        good_labels = hnp.arrays(
            np.int64, shape, elements=st.one_of(st.just(mlm.IGNORE_INDEX), st.integers(0, 99))
        )

        def bad(extra: int) -> st.SearchStrategy[Any]:  # another extra axis for each argument
            return st.one_of(
                NON_STR.filter(lambda v: not isinstance(v, np.ndarray)),
                st.just(np.zeros((*shape, extra), dtype=np.int64)),
                st.just(np.zeros(shape, dtype=np.float64)),
                st.just(np.zeros(shape, dtype=bool)),
            )

        ids = data.draw(bad(2) if "input_ids" in broken else good_ids, label="input_ids")
        labels = data.draw(bad(3) if "labels" in broken else good_labels, label="labels")

        def sane(batch: mlm.MaskedBatch) -> None:
            assert batch.selected.shape == shape
            assert batch.num_selected == int(np.count_nonzero(labels != mlm.IGNORE_INDEX))

        contract("nlpguide.mlm.MaskedBatch", lambda: mlm.MaskedBatch(ids, labels), broken, sane)

    @fuzz(200)
    @given(data=st.data())
    def test_mlm_simulation(self, data: st.DataObject) -> None:
        """MLMSimulation accepts consistent words/decisions and renders them, else says why."""
        one_word = st.text(ANY_CHAR, min_size=1, max_size=8).filter(lambda w: w.split() == [w])
        words = data.draw(st.lists(one_word, min_size=0, max_size=6), label="words")
        decisions = data.draw(
            st.lists(
                st.sampled_from([None, "mask", "random", "keep"]),
                min_size=len(words),
                max_size=len(words),
            ),
            label="decisions",
        )
        masked = [
            "[MASK]" if d == "mask" else (w + "?" if d == "random" else w)
            for w, d in zip(words, decisions, strict=True)
        ]
        broken = draw_broken(data.draw, ["words", "masked_words", "decisions", "mask_token"], 1)
        kwargs: dict[str, Any] = {
            "words": tuple(words),
            "masked_words": tuple(masked),
            "decisions": tuple(decisions),
            "mask_token": "[MASK]",
        }
        bad = {
            "words": st.one_of(
                st.none(),
                st.just(5),
                st.just((1, 2)),
                st.just((*tuple(words), "x")),
                st.just(("a b",) * max(len(words), 1)),
                st.just(("line\r",) * max(len(words), 1)),
                st.just(("",) * max(len(words), 1)),
            ),
            "masked_words": st.one_of(
                st.none(), st.just((*tuple(masked), "x")), st.just((3,) * len(masked) or (3,))
            ),
            "decisions": st.one_of(st.none(), st.just(("drop",) * max(len(words), 1))),
            "mask_token": st.one_of(st.none(), st.just(7), st.just(b"[MASK]"), st.just("")),
        }
        for name in broken:
            kwargs[name] = data.draw(bad[name], label=name)

        def sane(sim: mlm.MLMSimulation) -> None:
            assert len(sim.targets) == len(words)
            assert len(sim.to_markdown().splitlines()) == len(words) + 2
            assert str(sim).count("\n") >= 2

        contract(
            "nlpguide.mlm.MLMSimulation",
            lambda: mlm.MLMSimulation(**kwargs),
            broken,
            sane,
            names={
                "words": r"words|length|masked_words\[",
                "masked_words": r"masked_words|length",
                "decisions": r"decisions|length",
            },
        )


# ============================================================================ text2text


def field_values(task: str, name: str) -> st.SearchStrategy[Any]:
    """Valid values for one field of a T5 task."""
    if task == "copa" and name == "question":
        return st.sampled_from(["cause", "effect"])
    if task == "record" and name == "query":
        return st.builds(lambda a, b: f"{a} @placeholder {b}", TEXT, TEXT)
    if task == "record" and name == "entities":
        return st.lists(WORDY, min_size=1, max_size=4)
    if task == "wsc" and name == "text":
        return st.just("__WSC__")  # filled in with the pronoun below
    if task == "wsc" and name == "pronoun":
        return PLAIN_WORD
    return st.one_of(WORDY, st.just(HUGE_TEXT))


def bad_field_value(task: str, name: str) -> st.SearchStrategy[Any]:
    """Values no field accepts (and, for the special fields, values they reject)."""
    base = st.one_of(
        NON_STR.filter(lambda v: not isinstance(v, list | tuple)),
        st.sampled_from(["", " ", "\t\n", "\u3000"]),
    )
    if task == "copa" and name == "question":
        return st.one_of(base, st.sampled_from(["Cause", "why", "effect "]))
    if task == "record" and name == "query":
        return st.one_of(base, st.just("no placeholder here"))
    if task == "record" and name == "entities":
        return st.one_of(st.just([]), st.just("A, B"), st.just([""]), st.just([3]), st.none())
    return base


LABEL_WORDS = sorted({w for s in text2text.TASKS.values() for w in s.label_words or ()})


class TestText2Text:
    @fuzz(300)
    @given(data=st.data())
    def test_frame(self, data: st.DataObject) -> None:
        """frame builds the task's input text, or names the unknown task / bad field."""
        broken = draw_broken(data.draw, ["task", "field", "missing", "extra"], 1)
        task_name = data.draw(st.sampled_from(list(text2text.TASKS)), label="task")
        spec = text2text.TASKS[task_name]
        values = {n: data.draw(field_values(task_name, n), label=n) for n in spec.fields}
        if task_name == "wsc":
            values["text"] = f"{data.draw(TEXT)} {values['pronoun']} {data.draw(TEXT)}"
        task: Any = task_name
        names = {"task": r"task", "missing": r"missing", "extra": r"unexpected"}
        if "task" in broken:
            task = data.draw(
                st.one_of(
                    NON_STR, st.sampled_from(["MNLI", " mnli", "mnli:", "t5", ""]), TEXT
                ).filter(lambda t: t not in text2text.TASKS),
                label="bad task",
            )
        elif "field" in broken:
            name = data.draw(st.sampled_from(spec.fields), label="bad field")
            values[name] = data.draw(bad_field_value(task_name, name), label="bad value")
            names["field"] = re.escape(name)
        elif "missing" in broken:
            del values[data.draw(st.sampled_from(spec.fields), label="dropped")]
        elif "extra" in broken:
            extra = data.draw(st.text(string.ascii_letters + "_", min_size=1, max_size=10))
            assume(extra not in spec.fields)
            values[extra] = "x"

        def sane(text: str) -> None:
            assert isinstance(text, str)
            assert text.strip()
            if task_name == "translate":
                head = f"translate {values['source']} to {values['target']}:"
                assert text.startswith(head)
            elif spec.prefix:
                assert text.startswith(spec.prefix + " ")

        contract(
            "nlpguide.text2text.frame",
            lambda: text2text.frame(task, **values),
            broken,
            sane,
            names=names,
        )

    @fuzz(200)
    @given(
        bad_task=st.one_of(TEXT, NON_STR).filter(
            lambda t: not (isinstance(t, str) and t in text2text.TASKS)
        ),
        label=st.one_of(
            st.integers(-3, 6),
            st.sampled_from([HUGE_INT, -HUGE_INT, 2**63, -0.0, 5.0000001, 4.9, 0.1]),
            st.floats(),
            st.booleans(),
            st.sampled_from([np.int64(1), np.float32(2.5), np.bool_(False), Fraction(7, 2)]),
            st.sampled_from(LABEL_WORDS),
            TEXT,
            JUNK,
        ),
    )
    def test_encode_target(self, bad_task: Any, label: Any) -> None:
        """encode_target gives a label word / score / text that decodes back, or a clear error."""
        target = "nlpguide.text2text.encode_target"
        rejects(target, lambda: text2text.encode_target(bad_task, label), r"task")
        for task, spec in text2text.TASKS.items():
            out = attempt(target, lambda task=task: text2text.encode_target(task, label))
            if not out.ok:
                continue
            text = out.value
            assert isinstance(text, str)
            if spec.name == "stsb":
                assert re.fullmatch(r"[0-5]\.\d", text), text
                assert float(text) == round(float(label) * 5) / 5
            elif spec.label_words is not None:
                index = text2text.decode_target(task, text)
                assert index == (
                    spec.label_words.index(label) if isinstance(label, str) else int(label)
                )
            else:
                assert text.strip()

    @fuzz(200)
    @given(
        bad_task=st.one_of(TEXT, NON_STR).filter(
            lambda t: not (isinstance(t, str) and t in text2text.TASKS)
        ),
        text=st.one_of(
            st.sampled_from(LABEL_WORDS),
            st.sampled_from(["3.4", "0", "5", "5.01", "-0.0", "nan", "inf", "1e400", " 2 ", "1_0"]),
            TEXT,
            NON_STR,
        ),
    )
    def test_decode_target(self, bad_task: Any, text: Any) -> None:
        """decode_target maps a valid target back to its label, or raises a clear error."""
        target = "nlpguide.text2text.decode_target"
        rejects(target, lambda: text2text.decode_target(bad_task, text), r"task")
        for task, spec in text2text.TASKS.items():
            out = attempt(target, lambda task=task: text2text.decode_target(task, text))
            if not out.ok:
                continue
            if spec.name == "stsb":
                assert isinstance(out.value, float)
                assert 0.0 <= out.value <= 5.0
                assert math.copysign(1.0, out.value) == 1.0  # never -0.0
            elif spec.label_words is not None:
                assert spec.label_words[out.value] == text
            else:
                assert out.value == text

    @fuzz(250)
    @given(data=st.data())
    def test_span_corruption(self, data: st.DataObject) -> None:
        """span_corruption reconstructs its tokens, or names the bad argument."""
        broken = draw_broken(
            data.draw, ["tokens", "noise_density", "mean_noise_span_length", "rng"]
        )

        def pick(name: str, good: Any, bad: Any) -> Any:
            return data.draw(bad if name in broken else good, label=name)

        token = st.text(ANY_CHAR, min_size=1, max_size=8).filter(
            lambda t: not text2text._SENTINEL_RE.fullmatch(t)
        )
        tokens = pick(
            "tokens",
            st.one_of(st.lists(token, min_size=2, max_size=60), st.just(HUGE_TEXT.split()[:5000])),
            st.one_of(
                NON_SEQUENCE_OR_STR,
                st.just(["only one"]),
                st.just([]),
                st.just(["a", ""]),
                st.just(["a", "<extra_id_3>"]),
                st.just(["a", None]),
                st.just(["a", b"b"]),
            ),
        )
        kwargs = {
            "noise_density": pick(
                "noise_density",
                st.floats(0.01, 0.99),
                st.one_of(BAD_PROBABILITY, st.sampled_from([0.0, 1.0])),
            ),
            "mean_noise_span_length": pick(
                "mean_noise_span_length",
                st.floats(1.0, 20.0),
                st.one_of(
                    st.floats(max_value=0.999),
                    st.sampled_from([math.nan, math.inf, HUGE_INT, None, "3", True]),
                ),
            ),
            "rng": pick("rng", rngs(), BAD_RNG),
        }

        def sane(ex: text2text.SpanCorruption) -> None:
            assert ex.reconstruct() == list(tokens)
            assert sum(ex.noise_mask) >= 1
            stats = text2text.length_stats(
                len(tokens), kwargs["noise_density"], kwargs["mean_noise_span_length"]
            )
            assert stats == (len(ex.inputs), len(ex.targets))

        contract(
            "nlpguide.text2text.span_corruption",
            lambda: text2text.span_corruption(tokens, **kwargs),
            broken,
            sane,
            names={"tokens": r"token|sentinel"},
            allowed_when_valid=r"cannot build this mask",
        )

    @fuzz(250)
    @given(data=st.data())
    def test_length_stats(self, data: st.DataObject) -> None:
        """length_stats counts inputs and targets for n tokens, or names the bad argument."""
        broken = draw_broken(data.draw, ["n", "noise_density", "mean_noise_span_length"])

        def pick(name: str, good: Any, bad: Any) -> Any:
            return data.draw(bad if name in broken else good, label=name)

        n = pick(
            "n",
            st.one_of(st.integers(2, 5000), st.sampled_from([2**24 + 1, 2**31 - 1])),
            st.one_of(bad_count(2), st.sampled_from([10**40, HUGE_INT, 2**31])),
        )
        density = pick(
            "noise_density", st.floats(0.001, 0.999), st.one_of(BAD_PROBABILITY, st.just(0.0))
        )
        mean = pick(
            "mean_noise_span_length",
            st.one_of(st.floats(1.0, 1e6), st.just(1e308)),
            st.one_of(st.floats(max_value=0.999), st.sampled_from([math.nan, -math.inf, "3"])),
        )

        def sane(stats: text2text.LengthStats) -> None:
            assert stats.inputs >= 2
            assert stats.targets >= 2
            assert stats.inputs + stats.targets >= n + 2
            assert (stats.inputs + stats.targets - n) % 2 == 0  # two sentinels per span

        contract(
            "nlpguide.text2text.length_stats",
            lambda: text2text.length_stats(n, density, mean),
            broken,
            sane,
            names={"n": r"\bn\b|tokens"},
            allowed_when_valid=r"cannot build this mask",
        )

    @fuzz(200)
    @given(
        inputs=st.one_of(
            st.lists(
                st.sampled_from(["a", "b", "<extra_id_0>", "<extra_id_1>", "<extra_id_7>"]),
                max_size=5,
            ),
            NON_SEQUENCE_OR_STR,
            st.just([1, "<extra_id_0>"]),
        ),
        targets=st.one_of(
            st.lists(
                st.sampled_from(["x", "<extra_id_0>", "<extra_id_1>", "<extra_id_2>"]), max_size=5
            ),
            NON_SEQUENCE_OR_STR,
            st.just(["<extra_id_0>", None]),
        ),
    )
    def test_span_corruption_record(self, inputs: Any, targets: Any) -> None:
        """SpanCorruption rebuilds matching inputs/targets, or says what does not match."""
        ex = attempt(
            "nlpguide.text2text.SpanCorruption",
            lambda: text2text.SpanCorruption(inputs, targets),
        )
        if not ex.ok:
            return
        rebuilt = attempt("nlpguide.text2text.SpanCorruption", ex.value.reconstruct)
        mask = attempt("nlpguide.text2text.SpanCorruption", lambda: ex.value.noise_mask)
        assert rebuilt.ok == mask.ok
        if rebuilt.ok:
            assert len(rebuilt.value) == len(mask.value)
            assert all(isinstance(t, str) for t in rebuilt.value)


# ============================================================================ choose


def _model_configs(
    model_type: str, dim: st.SearchStrategy[int]
) -> st.SearchStrategy[dict[str, Any]]:
    """Consistent configs of one model_type, with dims drawn from ``dim``."""

    @st.composite
    def build(draw: Any) -> dict[str, Any]:
        heads, head_dim = draw(st.integers(1, 8)), draw(dim)
        width = heads * head_dim
        d = {"model_type": model_type}
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


SMALL_DIM = st.integers(1, 64)
BIG_DIM = st.one_of(st.integers(1, 64), st.sampled_from([10**6, 10**30, 10**120]))
CONFIGS = st.sampled_from(choose.SUPPORTED_MODEL_TYPES).flatmap(
    lambda t: _model_configs(t, BIG_DIM)
)
MODEL_NAMES = st.one_of(
    st.sampled_from(choose.known_models()),
    st.sampled_from(choose.known_models()).map(lambda n: n.rpartition("/")[2].upper()),
)
BAD_DIM = st.sampled_from([0, -1, -(10**9), True, False, 2.0, 2.5, math.nan, "8", [8], {}])
#: Keys transformers gives a default: leaving them out is fine, so they are never deleted.
DEFAULTED_KEYS = frozenset(
    {
        "num_key_value_heads",
        "head_dim",
        "num_decoder_layers",
        "n_inner",
        "tie_word_embeddings",
        "relative_attention_num_buckets",
        "feed_forward_proj",
        "attention_bias",
        "mlp_bias",
        "num_hidden_groups",
        "inner_group_num",
        "sinusoidal_pos_embds",
        "decoder_vocab_size",
        "share_encoder_decoder_embeddings",
    }
)


def _bad_config(draw: Any, config: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """Spoil one key of a valid config; return it and the key the error must name."""
    key = draw(st.sampled_from(sorted(k for k in config if config[k] is not None)))
    broken = dict(config)
    if key == "model_type":
        broken[key] = draw(st.sampled_from(["BERT", "gpt3", "", 5, None, ["bert"]]))
        return broken, r"model_type"
    if isinstance(config[key], bool):
        broken[key] = draw(st.sampled_from([1, 0, "true", 1.0]))
    elif key == "feed_forward_proj":
        broken[key] = draw(st.sampled_from(["", "gated-", "gelu-gated", "a-b-c", 5]))
    elif key not in DEFAULTED_KEYS and draw(st.booleans()):
        del broken[key]
    else:
        broken[key] = draw(BAD_DIM)
    return broken, re.escape(key)


class TestChoose:
    @fuzz(300)
    @given(
        task=st.one_of(
            st.sampled_from([a for aliases in choose.known_tasks().values() for a in aliases]),
            st.sampled_from(["Sentiment-Analysis!!", "  NER  ", "Q & A", "chat/qa"]),
            TEXT_OR_HUGE,
            NON_STR,
        )
    )
    def test_recommend(self, task: Any) -> None:
        """recommend resolves a task to a quick-reference row, or raises a clear error."""
        out = attempt("nlpguide.choose.recommend", lambda: choose.recommend(task))
        if out.ok:
            rec = out.value
            assert rec.task in choose.known_tasks()
            assert rec.architecture in choose.ARCHITECTURES
            assert choose.recommend(rec.task) == rec

    @fuzz(200)
    @given(
        fmt=st.one_of(st.sampled_from(choose.TABLE_FORMATS), TEXT, NON_STR),
        rows=st.one_of(
            st.just(choose.QUICK_REFERENCE),
            st.lists(st.sampled_from(choose.QUICK_REFERENCE), max_size=4),
            st.lists(
                st.sampled_from([*choose.QUICK_REFERENCE, "row", None, 3]), min_size=1, max_size=3
            ),
            NON_SEQUENCE_OR_STR,
        ),
    )
    def test_render_table(self, fmt: Any, rows: Any) -> None:
        """render_table gives one line (or <tr>) per row plus the header, or a clear error."""
        out = attempt("nlpguide.choose.render_table", lambda: choose.render_table(fmt, rows=rows))
        if out.ok:
            n = len(rows)
            if fmt == "html":
                assert out.value.count("<tr>") == n + 1
            else:
                assert len(out.value.splitlines()) == n + 2

    @fuzz(200)
    @given(
        task=st.one_of(WORDY, TEXT, NON_STR),
        models=st.one_of(
            st.lists(WORDY, min_size=1, max_size=3).map(tuple),
            st.just(()),
            st.just(["BERT"]),
            st.just(("ok", "")),
            NON_STR,
        ),
        why=st.one_of(WORDY, TEXT),
        architecture=st.one_of(st.sampled_from(choose.ARCHITECTURES), TEXT, NON_STR),
    )
    def test_quick_reference_row(self, task: Any, models: Any, why: Any, architecture: Any) -> None:
        """A QuickReferenceRow renders in every format, or its bad cell is named."""
        out = attempt(
            "nlpguide.choose.QuickReferenceRow",
            lambda: choose.QuickReferenceRow(task, models, why, architecture),
        )
        if out.ok:
            for fmt in choose.TABLE_FORMATS:
                assert choose.render_table(fmt, rows=[out.value])

    @fuzz(200)
    @given(name=st.one_of(MODEL_NAMES, TEXT, NON_STR))
    def test_reference_config(self, name: Any) -> None:
        """reference_config returns a fresh copy of a bundled config, or a clear error."""
        out = attempt("nlpguide.choose.reference_config", lambda: choose.reference_config(name))
        if out.ok:
            assert out.value["model_type"] in choose.SUPPORTED_MODEL_TYPES
            out.value["model_type"] = "spoiled"
            assert choose.reference_config(name)["model_type"] != "spoiled"

    @fuzz(300)
    @given(data=st.data())
    def test_counts_and_flops(self, data: st.DataObject) -> None:
        """Parameter and FLOP counts are positive and finite, or the bad key / value is named."""
        config = data.draw(st.one_of(CONFIGS, MODEL_NAMES), label="config")
        broken: frozenset[str] = frozenset()
        names: dict[str, str] = {}
        if isinstance(config, dict) and data.draw(st.booleans(), label="spoil config"):
            config, key_pattern = _bad_config(data.draw, config)
            broken, names = frozenset({"config"}), {"config": key_pattern}
        elif data.draw(st.integers(0, 9), label="junk config") == 0:
            config = data.draw(st.one_of(NON_STR, TEXT.filter(lambda t: not t.strip())))
            broken, names = frozenset({"config"}), {"config": r"model|config|name"}
        tokens = data.draw(st.one_of(st.integers(1, 4096), st.just(10**60)), label="tokens")
        if not broken and data.draw(st.integers(0, 4), label="bad tokens") == 0:
            tokens = data.draw(BAD_DIM)
            broken = frozenset({"tokens"})

        def sane_count(count: int) -> None:
            assert isinstance(count, int)
            assert not isinstance(count, bool)
            assert count > 0

        def sane_class(name: str) -> None:
            assert re.fullmatch(r"[A-Z]\w+(Model|LM|Generation)", name), name

        def sane_rate(rate: float) -> None:
            assert isinstance(rate, float)
            assert math.isfinite(rate)
            assert rate > 0

        contract(
            "nlpguide.choose.parameter_count",
            lambda: choose.parameter_count(config),
            broken - {"tokens"},
            sane_count,
            names=names,
        )
        contract(
            "nlpguide.choose.counted_model_class",
            lambda: choose.counted_model_class(config),
            broken - {"tokens"},
            sane_class,
            names=names,
        )
        contract(
            "nlpguide.choose.forward_flops",
            lambda: choose.forward_flops(config, tokens),
            broken,
            sane_count,
            names={**names, "tokens": r"tokens"},
        )
        contract(
            "nlpguide.choose.flops_per_token",
            lambda: choose.flops_per_token(config, tokens),
            broken,
            sane_rate,
            names={**names, "tokens": r"tokens"},
            allowed_when_valid=r"too large",
        )

    @fuzz(150)
    @given(
        name=st.sampled_from(["t5-small", "facebook/bart-base", "gpt2", "bert-base-uncased"]),
        target=st.one_of(st.none(), st.integers(1, 512), BAD_DIM),
    )
    def test_target_tokens(self, name: str, target: Any) -> None:
        """target_tokens is accepted for encoder-decoders only, and must be a positive int."""
        out = attempt(
            "nlpguide.choose.forward_flops",
            lambda: choose.forward_flops(name, 16, target_tokens=target),
        )
        enc_dec = choose.counted_model_class(name).endswith("ConditionalGeneration")
        valid = target is None or (
            enc_dec and isinstance(target, int) and not isinstance(target, bool) and target >= 1
        )
        assert out.ok == valid, out.error
        if not out.ok:
            assert "target_tokens" in str(out.error)

    @fuzz(60)
    @given(extra=st.lists(JUNK, min_size=1, max_size=2))
    def test_no_argument_functions(self, extra: list[Any]) -> None:
        """known_tasks and known_models take no arguments and always give the same answer."""
        for name, fn in (
            ("known_tasks", choose.known_tasks),
            ("known_models", choose.known_models),
        ):
            rejects(f"nlpguide.choose.{name}", lambda fn=fn: fn(*extra), mentions=name)
            out = attempt(f"nlpguide.choose.{name}", fn)
            assert out.ok
            assert out.value
            assert out.value == fn()


# ============================================================================ data


class TestData:
    @fuzz(200)
    @given(
        path=st.one_of(st.just("sport/001.txt"), TEXT, NON_STR),
        title=st.one_of(TEXT, NON_STR),
        text=st.one_of(TEXT, NON_STR),
        label_text=st.one_of(st.sampled_from(data.BBC_LABELS), st.just("sports"), TEXT, NON_STR),
    )
    def test_article(self, path: Any, title: Any, text: Any, label_text: Any) -> None:
        """An Article has str fields and a known topic whose index is its label."""
        out = attempt("nlpguide.data.Article", lambda: data.Article(path, title, text, label_text))
        if out.ok:
            assert all(isinstance(v, str) for v in (path, title, text, label_text))
            assert data.BBC_LABELS[out.value.label] == label_text

    @fuzz(40)
    @given(verify=st.one_of(NON_STR, st.text(max_size=3)).filter(lambda v: not isinstance(v, bool)))
    def test_bbc_split_checks_before_reading(self, verify: Any) -> None:
        """bbc_split rejects a non-bool verify before it reads a single article."""

        def boom() -> None:
            raise AssertionError("bbc_split read the corpus before checking verify")

        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(data, "bbc_articles", boom)
            rejects("nlpguide.data.bbc_split", lambda: data.bbc_split(verify=verify), "verify")

    @pytest.mark.parametrize("verify", [True, False])
    def test_bbc_split_valid(self, verify: bool) -> None:
        """With or without the hash check the split has its fixed sizes."""
        out = attempt("nlpguide.data.bbc_split", lambda: data.bbc_split(verify=verify))
        assert out.ok
        assert [len(v) for v in out.value.values()] == [1781, 223, 221]

    @fuzz(40)
    @given(extra=st.lists(JUNK, min_size=1, max_size=2))
    def test_no_argument_functions(self, extra: list[Any]) -> None:
        """bbc_articles and bbc_news take no positional arguments."""
        for name, fn in (("bbc_articles", data.bbc_articles), ("bbc_news", data.bbc_news)):
            rejects(f"nlpguide.data.{name}", lambda fn=fn: fn(*extra), mentions=name)

    def test_bbc_articles_valid(self) -> None:
        """All 2,225 articles are read, each with a known topic."""
        out = attempt("nlpguide.data.bbc_articles", data.bbc_articles)
        assert out.ok
        assert len(out.value) == 2225
        assert {a.label_text for a in out.value} == set(data.BBC_LABELS)


# ============================================================================ cli


def _stream(errors: str) -> io.TextIOWrapper:
    return io.TextIOWrapper(
        io.BytesIO(), encoding="utf-8", errors=errors, newline="\n", write_through=True
    )


def run_cli(argv: Any) -> tuple[int | str, str, str]:
    """Run main(argv) with stdout/stderr as a UTF-8 terminal has them (strict / backslashreplace)."""
    out, err = _stream("strict"), _stream("backslashreplace")
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code: int | str = cli.main(argv)
        except SystemExit as exc:
            code = f"SystemExit({exc.code})"
    texts = []
    for stream in (out, err):
        stream.flush()
        buffer = stream.detach()
        assert isinstance(buffer, io.BytesIO)
        texts.append(buffer.getvalue().decode("utf-8"))
    return code, texts[0], texts[1]


CLI_WORD = st.one_of(
    st.text(ANY_CHAR.filter(lambda c: c != "\x00"), max_size=25),
    st.sampled_from([n for n in NASTY if "\x00" not in n]),
)
HELP_FLAGS = {"-h", "--help", "--version"}


def check_cli(target: str, argv: list[str], success: str) -> None:
    """Exit 0 with ``success`` in the output, or 2 with one error line and no output."""
    CASES[target] += 1
    code, out, err = run_cli(argv)
    if HELP_FLAGS & set(argv) and code == "SystemExit(0)":
        return  # argparse printed help / the version
    assert "Traceback" not in err
    assert code in (0, 2), (code, err)
    if code == 0:
        assert err == "", err
        assert success in out, out
    else:
        assert out == "", f"output before the error: {out!r}"
        assert err.startswith("nlpguide: error: "), err
        assert err.count("\n") == 1, err
        assert err.endswith("\n"), err


def extras() -> st.SearchStrategy[list[str]]:
    return st.lists(CLI_WORD, max_size=2)


@pytest.fixture(scope="class")
def empty_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """``assets`` lists an empty cache folder, not the user's."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("NLPGUIDE_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
        yield


@pytest.mark.usefixtures("empty_cache")
class TestCli:
    @fuzz(150)
    @given(
        fmt=st.one_of(st.none(), st.sampled_from(["text", "markdown", "html"]), CLI_WORD),
        tail=extras(),
    )
    def test_table(self, fmt: str | None, tail: list[str]) -> None:
        """`table [--format F]` prints the table, or one error line with exit 2."""
        argv = ["table", *([] if fmt is None else ["--format", fmt]), *tail]
        check_cli("cli table", argv, "Classification")

    @fuzz(250)
    @given(
        task=st.one_of(
            st.sampled_from(["ner", "Q&A", "spam", "sentiment analysis"]),
            CLI_WORD,
            st.just(HUGE_TEXT),
        ),
        tail=extras(),
    )
    def test_recommend(self, task: str, tail: list[str]) -> None:
        """`recommend TASK` prints a recommendation, or one error line with exit 2."""
        check_cli("cli recommend", ["recommend", task, *tail], "architecture:")

    @fuzz(250)
    @given(
        text=st.one_of(CLI_WORD, st.just(HUGE_TEXT)),
        seed=st.one_of(st.none(), st.integers(-5, 2**70).map(str), CLI_WORD, st.just("9" * 5000)),
        rate=st.one_of(
            st.none(),
            st.floats().map(repr),
            st.sampled_from(["nan", "-inf", "1e-400", "0x1p-2", "½"]),
            CLI_WORD,
        ),
        tail=extras(),
    )
    def test_mask(self, text: str, seed: str | None, rate: str | None, tail: list[str]) -> None:
        """`mask TEXT [--seed N] [--rate P]` prints a masking, or one error line with exit 2."""
        argv = ["mask", text]
        argv += [] if seed is None else ["--seed", seed]
        argv += [] if rate is None else ["--rate", rate]
        check_cli("cli mask", [*argv, *tail], "original:")

    @fuzz(300)
    @given(
        task=st.one_of(st.sampled_from(list(text2text.TASKS)), CLI_WORD),
        pairs=st.lists(
            st.tuples(
                st.one_of(
                    st.sampled_from(
                        [
                            "premise",
                            "hypothesis",
                            "sentence",
                            "text",
                            "question",
                            "context",
                            "source",
                            "target",
                            "sentence-1",
                            "",
                        ]
                    ),
                    CLI_WORD,
                ),
                st.one_of(CLI_WORD, st.just(HUGE_TEXT)),
                st.booleans(),
            ),
            max_size=4,
        ),
        tail=st.lists(CLI_WORD, max_size=1),
    )
    def test_frame(self, task: str, pairs: list[tuple[str, str, bool]], tail: list[str]) -> None:
        """`frame TASK --FIELD VALUE ...` prints T5's input, or one error line with exit 2."""
        argv = ["frame", task]
        for name, value, joined in pairs:
            argv += [f"--{name}={value}"] if joined else [f"--{name}", value]
        check_cli("cli frame", [*argv, *tail], "")

    @fuzz(200)
    @given(
        name=st.one_of(MODEL_NAMES, CLI_WORD),
        tokens=st.one_of(
            st.none(),
            st.integers(-3, 10**6).map(str),
            st.just("9" * 4000),
            st.just("9" * 200),
            CLI_WORD,
        ),
        tail=extras(),
    )
    def test_params(self, name: str, tokens: str | None, tail: list[str]) -> None:
        """`params NAME [--tokens N]` prints the counts, or one error line with exit 2."""
        argv = ["params", name, *([] if tokens is None else ["--tokens", tokens])]
        check_cli("cli params", [*argv, *tail], "parameters:")

    @fuzz(200)
    @given(
        config=st.one_of(
            CONFIGS,
            st.dictionaries(st.sampled_from(["model_type", "n_embd", "d_model"]), JUNK),
            st.sampled_from(["{", "[]", "null", '"gpt2"', "\ufeff{}"]),
            st.none(),
        ),
        flags=st.lists(
            st.tuples(
                st.sampled_from(["--dtype", "--batch", "--seq", "--lora", "--tokens"]),
                st.one_of(
                    st.sampled_from(["fp32", "bf16", "fp16", "fp8", "1", "8", "0", "-1"]),
                    st.integers(-2, 10**7).map(str),
                    CLI_WORD,
                ),
            ),
            max_size=3,
        ),
    )
    def test_params_config_file(self, config: Any, flags: list[tuple[str, str]]) -> None:
        """`params PATH` with any file content and flags prints the table or exits 2."""
        import tempfile

        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "config.json"
            if isinstance(config, dict):
                path.write_text(json.dumps(config, default=repr), encoding="utf-8")
            elif isinstance(config, str):
                path.write_text(config, encoding="utf-8")
            argv = ["params", folder, *(part for flag in flags for part in flag)]
            check_cli("cli params", argv, "memory (")

    @fuzz(25)
    @given(tail=st.lists(CLI_WORD.filter(lambda s: not s.startswith("--p")), max_size=2))
    def test_assets(self, tail: list[str]) -> None:
        """`assets` lists the packages and the cache (never --prepare here), or exits 2."""
        check_cli("cli assets", ["assets", *tail], "cache:")

    @fuzz(300)
    @given(
        argv=st.lists(
            st.one_of(
                CLI_WORD,
                st.sampled_from(
                    [
                        "table",
                        "recommend",
                        "mask",
                        "frame",
                        "params",
                        "--format",
                        "--seed",
                        "--rate",
                        "--tokens",
                        "-h",
                        "--version",
                        "--",
                        "-",
                    ]
                ),
            ),
            max_size=6,
        )
    )
    def test_any_argv(self, argv: list[str]) -> None:
        """Any argument list exits 0 or 2 with at most one error line, never a traceback."""
        assume(not ("assets" in argv and any(a.startswith("--p") for a in argv)))
        commands = {"table", "recommend", "mask", "frame", "params"}
        check_cli(
            f"cli {argv[0]}" if argv and argv[0] in commands else "nlpguide.cli.main", argv, ""
        )

    @fuzz(60)
    @given(
        argv=st.one_of(
            st.sampled_from(["table", b"table", 5, {"table": 1}]),
            st.lists(st.one_of(st.just("table"), NON_STR), min_size=1, max_size=3).filter(
                lambda a: any(not isinstance(x, str) for x in a)
            ),
        )
    )
    def test_main_argv_type(self, argv: Any) -> None:
        """main() from Python takes a list of str (or None): anything else is a TypeError."""
        rejects("nlpguide.cli.main", lambda: run_cli(argv), mentions="argv")


# ============================================================================ models


@pytest.fixture(scope="class")
def no_model_loading() -> Iterator[None]:
    """Make every loader entry point fail the test if reached."""
    import transformers

    from nlpguide import models

    def boom(*_args: Any, **_kwargs: Any) -> Any:
        raise AssertionError("a model was loaded before the arguments were checked")

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(models, "_PREPARERS", dict.fromkeys(models._PREPARERS, boom))
        for cls in (
            transformers.AutoTokenizer,
            transformers.AutoModel,
            transformers.AutoModelForMaskedLM,
            transformers.AutoModelForCausalLM,
            transformers.AutoModelForSeq2SeqLM,
        ):
            mp.setattr(cls, "from_pretrained", boom)
        yield


BAD_MODEL_NAMES = st.one_of(
    st.sampled_from(["", " ", "\t\n"]),
    NON_STR.filter(lambda v: v is not None),
    st.just(SimpleNamespace(path="bert-base-uncased")),
)


@pytest.mark.models
@pytest.mark.usefixtures("no_model_loading")
class TestModelLoaders:
    @fuzz(120)
    @given(
        kind=st.sampled_from(["encoder", "masked_lm", "decoder", "seq2seq"]),
        name=BAD_MODEL_NAMES,
    )
    def test_bad_names(self, kind: str, name: Any) -> None:
        """A loader rejects a name that is no str or path, or is blank, before loading."""
        from nlpguide import models

        rejects(f"nlpguide.models.{kind}", lambda: getattr(models, kind)(name), mentions="name")

    @fuzz(80)
    @given(
        kind=st.one_of(
            st.sampled_from(["Encoder", "t5", "", "masked-lm"]),
            TEXT,
            st.integers(),
            st.none(),
            st.booleans(),
            st.binary(max_size=3),
        )
    )
    def test_default_path_unknown_kind(self, kind: Any) -> None:
        """default_path rejects an unknown kind, listing the known ones."""
        from nlpguide import models

        rejects("nlpguide.models.default_path", lambda: models.default_path(kind), "known")

    def test_default_path_unhashable_kind(self) -> None:
        """An unhashable kind is rejected by name, not with Python's 'unhashable type'."""
        from nlpguide import models

        rejects("nlpguide.models.default_path", lambda: models.default_path(["encoder"]), "kind")

    def test_encoder_model_class_checked_first(self) -> None:
        """encoder(model_class=<not a class>) is rejected before anything loads."""
        from nlpguide import models

        rejects(
            "nlpguide.models.encoder",
            lambda: models.encoder("some-name", model_class="AutoModel"),
            "model_class",
        )

    @fuzz(100)
    @given(
        value=st.one_of(
            TEXT.filter(lambda t: "\x00" not in t and not re.search("[\ud800-\udfff]", t)),
            st.none(),
        )
    )
    def test_cache_dir(self, value: str | None) -> None:
        """cache_dir is $NLPGUIDE_CACHE_DIR (expanded) when set, else the platform folder."""
        from nlpguide import models

        with pytest.MonkeyPatch.context() as mp:
            if value is None:
                mp.delenv("NLPGUIDE_CACHE_DIR", raising=False)
            else:
                mp.setenv("NLPGUIDE_CACHE_DIR", value)
            out = attempt("nlpguide.models.cache_dir", models.cache_dir)
        assert out.ok
        assert isinstance(out.value, Path)
        if value:
            assert out.value == Path(value).expanduser()
        rejects("nlpguide.models.cache_dir", lambda: models.cache_dir(value), "cache_dir")

    @fuzz(60)
    @given(
        seed=st.one_of(
            st.integers(0, 2**32 - 1),
            st.integers(max_value=-1),
            st.sampled_from([2**32, 2**64, True, 1.0, "0", None, np.int64(3)]),
        )
    )
    def test_seed_everything(self, seed: Any) -> None:
        """seed_everything returns a valid seed and makes random draws repeat, or raises."""
        import torch

        from nlpguide import models

        state = (
            random.getstate(),
            np.random.get_state(),  # noqa: NPY002 - the legacy state seed_everything sets
            torch.get_rng_state(),
            os.environ.get("PYTHONHASHSEED"),
        )
        try:
            out = attempt("nlpguide.models.seed_everything", lambda: models.seed_everything(seed))
            if out.ok:
                assert out.value == seed
                first = (random.random(), np.random.random(), float(torch.rand(1)))  # noqa: NPY002
                models.seed_everything(seed)
                assert first == (random.random(), np.random.random(), float(torch.rand(1)))  # noqa: NPY002
            else:
                assert "seed" in str(out.error).lower()
        finally:
            random.setstate(state[0])
            np.random.set_state(state[1])  # noqa: NPY002
            torch.set_rng_state(state[2])
            if state[3] is None:
                os.environ.pop("PYTHONHASHSEED", None)
            else:
                os.environ["PYTHONHASHSEED"] = state[3]


class TestRecords:
    """Plain result records and exceptions: they hold what they are given and print it."""

    @fuzz(60)
    @given(package=TEXT, line=TEXT)
    def test_exceptions(self, package: str, line: str) -> None:
        """AssetMissingError names the package and the install line; CacheEntryError keeps its text."""
        from nlpguide import models

        out = attempt(
            "nlpguide.models.AssetMissingError", lambda: models.AssetMissingError(package, line)
        )
        assert out.ok
        assert isinstance(out.value, RuntimeError)
        assert repr(package) in str(out.value)
        assert line in str(out.value)
        out = attempt("nlpguide.models.CacheEntryError", lambda: models.CacheEntryError(line))
        assert out.ok
        assert str(out.value) == line

    RECORDS: tuple[tuple[str, Callable[..., Any]], ...] = (
        ("nlpguide.choose.Recommendation", choose.Recommendation),
        ("nlpguide.text2text.TaskSpec", text2text.TaskSpec),
        ("nlpguide.text2text.LengthStats", text2text.LengthStats),
        ("nlpguide.models.retrieval.Hit", retrieval.Hit),
        ("nlpguide.models.finetune.Prediction", finetune.Prediction),
        ("nlpguide.models.finetune.FineTuneResult", finetune.FineTuneResult),
    )

    @fuzz(100)
    @given(which=st.sampled_from(RECORDS), data=st.data())
    def test_plain_records(
        self, which: tuple[str, Callable[..., Any]], data: st.DataObject
    ) -> None:
        """A plain record keeps every field as given and reprs without error."""
        target, cls = which
        if hasattr(cls, "_fields"):
            names = list(cls._fields)
        else:
            names = [f.name for f in fields(cls) if f.init]
        values = {n: data.draw(st.one_of(TEXT, st.integers(), st.floats()), label=n) for n in names}
        out = attempt(target, lambda: cls(**values))
        assert out.ok
        for n, v in values.items():
            got = getattr(out.value, n)
            assert got is v or got == v or (isinstance(v, float) and math.isnan(v))
        assert repr(out.value)


# ============================================================================ finetune


#: Bad real numbers, huge ints included (float() of one overflows).
BAD_REAL = BAD_PROBABILITY.filter(lambda v: v is not None)
FINETUNE_BAD: dict[str, st.SearchStrategy[Any]] = {
    "model_name": st.one_of(st.sampled_from(["", "  "]), NON_STR.filter(lambda v: v is not None)),
    "lora": st.sampled_from([1, 0, "yes", None, np.bool_(True)]),
    "max_steps": bad_count(1),
    "batch_size": bad_count(1),
    "max_length": st.one_of(bad_count(1), st.sampled_from([513, 10**6])),
    "learning_rate": st.one_of(BAD_REAL, st.just(0.0)),
    "weight_decay": BAD_REAL,
    "warmup": st.one_of(BAD_REAL, st.just(1.0)),
    "lora_r": bad_count(1),
    "lora_alpha": bad_count(1),
    "lora_dropout": st.one_of(BAD_REAL, st.just(1.0)),
    "lora_targets": st.sampled_from([(), [], ("",), "query", ("query", 3), None]),
    "seed": bad_count(0),
    "eval_split": st.one_of(
        st.sampled_from(["train", "Test", "", None, ["test"]]),
        TEXT.filter(lambda t: t not in ("test", "validation")),
    ),
    "eval_batch_size": bad_count(1),
    "device": st.one_of(
        st.sampled_from(["cuda", "CPU", "", None, 0]),
        TEXT.filter(lambda t: t not in ("cpu", "auto")),
    ),
}
FINETUNE_GOOD: dict[str, st.SearchStrategy[Any]] = {
    "model_name": st.one_of(st.none(), WORDY),
    "lora": st.booleans(),
    "max_steps": st.integers(1, 10**6),
    "batch_size": st.integers(1, 4096),
    "max_length": st.integers(1, 512),
    "learning_rate": st.one_of(st.none(), st.floats(1e-9, 1.0)),
    "weight_decay": st.floats(0, 1),
    "warmup": st.floats(0, 0.999),
    "lora_r": st.integers(1, 256),
    "lora_alpha": st.integers(1, 256),
    "lora_dropout": st.floats(0, 0.999),
    "lora_targets": st.lists(
        st.sampled_from(["query", "key", "value", "dense"]), min_size=1, max_size=3
    ).map(tuple),
    "seed": st.integers(0, 2**32 - 1),
    "eval_split": st.sampled_from(["test", "validation"]),
    "eval_batch_size": st.integers(1, 4096),
    "device": st.sampled_from(["cpu", "auto"]),
}


@st.composite
def finetune_settings(draw: Any) -> tuple[dict[str, Any], frozenset[str]]:
    """Keyword settings with up to two of them spoiled."""
    broken = draw_broken(draw, sorted(FINETUNE_BAD))
    chosen = draw(st.sets(st.sampled_from(sorted(FINETUNE_GOOD)), max_size=5), label="given")
    kwargs = {n: draw(FINETUNE_GOOD[n], label=n) for n in chosen - broken}
    kwargs |= {n: draw(FINETUNE_BAD[n], label=n) for n in broken}
    return kwargs, broken


class TestFinetune:
    @fuzz(300)
    @given(case=finetune_settings())
    def test_settings(self, case: tuple[dict[str, Any], frozenset[str]]) -> None:
        """FineTuneSettings keeps valid knobs (JSON round trip) and names a bad one."""
        kwargs, broken = case

        def sane(s: finetune.FineTuneSettings) -> None:
            assert finetune.FineTuneSettings(**json.loads(json.dumps(s.to_dict()))) == s
            assert 0 < s.lr <= 1

        contract(
            "nlpguide.models.finetune.FineTuneSettings",
            lambda: finetune.FineTuneSettings(**kwargs),
            broken,
            sane,
            names={"max_length": r"max_length"},
        )

    def test_settings_huge_number(self) -> None:
        """A real setting given as a huge int is a ValueError, not an OverflowError."""
        rejects(
            "nlpguide.models.finetune.FineTuneSettings",
            lambda: finetune.FineTuneSettings(weight_decay=10**400),
            "weight_decay",
        )

    def test_settings_seed_numpy_accepts(self) -> None:
        """A seed numpy cannot take (>= 2**32) is rejected up front, not after loading."""
        rejects(
            "nlpguide.models.finetune.FineTuneSettings",
            lambda: finetune.FineTuneSettings(seed=2**32),
            "seed",
        )

    @fuzz(200)
    @given(
        case=finetune_settings().filter(lambda c: bool(c[1])),
        cache=st.one_of(st.sampled_from(["off", "store", "reuse"]), TEXT, NON_STR),
        progress=st.one_of(st.booleans(), JUNK),
        settings_obj=st.one_of(st.none(), st.just(finetune.FineTuneSettings()), JUNK),
        unknown=st.dictionaries(
            st.sampled_from(["epochs", "lr", "max_step", "Lora"]), st.integers(), max_size=1
        ),
    )
    def test_finetune_classifier_checks_first(
        self,
        case: tuple[dict[str, Any], frozenset[str]],
        cache: Any,
        progress: Any,
        settings_obj: Any,
        unknown: dict[str, Any],
    ) -> None:
        """Bad settings, cache mode, progress flag or unknown keywords fail before training."""
        kwargs, _ = case

        def boom(*_args: Any, **_kw: Any) -> Any:
            raise AssertionError("finetune_classifier trained before checking its arguments")

        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(finetune, "_train", boom)
            mp.setattr(finetune, "_cache_parts", boom)
            rejects(
                "nlpguide.models.finetune.finetune_classifier",
                lambda: finetune.finetune_classifier(
                    settings_obj, cache=cache, progress=progress, **kwargs, **unknown
                ),
            )

    def test_finetune_classifier_output_dir_checked_first(self) -> None:
        """A non-path output_dir is rejected before training starts."""

        def boom(*_args: Any, **_kw: Any) -> Any:
            raise AssertionError("finetune_classifier trained before checking output_dir")

        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(finetune, "_train", boom)
            rejects(
                "nlpguide.models.finetune.finetune_classifier",
                lambda: finetune.finetune_classifier(output_dir=12345),
                "output_dir",
            )

    @fuzz(80)
    @given(folder=st.one_of(NON_STR.filter(lambda v: not isinstance(v, bytes)), st.just("")))
    def test_save_result_folder(self, folder: Any) -> None:
        """save_result needs a path for a new folder; anything else fails before writing."""
        rejects(
            "nlpguide.models.finetune.save_result",
            lambda: finetune.save_result(None, folder),
            errors=(ValueError, TypeError, FileExistsError),
        )

    def test_save_result_checks_result(self, tmp_path: Path) -> None:
        """save_result rejects something that is no FineTuneResult, before creating the folder."""
        rejects(
            "nlpguide.models.finetune.save_result",
            lambda: finetune.save_result(None, tmp_path / "new"),
            "result",
        )

    @pytest.mark.models
    @fuzz(60)
    @given(
        folder=st.one_of(
            NON_STR.filter(lambda v: not isinstance(v, bytes)),
            st.sampled_from(["", "no/such/folder", "a\x00b", "/"]),
        )
    )
    def test_load_result(self, folder: Any) -> None:
        """load_result needs a folder holding a saved result: else TypeError / FileNotFoundError."""
        rejects(
            "nlpguide.models.finetune.load_result",
            lambda: finetune.load_result(folder),
            errors=(ValueError, TypeError, FileNotFoundError),
        )


# ============================================================================ decoding

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


# ============================================================================ attention


def _attention():  # type: ignore[no-untyped-def]
    from nlpguide.models import attention

    return attention


def stochastic_rows(n: int, m: int) -> st.SearchStrategy[np.ndarray]:
    return hnp.arrays(np.float64, (n, m), elements=st.floats(0.01, 1)).map(
        lambda w: w / w.sum(axis=1, keepdims=True)
    )


class FakeVocabTokenizer:
    """A WordPiece/BPE-like vocabulary: ids map to tokens, unknown ids to None."""

    vocab = ("[CLS]", "\u0120the", "\u2581bank", "\u010a", "rates", "##s")

    def __len__(self) -> int:
        return len(self.vocab)

    def convert_ids_to_tokens(self, ids: list[int]) -> list[str | None]:
        return [self.vocab[i] if 0 <= i < len(self.vocab) else None for i in ids]


class TestAttention:
    @fuzz(200)
    @given(data=st.data())
    def test_attention_map(self, data: st.DataObject) -> None:
        """An AttentionMap holds (queries x keys) row-stochastic weights, or names what is wrong."""
        attention = _attention()
        n, m = data.draw(st.integers(1, 5), label="n"), data.draw(st.integers(1, 5), label="m")
        broken = draw_broken(data.draw, ["title", "queries", "keys", "weights", "layer"], 1)
        kwargs: dict[str, Any] = {
            "title": data.draw(TEXT, label="title"),
            "queries": tuple(data.draw(st.lists(TEXT, min_size=n, max_size=n), label="queries")),
            "keys": tuple(data.draw(st.lists(TEXT, min_size=m, max_size=m), label="keys")),
            "weights": data.draw(stochastic_rows(n, m), label="weights"),
            "layer": data.draw(st.integers(0, 48), label="layer"),
        }
        bad = {
            "title": NON_STR,
            "queries": st.one_of(st.just((1,) * n), st.just("q" * n), st.none(), st.just(n)),
            "keys": st.one_of(st.just((None,) * m), st.just("k" * m), st.none()),
            "weights": st.one_of(
                st.just(np.full((n, m), math.nan)),
                st.just(np.full((n, m), 1.0 / m) * -1),
                st.just(np.full((n, m), 2.0)),
                st.just(np.ones((n + 1, m)) / m),
                st.just("weights"),
                st.none(),
            ),
            "layer": st.one_of(bad_count(0), st.sampled_from([1.0, "0", None])),
        }
        for name in broken:
            kwargs[name] = data.draw(bad[name], label=f"bad {name}")

        def sane(amap: Any) -> None:
            assert amap.shape == (n, m)
            assert isinstance(amap.causal, bool)
            assert np.allclose(amap.weights.sum(axis=1), 1.0, atol=1e-4)

        contract(
            "nlpguide.models.attention.AttentionMap",
            lambda: attention.AttentionMap(**kwargs),
            broken,
            sane,
            names={"weights": r"weight", "queries": r"queries|weights", "keys": r"keys|weights"},
        )

    @fuzz(250)
    @given(
        weights=st.one_of(
            st.integers(0, 5).flatmap(
                lambda n: hnp.arrays(
                    np.float64, (n, n), elements=st.one_of(st.just(0.0), st.floats(-1, 1))
                )
            ),
            hnp.arrays(np.float64, hnp.array_shapes(max_dims=3, max_side=4)),
            st.just([[1.0, 0.0], [0.5]]),
            st.just([[1j, 0], [0, 1]]),
            NON_STR,
        ),
        atol=st.one_of(
            st.floats(0, 1),
            st.just(1e300),
            st.sampled_from(
                [
                    math.nan,
                    math.inf,
                    -math.inf,
                    -1e-300,
                    -1,
                    True,
                    None,
                    "0",
                    0.5j,
                    [0.1],
                    np.float64("nan"),
                ]
            ),
        ),
    )
    def test_is_causal(self, weights: Any, atol: Any) -> None:
        """is_causal is whether nothing above the diagonal exceeds atol, for a finite square."""
        attention = _attention()
        out = attempt(
            "nlpguide.models.attention.is_causal", lambda: attention.is_causal(weights, atol=atol)
        )
        if out.ok:
            w = np.asarray(weights, dtype=np.float64)
            assert np.isfinite(w).all()
            assert math.isfinite(atol)
            assert atol >= 0
            assert out.value == bool(np.all(np.abs(np.triu(w, 1)) <= atol))

    @fuzz(200)
    @given(
        ids=st.one_of(
            st.lists(st.integers(0, 5), max_size=6),
            st.lists(st.sampled_from([np.int64(1), np.int32(2)]), max_size=3),
            st.sampled_from([[6], [-1], [10**30], [1.0], [1.5], [True], ["1"], [None]]),
            NON_SEQUENCE_OR_STR,
        )
    )
    def test_token_labels(self, ids: Any) -> None:
        """token_labels gives one label per in-vocabulary id, word-start markers as ␣."""
        attention = _attention()
        out = attempt(
            "nlpguide.models.attention.token_labels",
            lambda: attention.token_labels(FakeVocabTokenizer(), ids),
        )
        if out.ok:
            assert all(
                isinstance(i, int | np.integer)
                and not isinstance(i, bool)
                and 0 <= i < len(FakeVocabTokenizer.vocab)
                for i in ids
            ), ids
            expected = [FakeVocabTokenizer.vocab[i] for i in ids]
            assert out.value == tuple(
                t.replace("\u0120", "\u2423").replace("\u2581", "\u2423").replace("\u010a", "\\n")
                for t in expected
            )


class FakeLayeredModel:
    """A model whose config says how many layers it has; running it fails the test."""

    def __init__(self, **config: int) -> None:
        self.config = SimpleNamespace(**config)

    def __call__(self, *_args: Any, **_kwargs: Any) -> Any:
        raise AssertionError("the model ran before the arguments were checked")


@pytest.mark.models
class TestAttentionWithModels:
    @fuzz(200)
    @given(
        which=st.sampled_from(
            ["encoder_self_attention", "decoder_self_attention", "seq2seq_attention"]
        ),
        text=st.one_of(st.just("The bank raised rates."), st.sampled_from(["", " \n"]), NON_STR),
        layer=st.one_of(st.integers(-6, 5), st.sampled_from([6, -7, 10**9]), bad_count(-(10**9))),
    )
    def test_checks_first(self, which: str, text: Any, layer: Any) -> None:
        """Text and layer are checked before the model runs (6 layers: -6..5 allowed)."""
        attention = _attention()
        model = FakeLayeredModel(num_hidden_layers=6, num_layers=6, num_decoder_layers=6)
        fn = getattr(attention, which)
        args = (text, text) if which == "seq2seq_attention" else (text,)
        good_layer = isinstance(layer, int) and not isinstance(layer, bool) and -6 <= layer < 6
        assume(not (isinstance(text, str) and text.strip() and good_layer))
        rejects(
            f"nlpguide.models.attention.{which}",
            lambda: fn(UNTOUCHABLE_TOKENIZER, model, *args, layer=layer),
        )


# ============================================================================ retrieval


class TestRetrieval:
    @fuzz(200)
    @given(data=st.data())
    def test_mean_pool(self, data: st.DataObject) -> None:
        """mean_pool averages the unmasked vectors of each sequence, or rejects bad shapes."""
        b, t, d = (data.draw(st.integers(1, 4), label=x) for x in "btd")
        vectors = data.draw(hnp.arrays(np.float64, (b, t, d), elements=st.floats(-10, 10)))
        mask = data.draw(
            st.one_of(
                hnp.arrays(np.int64, (b, t), elements=st.integers(0, 1)),
                hnp.arrays(np.bool_, (b, t)),
            ),
            label="mask",
        )
        broken = draw_broken(data.draw, ["token_vectors", "attention_mask"], 1)
        if "token_vectors" in broken:
            vectors = data.draw(
                st.sampled_from([vectors[0], vectors[..., None], None, "v", vectors.tolist()])
            )
        if "attention_mask" in broken:
            mask = data.draw(
                st.sampled_from(
                    [
                        mask[0],
                        np.full((b, t), 2),
                        np.full((b, t + 1), 1),
                        np.full((b, t), -1),
                        None,
                        mask.tolist(),
                    ]
                )
            )

        def sane(pooled: np.ndarray) -> None:
            assert pooled.shape == (b, d)
            for i in range(b):
                keep = np.asarray(mask[i], dtype=bool)
                if keep.any():
                    assert np.allclose(pooled[i], vectors[i][keep].mean(axis=0))
                else:
                    assert np.allclose(pooled[i], 0.0)

        contract(
            "nlpguide.models.retrieval.mean_pool",
            lambda: retrieval.mean_pool(vectors, mask),
            broken,
            sane,
            names={"token_vectors": r"token_vectors", "attention_mask": r"attention_mask"},
        )

    @fuzz(250)
    @given(data=st.data())
    def test_top_k(self, data: st.DataObject) -> None:
        """top_k returns k hits, best first, scored by the dot product; bad input is named."""
        n, w = data.draw(st.integers(1, 8), label="n"), data.draw(st.integers(1, 5), label="w")
        docs = data.draw(hnp.arrays(np.float64, (n, w), elements=st.floats(-1, 1)), label="docs")
        query = data.draw(hnp.arrays(np.float64, (w,), elements=st.floats(-1, 1)), label="q")
        k = data.draw(st.integers(1, n), label="k")
        broken = draw_broken(data.draw, ["query", "documents", "k"], 1)
        if "query" in broken:
            query = data.draw(
                st.sampled_from(
                    [
                        np.full(w, math.nan),
                        np.ones(w + 1),
                        np.ones((1, w)),
                        None,
                        "q",
                        [math.inf] * w,
                    ]
                )
            )
        if "documents" in broken:
            docs = data.draw(
                st.sampled_from(
                    [
                        np.full((n, w), math.nan),
                        np.ones((n, w + 1)),
                        np.ones(w),
                        np.zeros((0, w)),
                        None,
                        [[1.0], [1, 2]],
                    ]
                )
            )
        if "k" in broken:
            k = data.draw(st.one_of(bad_count(1), st.just(n + 1), st.just(np.int64(1))))

        def sane(hits: list[retrieval.Hit]) -> None:
            assert len(hits) == k
            scores = [h.score for h in hits]
            assert scores == sorted(scores, reverse=True)
            for h in hits:
                assert h.score == pytest.approx(float(docs[h.index] @ query))

        contract(
            "nlpguide.models.retrieval.top_k",
            lambda: retrieval.top_k(query, docs, k=k),
            broken,
            sane,
            names={"query": r"query|finite", "documents": r"documents|finite|k must"},
        )

    @fuzz(200)
    @given(
        question=st.one_of(WORDY, st.sampled_from(["", "  "]), NON_STR),
        passages=st.one_of(
            st.lists(TEXT_OR_HUGE, max_size=3), st.just([None]), st.just([3]), NON_SEQUENCE_OR_STR
        ),
        instruction=st.one_of(st.none(), WORDY, st.sampled_from(["", " ", 0, 5, b"x"])),
    )
    def test_rag_messages(self, question: Any, passages: Any, instruction: Any) -> None:
        """rag_messages asks the question last, after every passage, or raises a clear error."""
        out = attempt(
            "nlpguide.models.retrieval.rag_messages",
            lambda: retrieval.rag_messages(question, passages, instruction=instruction),
        )
        if out.ok:
            (msg,) = out.value
            assert msg["role"] == "user"
            assert msg["content"].endswith(question)
            assert all(isinstance(p, str) and p in msg["content"] for p in passages)
            assert instruction is None or (isinstance(instruction, str) and instruction.strip())
            if instruction is not None and passages:
                assert msg["content"].startswith(instruction)


@pytest.mark.models
class TestRetrievalWithModels:
    @fuzz(150)
    @given(
        texts=st.one_of(
            st.lists(TEXT, min_size=1, max_size=3),
            st.just([]),
            st.just([None]),
            NON_SEQUENCE_OR_STR,
        ),
        max_length=st.one_of(st.integers(1, 512), bad_count(1)),
        batch_size=st.one_of(st.integers(1, 64), bad_count(1)),
    )
    def test_embed_checks_first(self, texts: Any, max_length: Any, batch_size: Any) -> None:
        """embed rejects bad texts or sizes before tokenising anything."""
        valid = (
            isinstance(texts, list)
            and texts
            and all(isinstance(t, str) for t in texts)
            and all(
                isinstance(v, int) and not isinstance(v, bool) and v >= 1
                for v in (max_length, batch_size)
            )
        )
        assume(not valid)
        rejects(
            "nlpguide.models.retrieval.embed",
            lambda: retrieval.embed(
                UNTOUCHABLE_TOKENIZER,
                UNTOUCHABLE_MODEL,
                texts,
                max_length=max_length,
                batch_size=batch_size,
            ),
        )


# ============================================================================ zero_shot

LABELS = st.lists(PLAIN_WORD, min_size=2, max_size=5, unique=True)
BAD_LABELS = st.one_of(
    st.just(["only"]),
    st.just([]),
    st.just(["a", "a"]),
    st.just(["a", " b"]),
    st.just(["a", ""]),
    st.just(["a", 3]),
    st.just("ab"),
    NON_SEQUENCE_OR_STR,
)
QUESTIONS = st.sampled_from(
    [
        "{labels}: {text}",
        "Topic ({labels})?\n{text}",
        zero_shot.QUESTION,
        "{text} -- {labels} {{braces}}",
    ]
)
BAD_QUESTIONS = st.one_of(
    st.sampled_from(
        [
            "{labels}",
            "{text}",
            "{labels} {text} {x}",
            "{labels} {text} {0}",
            "{labels} {text} {",
            "{labels} {text} }",
            "{labels.x} {text}",
            "{text[0]} {labels}",
            "{labels} {text:>{width}}",
            "",
        ]
    ),
    NON_STR,
)


class FakeLabelTokenizer:
    """Every label word is one token; cutting and decoding work on whitespace."""

    def encode(self, text: str, **_kwargs: Any) -> list[int]:
        if text.startswith(" "):  # a label: one token, distinct per label
            return [sum(map(ord, text)) * 31 + len(text)]
        return [0] * len(text.split())

    def convert_ids_to_tokens(self, ids: list[int]) -> list[str]:
        return [str(i) for i in ids]

    def apply_chat_template(self, messages: Any, **_kwargs: Any) -> str:
        return "".join(m["content"] for m in messages)


class TestZeroShot:
    @fuzz(200)
    @given(labels=st.one_of(LABELS, BAD_LABELS))
    def test_join_labels(self, labels: Any) -> None:
        """join_labels lists every label, the last after ' or '."""
        out = attempt(
            "nlpguide.models.zero_shot.join_labels", lambda: zero_shot.join_labels(labels)
        )
        if out.ok:
            assert out.value.endswith(" or " + labels[-1])
            assert all(label in out.value for label in labels)

    @fuzz(250)
    @given(
        text=st.one_of(TEXT_OR_HUGE, NON_STR),
        labels=st.one_of(LABELS, BAD_LABELS),
        question=st.one_of(QUESTIONS, BAD_QUESTIONS),
    )
    def test_topic_messages(self, text: Any, labels: Any, question: Any) -> None:
        """topic_messages fills {labels} and {text} into the question, or raises a clear error."""
        out = attempt(
            "nlpguide.models.zero_shot.topic_messages",
            lambda: zero_shot.topic_messages(text, labels, question=question),
        )
        if out.ok:
            (msg,) = out.value
            assert msg["role"] == "user"
            assert text in msg["content"]
            assert zero_shot.join_labels(labels) in msg["content"]

    @fuzz(150)
    @given(
        labels=st.one_of(LABELS, BAD_LABELS),
        max_text_tokens=st.one_of(st.integers(1, 512), bad_count(1)),
        question=st.one_of(QUESTIONS, BAD_QUESTIONS),
        answer_prefix=st.one_of(
            st.sampled_from(["This article is about", ""]),
            st.sampled_from(["ends with space ", "\t"]),
            NON_STR,
        ),
    )
    def test_classifier_checks_first(
        self, labels: Any, max_text_tokens: Any, question: Any, answer_prefix: Any
    ) -> None:
        """ZeroShotClassifier checks labels, sizes and templates before touching the tokenizer."""
        kwargs = {
            "max_text_tokens": max_text_tokens,
            "question": question,
            "answer_prefix": answer_prefix,
        }
        target = "nlpguide.models.zero_shot.ZeroShotClassifier"
        built = attempt(
            target,
            lambda: zero_shot.ZeroShotClassifier(
                FakeLabelTokenizer(), UNTOUCHABLE_MODEL, labels, **kwargs
            ),
        )
        if built.ok:
            assert built.value.labels == tuple(labels)
            assert len(set(built.value.label_token_ids)) == len(labels)
        else:  # the same error without the tokenizer ever being touched
            error = rejects(
                target,
                lambda: zero_shot.ZeroShotClassifier(
                    UNTOUCHABLE_TOKENIZER, UNTOUCHABLE_MODEL, labels, **kwargs
                ),
            )
            assert type(error) is type(built.error)

    @fuzz(150)
    @given(
        texts=st.one_of(
            st.lists(TEXT, min_size=1, max_size=2), st.just([]), st.just([5]), NON_SEQUENCE_OR_STR
        ),
        fillers=st.one_of(
            st.just(zero_shot.CONTENT_FREE_TEXTS), st.just(()), st.just([5]), NON_SEQUENCE_OR_STR
        ),
    )
    def test_classify_checks_first(self, texts: Any, fillers: Any) -> None:
        """classify and bias reject bad texts or fillers before the model runs."""
        clf = zero_shot.ZeroShotClassifier(FakeLabelTokenizer(), UNTOUCHABLE_MODEL, ["a", "b"])
        valid_fillers = fillers == zero_shot.CONTENT_FREE_TEXTS
        valid_texts = isinstance(texts, list) and texts and all(isinstance(t, str) for t in texts)
        if not valid_fillers:
            rejects(
                "nlpguide.models.zero_shot.ZeroShotClassifier", lambda: clf.bias(fillers), "fillers"
            )
        assume(not (valid_fillers and valid_texts))
        rejects(
            "nlpguide.models.zero_shot.ZeroShotClassifier",
            lambda: clf.classify(texts, fillers=fillers),
        )

    @fuzz(200)
    @given(data=st.data())
    def test_zero_shot_result(self, data: st.DataObject) -> None:
        """A ZeroShotResult predicts a label per document; inconsistent arrays are named."""
        n, k = data.draw(st.integers(1, 5), label="n"), data.draw(st.integers(2, 4), label="k")
        kwargs: dict[str, Any] = {
            "labels": tuple(f"l{i}" for i in range(k)),
            "log_probs": data.draw(hnp.arrays(np.float64, (n, k), elements=st.floats(-50, 0))),
            "bias": data.draw(hnp.arrays(np.float64, (k,), elements=st.floats(1e-6, 1))),
            "seconds": data.draw(hnp.arrays(np.float64, (n,), elements=st.floats(0, 10))),
            "prompt_tokens": data.draw(hnp.arrays(np.int64, (n,), elements=st.integers(1, 500))),
            "truncated": data.draw(st.integers(0, n)),
        }
        broken = draw_broken(data.draw, sorted(kwargs), 1)
        bad = {
            "labels": st.sampled_from([None, "ab", ("a",) * k, (1,) * k]),
            "log_probs": st.sampled_from(
                [
                    None,
                    np.zeros(n),
                    np.zeros((n, k + 1)),
                    np.full((n, k), math.nan),
                    np.zeros((0, k)),
                ]
            ),
            "bias": st.sampled_from(
                [None, np.zeros(k), np.ones(k + 1), np.full(k, -0.5), np.full(k, math.nan)]
            ),
            "seconds": st.sampled_from(
                [None, np.ones(n + 1), np.full(n, -1.0), np.full(n, math.nan)]
            ),
            "prompt_tokens": st.sampled_from(
                [None, np.ones(n + 1, dtype=np.int64), np.full(n, -1), np.full(n, 1.5)]
            ),
            "truncated": st.sampled_from([-1, n + 1, 1.0, True, None]),
        }
        for name in broken:
            kwargs[name] = data.draw(bad[name], label=f"bad {name}")

        def sane(result: Any) -> None:
            for calibrated in (True, False):
                pred = result.predictions(calibrated=calibrated)
                assert pred.shape == (n,)
                assert ((pred >= 0) & (pred < k)).all()
                assert 0.0 <= result.accuracy(pred, calibrated=calibrated) == 1.0
            assert math.isfinite(result.ms_per_document)

        contract(
            "nlpguide.models.zero_shot.ZeroShotResult",
            lambda: zero_shot.ZeroShotResult(**kwargs),
            broken,
            sane,
            names={"log_probs": r"log_probs", "prompt_tokens": r"prompt_tokens"},
        )

    @fuzz(150)
    @given(data=st.data())
    def test_classifier_run(self, data: st.DataObject) -> None:
        """A ClassifierRun scores its predictions; inconsistent arrays are named."""
        n = data.draw(st.integers(1, 5), label="n")
        kwargs: dict[str, Any] = {
            "predictions": data.draw(hnp.arrays(np.int64, (n,), elements=st.integers(0, 4))),
            "seconds": data.draw(hnp.arrays(np.float64, (n,), elements=st.floats(0, 10))),
            "tokens": data.draw(hnp.arrays(np.int64, (n,), elements=st.integers(1, 512))),
            "truncated": data.draw(st.integers(0, n)),
        }
        broken = draw_broken(data.draw, sorted(kwargs), 1)
        bad = {
            "predictions": st.sampled_from(
                [None, [1] * n, np.zeros((n, 2), dtype=np.int64), np.full(n, 0.5), np.full(n, -1)]
            ),
            "seconds": st.sampled_from([None, np.ones(n + 1), np.full(n, math.nan)]),
            "tokens": st.sampled_from([None, np.ones(n + 1, dtype=np.int64), np.full(n, -3)]),
            "truncated": st.sampled_from([-1, n + 1, 0.5, False, "0"]),
        }
        for name in broken:
            kwargs[name] = data.draw(bad[name], label=f"bad {name}")

        def sane(run: Any) -> None:
            assert run.accuracy(kwargs["predictions"]) == 1.0
            assert math.isfinite(run.ms_per_document)

        contract(
            "nlpguide.models.zero_shot.ClassifierRun",
            lambda: zero_shot.ClassifierRun(**kwargs),
            broken,
            sane,
        )

    @fuzz(200)
    @given(
        config=st.one_of(
            st.sampled_from(
                [
                    "gpt2",
                    "HuggingFaceTB/SmolLM2-135M-Instruct",
                    "bert-base-uncased",
                    "t5-small",
                    "nope",
                ]
            ),
            st.just(
                {
                    "model_type": "gpt2",
                    "n_embd": 8,
                    "n_layer": 1,
                    "n_head": 2,
                    "vocab_size": 10,
                    "n_positions": 16,
                }
            ),
            st.just({"model_type": "llama"}),
            st.just({"model_type": "gpt2", "n_embd": "8", "vocab_size": 10}),
            NON_STR,
        ),
        tokens=st.one_of(st.integers(1, 2048), bad_count(1)),
        num_labels=st.one_of(st.integers(1, 100), bad_count(1)),
    )
    def test_flops(self, config: Any, tokens: Any, num_labels: Any) -> None:
        """scoring_flops <= forward_flops < classifier_flops, or a clear error."""
        scoring = attempt(
            "nlpguide.models.zero_shot.scoring_flops",
            lambda: zero_shot.scoring_flops(config, tokens),
        )
        if scoring.ok:
            assert 0 < scoring.value <= choose.forward_flops(config, tokens)
        classifier = attempt(
            "nlpguide.models.zero_shot.classifier_flops",
            lambda: zero_shot.classifier_flops(config, tokens, num_labels),
        )
        if classifier.ok:
            assert classifier.value > choose.forward_flops(config, tokens)


@pytest.mark.models
class TestZeroShotWithModels:
    @fuzz(100)
    @given(
        texts=st.one_of(
            st.lists(TEXT, min_size=1, max_size=2),
            st.just([]),
            st.just([None]),
            NON_SEQUENCE_OR_STR,
        ),
        max_length=st.one_of(st.integers(1, 512), bad_count(1)),
    )
    def test_time_classifier_checks_first(self, texts: Any, max_length: Any) -> None:
        """time_classifier rejects bad texts or max_length before tokenising."""
        valid = (
            isinstance(texts, list)
            and texts
            and all(isinstance(t, str) for t in texts)
            and isinstance(max_length, int)
            and not isinstance(max_length, bool)
            and max_length >= 1
        )
        assume(not valid)
        rejects(
            "nlpguide.models.zero_shot.time_classifier",
            lambda: zero_shot.time_classifier(
                UNTOUCHABLE_TOKENIZER, UNTOUCHABLE_MODEL, texts, max_length=max_length
            ),
        )


# ============================================================================ t5

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

    @fuzz(200)
    @given(
        predictions=st.one_of(WORD_LISTS, BAD_STR_LISTS),
        references=st.one_of(WORD_LISTS, BAD_STR_LISTS),
    )
    def test_exact_match(self, predictions: Any, references: Any) -> None:
        """exact_match is the share of equal (case- and space-folded) pairs, in [0, 1]."""
        if isinstance(predictions, list) and isinstance(references, list) and references:
            predictions = (predictions * len(references))[: len(references)] or references
        out = attempt(
            "nlpguide.models.t5.exact_match", lambda: t5_api.exact_match(predictions, references)
        )
        if out.ok:
            assert 0.0 <= out.value <= 1.0
            assert isinstance(predictions, list | tuple)
            assert all(isinstance(p, str) for p in [*predictions, *references])

    @fuzz(150)
    @given(train=st.one_of(WORD_LISTS, BAD_STR_LISTS), test=st.one_of(WORD_LISTS, BAD_STR_LISTS))
    def test_majority_baseline(self, train: Any, test: Any) -> None:
        """majority_baseline picks a train label and scores it in [0, 1], or raises clearly."""
        out = attempt(
            "nlpguide.models.t5.majority_baseline", lambda: t5_api.majority_baseline(train, test)
        )
        if out.ok:
            label, score = out.value
            assert isinstance(train, list | tuple)
            assert isinstance(test, list | tuple)
            assert isinstance(label, str)
            assert label in train
            assert 0.0 <= score <= 1.0

    @fuzz(200)
    @given(text=st.one_of(TEXT_OR_HUGE, NON_STR), n=st.one_of(st.integers(1, 50), bad_count(1)))
    def test_lead_words(self, text: Any, n: Any) -> None:
        """lead_words keeps the first n whitespace-separated words."""
        out = attempt("nlpguide.models.t5.lead_words", lambda: t5_api.lead_words(text, n))
        if out.ok:
            assert isinstance(n, int)
            assert not isinstance(n, bool)
            assert out.value.split() == text.split()[:n]

    @fuzz(200)
    @given(hypothesis=st.one_of(TEXT, NON_STR), reference=st.one_of(TEXT, NON_STR))
    def test_rouge_l_f1(self, hypothesis: Any, reference: Any) -> None:
        """ROUGE-L F1 is in [0, 1] and symmetric, 1 for a text against itself."""
        out = attempt(
            "nlpguide.models.t5.rouge_l_f1", lambda: t5_api.rouge_l_f1(hypothesis, reference)
        )
        if out.ok:
            assert 0.0 <= out.value <= 1.0
            assert out.value == pytest.approx(t5_api.rouge_l_f1(reference, hypothesis))
            assert t5_api.rouge_l_f1(hypothesis, hypothesis) == 1.0

    @fuzz(150)
    @given(text=st.one_of(TEXT_OR_HUGE, NON_STR))
    def test_word_tokens(self, text: Any) -> None:
        """word_tokens are lowercase [a-z0-9] runs."""
        from nlpguide.models import _t5_recipe

        out = attempt("nlpguide.models.t5.word_tokens", lambda: _t5_recipe.word_tokens(text))
        if out.ok:
            assert all(re.fullmatch("[a-z0-9]+", t) for t in out.value)

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


# ============================================================================ coverage

PUBLIC_MODULES = (
    "nlpguide",
    "nlpguide.mlm",
    "nlpguide.text2text",
    "nlpguide.choose",
    "nlpguide.data",
    "nlpguide.cli",
    "nlpguide.models",
    "nlpguide.models.finetune",
    "nlpguide.models.decoding",
    "nlpguide.models.attention",
    "nlpguide.models.zero_shot",
    "nlpguide.models.retrieval",
    "nlpguide.models.t5",
)

#: Each public callable -> the test that fuzzes it ("Class.method").
REGISTRY: dict[str, str] = {
    "nlpguide.__getattr__": "TestPackage.test_lazy_attributes",
    "nlpguide.mlm.mask_tokens": "TestMlm.test_mask_tokens",
    "nlpguide.mlm.whole_word_mask": "TestMlm.test_whole_word_mask",
    "nlpguide.mlm.simulate_mlm": "TestMlm.test_simulate_mlm",
    "nlpguide.mlm.MaskedBatch": "TestMlm.test_masked_batch",
    "nlpguide.mlm.MLMSimulation": "TestMlm.test_mlm_simulation",
    "nlpguide.text2text.frame": "TestText2Text.test_frame",
    "nlpguide.text2text.encode_target": "TestText2Text.test_encode_target",
    "nlpguide.text2text.decode_target": "TestText2Text.test_decode_target",
    "nlpguide.text2text.span_corruption": "TestText2Text.test_span_corruption",
    "nlpguide.text2text.length_stats": "TestText2Text.test_length_stats",
    "nlpguide.text2text.SpanCorruption": "TestText2Text.test_span_corruption_record",
    "nlpguide.text2text.LengthStats": "TestRecords.test_plain_records",
    "nlpguide.text2text.TaskSpec": "TestRecords.test_plain_records",
    "nlpguide.choose.recommend": "TestChoose.test_recommend",
    "nlpguide.choose.render_table": "TestChoose.test_render_table",
    "nlpguide.choose.QuickReferenceRow": "TestChoose.test_quick_reference_row",
    "nlpguide.choose.Recommendation": "TestRecords.test_plain_records",
    "nlpguide.choose.reference_config": "TestChoose.test_reference_config",
    "nlpguide.choose.parameter_count": "TestChoose.test_counts_and_flops",
    "nlpguide.choose.counted_model_class": "TestChoose.test_counts_and_flops",
    "nlpguide.choose.forward_flops": "TestChoose.test_counts_and_flops",
    "nlpguide.choose.flops_per_token": "TestChoose.test_counts_and_flops",
    "nlpguide.choose.known_tasks": "TestChoose.test_no_argument_functions",
    "nlpguide.choose.known_models": "TestChoose.test_no_argument_functions",
    "nlpguide.data.Article": "TestData.test_article",
    "nlpguide.data.bbc_articles": "TestData.test_no_argument_functions",
    "nlpguide.data.bbc_news": "TestData.test_no_argument_functions",
    "nlpguide.data.bbc_split": "TestData.test_bbc_split_checks_before_reading",
    "nlpguide.cli.main": "TestCli.test_any_argv",
    "nlpguide.models.AssetMissingError": "TestRecords.test_exceptions",
    "nlpguide.models.CacheEntryError": "TestRecords.test_exceptions",
    "nlpguide.models.cache_dir": "TestModelLoaders.test_cache_dir",
    "nlpguide.models.default_path": "TestModelLoaders.test_default_path_unknown_kind",
    "nlpguide.models.encoder": "TestModelLoaders.test_bad_names",
    "nlpguide.models.masked_lm": "TestModelLoaders.test_bad_names",
    "nlpguide.models.decoder": "TestModelLoaders.test_bad_names",
    "nlpguide.models.seq2seq": "TestModelLoaders.test_bad_names",
    "nlpguide.models.seed_everything": "TestModelLoaders.test_seed_everything",
    "nlpguide.models.finetune.FineTuneSettings": "TestFinetune.test_settings",
    "nlpguide.models.finetune.FineTuneResult": "TestRecords.test_plain_records",
    "nlpguide.models.finetune.Prediction": "TestRecords.test_plain_records",
    "nlpguide.models.finetune.finetune_classifier": "TestFinetune.test_finetune_classifier_checks_first",
    "nlpguide.models.finetune.save_result": "TestFinetune.test_save_result_folder",
    "nlpguide.models.finetune.load_result": "TestFinetune.test_load_result",
    "nlpguide.models.decoding.Candidate": "TestDecoding.test_candidate",
    "nlpguide.models.decoding.GreedyStep": "TestDecoding.test_greedy_step",
    "nlpguide.models.decoding.GenerationTiming": "TestDecoding.test_generation_timing",
    "nlpguide.models.decoding.show_token": "TestDecoding.test_show_token",
    "nlpguide.models.decoding.chat_inputs": "TestDecoding.test_chat_inputs",
    "nlpguide.models.decoding.trace_markdown": "TestDecoding.test_trace_markdown",
    "nlpguide.models.decoding.generated_text": "TestDecoding.test_generated_text",
    "nlpguide.models.decoding.greedy_trace": "TestDecodingWithModels.test_greedy_trace_checks_first",
    "nlpguide.models.decoding.time_generation": "TestDecodingWithModels.test_time_generation_checks_first",
    "nlpguide.models.attention.AttentionMap": "TestAttention.test_attention_map",
    "nlpguide.models.attention.is_causal": "TestAttention.test_is_causal",
    "nlpguide.models.attention.token_labels": "TestAttention.test_token_labels",
    "nlpguide.models.attention.encoder_self_attention": "TestAttentionWithModels.test_checks_first",
    "nlpguide.models.attention.decoder_self_attention": "TestAttentionWithModels.test_checks_first",
    "nlpguide.models.attention.seq2seq_attention": "TestAttentionWithModels.test_checks_first",
    "nlpguide.models.retrieval.Hit": "TestRecords.test_plain_records",
    "nlpguide.models.retrieval.mean_pool": "TestRetrieval.test_mean_pool",
    "nlpguide.models.retrieval.top_k": "TestRetrieval.test_top_k",
    "nlpguide.models.retrieval.rag_messages": "TestRetrieval.test_rag_messages",
    "nlpguide.models.retrieval.embed": "TestRetrievalWithModels.test_embed_checks_first",
    "nlpguide.models.zero_shot.join_labels": "TestZeroShot.test_join_labels",
    "nlpguide.models.zero_shot.topic_messages": "TestZeroShot.test_topic_messages",
    "nlpguide.models.zero_shot.ZeroShotClassifier": "TestZeroShot.test_classifier_checks_first",
    "nlpguide.models.zero_shot.ZeroShotResult": "TestZeroShot.test_zero_shot_result",
    "nlpguide.models.zero_shot.ClassifierRun": "TestZeroShot.test_classifier_run",
    "nlpguide.models.zero_shot.scoring_flops": "TestZeroShot.test_flops",
    "nlpguide.models.zero_shot.classifier_flops": "TestZeroShot.test_flops",
    "nlpguide.models.zero_shot.time_classifier": "TestZeroShotWithModels.test_time_classifier_checks_first",
    "nlpguide.models.t5.source_text": "TestT5.test_source_text",
    "nlpguide.models.t5.exact_match": "TestT5.test_exact_match",
    "nlpguide.models.t5.majority_baseline": "TestT5.test_majority_baseline",
    "nlpguide.models.t5.lead_words": "TestT5.test_lead_words",
    "nlpguide.models.t5.rouge_l_f1": "TestT5.test_rouge_l_f1",
    "nlpguide.models.t5.word_tokens": "TestT5.test_word_tokens",
    "nlpguide.models.t5.read_record": "TestT5.test_read_record",
    "nlpguide.models.t5.generate_texts": "TestT5WithModels.test_generate_texts_checks_first",
}


def public_callables() -> dict[str, Any]:
    """Every function or class named in the ``__all__`` of a public module."""
    found = {}
    for name in PUBLIC_MODULES:
        module = importlib.import_module(name)
        for attr in module.__all__:
            obj = getattr(module, attr)
            if inspect.isfunction(obj) or inspect.isclass(obj):
                found[f"{name}.{attr}"] = obj
    return found


class TestCoverage:
    def test_every_public_callable_is_fuzzed(self) -> None:
        """Each public function and class has an entry in REGISTRY: a new one needs a fuzz test."""
        missing = sorted(set(public_callables()) - set(REGISTRY))
        assert not missing, f"public callables without a fuzz test: {missing}"

    def test_registry_names_real_tests(self) -> None:
        """Every REGISTRY entry points at a test of this module."""
        here = sys.modules[__name__]
        for target, test in REGISTRY.items():
            cls_name, _, method = test.partition(".")
            cls = getattr(here, cls_name, None)
            assert cls is not None, (target, test)
            assert callable(getattr(cls, method, None)), (target, test)
