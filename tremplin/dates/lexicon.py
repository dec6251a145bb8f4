"""French words and regular expressions for dates as people type them (accents stripped, SMS spellings)."""
from __future__ import annotations

import re
from dataclasses import dataclass

from unidecode import unidecode

__all__ = ["clean", "month_number", "ordinal_number", "count_number", "DatePart", "read_part", "TOKEN_RE"]

# Month spellings after `clean` (no accents): full names, common abbreviations.
_MONTHS = (r"janv(?:ier)?|jan", r"fevr(?:ier)?|fev", r"mars", r"avr(?:il)?", r"mai", r"juin",
           r"juil(?:let)?", r"aout", r"sept(?:embre)?|sep", r"oct(?:obre)?", r"nov(?:embre)?", r"dec(?:embre)?")
MONTH = r"(?:" + "|".join(_MONTHS) + r")\b\.?"
WEEKDAY = r"(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|lun|mar|mer|jeu|ven|sam|dim)\b\.?"
ORDINAL = (r"(?:[1-5](?:ere|re|er|eme|em|e|nde|nd)?|premiere|deuxieme|seconde|troisieme|quatrieme|cinquieme"
           r"|derniere)")
COUNT = r"(?:\d{1,2}|une?|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze|quinze)"
_WEEKDAYS = ("lun", "mar", "mer", "jeu", "ven", "sam", "dim")
_COUNTS = {"un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7, "huit": 8,
           "neuf": 9, "dix": 10, "onze": 11, "douze": 12, "quinze": 15}
_ORDINALS = {"premiere": 1, "deuxieme": 2, "seconde": 2, "troisieme": 3, "quatrieme": 4, "cinquieme": 5,
             "derniere": -1}

ISO_DATE = r"\d{4}-\d{1,2}-\d{1,2}"
NUM_DATE = r"\d{1,2}[/.]\d{1,2}(?:[/.]\d{2}(?:\d{2})?)?\b|\d{1,2}-\d{1,2}-\d{4}"
TEXT_DATE = rf"(?:{WEEKDAY}\s*)?\d{{1,2}}(?:er)?\s*(?:de\s+)?{MONTH}(?:\s*\d{{4}}\b)?"
DATE_FULL = rf"(?:{ISO_DATE}|{NUM_DATE}|{TEXT_DATE})"
DATE_PART = rf"(?:{DATE_FULL}|(?:{WEEKDAY}\s*)?\d{{1,2}}(?:er)?\b)"
# A number after "semaine" that is really a day ("semaine 8 décembre", "semaine 08/12", "semaine 12-16 janv").
_NOT_A_WEEK = rf"(?!\s*(?:[/.]\d|-\d{{1,2}}(?:-\d|\s*(?:de\s+)?{MONTH})|er\b|(?:de\s+)?{MONTH}))"
_WEEK_NO = rf"(?:(?:3[2-9]|[45]\d)\b|\d{{1,2}}\b{_NOT_A_WEEK})"  # 32 to 59 cannot be days
WEEK_NUM = rf"\b(?:semaines?|sem\b\.?|s\s?(?=\d))\s*(?:n\s*o\.?\s*|numero\s*)?{_WEEK_NO}"
WEEK_MORE = (rf"(?:\s*(?:,|et|ou|puis|&|/|-|a|au)\s*(?:la\s+|les\s+)?"
             rf"(?:{WEEK_NUM}|{_WEEK_NO}))*")
HOLIDAY_NAME = r"(?:fin\s+d\s+annee|grandes\s+vacances|[a-z]+)"

