"""Reading stage periods typed in French, school holidays by zone, and the stage rules."""
from __future__ import annotations

import json
from datetime import date, time
from pathlib import Path

import pytest

from tremplin.dates import DateParseError, Period, holiday_weeks, month_span, parse_periods, zone_for_departement
from tremplin.dates.holidays import DEPARTEMENT_ZONES, find_holidays, load_holidays
from tremplin.dates.rules import (age_on, check_age_for_private_host, check_daily_schedule, check_period_for_stage,
                                  check_weekly_hours, working_days)
from tremplin.services.errors import DomainError
from tremplin.settings import get_settings

TODAY = date(2026, 11, 24)  # a Tuesday, school year 2026-2027
D = date.fromisoformat


def spans(periods: list[Period]) -> list[tuple[str, str]]:
    return [(p.start.isoformat(), p.end.isoformat()) for p in periods]


WEEK_DEC_7 = [("2026-12-07", "2026-12-11")]
JAN_12_16 = [("2027-01-12", "2027-01-16")]

PARSE_CASES = [
    # a day names its Monday–Friday week
    ("la semaine du 8 décembre", WEEK_DEC_7),
    ("semaine du 08/12", WEEK_DEC_7),
    ("le 8 décembre", WEEK_DEC_7),
    ("Semaine du 8 dec", WEEK_DEC_7),
    ("sem du 8 déc.", WEEK_DEC_7),
    ("semaine 8 décembre", WEEK_DEC_7),
    ("le 7/12/2026", WEEK_DEC_7),
    ("le samedi 12 décembre", [("2026-12-14", "2026-12-18")]),  # a weekend day: the week after
    ("le 12 janv", [("2027-01-11", "2027-01-15")]),
    ("12-01-2027", [("2027-01-11", "2027-01-15")]),
    ("le 1er fevrier", [("2027-02-01", "2027-02-05")]),
    ("le 19 novembre", [("2027-11-15", "2027-11-19")]),  # already past this year: next year
    # ranges are kept as typed
    ("du 12 au 16 janvier", JAN_12_16),
    ("du 12 janvier au 16 janvier 2027", JAN_12_16),
    ("12/01 - 16/01", JAN_12_16),
    ("du 12/01/2027 au 16/01/2027", JAN_12_16),
    ("2027-01-12 au 2027-01-16", JAN_12_16),
    ("du 12-16 janvier", JAN_12_16),
    ("du 29 juin au 3 juillet", [("2027-06-29", "2027-07-03")]),
    ("du 29 au 3 juillet", [("2027-06-29", "2027-07-03")]),
    ("du 28 décembre au 1er janvier", [("2026-12-28", "2027-01-01")]),
    ("du lundi 7 au vendredi 11 décembre", WEEK_DEC_7),
    ("entre le 7 et le 11 décembre", WEEK_DEC_7),
    ("du 1er au 5 fevrier", [("2027-02-01", "2027-02-05")]),
    ("du 8 au 12 mars 2027", [("2027-03-08", "2027-03-12")]),
    # week numbers (ISO)
    ("semaine 50", WEEK_DEC_7),
    ("S50", WEEK_DEC_7),
    ("semaine n°50", WEEK_DEC_7),
    ("sem 3", [("2027-01-18", "2027-01-22")]),
    ("sem. 3", [("2027-01-18", "2027-01-22")]),
    ("semaine 3 2027", [("2027-01-18", "2027-01-22")]),
    ("semaine 48", [("2026-11-23", "2026-11-27")]),  # the current week is not over yet
    ("semaine 47", [("2027-11-22", "2027-11-26")]),  # over: next year
    # relative to today
    ("la semaine prochaine", [("2026-11-30", "2026-12-04")]),
    ("la semaine pro", [("2026-11-30", "2026-12-04")]),
    ("dans 3 semaines", [("2026-12-14", "2026-12-18")]),
    ("dans trois semaines", [("2026-12-14", "2026-12-18")]),
    ("dans quinze jours", WEEK_DEC_7),
    ("cette semaine", [("2026-11-23", "2026-11-27")]),
    # a week of a month
    ("la 1ère semaine de mars", [("2027-03-01", "2027-03-05")]),
    ("la dernière semaine de janvier", [("2027-01-25", "2027-01-29")]),
    # school holidays, zone A by default
    ("pendant les vacances de février", [("2027-02-15", "2027-02-19"), ("2027-02-22", "2027-02-26")]),
    ("vacances d'hiver", [("2027-02-15", "2027-02-19"), ("2027-02-22", "2027-02-26")]),
    ("vacances de noël", [("2026-12-21", "2026-12-25"), ("2026-12-28", "2027-01-01")]),
    ("vacances de noel", [("2026-12-21", "2026-12-25"), ("2026-12-28", "2027-01-01")]),
    ("vacances de printemps", [("2027-04-12", "2027-04-16"), ("2027-04-19", "2027-04-23")]),
    ("vacances de pâques", [("2027-04-12", "2027-04-16"), ("2027-04-19", "2027-04-23")]),
    ("la 1ère semaine des vacances de février", [("2027-02-15", "2027-02-19")]),
    ("la 2e semaine des vacances d'hiver", [("2027-02-22", "2027-02-26")]),
    ("la dernière semaine des vacances de Noël", [("2026-12-28", "2027-01-01")]),
    # several periods in one message
    ("la semaine du 8 décembre et celle du 12 janvier", WEEK_DEC_7 + [("2027-01-11", "2027-01-15")]),
    ("semaines 50 et 3", WEEK_DEC_7 + [("2027-01-18", "2027-01-22")]),
    ("S50 et S51", WEEK_DEC_7 + [("2026-12-14", "2026-12-18")]),
    ("semaines 50, 51 et 3", WEEK_DEC_7 + [("2026-12-14", "2026-12-18"), ("2027-01-18", "2027-01-22")]),
    ("du 7 au 11 décembre ou du 11 au 15 janvier", WEEK_DEC_7 + [("2027-01-11", "2027-01-15")]),
    ("semaine 50 et semaine du 8 décembre", WEEK_DEC_7),  # the same week twice is kept once
    ("du 8 au 12 décembre de 9h à 17h", [("2026-12-08", "2026-12-12")]),  # hours are ignored
    ("stage de 3e du 7 au 11 décembre", WEEK_DEC_7),
    ("semaines 50 à 52", WEEK_DEC_7 + [("2026-12-14", "2026-12-18"), ("2026-12-21", "2026-12-25")]),
    ("sem 50-51", WEEK_DEC_7 + [("2026-12-14", "2026-12-18")]),
    ("S52-S1", [("2026-12-21", "2026-12-25"), ("2026-12-28", "2027-01-01"), ("2027-01-04", "2027-01-08")]),
    ("semaine 50, 2026", WEEK_DEC_7),
    ("semaine 12-16 janvier", JAN_12_16),  # a range of days, not week 12
    ("semaine 51 de décembre", [("2026-12-14", "2026-12-18")]),  # the month only adds context
]


