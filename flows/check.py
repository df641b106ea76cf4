"""The ``dossier check`` flow: the core's stages as Prefect tasks, mapped over pages and dossiers."""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pydantic

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("OMP_THREAD_LIMIT", "1")

from prefect import flow, task  # noqa: E402 - the environment above must be set first
from prefect.cache_policies import NO_CACHE  # noqa: E402
from prefect.futures import as_completed  # noqa: E402
from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner  # noqa: E402

from pipeline import api, interrupt  # noqa: E402
from pipeline.cache import PageCache  # noqa: E402
from pipeline.case import Cases  # noqa: E402
from pipeline.context import RunContext, RunOptions  # noqa: E402
from pipeline.errors import InputFileError  # noqa: E402
from pipeline.model import Page  # noqa: E402
from pipeline.report import DossierReport, RunReport  # noqa: E402
from pipeline.stages import intake  # noqa: E402
from pipeline.stages.intake import DossierSource, Intake  # noqa: E402

_progress: Callable[[Page], None] | None = None
"""Set by the CLI for its progress bar; called from the flow thread only (no lock: a lock in the
module's globals would stop Dask from pickling the flow function)."""


class CheckParams(pydantic.BaseModel):
    """Parameters of one run (pydantic at the boundary, as Prefect shows them)."""

    path: str
    options: RunOptions = pydantic.Field(default_factory=RunOptions)


# Content hashing and our own page cache make Prefect's input cache redundant (and hashing
# page objects per task costs time), hence NO_CACHE. OCR and rules are deterministic: no retries.
@task(cache_policy=NO_CACHE)
def ingest(source: DossierSource, ctx: RunContext, cache: PageCache | None) -> Intake | str:
    """Type every file of one dossier and split it into pages (unchanged files come from the cache);
    why not, when the folder cannot be read."""
    try:
        return source.problem or intake.ingest_dossier(source, ctx, cache)
    except InputFileError as exc:
        return str(exc)


@task(cache_policy=NO_CACHE)
def process_page(page: Page, ctx: RunContext, cache: PageCache | None) -> Page:
    """Quality gate, MRZ and OCR of one page (answered from the content-hash cache when unchanged)."""
    return api.process_page(page, ctx, api.default_engine(ctx.options), cache)


@task(cache_policy=NO_CACHE)
def assemble(
    source: DossierSource, found: Intake, pages: list[Page], cases: Cases, options: RunOptions, seconds: float
) -> DossierReport:
    """Classify, extract and validate one dossier."""
    return api.assemble_or_report(source, found, pages, cases, options, seconds)


@flow(name="dossier-check", log_prints=False, validate_parameters=True)
def check(params: CheckParams) -> RunReport:
    """Check one dossier or a batch folder and return the run report."""
    root = Path(params.path)
    options = params.options
    survey = intake.survey(root, frozenset(Path(p) for p in options.exclude))
    sources = list(survey.sources)
    cases = api.load_cases(root, sources, options)
    started = time.monotonic()
    with interrupt.scratch_dir() as tmp:
        ctx = RunContext(options, Path(tmp))
        cache = api.open_cache(options, api.default_engine(options))
        intakes = ingest.map(sources, ctx=ctx, cache=cache).result()
        futures = {}
        for source, found in zip(sources, intakes, strict=True):
            futures[source.id] = [] if isinstance(found, str) else \
                [process_page.submit(p, ctx, cache) for p in found.pages]
        every = [f for fs in futures.values() for f in fs]
        for done in as_completed(every):
            if _progress is not None:
                _progress(done.result())
        reports: list[Any] = []
        for source, found in zip(sources, intakes, strict=True):
            if isinstance(found, str):
                reports.append(DossierReport.unreadable(source.id, found))
                continue
            pages = [f.result() for f in futures[source.id]]
            api.remember_files(cache, pages)
            reports.append(assemble.submit(source, found, pages, cases, options, 0.0))
        dossiers = tuple(r if isinstance(r, DossierReport) else r.result() for r in reports)
    total = time.monotonic() - started
    for report in dossiers:
        report.stats["run_seconds"] = round(total, 2)
    return RunReport(as_of=options.as_of, profile=options.profile, dossiers=dossiers,
                     batch_files=survey.loose, case_problems=cases.stray)


def task_runner(workers: int, dask: str | None = None) -> TaskRunner[Any]:
    """Threads on this machine (tesseract runs in its own processes), or an existing Dask cluster.

    Args:
        workers: Threads when running locally (bounded: OCR is CPU-bound).
        dask: Address of a Dask scheduler (``tcp://host:8786``); its workers must see the dossier
            folder and the work folder at the same paths (shared storage), or read from ``s3://``.
    """
    if dask:
        from prefect_dask import DaskTaskRunner

        return DaskTaskRunner(address=dask)
    return ThreadPoolTaskRunner(max_workers=workers)


def run_check(
    path: str, options: RunOptions, *, on_page: Callable[[Page], None] | None = None, dask: str | None = None
) -> RunReport:
    """Run the flow with ``options.workers`` threads, or on the Dask cluster at ``dask``."""
    global _progress
    _progress = on_page
    try:
        flow_with_runner = check.with_options(task_runner=task_runner(options.workers, dask))
        return flow_with_runner(CheckParams(path=path, options=options))
    finally:
        _progress = None


if __name__ == "__main__":
    import sys

    print(run_check(sys.argv[1], RunOptions(as_of=dt.date.today())).summary())
