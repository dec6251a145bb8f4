"""Webhook mode (secret checked before anything is parsed) and notifications delivered to Telegram."""
from __future__ import annotations

import socket

import aiohttp
from sqlalchemy import select

from bot.deliverers import TelegramDeliverer
from bot.notifier import Notifier
from tests.support.fakes.bot_api import FakeBotAPI
from tests.support.fakes.db import migrated_sqlite
from tests.support.fakes.gateway import GatewayRunner
from tests.support.fakes.rasa_server import FakeRasa
from tremplin.db import session_scope
from tremplin.models import Notification, Role
from tremplin.services.accounts import get_or_create_account
from tremplin.services.outbox import enqueue


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_webhook_checks_the_secret_token(tmp_path) -> None:
    api, rasa = FakeBotAPI(), FakeRasa()
    await api.start()
    await rasa.start()
    engine = await migrated_sqlite(tmp_path)
    port = free_port()
    gateway = GatewayRunner(api, rasa.url, engine).with_config(
        webhook_url=f"http://127.0.0.1:{port}/telegram/hook", webhook_listen=f"127.0.0.1:{port}")
    await gateway.start()
    try:
        assert api.webhook["url"] == f"http://127.0.0.1:{port}/telegram/hook"
        assert api.webhook["secret_token"] == gateway.config.webhook_secret
        update = api.message_update(42, text="bonjour")
        url = api.webhook["url"]
        async with aiohttp.ClientSession() as http:
            async with http.post(url, json=update) as r:
                assert r.status == 403
            async with http.post(url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"}) as r:
                assert r.status == 403
            async with http.post(url, data=b"not json",
                                 headers={"X-Telegram-Bot-Api-Secret-Token": api.webhook["secret_token"]}) as r:
                assert r.status == 400
            async with http.post(url, json=update,
                                 headers={"X-Telegram-Bot-Api-Secret-Token": api.webhook["secret_token"]}) as r:
                assert r.status == 200
            async with http.get(f"http://127.0.0.1:{port}/healthz") as r:
                assert r.status == 200
        await api.wait_messages(42, 1)
        assert api.texts(42) == ["Tu as dit : bonjour"] and len(rasa.received) == 1
        assert not any(c[0] == "getUpdates" for c in api.calls)
    finally:
        await gateway.stop()
        await engine.dispose()
        await rasa.stop()
        await api.stop()


async def test_notifications_reach_the_telegram_chat(tmp_path) -> None:
    api = FakeBotAPI()
    await api.start()
    engine = await migrated_sqlite(tmp_path)
    async with session_scope(engine) as session:
        student = await get_or_create_account(session, "telegram", 5550001, 5550001)
        student.role = Role.STUDENT
        blocked = await get_or_create_account(session, "telegram", 5550002, 5550002)
        await session.flush()
        await enqueue(session, student.id, "application_accepted", "n1", code="C-QWE234", offer_title="Véto")
        await enqueue(session, blocked.id, "application_accepted", "n2", code="C-QWE235", offer_title="Véto")
    api.fail_next["sendMessage"].append((403, "Forbidden: bot was blocked by the user", None))
    deliverer = TelegramDeliverer(api.token, api.base_url)
    await deliverer.start()
    try:
        await Notifier(engine, {"telegram": deliverer}).run_once()
    finally:
        await deliverer.close()
    # Row n1 went first and hit the injected 403; n2 was delivered.
    async with session_scope(engine) as session:
        rows = {r.idempotency_key: r for r in await session.scalars(select(Notification))}
    assert rows["n1"].sent_at is None and rows["n1"].last_error == "blocked by user" and rows["n1"].attempts == 8
    assert rows["n2"].sent_at is not None
    assert api.texts(5550002) == ["🎉 Bonne nouvelle ! Ta candidature C-QWE235 pour « Véto » a été acceptée. "
                                  "Prochaine étape : la convention de stage avec ton collège."]
    await engine.dispose()
    await api.stop()
