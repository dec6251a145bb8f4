"""French school holidays by zone (from `data/reference/vacances_scolaires.json`) and département → zone.

In the JSON, `start` is the Saturday the holidays begin and `end` the day classes resume, so a
holiday's stage weeks are the Monday–Friday weeks between the two. The summer holidays only have a
start. Entries flagged `provisional` are estimates and are ignored unless asked for.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

from tremplin.dates.period import EXAMPLES, DateParseError, Period, french_date, range_label
from tremplin.services.errors import DomainError
from tremplin.text import normalize

__all__ = ["Holiday", "ZONES", "load_holidays", "find_holidays", "holiday_weeks", "zone_for_departement"]

ZONES = ("A", "B", "C")
FILE_NAME = "vacances_scolaires.json"
ORDINALS = ("1re", "2e", "3e", "4e")

# Académies of metropolitan France and their zone (Caen and Rouen form the académie de Normandie).
_ACADEMIES: dict[str, tuple[str, str]] = {
    "besancon": ("A", "25 39 70 90"), "bordeaux": ("A", "24 33 40 47 64"),
    "clermont-ferrand": ("A", "03 15 43 63"), "dijon": ("A", "21 58 71 89"),
    "grenoble": ("A", "07 26 38 73 74"), "limoges": ("A", "19 23 87"), "lyon": ("A", "01 42 69"),
    "poitiers": ("A", "16 17 79 86"),
    "aix-marseille": ("B", "04 05 13 84"), "amiens": ("B", "02 60 80"), "caen": ("B", "14 50 61"),
    "lille": ("B", "59 62"), "nancy-metz": ("B", "54 55 57 88"), "nantes": ("B", "44 49 53 72 85"),
    "nice": ("B", "06 83"), "orleans-tours": ("B", "18 28 36 37 41 45"), "reims": ("B", "08 10 51 52"),
    "rennes": ("B", "22 29 35 56"), "rouen": ("B", "27 76"), "strasbourg": ("B", "67 68"),
    "creteil": ("C", "77 93 94"), "montpellier": ("C", "11 30 34 48 66"), "paris": ("C", "75"),
    "toulouse": ("C", "09 12 31 32 46 65 81 82"), "versailles": ("C", "78 91 92 95"),
}
DEPARTEMENT_ZONES: dict[str, str] = {dep: zone for zone, deps in _ACADEMIES.values() for dep in deps.split()}


@dataclass(frozen=True)
class Holiday:
    """One holiday of one zone: from `start` (a Saturday) to `end` (the day classes resume)."""

    name: str
    keywords: tuple[str, ...]
    school_year: str
    start: date
    end: date | None
    provisional: bool = False

    @property
    def short_name(self) -> str:
        """`vacances de Noël` (the name without its capital V, for the middle of a sentence)."""
        return self.name[0].lower() + self.name[1:]

    def weeks(self) -> list[Period]:
        """Each Monday–Friday week of the holiday, labelled `1re semaine des vacances de Noël (…)`."""
        if self.end is None:
            return []
        monday = self.start + timedelta(days=(7 - self.start.weekday()) % 7)
        found: list[Period] = []
        while monday < self.end:
            friday = monday + timedelta(days=4)
            rank = ORDINALS[len(found)] if len(found) < len(ORDINALS) else f"{len(found) + 1}e"
            label = f"{rank} semaine des {self.short_name} ({range_label(monday, friday)})"
            found.append(Period(monday, friday, label))
            monday += timedelta(days=7)
        return found


def reference_dir() -> Path:
    """`TREMPLIN_REFERENCE_DIR` through the settings, else `data/reference` of the repository."""
    try:
        from tremplin.settings import get_settings
        return get_settings().reference_dir
    except Exception:  # pragma: no cover - settings unavailable (scripts outside the app)
        return Path(__file__).resolve().parents[2] / "data" / "reference"


@lru_cache(maxsize=4)
def _load(path: Path) -> dict[str, tuple[Holiday, ...]]:
    raw = json.loads(path.read_text(encoding="utf-8"))
    zones: dict[str, tuple[Holiday, ...]] = {}
    for zone, rows in raw["zones"].items():
        zones[zone] = tuple(sorted((Holiday(
            name=row["name"], keywords=tuple(normalize(k) for k in row["keywords"]),
            school_year=row.get("school_year", ""), start=date.fromisoformat(row["start"]),
            end=date.fromisoformat(row["end"]) if row.get("end") else None,
            provisional=bool(row.get("provisional", False))) for row in rows), key=lambda h: h.start))
    return zones


def load_holidays(path: Path | None = None) -> dict[str, tuple[Holiday, ...]]:
    """All holidays by zone, sorted by start date (cached per file)."""
    return _load(path or reference_dir() / FILE_NAME)


def _check_zone(zone: str | None) -> str | None:
    if zone is None:
        return None
    zone = zone.strip().upper().removeprefix("ZONE").strip()
    if zone not in ZONES:
        raise ValueError(f"unknown school zone {zone!r}")
    return zone


def find_holidays(name_or_keyword: str, zone: str | None, *, include_provisional: bool = False,
                  path: Path | None = None) -> list[Holiday]:
    """Holidays whose name or a keyword matches, in date order, for `zone` (None: zone A, after checking
    that the holiday is the same in every zone, else `DateParseError('zone_needed')`)."""
    wanted = f" {normalize(name_or_keyword)} "
    zone = _check_zone(zone)
    table = load_holidays(path)

    def matches(h: Holiday) -> bool:
        ok = wanted.strip() == normalize(h.name) or any(f" {k} " in wanted for k in h.keywords)
        return ok and (include_provisional or not h.provisional)

    picked = [h for h in table[zone or "A"] if matches(h)]
    if zone is None:
        per_zone = {z: [(h.start, h.end) for h in table[z] if matches(h)] for z in ZONES}
        if len({tuple(v) for v in per_zone.values()}) > 1:
            name = picked[0].short_name if picked else "ces vacances"
            raise DateParseError("zone_needed", f"Les {name} n'ont pas lieu aux mêmes dates dans toute la France : "
                                 "dis-moi ta ville ou ton département (ou ta zone A, B ou C), ou donne "
                                 "directement la semaine, par exemple « la semaine du 15 février ».")
    return picked


def holiday_weeks(name_or_keyword: str, today: date, zone: str | None = "A", *, rank: int | None = None,
                  year: int | None = None, include_provisional: bool = False,
                  path: Path | None = None) -> list[Period]:
    """The Monday–Friday weeks of the next such holiday not over yet (weeks already begun are dropped).

    `rank` picks one week (1 = first, -1 = last); `year` the holiday starting that year.
    """
    holidays = find_holidays(name_or_keyword, zone, include_provisional=include_provisional, path=path)
    if year is not None:
        holidays = [h for h in holidays if h.start.year == year]
    if not holidays:
        raise DateParseError("holiday_unknown", f"Je ne trouve pas ces vacances (« {name_or_keyword} »). Je connais "
                             "les vacances de la Toussaint, de Noël, d'hiver (février), de printemps (Pâques) et "
                             f"d'été ; tu peux aussi donner une semaine précise, par exemple {EXAMPLES}.")
    for holiday in holidays:
        if holiday.end is None:
            if holiday.start >= today or holiday is holidays[-1]:
                monday = holiday.start + timedelta(days=2)
                raise DateParseError("date_vague", f"Les vacances d'été commencent le {french_date(holiday.start)} et "
                                     "durent deux mois : indique une semaine précise, par exemple « la semaine du "
                                     f"{french_date(monday, year=False)} ».")
            continue
        weeks = holiday.weeks()
        if rank is not None:
            if not -len(weeks) <= rank <= len(weeks) or rank == 0:
                raise DateParseError("holiday_week_unknown", f"Les {holiday.short_name} ne durent que "
                                     f"{len(weeks)} semaines : choisis la 1re ou la {len(weeks)}e.")
            weeks = [weeks[rank - 1 if rank > 0 else rank]]
        weeks = [w for w in weeks if w.start >= today]
        if weeks:
            return weeks
    if year is not None:
        raise DateParseError("date_past", f"Les {holidays[-1].short_name} {year} sont déjà passées. "
                             f"Donne-moi une semaine à venir, par exemple {EXAMPLES}.")
    raise DateParseError("holiday_unknown", f"Je n'ai pas encore le calendrier des prochaines "
                         f"{holidays[-1].short_name}. Donne-moi plutôt les dates, par exemple « du 15 au 19 février ».")


def zone_for_departement(dep: str) -> str:
    """`'42'` → `'A'`; accepts `1`, `01`, `"42 Loire"`, a 5-digit postcode. Corsica and overseas raise `DomainError`."""
    code = normalize(dep).split(" ")[0].upper() if dep else ""
    if len(code) == 5 and code.isdigit():
        code = code[:2] if not code.startswith(("97", "98")) else code[:3]
    if code.isdigit() and len(code) == 1:
        code = "0" + code
    if code in DEPARTEMENT_ZONES:
        return DEPARTEMENT_ZONES[code]
    if code in {"2A", "2B", "20"} or code.startswith(("97", "98")):
        raise DomainError("zone_outside", "Ton département a son propre calendrier de vacances (hors zones A, B, C) : "
                          "donne-moi directement la semaine de ton stage, par exemple « la semaine du 7 décembre ».")
    raise DomainError("departement_unknown", f"Je ne connais pas le département « {dep} » : "
                      "écris son numéro, par exemple « 42 » pour la Loire.")
