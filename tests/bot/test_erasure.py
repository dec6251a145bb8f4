"""Erasure everywhere (issue 12): once a user asks « supprimer mes données » and the notifier has run,
nothing they typed can be read back — not from Rasa's tracker store, not from any table of the
application's database, not from the raw files on SQLite. The retention job forgets idle
conversations and finished school years' application texts, run by the notifier's hourly sweep."""
from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.deliverers import LogDeliverer
from bot.notifier import Notifier
from bot.rasa_client import RasaClient
from bot.relay import FORGET_SENDER, Relay
from bot.replies import Button
from bot.sent_log import SentLog
from bot.storage import TokenStore, ensure_tables
from bot.telegram_inbox import inbox_engine
from tests.support.erasure import everything_readable, raw_bytes
from tests.support.factories import employer_with_account, offer_for, student
from tests.support.fakes.db import migrated_sqlite
from tests.support.fakes.rasa_server import FakeRasa, text
from tremplin.db import session_scope
from tremplin.models import Account, Application, Notification, ProblemReport, Role, Student, utcnow
from tremplin.privacy.conversations import (dispose_tracker_engines, erase_conversations, events, last_activity,
                                            metadata, stored_senders, tracker_engine)
from tremplin.privacy.identifiers import external_hash
from tremplin.services import applications as apps
from tremplin.services.accounts import find_account, get_or_create_account, set_role
from tremplin.services.moderation import report_problem
from tremplin.services.outbox import enqueue
from tremplin.services.privacy import REPORT_ERASED, delete_my_data, show_my_data
from tremplin.services.retention import EXPIRED_TEXT, ERASE_KIND, run_retention

WORD = "zorglubette"  # made up: found nowhere unless the user's own text is still stored