@pytest.mark.parametrize(("text", "expected"), PARSE_CASES, ids=[c[0] for c in PARSE_CASES])
def test_parse_periods(text: str, expected: list[tuple[str, str]]) -> None:
    assert spans(parse_periods(text, TODAY)) == expected


def test_enough_expressions_are_covered() -> None:
    assert len(PARSE_CASES) >= 30


@pytest.mark.parametrize(("text", "label"), [
    ("la semaine du 8 décembre", "semaine du 7 au 11 décembre 2026"),
    ("du 12 au 16 janvier", "du 12 au 16 janvier 2027"),
    ("du 29 juin au 3 juillet", "du 29 juin au 3 juillet 2027"),
    ("du 28 décembre au 1er janvier", "du 28 décembre 2026 au 1er janvier 2027"),
    ("semaine 50", "semaine 50 (du 7 au 11 décembre 2026)"),
    ("la 1ère semaine des vacances de février", "1re semaine des vacances d'hiver (du 15 au 19 février 2027)"),
])
def test_labels_are_french(text: str, label: str) -> None:
    assert parse_periods(text, TODAY)[0].label == label


def test_weekday_names_are_checked_against_the_date() -> None:
    # In 2025 the 8 December is a Monday, in 2026 a Tuesday.
    assert spans(parse_periods("du lundi 8 au vendredi 12 décembre", date(2025, 11, 24))) == [
        ("2025-12-08", "2025-12-12")]
    with pytest.raises(DateParseError) as err:
        parse_periods("du lundi 8 au vendredi 12 décembre", TODAY)
    assert err.value.code == "weekday_mismatch"
    assert "Le 8 décembre 2026 est un mardi, pas un lundi" in err.value.message


