"""Teachers create a class (collège by name or UAI, class, stage week) and get a join code and a
deep link; they see their own classes only, remind, export, and confirm signed agreements."""
from __future__ import annotations

import base64
from datetime import timedelta

from sqlalchemy import select

from actions.classes import ActionClassExport, ActionClassOverview, ActionClassRemind, ActionConfirmAgreement
from actions.class_creation import ActionCreateClass, ValidateCreateClassForm
from tests.support.actions import (account_of, form_tracker, notes, role_chat, run, tracker,
                                   use_engine, validation_domain)
from tests.support.factories import MOTIVATION, employer_with_account, next_monday, offer_for, student
from tremplin.db import session_scope
from tremplin.models import Application, ApplicationStatus, Role, SchoolClass
from tremplin.services import applications as apps
from tremplin.services.classes import create_class, join_class
from tremplin.services.parents import create_link_code, redeem_link_code

WEEK = next_monday()
FORM = "create_class_form"
REQUIRED = ["class_name", "class_periode", "class_contact"]


async def _validate(sender: str, slot: str, value: str, slots: dict | None = None, required=REQUIRED):
    trk = form_tracker(sender, FORM, slots, requested=slot, new={slot: value}, text=value)
    return await run(ValidateCreateClassForm(), trk, validation_domain(FORM, required))


async def _class_of(engine, sender: str, name: str = "3e A", school: str = "0421234A Collège Jean-Moulin"):
    async with session_scope(engine) as s:
        teacher = await account_of(engine, sender)
        teacher = await s.merge(teacher)
        created = await create_class(s, teacher, school, name, WEEK, WEEK + timedelta(days=4), commune_text="Feurs")
        return created.code


