"""Bad-input fuzzing of :mod:`nlpguide.text2text` (the contract: tests/fuzz_support.py)."""

from __future__ import annotations

import math
import re
import string
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import numpy as np
from fuzz_support import (
    ANY_CHAR,
    BAD_PROBABILITY,
    BAD_RNG,
    HUGE_INT,
    HUGE_TEXT,
    JUNK,
    NON_SEQUENCE_OR_STR,
    NON_STR,
    PLAIN_WORD,
    TEXT,
    WORDY,
    attempt,
    bad_count,
    check_plain_record,
    contract,
    draw_broken,
    fuzz,
    rejects,
    rngs,
)
from hypothesis import assume, given
from hypothesis import strategies as st

from nlpguide import text2text


def field_values(task: str, name: str) -> st.SearchStrategy[Any]:
    """Valid values for one field of a T5 task."""
    if task == "copa" and name == "question":
        return st.sampled_from(["cause", "effect"])
    if task == "record" and name == "query":
        return st.builds(lambda a, b: f"{a} @placeholder {b}", TEXT, TEXT)
    if task == "record" and name == "entities":
        return st.lists(WORDY, min_size=1, max_size=4)
    if task == "wsc" and name == "text":
        return st.just("__WSC__")  # filled in with the pronoun below
    if task == "wsc" and name == "pronoun":
        return PLAIN_WORD
    return st.one_of(WORDY, st.just(HUGE_TEXT))


def bad_field_value(task: str, name: str) -> st.SearchStrategy[Any]:
    """Values no field accepts (and, for the special fields, values they reject)."""
    base = st.one_of(
        NON_STR.filter(lambda v: not isinstance(v, list | tuple)),
        st.sampled_from(["", " ", "\t\n", "\u3000"]),
    )
    if task == "copa" and name == "question":
        return st.one_of(base, st.sampled_from(["Cause", "why", "effect "]))
    if task == "record" and name == "query":
        return st.one_of(base, st.just("no placeholder here"))
    if task == "record" and name == "entities":
        return st.one_of(st.just([]), st.just("A, B"), st.just([""]), st.just([3]), st.none())
    return base


LABEL_WORDS = sorted({w for s in text2text.TASKS.values() for w in s.label_words or ()})


