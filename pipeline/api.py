"""The one public entry point of the core, and the one place where the order of the stages is written.

Per page, :data:`PAGE_STAGES` run top to bottom over one :class:`~pipeline.model.Page` and its pixels,
decoded once (:class:`~pipeline.work.PageWork`); per dossier, :data:`DOSSIER_STAGES` run over a
:class:`~pipeline.work.DossierWork`. :func:`run` is the only orchestration loop: the CLI runs it on
local threads, and the Prefect flow (``flows/check.py``) runs the very same loop with
:func:`process_page`, :func:`assemble_dossier` and intake as tasks. A new stage is a function added to
one of the two lists; neither the loop nor the flow changes.
"""

from __future__ import annotations

import collections
import concurrent.futures
import contextlib
import dataclasses
import functools
import logging
import time
from collections.abc import Collection, Iterator, Sequence
from pathlib import Path
from typing import Protocol

import validators
from pipeline import case as case_mod
from pipeline import interrupt
from pipeline.cache import PageCache, default_cache_dir, settings_digest
from pipeline.case import CaseFacts, Cases
from pipeline.context import RunContext, RunOptions
from pipeline.engines import ocr as ocr_engines
from pipeline.engines.ocr import OcrEngine
from pipeline.errors import ConfigError
from pipeline.model import FileStatus, Page, Rejection, RejectionCode
from pipeline.report import DossierReport, RunReport
from pipeline.stages import (
    classify,
    evidence,
    extract_dates,
    identity_capture,
    intake,
    link,
    mrz_zone,
    ocr,
    quality,
    review,
    rules,
)
from pipeline.stages.intake import DossierSource, Intake
from pipeline.work import DossierStage, DossierWork, PageStage, PageWork

log = logging.getLogger(__name__)

PAGE_STAGES: tuple[PageStage, ...] = (
    quality.check_image_quality,  # capture gate: phone photos and unusable scans are rejected, with metrics
    ocr.run_ocr,  # full-page text of accepted raster pages (text-layer pages keep their layer)
    mrz_zone.read_mrz_zone,  # the machine-readable zone, parsed once (rejected pages too: it names the type)
    identity_capture.check_identity_capture,  # identity pages: the whole MRZ inside, the printed data legible
    evidence.keep_evidence,  # thumbnail, grey view and MRZ crop for the report (cached with the page)
)
"""Per-page work, in order. Each stage: ``(Page, PageWork) -> Page``."""

DOSSIER_STAGES: tuple[DossierStage, ...] = (
    intake.settle_files,  # files whose pixels could not be decoded become errors
    classify.classify_documents,  # page types; pages grouped into documents
    review.apply_type_reviews,  # document types a person confirmed or corrected (review.json)
    extract_dates.extract_fields,  # MRZ fields, printed dates, issuing countries
    quality.check_identity_colour,  # identity documents copied in black and white
    link.link_documents,  # apostilles and translations to the documents they certify or translate
    review.apply_field_reviews,  # values a person confirmed or corrected replace what was read
    rules.evaluate_rules,  # the rule pack: findings
    evidence.cut_evidence,  # thumbnails, and the crop each field was read from
)
"""Per-dossier work, in order. Each stage: ``DossierWork -> DossierWork``."""

def default_engine(options: RunOptions) -> OcrEngine:
    """The production OCR engine for these options, shared by every page (it keeps its models loaded)."""
    return _shared_engine(options.ocr_timeout_s)


def prepare_engine(options: RunOptions) -> OcrEngine:
    """The production engine with the full-page OCR model loaded for ``options.workers`` pages at once."""
    engine = default_engine(options)
    engine.prepare(options.ocr_langs, ocr.PAGE_PSM, options.workers)
    return engine


@functools.cache
def _shared_engine(timeout_s: float) -> OcrEngine:
    return ocr_engines.default_engine(timeout_s=timeout_s)


def load_cases(root: Path, sources: Sequence[DossierSource], options: RunOptions) -> Cases:
    """Case facts per dossier (see :func:`pipeline.case.load_cases`); a bad row belongs to its dossier.

    Raises:
        ConfigError: the cases file as a whole is missing or unusable.
    """
    return case_mod.load_cases(root, {s.id: s.path for s in sources if not s.problem}, options.as_of, options.cases)


