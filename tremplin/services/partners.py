"""Partners' API (chambers of trades, départements, pôles stage): bearer tokens stored hashed, and
offers upserted by the partner's own reference with exactly the checks of the chat and the file
import (SIRET, commune, métier, periods, places), plus the charter's hours for minors.

Sending the same reference again updates that offer; sending the same body again writes nothing.
Every write is audited under the partner's handle (« p<id> »), never a person."""
from __future__ import annotations

import hashlib
import json
import re
import secrets
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from tremplin.io.offer_rows import COLUMNS, check_row
from tremplin.models import (Employer, Offer, OfferEnvironment, OfferPeriod, OfferStatus, PartnerOffer,
                             PartnerToken, utcnow)
from tremplin.services.audit import audit
from tremplin.services.errors import DomainError, Forbidden, NotFound
from tremplin.services.offers import OfferDraft, create_offer, move_offer

TOKEN_PREFIX = "trp_"
REFERENCE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:\-]{0,79}$")
MAX_BATCH = 1000
_HOURS = re.compile(r"^\s*(\d{1,2})[h:](\d{2})?\s*[-–à]\s*(\d{1,2})[h:](\d{2})?\s*$")
# The JSON fields and the import columns they feed (same checks as a line of a school's file).
_FIELDS = {"siret": "siret", "employer_name": "entreprise", "commune": "commune", "address": "adresse",
           "metier": "metier", "title": "titre", "description": "description", "places": "places",
           "environments": "environnements", "holidays_ok": "vacances", "transport": "transport"}


def hash_token(token: str) -> str:
    """Tokens are long and random: a plain SHA-256 suffices and survives a change of secret key."""
    return hashlib.sha256(token.strip().encode()).hexdigest()


async def issue_token(session: AsyncSession, name: str) -> tuple[PartnerToken, str]:
    """A new partner token; the clear token is returned once and never stored."""
    name = " ".join((name or "").split())[:120]
    if len(name) < 2:
        raise DomainError("partner_name", "Indiquez le nom du partenaire.")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    partner = PartnerToken(name=name, token_hash=hash_token(token), prefix=token[:10])
    session.add(partner)
    await session.flush()
    audit(session, None, "partner_token_issued", f"partner:{partner.id}", name=name, by="cli")
    return partner, token


async def revoke_token(session: AsyncSession, partner_id: int) -> PartnerToken:
    partner = await session.get(PartnerToken, partner_id)
    if partner is None:
        raise NotFound("partner_not_found", f"Aucun jeton partenaire n° {partner_id}.")
    if partner.revoked_at is None:
        partner.revoked_at = utcnow()
        audit(session, None, "partner_token_revoked", f"partner:{partner.id}", by="cli")
    return partner


async def list_tokens(session: AsyncSession) -> list[PartnerToken]:
    return list(await session.scalars(select(PartnerToken).order_by(PartnerToken.id)))


async def authenticate(session: AsyncSession, token: str | None) -> PartnerToken:
    """The partner behind a bearer token; unknown and revoked tokens are refused alike."""
    if not token or not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        raise Forbidden("token_invalid", "Jeton d'accès absent ou invalide.")
    partner = await session.scalar(select(PartnerToken).where(PartnerToken.token_hash == hash_token(token)))
    if partner is None or partner.revoked_at is not None:
        raise Forbidden("token_invalid", "Jeton d'accès absent ou invalide.")
    partner.last_used_at = utcnow()
    return partner


def check_hours(text: str | None) -> str | None:
    """« 9h-16h30 » or « 09:00-16:30 »: within 6 h – 20 h and 7 hours a day at most (charter, minors)."""
    if text is None or not str(text).strip():
        return None
    match = _HOURS.match(str(text))
    if not match:
        raise DomainError("hours_format", "Horaires illisibles : écrivez par exemple « 09:00-16:30 ».")
    h1, m1, h2, m2 = (int(g or 0) for g in match.groups())
    start, end = h1 * 60 + m1, h2 * 60 + m2
    if not (0 <= h1 <= 23 and 0 <= h2 <= 23 and m1 < 60 and m2 < 60) or end <= start:
        raise DomainError("hours_order", "Horaires incohérents : la fin doit être après le début.")
    if start < 6 * 60 or end > 20 * 60:
        raise DomainError("hours_night", "Un élève mineur ne peut être accueilli ni avant 6 h ni après 20 h.")
    if end - start > 7 * 60 + 60:  # 7 hours of presence plus a lunch break of up to one hour
        raise DomainError("hours_too_long", "Un élève de 3e ne peut être présent plus de 7 heures par jour "
                          "(hors pause du midi).")
    return f"{h1:02d}:{m1:02d}-{h2:02d}:{m2:02d}"


