"""Every public callable of the numpy-only core rejects a bad argument by name.

One row per callable (tests/argument_contract.py): valid arguments, then a bad
value for some of them and the exception it must raise. Rows without bad values
are callables that take no arguments or plain records that hold what they get.
"""

from __future__ import annotations

import math
from dataclasses import fields
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from argument_contract import ContractTests, Row, call

import nlpguide
from nlpguide import choose, cli, metrics, mlm, provenance, sizes, text2text

#: The core layer's public modules: they import neither torch nor transformers.
MODULES = (
    "nlpguide",
    "nlpguide.mlm",
    "nlpguide.text2text",
    "nlpguide.choose",
    "nlpguide.sizes",
    "nlpguide.cli",
    "nlpguide.metrics",
    "nlpguide.provenance",
)

IDS = np.array([[101, 7, 8, 9, 102]], dtype=np.int64)
MASKING = {"input_ids": IDS, "mask_token_id": 103, "vocab_size": 200}
#: Values that are no probability: outside [0, 1], NaN, a huge int, a bool, a str.
BAD_PROBABILITIES = [
    (1.5, ValueError),
    (-0.1, ValueError),
    (math.nan, ValueError),
    (10**400, ValueError),
    (True, TypeError),
    ("0.5", TypeError),
]
PROBABILITIES = ("mlm_probability", "mask_replace_prob", "random_replace_prob")
MASKING_BAD: list[tuple[str, Any, type[Exception]]] = [
    ("input_ids", [1, 2, 3], TypeError),
    ("input_ids", np.array([0.0, 1.0]), TypeError),
    ("input_ids", np.array([0, 200, 1]), ValueError),
    ("input_ids", np.zeros((2, 2, 2), dtype=np.int64), ValueError),
    ("mask_token_id", 200, ValueError),
    ("mask_token_id", "0", TypeError),
    ("vocab_size", 0, ValueError),
    ("vocab_size", 2.0, TypeError),
    ("special_tokens_mask", np.ones((2, 5), dtype=bool), ValueError),
    ("attention_mask", np.full((1, 5), 2), ValueError),
    *[(p, bad, error) for p in PROBABILITIES for bad, error in BAD_PROBABILITIES],
    ("strategy", "Fixed", ValueError),
    ("strategy", None, TypeError),
    ("max_predictions", 0, ValueError),
    ("rng", -1, ValueError),
    ("rng", np.random.RandomState(0), TypeError),
]
TOKENS = ["[CLS]", "un", "##able", "cat", "[SEP]"]
SIZES = {"model": "bert-base-uncased"}
MEMORY = {"model": "gpt2", "dtype": "bf16", "batch": 1, "seq_len": 128}
TRAINING = sizes.TrainingMemory(trainable_parameters=1, weights=1, gradients=1, optimizer=1)
PAIRS = (["the cat sat"], ["the cat sat"])


def _model_bad(name: str = "model") -> list[tuple[str, Any, type[Exception]]]:
    """A model spec that is no known name or config."""
    return [
        (name, 5, TypeError),
        (name, "no-such-model", ValueError),
        (name, {"model_type": "gpt3"}, ValueError),
    ]


def _text_pair(*names: str) -> list[tuple[str, Any, type[Exception]]]:
    """Two lists of str: a bare str, a None item, or no list at all is refused."""
    return [(n, bad, TypeError) for n in names for bad in ("the cat sat", ["a", None], None)]


