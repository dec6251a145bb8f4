"""The front ends' view of the settings (all read from the environment by `tremplin.settings`)."""
from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from tremplin.settings import get_settings


@dataclass(frozen=True)
class BotConfig:
    webhook_url: str | None          # TELEGRAM_WEBHOOK_URL: public https URL; set → webhook mode
    webhook_secret: str              # TELEGRAM_WEBHOOK_SECRET: checked on every webhook call
    webhook_listen: str              # TELEGRAM_WEBHOOK_LISTEN: host:port the aiohttp server binds
    action_server_url: str           # RASA_ACTION_SERVER_URL: started by `tremplin run`
    rasa_timeout: float              # TREMPLIN_RASA_TIMEOUT: seconds for one Rasa answer
    retry_delays: tuple[float, ...]  # pauses between retries when Rasa is down (bounded)

    @property
    def listen_host(self) -> str:
        return self.webhook_listen.rsplit(":", 1)[0]

    @property
    def listen_port(self) -> int:
        return int(self.webhook_listen.rsplit(":", 1)[1])


def default_webhook_secret() -> str:
    """Derived from the secret key so that a deployment needs no extra secret to stay safe."""
    key = get_settings().secret_key.encode()
    return hmac.new(key, b"telegram-webhook", hashlib.sha256).hexdigest()[:48]


def bot_config() -> BotConfig:
    settings = get_settings()
    return BotConfig(
        webhook_url=settings.telegram_webhook_url,
        webhook_secret=settings.telegram_webhook_secret or default_webhook_secret(),
        webhook_listen=settings.telegram_webhook_listen,
        action_server_url=settings.action_server_url,
        rasa_timeout=settings.rasa_timeout,
        retry_delays=(2.0, 4.0, 8.0, 15.0, 30.0),
    )
