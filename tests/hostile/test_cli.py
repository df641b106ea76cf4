"""What the terminal shows: user text never styles or rewrites it; exit codes say what happened."""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from pathlib import Path

import pytest

from pipeline.cache import PageCache
from pipeline.errors import ExitCode
from tests.hostile.helpers import CONTRACT, run_cli, small_batch


def test_markup_and_control_characters_in_names_reach_the_terminal_inert(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    batch = small_batch(tmp_path / "batch", ("[red]styled[blink]", "esc\x1b[31mred\x1b]0;pwned\x07", "\u202eevil"))
    cli = run_cli(["check", str(batch), "--out", str(tmp_path / "out"), "--cache", "off", "--no-progress"],
                  monkeypatch, capsys)
    assert cli.code == 0, cli.err
    shown = cli.out + cli.err
    assert "[red]" in shown and "[blink]" in shown  # shown, not applied
    assert "\x1b" not in shown and "\x07" not in shown and "\u202e" not in shown  # nothing reaches the terminal raw
    assert "esc\\x1b[31mred" in shown and "\\u202eevil" in shown  # but visibly escaped


def test_markup_in_a_case_file_error_is_printed_as_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A ``[/]`` in a message used to crash the error handler itself (Rich MarkupError)."""
    batch = small_batch(tmp_path / "batch")
    (batch / "cases.csv").write_text("name;[/]\n001-a;x\n")
    cli = run_cli(["check", str(batch), "--out", str(tmp_path / "out"), "--no-progress"], monkeypatch, capsys)
    assert cli.code == ExitCode.CONFIG and cli.runs == 0
    assert "the header must have a 'dossier' column" in cli.err and "name;[/]" in cli.err
    assert "Traceback" not in cli.err


def test_exit_code_7_when_a_dossier_could_not_be_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    batch = small_batch(tmp_path / "batch")
    (tmp_path / "elsewhere").mkdir()
    (batch / "003-link").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    (batch / "Thumbs.db").write_bytes(b"\0")
    cli = run_cli(["check", str(batch), "--out", str(tmp_path / "out"), "--cache", "off", "--no-progress"],
                  monkeypatch, capsys)
    assert cli.code == ExitCode.DOSSIER_UNREADABLE == 7
    assert "1 dossier(s) could not be checked (003-link)" in cli.err
    assert "1 entries at the batch root are in no dossier folder" in cli.err
    data = json.loads((tmp_path / "out" / "report.json").read_text())
    assert [d["id"] for d in data["dossiers"]] == ["001-a", "002-b", "003-link"]
    assert data["summary"]["verdicts"]["not_ready"] >= 1


def test_cache_prune(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    cache = PageCache(str(tmp_path / "cache"), "s")
    cache._write(f"{tmp_path}/cache/ab/old.json", {"x": 1})
    cache._write(f"{tmp_path}/cache/ab/new.json", {"x": 2})
    old = time.time() - 40 * 86400
    os.utime(tmp_path / "cache" / "ab" / "old.json", (old, old))
    cli = run_cli(["cache", "prune", "--cache", str(tmp_path / "cache")], monkeypatch, capsys)
    assert cli.code == 0 and "1 entries deleted" in cli.err and "1 kept" in cli.err
    assert [p.name for p in (tmp_path / "cache" / "ab").iterdir()] == ["new.json"]
    cli = run_cli(["cache", "prune", "--cache", str(tmp_path / "cache"), "--older-than", "0d"], monkeypatch, capsys)
    assert "1 entries deleted" in cli.err and not (tmp_path / "cache" / "ab").exists()
    cli = run_cli(["cache", "prune", "--older-than", "soon"], monkeypatch, capsys)
    assert cli.code == ExitCode.BAD_ARGS


def test_a_folder_with_case_toml_is_one_dossier_with_sub_folders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    dossier = tmp_path / "007-sharma"
    (dossier / "scans").mkdir(parents=True)
    (dossier / "scans" / "contract.pdf").write_bytes(CONTRACT)
    (dossier / "case.toml").write_text('category = "single_permit"\n')
    cli = run_cli(["check", str(dossier), "--out", str(tmp_path / "out"), "--cache", "off", "--no-progress",
                   "--as-of", dt.date(2026, 11, 25).isoformat()], monkeypatch, capsys)
    (report,) = json.loads((tmp_path / "out" / "report.json").read_text())["dossiers"]
    assert cli.code == 0 and report["id"] == "007-sharma"
    assert [f["file"] for f in report["files"]] == ["scans/contract.pdf"]


def test_an_unexpected_error_is_one_line_not_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from pipeline.stages import intake

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("Timed out while attempting to connect to ephemeral Prefect API server.")

    monkeypatch.setattr(intake, "survey", broken)
    batch = small_batch(tmp_path / "batch")
    cli = run_cli(["check", str(batch), "--out", str(tmp_path / "out"), "--no-progress"], monkeypatch, capsys)
    assert cli.code == ExitCode.INTERNAL
    assert cli.err == ("internal error: RuntimeError: Timed out while attempting to connect to ephemeral Prefect "
                       "API server. (run again with --verbose for details)")


def test_a_watched_folder_with_sub_folders_is_one_dossier(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pipeline import api
    from pipeline.context import RunOptions
    from pipeline.engines.ocr import FakeOcrEngine
    from pipeline.watch import report_process

    monkeypatch.setattr(api, "default_engine", lambda options: FakeOcrEngine(""))
    folder = tmp_path / "inbox" / "007-sharma"
    (folder / "scans").mkdir(parents=True)
    (folder / "scans" / "contract.pdf").write_bytes(CONTRACT)
    (folder / "passport.pdf").write_bytes(CONTRACT)
    report_process(RunOptions(cache="off", workers=1))(folder, tmp_path / "out")
    (report,) = json.loads((tmp_path / "out" / "report.json").read_text())["dossiers"]
    assert report["id"] == "007-sharma" and [f["file"] for f in report["files"]] == ["passport.pdf",
                                                                                     "scans/contract.pdf"]
