"""Turn the stage period typed in French ("la semaine du 8 décembre", "S50", "vacances de février")
into `Period`s.

Rules: a single day means its Monday–Friday week (a Saturday or Sunday means the week after); a
range is kept as typed; without a year, the next occurrence on or after `today` is chosen (a week
number: the next such week not over yet); with an explicit year, a date before `today` is refused.
"""
from __future__ import annotations

import re
from datetime import date, timedelta

from tremplin.dates.holidays import holiday_weeks
from tremplin.dates.lexicon import (MONTH, TOKEN_RE, DatePart, clean, count_number, month_number, ordinal_number,
                                    read_part)
from tremplin.dates.period import (EXAMPLES, MONTH_NAMES, WEEKDAY_NAMES, DateParseError, Period, french_date,
                                   monday_of, range_label, week_label, work_week)

__all__ = ["parse_periods", "Period", "DateParseError"]

# Numbers that are not dates: hours ("9h30"), the class ("élève de 3e") and a count of pupils
# ("…, 1 place", "2 élèves"): an offer typed in one message ends with its places.
_IGNORED = re.compile(r"\b\d{1,2}\s*h\s*(?:\d{2})?\b|\b3\s*(?:e|eme)\b|"
                      r"\b\d{1,2}\s*(?:places?|eleves?|stagiaires?|jeunes?|postes?|personnes?|collegiens?)\b")
# "les semaines du 11 et du 18 janvier", "du 7 au 11 et du 14 au 18 déc.": the month said once, at the end.
_SHARED_MONTH = re.compile(rf"\b(\d{{1,2}})(?:er)?\s+(?:et|puis|ou|,)\s+(?=(?:(?:du|le|de)\s+)?\d{{1,2}}(?:er)?"
                           rf"(?:\s+(?:au|a)\s+\d{{1,2}})?\s+(?:de\s+)?({MONTH}))")


def parse_periods(text: str, today: date, zone: str | None = "A") -> list[Period]:
    """All the periods named in `text`, in the order typed, without duplicates.

    Raises `DateParseError` (a `DomainError` with a French message) when nothing, or only part of
    the text, can be read, when it is too vague (a month), past, impossible or needs the school zone.
    """
    cleaned = clean(text)
    while (shared := _SHARED_MONTH.search(cleaned)) is not None:
        cleaned = f"{cleaned[:shared.start()]}{shared[1]} {shared[2]} et {cleaned[shared.end():]}"
    periods: list[Period] = []
    months: list[int] = []  # a month alone is too vague, unless a precise period is given too
    leftover = cleaned
    for match in TOKEN_RE.finditer(cleaned):
        if match.lastgroup == "month":
            months.append(month_number(match["mname"]))
        else:
            periods.extend(_read(match, today, zone))
        leftover = leftover[:match.start()] + " " * (match.end() - match.start()) + leftover[match.end():]
    rest = _IGNORED.sub(" ", leftover)
    if not periods and months:
        raise _vague_month(months[0], today)
    if not periods or re.search(r"\d", rest):
        unread = " ".join(t for t in rest.split() if re.search(r"\d", t)) if periods else text.strip()
        raise DateParseError("date_unreadable", f"Je n'ai pas compris la date « {unread} ». "
                             f"Tu peux écrire par exemple {EXAMPLES}.")
    unique: list[Period] = []
    for period in periods:
        if all((p.start, p.end) != (period.start, period.end) for p in unique):
            unique.append(period)
    return unique


def _read(match: re.Match[str], today: date, zone: str | None) -> list[Period]:
    kind = match.lastgroup
    g = match.groupdict()
    if kind == "holiday":
        name = g["hname"] or "ete"
        rank = ordinal_number(g["hord"]) if g["hord"] else None
        year = int(g["hyear"]) if g["hyear"] else None
        return holiday_weeks(f"vacances {name}", today, zone, rank=rank, year=year)
    if kind in ("range", "between"):
        first, second = (g["r1"], g["r2"]) if kind == "range" else (g["e1"], g["e2"])
        return [_range(read_part(first), read_part(second), today)]
    if kind == "weeks":
        return _weeks(match.group(kind), g["wyear"], today)
    if kind == "relative":
        return [_relative(g, today)]
    if kind == "nth":
        return [_nth_week(ordinal_number(g["nord"]), month_number(g["nmonth"]), g["nyear"], today)]
    return [_week_of(read_part(match.group("single")), today)]


