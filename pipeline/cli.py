"""The ``dossier`` command line (CONTRACT.md "Command line")."""

from __future__ import annotations

import datetime as dt
import logging
import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from pipeline.context import PROFILES, RunOptions, default_workers
from pipeline.errors import DossierError, ExitCode
from pipeline.model import Verdict
from pipeline.report import RunReport, write_reports

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Is this residence-permit dossier ready?")
err = Console(stderr=True)
log = logging.getLogger("dossier")

_VERDICT_STYLE = {Verdict.READY: "green", Verdict.NOT_READY: "red", Verdict.NEEDS_REVIEW: "yellow"}


def _as_of(value: str | None) -> dt.date:
    if value is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from None


def _summary_table(report: RunReport) -> Table:
    table = Table(title=f"Dossiers on {report.as_of.isoformat()} ({report.profile})")
    for column in ("dossier", "verdict", "ready until", "blocking reasons"):
        table.add_column(column)
    for d in report.dossiers:
        reasons = sorted({f.rule for f in d.problems if f.severity.value == "blocking"})
        table.add_row(d.id, f"[{_VERDICT_STYLE[d.verdict]}]{d.verdict.value}[/]",
                      d.ready_until.isoformat() if d.ready_until else "-", ", ".join(reasons[:4]))
    return table


