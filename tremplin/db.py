"""Engine and session factories: one async engine per database URL, sessions scoped per unit of work.

SQLite holds a classroom: a write transaction takes the write lock up front (`BEGIN IMMEDIATE`,
through `for_writes` / `session_scope(write=True)`) and waits for it (`busy_timeout`). A deferred
transaction that reads, then writes after another process wrote, fails at once with « database is
locked » (WAL snapshot): no busy handler can save it. Taken up front, the lock is waited for at
BEGIN, where nothing is lost. Other transactions stay deferred: WAL readers never wait for a writer,
and a read nested in a writer's transaction cannot deadlock on it."""
from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.util import await_only

from tremplin.settings import get_settings

log = logging.getLogger(__name__)
T = TypeVar("T")
_engines: dict[str, AsyncEngine] = {}
_KEPT = "tremplin_kept_after_rollback"
IMMEDIATE = "tremplin_sqlite_immediate"  # execution option: this transaction will write
BUSY_TIMEOUT_MS = 15000  # a whole class joining at once queues for well under this


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:  # pragma: no cover - driver hook
    # The driver must not open transactions on its own: `_sqlite_begin` says how each one starts.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    # In WAL mode, NORMAL syncs at checkpoints instead of at every commit: a commit still survives a
    # crash or kill -9 of any process (only a power cut may lose the last ones). It shortens each
    # write, above all the marks written right after a message is sent (gateway inbox, notifier): the
    # instant in which a kill -9 makes that message go out twice.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    # Deleted rows (an account, an application's motivation) are overwritten with zeros in the
    # file instead of lingering in free space until reused.
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def _sqlite_begin(conn: Any) -> None:  # pragma: no cover - driver hook
    """SQLAlchemy's « serializable isolation / savepoints » recipe for pysqlite and aiosqlite."""
    immediate = conn.get_execution_options().get(IMMEDIATE, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def make_engine(url: str | None = None) -> AsyncEngine:
    """`hide_parameters`: an error logged with its SQL statement never quotes what a user typed."""
    url = url or get_settings().database_url
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, hide_parameters=True)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "begin", _sqlite_begin)
        return engine
    engine = create_async_engine(url, pool_size=10, max_overflow=40, pool_pre_ping=True, hide_parameters=True)
    event.listen(engine.sync_engine, "do_connect", _connect_waiting)
    return engine


# PostgreSQL restarting: refused connections, « the database system is starting up / shutting down ».
_RESTARTING = {"57P01", "57P02", "57P03"}
CONNECT_WAIT = 20.0  # seconds a new connection waits for a restarting server before failing


def _server_restarting(exc: BaseException) -> bool:
    return isinstance(exc, OSError) or getattr(exc, "sqlstate", None) in _RESTARTING


def _connect_waiting(dialect: Any, _record: Any, cargs: Any, cparams: Any) -> Any:  # pragma: no cover - driver hook
    """A new PostgreSQL connection waits (asynchronously) for a restarting server instead of failing
    at once: with `pool_pre_ping`, a request that comes during a restart is served after it."""
    deadline, delay = time.monotonic() + CONNECT_WAIT, 0.1
    while True:
        try:
            return dialect.connect(*cargs, **cparams)
        except Exception as exc:
            if not _server_restarting(exc) or time.monotonic() + delay > deadline:
                raise
            await_only(asyncio.sleep(delay))
            delay = min(delay * 2, 1.0)


Session = AsyncSession  # what the front ends annotate a unit of work with, without importing SQLAlchemy


def database_busy(exc: BaseException) -> bool:
    """SQLite's « database is locked »: a transaction that read, then found another process had
    written. Worth running the whole unit of work again (see actions/base.py)."""
    return isinstance(exc, OperationalError) and "database is locked" in str(exc.orig or exc)


def unavailable(exc: BaseException) -> bool:
    """The database is away for a moment (restart, lost connection, SQLite lock): worth a retry.
    Never an integrity or programming error, which would fail the same way again."""
    if isinstance(exc, (OSError, asyncio.TimeoutError)) or getattr(exc, "sqlstate", None) in _RESTARTING:
        return True
    if isinstance(exc, DBAPIError):
        return exc.connection_invalidated or isinstance(exc, (OperationalError, InterfaceError))
    return False


