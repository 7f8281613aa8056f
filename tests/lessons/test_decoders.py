"""What the decoders chapter's pages rely on holds, computed the way the pages do.

The helpers behind the pages (:mod:`nlpguide.models.decoding`, ``.attention`` and
``.retrieval``) are tested here too: first their pure parts, then with the real
offline models.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from nlpguide.models.attention import AttentionMap, is_causal
from nlpguide.models.decoding import (
    Candidate,
    GenerationTiming,
    GreedyStep,
    show_token,
    trace_markdown,
)
from nlpguide.models.retrieval import Hit, mean_pool, rag_messages, top_k

# ------------------------------------------------------------------- pure helpers


class TestGreedyStep:
    def test_candidates_must_be_sorted(self) -> None:
        """A step whose candidates are not by falling probability is rejected."""
        with pytest.raises(ValueError, match="sorted by falling probability"):
            GreedyStep(0, (Candidate("a", 1, 0.2), Candidate("b", 2, 0.5)))

    def test_needs_a_candidate(self) -> None:
        """A step without candidates is rejected."""
        with pytest.raises(ValueError, match="at least one candidate"):
            GreedyStep(0, ())

    def test_margin_of_a_lone_candidate(self) -> None:
        """A single candidate leads by its own probability."""
        assert GreedyStep(0, (Candidate("a", 1, 0.7),)).margin == pytest.approx(0.7)


class TestTraceMarkdown:
    @given(st.lists(st.integers(1, 5), min_size=1, max_size=6))
    @settings(max_examples=30)
    def test_one_row_per_step_same_width(self, widths: list[int]) -> None:
        """Every row of the table has the same number of cells, one row per step."""
        trace = [
            GreedyStep(i, tuple(Candidate(f"t{j}", j, 0.5 ** (j + 1)) for j in range(w)))
            for i, w in enumerate(widths)
        ]
        lines = trace_markdown(trace).splitlines()
        assert len(lines) == 2 + len(widths)
        # Cell borders are the unescaped pipes.
        borders = {len(re.findall(r"(?<!\\)\|", line)) for line in lines}
        assert borders == {2 + 2 * max(widths)}

    def test_empty_trace(self) -> None:
        """An empty trace raises instead of rendering a header alone."""
        with pytest.raises(ValueError, match="empty"):
            trace_markdown([])

    def test_special_characters_escaped(self) -> None:
        """Spaces, newlines and pipes in tokens cannot break the table."""
        row = trace_markdown([GreedyStep(0, (Candidate(" a|\n", 1, 1.0),))]).splitlines()[2]
        assert row == "| 1 | `␣a\\|\\n` | 1.000 |"

    def test_show_token_rejects_bytes(self) -> None:
        """show_token takes str only."""
        with pytest.raises(TypeError, match="token must be a str"):
            show_token(b"x")  # type: ignore[arg-type]


class TestGenerationTiming:
    def test_median_of_runs(self) -> None:
        """The median is the middle run, not the mean."""
        assert GenerationTiming(True, 4, (1.0, 9.0, 2.0), (1,)).median == 2.0


class TestIsCausal:
    @given(
        hnp.arrays(np.float64, st.integers(1, 8).map(lambda n: (n, n)), elements=st.floats(0, 1))
    )
    @settings(max_examples=50)
    def test_lower_triangle_is_causal(self, w: np.ndarray) -> None:
        """Any matrix with zeros above the diagonal is causal; adding weight there is not."""
        lower = np.tril(w)
        assert is_causal(lower)
        if w.shape[0] > 1:
            lower[0, -1] = 0.1
            assert not is_causal(lower)

    def test_not_square(self) -> None:
        """A rectangle has no diagonal to be causal about."""
        with pytest.raises(ValueError, match="square"):
            is_causal(np.zeros((2, 3)))


class TestAttentionMap:
    def test_rows_must_sum_to_one(self) -> None:
        """Weights that are not distributions over the keys are rejected."""
        with pytest.raises(ValueError, match="sum to 1"):
            AttentionMap("x", ("a", "b"), ("a", "b"), np.full((2, 2), 0.3), 0)

    def test_shape_must_match_labels(self) -> None:
        """The weights' shape must be (queries, keys)."""
        with pytest.raises(ValueError, match="expected"):
            AttentionMap("x", ("a",), ("a", "b"), np.eye(2), 0)

    def test_rectangle_is_not_causal(self) -> None:
        """A cross-attention rectangle never reports itself as causal."""
        m = AttentionMap("x", ("a",), ("a", "b"), np.array([[1.0, 0.0]]), 0)
        assert not m.causal


