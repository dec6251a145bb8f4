"""Reviewing anonymous applications, accepting (the student revealed only then, the teacher told) and
declining kindly; reminders and expiry; and two acceptances racing for the last place on PostgreSQL."""
from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import select

from actions.employer_applications import (DECLINE_WORDINGS, ActionAcceptApplication, ActionDeclineApplication,
                                           ActionReviewApplications)
from tremplin.services.reminders import run_reminders
from tests.support.actions import run, tracker, use_engine
from tests.support.factories import MOTIVATION, offer_for, student
from tests.support.employer import employer_sender, entity, monday
from tremplin.db import session_scope
from tremplin.models import Application, ApplicationStatus, Employer, Notification, Offer, School, SchoolClass, utcnow
from tremplin.services.accounts import get_or_create_account
from tremplin.services.applications import apply


async def setup(engine, *, capacity: int = 2, pupils: int = 2, with_class: bool = True):
    """A company with one offer and `pupils` anonymous applications (Léa, Hugo…) from the Feurs collège."""
    sender, employer_id = await employer_sender(engine, f"app-{capacity}-{pupils}-{with_class}")
    async with session_scope(engine) as s:
        offer = await offer_for(s, await s.get(Employer, employer_id), capacity=capacity, week=monday())
        class_id = None
        if with_class:
            teacher = await get_or_create_account(s, "test", "teacher-1")
            school = School(uai="0429871B", name="Collège des Sources du Forez", commune_insee="42094")
            s.add(school)
            await s.flush()
            school_class = SchoolClass(school_id=school.id, name="3e A", join_code="FEURS-3A",
                                       teacher_account_id=teacher.id, stage_start=monday(),
                                       stage_end=monday() + timedelta(days=4),
                                       teacher_contact="Mme Roche, 04 77 26 11 22")
            s.add(school_class)
            await s.flush()
            class_id = school_class.id
        codes = []
        for name in ("Léa", "Hugo", "Inès")[:pupils]:
            pupil = await student(s, name, week=monday())
            pupil.class_id = class_id
            codes.append((await apply(s, pupil, offer.id, MOTIVATION, distance_km=8)).public_code)
        return sender, offer.id, codes


def code(value: str) -> list[dict]:
    return [entity("code", value)]


async def status(engine, public_code: str) -> Application:
    async with session_scope(engine) as s:
        return await s.scalar(select(Application).where(Application.public_code == public_code))


