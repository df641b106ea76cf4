"""Report writers: the contract's keys, CSV rows per dossier/document/file, the batch summary."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
from pathlib import Path

import pytest

from pipeline.case import CaseFacts
from pipeline.model import (
    DocType,
    Document,
    EvidenceImage,
    Field,
    FileStatus,
    Finding,
    InputFile,
    Rejection,
    RejectionCode,
    Severity,
    Status,
    Verdict,
)
from pipeline.report import DossierReport, RunReport, render_csv, render_html, render_json, write_reports

AS_OF = dt.date(2026, 11, 25)


def _report() -> RunReport:
    passport = Document(
        file="passport.pdf",
        pages=(1,),
        type=DocType.PASSPORT,
        type_confidence=0.98,
        fields={"expiry_date": Field(dt.date(2027, 5, 2), 0.99, "mrz", 1, (0, 0, 10, 10))},
    )
    photo = Document(
        file="photo.jpg",
        pages=(1,),
        type=DocType.CRIMINAL_RECORD,
        type_confidence=0.7,
        rejections=(Rejection(RejectionCode.PHONE_PHOTO, "This looks like a phone photo.", {"metric": 0.3}),),
    )
    failing = Finding(
        rule="passport.validity-12-months",
        severity=Severity.BLOCKING,
        status=Status.FAIL,
        message="Passport expires 2027-05-02",
        source="003_96541b0a4eb6ccbe.txt",
        documents=("passport.pdf#1",),
        action="Renew the passport",
    )
    ready = DossierReport(
        id="008-ok",
        verdict=Verdict.READY,
        ready_until=dt.date(2026, 12, 10),
        case=CaseFacts(),
        findings=(),
        documents=(),
        files=(),
    )
    blocked = DossierReport(
        id="007-sharma",
        verdict=Verdict.NOT_READY,
        ready_until=None,
        case=CaseFacts(nationality="IND").with_defaults(AS_OF),
        findings=(failing,),
        documents=(passport, photo),
        files=(
            InputFile("passport.pdf", "ab", 10, "application/pdf", FileStatus.PROCESSED, page_count=1),
            InputFile("notes.txt", "cd", 5, "text/plain", FileStatus.UNSUPPORTED, "text/plain is not a scan"),
        ),
    )
    return RunReport(as_of=AS_OF, profile="conservative", dossiers=(blocked, ready))


def test_json_has_the_contract_keys() -> None:
    data = json.loads(render_json(_report()))
    assert {"schema_version", "as_of", "profile", "dossiers"} <= set(data)
    dossier = data["dossiers"][0]
    assert {"id", "verdict", "ready_until", "case", "findings", "documents", "files"} <= set(dossier)
    assert {"category", "application_date", "entry_date", "nationality"} <= set(dossier["case"])
    assert dossier["case"]["application_date"] == "2026-11-25"
    finding = dossier["findings"][0]
    assert {"rule", "severity", "status", "message", "source", "documents"} <= set(finding)
    document = dossier["documents"][0]
    assert {"file", "pages", "type", "accepted", "rejections", "fields", "confidence"} <= set(document)
    assert document["fields"]["expiry_date"] == "2027-05-02"
    assert dossier["documents"][1]["rejections"][0] == {
        "code": "phone_photo",
        "message": "This looks like a phone photo.",
        "evidence": {"metric": 0.3},
    }
    assert data["summary"]["verdicts"] == {"ready": 1, "not_ready": 1, "needs_review": 0}
    assert data["summary"]["ready_until_within_30_days"] == [{"id": "008-ok", "ready_until": "2026-12-10"}]


def test_csv_rows_per_dossier_document_and_unread_file() -> None:
    text = render_csv(_report())
    assert text.startswith("\ufeff")  # Excel reads UTF-8 only with the byte-order mark
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    assert [(r["dossier"], r["row"]) for r in rows] == [
        ("007-sharma", "dossier"),
        ("007-sharma", "document"),
        ("007-sharma", "document"),
        ("007-sharma", "file"),
        ("008-ok", "dossier"),
    ]
    assert rows[0]["blocking"] == "passport.validity-12-months"
    assert rows[2]["rejections"] == "phone_photo" and rows[2]["accepted"] == "false"
    assert rows[3]["status"] == "unsupported"


def test_html_and_summary_files(tmp_path: Path) -> None:
    html = render_html(_report())
    assert "Renew the passport" in html and "not ready" in html and "Act soon" in html
    written = write_reports(_report(), str(tmp_path / "out"))
    assert sorted(Path(w).name for w in written) == ["report.csv", "report.html", "report.json", "summary.csv"]
    summary = (tmp_path / "out" / "summary.csv").read_text()
    assert "top_blocking_reason,passport.validity-12-months,1" in summary
    assert "ready_until_within_30_days,008-ok,2026-12-10" in summary


def test_csv_for_excel_in_the_report_language() -> None:
    from pipeline.i18n import Translator

    text = render_csv(_report(), Translator("fr"), sep=";")
    assert text.startswith("\ufeffdossier;row;verdict")
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))
    dossier = rows[0]
    assert dossier["blocking"] == "passport.validity-12-months"  # stable ids stay
    assert dossier["messages"] == "Passport expires 2027-05-02"  # no values recorded: the English text
    assert dossier["actions"] == "Renew the passport"
    assert dossier["to_review"] == "0"
    with pytest.raises(ValueError):
        render_csv(_report(), sep=";;")


def test_json_keeps_english_and_adds_the_translation_and_source() -> None:
    from pipeline.i18n import Translator

    data = json.loads(render_json(_report(), Translator("nl")))
    assert data["lang"] == "nl"
    finding = data["dossiers"][0]["findings"][0]
    assert finding["message"] == "Passport expires 2027-05-02"
    assert finding["translated"]["lang"] == "nl"
    assert finding["translated"]["title"] == "Paspoort minstens 12 maanden geldig na de aanvraagdatum"
    assert finding["source_ref"]["title"].startswith("Consultancy page")
    assert json.loads(render_json(_report()))["dossiers"][0]["findings"][0].get("translated") is None


def test_html_escapes_what_comes_from_files(tmp_path: Path) -> None:
    report = _report()
    hostile = dataclasses.replace(report.dossiers[0], id='<img src=x onerror="alert(1)">',
                                  files=(InputFile("<b>x</b>.pdf", "ef", 1, "application/pdf", FileStatus.ERROR,
                                                   "<script>alert(2)</script>"),))
    html = render_html(dataclasses.replace(report, dossiers=(hostile,)))
    assert "<script>alert(2)" not in html and "&lt;script&gt;alert(2)" in html
    assert '<img src=x onerror' not in html


def test_evidence_is_written_beside_the_report(tmp_path: Path) -> None:
    image = EvidenceImage(b"\xff\xd8fake-jpeg", 10, 10)
    dossier = dataclasses.replace(_report().dossiers[0], folder=str(tmp_path / "in" / "007-sharma"),
                                  evidence={("passport.pdf", 1, "thumb"): image,
                                            ("passport.pdf", 1, "expiry_date"): image})
    write_reports(dataclasses.replace(_report(), dossiers=(dossier,)), str(tmp_path / "out"))
    written = list((tmp_path / "out" / "evidence").rglob("*.jpg"))
    assert len(written) == 1 and written[0].read_bytes() == image.jpeg  # one file for one picture
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert html.count(written[0].relative_to(tmp_path / "out").as_posix()) >= 2
    assert 'href="../in/007-sharma/passport.pdf"' in html


def test_every_rule_cites_a_catalogued_source() -> None:
    import validators
    from validators.sources import catalogue, source_info

    missing = sorted({r.source for r in validators.RULES.values()} - set(catalogue()))
    assert not missing, missing
    assert source_info("DVZ-CR").url.startswith("https://dofi.ibz.be/")  # type: ignore[union-attr]
    assert source_info("003_96541b0a4eb6ccbe.txt").url is None  # a seed page without an address
def test_top_blocking_reasons_count_dossiers_not_findings() -> None:
    """Three failing findings of one rule in one dossier are one dossier (the label says dossiers)."""
    import dataclasses

    report = _report()
    blocked = report.dossiers[0]
    failing = blocked.findings[0]
    many = dataclasses.replace(blocked, findings=(failing,) * 3)
    other = dataclasses.replace(blocked, id="009-other")
    summary = dataclasses.replace(report, dossiers=(many, other)).summary()
    assert summary["top_blocking_reasons"] == [{"rule": "passport.validity-12-months", "dossiers": 2}]


def test_csv_cells_never_evaluate() -> None:
    from pipeline.report import neutralise_cell

    assert [neutralise_cell(v) for v in ("=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1", " =1", "\uff1d1")] == [
        "'=1+1", "'+1", "'-1", "'@SUM(A1)", "'\t'=1", "'\r=1", "' =1", "'\uff1d1"]
    assert neutralise_cell("a;=1+1|-2, @3") == "a;'=1+1|'-2, '@3"
    assert [neutralise_cell(v) for v in ("passport.pdf", "2027-05-02", "", None, 3)] == [
        "passport.pdf", "2027-05-02", "", None, 3]


def test_report_files_are_one_set(tmp_path: Path) -> None:
    """Sub-folders for extra files; a name leaving the folder refused; stale temporary files cleared."""
    import pytest

    from pipeline.atomic import write_files

    out = tmp_path / "out"
    out.mkdir()
    (out / ".report.json.abc123.tmp").write_text("left by a killed run")
    written = write_files(str(out), {"report.json": "{}", "evidence/007/p1.png": b"\x89PNG"})
    assert written == [str(out / "report.json"), str(out / "evidence" / "007" / "p1.png")]
    assert sorted(p.name for p in out.iterdir()) == [".dossier-write.lock", "evidence", "report.json"]
    with pytest.raises(ValueError, match="leaves the report folder"):
        write_files(str(out), {"../escape.json": "{}"})


@pytest.mark.parametrize(
    ("lang", "headings"),
    [
        ("en", ["Case facts not used", "Outside any dossier folder (not checked)", "unsupported"]),
        ("fr", ["Données de dossier non utilisées", "Hors de tout dossier (non vérifié)", "non pris en charge"]),
        ("nl", ["Dossiergegevens niet gebruikt", "Buiten elke dossiermap (niet gecontroleerd)"]),
    ],
)
def test_batch_root_entries_and_case_problems_in_the_report_language(lang: str, headings: list[str]) -> None:
    from pipeline.i18n import Translator
    from pipeline.model import FileStatus, InputFile

    stray = InputFile("notes.txt", "0" * 64, 12, "text/plain", FileStatus.UNSUPPORTED, "not a dossier folder")
    report = dataclasses.replace(_report(), batch_files=(stray,), case_problems=("cases.csv names '099-x'",))
    html = render_html(report, Translator(lang))
    assert all(h in html for h in headings), [h for h in headings if h not in html]
    assert "notes.txt" in html and "099-x" in html
