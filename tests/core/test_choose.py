"""Tests for nlpguide.choose: the quick-reference table, recommendations, sizes and costs."""

from __future__ import annotations

import contextlib
import dataclasses
import html.parser
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from choose_configs import SMALL_CONFIGS
from hypothesis import given, settings
from hypothesis import strategies as st

import nlpguide
from nlpguide.choose import (
    ARCHITECTURES,
    QUICK_REFERENCE,
    SUPPORTED_MODEL_TYPES,
    TABLE_FORMATS,
    TABLE_HEADERS,
    QuickReferenceRow,
    Recommendation,
    counted_model_class,
    flops_per_token,
    forward_flops,
    known_models,
    known_tasks,
    parameter_count,
    recommend,
    reference_config,
    render_table,
)

# Nothing in these tests may reach the Hub; set before transformers is imported.
os.environ.setdefault("HF_HUB_OFFLINE", "1")

BAD_INPUT = (ValueError, TypeError)

# The lesson's table, typed out once more on purpose: QUICK_REFERENCE must match it.
LESSON_TABLE = [
    ("Classification", ("BERT",), "Bidirectional context", "encoder"),
    ("NER", ("BERT", "SpaCy"), "Token-level understanding", "encoder"),
    ("Summarization", ("T5", "BART"), "Encoder-decoder structure", "encoder-decoder"),
    ("Chat / QA", ("GPT", "LLaMA"), "Autoregressive generation", "decoder"),
    ("Translation", ("T5", "mBART"), "Cross-lingual transfer", "encoder-decoder"),
]

# sum(p.numel() for p in model.parameters()) of the counted class on the meta
# device, transformers 5.24 (the first three are also in shared/ASSETS.md).
KNOWN_COUNTS = {
    "google-bert/bert-base-uncased": 109_482_240,
    "google-t5/t5-small": 60_506_624,
    "meta-llama/Llama-2-7b-hf": 6_738_415_616,
    "google-bert/bert-large-uncased": 335_141_888,
    "distilbert/distilbert-base-uncased": 66_362_880,
    "sentence-transformers/all-MiniLM-L6-v2": 22_713_216,
    "google-t5/t5-base": 222_903_552,
    "facebook/bart-base": 139_420_416,
    "openai-community/gpt2": 124_439_808,
    "HuggingFaceTB/SmolLM2-135M": 134_515_008,
    "HuggingFaceTB/SmolLM2-135M-Instruct": 134_515_008,
}

# Keys a config may omit (transformers' default applies); every other key of a
# bundled config is required.
OPTIONAL_KEYS = {
    "bert": set(),
    "distilbert": set(),
    "t5": {"num_decoder_layers", "relative_attention_num_buckets", "feed_forward_proj"},
    "bart": {"tie_word_embeddings"},
    "gpt2": {"n_inner", "tie_word_embeddings"},
    "llama": {"num_key_value_heads", "head_dim", "tie_word_embeddings", "max_position_embeddings"},
}


class TestImportCost:
    def test_no_numpy_torch_or_transformers(self) -> None:
        """Importing and using nlpguide.choose loads neither numpy nor torch nor transformers."""
        code = (
            "import sys, nlpguide.choose as c\n"
            "c.render_table('text'); c.recommend('qa'); c.parameter_count('gpt2')\n"
            "c.forward_flops('t5-small', 8)\n"
            "assert not {'numpy', 'torch', 'transformers'} & set(sys.modules), sys.modules\n"
        )
        src = str(Path(nlpguide.__file__).parents[1])
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([src, os.environ.get("PYTHONPATH", "")])}
        result = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, result.stderr

    def test_plain_import_as_the_brief_states(self) -> None:
        """The one-liner `import nlpguide.choose` leaves numpy unloaded."""
        src = str(Path(nlpguide.__file__).parents[1])
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([src, os.environ.get("PYTHONPATH", "")])}
        code = "import nlpguide.choose, sys; assert 'numpy' not in sys.modules"
        result = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, result.stderr


