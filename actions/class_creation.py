"""Teachers create a class: the collège (by name or UAI), the class name and the stage week give a
join code and a `classe-<CODE>` deep link to hand out to the students.

The collège comes from the `class_school` slot when the domain has it, otherwise from the class name
itself ("3e B, Collège des Sources du Forez", "3B 0429871B"), otherwise from the teacher's other
classes when they all belong to one collège."""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.base import TremplinAction, TremplinFormValidation, Turn
from actions.chat import button, signed_in
from tremplin.answers import read_class_name, read_contact, read_dates, read_named_dates
from tremplin.dates import parse_periods, zone_for_departement
from tremplin.dates.period import range_label
from tremplin.geography.communes import get_communes
from tremplin.models import Role, School
from tremplin.services.classes import clean_teacher_contact, create_class
from tremplin.services.school_choice import SchoolChoice, choose_school, resolve_choice, split_new_school
from tremplin.services.errors import DomainError
from tremplin.settings import get_settings
from tremplin.tone import vous

TEACHERS_ONLY = ("La création de classe est réservée aux professeurs. Si vous enseignez, dites-le-moi "
                 "d'abord (« je suis enseignant »).")
NEW_SCHOOL_HINT = (" Par exemple : « 3e B, 0421234A, Collège Jean-Moulin, Roanne » (classe, code UAI, nom "
                   "du collège, commune).")
def _zone(school: School | None) -> str | None:
    commune = get_communes().get(school.commune_insee) if school else None
    try:
        return zone_for_departement(commune.departement) if commune else "A"
    except DomainError:
        return None


def read_week(text: str, school: School | None, today: date | None = None) -> tuple[date, date, str]:
    periods = parse_periods(text or "", today or date.today(), _zone(school))
    if len(periods) != 1:
        raise DomainError("one_week", "Indiquez une seule semaine de stage pour la classe (par exemple « du 8 "
                          "au 12 décembre ») ; créez une autre classe si certains élèves partent à une autre date.")
    return periods[0].start, periods[0].end, periods[0].label


class ValidateCreateClassForm(TremplinFormValidation):
    form = "create_class_form"
    readers = {"class_name": read_class_name, "class_periode": read_dates, "class_contact": read_contact}
    whole_text = frozenset({"class_name", "class_periode", "class_contact"})
    corrections = {"class_periode": read_named_dates}
    name_slots = frozenset({"class_contact"})

    def _refuse(self, slot: str, err: DomainError) -> dict[str, Any]:
        hint = NEW_SCHOOL_HINT if err.code in ("school_unknown", "school_commune_needed") else ""
        self.turn.say(vous(err.message) + hint)
        return {slot: None}

    def _not_teacher(self, slot: str) -> dict[str, Any] | None:
        account = self.turn.account
        if account is None or account.role not in (None, Role.TEACHER):
            return {slot: None, "requested_slot": None}  # leave the form: action_create_class explains
        return None

    async def _teacher_answer(self, slot: str, read: Callable[[Any], Awaitable[dict[str, Any]]],
                              value: Any) -> dict[str, Any]:
        """`read` the answer of a teacher (other roles leave the form); a refusal is said, then asked again."""
        if refused := self._not_teacher(slot):
            return refused
        try:
            return await read(value)
        except DomainError as err:
            return self._refuse(slot, err)

    async def validate_class_school(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: dict[str, Any]) -> dict[str, Any]:
        return await self._teacher_answer("class_school", self._school, value)

    async def _school(self, value: Any) -> dict[str, Any]:
        turn = self.turn
        school = await resolve_choice(turn.session, SchoolChoice(*split_new_school(str(value)), ""))
        if school is not None:
            turn.say(f"{school.name} ({school.uai}), c'est noté.")
            return {"class_school": school.uai}
        return {"class_school": " ".join(str(value).split())}

    async def validate_class_name(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                  domain: dict[str, Any]) -> dict[str, Any]:
        return await self._teacher_answer("class_name", self._class_name, value)

    async def _class_name(self, value: Any) -> dict[str, Any]:
        turn = self.turn
        choice = await choose_school(turn.session, signed_in(turn), str(value), turn.slot("class_school"))
        await resolve_choice(turn.session, choice)
        if not choice.class_name or len(choice.class_name) > 60:
            turn.say("Le nom de la classe doit faire de 1 à 60 caractères, par exemple « 3e B ».")
            return {"class_name": None}
        return {"class_name": " ".join(str(value).split())}

    async def validate_class_periode(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                     domain: dict[str, Any]) -> dict[str, Any]:
        turn = self.turn
        school = None
        try:
            if turn.account is not None and turn.slot("class_name"):
                choice = await choose_school(turn.session, turn.account, turn.slot("class_name"),
                                             turn.slot("class_school"))
                school = await resolve_choice(turn.session, choice)
        except DomainError:
            school = None
        try:
            start, end, label = read_week(str(value), school)
        except DomainError as err:
            return self._refuse("class_periode", err)
        turn.say(f"Stage {label}, c'est noté.")
        return {"class_periode": f"{start.isoformat()}/{end.isoformat()}"}

    async def validate_class_contact(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                     domain: dict[str, Any]) -> dict[str, Any]:
        try:
            return {"class_contact": clean_teacher_contact(str(value or ""))}
        except DomainError as err:
            return self._refuse("class_contact", err)


