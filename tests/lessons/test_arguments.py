"""Every public callable of the lesson helpers rejects a bad argument by name, before loading.

One row per callable (tests/argument_contract.py). Functions that take a model or
tokenizer get :class:`Untouchable` stand-ins, and the loaders the views call fail
the test: an argument must be refused before any model is loaded or run.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from argument_contract import ContractTests, Row, Untouchable

from nlpguide import models
from nlpguide.data import Article
from nlpguide.lessons import architectures, attention, bert, t5, tokenization

pytestmark = pytest.mark.models

MODULES = (
    "nlpguide.lessons",
    "nlpguide.lessons.architectures",
    "nlpguide.lessons.attention",
    "nlpguide.lessons.bert",
    "nlpguide.lessons.tokenization",
    "nlpguide.lessons.t5",
)

PAIR = {"tokenizer": Untouchable(), "model": Untouchable()}
X = np.ones((3, 4))
#: One head pair's projections of width 4: weights (4, 4), biases (4,).
PROJECTIONS = {
    f: np.ones((4, 4) if f[0] == "w" else 4)
    for f in ("w_q", "b_q", "w_k", "b_k", "w_v", "b_v", "w_o", "b_o")
}
WEIGHTS = attention.AttentionWeights(**PROJECTIONS, heads=2)
ARTICLES = [Article("sport/001.txt", "A title", "A story about a match.", "sport")]
Bad = list[tuple[str, Any, type[Exception]]]


def _count(name: str, minimum: int = 1) -> Bad:
    """An int >= minimum: too small, a bool, a str."""
    return [(name, minimum - 1, ValueError), (name, True, TypeError), (name, "3", TypeError)]


def _sentence(name: str = "sentence") -> Bad:
    return [(name, None, TypeError), (name, " ", ValueError)]


TABLE: list[Row] = [
    # nlpguide.lessons.architectures
    Row(
        architectures.describe,
        {"config": "gpt2"},
        [
            ("config", 5, TypeError),
            ("config", {"model_type": "gpt3"}, ValueError),
        ],
        names={"config": "model"},
    ),
    Row(
        architectures.draw, {"config": "gpt2"}, [("ax", "left", TypeError), ("title", 5, TypeError)]
    ),
    Row(architectures.Architecture, {}),
    Row(architectures.Stack, {}),
    # nlpguide.lessons.attention
    Row(
        attention.softmax,
        {"scores": X},
        [
            ("scores", np.float64(1.0), ValueError),  # needed at least one axis, fuzzing found
            ("scores", [["a"]], TypeError),
            ("axis", 2, ValueError),
        ],
    ),
    Row(attention.causal_mask, {"n": 3}, _count("n")),
    Row(
        attention.layer_norm,
        {"x": X, "gamma": np.ones(4), "beta": np.zeros(4)},
        [
            ("x", np.float64(1.0), ValueError),  # needed at least one axis, fuzzing found
            ("gamma", np.ones(3), ValueError),
            ("eps", -1.0, ValueError),
            ("eps", "1", TypeError),
        ],
    ),
    Row(
        attention.cosine_similarity,
        {"vectors": X},
        [
            ("vectors", [[0.0, 0.0, 0.0]], ValueError),  # a zero row has no direction
            ("vectors", "abc", TypeError),
        ],
    ),
    Row(
        attention.previous_token_weight,
        {"probabilities": np.full((2, 3, 3), 1 / 3)},
        [
            ("probabilities", np.ones((2, 3)), ValueError),
        ],
    ),
    Row(
        attention.multi_head_attention,
        {"x": X, "weights": WEIGHTS},
        [
            ("x", np.ones((3, 5)), ValueError),
            ("weights", None, TypeError),
            ("mask", np.ones((2, 2)), ValueError),
            ("scale", 1, TypeError),
        ],
    ),
    Row(
        attention.relative_position_bucket,
        {"relative_position": np.arange(-3, 4)},
        [
            ("relative_position", np.array([0.5]), ValueError),
            ("num_buckets", 0, ValueError),
            ("max_distance", True, TypeError),
            ("bidirectional", "yes", TypeError),
        ],
    ),
    Row(
        attention.rope_inverse_frequencies,
        {"head_dim": 8, "theta": 10000.0},
        [
            ("head_dim", 3, ValueError),  # odd: no pairs to rotate
            ("theta", math.nan, ValueError),
        ],
    ),
    Row(
        attention.rope_rotate,
        {"x": X, "positions": np.arange(3), "inv_freq": np.ones(2)},
        [
            ("positions", np.arange(4), ValueError),
            ("inv_freq", np.ones(3), ValueError),
        ],
    ),
    Row(
        attention.bert_attention_io,
        {**PAIR, "text": "a b", "layer": 0},
        [
            *_sentence("text"),
            ("layer", -1, ValueError),
        ],
    ),
    Row(
        attention.AttentionWeights,
        {**PROJECTIONS, "heads": 2},
        [
            *_count("heads"),
            ("heads", 3, ValueError),  # 4 is no multiple of 3
        ],
    ),
    Row(attention.AttentionCapture, {}),
    # nlpguide.lessons.bert
    Row(bert.probe_predictions, PAIR, _count("k")),  # k is checked before the model is used
    Row(bert.probe_score, PAIR, _count("k")),
    Row(bert.cloze_probe, {}),
    Row(bert.ProbeItem, {}),
    # nlpguide.lessons.tokenization
    Row(
        tokenization.tokens_per_word,
        {"tokenizer": Untouchable(), "texts": ["a b"]},
        [
            ("texts", "a b", TypeError),
            ("texts", [None], TypeError),
        ],
        names={"texts": "text"},
    ),
    Row(
        tokenization.kept_share,
        {"tokenizer": Untouchable(), "texts": ["a b"], "max_length": 8},
        _count("max_length"),
    ),
    Row(tokenization.load_tokenizers, {}),
    # nlpguide.lessons.t5
    Row(t5.bert_view, {"sentence": "x"}, _sentence()),  # checked before loading a model
    Row(t5.t5_view, {"sentence": "x"}, _sentence()),
    Row(
        t5.yes_no_pairs,
        {"articles": ARTICLES, "topic": "sport"},
        [
            ("articles", [None], TypeError),
            ("topic", "sports", ValueError),
            ("passage_words", "50", TypeError),  # "'<' not supported" once
        ],
    ),
    Row(
        t5.cross_attention,
        {**PAIR, "source": "x"},
        [
            *_sentence("source"),
            *_count("max_new_tokens"),
        ],
    ),
    Row(
        t5.objective_cost,
        {},
        [
            *_count("n", 2),
            ("noise_density", 1.5, ValueError),
            ("model", "gpt3", ValueError),
        ],
    ),
    Row(
        t5.markdown_table,
        {"header": ["a"], "rows": [[1]]},
        [
            ("header", None, TypeError),  # len() of None once
            ("rows", None, TypeError),
            ("code", "yes", TypeError),
            ("align", 5, TypeError),
        ],
    ),
    Row(t5.framing_rows, {}),
    Row(t5.CrossAttention, {}),
    Row(t5.ObjectiveCost, {}),
]


@pytest.fixture
def no_model_loading(monkeypatch: pytest.MonkeyPatch) -> None:
    """The loaders the views call fail the test: arguments are checked before loading."""

    def loaded(*_args: Any, **_kwargs: Any) -> Any:
        raise AssertionError("a model was loaded before the arguments were checked")

    for name in ("encoder", "masked_lm", "seq2seq", "decoder"):
        monkeypatch.setattr(models, name, loaded)


@pytest.mark.usefixtures("no_model_loading")
class TestArguments(ContractTests):
    TABLE = TABLE
    MODULES = MODULES
