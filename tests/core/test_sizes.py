"""nlpguide.sizes without torch: config files, defaults, and the memory arithmetic by hand."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, ClassVar

import pytest
from fresh_python import imported_by
from hypothesis import given, settings
from hypothesis import strategies as st
from real_configs import REAL_CONFIGS

from nlpguide import choose, sizes
from nlpguide.sizes import (
    DTYPES,
    LORA_TARGET_MODULES,
    OPTIONAL_KEYS,
    SUPPORTED_MODEL_TYPES,
    load_config,
    memory_estimate,
    parameter_count,
    reference_config,
)

GIB = 2**30
LLAMA2 = "meta-llama/Llama-2-7b-hf"
MISTRAL = REAL_CONFIGS["mistralai/Mistral-7B-v0.1"]

# One config per model_type, every required key present: deleting one must be refused.
MINIMAL: dict[str, dict[str, Any]] = {
    "bert": {"hidden_size": 8, "num_hidden_layers": 1, "num_attention_heads": 2,
             "intermediate_size": 8, "max_position_embeddings": 8, "type_vocab_size": 2},
    "roberta": {"hidden_size": 8, "num_hidden_layers": 1, "num_attention_heads": 2,
                "intermediate_size": 8, "max_position_embeddings": 8, "type_vocab_size": 1},
    "albert": {"embedding_size": 4, "hidden_size": 8, "num_hidden_layers": 2,
               "num_attention_heads": 2, "intermediate_size": 8,
               "max_position_embeddings": 8, "type_vocab_size": 2},
    "electra": {"embedding_size": 4, "hidden_size": 8, "num_hidden_layers": 1,
                "num_attention_heads": 2, "intermediate_size": 8,
                "max_position_embeddings": 8, "type_vocab_size": 2},
    "distilbert": {"dim": 8, "n_layers": 1, "n_heads": 2, "hidden_dim": 8,
                   "max_position_embeddings": 8},
    "t5": {"d_model": 8, "d_ff": 8, "d_kv": 4, "num_heads": 2, "num_layers": 1},
    "mt5": {"d_model": 8, "d_ff": 8, "d_kv": 4, "num_heads": 2, "num_layers": 1},
    "umt5": {"d_model": 8, "d_ff": 8, "d_kv": 4, "num_heads": 2, "num_layers": 1},
    **{
        t: {"d_model": 8, "encoder_layers": 1, "decoder_layers": 1,
            "encoder_attention_heads": 2, "decoder_attention_heads": 2,
            "encoder_ffn_dim": 8, "decoder_ffn_dim": 8, "max_position_embeddings": 8}
        for t in ("bart", "mbart", "marian")
    },
    "gpt2": {"n_embd": 8, "n_layer": 1, "n_head": 2, "n_positions": 8},
    **{
        t: {"hidden_size": 8, "num_hidden_layers": 1, "num_attention_heads": 2,
            "intermediate_size": 8, "num_key_value_heads": 1, "head_dim": 4}
        for t in ("llama", "mistral", "qwen2", "gemma")
    },
}  # fmt: skip
MINIMAL = {t: {"model_type": t, "vocab_size": 16, **f} for t, f in MINIMAL.items()}


def write_config(folder: Path, fields: object) -> Path:
    """A config.json holding ``fields`` in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "config.json"
    path.write_text(json.dumps(fields), encoding="utf-8")
    return path


class TestTables:
    def test_every_type_has_defaults_and_targets(self) -> None:
        """OPTIONAL_KEYS, LORA_TARGET_MODULES and the minimal configs cover exactly the types."""
        assert set(OPTIONAL_KEYS) == set(LORA_TARGET_MODULES) == set(SUPPORTED_MODEL_TYPES)
        assert set(MINIMAL) == set(SUPPORTED_MODEL_TYPES)

    def test_choose_re_exports(self) -> None:
        """nlpguide.choose offers the same functions as nlpguide.sizes."""
        for name in ("parameter_count", "forward_flops", "memory_estimate", "load_config"):
            assert getattr(choose, name) is getattr(sizes, name)

    def test_no_numpy_or_torch(self) -> None:
        """A memory estimate from a config file imports neither numpy nor torch."""
        code = (
            "import nlpguide.sizes as s\n"
            "s.memory_estimate('gpt2', dtype='bf16', batch=2, seq_len=64, lora_rank=8)"
        )
        assert imported_by(code, "numpy", "torch", "transformers") == []