def _week_from_slot(value: str | None) -> tuple[date, date]:
    try:
        first, last = str(value).split("/")
        return date.fromisoformat(first), date.fromisoformat(last)
    except ValueError:
        start, end, _ = read_week(str(value or ""), None)
        return start, end


def _share_link(deep_link: str) -> str:
    username = getattr(get_settings(), "telegram_bot_username", None)
    if username:
        return f"https://t.me/{username}?start={deep_link}"
    return f"t.me/<nom du bot>?start={deep_link}"


class ActionCreateClass(TremplinAction):
    action_name = "action_create_class"

    async def handle(self, turn: Turn) -> list[EventType] | None:
        reset = [SlotSet("class_name", None), SlotSet("class_periode", None), SlotSet("class_contact", None)]
        if turn.slot("class_school") is not None:  # only when the domain has this slot
            reset.append(SlotSet("class_school", None))
        if turn.account is None or turn.account.role not in (None, Role.TEACHER):
            turn.say(TEACHERS_ONLY)
            return reset
        try:
            async with turn.session.begin_nested():  # a refusal leaves nothing behind, the slots are reset
                choice = await choose_school(turn.session, turn.account, turn.slot("class_name") or "",
                                             turn.slot("class_school"))
                start, end = _week_from_slot(turn.slot("class_periode"))
                created = await create_class(turn.session, turn.account, choice.school_text, choice.class_name,
                                             start, end, commune_text=choice.commune_text,
                                             teacher_contact=turn.slot("class_contact"))
        except DomainError as err:
            turn.say(vous(err.message) + " Écrivez « créer une classe » pour recommencer.",
                     buttons=[button("Créer une classe", "create_class")])
            return reset
        contact = created.school_class.teacher_contact
        shared = f"Votre contact, donné à l'entreprise qui acceptera un élève : {contact}.\n" if contact else ""
        turn.say(f"La classe {created.school_class.name} ({created.school.name}) est créée ✅\n"
                 f"Semaine de stage : {range_label(start, end)}.\n{shared}\n"
                 f"Code à donner aux élèves : {created.code}\n"
                 f"(ils écrivent « rejoindre ma classe {created.code} »)\n"
                 f"Lien direct à partager : {_share_link(created.deep_link)}\n\n"
                 "Vous verrez ensuite qui a trouvé un stage et qui cherche encore avec « ma classe ».",
                 buttons=[button("Voir ma classe", "class_overview", code=created.code)])
        return [*reset, SlotSet("role", "enseignant")]
