"""Pack parameters per profile (RULES.md §0.8, §16, §17); every number of the pack lives here."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Generic, TypeVar

from validators.dates import AgeMethod, add_months

V = TypeVar("V")


@dataclasses.dataclass(frozen=True, slots=True)
class Entry(Generic[V]):
    """One amount of a schedule: in force from ``start``, confirmed by an official text or only announced."""

    start: dt.date
    value: V
    confirmed: bool = True
    """False for an amount announced (press, draft decree) but not yet seen in an official text."""
    source: str = ""


@dataclasses.dataclass(frozen=True, slots=True)
class Bounds(Generic[V]):
    """What an amount can be on a date: exact when confirmed, else a range to decide by (issue 13).

    Indexed amounts only rise, so the last confirmed amount is a floor; the ceiling is the announced
    amount, or the last confirmed one raised by the largest plausible yearly increase.
    """

    lowest: V | None
    """The last confirmed amount (None: none is known)."""
    highest: V | None
    """The largest amount that may be in force (None: no ceiling known)."""
    exact: bool
    """True when the amount in force is confirmed (``lowest == highest``)."""
    note: str = ""
    """How the bounds were found, for the finding (empty when exact)."""

    def map(self, convert: Callable[[V], float]) -> Bounds[float]:
        """The bounds of a quantity derived from the amount by an increasing function."""
        return Bounds(
            None if self.lowest is None else convert(self.lowest),
            None if self.highest is None else convert(self.highest),
            self.exact,
            self.note,
        )

    def judge(self, value: float) -> str:
        """``pass`` when ``value`` reaches every possible amount, ``fail`` when it is below the floor,
        else ``review`` (a person must confirm the amount in force).

        >>> Bounds(835.0, 1062.0, False).judge(1100), Bounds(835.0, 1062.0, False).judge(800)
        ('pass', 'fail')
        >>> Bounds(835.0, 1062.0, False).judge(900), Bounds(None, None, False).judge(900)
        ('review', 'review')
        """
        if self.highest is not None and value >= self.highest:  # type: ignore[operator]
            return "pass"
        if self.lowest is not None and value < self.lowest:  # type: ignore[operator]
            return "fail"
        return "review"


def _scaled(value: Any, factor: float) -> Any:
    """An amount (or a tuple of amounts) multiplied by ``factor``, rounded to cents."""
    if isinstance(value, tuple):
        return tuple(round(v * factor, 2) for v in value)
    return round(value * factor, 2)


@dataclasses.dataclass(frozen=True, slots=True)
class Schedule(Generic[V]):
    """A date-effective amount: the latest entry whose ``start`` is on or before the date.

    A confirmed entry stays in force for ``horizon_months`` after its start (indexed amounts are set
    yearly); past that, and where only an announced amount exists, :meth:`at` returns None so that
    an amount is never used silently, and :meth:`bounds` gives the range a rule can still decide by.
    """

    entries: tuple[Entry[V], ...]
    horizon_months: int | None = 12
    max_yearly_increase: float = 0.30
    """Ceiling of an unknown year's amount: the last confirmed one raised by this per year since it
    started (the student amount rose 27 % from 2025-26 to 2026-27, the largest step in the table)."""

    def _latest(self, day: dt.date, confirmed: bool | None = None) -> Entry[V] | None:
        """The latest entry started on or before ``day`` (only confirmed or announced ones if asked)."""
        started = [e for e in self.entries if e.start <= day and confirmed in (None, e.confirmed)]
        return max(started, key=lambda e: e.start) if started else None

    def _expired(self, entry: Entry[V], day: dt.date) -> bool:
        return self.horizon_months is not None and day >= add_months(entry.start, self.horizon_months)

    def at(self, day: dt.date) -> V | None:
        """The confirmed value in force on ``day``, or None when not configured or only announced.

        >>> s = Schedule((Entry(dt.date(2024, 9, 1), 803), Entry(dt.date(2025, 9, 1), 835)))
        >>> s.at(dt.date(2025, 9, 1)), s.at(dt.date(2025, 8, 31)), s.at(dt.date(2026, 9, 1))
        (835, 803, None)
        """
        entry = self._latest(day)
        if entry is None or not entry.confirmed or self._expired(entry, day):
            return None
        return entry.value

    def bounds(self, day: dt.date) -> Bounds[V]:
        """The range the amount in force on ``day`` lies in.

        >>> s = Schedule((Entry(dt.date(2025, 9, 1), 835.0), Entry(dt.date(2026, 9, 1), 1062.0, confirmed=False)))
        >>> b = s.bounds(dt.date(2026, 9, 1)); (b.lowest, b.highest, b.exact)
        (835.0, 1062.0, False)
        >>> b = s.bounds(dt.date(2025, 10, 1)); (b.lowest, b.highest, b.exact)
        (835.0, 835.0, True)
        >>> b = Schedule((Entry(dt.date(2025, 1, 1), 1000.0),)).bounds(dt.date(2026, 6, 1)); (b.lowest, b.highest)
        (1000.0, 1300.0)
        """
        value = self.at(day)
        if value is not None:
            return Bounds(value, value, True)
        latest = self._latest(day)
        if latest is None:
            return Bounds(None, None, False, f"no amount is configured for {day}")
        floor = self._latest(day, confirmed=True)
        lowest = None if floor is None else floor.value
        kind = "confirmed" if latest.confirmed else "announced, not confirmed"
        source = f", {latest.source}" if latest.source else ""
        if not self._expired(latest, day):
            return Bounds(lowest, latest.value, False, f"the amount from {latest.start} is {kind}{source}")
        years = max(1, (day - latest.start).days // 365)
        highest = _scaled(latest.value, (1 + self.max_yearly_increase) ** years)
        note = (
            f"no amount is configured for {day}; the last one, from {latest.start}, is {kind}{source} "
            f"(ceiling: +{self.max_yearly_increase:.0%} a year)"
        )
        return Bounds(lowest, highest, False, note)

    def merged(self, entries: Iterable[Entry[V]]) -> Schedule[V]:
        """A copy with ``entries`` added (an entry with the same start replaces the old one)."""
        new = {e.start: e for e in self.entries} | {e.start: e for e in entries}
        return dataclasses.replace(self, entries=tuple(sorted(new.values(), key=lambda e: e.start)))


def _entries(*items: tuple[Any, ...]) -> tuple[Entry[Any], ...]:
    return tuple(Entry(*item) for item in items)


D = dt.date


@dataclasses.dataclass(frozen=True, slots=True)
class Params:
    """Parameters of the Belgian pack; the defaults are the ``conservative`` profile."""

    # Confidence thresholds.
    field_confidence: float = 0.6
    """Fields read below this confidence are not taken as fact (rule → not_evaluable)."""
    type_confidence: float = 0.8
    """τ_class: documents classified below this do not count as present (RULES.md §2)."""

    # Passports (§3, §17 passport_min_validity_months, passport_max_issue_age_years).
    passport_validity_months: int = 12
    strict_validity: bool = False
    """002's "longer than 12 months" (``>``) instead of "at least" (``>=``)."""
    passport_after_entry_months: int = 6
    schengen_after_departure_months: int = 3
    passport_max_issue_age_months: int = 120
    planned_stay_months: int = 12
    """Requested stay when no end date is known (A card: 1 year)."""

    # Document ages (§0.3, §6, §8).
    age_method: AgeMethod = AgeMethod.M1
    criminal_record_max_age_months: int = 6
    medical_max_age_months: int = 6
    adult_age: int = 18

    # Criminal-record country coverage (§6, C3).
    coverage_variant: str = "five_year_six_month"
    """The variant that decides which certificates are required (others run as their own rules)."""
    coverage_lookback_months: int = 60
    coverage_min_stay_months: int = 6
    coverage_last_year_months: int = 12

    # Languages (§7, C5).
    accepted_languages: frozenset[str] = frozenset({"fr", "nl", "de"})
    english_without_translation_warns: bool = True
    """English documents without a sworn translation give a warning, not a block (001/004 vs 003)."""
    medical_languages: frozenset[str] = frozenset({"fr", "nl", "de", "en"})

    # Deadlines (§0.5, §4, §5, §14, C8, C9, C10).
    registration_days_non_eu: int = 8
    registration_working_days: bool = False
    roll_forward: bool = True
    registration_months_eu: int = 3
    renewal_open_days: int = 45
    renewal_close_days: int = 30
    student_renewal_min_days: int = 15
    sp_renewal_latest_months: int = 2
    sp_renewal_earliest_months: int = 4
    sp_renewal_earliest_extra_days: int = 15
    annex15_days: int = 45
    annex15_warn_days: int = 7

    # EU citizens (§4).
    eu_id_phaseout: dt.date = D(2026, 8, 3)
    """Reg. 2019/1157 art. 5: cards without a functional MRZ stop being valid."""
    eu_full_dossier_from: dt.date = D(2025, 9, 1)

    # Insurance (§11, C11).
    health_insurance_min_eur: float = 30_000

    # Means (§10, §17). Yearly amounts: a missing year makes the rule not evaluable.
    student_monthly_eur: Schedule[float] = Schedule(
        _entries(
            (D(2017, 9, 1), 642.0),
            (D(2021, 9, 1), 679.0),
            (D(2024, 9, 1), 803.0),
            (D(2025, 9, 1), 835.0),
            (D(2026, 9, 1), 1062.0, False, "Brussels Times 2026-03-04; the royal decree not yet seen"),
        )
    )
    """Keyed by the start of the academic year (DVZ-STU-MEANS; RULES.md §10 table)."""
    student_blocked_months: int = 12
    ltr_income_eur: Schedule[tuple[float, float]] = Schedule(
        _entries((D(2023, 1, 1), (1007.0, 336.0)), (D(2025, 1, 1), (1038.0, 346.0)))
    )
    """(base, per dependant) net per month (AIE-LTR); 2024 and 2026+ to configure."""
    fr_reform_date: dt.date = D(2025, 8, 18)
    fr_income_120pct_eur: Schedule[float] = Schedule(
        _entries((D(2020, 3, 1), 1555.09), (D(2023, 1, 1), 1969.0)), horizon_months=None
    )
    """Before the reform: 120 % of the integration income (FR-2023)."""
    fr_gmmi_eur: Schedule[float] = Schedule(
        _entries((D(2025, 8, 18), 2112.0, False, "FR-2025: EUR 2,745 for a partner and 2 children = 1.30 × GMMI"))
    )
    """After the reform: guaranteed minimum monthly income (FR-2025); no official value yet, so the
    rule decides by bounds (the pre-reform threshold is the floor: the reform tightened it)."""
    fr_base_factor: float = 1.10
    fr_extra_member_factor: float = 0.10
    fr_partner_min_age: int = 21

    # Long-term residence (§0.6, §15, C13, C15).
    month_days: float = 30.4375
    ltr_years_months: int = 60
    ltr_status_weights: Mapping[str, float] = dataclasses.field(
        default_factory=lambda: {
            "work": 1.0,
            "family": 1.0,
            "blue_card": 1.0,
            "other": 1.0,
            "student": 0.5,
            "asylum_pending": 0.5,
            "temporary_reason": 0.0,
            "diplomatic": 0.0,
        }
    )
    ltr_absence_consecutive_months: int = 6
    ltr_absence_total_months: int = 10
    ltr_bc_absence_consecutive_months: int = 12
    ltr_bc_absence_total_months: int = 18
    ltr_bc_belgium_months: int = 24
    ltr2_work_months: int = 12
    ltr2_window_months: int = 18

    def with_overrides(self, overrides: Mapping[str, Any]) -> Params:
        """A copy with some parameters replaced.

        A schedule takes ``[[date, value], ...]`` or ``{date: value}``: these amounts count as
        confirmed (the user vouches for them) and are added to the built-in ones, replacing an entry
        with the same start date.

        Raises:
            ValueError: for an unknown parameter name or a value of the wrong form.
        """
        names = {f.name: f for f in dataclasses.fields(self)}
        unknown = set(overrides) - set(names)
        if unknown:
            raise ValueError(f"unknown parameters {sorted(unknown)}; valid: {', '.join(names)}")
        changes: dict[str, Any] = {}
        for name, value in overrides.items():
            current = getattr(self, name)
            try:
                if isinstance(current, Schedule):
                    value = value if isinstance(value, Schedule) else current.merged(_schedule_entries(value))
                elif isinstance(current, frozenset | enum.Enum):
                    value = type(current)(value)
                elif isinstance(current, bool):
                    if not isinstance(value, bool):
                        raise TypeError("give true or false")
                elif isinstance(current, int | float) and not isinstance(value, int | float):
                    raise TypeError("give a number")
                elif isinstance(current, dt.date) and not isinstance(value, dt.date):
                    value = dt.date.fromisoformat(str(value))
            except (TypeError, ValueError) as exc:
                raise ValueError(f"parameter {name}: {value!r} is not valid ({exc})") from None
            changes[name] = value
        return dataclasses.replace(self, **changes)


