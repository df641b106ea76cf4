"""The ``dossier`` command line (CONTRACT.md "Command line")."""

from __future__ import annotations

import datetime as dt
import logging
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import click
import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from pipeline import __version__, interrupt
from pipeline.atomic import is_local, probe_writable
from pipeline.context import PROFILES, RunOptions, default_workers
from pipeline.errors import DossierError, ExitCode, OutputError
from pipeline.i18n import LANGUAGES, default_csv_separator, default_language
from pipeline.model import Verdict
from pipeline.report import ReportOptions, RunReport, write_reports

app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None,
                  help="Is this residence-permit dossier ready?")
err = Console(stderr=True, soft_wrap=True)  # one message, one line, whatever the width
log = logging.getLogger("dossier")

_VERDICT_STYLE = {Verdict.READY: "green", Verdict.NOT_READY: "red", Verdict.NEEDS_REVIEW: "yellow"}


def printable(text: object) -> str:
    r"""Text with control characters (terminal escapes, bidi overrides, newlines) shown as ``\x1b`` escapes.

    >>> print(printable("007\x1b[31m\u202egpj.exe"))
    007\x1b[31m\u202egpj.exe
    """
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in str(text))


def shown(text: object) -> str:
    r"""User-controlled text (folder and file names, case values) for Rich: printable, markup escaped.

    >>> print(shown("[red]007[/]"))
    \[red]007\[/]
    """
    return escape(printable(text))


