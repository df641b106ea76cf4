"""Issue 13: verdicts a clerk can act on (assumptions, parameters file, links, doubts never failing)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from pipeline.case import CaseFacts
from pipeline.links import link_documents
from pipeline.model import Field, Severity, Status, Verdict
from pipeline.report import DossierReport, RunReport
from validators import evaluate, verdict
from validators.params import load_parameters, profile_params
from validators.testing import make_case, make_document

AS_OF = dt.date(2026, 11, 25)


def _complete_single_permit(**case: object) -> tuple[list, CaseFacts]:
    docs = [
        make_document(
            {
                "type": "passport",
                "expiry_date": "2034-01-01",
                "issue_date": "2024-01-02",
                "birth_date": "1990-05-05",
                "nationality": "IND",
                "has_mrz": True,
                "mrz_valid": True,
            }
        ),
        make_document(
            {
                "type": "criminal_record",
                "file": "cr.pdf",
                "issue_date": "2026-10-01",
                "issuing_country": "IND",
                "language": "en",
            }
        ),
        make_document(
            {"type": "apostille", "file": "cr.pdf", "page": 2, "issue_date": "2026-10-05", "issuing_country": "IND"}
        ),
        make_document(
            {
                "type": "translation",
                "file": "cr.pdf",
                "page": 3,
                "issue_date": "2026-10-08",
                "target_language": "fr",
                "source_issue_date": "2026-10-01",
            }
        ),
        make_document({"type": "medical_certificate", "issue_date": "2026-10-10", "doctor_accredited": True}),
        make_document({"type": "lease_agreement"}),
        make_document({"type": "employment_contract"}),
        make_document(
            {
                "type": "health_insurance",
                "policy_type": "mutuality",
                "valid_from": "2026-11-20",
                "valid_to": "2027-12-31",
            }
        ),
    ]
    facts = {
        "category": "single_permit",
        "stage": "visa",
        "nationality": "IND",
        "entry_date": "2026-12-10",
        "application_date": AS_OF.isoformat(),
    } | case
    return docs, make_case(facts)


def test_missing_residence_countries_is_a_stated_assumption_not_a_blocker() -> None:
    docs, case = _complete_single_permit()
    findings = evaluate(docs, case, as_of=AS_OF)
    assert verdict(findings) is Verdict.READY
    coverage = next(f for f in findings if f.rule == "criminal_record.coverage-five-years")
    assert coverage.status is Status.PASS and "assumed the applicant lived only in IND" in coverage.note
    report = RunReport(
        AS_OF, "conservative", (DossierReport("007", Verdict.READY, None, case, tuple(findings), (), ()),)
    )
    assert report.summary()["assumptions"] == [
        {"column": "residence_countries", "dossiers": ["007"], "fill": "the residence_countries column of cases.csv"}
    ]


def test_low_confidence_certificate_never_fails_coverage() -> None:
    """Issue 13's first cause: "No criminal record certificate from UKR" with that certificate present."""
    docs, case = _complete_single_permit(nationality="UKR", residence_countries="UKR")
    docs[1] = make_document(
        {
            "type": "criminal_record",
            "file": "cr.pdf",
            "issue_date": "2026-10-01",
            "issuing_country": "UKR",
            "language": "en",
            "type_confidence": 0.55,
        }
    )
    findings = evaluate(docs, case, as_of=AS_OF)
    coverage = [f for f in findings if f.rule.startswith("criminal_record.coverage")]
    assert all(f.status is not Status.FAIL for f in coverage), [f.message for f in coverage]
    assert not [f for f in findings if f.status is Status.FAIL and f.severity is Severity.BLOCKING]


def test_apostille_scanned_apart_is_linked_and_rejections_are_explained() -> None:
    cert = make_document(
        {"type": "criminal_record", "file": "casier.pdf", "issue_date": "2026-10-01", "issuing_country": "MAR"}
    )
    ours = make_document(
        {"type": "apostille", "file": "scan_7.jpg", "issue_date": "2026-10-03", "issuing_country": "MAR"}
    )
    other = make_document(
        {"type": "apostille", "file": "scan_8.jpg", "issue_date": "2026-09-01", "issuing_country": "IND"}
    )
    links = {link.attachment.file: link for link in link_documents([cert, ours, other])}
    assert links["scan_7.jpg"].target is cert
    assert links["scan_8.jpg"].target is None
    assert "the apostille is from IND, casier.pdf#1 from MAR" in links["scan_8.jpg"].rejected[0][1]


def test_no_apostille_finding_lists_the_candidates_it_rejected() -> None:
    cert = make_document(
        {
            "type": "criminal_record",
            "file": "casier.pdf",
            "issue_date": "2026-10-01",
            "issuing_country": "MAR",
            "language": "fr",
        }
    )
    other = make_document(
        {"type": "apostille", "file": "scan_8.jpg", "issue_date": "2026-10-03", "issuing_country": "IND"}
    )
    case = make_case({"category": "single_permit", "stage": "visa", "nationality": "MAR"})
    findings = evaluate([cert, other], case, as_of=AS_OF, pick=["authentication.apostille-or-legalisation"])
    assert [f.status for f in findings] == [Status.FAIL]
    assert "scan_8.jpg#1 not taken: the apostille is from IND" in findings[0].message


