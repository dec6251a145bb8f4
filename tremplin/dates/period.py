"""The `Period` value, the parse error and the French wording of dates shared by the dates package."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from tremplin.services.errors import DomainError

__all__ = ["Period", "DateParseError", "MONTH_NAMES", "WEEKDAY_NAMES", "french_date", "range_label",
           "week_label", "monday_of", "work_week", "EXAMPLES"]

MONTH_NAMES = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
               "septembre", "octobre", "novembre", "décembre")
WEEKDAY_NAMES = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")

# Appended to most error messages so the user always sees wordings that work.
EXAMPLES = ("« la semaine du 7 décembre », « du 11 au 15 janvier », « semaine 50 » "
            "ou « vacances de février »")


class DateParseError(DomainError):
    """The text could not be turned into stage weeks; `message` says why, in French, with an example."""


@dataclass(frozen=True)
class Period:
    """A stage period, both bounds included, with a French label ready to show."""

    start: date
    end: date
    label: str

    @property
    def days(self) -> int:
        """Calendar days covered, bounds included."""
        return (self.end - self.start).days + 1


def _day(d: date) -> str:
    return "1er" if d.day == 1 else str(d.day)


def french_date(d: date, *, year: bool = True, weekday: bool = False) -> str:
    """`8 décembre 2026`, `1er janvier`, `lundi 7 décembre 2026`."""
    text = f"{_day(d)} {MONTH_NAMES[d.month - 1]}" + (f" {d.year}" if year else "")
    return f"{WEEKDAY_NAMES[d.weekday()]} {text}" if weekday else text


def range_label(start: date, end: date) -> str:
    """`du 12 au 16 janvier 2027`, `du 29 juin au 3 juillet 2027`, `du 28 décembre 2026 au 1er janvier 2027`."""
    if start == end:
        return f"le {french_date(start)}"
    if start.year != end.year:
        return f"du {french_date(start)} au {french_date(end)}"
    if start.month != end.month:
        return f"du {french_date(start, year=False)} au {french_date(end)}"
    return f"du {_day(start)} au {french_date(end)}"


def week_label(monday: date) -> str:
    """`semaine du 7 au 11 décembre 2026` for the Monday–Friday week starting on `monday`."""
    return "semaine " + range_label(monday, monday + timedelta(days=4))


def monday_of(d: date) -> date:
    """The Monday of the stage week meant by `d`: its own week, or the next one for a Saturday/Sunday."""
    if d.weekday() >= 5:
        return d + timedelta(days=7 - d.weekday())
    return d - timedelta(days=d.weekday())


def work_week(monday: date, label: str | None = None) -> Period:
    """The Monday–Friday period starting on `monday`."""
    return Period(monday, monday + timedelta(days=4), label or week_label(monday))