def _example(today: date) -> str:
    return f"« la semaine du {french_date(monday_of(today + timedelta(days=7)), year=False)} »"


def _past(start: date, today: date) -> DateParseError:
    return DateParseError("date_past", f"Le {french_date(start)} est déjà passé (nous sommes le "
                          f"{french_date(today)}). Indique une semaine à venir, par exemple {_example(today)}.")


def _make(year: int, month: int, day: int, *, typed_year: bool = True) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        shown = f" {year}" if typed_year else ""
        raise DateParseError("date_invalid", f"Le {day} {MONTH_NAMES[month - 1]}{shown} n'existe pas : "
                             f"peux-tu vérifier la date ? Par exemple {EXAMPLES}.") from None


def _check_month(part: DatePart) -> int:
    if part.month is None or not 1 <= part.month <= 12:
        raise DateParseError("date_invalid", "Je ne trouve pas de mois valable dans ta date : écris-la par exemple "
                             "« 8 décembre » ou « 08/12 ».")
    return part.month


def _check_weekday(part: DatePart, d: date) -> None:
    if part.weekday is not None and part.weekday != d.weekday():
        raise DateParseError("weekday_mismatch", f"Le {french_date(d)} est un {WEEKDAY_NAMES[d.weekday()]}, pas un "
                             f"{WEEKDAY_NAMES[part.weekday]} : peux-tu vérifier la date ?")


def _next_occurrence(part: DatePart, today: date) -> date:
    """The typed date; without a year, its next occurrence on or after `today`."""
    month = _check_month(part)
    if part.year is not None:
        typed = _make(part.year, month, part.day)
        if typed < today:
            raise _past(typed, today)
        return typed
    d: date | None = _make(today.year, month, part.day, typed_year=False) if (month, part.day) != (2, 29) else None
    if d is None or d < today:
        year = today.year + 1
        while (month, part.day) == (2, 29) and not _is_leap(year):
            year += 1
        d = _make(year, month, part.day, typed_year=False)
    return d


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def _week_of(part: DatePart, today: date) -> Period:
    d = _next_occurrence(part, today)
    _check_weekday(part, d)
    return work_week(monday_of(d))


def _range(first: DatePart, second: DatePart, today: date) -> Period:
    end_month = _check_month(second)
    start_month = first.month or (end_month if first.day <= second.day else (end_month - 2) % 12 + 1)
    first = DatePart(first.day, start_month, first.year, first.weekday)
    _check_month(first)
    wraps = (start_month, first.day) > (end_month, second.day)  # "du 28 décembre au 3 janvier"
    if second.year is not None:
        end = _make(second.year, end_month, second.day)
        start = _make(first.year or second.year - wraps, start_month, first.day)
        if start < today:
            raise _past(start, today)
    else:
        start = _next_occurrence(first, today)
        end = _make(start.year + wraps, end_month, second.day, typed_year=False)
    if end < start:
        raise DateParseError("date_order", f"La fin ({french_date(end)}) est avant le début ({french_date(start)}) : "
                             "peux-tu vérifier les dates ?")
    _check_weekday(first, start)
    _check_weekday(second, end)
    return Period(start, end, range_label(start, end))


def _weeks(text: str, year_text: str | None, today: date) -> list[Period]:
    if year_text:
        text = text[:text.rfind(year_text)]
    numbers: list[int] = []
    for first, dash, last in re.findall(r"(\d{1,2})(?:\s*(-|a\b|au\b)\s*(?:s\s?|sem\w*\s*)?(\d{1,2}))?", text):
        if not dash:
            numbers.append(int(first))
        else:  # "semaines 50 à 52", "S52-S2": every week of the span
            a, b = int(first), int(last)
            last = date(int(year_text) if year_text else today.year, 12, 28).isocalendar().week
            numbers.extend(range(a, b + 1) if a <= b else [*range(a, last + 1), *range(1, b + 1)])
    return [_week_number(n, int(year_text) if year_text else None, today) for n in numbers]


