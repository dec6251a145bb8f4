"""The partners' REST API under /api/v1: bearer token, JSON in and out, French error messages,
rate-limited per partner. Validation and writes are the services' (tremplin.services.partners)."""
from __future__ import annotations

import json
import logging
from typing import Any

from aiohttp import web

from bot.web.openapi import openapi_document
from bot.web.ratelimit import RateLimiter
from tremplin.db import session_scope
from tremplin.services.errors import DomainError, Forbidden, NotFound
from tremplin.services.partners import (MAX_BATCH, BatchReport, authenticate, check_offer, close_offer,
                                        get_partner_offer, list_partner_offers, offer_json, upsert_checked)

log = logging.getLogger(__name__)
MAX_BODY = 4 * 1024 * 1024
routes = web.RouteTableDef()


def _error(status: int, code: str, message: str, **extra: Any) -> web.Response:
    return web.json_response({"error": {"code": code, "message": message, **extra}}, status=status,
                             dumps=lambda o: json.dumps(o, ensure_ascii=False))


def _ok(data: Any, status: int = 200) -> web.Response:
    return web.json_response(data, status=status, dumps=lambda o: json.dumps(o, ensure_ascii=False))


async def _body(request: web.Request) -> Any:
    if request.content_length is not None and request.content_length > MAX_BODY:
        raise web.HTTPRequestEntityTooLarge(max_size=MAX_BODY, actual_size=request.content_length)
    try:
        return json.loads(await request.text())
    except (ValueError, UnicodeDecodeError):
        raise DomainError("json_invalid", "Le corps de la requête n'est pas du JSON valide.") from None


def _bearer(request: web.Request) -> str | None:
    header = request.headers.get("Authorization", "")
    return header[7:].strip() if header.lower().startswith("bearer ") else None


@web.middleware
async def api_guard(request: web.Request, handler) -> web.StreamResponse:
    """Authenticate, rate-limit, and turn domain errors into JSON, for /api/v1 only."""
    if not request.path.startswith("/api/v1/"):
        return await handler(request)
    try:
        async with session_scope(request.app["engine"], write=True) as session:  # last_used_at
            partner = await authenticate(session, _bearer(request))
            request["partner_id"] = partner.id
        wait = request.app["api_limiter"].check(f"partner:{partner.id}")
        if wait:
            response = _error(429, "rate_limited", "Trop de requêtes : réessayez dans quelques secondes.")
            response.headers["Retry-After"] = str(max(1, int(wait + 0.999)))
            return response
        return await handler(request)
    except Forbidden as exc:
        return _error(401, exc.code, exc.message)
    except NotFound as exc:
        return _error(404, exc.code, exc.message)
    except DomainError as exc:
        return _error(422, exc.code, exc.message)


async def _partner(session, request: web.Request):
    from tremplin.models import PartnerToken
    return await session.get(PartnerToken, request["partner_id"])


@routes.get("/api/openapi.json")
async def openapi(request: web.Request) -> web.Response:
    return _ok(openapi_document(request.app["public_url"]))


@routes.get("/api/v1/offers")
async def list_offers(request: web.Request) -> web.Response:
    try:
        limit = min(500, max(1, int(request.query.get("limit", "100"))))
        after = max(0, int(request.query.get("after", "0")))
    except ValueError:
        return _error(400, "query_invalid", "limit et after sont des nombres entiers.")
    async with session_scope(request.app["engine"]) as session:
        rows = await list_partner_offers(session, await _partner(session, request), limit, after)
        items = [offer_json(link, offer) for link, offer in rows]
        cursor = rows[-1][0].id if len(rows) == limit else None
    return _ok({"offers": items, "next_after": cursor})


@routes.get("/api/v1/offers/{reference}")
async def get_offer(request: web.Request) -> web.Response:
    async with session_scope(request.app["engine"]) as session:
        link, offer = await get_partner_offer(session, await _partner(session, request),
                                              request.match_info["reference"])
        return _ok(offer_json(link, offer))


@routes.put("/api/v1/offers/{reference}")
async def put_offer(request: web.Request) -> web.Response:
    body = await _body(request)
    checked, errors = check_offer(body, request.match_info["reference"])
    if checked is None:
        return _error(422, "offer_invalid", "L'offre est refusée.", details=errors)
    async with session_scope(request.app["engine"], write=True) as session:
        partner = await _partner(session, request)
        [result] = await upsert_checked(session, partner, [checked])
        await session.refresh(result.offer, ["periods"])
        link, offer = await get_partner_offer(session, partner, checked.reference)
        data = {"result": result.status, **offer_json(link, offer)}
    return _ok(data, 201 if result.status == "created" else 200)


@routes.post("/api/v1/offers/batch")
async def put_batch(request: web.Request) -> web.Response:
    """Up to 1 000 offers, all or nothing: one refused offer and none is written."""
    body = await _body(request)
    items = body.get("offers") if isinstance(body, dict) else None
    if not isinstance(items, list) or not items:
        return _error(422, "batch_invalid", "Envoyez {\"offers\": [ … ]} avec au moins une offre.")
    if len(items) > MAX_BATCH:
        return _error(413, "batch_too_large", f"{MAX_BATCH} offres au plus par envoi.")
    report = BatchReport()
    checked = []
    seen: set[str] = set()
    for index, item in enumerate(items):
        one, errors = check_offer(item)
        ref = str(item.get("reference") if isinstance(item, dict) else "") or f"#{index + 1}"
        if one is not None and one.reference in seen:
            errors = ["référence en double dans cet envoi"]
        if errors:
            report.errors[ref] = errors
        elif one is not None:
            seen.add(one.reference)
            checked.append(one)
    if report.errors:
        return _error(422, "batch_invalid", f"{len(report.errors)} offre(s) refusée(s) : rien n'est écrit.",
                      details=report.errors)
    async with session_scope(request.app["engine"], write=True) as session:
        results = await upsert_checked(session, await _partner(session, request), checked)
    counts = {status: sum(r.status == status for r in results) for status in ("created", "updated", "unchanged")}
    return _ok({"counts": counts, "results": [{"reference": r.reference, "result": r.status, "id": r.offer.id}
                                              for r in results]})


@routes.post("/api/v1/offers/{reference}/close")
async def close(request: web.Request) -> web.Response:
    async with session_scope(request.app["engine"], write=True) as session:
        partner = await _partner(session, request)
        await close_offer(session, partner, request.match_info["reference"])
        link, offer = await get_partner_offer(session, partner, request.match_info["reference"])
        return _ok(offer_json(link, offer))


def setup_api(app: web.Application, per_minute: int) -> None:
    app["api_limiter"] = RateLimiter(per_minute, burst=max(5, per_minute // 4))
    app.add_routes(routes)
