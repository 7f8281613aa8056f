"""Tests for nlpguide.text2text: T5's framing, label words and span corruption.

Expected strings come from the T5 reference code and its tests
(google-research/text-to-text-transfer-transformer, t5/data/preprocessors.py and
preprocessors_test.py) and from TFDS's GLUE/SuperGLUE feature names.
"""

from __future__ import annotations

import dataclasses
import math
import re
from typing import Any

import numpy as np
import pytest
from fresh_python import imported_by
from hypothesis import given, settings
from hypothesis import strategies as st

from nlpguide import text2text as t2t
from nlpguide.text2text import (
    TASKS,
    LengthStats,
    SpanCorruption,
    TaskSpec,
    decode_target,
    encode_target,
    frame,
    length_stats,
    span_corruption,
)

GLUE = ("cola", "sst2", "mrpc", "qqp", "stsb", "mnli", "qnli", "rte")
SUPERGLUE = ("boolq", "cb", "copa", "multirc", "wic", "wsc", "record")
CLASSIFICATION = tuple(name for name, spec in TASKS.items() if spec.label_words)
FREE_TEXT = ("squad", "summarize", "translate", "wsc", "record")
SENTINEL = re.compile(r"<extra_id_(\d+)>")

# Input texts that are never blank, built from a safe alphabet plus arbitrary unicode.
nonblank = st.text(min_size=1, max_size=30).filter(lambda s: s.strip() != "")


def _valid_fields(task: str) -> dict[str, Any]:
    """Return a valid set of fields for ``task``."""
    special: dict[str, dict[str, Any]] = {
        "copa": {"choice1": "a", "choice2": "b", "premise": "p", "question": "cause"},
        "record": {"query": "A @placeholder.", "entities": ["X", "Y"], "passage": "X met Y."},
        "wsc": {"text": "Tom said he was late.", "pronoun": "he"},
    }
    return special.get(task, {name: f"value of {name}" for name in TASKS[task].fields})


class TestRegistry:
    def test_all_benchmark_tasks_registered(self) -> None:
        """Every GLUE and SuperGLUE task of the brief plus SQuAD, CNN/DM and WMT is there."""
        assert set(GLUE + SUPERGLUE + ("squad", "summarize", "translate")) == set(TASKS)

    def test_keys_match_spec_names(self) -> None:
        """Each registry key is the name of the spec stored under it."""
        assert all(name == spec.name for name, spec in TASKS.items())

    def test_benchmarks(self) -> None:
        """Each task is filed under the benchmark it belongs to."""
        assert {n for n, s in TASKS.items() if s.benchmark == "GLUE"} == set(GLUE)
        assert {n for n, s in TASKS.items() if s.benchmark == "SuperGLUE"} == set(SUPERGLUE)
        assert TASKS["squad"].benchmark == "SQuAD"
        assert TASKS["summarize"].benchmark == "CNN/DM"
        assert TASKS["translate"].benchmark == "WMT"

    def test_registry_is_read_only(self) -> None:
        """Neither the registry nor a spec can be changed."""
        with pytest.raises(TypeError):
            TASKS["cola"] = TASKS["sst2"]  # type: ignore[index]
        with pytest.raises(dataclasses.FrozenInstanceError):
            TASKS["cola"].prefix = "x"  # type: ignore[misc]

    @pytest.mark.parametrize(
        "task", [n for n in GLUE + SUPERGLUE if n not in ("multirc", "wsc", "record")]
    )
    def test_glue_style_fields_alphabetical(self, task: str) -> None:
        """preprocessors.glue sorts feature names, so the spec lists them sorted."""
        assert list(TASKS[task].fields) == sorted(TASKS[task].fields)

    def test_label_words(self) -> None:
        """Label words are TFDS's label classes, in class-index order."""
        expected = {
            "cola": ("unacceptable", "acceptable"),
            "sst2": ("negative", "positive"),
            "mrpc": ("not_equivalent", "equivalent"),
            "qqp": ("not_duplicate", "duplicate"),
            "mnli": ("entailment", "neutral", "contradiction"),
            "qnli": ("entailment", "not_entailment"),
            "rte": ("entailment", "not_entailment"),
            "boolq": ("False", "True"),
            "cb": ("entailment", "contradiction", "neutral"),
            "copa": ("choice1", "choice2"),
            "multirc": ("False", "True"),
            "wic": ("False", "True"),
        }
        assert {n: s.label_words for n, s in TASKS.items() if s.label_words} == expected

    def test_descriptions_are_one_line(self) -> None:
        """Every task has a non-empty one-line description."""
        for spec in TASKS.values():
            assert isinstance(spec, TaskSpec)
            assert spec.description.strip()
            assert "\n" not in spec.description