class TestText2Text:
    @fuzz(300)
    @given(data=st.data())
    def test_frame(self, data: st.DataObject) -> None:
        """frame builds the task's input text, or names the unknown task / bad field."""
        broken = draw_broken(data.draw, ["task", "field", "missing", "extra"], 1)
        task_name = data.draw(st.sampled_from(list(text2text.TASKS)), label="task")
        spec = text2text.TASKS[task_name]
        values = {n: data.draw(field_values(task_name, n), label=n) for n in spec.fields}
        if task_name == "wsc":
            values["text"] = f"{data.draw(TEXT)} {values['pronoun']} {data.draw(TEXT)}"
        task: Any = task_name
        names = {"task": r"task", "missing": r"missing", "extra": r"unexpected"}
        if "task" in broken:
            task = data.draw(
                st.one_of(
                    NON_STR, st.sampled_from(["MNLI", " mnli", "mnli:", "t5", ""]), TEXT
                ).filter(lambda t: t not in text2text.TASKS),
                label="bad task",
            )
        elif "field" in broken:
            name = data.draw(st.sampled_from(spec.fields), label="bad field")
            values[name] = data.draw(bad_field_value(task_name, name), label="bad value")
            names["field"] = re.escape(name)
        elif "missing" in broken:
            del values[data.draw(st.sampled_from(spec.fields), label="dropped")]
        elif "extra" in broken:
            extra = data.draw(st.text(string.ascii_letters + "_", min_size=1, max_size=10))
            assume(extra not in spec.fields)
            values[extra] = "x"

        def sane(text: str) -> None:
            assert isinstance(text, str)
            assert text.strip()
            if task_name == "translate":
                head = f"translate {values['source']} to {values['target']}:"
                assert text.startswith(head)
            elif spec.prefix:
                assert text.startswith(spec.prefix + " ")

        contract(
            "nlpguide.text2text.frame",
            lambda: text2text.frame(task, **values),
            broken,
            sane,
            names=names,
        )

    @fuzz(200)
    @given(
        bad_task=st.one_of(TEXT, NON_STR).filter(
            lambda t: not (isinstance(t, str) and t in text2text.TASKS)
        ),
        label=st.one_of(
            st.integers(-3, 6),
            st.sampled_from([HUGE_INT, -HUGE_INT, 2**63, -0.0, 5.0000001, 4.9, 0.1]),
            st.floats(),
            st.booleans(),
            st.sampled_from([np.int64(1), np.float32(2.5), np.bool_(False), Fraction(7, 2)]),
            st.sampled_from(LABEL_WORDS),
            TEXT,
            JUNK,
        ),
    )
    def test_encode_target(self, bad_task: Any, label: Any) -> None:
        """encode_target gives a label word / score / text that decodes back, or a clear error."""
        target = "nlpguide.text2text.encode_target"
        rejects(target, lambda: text2text.encode_target(bad_task, label), r"task")
        for task, spec in text2text.TASKS.items():
            out = attempt(target, lambda task=task: text2text.encode_target(task, label))  # type: ignore[misc]
            if not out.ok:
                continue
            text = out.value
            assert isinstance(text, str)
            if spec.name == "stsb":
                assert re.fullmatch(r"[0-5]\.\d", text), text
                assert float(text) == round(float(label) * 5) / 5
            elif spec.label_words is not None:
                index = text2text.decode_target(task, text)
                assert index == (
                    spec.label_words.index(label) if isinstance(label, str) else int(label)
                )
            else:
                assert text.strip()

    @fuzz(200)
    @given(
        bad_task=st.one_of(TEXT, NON_STR).filter(
            lambda t: not (isinstance(t, str) and t in text2text.TASKS)
        ),
        text=st.one_of(
            st.sampled_from(LABEL_WORDS),
            st.sampled_from(["3.4", "0", "5", "5.01", "-0.0", "nan", "inf", "1e400", " 2 ", "1_0"]),
            TEXT,
            NON_STR,
        ),
    )
    def test_decode_target(self, bad_task: Any, text: Any) -> None:
        """decode_target maps a valid target back to its label, or raises a clear error."""
        target = "nlpguide.text2text.decode_target"
        rejects(target, lambda: text2text.decode_target(bad_task, text), r"task")
        for task, spec in text2text.TASKS.items():
            out = attempt(target, lambda task=task: text2text.decode_target(task, text))  # type: ignore[misc]
            if not out.ok:
                continue
            if spec.name == "stsb":
                assert isinstance(out.value, float)
                assert 0.0 <= out.value <= 5.0
                assert math.copysign(1.0, out.value) == 1.0  # never -0.0
            elif spec.label_words is not None:
                assert spec.label_words[out.value] == text
            else:
                assert out.value == text

    @fuzz(250)
    @given(data=st.data())
    def test_span_corruption(self, data: st.DataObject) -> None:
        """span_corruption reconstructs its tokens, or names the bad argument."""
        broken = draw_broken(
            data.draw, ["tokens", "noise_density", "mean_noise_span_length", "rng"]
        )

        def pick(name: str, good: Any, bad: Any) -> Any:
            return data.draw(bad if name in broken else good, label=name)

        token = st.text(ANY_CHAR, min_size=1, max_size=8).filter(
            lambda t: not text2text._SENTINEL_RE.fullmatch(t)
        )
        tokens = pick(
            "tokens",
            st.one_of(st.lists(token, min_size=2, max_size=60), st.just(HUGE_TEXT.split()[:5000])),
            st.one_of(
                NON_SEQUENCE_OR_STR,
                st.just(["only one"]),
                st.just([]),
                st.just(["a", ""]),
                st.just(["a", "<extra_id_3>"]),
                st.just(["a", None]),
                st.just(["a", b"b"]),
            ),
        )
        kwargs = {
            "noise_density": pick(
                "noise_density",
                st.floats(0.01, 0.99),
                st.one_of(BAD_PROBABILITY, st.sampled_from([0.0, 1.0])),
            ),
            "mean_noise_span_length": pick(
                "mean_noise_span_length",
                st.floats(1.0, 20.0),
                st.one_of(
                    st.floats(max_value=0.999),
                    st.sampled_from([math.nan, math.inf, HUGE_INT, None, "3", True]),
                ),
            ),
            "rng": pick("rng", rngs(), BAD_RNG),
        }

        def sane(ex: text2text.SpanCorruption) -> None:
            assert ex.reconstruct() == list(tokens)
            assert sum(ex.noise_mask) >= 1
            stats = text2text.length_stats(
                len(tokens), kwargs["noise_density"], kwargs["mean_noise_span_length"]
            )
            assert stats == (len(ex.inputs), len(ex.targets))

        contract(
            "nlpguide.text2text.span_corruption",
            lambda: text2text.span_corruption(tokens, **kwargs),
            broken,
            sane,
            # An infeasible mask is a documented ValueError of the other three arguments,
            # whichever of it and a bad rng is found first.
            names={"tokens": r"token|sentinel", "rng": r"rng|cannot build this mask"},
            allowed_when_valid=r"cannot build this mask",
        )

    @fuzz(250)
    @given(data=st.data())
    def test_length_stats(self, data: st.DataObject) -> None:
        """length_stats counts inputs and targets for n tokens, or names the bad argument."""
        broken = draw_broken(data.draw, ["n", "noise_density", "mean_noise_span_length"])

        def pick(name: str, good: Any, bad: Any) -> Any:
            return data.draw(bad if name in broken else good, label=name)

        n = pick(
            "n",
            st.one_of(st.integers(2, 5000), st.sampled_from([2**24 + 1, 2**31 - 1])),
            st.one_of(bad_count(2), st.sampled_from([10**40, HUGE_INT, 2**31])),
        )
        density = pick(
            "noise_density", st.floats(0.001, 0.999), st.one_of(BAD_PROBABILITY, st.just(0.0))
        )
        mean = pick(
            "mean_noise_span_length",
            st.one_of(st.floats(1.0, 1e6), st.just(1e308)),
            st.one_of(st.floats(max_value=0.999), st.sampled_from([math.nan, -math.inf, "3"])),
        )

        def sane(stats: text2text.LengthStats) -> None:
            assert stats.inputs >= 2
            assert stats.targets >= 2
            assert stats.inputs + stats.targets >= n + 2
            assert (stats.inputs + stats.targets - n) % 2 == 0  # two sentinels per span

        contract(
            "nlpguide.text2text.length_stats",
            lambda: text2text.length_stats(n, density, mean),
            broken,
            sane,
            names={"n": r"\bn\b|tokens"},
            allowed_when_valid=r"cannot build this mask",
        )

    @fuzz(200)
    @given(
        inputs=st.one_of(
            st.lists(
                st.sampled_from(["a", "b", "<extra_id_0>", "<extra_id_1>", "<extra_id_7>"]),
                max_size=5,
            ),
            NON_SEQUENCE_OR_STR,
            st.just([1, "<extra_id_0>"]),
        ),
        targets=st.one_of(
            st.lists(
                st.sampled_from(["x", "<extra_id_0>", "<extra_id_1>", "<extra_id_2>"]), max_size=5
            ),
            NON_SEQUENCE_OR_STR,
            st.just(["<extra_id_0>", None]),
        ),
    )
    def test_span_corruption_record(self, inputs: Any, targets: Any) -> None:
        """SpanCorruption rebuilds matching inputs/targets, or says what does not match."""
        ex = attempt(
            "nlpguide.text2text.SpanCorruption",
            lambda: text2text.SpanCorruption(inputs, targets),
        )
        if not ex.ok:
            return
        rebuilt = attempt("nlpguide.text2text.SpanCorruption", ex.value.reconstruct)
        mask = attempt("nlpguide.text2text.SpanCorruption", lambda: ex.value.noise_mask)
        assert rebuilt.ok == mask.ok
        if rebuilt.ok:
            assert len(rebuilt.value) == len(mask.value)
            assert all(isinstance(t, str) for t in rebuilt.value)


