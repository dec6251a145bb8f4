"""`tremplin run | chat | bot | notifier`: the front ends live in `bot/`, registered here."""
from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    from bot.commands import add_subcommands

    before = set(subparsers.choices)
    add_subcommands(subparsers)
    for name in set(subparsers.choices) - before:
        parser = subparsers.choices[name]
        parser.set_defaults(handler=parser.get_default("func"))
