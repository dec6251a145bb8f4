"""Spreadsheet-like files as plain rows: CSV (encoding and delimiter guessed) or XLSX.

Schools send whatever their office suite produces: Excel's "CSV (séparateur : point-virgule)"
in Windows-1252, LibreOffice's UTF-8 with commas, or the .xlsx itself. This module hides the
differences and hands back a header and numbered rows (line numbers as the user sees them in
the spreadsheet, the header being line 1)."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

ENCODINGS = ("utf-8-sig", "cp1252")
DELIMITERS = ";,\t"


class TableError(Exception):
    """The file itself cannot be read (missing, empty, unknown format); message in French."""


@dataclass
class Table:
    header: list[str]
    rows: list[tuple[int, list[Any]]] = field(default_factory=list)  # (line number, cells)


def decode(raw: bytes) -> str:
    """UTF-8 (with or without BOM) when it decodes, else Windows-1252 (Excel's French default)."""
    for encoding in ENCODINGS:
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")  # pragma: no cover - cp1252 leaves only 5 bytes undefined


def sniff_delimiter(text: str) -> str:
    sample = "\n".join(text.splitlines()[:20])
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        first = text.splitlines()[0] if text else ""
        return max(DELIMITERS, key=first.count)


def _blank(cells: list[Any]) -> bool:
    return all(c is None or str(c).strip() == "" for c in cells)


def read_csv_text(text: str) -> Table:
    delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] | None = None
    table = Table(header=[])
    for line, cells in enumerate(reader, start=1):  # records, as numbered by the spreadsheet
        if header is None:
            if _blank(cells):
                continue
            header = [c.strip() for c in cells]
            table.header = header
            continue
        if not _blank(cells):
            table.rows.append((line, cells))
    if header is None:
        raise TableError("le fichier est vide.")
    return table


def read_xlsx(path: Path) -> Table:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a damaged file
        raise TableError(f"classeur Excel illisible ({exc}).") from exc
    try:
        sheet = workbook.worksheets[0]
        table: Table | None = None
        for line, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = list(values)
            if table is None:
                if _blank(cells):
                    continue
                table = Table(header=[str(c).strip() if c is not None else "" for c in cells])
            elif not _blank(cells):
                table.rows.append((line, cells))
    finally:
        workbook.close()
    if table is None:
        raise TableError("le classeur est vide.")
    return table


def read_table(path: str | Path) -> Table:
    path = Path(path)
    if not path.is_file():
        raise TableError(f"fichier introuvable : {path}")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return read_xlsx(path)
    if suffix == ".xls":
        raise TableError("l'ancien format Excel (.xls) n'est pas lu : enregistrez le fichier en .xlsx ou en CSV.")
    raw = path.read_bytes()
    if raw.startswith(b"PK\x03\x04"):  # an .xlsx under another name
        return read_xlsx(path)
    return read_csv_text(decode(raw))


def write_csv(stream: TextIO, header: list[str], rows: list[list[str]], delimiter: str = ";") -> None:
    writer = csv.writer(stream, delimiter=delimiter, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
