"""A message Telegram took just before a kill -9, and whose mark was never written, is not sent
again (bot/sent_log.py): the gateway replaying a turn and the notifier claiming a notification
again first look for it on screen, by an edit that changes nothing, and never touch a message of
another text. Against the fake Bot API, which answers edits as Telegram does (« message is not
modified », « message can't be edited » for a user's message)."""
from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import pytest
from telegram import Update

from bot.deliverers import TelegramDeliverer
from bot.notification_texts import render_notification
from bot.notifier import Notifier
from bot.sent_log import SentLog, already_shown, bot_key, bot_sent
from bot.telegram_inbox import Inbox
from tests.support.fakes.bot_api import FakeBotAPI
from tests.support.fakes.db import migrated_sqlite
from tests.support.fakes.gateway import GatewayRunner, answered_before_the_crash, gateway_with_inbox
from tests.support.fakes.rasa_server import FakeRasa, text
from tests.support.notifier import notified_account, outbox_rows, queue_notification
from tremplin.models import Role
from tremplin.privacy.identifiers import external_hash

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")

PUPIL = 777000444
SCRIPT = {"mon code c FEURS-3A": [text("Bienvenue en 3e A !"),
                                  text("Que cherches-tu ?", ("Un métier", "/search"), ("Je sais pas", "/explore"))]}


@pytest.fixture
async def env(tmp_path) -> AsyncIterator[tuple[FakeBotAPI, FakeRasa, GatewayRunner, Inbox, SentLog]]:
    async with gateway_with_inbox(tmp_path, SCRIPT) as (api, rasa, gateway, box):
        sent_log = SentLog(box.engine, bot_key(api.token))
        await sent_log.setup()
        yield api, rasa, gateway, box, sent_log


async def _answered_once(api: FakeBotAPI) -> list[str]:
    await api.wait_until(lambda: "Que cherches-tu ?" in api.texts(PUPIL))
    await asyncio.sleep(0.5)  # anything sent twice would be there by now
    return api.texts(PUPIL)


async def test_every_message_the_gateway_sends_is_logged_under_its_turn(env) -> None:
    api, rasa, gateway, box, sent_log = env
    await gateway.start()
    update = api.push_text(PUPIL, "mon code c FEURS-3A")
    await _answered_once(api)
    ids = [m["message_id"] for m in api.sent[PUPIL]]
    assert await sent_log.known(PUPIL, 0) == set(ids)
    assert await sent_log.find(f"u:{box.marker(update['update_id'])}:1") == ids[1]


async def test_a_message_taken_by_telegram_just_before_the_kill_is_not_sent_again(env) -> None:
    api, rasa, gateway, box, sent_log = env
    update, sender = await answered_before_the_crash(api, rasa, box, PUPIL, "mon code c FEURS-3A")
    # The dead gateway had sent the first message; the kill came before its mark and its log.
    api._new_message({"chat_id": PUPIL}, text="Bienvenue en 3e A !")
    # Meanwhile the pupil typed again, and the notifier sent (and logged) a notification.
    api.push_text(PUPIL, "allo ?")
    notification = api._new_message({"chat_id": PUPIL}, text="🔔 Ta candidature a été acceptée")
    await sent_log.record(PUPIL, notification["message_id"], "n:1")
    await gateway.start()
    assert (await _answered_once(api))[:3] == ["Bienvenue en 3e A !", "🔔 Ta candidature a été acceptée",
                                              "Que cherches-tu ?"]
    assert api.texts(PUPIL).count("Bienvenue en 3e A !") == 1
    assert not any(m.get("edited") for m in api.sent[PUPIL])       # nothing on screen changed
    assert rasa.messages_from(sender) == ["allo ?"]                  # the turn itself never ran twice


