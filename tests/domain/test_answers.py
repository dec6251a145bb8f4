"""Typed readers (tremplin/answers): a message is read as the kind of answer the question asked for,
so that a name is never « annuler », « 1 place » never a date and « jsp » to a date question is an answer."""
from __future__ import annotations

import pytest

from tremplin.answers import (read_commune, read_contact, read_dates, read_dates_or_dont_know,
                              read_distance, read_free_text, read_metier, read_person_name, read_phone, read_places,
                              read_siret, read_wanted, read_yes_no)


@pytest.mark.parametrize("text", ["Claire Martin", "Pierre Lannuler", "M. Dupont", "Mme Petit-Roux",
                                  "Jean-Marc de la Tour", "Aïcha Benali", "Marc Aide"])
def test_names_are_names(text):
    assert read_person_name(text) == text


@pytest.mark.parametrize("text", ["06 12 34 56 78", "c'est quoi la charte ?", "", "le patron de la boulangerie du "
                                                                                  "village de Feurs depuis longtemps"])
def test_not_names(text):
    assert read_person_name(text) is None


@pytest.mark.parametrize("text, places", [("1", "1"), ("1 place", "1 place"), ("deux élèves", "deux élèves"),
                                          ("une", "une")])
def test_places(text, places):
    assert read_places(text) == places


@pytest.mark.parametrize("text", ["la semaine du 7 décembre", "2 ou 3", "beaucoup"])
def test_not_places(text):
    assert read_places(text) is None


def test_dates_and_dont_know():
    assert read_dates_or_dont_know("jsp") == "jsp"
    assert read_dates_or_dont_know("je sais pas encore") == "je sais pas encore"
    assert read_dates("semaine 50") == "semaine 50" and read_dates("vacances de février")
    assert read_dates("M. Durand") is None and read_dates("Mme Petit") is None
    assert read_dates("jsp") is None  # an employer must give real weeks


@pytest.mark.parametrize("text, value", [("ouais", True), ("ok vas-y", True), ("Oui, enregistrer", True),
                                         ("d'accord", True), ("non, corriger", False), ("nan", False),
                                         ("peut-être", None), ("Claire Martin", None)])
def test_yes_no(text, value):
    assert read_yes_no(text) is value


def test_trades_the_nlu_never_saw_are_read_by_the_referentiel():
    for trade in ("ébéniste", "maréchal-ferrant", "tapissier", "souffleur de verre"):
        assert read_metier(trade) == trade
    assert read_metier("zzzz qqqq") is None


def test_places_postcodes_and_what_is_not_a_place():
    assert read_commune("Feurs") and read_commune("42110") and read_commune("roane")
    assert read_commune("Claire Martin") is None


def test_siret_phone_contact_code_distance_wanted_free_text():
    assert read_siret("443 061 841 00047") == "44306184100047" and read_siret("Garage Dupain") is None
    assert read_phone("Claire Martin 06.12.34.56.78") == "06.12.34.56.78"
    assert read_phone("+33 6 12 34 56 78") and read_phone("12 34") is None
    assert read_contact("M. Durand, 04 77 12 34 56") and read_contact("claire.petit@ac-lyon.fr")
    assert read_distance("20 km") and read_distance("pas trop loin") and read_distance("boulangerie") is None
    assert read_wanted("jsp") and read_wanted("dehors avec des animaux") and read_wanted("la santé")
    assert read_wanted("qsdf wxcv") is None
    assert read_free_text("Découvrir le fournil") == "Découvrir le fournil"
    assert read_free_text("c'est payé un stage ?") is None
