"""The `tremplin` command as installed (`[project.scripts]`, `python -m bot`): the one place that
wires the layers. The domain's commands (`tremplin.cli.COMMAND_MODULES`: database, offers, admin)
come first, then the front ends' (`bot/commands.py`: run, chat, bot, notifier, reload-model, web).

Layers go one way: `bot/` and `actions/` use `tremplin/`, never the reverse (tests/domain/test_layers.py).
`tremplin.cli.main` alone is the domain's command line, without the front ends."""
from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from tremplin import cli

COMMAND_MODULES = [*cli.COMMAND_MODULES, "bot.commands"]


def build_parser() -> argparse.ArgumentParser:
    return cli.build_parser(COMMAND_MODULES)


def main(argv: Sequence[str] | None = None) -> int:
    return cli.main(argv, COMMAND_MODULES)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
