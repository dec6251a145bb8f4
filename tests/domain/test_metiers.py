"""Métier référentiel (data/reference/metiers.json) and the resolution of what students type."""
from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from tremplin.metiers import (
    ENVIRONMENT_ALIASES,
    ENVIRONMENTS,
    Metier,
    Referentiel,
    get_referentiel,
    resolve_environments,
)
from tremplin.metiers.environments import environment_fit, fit_threshold, is_refusal
from tremplin.metiers.referentiel import DEFAULT_PATH, REFERENCE_DIR_ENV
from tremplin.text import normalize

DOMAINS = "ABCDEFGHIJKLMN"


@pytest.fixture(scope="module")
def ref() -> Referentiel:
    return Referentiel.load()


def labels(metiers: list[Metier]) -> list[str]:
    return [m.label for m in metiers]


# ---------------------------------------------------------------- the data itself

def test_raw_file_shape() -> None:
    data = json.loads(DEFAULT_PATH.read_text(encoding="utf-8"))
    assert set(data) == {"domains", "domain_aliases", "metiers"}
    assert list(data["domains"]) == list(DOMAINS)
    assert set(data["domain_aliases"]) == set(DOMAINS)
    for raw in data["metiers"]:
        assert set(raw) == {"rome", "label", "feminine", "aliases", "environments", "description"}, raw
        assert raw["feminine"] is None or (raw["feminine"] and raw["feminine"] != raw["label"]), raw
        assert isinstance(raw["aliases"], list)


def test_counts(ref: Referentiel) -> None:
    assert len(ref.metiers) >= 250
    per_domain = Counter(m.domain for m in ref.metiers)
    assert set(per_domain) == set(DOMAINS)
    assert min(per_domain.values()) >= 8, per_domain
    assert ref.domains["J"] == "Santé"
    assert len(ref.domains) == 14


def test_every_entry_is_well_formed(ref: Referentiel) -> None:
    for m in ref.metiers:
        assert re.fullmatch(r"^[A-N]\d{4}$", m.rome), m
        assert m.domain == m.rome[0]
        assert 2 <= len(m.environments) <= 5, m
        assert set(m.environments) <= set(ENVIRONMENTS), m
        assert m.description and m.description[0].isupper() and m.description.endswith("."), m
        assert "  " not in m.description


def test_no_duplicate_label(ref: Referentiel) -> None:
    counts = Counter(normalize(m.label) for m in ref.metiers)
    assert [label for label, n in counts.items() if n > 1] == []


def test_popular_families_are_well_covered(ref: Referentiel) -> None:
    def count(tag: str) -> int:
        return sum(tag in m.environments for m in ref.metiers)

    assert count("animaux") >= 15
    assert count("enfants") >= 15
    assert len(ref.by_rome("J1102")) >= 5          # médecins
    assert len(ref.by_rome("G1204")) >= 5          # sport
    assert ref.by_rome("d1102")[0].label == "Boulanger"
    assert ref.by_rome("Z9999") == []


def test_environment_vocabulary() -> None:
    assert set(ENVIRONMENTS) == {"exterieur", "interieur", "animaux", "enfants", "public", "atelier", "bureau",
                                 "soin", "chantier", "machines", "calme", "anime", "equipe", "creatif", "nature"}
    assert set(ENVIRONMENT_ALIASES.values()) == set(ENVIRONMENTS)
    for word in ENVIRONMENT_ALIASES:
        assert word == normalize(word)


# ---------------------------------------------------------------- métier resolution

