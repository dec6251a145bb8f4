"""The web chat: a page (works without JavaScript: forms), a WebSocket for live replies, and a JSON
POST fallback when WebSockets are blocked. A browser session (random id in a signed cookie) is a
channel identity of channel "web" behind the shared Relay, exactly like a Telegram chat.

Button payloads never come from the browser: each button is sent as a random token bound to the
session (bot.storage.TokenStore) and turned back into its payload on the server."""
from __future__ import annotations

import asyncio
import base64
import json
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp_jinja2
from aiohttp import WSMsgType, web

from bot import texts
from bot.inputs import MAX_TEXT, Answer, from_text
from bot.replies import Reply
from bot.storage import TokenStore
from bot.web.inbox import take_notifications
from bot.web.ratelimit import RateLimiter
from bot.web.security import check_csrf, session_id

log = logging.getLogger(__name__)
GREETING = "/start"
UNAVAILABLE = "La discussion est momentanément indisponible. Réessaie dans quelques minutes."
TOO_FAST = "Doucement 🙂 : attends quelques secondes avant d'envoyer un autre message."
BUTTON_USED = "Ce bouton a déjà servi. Écris ta réponse ou choisis dans le dernier message."


def _transcript(request: web.Request, sid: str) -> deque[dict[str, Any]]:
    """The last messages, in memory only (shown again when the page reloads without JavaScript);
    the oldest sessions are dropped first, and none is written to disk."""
    transcripts: dict[str, deque[dict[str, Any]]] = request.app["transcripts"]
    if sid not in transcripts and len(transcripts) > 5000:
        transcripts.pop(next(iter(transcripts)))
    return transcripts.setdefault(sid, deque(maxlen=60))


async def _render(request: web.Request, sender: str, replies: list[Reply]) -> list[dict[str, Any]]:
    """Replies as the browser sees them: text, link buttons as links, other buttons as tokens."""
    store: TokenStore = request.app["token_store"]
    items = []
    for reply in replies:
        plain = [b for b in reply.buttons if not b.is_link]
        tokens = iter(await store.issue(sender, plain))
        buttons = [{"title": b.title, "url": b.payload} if b.is_link else {"title": b.title, "token": next(tokens)}
                   for b in reply.buttons]
        item: dict[str, Any] = {"who": "bot", "text": reply.text, "buttons": buttons}
        if reply.document is not None:
            item["document"] = {"name": reply.document.filename,
                                "data": base64.b64encode(reply.document.content).decode()}
        items.append(item)
    return items


