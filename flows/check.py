"""The ``dossier check`` flow: the core's stages as Prefect tasks, mapped over pages and dossiers."""

from __future__ import annotations

import contextvars
import datetime as dt
import os
from pathlib import Path
from typing import Any, Generic, TypeVar

import pydantic

from flows import server

server.quiet_prefect()  # before Prefect is imported: its first-run telemetry banner looks at DO_NOT_TRACK
os.environ.setdefault("OMP_THREAD_LIMIT", "1")

from prefect import flow, task  # noqa: E402 - the environment above must be set first
from prefect.cache_policies import NO_CACHE  # noqa: E402
from prefect.settings import PREFECT_API_URL, PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings  # noqa: E402
from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner  # noqa: E402

from pipeline import api  # noqa: E402
from pipeline.cache import PageCache  # noqa: E402
from pipeline.case import CaseFacts  # noqa: E402
from pipeline.context import RunContext, RunOptions  # noqa: E402
from pipeline.model import Page  # noqa: E402
from pipeline.report import DossierReport, RunReport  # noqa: E402
from pipeline.stages import intake  # noqa: E402
from pipeline.stages.intake import DossierSource, Intake  # noqa: E402

_PROGRESS: contextvars.ContextVar[api.RunProgress | None] = contextvars.ContextVar("progress", default=None)
"""Set by :func:`run_check` for the CLI's progress display; read by the flow body, in the caller's context."""


def progress_display() -> api.RunProgress | None:
    """The caller's progress display, if any.

    The flow body calls this function rather than reading the context variable: Dask pickles the
    flow's function by value with the globals it names, and a context variable cannot be pickled.
    """
    return _PROGRESS.get()


class CheckParams(pydantic.BaseModel):
    """Parameters of one run (pydantic at the boundary, as Prefect shows them)."""

    path: str
    options: RunOptions = pydantic.Field(default_factory=RunOptions)


T = TypeVar("T")


class Sealed(Generic[T]):
    """A task argument that Prefect hands over without walking through it.

    Prefect visits every value inside a task's arguments looking for futures: for a dossier's
    pages (every OCR'd word a dataclass) that was ~50 ms of CPU per task, most of a cached run.
    Prefect's own ``quote`` does the same, but it is a tuple, and Dask rebuilds tuples as plain
    ones on the way to its workers; this is neither a collection nor a dataclass.
    """

    __slots__ = ("value",)

    def __init__(self, value: T) -> None:
        self.value = value

    def __reduce__(self) -> tuple[type[Sealed[T]], tuple[T]]:
        return (Sealed, (self.value,))


# The task functions are plain module functions wrapped below, so that Dask workers can unpickle
# them by reference (a decorated function's name would resolve to the Task, not the function).
def ingest_dossier(source: DossierSource, ctx: RunContext, cache: Sealed[PageCache | None]) -> Intake:
    """Type every file of one dossier and split it into pages (unchanged files come from the cache)."""
    return intake.ingest_dossier(source, ctx, cache.value)


def process_page(page: Sealed[Page], ctx: RunContext, cache: Sealed[PageCache | None]) -> Page:
    """Every page stage of one page (answered from the content-hash cache when unchanged)."""
    return api.process_page(page.value, ctx, api.default_engine(ctx.options), cache.value)


def assemble_dossier(
    source: DossierSource, found: Sealed[Intake], pages: Sealed[list[Page]], case: CaseFacts | None,
    options: RunOptions,
    seconds: float,
) -> DossierReport:
    """Every dossier stage of one dossier: documents, fields, findings, verdict."""
    return api.assemble_dossier(source, found.value, pages.value, case, options, seconds)


# Content hashing and our own page cache make Prefect's input cache redundant (and hashing
# page objects per task costs time), hence NO_CACHE. OCR and rules are deterministic: no retries.
ingest_task = task(name="ingest", cache_policy=NO_CACHE)(ingest_dossier)
process_page_task = task(name="process-page", cache_policy=NO_CACHE)(process_page)
assemble_task = task(name="assemble", cache_policy=NO_CACHE)(assemble_dossier)


class PrefectRunner:
    """The core's run loop with each unit of work as a Prefect task (on the flow's task runner).

    Pages, intakes and the cache are passed :class:`Sealed`.
    """

    def ingest(self, source: DossierSource, ctx: RunContext, cache: PageCache | None) -> Intake:
        """Intake of one dossier as a task."""
        return ingest_task(source, ctx, Sealed(cache))

    def submit_page(self, page: Page, ctx: RunContext, cache: PageCache | None) -> api.PageFuture:
        """One page as a task on the task runner (threads or Dask workers)."""
        return process_page_task.submit(Sealed(page), ctx, Sealed(cache))

    def assemble(
        self, source: DossierSource, found: Intake, pages: list[Page], case: CaseFacts | None, options: RunOptions,
        seconds: float,
    ) -> DossierReport:
        """Assembly of one dossier as a task."""
        return assemble_task(source, Sealed(found), Sealed(pages), case, options, seconds)


@flow(name="dossier-check", log_prints=False, validate_parameters=True)
def check(params: CheckParams) -> RunReport:
    """Check one dossier or a batch folder and return the run report (the core's loop, as tasks)."""
    return api.run(Path(params.path), params.options, runner=PrefectRunner(), progress=progress_display())


def absolute(options: RunOptions) -> RunOptions:
    """The options with a local cache folder and case file given as absolute paths."""
    update = {key: str(Path(value).absolute()) for key in ("cache", "cases")
              if (value := getattr(options, key)) and value != "off" and "://" not in value}
    return options.model_copy(update=update) if update else options


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
    path: str, options: RunOptions, *, progress: api.RunProgress | None = None, dask: str | None = None,
    pool: str | None = None,
) -> RunReport:
    """Run the flow with ``options.workers`` threads, on the Dask cluster at ``dask``, or on a work pool.

    With ``pool``, the batch is split into parts run by the workers of that Prefect work pool
    (:mod:`flows.pool`).

    Local paths are made absolute first: tasks may run in other processes, in other folders.

    Raises:
        ServerError: the API is the local server (:mod:`flows.server`) and it did not start.
    """
    server.wait_if_local(PREFECT_API_URL.value())
    token = _PROGRESS.set(progress)
    try:
        params = CheckParams(path=str(Path(path).absolute()), options=absolute(options))
        if pool:
            from flows.pool import run_on_pool

            return run_on_pool(params, pool)
        # No flow-run heartbeats: they tell a server about runs on remote workers that died; this run
        # is watched by its terminal, and ending its heartbeat thread costs up to 1 s (it sleeps in 1 s steps).
        with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
            return check.with_options(task_runner=task_runner(options.workers, dask))(params)
    finally:
        _PROGRESS.reset(token)


if __name__ == "__main__":
    import sys

    print(run_check(sys.argv[1], RunOptions(as_of=dt.date.today())).summary())
