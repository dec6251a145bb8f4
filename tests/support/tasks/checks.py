"""Database checks: each builder returns `async (ctx) -> None | "why the end state is wrong"`.
For journeys that only read (status, overview, figures), the user's goal is to be shown a fact
that the database holds: the check looks for that fact in what the bot said."""
from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

from tremplin.models import ApplicationStatus, OfferStatus

Check = Callable[[Any], Awaitable[str | None]]
PENDING = (ApplicationStatus.SENT, ApplicationStatus.SEEN)


def all_of(*checks: Check) -> Check:
    async def run(ctx: Any) -> str | None:
        for check in checks:
            problem = await check(ctx)
            if problem:
                return problem
        return None
    return run


def joined(code: str, actor: str = "user") -> Check:
    async def run(ctx: Any) -> str | None:
        state = await ctx.student_state(actor)
        if state["student"] is None:
            return "no student account (the role was never taken)"
        if state["class_code"] != code:
            return f"class joined: {state['class_code']!r}, expected {code}"
        return None
    return run


def applied(metier: str | None = None, week: int | None = None, forbidden: tuple[str, ...] = (),
            contains: tuple[str, ...] = (), actor: str = "user", count: int = 1) -> Check:
    """`count` new applications; the first one's offer is of `metier` (accent-free substring of the
    métier label or title), for school week `week`; its motivation masks `forbidden` texts."""
    async def run(ctx: Any) -> str | None:
        state = await ctx.student_state(actor)
        found = state["applications"]
        if len(found) < count:
            return f"{len(found)} application(s) in the database, expected {count}"
        application = sorted(found, key=lambda a: a.id)[0]
        label = _plain(application.offer.metier_label + " " + application.offer.title)
        if metier and not re.search(metier, label):
            return f"applied to « {application.offer.metier_label} » (« {application.offer.title} »), expected {metier}"
        if week is not None:
            start, _ = ctx.vars[f"date{week}"]
            if application.week_start != start:
                return f"application for the week of {application.week_start}, expected {start}"
        for text in forbidden:
            if _plain(text) in _plain(application.motivation):
                return f"the motivation still shows « {text} »: {application.motivation!r}"
        for text in contains:
            if _plain(text) not in _plain(application.motivation):
                return f"the motivation lacks « {text} »: {application.motivation!r}"
        return None
    return run


def no_application(actor: str = "user") -> Check:
    async def run(ctx: Any) -> str | None:
        found = (await ctx.student_state(actor))["applications"]
        return f"an application was saved ({found[0].public_code}) although the user cancelled" if found else None
    return run


def parent_invited(actor: str = "user") -> Check:
    async def run(ctx: Any) -> str | None:
        return None if "P-" in ctx.bot_text(actor) else "no parent code (P-…) was shown to the student"
    return run


def parent_linked(actor: str = "parent") -> Check:
    async def run(ctx: Any) -> str | None:
        return None if await ctx.parent_linked(actor) else "the parent account is not linked to the child"
    return run


def registered(siret: str, name: str, contact: str, phone: str, commune: str, actor: str = "user") -> Check:
    """Company `siret` saved with this chat as its contact; `contact`/`name` are accent-free regexes."""
    async def run(ctx: Any) -> str | None:
        employer = (await ctx.employer_state(actor))["employer"]
        if employer is None:
            return "no company attached to the account"
        if employer.siret != siret:
            return f"company SIRET {employer.siret}, expected {siret}"
        wrong = []
        if not re.search(name, _plain(employer.name)):
            wrong.append(f"name {employer.name!r}")
        if not re.search(contact, _plain(employer.contact_name or "")):
            wrong.append(f"contact {employer.contact_name!r}")
        if re.sub(r"\D", "", employer.contact_phone or "") != phone:
            wrong.append(f"phone {employer.contact_phone!r} (expected {phone})")
        if employer.commune_insee != commune:
            wrong.append(f"commune {employer.commune_insee} (expected {commune})")
        if employer.charter_accepted_at is None:
            wrong.append("charter not accepted")
        return ("company saved with " + ", ".join(wrong)) if wrong else None
    return run


def not_registered(actor: str = "user") -> Check:
    async def run(ctx: Any) -> str | None:
        employer = (await ctx.employer_state(actor))["employer"]
        return f"a company was saved ({employer.name}) although the user cancelled" if employer else None
    return run