class TestQuickReference:
    def test_matches_the_lesson(self) -> None:
        """QUICK_REFERENCE holds exactly the lesson's five rows, in order."""
        assert [(r.task, r.models, r.why, r.architecture) for r in QUICK_REFERENCE] == LESSON_TABLE

    def test_architectures_are_the_three_families(self) -> None:
        """Every row names one of the three families, and every family is used."""
        assert {r.architecture for r in QUICK_REFERENCE} == set(ARCHITECTURES)

    def test_rows_are_frozen(self) -> None:
        """A row cannot be changed after creation."""
        with pytest.raises(dataclasses.FrozenInstanceError):
            QUICK_REFERENCE[0].task = "x"  # type: ignore[misc]

    @pytest.mark.parametrize(
        ("kwargs", "error"),
        [
            ({"architecture": "transformer"}, ValueError),
            ({"models": ()}, ValueError),
            ({"models": ["BERT"]}, TypeError),
            ({"models": ("BERT", 3)}, TypeError),
            ({"task": ""}, ValueError),
            ({"why": "two\nlines"}, ValueError),
            ({"task": None}, TypeError),
            ({"why": "two  spaces"}, ValueError),
            ({"task": " padded"}, ValueError),
            ({"architecture": 3}, TypeError),
        ],
    )
    def test_invalid_rows_rejected(self, kwargs: dict[str, Any], error: type[Exception]) -> None:
        """A row with a bad field raises the matching error instead of being stored."""
        base = {"task": "T", "models": ("M",), "why": "W", "architecture": "encoder"}
        with pytest.raises(error):
            QuickReferenceRow(**{**base, **kwargs})


def _split_markdown_row(line: str) -> list[str]:
    """Split a rendered markdown row on unescaped pipes, undoing the escapes."""
    cells: list[str] = []
    current: list[str] = []
    chars = iter(line)
    for char in chars:
        if char == "\\":
            current.append(next(chars))
        elif char == "|":
            cells.append("".join(current))
            current = []
        else:
            current.append(char)
    assert cells[0] == ""
    assert "".join(current) == ""
    # The renderer pads each cell with one space on either side.
    assert all(c.startswith(" ") and c.endswith(" ") for c in cells[1:])
    return [c[1:-1] for c in cells[1:]]


class _CellCollector(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, _attrs: Any) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag in {"td", "th"}:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in {"td", "th"} and self._cell is not None:
            self.rows[-1].append("".join(self._cell))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


cell_text = st.text(
    st.characters(codec="utf-8", categories=["L", "N", "P", "S", "Zs"]), min_size=1, max_size=20
).filter(lambda s: s.isprintable() and " ".join(s.split()) == s)
rows_strategy = st.lists(
    st.builds(
        QuickReferenceRow,
        task=cell_text,
        models=st.lists(cell_text, min_size=1, max_size=3).map(tuple),
        why=cell_text,
        architecture=st.sampled_from(ARCHITECTURES),
    ),
    min_size=1,
    max_size=4,
)