def test_period_is_a_frozen_value() -> None:
    period = parse_periods("semaine 50", TODAY)[0]
    with pytest.raises(AttributeError):
        period.start = TODAY  # type: ignore[misc]
    assert period.days == 5


@pytest.mark.parametrize(("text", "code", "words"), [
    ("en mars", "date_vague", ["tout un mois", "quelle semaine de mars", "la semaine du 1er mars", "semaine 9"]),
    ("mars", "date_vague", ["quelle semaine de mars"]),
    ("début janvier", "date_vague", ["quelle semaine de janvier"]),
    ("mi-mars", "date_vague", ["quelle semaine de mars"]),
    ("vacances d'été", "date_vague", ["3 juillet 2027", "semaine précise"]),
    ("la semaine du 8 décembre 2025", "date_past", ["8 décembre 2025 est déjà passé", "24 novembre 2026"]),
    ("du 12/01/2026 au 16/01/2026", "date_past", ["déjà passé"]),
    ("semaine 50 de 2025", "date_past", ["déjà passé"]),
    ("vacances de février 2026", "date_past", ["déjà passées"]),
    ("bientôt", "date_unreadable", ["Je n'ai pas compris la date « bientôt »", "semaine 50"]),
    ("du 12 au 16", "date_unreadable", ["du 12 au 16", "du 11 au 15 janvier"]),
    ("le 8 décembre et le 12", "date_unreadable", ["« 12 »"]),
    ("", "date_unreadable", ["Je n'ai pas compris"]),
    ("31 février", "date_invalid", ["Le 31 février n'existe pas"]),
    ("semaine 60", "week_number_invalid", ["pas de semaine 60"]),
    ("semaine 53 2027", "week_number_invalid", ["pas de semaine 53 en 2027"]),
    ("du 16/01/2027 au 12/01/2027", "date_order", ["avant le début"]),
    ("la 3e semaine des vacances de noël", "holiday_week_unknown", ["ne durent que 2 semaines"]),
    ("vacances de la Toussaint", "holiday_unknown", ["vacances de la Toussaint"]),  # 2027 not confirmed yet
    ("pendant les vacances scolaires", "holiday_unknown", ["Toussaint, de Noël, d'hiver"]),
])
def test_parse_errors_explain_in_french(text: str, code: str, words: list[str]) -> None:
    with pytest.raises(DateParseError) as err:
        parse_periods(text, TODAY)
    assert isinstance(err.value, DomainError)
    assert err.value.code == code
    for word in words:
        assert word in err.value.message


def test_holidays_depend_on_the_zone() -> None:
    assert spans(parse_periods("vacances de février", TODAY, zone="C")) == [
        ("2027-02-08", "2027-02-12"), ("2027-02-15", "2027-02-19")]
    assert spans(parse_periods("vacances de février", TODAY, zone="B")) == [
        ("2027-02-22", "2027-02-26"), ("2027-03-01", "2027-03-05")]
    assert spans(parse_periods("vacances de printemps", TODAY, zone="C"))[0] == ("2027-04-05", "2027-04-09")
    # Christmas is the same everywhere, so no zone is needed; winter holidays are not.
    assert spans(parse_periods("vacances de noël", TODAY, zone=None))[0] == ("2026-12-21", "2026-12-25")
    with pytest.raises(DateParseError) as err:
        parse_periods("vacances de février", TODAY, zone=None)
    assert err.value.code == "zone_needed" and "département" in err.value.message


def test_holiday_weeks_lookup() -> None:
    weeks = holiday_weeks("toussaint", date(2026, 9, 1), "A")
    assert spans(weeks) == [("2026-10-19", "2026-10-23"), ("2026-10-26", "2026-10-30")]
    assert weeks[0].label == "1re semaine des vacances de la Toussaint (du 19 au 23 octobre 2026)"
    # During the holidays only the weeks not begun yet are offered.
    assert spans(holiday_weeks("noel", date(2026, 12, 22), "B")) == [("2026-12-28", "2027-01-01")]
    assert spans(holiday_weeks("Vacances d'hiver", date(2025, 12, 1), "A")) == [
        ("2026-02-09", "2026-02-13"), ("2026-02-16", "2026-02-20")]
    assert spans(holiday_weeks("hiver", TODAY, "A", rank=-1)) == [("2027-02-22", "2027-02-26")]
    # Provisional years (2027-2028) are only used on request.
    assert spans(holiday_weeks("toussaint", TODAY, "A", include_provisional=True))[0][0].startswith("2027-10")
    with pytest.raises(DateParseError):
        holiday_weeks("carnaval", TODAY, "A")