async def test_review_shows_anonymous_applications_one_by_one(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    sender, _, (first, second) = await setup(engine)
    out = await run(ActionReviewApplications(), tracker(sender, intent="review_applications"))
    assert f"Candidature {first}" in out.text and "(1 sur 2 en attente)" in out.text
    assert MOTIVATION in out.text and "5 à 15 km" in out.text and "• semaine : du " in out.text
    assert "Léa" not in out.text and "Collège" not in out.text and "rue" not in out.text and "Roche" not in out.text
    assert [b["title"] for b in out.buttons] == ["Accepter", "Refuser", "Plus tard"]
    assert out.buttons[0]["payload"] == f'/accept_application{{"code": "{first}"}}'
    assert out.slots() == {"code": first}
    assert (await status(engine, first)).status is ApplicationStatus.SEEN
    later = out.buttons[2]["payload"]
    assert later == f'/review_applications{{"code": "{first}"}}'
    out = await run(ActionReviewApplications(), tracker(sender, entities=code(first)))
    assert f"Candidature {second}" in out.text and "(2 sur 2 en attente)" in out.text
    out = await run(ActionReviewApplications(), tracker(sender, entities=code(second)))
    assert "C'est tout pour l'instant" in out.text and "15 jours" in out.text


async def test_accept_reveals_first_name_college_and_teacher_contact_and_tells_the_teacher(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    sender, offer_id, (first, second) = await setup(engine, capacity=2)
    out = await run(ActionAcceptApplication(), tracker(sender, intent="accept_application", entities=code(first)))
    assert "C'est accepté : Léa fera son stage chez vous" in out.text
    assert "Collège des Sources du Forez (Feurs (42)), classe 3e A" in out.text
    assert "Professeur référent, pour la convention : Mme Roche, 04 77 26 11 22" in out.text
    assert "Son professeur a reçu vos coordonnées" in out.text and "Il reste 1 place(s)" in out.text
    assert (await status(engine, first)).status is ApplicationStatus.ACCEPTED
    async with session_scope(engine) as s:
        note = await s.scalar(select(Notification).where(Notification.kind == "agreement_to_prepare"))
        assert note.payload["contact_phone"] == "04 77 12 34 56" and note.payload["code"] == first
        assert note.payload["message"].startswith("Bonne nouvelle : Léa (3e A) est accepté(e) en stage chez "
                                                  "Boulangerie Martin (Feurs (42))")
        assert "Claire Martin, 04 77 12 34 56" in note.payload["message"]
    # The slot remembered from the review is enough: "je la prends".
    out = await run(ActionAcceptApplication(), tracker(sender, intent="accept_application", slots={"code": second}))
    assert "Hugo" in out.text and "L'offre est maintenant complète" in out.text
    async with session_scope(engine) as s:
        assert (await s.get(Offer, offer_id)).places_left == 0


async def test_accept_without_a_class_and_when_full(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    sender, _, (first, second) = await setup(engine, capacity=1, with_class=False)
    out = await run(ActionAcceptApplication(), tracker(sender, entities=code(first)))
    assert "Son professeur n'est pas encore sur Tremplin" in out.text and "secrétariat du collège" in out.text
    async with session_scope(engine) as s:  # the other candidate is told kindly that the offer is full
        told = await s.scalar(select(Notification).where(Notification.kind == "offer_full"))
        assert told is not None and told.payload["code"] == second
    out = await run(ActionAcceptApplication(), tracker(sender, entities=code(second)))
    assert "plus de place" in out.text
    assert (await status(engine, second)).status is ApplicationStatus.SENT


async def test_another_companys_application_is_not_found(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    _, _, (first, _) = await setup(engine)
    intruder, _ = await employer_sender(engine, "app-intruder", company="Autre SARL")
    for action in (ActionAcceptApplication(), ActionDeclineApplication()):
        out = await run(action, tracker(intruder, entities=code(first) + [entity("nombre", "1")]))
        assert "Je ne trouve pas cette candidature" in out.text
    assert (await status(engine, first)).status is ApplicationStatus.SENT
    out = await run(ActionAcceptApplication(), tracker(intruder))
    assert "Quelle candidature" in out.text


async def test_decline_with_a_suggested_or_own_kind_message(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    sender, _, (first, second) = await setup(engine)
    out = await run(ActionDeclineApplication(), tracker(sender, intent="decline_application", entities=code(first)))
    assert DECLINE_WORDINGS[0] in out.text and f"refuser {first} : votre message" in out.text
    assert [b["title"] for b in out.buttons] == ["Message 1", "Message 2", "Message 3", "Refuser sans message"]
    assert (await status(engine, first)).status is ApplicationStatus.SENT  # nothing decided yet
    out = await run(ActionDeclineApplication(), tracker(sender, entities=code(first) + [entity("nombre", "2")]))
    assert "l'élève est prévenu(e) avec votre message" in out.text
    app = await status(engine, first)
    assert app.status is ApplicationStatus.DECLINED and app.decline_message == DECLINE_WORDINGS[1]
    own = f"je refuse {second} : désolé, appelle-moi au 06 12 34 56 78 pour l'an prochain"
    out = await run(ActionDeclineApplication(), tracker(sender, text=own, entities=code(second)))
    app = await status(engine, second)
    assert app.status is ApplicationStatus.DECLINED
    assert "06 12" not in app.decline_message and "[numéro masqué]" in app.decline_message
    out = await run(ActionDeclineApplication(), tracker(sender, entities=code(second) + [entity("nombre", "0")]))
    assert "déjà « refusée »" in out.text


async def test_reminder_after_5_days_then_expiry_after_15(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    sender, _, (first,) = await setup(engine, pupils=1)
    assert await run_reminders(engine, utcnow() + timedelta(days=6)) == (1, 0)
    assert await run_reminders(engine, utcnow() + timedelta(days=7)) == (0, 0)  # once only
    assert await run_reminders(engine, utcnow() + timedelta(days=16)) == (0, 1)
    assert (await status(engine, first)).status is ApplicationStatus.EXPIRED
    async with session_scope(engine) as s:
        kinds = set(await s.scalars(select(Notification.kind)))
        assert {"application_reminder", "application_expired"} <= kinds


async def test_two_acceptances_race_for_the_last_place(pg_engine, monkeypatch):
    use_engine(pg_engine, monkeypatch)
    sender, offer_id, (first, second) = await setup(pg_engine, capacity=1)
    outs = await asyncio.gather(*(run(ActionAcceptApplication(), tracker(sender, entities=code(c)))
                                  for c in (first, second)))
    texts = sorted(o.text for o in outs)
    assert sum("C'est accepté" in t for t in texts) == 1
    assert sum("plus de place" in t for t in texts) == 1
    async with session_scope(pg_engine) as s:
        assert (await s.get(Offer, offer_id)).places_left == 0
        accepted = list(await s.scalars(select(Application).where(Application.status == ApplicationStatus.ACCEPTED)))
        assert len(accepted) == 1
