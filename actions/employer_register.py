"""Registering a company: SIRET, name, commune, contact, phone, the charter, a recap, then the account
becomes the company's contact (or asks to become one more contact of a company already known by its SIRET:
an existing contact or the Tremplin team approves it, see actions/employer_contacts)."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.base import TremplinAction, Turn
from actions.chat import yes_no
from actions.employer_common import commune_answer
from actions.forms import RecapForm, drop_stale, free_text, saved, with_slots
from tremplin.answers import read_commune, read_free_text, read_person_name, read_phone, read_siret, read_yes_no
from tremplin.answers.corrections import Amendable, read_commune_named, read_siret_alone
from tremplin.geography import commune_label
from tremplin.models import Employer, Role
from tremplin.queries.employers import employer_by_siret
from tremplin.services.employer_contacts import pending_request_of, waiting_message
from tremplin.services.employers import CHARTER_TEXT, normalize_phone, register_employer
from tremplin.services.errors import DomainError
from tremplin.services.siret import validate_siret

FORM = "register_company_form"
SLOTS = ["company_siret", "company_name", "company_lieu", "company_contact", "company_phone",
         "company_charter", "company_confirm"]
SIRET_HINT = ("Vous le trouverez sur une facture, un bulletin de paie ou sur annuaire-entreprises.data.gouv.fr "
              "(14 chiffres, les espaces sont acceptés, par exemple 732 829 320 00074).")
ROLE_CONFLICT = ("Ce compte de messagerie est déjà utilisé comme élève, parent ou professeur : inscrivez votre "
                 "entreprise depuis un autre compte (un autre téléphone ou un autre compte Telegram).")
NEXT_STEPS = [{"title": "Publier une offre", "payload": "/publish_offer"},
              {"title": "Mes offres", "payload": "/my_offers"},
              {"title": "Voir les candidatures", "payload": "/review_applications"}]


def pretty_siret(siret: str) -> str:
    return f"{siret[:3]} {siret[3:6]} {siret[6:9]} {siret[9:]}" if len(siret) == 14 else siret


def read_contact_person(text: str) -> str | None:
    """« Claire Martin », or « Claire Martin 06 12 34 56 78 » (the phone, given ahead, is kept too)."""
    phone = read_phone(text)
    return text.strip() if read_person_name(text.replace(phone, " ") if phone else text) else None


class ValidateRegisterCompanyForm(RecapForm):
    form = FORM
    readers = {"company_siret": read_siret, "company_name": read_free_text, "company_lieu": read_commune,
               "company_contact": read_contact_person, "company_phone": read_phone,
               "company_charter": read_yes_no, "company_confirm": read_yes_no}
    whole_text = frozenset({"company_siret", "company_name", "company_contact", "company_phone"})
    corrections = {"company_phone": read_phone}
    name_slots = frozenset({"company_contact"})
    recap = "company_confirm"
    amendable = {
        "company_siret": ("le SIRET", Amendable(("siret", "numero siret", "numero de siret"), read_siret_alone)),
        "company_name": ("le nom de l'entreprise", Amendable(("nom", "nom de l entreprise", "nom de la societe",
                                                              "entreprise", "societe", "raison sociale", "enseigne"))),
        "company_lieu": ("la commune", Amendable(("commune", "ville", "lieu", "localite", "code postal"),
                                                 read_commune_named)),
        "company_contact": ("le contact", Amendable(("nom", "contact", "nom du contact", "personne", "tuteur",
                                                     "tutrice", "responsable", "prenom"))),
        "company_phone": ("le téléphone", Amendable(("telephone", "tel", "numero", "numero de telephone",
                                                     "portable", "fixe"), read_phone)),
    }

    async def get_extraction_events(self, dispatcher, tracker, domain) -> list[EventType]:
        drop_stale(self.turn, tracker, "register_company", SLOTS)
        return await super().get_extraction_events(dispatcher, tracker, domain)

    async def required_slots(self, domain_slots, dispatcher, tracker, domain) -> list[str]:
        # Another role, or already a company's contact: the form stops, action_register_company explains.
        account = self.turn.account
        if account is None or account.role not in (None, Role.EMPLOYER) or account.employer_id is not None:
            return []
        if await pending_request_of(self.turn.session, account) is not None:
            return []
        return with_slots(domain_slots, SLOTS)

    async def extract_company_contact(self, dispatcher, tracker, domain) -> dict[str, Any]:
        return free_text(tracker, "company_contact")

    async def extract_company_phone(self, dispatcher, tracker, domain) -> dict[str, Any]:
        return free_text(tracker, "company_phone")

    async def extract_company_charter(self, dispatcher, tracker, domain) -> dict[str, Any]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if tracker.get_slot("requested_slot") == "company_charter" and intent in ("affirm", "deny"):
            return {"company_charter": intent == "affirm"}
        return {}

    async def validate_company_siret(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                     domain: dict) -> dict[str, Any]:
        turn = self.turn
        try:
            siret = validate_siret(str(value or ""))
        except DomainError as err:
            turn.say(f"{err.message}\n{SIRET_HINT}")
            return {"company_siret": None}
        employer = await employer_by_siret(turn.session, siret)
        if employer is None:
            return {"company_siret": siret}
        if employer.suspended:
            turn.say("Cette entreprise est suspendue sur Tremplin : contactez l'équipe Tremplin (écrivez "
                     "« parler à quelqu'un »).")
            return {"company_siret": None}
        turn.say(f"{employer.name} ({commune_label(employer.commune_insee)}) est déjà inscrite sur Tremplin : "
                 "je transmettrai votre demande à ses contacts actuels. Vous deviendrez contact de l'entreprise "
                 "dès que l'un d'eux (ou l'équipe Tremplin) l'aura acceptée.")
        return {"company_siret": siret, "company_name": employer.name,
                "company_lieu": commune_label(employer.commune_insee)}

    async def validate_company_name(self, value: Any, dispatcher, tracker, domain) -> dict[str, Any]:
        name = " ".join(str(value or "").split())
        if not 2 <= len(name) <= 200:
            self.turn.say("Le nom doit faire entre 2 et 200 caractères : l'enseigne ou la raison sociale suffit.")
            return {"company_name": None}
        return {"company_name": name}

    async def validate_company_lieu(self, value: Any, dispatcher, tracker, domain) -> dict[str, Any]:
        return commune_answer(self.turn, "company_lieu", value)

    async def validate_company_contact(self, value: Any, dispatcher, tracker, domain) -> dict[str, Any]:
        contact = " ".join(str(value or "").split())
        phone_ahead = read_phone(contact)
        if phone_ahead:
            contact = " ".join(contact.replace(phone_ahead, " ").split()).strip(" ,;-/")
        if any(c.isdigit() for c in contact) or not 2 <= len(contact) <= 120:
            self.turn.say("Indiquez seulement le prénom et le nom de la personne qui accueillera l'élève "
                          "(par exemple « Claire Martin ») ; le téléphone vient juste après.")
            return {"company_contact": None}
        if phone_ahead and tracker.get_slot("company_phone") is None:
            try:
                phone = normalize_phone(phone_ahead)
            except DomainError:
                return {"company_contact": contact}  # the phone question will say what is wrong
            self.turn.say(f"C'est noté : {contact}. J'ai aussi noté le téléphone {phone}.")
            return {"company_contact": contact, "company_phone": phone}
        return {"company_contact": contact}

    async def validate_company_phone(self, value: Any, dispatcher, tracker, domain) -> dict[str, Any]:
        try:
            return {"company_phone": normalize_phone(str(value or ""))}
        except DomainError as err:
            self.turn.say(err.message)
            return {"company_phone": None}

    async def validate_company_charter(self, value: Any, dispatcher, tracker, domain) -> dict[str, Any]:
        if value is True:
            return {"company_charter": True}
        self.turn.say("Sans l'acceptation de la charte, Tremplin ne peut pas vous confier d'élève : elle protège des "
                      "mineurs (observation seulement, aucun travail dangereux, horaires limités). Si un point vous "
                      "pose question, écrivez « parler à quelqu'un » ; pour arrêter, écrivez « annuler ».")
        return {"company_charter": None}


class ActionAskCompanyCharter(TremplinAction):
    action_name = "action_ask_company_charter"

    async def handle(self, turn: Turn) -> list[EventType] | None:
        turn.say(f"Dernière étape : la charte d'accueil.\n\n{CHARTER_TEXT}\n\nAcceptez-vous cette charte ?",
                 buttons=yes_no("J'accepte la charte", "Je n'accepte pas"))
        return None


class ActionAskCompanyConfirm(TremplinAction):
    action_name = "action_ask_company_confirm"

    async def handle(self, turn: Turn) -> list[EventType] | None:
        turn.say("Je récapitule :\n"
                 f"• entreprise : {turn.slot('company_name')}\n"
                 f"• SIRET : {pretty_siret(turn.slot('company_siret') or '')}\n"
                 f"• commune : {turn.slot('company_lieu')}\n"
                 f"• contact : {turn.slot('company_contact')}, {turn.slot('company_phone')} "
                 "(visible seulement par l'élève que vous accepterez)\n"
                 "• charte d'accueil : acceptée\n"
                 "Pour corriger, écrivez par exemple « la commune c'est Roanne ». Je l'enregistre ?",
                 buttons=yes_no("Oui, enregistrer", "Non, annuler"))
        return None


class ActionRegisterCompany(TremplinAction):
    action_name = "action_register_company"

    async def handle(self, turn: Turn) -> list[EventType] | None:
        reset: list[EventType] = [SlotSet(slot, None) for slot in SLOTS]
        account = turn.account
        if account is None:
            turn.say("Je ne vous reconnais pas encore : écrivez /start pour commencer.")
            return reset
        if account.role not in (None, Role.EMPLOYER):
            turn.say(ROLE_CONFLICT)
            return reset
        if account.employer_id is not None and turn.slot("company_confirm") is None:
            employer = await turn.session.get_one(Employer, account.employer_id)
            turn.say(f"Vous êtes déjà inscrit(e) comme contact de {employer.name}. Que souhaitez-vous faire ?",
                     buttons=NEXT_STEPS)
            return reset
        waiting = await pending_request_of(turn.session, account) if account.employer_id is None else None
        if waiting is not None and turn.slot("company_confirm") is None:
            turn.say(waiting_message(*waiting))
            return reset
        if turn.slot("company_confirm") is not True:
            turn.say("D'accord, je n'enregistre rien. Pour recommencer, écrivez « inscrire mon entreprise ».")
            return reset
        registration = await saved(turn, lambda: register_employer(
            turn.session, account, turn.slot("company_siret") or "", turn.slot("company_name") or "",
            turn.slot("company_lieu") or "", turn.slot("company_contact") or "",
            turn.slot("company_phone") or "", turn.slot("company_charter") is True),
            "Pour recommencer, écrivez « inscrire mon entreprise ».")
        if registration is None:
            return reset
        if registration.pending:
            turn.say(registration.message)
        else:
            turn.say(registration.message + "\nVous pouvez maintenant publier une offre de stage.", buttons=NEXT_STEPS)
        return [*reset, SlotSet("role", "entreprise")]
