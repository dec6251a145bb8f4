"""What every Tremplin action shares: the account behind the pseudonymous sender, one database
transaction per action, French answers for refused operations, and never a stack trace to a user."""
from __future__ import annotations

import asyncio
import copy
import logging
import random
import re
import traceback
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from tremplin.answers import read_free_text, read_yes_no
from tremplin.db import Session, database_busy, get_engine, retry_unavailable, session_scope
from tremplin.models import Account, Role
from tremplin.queries.people import account_for
from tremplin.services import turn_results
from tremplin.services.errors import DomainError
from tremplin.services.turn_results import turn_key
from tremplin.tone import says_tu

log = logging.getLogger("tremplin.actions")

ROLE_SLOT = {Role.STUDENT: "eleve", Role.EMPLOYER: "entreprise", Role.PARENT: "parent",
             Role.TEACHER: "enseignant", Role.ADMIN: "enseignant"}
BUSY_RETRIES = 5  # SQLite: a whole class joining at once waits its turn instead of failing
DB_WAIT = 15.0    # seconds a turn waits for a PostgreSQL that restarts, instead of « Oups »
SORRY = ("Oups, quelque chose s'est mal passé de mon côté. Rien n'est perdu : "
         "réessaie dans un instant, ou écris « aide ».")


@dataclass
class Turn:
    """One action run: who is talking, what they said, and where the answers go."""

    session: Session
    tracker: Tracker
    dispatcher: CollectingDispatcher
    account: Account | None
    events: list[EventType] = field(default_factory=list)

    @property
    def is_student(self) -> bool:
        return self.account is not None and self.account.role is Role.STUDENT

    @property
    def formal(self) -> bool:
        """« tu » for pupils, « vous » for everyone else, a user without a role yet included (tremplin.tone)."""
        return not says_tu(self.account.role if self.account else None)

    def t(self, tu: str, vous: str) -> str:
        return vous if self.formal else tu

    def say(self, text: str, buttons: list[dict[str, str]] | None = None) -> None:
        self.dispatcher.utter_message(text=text, buttons=buttons or [])

    def slot(self, name: str) -> Any:
        return self.tracker.get_slot(name)

    def entity(self, name: str) -> str | None:
        value = next(self.tracker.get_latest_entity_values(name), None)
        return str(value) if value is not None else None

    def set(self, name: str, value: Any) -> None:
        self.events.append(SlotSet(name, value))

    @property
    def pseudonym(self) -> str:
        return self.account.pseudonym if self.account else "anonyme"


async def _attempt(name: str, dispatcher: CollectingDispatcher, tracker: Tracker, body) -> list[EventType]:
    """The turn, run again when the database could not take it (it is one transaction, rolled back,
    and what a failed try was about to say is dropped):
    - PostgreSQL restarting (connections cut or refused): again for up to `DB_WAIT` seconds instead of
      « Oups », on the tracker itself (copying it took 13 % of the action server's time under load);
    - SQLite contention (« database is locked »): again on a fresh copy of the tracker, bounded.
    A turn Rasa runs a second time (sent again after a crash: `tg_again`) gets back what this action
    answered the first time if it changed the database then (tremplin/services/turn_results)."""
    metadata = (tracker.latest_message or {}).get("metadata") or {}
    key = turn_key(tracker.sender_id, tracker.events, metadata, name)

    async def once(this_try: Tracker) -> list[EventType]:
        said = len(dispatcher.messages)
        try:
            # write=True: on SQLite the turn waits for the write lock at BEGIN (busy_timeout) instead
            # of failing on its first write after another process wrote (a stale WAL snapshot).
            async with session_scope(get_engine(), write=True) as session:
                if key is not None and metadata.get("tg_again"):
                    done = await turn_results.replayed(session, key)
                    if done is not None:
                        log.info("%s for %s: this turn already ran, its answer is given again", name,
                                 tracker.sender_id[:10])
                        dispatcher.messages.extend(done["messages"])
                        return list(done["events"])
                turn = Turn(session, this_try, dispatcher, await account_for(session, tracker.sender_id))
                result = await body(turn)
                events = turn.events + list(result or [])
                if key is not None:
                    await turn_results.keep(session, key, tracker.sender_id,
                                            {"messages": dispatcher.messages[said:], "events": events})
                return events
        except Exception:
            del dispatcher.messages[said:]  # rolled back: what it was about to say did not happen
            raise

    if get_engine().dialect.name != "sqlite":
        return await retry_unavailable(lambda: once(tracker), f"turn of {tracker.sender_id[:10]}", DB_WAIT)
    for attempt in range(BUSY_RETRIES + 1):
        try:
            return await once(copy.deepcopy(tracker) if attempt < BUSY_RETRIES else tracker)
        except Exception as err:
            if attempt == BUSY_RETRIES or not database_busy(err):
                raise
            log.info("database busy for %s, try %d again", tracker.sender_id[:10], attempt + 2)
            await asyncio.sleep(random.uniform(0.02, 0.1) * (attempt + 1))
    raise AssertionError("unreachable")  # pragma: no cover


