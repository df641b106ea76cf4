"""Date arithmetic of the rule pack: months with clamping, document ages, day windows, working days.

Conventions follow RULES.md §0.2–§0.6. Everything here is pure and total on valid dates.
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
import enum
import functools
from collections.abc import Iterable

ONE_DAY = dt.timedelta(days=1)


def add_months(day: dt.date, months: int) -> dt.date:
    """Same day-of-month ``months`` later (earlier if negative), clamped to the month end (§0.2).

    Args:
        day: The anchor date.
        months: Number of months to add; may be negative.

    Returns:
        The shifted date.

    >>> add_months(dt.date(2027, 8, 31), -6)
    datetime.date(2027, 2, 28)
    >>> add_months(dt.date(2028, 2, 29), 12)
    datetime.date(2029, 2, 28)
    >>> add_months(dt.date(2027, 11, 30), 3)
    datetime.date(2028, 2, 29)
    """
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def last_anchor(limit: dt.date, months: int) -> dt.date:
    """The last date ``d`` with ``add_months(d, months) <= limit`` (``months`` >= 0).

    Used to turn "valid until application + N months" into the last application date that passes.

    >>> last_anchor(dt.date(2029, 2, 28), 12)
    datetime.date(2028, 2, 29)
    >>> last_anchor(dt.date(2027, 9, 1), 12)
    datetime.date(2026, 9, 1)
    """
    day = add_months(limit, -months)
    while add_months(day + ONE_DAY, months) <= limit:
        day += ONE_DAY
    return day


class AgeMethod(enum.StrEnum):
    """How "not older than N months" is counted (§0.3)."""

    M1 = "M1"
    """Anchor the issue date: valid through ``add_months(issue, N)``."""
    M2 = "M2"
    """Anchor the application date: pass iff ``issue >= add_months(application, -N)``."""
    M3 = "M3"
    """Judicial Code style: valid through ``add_months(issue + 1 day, N) - 1 day``."""


@dataclasses.dataclass(frozen=True, slots=True)
class AgeCheck:
    """Outcome of a document-age check under the chosen method, with the other methods' view."""

    passes: bool
    valid_through: dt.date
    """Last application date that passes under the chosen method."""
    outcomes: dict[AgeMethod, bool]
    """Outcome under each method (kept visible for review)."""

    @property
    def boundary_note(self) -> str:
        """Empty when all methods agree, else which methods accept and which reject."""
        if len(set(self.outcomes.values())) < 2:
            return ""
        accept = ", ".join(m for m, ok in self.outcomes.items() if ok)
        reject = ", ".join(m for m, ok in self.outcomes.items() if not ok)
        return (
            f"month-end boundary: counting methods disagree ({accept} accept, {reject} reject); a person should decide"
        )


def age_valid_through(issue: dt.date, months: int, method: AgeMethod) -> dt.date:
    """Last application date on which a document issued on ``issue`` is at most ``months`` old.

    >>> age_valid_through(dt.date(2027, 2, 28), 6, AgeMethod.M1)
    datetime.date(2027, 8, 28)
    >>> age_valid_through(dt.date(2027, 2, 28), 6, AgeMethod.M2)
    datetime.date(2027, 8, 31)
    >>> age_valid_through(dt.date(2027, 2, 28), 6, AgeMethod.M3)
    datetime.date(2027, 8, 31)
    """
    if method is AgeMethod.M1:
        return add_months(issue, months)
    if method is AgeMethod.M3:
        return add_months(issue + ONE_DAY, months) - ONE_DAY
    # M2: the last application date whose N-months-earlier date is still <= issue.
    day = add_months(issue, months)
    while add_months(day + ONE_DAY, -months) <= issue:
        day += ONE_DAY
    return day


def check_age(issue: dt.date, application: dt.date, months: int, method: AgeMethod = AgeMethod.M1) -> AgeCheck:
    """Is a document issued on ``issue`` at most ``months`` old on ``application`` (inclusive)?

    >>> c = check_age(dt.date(2025, 2, 18), dt.date(2025, 8, 18), 6)
    >>> c.passes, c.valid_through, c.boundary_note
    (True, datetime.date(2025, 8, 18), '')
    >>> c = check_age(dt.date(2027, 2, 28), dt.date(2027, 8, 31), 6)
    >>> c.passes, c.outcomes[AgeMethod.M2], bool(c.boundary_note)
    (False, True, True)
    """
    outcomes = {m: application <= age_valid_through(issue, months, m) for m in AgeMethod}
    return AgeCheck(outcomes[method], age_valid_through(issue, months, method), outcomes)


def years_between(birth: dt.date, on: dt.date) -> int:
    """Age in completed years (a 29 February birthday is reached on 28 February in common years).

    >>> years_between(dt.date(2006, 6, 10), dt.date(2027, 2, 1))
    20
    >>> years_between(dt.date(2008, 2, 29), dt.date(2026, 2, 28))
    18
    """
    years = on.year - birth.year
    return years if add_months(birth, 12 * years) <= on else years - 1


