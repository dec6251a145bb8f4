"""Social intents (greet, goodbye, thank) need a social word.

DIET sometimes reads a short free answer ("Découvrir le fournil", an offer title) as `goodbye` or
`greet`: the answer is then lost to a form, or the user is told "au revoir" mid-sentence. A farewell,
a greeting or a thank-you always carries one of a few words, in any spelling a teenager uses; without
one, ``SocialIntentGuard`` turns the prediction into ``nlu_fallback``, which a form takes as the
answer (data/rules.yml) and which outside a form asks to rephrase.
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