def without_case_facts(sources: Sequence[DossierSource], cases: Cases) -> list[str]:
    """Ids of the readable dossiers that no ``cases.csv`` row and no ``case.toml`` describes."""
    return [s.id for s in sources if not s.problem and s.id not in cases.facts and not cases.problem(s.id)]


def open_cache(options: RunOptions, engine: OcrEngine) -> PageCache | None:
    """The page cache for these options (pruned of long-unused entries once a day), or None when off."""
    if options.cache == "off":
        return None
    location = options.cache or default_cache_dir()
    try:
        cache = PageCache(location, settings_digest(options, engine.name))
        cache.prune_if_due()
    except OSError as exc:  # a cache saves time; it never stops a run
        log.warning("page cache %s cannot be used (%s): running without it", location, exc.strerror or exc)
        return None
    return cache


def process_page(page: Page, ctx: RunContext, engine: OcrEngine, cache: PageCache | None = None) -> Page:
    """All per-page work (:data:`PAGE_STAGES`) on pixels decoded once; answered from the cache when unchanged."""
    if cache is not None and (hit := cache.get(page)) is not None:
        return hit
    work = PageWork.of(page, ctx, engine)
    seconds: dict[str, float] = {}
    done = page
    try:
        for stage in PAGE_STAGES:
            started = time.perf_counter()
            done = stage(done, work)
            seconds[stage.__name__] = round(time.perf_counter() - started, 4)
    except Exception as exc:  # noqa: BLE001 - one page never takes down its dossier or the batch
        return _unprocessed(page, exc)
    # A stage may add its own parts' times (``mrz_cpu.ocr``): kept beside the stage totals.
    done = dataclasses.replace(done, seconds={**done.seconds, **seconds})
    if cache is not None and not done.ocr_timed_out:  # the next run tries again
        cache.put(done)
    return done


def _unprocessed(page: Page, exc: Exception) -> Page:
    """A page a stage failed on: ``unreadable`` (its file becomes an ``error``), not cached, so it is retried."""
    log.warning("a page could not be processed (%s); its file is reported as an error", type(exc).__name__)
    log.debug("page %s failed", page.ref, exc_info=True)
    error = f"this page could not be processed ({type(exc).__name__}: {exc})"[:200]
    rejection = Rejection(RejectionCode.UNREADABLE, "This page could not be processed.", {"error": error})
    return dataclasses.replace(page, rejections=(*page.rejections, rejection))


def remember_files(cache: PageCache | None, pages: Sequence[Page]) -> None:
    """Record each file's newly processed pages as a whole, so an unchanged file is not even decoded again.

    A file with a page whose OCR timed out is not recorded: the next run reads it again.
    """
    if cache is None:
        return
    by_content: dict[str, dict[str, list[Page]]] = {}
    for page in pages:  # identical files under several names: the pages of one of them, not of all
        by_content.setdefault(page.sha256, {}).setdefault(page.file, []).append(page)
    for copies in by_content.values():
        file_pages = next(iter(copies.values()))
        if not any(p.ocr_timed_out for p in file_pages):
            cache.put_file(sorted(file_pages, key=lambda p: p.number))


def assemble_dossier(
    source: DossierSource, found: Intake, pages: Sequence[Page], case: CaseFacts | None, options: RunOptions,
    seconds: float = 0.0,
) -> DossierReport:
    """Documents, findings and verdict of one dossier from its processed pages (:data:`DOSSIER_STAGES`).

    ``case`` is None when no case file describes the dossier: defaults are used and the report says so.
    Never raises: a dossier whose folder could not be read, or that a stage failed on, is reported
    unreadable (its files still listed) and the batch goes on.
    """
    if found.problem:
        return DossierReport.unreadable(source.id, found.problem, files=found.files)
    work = DossierWork(source.id, options, (case or CaseFacts()).with_defaults(options.as_of), found.files,
                       tuple(pages), folder=str(source.path.resolve()), case_given=case is not None,
                       review=found.review, review_error=found.review_error)
    spent: dict[str, float] = collections.defaultdict(float)
    spent["ingest_dossier"] = found.seconds
    for page in pages:
        for name, value in page.seconds.items():
            spent[name] += value
    try:
        for stage in DOSSIER_STAGES:
            started = time.perf_counter()
            work = stage(work)
            spent[stage.__name__] += time.perf_counter() - started
    except Exception as exc:  # noqa: BLE001 - one dossier never takes down the batch
        log.warning("a dossier could not be checked (%s)", type(exc).__name__)
        log.debug("dossier %s failed", source.id, exc_info=True)
        return DossierReport.unreadable(
            source.id, f"internal error while checking it ({type(exc).__name__}: {exc})"[:300], files=found.files)
    return report_of(work, seconds, {name: round(value, 3) for name, value in spent.items()})


