"""Scheduled reprocessing of an HR batch: fetch, check, compare with the last run, publish reports.

``reprocess`` reads the batch from a folder or any fsspec URL (``s3://bucket/dossiers``), runs the
``dossier-check`` flow as a subflow, compares the result with the ``report.json`` already in ``out``
and writes the new reports, ``changes.json`` and a copy under ``out/history/<UTC timestamp>/``;
a summary goes to a notification block when a verdict changed or a document starts to expire.
Unchanged files cost no OCR: the content-hash page cache (a local folder or a bucket prefix)
answers for them, so a nightly run over an unchanged batch only re-evaluates the date rules.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import os
from typing import Any

from flows.server import quiet_prefect

quiet_prefect()
os.environ.setdefault("OMP_THREAD_LIMIT", "1")

import fsspec  # noqa: E402
from prefect import flow, get_run_logger, task  # noqa: E402
from prefect.artifacts import create_markdown_artifact, create_table_artifact  # noqa: E402
from prefect.cache_policies import NO_CACHE  # noqa: E402
from prefect.context import FlowRunContext  # noqa: E402
from prefect.exceptions import MissingContextError  # noqa: E402

from flows.check import run_check  # noqa: E402
from flows.notify import send_notice  # noqa: E402
from pipeline import changes as changes_mod  # noqa: E402
from pipeline.atomic import write_files  # noqa: E402
from pipeline.context import RunOptions, default_workers  # noqa: E402
from pipeline.errors import DossierError  # noqa: E402
from pipeline.model import Severity, Status  # noqa: E402
from pipeline.report import ReportOptions, RunReport, write_reports  # noqa: E402
from pipeline.sources import fetch_to_local  # noqa: E402

MAX_WORKERS = 8
"""Upper bound of parallel pages in a scheduled run (it shares the host with the Prefect server)."""
CHANGES_ARTIFACT_KEY = "dossier-changes"
VERDICTS_ARTIFACT_KEY = "dossier-verdicts"


def _logger() -> logging.Logger | logging.LoggerAdapter[logging.Logger]:
    """The run logger inside a flow run; a plain logger when called as ``reprocess.fn`` (tests)."""
    try:
        return get_run_logger()
    except MissingContextError:
        return logging.getLogger(__name__)


def _is_transient(task: Any, task_run: Any, state: Any) -> bool:
    """Retry I/O only on errors that may pass (network, throttling), not on a missing bucket or bad data."""
    try:
        state.result()
    except Exception as exc:  # noqa: BLE001 - botocore/aiohttp errors have no common base we can import cheaply
        return is_transient_error(exc)
    return False


def is_transient_error(exc: BaseException) -> bool:
    """True for errors worth a retry: network and service errors, not missing objects, rights or bad input.

    ``fetch_to_local`` wraps listing errors in ``InputFileError``: its cause decides.
    """
    if isinstance(exc, DossierError):
        return exc.__cause__ is not None and is_transient_error(exc.__cause__)
    return not isinstance(exc, FileNotFoundError | PermissionError | ValueError | KeyError | TypeError)


def is_remote(url: str) -> bool:
    """True for fsspec URLs other than ``file://`` (they must be mirrored before intake)."""
    return "://" in url and not url.startswith("file://")


@task(cache_policy=NO_CACHE, retries=2, retry_delay_seconds=5, retry_condition_fn=_is_transient)
def materialise(source: str) -> str:
    """A local folder holding the batch (remote URLs are mirrored; unchanged files are not fetched again)."""
    return str(fetch_to_local(source)) if is_remote(source) else source.removeprefix("file://")


@task(cache_policy=NO_CACHE, retries=2, retry_delay_seconds=5, retry_condition_fn=_is_transient)
def read_previous(out: str) -> dict[str, Any] | None:
    """The ``report.json`` of the previous run in ``out``, or None (first run, or unreadable)."""
    return read_report(out)


def read_report(out: str) -> dict[str, Any] | None:
    """Parse ``out/report.json`` (any fsspec URL); None when it is missing or not a report."""
    fs, root = fsspec.core.url_to_fs(out)
    path = f"{root.rstrip('/')}/report.json"
    try:
        with fs.open(path, "r", encoding="utf-8") as handle:
            data = json.load(handle)
    except FileNotFoundError:
        return None
    except ValueError:  # a torn or foreign file: treat as first run rather than failing the schedule
        return None
    return data if isinstance(data, dict) and isinstance(data.get("dossiers"), list) else None


@task(cache_policy=NO_CACHE)
def compare(previous: dict[str, Any] | None, report: RunReport, horizon_days: int) -> dict[str, Any]:
    """What changed since the previous run."""
    return changes_mod.diff_runs(previous, report, horizon_days=horizon_days)


def history_name(now: dt.datetime) -> str:
    """The history folder name of a run started at ``now`` (UTC, no colons: valid on every file system).

    >>> history_name(dt.datetime(2026, 12, 2, 5, 0, 7, tzinfo=dt.UTC))
    '2026-12-02T050007Z'
    """
    return f"{now.astimezone(dt.UTC):%Y-%m-%dT%H%M%SZ}"


