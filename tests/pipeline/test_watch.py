"""The inbox watcher: complete dossiers processed exactly once, across crashes and restarts."""

from __future__ import annotations

import collections
import json
import threading
import time
from pathlib import Path

import pytest

from pipeline.errors import ConfigError
from pipeline.watch import JOURNAL_NAME, Journal, digest, snapshot, watch


class Recorder:
    """A fake ``process`` callback: counts calls and remembers what each dossier looked like."""

    def __init__(self, *, crash_on: str | None = None, fail_on: str | None = None) -> None:
        self.calls: collections.Counter[str] = collections.Counter()
        self.seen: dict[str, dict[str, tuple[int, int]]] = {}
        self.crash_on, self.fail_on = crash_on, fail_on
        self.lock = threading.Lock()

    def __call__(self, folder: Path, target: Path) -> None:
        with self.lock:
            self.calls[folder.name] += 1
        if folder.name == self.crash_on:
            raise Killed(folder.name)
        if folder.name == self.fail_on:
            raise RuntimeError("broken dossier")
        self.seen[folder.name] = snapshot(folder)
        (target / "report.json").write_text(json.dumps({"id": folder.name}))


class Killed(BaseException):
    """Stands for SIGKILL: not an Exception, so nothing in the watcher catches it."""


def drop(inbox: Path, name: str, *, chunks: int = 3, pause: float = 0.0, marker: bool = False) -> None:
    """Copy a small dossier in slowly: files appear one by one and grow chunk by chunk."""
    folder = inbox / name
    folder.mkdir()
    for f in ("passport.jpg", "casier.pdf"):
        with (folder / f).open("wb") as handle:
            for i in range(chunks):
                handle.write(bytes([i]) * 512)
                handle.flush()
                if pause:
                    time.sleep(pause)
    if marker:
        (folder / "READY").write_text("")


def test_twenty_slow_drops_each_processed_once_when_complete(tmp_path: Path) -> None:
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    process = Recorder()
    stop = threading.Event()
    result: dict[str, object] = {}
    watcher = threading.Thread(
        target=lambda: result.update(
            r=watch(inbox, out, process=process, stable_seconds=0.4, poll_seconds=0.05, stop=stop)
        )
    )
    watcher.start()
    names = [f"{i:03d}-dossier" for i in range(20)]
    try:
        for i, name in enumerate(names):  # pauses shorter than stable_seconds: still "copying"
            drop(inbox, name, chunks=4, pause=0.03 if i % 2 else 0.0, marker=i % 5 == 0)
        deadline = time.monotonic() + 20
        while len(process.calls) < 20 and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)  # a few more polls: nothing may be processed twice
    finally:
        stop.set()
        watcher.join(10)
    assert not watcher.is_alive()
    assert process.calls == {n: 1 for n in names}
    for name in names:  # processed only once the copy was complete
        assert process.seen[name] == snapshot(inbox / name)
        assert (out / name / "report.json").exists()
    events = [json.loads(line) for line in (out / JOURNAL_NAME).read_text().splitlines()]
    assert collections.Counter(e["event"] for e in events) == {"started": 20, "done": 20}


def test_crash_then_restart_redoes_only_unfinished(tmp_path: Path) -> None:
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    for name in ("a", "b", "c"):
        drop(inbox, name, marker=True)
    crashing = Recorder(crash_on="b")
    with pytest.raises(Killed):
        watch(inbox, out, process=crashing, stable_seconds=0, poll_seconds=0.01, once=True)
    assert crashing.calls == {"a": 1, "b": 1}
    state = Journal(out / JOURNAL_NAME).state
    assert state["a"][0] == "done" and state["b"][0] == "started" and "c" not in state

    restarted = Recorder()
    result = watch(inbox, out, process=restarted, stable_seconds=30, poll_seconds=0.01, once=True, timeout=10)
    assert restarted.calls == {"b": 1, "c": 1}  # b resumed at once (it was judged complete before)
    assert result.skipped == ["a"] and sorted(result.processed) == ["b", "c"]

    again = Recorder()
    result = watch(inbox, out, process=again, stable_seconds=0, poll_seconds=0.01, once=True)
    assert again.calls == {} and result.skipped == ["a", "b", "c"]


def test_hand_written_journal_started_without_done(tmp_path: Path) -> None:
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    out.mkdir()
    drop(inbox, "x")
    drop(inbox, "y")
    dig_x, dig_y = digest(snapshot(inbox / "x")), digest(snapshot(inbox / "y"))
    lines = [
        {"event": "started", "dossier": "x", "digest": dig_x},
        {"event": "done", "dossier": "x", "digest": dig_x},
        {"event": "started", "dossier": "y", "digest": dig_y},
    ]
    text = "".join(json.dumps(line) + "\n" for line in lines) + '{"event": "done", "doss'  # torn by the crash
    (out / JOURNAL_NAME).write_text(text)
    process = Recorder()
    result = watch(inbox, out, process=process, stable_seconds=0.2, poll_seconds=0.02, once=True)
    assert process.calls == {"y": 1} and result.skipped == ["x"]


