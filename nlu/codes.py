"""A class code (and a parent's link code) acts, whatever DIET thought of the sentence around it.

Joining a class is the first thing every pupil does, and the code comes in every shape: alone
(« FEURS-3A », « feurs 3a »), after a button, or inside a sentence with the role (« chui en 3e mon
code c MARCIGNY-3B »). DIET reads such messages as `inform` or `declare_role` and the code was lost.
``ClassCodeDetector`` (last in the pipeline, on the user's own text) adds the `code` entity for a
class code and turns the usual carrier intents into `join_class`; the action checks the code
against the database, so a look-alike costs one polite « ce code ne correspond à aucune classe ».
"""
from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

# « FEURS-3A », « MARCIGNY-3B », « ST-ETIENNE-3C »: letters, a dash, a digit first. Other codes of the
# project (C-…, P-…, O-…, J-…) are one letter before the dash and never match.
_HYPHENATED = re.compile(r"(?<![\w-])((?:[A-Za-zÀ-ÿ]{2,14}-){1,2}\d[A-Za-z0-9]{0,3})(?![\w-])")
# « mon code c feurs 3a », « code : FEURS 3A »: a space instead of the dash, only right after « code ».
_AFTER_WORD = re.compile(r"\bcode\b[^A-Za-z0-9]*(?:de (?:ma |la )?classe\W*)?(?:(?:c'est|cest|c|est|=)\W+)?"
                         r"([A-Za-zÀ-ÿ]{2,14})[ _]+(\d[A-Za-z0-9]{0,3})(?![\w-])", re.IGNORECASE)
# « FEURS 3A » typed alone (after « J'ai un code de classe »): a place-like word and a class level.
_ALONE = re.compile(r"^\W*([A-Za-zÀ-ÿ]{3,14})[ _]+(\d[A-Za-z]{1,2})\W*$")
# Words that look like a code but are not: « code postal 42110 », « classe 3A », « chui 3e ».
_NOT_CODES = {"postal", "promo", "secret", "de", "du", "la", "le", "classe", "chui", "suis", "eleve", "élève",
              "niveau", "salle", "groupe", "en", "bus", "ligne"}
# Intents that keep their meaning with a class code in the message (a teacher's « le point sur la
# FEURS-3A », a report, a request about one's data); any other reading (« MARCIGNY-3B » alone was read
# as `deny`) becomes join_class, with the entity added.
KEEP_INTENTS = {"class_overview", "class_remind", "class_export", "create_class", "confirm_agreement",
                "report_problem", "human_handoff", "delete_my_data", "show_my_data", "moderation_queue",
                "approve_offer", "reject_offer", "suspend_employer", "close_report", "admin_figures", "faq",
                "cancel", "join_class"}
JOIN_INTENT = "join_class"
# A parent's link code, « P-ABCD2345 » (the random-code alphabet has no 0/O/1/I), typed alone or in a
# sentence: it links the child whatever the sentence around it.
_PARENT_CODE = re.compile(r"(?<![\w-])[Pp][\s-]+([A-HJ-NP-Za-hj-np-z2-9]{4})[\s-]?([A-HJ-NP-Za-hj-np-z2-9]{4})(?![\w-])")
LINK_INTENT = "link_child"
LINK_KEEP = {"report_problem", "human_handoff", "delete_my_data", "show_my_data", "faq", "cancel", "link_child"}


def find_class_code(text: str) -> Optional[tuple[int, int, str]]:
    """(start, end, CODE) of the first class code in `text`, or None."""
    match = _HYPHENATED.search(text or "")
    if match:
        return match.start(1), match.end(1), match.group(1).upper()
    for pattern in (_AFTER_WORD, _ALONE):
        match = pattern.search(text or "")
        if match and match.group(1).lower() not in _NOT_CODES:
            return match.start(1), match.end(2), f"{match.group(1)}-{match.group(2)}".upper()
    return None


def find_parent_code(text: str) -> Optional[tuple[int, int, str]]:
    """(start, end, P-XXXXXXXX) of a parent's link code in `text`, or None."""
    match = _PARENT_CODE.search(text or "")
    if match is None:
        return None
    return match.start(), match.end(), f"P-{match.group(1)}{match.group(2)}".upper()


def _act(message: Message, found: tuple[int, int, str], intent_name: str, keep: set[str]) -> None:
    """Add the code entity (replacing any overlapping guess) and move a carrier intent to `intent_name`."""
    start, end, code = found
    entities = [e for e in message.get(ENTITIES) or [] if e.get("entity") != "code"  # ours is the code
                and not (e.get("start", -1) < end and e.get("end", -1) > start)]
    entities.append({"entity": "code", "value": code, "start": start, "end": end,
                     "confidence_entity": 1.0, "extractor": "ClassCodeDetector"})
    message.set(ENTITIES, sorted(entities, key=lambda e: e.get("start", 0)), add_to_output=True)
    intent = message.get(INTENT) or {}
    if intent.get("name") not in keep and intent.get("name") != intent_name:
        chosen = {"name": intent_name, "confidence": 1.0}
        ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != intent_name]
        message.set(INTENT, chosen, add_to_output=True)
        message.set(INTENT_RANKING_KEY, [chosen, *ranking], add_to_output=True)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class ClassCodeDetector(GraphComponent):
    """After SmsRestorer: offsets are those of the text the user typed."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {}

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "ClassCodeDetector":
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            parent = find_parent_code(text)
            if parent is not None:
                _act(message, parent, LINK_INTENT, LINK_KEEP)
            elif (found := find_class_code(text)) is not None:
                _act(message, found, JOIN_INTENT, KEEP_INTENTS)
        return messages
