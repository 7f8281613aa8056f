"""nlpguide: helpers behind an executable guide to BERT, T5 and decoder models.

Submodules load on first attribute access (SPEC 1 style), so ``import nlpguide``
costs almost nothing and never imports numpy, torch or transformers:

>>> import nlpguide
>>> nlpguide.choose.recommend("sentiment analysis").architecture
'encoder'
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# The three layers: the numpy-only core, the models (torch), the lessons (the pages' helpers).
_SUBMODULES = frozenset(
    {"choose", "cli", "data", "lessons", "metrics", "mlm", "models", "text2text"}
)

__all__ = [
    "__version__",
    "choose",
    "cli",
    "data",
    "lessons",
    "metrics",
    "mlm",
    "models",
    "text2text",
    "versions",
]

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from . import choose as choose
    from . import cli as cli
    from . import data as data
    from . import lessons as lessons
    from . import metrics as metrics
    from . import mlm as mlm
    from . import models as models
    from . import text2text as text2text
    from ._versions import versions as versions


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    if name == "versions":
        return importlib.import_module(f"{__name__}._versions").versions
    msg = f"module {__name__!r} has no attribute {name!r}"
    raise AttributeError(msg)


def __dir__() -> list[str]:
    return list(__all__)