@pytest.fixture
async def tracker(engine: AsyncEngine, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """Rasa's store as `tremplin run` configures it: its own SQLite file, or the app's PostgreSQL database.
    The `events` table is created the way Rasa would (same columns)."""
    if engine.dialect.name == "sqlite":
        url = f"sqlite:///{tmp_path / 'rasa-trackers.db'}"
    else:
        url = engine.url.render_as_string(hide_password=False)
    store = tracker_engine(url)
    async with store.begin() as conn:
        await conn.run_sync(metadata.create_all)
    yield store
    await dispose_tracker_engines()


async def say(store: AsyncEngine, sender: str, *texts: str, at: datetime | None = None) -> None:
    """What Rasa stores for a user's turn: the user event with the text, and the bot's answer."""
    at = at or utcnow()
    async with store.begin() as conn:
        for said in texts:
            stamp = at.timestamp()
            await conn.execute(insert(events).values(
                sender_id=sender, type_name="user", timestamp=stamp, intent_name="inform",
                data=json.dumps({"event": "user", "timestamp": stamp, "text": said})))
            await conn.execute(insert(events).values(
                sender_id=sender, type_name="bot", timestamp=stamp + 0.1,
                data=json.dumps({"event": "bot", "timestamp": stamp + 0.1, "text": f"Tu as dit : {said}"})))


class Recorder:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    async def deliver(self, address: str, text: str) -> None:
        self.sent.append((address, text))


async def _pupil_who_typed_the_word(engine: AsyncEngine, tracker: AsyncEngine) -> tuple[int, str]:
    """A pupil on Telegram who wrote WORD in the chat, in an application and in a problem report
    (quoted to an admin), and asked for a human (quoted too)."""
    async with session_scope(engine) as s:
        admin = await get_or_create_account(s, "test", "admin")
        await set_role(s, admin, Role.ADMIN)
        account = await get_or_create_account(s, "telegram", 4242, 4242)
        await set_role(s, account, Role.STUDENT)
        pupil = await s.scalar(select(Student).where(Student.account_id == account.id))
        employer, _ = await employer_with_account(s)
        await apps.apply(s, pupil, (await offer_for(s, employer)).id,
                         f"Je m'appelle {WORD} et j'adore le pain, je voudrais voir un vrai fournil.")
        await report_problem(s, account, f"Un adulte m'a appelée {WORD} et ça me gêne.")
        await enqueue(s, admin.id, "human_handoff", f"handoff:{account.id}:2026-12-04:{admin.id}",
                      excerpt=f"aidez {WORD}", message=f"Quelqu'un demande de l'aide. Son message : « aidez {WORD} »")
        account_id = account.id
    sender = external_hash("telegram", 4242)
    await say(tracker, sender, "bonjour", f"moi c'est {WORD}", "supprimer mes données", "oui")
    return account_id, sender


async def test_deleted_pupil_can_be_read_back_from_no_store_once_the_notifier_ran(engine, tracker):
    account_id, sender = await _pupil_who_typed_the_word(engine, tracker)
    other = external_hash("telegram", 777)
    await say(tracker, other, "je cherche un stage en boulangerie")
    await ensure_tables(engine)  # the Telegram gateway's button tokens may quote the chat too
    await TokenStore(engine).issue(sender, [Button(f"Chercher « {WORD} »", f'/search{{"q": "{WORD}"}}')])
    sent_log = SentLog(inbox_engine(engine), "testbot")  # which messages the bot sent to each chat
    await sent_log.setup()
    await sent_log.record(4242, 1001, "u:1:0")
    await sent_log.record(777, 1002, "u:2:0")
    async with session_scope(engine) as s:
        told = await delete_my_data(s, await s.get(Account, account_id))
    assert "toutes tes données sont effacées" in told
    # At once in the app's own tables: application, report, quoted excerpts.
    assert WORD not in await everything_readable(engine, but=("events", "bot_button_tokens"))
    assert sender in await stored_senders(tracker)  # the conversation waits for the notifier…

    recorder, now = Recorder(), utcnow()
    notifier = Notifier(engine, {"telegram": recorder, "test": recorder}, clock=lambda: now + timedelta(seconds=11),
                        tracker=tracker)
    await notifier.run_once()
    assert await stored_senders(tracker) == {other}  # …then it is gone; another pupil's stays
    assert await sent_log.known(4242, 0) == set() and await sent_log.known(777, 0) == {1002}
    assert not any(WORD in said for _, said in recorder.sent)  # the job is never shown in a chat
    notifier.clock = lambda: now + timedelta(minutes=2)  # second pass, then the job row itself goes
    await notifier.run_once()
    async with session_scope(engine) as s:
        assert await s.scalar(select(Notification).where(Notification.kind == ERASE_KIND)) is None

    assert WORD not in await everything_readable(engine)
    async with tracker.connect() as conn:
        rows = [str(tuple(r)) for r in await conn.execute(select(events))]
    assert rows and not any(WORD in row for row in rows)
    if engine.dialect.name == "sqlite":  # PostgreSQL: dead rows go at VACUUM (conversations.py)
        assert WORD.encode() not in raw_bytes(engine)
        assert WORD.encode() not in raw_bytes(tracker)


async def test_a_problem_report_stays_for_the_team_without_its_text(engine, tracker):
    account_id, _ = await _pupil_who_typed_the_word(engine, tracker)
    async with session_scope(engine) as s:
        await delete_my_data(s, await s.get(Account, account_id))
    async with session_scope(engine) as s:
        report = await s.scalar(select(ProblemReport))
        handoff = await s.scalar(select(Notification).where(Notification.kind == "human_handoff"))
    assert report is not None and report.reporter_account_id is None  # the team still sees a report came
    assert report.text == REPORT_ERASED
    assert "supprimé son compte" in handoff.payload["message"] and "excerpt" not in handoff.payload


async def test_the_chat_writing_again_after_the_erasure_keeps_its_new_conversation(engine, tracker):
    sender = external_hash("telegram", 99)
    before = utcnow() - timedelta(minutes=5)
    await say(tracker, sender, f"ancien {WORD}", at=before)
    await say(tracker, sender, "bonjour, je suis nouveau", at=utcnow() + timedelta(minutes=5))
    assert await erase_conversations(tracker, [sender], up_to=utcnow()) == 2
    async with tracker.connect() as conn:
        kept = " ".join(await conn.scalars(select(events.c.data)))
    assert "nouveau" in kept and WORD not in kept
    assert await last_activity(tracker, sender) > utcnow()


async def test_retention_forgets_idle_conversations_and_finished_school_years(engine, tracker):
    now = datetime(2027, 3, 10, 12, 0, tzinfo=timezone.utc)
    idle, active = external_hash("telegram", 1), external_hash("telegram", 2)
    await say(tracker, idle, f"vieux {WORD}", at=now - timedelta(days=31))
    await say(tracker, active, "vieux message", at=now - timedelta(days=40))
    await say(tracker, active, "message récent", at=now - timedelta(days=29))
    async with session_scope(engine) as s:
        employer, boss = await employer_with_account(s)
        pupil = await student(s)
        app = await apps.apply(s, pupil, (await offer_for(s, employer)).id, f"Ma motivation {WORD} est grande.")
        await apps.decline(s, boss, app.public_code, f"Désolé {WORD}, c'est complet.")
        app.created_at = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)  # during the 2026-2027 school year

    report = await run_retention(engine, tracker, now)
    assert await stored_senders(tracker) == {active}  # the whole active conversation stays
    assert report.conversations_erased == 2 and report.applications_blanked == 0
    # The school year 2026-2027 ends on 14 July 2027: its texts stay that day, go the day after.
    await run_retention(engine, tracker, datetime(2027, 7, 14, 22, 0, tzinfo=timezone.utc))
    async with session_scope(engine) as s:
        assert WORD in (await s.get(Application, app.id)).motivation
    later = await run_retention(engine, tracker, datetime(2027, 7, 15, 1, 0, tzinfo=timezone.utc))
    assert later.applications_blanked == 1
    async with session_scope(engine) as s:
        kept = await s.get(Application, app.id)
        assert (kept.motivation, kept.decline_message) == (EXPIRED_TEXT, None) and kept.public_code == app.public_code
    assert WORD not in await everything_readable(engine)
    assert (await run_retention(engine, tracker, datetime(2027, 7, 15, 2, 0, tzinfo=timezone.utc))) == \
        type(later)(0, 0, 0)  # idempotent


