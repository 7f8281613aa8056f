"""The training jobs import their sibling modules by plain name, as `python training/x.py` does."""

from __future__ import annotations

import sys
from pathlib import Path

TRAINING = Path(__file__).resolve().parents[2] / "training"
if str(TRAINING) not in sys.path:
    sys.path.insert(0, str(TRAINING))
