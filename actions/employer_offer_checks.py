"""Publishing an offer, step by step or from one message ("je peux prendre 2 élèves en boulangerie à
Feurs la semaine du 8 décembre"): every answer is checked here, with the reason and a fix when refused."""
from __future__ import annotations

from datetime import date
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType

from actions.employer_common import commune_answer, periods_to_slot, read_periods
from actions.forms import INTERRUPTIONS, RecapForm, drop_stale, free_text, with_slots
from tremplin.answers import (parse_count, read_commune, read_counted_places, read_dates, read_dates_in_sentence,
                              read_free_text, read_named_dates, read_one_metier, read_places, read_yes_no)
from tremplin.answers.corrections import Amendable, read_commune_named, read_street_address
from tremplin.metiers import ENVIRONMENTS, get_referentiel, resolve_environments
from tremplin.models import Employer
from tremplin.privacy import Audience, mask
from tremplin.services.employers import resolve_commune
from tremplin.services.errors import DomainError
from tremplin.services.offers import MAX_PLACES

FORM = "publish_offer_form"
SLOTS = ["offer_metier", "offer_title", "offer_description", "offer_lieu", "offer_address", "offer_periodes",
         "offer_places", "offer_environments", "offer_transport", "offer_confirm"]
HELPER_SLOTS = ["offer_env_draft"]
NO_ENVIRONMENT = "aucun"
NO_TRANSPORT = "aucun"
TRANSPORT_CHOICES = {"transport:bus": "Arrêt de bus ou de car à proximité", "transport:gare": "Gare à proximité",
                     "transport:non": NO_TRANSPORT}
PRIVATE_DETAILS = ("Ce texte contient un numéro de téléphone, une adresse e-mail, un lien ou un pseudo : "
                   "les élèves le liront avant toute acceptation, alors reformulez sans coordonnées, s'il vous "
                   "plaît (elles leur seront données au bon moment).")


def today() -> date:
    return date.today()


def latest_code(tracker: Tracker, prefix: str) -> str | None:
    for value in tracker.get_latest_entity_values("code"):
        if str(value).lower().startswith(prefix):
            return str(value).lower()
    return None


def env_tags(value: str | None) -> list[str]:
    return [t for t in (value or "").split(",") if t in ENVIRONMENTS]


