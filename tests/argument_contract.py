"""The argument-check contract, shared by each layer's ``test_arguments.py``.

A public callable checks its arguments before it does any work: a bad one raises
TypeError (wrong type) or ValueError (wrong value), and the message names the
argument. Each layer lists its public callables in one table of :class:`Row`; the
layer's ``TestArguments`` subclasses :class:`ContractTests` with that table and
its modules: one parametrised test per bad argument, and one that keeps the table
complete as the API grows.

This module imports no torch: the numpy-only core layer uses it too.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import pytest


@dataclass(frozen=True)
class Row:
    """One public callable: valid arguments, and bad values for some of them.

    ``bad`` lists (argument name, bad value, expected exception type); each case
    calls ``fn`` with ``valid`` and that one argument replaced. ``names`` maps an
    argument to another word its message may use instead of the argument's name
    ("unknown model 'gpt3'" for ``name``).
    """

    fn: Callable[..., Any]
    valid: dict[str, Any]
    bad: list[tuple[str, Any, type[Exception]]] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)


def cases(table: Sequence[Row]) -> list[Any]:
    """One pytest param per bad argument of every row, with a readable id."""
    return [
        pytest.param(row, name, value, error, id=f"{_label(row.fn)}-{name}-{i}")
        for row in table
        for i, (name, value, error) in enumerate(row.bad)
    ]


def _label(fn: Callable[..., Any]) -> str:
    return f"{fn.__module__.rpartition('.')[2]}.{fn.__qualname__}"


def call(fn: Callable[..., Any], arguments: dict[str, Any]) -> Any:
    """Call ``fn`` with ``arguments``, passing positional-only ones by position."""
    parameters = inspect.signature(fn).parameters
    positional = [
        arguments[n]
        for n, p in parameters.items()
        if p.kind is inspect.Parameter.POSITIONAL_ONLY and n in arguments
    ]
    keywords = {
        n: v
        for n, v in arguments.items()
        if n not in parameters or parameters[n].kind is not inspect.Parameter.POSITIONAL_ONLY
    }
    for n, p in parameters.items():
        if p.kind is inspect.Parameter.VAR_POSITIONAL and n in arguments:
            positional += list(keywords.pop(n))
    return fn(*positional, **keywords)


def check_bad_argument(row: Row, name: str, value: Any, error: type[Exception]) -> None:
    """The call with ``name=value`` raises ``error`` and the message names the argument."""
    with pytest.raises(error) as caught:
        call(row.fn, {**row.valid, name: value})
    assert type(caught.value) is error, f"{type(caught.value).__name__}: {caught.value}"
    message = str(caught.value)
    assert name in message or row.names.get(name, name) in message, message


def public_callables(modules: Sequence[str]) -> set[Callable[..., Any]]:
    """Every function and class named in the ``__all__`` of ``modules``."""
    found: set[Callable[..., Any]] = set()
    for name in modules:
        module = importlib.import_module(name)
        for attr in module.__all__:
            obj = getattr(module, attr)
            if inspect.isfunction(obj) or inspect.isclass(obj):
                found.add(obj)
    return found


def missing_from(table: Sequence[Row], modules: Sequence[str]) -> list[str]:
    """The public callables of ``modules`` that have no row in ``table``."""
    missing = public_callables(modules) - {row.fn for row in table}
    return sorted(f"{fn.__module__}.{fn.__qualname__}" for fn in missing)


class Untouchable:
    """A stand-in model or tokenizer that fails the test if it is used at all.

    Arguments are checked before a model is loaded or run, so a function given
    bad arguments and this stand-in must raise before reading it.
    """

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):  # introspection (pytest, inspect), not use
            raise AttributeError(name)
        raise AssertionError(f"model.{name} was used before the arguments were checked")

    def __call__(self, *_args: Any, **_kwargs: Any) -> Any:
        raise AssertionError("a model was called before the arguments were checked")

    def __getitem__(self, key: Any) -> Any:
        raise AssertionError(f"model[{key!r}] was read before the arguments were checked")

    def apply_chat_template(self, *_args: Any, **_kwargs: Any) -> Any:
        """Present, as a tokenizer's is (``hasattr`` checks), but never to be called."""
        raise AssertionError("the chat template was used before the arguments were checked")


class ContractTests:
    """The two contract tests; a layer's ``TestArguments`` sets ``TABLE`` and ``MODULES``."""

    TABLE: ClassVar[Sequence[Row]] = ()
    MODULES: ClassVar[Sequence[str]] = ()

    def pytest_generate_tests(self, metafunc: pytest.Metafunc) -> None:
        if metafunc.function.__name__ == "test_bad_argument_is_named":
            metafunc.parametrize(("row", "name", "value", "error"), cases(self.TABLE))

    def test_bad_argument_is_named(
        self, row: Row, name: str, value: Any, error: type[Exception]
    ) -> None:
        """A bad argument raises the documented exception, and its message names it."""
        check_bad_argument(row, name, value, error)

    def test_every_public_callable_has_a_row(self) -> None:
        """New public API joins the table, so it cannot skip the contract."""
        assert missing_from(self.TABLE, self.MODULES) == []