def test_parameters_file_confirms_an_amount_and_overrides_per_profile() -> None:
    text = """
    field_confidence = 0.65
    [student_monthly_eur]
    "2026-09-01" = 1062
    [profile.official_minimum]
    health_insurance_min_eur = 25000
    """
    overrides = load_parameters(text, "params.toml")
    conservative = profile_params("conservative", overrides)
    assert conservative.field_confidence == 0.65
    assert conservative.student_monthly_eur.at(dt.date(2026, 9, 1)) == 1062
    assert conservative.health_insurance_min_eur == 30000
    assert profile_params("official_minimum", overrides).health_insurance_min_eur == 25000


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("fieldconfidence = 0.6", "unknown parameters ['fieldconfidence']"),
        ("field_confidence = 'high'", "parameter field_confidence"),
        ("[profile.lenient]\nfield_confidence = 0.5", "unknown profile"),
        ("field_confidence = ", "params.toml"),
    ],
)
def test_parameters_file_errors_name_the_key(text: str, error: str) -> None:
    with pytest.raises(ValueError, match="params.toml") as info:
        load_parameters(text, "params.toml")
    assert error in str(info.value)


def test_announced_student_amount_decides_by_bounds() -> None:
    case = make_case({"category": "student", "stage": "visa", "application_date": "2026-11-25"})
    outcomes = {}
    for amount in (9000, 11000, 13000):
        findings = evaluate(
            [make_document({"type": "bank_statement", "amount": amount})],
            case,
            as_of=AS_OF,
            pick=["student.means-threshold"],
        )
        outcomes[amount] = findings[0].status
    assert outcomes == {9000: Status.FAIL, 11000: Status.NOT_EVALUABLE, 13000: Status.PASS}


def test_implausible_date_makes_plausibility_not_evaluable_not_failing() -> None:
    """Issue 13: a misread birth date (2027 on a letter of 2026) failed document.dates-plausible."""
    letter = make_document({"type": "enrollment_letter", "issue_date": "2026-09-01", "birth_date": "2027-02-03"})
    fields = dict(letter.fields)
    fields["birth_date"] = Field(dt.date(2027, 2, 3), 0.45, "ocr", basis="label:birth:adjacent:implausible")
    letter = dataclasses.replace(letter, fields=fields)
    case = make_case({"category": "student"})
    (finding,) = evaluate([letter], case, as_of=AS_OF, pick=["document.dates-plausible"])
    assert finding.status is Status.NOT_EVALUABLE and "birth date" in finding.message


def test_rejected_unread_page_is_not_a_missing_certificate() -> None:
    """A page the capture gate rejected (not read, type unknown) may be the criminal record: the checklist
    and coverage rules are not evaluable, and the rejection itself blocks (rescan)."""
    docs, case = _complete_single_permit(residence_countries="IND")
    rejected = make_document({"type": "other", "file": "casier.jpg", "type_confidence": 0.05, "rejections": ["glare"]})
    docs = [d for d in docs if d.file != "cr.pdf"] + [rejected]
    findings = evaluate(docs, case, as_of=AS_OF)
    by_rule = {(f.rule, f.status) for f in findings if f.severity is Severity.BLOCKING and f.status is not Status.PASS}
    assert ("scan.quality-sufficient", Status.FAIL) in by_rule
    assert ("dossier.required-documents", Status.NOT_EVALUABLE) in by_rule
    assert ("criminal_record.coverage-five-years", Status.FAIL) not in by_rule
    assert verdict(findings) is Verdict.NOT_READY


def test_cli_reads_the_parameters_file(tmp_path: Path) -> None:
    from pipeline.cli import _parameters

    good = tmp_path / "params.toml"
    good.write_text('[student_monthly_eur]\n"2026-09-01" = 1062\n', encoding="utf-8")
    assert _parameters(str(good)) == {"student_monthly_eur": {"2026-09-01": 1062}}
    bad = tmp_path / "bad.toml"
    bad.write_text("student_monthly = 1062\n", encoding="utf-8")
    with pytest.raises(ValueError, match="bad.toml: unknown parameters"):
        _parameters(str(bad))
    with pytest.raises(ValueError, match="no such file"):
        _parameters(str(tmp_path / "missing.toml"))


def test_unusable_field_read_confidently_is_not_called_low_confidence() -> None:
    """A field read above the confidence bar but not usable (no date) must not say "below 0.60"."""
    docs, case = _complete_single_permit()
    docs[0] = make_document({"type": "passport", "expiry_date": "soon", "nationality": "IND", "low": {}})
    findings = evaluate(docs, case, as_of=AS_OF)
    validity = [f for f in findings if f.status is Status.NOT_EVALUABLE and "expiry date" in f.message]
    assert validity, [f.message for f in findings]
    assert all("below" not in f.message and "not a usable value" in f.message for f in validity)
    docs[0] = make_document({"type": "passport", "expiry_date": "2034-01-01", "low": {"expiry_date": 0.4}})
    low = [f for f in evaluate(docs, case, as_of=AS_OF) if "expiry date" in f.message]
    assert any("confidence 0.40 (below 0.60)" in f.message for f in low), [f.message for f in low]


def test_last_year_coverage_with_several_countries_asks_for_the_history() -> None:
    """Several residence_countries do not tell which were lived in last year: ask residence_history."""
    docs, case = _complete_single_permit(category="student", residence_countries="IND;PRT")
    findings = evaluate(docs, case, as_of=AS_OF)
    last_year = [f for f in findings if f.rule == "criminal_record.coverage-last-year"]
    assert last_year, sorted({f.rule for f in findings})
    for finding in last_year:
        assert finding.status is Status.NOT_EVALUABLE
        assert finding.evidence["fact"] == "residence_history", finding.evidence
        assert "residence_history" in (finding.action or "")