def report_of(work: DossierWork, seconds: float = 0.0, stage_seconds: dict[str, float] | None = None) -> DossierReport:
    """The report of a dossier that went through every dossier stage."""
    stats = {
        "files": len(work.files),
        "pages": len(work.pages),
        "pages_rejected": sum(not p.accepted for p in work.pages),
        "pages_text_layer": sum(p.has_text_layer for p in work.pages),
        "files_not_processed": sum(f.status != FileStatus.PROCESSED for f in work.files),
        "seconds": round(seconds, 2),
        "stage_seconds": stage_seconds or {},
    }
    return DossierReport(
        id=work.id,
        verdict=validators.verdict(work.findings),
        ready_until=validators.ready_until(work.findings),
        case=work.case,
        findings=work.findings,
        documents=work.documents,
        files=work.files,
        stats=stats,
        case_given=work.case_given,
        folder=work.folder,
        evidence=work.evidence,
        reviewer=work.review.reviewer if work.review is not None else "",
        review_notes=work.review_notes,
    )


class RunProgress(Protocol):
    """What a progress display learns from :func:`run` (the CLI's bar or its lines)."""

    def planned(self, dossiers: int, pages: int | None, cached: int) -> None:
        """Every dossier is read: ``pages`` to process (None: read elsewhere), ``cached`` from the page cache."""

    def page_done(self, page: Page) -> None:
        """One page went through every page stage."""

    def dossier_done(self, report: DossierReport) -> None:
        """One dossier is assembled (in batch order)."""


class PageFuture(Protocol):
    """A page being processed somewhere (a thread, a Prefect task, a Dask worker)."""

    def result(self) -> Page:
        """Wait for the processed page."""


class Runner(Protocol):
    """Where :func:`run` has the work done: local threads, or Prefect tasks (``flows/check.py``)."""

    def ingest(self, source: DossierSource, ctx: RunContext, cache: PageCache | None) -> Intake:
        """Type every file of one dossier and split it into pages."""

    def submit_page(self, page: Page, ctx: RunContext, cache: PageCache | None) -> PageFuture:
        """Start :func:`process_page` on one page."""

    def assemble(
        self, source: DossierSource, found: Intake, pages: list[Page], case: CaseFacts | None, options: RunOptions,
        seconds: float,
    ) -> DossierReport:
        """Run :func:`assemble_dossier`."""


class LocalRunner:
    """The core's runner: pages on a bounded pool of threads (tesseract releases the GIL)."""

    def __init__(self, engine: OcrEngine, workers: int) -> None:
        self.engine = engine
        self.pool = concurrent.futures.ThreadPoolExecutor(max_workers=workers, thread_name_prefix="dossier-page")

    def ingest(self, source: DossierSource, ctx: RunContext, cache: PageCache | None) -> Intake:
        """Intake in the calling thread."""
        return intake.ingest_dossier(source, ctx, cache)

    def submit_page(self, page: Page, ctx: RunContext, cache: PageCache | None) -> PageFuture:
        """One page on the pool."""
        return self.pool.submit(process_page, page, ctx, self.engine, cache)

    def assemble(
        self, source: DossierSource, found: Intake, pages: list[Page], case: CaseFacts | None, options: RunOptions,
        seconds: float,
    ) -> DossierReport:
        """Assembly in the calling thread."""
        return assemble_dossier(source, found, pages, case, options, seconds)

    def close(self) -> None:
        """Wait for running pages, drop queued ones."""
        self.pool.shutdown(wait=True, cancel_futures=True)


