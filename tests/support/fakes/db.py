"""A migrated SQLite database for front-end tests (the domain's tests cover PostgreSQL too)."""
from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.storage import ensure_tables
from tremplin.db import make_engine
from tremplin.migrate import upgrade


async def migrated_sqlite(tmp_path: Path, name: str = "bot.db") -> AsyncEngine:
    url = f"sqlite+aiosqlite:///{tmp_path / name}"
    await asyncio.to_thread(upgrade, url)
    engine = make_engine(url)
    await ensure_tables(engine)
    return engine
