"""The aiohttp application factory: one app for the web chat, the dashboard and the partners' API.
Static files and templates ship in this package; nothing is fetched from the network at run time."""
from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import aiohttp_jinja2
import jinja2
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.web.api import api_guard, setup_api
from bot.web.security import csrf_token, security_headers
from tremplin.settings import get_settings

HERE = Path(__file__).parent
# Plain string keys keep the handlers short; aiohttp only recommends AppKey for type checking.
warnings.filterwarnings("ignore", category=web.NotAppKeyWarning)
STATIC = HERE / "static"


def _version(name: str) -> str:
    """Cache-busting suffix from the file's modification time."""
    try:
        return str(int((STATIC / name).stat().st_mtime))
    except OSError:
        return "0"


def create_app(engine: AsyncEngine, relay: Any = None, *, public_url: str | None = None,
               api_rate_per_minute: int | None = None, link_minutes: int | None = None) -> web.Application:
    """`relay` is the shared conversation relay (channel "web"); without it the chat answers 503."""
    settings = get_settings()
    app = web.Application(middlewares=[security_headers, api_guard], client_max_size=4 * 1024 * 1024)
    app["engine"] = engine
    app["relay"] = relay
    app["secret"] = settings.secret_key
    app["public_url"] = (public_url or settings.web_public_url).rstrip("/")
    app["link_minutes"] = link_minutes or settings.dashboard_link_minutes
    env = aiohttp_jinja2.setup(app, context_processors=[aiohttp_jinja2.request_processor], loader=jinja2.FileSystemLoader(str(HERE / "templates")),
                               autoescape=jinja2.select_autoescape(["html"]))
    env.globals["csrf_token"] = csrf_token
    env.globals["static"] = lambda name: f"/static/{name}?v={_version(name)}"
    setup_api(app, api_rate_per_minute or settings.api_rate_per_minute)
    from bot.web.chat import setup_chat
    from bot.web.dashboard import setup_dashboard
    setup_chat(app)
    setup_dashboard(app)
    app.router.add_static("/static/", STATIC)
    return app
