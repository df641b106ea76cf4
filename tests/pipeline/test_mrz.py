"""Tests for the pure MRZ parser (pipeline.mrz): check digits, layouts, repair, century rules."""

from __future__ import annotations

import datetime as dt
import doctest

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline import mrz

TODAY = dt.date(2026, 1, 1)

TD3 = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10"
TD2 = "I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\nD231458907UTO7408122F1204159<<<<<<<6"
TD1 = "I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\nERIKSSON<<ANNA<MARIA<<<<<<<<<<"
MRVA = "V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL8988901C4XXX4009078F96121096ZE184226B<<<<<<"
MRVB = "V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\nL8988901C4XXX4009078F9612109<<<<<<<<"
BEL_EID = "IDBEL600001795<0152<<<<<<<<<<<\n1301014F2311207BEL130101987398\nSPECIMEN<<SPECIMEN<<<<<<<<<<<<"
FRA_1988 = "IDFRABERTHIER<<<<<<<<<<<<<<<<<923255\n8806923102858CORINNE<<<<<<<6512068F2"


def test_doctests() -> None:
    """The docstring examples run even without ``--doctest-modules``."""
    failures, tried = doctest.testmod(mrz, optionflags=doctest.ELLIPSIS)
    assert tried > 10
    assert failures == 0


@pytest.mark.parametrize(
    ("data", "digit"),
    [("L898902C3", "6"), ("740812", "2"), ("120415", "9"), ("ZE184226B<<<<<", "1"), ("D23145890", "7")],
)
def test_check_digit_icao_examples(data: str, digit: str) -> None:
    assert mrz.check_digit(data) == digit


def test_td3_specimen() -> None:
    r = mrz.parse_mrz(TD3, today=TODAY)
    assert (r.format, r.document_code, r.issuer, r.nationality) == ("TD3", "P", "UTO", "UTO")
    assert (r.surname, r.given_names, r.sex) == ("ERIKSSON", "ANNA MARIA", "F")
    assert r.document_number == "L898902C3"
    assert r.birth_date == dt.date(1974, 8, 12)
    assert r.expiry_date == dt.date(2012, 4, 15)
    assert r.optional_data == "ZE184226B"
    names = ("document_number", "birth_date", "expiry_date", "optional_data", "composite")
    assert r.checks == dict.fromkeys(names, True)
    assert r.valid and r.repaired == ()


def test_td2_and_td1_specimens() -> None:
    td2 = mrz.parse_mrz(TD2, today=TODAY)
    assert td2.format == "TD2" and td2.valid and td2.document_number == "D23145890"
    td1 = mrz.parse_mrz(TD1, today=TODAY)
    assert td1.format == "TD1" and td1.valid
    assert td1.checks == dict.fromkeys(("document_number", "birth_date", "expiry_date", "composite"), True)
    assert (td1.surname, td1.given_names) == ("ERIKSSON", "ANNA MARIA")


def test_visas_have_no_composite() -> None:
    for text, fmt in ((MRVA, "MRVA"), (MRVB, "MRVB")):
        r = mrz.parse_mrz(text, today=TODAY)
        assert r.format == fmt and r.valid
        assert "composite" not in r.checks
        assert r.expiry_date == dt.date(1996, 12, 10)


def test_belgian_eid_long_document_number() -> None:
    r = mrz.parse_mrz(BEL_EID, today=TODAY)
    assert r.valid and r.document_number_long
    assert r.document_number == "600001795015"
    assert r.optional_data == "13010198739"
    assert r.birth_date == dt.date(2013, 1, 1)


def test_long_number_with_wrong_check_digit_is_invalid() -> None:
    bad = BEL_EID.replace("<0152<", "<0153<")
    r = mrz.parse_mrz(bad, today=TODAY)
    assert not r.valid and not r.checks["document_number"]


