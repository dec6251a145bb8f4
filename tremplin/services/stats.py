"""The platform's key figures, as reported to the Loire partners (`tremplin stats`).

Every figure is one aggregate query; nothing is loaded row by row, so this stays cheap on a
full département."""
from __future__ import annotations

import enum
from typing import Any

from sqlalchemy import distinct, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from tremplin.models import (
    PLACED_STATUSES,
    Application,
    ApplicationStatus,
    Employer,
    Offer,
    OfferStatus,
    Student,
)

_OFFER_LABELS = {
    "draft": "brouillons", "pending_review": "en attente de validation", "published": "publiées",
    "closed": "fermées", "expired": "expirées",
}
_APPLICATION_LABELS = {
    "sent": "envoyées", "seen": "vues", "accepted": "acceptées", "declined": "refusées",
    "withdrawn": "retirées", "expired": "expirées", "agreement_pending": "convention en cours",
    "agreement_signed": "convention signée", "done": "stage effectué",
}


async def _counts_by(session: AsyncSession, column: InstrumentedAttribute[Any],
                     statuses: type[enum.Enum]) -> dict[str, int]:
    counts = {status.value: 0 for status in statuses}
    for status, count in (await session.execute(select(column, func.count()).group_by(column))).all():
        counts[status.value if hasattr(status, "value") else str(status)] = count
    return counts


async def compute_stats(session: AsyncSession) -> dict[str, Any]:
    """KPIs as a JSON-ready dict: employers, offers, places, applications, students."""
    employers_total = await session.scalar(select(func.count()).select_from(Employer)) or 0
    employers_published = await session.scalar(
        select(func.count(distinct(Offer.employer_id))).where(Offer.status == OfferStatus.PUBLISHED)) or 0

    offers = await _counts_by(session, Offer.status, OfferStatus)
    offered, left = (await session.execute(
        select(func.coalesce(func.sum(Offer.capacity), 0), func.coalesce(func.sum(Offer.places_left), 0))
        .where(Offer.status == OfferStatus.PUBLISHED))).one()

    applications = await _counts_by(session, Application.status, ApplicationStatus)
    students_total = await session.scalar(select(func.count()).select_from(Student)) or 0
    students_placed = await session.scalar(
        select(func.count(distinct(Application.student_id)))
        .where(Application.status.in_(PLACED_STATUSES))) or 0

    return {
        "employers": {"total": employers_total, "with_published_offer": employers_published},
        "offers": {"total": sum(offers.values()), "by_status": offers},
        "places": {"offered": int(offered), "left": int(left)},
        "applications": {"total": sum(applications.values()), "by_status": applications},
        "students": {"total": students_total, "placed": students_placed},
    }


def _percent(part: int, whole: int) -> str:
    return f" ({round(100 * part / whole)} %)" if whole else ""


def format_stats(stats: dict[str, Any]) -> str:
    """A short French summary for the terminal."""
    emp, off, pla = stats["employers"], stats["offers"], stats["places"]
    app, stu = stats["applications"], stats["students"]
    lines = [
        "Tremplin — chiffres clés",
        f"Employeurs : {emp['total']}, dont {emp['with_published_offer']} avec au moins une offre publiée",
        f"Offres : {off['total']}",
    ]
    lines += [f"  - {_OFFER_LABELS.get(k, k)} : {v}" for k, v in off["by_status"].items()]
    lines.append(f"Places sur les offres publiées : {pla['offered']} proposées, {pla['left']} encore libres")
    lines.append(f"Candidatures : {app['total']}")
    lines += [f"  - {_APPLICATION_LABELS.get(k, k)} : {v}" for k, v in app["by_status"].items()]
    lines.append(f"Élèves inscrits : {stu['total']}, dont {stu['placed']} avec un stage trouvé"
                 f"{_percent(stu['placed'], stu['total'])}")
    return "\n".join(lines)
