"""Browser security for every page: signed session cookies (HttpOnly, SameSite=Strict, Secure when
served over https), CSRF tokens bound to the session, a strict Content-Security-Policy (no inline
script or style, nothing from another origin) and CORS closed except for the widget's endpoint."""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Awaitable, Callable

from aiohttp import web

SESSION_COOKIE = "tremplin_web"
# Inside a collège's page the widget is a third-party frame: its own cookie, SameSite=None and
# Partitioned (CHIPS: kept per embedding site), which browsers only accept over https.
WIDGET_COOKIE = "tremplin_widget"
SESSION_DAYS = 30
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; font-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
# The widget's page is meant to be framed by a collège's site: only that one may be.
WIDGET_CSP = CSP.replace("frame-ancestors 'none'", "frame-ancestors *")
WIDGET_PATHS = ("/widget.js", "/widget")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _key(secret: str, purpose: str) -> bytes:
    return hashlib.sha256(f"tremplin-web:{purpose}:{secret}".encode()).digest()


def sign(secret: str, value: str, purpose: str = "session") -> str:
    mac = hmac.new(_key(secret, purpose), value.encode(), hashlib.sha256).digest()[:18]
    return f"{value}.{base64.urlsafe_b64encode(mac).decode().rstrip('=')}"


def unsign(secret: str, signed: str | None, purpose: str = "session") -> str | None:
    if not signed or "." not in signed or len(signed) > 200:
        return None
    value, _ = signed.rsplit(".", 1)
    return value if hmac.compare_digest(sign(secret, value, purpose), signed) else None


def is_https(request: web.Request) -> bool:
    return request.secure or request.headers.get("X-Forwarded-Proto", "") == "https"


def in_widget(request: web.Request) -> bool:
    """The widget's page, and its WebSocket and POSTs (marked `?w=1` by chat.js)."""
    return request.path == "/widget" or request.query.get("w") == "1"


def session_id(request: web.Request, create: bool = False) -> str | None:
    """The browser's random session id (its channel identity), from the signed cookie."""
    cookie = WIDGET_COOKIE if in_widget(request) else SESSION_COOKIE
    existing = request.get("session_id") or unsign(request.app["secret"], request.cookies.get(cookie))
    if existing is None and create:
        existing = secrets.token_urlsafe(18)
        request["new_session"] = existing
    if existing:
        request["session_id"] = existing
    return existing


def csrf_token(request: web.Request) -> str:
    """Bound to the session: a form posted from another site has no way to know it."""
    sid = session_id(request, create=True) or ""
    return sign(request.app["secret"], hashlib.sha256(sid.encode()).hexdigest()[:16], "csrf")


def check_csrf(request: web.Request, token: str | None) -> None:
    if not token or not hmac.compare_digest(token, csrf_token(request)):
        raise web.HTTPForbidden(text="Jeton de formulaire invalide : rechargez la page.")


@web.middleware
async def security_headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        response = exc
    new = request.get("new_session")
    if new and in_widget(request) and is_https(request):
        # Written by hand: Python 3.11's http.cookies does not know the Partitioned attribute.
        response.headers.add("Set-Cookie", f"{WIDGET_COOKIE}={sign(request.app['secret'], new)}; "
                             f"Max-Age={SESSION_DAYS * 86400}; Path=/; HttpOnly; Secure; SameSite=None; Partitioned")
    elif new:
        response.set_cookie(WIDGET_COOKIE if in_widget(request) else SESSION_COOKIE,
                            sign(request.app["secret"], new), max_age=SESSION_DAYS * 86400,
                            httponly=True, samesite="Strict", secure=is_https(request), path="/")
    widget = request.path in WIDGET_PATHS
    response.headers.setdefault("Content-Security-Policy", WIDGET_CSP if widget else CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if not widget:
        response.headers.setdefault("X-Frame-Options", "DENY")
    if request.path == "/widget.js":  # the only cross-origin resource: the collège's page loads it
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    else:
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
    if is_https(request):
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    if isinstance(response, web.HTTPException):
        raise response
    return response