class TestFrameFormats:
    @pytest.mark.parametrize(
        ("task", "fields", "expected"),
        [
            (
                "cola",
                {"sentence": "John made Bill master of himself."},
                "cola sentence: John made Bill master of himself.",
            ),
            (
                "sst2",
                {"sentence": "it confirms fincher 's status ."},
                "sst2 sentence: it confirms fincher 's status .",
            ),
            (
                "mrpc",
                {"sentence1": "A b.", "sentence2": "C d."},
                "mrpc sentence1: A b. sentence2: C d.",
            ),
            (
                "qqp",
                {
                    "question1": "Why do I easily get bored of my friends?",
                    "question2": "Why do I get bored of friends so quickly?",
                },
                (
                    "qqp question1: Why do I easily get bored of my friends? "
                    "question2: Why do I get bored of friends so quickly?"
                ),
            ),
            (
                "stsb",
                {"sentence1": "Big news.", "sentence2": "No idea."},
                "stsb sentence1: Big news. sentence2: No idea.",
            ),
            (
                "mnli",
                {"premise": "P.", "hypothesis": "H."},
                "mnli hypothesis: H. premise: P.",
            ),
            (
                "qnli",
                {"question": "Q?", "sentence": "S."},
                "qnli question: Q? sentence: S.",
            ),
            (
                "rte",
                {"sentence1": "A.", "sentence2": "B."},
                "rte sentence1: A. sentence2: B.",
            ),
            (
                "boolq",
                {"question": "does cedar point still have the demon drop", "passage": "P."},
                "boolq passage: P. question: does cedar point still have the demon drop",
            ),
            (
                "cb",
                {"premise": "P.", "hypothesis": "H."},
                "cb hypothesis: H. premise: P.",
            ),
            (
                "copa",
                {
                    "premise": "The tree branch landed in the river.",
                    "choice1": "The branch moved downstream.",
                    "choice2": "The river's current became stronger.",
                    "question": "effect",
                },
                (
                    "copa choice1: The branch moved downstream. choice2: The river's current "
                    "became stronger. premise: The tree branch landed in the river. "
                    "question: effect"
                ),
            ),
            (
                "wic",
                {"word": "bank", "sentence1": "S1.", "sentence2": "S2."},
                "wic sentence1: S1. sentence2: S2. word: bank",
            ),
            (
                "summarize",
                {"text": "An article."},
                "summarize: An article.",
            ),
            (
                "translate",
                {"source": "English", "target": "German", "text": "That is good."},
                "translate English to German: That is good.",
            ),
            (
                "translate",
                {"source": "German", "target": "English", "text": "Das ist gut."},
                "translate German to English: Das ist gut.",
            ),
        ],
    )
    def test_simple_formats(self, task: str, fields: dict[str, str], expected: str) -> None:
        """GLUE-style, summarize and translate inputs match T5's strings exactly."""
        assert frame(task, **fields) == expected

    def test_multirc_strips_html(self) -> None:
        """MultiRC keeps question, answer, paragraph order and drops the HTML (T5's test)."""
        paragraph = (
            "<b>Sent 1: </b>Once upon a time, there was a squirrel named Joey.<br>"
            "<b>Sent 2: </b>Joey loved to go outside and play with his cousin Jimmy."
        )
        got = frame(
            "multirc",
            paragraph=paragraph,
            question="Why was Joey surprised the morning he woke up for breakfast?",
            answer="There was only pie to eat",
        )
        assert got == (
            "multirc question: Why was Joey surprised the morning he woke up for breakfast? "
            "answer: There was only pie to eat paragraph: Sent 1: Once upon a time, there was "
            "a squirrel named Joey. Sent 2: Joey loved to go outside and play with his cousin "
            "Jimmy."
        )

    def test_record(self) -> None:
        """ReCoRD joins entities with commas and turns @highlight lines into sentences."""
        got = frame(
            "record",
            query="It was @placeholder.",
            entities=["A", "B", "C"],
            passage="This is the passage\n@highlight\nAnother sentence.\n@highlight\nThird "
            "sentence.",
        )
        assert got == (
            "record query: It was @placeholder. entities: A, B, C passage: This is the "
            "passage. Another sentence. Third sentence."
        )

    def test_record_accepts_tuple_entities(self) -> None:
        """Entities may be any sequence of strings, e.g. a tuple."""
        got = frame("record", query="@placeholder won.", entities=("X",), passage="X won.")
        assert got == "record query: @placeholder won. entities: X passage: X won."

    def test_squad(self) -> None:
        """SQuAD pads punctuation and keeps the trailing space, as T5's own test expects."""
        got = frame("squad", question="A question?", context="Some context.")
        assert got == "question: A question ? context: Some context . "

    def test_squad_pad_punctuation(self) -> None:
        """Punctuation padding matches T5's test_pad_punctuation (and its i18n variant)."""
        got = frame(
            "squad",
            question='"This  is a string with "punctuation (1845-1986) ".',
            context='"Introducción (la vídeo)".',
        )
        assert got == (
            'question: " This is a string with " punctuation ( 1845 - 1986 ) " . '
            'context: " Introducción ( la vídeo ) " . '
        )

    @pytest.mark.parametrize(
        ("text", "pronoun", "expected"),
        [
            (
                "Mitchell asked Tom if he could lend some money.",
                "he",
                "wsc: Mitchell asked Tom if *he* could lend some money.",
            ),
            (
                "Bill beat Tom at Scrabble because that newbie had all the luck.",
                "that newbie",
                "wsc: Bill beat Tom at Scrabble because *that newbie* had all the luck.",
            ),
            (
                "Carl borrowed a book from Richard, but the book was unreadable to him.",
                "him",
                "wsc: Carl borrowed a book from Richard, but the book was unreadable to *him*.",
            ),
            (
                "The fish ate the worm. It was tasty.",
                "It",
                "wsc: The fish ate the worm. *It* was tasty.",
            ),
        ],
    )
    def test_wsc(self, text: str, pronoun: str, expected: str) -> None:
        """WSC stars the pronoun as T5's DPR/WSC simple tests expect."""
        assert frame("wsc", text=text, pronoun=pronoun) == expected

    def test_wsc_marks_first_whole_word_only(self) -> None:
        """Only the first whole-word occurrence is starred, never a substring of a word."""
        got = frame("wsc", text="The hen said he saw he left.", pronoun="he")
        assert got == "wsc: The hen said *he* saw he left."

    def test_wsc_regex_characters_are_literal(self) -> None:
        """A pronoun containing regex metacharacters is matched literally."""
        got = frame("wsc", text="Ask a.b now.", pronoun="a.b")
        assert got == "wsc: Ask *a.b* now."
        with pytest.raises(ValueError, match="does not occur"):
            frame("wsc", text="Ask axb now.", pronoun="a.b")

    def test_field_order_of_call_is_irrelevant(self) -> None:
        """Keyword order does not change the framing."""
        a = frame("mnli", premise="p", hypothesis="h")
        b = frame("mnli", hypothesis="h", premise="p")
        assert a == b == "mnli hypothesis: h premise: p"

    @settings(max_examples=60)
    @given(
        task=st.sampled_from(
            [n for n in GLUE + SUPERGLUE if n not in ("multirc", "wsc", "record", "copa")]
        ),
        data=st.data(),
    )
    def test_glue_style_property(self, task: str, data: st.DataObject) -> None:
        """Any non-blank unicode values give 'task f1: v1 f2: v2 ...' in field order."""
        values = {f: data.draw(nonblank, label=f) for f in TASKS[task].fields}
        expected = " ".join([task, *(f"{f}: {values[f]}" for f in TASKS[task].fields)])
        assert frame(task, **values) == expected

    @settings(max_examples=60)
    @given(question=nonblank, context=nonblank)
    def test_squad_has_no_whitespace_runs(self, question: str, context: str) -> None:
        """SQuAD framing never holds two whitespace characters in a row."""
        got = frame("squad", question=question, context=context)
        assert got.startswith("question: ")
        assert " context: " in got
        assert re.search(r"\s\s", got) is None


