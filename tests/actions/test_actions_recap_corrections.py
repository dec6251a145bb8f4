"""A reply to a form's recap that says no but carries a correction (actions/forms.RecapForm): « non en fait
c'est Roanne » at « Je l'enregistre ? » changes the commune and shows the recap again, nothing dropped; an
unclear change asks which answer (buttons), keeping them all; a plain « non » still refuses the recap.
Every reply arrives the way Rasa sends it: its own `deny` mapping has already set the recap's slot to False."""
from __future__ import annotations

from datetime import date
from typing import Any

from rasa_sdk import Tracker
from sqlalchemy import func, select

from actions.employer_offer_checks import ValidatePublishOfferForm
from actions.employer_offer_publish import ActionAskOfferConfirm
from actions.employer_register import ActionAskCompanyConfirm, ActionRegisterCompany, ValidateRegisterCompanyForm
from tests.support.actions import Outcome, chat_user, form_tracker, run, tracker, use_engine
from tests.support.employer import DOMAIN, FILLED, employer_sender, filled_offer, monday, week_text
from tremplin.db import session_scope
from tremplin.models import Employer

REGISTER = "register_company_form"
PUBLISH = "publish_offer_form"


async def at_recap(sender: str, text: str, intent: str = "deny", slots: dict[str, Any] | None = None,
                   form: str = REGISTER) -> Outcome:
    """The user replies `text` to the recap; Rasa's NLU read it as `intent`."""
    recap = "company_confirm" if form == REGISTER else "offer_confirm"
    new = {recap: False} if intent == "deny" else {recap: True} if intent == "affirm" else {}
    action = ValidateRegisterCompanyForm() if form == REGISTER else ValidatePublishOfferForm()
    return await run(action, form_tracker(sender, form, slots or FILLED, requested=recap, text=text,
                                          intent=intent, new=new), DOMAIN)


def after(slots: dict[str, Any], out: Outcome) -> dict[str, Any]:
    """The slots once Rasa applied what the validation returned."""
    return {**slots, **out.slots()}


