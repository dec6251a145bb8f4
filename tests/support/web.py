"""Helpers for the web side's tests: an in-process aiohttp server over a migrated database."""
from __future__ import annotations

from contextlib import asynccontextmanager
from datetime import date, timedelta
from typing import Any, AsyncIterator

from aiohttp.test_utils import TestClient, TestServer

from bot.web.app import create_app
from tremplin.db import session_scope
from tremplin.services.partners import issue_token


def next_monday(weeks: int = 3) -> date:
    today = date.today()
    return today + timedelta(days=7 - today.weekday() + 7 * (weeks - 1))


def offer_body(n: int = 1, *, siret: str | None = None, weeks: int = 3, **overrides: Any) -> dict[str, Any]:
    from tests.support.factories import make_siret
    start = next_monday(weeks)
    body = {"reference": f"REF-{n:05d}", "siret": siret or make_siret(20_000 + n % 50),
            "employer_name": f"Atelier partenaire {n % 50}", "commune": "Feurs 42", "metier": "D1102",
            "title": f"Découvrir le fournil n° {n}", "description": "Pétrir, façonner, cuire.",
            "periods": [{"start": start.isoformat(), "end": (start + timedelta(days=4)).isoformat()}],
            "places": 2, "hours": "08:30-15:30", "environments": ["atelier"]}
    body.update(overrides)
    return body


async def new_token(engine, name: str = "Chambre de métiers de la Loire") -> str:
    async with session_scope(engine) as session:
        _, token = await issue_token(session, name)
    return token


@asynccontextmanager
async def web_client(engine, relay: Any = None, **options: Any) -> AsyncIterator[TestClient]:
    app = create_app(engine, relay, **options)
    client = TestClient(TestServer(app))
    await client.start_server()
    try:
        yield client
    finally:
        await client.close()
