"""Bad-input fuzzing of :func:`nlpguide.versions` (the contract: tests/fuzz_support.py)."""

from __future__ import annotations

import platform
from typing import Any

from fuzz_support import NON_STR, TEXT, attempt, fuzz, rejects
from hypothesis import given
from hypothesis import strategies as st

import nlpguide


class TestVersions:
    @fuzz(150)
    @given(
        packages=st.lists(
            st.one_of(st.sampled_from(["numpy", "pytest", "nlpguide", "no-such-pkg"]), TEXT),
            max_size=3,
        )
    )
    def test_names(self, packages: list[str]) -> None:
        """versions(*names) maps python and each name to a version or "absent", or rejects a blank name."""
        out = attempt("nlpguide.versions", lambda: nlpguide.versions(*packages))
        if out.ok:
            assert all(p.strip() for p in packages)
            assert out.value["python"] == platform.python_version()
            assert set(packages) <= set(out.value)
            assert all(isinstance(v, str) and v for v in out.value.values())
        else:
            assert isinstance(out.error, ValueError)
            assert "package name" in str(out.error)

    @fuzz(80)
    @given(bad=NON_STR)
    def test_non_str_name(self, bad: Any) -> None:
        """A package name that is not a str is a TypeError naming it."""
        error = rejects("nlpguide.versions", lambda: nlpguide.versions("numpy", bad), "package")
        assert isinstance(error, TypeError)


#: Each public callable -> the test here that fuzzes it (tests/*/test_fuzz_coverage.py).
REGISTRY: dict[str, str] = {
    "nlpguide.versions": "TestVersions.test_names",
}
