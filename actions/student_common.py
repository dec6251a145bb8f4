"""What the student actions share: finding the student, reading what they look for and where,
and showing an offer without ever revealing the employer (name, street address, contact)."""
from __future__ import annotations

import json
import re
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from rasa_sdk.events import EventType

from actions.base import TremplinAction, Turn
from tremplin.dates.period import range_label
from tremplin.geography import Commune, commune_label, get_communes
from tremplin.metiers import ENVIRONMENTS, get_referentiel, resolve_environments
from tremplin.models import Role, Student
from tremplin.privacy import public_text
from tremplin.queries.people import school_commune_of_class
from tremplin.services.accounts import student_of
from tremplin.services.search import OfferHit, SearchQuery
from tremplin.text import normalize

DEFAULT_RADIUS = 15.0
WIDER = (15.0, 30.0, 50.0)  # the radii offered when fewer than 3 offers are found
PAGE = 3
ANY_PERIOD = "toutes"
OFFER_REF = re.compile(r"\bO-(\d{1,9})\b", re.IGNORECASE)
PERIOD_SLOT = re.compile(r"^(\d{4}-\d{2}-\d{2})/(\d{4}-\d{2}-\d{2})$")
_ANYTHING = {"peu importe", "n importe", "n importe quoi", "n importe lequel", "tout", "tous", "toutes",
             "tout metier", "tous les metiers", "egal", "m en fiche", "pas de preference"}

ROLE_BUTTONS = [{"title": "Je suis élève", "payload": '/declare_role{"role": "eleve"}'},
                {"title": "Je suis une entreprise", "payload": '/declare_role{"role": "entreprise"}'},
                {"title": "Je suis parent", "payload": '/declare_role{"role": "parent"}'},
                {"title": "Je suis enseignant·e", "payload": '/declare_role{"role": "enseignant"}'}]


async def student_or_explain(turn: Turn, what: str) -> Student | None:
    """The student behind this chat, or None after saying why the action is refused."""
    if turn.account is None:
        turn.say("Je ne te reconnais pas encore : écris /start pour commencer.")
        return None
    if turn.account.role is None:
        turn.say(f"Pour {what}, dis-moi d'abord qui tu es :", buttons=ROLE_BUTTONS)
        return None
    if turn.account.role is not Role.STUDENT:
        turn.say(f"Cette fonction est réservée aux élèves : elle sert à {what}. "
                 "Écrivez « aide » pour voir ce que je peux faire pour vous.")
        return None
    return await student_of(turn.session, turn.account.id)



class StudentAction(TremplinAction, ABC):
    """A pupil's action; anyone else is told why not (student_or_explain), `doing` naming what it is for."""

    doing: str  # « Cette fonction … sert à {doing} »

    async def handle(self, turn: Turn) -> list[EventType] | None:
        student = await student_or_explain(turn, self.doing)
        if student is None:
            return None
        return await self.for_student(turn, student)

    @abstractmethod
    async def for_student(self, turn: Turn, student: Student) -> list[EventType] | None:
        """The action, for this pupil."""

# --- what the student looks for ------------------------------------------------------------------

@dataclass
class Wanted:
    """What `recherche` means: métiers, a domain, environments, anything, or a guess to confirm."""

    status: str  # "ok", "suggestion", "unknown"
    label: str = ""
    rome_codes: list[str] = field(default_factory=list)
    domain: str | None = None
    environments: list[str] = field(default_factory=list)
    suggestions: list[str] = field(default_factory=list)


def offered_value(turn: Turn, payload: re.Pattern[str], key: str) -> str | None:
    """`key` of the first button of the bot's last message whose payload (`/intent{json}`) matches
    `payload` and gives it a value: what a typed answer to that message means (quiz, « plus loin ? »)."""
    for event in reversed(turn.tracker.events or []):
        if event.get("event") != "bot":
            continue
        for button in (event.get("data") or {}).get("buttons") or []:
            match = payload.match(str(button.get("payload") or ""))
            if match:
                try:
                    value = json.loads(match.group(1)).get(key)
                except (ValueError, AttributeError):
                    continue
                if value:
                    return str(value)
        return None
    return None


