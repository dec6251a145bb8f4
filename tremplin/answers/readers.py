"""Typed readers: does this message hold an answer of the kind the question asked?

A form asks one thing at a time. The message is first read as that thing — a SIRET, a person's name,
a number of places, weeks — whatever the intent classifier thought of it: a name is never « annuler »,
« 1 place » never a date, « jsp » to « C'est quand ton stage ? » is an answer. Each reader returns the
text for the slot's checks (which say why a value is refused, with an example), or None when the
message holds nothing of that kind — then the form may answer a question asked in passing (FAQ, help)
and ask again. Pure functions over the référentiels: no database, no Rasa.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from tremplin.dates import parse_periods
from tremplin.geography import get_communes
from tremplin.metiers import get_referentiel, resolve_environments
from tremplin.services.errors import DomainError
from tremplin.text import normalize

Reader = Callable[[str], "str | bool | None"]

DONT_KNOW = re.compile(r"\b(?:je (?:ne )?sais (?:pas|plus)|j sais pas|jsais pas|sais pas|jsp|chai pas|chais pas|"
                       r"ch sais pas|aucune idee|pas d idee|pas encore|peu importe|n importe|on verra|pas sur|"
                       r"je verrai|jverrai|pas de date|aucune date|toutes?|egal|nsp|ne sait pas)\b")
_YES = re.compile(r"^(?:oui|ouais|ouai|wi|ui|yes|yep|ok|okay|oki|okk|d accord|dac|dacc|daccord|bien sur|"
                  r"carrement|vas y|go|parfait|c est bon|c bon|exact|exactement|tout a fait|absolument|"
                  r"je confirme|confirme|valide|envoie|envoyer|enregistre|enregistrer|publie|publier|"
                  r"j accepte|accepte|ca marche|ca me va|nickel|impec|top)\b")
_NO = re.compile(r"^(?:non|nan|nope|no|pas du tout|surtout pas|jamais|j accepte pas|je n accepte pas|"
                 r"pas d accord|je refuse|refuse|corriger|a corriger|je veux corriger|modifier|pas encore)\b")
_CIVILITY = re.compile(r"^(?:m|mr|mme|mlle|mle|mme\.|monsieur|madame|mademoiselle|dr|docteur)\b\.?\s*",
                       re.IGNORECASE)
_NAME_WORD = re.compile(r"^[A-Za-zÀ-ÖØ-öø-ÿ][A-Za-zÀ-ÖØ-öø-ÿ'’.-]*$")
_PHONE = re.compile(r"(?:\+|00)\s*33\s*(?:\(0\)\s*)?[1-9](?:[\s.-]*\d){8}|\b0\s*[1-9](?:[\s.-]*\d){8}\b")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_DIGITS = re.compile(r"\d")
NUMBER_WORDS = {"zero": 0, "zéro": 0, "aucun": 0, "aucune": 0, "un": 1, "une": 1, "deux": 2, "trois": 3,
                "quatre": 4, "cinq": 5, "six": 6, "sept": 7, "huit": 8, "neuf": 9, "dix": 10, "onze": 11,
                "douze": 12, "treize": 13, "quatorze": 14, "quinze": 15, "seize": 16, "vingt": 20,
                "trente": 30, "quarante": 40, "cinquante": 50, "cent": 100}
_DATE_WORDS = re.compile(r"\b(?:janv|jan|fevr?|fev|mars|avr|avril|mai|juin|juil|juillet|aout|sept|sep|oct|nov|dec|"
                         r"janvier|fevrier|septembre|octobre|novembre|decembre|semaines?|sem|vacances|toussaint|"
                         r"noel|paques|lundi|mardi|mercredi|jeudi|vendredi|prochaine|s\d{1,2})\b")
_PLACES_WORDS = re.compile(r"\b(?:places?|eleves?|stagiaires?|jeunes?|personnes?|collegiens?|enfants?)\b")
_QUESTION_START = re.compile(r"^(?:c est quoi|c quoi|comment|pourquoi|combien|est ce que|quand|ou est|"
                             r"qu est ce|quel|quelle|je peux|on peut|tu peux|vous pouvez|t es|tu es)\b")


def _words(text: str) -> str:
    return normalize(text)


def is_dont_know(text: str) -> bool:
    """« jsp », « je sais pas encore », « peu importe »: the user has no answer yet."""
    return DONT_KNOW.search(_words(text)) is not None


def looks_like_question(text: str) -> bool:
    """A question to the assistant (« c'est payé ? »), not an answer."""
    stripped = text.strip()
    return (stripped.endswith("?") and len(stripped) < 120) or _QUESTION_START.match(_words(text)) is not None


def read_free_text(text: str) -> str | None:
    """Any text (a title, a description, a motivation), unless it is a question to the assistant."""
    stripped = " ".join(text.split())
    return stripped if stripped and not looks_like_question(stripped) else None


def read_yes_no(text: str) -> bool | None:
    """« ouais », « ok vas-y », « non, corriger » → True / False; anything else → None."""
    words = _words(text)
    if _NO.match(words):
        return False
    if _YES.match(words):
        return True
    return None


def read_person_name(text: str) -> str | None:
    """« Claire Martin », « M. Dupont », « Mme Petit-Roux »: 1 to 5 name-like words, no digits."""
    stripped = " ".join(text.replace("’", "'").split()).strip(" .,;")
    if not stripped or _DIGITS.search(stripped) or looks_like_question(stripped):
        return None
    rest = _CIVILITY.sub("", stripped)
    words = rest.split()
    if not 1 <= len(words) <= 5 or not all(_NAME_WORD.match(w) for w in words):
        return None
    return stripped


def read_phone(text: str) -> str | None:
    """A French phone number in any usual layout, found anywhere in the message."""
    match = _PHONE.search(text)
    return match.group(0) if match else None


def read_email(text: str) -> str | None:
    match = _EMAIL.search(text)
    return match.group(0) if match else None


def read_contact(text: str) -> str | None:
    """A teacher's professional contact: a name with a phone number or an e-mail address."""
    return text.strip() if read_phone(text) or read_email(text) or read_person_name(text) else None


def read_siret(text: str) -> str | None:
    """14 digits with any spaces or dots (the checks say when a digit is missing or the key is wrong)."""
    digits = re.sub(r"\D", "", text)
    return digits if len(digits) >= 9 else None


def read_commune(text: str) -> str | None:
    """A commune's name (with typos) or a postcode."""
    if re.search(r"\b\d{5}\b", text):
        return text.strip()
    return text.strip() if get_communes().resolve(text).status != "unknown" else None


def read_metier(text: str) -> str | None:
    """A trade of the référentiel (every ROME appellation, not only those the NLU examples show)."""
    return text.strip() if get_referentiel().resolve(text).status != "unknown" else None


def read_wanted(text: str) -> str | None:
    """What a pupil looks for: a trade, a domain, surroundings, or « je sais pas »."""
    if is_dont_know(text):
        return text.strip()
    ref = get_referentiel()
    if ref.resolve(text).status != "unknown" or ref.resolve_domain(text) or resolve_environments(text):
        return text.strip()
    return None


def read_dates(text: str) -> str | None:
    """Something date-like: a day number, a month, « semaine 50 », « vacances de février »."""
    words = _words(text)
    return text.strip() if _DIGITS.search(words) or _DATE_WORDS.search(words) else None


def read_dates_or_dont_know(text: str) -> str | None:
    return text.strip() if is_dont_know(text) else read_dates(text)


def parse_count(text: str | None) -> int | None:
    """"2", "deux", "2 élèves", "une place" → the number; None when there is no number at all."""
    for word in re.findall(r"\d+|[a-zéè]+", (text or "").lower()):
        if word.isdigit():
            return int(word)
        if word in NUMBER_WORDS:
            return NUMBER_WORDS[word]
    return None


def read_places(text: str) -> str | None:
    """« 2 », « deux élèves », « une place »: a count of pupils, never a date."""
    words = _words(text)
    numbers = re.findall(r"\b\d{1,3}\b", words) + [w for w in words.split() if w in NUMBER_WORDS]
    if len(numbers) == 1 and (_PLACES_WORDS.search(words) or len(words.split()) <= 3):
        return text.strip()
    return None


def read_distance(text: str) -> str | None:
    """« 20 km », « 10 », « pas trop loin », « peu importe »."""
    words = _words(text)
    if re.search(r"\b\d{1,3}\b", words) or is_dont_know(text) or re.search(r"\b(?:loin|pres|proche|km)\b", words):
        return text.strip()
    return None


def read_class_name(text: str) -> str | None:
    """« 3eB », « 3e A », « 3ème Orange »: a short label."""
    stripped = " ".join(text.split())
    return stripped if 1 <= len(stripped) <= 40 and not looks_like_question(stripped) else None


# --- strict readers: an answer to another question, recognisable without being asked (corrections) --

def read_one_metier(text: str) -> str | None:
    """Exactly one trade of the référentiel: « mécanicien agricole » beats the NLU's « mécanicien »."""
    return text.strip() if get_referentiel().resolve(text).status == "found" else None


_COUNTED = re.compile(r"\b(\d{1,2}|un|une|deux|trois|quatre|cinq|six|sept|huit|neuf|dix)\s+(?:seule?s?\s+)?"
                      r"(?:places?|eleves?|stagiaires?|jeunes?|collegiens?)\b")


def read_one_wanted(text: str) -> str | None:
    """« je sais pas », or exactly one trade (« agent administratif » is that trade, not a domain)."""
    return text.strip() if is_dont_know(text) else read_one_metier(text)


def read_counted_places(text: str) -> str | None:
    """« ah non, 2 places », « …du 11 au 15 janvier, 1 place »: a count with its unit word, anywhere."""
    match = _COUNTED.search(_words(text))
    return match.group(1) if match else None


def read_dates_in_sentence(text: str) -> str | None:
    """The whole sentence when every number in it is part of a date (or a count of places)."""
    try:
        parse_periods(text, date.today(), None)
    except DomainError:
        return None
    return text.strip()


def read_named_dates(text: str) -> str | None:
    """« plutôt la semaine du 18 janvier »: dates with a month, « semaine » or holidays named."""
    return text.strip() if _DATE_WORDS.search(_words(text)) and _DIGITS.search(text) else None


_PLACE_CUE = re.compile(r"\b(?:vers|a|sur|pres de|autour de|du cote de|dans le coin de|en direction de|"
                        r"sur la commune de|aux alentours de)\s+((?:[a-z0-9-]+\s*){1,4})")


def find_commune_in_sentence(text: str) -> str | None:
    """« un stage de maçon vers panissieres du 18 … »: the commune named after « vers / à / sur … »
    (the longest run of words that names exactly one commune), or None."""
    communes = get_communes()
    for match in _PLACE_CUE.finditer(_words(text)):
        words = match.group(1).split()
        for size in range(min(4, len(words)), 0, -1):
            candidate = " ".join(words[:size])
            if communes.resolve(candidate).status == "found":
                return candidate
    return None
