"""Dates of the stage: reading French period expressions, school holidays by zone, and the stage rules."""
from __future__ import annotations

from tremplin.dates.holidays import holiday_weeks, zone_for_departement
from tremplin.dates.parse import month_span, parse_periods
from tremplin.dates.period import DateParseError, Period

__all__ = ["DateParseError", "Period", "holiday_weeks", "month_span", "parse_periods", "zone_for_departement"]