async def retry_unavailable(call: Callable[[], Awaitable[T]], what: str, budget: float = 60.0) -> T:
    """`call()` again while the database is unreachable, for `budget` seconds at most. Only for
    units of work that are safe to run again (one transaction, nothing sent outside)."""
    delay, deadline = 0.2, time.monotonic() + budget
    while True:
        try:
            return await call()
        except Exception as exc:
            if not unavailable(exc) or time.monotonic() + delay > deadline:
                raise
            log.warning("database unavailable (%s: %s), again in %.1f s", what, type(exc).__name__, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 3.0)


def get_engine(url: str | None = None) -> AsyncEngine:
    """Share one engine per URL inside a process (each has its own pool)."""
    url = url or get_settings().database_url
    if url not in _engines:
        _engines[url] = make_engine(url)
    return _engines[url]


def for_writes(engine: AsyncEngine) -> AsyncEngine:
    """The same engine and pool, whose transactions take SQLite's write lock at BEGIN (no-op
    elsewhere): for a unit of work that reads, then writes, while other processes write too."""
    if engine.dialect.name != "sqlite":
        return engine
    # Kept on the engine itself: a table keyed by id() would hand it to a later engine reusing it.
    writer: AsyncEngine | None = getattr(engine.sync_engine, "_tremplin_for_writes", None)
    if writer is None:
        writer = engine.execution_options(**{IMMEDIATE: True})
        setattr(engine.sync_engine, "_tremplin_for_writes", writer)  # our own attribute on the Engine
    return writer


def session_factory(engine: AsyncEngine | None = None) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine or get_engine(), expire_on_commit=False)


@asynccontextmanager
async def session_scope(engine: AsyncEngine | None = None,
                        write: bool = False) -> AsyncIterator[AsyncSession]:
    """One transaction: committed when the block ends, rolled back if it raises. `write`: it will
    write under concurrency, so on SQLite it queues behind this process's other writers
    (`local_writer`) and takes the database's write lock at BEGIN (`for_writes`); never nest
    another writing transaction inside it."""
    engine = engine or get_engine()
    if write:
        async with local_writer(engine):
            async with _scope(engine, True) as session:
                yield session
    else:
        async with _scope(engine, False) as session:
            yield session


def local_writer(engine: AsyncEngine) -> contextlib.AbstractAsyncContextManager[object]:
    """This process's writers queue here (SQLite only), first come first served: SQLite's busy
    handler sleeps in steps of up to 100 ms, and a whole class writing at once would wait in it.
    Per engine (kept on it) and per event loop (a lock is bound to the loop that first waited on it;
    tests and scripts run several loops in turn). Not re-entrant."""
    if engine.dialect.name != "sqlite":
        return contextlib.nullcontext()
    loop = asyncio.get_running_loop()
    held = getattr(engine.sync_engine, "_tremplin_local_writer", None)
    if held is None or held[0] is not loop:
        held = (loop, asyncio.Lock())
        setattr(engine.sync_engine, "_tremplin_local_writer", held)
    return held[1]


@asynccontextmanager
async def _scope(engine: AsyncEngine, write: bool) -> AsyncIterator[AsyncSession]:
    kept: list[object] = []
    try:
        async with session_factory(for_writes(engine) if write else engine)() as session:
            session.info[_KEPT] = kept
            async with session.begin():
                yield session
                session.add_all(kept)
    except OperationalError:
        raise  # the database itself failed (busy, gone): the caller retries the whole unit
    except BaseException:
        if kept:  # the unit of work failed: what must stay is written on its own, after the rollback
            async with session_factory(for_writes(engine))() as side, side.begin():
                side.add_all(kept)
        raise


def keep_after_rollback(session: AsyncSession, obj: object) -> bool:
    """Save `obj` whether or not the session's transaction commits (a refused code attempt must be
    counted although the refused operation is rolled back). Done after that transaction ends: a
    second transaction writing beside it would wait forever for SQLite's one write lock, taken at
    BEGIN by `session_scope(write=True)`. False if the session is not a `session_scope`'s."""
    kept = session.info.get(_KEPT)
    if kept is None:
        return False
    kept.append(obj)
    return True


async def dispose_engines() -> None:
    """Close every pool, the tracker store's too (aiosqlite's threads would keep the process alive)."""
    from tremplin.privacy.conversations import dispose_tracker_engines
    for engine in list(_engines.values()):
        await engine.dispose()
    _engines.clear()
    await dispose_tracker_engines()