def trace_without_values(exc: BaseException) -> str:
    """Where it failed (files, lines, exception types), never the messages: `int("zorglub")` or a
    validation error would otherwise copy what the user typed into the action server's log."""
    parts: list[str] = []
    seen: set[int] = set()
    link: BaseException | None = exc
    while link is not None and id(link) not in seen:
        seen.add(id(link))
        parts.append("".join(traceback.format_tb(link.__traceback__)) + type(link).__qualname__)
        link = link.__cause__ or link.__context__
    return "\n-- caused by --\n".join(parts)


async def _in_turn(name: str, dispatcher: CollectingDispatcher, tracker: Tracker, body) -> list[EventType]:
    try:
        return await _attempt(name, dispatcher, tracker, body)
    except DomainError as err:
        log.info("%s refused for %s: %s", name, tracker.sender_id[:10], err.code)
        dispatcher.utter_message(text=err.message)
        return []
    except Exception as exc:  # noqa: BLE001 - the user gets a French apology, the log gets the trace
        log.error("%s failed for %s\n%s", name, tracker.sender_id[:10], trace_without_values(exc))
        dispatcher.utter_message(text=SORRY)
        return []


class TremplinAction(Action, ABC):
    """Subclasses set `action_name` and implement `handle(turn)`; errors never reach the user raw.
    Abstract, so that rasa-sdk's package scan does not register this base as an action named ""."""

    action_name: str = ""

    def name(self) -> str:
        return self.action_name

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        return await _in_turn(self.action_name, dispatcher, tracker, self.handle)

    @abstractmethod
    async def handle(self, turn: Turn) -> list[EventType] | None:
        """The action's turn: parse, call one service, word the answer."""


# Intents that leave a form (the NLU lets them through only with words that say so: nlu/guards.py).
LEAVING = frozenset({"cancel", "human_handoff", "report_problem"})
# Intents answered by a rule before the form asks again (data/rules/): taken only when the message
# is not an answer of the kind asked.
ANSWERED_IN_PASSING = frozenset({"faq", "help", "bot_challenge", "out_of_scope", "thank", "greet", "goodbye",
                                 "join_class"})


# « Jean Annule », « Marie-Claire Stop », « M. Dupont-Arrêt »: every word capitalised, 2 to 4 of them.
_CAPITALISED_NAME = re.compile(r"^(?:(?:M|Mme|Mlle|Mr)\.?\s+)?[A-ZÀ-Ý][a-zà-ÿ'’]+(?:[- ][A-ZÀ-Ý][a-zà-ÿ'’]+){1,3}$")
LONG_ANSWER_WORDS = 8  # a free answer this long is an answer, whatever words it holds


def latest_intent(tracker: Tracker) -> str | None:
    return (tracker.latest_message.get("intent") or {}).get("name")


def typed_text(tracker: Tracker) -> str:
    """What the user typed; empty for a button (its payload carries the value)."""
    text = (tracker.latest_message.get("text") or "").strip()
    return "" if text.startswith("/") else text