async def converse(request: web.Request, sid: str, text: str | None = None, token: str | None = None,
                   on_wait: Callable[[], Awaitable[None]] | None = None) -> list[dict[str, Any]]:
    """One turn: the user's message (typed or a button) and the bot's replies, kept in the transcript."""
    relay = request.app["relay"]
    if relay is None:
        return [{"who": "bot", "text": UNAVAILABLE, "buttons": []}]
    if request.app["chat_limiter"].check(sid):
        return [{"who": "bot", "text": TOO_FAST, "buttons": []}]
    sender = await relay.register(sid, sid)
    log_items = _transcript(request, sid)
    news = await take_notifications(request.app["engine"], relay.channel, sid)  # shown before the turn

    def kept(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        log_items.extend(news + items)
        return news + items

    if token is not None:
        redeemed = await request.app["token_store"].redeem(token[:40], sender)
        if redeemed.status != "ok":
            return kept([{"who": "bot", "text": BUTTON_USED, "buttons": []}])
        message, shown = redeemed.payload, redeemed.title
    else:
        # Typed text goes through the gateway's own filter: commands become fixed intents, and a
        # hand-typed « /intent{…} » payload never reaches Rasa (bot/inputs.py, as on Telegram).
        shown = (text or "").strip()
        result = from_text(shown, MAX_TEXT)
        if result is None:
            return kept([])
        if isinstance(result, Answer):
            return kept([{"who": "user", "text": shown[:MAX_TEXT], "buttons": []},
                         {"who": "bot", "text": result.text, "buttons": []}])
        message = result.message
    out: list[dict[str, Any]] = []
    if shown != GREETING:
        out.append({"who": "user", "text": shown, "buttons": []})
    out += await _render(request, sender, await relay.ask(sender, message, on_wait=on_wait))
    if sender not in getattr(relay, "_known", {sender}):
        # « supprimer mes données »: the relay forgot the account; the page forgets the transcript.
        request.app["transcripts"].pop(sid, None)
        return out
    return kept(out)


@aiohttp_jinja2.template("chat.html")
async def page(request: web.Request) -> dict[str, Any]:
    sid = session_id(request, create=True)
    relay = request.app["relay"]
    if sid and relay is not None and sid in request.app["transcripts"]:
        _transcript(request, sid).extend(await take_notifications(request.app["engine"], relay.channel, sid))
    return {"items": list(_transcript(request, sid)) if sid else [], "widget": request.path == "/widget",
            "greet": not request.app["transcripts"].get(sid)}


async def send_form(request: web.Request) -> web.StreamResponse:
    """No JavaScript: a classic form post, then back to the page (post/redirect/get)."""
    form = await request.post()
    check_csrf(request, str(form.get("csrf") or ""))
    sid = session_id(request)
    if sid is None:
        raise web.HTTPFound("/")
    await converse(request, sid, text=str(form.get("text") or "") or None,
                   token=str(form["button"]) if form.get("button") else None)
    raise web.HTTPFound(("/widget" if form.get("widget") else "/") + "#message")


async def post_json(request: web.Request) -> web.Response:
    """The fallback of the WebSocket: the same messages over a same-origin POST with the CSRF header."""
    check_csrf(request, request.headers.get("X-CSRF-Token"))
    sid = session_id(request)
    if sid is None:
        raise web.HTTPForbidden(text="Session absente : rechargez la page.")
    try:
        data = await request.json()
    except (ValueError, UnicodeDecodeError):
        raise web.HTTPBadRequest(text="JSON invalide") from None
    items = await converse(request, sid, text=data.get("text"), token=data.get("button"))
    return web.json_response({"items": items})


async def to_telegram(request: web.Request) -> web.StreamResponse:
    """« Continuer sur Telegram »: a code for « /start web-CODE » in Telegram, same account."""
    from tremplin.db import session_scope
    from tremplin.services.accounts import find_account
    from tremplin.services.links import HANDOFF_MINUTES, issue_handoff

    form = await request.post()
    check_csrf(request, str(form.get("csrf") or ""))
    sid = session_id(request)
    back = "/widget" if form.get("widget") else "/"
    relay = request.app["relay"]
    if sid is None or relay is None:
        raise web.HTTPFound(back)
    await relay.register(sid, sid)
    async with session_scope(request.app["engine"], write=True) as session:
        account = await find_account(session, relay.channel, sid)
        code = await issue_handoff(session, account) if account is not None else None
    if code:
        _transcript(request, sid).append({"who": "bot", "buttons": [], "text": (
            f"Pour continuer sur Telegram avec le même compte, écris au bot Tremplin : /start web-{code} "
            f"(code valable {HANDOFF_MINUTES} minutes, une seule fois). Ta classe et tes candidatures te suivent.")})
    raise web.HTTPFound(back + "#message")


def _same_origin(request: web.Request) -> bool:
    origin = request.headers.get("Origin")
    return origin is None or origin.split("://", 1)[-1] == request.host


async def websocket(request: web.Request) -> web.StreamResponse:
    """Live replies; the cookie and the origin are checked (no cross-site WebSocket hijacking)."""
    sid = session_id(request)
    if sid is None or not _same_origin(request):
        raise web.HTTPForbidden(text="Session ou origine refusée.")
    ws = web.WebSocketResponse(heartbeat=30, max_msg_size=16 * 1024)
    await ws.prepare(request)
    lock = asyncio.Lock()
    async for msg in ws:
        if msg.type != WSMsgType.TEXT:
            continue
        try:
            data = json.loads(msg.data)
        except ValueError:
            continue
        if not isinstance(data, dict):
            continue
        async with lock:  # one turn at a time per browser tab, in order
            await ws.send_json({"type": "typing"})
            async def busy() -> None:  # Rasa is slow or down: say so at once, the turn is retried
                await ws.send_json({"type": "items", "items": [{"who": "bot", "text": texts.BUSY, "buttons": []}]})

            items = await converse(request, sid, text=data.get("text"), token=data.get("button"), on_wait=busy)
            await ws.send_json({"type": "items", "items": items})
    return ws


async def widget_script(request: web.Request) -> web.Response:
    script = aiohttp_jinja2.render_string("widget.js", request, {"origin": request.app["public_url"]})
    return web.Response(text=script, content_type="text/javascript",
                        headers={"Cache-Control": "public, max-age=3600"})


def setup_chat(app: web.Application) -> None:
    app["transcripts"] = {}
    app["token_store"] = TokenStore(app["engine"])
    app["chat_limiter"] = RateLimiter(40, burst=10)
    app.router.add_get("/", page)
    app.router.add_get("/widget", page)
    app.router.add_post("/chat/send", send_form)
    app.router.add_post("/chat/messages", post_json)
    app.router.add_post("/chat/telegram", to_telegram)
    app.router.add_get("/chat/ws", websocket)
    app.router.add_get("/widget.js", widget_script)
