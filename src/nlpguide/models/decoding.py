"""How a decoder writes: chat inputs, greedy decoding step by step, and the KV cache timed.

A decoder-only model (GPT, LLaMA, SmolLM2) produces one token per forward pass:
it turns the last position's logits into a probability for every token of its
vocabulary, picks one, appends it and runs again. :func:`greedy_trace` records
each of those steps with the top candidates, so a page can show the choice the
model made and the ones it passed over; :func:`trace_markdown` renders them.
:func:`time_generation` measures ``generate()`` with and without the key/value
cache, which saves recomputing the keys and values of the tokens already seen.

The functions take the ``(tokenizer, model)`` pair that
:func:`nlpguide.models.decoder` returns; torch is imported only inside them.

>>> steps = [GreedyStep(0, (Candidate(" Paris", 9, 0.9), Candidate(" Lyon", 7, 0.05)))]
>>> print(trace_markdown(steps))
| step | chosen | p | 2nd | p |
|---:|---|---:|---|---:|
| 1 | `␣Paris` | 0.900 | `␣Lyon` | 0.050 |
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "Candidate",
    "GenerationTiming",
    "GreedyStep",
    "chat_inputs",
    "generated_text",
    "greedy_trace",
    "show_token",
    "time_generation",
    "trace_markdown",
]

_ORDINALS = ("chosen", "2nd", "3rd")


@dataclass(frozen=True, slots=True)
class Candidate:
    """A token the model could emit next, with its probability.

    >>> Candidate(" Paris", 9, 0.9).token
    ' Paris'
    """

    token: str  #: the token decoded on its own (leading space included)
    token_id: int
    probability: float


@dataclass(frozen=True, slots=True)
class GreedyStep:
    """One decoding step: the candidates by falling probability; greedy takes the first.

    >>> step = GreedyStep(0, (Candidate("A", 1, 0.6), Candidate("B", 2, 0.3)))
    >>> step.chosen.token, step.margin
    ('A', 0.3)
    """

    step: int  #: 0 for the first generated token
    candidates: tuple[Candidate, ...]

    def __post_init__(self) -> None:
        if not self.candidates:
            raise ValueError("a step needs at least one candidate")
        probs = [c.probability for c in self.candidates]
        if probs != sorted(probs, reverse=True):
            raise ValueError(f"candidates must be sorted by falling probability, got {probs}")

    @property
    def chosen(self) -> Candidate:
        """The greedy choice: the most probable candidate."""
        return self.candidates[0]

    @property
    def margin(self) -> float:
        """How far ahead the choice is of the runner-up (its own probability if alone)."""
        second = self.candidates[1].probability if len(self.candidates) > 1 else 0.0
        return round(self.chosen.probability - second, 12)


@dataclass(frozen=True)
class GenerationTiming:
    """Wall-clock seconds of repeated ``generate()`` calls, and what they produced.

    >>> GenerationTiming(True, 8, (0.3, 0.1, 0.2), (1, 2)).median
    0.2
    """

    use_cache: bool
    new_tokens: int
    seconds: tuple[float, ...]  #: one per run
    token_ids: tuple[int, ...]  #: the generated tokens (identical in every run)

    @property
    def median(self) -> float:
        """The median run time in seconds."""
        return statistics.median(self.seconds)


def show_token(token: str) -> str:
    """A token as a page shows it: spaces as ``␣``, newlines as ``\\n``.

    >>> show_token(" Paris"), show_token("\\n")
    ('␣Paris', '\\\\n')
    """
    if not isinstance(token, str):
        raise TypeError(f"token must be a str, got {type(token).__name__}")
    return token.replace(" ", "␣").replace("\n", "\\n").replace("\t", "\\t")


def chat_inputs(
    tokenizer: Any, messages: str | Sequence[Mapping[str, str]], *, system: str | None = None
) -> dict[str, Any]:
    """Token ids and attention mask for a chat, through the model's own chat template.

    *messages* is one user message (a str) or a list of ``{"role", "content"}``
    dicts. The template's generation prompt is added, so the model's next token
    starts the assistant's reply. Returns PyTorch tensors, ready for
    ``model.generate(**inputs)``::

        tok, lm = decoder()
        inputs = chat_inputs(tok, "What is the capital of France?")
        lm.generate(**inputs, max_new_tokens=12, do_sample=False)
    """
    msgs = _messages(messages, system)
    enc = tokenizer.apply_chat_template(
        msgs, add_generation_prompt=True, return_tensors="pt", return_dict=True
    )
    return {"input_ids": enc["input_ids"], "attention_mask": enc["attention_mask"]}


def _messages(
    messages: str | Sequence[Mapping[str, str]], system: str | None
) -> list[dict[str, str]]:
    if isinstance(messages, str):
        if not messages.strip():
            raise ValueError("the message is empty")
        msgs = [{"role": "user", "content": messages}]
    elif isinstance(messages, Sequence):
        msgs = []
        for m in messages:
            if not isinstance(m, Mapping) or set(m) != {"role", "content"}:
                raise TypeError(f"each message must be a {{'role', 'content'}} mapping, got {m!r}")
            msgs.append({"role": str(m["role"]), "content": str(m["content"])})
        if not msgs:
            raise ValueError("messages is empty")
    else:
        raise TypeError(f"messages must be a str or a list of dicts, got {type(messages).__name__}")
    if system is not None:
        msgs.insert(0, {"role": "system", "content": system})
    return msgs


def _check_positive(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a positive int, got {value!r}")
    return value


def greedy_trace(
    tokenizer: Any, model: Any, inputs: Mapping[str, Any], *, steps: int = 8, top_k: int = 5
) -> list[GreedyStep]:
    """Decode *steps* tokens greedily, recording the *top_k* candidates of each step.

    The probabilities are the softmax of the logits at the last position (no
    temperature, no filtering), so the chosen tokens are exactly what
    ``model.generate(**inputs, do_sample=False)`` produces. Decoding stops early
    at the end-of-sequence token. The KV cache carries the earlier positions::

        for s in greedy_trace(tok, lm, chat_inputs(tok, "Hi!"), steps=3):
            print(s.chosen.token, round(s.chosen.probability, 2))
    """
    import torch  # noqa: PLC0415

    _check_positive("steps", steps)
    _check_positive("top_k", top_k)
    ids = inputs["input_ids"]
    mask = inputs.get("attention_mask")
    if mask is None:
        mask = torch.ones_like(ids)
    if ids.shape[0] != 1:
        raise ValueError(f"greedy_trace reads one sequence, got a batch of {ids.shape[0]}")
    eos = _eos_ids(model)
    trace: list[GreedyStep] = []
    past = None
    step_ids = ids
    with torch.inference_mode():
        for step in range(steps):
            # transformers 5 names the KV cache argument `cache` (`past_key_values` is deprecated).
            out = model(input_ids=step_ids, attention_mask=mask, cache=past, use_cache=True)
            probs = torch.softmax(out.logits[0, -1].float(), dim=-1)
            top = torch.topk(probs, k=min(top_k, probs.shape[-1]))
            cands = tuple(
                Candidate(tokenizer.decode([int(i)]), int(i), float(p))
                for p, i in zip(top.values, top.indices, strict=True)
            )
            trace.append(GreedyStep(step, cands))
            if cands[0].token_id in eos:
                break
            past = out.cache
            step_ids = top.indices[:1].view(1, 1)
            mask = torch.cat([mask, mask.new_ones((1, 1))], dim=1)
    return trace


def _eos_ids(model: Any) -> set[int]:
    eos = model.generation_config.eos_token_id
    if eos is None:
        return set()
    return {int(e) for e in eos} if isinstance(eos, list | tuple) else {int(eos)}


def trace_markdown(trace: Sequence[GreedyStep]) -> str:
    """A markdown table of a greedy trace: one row per step, candidates with probabilities.

    >>> trace = [GreedyStep(0, (Candidate("a|b", 1, 0.5), Candidate("c", 2, 0.25),
    ...                         Candidate("d", 3, 0.125)))]
    >>> print(trace_markdown(trace).splitlines()[2])
    | 1 | `a\\|b` | 0.500 | `c` | 0.250 | `d` | 0.125 |
    """
    if not trace:
        raise ValueError("the trace is empty")
    width = max(len(s.candidates) for s in trace)
    names = [_ORDINALS[i] if i < len(_ORDINALS) else f"{i + 1}th" for i in range(width)]
    head = "| step | " + " | ".join(f"{n} | p" for n in names) + " |"
    rule = "|---:|" + "---|---:|" * width
    rows = [head, rule]
    for s in trace:
        cells = [str(s.step + 1)]
        for c in s.candidates:
            cells += [f"`{_md(show_token(c.token))}`", f"{c.probability:.3f}"]
        cells += ["", ""] * (width - len(s.candidates))  # steps with fewer candidates
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows)


def _md(text: str) -> str:
    # Inside a code span backslashes are literal; only the table's pipe needs escaping.
    return text.replace("|", "\\|").replace("`", "'")


def generated_text(tokenizer: Any, inputs: Mapping[str, Any], output_ids: Any) -> str:
    """The text ``generate()`` added after the prompt, special tokens dropped.

    ::

        out = lm.generate(**inputs, max_new_tokens=20, do_sample=False)
        generated_text(tok, inputs, out)        # 'The capital of France is Paris.'
    """
    start = inputs["input_ids"].shape[-1]
    return str(tokenizer.decode(output_ids[0, start:], skip_special_tokens=True)).strip()


def time_generation(
    model: Any,
    inputs: Mapping[str, Any],
    *,
    use_cache: bool,
    new_tokens: int = 24,
    repeats: int = 3,
) -> GenerationTiming:
    """Time greedy ``generate()`` of exactly *new_tokens* tokens, *repeats* times.

    ``min_new_tokens`` keeps the length fixed (no early stop at end-of-sequence),
    so runs with and without the cache do the same work apart from the cache.
    Raises :class:`RuntimeError` if two runs generate different tokens::

        with_cache = time_generation(lm, inputs, use_cache=True)
        without = time_generation(lm, inputs, use_cache=False)
        without.median / with_cache.median      # the speed-up on this machine
    """
    import torch  # noqa: PLC0415

    if not isinstance(use_cache, bool):
        raise TypeError(f"use_cache must be a bool, got {type(use_cache).__name__}")
    _check_positive("new_tokens", new_tokens)
    _check_positive("repeats", repeats)
    seconds: list[float] = []
    produced: tuple[int, ...] | None = None
    start_len = inputs["input_ids"].shape[-1]
    with torch.inference_mode():
        for _ in range(repeats):
            start = time.perf_counter()
            out = model.generate(
                **inputs,
                max_new_tokens=new_tokens,
                min_new_tokens=new_tokens,
                do_sample=False,
                use_cache=use_cache,
            )
            seconds.append(time.perf_counter() - start)
            ids = tuple(int(i) for i in out[0, start_len:])
            if produced is not None and ids != produced:
                raise RuntimeError("greedy generation gave different tokens on two runs")
            produced = ids
    assert produced is not None  # repeats >= 1
    return GenerationTiming(use_cache, new_tokens, tuple(seconds), produced)
