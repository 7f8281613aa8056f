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
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .. import _check
from .._markdown import cell

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

    def __post_init__(self) -> None:
        if not isinstance(self.token, str):
            raise TypeError(f"token must be a str, got {type(self.token).__name__}")
        _check.integer("token_id", self.token_id, minimum=0)
        _check.probability("probability", self.probability)


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
        _check.integer("step", self.step, minimum=0)
        given: object = self.candidates
        if isinstance(given, str | bytes) or not isinstance(given, Sequence):
            raise TypeError(f"candidates must be a tuple of Candidate, got {type(given).__name__}")
        for c in given:
            if not isinstance(c, Candidate):
                raise TypeError(f"candidates must hold Candidate items, got {type(c).__name__}")
        object.__setattr__(self, "candidates", tuple(given))
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

    def __post_init__(self) -> None:
        if not isinstance(self.use_cache, bool):
            raise TypeError(f"use_cache must be a bool, got {type(self.use_cache).__name__}")
        _check.integer("new_tokens", self.new_tokens, minimum=1)
        for name in ("seconds", "token_ids"):
            value: object = getattr(self, name)
            if isinstance(value, str | bytes) or not isinstance(value, Sequence):
                raise TypeError(f"{name} must be a tuple, got {type(value).__name__}")
            object.__setattr__(self, name, tuple(value))
        if not self.seconds:
            raise ValueError("seconds must hold at least one run")
        runs: tuple[object, ...] = self.seconds  # typed callers pass floats; check what others pass
        for t in runs:
            _check.real("each of seconds", t, low=0.0)
        for i in self.token_ids:
            _check.integer("each token id", i, minimum=0)

    @property
    def median(self) -> float:
        """The median run time in seconds."""
        return statistics.median(self.seconds)


_SHOWN = {" ": "␣", "\n": "\\n", "\t": "\\t", "\r": "\\r"}


def show_token(token: str) -> str:
    """A token as a page shows it: spaces as ``␣``, newlines as ``\\n``.

    Tabs and carriage returns become ``\\t`` and ``\\r``; any other whitespace or
    control character (which would be invisible, or break a table row) becomes its
    escape, such as ``\\xa0`` for a no-break space.

    >>> show_token(" Paris"), show_token("\\n")
    ('␣Paris', '\\\\n')
    >>> show_token("a\\u2028b")
    'a\\\\u2028b'
    """
    if not isinstance(token, str):
        raise TypeError(f"token must be a str, got {type(token).__name__}")
    return "".join(_show_char(c) for c in token)


def _show_char(c: str) -> str:
    if c in _SHOWN:
        return _SHOWN[c]
    if c.isspace() or unicodedata.category(c) == "Cc":
        return c.encode("unicode_escape").decode("ascii")
    return c


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
            role: object = m["role"]
            content: object = m["content"]
            # A template given None or 5 would render "None" or "5": refuse, do not convert.
            if not isinstance(role, str):
                raise TypeError(f"a message's role must be a str, got {type(role).__name__}")
            if not role.strip():
                raise ValueError(f"a message's role must not be empty, got {role!r}")
            if not isinstance(content, str):
                raise TypeError(f"a message's content must be a str, got {type(content).__name__}")
            msgs.append({"role": role, "content": content})
        if not msgs:
            raise ValueError("messages is empty")
    else:
        raise TypeError(f"messages must be a str or a list of dicts, got {type(messages).__name__}")
    if system is not None:
        if not isinstance(system, str):
            raise TypeError(f"system must be None or a str, got {type(system).__name__}")
        msgs.insert(0, {"role": "system", "content": system})
    return msgs


def _prompt_ids(inputs: object, what: str = "inputs") -> Any:
    """The (1, n) input_ids of one prompt, checked before any model runs."""
    if not isinstance(inputs, Mapping) or "input_ids" not in inputs:
        raise TypeError(
            f"{what} must be a mapping with 'input_ids' (as chat_inputs returns), "
            f"got {type(inputs).__name__}"
        )
    ids = inputs["input_ids"]
    shape = getattr(ids, "shape", None)
    if shape is None or len(shape) != 2:
        raise TypeError(
            f"{what}['input_ids'] must be a 2-D tensor (batch, tokens), got "
            f"{type(ids).__name__} of shape {shape}"
        )
    if shape[0] != 1:
        raise ValueError(f"{what}['input_ids'] must hold one sequence, got a batch of {shape[0]}")
    if shape[1] < 1:
        raise ValueError(f"{what}['input_ids'] is empty: the prompt needs at least one token")
    mask = inputs.get("attention_mask")
    if mask is not None and tuple(getattr(mask, "shape", ())) != tuple(shape):
        raise ValueError(
            f"{what}['attention_mask'] must have input_ids' shape {tuple(shape)}, "
            f"got {getattr(mask, 'shape', type(mask).__name__)}"
        )
    return ids


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
    _check.integer("steps", steps, minimum=1)
    _check.integer("top_k", top_k, minimum=1)
    ids = _prompt_ids(inputs)

    import torch  # noqa: PLC0415

    mask = inputs.get("attention_mask")
    if mask is None:
        mask = torch.ones_like(ids)
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
    given: object = trace
    if isinstance(given, str | bytes) or not isinstance(given, Sequence):
        raise TypeError(f"trace must be a list of GreedyStep, got {type(given).__name__}")
    if not trace:
        raise ValueError("the trace is empty")
    for s in trace:
        if not isinstance(s, GreedyStep):
            raise TypeError(f"trace must hold GreedyStep items, got {type(s).__name__}")
    width = max(len(s.candidates) for s in trace)
    names = [_ORDINALS[i] if i < len(_ORDINALS) else f"{i + 1}th" for i in range(width)]
    head = "| step | " + " | ".join(f"{n} | p" for n in names) + " |"
    rule = "|---:|" + "---|---:|" * width
    rows = [head, rule]
    for s in trace:
        cells = [str(s.step + 1)]
        for c in s.candidates:
            cells += [cell(show_token(c.token), code=True), f"{c.probability:.3f}"]
        cells += ["", ""] * (width - len(s.candidates))  # steps with fewer candidates
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows)


def generated_text(tokenizer: Any, inputs: Mapping[str, Any], output_ids: Any) -> str:
    """The text ``generate()`` added after the prompt, special tokens dropped.

    ::

        out = lm.generate(**inputs, max_new_tokens=20, do_sample=False)
        generated_text(tok, inputs, out)        # 'The capital of France is Paris.'
    """
    start = _prompt_ids(inputs).shape[-1]
    shape = getattr(output_ids, "shape", None)
    if shape is None or len(shape) != 2:
        raise TypeError(
            "output_ids must be generate()'s 2-D tensor (batch, tokens), got "
            f"{type(output_ids).__name__} of shape {shape}"
        )
    if shape[0] != 1:
        raise ValueError(f"output_ids must hold one sequence, got a batch of {shape[0]}")
    if shape[1] < start:
        raise ValueError(
            f"output_ids ({shape[1]} tokens) is shorter than the prompt ({start} tokens): "
            "pass the output generate() returned for these inputs"
        )
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
    if not isinstance(use_cache, bool):
        raise TypeError(f"use_cache must be a bool, got {type(use_cache).__name__}")
    _check.integer("new_tokens", new_tokens, minimum=1)
    _check.integer("repeats", repeats, minimum=1)
    start_len = _prompt_ids(inputs).shape[-1]

    import torch  # noqa: PLC0415

    seconds: list[float] = []
    produced: tuple[int, ...] | None = None
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
