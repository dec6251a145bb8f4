"""Employer sign-up as an employer experiences it: clear French refusals, one company, several contacts."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.support.factories import employer_with_account, make_siret, offer_for
from tremplin.db import session_scope
from tremplin.models import Account, Employer, Notification, Role
from tremplin.services.accounts import get_or_create_account, set_role
from tremplin.services.employers import CHARTER_TEXT, employer_card, normalize_phone, register_employer
from tremplin.services.errors import DomainError

SIRET = make_siret(777_001)


async def _register(s, chat: str, siret: str = SIRET, commune: str = "Feurs", phone: str = "04 77 26 05 27",
                    charter: bool = True, name: str = "Boulangerie du Forez"):
    account = await get_or_create_account(s, "test", chat)
    return account, await register_employer(s, account, siret, name, commune, "Mme Durand", phone, charter)


async def test_new_employer_is_created_with_a_normalised_phone(engine):
    async with session_scope(engine) as s:
        account, reg = await _register(s, "boss-1", siret=SIRET[:3] + " " + SIRET[3:], phone="+33 (0)6.12.34.56.78")
    assert reg.created
    assert "Boulangerie du Forez (Feurs (42))" in reg.message and "relues" in reg.message
    async with session_scope(engine) as s:
        employer = await s.scalar(select(Employer))
        account = await s.get(Account, account.id)
    assert (employer.siret, employer.commune_insee, employer.contact_phone) == (SIRET, "42094", "06 12 34 56 78")
    assert employer.charter_accepted_at is not None and not employer.trusted
    assert account.role is Role.EMPLOYER and account.employer_id == employer.id


async def test_charter_is_required_and_shown(engine):
    async with session_scope(engine) as s:
        with pytest.raises(DomainError) as err:
            await _register(s, "boss-1", charter=False)
        assert await s.scalar(select(func.count()).select_from(Employer)) == 0
    assert err.value.code == "charter_required"
    assert CHARTER_TEXT in err.value.message
    for words in ("observation", "dangereux", "avant 15 ans", "30 heures", "20 h"):
        assert words in CHARTER_TEXT


@pytest.mark.parametrize("siret, code", [("1234", "siret_format"), ("12345678901234", "siret_checksum")])
async def test_bad_siret_is_refused(engine, siret, code):
    async with session_scope(engine) as s:
        with pytest.raises(DomainError) as err:
            await _register(s, "boss-1", siret=siret)
    assert err.value.code == code and "SIRET" in err.value.message


@pytest.mark.parametrize("commune, code, shown", [
    ("Saint-Germain-Laval", "commune_ambiguous", "Saint-Germain-Laval (42)"),
    ("Feur", "commune_suggestion", "Vouliez-vous dire : Feurs (42)"),
    ("Zzyzxville", "commune_unknown", "Je ne connais pas"),
])
async def test_commune_must_be_unambiguous(engine, commune, code, shown):
    async with session_scope(engine) as s:
        with pytest.raises(DomainError) as err:
            await _register(s, "boss-1", commune=commune)
    assert err.value.code == code and shown in err.value.message


async def test_commune_by_insee_code(engine):
    async with session_scope(engine) as s:
        _, reg = await _register(s, "boss-1", commune="42147")
    assert reg.employer.commune_insee == "42147"


@pytest.mark.parametrize("raw, expected", [
    ("0477260527", "04 77 26 05 27"), ("06-12-34-56-78", "06 12 34 56 78"),
    ("0033 6 12 34 56 78", "06 12 34 56 78"), ("+33612345678", "06 12 34 56 78"),
])
def test_french_phone_formats(raw, expected):
    assert normalize_phone(raw) == expected


@pytest.mark.parametrize("raw", ["12345", "00 12 34 56 78", "+32 2 123 45 67", "06 12 34 56", ""])
def test_bad_phones_are_refused_politely(raw):
    with pytest.raises(DomainError) as err:
        normalize_phone(raw)
    assert err.value.code == "phone_invalid" and "indiquez" in err.value.message


async def test_second_contact_only_asks_to_join_and_first_is_asked(engine):
    async with session_scope(engine) as s:
        first, _ = await _register(s, "boss-1")
        second, reg = await _register(s, "boss-2", name="Autre nom")
        again = await register_employer(s, second, SIRET, "Autre SARL", "Feurs", "M. Petit", "0612345678", True)
    assert not reg.created and reg.pending and "déjà inscrite" in reg.message and "attend l'accord" in reg.message
    assert again.pending and reg.message.split("n° ")[1][:8] == again.message.split("n° ")[1][:8]  # same request
    async with session_scope(engine) as s:
        employers = (await s.scalars(select(Employer))).all()
        accounts = (await s.scalars(select(Account).where(Account.employer_id.is_not(None)))).all()
        notes = (await s.scalars(select(Notification))).all()
    assert len(employers) == 1 and employers[0].name == "Boulangerie du Forez"
    assert {a.id for a in accounts} == {first.id}  # not a contact yet: sees no application
    assert [(n.recipient_account_id, n.kind) for n in notes] == [(first.id, "employer_join_request")]
    assert "Mme Durand" in notes[0].payload["message"] and "accepter J-" in notes[0].payload["message"]


async def test_a_student_account_cannot_register_a_company(engine):
    async with session_scope(engine) as s:
        account = await get_or_create_account(s, "test", "kid")
        await set_role(s, account, Role.STUDENT)
        with pytest.raises(DomainError) as err:
            await register_employer(s, account, SIRET, "Ma boîte", "Feurs", "Moi", "0612345678", True)
    assert err.value.code == "role_conflict"


async def test_contact_of_one_company_cannot_register_another(engine):
    async with session_scope(engine) as s:
        account, _ = await _register(s, "boss-1")
        with pytest.raises(DomainError) as err:
            await register_employer(s, account, make_siret(777_002), "Autre", "Feurs", "Moi", "0612345678", True)
    assert err.value.code == "already_employer"


async def test_card_shows_contact_only_in_private_view(engine):
    async with session_scope(engine) as s:
        employer, _ = await employer_with_account(s)
        await offer_for(s, employer)
        card = await employer_card(s, employer)
    assert employer.name in card.public and "Feurs (42)" in card.public and "1 offre" in card.public
    assert "04 77" not in card.public and "M. Martin" not in card.public and employer.siret[:3] not in card.public
    assert "M. Martin" in card.private and "0477000000" in card.private and "SIRET" in card.private