class TestRenderTable:
    def test_markdown_exact(self) -> None:
        """The markdown table has the lesson's headers and one line per row."""
        lines = render_table("markdown").splitlines()
        assert lines[0] == "| Task | Best model | Why | Architecture |"
        assert lines[1] == "|---|---|---|---|"
        assert lines[3] == "| NER | BERT / SpaCy | Token-level understanding | encoder |"
        assert len(lines) == 2 + len(QUICK_REFERENCE)

    def test_default_format_is_markdown(self) -> None:
        """render_table() without arguments renders markdown."""
        assert render_table() == render_table("markdown")

    def test_text_columns_align(self) -> None:
        """In the text table every column starts at the same offset on every line."""
        lines = render_table("text").splitlines()
        starts = [lines[0].index(h) for h in TABLE_HEADERS]
        for line, row in zip(lines[2:], QUICK_REFERENCE, strict=True):
            assert [line.index(c, s) for c, s in zip(row.cells(), starts, strict=True)] == starts
        assert set(lines[1].replace(" ", "")) == {"-"}

    @pytest.mark.parametrize("fmt", TABLE_FORMATS)
    def test_every_format_holds_every_cell(self, fmt: str) -> None:
        """Each format shows every cell of every row (escaped where needed)."""
        out = render_table(fmt)  # type: ignore[arg-type]
        for row in QUICK_REFERENCE:
            for cell in row.cells():
                assert cell in out

    @given(rows=rows_strategy)
    @settings(max_examples=40)
    def test_markdown_round_trips(self, rows: list[QuickReferenceRow]) -> None:
        """Markdown's special characters are escaped, so each line splits back into its cells."""
        lines = render_table("markdown", rows=rows).splitlines()
        assert [_split_markdown_row(line) for line in lines[2:]] == [list(r.cells()) for r in rows]

    @given(rows=rows_strategy)
    @settings(max_examples=40)
    def test_html_round_trips(self, rows: list[QuickReferenceRow]) -> None:
        """HTML special characters are escaped, so a parser reads back the exact cells."""
        parser = _CellCollector()
        parser.feed(render_table("html", rows=rows))
        parser.close()
        assert parser.rows == [list(TABLE_HEADERS)] + [list(r.cells()) for r in rows]

    def test_html_escapes_markup(self) -> None:
        """A cell holding markup appears escaped, never as a tag."""
        row = QuickReferenceRow("<b>x</b> & y", ("M",), 'say "hi"', "decoder")
        out = render_table("html", rows=[row])
        assert "<b>" not in out
        assert "&lt;b&gt;x&lt;/b&gt; &amp; y" in out

    def test_unknown_format(self) -> None:
        """An unknown format raises ValueError listing the formats."""
        with pytest.raises(ValueError, match=r"fmt must be one of 'html', 'markdown', 'text'"):
            render_table("latex")  # type: ignore[arg-type]

    @pytest.mark.parametrize(
        ("fmt", "rows"), [(3, QUICK_REFERENCE), ("text", "rows"), ("text", [("a", "b")])]
    )
    def test_bad_types(self, fmt: Any, rows: Any) -> None:
        """A non-str format or rows that are not QuickReferenceRow items raise TypeError."""
        with pytest.raises(TypeError):
            render_table(fmt, rows=rows)


BRIEF_ALIASES = {
    "sentiment analysis": "Classification",
    "sentiment": "Classification",
    "topic classification": "Classification",
    "spam detection": "Classification",
    "ner": "NER",
    "named entity recognition": "NER",
    "entity extraction": "NER",
    "question answering": "Chat / QA",
    "qa": "Chat / QA",
    "chatbot": "Chat / QA",
    "chat": "Chat / QA",
    "dialogue": "Chat / QA",
    "summarisation": "Summarization",
    "summary": "Summarization",
    "translation": "Translation",
    "machine translation": "Translation",
}

all_aliases = [(alias, task) for task, aliases in known_tasks().items() for alias in aliases]


