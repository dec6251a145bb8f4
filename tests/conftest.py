"""Fixtures: a migrated database per test on SQLite (always) and on PostgreSQL (when reachable).

In CI (CI=true) an unreachable PostgreSQL fails the run instead of skipping, so the tests that
need real concurrency and locking can never silently vanish."""
from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from tremplin.db import make_engine
from tremplin.migrate import upgrade
from tests.support.postgres import PG_ADMIN_URL, require_postgres
from tremplin.settings import get_settings

@pytest.fixture(autouse=True)
def _isolated_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("TREMPLIN_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


async def _sqlite_url(tmp_path: Path) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"
    await asyncio.to_thread(upgrade, url)
    return url


async def _postgres_url() -> AsyncIterator[str]:
    require_postgres()
    name = f"tremplin_test_{uuid.uuid4().hex[:10]}"
    admin = create_async_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        await asyncio.to_thread(upgrade, url)
        yield url
    finally:
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def engine(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """A freshly migrated database, on both backends."""
    if request.param == "sqlite":
        url = await _sqlite_url(tmp_path)
        eng = make_engine(url)
        yield eng
        await eng.dispose()
        return
    gen = _postgres_url()
    url = await gen.__anext__()
    eng = make_engine(url)
    try:
        yield eng
    finally:
        await eng.dispose()
        await gen.aclose()


@pytest.fixture
async def pg_engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """PostgreSQL only: for what SQLite cannot show (row locks, real concurrency)."""
    gen = _postgres_url()
    url = await gen.__anext__()
    eng = make_engine(url)
    try:
        yield eng
    finally:
        await eng.dispose()
        await gen.aclose()
