"""Case facts (what is not read from a document): parsed from ``cases.csv`` or ``case.toml``."""

from __future__ import annotations

import codecs
import csv
import dataclasses
import datetime as dt
import io
import re
import tomllib
import unicodedata
from collections.abc import Collection, Mapping
from pathlib import Path
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

    @pydantic.field_validator("monthly_income", mode="before")
    @classmethod
    def _decimal_comma(cls, value: Any) -> Any:
        """``2345,67`` and ``2.345,67`` as Belgian spreadsheets write them; ``2,345.67`` too."""
        if not isinstance(value, str):
            return value
        text = value.replace("\u20ac", "").replace("EUR", "").replace(" ", "").replace("\xa0", "").strip()
        if "," in text and "." in text:
            thousands = "." if text.rindex(",") > text.rindex(".") else ","
            text = text.replace(thousands, "")
        return text.replace(",", ".")

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
    cleaned = {
        k.strip(): v.strip() if isinstance(v, str) else v
        for k, v in raw.items()
        if k and k.strip() and v is not None and (not isinstance(v, str) or v.strip())
    }
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


ENTRY_PLANNED_MAX_MONTHS = 12
"""An entry date this far after the application date is a typo, not a planned entry (a D visa is
applied for a few months before travel; SCENARIOS.md S02 plans entry 23 days after applying)."""
DATE_RANGE_YEARS = (1900, 20)
"""Case dates outside 1900 .. (evaluation year + 20) are typos (a card is valid 10 years at most)."""


def date_problems(facts: CaseFacts, as_of: dt.date) -> list[str]:
    """Dates that cannot be right: out of any plausible range, or an entry long after the application.

    A later entry date is how a visa-stage case is told apart (the planned entry), so it is only
    refused when it is implausibly far ahead or contradicts an explicit commune/renewal stage;
    accepting it silently would drop the registration-deadline rules.

    >>> date_problems(CaseFacts(entry_date=dt.date(2031, 5, 1)), dt.date(2026, 11, 25))[0][:46]
    'entry_date 2031-05-01 is more than 12 months a'
    """
    problems = []
    low, ahead = DATE_RANGE_YEARS
    for name, value in facts:
        if isinstance(value, dt.date) and not low <= value.year <= as_of.year + ahead:
            problems.append(f"{name} {value.isoformat()} is not a plausible date (a typo in the year?)")
    entry = facts.entry_date
    application = facts.application_date or as_of
    if entry is None or problems:
        return problems
    months = (entry.year - application.year) * 12 + entry.month - application.month
    if months > ENTRY_PLANNED_MAX_MONTHS or (months == ENTRY_PLANNED_MAX_MONTHS and entry.day > application.day):
        problems.append(
            f"entry_date {entry.isoformat()} is more than {ENTRY_PLANNED_MAX_MONTHS} months after the application "
            f"date {application.isoformat()}: a typo in the year? (a planned entry is at most months ahead)"
        )
    elif entry > application and facts.stage in ("commune", "renewal"):
        problems.append(
            f"entry_date {entry.isoformat()} is after the application date {application.isoformat()}, but at the "
            f"{facts.stage} stage the applicant has already entered Belgium"
        )
    return problems


@dataclasses.dataclass(frozen=True, slots=True)
class CaseTable:
    """What a ``cases.csv`` says: facts per dossier, and the rows that could not be used."""

    facts: dict[str, CaseFacts]
    problems: dict[str, str] = dataclasses.field(default_factory=dict)
    """Dossier id -> why its row cannot be used (that dossier is reported unreadable, the others run)."""
    stray: tuple[str, ...] = ()
    """Problems of rows that name no dossier (empty name)."""


CSV_SEPARATORS = (",", ";", "\t", "|")
"""What spreadsheets write: ``,``; ``;`` where the decimal mark is a comma (Belgian Excel); tab
("Unicode text")."""


def _header_separator(first_line: str, name: str) -> str:
    """The separator that makes the header hold a ``dossier`` column."""
    for sep in sorted(CSV_SEPARATORS, key=first_line.count, reverse=True):
        cells = next(csv.reader([first_line], delimiter=sep), [])
        if "dossier" in (c.strip().lower() for c in cells):
            return sep
    found = first_line.strip()[:80]
    raise ConfigError(f"{name}: the header must have a 'dossier' column (the sub-folder name); its first line is "
                      f"{found!r}")