async def test_a_keyboard_taken_just_before_the_kill_is_recognised_and_still_works(env) -> None:
    api, rasa, gateway, box, sent_log = env
    await gateway.start()
    api.push_text(PUPIL, "mon code c FEURS-3A")
    await _answered_once(api)
    first_run = [dict(m) for m in api.sent[PUPIL]]
    await gateway.stop()
    # Same turn again as after a kill between the keyboard's send and its mark: the update is still
    # in the inbox, Rasa had answered, the first message was marked, the keyboard was not.
    update_id = int(rasa.metadata[-1]["tg_update"].split(":")[1])
    update = api.message_update(PUPIL, text="mon code c FEURS-3A")
    update["update_id"], update["message"]["message_id"] = update_id, first_run[0]["message_id"] - 1
    await box.receive([Update.de_json(update, None)])
    await box.progress(update_id, 1)
    async with sent_log.engine.begin() as conn:  # its log line was never written
        await conn.execute(bot_sent.delete().where(bot_sent.c.message_id == first_run[1]["message_id"]))
    await gateway.start()
    await asyncio.sleep(1.0)
    assert api.texts(PUPIL) == ["Bienvenue en 3e A !", "Que cherches-tu ?"]
    assert api.sent[PUPIL][1]["reply_markup"] == first_run[1]["reply_markup"]
    api.press(PUPIL, api.sent[PUPIL][1], "Un métier")
    await api.wait_until(lambda: rasa.messages_from(external_hash("telegram", PUPIL))[-1:] == ["/search"])


async def test_a_message_never_taken_is_sent_after_the_checks(env) -> None:
    api, rasa, gateway, box, sent_log = env
    update, sender = await answered_before_the_crash(api, rasa, box, PUPIL, "mon code c FEURS-3A")
    await gateway.start()   # Rasa had answered, the kill came before the first send
    assert await _answered_once(api) == ["Bienvenue en 3e A !", "Que cherches-tu ?"]
    assert sum(1 for method, _ in api.calls if method == "editMessageText") <= 12  # bounded


async def test_the_check_never_overwrites_a_known_message_of_another_text(env) -> None:
    api, rasa, gateway, box, sent_log = env
    await api._m_getMe({})
    mine = api._new_message({"chat_id": PUPIL}, text="Une autre réponse")
    await sent_log.record(PUPIL, mine["message_id"], None)
    deliverer = TelegramDeliverer(api.token, api.base_url)
    await deliverer.start()
    try:
        found = await already_shown(deliverer.bot, sent_log, PUPIL, mine["message_id"] - 1, text="Bonjour")
    finally:
        await deliverer.close()
    assert found is None
    assert api.sent[PUPIL][0]["text"] == "Une autre réponse" and not api.sent[PUPIL][0].get("edited")


async def test_a_notification_sent_before_the_kill_is_marked_not_sent_again(tmp_path) -> None:
    api = FakeBotAPI()
    await api.start()
    engine = await migrated_sqlite(tmp_path)
    student = await notified_account(engine, PUPIL, Role.STUDENT)
    info = {"code": "C-ABC234", "offer_title": "Boulangerie Martin", "week_start": "2027-01-11"}
    deliverer = TelegramDeliverer(api.token, api.base_url, engine=engine)
    await deliverer.start()
    await deliverer.bot.send_message(PUPIL + 1, "Bonjour !")  # to another chat: this one has no message yet
    now = datetime.now().astimezone()
    await queue_notification(engine, student, "application_accepted", "k1", now, **info)
    await queue_notification(engine, student, "application_accepted", "k2", now, **{**info, "code": "C-ABC235"})
    try:
        lease = timedelta(seconds=1)
        first = Notifier(engine, {"telegram": deliverer}, lease=lease, clock=lambda: now)
        rows = await first.claim()      # a notifier claims both, Telegram takes the first, then kill -9
        taken = await deliverer.bot.send_message(PUPIL, render_notification(rows[0].kind, rows[0].payload,
                                                                            Role.STUDENT))
        async with deliverer.sent_log.engine.begin() as conn:  # type: ignore[union-attr]
            await conn.execute(bot_sent.delete().where(bot_sent.c.message_id == taken.message_id))  # killed
        api.push_text(PUPIL, "alors ?")
        later = Notifier(engine, {"telegram": deliverer}, lease=lease, clock=lambda: now + 2 * lease)
        assert await later.run_once() == 2
    finally:
        await deliverer.close()
        await engine.dispose()
        await api.stop()
    texts = api.texts(PUPIL)
    assert len(texts) == 2 and sum("C-ABC234" in t for t in texts) == 1 and sum("C-ABC235" in t for t in texts) == 1
    assert all(row.sent_at is not None for row in await outbox_rows(engine))
