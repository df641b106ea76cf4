"""Multilingual printed-date parsing: one merged month table, numeric and textual formats (DOCUMENTS.md A)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import functools
import re
import unicodedata
from collections.abc import Iterator

__all__ = [
    "MONTHS",
    "DateKind",
    "DateMatch",
    "find_dates",
    "fold",
    "month_number",
    "resolve_century",
    "with_kind",
]


class DateKind(enum.StrEnum):
    """What a date means, which decides the century of a two-digit year (DOCUMENTS.md B.4)."""

    ANY = "any"
    """Unknown meaning: the year closest to the reference date (window of +-50 years)."""
    BIRTH = "birth"
    """The latest century such that the date is on or before the reference date."""
    ISSUE = "issue"
    """Same rule as birth: an issue date lies in the past."""
    EXPIRY = "expiry"
    """``20YY`` while ``YY`` <= reference two-digit year + 50, else ``19YY``."""


# DOCUMENTS.md A.2: no token names different months in different languages, so one table serves
# EN/FR/NL/DE/ES/IT/PT. Keys are folded (lower case, no accents, no trailing dot).
_MONTH_NAMES: dict[int, str] = {
    1: "january jan janvier janv januari januar janner enero ene gennaio gen janeiro",
    2: "february feb fevrier fevr fev februari februar febrero febbraio fevereiro",
    3: "march mar mars maart mrt maa marz mrz marzo marco",
    4: "april apr avril avr abril aprile abr",
    5: "may mai mei mayo maggio mag maio",
    6: "june jun juin juni junio giugno giu junho",
    7: "july jul juillet juil juli julio luglio lug julho",
    8: "august aug aout augustus agosto ago",
    9: "september sep sept septembre septiembre setiembre set settembre setembro",
    10: "october oct octobre oktober okt octubre ottobre ott outubro out",
    11: "november nov novembre noviembre novembro",
    12: "december dec decembre dezember dez diciembre dic dicembre dezembro",
}
MONTHS: dict[str, int] = {name: num for num, names in _MONTH_NAMES.items() for name in names.split()}
"""Folded month name or abbreviation -> month number."""

# OCR confusions inside month tokens (DOCUMENTS.md A.4): the regex accepts them, the lookup repairs them.
_OCR_CLASS = {"o": "[o0]", "i": "[i1l|]", "l": "[l1i|]", "s": "[s5]", "e": "[ec]"}
_MONTH_FUZZY = tuple((re.compile("".join(_OCR_CLASS.get(c, c) for c in name)), num) for name, num in MONTHS.items())
# OCR confusions in numeric date parts, applied only to tokens that are mostly digits.
_DIGIT_REPAIR = str.maketrans("OoDQIlSBZG", "0000115826")

_MONTH_RE = (
    "(?:"
    + "|".join("".join(_OCR_CLASS.get(c, c) for c in name) for name in sorted(MONTHS, key=len, reverse=True))
    + ")"
)
_MONTH_GROUP = rf"(?<![a-z]){_MONTH_RE}(?![a-z])\.?(?:\s*/\s*{_MONTH_RE}(?![a-z])\.?)?"
_DAY = r"(?P<d>[0-3]?\d|[1lit|]er)(?:st|nd|rd|th|er|º|°|o)?"
"""A day of the month; OCR reads French "1er" as "ler", "ier", "ter" or "|er". A lone "|" is not read as
"1": OCR makes one of a table's rule too ("Period | March 2026" is no 1 March)."""

_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "iso",
        re.compile(
            r"(?<![\w./,-])(?P<y>(?:19|20|21)\d\d)(?P<s>[-./])(?P<m>[01]?\d)(?P=s)(?P<d>[0-3]?\d)(?![\d]|[.,/]\d)"
        ),
    ),
    (
        "numeric",
        re.compile(
            r"(?<![\w./,])(?P<a>[0-3]?\d)\s?(?P<s>[./-])\s?(?P<b>[0-3]?\d)\s?(?P=s)\s?(?P<y>\d{4}|\d{2})(?![\d]|[.,/]\d)"
        ),
    ),
    ("spaced", re.compile(r"(?<![\w./,-])(?P<a>[0-3]\d) (?P<b>[01]\d) (?P<y>(?:19|20)\d\d)(?![\w]|[.,/]\d)")),
    (
        "textual",
        re.compile(
            rf"(?<![\w]){_DAY}[.,'`]?[\s/-]*(?:(?:day\s+)?(?:de|of)[.,'`]?\s+)?(?P<m>{_MONTH_GROUP})[.,'`]{{0,2}}[\s/-]*"
            r"(?:(?:de|del)[.,'`]?\s+)?['`]?(?P<y>\d{4}|\d{2})(?![\d])"
        ),
    ),
    (
        "month_first",
        re.compile(rf"(?P<m>{_MONTH_GROUP})\s+(?P<d>[0-3]?\d)(?:st|nd|rd|th)?,?\s+(?P<y>(?:19|20)\d\d)(?![\d])"),
    ),
)

