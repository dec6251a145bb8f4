"""Run a real Tremplin action against a migrated database, the way the action server would."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.ext.asyncio import AsyncEngine

import tremplin.db as db
from tremplin.db import session_scope
from tremplin.privacy.identifiers import external_hash
from tremplin.settings import get_settings
from tremplin.services.accounts import get_or_create_account


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


def tracker(sender: str, *, text: str = "", intent: str = "inform", entities: list[dict] | None = None,
            slots: dict[str, Any] | None = None, active_loop: str | None = None,
            requested_slot: str | None = None) -> Tracker:
    slots = dict(slots or {})
    if requested_slot:
        slots["requested_slot"] = requested_slot
    latest = {"text": text, "intent": {"name": intent, "confidence": 1.0}, "entities": entities or []}
    return Tracker(sender, slots, latest, [], False, None, {"name": active_loop} if active_loop else {}, "action_listen")


async def run(action: Action, trk: Tracker, domain: dict | None = None) -> Outcome:
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, trk, domain or {"slots": {}, "forms": {}})
    return Outcome(dispatcher.messages, [dict(e) for e in events])


__all__ = ["Outcome", "SlotSet", "chat_user", "run", "tracker", "use_engine"]
