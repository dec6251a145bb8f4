"""Talks to Rasa's REST channel over HTTP: the only link between the front ends and the dialogue.

`base_url` may list several Rasa servers (comma-separated, e.g. RASA_URL): each conversation is
routed to one of them by its sender (bot/routing.py), and moves to the next one on the ring when
its server refuses the connection (down, or reloading a model) — its tracker is in the shared SQL
store, so the conversation goes on there."""
from __future__ import annotations

import asyncio
import json
import logging
from types import TracebackType
from typing import Any

import aiohttp

from bot.routing import Drain, Router, parse_urls

log = logging.getLogger(__name__)


class RasaUnavailable(Exception):
    """Rasa is down, too slow, broken, or gave no answer at all: the caller should retry later."""


# Answers that mean « this server cannot take the turn now » (nothing was processed): try the next.
RETRY_ELSEWHERE = {502, 503, 504}


class RasaClient:
    def __init__(self, base_url: str, timeout: float = 20.0) -> None:
        self.urls = parse_urls(base_url) or [base_url.rstrip("/")]
        self.base_url = self.urls[0]
        self.router = Router(self.urls)
        self.timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> RasaClient:
        await self.start()
        return self

    async def __aexit__(self, et: type[BaseException] | None, e: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.close()

    async def start(self) -> None:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=self.timeout)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    @property
    def session(self) -> aiohttp.ClientSession:
        if self._session is None:
            raise RuntimeError("RasaClient not started")
        return self._session

    async def send(self, sender_id: str, message: str,
                   metadata: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """One user turn. Raises RasaUnavailable instead of returning nothing."""
        body: dict[str, Any] = {"sender": sender_id, "message": message}
        if metadata:
            body["metadata"] = metadata
        problem = "no Rasa server"
        for server in self.router.order(sender_id):
            try:
                answer = await self._post(server, body)
            except _Elsewhere as exc:  # refused before any processing: the next server takes it
                self.router.mark_down(server)
                problem = str(exc)
                log.info("rasa %s unavailable (%s), next server on the ring", server, problem)
                continue
            self.router.mark_up(server)
            if not isinstance(answer, list) or not answer:
                raise RasaUnavailable("empty answer")
            return [m for m in answer if isinstance(m, dict)]
        raise RasaUnavailable(problem)

    async def _post(self, server: str, body: dict[str, Any]) -> Any:
        """One turn on one server. A timeout or a broken answer is not retried elsewhere: the turn
        may have been processed, and the relay's own retry decides."""
        Drain.enter(server)
        try:
            async with self.session.post(f"{server}/webhooks/rest/webhook", json=body) as response:
                if response.status in RETRY_ELSEWHERE:
                    raise _Elsewhere(f"HTTP {response.status}")
                if response.status != 200:
                    raise RasaUnavailable(f"HTTP {response.status}")
                return await response.json(content_type=None)
        except aiohttp.ClientConnectorError as exc:
            raise _Elsewhere(type(exc).__name__) from exc
        except (aiohttp.ServerDisconnectedError, aiohttp.ClientOSError) as exc:
            # Died while holding the turn (or a stale kept-alive connection to a killed server):
            # skipped for a while, so the relay's retry reaches the next server on the ring.
            self.router.mark_down(server)
            raise RasaUnavailable(type(exc).__name__) from exc
        except (aiohttp.ClientError, asyncio.TimeoutError, json.JSONDecodeError) as exc:
            raise RasaUnavailable(type(exc).__name__) from exc
        finally:
            Drain.leave(server)

    async def healthy(self) -> bool:
        """At least one Rasa server answers."""
        for server in self.urls:
            try:
                async with self.session.get(f"{server}/",
                                            timeout=aiohttp.ClientTimeout(total=3)) as response:
                    if response.status == 200:
                        return True
            except (aiohttp.ClientError, asyncio.TimeoutError):
                continue
        return False


class _Elsewhere(Exception):
    """This server did not take the turn (connection refused, 502/503/504)."""
