"""Zero-shot classification with a decoder, the timed encoder run, and their FLOPs."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from nlpguide.choose import forward_flops, reference_config
from nlpguide.data import BBC_LABELS
from nlpguide.models.zero_shot import (
    ANSWER_PREFIX,
    ClassifierRun,
    ZeroShotClassifier,
    ZeroShotResult,
    classifier_flops,
    join_labels,
    scoring_flops,
    topic_messages,
)

labels_strategy = st.lists(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=8),
    min_size=2,
    max_size=6,
    unique=True,
)


def _result(log_probs: np.ndarray, bias: np.ndarray) -> ZeroShotResult:
    n, k = log_probs.shape
    return ZeroShotResult(
        labels=tuple(f"l{i}" for i in range(k)),
        log_probs=log_probs,
        bias=bias,
        seconds=np.full(n, 0.01),
        prompt_tokens=np.full(n, 50, dtype=np.int64),
        truncated=0,
    )


class TestJoinLabels:
    def test_bbc_topics(self) -> None:
        """The five topics read as an English list with a final "or"."""
        assert join_labels(BBC_LABELS) == "business, entertainment, politics, sport or tech"

    @given(labels_strategy)
    @settings(max_examples=50)
    def test_every_label_listed_once_in_order(self, labels: list[str]) -> None:
        """Splitting the list at its separators gives back the labels, in order."""
        assert re.split(r", | or ", join_labels(labels)) == labels

    @pytest.mark.parametrize("bad", [["a"], [], ["a", "a"], ["a", ""], ["a", " b"], "ab", ["a", 3]])
    def test_bad_labels_rejected(self, bad: Any) -> None:
        """Too few, repeated, empty, padded or non-str labels raise a clear error."""
        with pytest.raises((ValueError, TypeError), match="label"):
            join_labels(bad)


class TestTopicMessages:
    def test_one_user_message_with_text_and_labels(self) -> None:
        """The chat is one user turn that contains the article and every label."""
        (msg,) = topic_messages("Arsenal beat Chelsea.", BBC_LABELS)
        assert msg["role"] == "user"
        assert "Arsenal beat Chelsea." in msg["content"]
        assert all(label in msg["content"] for label in BBC_LABELS)

    def test_template_needs_both_fields(self) -> None:
        """A question template without {text} is rejected, not silently used."""
        with pytest.raises(ValueError, match=r"\{text\}"):
            topic_messages("x", ["a", "b"], question="Topic of {labels}?")

    def test_text_must_be_str(self) -> None:
        """A non-str article raises TypeError."""
        with pytest.raises(TypeError, match="text must be a str"):
            topic_messages(b"bytes", ["a", "b"])  # type: ignore[arg-type]


class TestZeroShotResult:
    def test_calibration_divides_out_the_bias(self) -> None:
        """A label the model favours everywhere loses its lead once divided by its bias."""
        r = _result(np.log([[0.6, 0.3], [0.7, 0.2]]), np.array([0.9, 0.1]))
        assert r.predictions(calibrated=False).tolist() == [0, 0]
        assert r.predictions().tolist() == [1, 1]

    @given(
        hnp.arrays(
            np.float64, st.tuples(st.integers(1, 8), st.integers(2, 5)), elements=st.floats(-20, 0)
        )
    )
    @settings(max_examples=50)
    def test_uniform_bias_changes_nothing(self, log_probs: np.ndarray) -> None:
        """With the same bias for every label, calibration shifts all scores alike."""
        k = log_probs.shape[1]
        r = _result(log_probs, np.full(k, 1 / k))
        shift = r.scores() - r.scores(calibrated=False)
        assert np.allclose(shift, np.log(k))

    @given(st.lists(st.integers(0, 2), min_size=1, max_size=20))
    @settings(max_examples=50)
    def test_accuracy_is_share_of_matches(self, labels: list[int]) -> None:
        """Accuracy equals the share of documents whose prediction is the label."""
        n = len(labels)
        r = _result(np.log(np.tile([0.5, 0.3, 0.2], (n, 1))), np.full(3, 1 / 3))
        assert r.accuracy(labels) == pytest.approx(labels.count(0) / n)

    def test_shapes_checked(self) -> None:
        """Columns that do not match the labels are rejected."""
        with pytest.raises(ValueError, match="one column per label"):
            _result(np.zeros((2, 3)), np.full(2, 0.5))

    def test_wrong_number_of_labels(self) -> None:
        """Accuracy against the wrong number of labels raises instead of broadcasting."""
        r = _result(np.zeros((3, 2)), np.full(2, 0.5))
        with pytest.raises(ValueError, match="expected 3 labels"):
            r.accuracy([0, 1])


class TestClassifierRun:
    def test_ms_per_document(self) -> None:
        """Milliseconds per document is the mean of the per-document seconds x 1000."""
        run = ClassifierRun(np.array([0, 1]), np.array([0.002, 0.004]), np.array([9, 9]), 0)
        assert run.ms_per_document == pytest.approx(3.0)
        assert run.accuracy([0, 0]) == 0.5


class TestFlops:
    @given(st.integers(1, 2048))
    @settings(max_examples=50)
    def test_scoring_saves_the_lm_head_rows(self, tokens: int) -> None:
        """Scoring costs the full pass less the LM head over all but the last position."""
        cfg = reference_config("HuggingFaceTB/SmolLM2-135M-Instruct")
        saved = forward_flops(cfg, tokens) - scoring_flops(cfg, tokens)
        assert saved == 2 * (tokens - 1) * cfg["hidden_size"] * cfg["vocab_size"]  # type: ignore[operator]

    def test_one_token_costs_a_full_pass(self) -> None:
        """With one token there is nothing to save."""
        assert scoring_flops("gpt2", 1) == forward_flops("gpt2", 1)

    def test_classifier_adds_the_head(self) -> None:
        """The classifier costs the encoder plus one hidden x labels matrix product."""
        extra = classifier_flops("bert-base-uncased", 64, 5) - forward_flops(
            "bert-base-uncased", 64
        )
        assert extra == 2 * 768 * 5

    @pytest.mark.parametrize(
        ("func", "arg"), [(scoring_flops, "bert-base-uncased"), (classifier_flops, "gpt2")]
    )
    def test_wrong_family_rejected(self, func: Any, arg: str) -> None:
        """A decoder formula on an encoder config (or the reverse) raises ValueError."""
        args = (arg, 10, 5) if func is classifier_flops else (arg, 10)
        with pytest.raises(ValueError, match=r"expects a BERT|supports decoder"):
            func(*args)

    @pytest.mark.parametrize(
        ("tokens", "error", "match"),
        [
            (0, ValueError, "tokens must be an int >= 1, got 0"),
            (-1, ValueError, "tokens must be an int >= 1, got -1"),
            (True, TypeError, "tokens must be an int, got bool"),
            (2.5, TypeError, "tokens must be an int, got float"),
        ],
    )
    def test_bad_token_counts(self, tokens: Any, error: type[Exception], match: str) -> None:
        """A token count that is no int is a TypeError, one below 1 a ValueError, naming it."""
        with pytest.raises(error, match=match):
            scoring_flops("gpt2", tokens)


# ----------------------------------------------------------------------------- models


@cache
def _decoder(attn: str | None = None) -> tuple[Any, Any]:
    import torch

    from nlpguide.models import decoder

    torch.set_num_threads(1)
    return decoder(attn_implementation=attn) if attn else decoder()


@pytest.mark.models
class TestZeroShotClassifier:
    def test_bbc_labels_are_single_tokens(self) -> None:
        """Each BBC topic with a leading space is one distinct token of SmolLM2's vocabulary."""
        tok, lm = _decoder()
        clf = ZeroShotClassifier(tok, lm, BBC_LABELS)
        assert len(set(clf.label_token_ids)) == len(BBC_LABELS)
        for label, token_id in zip(BBC_LABELS, clf.label_token_ids, strict=True):
            assert tok.decode([token_id]) == " " + label

    def test_multi_token_label_rejected(self) -> None:
        """A label that is several tokens raises ValueError instead of scoring a fragment."""
        tok, lm = _decoder()
        with pytest.raises(ValueError, match="'entertainments' is 2 tokens"):
            ZeroShotClassifier(tok, lm, ["sport", "entertainments"])

    def test_prompt_ends_with_the_answer_prefix(self) -> None:
        """The prompt is the chat template's assistant turn, opened with the answer prefix."""
        tok, lm = _decoder()
        prompt = ZeroShotClassifier(tok, lm).prompt("Arsenal beat Chelsea.")
        assert prompt.endswith("<|im_start|>assistant\n" + ANSWER_PREFIX)
        assert "Arsenal beat Chelsea." in prompt

    def test_cut_counts_tokens(self) -> None:
        """Texts longer than max_text_tokens are cut to that many tokens, and reported."""
        tok, lm = _decoder()
        clf = ZeroShotClassifier(tok, lm, max_text_tokens=5)
        short, was_cut = clf.cut("one two three")
        assert (short, was_cut) == ("one two three", False)
        cut, was_cut = clf.cut("one two three four five six seven eight")
        assert was_cut
        assert len(tok.encode(cut, add_special_tokens=False)) == 5

    def test_log_probs_are_log_probabilities(self) -> None:
        """Label log-probabilities are finite, negative and sum to at most probability 1."""
        tok, lm = _decoder()
        lp = ZeroShotClassifier(tok, lm).label_log_probs("Arsenal beat Chelsea 2-0 at home.")
        assert lp.shape == (len(BBC_LABELS),)
        assert np.all(np.isfinite(lp))
        assert np.all(lp < 0)
        assert np.exp(lp).sum() <= 1 + 1e-6

    def test_bias_is_a_distribution(self) -> None:
        """The content-free bias is a probability distribution over the labels."""
        tok, lm = _decoder()
        bias = ZeroShotClassifier(tok, lm).bias()
        assert bias.shape == (len(BBC_LABELS),)
        assert np.all(bias > 0)
        assert bias.sum() == pytest.approx(1.0)

    def test_bias_fillers_are_checked_before_the_model(self) -> None:
        """bias({'a': 1}) iterated the dict into the tokenizer; bias(5) was not iterable."""
        tok, lm = _decoder()
        for fillers in ({"a": 1}, 5):
            with pytest.raises(TypeError, match="fillers"):
                ZeroShotClassifier(tok, lm).bias(fillers)  # type: ignore[arg-type]

    def test_classify_shapes_and_timing(self) -> None:
        """classify() gives one row, one timing and one token count per document."""
        tok, lm = _decoder()
        texts = ["Shares in the bank rose 5% on Monday.", "The striker scored twice."]
        result = ZeroShotClassifier(tok, lm).classify(texts)
        assert result.log_probs.shape == (2, len(BBC_LABELS))
        assert np.all(result.seconds > 0)
        assert np.all(result.prompt_tokens > 20)
        assert result.truncated == 0

    @pytest.mark.parametrize("texts", [[], "one text", [b"bytes"]])
    def test_bad_texts(self, texts: Any) -> None:
        """An empty list, a bare str or non-str items raise a clear error."""
        tok, lm = _decoder()
        with pytest.raises((ValueError, TypeError), match="text"):
            ZeroShotClassifier(tok, lm).classify(texts)

    def test_scoring_flops_match_torch_counter(self) -> None:
        """scoring_flops equals what torch's FLOP counter measures for the scoring pass."""
        import torch
        from torch.utils.flop_counter import FlopCounterMode

        tok, lm = _decoder("eager")
        enc = tok("The bank raised interest rates again.", return_tensors="pt")
        counter = FlopCounterMode(display=False)
        with counter, torch.inference_mode():
            lm(**enc, logits_to_keep=1, use_cache=False)
        n = enc["input_ids"].shape[1]
        assert counter.get_total_flops() == scoring_flops(lm.config.to_dict(), n)


@pytest.mark.models
class TestTimeClassifier:
    def test_encoder_run_matches_batched_predictions(self) -> None:
        """One-at-a-time predictions equal a batched forward pass; the cut is counted."""
        import torch
        from transformers import AutoModelForSequenceClassification

        from nlpguide.models import encoder
        from nlpguide.models.zero_shot import time_classifier

        torch.manual_seed(0)
        tok, model = encoder(model_class=AutoModelForSequenceClassification, num_labels=5)
        model.eval()
        texts = ["short text", "a much longer text " * 20]
        run = time_classifier(tok, model, texts, max_length=16)
        batch = tok(texts, truncation=True, max_length=16, padding=True, return_tensors="pt")
        with torch.inference_mode():
            expected = model(**batch).logits.argmax(-1).tolist()
        assert run.predictions.tolist() == expected
        assert run.tokens.tolist() == [4, 16]
        assert run.truncated == 1
