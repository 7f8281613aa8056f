"""Tests for nlpguide.versions(): the one place that reports library versions."""

from __future__ import annotations

import importlib.metadata
import platform

import pytest
from fresh_python import imported_by

import nlpguide
from nlpguide._versions import DEFAULT_PACKAGES


class TestVersions:
    def test_defaults(self) -> None:
        """With no names it reports Python and the default packages, nlpguide's own version too."""
        found = nlpguide.versions()
        assert list(found) == ["python", *DEFAULT_PACKAGES]
        assert found["python"] == platform.python_version()
        assert found["nlpguide"] == importlib.metadata.version("nlpguide")

    def test_named_and_absent(self) -> None:
        """A named package gives its installed version; one not installed is "absent"."""
        found = nlpguide.versions("numpy", "surely-not-installed-pkg")
        assert found["numpy"] == importlib.metadata.version("numpy")
        assert found["surely-not-installed-pkg"] == "absent"
        assert "torch" not in found

    @pytest.mark.parametrize(
        ("bad", "error"), [(3, TypeError), (None, TypeError), ("", ValueError)]
    )
    def test_bad_name(self, bad: object, error: type[Exception]) -> None:
        """A name that is no str is a TypeError, a blank one a ValueError, each naming it."""
        with pytest.raises(error, match="package name"):
            nlpguide.versions(bad)  # type: ignore[arg-type]

    def test_imports_nothing(self) -> None:
        """Asking for torch's version imports neither torch nor numpy."""
        code = "import nlpguide; nlpguide.versions('torch', 'numpy')"
        assert imported_by(code, "torch", "numpy") == []
