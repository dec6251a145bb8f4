"""The `tremplin` sub-commands, one module per theme; `tremplin.cli` only dispatches.

A command module exposes ``register(subparsers)``, which adds its sub-parsers and sets
``handler=`` (a function ``(argparse.Namespace) -> int``) through ``set_defaults``. Handlers raise
:class:`CommandError` (or a domain error) for anything the user should read: the dispatcher
prints it as one French line and turns it into an exit code, never a traceback."""
from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncEngine

from tremplin.settings import get_settings

T = TypeVar("T")

EXIT_OK = 0
EXIT_FAILURE = 1  # the command ran but refused or failed (bad rows, database down…)
EXIT_USAGE = 2    # wrong arguments, unreadable input file


class CommandError(Exception):
    """A message for the user (in French) and the exit code that goes with it."""

    def __init__(self, message: str, code: int = EXIT_FAILURE) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def database_url() -> str:
    return get_settings().database_url


def run_with_engine(work: Callable[[AsyncEngine], Awaitable[T]]) -> T:
    """Run `work(engine)` in a fresh event loop, on a private engine disposed afterwards.

    A private engine (rather than the shared one of `tremplin.db.get_engine`) because its pool
    must not outlive the event loop that `asyncio.run` closes."""
    from tremplin.db import make_engine

    async def runner() -> T:
        engine = make_engine(database_url())
        try:
            return await work(engine)
        finally:
            await engine.dispose()

    return asyncio.run(runner())