class _PrintableFormatter(logging.Formatter):
    """Log lines whose names cannot rewrite the terminal (each line made printable)."""

    def format(self, record: logging.LogRecord) -> str:
        return "\n".join(printable(line) for line in super().format(record).split("\n"))


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is when a record comes (not the stream of the first call)."""

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr
        super().emit(record)


def _setup_logging(verbose: bool) -> None:
    handler = _StderrHandler()
    handler.setFormatter(_PrintableFormatter("%(levelname)s %(message)s"))
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, handlers=[handler], force=True)


def check_out(out: str, checked: str) -> tuple[str, ...]:
    """Check ``--out`` before any work; return the folders intake must leave out.

    The reports must be writable there, and must not mix with the scans: ``--out`` may lie inside
    the checked folder (it is then left out of intake, so a second run does not read its own
    reports), but must not be that folder or a folder holding anything other than reports.

    Raises:
        OutputError: ``--out`` cannot be written or would mix reports with scans.
    """
    try:
        probe_writable(out)
    except OSError as exc:
        raise OutputError(f"--out {out}: cannot write there ({exc.strerror or exc}); choose another folder") from exc
    if not is_local(out) or not is_local(checked):
        return ()
    target = Path(out.removeprefix("file://")).resolve()
    root = Path(checked.removeprefix("file://")).resolve()
    if root == target or root.is_relative_to(target):
        raise OutputError(f"--out {out} is the checked folder or holds it: reports would mix with the scans; "
                          "choose a folder outside it")
    if not target.is_relative_to(root):
        return ()
    from pipeline.stages.intake import REPORT_OUTPUTS

    if target.is_dir():
        foreign = sorted(p.name for p in target.iterdir()
                         if p.name not in REPORT_OUTPUTS and not p.name.startswith("."))  # our temporary files
        if foreign:
            raise OutputError(f"--out {out} lies inside the checked folder and holds other files "
                              f"({', '.join(foreign[:3])}): choose an empty folder or one outside it")
    return (str(target),)
DEFAULT_OUT = "dossier-report"
"""Where ``check`` and ``watch`` write unless told otherwise."""
MAX_LISTED = 8
"""Dossier ids named in a one-line warning before it says "and N more"."""


def _version(value: bool) -> None:
    if value:
        Console().print(f"dossier {__version__}", markup=False, highlight=False)
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    """Is this residence-permit dossier ready?"""


def _profile(value: str) -> str:
    if value not in PROFILES:
        raise typer.BadParameter(f"unknown profile {value!r} (known: {', '.join(PROFILES)})")
    return value


def _lang(value: str | None) -> str | None:
    if value is not None and value not in LANGUAGES:
        raise typer.BadParameter(f"unknown language {value!r} (known: {', '.join(LANGUAGES)})")
    return value


def _csv_sep(value: str | None) -> str | None:
    if value is None:
        return None
    value = "\t" if value in ("\\t", "tab") else value
    if len(value) != 1 or value in "\"\r\n":
        raise typer.BadParameter(f"{value!r}: give one character, such as ';' or ','")
    return value


ProfileOption = Annotated[str, typer.Option(help=f"Rule profile: {', '.join(PROFILES)}.", callback=_profile)]
LangOption = Annotated[str | None, typer.Option(
    help="Language of report.html and of the messages in report.csv (report.json keeps English and adds "
    "the translation): en, fr or nl. Default: from the locale.", callback=_lang)]
CsvSepOption = Annotated[str | None, typer.Option(
    "--csv-sep", help="Field separator of the CSV files (';' for Excel where decimals take a comma). "
    "Default: from the locale.", callback=_csv_sep)]


def _report_options(lang: str | None, csv_sep: str | None) -> ReportOptions:
    """Language and CSV separator as given, else from the locale (``LANG``, ``LC_ALL``...)."""
    return ReportOptions(lang=lang or default_language(), csv_sep=csv_sep or default_csv_separator())


def _warn_without_case(ids: list[str]) -> None:
    """One line naming the dossiers that no case row or case.toml describes."""
    if not ids:
        return
    named = ", ".join(ids[:MAX_LISTED]) + (f" and {len(ids) - MAX_LISTED} more" if len(ids) > MAX_LISTED else "")
    err.print(f"warning: no case facts for {len(ids)} dossier(s) (no row in cases.csv, no case.toml): "
              f"{shown(named)}; their category and dates are unknown", highlight=False)


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
        table.add_row(shown(d.id), f"[{_VERDICT_STYLE[d.verdict]}]{d.verdict.value}[/]",
                      d.ready_until.isoformat() if d.ready_until else "-", ", ".join(reasons[:4]))
    return table


@app.command()
def check(
    path: Annotated[str, typer.Argument(help="A dossier folder, or a batch folder of dossier folders.",
                                        metavar="PATH")],
    out: Annotated[str, typer.Option(help="Where to write report.json/.csv/.html.")] = DEFAULT_OUT,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Evaluation date YYYY-MM-DD (default: today).")] = None,
    cases: Annotated[str | None, typer.Option(help="cases.csv with the case facts per dossier.")] = None,
    profile: ProfileOption = "conservative",
    lang: LangOption = None,
    csv_sep: CsvSepOption = None,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Pages processed in parallel.")] = default_workers(),
    cache: Annotated[str | None, typer.Option(
        help="Page cache folder or URL (default: ~/.cache/dossier/pages; 'off' disables it).")] = None,
    ocr_timeout: Annotated[float, typer.Option(
        min=0.001, help="Seconds one OCR call may take; a page read no further is reported (scan.text-read).")
    ] = RunOptions.model_fields["ocr_timeout_s"].default,
    params: Annotated[str | None, typer.Option(
        "--params", help="Parameters file (TOML): amounts and thresholds of the rule pack (see README).")] = None,
    dask: Annotated[str | None, typer.Option(
        help="Run the tasks on this Dask scheduler (tcp://host:8786) instead of local threads.")] = None,
    pool: Annotated[str | None, typer.Option(
        help="Split the batch over the workers of this Prefect work pool (prefect worker start --pool NAME).")] = None,
    progress: Annotated[bool, typer.Option(
        help="Show progress: a bar on a terminal, else one line per dossier (stderr).")] = True,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log progress details.")] = False,
) -> None:
    """Check dossiers and write the readiness report.

    Exit codes: 0 the run completed (whatever the verdicts); 7 it completed and wrote its reports,
    but a dossier could not be read or checked (see its ``error``); 8 the reports cannot be written
    (earlier ones stay intact); 130 interrupted. Others: see ``pipeline.errors.ExitCode``.
    """
    _setup_logging(verbose)
    if not verbose:
        os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    try:
        parameters = _parameters(params)
        options = RunOptions(as_of=_as_of(as_of), cases=cases, profile=profile, workers=workers, cache=cache,
                             ocr_timeout_s=ocr_timeout,
                             parameters=parameters)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    local = _materialise(path)
    options = options.model_copy(update={"exclude": check_out(out, local)})
    # Fail fast, before a Prefect server starts, on a bad path, case file or --out.
    from pipeline import api
    from pipeline.stages import intake

    survey = intake.survey(Path(local), frozenset(Path(p) for p in options.exclude))
    _warn_without_case(api.without_case_facts(survey.sources, api.load_cases(Path(local), survey.sources, options)))
    if survey.loose:
        err.print(f"[yellow]note:[/] {len(survey.loose)} entries at the batch root are in no dossier folder and "
                  "are not checked (listed in the report)")
    from flows.check import run_check  # Prefect is imported only when a run starts
    from pipeline.progress import RunDisplay

    with RunDisplay(err, enabled=progress) as display:

        def interrupted() -> str:
            return (f"\ninterrupted: {display.pages_done} pages were finished and are in the page cache; the "
                    "previous reports are unchanged. Run the same command again to continue.")

        with interrupt.exit_on_interrupt(interrupted):
            report = run_check(local, options, progress=display, dask=dask, pool=pool)
    try:
        written = write_reports(report, out, _report_options(lang, csv_sep))
    except OSError as exc:
        raise OutputError(f"cannot write the reports into {out} ({exc.strerror or exc}); the previous reports "
                          "there are unchanged") from exc
    Console().print(_summary_table(report))
    err.print(f"Reports written: {shown(', '.join(written))}")
    if report.incomplete:
        unread = [d.id for d in report.dossiers if d.error]
        what = [f"{len(unread)} dossier(s) could not be checked ({shown(', '.join(unread))})"] if unread else []
        what += [f"{len(report.case_problems)} case row(s) match no dossier"] if report.case_problems else []
        err.print(f"[red]{'; '.join(what)}[/]: see the report (exit code {int(ExitCode.DOSSIER_UNREADABLE)})")
        raise typer.Exit(int(ExitCode.DOSSIER_UNREADABLE))


def _parameters(path: str | None) -> dict[str, Any]:
    """The user's parameters file, checked (a bad key or value names the file and the key)."""
    if path is None:
        return {}
    from validators.params import load_parameters

    file = Path(path)
    if not file.is_file():
        raise ValueError(f"--params {path}: no such file")
    return load_parameters(file.read_text(encoding="utf-8"), file.name)


