"""Small configs of each architecture nlpguide.choose counts, shared by its core and reference tests.

A real forward pass of each takes milliseconds, so the reference tests
(tests/models/test_choose_reference.py) can build and run them. The helpers below
build a config's transformers model; they import transformers and torch only when
called, so the numpy-only tests can import this module.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

ENCODERS = {"bert", "roberta", "albert", "electra", "distilbert"}
SEQ2SEQ = {"t5", "mt5", "umt5", "bart", "mbart", "marian"}
T5_FAMILY = {"t5", "mt5", "umt5"}


def auto_class(model_type: str) -> Any:
    """The transformers Auto class nlpguide counts a ``model_type`` as."""
    import transformers

    if model_type in ENCODERS:
        return transformers.AutoModel
    if model_type in SEQ2SEQ:
        return transformers.AutoModelForSeq2SeqLM
    return transformers.AutoModelForCausalLM


def transformers_config(fields: Mapping[str, Any]) -> Any:
    """The transformers config for the fields of a ``config.json``."""
    from transformers import AutoConfig

    kwargs = dict(fields)
    return AutoConfig.for_model(kwargs.pop("model_type"), **kwargs)


def meta_model(fields: Mapping[str, Any]) -> Any:
    """The model of ``fields``, built on the meta device (no memory, no weights)."""
    import torch

    with torch.device("meta"):
        return auto_class(str(fields["model_type"])).from_config(transformers_config(fields))


def untied_t5_table(fields: Mapping[str, Any]) -> int:
    """The lm_head transformers 5 unties only on loading a checkpoint (see nlpguide.sizes)."""
    untied = fields["model_type"] in T5_FAMILY and fields.get("tie_word_embeddings") is False
    return int(str(fields["vocab_size"])) * int(str(fields["d_model"])) if untied else 0


_SMALL_BERT: dict[str, Any] = {
    "model_type": "bert",
    "hidden_size": 32,
    "intermediate_size": 48,
    "max_position_embeddings": 64,
    "num_attention_heads": 4,
    "num_hidden_layers": 2,
    "type_vocab_size": 2,
    "vocab_size": 97,
}

_SMALL_BART: dict[str, Any] = {
    "model_type": "bart",
    "d_model": 32,
    "encoder_layers": 2,
    "decoder_layers": 3,
    "encoder_attention_heads": 4,
    "decoder_attention_heads": 2,
    "encoder_ffn_dim": 48,
    "decoder_ffn_dim": 40,
    "vocab_size": 97,
    "max_position_embeddings": 64,
}

# Small configs of each architecture: a real forward pass takes milliseconds.
SMALL_CONFIGS: dict[str, dict[str, Any]] = {
    "bert": _SMALL_BERT,
    "distilbert": {
        "model_type": "distilbert",
        "dim": 32,
        "hidden_dim": 48,
        "max_position_embeddings": 64,
        "n_heads": 4,
        "n_layers": 2,
        "vocab_size": 97,
    },
    "t5": {
        "model_type": "t5",
        "d_model": 32,
        "d_ff": 48,
        "d_kv": 8,
        "num_heads": 3,
        "num_layers": 2,
        "num_decoder_layers": 3,
        "vocab_size": 97,
        "feed_forward_proj": "gated-gelu",
    },
    "bart": _SMALL_BART,
    "gpt2": {
        "model_type": "gpt2",
        "n_embd": 32,
        "n_layer": 2,
        "n_head": 4,
        "n_positions": 64,
        "n_inner": 40,
        "vocab_size": 97,
        "bos_token_id": 0,
        "eos_token_id": 0,
    },
    "llama": {
        "model_type": "llama",
        "hidden_size": 32,
        "intermediate_size": 48,
        "num_attention_heads": 4,
        "num_key_value_heads": 2,
        "num_hidden_layers": 2,
        "head_dim": 12,
        "attention_bias": True,
        "vocab_size": 97,
    },
    "roberta": {
        "model_type": "roberta",
        "hidden_size": 24,
        "intermediate_size": 40,
        "max_position_embeddings": 66,
        "num_attention_heads": 3,
        "num_hidden_layers": 2,
        "type_vocab_size": 1,
        "vocab_size": 97,
    },
    "albert": {
        "model_type": "albert",
        "embedding_size": 16,
        "hidden_size": 32,
        "intermediate_size": 48,
        "max_position_embeddings": 64,
        "num_attention_heads": 4,
        "num_hidden_layers": 3,
        "num_hidden_groups": 2,
        "inner_group_num": 2,
        "type_vocab_size": 2,
        "vocab_size": 97,
    },
    "electra": {**_SMALL_BERT, "model_type": "electra", "embedding_size": 16},
    "mt5": {
        "model_type": "mt5",
        "d_model": 32,
        "d_ff": 40,
        "d_kv": 8,
        "num_heads": 2,
        "num_layers": 2,
        "num_decoder_layers": 1,
        "vocab_size": 97,
    },
    "umt5": {
        "model_type": "umt5",
        "d_model": 32,
        "d_ff": 40,
        "d_kv": 8,
        "num_heads": 2,
        "num_layers": 2,
        "num_decoder_layers": 3,
        "vocab_size": 97,
        "relative_attention_num_buckets": 8,
    },
    "mbart": {**_SMALL_BART, "model_type": "mbart", "decoder_layers": 1},
    "marian": {
        "model_type": "marian",
        "d_model": 32,
        "encoder_layers": 2,
        "decoder_layers": 2,
        "encoder_attention_heads": 4,
        "decoder_attention_heads": 4,
        "encoder_ffn_dim": 48,
        "decoder_ffn_dim": 40,
        "vocab_size": 97,
        "max_position_embeddings": 64,
        "pad_token_id": 96,
        "decoder_start_token_id": 96,
    },
    "mistral": {
        "model_type": "mistral",
        "hidden_size": 32,
        "intermediate_size": 48,
        "num_attention_heads": 4,
        "num_key_value_heads": 1,
        "num_hidden_layers": 2,
        "vocab_size": 97,
    },
    "qwen2": {
        "model_type": "qwen2",
        "hidden_size": 32,
        "intermediate_size": 48,
        "num_attention_heads": 4,
        "num_key_value_heads": 2,
        "num_hidden_layers": 2,
        "tie_word_embeddings": True,
        "vocab_size": 97,
    },
    "gemma": {
        "model_type": "gemma",
        "hidden_size": 32,
        "intermediate_size": 48,
        "num_attention_heads": 4,
        "num_key_value_heads": 1,
        "head_dim": 16,
        "num_hidden_layers": 2,
        "vocab_size": 97,
    },
}
