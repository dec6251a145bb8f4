"""Importing a school's offers file (CSV/XLSX), all or nothing, and exporting it back; both backends."""
from __future__ import annotations

import asyncio
import io
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from tests.support.factories import employer_with_account, make_siret
from tremplin.db import make_engine, session_scope
from tremplin.io.offer_rows import map_header
from tremplin.io.offers_csv import export_offers, import_offers
from tremplin.io.tables import read_table
from tremplin.migrate import upgrade
from tremplin.models import Employer, Offer, OfferStatus
from tremplin.services.stats import compute_stats

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "samples" / "offres_exemple.csv"
SAMPLE_TODAY = date(2026, 9, 1)  # the sample's weeks run from December 2026 to February 2027
TODAY = date(2026, 9, 1)
WEEK = date(2026, 12, 7)         # a Monday after TODAY
HEADER = "siret;entreprise;commune;adresse;metier;titre;description;debut;fin;places;environnements;vacances;transport"
SIRET_A, SIRET_B = make_siret(7001), make_siret(7002)


def row(siret=SIRET_A, name="Boulangerie Martin", commune="Feurs", metier="Boulanger", title="Le fournil",
        start="07/12/2026", end="11/12/2026", places="2", envs="atelier, equipe", holidays="non",
        address="3 rue de la Loire", description="Pain et viennoiseries.", transport="Gare à 5 min") -> str:
    return ";".join([siret, name, commune, address, metier, title, description, start, end, places, envs,
                     holidays, transport])


def write(tmp_path: Path, *rows: str, name: str = "offres.csv", encoding: str = "utf-8",
          header: str = HEADER) -> Path:
    path = tmp_path / name
    path.write_bytes(("\n".join([header, *rows]) + "\n").encode(encoding))
    return path


async def count(engine, model) -> int:
    async with session_scope(engine) as s:
        return await s.scalar(select(func.count()).select_from(model))


async def test_sample_file_imports(engine):
    report = await import_offers(engine, SAMPLE, today=SAMPLE_TODAY)
    assert report.ok, report.error_lines()
    assert (report.offers_created, report.employers_created, report.skipped) == (10, 9, [])
    async with session_scope(engine) as s:
        offers = (await s.scalars(select(Offer).options(selectinload(Offer.periods), selectinload(Offer.employer),
                                                        selectinload(Offer.environments)))).all()
    assert len(offers) == 10 and all(o.status is OfferStatus.PUBLISHED for o in offers)
    garage = next(o for o in offers if o.employer.name == "Garage Forez Auto")
    assert (garage.commune_insee, garage.rome_code, garage.domain, garage.holidays_ok) == ("42147", "I1604", "I", True)
    assert garage.environment_tags == ["atelier", "machines"] and garage.capacity == 1
    assert [(p.start_date, p.end_date) for p in garage.periods] == [(date(2026, 12, 14), date(2026, 12, 18))]
    assert all(o.employer.trusted for o in offers)
    bakery = [o for o in offers if o.employer.name == "Boulangerie du Crêt de Roc"]
    assert len(bakery) == 2 and bakery[0].employer_id == bakery[1].employer_id


async def test_broken_rows_import_nothing_and_are_all_reported(engine, tmp_path):
    path = write(tmp_path,
                 row(),                                                  # line 2: good
                 row(siret="12345678901234", title="A"),                 # 3: bad SIRET
                 row(commune="Trifouillis-les-Oies", title="B"),         # 4: unknown commune
                 row(start="05/01/2026", end="09/01/2026", title="C"),   # 5: past
                 row(places="0", title="D"),                             # 6: 0 places
                 row(places="50", title="E"),                            # 7: 50 places
                 row(metier="Dompteur de licornes", title="F"),          # 8: unknown métier
                 row(title=""),                                          # 9: missing title
                 row(commune="Saint-Just", title="G"),                   # 10: ambiguous commune
                 row(commune="Montbrizon", title="H"),                   # 11: typo → suggestion
                 row(start="07/12/2026", end="31/12/2026", title="I"))   # 12: too long
    report = await import_offers(engine, path, today=TODAY)
    assert not report.ok
    reasons = dict(report.errors)
    assert sorted(reasons) == list(range(3, 13))
    assert "SIRET « 12345678901234 » refusé" in reasons[3][0]
    assert "Trifouillis-les-Oies" in reasons[4][0] and "inconnue" in reasons[4][0]
    assert "déjà passée" in reasons[5][0]
    assert "0 places" in reasons[6][0] and "de 1 à 10" in reasons[6][0]
    assert "50 places" in reasons[7][0]
    assert "Dompteur de licornes" in reasons[8][0] and "inconnu" in reasons[8][0]
    assert reasons[9] == ["titre manquant"]
    assert "ambiguë" in reasons[10][0] and "précisez le code postal" in reasons[10][0]
    assert "vouliez-vous dire Montbrison (42600)" in reasons[11][0]
    assert "une semaine au plus" in reasons[12][0]
    lines = report.error_lines()
    assert lines[0].startswith("ligne 3 : ") and lines[-1].startswith("ligne 12 : ")
    assert await count(engine, Offer) == 0 and await count(engine, Employer) == 0


