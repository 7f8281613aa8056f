"""Helpers behind the T5 chapter of the guide (``docs/t5/``).

The pages compute everything they show; the pieces they share with the tests
live here, so a test checks the very code a page runs:

* :data:`FRAMING_EXAMPLES` and :func:`framing_rows`: one example per T5 task
  (GLUE, SuperGLUE, SQuAD, CNN/DM, WMT), framed by :mod:`nlpguide.text2text`;
* :func:`markdown_table`: a table whose cells stay literal (``<extra_id_0>``,
  ``*he*`` and ``|`` survive Markdown);
* :func:`objective_cost`: the cost of span corruption against full-length
  targets, from :func:`nlpguide.text2text.length_stats` and
  :func:`nlpguide.choose.forward_flops`;
* :func:`bert_view` and :func:`t5_view`: one SST-2 sentence seen by a
  classification head and by a text-to-text model;
* :func:`yes_no_pairs`: a new task framed as BoolQ, for the fine-tuning page's
  ``Seq2SeqTrainer`` run;
* :func:`cross_attention`: the decoder's cross-attention weights for one
  generated output.

>>> framing_rows()[0][:2]
('GLUE', 'cola')
>>> print(markdown_table(["input", "target"], [["a <extra_id_0>", "b|c"]], code=True))
| input | target |
|---|---|
| `a <extra_id_0>` | `b\\|c` |
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, NamedTuple

from nlpguide import _check
from nlpguide._markdown import table as markdown_table
from nlpguide.text2text import TASKS, encode_target, frame, length_stats

if TYPE_CHECKING:
    import numpy as np

    from nlpguide.data import Article

__all__ = [
    "FRAMING_EXAMPLES",
    "CrossAttention",
    "ObjectiveCost",
    "bert_view",
    "cross_attention",
    "framing_rows",
    "markdown_table",
    "objective_cost",
    "t5_view",
    "yes_no_pairs",
]

_Fields = Mapping[str, str | Sequence[str]]

# One example per task: (fields for frame(), label for encode_target()). Sentences are
# short and written for this guide; translate and cola follow the T5 paper's figure 1.
FRAMING_EXAMPLES: Mapping[str, tuple[_Fields, object]] = MappingProxyType({
    "cola": ({"sentence": "The course is jumping well."}, 0),
    "sst2": ({"sentence": "A gripping, beautifully acted film."}, 1),
    "mrpc": ({"sentence1": "The firm cut 300 jobs.",
              "sentence2": "Three hundred jobs were cut by the firm."}, 1),
    "qqp": ({"question1": "How do I learn Python fast?",
             "question2": "What is the capital of Peru?"}, 0),
    "stsb": ({"sentence1": "A man is playing a guitar.",
              "sentence2": "A man plays the guitar on stage."}, 3.84),
    "mnli": ({"premise": "A dog runs across the park.",
              "hypothesis": "An animal is moving."}, 0),
    "qnli": ({"question": "Where is the Eiffel Tower?",
              "sentence": "The Eiffel Tower stands in Paris."}, 0),
    "rte": ({"sentence1": "Sales rose 5% in May.", "sentence2": "Sales fell in May."}, 1),
    "boolq": ({"passage": "The Nile flows north into the Mediterranean Sea.",
               "question": "does the nile flow north"}, 1),
    "cb": ({"premise": "She said she might come later.",
            "hypothesis": "She will certainly come."}, 2),
    "copa": ({"premise": "The glass fell off the table.", "choice1": "It shattered.",
              "choice2": "It was refilled.", "question": "effect"}, 0),
    "multirc": ({"paragraph": "Ann bought <b>three</b> apples.<br>She ate one.",
                 "question": "How many apples are left?", "answer": "Two"}, 1),
    "wic": ({"sentence1": "He sat on the bank of the river.",
             "sentence2": "She paid the cheque into the bank.", "word": "bank"}, 0),
    "wsc": ({"text": "The trophy did not fit in the case because it was too big.",
             "pronoun": "it"}, "The trophy"),
    "record": ({"passage": "Heavy snow closed roads in Scotland.\n@highlight\nSchools shut",
                "query": "Drivers in @placeholder were told to stay home.",
                "entities": ["Scotland", "Wales"]}, "Scotland"),
    "squad": ({"question": "Who wrote Hamlet?",
               "context": "Hamlet is a tragedy written by William Shakespeare."},
              "William Shakespeare"),
    "summarize": ({"text": "Shares in the carmaker fell 8% on Monday after it cut its "
                           "profit forecast for the year, blaming weak demand in China."},
                  "Carmaker shares fall after profit warning"),
    "translate": ({"source": "English", "target": "German", "text": "That is good."},
                  "Das ist gut."),
})  # fmt: skip
"""Example fields and label for every task of :data:`nlpguide.text2text.TASKS`."""


def framing_rows() -> list[tuple[str, str, str, str]]:
    """``(benchmark, task, input text, target text)`` for every example, in ``TASKS`` order.

    >>> benchmark, task, source, target = framing_rows()[4]
    >>> print(source, "->", target)
    stsb sentence1: A man is playing a guitar. sentence2: A man plays the guitar on stage. -> 3.8
    """
    rows: list[tuple[str, str, str, str]] = []
    for name, spec in TASKS.items():
        fields, label = FRAMING_EXAMPLES[name]
        target = encode_target(name, label)  # type: ignore[arg-type]  # examples are valid
        rows.append((spec.benchmark, name, frame(name, **fields), target))
    return rows


# ------------------------------------------------------------------------------- tables


# ---------------------------------------------------------------- pre-training cost


class ObjectiveCost(NamedTuple):
    """Tokens and forward FLOPs per example of two pre-training objectives for one model.

    ``span_*`` is T5's span corruption (inputs and targets from
    :func:`~nlpguide.text2text.length_stats`, plus one EOS each); ``full_*`` is
    the "BERT-style" denoising objective of the T5 paper: the whole sequence in
    and the whole original sequence out.
    """

    span_inputs: int
    span_targets: int
    span_flops: int
    full_inputs: int
    full_targets: int
    full_flops: int

    @property
    def ratio(self) -> float:
        """How many times cheaper a span-corruption forward pass is."""
        return self.full_flops / self.span_flops


def objective_cost(
    n: int = 512,
    noise_density: float = 0.15,
    mean_noise_span_length: float = 3.0,
    *,
    model: str = "t5-small",
) -> ObjectiveCost:
    """Forward FLOPs of span corruption vs full-length targets, for ``n`` tokens of text.

    >>> cost = objective_cost()
    >>> cost.span_inputs, cost.span_targets, cost.full_targets
    (462, 104, 513)
    >>> round(cost.ratio, 2)
    2.26
    """
    from nlpguide.choose import forward_flops  # noqa: PLC0415

    stats = length_stats(n, noise_density, mean_noise_span_length)
    span_in, span_out = stats.inputs + 1, stats.targets + 1  # + EOS, as T5's pipeline adds
    full = n + 1
    return ObjectiveCost(
        span_in,
        span_out,
        forward_flops(model, span_in, target_tokens=span_out),
        full,
        full,
        forward_flops(model, full, target_tokens=full),
    )


# ------------------------------------------------------------------ BERT vs T5 views


def bert_view(sentence: str) -> dict[str, Any]:
    """SST-2 as BERT does it: a new 2-way head on the encoder, logits over classes.

    The head is freshly initialised (untrained): the point is the shapes.

    >>> view = bert_view("A gripping, beautifully acted film.")
    >>> view["logits shape"], view["new head"]
    ((1, 2), '384 -> 2')
    """
    _check.text("sentence", sentence)
    import torch  # noqa: PLC0415
    from transformers import AutoModelForSequenceClassification  # noqa: PLC0415

    from nlpguide.models import encoder  # noqa: PLC0415

    # A new 2-way linear head on the encoder: one output per class, per task.
    tok, clf = encoder(model_class=AutoModelForSequenceClassification, num_labels=2)
    batch = tok(sentence, return_tensors="pt")
    with torch.no_grad():
        logits = clf(**batch).logits  # (batch, num_labels): one score per class
    probs = logits.softmax(dim=-1)[0]
    words = TASKS["sst2"].label_words or ()
    head = clf.classifier
    return {
        "model input": sentence,
        "input_ids shape": tuple(batch["input_ids"].shape),
        "new head": f"{head.in_features} -> {head.out_features}",
        "logits shape": tuple(logits.shape),
        "P(negative), P(positive)": tuple(round(float(p), 3) for p in probs),
        "answer": f"class {int(probs.argmax())} = {words[int(probs.argmax())]!r}",
    }


def t5_view(sentence: str) -> dict[str, Any]:
    """SST-2 as T5 does it: a framed input, a target *word*, the vocabulary as the "head".

    >>> view = t5_view("A gripping, beautifully acted film.")
    >>> view["model input"], view["target"]
    ('sst2 sentence: A gripping, beautifully acted film.', "'positive' -> pieces ['▁positive', '</s>']")
    """
    _check.text("sentence", sentence)
    import torch  # noqa: PLC0415

    from nlpguide.models import seq2seq  # noqa: PLC0415

    # No new layer: the task is named in the input text and the label is a word.
    tok, t5 = seq2seq()
    source = frame("sst2", sentence=sentence)  # 'sst2 sentence: ...'
    target = encode_target("sst2", 1)  # class 1 -> 'positive'
    batch = tok(source, return_tensors="pt")
    labels = tok(text_target=target, return_tensors="pt").input_ids
    with torch.no_grad():
        out = t5(**batch, labels=labels)  # teacher forcing: the target is known
        generated = t5.generate(**batch, max_new_tokens=8)
    return {
        "model input": source,
        "input_ids shape": tuple(batch["input_ids"].shape),
        "target": f"{target!r} -> pieces {tok.convert_ids_to_tokens(labels[0])}",
        "logits shape": tuple(out.logits.shape),
        "loss on the target": round(float(out.loss), 3),
        "answer": repr(tok.decode(generated[0], skip_special_tokens=True)),
    }


# ------------------------------------------------------------------ a new task: BoolQ


def yes_no_pairs(
    articles: Sequence[Article], topic: str, *, passage_words: int = 50
) -> list[tuple[str, str]]:
    """BBC articles as BoolQ examples: "is this article about ``topic``" -> True/False.

    The passage is the title and the first ``passage_words`` words of the body:
    BoolQ puts the passage *before* the question, so a long passage would push
    the question past the model's input cut.

    >>> from nlpguide.data import Article
    >>> yes_no_pairs([Article("sport/1.txt", "Win", "United won 2-0 at home.", "sport")],
    ...              "sport", passage_words=3)
    [('boolq passage: Win. United won 2-0 question: is this article about sport', 'True')]
    """
    from nlpguide.data import BBC_LABELS, Article  # noqa: PLC0415

    given: object = articles  # callers' types are only promises: check at run time
    if isinstance(given, str | bytes) or not isinstance(given, Sequence):
        msg = f"articles must be a list of Article, got {type(given).__name__}"
        raise TypeError(msg)
    for item in given:
        _check.instance("articles item", item, Article)
    _check.choice("topic", topic, BBC_LABELS)
    _check.integer("passage_words", passage_words, minimum=1)
    pairs = []
    for article in articles:
        passage = f"{article.title}. " + " ".join(article.text.split()[:passage_words])
        source = frame("boolq", passage=passage, question=f"is this article about {topic}")
        pairs.append((source, encode_target("boolq", int(article.label_text == topic))))
    return pairs


# ------------------------------------------------------------------- cross-attention


class CrossAttention(NamedTuple):
    """Cross-attention of one generated output, averaged over heads.

    ``weights[layer, i, j]``: how much decoder layer ``layer``, while producing
    generated token ``i``, attends to source token ``j``; each row sums to 1.
    """

    source_tokens: list[str]
    generated_tokens: list[str]
    weights: np.ndarray[tuple[int, int, int], np.dtype[np.float64]]


def cross_attention(
    tokenizer: Any, model: Any, source: str, *, max_new_tokens: int = 16
) -> CrossAttention:
    """Generate greedily from ``source``, then read the cross-attention of that output.

    A second, teacher-forced forward pass feeds the generated tokens back in
    with ``output_attentions=True``; it runs with eager attention (the fused
    SDPA kernels return no weights), restoring the model's setting afterwards.

    For example (the shipped T5 has 3 decoder layers)::

        att = cross_attention(tok, t5, "translate English to French: Open file")
        att.weights.shape   # (3, len(att.generated_tokens), len(att.source_tokens))
    """
    _check.text("source", source)
    _check.integer("max_new_tokens", max_new_tokens, minimum=1)
    import torch  # noqa: PLC0415

    previous = model.config._attn_implementation  # transformers' own switch
    model.set_attn_implementation("eager")
    try:
        batch = tokenizer(source, return_tensors="pt", truncation=True)
        with torch.no_grad():
            ids = model.generate(**batch, max_new_tokens=max_new_tokens, do_sample=False)[0]
            # ids = [decoder start, y1, ..., yk]: feed all but the last, each row predicts the next.
            out = model(**batch, decoder_input_ids=ids[None, :-1], output_attentions=True)
    finally:
        model.set_attn_implementation(previous)
    stacked = torch.stack([layer[0] for layer in out.cross_attentions])  # (layers, heads, i, j)
    return CrossAttention(
        tokenizer.convert_ids_to_tokens(batch["input_ids"][0]),
        tokenizer.convert_ids_to_tokens(ids[1:]),
        stacked.mean(dim=1).double().numpy(),
    )
