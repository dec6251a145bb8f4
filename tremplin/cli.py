"""The domain's command line: a small dispatcher over the modules of `tremplin.commands`.

    tremplin migrate                      schéma de la base à jour (alembic upgrade head)
    tremplin seed-demo                    migrate + données de démonstration
    tremplin stats [--json]               chiffres clés
    tremplin import-offers FICHIER [--dry-run]
    tremplin export-offers [--output FICHIER] [--status published]
    tremplin admin …                      rôle d'administrateur, jetons d'API des partenaires

The installed `tremplin` command is `bot/bootstrap.py`: these commands plus the front ends'
(run, chat, bot, notifier, reload-model, web), registered there so that the domain never imports
them. Every command uses DATABASE_URL (see `tremplin.settings`). To add a command, write a module
with ``register(subparsers)`` in `tremplin.commands` and list it in `COMMAND_MODULES`. Errors reach
the user as one French line on stderr with exit code 1 (refused or failed) or 2 (wrong usage)."""
from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import NoReturn

from tremplin.commands import EXIT_FAILURE, EXIT_USAGE, CommandError

COMMAND_MODULES = [
    "tremplin.commands.database",
    "tremplin.commands.offers",
    "tremplin.commands.admin",
]

_ARGPARSE_FR = [
    ("the following arguments are required", "arguments obligatoires manquants"),
    ("unrecognized arguments", "arguments inconnus"),
    ("invalid choice", "choix invalide"),
    ("choose from", "valeurs possibles :"),
    ("expected one argument", "une valeur est attendue"),
    ("argument ", "option "),
]


class FrenchArgumentParser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        for english, french in _ARGPARSE_FR:
            message = message.replace(english, french)
        self.exit(EXIT_USAGE, f"{self.prog} : {message} (voir « {self.prog} --help »)\n")


def build_parser(modules: Sequence[str] = COMMAND_MODULES) -> argparse.ArgumentParser:
    """The parser of every command registered by `modules` (module names, in help order)."""
    parser = FrenchArgumentParser(
        prog="tremplin", description="Tremplin : stages d'observation de 3e — outils d'administration.")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMANDE", parser_class=FrenchArgumentParser)
    for name in modules:
        importlib.import_module(name).register(subparsers)
    return parser


def describe_error(exc: BaseException) -> tuple[str, int]:
    """The French line and exit code for an error escaping a command."""
    from sqlalchemy.exc import DBAPIError, SQLAlchemyError

    from tremplin.io.tables import TableError
    from tremplin.services.errors import DomainError

    if isinstance(exc, CommandError):
        return exc.message, exc.code
    if isinstance(exc, TableError):
        return str(exc), EXIT_USAGE
    if isinstance(exc, DomainError):
        return exc.message, EXIT_FAILURE
    if isinstance(exc, KeyboardInterrupt):
        return "interrompu.", EXIT_FAILURE
    raw = str(getattr(exc, "orig", None) or exc).strip()
    text = raw.splitlines()[0] if raw else type(exc).__name__
    lowered = text.lower()
    if isinstance(exc, SQLAlchemyError) and ("no such table" in lowered or
                                             ("relation" in lowered and "does not exist" in lowered)):
        return "la base de données n'est pas initialisée : lancez d'abord « tremplin migrate ».", EXIT_FAILURE
    if isinstance(exc, (DBAPIError, OSError)) and not isinstance(exc, FileNotFoundError):
        return f"impossible d'utiliser la base de données ou le fichier : {text}", EXIT_FAILURE
    if isinstance(exc, FileNotFoundError):
        return f"fichier introuvable : {exc.filename}", EXIT_USAGE
    if isinstance(exc, SQLAlchemyError):
        return f"erreur de base de données : {text}", EXIT_FAILURE
    return f"erreur inattendue ({type(exc).__name__}) : {text}", EXIT_FAILURE


def main(argv: Sequence[str] | None = None, modules: Sequence[str] = COMMAND_MODULES) -> int:
    parser = build_parser(modules)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help (0) or a usage error (2), already printed
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return int(handler(args) or 0)
    except (Exception, KeyboardInterrupt) as exc:  # noqa: BLE001 - the user gets a sentence, not a traceback
        message, code = describe_error(exc)
        print(f"tremplin {args.command} : {message}", file=sys.stderr)
        return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
