"""The questions of the publish form that need buttons or a computed preview, and the publication itself."""
from __future__ import annotations

from rasa_sdk.events import EventType, SlotSet

from actions.base import TremplinAction, Turn
from actions.chat import yes_no
from actions.employer_common import current_employer, periods_from_slot
from actions.employer_offer_checks import HELPER_SLOTS, NO_ENVIRONMENT, NO_TRANSPORT, SLOTS, env_tags
from actions.forms import saved
from tremplin.dates.period import range_label
from tremplin.geography import commune_label
from tremplin.metiers import ENVIRONMENTS, get_referentiel
from tremplin.models import Employer, OfferStatus
from tremplin.services.employers import resolve_commune
from tremplin.services.errors import DomainError
from tremplin.services.offers import OfferDraft, create_offer


def environment_buttons(chosen: list[str]) -> list[dict[str, str]]:
    buttons = [{"title": label, "payload": f'/inform{{"code": "env:{tag}"}}'}
               for tag, label in ENVIRONMENTS.items() if tag not in chosen]
    return buttons + [{"title": "C'est tout", "payload": '/inform{"code": "env:fin"}'}]


def environments_words(value: str | None) -> str:
    tags = env_tags(value)
    return ", ".join(ENVIRONMENTS[t].lower() for t in tags) if tags else "non précisé"


def periods_words(value: str | None) -> str:
    return " ; ".join(range_label(s, e) for s, e in periods_from_slot(value)) or "aucune"


class ActionAskOfferEnvironments(TremplinAction):
    action_name = "action_ask_offer_environments"

    async def handle(self, turn: Turn) -> list[EventType] | None:
        chosen = env_tags(turn.slot("offer_env_draft"))
        if chosen:
            text = (f"Noté : {environments_words(turn.slot('offer_env_draft'))}. Autre chose ? Sinon, touchez "
                    "« C'est tout ».")
        else:
            text = ("Dans quel cadre l'élève sera-t-il ? Touchez un ou plusieurs boutons puis « C'est tout », "
                    "ou écrivez-le (par exemple « en atelier, au contact du public »).")
        turn.say(text, buttons=environment_buttons(chosen))
        return None


class ActionAskOfferTransport(TremplinAction):
    action_name = "action_ask_offer_transport"

    async def handle(self, turn: Turn) -> list[EventType] | None:
        turn.say("Un collégien vient souvent en bus ou en car : y a-t-il un transport en commun à proximité ? "
                 "Vous pouvez aussi le préciser (par exemple « bus ligne 3, arrêt Mairie à 200 m »).",
                 buttons=[{"title": "Oui, un arrêt de bus ou de car", "payload": '/inform{"code": "transport:bus"}'},
                          {"title": "Oui, une gare", "payload": '/inform{"code": "transport:gare"}'},
                          {"title": "Non / je ne sais pas", "payload": '/inform{"code": "transport:non"}'}])
        return None


class ActionAskOfferConfirm(TremplinAction):
    action_name = "action_ask_offer_confirm"

    async def handle(self, turn: Turn) -> list[EventType] | None:
        employer = await turn.session.get(Employer, turn.account.employer_id) if turn.account and \
            turn.account.employer_id else None
        transport = turn.slot("offer_transport")
        description = turn.slot("offer_description") or ""
        lines = ["Voici votre offre telle que les élèves la verront :",
                 f"• {turn.slot('offer_title')} — {turn.slot('offer_metier')}",
                 f"• {description[:300]}{'…' if len(description) > 300 else ''}",
                 f"• à {turn.slot('offer_lieu')}",
                 f"• périodes : {periods_words(turn.slot('offer_periodes'))}",
                 f"• places : {turn.slot('offer_places')}",
                 f"• cadre : {environments_words(turn.slot('offer_environments'))}",
                 f"• transports en commun : {'non précisé' if transport in (None, NO_TRANSPORT) else transport}",
                 f"Adresse (donnée seulement à l'élève accepté) : {turn.slot('offer_address')}"]
        if employer is not None and not employer.trusted:
            lines.append("Votre offre sera relue par l'équipe Tremplin avant d'être visible.")
        lines.append("Pour corriger, écrivez par exemple « plutôt à Roanne » ou « plutôt la semaine du 14 décembre ». "
                     "Je la publie ?")
        turn.say("\n".join(lines), buttons=yes_no("Oui, publier", "Non, ne pas publier"))
        return None


class ActionPublishOffer(TremplinAction):
    action_name = "action_publish_offer"

    async def handle(self, turn: Turn) -> list[EventType] | None:
        reset: list[EventType] = [SlotSet(slot, None) for slot in [*SLOTS, *HELPER_SLOTS]]
        employer = await current_employer(turn)
        if employer is None:
            return reset
        if employer.suspended:
            turn.say("Votre compte est suspendu : vous ne pouvez pas publier d'offre. Écrivez « parler à quelqu'un » "
                     "pour joindre l'équipe Tremplin.")
            return reset
        if turn.slot("offer_confirm") is not True:
            turn.say("D'accord, je ne publie rien. Pour recommencer, écrivez « publier une offre ».")
            return reset
        offer = await saved(turn, lambda: create_offer(turn.session, employer, self.draft(turn)),
                            "Rien n'a été publié : écrivez « publier une offre » pour recommencer.")
        if offer is None:
            return reset
        where = commune_label(offer.commune_insee)
        if offer.status is OfferStatus.PUBLISHED:
            text = (f"C'est en ligne : « {offer.title} » à {where} est visible des élèves dès maintenant. "
                    "Je vous préviens à chaque candidature.")
        else:
            text = (f"Merci ! « {offer.title} » à {where} est enregistrée et en attente de validation : comme votre "
                    "entreprise est nouvelle sur Tremplin, l'équipe relit l'offre avant sa publication. Je vous "
                    "préviens dès qu'elle est en ligne.")
        turn.say(text, buttons=[{"title": "Mes offres", "payload": "/my_offers"},
                                {"title": "Publier une autre offre", "payload": "/publish_offer"}])
        return reset

    @staticmethod
    def draft(turn: Turn) -> OfferDraft:
        metier = get_referentiel().find_label(turn.slot("offer_metier") or "")
        if metier is None:
            raise DomainError("metier_unknown", "Je ne retrouve pas le métier de l'offre.")
        commune = resolve_commune(turn.slot("offer_lieu") or "")
        transport = turn.slot("offer_transport")
        environments = turn.slot("offer_environments")
        return OfferDraft(
            rome_code=metier.rome, metier_label=metier.label, domain=metier.domain,
            title=turn.slot("offer_title") or f"Découvrir le métier de {metier.label.lower()}",
            commune_insee=commune.insee, latitude=commune.lat, longitude=commune.lon,
            periods=periods_from_slot(turn.slot("offer_periodes")), capacity=int(turn.slot("offer_places") or 1),
            description=turn.slot("offer_description") or "", street_address=turn.slot("offer_address"),
            environments=[] if environments == NO_ENVIRONMENT else env_tags(environments),
            transport_access=None if transport in (None, NO_TRANSPORT) else transport)