def _materialise(path: str) -> str:
    """A local folder for ``path`` (remote URLs are handled by the sources module)."""
    if "://" in path and not path.startswith("file://"):
        from pipeline.sources import fetch_to_local

        return str(fetch_to_local(path))
    return path.removeprefix("file://")


cache_app = typer.Typer(no_args_is_help=True, help="The page cache (OCR text and MRZ lines of the pages read).")
app.add_typer(cache_app, name="cache")


def _age(value: str) -> dt.timedelta:
    """``30d``, ``12h``, ``2w`` or a number of days."""
    units = {"d": 1.0, "h": 1 / 24, "w": 7.0}
    number, unit = (value[:-1], value[-1]) if value[-1:] in units else (value, "d")
    try:
        days = float(number) * units[unit]
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not an age (30d, 12h, 2w)") from None
    if days < 0:
        raise typer.BadParameter(f"{value!r}: an age cannot be negative")
    return dt.timedelta(days=days)


@cache_app.command("prune")
def cache_prune(
    older_than: Annotated[str, typer.Option(help="Delete entries not used for this long (30d, 12h, 2w).")] = "30d",
    cache: Annotated[str | None, typer.Option(help="Cache folder or URL (default: ~/.cache/dossier/pages).")] = None,
) -> None:
    """Delete page-cache entries not used recently (a run also does this once a day, at 30 days)."""
    from pipeline.cache import PageCache, default_cache_dir

    location = cache or default_cache_dir()
    result = PageCache(location, settings="").prune(_age(older_than))
    err.print(f"{shown(location)}: {result.removed} entries deleted ({result.bytes / 2**20:.1f} MiB), "
              f"{result.kept} kept")


