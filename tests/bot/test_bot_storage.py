"""The gateway's own tables on both backends: single-use button tokens (also under a race) and
processed update ids that survive a restart."""
from __future__ import annotations

import asyncio

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.replies import Button
from bot.storage import TokenStore, UpdateLog, ensure_tables


async def test_tokens_are_single_use_per_message_even_under_a_race(engine: AsyncEngine) -> None:
    await ensure_tables(engine)
    await ensure_tables(engine)  # idempotent
    store = TokenStore(engine)
    yes, no = await store.issue("alice", [Button("Oui", "/affirm"), Button("Non", "/deny")])
    results = await asyncio.gather(*(store.redeem(t, "alice") for t in [yes, no, yes, no, yes]))
    assert sorted(r.status for r in results) == ["ok", "used", "used", "used", "used"]
    assert (await store.redeem("nope", "alice")).status == "unknown"
    [other] = await store.issue("alice", [Button("Peut-être", "/maybe")])
    assert (await store.redeem(other, "bob")).status == "unknown"
    assert (await store.redeem(other, "alice")).payload == "/maybe"
    assert await store.prune(max_age_days=-1) == 3


async def test_update_log_dedups_across_a_restart(engine: AsyncEngine) -> None:
    await ensure_tables(engine)
    log = UpdateLog(engine, "bot-a")
    assert await log.first_time(10) and await log.first_time(11)
    assert not await log.first_time(10)
    await log.close()
    restarted = UpdateLog(engine, "bot-a")
    await restarted.load()
    assert not await restarted.first_time(11) and await restarted.first_time(12)
    other_bot = UpdateLog(engine, "bot-b")
    await other_bot.load()
    assert await other_bot.first_time(10)  # update ids are per bot
    await restarted.close()
    await other_bot.close()
    await log.flush()  # re-recording the same ids is harmless
    assert await restarted.prune(max_age_days=-1) == 4