async def test_the_notifiers_hourly_sweep_runs_the_retention_job(engine, tracker):
    """A moved clock: the notifier believes it is 20 July 2027; the conversation of today is idle
    for months and this school year is over."""
    sender = external_hash("telegram", 5)
    await say(tracker, sender, f"je suis {WORD}")
    async with session_scope(engine) as s:
        employer, _ = await employer_with_account(s)
        app = await apps.apply(s, await student(s), (await offer_for(s, employer)).id, f"Motivée {WORD} ! J'aimerais voir comment on travaille dans un fournil.")
    moved = datetime(2027, 7, 20, 9, 0, tzinfo=timezone.utc)
    notifier = Notifier(engine, {}, clock=lambda: moved, tracker=tracker)
    stop = asyncio.Event()
    task = asyncio.create_task(notifier.run_forever(stop, idle=0.05))
    for _ in range(100):
        await asyncio.sleep(0.05)
        if not await stored_senders(tracker):
            break
    stop.set()
    await task
    assert await stored_senders(tracker) == set()
    async with session_scope(engine) as s:
        assert (await s.get(Application, app.id)).motivation == EXPIRED_TEXT


async def test_my_data_says_until_when_each_thing_is_kept(engine):
    now = datetime(2026, 12, 4, 10, 0, tzinfo=timezone.utc)
    async with session_scope(engine) as s:
        pupil = await student(s)
        shown = await show_my_data(s, await s.get(Account, pupil.account_id), now=now)
        employer, boss = await employer_with_account(s)
        formal = await show_my_data(s, boss, now=now)
    assert "notre conversation (ce que tu m'écris) : jusqu'au 3 janvier 2027 si tu ne m'écris plus" in shown
    assert "les messages de tes candidatures : jusqu'à la fin de l'année scolaire (14 juillet 2027)" in shown
    assert "ton compte : jusqu'à ce que tu demandes sa suppression" in shown
    assert "jusqu'au 3 janvier 2027 si vous ne m'écrivez plus" in formal
    assert "votre compte : jusqu'à ce que vous demandiez sa suppression" in formal