async def test_non_en_fait_c_est_roanne_corrects_the_commune_and_shows_the_recap_again(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    sender = await chat_user(engine, "rc-1")
    for text, intent in (("non en fait c'est Roanne", "deny"), ("non en fait c'est Roanne", "inform"),
                         ("nan c'est Roanne pas Feurs", "deny"), ("Non, c'est pas Feurs c'est Roanne", "deny"),
                         ("non pas Feurs, Roanne", "nlu_fallback"), ("ah non pardon c'est à roanne", "deny"),
                         ("plutôt à Roanne", "inform"), ("Roanne", "inform"), ("non en fait c Roanne", "deny")):
        out = await at_recap(sender, text, intent)
        slots = after(FILLED, out)
        assert slots["company_lieu"] == "Roanne (42)", (text, intent, out.text)
        assert slots["company_confirm"] is None, text  # not a « non »: the recap is asked again
        assert "Je corrige la commune" in out.text and "oui » ou par « non" not in out.text
        assert {k: slots[k] for k in FILLED if k != "company_lieu"} == \
            {k: v for k, v in FILLED.items() if k != "company_lieu"}  # every other answer kept
        recap = await run(ActionAskCompanyConfirm(), tracker(sender, slots=slots))
        assert "• commune : Roanne (42)" in recap.text and "Feurs" not in recap.text
        assert "Boulangerie du Forez" in recap.text and "Claire Martin, 04 77 12 34 56" in recap.text
        assert [b["title"] for b in recap.buttons] == ["Oui, enregistrer", "Non, annuler"]


async def test_the_answer_named_is_the_one_corrected(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    sender = await chat_user(engine, "rc-2")
    at_roanne = {**FILLED, "company_lieu": "Roanne (42)"}
    out = await at_recap(sender, "non la commune c'est Feurs", slots=at_roanne)
    assert after(at_roanne, out)["company_lieu"] == "Feurs (42)" and out.slots()["company_confirm"] is None
    for text in ("non, le téléphone c'est 04 77 98 76 54", "Non le tel c'est le 04.77.98.76.54",
                 "non le numéro de téléphone c'est +33 4 77 98 76 54"):
        out = await at_recap(sender, text)
        assert after(FILLED, out)["company_phone"] == "04 77 98 76 54", (text, out.text)
        assert after(FILLED, out)["company_confirm"] is None and after(FILLED, out)["company_lieu"] == "Feurs (42)"
    out = await at_recap(sender, "non, le contact c'est Paul Durand")
    assert after(FILLED, out)["company_contact"] == "Paul Durand" and "Je corrige le contact" in out.text
    out = await at_recap(sender, "non le siret c'est 443 061 841 00047")
    assert after(FILLED, out)["company_siret"] == "44306184100047"
    out = await at_recap(sender, "non, le nom de l'entreprise c'est Fournil des Halles")
    assert after(FILLED, out)["company_name"] == "Fournil des Halles"


async def test_a_wrong_new_value_is_said_and_asked_again_the_rest_kept(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    sender = await chat_user(engine, "rc-3")
    out = await at_recap(sender, "non la ville c'est Zzzyxville")
    slots = after(FILLED, out)
    assert slots["company_lieu"] is None and slots["company_confirm"] is None  # the commune is asked again
    assert "Vérifiez l'orthographe" in out.text and slots["company_contact"] == "Claire Martin"
    out = await at_recap(sender, "non, la commune")  # named without a new value: asked again
    slots = after(FILLED, out)
    assert slots["company_lieu"] is None and slots["company_confirm"] is None and "changeons la commune" in out.text
    assert slots["company_phone"] == "04 77 12 34 56"


async def press_field(sender: str, slots: dict[str, Any], typed: str, asked: Any, title: str, field: str) -> Any:
    """The user presses the button of `field` under « quelle réponse voulez-vous changer ? »."""
    payload = {b["title"]: b["payload"] for b in asked.buttons}[title]
    picked = Tracker(sender, {**slots, "requested_slot": "company_confirm"},
                     {"text": payload, "intent": {"name": "inform", "confidence": 1.0},
                      "entities": [{"entity": "code", "value": f"corriger:{field}"}]},
                     [{"event": "user", "text": typed}, {"event": "bot", "text": asked.text},
                      {"event": "user", "text": payload}], False, None, {"name": REGISTER}, "action_listen")
    return await run(ValidateRegisterCompanyForm(), picked, DOMAIN)


async def test_an_unclear_change_asks_which_answer_and_uses_what_was_typed(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    sender = await chat_user(engine, "rc-4")
    typed = "non en fait c'est Martin Dupont"
    out = await at_recap(sender, typed)
    assert after(FILLED, out)["company_confirm"] is None
    assert {k: v for k, v in out.slots().items() if k in FILLED} == {}  # nothing changed, nothing dropped
    assert "« Martin Dupont »" in out.text and "quelle réponse voulez-vous changer" in out.text
    payloads = {b["title"]: b["payload"] for b in out.buttons}
    assert payloads["Le contact"] == '/inform{"code": "corriger:company_contact"}'
    assert {"Le SIRET", "La commune", "Le téléphone", "Le nom de l'entreprise"} <= set(payloads)
    # The button: what was typed just before is the new contact, not asked again.
    out = await press_field(sender, FILLED, typed, out, "Le contact", "company_contact")
    assert after(FILLED, out)["company_contact"] == "Martin Dupont" and out.slots()["company_confirm"] is None
    # « non, corriger » (no value): which answer, then the one chosen is asked again.
    out = await at_recap(sender, "non, corriger")
    assert after(FILLED, out)["company_confirm"] is None and "Le téléphone" in {b["title"] for b in out.buttons}
    picked = Tracker(sender, {**FILLED, "requested_slot": "company_confirm"},
                     {"text": "/inform", "intent": {"name": "inform", "confidence": 1.0},
                      "entities": [{"entity": "code", "value": "corriger:company_phone"}]},
                     [{"event": "user", "text": "non, corriger"}, {"event": "user", "text": "/inform"}], False, None,
                     {"name": REGISTER}, "action_listen")
    out = await run(ValidateRegisterCompanyForm(), picked, DOMAIN)
    assert after(FILLED, out)["company_phone"] is None and after(FILLED, out)["company_lieu"] == "Feurs (42)"
    # « le nom » may be the company's or the contact's: asked, with what was typed said back.
    out = await at_recap(sender, "non le nom c'est Boulangerie Pas Chère")
    assert "« Boulangerie Pas Chère »" in out.text
    assert {b["title"] for b in out.buttons} == {"Le nom de l'entreprise", "Le contact"}


async def test_a_plain_no_still_registers_nothing(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    sender = await chat_user(engine, "rc-5")
    for text in ("non", "/deny", "Non, annuler", "non merci", "nan", "non c'est bon", "non j'ai changé d'avis",
                 "non pas maintenant", "non en fait je veux pas"):
        out = await at_recap(sender, text)
        assert after(FILLED, out)["company_confirm"] is False, (text, out.text)
        assert "Je corrige" not in out.text and not out.buttons
    out = await at_recap(sender, "oui", "affirm")
    assert after(FILLED, out)["company_confirm"] is True
    out = await run(ActionRegisterCompany(), tracker(sender, slots={**FILLED, "company_confirm": False}))
    assert "je n'enregistre rien" in out.text
    async with session_scope(engine) as s:
        assert await s.scalar(select(func.count()).select_from(Employer)) == 0


async def test_the_offer_recap_takes_the_same_corrections(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    sender, _ = await employer_sender(engine, "rc-6")
    slots = filled_offer()
    for text in ("plutôt à Roanne", "non en fait c'est Roanne", "non la commune c'est Roanne pas Feurs"):
        out = await at_recap(sender, text, "deny", slots, PUBLISH)
        fixed = after(slots, out)
        assert fixed["offer_lieu"] == "Roanne (42)" and fixed["offer_confirm"] is None, (text, out.text)
        assert fixed["offer_address"] == "3 rue de la République" and fixed["offer_places"] == "2"
        preview = await run(ActionAskOfferConfirm(), tracker(sender, slots=fixed))
        assert "• à Roanne (42)" in preview.text and "Je la publie ?" in preview.text
    out = await at_recap(sender, "non l'adresse c'est 12 place de la Mairie", "deny", slots, PUBLISH)
    assert after(slots, out)["offer_address"] == "12 place de la Mairie"
    out = await at_recap(sender, "non, 3 places", "deny", slots, PUBLISH)  # the form's own strict correction
    assert after(slots, out)["offer_places"] == "3" and after(slots, out)["offer_confirm"] is None
    out = await at_recap(sender, "non c'est pas ça", "deny", slots, PUBLISH)
    assert after(slots, out)["offer_confirm"] is None and "La commune" in {b["title"] for b in out.buttons}
    out = await at_recap(sender, "non", "deny", slots, PUBLISH)
    assert after(slots, out)["offer_confirm"] is False


# --- several answers in one reply, preferences, a value said wrong -----------------------------------------

def asked_next(slots: dict[str, Any], form: str = REGISTER) -> str | None:
    """The question Rasa's form asks next: the first of its slots without an answer."""
    return next((slot for slot in DOMAIN["forms"][form]["required_slots"] if slots.get(slot) is None), None)


async def recap_of(sender: str, slots: dict[str, Any]) -> str:
    return (await run(ActionAskCompanyConfirm(), tracker(sender, slots=slots))).text


async def test_every_answer_corrected_in_one_reply_is_changed_and_said(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    sender = await chat_user(engine, "rc-7")
    roanne_and_phone = {"company_lieu": "Roanne (42)", "company_phone": "06 12 34 56 78"}
    for text, changed, said in (
            ("non c'est Roanne et le tel c'est 06 12 34 56 78", roanne_and_phone, "la commune et le téléphone"),
            ("Roanne et 06 12 34 56 78", roanne_and_phone, "la commune et le téléphone"),
            ("non le tel c'est le 06.12.34.56.78, et la ville Roanne", roanne_and_phone, "la commune et le téléphone"),
            ("la commune c'est Roanne, le contact c'est Martin Dupont",
             {"company_lieu": "Roanne (42)", "company_contact": "Martin Dupont"}, "la commune et le contact"),
            ("non le contact c'est Martin Dupont et 06 12 34 56 78",
             {"company_contact": "Martin Dupont", "company_phone": "06 12 34 56 78"}, "le contact et le téléphone"),
            ("non c'est Roanne, le tel 06 12 34 56 78 et le contact Martin Dupont",
             {**roanne_and_phone, "company_contact": "Martin Dupont"}, "la commune, le contact et le téléphone")):
        out = await at_recap(sender, text)
        slots = after(FILLED, out)
        assert {k: slots[k] for k in changed} == changed, (text, out.text)
        assert {k: slots[k] for k in FILLED if k not in changed} == {k: v for k, v in FILLED.items() if k not in changed}
        assert slots["company_confirm"] is None and f"Je corrige {said}." in out.text, (text, out.text)
        assert not out.buttons  # nothing left to ask: the recap comes again
        recap = await recap_of(sender, slots)
        assert all(str(value) in recap for value in changed.values()), recap


async def test_a_part_no_answer_takes_is_said_back_and_asked_about(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    sender = await chat_user(engine, "rc-8")
    typed = "non c'est Roanne et Martin Dupont"
    out = await at_recap(sender, typed)
    slots = after(FILLED, out)
    assert slots["company_lieu"] == "Roanne (42)" and slots["company_contact"] == "Claire Martin"
    assert out.texts[0] == "Je corrige la commune."
    assert "« Martin Dupont » : quelle réponse voulez-vous changer ?" in out.text
    # The button: « Martin Dupont », typed with the commune, becomes the contact without being typed again.
    out = await press_field(sender, slots, typed, out, "Le contact", "company_contact")
    assert after(slots, out)["company_contact"] == "Martin Dupont" and "Je corrige le contact." in out.text
    assert after(slots, out)["company_lieu"] == "Roanne (42)"
    # A new value its check refuses: what was changed is said, the refused answer is asked again with why.
    out = await at_recap(sender, "non c'est Roanne et le tel c'est 06 12")
    slots = after(FILLED, out)
    assert slots["company_lieu"] == "Roanne (42)" and slots["company_phone"] is None
    assert out.texts[:3] == ["Je corrige la commune.", "Je n'ai pas pu prendre « 06 12 » pour le téléphone :",
                             "Ce numéro de téléphone ne semble pas valide : indiquez un numéro français à 10 "
                             "chiffres, par exemple 04 77 12 34 56 ou +33 6 12 34 56 78."]
    assert asked_next(slots) == "company_phone"


async def test_a_preference_with_a_value_corrects_and_without_one_refuses(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    sender = await chat_user(engine, "rc-9")
    for text in ("non je préfère Roanne", "je préfère à Roanne", "plutôt Roanne finalement",
                 "Non, je préférerais Roanne", "non je préfère que ce soit à Roanne"):
        out = await at_recap(sender, text)
        slots = after(FILLED, out)
        assert slots["company_lieu"] == "Roanne (42)" and slots["company_confirm"] is None, (text, out.text)
        assert "Je corrige la commune." in out.text
    for text in ("non je préfère attendre", "non je préfère annuler", "non je préfère pas"):
        out = await at_recap(sender, text)
        assert after(FILLED, out)["company_confirm"] is False and "Je corrige" not in out.text, (text, out.text)


async def test_a_value_said_wrong_asks_that_answer_again(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    sender = await chat_user(engine, "rc-10")
    for text in ("non c'est pas Feurs", "non pas Feurs", "Non, ce n'est pas Feurs", "nan pas à feurs"):
        out = await at_recap(sender, text)
        slots = after(FILLED, out)
        assert slots["company_lieu"] is None and slots["company_confirm"] is None, (text, out.text)
        assert asked_next(slots) == "company_lieu"  # the commune question comes next, no buttons
        assert "D'accord, ce n'est pas « " in out.text and "changeons la commune." in out.text and not out.buttons
        assert slots["company_contact"] == "Claire Martin" and slots["company_phone"] == "04 77 12 34 56"
    out = await at_recap(sender, "non c'est pas la bonne commune")
    assert after(FILLED, out)["company_lieu"] is None and "D'accord, changeons la commune." in out.text
    out = await at_recap(sender, "non ce n'est pas Claire Martin, c'est Paul Durand")
    assert after(FILLED, out)["company_contact"] == "Paul Durand" and "Je corrige le contact." in out.text
    out = await at_recap(sender, "non c'est pas Roanne")  # not the commune shown: which answer is asked
    assert after(FILLED, out)["company_lieu"] == "Feurs (42)" and "La commune" in {b["title"] for b in out.buttons}


async def test_the_offer_recap_takes_several_corrections(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    sender, _ = await employer_sender(engine, "rc-11")
    slots = {**filled_offer(), "offer_places": "1"}
    later = monday(5)
    week = f"{later.isoformat()}/{date.fromordinal(later.toordinal() + 4).isoformat()}"
    for text in (f"2 places et {week_text(5)}", f"non, {week_text(5)} et 2 places",
                 f"ah non pardon c'est 2 élèves, et {week_text(5)}"):
        out = await at_recap(sender, text, "deny", slots, PUBLISH)
        fixed = after(slots, out)
        assert fixed["offer_places"] == "2" and fixed["offer_periodes"] == week, (text, out.text)
        assert fixed["offer_confirm"] is None and "Je corrige les périodes et le nombre de places." in out.text
        assert fixed["offer_lieu"] == "Feurs (42)" and fixed["offer_title"] == "Découvrir le fournil"
        preview = await run(ActionAskOfferConfirm(), tracker(sender, slots=fixed))
        assert "Je la publie ?" in preview.text
    out = await at_recap(sender, "non c'est Roanne et 3 places", "deny", slots, PUBLISH)
    assert after(slots, out)["offer_lieu"] == "Roanne (42)" and after(slots, out)["offer_places"] == "3"
    assert "Je corrige la commune et le nombre de places." in out.text
    out = await at_recap(sender, "non la description c'est Pétrir, façonner et cuire le pain au fournil", "deny",
                         slots, PUBLISH)  # one free answer: its commas and « et » are kept
    assert after(slots, out)["offer_description"] == "Pétrir, façonner et cuire le pain au fournil"
    assert after(slots, out)["offer_places"] == "1" and "Je corrige la description." in out.text
    out = await at_recap(sender, "non c'est pas Feurs", "deny", slots, PUBLISH)
    assert after(slots, out)["offer_lieu"] is None and asked_next(after(slots, out), PUBLISH) == "offer_lieu"
