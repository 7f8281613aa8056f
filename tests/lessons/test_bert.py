"""What the BERT chapter's pages print and rely on holds, computed the way the pages do."""

from __future__ import annotations

import itertools
from collections import Counter
from functools import cache
from typing import Any

import numpy as np
import pytest

from nlpguide.mlm import mask_tokens, simulate_mlm, whole_word_mask

SENTENCE = (
    "The detective read the whole letter before naming the thief, because every clue mattered."
)
WWM_TEXT = "The tokenization of hyperparameters surprised the statisticians."


@cache
def _tokenizer() -> Any:
    from transformers import AutoTokenizer

    from nlpguide.models import default_path

    return AutoTokenizer.from_pretrained(default_path("encoder"))


@cache
def _bbc_batch() -> dict[str, Any]:
    from nlpguide.data import bbc_news

    articles = list(bbc_news()["test"]["text"])
    return dict(
        _tokenizer()(
            articles,
            max_length=128,
            truncation=True,
            padding="max_length",
            return_special_tokens_mask=True,
            return_tensors="np",
        )
    )


class TestSimulator:
    def test_page_sentence_rounds(self) -> None:
        """The page's text about seeds 0 and 2 describes what the simulator does."""
        first = simulate_mlm(SENTENCE, rng=0)
        assert sorted(d for d in first.decisions if d) == ["mask", "random"]
        assert first.masked_words[3] == "doctor"
        third = simulate_mlm(SENTENCE, rng=2)
        assert "keep" in third.decisions

    def test_rates_over_many_draws(self) -> None:
        """Over 20,000 rounds the decisions split 80/10/10 within sampling error."""
        rng = np.random.default_rng(1)
        tally: Counter[str] = Counter()
        for _ in range(20_000):
            sim = simulate_mlm(SENTENCE, rng=rng)
            assert len(sim.selected_positions) == round(len(sim.words) * 0.15)
            tally.update(d for d in sim.decisions if d is not None)
        n = sum(tally.values())
        for decision, p in (("mask", 0.8), ("random", 0.1), ("keep", 0.1)):
            assert abs(tally[decision] / n - p) < 4 * np.sqrt(p * (1 - p) / n)


@pytest.mark.models
class TestMaskingOnBBC:
    def test_80_10_10_to_the_second_decimal(self) -> None:
        """The page's measurement (seed 2018, 500 draws) matches 15% and 80/10/10 to 0.005."""
        batch, tok = _bbc_batch(), _tokenizer()
        ids, special = batch["input_ids"], batch["special_tokens_mask"].astype(bool)
        rng = np.random.default_rng(2018)
        selected = became_mask = unchanged = 0
        for _ in range(500):
            out = mask_tokens(
                ids,
                mask_token_id=tok.mask_token_id,
                vocab_size=len(tok),
                special_tokens_mask=special,
                rng=rng,
            )
            sel = out.selected
            selected += sel.sum()
            became_mask += (sel & (out.input_ids == tok.mask_token_id)).sum()
            unchanged += (sel & (out.input_ids == ids)).sum()
        assert abs(selected / (500 * (~special).sum()) - 0.15) < 0.005
        assert abs(became_mask / selected - 0.8) < 0.005
        assert abs(unchanged / selected - 0.1) < 0.005
        assert abs(1 - (became_mask + unchanged) / selected - 0.1) < 0.005

    def test_fixed_is_19_bernoulli_varies(self) -> None:
        """On full 128-token rows, 'fixed' always masks 19; 'bernoulli' averages 15% but varies."""
        batch, tok = _bbc_batch(), _tokenizer()
        full = batch["attention_mask"].all(axis=1)
        assert full.sum() > 150  # most test articles fill all 128 positions
        rows = batch["input_ids"][full]
        special = batch["special_tokens_mask"][full].astype(bool)
        counts = {}
        for strategy in ("fixed", "bernoulli"):
            rng = np.random.default_rng(7)
            counts[strategy] = np.concatenate(
                [
                    mask_tokens(
                        rows,
                        mask_token_id=tok.mask_token_id,
                        vocab_size=len(tok),
                        special_tokens_mask=special,
                        strategy=strategy,
                        rng=rng,
                    ).selected.sum(axis=1)
                    for _ in range(100)
                ]
            )
        assert set(counts["fixed"].tolist()) == {19}
        assert abs(counts["bernoulli"].mean() - 126 * 0.15) < 0.2
        assert counts["bernoulli"].min() < 10
        assert counts["bernoulli"].max() > 30

    def test_whole_word_masking_never_splits_a_word(self) -> None:
        """Per-piece masking leaves a multi-piece word partly visible; whole-word never does."""
        tok = _tokenizer()
        enc = tok(WWM_TEXT, return_special_tokens_mask=True, return_tensors="np")
        ids, special = enc["input_ids"][0], enc["special_tokens_mask"][0].astype(bool)
        pieces = tok.convert_ids_to_tokens(ids)
        starts = [i for i, p in enumerate(pieces) if not p.startswith("##")] + [len(pieces)]
        spans = [(a, b) for a, b in itertools.pairwise(starts) if b - a > 1]
        assert len(spans) == 3  # token ##ization, hyper ##para ##meter ##s, stat ##istic ##ians
        kw: dict[str, Any] = {
            "mask_token_id": tok.mask_token_id,
            "vocab_size": len(tok),
            "special_tokens_mask": special,
        }
        rng = np.random.default_rng(0)
        partial = {"piece": 0, "word": 0}
        for _ in range(2_000):
            by_piece = mask_tokens(ids, **kw, rng=rng).selected
            by_word = whole_word_mask(ids, tokens=pieces, **kw, rng=rng).selected
            for name, sel in (("piece", by_piece), ("word", by_word)):
                partial[name] += any(0 < sel[a:b].sum() < b - a for a, b in spans)
        assert partial["word"] == 0
        assert partial["piece"] > 0.3 * 2_000


