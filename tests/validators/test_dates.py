"""Property tests for the date arithmetic (month ends, leap days, working days)."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from validators.dates import (
    AgeMethod,
    add_months,
    add_working_days,
    age_valid_through,
    check_age,
    is_working_day,
    last_anchor,
    roll_forward,
)

days = st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2100, 12, 31))
months = st.integers(min_value=-240, max_value=240)


@given(days, months)
def test_add_months_keeps_day_or_clamps_to_month_end(day: dt.date, n: int) -> None:
    shifted = add_months(day, n)
    assert (shifted.year * 12 + shifted.month) - (day.year * 12 + day.month) == n
    next_day = shifted + dt.timedelta(days=1)
    assert shifted.day == day.day or (shifted.day < day.day and next_day.month != shifted.month)


@given(days, st.integers(min_value=0, max_value=240))
def test_add_months_round_trip_never_overshoots(day: dt.date, n: int) -> None:
    back = add_months(add_months(day, n), -n)
    assert back <= day
    if day.day <= 28:
        assert back == day


@given(days, days, months)
def test_add_months_is_monotonic(a: dt.date, b: dt.date, n: int) -> None:
    if a <= b:
        assert add_months(a, n) <= add_months(b, n)


@given(days, st.integers(min_value=0, max_value=240))
def test_last_anchor_is_the_last_passing_date(limit: dt.date, n: int) -> None:
    anchor = last_anchor(limit, n)
    assert add_months(anchor, n) <= limit < add_months(anchor + dt.timedelta(days=1), n)


@given(days, days, st.integers(min_value=1, max_value=24))
def test_m1_never_more_lenient_than_m2(issue: dt.date, application: dt.date, n: int) -> None:
    outcome = check_age(issue, application, n).outcomes
    assert not outcome[AgeMethod.M1] or outcome[AgeMethod.M2]
    assert age_valid_through(issue, n, AgeMethod.M1) <= age_valid_through(issue, n, AgeMethod.M2)


@given(days, days, st.integers(min_value=1, max_value=24))
def test_boundary_note_exactly_when_methods_disagree(issue: dt.date, application: dt.date, n: int) -> None:
    check = check_age(issue, application, n)
    assert bool(check.boundary_note) == (len(set(check.outcomes.values())) > 1)


def test_leap_day_examples_from_rules_md() -> None:
    assert add_months(dt.date(2027, 8, 31), -6) == dt.date(2027, 2, 28)
    assert add_months(dt.date(2028, 2, 29), 12) == dt.date(2029, 2, 28)
    assert add_months(dt.date(2027, 11, 30), 3) == dt.date(2028, 2, 29)


def test_2027_holidays_match_the_parameter_table() -> None:
    table = ["01-01", "03-29", "05-01", "05-06", "05-17", "07-21", "08-15", "11-01", "11-11", "12-25"]
    for month_day in table:
        assert not is_working_day(dt.date.fromisoformat(f"2027-{month_day}"))


@given(days, st.integers(min_value=1, max_value=30))
def test_working_day_deadline_lands_on_a_working_day(day: dt.date, n: int) -> None:
    deadline = add_working_days(day, n)
    assert is_working_day(deadline) and deadline > day
    assert roll_forward(deadline) == deadline
