"""All configuration comes from environment variables, read here and nowhere else."""
from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


def _env(name: str, default: str) -> str:
    value = os.environ.get(name, "").strip()
    return value or default


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    reference_dir: Path
    secret_key: str
    rasa_url: str
    telegram_token: str | None
    telegram_api_base_url: str
    redis_url: str  # REDIS_URL: Rasa's lock store when `tremplin run` starts several Rasa servers (bot/stack.py)
    log_level: str
    telegram_webhook_url: str | None = None   # set → webhook mode instead of long polling
    telegram_webhook_secret: str | None = None  # default derived from the secret key (bot/config.py)
    telegram_webhook_listen: str = "127.0.0.1:8443"
    action_server_url: str = "http://127.0.0.1:5055"
    rasa_timeout: float = 20.0
    # Rasa's tracker store (SQLAlchemy URL, sync driver): empty → derived from the app database.
    tracker_db_url: str = ""
    conversation_retention_days: int = 30
    school_year_end: tuple[int, int] = (7, 14)  # (month, day): application texts are blanked after it
    # `tremplin run` topology (issue 13): N Rasa servers on consecutive ports from the base port
    # (0 → the port of the first RASA_URL), M action servers from RASA_ACTION_SERVER_URL's port.
    rasa_replicas: int = 1
    action_servers: int = 1
    rasa_base_port: int = 0
    # RASA_URL is a Rasa deployed elsewhere: `tremplin run` starts neither Rasa nor actions.
    rasa_external: bool = False
    # A prefix of our own for Rasa's Redis locks (alphanumeric), so two stacks can share a Redis.
    lock_key_prefix: str = "tremplin"
    # Web side (bot/web): where it listens, the public address put in links, the API's rate limit.
    web_listen: str = "127.0.0.1:8080"
    web_beside: bool = True  # `tremplin run` serves the web side too (TREMPLIN_WEB=0: not)
    web_public_url: str = "http://127.0.0.1:8080"
    api_rate_per_minute: int = 120
    dashboard_link_minutes: int = 15
    # Telegram's messages per second for one bot token, and the notifier's part of it (bot/flood.py).
    telegram_max_rate: float = 30.0
    notifier_max_rate: float = 10.0

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def rasa_urls(self) -> list[str]:
        """RASA_URL may list several servers (comma-separated): the gateway routes over them."""
        return [u.strip().rstrip("/") for u in self.rasa_url.split(",") if u.strip()]

    @property
    def tracker_store_url(self) -> str:
        """Where Rasa keeps conversations, as Rasa's own SQLAlchemy 1.4 wants it (sync drivers).
        SQLite: a file of its own next to the app database, so Rasa's writes never take the app's
        lock. PostgreSQL: the app's database (Rasa only adds its `events` table)."""
        if self.tracker_db_url:
            return sync_database_url(self.tracker_db_url)
        if self.is_sqlite:
            return f"sqlite:///{self.data_dir / 'rasa-trackers.db'}"
        return sync_database_url(self.database_url)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Read the environment once; tests call `get_settings.cache_clear()` after changing it."""
    data_dir = Path(_env("TREMPLIN_DATA_DIR", str(REPO_ROOT / "var")))
    default_db = f"sqlite+aiosqlite:///{data_dir / 'tremplin.db'}"
    return Settings(
        data_dir=data_dir,
        database_url=normalise_database_url(_env("DATABASE_URL", default_db)),
        reference_dir=Path(_env("TREMPLIN_REFERENCE_DIR", str(REPO_ROOT / "data" / "reference"))),
        # The development key only protects demo data; production sets its own.
        secret_key=_env("TREMPLIN_SECRET_KEY", "tremplin-dev-key-change-me"),
        rasa_url=_env("RASA_URL", "http://127.0.0.1:5005"),
        telegram_token=os.environ.get("TELEGRAM_BOT_TOKEN") or None,
        telegram_api_base_url=_env("TELEGRAM_API_BASE_URL", "https://api.telegram.org/bot"),
        redis_url=_env("REDIS_URL", "redis://127.0.0.1:6379/0"),
        log_level=_env("TREMPLIN_LOG_LEVEL", "INFO"),
        telegram_webhook_url=os.environ.get("TELEGRAM_WEBHOOK_URL", "").strip() or None,
        telegram_webhook_secret=os.environ.get("TELEGRAM_WEBHOOK_SECRET", "").strip() or None,
        telegram_webhook_listen=_env("TELEGRAM_WEBHOOK_LISTEN", "127.0.0.1:8443"),
        action_server_url=_env("RASA_ACTION_SERVER_URL", "http://127.0.0.1:5055"),
        rasa_timeout=float(_env("TREMPLIN_RASA_TIMEOUT", "20")),
        tracker_db_url=_env("TREMPLIN_TRACKER_DB_URL", ""),
        conversation_retention_days=int(_env("TREMPLIN_CONVERSATION_RETENTION_DAYS", "30")),
        school_year_end=_month_day(_env("TREMPLIN_SCHOOL_YEAR_END", "07-14")),
        rasa_replicas=max(1, int(_env("TREMPLIN_RASA_REPLICAS", "1"))),
        action_servers=max(1, int(_env("TREMPLIN_ACTION_SERVERS", "1"))),
        rasa_base_port=int(_env("TREMPLIN_RASA_BASE_PORT", "0")),
        rasa_external=_env("TREMPLIN_RASA_EXTERNAL", "0").lower() in ("1", "true", "yes", "oui"),
        lock_key_prefix=_env("TREMPLIN_LOCK_KEY_PREFIX", "tremplin"),
        web_listen=_env("TREMPLIN_WEB_LISTEN", "127.0.0.1:8080"),
        web_beside=_env("TREMPLIN_WEB", "1") != "0",
        web_public_url=_env("TREMPLIN_WEB_URL", "http://" + _env("TREMPLIN_WEB_LISTEN", "127.0.0.1:8080")).rstrip("/"),
        api_rate_per_minute=int(_env("TREMPLIN_API_RATE_PER_MINUTE", "120")),
        dashboard_link_minutes=int(_env("TREMPLIN_DASHBOARD_LINK_MINUTES", "15")),
        telegram_max_rate=float(_env("TREMPLIN_TELEGRAM_RATE", "30")),
        notifier_max_rate=float(_env("TREMPLIN_NOTIFIER_RATE", "10")),
    )


def _month_day(value: str) -> tuple[int, int]:
    """« MM-DD » (e.g. 07-14): the day after which a school year is over."""
    month, day = (int(part) for part in value.split("-", 1))
    return month, day


def sync_database_url(url: str) -> str:
    """The same database for a synchronous client (Rasa's SQLAlchemy 1.4 with psycopg2 / sqlite3)."""
    for async_prefix, sync_prefix in (("postgresql+asyncpg://", "postgresql://"), ("postgres://", "postgresql://"),
                                      ("sqlite+aiosqlite://", "sqlite://")):
        if url.startswith(async_prefix):
            return sync_prefix + url[len(async_prefix):]
    return url


def normalise_database_url(url: str) -> str:
    """Accept the usual `postgresql://` and `sqlite:///` forms and pick the async drivers."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        return "postgresql+asyncpg://" + url[len("postgresql://"):]
    if url.startswith("sqlite:///"):
        return "sqlite+aiosqlite:///" + url[len("sqlite:///"):]
    return url