def history_folder(out: str, now: dt.datetime | None = None) -> str:
    """``out/history/<UTC timestamp>/``, new for every run (two runs a day keep both reports)."""
    fs, root = fsspec.core.url_to_fs(out)
    name, suffix, n = history_name(now or dt.datetime.now(dt.UTC)), "", 1
    while fs.exists(f"{root.rstrip('/')}/history/{name}{suffix}"):
        n += 1
        suffix = f"-{n}"
    return f"{out.rstrip('/')}/history/{name}{suffix}"


@task(cache_policy=NO_CACHE, retries=2, retry_delay_seconds=5, retry_condition_fn=_is_transient)
def publish(report: RunReport, out: str, options: ReportOptions | None = None) -> list[str]:
    """Write report.json/.csv/.html and changes.json into ``out`` and ``out/history/<timestamp>/``.

    The history copy is written first, so an interrupted run never leaves ``out/report.json`` newer
    than its history (the next run then compares with the last complete one).
    """
    written: list[str] = []
    for target in (history_folder(out), out):
        written += write_reports(report, target, options)
        written.append(_write_json(report.changes or {}, target, "changes.json"))
    return written


def _write_json(data: dict[str, Any], folder: str, name: str) -> str:
    return write_files(folder, {name: json.dumps(data, indent=2, ensure_ascii=False) + "\n"})[0]


def verdict_rows(report: RunReport) -> list[dict[str, Any]]:
    """One table row per dossier: id, verdict, ready_until and blocking reasons."""
    rows = []
    for d in report.dossiers:
        reasons = sorted({f.rule for f in d.findings if f.severity == Severity.BLOCKING and f.status != Status.PASS})
        rows.append({
            "id": d.id,
            "verdict": d.verdict.value,
            "ready_until": d.ready_until.isoformat() if d.ready_until else "",
            "blocking_reasons": ", ".join(reasons),
        })
    return rows


@flow(name="dossier-reprocess", log_prints=False, validate_parameters=True)
def reprocess(
    source: str,
    out: str,
    profile: str = "conservative",
    workers: int | None = None,
    cache: str | None = None,
    horizon_days: int = changes_mod.DEFAULT_HORIZON_DAYS,
    as_of: dt.date | None = None,
    cases: str | None = None,
    notify: str | None = None,
    lang: str = "en",
    csv_sep: str = ",",
) -> dict[str, Any]:
    """Re-check a batch and publish its reports and what changed since the last run.

    Args:
        source: The batch (or one dossier): a local folder or an fsspec URL such as ``s3://bucket/dossiers``.
        out: Folder or fsspec URL of the reports; its ``report.json`` is the previous run.
        profile: Rule profile.
        workers: Pages processed in parallel (default: one per CPU, at most ``MAX_WORKERS``).
        cache: Page cache folder or URL (``s3://bucket/cache``); None: the local default; ``off``.
        horizon_days: Look-ahead of the "expiring soon" lists.
        as_of: Evaluation date (default: today, so a scheduled run re-evaluates the date rules).
        cases: A ``cases.csv`` outside the batch.
        notify: A saved Prefect notification block (``custom-webhook/hr-desk``): when a verdict
            changed or a document entered the ``horizon_days`` window, a summary is sent through it.
        lang: Language of report.html and the CSV messages (``en``, ``fr``, ``nl``).
        csv_sep: CSV field separator.

    Returns:
        The files written, the verdict counts, the changes and whether a notification was sent.
    """
    logger = _logger()
    options = RunOptions(
        as_of=as_of or dt.date.today(), profile=profile, cases=cases or None, cache=cache or None,
        workers=max(1, min(workers or default_workers(), MAX_WORKERS)),
    )
    local = materialise(source)
    logger.info("checking %s (mirrored at %s) as of %s", source, local, options.as_of)
    report = run_check(local, options)  # the dossier-check flow, run as a subflow
    previous = read_previous(out)
    changes = compare(previous, report, horizon_days)
    report = dataclasses.replace(report, changes=changes)
    written = publish(report, out, ReportOptions(lang=lang, csv_sep=csv_sep))
    notified = send_notice(notify, changes, f"{out.rstrip('/')}/report.html") if notify else False
    if FlowRunContext.get() is not None:  # artifacts belong to a flow run (not to ``reprocess.fn``)
        create_table_artifact(
            key=VERDICTS_ARTIFACT_KEY, table=verdict_rows(report),
            description=f"Dossier verdicts on {options.as_of.isoformat()} ({profile})",
        )
        create_markdown_artifact(
            key=CHANGES_ARTIFACT_KEY, markdown=changes_mod.render_changes_markdown(changes),
            description=f"What changed in {source} since the previous run",
        )
    summary = report.summary()
    logger.info("%d dossiers %s; %d new, %d verdict changes; reports in %s", summary["dossiers"],
                summary["verdicts"], changes["counts"]["new"], changes["counts"]["verdict_changes"], out)
    return {"written": written, "verdicts": summary["verdicts"], "changes": changes, "notified": notified}


if __name__ == "__main__":
    import sys

    print(json.dumps(reprocess(sys.argv[1], sys.argv[2])["changes"]["counts"]))
