"""The masker: Presidio's analyzer with spaCy's French model, phonenumbers and our French recognizers,
run on the text with spelled-out numbers turned into digits; Presidio's anonymizer writes the masks.
The spaCy model is loaded once per process, on first use."""
from __future__ import annotations

import logging
import threading
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum
from functools import lru_cache

from presidio_analyzer import AnalyzerEngine, EntityRecognizer, RecognizerRegistry, RecognizerResult
from presidio_analyzer.nlp_engine import NerModelConfiguration, SpacyNlpEngine
from presidio_analyzer.predefined_recognizers import PhoneRecognizer
from presidio_anonymizer import AnonymizerEngine
from presidio_anonymizer.entities import OperatorConfig

from tremplin.privacy.names import FrenchPersonRecognizer, KnownNamesRecognizer, same_names_elsewhere
from tremplin.privacy.numbers import spell_out_numbers
from tremplin.privacy.recognizers import (
    ADDRESS, BIRTH_DATE, EMAIL, HANDLE, LANGUAGE, LINK, PERSON, PHONE, french_recognizers, home_address,
)

SPACY_MODEL = "fr_core_news_md"

MASKS = {PHONE: "[numéro masqué]", EMAIL: "[e-mail masqué]", LINK: "[lien masqué]", HANDLE: "[pseudo masqué]",
         PERSON: "[nom masqué]", ADDRESS: "[adresse masquée]", BIRTH_DATE: "[date de naissance masquée]"}
# How the preview counts what was masked: singular, plural.
KIND_WORDS = {PHONE: ("numéro", "numéros"), EMAIL: ("e-mail", "e-mails"), LINK: ("lien", "liens"),
              HANDLE: ("pseudo", "pseudos"), PERSON: ("nom", "noms"), ADDRESS: ("adresse", "adresses"),
              BIRTH_DATE: ("date de naissance", "dates de naissance")}
ORDER = (PERSON, PHONE, EMAIL, HANDLE, LINK, ADDRESS, BIRTH_DATE)
_CONTACTS = frozenset({PHONE, EMAIL, LINK, HANDLE})


class Audience(Enum):
    """Who wrote the text, to whom: each direction masks what fits it."""
    PUPIL_TO_EMPLOYER = "pupil"      # motivations, messages: everything that identifies the pupil
    EMPLOYER_TO_PUPILS = "employer"  # offers, answers: private contacts and people; the business address stays
    REPORT_TO_TEAM = "report"        # problem reports: everything identifying, whoever it is about
    NOTE_TO_PARENT = "parent"        # notes between family and school: everything identifying


ENTITIES = {
    Audience.PUPIL_TO_EMPLOYER: frozenset(ORDER),
    Audience.REPORT_TO_TEAM: frozenset(ORDER),
    Audience.NOTE_TO_PARENT: frozenset(ORDER),
    Audience.EMPLOYER_TO_PUPILS: frozenset(ORDER),  # addresses: only a home (see analyse)
}


@dataclass(frozen=True)
class Masked:
    """A text as another person will read it, and what was hidden, by kind."""
    original: str
    text: str
    counts: Counter[str] = field(default_factory=Counter)

    @property
    def changed(self) -> bool:
        return sum(self.counts.values()) > 0

    @property
    def has_contact(self) -> bool:
        """A phone number, an e-mail, a link or a handle: a way to reach someone outside Tremplin."""
        return any(self.counts.get(kind) for kind in _CONTACTS)

    def summary(self) -> str:
        """« 1 numéro, 2 noms et 1 pseudo » — empty when nothing was masked."""
        parts = [f"{n} {KIND_WORDS[kind][0 if n == 1 else 1]}" for kind in ORDER if (n := self.counts.get(kind, 0))]
        if len(parts) > 1:
            return ", ".join(parts[:-1]) + " et " + parts[-1]
        return parts[0] if parts else ""


_BUILDING = threading.Lock()


