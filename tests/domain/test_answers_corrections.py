"""A reply to a recap that says no but carries a correction (tremplin/answers/corrections): which answer it
changes and to what; a plain refusal is no correction."""
from __future__ import annotations

import pytest

from tremplin.answers import read_counted_places, read_named_dates, read_one_metier, read_phone
from tremplin.answers.corrections import (Amendable, Correction, Corrections, read_commune_named, read_correction,
                                          read_corrections, read_siret_alone, read_street_address)

FIELDS = {"siret": Amendable(("siret",), read_siret_alone),
          "name": Amendable(("nom", "nom de l entreprise", "enseigne")),
          "commune": Amendable(("commune", "ville"), read_commune_named),
          "contact": Amendable(("nom", "contact", "personne")),
          "phone": Amendable(("telephone", "tel", "numero"), read_phone),
          "address": Amendable(("adresse",), read_street_address)}
ALL = tuple(FIELDS)


@pytest.mark.parametrize("text, field, value", [
    ("non en fait c'est Roanne", "commune", "Roanne"),
    ("non la commune c'est Feurs", "commune", "Feurs"),
    ("nan c'est Roanne pas Feurs", "commune", "Roanne"),
    ("non c'est Roanne, et pas Feurs", "commune", "Roanne"),
    ("Non, c'est pas Feurs c'est Roanne", "commune", "Roanne"),
    ("nan pas à feurs mais à roanne", "commune", "roanne"),
    ("plutôt à Saint-Étienne", "commune", "Saint-Étienne"),
    ("ah non pardon c'est 42300", "commune", "42300"),
    ("non, le téléphone c'est 04 77 12 34 99", "phone", "04 77 12 34 99"),
    ("non le tel c'est +33 6 12 34 56 78 merci", "phone", "+33 6 12 34 56 78"),
    ("non c'est 443 061 841 00047", "siret", "443 061 841 00047"),
    ("non, le contact c'est Paul Durand", "contact", "Paul Durand"),
    ("non l'enseigne c'est Pas Si Bête", "name", "Pas Si Bête"),  # free text: all of it, « pas » included
    ("en fait c'est 12 rue de la Gare", "address", "12 rue de la Gare"),
])
def test_the_answer_and_its_new_value(text: str, field: str, value: str) -> None:
    assert read_correction(text, FIELDS) == Correction(field, value)


@pytest.mark.parametrize("text, field", [("non, la commune", "commune"), ("non je veux changer le téléphone", "phone")])
def test_an_answer_named_without_a_value_is_asked_again(text: str, field: str) -> None:
    assert read_correction(text, FIELDS) == Correction(field, None)


def test_an_unclear_change_says_which_answers_it_may_be() -> None:
    assert read_correction("non en fait c'est Martin Dupont", FIELDS) == Correction(None, "Martin Dupont", ALL)
    assert read_correction("non, corriger", FIELDS) == Correction(None, None, ALL)
    assert read_correction("non c'est pas ça", FIELDS) == Correction(None, None, ALL)
    assert read_correction("non le nom c'est Boulangerie Martin", FIELDS) == \
        Correction(None, "Boulangerie Martin", ("contact", "name"))


@pytest.mark.parametrize("text", ["non", "nan", "Non, annuler", "/deny", "non merci", "non c'est bon", "oui", "ok",
                                  "non j'ai changé d'avis", "non pas maintenant", "non en fait je veux pas", "merci",
                                  ""])
def test_a_plain_yes_or_no_is_no_correction(text: str) -> None:
    assert read_correction(text, FIELDS) is None
    assert read_corrections(text, FIELDS, {"commune": "Feurs (42)"}) is None


# --- every correction of one reply (read_corrections) ----------------------------------------------------

OFFER = {"metier": Amendable(("metier",), read_one_metier), "title": Amendable(("titre",)),
         "description": Amendable(("description",)), "commune": Amendable(("commune", "ville"), read_commune_named),
         "periods": Amendable(("semaine", "dates"), read_named_dates),
         "places": Amendable(("places", "nombre de places"), read_counted_places)}
SHOWN = {"commune": "Feurs (42)", "contact": "Claire Martin", "phone": "04 77 12 34 56"}


def changes(text: str, fields: dict[str, Amendable] = FIELDS) -> dict[str, str | None]:
    reading = read_corrections(text, fields, SHOWN)
    assert reading is not None, text
    return {c.field: c.value for c in reading.changes if c.field}


