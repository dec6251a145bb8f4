"""Registering a company by conversation: every answer checked, refusals explained, the charter accepted
with a button, and a second contact of a known company (who waits for an existing contact's approval)."""
from __future__ import annotations

from sqlalchemy import func, select

from actions.employer_register import (ActionAskCompanyCharter, ActionAskCompanyConfirm, ActionRegisterCompany,
                                       ValidateRegisterCompanyForm)
from tests.support.actions import chat_user, form_tracker, run, tracker, use_engine
from tests.support.employer import DOMAIN, FILLED, account_id, answer, employer_sender
from tremplin.db import session_scope
from tremplin.models import Account, Employer, Notification, Role
from tremplin.services.accounts import set_role
from tremplin.services.employers import CHARTER_TEXT

FORM = "register_company_form"
GOOD_SIRET = "732 829 320 00074"


async def ask(engine, sender, slot, value, slots=None, **kw):
    return await answer(ValidateRegisterCompanyForm(), sender, FORM, slots or {}, slot, value, **kw)


async def test_siret_is_checked_with_a_hint(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    sender = await chat_user(engine, "reg-1")
    out = await ask(engine, sender, "company_siret", "1234")
    assert out.slots()["company_siret"] is None
    assert "14 chiffres" in out.text and "annuaire-entreprises" in out.text
    out = await ask(engine, sender, "company_siret", "732 829 320 00075")  # wrong check digit (Luhn)
    assert out.slots()["company_siret"] is None and "n'est pas valide" in out.text
    out = await ask(engine, sender, "company_siret", GOOD_SIRET)  # spaces are fine
    assert out.slots()["company_siret"] == "73282932000074" and out.text == ""


async def test_name_commune_contact_and_phone(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    sender = await chat_user(engine, "reg-2")
    assert (await ask(engine, sender, "company_name", "  Boulangerie   du Forez ")).slots()["company_name"] \
        == "Boulangerie du Forez"
    out = await ask(engine, sender, "company_name", "B")
    assert out.slots()["company_name"] is None and "entre 2 et 200" in out.text
    assert (await ask(engine, sender, "company_lieu", "feurs")).slots()["company_lieu"] == "Feurs (42)"
    out = await ask(engine, sender, "company_lieu", "Saint-Martin")
    assert out.slots()["company_lieu"] is None and "Plusieurs communes" in out.text and "code postal" in out.text
    out = await ask(engine, sender, "company_lieu", "Zzzyxville")
    assert out.slots()["company_lieu"] is None and "Vérifiez l'orthographe" in out.text
    out = await ask(engine, sender, "company_contact", "Claire Dubreuil 0612345678")  # the phone given ahead
    assert out.slots()["company_contact"] == "Claire Dubreuil" and out.slots()["company_phone"] == "06 12 34 56 78"
    assert "aussi noté le téléphone 06 12 34 56 78" in out.text
    out = await ask(engine, sender, "company_contact", "04 77 12 34 56")
    assert out.slots()["company_contact"] is None and "prénom et le nom" in out.text
    assert (await ask(engine, sender, "company_contact", "Claire Martin")).slots()["company_contact"] == "Claire Martin"
    out = await ask(engine, sender, "company_phone", "12 34")
    assert out.slots()["company_phone"] is None and "10 chiffres" in out.text
    assert (await ask(engine, sender, "company_phone", "+33 6 12 34 56 78")).slots()["company_phone"] \
        == "06 12 34 56 78"


async def test_charter_must_be_accepted_with_a_button(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    sender = await chat_user(engine, "reg-3")
    out = await run(ActionAskCompanyCharter(), tracker(sender))
    assert CHARTER_TEXT in out.text
    assert [b["payload"] for b in out.buttons] == ["/affirm", "/deny"]
    # The button's intent fills the slot (custom mapping), then it is validated.
    trk = form_tracker(sender, FORM, {}, requested="company_charter", text="/deny", intent="deny")
    out = await ask(engine, sender, "company_charter", False, text="/deny", intent="deny")
    assert out.slots()["company_charter"] is None
    assert "Sans l'acceptation de la charte" in out.text and "annuler" in out.text
    out = await run(ValidateRegisterCompanyForm(), trk, DOMAIN)
    assert out.slots().get("company_charter") is None
    out = await run(ValidateRegisterCompanyForm(), form_tracker(sender, FORM, {}, requested="company_charter",
                                                                text="/affirm", intent="affirm"), DOMAIN)
    assert out.slots()["company_charter"] is True


async def test_contact_and_phone_are_asked_even_with_the_current_domain(engine, monkeypatch):
    """The domain still lists 4 slots: the validation adds contact, phone and charter and asks for them."""
    use_engine(engine, monkeypatch)
    sender = await chat_user(engine, "reg-4")
    current = {"slots": {}, "forms": {FORM: {"required_slots": ["company_siret", "company_name", "company_lieu",
                                                                "company_confirm"]}}}
    slots = {k: FILLED[k] for k in ("company_siret", "company_name")}
    out = await run(ValidateRegisterCompanyForm(), form_tracker(sender, FORM, slots, requested="company_lieu",
                                                                text="Feurs", new={"company_lieu": "Feurs"}), current)
    assert out.slots()["company_lieu"] == "Feurs (42)" and out.slots()["requested_slot"] == "company_contact"
    # The free text answering "company_contact" is extracted by the action itself (custom mapping).
    out = await run(ValidateRegisterCompanyForm(), form_tracker(
        sender, FORM, {**slots, "company_lieu": "Feurs (42)"}, requested="company_contact", text="Claire Martin"),
        current)
    assert out.slots()["company_contact"] == "Claire Martin" and out.slots()["requested_slot"] == "company_phone"


async def test_registration_end_to_end(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    sender = await chat_user(engine, "reg-5")
    recap = await run(ActionAskCompanyConfirm(), tracker(sender, slots=FILLED))
    assert "732 829 320 00074" in recap.text and "Claire Martin" in recap.text and "charte" in recap.text
    out = await run(ActionRegisterCompany(), tracker(sender, slots={**FILLED, "company_confirm": True}))
    assert "Boulangerie du Forez (Feurs (42)) est inscrite" in out.text
    assert {"/publish_offer", "/my_offers"} <= {b["payload"] for b in out.buttons}
    assert out.slots()["company_siret"] is None and out.slots()["role"] == "entreprise"
    async with session_scope(engine) as s:
        employer = await s.scalar(select(Employer))
        account = await s.get(Account, await account_id(engine, sender))
        assert (employer.siret, employer.commune_insee, employer.contact_phone) == (
            "73282932000074", "42094", "04 77 12 34 56")
        assert employer.charter_accepted_at is not None and not employer.trusted
        assert account.employer_id == employer.id and account.role is Role.EMPLOYER
    # Registering again: the form stops at once and the action says where they stand.
    out = await run(ValidateRegisterCompanyForm(), form_tracker(sender, FORM, {}, requested="company_siret",
                                                                text=GOOD_SIRET, new={"company_siret": GOOD_SIRET}),
                    DOMAIN)
    assert out.slots()["requested_slot"] is None
    out = await run(ActionRegisterCompany(), tracker(sender))
    assert "déjà inscrit(e) comme contact de Boulangerie du Forez" in out.text


async def test_declined_recap_saves_nothing(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    sender = await chat_user(engine, "reg-6")
    out = await run(ActionRegisterCompany(), tracker(sender, slots={**FILLED, "company_confirm": False}))
    assert "je n'enregistre rien" in out.text
    async with session_scope(engine) as s:
        assert await s.scalar(select(func.count()).select_from(Employer)) == 0


async def test_a_known_siret_only_sends_a_request_to_the_existing_contacts(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    first, employer_id = await employer_sender(engine, "reg-first", company="Garage Dupont")
    async with session_scope(engine) as s:
        siret = (await s.get(Employer, employer_id)).siret
    second = await chat_user(engine, "reg-second")
    out = await ask(engine, second, "company_siret", siret)
    assert "Garage Dupont (Feurs (42)) est déjà inscrite" in out.text and "contacts actuels" in out.text
    assert "dès que l'un d'eux" in out.text
    assert out.slots()["company_name"] == "Garage Dupont" and out.slots()["company_lieu"] == "Feurs (42)"
    slots = {**FILLED, "company_siret": siret, "company_name": "Garage Dupont", "company_contact": "Paul Dupont",
             "company_confirm": True}
    out = await run(ActionRegisterCompany(), tracker(second, slots=slots))
    assert "attend l'accord" in out.text and "publier une offre" not in " ".join(b["title"] for b in out.buttons)
    async with session_scope(engine) as s:
        assert await s.scalar(select(func.count()).select_from(Employer)) == 1
        assert (await s.get(Account, await account_id(engine, second))).employer_id is None
        note = await s.scalar(select(Notification).where(Notification.kind == "employer_join_request"))
        assert note.recipient_account_id == await account_id(engine, first)
        assert "Paul Dupont" in note.payload["message"]
    # Asking again while waiting: no form, the same answer.
    again = await run(ValidateRegisterCompanyForm(), form_tracker(second, FORM, {}, requested=None), DOMAIN)
    assert again.slots()["requested_slot"] is None
    out = await run(ActionRegisterCompany(), tracker(second, slots={**FILLED, "company_confirm": None}))
    assert "attend l'accord" in out.text


async def test_a_student_account_cannot_register_a_company(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    sender = await chat_user(engine, "reg-student")
    async with session_scope(engine) as s:
        await set_role(s, await s.get(Account, await account_id(engine, sender)), Role.STUDENT)
    out = await run(ValidateRegisterCompanyForm(), form_tracker(sender, FORM, {}, requested="company_siret",
                                                                text=GOOD_SIRET, new={"company_siret": GOOD_SIRET}),
                    DOMAIN)
    assert out.slots()["requested_slot"] is None  # the form stops
    out = await run(ActionRegisterCompany(), tracker(sender, slots={**FILLED, "company_confirm": None}))
    assert "déjà utilisé comme élève" in out.text
