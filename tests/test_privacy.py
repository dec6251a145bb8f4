"""What an employer reads never identifies the minor who wrote it."""
from __future__ import annotations

import pytest

from tremplin.privacy.identifiers import external_hash, seal, unseal
from tremplin.privacy.scrub import scrub


@pytest.mark.parametrize("text, leaked", [
    ("Appelle-moi au 06 12 34 56 78 stp", "06 12 34 56 78"),
    ("mon num 0612345678", "0612345678"),
    ("tel +33 6 12 34 56 78", "6 12 34 56 78"),
    ("tel 06.12.34.56.78", "06.12.34.56.78"),
    ("écris à lea.dupont@gmail.com", "lea.dupont"),
    ("mon insta c'est @lea_du42", "lea_du42"),
    ("snap: leadu42", "leadu42"),
    ("j'habite 12 rue des Lilas à Feurs", "rue des Lilas"),
    ("au 3 bis avenue Jean Jaurès", "Jean Jaurès"),
    ("regarde https://exemple.fr/moi", "exemple.fr"),
])
def test_contact_details_are_masked(text, leaked):
    assert leaked not in scrub(text)


def test_own_first_name_is_masked_whatever_the_accents():
    assert "Léa" not in scrub("Bonjour, je suis Léa, LEA pour les amis", names=["Lea"])
    assert scrub("Bonjour, je suis Léa", names=["Léa"]).count("[prénom masqué]") == 1


def test_ordinary_text_is_kept():
    text = "J'ai 14 ans, j'aime les animaux et je voudrais voir le travail d'un vétérinaire 2 jours."
    assert scrub(text) == text


def test_chat_ids_are_hashed_and_sealed():
    hashed = external_hash("telegram", 123456789)
    assert "123456789" not in hashed and len(hashed) == 64
    assert external_hash("telegram", 123456789) == hashed
    sealed = seal(123456789)
    assert "123456789" not in sealed and unseal(sealed) == "123456789"
    assert unseal("not-a-token") is None
