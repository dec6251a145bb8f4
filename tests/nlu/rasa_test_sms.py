"""SMS normaliser (nlu/sms.py): rewrites, offsets, and what it must never touch."""
from __future__ import annotations

import pytest

from nlu.sms import map_offset, normalise, normalise_entities, unmap_offset


@pytest.mark.parametrize("raw, expected", [
    ("jcherche un stage ds la boulangerie stp", "je cherche un stage dans la boulangerie s'il te plaît"),
    ("chui en 3e", "je suis en 3e"),
    ("c koi une convention", "c'est quoi une convention"),
    ("pk jsp", "pourquoi je sais pas"),
    ("bjr", "bonjour"), ("slt", "salut"), ("mrc", "merci"), ("dak", "d'accord"),
    ("Jveux postuler", "je veux postuler"),
    ("/annuler", "annuler"),
    ("je c pas quoi faire", "je sais pas quoi faire"), ("jsé pas", "je sais pas"),
    ("c bon je c", "c'est bon je sais"),
])
def test_sms_spellings_become_plain_french(raw, expected):
    assert normalise(raw)[0] == expected


@pytest.mark.parametrize("text", [
    "Bonjour, je souhaite publier une offre.",   # already plain French
    "mon code C-4KQ7ZP",                          # codes keep their letters
    "ROANNE-3B",                                  # class codes too
    "je suis à St-Étienne",                       # "st" is left to the synonyms
    "jpg",                                        # j + consonant, but not a contraction
    "je suis en 3e C",                            # a capital letter is a class name
])
def test_plain_text_and_codes_are_left_alone(text):
    assert normalise(text) == (text, [])


def test_punctuation_around_a_token_is_kept():
    assert normalise("c koi?")[0] == "c'est quoi?"
    assert normalise("ok, mrc.")[0] == "ok, merci."


def test_offsets_map_both_ways():
    text = "jcherche ds une boulangerie"
    new, rewrites = normalise(text)
    start = text.index("boulangerie")
    assert new[map_offset(start, rewrites):map_offset(start + 11, rewrites, is_end=True)] == "boulangerie"
    new_start = new.index("boulangerie")
    assert unmap_offset(new_start, rewrites) == start
    # an offset inside a rewritten token snaps to that token's boundaries
    assert unmap_offset(new.index("cherche"), rewrites) == 0
    assert unmap_offset(new.index("cherche") + 7, rewrites, is_end=True) == 8


def test_training_entities_are_protected_and_moved():
    text = "jcherche ds boulangerie a c vers st etienne"
    entities = [{"entity": "metier", "start": 12, "end": 23, "value": "boulangerie"},
                {"entity": "lieu", "start": 33, "end": 43, "value": "st etienne"},
                {"entity": "lieu", "start": 26, "end": 27, "value": "c"}]  # annotated: never rewritten
    new, moved = normalise_entities(text, entities)
    assert new == "je cherche dans boulangerie a c vers st etienne"
    for entity in moved:
        assert new[entity["start"]:entity["end"]] == entity["value"]