@app.command()
def rules(profile: ProfileOption = "conservative") -> None:
    """List the rules of the Belgian pack with ids, severities and sources."""
    import validators
    from validators.sources import source_info

    table = Table(title=f"Rules ({profile})")
    for column in ("id", "severity", "categories", "source", "title"):
        table.add_column(column, overflow="fold")
    for row in validators.list_rules(profile):
        source = source_info(row["source"])
        cells = [row["id"], row["severity"], row["categories"], f"{source.title} {source.url or ''}".strip(),
                 row["title"]]
        table.add_row(*(shown(str(c)) for c in cells))
    Console(width=200).print(table)


@app.command()
def schedule(
    source: Annotated[str, typer.Argument(help="Batch folder or URL (s3://bucket/dossiers) to reprocess.")],
    out: Annotated[str, typer.Option(help="Report folder or URL; history/<date>/ keeps each run.")] = "dossier-report",
    cron: Annotated[str, typer.Option(help="Five-field cron expression.")] = "0 6 * * *",
    timezone: Annotated[str, typer.Option(help="Time zone of the cron expression.")] = "Europe/Brussels",
    name: Annotated[str, typer.Option(help="Deployment name.")] = "nightly",
    profile: ProfileOption = "conservative",
    workers: Annotated[int, typer.Option(min=1, max=64, help="Pages processed in parallel.")] = default_workers(),
    cache: Annotated[str | None, typer.Option(help="Page cache folder or URL (e.g. in the bucket).")] = None,
    horizon_days: Annotated[int, typer.Option(help="Report documents expiring within this many days.")] = 30,
    cases: Annotated[str | None, typer.Option(help="cases.csv with the case facts per dossier.")] = None,
    notify: Annotated[str | None, typer.Option(
        help="Saved Prefect notification block (e.g. custom-webhook/hr-desk, see notify-webhook): told when a "
        "verdict changes or a document starts to expire within --horizon-days.")] = None,
    lang: LangOption = None,
    csv_sep: CsvSepOption = None,
) -> None:
    """Serve a Prefect deployment that reprocesses SOURCE on a cron schedule (runs until stopped).

    Uses the Prefect API in PREFECT_API_URL (scripts/prefect-server starts one on PostgreSQL).
    """
    from flows.deploy import serve_schedule

    report = _report_options(lang, csv_sep)
    serve_schedule(source, out, cron, name=name, timezone=timezone, profile=profile, workers=workers,
                   cache=cache, horizon_days=horizon_days, cases=cases, notify=notify, lang=report.lang,
                   csv_sep=report.csv_sep)


@app.command("notify-webhook")
def notify_webhook(
    name: Annotated[str, typer.Argument(help="Block name, e.g. hr-desk.", metavar="NAME")],
    url: Annotated[str, typer.Argument(help="Webhook URL (Slack, Teams, or any service taking JSON).", metavar="URL")],
) -> None:
    """Save a webhook notification block in the Prefect server, for 'schedule --notify'.

    It posts {"subject", "text", "source"} as JSON. Other channels (e-mail, Slack app) are saved as
    Prefect notification blocks in the UI and named the same way (block-type/name).
    """
    from flows.notify import save_webhook

    slug = save_webhook(name, url)
    err.print(f"saved: use --notify {shown(slug)}", highlight=False)


