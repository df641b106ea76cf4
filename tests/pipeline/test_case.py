"""Case facts: valid files parse, bad values name the row and the column and stay with their dossier."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from pipeline.case import CaseFacts, date_problems, decode_case_file, load_cases, parse_case_toml, parse_cases_csv
from pipeline.errors import ConfigError
from pipeline.model import Category

GOOD = """dossier,category,nationality,entry_date,application_date,residence_countries
007-sharma,single_permit,ind,2026-11-01,2026-12-01,IND;ARE
008-rossi,eu_citizen,ITA,,,
"""
AS_OF = dt.date(2026, 11, 25)


def test_cases_csv_parses_every_column() -> None:
    cases = parse_cases_csv("\ufeff" + GOOD).facts
    sharma = cases["007-sharma"]
    assert sharma.category == Category.SINGLE_PERMIT
    assert sharma.nationality == "IND"
    assert sharma.entry_date == dt.date(2026, 11, 1)
    assert sharma.residence_countries == ("IND", "ARE")
    assert cases["008-rossi"].application_date is None
    assert cases["008-rossi"].with_defaults(AS_OF).application_date == AS_OF


@pytest.mark.parametrize(
    ("row", "needle"),
    [
        ("x,astronaut,IND,,,", "row 3, column category: 'astronaut' is not a category"),
        ("x,student,IND,2026-13-01,,", "row 3, column entry_date: '2026-13-01' is not an ISO date"),
        ("x,student,India,,,", "row 3, column nationality"),
        ("x,student,IND,,,IND;12", "row 3, column residence_countries"),
        ("x,student,IND,,,,surplus", "row 3: more values than header columns"),
    ],
)
def test_a_bad_row_belongs_to_its_dossier_only(row: str, needle: str) -> None:
    header, good = GOOD.splitlines()[:2]
    table = parse_cases_csv(f"{header}\n{good}\n{row}\n")
    assert set(table.facts) == {"007-sharma"}
    assert needle in table.problems["x"]


def test_unknown_column_duplicates_and_empty_names() -> None:
    unknown = parse_cases_csv("dossier,favourite_colour\na,blue\n")
    assert "column favourite_colour: unknown column" in unknown.problems["a"]
    twice = parse_cases_csv("dossier,category\na,student\nb,student\na,student\n")
    assert "'a' appears twice (rows 2 and 4)" in twice.problems["a"] and set(twice.facts) == {"b"}
    empty = parse_cases_csv("dossier,category\n,student\n")
    assert empty.stray == ("cases.csv row 2, column dossier: empty dossier name",)
    with pytest.raises(ConfigError, match="'dossier' column"):
        parse_cases_csv("name,category\na,student\n")


EXCEL_SAVES = {
    # Excel's "Save as" choices, with the separator a Belgian (comma-decimal) locale writes.
    "utf-8-sig, semicolons": ("\ufeffdossier;category;monthly_income\r\n001-müller;student;2.345,67\r\n", "utf-8"),
    "cp1252, semicolons": ("dossier;category;monthly_income\r\n001-müller;student;2.345,67\r\n", "cp1252"),
    "latin-1, commas": ('dossier,category,monthly_income\n001-müller,student,"2345,67"\n', "latin-1"),
    "utf-16 with BOM, tabs": ("dossier\tcategory\tmonthly_income\r\n001-müller\tstudent\t2345,67\r\n", "utf-16"),
    "mac roman, CR lines": ("dossier;category;monthly_income\r001-müller;student;2345,67\r", "mac_roman"),
    "sep= line, pipes": ("sep=|\ndossier|category|monthly_income\n001-müller|student|2345.67\n", "utf-8"),
    "capitalised header, trailing empty cells and rows": (
        "Dossier;Category;Monthly_Income;;\n001-müller;student;2345,67;;\n;;;;\n;;;;\n", "cp1252"),
}


@pytest.mark.parametrize("save", EXCEL_SAVES)
def test_every_encoding_and_separator_excel_writes(save: str) -> None:
    text, encoding = EXCEL_SAVES[save]
    decoded = decode_case_file(text.encode(encoding), "cases.csv", ["001-müller"])
    table = parse_cases_csv(decoded)
    assert table.problems == {} and table.stray == ()
    assert table.facts == {"001-müller": CaseFacts(category=Category.STUDENT, monthly_income=2345.67)}


def test_binary_and_broken_case_files_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not a text file"):
        decode_case_file(b"PK\x03\x04\x00\x00binary", "cases.csv")
    with pytest.raises(ConfigError, match="not valid utf-16"):
        decode_case_file(b"\xff\xfed\x00o\x00\x00\xd8", "cases.csv")


def test_load_cases_keeps_problems_with_their_dossier(tmp_path: Path) -> None:
    batch = tmp_path / "batch"
    folders = {name: batch / name for name in ("001-a", "002-b", "003-c", "004-d", "Ünïcode")}
    for folder in folders.values():
        folder.mkdir(parents=True)
    (batch / "cases.csv").write_bytes(
        "dossier;category;entry_date\n001-a;student;2026-10-01\n002-b;astronaut;\n005-gone;student;\n"
        "ünïcode;student;\n004-d;student;2031-05-01\n".encode("cp1252")
    )
    (folders["003-c"] / "case.toml").write_bytes('category = "student"\n# caf\xe9\n'.encode("latin-1"))
    cases = load_cases(batch, folders, AS_OF)
    assert cases.facts == {"001-a": CaseFacts(category=Category.STUDENT, entry_date=dt.date(2026, 10, 1))}
    assert "row 3, column category" in cases.problem("002-b")
    assert "003-c/case.toml is not UTF-8 text (byte 0xE9" in cases.problem("003-c")
    assert "entry_date 2031-05-01 is more than 12 months after" in cases.problem("004-d")
    assert cases.stray == ("cases.csv names '005-gone', which is not a dossier folder here",
                           "cases.csv names 'ünïcode', which is not a dossier folder here (did you mean 'Ünïcode'?)")
    (folders["003-c"] / "case.toml").write_bytes(b"\x00\x01\x02binary")
    assert "not a text file" in load_cases(batch, folders, AS_OF).problem("003-c")
    with pytest.raises(ConfigError, match="no such file"):
        load_cases(batch, folders, AS_OF, str(tmp_path / "missing.csv"))


def test_a_macos_folder_name_matches_its_row(tmp_path: Path) -> None:
    """macOS writes folder names decomposed (NFD); spreadsheets write them composed (NFC)."""
    folder = tmp_path / "b" / "001-mu\u0308ller"
    folder.mkdir(parents=True)
    (tmp_path / "b" / "cases.csv").write_text("dossier,category\n001-m\u00fcller,student\n", encoding="utf-8")
    cases = load_cases(tmp_path / "b", {"001-mu\u0308ller": folder}, AS_OF)
    assert cases.get("001-mu\u0308ller").category == Category.STUDENT


@pytest.mark.parametrize(
    ("facts", "problem"),
    [
        (CaseFacts(entry_date=dt.date(2031, 5, 1)), "more than 12 months after the application date 2026-11-25"),
        (CaseFacts(entry_date=dt.date(2026, 12, 20), stage="commune"), "at the commune stage the applicant has"),
        (CaseFacts(birth_date=dt.date(1026, 1, 1)), "birth_date 1026-01-01 is not a plausible date"),
        (CaseFacts(entry_date=dt.date(2026, 12, 20)), None),  # a planned entry at the visa stage
        (CaseFacts(entry_date=dt.date(2027, 11, 25)), None),  # 12 months ahead, not more
    ],
)
def test_implausible_case_dates(facts: CaseFacts, problem: str | None) -> None:
    found = date_problems(facts, AS_OF)
    assert (problem in found[0]) if problem else found == []


def test_case_toml() -> None:
    facts = parse_case_toml('category = "blue_card"\nentry_date = 2026-10-01\nresidence_countries = ["BRA", "ARE"]\n')
    assert facts == CaseFacts(category=Category.BLUE_CARD, entry_date=dt.date(2026, 10, 1),
                              residence_countries=("BRA", "ARE"))
    with pytest.raises(ConfigError, match="case.toml"):
        parse_case_toml("category = ")
