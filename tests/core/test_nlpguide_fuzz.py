"""Bad-input fuzzing of the package itself: ``nlpguide.<name>`` (see tests/fuzz_support.py)."""

from __future__ import annotations

from fuzz_support import (
    CASES,
    TEXT,
    Outcome,
    fuzz,
)
from hypothesis import given
from hypothesis import strategies as st


class TestPackage:
    @fuzz(150)
    @given(name=st.one_of(st.sampled_from(["choose", "mlm", "models", "__version__"]), TEXT))
    def test_lazy_attributes(self, name: str) -> None:
        """A public submodule loads on access; any other name raises AttributeError naming it."""
        import nlpguide

        CASES["nlpguide.__getattr__"] += 1
        try:
            out = Outcome(True, getattr(nlpguide, name))
        except AttributeError as err:  # the contract of a module's __getattr__
            out = Outcome(False, error=err)
        if out.ok:
            assert (
                name in nlpguide.__all__ or hasattr(type(nlpguide), name) or name in vars(nlpguide)
            )
        else:
            assert repr(name) in str(out.error)


#: Each public callable -> the test here that fuzzes it (tests/*/test_fuzz_coverage.py).
REGISTRY: dict[str, str] = {
    "nlpguide.__getattr__": "TestPackage.test_lazy_attributes",
}
