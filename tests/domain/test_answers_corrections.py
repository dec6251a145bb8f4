"""A reply to a recap that says no but carries a correction (tremplin/answers/corrections): which answer it
changes and to what; a plain refusal is no correction."""
from __future__ import annotations

import pytest

from tremplin.answers import read_phone
from tremplin.answers.corrections import (Amendable, Correction, read_commune_named, read_correction,
                                          read_siret_alone, read_street_address)

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