TABLE: list[Row] = [
    Row(
        nlpguide.versions,
        {"packages": ["numpy"]},
        [("packages", [5], TypeError)],
        names={"packages": "package"},
    ),
    # nlpguide.mlm
    Row(mlm.mask_tokens, MASKING, MASKING_BAD),
    Row(
        mlm.whole_word_mask,
        {**MASKING, "tokens": [TOKENS]},
        [
            *MASKING_BAD,
            ("tokens", "not a list", TypeError),
            ("tokens", [[1, 2, 3, 4, 5]], TypeError),
            ("tokens", [["a"] * 6], ValueError),
            ("word_ids", [[0] * 5], ValueError),  # tokens and word_ids together
            ("per_word_decision", 1, TypeError),
        ],
    ),
    Row(
        mlm.simulate_mlm,
        {"sentence": "the cat sat on the mat"},
        [
            ("sentence", None, TypeError),
            ("sentence", "   ", ValueError),
            ("mask_rate", 1.5, ValueError),
            ("mask_rate", 10**400, ValueError),  # escaped as OverflowError once
            ("mask_replace_prob", "0.8", TypeError),
            ("random_replace_prob", math.nan, ValueError),
            ("rng", 1.5, TypeError),
        ],
    ),
    Row(
        mlm.MaskedBatch,
        {"input_ids": IDS, "labels": np.full_like(IDS, -100)},
        [
            ("input_ids", None, TypeError),  # was accepted once
            ("labels", np.zeros((2, 2), dtype=np.int64), ValueError),
        ],
    ),
    Row(
        mlm.MLMSimulation,
        {"words": ("a",), "masked_words": ("a",), "decisions": (None,)},
        [
            ("words", None, TypeError),  # raised "has no len()" once
            ("masked_words", ("a", "b"), ValueError),
            ("decisions", ("steal",), ValueError),
            ("mask_token", 5, TypeError),
        ],
    ),
    # nlpguide.text2text
    Row(
        text2text.frame,
        {"task": "sst2", "sentence": "a fine film"},
        [
            ("task", 5, TypeError),
            ("task", "SST2", ValueError),
            ("sentence", None, TypeError),
            ("sentence", "   ", ValueError),
        ],
    ),
    Row(
        text2text.encode_target,
        {"task": "sst2", "label": 1},
        [
            ("task", None, TypeError),
            ("task", "nope", ValueError),
            ("label", 7, ValueError),
            ("label", None, TypeError),
        ],
    ),
    Row(
        text2text.decode_target,
        {"task": "sst2", "text": "positive"},
        [
            ("task", 5, TypeError),
            ("text", b"positive", TypeError),
            ("text", "great", ValueError),
        ],
        names={"text": "label"},
    ),  # "'great' is no sst2 label"
    Row(
        text2text.span_corruption,
        {"tokens": list("abcdefghij"), "rng": 0},
        [
            ("tokens", "abcdefghij", TypeError),
            ("tokens", ["a", None, "c"], TypeError),
            ("noise_density", 0.0, ValueError),
            ("noise_density", 10**400, ValueError),  # escaped as OverflowError once
            ("mean_noise_span_length", "3", TypeError),
            ("rng", -1, ValueError),
        ],
    ),
    Row(
        text2text.length_stats,
        {"n": 512},
        [
            ("n", 0, ValueError),
            ("n", 10**40, ValueError),  # OverflowError once, struct.error for 10**400
            ("n", 2.0, TypeError),
            ("noise_density", math.inf, ValueError),
            ("mean_noise_span_length", None, TypeError),
        ],
    ),
    Row(text2text.SpanCorruption, {"inputs": ["a"], "targets": ["b"]}),
    Row(text2text.LengthStats, {"inputs": 1, "targets": 2}),
    Row(
        text2text.TaskSpec,
        {
            "name": "x",
            "prefix": "x",
            "fields": ("a",),
            "label_words": None,
            "description": "x",
            "benchmark": "GLUE",
        },
    ),
    # nlpguide.sizes (nlpguide.choose re-exports these objects)
    Row(
        sizes.reference_config,
        {"name": "gpt2"},
        [
            ("name", None, TypeError),
            ("name", "gpt3", ValueError),
        ],
        names={"name": "model"},
    ),  # "unknown model 'gpt3'"
    Row(sizes.parameter_count, SIZES, _model_bad()),
    Row(sizes.counted_model_class, SIZES, _model_bad()),
    Row(
        sizes.forward_flops,
        {**SIZES, "tokens": 16},
        [
            *_model_bad(),
            ("tokens", 0, ValueError),
            ("tokens", True, TypeError),
            ("target_tokens", 8, ValueError),  # an encoder has no target side
        ],
    ),
    Row(
        sizes.flops_per_token,
        {**SIZES, "tokens": 16},
        [
            *_model_bad(),
            ("tokens", 2.5, TypeError),
            ("target_tokens", 0, ValueError),
        ],
    ),
    Row(
        sizes.memory_estimate,
        MEMORY,
        [
            *_model_bad(),
            ("dtype", "fp8", ValueError),
            ("dtype", None, TypeError),
            ("batch", 0, ValueError),
            ("seq_len", "8", TypeError),
            ("training", "amp", ValueError),
            ("lora_rank", -1, ValueError),
            ("lora_targets", "c_attn", TypeError),
        ],
    ),
    Row(
        sizes.load_config,
        {"path": Path(nlpguide.__file__).parent / "models/artefacts/t5"},
        [
            ("path", 5, TypeError),
            ("path", "a\x00b", ValueError),
        ],
    ),
    Row(sizes.known_models, {}),
    Row(
        sizes.MemoryEstimate,
        {
            "model_class": "GPT2LMHeadModel",
            "parameters": 1,
            "dtype": "bf16",
            "batch": 1,
            "seq_len": 1,
            "weights": {},
            "kv_cache_per_token": 0,
            "kv_cache": 0,
            "full_finetune": TRAINING,
            "training": "mixed",
        },
    ),
    Row(
        sizes.TrainingMemory,
        {"trainable_parameters": 1, "weights": 1, "gradients": 1, "optimizer": 1},
    ),
    # nlpguide.choose
    Row(
        choose.recommend,
        {"task": "sentiment of tweets"},
        [
            ("task", None, TypeError),
            ("task", b"ner", TypeError),
            ("examples", -1, ValueError),
            ("examples", 1.5, TypeError),
            ("examples", True, TypeError),
            ("memory", "lots", ValueError),
            ("memory", "4 parsecs", ValueError),
            ("memory", "0MB", ValueError),
            ("memory", 0, ValueError),
            ("memory", 4.5, TypeError),
            ("memory", True, TypeError),
            ("latency_ms", 0, ValueError),
            ("latency_ms", math.nan, ValueError),
            ("latency_ms", "fast", TypeError),
            ("languages", 3, TypeError),
            ("languages", [], ValueError),
            ("languages", ["fr", 3], TypeError),
            ("languages", "Klingonese", ValueError),
            ("cpu_only", 1, TypeError),
        ],
    ),
    Row(
        choose.checkpoint,
        {"name": "t5-small"},
        [("name", "bert-base-cased", ValueError), ("name", None, TypeError)],
        names={"name": "model"},
    ),
    Row(
        choose.parse_memory,
        {"memory": "4GB"},
        [("memory", "lots", ValueError), ("memory", 4.5, TypeError)],
    ),
    Row(choose.Task, {f.name: getattr(choose.CATALOGUE[0], f.name) for f in fields(choose.Task)}),
    Row(choose.Question, {"role": "r", "text": "t", "architecture": "encoder", "task": "t"}),
    Row(
        choose.Checkpoint,
        {"name": "n", "architecture": "encoder", "parameters": 1, "memory": 1, "cpu_ms": 1.0},
    ),
    Row(
        choose.render_table,
        {},
        [
            ("fmt", "x", ValueError),
            ("rows", 5, TypeError),
        ],
    ),
    Row(choose.known_tasks, {}),
    Row(
        choose.QuickReferenceRow,
        {"task": "t", "models": ("m",), "why": "w", "architecture": "encoder"},
        [("task", 5, TypeError)],
    ),
    Row(
        choose.Recommendation,
        {
            "description": "d",
            "task": "t",
            "architecture": "encoder",
            "approach": "a",
            "checkpoints": (),
            "reasons": (),
        },
    ),
    # nlpguide.cli: every usage error is exit 2 (tests/core/test_cli.py); a bad argv is a bug
    Row(
        cli.main,
        {"argv": ["table"]},
        [
            ("argv", "table", TypeError),  # was split into letters once
            ("argv", [{"": 0}], TypeError),  # KeyError once
        ],
    ),
    # nlpguide.metrics
    Row(metrics.word_tokens, {"text": "a b"}, [("text", 5, TypeError)]),
    Row(
        metrics.lead_words,
        {"text": "a b c"},
        [
            ("text", None, TypeError),  # AttributeError once
            ("n", True, TypeError),  # used n=1 once
            ("n", 0, ValueError),
        ],
    ),
    Row(
        metrics.exact_match,
        {"predictions": PAIRS[0], "references": PAIRS[1]},
        _text_pair("predictions", "references"),
    ),  # 'sport' was compared letter by letter
    Row(
        metrics.majority_baseline,
        {"train_labels": ["a"], "test_labels": ["a"]},
        _text_pair("train_labels", "test_labels"),
    ),  # a None item: AttributeError once
    Row(
        metrics.rouge_l_f1,
        {"hypothesis": "a b", "reference": "a c"},
        [
            ("hypothesis", 5, TypeError),
            ("reference", None, TypeError),
            ("use_stemmer", 1, TypeError),
        ],
    ),
    Row(
        metrics.mean_rouge_l_f1,
        {"hypotheses": PAIRS[0], "references": PAIRS[1]},
        _text_pair("hypotheses", "references"),
    ),
    Row(
        metrics.bleu,
        {"hypotheses": PAIRS[0], "references": PAIRS[1]},
        _text_pair("hypotheses", "references"),
    ),
    Row(
        metrics.chrf,
        {"hypotheses": PAIRS[0], "references": PAIRS[1]},
        _text_pair("hypotheses", "references"),
    ),
    # nlpguide.provenance
    Row(
        provenance.folder_sha256,
        {"folder": Path(__file__).parent},
        [
            ("folder", 5, TypeError),
            ("folder", "no/such/folder", ValueError),  # AttributeError once
        ],
    ),
    Row(
        provenance.record_model,
        {"loader": "l", "model": "m", "hashes": {"a": "b"}},
        [
            ("loader", 5, TypeError),
            ("model", "", ValueError),
            ("hashes", {"a": 5}, TypeError),  # was stringified into the record once
        ],
    ),
    Row(provenance.clear, {}),
    Row(provenance.environment, {}),
    Row(provenance.loaded_models, {}),
    Row(provenance.page_record, {}),
    Row(provenance.show, {}),
]

#: The rows whose valid call runs numpy-only: ROUGE, BLEU and chrF import rouge-score and
#: sacrebleu (tests/models/test_metrics_reference.py runs them). Bad arguments are refused
#: before those imports, so every row's bad cases run here.
RUNNABLE = [
    row
    for row in TABLE
    if row.fn not in {metrics.rouge_l_f1, metrics.mean_rouge_l_f1, metrics.bleu, metrics.chrf}
]


class TestArguments(ContractTests):
    TABLE = TABLE
    MODULES = MODULES

    @pytest.mark.parametrize("row", RUNNABLE, ids=lambda row: row.fn.__qualname__)
    def test_valid_arguments_work(self, row: Row, capsys: pytest.CaptureFixture[str]) -> None:
        """Each row's valid arguments are accepted, so each bad case spoils exactly one."""
        call(row.fn, row.valid)
        capsys.readouterr()
