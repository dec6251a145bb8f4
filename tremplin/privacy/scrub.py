"""Mask what would identify a minor in free text before anyone else reads it: phone numbers, e-mails,
links, social-network handles, street addresses and the student's own name."""
from __future__ import annotations

import re
import unicodedata

MASK_PHONE = "[téléphone masqué]"
MASK_EMAIL = "[e-mail masqué]"
MASK_LINK = "[lien masqué]"
MASK_HANDLE = "[pseudo masqué]"
MASK_ADDRESS = "[adresse masquée]"
MASK_NAME = "[prénom masqué]"

_EMAIL = re.compile(r"[\w.+-]+\s*(?:@|\(at\)|\[at\])\s*[\w-]+(?:\s*\.\s*[\w-]+)+", re.IGNORECASE)
_LINK = re.compile(r"\b(?:https?://|www\.)\S+|\b[\w-]+\.(?:fr|com|net|org|io|be|me|gg|tv)(?:/\S*)?\b",
                   re.IGNORECASE)
# French numbers written with spaces, dots, dashes or +33, and long digit runs that look like one.
_PHONE = re.compile(r"(?:(?:\+|00)\s*33\s*\(?0?\)?|\b0)\s*[1-9](?:[\s.\-]*\d{2}){4}\b|\b\d{10}\b")
_HANDLE = re.compile(r"(?<![\w@])@[A-Za-z0-9_.]{2,30}|\b(?:snap|insta|instagram|tiktok|discord|"
                     r"facebook|fb|twitter|x)\s*[:=]\s*\S+", re.IGNORECASE)
_STREET_WORDS = (r"rue|avenue|av|bd|boulevard|chemin|ch|impasse|imp|allée|allee|place|pl|route|rte|"
                 r"quai|cours|lieu[- ]dit|lotissement|lot|résidence|residence|square|passage|hameau")
_ADDRESS = re.compile(
    rf"\b\d{{1,4}}\s*(?:bis|ter)?\s*,?\s*(?:{_STREET_WORDS})\.?\s+(?:d[eu']\s*|de la\s+|des\s+)?"
    rf"[\w'’\-]+(?:\s+[\w'’\-]+){{0,3}}", re.IGNORECASE)
_POSTCODE_CITY = re.compile(r"\b\d{5}\s+[A-ZÉÈ][\w'’\-]+(?:[\s-][\w'’\-]+){0,3}")


def _fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn").lower()


def _mask_names(text: str, names: list[str]) -> str:
    for name in names:
        name = (name or "").strip()
        if len(name) < 2:
            continue
        folded = _fold(name)
        # Compare accent-insensitively while replacing in the original text.
        pattern = re.compile(r"\b\w+\b")
        text = pattern.sub(lambda m: MASK_NAME if _fold(m.group(0)) == folded else m.group(0), text)
    return text


def scrub(text: str, names: list[str] | None = None) -> str:
    """Return the text with identifying details replaced by readable masks."""
    text = _EMAIL.sub(MASK_EMAIL, text)
    text = _LINK.sub(MASK_LINK, text)
    text = _HANDLE.sub(MASK_HANDLE, text)
    text = _PHONE.sub(MASK_PHONE, text)
    text = _ADDRESS.sub(MASK_ADDRESS, text)
    text = _POSTCODE_CITY.sub(MASK_ADDRESS, text)
    if names:
        text = _mask_names(text, names)
    return text
