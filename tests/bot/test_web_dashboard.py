"""Dashboard: single-use expiring links, the teacher's class (and nobody else's), the territory's
aggregates without a pupil's name, moderation with CSRF, CSV export."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from tests.support.factories import MOTIVATION, employer_with_account, next_monday, offer_for, student
from tests.support.web import web_client
from tremplin.db import session_scope
from tremplin.models import Account, Offer, OfferStatus, Role, School, SchoolClass, utcnow
from tremplin.services import applications as apps
from tremplin.services.accounts import get_or_create_account
from tremplin.services.classes import join_class
from tremplin.services.errors import DomainError
from tremplin.services.links import check_link, issue_link, redeem_link


async def _world(engine) -> dict[str, int]:
    """A teacher's class (Léa placed, Tom waiting, Zoé nothing), another teacher, an admin, a pending offer."""
    async with session_scope(engine) as s:
        teacher = await get_or_create_account(s, "test", "teacher")
        other = await get_or_create_account(s, "test", "other-teacher")
        admin = await get_or_create_account(s, "test", "admin")
        teacher.role, other.role, admin.role = Role.TEACHER, Role.TEACHER, Role.ADMIN
        school = School(uai="0421234A", name="Collège Jean-Moulin", commune_insee="42094")
        s.add(school)
        await s.flush()
        week = next_monday()
        s.add(SchoolClass(school_id=school.id, name="3e A", join_code="FEURS-3Z", teacher_account_id=teacher.id,
                          stage_start=week, stage_end=week + timedelta(days=4)))
        await s.flush()
        employer, boss = await employer_with_account(s)
        offer = await offer_for(s, employer, capacity=2)
        pupils = {name: await student(s, name) for name in ("Léa", "Tom", "Zoé")}
        for pupil in pupils.values():
            await join_class(s, pupil, "FEURS-3Z")
        placed = await apps.apply(s, pupils["Léa"], offer.id, MOTIVATION)
        await apps.apply(s, pupils["Tom"], offer.id, MOTIVATION)
        await apps.accept(s, boss, placed.public_code)
        untrusted, _ = await employer_with_account(s, trusted=False)
        pending = await offer_for(s, untrusted)
        return {"teacher": teacher.id, "other": other.id, "admin": admin.id, "pending": pending.id,
                "student": pupils["Léa"].account_id}


async def _link(engine, account_id: int, **kw) -> str:
    async with session_scope(engine) as s:
        return await issue_link(s, await s.get(Account, account_id), **kw)


async def _open(client, token: str):
    page = await client.get(f"/tableau/ouvrir/{token}")
    html = await page.text()
    if page.status != 200:
        return page, html
    csrf = re.search(r'name="csrf" value="([^"]+)"', html).group(1)
    response = await client.post(f"/tableau/ouvrir/{token}", data={"csrf": csrf})
    return response, await response.text()


async def test_links_are_single_use_expire_and_only_for_staff(engine):
    ids = await _world(engine)
    token = await _link(engine, ids["teacher"])
    async with session_scope(engine) as s:
        await check_link(s, token)  # looking does not spend it
        await redeem_link(s, token)
    for bad, word in ((token, "déjà servi"), ("nope", "n'existe pas")):
        async with session_scope(engine) as s:
            try:
                await redeem_link(s, bad)
                raise AssertionError("accepted")
            except DomainError as exc:
                assert word in exc.message
    old = await _link(engine, ids["teacher"], now=utcnow() - timedelta(hours=1))
    async with session_scope(engine) as s:
        try:
            await check_link(s, old)
            raise AssertionError("accepted")
        except DomainError as exc:
            assert "expiré" in exc.message
        try:
            await issue_link(s, await s.get(Account, ids["student"]))
            raise AssertionError("a pupil got a link")
        except DomainError as exc:
            assert "réservé" in exc.message


async def test_teacher_sees_their_class_and_exports_it(engine):
    ids = await _world(engine)
    async with web_client(engine) as client:
        assert (await client.get("/tableau")).status == 401
        response, html = await _open(client, await _link(engine, ids["teacher"]))
        assert response.status == 200 and "3e A — Collège Jean-Moulin" in html
        assert re.search(r"Stage trouvé \(accepté\)</th><td>1</td><td>Léa", html)
        assert re.search(r"attendent une réponse</th><td>1</td><td>Tom", html)
        assert re.search(r"N.{1,5}ont encore rien</th><td>1</td><td>Zoé", html)
        assert "Conventions à signer" in html and "Léa — candidature C-" in html
        async with session_scope(engine) as s:
            class_id = await s.scalar(select(SchoolClass.id))
        csv = await client.get(f"/tableau/classe/{class_id}.csv")
        assert csv.status == 200 and "Léa;accepté" in await csv.text()
    async with web_client(engine) as other:
        await _open(other, await _link(engine, ids["other"]))
        html = await (await other.get("/tableau")).text()
        assert "Léa" not in html and "pas encore de classe" in html
        assert (await other.get(f"/tableau/classe/{class_id}.csv")).status == 403


async def test_reused_and_expired_links_are_refused_in_the_browser(engine):
    ids = await _world(engine)
    token = await _link(engine, ids["teacher"])
    async with web_client(engine) as client:
        await _open(client, token)
    async with web_client(engine) as client:
        response, html = await _open(client, token)
        assert response.status == 410 and "déjà servi" in html
        response, html = await _open(client, await _link(engine, ids["teacher"], minutes=-1))
        assert response.status == 410 and "expiré" in html
        assert (await client.get("/tableau")).status == 401


async def test_territory_view_has_aggregates_only_and_moderates(engine):
    ids = await _world(engine)
    async with web_client(engine) as client:
        response, html = await _open(client, await _link(engine, ids["admin"]))
        assert response.status == 200 and "Le territoire en chiffres" in html
        for name in ("Léa", "Tom", "Zoé"):
            assert name not in html
        assert "Collège Jean-Moulin" in html and "<svg" in html and "Boulangerie test" in html
        assert re.search(r"<td>\d\d/\d\d</td><td>1</td><td>1</td><td>0</td>", html)  # this week: 1 waits, 1 placed
        csrf = re.search(r'name="csrf" value="([^"]+)"', html).group(1)
        forged = await client.post(f"/tableau/moderation/{ids['pending']}", data={"decision": "approve"})
        assert forged.status == 403
        done = await client.post(f"/tableau/moderation/{ids['pending']}", data={"decision": "approve", "csrf": csrf})
        assert "validée" in await done.text()
    async with session_scope(engine) as s:
        assert (await s.get(Offer, ids["pending"])).status is OfferStatus.PUBLISHED
