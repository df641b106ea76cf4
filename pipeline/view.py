"""What the HTML report and the CSV show, in the report's language: one view per dossier and finding.

The template only lays these values out; every choice (order, counts, the first reason, which words)
is made here, where it is tested.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from pipeline.i18n import Translator
from pipeline.model import ActionKind, DocType, Document, Field, Finding, Severity, Status
from pipeline.report import UPCOMING_DAYS, DossierReport, RunReport
from pipeline.stages.review import BOOLEAN_FIELDS

UNSURE = 0.6
"""Values read with less confidence are marked "unsure" (the rules' default field-confidence bar)."""
_SEVERITY_ORDER = {Severity.BLOCKING: 0, Severity.WARNING: 1, Severity.INFO: 2}
_STATUS_ORDER = {Status.FAIL: 0, Status.NOT_EVALUABLE: 1, Status.PASS: 2}


@dataclasses.dataclass(frozen=True)
class Image:
    """An evidence image written next to the report (``src`` is relative to ``report.html``)."""

    src: str
    caption: str
    width: int = 0
    height: int = 0


@dataclasses.dataclass(frozen=True)
class SourceView:
    """A finding's source as a clerk reads it."""

    key: str
    title: str
    url: str | None


@dataclasses.dataclass(frozen=True)
class ReviewItem:
    """A value a person confirms or corrects (one input of the review form)."""

    document: str
    """``file#page`` of the document."""
    file: str
    sha256: str
    page: int | None
    doc_type: str
    field: str
    field_label: str
    read: str
    """The value as read (empty when nothing was read)."""
    confidence: float | None
    crop: Image | None
    input: str = "text"
    """How the form asks for a correction: ``date`` (a date picker), ``choice`` or ``text``."""
    choices: tuple[tuple[str, str], ...] = ()
    """(value, label) pairs of a ``choice`` input (document types)."""


@dataclasses.dataclass(frozen=True)
class FindingView:
    """One finding in the report's language."""

    finding: Finding
    title: str
    message: str
    message_translated: bool
    action: str
    action_translated: bool
    severity: str
    status: str
    kind: str
    kind_label: str
    source: SourceView
    crops: tuple[Image, ...]
    review: tuple[ReviewItem, ...]


@dataclasses.dataclass(frozen=True)
class FieldView:
    """A field of a document as shown in the documents table."""

    name: str
    label: str
    value: str
    unsure: bool
    crop: Image | None
    reviewed: str
    """"confirmed by ... on ..." when a person confirmed or corrected it."""
    raw: str = ""
    """The text the value was read from (shown when there is no crop: text-layer pages)."""


@dataclasses.dataclass(frozen=True)
class DocumentView:
    """A document with its page thumbnails, file link and dates."""

    document: Document
    type_label: str
    type_reviewed: str
    href: str | None
    thumbs: tuple[Image, ...]
    fields: tuple[FieldView, ...]
    rejections: tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class DossierView:
    """One dossier: overview row and detail section."""

    report: DossierReport
    anchor: str
    verdict: str
    ready_until: str
    days_left: int | None
    blocking: int
    warnings: int
    first_reason: str
    problems: tuple[FindingView, ...]
    passes: tuple[FindingView, ...]
    review: tuple[ReviewItem, ...]
    documents: tuple[DocumentView, ...]
    unread_files: tuple[dict[str, str], ...]
    notes: tuple[str, ...]
    kept: str
    """JSON list of the review items already applied: a new review.json keeps them."""
    search: str
    """Lower-case words the overview filter matches (id, verdict, reasons, document types)."""


class EvidenceIndex:
    """Where the evidence images of a run are, by document page and by field (empty: no images)."""

    def __init__(
        self,
        thumbs: Mapping[tuple[str, str, int], Image] | None = None,
        crops: Mapping[tuple[str, str, int, str], Image] | None = None,
        files: Mapping[tuple[str, str], str] | None = None,
    ) -> None:
        self.thumbs = dict(thumbs or {})
        """(dossier id, file, page) → thumbnail."""
        self.crops = dict(crops or {})
        """(dossier id, file, page, field) → crop of the line the field was read from."""
        self.files = dict(files or {})
        """(dossier id, file) → link to the input file."""

    def crop(self, dossier: str, doc: Document, field: str) -> Image | None:
        """The crop of ``field`` of ``doc`` (any of its pages)."""
        found = doc.fields.get(field)
        pages = [found.page] if found is not None and found.page else list(doc.pages)
        for page in pages:
            image = self.crops.get((dossier, doc.file, page, field))
            if image is not None:
                return image
        return None


def anchors(ids: Sequence[str]) -> dict[str, str]:
    """A unique HTML id per dossier id (``d-`` + the id with unsafe characters replaced).

    >>> anchors(["007 sharma", "007-sharma"])
    {'007 sharma': 'd-007-sharma', '007-sharma': 'd-007-sharma-2'}
    """
    found: dict[str, str] = {}
    used: set[str] = set()
    for ident in ids:
        base = "d-" + (re.sub(r"[^A-Za-z0-9_.-]+", "-", ident).strip("-") or "dossier")
        anchor, n = base, 1
        while anchor in used:
            n += 1
            anchor = f"{base}-{n}"
        used.add(anchor)
        found[ident] = anchor
    return found


def _text(value: Any) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "" if value is None else str(value)


def _documents_by_ref(report: DossierReport) -> dict[str, Document]:
    """Documents by ``file#page`` for every page they hold."""
    return {f"{d.file}#{page}": d for d in report.documents for page in d.pages}


def _sha(report: DossierReport, file: str) -> str:
    return next((f.sha256 for f in report.files if f.file == file), "")


def finding_view(
    t: Translator, report: DossierReport, finding: Finding, evidence: EvidenceIndex, rule_titles: Mapping[str, str]
) -> FindingView:
    """One finding in ``t``'s language with its source, crops and review items."""
    from validators.sources import source_info

    message, message_ok = t.message(finding)
    action, action_ok = t.action(finding)
    source = source_info(finding.source)
    docs = _documents_by_ref(report)
    review = tuple(_review_items(t, report, finding, docs, evidence))
    crops: list[Image] = [item.crop for item in review if item.crop is not None]
    for ref in finding.documents:
        doc = docs.get(ref)
        if doc is None:
            continue
        for name in _evidence_fields(finding, doc):
            image = evidence.crop(report.id, doc, name)
            if image is not None and image.src not in {c.src for c in crops}:
                crops.append(image)
        if not crops:
            crops += [evidence.thumbs[key] for p in doc.pages if (key := (report.id, doc.file, p)) in evidence.thumbs]
    kind = finding.kind or ActionKind.CONTENT
    return FindingView(
        finding=finding,
        title=t.rule_title(finding.rule, rule_titles.get(finding.rule, finding.rule)),
        message=message,
        message_translated=message_ok,
        action=action,
        action_translated=action_ok,
        severity=t.word("severity", finding.severity.value),
        status=t.word("status", finding.status.value),
        kind=kind.value,
        kind_label=t.word("kind", kind.value),
        source=SourceView(source.key, source.title, source.url),
        crops=tuple(crops),
        review=review,
    )


_DATE_FIELDS = ("expiry_date", "issue_date", "valid_from", "valid_to", "start_date", "birth_date")


def _evidence_fields(finding: Finding, doc: Document) -> list[str]:
    """The fields whose crops explain a finding: MRZ first for identity rules, then the dates it names."""
    names = [name for name in ("mrz_valid",) if name in doc.fields and finding.rule.startswith(("mrz.", "passport."))]
    text = " ".join(_text(v) for v in finding.values.values()) + " " + finding.message
    for name in _DATE_FIELDS:
        found = doc.fields.get(name)
        if found is not None and _text(found.value) in text:
            names.append(name)
    return names or [n for n in _DATE_FIELDS if n in doc.fields][:1]


def _review_items(
    t: Translator, report: DossierReport, finding: Finding, docs: Mapping[str, Document], evidence: EvidenceIndex
) -> list[ReviewItem]:
    if finding.status is not Status.NOT_EVALUABLE:
        return []
    items = []
    for entry in finding.evidence.get("review") or ():
        ref, name = str(entry.get("document")), str(entry.get("field"))
        doc = docs.get(ref)
        file, _, page = ref.partition("#")
        crop = evidence.crop(report.id, doc, name) if doc is not None else None
        if crop is None and doc is not None:
            crop = next((evidence.thumbs[k] for p in doc.pages if (k := (report.id, doc.file, p)) in evidence.thumbs),
                        None)
        read = entry.get("read")
        kind, choices = "text", tuple[tuple[str, str], ...]()
        if name == "type":
            kind, choices = "choice", tuple((d.value, t.word("doc_type", d.value)) for d in DocType)
        elif name in BOOLEAN_FIELDS or isinstance(read, bool):
            kind, choices = "choice", (("true", t.ui("yes")), ("false", t.ui("no")))
            read = "" if read is None else str(read).lower()
        elif name.endswith("_date") or isinstance(read, dt.date):
            kind = "date"
        items.append(ReviewItem(
            document=ref, file=file, sha256=_sha(report, file), page=int(page) if page.isdigit() else None,
            doc_type=str(entry.get("type", "")), field=name, field_label=t.word("field", name),
            read=_text(read), confidence=entry.get("confidence"), crop=crop, input=kind, choices=choices,
        ))
    return items


def dossier_view(
    t: Translator, report: DossierReport, anchor: str, as_of: dt.date, evidence: EvidenceIndex,
    rule_titles: Mapping[str, str],
) -> DossierView:
    """The overview row and detail section of one dossier."""
    ordered = sorted(report.findings, key=lambda f: (_SEVERITY_ORDER[f.severity], _STATUS_ORDER[f.status]))
    problems = tuple(finding_view(t, report, f, evidence, rule_titles) for f in ordered if f.status is not Status.PASS)
    passes = tuple(finding_view(t, report, f, evidence, rule_titles) for f in ordered if f.status is Status.PASS)
    blocking = [p for p in problems if p.finding.severity is Severity.BLOCKING]
    review: list[ReviewItem] = []
    for problem in blocking:
        review += [item for item in problem.review if (item.document, item.field) not in
                   {(r.document, r.field) for r in review}]
    reasons = [p.message if p.finding.status is Status.FAIL or t.lang == "en" else f"{p.title} — {p.message}"
               for p in blocking]
    search = " ".join([report.id, report.verdict.value, t.word("verdict", report.verdict.value), *reasons,
                       *(p.finding.rule for p in problems), *(d.type.value for d in report.documents)])
    return DossierView(
        report=report,
        anchor=anchor,
        verdict=t.word("verdict", report.verdict.value),
        ready_until=report.ready_until.isoformat() if report.ready_until else "",
        days_left=(report.ready_until - as_of).days if report.ready_until else None,
        blocking=len(blocking),
        warnings=sum(p.finding.severity is Severity.WARNING for p in problems),
        first_reason=reasons[0] if reasons else "",
        problems=problems,
        passes=passes,
        review=tuple(review),
        documents=tuple(_document_view(t, report, d, evidence) for d in report.documents),
        unread_files=tuple(
            {"file": f.file, "status": t.word("file_status", f.status.value), "message": f.message}
            for f in report.files if f.status.value != "processed"
        ),
        notes=_notes(t, report),
        kept=json.dumps(_kept_items(report), ensure_ascii=False),
        search=search.lower(),
    )


def _notes(t: Translator, report: DossierReport) -> tuple[str, ...]:
    """What the clerk should know besides the findings: no case facts, reviewed values not applied."""
    notes = [] if report.case_given else [t.ui("no_case_facts")]
    for note in report.review_notes:
        notes.append(t.ui(f"review_{note.reason}", file=note.file, field=t.word("field", note.field),
                          date=_text(note.reviewed_on), detail=note.detail))
    return tuple(notes)


def _kept_items(report: DossierReport) -> list[dict[str, Any]]:
    """The applied review items in ``review.json`` form, each with its own reviewer and date."""
    return [
        {"file": doc.file, "sha256": _sha(report, doc.file), "page": found.page or doc.pages[0],
         "document_type": doc.type.value, "field": name, "value": _text(found.value), "read": _text(found.original),
         "decision": "confirm" if found.value == found.original else "correct", "reviewer": found.reviewer,
         "reviewed_on": _text(found.reviewed_on)}
        for doc, name, found in report.reviewed_fields()
    ]


def _reviewed(t: Translator, found: Field | None) -> str:
    """"confirmed by ... on ..." (or corrected) for a reviewed value; empty otherwise."""
    if found is None or not found.reviewer:
        return ""
    key = "corrected_by" if found.value != found.original else "confirmed_by"
    key = "entered_by" if found.original is None else key
    return t.ui(key, reviewer=found.reviewer, date=_text(found.reviewed_on), read=_text(found.original) or "—")


def _document_view(t: Translator, report: DossierReport, doc: Document, evidence: EvidenceIndex) -> DocumentView:
    fields = []
    for name, found in doc.fields.items():
        if not name.endswith("_date"):
            continue
        fields.append(FieldView(
            name=name, label=t.word("field", name), value=_text(found.value), unsure=found.confidence < UNSURE,
            crop=evidence.crop(report.id, doc, name), reviewed=_reviewed(t, found), raw=found.raw,
        ))
    return DocumentView(
        document=doc,
        type_label=t.word("doc_type", doc.type.value),
        type_reviewed=_reviewed(t, doc.type_review),
        href=evidence.files.get((report.id, doc.file)),
        thumbs=tuple(evidence.thumbs[k] for p in doc.pages if (k := (report.id, doc.file, p)) in evidence.thumbs),
        fields=tuple(fields),
        rejections=tuple(f"{t.word('rejection', r.code.value)}: {r.message}" for r in doc.rejections),
    )


def run_view(report: RunReport, t: Translator, evidence: EvidenceIndex | None = None) -> dict[str, Any]:
    """Everything ``report.html.j2`` shows."""
    import validators

    evidence = evidence or EvidenceIndex()
    rule_titles = {r.id: r.title for r in validators.RULES.values()}
    ids = anchors([d.id for d in report.dossiers])
    dossiers = [dossier_view(t, d, ids[d.id], report.as_of, evidence, rule_titles) for d in report.dossiers]
    horizon = report.as_of + dt.timedelta(days=UPCOMING_DAYS)
    soon = sorted((d for d in dossiers if d.report.ready_until is not None and d.report.ready_until <= horizon),
                  key=lambda d: (d.ready_until, d.report.id))
    summary = report.summary()
    return {
        "t": t,
        "report": report,
        "summary": summary,
        "dossiers": dossiers,
        "soon": soon,
        "horizon_days": UPCOMING_DAYS,
        "verdicts": [(v, t.word("verdict", v), n) for v, n in summary["verdicts"].items()],
        "top_reasons": [(r["rule"], t.rule_title(r["rule"], rule_titles.get(r["rule"], r["rule"])), r["dossiers"])
                        for r in summary["top_blocking_reasons"]],
    }
