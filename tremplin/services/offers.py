"""Creating and moving offers through their life: draft → pending review → published → closed / expired."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tremplin.models import Employer, Offer, OfferEnvironment, OfferPeriod, OfferStatus, utcnow
from tremplin.services.errors import DomainError, NotFound

MAX_PLACES = 10
MAX_PERIOD_DAYS = 12  # a stage is 5 working days; allow a week plus its weekends, not more

_TRANSITIONS: dict[OfferStatus, set[OfferStatus]] = {
    OfferStatus.DRAFT: {OfferStatus.PENDING_REVIEW, OfferStatus.PUBLISHED, OfferStatus.CLOSED},
    OfferStatus.PENDING_REVIEW: {OfferStatus.PUBLISHED, OfferStatus.DRAFT, OfferStatus.CLOSED},
    OfferStatus.PUBLISHED: {OfferStatus.CLOSED, OfferStatus.EXPIRED},
    OfferStatus.CLOSED: {OfferStatus.PUBLISHED},
    OfferStatus.EXPIRED: {OfferStatus.PUBLISHED},
}


@dataclass
class OfferDraft:
    rome_code: str
    metier_label: str
    domain: str
    title: str
    commune_insee: str
    latitude: float
    longitude: float
    periods: list[tuple[date, date]]
    capacity: int = 1
    description: str = ""
    street_address: str | None = None
    environments: list[str] = field(default_factory=list)
    holidays_ok: bool = False
    transport_access: str | None = None


def check_periods(periods: list[tuple[date, date]], today: date | None = None) -> None:
    today = today or date.today()
    if not periods:
        raise DomainError("no_period", "Indiquez au moins une période d'accueil.")
    for start, end in periods:
        if end < start:
            raise DomainError("period_order", "La fin de la période est avant son début.")
        if start < today:
            raise DomainError("period_past", f"La période du {start:%d/%m/%Y} est déjà passée.")
        if (end - start).days > MAX_PERIOD_DAYS:
            raise DomainError("period_too_long", "Un stage d'observation dure 5 jours : "
                              "proposez des périodes d'une semaine au plus.")


def check_capacity(capacity: int) -> None:
    if not 1 <= capacity <= MAX_PLACES:
        raise DomainError("capacity", f"Le nombre de places va de 1 à {MAX_PLACES}.")


async def create_offer(session: AsyncSession, employer: Employer, draft: OfferDraft,
                       *, submit: bool = True, today: date | None = None) -> Offer:
    """New offers of untrusted employers wait for moderation; trusted ones are published at once."""
    if employer.suspended:
        raise DomainError("employer_suspended", "Votre compte est suspendu : contactez l'équipe Tremplin.")
    check_capacity(draft.capacity)
    check_periods(draft.periods, today)
    offer = Offer(employer_id=employer.id, rome_code=draft.rome_code, metier_label=draft.metier_label,
                  domain=draft.domain, title=draft.title.strip()[:200], description=draft.description,
                  commune_insee=draft.commune_insee, latitude=draft.latitude, longitude=draft.longitude,
                  street_address=draft.street_address, holidays_ok=draft.holidays_ok,
                  capacity=draft.capacity, places_left=draft.capacity,
                  transport_access=draft.transport_access, status=OfferStatus.DRAFT)
    offer.periods = [OfferPeriod(start_date=s, end_date=e) for s, e in draft.periods]
    offer.environments = [OfferEnvironment(tag=t) for t in sorted(set(draft.environments))]
    session.add(offer)
    if submit:
        target = OfferStatus.PUBLISHED if employer.trusted else OfferStatus.PENDING_REVIEW
        move_offer(offer, target)
    await session.flush()
    return offer


def move_offer(offer: Offer, target: OfferStatus) -> None:
    if target not in _TRANSITIONS[offer.status]:
        raise DomainError("offer_transition", f"Impossible de passer cette offre de « {label(offer.status)} » "
                          f"à « {label(target)} ».")
    offer.status = target
    if target is OfferStatus.PUBLISHED and offer.published_at is None:
        offer.published_at = utcnow()


async def get_offer(session: AsyncSession, offer_id: int, *, for_update: bool = False) -> Offer:
    stmt = select(Offer).where(Offer.id == offer_id)
    if for_update:
        stmt = stmt.with_for_update()
    offer = await session.scalar(stmt)
    if offer is None:
        raise NotFound("offer_not_found", "Je ne trouve pas cette offre : elle a peut-être été retirée.")
    return offer


async def give_place_back(session: AsyncSession, offer_id: int) -> None:
    await session.execute(update(Offer).where(Offer.id == offer_id, Offer.places_left < Offer.capacity)
                          .values(places_left=Offer.places_left + 1))


_LABELS = {OfferStatus.DRAFT: "brouillon", OfferStatus.PENDING_REVIEW: "en attente de validation",
           OfferStatus.PUBLISHED: "publiée", OfferStatus.CLOSED: "fermée", OfferStatus.EXPIRED: "expirée"}


def label(status: OfferStatus) -> str:
    return _LABELS[status]


def status_words(offer: Offer) -> str:
    """The status as an employer reads it: a published offer with no place left is « complète »."""
    if offer.status is OfferStatus.PUBLISHED and offer.places_left == 0:
        return "complète"
    return label(offer.status)


def reopen_offer(offer: Offer, employer: Employer, today: date | None = None) -> None:
    """A closed or expired offer goes back online only if it can be applied to: reviewed once (or the
    employer trusted), a week still to come, a place left. Refusals say what to change first."""
    today = today or date.today()
    if offer.status not in (OfferStatus.CLOSED, OfferStatus.EXPIRED):
        raise DomainError("reopen_not_closed", f"Cette offre est déjà « {status_words(offer)} » : rien à rouvrir.")
    if offer.published_at is None and not employer.trusted:
        raise DomainError("reopen_unreviewed", "Cette offre n'avait pas encore été validée par l'équipe : "
                          "dupliquez-la pour la soumettre à nouveau.")
    if not any(p.end_date >= today for p in offer.periods):
        raise DomainError("reopen_past", "Toutes les périodes de cette offre sont passées : modifiez les périodes "
                          "d'abord, puis rouvrez-la.")
    if offer.places_left == 0:
        raise DomainError("reopen_full", "Toutes les places de cette offre sont prises : augmentez le nombre de "
                          "places pour la rouvrir.")
    move_offer(offer, OfferStatus.PUBLISHED)


async def change_places(session: AsyncSession, offer: Offer, wanted: int) -> None:
    """New total of places; the pupils already accepted keep theirs, so it never drops below them."""
    taken = offer.capacity - offer.places_left
    if not 1 <= wanted <= MAX_PLACES:
        raise DomainError("capacity", f"Le nombre de places va de 1 à {MAX_PLACES}. Choisissez un nombre dans cet "
                          "intervalle.")
    if wanted < taken:
        raise DomainError("capacity_taken", f"{taken} élève(s) sont déjà acceptés sur cette offre : gardez au moins "
                          f"{taken} place(s).")
    offer.capacity, offer.places_left = wanted, wanted - taken
    await session.flush()


async def duplicate_offer(session: AsyncSession, employer: Employer, offer: Offer,
                          today: date | None = None) -> Offer:
    """Same offer, same weeks one year later (52 weeks: the same weekdays), through the usual checks."""
    today = today or date.today()
    shift = timedelta(weeks=52)
    periods = [(p.start_date + shift, p.end_date + shift) for p in offer.periods]
    while periods and min(s for s, _ in periods) < today:
        periods = [(s + shift, e + shift) for s, e in periods]
    draft = OfferDraft(rome_code=offer.rome_code, metier_label=offer.metier_label, domain=offer.domain,
                       title=offer.title, commune_insee=offer.commune_insee, latitude=offer.latitude,
                       longitude=offer.longitude, periods=periods, capacity=offer.capacity,
                       description=offer.description, street_address=offer.street_address,
                       environments=offer.environment_tags, holidays_ok=offer.holidays_ok,
                       transport_access=offer.transport_access)
    return await create_offer(session, employer, draft, today=today)
