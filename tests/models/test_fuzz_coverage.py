"""Every public callable of the models and lessons layers has a fuzz test beside its tests."""

from __future__ import annotations

from pathlib import Path

from fuzz_support import missing_fuzz_tests, registries

#: The public modules above the core: they need the models extra.
MODULES = (
    "nlpguide.data",
    "nlpguide.models",
    "nlpguide.models.finetune",
    "nlpguide.models.decoding",
    "nlpguide.models.attention",
    "nlpguide.models.zero_shot",
    "nlpguide.models.retrieval",
    "nlpguide.models.t5",
    "nlpguide.models.headlines",
    "nlpguide.lessons",
    "nlpguide.lessons.architectures",
    "nlpguide.lessons.attention",
    "nlpguide.lessons.bert",
    "nlpguide.lessons.tokenization",
    "nlpguide.lessons.t5",
)
TESTS = Path(__file__).resolve().parents[1]
# The core's fuzz files count too: a torch-free part of a module listed here (nlpguide.data's
# translation pairs) is fuzzed in the core layer, which runs without the models extra.
FUZZ_FILES = sorted(
    [
        *TESTS.glob("core/test_*_fuzz.py"),
        *TESTS.glob("models/test_*_fuzz.py"),
        *TESTS.glob("lessons/test_*_fuzz.py"),
    ]
)


class TestCoverage:
    def test_every_public_callable_is_fuzzed(self) -> None:
        """Each public function and class of these layers has a REGISTRY entry in a fuzz file."""
        missing = missing_fuzz_tests(MODULES, FUZZ_FILES)
        assert not missing, f"public callables without a fuzz test: {missing}"

    def test_registries_name_real_tests(self) -> None:
        """Every REGISTRY entry of a core, models or lessons fuzz file names a test method of that file."""
        found = registries(FUZZ_FILES)  # asserts each entry names a real test
        assert {path for path, _ in found.values()} == set(FUZZ_FILES)