@dataclass
class Checked:
    reference: str
    row: Any  # tremplin.io.offer_rows.OfferRow
    hours: str | None
    fingerprint: str


@dataclass
class UpsertResult:
    reference: str
    status: str  # created, updated, unchanged
    offer: Offer


@dataclass
class BatchReport:
    results: list[UpsertResult] = field(default_factory=list)
    errors: dict[str, list[str]] = field(default_factory=dict)


def check_offer(body: Any, reference: str | None = None, today: date | None = None) -> tuple[Checked | None, list[str]]:
    """All the problems of one JSON offer (French sentences), or the checked offer."""
    from tremplin.geography.communes import get_communes
    from tremplin.metiers.referentiel import get_referentiel

    if not isinstance(body, dict):
        return None, ["une offre est un objet JSON"]
    reference = str(reference if reference is not None else body.get("reference") or "").strip()
    errors = [] if REFERENCE.match(reference) else [
        "référence absente ou invalide (1 à 80 caractères : lettres, chiffres, . _ : -)"]
    periods = body.get("periods")
    starts: list[str] = []
    ends: list[str] = []
    if not isinstance(periods, list) or not periods or not all(isinstance(p, dict) for p in periods):
        errors.append("periods : une liste d'au moins une période {\"start\": \"AAAA-MM-JJ\", \"end\": …}")
    else:
        starts = [str(p.get("start") or "") for p in periods]
        ends = [str(p.get("end") or "") for p in periods]
    cells: list[Any] = [None] * len(COLUMNS)
    for key, column in _FIELDS.items():
        value = body.get(key)
        if key == "environments" and isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        cells[COLUMNS.index(column)] = value
    cells[COLUMNS.index("debut")] = ", ".join(starts) or None
    cells[COLUMNS.index("fin")] = ", ".join(ends) or None
    places = body.get("places")
    if isinstance(places, bool) or not isinstance(places, (int, type(None))):
        errors.append("places : un nombre entier")
        cells[COLUMNS.index("places")] = None
    columns = {col: i for i, col in enumerate(COLUMNS)}
    row, reasons = check_row(0, cells, columns, get_communes(), get_referentiel(), today or date.today())
    errors += reasons
    hours = None
    try:
        hours = check_hours(body.get("hours"))
    except DomainError as exc:
        errors.append(exc.message)
    if errors or row is None:
        return None, errors
    canonical = json.dumps({k: body.get(k) for k in sorted(set(_FIELDS) | {"periods", "hours"})},
                           sort_keys=True, ensure_ascii=False, default=str)
    return Checked(reference, row, hours, hashlib.sha256(canonical.encode()).hexdigest()), []


def _draft(row: Any) -> OfferDraft:
    return OfferDraft(rome_code=row.metier.rome, metier_label=row.metier.label, domain=row.metier.domain,
                      title=row.title, commune_insee=row.commune.insee, latitude=row.commune.lat,
                      longitude=row.commune.lon, periods=row.periods, capacity=row.places,
                      description=row.description, street_address=row.street_address,
                      environments=row.environments, holidays_ok=row.holidays_ok, transport_access=row.transport)


async def _employer(session: AsyncSession, row: Any, cache: dict[str, Employer]) -> Employer:
    """Found by SIRET or created untrusted: its offers go through moderation like the chat's."""
    employer = cache.get(row.siret) or await session.scalar(select(Employer).where(Employer.siret == row.siret))
    if employer is None:
        employer = Employer(siret=row.siret, name=row.employer_name[:200], commune_insee=row.commune.insee,
                            charter_accepted_at=utcnow(), is_public_body=row.siret[0] in "12")
        session.add(employer)
        await session.flush()
    if employer.suspended:
        raise DomainError("employer_suspended", f"L'employeur {row.siret} est suspendu : aucune offre ne peut "
                          "lui être ajoutée.")
    cache[row.siret] = employer
    return employer


def _update(offer: Offer, draft: OfferDraft) -> None:
    taken = offer.capacity - offer.places_left
    offer.rome_code, offer.metier_label, offer.domain = draft.rome_code, draft.metier_label, draft.domain
    offer.title, offer.description = draft.title.strip()[:200], draft.description
    offer.commune_insee, offer.latitude, offer.longitude = draft.commune_insee, draft.latitude, draft.longitude
    offer.street_address, offer.holidays_ok = draft.street_address, draft.holidays_ok
    offer.transport_access = draft.transport_access
    offer.capacity, offer.places_left = draft.capacity, max(0, draft.capacity - taken)
    offer.periods = [OfferPeriod(start_date=s, end_date=e) for s, e in draft.periods]
    offer.environments = [OfferEnvironment(tag=t) for t in sorted(set(draft.environments))]


