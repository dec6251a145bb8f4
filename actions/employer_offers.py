"""An employer's offers: the list (places left, applications, status in words), one offer's buttons
(close, reopen, duplicate for next year, edit places or periods), and closing with a confirmation."""
from __future__ import annotations

from rasa_sdk.events import EventType

from actions.base import Turn
from actions.chat import signed_in
from actions.employer_common import EmployerAction, offer_code, offer_ref
from actions.employer_offer_periods import edit_periods
from actions.employer_offer_publish import periods_words
from tremplin.answers import parse_count
from tremplin.geography import commune_label
from tremplin.models import Employer, Offer, OfferStatus
from tremplin.queries.employers import application_counts, offers_of, open_offers_of, owned_offer
from tremplin.services.errors import DomainError
from tremplin.services.offers import (MAX_PLACES, change_places, duplicate_offer, move_offer, reopen_offer,
                                      status_words)

LIST_LIMIT = 10


def turn_operation(turn: Turn) -> str:
    return offer_ref(turn.entity("code"))[1] or "periodes"


def _periods(offer: Offer) -> str:
    return periods_words(";".join(f"{p.start_date}/{p.end_date}" for p in offer.periods))


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


class ActionMyOffers(EmployerAction):
    action_name = "action_my_offers"

    async def for_employer(self, turn: Turn, employer: Employer) -> list[EventType] | None:
        offer_id, operation = offer_ref(turn.entity("code"))
        if offer_id is None:
            return await self.listing(turn, employer)
        offer = await owned_offer(turn.session, signed_in(turn), offer_id, for_update=True)
        handler = {"rouvrir": self.reopen, "places": self.places, "periodes": self.periods, "ajouter": self.periods,
                   "retirer": self.periods, "dupliquer": self.duplicate}.get(operation or "", self.detail)
        return await handler(turn, employer, offer)

    async def listing(self, turn: Turn, employer: Employer) -> list[EventType] | None:
        offers = await offers_of(turn.session, employer.id, LIST_LIMIT)
        if not offers:
            turn.say("Vous n'avez pas encore d'offre. Publiez-en une en deux minutes :",
                     buttons=[{"title": "Publier une offre", "payload": "/publish_offer"}])
            return None
        if len(offers) == 1:
            return await self.detail(turn, employer, offers[0])
        counts = await application_counts(turn.session, [o.id for o in offers])
        lines = [f"{i}. {_summary(o, counts.get(o.id, (0, 0)))}" for i, o in enumerate(offers, 1)]
        turn.say("Vos offres :\n" + "\n".join(lines) + "\nLaquelle voulez-vous gérer ?",
                 buttons=[{"title": f"{i}. {o.title[:40]}", "payload": f'/my_offers{{"code": "{offer_code(o)}"}}'}
                          for i, o in enumerate(offers, 1)])
        return None

    async def detail(self, turn: Turn, employer: Employer, offer: Offer) -> list[EventType] | None:
        counts = (await application_counts(turn.session, [offer.id])).get(offer.id, (0, 0))
        buttons = manage_buttons(offer)
        if counts[1]:
            buttons.insert(0, {"title": "Voir les candidatures", "payload": "/review_applications"})
        turn.say(_summary(offer, counts), buttons=buttons)
        return None

    async def reopen(self, turn: Turn, employer: Employer, offer: Offer) -> list[EventType] | None:
        try:
            reopen_offer(offer, employer)
        except DomainError as err:
            # Each refusal comes with the button that fixes it: duplicate, edit the weeks, edit the places.
            fix = {"reopen_unreviewed": slice(-1, None), "reopen_past": slice(2, 3), "reopen_full": slice(1, 2)}
            turn.say(err.message, buttons=manage_buttons(offer)[fix[err.code]] if err.code in fix else None)
            return None
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
        try:
            await change_places(turn.session, offer, wanted)
        except DomainError as err:
            turn.say(err.message)
            return None
        turn.say(f"C'est noté : {wanted} place(s) au total, dont {offer.places_left} libre(s).")
        return None

    async def periods(self, turn: Turn, employer: Employer, offer: Offer) -> list[EventType] | None:
        await edit_periods(turn, offer, turn_operation(turn))
        return None

    async def duplicate(self, turn: Turn, employer: Employer, offer: Offer) -> list[EventType] | None:
        """Same offer, same weeks one year later (services.offers.duplicate_offer)."""
        copy = await duplicate_offer(turn.session, employer, offer)
        state = ("elle est en ligne" if copy.status is OfferStatus.PUBLISHED
                 else "elle sera visible après la relecture de l'équipe")
        turn.say(f"C'est fait : une copie de « {offer.title} » est créée pour {_periods(copy)} ; {state}. "
                 "Vérifiez les semaines : les dates des collèges changent d'une année à l'autre.",
                 buttons=manage_buttons(copy)[2:3])
        return None


class ActionCloseOffer(EmployerAction):
    """Close one of one's offers, after a confirmation; the offer id of a payload is checked again."""

    action_name = "action_close_offer"

    async def for_employer(self, turn: Turn, employer: Employer) -> list[EventType] | None:
        offer_id, operation = offer_ref(turn.entity("code"))
        if offer_id is None:
            offers = await open_offers_of(turn.session, employer.id)
            if not offers:
                turn.say("Vous n'avez aucune offre ouverte à fermer.")
                return None
            if len(offers) > 1:
                turn.say("Quelle offre voulez-vous fermer ?", buttons=[
                    {"title": o.title[:60], "payload": f'/close_offer{{"code": "{offer_code(o)}"}}'} for o in offers])
                return None
            offer_id = offers[0].id
        offer = await owned_offer(turn.session, signed_in(turn), offer_id, for_update=True)
        if offer.status in (OfferStatus.CLOSED, OfferStatus.EXPIRED):
            turn.say(f"« {offer.title} » est déjà {status_words(offer)}.")
            return None
        pending = (await application_counts(turn.session, [offer.id])).get(offer.id, (0, 0))[1]
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
