"""The notifier: right words for the right person, retries with backoff, no double send (even with
two notifiers on PostgreSQL), and nothing lost or repeated across a restart."""
from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.deliverers import PrintDeliverer
from bot.notification_texts import render_notification
from bot.notifier import Notifier
from tests.support.notifier import T0, Clock, Recorder, notified_account, outbox_rows, queue_notification
from tremplin.models import Role
from tremplin.services.outbox import LEASE, MAX_ATTEMPTS, backoff


async def test_delivers_in_the_right_register_once(engine: AsyncEngine) -> None:
    student = await notified_account(engine, 1001, Role.STUDENT)
    parent = await notified_account(engine, 1002, Role.PARENT)
    employer = await notified_account(engine, 1003, Role.EMPLOYER)
    info = {"code": "C-ABC234", "offer_title": "Boulangerie Martin", "week_start": "2027-01-11"}
    await queue_notification(engine, student, "application_accepted", "k1", **info)
    await queue_notification(engine, parent, "application_accepted", "k2", **info)
    await queue_notification(engine, employer, "application_received", "k3", **info)
    recorder, clock = Recorder(), Clock()
    notifier = Notifier(engine, {"telegram": recorder}, clock=clock)
    assert await notifier.run_once() == 3
    texts = dict(recorder.sent)
    assert "Ta candidature C-ABC234 pour « Boulangerie Martin » (semaine du 11 janvier 2027)" in texts["1001"]
    assert "votre enfant" in texts["1002"] and " ta " not in texts["1002"].lower()
    assert "Nouvelle candidature C-ABC234" in texts["1003"] and "Vous pouvez" in texts["1003"]
    assert all(r.sent_at == T0 and r.attempts == 1 for r in await outbox_rows(engine))
    clock.now += timedelta(days=1)
    assert await notifier.run_once() == 0 and len(recorder.sent) == 3


async def test_failure_is_retried_later_with_backoff(engine: AsyncEngine) -> None:
    student = await notified_account(engine, 2001, Role.STUDENT)
    await queue_notification(engine, student, "offer_full", "k-full", code="C-XYZ789", offer_title="Garage")
    recorder, clock = Recorder(fail_times=2), Clock()
    notifier = Notifier(engine, {"telegram": recorder}, clock=clock)
    assert await notifier.run_once() == 0
    [row] = await outbox_rows(engine)
    assert row.last_error == "telegram down" and row.next_attempt_at == T0 + backoff(1)
    assert await notifier.run_once() == 0 and recorder.fail_times == 1  # not due yet: untouched
    clock.now = T0 + backoff(1)
    assert await notifier.run_once() == 0
    clock.now += backoff(2)
    assert await notifier.run_once() == 1
    [row] = await outbox_rows(engine)
    assert row.sent_at == clock.now and row.attempts == 3 and row.last_error is None
    assert "complète" in recorder.sent[0][1]


async def test_permanent_failure_gives_up(engine: AsyncEngine) -> None:
    student = await notified_account(engine, 3001, Role.STUDENT)
    await queue_notification(engine, student, "parent_linked", "k-p")
    clock = Clock()
    notifier = Notifier(engine, {"telegram": Recorder(fail_times=1, permanent=True)}, clock=clock)
    assert await notifier.run_once() == 0
    clock.now += timedelta(days=30)
    assert await notifier.run_once() == 0
    [row] = await outbox_rows(engine)
    assert row.attempts == MAX_ATTEMPTS and row.sent_at is None


async def test_restart_neither_resends_nor_loses(engine: AsyncEngine) -> None:
    student = await notified_account(engine, 4001, Role.STUDENT)
    for i in range(3):
        await queue_notification(engine, student, "application_expired", f"k-{i}", code=f"C-{i}")
    clock = Clock()
    crashed = Notifier(engine, {"telegram": Recorder()}, clock=clock)
    first = Recorder()
    await Notifier(engine, {"telegram": first}, batch=1, clock=clock).run_once()  # sends k-0
    claimed = await crashed.claim()  # claims k-1, k-2, then "crashes" before delivering
    assert [c.idempotency_key for c in claimed] == ["k-1", "k-2"]
    restarted = Recorder()
    notifier = Notifier(engine, {"telegram": restarted}, clock=clock)
    assert await notifier.run_once() == 0  # leased: not sent twice while the other may still be sending
    clock.now += LEASE + timedelta(seconds=1)
    assert await notifier.run_once() == 2
    assert len(first.sent) == 1 and len(restarted.sent) == 2
    assert all(r.sent_at is not None for r in await outbox_rows(engine))


