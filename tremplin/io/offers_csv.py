"""Importing a school's list of offers (CSV or XLSX) and exporting offers in the same format.

Import is all or nothing: every line is checked first and, if a single one is refused, nothing is
written and the report names each refused line with its reasons. Employers are found by SIRET or
created (trusted, since the list comes from a school), so their offers are published at once.
Re-running the same file is harmless: an offer already there (same employer, same title, same
first period) is skipped and reported, never duplicated.

Export writes one line per offer with the import's columns, so an exported file imports back as
it was. An offer open on several weeks lists them in its date cells (« 07/12/2026, 11/01/2027 »
under début, the matching end dates under fin); a school may write them so too, or write one
line per week, which makes separate offers, each with its own places."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.orm import selectinload

from tremplin.db import session_scope
from tremplin.io.offer_rows import COLUMNS, OfferKey, OfferRow, check_row, commune_label, map_header, title_key
from tremplin.io.tables import Table, read_table, write_csv
from tremplin.models import Employer, Offer, OfferStatus
from tremplin.services.offers import OfferDraft, create_offer

if TYPE_CHECKING:
    from tremplin.geography.communes import CommuneIndex


@dataclass
class ImportReport:
    rows: int = 0
    errors: list[tuple[int, list[str]]] = field(default_factory=list)  # (line, reasons)
    skipped: list[tuple[int, str]] = field(default_factory=list)       # duplicates: (line, why)
    employers_created: int = 0
    employers_reused: int = 0
    offers_created: int = 0
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def error_lines(self) -> list[str]:
        return [f"ligne {line} : {' ; '.join(reasons)}" for line, reasons in self.errors]

    def summary_lines(self) -> list[str]:
        if not self.ok:
            return [f"Import refusé : {_n(len(self.errors), 'ligne')} sur {self.rows} à corriger, "
                    "rien n'a été importé.", *self.error_lines()]
        lines = [f"ligne {line} : déjà présente, ignorée — {why}" for line, why in self.skipped]
        if self.dry_run:
            lines.append(f"Simulation, rien n'a été enregistré : {_n(self.offers_created, 'offre')} et "
                         f"{_n(self.employers_created, 'employeur')} à créer, "
                         f"{_n(self.employers_reused, 'employeur')} déjà connu"
                         f"{'s' if self.employers_reused > 1 else ''}, "
                         f"{_n(len(self.skipped), 'doublon', 'ignoré')}.")
        else:
            lines.append(f"Import réussi : {_n(self.offers_created, 'offre', 'créée')}, "
                         f"{_n(self.employers_created, 'employeur', 'créé')}, "
                         f"{_n(self.employers_reused, 'employeur', 'déjà connu')}, "
                         f"{_n(len(self.skipped), 'doublon', 'ignoré')}.")
        return lines


def _n(count: int, noun: str, participle: str = "") -> str:
    """« 3 offres créées », « 1 employeur créé », « 0 doublon ignoré »."""
    s = "s" if count > 1 else ""
    return f"{count} {noun}{s}" + (f" {participle}{s}" if participle else "")


def check_table(table: Table, today: date) -> tuple[list[OfferRow], ImportReport]:
    """Check every line of the file against the reference lists and the offer rules."""
    from tremplin.geography.communes import get_communes
    from tremplin.metiers.referentiel import get_referentiel

    report = ImportReport(rows=len(table.rows))
    columns, missing = map_header(table.header)
    if missing:
        names = ", ".join(f"« {col} »" for col in missing)
        report.errors.append((1, [f"colonne{'s' if len(missing) > 1 else ''} absente"
                                  f"{'s' if len(missing) > 1 else ''} : {names}"]))
        return [], report
    if not table.rows:
        report.errors.append((1, ["aucune offre dans le fichier"]))
        return [], report
    communes, referentiel = get_communes(), get_referentiel()
    good: list[OfferRow] = []
    width = len(table.header)
    for line, cells in table.rows:
        extra = [c for c in cells[width:] if c not in (None, "")]
        if extra:  # a stray separator inside a text shifts every following cell
            report.errors.append((line, [f"{len(cells)} cellules pour {width} colonnes : un texte contient "
                                         "sans doute le séparateur, mettez-le entre guillemets"]))
            continue
        row, reasons = check_row(line, cells, columns, communes, referentiel, today)
        if row is None:  # refused: the reasons say why
            report.errors.append((line, reasons))
        else:
            good.append(row)
    return good, report


async def _existing_keys(session: AsyncSession, employers: dict[str, Employer]) -> set[OfferKey]:
    """(siret, title, first period) of the offers already held by these employers."""
    if not employers:
        return set()
    by_id = {e.id: siret for siret, e in employers.items()}
    offers = await session.scalars(select(Offer).where(Offer.employer_id.in_(by_id))
                                   .options(selectinload(Offer.periods)))
    keys: set[OfferKey] = set()
    for offer in offers:
        if offer.periods:
            first = min(offer.periods, key=lambda p: (p.start_date, p.end_date))
            keys.add((by_id[offer.employer_id], title_key(offer.title), first.start_date, first.end_date))
    return keys


async def import_rows(session: AsyncSession, rows: list[OfferRow], report: ImportReport,
                      today: date) -> ImportReport:
    """Write checked rows in the caller's transaction; a suspended employer refuses its lines."""
    sirets = sorted({row.siret for row in rows})
    employers = {e.siret: e for e in await session.scalars(select(Employer).where(Employer.siret.in_(sirets)))}
    for row in rows:
        employer = employers.get(row.siret)
        if employer is not None and employer.suspended:
            report.errors.append((row.line, [f"l'employeur {row.siret} est suspendu : aucune offre ne "
                                             "peut lui être ajoutée"]))
    if report.errors:
        report.errors.sort()
        return report
    report.employers_reused = len(employers)
    seen = await _existing_keys(session, employers)
    file_keys: dict[OfferKey, int] = {}
    for row in rows:
        key = row.duplicate_key
        if key in seen:
            why = (f"même offre qu'à la ligne {file_keys[key]}" if key in file_keys
                   else "cette offre existe déjà pour cet employeur")
            report.skipped.append((row.line, f"« {row.title} », {row.start:%d/%m/%Y}, {why}"))
            continue
        seen.add(key)
        file_keys[key] = row.line
        employer = employers.get(row.siret)
        if employer is None:
            employer = Employer(siret=row.siret, name=row.employer_name, commune_insee=row.commune.insee,
                                trusted=True)
            employers[row.siret] = employer
            report.employers_created += 1
            if not report.dry_run:
                session.add(employer)
                await session.flush()
        report.offers_created += 1
        if report.dry_run:
            continue
        draft = OfferDraft(
            rome_code=row.metier.rome, metier_label=row.metier.label, domain=row.metier.domain,
            title=row.title, commune_insee=row.commune.insee, latitude=row.commune.lat,
            longitude=row.commune.lon, periods=row.periods, capacity=row.places,
            description=row.description, street_address=row.street_address,
            environments=row.environments, holidays_ok=row.holidays_ok, transport_access=row.transport)
        await create_offer(session, employer, draft, submit=True, today=today)
    return report


