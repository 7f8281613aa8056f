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

from nlpguide.sizes import reference_config

# Shapes shared with a bundled config are read from it: only what differs is typed.
_ALBERT_BASE: dict[str, Any] = {
    **reference_config("google-bert/bert-base-uncased"),
    "model_type": "albert",
    "embedding_size": 128,
    "inner_group_num": 1,
    "num_hidden_groups": 1,
    "vocab_size": 30000,
}
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
    "albert/albert-base-v2": _ALBERT_BASE,
    "albert/albert-xxlarge-v2": {
        **_ALBERT_BASE,
        "hidden_size": 4096,
        "intermediate_size": 16384,
        "num_attention_heads": 64,
    },
    "google/electra-base-discriminator": {
        **reference_config("google-bert/bert-base-uncased"),
        "model_type": "electra",
        "embedding_size": 768,
    },
    "google/electra-large-discriminator": {
        **reference_config("google-bert/bert-large-uncased"),
        "model_type": "electra",
        "embedding_size": 1024,
    },
    "google-t5/t5-large": {
        **reference_config("google-t5/t5-base"),
        "d_ff": 4096,
        "d_model": 1024,
        "num_heads": 16,
        "num_layers": 24,
    },
    "google/umt5-small": {
        **reference_config("google/flan-t5-small"),
        "model_type": "umt5",
        "vocab_size": 256384,
    },
    "google/umt5-base": {
        **reference_config("google/flan-t5-base"),
        "model_type": "umt5",
        "vocab_size": 256384,
    },
    "facebook/mbart-large-cc25": {
        **reference_config("facebook/bart-large"),
        "model_type": "mbart",
        "vocab_size": 250027,
    },
    "openai-community/gpt2-medium": {
        **reference_config("openai-community/gpt2"),
        "n_embd": 1024,
        "n_head": 16,
        "n_layer": 24,
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
