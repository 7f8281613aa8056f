"""A small built-in English word list for :func:`nlpguide.mlm.simulate_mlm`.

BERT replaces 10% of its selected tokens by a random vocabulary entry; the word-level
teaching view draws its "random word" from this list instead of a 30,000-piece vocabulary,
so that the replacement reads as an ordinary (if out-of-place) English word.

>>> from nlpguide._mlm_words import WORDS
>>> len(WORDS) == len(set(WORDS))
True
"""

from __future__ import annotations

from typing import Final

# fmt: off
WORDS: Final[tuple[str, ...]] = (
    "apple", "river", "window", "garden", "teacher", "yellow", "quickly", "mountain",
    "bread", "silver", "music", "doctor", "engine", "forest", "happy", "island",
    "jacket", "kitchen", "letter", "market", "number", "orange", "pencil", "question",
    "rabbit", "summer", "table", "umbrella", "valley", "winter", "basket", "candle",
    "desert", "feather", "guitar", "harbor", "invent", "jungle", "ladder", "mirror",
    "needle", "ocean", "planet", "rocket", "saddle", "ticket", "velvet", "wallet",
    "anchor", "bridge", "castle", "dragon", "finger", "hammer", "insect", "kettle",
    "lemon", "meadow", "nephew", "oyster", "pepper", "quiet", "ribbon", "spider",
    "tunnel", "violin", "walnut", "bottle", "carpet", "dinner", "honey", "marble",
    "pillow", "shadow", "thunder", "village", "blue", "green", "small", "large",
    "ancient", "bright", "calm", "clever", "dusty", "eager", "fancy", "gentle",
    "hollow", "narrow", "polite", "rapid", "shiny", "tiny", "wooden", "brave",
    "run", "jump", "sing", "read", "write", "swim", "build", "carry",
    "dance", "laugh", "paint", "cook", "travel", "listen", "whisper", "climb",
    "slowly", "often", "never", "always", "today", "yesterday", "soon", "almost",
    "horse", "chair", "cloud", "stone", "train", "phone", "clock", "beach",
    "coffee", "paper", "glass", "money", "story", "friend", "school", "city",
    "flower", "sugar", "storm", "tiger", "zebra", "piano", "camera", "lantern",
)
# fmt: on
