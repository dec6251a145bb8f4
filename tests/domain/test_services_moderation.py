"""Moderation as users notice it: reports reach every admin, only admins moderate, students are told kindly."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.support.factories import MOTIVATION, employer_with_account, offer_for, student
from tremplin.db import session_scope
from tremplin.models import (
    Account, Application, ApplicationStatus, AuditEntry, Notification, OfferStatus, ProblemReport, Role,
)
from tremplin.services import applications as apps
from tremplin.services.accounts import get_or_create_account, set_role
from tremplin.services.classes import create_class, join_class
from tremplin.services.errors import DomainError, Forbidden
from tremplin.services.follow import link_child
from tremplin.services.moderation import (
    approve_offer, figures, moderation_queue, reject_offer, report_problem, suspend_employer,
)
from tremplin.services.parents import create_link_code


async def _admin(s, chat: str = "admin-1") -> Account:
    account = await get_or_create_account(s, "test", chat)
    await set_role(s, account, Role.ADMIN)
    return account


async def _notes(s, kind: str) -> list[Notification]:
    return list(await s.scalars(select(Notification).where(Notification.kind == kind).order_by(Notification.id)))


async def test_report_reaches_every_admin_scrubbed_with_a_kind_answer(engine):
    async with session_scope(engine) as s:
        admins = [await _admin(s, "admin-1"), await _admin(s, "admin-2")]
        employer, boss = await employer_with_account(s)
        offer = await offer_for(s, employer)
        pupil = await student(s)
        kid = await s.get(Account, pupil.account_id)
        receipt = await report_problem(s, kid, "Le patron m'a demandé mon snap et m'a appelé au 06 12 34 56 78",
                                       offer_id=offer.id)
        adult = await report_problem(s, boss, "Un message bizarre reçu hier soir.", offer_id=999_999)
        notes = await _notes(s, "problem_reported")
        audit = (await s.scalars(select(AuditEntry).where(AuditEntry.action == "problem_reported"))).all()
    report = receipt.report
    assert "06 12" not in report.text and "[numéro masqué]" in report.text
    assert (report.offer_id, report.employer_id) == (offer.id, employer.id)
    assert "une personne de l'équipe Tremplin" in receipt.message and "reviendra vers toi" in receipt.message
    assert "119" in receipt.message
    assert "reviendra vers vous" in adult.message and adult.report.offer_id is None
    assert sorted(n.recipient_account_id for n in notes) == sorted([a.id for a in admins] * 2)
    assert all("06 12" not in str(n.payload) for n in notes)
    assert [e.actor for e in audit] == [kid.pseudonym, boss.pseudonym]


async def test_empty_report_is_refused_in_the_right_register(engine):
    async with session_scope(engine) as s:
        pupil = await student(s)
        with pytest.raises(DomainError) as err:
            await report_problem(s, await s.get(Account, pupil.account_id), "  ")
    assert err.value.message == "Explique en quelques mots ce qui se passe."


async def test_only_admins_moderate(engine):
    async with session_scope(engine) as s:
        employer, boss = await employer_with_account(s, trusted=False)
        offer = await offer_for(s, employer)
        for call in (moderation_queue(s, boss), approve_offer(s, boss, offer.id),
                     reject_offer(s, boss, offer.id, "non"), suspend_employer(s, boss, employer.id)):
            with pytest.raises(Forbidden) as err:
                await call
            assert err.value.message == "Cette action est réservée à l'équipe Tremplin."
        assert offer.status is OfferStatus.PENDING_REVIEW and not employer.suspended


async def test_queue_then_approve_and_reject_tell_the_employer(engine):
    async with session_scope(engine) as s:
        admin = await _admin(s)
        employer, boss = await employer_with_account(s, trusted=False)
        good, bad = await offer_for(s, employer), await offer_for(s, employer)
        pupil = await student(s)
        await report_problem(s, await s.get(Account, pupil.account_id), "Une offre me semble louche.")
        queue = await moderation_queue(s, admin)
        assert [o.id for o in queue.offers] == [good.id, bad.id] and len(queue.reports) == 1
        await approve_offer(s, admin, good.id)
        with pytest.raises(DomainError) as no_reason:
            await reject_offer(s, admin, bad.id, " ")
        await reject_offer(s, admin, bad.id, "Le travail sur échafaudage est interdit aux mineurs.")
        with pytest.raises(DomainError) as twice:
            await approve_offer(s, admin, bad.id)
        approved, rejected = await _notes(s, "offer_approved"), await _notes(s, "offer_rejected")
        queue = await moderation_queue(s, admin)
    assert (good.status, bad.status) == (OfferStatus.PUBLISHED, OfferStatus.DRAFT)
    assert no_reason.value.code == "reason_required" and twice.value.code == "offer_not_pending"
    assert [n.recipient_account_id for n in approved + rejected] == [boss.id, boss.id]
    assert "échafaudage" in rejected[0].payload["message"] and "corriger" in rejected[0].payload["message"]
    assert queue.offers == []


async def test_suspension_closes_offers_and_frees_pending_students_kindly(engine):
    async with session_scope(engine) as s:
        admin = await _admin(s)
        employer, boss = await employer_with_account(s)
        offer, other_offer = await offer_for(s, employer, capacity=2), await offer_for(s, employer)
        waiting, placed = await student(s, first_name="Léa"), await student(s, first_name="Tom")
        parent = await get_or_create_account(s, "test", "parent")
        await link_child(s, parent, await create_link_code(s, waiting))
        pending_app = await apps.apply(s, waiting, offer.id, MOTIVATION)
        placed_app = await apps.apply(s, placed, other_offer.id, MOTIVATION)
        await apps.accept(s, boss, placed_app.public_code)
        result = await suspend_employer(s, admin, employer.id)
        told = await _notes(s, "offer_withdrawn")
        suspended = await _notes(s, "employer_suspended")
        await s.refresh(offer)
        pending_status = await s.scalar(select(Application.status).where(Application.id == pending_app.id))
    assert employer.suspended and offer.status is OfferStatus.CLOSED
    assert (result.closed_offers, result.pending_told, result.placed_codes) == (2, 1, [placed_app.public_code])
    assert pending_status is ApplicationStatus.DECLINED
    assert {n.recipient_account_id for n in told} == {waiting.account_id, parent.id}
    assert "Ce n'est pas lié à ta candidature" in told[0].payload["message"]
    assert [n.recipient_account_id for n in suspended] == [boss.id]


async def test_figures_by_commune_school_and_rural_share(engine):
    async with session_scope(engine) as s:
        employer, boss = await employer_with_account(s)
        teacher = await get_or_create_account(s, "test", "teacher")
        pupils = []
        for home in ("42174", "42174", "42094", None):  # Poncins (rural) x2, Feurs (urban), unknown
            pupil = await student(s)
            pupil.home_commune_insee = home
            pupils.append(pupil)
        created = await create_class(s, teacher, "0421234A Collège du Forez", "3e A", pupils[0].stage_start,
                                     pupils[0].stage_end, commune_text="Feurs")
        await join_class(s, pupils[0], created.code)
        for pupil in (pupils[0], pupils[2]):
            app = await apps.apply(s, pupil, (await offer_for(s, employer)).id, MOTIVATION)
            await apps.accept(s, boss, app.public_code)
        result = await figures(s)
    assert result.by_commune == [("Feurs", 2)]
    assert result.by_school == [("Collège du Forez", 1), ("sans collège renseigné", 1)]
    assert (result.rural, result.urban, result.unknown_home) == ((1, 2), (1, 1), (0, 1))
    assert "commune rurale : 1/2 (50 %)" in result.text and "urbaine : 1/1 (100 %)" in result.text


async def test_problem_reports_survive_a_missing_admin(engine):
    async with session_scope(engine) as s:
        pupil = await student(s)
        receipt = await report_problem(s, await s.get(Account, pupil.account_id), "Problème de transport.")
    async with session_scope(engine) as s:
        assert (await s.get(ProblemReport, receipt.report.id)).text == "Problème de transport."
