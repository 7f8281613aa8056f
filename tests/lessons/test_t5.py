"""What the T5 chapter's pages print and rely on holds, computed the way the pages do."""

from __future__ import annotations

import math
import re
from collections import Counter
from functools import cache
from typing import Any

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from nlpguide.lessons.t5 import (
    FRAMING_EXAMPLES,
    framing_rows,
    markdown_table,
    objective_cost,
    yes_no_pairs,
)
from nlpguide.text2text import TASKS, decode_target, encode_target, frame, length_stats
from nlpguide.text2text import span_corruption as corrupt

LESSON_TASKS = ("translate", "summarize", "sst2", "stsb", "squad")


@cache
def _split() -> dict[str, Any]:
    from nlpguide.data import bbc_split

    return bbc_split()


@cache
def _t5() -> tuple[Any, Any]:
    import torch

    from nlpguide.models import seq2seq

    torch.set_num_threads(1)
    return seq2seq()


@cache
def _generated(task: str, beams: int) -> tuple[str, ...]:
    from nlpguide.models.t5 import generate_texts, source_text

    tok, t5 = _t5()
    sources = [source_text(task, a.title, a.text) for a in _split()["test"]]
    max_new = 8 if task == "topic" else 32
    outs = generate_texts(
        tok, t5, sources, max_source_tokens=160, max_new_tokens=max_new, num_beams=beams
    )
    return tuple(outs)


@cache
def _record() -> dict[str, Any]:
    from nlpguide.models import artefact_record

    return artefact_record("seq2seq")


def _cells(row: str) -> list[str]:
    """Split a Markdown table row on its unescaped pipes, as markdown-it does."""
    return [c.strip() for c in re.split(r"(?<!\\)\|", row.strip())[1:-1]]


class TestFramingTable:
    def test_rows_are_frame_outputs(self) -> None:
        """Every table row is frame() and encode_target() of its example, in TASKS order."""
        rows = framing_rows()
        assert [r[1] for r in rows] == list(TASKS)
        for benchmark, task, source, target in rows:
            fields, label = FRAMING_EXAMPLES[task]
            assert benchmark == TASKS[task].benchmark
            assert source == frame(task, **fields)
            assert target == encode_target(task, label)  # type: ignore[arg-type]

    def test_all_benchmarks_and_lesson_tasks(self) -> None:
        """The table spans the five formats, and the lesson's five tasks are among its rows."""
        rows = framing_rows()
        assert {r[0] for r in rows} == {"GLUE", "SuperGLUE", "SQuAD", "CNN/DM", "WMT"}
        assert set(LESSON_TASKS) <= {r[1] for r in rows}

    def test_targets_decode_back(self) -> None:
        """Classification targets decode to their class and STS-B's to the rounded score."""
        for _, task, _, target in framing_rows():
            label = FRAMING_EXAMPLES[task][1]
            if TASKS[task].label_words:
                assert decode_target(task, target) == label
            elif task == "stsb":
                assert isinstance(label, float)
                assert decode_target(task, target) == pytest.approx(round(label * 5) / 5)
            else:
                assert decode_target(task, target) == target

    def test_page_examples(self) -> None:
        """The strings the page's prose describes: SQuAD's padding, translation, WSC stars."""
        rows = {r[1]: r for r in framing_rows()}
        assert rows["squad"][2].endswith(" . ")
        assert rows["translate"][2:] == (
            "translate English to German: That is good.",
            "Das ist gut.",
        )
        assert "*it*" in rows["wsc"][2]


class TestStsbRounding:
    def test_page_values(self) -> None:
        """The printed examples, ties to even included (0.1 -> 0.0, 0.3 -> 0.4, 2.5 -> 2.4)."""
        scores = [0.1, 0.3, 2.5, 3.14, 3.84, 4.9, 5.0]
        written = [encode_target("stsb", s) for s in scores]
        assert written == ["0.0", "0.4", "2.4", "3.2", "3.8", "4.8", "5.0"]

    def test_grid(self) -> None:
        """On the page's grid there are 26 targets and the error never exceeds 0.1."""
        grid = [i / 1000 for i in range(5001)]
        written = [float(encode_target("stsb", s)) for s in grid]
        assert len(set(written)) == 26
        assert max(abs(w - s) for w, s in zip(written, grid, strict=True)) <= 0.1 + 1e-12

    @given(st.floats(min_value=0, max_value=5))
    @settings(max_examples=200)
    def test_multiple_of_0_2(self, score: float) -> None:
        """Any score is written as a multiple of 0.2 within 0.1 of it, with one decimal."""
        text = encode_target("stsb", score)
        assert re.fullmatch(r"\d\.\d", text)
        value = float(text)
        assert abs(value * 5 - round(value * 5)) < 1e-9
        assert abs(value - score) <= 0.1 + 1e-9


