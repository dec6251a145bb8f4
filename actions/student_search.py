"""Searching stages: the search form's checks (what, where, how far, when) and the first results.

Defaults: the student's own commune (or their collège's), 15 km, and their class's stage week, so a
student who joined a class only says what they look for. The query is kept in the `search_state`
slot for « Voir plus », for widening to 30 then 50 km, and for « je postule à la 2 »."""
from __future__ import annotations

import re
from datetime import date
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.base import TremplinAction, TremplinFormValidation, Turn, typed_text
from actions.student_common import (
    ANY_PERIOD, DEFAULT_RADIUS, WIDER, commune_of_slot, home_commune, load_state, period_of_slot, query_of,
    resolve_wanted, save_state, say_offers, stage_week, wanted_phrase,
)
from actions.student_explore import ask_first_question
from tremplin.answers import (find_commune_in_sentence, is_dont_know, read_commune, read_dates_in_sentence,
                              read_dates_or_dont_know, read_distance, read_one_metier, read_one_wanted, read_wanted)
from tremplin.dates import month_span, parse_periods, zone_for_departement
from tremplin.dates.period import range_label
from tremplin.geography import Commune, get_communes
from tremplin.models import Role, Student
from tremplin.services.accounts import remember_search_profile, student_of
from tremplin.services.errors import DomainError
from tremplin.services.search import search_offers
from tremplin.text import normalize

_DONT_KNOW_JOB = re.compile(r"\b(je sais pas|je ne sais pas|sais pas|jsp|chai pas|aucune idee|pas d idee|"
                            r"je sais plus)\b")
_KM = re.compile(r"(\d{1,3})")


async def _student(turn: Turn) -> Student | None:
    if turn.account is None or turn.account.role is not Role.STUDENT:
        return None
    return await student_of(turn.session, turn.account.id)