class TestRecords:
    """Plain result records: they hold what they are given and print it."""

    RECORDS: tuple[tuple[str, Callable[..., Any]], ...] = (
        ("nlpguide.text2text.TaskSpec", text2text.TaskSpec),
        ("nlpguide.text2text.LengthStats", text2text.LengthStats),
    )

    @fuzz(60)
    @given(which=st.sampled_from(RECORDS), data=st.data())
    def test_plain_records(
        self, which: tuple[str, Callable[..., Any]], data: st.DataObject
    ) -> None:
        """A plain record keeps every field as given and reprs without error."""
        check_plain_record(*which, data)


#: Each public callable -> the test here that fuzzes it (tests/*/test_fuzz_coverage.py).
REGISTRY: dict[str, str] = {
    "nlpguide.text2text.frame": "TestText2Text.test_frame",
    "nlpguide.text2text.encode_target": "TestText2Text.test_encode_target",
    "nlpguide.text2text.decode_target": "TestText2Text.test_decode_target",
    "nlpguide.text2text.span_corruption": "TestText2Text.test_span_corruption",
    "nlpguide.text2text.length_stats": "TestText2Text.test_length_stats",
    "nlpguide.text2text.SpanCorruption": "TestText2Text.test_span_corruption_record",
    "nlpguide.text2text.TaskSpec": "TestRecords.test_plain_records",
    "nlpguide.text2text.LengthStats": "TestRecords.test_plain_records",
}