def easter(year: int) -> dt.date:
    """Gregorian Easter Sunday (anonymous Gregorian algorithm).

    >>> easter(2027), easter(2028)
    (datetime.date(2027, 3, 28), datetime.date(2028, 4, 16))
    """
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    m = (32 + 2 * e + 2 * i - h - k) % 7
    n = (a + 11 * h + 22 * m) // 451
    month, day = divmod(h + m - 7 * n + 114, 31)
    return dt.date(year, month, day + 1)


FIXED_HOLIDAYS = ((1, 1), (5, 1), (7, 21), (8, 15), (11, 1), (11, 11), (12, 25))
"""Federal legal holidays on fixed dates (law on public holidays)."""
EASTER_OFFSETS = (1, 39, 50)
"""Easter Monday, Ascension, Whit Monday (days after Easter Sunday)."""
COMMUNITY_HOLIDAYS = ((7, 11), (9, 27), (11, 15))
"""Flemish, French and German-speaking Community holidays; off by default (§0.5)."""


@functools.cache
def be_holidays(year: int, community: bool = False) -> frozenset[dt.date]:
    """Belgian federal legal holidays of ``year`` (plus the Community holidays if asked).

    >>> sorted(d.isoformat() for d in be_holidays(2027))[:5]
    ['2027-01-01', '2027-03-29', '2027-05-01', '2027-05-06', '2027-05-17']
    """
    fixed = FIXED_HOLIDAYS + (COMMUNITY_HOLIDAYS if community else ())
    days = {dt.date(year, month, day) for month, day in fixed}
    days |= {easter(year) + dt.timedelta(days=offset) for offset in EASTER_OFFSETS}
    return frozenset(days)


def is_working_day(day: dt.date, community: bool = False) -> bool:
    """Monday to Friday and not a Belgian legal holiday.

    >>> is_working_day(dt.date(2027, 7, 21)), is_working_day(dt.date(2027, 7, 22))
    (False, True)
    """
    return day.weekday() < 5 and day not in be_holidays(day.year, community)


def add_working_days(day: dt.date, count: int, community: bool = False) -> dt.date:
    """The ``count``-th working day after ``day`` (``day`` itself is not counted).

    >>> add_working_days(dt.date(2027, 7, 15), 8)
    datetime.date(2027, 7, 28)
    >>> add_working_days(dt.date(2028, 2, 20), 8)
    datetime.date(2028, 3, 1)
    """
    while count > 0:
        day += ONE_DAY
        count -= is_working_day(day, community)
    return day


def roll_forward(day: dt.date, community: bool = False) -> dt.date:
    """The next working day on or after ``day`` (a deadline on a weekend or holiday moves on).

    >>> roll_forward(dt.date(2027, 7, 24)), roll_forward(dt.date(2027, 7, 23))
    (datetime.date(2027, 7, 26), datetime.date(2027, 7, 23))
    """
    while not is_working_day(day, community):
        day += ONE_DAY
    return day


def deadline_days(start: dt.date, days: int, working: bool, roll: bool = True) -> dt.date:
    """Deadline "within ``days`` days of ``start``" in calendar or working days (§0.5).

    >>> deadline_days(dt.date(2027, 7, 15), 8, working=False)
    datetime.date(2027, 7, 23)
    >>> deadline_days(dt.date(2027, 7, 15), 8, working=True)
    datetime.date(2027, 7, 28)
    """
    if working:
        return add_working_days(start, days)
    end = start + dt.timedelta(days=days)
    return roll_forward(end) if roll else end


def days_before(expiry: dt.date, day: dt.date) -> int:
    """Whole days from ``day`` to ``expiry`` (negative once expired).

    >>> days_before(dt.date(2027, 10, 31), dt.date(2027, 9, 10))
    51
    """
    return (expiry - day).days


def overlap_days(start: dt.date, end: dt.date, lo: dt.date, hi: dt.date) -> int:
    """Days of the inclusive period ``[start, end]`` that fall in the half-open window ``[lo, hi)``.

    >>> overlap_days(dt.date(2026, 1, 5), dt.date(2026, 12, 20), dt.date(2025, 8, 1), dt.date(2027, 2, 1))
    350
    """
    first, stop = max(start, lo), min(end + ONE_DAY, hi)
    return max(0, (stop - first).days)


def total_days(periods: Iterable[tuple[dt.date, dt.date]]) -> int:
    """Sum of ``(end - start).days`` over half-open periods.

    >>> total_days([(dt.date(2023, 6, 1), dt.date(2023, 11, 15)), (dt.date(2025, 1, 10), dt.date(2025, 5, 20))])
    297
    """
    return sum((end - start).days for start, end in periods)
