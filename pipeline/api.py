"""The one public entry point of the core: check dossiers without Prefect.

The stage order reads top to bottom: per page ``check_image_quality`` → ``run_ocr`` →
``read_mrz_zone``; per dossier ``build_documents`` (classify, group, extract fields) → ``evaluate``.
``flows/`` runs the very same functions as Prefect tasks.
"""

from __future__ import annotations

import collections
import concurrent.futures
import dataclasses
import datetime as dt
import functools
import logging
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import validators
from pipeline import case as case_mod
from pipeline import interrupt, mrz
from pipeline.cache import PageCache, default_cache_dir, settings_digest
from pipeline.case import CaseFacts, Cases
from pipeline.context import RunContext, RunOptions
from pipeline.engines import ocr as ocr_engines
from pipeline.engines.ocr import OcrEngine
from pipeline.errors import ConfigError, InputFileError
from pipeline.model import DocType, Document, Field, FileStatus, Page
from pipeline.report import DossierReport, RunReport
from pipeline.stages import classify, extract_dates, intake, mrz_zone, ocr, quality
from pipeline.stages.intake import DossierSource, Intake

log = logging.getLogger(__name__)

IDENTITY_TYPES = frozenset({DocType.PASSPORT, DocType.ID_CARD, DocType.RESIDENCE_CARD})
"""Documents whose copy must be in colour and that carry an MRZ."""
PUBLIC_DOCUMENT_TYPES = frozenset({
    DocType.CRIMINAL_RECORD, DocType.BIRTH_CERTIFICATE, DocType.MARRIAGE_CERTIFICATE, DocType.MEDICAL_CERTIFICATE,
})
"""Documents whose issuing state decides authentication (apostille) and criminal-record coverage."""
HEADING_LINES = 5
DOSSIER_LOOKAHEAD = 2
"""Dossiers ingested and queued ahead of the one being assembled."""


def default_engine(options: RunOptions) -> OcrEngine:
    """The production OCR engine for these options, shared by every page (it keeps its models loaded)."""
    return _shared_engine(options.ocr_timeout_s)


@functools.cache
def _shared_engine(timeout_s: float) -> OcrEngine:
    return ocr_engines.default_engine(timeout_s=timeout_s)


def load_cases(root: Path, sources: Sequence[DossierSource], options: RunOptions) -> Cases:
    """Case facts per dossier (see :func:`pipeline.case.load_cases`); a bad row belongs to its dossier.

    Raises:
        ConfigError: the cases file as a whole is missing or unusable.
    """
    return case_mod.load_cases(root, {s.id: s.path for s in sources if not s.problem}, options.as_of, options.cases)


def open_cache(options: RunOptions, engine: OcrEngine) -> PageCache | None:
    """The page cache for these options (pruned of old entries once a day), or None when caching is off."""
    if options.cache == "off":
        return None
    cache = PageCache(options.cache or default_cache_dir(), settings_digest(options, engine.name))
    cache.prune_if_due()
    return cache


def process_page(page: Page, ctx: RunContext, engine: OcrEngine, cache: PageCache | None = None) -> Page:
    """All per-page work: quality gate, OCR, MRZ (rejected pages get no OCR); cached by content."""
    if cache is not None and (hit := cache.get(page)) is not None:
        return hit
    done = mrz_zone.read_mrz_zone(ocr.run_ocr(quality.check_image_quality(page), ctx, engine), ctx)
    if cache is not None:
        cache.put(done)
    return done


def remember_files(cache: PageCache | None, pages: Sequence[Page]) -> None:
    """Record each file's processed pages as a whole, so an unchanged file is not even decoded again."""
    if cache is None:
        return
    by_file: dict[str, list[Page]] = {}
    for page in pages:
        by_file.setdefault(page.sha256, []).append(page)
    for file_pages in by_file.values():
        cache.put_file(sorted(file_pages, key=lambda p: p.number))