async def test_several_problems_on_one_line_are_all_listed(engine, tmp_path):
    path = write(tmp_path, row(siret="1234", places="douze", start="32/13/2026", holidays="peut-être"))
    report = await import_offers(engine, path, today=TODAY)
    [(line, reasons)] = report.errors
    assert line == 2 and len(reasons) == 4
    assert "14 chiffres" in reasons[0]


async def test_missing_column_refuses_the_file(engine, tmp_path):
    path = write(tmp_path, "1;2;3", header="siret;entreprise;commune")
    report = await import_offers(engine, path, today=TODAY)
    assert report.error_lines() == ["ligne 1 : colonnes absentes : « metier », « titre », « debut », « fin », "
                                    "« places »"]


async def test_reimport_skips_duplicates(engine, tmp_path):
    path = write(tmp_path, row(), row(siret=SIRET_B, name="Garage", metier="I1604", title="Atelier"))
    first = await import_offers(engine, path, today=TODAY)
    assert (first.offers_created, first.employers_created) == (2, 2)
    again = write(tmp_path, row(title="  le  FOURNIL "), row(start="14/12/2026", end="18/12/2026"),
                  row(start="14/12/2026", end="18/12/2026"), name="encore.csv")
    second = await import_offers(engine, again, today=TODAY)
    assert second.ok and second.offers_created == 1 and second.employers_reused == 1
    assert [line for line, _ in second.skipped] == [2, 4]
    assert "existe déjà" in second.skipped[0][1] and "même offre qu'à la ligne 3" in second.skipped[1][1]
    assert await count(engine, Offer) == 3 and await count(engine, Employer) == 2


async def test_existing_employer_is_reused_and_suspended_one_refused(engine, tmp_path):
    async with session_scope(engine) as s:
        known, _ = await employer_with_account(s, trusted=False)
        suspended, _ = await employer_with_account(s)
        suspended.suspended = True
    report = await import_offers(engine, write(tmp_path, row(siret=known.siret)), today=TODAY)
    assert (report.employers_created, report.employers_reused, report.offers_created) == (0, 1, 1)
    async with session_scope(engine) as s:
        offer = await s.scalar(select(Offer).where(Offer.employer_id == known.id))
    assert offer.status is OfferStatus.PENDING_REVIEW  # an unknown employer's offers are still moderated
    refused = await import_offers(engine, write(tmp_path, row(), row(siret=suspended.siret), name="b.csv"),
                                  today=TODAY)
    assert [line for line, _ in refused.errors] == [3] and "suspendu" in refused.errors[0][1][0]
    assert await count(engine, Offer) == 1


async def test_dry_run_writes_nothing(engine, tmp_path):
    report = await import_offers(engine, write(tmp_path, row(), row(title="Autre")), dry_run=True, today=TODAY)
    assert report.ok and (report.offers_created, report.employers_created) == (2, 1)
    assert "Simulation" in report.summary_lines()[-1]
    assert await count(engine, Offer) == 0 and await count(engine, Employer) == 0


async def test_export_then_import_round_trips(engine, tmp_path):
    multi = row(siret=SIRET_B, name="Garage", metier="Mécanicien automobile", title="Atelier",
                start="14/12/2026, 11/01/2027", end="18/12/2026, 15/01/2027", envs="", holidays="oui", transport="")
    assert (await import_offers(engine, write(tmp_path, multi), today=TODAY)).ok
    assert (await import_offers(engine, SAMPLE, today=SAMPLE_TODAY)).ok
    first = io.StringIO()
    assert await export_offers(engine, first) == 11
    exported = tmp_path / "export.csv"
    exported.write_text(first.getvalue(), encoding="utf-8")
    assert "14/12/2026, 11/01/2027" in first.getvalue()

    # Into an empty database: the same offers come back, and export identically.
    other_url = f"sqlite+aiosqlite:///{tmp_path / 'other.db'}"
    await asyncio.to_thread(upgrade, other_url)
    other = make_engine(other_url)
    try:
        report = await import_offers(other, exported, today=SAMPLE_TODAY)
        assert report.ok and (report.offers_created, report.employers_created) == (11, 10)
        second = io.StringIO()
        await export_offers(other, second)
        assert second.getvalue() == first.getvalue()
    finally:
        await other.dispose()

    # Into the same database: everything is already there.
    again = await import_offers(engine, exported, today=SAMPLE_TODAY)
    assert again.ok and again.offers_created == 0 and len(again.skipped) == 11


