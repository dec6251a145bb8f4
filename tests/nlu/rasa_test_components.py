"""The Rasa graph components (nlu/components.py), run on real Rasa messages."""
from __future__ import annotations

from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu.components import SmsNormalizer, SmsRestorer


def test_training_examples_are_normalised_with_valid_entity_spans():
    message = Message(data={"text": "jcherche un stage ds un garage a st etienne", "intent": "search_offers",
                            "entities": [{"entity": "metier", "start": 24, "end": 30, "value": "garage"},
                                         {"entity": "lieu", "start": 33, "end": 43, "value": "st etienne"}]})
    data = SmsNormalizer().process_training_data(TrainingData([message]))
    example = data.training_examples[0]
    assert example.get("text") == "je cherche un stage dans un garage a st etienne"
    for entity in example.get("entities"):
        assert example.get("text")[entity["start"]:entity["end"]] == entity["value"]


def test_parse_time_round_trip_gives_the_user_text_back():
    message = Message(data={"text": "jcherche ds un garage a Roanne"})
    SmsNormalizer().process([message])
    assert message.get("text") == "je cherche dans un garage a Roanne"
    tokenizer = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
    tokenizer.process([message])
    normalised = message.get("text")
    start = normalised.index("Roanne")
    message.set("entities", [{"entity": "lieu", "start": start, "end": start + 6, "value": "Roanne"}])
    SmsRestorer().process([message])
    assert message.get("text") == "jcherche ds un garage a Roanne"
    entity = message.get("entities")[0]
    assert message.get("text")[entity["start"]:entity["end"]] == "Roanne"
    assert message.get("text_normalised") == normalised
    for token in message.get("text_tokens"):
        assert 0 <= token.start < token.end <= len(message.get("text"))


def test_messages_without_sms_spelling_are_untouched():
    message = Message(data={"text": "Bonjour, je souhaite publier une offre."})
    SmsNormalizer().process([message])
    SmsRestorer().process([message])
    assert message.get("text") == "Bonjour, je souhaite publier une offre."
