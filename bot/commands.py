"""Entry points of the front ends, wired into the `tremplin` CLI by `add_subcommands`:
`run` (the whole stack), `chat` (terminal), `bot` (Telegram), `notifier`."""
from __future__ import annotations

import argparse
import asyncio
from collections.abc import Sequence

from tremplin.settings import get_settings


def run_chat(args: argparse.Namespace) -> int:
    """`tremplin chat`: the terminal chat against an already running Rasa."""
    from bot.runners import chat
    try:
        return asyncio.run(chat(greet=not args.no_greet))
    except KeyboardInterrupt:
        return 130


def run_bot(args: argparse.Namespace) -> int:
    """`tremplin bot`: the Telegram gateway alone (polling, or webhook if TELEGRAM_WEBHOOK_URL)."""
    from bot.runners import telegram_bot
    if not get_settings().telegram_token:
        print("TELEGRAM_BOT_TOKEN n'est pas défini : impossible de lancer le bot Telegram.")
        return 2
    try:
        return asyncio.run(telegram_bot())
    except KeyboardInterrupt:
        return 130


def run_notifier(args: argparse.Namespace) -> int:
    """`tremplin notifier`: delivers the outbox (several may run against PostgreSQL)."""
    from bot.runners import notifier
    try:
        return asyncio.run(notifier(once=args.once))
    except KeyboardInterrupt:
        return 130


def run_stack(args: argparse.Namespace) -> int:
    """`tremplin run`: Rasa, the action server, the gateway (Telegram or terminal), the notifier."""
    from bot.stack import run
    return run(start_rasa=not args.no_rasa)


def add_subcommands(subparsers: argparse._SubParsersAction) -> None:
    """Register run/chat/bot/notifier; each parser's `func` returns the exit code."""
    p = subparsers.add_parser("run", help="lance tout : Rasa, actions, assistant et notifications")
    p.add_argument("--no-rasa", action="store_true",
                   help="ne pas démarrer Rasa ni les actions (déjà lancés ailleurs, RASA_URL)")
    p.set_defaults(func=run_stack)
    p = subparsers.add_parser("chat", help="discuter avec l'assistant dans le terminal")
    p.add_argument("--no-greet", action="store_true", help="ne pas envoyer /start au démarrage")
    p.set_defaults(func=run_chat)
    p = subparsers.add_parser("bot", help="le bot Telegram seul (TELEGRAM_BOT_TOKEN)")
    p.set_defaults(func=run_bot)
    p = subparsers.add_parser("notifier", help="le livreur de notifications seul")
    p.add_argument("--once", action="store_true", help="livrer ce qui est dû puis s'arrêter")
    p.set_defaults(func=run_notifier)


def main(argv: Sequence[str] | None = None) -> int:
    """Standalone use (`python -m bot …`) until the `tremplin` CLI wires these commands."""
    parser = argparse.ArgumentParser(prog="tremplin")
    add_subcommands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.func(args)