def parse_cases_csv(text: str, name: str = CASES_CSV) -> CaseTable:
    """Parse a batch's ``cases.csv``: one row per dossier sub-folder.

    Separators ``,``, ``;``, tab and ``|`` are recognised from the header (Excel's ``sep=;`` first
    line too); column names are case-insensitive; rows whose cells are all empty are skipped.

    Args:
        text: The CSV content (see :func:`decode_case_file` for the bytes).
        name: File name used in messages.

    Returns:
        Case facts by dossier id and, per dossier, the problem of a row that cannot be used (a bad
        value, a duplicate, too many cells): one bad row never stops the other dossiers.

    Raises:
        ConfigError: the file as a whole is unusable (no ``dossier`` column in its header).
    """
    lines = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    sep_line = lines[0].strip().lower() if lines else ""
    if sep_line.startswith("sep=") and len(sep_line) == 5:
        sep, lines = lines[0].strip()[4], lines[1:]
    else:
        sep = _header_separator(lines[0] if lines else "", name)
    reader = csv.reader(io.StringIO("\n".join(lines)), delimiter=sep)
    header = [h.strip().lower() for h in next(reader, [])]
    if "dossier" not in header:
        raise ConfigError(f"{name}: the header must have a 'dossier' column (the sub-folder name)")
    facts: dict[str, CaseFacts] = {}
    problems: dict[str, str] = {}
    stray: list[str] = []
    first_row: dict[str, int] = {}
    for row_number, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        row = dict(zip(header, cells, strict=False))
        dossier = unicodedata.normalize("NFC", row.pop("dossier", "").strip())
        where = f"{name} row {row_number}"
        if not dossier:
            stray.append(f"{where}, column dossier: empty dossier name")
            continue
        if dossier in first_row:
            problems[dossier] = f"{where}, column dossier: {dossier!r} appears twice (rows {first_row[dossier]} " \
                                f"and {row_number})"
            facts.pop(dossier, None)
            continue
        first_row[dossier] = row_number
        if len(cells) > len(header) and any(c.strip() for c in cells[len(header):]):
            problems[dossier] = f"{where}: more values than header columns"
            continue
        try:
            facts[dossier] = _parse(row, where)
        except ConfigError as exc:
            problems[dossier] = str(exc)
    return CaseTable(facts, problems, tuple(stray))


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


CSV_ENCODINGS = ("cp1252", "mac_roman", "cp850", "latin-1")
"""What Excel writes without a BOM ("CSV", "CSV (Macintosh)", "CSV (MS-DOS)"), tried after UTF-8."""
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def _dossier_names(text: str) -> set[str]:
    try:
        table = parse_cases_csv(text)
    except ConfigError:
        return set()
    return set(table.facts) | set(table.problems)


