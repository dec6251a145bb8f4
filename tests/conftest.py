"""Fixtures: a migrated database per test on SQLite (always) and on PostgreSQL (when reachable).

In CI (CI=true) an unreachable PostgreSQL fails the run instead of skipping, so the tests that
need real concurrency and locking can never silently vanish."""
from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from tremplin.db import make_engine
from tremplin.migrate import upgrade
from tremplin.settings import get_settings

PG_ADMIN_URL = os.environ.get("TREMPLIN_TEST_PG_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres")


def _pg_available() -> str | None:
    async def probe() -> None:
        engine = create_async_engine(PG_ADMIN_URL)
        try:
            async with engine.connect() as conn:
                await conn.execute(text("select 1"))
        finally:
            await engine.dispose()
    import concurrent.futures
    try:
        # Probed in a thread: the caller may already be inside pytest-asyncio's event loop.
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            pool.submit(asyncio.run, probe()).result(timeout=10)
        return None
    except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
        return f"{type(exc).__name__}: {exc}"


_PG_PROBLEM: str | None | bool = False


def pg_problem() -> str | None:
    global _PG_PROBLEM
    if _PG_PROBLEM is False:
        _PG_PROBLEM = _pg_available()
    return _PG_PROBLEM  # type: ignore[return-value]


def require_postgres() -> None:
    problem = pg_problem()
    if problem is None:
        return
    if os.environ.get("CI"):
        pytest.fail(f"PostgreSQL must be reachable in CI at {PG_ADMIN_URL}: {problem}")
    pytest.skip(f"PostgreSQL not reachable ({problem}); these tests run in CI")


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