class TestMarkdownTable:
    @given(st.lists(st.text(max_size=20), min_size=1, max_size=4), st.booleans())
    @settings(max_examples=100)
    def test_row_keeps_its_cells(self, cells: list[str], code: bool) -> None:
        """Whatever the text, a rendered row has exactly one cell per column, on one line."""
        table = markdown_table([f"c{i}" for i in range(len(cells))], [cells], code=code)
        lines = table.splitlines()
        assert len(lines) == 3
        assert len(_cells(lines[2])) == len(cells)

    def test_sentinels_stay_literal(self) -> None:
        """Code cells keep <extra_id_0> and *it* as written (no HTML, no emphasis)."""
        table = markdown_table(["x"], [["wsc: *it* <extra_id_0>"]], code=True)
        assert table.splitlines()[2] == "| `wsc: *it* <extra_id_0>` |"

    def test_plain_cells_escaped(self) -> None:
        """Plain cells escape Markdown's special characters."""
        table = markdown_table(["x"], [["<b>not_bold</b>"]])
        assert table.splitlines()[2] == "| \\<b\\>not\\_bold\\</b\\> |"

    @pytest.mark.parametrize(
        ("kwargs", "message"),
        [
            ({"header": [], "rows": []}, "at least one column"),
            ({"header": ["a"], "rows": [[1, 2]]}, "row 0 has 2 cells"),
            ({"header": ["a"], "rows": [], "align": "x"}, "align must hold"),
            ({"header": ["a"], "rows": [], "code": [True, False]}, "2 flags for 1 columns"),
        ],
    )
    def test_bad_input(self, kwargs: dict[str, Any], message: str) -> None:
        """Shape mistakes raise ValueError naming what is wrong."""
        with pytest.raises(ValueError, match=message):
            markdown_table(**kwargs)


class TestSpanCorruptionPage:
    def test_sixty_words(self) -> None:
        """The page's 60 BBC words: 9 noise words in 3 spans, recovered exactly."""
        words = _split()["train"][1500].text.split()[:60]
        example = corrupt(words, rng=0)
        assert example.reconstruct() == words
        assert sum(example.noise_mask) == 9
        assert example.inputs.count("<extra_id_0>") == 1
        assert (len(example.inputs), len(example.targets)) == length_stats(60)

    def test_seeds_change_places_not_lengths(self) -> None:
        """Five seeds give five different targets of the same length, never ending on a sentinel."""
        words = _split()["train"][1500].text.split()[:60]
        draws = [corrupt(words, rng=seed) for seed in range(5)]
        assert len({tuple(d.targets) for d in draws}) == 5
        for d in draws:
            assert (len(d.inputs), len(d.targets)) == length_stats(len(words))
            assert not d.targets[-1].startswith("<extra_id_")

    @given(
        st.integers(min_value=2, max_value=600),
        st.sampled_from([0.05, 0.15, 0.3, 0.5]),
        st.sampled_from([1.0, 2.0, 3.0, 5.0, 10.0]),
    )
    @example(n=335, density=0.3, span=1.0)  # a float32 tie that float64 rounds down
    @settings(max_examples=60)
    def test_length_relation(self, n: int, density: float, span: float) -> None:
        """Inputs plus targets are the text plus two sentinels per span (the table's rows)."""
        try:
            stats = length_stats(n, density, span)
        except ValueError:
            return  # T5 cannot build that mask; the page plots none of those
        # In float32, as the mask computes it: 335 * 0.3 is 100.5 there (101 noise
        # tokens, ties to even) but 100.49999999999999 in float64.
        noise = min(max(int(np.rint(np.float32(n) * np.float32(density))), 1), n - 1)
        spans = stats.targets - noise
        assert spans >= 1
        assert stats.inputs == n - noise + spans
        assert stats.inputs + stats.targets == n + 2 * spans

    def test_page_table(self) -> None:
        """The rows of the page's table at 512 tokens."""
        assert length_stats(512) == (461, 103)
        assert length_stats(512, 0.15, 1) == (512, 154)
        assert length_stats(512, 0.15, 10) == (443, 85)
        assert length_stats(512, 0.5, 3) == (341, 341)


