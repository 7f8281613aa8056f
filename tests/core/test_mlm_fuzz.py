"""Bad-input fuzzing of :mod:`nlpguide.mlm` (the contract: tests/fuzz_support.py)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from fuzz_support import (
    ANY_CHAR,
    BAD_PROBABILITY,
    BAD_RNG,
    NON_STR,
    TEXT,
    TEXT_OR_HUGE,
    WORDY,
    attempt,
    bad_count,
    contract,
    draw_broken,
    fuzz,
    rngs,
)
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from nlpguide import mlm


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


#: Each public callable -> the test here that fuzzes it (tests/*/test_fuzz_coverage.py).
REGISTRY: dict[str, str] = {
    "nlpguide.mlm.mask_tokens": "TestMlm.test_mask_tokens",
    "nlpguide.mlm.whole_word_mask": "TestMlm.test_whole_word_mask",
    "nlpguide.mlm.simulate_mlm": "TestMlm.test_simulate_mlm",
    "nlpguide.mlm.MaskedBatch": "TestMlm.test_masked_batch",
    "nlpguide.mlm.MLMSimulation": "TestMlm.test_mlm_simulation",
}
