"""`tremplin run | chat | bot | notifier | reload-model`: the front ends live in `bot/`, registered
here; `run` gains the replica options of issue 13 (`--rasa-replicas`, `--action-servers`)."""
from __future__ import annotations

import argparse


def run_stack(args: argparse.Namespace) -> int:
    """`tremplin run`: N Rasa servers, M action servers, the gateway and the notifier."""
    from bot.stack import run
    return run(start_rasa=not args.no_rasa, replicas=args.rasa_replicas, action_servers=args.action_servers)


def reload_model(args: argparse.Namespace) -> int:
    """`tremplin reload-model`: the running stack loads the newest model, one replica at a time."""
    from bot.stack import request_reload
    message = request_reload()
    print(message)
    return 1 if message.startswith("aucun") else 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from bot.commands import add_subcommands

    before = set(subparsers.choices)
    add_subcommands(subparsers)
    for name in set(subparsers.choices) - before:
        parser = subparsers.choices[name]
        parser.set_defaults(handler=parser.get_default("func"))
    run = subparsers.choices["run"]
    run.add_argument("--rasa-replicas", type=int, default=None, metavar="N",
                     help="nombre de serveurs Rasa (défaut : TREMPLIN_RASA_REPLICAS, sinon 1)")
    run.add_argument("--action-servers", type=int, default=None, metavar="M",
                     help="nombre de serveurs d'actions, au plus N (défaut : TREMPLIN_ACTION_SERVERS, sinon 1)")
    run.set_defaults(handler=run_stack)
    p = subparsers.add_parser("reload-model", help="charge le dernier modèle dans « tremplin run », "
                              "une réplique de Rasa à la fois, sans perdre de message")
    p.set_defaults(handler=reload_model)
