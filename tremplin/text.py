"""Text helpers shared across the project (matching user input against reference names)."""
from __future__ import annotations

import re

from unidecode import unidecode

__all__ = ["normalize"]

_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def normalize(text: str) -> str:
    """Lower-case, strip accents, turn hyphens/apostrophes/punctuation into spaces, collapse spaces.

    >>> normalize("  Saint-Étienne-de-l'Œuvre ! ")
    'saint etienne de l oeuvre'
    """
    if not text:
        return ""
    if not text.isascii():
        text = unidecode(text)  # also handles ligatures (œ -> oe) and typographic apostrophes
    return _NON_ALNUM.sub(" ", text.lower()).strip()
