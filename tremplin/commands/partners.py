"""`tremplin admin token-…`: partners' API tokens, issued and revoked here only, shown once, stored
hashed. (`tremplin web`, the site that checks them, is a front end: `bot/commands.py`.)"""
from __future__ import annotations

import argparse

from sqlalchemy.ext.asyncio import AsyncEngine

from tremplin.commands import EXIT_OK, CommandError, run_with_engine


def register_token_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Added under `tremplin admin`."""
    issue = commands.add_parser("token-issue", help="crée un jeton d'accès à l'API pour un partenaire")
    issue.add_argument("--name", required=True, metavar="NOM", help="nom du partenaire (ex. « CMA Loire »)")
    issue.set_defaults(handler=cmd_token_issue)
    revoke = commands.add_parser("token-revoke", help="révoque un jeton d'accès à l'API")
    revoke.add_argument("--id", dest="token_id", type=int, required=True, metavar="N")
    revoke.set_defaults(handler=cmd_token_revoke)
    listing = commands.add_parser("token-list", help="liste les jetons d'accès à l'API")
    listing.set_defaults(handler=cmd_token_list)


def cmd_token_issue(args: argparse.Namespace) -> int:
    from tremplin.db import session_scope
    from tremplin.services.partners import issue_token

    async def work(engine: AsyncEngine) -> tuple[int, str]:
        async with session_scope(engine) as session:
            partner, token = await issue_token(session, args.name)
            return partner.id, token

    token_id, token = run_with_engine(work)
    print(f"Jeton n° {token_id} créé pour « {args.name} ». Copiez-le maintenant, il ne sera plus affiché :")
    print(token)
    return EXIT_OK


def cmd_token_revoke(args: argparse.Namespace) -> int:
    from tremplin.db import session_scope
    from tremplin.services.errors import NotFound
    from tremplin.services.partners import revoke_token

    async def work(engine: AsyncEngine) -> str:
        async with session_scope(engine) as session:
            try:
                partner = await revoke_token(session, args.token_id)
            except NotFound as exc:
                raise CommandError(exc.message) from None
            return partner.name

    name = run_with_engine(work)
    print(f"Jeton n° {args.token_id} (« {name} ») révoqué : l'API le refuse désormais.")
    return EXIT_OK


def cmd_token_list(args: argparse.Namespace) -> int:
    from tremplin.db import session_scope
    from tremplin.services.partners import list_tokens

    async def work(engine: AsyncEngine) -> list[str]:
        async with session_scope(engine) as session:
            return [f"  n° {p.id} · {p.name} · {p.prefix}… · "
                    + (f"révoqué le {p.revoked_at:%d/%m/%Y}" if p.revoked_at else "actif")
                    for p in await list_tokens(session)]

    lines = run_with_engine(work)
    print("\n".join(lines) if lines else "Aucun jeton d'API.")
    return EXIT_OK