def env_words(tags: list[str]) -> str:
    return ", ".join(ENVIRONMENTS[t].lower() for t in tags if t in ENVIRONMENTS)


def metiers_for_environments(tags: list[str], limit: int = 5):
    return get_referentiel().by_environments([t for t in tags if t in ENVIRONMENTS], limit=limit)


def resolve_wanted(text: str | None) -> Wanted:
    """Métier first ("véto"), then a domain ("la santé"), then environments ("dehors avec des animaux")."""
    raw = (text or "").strip()
    if raw.startswith("env:"):
        tags = [t for t in raw[4:].split(",") if t in ENVIRONMENTS]
        metiers = metiers_for_environments(tags)
        return Wanted("ok", env_words(tags), rome_codes=sorted({m.rome for m in metiers}), environments=tags)
    ref = get_referentiel()
    if raw.startswith("dom:") and raw[4:].strip().upper() in ref.domains:
        letter = raw[4:].strip().upper()
        return Wanted("ok", ref.domains[letter], domain=letter)
    norm = normalize(raw)
    if not norm or norm in _ANYTHING:
        return Wanted("ok", "")
    res = ref.resolve(raw)
    if res.status in ("found", "ambiguous"):
        labels = list(dict.fromkeys(m.label for m in res.metiers))
        label = labels[0] if len(labels) == 1 else f"« {raw} »"  # « informatique »: all its métiers
        return Wanted("ok", label, rome_codes=sorted({m.rome for m in res.metiers}))
    tags = resolve_environments(raw)
    domain = ref.resolve_domain(raw)
    if domain and len(tags) <= 1:
        return Wanted("ok", ref.domains[domain], domain=domain)
    if tags:
        return Wanted("ok", env_words(tags), environments=tags)
    if res.status == "suggestion":
        return Wanted("suggestion", suggestions=list(dict.fromkeys(m.label for m in res.metiers)))
    return Wanted("unknown")


def wanted_phrase(wanted: Wanted) -> str:
    if wanted.environments:
        return f" ({wanted.label})"
    if wanted.domain:
        return f" dans le domaine « {wanted.label} »"
    if not wanted.label:
        return ""
    if wanted.label.startswith("«"):
        return f" en {wanted.label}"
    label = wanted.label.lower()
    return f" d'{label}" if normalize(label)[:1] in "aeiouyh" else f" de {label}"


# --- where and when ----------------------------------------------------------------------------

def commune_of_slot(value: str | None) -> Commune | None:
    """The `lieu` slot holds "insee:42094" once validated; accept a plain name too."""
    if not value:
        return None
    value = str(value).strip()
    if value.lower().startswith("insee:"):
        return get_communes().get(value[6:])
    res = get_communes().resolve(value)
    return res.commune


async def home_commune(turn: Turn, student: Student | None) -> Commune | None:
    """The student's own commune, else their collège's: where searches start by default."""
    if student is None:
        return None
    communes = get_communes()
    if student.home_commune_insee and communes.get(student.home_commune_insee):
        return communes.get(student.home_commune_insee)
    if student.class_id:
        insee = await school_commune_of_class(turn.session, student.class_id)
        if insee:
            return communes.get(insee)
    return None


def period_of_slot(value: str | None) -> tuple[date, date] | None:
    match = PERIOD_SLOT.match(str(value or ""))
    if not match:
        return None
    return date.fromisoformat(match.group(1)), date.fromisoformat(match.group(2))


def stage_week(student: Student | None) -> tuple[date, date] | None:
    if student is not None and student.stage_start:
        return student.stage_start, student.stage_end or student.stage_start
    return None


# --- showing offers ----------------------------------------------------------------------------

def distance_words(km: float) -> str:
    return "à moins d'1 km" if km < 1 else f"à {round(km)} km"


