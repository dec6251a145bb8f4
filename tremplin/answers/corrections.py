"""A reply to a form's recap (« Je l'enregistre ? ») that says no but carries corrections.

« non en fait c'est Roanne », « non la commune c'est Feurs », « nan c'est Roanne pas Feurs », « non je préfère
Roanne », « plutôt Roanne finalement »: the user wants an answer changed, not everything dropped.
`read_correction` reads one: the answer the message names (« la commune »), else the one whose strict
reader recognises the new value (a commune, a phone number…), else — when words say a change is wanted
(« en fait », « c'est », « corriger »…) — that the answer is unclear, with what was given. « non c'est pas
Feurs » names no new value: the answer that is Feurs now is asked again.
`read_corrections` reads them all (« non c'est Roanne et le tel c'est 06 12 34 56 78 », « la commune c'est
Feurs, le contact c'est Martin Dupont », « 2 places et la semaine du 18 janvier »): the reply is cut where
a new correction starts (an answer named, or a value an answer's reader knows), and a part that no answer
takes is given back as unclear, never dropped.
A plain « non », « non merci » or « non j'ai changé d'avis » is no correction (None): the recap is refused.

Pure functions over the message and the référentiels, like readers.py: the forms say the words.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from tremplin.answers.correction_words import (CUES, GLUE, INTERJECTIONS, NO_WORDS, PREFERENCES, SAYS_VALUE,
                                               SEPARATORS, TRIM, Word, is_filler, named_at, phrase_at, read_value,
                                               skip_glue, words_of)
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
    named without one (« non, la commune ») — the form asks for it again; `was`, then, the value said
    wrong (« c'est pas Feurs »)."""

    field: str | None
    value: str | None
    candidates: tuple[str, ...] = ()
    was: str | None = None


@dataclass(frozen=True)
class Corrections:
    """Every correction of one reply: `changes` (each answer once, in the form's order) and `unclear`, the
    parts typed whose answer is unclear (what was typed kept in `value`), to be asked about."""

    changes: tuple[Correction, ...]
    unclear: tuple[Correction, ...] = ()


# A reply that refuses the recap, whatever « en fait » or « c'est » came before.
_REFUSAL = re.compile(r"^(?:je (?:ne )?(?:veux|voudrais|prefere|souhaite|pense)|j (?:ai|aime)|pas (?:maintenant|"
                      r"besoin|la peine|envie|aujourd hui|tout de suite)|plus (?:besoin|envie)|merci|rien|laisse|"
                      r"tant pis|bon|ca ira|ca va|non\b|oublie|annul|stop|arret|abandon|on verra|plus tard|"
                      r"une autre fois|je vais|finalement non|pas du tout|bien|ok|d accord|tout est bon|"
                      r"tout bon|parfait|nickel|impec|ne (?:pas|rien|plus)|attendre|reflechir|y reflechir|"
                      r"revenir|recommencer)")


def read_correction(text: str, fields: Mapping[str, Amendable], current: Mapping[str, str] | None = None, *,
                    cued: bool = False) -> Correction | None:
    """The one correction a reply to a recap carries (see the module docstring), or None (a plain yes or
    no). `current`: the answers shown (« c'est pas Feurs » asks again the one that is Feurs); `cued`: the
    text follows another correction, so what it holds is said back even without « c'est »."""
    if not text or text.startswith("/") or read_yes_no(text) is True:
        return None
    words = words_of(text)
    i, cue, named = 0, cued, set[str]()
    while i < len(words):
        size, fields_named = named_at(words, i, fields)
        if size and not named:
            i, named = i + size, fields_named
        elif words[i].key in NO_WORDS or words[i].key in INTERJECTIONS:
            i += 1
        elif size := phrase_at(words, i, PREFERENCES):  # a change only with a value a reader knows
            i += size
        elif size := phrase_at(words, i, CUES):
            i, cue = i + size, True
        elif size := phrase_at(words, i, GLUE):
            i += size
        else:
            break
    said = read_value(text, words, i)
    if named:
        return _among(sorted(named), said.value, said.whole, fields, said.negated)
    if _REFUSAL.match(normalize(said.whole)):
        return None
    if not said.value:  # « non, corriger », « non c'est pas ça », « non c'est pas Feurs »
        if said.negated and (now := _named_in(said.negated, fields)):  # « c'est pas la bonne commune »
            return Correction(now, None)
        if said.negated and (now := _answer_of(said.negated, fields, current or {})):
            return Correction(now, None, was=said.negated)
        return Correction(None, None, tuple(fields)) if cue else None
    found = [name for name, amendable in fields.items() if amendable.unnamed and amendable.unnamed(said.value)]
    if found:
        return _among(found, said.value, said.whole, fields)
    if said.negated and (now := _named_in(said.negated, fields) or _answer_of(said.negated, fields, current or {})):
        return _among([now], said.value, said.value, fields)  # « c'est pas Claire Martin, c'est Paul Durand »
    return Correction(None, said.value if said.negated else said.whole, tuple(fields)) if cue else None


