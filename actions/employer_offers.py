"""An employer's offers: the list (places left, applications, status in words), one offer's buttons
(close, reopen, duplicate for next year, edit places or periods), and closing with a confirmation."""
from __future__ import annotations

from datetime import date, timedelta

from rasa_sdk.events import EventType
from sqlalchemy import case, func, select

from actions.base import Turn, TremplinAction
from actions.employer_common import (OFFER_LOADS, current_employer, offer_code, offer_ref,
                                     owned_offer)
from actions.employer_offer_periods import edit_periods
from actions.employer_publish_actions import periods_words
from tremplin.answers import parse_count
from tremplin.geography import commune_label
from tremplin.models import PENDING_STATUSES, Application, Employer, Offer, OfferStatus
from tremplin.services.offers import MAX_PLACES, OfferDraft, create_offer, label, move_offer

LIST_LIMIT = 10


def turn_operation(turn: Turn) -> str:
    return offer_ref(turn.entity("code"))[1] or "periodes"


def status_words(offer: Offer) -> str:
    if offer.status is OfferStatus.PUBLISHED and offer.places_left == 0:
        return "complète"
    return label(offer.status)


def _periods(offer: Offer) -> str:
    return periods_words(";".join(f"{p.start_date}/{p.end_date}" for p in offer.periods))


async def _counts(turn: Turn, offer_ids: list[int]) -> dict[int, tuple[int, int]]:
    rows = await turn.session.execute(
        select(Application.offer_id, func.count(),
               func.sum(case((Application.status.in_(PENDING_STATUSES), 1), else_=0)))
        .where(Application.offer_id.in_(offer_ids)).group_by(Application.offer_id))
    return {offer_id: (total, int(pending or 0)) for offer_id, total, pending in rows}


def _summary(offer: Offer, counts: tuple[int, int]) -> str:
    total, pending = counts
    return (f"« {offer.title} » à {commune_label(offer.commune_insee)} — {status_words(offer)}\n"
            f"   {offer.places_left} place(s) libre(s) sur {offer.capacity} · {total} candidature(s) reçue(s)"
            f"{f', dont {pending} à traiter' if pending else ''}\n   {_periods(offer)}")


def manage_buttons(offer: Offer) -> list[dict[str, str]]:
    code = offer_code(offer)
    buttons = []
    if offer.status in (OfferStatus.PUBLISHED, OfferStatus.PENDING_REVIEW, OfferStatus.DRAFT):
        buttons.append({"title": "Fermer l'offre", "payload": f'/close_offer{{"code": "{code}"}}'})
    else:
        buttons.append({"title": "Rouvrir l'offre", "payload": f'/my_offers{{"code": "{code}:rouvrir"}}'})
    return buttons + [
        {"title": "Modifier le nombre de places", "payload": f'/my_offers{{"code": "{code}:places"}}'},
        {"title": "Modifier les périodes", "payload": f'/my_offers{{"code": "{code}:periodes"}}'},
        {"title": "Dupliquer pour l'an prochain", "payload": f'/my_offers{{"code": "{code}:dupliquer"}}'}]


