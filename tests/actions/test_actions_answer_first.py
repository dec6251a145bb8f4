"""Answer-first forms (actions/base.py): while a form asks for a slot, the message is read as that slot's
answer whatever the intent the NLU gave it; a refused answer is asked again with the reason, nothing
already given is lost, and a question asked in passing (FAQ, help) is left to the rules."""
from __future__ import annotations

from datetime import date, timedelta

from actions.employer_offer_checks import ValidatePublishOfferForm
from actions.employer_register import ValidateRegisterCompanyForm
from actions.class_creation import ValidateCreateClassForm
from actions.student_search import ValidateSearchForm
from tests.support.actions import chat_user, form_tracker, run, use_engine
from tests.support.employer import DOMAIN, employer_sender, monday
from tremplin.dates.period import french_date

CLASS_DOMAIN = {"slots": {}, "forms": {"create_class_form": {"required_slots": ["class_name", "class_periode",
                                                                                "class_contact"]}}}
GIVEN = {"company_siret": "73282932000074", "company_name": "Boulangerie du Forez", "company_lieu": "Feurs (42)"}


async def _register(engine, sender, text, intent, slot="company_contact", slots=None):
    trk = form_tracker(sender, "register_company_form", slots if slots is not None else GIVEN, requested=slot,
                       text=text, intent=intent)
    return await run(ValidateRegisterCompanyForm(), trk, DOMAIN)


