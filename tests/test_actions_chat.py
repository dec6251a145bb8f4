"""Shared helpers of the action tests for adults (chats with a role, forms, notes), and the chat helpers
(buttons) and small readers they rely on."""
from __future__ import annotations

from rasa_sdk import Tracker
from sqlalchemy import select

from actions.chat import button
from actions.parents import clean_link_code
from tremplin.db import session_scope
from tremplin.models import Account, ChannelIdentity, Notification, Role
from tremplin.privacy.identifiers import external_hash
from tremplin.services.accounts import get_or_create_account, set_role


async def role_chat(engine, name: str, role: Role | None) -> str:
    """A registered chat with this role; returns the sender id Rasa would use."""
    async with session_scope(engine) as s:
        account = await get_or_create_account(s, "test", name)
        if role is not None:
            await set_role(s, account, role)
    return external_hash("test", name)


async def account_of(engine, sender: str) -> Account:
    async with session_scope(engine) as s:
        return await s.scalar(select(Account).join(ChannelIdentity).where(ChannelIdentity.external_hash == sender))


async def notes(engine, kind: str | None = None) -> list[tuple[int, str]]:
    """(recipient account id, kind) of every outbox row, optionally of one kind."""
    async with session_scope(engine) as s:
        query = select(Notification.recipient_account_id, Notification.kind).order_by(Notification.id)
        if kind:
            query = query.where(Notification.kind == kind)
        return [tuple(row) for row in (await s.execute(query)).all()]


def test_link_codes_are_read_from_what_parents_type():
    assert clean_link_code("P-ABCD2345") == "P-ABCD2345"
    assert clean_link_code("voici le code : p abcd 2345 merci") == "P-ABCD2345"
    assert clean_link_code("parent-P-ABCD2345") == "P-ABCD2345"  # the deep link's start parameter
    assert clean_link_code("ABCD2345") == "P-ABCD2345"
    assert clean_link_code("il ne me l'a pas donné") is None
    assert clean_link_code("P-ABC") is None


def test_buttons_carry_intent_and_entities():
    assert button("Voir", "class_overview") == {"title": "Voir", "payload": "/class_overview"}
    assert button("Valider", "approve_offer", nombre=12)["payload"] == '/approve_offer{"nombre": "12"}'


def form_tracker(sender: str, form: str, required: list[str], slot: str, value, *, slots: dict | None = None,
                 text: str = "", intent: str = "inform", entities: list[dict] | None = None) -> tuple[Tracker, dict]:
    """A tracker as Rasa sends it to `validate_<form>` right after extracting `slot`, and its domain."""
    all_slots = {**(slots or {}), slot: value, "requested_slot": slot}
    latest = {"text": text, "intent": {"name": intent, "confidence": 1.0}, "entities": entities or []}
    events = [{"event": "user", "text": text}, {"event": "slot", "name": slot, "value": value}]
    trk = Tracker(sender, all_slots, latest, events, False, None, {"name": form}, "action_listen")
    return trk, {"forms": {form: {"required_slots": required}}, "slots": {name: {} for name in required}}
