"""For everyone, at any moment (rules leave any form first): report a problem, or ask for a person.

A problem report is safety-critical: it is always acknowledged, even for a chat without an account and
even when the database fails (the report is then kept in a local file and logged as CRITICAL for the
operators). Who follows up is said in the answer; the domain's follow-up response adds the numbers
to call (119, 17)."""
from __future__ import annotations

import json
import logging
from datetime import date
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from actions.base import TremplinAction, Turn
from actions.chat import latest_text
from tremplin.db import get_engine, session_scope
from tremplin.models import Account, Role
from tremplin.privacy import Audience, mask
from tremplin.privacy.identifiers import find_application_code
from tremplin.queries.people import account_for, offer_of_own_application, referent_classes
from tremplin.services.accounts import anonymous_account
from tremplin.services.moderation import report_problem, request_handoff
from tremplin.settings import get_settings
from tremplin.tone import says_tu

log = logging.getLogger("tremplin.actions.safety")
FALLBACK_FILE = "signalements-en-attente.jsonl"
NO_DETAIL = "Signalement sans détail (bouton ou message très court) : recontacter la personne."


def _text_of(tracker: Tracker) -> str:
    text = (tracker.latest_message or {}).get("text") or ""
    return NO_DETAIL if text.startswith("/") or len(text.strip()) < 3 else text


def _keep_aside(tracker: Tracker, text: str) -> None:
    """Last resort when the database is down: a local file the operators are told to read."""
    record = {"at": date.today().isoformat(), "sender": tracker.sender_id, "text": mask(text, Audience.REPORT_TO_TEAM).text[:2000]}
    try:
        path = get_settings().data_dir / FALLBACK_FILE
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        log.critical("problem report kept aside in %s (database unavailable)", path)
    except Exception:  # noqa: BLE001 - the log line is then the only trace left
        log.critical("problem report could not be stored anywhere: %s", json.dumps(record, ensure_ascii=False))


async def _offer_of_own_application(session, account: Account, tracker: Tracker) -> int | None:
    """A student naming one of their applications ("C-ABC234") ties the report to that offer and employer."""
    if account.role is not Role.STUDENT:
        return None
    said = " ".join(str(e.get("value") or "") for e in (tracker.latest_message or {}).get("entities") or [])
    code = find_application_code(said + " " + ((tracker.latest_message or {}).get("text") or ""))
    if code is None:
        return None
    return await offer_of_own_application(session, account.id, code)


class ActionReportProblem(Action):
    """Not a TremplinAction: its answer must never be the generic apology."""

    def name(self) -> str:
        return "action_report_problem"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        text = _text_of(tracker)
        tu = True
        try:
            async with session_scope(get_engine()) as session:
                account = await account_for(session, tracker.sender_id)
                if account is None:  # a chat the gateway did not register: the report still gets through
                    account = await anonymous_account(session)
                tu = says_tu(account.role)
                offer_id = await _offer_of_own_application(session, account, tracker)
                receipt = await report_problem(session, account, text, offer_id=offer_id)
            number = receipt.report.id
        except Exception:  # noqa: BLE001 - logged, kept aside, and the user is still answered
            log.exception("problem report for %s could not be recorded", tracker.sender_id[:10])
            _keep_aside(tracker, text)
            number = None
        ref = f" (n° {number})" if number is not None else ""
        if tu:
            dispatcher.utter_message(text=f"C'est noté{ref} : ton signalement est transmis à l'équipe Tremplin, "
                                          "des adultes qui vont le lire et te recontacter ici.")
        else:
            dispatcher.utter_message(text=f"C'est noté{ref} : votre signalement est transmis à l'équipe "
                                          "Tremplin, qui va l'examiner et vous recontacter ici.")
        return []


class ActionHumanHandoff(TremplinAction):
    """Tells who can help (the referent teacher, the Tremplin team) and notifies the team once a day."""

    action_name = "action_human_handoff"

    async def handle(self, turn: Turn) -> list[EventType] | None:
        if turn.account is None:
            log.warning("handoff asked by an unregistered chat %s", turn.tracker.sender_id[:10])
            turn.say("Pour parler à une personne, écris /start puis « parler à un humain » : l'équipe Tremplin "
                     "te répondra ici.")
            return None
        account = turn.account
        excerpt = mask(latest_text(turn), Audience.REPORT_TO_TEAM).text[:300]
        await request_handoff(turn.session, account, excerpt, date.today())
        referents = await referent_classes(turn.session, account)
        if account.role is Role.STUDENT:
            where = f" (classe {referents[0]})" if referents else ""
            turn.say(f"Tu peux aussi en parler directement à ton professeur principal{where} ou au CPE "
                     "de ton collège.")
        elif account.role is Role.PARENT:
            where = f" ({'; '.join(referents)})" if referents else ""
            turn.say(f"Vous pouvez aussi joindre le professeur principal de votre enfant{where} par le "
                     "collège (carnet de liaison ou ENT).")
        elif account.role is Role.TEACHER:
            turn.say("Pour une question sur une entreprise ou une convention, l'équipe Tremplin vous répond ; "
                     "pour l'organisation du stage, le référent stages de votre collège reste votre relais.")
        return None