class ValidateSearchForm(TremplinFormValidation):
    """Re-asks with a hint, offers « Tu voulais dire … ? » and a choice between homonyms."""

    form = "search_form"
    readers = {"recherche": read_wanted, "lieu": read_commune, "distance": read_distance,
               "periode": read_dates_or_dont_know}
    whole_text = frozenset({"periode"})
    opening = {"periode": read_dates_in_sentence, "recherche": read_one_metier}

    def read_answer(self, tracker: Tracker) -> list:
        """Exactly one trade named in the answer beats the NLU's guess (« agent administratif » is no domain)."""
        if tracker.get_slot("requested_slot") == "recherche" and (text := typed_text(tracker)) \
                and (one := read_one_wanted(text)) is not None:
            return [SlotSet("recherche", one)]
        return super().read_answer(tracker)

    async def _context(self) -> tuple[Student | None, Commune | None, bool]:
        turn = self.turn
        if getattr(self, "_ctx_turn", None) is not turn:
            student = await _student(turn)
            self._ctx = (student, await home_commune(turn, student), stage_week(student) is not None)
            self._ctx_turn = turn
        return self._ctx

    async def required_slots(self, domain_slots: list[str], dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: DomainDict) -> list[str]:
        """Only ask what has no default: the place and the week are known for most students."""
        _, home, has_week = await self._context()
        has_place = home is not None
        given = set(tracker.slots_to_validate()) | {tracker.get_slot("requested_slot")}

        def asked(slot: str, has_default: bool) -> bool:  # typed, being asked, or nothing to fall back on
            return tracker.get_slot(slot) is not None or slot in given or not has_default

        return ["recherche"] + [slot for slot, default in (("lieu", has_place), ("distance", True),
                                                           ("periode", has_week)) if asked(slot, default)]

    async def extract_recherche(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                domain: DomainDict) -> dict[str, Any]:
        """« non plutôt à Feurs » after the results: the same search again, somewhere else or another week."""
        if tracker.get_slot("recherche") or tracker.get_slot("requested_slot") is not None \
                or not (tracker.slots_to_validate().keys() & {"lieu", "periode", "distance"}):
            return {}
        state = load_state(self.turn)
        if not state or not state.get("q"):
            return {}
        self.turn.say(f"Je relance ta recherche « {state['q']} » avec ce changement.")
        return {"recherche": state["q"]}

    async def validate_recherche(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                 domain: DomainDict) -> dict[str, Any]:
        if _DONT_KNOW_JOB.search(normalize(str(value or ""))):
            ask_first_question(self.turn)  # « je sais pas »: the search ends, the quiz starts
            return {"recherche": None, "requested_slot": None}
        wanted = resolve_wanted(str(value or ""))
        if wanted.status == "ok":
            return {"recherche": str(value).strip()}
        if tracker.get_slot("requested_slot") != "recherche":
            return {"recherche": None}  # a word the NLU guessed in passing: the question will be asked
        if wanted.status == "suggestion":
            names = " ou ".join(f"« {s} »" for s in wanted.suggestions[:3])
            self.turn.say(f"Je ne connais pas « {value} ». Tu voulais dire {names} ?", buttons=[
                {"title": s, "payload": f'/inform{{"metier": "{s}"}}'} for s in wanted.suggestions[:3]])
        else:
            dispatcher.utter_message(response="utter_invalid_recherche")
        return {"recherche": None}

    async def validate_lieu(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                            domain: DomainDict) -> dict[str, Any]:
        text = str(value or "").strip()
        if text.lower().startswith("insee:"):
            commune = get_communes().get(text[6:])
            return {"lieu": f"insee:{commune.insee}" if commune else None}
        if tracker.get_slot("requested_slot") is None and read_one_metier(text) is not None:
            # « un stage de maçon vers panissieres »: the NLU took the trade for the town (Mâcon)
            text = find_commune_in_sentence(typed_text(tracker)) or ""
            if not text:
                return {"lieu": None}
        res = get_communes().resolve(text)
        if res.status == "found":
            return {"lieu": f"insee:{res.communes[0].insee}"}
        if res.status in ("unknown", "suggestion") and tracker.get_slot("requested_slot") != "lieu" \
                and read_one_metier(text) is not None:
            return {"lieu": None}  # « chauffeur » is a trade the NLU took for a town, not a misspelt town
        if res.status == "unknown":
            dispatcher.utter_message(response="utter_invalid_lieu")
            return {"lieu": None}
        _, home, _ = await self._context()
        communes = res.communes
        if home is not None and res.status == "ambiguous":  # the homonym next door first
            communes = sorted(communes, key=home.distance_km)
        choices = communes[:5]
        buttons = [{"title": c.label if not text.isdigit() else f"{c.name} ({text})",
                    "payload": f'/inform{{"lieu": "insee:{c.insee}"}}'} for c in choices]
        if res.status == "suggestion":
            names = " ou ".join(c.label for c in choices)
            self.turn.say(f"Je ne trouve pas « {text} ». Tu voulais dire {names} ?", buttons=buttons)
        elif text.isdigit():
            more = " Si la tienne n'est pas dans la liste, écris son nom." if len(communes) > 5 else ""
            self.turn.say(f"Le code postal {text} couvre {len(communes)} communes. Laquelle ?{more}", buttons=buttons)
        else:
            dep = home.departement if home else "42"
            more = f" Pas dans la liste ? Ajoute le département (ex. « {text} {dep} »)." if len(communes) > 5 else ""
            self.turn.say(f"Il y a {len(communes)} communes qui s'appellent « {text} ». Laquelle ?{more}",
                          buttons=buttons)
        return {"lieu": None}

    async def validate_distance(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                domain: DomainDict) -> dict[str, Any]:
        match = _KM.search(str(value or ""))
        if match and 1 <= int(match.group(1)) <= 100:
            return {"distance": match.group(1)}
        if tracker.get_intent_of_latest_message() in ("affirm", "deny") or is_dont_know(str(value)):
            return {"distance": str(int(DEFAULT_RADIUS))}
        dispatcher.utter_message(response="utter_invalid_distance")
        return {"distance": None}

    async def validate_periode(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                               domain: DomainDict) -> dict[str, Any]:
        text = str(value or "").strip()
        if text == ANY_PERIOD or period_of_slot(text):
            return {"periode": text}
        if tracker.get_intent_of_latest_message() == "deny":
            return {"periode": ANY_PERIOD}
        commune = commune_of_slot(tracker.get_slot("lieu"))
        try:
            zone = zone_for_departement(commune.departement) if commune else "A"
        except DomainError:
            zone = None
        try:
            periods = parse_periods(text, date.today(), zone)
        except DomainError as err:
            if is_dont_know(text):  # « je sais pas encore », « jsp »: every date
                return {"periode": ANY_PERIOD}
            month = month_span(text, date.today())  # « en février »: any week of that month will do
            if month is not None:
                return {"periode": f"{month.start.isoformat()}/{month.end.isoformat()}"}
            self.turn.say(err.message)
            return {"periode": None}
        start, end = min(p.start for p in periods), max(p.end for p in periods)
        return {"periode": f"{start.isoformat()}/{end.isoformat()}"}


async def new_state(turn: Turn, student: Student | None) -> dict[str, Any] | str:
    """The query from the form's slots and the student's defaults, or the question still to ask."""
    commune = commune_of_slot(turn.slot("lieu")) or await home_commune(turn, student)
    if commune is None:
        return "Vers où veux-tu chercher ? Donne-moi une ville ou un code postal (ex. « Roanne », « 71100 »)."
    wanted = resolve_wanted(turn.slot("recherche"))
    if wanted.status != "ok":
        return "Je n'ai pas compris quel métier tu cherches : dis-moi par exemple « boulangerie » ou « la santé »."
    distance = turn.slot("distance")
    radius = float(distance) if distance and str(distance).isdigit() else DEFAULT_RADIUS
    slot_period = turn.slot("periode")
    period = None if slot_period == ANY_PERIOD else (period_of_slot(slot_period) or stage_week(student))
    return {"q": turn.slot("recherche"), "lat": commune.lat, "lon": commune.lon, "place": commune.label, "r": radius,
            "rome": wanted.rome_codes, "dom": wanted.domain, "env": wanted.environments,
            "what": wanted_phrase(wanted), "ws": period[0].isoformat() if period else None,
            "we": period[1].isoformat() if period else None, "ids": []}


