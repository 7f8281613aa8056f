"""nlpguide.metrics against its reference libraries: rouge-score's ROUGE-L and sacrebleu's BLEU/chrF."""

from __future__ import annotations

import pytest
import sacrebleu
from hypothesis import given, settings
from hypothesis import strategies as st
from rouge_score import rouge_scorer

from nlpguide.metrics import (
    ROUGE_USE_STEMMER,
    bleu,
    chrf,
    mean_rouge_l_f1,
    rouge_l_f1,
)

pytestmark = pytest.mark.models


class TestRougeL:
    @pytest.mark.parametrize(
        ("hyp", "ref", "stem", "expected"),
        [
            # Lin (2004): LCS 3 of 4 on both sides without stemming ...
            ("police kill the gunman", "police killed the gunman", False, 0.75),
            # ... and 4 of 4 with it: "killed" stems to "kill".
            ("police kill the gunman", "police killed the gunman", True, 1.0),
            # LCS "the gunman": P = R = 2/4.
            ("the gunman kill police", "police killed the gunman", False, 0.5),
            # P = 2/2, R = 2/6 -> F1 = 2 * 1 * (1/3) / (4/3) = 0.5.
            ("the cat", "the cat sat on the mat", True, 0.5),
            ("Same WORDS!", "same, words", True, 1.0),
            ("nothing shared", "entirely different", True, 0.0),
            ("", "a reference", True, 0.0),
            # rouge-score gives 0 when neither side has a token.
            ("...", "!!!", True, 0.0),
        ],
    )
    def test_hand_checked(self, hyp: str, ref: str, stem: bool, expected: float) -> None:
        """ROUGE-L F1 matches values worked out by hand, with and without stemming."""
        assert rouge_l_f1(hyp, ref, use_stemmer=stem) == pytest.approx(expected)

    def test_default_is_stemmed(self) -> None:
        """The default setting is Porter stemming, as transformers' summarisation examples use."""
        assert ROUGE_USE_STEMMER is True
        assert rouge_l_f1("shares rising", "share rises") == 1.0

    @settings(max_examples=60, deadline=None)
    @given(a=st.text(max_size=60), b=st.text(max_size=60))
    def test_is_rouge_score(self, a: str, b: str) -> None:
        """Each pair's score is rouge-score's own F1, and F1 does not depend on the order."""
        scorer = rouge_scorer.RougeScorer(["rougeL"], use_stemmer=True)
        assert rouge_l_f1(a, b) == scorer.score(b, a)["rougeL"].fmeasure
        assert rouge_l_f1(a, b) == pytest.approx(rouge_l_f1(b, a))

    def test_mean(self) -> None:
        """The corpus figure is the plain mean of the pairs' scores."""
        hyps, refs = ["tokyo shares rise", "a b", "x"], ["shares rise in tokyo", "a b", "y"]
        expected = sum(rouge_l_f1(h, r) for h, r in zip(hyps, refs, strict=True)) / 3
        assert mean_rouge_l_f1(hyps, refs) == pytest.approx(expected)
        assert mean_rouge_l_f1(hyps, refs, use_stemmer=False) == pytest.approx(expected)


#: Three outputs beside their references: one near miss, one wrong ending, one exact.
HYPS = ("Insérer une table", "Enregistrer le document actif.", "La maison")
REFS = ("Insérer un tableau", "Enregistrer le document avant de fermer.", "La maison")


class TestSacrebleu:
    def test_bleu_is_corpus_bleu(self) -> None:
        """bleu() is sacrebleu's corpus BLEU with one reference per hypothesis."""
        assert bleu(list(HYPS), list(REFS)) == sacrebleu.corpus_bleu(list(HYPS), [list(REFS)]).score

    def test_chrf_is_corpus_chrf(self) -> None:
        """chrf() is sacrebleu's corpus chrF, not a mean of sentence scores."""
        expected = sacrebleu.corpus_chrf(list(HYPS), [list(REFS)]).score
        assert chrf(list(HYPS), list(REFS)) == expected
        sentence_mean = sum(
            sacrebleu.sentence_chrf(h, [r]).score
            for h, r in zip(list(HYPS), list(REFS), strict=True)
        ) / len(list(HYPS))
        assert expected != pytest.approx(sentence_mean)

    def test_perfect_and_disjoint(self) -> None:
        """Identical output scores 100 on both; output sharing no character n-gram scores 0."""
        assert bleu(list(REFS), list(REFS)) == pytest.approx(100.0)
        assert chrf(list(REFS), list(REFS)) == pytest.approx(100.0)
        assert chrf(["zzzz"], ["qqqq"]) == 0.0