class TestFrameErrors:
    def test_unknown_task_suggests(self) -> None:
        """An unknown task names close matches and lists the known ones."""
        with pytest.raises(ValueError, match="did you mean 'mnli'") as info:
            frame("mnl", premise="p", hypothesis="h")
        assert "known tasks: cola, sst2" in str(info.value)

    def test_unknown_task_case_hint(self) -> None:
        """A wrongly cased task name is refused but suggested in lower case."""
        with pytest.raises(ValueError, match="did you mean 'sst2'"):
            frame("SST2", sentence="x")

    def test_task_not_str(self) -> None:
        """A task that is not a string is a TypeError."""
        with pytest.raises(TypeError, match="task must be a str"):
            frame(3, sentence="x")  # type: ignore[arg-type]

    def test_missing_field(self) -> None:
        """A missing field is named, with the expected ones listed."""
        with pytest.raises(ValueError, match=r"missing field\(s\) 'premise'.*hypothesis, premise"):
            frame("mnli", hypothesis="h")

    def test_unexpected_field_suggests(self) -> None:
        """A misspelled field is named, with a suggestion and the expected ones."""
        with pytest.raises(ValueError, match="'premis': did you mean 'premise'") as info:
            frame("mnli", hypothesis="h", premis="p")
        assert "expected: hypothesis, premise" in str(info.value)

    def test_extra_field(self) -> None:
        """A field the task does not take is refused even when the rest are complete."""
        with pytest.raises(ValueError, match="unexpected field"):
            frame("cola", sentence="s", label="acceptable")

    @pytest.mark.parametrize("value", [None, 3, 1.5, b"bytes", ["a"], True])
    def test_non_str_value(self, value: object) -> None:
        """A field value that is not a str is a TypeError naming the field."""
        with pytest.raises(TypeError, match="'sentence'"):
            frame("cola", sentence=value)  # type: ignore[arg-type]

    @pytest.mark.parametrize("value", ["", " ", "\n\t", "\u3000"])
    def test_blank_value(self, value: str) -> None:
        """Empty or whitespace-only values are a ValueError naming the field."""
        with pytest.raises(ValueError, match=r"'text'.*empty"):
            frame("summarize", text=value)

    def test_copa_question(self) -> None:
        """COPA's question must be 'cause' or 'effect'."""
        fields = _valid_fields("copa") | {"question": "why"}
        with pytest.raises(ValueError, match="'cause' or 'effect'"):
            frame("copa", **fields)

    def test_record_needs_placeholder(self) -> None:
        """A ReCoRD query without @placeholder is refused."""
        fields = _valid_fields("record") | {"query": "No blank here."}
        with pytest.raises(ValueError, match="@placeholder"):
            frame("record", **fields)

    @pytest.mark.parametrize(
        ("entities", "error"),
        [("A, B", TypeError), ([], ValueError), (["A", 1], TypeError), (["A", " "], ValueError)],
    )
    def test_record_entities(self, entities: object, error: type[Exception]) -> None:
        """Entities must be a non-empty list of non-blank strings."""
        fields = _valid_fields("record") | {"entities": entities}
        with pytest.raises(error, match="entit"):
            frame("record", **fields)

    @pytest.mark.parametrize(
        ("text", "pronoun"),
        [("He left.", "He"), ("Tom saw her", "her"), ("Then they?", "they"), ("a b", "c")],
    )
    def test_wsc_pronoun_not_markable(self, text: str, pronoun: str) -> None:
        """A pronoun T5's rule cannot star (start of text, end without punctuation) fails."""
        with pytest.raises(ValueError, match="does not occur"):
            frame("wsc", text=text, pronoun=pronoun)

    @settings(max_examples=150)
    @given(
        task=st.one_of(st.sampled_from(list(TASKS)), st.text(max_size=12), st.integers()),
        fields=st.dictionaries(
            st.sampled_from(["sentence", "text", "premise", "hypothesis", "question", "x"])
            | st.text(min_size=1, max_size=8).filter(str.isidentifier),
            st.one_of(st.text(max_size=12), st.none(), st.integers(), st.lists(st.text())),
            max_size=4,
        ),
    )
    def test_fuzz_only_value_or_type_errors(self, task: Any, fields: dict[str, Any]) -> None:
        """Arbitrary tasks and fields either frame to a str or raise ValueError/TypeError."""
        try:
            got = frame(task, **fields)
        except (ValueError, TypeError):
            return
        assert isinstance(got, str)
        assert got