def _when(state: dict[str, Any]) -> str:
    if not state.get("ws"):
        return ", toutes dates confondues"
    return ", " + range_label(date.fromisoformat(state["ws"]), date.fromisoformat(state["we"]))


async def show_page(turn: Turn, state: dict[str, Any]) -> None:
    """The next 3 offers of the query, then « Voir plus » or an offer to look further away."""
    shown = len(state.get("ids", []))
    result = await search_offers(turn.session, query_of(state, offset=shown))
    radius = int(state["r"])
    if shown == 0 and result.total:
        plural = "s" if result.total > 1 else ""
        turn.say(f"J'ai trouvé {result.total} stage{plural}{state['what']} à moins de {radius} km de "
                 f"{state['place']}{_when(state)} :")
    state["ids"] = list(state.get("ids", [])) + say_offers(turn, result.hits, shown + 1)
    left = result.total - len(state["ids"])
    if left > 0:
        turn.say(f"Il y en a encore {left}.", buttons=[{"title": "Voir plus", "payload": "/show_more"}])
    elif shown == 0 and result.total < 3 and not await _offer_wider(turn, state, result.total) and result.total == 0:
        tips = "Essaie un autre métier ou un domaine plus large" + (", ou d'autres dates" if state.get("ws") else "")
        turn.say(f"Je n'ai trouvé aucun stage{state['what']} à moins de {radius} km de {state['place']}"
                 f"{_when(state)} 😕 {tips}. De nouvelles offres arrivent chaque semaine : reviens voir bientôt !",
                 buttons=[{"title": "Chercher autre chose", "payload": "/search_offers"},
                          {"title": "Je ne sais pas quoi faire", "payload": "/unsure_career"}])
    save_state(turn, state)


async def _offer_wider(turn: Turn, state: dict[str, Any], found: int) -> bool:
    """Fewer than 3 offers: say so, and offer the next radius (30, then 50 km) that finds more."""
    for radius in (r for r in WIDER if r > state["r"]):
        total = (await search_offers(turn.session, query_of(state, radius=radius, limit=0))).total
        if total > found:
            few = (f"Je n'ai trouvé aucun stage{state['what']}" if found == 0
                   else "Je n'ai trouvé qu'un seul stage" if found == 1 else f"Je n'ai trouvé que {found} stages")
            turn.say(f"{few} à moins de {int(state['r'])} km. "
                     f"Jusqu'à {int(radius)} km, il y en a {total} : je regarde plus loin ?", buttons=[
                         {"title": f"Oui, jusqu'à {int(radius)} km",
                          "payload": f'/show_more{{"distance": "{int(radius)}"}}'},
                         {"title": "Chercher autre chose", "payload": "/search_offers"}])
            return True
    return False


async def remember_profile(turn: Turn, student: Student | None, state: dict[str, Any]) -> None:
    """Without a class, the first search gives the student's commune and week (said, never silent)."""
    if student is None or student.class_id is not None:
        return
    lieu = commune_of_slot(turn.slot("lieu"))
    period = period_of_slot(turn.slot("periode"))
    commune_kept, week_kept = await remember_search_profile(turn.session, student, lieu.insee if lieu else None,
                                                            period)
    notes = ([f"{lieu.label} comme ta commune"] if commune_kept and lieu else []) + (
        [f"{range_label(*period)} comme ta semaine de stage"] if week_kept and period else [])
    if notes:
        turn.say("📌 J'ai retenu " + " et ".join(notes) + " pour tes prochaines recherches. "
                 "Si ton prof te donne un code de classe, envoie-le moi : je prendrai les dates de ta classe.")


class ActionSearchOffers(TremplinAction):
    action_name = "action_search_offers"

    async def handle(self, turn: Turn) -> None:
        student = await _student(turn)
        if turn.slot("recherche") is None and _DONT_KNOW_JOB.search(normalize(typed_text(turn.tracker))):
            return  # « je sais pas quoi faire »: the quiz took over (validate_recherche)
        state = await new_state(turn, student)
        for slot in ("recherche", "metier", "domaine", "distance"):
            turn.set(slot, None)  # the next « je cherche un stage » starts a new search
        if isinstance(state, str):
            turn.say(state)
            return
        await show_page(turn, state)
        await remember_profile(turn, student, state)
