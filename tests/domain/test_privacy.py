"""What an employer reads never identifies the minor who wrote it."""
from __future__ import annotations

import pytest

from tremplin.privacy.identifiers import external_hash, seal, unseal
from tremplin.privacy import mask


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
    assert leaked not in mask(text).text


def test_own_first_name_is_masked_whatever_the_accents():
    assert "Léa" not in mask("Bonjour, je suis Léa, LEA pour les amis", known_names=["Lea"]).text
    assert mask("Bonjour, je suis Léa", known_names=["Léa"]).text.count("[nom masqué]") == 1


def test_ordinary_text_is_kept():
    text = "J'ai 14 ans, j'aime les animaux et je voudrais voir le travail d'un vétérinaire 2 jours."
    assert mask(text).text == text and not mask(text).changed


def test_chat_ids_are_hashed_and_sealed():
    hashed = external_hash("telegram", 123456789)
    assert "123456789" not in hashed and len(hashed) == 64
    assert external_hash("telegram", 123456789) == hashed
    sealed = seal(123456789)
    assert "123456789" not in sealed and unseal(sealed) == "123456789"
    assert unseal("not-a-token") is None


# Realistic motivations as collégiens write them: what must vanish, and what must stay readable.
MOTIVATIONS = [
    ("Bonjour je suis en 3e et j'adore les animaux, vous pouvez m'appeler au 06 12 34 56 78", "06 12 34 56 78", "animaux"),
    ("slt c lea, mon snap c'est lea.du42 si vous voulez", "lea.du42", "slt"),
    ("je veux devenir veto, contactez ma mère au 07.81.22.33.44 svp", "07.81.22.33.44", "veto"),
    ("mon mail : lucas.martin2011@gmail.com, j'aime la mécanique", "lucas.martin2011", "mécanique"),
    ("Je m'appelle Inès et j'habite 4 rue Victor Hugo à Feurs, j'aime cuisiner", "rue Victor Hugo", "cuisiner"),
    ("j'habite au 12 bis avenue de la Gare 42600 Montbrison", "avenue de la Gare", "habite"),
    ("num de mon père +33 6 45 67 89 10, il peut m'emmener", "6 45 67 89 10", "emmener"),
    ("mon insta @nolan_mecano pour voir mes motos", "nolan_mecano", "motos"),
    ("vous pouvez voir mes dessins sur https://monportfolio.fr/ines", "monportfolio", "dessins"),
    ("mon tiktok: inesdessine, je fais des dessins tous les jours", "inesdessine", "dessins"),
    ("appelez le 0477123456 c'est le fixe de ma grand-mère", "0477123456", "grand-mère"),
    ("Je suis très motivé, mon numéro est le 06-98-76-54-32", "06-98-76-54-32", "motivé"),
    ("écrivez à noa (at) orange.fr pour me répondre", "orange.fr", "répondre"),
    ("j'habite 8 chemin des Vignes, c'est à 5 minutes du garage", "chemin des Vignes", "garage"),
    ("discord : gamer42#1234 si vous préférez", "gamer42", "préférez"),
    ("J'aime aider les gens et mon tel c'est 06 12 34 56 78 merci", "06 12 34 56 78", "aider"),
    ("le site de mon club www.foot-feurs.fr montre que je suis sérieux", "foot-feurs", "sérieux"),
    ("ma mère travaille 3 place de la Mairie, elle peut déposer la convention", "place de la Mairie", "convention"),
    ("bonjour moi c'est Léa j'ai 14 ans et je veux être boulangère", "Léa", "boulangère"),
    ("contactez moi sur leo.petit@laposte.net ou au 06 11 22 33 44", "laposte", "contactez"),
]


@pytest.mark.parametrize("text, leaked, kept", MOTIVATIONS)
def test_realistic_motivations_are_masked_but_stay_readable(text, leaked, kept):
    cleaned = mask(text, known_names=["Léa", "Inès"]).text
    assert leaked not in cleaned
    assert kept in cleaned
    assert "masqué" in cleaned