class TestTopK:
    @given(
        hnp.arrays(
            np.float64, st.tuples(st.integers(1, 12), st.just(4)), elements=st.floats(-1, 1)
        ),
        st.data(),
    )
    @settings(max_examples=50)
    def test_best_first_and_scores_are_dot_products(self, docs: np.ndarray, data: Any) -> None:
        """Hits come best first, with the dot product as score, and k of them."""
        k = data.draw(st.integers(1, docs.shape[0]))
        query = np.array([0.5, 0.5, 0.5, 0.5])
        hits = top_k(query, docs, k=k)
        assert len(hits) == k
        scores = [h.score for h in hits]
        assert scores == sorted(scores, reverse=True)
        for h in hits:
            assert h.score == pytest.approx(float(docs[h.index] @ query))
        assert max(scores) == pytest.approx(float((docs @ query).max()))

    def test_ties_keep_index_order(self) -> None:
        """Equal scores are returned in index order, so results are reproducible."""
        assert top_k([1.0], [[0.5], [0.5], [0.5]], k=2) == [Hit(0, 0.5), Hit(1, 0.5)]

    @pytest.mark.parametrize("k", [0, 4, True, 1.5])
    def test_bad_k(self, k: Any) -> None:
        """k must be an int between 1 and the number of documents."""
        with pytest.raises(ValueError, match="k must be an int"):
            top_k([1.0, 0.0], np.eye(2)[[0, 1, 0]], k=k)

    def test_width_mismatch(self) -> None:
        """A query of another width than the documents is rejected."""
        with pytest.raises(ValueError, match="same width"):
            top_k([1.0, 0.0, 0.0], np.eye(2))


class TestMeanPool:
    @given(
        hnp.arrays(np.float64, (2, 5, 3), elements=st.floats(-10, 10)),
        st.integers(1, 5),
    )
    @settings(max_examples=50)
    def test_padding_never_counts(self, vectors: np.ndarray, length: int) -> None:
        """Whatever sits in the padded positions, the mean is over the real tokens only."""
        mask = np.zeros((2, 5), dtype=np.int64)
        mask[:, :length] = 1
        noisy = vectors.copy()
        noisy[:, length:] = 1e6
        assert np.allclose(mean_pool(noisy, mask), vectors[:, :length].mean(axis=1))


class TestRagMessages:
    def test_passages_numbered_before_the_question(self) -> None:
        """Each passage is numbered, and the question comes last."""
        content = rag_messages("Why?", ["first", "second"])[0]["content"]
        assert content.index("Article 1: first") < content.index("Article 2: second")
        assert content.endswith("Question: Why?")

    @pytest.mark.parametrize(("question", "passages"), [("", []), ("Why?", "one passage")])
    def test_bad_input(self, question: str, passages: Any) -> None:
        """An empty question or a bare str of passages is rejected."""
        with pytest.raises((ValueError, TypeError), match=r"question|passages"):
            rag_messages(question, passages)


# ------------------------------------------------------------------- with the models


@cache
def _decoder(attn: str | None = None) -> tuple[Any, Any]:
    import torch

    from nlpguide.models import decoder

    torch.set_num_threads(1)
    return decoder(attn_implementation=attn) if attn else decoder()


@cache
def _encoder(attn: str | None = None) -> tuple[Any, Any]:
    from nlpguide.models import encoder

    return encoder(attn_implementation=attn) if attn else encoder()


