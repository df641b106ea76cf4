"""Case facts (what is not read from a document): parsed from ``cases.csv`` or ``case.toml``."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import tomllib
from collections.abc import Mapping
from typing import Any, Literal

import pydantic

from pipeline.errors import ConfigError
from pipeline.model import Category

CASES_CSV = "cases.csv"
CASE_TOML = "case.toml"
CASE_FILES = frozenset({CASES_CSV, CASE_TOML})
"""File names that hold case facts; they are never reported as unsupported documents."""

_ICAO_CODE = re.compile(r"^[A-Z]{3}$|^D$")


def _split_periods(value: Any, labelled: bool) -> Any:
    """Turn ``LABEL:FROM/TO;...`` (or ``FROM/TO;...`` without labels) into a list of dicts."""
    if not isinstance(value, str):
        return value or ()
    items = []
    for chunk in filter(None, (c.strip() for c in value.split(";"))):
        label, _, span = chunk.rpartition(":") if labelled else ("", "", chunk)
        start, sep, end = span.partition("/")
        if not sep or (labelled and not label):
            form = "LABEL:YYYY-MM-DD/YYYY-MM-DD" if labelled else "YYYY-MM-DD/YYYY-MM-DD"
            raise ValueError(f"{chunk!r} is not a period ({form}; leave the end empty if ongoing)")
        items.append({"label": label.strip(), "start": start.strip(), "end": end.strip() or None})
    return items


class Period(pydantic.BaseModel):
    """A stay from ``start`` to ``end`` (both inclusive; ``end`` None = ongoing)."""

    model_config = pydantic.ConfigDict(frozen=True, extra="forbid")

    label: str = ""
    """ICAO country code (``residence_history``) or ``status[@COUNTRY]`` (``stay_history``)."""
    start: dt.date
    end: dt.date | None = None


class Absence(pydantic.BaseModel):
    """A trip away from ``departure`` to ``returned`` (the return day is present again)."""

    model_config = pydantic.ConfigDict(frozen=True, extra="forbid")

    departure: dt.date
    returned: dt.date


class CaseFacts(pydantic.BaseModel):
    """Facts about the applicant's case (CONTRACT.md "Case facts")."""

    model_config = pydantic.ConfigDict(frozen=True, extra="forbid")

    category: Category | None = None
    nationality: str | None = None
    """ICAO 3-letter code (``D`` is Germany's MRZ code); else read from the passport MRZ."""
    entry_date: dt.date | None = None
    application_date: dt.date | None = None
    """Defaults to the evaluation date (``--as-of``)."""
    residence_countries: tuple[str, ...] = ()
    """ICAO codes of countries lived in for 6+ months during the last 5 years."""

    # Optional facts used by the Belgian rule pack (RULES.md §0.1); all default to "unknown".
    stage: Literal["visa", "commune", "renewal"] | None = None
    """Where the dossier is lodged; default: ``renewal`` for renewals and long-term residence,
    ``visa`` when the entry date is unknown or later than the application date, else ``commune``."""
    d_visa: bool | None = None
    """At ``commune`` stage: the applicant entered on a D visa (the post already checked the
    criminal record and medical certificate); otherwise an in-country application is assumed."""
    procedure: Literal["long_term_resident", "ltr_second_state"] | None = None
    """Special procedure: EU long-term resident status (LTR) or a long-term resident of another
    Member State applying for an indefinite single permit (LTR2)."""
    renewal_of: Category | None = None
    """For ``category = renewal``: the category of the card being renewed."""
    card_type: str | None = None
    """Letter of the current Belgian card (A, B, E, F, H, K, L, EU, EU+)."""
    card_expiry_date: dt.date | None = None
    """Expiry of the current card when no residence card is scanned."""
    eu_basis: Literal["worker", "self_employed", "jobseeker", "student", "self_sufficient", "family"] | None = None
    """EU citizens: the basis of residence claimed (Annex 19)."""
    birth_date: dt.date | None = None
    """Applicant's date of birth when no identity document gives it."""
    sponsor_birth_date: dt.date | None = None
    family_relation: Literal["partner", "child", "parent", "other"] | None = None
    """Family reunification: the applicant's relation to the sponsor."""
    family_members_joining: int | None = None
    """Family reunification: persons joining the sponsor (default 1)."""
    dependants: int | None = None
    """Long-term residence: dependants supported by the applicant."""
    monthly_income: float | None = None
    """Net monthly income in EUR (sponsor for family reunification, applicant for LTR)."""
    intended_departure_date: dt.date | None = None
    """Visa stage: planned departure from the Schengen area (default: entry + 12 months)."""
    residence_history: tuple[Period, ...] = ()
    """Countries lived in: ``COUNTRY:FROM/TO;...`` (TO empty while ongoing)."""
    stay_history: tuple[Period, ...] = ()
    """Legal stays: ``STATUS[@COUNTRY]:FROM/TO;...`` (status ``work``, ``student``, ``family``,
    ``blue_card``, ``asylum_pending``, ``temporary_reason``, ``diplomatic``; country default BEL)."""
    absences: tuple[Absence, ...] = ()
    """Trips away: ``DEPARTURE/RETURN;...``."""
    explanations: tuple[str, ...] = ()
    """Document types for which an explanation letter is filed (``criminal_record;medical_certificate``)."""
    annex15_issue_date: dt.date | None = None
    annex15_valid_until: dt.date | None = None
    travel_date: dt.date | None = None
    """First planned trip abroad."""
    regional_filing_date: dt.date | None = None
    """Single-permit renewal: date the employer filed the work-authorisation renewal at the Region."""

    @pydantic.field_validator("residence_history", "stay_history", mode="before")
    @classmethod
    def _periods(cls, value: Any) -> Any:
        return _split_periods(value, labelled=True)

    @pydantic.field_validator("absences", mode="before")
    @classmethod
    def _absences(cls, value: Any) -> Any:
        spans = _split_periods(value, labelled=False)
        return [{"departure": s["start"], "returned": s["end"]} for s in spans] if isinstance(value, str) else spans

    @pydantic.field_validator("explanations", mode="before")
    @classmethod
    def _split_list(cls, value: Any) -> Any:
        return tuple(v.strip() for v in value.split(";") if v.strip()) if isinstance(value, str) else value

    @pydantic.field_validator("nationality")
    @classmethod
    def _check_nationality(cls, value: str | None) -> str | None:
        if value is None:
            return None
        code = value.strip().upper()
        if not _ICAO_CODE.match(code):
            raise ValueError(f"{value!r} is not an ICAO country code (three letters, e.g. IND)")
        return code

    @pydantic.field_validator("residence_countries", mode="before")
    @classmethod
    def _split_countries(cls, value: Any) -> tuple[str, ...]:
        items = value.split(";") if isinstance(value, str) else list(value or ())
        codes = tuple(str(item).strip().upper() for item in items if str(item).strip())
        for code in codes:
            if not _ICAO_CODE.match(code):
                raise ValueError(f"{code!r} is not an ICAO country code (three letters, e.g. MAR)")
        return codes

    @pydantic.field_validator(
        "entry_date",
        "application_date",
        "card_expiry_date",
        "birth_date",
        "sponsor_birth_date",
        "intended_departure_date",
        "annex15_issue_date",
        "annex15_valid_until",
        "travel_date",
        "regional_filing_date",
        mode="before",
    )
    @classmethod
    def _iso_date(cls, value: Any) -> Any:
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                raise ValueError(f"{value!r} is not an ISO date (YYYY-MM-DD)") from None
        return value

    def with_defaults(self, as_of: dt.date) -> CaseFacts:
        """The facts with ``application_date`` defaulting to the evaluation date."""
        if self.application_date is not None:
            return self
        return self.model_copy(update={"application_date": as_of})

    def to_dict(self) -> dict[str, Any]:
        """JSON form for the report's ``case`` object: the contract's keys always, others when set."""
        data = self.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
        contract = self.model_dump(mode="json", include={"category", "application_date", "entry_date", "nationality"})
        return contract | data


