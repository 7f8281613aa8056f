"""Bad-input fuzzing of the loaders in :mod:`nlpguide.models` (the contract: tests/fuzz_support.py)."""

from __future__ import annotations

import os
import random
import re
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from fuzz_support import (
    NON_STR,
    TEXT,
    attempt,
    contract,
    fuzz,
    rejects,
)
from hypothesis import given
from hypothesis import strategies as st


@pytest.fixture(scope="class")
def no_model_loading() -> Iterator[None]:
    """Make every loader entry point fail the test if reached."""
    import transformers

    from nlpguide import models

    def boom(*_args: Any, **_kwargs: Any) -> Any:
        raise AssertionError("a model was loaded before the arguments were checked")

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(models, "_PREPARERS", dict.fromkeys(models._PREPARERS, boom))
        for cls in (
            transformers.AutoTokenizer,
            transformers.AutoModel,
            transformers.AutoModelForMaskedLM,
            transformers.AutoModelForCausalLM,
            transformers.AutoModelForSeq2SeqLM,
        ):
            mp.setattr(cls, "from_pretrained", boom)
        yield


BAD_MODEL_NAMES = st.one_of(
    st.sampled_from(["", " ", "\t\n"]),
    NON_STR.filter(lambda v: v is not None),
    st.just(SimpleNamespace(path="bert-base-uncased")),
)


@pytest.mark.models
@pytest.mark.usefixtures("no_model_loading")
class TestModelLoaders:
    @fuzz(120)
    @given(
        kind=st.sampled_from(["encoder", "masked_lm", "decoder", "seq2seq"]),
        name=BAD_MODEL_NAMES,
    )
    def test_bad_names(self, kind: str, name: Any) -> None:
        """A loader rejects a name that is no str or path, or is blank, before loading."""
        from nlpguide import models

        rejects(f"nlpguide.models.{kind}", lambda: getattr(models, kind)(name), mentions="name")

    @fuzz(80)
    @given(
        kind=st.one_of(
            st.sampled_from(["Encoder", "t5", "", "masked-lm"]),
            TEXT,
            st.integers(),
            st.none(),
            st.booleans(),
            st.binary(max_size=3),
        )
    )
    def test_default_path_unknown_kind(self, kind: Any) -> None:
        """default_path rejects an unknown kind, listing the known ones."""
        from nlpguide import models

        rejects("nlpguide.models.default_path", lambda: models.default_path(kind), "known")

    def test_default_path_unhashable_kind(self) -> None:
        """An unhashable kind is rejected by name, not with Python's 'unhashable type'."""
        from nlpguide import models

        rejects("nlpguide.models.default_path", lambda: models.default_path(["encoder"]), "kind")  # type: ignore[arg-type]

    def test_encoder_model_class_checked_first(self) -> None:
        """encoder(model_class=<not a class>) is rejected before anything loads."""
        from nlpguide import models

        rejects(
            "nlpguide.models.encoder",
            lambda: models.encoder("some-name", model_class="AutoModel"),
            "model_class",
        )

    @fuzz(100)
    @given(
        value=st.one_of(
            TEXT.filter(lambda t: "\x00" not in t and not re.search("[\ud800-\udfff]", t)),
            st.none(),
        )
    )
    def test_cache_dir(self, value: str | None) -> None:
        """cache_dir is $NLPGUIDE_CACHE_DIR (expanded) when set, else the platform folder."""
        from nlpguide import models

        with pytest.MonkeyPatch.context() as mp:
            if value is None:
                mp.delenv("NLPGUIDE_CACHE_DIR", raising=False)
            else:
                mp.setenv("NLPGUIDE_CACHE_DIR", value)
            out = attempt("nlpguide.models.cache_dir", models.cache_dir)
        assert out.ok
        assert isinstance(out.value, Path)
        if value:
            assert out.value == Path(value).expanduser()
        rejects("nlpguide.models.cache_dir", lambda: models.cache_dir(value), "cache_dir")  # type: ignore[call-arg]

    @fuzz(60)
    @given(
        seed=st.one_of(
            st.integers(0, 2**32 - 1),
            st.integers(max_value=-1),
            st.sampled_from([2**32, 2**64, True, 1.0, "0", None, np.int64(3)]),
        )
    )
    def test_seed_everything(self, seed: Any) -> None:
        """seed_everything returns a valid seed and makes random draws repeat, or raises."""
        import torch

        from nlpguide import models

        state = (
            random.getstate(),
            np.random.get_state(),  # noqa: NPY002 - the legacy state seed_everything sets
            torch.get_rng_state(),
            os.environ.get("PYTHONHASHSEED"),
        )
        try:
            out = attempt("nlpguide.models.seed_everything", lambda: models.seed_everything(seed))
            if out.ok:
                assert out.value == seed
                first = (random.random(), np.random.random(), float(torch.rand(1)))  # noqa: NPY002
                models.seed_everything(seed)
                assert first == (random.random(), np.random.random(), float(torch.rand(1)))  # noqa: NPY002
            else:
                assert "seed" in str(out.error).lower()
        finally:
            random.setstate(state[0])
            np.random.set_state(state[1])  # noqa: NPY002
            torch.set_rng_state(state[2])
            if state[3] is None:
                os.environ.pop("PYTHONHASHSEED", None)
            else:
                os.environ["PYTHONHASHSEED"] = state[3]


