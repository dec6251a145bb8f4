"""Messages waiting for Rasa survive a gateway restart: kept in the database while Rasa is down,
answered once after the restart, never twice even when Telegram delivers the update again."""
from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace

import pytest
from sqlalchemy import func, select

from bot import texts
from bot.storage import pending_turns
from tests.support.fakes.bot_api import FakeBotAPI
from tests.support.fakes.db import migrated_sqlite
from tests.support.fakes.gateway import TEST_CONFIG, GatewayRunner
from tests.support.fakes.rasa_server import FakeRasa, text
from tremplin.privacy.identifiers import external_hash

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")

PUPIL = 777000222
SLOW_RETRIES = replace(TEST_CONFIG, retry_delays=(30.0, 30.0))  # the restart comes before any retry


@pytest.fixture
async def env(tmp_path) -> AsyncIterator[tuple[FakeBotAPI, FakeRasa, GatewayRunner]]:
    api, rasa = FakeBotAPI(), FakeRasa({"mon code c FEURS-3A": [text("Bienvenue en 3e A !")]})
    await api.start()
    await rasa.start()
    engine = await migrated_sqlite(tmp_path)
    gateway = GatewayRunner(api, rasa.url, engine, SLOW_RETRIES)
    yield api, rasa, gateway
    await gateway.stop()
    await engine.dispose()
    await rasa.stop()
    await api.stop()


async def kept(gateway: GatewayRunner, settle: int | None = None) -> int:
    """Kept messages; with `settle`, wait (5 s at most) for that count: the row is deleted just
    after the answer is sent."""
    for _ in range(50):
        async with gateway.engine.connect() as conn:
            count = await conn.scalar(select(func.count()).select_from(pending_turns))
        if settle is None or count == settle:
            return count
        await asyncio.sleep(0.1)
    return count


async def test_a_message_kept_while_rasa_is_down_is_answered_once_after_a_restart(env) -> None:
    api, rasa, gateway = env
    await gateway.start()
    rasa.down = True
    update = api.push_text(PUPIL, "mon code c FEURS-3A")
    await api.wait_until(lambda: texts.BUSY in api.texts(PUPIL))
    assert await kept(gateway) == 1
    await gateway.stop()          # stops at once: the turn stays kept instead of holding the stop
    assert await kept(gateway) == 1
    rasa.down = False
    await gateway.start()
    await api.wait_until(lambda: "Bienvenue en 3e A !" in api.texts(PUPIL))
    api.push_raw(update)          # Telegram sends it again: already handled
    api.push_text(PUPIL, "merci")
    await api.wait_until(lambda: "Tu as dit : merci" in api.texts(PUPIL))
    sender = external_hash("telegram", PUPIL)
    assert rasa.messages_from(sender) == ["mon code c FEURS-3A", "merci"]  # once each, in order
    assert api.texts(PUPIL) == [texts.BUSY, "Bienvenue en 3e A !", "Tu as dit : merci"]
    assert await kept(gateway, settle=0) == 0   # the text is gone once answered
    await gateway.restart()           # nothing left to deliver
    api.push_text(PUPIL, "ok")
    await api.wait_until(lambda: "Tu as dit : ok" in api.texts(PUPIL))
    assert rasa.messages_from(sender).count("mon code c FEURS-3A") == 1


async def test_an_answer_within_the_retries_forgets_the_kept_message(env) -> None:
    api, rasa, gateway = env
    gateway = gateway.with_config(retry_delays=(0.3, 0.5))
    await gateway.start()
    try:
        rasa.down = True
        api.push_text(PUPIL, "mon code c FEURS-3A")
        await api.wait_until(lambda: texts.BUSY in api.texts(PUPIL))
        rasa.down = False
        await api.wait_until(lambda: "Bienvenue en 3e A !" in api.texts(PUPIL))
        assert await kept(gateway, settle=0) == 0
    finally:
        await gateway.stop()


async def test_rasa_still_down_after_the_restart_keeps_the_message(env) -> None:
    api, rasa, gateway = env
    await gateway.start()
    rasa.down = True
    api.push_text(PUPIL, "mon code c FEURS-3A")
    await api.wait_until(lambda: texts.BUSY in api.texts(PUPIL))
    await gateway.restart()     # Rasa still down: retried, then kept again at the stop
    await gateway.stop()
    assert await kept(gateway) == 1
    rasa.down = False
    await gateway.start()
    await api.wait_until(lambda: "Bienvenue en 3e A !" in api.texts(PUPIL))
    assert api.texts(PUPIL).count("Bienvenue en 3e A !") == 1
    assert await kept(gateway, settle=0) == 0
