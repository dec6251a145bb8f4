"""Run a real Tremplin action against a migrated database, the way the action server would: chats with a
role, trackers (plain and the one `form_tracker` of a form being validated), and what the outbox holds."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

import tremplin.db as db
from tremplin.db import session_scope
from tremplin.models import Account, ChannelIdentity, Notification, Role
from tremplin.privacy.identifiers import external_hash
from tremplin.settings import get_settings
from tremplin.services.accounts import get_or_create_account, set_role


@dataclass
class Outcome:
    messages: list[dict[str, Any]]
    events: list[dict[str, Any]]
    texts: list[str] = field(init=False)

    def __post_init__(self) -> None:
        self.texts = [m.get("text") or "" for m in self.messages]

    @property
    def text(self) -> str:
        return "\n".join(self.texts)

    @property
    def buttons(self) -> list[dict[str, str]]:
        return [b for m in self.messages for b in m.get("buttons") or []]

    def slots(self) -> dict[str, Any]:
        return {e["name"]: e["value"] for e in self.events if e.get("event") == "slot"}


def use_engine(engine: AsyncEngine, monkeypatch) -> None:
    """Point the actions, which use DATABASE_URL like in production, at the test database."""
    url = engine.url.render_as_string(hide_password=False)
    monkeypatch.setenv("DATABASE_URL", url)
    get_settings.cache_clear()
    monkeypatch.setitem(db._engines, get_settings().database_url, engine)


async def chat_user(engine: AsyncEngine, name: str, channel: str = "test") -> str:
    """Register a chat the way the gateway does and return the sender id Rasa would use."""
    async with session_scope(engine) as session:
        await get_or_create_account(session, channel, name)
    return external_hash(channel, name)


async def role_chat(engine: AsyncEngine, name: str, role: Role | None) -> str:
    """A registered chat with this role; returns the sender id Rasa would use."""
    async with session_scope(engine) as s:
        account = await get_or_create_account(s, "test", name)
        if role is not None:
            await set_role(s, account, role)
    return external_hash("test", name)


async def account_of(engine: AsyncEngine, sender: str) -> Account:
    async with session_scope(engine) as s:
        return await s.scalar(select(Account).join(ChannelIdentity).where(ChannelIdentity.external_hash == sender))


async def notes(engine: AsyncEngine, kind: str | None = None) -> list[tuple[int, str]]:
    """(recipient account id, kind) of every outbox row, optionally of one kind."""
    async with session_scope(engine) as s:
        query = select(Notification.recipient_account_id, Notification.kind).order_by(Notification.id)
        if kind:
            query = query.where(Notification.kind == kind)
        return [tuple(row) for row in (await s.execute(query)).all()]


def tracker(sender: str, *, text: str = "", intent: str = "inform", entities: list[dict] | None = None,
            slots: dict[str, Any] | None = None, active_loop: str | None = None,
            requested_slot: str | None = None) -> Tracker:
    slots = dict(slots or {})
    if requested_slot:
        slots["requested_slot"] = requested_slot
    latest = {"text": text, "intent": {"name": intent, "confidence": 1.0}, "entities": entities or []}
    return Tracker(sender, slots, latest, [], False, None, {"name": active_loop} if active_loop else {}, "action_listen")


def form_tracker(sender: str, form: str, slots: dict[str, Any] | None = None, *, requested: str | None,
                 new: dict[str, Any] | None = None, text: str = "", intent: str = "inform",
                 entities: list[dict] | None = None) -> Tracker:
    """What Rasa sends to `validate_<form>`: the form's slots so far, the question waiting (`requested`),
    and `new`, the slots Rasa just extracted from this message, as the latest SlotSet events (the ones the
    validation action checks)."""
    new = dict(new or {})
    all_slots = {**(slots or {}), **new, "requested_slot": requested}
    events = [{"event": "user", "text": text}] + [{"event": "slot", "name": k, "value": v} for k, v in new.items()]
    latest = {"text": text, "intent": {"name": intent, "confidence": 1.0}, "entities": entities or []}
    return Tracker(sender, all_slots, latest, events, False, None, {"name": form}, "action_listen")


def validation_domain(form: str, required: list[str]) -> dict[str, Any]:
    """A domain declaring only this form and its required slots."""
    return {"forms": {form: {"required_slots": required}}, "slots": {name: {} for name in required}}


async def run(action: Action, trk: Tracker, domain: dict | None = None) -> Outcome:
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, trk, domain or {"slots": {}, "forms": {}})
    return Outcome(dispatcher.messages, [dict(e) for e in events])


__all__ = ["Outcome", "SlotSet", "account_of", "chat_user", "form_tracker", "notes", "role_chat", "run", "tracker",
           "use_engine", "validation_domain"]
