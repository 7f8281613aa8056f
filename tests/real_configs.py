"""More published ``config.json`` files, to exercise the parameter counter beyond the bundled ones.

The configs nlpguide bundles (``nlpguide._reference_configs``, :func:`nlpguide.sizes.known_models`)
are not typed again here: tests read them from there.  These add shapes the bundle lacks
(ALBERT, ELECTRA base and large, t5-large, UMT5, mBART-cc25, Mistral, Gemma, ...).
Only the fields that fix parameter shapes are kept (plus ``model_type``), spelled and
valued as in each file; fields a file leaves out are left out here too, so the
counter's defaults are exercised as transformers' own would be.
"""

from __future__ import annotations

from typing import Any

_MISTRAL_V01: dict[str, Any] = {
    "model_type": "mistral",
    "hidden_size": 4096,
    "intermediate_size": 14336,
    "num_attention_heads": 32,
    "num_hidden_layers": 32,
    "num_key_value_heads": 8,
    "tie_word_embeddings": False,
    "vocab_size": 32000,
}

REAL_CONFIGS: dict[str, dict[str, Any]] = {
    "albert/albert-base-v2": {
        "model_type": "albert",
        "embedding_size": 128,
        "hidden_size": 768,
        "inner_group_num": 1,
        "intermediate_size": 3072,
        "max_position_embeddings": 512,
        "num_attention_heads": 12,
        "num_hidden_groups": 1,
        "num_hidden_layers": 12,
        "type_vocab_size": 2,
        "vocab_size": 30000,
    },
    "albert/albert-xxlarge-v2": {
        "model_type": "albert",
        "embedding_size": 128,
        "hidden_size": 4096,
        "inner_group_num": 1,
        "intermediate_size": 16384,
        "max_position_embeddings": 512,
        "num_attention_heads": 64,
        "num_hidden_groups": 1,
        "num_hidden_layers": 12,
        "type_vocab_size": 2,
        "vocab_size": 30000,
    },
    "google/electra-base-discriminator": {
        "model_type": "electra",
        "embedding_size": 768,
        "hidden_size": 768,
        "intermediate_size": 3072,
        "max_position_embeddings": 512,
        "num_attention_heads": 12,
        "num_hidden_layers": 12,
        "type_vocab_size": 2,
        "vocab_size": 30522,
    },
    "google/electra-large-discriminator": {
        "model_type": "electra",
        "embedding_size": 1024,
        "hidden_size": 1024,
        "intermediate_size": 4096,
        "max_position_embeddings": 512,
        "num_attention_heads": 16,
        "num_hidden_layers": 24,
        "type_vocab_size": 2,
        "vocab_size": 30522,
    },
    "google-t5/t5-large": {
        "model_type": "t5",
        "d_ff": 4096,
        "d_kv": 64,
        "d_model": 1024,
        "num_heads": 16,
        "num_layers": 24,
        "relative_attention_num_buckets": 32,
        "vocab_size": 32128,
    },
    "google/umt5-small": {
        "model_type": "umt5",
        "d_ff": 1024,
        "d_kv": 64,
        "d_model": 512,
        "feed_forward_proj": "gated-gelu",
        "num_decoder_layers": 8,
        "num_heads": 6,
        "num_layers": 8,
        "relative_attention_num_buckets": 32,
        "tie_word_embeddings": False,
        "vocab_size": 256384,
    },
    "google/umt5-base": {
        "model_type": "umt5",
        "d_ff": 2048,
        "d_kv": 64,
        "d_model": 768,
        "feed_forward_proj": "gated-gelu",
        "num_decoder_layers": 12,
        "num_heads": 12,
        "num_layers": 12,
        "relative_attention_num_buckets": 32,
        "tie_word_embeddings": False,
        "vocab_size": 256384,
    },
    "facebook/mbart-large-cc25": {
        "model_type": "mbart",
        "d_model": 1024,
        "decoder_attention_heads": 16,
        "decoder_ffn_dim": 4096,
        "decoder_layers": 12,
        "encoder_attention_heads": 16,
        "encoder_ffn_dim": 4096,
        "encoder_layers": 12,
        "max_position_embeddings": 1024,
        "vocab_size": 250027,
    },
    "openai-community/gpt2-medium": {
        "model_type": "gpt2",
        "n_embd": 1024,
        "n_head": 16,
        "n_layer": 24,
        "n_positions": 1024,
        "vocab_size": 50257,
    },
    "mistralai/Mistral-7B-v0.1": _MISTRAL_V01,
    # v0.3: v0.1 with an explicit head_dim and a larger vocabulary.
    "mistralai/Mistral-7B-v0.3": {
        **_MISTRAL_V01,
        "head_dim": 128,
        "vocab_size": 32768,
    },
    "Qwen/Qwen2-7B": {
        "model_type": "qwen2",
        "hidden_size": 3584,
        "intermediate_size": 18944,
        "num_attention_heads": 28,
        "num_hidden_layers": 28,
        "num_key_value_heads": 4,
        "tie_word_embeddings": False,
        "vocab_size": 152064,
    },
    "google/gemma-2b": {
        "model_type": "gemma",
        "head_dim": 256,
        "hidden_size": 2048,
        "intermediate_size": 16384,
        "num_attention_heads": 8,
        "num_hidden_layers": 18,
        "num_key_value_heads": 1,
        "vocab_size": 256000,
    },
    "google/gemma-7b": {
        "model_type": "gemma",
        "head_dim": 256,
        "hidden_size": 3072,
        "intermediate_size": 24576,
        "num_attention_heads": 16,
        "num_hidden_layers": 28,
        "num_key_value_heads": 16,
        "vocab_size": 256000,
    },
}
