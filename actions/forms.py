"""What the forms share, whatever they ask: their slots in order, free-text answers, forgetting the
answers of an attempt left half-way when the form starts again, and the submission's write."""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from rasa_sdk import Tracker

from actions.base import Turn
from tremplin.services.errors import DomainError

T = TypeVar("T")

# Intents that interrupt a form (answered by rules) never fill a free-text slot.
INTERRUPTIONS = {"cancel", "faq", "help", "human_handoff", "report_problem", "bot_challenge", "goodbye"}


def with_slots(domain_slots: list[str], wanted: list[str]) -> list[str]:
    """The form's slots in `wanted` order, whatever subset the domain lists (custom ones asked too)."""
    return wanted + [s for s in domain_slots if s not in wanted]


def free_text(tracker: Tracker, slot: str) -> dict[str, Any]:
    """Fill `slot` with the raw message when the form is asking for it (custom slot mapping)."""
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    text = (tracker.latest_message.get("text") or "").strip()
    if tracker.get_slot("requested_slot") == slot and intent not in INTERRUPTIONS and text and not text.startswith("/"):
        return {slot: text}
    return {}


def drop_stale(turn: Turn, tracker: Tracker, start_intent: str, slots: list[str]) -> None:
    """When the form starts again, forget the answers of an earlier attempt that was left half-way (cancel,
    report, handoff...): only what this very message says (its entities) prefills the form."""
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    if intent != start_intent or tracker.get_slot("requested_slot") is not None:
        return
    fresh = {str(e.get("value")) for e in tracker.latest_message.get("entities") or []}
    stale = {s for s in slots if tracker.get_slot(s) is not None and str(tracker.get_slot(s)) not in fresh}
    tracker.events[:] = [e for e in tracker.events if not (e.get("event") == "slot" and e.get("name") in stale)]
    for slot in sorted(stale):
        tracker.slots[slot] = None
        turn.set(slot, None)


async def saved(turn: Turn, write: Callable[[], Awaitable[T]], retry: str) -> T | None:
    """What a form's submission writes, in a savepoint: a refusal leaves nothing behind and is said with
    `retry` (how to start again) on the next line; None then."""
    try:
        async with turn.session.begin_nested():
            return await write()
    except DomainError as err:
        turn.say(f"{err.message}\n{retry}")
        return None