class TremplinFormValidation(FormValidationAction):
    """Form validation with the same database scope; `validate_<slot>` methods get `turn` via self.turn.

    Answer first: `readers` maps a slot to a typed reader (tremplin/answers); while that slot is asked,
    the message is read as its answer whatever the intent, and the slot's `validate_` method checks it
    (saying why and asking again when refused). Only explicit words leave the form (LEAVING); a FAQ
    or a greeting is answered in passing only when the message is not an answer of the kind asked.
    A reader marked `whole_text` beats an entity the NLU found (two weeks in one answer); otherwise
    the entity, already normalised, is kept.

    The action server keeps ONE instance per action and serves requests concurrently: each run works
    on a fresh instance, so two users' validations never see each other's session or account."""

    readers: dict[str, Callable[[str], Any]] = {}
    whole_text: frozenset[str] = frozenset()
    # Strict readers of slots already answered: « ah non pardon, 2 places » while another question waits
    # corrects that answer (said, then the question waiting is asked again).
    corrections: dict[str, Callable[[str], Any]] = {}
    # Readers of the sentence that opens the form (« stage de boulanger à Feurs du 11 au 15 janvier,
    # 1 place »): where they read the whole sentence, they beat the NLU's entity (« 1 » is no date).
    opening: dict[str, Callable[[str], Any]] = {}
    name_slots: frozenset[str] = frozenset()  # answered with a person's name (« Jean Annule » is a name)
    turn: Turn

    @property
    @abstractmethod
    def form(self) -> str:
        """The form validated; subclasses set `form = "<name>_form"`. Abstract, so that rasa-sdk's
        package scan does not register this base as an action named "validate_"."""

    async def get_extraction_events(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: dict[str, Any]) -> list[EventType]:
        events = await super().get_extraction_events(dispatcher, tracker, domain)
        tracker.add_slots(events)
        answer = self.read_answer(tracker)
        asked = tracker.get_slot("requested_slot")
        if any(e.get("name") != asked for e in answer):  # a correction: the text answered nothing asked now
            events = [e for e in events if e.get("name") != asked]
        return events + answer

    def read_answer(self, tracker: Tracker) -> list[EventType]:
        """The message read as the answer to the slot being asked (see the class docstring)."""
        slot = tracker.get_slot("requested_slot")
        if slot is None and (text := typed_text(tracker)):
            return [SlotSet(name, value) for name, reader in self.opening.items()
                    if (value := reader(text)) is not None]
        reader = self.readers.get(slot)
        text = typed_text(tracker)
        intent = latest_intent(tracker)
        if not slot or not text or intent == "join_class" or (intent in LEAVING and not self._still_an_answer(
                slot, text, intent)):
            return []  # a class code typed mid-form joins the class first (data/rules/)
        if reader in (None, read_yes_no) and (fixed := self._correction(tracker, slot, text)):
            return fixed  # « non, c'est 2 places » to « Je la publie ? » or to the buttons' question
        if reader is None:
            return []
        value = reader(text)
        found_by_nlu = slot in tracker.slots_to_validate()
        if value is not None and (slot in self.whole_text or not found_by_nlu):
            return [SlotSet(slot, value)]
        if value is None and (fixed := self._correction(tracker, slot, text)):
            return fixed
        if value is not None or found_by_nlu or intent in ANSWERED_IN_PASSING:
            return []
        if reader is read_yes_no:  # neither yes nor no: never guess, ask again
            self.turn.say(self.turn.t("Réponds-moi par « oui » ou par « non », s'il te plaît (ou « annuler » "
                                      "pour tout arrêter).", "Répondez par « oui » ou par « non », s'il vous "
                                      "plaît (ou « annuler » pour tout arrêter)."))
            self.turn.set("answer_refused", slot)
            return []
        return [SlotSet(slot, text)]  # not an answer of that kind: the check says why and asks again

    def _still_an_answer(self, slot: str, text: str, intent: str) -> bool:
        """« Jean Annule », « Claire Stop » to « who will welcome the pupil? »; a motivation that ends with
        « appelez-moi au … »: words that leave a form, inside an answer of the kind asked. A report of a
        problem always leaves (safety first)."""
        reader = self.readers.get(slot)
        if intent == "report_problem" or reader is None:
            return False
        if slot in self.name_slots:
            return _CAPITALISED_NAME.match(text.strip()) is not None
        return reader is read_free_text and len(text.split()) >= LONG_ANSWER_WORDS

    def _correction(self, tracker: Tracker, slot: str, text: str) -> list[EventType]:
        """A strict reading of an earlier answer: that slot is corrected, the question waiting stays."""
        for other, strict in self.corrections.items():
            if other != slot and tracker.get_slot(other) is not None and (fixed := strict(text)) is not None:
                self.not_an_answer(tracker, slot)
                self.turn.say(self.turn.t("Je corrige ta réponse précédente 👍", "Je corrige votre réponse "
                                          "précédente."))
                return [SlotSet(other, fixed)]
        return []

    def not_an_answer(self, tracker: Tracker, slot: str) -> None:
        """This message did not answer `slot` (the question waiting stays open): what Rasa's own mapping
        filled from it (« non » → False) is undone, for this validation and for Rasa."""
        tail = len(tracker.events)
        while tail and tracker.events[tail - 1].get("event") == "slot":
            tail -= 1
        tracker.events[tail:] = [e for e in tracker.events[tail:] if e.get("name") != slot]
        tracker.slots[slot] = None
        self.turn.set(slot, None)

    def name(self) -> str:
        return f"validate_{self.form}"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        async def body(turn: Turn) -> list[EventType]:
            worker = type(self)()  # a fresh one each try
            worker.turn = turn
            return await FormValidationAction.run(worker, dispatcher, turn.tracker, domain)
        return await _in_turn(self.name(), dispatcher, tracker, body)
