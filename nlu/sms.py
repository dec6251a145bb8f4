"""SMS French -> written French, token by token, with an offset map.

Pure Python (no Rasa import) so that it can be tested and reused anywhere. Only whole tokens are
rewritten, never the inside of a word, and only tokens from the table below (plus the "j" + consonant
contraction: "jcherche" -> "je cherche"). Case is kept when nothing matches; lower-casing is left to
the featurizers. Spans given as ``protected`` (annotated entities in training data) are never touched,
so annotated offsets can be moved instead of being invalidated.
"""
from __future__ import annotations

import bisect
import re
from typing import Iterable, List, Optional, Sequence, Tuple

# token -> replacement. Keys are lower case, without surrounding punctuation.
SMS: dict[str, str] = {
    # je + verbe
    "chui": "je suis", "chuis": "je suis", "jsui": "je suis", "jsuis": "je suis", "jss": "je suis",
    "jsuiss": "je suis", "shui": "je suis", "chu": "je suis",
    "jsp": "je sais pas", "jsais": "je sais", "jsai": "je sais", "chais": "je sais", "chai": "je sais",
    "chépa": "je sais pas", "chepa": "je sais pas", "chaipa": "je sais pas", "jcp": "je sais pas",
    "jai": "j'ai", "jé": "j'ai", "jsé": "je sais", "g": "j'ai", "jaurai": "j'aurai", "jaurais": "j'aurais",
    "javais": "j'avais", "jaime": "j'aime", "jaimerais": "j'aimerais", "jaimerai": "j'aimerais",
    "jarrive": "j'arrive", "jattends": "j'attends", "jattend": "j'attends", "jhabite": "j'habite",
    "jveu": "je veux", "jpe": "je peux", "jpeu": "je peux", "jfé": "je fais", "jfai": "je fais",
    "jdoi": "je dois", "jv": "je vais", "jvai": "je vais", "gt": "j'étais", "jetais": "j'étais",
    "jcroi": "je crois", "jconai": "je connais", "jconnai": "je connais",
    # petits mots
    "ds": "dans", "dc": "donc", "ms": "mais", "pr": "pour", "pa": "pas", "vs": "vous", "ns": "nous",
    "tt": "tout", "tte": "toute", "tts": "tous", "ttes": "toutes", "bcp": "beaucoup", "tjr": "toujours",
    "tjrs": "toujours", "tjs": "toujours", "mm": "même", "dla": "de la", "dle": "de le",
    "ya": "il y a", "y'a": "il y a", "yen": "il y en", "ct": "c'était", "c": "c'est", "cest": "c'est",
    "t": "tu es",  # "t ki ?" ("tes" stays: it is also the possessive)
    "koi": "quoi", "kwa": "quoi", "quoa": "quoi", "ki": "qui", "kel": "quel", "kelle": "quelle",
    "kels": "quels", "kelles": "quelles", "ke": "que", "kan": "quand", "qd": "quand", "kand": "quand",
    "pk": "pourquoi", "pq": "pourquoi", "pkoi": "pourquoi", "pourkoi": "pourquoi", "prk": "pourquoi",
    "cmt": "comment", "cmnt": "comment", "koman": "comment", "komen": "comment", "comen": "comment",
    "kom": "comme", "cb": "combien", "cmb": "combien", "combi1": "combien",
    "keske": "qu'est-ce que", "kesk": "qu'est-ce que", "kske": "qu'est-ce que", "kesako": "qu'est-ce que c'est",
    "pcq": "parce que", "pck": "parce que", "psk": "parce que", "pask": "parce que", "paske": "parce que",
    "pasque": "parce que", "qqn": "quelqu'un", "qqun": "quelqu'un", "kelkun": "quelqu'un",
    "qqch": "quelque chose", "qqc": "quelque chose", "qlq": "quelques", "qq": "quelques",
    "pb": "problème", "pblm": "problème", "pbm": "problème", "prob": "problème", "pbs": "problèmes",
    "rdv": "rendez-vous", "mtn": "maintenant", "mnt": "maintenant", "mnt.": "maintenant",
    "auj": "aujourd'hui", "ajd": "aujourd'hui", "aujd": "aujourd'hui", "dmn": "demain", "dem1": "demain",
    "tlm": "tout le monde", "vrmt": "vraiment", "vrm": "vraiment", "bi1": "bien", "ri1": "rien",
    "tro": "trop", "fo": "faut", "fodrai": "faudrait", "fodrait": "faudrait", "pt": "peut",
    "ptet": "peut-être", "ptetre": "peut-être", "ptêtre": "peut-être", "peutetre": "peut-être",
    "pdt": "pendant", "a+": "à plus", "msg": "message", "msgs": "messages", "dsl": "désolé", "aprem": "après-midi",
    "nn": "non", "ui": "oui", "wi": "oui", "ouai": "ouais", "oé": "ouais", "wé": "ouais", "wai": "ouais",
    # formules
    "stp": "s'il te plaît", "stpl": "s'il te plaît", "stplz": "s'il te plaît", "svp": "s'il vous plaît",
    "svpl": "s'il vous plaît", "bjr": "bonjour", "bjour": "bonjour", "bjrs": "bonjour", "bsr": "bonsoir",
    "slt": "salut", "cc": "coucou", "mrc": "merci", "mrci": "merci", "mci": "merci", "merki": "merci",
    "thx": "merci", "dak": "d'accord", "dac": "d'accord", "dacc": "d'accord", "daccord": "d'accord",
    "tkt": "t'inquiète", "bne": "bonne", "bn": "bon", "ajt": "ajoute",
    # commandes de messagerie : "/annuler" is not an intent name, so it reaches the NLU as text
    "/annuler": "annuler", "/stop": "annuler", "/aide": "aide", "/help": "aide", "/start": "bonjour",
    "/menu": "aide", "/humain": "je veux parler à un humain",
}