@pytest.mark.parametrize(("text", "rome", "label"), [
    ("boulangère", "D1102", "Boulanger"),
    ("Boulangerie", "D1102", "Boulanger"),
    ("les boulangers", "D1102", "Boulanger"),
    ("mécano", "I1604", "Mécanicien automobile"),
    ("véto", "A1504", "Vétérinaire"),
    ("veterinaire", "A1504", "Vétérinaire"),
    ("VÉTÉRINAIRES", "A1504", "Vétérinaire"),
    ("dev", "M1805", "Développeur informatique"),
    ("infirmiere", "J1506", "Infirmier"),
    ("aide-soignante", "J1501", "Aide-soignant"),
    ("aide soignant", "J1501", "Aide-soignant"),
    ("pompiers", "K1705", "Sapeur-pompier"),
    ("hôtesse de l'air", "N2101", "Steward"),
    ("instit", "K2106", "Professeur des écoles"),
    ("prof", "K2107", "Professeur de collège et de lycée"),
    ("le métier de vétérinaire", "A1504", "Vétérinaire"),
    ("je veux être boulangère à Lyon", "D1102", "Boulanger"),
    ("dans la coiffure", "D1202", "Coiffeur"),
    ("un stage en boulangerie", "D1102", "Boulanger"),
    ("travailler dans un garage", "I1604", "Mécanicien automobile"),
    ("chauffeur de bus", "N4103", "Conducteur de bus"),
    ("militaire", "K1701", "Militaire de l'armée de terre"),
])
def test_resolve_found(ref: Referentiel, text: str, rome: str, label: str) -> None:
    result = ref.resolve(text)
    assert result.status == "found", (text, result)
    assert result.metier is not None
    assert (result.metier.rome, result.metier.label) == (rome, label)


def test_resolve_feminine_display(ref: Referentiel) -> None:
    boulanger = ref.resolve("boulangère").metier
    assert boulanger is not None
    assert boulanger.feminine == "Boulangère"
    assert boulanger.display(feminine=True) == "Boulangère"
    assert ref.resolve("véto").metier.display(feminine=True) == "Vétérinaire"  # type: ignore[union-attr]


@pytest.mark.parametrize("text", ["coifeur", "coifeuse", "veterinair", "boulanjer", "plombié", "mecanisien"])
def test_resolve_typos(ref: Referentiel, text: str) -> None:
    result = ref.resolve(text)
    assert result.status in {"suggestion", "found"}, result
    assert 1 <= len(result.metiers) <= 3


def test_resolve_typo_coiffeur_first(ref: Referentiel) -> None:
    result = ref.resolve("coifeur")
    assert result.status in {"suggestion", "found"}
    assert result.metiers[0].label == "Coiffeur"


def test_resolve_prefix_suggests(ref: Referentiel) -> None:
    result = ref.resolve("contrôleur")
    assert result.status == "suggestion"
    assert len(result.metiers) == 3
    assert all(m.label.startswith("Contrôleur") for m in result.metiers)


@pytest.mark.parametrize(("text", "expected"), [
    ("ingénieur", {"Ingénieur agronome", "Ingénieur en génie civil", "Ingénieur recherche et développement",
                   "Ingénieur de production"}),
    ("boulanger ou fleuriste", {"Boulanger", "Fleuriste"}),
    ("jeux vidéo", {"Game designer", "Développeur de jeux vidéo", "Testeur informatique"}),
])
def test_resolve_ambiguous(ref: Referentiel, text: str, expected: set[str]) -> None:
    result = ref.resolve(text)
    assert result.status == "ambiguous"
    assert result.metier is None
    assert set(labels(result.metiers)) == expected


def test_resolve_informatique_is_a_family(ref: Referentiel) -> None:
    result = ref.resolve("l'informatique")
    assert result.status == "ambiguous"
    assert {m.domain for m in result.metiers} <= {"M", "I"}
    assert "Développeur informatique" in labels(result.metiers)


@pytest.mark.parametrize("text", ["", "   ", "je sais pas", "xyz", "le", "?!"])
def test_resolve_unknown(ref: Referentiel, text: str) -> None:
    result = ref.resolve(text)
    assert result.status == "unknown"
    assert result.metiers == []


def test_short_aliases_do_not_leak_into_sentences(ref: Referentiel) -> None:
    # "as" is an alias of aide-soignant; "t'as" must not resolve to it.
    assert ref.resolve("t'as une idée ?").status != "found"
    assert ref.resolve("as").metier.label == "Aide-soignant"  # type: ignore[union-attr]


def test_find_label(ref: Referentiel) -> None:
    assert ref.find_label("boulanger").rome == "D1102"  # type: ignore[union-attr]
    assert ref.find_label("Boulangère").rome == "D1102"  # type: ignore[union-attr]
    assert ref.find_label("Professeur des écoles").rome == "K2106"  # type: ignore[union-attr]
    assert ref.find_label("boulangerie") is None  # an alias, not a label
    assert ref.find_label("astronaute") is None


# ---------------------------------------------------------------- domains

