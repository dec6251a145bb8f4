"""Children die with the launcher: a `tremplin run` killed with SIGKILL (or a closed terminal) must
not leave Rasa or the action server alive holding their ports."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.supervisor import Service
from tremplin.settings import REPO_ROOT

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl is Linux-only")

LAUNCHER = """
import sys, time
from pathlib import Path
from bot.supervisor import Service
child = Service("child", [sys.executable, "-c", "import time; time.sleep(120)"], "http://127.0.0.1:9/",
                Path(sys.argv[1]))
child.start()
print(child.process.pid, flush=True)
time.sleep(120)
"""


def alive(pid: int) -> bool:
    """Running, not a zombie waiting for a reaper (PID 1 of a container may never reap it)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


def test_a_child_dies_when_its_launcher_is_killed(tmp_path: Path) -> None:
    launcher = subprocess.Popen([sys.executable, "-c", LAUNCHER, str(tmp_path / "child.log")],
                                stdout=subprocess.PIPE, cwd=REPO_ROOT, text=True)
    try:
        child_pid = int(launcher.stdout.readline())  # type: ignore[union-attr]
        assert alive(child_pid)
        assert os.getpgid(child_pid) == child_pid  # its own group: Ctrl-C order stays ours
        launcher.send_signal(signal.SIGKILL)
        launcher.wait(5)
        deadline = time.monotonic() + 5
        while alive(child_pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not alive(child_pid), "the child outlived its launcher"
    finally:
        if launcher.poll() is None:
            launcher.kill()
            launcher.wait()


def test_stop_ends_the_whole_group(tmp_path: Path) -> None:
    """A grandchild (a worker Rasa might spawn) goes with the service."""
    script = ("import subprocess, sys, time\n"
              "p = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)'])\n"
              "print(p.pid, flush=True)\n"
              "time.sleep(120)\n")
    service = Service("parent", [sys.executable, "-u", "-c", script], "http://127.0.0.1:9/",
                      tmp_path / "parent.log")
    service.start()
    deadline = time.monotonic() + 10
    while not (tmp_path / "parent.log").read_text().strip() and time.monotonic() < deadline:
        time.sleep(0.05)
    grandchild = int((tmp_path / "parent.log").read_text().split()[0])
    service.stop(grace=2)
    deadline = time.monotonic() + 5
    while alive(grandchild) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(grandchild)


def test_a_service_started_from_a_worker_thread_outlives_that_thread(tmp_path: Path) -> None:
    """The parent-death signal follows the forking thread: a restart done in asyncio.to_thread
    must not kill the service when that thread ends."""
    import threading
    service = Service("child", [sys.executable, "-c", "import time; time.sleep(60)"], "http://127.0.0.1:9/",
                      tmp_path / "child.log")
    worker = threading.Thread(target=service.start)
    worker.start()
    worker.join()
    time.sleep(1)
    try:
        assert service.exited is None
    finally:
        service.stop(grace=2)