def offer_buttons(offer_id: int) -> list[dict[str, str]]:
    return [{"title": "Détails", "payload": f'/show_more{{"code": "O-{offer_id}"}}'},
            {"title": "Postuler", "payload": f'/apply{{"code": "O-{offer_id}"}}'}]


def offer_card(number: int, hit: OfferHit) -> str:
    """Title, métier, commune and distance, dates, places left: never the employer."""
    offer, period = hit.offer, hit.period
    places = "1 place restante" if offer.places_left == 1 else f"{offer.places_left} places restantes"
    return (f"{number}. {public_text(offer.title)} ({offer.metier_label})\n"
            f"📍 {commune_label(offer.commune_insee)}, {distance_words(hit.distance_km)}\n"
            f"📅 {range_label(period.start_date, period.end_date)}\n"
            f"👤 {places}")


def say_offers(turn: Turn, hits: list[OfferHit], first_number: int) -> list[int]:
    for i, hit in enumerate(hits):
        turn.say(offer_card(first_number + i, hit), buttons=offer_buttons(hit.offer.id))
    return [hit.offer.id for hit in hits]


# --- the search kept between turns (slot `search_state`) ---------------------------------------

def load_state(turn: Turn) -> dict[str, Any] | None:
    raw = turn.slot("search_state")
    if not raw:
        return None
    try:
        state = json.loads(raw) if isinstance(raw, str) else dict(raw)
    except (TypeError, ValueError):
        return None
    return state if isinstance(state, dict) and "lat" in state and "lon" in state else None


def save_state(turn: Turn, state: dict[str, Any]) -> None:
    state["ids"] = list(state.get("ids", []))[-30:]
    turn.set("search_state", json.dumps(state, ensure_ascii=False, separators=(",", ":")))


# « la première », « la 2e », « la dernière » (accents folded by tremplin.text.normalize)
ORDINALS = {"premier": 1, "premiere": 1, "1er": 1, "1ere": 1, "1re": 1, "deuxieme": 2, "second": 2,
            "seconde": 2, "2e": 2, "2eme": 2, "troisieme": 3, "3e": 3, "3eme": 3, "quatrieme": 4, "4e": 4,
            "4eme": 4, "cinquieme": 5, "5e": 5, "5eme": 5, "dernier": -1, "derniere": -1}
POSITION_WORDS = 8  # « je postule à la première stp » is a choice; a longer text is something else


def list_position(text: str) -> int | None:
    """The place in the list a short answer names: « 2 », « la 2 », « je postule à la première »,
    « la dernière » (-1). None when it names none, or several numbers."""
    words = normalize(text).split()
    if not words or len(words) > POSITION_WORDS:
        return None
    for word in words:
        if word in ORDINALS:
            return ORDINALS[word]
    numbers = [word for word in words if word.isdigit() and len(word) <= 2]
    return int(numbers[0]) if len(numbers) == 1 else None


def offer_id_from(value: Any, state: dict[str, Any] | None) -> int | None:
    """"O-123" (a button) is an offer id; "2", "la 2" or "la première" is a place in the list shown."""
    text = str(value or "").strip()
    refs = OFFER_REF.findall(text)
    if refs:
        return int(refs[-1])  # the reference is written last ("« titre » (réf. O-12)")
    position = list_position(text)
    ids = (state or {}).get("ids") or []
    if position == -1 and ids:
        return int(ids[-1])
    if position is not None and 1 <= position <= len(ids):
        return int(ids[position - 1])
    return None


def query_of(state: dict[str, Any], radius: float | None = None, offset: int = 0, limit: int = PAGE) -> SearchQuery:
    week = (date.fromisoformat(state["ws"]), date.fromisoformat(state["we"])) if state.get("ws") else (None, None)
    return SearchQuery(lat=state["lat"], lon=state["lon"], radius_km=radius or state["r"],
                       rome_codes=state.get("rome") or None, domain=state.get("dom"),
                       environments=(state.get("env") or None) if not state.get("rome") else None,
                       week_start=week[0], week_end=week[1], limit=limit, offset=offset)
