"""« Voir plus »: the next offers of the last search, the same search further away, or one offer's
details. Everything comes from the `search_state` slot and the database, never from the button alone:
an offer id in a payload is only a pointer, re-read and re-checked here."""
from __future__ import annotations

import re
from datetime import date



from rasa_sdk.events import EventType, FollowupAction

from actions.base import TremplinAction, Turn, latest_intent
from actions.student_common import (
    OFFER_REF, distance_words, env_words, load_state, offer_buttons, offered_value,
)
from actions.student_search import show_page
from tremplin.dates.period import range_label
from tremplin.geography import commune_label, haversine_km
from tremplin.metiers import get_referentiel
from tremplin.models import Employer, OfferStatus
from tremplin.privacy import public_text
from tremplin.queries.people import offer_with_details

NO_SEARCH = ("Je n'ai pas de recherche en cours à continuer. Dis-moi ce que tu cherches, par exemple "
             "« un stage en boulangerie vers Feurs ».")


async def offer_details(turn: Turn, offer_id: int) -> None:
    """What the student may know before applying: no employer name, street address or contact."""
    offer = await offer_with_details(turn.session, offer_id)
    if offer is None or offer.status is not OfferStatus.PUBLISHED:
        turn.say("Cette offre n'est plus en ligne (elle a été retirée ou fermée). Regarde les autres résultats, "
                 "ou lance une nouvelle recherche.",
                 buttons=[{"title": "Chercher un stage", "payload": "/search_offers"}])
        return
    today = date.today()
    periods = [p for p in offer.periods if p.end_date >= today]
    employer = await turn.session.get_one(Employer, offer.employer_id)
    hidden = [x for x in (employer.name, employer.contact_name, offer.street_address) if x and len(x) > 3]

    def public(text: str) -> str:
        """Scrubbed, and without the host's own name or street, even if the employer typed them."""
        text = public_text(text)
        for secret in hidden:
            text = re.sub(re.escape(secret), "[masqué]", text, flags=re.IGNORECASE)
        return text

    lines = [f"📌 {public(offer.title)}", f"Métier : {offer.metier_label}"]
    metier = next((m for m in get_referentiel().by_rome(offer.rome_code)), None)
    if metier is not None:
        lines.append(f"En deux mots : {metier.description}")
    if offer.description:
        lines.append(f"\n{public(offer.description)}\n")
    where = f"📍 {commune_label(offer.commune_insee)}"
    state = load_state(turn)
    if state:
        where += f", {distance_words(haversine_km(state['lat'], state['lon'], offer.latitude, offer.longitude))}"
    lines.append(where)
    if periods:
        lines.append("📅 " + " ; ".join(range_label(p.start_date, p.end_date) for p in periods[:4]))
    if offer.places_left <= 0:
        lines.append("👤 Complet pour l'instant : toutes les places sont prises.")
    else:
        lines.append(f"👤 {offer.places_left} place{'s' if offer.places_left > 1 else ''} "
                     f"restante{'s' if offer.places_left > 1 else ''}")
    if offer.environment_tags:
        lines.append(f"Cadre : {env_words(offer.environment_tags)}")
    if offer.transport_access:
        lines.append(f"Pour y aller : {public(offer.transport_access)}")
    if offer.holidays_ok:
        lines.append("Accueil possible pendant les vacances scolaires.")
    lines.append("🔒 Le nom de l'entreprise, l'adresse exacte et le contact te seront donnés si ta candidature "
                 "est acceptée. Ta candidature reste anonyme.")
    can_apply = offer.places_left > 0 and periods
    buttons = [b for b in offer_buttons(offer.id) if b["title"] == "Postuler"] if can_apply else []
    if state:
        buttons.append({"title": "Voir d'autres offres", "payload": "/show_more"})
    turn.say("\n".join(lines), buttons=buttons)


_WIDER_PAYLOAD = re.compile(r'^/show_more(\{.*\})$')


class ActionShowMore(TremplinAction):
    """« Voir plus », a wider radius, an offer's details; a typed « oui » / « ok » to « je regarde
    plus loin ? » is that question's « Oui » button (data/rules/search_form.yml)."""
    action_name = "action_show_more"

    async def handle(self, turn: Turn) -> list[EventType] | None:
        if latest_intent(turn.tracker) == "affirm":
            distance = offered_value(turn, _WIDER_PAYLOAD, "distance")  # « Oui, jusqu'à N km »
            if distance is None:  # a « oui » to a question that was not this one
                return [FollowupAction("action_use_what_was_said")]
            await self._more(turn, distance)
            return None
        await self._more(turn, turn.entity("distance"))
        return None

    async def _more(self, turn: Turn, wider: str | None) -> None:
        code = turn.entity("code")
        match = OFFER_REF.fullmatch((code or "").strip())
        if match:
            await offer_details(turn, int(match.group(1)))
            return
        state = load_state(turn)
        if state is None:
            turn.say(NO_SEARCH, buttons=[{"title": "Chercher un stage", "payload": "/search_offers"}])
            return
        if wider:
            digits = "".join(ch for ch in wider if ch.isdigit())
            radius = float(digits) if digits and 1 <= int(digits) <= 100 else None
            if radius is None:
                turn.say("Donne-moi une distance en km, entre 1 et 100 (ex. « 30 km »).")
                return
            state.update(r=radius, ids=[])
            turn.set("distance", None)  # a one-off widening, not the radius of the next search
            await show_page(turn, state)
            return
        shown = len(state.get("ids", []))
        await show_page(turn, state)
        if len(state.get("ids", [])) == shown:
            turn.say("C'est tout pour cette recherche 🙂 Tu veux chercher autre chose ?", buttons=[
                {"title": "Chercher un autre stage", "payload": "/search_offers"},
                {"title": "Je ne sais pas quoi faire", "payload": "/unsure_career"}])
