"""Pure parser for ICAO Doc 9303 machine-readable zones (TD1, TD2, TD3, MRV-A, MRV-B).

No image code lives here: :mod:`pipeline.engines.mrz_reader` finds and OCRs the zone, this module
turns text into an :class:`MrzResult`. Sources: ICAO Doc 9303 Parts 3-7 (8th ed., 2021) as
summarised in ``shared/reference/DOCUMENTS.md`` section B.

Every check digit is kept visible in :attr:`MrzResult.checks`; a read whose check digits fail
is returned with ``valid=False`` and must never be presented as trusted. OCR confusions
(``O``/``0``, ``I``/``1``, ``B``/``8`` ...) are repaired per field type (DOCUMENTS.md B.7) and a
repair of a mixed letter/digit field is only kept when the check digits confirm it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import logging
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

log = logging.getLogger(__name__)

FILLER = "<"
ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<")

FORMATS = ("TD1", "TD2", "TD3", "MRVA", "MRVB", "FRA_ID")
"""Recognised layouts. ``FRA_ID`` is the non-ICAO French identity card of 1988-2021 (2 x 36)."""

LINE_SHAPES: dict[str, tuple[int, int]] = {
    "TD1": (3, 30),
    "TD2": (2, 36),
    "TD3": (2, 44),
    "MRVA": (2, 44),
    "MRVB": (2, 36),
    "FRA_ID": (2, 36),
}

# DOCUMENTS.md B.7: letters read in a numeric field, digits read in an alphabetic field.
TO_DIGIT = {"O": "0", "D": "0", "Q": "0", "A": "4", "I": "1", "L": "1", "Z": "2", "S": "5", "G": "6", "B": "8"}
TO_ALPHA = {"0": "O", "1": "I", "2": "Z", "5": "S", "6": "G", "8": "B", "4": "A", "7": "T"}
# Mixed letter/digit fields (document numbers, optional data): each character may be any
# member of its group; a change is kept only when a check digit confirms it.
_CONFUSABLE_GROUPS = ("0ODQ", "1I", "2Z", "5S", "6G", "8B", "<K")
CONFUSABLE: dict[str, str] = {c: g.replace(c, "") for g in _CONFUSABLE_GROUPS for c in g}

# ISO 3166-1 alpha-3 plus the ICAO codes of Doc 9303 Part 3 (DOCUMENTS.md B.5) and the specimen
# state UTO. Only used to decide whether a digit in a state code is an OCR error.
STATE_CODES = frozenset(
    """
    ABW AFG AGO AIA ALA ALB AND ARE ARG ARM ASM ATA ATF ATG AUS AUT AZE BDI BEL BEN BES BFA BGD BGR
    BHR BHS BIH BLM BLR BLZ BMU BOL BRA BRB BRN BTN BVT BWA CAF CAN CCK CHE CHL CHN CIV CMR COD COG
    COK COL COM CPV CRI CUB CUW CXR CYM CYP CZE DEU DJI DMA DNK DOM DZA ECU EGY ERI ESH ESP EST ETH
    FIN FJI FLK FRA FRO FSM GAB GBR GEO GGY GHA GIB GIN GLP GMB GNB GNQ GRC GRD GRL GTM GUF GUM GUY
    HKG HMD HND HRV HTI HUN IDN IMN IND IOT IRL IRN IRQ ISL ISR ITA JAM JEY JOR JPN KAZ KEN KGZ KHM
    KIR KNA KOR KWT LAO LBN LBR LBY LCA LIE LKA LSO LTU LUX LVA MAC MAF MAR MCO MDA MDG MDV MEX MHL
    MKD MLI MLT MMR MNE MNG MNP MOZ MRT MSR MTQ MUS MWI MYS MYT NAM NCL NER NFK NGA NIC NIU NLD NOR
    NPL NRU NZL OMN PAK PAN PCN PER PHL PLW PNG POL PRI PRK PRT PRY PSE PYF QAT REU ROU RUS RWA SAU
    SDN SEN SGP SGS SHN SJM SLB SLE SLV SMR SOM SPM SRB SSD STP SUR SVK SVN SWE SWZ SXM SYC SYR TCA
    TCD TGO THA TJK TKL TKM TLS TON TTO TUN TUR TUV TWN TZA UGA UKR UMI URY USA UZB VAT VCT VEN VGB
    VIR VNM VUT WLF WSM YEM ZAF ZMB ZWE D<< GBD GBN GBO GBP GBS UNO UNA UNK XOM XPO XBA XIM XCC XCO
    XEC XDC EUE XXA XXB XXC XXX RKS UTO BDR
    """.split()  # noqa: SIM905 - a word list reads better than 260 quoted strings
)

_STATE_NAMES = frozenset(code.strip(FILLER) for code in STATE_CODES)
"""State codes as :class:`MrzResult` stores them (``D<<`` is ``D``)."""

_STATE_LOOKALIKE_GROUPS = ("MNH", "ODQ", "IL", "EF", "UV", "CG", "BR", "PR", "KX")
_STATE_LOOKALIKES: dict[str, str] = {}
for _group in _STATE_LOOKALIKE_GROUPS:
    for _c in _group:
        _STATE_LOOKALIKES[_c] = _STATE_LOOKALIKES.get(_c, "") + _group.replace(_c, "")
"""Letters OCR confuses in a state code; an unknown code with exactly one known code one
look-alike away is read as that code (``MLD`` -> ``NLD``)."""

_MAX_CHANGES_PER_FIELD = 2
_MAX_VARIANTS_PER_FIELD = 12

Hints = Mapping[tuple[int, int], str]
"""Other readings of doubtful characters: ``(line, position) -> characters``, best first."""

_Span = tuple[int, int, int]
"""(line index, start, end) with Python slice semantics."""


def char_value(char: str) -> int:
    """Numeric value of one MRZ character (Doc 9303 Part 3, 4.9).

    Args:
        char: one of ``A-Z``, ``0-9`` or ``<``.

    Returns:
        0-9 for digits, 10-35 for letters, 0 for the filler.

    Raises:
        ValueError: for any other character.

    >>> char_value("7"), char_value("A"), char_value("Z"), char_value("<")
    (7, 10, 35, 0)

    """
    if char.isdigit() and char.isascii():
        return int(char)
    if "A" <= char <= "Z":
        return ord(char) - ord("A") + 10
    if char == FILLER:
        return 0
    raise ValueError(f"not an MRZ character: {char!r}")


def check_digit(data: str) -> str:
    """Compute the 7-3-1 check digit of ``data`` (DOCUMENTS.md B.3).

    Args:
        data: MRZ characters.

    Returns:
        The check digit as a one-character string.

    >>> check_digit("L898902C3")
    '6'
    >>> check_digit("740812"), check_digit("120415")
    ('2', '9')
    >>> check_digit("ZE184226B<<<<<")
    '1'
    >>> check_digit("L898902C36" + "7408122" + "1204159ZE184226B<<<<<1")
    '0'
    >>> check_digit("D23145890")
    '7'

    """
    weights = (7, 3, 1)
    total = sum(char_value(c) * weights[i % 3] for i, c in enumerate(data))
    return str(total % 10)


def is_check_valid(data: str, digit: str, *, allow_filler: bool = False) -> bool:
    """Tell whether ``digit`` is the check digit of ``data``.

    Args:
        data: the protected characters.
        digit: the character read at the check-digit position.
        allow_filler: accept ``<`` as the check digit of an all-filler field (TD3 optional data).

    Returns:
        True when the check digit matches.

    >>> is_check_valid("740812", "2"), is_check_valid("740812", "3")
    (True, False)
    >>> is_check_valid("<<<<<<<<<<<<<<", "<", allow_filler=True)
    True
    >>> is_check_valid("<<<<<<", "<")
    False

    """
    if any(c not in ALPHABET for c in data):
        return False
    if digit == FILLER:
        return allow_filler and set(data) <= {FILLER}
    return digit.isdigit() and digit == check_digit(data)


@dataclasses.dataclass(frozen=True, slots=True)
class MrzResult:
    """A parsed machine-readable zone with every check kept visible."""

    format: str
    """One of :data:`FORMATS`."""
    document_code: str
    """Document code without fillers, e.g. ``P``, ``ID``, ``IR``, ``V``."""
    issuer: str
    """Issuing state or organisation as printed (``D<<`` becomes ``D``)."""
    document_number: str
    """Document number without fillers; Belgian/Portuguese long numbers are joined."""
    nationality: str
    birth_date: dt.date | None
    """Date of birth with the century decided by :func:`birth_century`; None if unknown or invalid."""
    sex: str
    """``M``, ``F`` or ``<`` as printed (``X`` also occurs)."""
    expiry_date: dt.date | None
    """Date of expiry (visa: valid until); None for the French 1988 card or when unknown."""
    surname: str
    given_names: str
    optional_data: str
    """Optional data without fillers; TD1 joins line-1 and line-2 parts with a space."""
    checks: dict[str, bool]
    """Check-digit verdicts by field: ``document_number``, ``birth_date``, ``expiry_date``,
    ``optional_data`` (TD3 only) and ``composite`` (not on visas). Absent key: no such check."""
    valid: bool
    """All check digits pass and the dates exist on the calendar (or are marked unknown)."""
    repaired: tuple[str, ...]
    """OCR repairs applied, e.g. ``"line2[13] O->0 (birth_date)"``."""
    raw: tuple[str, ...]
    """The lines as given (after whitespace removal), before any repair."""
    lines: tuple[str, ...] = ()
    """The lines after repair (what the fields were read from)."""
    birth_date_raw: str = ""
    """YYMMDD as read (after repair)."""
    expiry_date_raw: str = ""
    format_checks: dict[str, bool] = dataclasses.field(default_factory=dict)
    """Non-check-digit plausibility: ``sex`` in M/F/X/<, dates on the calendar."""
    document_number_long: bool = False
    """True when the number overflowed into the optional data (TD1, Doc 9303-5 note j)."""
    doubts: tuple[str, ...] = ()
    """Why the name line is not plausible (no check digit covers it), e.g. ``"letters in the
    filler run after the names"``; empty when it is. A read with doubts is never trusted."""

    @property
    def trusted(self) -> bool:
        """Every check digit passes, dates and sex are well-formed and the name line is plausible."""
        return self.valid and not self.doubts and all(self.format_checks.values())

    @property
    def reasons(self) -> tuple[str, ...]:
        """Why the read is not trusted (empty when it is): failed checks, impossible dates, doubts.

        No personal data: field names only, never their values.
        """
        out = [f"{name.replace('_', ' ')} check digit fails" for name, ok in self.checks.items() if not ok]
        if self.format == "unknown" or not self.checks:
            out.append("no MRZ layout recognised")
        for name, ok in self.format_checks.items():
            if not ok:
                out.append(_FORMAT_REASONS.get(name, f"{name} implausible"))
        out.extend(self.doubts)
        return tuple(out)

    @property
    def field_trust(self) -> dict[str, bool]:
        """Per field: whether it can be relied on by itself.

        A field under a passing check digit (and the composite, where there is one) is trusted
        even when another field is not; names, sex and state codes carry no check digit and are
        trusted only with the whole read.
        """
        composite = self.checks.get("composite", True)
        date_ok = self.format_checks

        def checked(name: str, calendar: bool = True) -> bool:
            return self.checks.get(name, False) and composite and calendar

        # Fields without a check digit: the read passed every check (the OCR was good) and the
        # field itself is plausible; a doubt about the names does not touch the codes, nor the reverse.
        valid = self.valid
        names_ok = valid and all(d in _CODE_DOUBTS for d in self.doubts)
        return {
            "document_number": checked("document_number"),
            "birth_date": checked("birth_date", date_ok.get("birth_date", False)),
            "expiry_date": self.format == "FRA_ID" or checked("expiry_date", date_ok.get("expiry_date", False)),
            "optional_data": valid,
            "names": names_ok,
            "sex": valid and date_ok.get("sex", False),
            "issuer": valid and self.issuer in _STATE_NAMES,
            "nationality": valid and (self.nationality in _STATE_NAMES or self.format == "FRA_ID"),
        }

    @property
    def mrz_text(self) -> str:
        """The repaired lines joined by newlines."""
        return "\n".join(self.lines)

    def on(self, today: dt.date) -> MrzResult:
        """The same read with the two-digit years' centuries decided for another evaluation date.

        A page is read once and cached whatever the evaluation date; the centuries are decided by
        the date the dossier is evaluated on (:func:`birth_century`, :func:`expiry_century`).
        """
        birth = _date(self.birth_date_raw, today, birth=True)[0] if self.birth_date_raw else self.birth_date
        expiry = _date(self.expiry_date_raw, today, birth=False)[0] if self.expiry_date_raw else self.expiry_date
        return dataclasses.replace(self, birth_date=birth, expiry_date=expiry)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (dates as ISO strings)."""
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if isinstance(value, dt.date):
                value = value.isoformat()
            elif isinstance(value, tuple):
                value = list(value)
            elif isinstance(value, dict):
                value = dict(value)
            out[f.name] = value
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> MrzResult:
        """Inverse of :meth:`to_dict`."""
        kwargs = dict(data)
        for key in ("birth_date", "expiry_date"):
            if kwargs.get(key):
                kwargs[key] = dt.date.fromisoformat(kwargs[key])
        for key in ("repaired", "raw", "lines", "doubts"):
            kwargs[key] = tuple(kwargs.get(key, ()))
        return cls(**kwargs)


_FORMAT_REASONS = {
    "birth_date": "birth date is not a calendar date",
    "expiry_date": "expiry date is not a calendar date",
    "sex": "sex is not M, F, X or <",
}


# --------------------------------------------------------------------------- layout


@dataclasses.dataclass(frozen=True, slots=True)
class _CheckSpec:
    name: str
    spans: tuple[_Span, ...]
    digit: tuple[int, int]
    allow_filler: bool = False


@dataclasses.dataclass(frozen=True, slots=True)
class _Layout:
    checks: tuple[_CheckSpec, ...]
    digit_spans: tuple[tuple[str, _Span], ...]
    alpha_spans: tuple[tuple[str, _Span], ...]
    alnum_spans: tuple[tuple[str, _Span], ...]
    """Mixed fields repaired only under a check digit; ``(check name or "composite", span)``."""
    state_spans: tuple[tuple[str, _Span], ...] = ()
    """Issuing state and nationality (see :func:`_repair_states`)."""


def _td1_long_number(line1: str) -> tuple[int, int] | None:
    """Return the (start, end) of the overflow digits in line 1 when the number is long.

    Doc 9303-5 note j: position 15 is ``<`` and the number continues in 16-30, followed by
    its check digit and a filler (Belgian eID and residence cards, Portuguese cards).
    """
    if len(line1) < 30 or line1[14] != FILLER or line1[15] == FILLER:
        return None
    end = line1.find(FILLER, 15)
    end = 30 if end == -1 else end
    if end - 15 < 2:
        return None
    return 15, end


def _layout(fmt: str, lines: Sequence[str]) -> _Layout:
    if fmt == "TD1":
        long = _td1_long_number(lines[0])
        if long:
            s, e = long
            number = _CheckSpec("document_number", ((0, 5, 14), (0, s, e - 1)), (0, e - 1))
            opt1: tuple[_Span, ...] = ((0, e, 30),) if e < 30 else ()
            number_alnum: tuple[_Span, ...] = ((0, 5, 14), (0, s, e - 1))
        else:
            number = _CheckSpec("document_number", ((0, 5, 14),), (0, 14))
            opt1 = ((0, 15, 30),)
            number_alnum = ((0, 5, 14),)
        composite = _CheckSpec("composite", ((0, 5, 30), (1, 0, 7), (1, 8, 15), (1, 18, 29)), (1, 29))
        return _Layout(
            checks=(
                number,
                _CheckSpec("birth_date", ((1, 0, 6),), (1, 6)),
                _CheckSpec("expiry_date", ((1, 8, 14),), (1, 14)),
                composite,
            ),
            digit_spans=(
                ("birth_date", (1, 0, 7)),
                ("expiry_date", (1, 8, 15)),
                ("composite", (1, 29, 30)),
                *((("document_number", (0, long[1] - 1, long[1])),) if long else (("document_number", (0, 14, 15)),)),
            ),
            alpha_spans=(
                ("document_code", (0, 0, 1)),
                ("name", (2, 0, 30)),
            ),
            state_spans=(("issuer", (0, 2, 5)), ("nationality", (1, 15, 18))),
            alnum_spans=(
                *(("document_number", sp) for sp in number_alnum),
                *(("composite", sp) for sp in opt1),
                ("composite", (1, 18, 29)),
            ),
        )
    if fmt in ("TD2", "TD3", "MRVA", "MRVB"):
        width = LINE_SHAPES[fmt][1]
        opt_end = width - 1 if fmt in ("TD2", "TD3") else width
        if fmt == "TD3":
            opt_end = 42
        checks = [
            _CheckSpec("document_number", ((1, 0, 9),), (1, 9)),
            _CheckSpec("birth_date", ((1, 13, 19),), (1, 19)),
            _CheckSpec("expiry_date", ((1, 21, 27),), (1, 27)),
        ]
        digit_spans: list[tuple[str, _Span]] = [
            ("document_number", (1, 9, 10)),
            ("birth_date", (1, 13, 20)),
            ("expiry_date", (1, 21, 28)),
        ]
        alnum: list[tuple[str, _Span]] = [("document_number", (1, 0, 9))]
        if fmt == "TD3":
            checks.append(_CheckSpec("optional_data", ((1, 28, 42),), (1, 42), allow_filler=True))
            alnum.append(("optional_data", (1, 28, 42)))
        elif fmt == "TD2":
            alnum.append(("composite", (1, 28, 35)))
        if fmt in ("TD2", "TD3"):
            checks.append(
                _CheckSpec(
                    "composite",
                    ((1, 0, 10), (1, 13, 20), (1, 21, opt_end + (1 if fmt == "TD3" else 0))),
                    (1, width - 1),
                )
            )
            digit_spans.append(("composite", (1, width - 1, width)))
        return _Layout(
            checks=tuple(checks),
            digit_spans=tuple(digit_spans),
            alpha_spans=(
                ("document_code", (0, 0, 1)),
                ("name", (0, 5, width)),
            ),
            alnum_spans=tuple(alnum),
            state_spans=(("issuer", (0, 2, 5)), ("nationality", (1, 10, 13))),
        )
    if fmt == "FRA_ID":
        return _Layout(
            checks=(
                _CheckSpec("document_number", ((1, 0, 12),), (1, 12)),
                _CheckSpec("birth_date", ((1, 27, 33),), (1, 33)),
                _CheckSpec("composite", ((0, 0, 36), (1, 0, 35)), (1, 35)),
            ),
            digit_spans=(("document_number", (1, 12, 13)), ("birth_date", (1, 27, 34)), ("composite", (1, 35, 36))),
            alpha_spans=(
                ("document_code", (0, 0, 1)),
                ("name", (0, 5, 30)),
                ("name", (1, 13, 27)),
            ),
            alnum_spans=(("document_number", (1, 0, 12)),),
            state_spans=(("issuer", (0, 2, 5)),),
        )
    raise ValueError(f"unknown MRZ format {fmt!r}")


def detect_format(lines: Sequence[str]) -> str | None:
    """Guess the layout from the number and length of lines and the document code.

    Args:
        lines: MRZ lines (already normalised).

    Returns:
        One of :data:`FORMATS`, or None.

    >>> detect_format(["P<UTO" + "<" * 39, "L" * 44])
    'TD3'
    >>> detect_format(["I<UTO" + "<" * 25] * 3)
    'TD1'

    """
    if len(lines) == 3 and all(len(x) == 30 for x in lines):
        return "TD1"
    if len(lines) != 2 or len(lines[0]) != len(lines[1]):
        return None
    width = len(lines[0])
    visa = lines[0][:1] == "V"
    if width == 44:
        return "MRVA" if visa else "TD3"
    if width == 36:
        if visa:
            return "MRVB"
        if lines[0].startswith("IDFRA") and not _looks_td2_line2(lines[1]):
            return "FRA_ID"
        return "TD2"
    return None


def _looks_td2_line2(line2: str) -> bool:
    """Tell whether a 36-character line 2 has TD2 structure (nationality at 11-13, sex at 21)."""
    return line2[10:13].replace(FILLER, "A").isalpha() and line2[20] in "MFX<"


# --------------------------------------------------------------------------- century rules


def birth_century(yymmdd: str, today: dt.date) -> dt.date | None:
    """Date of birth: the latest century with the date not after ``today`` (DOCUMENTS.md B.4).

    Args:
        yymmdd: six digits.
        today: reference date (issue date or evaluation date).

    Returns:
        The date, or None when it is not a calendar date.

    >>> birth_century("740812", dt.date(2027, 1, 1))
    datetime.date(1974, 8, 12)
    >>> birth_century("250301", dt.date(2026, 1, 1)), birth_century("270301", dt.date(2026, 1, 1))
    (datetime.date(2025, 3, 1), datetime.date(1927, 3, 1))
    >>> birth_century("741312", dt.date(2026, 1, 1)) is None
    True

    """
    for century in (2000, 1900, 1800):
        try:
            date = dt.date(century + int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:6]))
        except ValueError:
            return None
        if date <= today:
            return date
    return None


def expiry_century(yymmdd: str, today: dt.date) -> dt.date | None:
    """Date of expiry: ``20YY`` while YY <= current two-digit year + 50, else ``19YY`` (B.4).

    Args:
        yymmdd: six digits.
        today: evaluation date.

    Returns:
        The date, or None when it is not a calendar date.

    >>> expiry_century("120415", dt.date(2026, 1, 1))
    datetime.date(2012, 4, 15)
    >>> expiry_century("961210", dt.date(2026, 1, 1))
    datetime.date(1996, 12, 10)
    >>> expiry_century("760101", dt.date(2026, 1, 1))
    datetime.date(2076, 1, 1)

    """
    yy = int(yymmdd[:2])
    year = 2000 + yy if yy <= today.year % 100 + 50 else 1900 + yy
    try:
        return dt.date(year, int(yymmdd[2:4]), int(yymmdd[4:6]))
    except ValueError:
        return None


def _date(raw: str, today: dt.date, *, birth: bool) -> tuple[dt.date | None, bool]:
    """Parse YYMMDD; return (date, plausible). Fully or partly ``<`` is unknown but plausible."""
    if len(raw) != 6:
        return None, False
    if FILLER in raw:
        # Unknown day/month of birth (Doc 9303: filled with '<'); the year must still be digits.
        # An expiry date is complete or absent: a '<' inside it is a misread '0' (both count 0 in
        # the check digit), so it must not pass.
        if not birth:
            return None, raw == FILLER * 6
        return None, raw == FILLER * 6 or (raw[:2].isdigit() and all(c.isdigit() or c == FILLER for c in raw))
    if not raw.isdigit():
        return None, False
    date = birth_century(raw, today) if birth else expiry_century(raw, today)
    return date, date is not None


# --------------------------------------------------------------------------- normalising


_OCR_SUBSTITUTES = {"«": "<<", "‹": "<", "(": "<", "[": "<", "{": "<", "€": "<", "£": "<", "|": "I"}


def normalize_line(line: str) -> str:
    """Upper-case, drop whitespace and map a few OCR look-alikes of ``<``.

    >>> normalize_line(" p<uto erik«anna ")
    'P<UTOERIK<<ANNA'
    """
    out = []
    for ch in line.upper():
        if ch.isspace():
            continue
        out.append(_OCR_SUBSTITUTES.get(ch, ch))
    return "".join(out)


def _fit(line: str, width: int) -> str:
    """Fix a line that is one or two characters off, by ``<`` at the end."""
    if len(line) < width and width - len(line) <= 2:
        return line + FILLER * (width - len(line))
    if len(line) > width and len(line) - width <= 2:
        extra = len(line) - width
        if line.endswith(FILLER * extra):
            return line[:width]
        if line[width - 1 - extra : -extra].endswith(FILLER) and set(line[width:]) <= {FILLER}:
            return line[:width]
    return line


_MRZ_CHARS = re.compile(r"[A-Z0-9<]")


def _mrz_score(line: str) -> float:
    if not line:
        return 0.0
    return len(_MRZ_CHARS.findall(line)) / len(line)


def _best_join(tokens: list[str]) -> str:
    """Join the words of one OCR line, dropping short junk words at either end if that helps.

    OCR of a cropped band often adds a stray ``S`` or ``<`` beside the zone; a join whose
    length is an MRZ line width (30, 36, 44) wins.
    """
    options = []
    for lead in range(min(2, len(tokens))):
        for trail in range(min(2, len(tokens) - lead)):
            dropped = tokens[:lead] + tokens[len(tokens) - trail :]
            if any(len(t) > 3 for t in dropped):
                continue
            options.append((lead + trail, normalize_line("".join(tokens[lead : len(tokens) - trail]))))
    exact = [o for o in options if len(o[1]) in (30, 36, 44)]
    if exact:
        return min(exact)[1]
    return normalize_line("".join(tokens))


def find_mrz_lines(text: str) -> list[str] | None:
    r"""Find MRZ-looking lines in noisy OCR text.

    Spaces are removed, lengths that are off by one or two ``<`` are fixed, and the
    bottom-most group of 3 x 30, 2 x 44 or 2 x 36 lines wins.

    Args:
        text: OCR output of a page or of a cropped band.

    Returns:
        The lines, or None when nothing MRZ-shaped is found.

    >>> find_mrz_lines("PASSPORT\nP<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<\n"
    ...                "L898902C36UTO7408122F1204159ZE184226B<<<<<10\n")[1]
    'L898902C36UTO7408122F1204159ZE184226B<<<<<10'

    """
    cands = [_best_join(x.split()) for x in text.upper().splitlines()]
    cands = [c for c in cands if len(c) >= 26 and _mrz_score(c) >= 0.9 and (FILLER in c or len(c) >= 28)]
    cands = ["".join(_MRZ_CHARS.findall(c)) for c in cands]
    best: list[str] | None = None
    for i in range(len(cands)):
        for count, width in ((3, 30), (2, 44), (2, 36)):
            group = cands[i : i + count]
            if len(group) != count:
                continue
            fitted = [_fit(g, width) for g in group]
            if all(len(g) == width for g in fitted):
                best = fitted
                break
    return best


# --------------------------------------------------------------------------- repair


def _set(lines: list[list[str]], line: int, pos: int, char: str) -> None:
    lines[line][pos] = char


def _span_text(lines: Sequence[Sequence[str]], spans: Sequence[_Span]) -> str:
    return "".join("".join(lines[li][s:e]) for li, s, e in spans)


def _check_ok(lines: Sequence[Sequence[str]], spec: _CheckSpec) -> bool:
    li, pos = spec.digit
    return is_check_valid(_span_text(lines, spec.spans), lines[li][pos], allow_filler=spec.allow_filler)


def _positions(spans: Sequence[_Span]) -> list[tuple[int, int]]:
    return [(li, p) for li, s, e in spans for p in range(s, e)]


def _variants(
    lines: list[list[str]],
    spans: Sequence[_Span],
    max_changes: int,
    hints: Hints | None = None,
    *,
    digits_only: bool = False,
) -> Iterator[dict[tuple[int, int], str]]:
    """Yield substitution sets (position -> char) with 1..max_changes changes.

    A position may take the members of its confusable group (:data:`CONFUSABLE`) and the
    engine's other readings of it (``hints``); in an all-digit field only digits. With hints
    (an OCR read with per-character confidences), only the hinted (doubtful) positions change:
    the more characters may change, the likelier a wrong variant passes the check digits by
    chance, and a character the engine read with confidence is not where the error is.
    """
    positions = _positions(spans)
    if hints is not None:
        positions = [pos for pos in positions if pos in hints]
    text = "".join(lines[li][p] for li, p in positions)
    # Never put a letter into an all-digit number (Belgian eID numbers are digits only).
    letters_ok = any(c.isalpha() for c in text) and not digits_only
    options = []
    for li, p in positions:
        ocr_alts = (hints or {}).get((li, p), "")
        alts = "".join(dict.fromkeys(ocr_alts + ("" if digits_only else CONFUSABLE.get(lines[li][p], ""))))
        alts = alts.replace(lines[li][p], "")
        if not letters_ok:
            alts = "".join(a for a in alts if not a.isalpha())
        if digits_only:
            alts = alts.replace(FILLER, "")
        if alts:
            options.append(((li, p), alts))
    for k in range(1, max_changes + 1):
        for combo in itertools.combinations(options, k):
            for chars in itertools.product(*(alts for _, alts in combo)):
                yield {pos: ch for (pos, _), ch in zip(combo, chars, strict=True)}


def _apply(lines: list[list[str]], subs: dict[tuple[int, int], str]) -> dict[tuple[int, int], str]:
    old = {}
    for (li, p), ch in subs.items():
        old[(li, p)] = lines[li][p]
        lines[li][p] = ch
    return old


def _coerce(
    lines: list[list[str]], spans: Sequence[tuple[str, _Span]], table: dict[str, str], repairs: list[str]
) -> None:
    for name, (li, s, e) in spans:
        for p in range(s, e):
            ch = lines[li][p]
            if ch in table:
                lines[li][p] = table[ch]
                repairs.append(f"line{li + 1}[{p + 1}] {ch}->{table[ch]} ({name})")


FILLER_LOOKALIKES = frozenset("KECL")
"""Letters OCR reads for a filler ``<`` (its two strokes): the only repairs made in a name line."""


def _repair_name_fillers(lines: list[list[str]], spans: Sequence[tuple[str, _Span]], repairs: list[str]) -> None:
    """Turn filler look-alikes standing in filler padding back into ``<``.

    Names are separated by one filler and surname from given names by two, so a run of three
    or more fillers is padding; a short "word" of :data:`FILLER_LOOKALIKES` after such a run,
    or between padding and the end of the line, is a misread filler (``ANNA<<<<K<<<<<``).
    ``<<K<<`` between names is repaired as well (names are never one such letter between
    double fillers).
    """
    for name, (li, s, e) in spans:
        if name != "name":
            continue
        field = "".join(lines[li][s:e])
        for match in re.finditer(r"(?<=<)[A-Z]{1,2}(?=<|$)", field):
            start, end = match.start(), match.end()
            word = match.group()
            before = field[:start]
            padding = before.endswith(FILLER * 3) or (before.endswith(FILLER * 2) and field[end : end + 2] == "<<")
            if not padding or not set(word) <= FILLER_LOOKALIKES:
                continue
            for p in range(s + start, s + end):
                repairs.append(f"line{li + 1}[{p + 1}] {lines[li][p]}->< ({name}, filler)")
                lines[li][p] = FILLER
            field = "".join(lines[li][s:e])


def name_spans(fmt: str, lines: Sequence[str]) -> tuple[tuple[int, int, int], ...]:
    """The ``(line, start, end)`` spans of the name field(s) of a zone (0-based, end exclusive).

    >>> name_spans("TD3", ["P<UTO" + "<" * 39, "L" * 44])
    ((0, 5, 44),)
    """
    try:
        layout = _layout(fmt, lines)
    except (ValueError, IndexError):
        return ()
    return tuple(span for name, span in layout.alpha_spans if name == "name")


def name_doubts(lines: Sequence[str], fmt: str) -> tuple[str, ...]:
    r"""Why the name line of a zone is not plausible (no check digit covers it).

    Args:
        lines: the zone's lines after repair.
        fmt: its format (:data:`FORMATS`).

    Returns:
        Reasons, empty when the names look like names: letters, single fillers between names,
        a double filler between surname and given names, then only fillers to the end. An empty
        surname is allowed (Indian passports of holders with one name: ``P<IND<<FIRST<NAME``).

    >>> name_doubts(["P<UTOERIKSSON<<ANNA<MARIA" + "<" * 19, "L" * 44], "TD3")
    ()
    >>> name_doubts(["P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<XQ<<<<<<<<<<", "L" * 44], "TD3")
    ('letters in the filler padding after the names',)
    >>> name_doubts(["I<UTO" + "<" * 25, "7" * 30, "ESPANOLASCARMENSSS<SS" + "<" * 9], "TD1")
    ('a letter three times in a row in the names',)
    """
    try:
        layout = _layout(fmt, lines)
    except (ValueError, IndexError):
        return ("no MRZ layout recognised",)
    out: list[str] = []
    for name, (li, s, e) in layout.alpha_spans:
        if name != "name" or li >= len(lines):
            continue
        field = lines[li][s:e]
        if fmt == "FRA_ID":
            continue  # surname and given names share lines with numbers; no padding rule
        body = field.rstrip(FILLER)
        if not body.strip(FILLER):
            out.append("no name in the name field")
            continue
        if re.search(r"[^A-Z<]", field):
            out.append("digits in the name field")
        if FILLER * 3 in body:
            out.append("letters in the filler padding after the names")
        if re.search(r"([A-Z])\1\1", body):
            # No name repeats a letter three times; fillers misread as one letter do (SSS<SS).
            out.append("a letter three times in a row in the names")
    return tuple(dict.fromkeys(out))


def _repair_states(lines: list[list[str]], spans: Sequence[tuple[str, _Span]], repairs: list[str]) -> None:
    """Repair state codes only towards a known code (some real cards print digits there).

    A digit becomes a letter when that gives a known code; then an unknown issuer one letter
    away from a known nationality (or the reverse) takes the other's value, as passports
    mostly carry the same code twice (``MLD`` read for ``NLD``).
    """
    for name, (li, s, e) in spans:
        code = "".join(lines[li][s:e])
        fixed = "".join(TO_ALPHA.get(c, c) for c in code)
        if code not in STATE_CODES and fixed in STATE_CODES:
            lines[li][s:e] = list(fixed)
            repairs.append(f"line{li + 1}[{s + 1}-{e}] {code}->{fixed} ({name})")
    for name, (li, s, e) in spans:
        code = "".join(lines[li][s:e])
        if code in STATE_CODES or FILLER in code:
            continue
        near = {
            code[:i] + alt + code[i + 1 :] for i, ch in enumerate(code) for alt in _STATE_LOOKALIKES.get(ch, "")
        } & STATE_CODES
        if len(near) == 1:
            fixed = near.pop()
            lines[li][s:e] = list(fixed)
            repairs.append(f"line{li + 1}[{s + 1}-{e}] {code}->{fixed} ({name}, only known code one look-alike away)")
    if len(spans) == 2:
        (n1, (l1, s1, e1)), (n2, (l2, s2, e2)) = spans
        a, b = "".join(lines[l1][s1:e1]), "".join(lines[l2][s2:e2])
        if sum(x != y for x, y in zip(a, b, strict=True)) == 1:
            if a not in STATE_CODES and b in STATE_CODES:
                lines[l1][s1:e1] = list(b)
                repairs.append(f"line{l1 + 1}[{s1 + 1}-{e1}] {a}->{b} ({n1}, as {n2})")
            elif b not in STATE_CODES and a in STATE_CODES:
                lines[l2][s2:e2] = list(a)
                repairs.append(f"line{l2 + 1}[{s2 + 1}-{e2}] {b}->{a} ({n2}, as {n1})")


def _repair_checked(lines: list[list[str]], layout: _Layout, repairs: list[str], hints: Hints | None = None) -> None:
    """Try confusable substitutions in mixed fields; keep them only if the check digits confirm.

    With ``hints`` (the OCR engine's other readings of doubtful characters), digits of dates
    and check digits may also change to a hinted digit, under the same confirmation.
    """
    by_check = {c.name: c for c in layout.checks}
    composite = by_check.get("composite")
    failing = [c for c in layout.checks if c.name != "composite" and not _check_ok(lines, c)]
    per_field: list[list[dict[tuple[int, int], str]]] = []
    for spec in failing:
        spans = tuple(sp for n, sp in layout.alnum_spans if n == spec.name)
        digit_spans = tuple(sp for n, sp in layout.digit_spans if n == spec.name)
        if hints and digit_spans:
            hinted = tuple(
                (li, p, p + 1) for li, s0, e0 in digit_spans for p in range(s0, e0) if (li, p) in hints
            )
            digit_spans = hinted
        else:
            digit_spans = ()
        if not spans and not digit_spans:
            per_field.append([{}])
            continue
        max_changes = _MAX_CHANGES_PER_FIELD if composite else 1
        found: list[dict[tuple[int, int], str]] = []
        candidates = itertools.chain(
            _variants(lines, spans, max_changes, hints) if spans else (),
            _variants(lines, digit_spans, 1, hints, digits_only=True) if digit_spans else (),
        )
        for subs in candidates:
            old = _apply(lines, subs)
            ok = _check_ok(lines, spec)
            _apply(lines, old)
            if ok:
                found.append(subs)
                if len(found) >= _MAX_VARIANTS_PER_FIELD:
                    break
        if composite is None:
            # Without a composite there is no second witness: accept a single unique fix only.
            fewest = [f for f in found if found and len(f) == len(found[0])]
            per_field.append(fewest if len(fewest) == 1 else [{}])
        else:
            per_field.append(found or [{}])

    chosen: dict[tuple[int, int], str] = {}
    if composite is None:
        for options in per_field:
            chosen.update(options[0])
    elif failing:
        best: tuple[int, int] | None = None
        ties = 0
        for combo in itertools.product(*per_field):
            subs = {k: v for d in combo for k, v in d.items()}
            if not subs:
                continue
            old = _apply(lines, subs)
            passing = sum(_check_ok(lines, c) for c in layout.checks)
            # Every repair of a mixed field must be confirmed by the composite as well.
            composite_ok = _check_ok(lines, composite)
            _apply(lines, old)
            score = (passing, -len(subs))
            if not composite_ok:
                continue
            if best is None or score > best:
                best, chosen, ties = score, subs, 1
            elif score == best:
                ties += 1
        if ties > 1:
            # Two repairs as good as each other pass every check: the check digits cannot tell
            # which is right, so neither is kept (the read stays untrusted).
            chosen = {}
    fields_ok = all(_check_ok(lines, c) for c in layout.checks if c.name != "composite")
    if not chosen and composite is not None and fields_ok and not _check_ok(lines, composite):
        # Optional data covered only by the composite: one unique change at most.
        spans = tuple(sp for n, sp in layout.alnum_spans if n == "composite")
        fixes = []
        for subs in _variants(lines, spans, 1, hints):
            old = _apply(lines, subs)
            if _check_ok(lines, composite):
                fixes.append(subs)
            _apply(lines, old)
        if len(fixes) == 1:
            chosen = fixes[0]
    for (li, p), ch in sorted(chosen.items()):
        repairs.append(f"line{li + 1}[{p + 1}] {lines[li][p]}->{ch} (check digit confirmed)")
        _set(lines, li, p, ch)


# --------------------------------------------------------------------------- parsing


def _names(field: str) -> tuple[str, str]:
    field = field.rstrip(FILLER)
    surname, _, given = field.partition(FILLER * 2)
    return _words(surname), _words(given)


def _words(part: str) -> str:
    return " ".join(w for w in part.split(FILLER) if w)


def _clean(field: str) -> str:
    return field.strip(FILLER)


def _invalid(fmt: str, raw: tuple[str, ...], reason: str) -> MrzResult:
    log.debug("MRZ rejected: %s", reason)
    return MrzResult(
        format=fmt,
        document_code="",
        issuer="",
        document_number="",
        nationality="",
        birth_date=None,
        sex="",
        expiry_date=None,
        surname="",
        given_names="",
        optional_data="",
        checks={},
        valid=False,
        repaired=(),
        raw=raw,
        lines=raw,
    )


def parse_mrz(
    text: str, *, today: dt.date | None = None, repair: bool = True, hints: Hints | None = None
) -> MrzResult:
    r"""Parse an MRZ (TD1, TD2, TD3, MRV-A, MRV-B, old French ID) into an :class:`MrzResult`.

    Never raises on bad input: an unrecognisable text gives ``format="unknown"`` and
    ``valid=False``.

    Args:
        text: the MRZ lines separated by newlines; noisy OCR text is accepted
            (see :func:`find_mrz_lines`).
        today: reference date for the century rules (default: today).
        repair: apply field-type-aware OCR repair (DOCUMENTS.md B.7).
        hints: the OCR engine's other readings of doubtful characters, by ``(line, position)``
            in ``text``'s lines (0-based), best first; tried like confusable characters, and
            only kept when the check digits confirm them.

    Returns:
        The parsed zone; check ``valid`` before trusting any field.

    >>> r = parse_mrz("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\n"
    ...               "L898902C36UTO7408122F1204159ZE184226B<<<<<10", today=dt.date(2026, 1, 1))
    >>> r.format, r.document_number, r.birth_date, r.expiry_date, r.valid
    ('TD3', 'L898902C3', datetime.date(1974, 8, 12), datetime.date(2012, 4, 15), True)
    >>> r.surname, r.given_names, r.checks["composite"]
    ('ERIKSSON', 'ANNA MARIA', True)
    >>> parse_mrz("IDBEL600001795<0152<<<<<<<<<<<\n1301014F2311207BEL130101987398\n"
    ...           "SPECIMEN<<SPECIMEN<<<<<<<<<<<<").document_number
    '600001795015'
    >>> parse_mrz("hello").valid
    False

    """
    today = today or dt.date.today()
    try:
        return _parse(text, today, repair, hints)
    except Exception:  # never raise on content: a crash here would hide a document
        log.exception("unexpected error while parsing an MRZ")
        return _invalid("unknown", tuple(text.splitlines()), "parser error")


def _parse(text: str, today: dt.date, repair: bool, hints: Hints | None = None) -> MrzResult:
    given = [normalize_line(x) for x in text.strip().splitlines() if x.strip()]
    fmt = detect_format(given)
    lines_in = given
    if fmt is None:
        found = find_mrz_lines(text)
        if found is None:
            return _invalid("unknown", tuple(given), "no MRZ-shaped lines")
        lines_in = found
        hints = None  # the positions of the hints were those of the given lines
        fmt = detect_format(lines_in)
        if fmt is None:
            return _invalid("unknown", tuple(given), "no MRZ layout")
    raw = tuple(lines_in)
    lines = [list(x) for x in lines_in]
    repairs: list[str] = []
    layout = _layout(fmt, lines_in)
    if repair:
        _coerce(lines, layout.digit_spans, TO_DIGIT, repairs)
        _coerce(lines, layout.alpha_spans, TO_ALPHA, repairs)
        _repair_name_fillers(lines, layout.alpha_spans, repairs)
        _repair_states(lines, layout.state_spans, repairs)
        # A changed character may change the long-number layout of a TD1 card.
        layout = _layout(fmt, ["".join(x) for x in lines])
        _repair_checked(lines, layout, repairs, hints)
        layout = _layout(fmt, ["".join(x) for x in lines])
    final = tuple("".join(x) for x in lines)
    checks = {c.name: _check_ok(lines, c) for c in layout.checks}
    result = _build(fmt, final, raw, checks, tuple(repairs), today)
    return dataclasses.replace(result, doubts=name_doubts(final, fmt) + _state_doubts(result))


def _state_doubts(result: MrzResult) -> tuple[str, ...]:
    """Document code and state codes carry no check digit: a misread shows as an impossible value.

    The document code starts with a letter (P, I, A, C, V); a state code is a known one (a blank
    nationality is allowed).
    """
    out = []
    if not result.document_code[:1].isalpha():
        out.append(_DOCUMENT_CODE_DOUBT)
    if result.issuer and result.issuer not in _STATE_NAMES:
        out.append(_ISSUER_DOUBT)
    if result.format != "FRA_ID" and result.nationality and result.nationality not in _STATE_NAMES:
        out.append(_NATIONALITY_DOUBT)
    return tuple(out)


_DOCUMENT_CODE_DOUBT = "document code does not start with a letter"
_ISSUER_DOUBT = "issuing state is not a known code"
_NATIONALITY_DOUBT = "nationality is not a known code"
_CODE_DOUBTS = frozenset({_DOCUMENT_CODE_DOUBT, _ISSUER_DOUBT, _NATIONALITY_DOUBT})
"""Doubts about the codes of the zone, not about its names."""


def _build(
    fmt: str,
    lines: tuple[str, ...],
    raw: tuple[str, ...],
    checks: dict[str, bool],
    repairs: tuple[str, ...],
    today: dt.date,
) -> MrzResult:
    l1, l2 = lines[0], lines[1]
    long_number = False
    if fmt == "TD1":
        long = _td1_long_number(l1)
        if long:
            long_number = True
            number = _clean(l1[5:14]) + l1[long[0] : long[1] - 1]
            opt1 = _clean(l1[long[1] :])
        else:
            number = _clean(l1[5:14])
            opt1 = _clean(l1[15:30])
        opt2 = _clean(l2[18:29])
        optional = " ".join(x for x in (opt1, opt2) if x)
        birth_raw, sex, expiry_raw, nationality = l2[0:6], l2[7], l2[8:14], l2[15:18]
        surname, given_names = _names(lines[2])
        code, issuer = l1[0:2], l1[2:5]
    elif fmt == "FRA_ID":
        number = _clean(l2[0:12])
        optional = _clean(l1[30:36])
        birth_raw, sex, expiry_raw, nationality = l2[27:33], l2[34], "", "FRA"
        surname = _words(l1[5:30])
        given_names = " ".join(_words(p) for p in l2[13:27].split(FILLER * 2) if _words(p))
        code, issuer = l1[0:2], l1[2:5]
    else:
        width = len(l1)
        number = _clean(l2[0:9])
        opt_end = 42 if fmt == "TD3" else (35 if fmt == "TD2" else width)
        optional = _clean(l2[28:opt_end])
        birth_raw, sex, expiry_raw, nationality = l2[13:19], l2[20], l2[21:27], l2[10:13]
        surname, given_names = _names(l1[5:])
        code, issuer = l1[0:2], l1[2:5]

    birth, birth_ok = _date(birth_raw, today, birth=True)
    expiry, expiry_ok = (None, True) if fmt == "FRA_ID" else _date(expiry_raw, today, birth=False)
    format_checks = {"sex": sex in "MFX<", "birth_date": birth_ok}
    if fmt != "FRA_ID":
        format_checks["expiry_date"] = expiry_ok
    valid = bool(checks) and all(checks.values()) and birth_ok and expiry_ok
    if not valid:
        log.debug("MRZ %s failed checks: %s", fmt, {k: v for k, v in checks.items() if not v})
    return MrzResult(
        format=fmt,
        document_code=_clean(code),
        issuer=_clean(issuer),
        document_number=number,
        nationality=_clean(nationality),
        birth_date=birth,
        sex=sex,
        expiry_date=expiry,
        surname=surname,
        given_names=given_names,
        optional_data=optional,
        checks=checks,
        valid=valid,
        repaired=repairs,
        raw=raw,
        lines=lines,
        birth_date_raw=birth_raw,
        expiry_date_raw=expiry_raw,
        format_checks=format_checks,
        document_number_long=long_number,
    )