class TestRecommend:
    @pytest.mark.parametrize("row", QUICK_REFERENCE, ids=lambda r: r.task)
    def test_consistent_with_table(self, row: QuickReferenceRow) -> None:
        """A recommendation repeats its table row's task, models, reason and architecture."""
        rec = recommend(row.task)
        assert isinstance(rec, Recommendation)
        assert (rec.task, rec.models, rec.why, rec.architecture) == (
            row.task,
            row.models,
            row.why,
            row.architecture,
        )
        assert rec.cost_note.strip()
        assert "\n" not in rec.cost_note
        assert rec.usage.strip()

    @pytest.mark.parametrize(("alias", "task"), sorted(BRIEF_ALIASES.items()))
    def test_obvious_aliases(self, alias: str, task: str) -> None:
        """Everyday names of a task lead to the right row."""
        assert recommend(alias).task == task

    @pytest.mark.parametrize(("alias", "task"), all_aliases)
    def test_every_listed_alias_resolves(self, alias: str, task: str) -> None:
        """Every alias known_tasks() lists resolves to its own task."""
        assert recommend(alias).task == task

    def test_known_tasks_are_the_table(self) -> None:
        """known_tasks() lists the table's tasks in table order."""
        assert list(known_tasks()) == [r.task for r in QUICK_REFERENCE]

    @given(
        pair=st.sampled_from(all_aliases),
        flips=st.lists(st.booleans(), min_size=40, max_size=40),
        pad=st.tuples(
            st.sampled_from(["", " ", "  ", "-", "_", "!", "\t"]),
            st.sampled_from(["", " ", "?", "."]),
        ),
    )
    @settings(max_examples=60)
    def test_case_spacing_punctuation_ignored(
        self, pair: tuple[str, str], flips: list[bool], pad: tuple[str, str]
    ) -> None:
        """Changing case, spaces to hyphens/underscores, or padding with punctuation keeps the match."""
        alias, task = pair
        mixed = "".join(
            c.upper() if f else c for c, f in zip(alias, flips + [False] * 99, strict=False)
        )
        variant = pad[0] + mixed.replace(" ", "-" if flips[0] else "_") + pad[1]
        assert recommend(variant).task == task

    @pytest.mark.parametrize(
        ("task", "pipeline_task"),
        [
            ("Classification", "text-classification"),
            ("NER", "token-classification"),
            ("Chat / QA", "text-generation"),
            ("Summarization", None),
            ("Translation", None),
        ],
    )
    def test_pipeline_tasks(self, task: str, pipeline_task: str | None) -> None:
        """Pipeline names follow transformers 5; seq2seq tasks point to generate() instead."""
        rec = recommend(task)
        assert rec.pipeline_task == pipeline_task
        if pipeline_task is None:
            assert "AutoModelForSeq2SeqLM" in rec.usage
            assert "generate()" in rec.usage

    def test_unknown_task_names_task_and_closest(self) -> None:
        """An unknown task raises ValueError naming it and the closest known tasks."""
        with pytest.raises(ValueError, match="unknown task 'sentimnt analisys'") as info:
            recommend("sentimnt analisys")
        assert "'sentiment analysis' (Classification)" in str(info.value)
        assert "Translation" in str(info.value)

    def test_unknown_task_without_close_match(self) -> None:
        """With nothing close, the error still lists the known tasks."""
        with pytest.raises(
            ValueError, match="closest known tasks: none; known tasks: Classification"
        ):
            recommend("zzzzzzzz")

    @pytest.mark.parametrize("task", ["", "   ", "?!", "---"])
    def test_empty_task(self, task: str) -> None:
        """A task with no letters or digits raises ValueError."""
        with pytest.raises(ValueError, match="must name a task"):
            recommend(task)

    @pytest.mark.parametrize("task", [None, 3, b"qa", ["qa"]])
    def test_non_str(self, task: Any) -> None:
        """A task that is not a str raises TypeError."""
        with pytest.raises(TypeError, match="task must be a str"):
            recommend(task)

    @given(task=st.one_of(st.text(max_size=30), st.integers(), st.none(), st.binary(max_size=5)))
    @settings(max_examples=100)
    def test_fuzz_only_clean_errors(self, task: Any) -> None:
        """Any input gives a Recommendation or a ValueError/TypeError, nothing else."""
        with contextlib.suppress(*BAD_INPUT):
            assert isinstance(recommend(task), Recommendation)


def _required_keys() -> list[tuple[str, str]]:
    pairs = []
    for name in known_models():
        fields = reference_config(name)
        optional = OPTIONAL_KEYS[str(fields["model_type"])]
        pairs += [(name, key) for key in fields if key != "model_type" and key not in optional]
    return pairs


