"""N real Rasa servers and M action servers on free ports, built by bot.stack.build_services (the
code `tremplin run --rasa-replicas N` runs), over a seeded SQLite or PostgreSQL database; plus
the real Telegram gateway against the fake Bot API, routing over the Rasa servers. Used by the
replica tests and by bench/load.py and bench/turn_profile.py."""
from __future__ import annotations

import asyncio
import random
import time
import urllib.request
import uuid
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any


from bot.stack import Topology, build_services, warm_up, write_endpoints
from bot.supervisor import Service
from tests.support.fakes.gateway import TEST_CONFIG
from tests.support.runtime_stack import PG_ADMIN_URL, drop_postgres, postgres_demo, sqlite_demo
from tests.support.stack import MODEL, free_port
from tremplin.settings import get_settings, sync_database_url

# Real turns under load take seconds on 2 cores: a short timeout would send a turn twice.
LOAD_CONFIG = replace(TEST_CONFIG, rasa_timeout=90.0, retry_delays=(1.0, 2.0, 4.0, 8.0))


async def seeded_database(tmp: Path, database: str) -> tuple[str, str | None]:
    """A migrated demo database: (async URL, PostgreSQL database name to drop or None)."""
    if database == "sqlite":
        return await sqlite_demo(tmp), None
    url = await postgres_demo()
    return url, url.rsplit("/", 1)[1]


async def drop_database(name: str) -> None:
    await drop_postgres(PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}")


def wait_up(service: Service, others: list[Service], timeout: float = 400.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for other in others:
            if other.exited is not None:
                raise RuntimeError(f"{other.name} stopped:\n{other.log_tail(40)}")
        try:
            with urllib.request.urlopen(service.health_url, timeout=3):
                return
        except OSError:
            time.sleep(1)
    raise RuntimeError(f"{service.name} did not answer in {timeout:.0f} s")


@dataclass
class ReplicaStack:
    database_url: str
    tracker_url: str
    actions: list[Service]
    rasa: list[Service]
    pg_name: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def rasa_urls(self) -> list[str]:
        return [s.health_url.rstrip("/") for s in self.rasa]

    def stop(self) -> None:
        for service in reversed(self.actions + self.rasa):
            service.stop()
        if self.pg_name:
            asyncio.run(drop_database(self.pg_name))

    def kill_rasa(self, i: int) -> None:
        self.rasa[i].kill()

    def restart_rasa(self, i: int) -> None:
        self.rasa[i].stop()
        self.rasa[i].start()
        wait_up(self.rasa[i], self.rasa)
        warm_up(self.rasa[i].health_url)


def start_replica_stack(tmp: Path, database: str = "sqlite", replicas: int = 2, action_servers: int = 1,
                        enable_api: bool = False, actions_module: str = "rasa_sdk",
                        extra_env: dict[str, str] | None = None,
                        rasa_action_url: str | None = None, action_ports: list[int] | None = None) -> ReplicaStack:
    """Seed, then start the action servers and the Rasa servers (loading in parallel).
    `rasa_action_url`: Rasa calls the actions there instead (a timing proxy, bench/turn_profile.py)."""
    tmp.mkdir(parents=True, exist_ok=True)
    database_url, pg_name = asyncio.run(seeded_database(tmp, database))
    tracker_url = (f"sqlite:///{tmp / 'rasa-trackers.db'}" if database == "sqlite"
                   else sync_database_url(database_url))
    topo = Topology([f"http://127.0.0.1:{free_port()}" for _ in range(replicas)],
                    [f"http://127.0.0.1:{port}" for port in action_ports or
                     [free_port() for _ in range(action_servers)]])
    env = {"DATABASE_URL": database_url, "TREMPLIN_DATA_DIR": str(tmp / "var"),
           "TREMPLIN_TRACKER_DB_URL": tracker_url, **(extra_env or {})}
    prefix = "t" + uuid.uuid4().hex[:10]  # this stack's own Redis locks
    actions, rasa = build_services(MODEL, topo, tracker_url, tmp, tmp / "logs", get_settings().redis_url,
                                   prefix, env, enable_api, actions_module)
    if rasa_action_url:
        for service in rasa:
            write_endpoints(Path(service.argv[service.argv.index("--endpoints") + 1]), rasa_action_url,
                            tracker_url)
    stack = ReplicaStack(database_url, tracker_url, actions, rasa, pg_name)
    try:
        for service in actions:
            service.start()
        for service in actions:
            wait_up(service, actions, 180)
        for service in rasa:
            service.start()
        for service in rasa:
            wait_up(service, actions + rasa)
            warm_up(service.health_url)  # what `tremplin run` does: no pupil pays the first prediction
    except Exception:
        stack.stop()
        raise
    return stack


class GatewayOverReplicas:
    """The real Telegram gateway (fake Bot API) routing over `rasa_urls`; users from the task
    harness, whose turns end when the gateway has handled the update (no sleeping). With
    `own_process` (a folder for its log), the gateway runs as a process of its own, as in
    production (`tremplin bot`), instead of sharing this process's event loop with the fake Bot
    API and the simulated users; it reports each handled update to the fake API."""

    def __init__(self, rasa_urls: list[str], database_url: str, own_process: Path | None = None,
                 tracker_url: str = "") -> None:
        self.rasa_urls, self.database_url = rasa_urls, database_url
        self.own_process, self.tracker_url = own_process, tracker_url
        self.service: Service | None = None

    async def __aenter__(self) -> GatewayOverReplicas:
        import bot.telegram_app as telegram_app
        from tests.support.fakes.bot_api import FakeBotAPI
        from tests.support.fakes.gateway import GatewayRunner
        from tests.support.tasks import harness
        from tremplin.db import make_engine
        # A bot of its own each time: update ids restart at 1 on a new fake API, and the update
        # log (per bot, in the shared database) would drop them as duplicates.
        self.api = FakeBotAPI(token=f"{random.randint(10**8, 10**9)}:FAKE-load")
        await self.api.start()
        self.engine = make_engine(self.database_url)
        harness.TURNS = harness._Turns()
        if self.own_process is not None:
            from tests.support.fault_stack import front, front_env, start_front
            self.api.on_turn_done = harness.TURNS.finished
            env = front_env(self.api, self.database_url, ",".join(self.rasa_urls), self.tracker_url)
            self.service = front("gateway", self.own_process, env | {"TREMPLIN_BENCH_SIGNAL": "1"})
            await asyncio.to_thread(start_front, self.service)
            return self
        telegram_app.TelegramGateway = harness.ObservedGateway  # type: ignore[misc]
        self.gateway = GatewayRunner(self.api, ",".join(self.rasa_urls), self.engine, config=LOAD_CONFIG,
                                     rate_limit=False)
        await self.gateway.start()
        return self

    def user(self, chat_id: int) -> Any:
        from tests.support.tasks.harness import TelegramUser
        return TelegramUser(self.api, chat_id)

    async def __aexit__(self, *exc: object) -> None:
        import bot.telegram_app as telegram_app
        from bot.telegram_gateway import TelegramGateway
        try:
            if self.service is not None:
                self.service.stop()
            else:
                await self.gateway.stop()
            await self.api.stop()
            await self.engine.dispose()
        finally:
            telegram_app.TelegramGateway = TelegramGateway  # type: ignore[misc]