_MONTH_FIRST_COUNTRIES = frozenset({"USA", "US"})
"""Issuers whose numeric dates are month first (DOCUMENTS.md A.3)."""
_MIXED_ORDER_COUNTRIES = frozenset({"PHL", "PH"})
"""Issuers where both orders occur: a numeric date with both parts <= 12 stays ambiguous."""


@dataclasses.dataclass(frozen=True, slots=True)
class DateMatch:
    """One date found in a text."""

    value: dt.date
    raw: str
    """The text as printed (before any OCR repair)."""
    span: tuple[int, int]
    """``(start, end)`` offsets of ``raw`` in the searched text."""
    ambiguous: bool = False
    """True when day and month could each be the other and nothing decided the order."""
    alternative: dt.date | None = None
    """The other reading of an ambiguous numeric date."""
    style: str = "textual"
    """``iso``, ``numeric``, ``spaced``, ``textual`` or ``month_first``."""
    two_digit_year: bool = False
    """True when the century was inferred (see :func:`resolve_century`)."""


def fold(text: str) -> str:
    """Lower-case and strip accents, keeping one output character per input character.

    Offsets in the folded text are therefore offsets in the original text.

    Args:
        text: Any text.

    Returns:
        The folded text, same length as ``text``.

    >>> fold("Délivré le 1er MÄRZ")
    'delivre le 1er marz'
    """
    if text.isascii():
        return text.lower()
    return "".join(map(_fold_char, text))


@functools.lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    low = char.lower()
    if len(low) != 1:  # e.g. "İ" lower-cases to two code points
        low = char
    base = unicodedata.normalize("NFKD", low)[:1] if not low.isascii() else low
    return base if len(base) == 1 and not unicodedata.combining(base) else low


def month_number(token: str) -> int | None:
    """Look a month token up in the merged table, repairing OCR confusions.

    Args:
        token: A month name or abbreviation in any supported language, possibly bilingual
            (``MAR/MARS``) or OCR-damaged (``0CT``, ``Mãrz``, ``ju1``, ``octobrc``).

    Returns:
        The month number, or None when the token is not a month (or a bilingual pair disagrees).

    >>> month_number("MAR/MARS"), month_number("0CT."), month_number("Mãrz"), month_number("juil"), month_number("foo")
    (3, 10, 3, 7, None)
    >>> month_number("scptembre"), month_number("dcc"), month_number("Novcmber")
    (9, 12, 11)
    """
    found: set[int] = set()
    for part in fold(token).split("/"):
        key = part.strip().rstrip(".")
        if not key:
            continue
        nums = {MONTHS[key]} if key in MONTHS else {num for pattern, num in _MONTH_FUZZY if pattern.fullmatch(key)}
        if len(nums) != 1:
            return None
        found |= nums
    return found.pop() if len(found) == 1 else None


