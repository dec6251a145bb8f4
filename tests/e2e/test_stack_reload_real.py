"""The real launcher, `tremplin run --rasa-replicas 2`, with the Telegram gateway on the fake Bot
API: pupils on both Rasa servers are answered; `tremplin reload-model` (SIGHUP) replaces the model
one server at a time while they keep writing, and no message goes unanswered or gets « Oups »."""
from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
import time
import uuid
from pathlib import Path

from bot import texts
from bot.routing import HashRing
from tests.support.fakes.bot_api import FakeBotAPI
from tests.support.replica_stack import seeded_database
from tests.support.stack import free_port, require_stack
from tremplin.privacy.identifiers import external_hash
from tremplin.settings import REPO_ROOT


def two_free_ports() -> int:
    """A port p with p + 1 free too (the second Rasa server)."""
    for _ in range(50):
        port = free_port()
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port + 1))
                return port
            except OSError:
                continue
    raise RuntimeError("no two consecutive free ports")


async def turn(api: FakeBotAPI, chat: int, message: str, timeout: float = 120.0) -> list[str]:
    """Push a message, wait for the replies (the turn ends after 1.5 s of quiet)."""
    before = len(api.sent[chat])
    api.push_text(chat, message)
    await api.wait_until(lambda: len(api.sent[chat]) > before, timeout)
    while True:
        count = len(api.sent[chat])
        await asyncio.sleep(1.5)
        if len(api.sent[chat]) == count:
            return api.texts(chat)[before:]


async def test_reload_model_keeps_every_pupil_answered(tmp_path: Path) -> None:
    require_stack()
    database_url, _ = await seeded_database(tmp_path, "sqlite")
    api = FakeBotAPI(token=f"{int(time.time()) % 10**8 + 10**8}:FAKE-reload")
    await api.start()
    rasa_port = two_free_ports()
    env = {**os.environ, "DATABASE_URL": database_url, "TREMPLIN_DATA_DIR": str(tmp_path),
           "RASA_URL": f"http://127.0.0.1:{rasa_port}", "RASA_ACTION_SERVER_URL": f"http://127.0.0.1:{free_port()}",
           "TELEGRAM_BOT_TOKEN": api.token, "TELEGRAM_API_BASE_URL": api.base_url,
           "TREMPLIN_LOCK_KEY_PREFIX": "t" + uuid.uuid4().hex[:10], "TREMPLIN_RASA_EXTERNAL": "0"}
    out = tmp_path / "run.out"
    with open(out, "wb") as sink:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", "--rasa-replicas", "2", stdout=sink,
            stderr=asyncio.subprocess.STDOUT, env=env, cwd=str(REPO_ROOT))
    try:
        await api.wait_until(lambda: any(c[0] == "getUpdates" for c in api.calls), timeout=400)
        shown = out.read_text()
        assert "2 serveurs Rasa" in shown, shown
        urls = [f"http://127.0.0.1:{rasa_port}", f"http://127.0.0.1:{rasa_port + 1}"]
        ring = HashRing(urls)
        chats = {ring.node_for(external_hash("telegram", c)): c for c in range(900_001, 900_050)}
        assert set(chats) == set(urls)  # one pupil on each server
        for chat in chats.values():
            assert await turn(api, chat, "/start")
        proc.send_signal(signal.SIGHUP)  # what `tremplin reload-model` sends
        deadline = time.monotonic() + 400
        answered = 0
        while out.read_text().count("a repris avec le nouveau modèle") < 2:
            assert time.monotonic() < deadline, out.read_text()
            assert proc.returncode is None, out.read_text()
            for chat in chats.values():
                replies = await turn(api, chat, "c koi une convention de stage")
                assert replies and texts.GAVE_UP not in replies, replies
                assert not any("Oups" in r for r in replies), replies
                answered += 1
            await asyncio.sleep(2)
        assert answered >= 4  # pupils kept writing during both reloads
        proc.send_signal(signal.SIGTERM)
        await asyncio.wait_for(proc.wait(), 60)
        assert proc.returncode == 0, out.read_text()
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
        await api.stop()
