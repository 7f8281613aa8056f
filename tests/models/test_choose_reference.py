"""nlpguide.choose against transformers and torch: its counts and FLOPs equal the real models'.

The numpy-only tests of the same module are tests/core/test_choose.py; these
instantiate each architecture (on the meta device, or small and real) to check
the closed forms.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from choose_configs import (
    ENCODERS,
    SEQ2SEQ,
    SMALL_CONFIGS,
    T5_FAMILY,
    auto_class,
    meta_model,
    transformers_config,
    untied_t5_table,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nlpguide.choose import (
    CATALOGUE,
    CATALOGUE_BY_NAME,
    SUPPORTED_MODEL_TYPES,
    counted_model_class,
    forward_flops,
    known_models,
    parameter_count,
    reference_config,
)

# Nothing in these tests may reach the Hub; set before transformers is imported.
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def _meta_parameter_count(fields: Mapping[str, Any]) -> int:
    """Instantiate the counted class on the meta device and count as torch does."""
    model = meta_model(fields)
    assert type(model).__name__ == counted_model_class(fields)
    # parameters() yields a tied tensor once.
    return sum(p.numel() for p in model.parameters())


@functools.cache
def _small_model(model_type: str) -> Any:
    import torch

    torch.set_num_threads(1)
    fields = SMALL_CONFIGS[model_type]
    torch.manual_seed(0)
    model = auto_class(model_type).from_config(
        transformers_config(fields), attn_implementation="eager"
    )
    assert model.config._attn_implementation == "eager"
    return model.eval()


def _measured_flops(model_type: str, tokens: int, target_tokens: int) -> int:
    import torch
    from torch.utils.flop_counter import FlopCounterMode

    model = _small_model(model_type)
    inputs = {"input_ids": torch.randint(3, 90, (1, tokens))}
    if model_type in SEQ2SEQ:
        inputs["decoder_input_ids"] = torch.randint(3, 90, (1, target_tokens))
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        model(**inputs)
    return int(counter.get_total_flops())


class TestRecommend:
    @pytest.mark.models
    def test_pipeline_tasks_exist_in_transformers(self) -> None:
        """Each task's pipeline_task is a real transformers pipeline; None only for removed ones."""
        from transformers.pipelines import REMOVED_TASKS, SUPPORTED_TASKS

        for task in CATALOGUE:
            if task.pipeline_task is None:
                assert "AutoModelFor" in task.usage, task.name
            else:
                assert task.pipeline_task in SUPPORTED_TASKS, task.name
        assert {"summarization", "translation", "question-answering"} <= set(REMOVED_TASKS)
        for name in ("summarization", "translation"):
            assert CATALOGUE_BY_NAME[name].pipeline_task is None


class TestParameterCount:
    @pytest.mark.models
    @pytest.mark.parametrize("name", known_models())
    def test_equals_meta_instantiation(self, name: str) -> None:
        """The count equals transformers' meta-device instantiation for every bundled config."""
        fields = reference_config(name)
        # transformers 5 unties lm_head only on loading a checkpoint (see below).
        expected = _meta_parameter_count(fields) + untied_t5_table(fields)
        assert parameter_count(name) == expected

    @pytest.mark.models
    @pytest.mark.parametrize("model_type", sorted(SMALL_CONFIGS))
    def test_small_configs_equal_meta(self, model_type: str) -> None:
        """The count equals transformers' for the small configs used in the FLOP tests."""
        fields = SMALL_CONFIGS[model_type]
        assert parameter_count(fields) == _meta_parameter_count(fields)

    @pytest.mark.models
    @given(data=st.data())
    @settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    def test_random_configs_equal_meta(self, data: st.DataObject) -> None:
        """For random small configs of every type the count equals transformers'."""
        fields = data.draw(random_configs())
        # transformers 5 builds T5 tied and unties lm_head on loading a checkpoint;
        # we count the loaded model (see test_t5_untied_matches_loaded_checkpoint).
        expected = _meta_parameter_count(fields) + untied_t5_table(fields)
        assert parameter_count(fields) == expected

    @pytest.mark.models
    def test_t5_untied_matches_loaded_checkpoint(self, tmp_path: Path) -> None:
        """For T5 v1.1-style configs the count equals the model transformers loads, lm_head untied."""
        import torch
        from safetensors.torch import save_file
        from transformers import T5ForConditionalGeneration

        fields = {**SMALL_CONFIGS["t5"], "tie_word_embeddings": False}
        config = transformers_config(fields)
        model = T5ForConditionalGeneration(config)
        state = {k: v.clone().contiguous() for k, v in model.state_dict().items()}
        state["lm_head.weight"] = torch.randn_like(state["lm_head.weight"])
        for key in ("encoder.embed_tokens.weight", "decoder.embed_tokens.weight"):
            del state[key]
        config.save_pretrained(tmp_path)
        save_file(state, tmp_path / "model.safetensors", metadata={"format": "pt"})
        loaded = T5ForConditionalGeneration.from_pretrained(tmp_path)
        assert loaded.lm_head.weight is not loaded.shared.weight
        assert parameter_count(fields) == sum(p.numel() for p in loaded.parameters())


small = st.integers(1, 3)


