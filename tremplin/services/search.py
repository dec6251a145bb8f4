"""Finding stage offers around a student: radius, métier/domain/environment and week filters.

The search runs in two steps so that it stays fast on a large catalogue:

1. one light query returns only ``(id, latitude, longitude, published_at)`` of the candidates:
   published offers with places left, inside the bounding box of the circle (served by the
   ``ix_offers_status_geo`` index), matching the filters, with at least one period that is not
   over and overlaps the requested week (an ``EXISTS`` sub-query, no row multiplication);
2. the exact great-circle distance is computed in Python, candidates outside the circle are
   dropped, the rest ranked by distance then freshness, and only the requested page of
   :class:`Offer` objects is loaded, with its periods and environments in one extra query each
   (``selectinload``), so nothing is lazily loaded row by row.

Every value coming from the user travels as a bound parameter; no SQL text is assembled here.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timezone
from typing import Sequence

from sqlalchemy import ColumnElement, exists, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from tremplin.geography.distance import bounding_box, haversine_km
from tremplin.models import Offer, OfferEnvironment, OfferPeriod, OfferStatus

DEFAULT_STEPS: tuple[float, ...] = (15, 30, 50)
_OLDEST = datetime.min.replace(tzinfo=timezone.utc)


@dataclass
class SearchQuery:
    lat: float
    lon: float
    radius_km: float = 15.0
    rome_codes: list[str] | None = None    # métier(s); None or empty: any métier
    domain: str | None = None              # ROME domain letter
    environments: list[str] | None = None  # offers having at least one of these tags
    week_start: date | None = None         # period overlap with [week_start, week_end]
    week_end: date | None = None
    today: date | None = None              # periods ending before today never match (default: today)
    limit: int = 5
    offset: int = 0


@dataclass
class OfferHit:
    offer: Offer
    distance_km: float
    period: OfferPeriod  # the first (earliest) matching period that is not over


@dataclass
class SearchResult:
    hits: list[OfferHit]
    total: int  # every match within the radius, for "Voir plus"


@dataclass(frozen=True)
class _Candidate:
    id: int
    distance_km: float
    published_at: datetime


def _period_conditions(q: SearchQuery, today: date) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [OfferPeriod.end_date >= today]
    if q.week_start is not None:
        conditions.append(OfferPeriod.end_date >= q.week_start)
    if q.week_end is not None:
        conditions.append(OfferPeriod.start_date <= q.week_end)
    return conditions


def _period_matches(period: OfferPeriod, q: SearchQuery, today: date) -> bool:
    """The Python twin of :func:`_period_conditions`, applied to the loaded periods of a page."""
    if period.end_date < today:
        return False
    if q.week_start is not None and period.end_date < q.week_start:
        return False
    if q.week_end is not None and period.start_date > q.week_end:
        return False
    return True


async def _candidates(session: AsyncSession, q: SearchQuery, today: date) -> list[_Candidate]:
    """Matches within ``q.radius_km``, ranked by distance then freshness (newest first)."""
    min_lat, max_lat, min_lon, max_lon = bounding_box(q.lat, q.lon, q.radius_km)
    stmt = (
        select(Offer.id, Offer.latitude, Offer.longitude, Offer.published_at)
        .where(Offer.status == OfferStatus.PUBLISHED,
               Offer.latitude.between(min_lat, max_lat),
               Offer.longitude.between(min_lon, max_lon),
               Offer.places_left > 0,
               exists().where(OfferPeriod.offer_id == Offer.id, *_period_conditions(q, today)))
    )
    if q.rome_codes:
        stmt = stmt.where(Offer.rome_code.in_(list(q.rome_codes)))
    if q.domain:
        stmt = stmt.where(Offer.domain == q.domain)
    if q.environments:
        stmt = stmt.where(exists().where(OfferEnvironment.offer_id == Offer.id,
                                         OfferEnvironment.tag.in_(list(q.environments))))
    rows = (await session.execute(stmt)).all()
    found: list[_Candidate] = []
    for offer_id, lat, lon, published_at in rows:
        d = haversine_km(q.lat, q.lon, lat, lon)
        if d <= q.radius_km:
            found.append(_Candidate(offer_id, d, published_at or _OLDEST))
    # Distance first; among equals the freshest offer, then the newest id for a stable order.
    found.sort(key=lambda c: (c.distance_km, -c.published_at.timestamp(), -c.id))
    return found


async def _page(session: AsyncSession, q: SearchQuery, today: date,
                found: Sequence[_Candidate]) -> SearchResult:
    offset, limit = max(q.offset, 0), max(q.limit, 0)
    page = found[offset:offset + limit]
    if not page:
        return SearchResult(hits=[], total=len(found))
    stmt = (select(Offer).where(Offer.id.in_([c.id for c in page]))
            .options(selectinload(Offer.periods), selectinload(Offer.environments)))
    offers = {offer.id: offer for offer in (await session.scalars(stmt)).all()}
    hits: list[OfferHit] = []
    for cand in page:
        offer = offers.get(cand.id)
        if offer is None:  # deleted between the two queries
            continue
        periods = sorted((p for p in offer.periods if _period_matches(p, q, today)),
                         key=lambda p: (p.start_date, p.end_date, p.id))
        if not periods:  # changed between the two queries
            continue
        hits.append(OfferHit(offer=offer, distance_km=cand.distance_km, period=periods[0]))
    return SearchResult(hits=hits, total=len(found))


async def search_offers(session: AsyncSession, q: SearchQuery) -> SearchResult:
    """Published offers with a free place within ``q.radius_km`` of ``(q.lat, q.lon)``."""
    today = q.today or date.today()
    return await _page(session, q, today, await _candidates(session, q, today))


async def search_widening(session: AsyncSession, q: SearchQuery,
                          steps: Sequence[float] = DEFAULT_STEPS,
                          minimum: int = 3) -> tuple[SearchResult, float]:
    """Search at ``q.radius_km``, then at each larger step while fewer than ``minimum`` offers
    match; returns the result and the radius that produced it (the largest one if none suffices)."""
    radii = [q.radius_km] + sorted(r for r in set(steps) if r > q.radius_km)
    today = q.today or date.today()
    for radius in radii:
        wider = replace(q, radius_km=radius)
        found = await _candidates(session, wider, today)
        if len(found) >= minimum or radius == radii[-1]:
            return await _page(session, wider, today, found), radius
    raise AssertionError("unreachable")  # pragma: no cover