_TOKEN = re.compile(r"[^\s,;:!?()\"«»…]+")
_TRAILING = re.compile(r"[.]+$")
# "jcherche", "jveux", "jpeux", "jconnais": j + consonant + at least two letters.
_J_CONTRACTION = re.compile(r"^j([bcdfghklmnpqrstvwxzç][a-zàâäéèêëîïôöûüç]{2,})$")
_J_EXCLUDED = {"jpg", "jpeg", "jsp", "jcp"}

OffsetMap = List[Tuple[int, int, int, int]]  # (old_start, old_end, new_start, new_end) of each rewrite


def _replacement(token: str) -> Optional[str]:
    low = token.lower()
    if len(token) == 1 and token != low:
        return None  # "3e C", "la classe G": a capital letter is a name, not "c'est" / "j'ai"
    if low in SMS:
        return SMS[low]
    if low not in _J_EXCLUDED:
        match = _J_CONTRACTION.match(low)
        if match:
            return "je " + match.group(1)
    return None


def normalise(text: str, protected: Sequence[Tuple[int, int]] = ()) -> Tuple[str, OffsetMap]:
    """Return the rewritten text and the list of rewrites (old span -> new span)."""
    pieces: List[str] = []
    rewrites: OffsetMap = []
    cursor = 0
    shift = 0
    previous = ""
    for match in _TOKEN.finditer(text):
        start, end = match.span()
        token = match.group()
        stripped = _TRAILING.sub("", token)
        end = start + len(stripped)
        if not stripped:
            continue
        # "je c pas" is "je sais pas", not "je c'est pas"
        new = "sais" if stripped == "c" and previous in ("je", "j") else _replacement(stripped)
        previous = stripped.lower()
        if new is None or new == stripped:
            continue
        if any(start < p_end and p_start < end for p_start, p_end in protected):
            continue
        pieces.append(text[cursor:start])
        pieces.append(new)
        rewrites.append((start, end, start + shift, start + shift + len(new)))
        shift += len(new) - (end - start)
        cursor = end
    if not rewrites:
        return text, []
    pieces.append(text[cursor:])
    return "".join(pieces), rewrites


def map_offset(offset: int, rewrites: OffsetMap, *, is_end: bool = False) -> int:
    """Old offset -> new offset. Offsets inside a rewritten token snap to its new boundaries."""
    if not rewrites:
        return offset
    starts = [r[0] for r in rewrites]
    i = bisect.bisect_right(starts, offset) - 1
    if i < 0:
        return offset
    old_start, old_end, new_start, new_end = rewrites[i]
    if offset >= old_end:
        return offset + (new_end - old_end)
    if offset == old_start:
        return new_start
    return new_end if is_end else new_start


def unmap_offset(offset: int, rewrites: OffsetMap, *, is_end: bool = False) -> int:
    """New offset -> old offset (used to give entity spans back in the user's own text)."""
    if not rewrites:
        return offset
    starts = [r[2] for r in rewrites]
    i = bisect.bisect_right(starts, offset) - 1
    if i < 0:
        return offset
    old_start, old_end, new_start, new_end = rewrites[i]
    if offset >= new_end:
        return offset - (new_end - old_end)
    if offset == new_start:
        return old_start
    return old_end if is_end else old_start


# Accented letters -> plain letters, one character for one (offsets do not move). Students mostly type
# without accents and adults with them: "élèves" and "eleves", "décliner" and "decliner" then give the
# featurizers the same words and n-grams. The user's own text (accents included) is given back by
# SmsRestorer. Two-letter ligatures (œ, æ) are left alone so that the length never changes.
_FOLD = str.maketrans("àâäáãåçéèêëíìîïñóòôöõúùûüýÿÀÂÄÁÃÅÇÉÈÊËÍÌÎÏÑÓÒÔÖÕÚÙÛÜÝŸ’",
                      "aaaaaaceeeeiiiinooooouuuuyyAAAAAACEEEEIIIINOOOOOUUUUYY'")


def fold_accents(text: str) -> str:
    """The same text without accents, character for character (same length, same offsets)."""
    return text.translate(_FOLD)


def normalise_entities(text: str, entities: Iterable[dict]) -> Tuple[str, List[dict]]:
    """Normalise a training text outside its entity spans and move the spans accordingly."""
    entities = [dict(e) for e in entities]
    spans = [(e["start"], e["end"]) for e in entities if "start" in e and "end" in e]
    new_text, rewrites = normalise(text, spans)
    for entity in entities:
        if "start" in entity and "end" in entity:
            entity["start"] = map_offset(entity["start"], rewrites)
            entity["end"] = map_offset(entity["end"], rewrites, is_end=True)
    return new_text, entities
