"""`tremplin run`: starts the Rasa server and the action server (unless Rasa already answers),
waits for their health, then runs the gateway — Telegram with a token, the terminal chat without —
and the notifier in this process. Ctrl-C stops everything, children included."""
from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from urllib.parse import urlparse

from bot.config import bot_config
from bot.logs import log_dir, setup_logging
from bot.supervisor import Service, ServiceFailed, is_healthy, wait_healthy
from tremplin.settings import REPO_ROOT, get_settings

RASA_BIN = REPO_ROOT / ".venv-rasa" / "bin" / "rasa"
HEALTH_TIMEOUT = 300.0  # loading a Rasa model takes a while on a small machine


def say(text: str) -> None:
    print(f"[tremplin] {text}", flush=True)


def latest_model(models: Path = REPO_ROOT / "models") -> Path | None:
    found = sorted(models.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    return found[-1] if found else None


def endpoints_file(action_url: str) -> Path:
    """The repository's endpoints.yml if there is one, else a generated one pointing at our actions."""
    own = REPO_ROOT / "endpoints.yml"
    if own.exists():
        return own
    path = get_settings().data_dir / "rasa-endpoints.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f'action_endpoint:\n  url: "{action_url.rstrip("/")}/webhook"\n')
    return path


def rasa_services(model: Path) -> list[Service]:
    settings, config = get_settings(), bot_config()
    logs = log_dir()
    rasa_host = urlparse(settings.rasa_url).hostname or "127.0.0.1"
    rasa_port = str(urlparse(settings.rasa_url).port or 5005)
    action_port = str(urlparse(config.action_server_url).port or 5055)
    # `--connector rest`: the REST channel is what every front end speaks, with or without a
    # credentials.yml in the repository.
    argv = [str(RASA_BIN), "run", "--model", str(model), "--port", rasa_port, "-i", rasa_host,
            "--connector", "rest",
            "--endpoints", str(endpoints_file(config.action_server_url))]
    env = {"RASA_TELEMETRY_ENABLED": "false"}
    return [
        Service("actions", [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", action_port],
                config.action_server_url.rstrip("/") + "/health", logs / "actions.log", REPO_ROOT, env),
        Service("rasa", argv, settings.rasa_url.rstrip("/") + "/", logs / "rasa.log", REPO_ROOT, env),
    ]


async def _front_ends() -> int:
    from bot.runners import chat, telegram_with_notifier
    if get_settings().telegram_token:
        say("bot Telegram et notifications en route ; Ctrl-C pour tout arrêter")
        return await telegram_with_notifier()
    say("pas de TELEGRAM_BOT_TOKEN : discussion dans le terminal")
    return await chat(with_notifier=True)


async def _start(services: list[Service]) -> list[Service]:
    """Start what is not already answering (e.g. an action server left from another run)."""
    started = []
    for service in services:
        if await is_healthy(service.health_url):
            say(f"{service.name} répond déjà sur {service.health_url} : je l'utilise")
            continue
        say(f"démarrage de {service.name} (journal : {service.log_path})")
        service.start()
        started.append(service)
    say("attente de Rasa (le chargement du modèle peut prendre une minute)…")
    await wait_healthy(started, HEALTH_TIMEOUT, say)
    return started


def run(start_rasa: bool = True) -> int:
    settings = get_settings()
    # With Telegram the terminal shows the logs; the terminal chat keeps them in the file only.
    setup_logging("stack", console=bool(settings.telegram_token))
    say(f"journaux dans {log_dir()}")
    services: list[Service] = []
    try:
        if start_rasa and not asyncio.run(is_healthy(settings.rasa_url.rstrip("/") + "/")):
            model = latest_model()
            if model is None:
                say("aucun modèle Rasa entraîné dans models/ : entraînez-le d'abord "
                    "(.venv-rasa/bin/rasa train), puis relancez.")
                return 1
            services = rasa_services(model)  # all stopped in `finally`, even half-started
            services = asyncio.run(_start(services))
        elif start_rasa:
            say(f"Rasa répond déjà sur {settings.rasa_url} : je l'utilise tel quel")
        return asyncio.run(_front_ends())
    except ServiceFailed as exc:
        say(f"{exc.service.name} n'a pas démarré ({exc.reason}). Fin de son journal :")
        print(exc.service.log_tail(), flush=True)
        return 1
    except KeyboardInterrupt:
        return 130
    finally:
        for service in reversed(services):
            if service.exited is None:
                say(f"arrêt de {service.name}")
            service.stop()
