"""What the forms share, whatever they ask: their slots in order, free-text answers, forgetting the
answers of an attempt left half-way when the form starts again, a correction typed at the recap, and the
submission's write."""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.base import LEAVING, TremplinFormValidation, Turn, latest_intent, typed_text
from actions.chat import button
from tremplin.answers.corrections import Amendable, Correction, Corrections, read_corrections
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


CORRECT = "corriger:"  # a button of « which answer? »: `code` entity "corriger:<slot>"


def listed(labels: list[str]) -> str:
    """« la commune », « la commune et le téléphone », « le SIRET, la commune et le téléphone »."""
    return labels[0] if len(labels) == 1 else f"{', '.join(labels[:-1])} et {labels[-1]}"


class RecapForm(TremplinFormValidation):
    """A form that ends on a recap (« Je l'enregistre ? »): a reply that says no but carries corrections
    (« non en fait c'est Roanne », « non je préfère Roanne », « non c'est Roanne et le tel c'est 06 … »)
    changes every answer it names or whose kind its values have, each checked by the slot's validate_
    method, says which were changed, and the recap is shown again; « non c'est pas Feurs » asks the commune
    again; a part whose answer is unclear is said back and asks which one (buttons), keeping every answer.
    A plain « non » still refuses the recap.
    The reading is tremplin.answers.corrections; subclasses say which answers and their words."""

    recap: str  # the recap's yes/no slot
    # slot → (« la commune », how users name it and a strict reader of its values given unnamed)
    amendable: dict[str, tuple[str, Amendable]] = {}
    recap_example: str = "« la commune c'est Roanne »"
    _reading: Corrections | None = None  # this message's corrections, said once the new values are checked

    def read_answer(self, tracker: Tracker) -> list[EventType]:
        if tracker.get_slot("requested_slot") != self.recap or latest_intent(tracker) in LEAVING:
            return super().read_answer(tracker)
        text = typed_text(tracker)
        picked = self._picked(tracker)
        reading = Corrections((Correction(picked, self._said_before(tracker, picked)),)) if picked else \
            read_corrections(text, self._fields(), self._shown(tracker))
        if reading is None or (not reading.changes and any(strict(text) for strict in self.corrections.values())):
            return super().read_answer(tracker)  # a plain yes or no, or the form's own strict corrections
        self.not_an_answer(tracker, self.recap)  # not a « non »: the recap is shown again after the changes
        self._reading = reading
        for change in reading.changes:
            if change.field and change.value is None:  # « non, la commune »: asked again, the others kept
                tracker.slots[change.field] = None
                self.turn.set(change.field, None)
        return [SlotSet(change.field, change.value) for change in reading.changes
                if change.field and change.value is not None]  # checked by the slots' validate_ methods

    async def get_validation_events(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: dict[str, Any]) -> list[EventType]:
        said = len(dispatcher.messages)
        events = await super().get_validation_events(dispatcher, tracker, domain)
        if self._reading is not None:  # what was changed first, then why a new value was refused
            refusals = dispatcher.messages[said:]
            del dispatcher.messages[said:]
            self._say_changes(self._reading, tracker, " ".join(str(m.get("text") or "") for m in refusals))
            dispatcher.messages.extend(refusals)
            self._ask_unclear(self._reading)
        return events

    def _say_changes(self, reading: Corrections, tracker: Tracker, why_refused: str) -> None:
        """The answers changed; each new value its check refused, said back unless the check's words (which
        come next, then the question again) already do; the answers asked again."""
        changed = [self.amendable[c.field][0] for c in reading.changes
                   if c.field and c.value is not None and tracker.get_slot(c.field) is not None]
        if changed:
            self.turn.say(self.turn.t(f"Je corrige {listed(changed)} 👍", f"Je corrige {listed(changed)}."))
        for change in reading.changes:
            if change.field and change.value and tracker.get_slot(change.field) is None \
                    and change.value not in why_refused:
                self.turn.say(f"Je n'ai pas pu prendre « {change.value} » pour {self.amendable[change.field][0]} :")
        for change in reading.changes:
            if change.field and change.value is None:
                label = self.amendable[change.field][0]
                wrong = f"ce n'est pas « {change.was} » : " if change.was else ""
                self.turn.say(self.turn.t(f"D'accord, {wrong}on change {label}.",
                                          f"D'accord, {wrong}changeons {label}."))

    def _ask_unclear(self, reading: Corrections) -> None:
        """Each part whose answer is unclear, said back; the first asked about with buttons."""
        if not reading.unclear:
            return
        for other in reading.unclear[1:]:
            if other.value:
                self.turn.say(self.turn.t(
                    f"Je n'ai pas su à quelle réponse va « {other.value} » : écris-le par exemple comme "
                    f"{self.recap_example}.",
                    f"Je n'ai pas su à quelle réponse va « {other.value} » : écrivez-le par exemple comme "
                    f"{self.recap_example}."))
        self._which(reading.unclear[0])

    def _fields(self) -> dict[str, Amendable]:
        return {slot: amendable for slot, (_, amendable) in self.amendable.items()}

    def _shown(self, tracker: Tracker) -> dict[str, str]:
        """The answers the recap shows (« c'est pas Feurs » names one of them)."""
        return {slot: str(value) for slot in self.amendable if (value := tracker.get_slot(slot)) is not None}

    def _picked(self, tracker: Tracker) -> str | None:
        """The answer chosen with a button of « which answer? »."""
        for value in tracker.get_latest_entity_values("code"):
            slot = str(value)[len(CORRECT):] if str(value).startswith(CORRECT) else None
            if slot in self.amendable:
                return slot
        return None

    def _said_before(self, tracker: Tracker, slot: str) -> str | None:
        """The value typed in the message that asked « which answer? » (« non en fait c'est Martin Dupont »),
        now that `slot` was chosen: used, not typed again."""
        typed = [e.get("text") or "" for e in tracker.events if e.get("event") == "user"]
        if len(typed) < 2:
            return None
        before = read_corrections(typed[-2], self._fields(), self._shown(tracker))
        unclear = next((c for c in before.unclear if slot in c.candidates), None) if before else None
        return unclear.value if unclear else None

    def _which(self, correction: Correction) -> None:
        given = f"« {correction.value} » : " if correction.value else ""
        text = self.turn.t(
            f"{given}quelle réponse veux-tu changer ? Touche-la (je garde les autres), ou écris par exemple "
            f"{self.recap_example}.",
            f"{given}quelle réponse voulez-vous changer ? Touchez-la (je garde les autres), ou écrivez par "
            f"exemple {self.recap_example}.")
        buttons = [button(self.amendable[slot][0][:1].upper() + self.amendable[slot][0][1:], "inform",
                          code=f"{CORRECT}{slot}") for slot in correction.candidates]
        self.turn.say(text[:1].upper() + text[1:], buttons=buttons)
