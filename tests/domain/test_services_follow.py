"""What parents follow and what students control: plain words, employer hidden until acceptance."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tremplin.dates.period import french_date
from tests.support.factories import MOTIVATION, employer_with_account, offer_for, student
from tremplin.db import session_scope
from tremplin.models import Account, CodeAttempt, Notification, ParentLink, Role, utcnow
from tremplin.services import applications as apps
from tremplin.services.accounts import get_or_create_account, set_role
from tremplin.services.errors import DomainError, NotFound
from tremplin.services.follow import (
    contact_after_acceptance, link_child, parent_links_of, status_for_parent, unlink_parent,
)
from tremplin.services.parents import create_link_code


async def _family(s, first_name: str = "Léa"):
    pupil = await student(s, first_name=first_name)
    parent = await get_or_create_account(s, "test", f"parent-of-{pupil.id}")
    await link_child(s, parent, await create_link_code(s, pupil))
    return pupil, parent


def test_french_date_without_year():
    assert french_date(date(2026, 12, 8), year=False) == "8 décembre"
    assert french_date(date(2027, 3, 1), year=False) == "1er mars"


async def test_link_child_links_and_tells_the_student(engine):
    async with session_scope(engine) as s:
        pupil, parent = await _family(s)
        links = await parent_links_of(s, pupil)
        told = await s.scalar(select(Notification.recipient_account_id).where(Notification.kind == "parent_linked"))
    assert parent.role is Role.PARENT and len(links) == 1 and told == pupil.account_id


async def test_five_wrong_codes_then_even_the_right_one_is_refused(engine):
    async with session_scope(engine) as s:
        pupil = await student(s)
        code = await create_link_code(s, pupil)
        parent = await get_or_create_account(s, "test", "parent-x")
    for guess in range(5):
        async with session_scope(engine) as s:
            with pytest.raises(DomainError) as err:
                await link_child(s, parent, f"P-WRONG{guess}")
            assert err.value.code == "link_code_unknown" and "votre enfant" in err.value.message
    async with session_scope(engine) as s:
        with pytest.raises(DomainError) as err:
            await link_child(s, parent, code)
        assert len((await s.scalars(select(CodeAttempt))).all()) == 5
        assert (await s.scalars(select(ParentLink))).all() == []
    assert err.value.code == "too_many_attempts" and "réessayez dans une heure" in err.value.message
    async with session_scope(engine) as s:
        linked = await link_child(s, parent, code, now=utcnow() + timedelta(hours=2))
    assert linked.id == pupil.id


async def test_a_student_account_cannot_use_a_parent_code(engine):
    async with session_scope(engine) as s:
        pupil = await student(s)
        other = await student(s)
        account = await get_or_create_account(s, "test", "dummy")
        await set_role(s, account, Role.STUDENT)
        with pytest.raises(DomainError) as err:
            await link_child(s, account, await create_link_code(s, pupil))
    assert err.value.code == "role_conflict" and other.id != pupil.id


async def test_parent_summary_before_acceptance_hides_the_employer(engine):
    async with session_scope(engine) as s:
        pupil, parent = await _family(s)
        (empty,) = await status_for_parent(s, parent)
        employer, _ = await employer_with_account(s)
        for _ in range(3):
            await apps.apply(s, pupil, (await offer_for(s, employer)).id, MOTIVATION)
        (child,) = await status_for_parent(s, parent)
    assert empty.summary == "Léa n'a pas encore envoyé de candidature."
    assert child.summary == ("Léa a envoyé 3 candidatures ; 3 en attente de réponse ; "
                             "prochaine étape : attendre les réponses des employeurs.")
    assert child.placement is None and employer.name not in repr(child) and "0477" not in repr(child)
    assert [words for _, words in child.applications] == ["envoyée, pas encore lue"] * 3


async def test_parent_summary_after_acceptance_names_employer_and_next_step(engine):
    async with session_scope(engine) as s:
        pupil, parent = await _family(s)
        employer, boss = await employer_with_account(s)
        codes = [(await apps.apply(s, pupil, (await offer_for(s, employer)).id, MOTIVATION)).public_code
                 for _ in range(3)]
        await apps.accept(s, boss, codes[1])
        (child,) = await status_for_parent(s, parent)
    week = french_date(pupil.stage_start, year=False)
    assert child.summary == (f"Léa a envoyé 3 candidatures ; {employer.name} (Feurs) l'a acceptée pour la "
                             f"semaine du {week} ; prochaine étape : la convention.")
    assert child.placement.code == codes[1] and child.placement.commune == "Feurs"
    assert "0477000000" not in repr(child) and "M. Martin" not in repr(child)


async def test_parent_sees_only_own_children(engine):
    async with session_scope(engine) as s:
        _, parent = await _family(s, "Léa")
        await _family(s, "Tom")
        stranger = await get_or_create_account(s, "test", "nobody")
        children = await status_for_parent(s, parent)
        none = await status_for_parent(s, stranger)
    assert [c.first_name for c in children] == ["Léa"] and none == []


async def test_contact_only_after_acceptance_and_only_for_the_student(engine):
    async with session_scope(engine) as s:
        pupil = await student(s)
        other = await student(s, first_name="Tom")
        employer, boss = await employer_with_account(s)
        code = (await apps.apply(s, pupil, (await offer_for(s, employer)).id, MOTIVATION)).public_code
        with pytest.raises(DomainError) as early:
            await contact_after_acceptance(s, pupil, code)
        await apps.accept(s, boss, code)
        with pytest.raises(NotFound) as not_theirs:
            await contact_after_acceptance(s, other, code)
        contact = await contact_after_acceptance(s, pupil, code.lower())
    assert early.value.code == "not_accepted" and "dès qu'il aura accepté" in early.value.message
    assert "tiennes" in not_theirs.value.message
    assert (contact.contact_name, contact.contact_phone) == ("M. Martin", "0477000000")
    assert contact.address == "3 rue de la République, Feurs (42)"


async def test_student_unlinks_a_parent_who_is_told(engine):
    async with session_scope(engine) as s:
        pupil, parent = await _family(s)
        other, _ = await _family(s, "Tom")
        (link,) = await parent_links_of(s, pupil)
        with pytest.raises(NotFound) as err:
            await unlink_parent(s, other, link.link_id)
        await unlink_parent(s, pupil, link.link_id)
        left = await status_for_parent(s, parent)
        note = await s.scalar(select(Notification).where(Notification.kind == "parent_unlinked"))
    assert "ton compte" in err.value.message
    assert left == [] and note.recipient_account_id == parent.id and "retiré" in note.payload["message"]


async def test_wrong_codes_count_even_when_the_whole_turn_is_rolled_back(engine):
    """An action lets the refusal escape its transaction: the failed attempts must survive it."""
    from tremplin.services.accounts import get_or_create_account
    from tremplin.services.errors import DomainError
    from tremplin.services.follow import link_child

    async with session_scope(engine) as s:
        parent_id = (await get_or_create_account(s, "test", "brute-force")).id
    codes = []
    for attempt in range(6):
        try:
            async with session_scope(engine) as s:
                await link_child(s, await s.get(Account, parent_id), f"P-WRONG{attempt:03d}")
        except DomainError as err:
            codes.append(err.code)
    assert codes[:5] == ["link_code_unknown"] * 5
    assert codes[5] == "too_many_attempts"