def decode_case_file(data: bytes, name: str, dossiers: Collection[str] = ()) -> str:
    """The text of a case file, whatever encoding a spreadsheet or editor saved it in.

    A BOM decides (UTF-8, UTF-16 as Excel's "Unicode text", UTF-32); else UTF-8; else the legacy
    code page whose dossier names match the most folders (``dossiers``), Windows-1252 when none does.

    Raises:
        ConfigError: the file is binary, or not text in any of these encodings.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding).lstrip("\ufeff")
            except UnicodeDecodeError as exc:
                raise ConfigError(f"{name}: not valid {encoding} text ({exc.reason} at byte {exc.start})") from exc
    if b"\x00" in data:
        raise ConfigError(f"{name} is not a text file (it holds binary data): save it as CSV UTF-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    wanted = {unicodedata.normalize("NFC", d) for d in dossiers}
    best: tuple[int, str] | None = None
    for encoding in CSV_ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        score = len(_dossier_names(text) & wanted)
        if best is None or score > best[0]:
            best = (score, text)
    assert best is not None  # latin-1 decodes any bytes
    return best[1]


def read_case_toml(data: bytes, name: str) -> CaseFacts:
    """``case.toml`` from its bytes (UTF-8, as TOML requires; a BOM is tolerated).

    Raises:
        ConfigError: binary content, another encoding (naming the byte), bad TOML or values.
    """
    if b"\x00" in data:
        raise ConfigError(f"{name} is not a text file (it holds binary data): write it as UTF-8 text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{name} is not UTF-8 text (byte 0x{data[exc.start]:02X} at position {exc.start}): "
                          "save it as UTF-8, as TOML requires") from exc
    return parse_case_toml(text, name)


@dataclasses.dataclass(frozen=True, slots=True)
class Cases:
    """Case facts of every dossier of a run, and what could not be used."""

    facts: dict[str, CaseFacts] = dataclasses.field(default_factory=dict)
    problems: dict[str, str] = dataclasses.field(default_factory=dict)
    """Dossier id -> why its case facts cannot be used: that dossier is reported unreadable."""
    stray: tuple[str, ...] = ()
    """Case rows that belong to no dossier of the batch (reported; the exit code says so)."""

    def problem(self, dossier: str) -> str:
        """Why this dossier's case facts cannot be used ("" when they can)."""
        return self.problems.get(dossier, "")

    def get(self, dossier: str) -> CaseFacts:
        """The dossier's facts (empty facts when none are given)."""
        return self.facts.get(dossier, CaseFacts())

    def screened(self, as_of: dt.date) -> Cases:
        """These cases with every row whose dates cannot be right (:func:`date_problems`) moved to the problems.

        Every way in applies it (case files, rows the watch folder passes), so a typo in a year never
        quietly drops the registration-deadline rules.
        """
        facts, problems = dict(self.facts), dict(self.problems)
        for dossier, row in self.facts.items():
            found = date_problems(row, as_of)
            if found:
                problems[dossier] = "; ".join(found)
                del facts[dossier]
        return Cases(facts, problems, self.stray)


def load_cases(root: Path, dossiers: Mapping[str, Path], as_of: dt.date, cases_file: str | None = None) -> Cases:
    """Case facts per dossier id from ``--cases``, the batch's ``cases.csv`` or each ``case.toml``.

    Args:
        root: The checked folder (its ``cases.csv`` is used unless ``cases_file`` is given).
        dossiers: Dossier id -> folder (for ``case.toml`` and to match ``cases.csv`` rows).
        as_of: Evaluation date (the default application date, for the date checks).
        cases_file: ``--cases FILE``.

    Raises:
        ConfigError: the cases file is missing, unreadable or has no ``dossier`` column: nothing
            could be matched, so the run stops before any work. Problems of single rows or of one
            ``case.toml`` belong to their dossier and are returned.
    """
    facts: dict[str, CaseFacts] = {}
    problems: dict[str, str] = {}
    stray: list[str] = []
    csv_path = Path(cases_file) if cases_file else root / CASES_CSV
    if csv_path.is_file():
        try:
            data = csv_path.read_bytes()
        except OSError as exc:
            raise ConfigError(f"cannot read {csv_path.name}: {exc.strerror or exc}") from exc
        table = parse_cases_csv(decode_case_file(data, csv_path.name, dossiers), csv_path.name)
        ids = {unicodedata.normalize("NFC", d): d for d in dossiers}
        folded = {d.casefold(): d for d in dossiers}
        for name, problem in table.problems.items():
            if name in ids:
                problems[ids[name]] = problem
        for name, row in table.facts.items():
            if name in ids:
                facts[ids[name]] = row
        for name in sorted((set(table.facts) | set(table.problems)) - set(ids)):
            hint = f" (did you mean {folded[name.casefold()]!r}?)" if name.casefold() in folded else ""
            stray.append(f"{csv_path.name} names {name!r}, which is not a dossier folder here{hint}")
        stray.extend(table.stray)
    elif cases_file:
        raise ConfigError(f"--cases {cases_file}: no such file")
    for dossier, folder in dossiers.items():
        toml_path = folder / CASE_TOML
        if dossier in facts or dossier in problems:
            continue
        try:
            exists = toml_path.is_file()
        except OSError:  # the folder itself cannot be read: intake reports that
            continue
        try:
            if not exists:
                continue
            facts[dossier] = read_case_toml(toml_path.read_bytes(), f"{dossier}/{CASE_TOML}")
        except ConfigError as exc:
            problems[dossier] = str(exc)
        except OSError as exc:
            problems[dossier] = f"cannot read {CASE_TOML}: {exc.strerror or exc}"
    return Cases(facts, problems, tuple(stray)).screened(as_of)
