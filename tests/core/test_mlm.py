"""Tests for nlpguide.mlm: BERT's masked-language-model masking."""

from __future__ import annotations

import math
import re
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from mlm_stats import (
    MASK,
    PAD,
    VOCAB,
    Z,
    assert_split,
    binomial_sd,
    make_batch,
    observed_split,
)

from nlpguide import mlm
from nlpguide._mlm_words import WORDS
from nlpguide.mlm import (
    IGNORE_INDEX,
    MaskedBatch,
    MLMSimulation,
    mask_tokens,
    simulate_mlm,
    whole_word_mask,
)


class TestMaskedBatch:
    def test_selected_and_count(self) -> None:
        """selected is true exactly where the label is not -100, and num_selected counts it."""
        batch = MaskedBatch(np.array([[5, 103], [7, 8]]), np.array([[-100, 4], [7, -100]]))

        assert batch.selected.tolist() == [[False, True], [True, False]]
        assert batch.num_selected == 2

    def test_frozen(self) -> None:
        """A MaskedBatch's fields cannot be reassigned."""
        batch = MaskedBatch(np.array([1]), np.array([-100]))

        with pytest.raises(AttributeError):
            batch.labels = np.array([1])  # type: ignore[misc]


class TestMaskTokens:
    def test_input_not_modified(self) -> None:
        """The caller's array is left exactly as it was, and the result is a new array."""
        ids, special = make_batch(50, 32)
        before = ids.copy()

        for strategy in ("bernoulli", "fixed"):
            out = mask_tokens(
                ids,
                mask_token_id=MASK,
                vocab_size=VOCAB,
                special_tokens_mask=special,
                mlm_probability=0.5,
                strategy=strategy,
                rng=0,
            )
            assert not np.shares_memory(out.input_ids, ids)

        np.testing.assert_array_equal(ids, before)

    def test_labels_and_unselected_positions(self) -> None:
        """Labels hold the original id where selected and -100 elsewhere; the rest is unchanged."""
        ids, special = make_batch(200, 64)

        out = mask_tokens(ids, mask_token_id=MASK, vocab_size=VOCAB, special_tokens_mask=special)
        sel = out.selected

        np.testing.assert_array_equal(out.labels[sel], ids[sel])
        assert (out.labels[~sel] == IGNORE_INDEX).all()
        np.testing.assert_array_equal(out.input_ids[~sel], ids[~sel])
        assert out.labels.dtype == np.int64
        assert out.num_selected > 0

    def test_specials_never_selected(self) -> None:
        """With mlm_probability=1 every ordinary position is selected and no special one."""
        ids, special = make_batch(40, 20)

        for strategy in ("bernoulli", "fixed"):
            out = mask_tokens(
                ids,
                mask_token_id=MASK,
                vocab_size=VOCAB,
                special_tokens_mask=special.astype(np.int8),
                mlm_probability=1.0,
                strategy=strategy,
            )
            np.testing.assert_array_equal(out.selected, ~special)

    def test_attention_mask_excludes_padding(self) -> None:
        """Positions where attention_mask is 0 are never selected."""
        ids = np.array([[5, 6, 7, 0, 0]])
        attention = np.array([[1, 1, 1, 0, 0]])

        out = mask_tokens(
            ids, mask_token_id=1, vocab_size=10, attention_mask=attention, mlm_probability=1.0
        )

        assert out.selected.tolist() == [[True, True, True, False, False]]

    def test_all_mask(self) -> None:
        """mask_replace_prob=1 turns every selected position into the mask id."""
        ids = np.arange(2, 12)

        out = mask_tokens(
            ids,
            mask_token_id=1,
            vocab_size=12,
            mlm_probability=1.0,
            mask_replace_prob=1.0,
            random_replace_prob=0.0,
        )

        assert out.input_ids.tolist() == [1] * 10
        assert out.labels.tolist() == ids.tolist()

    def test_keep_only(self) -> None:
        """With mask and random probabilities 0, selected positions keep their token."""
        ids = np.arange(10)

        out = mask_tokens(
            ids, mask_token_id=0, vocab_size=10, mask_replace_prob=0.0, random_replace_prob=0.0
        )

        np.testing.assert_array_equal(out.input_ids, ids)

    def test_zero_probability_selects_nothing(self) -> None:
        """Bernoulli selection with mlm_probability=0 selects no position."""
        ids, _ = make_batch(20, 30)

        out = mask_tokens(ids, mask_token_id=MASK, vocab_size=VOCAB, mlm_probability=0.0)

        assert out.num_selected == 0
        np.testing.assert_array_equal(out.input_ids, ids)

    def test_random_ids_in_range(self) -> None:
        """random_replace_prob=1 draws replacement ids from [0, vocab_size)."""
        ids = np.full(5000, 3, dtype=np.int16)

        out = mask_tokens(
            ids,
            mask_token_id=0,
            vocab_size=7,
            mlm_probability=1.0,
            mask_replace_prob=0.0,
            random_replace_prob=1.0,
            rng=2,
        )

        assert set(np.unique(out.input_ids).tolist()) == set(range(7))

    def test_same_seed_same_result(self) -> None:
        """The same int seed, or equally seeded Generators, give identical results."""
        ids, special = make_batch(30, 40)
        kwargs: dict[str, Any] = {
            "mask_token_id": MASK,
            "vocab_size": VOCAB,
            "special_tokens_mask": special,
        }

        for strategy in ("bernoulli", "fixed"):
            a = mask_tokens(ids, strategy=strategy, rng=7, **kwargs)
            b = mask_tokens(ids, strategy=strategy, rng=np.random.default_rng(7), **kwargs)
            np.testing.assert_array_equal(a.input_ids, b.input_ids)
            np.testing.assert_array_equal(a.labels, b.labels)

    def test_generator_is_advanced(self) -> None:
        """A Generator is used in place, so two calls with it differ."""
        ids, _ = make_batch(30, 40)
        gen = np.random.default_rng(0)

        a = mask_tokens(ids, mask_token_id=MASK, vocab_size=VOCAB, rng=gen)
        b = mask_tokens(ids, mask_token_id=MASK, vocab_size=VOCAB, rng=gen)

        assert not np.array_equal(a.labels, b.labels)

    @pytest.mark.parametrize("dtype", [np.int32, np.uint16, np.int64, np.uint64])
    def test_dtype_preserved(self, dtype: type[np.integer[Any]]) -> None:
        """input_ids keeps its dtype; labels are int64 (what PyTorch's loss expects)."""
        ids = np.arange(1, 200, dtype=dtype)

        out = mask_tokens(ids, mask_token_id=0, vocab_size=200, mlm_probability=0.5, rng=1)

        assert out.input_ids.dtype == dtype
        assert out.labels.dtype == np.int64

    def test_non_contiguous_input(self) -> None:
        """A strided or Fortran-ordered batch gives the same result as its C-ordered copy."""
        ids, special = make_batch(64, 48)
        strided = ids[::2, ::3]
        fortran = np.asfortranarray(ids)
        kwargs: dict[str, Any] = {"mask_token_id": MASK, "vocab_size": VOCAB, "rng": 3}

        for strategy in ("bernoulli", "fixed"):
            a = mask_tokens(strided, strategy=strategy, **kwargs)
            b = mask_tokens(np.ascontiguousarray(strided), strategy=strategy, **kwargs)
            np.testing.assert_array_equal(a.input_ids, b.input_ids)
            c = mask_tokens(fortran, special_tokens_mask=special, strategy=strategy, **kwargs)
            d = mask_tokens(ids, special_tokens_mask=special, strategy=strategy, **kwargs)
            np.testing.assert_array_equal(c.labels, d.labels)

    def test_big_endian_input(self) -> None:
        """Non-native byte order is validated and masked like native ids."""
        ids = np.arange(1, 50, dtype=">i4")

        out = mask_tokens(ids, mask_token_id=0, vocab_size=50, rng=4)
        native = mask_tokens(ids.astype("<i4"), mask_token_id=0, vocab_size=50, rng=4)

        np.testing.assert_array_equal(out.input_ids, native.input_ids)
        with pytest.raises(ValueError, match="found 50"):
            mask_tokens(np.arange(1, 51, dtype=">i4"), mask_token_id=0, vocab_size=50)

    def test_spans_several_chunks(self) -> None:
        """Batches longer than one internal chunk are masked throughout, chunk edges included."""
        ids = np.full(3 * mlm._CHUNK + 17, 5)

        out = mask_tokens(ids, mask_token_id=1, vocab_size=10, mlm_probability=1.0)

        assert out.num_selected == ids.size

    @pytest.mark.parametrize("shape", [(0,), (0, 5), (3, 0)])
    def test_empty(self, shape: tuple[int, ...]) -> None:
        """Empty batches give empty results for both strategies."""
        ids = np.zeros(shape, dtype=np.int64)

        for strategy in ("bernoulli", "fixed"):
            out = mask_tokens(ids, mask_token_id=1, vocab_size=5, strategy=strategy)
            assert out.input_ids.shape == shape
            assert out.labels.shape == shape


