"""Case facts: valid files parse, bad values name the row and the column."""

from __future__ import annotations

import datetime as dt

import pytest

from pipeline.case import CaseFacts, parse_case_toml, parse_cases_csv
from pipeline.errors import ConfigError
from pipeline.model import Category

GOOD = """dossier,category,nationality,entry_date,application_date,residence_countries
007-sharma,single_permit,ind,2026-11-01,2026-12-01,IND;ARE
008-rossi,eu_citizen,ITA,,,
"""


def test_cases_csv_parses_every_column() -> None:
    cases = parse_cases_csv("\ufeff" + GOOD)
    sharma = cases["007-sharma"]
    assert sharma.category == Category.SINGLE_PERMIT
    assert sharma.nationality == "IND"
    assert sharma.entry_date == dt.date(2026, 11, 1)
    assert sharma.residence_countries == ("IND", "ARE")
    assert cases["008-rossi"].application_date is None
    assert cases["008-rossi"].with_defaults(dt.date(2026, 11, 25)).application_date == dt.date(2026, 11, 25)


@pytest.mark.parametrize(
    ("row", "needle"),
    [
        ("x,astronaut,IND,,,", "row 2, column category: 'astronaut' is not a category"),
        ("x,student,IND,2026-13-01,,", "row 2, column entry_date: '2026-13-01' is not an ISO date"),
        ("x,student,India,,,", "row 2, column nationality"),
        ("x,student,IND,,,IND;12", "row 2, column residence_countries"),
        (",student,IND,,,", "row 2, column dossier: empty dossier name"),
    ],
)
def test_bad_rows_name_row_and_column(row: str, needle: str) -> None:
    header = GOOD.splitlines()[0]
    with pytest.raises(ConfigError, match=needle.replace("(", r"\(").replace(")", r"\)")):
        parse_cases_csv(f"{header}\n{row}\n")


def test_unknown_column_and_duplicates_are_errors() -> None:
    with pytest.raises(ConfigError, match="column favourite_colour: unknown column"):
        parse_cases_csv("dossier,favourite_colour\na,blue\n")
    with pytest.raises(ConfigError, match="'a' appears twice"):
        parse_cases_csv("dossier,category\na,student\na,student\n")
    with pytest.raises(ConfigError, match="'dossier' column"):
        parse_cases_csv("name,category\na,student\n")


def test_case_toml() -> None:
    facts = parse_case_toml('category = "blue_card"\nentry_date = 2026-10-01\nresidence_countries = ["BRA", "ARE"]\n')
    assert facts == CaseFacts(category=Category.BLUE_CARD, entry_date=dt.date(2026, 10, 1),
                              residence_countries=("BRA", "ARE"))
    with pytest.raises(ConfigError, match="case.toml"):
        parse_case_toml("category = ")
