"""Social intents (greet, goodbye, thank) need a social word.

DIET sometimes reads a short free answer ("Découvrir le fournil", an offer title) as `goodbye` or
`greet`: the answer is then lost to a form, or the user is told "au revoir" mid-sentence. A farewell,
a greeting or a thank-you always carries one of a few words, in any spelling a teenager uses; without
one, ``SocialIntentGuard`` turns the prediction into ``nlu_fallback``, which a form takes as the
answer (data/rules/) and which outside a form asks to rephrase.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

FALLBACK = "nlu_fallback"
ORIGINAL_TEXT = "sms_original_text"  # set by nlu.components.SmsNormalizer

_CUES = {
    "goodbye": r"au ?revoir|aurevoir|a ?\+|@\+|a plu|bye|ciao|tchao|tchuss|adieu|see you|a demain|a tout|"
               r"a la prochaine|a bientot|a12|bonne? (?:soiree|nuit|journee|fin|continuation|semaine|week|we|"
               r"aprem|apres)|bn8|bisou|biz|je (?:dois|vais) (?:y aller|partir|filer|te laisser|vous laisser)|"
               r"j ?y vais|je (?:te|vous) laisse|je file|je me deco|on se (?:reparle|revoit|recontacte)|"
               r"plus tard|je reviens|je reviendrai|au plaisir|salut|c'?est tout|ce sera tout",
    "greet": r"bo+n+jou+r|bjr|bonsoir|bsr|sa+lu+t?|slt|cou+cou|kikou|\bcc\b|we?sh|\byo\b|he+llo|he+y+|hola|"
             r"\bre\b|rebonjour|allo|y ?a (?:quelqu|qqn)|enchante|\bstart\b|bien le bonjour",
    "thank": r"merc|mrc|remerci|thank|thx|cimer|gentil|\btop\b|nickel|super|cool|genial",
}
_CUE_RES = {intent: re.compile(pattern) for intent, pattern in _CUES.items()}


def fold(text: str) -> str:
    """Lower case without accents: "Bonne Soirée" -> "bonne soiree"."""
    text = unicodedata.normalize("NFKD", text.lower().replace("’", "'"))
    return "".join(c for c in text if not unicodedata.combining(c))


def has_social_cue(intent: str, text: str) -> bool:
    """True unless `intent` is a guarded social intent and `text` carries none of its words."""
    pattern = _CUE_RES.get(intent)
    return pattern is None or pattern.search(fold(text)) is not None


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class SocialIntentGuard(GraphComponent):
    """Goes after the FallbackClassifier: demotes a greet/goodbye/thank without a social word."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {}

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "SocialIntentGuard":
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            intent: Optional[dict] = message.get(INTENT)
            if not intent or intent.get("name") not in _CUE_RES:
                continue
            texts = [message.get(TEXT) or "", message.get(ORIGINAL_TEXT) or ""]
            if any(has_social_cue(intent["name"], t) for t in texts if t):
                continue
            fallback = {"name": FALLBACK, "confidence": intent.get("confidence", 0.0)}
            message.set(INTENT, fallback, add_to_output=True)
            ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != FALLBACK]
            message.set(INTENT_RANKING_KEY, [fallback, *ranking], add_to_output=True)
        return messages


# --- leaving a form needs explicit words ---------------------------------------------------------
# A name (« Pierre Lannuler »), a date or a title read as `cancel` used to throw away a whole form.
# Leaving is only ever done with words that say so; `report_problem` (safety) keeps any confident
# prediction, since a child's report must never be taken for a form answer.
_EXIT_CUES = {
    "cancel": r"\bannul|\bstop\b|\barr[eê]t|\bjarret|\blaiss|\boubli|\babandon|pas la peine|\bquitt|\bsor[st]\b|"
              r"\bsortir\b|recommenc|interromp|\bretour\b|rien dit|\bignor|\beffac|change d ?avis|"
              r"(?:veux|veut|voulons) (?:plus|pas continuer)|plus envie|\btant pis\b|/cancel|/annuler|"
              r"c(?:'| )?est bon (?:laisse|j ?arrete)|\bon arrete\b|\bfini\b pour moi",
    "human_handoff": r"humain|quelqu|\bqqn\b|\bpersonne\b|conseill|responsable|adulte|\bappel|rappel|contact|"
                     r"support|service client|operat|admin|e-?mail|\bjoindre|interlocut|equipe|en charge|"
                     r"\bgere\b|membre|\bvrai|tremplin",
}
_EXIT_RES = {intent: re.compile(pattern) for intent, pattern in _EXIT_CUES.items()}
REPORT_INTENT = "report_problem"
REPORT_MIN_CONFIDENCE = 0.7
REPORT_SHORT_WORDS = 4  # a longer message read as a report always reaches the team
_REPORT_CUE = re.compile(r"signal|probleme|harcel|arnaque|louche|bizarre|chelou|grave|peur|insult|bless|touch|"
                         r"snap|insta|photo|numero|demand|frapp|crie|menac|bizarr|gene|mal\b|payer|argent")
NEXT_MIN_CONFIDENCE = 0.3  # the runner-up is taken only when DIET believed in it a little


def has_exit_cue(intent: str, text: str) -> bool:
    """True unless `intent` leaves forms and `text` carries none of the words that say so."""
    pattern = _EXIT_RES.get(intent)
    return pattern is None or pattern.search(fold(text)) is not None


def _demote(message: Message, intent: dict) -> None:
    """The next intent of the ranking that does not leave a form, or nlu_fallback."""
    ranking = [r for r in message.get(INTENT_RANKING_KEY) or []
               if r.get("name") not in (*_EXIT_RES, REPORT_INTENT, intent.get("name"))]
    best = ranking[0] if ranking and ranking[0].get("name") != FALLBACK \
        and ranking[0].get("confidence", 0.0) >= NEXT_MIN_CONFIDENCE else None
    chosen = {"name": best["name"], "confidence": best.get("confidence", 0.0)} if best \
        else {"name": FALLBACK, "confidence": intent.get("confidence", 0.0)}
    rest = [r for r in ranking if r.get("name") != chosen["name"]]
    message.set(INTENT, chosen, add_to_output=True)
    message.set(INTENT_RANKING_KEY, [chosen, *rest], add_to_output=True)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class ExitIntentGuard(GraphComponent):
    """After the FallbackClassifier: `cancel`/`human_handoff` need their words, `report_problem` a
    confident prediction or its words; otherwise the next intent of the ranking is taken."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {}

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "ExitIntentGuard":
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            intent: Optional[dict] = message.get(INTENT)
            name = (intent or {}).get("name")
            texts = [t for t in (message.get(TEXT) or "", message.get(ORIGINAL_TEXT) or "") if t]
            if name in _EXIT_RES and not any(has_exit_cue(name, t) for t in texts):
                _demote(message, intent)
            elif name == REPORT_INTENT and intent.get("confidence", 0.0) < REPORT_MIN_CONFIDENCE \
                    and all(len(t.split()) <= REPORT_SHORT_WORDS and not _REPORT_CUE.search(fold(t)) for t in texts):
                _demote(message, intent)  # « Marc Durand », « Garage Dupain »: a short answer, no alarm word
        return messages