async def test_export_filters_by_status(engine):
    assert (await import_offers(engine, SAMPLE, today=SAMPLE_TODAY)).ok
    async with session_scope(engine) as s:
        offer = await s.scalar(select(Offer).order_by(Offer.id).limit(1))
        offer.status = OfferStatus.CLOSED
    published = io.StringIO()
    assert await export_offers(engine, published, OfferStatus.PUBLISHED) == 9
    assert len(published.getvalue().splitlines()) == 10


async def test_stats_count_what_was_imported(engine):
    await import_offers(engine, SAMPLE, today=SAMPLE_TODAY)
    async with session_scope(engine) as s:
        await employer_with_account(s)  # an employer without any offer
        stats = await compute_stats(s)
    assert stats["employers"] == {"total": 10, "with_published_offer": 9}
    assert stats["offers"]["total"] == 10 and stats["offers"]["by_status"]["published"] == 10
    assert stats["places"] == {"offered": 17, "left": 17}
    assert stats["applications"]["total"] == 0 and stats["students"] == {"total": 0, "placed": 0}


async def test_xlsx_with_french_headers_and_real_dates(engine, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["N° SIRET", "Raison sociale", "Code postal", "Adresse", "Code ROME", "Intitulé du stage",
                  "Descriptif", "Date de début", "Date de fin", "Nombre de places", "Environnement",
                  "Pendant les vacances", "Accès transports"])
    sheet.append([SIRET_A, "Pharmacie du Forez", "42600 Montbrison", None, "J1307", "À l'officine",
                  "Conseil et préparation", datetime(2026, 12, 7), datetime(2026, 12, 11), 3,
                  "soin|public", "Oui", None])
    sheet.append([int(SIRET_B), "Fleurs de Feurs", "Feurs", "1 place Dorian", "Fleuriste", "Composer un bouquet",
                  None, WEEK + timedelta(weeks=1), "18/12/2026", 1.0, "plein air", None, "Bus 1"])
    sheet.append([None] * 13)  # blank lines are ignored
    path = tmp_path / "offres.xlsx"
    book.save(path)
    report = await import_offers(engine, path, today=TODAY)
    assert report.ok, report.error_lines()
    assert report.offers_created == 2
    async with session_scope(engine) as s:
        offers = (await s.scalars(select(Offer).order_by(Offer.id).options(
            selectinload(Offer.periods), selectinload(Offer.environments)))).all()
    assert [(o.title, o.capacity, o.holidays_ok, o.environment_tags) for o in offers] == [
        ("À l'officine", 3, True, ["public", "soin"]), ("Composer un bouquet", 1, False, ["exterieur"])]
    assert offers[1].periods[0].start_date == date(2026, 12, 14)


@pytest.mark.parametrize("encoding,delimiter", [("utf-8-sig", ","), ("cp1252", ";"), ("utf-8", "\t")])
def test_csv_encodings_and_delimiters(tmp_path, encoding, delimiter):
    header = "SIRET,Entreprise,Commune,Métier,Titre,Début,Fin,Places".replace(",", delimiter)
    line = delimiter.join([SIRET_A, "Crêperie Élise", "Saint-Étienne", "Cuisinier", "Crêpes", "07/12/2026",
                           "11/12/2026", "2"])
    table = read_table(write(tmp_path, line, encoding=encoding, header=header))
    columns, missing = map_header(table.header)
    assert missing == []
    assert table.rows == [(2, [SIRET_A, "Crêperie Élise", "Saint-Étienne", "Cuisinier", "Crêpes",
                               "07/12/2026", "11/12/2026", "2"])]


def test_header_variants_are_recognised():
    columns, missing = map_header(["Numéro SIRET", "Nom de l'entreprise", "VILLE", "Adresse postale", "Métier (ROME)",
                                   "Intitulé", "Description", "Date début", "Date fin", "Nb places",
                                   "Environnements", "Accueil pendant les vacances", "Transports en commun"])
    assert missing == []
    assert list(columns) == ["siret", "entreprise", "commune", "adresse", "metier", "titre", "description",
                             "debut", "fin", "places", "environnements", "vacances", "transport"]


async def test_unquoted_separator_in_a_text_is_explained(engine, tmp_path):
    path = write(tmp_path, row(description="Pain ; viennoiseries"))
    report = await import_offers(engine, path, today=TODAY)
    assert "guillemets" in report.error_lines()[0]
