"""Rules the conversation used to apply itself, now services tested without Rasa: accepting with the
teacher's notice, the decline check, closing a report, asking for a person, the report of an
unregistered chat, the profile a first search remembers; and the reads of tremplin.queries.people."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests.support.factories import MOTIVATION, employer_with_account, next_monday, offer_for, student
from tremplin.db import session_scope
from tremplin.models import (Account, ApplicationStatus, AuditEntry, Notification, ProblemReport, ReportStatus,
                             Role)
from tremplin.queries.people import (account_for, applications_of, class_by_join_code, offer_of_own_application,
                                     referent_classes, school_commune_of_class, status_of)
from tremplin.services import applications as apps
from tremplin.services.acceptance import accept_and_tell_teacher
from tremplin.services.accounts import (anonymous_account, get_or_create_account, remember_search_profile,
                                        set_role)
from tremplin.services.classes import create_class, join_class
from tremplin.services.errors import DomainError
from tremplin.services.moderation import close_report, report_problem, request_handoff

WEEK = next_monday()


async def _account(s, chat: str, role: Role) -> Account:
    account = await get_or_create_account(s, "test", chat)
    await set_role(s, account, role)
    return account


async def _notes(s, kind: str) -> list[Notification]:
    return list(await s.scalars(select(Notification).where(Notification.kind == kind)))


async def _pupil_in_class(s, teacher: Account):
    klass = await create_class(s, teacher, "0421234A Collège Jean-Moulin", "3e A", WEEK, WEEK + timedelta(days=4),
                               commune_text="Feurs")
    pupil = await student(s)
    await join_class(s, pupil, klass.code)
    return pupil, klass


async def test_accepting_tells_the_teacher_once_with_the_company_contact(engine):
    async with session_scope(engine) as s:
        teacher = await _account(s, "teacher-1", Role.TEACHER)
        pupil, _ = await _pupil_in_class(s, teacher)
        employer, boss = await employer_with_account(s)
        offer = await offer_for(s, employer, capacity=2)
        app = await apps.apply(s, pupil, offer.id, MOTIVATION)
        done = await accept_and_tell_teacher(s, boss, employer, app.public_code)
        assert done.teacher_told and done.offer.places_left == 1 and done.student.first_name == "Léa"
        assert done.application.status is ApplicationStatus.ACCEPTED
        [note] = await _notes(s, "agreement_to_prepare")
        assert note.recipient_account_id == teacher.id
        assert "M. Martin, 0477000000" in note.payload["message"] and app.public_code in note.payload["message"]


async def test_accepting_a_pupil_without_a_teacher_on_tremplin_tells_no_one(engine):
    async with session_scope(engine) as s:
        employer, boss = await employer_with_account(s)
        offer = await offer_for(s, employer)
        app = await apps.apply(s, await student(s), offer.id, MOTIVATION)
        done = await accept_and_tell_teacher(s, boss, employer, app.public_code)
        assert not done.teacher_told and done.offer.places_left == 0
        assert await _notes(s, "agreement_to_prepare") == []


async def test_decline_check_before_asking_for_kind_words(engine):
    async with session_scope(engine) as s:
        employer, boss = await employer_with_account(s)
        _, stranger = await employer_with_account(s)
        offer = await offer_for(s, employer, capacity=2)
        app = await apps.apply(s, await student(s), offer.id, MOTIVATION)
        assert (await apps.check_can_decline(s, boss, app.public_code)).id == app.id
        with pytest.raises(DomainError) as err:
            await apps.check_can_decline(s, stranger, app.public_code)
        assert err.value.message == "Je ne trouve pas cette candidature parmi celles de vos offres."
        await apps.accept(s, boss, app.public_code)
        with pytest.raises(DomainError) as err:
            await apps.check_can_decline(s, boss, app.public_code)
        assert err.value.code == "already_answered"
        assert err.value.message == "Cette candidature est déjà « acceptée » : il n'y a plus rien à y répondre."


async def test_closing_a_report_once_by_an_admin(engine):
    async with session_scope(engine) as s:
        admin = await _account(s, "admin-1", Role.ADMIN)
        reporter = await anonymous_account(s)  # an unregistered chat still reports
        assert reporter.id is not None and reporter.role is None
        receipt = await report_problem(s, reporter, "Un adulte m'a écrit des choses bizarres")
        with pytest.raises(DomainError):
            close_report(s, reporter, receipt.report)
        close_report(s, admin, receipt.report)
        assert receipt.report.status is ReportStatus.CLOSED and admin.pseudonym in receipt.report.resolution
        with pytest.raises(DomainError, match="est déjà clos"):
            close_report(s, admin, receipt.report)
        await s.flush()
        assert await s.scalar(select(AuditEntry.id).where(AuditEntry.action == "report_closed"))
        assert (await s.get(ProblemReport, receipt.report.id)).closed_at is not None


async def test_asking_for_a_person_tells_every_admin_once_a_day(engine):
    async with session_scope(engine) as s:
        await _account(s, "admin-1", Role.ADMIN)
        await _account(s, "admin-2", Role.ADMIN)
        parent = await _account(s, "parent-1", Role.PARENT)
        today = date.today()
        assert await request_handoff(s, parent, "Je voudrais parler à quelqu'un", today) == 2
        assert await request_handoff(s, parent, "encore", today) == 2
        notes = await _notes(s, "human_handoff")
        assert len(notes) == 2 and "(parent, " in notes[0].payload["message"]


async def test_a_first_search_remembers_commune_and_week_of_a_pupil_without_class(engine):
    async with session_scope(engine) as s:
        pupil = await student(s)
        pupil.stage_start = pupil.stage_end = None
        week = (WEEK, WEEK + timedelta(days=4))
        assert await remember_search_profile(s, pupil, "42094", week) == (True, True)
        assert (pupil.home_commune_insee, pupil.stage_start) == ("42094", WEEK)
        assert await remember_search_profile(s, pupil, "42218", None) == (False, False)  # never overwritten
        teacher = await _account(s, "teacher-1", Role.TEACHER)
        in_class, _ = await _pupil_in_class(s, teacher)
        assert await remember_search_profile(s, in_class, "42094", week) == (False, False)


async def test_people_reads(engine):
    async with session_scope(engine) as s:
        teacher = await _account(s, "teacher-1", Role.TEACHER)
        pupil, klass = await _pupil_in_class(s, teacher)
        kid = await s.get(Account, pupil.account_id)
        employer, _ = await employer_with_account(s)
        offer = await offer_for(s, employer)
        app = await apps.apply(s, pupil, offer.id, MOTIVATION)
        assert [a.public_code for a, _ in await applications_of(s, pupil.id)] == [app.public_code]
        assert await status_of(s, pupil.id, app.public_code) is ApplicationStatus.SENT
        assert await offer_of_own_application(s, kid.id, app.public_code) == offer.id
        assert await offer_of_own_application(s, teacher.id, app.public_code) is None
        [referent] = await referent_classes(s, kid)
        assert referent.startswith("3e A, ") and "Jean-Moulin" in referent
        assert await referent_classes(s, teacher) == []
        assert (await class_by_join_code(s, klass.code)).name == "3e A"
        assert await school_commune_of_class(s, pupil.class_id) is not None
        assert await account_for(s, "no-such-hash") is None


async def test_applying_is_checked_before_the_pupil_writes_with_what_to_do_instead(engine):
    async with session_scope(engine) as s:
        employer, _ = await employer_with_account(s)
        offer = await offer_for(s, employer, capacity=2)
        pupil = await student(s)
        assert (await apps.check_can_apply(s, pupil, offer.id)).id == offer.id
        app = await apps.apply(s, pupil, offer.id, MOTIVATION)
        with pytest.raises(DomainError) as before:
            await apps.check_can_apply(s, pupil, offer.id)
        assert before.value.code == "already_applied" and "« mes candidatures »" in before.value.message
        with pytest.raises(DomainError) as at_apply:
            await apps.apply(s, pupil, offer.id, MOTIVATION)
        assert at_apply.value.message == "Tu as déjà postulé à cette offre."
        with pytest.raises(DomainError, match="retirée ou fermée"):
            await apps.check_can_apply(s, pupil, offer.id + 1000)
        assert app.public_code


async def test_the_college_of_a_new_class_is_found_in_its_name_or_from_the_other_classes(engine):
    from tremplin.services.school_choice import SCHOOL_QUESTION, choose_school, split_new_school

    async with session_scope(engine) as s:
        teacher = await _account(s, "teacher-1", Role.TEACHER)
        with pytest.raises(DomainError) as err:
            await choose_school(s, teacher, "3e B", None)
        assert err.value.message == SCHOOL_QUESTION
        assert split_new_school("0421234A, Collège Jean-Moulin, Roanne") == ("0421234A, Collège Jean-Moulin", "Roanne")
        await _pupil_in_class(s, teacher)  # the teacher's first class, in Collège Jean-Moulin
        choice = await choose_school(s, teacher, "3e C, Collège Jean-Moulin", None)
        assert choice.school_text == "0421234A"
        assert (await choose_school(s, teacher, "3e D", None)).school_text == "0421234A"
