"""One place for the seed: every page, test and training script calls this."""

from __future__ import annotations

import os
import random

from .. import _check

#: The seed every page of the site uses, so two builds show the same numbers.
SEED = 0


def check_seed(seed: object) -> int:
    """``seed`` if every generator can take it: an int in [0, 2**32), not a bool.

    >>> check_seed(7)
    7
    >>> check_seed(2**32)
    Traceback (most recent call last):
    ...
    ValueError: seed must be an int in [0, 4294967295], got 4294967296
    """
    # numpy takes seeds below 2**32 only; a bool is no seed (the check refuses it).
    return _check.integer("seed", seed, minimum=0, maximum=2**32 - 1)


def seed_everything(seed: int = SEED) -> int:
    """Seed Python, numpy, torch and transformers; return the seed.

    >>> seed_everything(0)
    0
    """
    check_seed(seed)  # before anything is seeded
    os.environ["PYTHONHASHSEED"] = str(seed)  # for subprocesses; this one is already running
    random.seed(seed)
    import numpy as np  # noqa: PLC0415
    import torch  # noqa: PLC0415

    np.random.seed(seed)  # noqa: NPY002 - libraries that still use the global state
    torch.manual_seed(seed)
    try:
        from transformers import set_seed  # noqa: PLC0415
    except ImportError:  # pragma: no cover - the models extra brings transformers
        return seed
    set_seed(seed)
    return seed
