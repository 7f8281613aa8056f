"""Every public callable of the numpy-only core has a fuzz test in tests/core."""

from __future__ import annotations

from pathlib import Path

from fuzz_support import missing_fuzz_tests, registries

#: The core layer's public modules: they import neither torch nor transformers.
CORE_MODULES = (
    "nlpguide",
    "nlpguide.mlm",
    "nlpguide.text2text",
    "nlpguide.choose",
    "nlpguide.sizes",
    "nlpguide.cli",
    "nlpguide.metrics",
    "nlpguide.provenance",
)
FUZZ_FILES = sorted(Path(__file__).parent.glob("test_*_fuzz.py"))


class TestCoverage:
    def test_every_public_callable_is_fuzzed(self) -> None:
        """Each public function and class of the core has a REGISTRY entry in a core fuzz file."""
        missing = missing_fuzz_tests(CORE_MODULES, FUZZ_FILES)
        assert not missing, f"public callables without a fuzz test: {missing}"

    def test_registries_name_real_tests(self) -> None:
        """Every REGISTRY entry of a core fuzz file names a test method of that file."""
        found = registries(FUZZ_FILES)  # asserts each entry names a real test
        assert {path for path, _ in found.values()} == set(FUZZ_FILES)
