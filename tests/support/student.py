"""Helpers of the student action tests: a student's chat, offers that must never leak, the forms as
domain/core.yml declares them, and applying in one go."""
from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from actions.student_apply import ActionApply
from tests.support.actions import Outcome, chat_user, run, tracker
from tests.support.factories import MOTIVATION, employer_with_account, next_monday, offer_for
from tremplin.db import session_scope
from tremplin.models import Account, ChannelIdentity, Offer, Role
from tremplin.privacy.identifiers import external_hash
from tremplin.services.accounts import set_role, student_of
from tremplin.settings import REPO_ROOT
from sqlalchemy import select

DOMAIN_DIR = REPO_ROOT / "domain"
LEAKS = ("rue de la République", "M. Martin", "0477000000", "Boulangerie test")


def form_domain(form: str) -> dict[str, Any]:
    """The form's required slots, read from domain/core.yml (the contract the actions rely on)."""
    text = (DOMAIN_DIR / "core.yml").read_text(encoding="utf-8")
    match = re.search(rf"^  {form}:\n    required_slots: \[([^\]]*)\]", text, re.M)
    assert match, f"{form} not in domain/core.yml"
    slots = [s.strip() for s in match.group(1).replace("\n", " ").split(",") if s.strip()]
    return {"slots": {}, "forms": {form: {"required_slots": slots}}}


async def student_chat(engine, name: str, *, first_name: str | None = "Léa", week: date | None = None,
                       home: str | None = "42094", role: Role = Role.STUDENT) -> str:
    """A registered chat whose account is a student (with a stage week and a home commune by default)."""
    sender = await chat_user(engine, name)
    async with session_scope(engine) as s:
        account = await s.scalar(select(Account).join(ChannelIdentity).where(
            ChannelIdentity.external_hash == external_hash("test", name)))
        await set_role(s, account, role)
        if role is Role.STUDENT:
            pupil = await student_of(s, account.id)
            pupil.first_name = first_name
            pupil.home_commune_insee = home
            if week is not False:
                week = week or next_monday()
                pupil.stage_start, pupil.stage_end = week, week + timedelta(days=4)
    return sender


async def offers(engine, count: int = 1, *, capacity: int = 1, week: date | None = None) -> list[int]:
    """Bakery offers in Feurs (with a street address and a contact that must never leak)."""
    async with session_scope(engine) as s:
        employer, _ = await employer_with_account(s)
        made = [await offer_for(s, employer, capacity=capacity, week=week) for _ in range(count)]
        return [o.id for o in made]


async def offer(engine, offer_id: int) -> Offer:
    async with session_scope(engine) as s:
        return await s.get(Offer, offer_id)


def assert_no_leak(text: str) -> None:
    for secret in LEAKS:
        assert secret not in text, f"{secret!r} leaked in: {text}"


async def apply_now(sender: str, offer_id: int, motivation: str = MOTIVATION, **slots: Any) -> Outcome:
    """The student confirms an application to this offer (the form filled in)."""
    return await run(ActionApply(), tracker(sender, intent="affirm", slots={
        "apply_offer": f"« Découvrir le fournil » (réf. O-{offer_id})", "apply_motivation": motivation,
        "apply_confirm": True, **slots}))