@pytest.mark.parametrize("text, expected", [
    ("non c'est Roanne et le tel c'est 06 12 34 56 78", {"commune": "Roanne", "phone": "06 12 34 56 78"}),
    ("Roanne et 06 12 34 56 78", {"commune": "Roanne", "phone": "06 12 34 56 78"}),
    ("la commune c'est Feurs, le contact c'est Martin Dupont", {"commune": "Feurs", "contact": "Martin Dupont"}),
    ("non le contact c'est Martin Dupont et 06 12 34 56 78", {"contact": "Martin Dupont",
                                                               "phone": "06 12 34 56 78"}),
    ("non c'est Roanne, le tel 06 12 34 56 78 et le contact Paul Durand",
     {"commune": "Roanne", "contact": "Paul Durand", "phone": "06 12 34 56 78"}),
    ("non, le téléphone c'est 04 77 98 76 54 et la commune aussi", {"commune": None, "phone": "04 77 98 76 54"}),
    ("non c'est Roanne, enfin Saint-Étienne", {"commune": "Saint-Étienne"}),  # the last value typed wins
    ("non pas Feurs, Roanne", {"commune": "Roanne"}),
    ("non c'est Roanne, et pas Feurs", {"commune": "Roanne"}),
    ("non c'est Roanne, merci", {"commune": "Roanne"}),
])
def test_every_answer_corrected_in_one_reply(text: str, expected: dict[str, str | None]) -> None:
    assert changes(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("2 places et la semaine du 18 janvier", {"periods": "du 18 janvier", "places": "2"}),
    ("non, la semaine du 18 janvier et 3 places", {"periods": "du 18 janvier", "places": "3"}),
    ("non c'est Roanne et 3 places", {"commune": "Roanne", "places": "3"}),
    # A free answer keeps its commas and « et »: only a named answer or a value with digits starts another.
    ("non la description c'est Pétrir, façonner et cuire le pain", {"description": "Pétrir, façonner et cuire le pain"}),
    ("non la description c'est Pétrir et cuire, 2 stagiaires par jour",
     {"description": "Pétrir et cuire, 2 stagiaires par jour"}),
    ("non la description c'est Pétrir et cuire, et 2 places", {"description": "Pétrir et cuire", "places": "2"}),
    ("non le titre c'est Découvrir le fournil, la semaine d'un boulanger",
     {"title": "Découvrir le fournil, la semaine d'un boulanger"}),
])
def test_every_answer_of_an_offer_corrected(text: str, expected: dict[str, str | None]) -> None:
    assert changes(text, OFFER) == expected


def test_a_part_no_answer_takes_is_given_back() -> None:
    reading = read_corrections("non c'est Roanne et Martin Dupont", FIELDS, SHOWN)
    assert reading == Corrections((Correction("commune", "Roanne"),), (Correction(None, "Martin Dupont", ALL),))
    reading = read_corrections("non la commune c'est Roanne et Claire Dubois", FIELDS, SHOWN)
    assert reading == Corrections((Correction("commune", "Roanne"),), (Correction(None, "Claire Dubois", ALL),))
    reading = read_corrections("non l'enseigne c'est Pain et Chocolat", FIELDS, SHOWN)  # one free answer
    assert reading == Corrections((Correction("name", "Pain et Chocolat"),))


@pytest.mark.parametrize("text", ["non je préfère Roanne", "je préfère à Roanne", "plutôt Roanne finalement",
                                  "Non, je préférerais Roanne", "non je préfère que ce soit à Roanne",
                                  "je préfère Roanne plutôt que Feurs"])
def test_a_preference_with_a_value_is_a_correction(text: str) -> None:
    assert read_correction(text, FIELDS) == Correction("commune", "Roanne")
    assert changes(text) == {"commune": "Roanne"}


@pytest.mark.parametrize("text", ["non je préfère attendre", "non en fait je préfère attendre",
                                  "non je préfère annuler", "non je préfère pas", "non je préfère ne pas le faire",
                                  "non merci, bonne journée"])
def test_a_preference_without_a_value_is_a_refusal(text: str) -> None:
    assert read_corrections(text, FIELDS, SHOWN) is None


@pytest.mark.parametrize("text, field, was", [
    ("non c'est pas Feurs", "commune", "Feurs"), ("non pas Feurs", "commune", "Feurs"),
    ("Non, ce n'est pas Feurs", "commune", "Feurs"), ("non, pas à Feurs", "commune", "Feurs"),
    ("non c'est pas 04 77 12 34 56", "phone", "04 77 12 34 56"), ("non c'est pas Claire", "contact", "Claire"),
    ("non c'est pas la bonne commune", "commune", None), ("non la commune n'est pas la bonne", "commune", None),
])
def test_a_value_said_wrong_asks_that_answer_again(text: str, field: str, was: str | None) -> None:
    assert read_corrections(text, FIELDS, SHOWN) == Corrections((Correction(field, None, was=was),))


def test_a_value_said_wrong_with_the_new_one_changes_that_answer() -> None:
    assert changes("non ce n'est pas Claire Martin c'est Paul Durand") == {"contact": "Paul Durand"}
    # Not the answer shown: which answer is unclear, nothing asked again on a guess.
    assert read_corrections("non c'est pas Roanne", FIELDS, SHOWN) == Corrections((), (Correction(None, None, ALL),))
