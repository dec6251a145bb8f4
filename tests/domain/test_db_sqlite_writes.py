"""SQLite write transactions take the lock up front: concurrent read-then-write units of work from
two engines (two processes' pools: gateway and action server) never fail with « database is
locked », where deferred transactions do."""
from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from tremplin.db import make_engine, session_scope

WORKERS = 24


async def _counter(tmp_path: Path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'c.db'}"
    first, second = make_engine(url), make_engine(url)
    async with session_scope(first, write=True) as s:
        await s.execute(text("create table counter (n integer)"))
        await s.execute(text("insert into counter values (0)"))
    return first, second


async def _read_then_write(engine, write: bool) -> None:
    async with session_scope(engine, write=write) as s:
        n = await s.scalar(text("select n from counter"))
        await asyncio.sleep(0.01)  # the turn does some work between its read and its write
        await s.execute(text("update counter set n = :n"), {"n": n + 1})


async def _run(tmp_path: Path, write: bool) -> tuple[int, list[BaseException]]:
    first, second = await _counter(tmp_path)
    try:
        results = await asyncio.gather(*(_read_then_write(first if i % 2 else second, write)
                                         for i in range(WORKERS)), return_exceptions=True)
        async with session_scope(first) as s:
            total = await s.scalar(text("select n from counter"))
    finally:
        await first.dispose()
        await second.dispose()
    return total, [r for r in results if isinstance(r, BaseException)]


async def test_write_transactions_take_the_lock_at_begin(tmp_path: Path) -> None:
    total, errors = await _run(tmp_path, write=True)
    assert errors == [] and total == WORKERS  # no failure, no lost update


async def test_deferred_read_then_write_is_what_failed(tmp_path: Path) -> None:
    """The behaviour the classroom hit: kept to show why `write=True` exists."""
    total, errors = await _run(tmp_path, write=False)
    assert errors and all(isinstance(e, OperationalError) and "locked" in str(e) for e in errors)


async def test_begin_immediate_is_sent_only_for_writes(tmp_path: Path) -> None:
    from sqlalchemy import event
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'b.db'}")
    seen: list[str] = []
    event.listen(engine.sync_engine, "before_cursor_execute",
                 lambda conn, cur, stmt, *a: seen.append(stmt) if stmt.startswith("BEGIN") else None)
    try:
        async with session_scope(engine) as s:
            await s.execute(text("select 1"))
        async with session_scope(engine, write=True) as s:
            await s.execute(text("select 1"))
            async with s.begin_nested():  # savepoints still work
                await s.execute(text("select 2"))
    finally:
        await engine.dispose()
    assert seen == ["BEGIN", "BEGIN IMMEDIATE"]


@pytest.mark.parametrize("pragma, expected", [("busy_timeout", 15000), ("journal_mode", "wal")])
async def test_pragmas(tmp_path: Path, pragma: str, expected: object) -> None:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'p.db'}")
    try:
        async with engine.connect() as conn:
            assert await conn.scalar(text(f"PRAGMA {pragma}")) == expected
    finally:
        await engine.dispose()


def test_only_sqlite_lock_errors_make_a_turn_run_again():
    """actions/base.py runs a whole turn again only for SQLite's « database is locked »."""
    import sqlite3

    from sqlalchemy.exc import IntegrityError, OperationalError

    from tremplin.db import database_busy

    assert database_busy(OperationalError("UPDATE", {}, sqlite3.OperationalError("database is locked")))
    assert not database_busy(OperationalError("SELECT", {}, sqlite3.OperationalError("no such table: offers")))
    assert not database_busy(IntegrityError("INSERT", {}, sqlite3.IntegrityError("database is locked")))
    assert not database_busy(ValueError("database is locked"))