@pytest.mark.parametrize(("text", "letter"), [
    ("la santé", "J"),
    ("sante", "J"),
    ("le domaine de la santé", "J"),
    ("le batiment", "F"),
    ("BTP", "F"),
    ("bureau", "M"),
    ("la compta", "M"),
    ("gestion", "M"),
    ("support à l'entreprise", "M"),
    ("le commerce", "D"),
    ("l'hôtellerie", "G"),
    ("hotelerie", "G"),
    ("le spectacle", "L"),
    ("les transports", "N"),
    ("Industrie", "H"),
    ("les animaux", "A"),
])
def test_resolve_domain(ref: Referentiel, text: str, letter: str) -> None:
    assert ref.resolve_domain(text) == letter


@pytest.mark.parametrize("text", ["", "xyz", "informatique"])
def test_resolve_domain_none(ref: Referentiel, text: str) -> None:
    assert ref.resolve_domain(text) is None


def test_by_domain(ref: Referentiel) -> None:
    for letter in DOMAINS:
        found = ref.by_domain(letter)
        assert len(found) >= 8
        assert all(m.domain == letter for m in found)
    assert ref.by_domain("j") == ref.by_domain("J")
    assert ref.by_domain("Z") == []


# ---------------------------------------------------------------- environments

@pytest.mark.parametrize(("text", "expected"), [
    ("dehors avec des animaux", ["exterieur", "animaux"]),
    ("En plein air, dans la nature", ["exterieur", "nature"]),
    ("avec des enfants", ["enfants"]),
    ("au calme, sur ordinateur", ["calme", "bureau"]),
    ("je veux bouger et être en équipe", ["anime", "equipe"]),
    ("travailler de mes mains", ["atelier"]),
    ("avec les chevaux", ["animaux"]),
    ("sur un chantier avec des machines", ["chantier", "machines"]),
    ("pas dans un bureau, plutôt dehors", ["exterieur"]),
    ("j'aime pas les gens, j'aime les bêtes", ["animaux"]),
    ("dehors, dehors, encore dehors", ["exterieur"]),
    ("je sais pas", []),
    ("", []),
])
def test_resolve_environments(text: str, expected: list[str]) -> None:
    assert resolve_environments(text) == expected


def test_by_environments_animals_first(ref: Referentiel) -> None:
    found = ref.by_environments(["animaux"])
    assert len(found) == 10
    assert all("animaux" in m.environments for m in found)
    assert found[0].label == "Vétérinaire"  # file order on ties
    assert {"A"} <= {m.domain for m in found}


def test_by_environments_ranks_by_matches(ref: Referentiel) -> None:
    found = ref.by_environments(["exterieur", "animaux", "nature"], limit=50)
    scores = [len({"exterieur", "animaux", "nature"} & set(m.environments)) for m in found]
    assert scores == sorted(scores, reverse=True)
    assert scores[0] == 3
    assert all(s >= 1 for s in scores)
    # ties keep file order
    order = {m.label: i for i, m in enumerate(ref.metiers)}
    for a, b, sa, sb in zip(found, found[1:], scores, scores[1:]):
        if sa == sb:
            assert order[a.label] < order[b.label]


def test_by_environments_edge_cases(ref: Referentiel) -> None:
    assert ref.by_environments([]) == []
    assert ref.by_environments(["animaux"], limit=0) == []
    assert len(ref.by_environments(["bureau"], limit=3)) == 3
    with pytest.raises(ValueError, match="unknown environment"):
        ref.by_environments(["dehors"])


def test_environment_pipeline(ref: Referentiel) -> None:
    found = ref.by_environments(resolve_environments("dehors avec des animaux"), limit=5)
    assert all({"exterieur", "animaux"} <= set(m.environments) for m in found)


# ---------------------------------------------------------------- loading

def test_get_referentiel_is_cached() -> None:
    get_referentiel.cache_clear()
    try:
        assert get_referentiel() is get_referentiel()
        assert len(get_referentiel().metiers) >= 250
    finally:
        get_referentiel.cache_clear()


