"""Watch an inbox folder: check each dossier dropped into it once, when its copy is complete.

A dossier folder is complete when it holds a ``.complete`` or ``READY`` marker file, or when none of
its files changed size or mtime for ``stable_seconds`` (a copy in progress keeps touching them).

Crash safety: ``out/.watch-journal.jsonl`` is append-only and fsync'ed. Before processing, a
``started`` line records the digest of the dossier's file list (names, sizes, mtimes); after the
report is written, a ``done`` line. On restart a dossier ``started`` but not ``done`` is processed
again, a ``done`` one with the same digest is skipped and a changed one is processed anew, so no
dossier is lost or processed twice for the same content. One watcher per ``out`` (a lock file).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import fcntl
import hashlib
import json
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from pipeline.errors import ConfigError
from pipeline.stages.intake import WATCH_MARKERS

log = logging.getLogger(__name__)

MARKERS = WATCH_MARKERS
"""Files a sender drops last to say "this dossier is complete" (never part of the digest)."""
JOURNAL_NAME = ".watch-journal.jsonl"
LOCK_NAME = ".watch.lock"
COMPACT_LINES = 10_000
"""The journal is rewritten with one line per dossier once it grows beyond this."""

Snapshot = dict[str, tuple[int, int]]
"""Dossier-relative file path -> (size, mtime in ns)."""


@dataclasses.dataclass
class WatchResult:
    """What one ``watch`` call did (names of dossier folders, in processing order)."""

    processed: list[str] = dataclasses.field(default_factory=list)
    skipped: list[str] = dataclasses.field(default_factory=list)
    """Already ``done`` with the same file list (after a restart)."""
    failed: list[str] = dataclasses.field(default_factory=list)
    """``process`` raised: retried when the folder changes or on the next restart."""


def snapshot(folder: Path) -> Snapshot:
    """Sizes and mtimes of every file under ``folder`` (a file vanishing mid-scan is skipped)."""
    found: Snapshot = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames.sort()
        for name in filenames:
            path = Path(dirpath) / name
            try:
                st = path.stat()
            except FileNotFoundError:
                continue
            found[path.relative_to(folder).as_posix()] = (st.st_size, st.st_mtime_ns)
    return found


def digest(snap: Snapshot) -> str:
    """Digest of a file list without its marker files (dropping ``READY`` later changes nothing)."""
    content = sorted((k, v) for k, v in snap.items() if Path(k).name not in MARKERS)
    return hashlib.sha256(json.dumps(content).encode()).hexdigest()[:24]


def has_marker(snap: Snapshot) -> bool:
    """True when the sender marked the dossier complete."""
    return any(rel in MARKERS for rel in snap)


class Journal:
    """Append-only JSON-lines journal of ``started``/``done``/``failed`` events, fsync'ed per line."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.state: dict[str, tuple[str, str]] = {}
        """Dossier name -> (last event, digest)."""
        lines = 0
        if path.exists():
            with path.open("r", encoding="utf-8") as handle:
                for line in handle:
                    lines += 1
                    try:
                        entry = json.loads(line)
                        self.state[entry["dossier"]] = (entry["event"], entry["digest"])
                    except (ValueError, KeyError, TypeError):  # a line torn by a crash: its event never happened
                        log.warning("ignoring torn journal line %d of %s", lines, path)
        if lines > COMPACT_LINES:
            self._compact()
        self._handle: IO[str] = path.open("a", encoding="utf-8")

    def _compact(self) -> None:
        tmp = self.path.with_suffix(".tmp")
        with tmp.open("w", encoding="utf-8") as handle:
            for name, (event, dig) in sorted(self.state.items()):
                handle.write(json.dumps({"event": event, "dossier": name, "digest": dig}) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        tmp.replace(self.path)

    def record(self, event: str, name: str, dig: str) -> None:
        """Append one event and make it durable before returning."""
        line = {"event": event, "dossier": name, "digest": dig, "at": dt.datetime.now(dt.UTC).isoformat()}
        self._handle.write(json.dumps(line) + "\n")
        self._handle.flush()
        os.fsync(self._handle.fileno())
        self.state[name] = (event, dig)

    def is_done(self, name: str, dig: str) -> bool:
        """True when this exact file list was processed to the end."""
        return self.state.get(name) == ("done", dig)

    def close(self) -> None:
        """Close the journal file."""
        self._handle.close()


@contextlib.contextmanager
def _single_watcher(out: Path) -> Iterator[None]:
    """Hold ``out/.watch.lock`` so that two watchers never process into the same folder."""
    with (out / LOCK_NAME).open("w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ConfigError(f"another watcher already writes into {out}") from None
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def watch(
    inbox: Path,
    out: Path,
    *,
    process: Callable[[Path, Path], None],
    stable_seconds: float = 5,
    poll_seconds: float = 1,
    stop: threading.Event | None = None,
    once: bool = False,
    timeout: float | None = None,
) -> WatchResult:
    """Process every complete dossier folder of ``inbox`` exactly once into ``out/<dossier>/``.

    Args:
        inbox: Folder into which dossier folders are dropped (hidden entries are ignored).
        out: Report folder; holds the journal and one sub-folder per dossier.
        process: ``process(dossier_folder, report_folder)`` checks one dossier and writes its report.
        stable_seconds: A folder without marker is complete when unchanged this long.
        poll_seconds: Pause between scans of the inbox.
        stop: Set it to end the watch (checked between scans and between dossiers).
        once: Return as soon as every folder present has been processed or skipped.
        timeout: Return after this many seconds whatever is pending.

    Returns:
        The dossiers processed, skipped and failed by this call.

    Raises:
        ConfigError: ``inbox`` is not a folder, or another watcher holds ``out``.
    """
    if not inbox.is_dir():
        raise ConfigError(f"inbox {inbox} is not a folder")
    if poll_seconds <= 0 or stable_seconds < 0:
        raise ValueError("poll_seconds must be > 0 and stable_seconds >= 0")
    out.mkdir(parents=True, exist_ok=True)
    stop = stop or threading.Event()
    deadline = None if timeout is None else time.monotonic() + timeout
    result = WatchResult()
    with _single_watcher(out):
        journal = Journal(out / JOURNAL_NAME)
        try:
            _loop(inbox, out, journal, process, stable_seconds, poll_seconds, stop, once, deadline, result)
        finally:
            journal.close()
    return result


def _loop(
    inbox: Path,
    out: Path,
    journal: Journal,
    process: Callable[[Path, Path], None],
    stable_seconds: float,
    poll_seconds: float,
    stop: threading.Event,
    once: bool,
    deadline: float | None,
    result: WatchResult,
) -> None:
    seen: dict[str, tuple[Snapshot, float]] = {}
    """Folder -> (last snapshot, monotonic time it was first seen unchanged)."""
    failed: dict[str, str] = {}
    """Folder -> digest whose processing failed in this session (not retried until it changes)."""
    while not stop.is_set():
        pending = 0
        folders = sorted(p for p in inbox.iterdir() if p.is_dir() and not p.name.startswith("."))
        for folder in folders:
            if stop.is_set():
                return
            name = folder.name
            snap = snapshot(folder)
            now = time.monotonic()
            previous = seen.get(name)
            if previous is None or previous[0] != snap:
                seen[name] = (snap, now)
            dig = digest(snap)
            if journal.is_done(name, dig) or failed.get(name) == dig:
                if journal.is_done(name, dig) and name not in result.skipped and name not in result.processed:
                    result.skipped.append(name)
                    log.info("skipping %s: already processed with the same files", name)
                continue
            if not any(Path(k).name not in MARKERS for k in snap):
                pending += 1  # an empty folder: the copy has not started yet
                continue
            resumed = journal.state.get(name) == ("started", dig)  # judged complete before a crash
            if not (has_marker(snap) or resumed) and now - seen[name][1] < stable_seconds:
                pending += 1
                continue
            _process_one(folder, out, dig, journal, process, failed, result)
        if once and pending == 0:
            return
        if deadline is not None and time.monotonic() >= deadline:
            return
        stop.wait(poll_seconds)


def _process_one(
    folder: Path,
    out: Path,
    dig: str,
    journal: Journal,
    process: Callable[[Path, Path], None],
    failed: dict[str, str],
    result: WatchResult,
) -> None:
    name = folder.name
    journal.record("started", name, dig)
    target = out / name
    target.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    try:
        process(folder, target)
    except Exception:  # noqa: BLE001 - one broken dossier must not stop the watcher
        log.exception("processing %s failed", name)
        journal.record("failed", name, dig)
        failed[name] = dig
        result.failed.append(name)
        return
    journal.record("done", name, dig)
    result.processed.append(name)
    log.info("processed %s in %.1fs", name, time.monotonic() - started)


@dataclasses.dataclass(frozen=True)
class WatchedDossier:
    """One dossier the watcher checked: its report, where it went, how long it took."""

    report: Any
    """``pipeline.report.DossierReport``."""
    target: Path
    seconds: float


def report_process(
    options: Any,
    *,
    as_of_today: bool = False,
    cases: Path | None = None,
    report_options: Any = None,
    on_start: Callable[[Path], None] | None = None,
    on_done: Callable[[WatchedDossier], None] | None = None,
) -> Callable[[Path, Path], None]:
    """A ``process`` callback that checks one dossier with the core and writes its reports.

    Args:
        options: ``pipeline.context.RunOptions`` of every run.
        as_of_today: Evaluate each dossier on the day it is processed (a watcher runs for days;
            use it when no ``--as-of`` was given).
        cases: A ``cases.csv`` naming dossiers by folder name; read again for each dossier, so a row
            added while the watcher runs counts. A dossier without a row keeps its own ``case.toml``.
        report_options: ``pipeline.report.ReportOptions`` (language, CSV separator).
        on_start: Called with the dossier folder before it is checked (progress display).
        on_done: Called after its reports are written.
    """
    from pipeline import api
    from pipeline.case import Cases, decode_case_file, parse_cases_csv
    from pipeline.report import write_reports

    def check_one(folder: Path, target: Path) -> None:
        run_options = options.model_copy(update={"one_dossier": True})  # each dropped folder is one dossier
        if as_of_today:
            run_options = run_options.model_copy(update={"as_of": dt.date.today()})
        if on_start is not None:
            on_start(folder)
        started = time.monotonic()
        known = None
        if cases is not None:  # this dossier's row (its facts, or why they cannot be used), if any
            table = parse_cases_csv(decode_case_file(cases.read_bytes(), cases.name, [folder.name]), cases.name)
            known = Cases({k: v for k, v in table.facts.items() if k == folder.name},
                          {k: v for k, v in table.problems.items() if k == folder.name})
        report = api.run(folder, run_options, cases=known)
        write_reports(report, str(target), report_options)
        if on_done is not None:
            on_done(WatchedDossier(report.dossiers[0], target, time.monotonic() - started))

    return check_one
