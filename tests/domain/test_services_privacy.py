"""The right to see and to erase: everything is listed, and deletion leaves no trace in any table."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from tests.support.factories import MOTIVATION, employer_with_account, next_monday, offer_for, student
from tremplin.db import session_scope
from tremplin.models import (
    Account, Application, ApplicationStatus, AuditEntry, ChannelIdentity, CodeAttempt, Employer, EmployerJoinRequest,
    Notification, Offer, OfferStatus, ParentLink, ParentLinkCode, ProblemReport, Role, SchoolClass, Student,
)
from tremplin.services import applications as apps
from tremplin.services.accounts import find_account, get_or_create_account, set_role, student_of
from tremplin.services.classes import create_class, join_class
from tremplin.services.employer_contacts import request_to_join
from tremplin.services.follow import link_child
from tremplin.services.moderation import report_problem
from tremplin.services.parents import create_link_code
from tremplin.services.privacy import delete_my_data, show_my_data


async def _rich_student(s):
    """Léa: in a class, home in Feurs, a parent, one accepted and one pending application, a report."""
    teacher = await get_or_create_account(s, "test", "teacher")
    week = next_monday()
    created = await create_class(s, teacher, "0421234A Collège du Forez", "3e A", week, week + timedelta(days=4),
                                 commune_text="Feurs")
    pupil = await student(s, first_name="Léa")
    pupil.home_commune_insee = "42094"
    await join_class(s, pupil, created.code)
    parent = await get_or_create_account(s, "test", "parent")
    await link_child(s, parent, await create_link_code(s, pupil))
    await create_link_code(s, pupil)  # an unused one too
    employer, boss = await employer_with_account(s)
    accepted_offer, pending_offer = await offer_for(s, employer), await offer_for(s, employer)
    accepted = await apps.apply(s, pupil, accepted_offer.id, MOTIVATION)
    await apps.apply(s, pupil, pending_offer.id, "Je voudrais voir comment on fait les croissants le matin.")
    await apps.accept(s, boss, accepted.public_code)
    account = await s.get(Account, pupil.account_id)
    await report_problem(s, account, "Quelqu'un m'a écrit des choses bizarres.")
    return pupil, account, parent, boss, accepted_offer


async def test_show_my_data_lists_everything_for_a_student(engine):
    async with session_scope(engine) as s:
        pupil, account, *_ = await _rich_student(s)
        text = await show_my_data(s, account)
    for expected in ("Voici tout ce que Tremplin garde sur toi", "Rôle : élève", "Prénom : Léa",
                     "Commune de domicile : Feurs (42)", "Classe : 3e A — Collège du Forez", "Semaine de stage : du ",
                     "Candidatures : 2", "acceptée", "croissants", MOTIVATION, "Parents reliés : 1",
                     "empreinte chiffrée", "Signalements envoyés : 1", account.pseudonym):
        assert expected in text, expected


async def test_show_my_data_for_an_employer_lists_offers(engine):
    async with session_scope(engine) as s:
        employer, boss = await employer_with_account(s)
        await offer_for(s, employer)
        text = await show_my_data(s, boss)
    assert "garde sur vous" in text and "Rôle : employeur" in text and employer.siret in text
    assert "offre « Découvrir le fournil » (publiée, 1/1 places libres)" in text and "M. Martin" in text


async def test_deleting_a_student_erases_every_row_and_frees_the_place(engine):
    async with session_scope(engine) as s:
        pupil, account, parent, boss, accepted_offer = await _rich_student(s)
        student_id, account_id, pseudonym = pupil.id, account.id, account.pseudonym
    async with session_scope(engine) as s:
        account = await s.get(Account, account_id)
        message = await delete_my_data(s, account)
    assert "toutes tes données sont effacées" in message
    async with session_scope(engine) as s:
        for model, column in ((Student, Student.id), (Application, Application.student_id),
                              (ParentLink, ParentLink.student_id), (ParentLinkCode, ParentLinkCode.student_id)):
            assert await s.scalar(select(func.count()).select_from(model).where(column == student_id)) == 0, model
        for model, column in ((Account, Account.id), (ChannelIdentity, ChannelIdentity.account_id),
                              (Notification, Notification.recipient_account_id),
                              (CodeAttempt, CodeAttempt.account_id), (ProblemReport, ProblemReport.reporter_account_id)):
            assert await s.scalar(select(func.count()).select_from(model).where(column == account_id)) == 0, model
        assert (await s.get(Offer, accepted_offer.id)).places_left == 1
        withdrawn = (await s.scalars(select(Notification).where(
            Notification.kind == "application_withdrawn"))).all()
        assert {n.recipient_account_id for n in withdrawn} == {boss.id} and len(withdrawn) == 2
        assert any(n.payload["was_accepted"] for n in withdrawn)
        told_parent = await s.scalar(select(Notification.recipient_account_id).where(
            Notification.kind == "child_account_deleted"))
        assert told_parent == parent.id
        assert await s.scalar(select(func.count()).select_from(ProblemReport)) == 1  # kept, but anonymous
        audit = (await s.scalars(select(AuditEntry))).all()
        assert not any(e.target == f"student:{student_id}" for e in audit)
        assert any(e.action == "account_deleted" and e.actor == pseudonym for e in audit)
        dump = " ".join(f"{e.actor} {e.target} {e.details}" for e in audit)
        assert "Léa" not in dump and "croissants" not in dump
        payloads = " ".join(str(n.payload) for n in (await s.scalars(select(Notification))).all())
        assert "Léa" not in payloads and "croissants" not in payloads


async def test_same_chat_starts_over_as_a_new_user(engine):
    async with session_scope(engine) as s:
        pupil = await student(s)
        old = await s.get(Account, pupil.account_id)
        chat = "test", "chat-42"
        fresh = await get_or_create_account(s, *chat)
        await set_role(s, fresh, Role.STUDENT)
        await delete_my_data(s, fresh)
        assert await find_account(s, *chat) is None
        again = await get_or_create_account(s, *chat)
        assert again.role is None and await student_of(s, again.id) is None
        assert old.role is Role.STUDENT  # other users untouched


async def test_deleting_one_of_two_contacts_keeps_the_company(engine):
    async with session_scope(engine) as s:
        employer, boss = await employer_with_account(s)
        offer = await offer_for(s, employer)
        colleague = await get_or_create_account(s, "test", "colleague")
        colleague.employer_id = employer.id
        await set_role(s, colleague, Role.EMPLOYER)
        message = await delete_my_data(s, boss)
        assert "vos données sont effacées" in message
        assert (await s.get(Offer, offer.id)).status is OfferStatus.PUBLISHED
        assert (await s.get(Employer, employer.id)).contact_name == "M. Martin"
        assert await s.get(Account, colleague.id) is not None


async def test_deleting_the_last_contact_closes_offers_and_clears_contact(engine):
    async with session_scope(engine) as s:
        employer, boss = await employer_with_account(s)
        offer = await offer_for(s, employer)
        pupil = await student(s)
        app = await apps.apply(s, pupil, offer.id, MOTIVATION)
        employer_id, boss_id = employer.id, boss.id
        await delete_my_data(s, boss)
    async with session_scope(engine) as s:
        employer = await s.get(Employer, employer_id)
        assert (employer.contact_name, employer.contact_phone, employer.contact_email) == (None, None, None)
        assert (await s.get(Offer, offer.id)).status is OfferStatus.CLOSED
        assert (await s.get(Application, app.id)).status is ApplicationStatus.DECLINED
        note = await s.scalar(select(Notification).where(Notification.kind == "offer_withdrawn"))
        assert note.recipient_account_id == pupil.account_id and "pas lié à ta candidature" in note.payload["message"]
        assert await s.get(Account, boss_id) is None


async def test_last_contact_leaving_with_an_accepted_student_alerts_the_admins(engine):
    async with session_scope(engine) as s:
        admin = await get_or_create_account(s, "test", "admin")
        await set_role(s, admin, Role.ADMIN)
        employer, boss = await employer_with_account(s)
        pupil = await student(s)
        app = await apps.apply(s, pupil, (await offer_for(s, employer)).id, MOTIVATION)
        await apps.accept(s, boss, app.public_code)
        await delete_my_data(s, boss)
        alert = await s.scalar(select(Notification).where(Notification.kind == "employer_left"))
        status = await s.scalar(select(Application.status).where(Application.id == app.id))
    assert alert.recipient_account_id == admin.id and app.public_code in alert.payload["message"]
    assert status is ApplicationStatus.ACCEPTED  # the student keeps the place; a person calls them


async def test_a_pending_join_request_is_shown_and_deleted_with_the_account(engine):
    async with session_scope(engine) as s:
        employer, _ = await employer_with_account(s)
        newcomer = await get_or_create_account(s, "test", "join-then-leave")
        request, _ = await request_to_join(s, newcomer, employer, "Paul Dupont", "06 11 22 33 44")
        shown = await show_my_data(s, newcomer)
        assert f"({request.public_code}, en attente) : Paul Dupont, 06 11 22 33 44" in shown
        await delete_my_data(s, newcomer)
    async with session_scope(engine) as s:
        assert await s.scalar(select(func.count()).select_from(EmployerJoinRequest)) == 0


async def test_a_teacher_leaving_takes_their_contact_off_the_class(engine):
    async with session_scope(engine) as s:
        teacher = await get_or_create_account(s, "test", "teacher-leaves")
        created = await create_class(s, teacher, "0421234A Collège Jean-Moulin", "3e A", next_monday(),
                                     next_monday() + timedelta(days=4), commune_text="Feurs",
                                     teacher_contact="Mme Roche, 04 77 26 11 22")
        assert "Contact donné aux entreprises qui acceptent un élève : Mme Roche, 04 77 26 11 22" in \
            await show_my_data(s, teacher)
        await delete_my_data(s, teacher)
    async with session_scope(engine) as s:
        school_class = await s.get(SchoolClass, created.school_class.id)
    assert school_class.teacher_account_id is None and school_class.teacher_contact is None
