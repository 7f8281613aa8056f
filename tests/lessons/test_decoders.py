"""What the decoders chapter's pages rely on holds, computed the way the pages do.

The chapter needs no lessons module: its helpers are :mod:`nlpguide.models.decoding`,
``.attention`` and ``.retrieval``, tested on their own in tests/models/. Here they
run with the real offline models, as the pages run them.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np
import pytest
from cached_models import decoder, encoder

from nlpguide.models.retrieval import top_k

# ------------------------------------------------------------------- with the models


@pytest.mark.models
class TestGenerationPage:
    def test_chat_template_used(self) -> None:
        """chat_inputs wraps the message in SmolLM2's template, ending with the assistant turn."""
        from nlpguide.models.decoding import chat_inputs

        tok, _ = decoder()
        ids = chat_inputs(tok, "Hello?")["input_ids"][0].tolist()
        text = tok.decode(ids)
        assert "<|im_start|>user\nHello?<|im_end|>" in text
        assert text.endswith("<|im_start|>assistant\n")

    def test_greedy_trace_reproduces_generate(self) -> None:
        """The token-by-token trace picks exactly the tokens generate(do_sample=False) does."""
        import torch

        from nlpguide.models.decoding import chat_inputs, greedy_trace

        tok, lm = decoder()
        inputs = chat_inputs(tok, "What is the capital of France?")
        trace = greedy_trace(tok, lm, inputs, steps=6, top_k=5)
        with torch.inference_mode():
            out = lm.generate(**inputs, max_new_tokens=len(trace), do_sample=False)
        assert [s.chosen.token_id for s in trace] == out[0, inputs["input_ids"].shape[1] :].tolist()
        assert "Paris" in "".join(s.chosen.token for s in trace)
        for s in trace:
            assert len(s.candidates) == 5
            assert sum(c.probability for c in s.candidates) <= 1 + 1e-6

    @pytest.mark.slow
    def test_kv_cache_faster_and_identical(self) -> None:
        """Generation with the KV cache is faster than without, with identical tokens."""
        from nlpguide.models.decoding import chat_inputs, time_generation

        tok, lm = decoder()
        prompt = chat_inputs(tok, "Describe a busy train station in the morning.")
        with_cache = time_generation(lm, prompt, use_cache=True, new_tokens=16, repeats=3)
        without = time_generation(lm, prompt, use_cache=False, new_tokens=16, repeats=3)
        assert with_cache.token_ids == without.token_ids
        assert len(with_cache.token_ids) == 16
        assert without.median > with_cache.median

    def test_bad_generation_arguments(self) -> None:
        """Non-positive token counts and a non-bool use_cache are rejected before any work."""
        from nlpguide.models.decoding import time_generation

        with pytest.raises(ValueError, match="new_tokens"):
            time_generation(None, {}, use_cache=True, new_tokens=0)
        with pytest.raises(TypeError, match="use_cache"):
            time_generation(None, {}, use_cache=1)  # type: ignore[arg-type]


@pytest.mark.models
@pytest.mark.slow
class TestCostPage:
    """The cost page's claims on a stratified sample of the test split (8 per topic)."""

    @staticmethod
    @cache
    def _sample() -> tuple[list[str], np.ndarray]:
        from nlpguide.data import BBC_LABELS, bbc_split

        test = bbc_split()["test"]
        picked = []
        for label in BBC_LABELS:
            picked += [a for a in test if a.label_text == label][:8]
        return [a.text for a in picked], np.array([a.label for a in picked])

    @staticmethod
    @cache
    def _zero_shot() -> Any:
        from nlpguide.data import BBC_LABELS
        from nlpguide.models.zero_shot import ZeroShotClassifier

        tok, lm = decoder()
        texts, _ = TestCostPage._sample()
        return ZeroShotClassifier(tok, lm, BBC_LABELS, max_text_tokens=96).classify(texts)

    def test_decoder_beats_the_majority_baseline(self) -> None:
        """Calibrated zero-shot accuracy is above the test split's majority share (23.1%)."""
        _, y = self._sample()
        assert self._zero_shot().accuracy(y) > 51 / 221

    def test_raw_answers_are_biased(self) -> None:
        """Uncalibrated, the decoder favours one topic far beyond its share (the page's table)."""
        counts = np.bincount(self._zero_shot().predictions(calibrated=False), minlength=5)
        assert counts.max() > 0.5 * counts.sum()

    def test_encoder_faster_per_document(self) -> None:
        """A MiniLM classifier takes less time per article than the decoder's scoring pass."""
        from transformers import AutoModelForSequenceClassification

        from nlpguide.models import encoder
        from nlpguide.models.zero_shot import time_classifier

        # Speed does not depend on the trained weights: an untrained head costs the same.
        tok, model = encoder(model_class=AutoModelForSequenceClassification, num_labels=5)
        texts, _ = self._sample()
        run = time_classifier(tok, model.eval(), texts, max_length=96)
        assert run.ms_per_document < self._zero_shot().ms_per_document
        assert run.tokens.mean() < self._zero_shot().prompt_tokens.mean()

    def test_flops_ratio_inside_the_lesson_range_and_above_it_at_hub_scale(self) -> None:
        """The page's text: 10-100x the encoder's FLOPs per article, over 100x for Llama-2."""
        from nlpguide.data import BBC_LABELS
        from nlpguide.models.zero_shot import classifier_flops, scoring_flops

        enc_tok, enc_model = encoder()
        _, lm = decoder()
        texts, _ = self._sample()
        cut = [enc_tok(t, truncation=True, max_length=96)["input_ids"] for t in texts]
        read = round(np.mean([len(ids) for ids in cut]))
        prompt = round(self._zero_shot().prompt_tokens.mean())
        small = scoring_flops(lm.config.to_dict(), prompt) / classifier_flops(
            enc_model.config.to_dict(), read, len(BBC_LABELS)
        )
        hub = scoring_flops("meta-llama/Llama-2-7b-hf", prompt) / classifier_flops(
            "bert-base-uncased", read, len(BBC_LABELS)
        )
        assert 10 <= small <= 100 < hub


@pytest.mark.models
@pytest.mark.slow
class TestRagPage:
    def test_retrieves_the_article_with_the_answer(self) -> None:
        """Among the 444 validation and test articles, each page question finds its article."""
        from nlpguide.data import bbc_split
        from nlpguide.models.retrieval import embed

        split = bbc_split()
        articles = split["validation"] + split["test"]
        tok, model = encoder()
        index = embed(tok, model, [f"{a.title}. {a.text}" for a in articles], max_length=128)
        assert np.allclose(np.linalg.norm(index, axis=1), 1.0, atol=1e-5)
        questions = {
            "Which guitarist quit the rock band Korn?": "Welch",
            "How many jobs is the insurer Marsh cutting?": "2,500",
            "How many new jobs will BMW create at the Oxford Mini factory?": "200 new jobs",
        }
        vectors = embed(tok, model, list(questions))
        for vector, fact in zip(vectors, questions.values(), strict=True):
            best = top_k(vector, index, k=2)
            assert fact in articles[best[0].index].text
            assert best[0].score > best[1].score + 0.1
