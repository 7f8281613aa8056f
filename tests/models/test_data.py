"""BBC News: the fixed, stratified, checksummed split."""

from __future__ import annotations

from collections import Counter

import pytest

from nlpguide import data


@pytest.fixture(scope="module")
def split() -> dict[str, list[data.Article]]:
    return data.bbc_split()


class TestArticles:
    def test_all_articles_read(self) -> None:
        """All 2,225 articles load, with the package's per-topic counts."""
        counts = Counter(a.label_text for a in data.bbc_articles())
        assert counts == {
            "business": 510,
            "entertainment": 386,
            "politics": 417,
            "sport": 511,
            "tech": 401,
        }

    def test_title_and_body_are_separated(self) -> None:
        """The first line is the title; the body has no line breaks and is not empty."""
        for article in data.bbc_articles()[:50]:
            assert article.title
            assert "\n" not in article.text
            assert len(article.text) > len(article.title)

    def test_latin1_article_is_decoded(self) -> None:
        """The one Latin-1 file keeps its pound sign instead of losing it."""
        article = next(a for a in data.bbc_articles() if a.path == "sport/199.txt")
        assert "\u00a315.8m" in article.text


class TestSplit:
    def test_sizes_and_disjointness(self, split: dict[str, list[data.Article]]) -> None:
        """The three splits are disjoint, cover the corpus and are 80/10/10."""
        paths = [a.path for arts in split.values() for a in arts]
        assert len(paths) == len(set(paths)) == 2225
        assert {k: len(v) for k, v in split.items()} == {
            "train": 1781,
            "validation": 223,
            "test": 221,
        }

    def test_stratified(self, split: dict[str, list[data.Article]]) -> None:
        """Every topic's share in each split is within one article of its share overall."""
        total = Counter(a.label_text for arts in split.values() for a in arts)
        for arts in split.values():
            counts = Counter(a.label_text for a in arts)
            for topic, n in total.items():
                assert abs(counts[topic] - n * len(arts) / 2225) <= 1.5

    def test_checksum_guards_the_split(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """A split that hashes differently from the recorded checksum fails loudly."""
        monkeypatch.setattr(data, "BBC_SPLIT_SHA256", "0" * 64)
        with pytest.raises(RuntimeError, match="split changed"):
            data.bbc_split()

    def test_deterministic(self, split: dict[str, list[data.Article]]) -> None:
        """Two loads give the same split in the same order."""
        again = data.bbc_split()
        assert [a.path for a in again["test"]] == [a.path for a in split["test"]]


@pytest.mark.models
class TestDatasetDict:
    def test_columns_and_labels(self) -> None:
        """bbc_news() has the documented columns and a ClassLabel with the topic names."""
        ds = data.bbc_news()
        assert set(ds) == {"train", "validation", "test"}
        assert ds["train"].column_names == ["text", "title", "label", "label_text"]
        assert ds["train"].features["label"].names == list(data.BBC_LABELS)
        row = ds["test"][0]
        assert data.BBC_LABELS[row["label"]] == row["label_text"]