class TestTargets:
    @settings(max_examples=80)
    @given(task=st.sampled_from(CLASSIFICATION), data=st.data())
    def test_round_trip_index(self, task: str, data: st.DataObject) -> None:
        """decode_target(encode_target(i)) == i for every class index."""
        words = TASKS[task].label_words
        assert words is not None
        index = data.draw(st.integers(0, len(words) - 1))
        assert decode_target(task, encode_target(task, index)) == index

    @pytest.mark.parametrize("task", CLASSIFICATION)
    def test_round_trip_words(self, task: str) -> None:
        """Label words encode to themselves and decode to their index."""
        words = TASKS[task].label_words
        assert words is not None
        for index, word in enumerate(words):
            assert encode_target(task, word) == word
            assert encode_target(task, np.int64(index)) == word
            assert decode_target(task, word) == index

    def test_examples(self) -> None:
        """A few targets spelled out as T5 writes them."""
        assert encode_target("qqp", 0) == "not_duplicate"
        assert encode_target("mnli", 1) == "neutral"
        assert encode_target("cb", 1) == "contradiction"
        assert encode_target("copa", 0) == "choice1"
        assert encode_target("boolq", 1) == "True"

    @pytest.mark.parametrize(
        ("label", "error"),
        [
            (True, TypeError),
            (1.0, TypeError),
            (None, TypeError),
            (-1, ValueError),
            (2, ValueError),
            ("Acceptable", ValueError),
            ("<unk>", ValueError),
        ],
    )
    def test_encode_bad_labels(self, label: Any, error: type[Exception]) -> None:
        """Bools, floats, out-of-range indices (-1 included) and unknown words are refused."""
        with pytest.raises(error):
            encode_target("cola", label)

    @pytest.mark.parametrize("text", ["Positive", " positive", "positive ", "1", ""])
    def test_decode_invalid_raises(self, text: str) -> None:
        """Only exact label words decode; the message mentions T5's -1."""
        with pytest.raises(ValueError, match="-1"):
            decode_target("sst2", text)

    def test_decode_non_str(self) -> None:
        """Decoding something that is not text is a TypeError."""
        with pytest.raises(TypeError):
            decode_target("sst2", 1)  # type: ignore[arg-type]

    @pytest.mark.parametrize("task", FREE_TEXT)
    def test_free_text_decode_is_identity(self, task: str) -> None:
        """Free-text targets decode to themselves."""
        assert decode_target(task, "Das ist gut.") == "Das ist gut."

    def test_free_text_encode(self) -> None:
        """Free-text targets pass through, SQuAD answers are punctuation-padded like T5's."""
        assert encode_target("summarize", "A summary.") == "A summary."
        assert encode_target("translate", "Das ist gut.") == "Das ist gut."
        assert encode_target("wsc", "Tom") == "Tom"
        assert encode_target("record", "penguin") == "penguin"
        assert encode_target("squad", "The answer.") == "The answer . "

    @pytest.mark.parametrize(("label", "error"), [(3, TypeError), ("", ValueError)])
    def test_free_text_encode_errors(self, label: Any, error: type[Exception]) -> None:
        """Free-text targets must be non-blank text."""
        with pytest.raises(error):
            encode_target("summarize", label)


