"""Engine and session factories: one async engine per database URL, sessions scoped per unit of work."""
from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from tremplin.settings import get_settings

_engines: dict[str, AsyncEngine] = {}


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # pragma: no cover - driver hook
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    # Deleted rows (an account, an application's motivation) are overwritten with zeros in the
    # file instead of lingering in free space until reused.
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def make_engine(url: str | None = None) -> AsyncEngine:
    """`hide_parameters`: an error logged with its SQL statement never quotes what a user typed."""
    url = url or get_settings().database_url
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, hide_parameters=True)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    return create_async_engine(url, pool_size=10, max_overflow=40, pool_pre_ping=True, hide_parameters=True)


def get_engine(url: str | None = None) -> AsyncEngine:
    """Share one engine per URL inside a process (each has its own pool)."""
    url = url or get_settings().database_url
    if url not in _engines:
        _engines[url] = make_engine(url)
    return _engines[url]


def session_factory(engine: AsyncEngine | None = None) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine or get_engine(), expire_on_commit=False)


@asynccontextmanager
async def session_scope(engine: AsyncEngine | None = None) -> AsyncIterator[AsyncSession]:
    """One transaction: committed when the block ends, rolled back if it raises."""
    async with session_factory(engine)() as session:
        async with session.begin():
            yield session


async def dispose_engines() -> None:
    """Close every pool, the tracker store's too (aiosqlite's threads would keep the process alive)."""
    from tremplin.privacy.conversations import dispose_tracker_engines
    for engine in list(_engines.values()):
        await engine.dispose()
    _engines.clear()
    await dispose_tracker_engines()
