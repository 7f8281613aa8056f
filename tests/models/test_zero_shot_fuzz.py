"""Bad-input fuzzing of :mod:`nlpguide.models.zero_shot` (the contract: tests/fuzz_support.py)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from fuzz_support import (
    NON_SEQUENCE_OR_STR,
    NON_STR,
    PLAIN_WORD,
    TEXT,
    TEXT_OR_HUGE,
    UNTOUCHABLE_MODEL,
    UNTOUCHABLE_TOKENIZER,
    attempt,
    bad_count,
    contract,
    draw_broken,
    fuzz,
    rejects,
)
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from nlpguide import choose
from nlpguide.models import zero_shot

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


#: Each public callable -> the test here that fuzzes it (tests/*/test_fuzz_coverage.py).
REGISTRY: dict[str, str] = {
    "nlpguide.models.zero_shot.join_labels": "TestZeroShot.test_join_labels",
    "nlpguide.models.zero_shot.topic_messages": "TestZeroShot.test_topic_messages",
    "nlpguide.models.zero_shot.ZeroShotClassifier": "TestZeroShot.test_classifier_checks_first",
    "nlpguide.models.zero_shot.ZeroShotResult": "TestZeroShot.test_zero_shot_result",
    "nlpguide.models.zero_shot.ClassifierRun": "TestZeroShot.test_classifier_run",
    "nlpguide.models.zero_shot.scoring_flops": "TestZeroShot.test_flops",
    "nlpguide.models.zero_shot.classifier_flops": "TestZeroShot.test_flops",
    "nlpguide.models.zero_shot.time_classifier": "TestZeroShotWithModels.test_time_classifier_checks_first",
}
