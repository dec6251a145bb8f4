"""Person names in French chat text: spaCy's French NER, plus what it misses in SMS French — names
after « je m'appelle », « ma mère », « M. », a signature at the end, and the names the account
already knows — minus what must stay readable: famous people, streets and collèges named after
someone, towns, and the employer addressed by trade (« Monsieur le boulanger »)."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from presidio_analyzer import EntityRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts
from spacy.tokens import Doc

from tremplin.privacy.recognizers import LANGUAGE, PERSON

LISTS = Path(__file__).with_name("lists")
_UPPER = "A-ZÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸÆŒ"
_NAME_TOKEN = rf"(?:[{_UPPER}][\w'’]*(?:-[{_UPPER}]?[\w'’]+)*)"
_LOWER_TOKEN = r"(?:[a-zàâäçéèêëîïôöùûüÿæœ][\w'’]*(?:-[\w'’]+)*)"
_PARTICLE = r"(?:d[eu]|de\s+la|da|dos|van|von|ben|bin|el|al|le|la|mac|n['’]|d['’]|o['’])"
_SURNAME = rf"(?:\s+(?:{_PARTICLE}\s*)?{_NAME_TOKEN}){{0,3}}"

# Cues after which the next word(s) are a name, whatever their case (SMS French writes « jsuis yanis »).
_SELF = (r"je\s+m['’]?\s?app?[eè]ll?e?|j['’]?\s?m['’]?\s?app?[eè]ll?e?|jm\s?app?[eè]ll?e?|jmapel+e?|je\s+mapel+e?|"
         r"moi\s+c['’]?est|moi\s+c|moi\s*,|mon\s+(?:pr[ée]nom|nom(?:\s+de\s+famille)?)(?:\s+(?:c['’]?est|est|c))?|"
         r"(?:pr[ée]nom|nom)\s*:|sign[ée]|je\s+suis|jsuis|j['’]suis|chui|chuis|c\s+moi|c['’]est\s+moi")
_RELATIVES = (r"(?:un\s+certain|une\s+certaine|un\s+d[ée]nomm[ée]|une\s+d[ée]nomm[ée]e|qui\s+s['’]appelle|"
              r"s['’]appelle|ici|famille|signature|sign[ée]e?|(?:sa|son|notre|votre|leur)\s+(?:m[èe]re|p[èe]re|"
              r"fr[èe]re|s(?:œ|oe)ur|fils|fille|mari|femme|cousin|cousine|oncle|tante)(?:\s+jume(?:lle|au))?)|"
              r"ma\s+m[èe]re|mon\s+p[èe]re|ma\s+maman|mon\s+papa|ma\s+daronne|mon\s+daron|mon\s+(?:grand\s+|petit\s+)?"
              r"fr[èe]re|ma\s+(?:grande\s+|petite\s+)?s(?:œ|oe)ur|mon\s+oncle|ma\s+tante|mon\s+cousin|ma\s+cousine|"
              r"mon\s+beau[\s\-]p[èe]re|ma\s+belle[\s\-]m[èe]re|mon\s+parrain|ma\s+marraine|mon\s+fils|ma\s+fille|"
              r"mon\s+mari|ma\s+femme|mon\s+(?:meilleur\s+)?(?:ami|pote|copain)|ma\s+(?:meilleure\s+)?(?:amie|pote|"
              r"copine)|mon\s+grand[\s\-]p[èe]re|ma\s+grand[\s\-]m[èe]re|mon\s+tuteur|ma\s+tutrice|"
              r"mon\s+conjoint|ma\s+conjointe|mon\s+compagnon|ma\s+compagne|maman\s+de|papa\s+de|m[èe]re\s+de|"
              r"p[èe]re\s+de|fils\s+de|fille\s+de|parent\s+de|responsable\s+de|tuteur(?:\s+l[ée]gal)?\s+de|"
              r"tutrice(?:\s+l[ée]gale)?\s+de|(?:maman|m[èe]re|papa|p[èe]re|parents?|fils|fille|tuteur|tutrice|"
              r"grand[\s\-]m[èe]re|grand[\s\-]p[èe]re|belle[\s\-]m[èe]re|beau[\s\-]p[èe]re)(?:\s+l[ée]gale?)?\s+d['’]")
_LINK = r"(?:\s*(?:,|:|«|\"|c['’]?est|s['’]appelle|qui\s+s['’]appelle|nomm[ée]e?|appel[ée]e?|est)\s*)*"
_TITLES = r"(?:M\.|Mr\.?|MM\.|Mme\.?|Mmes|Mlle\.?|Melle|Monsieur|Madame|Mademoiselle|Dr\.?|Docteur|Me|Maître)"
_CLOSINGS = (r"(?:cordialement|bien\s+(?:à|a)\s+vous|bonne\s+(?:journée|soirée)|merci(?:\s+d['’]avance|\s+beaucoup)?|"
             r"salutations(?:\s+distinguées)?|bisous|bise|a\s+\+|à\s+bientôt|a\s+bientot|sinc[èe]rement|"
             r"respectueusement|signé|sign[ée]e?|de\s+la\s+part\s+de|bien\s+cordialement)")

_CUE_SELF = re.compile(rf"(?i:\b(?:{_SELF})(?!\w))\s*[,:]?\s*(?P<pii>(?:{_NAME_TOKEN}{_SURNAME}|{_LOWER_TOKEN}"
                       rf"(?:\s+{_LOWER_TOKEN})?{_SURNAME}))")
_CUE_RELATIVE = re.compile(rf"(?i:\b(?:{_RELATIVES})(?<=['’])|\b(?:{_RELATIVES})(?!\w){_LINK})\s*(?:{_TITLES}\s+)?"
                           rf"(?P<pii>{_NAME_TOKEN}{_SURNAME}|{_LOWER_TOKEN}(?=\s|[,.!?»]|$))")
_CUE_TITLE = re.compile(rf"(?<![\w]){_TITLES}\s+(?P<pii>(?:{_NAME_TOKEN})(?:\s+{_NAME_TOKEN}){{0,2}})")
_CUE_CLOSING = re.compile(rf"(?i:\b(?:{_CLOSINGS}))\s*[,.!]*\s*(?P<pii>{_NAME_TOKEN}(?:\s+{_NAME_TOKEN}|\s+[{_UPPER}]\.)"
                          rf"{{0,2}})\s*[.!]*\s*$")
_CUE_DASH_SIGNATURE = re.compile(rf"(?:^|\s)[-–—]\s*(?P<pii>{_NAME_TOKEN}(?:\s+{_NAME_TOKEN}){{0,2}})\s*$")

# What a person-looking span must not be.
_NOT_AFTER = re.compile(r"\b(?:rue|avenue|av\.?|boulevard|bd|place|allée|allee|quai|impasse|chemin|route|cours|square|"
                        r"collège|college|lycée|lycee|école|ecole|clg|groupe\s+scolaire|centre|hôpital|hopital|"
                        r"clinique|stade|salle|gymnase|médiathèque|bibliothèque|résidence|residence|parc|pont|"
                        r"institut|fondation|association|garage|boulangerie|pharmacie|cabinet|restaurant|café|"
                        r"hôtel|hotel|magasin|salon|atelier|ferme|boucherie|librairie|saint|sainte|st|ste|"
                        r"cité|cite|espace|maison|théâtre|theatre|musée|musee|mairie\s+de|entreprise|société|"
                        r"ets|établissements|etablissements|sarl|sas|eurl|au|aux|chez|vers|sainte?|lieu-dit|lieudit|hameau)"
                        r"(?:\s+[a-zéèêàâîôûç\-]+)?\s*(?:d[eu]s?\s*|de\s+la\s*|l['’])?$",
                        re.IGNORECASE)
# « comme Picasso », « fan de Dr Pol »: the people a pupil takes as models are public figures.
_MODEL = re.compile(r"\b(?:comme|tel\s+que|telle\s+que|fan\s+de|idole|mod[èe]le|admire)\s*(?:(?:le|la|les|l['’])\s*)?"
                    r"(?:Dr\.?|docteur|chef|professeur)?\s*$", re.IGNORECASE)
_TITLE_ROLES = re.compile(r"^(?:le|la|les|l['’]|du|de|des|au|aux)\b", re.IGNORECASE)


def _fold_char(char: str) -> str:
    base = "".join(c for c in unicodedata.normalize("NFD", char) if unicodedata.category(c) != "Mn").lower()
    return base[:1] or char


def fold(text: str) -> str:
    """Lower case without accents, one character for one, so that offsets stay those of `text`."""
    return "".join(_fold_char(c) for c in text)


@lru_cache(maxsize=None)
def word_list(name: str) -> frozenset[str]:
    """A shipped list (one entry per line, # comments), folded."""
    lines = (LISTS / f"{name}.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(fold(line.strip()) for line in lines if line.strip() and not line.startswith("#"))


def _is_famous(span: str) -> bool:
    folded = fold(span)
    return folded in word_list("famous_people")


def _plausible(span: str, text: str, start: int) -> bool:
    words = [w for w in re.split(r"[\s\-]+", span) if w]
    if not words:
        return False
    folded = [fold(w.strip("'’.,")) for w in words]
    never = word_list("not_names")
    if all(w in never for w in folded) or folded[0] in never:
        return False
    if re.match(r"(?i:saint|sainte|st|ste)-", span):
        return False
    before = text[max(0, start - 40):start].rstrip()
    if _is_famous(span) or _NOT_AFTER.search(before) or _MODEL.search(before):
        return False
    return len(span.strip()) >= 2


def _trim(span_text: str) -> tuple[int, int]:
    """Drop the ordinary words that end a cue-found span (« yanis et jveux » → « yanis »); a capitalised
    word after a name is a surname, even a common noun (« Hugo Boulanger »)."""
    never = word_list("not_names")
    words = list(re.finditer(r"[\w'’\-]+", span_text))
    keep = 0
    for i, word in enumerate(words):
        text = word.group(0).strip("'’")
        if fold(text) in never and (i == 0 or not text[:1].isupper()):
            break
        keep = i + 1
    if keep == 0:
        return 0, 0
    return words[0].start(), words[keep - 1].end()


_FUNCTION_POS = frozenset({"ADV", "ADP", "DET", "PRON", "AUX", "CCONJ", "SCONJ", "NUM", "ADJ"})


def _ordinary_word(doc: Doc | None, start: int) -> bool:
    """A lower-case word after « jsuis » or « ma mère » that is French, not a name (« chaud », « sont »)."""
    if doc is None:
        return False
    token = next((t for t in doc if t.idx == start), None)
    if token is None:
        return False
    if token.is_stop or fold(token.text) in word_list("not_names"):
        return True
    # spaCy tags an unknown word at random; only a word it knows (it has a vector) can be ordinary French.
    return token.has_vector and (token.pos_ in _FUNCTION_POS or token.lemma_.lower() != token.lower_)


class FrenchPersonRecognizer(EntityRecognizer):
    """spaCy's PER entities, filtered, plus cue-based names for SMS French."""

    def __init__(self) -> None:
        super().__init__(supported_entities=[PERSON], supported_language=LANGUAGE, name="french_person")

    def load(self) -> None:
        pass

    def analyze(self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
                ) -> list[RecognizerResult]:
        spans: list[tuple[int, int, float]] = []
        doc = nlp_artifacts.tokens if nlp_artifacts is not None else None
        if doc is not None:
            for ent in doc.ents:
                if ent.label_ != "PER":
                    continue
                start, end = self._strip_titles(text, ent.start_char, ent.end_char)
                if end > start and _plausible(text[start:end], text, start) and self._capitalised(text[start:end]) \
                        and not self._lone_common_word(doc, start, end):
                    spans.append((start, end, 0.7))
        for pattern in (_CUE_SELF, _CUE_RELATIVE):
            for match in pattern.finditer(text):
                start, end = self._name_words(doc, match.start("pii"), match.group("pii"))
                if end > start and _plausible(text[start:end], text, start):
                    spans.append((start, end, 0.85))
        for pattern in (_CUE_TITLE, _CUE_CLOSING, _CUE_DASH_SIGNATURE):
            for match in pattern.finditer(text):
                start, end = match.span("pii")
                if _TITLE_ROLES.match(match.group("pii")) or not _plausible(match.group("pii"), text, start):
                    continue
                spans.append((start, end, 0.85))
        return [RecognizerResult(PERSON, s, e, score) for s, e, score in spans]

    @staticmethod
    def _name_words(doc: Doc | None, offset: int, found: str) -> tuple[int, int]:
        """The words of a cue-found span that make the name: capitalised ones, and lower-case ones that
        are not French words (« jsuis dimitri popescu, jsuis arrivé » → « dimitri popescu »)."""
        never = word_list("not_names")
        end = None
        for i, word in enumerate(re.finditer(r"[\w'’\-]+", found)):
            text, start = word.group(0).strip("'’"), offset + word.start()
            capital = text[:1].isupper()
            if fold(text) in never and (i == 0 or not capital) or (not capital and _ordinary_word(doc, start)):
                break
            end = offset + word.end()
        return (offset, end) if end is not None else (offset, offset)

    @staticmethod
    def _lone_common_word(doc: Doc, start: int, end: int) -> bool:
        """« Veuillez », « Candidature », « FCPE »: one word that spaCy called a person but is no name."""
        tokens = [t for t in doc if start <= t.idx < end and not t.is_punct]
        if len(tokens) != 1:
            return False
        token = tokens[0]
        return token.pos_ != "PROPN" or (token.text.isupper() and len(token.text) <= 5)

    @staticmethod
    def _capitalised(span: str) -> bool:
        return any(w[:1].isupper() for w in span.split())

    @staticmethod
    def _strip_titles(text: str, start: int, end: int) -> tuple[int, int]:
        """« Bonjour Monsieur Benali » → « Benali »; « Monsieur le boulanger » → nothing."""
        never = word_list("not_names")
        words = list(re.finditer(r"[\w'’\-]+\.?", text[start:end]))
        while words and fold(words[0].group(0).rstrip(".")) in never:
            words.pop(0)
        while words and fold(words[-1].group(0).rstrip(".")) in never:
            words.pop()
        if not words:
            return start, start
        return start + words[0].start(), start + words[-1].end()


class KnownNamesRecognizer(EntityRecognizer):
    """The names the account already knows (the pupil's first name, a name given earlier), in any case,
    with or without accents."""

    def __init__(self, names: Iterable[str]) -> None:
        self.names = {fold(n.strip()) for n in names if n and len(n.strip()) >= 2}
        super().__init__(supported_entities=[PERSON], supported_language=LANGUAGE, name="known_names")

    def load(self) -> None:
        pass

    def analyze(self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
                ) -> list[RecognizerResult]:
        results = []
        for name in self.names:
            parts = [re.escape(p) for p in name.split()]
            if not parts:
                continue
            pattern = re.compile(r"(?<!\w)" + r"\s+".join(parts) + r"(?!\w)")
            for match in pattern.finditer(fold(text)):  # folding keeps offsets: one char per char
                results.append(RecognizerResult(PERSON, match.start(), match.end(), 0.95))
        return results


def same_names_elsewhere(text: str, found: list[RecognizerResult]) -> list[RecognizerResult]:
    """A name found once is hidden everywhere in the message (« maman d'Awa (3eC). Awa est née… »)."""
    never = word_list("not_names")
    words = {fold(w) for r in found if r.entity_type == PERSON
             for w in re.findall(r"[\w’'\-]+", text[r.start:r.end]) if len(w) >= 3 and fold(w) not in never}
    if not words:
        return []
    folded = fold(text)
    return [RecognizerResult(PERSON, m.start(), m.end(), 0.8) for m in re.finditer(r"[\w\-]+", folded)
            if m.group(0) in words]