def test_french_1988_card() -> None:
    r = mrz.parse_mrz(FRA_1988, today=TODAY)
    assert r.format == "FRA_ID" and r.valid
    assert r.document_number == "880692310285" and r.expiry_date is None
    assert (r.surname, r.given_names, r.birth_date) == ("BERTHIER", "CORINNE", dt.date(1965, 12, 6))


@pytest.mark.parametrize(
    "text",
    [
        TD3.replace("7408122F", "7408123F"),  # birth check digit
        TD3.replace("<<<<<10", "<<<<<19"),  # composite
        TD3[:-1] + "1",
        TD1.replace("<<<<<<<6\n", "<<<<<<<7\n"),
        TD2.replace("D231458907", "D231458906"),
        MRVA.replace("96121096", "96121196"),
    ],
)
def test_invalid_check_digits_are_never_valid(text: str) -> None:
    r = mrz.parse_mrz(text, today=TODAY)
    assert not r.valid
    assert not all(r.checks.values())


def test_repair_in_numeric_and_alpha_fields() -> None:
    noisy = "I<UTOERIK55ON<<ANNA<MAR1A<<<<<<<<<<<\nD231458907UT0740BIZZF12O4IS9<<<<<<<G"
    r = mrz.parse_mrz(noisy, today=TODAY)
    assert r.valid
    assert r.birth_date == dt.date(1974, 8, 12) and r.expiry_date == dt.date(2012, 4, 15)
    assert (r.surname, r.given_names, r.nationality) == ("ERIKSSON", "ANNA MARIA", "UTO")
    assert r.repaired
    assert r.raw[1] != r.lines[1]


def test_repair_document_number_confirmed_by_check_digits() -> None:
    # 'O' read for '0' in a mixed field: only the check digit can tell which one is right.
    noisy = TD3.replace("L898902C3", "L8989O2C3")
    r = mrz.parse_mrz(noisy, today=TODAY)
    assert r.valid and r.document_number == "L898902C3"
    assert any("check digit confirmed" in x for x in r.repaired)


def test_no_repair_when_disabled() -> None:
    noisy = TD3.replace("7408122F", "74O8122F")
    assert not mrz.parse_mrz(noisy, today=TODAY, repair=False).valid
    assert mrz.parse_mrz(noisy, today=TODAY).valid


def test_filler_read_as_k_in_name() -> None:
    r = mrz.parse_mrz(TD3.replace("MARIA<<<<<<", "MARIA<<<K<<"), today=TODAY)
    assert r.given_names == "ANNA MARIA"


def test_state_code_with_digits_is_kept_when_not_a_code() -> None:
    # Real Romanian cards print '132' as nationality; it must not become 'I3Z'.
    text = "IDROUSAVA<<SUPERMAN<<<<<<<<<<<<<<<<<\nHD198025<51328505095M130509012049941"
    r = mrz.parse_mrz(text, today=TODAY)
    assert r.valid and r.nationality == "132"


def test_century_rules() -> None:
    assert mrz.birth_century("250301", dt.date(2026, 1, 1)) == dt.date(2025, 3, 1)
    assert mrz.birth_century("270301", dt.date(2026, 1, 1)) == dt.date(1927, 3, 1)
    assert mrz.expiry_century("351231", dt.date(2026, 1, 1)) == dt.date(2035, 12, 31)
    assert mrz.expiry_century("810913", dt.date(2026, 1, 1)) == dt.date(1981, 9, 13)
    r = mrz.parse_mrz(TD3, today=dt.date(1980, 1, 1))
    assert r.birth_date == dt.date(1974, 8, 12)


def test_unknown_expiry_is_none_but_valid() -> None:
    text = "I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F<<<<<<0UTO<<<<<<<<<<<6\nERIKSSON<<ANNA<MARIA<<<<<<<<<<"
    r = mrz.parse_mrz(text, today=TODAY)
    assert r.valid and r.expiry_date is None


def test_find_mrz_lines_in_noisy_text() -> None:
    text = (
        "PASSPORT  PASSEPORT\nSurname ERIKSSON\n< P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<< S\n"
        "L898902C36 UTO7408122F 1204159ZE184226B<<<<<10\n"
    )
    lines = mrz.find_mrz_lines(text)
    assert lines == TD3.splitlines()
    assert mrz.find_mrz_lines("nothing here") is None