def _week_number(number: int, year: int | None, today: date) -> Period:
    if not 1 <= number <= 53:
        raise DateParseError("week_number_invalid", f"Il n'y a pas de semaine {number} : les semaines vont de 1 à 52 "
                             f"(parfois 53). Par exemple « semaine {today.isocalendar().week} ».")
    years = [year] if year is not None else [today.isocalendar().year, today.isocalendar().year + 1]
    for candidate in years:
        try:
            monday = date.fromisocalendar(candidate, number, 1)
        except ValueError:
            continue
        if year is not None and monday < today - timedelta(days=today.weekday()):
            raise _past(monday, today)
        if year is not None or monday + timedelta(days=4) >= today:
            return work_week(monday, f"semaine {number} ({range_label(monday, monday + timedelta(days=4))})")
    raise DateParseError("week_number_invalid", f"Il n'y a pas de semaine {number} en {years[-1]} : "
                         "peux-tu vérifier le numéro ?")


def _relative(g: dict[str, str | None], today: date) -> Period:
    this_monday = today - timedelta(days=today.weekday())
    if g["rthis"]:
        return work_week(monday_of(today))
    if g["rnext"] or g["rnext2"]:
        return work_week(this_monday + timedelta(days=7))
    count = count_number(g["rcount"] or "1")
    if (g["runit"] or "").startswith("jour"):
        return work_week(monday_of(today + timedelta(days=count)))
    return work_week(this_monday + timedelta(weeks=count))


def _nth_week(rank: int, month: int, year_text: str | None, today: date) -> Period:
    """The week starting on the `rank`-th Monday of the month (-1: the last Monday)."""
    year = int(year_text) if year_text else today.year
    for candidate in (year, year + 1):
        first = date(candidate, month, 1)
        mondays = [first + timedelta(days=(7 - first.weekday()) % 7 + 7 * i) for i in range(5)]
        mondays = [m for m in mondays if m.month == month]
        if not -len(mondays) <= rank <= len(mondays) or rank == 0:
            raise DateParseError("date_invalid", f"Il n'y a que {len(mondays)} semaines commençant en "
                                 f"{MONTH_NAMES[month - 1]} : choisis une semaine précise, "
                                 f"par exemple {_example(today)}.")
        monday = mondays[rank - 1 if rank > 0 else rank]
        if year_text and monday < today:
            raise _past(monday, today)
        if monday >= today or year_text:
            return work_week(monday, week_label(monday))
    raise AssertionError("unreachable")  # pragma: no cover


def month_span(text: str, today: date) -> Period | None:
    """"en février" → the whole next February not yet over. Too vague to publish an offer, but
    enough to *search* one; None unless the text names exactly one month and nothing more precise."""
    found = [m for m in TOKEN_RE.finditer(clean(text))]
    if len(found) != 1 or found[0].lastgroup != "month":
        return None
    month = month_number(found[0]["mname"])
    year = today.year if month >= today.month else today.year + 1
    following = date(year + (month == 12), month % 12 + 1, 1)
    return Period(date(year, month, 1), following - timedelta(days=1), f"en {MONTH_NAMES[month - 1]} {year}")


def _vague_month(month: int, today: date) -> DateParseError:
    monday = next(m for m in (date(y, month, 1) + timedelta(days=d) for y in (today.year, today.year + 1)
                              for d in range(31)) if m.weekday() == 0 and m.month == month and m >= today)
    name = MONTH_NAMES[month - 1]
    return DateParseError("date_vague", f"« {name.capitalize()} », c'est tout un mois, et un stage dure une semaine : "
                          f"quelle semaine de {name} ? Par exemple « la semaine du {french_date(monday, year=False)} » "
                          f"ou « semaine {monday.isocalendar().week} ».")