class TestFixedStrategy:
    @settings(max_examples=60, deadline=None)
    @given(
        lengths=st.lists(st.integers(1, 60), min_size=1, max_size=8),
        p=st.floats(0.0, 1.0),
        cap=st.one_of(st.none(), st.integers(1, 20)),
        seed=st.integers(0, 2**32),
    )
    def test_count_formula(self, lengths: list[int], p: float, cap: int | None, seed: int) -> None:
        """Each row gets min(cap, max(1, round(n * p)), eligible) predictions, n its true length."""
        cols = max(lengths)
        ids = np.full((len(lengths), cols), 7)
        attention = np.arange(cols) < np.array(lengths)[:, None]
        special = np.zeros_like(attention)
        special[:, 0] = True  # like [CLS]: counted in n, never selected

        out = mask_tokens(
            ids,
            mask_token_id=1,
            vocab_size=10,
            special_tokens_mask=special,
            attention_mask=attention,
            mlm_probability=p,
            strategy="fixed",
            max_predictions=cap,
            rng=seed,
        )

        for row, n in enumerate(lengths):
            quota = max(1, round(n * p))
            expected = min(quota if cap is None else min(cap, quota), n - 1)
            assert out.selected[row].sum() == expected
        assert not (out.selected & ~attention).any()

    def test_row_length_without_attention_mask(self) -> None:
        """Without an attention mask, n is the row length, padding included."""
        ids = np.full((1, 40), 5)

        out = mask_tokens(ids, mask_token_id=1, vocab_size=10, strategy="fixed")

        assert out.num_selected == 6  # round(40 * 0.15)

    def test_ties_are_resolved_exactly(self) -> None:
        """Even when random keys tie, exactly the quota is selected in each row."""

        class TiedKeys:
            def random(self, shape: tuple[int, int]) -> np.ndarray:
                return np.full(shape, 0.5)

        allowed = np.ones((3, 6), dtype=bool)
        allowed[1, :2] = False
        quota = np.array([2, 1, 6])

        flat = mlm._fixed_selection((3, 6), allowed, quota, TiedKeys())  # type: ignore[arg-type]
        selected = np.zeros(18, dtype=bool)
        selected[flat] = True

        assert selected.reshape(3, 6).sum(axis=1).tolist() == [2, 1, 6]
        assert not (selected.reshape(3, 6) & ~allowed).any()

    def test_uniform_over_eligible_positions(self) -> None:
        """Every eligible position is chosen equally often (within Z sd per position)."""
        rows, cols, quota = 20000, 40, 6
        ids = np.full((rows, cols), 9)
        special = np.zeros((rows, cols), dtype=bool)
        special[:, [0, 17, 39]] = True

        out = mask_tokens(
            ids,
            mask_token_id=1,
            vocab_size=10,
            special_tokens_mask=special,
            strategy="fixed",
            rng=11,
        )

        counts = out.selected.sum(axis=0)
        q = quota / (cols - 3)
        eligible = np.flatnonzero(~special[0])
        assert counts[[0, 17, 39]].tolist() == [0, 0, 0]
        assert np.abs(counts[eligible] - rows * q).max() <= Z * binomial_sd(rows, q)

    def test_split_rates(self) -> None:
        """Fixed selection then 80/10/10 per position, within Z sd of the exact shares."""
        ids, special = make_batch(4000, 128, seed=5)

        out = mask_tokens(
            ids,
            mask_token_id=MASK,
            vocab_size=VOCAB,
            special_tokens_mask=special,
            attention_mask=ids != PAD,
            strategy="fixed",
            rng=12,
        )

        assert_split(observed_split(ids, out.input_ids, out.selected), 0.8, 0.1, VOCAB)