class TestStsb:
    @pytest.mark.parametrize(
        ("score", "expected"),
        [(2.8, "2.8"), (1.66, "1.6"), (0, "0.0"), (5, "5.0"), (0.1, "0.0"), (0.3, "0.4")],
    )
    def test_examples(self, score: float, expected: str) -> None:
        """Scores round to the 0.2 grid with ties to even, as preprocessors.stsb."""
        assert encode_target("stsb", score) == expected

    @settings(max_examples=150)
    @given(st.floats(0, 5))
    def test_rounding_properties(self, score: float) -> None:
        """Targets have one decimal, lie on the 0.2 grid, within 0.1 of the score."""
        text = encode_target("stsb", score)
        assert re.fullmatch(r"[0-5]\.[02468]", text)
        value = decode_target("stsb", text)
        assert isinstance(value, float)
        assert abs(value - score) <= 0.1 + 1e-9
        assert math.isclose(value * 5, round(value * 5), abs_tol=1e-9)
        assert value == pytest.approx(round(score * 5) / 5)

    def test_numpy_scores(self) -> None:
        """numpy floats are scores too."""
        assert encode_target("stsb", np.float32(3.4)) == "3.4"

    @pytest.mark.parametrize(
        ("score", "error"),
        [
            (math.nan, ValueError),
            (math.inf, ValueError),
            (-0.01, ValueError),
            (5.01, ValueError),
            ("3.4", TypeError),
            (True, TypeError),
            (None, TypeError),
        ],
    )
    def test_bad_scores(self, score: Any, error: type[Exception]) -> None:
        """NaN, infinities, out-of-range and non-numeric scores are refused."""
        with pytest.raises(error):
            encode_target("stsb", score)

    @pytest.mark.parametrize("text", ["abc", "nan", "inf", "-0.2", "5.2", ""])
    def test_decode_bad(self, text: str) -> None:
        """Text that is no score in [0, 5] does not decode."""
        with pytest.raises(ValueError, match="stsb"):
            decode_target("stsb", text)


