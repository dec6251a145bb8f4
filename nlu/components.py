"""Rasa 3 graph components: the SMS normaliser and its inverse.

``nlu.components.SmsNormalizer`` goes first in the pipeline, before the tokenizer: it rewrites
"jcherche un stage ds une boulangerie stp" as "je cherche un stage dans une boulangerie s'il te
plaît". In training it leaves annotated entity spans untouched and moves their offsets; at parse
time it keeps the rewrite map in the message.

``nlu.components.SmsRestorer`` goes last: it gives the message its original text back and moves the
entity (and token) offsets into it, so that what Rasa returns points into what the user wrote.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu.sms import fold_accents, normalise, normalise_entities, unmap_offset

ORIGINAL_TEXT = "sms_original_text"
REWRITES = "sms_rewrites"
TOKENS = "text_tokens"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class SmsNormalizer(GraphComponent):
    """Rewrites SMS French into plain French before tokenisation."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {}

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "SmsNormalizer":
        return cls()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for message in training_data.training_examples:
            text = message.get(TEXT)
            if not text:
                continue
            new_text, entities = normalise_entities(text, message.get(ENTITIES) or [])
            folded = fold_accents(new_text)  # same length: the entity offsets stay valid
            for entity in entities:
                # a value that is just the annotated text follows the text, or Rasa would learn
                # "boulangere" -> "boulangère" as a synonym and override the generated synonyms
                if "start" in entity and entity.get("value") == new_text[entity["start"]:entity["end"]]:
                    entity["value"] = folded[entity["start"]:entity["end"]]
            new_text = folded
            if new_text != text:
                message.set(TEXT, new_text)
                if message.get(ENTITIES):
                    message.set(ENTITIES, entities)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT)
            if not text or message.get(REWRITES) is not None:
                continue
            new_text, rewrites = normalise(text)
            new_text = fold_accents(new_text)  # same length: the rewrite map stays valid
            message.set(REWRITES, rewrites)
            if new_text != text:
                message.set(ORIGINAL_TEXT, text)
                message.set(TEXT, new_text)
        return messages


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class SmsRestorer(GraphComponent):
    """Puts the user's own text back and maps entity and token offsets into it."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {}

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "SmsRestorer":
        return cls()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            original: Optional[str] = message.get(ORIGINAL_TEXT)
            rewrites = message.get(REWRITES)
            if original is None or rewrites is None:
                continue
            normalised = message.get(TEXT)
            entities = []
            for entity in message.get(ENTITIES) or []:
                entity = dict(entity)
                if "start" in entity and "end" in entity:
                    raw = normalised[entity["start"]:entity["end"]]
                    entity["start"] = unmap_offset(entity["start"], rewrites)
                    entity["end"] = unmap_offset(entity["end"], rewrites, is_end=True)
                    if entity.get("value") == raw:
                        entity["value"] = original[entity["start"]:entity["end"]]
                entities.append(entity)
            if message.get(ENTITIES) is not None:
                message.set(ENTITIES, entities, add_to_output=True)
            for token in message.get(TOKENS) or []:
                token.start = unmap_offset(token.start, rewrites)
                token.end = unmap_offset(token.end, rewrites, is_end=True)
            message.set(TEXT, original)
            message.set("text_normalised", normalised, add_to_output=True)
        return messages
