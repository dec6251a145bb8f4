"""Logging for the front ends: to a file under the data directory (the terminal stays readable),
never with a raw chat id or message text."""
from __future__ import annotations

import logging
import sys
from pathlib import Path

from tremplin.settings import get_settings


def log_dir() -> Path:
    path = get_settings().data_dir / "logs"
    path.mkdir(parents=True, exist_ok=True)
    return path


_configured: Path | None = None


def setup_logging(name: str, console: bool, force: bool = False) -> Path:
    """Log to var/logs/<name>.log, and to stderr too when nothing else is on the terminal.
    The first call wins (unless `force`): `tremplin run` decides for the parts it starts."""
    global _configured
    if _configured is not None and not force:
        return _configured
    path = log_dir() / f"{name}.log"
    _configured = path
    handlers: list[logging.Handler] = [logging.FileHandler(path, encoding="utf-8")]
    if console:
        handlers.append(logging.StreamHandler(sys.stderr))
    logging.basicConfig(level=get_settings().log_level.upper(), handlers=handlers, force=True,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # httpx logs every request URL, which contains the bot token: keep it quiet.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    # PTB's debug logs print whole updates (raw chat ids, texts): never below INFO.
    if logging.getLogger().level < logging.INFO:
        logging.getLogger("telegram").setLevel(logging.INFO)
    return path
