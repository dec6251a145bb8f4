"""`tremplin migrate`, `tremplin seed-demo` and `tremplin stats`."""
from __future__ import annotations

import argparse
import json
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from tremplin.commands import EXIT_OK, database_url, run_with_engine

_SEED_LABELS = {"employers": "employeurs", "offers": "offres", "schools": "collèges", "classes": "classes",
                "teachers": "professeurs", "students": "élèves", "applications": "candidatures"}


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    migrate = subparsers.add_parser("migrate", help="crée ou met à jour le schéma de la base (alembic upgrade head)")
    migrate.set_defaults(handler=cmd_migrate)

    seed = subparsers.add_parser("seed-demo", help="met la base à jour puis ajoute les données de démonstration")
    seed.set_defaults(handler=cmd_seed_demo)

    stats = subparsers.add_parser("stats", help="chiffres clés : employeurs, offres, places, candidatures, élèves")
    stats.add_argument("--json", action="store_true", help="sortie JSON (pour les tableaux de bord)")
    stats.set_defaults(handler=cmd_stats)


def _migrate() -> None:
    from tremplin.migrate import upgrade

    upgrade(database_url())


def cmd_migrate(args: argparse.Namespace) -> int:
    _migrate()
    print("Base de données à jour.")
    return EXIT_OK


def cmd_seed_demo(args: argparse.Namespace) -> int:
    from tremplin.seed.demo import seed_demo

    _migrate()
    counts = run_with_engine(seed_demo)
    if not any(counts.values()):
        print("Données de démonstration déjà présentes : rien de nouveau.")
        return EXIT_OK
    details = ", ".join(f"{count} {_SEED_LABELS.get(key, key)}" for key, count in counts.items())
    print(f"Données de démonstration ajoutées : {details}.")
    return EXIT_OK


def cmd_stats(args: argparse.Namespace) -> int:
    from tremplin.db import session_scope
    from tremplin.services.stats import compute_stats, format_stats

    async def work(engine: AsyncEngine) -> dict[str, Any]:
        async with session_scope(engine) as session:
            return await compute_stats(session)

    stats = run_with_engine(work)
    print(json.dumps(stats, ensure_ascii=False, indent=2) if args.json else format_stats(stats))
    return EXIT_OK
