"""What the tokenization page (docs/bert/tokenization.md) says about the three tokenizers holds."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import numpy as np
import pytest

from nlpguide.lessons.tokenization import (
    PAIR,
    SENTENCES,
    TOKENIZERS,
    kept_share,
    load_tokenizers,
    tokens_per_word,
)

pytestmark = pytest.mark.models

BERT, T5, SMOL = TOKENIZERS  # the page's labels, in the page's order


@cache
def _toks() -> dict[str, Any]:
    return load_tokenizers()


@cache
def _articles() -> tuple[str, ...]:
    from nlpguide.data import bbc_split

    return tuple(a.text for a in bbc_split()["test"])


def _ids(name: str, text: str) -> list[int]:
    ids: list[int] = _toks()[name](text, add_special_tokens=False)["input_ids"]
    return ids


def _pieces(name: str, text: str) -> list[str]:
    pieces: list[str] = _toks()[name].convert_ids_to_tokens(_ids(name, text))
    return pieces


def _model(name: str) -> dict[str, Any]:
    model: dict[str, Any] = json.loads(_toks()[name].backend_tokenizer.to_str())["model"]
    return model


def _round_trips(name: str, text: str) -> bool:
    tok = _toks()[name]
    return bool(tok.decode(tok(text)["input_ids"], skip_special_tokens=True) == text)


class TestHelpers:
    def test_tokens_per_word_counts_without_special_tokens(self) -> None:
        """Two words that WordPiece cuts into four pieces give 2.0, [CLS] and [SEP] not counted."""
        assert tokens_per_word(_toks()[BERT], ["unbelievable tokenizers"]).tolist() == [2.0]

    def test_tokens_per_word_rejects_a_text_without_words(self) -> None:
        """A blank text has no words to divide by: a ValueError naming texts."""
        with pytest.raises(ValueError, match="texts"):
            tokens_per_word(_toks()[BERT], ["fine", "   "])

    def test_kept_share_rejects_a_text_without_tokens(self) -> None:
        """A blank text has no tokens to keep a share of: a ValueError naming texts."""
        with pytest.raises(ValueError, match="texts"):
            kept_share(_toks()[T5], ["fine", " "], max_length=8)

    def test_kept_share_of_a_short_and_a_long_text(self) -> None:
        """A text shorter than the window is kept whole; a long one keeps max_length minus [CLS], [SEP]."""
        long_text = " ".join(["word"] * 300)
        share = kept_share(_toks()[BERT], ["a short text", long_text], max_length=128)
        assert share[0] == 1.0
        assert share[1] == pytest.approx(126 / 300)

    def test_kept_share_without_special_tokens(self) -> None:
        """SmolLM2 adds no special tokens, so every one of max_length positions holds text."""
        share = kept_share(_toks()[SMOL], [" ".join(["word"] * 300)], max_length=100)
        assert share[0] == pytest.approx(100 / len(_ids(SMOL, " ".join(["word"] * 300))))


class TestTheSentences:
    def test_english_words_are_whole_entries(self) -> None:
        """Every word of the English sentence is one piece in each vocabulary (the full stop is one more)."""
        words = len(SENTENCES["English"].split())
        for name in TOKENIZERS:
            assert len(_ids(name, SENTENCES["English"])) == words + 1, name

    def test_rare_word_spelt_from_wordpiece_continuations(self) -> None:
        """The rare word is several WordPiece pieces, every one after the first marked ##."""
        pieces = _toks()[BERT].tokenize("pneumonoultramicroscopicsilicovolcanoconiosis")
        assert len(pieces) >= 5
        assert not pieces[0].startswith("##")
        assert all(p.startswith("##") for p in pieces[1:])
        assert _toks()[BERT].unk_token not in pieces

    def test_rare_word_is_never_unknown(self) -> None:
        """No tokenizer needs an unknown token for the rare word: it is spelt from pieces."""
        for name, tok in _toks().items():
            assert tok.unk_token_id not in _ids(name, SENTENCES["rare word"]), name

    def test_minilm_lowercases_and_strips_accents(self) -> None:
        """MiniLM reads 'café' as 'cafe' and 'élégant' as 'elegant', without an unknown token."""
        pieces = _pieces(BERT, SENTENCES["French"])
        assert "cafe" in pieces
        assert "elegant" in pieces
        assert _toks()[BERT].unk_token not in pieces

    def test_t5_keeps_every_accented_letter(self) -> None:
        """The shipped T5 learned French pieces: no <unk> in the French sentence, which round-trips."""
        french = SENTENCES["French"]
        assert sum(ch in "éèà" for ch in french) > 0
        assert _ids(T5, french).count(_toks()[T5].unk_token_id) == 0
        tok = _toks()[T5]
        assert tok.decode(tok(french)["input_ids"], skip_special_tokens=True) == french

    def test_french_costs_more_tokens_in_the_cased_tokenizers(self) -> None:
        """The French sentence takes more tokens in the T5 and SmolLM2 than in MiniLM."""
        bert = len(_ids(BERT, SENTENCES["French"]))
        assert len(_ids(T5, SENTENCES["French"])) > bert
        assert len(_ids(SMOL, SENTENCES["French"])) > bert

    def test_byte_level_shows_e_acute_as_two_bytes(self) -> None:
        """SmolLM2 draws é (two UTF-8 bytes) as Ã©, as the page says."""
        assert any("Ã©" in p for p in _pieces(SMOL, SENTENCES["French"]))

    def test_minilm_knows_the_japanese_but_not_the_emoji(self) -> None:
        """東 and 京 are MiniLM entries; the emoji is its one [UNK]."""
        pieces = _pieces(BERT, SENTENCES["beyond Latin"])
        assert "東" in pieces
        assert "京" in pieces
        assert pieces.count("[UNK]") == 1

    def test_only_byte_level_bpe_round_trips_every_sentence(self) -> None:
        """Decoding gives every sentence back exactly in SmolLM2 only; each other one fails on some."""
        assert all(_round_trips(SMOL, s) for s in SENTENCES.values())
        for name in (BERT, T5):
            assert not all(_round_trips(name, s) for s in SENTENCES.values()), name