def read_corrections(text: str, fields: Mapping[str, Amendable],
                     current: Mapping[str, str] | None = None) -> Corrections | None:
    """Every correction a reply to a recap carries (see the module docstring), or None (a plain yes or no)."""
    if not text or text.startswith("/") or read_yes_no(text) is True:
        return None
    readings: list[Correction] = []
    for n, part in enumerate(_parts(text, fields)):
        readings.extend(_read_part(text, part, fields, current, cued=n > 0))
    changes: dict[str, Correction] = {}
    for reading in readings:
        if reading.field is not None and (reading.value is not None or reading.field not in changes):
            changes[reading.field] = reading  # the last new value typed for an answer wins
    unclear = tuple(reading for reading in readings if reading.field is None)
    if not changes and not unclear:
        return None
    return Corrections(tuple(changes[name] for name in fields if name in changes), unclear)


@dataclass
class _Part:
    """Where one correction is typed: text[start:end], with the cuts inside it that started none
    (the char where the text before a cut ends, the char where the text after it starts)."""

    start: int
    end: int
    cuts: list[tuple[int, int]] = field(default_factory=list)


@dataclass(frozen=True)
class _Cut:
    at: int     # char where the text before ends (a comma, « et »)
    word: int   # the first word after it
    piece: int  # the first word of what follows, separators left out


def _cuts(text: str, words: list[Word], first: int) -> list[_Cut]:
    """Where the reply may hold a new correction: after a comma or a semicolon, or at « et », « puis »…"""
    cuts: list[_Cut] = []
    j = first + 1
    while j < len(words):
        between = text[words[j - 1].start:words[j].start]
        comma = next((words[j - 1].start + k for k, c in enumerate(between) if c in ",;"), -1)
        size = phrase_at(words, j, SEPARATORS)
        if comma != -1 or size:
            cuts.append(_Cut(comma if comma != -1 else words[j].start, j, j + size))
        j += max(1, size)
    return cuts


def _parts(text: str, fields: Mapping[str, Amendable]) -> list[_Part]:
    """The reply cut where a new correction starts; a cut where none starts stays inside its part."""
    words = words_of(text)
    first = 0
    while first < len(words) and not named_at(words, first, fields)[0] and (size := is_filler(words, first)):
        first += size
    cuts = _cuts(text, words, first)
    parts = [_Part(0, len(text))]
    free = _free_text(words, first, fields)
    for n, cut in enumerate(cuts):
        end_word, end = (cuts[n + 1].word, cuts[n + 1].at) if n + 1 < len(cuts) else (len(words), len(text))
        start = cut.piece
        while start < end_word and not named_at(words, start, fields)[0] and (size := is_filler(words, start)):
            start += size
        starts = start < end_word and _starts(text[:end], words[:end_word], start, fields, free)
        begin = words[cut.piece].start if cut.piece < len(words) else end
        if starts:
            parts[-1].end = cut.at
            parts.append(_Part(begin, len(text)))
            free = _free_text(words, start, fields)
        else:
            parts[-1].cuts.append((cut.at, begin))
    return parts