class TestRequiredKeys:
    @pytest.mark.parametrize("model_type", sorted(MINIMAL))
    def test_each_required_key_named(self, model_type: str) -> None:
        """Dropping any key outside OPTIONAL_KEYS raises ValueError naming it."""
        fields = MINIMAL[model_type]
        assert parameter_count(fields) > 0
        for key in set(fields) - {"model_type"} - OPTIONAL_KEYS[model_type]:
            if key == "head_dim" and model_type != "gemma":
                continue  # derived from hidden_size / heads when absent
            smaller = {k: v for k, v in fields.items() if k != key}
            with pytest.raises(ValueError, match=f"missing required key '{key}'"):
                parameter_count(smaller)

    @pytest.mark.parametrize("model_type", sorted(MINIMAL))
    def test_optional_keys_may_be_null(self, model_type: str) -> None:
        """Each optional key may be null or absent: transformers' default applies."""
        fields = MINIMAL[model_type]
        # Their classes' default key/value heads (mistral 8, qwen2 32, gemma 16) must divide
        # the heads; gemma's default head_dim is 256.
        heads = {"mistral": 8, "qwen2": 32, "gemma": 16}.get(model_type)
        if heads is not None:
            fields = {**fields, "num_attention_heads": heads, "hidden_size": 4 * heads}
        for key in OPTIONAL_KEYS[model_type]:
            assert parameter_count({**fields, key: None}) > 0, key

    def test_class_defaults_differ_by_type(self) -> None:
        """mistral defaults to 8 key/value heads and gemma to head_dim 256, as their classes."""
        no_kv = {k: v for k, v in MISTRAL.items() if k != "num_key_value_heads"}
        assert parameter_count(no_kv) == parameter_count(MISTRAL)
        gemma = {**MINIMAL["gemma"], "num_attention_heads": 16, "num_key_value_heads": 16}
        del gemma["head_dim"]
        assert parameter_count(gemma) == parameter_count({**gemma, "head_dim": 256})


