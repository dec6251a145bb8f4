"""The conversation relay shared by every front end: pseudonymous sender ids, account registration,
and bounded retries when Rasa is down (the message waits, it is never dropped silently)."""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence

from sqlalchemy.ext.asyncio import AsyncEngine

from bot import texts
from bot.rasa_client import RasaClient, RasaUnavailable
from bot.replies import Reply, parse_rasa
from tremplin.db import session_scope
from tremplin.privacy.identifiers import external_hash
from tremplin.services.accounts import find_account, get_or_create_account

log = logging.getLogger(__name__)


class Deferred(Exception):
    """The front end is stopping while this turn waits for Rasa: it stays kept in the database
    (bot/storage.PendingTurns) and the next start answers it, instead of holding the stop."""

# Sent by action_delete_my_data as a `custom` message: the account is gone, register anew next time.
FORGET_SENDER = "forget_sender"


def short(sender: str) -> str:
    """What logs show of a sender: a prefix of the HMAC, never the chat id."""
    return sender[:10]


class Relay:
    def __init__(self, rasa: RasaClient, channel: str, engine: AsyncEngine | None = None,
                 retry_delays: Sequence[float] = (2.0, 4.0, 8.0, 15.0, 30.0)) -> None:
        self.rasa = rasa
        self.channel = channel
        self.engine = engine
        self.retry_delays = tuple(retry_delays)
        self._known: set[str] = set()
        self.stopping = asyncio.Event()  # set by a front end that keeps waiting turns durably

    def sender_id(self, external_id: str | int) -> str:
        """The id Rasa and the actions see: the same HMAC the domain stores in ChannelIdentity."""
        return external_hash(self.channel, external_id)

    async def register(self, external_id: str | int, address: str | int) -> str:
        """Make sure the account and its sealed delivery address exist before Rasa's actions run."""
        sender = self.sender_id(external_id)
        if self.engine is not None and sender not in self._known:
            async with session_scope(self.engine) as session:  # returning users: a read only
                known = await find_account(session, self.channel, external_id) is not None
            if not known:
                async with session_scope(self.engine, write=True) as session:  # queues: writing()
                    await get_or_create_account(session, self.channel, external_id, address)
            self._known.add(sender)
        return sender

    async def ask(self, sender: str, message: str,
                  on_wait: Callable[[], Awaitable[None]] | None = None) -> list[Reply]:
        """Rasa's replies to one turn; while Rasa is unavailable, tell the user once and retry."""
        for attempt in range(len(self.retry_delays) + 1):
            try:
                raw = await self.rasa.send(sender, message, metadata={"channel": self.channel})
                if any(isinstance(m.get("custom"), dict) and m["custom"].get("tremplin") == FORGET_SENDER
                       for m in raw if isinstance(m, dict)):
                    self._known.discard(sender)  # deleted: the next message creates a new account
                replies = parse_rasa(raw)
                if replies:
                    return replies
                problem = "nothing displayable"
            except RasaUnavailable as exc:
                problem = str(exc)
            log.warning("rasa unavailable for %s (attempt %d): %s", short(sender), attempt + 1, problem)
            if attempt == len(self.retry_delays):
                break
            if attempt == 0 and on_wait is not None:
                await on_wait()
            if await self._stopped_during(self.retry_delays[attempt]):
                log.info("stopping: the message from %s waits for the next start", short(sender))
                raise Deferred(sender)
        log.error("giving up on a message from %s after %d attempts", short(sender), attempt + 1)
        return [Reply(text=texts.GAVE_UP)]

    async def _stopped_during(self, delay: float) -> bool:
        try:
            await asyncio.wait_for(self.stopping.wait(), delay)
            return True
        except asyncio.TimeoutError:
            return False