async def import_offers(engine: AsyncEngine, path: str | Path, *, dry_run: bool = False,
                        today: date | None = None) -> ImportReport:
    """Check then import one file, in one transaction: everything or nothing."""
    today = today or date.today()
    rows, report = check_table(read_table(path), today)
    report.dry_run = dry_run
    if not report.ok:
        return report
    async with session_scope(engine) as session:
        await import_rows(session, rows, report, today)  # refuses before writing anything
    return report


# ---------------------------------------------------------------------------------- export

def _commune_cell(communes: CommuneIndex, insee: str) -> str:
    """« Nom (code postal) » when it resolves back to this very commune, else the INSEE code."""
    commune = communes.get(insee)
    if commune is None:
        return insee
    for text in (commune_label(commune), f"{commune.name} ({commune.departement})", commune.name):
        result = communes.resolve(text)
        if result.status == "found" and result.communes[0].insee == insee:
            return text
    return insee


def _offer_line(offer: Offer, communes: CommuneIndex) -> list[str]:
    common = {
        "siret": offer.employer.siret, "entreprise": offer.employer.name,
        "commune": _commune_cell(communes, offer.commune_insee), "adresse": offer.street_address or "",
        "metier": f"{offer.metier_label} ({offer.rome_code})", "titre": offer.title,
        "description": offer.description or "", "places": str(offer.capacity),
        "environnements": ", ".join(offer.environment_tags),
        "vacances": "oui" if offer.holidays_ok else "non", "transport": offer.transport_access or "",
    }
    periods = sorted(offer.periods, key=lambda p: (p.start_date, p.end_date))
    common["debut"] = ", ".join(f"{p.start_date:%d/%m/%Y}" for p in periods)
    common["fin"] = ", ".join(f"{p.end_date:%d/%m/%Y}" for p in periods)
    return [common[col] for col in COLUMNS]


async def export_rows(session: AsyncSession, status: OfferStatus | None = None) -> list[list[str]]:
    from tremplin.geography.communes import get_communes

    stmt = (select(Offer).options(selectinload(Offer.employer), selectinload(Offer.periods),
                                  selectinload(Offer.environments)).order_by(Offer.id))
    if status is not None:
        stmt = stmt.where(Offer.status == status)
    communes = get_communes()
    rows: list[list[str]] = []
    for offer in await session.scalars(stmt):
        rows.append(_offer_line(offer, communes))
    return rows


async def export_offers(engine: AsyncEngine, stream: TextIO,
                        status: OfferStatus | None = None) -> int:
    """Write the offers as CSV (`;`, the French spreadsheet default) and return the number of lines."""
    async with session_scope(engine) as session:
        rows = await export_rows(session, status)
    write_csv(stream, COLUMNS, rows)
    return len(rows)