async def upsert_checked(session: AsyncSession, partner: PartnerToken, items: list[Checked],
                         today: date | None = None) -> list[UpsertResult]:
    """Write checked offers in the caller's transaction (all or nothing for a batch)."""
    refs = [c.reference for c in items]
    links = {link.reference: link for link in await session.scalars(
        select(PartnerOffer).where(PartnerOffer.partner_id == partner.id, PartnerOffer.reference.in_(refs)))}
    offers = {o.id: o for o in await session.scalars(
        select(Offer).where(Offer.id.in_([link.offer_id for link in links.values()]))
        .options(selectinload(Offer.periods), selectinload(Offer.environments)))} if links else {}
    employers: dict[str, Employer] = {}
    results = []
    actor = f"p{partner.id}"
    for item in items:
        link = links.get(item.reference)
        if link is None:
            employer = await _employer(session, item.row, employers)
            offer = await create_offer(session, employer, _draft(item.row), submit=True, today=today)
            link = PartnerOffer(partner_id=partner.id, reference=item.reference, offer_id=offer.id,
                                hours=item.hours, fingerprint=item.fingerprint)
            session.add(link)
            links[item.reference] = link
            audit(session, actor, "partner_offer_created", f"offer:{offer.id}", reference=item.reference)
            results.append(UpsertResult(item.reference, "created", offer))
            continue
        offer = offers[link.offer_id]
        if link.fingerprint == item.fingerprint:
            results.append(UpsertResult(item.reference, "unchanged", offer))
            continue
        employer = await session.get_one(Employer, offer.employer_id)
        if employer.siret != item.row.siret:
            raise DomainError("siret_changed", f"{item.reference} : le SIRET d'une offre ne change pas ; "
                              "fermez-la et envoyez-en une nouvelle sous une autre référence.")
        _update(offer, _draft(item.row))
        link.hours, link.fingerprint = item.hours, item.fingerprint
        audit(session, actor, "partner_offer_updated", f"offer:{offer.id}", reference=item.reference)
        results.append(UpsertResult(item.reference, "updated", offer))
    await session.flush()
    return results


async def get_partner_offer(session: AsyncSession, partner: PartnerToken, reference: str) -> tuple[PartnerOffer, Offer]:
    link = await session.scalar(select(PartnerOffer).where(PartnerOffer.partner_id == partner.id,
                                                           PartnerOffer.reference == reference))
    offer = await session.scalar(select(Offer).where(Offer.id == link.offer_id).options(
        selectinload(Offer.periods), selectinload(Offer.environments))) if link else None
    if link is None or offer is None:
        raise NotFound("offer_not_found", f"Aucune offre de référence « {reference} » pour ce partenaire.")
    return link, offer


async def close_offer(session: AsyncSession, partner: PartnerToken, reference: str) -> Offer:
    """Closed offers leave the pupils' search; applications already sent stay as they are."""
    _, offer = await get_partner_offer(session, partner, reference)
    if offer.status is not OfferStatus.CLOSED:
        move_offer(offer, OfferStatus.CLOSED)
        audit(session, f"p{partner.id}", "partner_offer_closed", f"offer:{offer.id}", reference=reference)
    return offer


async def list_partner_offers(session: AsyncSession, partner: PartnerToken, limit: int = 100,
                              after: int = 0) -> list[tuple[PartnerOffer, Offer]]:
    rows = await session.execute(
        select(PartnerOffer, Offer).join(Offer, Offer.id == PartnerOffer.offer_id)
        .where(PartnerOffer.partner_id == partner.id, PartnerOffer.id > after)
        .options(selectinload(Offer.periods)).order_by(PartnerOffer.id).limit(limit))
    return [(link, offer) for link, offer in rows.all()]


def offer_json(link: PartnerOffer, offer: Offer, siret: str | None = None) -> dict[str, Any]:
    return {"reference": link.reference, "id": offer.id, "status": offer.status.value, "title": offer.title,
            "metier": {"rome": offer.rome_code, "label": offer.metier_label}, "commune_insee": offer.commune_insee,
            "places": offer.capacity, "places_left": offer.places_left, "hours": link.hours,
            "periods": [{"start": p.start_date.isoformat(), "end": p.end_date.isoformat()} for p in offer.periods]}