class TestObjectiveCost:
    def test_default(self) -> None:
        """t5-small on 512 tokens: 462 in and 104 out against 513 and 513, 2.26x fewer FLOPs."""
        cost = objective_cost()
        assert (cost.span_inputs, cost.span_targets) == (462, 104)
        assert (cost.full_inputs, cost.full_targets) == (513, 513)
        assert cost.ratio == pytest.approx(2.26, abs=0.005)

    @given(st.sampled_from([0.05, 0.15, 0.3]), st.sampled_from([2.0, 3.0, 5.0]))
    @settings(max_examples=20)
    def test_always_cheaper(self, density: float, span: float) -> None:
        """With targets shorter than the text, span corruption is the cheaper forward pass."""
        cost = objective_cost(512, density, span)
        assert cost.span_targets < cost.full_targets
        assert cost.ratio > 1


class TestYesNoPairs:
    def test_framing_and_targets(self) -> None:
        """Each pair is frame('boolq', ...) and True exactly for articles of the topic."""
        articles = _split()["test"][:60]
        pairs = yes_no_pairs(articles, "politics", passage_words=50)
        for article, (source, target) in zip(articles, pairs, strict=True):
            passage = f"{article.title}. " + " ".join(article.text.split()[:50])
            question = "is this article about politics"
            assert source == frame("boolq", passage=passage, question=question)
            assert decode_target("boolq", target) == (article.label_text == "politics")

    @pytest.mark.parametrize(
        ("topic", "words", "message"),
        [
            ("weather", 50, "topic must be one of"),
            ("sport", 0, "passage_words must be an int >= 1"),
        ],
    )
    def test_bad_input(self, topic: str, words: int, message: str) -> None:
        """An unknown topic or an empty passage is refused."""
        with pytest.raises(ValueError, match=message):
            yes_no_pairs(_split()["test"][:1], topic, passage_words=words)


@pytest.mark.models
class TestShippedT5:
    def test_sentinel_ids(self) -> None:
        """Sentinels count down from the top of the vocabulary and are one token in text."""
        tok, _ = _t5()
        ids = tok.convert_tokens_to_ids([f"<extra_id_{i}>" for i in range(100)])
        assert ids == [len(tok) - 1 - i for i in range(100)]
        assert tok("<extra_id_0> x <extra_id_1>").input_ids[0] == len(tok) - 1

    def test_questions_fit(self) -> None:
        """No BoolQ input of the page is cut: all fit the model's 160 tokens."""
        tok, _ = _t5()
        split = _split()
        pairs = yes_no_pairs(split["train"] + split["test"], "politics")
        assert tok.model_max_length == 160
        assert max(len(tok(s).input_ids) for s, _ in pairs) <= 160

    def test_topic_beats_majority(self) -> None:
        """Topic exact match (greedy) on the test split is far above the majority class."""
        from nlpguide.metrics import exact_match, majority_baseline

        split = _split()
        labels = [a.label_text for a in split["test"]]
        _, majority = majority_baseline([a.label_text for a in split["train"]], labels)
        assert exact_match(list(_generated("topic", 1)), labels) > majority + 0.4

    @pytest.mark.slow
    def test_beam_and_greedy_write_label_words(self) -> None:
        """Greedy and 4-beam topic outputs are label words, and they rarely disagree."""
        from nlpguide.data import BBC_LABELS

        greedy, beam = _generated("topic", 1), _generated("topic", 4)
        assert Counter(o in BBC_LABELS for o in greedy + beam)[False] <= 2
        assert sum(g != b for g, b in zip(greedy, beam, strict=True)) <= 20

    def test_headlines_lose_to_lead_8(self) -> None:
        """As the page says: generated headlines score below copying the first 8 words."""
        from nlpguide.metrics import lead_words, rouge_l_f1

        test = _split()["test"]
        heads = _generated("headline", 1)
        model = sum(rouge_l_f1(h, a.title) for h, a in zip(heads, test, strict=True))
        lead8 = sum(rouge_l_f1(lead_words(a.text, 8), a.title) for a in test)
        assert model / len(test) < lead8 / len(test)
        # rouge-score, stemmed (0.1736 without stemming, the old hand-written ROUGE-L).
        assert lead8 / len(test) == pytest.approx(0.1923, abs=0.0001)

    def test_record_matches_model(self) -> None:
        """The record the page shows belongs to the weights that load (same test metric)."""
        from nlpguide.metrics import exact_match
        from nlpguide.models import artefact_record

        record = artefact_record("seq2seq")
        labels = [a.label_text for a in _split()["test"]]
        measured = exact_match(list(_generated("topic", 1)), labels)
        assert record["metrics"]["test"]["topic_exact_match_greedy"] == pytest.approx(
            measured, abs=0.01
        )
        assert record["model"]["parameters"] == pytest.approx(2.9e6, rel=0.05)

    def test_admonition_facts(self) -> None:
        """The chapter's "which model" notes: layers, heads, vocabulary, data, MiniLM init."""
        _, t5 = _t5()
        config = t5.config
        assert (config.num_layers, config.num_decoder_layers, config.num_heads) == (4, 2, 4)
        record = _record()
        assert record["settings"]["sp_vocab"] == 4000
        assert record["tokenizer"]["extra_ids"] == 100
        assert record["data"]["train_articles"] == 1781
        assert record["settings"]["init_embeddings"] == "minilm"