def _mrz_fields(page: Page, as_of: dt.date) -> dict[str, Field]:
    """Fields from the page's MRZ; a read whose check digits fail is kept but marked unsure."""
    result = mrz.parse_mrz("\n".join(page.mrz_lines), today=as_of)
    confidence = page.mrz_confidence if result.valid else min(page.mrz_confidence, 0.3)

    def field(value: object, raw: str = "") -> Field:
        return Field(value=value, confidence=confidence, source="mrz", page=page.number,  # type: ignore[arg-type]
                     bbox=page.mrz_bbox, raw=raw)

    fields = {"has_mrz": Field(True, 1.0, "mrz", page.number, page.mrz_bbox),
              "mrz_valid": Field(result.valid, 1.0, "mrz", page.number, page.mrz_bbox)}
    for name in ("expiry_date", "birth_date", "document_number", "nationality", "issuer"):
        value = getattr(result, name, None)
        if value:
            fields[name] = field(value)
    return fields


def extract_fields(document: Document, pages: Sequence[Page], as_of: dt.date) -> Document:
    """Fill a document's fields: MRZ first, printed dates next, cross-checked where both exist."""
    fields: dict[str, Field] = {}
    if document.type in IDENTITY_TYPES:
        for page in pages:
            if page.mrz_lines:
                fields.update(_mrz_fields(page, as_of))
                break
    country = fields["issuer"].value if "issuer" in fields else None
    printed = extract_dates.extract_date_fields(document.type, pages, country=country, reference=as_of)  # type: ignore[arg-type]
    for name, value in printed.items():
        if name not in fields:
            fields[name] = value
        elif name == "expiry_date" and fields[name].value != value.value:
            # MRZ and visual zone disagree: keep both visible; the MRZ/VIZ rule decides.
            fields["expiry_date_viz"] = value
    if document.type in PUBLIC_DOCUMENT_TYPES and "issuing_country" not in fields:
        heading = _heading_country(pages)
        if heading is not None:
            fields["issuing_country"] = heading
    rejections = document.rejections
    if document.type in IDENTITY_TYPES:
        rejections = rejections + tuple(quality.greyscale_document(pages)[:1])
    return dataclasses.replace(document, fields=fields, rejections=rejections)


def _heading_country(pages: Sequence[Page]) -> Field | None:
    """The issuing state named in a certificate's heading ("ROYAUME DU MAROC", "Republic of India").

    Only the first lines count: the body names the holder's birthplace and nationality too.
    """
    if not pages:
        return None
    lines = [line for line in pages[0].text.splitlines() if line.strip()][:HEADING_LINES]
    for line in lines:
        code = extract_dates.country_code(line)
        if code is not None:
            return Field(code, 0.7, "text" if pages[0].has_text_layer else "ocr", pages[0].number, raw=line.strip())
    return None


def _link_apostilles(documents: list[Document]) -> list[Document]:
    """A certificate followed by its apostille in the same file takes the apostille's field 1 as
    issuing country when its own heading did not name one (Hague model certificate, field 1)."""
    linked = list(documents)
    for index, doc in enumerate(linked):
        if doc.type != DocType.APOSTILLE or "issuing_country" not in doc.fields:
            continue
        for back in range(index - 1, -1, -1):
            target = linked[back]
            if target.file != doc.file or target.type in (DocType.APOSTILLE, DocType.TRANSLATION):
                continue
            if target.type in PUBLIC_DOCUMENT_TYPES and "issuing_country" not in target.fields:
                country = dataclasses.replace(doc.fields["issuing_country"], confidence=0.8)
                linked[back] = dataclasses.replace(target, fields={**target.fields, "issuing_country": country})
            break
    return linked


def build_documents(pages: Sequence[Page], as_of: dt.date) -> list[Document]:
    """Classify pages and group each file's pages into documents with their fields."""
    documents: list[Document] = []
    by_file: dict[str, list[Page]] = {}
    for page in pages:
        by_file.setdefault(page.file, []).append(page)
    for file_pages in by_file.values():
        classes = [classify.classify_page(p, has_mrz=bool(p.mrz_lines)) for p in file_pages]
        for document in classify.group_documents(file_pages, classes):
            own = [p for p in file_pages if p.number in document.pages]
            documents.append(extract_fields(document, own, as_of))
    return _link_apostilles(documents)


