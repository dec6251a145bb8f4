"""The gateway's own crash (bot/telegram_inbox.py), against the fake Bot API and a fake Rasa that
stores its turns like Rasa's SQL tracker store: an update received but not answered before the
crash is answered once at the next start; a turn Rasa had already run is not run again, its
answer is read back from the tracker store and only what was not sent yet is sent; a button whose
token was spent is replayed with its payload. Last, the real thing: the gateway as a process of
its own (tests/support/fault_procs.py), killed with SIGKILL while Rasa holds the turn, then restarted."""
from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select
from telegram import Update

from bot.replies import Button
from bot.storage import TokenStore
from bot.telegram_inbox import Inbox, inbox
from tests.support.fakes.bot_api import FakeBotAPI
from tests.support.fakes.gateway import GatewayRunner, answered_before_the_crash, gateway_with_inbox
from tests.support.fakes.rasa_server import FakeRasa, text
from tests.support.fault_stack import front, front_env, start_front
from tremplin.privacy.identifiers import external_hash

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")

PUPIL = 777000333
SCRIPT = {"mon code c FEURS-3A": [text("Bienvenue en 3e A !"), text("Que cherches-tu ?")],
          '/choose{"n": 2}': [text("Deuxième offre choisie.")]}


@pytest.fixture
async def env(tmp_path) -> AsyncIterator[tuple[FakeBotAPI, FakeRasa, GatewayRunner, Inbox]]:
    async with gateway_with_inbox(tmp_path, SCRIPT) as parts:
        yield parts


async def left(box: Inbox, settle: int | None = None) -> int:
    for _ in range(50):
        async with box.engine.connect() as conn:
            count = await conn.scalar(select(func.count()).select_from(inbox))
        if settle is None or count == settle:
            break
        await asyncio.sleep(0.1)
    return count


async def test_an_update_received_before_a_crash_is_answered_once_at_start(env) -> None:
    api, rasa, gateway, box = env
    update = api.message_update(PUPIL, text="mon code c FEURS-3A")
    await box.receive([Update.de_json(update, None)])   # what InboxBot did before the crash
    await gateway.start()
    await api.wait_until(lambda: "Que cherches-tu ?" in api.texts(PUPIL))
    api.push_text(PUPIL, "merci")
    await api.wait_until(lambda: "Tu as dit : merci" in api.texts(PUPIL))
    sender = external_hash("telegram", PUPIL)
    assert rasa.messages_from(sender) == ["mon code c FEURS-3A", "merci"]
    assert rasa.metadata[0]["tg_update"] == box.marker(update["update_id"])
    assert api.texts(PUPIL) == ["Bienvenue en 3e A !", "Que cherches-tu ?", "Tu as dit : merci"]
    assert await left(box, settle=0) == 0


async def test_a_turn_rasa_had_run_is_finished_from_the_tracker_store(env) -> None:
    api, rasa, gateway, box = env
    # Rasa ran the turn and the gateway had sent the first message when it died.
    update, sender = await answered_before_the_crash(api, rasa, box, PUPIL, "mon code c FEURS-3A")
    await box.progress(update["update_id"], 1)
    await gateway.start()
    await api.wait_until(lambda: "Que cherches-tu ?" in api.texts(PUPIL))
    await asyncio.sleep(0.3)
    assert api.texts(PUPIL) == ["Que cherches-tu ?"]
    assert rasa.messages_from(sender) == []          # never run twice
    assert await left(box, settle=0) == 0


async def test_a_button_spent_before_a_crash_is_replayed_with_its_payload(env) -> None:
    api, rasa, gateway, box = env
    sender = external_hash("telegram", PUPIL)
    tokens = TokenStore(gateway.engine)
    token = (await tokens.issue(sender, [Button("Offre 2", '/choose{"n": 2}')]))[0]
    message = {"message_id": 5, "date": 0, "chat": {"id": PUPIL, "type": "private"}, "text": "Laquelle ?"}
    update = {"update_id": 9001, "callback_query": {"id": "cq1", "from": api.user(PUPIL), "chat_instance": "ci",
                                                     "message": message, "data": token}}
    await box.receive([Update.de_json(update, None)])
    await box.record_button(9001, '/choose{"n": 2}', "Offre 2")  # what the gateway keeps first
    assert (await tokens.redeem(token, sender)).status == "ok"     # spent, then the crash
    await gateway.start()
    await api.wait_until(lambda: "Deuxième offre choisie." in api.texts(PUPIL))
    assert rasa.messages_from(sender) == ['/choose{"n": 2}']
    assert await left(box, settle=0) == 0


async def test_kill_9_of_the_gateway_process_while_rasa_holds_the_turn(env, tmp_path) -> None:
    api, rasa, gateway, box = env
    rasa.delays["lent"] = 1.5
    url = str(gateway.engine.url)
    service = front("gateway", tmp_path, front_env(api, url, rasa.url, f"sqlite:///{rasa.tracker_path}")
                    | {"TREMPLIN_DATA_DIR": str(tmp_path / "var")})
    sender = external_hash("telegram", PUPIL)
    try:
        await asyncio.to_thread(start_front, service)
        api.push_text(PUPIL, "mon code c FEURS-3A")
        await api.wait_until(lambda: "Que cherches-tu ?" in api.texts(PUPIL), 20)
        api.push_text(PUPIL, "lent")
        await api.wait_until(lambda: "lent" in rasa.messages_from(sender), 20)
        service.kill()                # Rasa still holds the turn; it finishes and stores it
        await asyncio.sleep(2.0)
        api.push_text(PUPIL, "merci")  # sent while the gateway is down
        await asyncio.to_thread(start_front, service)
        await api.wait_until(lambda: "Tu as dit : merci" in api.texts(PUPIL), 30)
    finally:
        service.stop()
    assert rasa.messages_from(sender) == ["mon code c FEURS-3A", "lent", "merci"]  # « lent » once
    assert api.texts(PUPIL) == ["Bienvenue en 3e A !", "Que cherches-tu ?", "Tu as dit : lent", "Tu as dit : merci"]
    assert await left(box, settle=0) == 0


async def test_in_webhook_mode_the_update_is_kept_before_telegram_hears_ok(env) -> None:
    """Telegram forgets a webhook call answered 200: the row must exist by then; if the database
    cannot take it, 503 makes Telegram call again later."""
    from aiohttp.test_utils import TestClient, TestServer
    from telegram.ext import ApplicationBuilder

    from bot.telegram_webhook import SECRET_HEADER, webhook_app

    api, _, _, box = env
    application = ApplicationBuilder().token(api.token).base_url(api.base_url).build()
    update = api.message_update(PUPIL, text="bonjour")

    class Down(Inbox):
        async def receive(self, updates) -> None:  # type: ignore[override]
            raise ConnectionRefusedError("database down")

    for inbox_, status, rows in ((Down(box.engine, box.bot_key), 503, 0), (box, 200, 1)):
        async with TestClient(TestServer(webhook_app(application, "s3cret", "/hook", inbox_))) as client:
            response = await client.post("/hook", json=update, headers={SECRET_HEADER: "s3cret"})
            assert response.status == status
        assert await left(box) == rows