@pytest.mark.models
class TestGenerationPage:
    def test_chat_template_used(self) -> None:
        """chat_inputs wraps the message in SmolLM2's template, ending with the assistant turn."""
        from nlpguide.models.decoding import chat_inputs

        tok, _ = _decoder()
        ids = chat_inputs(tok, "Hello?")["input_ids"][0].tolist()
        text = tok.decode(ids)
        assert "<|im_start|>user\nHello?<|im_end|>" in text
        assert text.endswith("<|im_start|>assistant\n")

    def test_greedy_trace_reproduces_generate(self) -> None:
        """The token-by-token trace picks exactly the tokens generate(do_sample=False) does."""
        import torch

        from nlpguide.models.decoding import chat_inputs, greedy_trace

        tok, lm = _decoder()
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

        tok, lm = _decoder()
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
class TestArchitecturesPage:
    SENTENCE = "The detective read the letter and named the thief."

    def test_encoder_attention_is_full(self) -> None:
        """MiniLM's self-attention puts weight above the diagonal: it reads both ways."""
        from nlpguide.models.attention import encoder_self_attention

        tok, model = _encoder("eager")
        m = encoder_self_attention(tok, model, self.SENTENCE, layer=0)
        assert m.queries[0] == "[CLS]"
        assert not m.causal
        assert np.triu(m.weights, k=1).sum() > 0.5

    def test_decoder_attention_is_causal(self) -> None:
        """SmolLM2's self-attention is exactly zero above the diagonal, in every layer shown."""
        from nlpguide.models.attention import decoder_self_attention

        tok, lm = _decoder("eager")
        for layer in (0, -1):
            m = decoder_self_attention(tok, lm, self.SENTENCE, layer=layer)
            assert m.causal
            assert m.layer == (layer % lm.config.num_hidden_layers)

    def test_fused_attention_refused(self) -> None:
        """A model on the fused (sdpa) kernel returns no weights: a clear error, not zeros."""
        from nlpguide.models.attention import decoder_self_attention

        tok, lm = _decoder()
        with pytest.raises(ValueError, match="eager"):
            decoder_self_attention(tok, lm, self.SENTENCE)

    def test_seq2seq_shapes_on_a_tiny_t5(self) -> None:
        """On any T5: square encoder map, causal decoder map, target x source cross map."""
        import torch
        from transformers import T5Config, T5ForConditionalGeneration

        from nlpguide.models.attention import seq2seq_attention

        tok, _ = _encoder()  # any tokenizer works; the ids only need to fit the vocabulary
        torch.manual_seed(0)
        config = T5Config(
            vocab_size=len(tok),
            d_model=32,
            d_ff=64,
            d_kv=8,
            num_heads=4,
            num_layers=2,
            num_decoder_layers=2,
            decoder_start_token_id=0,
            attn_implementation="eager",
        )
        model = T5ForConditionalGeneration(config).eval()
        enc, dec, cross = seq2seq_attention(tok, model, "rates rose again", "rates up")
        n_src = len(tok("rates rose again")["input_ids"])
        n_tgt = len(tok("rates up")["input_ids"])
        assert enc.shape == (n_src, n_src)
        assert not enc.causal
        assert dec.shape == (n_tgt, n_tgt)
        assert dec.causal
        assert cross.shape == (n_tgt, n_src)

    def test_shipped_t5_masks(self) -> None:
        """The shipped T5 (the page's encoder-decoder) shows the same three patterns."""
        from nlpguide.models import seq2seq
        from nlpguide.models.attention import seq2seq_attention

        tok, t5 = seq2seq(attn_implementation="eager")
        source = "summarize: The Bank of England raised interest rates again on Thursday."
        enc, dec, cross = seq2seq_attention(tok, t5, source, "Bank raises interest rates")
        assert not enc.causal
        assert dec.causal
        assert cross.shape == (dec.shape[0], enc.shape[0])


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

        tok, lm = _decoder()
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


@pytest.mark.models
@pytest.mark.slow
class TestRagPage:
    def test_retrieves_the_article_with_the_answer(self) -> None:
        """Among the 444 validation and test articles, each page question finds its article."""
        from nlpguide.data import bbc_split
        from nlpguide.models.retrieval import embed

        split = bbc_split()
        articles = split["validation"] + split["test"]
        tok, model = _encoder()
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
