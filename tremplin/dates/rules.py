"""Rules of the stage d'observation de 3e that Tremplin enforces on dates, hours and age.

Each `check_*` returns the list of problems in plain French (empty list: all good), so the bot can
show them all at once. Tremplin applies the same limits whatever the pupil's age, except the weekly
total (30 h before 15, 35 h from 15).
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from tremplin.dates.period import Period, french_date

__all__ = ["MAX_WORKING_DAYS", "MAX_CALENDAR_DAYS", "EARLIEST_START", "LATEST_END", "MAX_HOURS_PER_DAY",
           "MAX_HOURS_PER_WEEK_UNDER_15", "MAX_HOURS_PER_WEEK_FROM_15", "WEEKLY_AGE_THRESHOLD",
           "MAX_DAYS_PER_WEEK", "MIN_AGE_PRIVATE_HOST", "BREAK_AFTER_HOURS", "BREAK_MINUTES",
           "check_period_for_stage", "check_daily_schedule", "check_weekly_hours", "max_weekly_hours",
           "age_on", "check_age_for_private_host", "working_days"]

MAX_WORKING_DAYS = 5            # a stage d'observation lasts one school week
MAX_CALENDAR_DAYS = 12          # first to last day, both included (a week and its two weekends)
EARLIEST_START = time(6, 0)     # no presence before 6:00 ...
LATEST_END = time(20, 0)        # ... nor after 20:00
MAX_HOURS_PER_DAY = 7.0
MAX_HOURS_PER_WEEK_UNDER_15 = 30.0
MAX_HOURS_PER_WEEK_FROM_15 = 35.0
WEEKLY_AGE_THRESHOLD = 15
MAX_DAYS_PER_WEEK = 5
MIN_AGE_PRIVATE_HOST = 14       # age reached on the first day of the stage
BREAK_AFTER_HOURS = 4.5         # a minor gets a break of at least 30 minutes after 4 h 30
BREAK_MINUTES = 30


def _hours(value: float) -> str:
    """`7 h`, `7 h 30`."""
    minutes = round(value * 60)
    return f"{minutes // 60} h" + (f" {minutes % 60:02d}" if minutes % 60 else "")


def _clock(t: time) -> str:
    return f"{t.hour} h" + (f" {t.minute:02d}" if t.minute else "")


def working_days(start: date, end: date) -> int:
    """Mondays to Fridays between `start` and `end`, both included (public holidays not removed)."""
    return sum(1 for i in range((end - start).days + 1) if (start + timedelta(days=i)).weekday() < 5)


def check_period_for_stage(period: Period, today: date) -> list[str]:
    """Not in the past, in order, at least one and at most 5 working days, at most 12 calendar days."""
    problems: list[str] = []
    if period.end < period.start:
        return ["La fin de la période est avant son début."]
    if period.start < today:
        problems.append(f"La période commence le {french_date(period.start)}, une date déjà passée : "
                        "un stage se prévoit à l'avance.")
    days = working_days(period.start, period.end)
    if days == 0:
        problems.append("La période ne contient que des jours de week-end : un stage d'observation se fait "
                        "du lundi au vendredi.")
    elif days > MAX_WORKING_DAYS:
        problems.append(f"La période compte {days} jours de semaine : un stage d'observation dure "
                        f"{MAX_WORKING_DAYS} jours au plus.")
    if period.days > MAX_CALENDAR_DAYS:
        problems.append(f"La période s'étale sur {period.days} jours : elle ne peut pas dépasser "
                        f"{MAX_CALENDAR_DAYS} jours du premier au dernier jour.")
    return problems


def check_daily_schedule(start: time, end: time, age: int, *, break_minutes: int | None = None) -> list[str]:
    """Presence between 6:00 and 20:00, 7 h a day at most (break deducted when given), and, when the
    break is given, 30 minutes of break after 4 h 30. `age` is kept for the messages and future rules."""
    problems: list[str] = []
    if end <= start:
        return ["L'heure de départ doit être après l'heure d'arrivée."]
    if start < EARLIEST_START:
        problems.append(f"Un stagiaire de {age} ans ne peut pas être présent avant {_clock(EARLIEST_START)} "
                        f"(arrivée prévue à {_clock(start)}).")
    if end > LATEST_END:
        problems.append(f"Un stagiaire de {age} ans ne peut pas être présent après {_clock(LATEST_END)} "
                        f"(départ prévu à {_clock(end)}).")
    presence = (datetime.combine(date.min, end) - datetime.combine(date.min, start)).total_seconds() / 3600
    worked = presence - (break_minutes or 0) / 60
    if worked > MAX_HOURS_PER_DAY:
        detail = "pauses déduites" if break_minutes else "pause non indiquée, donc comptée"
        problems.append(f"De {_clock(start)} à {_clock(end)}, cela fait {_hours(worked)} ({detail}) : un stagiaire "
                        f"ne peut pas être présent plus de {_hours(MAX_HOURS_PER_DAY)} par jour.")
    if break_minutes is not None and presence > BREAK_AFTER_HOURS and break_minutes < BREAK_MINUTES:
        problems.append(f"Après {_hours(BREAK_AFTER_HOURS)} de présence, un stagiaire doit avoir une pause d'au "
                        f"moins {BREAK_MINUTES} minutes.")
    return problems


def max_weekly_hours(age: int) -> float:
    """30 h before 15, 35 h from 15."""
    return MAX_HOURS_PER_WEEK_UNDER_15 if age < WEEKLY_AGE_THRESHOLD else MAX_HOURS_PER_WEEK_FROM_15


def check_weekly_hours(hours_per_day: list[float], age: int) -> list[str]:
    """At most 5 days, 7 h a day, 30 h a week before 15 and 35 h from 15."""
    problems: list[str] = []
    days = [h for h in hours_per_day if h]
    if any(h < 0 for h in hours_per_day):
        problems.append("Un nombre d'heures ne peut pas être négatif.")
    if len(days) > MAX_DAYS_PER_WEEK:
        problems.append(f"Le planning compte {len(days)} jours : un stagiaire vient {MAX_DAYS_PER_WEEK} jours "
                        "au plus dans la semaine.")
    for number, hours in enumerate(hours_per_day, start=1):
        if hours > MAX_HOURS_PER_DAY:
            problems.append(f"Jour {number} : {_hours(hours)} prévues, alors qu'un stagiaire ne peut pas être "
                            f"présent plus de {_hours(MAX_HOURS_PER_DAY)} par jour.")
    total, limit = sum(h for h in hours_per_day if h > 0), max_weekly_hours(age)
    if total > limit:
        who = (f"Avant {WEEKLY_AGE_THRESHOLD} ans" if age < WEEKLY_AGE_THRESHOLD
               else f"À partir de {WEEKLY_AGE_THRESHOLD} ans")
        heures = _hours(limit).replace(" h", " heures")
        problems.append(f"{who}, un stagiaire ne peut pas être présent plus de {heures} par semaine "
                        f"(ici {_hours(total)}).")
    return problems


def age_on(birth_date: date, on_date: date) -> int:
    """Age in whole years on `on_date` (someone born on 29 February turns a year older on 1 March)."""
    return on_date.year - birth_date.year - ((on_date.month, on_date.day) < (birth_date.month, birth_date.day))


def check_age_for_private_host(birth_date: date, stage_start: date) -> list[str]:
    """A company (private host) takes pupils who are 14 or more on the first day of the stage."""
    age = age_on(birth_date, stage_start)
    if age >= MIN_AGE_PRIVATE_HOST:
        return []
    return [f"Le {french_date(stage_start)}, premier jour du stage, l'élève aura {age} ans : une entreprise privée "
            f"n'accueille un stagiaire qu'à partir de {MIN_AGE_PRIVATE_HOST} ans ce jour-là. Avant "
            f"{MIN_AGE_PRIVATE_HOST} ans, le stage se fait dans une administration, un établissement public "
            "ou une association."]