def _schedule_entries(value: Any) -> list[Entry[Any]]:
    """Confirmed entries from ``[[date, value], ...]`` or ``{date: value}`` (dates as ISO strings or dates)."""
    pairs = value.items() if isinstance(value, Mapping) else value
    out = []
    for start, amount in pairs:
        day = start if isinstance(start, dt.date) else dt.date.fromisoformat(str(start))
        out.append(Entry(day, tuple(float(a) for a in amount) if isinstance(amount, list | tuple) else float(amount)))
    return out


def load_parameters(text: str, name: str = "parameters file") -> dict[str, Any]:
    """Read a user parameters file (TOML) into overrides, checked against :class:`Params`.

    Top-level keys apply to every profile; a ``[profile.<name>]`` table applies to that profile only
    (returned under the key ``profile.<name>``). See the README section "Parameters file".

    Raises:
        ValueError: naming the file and the key of the first problem.
    """
    import tomllib

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{name}: {exc}") from None
    profiles = data.pop("profile", {})
    tables = {"": data} | {f"profile.{p}": v for p, v in profiles.items()}
    for key, table in tables.items():
        if key and key.removeprefix("profile.") not in PROFILE_PARAMS:
            raise ValueError(f"{name}: [{key}]: unknown profile (known: {', '.join(PROFILE_PARAMS)})")
        try:
            Params().with_overrides(table)
        except ValueError as exc:
            raise ValueError(f"{name}{f' [{key}]' if key else ''}: {exc}") from None
    return {**data, **{k: v for k, v in tables.items() if k}}


def profile_params(profile: str, overrides: Mapping[str, Any] | None = None) -> Params:
    """The parameters of ``profile`` with the user's overrides (``profile.<name>`` tables last)."""
    overrides = dict(overrides or {})
    own = overrides.pop(f"profile.{profile}", {})
    common = {k: v for k, v in overrides.items() if not k.startswith("profile.")}
    return PROFILE_PARAMS[profile].with_overrides(common).with_overrides(own)


PROFILE_PARAMS: dict[str, Params] = {
    "conservative": Params(),
    "official_minimum": Params(
        coverage_variant="origin_or_provenance",
        accepted_languages=frozenset({"fr", "nl", "de", "en"}),
        registration_working_days=True,
    ),
    "ugent_employer": Params(
        coverage_variant="last_year",
        accepted_languages=frozenset({"fr", "nl", "de", "en"}),
        english_without_translation_warns=False,
    ),
}
"""Parameters per profile (RULES.md §0.8); severities live on the rules."""