class TestBernoulliStatistics:
    """Ours against the exact expected rates, over 10^6 tokens (numpy only, ~0.1 s)."""

    @pytest.mark.parametrize(("p", "m", "r"), [(0.15, 0.8, 0.1), (0.4, 0.5, 0.4), (0.3, 0, 1)])
    def test_rates(self, p: float, m: float, r: float) -> None:
        """Selection ~ Binomial(eligible, p) and the split ~ its exact shares, within Z sd."""
        ids, special = make_batch(7813, 128, seed=1)
        eligible = int(np.count_nonzero(~special))

        out = mask_tokens(
            ids,
            mask_token_id=MASK,
            vocab_size=VOCAB,
            special_tokens_mask=special,
            mlm_probability=p,
            mask_replace_prob=m,
            random_replace_prob=r,
            rng=2024,
        )

        assert ids.size >= 10**6
        assert not (out.selected & special).any()
        assert abs(out.num_selected - eligible * p) <= Z * binomial_sd(eligible, p)
        assert_split(observed_split(ids, out.input_ids, out.selected), m, r, VOCAB)

    def test_random_ids_uniform(self) -> None:
        """Random replacement ids have the mean and spread of uniform ids in [0, vocab)."""
        ids = np.full(10**6, 5)

        out = mask_tokens(
            ids,
            mask_token_id=0,
            vocab_size=VOCAB,
            mlm_probability=1.0,
            mask_replace_prob=0.0,
            random_replace_prob=1.0,
            rng=8,
        )

        values = out.input_ids.astype(np.float64)
        sd = math.sqrt((VOCAB**2 - 1) / 12)
        assert abs(values.mean() - (VOCAB - 1) / 2) <= Z * sd / math.sqrt(values.size)
        assert abs(values.std() - sd) / sd < 0.01

    def test_threshold_resolution(self) -> None:
        """Each bound is the largest 32-bit u with u / 2**32 < x: no rounding bias beyond 2**-32."""
        for x in (0.15, 0.1, 1 / 3, 0.8 * 0.15, 0.15 * 0.9, 1.0, 0.0, 2.0**-33):
            bound = mlm._u32_bound(x)
            assert -1 <= bound < 2**32
            assert bound == -1 or Fraction(bound, 2**32) < Fraction(x)
            assert Fraction(bound + 1, 2**32) >= Fraction(x)

    def test_uniform_bits(self) -> None:
        """The 32-bit draws are uniform: each of the 32 bits is set half the time."""
        u = mlm._uniform_u32(np.random.default_rng(5), 10**6 + 1)
        assert u.shape == (10**6 + 1,)
        assert u.dtype == np.uint32
        bits = (u[:, None] >> np.arange(32, dtype=np.uint32)) & 1
        sd = binomial_sd(u.size, 0.5)
        assert (np.abs(bits.sum(axis=0) - u.size / 2) <= Z * sd).all()


