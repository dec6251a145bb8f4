"""The words of a correction typed at a recap (tremplin/answers/corrections): what says no, what says a
change is wanted (« en fait », « c'est », « je préfère »), what names an answer (« la commune »), what
ends a value (« Roanne pas Feurs », « Roanne finalement ») and what joins two corrections (« et », « , »).
Pure functions over the typed text, its words normalised but their places in the text kept."""
from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Protocol

from tremplin.text import normalize


class Named(Protocol):
    """An answer as users name it (corrections.Amendable)."""

    @property
    def names(self) -> tuple[str, ...]: ...


NO_WORDS = {"non", "nan", "nn", "no", "nope", "noon", "nonnn"}
INTERJECTIONS = {"ah", "oh", "euh", "heu", "bah", "ben", "hum", "hmm", "mmm", "oula", "oulala", "aie", "mince",
                 "zut", "alors", "svp", "stp"}
# Words that say a change is wanted (a plain « non » says the recap is refused).
CUES = ("en fait", "enfait", "en realite", "finalement", "plutot", "pardon", "oups", "desole", "desolee",
        "une erreur", "petite erreur", "erreur", "je me suis trompe", "je me suis trompee", "je me suis plante",
        "je me suis plantee", "c est", "ce n est", "c etait", "ce n etait", "ca n est", "ce sera", "ca sera", "ca", "il faut", "il fallait",
        "corriger", "a corriger", "je veux corriger", "je voudrais corriger", "modifier", "je veux modifier",
        "je voudrais modifier", "changer", "je veux changer", "je voudrais changer", "attends", "attendez",
        "mettre", "mets", "mettez", "remplacer", "il y a une erreur", "y a une erreur", "faute", "une faute")
# A preference (« je préfère Roanne »): a change when a value follows that an answer's reader knows, else
# a refusal (« non je préfère attendre »).
PREFERENCES = ("je prefere", "je prefererais", "je preferais", "on prefere", "on preferait", "nous preferons",
               "prefere", "preferez", "ce serait mieux", "c est mieux", "ca serait mieux", "mieux vaut",
               "je voudrais plutot", "je veux plutot", "je prefere plutot", "plutot mettre")
# Words between the cue and the value: « c'est à Roanne », « la commune est Feurs », « pas ça ».
GLUE = ("a", "au", "aux", "vers", "sur", "dans", "pour", "est", "sera", "c", "mais", "si", "plus", "svp", "stp",
        "le bon", "la bonne", "les bons", "les bonnes", "devrait etre", "doit etre", "que", "qu", "de", "d",
        "dans la commune de", "sur la commune de", "la commune de", "la ville de", "n est", "n etait", "soit",
        "que ce soit", "que ca soit", "qu il soit", "qu elle soit", "que ce", "que ca")
ARTICLES = ("le", "la", "l", "les", "mon", "ma", "mes", "notre", "nos", "votre", "vos", "son", "sa", "ses",
            "du", "de", "de la", "des", "d", "un", "une")
# Words right after an answer's name that say its value follows (« la semaine d'un boulanger » does not).
SAYS_VALUE = ("c est", "est", "sera", "ce sera", "devrait etre", "doit etre", "c etait", "plutot", "en fait")
# Where the value ends: « Roanne pas Feurs », « Roanne et pas Feurs », « Roanne au lieu de Feurs ».
NEGATED_TAIL = ("pas", "et pas", "non pas", "et non", "et non pas", "au lieu de", "au lieu d", "plutot que",
                "a la place de", "a la place d", "pas a", "et pas a", "pas en", "mais pas")
# What ends « pas Feurs, c'est Roanne » / « pas Feurs mais Roanne »: the value follows.
AFTER_NEGATION = ("mais", "c est", "plutot", "ce sera", "il faut", "mais plutot")
# Words after a value that are no part of it: « Roanne finalement », « 06 12 34 56 78 merci ».
TRAILING = ("finalement", "en fait", "plutot", "merci", "merci beaucoup", "svp", "stp", "s il vous plait",
            "s il te plait", "si possible", "du coup", "alors", "aussi", "voila", "please", "bien sur")
POLITENESS = ("merci", "merci beaucoup", "svp", "stp", "s il vous plait", "s il te plait")
# What joins two corrections in one reply: « c'est Roanne et le tel c'est … », « Feurs, le contact … ».
SEPARATORS = ("et", "puis", "et puis", "et aussi", "ainsi que", "aussi", "enfin", "et enfin", "ou plutot")
TRIM = " \t,;:.!?«»\"'’()-"
_TOKEN = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Word:
    key: str
    start: int