class ActionMyOffers(TremplinAction):
    action_name = "action_my_offers"

    async def handle(self, turn: Turn) -> list[EventType] | None:
        employer = await current_employer(turn)
        if employer is None:
            return None
        offer_id, operation = offer_ref(turn.entity("code"))
        if offer_id is None:
            return await self.listing(turn, employer)
        offer = await owned_offer(turn.session, turn.account, offer_id, for_update=True)
        handler = {"rouvrir": self.reopen, "places": self.places, "periodes": self.periods, "ajouter": self.periods,
                   "retirer": self.periods, "dupliquer": self.duplicate}.get(operation or "", self.detail)
        return await handler(turn, employer, offer)

    async def listing(self, turn: Turn, employer: Employer) -> list[EventType] | None:
        order = case((Offer.status == OfferStatus.PUBLISHED, 0), (Offer.status == OfferStatus.PENDING_REVIEW, 1),
                     else_=2)
        offers = list(await turn.session.scalars(
            select(Offer).options(*OFFER_LOADS).where(Offer.employer_id == employer.id)
            .order_by(order, Offer.created_at.desc()).limit(LIST_LIMIT)))
        if not offers:
            turn.say("Vous n'avez pas encore d'offre. Publiez-en une en deux minutes :",
                     buttons=[{"title": "Publier une offre", "payload": "/publish_offer"}])
            return None
        if len(offers) == 1:
            return await self.detail(turn, employer, offers[0])
        counts = await _counts(turn, [o.id for o in offers])
        lines = [f"{i}. {_summary(o, counts.get(o.id, (0, 0)))}" for i, o in enumerate(offers, 1)]
        turn.say("Vos offres :\n" + "\n".join(lines) + "\nLaquelle voulez-vous gérer ?",
                 buttons=[{"title": f"{i}. {o.title[:40]}", "payload": f'/my_offers{{"code": "{offer_code(o)}"}}'}
                          for i, o in enumerate(offers, 1)])
        return None

    async def detail(self, turn: Turn, employer: Employer, offer: Offer) -> list[EventType] | None:
        counts = (await _counts(turn, [offer.id])).get(offer.id, (0, 0))
        buttons = manage_buttons(offer)
        if counts[1]:
            buttons.insert(0, {"title": "Voir les candidatures", "payload": "/review_applications"})
        turn.say(_summary(offer, counts), buttons=buttons)
        return None

    async def reopen(self, turn: Turn, employer: Employer, offer: Offer) -> list[EventType] | None:
        if offer.status not in (OfferStatus.CLOSED, OfferStatus.EXPIRED):
            turn.say(f"Cette offre est déjà « {status_words(offer)} » : rien à rouvrir.")
            return None
        if offer.published_at is None and not employer.trusted:
            turn.say("Cette offre n'avait pas encore été validée par l'équipe : dupliquez-la pour la soumettre "
                     "à nouveau.",
                     buttons=manage_buttons(offer)[-1:])
            return None
        if not any(p.end_date >= date.today() for p in offer.periods):
            turn.say("Toutes les périodes de cette offre sont passées : modifiez les périodes d'abord, puis "
                     "rouvrez-la.",
                     buttons=manage_buttons(offer)[2:3])
            return None
        if offer.places_left == 0:
            turn.say("Toutes les places de cette offre sont prises : augmentez le nombre de places pour la rouvrir.",
                     buttons=manage_buttons(offer)[1:2])
            return None
        move_offer(offer, OfferStatus.PUBLISHED)
        turn.say(f"C'est fait : « {offer.title} » est de nouveau visible des élèves.")
        return None

    async def places(self, turn: Turn, employer: Employer, offer: Offer) -> list[EventType] | None:
        wanted = parse_count(turn.entity("nombre"))
        taken = offer.capacity - offer.places_left
        if wanted is None:
            choice = offer_code(offer, "places")
            turn.say(f"Combien d'élèves pouvez-vous accueillir au total sur « {offer.title} » ? ({taken} place(s) "
                     "déjà attribuée(s))",
                     buttons=[{"title": str(n), "payload": f'/my_offers{{"code": "{choice}", "nombre": "{n}"}}'}
                              for n in range(max(1, taken), MAX_PLACES + 1)])
            return None
        if not 1 <= wanted <= MAX_PLACES:
            turn.say(f"Le nombre de places va de 1 à {MAX_PLACES}. Choisissez un nombre dans cet intervalle.")
            return None
        if wanted < taken:
            turn.say(f"{taken} élève(s) sont déjà acceptés sur cette offre : gardez au moins {taken} place(s).")
            return None
        offer.capacity, offer.places_left = wanted, wanted - taken
        await turn.session.flush()
        turn.say(f"C'est noté : {wanted} place(s) au total, dont {offer.places_left} libre(s).")
        return None

    async def periods(self, turn: Turn, employer: Employer, offer: Offer) -> list[EventType] | None:
        await edit_periods(turn, offer, turn_operation(turn))
        return None

    async def duplicate(self, turn: Turn, employer: Employer, offer: Offer) -> list[EventType] | None:
        """Same offer, same weeks one year later (52 weeks: the same weekdays), through the usual checks."""
        shift = timedelta(weeks=52)
        periods = [(p.start_date + shift, p.end_date + shift) for p in offer.periods]
        while periods and min(s for s, _ in periods) < date.today():
            periods = [(s + shift, e + shift) for s, e in periods]
        draft = OfferDraft(rome_code=offer.rome_code, metier_label=offer.metier_label, domain=offer.domain,
                           title=offer.title, commune_insee=offer.commune_insee, latitude=offer.latitude,
                           longitude=offer.longitude, periods=periods, capacity=offer.capacity,
                           description=offer.description, street_address=offer.street_address,
                           environments=offer.environment_tags, holidays_ok=offer.holidays_ok,
                           transport_access=offer.transport_access)
        copy = await create_offer(turn.session, employer, draft)
        state = ("elle est en ligne" if copy.status is OfferStatus.PUBLISHED
                 else "elle sera visible après la relecture de l'équipe")
        turn.say(f"C'est fait : une copie de « {offer.title} » est créée pour {_periods(copy)} ; {state}. "
                 "Vérifiez les semaines : les dates des collèges changent d'une année à l'autre.",
                 buttons=manage_buttons(copy)[2:3])
        return None