def _expected_counts(n: int, density: float, mean: float) -> tuple[int, int]:
    """T5's counts, computed independently with numpy float32 as TensorFlow does."""
    noise = int(np.round(np.float32(n) * np.float32(density)))
    noise = min(max(noise, 1), n - 1)
    spans = max(int(np.round(np.float32(noise) / np.float32(mean))), 1)
    return noise, spans


def _interleave(inputs: list[str], targets: list[str]) -> list[str]:
    """Rebuild the original by splitting targets at sentinels and splicing into inputs."""
    pieces: dict[str, list[str]] = {}
    key = None
    for token in targets:
        if SENTINEL.fullmatch(token):
            key = token
            pieces[key] = []
        else:
            assert key is not None
            pieces[key].append(token)
    out: list[str] = []
    for token in inputs:
        out.extend(pieces.get(token, [token]))
    return out


token_lists = st.lists(
    st.text(min_size=1, max_size=4).filter(lambda s: not SENTINEL.fullmatch(s)),
    min_size=2,
    max_size=120,
)


class TestSpanCorruption:
    @settings(max_examples=120, deadline=None)
    @given(
        tokens=token_lists,
        density=st.floats(0.01, 0.99),
        mean=st.floats(1.0, 10.0),
        seed=st.integers(0, 2**32),
    )
    def test_invariants(self, tokens: list[str], density: float, mean: float, seed: int) -> None:
        """Counts, sentinel numbering, lengths and lossless reconstruction all hold."""
        n = len(tokens)
        noise, spans = _expected_counts(n, density, mean)
        kwargs: dict[str, Any] = {"noise_density": density, "mean_noise_span_length": mean}
        if spans > n - noise:
            with pytest.raises(ValueError, match="cannot build this mask"):
                span_corruption(tokens, rng=seed, **kwargs)
            return
        inputs, targets = result = span_corruption(tokens, rng=seed, **kwargs)
        sentinels = [f"<extra_id_{i}>" for i in range(spans)]
        assert [t for t in inputs if SENTINEL.fullmatch(t)] == sentinels
        assert [t for t in targets if SENTINEL.fullmatch(t)] == sentinels
        assert targets[0] == "<extra_id_0>"
        assert inputs[-1] == sentinels[-1]  # spans alternate kept/noise, ending with noise
        assert not SENTINEL.fullmatch(inputs[0])
        assert not SENTINEL.fullmatch(targets[-1])
        assert len(targets) == noise + spans
        assert len(inputs) == n - noise + spans
        assert length_stats(n, density, mean) == (len(inputs), len(targets))
        assert _interleave(inputs, targets) == tokens
        assert result.reconstruct() == tokens
        assert sum(result.noise_mask) == noise
        assert span_corruption(tokens, rng=seed, **kwargs) == result

    def test_returns_pair(self) -> None:
        """The result is a NamedTuple that unpacks as (inputs, targets)."""
        result = span_corruption(list("abcdefghij"), rng=0)
        assert isinstance(result, SpanCorruption)
        assert isinstance(result, tuple)
        assert len(result) == 2
        inputs, targets = result
        assert (inputs, targets) == (result.inputs, result.targets)

    def test_t5_denoise_example(self) -> None:
        """T5's test_denoise: 19 tokens at density 0.3 give 2 spans, 15 inputs, 8 targets."""
        tokens = [str(t) for t in [3, 2, 20, 4, 3, 2, 8, 13, 2, 3, 2, 23, 7, 19, 22, 3, 2, 7, 2]]
        inputs, targets = span_corruption(tokens, noise_density=0.3, rng=42)
        assert (len(inputs), len(targets)) == (15, 8)
        assert sum(SENTINEL.fullmatch(t) is not None for t in targets) == 2

    def test_t5_noise_mask_example(self) -> None:
        """T5's test_random_spans_noise_mask: 32 tokens, 0.25, 2.0 give 8 noise tokens, 4 spans."""
        result = span_corruption([f"t{i}" for i in range(32)], noise_density=0.25,
                                 mean_noise_span_length=2.0, rng=3)  # fmt: skip
        mask = result.noise_mask
        starts = sum(m and (i == 0 or not mask[i - 1]) for i, m in enumerate(mask))
        assert (sum(mask), starts) == (8, 4)

    def test_single_span_is_the_tail(self) -> None:
        """With one noise span the reference always masks the end of the sequence."""
        sentence = "Thank you for inviting me to your party last week ."
        tokens = sentence.split()
        for seed in range(5):
            inputs, targets = span_corruption(tokens, rng=seed)
            assert inputs == [*tokens[:-2], "<extra_id_0>"]
            assert targets == ["<extra_id_0>", "week", "."]

    def test_minimal_sequence(self) -> None:
        """Two tokens give one kept token and one noise token."""
        assert span_corruption(["a", "b"], rng=0) == (["a", "<extra_id_0>"], ["<extra_id_0>", "b"])

    def test_generator_and_seed_agree(self) -> None:
        """An int seed behaves like a fresh Generator seeded with it."""
        tokens = [f"w{i}" for i in range(60)]
        by_seed = span_corruption(tokens, rng=7)
        by_gen = span_corruption(tokens, rng=np.random.default_rng(7))
        assert by_seed == by_gen

    def test_seeds_vary_the_mask(self) -> None:
        """Different seeds draw different masks."""
        tokens = [f"w{i}" for i in range(60)]
        masks = {tuple(span_corruption(tokens, rng=s).noise_mask) for s in range(10)}
        assert len(masks) > 5

    def test_default_rng(self) -> None:
        """Without rng the counts still follow the formula."""
        inputs, targets = span_corruption([f"w{i}" for i in range(40)])
        assert (len(inputs), len(targets)) == length_stats(40)

    def test_masks_uniform(self) -> None:
        """The two possible masks for 5 tokens, density 0.4, mean 1 are about equally likely."""
        gen = np.random.default_rng(0)
        tokens = list("abcde")
        masks = [tuple(span_corruption(tokens, noise_density=0.4, mean_noise_span_length=1,
                                       rng=gen).noise_mask) for _ in range(400)]  # fmt: skip
        assert set(masks) == {
            (False, True, False, False, True),
            (False, False, True, False, True),
        }
        share = masks.count((False, True, False, False, True)) / len(masks)
        assert 0.4 < share < 0.6

    @pytest.mark.parametrize(
        ("tokens", "error"),
        [
            ("a string", TypeError),
            (b"ab", TypeError),
            ({"a", "b"}, TypeError),
            (["a"], ValueError),
            ([], ValueError),
            (["a", 1], TypeError),
            (["a", ""], ValueError),
            (["a", "<extra_id_3>"], ValueError),
        ],
    )
    def test_bad_tokens(self, tokens: Any, error: type[Exception]) -> None:
        """Tokens must be a sequence of >= 2 non-empty, non-sentinel strings."""
        with pytest.raises(error):
            span_corruption(tokens, rng=0)

    @pytest.mark.parametrize(
        ("kwargs", "error"),
        [
            ({"noise_density": math.nan}, ValueError),
            ({"noise_density": math.inf}, ValueError),
            ({"noise_density": 0.0}, ValueError),
            ({"noise_density": 1.0}, ValueError),
            ({"noise_density": -0.1}, ValueError),
            ({"noise_density": "0.15"}, TypeError),
            ({"noise_density": True}, TypeError),
            ({"mean_noise_span_length": 0.5}, ValueError),
            ({"mean_noise_span_length": math.nan}, ValueError),
            ({"mean_noise_span_length": None}, TypeError),
            ({"rng": 1.5}, TypeError),
            ({"rng": True}, TypeError),
            ({"rng": -1}, ValueError),
            ({"rng": np.random.RandomState(0)}, TypeError),
            ({"noise_density": 0.9, "mean_noise_span_length": 1.0}, ValueError),
        ],
    )
    def test_bad_parameters(self, kwargs: dict[str, Any], error: type[Exception]) -> None:
        """Invalid densities, span lengths, rngs and infeasible settings are refused."""
        with pytest.raises(error):
            span_corruption([f"w{i}" for i in range(20)], **kwargs)

    @settings(max_examples=150, deadline=None)
    @given(
        tokens=st.one_of(token_lists, st.text(), st.lists(st.one_of(st.text(), st.integers()))),
        density=st.one_of(st.floats(), st.integers(), st.text(), st.none()),
        mean=st.one_of(st.floats(), st.integers(-5, 50), st.none()),
        rng=st.one_of(st.none(), st.integers(-5, 2**40), st.floats(), st.booleans()),
    )
    def test_fuzz_only_value_or_type_errors(
        self, tokens: Any, density: Any, mean: Any, rng: Any
    ) -> None:
        """Arbitrary arguments either corrupt losslessly or raise ValueError/TypeError."""
        try:
            result = span_corruption(
                tokens, noise_density=density, mean_noise_span_length=mean, rng=rng
            )
        except (ValueError, TypeError):
            return
        assert result.reconstruct() == list(tokens)

    @pytest.mark.parametrize(
        ("inputs", "targets"),
        [
            (["a", "<extra_id_0>"], ["b"]),
            (["a", "<extra_id_1>"], ["<extra_id_0>", "b", "<extra_id_1>", "c"]),
            (["a", "<extra_id_0>"], ["<extra_id_1>", "b"]),
            (["a"], ["<extra_id_0>", "b"]),
            (["<extra_id_0>", "<extra_id_0>"], ["<extra_id_0>", "b"]),
        ],
    )
    def test_malformed_pairs_do_not_reconstruct(
        self, inputs: list[str], targets: list[str]
    ) -> None:
        """Hand-built pairs whose sentinels do not match raise ValueError."""
        with pytest.raises(ValueError, match="sentinel"):
            SpanCorruption(inputs, targets).reconstruct()