def resolve_century(yy: int, month: int, day: int, kind: DateKind, reference: dt.date) -> int:
    """Choose the four-digit year of a two-digit year by field kind (DOCUMENTS.md B.4).

    Args:
        yy: Two-digit year.
        month: Month (1-12), used to compare full dates with the reference.
        day: Day of month.
        kind: What the date means.
        reference: Evaluation date (for a birth date: the issue date when known).

    Returns:
        The full year.

    >>> ref = dt.date(2026, 11, 24)
    >>> resolve_century(74, 8, 12, DateKind.BIRTH, ref), resolve_century(25, 3, 1, DateKind.BIRTH, ref)
    (1974, 2025)
    >>> resolve_century(26, 12, 1, DateKind.ISSUE, ref), resolve_century(31, 3, 12, DateKind.EXPIRY, ref)
    (1926, 2031)
    >>> resolve_century(80, 1, 1, DateKind.EXPIRY, ref), resolve_century(98, 7, 10, DateKind.ANY, ref)
    (1980, 1998)
    """
    if kind in (DateKind.BIRTH, DateKind.ISSUE):
        year = (reference.year // 100) * 100 + yy
        while (year, month, day) > (reference.year, reference.month, reference.day):
            year -= 100
        return year
    # Expiry and unknown: the century that puts the year within (reference - 50, reference + 50].
    year = (reference.year // 100) * 100 + yy
    if year > reference.year + 50:
        year -= 100
    elif year <= reference.year - 50:
        year += 100
    return year


def _repair_digits(text: str) -> str:
    """Fix O/0, l/1, S/5 ... in tokens that are mostly digits; keeps the length (and so the offsets)."""

    def fix(match: re.Match[str]) -> str:
        token = match.group(0)
        digits = sum(c.isdigit() for c in token)
        letters = len(token) - digits
        return token.translate(_DIGIT_REPAIR) if digits >= letters and letters <= 1 else token

    return re.sub(r"(?<![A-Za-z])[0-9OoDQIlSBZG]{2,4}(?![A-Za-z])", fix, text)


def _safe_date(year: int, month: int, day: int) -> dt.date | None:
    if not 1900 <= year <= 2100:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _order_evidence(text: str) -> bool | None:
    """Day-first (True) or month-first (False) when other numeric dates of the text show it."""
    seen: set[bool] = set()
    for match in _PATTERNS[1][1].finditer(text):
        a, b = int(match["a"]), int(match["b"])
        if a > 12 >= b >= 1:
            seen.add(True)
        elif b > 12 >= a >= 1:
            seen.add(False)
    return seen.pop() if len(seen) == 1 else None


def _candidates(
    text: str, folded: str, kind: DateKind, reference: dt.date, day_first: bool | None
) -> Iterator[DateMatch]:
    for style, pattern in _PATTERNS:
        source = folded if style in ("textual", "month_first") else text
        for m in pattern.finditer(source):
            year_text = m["y"]
            ambiguous, alternative = False, None
            if style in ("textual", "month_first"):
                month = month_number(m["m"])
                day_text = m["d"]
                day = 1 if day_text.endswith("er") else int(day_text)
                if month is None:
                    continue
            elif style == "iso":
                month, day = int(m["m"]), int(m["d"])
            else:
                a, b = int(m["a"]), int(m["b"])
                first_is_day = True if day_first is None else day_first
                if a > 12 >= b:
                    first_is_day = True
                elif b > 12 >= a:
                    first_is_day = False
                elif a != b:
                    ambiguous = day_first is None
                day, month = (a, b) if first_is_day else (b, a)
            two_digit = len(year_text) == 2
            if two_digit:
                year = resolve_century(int(year_text), month, min(day, 28), kind, reference)
            else:
                year = int(year_text)
            value = _safe_date(year, month, day)
            if value is None:
                continue
            if ambiguous:
                alternative = _safe_date(year, day, month)
                ambiguous = alternative is not None
            yield DateMatch(value, text[m.start() : m.end()], m.span(), ambiguous, alternative, style, two_digit)


def find_dates(
    text: str,
    *,
    country: str | None = None,
    kind: DateKind = DateKind.ANY,
    reference: dt.date | None = None,
    day_first: bool | None = None,
) -> list[DateMatch]:
    """Find every printed date in a text, in reading order.

    Numeric dates are read day first, except for US-issued documents (``country="USA"``). When both
    parts are <= 12 the order is taken from other numeric dates of the same text that show it, then
    from ``day_first`` or ``country``; if none of these decides, the match is flagged ``ambiguous``
    (with the other reading in ``alternative``) rather than guessed.

    Args:
        text: Page text (OCR output or text layer).
        country: ICAO code of the issuing state, when known.
        kind: Meaning of the dates, for the century of two-digit years.
        reference: Evaluation date for century rules (default: today).
        day_first: Known numeric convention (overrides ``country``), e.g. from the document language.

    Returns:
        Non-overlapping matches sorted by position.

    >>> [str(m.value) for m in find_dates("Fait à Liège le 1er mars 2031, valable jusqu'au 12/03/2032")]
    ['2031-03-01', '2032-03-12']
    >>> [str(m.value) for m in find_dates("12 de marzo de 2031; 12. März 2031; March 12, 2031; 2031-03-12")]
    ['2031-03-12', '2031-03-12', '2031-03-12', '2031-03-12']
    >>> m = find_dates("Date of issue 03/04/2027")[0]
    >>> m.value, m.ambiguous, m.alternative
    (datetime.date(2027, 4, 3), True, datetime.date(2027, 3, 4))
    >>> find_dates("03/04/2027", country="USA")[0].value
    datetime.date(2027, 3, 4)
    >>> [str(m.value) for m in find_dates("13 MAR/MARS 21  12 MAR/MARS 31  10 JUL /JUIL 98", kind=DateKind.ANY,
    ...                                   reference=dt.date(2026, 1, 1))]
    ['2021-03-13', '2031-03-12', '1998-07-10']
    """
    if not text:
        return []
    reference = reference or dt.date.today()
    if day_first is None and country:
        code = country.upper()
        if code in _MONTH_FIRST_COUNTRIES:
            day_first = False
        elif code not in _MIXED_ORDER_COUNTRIES:
            day_first = True
    repaired = _repair_digits(text)
    evidence = _order_evidence(repaired)
    if evidence is not None:
        day_first = evidence
    found = sorted(
        _candidates(repaired, fold(repaired), kind, reference, day_first),
        key=lambda m: (m.span[0], -(m.span[1] - m.span[0])),
    )
    result: list[DateMatch] = []
    end = -1
    for match in found:
        if match.span[0] >= end:
            raw = text[match.span[0] : match.span[1]]
            result.append(dataclasses.replace(match, raw=raw))
            end = match.span[1]
    return result


def with_kind(match: DateMatch, kind: DateKind, reference: dt.date) -> DateMatch:
    """Re-decide the century of a two-digit-year match for a field kind.

    Args:
        match: A match found with another kind.
        kind: The field's kind.
        reference: Reference date of the century rule.

    Returns:
        The match with its year re-resolved (unchanged when the year was printed in full).
    """
    if not match.two_digit_year:
        return match
    value = match.value
    year = resolve_century(value.year % 100, value.month, min(value.day, 28), kind, reference)
    new = _safe_date(year, value.month, value.day)
    if new is None:
        return match
    alt = match.alternative
    if alt is not None:
        alt = _safe_date(year, alt.month, alt.day)
    return dataclasses.replace(match, value=new, alternative=alt)