class TestSpecialTokens:
    def test_pair_segments(self) -> None:
        """[CLS] A [SEP] B [SEP], with token_type_ids 0 up to the first [SEP] and 1 after it."""
        tok = _toks()[BERT]
        pair = tok(*PAIR)
        tokens = tok.convert_ids_to_tokens(pair["input_ids"])
        first_sep = tokens.index("[SEP]")
        assert tokens[0] == "[CLS]"
        assert tokens[-1] == "[SEP]"
        assert tokens.count("[SEP]") == 2
        types = pair["token_type_ids"]
        assert set(types[: first_sep + 1]) == {0}
        assert set(types[first_sep + 1 :]) == {1}

    def test_t5_appends_eos_only(self) -> None:
        """T5 adds exactly one token, </s>, at the end, and nothing at the start."""
        tok = _toks()[T5]
        plain, full = _ids(T5, "The bank"), tok("The bank")["input_ids"]
        assert full == [*plain, tok.eos_token_id]

    def test_sentinels_are_single_tokens_counting_down_from_the_top(self) -> None:
        """Each <extra_id_i> is one token with id len(tok) - 1 - i."""
        tok = _toks()[T5]
        sentinels = [s for s in tok.all_special_tokens if s.startswith("<extra_id_")]
        assert sentinels
        for i in range(len(sentinels)):
            assert _ids(T5, f"<extra_id_{i}>") == [len(tok) - 1 - i]

    def test_chat_template(self) -> None:
        """The template wraps turns in <|im_start|>/<|im_end|>, adds a system turn, ends at the assistant's turn."""
        tok = _toks()[SMOL]
        messages = [{"role": "user", "content": "What is a token?"}]
        prompt = tok.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
        assert prompt.startswith("<|im_start|>system\n")
        assert prompt.endswith("<|im_start|>assistant\n")
        ids = tok.apply_chat_template(messages, add_generation_prompt=True)["input_ids"]
        assert len(ids) > len(_ids(SMOL, "What is a token?"))
        assert tok.convert_tokens_to_ids("<|im_start|>") in ids
        assert tok.convert_tokens_to_ids("<|im_end|>") in ids


class TestVocabularies:
    def test_algorithms(self) -> None:
        """The three tokenizers are WordPiece, unigram SentencePiece and BPE, as the page names them."""
        assert [_model(n)["type"] for n in TOKENIZERS] == ["WordPiece", "Unigram", "BPE"]

    def test_smaller_vocabulary_for_t5(self) -> None:
        """The shipped T5's vocabulary is the smallest of the three, SmolLM2's the largest."""
        sizes = {n: len(t) for n, t in _toks().items()}
        assert sizes[T5] < sizes[BERT] < sizes[SMOL]


class TestBBC:
    def test_test_split_size(self) -> None:
        """The page measures the 221 held-out articles."""
        assert len(_articles()) == 221

    def test_tokens_per_word_order(self) -> None:
        """Mean tokens per word: MiniLM lowest, SmolLM2 next, the T5 highest and widest spread."""
        ratios = {n: tokens_per_word(t, list(_articles())) for n, t in _toks().items()}
        assert ratios[BERT].mean() < ratios[SMOL].mean() < ratios[T5].mean()
        assert ratios[T5].std() > max(ratios[BERT].std(), ratios[SMOL].std())
        assert all(r.min() >= 1.0 for r in ratios.values())

    def test_truncation_claims(self) -> None:
        """No article fits MiniLM's 128 tokens whole; at 512 some but not all do."""
        tok = _toks()[BERT]
        assert not (kept_share(tok, list(_articles()), max_length=128) == 1).any()
        whole_512 = (kept_share(tok, list(_articles()), max_length=512) == 1).mean()
        assert 0 < whole_512 < 1

    def test_ninety_percent_window_exceeds_minilm(self) -> None:
        """Exercise 2: keeping 90% of the articles whole needs more than MiniLM's 512 positions."""
        tok = _toks()[BERT]
        lengths = np.array([len(i) for i in tok(list(_articles()))["input_ids"]])
        assert np.ceil(np.quantile(lengths, 0.9)) > tok.model_max_length == 512


class TestExercises:
    def test_case(self) -> None:
        """Exercise 1: MiniLM gives one same piece for all spellings; the cased ones split PARIS more."""
        bert = _toks()[BERT]
        assert {tuple(bert.tokenize(w)) for w in ("Paris", "PARIS", "paris")} == {("paris",)}
        for name in (T5, SMOL):
            tok = _toks()[name]
            assert len(tok.tokenize("Paris")) == 1, name
            assert len(tok.tokenize("PARIS")) > 1, name

    def test_round_trip(self) -> None:
        """Exercise 3: only SmolLM2 gives the accent, symbols and emoji back exactly."""
        mine = "Über 5 € → 🚀"
        assert [_round_trips(n, mine) for n in TOKENIZERS] == [False, False, True]
