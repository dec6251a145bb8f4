"""Classes as teachers and students see them: readable codes, own classes only, exports, reminders."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.support.factories import MOTIVATION, employer_with_account, next_monday, offer_for, student
from tremplin.db import session_scope
from tremplin.models import ApplicationStatus, CodeAttempt, Notification, Role, School, utcnow
from tremplin.services import applications as apps
from tremplin.services.accounts import get_or_create_account, set_role
from tremplin.services.classes import (
    class_overview, clean_teacher_contact, confirm_agreement_signed, create_class, export_class_csv, join_class,
    remind_students_without_application,
)
from tremplin.services.errors import DomainError, Forbidden, NotFound

WEEK = next_monday()


async def _teacher(s, chat: str = "teacher-1"):
    account = await get_or_create_account(s, "test", chat)
    await set_role(s, account, Role.TEACHER)
    return account


async def _class(s, teacher, name: str = "3e A"):
    return await create_class(s, teacher, "0421234A Collège Jean-Moulin", name, WEEK, WEEK + timedelta(days=4),
                              commune_text="Feurs")


async def test_create_class_with_uai_and_commune_gives_a_readable_code(engine):
    async with session_scope(engine) as s:
        teacher = await get_or_create_account(s, "test", "teacher-1")
        created = await _class(s, teacher)
    assert re.fullmatch(r"FEURS-3A-[A-HJ-NP-Z2-9]{2}", created.code)
    assert created.deep_link == f"classe-{created.code}"
    assert (created.school.uai, created.school.name, created.school.commune_insee) == (
        "0421234A", "Collège Jean-Moulin", "42094")
    assert teacher.role is Role.TEACHER


async def test_school_is_found_again_by_uai_or_by_name_without_accents(engine):
    async with session_scope(engine) as s:
        teacher = await _teacher(s)
        first = await _class(s, teacher)
        by_name = await create_class(s, teacher, "college jean moulin", "3ème B", WEEK, WEEK + timedelta(days=4))
        by_uai = await create_class(s, teacher, "0421234a", "3C", WEEK, WEEK + timedelta(days=4))
        assert len((await s.scalars(select(School))).all()) == 1
    assert by_name.school.id == by_uai.school.id == first.school.id
    assert by_name.code.startswith("FEURS-3B-") and by_uai.code.startswith("FEURS-3C-")


@pytest.mark.parametrize("school_text, code", [
    ("0429999Z", "school_commune_needed"), ("Collège Inconnu", "school_unknown"), ("x", "school_name"),
])
async def test_unknown_school_is_explained(engine, school_text, code):
    async with session_scope(engine) as s:
        teacher = await _teacher(s)
        with pytest.raises(DomainError) as err:
            await create_class(s, teacher, school_text, "3A", WEEK, WEEK + timedelta(days=4))
    assert err.value.code == code
    assert "UAI" in err.value.message or "commune" in err.value.message


async def test_stage_dates_are_checked(engine):
    async with session_scope(engine) as s:
        teacher = await _teacher(s)
        with pytest.raises(DomainError) as err:
            await create_class(s, teacher, "0421234A", "3A", WEEK, WEEK - timedelta(days=1), commune_text="Feurs")
    assert err.value.code == "stage_order"


async def test_join_class_sets_class_and_week_whatever_the_typing(engine):
    async with session_scope(engine) as s:
        created = await _class(s, await _teacher(s))
        pupil = await student(s, week=WEEK + timedelta(weeks=5))
        joined = await join_class(s, pupil, "  " + created.code.lower().replace("-", " "))
        assert joined.id == created.school_class.id
        other = await student(s)
        await join_class(s, other, created.deep_link)
    assert pupil.class_id == created.school_class.id and other.class_id == created.school_class.id
    assert (pupil.stage_start, pupil.stage_end) == (WEEK, WEEK + timedelta(days=4))


async def test_five_wrong_codes_lock_the_student_out_for_an_hour(engine):
    async with session_scope(engine) as s:
        created = await _class(s, await _teacher(s))
        pupil = await student(s)
    for _ in range(5):  # each try is its own chat turn; the handler catches inside the transaction
        async with session_scope(engine) as s:
            with pytest.raises(DomainError) as err:
                await join_class(s, pupil, "FEURS-3A-ZZZ")
            assert err.value.code == "class_code_unknown" and "ton professeur" in err.value.message
    async with session_scope(engine) as s:
        with pytest.raises(DomainError) as err:
            await join_class(s, pupil, created.code)
        assert await s.scalar(select(CodeAttempt.kind)) == "class"
    assert err.value.code == "too_many_attempts" and "attends une heure" in err.value.message
    async with session_scope(engine) as s:
        joined = await join_class(s, pupil, created.code, now=utcnow() + timedelta(hours=1, minutes=1))
    assert joined.id == created.school_class.id


async def _class_with_four_states(s):
    """Anna: nothing; Bilal: pending; Chloé: accepted; Dylan: agreement signed."""
    teacher = await _teacher(s)
    created = await _class(s, teacher)
    employer, boss = await employer_with_account(s)
    pupils = {}
    for name in ("Dylan", "Chloé", "Bilal", "Anna"):
        pupils[name] = await student(s, first_name=name)
        await join_class(s, pupils[name], created.code)
    codes = {}
    for name in ("Bilal", "Chloé", "Dylan"):
        offer = await offer_for(s, employer, week=WEEK)
        codes[name] = (await apps.apply(s, pupils[name], offer.id, MOTIVATION)).public_code
    for name in ("Chloé", "Dylan"):
        await apps.accept(s, boss, codes[name])
    await apps.advance_agreement(s, codes["Dylan"], ApplicationStatus.AGREEMENT_PENDING)
    await apps.advance_agreement(s, codes["Dylan"], ApplicationStatus.AGREEMENT_SIGNED)
    return teacher, created, pupils, codes


async def test_overview_shows_each_student_state_in_words(engine):
    async with session_scope(engine) as s:
        teacher, created, _, _ = await _class_with_four_states(s)
        (overview,) = await class_overview(s, teacher)
    assert overview.code == created.code and overview.school == "Collège Jean-Moulin"
    assert [(line.first_name, line.state) for line in overview.students] == [
        ("Anna", "rien pour l'instant"), ("Bilal", "candidatures en attente"), ("Chloé", "accepté"),
        ("Dylan", "convention signée")]


async def test_a_teacher_never_sees_another_teachers_class(engine):
    async with session_scope(engine) as s:
        _, created, _, codes = await _class_with_four_states(s)
        intruder = await _teacher(s, "teacher-2")
        mine = await _class(s, intruder, "3e Z")
        overview = await class_overview(s, intruder)
        with pytest.raises(Forbidden) as err:
            await class_overview(s, intruder, created.school_class.id)
        with pytest.raises(Forbidden):
            await export_class_csv(s, intruder, created.school_class.id)
        with pytest.raises(NotFound) as not_mine:
            await confirm_agreement_signed(s, intruder, codes["Chloé"])
    assert [o.class_id for o in overview] == [mine.school_class.id] and overview[0].students == []
    assert "pas la vôtre" in err.value.message and "vos élèves" in not_mine.value.message


async def test_csv_export_opens_in_excel(engine):
    async with session_scope(engine) as s:
        teacher, created, pupils, _ = await _class_with_four_states(s)
        pupils["Anna"].first_name = "=HYPERLINK(1)"
        await s.flush()
        text = await export_class_csv(s, teacher, created.school_class.id)
    assert text.startswith("\ufeffPrénom;Situation;Candidatures;Classe;Semaine de stage\r\n")
    assert "Chloé;accepté;1;3e A;du " in text
    assert "'=HYPERLINK(1);rien pour l'instant;0" in text
    assert text.encode("utf-8").startswith(b"\xef\xbb\xbf")


async def test_reminders_go_only_to_students_without_application(engine):
    async with session_scope(engine) as s:
        teacher, created, pupils, _ = await _class_with_four_states(s)
        count = await remind_students_without_application(s, teacher, created.school_class.id)
        again = await remind_students_without_application(s, teacher, created.school_class.id)
        rows = (await s.scalars(select(Notification).where(Notification.kind == "teacher_reminder"))).all()
    assert (count, again) == (1, 0)
    assert [n.recipient_account_id for n in rows] == [pupils["Anna"].account_id]
    assert "professeur" in rows[0].payload["message"]


async def test_teacher_confirms_the_signed_agreement(engine):
    async with session_scope(engine) as s:
        teacher, _, pupils, codes = await _class_with_four_states(s)
        app = await confirm_agreement_signed(s, teacher, codes["Chloé"].lower())
        with pytest.raises(DomainError) as pending:
            await confirm_agreement_signed(s, teacher, codes["Bilal"])
        told = (await s.scalars(select(Notification.recipient_account_id).where(
            Notification.kind == "application_agreement_signed"))).all()
    assert app.status is ApplicationStatus.AGREEMENT_SIGNED
    assert pupils["Chloé"].account_id in told
    assert pending.value.code == "agreement_not_possible" and "envoyée" in pending.value.message


def test_teacher_contact_needs_a_way_to_reach_the_college():
    assert clean_teacher_contact("  M. Bernardin   m.bernardin@ac-dijon.fr ") == "M. Bernardin m.bernardin@ac-dijon.fr"
    assert clean_teacher_contact("Mme Roche 04.77.26.11.22") == "Mme Roche 04 77 26 11 22"
    for useless in ("Mme Roche", "Mme Roche, 12 34", "appelez le collège"):
        with pytest.raises(DomainError) as err:
            clean_teacher_contact(useless)
        assert err.value.code == "teacher_contact" and "convention" in err.value.message
