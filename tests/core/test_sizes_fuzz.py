"""Bad-input fuzzing of :mod:`nlpguide.sizes` (the contract: tests/fuzz_support.py).

nlpguide.choose re-exports these functions; its names are fuzzed here too.
"""

from __future__ import annotations

import json
import math
import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fuzz_support import (
    ANY_CHAR,
    BAD_DIM,
    CONFIGS,
    JUNK,
    MODEL_NAMES,
    NON_STR,
    TEXT,
    attempt,
    bad_config,
    check_plain_record,
    contract,
    draw_broken,
    fuzz,
    rejects,
)
from hypothesis import given
from hypothesis import strategies as st

from nlpguide import choose, sizes

#: The names nlpguide.choose takes from nlpguide.sizes: the same objects, fuzzed once.
REEXPORTED = sorted(set(choose.__all__) & set(sizes.__all__))

DTYPE_NAMES = ["fp32", "fp16", "bf16", "float32", "float16", "bfloat16"]


def _model_type(config: Any) -> str:
    return str(
        (config if isinstance(config, dict) else sizes.reference_config(config))["model_type"]
    )


def _sane_count(count: int) -> None:
    assert isinstance(count, int)
    assert not isinstance(count, bool)
    assert count > 0


class TestSizes:
    def test_choose_reexports_the_same_objects(self) -> None:
        """choose's sizes and costs are nlpguide.sizes' own objects, so fuzzing one covers both."""
        assert REEXPORTED
        for name in REEXPORTED:
            assert getattr(choose, name) is getattr(sizes, name), name

    @fuzz(200)
    @given(name=st.one_of(MODEL_NAMES, TEXT, NON_STR))
    def test_reference_config(self, name: Any) -> None:
        """reference_config returns a fresh copy of a bundled config, or a clear error."""
        out = attempt("nlpguide.sizes.reference_config", lambda: sizes.reference_config(name))
        if out.ok:
            assert out.value["model_type"] in sizes.SUPPORTED_MODEL_TYPES
            out.value["model_type"] = "spoiled"
            assert sizes.reference_config(name)["model_type"] != "spoiled"

    @fuzz(300)
    @given(data=st.data())
    def test_counts_and_flops(self, data: st.DataObject) -> None:
        """Parameter and FLOP counts are positive and finite, or the bad key / value is named."""
        config = data.draw(st.one_of(CONFIGS, MODEL_NAMES), label="config")
        broken: frozenset[str] = frozenset()
        names: dict[str, str] = {}
        if isinstance(config, dict) and data.draw(st.booleans(), label="spoil config"):
            config, key_pattern = bad_config(data.draw, config)
            broken, names = frozenset({"config"}), {"config": key_pattern}
        elif data.draw(st.integers(0, 9), label="junk config") == 0:
            config = data.draw(st.one_of(NON_STR, TEXT.filter(lambda t: not t.strip())))
            broken, names = frozenset({"config"}), {"config": r"model|config|name"}
        tokens = data.draw(st.one_of(st.integers(1, 4096), st.just(10**60)), label="tokens")
        if not broken and data.draw(st.integers(0, 4), label="bad tokens") == 0:
            tokens = data.draw(BAD_DIM)  # type: ignore[assignment]
            broken = frozenset({"tokens"})

        def sane_class(name: str) -> None:
            assert re.fullmatch(r"[A-Z]\w+(Model|LM|Generation)", name), name

        def sane_rate(rate: float) -> None:
            assert isinstance(rate, float)
            assert math.isfinite(rate)
            assert rate > 0

        contract(
            "nlpguide.sizes.parameter_count",
            lambda: sizes.parameter_count(config),
            broken - {"tokens"},
            _sane_count,
            names=names,
        )
        contract(
            "nlpguide.sizes.counted_model_class",
            lambda: sizes.counted_model_class(config),
            broken - {"tokens"},
            sane_class,
            names=names,
        )
        contract(
            "nlpguide.sizes.forward_flops",
            lambda: sizes.forward_flops(config, tokens),
            broken,
            _sane_count,
            names={**names, "tokens": r"tokens"},
        )
        contract(
            "nlpguide.sizes.flops_per_token",
            lambda: sizes.flops_per_token(config, tokens),
            broken,
            sane_rate,
            names={**names, "tokens": r"tokens"},
            allowed_when_valid=r"too large",
        )

    @fuzz(150)
    @given(
        name=st.sampled_from(["t5-small", "facebook/bart-base", "gpt2", "bert-base-uncased"]),
        target=st.one_of(st.none(), st.integers(1, 512), BAD_DIM),
    )
    def test_target_tokens(self, name: str, target: Any) -> None:
        """target_tokens is accepted for encoder-decoders only, and must be a positive int."""
        out = attempt(
            "nlpguide.sizes.forward_flops",
            lambda: sizes.forward_flops(name, 16, target_tokens=target),
        )
        enc_dec = sizes.counted_model_class(name).endswith("ConditionalGeneration")
        valid = target is None or (
            enc_dec and isinstance(target, int) and not isinstance(target, bool) and target >= 1
        )
        assert out.ok == valid, out.error
        if not out.ok:
            assert "target_tokens" in str(out.error)

    @fuzz(300)
    @given(data=st.data())
    def test_memory_estimate(self, data: st.DataObject) -> None:
        """memory_estimate adds up to its parts for any valid config, or names the bad argument."""
        config = data.draw(st.one_of(CONFIGS, MODEL_NAMES), label="config")
        model_type = _model_type(config)
        defaults = sizes.LORA_TARGET_MODULES[model_type]
        args: dict[str, Any] = {
            "dtype": data.draw(st.sampled_from(DTYPE_NAMES), label="dtype"),
            "batch": data.draw(st.one_of(st.integers(1, 64), st.just(10**6)), label="batch"),
            "seq_len": data.draw(st.integers(1, 10**6), label="seq_len"),
            "training": data.draw(st.sampled_from([None, "mixed", "pure"]), label="training"),
            "lora_rank": data.draw(st.one_of(st.none(), st.integers(1, 512)), label="lora_rank"),
            "lora_targets": data.draw(
                st.one_of(
                    st.none(),
                    st.lists(st.sampled_from(defaults), min_size=1, unique=True).map(tuple),
                ),
                label="lora_targets",
            ),
        }
        names = {"config": r"model|config|name"}
        broken = draw_broken(data.draw, ["config", *args], max_size=2)
        if "config" in broken:
            if isinstance(config, dict) and data.draw(st.booleans(), label="spoil a key"):
                config, names["config"] = bad_config(data.draw, config)
            else:
                config = data.draw(st.one_of(NON_STR, TEXT.filter(lambda t: not t.strip())))
        spoilers = {
            "dtype": st.one_of(st.sampled_from(["fp8", "FP32", "int8", "", "float64"]), NON_STR),
            "batch": BAD_DIM,
            "seq_len": BAD_DIM,
            "training": st.sampled_from(["amp", "MIXED", "", 1, True, ("mixed",)]),
            "lora_rank": BAD_DIM,
            # With a rank, a module the model lacks is a bad value too.
            "lora_targets": st.sampled_from(["q_proj", (), [3], [""], ("nope",), b"q", 5]),
        }
        for name in broken - {"config"}:
            args[name] = data.draw(spoilers[name], label=f"bad {name}")
        if args["lora_targets"] == ("nope",) and args["lora_rank"] is None:
            args["lora_rank"] = 8  # unknown modules are only looked up for a rank

        def sane(m: sizes.MemoryEstimate) -> None:
            assert isinstance(m, sizes.MemoryEstimate)
            assert m.parameters == sizes.parameter_count(config)
            assert m.weights["fp32"] == 4 * m.parameters == 2 * m.weights["bf16"]
            assert m.weights["int8"] * 2 >= m.weights["int4"] * 2 >= m.weights["int8"]
            assert m.kv_cache == m.batch * m.seq_len * m.kv_cache_per_token >= 0
            assert m.inference >= m.weights["bf16"]
            assert m.full_finetune.total == (
                m.full_finetune.weights + m.full_finetune.gradients + m.full_finetune.optimizer
            )
            assert 0 < m.full_finetune.trainable_parameters <= m.parameters
            assert (m.lora is None) == (args["lora_rank"] is None)
            if m.lora is not None:
                assert m.lora.trainable_parameters > 0
                assert set(m.lora_targets) == set(args["lora_targets"] or defaults)

        contract(
            "nlpguide.sizes.memory_estimate",
            lambda: sizes.memory_estimate(config, **args),
            broken,
            sane,
            names=names,
        )

    @fuzz(150)
    @given(
        content=st.one_of(
            CONFIGS.map(json.dumps),
            st.dictionaries(st.text(max_size=4), st.integers(), max_size=3).map(json.dumps),
            st.sampled_from(["{", "[]", "null", '"gpt2"', "\ufeff{}", "", "{}"]),
            st.text(ANY_CHAR.filter(lambda c: not 0xD800 <= ord(c) < 0xE000), max_size=20),
            st.binary(max_size=12),
        ),
        where=st.sampled_from(["file", "folder", "missing", "empty folder", "str"]),
    )
    def test_load_config(self, content: str | bytes, where: str) -> None:
        """load_config reads a JSON object from a file or its folder, or refuses with ValueError."""
        with tempfile.TemporaryDirectory() as folder:
            file = Path(folder) / "config.json"
            raw = content if isinstance(content, bytes) else content.encode("utf-8")
            file.write_bytes(raw)
            path: Any = {
                "file": file,
                "folder": Path(folder),
                "missing": Path(folder) / "nope" / "config.json",
                "empty folder": Path(folder) / "empty",
                "str": str(file),
            }[where]
            (Path(folder) / "empty").mkdir()
            out = attempt("nlpguide.sizes.load_config", lambda: sizes.load_config(path))
        try:
            expected = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            expected = None
        valid = where in {"file", "folder", "str"} and isinstance(expected, dict)
        assert out.ok == valid, out.error
        if out.ok:
            assert out.value == expected
        else:
            assert isinstance(out.error, ValueError)
            assert "config" in str(out.error)

    @fuzz(100)
    @given(path=st.one_of(JUNK.filter(lambda v: not isinstance(v, str)), st.just("a\x00b")))
    def test_load_config_bad_path(self, path: Any) -> None:
        """A path that is no str or os.PathLike is a TypeError; a NUL in it a ValueError."""
        error = rejects("nlpguide.sizes.load_config", lambda: sizes.load_config(path))
        assert isinstance(error, ValueError if isinstance(path, str) else TypeError)
        assert re.search(r"path|NUL", str(error))

    @fuzz(60)
    @given(extra=st.lists(JUNK, min_size=1, max_size=2))
    def test_known_models(self, extra: list[Any]) -> None:
        """known_models takes no arguments and always gives the same answer."""
        fn = sizes.known_models
        rejects("nlpguide.sizes.known_models", lambda: fn(*extra), mentions="known_models")
        out = attempt("nlpguide.sizes.known_models", fn)
        assert out.ok
        assert out.value
        assert out.value == fn()


