"""The answers kept for a turn run twice: keyed by the action's place in the turn, kept only when
the action wrote, purged after a day, erased with the account."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tremplin.db import session_scope
from tremplin.models import TurnResult, utcnow
from tremplin.services import turn_results


def test_the_key_names_the_update_the_action_and_its_step() -> None:
    events = [{"event": "user"}, {"event": "action", "name": "apply_form"}]
    key = turn_results.turn_key("s", events, {"tg_update": "b:1"}, "action_apply")
    assert key == turn_results.turn_key("s", list(events), {"tg_update": "b:1", "tg_again": True}, "action_apply")
    assert key != turn_results.turn_key("s", events + [{"event": "slot"}], {"tg_update": "b:1"}, "action_apply")
    assert key != turn_results.turn_key("s", events, {"tg_update": "b:2"}, "action_apply")
    assert key != turn_results.turn_key("t", events, {"tg_update": "b:1"}, "action_apply")
    assert turn_results.turn_key("s", events, {}, "action_apply") is None


async def test_kept_only_after_a_write_then_purged_or_erased(engine) -> None:
    async with session_scope(engine, write=True) as session:
        await turn_results.keep(session, "k-read", "s1", {"messages": [], "events": []})
    async with session_scope(engine, write=True) as session:
        session.add(TurnResult(key="k-other", sender="s2", result={}))  # the action's own write
        await session.flush()
        await turn_results.keep(session, "k-write", "s1", {"messages": [{"text": "ok"}], "events": []})
    async with session_scope(engine) as session:
        assert await turn_results.replayed(session, "k-read") is None
        assert await turn_results.replayed(session, "k-write") == {"messages": [{"text": "ok"}], "events": []}
    async with session_scope(engine, write=True) as session:
        await turn_results.forget(session, ["s1"])
        assert await turn_results.purge(session, utcnow() + timedelta(hours=23)) == 0
        assert await turn_results.purge(session, utcnow() + timedelta(days=1, minutes=1)) == 1
    async with session_scope(engine) as session:
        assert list(await session.scalars(select(TurnResult.key))) == []
