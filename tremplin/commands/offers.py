"""`tremplin import-offers FILE [--dry-run]` and `tremplin export-offers [--output FILE] [--status S]`."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tremplin.commands import EXIT_FAILURE, EXIT_OK, EXIT_USAGE, CommandError, run_with_engine
from tremplin.models import OfferStatus


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    imp = subparsers.add_parser(
        "import-offers", help="importe une liste d'offres (CSV ou XLSX) : tout ou rien",
        description="Importe les offres d'un fichier CSV (; ou ,) ou XLSX, une offre par ligne. "
                    "Colonnes : siret, entreprise, commune, adresse, metier, titre, description, debut, "
                    "fin, places, environnements, vacances, transport. Si une seule ligne est refusée, "
                    "rien n'est importé. Les offres déjà présentes sont ignorées.")
    imp.add_argument("file", metavar="FICHIER", help="fichier .csv ou .xlsx")
    imp.add_argument("--dry-run", action="store_true", help="vérifie le fichier sans rien enregistrer")
    imp.set_defaults(handler=cmd_import_offers)

    exp = subparsers.add_parser("export-offers", help="exporte les offres en CSV (mêmes colonnes que l'import)")
    exp.add_argument("--output", "-o", metavar="FICHIER", help="fichier à écrire (par défaut : la sortie standard)")
    exp.add_argument("--status", choices=[s.value for s in OfferStatus],
                     help="seulement les offres dans cet état (par défaut : toutes)")
    exp.set_defaults(handler=cmd_export_offers)


def cmd_import_offers(args: argparse.Namespace) -> int:
    from tremplin.io.offers_csv import import_offers

    report = run_with_engine(lambda engine: import_offers(engine, args.file, dry_run=args.dry_run))
    stream = sys.stdout if report.ok else sys.stderr
    for line in report.summary_lines():
        print(line, file=stream)
    return EXIT_OK if report.ok else EXIT_FAILURE


def cmd_export_offers(args: argparse.Namespace) -> int:
    from tremplin.io.offers_csv import export_offers

    status = OfferStatus(args.status) if args.status else None
    if not args.output:
        run_with_engine(lambda engine: export_offers(engine, sys.stdout, status))
        return EXIT_OK
    target = Path(args.output)
    if not target.parent.is_dir():
        raise CommandError(f"dossier introuvable pour le fichier de sortie : {target.parent}", EXIT_USAGE)
    partial = target.with_name(target.name + ".partiel")
    # utf-8-sig: Excel then shows the accents right; written aside, then renamed, so that a
    # failure never leaves a truncated export behind.
    with open(partial, "w", encoding="utf-8-sig", newline="") as stream:
        try:
            count = run_with_engine(lambda engine: export_offers(engine, stream, status))
        except BaseException:
            stream.close()
            partial.unlink(missing_ok=True)
            raise
    partial.replace(target)
    print(f"{count} ligne{'s' if count > 1 else ''} écrite{'s' if count > 1 else ''} dans {target}.")
    return EXIT_OK