async def test_create_class_in_four_answers_gives_code_and_deep_link(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    teacher = await role_chat(engine, "teacher-1", Role.TEACHER)
    out = await _validate(teacher, "class_name", "3e B, collège Jean-Moulin")
    assert out.slots() == {"class_name": None}
    assert "UAI" in out.text and "0421234A, Collège Jean-Moulin, Roanne" in out.text  # unknown collège: example
    out = await _validate(teacher, "class_name", "3e B, 0421234A, Collège Jean-Moulin, Feurs")
    assert out.slots() == {"class_name": "3e B, 0421234A, Collège Jean-Moulin, Feurs"}
    out = await _validate(teacher, "class_periode", "en décembre", slots={"class_name": "3e B, 0421234A, Collège "
                                                                                      "Jean-Moulin, Feurs"})
    assert out.slots() == {"class_periode": None} and "quelle semaine" in out.text and "Tu " not in out.text
    week_text = f"du {WEEK.day}/{WEEK.month} au {(WEEK + timedelta(days=4)).day}/{(WEEK + timedelta(days=4)).month}"
    out = await _validate(teacher, "class_periode", week_text, slots={"class_name": "3e B, 0421234A, Collège "
                                                                                   "Jean-Moulin, Feurs"})
    period = f"{WEEK.isoformat()}/{(WEEK + timedelta(days=4)).isoformat()}"
    assert out.slots() == {"class_periode": period}
    out = await _validate(teacher, "class_contact", "Mme Roche")
    assert out.slots() == {"class_contact": None} and "téléphone ou un e-mail professionnel" in out.text
    out = await _validate(teacher, "class_contact", "Mme Roche, +33 4 77 26 11 22")
    assert out.slots() == {"class_contact": "Mme Roche, 04 77 26 11 22"}
    out = await run(ActionCreateClass(), tracker(teacher, slots={
        "class_name": "3e B, 0421234A, Collège Jean-Moulin, Feurs", "class_periode": period,
        "class_contact": "Mme Roche, 04 77 26 11 22"}))
    async with session_scope(engine) as s:
        school_class = await s.scalar(select(SchoolClass))
    assert school_class.name == "3e B" and school_class.stage_start == WEEK
    assert school_class.teacher_contact == "Mme Roche, 04 77 26 11 22"
    assert f"Code à donner aux élèves : {school_class.join_code}" in out.text
    assert f"?start=classe-{school_class.join_code}" in out.text
    assert "l'entreprise qui acceptera un élève : Mme Roche, 04 77 26 11 22" in out.text
    assert out.slots() == {"class_name": None, "class_periode": None, "class_contact": None, "role": "enseignant"}


async def test_known_college_by_name_in_the_class_name_or_by_the_school_slot(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    teacher = await role_chat(engine, "teacher-2", Role.TEACHER)
    other = await role_chat(engine, "teacher-3", Role.TEACHER)
    await _class_of(engine, other)  # the collège now exists
    period = f"{WEEK.isoformat()}/{(WEEK + timedelta(days=4)).isoformat()}"
    out = await run(ActionCreateClass(), tracker(teacher, slots={"class_name": "3C college jean moulin",
                                                                 "class_periode": period}))
    assert "La classe 3C (Collège Jean-Moulin) est créée" in out.text
    # With the proposed `class_school` slot in the form, the collège is validated on its own.
    out = await _validate(teacher, "class_school", "0421234a", required=["class_school", *REQUIRED])
    assert out.slots() == {"class_school": "0421234A"} and "Collège Jean-Moulin" in out.text
    out = await run(ActionCreateClass(), tracker(teacher, slots={"class_school": "0421234A", "class_name": "3D",
                                                                 "class_periode": period}))
    assert "La classe 3D (Collège Jean-Moulin)" in out.text
    assert out.slots()["class_school"] is None


async def test_refusals_reset_the_form(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    parent = await role_chat(engine, "parent-1", Role.PARENT)
    out = await _validate(parent, "class_name", "3e A, 0421234A, Collège X, Feurs")
    assert out.slots() == {"class_name": None, "requested_slot": None}
    out = await run(ActionCreateClass(), tracker(parent, slots={"class_name": "3e A", "class_periode": "x"}))
    assert "réservée aux professeurs" in out.text and out.slots() == {"class_name": None, "class_periode": None,
                                                                  "class_contact": None}
    teacher = await role_chat(engine, "teacher-4", Role.TEACHER)
    out = await run(ActionCreateClass(), tracker(teacher, slots={"class_name": "3e A", "class_periode": "x"}))
    assert "Dans quel collège" in out.text and out.slots() == {"class_name": None, "class_periode": None,
                                                                  "class_contact": None}


async def _class_with_students(engine, teacher_sender: str):
    """A class of this teacher: Léa placed (linked parent), Tom pending, Zoé with nothing."""
    code = await _class_of(engine, teacher_sender)
    parent = await role_chat(engine, f"parent-of-{code}", Role.PARENT)
    parent_account = await account_of(engine, parent)
    async with session_scope(engine) as s:
        employer, boss = await employer_with_account(s)
        offer = await offer_for(s, employer, capacity=2)
        pupils = {name: await student(s, name) for name in ("Léa", "Tom", "Zoé")}
        for pupil in pupils.values():
            await join_class(s, pupil, code)
        parent_account = await s.merge(parent_account)
        await redeem_link_code(s, parent_account, await create_link_code(s, pupils["Léa"]))
        placed = await apps.apply(s, pupils["Léa"], offer.id, MOTIVATION)
        await apps.apply(s, pupils["Tom"], offer.id, MOTIVATION)
        await apps.accept(s, boss, placed.public_code)
        ids = {name: p.account_id for name, p in pupils.items()}
        return code, placed.public_code, ids, parent_account.id, boss.id


async def test_overview_lists_own_students_by_state_with_buttons(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    teacher = await role_chat(engine, "teacher-5", Role.TEACHER)
    code, app_code, _, _, _ = await _class_with_students(engine, teacher)
    out = await run(ActionClassOverview(), tracker(teacher, intent="class_overview"))
    assert f"3e A — Collège Jean-Moulin (code {code})" in out.text
    assert "Rien pour l'instant (1) : Zoé" in out.text and "Candidatures en attente (1) : Tom" in out.text
    assert "convention à signer (1) : Léa" in out.text and app_code in out.text
    payloads = [b["payload"] for b in out.buttons]
    assert f'/class_remind{{"code": "{code}"}}' in payloads and f'/class_export{{"code": "{code}"}}' in payloads
    assert f'/confirm_agreement{{"code": "{app_code}"}}' in payloads


async def test_a_teacher_never_sees_or_acts_on_another_class(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    owner = await role_chat(engine, "teacher-6", Role.TEACHER)
    intruder = await role_chat(engine, "teacher-7", Role.TEACHER)
    code, app_code, _, _, _ = await _class_with_students(engine, owner)
    await _class_of(engine, intruder, name="3e B")
    out = await run(ActionClassOverview(), tracker(intruder, intent="class_overview",
                                                   entities=[{"entity": "code", "value": code}]))
    assert "n'est pas la vôtre" in out.text and "Léa" not in out.text
    own = await run(ActionClassOverview(), tracker(intruder, intent="class_overview"))
    assert "3e B" in own.text and "Léa" not in own.text and "Tom" not in own.text
    for action in (ActionClassRemind(), ActionClassExport()):
        out = await run(action, tracker(intruder, intent="inform", entities=[{"entity": "code", "value": code}]))
        assert "n'est pas la vôtre" in out.text and not any(m.get("custom") for m in out.messages)
    out = await run(ActionConfirmAgreement(), tracker(intruder, entities=[{"entity": "code", "value": app_code}]))
    assert "parmi celles de vos élèves" in out.text
    assert await notes(engine, "application_agreement_signed") == []
    pupil = await role_chat(engine, "pupil-1", Role.STUDENT)
    assert "réservé aux professeurs" in (await run(ActionClassOverview(), tracker(pupil))).text


async def test_remind_notifies_only_students_without_application_once_a_day(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    teacher = await role_chat(engine, "teacher-8", Role.TEACHER)
    code, _, ids, _, _ = await _class_with_students(engine, teacher)
    trk = tracker(teacher, intent="class_remind", entities=[{"entity": "code", "value": code}])
    assert "1 élève sans candidature va recevoir" in (await run(ActionClassRemind(), trk)).text
    assert await notes(engine, "teacher_reminder") == [(ids["Zoé"], "teacher_reminder")]
    assert "Personne à relancer" in (await run(ActionClassRemind(), trk)).text
    assert len(await notes(engine, "teacher_reminder")) == 1


async def test_export_is_sent_as_a_csv_document(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    teacher = await role_chat(engine, "teacher-9", Role.TEACHER)
    code, _, _, _, _ = await _class_with_students(engine, teacher)
    out = await run(ActionClassExport(), tracker(teacher, intent="class_export",
                                                 entities=[{"entity": "code", "value": code}]))
    document = next(m["custom"]["document"] for m in out.messages if m.get("custom"))
    assert document["filename"].startswith("tremplin-3e-a-") and document["filename"].endswith(".csv")
    content = base64.b64decode(document["content_base64"]).decode("utf-8")
    assert content.startswith("\ufeffPrénom;Situation") and "Zoé;rien pour l'instant" in content


async def test_signed_agreement_is_told_to_student_parent_and_employer(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    teacher = await role_chat(engine, "teacher-10", Role.TEACHER)
    _, app_code, ids, parent_id, boss_id = await _class_with_students(engine, teacher)
    out = await run(ActionConfirmAgreement(), tracker(teacher, intent="confirm_agreement",
                                                      entities=[{"entity": "code", "value": app_code}]))
    assert f"la convention de Léa ({app_code}" in out.text and "sa famille et l'entreprise" in out.text
    everyone = sorted([ids["Léa"], parent_id, boss_id])
    for kind in ("application_agreement_pending", "application_agreement_signed"):
        assert sorted(r for r, _ in await notes(engine, kind)) == everyone
    # Typed by hand, a second time: refused, and nobody is told twice.
    out = await run(ActionConfirmAgreement(), tracker(teacher, text=f"convention signée pour {app_code.lower()}"))
    assert "convention signée" in out.text and "ne peut pas être confirmée" in out.text
    assert len(await notes(engine, "application_agreement_signed")) == 3
    async with session_scope(engine) as s:
        status = await s.scalar(select(Application.status).where(Application.public_code == app_code))
    assert status is ApplicationStatus.AGREEMENT_SIGNED