class TestLengthStats:
    def test_random_spans_helper_values(self) -> None:
        """T5's test_random_spans_helper (70, 22) and (63, 27) are these plus one EOS each."""
        assert length_stats(70, 0.2, 2.0) == LengthStats(63, 21)
        assert length_stats(63, 0.2, 1.0) == LengthStats(63, 26)

    def test_float32_tie(self) -> None:
        """190 tokens at 0.15 give 29 noise tokens in float32 (float64 would give 28)."""
        assert round(190 * 0.15) == 28
        assert length_stats(190) == LengthStats(190 - 29 + 10, 29 + 10)

    @settings(max_examples=100)
    @given(n=st.integers(2, 5000), density=st.floats(0.01, 0.5), mean=st.floats(1, 10))
    def test_formula(self, n: int, density: float, mean: float) -> None:
        """Lengths are n - noise + spans and noise + spans with T5's float32 counts."""
        noise, spans = _expected_counts(n, density, mean)
        if spans > n - noise:  # e.g. n=3 at 0.5: T5's mask cannot be built
            with pytest.raises(ValueError, match="cannot build this mask"):
                length_stats(n, density, mean)
            return
        assert length_stats(n, density, mean) == (n - noise + spans, noise + spans)

    @pytest.mark.parametrize(
        ("args", "error"),
        [((1,), ValueError), ((2.0,), TypeError), ((True,), TypeError), ((10, 1.5), ValueError)],
    )
    def test_bad_arguments(self, args: tuple[Any, ...], error: type[Exception]) -> None:
        """n must be an int >= 2 and the density in (0, 1)."""
        with pytest.raises(error):
            length_stats(*args)


