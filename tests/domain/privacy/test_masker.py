"""What the people on each side read: masks where someone could be recognised, an honest count of
what was hidden, and everything the other side needs left readable."""
from __future__ import annotations

from tremplin.privacy import Audience, mask


def test_a_number_spelled_out_in_french_is_hidden_where_it_was_typed():
    masked = mask("appelle moi au zéro six douze trente-quatre cinquante-six soixante-dix-huit stp")
    assert masked.text == "appelle moi au [numéro masqué] stp"
    assert masked.counts["PHONE"] == 1


def test_the_preview_says_what_was_hidden_by_kind():
    masked = mask("slt jsuis Yanis Benali, mon snap c'est yanou.b et mon num 06 12 34 56 78, "
                  "je veux voir le métier de boulanger")
    assert "Benali" not in masked.text and "yanou.b" not in masked.text and "06 12" not in masked.text
    assert masked.summary() == "1 nom, 1 numéro et 1 pseudo"
    assert "boulanger" in masked.text


def test_nothing_found_means_nothing_claimed():
    text = "Bonjour Monsieur le boulanger, je suis en 3eB, dispo du 12 au 16 janvier de 8h30 à 12h."
    masked = mask(text)
    assert masked.text == text and not masked.changed and masked.summary() == ""


def test_what_the_employer_needs_stays_readable():
    text = ("Je voudrais être astronaute comme Thomas Pesquet, votre garage rue de la Gare à Montbrison "
            "est à 10 minutes, je suis au collège Jules Ferry.")
    assert mask(text).text == text


def test_a_name_found_once_is_hidden_everywhere_and_the_known_first_name_whatever_its_accents():
    masked = mask("Bonjour, je suis la maman d'Awa (3eC). Awa est très motivée.")
    assert "Awa" not in masked.text
    assert "ines" not in mask("coucou c ines, jveux faire vétérinaire", known_names=["Inès"]).text


def test_e_mails_written_in_words_are_hidden():
    for text in ("mon mail lea point dupont arobase gmail point com", "lea.d [at] orange.fr",
                 "hugo fabre at gmail com"):
        assert mask(text).counts["EMAIL"] == 1, text


def test_an_employer_keeps_the_business_address_but_not_a_private_mobile_or_home():
    text = "Boulangerie du Marché, 4 place du Marché à Feurs : appelez-moi au 06 71 32 58 44."
    masked = mask(text, Audience.EMPLOYER_TO_PUPILS)
    assert "4 place du Marché" in masked.text and masked.has_contact
    home = mask("Passez me voir chez moi, 7 rue des Mésanges.", Audience.EMPLOYER_TO_PUPILS)
    assert "Mésanges" not in home.text


def test_masking_twice_changes_nothing_more():
    once = mask("je m'appelle Inès Moreau, née le 12 mars 2011, 12 rue des Lilas").text
    again = mask(once)
    assert again.text == once and not again.changed


def test_a_lower_case_name_after_jsuis_is_hidden_but_not_an_adjective():
    masked = mask("slt jsuis yanis benali, jkiffe les plantes")
    assert "yanis" not in masked.text and "benali" not in masked.text
    for text in ("jsuis chaud pour le stage", "je suis motivée", "chui nul en maths", "jsuis trop content"):
        assert mask(text).text == text
