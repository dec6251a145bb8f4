"""The students' shared pure logic (actions/student_common.py): what « recherche » means and how offer
references are read."""
from __future__ import annotations

from actions.student_common import offer_id_from, resolve_wanted


# --- the pure logic ----------------------------------------------------------------------------

def test_recherche_understands_metiers_domains_and_environments():
    assert resolve_wanted("véto").rome_codes == ["A1504"]
    assert resolve_wanted("la santé").domain == "J"
    assert resolve_wanted("dehors avec des animaux").environments == ["exterieur", "animaux"]
    assert len(resolve_wanted("informatique").rome_codes) > 1  # several métiers: all of them are searched
    assert resolve_wanted("peu importe").status == "ok" and not resolve_wanted("peu importe").rome_codes
    typo = resolve_wanted("veterinere")
    assert typo.status == "suggestion" and typo.suggestions[0] == "Vétérinaire"
    assert resolve_wanted("xqzw").status == "unknown"
    assert resolve_wanted("dom:A").domain == "A"
    assert resolve_wanted("env:exterieur,animaux").rome_codes


def test_offer_references_are_ids_or_numbers_in_the_list():
    state = {"lat": 0, "lon": 0, "ids": [41, 42, 43]}
    assert offer_id_from("O-17", state) == 17
    assert offer_id_from("« Le fournil O2 » (réf. O-17)", None) == 17
    assert offer_id_from("2", state) == 42
    assert offer_id_from("la 3", state) == 43
    assert offer_id_from("9", state) is None
    assert offer_id_from("2", None) is None
    assert offer_id_from("n'importe", state) is None


def test_a_place_in_the_list_is_read_in_words():
    state = {"lat": 0, "lon": 0, "ids": [41, 42, 43]}
    assert offer_id_from("je postule à la première", state) == 41
    assert offer_id_from("la 1ère stp", state) == 41
    assert offer_id_from("je veux postuler à la 2", state) == 42
    assert offer_id_from("la deuxième", state) == 42
    assert offer_id_from("la dernière", state) == 43
    assert offer_id_from("la cinquième", state) is None           # not in a list of three
    assert offer_id_from("la 1 ou la 2", state) is None           # two places: not a choice
    assert offer_id_from("Bonjour, je voudrais voir le travail d'aide-soignant car ma tante le fait depuis 2 ans",
                         state) is None                           # a motivation is not a place in the list
