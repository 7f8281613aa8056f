"""Shared machinery of the bad-input fuzz tests (issue #7, item 3): one fuzz file per module.

Every callable in the ``__all__`` of nlpguide's public modules is called with
hypothesis-generated input by the ``test_<module>_fuzz.py`` beside that module's
tests: wrong types (None, bytes, floats, lists, dicts, bools where ints are
wanted), empty and whitespace strings, huge strings and arrays, arbitrary
unicode (lone surrogates, control characters, right-to-left marks), negative /
NaN / infinite / >1 probabilities, out-of-range ids and unknown names. The
contract checked everywhere:

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
counts as one case in :data:`CASES`; the total is printed at the end of the run
(see conftest.py). Each fuzz file's ``REGISTRY`` maps each public callable it
covers to its test, and ``test_fuzz_coverage.py`` in tests/core and tests/models
fails when a public callable has none (:func:`missing_fuzz_tests`).

This module imports no torch: the numpy-only core layer uses it too.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import math
import re
import string
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields
from fractions import Fraction
from pathlib import Path
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


# --------------------------------------------------------------------------- counting

#: Calls made per target in this session; conftest.py prints the total at the end.
CASES: Counter[str] = Counter()


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


def rngs() -> st.SearchStrategy[Any]:
    """Valid ``rng`` arguments: None, an int seed, a Generator, a numpy integer."""
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


SMALL_DIM = st.integers(1, 64)
BIG_DIM = st.one_of(st.integers(1, 64), st.sampled_from([10**6, 10**30, 10**120]))
CONFIGS = st.sampled_from(choose.SUPPORTED_MODEL_TYPES).flatmap(lambda t: model_configs(t, BIG_DIM))
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


def bad_config(draw: Any, config: dict[str, Any]) -> tuple[dict[str, Any], str]:
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


# --------------------------------------------------------------------------- records


def check_plain_record(target: str, cls: Callable[..., Any], data: st.DataObject) -> None:
    """A plain record (dataclass or NamedTuple) keeps every field as given and reprs."""
    if hasattr(cls, "_fields"):
        names = list(cls._fields)
    else:
        names = [f.name for f in fields(cls) if f.init]  # type: ignore[arg-type]
    values = {n: data.draw(st.one_of(TEXT, st.integers(), st.floats()), label=n) for n in names}
    out = attempt(target, lambda: cls(**values))
    assert out.ok
    for n, v in values.items():
        got = getattr(out.value, n)
        assert got is v or got == v or (isinstance(v, float) and math.isnan(v))
    assert repr(out.value)


# --------------------------------------------------------------------------- coverage


def public_callables(modules: Sequence[str]) -> dict[str, Any]:
    """Every function or class named in the ``__all__`` of ``modules``."""
    found = {}
    for name in modules:
        module = importlib.import_module(name)
        for attr in module.__all__:
            obj = getattr(module, attr)
            if inspect.isfunction(obj) or inspect.isclass(obj):
                found[f"{name}.{attr}"] = obj
    return found


def registries(fuzz_files: Sequence[Path]) -> dict[str, tuple[Path, str]]:
    """Each fuzz file's ``REGISTRY``, read without importing it: target -> (file, test)."""
    found: dict[str, tuple[Path, str]] = {}
    for path in fuzz_files:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        tests = {
            f"{node.name}.{item.name}"
            for node in tree.body
            if isinstance(node, ast.ClassDef)
            for item in node.body
            if isinstance(item, ast.FunctionDef) and item.name.startswith("test_")
        }
        entries = [
            node.value
            for node in tree.body
            if isinstance(node, ast.AnnAssign)
            and isinstance(node.target, ast.Name)
            and node.target.id == "REGISTRY"
            and node.value is not None
        ]
        assert len(entries) == 1, f"{path.name} defines no REGISTRY (or more than one)"
        registry = ast.literal_eval(entries[0])
        for target, test in registry.items():
            assert test in tests, f"{path.name}: REGISTRY[{target!r}] = {test!r} is no test there"
            assert target not in found, f"{target} is fuzzed in {found[target][0].name} too"
            found[target] = (path, test)
    return found


def missing_fuzz_tests(modules: Sequence[str], fuzz_files: Sequence[Path]) -> list[str]:
    """The public callables of ``modules`` that no REGISTRY of ``fuzz_files`` names."""
    return sorted(set(public_callables(modules)) - set(registries(fuzz_files)))


#: Lists of words (the metrics' inputs), and what is no list of str.
WORD_LISTS = st.lists(st.one_of(PLAIN_WORD, TEXT), max_size=8)
BAD_STR_LISTS = st.one_of(
    st.just("sport"),
    st.just(["a", None]),
    st.just([1, 2]),
    NON_SEQUENCE_OR_STR.filter(lambda v: not isinstance(v, str)),
)
