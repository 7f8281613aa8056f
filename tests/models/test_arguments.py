"""Every public callable of the models layer rejects a bad argument by name, before loading.

One row per callable (tests/argument_contract.py). Functions that take a model or
tokenizer get :class:`Untouchable` stand-ins, and the loaders run with
``from_pretrained`` replaced by a failure: an argument must be refused before any
model is loaded or run.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from argument_contract import ContractTests, Row, Untouchable

from nlpguide import data, models
from nlpguide.models import attention, decoding, finetune, headlines, retrieval, t5, zero_shot

pytestmark = pytest.mark.models

MODULES = (
    "nlpguide.data",
    "nlpguide.models",
    "nlpguide.models.finetune",
    "nlpguide.models.decoding",
    "nlpguide.models.attention",
    "nlpguide.models.zero_shot",
    "nlpguide.models.retrieval",
    "nlpguide.models.t5",
    "nlpguide.models.headlines",
)

MODEL = Untouchable()
TOKENIZER = Untouchable()
PAIR = {"tokenizer": TOKENIZER, "model": MODEL}
INPUTS = {"input_ids": np.array([[1, 2, 3]]), "attention_mask": np.array([[1, 1, 1]])}
WEIGHTS = np.full((2, 2), 0.5)
TEXTS = ["A short news story."]
Bad = list[tuple[str, Any, type[Exception]]]


def _texts(name: str) -> Bad:
    """A list of str: a bare str, a None item, no list at all."""
    return [(name, "one text", TypeError), (name, ["a", None], TypeError), (name, 5, TypeError)]


def _count(name: str, minimum: int = 1) -> Bad:
    """An int >= minimum: too small, a bool, a str."""
    return [(name, minimum - 1, ValueError), (name, True, TypeError), (name, "3", TypeError)]


def _loader(name: str = "name") -> Bad:
    """A model name that is no str, or blank."""
    return [(name, 5, TypeError), (name, " ", ValueError)]


TABLE: list[Row] = [
    # nlpguide.data
    Row(
        data.Article,
        {"path": "p", "title": "t", "text": "x", "label_text": "tech"},
        [
            ("label_text", "sports", ValueError),  # .label raised "x not in tuple" once
            ("title", None, TypeError),  # Article(None, None, None, 'tech') was accepted
        ],
    ),
    Row(
        data.TranslationPair,
        {"english": "Open", "french": "Ouvrir", "source": "gtk"},
        [
            ("english", None, TypeError),
            ("french", " ", ValueError),
        ],
    ),
    Row(data.bbc_articles, {}),
    Row(data.bbc_news, {}),
    Row(data.bbc_split, {}, [("verify", None, TypeError)]),  # skipped the hash check once
    Row(
        data.translation_pairs,
        {},
        [
            ("split", "dev", ValueError),
            ("split", 5, TypeError),
            ("domain", "news", ValueError),
            ("domain", None, TypeError),
        ],
    ),
    Row(
        data.imdb_reviews,
        {"split": "test", "n": 3},
        [
            ("split", "validation", ValueError),
            ("split", 5, TypeError),
            ("n", 0, ValueError),
            ("n", True, TypeError),
            ("n", 24_790, ValueError),  # more than the split holds: refused, not cut
        ],
    ),
    # nlpguide.models
    Row(models.encoder, {}, [*_loader(), ("model_class", "AutoModel", TypeError)]),
    Row(models.masked_lm, {}, _loader()),
    Row(models.decoder, {}, _loader()),
    Row(models.seq2seq, {}, _loader()),
    Row(models.headline_decoder, {}, [("merge", 1, TypeError)]),
    Row(
        models.default_path,
        {"kind": "encoder"},
        [
            ("kind", "Encoder", ValueError),
            ("kind", ["encoder"], TypeError),  # "unhashable type" once
        ],
    ),
    Row(
        models.artefact_record,
        {"kind": "masked_lm"},
        [
            ("kind", "t5", ValueError),
            ("kind", None, TypeError),
        ],
    ),
    Row(
        models.seed_everything,
        {},
        [
            ("seed", -1, ValueError),
            ("seed", 2**32, ValueError),  # numpy cannot take it: refused before seeding anything
            ("seed", 1.0, TypeError),
        ],
    ),
    Row(models.cache_dir, {}),
    Row(models.AssetMissingError, {"package": "p", "install_line": "pip install p"}),
    Row(models.CacheEntryError, {}),
    # nlpguide.models.finetune
    Row(
        finetune.FineTuneSettings,
        {},
        [
            *_count("max_steps"),
            *_count("batch_size"),
            ("learning_rate", -1.0, ValueError),
            ("learning_rate", 10**400, ValueError),  # a huge int real
            ("warmup", 1.5, ValueError),
            ("seed", 2**32, ValueError),
            ("eval_split", "train", ValueError),
            ("lora", "yes", TypeError),
        ],
    ),
    Row(finetune.FineTuneResult, {}),
    Row(finetune.Prediction, {}),
    Row(
        finetune.finetune_classifier,
        {},
        [
            ("settings", {"max_steps": 1}, TypeError),
            ("output_dir", 5, TypeError),  # checked before training
            ("cache", "always", ValueError),
            ("progress", "yes", TypeError),
        ],
    ),
    Row(
        finetune.add_lora,
        {"model": MODEL, "settings": finetune.FineTuneSettings(lora=True)},
        [("settings", {"lora": True}, TypeError)],  # refused before peft loads
    ),
    Row(
        finetune.build_trainer,
        {
            "model": MODEL,
            "tokenizer": TOKENIZER,
            "train": None,
            "settings": finetune.FineTuneSettings(),
            "output_dir": "unused",
        },
        [
            ("settings", {"max_steps": 2}, TypeError),
            ("output_dir", 3, TypeError),
            ("progress", 1, TypeError),
        ],
    ),
    Row(
        finetune.load_result,
        {"folder": "no/such/folder"},
        [
            ("folder", 5, TypeError),
            ("folder", "no/such/folder", FileNotFoundError),
        ],
    ),
    Row(
        finetune.save_result,
        {"result": None, "folder": "unused"},
        [
            ("result", None, TypeError),  # checked before the folder is made
        ],
    ),
    Row(
        finetune.store_run,
        {"trainer": None, "settings": finetune.FineTuneSettings()},
        [
            ("settings", {"max_steps": 2}, TypeError),
            ("settings", finetune.FineTuneSettings(lora=True), ValueError),
        ],
    ),
    # nlpguide.models.decoding
    Row(
        decoding.Candidate,
        {"token": "a", "token_id": 1, "probability": 0.5},
        [
            ("token", None, TypeError),  # Candidate(None, -1, 2.0) was accepted once
            ("token_id", -1, ValueError),
            ("probability", 2.0, ValueError),
        ],
    ),
    Row(
        decoding.GenerationTiming,
        {"use_cache": True, "new_tokens": 1, "seconds": (0.1,), "token_ids": (1,)},
        [
            ("use_cache", None, TypeError),  # accepted once; median then raised StatisticsError
            ("seconds", (), ValueError),
            ("token_ids", ("a",), TypeError),
        ],
        names={"token_ids": "token id"},
    ),
    Row(
        decoding.GreedyStep,
        {"step": 0, "candidates": ()},
        [
            ("candidates", [1, 2], TypeError),  # AttributeError once
            ("step", -1, ValueError),
        ],
    ),
    Row(
        decoding.chat_inputs,
        {"tokenizer": TOKENIZER, "messages": "Hi"},
        [
            ("messages", [{"role": None, "content": "x"}], TypeError),  # became 'None' once
            ("messages", 5, TypeError),
            ("system", 5, TypeError),
        ],
        names={"messages": "message"},
    ),
    Row(
        decoding.generated_text,
        {"tokenizer": TOKENIZER, "inputs": INPUTS, "output_ids": np.array([[1, 2, 3, 4]])},
        [
            ("output_ids", np.array([1, 2, 3, 4]), TypeError),  # IndexError once
            ("output_ids", np.array([[1, 2]]), ValueError),  # returned '' once
            ("inputs", {}, TypeError),
        ],
    ),
    Row(
        decoding.greedy_trace,
        {**PAIR, "inputs": INPUTS},
        [
            ("inputs", None, TypeError),  # "not subscriptable" once
            *_count("steps"),
            *_count("top_k"),
        ],
    ),
    Row(decoding.show_token, {"token": "a"}, [("token", 5, TypeError)]),
    Row(
        decoding.time_generation,
        {"model": MODEL, "inputs": INPUTS, "use_cache": True},
        [
            ("inputs", {}, TypeError),  # KeyError once
            ("use_cache", 1, TypeError),
            *_count("new_tokens"),
            *_count("repeats"),
        ],
    ),
    Row(
        decoding.trace_markdown,
        {"trace": []},
        [
            ("trace", 1.0, TypeError),  # TypeError from inside once
            ("trace", [1], TypeError),  # AttributeError once
        ],
    ),
    # nlpguide.models.attention
    Row(
        attention.AttentionMap,
        {"title": "t", "queries": ("a", "b"), "keys": ("a", "b"), "weights": WEIGHTS, "layer": 0},
        [
            ("title", None, TypeError),  # accepted once
            ("layer", -1, ValueError),  # accepted once
            ("queries", None, TypeError),  # "has no len()" once
            ("weights", np.ones((3, 3)), ValueError),
        ],
    ),
    Row(
        attention.is_causal,
        {"weights": WEIGHTS},
        [
            ("atol", math.nan, ValueError),  # returned False once
            ("atol", None, TypeError),  # "must be real number" once
            ("weights", np.ones((2, 2), dtype=complex), TypeError),  # float()'s message once
        ],
    ),
    Row(
        attention.token_labels,
        {"tokenizer": TOKENIZER, "ids": [1]},
        [
            ("ids", [-1], ValueError),
            ("ids", "12", TypeError),
        ],
        names={"ids": "token id"},
    ),
    Row(
        attention.encoder_self_attention,
        {**PAIR, "text": "a b"},
        [
            ("text", None, TypeError),
            ("text", " ", ValueError),
            ("layer", 1.0, TypeError),
        ],
    ),
    Row(
        attention.decoder_self_attention,
        {**PAIR, "text": "a b"},
        [
            ("text", 5, TypeError),
            ("layer", "0", TypeError),
        ],
    ),
    Row(
        attention.seq2seq_attention,
        {**PAIR, "source": "a", "target": "b"},
        [
            ("source", None, TypeError),
            ("target", "", ValueError),
            ("layer", None, TypeError),
        ],
    ),
    # nlpguide.models.zero_shot
    Row(
        zero_shot.ZeroShotClassifier,
        PAIR,
        [
            ("labels", "sport", TypeError),
            ("labels", ["a", "a"], ValueError),
            *_count("max_text_tokens"),
            ("question", "{labels} {text} {x}", ValueError),  # KeyError once
            ("answer_prefix", 5, TypeError),
        ],
    ),
    Row(
        zero_shot.ZeroShotResult,
        {
            "labels": ("a", "b"),
            "log_probs": np.zeros((1, 2)),
            "bias": np.full(2, 0.5),
            "seconds": np.zeros(1),
            "prompt_tokens": np.ones(1, dtype=np.int64),
            "truncated": 0,
        },
        [
            ("log_probs", None, TypeError),  # None arrays were accepted once
            ("truncated", -1, ValueError),  # negative counts too
        ],
    ),
    Row(
        zero_shot.ClassifierRun,
        {
            "predictions": np.zeros(1, dtype=np.int64),
            "seconds": np.zeros(1),
            "tokens": np.ones(1, dtype=np.int64),
            "truncated": 0,
        },
        [
            ("predictions", None, TypeError),
            ("truncated", -1, ValueError),
        ],
    ),
    Row(
        zero_shot.topic_messages,
        {"text": "x", "labels": ["a", "b"]},
        [
            ("question", None, TypeError),  # "argument of type 'NoneType'" once
            ("question", "{labels} {text} {x}", ValueError),  # KeyError once
            ("text", 5, TypeError),
            *_texts("labels"),
        ],
    ),
    Row(zero_shot.join_labels, {"labels": ["a", "b"]}, _texts("labels")),
    Row(
        zero_shot.scoring_flops,
        {"config": "gpt2", "tokens": 8},
        [
            ("config", None, TypeError),  # AttributeError once
            *_count("tokens"),
        ],
    ),
    Row(
        zero_shot.classifier_flops,
        {"config": "bert-base-uncased", "tokens": 8, "num_labels": 2},
        [
            ("config", 5, TypeError),
            *_count("tokens"),
            *_count("num_labels"),
        ],
    ),
    Row(
        zero_shot.time_classifier,
        {**PAIR, "texts": TEXTS, "max_length": 8},
        [
            *_texts("texts"),
            *_count("max_length"),
        ],
        names={"texts": "text"},
    ),
    # nlpguide.models.retrieval
    Row(retrieval.Hit, {"index": 0, "score": 0.5}),
    Row(
        retrieval.mean_pool,
        {"token_vectors": np.ones((1, 2, 3)), "attention_mask": np.ones((1, 2), dtype=np.int64)},
        [
            ("token_vectors", None, TypeError),  # AttributeError once
            ("token_vectors", np.ones((2, 3)), ValueError),  # pooled without complaint once
            ("attention_mask", np.full((1, 2), 2), ValueError),  # used as a weight once
        ],
    ),
    Row(
        retrieval.top_k,
        {"query": np.ones(2), "documents": np.ones((3, 2))},
        [
            ("query", np.array([math.nan, 1.0]), ValueError),  # returned [Hit(0, nan)] once
            ("documents", [["a", "b"]], TypeError),  # numpy's conversion message once
            ("documents", [[1.0], [1.0, 2.0]], ValueError),  # ragged
            *_count("k"),
        ],
    ),
    Row(
        retrieval.rag_messages,
        {"question": "q", "passages": ["p"]},
        [
            *_texts("passages"),  # [None] became 'Article 1: None' once
            ("instruction", "", ValueError),  # replaced by the default once
            ("instruction", 0, TypeError),
            ("question", " ", ValueError),
        ],
        names={"passages": "passage"},
    ),
    Row(
        retrieval.embed,
        {**PAIR, "texts": TEXTS},
        [
            *_texts("texts"),
            *_count("max_length"),
            *_count("batch_size"),
        ],
        names={"texts": "text"},
    ),
    # nlpguide.models.t5
    Row(
        t5.source_text,
        {"task": "topic", "title": "t", "body": "b"},
        [
            ("title", None, TypeError),  # framed 'None' once
            ("body", None, TypeError),
            ("task", "nope", ValueError),
        ],
    ),
    Row(
        t5.frame_input,
        {"task": "topic", "text": "x"},
        [
            ("task", 5, TypeError),
            ("text", None, TypeError),
        ],
    ),
    Row(
        t5.translate_source,
        {"english": "Open the file."},
        [
            ("english", None, TypeError),
            ("english", " ", ValueError),
        ],
    ),
    Row(
        t5.encode_sources,
        {"tokenizer": TOKENIZER, "sources": TEXTS, "max_source_tokens": 8},
        [
            *_texts("sources"),
            *_count("max_source_tokens"),
        ],
    ),
    Row(
        t5.generate_texts,
        {**PAIR, "sources": TEXTS, "max_source_tokens": 8, "max_new_tokens": 8},
        [
            *_texts("sources"),  # 'one source' and [None] reached the model once
            *_count("max_new_tokens"),
            *_count("num_beams"),
            ("batch_size", "3", TypeError),  # "'<' not supported" once
        ],
    ),
    Row(t5.load_t5, {}, [("folder", 5, TypeError), ("folder", "no/such", FileNotFoundError)]),
    Row(t5.load_tokenizer, {"folder": "x"}, [("folder", None, TypeError)]),  # the checks
    # of the path arguments below were added when this table first listed them
    Row(
        t5.read_record,
        {},
        [
            ("folder", 5, TypeError),
            ("folder", Path(__file__), FileNotFoundError),  # NotADirectoryError once
        ],
    ),
    Row(
        t5.export_t5,
        {"src": "no/such", "dst": "unused"},
        [
            ("src", 5, TypeError),
            ("dst", None, TypeError),
        ],
    ),
    Row(t5.quiet_progress, {}),
    # nlpguide.models.headlines
    Row(headlines.clean_headline, {"generated": "A headline"}, [("generated", 5, TypeError)]),
    Row(
        headlines.lead_text,
        {"text": "A story."},
        [
            ("text", None, TypeError),
            *_count("lead_tokens"),
        ],
    ),
    Row(
        headlines.headline_messages,
        {"text": "A story."},
        [
            ("text", b"x", TypeError),
            ("lead_tokens", 0, ValueError),
        ],
    ),
    Row(
        headlines.headline_prompt,
        {"tokenizer": TOKENIZER, "text": "A story."},
        [
            ("text", None, TypeError),
            ("lead_tokens", True, TypeError),
        ],
    ),
    Row(
        headlines.generate_headlines,
        {**PAIR, "texts": TEXTS},
        [
            *_texts("texts"),
            *_count("lead_tokens"),
            *_count("max_new_tokens"),
            *_count("batch_size"),
        ],
    ),
    Row(
        headlines.read_record,
        {},
        [
            ("folder", 5, TypeError),  # a non-path: TypeError naming folder
        ],
    ),
]


@pytest.fixture
def no_model_loading(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every way to load a model fails the test: arguments are checked before loading."""
    import transformers

    def loaded(*_args: Any, **_kwargs: Any) -> Any:
        raise AssertionError("a model was loaded before the arguments were checked")

    monkeypatch.setattr(models, "_PREPARERS", dict.fromkeys(models._PREPARERS, loaded))
    for name in (
        "AutoTokenizer",
        "AutoModel",
        "AutoModelForMaskedLM",
        "AutoModelForCausalLM",
        "AutoModelForSeq2SeqLM",
    ):
        monkeypatch.setattr(getattr(transformers, name), "from_pretrained", loaded)


@pytest.mark.usefixtures("no_model_loading")
class TestArguments(ContractTests):
    TABLE = TABLE
    MODULES = MODULES
