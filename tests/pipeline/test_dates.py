"""Tests of the multilingual date parser (DOCUMENTS.md A.2-A.4, B.4)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.dates import MONTHS, DateKind, find_dates, fold, month_number, resolve_century, with_kind

REF = dt.date(2026, 11, 24)
D = dt.date(2031, 3, 12)


def values(text: str, **kwargs: object) -> list[dt.date]:
    return [m.value for m in find_dates(text, reference=REF, **kwargs)]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "text",
    [
        "2031-03-12",
        "12.03.2031",
        "12/03/2031",
        "12-03-2031",
        "12 March 2031",
        "12 Mar 2031",
        "March 12, 2031",
        "12th of March 2031",
        "this 12th day of March, 2031",
        "12 maart '31",
        "12 mars 2031",
        "12 MARS 2031",
        "12 maart 2031",
        "12 mrt. 2031",
        "12. März 2031",
        "12. Mrz. 2031",
        "12 de marzo de 2031",
        "12 marzo 2031",
        "12 de março de 2031",
        "12 MAR/MARS 2031",
        "12MAR2031",
        "12-mrt-2031",
    ],
)
def test_formats_all_languages(text: str) -> None:
    assert values(f"Date: {text} .") == [D]


def test_day_first_numeric_with_day_above_12_is_not_ambiguous() -> None:
    (m,) = find_dates("Fait à Namur le 25/03/2027", reference=REF)
    assert (m.value, m.ambiguous, m.raw, m.style) == (dt.date(2027, 3, 25), False, "25/03/2027", "numeric")


def test_ambiguous_numeric_is_flagged_not_guessed() -> None:
    (m,) = find_dates("Issued 03/04/2027", reference=REF)
    assert m.ambiguous
    assert {m.value, m.alternative} == {dt.date(2027, 4, 3), dt.date(2027, 3, 4)}


def test_same_day_and_month_is_never_ambiguous() -> None:
    (m,) = find_dates("04.04.2027", reference=REF)
    assert not m.ambiguous and m.value == dt.date(2027, 4, 4)


def test_country_convention_decides_order() -> None:
    assert values("03/04/2027", country="USA") == [dt.date(2027, 3, 4)]
    assert values("03/04/2027", country="BEL") == [dt.date(2027, 4, 3)]
    assert not find_dates("03/04/2027", country="BEL", reference=REF)[0].ambiguous
    # Both orders occur in the Philippines: stays ambiguous.
    assert find_dates("03/04/2027", country="PHL", reference=REF)[0].ambiguous


def test_other_dates_of_the_text_decide_order() -> None:
    found = find_dates("Statement 03/04/2027 ... balance on 28/04/2027", reference=REF)
    assert [m.value for m in found] == [dt.date(2027, 4, 3), dt.date(2027, 4, 28)]
    assert not any(m.ambiguous for m in found)
    us = find_dates("Printed 03/04/2027, expires 12/28/2027", reference=REF)
    assert us[0].value == dt.date(2027, 3, 4) and not us[0].ambiguous


def test_us_textual_is_unambiguous() -> None:
    (m,) = find_dates("Issued on March 4, 2027", reference=REF)
    assert (m.value, m.ambiguous, m.style) == (dt.date(2027, 3, 4), False, "month_first")


def test_icao_bilingual_months_and_two_digit_years() -> None:
    text = "Date of issue / Date de délivrance 13 MAR/MARS 21\nDate of expiry 12 MAR /MARS 31\nBorn 10 JUL /JUIL 98"
    assert values(text) == [dt.date(2021, 3, 13), dt.date(2031, 3, 12), dt.date(1998, 7, 10)]
    assert all(m.two_digit_year for m in find_dates(text, reference=REF))


def test_bilingual_month_pair_must_agree() -> None:
    assert values("12 MAR/JUIN 31") == []


@pytest.mark.parametrize(
    ("yy", "kind", "expected"),
    [
        (74, DateKind.BIRTH, 1974),
        (25, DateKind.BIRTH, 2025),
        (26, DateKind.BIRTH, 1926),  # 2026-12-01 would be after the reference
        (21, DateKind.ISSUE, 2021),
        (31, DateKind.EXPIRY, 2031),
        (76, DateKind.EXPIRY, 2076),
        (77, DateKind.EXPIRY, 1977),
        (98, DateKind.ANY, 1998),
    ],
)
def test_century_by_field_kind(yy: int, kind: DateKind, expected: int) -> None:
    assert resolve_century(yy, 12, 1, kind, REF) == expected


def test_with_kind_recenturies_two_digit_years_only() -> None:
    (m,) = find_dates("12.03.30", reference=REF)
    assert m.value.year == 2030
    assert with_kind(m, DateKind.BIRTH, REF).value == dt.date(1930, 3, 12)
    (full,) = find_dates("12.03.2030", reference=REF)
    assert with_kind(full, DateKind.BIRTH, REF) is full


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("le 1er mars 2031", dt.date(2031, 3, 1)),
        ("le ler mars 2031", dt.date(2031, 3, 1)),  # OCR: 1er read as ler
        ("Fait à Nairobi, le ter octobre 2026", dt.date(2026, 10, 1)),  # OCR: 1er read as ter (page 2 degrees askew)
        ("le |er mars 2031", dt.date(2031, 3, 1)),  # OCR: 1er read as |er
        ("12 0CT 2031", dt.date(2031, 10, 12)),  # O read as 0 in the month
        ("12 N0V 2031", dt.date(2031, 11, 12)),
        ("12. Marz 2031", dt.date(2031, 3, 12)),
        ("12. Mãrz 2031", dt.date(2031, 3, 12)),
        ("12 JU1 2031", dt.date(2031, 7, 12)),  # l read as 1
        ("l2.O3.2O31", dt.date(2031, 3, 12)),  # letters in a numeric date
        ("1º de março de 2031", dt.date(2031, 3, 1)),
        ("12 Jänner 2031", dt.date(2031, 1, 12)),
        ("12 sept. 2031", dt.date(2031, 9, 12)),
        ("12 févr. 2031", dt.date(2031, 2, 12)),
        ("12 AOÛT 2031", dt.date(2031, 8, 12)),
    ],
)
def test_ocr_traps(text: str, expected: dt.date) -> None:
    assert values(text) == [expected]


def test_hyphenated_range_splits_into_two_dates() -> None:
    assert values("Période: 01.09.2027-31.08.2028") == [dt.date(2027, 9, 1), dt.date(2028, 8, 31)]


@pytest.mark.parametrize(
    "text",
    [
        "KBO 0123.456.789",
        "IBAN BE68 5390 0754 7034",
        "version v1.2.10",
        "Tel. +32 2 555 12 12",
        "RIZIV 1-23456-78-901",
        "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10",
        "31/02/2027",
        "12 Mars",  # no year
        "amount 1.250,00 EUR",
    ],
)
def test_non_dates_are_ignored(text: str) -> None:
    assert values(text) == []


def test_raw_and_span_point_into_the_original_text() -> None:
    text = "Délivré le 1er MÄRZ 2031 à Eupen"
    (m,) = find_dates(text, reference=REF)
    assert m.raw == "1er MÄRZ 2031" and text[m.span[0] : m.span[1]] == m.raw


def test_fold_keeps_offsets() -> None:
    text = "Ärztliche Bescheinigung — Gültig bis 12. März 2031 ÇŒ"
    assert len(fold(text)) == len(text)


def test_month_table_is_consistent() -> None:
    assert all(1 <= n <= 12 for n in MONTHS.values())
    assert month_number("sept") == month_number("set") == 9
    assert month_number("mai") == month_number("mag") == 5


# --- properties -------------------------------------------------------------------------------------

_NAMES: dict[int, list[str]] = {}
for _name, _num in MONTHS.items():
    _NAMES.setdefault(_num, []).append(_name)

_FORMATS = (
    lambda d, m: d.isoformat(),
    lambda d, m: f"{d.day:02d}.{d.month:02d}.{d.year}",
    lambda d, m: f"{d.day}/{d.month}/{d.year}",
    lambda d, m: f"{d.day:02d}-{d.month:02d}-{d.year}",
    lambda d, m: f"{d.day} {m} {d.year}",
    lambda d, m: f"{d.day}. {m.capitalize()} {d.year}",
    lambda d, m: f"{d.day} de {m} de {d.year}",
    lambda d, m: f"{m.capitalize()} {d.day}, {d.year}",
    lambda d, m: f"{d.day:02d} {m.upper()}/{m.upper()} {d.year}",
    lambda d, m: ("1er" if d.day == 1 else str(d.day)) + f" {m} {d.year}",
)


@given(
    st.dates(min_value=dt.date(1901, 1, 1), max_value=dt.date(2099, 12, 31)),
    st.sampled_from(range(len(_FORMATS))),
    st.data(),
)
def test_formatted_dates_parse_back(date: dt.date, fmt: int, data: st.DataObject) -> None:
    month = data.draw(st.sampled_from(_NAMES[date.month]))
    text = _FORMATS[fmt](date, month)
    found = find_dates(f"Datum: {text}.", reference=REF, day_first=True)
    assert [m.value for m in found] == [date], text


@given(st.dates(min_value=dt.date(1901, 1, 1), max_value=dt.date(2099, 12, 31)))
def test_us_numeric_parses_back(date: dt.date) -> None:
    found = find_dates(f"{date.month:02d}/{date.day:02d}/{date.year}", country="USA", reference=REF)
    assert [m.value for m in found] == [date]


@given(st.text(max_size=300))
def test_find_dates_never_raises(text: str) -> None:
    for m in find_dates(text, reference=REF):
        assert text[m.span[0] : m.span[1]] == m.raw


@given(st.text(alphabet="0123456789./- OIlSmarsjuilMAR/éû", max_size=60))
def test_find_dates_never_raises_on_date_like_noise(text: str) -> None:
    find_dates(text, reference=REF)
    find_dates(text, country="USA", kind=DateKind.BIRTH, reference=REF)
