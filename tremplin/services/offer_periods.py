"""Adding and removing an offer's weeks after publication: new weeks follow the stage rules, an offer
keeps at least one week, and a week a pupil is already accepted for stays."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tremplin.dates.period import Period, range_label
from tremplin.dates.rules import check_period_for_stage
from tremplin.models import PLACED_STATUSES, Application, Offer, OfferPeriod
from tremplin.services.errors import DomainError


async def add_weeks(session: AsyncSession, offer: Offer, weeks: list[tuple[date, date]],
                    today: date | None = None) -> list[str]:
    """The weeks added, as labels; a week already offered (or overlapping one) is skipped.
    All or nothing: one week against the rules refuses them all."""
    today = today or date.today()
    problems = [problem for start, end in weeks
                for problem in check_period_for_stage(Period(start, end, range_label(start, end)), today)]
    if problems:
        raise DomainError("period_rules", "\n".join(problems) + "\nRien n'est modifié.")
    added = []
    for start, end in weeks:
        if any(p.start_date <= end and p.end_date >= start for p in offer.periods):
            continue  # already offered (or overlapping): nothing to add
        offer.periods.append(OfferPeriod(start_date=start, end_date=end))
        added.append(range_label(start, end))
    await session.flush()
    return added


async def remove_week(session: AsyncSession, offer: Offer, monday: date) -> OfferPeriod:
    """The week starting on `monday` leaves the offer, unless it is the last one or a pupil is placed then."""
    period = next((p for p in offer.periods if p.start_date == monday), None)
    if period is None:
        raise DomainError("period_gone", "Cette semaine ne fait plus partie de l'offre.")
    if len(offer.periods) == 1:
        raise DomainError("period_last", "Une offre garde au moins une période : ajoutez-en une autre avant de "
                          "retirer celle-ci.")
    placed = await session.scalar(select(Application.public_code).where(
        Application.offer_id == offer.id, Application.status.in_(PLACED_STATUSES),
        Application.week_start <= period.end_date, Application.week_end >= period.start_date))
    if placed is not None:
        raise DomainError("period_placed", f"Un élève est déjà accepté cette semaine-là (candidature {placed}) : "
                          "elle reste proposée.")
    offer.periods.remove(period)
    await session.flush()
    return period