class TestWholeWordMask:
    TOKENS = ("[CLS]", "the", "un", "##believ", "##able", "play", "##ers", "won", "[SEP]")
    IDS = np.array([101, 1996, 4895, 19025, 3085, 2377, 2545, 2180, 102])
    WORDS = ((1,), (2, 3, 4), (5, 6), (7,))

    def run(self, **kwargs: Any) -> MaskedBatch:
        """whole_word_mask on the example sentence with the tokens given."""
        kwargs.setdefault("tokens", list(self.TOKENS))
        return whole_word_mask(self.IDS, mask_token_id=MASK, vocab_size=VOCAB, **kwargs)

    def test_all_words(self) -> None:
        """With probability 1 every piece of every word is selected, [CLS]/[SEP] never."""
        out = self.run(mlm_probability=1.0, mask_replace_prob=1.0, random_replace_prob=0.0)

        assert out.selected.tolist() == [False] + [True] * 7 + [False]
        assert out.input_ids.tolist() == [101] + [MASK] * 7 + [102]

    @settings(max_examples=50, deadline=None)
    @given(seed=st.integers(0, 2**32), strategy=st.sampled_from(["bernoulli", "fixed"]))
    def test_words_selected_whole_and_decided_together(self, seed: int, strategy: str) -> None:
        """A word is selected with all its pieces, which all get the same decision."""
        out = self.run(
            mlm_probability=0.5,
            mask_replace_prob=0.5,
            random_replace_prob=0.0,
            strategy=strategy,
            rng=seed,
        )

        for word in self.WORDS:
            picked = out.selected[list(word)]
            masked = out.input_ids[list(word)] == MASK
            assert picked.all() or not picked.any()
            assert masked.all() or not masked.any()

    def test_per_piece_decisions_can_differ(self) -> None:
        """per_word_decision=False decides per piece, as the original BERT code does."""
        mixed = 0
        for seed in range(40):
            out = self.run(
                mlm_probability=1.0,
                mask_replace_prob=0.5,
                random_replace_prob=0.0,
                per_word_decision=False,
                rng=seed,
            )
            masked = out.input_ids[[2, 3, 4]] == MASK
            mixed += bool(masked.any() and not masked.all())

        assert mixed > 0

    @settings(max_examples=50, deadline=None)
    @given(seed=st.integers(0, 2**32), p=st.floats(0.0, 1.0), cap=st.integers(1, 9))
    def test_fixed_quota(self, seed: int, p: float, cap: int) -> None:
        """Fixed whole-word masking never exceeds min(cap, max(1, round(9 * p))) pieces."""
        out = self.run(strategy="fixed", mlm_probability=p, max_predictions=cap, rng=seed)
        quota = min(cap, max(1, round(9 * p)))

        assert 0 < out.num_selected <= quota
        # Greedy: a word left out did not fit into what was left of the quota.
        left = quota - out.num_selected
        assert all(out.selected[list(w)].all() or len(w) > left for w in self.WORDS)

    def test_word_ids_equivalent_to_tokens(self) -> None:
        """word_ids (None for specials) define the same words as the ## pieces."""
        word_ids = [None, 0, 1, 1, 1, 2, 2, 3, None]

        for strategy in ("bernoulli", "fixed"):
            a = self.run(strategy=strategy, mlm_probability=0.5, rng=5)
            b = self.run(
                tokens=None, word_ids=word_ids, strategy=strategy, mlm_probability=0.5, rng=5
            )
            c = self.run(
                tokens=None,
                word_ids=np.array([-1, 0, 1, 1, 1, 2, 2, 3, -1]),
                strategy=strategy,
                mlm_probability=0.5,
                rng=5,
            )
            np.testing.assert_array_equal(a.input_ids, b.input_ids)
            np.testing.assert_array_equal(a.labels, c.labels)

    def test_special_mask_splits_words(self) -> None:
        """A piece removed by special_tokens_mask is never selected; its successor starts anew."""
        special = np.zeros(9, dtype=bool)
        special[3] = True  # "##believ"

        out = self.run(special_tokens_mask=special, mlm_probability=1.0)

        assert out.selected.tolist() == [False, True, True, False, True, True, True, True, False]

    def test_batch_of_rows(self) -> None:
        """2-D input takes one token row per sequence; words never cross rows."""
        ids = np.array([[5, 6, 7], [8, 9, 10]])
        tokens = [["a", "##b", "##c"], ["##d", "e", "##f"]]

        out = whole_word_mask(
            ids, tokens=tokens, mask_token_id=1, vocab_size=20, strategy="fixed", rng=0
        )

        # Quota max(1, round(3 * 0.15)) = 1 piece per row: only a 1-piece word fits.
        assert out.selected.tolist() == [[False, False, False], [True, False, False]]

    def test_word_selection_rate(self) -> None:
        """Bernoulli whole-word selection picks words at rate p (within Z sd)."""
        rows = 20000
        ids = np.tile(self.IDS, (rows, 1))
        tokens = [list(self.TOKENS)] * rows

        out = whole_word_mask(ids, tokens=tokens, mask_token_id=MASK, vocab_size=VOCAB, rng=3)

        n_words = rows * len(self.WORDS)
        words_picked = sum(int(out.selected[:, w[0]].sum()) for w in self.WORDS)
        assert abs(words_picked - 0.15 * n_words) <= Z * binomial_sd(n_words, 0.15)

    @pytest.mark.parametrize(
        ("kwargs", "error", "message"),
        [
            ({"tokens": None}, ValueError, "exactly one"),
            ({"word_ids": [0] * 9}, ValueError, "exactly one"),
            ({"tokens": "[CLS] the"}, TypeError, "sequence"),
            ({"tokens": ["a"] * 8}, ValueError, "length 9"),
            ({"tokens": [1] * 9}, TypeError, "strings"),
            ({"tokens": None, "word_ids": np.zeros(8, dtype=int)}, ValueError, "shape"),
            ({"tokens": None, "word_ids": np.zeros(9)}, TypeError, "integer dtype"),
            ({"tokens": None, "word_ids": [-2] * 9}, ValueError, ">= -1"),
            ({"tokens": None, "word_ids": [0.5] * 9}, TypeError, "int"),
            ({"per_word_decision": 1}, TypeError, "per_word_decision"),
        ],
    )
    def test_bad_word_arguments(self, kwargs: dict[str, Any], error: type, message: str) -> None:
        """Malformed word definitions are rejected with a clear error."""
        with pytest.raises(error, match=message):
            self.run(**kwargs)

    def test_rows_must_match(self) -> None:
        """2-D input needs one token row per sequence."""
        with pytest.raises(ValueError, match="2 rows"):
            whole_word_mask(
                np.zeros((2, 2), dtype=int), tokens=[["a", "b"]], mask_token_id=1, vocab_size=5
            )


