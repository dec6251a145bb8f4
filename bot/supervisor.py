"""Child processes for `tremplin run`: started with their output in a log file, watched for an
early death, health-checked over HTTP, and stopped cleanly (SIGTERM, then SIGKILL)."""
from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp


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
            # Own session: the terminal's Ctrl-C reaches us only, and we stop children in order.
            self.process = subprocess.Popen(self.argv, stdout=log, stderr=subprocess.STDOUT,
                                            stdin=subprocess.DEVNULL, cwd=self.cwd,
                                            env={**os.environ, **self.env}, start_new_session=True)

    @property
    def exited(self) -> int | None:
        return None if self.process is None else self.process.poll()

    def log_tail(self, lines: int = 15) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self, grace: float = 10.0) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(grace)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(5)
        except ProcessLookupError:
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
