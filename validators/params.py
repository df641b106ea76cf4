"""Pack parameters per profile (RULES.md §0.8, §16, §17); every number of the pack lives here."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
from collections.abc import Mapping
from typing import Any, Generic, TypeVar

from validators.dates import AgeMethod, add_months

V = TypeVar("V")


@dataclasses.dataclass(frozen=True, slots=True)
class Schedule(Generic[V]):
    """A date-effective value: the latest entry whose ``effective_from`` is on or before the date.

    An entry stays in force for ``horizon_months`` after its start (indexed amounts are set
    yearly); past that, :meth:`at` returns None so that a stale amount is never used silently.
    """

    entries: tuple[tuple[dt.date, V], ...]
    horizon_months: int | None = 12

    def at(self, day: dt.date) -> V | None:
        """The value in force on ``day``, or None when not configured.

        >>> s = Schedule(((dt.date(2024, 9, 1), 803), (dt.date(2025, 9, 1), 835)))
        >>> s.at(dt.date(2025, 9, 1)), s.at(dt.date(2025, 8, 31)), s.at(dt.date(2026, 9, 1))
        (835, 803, None)
        """
        current = [(start, value) for start, value in sorted(self.entries, key=lambda e: e[0]) if start <= day]
        if not current:
            return None
        start, value = current[-1]
        if self.horizon_months is not None and day >= add_months(start, self.horizon_months):
            return None
        return value


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
        ((D(2017, 9, 1), 642), (D(2021, 9, 1), 679), (D(2024, 9, 1), 803), (D(2025, 9, 1), 835))
    )
    """Keyed by the start of the academic year (DVZ-STU-MEANS)."""
    student_blocked_months: int = 12
    ltr_income_eur: Schedule[tuple[float, float]] = Schedule(
        ((D(2023, 1, 1), (1007, 336)), (D(2025, 1, 1), (1038, 346)))
    )
    """(base, per dependant) net per month (AIE-LTR); 2024 and 2026+ to configure."""
    fr_reform_date: dt.date = D(2025, 8, 18)
    fr_income_120pct_eur: Schedule[float] = Schedule(
        ((D(2020, 3, 1), 1555.09), (D(2023, 1, 1), 1969)), horizon_months=None
    )
    """Before the reform: 120 % of the integration income (FR-2023)."""
    fr_gmmi_eur: Schedule[float] = Schedule(())
    """After the reform: guaranteed minimum monthly income (FR-2025); no official value yet."""
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
        """A copy with some parameters replaced; schedules accept ``[[date, value], ...]``.

        Raises:
            ValueError: for an unknown parameter name.
        """
        names = {f.name: f for f in dataclasses.fields(self)}
        unknown = set(overrides) - set(names)
        if unknown:
            raise ValueError(f"unknown parameters {sorted(unknown)}; valid: {', '.join(names)}")
        changes: dict[str, Any] = {}
        for name, value in overrides.items():
            current = getattr(self, name)
            if isinstance(current, Schedule) and not isinstance(value, Schedule):
                value = Schedule(tuple((start, _tuple(v)) for start, v in value), current.horizon_months)
            elif isinstance(current, frozenset | enum.Enum):
                value = type(current)(value)
            changes[name] = value
        return dataclasses.replace(self, **changes)


def _tuple(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


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
