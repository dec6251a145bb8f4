"""Child processes for `tremplin run`: started with their output in a log file, watched for an
early death, health-checked over HTTP, and stopped cleanly (SIGTERM, then SIGKILL).

Children die with the launcher: a launcher killed with SIGKILL or a closed terminal must not leave
Rasa and the action server holding their ports (the next start would « reuse » stale servers)."""
from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import aiohttp

T = TypeVar("T")


PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def _libc_prctl() -> Callable[..., int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        return libc.prctl
    except (OSError, AttributeError):  # pragma: no cover - exotic libc
        return None


_PRCTL = _libc_prctl()  # looked up before fork: a preexec_fn should only make system calls


def die_with_parent_hook(parent_pid: int | None = None) -> Callable[[], None] | None:
    """A `preexec_fn` that asks Linux to SIGKILL the child when its parent dies.

    The signal follows the parent *thread* that forked, so `Service.start` must be called from a
    thread that lives as long as the launcher (the main thread in `tremplin run`). If the parent
    is already gone when the child gets here, the child exits at once instead of running orphaned."""
    if _PRCTL is None:
        return None
    prctl, parent = _PRCTL, parent_pid or os.getpid()

    def hook() -> None:
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != parent:
            os._exit(1)
    return hook


_spawner: ThreadPoolExecutor | None = None


def _from_long_lived_thread(spawn: Callable[[], T]) -> T:
    """Linux sends the parent-death signal when the *thread* that forked exits: a service started
    from a worker thread (asyncio.to_thread, a restart) would die with that thread. Fork from the
    main thread, or else from one thread kept for the life of the process."""
    global _spawner
    if threading.current_thread() is threading.main_thread():
        return spawn()
    if _spawner is None:
        _spawner = ThreadPoolExecutor(1, thread_name_prefix="tremplin-spawner")
    return _spawner.submit(spawn).result()


@dataclass
class Service:
    name: str
    argv: list[str]
    health_url: str
    log_path: Path
    cwd: Path | None = None
    env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log:
            # Own session (and process group): the terminal's Ctrl-C reaches us only, and we stop
            # children in order; the parent-death signal covers the launcher dying without a word.
            def spawn() -> subprocess.Popen[bytes]:
                return subprocess.Popen(self.argv, stdout=log, stderr=subprocess.STDOUT,
                                        stdin=subprocess.DEVNULL, cwd=self.cwd,
                                        env={**os.environ, **self.env}, start_new_session=True,
                                        preexec_fn=die_with_parent_hook())
            self.process = _from_long_lived_thread(spawn)

    @property
    def exited(self) -> int | None:
        return None if self.process is None else self.process.poll()

    def log_tail(self, lines: int = 15) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self, grace: float = 10.0) -> None:
        """SIGTERM to the whole group (the service and anything it spawned), SIGKILL after `grace`;
        the group is killed even when the leader already exited, so no grandchild holds a port."""
        if self.process is None:
            return
        pgid = self.process.pid  # start_new_session: the child leads its own group
        if self.process.poll() is None:
            try:
                os.killpg(pgid, signal.SIGTERM)
                self.process.wait(grace)
            except subprocess.TimeoutExpired:
                _killpg(pgid, signal.SIGKILL)
                self.process.wait(5)
            except ProcessLookupError:
                pass
        _killpg(pgid, signal.SIGKILL)  # stragglers of the group, if any

    def kill(self) -> None:
        """kill -9 of the service and its group, as a crash would (fault tests)."""
        if self.process is not None and self.process.poll() is None:
            _killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(5)


def _killpg(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


async def is_healthy(url: str) -> bool:
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=3)) as http:
            async with http.get(url) as response:
                return response.status == 200
    except (aiohttp.ClientError, asyncio.TimeoutError, OSError):
        return False


class ServiceFailed(Exception):
    def __init__(self, service: Service, reason: str) -> None:
        super().__init__(f"{service.name}: {reason}")
        self.service = service
        self.reason = reason


async def wait_healthy(services: list[Service], timeout: float, progress=None) -> None:
    """Until every service answers its health URL; raises as soon as one dies or time runs out."""
    deadline = time.monotonic() + timeout
    pending = list(services)
    while pending:
        for service in list(pending):
            if service.exited is not None:
                raise ServiceFailed(service, f"arrêté avec le code {service.exited}")
            if await is_healthy(service.health_url):
                pending.remove(service)
                if progress:
                    progress(f"✓ {service.name} prêt")
        if pending and time.monotonic() > deadline:
            raise ServiceFailed(pending[0], f"pas prêt après {timeout:.0f} s")
        if pending:
            await asyncio.sleep(1)
