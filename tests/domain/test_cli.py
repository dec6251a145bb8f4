"""The `tremplin` command, run in-process on a temporary SQLite file named by DATABASE_URL."""
from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.support.factories import make_siret
from tremplin.cli import main
from tremplin.settings import get_settings

HEADER = "SIRET;Entreprise;Commune;Adresse;Métier;Titre;Description;Début;Fin;Places;Environnements;Vacances;Transport"


def _monday(weeks_ahead: int) -> date:
    today = date.today()
    return today + timedelta(days=7 - today.weekday(), weeks=weeks_ahead)


def offers_file(tmp_path: Path, *lines: str, name: str = "offres.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return path


def good_line(siret: str, title: str, places: int = 2, weeks_ahead: int = 3) -> str:
    start = _monday(weeks_ahead)
    return (f"{siret};Boulangerie Martin;42110 Feurs;3 rue de la Loire;Boulanger;{title};Pain et croissants;"
            f"{start:%d/%m/%Y};{start + timedelta(days=4):%d/%m/%Y};{places};atelier, equipe;non;Gare de Feurs")


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    get_settings.cache_clear()
    return url


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def test_migrate_then_empty_stats(db, capsys):
    assert run(capsys, "migrate")[0] == 0
    code, out, _ = run(capsys, "stats", "--json")
    stats = json.loads(out)
    assert code == 0
    assert stats["employers"] == {"total": 0, "with_published_offer": 0}
    assert stats["offers"]["by_status"] == {"draft": 0, "pending_review": 0, "published": 0, "closed": 0,
                                            "expired": 0}
    assert stats["students"] == {"total": 0, "placed": 0}
    code, out, _ = run(capsys, "stats")
    assert code == 0 and "Employeurs : 0" in out and "Élèves inscrits : 0" in out


def test_stats_before_migrate_says_what_to_do(db, capsys):
    code, out, err = run(capsys, "stats")
    assert code == 1 and out == ""
    assert err.strip().splitlines() == ["tremplin stats : la base de données n'est pas initialisée : "
                                        "lancez d'abord « tremplin migrate »."]


def test_unreachable_database_is_one_line(monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")
    get_settings.cache_clear()
    code, _, err = run(capsys, "stats")
    assert code == 1 and len(err.strip().splitlines()) == 1 and "base de données" in err


def test_import_reimport_export_and_stats(db, tmp_path, capsys):
    run(capsys, "migrate")
    siret_a, siret_b = make_siret(8001), make_siret(8002)
    path = offers_file(tmp_path, good_line(siret_a, "Le fournil"), good_line(siret_a, "La vente", places=1),
                       good_line(siret_b, "Le fournil", places=3).replace("Boulangerie Martin", "Fournil Dupont"))
    code, out, err = run(capsys, "import-offers", str(path))
    assert (code, err) == (0, "")
    assert "3 offres créées, 2 employeurs créés" in out

    code, out, _ = run(capsys, "import-offers", str(path))
    assert code == 0 and "0 offre créée" in out and "3 doublons ignorés" in out
    assert "ligne 2 : déjà présente" in out

    code, out, _ = run(capsys, "stats", "--json")
    stats = json.loads(out)
    assert stats["employers"] == {"total": 2, "with_published_offer": 2}
    assert stats["offers"]["by_status"]["published"] == 3 and stats["places"] == {"offered": 6, "left": 6}

    exported = tmp_path / "export.csv"
    code, out, _ = run(capsys, "export-offers", "--output", str(exported), "--status", "published")
    assert code == 0 and "3 lignes écrites" in out
    text = exported.read_text(encoding="utf-8-sig")
    assert text.splitlines()[0] == ("siret;entreprise;commune;adresse;metier;titre;description;debut;fin;places;"
                                    "environnements;vacances;transport")
    assert "Feurs (42110)" in text and "Boulanger (D1102)" in text
    code, out, _ = run(capsys, "export-offers")
    assert code == 0 and out == text  # stdout: the same CSV, without the BOM
    code, out, _ = run(capsys, "export-offers", "--status", "draft")
    assert out.count("\n") == 1

    code, out, _ = run(capsys, "import-offers", str(exported))
    assert code == 0 and "3 doublons ignorés" in out


def test_bad_file_imports_nothing_and_reports_each_line(db, tmp_path, capsys):
    run(capsys, "migrate")
    siret = make_siret(8003)
    path = offers_file(tmp_path, good_line(siret, "Bon"), good_line("123", "Mauvais SIRET"),
                       good_line(siret, "Trop de places", places=50), good_line(siret, ""))
    code, out, err = run(capsys, "import-offers", str(path))
    assert code == 1 and out == ""
    lines = err.strip().splitlines()
    assert lines[0].startswith("Import refusé : 3 lignes sur 4")
    assert lines[1].startswith("ligne 3 : SIRET « 123 » refusé")
    assert lines[2].startswith("ligne 4 : 50 places")
    assert lines[3] == "ligne 5 : titre manquant"
    assert json.loads(run(capsys, "stats", "--json")[1])["offers"]["total"] == 0


def test_dry_run_and_sample_file(db, capsys):
    run(capsys, "migrate")
    sample = Path(__file__).resolve().parents[2] / "data" / "samples" / "offres_exemple.csv"
    code, out, err = run(capsys, "import-offers", str(sample), "--dry-run")
    if date.today() < date(2026, 12, 7):  # the sample's first week
        assert code == 0 and "Simulation" in out and "10 offres et 9 employeurs à créer" in out
    else:  # once its weeks are past, the sample is refused, and says why
        assert code == 1 and "déjà passée" in err
    assert json.loads(run(capsys, "stats", "--json")[1])["offers"]["total"] == 0


def test_seed_demo_is_idempotent(db, capsys):
    code, out, _ = run(capsys, "seed-demo")
    assert code == 0 and out.startswith("Données de démonstration ajoutées")
    stats = json.loads(run(capsys, "stats", "--json")[1])
    assert stats["employers"]["total"] > 0 and stats["offers"]["by_status"]["published"] > 0
    code, out, _ = run(capsys, "seed-demo")
    assert code == 0 and "rien de nouveau" in out
    assert json.loads(run(capsys, "stats", "--json")[1]) == stats


@pytest.mark.parametrize("argv,needle", [
    ([], "COMMANDE"),
    (["stats", "--bad"], "arguments inconnus"),
    (["export-offers", "--status", "nope"], "choix invalide"),
    (["import-offers"], "arguments obligatoires manquants"),
])
def test_usage_errors_exit_2(db, capsys, argv, needle):
    code = main(argv)
    _, err = capsys.readouterr()
    assert code == 2 and needle in err and "Traceback" not in err


def test_unreadable_input_files_exit_2(db, tmp_path, capsys):
    run(capsys, "migrate")
    code, _, err = run(capsys, "import-offers", str(tmp_path / "absent.csv"))
    assert code == 2 and err.strip() == f"tremplin import-offers : fichier introuvable : {tmp_path / 'absent.csv'}"
    old = tmp_path / "vieux.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0")
    code, _, err = run(capsys, "import-offers", str(old))
    assert code == 2 and ".xlsx" in err and len(err.strip().splitlines()) == 1
    code, _, err = run(capsys, "export-offers", "--output", str(tmp_path / "nowhere" / "x.csv"))
    assert code == 2 and "dossier introuvable" in err


def test_help_exits_0(capsys):
    assert main(["--help"]) == 0
    assert "import-offers" in capsys.readouterr().out
