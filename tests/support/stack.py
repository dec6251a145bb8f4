"""The real stack for end-to-end tests: the trained Rasa model, the action server and a seeded
SQLite database, started once per test module on free ports, stopped afterwards; and a user chatting
through it (`open_chat`)."""
from __future__ import annotations

import asyncio
import os
import socket
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.rasa_client import RasaClient
from bot.relay import Relay
from bot.replies import Reply
from bot.stack import write_endpoints
from bot.supervisor import Service
from tremplin.db import make_engine
from tremplin.settings import REPO_ROOT

RASA_BIN = REPO_ROOT / ".venv-rasa" / "bin" / "rasa"
MODEL = REPO_ROOT / "models" / "tremplin-latest.tar.gz"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(url: str, services: list[Service], timeout: float = 300.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for service in services:
            if service.exited is not None:
                raise RuntimeError(f"{service.name} stopped:\n{service.log_tail(40)}")
        try:
            with urllib.request.urlopen(url, timeout=3):
                return
        except OSError:
            time.sleep(1)
    raise RuntimeError(f"{url} did not answer in {timeout:.0f} s")


@dataclass
class Stack:
    rasa_url: str
    database_url: str
    services: list[Service]
    tracker_url: str = ""       # Rasa's SQL tracker store (sync URL), in the test's tmp dir
    logs: tuple[Path, ...] = ()

    def stop(self) -> None:
        for service in reversed(self.services):
            service.stop()

    def restart_rasa(self) -> None:
        """Stop and start the Rasa server alone (conversations must survive: SQL tracker store)."""
        rasa = next(service for service in self.services if service.name == "rasa")
        rasa.stop()
        rasa.start()
        _wait(rasa.health_url, self.services, 300)


def require_stack() -> None:
    if RASA_BIN.exists() and MODEL.exists():
        return
    if os.environ.get("CI"):
        pytest.fail("CI must train the model before the app's tests (scripts/test.sh runs nlu_eval.sh)")
    pytest.skip("no trained model or no .venv-rasa: run scripts/nlu_train.sh")


def start_stack(tmp: Path) -> Stack:
    """Migrate and seed a database, then start the action server and Rasa on it."""
    from tremplin.db import make_engine
    from tremplin.migrate import upgrade
    from tremplin.seed.demo import seed_demo

    database_url = f"sqlite+aiosqlite:///{tmp / 'e2e.db'}"
    upgrade(database_url)

    async def seed() -> None:
        engine = make_engine(database_url)
        await seed_demo(engine)
        await engine.dispose()
    asyncio.run(seed())

    action_port, rasa_port = free_port(), free_port()
    # The same generated endpoints as `tremplin run`: SQL tracker store in the test's own dir.
    tracker_url = f"sqlite:///{tmp / 'rasa-trackers.db'}"
    endpoints = write_endpoints(tmp / "endpoints.yml", f"http://127.0.0.1:{action_port}", tracker_url)
    env = {"DATABASE_URL": database_url, "TREMPLIN_DATA_DIR": str(tmp / "var"),
           "TREMPLIN_TRACKER_DB_URL": tracker_url,
           "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "3"}
    actions = Service("actions", [sys.executable, "-m", "rasa_sdk", "--actions", "actions",
                                  "--port", str(action_port), "--endpoints", str(endpoints)],
                      f"http://127.0.0.1:{action_port}/health", tmp / "actions.log", REPO_ROOT,
                      env | {"TREMPLIN_PRELOAD_MASKER": "1"})
    rasa = Service("rasa", [str(RASA_BIN), "run", "--model", str(MODEL), "--port", str(rasa_port),
                            "-i", "127.0.0.1", "--connector", "rest", "--endpoints", str(endpoints)],
                   f"http://127.0.0.1:{rasa_port}/", tmp / "rasa.log", REPO_ROOT, env)
    stack = Stack(f"http://127.0.0.1:{rasa_port}", database_url, [actions, rasa], tracker_url,
                  (tmp / "actions.log", tmp / "rasa.log"))
    try:
        actions.start()
        _wait(actions.health_url, [actions], 120)
        rasa.start()
        _wait(rasa.health_url, [actions, rasa], 300)
    except Exception:
        stack.stop()
        raise
    return stack


class Chat:
    """One user in the chat: sends what they type, or presses a button by its title."""

    def __init__(self, relay: Relay, sender: str) -> None:
        self.relay, self.sender, self.last = relay, sender, []

    async def say(self, text: str) -> str:
        self.last: list[Reply] = await self.relay.ask(self.sender, text)
        return "\n".join(reply.text for reply in self.last)

    async def press(self, title_part: str) -> str:
        for reply in self.last:
            for button in reply.buttons:
                if title_part.lower() in button.title.lower():
                    return await self.say(button.payload)
        raise AssertionError(f"no button « {title_part} » in {[b.title for r in self.last for b in r.buttons]}")


async def open_chat(stack: Stack, name: str, channel: str = "test") -> tuple[Chat, RasaClient, object]:
    """`channel="demo"` with name "employer:<SIRET>" talks as the seeded contact of that demo company."""
    engine = make_engine(stack.database_url)
    client = RasaClient(stack.rasa_url, timeout=60)
    await client.start()
    relay = Relay(client, channel, engine, retry_delays=(1.0, 2.0))
    return Chat(relay, await relay.register(name, name)), client, engine