class TestConfigFiles:
    def test_file_folder_and_path_object(self, tmp_path: Path) -> None:
        """A config.json, its folder (str or Path) and its fields give the same count."""
        fields = reference_config("gpt2")
        path = write_config(tmp_path / "gpt2-copy", fields)
        expected = parameter_count(fields)
        for spec in (path, str(path), path.parent, str(path.parent)):
            assert parameter_count(spec) == expected

    def test_extra_fields_ignored(self, tmp_path: Path) -> None:
        """A real config.json carries many unrelated fields; they change nothing."""
        fields = {**reference_config("t5-small"), "architectures": ["T5Model"], "dropout": 0.1}
        assert parameter_count(write_config(tmp_path, fields)) == 60_506_624

    def test_bundled_name_wins_over_folder(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A str naming a bundled model is the name; a Path or ./name reads the folder."""
        monkeypatch.chdir(tmp_path)
        write_config(tmp_path / "gpt2", {**reference_config("gpt2"), "n_layer": 1})
        assert parameter_count("gpt2") == 124_439_808
        assert parameter_count(Path("gpt2")) == parameter_count("./gpt2") < 124_439_808

    @pytest.mark.parametrize(
        ("content", "match"),
        [
            (b"{bad json", "not valid JSON"),
            (b"[1, 2]", "must hold a JSON object, got list"),
            (b'"gpt2"', "must hold a JSON object, got str"),
            (b"\xff\xfe{}", "cannot read config"),
        ],
    )
    def test_bad_file(self, tmp_path: Path, content: bytes, match: str) -> None:
        """Invalid JSON, JSON that is no object and undecodable bytes raise ValueError."""
        path = tmp_path / "config.json"
        path.write_bytes(content)
        with pytest.raises(ValueError, match=match) as info:
            parameter_count(path)
        assert str(path) in str(info.value)

    def test_missing(self, tmp_path: Path) -> None:
        """A missing file, and a folder without config.json, raise ValueError naming the path."""
        with pytest.raises(ValueError, match="no such file"):
            load_config(tmp_path / "absent.json")
        with pytest.raises(ValueError, match=r"config\.json'?: no such file"):
            parameter_count(tmp_path)
        with pytest.raises(ValueError, match="no such config file or folder"):
            parameter_count(str(tmp_path / "absent"))

    def test_not_a_regular_file(self) -> None:
        """A device is refused before it is read (it might never end)."""
        with pytest.raises(ValueError, match="not a regular file"):
            load_config("/dev/zero")

    def test_too_large(self, tmp_path: Path) -> None:
        """A file far larger than any config.json is refused."""
        path = tmp_path / "config.json"
        path.write_bytes(b" " * (4 * 2**20 + 1))
        with pytest.raises(ValueError, match="larger than"):
            load_config(path)

    def test_unsupported_type_in_file(self, tmp_path: Path) -> None:
        """An unsupported model_type read from a file lists the supported ones."""
        with pytest.raises(ValueError, match=r"unsupported model_type 'xlnet'.*gemma"):
            parameter_count(write_config(tmp_path, {"model_type": "xlnet"}))

    @pytest.mark.parametrize("path", [3, None, b"config.json"])
    def test_path_type(self, path: Any) -> None:
        """load_config takes a str or a path-like only."""
        with pytest.raises(TypeError, match="path"):
            load_config(path)


class TestMemoryByHand:
    def test_llama2_inference(self) -> None:
        """Llama-2-7B in bf16: 2 bytes a weight; K and V of 32 layers x 4096 per token."""
        m = memory_estimate(LLAMA2, dtype="bf16", batch=2, seq_len=4096)
        n = 6_738_415_616
        assert m.parameters == n
        assert dict(m.weights) == {"fp32": 4 * n, "bf16": 2 * n, "int8": n, "int4": n // 2}
        assert m.kv_cache_per_token == 2 * 32 * 4096 * 2
        assert m.kv_cache == 2 * 4096 * m.kv_cache_per_token == 4 * GIB
        assert m.inference == 2 * n + 4 * GIB

    def test_gqa_caches_key_value_heads(self) -> None:
        """Mistral-7B caches 8 key/value heads of 128, a quarter of its 32 query heads."""
        m = memory_estimate(MISTRAL, dtype="fp16", batch=1, seq_len=1)
        assert m.kv_cache_per_token == 2 * 32 * 8 * 128 * 2

    def test_encoder_decoder_cache(self) -> None:
        """t5-small caches self- and cross-attention: 2 x 2 x 6 layers x 512 per token pair."""
        m = memory_estimate("t5-small", dtype="fp32", batch=3, seq_len=10)
        assert m.kv_cache_per_token == 2 * 2 * 6 * 8 * 64 * 4
        assert m.kv_cache == 3 * 10 * m.kv_cache_per_token

    def test_encoder_keeps_no_cache(self) -> None:
        """An encoder generates nothing, so it keeps no cache."""
        m = memory_estimate("bert-base-uncased", dtype="bf16", batch=8, seq_len=512)
        assert (m.kv_cache_per_token, m.kv_cache) == (0, 0)

    @pytest.mark.parametrize(
        ("dtype", "training", "per_parameter"),
        [("fp32", "mixed", 16), ("fp32", "pure", 16), ("bf16", "mixed", 16),
         ("bf16", "pure", 8), ("fp16", "pure", 8), ("float32", "mixed", 16),
         ("bf16", None, 16)],
    )  # fmt: skip
    def test_full_finetune_bytes(self, dtype: str, training: Any, per_parameter: int) -> None:
        """AdamW costs 16 bytes a parameter in fp32 or mixed precision, 8 in pure bf16."""
        m = memory_estimate("gpt2", dtype=dtype, batch=1, seq_len=1, training=training)
        assert m.full_finetune.total == per_parameter * m.parameters
        width = 4 if training in ("mixed", None) else DTYPES[sizes._DTYPE_ALIASES.get(dtype, dtype)]
        assert m.full_finetune.optimizer == 2 * m.parameters * width

    def test_lora_bert_base(self) -> None:
        """LoRA r=8 on bert-base's query and value: 12 layers x 2 x 8 x (768 + 768)."""
        m = memory_estimate("bert-base-uncased", dtype="bf16", batch=1, seq_len=1, lora_rank=8)
        assert m.lora is not None
        trainable = 12 * 2 * 8 * (768 + 768)
        assert m.lora.trainable_parameters == trainable == 294_912
        assert m.lora_targets == ("query", "value")
        # Frozen base in bf16; fp32 adapters, gradients and moments.
        assert m.lora.weights == 2 * m.parameters + 4 * trainable
        assert m.lora.gradients == 4 * trainable
        assert m.lora.optimizer == 8 * trainable

    def test_lora_gpt2_fused_attention(self) -> None:
        """GPT-2's c_attn maps 768 to 3 x 768, so each layer adds r x (768 + 2304)."""
        m = memory_estimate("gpt2", dtype="fp32", batch=1, seq_len=1, lora_rank=4)
        assert m.lora is not None
        assert m.lora.trainable_parameters == 12 * 4 * (768 + 2304)

    def test_no_rank_no_lora(self) -> None:
        """Without lora_rank there is no LoRA figure."""
        m = memory_estimate("gpt2", dtype="fp32", batch=1, seq_len=1)
        assert (m.lora, m.lora_rank, m.lora_targets) == (None, None, ())

    def test_frozen_positions_not_trained(self) -> None:
        """Marian's sinusoidal positions are parameters, counted, but have no gradients."""
        fields = MINIMAL["marian"]
        m = memory_estimate(fields, dtype="fp32", batch=1, seq_len=1)
        assert m.parameters - m.full_finetune.trainable_parameters == 2 * 8 * 8

    def test_dtypes(self) -> None:
        """The accepted dtypes and their widths."""
        assert dict(DTYPES) == {"fp32": 4, "fp16": 2, "bf16": 2}


class TestMemoryErrors:
    @pytest.mark.parametrize(
        ("kwargs", "error", "match"),
        [
            ({"dtype": "fp8"}, ValueError, "dtype"),
            ({"dtype": 32}, TypeError, "dtype"),
            ({"batch": 0}, ValueError, "batch"),
            ({"batch": True}, TypeError, "batch"),
            ({"seq_len": 2.0}, TypeError, "seq_len"),
            ({"training": "amp"}, ValueError, "training"),
            ({"lora_rank": 0}, ValueError, "lora_rank"),
            ({"lora_rank": 8, "lora_targets": "query"}, TypeError, "lora_targets"),
            ({"lora_rank": 8, "lora_targets": []}, ValueError, "lora_targets"),
            ({"lora_rank": 8, "lora_targets": ["c_attn"]}, ValueError, "query, value"),
            ({"lora_rank": 8, "lora_targets": [3]}, TypeError, "lora_targets"),
        ],
    )
    def test_bad_arguments(self, kwargs: dict[str, Any], error: type, match: str) -> None:
        """Each bad argument raises TypeError or ValueError naming it."""
        args: dict[str, Any] = {"dtype": "bf16", "batch": 1, "seq_len": 8, **kwargs}
        with pytest.raises(error, match=match):
            memory_estimate("bert-base-uncased", **args)


def scaled(model_type: str, scale: int) -> dict[str, Any]:
    """MINIMAL's config of ``model_type`` with every size multiplied by ``scale``."""
    return {
        k: v * scale if isinstance(v, int) and not isinstance(v, bool) else v
        for k, v in MINIMAL[model_type].items()
    }


#: The key holding the width the LM head projects from, for the types that tie it.
WIDTH = {
    "t5": "d_model",
    "mt5": "d_model",
    "umt5": "d_model",
    "gpt2": "n_embd",
    **dict.fromkeys(("llama", "mistral", "qwen2", "gemma"), "hidden_size"),
}


class TestSizeFormulas:
    """Properties of the counts that hold for every supported type at any size."""

    @settings(max_examples=80, deadline=None)
    @given(
        model_type=st.sampled_from(sorted(MINIMAL)),
        scale=st.one_of(st.integers(1, 64), st.just(10**30)),
        dtype=st.sampled_from(["fp32", "bf16", "fp16"]),
        batch=st.integers(1, 64),
        seq_len=st.integers(1, 4096),
    )
    def test_memory_adds_up(
        self, model_type: str, scale: int, dtype: str, batch: int, seq_len: int
    ) -> None:
        """Weights are bytes x parameters, the cache is per token x tokens, training sums parts."""
        config = scaled(model_type, scale)
        m = sizes.memory_estimate(config, dtype=dtype, batch=batch, seq_len=seq_len)
        assert m.parameters == sizes.parameter_count(config) > 0
        assert m.weights["fp32"] == 4 * m.parameters == 2 * m.weights["bf16"]
        assert m.kv_cache == batch * seq_len * m.kv_cache_per_token
        full = m.full_finetune
        assert full.total == full.weights + full.gradients + full.optimizer
        assert full.trainable_parameters <= m.parameters

    @settings(max_examples=60, deadline=None)
    @given(model_type=st.sampled_from(sorted(WIDTH)), scale=st.integers(1, 64))
    def test_untied_head_adds_vocab_times_width(self, model_type: str, scale: int) -> None:
        """A tied LM head is the embedding, counted once; untied it adds vocab x width."""
        config = scaled(model_type, scale)
        tied = sizes.parameter_count({**config, "tie_word_embeddings": True})
        untied = sizes.parameter_count({**config, "tie_word_embeddings": False})
        assert untied - tied == config["vocab_size"] * config[WIDTH[model_type]]


class TestRegressions:
    """Bugs the bad-input fuzzing found, each kept as the plain case that showed it."""

    LLAMA: ClassVar[dict[str, Any]] = {
        "model_type": "llama",
        "hidden_size": 10,
        "num_attention_heads": 3,
        "head_dim": 4,
        "num_hidden_layers": 1,
        "intermediate_size": 8,
        "vocab_size": 16,
    }

    def test_explicit_llama_head_dim_frees_hidden_size_from_the_heads(self) -> None:
        """LlamaConfig takes hidden_size 10 with 3 heads of 4: it was refused as no multiple."""
        assert sizes.parameter_count(self.LLAMA) > 0

    def test_spoiled_head_dim_is_named_as_head_dim(self) -> None:
        """A bad head_dim was reported as a hidden_size error."""
        with pytest.raises(ValueError, match=r"config\['head_dim'\]"):
            sizes.parameter_count({**self.LLAMA, "head_dim": 0})

    def test_flops_per_token_beyond_float_range_is_a_value_error(self) -> None:
        """A FLOP count beyond 1.8e308 raised OverflowError."""
        huge = {**MINIMAL["gpt2"], "n_embd": 10**200, "n_head": 1}
        with pytest.raises(ValueError, match="too large for a float"):
            sizes.flops_per_token(huge, 1)

    def test_weights_of_huge_layers_are_exact_integers(self) -> None:
        """int4 sizes of 10**120-wide layers overflowed a float; they are exact ints now."""
        huge = {**MINIMAL["gpt2"], "n_embd": 10**120, "n_head": 1}
        estimate = sizes.memory_estimate(huge, dtype="bf16", batch=1, seq_len=1)
        assert estimate.weights["fp32"] == 4 * estimate.parameters
        assert estimate.weights["int4"] * 2 >= estimate.weights["int8"]
