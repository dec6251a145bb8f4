"""The chat helpers of the actions (buttons) and the small readers they rely on (parents' link codes)."""
from __future__ import annotations

from actions.chat import button
from actions.parents import clean_link_code


def test_link_codes_are_read_from_what_parents_type():
    assert clean_link_code("P-ABCD2345") == "P-ABCD2345"
    assert clean_link_code("voici le code : p abcd 2345 merci") == "P-ABCD2345"
    assert clean_link_code("parent-P-ABCD2345") == "P-ABCD2345"  # the deep link's start parameter
    assert clean_link_code("ABCD2345") == "P-ABCD2345"
    assert clean_link_code("il ne me l'a pas donné") is None
    assert clean_link_code("P-ABC") is None


def test_buttons_carry_intent_and_entities():
    assert button("Voir", "class_overview") == {"title": "Voir", "payload": "/class_overview"}
    assert button("Valider", "approve_offer", nombre=12)["payload"] == '/approve_offer{"nombre": "12"}'
