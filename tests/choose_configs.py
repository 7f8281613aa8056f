"""Small configs of each architecture nlpguide.choose counts, shared by its core and reference tests.

A real forward pass of each takes milliseconds, so the reference tests
(tests/models/test_choose_reference.py) can build and run them.
"""

from __future__ import annotations

from typing import Any

# Small configs of each architecture: a real forward pass takes milliseconds.
SMALL_CONFIGS: dict[str, dict[str, Any]] = {
    "bert": {
        "model_type": "bert",
        "hidden_size": 32,
        "intermediate_size": 48,
        "max_position_embeddings": 64,
        "num_attention_heads": 4,
        "num_hidden_layers": 2,
        "type_vocab_size": 2,
        "vocab_size": 97,
    },
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
    "bart": {
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
    },
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
}
