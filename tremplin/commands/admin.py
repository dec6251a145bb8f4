"""`tremplin admin …`: the admin role (moderation, figures) is given here, on the command line, and
never by chat.

    tremplin admin grant --pseudonym u1a2b3c4d5e6     (the pseudonym is shown by « mes données »)
    tremplin admin grant-terminal                     the local terminal chat's account (demo)
    tremplin admin revoke --pseudonym u1a2b3c4d5e6
    tremplin admin list

A student account (a minor) can never become admin, nor an account tied to an employer."""
from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from tremplin.commands import EXIT_OK, EXIT_USAGE, CommandError, run_with_engine

if TYPE_CHECKING:
    from tremplin.models import Account

TERMINAL_CHANNEL = "terminal"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    admin = subparsers.add_parser("admin", help="donne ou retire le rôle d'administrateur (modération, chiffres)",
                                  description="Le rôle d'administrateur ne se donne qu'ici, jamais par la messagerie.")
    commands = admin.add_subparsers(dest="admin_command", metavar="ACTION", parser_class=type(admin))
    grant = commands.add_parser("grant", help="donne le rôle d'administrateur à un compte (par son pseudonyme)")
    grant.add_argument("--pseudonym", "--account-pseudonym", dest="pseudonym", required=True, metavar="PSEUDO",
                       help="pseudonyme du compte (affiché par « mes données » dans la conversation)")
    grant.set_defaults(handler=cmd_grant)

    terminal = commands.add_parser("grant-terminal", aliases=["grant-demo"],
                                   help="donne le rôle d'administrateur au compte du chat terminal local (démo)")
    terminal.set_defaults(handler=cmd_grant_terminal)

    revoke = commands.add_parser("revoke", help="retire le rôle d'administrateur")
    revoke.add_argument("--pseudonym", "--account-pseudonym", dest="pseudonym", required=True, metavar="PSEUDO")
    revoke.set_defaults(handler=cmd_revoke)

    listing = commands.add_parser("list", help="liste les comptes administrateurs")
    listing.set_defaults(handler=cmd_list)
    from tremplin.commands.partners import register_token_commands
    register_token_commands(commands)  # token-issue, token-revoke, token-list (partners' API)
    admin.set_defaults(handler=lambda args: _usage(admin))


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return EXIT_USAGE


async def _account_by_pseudonym(session: AsyncSession, pseudonym: str) -> Account:
    from sqlalchemy import select

    from tremplin.models import Account

    account = await session.scalar(select(Account).where(Account.pseudonym == (pseudonym or "").strip()))
    if account is None:
        raise CommandError(f"aucun compte avec le pseudonyme « {pseudonym} ».")
    return account


async def _make_admin(session: AsyncSession, account: Account) -> str:
    """Grant the role; returns the sentence to print."""
    from sqlalchemy import select

    from tremplin.models import Role, Student
    from tremplin.services.audit import audit

    if account.role is Role.ADMIN:
        return f"Le compte {account.pseudonym} est déjà administrateur."
    if account.role is Role.STUDENT or await session.scalar(select(Student.id).where(Student.account_id == account.id)):
        raise CommandError(f"le compte {account.pseudonym} est celui d'un élève : il ne peut pas être administrateur.")
    if account.employer_id is not None:
        raise CommandError(f"le compte {account.pseudonym} représente une entreprise : utilisez un compte distinct "
                           "pour l'administration.")
    previous = account.role.value if account.role else "aucun"
    account.role = Role.ADMIN
    audit(session, None, "admin_granted", f"account:{account.pseudonym}", previous_role=previous, by="cli")
    return f"Le compte {account.pseudonym} est maintenant administrateur (rôle précédent : {previous})."


def cmd_grant(args: argparse.Namespace) -> int:
    from tremplin.db import session_scope

    async def work(engine: AsyncEngine) -> str:
        async with session_scope(engine) as session:
            return await _make_admin(session, await _account_by_pseudonym(session, args.pseudonym))

    print(run_with_engine(work))
    return EXIT_OK


def cmd_grant_terminal(args: argparse.Namespace) -> int:
    """The terminal chat (`./scripts/run.sh` without Telegram) keeps its user id under the data directory."""
    from tremplin.db import session_scope
    from tremplin.privacy.identifiers import terminal_user_id
    from tremplin.services.accounts import get_or_create_account
    from tremplin.settings import get_settings

    user_id = terminal_user_id(get_settings().data_dir)

    async def work(engine: AsyncEngine) -> str:
        async with session_scope(engine) as session:
            account = await get_or_create_account(session, TERMINAL_CHANNEL, user_id, TERMINAL_CHANNEL)
            return await _make_admin(session, account)

    print(run_with_engine(work))
    print("Dans le chat terminal, écrivez « file de modération » ou « les chiffres ».")
    return EXIT_OK


def cmd_revoke(args: argparse.Namespace) -> int:
    from tremplin.db import session_scope
    from tremplin.models import Role
    from tremplin.services.audit import audit

    async def work(engine: AsyncEngine) -> str:
        async with session_scope(engine) as session:
            account = await _account_by_pseudonym(session, args.pseudonym)
            if account.role is not Role.ADMIN:
                raise CommandError(f"le compte {account.pseudonym} n'est pas administrateur.")
            account.role = None
            audit(session, None, "admin_revoked", f"account:{account.pseudonym}", by="cli")
            return f"Le compte {account.pseudonym} n'est plus administrateur."

    print(run_with_engine(work))
    return EXIT_OK


def cmd_list(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from tremplin.db import session_scope
    from tremplin.models import Account, Role

    async def work(engine: AsyncEngine) -> list[str]:
        async with session_scope(engine) as session:
            return list(await session.scalars(select(Account.pseudonym).where(Account.role == Role.ADMIN)
                                              .order_by(Account.pseudonym)))

    admins = run_with_engine(work)
    if not admins:
        print("Aucun administrateur : les signalements n'atteignent personne. "
              "Lancez « tremplin admin grant --pseudonym … ».")
        return EXIT_OK
    print(f"{len(admins)} administrateur{'s' if len(admins) > 1 else ''} :")
    for pseudonym in admins:
        print(f"  - {pseudonym}")
    return EXIT_OK