def test_to_dict_round_trip() -> None:
    r = mrz.parse_mrz(TD3, today=TODAY)
    d = r.to_dict()
    assert d["birth_date"] == "1974-08-12" and d["checks"]["composite"] is True
    assert mrz.MrzResult.from_dict(d) == r


def test_result_is_frozen() -> None:
    r = mrz.parse_mrz(TD3, today=TODAY)
    with pytest.raises((AttributeError, TypeError)):
        r.valid = False  # type: ignore[misc]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<<<<< \n«ÑO0")), max_size=120))
def test_parse_never_raises(text: str) -> None:
    r = mrz.parse_mrz(text, today=TODAY)
    assert isinstance(r, mrz.MrzResult)
    if r.valid:
        assert r.checks and all(r.checks.values())


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=200))
def test_parse_never_raises_on_any_text(text: str) -> None:
    assert isinstance(mrz.parse_mrz(text, today=TODAY).valid, bool)


@settings(max_examples=150, deadline=None)
@given(st.integers(0, 43), st.sampled_from(list("0123456789ABCXYZ<")))
def test_single_substitution_never_yields_wrong_accepted_expiry(pos: int, char: str) -> None:
    line2 = list(TD3.splitlines()[1])
    line2[pos] = char
    r = mrz.parse_mrz(TD3.splitlines()[0] + "\n" + "".join(line2), today=TODAY)
    if r.valid:
        assert r.expiry_date == dt.date(2012, 4, 15)


# --------------------------------------------------------------------------- trust (issue 15)


def _td3(names: str, birth: str = "740812", number: str = "L898902C3", expiry: str = "120415") -> str:
    """A TD3 zone with correct check digits for the given name field and dates."""
    cd = mrz.check_digit
    optional = "ZE184226B<<<<<"
    body = f"{number}{cd(number)}UTO{birth}{cd(birth)}F{expiry}{cd(expiry)}{optional}{cd(optional)}"
    composite = cd(body[0:10] + body[13:20] + body[21:43])
    line1 = f"P<UTO{names}".ljust(44, "<")
    return f"{line1}\n{body}{composite}"


def test_specimen_is_trusted_with_no_reasons() -> None:
    result = mrz.parse_mrz(TD3, today=TODAY)
    assert result.trusted and result.reasons == ()
    assert all(result.field_trust.values())


@pytest.mark.parametrize("lookalike", ["K", "E", "C", "L", "KK"])
def test_filler_read_as_a_letter_in_the_padding_is_repaired(lookalike: str) -> None:
    """``<`` read as K, E, C or L after the names: put back, and the read stays trusted."""
    read = _td3(f"ERIKSSON<<ANNA<MARIA<<<<<{lookalike}")
    result = mrz.parse_mrz(read, today=TODAY)
    assert result.surname == "ERIKSSON" and result.given_names == "ANNA MARIA"
    assert result.trusted
    assert any("filler" in r for r in result.repaired)


def test_other_letters_in_the_padding_make_the_names_untrusted() -> None:
    """An X in the padding is no filler look-alike: the check digits pass but the names are not trusted."""
    result = mrz.parse_mrz(_td3("ERIKSSON<<ANNA<MARIA<<<<<<XR"), today=TODAY)
    assert result.valid and not result.trusted
    assert result.reasons == ("letters in the filler padding after the names",)
    trust = result.field_trust
    assert trust["document_number"] and trust["birth_date"] and trust["expiry_date"]
    assert not trust["names"] and trust["sex"] and trust["nationality"]  # a doubt about names only


def test_a_given_name_that_is_one_letter_is_kept() -> None:
    """Only padding is repaired: ``<K<`` between names (single fillers) is a name."""
    result = mrz.parse_mrz(_td3("SMITH<<JOHN<K<PAUL"), today=TODAY)
    assert result.given_names == "JOHN K PAUL" and result.trusted


