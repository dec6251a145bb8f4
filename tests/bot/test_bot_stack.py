"""`tremplin run` plumbing: child services started, health-checked, reported when they die, stopped;
the whole command using an external Rasa (said explicitly) and opening the terminal chat on piped stdin."""
from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from bot import stack
from bot.supervisor import Service, ServiceFailed, wait_healthy
from tests.support.fakes.db import migrated_sqlite
from tests.support.fakes.rasa_server import FakeRasa, text
from tremplin.settings import get_settings


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_services_start_get_healthy_and_stop(tmp_path: Path) -> None:
    port = free_port()
    web = Service("web", [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
                  f"http://127.0.0.1:{port}/", tmp_path / "web.log", tmp_path)
    web.start()
    try:
        await wait_healthy([web], timeout=20)
        assert web.exited is None
    finally:
        web.stop()
    assert web.exited is not None


async def test_a_dying_service_is_reported_with_its_log(tmp_path: Path) -> None:
    dead = Service("rasa", [sys.executable, "-c", "print('model not found'); raise SystemExit(3)"],
                   "http://127.0.0.1:9/", tmp_path / "rasa.log")
    dead.start()
    with pytest.raises(ServiceFailed) as info:
        await wait_healthy([dead], timeout=20)
    assert "code 3" in info.value.reason and "model not found" in dead.log_tail()


def test_no_model_is_explained(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("RASA_URL", f"http://127.0.0.1:{free_port()}")
    monkeypatch.setattr(stack, "latest_model", lambda: None)
    monkeypatch.setattr(stack, "setup_logging", lambda *a, **k: None)  # keep pytest's logging
    assert stack.run() == 1
    assert "aucun modèle Rasa" in capsys.readouterr().out


def test_rasa_services_command_lines(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("RASA_URL", "http://127.0.0.1:5105")
    actions, rasa = stack.rasa_services(tmp_path / "model.tar.gz")
    assert rasa.argv[1:3] == ["run", "--model"] and "rest" in rasa.argv and "5105" in rasa.argv
    assert rasa.health_url == "http://127.0.0.1:5105/" and actions.health_url.endswith("/health")
    endpoints = Path(rasa.argv[rasa.argv.index("--endpoints") + 1])
    written = endpoints.read_text()
    assert "action_endpoint" in written and "type: nlu.tracker_store.DurableSQLTrackerStore" in written
    # Generated into the data dir from the settings, never the repository's file; conversations
    # in a SQLite file of their own next to the app database.
    assert endpoints.parent == get_settings().data_dir
    assert f'url: "sqlite:///{get_settings().data_dir / "rasa-trackers.db"}"' in written
    assert endpoints.stat().st_mode & 0o077 == 0


def test_tracker_store_follows_the_database(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/tremplin")
    get_settings.cache_clear()
    assert get_settings().tracker_store_url == "postgresql://postgres@127.0.0.1:5432/tremplin"
    assert 'url: "postgresql://postgres@127.0.0.1:5432/tremplin"' in stack.endpoints_yaml(
        "http://127.0.0.1:5055", get_settings().tracker_store_url)
    monkeypatch.setenv("TREMPLIN_TRACKER_DB_URL", "sqlite:////srv/trackers.db")
    get_settings.cache_clear()
    assert get_settings().tracker_store_url == "sqlite:////srv/trackers.db"


async def test_run_reuses_rasa_and_opens_the_terminal(tmp_path: Path) -> None:
    rasa = FakeRasa({"/greet": [text("Bienvenue sur Tremplin !", ("Élève", "/declare_role"))]})
    await rasa.start()
    engine = await migrated_sqlite(tmp_path)
    await engine.dispose()
    env = {**os.environ, "RASA_URL": rasa.url, "TREMPLIN_DATA_DIR": str(tmp_path),
           "DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}", "TREMPLIN_RASA_EXTERNAL": "1"}
    env.pop("TELEGRAM_BOT_TOKEN", None)
    try:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, env=env, cwd=str(Path(stack.__file__).parents[1]))
        out, err = await asyncio.wait_for(proc.communicate("1\n".encode()), 60)
    finally:
        await rasa.stop()
    shown = out.decode()
    assert proc.returncode == 0, shown + err.decode()
    assert "Rasa externe" in shown and "Bienvenue sur Tremplin !" in shown and "→ Élève" in shown
    assert [m for _, m in rasa.received] == ["/greet", "/declare_role"]


async def test_run_with_a_token_serves_telegram_and_notifications(tmp_path: Path) -> None:
    """`tremplin run --no-rasa` with a token: the gateway and the notifier in one process,
    stopped cleanly by SIGTERM (what Ctrl-C or a service manager sends)."""
    import signal

    from sqlalchemy import select

    from tests.support.fakes.bot_api import FakeBotAPI
    from tremplin.db import session_scope
    from tremplin.models import Account, ChannelIdentity, Role
    from tremplin.privacy.identifiers import external_hash
    from tremplin.services.outbox import enqueue

    api, rasa = FakeBotAPI(), FakeRasa({"/greet": [text("Salut !")]})
    await api.start()
    await rasa.start()
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    engine = await migrated_sqlite(tmp_path)
    env = {**os.environ, "RASA_URL": rasa.url, "TREMPLIN_DATA_DIR": str(tmp_path), "DATABASE_URL": url,
           "TELEGRAM_BOT_TOKEN": api.token, "TELEGRAM_API_BASE_URL": api.base_url}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", "--no-rasa", stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        env=env, cwd=str(Path(stack.__file__).parents[1]))
    try:
        await api.wait_until(lambda: any(c[0] == "getUpdates" for c in api.calls), timeout=30)
        api.push_text(4242, "/start")
        await api.wait_messages(4242, 1, timeout=15)
        async with session_scope(engine, write=True) as session:  # reads then writes: lock up front
            account = await session.scalar(select(Account).join(ChannelIdentity).where(
                ChannelIdentity.external_hash == external_hash("telegram", 4242)))
            account.role = Role.STUDENT
            await enqueue(session, account.id, "parent_linked", "pl-1")
        await api.wait_messages(4242, 2, timeout=15)
        assert api.texts(4242) == ["Salut !", "Un parent est maintenant relié à ton compte : "
                                               "il pourra suivre tes candidatures."]
        proc.send_signal(signal.SIGTERM)
        out, _ = await asyncio.wait_for(proc.communicate(), 20)
        assert proc.returncode == 0, out.decode()
        assert "4242" not in (tmp_path / "logs" / "stack.log").read_text()
    finally:
        if proc.returncode is None:
            proc.kill()
        await engine.dispose()
        await rasa.stop()
        await api.stop()


async def test_a_refused_token_is_explained(tmp_path: Path) -> None:
    from tests.support.fakes.bot_api import FakeBotAPI
    api = FakeBotAPI()
    await api.start()
    await (await migrated_sqlite(tmp_path)).dispose()
    env = {**os.environ, "TREMPLIN_DATA_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}",
           "TELEGRAM_BOT_TOKEN": "999:wrong", "TELEGRAM_API_BASE_URL": api.base_url}
    try:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "bot", stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env,
            cwd=str(Path(stack.__file__).parents[1]))
        out, _ = await asyncio.wait_for(proc.communicate(), 30)
    finally:
        await api.stop()
    assert proc.returncode == 1 and "Telegram refuse le jeton" in out.decode()