@app.command()
def watch(
    inbox: Annotated[Path, typer.Argument(help="Folder where dossier folders are dropped.", metavar="INBOX")],
    out: Annotated[Path, typer.Option(help="Reports go to OUT/<dossier>/.")] = Path(DEFAULT_OUT),
    cases: Annotated[str | None, typer.Option(
        help="cases.csv with the case facts per dossier (default: INBOX/cases.csv when present; read again "
        "for each dossier, so rows added later count).")] = None,
    stable_seconds: Annotated[float, typer.Option(help="A folder is complete when unchanged this long "
                                                        "(or when it holds a READY or .complete file).")] = 5.0,
    poll_seconds: Annotated[float, typer.Option(help="Seconds between scans of the inbox.")] = 1.0,
    once: Annotated[bool, typer.Option(help="Process what is complete now, then exit.")] = False,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Evaluation date (default: the day of processing).")
    ] = None,
    profile: ProfileOption = "conservative",
    workers: Annotated[int, typer.Option(min=1, max=64, help="Pages processed in parallel.")] = default_workers(),
    cache: Annotated[str | None, typer.Option(help="Page cache folder or URL.")] = None,
    lang: LangOption = None,
    csv_sep: CsvSepOption = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log progress details.")] = False,
) -> None:
    """Check each dossier folder dropped into INBOX once it is complete; crash-safe (journal in OUT)."""
    from pipeline.watch import WatchedDossier, report_process
    from pipeline.watch import watch as watch_inbox

    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(message)s")
    try:
        options = RunOptions(as_of=_as_of(as_of), profile=profile, workers=workers, cache=cache)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    cases_file = Path(cases) if cases else inbox / "cases.csv"
    if cases and not cases_file.is_file():
        raise typer.BadParameter(f"--cases {cases}: no such file")

    def started(folder: Path) -> None:
        err.print(f"{shown(folder.name)}: checking…", highlight=False)

    def done(result: WatchedDossier) -> None:
        d = result.report
        line = (f"{shown(d.id)}: [{_VERDICT_STYLE[d.verdict]}]{d.verdict.value}[/] "
                f"({d.stats.get('pages', 0)} pages, {result.seconds:.1f} s) → {shown(str(result.target))}")
        if not d.case_given:
            line += f" [yellow](no case facts: no row in {shown(cases_file.name)})[/]"
        err.print(line, highlight=False)

    err.print(f"watching {shown(str(inbox))} → {shown(str(out))} (Ctrl-C to stop)", highlight=False)
    process = report_process(options, as_of_today=as_of is None, cases=cases_file if cases_file.is_file() or cases
                             else None, report_options=_report_options(lang, csv_sep),
                             on_start=started, on_done=done)
    result = watch_inbox(inbox, out, process=process, stable_seconds=stable_seconds, poll_seconds=poll_seconds,
                         once=once)
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
        err.print(f"[red]error:[/] {shown(exc)}")
        sys.exit(int(exc.exit_code))
    except (KeyboardInterrupt, typer.Abort):  # Ctrl-C outside the run itself (during it: pipeline.interrupt)
        err.print("\ninterrupted")
        sys.exit(int(ExitCode.INTERRUPTED))
    except (typer.TyperException, click.ClickException) as exc:  # bad option values, unknown commands
        message = exc.format_message() if isinstance(exc, click.ClickException) else str(exc)
        err.print(f"[red]error:[/] {shown(' '.join(message.split()))}", highlight=False)
        sys.exit(int(ExitCode.BAD_ARGS))
    except Exception as exc:  # a bug or a broken environment: one line, the traceback only with --verbose
        if {"-v", "--verbose"} & set(sys.argv):
            raise
        err.print(f"[red]internal error:[/] {shown(type(exc).__name__)}: {shown(exc)} (run again with --verbose "
                  "for details)")
        sys.exit(int(ExitCode.INTERNAL))
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
