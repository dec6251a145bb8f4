"""A fake Rasa REST channel: scripted answers keyed on the exact message text, an echo otherwise,
and switches to simulate an outage or an empty answer. With `tracker_path`, each turn is also
stored at its end like Rasa's SQLTrackerStore does (an `events` table in an SQLite file: the user
event with its metadata and intent, the turn's `slot` events, then one `bot` event per message)."""
from __future__ import annotations

import asyncio
import json
import sqlite3
import time
from pathlib import Path
from typing import Any

from aiohttp import web

Answer = list[dict[str, Any]]


def text(value: str, *buttons: tuple[str, str]) -> dict[str, Any]:
    message: dict[str, Any] = {"text": value}
    if buttons:
        message["buttons"] = [{"title": t, "payload": p} for t, p in buttons]
    return message


class FakeRasa:
    def __init__(self, script: dict[str, Answer] | None = None, delay: float = 0.0,
                 tracker_path: Path | None = None) -> None:
        self.script: dict[str, Answer] = dict(script or {})
        self.tracker_path = tracker_path
        self.received: list[tuple[str, str]] = []
        self.metadata: list[dict[str, Any]] = []
        self.intents: dict[str, str] = {}  # what the NLU reads in a typed text (a payload: its intent)
        self.slots: dict[str, dict[str, Any]] = {}  # slots a turn sets (« requested_slot » of a form)
        self.down = False          # answer 503 to everything
        self.empty = False         # answer [] to everything
        self.delay = delay
        self.delays: dict[str, float] = {}   # per message text, to test ordering
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def _webhook(self, request: web.Request) -> web.Response:
        if self.down:
            return web.Response(status=503, text="down")
        body = await request.json()
        sender, message = body["sender"], body["message"]
        self.received.append((sender, message))
        self.metadata.append(body.get("metadata") or {})
        if self.delay or message in self.delays:
            await asyncio.sleep(self.delays.get(message, self.delay))
        if self.empty:
            return web.json_response([])
        answer = self.script.get(message) or [{"text": f"Tu as dit : {message}"}]
        if self.tracker_path is not None:
            self._store(sender, message, body.get("metadata") or {}, answer)
        return web.json_response([{"recipient_id": sender, **m} for m in answer])

    async def _health(self, request: web.Request) -> web.Response:
        if self.down:
            return web.Response(status=503)
        return web.Response(text="Hello from Rasa: 3.6.21")

    async def start(self, port: int = 0) -> str:
        app = web.Application()
        app.router.add_post("/webhooks/rest/webhook", self._webhook)
        app.router.add_get("/", self._health)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        real_port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{real_port}"
        return self.url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def _store(self, sender: str, message: str, metadata: dict[str, Any], answer: Answer) -> None:
        now = time.time()
        intent = message[1:].split("{")[0] if message.startswith("/") else self.intents.get(message, "nlu_fallback")
        rows = [(sender, "user", now, json.dumps({"event": "user", "timestamp": now, "text": message,
                                                   "metadata": metadata, "parse_data": {"intent": {"name": intent}}}))]
        rows += [(sender, "slot", now, json.dumps({"event": "slot", "timestamp": now, "name": name, "value": value}))
                 for name, value in self.slots.get(message, {}).items()]
        for m in answer:
            data = {k: m.get(k) for k in ("buttons", "image", "custom", "attachment", "quick_replies", "elements")}
            rows.append((sender, "bot", now, json.dumps({"event": "bot", "timestamp": now, "metadata": {},
                                                         "text": m.get("text"), "data": data})))
        with sqlite3.connect(self.tracker_path) as db:
            db.execute("CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255) NOT NULL, "
                       "type_name VARCHAR(255) NOT NULL, timestamp FLOAT, intent_name VARCHAR(255), "
                       "action_name VARCHAR(255), data TEXT)")
            db.executemany("INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (?, ?, ?, ?)", rows)

    def messages_from(self, sender: str) -> list[str]:
        return [m for s, m in self.received if s == sender]