async def test_account_without_channel_waits(engine: AsyncEngine) -> None:
    terminal_user = await notified_account(engine, 5001, Role.STUDENT, channel="terminal")
    await queue_notification(engine, terminal_user, "parent_linked", "k-t")
    clock = Clock()
    assert await Notifier(engine, {"telegram": Recorder()}, clock=clock).run_once() == 0
    [row] = await outbox_rows(engine)
    assert row.sent_at is None and row.last_error == "no deliverable channel"
    clock.now += timedelta(hours=1)
    local = Recorder()
    assert await Notifier(engine, {"terminal": local}, clock=clock).run_once() == 1
    assert local.sent[0][0] == "5001"


async def test_terminal_notifications_print_in_the_chat(engine: AsyncEngine) -> None:
    local = await notified_account(engine, 7001, Role.STUDENT, channel="terminal")
    await queue_notification(engine, local, "application_accepted", "k-local", code="C-LOC234", offer_title="Ferme")
    shown: list[str] = []
    assert await Notifier(engine, {"terminal": PrintDeliverer(shown.append)}, clock=Clock()).run_once() == 1
    assert shown == ["🔔 🎉 Bonne nouvelle ! Ta candidature C-LOC234 pour « Ferme » a été acceptée. "
                     "Prochaine étape : la convention de stage avec ton collège."]


@pytest.mark.postgres
async def test_two_notifiers_never_double_send(pg_engine: AsyncEngine) -> None:
    accounts = [await notified_account(pg_engine, 6000 + i, Role.STUDENT) for i in range(10)]
    for i in range(60):
        await queue_notification(pg_engine, accounts[i % 10], "application_accepted", f"k-{i}",
                                 at=T0 - timedelta(days=365), code=f"C-{i}")
    shared: list[tuple[str, str]] = []
    recorders = [Recorder(delay=0.01), Recorder(delay=0.01)]
    notifiers = [Notifier(pg_engine, {"telegram": r}, batch=7) for r in recorders]

    async def drain(notifier: Notifier) -> None:
        while (await notifier._batch())[0]:
            pass

    await asyncio.gather(*(drain(n) for n in notifiers))
    for r in recorders:
        shared.extend(r.sent)
    assert len(shared) == 60 and len(set(shared)) == 60
    assert all(r.sent for r in recorders), "both notifiers should have taken a share"
    assert all(r.sent_at is not None and r.attempts == 1 for r in await outbox_rows(pg_engine))


def test_registers_and_unknown_kinds() -> None:
    p = {"code": "C-AAA222", "offer_title": "Mairie", "message": "Merci pour ta lettre"}
    declined = render_notification("application_declined", p, Role.STUDENT)
    assert "Ta candidature" in declined and "Merci pour ta lettre" in declined
    assert "votre réponse" in render_notification("application_reminder", p, Role.EMPLOYER)
    assert "La place est de nouveau disponible" in render_notification(
        "application_withdrawn", {**p, "was_accepted": True}, Role.EMPLOYER)
    for kind in ("application_agreement_pending", "application_agreement_signed", "application_done"):
        assert "ton stage" in render_notification(kind, p, Role.STUDENT).lower()
        assert "votre enfant" in render_notification(kind, p, Role.PARENT)
        assert "C-AAA222" in render_notification(kind, p, Role.EMPLOYER)
    assert "C-AAA222" in render_notification("something_new", p, None)


def test_kinds_worded_by_their_service_are_delivered_as_written():
    from bot.notification_texts import render_notification
    from tremplin.models import Role

    text = "Ton professeur te rappelle de chercher ton stage d'observation."
    assert render_notification("teacher_reminder", {"message": text}, Role.STUDENT) == text
    assert "/mes_offres" not in render_notification("offer_approved", {"message": "Votre offre est validée."},
                                                    Role.EMPLOYER)
