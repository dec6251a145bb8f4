"""The front ends' commands of `tremplin`, registered beside the domain's by `bot/bootstrap.py`:
`run` (the whole stack, with issue 13's `--rasa-replicas` / `--action-servers`), `chat` (terminal),
`bot` (Telegram), `notifier`, `reload-model` and `web`. Each parser's `handler` returns the exit code."""
from __future__ import annotations

import argparse
import asyncio

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
    """`tremplin run`: N Rasa servers, M action servers, the gateway (Telegram or terminal), the notifier."""
    from bot.stack import run
    return run(start_rasa=not args.no_rasa, replicas=args.rasa_replicas, action_servers=args.action_servers)


def reload_model(args: argparse.Namespace) -> int:
    """`tremplin reload-model`: the running stack loads the newest model, one replica at a time."""
    from bot.stack import request_reload
    message = request_reload()
    print(message)
    return 1 if message.startswith("aucun") else 0


def run_web(args: argparse.Namespace) -> int:
    """`tremplin web`: the web chat, widget, dashboard and partners' API (Rasa already running)."""
    from bot.web.launch import run_web
    return run_web(args.listen)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("run", help="lance tout : Rasa, actions, assistant et notifications")
    p.add_argument("--no-rasa", action="store_true",
                   help="ne pas démarrer Rasa ni les actions (déjà lancés ailleurs, RASA_URL)")
    p.add_argument("--rasa-replicas", type=int, default=None, metavar="N",
                   help="nombre de serveurs Rasa (défaut : TREMPLIN_RASA_REPLICAS, sinon 1)")
    p.add_argument("--action-servers", type=int, default=None, metavar="M",
                   help="nombre de serveurs d'actions, au plus N (défaut : TREMPLIN_ACTION_SERVERS, sinon 1)")
    p.set_defaults(handler=run_stack)
    p = subparsers.add_parser("chat", help="discuter avec l'assistant dans le terminal")
    p.add_argument("--no-greet", action="store_true", help="ne pas envoyer /start au démarrage")
    p.set_defaults(handler=run_chat)
    p = subparsers.add_parser("bot", help="le bot Telegram seul (TELEGRAM_BOT_TOKEN)")
    p.set_defaults(handler=run_bot)
    p = subparsers.add_parser("notifier", help="le livreur de notifications seul")
    p.add_argument("--once", action="store_true", help="livrer ce qui est dû puis s'arrêter")
    p.set_defaults(handler=run_notifier)
    p = subparsers.add_parser("reload-model", help="charge le dernier modèle dans « tremplin run », "
                              "une réplique de Rasa à la fois, sans perdre de message")
    p.set_defaults(handler=reload_model)
    p = subparsers.add_parser("web", help="lance le site web : discussion, tableau de bord, API des partenaires")
    p.add_argument("--listen", default=None, metavar="HÔTE:PORT",
                   help="adresse d'écoute (défaut : TREMPLIN_WEB_LISTEN ou 127.0.0.1:8080)")
    p.set_defaults(handler=run_web)
