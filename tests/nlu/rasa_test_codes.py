"""A class code acts whatever the sentence (nlu/codes.py): alone, after a button, with the role in one
SMS; other codes (applications, parents' codes, offers) and ordinary words never look like one."""
from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.message import Message

from nlu.codes import ClassCodeDetector, find_class_code, find_parent_code


@pytest.mark.parametrize("text, code", [
    ("FEURS-3A", "FEURS-3A"), ("feurs-3a", "FEURS-3A"), ("mon code c feurs 3a", "FEURS-3A"),
    ("chui en 3e mon code c MARCIGNY-3B", "MARCIGNY-3B"), ("code : Marcigny 3a", "MARCIGNY-3A"),
    ("le point sur la FEURS-3B", "FEURS-3B"), ("MARCIGNY 3A", "MARCIGNY-3A"), (" feurs 3b ", "FEURS-3B")])
def test_class_codes_in_every_shape(text, code):
    assert find_class_code(text)[2] == code


@pytest.mark.parametrize("text", ["C-ABC123", "P-XK12AB9", "O-12", "J-ABCDEF", "je suis en 3e", "chui en 3e B",
                                  "code postal 42110", "St-Etienne", "du 7-11 décembre", "Saint-Just-en-Chevalet",
                                  "classe 3A", "chui 3e", "ligne 2", "Roanne 42300"])
def test_other_things_are_not_class_codes(text):
    assert find_class_code(text) is None


def _message(text: str, intent: str, entities: list | None = None) -> Message:
    return Message(data={"text": text, "intent": {"name": intent, "confidence": 0.6},
                         "intent_ranking": [{"name": intent, "confidence": 0.6}], "entities": entities or []})


def test_the_code_joins_whatever_the_carrier_and_keeps_the_role():
    alone = _message("FEURS-3A", "inform", [{"entity": "lieu", "value": "Feurs", "start": 0, "end": 5}])
    with_role = _message("chui en 3e mon code c MARCIGNY-3B", "declare_role",
                         [{"entity": "role", "value": "eleve", "start": 0, "end": 10}])
    teacher = _message("le point sur la FEURS-3B", "class_overview")
    ClassCodeDetector().process([alone, with_role, teacher])
    assert alone.get("intent")["name"] == "join_class"
    assert [(e["entity"], e["value"]) for e in alone.get("entities")] == [("code", "FEURS-3A")]  # not a commune
    assert with_role.get("intent")["name"] == "join_class"
    assert {(e["entity"], e["value"]) for e in with_role.get("entities")} == {("role", "eleve"),
                                                                              ("code", "MARCIGNY-3B")}
    assert teacher.get("intent")["name"] == "class_overview"
    assert ("code", "FEURS-3B") in {(e["entity"], e["value"]) for e in teacher.get("entities")}


def test_a_parent_code_links_whatever_the_sentence():
    assert find_parent_code("P-CJ5N24UY")[2] == "P-CJ5N24UY"
    assert find_parent_code("voici le code p cj5n 24uy")[2] == "P-CJ5N24UY"
    assert find_parent_code("FEURS-3A") is None and find_parent_code("P-ABC") is None
    bare = _message("P-CJ5N24UY", "inform")
    ClassCodeDetector().process([bare])
    assert bare.get("intent")["name"] == "link_child"
    assert [(e["entity"], e["value"]) for e in bare.get("entities")] == [("code", "P-CJ5N24UY")]


def test_a_code_read_as_no_still_joins():
    alone = _message("MARCIGNY-3B", "deny")
    ClassCodeDetector().process([alone])
    assert alone.get("intent")["name"] == "join_class"