class TestSimulateMLM:
    def test_split_into_words(self) -> None:
        """Punctuation marks are their own positions; contractions and hyphens stay whole."""
        sim = simulate_mlm("Don't stop, well-known friend!", rng=0)

        assert sim.words == ("Don't", "stop", ",", "well-known", "friend", "!")

    @pytest.mark.parametrize("rate", [0.0, 0.15, 0.5, 1.0])
    def test_count(self, rate: float) -> None:
        """max(1, round(n * rate)) positions are selected: at least one target always."""
        sentence = "one two three four five six seven eight nine ten eleven"

        sim = simulate_mlm(sentence, mask_rate=rate, rng=1)

        assert len(sim.selected_positions) == max(1, round(11 * rate))

    @settings(max_examples=50, deadline=None)
    @given(sentence=st.text(min_size=1, max_size=60), seed=st.integers(0, 2**32))
    def test_consistent(self, sentence: str, seed: int) -> None:
        """Targets, decisions and masked words agree for any text with a word in it."""
        if not re.search(r"[^\s]", sentence):
            with pytest.raises(ValueError, match="at least one word"):
                simulate_mlm(sentence, rng=seed)
            return

        sim = simulate_mlm(sentence, mask_rate=0.4, rng=seed)

        assert sim.selected_positions
        for word, shown, decision, target in zip(
            sim.words, sim.masked_words, sim.decisions, sim.targets, strict=True
        ):
            assert target == (word if decision is not None else None)
            if decision == "mask":
                assert shown == "[MASK]"
            elif decision == "random":
                assert shown in WORDS
                assert shown != word.lower()
            else:
                assert shown == word

    def test_all_three_decisions_occur(self) -> None:
        """Over many runs all of [MASK], random and unchanged appear, mostly [MASK]."""
        seen: dict[str | None, int] = {}
        for seed in range(300):
            sim = simulate_mlm("a b c d e f g h i j", mask_rate=0.3, rng=seed)
            for d in sim.decisions:
                seen[d] = seen.get(d, 0) + 1

        assert seen.keys() == {None, "mask", "random", "keep"}
        assert seen["mask"] > seen["random"] + seen["keep"]

    def test_str_and_markdown(self) -> None:
        """The text view shows original, masked line and targets; the table one row per word."""
        sim = MLMSimulation(
            words=("a", "cat", "|", "sat"),
            masked_words=("a", "[MASK]", "dog", "sat"),
            decisions=(None, "mask", "random", "keep"),
        )

        assert str(sim) == (
            "original: a cat | sat\n"
            "masked:   a [MASK] dog sat\n"
            "targets:  #1 cat ([MASK]), #2 | (random: dog), #3 sat (unchanged: sat)"
        )
        table = sim.to_markdown().splitlines()
        assert table[0] == "| position | original | selected | became | target |"
        assert len(table) == 2 + 4
        assert table[4] == "| 2 | \\| | yes | random: dog | \\| |"
        assert table[2] == "| 0 | a | no | a |  |"

    def test_deterministic(self) -> None:
        """The same seed gives the same simulation."""
        text = "The quick brown fox jumps over the lazy dog ."

        assert simulate_mlm(text, rng=3) == simulate_mlm(text, rng=3)

    @pytest.mark.parametrize(
        ("sentence", "kwargs", "error"),
        [
            ("", {}, ValueError),
            ("   \n\t", {}, ValueError),
            (b"bytes", {}, TypeError),
            ("fine", {"mask_rate": 1.5}, ValueError),
            ("fine", {"mask_rate": float("nan")}, ValueError),
            ("fine", {"mask_rate": "0.2"}, TypeError),
            ("fine", {"mask_replace_prob": 0.9, "random_replace_prob": 0.2}, ValueError),
            ("fine", {"rng": 1.5}, TypeError),
        ],
    )
    def test_bad_input(self, sentence: Any, kwargs: dict[str, Any], error: type) -> None:
        """Empty text, non-str input and bad rates are rejected."""
        with pytest.raises(error):
            simulate_mlm(sentence, **kwargs)

    @pytest.mark.parametrize(
        ("kwargs", "message"),
        [
            ({"masked_words": ("a",)}, "same length"),
            ({"decisions": (None, "drop")}, "decisions\\[1\\]"),
            ({"masked_words": ("a", "c")}, "masked_words\\[1\\]"),
        ],
    )
    def test_simulation_validates(self, kwargs: dict[str, Any], message: str) -> None:
        """An MLMSimulation whose fields disagree cannot be built."""
        fields: dict[str, Any] = {
            "words": ("a", "b"),
            "masked_words": ("a", "[MASK]"),
            "decisions": (None, "mask"),
        }
        with pytest.raises(ValueError, match=message):
            MLMSimulation(**{**fields, **kwargs})


