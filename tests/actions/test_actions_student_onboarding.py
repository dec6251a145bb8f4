"""A student's first steps, their class, a parent's invitation, and their data (for every role)."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from actions.student_onboarding import ActionJoinClass, ActionStudentOnboarding
from actions.student_privacy import ActionDeleteMyData, ActionInviteParent, ActionShowMyData
from tests.support.actions import chat_user, run, tracker, use_engine
from tests.support.factories import next_monday
from tests.support.student import apply_now, offers, student_chat
from tremplin.db import session_scope
from tremplin.models import (
    Account, Application, ApplicationStatus, CodeAttempt, Notification, ParentLinkCode, Role, School, SchoolClass,
    Student, utcnow,
)


async def a_class(engine, code: str = "FEURS-3A") -> date:
    week = next_monday(6)
    async with session_scope(engine) as s:
        school = School(uai="0429871B", name="Collège des Sources du Forez", commune_insee="42094")
        s.add(school)
        await s.flush()
        s.add(SchoolClass(school_id=school.id, name="3e A", join_code=code, stage_start=week,
                          stage_end=week + timedelta(days=4)))
    return week


def join(sender, code=None):
    entities = [{"entity": "code", "value": code}] if code else []
    return run(ActionJoinClass(), tracker(sender, intent="join_class", entities=entities))


async def test_onboarding_offers_a_class_code_or_a_search(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    sender = await student_chat(engine, "o1", week=False, home=None)
    out = await run(ActionStudentOnboarding(), tracker(sender, intent="declare_role"))
    assert "code de classe" in out.text
    assert [b["payload"] for b in out.buttons] == ["/join_class", "/search_offers", "/unsure_career"]
    adult = await student_chat(engine, "o2", role=Role.PARENT)
    assert (await run(ActionStudentOnboarding(), tracker(adult, intent="declare_role"))).messages == []


async def test_joining_a_class_gives_the_stage_week(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    week = await a_class(engine)
    sender = await student_chat(engine, "o3", week=False)
    out = await join(sender)
    assert "Envoie-moi le code de ta classe" in out.text
    out = await join(sender, "feurs-3a")
    assert out.text.startswith("Bienvenue dans la classe 3e A du Collège des Sources du Forez (Feurs) 🎒")
    async with session_scope(engine) as s:
        student = await s.scalar(select(Student))
        assert student.class_id is not None and student.stage_start == week


async def test_deep_link_makes_a_new_chat_a_student(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    await a_class(engine)
    sender = await chat_user(engine, "o4")
    out = await join(sender, "FEURS-3A")  # /start classe-FEURS-3A
    assert "Bienvenue dans la classe" in out.text and out.slots()["role"] == "eleve"
    async with session_scope(engine) as s:
        assert (await s.scalar(select(Account))).role is Role.STUDENT


async def test_wrong_codes_are_explained_and_counted(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    await a_class(engine)
    newcomer = await chat_user(engine, "o5")
    out = await join(newcomer, "FEURS-9Z")
    assert "Ce code ne correspond à aucune classe" in out.text
    student = await student_chat(engine, "o6")
    for _ in range(5):
        out = await join(student, "NOPE-3A")
        assert "Ce code ne correspond à aucune classe" in out.text
    out = await join(student, "FEURS-3A")
    assert "trop de codes faux" in out.text
    async with session_scope(engine) as s:
        assert await s.scalar(select(func.count()).select_from(CodeAttempt)) == 6
        assert (await s.scalar(select(Account).where(Account.role.is_(None)))) is not None  # newcomer unchanged


async def test_adults_cannot_join_a_class(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    await a_class(engine)
    teacher = await student_chat(engine, "o7", role=Role.TEACHER)
    out = await join(teacher, "FEURS-3A")
    assert "Ce code sert aux élèves" in out.text


async def test_parent_invitation_code_valid_seven_days(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    sender = await student_chat(engine, "o8")
    out = await run(ActionInviteParent(), tracker(sender, intent="invite_parent"))
    code = out.text.split("Voici ton code parent : ")[1].split("\n")[0]
    assert code.startswith("P-") and f"/start parent-{code}" in out.text
    assert "une seule fois" in out.text and "(7 jours)" in out.text
    async with session_scope(engine) as s:
        row = await s.scalar(select(ParentLinkCode))
        assert row.code_hash != code  # only a hash is kept
        assert abs(row.expires_at - utcnow() - timedelta(days=7)) < timedelta(minutes=5)


async def test_show_my_data_for_a_student_and_an_adult(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    sender = await student_chat(engine, "o9")
    out = await run(ActionShowMyData(), tracker(sender, intent="show_my_data"))
    assert out.text.startswith("Voici tout ce que Tremplin garde sur toi :") and "Prénom : Léa" in out.text
    assert "Commune de domicile : Feurs (42)" in out.text
    adult = await student_chat(engine, "o10", role=Role.PARENT)
    out = await run(ActionShowMyData(), tracker(adult, intent="show_my_data"))
    assert out.text.startswith("Voici tout ce que Tremplin garde sur vous :")


async def test_delete_only_after_a_yes_and_applications_are_withdrawn(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    [offer_id] = await offers(engine)
    sender = await student_chat(engine, "o11")
    await apply_now(sender, offer_id)
    out = await run(ActionDeleteMyData(), tracker(sender, intent="delete_my_data"))
    assert "Je ne supprime rien sans ton accord" in out.text
    out = await run(ActionDeleteMyData(), tracker(sender, intent="affirm"))
    assert out.text.startswith("C'est fait : toutes tes données sont effacées")
    assert out.events[-1]["event"] == "reset_slots"
    async with session_scope(engine) as s:
        assert await s.scalar(select(func.count()).select_from(Student)) == 0
        assert await s.scalar(select(func.count()).select_from(Application)) == 0
    adult = await student_chat(engine, "o12", role=Role.EMPLOYER)
    out = await run(ActionDeleteMyData(), tracker(adult, intent="affirm"))
    assert out.text.startswith("C'est fait : toutes vos données sont effacées")


async def test_deleting_withdraws_pending_applications_first(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    [offer_id] = await offers(engine, capacity=2)
    sender = await student_chat(engine, "o13")
    await apply_now(sender, offer_id)
    async with session_scope(engine) as s:
        assert (await s.scalar(select(Application))).status is ApplicationStatus.SENT
    await run(ActionDeleteMyData(), tracker(sender, intent="affirm"))
    async with session_scope(engine) as s:
        kinds = list(await s.scalars(select(Notification.kind)))
        assert "application_withdrawn" in kinds
