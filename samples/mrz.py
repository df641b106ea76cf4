"""Small ICAO 9303 MRZ writer for the sample generator (TD1 and TD3); the parser lives in pipeline/."""

from __future__ import annotations

import datetime as dt
import unicodedata

_WEIGHTS = (7, 3, 1)
# Doc 9303 Part 3 transliterations that NFKD alone does not give.
_SPECIAL = {"Ä": "AE", "Ö": "OE", "Ü": "UE", "ß": "SS", "Ø": "OE", "Å": "AA", "Æ": "AE", "Œ": "OE"}


def check_digit(data: str) -> str:
    """Return the 7-3-1 check digit of an MRZ field (ICAO 9303 Part 3, section 4.9).

    Args:
        data: MRZ characters (``0-9``, ``A-Z`` and ``<``).

    Returns:
        The check digit as a one-character string.

    >>> check_digit("L898902C3"), check_digit("740812"), check_digit("120415")
    ('6', '2', '9')
    """
    total = 0
    for i, char in enumerate(data):
        if char.isdigit():
            value = int(char)
        elif "A" <= char <= "Z":
            value = ord(char) - ord("A") + 10
        else:
            value = 0
        total += value * _WEIGHTS[i % 3]
    return str(total % 10)


def transliterate(text: str) -> str:
    """Upper-case a name and map it to the MRZ alphabet (spaces and hyphens become ``<``).

    Args:
        text: A name as printed in the visual zone.

    Returns:
        The name in ``A-Z`` and ``<`` only.
    """
    out = []
    for char in text.upper():
        if char in _SPECIAL:
            out.append(_SPECIAL[char])
            continue
        base = unicodedata.normalize("NFKD", char)[0]
        if "A" <= base <= "Z" or base.isdigit():
            out.append(base)
        elif base in " -'":
            out.append("<" if base != "'" else "")
    return "".join(out)


def _pad(text: str, width: int) -> str:
    return (text + "<" * width)[:width]


def state_code(code: str) -> str:
    """Return a three-character state field, e.g. ``D`` (Germany) becomes ``D<<``."""
    return _pad(code, 3)


def name_field(surname: str, given_names: str, width: int) -> str:
    """Compose the name field: primary identifier, ``<<``, secondary identifiers, truncated to width."""
    primary = transliterate(surname)
    secondary = transliterate(given_names)
    return _pad(f"{primary}<<{secondary}" if secondary else primary, width)


def date_field(date: dt.date) -> str:
    """Return a date as ``YYMMDD``."""
    return date.strftime("%y%m%d")


def td3(
    *,
    issuing_state: str,
    surname: str,
    given_names: str,
    number: str,
    nationality: str,
    birth_date: dt.date,
    sex: str,
    expiry_date: dt.date,
    personal_number: str = "",
    doc_code: str = "P<",
) -> tuple[str, str]:
    """Compose the two 44-character lines of a passport MRZ (Doc 9303 Part 4).

    Args:
        issuing_state: ICAO code of the issuing state (``D`` for Germany).
        surname: Primary identifier as printed.
        given_names: Secondary identifiers as printed.
        number: Passport number (at most 9 characters).
        nationality: ICAO nationality code.
        birth_date: Date of birth.
        sex: ``M``, ``F`` or ``<``.
        expiry_date: Date of expiry.
        personal_number: Optional data (positions 29-42).
        doc_code: Two-character document code.

    Returns:
        The two MRZ lines.
    """
    line1 = _pad(doc_code, 2) + state_code(issuing_state) + name_field(surname, given_names, 39)
    num = _pad(number, 9)
    birth = date_field(birth_date)
    expiry = date_field(expiry_date)
    personal = _pad(transliterate(personal_number), 14)
    personal_check = check_digit(personal) if personal.strip("<") else "<"
    part_num = num + check_digit(num)
    part_birth = birth + check_digit(birth)
    part_expiry = expiry + check_digit(expiry) + personal + personal_check
    composite = check_digit(part_num + part_birth + part_expiry)
    line2 = part_num + state_code(nationality) + part_birth + sex + part_expiry + composite
    return line1, line2


def td1(
    *,
    issuing_state: str,
    number: str,
    birth_date: dt.date,
    sex: str,
    expiry_date: dt.date,
    nationality: str,
    surname: str,
    given_names: str,
    optional1: str = "",
    optional2: str = "",
    doc_code: str = "ID",
) -> tuple[str, str, str]:
    """Compose the three 30-character lines of an ID-card MRZ (Doc 9303 Part 5).

    Args:
        issuing_state: ICAO code of the issuing state.
        number: Document number (at most 9 characters; no overflow support).
        birth_date: Date of birth.
        sex: ``M``, ``F`` or ``<``.
        expiry_date: Date of expiry.
        nationality: ICAO nationality code.
        surname: Primary identifier.
        given_names: Secondary identifiers.
        optional1: Optional data of line 1 (positions 16-30).
        optional2: Optional data of line 2 (positions 19-29).
        doc_code: Two-character document code (``ID``, ``I<``, ``IR``, ...).

    Returns:
        The three MRZ lines.
    """
    num = _pad(number, 9)
    upper = num + check_digit(num) + _pad(transliterate(optional1), 15)
    line1 = _pad(doc_code, 2) + state_code(issuing_state) + upper
    birth = date_field(birth_date)
    expiry = date_field(expiry_date)
    part_birth = birth + check_digit(birth)
    part_expiry = expiry + check_digit(expiry)
    opt2 = _pad(transliterate(optional2), 11)
    composite = check_digit(upper + part_birth + part_expiry + opt2)
    line2 = part_birth + sex + part_expiry + state_code(nationality) + opt2 + composite
    line3 = name_field(surname, given_names, 30)
    return line1, line2, line3
