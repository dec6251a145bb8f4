"""Reporting a problem always gets through and is acknowledged; asking for a person reaches the team."""
from __future__ import annotations

import json

from sqlalchemy import select

import actions.safety as safety
from actions.moderation import ActionModerationQueue
from actions.safety import ActionHumanHandoff, ActionReportProblem
from tests.support.actions import account_of, notes, role_chat, run, tracker, use_engine
from tests.support.factories import MOTIVATION, employer_with_account, next_monday, offer_for, student
from tremplin.db import session_scope
from tremplin.models import ChannelIdentity, ProblemReport, Role
from tremplin.services.applications import apply
from tremplin.services.classes import create_class, join_class
from tremplin.settings import get_settings

async def _sender_of(session, account_id: int) -> str:
    return await session.scalar(select(ChannelIdentity.external_hash).where(ChannelIdentity.account_id == account_id))


WORRY = "le patron du garage m'a demandé mon snap et ça me met mal à l'aise"


async def test_student_report_is_recorded_for_every_admin_and_acknowledged(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    admins = [await role_chat(engine, f"admin-{i}", Role.ADMIN) for i in (1, 2)]
    pupil = await role_chat(engine, "pupil-1", Role.STUDENT)
    out = await run(ActionReportProblem(), tracker(pupil, intent="report_problem", text=WORRY))
    assert out.text.startswith("C'est noté (n° 1) : ton signalement est transmis à l'équipe Tremplin")
    async with session_scope(engine) as s:
        report = await s.scalar(select(ProblemReport))
    assert "snap" in report.text
    admin_ids = sorted([(await account_of(engine, a)).id for a in admins])
    assert sorted(r for r, _ in await notes(engine, "problem_reported")) == admin_ids


async def test_report_inside_a_form_from_an_adult_is_in_vous(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    boss = await role_chat(engine, "boss-1", Role.EMPLOYER)
    trk = tracker(boss, intent="report_problem", text="Un candidat m'envoie des messages insultants",
                  active_loop="publish_offer_form", requested_slot="offer_title")
    out = await run(ActionReportProblem(), trk)
    assert "votre signalement est transmis" in out.text and "(n° 1)" in out.text


async def test_report_from_an_unknown_chat_or_a_bare_button_still_gets_through(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    out = await run(ActionReportProblem(), tracker("never-registered-sender", intent="report_problem",
                                                   text="/report_problem"))
    assert "C'est noté (n° 1)" in out.text
    async with session_scope(engine) as s:
        report = await s.scalar(select(ProblemReport))
        assert report.text == safety.NO_DETAIL and report.reporter_account_id is not None


async def test_report_is_kept_aside_and_acknowledged_when_the_database_fails(engine, monkeypatch, caplog):
    use_engine(engine, monkeypatch)
    pupil = await role_chat(engine, "pupil-2", Role.STUDENT)

    async def broken(*args, **kwargs):
        raise RuntimeError("database down")
    monkeypatch.setattr(safety, "report_problem", broken)
    out = await run(ActionReportProblem(), tracker(pupil, intent="report_problem", text=WORRY + " 06 11 22 33 44"))
    assert out.text.startswith("C'est noté : ton signalement est transmis")
    kept = [json.loads(line) for line in (get_settings().data_dir / safety.FALLBACK_FILE).read_text().splitlines()]
    assert kept[0]["sender"] == pupil and "snap" in kept[0]["text"] and "06 11 22 33 44" not in kept[0]["text"]
    assert any(r.levelname == "CRITICAL" for r in caplog.records)


async def test_handoff_tells_the_team_once_a_day_and_names_the_referent(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    admin = await role_chat(engine, "admin-3", Role.ADMIN)
    teacher = await role_chat(engine, "teacher-1", Role.TEACHER)
    week = next_monday()
    async with session_scope(engine) as s:
        created = await create_class(s, await s.merge(await account_of(engine, teacher)), "0421234A Collège "
                                     "Jean-Moulin", "3e A", week, week, commune_text="Feurs")
        pupil = await student(s, "Léa")
        await join_class(s, pupil, created.code)
        sender = await _sender_of(s, pupil.account_id)
    trk = tracker(sender, intent="human_handoff", text="je veux parler à quelqu'un de vrai")
    out = await run(ActionHumanHandoff(), trk)
    assert "professeur principal (classe 3e A, Collège Jean-Moulin)" in out.text
    await run(ActionHumanHandoff(), trk)
    admin_id = (await account_of(engine, admin)).id
    assert await notes(engine, "human_handoff") == [(admin_id, "human_handoff")]


async def test_handoff_for_adults_and_unknown_chats(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    parent = await role_chat(engine, "parent-1", Role.PARENT)
    out = await run(ActionHumanHandoff(), tracker(parent, intent="human_handoff"))
    assert "professeur principal de votre enfant" in out.text
    out = await run(ActionHumanHandoff(), tracker("never-registered", intent="human_handoff"))
    assert "/start" in out.text


async def test_a_student_naming_their_application_ties_the_report_to_the_employer(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    admin = await role_chat(engine, "admin-4", Role.ADMIN)
    async with session_scope(engine) as s:
        employer, _ = await employer_with_account(s)
        offer = await offer_for(s, employer)
        pupil = await student(s)
        app_code = (await apply(s, pupil, offer.id, MOTIVATION)).public_code
        sender = await _sender_of(s, pupil.account_id)
        employer_id, offer_id = employer.id, offer.id
    text = f"pour ma candidature {app_code.lower()} le patron m'a écrit sur insta, c'est gênant"
    await run(ActionReportProblem(), tracker(sender, intent="report_problem", text=text))
    async with session_scope(engine) as s:
        report = await s.scalar(select(ProblemReport))
    assert (report.offer_id, report.employer_id) == (offer_id, employer_id)
    queue = await run(ActionModerationQueue(), tracker(admin))
    assert f'/suspend_employer{{"nombre": "{employer_id}"}}' in [b["payload"] for b in queue.buttons]