# --------------------------------------------------------------------- invariants & fuzzing


@st.composite
def valid_calls(draw: st.DrawFn) -> dict[str, Any]:
    """Keyword arguments for a valid mask_tokens call on a small random batch."""
    vocab = draw(st.integers(2, 60))
    dtype = draw(st.sampled_from([np.int8, np.int16, np.int32, np.int64, np.uint16, np.uint32]))
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=2, min_side=0, max_side=12))
    ids = draw(hnp.arrays(dtype, shape, elements=st.integers(0, vocab - 1)))
    m = draw(st.floats(0.0, 1.0))
    strategy = draw(st.sampled_from(["bernoulli", "fixed"]))
    return {
        "input_ids": ids,
        "mask_token_id": draw(st.integers(0, vocab - 1)),
        "vocab_size": vocab,
        "special_tokens_mask": draw(st.none() | hnp.arrays(np.bool_, shape)),
        "attention_mask": draw(st.none() | hnp.arrays(np.int8, shape, elements=st.integers(0, 1))),
        "mlm_probability": draw(st.floats(0.0, 1.0)),
        "mask_replace_prob": m,
        "random_replace_prob": draw(st.floats(0.0, 1.0 - m)),
        "strategy": strategy,
        "max_predictions": draw(st.none() | st.integers(1, 5)) if strategy == "fixed" else None,
        "rng": draw(st.integers(0, 2**64 - 1)),
    }