def _free_text(words: list[Word], i: int, fields: Mapping[str, Amendable]) -> bool:
    """Word `i` names an answer typed freely (a name, a title): « , » and « et » may be part of it."""
    size, named = named_at(words, i, fields)
    return bool(size) and all(fields[name].unnamed is None for name in named)


def _starts(text: str, words: list[Word], i: int, fields: Mapping[str, Amendable], free: bool) -> bool:
    """A correction starts at word `i`: an answer named (inside a free answer, with « c'est » or a value its
    reader knows after it), or a value an answer's reader knows (inside a free answer, only a short one with
    digits, or one read whole: « Martin Dupont et 06 12 34 56 78 », not « Pétrir et cuire », « 2 stagiaires
    par jour »)."""
    size, named = named_at(words, i, fields)
    if size:
        after = i + size
        if not free or (after < len(words) and phrase_at(words, after, SAYS_VALUE)):
            return True
        value = read_value(text, words, after).value
        return bool(value) and any((reader := fields[name].unnamed) and reader(value) for name in named)
    value = read_value(text, words, i).value
    read = [new for amendable in fields.values() if value and amendable.unnamed and (new := amendable.unnamed(value))]
    return bool(read) and (not free or any(c.isdigit() for c in value) and (
        len(value.split()) <= 3 or any(normalize(new) == normalize(value) for new in read)))


def _read_part(text: str, part: _Part, fields: Mapping[str, Amendable], current: Mapping[str, str] | None,
               cued: bool) -> list[Correction]:
    """The part's correction; when its answer is unclear or its value unread but the text before one of its
    cuts is a sure correction (« c'est Roanne » in « c'est Roanne et Martin Dupont »), that one and, said
    back, what follows."""
    whole = read_correction(text[part.start:part.end].strip(TRIM), fields, current, cued=cued)
    if whole is None or _sure(whole, fields):
        return [whole] if whole else []
    for at, after in reversed(part.cuts):
        before = read_correction(text[part.start:at].strip(TRIM), fields, current, cued=cued)
        if before is not None and _sure(before, fields):
            rest = read_correction(text[after:part.end].strip(TRIM), fields, current, cued=True)
            return [before] + ([rest] if rest else [])
    return [whole]


def _sure(correction: Correction, fields: Mapping[str, Amendable]) -> bool:
    """One answer, and a new value its reader knows (or a free answer, or none: asked again)."""
    if correction.field is None:
        return False
    reader = fields[correction.field].unnamed
    return correction.value is None or reader is None or reader(correction.value) is not None


def _named_in(said_wrong: str, fields: Mapping[str, Amendable]) -> str | None:
    """The one answer `said_wrong` names (« pas la bonne commune »)."""
    words = words_of(said_wrong)
    named = named_at(words, skip_glue(words, 0), fields)[1] if words else set[str]()
    return next(iter(named)) if len(named) == 1 else None


def _answer_of(said_wrong: str, fields: Mapping[str, Amendable], current: Mapping[str, str]) -> str | None:
    """The one answer shown whose value is `said_wrong` (« Feurs » for « Feurs (42) », a phone's digits)."""
    said, digits = normalize(said_wrong).split(), re.sub(r"\D", "", said_wrong)
    same = [name for name, now in current.items() if name in fields and now and (
        (len(digits) >= 6 and re.sub(r"\D", "", now) == digits)
        or (said and normalize(now).split()[:len(said)] == said))]
    return same[0] if len(same) == 1 else None


def _among(candidates: list[str], value: str, whole: str, fields: Mapping[str, Amendable],
           was: str = "") -> Correction:
    """One of `candidates` (the fields named, or whose values `value` looks like) gets the new value: the
    one whose reader reads it when several could; free answers (no reader) keep all that was typed."""
    if len(candidates) > 1 and value:
        reading = [f for f in candidates if (reader := fields[f].unnamed) and reader(value)]
        candidates = reading if len(reading) == 1 else candidates
    if len(candidates) > 1:
        return Correction(None, whole or None, tuple(candidates))
    name = candidates[0]
    reader = fields[name].unnamed
    new = ((reader(value) if value else None) or value) if reader else whole
    return Correction(name, new or None, was=None if new else was or None)


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