def _write(folder: Path, data: dict) -> Path:
    path = folder / "metiers.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def _minimal() -> dict:
    return {
        "domains": {"D": "Commerce, vente et grande distribution"},
        "domain_aliases": {"D": ["commerce"]},
        "metiers": [{"rome": "D1102", "label": "Boulanger", "feminine": "Boulangère", "aliases": ["boulange"],
                     "environments": ["atelier", "public"], "description": "Fait du pain."}],
    }


def test_reference_dir_env_var(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _write(tmp_path, _minimal())
    monkeypatch.setenv(REFERENCE_DIR_ENV, str(tmp_path))
    loaded = Referentiel.load()
    assert labels(list(loaded.metiers)) == ["Boulanger"]
    assert loaded.resolve("boulange").status == "found"
    get_referentiel.cache_clear()
    try:
        assert len(get_referentiel().metiers) == 1
    finally:
        get_referentiel.cache_clear()


@pytest.mark.parametrize(("patch", "message"), [
    ({"rome": "Z1102"}, "ROME code"),
    ({"rome": "D110"}, "ROME code"),
    ({"environments": ["atelier", "dehors"]}, "unknown environments"),
    ({"environments": ["atelier"]}, "2 to 5"),
    ({"label": ""}, "empty label"),
    ({"rome": "A1504"}, "unknown domain"),
])
def test_invalid_data_is_rejected(tmp_path: Path, patch: dict, message: str) -> None:
    data = _minimal()
    data["metiers"][0].update(patch)
    with pytest.raises(ValueError, match=message):
        Referentiel.load(_write(tmp_path, data))


def test_duplicate_label_is_rejected(tmp_path: Path) -> None:
    data = _minimal()
    data["metiers"].append(dict(data["metiers"][0], rome="D1104"))
    with pytest.raises(ValueError, match="duplicate label"):
        Referentiel.load(_write(tmp_path, data))


# ---------------------------------------------------------------- fit of a trade to the quiz answers

QUIZ = ("exterieur", "public", "calme", "atelier")  # dehors, avec des gens, calme, fabriquer


def test_trades_against_an_answer_never_fit(ref: Referentiel) -> None:
    def fit(label: str, answers=QUIZ):
        return environment_fit(answers, ref.find_label(label).environments)

    assert fit("Retoucheur").clash == ("exterieur",)  # a sewing workshop: indoors only
    assert "exterieur" in fit("Toiletteur").clash      # tagged « intérieur »
    assert "calme" in fit("Maçon").clash               # a building site is not calm
    assert fit("Enquêteur").ok and fit("Enquêteur").met == ("calme", "exterieur", "public")
    assert not fit("Vendeur en alimentation", ("calme",)).ok  # busy shop: « anime »
    assert not fit("Bibliothécaire", ("anime",)).ok           # calm place, for a pupil who wants action
    assert not fit("Jardinier paysagiste", ("interieur",)).ok  # outdoors only
    assert fit("Menuisier", ("interieur",)).ok


def test_calm_goes_against_the_public_unless_people_were_wanted() -> None:
    assert environment_fit(["calme"], ["public", "anime"]).clash == ("calme",)
    assert environment_fit(["calme"], ["public"]).clash == ("calme",)
    assert environment_fit(["calme", "public"], ["public"]).ok
    assert environment_fit(["calme"], ["public", "calme"]).ok  # a calm counter (a library)


def test_fit_scores_full_and_near_matches() -> None:
    assert environment_fit(QUIZ, ["nature", "machines"]).score == 3  # outdoors (2) + close to making (1)
    assert environment_fit(QUIZ, ["exterieur", "public", "atelier"]).score == 6
    assert environment_fit([], ["public"]).score == 0 and environment_fit([], ["public"]).ok
    assert fit_threshold(4) == 4 and fit_threshold(1) == 2 and fit_threshold(0) == 2


@pytest.mark.parametrize("text", ["aucun", "Aucun !", "rien de tout ça", "je sais pas", "jsp", "chai pas",
                                  "peu importe", "ni l'un ni l'autre", "bof", "aucun de ceux-là", "non",
                                  "rien ne me plaît", "ça me dit rien"])
def test_refusals_are_understood(text: str) -> None:
    assert is_refusal(text)


@pytest.mark.parametrize("text", ["dehors", "avec des gens", "pas dans un bureau", "", "plutôt dehors"])
def test_answers_are_not_refusals(text: str) -> None:
    assert not is_refusal(text)
