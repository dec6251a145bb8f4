"""What was typed is used whatever the intent (actions/routing.py): a pupil's trade or place searches,
a company's offer in one message opens the offer form, a « oui » to an application shown accepts it;
only a message holding nothing usable gets « reformulate »."""
from __future__ import annotations

from rasa_sdk import Tracker

from actions.routing import ActionUseWhatWasSaid
from tests.support.actions import chat_user, run, use_engine
from tests.support.employer import employer_sender
from tremplin.db import session_scope
from tremplin.models import Account, ChannelIdentity, Role
from sqlalchemy import select


def _tracker(sender: str, text: str, intent: str, entities: list[dict] | None = None,
             previous: str | None = None, slots: dict | None = None) -> Tracker:
    events = ([{"event": "action", "name": previous}] if previous else []) + [
        {"event": "action", "name": "action_listen"}, {"event": "user", "text": text}]
    latest = {"text": text, "intent": {"name": intent, "confidence": 0.3}, "entities": entities or []}
    return Tracker(sender, slots or {}, latest, events, False, None, {}, "action_listen")


def _followup(out) -> str | None:
    return next((e["name"] for e in out.events if e.get("event") == "followup"), None)


async def _as_student(engine, sender: str) -> None:
    async with session_scope(engine) as s:
        account = await s.get(Account, await s.scalar(
            select(ChannelIdentity.account_id).where(ChannelIdentity.external_hash == sender)))
        account.role = Role.STUDENT


async def test_a_pupil_naming_a_trade_and_a_place_is_searching(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    sender = await chat_user(engine, "route-1")
    await _as_student(engine, sender)
    out = await run(ActionUseWhatWasSaid(), _tracker(sender, "non attends, à Feurs", "nlu_fallback",
                                                     [{"entity": "lieu", "value": "Feurs"}]))
    assert _followup(out) == "search_form" and out.text == ""


async def test_a_company_giving_its_offer_opens_the_offer_form(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    sender, _ = await employer_sender(engine, "route-2")
    out = await run(ActionUseWhatWasSaid(), _tracker(sender, "tapissier à Montbrison, du 1 au 5 février, 1 place",
                                                     "inform"))
    assert _followup(out) == "publish_offer_form"


async def test_a_yes_or_no_to_the_application_shown(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    sender, _ = await employer_sender(engine, "route-3")
    for text, action in (("oui on l'accueille avec plaisir", "action_accept_application"),
                         ("désolé c'est complet chez nous", "action_decline_application"),
                         ("d'accord pour ce jeune", "action_accept_application")):
        out = await run(ActionUseWhatWasSaid(), _tracker(sender, text, "nlu_fallback",
                                                         previous="action_review_applications"))
        assert _followup(out) == action, text


async def test_nothing_usable_asks_to_rephrase(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    sender = await chat_user(engine, "route-4")
    out = await run(ActionUseWhatWasSaid(), _tracker(sender, "blabla truc", "nlu_fallback"))
    assert _followup(out) is None and out.messages[0].get("response") == "utter_default"


async def test_a_wish_naming_one_trade_is_a_search(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    sender = await chat_user(engine, "route-5")
    await _as_student(engine, sender)
    out = await run(ActionUseWhatWasSaid(), _tracker(sender, "g envie de faire plombier", "nlu_fallback"))
    assert _followup(out) == "search_form"


async def test_a_new_conversation_gets_the_role_of_the_account(engine, monkeypatch):
    from actions.session import ActionSessionStart
    use_engine(engine, monkeypatch)
    sender = await chat_user(engine, "route-6")
    await _as_student(engine, sender)
    trk = Tracker(sender, {"search_state": "{}"}, {}, [], False, None, {}, "action_listen")
    out = await run(ActionSessionStart(), trk)
    kinds = [e["event"] for e in out.events]
    assert kinds[0] == "session_started" and out.events[-1] == {"event": "action", "name": "action_listen",
                                                                "policy": None, "confidence": None,
                                                                "timestamp": None} | out.events[-1]
    assert {"role": "eleve", "search_state": "{}"} == {e["name"]: e["value"] for e in out.events if e["event"] == "slot"}


async def test_a_pupil_asking_how_a_parent_can_follow_gets_the_parent_code(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    sender = await chat_user(engine, "route-7")
    await _as_student(engine, sender)
    out = await run(ActionUseWhatWasSaid(), _tracker(sender, "comment mon père peut voir mes candidatures",
                                                     "nlu_fallback"))
    assert _followup(out) == "action_invite_parent"