@st.composite
def random_configs(draw: st.DrawFn) -> dict[str, Any]:
    """Small configs of any supported type, with optional keys sometimes left out."""
    model_type = draw(st.sampled_from(SUPPORTED_MODEL_TYPES))
    heads = draw(small)
    width = heads * draw(st.integers(1, 4)) * 2
    vocab = draw(st.integers(8, 40))
    layers = draw(small)
    ffn = draw(st.integers(1, 24))
    optional: dict[str, Any] = {}
    if model_type in ENCODERS - {"distilbert"}:
        fields = {
            "hidden_size": width,
            "num_hidden_layers": layers,
            "num_attention_heads": heads,
            "intermediate_size": ffn,
            "max_position_embeddings": draw(st.integers(1, 20)),
            "type_vocab_size": draw(small),
        }
        if model_type in {"albert", "electra"}:
            fields["embedding_size"] = draw(st.integers(1, 12))
        if model_type == "roberta":  # its position table has the pad id as padding_idx
            fields["pad_token_id"] = 0
        if model_type == "albert":
            optional = {"num_hidden_groups": small, "inner_group_num": small}
    elif model_type == "distilbert":
        fields = {
            "dim": width,
            "n_layers": layers,
            "n_heads": heads,
            "hidden_dim": ffn,
            "max_position_embeddings": draw(st.integers(1, 20)),
        }
        optional = {"sinusoidal_pos_embds": st.booleans()}
    elif model_type in T5_FAMILY:
        fields = {
            "d_model": width,
            "d_ff": ffn,
            "d_kv": draw(st.integers(1, 6)),
            "num_heads": heads,
            "num_layers": layers,
        }
        optional = {
            "num_decoder_layers": small,
            "relative_attention_num_buckets": st.integers(1, 8),
            "feed_forward_proj": st.sampled_from(["relu", "gated-gelu", "gated-silu"]),
            "tie_word_embeddings": st.booleans(),
        }
    elif model_type in {"bart", "mbart", "marian"}:
        fields = {
            "d_model": width,
            "encoder_layers": layers,
            "decoder_layers": draw(small),
            "encoder_attention_heads": heads,
            "decoder_attention_heads": draw(st.sampled_from([1, 2])),
            "encoder_ffn_dim": ffn,
            "decoder_ffn_dim": draw(st.integers(1, 24)),
            "max_position_embeddings": draw(st.integers(1, 20)),
        }
        optional = {"tie_word_embeddings": st.booleans()}
        if model_type == "marian":
            # Marian's default pad id (58100) must fall inside the small vocabulary.
            fields |= {"pad_token_id": 0, "decoder_start_token_id": 0}
            if draw(st.booleans()):
                fields |= {
                    "share_encoder_decoder_embeddings": False,
                    "decoder_vocab_size": draw(st.integers(8, 40)),
                }
    elif model_type == "gpt2":
        fields = {
            "n_embd": width,
            "n_layer": layers,
            "n_head": heads,
            "n_positions": draw(st.integers(1, 20)),
        }
        fields |= {"bos_token_id": 0, "eos_token_id": 0}
        optional = {"n_inner": st.integers(1, 24), "tie_word_embeddings": st.booleans()}
    else:
        kv_heads = draw(st.sampled_from([d for d in range(1, heads + 1) if heads % d == 0]))
        fields = {
            "hidden_size": width,
            "num_hidden_layers": layers,
            "num_attention_heads": heads,
            "intermediate_size": ffn,
            # Every class default (8, 32, 16 heads) would not divide these small head counts.
            "num_key_value_heads": kv_heads,
        }
        if model_type == "gemma":  # its default head_dim, 256, is far too big for a test
            fields["head_dim"] = 2 * draw(st.integers(1, 6))
        optional = {
            "head_dim": st.integers(1, 6).map(lambda n: 2 * n),
            "tie_word_embeddings": st.booleans(),
        }
        if model_type in {"llama", "gemma"}:
            optional["attention_bias"] = st.booleans()
        if model_type == "llama":
            optional |= {"num_key_value_heads": st.just(kv_heads), "mlp_bias": st.booleans()}
            if draw(st.booleans()):
                del fields["num_key_value_heads"]  # llama's default: one per head
        for key in ("pad_token_id", "bos_token_id", "eos_token_id"):
            fields[key] = 0  # gemma's defaults (0, 2, 1) must fit the vocabulary too
    drawn = draw(st.fixed_dictionaries({}, optional=optional))
    return {"model_type": model_type, "vocab_size": vocab, **fields, **drawn}


class TestForwardFlops:
    @pytest.mark.models
    @pytest.mark.parametrize("model_type", sorted(SMALL_CONFIGS))
    @given(tokens=st.integers(1, 9), target_tokens=st.integers(1, 9))
    @settings(max_examples=4, deadline=None)
    def test_equals_flop_counter(self, model_type: str, tokens: int, target_tokens: int) -> None:
        """forward_flops equals FlopCounterMode on a real eager forward pass of each architecture."""
        kwargs = {"target_tokens": target_tokens} if model_type in SEQ2SEQ else {}
        expected = forward_flops(SMALL_CONFIGS[model_type], tokens, **kwargs)
        assert _measured_flops(model_type, tokens, target_tokens) == expected
