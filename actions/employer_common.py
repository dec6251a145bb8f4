"""What the employer actions share: who the company is, offer references in button payloads, the
number of places and the date parser's messages said with « vous » (tremplin.tone)."""
from __future__ import annotations

import re
from abc import ABC, abstractmethod
from datetime import date
from typing import Any

from rasa_sdk.events import EventType

from actions.base import TremplinAction, Turn
from tremplin.dates import parse_periods, zone_for_departement
from tremplin.dates.rules import check_period_for_stage
from tremplin.models import Employer, Offer
from tremplin.services.employer_contacts import pending_request_of, waiting_message
from tremplin.services.employers import resolve_commune
from tremplin.services.errors import DomainError
from tremplin.tone import vous

# Button payloads only use entities the domain already declares: `code` carries "O-<id>" for an offer
# (optionally ":<operation>"), "env:<tag>" for an environment, "C-XXXXXX" for an application.
OFFER_CODE = re.compile(r"\bO-(\d{1,9})(?::([a-z]+))?\b", re.IGNORECASE)

NOT_EMPLOYER = ("Cette fonction est réservée aux entreprises inscrites. Pour inscrire la vôtre, écrivez "
                "« inscrire mon entreprise » : cela prend deux minutes.")

async def current_employer(turn: Turn) -> Employer | None:
    """The company of the account talking, or None after telling them how to register."""
    account = turn.account
    employer = await turn.session.get(Employer, account.employer_id) if account and account.employer_id else None
    if employer is None:
        waiting = await pending_request_of(turn.session, account) if account else None
        if waiting:
            turn.say(waiting_message(*waiting))
        else:
            turn.say(NOT_EMPLOYER, buttons=[{"title": "Inscrire mon entreprise", "payload": "/register_company"}])
    return employer


class EmployerAction(TremplinAction, ABC):
    """An action of a registered company's contact; anyone else is told how to register (current_employer)."""

    async def handle(self, turn: Turn) -> list[EventType] | None:
        employer = await current_employer(turn)
        if employer is None:
            return None
        return await self.for_employer(turn, employer)

    @abstractmethod
    async def for_employer(self, turn: Turn, employer: Employer) -> list[EventType] | None:
        """The action, for this company."""


def commune_answer(turn: Turn, slot: str, value: Any) -> dict[str, Any]:
    """A form's answer naming the company's or the offer's commune: its label, or why it is refused."""
    try:
        return {slot: resolve_commune(str(value or "")).label}
    except DomainError as err:
        turn.say(err.message)
        return {slot: None}


def offer_ref(text: str | None) -> tuple[int | None, str | None]:
    match = OFFER_CODE.search(text or "")
    if not match:
        return None, None
    return int(match[1]), (match[2] or "").lower() or None


def offer_code(offer: Offer, operation: str | None = None) -> str:
    return f"O-{offer.id}" + (f":{operation}" if operation else "")


def periods_from_slot(value: str | None) -> list[tuple[date, date]]:
    """Slot format "2026-12-07/2026-12-11;2027-01-11/2027-01-15" (written by the form validation)."""
    periods = []
    for chunk in (value or "").split(";"):
        if "/" in chunk:
            start, end = chunk.split("/", 1)
            periods.append((date.fromisoformat(start.strip()), date.fromisoformat(end.strip())))
    return periods


def read_periods(text: str, departement: str | None, today: date) -> list[tuple[date, date]]:
    """The stage weeks typed in French, checked against the rules (future, one week at most); the
    school zone of the département resolves "vacances de février". Refusals say why, with "vous"."""
    try:
        zone = zone_for_departement(departement) if departement else "A"
    except DomainError:
        zone = None  # Corsica, overseas: holidays by name are refused with a hint, dates still work
    try:
        periods = parse_periods(text, today, zone)
    except DomainError as err:
        raise DomainError(err.code, vous(err.message)) from err
    problems = [f"« {p.label} » : {problem}" for p in periods for problem in check_period_for_stage(p, today)]
    if problems:
        raise DomainError("period_rules", "\n".join(problems) + "\nIndiquez des semaines à venir, du lundi au "
                          "vendredi, par exemple « la semaine du 7 décembre » ou « du 11 au 15 janvier ».")
    return [(p.start, p.end) for p in periods]


def periods_to_slot(periods: list[tuple[date, date]]) -> str:
    return ";".join(f"{s.isoformat()}/{e.isoformat()}" for s, e in periods)
