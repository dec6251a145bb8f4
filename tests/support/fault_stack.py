"""Every process of a deployment, each one killable at any moment: Rasa and the action server
(tests.support.runtime_stack), the Telegram gateway and the notifier as processes of their own
(tests.support.fault_procs) talking to the fake Bot API of the test process, and PostgreSQL itself
(restarted: every connection on the machine is cut).

PostgreSQL is shared with whoever else works on this machine: before each restart, the flag file
/tmp/tremplin-bench-running (a benchmark is measuring) is waited for, and the server is always
left running."""
from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from bot.supervisor import Service
from tests.support.fakes.bot_api import FakeBotAPI
from tests.support.runtime_stack import RuntimeStack
from tremplin.settings import REPO_ROOT

BENCH_FLAG = Path("/tmp/tremplin-bench-running")
PG_RESTART = os.environ.get("TREMPLIN_FAULT_PG_RESTART", "pg_ctlcluster 15 main restart")
PG_START = os.environ.get("TREMPLIN_FAULT_PG_START", "pg_ctlcluster 15 main start")
FRONTS = ("gateway", "notifier")
_RESUMED = re.compile(r"answering (\d+) message\(s\) left from before the restart")


def wait_for_bench(say=print) -> float:
    """Seconds waited while another engineer's benchmark runs (polled every 10 s)."""
    started, told = time.monotonic(), False
    while BENCH_FLAG.exists():
        if not told:
            say(f"  (un banc de mesure tourne : {BENCH_FLAG} existe, j'attends qu'il finisse)")
            told = True
        time.sleep(10)
    return time.monotonic() - started


def restart_postgres() -> float:
    """`pg_ctlcluster … restart` (fast shutdown: open sessions are cut), waits until it accepts
    connections again; seconds taken. If the restart fails, the server is started again."""
    wait_for_bench()
    started = time.monotonic()
    done = subprocess.run(shlex.split(PG_RESTART), capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        subprocess.run(shlex.split(PG_START), capture_output=True, text=True, timeout=120)
        raise RuntimeError(f"{PG_RESTART} a échoué : {done.stderr.strip()[-500:]}")
    return time.monotonic() - started


def front(name: str, tmp: Path, env: dict[str, str]) -> Service:
    """The gateway or the notifier as its own process (tests.support.fault_procs), logs and ready file in `tmp`."""
    return Service(name, [sys.executable, "-m", "tests.support.fault_procs", name], "", tmp / f"{name}.log", REPO_ROOT,
                   env | {"TREMPLIN_FAULT_READY": str(tmp / f"{name}.ready"),
                          "TREMPLIN_DATA_DIR": env.get("TREMPLIN_DATA_DIR", str(tmp / "var"))})


def front_env(api: FakeBotAPI, database_url: str, rasa_url: str, tracker_url: str, lease: float = 10.0) -> dict[str, str]:
    return {"DATABASE_URL": database_url, "TELEGRAM_BOT_TOKEN": api.token, "TELEGRAM_API_BASE_URL": api.base_url,
            "RASA_URL": rasa_url, "TREMPLIN_TRACKER_DB_URL": tracker_url, "TREMPLIN_FAULT_LEASE": str(lease),
            "TREMPLIN_FAULT_IDLE": "0.5"}


def start_front(service: Service, timeout: float = 120) -> float:
    """(Re)start it; seconds until it serves (its ready file appears)."""
    ready = Path(service.env["TREMPLIN_FAULT_READY"])
    started = time.monotonic()
    service.stop()
    ready.unlink(missing_ok=True)
    service.start()
    while not ready.exists():
        if service.exited is not None:
            raise RuntimeError(f"{service.name} stopped:\n{service.log_tail(40)}")
        if time.monotonic() - started > timeout:
            raise RuntimeError(f"{service.name} not ready in {timeout:.0f} s:\n{service.log_tail(20)}")
        time.sleep(0.05)
    return time.monotonic() - started


@dataclass
class FaultStack(RuntimeStack):
    api: FakeBotAPI | None = None
    lease: float = 8.0          # the notifier's lease, seconds (production: 5 minutes)
    _pg: threading.Thread | None = field(default=None, repr=False)
    _pg_seconds: list[float] = field(default_factory=list, repr=False)
    _resumed: int = field(default=0, repr=False)

    def __post_init__(self) -> None:
        super().__post_init__()
        assert self.api is not None and self.api.base_url, "start the fake Bot API first"
        env = front_env(self.api, self.database_url, self.rasa_url, self.tracker_url, self.lease)
        for name in FRONTS:
            self.services[name] = front(name, self.tmp, env)

    def start(self) -> None:
        super().start()
        try:
            for name in FRONTS:
                self.restart(name, 120)
        except Exception:
            self.stop()
            raise

    def stop(self) -> None:
        for name in FRONTS:
            self.services[name].stop()
        super().stop()

    def resumed(self) -> int:
        """Messages the gateway found unfinished at its starts so far (its log), counted once."""
        try:
            lines = (self.tmp / "var" / "logs" / "gateway.log").read_text(errors="replace").splitlines()
        except OSError:
            return 0
        total = sum(int(m.group(1)) for line in lines if (m := _RESUMED.search(line)))
        new, self._resumed = total - self._resumed, total
        return new

    def kill(self, name: str) -> None:
        """kill -9 of a process; for « postgres », a restart of the server (in the background:
        `restart` waits for it)."""
        if name == "postgres":
            self._pg = threading.Thread(target=lambda: self._pg_seconds.append(restart_postgres()), daemon=True)
            self._pg.start()
            return
        super().kill(name)

    def restart(self, name: str, timeout: float = 300) -> float:
        if name == "postgres":
            if self._pg is not None:
                self._pg.join(timeout)
                self._pg = None
            return self._pg_seconds.pop() if self._pg_seconds else 0.0
        if name in FRONTS:
            return start_front(self.services[name], timeout)
        return super().restart(name, timeout)