def _parse(raw: Mapping[str, Any], where: str) -> CaseFacts:
    """Validate one row or table, naming the place and column of the first problem."""
    cleaned = {k.strip(): v for k, v in raw.items() if k and k.strip() and v not in (None, "")}
    try:
        return CaseFacts.model_validate(cleaned)
    except pydantic.ValidationError as exc:
        problems = []
        for err in exc.errors():
            column = ".".join(str(p) for p in err["loc"]) or "?"
            message = err["msg"].removeprefix("Value error, ")
            if err["type"] == "extra_forbidden":
                allowed = ", ".join(CaseFacts.model_fields)
                message = f"unknown column (allowed: {allowed})"
            elif err["type"] == "enum":
                message = f"{err['input']!r} is not a category (allowed: {', '.join(c.value for c in Category)})"
            problems.append(f"{where}, column {column}: {message}")
        raise ConfigError("; ".join(problems)) from exc


def parse_cases_csv(text: str, name: str = CASES_CSV) -> dict[str, CaseFacts]:
    """Parse a batch's ``cases.csv``: one row per dossier sub-folder.

    Args:
        text: The CSV content (UTF-8, optional BOM).
        name: File name used in error messages.

    Returns:
        Case facts by dossier id.

    Raises:
        ConfigError: naming the row and column of a bad value, a missing ``dossier`` column or a
            duplicate dossier.
    """
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    if reader.fieldnames is None or "dossier" not in [f.strip() for f in reader.fieldnames]:
        raise ConfigError(f"{name}: the header must have a 'dossier' column (the sub-folder name)")
    cases: dict[str, CaseFacts] = {}
    for row_number, row in enumerate(reader, start=2):
        dossier = (row.pop("dossier", None) or "").strip()
        if not dossier:
            raise ConfigError(f"{name} row {row_number}, column dossier: empty dossier name")
        if dossier in cases:
            raise ConfigError(f"{name} row {row_number}, column dossier: {dossier!r} appears twice")
        if None in row:
            raise ConfigError(f"{name} row {row_number}: more values than header columns")
        cases[dossier] = _parse(row, f"{name} row {row_number}")
    return cases


def parse_case_toml(text: str, name: str = CASE_TOML) -> CaseFacts:
    """Parse a single dossier's ``case.toml``.

    Raises:
        ConfigError: on TOML syntax errors or bad values, naming the key.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{name}: {exc}") from exc
    data = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in data.items()}
    return _parse(data, name)
