"""Apply the Alembic migrations to the configured database (used by the CLI and the tests)."""
from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config

_INI = Path(__file__).with_name("alembic.ini")


def alembic_config(database_url: str | None = None) -> Config:
    config = Config(str(_INI))
    if database_url:
        config.attributes["database_url"] = database_url
    return config


def upgrade(database_url: str | None = None, revision: str = "head") -> None:
    """Synchronous entry point; must not be called from inside a running event loop."""
    command.upgrade(alembic_config(database_url), revision)


async def upgrade_async(database_url: str | None = None) -> None:
    await asyncio.to_thread(upgrade, database_url)