class TestRecords:
    """Plain result records and exceptions: they hold what they are given and print it."""

    @fuzz(60)
    @given(package=TEXT, line=TEXT)
    def test_exceptions(self, package: str, line: str) -> None:
        """AssetMissingError names the package and the install line; CacheEntryError keeps its text."""
        from nlpguide import models

        out = attempt(
            "nlpguide.models.AssetMissingError", lambda: models.AssetMissingError(package, line)
        )
        assert out.ok
        assert isinstance(out.value, RuntimeError)
        assert repr(package) in str(out.value)
        assert line in str(out.value)
        out = attempt("nlpguide.models.CacheEntryError", lambda: models.CacheEntryError(line))
        assert out.ok
        assert str(out.value) == line


class TestArtefactRecord:
    @fuzz(80)
    @given(
        kind=st.one_of(
            st.sampled_from(["masked_lm", "seq2seq", "Masked_LM", "t5", "encoder", ""]),
            TEXT,
            NON_STR,
            st.just(["seq2seq"]),
        )
    )
    def test_kind(self, kind: Any) -> None:
        """artefact_record gives the named artefact's record, or rejects the kind by name."""
        from nlpguide import models

        valid = isinstance(kind, str) and kind in ("masked_lm", "seq2seq")

        def sane(record: dict[str, Any]) -> None:
            assert isinstance(record, dict)
            assert record["settings"]

        contract(
            "nlpguide.models.artefact_record",
            lambda: models.artefact_record(kind),
            frozenset() if valid else frozenset({"kind"}),
            sane,
        )


#: Each public callable -> the test here that fuzzes it (tests/*/test_fuzz_coverage.py).
REGISTRY: dict[str, str] = {
    "nlpguide.models.artefact_record": "TestArtefactRecord.test_kind",
    "nlpguide.models.AssetMissingError": "TestRecords.test_exceptions",
    "nlpguide.models.CacheEntryError": "TestRecords.test_exceptions",
    "nlpguide.models.cache_dir": "TestModelLoaders.test_cache_dir",
    "nlpguide.models.default_path": "TestModelLoaders.test_default_path_unknown_kind",
    "nlpguide.models.encoder": "TestModelLoaders.test_bad_names",
    "nlpguide.models.masked_lm": "TestModelLoaders.test_bad_names",
    "nlpguide.models.decoder": "TestModelLoaders.test_bad_names",
    "nlpguide.models.seq2seq": "TestModelLoaders.test_bad_names",
    "nlpguide.models.seed_everything": "TestModelLoaders.test_seed_everything",
}