async def test_a_name_is_a_name_whatever_the_intent(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    sender = await chat_user(engine, "af-1")
    for name, intent in (("Pierre Lannuler", "nlu_fallback"), ("Claire Aubin", "goodbye"), ("M. Dupont", "inform"),
                         ("Marc Aide", "help")):
        out = await _register(engine, sender, name, intent)
        assert out.slots()["company_contact"] == name, (name, intent, out.text)
        assert "company_siret" not in out.slots() or out.slots()["company_siret"] == GIVEN["company_siret"]


async def test_leaving_words_and_questions_in_passing_are_left_to_the_rules(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    sender = await chat_user(engine, "af-2")
    out = await _register(engine, sender, "annuler", "cancel")
    assert "company_contact" not in out.slots() and out.text == ""  # the form is rejected: the cancel rule runs
    out = await _register(engine, sender, "c'est quoi la charte ?", "faq")
    assert "company_contact" not in out.slots()  # answered by the FAQ rule, then asked again


async def test_yes_no_never_guessed(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    sender = await chat_user(engine, "af-3")
    full = {**GIVEN, "company_contact": "Claire Martin", "company_phone": "04 77 12 34 56"}
    out = await _register(engine, sender, "ouais ça me va", "inform", "company_charter", full)
    assert out.slots()["company_charter"] is True
    out = await _register(engine, sender, "peut-être, je dois voir avec mon associé", "inform", "company_charter", full)
    assert "company_charter" not in out.slots() and out.slots()["answer_refused"] == "company_charter"
    assert "« oui » ou par « non »" in out.text


async def test_offer_answers_read_by_their_kind(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    sender, _ = await employer_sender(engine, "af-4")

    async def offer(slot, text, intent="inform", entities=None, new=None):
        trk = form_tracker(sender, "publish_offer_form", {"offer_metier": "Boulanger"}, requested=slot, text=text,
                           intent=intent, entities=entities, new=new)
        return await run(ValidatePublishOfferForm(), trk, DOMAIN)

    out = await offer("offer_metier", "ébéniste", intent="nlu_fallback")  # a trade the NLU examples never show
    assert out.slots()["offer_metier"] == "Ébéniste"
    first, second = monday(3), monday(4)
    text = f"la semaine du {french_date(first)} et celle du {french_date(second)}"
    partial = f"semaine du {french_date(first)}"  # the NLU's entity caught only the first week
    out = await offer("offer_periodes", text, entities=[{"entity": "periode", "value": partial}],
                      new={"offer_periodes": partial})
    assert out.slots()["offer_periodes"] == f"{first}/{first + timedelta(days=4)};{second}/{second + timedelta(days=4)}"
    out = await offer("offer_places", "1 place", intent="nlu_fallback")
    assert out.slots()["offer_places"] == "1"
    out = await offer("offer_places", "beaucoup !")
    assert out.slots()["offer_places"] is None and "nombre d'élèves" in out.text


async def test_jsp_is_an_answer_to_the_date_question(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    sender = await chat_user(engine, "af-5")
    trk = form_tracker(sender, "search_form", {"recherche": "boulangerie", "lieu": "Feurs", "distance": "15"},
                       requested="periode", text="jsp", intent="unsure_career")
    out = await run(ValidateSearchForm(), trk, DOMAIN)
    assert out.slots()["periode"] is not None and "quiz" not in out.text.lower()


async def test_a_teacher_contact_with_a_civility_is_a_contact(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    sender = await chat_user(engine, "af-6")
    slots = {"class_name": "3eB", "class_periode": f"{date.today()}/{date.today()}"}
    trk = form_tracker(sender, "create_class_form", slots, requested="class_contact",
                       text="M. Durand, 04 77 12 34 56", intent="inform")
    out = await run(ValidateCreateClassForm(), trk, CLASS_DOMAIN)
    assert out.slots()["class_contact"] and "Durand" in out.slots()["class_contact"]
    assert "date" not in out.text


async def test_a_correction_mid_form_fixes_the_earlier_answer(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    sender, _ = await employer_sender(engine, "af-7")
    slots = {"offer_metier": "Charpentier", "offer_title": "Sur le chantier", "offer_places": "1",
             "offer_periodes": f"{monday(3)}/{monday(3) + timedelta(days=4)}"}
    text = "ah non pardon, 2 places"  # typed while the buttons' question about the setting waits
    trk = form_tracker(sender, "publish_offer_form", slots, requested="offer_environments", text=text,
                       new={"offer_environments": text})
    out = await run(ValidatePublishOfferForm(), trk, DOMAIN)
    assert out.slots()["offer_places"] == "2" and "Je corrige" in out.text
    assert "pas reconnu" not in out.text  # not taken as a (wrong) answer to the question waiting
    assert out.slots()["offer_environments"] is None  # the question waiting stays open (Rasa's mapping undone)
    out = await run(ValidatePublishOfferForm(), form_tracker(
        sender, "publish_offer_form", slots, requested="offer_metier", text="mécanicien agricole",
        entities=[{"entity": "metier", "value": "mécanicien"}], new={"offer_metier": "mécanicien"}), DOMAIN)
    assert out.slots()["offer_metier"] == "Mécanicien en machines agricoles"  # the whole answer, not « mécanicien »


async def test_non_plutot_a_feurs_after_the_results_searches_again(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    sender = await chat_user(engine, "af-8")
    state = ('{"q":"vendeur","lat":46.03,"lon":4.07,"place":"Roanne (42)","r":15,"rome":[],"dom":null,"env":[],'
             '"what":"","ws":null,"we":null,"ids":[]}')
    trk = form_tracker(sender, "search_form", {"search_state": state}, requested=None, text="non plutôt à Feurs",
                       entities=[{"entity": "lieu", "value": "Feurs"}], new={"lieu": "Feurs"})
    out = await run(ValidateSearchForm(), trk, DOMAIN)
    assert out.slots()["recherche"] == "vendeur" and "Je relance ta recherche « vendeur »" in out.text
    assert out.slots()["lieu"].startswith("insee:")


async def test_the_offer_in_one_message_keeps_its_week_and_its_place(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    sender, _ = await employer_sender(engine, "af-9")
    start = monday(3)
    text = f"Je propose un stage de boulanger à Feurs du {start.day} au {(start + timedelta(days=4)).day} " \
           f"{french_date(start).split(' ')[1]}, 1 place"
    if start.month != (start + timedelta(days=4)).month:
        text = f"Je propose un stage de boulanger à Feurs la semaine du {french_date(start)}, 1 place"
    ents = [{"entity": "metier", "value": "boulanger"}, {"entity": "lieu", "value": "Feurs"},
            {"entity": "periode", "value": "1"}]  # the NLU took the count of places for the date
    trk = form_tracker(sender, "publish_offer_form", {}, requested=None, text=text, intent="publish_offer",
                       entities=ents, new={"offer_metier": "boulanger", "offer_lieu": "Feurs", "offer_periodes": "1"})
    out = await run(ValidatePublishOfferForm(), trk, DOMAIN)
    assert out.slots()["offer_periodes"] == f"{start}/{start + timedelta(days=4)}", out.text
    assert out.slots()["offer_places"] == "1" and "date" not in out.text


async def test_words_that_leave_inside_an_answer_keep_the_answer(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    sender = await chat_user(engine, "af-10")
    for name in ("Jean Annule", "Claire Stop"):  # the NLU says cancel, with its words: still a name
        out = await _register(engine, sender, name, "cancel")
        assert out.slots()["company_contact"] == name
    out = await _register(engine, sender, "stop", "cancel")
    assert "company_contact" not in out.slots()  # a plain « stop » leaves


async def test_a_trade_taken_for_a_town_gives_way_to_the_town_named(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    sender = await chat_user(engine, "af-11")
    text = "un stage de maçon vers panissieres du 18 au 22 janvier"
    trk = form_tracker(sender, "search_form", {}, requested=None, text=text, intent="search_offers",
                       entities=[{"entity": "lieu", "value": "maçon"}], new={"lieu": "maçon"})
    out = await run(ValidateSearchForm(), trk, DOMAIN)
    from tremplin.geography import get_communes
    assert get_communes().get(out.slots()["lieu"][6:]).name == "Panissières"
    assert "Maçon" in out.slots()["recherche"] or "maçon" in out.slots()["recherche"]