class TestRecords:
    """Plain result records: they hold what they are given and print it."""

    RECORDS: tuple[tuple[str, Callable[..., Any]], ...] = (
        ("nlpguide.sizes.MemoryEstimate", sizes.MemoryEstimate),
        ("nlpguide.sizes.TrainingMemory", sizes.TrainingMemory),
    )

    @fuzz(60)
    @given(which=st.sampled_from(RECORDS), data=st.data())
    def test_plain_records(
        self, which: tuple[str, Callable[..., Any]], data: st.DataObject
    ) -> None:
        """A plain record keeps every field as given and reprs without error."""
        check_plain_record(*which, data)


#: Each public callable -> the test here that fuzzes it (tests/*/test_fuzz_coverage.py).
#: nlpguide.choose's entries are the re-exports test_choose_reexports_the_same_objects checks.
REGISTRY: dict[str, str] = {
    "nlpguide.sizes.reference_config": "TestSizes.test_reference_config",
    "nlpguide.sizes.parameter_count": "TestSizes.test_counts_and_flops",
    "nlpguide.sizes.counted_model_class": "TestSizes.test_counts_and_flops",
    "nlpguide.sizes.forward_flops": "TestSizes.test_counts_and_flops",
    "nlpguide.sizes.flops_per_token": "TestSizes.test_counts_and_flops",
    "nlpguide.sizes.memory_estimate": "TestSizes.test_memory_estimate",
    "nlpguide.sizes.load_config": "TestSizes.test_load_config",
    "nlpguide.sizes.known_models": "TestSizes.test_known_models",
    "nlpguide.sizes.MemoryEstimate": "TestRecords.test_plain_records",
    "nlpguide.sizes.TrainingMemory": "TestRecords.test_plain_records",
    "nlpguide.choose.reference_config": "TestSizes.test_reference_config",
    "nlpguide.choose.parameter_count": "TestSizes.test_counts_and_flops",
    "nlpguide.choose.counted_model_class": "TestSizes.test_counts_and_flops",
    "nlpguide.choose.forward_flops": "TestSizes.test_counts_and_flops",
    "nlpguide.choose.flops_per_token": "TestSizes.test_counts_and_flops",
    "nlpguide.choose.memory_estimate": "TestSizes.test_memory_estimate",
    "nlpguide.choose.load_config": "TestSizes.test_load_config",
    "nlpguide.choose.known_models": "TestSizes.test_known_models",
    "nlpguide.choose.MemoryEstimate": "TestRecords.test_plain_records",
    "nlpguide.choose.TrainingMemory": "TestRecords.test_plain_records",
}
