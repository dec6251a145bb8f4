"""Dashboard pages: opened by a single-use link from the chat (GET shows, POST spends it), then a
signed, short-lived cookie. Teachers see their classes; territory staff see aggregates and the
offers waiting for moderation (approve / reject, CSRF-protected forms)."""
from __future__ import annotations

import time
from typing import Any

import aiohttp_jinja2
from aiohttp import web

from bot.web import charts
from bot.web.security import check_csrf, is_https, sign, unsign
from tremplin.db import session_scope
from tremplin.models import Account
from tremplin.services.classes import ACCEPTED, NOTHING, PENDING, SIGNED, export_class_csv
from tremplin.services.dashboard import GROUPS, teacher_view, territory_view
from tremplin.services.errors import DomainError, Forbidden
from tremplin.services.links import TEACHER, check_link, redeem_link
from tremplin.services.moderation import approve_offer, reject_offer, require_admin

COOKIE = "tremplin_tableau"
SESSION_SECONDS = 2 * 3600
STATES = [(SIGNED, "Convention signée"), (ACCEPTED, "Stage trouvé (accepté)"),
          (PENDING, "Ont postulé, attendent une réponse"), (NOTHING, "N'ont encore rien")]


def _who(request: web.Request) -> tuple[int, str] | None:
    raw = unsign(request.app["secret"], request.cookies.get(COOKIE), "dashboard")
    try:
        account_id, scope, until = (raw or "").split(":")
        if float(until) > time.time():
            return int(account_id), scope
    except ValueError:
        pass
    return None


def _existing(account: Account | None) -> Account:
    """The cookie's account; one deleted since the link was opened is refused (it was a server error)."""
    if account is None:
        raise Forbidden("dashboard_account_gone", "Ce compte n'existe plus : le tableau de bord ne s'ouvre plus.")
    return account


def _refused(request: web.Request, message: str, status: int = 410) -> web.Response:
    response = aiohttp_jinja2.render_template("refused.html", request, {"message": message})
    response.set_status(status)
    return response


async def open_link(request: web.Request) -> web.Response:
    token = request.match_info["token"]
    async with session_scope(request.app["engine"]) as session:
        try:
            await check_link(session, token)
        except DomainError as exc:
            return _refused(request, exc.message)
    return aiohttp_jinja2.render_template("open.html", request, {"token": token})


async def spend_link(request: web.Request) -> web.Response:
    form = await request.post()
    check_csrf(request, str(form.get("csrf") or ""))
    async with session_scope(request.app["engine"], write=True) as session:
        try:
            opened = await redeem_link(session, request.match_info["token"])
        except DomainError as exc:
            return _refused(request, exc.message)
    response = web.HTTPSeeOther("/tableau")
    value = f"{opened.account_id}:{opened.scope}:{int(time.time()) + SESSION_SECONDS}"
    response.set_cookie(COOKIE, sign(request.app["secret"], value, "dashboard"), max_age=SESSION_SECONDS,
                        httponly=True, samesite="Strict", secure=is_https(request), path="/tableau")
    raise response


async def board(request: web.Request) -> web.Response:
    who = _who(request)
    if who is None:
        return _refused(request, "Ouvrez le tableau de bord depuis la conversation : demandez « ma classe » "
                        "(professeurs) ou « les chiffres » (équipe Tremplin).", 401)
    account_id, scope = who
    async with session_scope(request.app["engine"]) as session:
        account = await session.get(Account, account_id)
        try:
            if scope == TEACHER:
                views = await teacher_view(session, _existing(account))
                return aiohttp_jinja2.render_template("teacher.html", request, {"classes": views, "states": STATES})
            view = await territory_view(session, require_admin(account))
        except DomainError as exc:
            return _refused(request, exc.message, 403)
        context: dict[str, Any] = {"v": view, "charts": charts, "groups": GROUPS,
                                   "message": request.query.get("ok") or request.query.get("erreur")}
        return aiohttp_jinja2.render_template("territory.html", request, context)


async def class_csv(request: web.Request) -> web.Response:
    who = _who(request)
    if who is None or who[1] != TEACHER:
        raise web.HTTPUnauthorized(text="Ouvrez le tableau de bord depuis la conversation.")
    async with session_scope(request.app["engine"]) as session:
        try:
            text = await export_class_csv(session, _existing(await session.get(Account, who[0])),
                                          int(request.match_info["class_id"]))
        except DomainError as exc:
            raise web.HTTPForbidden(text=exc.message) from None
    return web.Response(body=text.encode("utf-8"), content_type="text/csv", charset="utf-8",
                        headers={"Content-Disposition": 'attachment; filename="classe.csv"'})


async def moderate(request: web.Request) -> web.Response:
    who = _who(request)
    if who is None or who[1] == TEACHER:
        raise web.HTTPUnauthorized(text="Ouvrez le tableau de bord depuis la conversation.")
    form = await request.post()
    check_csrf(request, str(form.get("csrf") or ""))
    offer_id = int(request.match_info["offer_id"])
    async with session_scope(request.app["engine"], write=True) as session:
        account = await session.get(Account, who[0])
        try:
            admin = require_admin(account)
            if form.get("decision") == "approve":
                offer = await approve_offer(session, admin, offer_id)
                note = f"ok=Offre « {offer.title} » validée."
            else:
                offer = await reject_offer(session, admin, offer_id, str(form.get("reason") or ""))
                note = f"ok=Offre « {offer.title} » refusée : l'employeur est prévenu."
        except DomainError as exc:
            note = f"erreur={exc.message}"
    from urllib.parse import quote
    key, _, text = note.partition("=")
    raise web.HTTPSeeOther(f"/tableau?{key}={quote(text)}")


def setup_dashboard(app: web.Application) -> None:
    app.router.add_get("/tableau/ouvrir/{token}", open_link)
    app.router.add_post("/tableau/ouvrir/{token}", spend_link)
    app.router.add_get("/tableau", board)
    app.router.add_get("/tableau/classe/{class_id:\\d+}.csv", class_csv)
    app.router.add_post("/tableau/moderation/{offer_id:\\d+}", moderate)
