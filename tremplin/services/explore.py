"""Ending the « je ne sais pas quoi faire » quiz on offers that exist near the student.

The quiz gives environment answers (« dehors », « avec des gens », « calme », « fabriquer »). Trades
from the référentiel are only ideas; what a pupil can act on is an offer. So the offers around the
student are scored by how well their environments (the offer's own tags and its métier's, see
:func:`tremplin.metiers.environments.environment_fit`) fit the answers, and the result is one
ordinary search query (ROME codes, radius, week) so that « Voir plus », « Postuler » and « je postule
à la 2 » continue it exactly like a search:

1. within 50 km, the best-fitting tier of métiers that gives at least 3 offers, at the smallest radius
   of 15, 30, 50 km that does (a métier is kept only if *every* one of its offers in the circle fits the
   answers, since the search filters by ROME code); the offers are then listed nearest first;
2. else the fitting offers at any distance (said honestly: they are far);
3. else the closest offers that go against no answer, else simply the closest offers.

A student who refused every question (no answer) gets the closest offers, whatever the métier.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from tremplin.geography.distance import bounding_box, haversine_km
from tremplin.metiers import Metier, get_referentiel
from tremplin.metiers.environments import ENVIRONMENTS, Fit, environment_fit, fit_threshold
from tremplin.models import Offer, OfferEnvironment, OfferPeriod, OfferStatus
from tremplin.services.search import DEFAULT_STEPS, SearchQuery, SearchResult, search_offers

MINIMUM = 3  # as the search: fewer offers than this, look further

#: fit: fitting offers within 50 km; far: fitting offers, but further than 50 km; loose: nothing fits,
#: the closest offers that go against no answer; nearest: the closest offers; open: no answer given,
#: the closest offers; empty: no offer at all.
Kind = Literal["fit", "far", "loose", "nearest", "open", "empty"]


@dataclass(frozen=True)
class ExploreQuery:
    lat: float
    lon: float
    answers: tuple[str, ...]        # environment keys; empty when every question was refused
    week_start: date | None = None  # the student's stage week, as the search uses it
    week_end: date | None = None
    today: date | None = None
    page: int = 3


@dataclass(frozen=True)
class Trade:
    """A métier to show, with how it fits and how close its nearest offer is (None: no offer near)."""

    metier: Metier
    fit: Fit
    nearest_km: float | None = None


@dataclass
class ExploreResult:
    kind: Kind
    search: SearchQuery              # the query to keep for « Voir plus » (rome_codes None: any métier)
    page: SearchResult               # its first page, exactly as the search shows it
    trades: list[Trade] = field(default_factory=list)  # métiers of the offers found, best fit first
    ideas: list[Trade] = field(default_factory=list)   # other fitting métiers, those with offers first

    @property
    def radius_km(self) -> float:
        return self.search.radius_km


@dataclass(frozen=True)
class _Candidate:
    rome: str
    label: str
    distance_km: float
    fit: Fit


def metier_of(rome: str, label: str) -> Metier | None:
    """The référentiel's appellation of an offer (its label under its ROME code), if known."""
    metiers = get_referentiel().by_rome(rome)
    return next((m for m in metiers if m.label == label), None) or (metiers[0] if metiers else None)


def fitting_metiers(answers: Sequence[str], limit: int = 5) -> list[Trade]:
    """Référentiel métiers that fit the answers (none against them), best score first."""
    if not answers:
        return []
    threshold = fit_threshold(len(answers))
    trades = [Trade(m, f) for m in get_referentiel().metiers
              if (f := environment_fit(answers, m.environments)).ok and f.score >= threshold]
    trades.sort(key=lambda t: -t.fit.score)  # stable: file order among equals
    return trades[:limit]


async def _candidates(session: AsyncSession, q: ExploreQuery, radius: float | None) -> list[_Candidate]:
    """Every offer a search would return within *radius* (None: anywhere), scored against the answers.

    Light rows only (no ORM objects): the same conditions as :func:`search_offers`."""
    today = q.today or date.today()
    periods = [OfferPeriod.offer_id == Offer.id, OfferPeriod.end_date >= today]
    if q.week_start is not None:
        periods.append(OfferPeriod.end_date >= q.week_start)
    if q.week_end is not None:
        periods.append(OfferPeriod.start_date <= q.week_end)
    stmt = (select(Offer.id, Offer.rome_code, Offer.metier_label, Offer.latitude, Offer.longitude,
                   OfferEnvironment.tag)
            .outerjoin(OfferEnvironment, OfferEnvironment.offer_id == Offer.id)
            .where(Offer.status == OfferStatus.PUBLISHED, Offer.places_left > 0, exists().where(*periods)))
    if radius is not None:
        min_lat, max_lat, min_lon, max_lon = bounding_box(q.lat, q.lon, radius)
        stmt = stmt.where(Offer.latitude.between(min_lat, max_lat), Offer.longitude.between(min_lon, max_lon))
    rows: dict[int, tuple[str, str, float, set[str]]] = {}
    for offer_id, rome, label, lat, lon, tag in (await session.execute(stmt)).all():
        entry = rows.setdefault(offer_id, (rome, label, haversine_km(q.lat, q.lon, lat, lon), set()))
        if tag:
            entry[3].add(tag)
    found = []
    for rome, label, km, tags in rows.values():
        if radius is not None and km > radius:
            continue
        metier = metier_of(rome, label)  # the offer's own tags and its métier's
        tags |= set(metier.environments) if metier else set()
        found.append(_Candidate(rome, label, km, environment_fit(q.answers, tags)))
    found.sort(key=lambda c: c.distance_km)
    return found


