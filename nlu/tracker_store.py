"""Rasa's SQL tracker store, made to outlive a restart of its database (loaded by the Rasa server,
.venv-rasa; named in the endpoints that bot/stack.py writes).

Rasa 3.6's ``SQLTrackerStore`` builds its engine without ``pool_pre_ping``: after a PostgreSQL
restart every pooled connection fails once. Rasa then wraps the store in ``FailSafeTrackerStore``,
which answers a failed read with *no tracker* (the turn runs on an empty conversation: the form in
progress and its answers are forgotten) and keeps a failed save in memory only (the next turn,
read from the database, has lost it). Seen in the fault suite: an employer who accepted the charter
during a restart was told « réservée aux entreprises inscrites », then shown an empty summary.

Here connections are checked before use, and a read or a save that meets a database on its way
back is tried again for up to ``RETRY_FOR`` seconds; if it still fails the error goes up (see
``nlu.rasa_runtime``: the fail-safe wrapper lets it through), the REST call answers nothing, and the
gateway sends the message again later: a turn never runs on a forgotten conversation. A save is
safe to repeat: Rasa stores only the events the database does not have yet.

Imports Rasa and its SQLAlchemy 1.4 only.
"""
from __future__ import annotations

import asyncio
import logging
import time
from typing import Any, Awaitable, Callable, Optional, TypeVar

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.trackers import DialogueStateTracker

logger = logging.getLogger(__name__)
T = TypeVar("T")

RETRY_FOR = 60.0  # seconds: a PostgreSQL restart takes a few; a turn waits rather than forgets


def transient(exc: BaseException) -> bool:
    """A database that is away for a moment (restart, cut connection, SQLite lock), not a bug."""
    if isinstance(exc, (sa.exc.OperationalError, sa.exc.InterfaceError, sa.exc.DisconnectionError)):
        return True
    return isinstance(exc, sa.exc.DBAPIError) and bool(exc.connection_invalidated)


class DurableSQLTrackerStore(SQLTrackerStore):
    """``SQLTrackerStore`` with pre-pinged connections and bounded retries; never falls back."""

    tremplin_durable = True  # read by nlu.rasa_runtime: errors pass through FailSafeTrackerStore

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        url = self.engine.url
        self.engine.dispose()
        self.engine = sa.create_engine(url, pool_pre_ping=True, **create_engine_kwargs(url))
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)

    async def _again(self, what: str, call: Callable[[], Awaitable[T]]) -> T:
        deadline, delay = time.monotonic() + RETRY_FOR, 0.2
        while True:
            try:
                return await call()
            except Exception as exc:  # noqa: BLE001 - sorted by `transient`
                if not transient(exc) or time.monotonic() + delay > deadline:
                    raise
                logger.warning("tracker store unavailable (%s: %s), again in %.1f s",
                               what, type(exc).__name__, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 3.0)

    async def _retrieve(self, sender_id: str,
                        fetch_events_from_all_sessions: bool) -> Optional[DialogueStateTracker]:
        parent = super()._retrieve
        return await self._again("read", lambda: parent(sender_id, fetch_events_from_all_sessions))

    async def save(self, tracker: DialogueStateTracker) -> None:
        parent = super().save
        await self._again("save", lambda: parent(tracker))