class TestRegressions:
    """Bugs the bad-input fuzzing found, each kept as the plain case that showed it."""

    def test_huge_stsb_score_is_a_value_error_not_overflow(self) -> None:
        with pytest.raises(ValueError, match="huge int"):
            t2t.encode_target("stsb", 10**400)

    def test_huge_noise_density_is_a_value_error_not_overflow(self) -> None:
        with pytest.raises(ValueError, match="noise_density"):
            t2t.span_corruption(list("abcdef"), noise_density=10**400)

    def test_huge_length_is_a_value_error_not_struct_error(self) -> None:
        for n in (10**40, 10**400):
            with pytest.raises(ValueError, match=r"n must be at most 2\*\*31 - 1"):
                t2t.length_stats(n)

    def test_reconstruct_of_unchecked_record_names_inputs(self) -> None:
        with pytest.raises(TypeError, match="inputs must be a list of str"):
            SpanCorruption(None, []).reconstruct()  # type: ignore[arg-type]

    def test_decoded_negative_zero_score_is_positive_zero(self) -> None:
        score = t2t.decode_target("stsb", "-0.0")
        assert score == 0.0
        assert math.copysign(1.0, float(score)) == 1.0


class TestImportCost:
    def test_framing_does_not_import_numpy(self) -> None:
        """frame, TASKS, targets and length_stats work without importing numpy."""
        code = (
            "from nlpguide import text2text as t\n"
            "t.frame('cola', sentence='x'); t.encode_target('stsb', 2.5); t.length_stats(9)"
        )
        assert imported_by(code, "numpy") == []

    def test_public_names(self) -> None:
        """__all__ lists exactly the documented public API."""
        assert set(t2t.__all__) == {
            "TASKS", "LengthStats", "SpanCorruption", "TaskSpec", "decode_target",
            "encode_target", "frame", "length_stats", "span_corruption",
        }  # fmt: skip
