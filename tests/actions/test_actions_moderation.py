"""Admin actions: only for the ADMIN role; every id of a button is checked again; employers are told."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from actions.moderation import (
    ActionAdminFigures, ActionApproveOffer, ActionCloseReport, ActionModerationQueue, ActionRejectOffer,
    ActionSuspendEmployer,
)
from tests.support.actions import notes, role_chat, run, tracker, use_engine
from tests.support.factories import MOTIVATION, employer_with_account, offer_for, student
from tremplin.db import session_scope
from tremplin.models import Account, Employer, Offer, OfferStatus, Role
from tremplin.services import applications as apps
from tremplin.services.moderation import report_problem

ADMIN_ACTIONS = [ActionModerationQueue, ActionApproveOffer, ActionRejectOffer, ActionSuspendEmployer,
                 ActionCloseReport, ActionAdminFigures]


async def _pending_offer(engine) -> tuple[int, int, int]:
    """(offer id, employer id, employer account id) of an untrusted employer's offer awaiting review."""
    async with session_scope(engine) as s:
        employer, boss = await employer_with_account(s, trusted=False)
        offer = await offer_for(s, employer)
        return offer.id, employer.id, boss.id


def _ids(entity_value: int | str, **extra: str) -> list[dict]:
    return [{"entity": "nombre", "value": str(entity_value)},
            *({"entity": k, "value": v} for k, v in extra.items())]


@pytest.mark.parametrize("role", [None, Role.STUDENT, Role.PARENT, Role.TEACHER, Role.EMPLOYER])
async def test_only_admins_moderate_or_see_figures(engine, monkeypatch, role):
    use_engine(engine, monkeypatch)
    offer_id, employer_id, _ = await _pending_offer(engine)
    sender = await role_chat(engine, f"not-admin-{role}", role)
    for action in ADMIN_ACTIONS:
        out = await run(action(), tracker(sender, entities=_ids(offer_id, code="CONFIRMER")))
        assert out.text == "Cette action est réservée à l'équipe Tremplin.", action
    async with session_scope(engine) as s:
        assert (await s.get(Offer, offer_id)).status is OfferStatus.PENDING_REVIEW
        assert not (await s.get(Employer, employer_id)).suspended


