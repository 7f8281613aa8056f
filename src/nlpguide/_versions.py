"""One place that reports library versions, for records, cache keys and page footers."""

from __future__ import annotations

import importlib.metadata
import platform

from . import _check

__all__ = ["DEFAULT_PACKAGES", "versions"]

#: What a training record or a page footer names unless told otherwise.
DEFAULT_PACKAGES = ("torch", "transformers", "peft", "nlpguide")


def versions(*packages: str) -> dict[str, str]:
    """Python's version and each installed package's (``"absent"`` when it is not installed).

    Read from the installed distributions' metadata, so nothing is imported:
    asking for torch's version costs no torch import.

    >>> v = versions("numpy")
    >>> sorted(v), v["python"] == platform.python_version()
    (['numpy', 'python'], True)
    >>> versions("no-such-package-here")["no-such-package-here"]
    'absent'
    """
    for name in packages:
        _check.text("package name", name)
    found = {"python": platform.python_version()}
    for name in packages or DEFAULT_PACKAGES:
        try:
            found[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            found[name] = "absent"
    return found