@pytest.mark.models
class TestBidirectional:
    PAIR = ("the bank by the river", "the bank approved the loan")

    def _bank_states(self, tok: Any, model: Any) -> Any:
        import torch

        states = []
        for text in self.PAIR:
            enc = tok(text, return_tensors="pt", return_token_type_ids=False)
            pieces = [t.lstrip("Ġ") for t in tok.convert_ids_to_tokens(enc["input_ids"][0])]
            with torch.no_grad():
                hidden = model(**enc, output_hidden_states=True).hidden_states
            states.append(torch.stack([h[0, pieces.index("bank")] for h in hidden]))
        return torch.nn.functional.cosine_similarity(states[0], states[1], dim=-1)

    def test_encoder_sees_the_right_hand_context(self) -> None:
        """MiniLM's vector for 'bank' changes with the words after it (cos well below 1)."""
        import torch

        from nlpguide.models import encoder

        torch.set_num_threads(1)
        cos = self._bank_states(*encoder())
        assert cos[0] == pytest.approx(1.0, abs=1e-6)  # same embedding before any layer
        assert float(cos[1:].max()) < 0.95  # differs after every attention layer

    def test_decoder_does_not(self) -> None:
        """SmolLM2's vector for 'bank' is the same (cos 1.0000) at every layer."""
        import torch

        from nlpguide.models import decoder

        torch.set_num_threads(1)
        tok, model = decoder()
        cos = self._bank_states(tok, model.eval())
        assert float(cos.min()) > 0.99995


@pytest.fixture(scope="module")
def fill() -> Any:
    import torch
    from transformers import pipeline

    from nlpguide.models import default_path

    torch.set_num_threads(1)
    return pipeline("fill-mask", model=str(default_path("masked_lm")))


@pytest.mark.models
class TestFillMask:
    def test_by_hand_equals_pipeline(self, fill: Any) -> None:
        """The page's hand-written softmax at [MASK] gives the pipeline's top-5 and scores."""
        import torch

        from nlpguide.models import masked_lm

        text = "He was arrested by the [MASK] last night."
        tok, mlm = masked_lm()
        inputs = tok(text, return_tensors="pt")
        with torch.no_grad():
            logits = mlm.eval()(**inputs).logits
        probs = logits[0, inputs["input_ids"][0] == tok.mask_token_id].softmax(dim=-1)[0]
        top = probs.topk(5)
        by_pipeline = fill(text, top_k=5)
        assert [int(i) for i in top.indices] == [r["token"] for r in by_pipeline]
        assert [float(p) for p in top.values] == pytest.approx([r["score"] for r in by_pipeline])
        assert by_pipeline[0]["token_str"] == "police"

    def test_both_sides_beat_either(self, fill: Any) -> None:
        """'bank' needs the right-hand words: absent from left-only, top-1 with both sides."""
        left = [r["token_str"] for r in fill("The central [MASK]", top_k=5)]
        right = fill("The [MASK] raised interest rates.", top_k=5)
        both = fill("The central [MASK] raised interest rates.", top_k=5)
        assert "bank" not in left
        assert both[0]["token_str"] == "bank"
        right_bank = next((r["score"] for r in right if r["token_str"] == "bank"), 0.0)
        assert both[0]["score"] > right_bank