def _rome_scores(cands: Iterable[_Candidate], radius: float) -> dict[str, int | None]:
    """Per ROME code, the worst score of its offers within *radius*; None if one goes against an answer."""
    scores: dict[str, int | None] = {}
    for c in cands:
        if c.distance_km > radius:
            continue
        worst = scores.get(c.rome, c.fit.score)
        scores[c.rome] = None if (worst is None or not c.fit.ok) else min(worst, c.fit.score)
    return scores


def _selection(cands: list[_Candidate], radius: float, threshold: int | None) -> tuple[set[str] | None, int]:
    """The ROME codes kept at *radius* (None: no filter) and how many offers the search will find."""
    inside = [c for c in cands if c.distance_km <= radius]
    if threshold is None:
        return None, len(inside)
    romes = {r for r, s in _rome_scores(inside, radius).items() if s is not None and s >= threshold}
    return romes, sum(1 for c in inside if c.rome in romes)


def _tiers(cands: list[_Candidate], radius: float, floor: int | None) -> Sequence[int | None]:
    """Thresholds to try within *radius*, strictest first: the best fit that still gives offers."""
    if floor is None:
        return [None]
    scores = [s for s in _rome_scores(cands, radius).values() if s is not None and s >= floor]
    return sorted(set(scores), reverse=True) or [floor]


def _widen(cands: list[_Candidate], radii: Sequence[float], floor: int | None,
           ) -> tuple[float, set[str] | None] | None:
    """The best tier giving MINIMUM offers within the largest radius, at the smallest radius that does;
    else the radius and tier giving the most offers (a few offers beat none)."""
    best: tuple[int, float, set[str] | None] | None = None
    for threshold in _tiers(cands, radii[-1], floor) if radii else []:
        for radius in radii:
            romes, count = _selection(cands, radius, threshold)
            if count >= MINIMUM:
                return radius, romes
            if count and (best is None or count > best[0]):
                best = (count, radius, romes)
    return (best[1], best[2]) if best else None


def _far_radii(cands: list[_Candidate], floor: int | None) -> list[float]:
    """Round radii (10 km steps) reaching each suitable offer beyond the last search step."""
    radii = {math.ceil(c.distance_km / 10) * 10.0 for c in cands if c.distance_km > DEFAULT_STEPS[-1]
             and (floor is None or (c.fit.ok and c.fit.score >= floor))}
    return sorted(radii)


def _trades(cands: list[_Candidate], radius: float, romes: set[str] | None) -> list[Trade]:
    nearest: dict[tuple[str, str], _Candidate] = {}
    for c in cands:
        if c.distance_km <= radius and (romes is None or c.rome in romes):
            nearest.setdefault((c.rome, c.label), c)  # candidates are sorted by distance
    trades = [Trade(m, c.fit, c.distance_km) for (rome, label), c in nearest.items()
              if (m := metier_of(rome, label)) is not None]
    trades.sort(key=lambda t: (-t.fit.score, t.nearest_km))
    return trades


def _ideas(answers: Sequence[str], shown: list[Trade], cands: list[_Candidate], limit: int) -> list[Trade]:
    """Other fitting métiers: first those with an offer within 50 km (a search will find it)."""
    seen = {t.metier.label for t in shown}
    near: dict[str, float] = {}
    for c in cands:
        if c.distance_km <= DEFAULT_STEPS[-1] and c.fit.ok:  # its search will not show a misfit first
            near.setdefault(c.label, c.distance_km)
    ideas = [Trade(t.metier, t.fit, near.get(t.metier.label)) for t in fitting_metiers(answers, limit=400)
             if t.metier.label not in seen]
    ideas.sort(key=lambda t: (t.nearest_km is None, -t.fit.score))
    return ideas[:limit]


async def explore_offers(session: AsyncSession, q: ExploreQuery) -> ExploreResult:
    """The offers to show at the end of the quiz, and the métiers they stand for (see module doc)."""
    answers = tuple(a for a in dict.fromkeys(q.answers) if a in ENVIRONMENTS)
    q = ExploreQuery(q.lat, q.lon, answers, q.week_start, q.week_end, q.today, q.page)
    steps = tuple(DEFAULT_STEPS)
    near = await _candidates(session, q, steps[-1])
    everywhere: list[_Candidate] | None = None
    plan: list[tuple[Kind, int | None]] = [("fit", fit_threshold(len(answers))), ("loose", 0), ("nearest", None)]
    if not answers:
        plan = [("open", None)]
    chosen: tuple[Kind, float, set[str] | None] | None = None
    for kind, floor in plan:
        picked = _widen(near, steps, floor)
        if picked is None:
            everywhere = everywhere if everywhere is not None else await _candidates(session, q, None)
            picked = _widen(everywhere, _far_radii(everywhere, floor), floor)
            kind = "far" if kind == "fit" and picked else kind
        if picked is not None:
            chosen = (kind, *picked)
            break
    if chosen is None:
        search = SearchQuery(q.lat, q.lon, steps[0], week_start=q.week_start, week_end=q.week_end,
                             today=q.today, limit=q.page)
        return ExploreResult("empty", search, SearchResult([], 0), ideas=fitting_metiers(answers, 3))
    kind, radius, romes = chosen
    search = SearchQuery(q.lat, q.lon, radius, rome_codes=sorted(romes) if romes else None,
                         week_start=q.week_start, week_end=q.week_end, today=q.today, limit=q.page)
    page = await search_offers(session, search)
    pool = everywhere if radius > steps[-1] and everywhere is not None else near
    trades = _trades(pool, radius, romes) if kind in ("fit", "far") else []
    ideas = _ideas(answers, trades, near, 3) if answers else []
    return ExploreResult(kind, search, page, trades, ideas)