class TestParameterCount:
    @pytest.mark.parametrize(("name", "count"), KNOWN_COUNTS.items())
    def test_known_counts(self, name: str, count: int) -> None:
        """Every bundled model has its transformers parameter count, without torch."""
        assert parameter_count(name) == count

    def test_covers_every_bundled_model(self) -> None:
        """The known-count table covers exactly the bundled configs."""
        assert set(KNOWN_COUNTS) == set(known_models())

    @pytest.mark.parametrize(
        "name",
        [
            "bert-base-uncased",
            "BERT-BASE-UNCASED",
            "google-bert/bert-base-uncased",
            " bert-base-uncased ",
        ],
    )
    def test_name_forms(self, name: str) -> None:
        """Short and full hub names are accepted in any case."""
        assert parameter_count(name) == 109_482_240

    @pytest.mark.parametrize(
        ("name", "full"),
        [
            ("t5-small", "google-t5/t5-small"),
            ("gpt2", "openai-community/gpt2"),
            ("smollm2-135m-instruct", "HuggingFaceTB/SmolLM2-135M-Instruct"),
            ("all-minilm-l6-v2", "sentence-transformers/all-MiniLM-L6-v2"),
            ("distilbert-base-uncased", "distilbert/distilbert-base-uncased"),
            ("llama-2-7b-hf", "meta-llama/Llama-2-7b-hf"),
            ("bart-base", "facebook/bart-base"),
        ],
    )
    def test_short_names(self, name: str, full: str) -> None:
        """A short name reads the same config as its full hub name."""
        assert reference_config(name) == reference_config(full)

    def test_config_dict_equals_name(self) -> None:
        """Passing a bundled config as a dict gives the same count as its name."""
        for name in known_models():
            assert parameter_count(reference_config(name)) == parameter_count(name)

    def test_reference_config_is_a_copy(self) -> None:
        """Changing a returned config leaves the bundled one untouched."""
        fields = reference_config("gpt2")
        fields["n_layer"] = 1
        assert reference_config("gpt2")["n_layer"] == 12

    def test_unknown_name_lists_known(self) -> None:
        """An unknown name raises ValueError listing the bundled names."""
        with pytest.raises(ValueError, match="unknown model 'bert-base-cased'") as info:
            parameter_count("bert-base-cased")
        for name in known_models():
            assert name in str(info.value)
        assert "did you mean google-bert/bert-base-uncased" in str(info.value)

    @pytest.mark.parametrize(("name", "key"), _required_keys())
    def test_missing_key_named(self, name: str, key: str) -> None:
        """Dropping any required key raises ValueError naming that key."""
        fields = reference_config(name)
        del fields[key]
        with pytest.raises(ValueError, match=f"missing required key '{key}'"):
            parameter_count(fields)

    def test_missing_model_type(self) -> None:
        """A config without model_type raises ValueError naming the key."""
        fields = reference_config("gpt2")
        del fields["model_type"]
        with pytest.raises(ValueError, match="'model_type'"):
            parameter_count(fields)

    def test_unsupported_model_type(self) -> None:
        """An unsupported model_type raises ValueError listing the supported ones."""
        with pytest.raises(ValueError, match="unsupported model_type 'xlnet'") as info:
            parameter_count({"model_type": "xlnet"})
        for model_type in SUPPORTED_MODEL_TYPES:
            assert model_type in str(info.value)

    @pytest.mark.parametrize(
        ("key", "value", "error"),
        [
            ("n_layer", 0, ValueError),
            ("n_layer", -2, ValueError),
            ("n_layer", True, TypeError),
            ("n_layer", 12.0, TypeError),
            ("n_layer", "12", TypeError),
            ("n_head", 5, ValueError),  # 768 is no multiple of 5
            ("tie_word_embeddings", "yes", TypeError),
            ("add_cross_attention", True, ValueError),
            ("model_type", ["gpt2"], TypeError),
        ],
    )
    def test_bad_values(self, key: str, value: object, error: type[Exception]) -> None:
        """A wrong type or value raises TypeError or ValueError naming the key."""
        fields = {**reference_config("gpt2"), key: value}
        with pytest.raises(error, match=key):
            parameter_count(fields)

    @pytest.mark.parametrize(
        ("model_type", "changes", "match"),
        [
            ("llama", {"num_key_value_heads": 3}, "num_key_value_heads"),
            ("t5", {"feed_forward_proj": "gelu-gated"}, "feed_forward_proj"),
            ("t5", {"feed_forward_proj": 1}, "feed_forward_proj"),
            ("bart", {"decoder_attention_heads": 5}, "decoder_attention_heads"),
            ("distilbert", {"n_heads": 5}, "n_heads"),
            ("bert", {"num_attention_heads": 5}, "num_attention_heads"),
        ],
    )
    def test_inconsistent_shapes(
        self, model_type: str, changes: dict[str, Any], match: str
    ) -> None:
        """Shapes transformers would reject are rejected here too, naming the key."""
        with pytest.raises(BAD_INPUT, match=match):
            parameter_count({**SMALL_CONFIGS[model_type], **changes})

    @pytest.mark.parametrize("value", [None, 3, ["gpt2"], 1.5])
    def test_non_name_non_mapping(self, value: Any) -> None:
        """Anything but a name or a mapping raises TypeError."""
        with pytest.raises(TypeError, match="model name"):
            parameter_count(value)

    @pytest.mark.parametrize(
        ("name", "embedding"),
        [("gpt2", ("vocab_size", "n_embd")), ("smollm2-135m", ("vocab_size", "hidden_size"))],
    )
    def test_untying_adds_one_table(self, name: str, embedding: tuple[str, str]) -> None:
        """Untying the LM head of a decoder adds exactly vocab x width parameters."""
        fields = reference_config(name)
        tied = parameter_count({**fields, "tie_word_embeddings": True})
        untied = parameter_count({**fields, "tie_word_embeddings": False})
        vocab, width = (fields[k] for k in embedding)
        assert untied - tied == vocab * width  # type: ignore[operator]

    def test_explicit_defaults_change_nothing(self) -> None:
        """Stating a default explicitly gives the same count as leaving it out."""
        t5 = reference_config("t5-small")
        explicit = {
            **t5,
            "num_decoder_layers": 6,
            "feed_forward_proj": "relu",
            "tie_word_embeddings": True,
        }
        assert parameter_count(explicit) == parameter_count(t5)
        gpt2 = reference_config("gpt2")
        assert parameter_count({**gpt2, "n_inner": None}) == parameter_count(
            {**gpt2, "n_inner": 3072}
        )

    def test_counted_classes(self) -> None:
        """Each model type counts the documented transformers class."""
        assert {counted_model_class(c) for c in SMALL_CONFIGS.values()} == {
            "BertModel",
            "RobertaModel",
            "AlbertModel",
            "ElectraModel",
            "DistilBertModel",
            "T5ForConditionalGeneration",
            "MT5ForConditionalGeneration",
            "UMT5ForConditionalGeneration",
            "BartForConditionalGeneration",
            "MBartForConditionalGeneration",
            "MarianMTModel",
            "GPT2LMHeadModel",
            "LlamaForCausalLM",
            "MistralForCausalLM",
            "Qwen2ForCausalLM",
            "GemmaForCausalLM",
        }