@pytest.mark.models
class TestViews:
    def test_bert_and_t5_shapes(self) -> None:
        """BERT's head gives one logit per class; T5 scores the vocabulary per target piece."""
        from nlpguide.lessons.t5 import bert_view, t5_view

        sentence = "A gripping, beautifully acted film."
        bert, t5 = bert_view(sentence), t5_view(sentence)
        assert bert["logits shape"] == (1, 2)
        assert math.isclose(sum(bert["P(negative), P(positive)"]), 1, abs_tol=0.002)
        batch, pieces, vocab = t5["logits shape"]
        assert (batch, pieces) == (1, 2)  # '▁positive' and '</s>'
        assert vocab == _t5()[1].config.vocab_size
        assert t5["model input"] == frame("sst2", sentence=sentence)


@pytest.mark.models
class TestCrossAttention:
    def test_rows_sum_to_one(self) -> None:
        """Each generated token's weights over the source sum to 1, in every layer."""
        import numpy as np

        from nlpguide.lessons.t5 import cross_attention
        from nlpguide.models.t5 import source_text

        tok, t5 = _t5()
        article = _split()["test"][59]
        source = source_text("topic", article.title, article.text.split(". ")[0] + ".")
        before = t5.config._attn_implementation
        att = cross_attention(tok, t5, source, max_new_tokens=8)
        assert t5.config._attn_implementation == before
        layers, rows, cols = att.weights.shape
        assert layers == t5.config.num_decoder_layers
        assert (rows, cols) == (len(att.generated_tokens), len(att.source_tokens))
        assert att.generated_tokens[-1] == "</s>"
        np.testing.assert_allclose(att.weights.sum(axis=-1), 1.0, atol=1e-5)
        assert (att.weights >= 0).all()

    def test_bad_max_new_tokens(self) -> None:
        """Zero new tokens is refused before anything runs."""
        from nlpguide.lessons.t5 import cross_attention

        with pytest.raises(ValueError, match="max_new_tokens must be an int >= 1"):
            cross_attention(None, None, "x", max_new_tokens=0)


@pytest.mark.models
class TestContinueTraining:
    def test_refuses_to_cut(self) -> None:
        """An input longer than the model reads raises unless truncation is asked for."""
        from nlpguide.lessons.t5 import continue_training

        tok, t5 = _t5()
        with pytest.raises(ValueError, match="model_max_length 160"):
            continue_training(tok, t5, [("word " * 400, "True")], steps=1)

    @pytest.mark.slow
    def test_short_run_logs_losses(self) -> None:
        """A few steps on a fresh copy log finite, falling losses and leave it in eval mode."""
        from nlpguide.lessons.t5 import continue_training
        from nlpguide.models import seq2seq

        tok, t5 = seq2seq()  # a fresh copy: training changes the weights
        pairs = yes_no_pairs(_split()["train"][::10], "sport")
        log = continue_training(tok, t5, pairs, steps=12, batch_size=8, lr=1e-3)
        losses = [e["loss"] for e in log]
        assert len(losses) == 6
        assert all(math.isfinite(x) for x in losses)
        assert losses[-1] < losses[0]
        assert not t5.training