def analyzer() -> AnalyzerEngine:
    """Built once per process (and once only, whichever thread asks first): loading the French model
    takes seconds, analysing a message milliseconds."""
    with _BUILDING:
        return _build_analyzer()


def preload() -> None:
    """Load the model now, so that the first pupil to apply does not wait for it."""
    analyzer()
    mask("Bonjour, je m'appelle Léa.")


@lru_cache(maxsize=1)
def _build_analyzer() -> AnalyzerEngine:
    logging.getLogger("presidio-analyzer").setLevel(logging.ERROR)
    nlp = SpacyNlpEngine(models=[{"lang_code": LANGUAGE, "model_name": SPACY_MODEL}],
                         ner_model_configuration=NerModelConfiguration(labels_to_ignore=["MISC", "ORG", "LOC"]))
    nlp.load()
    registry = RecognizerRegistry(supported_languages=[LANGUAGE])
    registry.add_recognizer(PhoneRecognizer(supported_language=LANGUAGE, supported_regions=("FR",), leniency=0,
                                            supported_entity=PHONE,
                                            context=["tel", "tél", "téléphone", "numéro", "num", "portable", "appelle"]))
    for recognizer in (*french_recognizers(), FrenchPersonRecognizer()):
        registry.add_recognizer(recognizer)
    return AnalyzerEngine(registry=registry, nlp_engine=nlp, supported_languages=[LANGUAGE])


@lru_cache(maxsize=1)
def _anonymizer() -> AnonymizerEngine:
    return AnonymizerEngine()  # type: ignore[no-untyped-call]  # presidio-anonymizer leaves __init__ unannotated


def _within_keep(result: RecognizerResult, text: str, keep: Iterable[str]) -> bool:
    found = text[result.start:result.end].casefold()
    return any(found and found in k.casefold() for k in keep)


def analyse(text: str, audience: Audience = Audience.PUPIL_TO_EMPLOYER, known_names: Iterable[str] = (),
            keep: Iterable[str] = ()) -> list[RecognizerResult]:
    """The spans of `text` to hide for this audience (offsets in `text`)."""
    text = unicodedata.normalize("NFC", text)
    rewritten = spell_out_numbers(text)
    entities = sorted(ENTITIES[audience])
    extra: list[EntityRecognizer] | None = (
        [KnownNamesRecognizer(known_names)] if PERSON in entities and known_names else None)
    found = analyzer().analyze(rewritten.text, language=LANGUAGE, entities=entities,
                               ad_hoc_recognizers=extra, score_threshold=0.3)
    keep = [k for k in keep if k]
    results: list[RecognizerResult] = []
    for result in found:
        start, end = rewritten.original_span(result.start, result.end)
        mapped = RecognizerResult(result.entity_type, start, end, result.score)
        if keep and result.entity_type not in _CONTACTS and _within_keep(mapped, text, keep):
            continue
        if audience is Audience.EMPLOYER_TO_PUPILS and result.entity_type == ADDRESS and not home_address(text, start):
            continue  # the host's own street is what the pupil needs
        results.append(mapped)
    return results + same_names_elsewhere(text, results)


def mask(text: str | None, audience: Audience = Audience.PUPIL_TO_EMPLOYER, known_names: Iterable[str] = (),
         keep: Iterable[str] = ()) -> Masked:
    """Hide what identifies someone in `text` for the people it is shown to; counts what was hidden."""
    text = unicodedata.normalize("NFC", text or "")
    if not text.strip():
        return Masked(text, text)
    results = analyse(text, audience, known_names, keep)
    if not results:
        return Masked(text, text)
    operators = {kind: OperatorConfig("replace", {"new_value": MASKS[kind]}) for kind in MASKS}
    # presidio-anonymizer declares its own RecognizerResult class; it reads the analyzer's the same way
    # (entity_type, start, end, score), as presidio's documentation shows.
    done = _anonymizer().anonymize(text=text, analyzer_results=results,  # type: ignore[arg-type]
                                   operators=operators)
    counts = Counter(item.entity_type for item in done.items)
    return Masked(text, done.text, counts)