class ActionCloseOffer(TremplinAction):
    """Close one of one's offers, after a confirmation; the offer id of a payload is checked again."""

    action_name = "action_close_offer"

    async def handle(self, turn: Turn) -> list[EventType] | None:
        employer = await current_employer(turn)
        if employer is None:
            return None
        offer_id, operation = offer_ref(turn.entity("code"))
        if offer_id is None:
            offers = list(await turn.session.scalars(select(Offer).where(
                Offer.employer_id == employer.id,
                Offer.status.in_([OfferStatus.PUBLISHED, OfferStatus.PENDING_REVIEW])).order_by(Offer.created_at)))
            if not offers:
                turn.say("Vous n'avez aucune offre ouverte à fermer.")
                return None
            if len(offers) > 1:
                turn.say("Quelle offre voulez-vous fermer ?", buttons=[
                    {"title": o.title[:60], "payload": f'/close_offer{{"code": "{offer_code(o)}"}}'} for o in offers])
                return None
            offer_id = offers[0].id
        offer = await owned_offer(turn.session, turn.account, offer_id, for_update=True)
        if offer.status in (OfferStatus.CLOSED, OfferStatus.EXPIRED):
            turn.say(f"« {offer.title} » est déjà {status_words(offer)}.")
            return None
        pending = (await _counts(turn, [offer.id])).get(offer.id, (0, 0))[1]
        if operation != "confirmer":
            confirm = offer_code(offer, "confirmer")
            turn.say(f"Fermer « {offer.title} » ? Les élèves ne la verront plus dans leurs recherches ; vous pourrez "
                     "la rouvrir plus tard." + (f" Les {pending} candidature(s) en attente resteront à traiter."
                                                if pending else ""),
                     buttons=[{"title": "Oui, fermer", "payload": f'/close_offer{{"code": "{confirm}"}}'},
                              {"title": "Non, la garder", "payload": "/my_offers"}])
            return None
        move_offer(offer, OfferStatus.CLOSED)
        turn.say(f"C'est fait : « {offer.title} » est fermée et n'apparaît plus aux élèves."
                 + (f" Pensez à répondre aux {pending} candidature(s) en attente." if pending else ""),
                 buttons=[{"title": "Rouvrir", "payload": f'/my_offers{{"code": "{offer_code(offer)}:rouvrir"}}'}]
                 + ([{"title": "Voir les candidatures", "payload": "/review_applications"}] if pending else []))
        return None
