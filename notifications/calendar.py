"""Working calendars: which local days are working days for a person.

The public calendar comes from the `holidays` library for the country of the person's time
zone (Asia/Shanghai → CN, America/New_York → US, from the tz database's zone.tab; a zone with
no country, such as UTC, uses settings.KEEL_HOLIDAY_COUNTRY, default CN). For China the library
knows both the public holidays and the make-up workdays (调休, `weekend_workdays`), so a make-up
Saturday is a working day. The organisation's CalendarDay rows override the library, and a
person's Absence rows make their days non-working.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources

import holidays
from django.conf import settings

from notifications.models import Absence, CalendarDay


@lru_cache(maxsize=1)
def _zone_countries() -> dict[str, str]:
    mapping: dict[str, str] = {}
    try:
        text = resources.files("tzdata.zoneinfo").joinpath("zone.tab").read_text()
    except (ModuleNotFoundError, FileNotFoundError):  # pragma: no cover - tzdata is pinned
        return mapping
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        parts = line.split("\t")
        if len(parts) >= 3:
            mapping[parts[2]] = parts[0]
    return mapping


def country_for(timezone_name: str) -> str:
    return _zone_countries().get(timezone_name) or getattr(settings, "KEEL_HOLIDAY_COUNTRY", "CN")


@lru_cache(maxsize=64)
def _public_calendar(country: str, year: int) -> holidays.HolidayBase | None:
    try:
        return holidays.country_holidays(country, years=year)
    except NotImplementedError:
        return None


def public_workday(country: str, day: dt.date) -> bool:
    """The library's answer: weekends are off except make-up workdays, holidays are off."""
    calendar = _public_calendar(country, day.year)
    if calendar is None:
        return day.weekday() < 5
    return calendar.is_working_day(day)


class WorkCalendar:
    """Working days for a set of people over a date range, loaded with two queries."""

    def __init__(self, *, person_ids: Iterable[int], start: dt.date, end: dt.date):
        self.overrides: dict[tuple[dt.date, str], bool] = {
            (row.date, row.country): row.is_workday
            for row in CalendarDay.objects.filter(date__gte=start, date__lte=end)
        }
        self.absences: dict[int, list[tuple[dt.date, dt.date]]] = defaultdict(list)
        # (time zone, day) → working day or not: the same few answers for thousands of people.
        self._workdays: dict[tuple[str, dt.date], bool] = {}
        ids = list(person_ids)
        if ids:
            rows = Absence.objects.filter(start__lte=end, end__gte=start)
            if len(ids) <= 500:
                rows = rows.filter(person_id__in=ids)
            wanted = set(ids)
            for person_id, a_start, a_end in rows.values_list("person_id", "start", "end"):
                if person_id in wanted:
                    self.absences[person_id].append((a_start, a_end))

    def is_workday(self, *, timezone_name: str, day: dt.date) -> bool:
        key = (timezone_name, day)
        known = self._workdays.get(key)
        if known is None:
            known = self._workdays[key] = self._is_workday(timezone_name, day)
        return known

    def _is_workday(self, timezone_name: str, day: dt.date) -> bool:
        country = country_for(timezone_name)
        for key in ((day, country), (day, "")):
            if key in self.overrides:
                return self.overrides[key]
        return public_workday(country, day)

    def is_absent(self, person_id: int, day: dt.date) -> bool:
        return any(start <= day <= end for start, end in self.absences.get(person_id, ()))

    def available(self, *, person_id: int, timezone_name: str, day: dt.date) -> bool:
        return self.is_workday(timezone_name=timezone_name, day=day) and not self.is_absent(
            person_id, day
        )