async def test_local_notifications_never_log_their_text(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO):
        await LogDeliverer().deliver("terminal", f"Le mot de l'employeur : « {WORD} »")
    assert caplog.records and WORD not in caplog.text


async def test_a_deleted_chat_writing_again_is_registered_as_a_new_user(tmp_path: Path) -> None:
    """The gateway caches who has an account; the delete action's marker makes it forget that chat."""
    rasa = FakeRasa({"oui": [text("C'est fait : toutes tes données sont effacées de Tremplin."),
                             {"custom": {"tremplin": FORGET_SENDER}}]})
    await rasa.start()
    engine = await migrated_sqlite(tmp_path)
    try:
        async with RasaClient(rasa.url) as client:
            relay = Relay(client, "telegram", engine)
            sender = await relay.register(31337, 31337)
            async with session_scope(engine) as s:
                first = await find_account(s, "telegram", 31337)
                first_pseudonym = first.pseudonym
                await delete_my_data(s, first)
            replies = await relay.ask(sender, "oui")
            assert [r.text for r in replies] == ["C'est fait : toutes tes données sont effacées de Tremplin."]
            assert await relay.register(31337, 31337) == sender
        async with session_scope(engine) as s:
            again = await find_account(s, "telegram", 31337)
        assert again is not None and again.pseudonym != first_pseudonym and again.role is None
    finally:
        await rasa.stop()
        await engine.dispose()


async def test_a_failing_action_logs_where_never_what_was_typed(engine, monkeypatch, caplog) -> None:
    from actions.base import SORRY, TremplinAction
    from tests.support.actions import chat_user, run, tracker, use_engine

    class Breaks(TremplinAction):
        action_name = "action_breaks"

        async def handle(self, turn):
            return int(turn.tracker.latest_message["text"])  # ValueError quoting the text

    use_engine(engine, monkeypatch)
    sender = await chat_user(engine, "breaks")
    with caplog.at_level(logging.INFO):
        outcome = await run(Breaks(), tracker(sender, text=f"je suis {WORD}"))
    assert outcome.text == SORRY
    assert "action_breaks failed" in caplog.text and "ValueError" in caplog.text and WORD not in caplog.text


async def test_what_others_were_sent_quoting_the_deleted_user_is_reworded(engine, tracker):
    """A join request's name and phone (sent to the company's contact), a report's excerpt (to the
    team): the rows stay for their recipients, worded without the deleted user's words."""
    from tremplin.services.employer_contacts import request_to_join
    account_id, _ = await _pupil_who_typed_the_word(engine, tracker)
    async with session_scope(engine) as s:
        employer, boss = await employer_with_account(s)
        newcomer = await get_or_create_account(s, "test", "join-then-leave")
        await request_to_join(s, newcomer, employer, f"Paul {WORD.capitalize()}", "06 11 22 33 44")
        newcomer_id, boss_id = newcomer.id, boss.id
    assert "06 11 22 33 44" in await everything_readable(engine, but=("events",))  # sent to the contact
    async with session_scope(engine) as s:
        await delete_my_data(s, await s.get(Account, newcomer_id))
        await delete_my_data(s, await s.get(Account, account_id))
    async with session_scope(engine) as s:
        rows = {n.kind: n for n in await s.scalars(select(Notification))}
    assert "supprimé son compte" in rows["employer_join_request"].payload["message"]
    assert rows["employer_join_request"].recipient_account_id == boss_id
    assert "Signalement n°" in rows["problem_reported"].payload["message"]
    everything = await everything_readable(engine, but=("events",))
    assert WORD.lower() not in everything.lower() and "06 11 22 33 44" not in everything
