"""The BBC T5's two tasks: how an article is framed, generated from and scored.

The public face of the recipe that trained the shipped T5
(:func:`nlpguide.models.seq2seq`), for scripts that fine-tune or evaluate it,
such as ``examples/finetune_t5.py``:

* :func:`source_text` frames an article for a task (``"topic"`` or
  ``"headline"``) with the prefix the model was trained on (``TASK_PREFIXES``);
* :func:`generate_texts` generates one output per framed input, greedy or beam search;
* :func:`exact_match` and :func:`rouge_l_f1` (on :func:`word_tokens`) score outputs
  against references, beside two baselines: :func:`majority_baseline` (the most
  common topic) and :func:`lead_words` (the article's first words as its headline);
* :func:`read_record` reads the artefact's training record (settings, data hashes,
  metrics).

>>> source_text("topic", "Arsenal win", "Arsenal beat Chelsea 2-0.")
'bbc topic: Arsenal win\\nArsenal beat Chelsea 2-0.'
>>> exact_match(["sport", "tech"], ["Sport", "business"])
0.5
>>> round(rouge_l_f1("shares rise in tokyo", "tokyo shares rise"), 3)
0.571
"""

from __future__ import annotations

from ._t5_recipe import (
    TASK_PREFIXES,
    exact_match,
    generate_texts,
    lead_words,
    majority_baseline,
    read_record,
    rouge_l_f1,
    source_text,
    word_tokens,
)

__all__ = [
    "TASK_PREFIXES",
    "exact_match",
    "generate_texts",
    "lead_words",
    "majority_baseline",
    "read_record",
    "rouge_l_f1",
    "source_text",
    "word_tokens",
]
