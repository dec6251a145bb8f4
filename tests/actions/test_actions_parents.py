"""Parents link to their child with a single-use code, then follow in plain words; a student's
acceptance reaches the linked parent exactly once, without the employer's private contact."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from actions.parents import ActionAskStatus, ActionLinkChild, ValidateLinkChildForm
from tests.support.actions import (account_of, form_tracker, notes, role_chat, run, tracker,
                                   use_engine, validation_domain)
from tests.support.factories import MOTIVATION, employer_with_account, offer_for, student
from tremplin.db import session_scope
from tremplin.models import CodeAttempt, ParentLink, Role, utcnow
from tremplin.services import applications as apps
from tremplin.services.parents import create_link_code


async def _child_code(engine, first_name: str = "Léa", *, age: timedelta = timedelta(0)) -> tuple[int, str]:
    """A student and a fresh "P-" code, created `age` ago; returns (student account id, code)."""
    async with session_scope(engine) as s:
        pupil = await student(s, first_name)
        code = await create_link_code(s, pupil, now=utcnow() - age)
        return pupil.account_id, code


async def _link(engine, sender: str, code: str):
    return await run(ActionLinkChild(), tracker(sender, intent="inform", text=code, slots={"link_code": code}))


async def test_parent_links_with_the_code_and_the_student_is_told(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    child_account, code = await _child_code(engine)
    parent = await role_chat(engine, "parent-1", None)
    out = await _link(engine, parent, code)
    assert "relié à celui de Léa" in out.text and "retirer ce lien" in out.text
    assert out.slots() == {"link_code": None, "role": "parent"}
    assert out.buttons[0]["payload"] == "/ask_status"
    parent_account = await account_of(engine, parent)
    assert parent_account.role is Role.PARENT
    assert await notes(engine, "parent_linked") == [(child_account, "parent_linked")]
    async with session_scope(engine) as s:
        assert await s.scalar(select(func.count()).select_from(ParentLink)) == 1


async def test_deep_link_code_is_validated_then_redeemed(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    _, code = await _child_code(engine)
    parent = await role_chat(engine, "parent-2", Role.PARENT)
    # `/start parent-<CODE>` arrives as /link_child{"code": "P-…"}: the slot is filled from the entity.
    trk = form_tracker(parent, "link_child_form", requested="link_code", new={"link_code": code}, intent="link_child",
                       entities=[{"entity": "code", "value": code}])
    domain = validation_domain("link_child_form", ["link_code"])
    out = await run(ValidateLinkChildForm(), trk, domain)
    assert out.slots() == {"link_code": code} and out.text == ""
    out = await _link(engine, parent, f"parent-{code}")
    assert "relié" in out.text


async def test_validation_reasks_with_a_hint_when_no_code_is_given(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    parent = await role_chat(engine, "parent-3", Role.PARENT)
    trk = form_tracker(parent, "link_child_form", requested="link_code", new={"link_code": "je l'ai pas sous la main"})
    domain = validation_domain("link_child_form", ["link_code"])
    out = await run(ValidateLinkChildForm(), trk, domain)
    assert out.slots() == {"link_code": None}
    assert "P-ABCD2345" in out.text and "annuler" in out.text


async def test_expired_reused_and_unknown_codes_are_explained(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    _, old = await _child_code(engine, age=timedelta(days=8))
    _, good = await _child_code(engine, "Tom")
    parent = await role_chat(engine, "parent-4", Role.PARENT)
    other_parent = await role_chat(engine, "parent-5", Role.PARENT)
    out = await _link(engine, parent, old)
    assert "expiré" in out.text and "7 jours" in out.text and out.slots() == {"link_code": None}
    assert "relié" in (await _link(engine, parent, good)).text
    out = await _link(engine, other_parent, good)
    assert "déjà servi" in out.text
    out = await _link(engine, other_parent, "P-ZZZZ2222")
    assert "ne correspond à aucun élève" in out.text
    async with session_scope(engine) as s:
        assert await s.scalar(select(func.count()).select_from(ParentLink)) == 1


async def test_brute_force_is_stopped_after_five_wrong_codes_in_an_hour(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    _, good = await _child_code(engine)
    parent = await role_chat(engine, "parent-6", Role.PARENT)
    for attempt in range(5):
        out = await _link(engine, parent, f"P-WRNG{attempt + 2}{attempt + 2}{attempt + 2}{attempt + 2}")
        assert "ne correspond à aucun élève" in out.text
    out = await _link(engine, parent, good)  # even the right code waits now
    assert "Trop de codes erronés" in out.text and out.buttons == []
    async with session_scope(engine) as s:
        assert await s.scalar(select(func.count()).select_from(CodeAttempt)) == 5  # survived the refusals
        assert await s.scalar(select(func.count()).select_from(ParentLink)) == 0


async def test_students_and_teachers_cannot_link(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    _, code = await _child_code(engine)
    pupil = await role_chat(engine, "pupil-1", Role.STUDENT)
    trk = form_tracker(pupil, "link_child_form", requested="link_code", new={"link_code": code})
    domain = validation_domain("link_child_form", ["link_code"])
    out = await run(ValidateLinkChildForm(), trk, domain)
    assert out.slots() == {"link_code": None, "requested_slot": None}
    assert "pour les parents" in (await _link(engine, pupil, code)).text
    teacher = await role_chat(engine, "teacher-1", Role.TEACHER)
    assert "destiné à un parent" in (await _link(engine, teacher, code)).text


async def test_ask_status_without_child_explains_how_to_link(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    parent = await role_chat(engine, "parent-7", Role.PARENT)
    out = await run(ActionAskStatus(), tracker(parent, intent="ask_status"))
    assert "aucun enfant" in out.text and out.buttons[0]["payload"] == "/link_child"
    pupil = await role_chat(engine, "pupil-2", Role.STUDENT)
    out = await run(ActionAskStatus(), tracker(pupil, intent="ask_status"))  # « le patron a répondu ? »
    assert "aucune candidature" in out.text  # the pupil's own applications, answered at once


async def test_acceptance_reaches_the_linked_parent_once_without_the_private_contact(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    async with session_scope(engine) as s:
        employer, boss = await employer_with_account(s)
        offer = await offer_for(s, employer)
        pupil = await student(s, "Léa")
        code = await create_link_code(s, pupil)
        application = await apps.apply(s, pupil, offer.id, MOTIVATION)
        app_code, pupil_account, employer_name = application.public_code, pupil.account_id, employer.name
    parent = await role_chat(engine, "parent-8", Role.PARENT)
    await _link(engine, parent, code)
    parent_id = (await account_of(engine, parent)).id

    before = (await run(ActionAskStatus(), tracker(parent, intent="ask_status"))).text
    assert "Léa a envoyé 1 candidature" in before and app_code in before
    assert employer_name not in before  # the host is not named before acceptance

    async with session_scope(engine) as s:
        await apps.accept(s, boss, app_code)
    accepted = await notes(engine, "application_accepted")
    assert sorted(accepted) == sorted([(pupil_account, "application_accepted"), (parent_id, "application_accepted")])

    after = (await run(ActionAskStatus(), tracker(parent, intent="ask_status"))).text
    assert employer_name in after and "prochaine étape : la convention" in after
    for private in ("0477000000", "M. Martin", "3 rue de la République"):
        assert private not in after
