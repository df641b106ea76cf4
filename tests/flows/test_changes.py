"""diff_runs / render_changes_markdown on hand-made report.json dicts."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from pipeline.case import CaseFacts
from pipeline.changes import diff_runs, has_changes, render_changes_markdown
from pipeline.model import Verdict
from pipeline.report import DossierReport, RunReport


def dossier(id_: str, verdict: str, ready_until: str | None = None, *, documents: Any = (), findings: Any = ()):
    return {"id": id_, "verdict": verdict, "ready_until": ready_until, "documents": list(documents),
            "findings": list(findings)}


def report(as_of: str, *dossiers: dict[str, Any]) -> dict[str, Any]:
    return {"schema_version": 1, "as_of": as_of, "profile": "conservative", "dossiers": list(dossiers)}


PREVIOUS = report(
    "2026-11-20",
    dossier("001-a", "ready", "2027-06-01"),
    dossier("002-b", "ready", "2026-12-20",
            findings=[{"rule": "criminal_record.age-6-months", "severity": "blocking", "status": "pass"}]),
    dossier("003-c", "not_ready", findings=[{"rule": "passport.missing", "severity": "blocking", "status": "fail"}]),
    dossier("004-gone", "needs_review"),
)

CURRENT = report(
    "2026-11-25",
    dossier("001-a", "ready", "2027-06-01",
            documents=[{"file": "passport.pdf", "pages": [1], "type": "passport",
                        "fields": {"expiry_date": "2026-12-10"}},
                       {"file": "far.pdf", "pages": [1], "type": "passport", "fields": {"expiry_date": "2030-01-01"}}]),
    dossier("002-b", "not_ready", "2026-12-05",
            documents=[{"file": "casier.pdf", "pages": [1, 2], "type": "criminal_record",
                        "fields": {"issue_date": "2026-06-05"}}],
            findings=[{"rule": "criminal_record.age-6-months", "severity": "blocking", "status": "pass",
                       "valid_until": "2026-12-05", "documents": ["casier.pdf#1"]},
                      {"rule": "lease.missing", "severity": "blocking", "status": "fail"}]),
    dossier("003-c", "ready", "2027-02-01"),
    dossier("005-new", "needs_review", "2026-11-24"),
)


def test_new_removed_and_verdict_changes() -> None:
    changes = diff_runs(PREVIOUS, CURRENT, horizon_days=30)
    assert changes["first_run"] is False
    assert changes["previous_as_of"] == "2026-11-20"
    assert changes["new"] == ["005-new"]
    assert changes["removed"] == ["004-gone"]
    assert [(c["id"], c["from"], c["to"]) for c in changes["verdict_changes"]] == [
        ("002-b", "ready", "not_ready"), ("003-c", "not_ready", "ready")]
    assert changes["verdict_changes"][0]["blocking_added"] == ["lease.missing"]
    assert changes["verdict_changes"][1]["blocking_resolved"] == ["passport.missing"]
    assert [c["id"] for c in changes["ready_until_changes"]] == ["002-b", "003-c"]
    assert changes["counts"]["unchanged"] == 1
    assert has_changes(changes)


def test_expiring_documents_and_ready_until_within_horizon() -> None:
    changes = diff_runs(PREVIOUS, CURRENT, horizon_days=30)
    assert [(e["id"], e["document"], e["type"], e["reason"], e["date"], e["days_left"])
            for e in changes["expiring_documents"]] == [
        ("002-b", "casier.pdf#1", "criminal_record", "criminal_record.age-6-months", "2026-12-05", 10),
        ("001-a", "passport.pdf#1", "passport", "expiry_date", "2026-12-10", 15),
    ]
    # 005-new's ready_until is already past: listed (act now), sorted by date
    assert [(s["id"], s["days_left"]) for s in changes["ready_until_soon"]] == [("005-new", -1), ("002-b", 10)]


def test_horizon_is_respected() -> None:
    changes = diff_runs(PREVIOUS, CURRENT, horizon_days=12)
    assert [e["id"] for e in changes["expiring_documents"]] == ["002-b"]
    assert diff_runs(PREVIOUS, CURRENT, horizon_days=0)["expiring_documents"] == []
    with pytest.raises(ValueError):
        diff_runs(PREVIOUS, CURRENT, horizon_days=-1)


def test_first_run_and_malformed_previous() -> None:
    first = diff_runs(None, CURRENT)
    assert first["first_run"] and first["new"] == ["001-a", "002-b", "003-c", "005-new"]
    assert first["verdict_changes"] == [] and first["removed"] == []
    junk = {"as_of": "2026-11-01", "dossiers": [{"no_id": 1}, "x", {"id": "001-a", "verdict": "ready",
                                                                      "ready_until": "not-a-date"}]}
    changes = diff_runs(junk, CURRENT)
    assert changes["removed"] == [] and "001-a" not in changes["new"]


def test_no_changes() -> None:
    same = diff_runs(CURRENT, CURRENT, horizon_days=0)
    assert same["new"] == same["removed"] == same["verdict_changes"] == same["ready_until_changes"] == []
    assert same["counts"]["unchanged"] == 4
    assert "Nothing changed" not in render_changes_markdown(same)  # 005-new is past its ready_until
    quiet = report("2026-11-25", dossier("x", "ready", "2028-01-01"))
    assert "Nothing changed and nothing expires soon." in render_changes_markdown(diff_runs(quiet, quiet))


def test_accepts_a_run_report() -> None:
    as_of = dt.date(2026, 11, 25)
    current = RunReport(as_of=as_of, profile="conservative", dossiers=(
        DossierReport(id="001-a", verdict=Verdict.NOT_READY, ready_until=as_of + dt.timedelta(days=3),
                      case=CaseFacts(), findings=(), documents=(), files=()),
    ))
    changes = diff_runs(report("2026-11-24", dossier("001-a", "ready")), current)
    assert changes["verdict_changes"][0]["to"] == "not_ready"
    assert changes["ready_until_soon"][0]["days_left"] == 3


def test_markdown_is_not_indented_and_escapes_pipes() -> None:
    prev = report("2026-11-20", dossier("a|b", "ready"))
    cur = report("2026-11-25", dossier("a|b", "not_ready"))
    text = render_changes_markdown(diff_runs(prev, cur))
    assert text.startswith("# Dossier changes on 2026-11-25\n")
    assert all(not line.startswith((" ", "\t")) for line in text.splitlines())
    assert "| a\\|b | ready | not_ready |" in text
    assert "## Verdict changes" in text
    full = render_changes_markdown(diff_runs(PREVIOUS, CURRENT))
    for heading in ("## Verdict changes", "## Ready-until within 30 days", "## Documents expiring within 30 days",
                    "## New dossiers", "## Removed dossiers"):
        assert heading in full


def test_only_transient_io_errors_are_retried() -> None:
    from flows.scheduled import is_transient_error
    from pipeline.errors import InputFileError

    def wrapped(cause: Exception | None) -> InputFileError:
        try:
            raise InputFileError("cannot list s3://b/x") from cause
        except InputFileError as exc:
            return exc

    assert is_transient_error(ConnectionResetError()) and is_transient_error(TimeoutError())
    assert is_transient_error(wrapped(ConnectionError("endpoint unreachable")))
    assert not is_transient_error(wrapped(FileNotFoundError("no such bucket")))
    assert not is_transient_error(wrapped(None))  # "holds no files"
    assert not is_transient_error(PermissionError()) and not is_transient_error(ValueError())


def test_expiring_new_lists_only_what_the_previous_run_did_not() -> None:
    first = diff_runs(None, CURRENT, horizon_days=30)
    assert [e["id"] for e in first["expiring_new"]] == ["002-b", "001-a"]  # a first run announces all
    again = diff_runs(CURRENT, {**CURRENT, "as_of": "2026-11-26"}, horizon_days=30)
    assert again["expiring_documents"] and again["expiring_new"] == []