class TestInvariants:
    @settings(max_examples=150, deadline=None)
    @given(call=valid_calls())
    def test_invariants(self, call: dict[str, Any]) -> None:
        """Labels equal the original where selected, the rest is untouched, ids stay in range."""
        ids = call["input_ids"]
        before = ids.copy()
        blocked = np.zeros(ids.shape, dtype=bool)
        if call["special_tokens_mask"] is not None:
            blocked |= call["special_tokens_mask"]
        if call["attention_mask"] is not None:
            blocked |= call["attention_mask"] == 0

        out = mask_tokens(**call)
        sel = out.selected

        np.testing.assert_array_equal(ids, before)
        assert out.input_ids.shape == ids.shape
        assert out.input_ids.dtype == ids.dtype
        np.testing.assert_array_equal(out.labels[sel], ids[sel])
        assert (out.labels[~sel] == IGNORE_INDEX).all()
        np.testing.assert_array_equal(out.input_ids[~sel], ids[~sel])
        assert not (sel & blocked).any()
        assert ((out.input_ids >= 0) & (out.input_ids < call["vocab_size"])).all()
        if call["mask_replace_prob"] == 1.0:
            assert (out.input_ids[sel] == call["mask_token_id"]).all()
        if call["strategy"] == "fixed" and ids.size:
            rows = sel.reshape(-1, ids.shape[-1])
            assert (rows.sum(axis=1) >= np.minimum(1, (~blocked).reshape(rows.shape).sum(1))).all()

        again = mask_tokens(**call)
        np.testing.assert_array_equal(again.input_ids, out.input_ids)


def _bad(name: str, values: st.SearchStrategy[Any]) -> st.SearchStrategy[tuple[str, Any]]:
    return st.tuples(st.just(name), values)


_not_unit = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).filter(lambda x: not 0.0 <= x <= 1.0),
    st.integers().filter(lambda x: x not in (0, 1)),
    st.booleans(),
    st.complex_numbers(),
    st.text(max_size=3),
    st.none(),
    st.just([0.1]),
)
_not_positive_int = st.one_of(
    st.integers(max_value=0),
    st.floats(),
    st.booleans(),
    st.text(max_size=3),
    st.just(np.float64(3.0)),
)
BAD_ARGUMENTS = st.one_of(
    _bad("mlm_probability", _not_unit),
    _bad("mask_replace_prob", _not_unit),
    _bad("random_replace_prob", _not_unit),
    _bad("mask_replace_prob", st.floats(0.5 + 1e-9, 1.0)),  # with r = 0.5: sum > 1
    _bad("vocab_size", _not_positive_int),
    _bad("vocab_size", st.integers(1, 100)),  # below the ids' values (100..199)
    _bad("mask_token_id", st.one_of(st.integers(max_value=-1), st.integers(min_value=1000))),
    _bad("mask_token_id", st.one_of(st.floats(), st.text(max_size=2), st.booleans(), st.none())),
    _bad("strategy", st.text(max_size=10).filter(lambda s: s not in ("bernoulli", "fixed"))),
    _bad("strategy", st.one_of(st.integers(), st.none())),
    _bad("max_predictions", _not_positive_int),
    _bad("max_predictions_bernoulli", st.integers(1, 5)),
    _bad(
        "rng", st.one_of(st.floats(), st.text(max_size=3), st.booleans(), st.integers(max_value=-1))
    ),
    _bad("rng", st.just(np.random.RandomState(0))),
    _bad(
        "input_ids",
        st.one_of(
            hnp.arrays(hnp.floating_dtypes() | hnp.complex_number_dtypes(), (3, 4)),
            hnp.arrays(np.bool_, (3, 4)),
            hnp.arrays(np.int64, hnp.array_shapes(min_dims=3, max_dims=4, max_side=3)),
            st.just(np.array(5)),
            st.just([[100, 101, 102, 103]] * 3),
            st.just(np.array([["a", "b", "c", "d"]] * 3)),
            hnp.arrays(np.int64, (3, 4), elements=st.integers(-(2**63), -1)),
            hnp.arrays(np.int64, (3, 4), elements=st.integers(1000, 2**63 - 1)),
            st.just(np.full((3, 4), 100, dtype=np.int8)),  # vocab 1000 does not fit int8
        ),
    ),
    _bad(
        "special_tokens_mask",
        st.one_of(
            hnp.arrays(np.bool_, hnp.array_shapes(max_dims=3).filter(lambda s: s != (3, 4))),
            hnp.arrays(np.float64, (3, 4)),
            hnp.arrays(np.int64, (3, 4), elements=st.integers(2, 9)),
            st.just([[0, 1, 0, 0]] * 3),
        ),
    ),
    _bad("attention_mask", hnp.arrays(np.int32, (3, 4), elements=st.integers(-5, -1))),
)


