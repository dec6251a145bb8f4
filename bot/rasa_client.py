"""Talks to Rasa's REST channel over HTTP: the only link between the front ends and the dialogue."""
from __future__ import annotations

import asyncio
import json
import logging
from types import TracebackType
from typing import Any

import aiohttp

log = logging.getLogger(__name__)


class RasaUnavailable(Exception):
    """Rasa is down, too slow, broken, or gave no answer at all: the caller should retry later."""


class RasaClient:
    def __init__(self, base_url: str, timeout: float = 20.0) -> None:
        self.base_url = base_url.rstrip("/")
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
        url = f"{self.base_url}/webhooks/rest/webhook"
        try:
            async with self.session.post(url, json=body) as response:
                if response.status != 200:
                    raise RasaUnavailable(f"HTTP {response.status}")
                answer = await response.json(content_type=None)
        except (aiohttp.ClientError, asyncio.TimeoutError, json.JSONDecodeError) as exc:
            raise RasaUnavailable(type(exc).__name__) from exc
        if not isinstance(answer, list) or not answer:
            raise RasaUnavailable("empty answer")
        return [m for m in answer if isinstance(m, dict)]

    async def healthy(self) -> bool:
        try:
            async with self.session.get(f"{self.base_url}/",
                                        timeout=aiohttp.ClientTimeout(total=3)) as response:
                return response.status == 200
        except (aiohttp.ClientError, asyncio.TimeoutError):
            return False
