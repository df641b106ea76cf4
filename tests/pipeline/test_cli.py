"""Command-line details: version, one-line errors, help without a terminal, watch progress, case warnings."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from pipeline import __version__
from pipeline.cli import main
from pipeline.errors import ExitCode
from pipeline.report import RunReport
from tests.pdfs import text_pdf


def _run(monkeypatch: pytest.MonkeyPatch, *argv: str) -> int:
    monkeypatch.setattr("sys.argv", ["dossier", *argv])
    with pytest.raises(SystemExit) as exit_info:
        main()
    return int(exit_info.value.code or 0)


def test_version(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(monkeypatch, "--version") == 0
    assert capsys.readouterr().out.strip() == f"dossier {__version__}"


@pytest.mark.parametrize("argv", [["rules", "--profile", "bad"], ["check", ".", "--profile", "bad"],
                                  ["check", ".", "--lang", "de"], ["check", ".", "--csv-sep", ";;"]])
def test_bad_options_give_one_line(argv: list[str], monkeypatch: pytest.MonkeyPatch,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("COLUMNS", "40")  # a narrow terminal must not wrap the message either
    assert _run(monkeypatch, *argv) == ExitCode.BAD_ARGS
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: ") and "Traceback" not in err, err


@pytest.mark.parametrize("command", ["check", "watch", "schedule", "rules"])
def test_help_without_a_terminal_is_not_cut(command: str, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(monkeypatch, command, "--help") == 0
    out = capsys.readouterr().out
    assert "…" not in out and max(len(line) for line in out.splitlines()) <= 80
    assert "--profile" in out


def test_rules_show_source_titles_and_addresses(monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr("sys.argv", ["dossier", "rules"])
    with pytest.raises(SystemExit):
        main()
    out = capsys.readouterr().out
    assert "https://dofi.ibz.be/" in out and "DVZ-CR" not in out


def test_check_warns_once_about_dossiers_without_case_facts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    batch = tmp_path / "batch"
    for name in ("001-a", "002-b", "003-c"):
        (batch / name).mkdir(parents=True)
        (batch / name / "x.pdf").write_bytes(text_pdf(["CONTRAT DE TRAVAIL"]))
    (batch / "cases.csv").write_text("dossier,category\n001-a,student\n")
    calls: list[Any] = []

    def fake_run(path: str, options: Any, **kw: Any) -> RunReport:
        calls.append(path)
        return RunReport(dt.date(2026, 11, 25), "conservative", ())

    monkeypatch.setattr("flows.check.run_check", fake_run)
    monkeypatch.chdir(tmp_path)
    assert _run(monkeypatch, "check", str(batch), "--no-progress", "--lang", "en", "--csv-sep", ",") == 0
    err = capsys.readouterr().err
    assert err.count("warning: no case facts") == 1
    assert "for 2 dossier(s)" in err and "002-b, 003-c" in err
    assert calls and (tmp_path / "dossier-report" / "report.html").exists()


def test_watch_takes_cases_and_prints_progress(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    inbox = tmp_path / "inbox"
    for name in ("001-a", "002-b"):
        (inbox / name).mkdir(parents=True)
        (inbox / name / "contrat.pdf").write_bytes(text_pdf(["CONTRAT DE TRAVAIL", "Employeur: ACME NV"]))
    cases = tmp_path / "cases.csv"
    cases.write_text("dossier,category,nationality\n001-a,single_permit,IND\n")
    monkeypatch.chdir(tmp_path)
    assert _run(monkeypatch, "watch", str(inbox), "--once", "--stable-seconds", "0", "--cases", str(cases),
                "--cache", "off", "--as-of", "2026-11-25", "--lang", "fr", "-v") == 0
    err = capsys.readouterr().err
    done = {line.split(":")[0]: line for line in err.splitlines() if " pages, " in line}
    assert "001-a: checking" in err and "002-b: checking" in err
    assert "001-a: not_ready (1 pages" in done["001-a"] and "no case facts" not in done["001-a"]
    assert "(no case facts: no row in cases.csv)" in done["002-b"]
    assert "processed 2, skipped 0, failed 0" in err
    report = tmp_path / "dossier-report" / "001-a" / "report.html"  # the same default out as check
    assert report.exists() and 'lang="fr"' in report.read_text(encoding="utf-8")
    assert '"category": "single_permit"' in (report.parent / "report.json").read_text(encoding="utf-8")
