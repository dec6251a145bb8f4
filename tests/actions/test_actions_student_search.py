"""The search as the student reads it: the form's checks, results 3 at a time, widening, details."""
from __future__ import annotations

from rasa_sdk import Tracker

import json
from datetime import date, timedelta

from actions.student_more import ActionShowMore
from actions.student_search import ActionSearchOffers, ValidateSearchForm
from tests.support.actions import form_tracker, run, tracker, use_engine
from tests.support.factories import employer_with_account, next_monday
from tests.support.student import assert_no_leak, form_domain, offers, student_chat
from tremplin.db import session_scope
from tremplin.models import Offer, OfferStatus
from tremplin.services.offers import OfferDraft, create_offer

DOMAIN = form_domain("search_form")


async def validate(sender, requested, candidates, **kw):
    trk = form_tracker(sender, "search_form", requested=requested, new=candidates, **kw)
    return await run(ValidateSearchForm(), trk, DOMAIN)


async def test_known_student_is_only_asked_what_they_look_for(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    sender = await student_chat(engine, "s1")
    out = await validate(sender, None, {"recherche": "véto"})
    assert out.slots() == {"recherche": "véto", "requested_slot": None}  # place and week: the student's own


async def test_student_without_profile_is_asked_the_place_then_the_week(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    sender = await student_chat(engine, "s2", home=None, week=False)
    out = await validate(sender, None, {"recherche": "la santé"})
    assert out.slots()["requested_slot"] == "lieu"
    out = await validate(sender, "lieu", {"lieu": "Feurs"}, slots={"recherche": "la santé"})
    assert out.slots() == {"lieu": "insee:42094", "requested_slot": "periode"}
    out = await validate(sender, "periode", {"periode": "je sais pas"},
                         slots={"recherche": "la santé", "lieu": "insee:42094"})
    assert out.slots() == {"periode": "toutes", "requested_slot": None}


async def test_unknown_metier_gets_a_suggestion_or_a_hint(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    sender = await student_chat(engine, "s3")
    out = await validate(sender, "recherche", {"recherche": "veterinere"})
    assert "Tu voulais dire « Vétérinaire »" in out.text
    assert out.buttons[0] == {"title": "Vétérinaire", "payload": '/inform{"metier": "Vétérinaire"}'}
    assert out.slots()["recherche"] is None and out.slots()["requested_slot"] == "recherche"
    out = await validate(sender, "recherche", {"recherche": "xqzw blurp"})
    assert out.messages[0]["response"] == "utter_invalid_recherche"
    out = await validate(sender, "recherche", {"recherche": "dehors avec des animaux"})
    assert out.slots()["recherche"] == "dehors avec des animaux"


async def test_place_typo_and_homonyms_get_exact_choices(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    sender = await student_chat(engine, "s4")
    out = await validate(sender, "lieu", {"lieu": "st chamon"}, slots={"recherche": "véto"})
    assert out.text.startswith("Je ne trouve pas « st chamon ». Tu voulais dire Saint-Chamond (42)")
    assert {"title": "Saint-Chamond (42)", "payload": '/inform{"lieu": "insee:42207"}'} in out.buttons
    assert out.slots()["lieu"] is None and out.slots()["requested_slot"] == "lieu"
    out = await validate(sender, "lieu", {"lieu": "Saint-Just"}, slots={"recherche": "véto"})
    assert "6 communes qui s'appellent « Saint-Just »" in out.text and len(out.buttons) == 5
    assert all(b["payload"].startswith('/inform{"lieu": "insee:') for b in out.buttons)
    out = await validate(sender, "lieu", {"lieu": "insee:42207"}, slots={"recherche": "véto"})
    assert out.slots()["lieu"] == "insee:42207"
    out = await validate(sender, "lieu", {"lieu": "Zzyzxville"}, slots={"recherche": "véto"})
    assert out.messages[0]["response"] == "utter_invalid_lieu"


async def test_distance_and_period_are_read_or_explained(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    sender = await student_chat(engine, "s5")
    out = await validate(sender, "distance", {"distance": "20 km"}, slots={"recherche": "véto"})
    assert out.slots()["distance"] == "20"
    out = await validate(sender, "distance", {"distance": "loin"}, slots={"recherche": "véto"})
    assert out.messages[0]["response"] == "utter_invalid_distance"
    monday = next_monday(5)
    text = f"du {monday.day} au {(monday + timedelta(days=4)).day} " + \
        ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
         "novembre", "décembre"][(monday + timedelta(days=4)).month - 1]
    if monday.month == (monday + timedelta(days=4)).month:
        out = await validate(sender, "periode", {"periode": text}, slots={"recherche": "véto"})
        assert out.slots()["periode"] == f"{monday.isoformat()}/{(monday + timedelta(days=4)).isoformat()}"
    out = await validate(sender, "periode", {"periode": "le 45 truc 99"}, slots={"recherche": "véto"})
    assert "Je n'ai pas compris" in out.text and out.slots()["periode"] is None


async def test_results_come_three_at_a_time_without_the_employer(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    ids = await offers(engine, 5, capacity=2)
    sender = await student_chat(engine, "s6")
    out = await run(ActionSearchOffers(), tracker(sender, slots={"recherche": "boulangerie"}))
    assert out.texts[0].startswith("J'ai trouvé 5 stages de boulanger à moins de 15 km de Feurs (42), du ")
    cards = out.texts[1:4]
    assert [c.split(".")[0] for c in cards] == ["1", "2", "3"]
    assert "📍 Feurs (42), à moins d'1 km" in cards[0] and "👤 2 places restantes" in cards[0]
    assert "Il y en a encore 2." in out.text and out.buttons[-1] == {"title": "Voir plus", "payload": "/show_more"}
    postuler = [b["payload"] for b in out.buttons if b["title"] == "Postuler"]
    assert all(p.startswith('/apply{"code": "O-') for p in postuler) and len(postuler) == 3
    assert_no_leak(out.text)
    slots = out.slots()
    assert slots["recherche"] is None and slots["distance"] is None
    state = json.loads(slots["search_state"])
    assert len(state["ids"]) == 3 and set(state["ids"]) <= set(ids)
    more = await run(ActionShowMore(), tracker(sender, intent="show_more",
                                               slots={"search_state": slots["search_state"]}))
    assert [c.split(".")[0] for c in more.texts] == ["4", "5"]
    assert_no_leak(more.text)
    end = await run(ActionShowMore(), tracker(sender, intent="show_more",
                                              slots={"search_state": more.slots()["search_state"]}))
    assert "C'est tout pour cette recherche" in end.text


async def test_fewer_than_three_offers_widening_is_offered(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    await offers(engine, 1)
    async with session_scope(engine) as s:
        employer, _ = await employer_with_account(s)
        week = next_monday()
        for _ in range(2):  # Montbrison, ~19 km from Feurs
            await create_offer(s, employer, OfferDraft(
                rome_code="D1102", metier_label="Boulanger", domain="D", title="Pains de Montbrison",
                commune_insee="42147", latitude=45.608, longitude=4.065, periods=[(week, week + timedelta(days=4))]))
    sender = await student_chat(engine, "s7")
    out = await run(ActionSearchOffers(), tracker(sender, slots={"recherche": "boulanger"}))
    assert ("Je n'ai trouvé qu'un seul stage à moins de 15 km. Jusqu'à 30 km, il y en a 3 : "
            "je regarde plus loin ?") in out.text
    assert {"title": "Oui, jusqu'à 30 km", "payload": '/show_more{"distance": "30"}'} in out.buttons
    wide = await run(ActionShowMore(), tracker(sender, intent="show_more",
                                               entities=[{"entity": "distance", "value": "30"}],
                                               slots={"search_state": out.slots()["search_state"]}))
    assert wide.texts[0].startswith("J'ai trouvé 3 stages de boulanger à moins de 30 km de Feurs (42)")
    assert "📍 Montbrison (42), à 19 km" in wide.text or "📍 Montbrison (42), à 18 km" in wide.text
    assert wide.slots()["distance"] is None
    # « ok » typed instead of pressing « Oui, jusqu'à 30 km »: the same answer.
    question = out.messages[-1]  # « … je regarde plus loin ? », the search's last message
    assert any('"distance"' in b["payload"] for b in question["buttons"])
    typed = Tracker(sender, {"search_state": out.slots()["search_state"]},
                    {"text": "ok", "intent": {"name": "affirm", "confidence": 0.98}, "entities": []},
                    [{"event": "bot", "text": question["text"], "data": {"buttons": question["buttons"]}},
                     {"event": "user", "text": "ok"}], False, None, {}, "action_listen")
    assert (await run(ActionShowMore(), typed)).texts == wide.texts
    # A « oui » after a message that offered no wider search is read as any other message.
    after_results = Tracker(sender, {"search_state": wide.slots()["search_state"]}, typed.latest_message,
                            [{"event": "bot", "text": wide.texts[0], "data": {"buttons": []}}], False, None, {},
                            "action_listen")
    assert (await run(ActionShowMore(), after_results)).events == [
        {"event": "followup", "timestamp": None, "name": "action_use_what_was_said"}]


async def test_nothing_found_is_explained_with_ways_out(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    sender = await student_chat(engine, "s8")
    out = await run(ActionSearchOffers(), tracker(sender, slots={"recherche": "véto"}))
    assert "Je n'ai trouvé aucun stage de vétérinaire à moins de 15 km de Feurs (42)" in out.text
    assert {"title": "Je ne sais pas quoi faire", "payload": "/unsure_career"} in out.buttons


async def test_first_search_without_class_remembers_commune_and_week(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    sender = await student_chat(engine, "s9", home=None, week=False)
    monday = next_monday()
    period = f"{monday.isoformat()}/{(monday + timedelta(days=4)).isoformat()}"
    out = await run(ActionSearchOffers(), tracker(sender, slots={"recherche": "véto", "lieu": "insee:42207",
                                                                 "periode": period}))
    assert "à moins de 15 km de Saint-Chamond (42)" in out.text
    assert "📌 J'ai retenu Saint-Chamond (42) comme ta commune et " in out.text


async def test_details_show_the_offer_but_not_who_or_where_exactly(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    [offer_id] = await offers(engine, 1)
    sender = await student_chat(engine, "s10")
    out = await run(ActionShowMore(), tracker(sender, intent="show_more",
                                              entities=[{"entity": "code", "value": f"O-{offer_id}"}]))
    assert out.text.startswith("📌 Découvrir le fournil\nMétier : Boulanger\nEn deux mots : ")
    assert "📍 Feurs (42)" in out.text and "🔒 Le nom de l'entreprise, l'adresse exacte et le contact" in out.text
    assert out.buttons == [{"title": "Postuler", "payload": f'/apply{{"code": "O-{offer_id}"}}'}]
    assert_no_leak(out.text)
    async with session_scope(engine) as s:
        (await s.get(Offer, offer_id)).status = OfferStatus.CLOSED
    out = await run(ActionShowMore(), tracker(sender, intent="show_more",
                                              entities=[{"entity": "code", "value": f"O-{offer_id}"}]))
    assert "n'est plus en ligne" in out.text


async def test_show_more_without_a_search_says_so(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    sender = await student_chat(engine, "s11")
    out = await run(ActionShowMore(), tracker(sender, intent="show_more"))
    assert "pas de recherche en cours" in out.text


async def test_dont_know_what_to_search_starts_the_exploration(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    sender = await student_chat(engine, "s12")
    out = await validate(sender, "recherche", {"recherche": "jsp trop"})
    assert out.text.startswith("(1/4) Pas de souci, on va trouver ensemble")
    assert out.buttons[0]["payload"] == '/unsure_career{"environnement": "exterieur"}'
    assert out.slots()["recherche"] is None


async def test_period_not_known_yet_means_every_date(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    sender = await student_chat(engine, "s13", week=False)
    out = await validate(sender, "periode", {"periode": "je sais pas encore"}, slots={"recherche": "véto"})
    assert out.slots()["periode"] == "toutes"
    out = await validate(sender, "periode", {"periode": "semaine 99"}, slots={"recherche": "véto"})
    assert out.slots()["periode"] is None and out.text


async def test_details_mask_the_host_even_if_the_employer_wrote_it(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    [offer_id] = await offers(engine, 1)
    async with session_scope(engine) as s:
        offer = await s.get(Offer, offer_id)
        offer.description = ("Chez M. Martin, 3 rue de la République, tu verras le pétrin. "
                             "Appelle le 04 77 00 00 00 ou martin@exemple.fr")
    sender = await student_chat(engine, "s14")
    out = await run(ActionShowMore(), tracker(sender, intent="show_more",
                                              entities=[{"entity": "code", "value": f"O-{offer_id}"}]))
    assert_no_leak(out.text)
    assert "04 77" not in out.text and "martin@" not in out.text and "tu verras le pétrin" in out.text


async def test_concurrent_validations_never_mix_students(engine, monkeypatch):
    import asyncio
    use_engine(engine, monkeypatch)
    with_home = await student_chat(engine, "s15")
    without = await student_chat(engine, "s16", home=None, week=False)
    action = ValidateSearchForm()  # one instance, as in the action server
    outs = await asyncio.gather(*[
        run(action, form_tracker(sender, "search_form", requested=None, new={"recherche": "véto"}), DOMAIN)
        for sender in [with_home, without] * 4])
    assert [o.slots()["requested_slot"] for o in outs] == [None, "lieu"] * 4


async def test_a_month_alone_is_enough_to_search(engine, monkeypatch):
    """The question suggests « en février »: a student searching is given every week of that month."""
    use_engine(engine, monkeypatch)
    sender = await student_chat(engine, "s-month", week=False)
    out = await validate(sender, "periode", {"periode": "en février"}, slots={"recherche": "véto"})
    start, end = (date.fromisoformat(d) for d in out.slots()["periode"].split("/"))
    assert (start.month, start.day, end.month) == (2, 1, 2) and end.day in (28, 29) and end >= date.today()
    out = await validate(sender, "periode", {"periode": "en fevrier ou mars"}, slots={"recherche": "véto"})
    assert out.slots()["periode"] is None and "tout un mois" in out.text
