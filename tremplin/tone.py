"""Tu or vous: one rule for all of Tremplin, and one table to say to an adult what was written for a pupil.

The rule: pupils are addressed with « tu », everyone else with « vous »: every other role (employer,
parent, teacher, team) and someone who has not said who they are yet (the first greeting asks it in
« vous », and so do Rasa's responses in domain/ until the `role` slot is set: one rule everywhere).

The table: the domain's messages that serve everyone (the date parser's hints and refusals) are
written in « tu »; `vous()` rewrites them for an adult. Whole phrases first, where the verb changes
(« peux-tu vérifier » → « pouvez-vous vérifier »), then the pronouns and possessives word by word
(« ton », « ta » → « votre », « tes » → « vos », « toi », « te », « t' » → « vous », « t'as » →
« vous avez »). What stands between
« » (examples, and what the user typed, quoted back) is never rewritten.
"""
from __future__ import annotations

import re

from tremplin.models import Role

__all__ = ["says_tu", "tu_or_vous", "vous", "VOUS_PHRASES"]

# (tutoiement, vouvoiement), applied in this order, case-sensitive.
VOUS_PHRASES: tuple[tuple[str, str], ...] = (
    ("Tu peux écrire", "Vous pouvez écrire"),
    ("tu peux aussi donner", "vous pouvez aussi donner"),
    ("peux-tu vérifier", "pouvez-vous vérifier"),
    ("Indique une", "Indiquez une"),
    ("indique une", "indiquez une"),
    ("choisis une", "choisissez une"),
    ("choisis la", "choisissez la"),
    ("dans ta date : écris-la", "dans votre date : écrivez-la"),
    ("écris son numéro", "écrivez son numéro"),
    ("donne-moi directement la semaine de ton stage", "donnez-moi directement la semaine du stage"),
    ("Donne-moi", "Donnez-moi"),
    # The commune is the offer's or the collège's, not the adult's own: said without a possessive.
    ("dis-moi ta ville ou ton département (ou ta zone", "indiquez la commune ou le département (ou la zone"),
    ("ou donne ", "ou donnez "),
)
# Word by word, once the phrases are done: only words whose « vous » form changes nothing around them
# (« t'as » and « t'es » carry their verb along; « t' » before a verb is « vous » : « t'aider »).
_VOUS_WORDS = {"ton": "votre", "ta": "votre", "tes": "vos", "toi": "vous", "te": "vous", "t'as": "vous avez",
               "t'es": "vous êtes", "t'": "vous "}
_WORD = re.compile(r"\b(?:t['’]as|t['’]es|ton|ta|tes|toi|te)\b|\bt['’](?=\w)", re.IGNORECASE)
_QUOTED = re.compile(r"(«[^»]*»)")


def says_tu(role: Role | None) -> bool:
    """Whether Tremplin says « tu » to someone with this role (None: no role chosen yet, or no account)."""
    return role is Role.STUDENT


def tu_or_vous(role: Role | None, tu: str, vous: str) -> str:
    """The sentence for this role: `tu` for a pupil, `vous` otherwise (a role not chosen yet included)."""
    return tu if says_tu(role) else vous


def _word(match: re.Match[str]) -> str:
    word = match.group(0)
    formal = _VOUS_WORDS[word.lower().replace("’", "'")]
    return formal[:1].upper() + formal[1:] if word[:1].isupper() else formal


def _outside_quotes(text: str) -> str:
    for tu, formal in VOUS_PHRASES:
        text = text.replace(tu, formal)
    return _WORD.sub(_word, text)


def vous(text: str) -> str:
    """A message written in « tu » for a pupil, said to an adult (see the module's docstring).

    >>> vous("Ton département a son propre calendrier : donne-moi directement la semaine de ton stage.")
    'Votre département a son propre calendrier : donnez-moi directement la semaine du stage.'
    >>> vous("Je n'ai pas compris la date « quand ça t'arrange ». Tu peux écrire par exemple « 8 décembre ».")
    "Je n'ai pas compris la date « quand ça t'arrange ». Vous pouvez écrire par exemple « 8 décembre »."
    """
    return "".join(part if part.startswith("«") else _outside_quotes(part) for part in _QUOTED.split(text))