class TestBadInput:
    @settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(bad=BAD_ARGUMENTS)
    def test_fuzzed_bad_arguments(self, bad: tuple[str, Any]) -> None:
        """Any one bad argument raises ValueError or TypeError, never anything else."""
        name, value = bad
        call: dict[str, Any] = {
            "input_ids": np.arange(100, 112).reshape(3, 4),
            "mask_token_id": 1,
            "vocab_size": 1000,
            "random_replace_prob": 0.5 if name == "mask_replace_prob" else 0.1,
            "mask_replace_prob": 0.5,
        }
        if name == "max_predictions":
            call["strategy"] = "fixed"
        if name == "max_predictions_bernoulli":
            name = "max_predictions"
        call[name] = value

        with pytest.raises((ValueError, TypeError)):
            mask_tokens(**call)

    @pytest.mark.parametrize(
        ("kwargs", "error", "message"),
        [
            ({"mlm_probability": float("nan")}, ValueError, "mlm_probability must be a finite"),
            ({"mlm_probability": -0.1}, ValueError, "in \\[0.0, 1.0\\]"),
            ({"mask_replace_prob": 0.9, "random_replace_prob": 0.2}, ValueError, "<= 1"),
            ({"input_ids": np.zeros((2, 2, 2), dtype=int)}, ValueError, "3-D"),
            ({"input_ids": np.zeros(3, dtype=bool)}, TypeError, "integer dtype, got bool"),
            ({"input_ids": [1, 2]}, TypeError, "numpy integer array"),
            ({"input_ids": np.array([1, 5000])}, ValueError, "found 5000"),
            ({"input_ids": np.array([1, -3])}, ValueError, "found -3"),
            ({"input_ids": np.array([1], dtype=np.uint8)}, ValueError, "does not fit"),
            ({"mask_token_id": 1000}, ValueError, "mask_token_id must be in"),
            ({"special_tokens_mask": np.zeros(5, dtype=bool)}, ValueError, "shape"),
            ({"special_tokens_mask": np.full(4, 2)}, ValueError, "only 0 and 1"),
            ({"strategy": "span"}, ValueError, "strategy must be one of"),
            ({"max_predictions": 3}, ValueError, "only applies to strategy='fixed'"),
            ({"strategy": "fixed", "max_predictions": 0}, ValueError, "max_predictions"),
            ({"rng": np.random.RandomState(0)}, TypeError, "numpy.random.Generator"),
            ({"rng": -1}, ValueError, "seed"),
        ],
    )
    def test_messages(self, kwargs: dict[str, Any], error: type, message: str) -> None:
        """Each kind of mistake gets an error naming the argument and what is allowed."""
        call: dict[str, Any] = {
            "input_ids": np.array([1, 2, 3, 4]),
            "mask_token_id": 0,
            "vocab_size": 1000,
            **kwargs,
        }
        with pytest.raises(error, match=message):
            mask_tokens(**call)

    def test_sum_rounding_tolerated(self) -> None:
        """mask + random probabilities that add to 1 up to float rounding are accepted."""
        out = mask_tokens(
            np.arange(10),
            mask_token_id=0,
            vocab_size=10,
            mlm_probability=1.0,
            mask_replace_prob=0.7,
            random_replace_prob=0.30000000000000004,
        )

        assert out.num_selected == 10


class TestRegressions:
    """Bugs the bad-input fuzzing found, each kept as the plain case that showed it."""

    def test_carriage_return_cannot_break_the_markdown_table(self) -> None:
        """A word holding "\\r" broke to_markdown's table: words now hold no whitespace."""
        assert len(simulate_mlm("a\rb c", rng=0).to_markdown().splitlines()) == 2 + 3
        with pytest.raises(ValueError, match=r"words\[0\] must be one non-empty word"):
            MLMSimulation(words=("a\rb",), masked_words=("a\rb",), decisions=(None,))
