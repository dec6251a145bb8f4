"""The role a user declares is stored on their account, and cannot be switched by chat afterwards."""
from __future__ import annotations

from sqlalchemy import select

from actions.session import ActionSetRole
from tests.support.actions import chat_user, run, tracker, use_engine
from tremplin.db import session_scope
from tremplin.models import Account, Role, Student


async def test_declared_role_is_stored_and_kept(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    sender = await chat_user(engine, "42")
    out = await run(ActionSetRole(), tracker(sender, intent="declare_role",
                                             entities=[{"entity": "role", "value": "eleve"}]))
    assert out.slots() == {"role": "eleve"}
    async with session_scope(engine) as s:
        account = await s.scalar(select(Account))
        assert account.role is Role.STUDENT
        assert await s.scalar(select(Student).where(Student.account_id == account.id)) is not None
    # Trying to become an employer afterwards only puts the slot back to the real role.
    out = await run(ActionSetRole(), tracker(sender, intent="declare_role",
                                             entities=[{"entity": "role", "value": "entreprise"}]))
    assert out.slots() == {"role": "eleve"}


async def test_a_role_typed_with_its_accents_is_understood(engine, monkeypatch):
    """« je suis élève » reaches the action as the user's own « élève » (what the model gives)."""
    use_engine(engine, monkeypatch)
    sender = await chat_user(engine, "44")
    out = await run(ActionSetRole(), tracker(sender, intent="declare_role",
                                             entities=[{"entity": "role", "value": "Élève"}]))
    assert out.slots() == {"role": "eleve"} and not out.buttons
    async with session_scope(engine) as s:
        assert (await s.scalar(select(Account))).role is Role.STUDENT


async def test_unknown_role_gets_buttons(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    sender = await chat_user(engine, "43")
    out = await run(ActionSetRole(), tracker(sender, intent="declare_role"))
    assert "élève" in out.text and len(out.buttons) == 4
