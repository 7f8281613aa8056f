"""Tests for nlpguide._check: one contract, TypeError for a wrong type, ValueError for a wrong value."""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import numpy as np
import pytest

from nlpguide import _check


class TestInteger:
    @pytest.mark.parametrize("value", [0, 7, np.int64(7), np.uint8(7), 10**40])
    def test_accepts_integers(self, value: Any) -> None:
        """Python and numpy integers pass and come back as a plain int."""
        out = _check.integer("n", value)
        assert type(out) is int
        assert out == int(value)

    @pytest.mark.parametrize("value", [True, np.bool_(False), 1.0, "1", None, Fraction(1, 1), [1]])
    def test_wrong_type(self, value: Any) -> None:
        """Bools, floats, strings and the like are a TypeError naming the argument and the type."""
        with pytest.raises(TypeError, match=rf"^n must be an int, got {type(value).__name__}$"):
            _check.integer("n", value)

    @pytest.mark.parametrize(
        ("value", "bounds", "allowed"),
        [
            (0, {"minimum": 1}, "an int >= 1"),
            (9, {"maximum": 8}, "an int <= 8"),
            (9, {"minimum": 1, "maximum": 8}, r"an int in \[1, 8\]"),
        ],
    )
    def test_out_of_range(self, value: int, bounds: dict[str, int], allowed: str) -> None:
        """A value outside the bounds is a ValueError saying what is allowed."""
        with pytest.raises(ValueError, match=rf"^n must be {allowed}, got {value}$"):
            _check.integer("n", value, **bounds)

    def test_huge_int_is_shown_by_size(self) -> None:
        """A huge int is reported by its digit count, not printed in full."""
        with pytest.raises(ValueError, match=r"an int of 401 digits"):
            _check.integer("n", 10**400, maximum=5)


class TestReal:
    @pytest.mark.parametrize("value", [0, 0.5, np.float32(0.5), Fraction(1, 2), np.int64(1)])
    def test_accepts_reals(self, value: Any) -> None:
        """Ints, floats, numpy scalars and fractions pass and come back as a float."""
        out = _check.real("x", value)
        assert type(out) is float
        assert out == float(value)

    @pytest.mark.parametrize("value", [True, 1j, "0.5", None, [0.5]])
    def test_wrong_type(self, value: Any) -> None:
        """Bools, complex numbers and strings are a TypeError naming the argument."""
        with pytest.raises(TypeError, match=r"^x must be a real number"):
            _check.real("x", value)

    @pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, 10**400])
    def test_not_finite(self, value: Any) -> None:
        """NaN, infinities and ints too large for a float are a ValueError."""
        with pytest.raises(ValueError, match=r"^x must be a finite number"):
            _check.real("x", value)

    def test_open_and_closed_bounds(self) -> None:
        """A closed bound admits its end point; an open one refuses it and says so with ( or )."""
        assert _check.real("lr", 0.0, low=0.0) == 0.0
        with pytest.raises(ValueError, match=r"lr must be a finite number in \(0.0, inf\]"):
            _check.real("lr", 0.0, low=0.0, low_open=True)
        with pytest.raises(ValueError, match=r"in \[-inf, 1.0\)"):
            _check.real("p", 1.0, high=1.0, high_open=True)

    def test_probability(self) -> None:
        """probability is a real number in [0, 1]."""
        assert _check.probability("p", 1) == 1.0
        with pytest.raises(ValueError, match=r"p must be a finite number in \[0.0, 1.0\]"):
            _check.probability("p", 1.5)


class TestBooleanAndText:
    def test_boolean(self) -> None:
        """Only True and False (numpy's too) are booleans; 0 and 1 are a TypeError."""
        assert _check.boolean("flag", np.bool_(True)) is True
        with pytest.raises(TypeError, match=r"^flag must be a bool, got int$"):
            _check.boolean("flag", 1)

    def test_text(self) -> None:
        """A str passes; a blank one only with empty=True; anything else is a TypeError."""
        assert _check.text("s", "hi") == "hi"
        assert _check.text("s", " ", empty=True) == " "
        with pytest.raises(ValueError, match=r"^s must be a non-empty str, got ' '$"):
            _check.text("s", " ")
        with pytest.raises(TypeError, match=r"^s must be a str, got bytes$"):
            _check.text("s", b"hi")

    def test_strings(self) -> None:
        """A list or tuple of str comes back as a list; a bare str or a non-str item is a TypeError."""
        assert _check.strings("xs", ("a", "b")) == ["a", "b"]
        with pytest.raises(TypeError, match=r"^xs must be a list of str, got str$"):
            _check.strings("xs", "ab")
        with pytest.raises(TypeError, match=r"^xs must hold str items, got int$"):
            _check.strings("xs", ["a", 1])


class TestChoiceAndInstance:
    def test_choice(self) -> None:
        """A known value passes; an unknown one is a ValueError listing the options."""
        assert _check.choice("mode", "a", ("a", "b")) == "a"
        with pytest.raises(ValueError, match=r"^mode must be one of 'a', 'b', got 'c'$"):
            _check.choice("mode", "c", ("b", "a"))

    @pytest.mark.parametrize("value", [1, None, ["a"], True])
    def test_choice_wrong_type(self, value: Any) -> None:
        """A value of another type (an unhashable one too) is a TypeError, not Python's complaint."""
        with pytest.raises(TypeError, match=r"^mode must be one of 'a', 'b', got"):
            _check.choice("mode", value, ("a", "b"))

    def test_instance(self) -> None:
        """instance names the expected classes when the value is of none of them."""
        assert _check.instance("x", 3, int) == 3
        with pytest.raises(TypeError, match=r"^x must be a int or float, got str$"):
            _check.instance("x", "3", (int, float))


class TestGenerator:
    def test_sources(self) -> None:
        """None, a seed and a Generator all give a Generator; a Generator is passed through."""
        gen = np.random.default_rng(0)
        assert _check.generator("rng", gen) is gen
        assert isinstance(_check.generator("rng", None), np.random.Generator)
        first = _check.generator("rng", 5).integers(1000)
        assert first == np.random.default_rng(5).integers(1000)

    @pytest.mark.parametrize(
        ("value", "error"),
        [(-1, ValueError), (1.5, TypeError), (True, TypeError), ("0", TypeError)],
    )
    def test_bad_seed(self, value: Any, error: type[Exception]) -> None:
        """A negative seed is a ValueError; a float, bool or string a TypeError; both name rng."""
        with pytest.raises(error, match=r"rng"):
            _check.generator("rng", value)