config_keys = sorted(
    {k for c in SMALL_CONFIGS.values() for k in c} | {"tie_word_embeddings", "head_dim"}
)
junk = st.one_of(
    st.integers(-3, 64),
    st.booleans(),
    st.none(),
    st.text(max_size=6),
    st.floats(allow_nan=True),
    st.sampled_from(SUPPORTED_MODEL_TYPES),
    st.lists(st.integers(), max_size=2),
)


class TestForwardFlops:
    def test_bert_base_hand_count(self) -> None:
        """bert-base at 128 tokens: 12 layers of 7,077,888 weights, attention and pooler, by hand."""
        linear = 2 * 128 * 12 * (4 * 768 * 768 + 2 * 768 * 3072)
        attention = 12 * 2 * 2 * 12 * 128 * 128 * 64
        pooler = 2 * 768 * 768
        assert forward_flops("bert-base-uncased", 128) == linear + attention + pooler

    def test_rule_of_thumb(self) -> None:
        """bert-base at 128 tokens costs about 2 x parameters x tokens (embeddings need no matmul)."""
        ratio = forward_flops("bert-base-uncased", 128) / (
            2 * parameter_count("bert-base-uncased") * 128
        )
        assert 0.7 < ratio < 1.0

    @pytest.mark.parametrize("name", known_models())
    @given(tokens=st.integers(1, 4096))
    @settings(max_examples=10)
    def test_quadratic_in_tokens(self, name: str, tokens: int) -> None:
        """FLOPs grow as a + b*n + c*n**2: the second difference is constant and positive."""
        f = [forward_flops(name, tokens + i) for i in range(3)]
        second = f[2] - 2 * f[1] + f[0]
        assert second > 0
        assert second == forward_flops(name, 3) - 2 * forward_flops(name, 2) + forward_flops(
            name, 1
        )

    @pytest.mark.parametrize("name", ["t5-small", "bart-base"])
    def test_target_tokens(self, name: str) -> None:
        """For encoder-decoders target_tokens defaults to tokens and shorter targets cost less."""
        assert forward_flops(name, 32) == forward_flops(name, 32, target_tokens=32)
        assert forward_flops(name, 32, target_tokens=8) < forward_flops(name, 32)
        assert forward_flops(name, 8, target_tokens=32) < forward_flops(name, 32)

    def test_target_tokens_rejected_for_single_stack(self) -> None:
        """target_tokens on an encoder-only or decoder-only model raises ValueError."""
        with pytest.raises(ValueError, match="only applies to encoder-decoder"):
            forward_flops("gpt2", 8, target_tokens=8)

    @pytest.mark.parametrize(
        ("tokens", "error"),
        [
            (0, ValueError),
            (-1, ValueError),
            (True, TypeError),
            (2.0, TypeError),
            ("8", TypeError),
            (None, TypeError),
        ],
    )
    def test_bad_tokens(self, tokens: Any, error: type[Exception]) -> None:
        """Non-positive, bool or non-int token counts raise, naming the argument."""
        with pytest.raises(error, match="tokens"):
            forward_flops("gpt2", tokens)
        if tokens is not None:  # None is target_tokens' default: "same as tokens"
            with pytest.raises(error, match="target_tokens"):
                forward_flops("t5-small", 4, target_tokens=tokens)

    def test_flops_per_token(self) -> None:
        """flops_per_token divides by every processed token, encoder and decoder alike."""
        assert flops_per_token("gpt2", 10) == forward_flops("gpt2", 10) / 10
        assert (
            flops_per_token("t5-small", 10, target_tokens=5)
            == forward_flops("t5-small", 10, target_tokens=5) / 15
        )
        # About 2 FLOPs per parameter per token for a decoder at short context.
        assert flops_per_token("Llama-2-7b-hf", 1) == pytest.approx(
            2 * parameter_count("Llama-2-7b-hf"), rel=0.02
        )

    @given(
        fields=st.dictionaries(st.sampled_from(["model_type", *config_keys]), junk, max_size=12),
        tokens=st.one_of(st.integers(-2, 10), st.booleans(), st.none(), st.floats()),
    )
    @settings(max_examples=200)
    def test_fuzz_only_clean_errors(self, fields: dict[str, Any], tokens: Any) -> None:
        """Arbitrary configs and token counts give an int or a ValueError/TypeError, nothing else."""
        for call in (lambda: parameter_count(fields), lambda: forward_flops(fields, tokens)):
            with contextlib.suppress(*BAD_INPUT):
                assert call() >= 0

    @given(
        base=st.sampled_from(sorted(SMALL_CONFIGS)), key=st.sampled_from(config_keys), value=junk
    )
    @settings(max_examples=200)
    def test_fuzz_one_bad_field(self, base: str, key: str, value: Any) -> None:
        """A valid config with one field replaced by junk counts or raises ValueError/TypeError."""
        fields = {**SMALL_CONFIGS[base], key: value}
        with contextlib.suppress(*BAD_INPUT):
            assert parameter_count(fields) > 0
            assert forward_flops(fields, 3) > 0