def run(
    path: Path,
    options: RunOptions,
    *,
    engine: OcrEngine | None = None,
    work_dir: Path | None = None,
    progress: RunProgress | None = None,
    runner: Runner | None = None,
    only: Collection[str] | None = None,
    cases: Cases | None = None,
) -> RunReport:
    """Check one dossier or a batch folder, with ``options.workers`` pages in parallel.

    Every dossier is read first (file types, page counts, the page cache: cheap, no pixel is
    decoded), so the amount of work is known; each dossier's pages go to the workers as soon as
    it is read, and dossiers are assembled in order as their pages come back. Pages of unchanged
    files come processed from the page cache at intake and are not handed to any worker.

    Args:
        path: A dossier folder or a batch of dossier folders.
        options: Run options (evaluation date, profile, limits).
        engine: OCR engine (tesseract by default).
        work_dir: Folder for intermediate files (a temporary one by default).
        progress: Told how much work there is and what is done (progress display).
        runner: Where the work runs (default: :class:`LocalRunner` threads; the flow passes Prefect tasks).
        only: Check only these dossiers of the batch (one part of a batch split over machines); the
            case file is still checked against the whole batch.
        cases: Case facts by dossier id (and rows that cannot be used), instead of
            the batch's case files (the watch folder reads its ``cases.csv`` itself); a dossier
            without an entry keeps its ``case.toml``.

    Raises:
        DossierError: the input path or a case file is unusable (content problems never raise).
    """
    engine = engine or default_engine(options)
    started_run = time.monotonic()
    survey = intake.survey(path, frozenset(Path(p) for p in options.exclude), one_dossier=options.one_dossier)
    sources = survey.sources
    if cases is None:
        known = load_cases(path, sources, options)
    else:  # given rows first; a dossier without one still has its own case.toml
        own = load_cases(path, sources, options.model_copy(update={"cases": None}))
        cases = cases.screened(options.as_of)  # the date checks the case files get (load_cases)
        mentioned = set(cases.facts) | set(cases.problems)
        known = Cases(
            {**{k: v for k, v in own.facts.items() if k not in mentioned}, **cases.facts},
            {**{k: v for k, v in own.problems.items() if k not in mentioned}, **cases.problems},
            own.stray,
        )
    if only is not None:
        sources = tuple(s for s in sources if s.id in only)
    reports: list[DossierReport] = []
    with _runner_and_workspace(runner, engine, options, work_dir) as (active, ctx):
        cache = open_cache(options, engine)
        queued: list[tuple[DossierSource, Intake, list[PageFuture], float]] = []
        for source in sources:
            started = time.monotonic()
            found = active.ingest(source, ctx, cache)
            queued.append((source, found, [active.submit_page(p, ctx, cache) for p in found.pages], started))
        if progress is not None:
            progress.planned(len(queued), sum(len(q[1].pages) for q in queued), sum(len(q[1].cached) for q in queued))
        for source, found, futures, started in queued:
            processed = []
            for future in futures:
                processed.append(future.result())
                if progress is not None:
                    progress.page_done(processed[-1])
            remember_files(cache, processed)
            pages = found.in_order(processed)
            report = active.assemble(source, found, pages, known.facts.get(source.id), options,
                                     time.monotonic() - started)
            if problem := known.problem(source.id):  # no verdict on facts that could not be read
                report = DossierReport.unreadable(source.id, problem, documents=report.documents, files=report.files)
            reports.append(report)
            if progress is not None:
                progress.dossier_done(reports[-1])
    total = round(time.monotonic() - started_run, 2)
    for report in reports:
        report.stats["run_seconds"] = total
    return RunReport(as_of=options.as_of, profile=options.profile, dossiers=tuple(reports),
                     batch_files=survey.loose, case_problems=known.stray)


@contextlib.contextmanager
def _runner_and_workspace(
    runner: Runner | None, engine: OcrEngine, options: RunOptions, work_dir: Path | None
) -> Iterator[tuple[Runner, RunContext]]:
    with interrupt.scratch_dir() as tmp:
        ctx = RunContext(options, work_dir or tmp)
        if runner is not None:
            yield runner, ctx
            return
        local = LocalRunner(engine, options.workers)
        try:
            yield local, ctx
        finally:
            local.close()


def run_dossier(path: Path, options: RunOptions, *, engine: OcrEngine | None = None) -> DossierReport:
    """Check a single dossier folder (convenience wrapper of :func:`run`)."""
    report = run(path, options, engine=engine)
    if len(report.dossiers) != 1:
        raise ConfigError(f"{path} holds {len(report.dossiers)} dossiers; use run() for a batch")
    return report.dossiers[0]
