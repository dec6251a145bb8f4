"""What an erasure must leave nothing in: every table as text, and the SQLite files byte for byte."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import inspect
from sqlalchemy import text as sql
from sqlalchemy.ext.asyncio import AsyncEngine


async def everything_readable(engine: AsyncEngine, but: tuple[str, ...] = ()) -> str:
    """Every row of every table, as text (what anyone with SQL access could read back)."""
    async with engine.connect() as conn:
        names = [n for n in await conn.run_sync(lambda c: inspect(c).get_table_names()) if n not in but]
        dump = []
        for name in names:
            dump += [str(tuple(row)) for row in await conn.execute(sql(f'SELECT * FROM "{name}"'))]
    return "\n".join(dump)


def raw_bytes(engine: AsyncEngine) -> bytes:
    """The SQLite database file and its -wal / -journal companions, byte for byte."""
    path = Path(engine.url.database)
    return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