def test_impossible_birth_date_is_the_stated_reason() -> None:
    """The Czech specimen's 29 February of a common year: correct check digits, never trusted, and says why."""
    result = mrz.parse_mrz(_td3("SPECIMEN<<VZOR", birth="110229"), today=TODAY)
    assert all(result.checks.values())
    assert not result.valid and not result.trusted
    assert result.reasons == ("birth date is not a calendar date",)
    assert not result.field_trust["birth_date"] and result.field_trust["expiry_date"]


def test_failed_check_is_named_without_values() -> None:
    bad = TD3[:-1] + "9"
    result = mrz.parse_mrz(bad, today=TODAY, repair=False)
    assert "composite check digit fails" in result.reasons
    assert all("L898902C3" not in r and "740812" not in r for r in result.reasons)


def test_unknown_state_code_is_a_doubt() -> None:
    result = mrz.parse_mrz(TD3.replace("P<UTO", "P<QQQ"), today=TODAY)
    assert result.valid and not result.trusted
    assert "issuing state is not a known code" in result.reasons


def test_engine_hint_repairs_a_date_digit_only_under_the_check_digits() -> None:
    """A birth date digit misread (3 for 8): the engine's other reading fixes it when both check digits agree."""
    good = _td3("ERIKSSON<<ANNA")
    line2 = good.splitlines()[1]
    assert line2[16] == "8"
    misread = good.replace(line2, line2[:16] + "3" + line2[17:])
    assert not mrz.parse_mrz(misread, today=TODAY).valid
    fixed = mrz.parse_mrz(misread, today=TODAY, hints={(1, 16): "98"})
    assert fixed.valid and fixed.mrz_text == good
    wrong_hint = mrz.parse_mrz(misread, today=TODAY, hints={(1, 16): "9"})
    assert not wrong_hint.valid


def test_doubts_survive_the_round_trip() -> None:
    result = mrz.parse_mrz(_td3("ERIKSSON<<ANNA<<<<<XQ"), today=TODAY)
    assert result.doubts
    assert mrz.MrzResult.from_dict(result.to_dict()) == result


def test_document_fields_carry_per_field_trust_and_the_reasons() -> None:
    """What the document stage and the report get: checked fields sure, names not, and why (issue 15, 3)."""
    from pipeline.model import PageMrz
    from pipeline.stages.extract_dates import mrz_fields

    result = mrz.parse_mrz(_td3("ERIKSSON<<ANNA<<<<<XQ"), today=TODAY)
    fields = mrz_fields(PageMrz(result, (0, 0, 10, 10), 0.9), 1, TODAY)
    assert fields["mrz_valid"].value is True and fields["mrz_trusted"].value is False
    assert fields["mrz_trusted"].raw == "letters in the filler padding after the names"
    assert fields["expiry_date"].confidence == 0.9 and fields["document_number"].confidence == 0.9
    assert fields["surname"].value == "ERIKSSON" and fields["surname"].confidence <= 0.3


def test_check_digit_finding_shows_why_the_read_is_not_trusted() -> None:
    """The report's evidence names the reasons (issue 15, point 3): here a date no calendar has."""
    import dataclasses

    from pipeline.model import Field, PageMrz
    from pipeline.stages.extract_dates import mrz_fields
    from validators import evaluate
    from validators.testing import make_case, make_document

    result = mrz.parse_mrz(_td3("SPECIMEN<<VZOR", birth="110229"), today=TODAY)
    fields: dict[str, Field] = mrz_fields(PageMrz(result, None, 0.5), 1, TODAY)
    doc = make_document({"type": "passport"})
    doc = dataclasses.replace(doc, fields=fields)
    (finding,) = evaluate([doc], make_case({"category": "single_permit"}), as_of=TODAY, pick=["mrz.check-digits"])
    assert finding.evidence["mrz_trusted"] is False
    assert finding.evidence["reasons"] == ["birth date is not a calendar date"]
