"""Argument checks with one contract for the whole package.

A wrong *type* raises :class:`TypeError`, a wrong *value* raises
:class:`ValueError`, and every message names the argument and what is
allowed. Each check returns the value in its plain Python form (``int`` for a
numpy integer, ``float`` for a real number), so callers keep what it returns.

The module imports no numpy: ``numbers`` knows numpy's scalar types, and the
numpy-free parts of the core (``nlpguide table``) stay numpy-free.

>>> integer("steps", 3, minimum=1)
3
>>> integer("steps", "3")
Traceback (most recent call last):
...
TypeError: steps must be an int, got str
>>> integer("steps", 0, minimum=1)
Traceback (most recent call last):
...
ValueError: steps must be an int >= 1, got 0
>>> real("lr", 1e-3, low=0.0, low_open=True)
0.001
>>> choice("strategy", "fixed", ("bernoulli", "fixed"))
'fixed'
"""

from __future__ import annotations

import math
import numbers
import os
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    import numpy as np

__all__ = [
    "boolean",
    "choice",
    "generator",
    "instance",
    "integer",
    "is_bool",
    "path",
    "probability",
    "real",
    "strings",
    "text",
]

_T = TypeVar("_T")


def is_bool(value: object) -> bool:
    """Whether ``value`` is a Python or numpy bool (which no number check may accept)."""
    # numpy.bool_ is not a numbers.Integral, but it must not count as a number either.
    return isinstance(value, bool) or type(value).__name__ in {"bool_", "bool"}


def _bounds(minimum: float | None, maximum: float | None, kind: str) -> str:
    if minimum is not None and maximum is not None:
        return f"{kind} in [{minimum}, {maximum}]"
    if minimum is not None:
        return f"{kind} >= {minimum}"
    if maximum is not None:
        return f"{kind} <= {maximum}"
    return kind


def integer(
    name: str, value: object, *, minimum: int | None = None, maximum: int | None = None
) -> int:
    """``value`` as an ``int`` (bools refused), within ``[minimum, maximum]``."""
    if is_bool(value) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    number = int(value)
    if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        # A huge int is shown by its size, not printed in full.
        shown = str(number) if abs(number) < 10**30 else f"an int of {len(str(number))} digits"
        raise ValueError(f"{name} must be {_bounds(minimum, maximum, 'an int')}, got {shown}")
    return number


def real(
    name: str,
    value: object,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
) -> float:
    """``value`` as a finite ``float`` (bools and complex refused) within its bounds.

    ``low_open``/``high_open`` exclude the bound itself.
    """
    if is_bool(value) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    left = "(" if low_open else "["
    right = ")" if high_open else "]"
    allowed = (
        f"a finite number in {left}{'-inf' if low is None else low}, "
        f"{'inf' if high is None else high}{right}"
    )
    try:
        number = float(value)
    except OverflowError:  # an int too large for a float
        raise ValueError(f"{name} must be {allowed}, got an int outside it") from None
    ok = math.isfinite(number)
    if ok and low is not None:
        ok = number > low if low_open else number >= low
    if ok and high is not None:
        ok = number < high if high_open else number <= high
    if not ok:
        raise ValueError(f"{name} must be {allowed}, got {value!r}")
    return number


def probability(name: str, value: object) -> float:
    """``value`` as a ``float`` in ``[0, 1]``."""
    return real(name, value, low=0.0, high=1.0)


def boolean(name: str, value: object) -> bool:
    """``value`` itself, which must be ``True`` or ``False`` (not 0/1)."""
    if not is_bool(value):
        raise TypeError(f"{name} must be a bool, got {type(value).__name__}")
    return bool(value)


def text(name: str, value: object, *, empty: bool = False) -> str:
    """``value`` as a ``str``; an empty (or all-whitespace) one only with ``empty=True``."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, got {type(value).__name__}")
    if not empty and not value.strip():
        raise ValueError(f"{name} must be a non-empty str, got {value!r}")
    return value


def strings(name: str, values: object) -> list[str]:
    """``values`` as a list of str: a list or tuple of str (a bare str would be read letter by letter)."""
    if isinstance(values, str | bytes) or not isinstance(values, Sequence):
        raise TypeError(f"{name} must be a list of str, got {type(values).__name__}")
    for value in values:
        if not isinstance(value, str):
            raise TypeError(f"{name} must hold str items, got {type(value).__name__}")
    return list(values)


def choice(name: str, value: object, allowed: Collection[_T]) -> _T:
    """``value``, which must be one of ``allowed`` (a str outside it is a ``ValueError``)."""
    options = ", ".join(sorted(map(repr, allowed)))
    kinds = {type(a) for a in allowed}
    if (is_bool(value) and bool not in kinds) or not isinstance(value, tuple(kinds)):
        raise TypeError(f"{name} must be one of {options}, got {type(value).__name__}")
    if value not in allowed:
        raise ValueError(f"{name} must be one of {options}, got {value!r}")
    return value  # type: ignore[return-value]


def instance(name: str, value: object, cls: type[_T] | tuple[type[Any], ...]) -> _T:
    """``value``, which must be an instance of ``cls``."""
    if not isinstance(value, cls):
        expected = " or ".join(c.__name__ for c in cls) if isinstance(cls, tuple) else cls.__name__
        raise TypeError(f"{name} must be a {expected}, got {type(value).__name__}")
    return value


def path(name: str, value: object) -> Path:
    """``value`` as a :class:`~pathlib.Path`: it must be a str or ``os.PathLike``."""
    if not isinstance(value, str | os.PathLike):
        raise TypeError(f"{name} must be a str or path, got {type(value).__name__}")
    return Path(value)


def generator(name: str, value: object) -> np.random.Generator:
    """A numpy ``Generator`` from ``None`` (fresh entropy), an int seed >= 0 or a ``Generator``.

    A ``Generator`` is returned as it is, so a caller's stream goes on where it was.
    """
    import numpy as np  # noqa: PLC0415 - numpy only for the callers that draw numbers

    if value is None or isinstance(value, np.random.Generator):
        return np.random.default_rng(value)
    if is_bool(value) or not isinstance(value, numbers.Integral):
        raise TypeError(
            f"{name} must be None, an int seed or a numpy.random.Generator, "
            f"got {type(value).__name__}"
        )
    return np.random.default_rng(integer(f"{name} seed", value, minimum=0))
