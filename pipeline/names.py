"""Personal names across documents: tokens, transliteration, order-free comparison, initials (issue 13).

The MRZ writes names in A-Z only (ICAO 9303 Part 3 §6: ``Ä`` → ``AE`` or ``A``, ``ß`` → ``SS``,
``Ø`` → ``OE``), surname first, truncated to fit; a certificate prints "Given SURNAME", a translation
may put the surname first, a Spanish document adds a second surname. Two readings of a name are
compared as sets of folded tokens, allowing those spellings, truncation and one OCR slip per long token.
Only initials ever leave this module in messages (personal data, STYLE.md).
"""

from __future__ import annotations

import enum
import re
import unicodedata
from collections.abc import Iterable, Sequence

_SPECIAL = str.maketrans(
    {
        "ß": "ss",
        "æ": "ae",
        "Æ": "AE",
        "ø": "oe",
        "Ø": "OE",
        "đ": "d",
        "Đ": "D",
        "ł": "l",
        "Ł": "L",
        "þ": "th",
        "Þ": "TH",
        "ı": "i",
        "œ": "oe",
        "Œ": "OE",
    }
)
_DIGRAPHS = (("AE", "A"), ("OE", "O"), ("UE", "U"), ("SS", "S"), ("IJ", "Y"))
_PARTICLES = frozenset(
    {
        "DE",
        "DA",
        "DO",
        "DOS",
        "DAS",
        "DEL",
        "DI",
        "VAN",
        "DER",
        "DEN",
        "VON",
        "LA",
        "LE",
        "EL",
        "BIN",
        "BEN",
        "AL",
        "Y",
        "E",
    }
)
"""Connecting words that one document prints and another leaves out."""


class NameMatch(enum.StrEnum):
    """How two readings of a person's name relate."""

    SAME = "same"
    """Every token of the shorter reading is in the longer one (order, spelling and extra names aside)."""
    PARTIAL = "partial"
    """Some tokens agree (a shared surname: a relative, or a misread given name)."""
    DIFFERENT = "different"
    """No token agrees."""


def tokens(name: str) -> list[str]:
    """Folded upper-case tokens of a name as printed or as in an MRZ (``<`` separates).

    >>> tokens("Müller-Lüdenscheidt, Hans  Jürgen"), tokens("MUELLER<<HANS<JUERGEN")
    (['MULLER', 'LUDENSCHEIDT', 'HANS', 'JURGEN'], ['MUELLER', 'HANS', 'JUERGEN'])
    >>> tokens("José María de la Peña")
    ['JOSE', 'MARIA', 'PENA']
    """
    text = unicodedata.normalize("NFKD", name.translate(_SPECIAL))
    text = "".join(c for c in text if not unicodedata.combining(c)).upper()
    return [t for t in re.split(r"[^A-Z]+", text) if len(t) >= 2 and t not in _PARTICLES]


def _plain(token: str) -> str:
    for digraph, letter in _DIGRAPHS:
        token = token.replace(digraph, letter)
    return token


def _close(a: str, b: str) -> bool:
    """One edit apart (an OCR slip), for tokens of five letters or more."""
    if min(len(a), len(b)) < 5 or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) <= 1
    short, long_ = sorted((a, b), key=len)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


def token_matches(a: str, b: str) -> bool:
    """Same name token, allowing MRZ transliteration, MRZ truncation and one OCR slip.

    >>> token_matches("MUELLER", "MULLER"), token_matches("ALEXANDROVI", "ALEXANDROVICH"), token_matches("ANA", "ANNA")
    (True, True, False)
    """
    if a == b:
        return True
    pa, pb = _plain(a), _plain(b)
    if pa == pb or _close(pa, pb):
        return True
    short, long_ = sorted((pa, pb), key=len)
    return len(short) >= 5 and long_.startswith(short)  # an MRZ truncates long names


def compare(a: Sequence[str], b: Sequence[str]) -> NameMatch:
    """Compare two token lists regardless of order.

    >>> compare(tokens("GARCIA<LOPEZ<<PABLO"), tokens("Pablo García"))
    <NameMatch.SAME: 'same'>
    >>> compare(tokens("SHARMA<<ARJUN"), tokens("Priya Sharma")), compare(tokens("SHARMA<<ARJUN"), tokens("Li Wei"))
    (<NameMatch.PARTIAL: 'partial'>, <NameMatch.DIFFERENT: 'different'>)
    """
    if not a or not b:
        return NameMatch.DIFFERENT
    short, long_ = sorted((list(a), list(b)), key=len)
    hits = sum(any(token_matches(t, u) for u in long_) for t in short)
    if hits == len(short):
        return NameMatch.SAME
    return NameMatch.PARTIAL if hits else NameMatch.DIFFERENT


def initials(parts: Iterable[str]) -> str:
    """Initials of a name, for messages and logs (``J.S.``); ``?`` when unknown.

    >>> initials(["SHARMA", "ARJUN"]), initials([])
    ('S.A.', '?')
    """
    found = [t[0] for t in parts if t]
    return "".join(f"{c}." for c in found) or "?"
