"""A reply to a form's recap (« Je l'enregistre ? ») that says no but carries a correction.

« non en fait c'est Roanne », « non la commune c'est Feurs », « nan c'est Roanne pas Feurs », « plutôt à
Roanne », « non, le téléphone c'est 04 77 … »: the user wants one answer changed, not everything dropped.
`read_correction` says which answer and to what: the answer the message names (« la commune »), else the
one whose strict reader recognises the new value (a commune, a phone number…), else — when words say a
change is wanted (« en fait », « c'est », « corriger »…) — that the answer is unclear, with what was given.
A plain « non », « non merci » or « non j'ai changé d'avis » is no correction (None): the recap is refused.

Pure functions over the message and the référentiels, like readers.py: the forms say the words.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from tremplin.answers.readers import read_yes_no
from tremplin.geography import get_communes
from tremplin.text import normalize

ValueReader = Callable[[str], "str | None"]


@dataclass(frozen=True)
class Amendable:
    """An answer a recap shows: how users name it (normalised words, without the article: « commune »,
    « ville »), and, when its values are recognisable without being named, a strict reader of one."""

    names: tuple[str, ...]
    unnamed: ValueReader | None = None


@dataclass(frozen=True)
class Correction:
    """`field`: the answer to change, or None when several (`candidates`) could be meant.
    `value`: the new value as typed (checked by the form like any answer), or None when the answer is
    named without one (« non, la commune ») — the form asks for it again."""

    field: str | None
    value: str | None
    candidates: tuple[str, ...] = ()


_NO_WORDS = {"non", "nan", "nn", "no", "nope", "noon", "nonnn"}
_INTERJECTIONS = {"ah", "oh", "euh", "heu", "bah", "ben", "hum", "hmm", "mmm", "oula", "oulala", "aie", "mince",
                  "zut", "alors", "svp", "stp"}
# Words that say a change is wanted (a plain « non » says the recap is refused).
_CUES = ("en fait", "enfait", "en realite", "finalement", "plutot", "pardon", "oups", "desole", "desolee",
         "une erreur", "petite erreur", "erreur", "je me suis trompe", "je me suis trompee", "je me suis plante",
         "je me suis plantee", "c est", "c etait", "ce sera", "ca sera", "ca", "il faut", "il fallait",
         "corriger", "a corriger", "je veux corriger", "je voudrais corriger", "modifier", "je veux modifier",
         "je voudrais modifier", "changer", "je veux changer", "je voudrais changer", "attends", "attendez",
         "mettre", "mets", "mettez", "remplacer", "il y a une erreur", "y a une erreur", "faute", "une faute")
# Words between the cue and the value: « c'est à Roanne », « la commune est Feurs », « pas ça ».
_GLUE = ("a", "au", "aux", "vers", "sur", "dans", "pour", "est", "sera", "c", "mais", "si", "plus", "svp", "stp",
         "le bon", "la bonne", "les bons", "les bonnes", "devrait etre", "doit etre", "que", "qu", "de", "d",
         "dans la commune de", "sur la commune de", "la commune de", "la ville de")
_ARTICLES = ("le", "la", "l", "les", "mon", "ma", "mes", "notre", "nos", "votre", "vos", "son", "sa", "ses",
             "du", "de", "de la", "des", "d", "un", "une")
# Where the value ends: « Roanne pas Feurs », « Roanne et pas Feurs », « Roanne au lieu de Feurs ».
_NEGATED_TAIL = ("pas", "et pas", "non pas", "et non", "et non pas", "au lieu de", "au lieu d", "plutot que",
                 "a la place de", "a la place d", "pas a", "et pas a", "pas en", "mais pas")
# What ends « pas Feurs, c'est Roanne » / « pas Feurs mais Roanne »: the value follows.
_AFTER_NEGATION = ("mais", "c est", "plutot", "ce sera", "il faut", "mais plutot")
# A reply that refuses the recap, whatever « en fait » or « c'est » came before.
_REFUSAL = re.compile(r"^(?:je (?:ne )?(?:veux|voudrais|prefere|souhaite|pense)|j (?:ai|aime)|pas (?:maintenant|"
                      r"besoin|la peine|envie|aujourd hui|tout de suite)|plus (?:besoin|envie)|merci|rien|laisse|"
                      r"tant pis|bon|ca ira|ca va|non\b|oublie|annul|stop|arret|abandon|on verra|plus tard|"
                      r"une autre fois|je vais|finalement non|pas du tout|bien|ok|d accord|tout est bon|"
                      r"tout bon|parfait|nickel|impec)")
_TOKEN = re.compile(r"[^\W_]+")
_TRIM = " \t,;:.!?«»\"'’()-"


@dataclass(frozen=True)
class _Word:
    key: str
    start: int


def _words(text: str) -> list[_Word]:
    """The message's words, normalised, with where each starts in the typed text (« c'est » is two)."""
    words: list[_Word] = []
    for match in _TOKEN.finditer(text):
        words.extend(_Word(part, match.start()) for part in normalize(match.group()).split())
    return words


def _phrase_at(words: list[_Word], i: int, phrases: tuple[str, ...] | set[str]) -> int:
    """How many words the longest of `phrases` found at word `i` takes (0: none)."""
    best = 0
    for phrase in phrases:
        parts = phrase.split()
        if len(parts) > best and [w.key for w in words[i:i + len(parts)]] == parts:
            best = len(parts)
    return best


def _named_at(words: list[_Word], i: int, fields: Mapping[str, Amendable]) -> tuple[int, set[str]]:
    """An answer named at word `i`, its article included: (words taken, the fields it may mean)."""
    best, named = 0, set[str]()
    for skip in {0, _phrase_at(words, i, _ARTICLES)}:
        for field, amendable in fields.items():
            size = _phrase_at(words, i + skip, amendable.names)
            if size and skip + size > best:
                best, named = skip + size, {field}
            elif size and skip + size == best:
                named.add(field)
    return best, named


def _skip_glue(words: list[_Word], i: int) -> int:
    while i < len(words) and (words[i].key in _NO_WORDS or words[i].key in _INTERJECTIONS
                              or _phrase_at(words, i, _GLUE)):
        i += max(1, _phrase_at(words, i, _GLUE))
    return i


def _value(text: str, words: list[_Word], i: int) -> tuple[str, str]:
    """The new value from word `i`: without what is negated (« Roanne pas Feurs » → « Roanne »), and as
    typed to the end (a name or a description may hold « pas »)."""
    i = _skip_glue(words, i)
    if i >= len(words):
        return "", ""
    start = words[i].start
    if start and text[start - 1] == "+":  # « +33 6 … »
        start -= 1
    whole = text[start:].strip(_TRIM)
    if size := _phrase_at(words, i, ("pas", "non pas", "et pas")):  # « pas Feurs, c'est Roanne »
        comma = text.find(",", words[i].start)
        after = next((j for j in range(i + size, len(words)) if _phrase_at(words, j, _AFTER_NEGATION)), None)
        if comma != -1 and (after is None or comma < words[after].start):
            rest = [j for j in range(i, len(words)) if words[j].start > comma]
            return (_value(text, words, rest[0])[0] if rest else ""), whole
        if after is None:
            return "", whole
        return _value(text, words, after + _phrase_at(words, after, _AFTER_NEGATION))[0], whole
    end = next((words[j].start for j in range(i + 1, len(words)) if _phrase_at(words, j, _NEGATED_TAIL)), len(text))
    return text[start:end].strip(_TRIM), whole


def read_correction(text: str, fields: Mapping[str, Amendable]) -> Correction | None:
    """The correction a reply to a recap carries (see the module docstring), or None (a plain yes or no)."""
    if not text or text.startswith("/") or read_yes_no(text) is True:
        return None
    words = _words(text)
    i, cue, named = 0, False, set[str]()
    while i < len(words):
        size, fields_named = _named_at(words, i, fields)
        if size and not named:
            i, named = i + size, fields_named
        elif words[i].key in _NO_WORDS or words[i].key in _INTERJECTIONS:
            i += 1
        elif size := _phrase_at(words, i, _CUES):
            i, cue = i + size, True
        elif size := _phrase_at(words, i, _GLUE):
            i += size
        else:
            break
    value, whole = _value(text, words, i)
    if named:
        return _among(sorted(named), value, whole, fields)
    if _REFUSAL.match(normalize(whole)):
        return None
    if not value:  # « non, corriger », « non c'est pas ça »: a change, of what is unclear
        return Correction(None, None, tuple(fields)) if cue else None
    found = [field for field, amendable in fields.items() if amendable.unnamed and amendable.unnamed(value)]
    if found:
        return _among(found, value, whole, fields)
    return Correction(None, whole, tuple(fields)) if cue else None


def _among(candidates: list[str], value: str, whole: str, fields: Mapping[str, Amendable]) -> Correction:
    """One of `candidates` (the fields named, or whose values `value` looks like) gets the new value: the
    one whose reader reads it when several could; free answers (no reader) keep all that was typed."""
    if len(candidates) > 1 and value:
        reading = [f for f in candidates if (reader := fields[f].unnamed) and reader(value)]
        candidates = reading if len(reading) == 1 else candidates
    if len(candidates) > 1:
        return Correction(None, whole or None, tuple(candidates))
    field = candidates[0]
    reader = fields[field].unnamed
    new = ((reader(value) if value else None) or value) if reader else whole
    return Correction(field, new or None)


def read_commune_named(text: str) -> str | None:
    """Exactly one commune by its name (« Roanne », « st etienne ») or a postcode: a value given unasked."""
    stripped = text.strip()
    if re.fullmatch(r"\d{5}", stripped):
        return stripped
    return stripped if get_communes().resolve(stripped).status == "found" else None


def read_street_address(text: str) -> str | None:
    """« 12 rue de la Gare », « 3 bis avenue Jean Jaurès »: a street address given unasked."""
    words = normalize(text)
    return text.strip() if re.match(r"^\d{1,4}\s*(?:bis |ter )?(?:rue|avenue|av|bd|boulevard|place|chemin|route|"
                                    r"allee|impasse|quai|cours|square|lotissement|za|zi|zone)\b", words) else None


def read_siret_alone(text: str) -> str | None:
    """14 digits and nothing else but spaces or dots: a SIRET given unasked."""
    return text.strip() if re.fullmatch(r"[\d\s.]+", text) and len(re.sub(r"\D", "", text)) == 14 else None
