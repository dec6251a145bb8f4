"""Following applications: states in words, the host's contact only once accepted, withdrawing
with a confirmation (an accepted place is given back and the employer told)."""
from __future__ import annotations

from sqlalchemy import select

from actions.student_applications import ActionMyApplications, ActionWithdrawApplication
from tests.support.actions import run, tracker, use_engine
from tests.support.student import apply_now, assert_no_leak, offers, student_chat
from tremplin.db import session_scope
from tremplin.models import Application, ApplicationStatus, Notification, Offer, Role


async def codes(engine) -> list[str]:
    async with session_scope(engine) as s:
        return list(await s.scalars(select(Application.public_code).order_by(Application.id)))


async def test_no_application_yet_leads_to_the_search(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    sender = await student_chat(engine, "f1")
    out = await run(ActionMyApplications(), tracker(sender, intent="my_applications"))
    assert "aucune candidature" in out.text and out.buttons[0]["payload"] == "/search_offers"


async def test_states_in_words_and_contact_only_after_acceptance(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    first, second = await offers(engine, 2)
    sender = await student_chat(engine, "f2")
    await apply_now(sender, first)
    await apply_now(sender, second)
    out = await run(ActionMyApplications(), tracker(sender, intent="my_applications"))
    assert out.text.startswith("Tes candidatures (2) :")
    assert out.text.count("envoyée, pas encore lue") == 2
    assert "2 en attente de réponse" in out.text
    assert_no_leak(out.text)
    c1, _ = await codes(engine)
    assert {"title": f"Retirer {c1}", "payload": f'/withdraw_application{{"code": "{c1}"}}'} in out.buttons
    async with session_scope(engine) as s:
        app = await s.scalar(select(Application).where(Application.public_code == c1))
        app.status = ApplicationStatus.ACCEPTED
    out = await run(ActionMyApplications(), tracker(sender, intent="my_applications"))
    assert f"{c1} — « Découvrir le fournil » à Feurs (42)" in out.text and ": acceptée" in out.text
    assert "3 rue de la République" in out.text and "M. Martin" in out.text  # now they may know
    assert "la convention de stage, signée par ton collège, l'employeur et ta famille" in out.text


async def test_withdraw_asks_first_and_can_be_called_off(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    first, second = await offers(engine, 2)
    sender = await student_chat(engine, "f3")
    await apply_now(sender, first)
    await apply_now(sender, second)
    out = await run(ActionWithdrawApplication(), tracker(sender, intent="withdraw_application"))
    assert out.text == "Laquelle veux-tu retirer ?" and len(out.buttons) == 2
    c1, c2 = await codes(engine)
    out = await run(ActionWithdrawApplication(), tracker(sender, intent="withdraw_application",
                                                          entities=[{"entity": "code", "value": c1}]))
    assert out.text.startswith(f"Tu veux vraiment retirer ta candidature {c1}")
    assert out.slots()["withdraw_pending"] == c1
    assert [b["payload"] for b in out.buttons] == ["/affirm", "/deny"]
    out = await run(ActionWithdrawApplication(), tracker(sender, intent="deny", slots={"withdraw_pending": c1}))
    assert "je ne retire rien" in out.text and out.slots()["withdraw_pending"] is None
    async with session_scope(engine) as s:
        assert {a.status for a in await s.scalars(select(Application))} == {ApplicationStatus.SENT}


async def test_withdrawing_an_accepted_one_gives_the_place_back(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    [offer_id] = await offers(engine, capacity=2)
    sender = await student_chat(engine, "f4")
    await apply_now(sender, offer_id)
    [code] = await codes(engine)
    async with session_scope(engine) as s:
        (await s.scalar(select(Application))).status = ApplicationStatus.ACCEPTED
        (await s.get(Offer, offer_id)).places_left = 1
    out = await run(ActionWithdrawApplication(), tracker(sender, intent="withdraw_application",
                                                          entities=[{"entity": "code", "value": code.lower()}]))
    assert "Elle a été acceptée : si tu la retires, ta place est rendue" in out.text
    out = await run(ActionWithdrawApplication(), tracker(sender, intent="affirm", slots={"withdraw_pending": code}))
    assert out.text.startswith(f"C'est fait : ta candidature {code} est retirée, ta place est rendue")
    async with session_scope(engine) as s:
        assert (await s.scalar(select(Application))).status is ApplicationStatus.WITHDRAWN
        assert (await s.get(Offer, offer_id)).places_left == 2
        kinds = list(await s.scalars(select(Notification.kind)))
        assert "application_withdrawn" in kinds


async def test_withdraw_refusals_are_explained(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    sender = await student_chat(engine, "f5")
    out = await run(ActionWithdrawApplication(), tracker(sender, intent="withdraw_application"))
    assert "aucune candidature en cours" in out.text
    out = await run(ActionWithdrawApplication(), tracker(sender, intent="withdraw_application",
                                                          entities=[{"entity": "code", "value": "C-ZZZZZZ"}]))
    assert "Je ne trouve pas la candidature C-ZZZZZZ parmi les tiennes" in out.text
    [offer_id] = await offers(engine)
    other = await student_chat(engine, "f6")
    await apply_now(other, offer_id)
    [code] = await codes(engine)
    out = await run(ActionWithdrawApplication(), tracker(sender, intent="affirm", slots={"withdraw_pending": code}))
    assert "parmi les tiennes" in out.text  # someone else's code: nothing happens
    async with session_scope(engine) as s:
        app = await s.scalar(select(Application))
        assert app.status is ApplicationStatus.SENT
        app.status = ApplicationStatus.DECLINED
    out = await run(ActionWithdrawApplication(), tracker(other, intent="withdraw_application",
                                                          entities=[{"entity": "code", "value": code}]))
    assert f"La candidature {code} est « refusée » : il n'y a plus rien à retirer." == out.text


async def test_adults_are_told_this_is_for_students(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    sender = await student_chat(engine, "f7", role=Role.EMPLOYER)
    out = await run(ActionMyApplications(), tracker(sender, intent="my_applications"))
    assert "réservée aux élèves" in out.text and "Écrivez" in out.text


async def test_words_are_not_mistaken_for_codes(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    first, second = await offers(engine, 2)
    sender = await student_chat(engine, "f8")
    await apply_now(sender, first)
    await apply_now(sender, second)
    out = await run(ActionWithdrawApplication(), tracker(sender, intent="withdraw_application",
                                                          text="je veux retirer ma candidature cuisine"))
    assert out.text == "Laquelle veux-tu retirer ?"