class ValidatePublishOfferForm(RecapForm):
    form = FORM
    readers = {"offer_metier": read_one_metier, "offer_title": read_free_text, "offer_description": read_free_text,
               "offer_lieu": read_commune, "offer_address": read_free_text, "offer_periodes": read_dates,
               "offer_places": read_places, "offer_confirm": read_yes_no}
    whole_text = frozenset({"offer_metier", "offer_title", "offer_description", "offer_address", "offer_periodes",
                            "offer_places"})
    corrections = {"offer_places": read_counted_places, "offer_periodes": read_named_dates}
    opening = {"offer_metier": read_one_metier, "offer_places": read_counted_places,
               "offer_periodes": read_dates_in_sentence}
    recap = "offer_confirm"
    amendable = {
        "offer_metier": ("le métier", Amendable(("metier",), read_one_metier)),
        "offer_title": ("le titre", Amendable(("titre", "intitule", "titre de l offre"))),
        "offer_description": ("la description", Amendable(("description", "descriptif", "texte"))),
        "offer_lieu": ("la commune", Amendable(("commune", "ville", "lieu", "localite", "code postal"),
                                               read_commune_named)),
        "offer_address": ("l'adresse", Amendable(("adresse", "rue"), read_street_address)),
        "offer_periodes": ("les périodes", Amendable(("periode", "periodes", "date", "dates", "semaine",
                                                      "semaines"), read_named_dates)),
        "offer_places": ("le nombre de places", Amendable(("places", "place", "nombre de places", "nombre d eleves",
                                                           "nombre"), read_counted_places)),
        "offer_environments": ("le cadre", Amendable(("cadre", "environnement", "environnements"))),
        "offer_transport": ("les transports en commun", Amendable(("transport", "transports",
                                                                   "transports en commun", "acces"))),
    }

    async def required_slots(self, domain_slots, dispatcher, tracker, domain) -> list[str]:
        # Not a registered company (or suspended): the form stops and action_publish_offer explains.
        account = self.turn.account
        employer = await self.turn.session.get(Employer, account.employer_id) \
            if account and account.employer_id else None
        if employer is None or employer.suspended:
            return []
        return with_slots(domain_slots, SLOTS)

    # --- custom extraction (the domain may map these slots as `custom`) ---------------------------
    async def get_extraction_events(self, dispatcher, tracker, domain) -> list[EventType]:
        drop_stale(self.turn, tracker, "publish_offer", SLOTS + HELPER_SLOTS)
        return await super().get_extraction_events(dispatcher, tracker, domain)

    async def extract_offer_metier(self, dispatcher, tracker, domain) -> dict[str, Any]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        domaine = next(tracker.get_latest_entity_values("domaine"), None)
        if intent == "publish_offer" and tracker.get_slot("offer_metier") is None and domaine \
                and next(tracker.get_latest_entity_values("metier"), None) is None:
            return {"offer_metier": str(domaine)}  # "en boulangerie" is sometimes tagged as a domain
        return {}

    async def extract_offer_lieu(self, dispatcher, tracker, domain) -> dict[str, Any]:
        """The offer in one message, whatever its intent (« tapissier à Montbrison, … »): its commune."""
        lieu = next(tracker.get_latest_entity_values("lieu"), None)
        if tracker.get_slot("requested_slot") is None and tracker.get_slot("offer_lieu") is None and lieu:
            return {"offer_lieu": str(lieu)}
        return {}

    async def extract_offer_environments(self, dispatcher, tracker, domain) -> dict[str, Any]:
        if tracker.get_slot("requested_slot") != "offer_environments":
            return {}
        return {"offer_environments": code} if (code := latest_code(tracker, "env:")) else \
            free_text(tracker, "offer_environments")

    async def extract_offer_transport(self, dispatcher, tracker, domain) -> dict[str, Any]:
        if tracker.get_slot("requested_slot") != "offer_transport":
            return {}
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if code := latest_code(tracker, "transport:"):
            return {"offer_transport": code}
        if intent == "deny":
            return {"offer_transport": "transport:non"}
        return free_text(tracker, "offer_transport")

    # --- validation --------------------------------------------------------------------------------
    async def validate_offer_metier(self, value: Any, dispatcher, tracker, domain) -> dict[str, Any]:
        text = str(value or "").strip()
        result = get_referentiel().resolve(text)
        if result.metier is not None:
            return {"offer_metier": result.metier.label}
        buttons = [{"title": m.label, "payload": f'/inform{{"metier": "{m.label}"}}'} for m in result.metiers[:5]]
        if result.status == "ambiguous":
            self.turn.say(f"« {text} » recouvre plusieurs métiers : lequel l'élève observera-t-il ?", buttons=buttons)
        elif result.status == "suggestion":
            self.turn.say(f"Je ne trouve pas le métier « {text} ». Vouliez-vous dire :", buttons=buttons)
        else:
            self.turn.say(f"Je ne trouve pas le métier « {text} » dans le référentiel des métiers. Essayez un "
                          "intitulé courant, par exemple « boulanger », « mécanicien automobile » ou « fleuriste ».")
        return {"offer_metier": None}

    async def validate_offer_title(self, value: Any, dispatcher, tracker, domain) -> dict[str, Any]:
        return self._text("offer_title", value, 5, 120, "Le titre doit faire entre 5 et 120 caractères, par exemple "
                          "« Découvrir le fournil d'une boulangerie de village ».")

    async def validate_offer_description(self, value: Any, dispatcher, tracker, domain) -> dict[str, Any]:
        return self._text("offer_description", value, 20, 2000, "Décrivez en une ou deux phrases (20 caractères "
                          "au moins, 2 000 au plus) ce que l'élève verra : les gestes, les outils, les personnes.")

    def _text(self, slot: str, value: Any, low: int, high: int, hint: str) -> dict[str, Any]:
        text = " ".join(str(value or "").split())
        if not low <= len(text) <= high:
            self.turn.say(hint)
            return {slot: None}
        masked = mask(text, Audience.EMPLOYER_TO_PUPILS)
        if masked.has_contact:
            self.turn.say(PRIVATE_DETAILS)
            return {slot: None}
        if masked.changed:  # a private person named: pupils will read it without the name
            self.turn.say(f"J'ai masqué {masked.summary()} : les élèves liront « {masked.text} ».")
        return {slot: masked.text}

    async def validate_offer_lieu(self, value: Any, dispatcher, tracker, domain) -> dict[str, Any]:
        return commune_answer(self.turn, "offer_lieu", value)

    async def validate_offer_address(self, value: Any, dispatcher, tracker, domain) -> dict[str, Any]:
        address = " ".join(str(value or "").split())
        if not 5 <= len(address) <= 255 or not any(c.isalpha() for c in address):
            self.turn.say("Indiquez le numéro et la rue où l'élève se présentera, par exemple « 12 rue de la Gare ». "
                          "Elle ne sera donnée qu'à l'élève que vous accepterez.")
            return {"offer_address": None}
        return {"offer_address": address}

    async def validate_offer_periodes(self, value: Any, dispatcher, tracker, domain) -> dict[str, Any]:
        departement = None
        if tracker.get_slot("offer_lieu"):
            try:
                departement = resolve_commune(tracker.get_slot("offer_lieu")).departement
            except DomainError:
                departement = None
        try:
            return {"offer_periodes": periods_to_slot(read_periods(str(value or ""), departement, today()))}
        except DomainError as err:
            self.turn.say(err.message)
            return {"offer_periodes": None}

    async def validate_offer_places(self, value: Any, dispatcher, tracker, domain) -> dict[str, Any]:
        places = parse_count(str(value or ""))
        if places is None:
            self.turn.say(f"Indiquez un nombre d'élèves, de 1 à {MAX_PLACES} (par exemple « 1 » ou « deux »).")
        elif places < 1:
            self.turn.say("Il faut au moins une place pour publier une offre : indiquez un nombre de 1 à "
                          f"{MAX_PLACES}.")
        elif places > MAX_PLACES:
            self.turn.say(f"{places} élèves, c'est plus que les {MAX_PLACES} places permises par offre : un "
                          f"tuteur doit pouvoir suivre chaque élève. Indiquez {MAX_PLACES} au plus (vous pourrez "
                          "publier une autre offre pour un autre service).")
        else:
            return {"offer_places": str(places)}
        return {"offer_places": None}

    async def validate_offer_environments(self, value: Any, dispatcher, tracker, domain) -> dict[str, Any]:
        text = str(value or "").strip()
        draft = env_tags(tracker.get_slot("offer_env_draft"))
        if text.lower().startswith("env:"):
            tag = text[4:].lower()
            if tag == "fin":
                return {"offer_environments": ",".join(draft) or NO_ENVIRONMENT, "offer_env_draft": None}
            if tag in ENVIRONMENTS and tag not in draft:
                draft.append(tag)
            return {"offer_environments": None, "offer_env_draft": ",".join(draft)}
        found = resolve_environments(text)
        if not found:
            if draft and text.lower().strip(" .!") in ("c'est tout", "cest tout", "fini", "non", "rien", "ok", "c bon"):
                return {"offer_environments": ",".join(draft), "offer_env_draft": None}
            self.turn.say("Je n'ai pas reconnu ce cadre de travail : choisissez avec les boutons, ou écrivez par "
                          "exemple « en atelier et au contact du public ».")
            return {"offer_environments": None}
        tags = draft + [t for t in found if t not in draft]
        return {"offer_environments": ",".join(tags), "offer_env_draft": None}

    async def validate_offer_transport(self, value: Any, dispatcher, tracker, domain) -> dict[str, Any]:
        text = " ".join(str(value or "").split())
        if text.lower() in TRANSPORT_CHOICES:
            return {"offer_transport": TRANSPORT_CHOICES[text.lower()]}
        if text.lower() in ("non", "aucun", "pas de transport", "passer", "je ne sais pas"):
            return {"offer_transport": NO_TRANSPORT}
        if mask(text, Audience.EMPLOYER_TO_PUPILS).has_contact or len(text) > 200:
            self.turn.say("Décrivez l'accès en quelques mots sans coordonnées, par exemple « bus ligne 3, arrêt "
                          "Mairie à 200 m » (200 caractères au plus), ou répondez « non ».")
            return {"offer_transport": None}
        return {"offer_transport": text}


__all__ = ["ValidatePublishOfferForm", "FORM", "SLOTS", "HELPER_SLOTS", "INTERRUPTIONS", "NO_ENVIRONMENT",
           "NO_TRANSPORT", "env_tags"]
