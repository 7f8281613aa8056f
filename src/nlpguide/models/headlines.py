"""The headline adapter: SmolLM2 + a LoRA adapter trained on BBC headlines.

The prompt the adapter was trained with is built here, once, and shared by
``training/train_headline_lora.py``, :func:`nlpguide.models.headline_decoder`
and the pages, so training and use cannot drift apart:

* :func:`headline_messages` / :func:`headline_prompt`: the chat the model reads
  (a fixed instruction and the article's lead, cut to ``lead_tokens`` tokens);
* :func:`generate_headlines`: greedy decoding of one headline per article;
* :func:`clean_headline`: the first line of what the model wrote, unquoted;
* :func:`read_record`: the adapter's training record (settings, data hashes,
  versions, timings, test figures).

>>> headline_messages("Shares rose sharply on Monday.")[1]["content"]
'Write a headline for this news article.\\n\\nShares rose sharply on Monday.'
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .. import _check

__all__ = [
    "ADAPTER_DIR",
    "INSTRUCTION",
    "LEAD_TOKENS",
    "MAX_NEW_TOKENS",
    "RECORD_FILE",
    "SYSTEM",
    "clean_headline",
    "generate_headlines",
    "headline_messages",
    "headline_prompt",
    "lead_text",
    "read_record",
]

#: Where the shipped adapter lives: ``adapter_model.safetensors`` + ``adapter_config.json``.
ADAPTER_DIR = Path(__file__).parent / "artefacts" / "headline_lora"
#: The training record beside the adapter.
RECORD_FILE = "headline_lora_record.json"
#: The system turn (short: every prompt token costs CPU time in training).
SYSTEM = "You are a news sub-editor."
#: The user turn's instruction, followed by a blank line and the article's lead.
INSTRUCTION = "Write a headline for this news article."
#: How many tokens of the article the model reads: its lead, as for the T5.
LEAD_TOKENS = 96
#: A headline is about 8 tokens; the cap only stops a model that does not stop.
MAX_NEW_TOKENS = 20


def lead_text(text: str, tokenizer: Any = None, *, lead_tokens: int = LEAD_TOKENS) -> str:
    """The article's first ``lead_tokens`` tokens, decoded back to text.

    Without a tokenizer the text is returned whole (for showing a prompt).

    >>> lead_text("Shares rose sharply on Monday.")
    'Shares rose sharply on Monday.'
    """
    _check.text("text", text)
    _check.integer("lead_tokens", lead_tokens, minimum=1)
    if tokenizer is None:
        return text.strip()
    ids = tokenizer(text, add_special_tokens=False)["input_ids"][:lead_tokens]
    return str(tokenizer.decode(ids)).strip()


def headline_messages(
    text: str, tokenizer: Any = None, *, lead_tokens: int = LEAD_TOKENS
) -> list[dict[str, str]]:
    """The chat the adapter was trained on: a system turn and the instruction + lead.

    >>> [m["role"] for m in headline_messages("Arsenal beat Chelsea 2-0.")]
    ['system', 'user']
    """
    lead = lead_text(text, tokenizer, lead_tokens=lead_tokens)
    return [
        {"role": "system", "content": SYSTEM},
        {"role": "user", "content": f"{INSTRUCTION}\n\n{lead}"},
    ]


def headline_prompt(tokenizer: Any, text: str, *, lead_tokens: int = LEAD_TOKENS) -> str:
    """The chat-templated prompt, ending where the assistant's headline starts.

    >>> from nlpguide.models import decoder
    >>> tok, _ = decoder()
    >>> print(headline_prompt(tok, "Arsenal beat Chelsea 2-0."))
    <|im_start|>system
    You are a news sub-editor.<|im_end|>
    <|im_start|>user
    Write a headline for this news article.
    <BLANKLINE>
    Arsenal beat Chelsea 2-0.<|im_end|>
    <|im_start|>assistant
    <BLANKLINE>
    """
    if tokenizer is None or not hasattr(tokenizer, "apply_chat_template"):
        raise TypeError(
            f"tokenizer must be a transformers tokenizer, got {type(tokenizer).__name__}"
        )
    messages = headline_messages(text, tokenizer, lead_tokens=lead_tokens)
    return str(tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True))


def clean_headline(generated: str) -> str:
    """The first non-empty line of a generation, without quotes or a "Headline:" label.

    >>> clean_headline('Headline: "Arsenal beat Chelsea"\\n\\nIn a match...')
    'Arsenal beat Chelsea'
    """
    _check.text("generated", generated, empty=True)
    line = next((ln.strip() for ln in generated.splitlines() if ln.strip()), "")
    line = line.strip("\"'*# ").strip()
    for label in ("headline:", "title:"):
        if line.lower().startswith(label):
            line = line[len(label) :].strip()
    return line.strip("\"'*# ").strip()


def generate_headlines(
    tokenizer: Any,
    model: Any,
    texts: Sequence[str],
    *,
    lead_tokens: int = LEAD_TOKENS,
    max_new_tokens: int = MAX_NEW_TOKENS,
    batch_size: int = 16,
) -> list[str]:
    """One greedy headline per article text, through :func:`headline_prompt`.

    >>> from nlpguide.models import headline_decoder
    >>> tok, lm = headline_decoder()
    >>> [h] = generate_headlines(tok, lm, ["Arsenal beat Chelsea 2-0 on Saturday."])
    >>> isinstance(h, str) and len(h) > 0
    True
    """
    texts = _check.strings("texts", texts)
    _check.integer("lead_tokens", lead_tokens, minimum=1)
    _check.integer("max_new_tokens", max_new_tokens, minimum=1)
    _check.integer("batch_size", batch_size, minimum=1)
    import torch  # noqa: PLC0415

    end = tokenizer.convert_tokens_to_ids("<|im_end|>")
    side, tokenizer.padding_side = tokenizer.padding_side, "left"
    was_training = model.training
    model.eval()
    out: list[str] = []
    try:
        with torch.no_grad():
            for start in range(0, len(texts), batch_size):
                prompts = [
                    headline_prompt(tokenizer, t, lead_tokens=lead_tokens)
                    for t in texts[start : start + batch_size]
                ]
                enc = tokenizer(
                    prompts, return_tensors="pt", padding=True, add_special_tokens=False
                ).to(model.device)
                ids = model.generate(
                    **enc,
                    max_new_tokens=max_new_tokens,
                    do_sample=False,
                    eos_token_id=end,
                    pad_token_id=tokenizer.pad_token_id,
                )
                new = ids[:, enc["input_ids"].shape[1] :]
                out.extend(
                    clean_headline(t) for t in tokenizer.batch_decode(new, skip_special_tokens=True)
                )
    finally:
        tokenizer.padding_side = side
        model.train(was_training)
    return out


def read_record(folder: Path | str = ADAPTER_DIR) -> dict[str, Any]:
    """The adapter's training record: settings, data hashes, versions, timings, figures.

    >>> record = read_record()
    >>> record["data"]["train_articles"]
    1781
    """
    if not isinstance(folder, str | os.PathLike):
        raise TypeError(f"folder must be a str or path, got {type(folder).__name__}")
    path = Path(folder) / RECORD_FILE
    if not path.is_file():
        raise FileNotFoundError(f"{path} does not exist: the headline adapter is not installed")
    record: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return record