async def test_queue_shows_offers_and_reports_with_buttons(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    admin = await role_chat(engine, "admin-1", Role.ADMIN)
    offer_id, employer_id, _ = await _pending_offer(engine)
    async with session_scope(engine) as s:
        reporter = (await s.scalars(select(Account).where(Account.role == Role.EMPLOYER))).first()
        await report_problem(s, reporter, "Un élève m'a écrit des choses bizarres au 06 12 34 56 78")
    out = await run(ActionModerationQueue(), tracker(admin, intent="moderation_queue"))
    assert "1 offre(s) en attente, 1 signalement(s) ouvert(s)" in out.text
    assert "06 12 34 56 78" not in out.text and "Signalement n° 1" in out.text
    payloads = [b["payload"] for b in out.buttons]
    assert f'/approve_offer{{"nombre": "{offer_id}"}}' in payloads
    assert f'/reject_offer{{"nombre": "{offer_id}"}}' in payloads
    assert f'/suspend_employer{{"nombre": "{employer_id}"}}' in payloads


async def test_approve_publishes_and_tells_the_employer(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    admin = await role_chat(engine, "admin-2", Role.ADMIN)
    offer_id, _, boss = await _pending_offer(engine)
    out = await run(ActionApproveOffer(), tracker(admin, entities=_ids(offer_id)))
    assert f"Offre n° {offer_id}" in out.text and "validée" in out.text
    assert await notes(engine, "offer_approved") == [(boss, "offer_approved")]
    # The same button pressed again, or a made-up id: checked again, refused.
    again = await run(ActionApproveOffer(), tracker(admin, entities=_ids(offer_id)))
    assert "n'attend pas de validation" in again.text
    assert "Je ne trouve pas cette offre" in (await run(ActionApproveOffer(), tracker(admin, entities=_ids(999)))).text
    assert len(await notes(engine, "offer_approved")) == 1


async def test_reject_asks_a_reason_then_sends_it(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    admin = await role_chat(engine, "admin-3", Role.ADMIN)
    offer_id, _, boss = await _pending_offer(engine)
    out = await run(ActionRejectOffer(), tracker(admin, entities=_ids(offer_id)))
    assert "Pour quelle raison" in out.text and len(out.buttons) == 4
    assert await notes(engine, "offer_rejected") == []
    out = await run(ActionRejectOffer(), tracker(admin, entities=_ids(offer_id, code="coordonnees")))
    assert "refusée" in out.text and "coordonnées" in out.text
    assert await notes(engine, "offer_rejected") == [(boss, "offer_rejected")]
    async with session_scope(engine) as s:
        assert (await s.get(Offer, offer_id)).status is OfferStatus.DRAFT


async def test_reject_with_a_typed_reason(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    admin = await role_chat(engine, "admin-4", Role.ADMIN)
    offer_id, _, _ = await _pending_offer(engine)
    out = await run(ActionRejectOffer(), tracker(admin, text=f"refuser l'offre {offer_id} : description trop courte"))
    assert "« description trop courte »" in out.text


async def test_suspension_is_confirmed_then_frees_pending_students(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    admin = await role_chat(engine, "admin-5", Role.ADMIN)
    async with session_scope(engine) as s:
        employer, boss = await employer_with_account(s)
        offer = await offer_for(s, employer)
        pupil = await student(s)
        await apps.apply(s, pupil, offer.id, MOTIVATION)
        employer_id, boss_id, pupil_account = employer.id, boss.id, pupil.account_id
    out = await run(ActionSuspendEmployer(), tracker(admin, entities=_ids(employer_id)))
    assert "Suspendre" in out.text and out.buttons[0]["payload"] == (
        f'/suspend_employer{{"nombre": "{employer_id}", "code": "CONFIRMER"}}')
    assert await notes(engine, "employer_suspended") == []
    out = await run(ActionSuspendEmployer(), tracker(admin, entities=_ids(employer_id, code="CONFIRMER")))
    assert "1 offre(s) retirée(s), 1 élève(s) en attente prévenu(s)" in out.text
    assert await notes(engine, "employer_suspended") == [(boss_id, "employer_suspended")]
    assert await notes(engine, "offer_withdrawn") == [(pupil_account, "offer_withdrawn")]
    assert "déjà suspendu" in (await run(ActionSuspendEmployer(), tracker(admin, entities=_ids(employer_id)))).text


async def test_figures_combine_stats_and_equity(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    admin = await role_chat(engine, "admin-6", Role.ADMIN)
    out = await run(ActionAdminFigures(), tracker(admin, intent="admin_figures"))
    assert "Tremplin — chiffres clés" in out.text and "Stages trouvés par collège" in out.text
    assert "commune rurale" in out.text and "Signalements ouverts : 0" in out.text


async def test_a_report_leaves_the_queue_once_closed(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    admin = await role_chat(engine, "admin-7", Role.ADMIN)
    await role_chat(engine, "parent-1", Role.PARENT)
    async with session_scope(engine) as s:
        reporter = await s.scalar(select(Account).where(Account.role == Role.PARENT))
        report_id = (await report_problem(s, reporter, "Je n'arrive pas à joindre le collège")).report.id
    queue = await run(ActionModerationQueue(), tracker(admin))
    assert f'/close_report{{"nombre": "{report_id}"}}' in [b["payload"] for b in queue.buttons]
    student_chat = await role_chat(engine, "pupil-9", Role.STUDENT)
    refused = await run(ActionCloseReport(), tracker(student_chat, entities=_ids(report_id)))
    assert "réservée à l'équipe" in refused.text
    assert "clos" in (await run(ActionCloseReport(), tracker(admin, entities=_ids(report_id)))).text
    assert "déjà clos" in (await run(ActionCloseReport(), tracker(admin, entities=_ids(report_id)))).text
    assert "Rien à modérer" in (await run(ActionModerationQueue(), tracker(admin))).text