def test_changed_dossier_is_processed_again_marker_alone_is_not(tmp_path: Path) -> None:
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    drop(inbox, "d")
    process = Recorder()
    watch(inbox, out, process=process, stable_seconds=0.1, poll_seconds=0.02, once=True)
    (inbox / "d" / ".complete").write_text("")  # a late marker changes nothing
    watch(inbox, out, process=process, stable_seconds=0.1, poll_seconds=0.02, once=True)
    assert process.calls == {"d": 1}
    (inbox / "d" / "lease.pdf").write_bytes(b"%PDF-1.4 new document")
    watch(inbox, out, process=process, stable_seconds=0.1, poll_seconds=0.02, once=True)
    assert process.calls == {"d": 2}


def test_failure_is_not_retried_in_session_but_after_restart(tmp_path: Path) -> None:
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    drop(inbox, "bad", marker=True)
    drop(inbox, "good", marker=True)
    failing = Recorder(fail_on="bad")
    result = watch(inbox, out, process=failing, stable_seconds=0, poll_seconds=0.01, timeout=0.3)
    assert failing.calls == {"bad": 1, "good": 1}  # several polls, one attempt
    assert result.failed == ["bad"] and result.processed == ["good"]
    fixed = Recorder()
    assert watch(inbox, out, process=fixed, stable_seconds=0, poll_seconds=0.01, once=True).processed == ["bad"]


def test_empty_folder_waits_and_second_watcher_is_refused(tmp_path: Path) -> None:
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    (inbox / "empty").mkdir(parents=True)
    (inbox / ".partial").mkdir()
    process = Recorder()
    started = time.monotonic()
    result = watch(inbox, out, process=process, stable_seconds=0, poll_seconds=0.05, once=True, timeout=0.3)
    assert process.calls == {} and result.processed == [] and time.monotonic() - started < 2
    stop = threading.Event()
    first = threading.Thread(
        target=watch, args=(inbox, out), kwargs={"process": process, "poll_seconds": 0.05, "stop": stop}
    )
    first.start()
    try:
        time.sleep(0.2)
        with pytest.raises(ConfigError, match="another watcher"):
            watch(inbox, out, process=process, once=True)
    finally:
        stop.set()
        first.join(5)
    with pytest.raises(ConfigError):
        watch(tmp_path / "missing", out, process=process, once=True)


def test_report_process_checks_a_dropped_dossier_with_the_core(tmp_path: Path) -> None:
    import datetime as dt

    from pipeline.context import RunOptions
    from pipeline.watch import report_process
    from tests.pdfs import text_pdf

    inbox, out = tmp_path / "inbox", tmp_path / "out"
    (inbox / "007-sharma").mkdir(parents=True)
    (inbox / "007-sharma" / "contrat.pdf").write_bytes(text_pdf(["CONTRAT DE TRAVAIL", "Employeur: ACME NV"]))
    (inbox / "007-sharma" / "READY").write_text("")
    process = report_process(RunOptions(as_of=dt.date(2026, 11, 25), cache="off", workers=1))
    result = watch(inbox, out, process=process, stable_seconds=0, poll_seconds=0.05, once=True)
    assert result.processed == ["007-sharma"]
    report = json.loads((out / "007-sharma" / "report.json").read_text())
    assert [d["id"] for d in report["dossiers"]] == ["007-sharma"]
    assert {"report.csv", "report.html"} <= {p.name for p in (out / "007-sharma").iterdir()}


def test_watch_cases_row_with_a_typo_in_the_year_is_refused_like_in_a_batch(tmp_path: Path) -> None:
    """The watcher passes its ``cases.csv`` row straight to the core: the date checks of a batch run apply."""
    import datetime as dt

    from pipeline.context import RunOptions
    from pipeline.watch import report_process
    from tests.pdfs import text_pdf

    inbox, out = tmp_path / "inbox", tmp_path / "out"
    for name in ("008-typo", "009-fine"):
        (inbox / name).mkdir(parents=True)
        (inbox / name / "contrat.pdf").write_bytes(text_pdf(["CONTRAT DE TRAVAIL", "Employeur: ACME NV"]))
        (inbox / name / "READY").write_text("")
    cases = tmp_path / "cases.csv"
    cases.write_text("dossier,category,entry_date\n008-typo,single_permit,2062-10-01\n009-fine,single_permit,2026-10-01\n")
    process = report_process(RunOptions(as_of=dt.date(2026, 11, 25), cache="off", workers=1), cases=cases)
    result = watch(inbox, out, process=process, stable_seconds=0, poll_seconds=0.05, once=True)
    assert sorted(result.processed) == ["008-typo", "009-fine"]
    typo = json.loads((out / "008-typo" / "report.json").read_text())["dossiers"][0]
    fine = json.loads((out / "009-fine" / "report.json").read_text())["dossiers"][0]
    assert "entry_date 2062-10-01 is not a plausible date" in json.dumps(typo)
    assert typo["case"]["entry_date"] is None  # the row's facts are not used
    assert fine["case"]["category"] == "single_permit" and "is not a plausible date" not in json.dumps(fine)