@app.command()
def check(
    path: Annotated[str, typer.Argument(help="A dossier folder, or a batch folder of dossier folders.")],
    out: Annotated[str, typer.Option(help="Where to write report.json/.csv/.html.")] = "dossier-report",
    as_of: Annotated[str | None, typer.Option("--as-of", help="Evaluation date YYYY-MM-DD (default: today).")] = None,
    cases: Annotated[str | None, typer.Option(help="cases.csv with the case facts per dossier.")] = None,
    profile: Annotated[str, typer.Option(help=f"Rule profile: {', '.join(PROFILES)}.")] = "conservative",
    workers: Annotated[int, typer.Option(min=1, max=64, help="Pages processed in parallel.")] = default_workers(),
    cache: Annotated[str | None, typer.Option(
        help="Page cache folder or URL (default: ~/.cache/dossier/pages; 'off' disables it).")] = None,
    dask: Annotated[str | None, typer.Option(
        help="Run the tasks on this Dask scheduler (tcp://host:8786) instead of local threads.")] = None,
    pool: Annotated[str | None, typer.Option(
        help="Split the batch over the workers of this Prefect work pool (prefect worker start --pool NAME).")] = None,
    progress: Annotated[bool, typer.Option(
        help="Show progress: a bar on a terminal, else one line per dossier (stderr).")] = True,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log progress details.")] = False,
) -> None:
    """Check dossiers and write the readiness report."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(message)s")
    if not verbose:
        os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    try:
        options = RunOptions(as_of=_as_of(as_of), cases=cases, profile=profile, workers=workers, cache=cache)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    local = _materialise(path)
    # Fail fast, before a Prefect server starts, on a bad path or case file.
    from pipeline import api
    from pipeline.stages import intake

    api.load_cases(Path(local), intake.discover(Path(local)), options)
    from flows.check import run_check  # Prefect is imported only when a run starts
    from pipeline.progress import RunDisplay

    with RunDisplay(err, enabled=progress) as display:
        report = run_check(local, options, progress=display, dask=dask, pool=pool)
    written = write_reports(report, out)
    Console().print(_summary_table(report))
    err.print(f"Reports written: {', '.join(written)}")


def _materialise(path: str) -> str:
    """A local folder for ``path`` (remote URLs are handled by the sources module)."""
    if "://" in path and not path.startswith("file://"):
        from pipeline.sources import fetch_to_local

        return str(fetch_to_local(path))
    return path.removeprefix("file://")


@app.command()
def rules(
    profile: Annotated[str, typer.Option(help=f"Rule profile: {', '.join(PROFILES)}.")] = "conservative",
) -> None:
    """List the rules of the Belgian pack with ids, severities and sources."""
    import validators

    table = Table(title=f"Rules ({profile})")
    for column in ("id", "severity", "categories", "source", "title"):
        table.add_column(column, overflow="fold")
    for row in validators.list_rules(profile):
        table.add_row(*(str(row[k]) for k in ("id", "severity", "categories", "source", "title")))
    Console(width=200).print(table)


@app.command()
def schedule(
    source: Annotated[str, typer.Argument(help="Batch folder or URL (s3://bucket/dossiers) to reprocess.")],
    out: Annotated[str, typer.Option(help="Report folder or URL; history/<date>/ keeps each run.")] = "dossier-report",
    cron: Annotated[str, typer.Option(help="Five-field cron expression.")] = "0 6 * * *",
    timezone: Annotated[str, typer.Option(help="Time zone of the cron expression.")] = "Europe/Brussels",
    name: Annotated[str, typer.Option(help="Deployment name.")] = "nightly",
    profile: Annotated[str, typer.Option(help=f"Rule profile: {', '.join(PROFILES)}.")] = "conservative",
    workers: Annotated[int, typer.Option(min=1, max=64, help="Pages processed in parallel.")] = default_workers(),
    cache: Annotated[str | None, typer.Option(help="Page cache folder or URL (e.g. in the bucket).")] = None,
    horizon_days: Annotated[int, typer.Option(help="Report documents expiring within this many days.")] = 30,
    cases: Annotated[str | None, typer.Option(help="cases.csv with the case facts per dossier.")] = None,
) -> None:
    """Serve a Prefect deployment that reprocesses SOURCE on a cron schedule (runs until stopped).

    Uses the Prefect API in PREFECT_API_URL (scripts/prefect-server starts one on PostgreSQL).
    """
    from flows.deploy import serve_schedule

    serve_schedule(source, out, cron, name=name, timezone=timezone, profile=profile, workers=workers,
                   cache=cache, horizon_days=horizon_days, cases=cases)


@app.command()
def watch(
    inbox: Annotated[Path, typer.Argument(help="Folder where dossier folders are dropped.")],
    out: Annotated[Path, typer.Option(help="Reports go to OUT/<dossier>/.")] = Path("dossier-reports"),
    stable_seconds: Annotated[float, typer.Option(help="A folder is complete when unchanged this long "
                                                        "(or when it holds a READY or .complete file).")] = 5.0,
    poll_seconds: Annotated[float, typer.Option(help="Seconds between scans of the inbox.")] = 1.0,
    once: Annotated[bool, typer.Option(help="Process what is complete now, then exit.")] = False,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Evaluation date (default: the day of processing).")
    ] = None,
    profile: Annotated[str, typer.Option(help=f"Rule profile: {', '.join(PROFILES)}.")] = "conservative",
    workers: Annotated[int, typer.Option(min=1, max=64, help="Pages processed in parallel.")] = default_workers(),
    cache: Annotated[str | None, typer.Option(help="Page cache folder or URL.")] = None,
) -> None:
    """Check each dossier folder dropped into INBOX once it is complete; crash-safe (journal in OUT)."""
    from pipeline.watch import report_process
    from pipeline.watch import watch as watch_inbox

    try:
        options = RunOptions(as_of=_as_of(as_of), profile=profile, workers=workers, cache=cache)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    result = watch_inbox(inbox, out, process=report_process(options, as_of_today=as_of is None),
                         stable_seconds=stable_seconds, poll_seconds=poll_seconds, once=once)
    err.print(f"processed {len(result.processed)}, skipped {len(result.skipped)}, failed {len(result.failed)}")


server_app = typer.Typer(no_args_is_help=True, help="The local Prefect server that `dossier check` keeps warm.")
app.add_typer(server_app, name="server")


def _say(line: str) -> None:
    err.print(line, markup=False, highlight=False)


@server_app.command("status")
def server_status() -> None:
    """Say whether the local Prefect server runs, where its UI is, and which API runs use."""
    from flows import server, warm

    info = server.status()
    if info["configured_api"]:
        _say(f"runs use your Prefect API: {info['configured_api']} (PREFECT_API_URL or your Prefect profile)")
    if not info["running"]:
        _say(f"local Prefect server: not running (the next `dossier check` starts it); database {info['database']}")
        return
    answering = "answering" if info["answering"] else "starting (not answering yet)"
    _say(f"local Prefect server: {answering}, pid {info['pid']}, up {info['up_for_s'] // 60} min")
    _say(f"  UI {info['ui']}  API {info['api']}")
    _say(f"  database {info['database']} ({info['database_mib']} MiB), log {info['log']}")
    process = warm.read_state()
    if process is not None and warm.is_running(process):
        _say(f"warm process: pid {process.pid} (libraries imported; each check runs in a fork of it)")


@server_app.command("start")
def server_start() -> None:
    """Start the local Prefect server now and wait until it answers (``dossier check`` starts it when needed)."""
    from flows import server

    local, _ = server.ensure_started(_say)
    server.wait_until_up(local)
    _say(f"local Prefect server up: {local.ui_url}")


@server_app.command("stop")
def server_stop() -> None:
    """Stop the local Prefect server and the warm process beside it (runs in progress finish first)."""
    from flows import server, warm

    process = warm.stop()
    stopped = server.stop()
    if stopped is None and process is None:
        _say("local Prefect server: not running")
    else:
        _say("local Prefect server stopped" + (f" (was {stopped.ui_url})" if stopped else ""))


def main() -> None:
    """Console-script entry point: map our errors to exit codes with a readable message."""
    try:
        code = app(standalone_mode=False)
    except DossierError as exc:
        err.print(f"[red]error:[/] {exc}")
        sys.exit(int(exc.exit_code))
    except typer.Abort:
        sys.exit(int(ExitCode.INTERNAL))
    except typer.TyperException as exc:  # usage errors: bad option values, unknown commands
        show = getattr(exc, "show", None)
        if callable(show):
            show()
        else:
            err.print(f"[red]error:[/] {exc}")
        sys.exit(int(ExitCode.BAD_ARGS))
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
