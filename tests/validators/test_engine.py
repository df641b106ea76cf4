"""Registry, engine and package-level behaviour."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import validators
from pipeline.case import CaseFacts
from pipeline.model import Finding, Severity, Status, Verdict
from validators import RULES, evaluate, list_rules, ready_until, verdict
from validators.registry import rule, select
from validators.testing import make_document

MAIN = Path(__file__).resolve().parents[2]


def test_import_resolves_to_our_package_not_pypi() -> None:
    assert Path(validators.__file__).resolve() == MAIN / "validators" / "__init__.py"
    assert hasattr(validators, "evaluate")


def test_rule_ids_are_dotted_and_sources_known() -> None:
    assert len(RULES) >= 45
    for rule_id, r in RULES.items():
        area, _, slug = rule_id.partition(".")
        assert area and slug and rule_id == rule_id.lower()
        assert r.source and r.title and r.message
        assert r.check.__doc__, f"{rule_id} needs a docstring"


def test_duplicate_id_raises_at_registration() -> None:
    with pytest.raises(ValueError, match="registered twice"):
        rule("passport.valid-at-application", severity="BBB", source="x", title="x", message="x")(lambda ctx: iter(()))


def test_unknown_rule_and_profile_list_valid_names() -> None:
    with pytest.raises(ValueError, match="valid ids: .*passport.validity-12-months"):
        select("conservative", pick=["passport.nope"])
    with pytest.raises(ValueError, match="valid profiles"):
        select("lenient")


def test_select_by_group_and_skip() -> None:
    ids = {r.id for r in select("conservative", pick=["passport"], skip=["passport.expires-during-stay"])}
    assert "passport.validity-12-months" in ids and "passport.expires-during-stay" not in ids
    assert all(i.startswith("passport.") for i in ids)
    assert "passport.validity-12-months" not in {r.id for r in select("ugent_employer")}


def test_list_rules_rows() -> None:
    rows = list_rules("official_minimum")
    row = next(r for r in rows if r["id"] == "passport.validity-12-months")
    assert row["severity"] == "warning" and row["source"].startswith("003_")
    assert set(row) == {"id", "severity", "categories", "source", "title"}


def _finding(severity: Severity, status: Status, until: dt.date | None = None) -> Finding:
    return Finding("x.y", severity, status, "m", "s", valid_until=until)


@pytest.mark.parametrize(
    ("findings", "expected"),
    [
        ([], Verdict.READY),
        ([_finding(Severity.WARNING, Status.FAIL)], Verdict.READY),
        ([_finding(Severity.WARNING, Status.NOT_EVALUABLE)], Verdict.READY),
        ([_finding(Severity.BLOCKING, Status.NOT_EVALUABLE)], Verdict.NEEDS_REVIEW),
        (
            [_finding(Severity.BLOCKING, Status.NOT_EVALUABLE), _finding(Severity.BLOCKING, Status.FAIL)],
            Verdict.NOT_READY,
        ),
    ],
)
def test_verdict(findings: list[Finding], expected: Verdict) -> None:
    assert verdict(findings) is expected


def test_ready_until_is_the_earliest_blocking_valid_until() -> None:
    day = dt.date(2027, 1, 1)
    findings = [
        _finding(Severity.BLOCKING, Status.PASS, day),
        _finding(Severity.BLOCKING, Status.PASS, day + dt.timedelta(9)),
        _finding(Severity.WARNING, Status.PASS, day - dt.timedelta(9)),
    ]
    assert ready_until(findings) == day
    assert ready_until([*findings, _finding(Severity.BLOCKING, Status.FAIL)]) is None


def test_low_confidence_field_makes_needs_review() -> None:
    docs = [make_document({"type": "passport", "expiry_date": "2031-01-01", "low": {"expiry_date": 0.4}})]
    findings = evaluate(
        docs, CaseFacts(category=None), as_of=dt.date(2027, 1, 1), pick=["passport.valid-at-application"]
    )
    assert [f.status for f in findings] == [Status.NOT_EVALUABLE]
    assert findings[0].message.startswith("Could not verify")
    assert verdict(findings) is Verdict.NEEDS_REVIEW


def test_a_crashing_rule_becomes_not_evaluable() -> None:
    def boom(ctx: object) -> object:
        raise RuntimeError("bad data")

    rule("zz.test-crash", severity="BBB", source="t", title="t", message="t")(boom)  # type: ignore[arg-type]
    try:
        findings = evaluate([], CaseFacts(), as_of=dt.date(2027, 1, 1), pick=["zz.test-crash"])
        assert findings[0].status is Status.NOT_EVALUABLE and "bad data" in findings[0].message
    finally:
        del RULES["zz.test-crash"]


def test_findings_refer_to_documents_by_file_and_page() -> None:
    doc = make_document({"type": "passport", "file": "scans/passport.pdf", "page": 2, "expiry_date": "2026-01-01"})
    findings = evaluate([doc], CaseFacts(), as_of=dt.date(2027, 1, 1), pick=["passport.valid-at-application"])
    assert findings[0].documents == ("scans/passport.pdf#2",)
    assert "2026-01-01" in findings[0].action