# Alternatives tried left to right at each position of the text; the first that matches wins.
TOKEN_RE = re.compile("|".join([
    rf"(?P<holiday>(?:(?P<hord>{ORDINAL})\s+semaine\s+(?:des|de|du|pendant\s+les)\s+)?"
    rf"(?:vacances\s+(?:scolaires\s+)?(?:de\s+la\s+|de\s+|d\s+|des\s+|du\s+)?(?P<hname>{HOLIDAY_NAME})"
    r"|grandes\s+vacances)"
    r"(?:\s+(?P<hyear>\d{4}))?)",
    rf"(?P<between>entre\s+(?:le\s+)?(?P<e1>{DATE_PART})\s+et\s+(?:le\s+)?(?P<e2>{DATE_FULL}))",
    rf"(?P<range>(?:(?:du|de)\s+)?(?:le\s+)?(?P<r1>{DATE_PART})\s*(?:au|a|-|jusqu\s+au|jusqu\s+a)\s*"
    rf"(?:le\s+)?(?P<r2>{DATE_FULL}))",
    rf"(?P<weeks>{WEEK_NUM}{WEEK_MORE}(?:\s*,?\s+(?:de\s+|en\s+)?(?P<wyear>\d{{4}})\b)?)",
    r"(?P<relative>(?:semaine|sem\b\.?)\s+(?P<rnext>prochaine|pro\b|suivante|d\s+apres)"
    r"|(?P<rnext2>prochaine\s+semaine)|(?P<rthis>cette\s+semaine|semaine\s+en\s+cours)"
    rf"|(?:dans|d\s+ici)\s+(?P<rcount>{COUNT})\s+(?P<runit>semaines?|jours?))",
    rf"(?P<nth>(?P<nord>{ORDINAL})\s+semaine\s+(?:du\s+mois\s+)?(?:de\s+|d\s+|en\s+)?(?P<nmonth>{MONTH})"
    r"(?:\s*(?P<nyear>\d{4})\b)?)",
    rf"(?P<single>{DATE_FULL})",
    r"(?P<month>(?:(?:en|au\s+mois\s+de|au\s+mois\s+d|mois\s+de|mois\s+d|debut|fin|mi|courant|milieu)"
    r"[\s-]*(?:de\s+|d\s+)?)?"
    rf"(?P<mname>{MONTH})(?:\s*\d{{4}}\b)?)",
]))


def clean(text: str) -> str:
    """Lower case, no accents, apostrophes and odd punctuation as spaces, one space between words."""
    text = re.sub(r"\b[nN]\s*[°º]\s*", "no ", text or "")
    text = unidecode(text).lower()
    text = re.sub(r"[\"'`()\[\]!?;:]", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def month_number(word: str) -> int:
    """`dec.` → 12, `fevrier` → 2."""
    word = word.strip(" .")
    for number, pattern in enumerate(_MONTHS, start=1):
        if re.fullmatch(pattern, word):
            return number
    raise ValueError(word)


def ordinal_number(word: str) -> int:
    """`1ere` → 1, `deuxieme` → 2, `derniere` → -1."""
    digits = re.match(r"\d", word)
    return int(digits.group()) if digits else _ORDINALS[word]


def count_number(word: str) -> int:
    """`3` → 3, `trois` → 3."""
    return int(word) if word.isdigit() else _COUNTS[word]


@dataclass(frozen=True)
class DatePart:
    """A date as typed: the month and year may be missing, the weekday is kept to be checked."""

    day: int
    month: int | None = None
    year: int | None = None
    weekday: int | None = None


def read_part(text: str) -> DatePart:
    """Read one `DATE_PART` match: `2027-01-12`, `12/01/27`, `lundi 8 dec 2026`, `12`."""
    text = text.strip()
    if m := re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text):
        return DatePart(int(m[3]), int(m[2]), int(m[1]))
    if m := re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{2,4}))?", text):
        year = int(m[3]) if m[3] else None
        return DatePart(int(m[1]), int(m[2]), year + 2000 if year is not None and year < 100 else year)
    m = re.fullmatch(rf"(?:(?P<wd>{WEEKDAY})\s*)?(?P<d>\d{{1,2}})(?:er)?(?:\s*(?:de\s+)?(?P<m>{MONTH})"
                     rf"(?:\s*(?P<y>\d{{4}}))?)?", text)
    if not m:
        raise ValueError(text)
    weekday = _WEEKDAYS.index(m["wd"][:3]) if m["wd"] else None
    return DatePart(int(m["d"]), month_number(m["m"]) if m["m"] else None,
                    int(m["y"]) if m["y"] else None, weekday)