def test_shipped_calendar_is_consistent() -> None:
    path = get_settings().reference_dir / "vacances_scolaires.json"
    raw = json.loads(path.read_text(encoding="utf-8"))
    assert raw["source"] and set(raw["zones"]) == {"A", "B", "C"}
    table = load_holidays(path)
    for zone, holidays in table.items():
        years = {h.school_year for h in holidays}
        assert years == {"2025-2026", "2026-2027", "2027-2028"}, zone
        for h in holidays:
            assert h.start.weekday() == 5, (zone, h)  # begins on a Saturday
            assert h.end is None or h.end.weekday() in (0, 1) and 9 <= (h.end - h.start).days <= 17, (zone, h)
        assert len([h for h in holidays if h.end is None]) == 3  # one summer per school year
    # Toussaint and Noël are national; winter and spring holidays are staggered by zone.
    for name in ("toussaint", "noel"):
        assert len({tuple((h.start, h.end) for h in find_holidays(name, z)) for z in "ABC"}) == 1
    winters = {z: [h.start for h in find_holidays("hiver", z)] for z in "ABC"}
    assert winters["A"][1] == D("2027-02-13") and winters["C"][1] == D("2027-02-06")
    assert len({w[1] for w in winters.values()}) == 3


def test_reference_dir_comes_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = {"source": "test", "zones": {z: [{"name": "Vacances d'hiver", "keywords": ["hiver"],
                                             "start": "2030-02-09", "end": "2030-02-18"}] for z in "ABC"}}
    (tmp_path / "vacances_scolaires.json").write_text(json.dumps(data), encoding="utf-8")
    monkeypatch.setenv("TREMPLIN_REFERENCE_DIR", str(tmp_path))
    get_settings.cache_clear()
    assert spans(holiday_weeks("hiver", TODAY, "A")) == [("2030-02-11", "2030-02-15")]


@pytest.mark.parametrize(("dep", "zone"), [
    ("42", "A"), ("71", "A"), ("69", "A"), ("1", "A"), ("01", "A"), ("33", "A"), ("42000", "A"),
    ("59", "B"), ("13", "B"), ("67", "B"), ("14", "B"), ("76", "B"), ("44", "B"),
    ("75", "C"), ("93", "C"), ("31", "C"), ("34", "C"), ("78", "C"), ("42 Loire", "A"),
])
def test_zone_for_departement(dep: str, zone: str) -> None:
    assert zone_for_departement(dep) == zone


def test_every_metropolitan_departement_has_a_zone() -> None:
    expected = {f"{n:02d}" for n in range(1, 96) if n != 20}
    assert set(DEPARTEMENT_ZONES) == expected
    assert sum(1 for z in DEPARTEMENT_ZONES.values() if z == "A") == 32
    for dep, code in (("2A", "zone_outside"), ("974", "zone_outside"), ("99", "departement_unknown")):
        with pytest.raises(DomainError) as err:
            zone_for_departement(dep)
        assert err.value.code == code


# ---- rules ---------------------------------------------------------------------------------------

def period(start: str, end: str) -> Period:
    return Period(D(start), D(end), "test")


def test_period_rules() -> None:
    assert check_period_for_stage(period("2026-12-07", "2026-12-11"), TODAY) == []
    assert check_period_for_stage(period("2026-12-05", "2026-12-13"), TODAY) == []  # a week and its weekends
    past = check_period_for_stage(period("2026-11-16", "2026-11-20"), TODAY)
    assert len(past) == 1 and "déjà passée" in past[0]
    too_long = check_period_for_stage(period("2026-12-07", "2026-12-14"), TODAY)
    assert any("6 jours de semaine" in p and "5 jours au plus" in p for p in too_long)
    weekend = check_period_for_stage(period("2026-12-12", "2026-12-13"), TODAY)
    assert weekend and "week-end" in weekend[0]
    spread = check_period_for_stage(period("2026-12-12", "2026-12-24"), TODAY)
    assert any("13 jours" in p and "12 jours" in p for p in spread)
    assert check_period_for_stage(period("2026-12-11", "2026-12-07"), TODAY) == [
        "La fin de la période est avant son début."]
    assert working_days(D("2026-12-07"), D("2026-12-13")) == 5


