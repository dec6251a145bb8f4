"""Helpers for the employer action tests: a company account, an answer to a form's question (through the one
`form_tracker`), the forms as the domain should declare them, and a registration form filled in."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from actions.employer_offer_checks import SLOTS as PUBLISH_SLOTS
from actions.employer_register import SLOTS as REGISTER_SLOTS
from tests.support.actions import Outcome, chat_user, form_tracker, run
from tests.support.factories import make_siret
from tremplin.dates.period import french_date
from tremplin.db import session_scope
from tremplin.models import Account, ChannelIdentity, Employer, Role

DOMAIN = {"slots": {}, "forms": {"register_company_form": {"required_slots": REGISTER_SLOTS},
                                 "publish_offer_form": {"required_slots": PUBLISH_SLOTS}}}

# A registration form answered in full (the confirmation aside).
FILLED = {"company_siret": "73282932000074", "company_name": "Boulangerie du Forez", "company_lieu": "Feurs (42)",
          "company_contact": "Claire Martin", "company_phone": "04 77 12 34 56", "company_charter": True}

_seed = iter(range(500, 10_000))


def monday(weeks_ahead: int = 3) -> date:
    today = date.today()
    return today + timedelta(days=7 - today.weekday()) + timedelta(weeks=weeks_ahead - 1)


def filled_offer(weeks_ahead: int = 3) -> dict[str, Any]:
    """Every answer of the offer form, for a week `weeks_ahead` weeks away."""
    start = monday(weeks_ahead)
    return {"offer_metier": "Boulanger", "offer_title": "Découvrir le fournil",
            "offer_description": "Pétrir, façonner et cuire le pain avec l'équipe du matin.",
            "offer_lieu": "Feurs (42)", "offer_address": "3 rue de la République",
            "offer_periodes": f"{start.isoformat()}/{date.fromordinal(start.toordinal() + 4).isoformat()}",
            "offer_places": "2", "offer_environments": "atelier,public", "offer_transport": "Gare à proximité"}


def week_text(weeks_ahead: int = 3) -> str:
    """"la semaine du 14 décembre 2026": a week in the future, whatever the day the tests run."""
    return f"la semaine du {french_date(monday(weeks_ahead))}"


async def account_id(engine: AsyncEngine, sender: str) -> int:
    async with session_scope(engine) as s:
        return await s.scalar(select(ChannelIdentity.account_id).where(ChannelIdentity.external_hash == sender))


async def employer_sender(engine: AsyncEngine, name: str, *, trusted: bool = True,
                          company: str = "Boulangerie Martin") -> tuple[str, int]:
    """A chat whose account is the contact of a fresh company; returns (sender id, employer id)."""
    sender = await chat_user(engine, name)
    async with session_scope(engine) as s:
        employer = Employer(siret=make_siret(next(_seed)), name=company, commune_insee="42094",
                            contact_name="Claire Martin", contact_phone="04 77 12 34 56", trusted=trusted,
                            charter_accepted_at=None)
        s.add(employer)
        await s.flush()
        account = await s.get(Account, await s.scalar(
            select(ChannelIdentity.account_id).where(ChannelIdentity.external_hash == sender)))
        account.employer_id, account.role = employer.id, Role.EMPLOYER
        return sender, employer.id


async def answer(action, sender: str, form: str, slots: dict[str, Any], slot: str, value: Any, *,
                 text: str | None = None, intent: str = "inform", entities: list[dict] | None = None) -> Outcome:
    """The user answers the question for `slot` with `value` (the text typed, unless `text` is given)."""
    return await run(action, form_tracker(sender, form, slots, requested=slot,
                                          text=text if text is not None else str(value), intent=intent,
                                          entities=entities, new={slot: value}), DOMAIN)


def entity(name: str, value: str) -> dict[str, str]:
    return {"entity": name, "value": value}