@dataclass(frozen=True)
class Value:
    """What follows the cues: `value`, the new value without what is negated or trailing (« Roanne »);
    `whole`, as typed to the end (a name or a description may hold « pas »); `negated`, the value said
    wrong when no new one is given (« c'est pas Feurs » → « Feurs »)."""

    value: str
    whole: str
    negated: str = ""


def words_of(text: str) -> list[Word]:
    """The message's words, normalised, with where each starts in the typed text (« c'est » is two)."""
    words: list[Word] = []
    for match in _TOKEN.finditer(text):
        words.extend(Word(part, match.start()) for part in normalize(match.group()).split())
    return words


def phrase_at(words: list[Word], i: int, phrases: Collection[str]) -> int:
    """How many words the longest of `phrases` found at word `i` takes (0: none)."""
    best = 0
    for phrase in phrases:
        parts = phrase.split()
        if len(parts) > best and [w.key for w in words[i:i + len(parts)]] == parts:
            best = len(parts)
    return best


def named_at(words: list[Word], i: int, fields: Mapping[str, Named]) -> tuple[int, set[str]]:
    """An answer named at word `i`, its article included: (words taken, the fields it may mean)."""
    best, named = 0, set[str]()
    for skip in {0, phrase_at(words, i, ARTICLES)}:
        for field, amendable in fields.items():
            size = phrase_at(words, i + skip, amendable.names)
            if size and skip + size > best:
                best, named = skip + size, {field}
            elif size and skip + size == best:
                named.add(field)
    return best, named


def is_filler(words: list[Word], i: int) -> int:
    """How many words at `i` say no, hesitate, ask for a change or glue it to its value (0: none)."""
    if words[i].key in NO_WORDS or words[i].key in INTERJECTIONS:
        return 1
    return max(phrase_at(words, i, PREFERENCES), phrase_at(words, i, CUES), phrase_at(words, i, GLUE))


def skip_glue(words: list[Word], i: int) -> int:
    while i < len(words) and (words[i].key in NO_WORDS or words[i].key in INTERJECTIONS
                              or phrase_at(words, i, GLUE)):
        i += max(1, phrase_at(words, i, GLUE))
    return i


def without_tail(text: str, start: int, end: int, tail: Collection[str]) -> int:
    """Where text[start:end] ends once the words of `tail` that close it are left out (« Roanne finalement »)."""
    inside = words_of(text[start:end])
    while inside:
        cut = next((j for j in range(len(inside)) if phrase_at(inside, j, tail) == len(inside) - j), None)
        if cut is None:
            break
        end, inside = start + inside[cut].start, inside[:cut]
    return end


def _span(text: str, start: int, end: int, tail: Collection[str] = TRAILING) -> str:
    return text[start:without_tail(text, start, end, tail)].strip(TRIM)


def read_value(text: str, words: list[Word], i: int) -> Value:
    """The new value from word `i` (see Value)."""
    i = skip_glue(words, i)
    if i >= len(words):
        return Value("", "")
    start = words[i].start
    if start and text[start - 1] == "+":  # « +33 6 … »
        start -= 1
    whole = _span(text, start, len(text), POLITENESS)
    if size := phrase_at(words, i, ("pas", "non pas", "et pas")):  # « pas Feurs, c'est Roanne »
        comma = text.find(",", words[i].start)
        after = next((j for j in range(i + size, len(words)) if phrase_at(words, j, AFTER_NEGATION)), None)
        first = skip_glue(words, i + size)
        said_wrong = words[first].start if first < len(words) else len(text)
        if comma != -1 and (after is None or comma < words[after].start):
            rest = [j for j in range(i, len(words)) if words[j].start > comma]
            return Value(read_value(text, words, rest[0]).value if rest else "", whole,
                         _span(text, said_wrong, comma))
        if after is None:
            return Value("", whole, _span(text, said_wrong, len(text)))
        new = read_value(text, words, after + phrase_at(words, after, AFTER_NEGATION)).value
        return Value(new, whole, _span(text, said_wrong, words[after].start))
    end = next((words[j].start for j in range(i + 1, len(words)) if phrase_at(words, j, NEGATED_TAIL)), len(text))
    return Value(_span(text, start, end), whole)
