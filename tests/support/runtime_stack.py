"""The real runtime for the classroom and fault suites: the action server and Rasa (trained
model) on free ports over a seeded database (SQLite or PostgreSQL), each process killable with
SIGKILL and restartable alone, and the real Telegram gateway against the fake Bot API."""
from __future__ import annotations

import asyncio
import os
import random
import sys
import time
import urllib.request
import uuid
from dataclasses import dataclass, field, replace
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from bot.stack import TRACKER_STORE, write_endpoints
from bot.supervisor import Service
from tests.support.fakes.bot_api import FakeBotAPI
from tests.support.fakes.gateway import TEST_CONFIG
from tests.support.stack import MODEL, RASA_BIN, free_port
from tremplin.settings import REPO_ROOT

PG_ADMIN_URL = os.environ.get("TREMPLIN_TEST_PG_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres")
# Real Rasa turns under a burst take seconds on 2 cores: a short timeout would send a turn twice;
# the retries outlast a Rasa restart on a loaded machine (≈ 90 s).
STACK_CONFIG = replace(TEST_CONFIG, rasa_timeout=60.0, retry_delays=(1.0, 2.0, 4.0, 8.0, 15.0, 30.0, 30.0, 30.0, 30.0))


def fresh_api() -> FakeBotAPI:
    """A fake Bot API with a token of its own: update ids restart at 1 with each fake, and the
    gateway would take them for updates already handled by an earlier bot on the same database."""
    return FakeBotAPI(token=f"{random.randint(10**8, 10**9)}:FAKE-runtime")


async def seed(url: str) -> None:
    from tremplin.db import make_engine
    from tremplin.migrate import upgrade
    from tremplin.seed.demo import seed_demo
    await asyncio.to_thread(upgrade, url)
    engine = make_engine(url)
    try:
        await seed_demo(engine)
    finally:
        await engine.dispose()


async def sqlite_demo(tmp: Path) -> str:
    url = f"sqlite+aiosqlite:///{tmp / 'runtime.db'}"
    await seed(url)
    return url


async def postgres_demo() -> str:
    """A new database on the test server, migrated and seeded; drop it with `drop_postgres`."""
    name = f"tremplin_rt_{uuid.uuid4().hex[:10]}"
    admin = create_async_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        await admin.dispose()
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    await seed(url)
    return url


async def drop_postgres(url: str) -> None:
    admin = create_async_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)'))
    finally:
        await admin.dispose()


def wait_up(service: Service, timeout: float) -> float:
    """Seconds until the health URL answers; raises with the log if the process died."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if service.exited is not None:
            raise RuntimeError(f"{service.name} stopped:\n{service.log_tail(40)}")
        try:
            with urllib.request.urlopen(service.health_url, timeout=3):
                return time.monotonic() - started
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"{service.name} did not answer in {timeout:.0f} s:\n{service.log_tail(20)}")


@dataclass
class RuntimeStack:
    tmp: Path
    database_url: str
    services: dict[str, Service] = field(default_factory=dict)
    rasa_url: str = ""
    tracker_url: str = ""  # Rasa's tracker store (sync URL); empty: an SQLite file in `tmp`
    tracker_store_type: str = ""  # instead of the product's (e.g. « SQL », Rasa's own, to compare)

    def __post_init__(self) -> None:
        action_port, rasa_port = free_port(), free_port()
        tracker_url = self.tracker_url = self.tracker_url or f"sqlite:///{self.tmp / 'rasa-trackers.db'}"
        endpoints = write_endpoints(self.tmp / "endpoints.yml", f"http://127.0.0.1:{action_port}", tracker_url)
        if self.tracker_store_type:
            endpoints.write_text(endpoints.read_text().replace(f"  type: {TRACKER_STORE}\n",
                                                               f"  type: {self.tracker_store_type}\n"))
        self.rasa_url = f"http://127.0.0.1:{rasa_port}"
        env = {"TREMPLIN_DATA_DIR": str(self.tmp / "var"), "TREMPLIN_TRACKER_DB_URL": tracker_url,
               "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "3"}
        self.services["actions"] = Service(
            "actions", [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(action_port),
                        "--endpoints", str(endpoints)],
            f"http://127.0.0.1:{action_port}/health", self.tmp / "actions.log", REPO_ROOT,
            env | {"TREMPLIN_PRELOAD_MASKER": "1", "DATABASE_URL": self.database_url})
        self.services["rasa"] = Service(
            "rasa", [str(RASA_BIN), "run", "--model", str(MODEL), "--port", str(rasa_port), "-i", "127.0.0.1",
                     "--connector", "rest", "--endpoints", str(endpoints)],
            self.rasa_url + "/", self.tmp / "rasa.log", REPO_ROOT, env)

    def start(self) -> None:
        try:
            for name in ("actions", "rasa"):
                self.services[name].start()
            for name in ("actions", "rasa"):
                wait_up(self.services[name], 300)
        except Exception:
            self.stop()
            raise

    def stop(self) -> None:
        for name in ("rasa", "actions"):
            self.services[name].stop()

    def kill(self, name: str) -> None:
        """kill -9, as a crash: no shutdown code runs."""
        self.services[name].kill()

    def restart(self, name: str, timeout: float = 300) -> float:
        """Start a killed (or stopped) process again; seconds until it answers."""
        service = self.services[name]
        service.stop()
        service.start()
        return wait_up(service, timeout)

    def use_database(self, url: str) -> None:
        """The same Rasa, an action server on another database (Rasa calls it by URL)."""
        self.database_url = url
        actions = self.services["actions"]
        actions.env["DATABASE_URL"] = url
        self.restart("actions", 120)
