"""Commune names as matching keys: case, accents, punctuation, abbreviations ("St", "s/") and leading articles."""
from __future__ import annotations

from tremplin.text import normalize

__all__ = ["compact", "name_key", "strip_article"]

_TOKEN_ALIASES = {
    "st": "saint",
    "ste": "sainte",
    "sts": "saints",
    "stes": "saintes",
    "mt": "mont",
    "ss": "sous",
    "s": "sur",  # "Chalon-s/-Saône"
}
_ALIASED = frozenset(_TOKEN_ALIASES)
_ARTICLES = frozenset({"le", "la", "les", "l"})


def name_key(text: str) -> str:
    """Canonical form of a commune name for matching.

    ``normalize`` (case, accents, punctuation) plus "st"/"ste" -> "saint"/"sainte",
    "s/" -> "sur", "ss" -> "sous", "mt" -> "mont".  Spaces are kept.
    """
    norm = normalize(text)
    tokens = norm.split(" ")
    if _ALIASED.isdisjoint(tokens):
        return norm
    return " ".join(
        _TOKEN_ALIASES.get(tok, tok) if (i or tok not in ("s", "ss")) else tok
        for i, tok in enumerate(tokens)
    )


def strip_article(key: str) -> str:
    """The key without its leading article ("la chapelle" -> "chapelle"), if it has more than one word."""
    head, _, rest = key.partition(" ")
    return rest if rest and head in _ARTICLES else key


def compact(key: str) -> str:
    """The key without spaces, so that "lachapelle" == "la chapelle"."""
    return key.replace(" ", "")