def test_daily_schedule_rules() -> None:
    assert check_daily_schedule(time(9), time(16), 14) == []
    assert check_daily_schedule(time(8, 30), time(17), 14, break_minutes=90) == []
    early = check_daily_schedule(time(5, 30), time(12), 14)
    assert early == ["Un stagiaire de 14 ans ne peut pas être présent avant 6 h (arrivée prévue à 5 h 30)."]
    late = check_daily_schedule(time(14), time(20, 30), 15)
    assert any("après 20 h" in p for p in late)
    long_day = check_daily_schedule(time(8), time(17), 14)
    assert any("9 h" in p and "plus de 7 h par jour" in p for p in long_day)
    no_break = check_daily_schedule(time(8), time(14), 14, break_minutes=0)
    assert any("pause d'au moins 30 minutes" in p for p in no_break)
    assert check_daily_schedule(time(12), time(9), 14) == ["L'heure de départ doit être après l'heure d'arrivée."]


def test_weekly_hours_rules() -> None:
    assert check_weekly_hours([6, 6, 6, 6, 6], 14) == []
    under_15 = check_weekly_hours([7, 7, 7, 7, 4], 14)
    assert under_15 == ["Avant 15 ans, un stagiaire ne peut pas être présent plus de 30 heures par semaine (ici 32 h)."]
    assert check_weekly_hours([7, 7, 7, 7, 4], 15) == []
    from_15 = check_weekly_hours([7, 7, 7, 7, 7.5], 15)
    assert any("plus de 7 h par jour" in p for p in from_15)
    assert any("À partir de 15 ans" in p and "35 heures" in p for p in from_15)
    six_days = check_weekly_hours([5, 5, 5, 5, 5, 3], 15)
    assert any("6 jours" in p for p in six_days)
    assert check_weekly_hours([6, 6, 0, 6, 6, 0, 0], 14) == []  # days off do not count


def test_age_rules() -> None:
    assert age_on(D("2012-12-07"), D("2026-12-07")) == 14
    assert age_on(D("2012-12-08"), D("2026-12-07")) == 13
    assert age_on(D("2012-02-29"), D("2026-02-28")) == 13
    assert age_on(D("2012-02-29"), D("2026-03-01")) == 14
    assert check_age_for_private_host(D("2012-12-07"), D("2026-12-07")) == []
    problems = check_age_for_private_host(D("2012-12-08"), D("2026-12-07"))
    assert len(problems) == 1
    assert "13 ans" in problems[0] and "à partir de 14 ans" in problems[0] and "association" in problems[0]


def test_month_span_reads_one_month_for_a_search():
    today = date(2026, 11, 26)
    assert month_span("en février", today) == Period(date(2027, 2, 1), date(2027, 2, 28), "en février 2027")
    assert month_span("novembre", today).start == date(2026, 11, 1)  # the month not over yet
    assert month_span("decembre", today).end == date(2026, 12, 31)
    assert month_span("semaine du 8 février", today) is None and month_span("février ou mars", today) is None


def test_places_at_the_end_of_an_offer_are_not_dates():
    """« …, 1 place »: the count of pupils is never read as a day."""
    periods = parse_periods("du 7 au 11 décembre, 1 place", date(2026, 12, 1))
    assert [(p.start, p.end) for p in periods] == [(date(2026, 12, 7), date(2026, 12, 11))]
    assert len(parse_periods("2 élèves la semaine du 18 janvier", date(2026, 12, 1))) == 1


def test_a_month_said_once_for_two_weeks():
    weeks = [(date(2027, 1, 11), date(2027, 1, 15)), (date(2027, 1, 18), date(2027, 1, 22))]
    for text in ("les semaines du 11 et du 18 janvier", "le 11 ou le 18 janvier"):
        assert [(p.start, p.end) for p in parse_periods(text, date(2026, 12, 1))] == weeks
    ranges = parse_periods("du 7 au 11 et du 14 au 18 décembre", date(2026, 12, 1))
    assert [(p.start, p.end) for p in ranges] == [(date(2026, 12, 7), date(2026, 12, 11)),
                                                  (date(2026, 12, 14), date(2026, 12, 18))]