def published(metier: str, weeks: tuple[int, ...], places: int, commune: str | None = None,
              actor: str = "user") -> Check:
    """One offer of `metier` (regex on the accent-free label), for exactly these school weeks, with
    `places` places, waiting for review or online."""
    async def run(ctx: Any) -> str | None:
        offers = (await ctx.employer_state(actor))["offers"]
        new = [o for o in offers if o.status in (OfferStatus.PENDING_REVIEW, OfferStatus.PUBLISHED)]
        if not new:
            return "no offer saved"
        offer = new[-1]
        wrong = []
        if not re.search(metier, _plain(offer.metier_label)):
            wrong.append(f"métier {offer.metier_label!r}")
        expected = sorted(ctx.vars[f"date{w}"][0] for w in weeks)
        got = sorted(p.start_date for p in offer.periods)
        if got != expected:
            wrong.append(f"weeks {[_d(d) for d in got]} (expected {[_d(d) for d in expected]})")
        if offer.capacity != places:
            wrong.append(f"{offer.capacity} place(s) (expected {places})")
        if commune and offer.commune_insee != commune:
            wrong.append(f"commune {offer.commune_insee} (expected {commune})")
        return ("offer saved with " + ", ".join(wrong)) if wrong else None
    return run


def no_offer(actor: str = "user") -> Check:
    async def run(ctx: Any) -> str | None:
        offers = (await ctx.employer_state(actor))["offers"]
        return f"an offer was saved ({offers[-1].title!r}) although the user cancelled" if offers else None
    return run


def decided(status: ApplicationStatus) -> Check:
    async def run(ctx: Any) -> str | None:
        application = await ctx.application(ctx.vars["app_code"])
        if application.status is not status:
            return f"application {application.public_code} is {application.status.value}, expected {status.value}"
        return None
    return run


def class_created(name: str, week: int, contact: str, uai: str = "0429871B", actor: str = "user") -> Check:
    async def run(ctx: Any) -> str | None:
        classes = await ctx.classes_of(actor)
        if not classes:
            return "no class created"
        klass = classes[-1]
        wrong = []
        if not re.search(name, _plain(klass.name)):
            wrong.append(f"name {klass.name!r}")
        start, end = ctx.vars[f"date{week}"]
        if (klass.stage_start, klass.stage_end) != (start, end):
            wrong.append(f"stage {_d(klass.stage_start)}–{_d(klass.stage_end)} (expected {_d(start)}–{_d(end)})")
        if not re.search(contact, _plain(klass.teacher_contact or "")):
            wrong.append(f"teacher contact {klass.teacher_contact!r}")
        if klass.school.uai != uai:
            wrong.append(f"collège {klass.school.uai} (expected {uai})")
        return ("class saved with " + ", ".join(wrong)) if wrong else None
    return run


def no_class(actor: str = "user") -> Check:
    async def run(ctx: Any) -> str | None:
        classes = await ctx.classes_of(actor)
        return f"a class was saved ({classes[0].join_code}) although the user cancelled" if classes else None
    return run


def offer_status(status: OfferStatus) -> Check:
    async def run(ctx: Any) -> str | None:
        offer = await ctx.offer(ctx.vars["pending_offer_id"])
        return None if offer.status is status else f"offer {offer.id} is {offer.status.value}, expected {status.value}"
    return run


def shown(*patterns: str, actor: str = "user") -> Check:
    """Read-only journeys: each accent-free regex (with $vars) appears in what the bot said."""
    async def run(ctx: Any) -> str | None:
        said = _plain(ctx.bot_text(actor))
        for pattern in patterns:
            wanted = _plain(_fill(pattern, ctx.vars))
            if not re.search(wanted, said):
                return f"the user was never shown {wanted!r}"
        return None
    return run


def said(text: str, actor: str = "user") -> Check:
    """The bot said something like `text` (accent-free regex): e.g. that nothing was saved."""
    return shown(text, actor=actor)


def _fill(pattern: str, variables: dict[str, Any]) -> str:
    for key, value in variables.items():
        if isinstance(value, str):
            pattern = pattern.replace(f"\\${key}", re.escape(value)).replace(f"${key}", re.escape(value))
    return pattern


def _plain(text: str) -> str:
    from tests.support.tasks.engine import norm
    return norm(text)


def _d(day: date) -> str:
    return day.strftime("%d/%m")