def assemble_dossier(
    source: DossierSource, found: Intake, pages: Sequence[Page], case: CaseFacts, options: RunOptions,
    seconds: float = 0.0,
) -> DossierReport:
    """Documents, findings and verdict of one dossier from its processed pages."""
    case = case.with_defaults(options.as_of)
    documents = build_documents(pages, options.as_of)
    findings = validators.evaluate(documents, case, as_of=options.as_of, profile=options.profile)
    stats = {
        "files": len(found.files),
        "pages": len(pages),
        "pages_rejected": sum(not p.accepted for p in pages),
        "pages_text_layer": sum(p.has_text_layer for p in pages),
        "files_not_processed": sum(f.status != FileStatus.PROCESSED for f in found.files),
        "seconds": round(seconds, 2),
    }
    return DossierReport(
        id=source.id,
        verdict=validators.verdict(findings),
        ready_until=validators.ready_until(findings),
        case=case,
        findings=tuple(findings),
        documents=tuple(documents),
        files=found.files,
        stats=stats,
    )


def run(
    path: Path,
    options: RunOptions,
    *,
    engine: OcrEngine | None = None,
    work_dir: Path | None = None,
    on_page: Callable[[Page], None] | None = None,
) -> RunReport:
    """Check one dossier or a batch folder, with ``options.workers`` pages in parallel.

    Args:
        path: A dossier folder or a batch of dossier folders.
        options: Run options (evaluation date, profile, limits).
        engine: OCR engine (tesseract by default).
        work_dir: Folder for intermediate page images (a temporary one by default).
        on_page: Called after each page is processed (progress display).

    Raises:
        DossierError: the input path or a case file is unusable (content problems never raise).
    """
    engine = engine or default_engine(options)
    survey = intake.survey(path, frozenset(Path(p) for p in options.exclude))
    sources = survey.sources
    cases = load_cases(path, sources, options)
    reports: list[DossierReport] = []
    with interrupt.scratch_dir() as tmp:
        ctx = RunContext(options, work_dir or Path(tmp))
        cache = open_cache(options, engine)
        # The next dossiers are ingested while the workers still read the pages of earlier ones,
        # so no worker idles at a dossier boundary; the look-ahead bounds what is held in memory.
        pending: collections.deque[tuple[DossierSource, Intake | str, list[concurrent.futures.Future[Page]], float]]
        pending = collections.deque()

        def finish_oldest() -> None:
            source, found, futures, started = pending.popleft()
            if isinstance(found, str):  # the folder itself could not be read
                reports.append(DossierReport.unreadable(source.id, found))
                return
            pages = []
            for future in futures:
                pages.append(future.result())
                if on_page is not None:
                    on_page(pages[-1])
            remember_files(cache, pages)
            reports.append(assemble_or_report(source, found, pages, cases, options, time.monotonic() - started))

        with concurrent.futures.ThreadPoolExecutor(max_workers=options.workers) as pool:
            for source in sources:
                started = time.monotonic()
                try:
                    found: Intake | str = source.problem or intake.ingest_dossier(source, ctx, cache)
                except InputFileError as exc:
                    found = str(exc)
                futures = [] if isinstance(found, str) else \
                    [pool.submit(process_page, page, ctx, engine, cache) for page in found.pages]
                pending.append((source, found, futures, started))
                while len(pending) > DOSSIER_LOOKAHEAD:
                    finish_oldest()
            while pending:
                finish_oldest()
    return RunReport(as_of=options.as_of, profile=options.profile, dossiers=tuple(reports),
                     batch_files=survey.loose, case_problems=cases.stray)


def assemble_or_report(
    source: DossierSource, found: Intake, pages: Sequence[Page], cases: Cases, options: RunOptions, seconds: float,
) -> DossierReport:
    """The dossier's report; an unreadable one (files still listed) when its case facts are unusable."""
    problem = cases.problem(source.id)
    if problem:
        return DossierReport.unreadable(source.id, problem, files=found.files)
    return assemble_dossier(source, found, pages, cases.get(source.id), options, seconds)


def run_dossier(path: Path, options: RunOptions, *, engine: OcrEngine | None = None) -> DossierReport:
    """Check a single dossier folder (convenience wrapper of :func:`run`)."""
    report = run(path, options, engine=engine)
    if len(report.dossiers) != 1:
        raise ConfigError(f"{path} holds {len(report.dossiers)} dossiers; use run() for a batch")
    return report.dossiers[0]
