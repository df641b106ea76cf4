"""The readiness report: per-dossier results and the JSON, CSV and HTML writers (CONTRACT.md)."""

from __future__ import annotations

import collections
import csv
import dataclasses
import datetime as dt
import hashlib
import io
import json
import os
import re
import urllib.parse
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2

from pipeline.atomic import write_files
from pipeline.case import CaseFacts
from pipeline.model import Document, EvidenceImage, Field, Finding, InputFile, Severity, Status, Verdict, to_jsonable
from pipeline.review import ReviewNote

if TYPE_CHECKING:
    from pipeline.i18n import Translator
    from pipeline.view import EvidenceIndex

SCHEMA_VERSION = 1
REPORT_FILES = ("report.json", "report.csv", "report.html", "summary.csv")
"""What :func:`write_reports` writes into ``--out``."""
UNREADABLE_RULE = "dossier.readable"
"""Finding of a dossier whose folder, case facts or processing failed (the exit code says so too)."""
UPCOMING_DAYS = 30
"""A dossier whose ``ready_until`` falls within this many days is listed as "act now"."""


@dataclasses.dataclass(frozen=True, slots=True)
class DossierReport:
    """Everything the report says about one dossier."""

    id: str
    verdict: Verdict
    ready_until: dt.date | None
    case: CaseFacts
    findings: tuple[Finding, ...]
    documents: tuple[Document, ...]
    files: tuple[InputFile, ...]
    """Every input file with its status (documents also name their file)."""
    stats: dict[str, Any] = dataclasses.field(default_factory=dict)
    case_given: bool = True
    """False when neither a ``cases.csv`` row nor a ``case.toml`` gave this dossier's case facts."""
    folder: str = ""
    """The dossier folder (local path) the files were read from: the report links to them."""
    evidence: Mapping[tuple[str, int, str], EvidenceImage] = dataclasses.field(default_factory=dict)
    """Thumbnails and crops by (file, page, ``thumb`` | ``mrz`` | field name); written next to report.html."""
    reviewer: str = ""
    """Who reviewed values of this dossier (``review.json``); empty without a review."""
    review_notes: tuple[ReviewNote, ...] = ()
    """Reviewed values that were not applied, and why."""

    def reviewed_fields(self) -> list[tuple[Document, str, Field]]:
        """Every value a person confirmed or corrected: (document, field name or ``type``, field)."""
        found = []
        for doc in self.documents:
            if doc.type_review is not None:
                found.append((doc, "type", doc.type_review))
            found += [(doc, name, f) for name, f in doc.fields.items() if f.reviewer]
        return found
    error: str = ""
    """Why the dossier could not be read or checked (empty when it was); its verdict is then not_ready."""

    @classmethod
    def unreadable(
        cls, id: str, message: str, *, case: CaseFacts | None = None,
        documents: Sequence[Document] = (), files: Sequence[InputFile] = (),
    ) -> DossierReport:
        """A dossier that could not be read or checked: not ready, with one blocking finding saying why.

        Whatever was read (documents, files) is still listed; no rule is evaluated on partial facts.
        """
        finding = Finding(
            rule=UNREADABLE_RULE, severity=Severity.BLOCKING, status=Status.FAIL,
            message=f"This dossier could not be checked: {message}", source="dossier intake",
            action="Fix what the message names, then run the check again.",
        )
        return cls(id=id, verdict=Verdict.NOT_READY, ready_until=None, case=case or CaseFacts(),
                   findings=(finding,), documents=tuple(documents), files=tuple(files), error=message)

    @property
    def problems(self) -> list[Finding]:
        """Findings that are not passes, most severe first."""
        order = {Severity.BLOCKING: 0, Severity.WARNING: 1, Severity.INFO: 2}
        return sorted((f for f in self.findings if f.status != Status.PASS), key=lambda f: order[f.severity])

    def to_dict(self, translator: Translator | None = None) -> dict[str, Any]:
        """JSON form with the contract's keys (findings also carry their source's title and address,
        and, with a translator other than English, their translated message and action)."""
        return {
            "id": self.id,
            "verdict": self.verdict.value,
            "ready_until": self.ready_until.isoformat() if self.ready_until else None,
            "case": self.case.to_dict(),
            "findings": [finding_dict(f, translator) for f in self.findings],
            "documents": [d.to_dict() for d in self.documents],
            "files": [
                {
                    "file": f.file,
                    "status": f.status.value,
                    "message": f.message,
                    "mime": f.mime,
                    "pages": f.page_count,
                    "sha256": f.sha256,
                }
                for f in self.files
            ],
            "stats": to_jsonable(self.stats),
            "case_given": self.case_given,
            "review": {
                "reviewer": self.reviewer or None,
                "applied": [
                    {"document": d.ref, "field": name, "value": to_jsonable(f.value), "read": to_jsonable(f.original),
                     "reviewer": f.reviewer, "reviewed_on": to_jsonable(f.reviewed_on)}
                    for d, name, f in self.reviewed_fields()
                ],
                "dropped": [n.model_dump(mode="json") for n in self.review_notes],
            },
            "error": self.error or None,
        }

    def flatten(self, keys: Sequence[str] = ("rule", "severity", "status")) -> list[list[Any]]:
        """Findings as rows of the named keys (compact test assertions and tables)."""
        return [[f.to_dict().get(k) for k in keys] for f in self.findings]


@dataclasses.dataclass(frozen=True, slots=True)
class RunReport:
    """The report of one run over one dossier or a batch."""

    as_of: dt.date
    profile: str
    dossiers: tuple[DossierReport, ...]
    changes: dict[str, Any] | None = None
    """What changed since the previous run (scheduled reprocessing), when known."""
    batch_files: tuple[InputFile, ...] = ()
    """Entries at a batch's root that belong to no dossier folder (stray files, system files): listed, not checked."""
    case_problems: tuple[str, ...] = ()
    """Case-file rows that belong to no dossier of the batch (a dossier's own bad row is its ``error``)."""

    @property
    def incomplete(self) -> bool:
        """True when a dossier could not be read or checked, or a case row matched no dossier."""
        return bool(self.case_problems) or any(d.error for d in self.dossiers)

    def summary(self) -> dict[str, Any]:
        """Counts by verdict, the most frequent blocking reasons, dossiers to act on soon."""
        verdicts = collections.Counter(d.verdict.value for d in self.dossiers)
        reasons = collections.Counter(  # each rule counted once per dossier, whatever its number of findings
            rule
            for d in self.dossiers
            # sorted: ties keep one order in every process (a set's order follows the string hash seed)
            for rule in sorted({f.rule for f in d.findings
                                if f.severity == Severity.BLOCKING and f.status != Status.PASS})
        )
        horizon = self.as_of + dt.timedelta(days=UPCOMING_DAYS)
        upcoming = [
            {"id": d.id, "ready_until": d.ready_until.isoformat()}
            for d in sorted(self.dossiers, key=lambda d: d.ready_until or dt.date.max)
            if d.ready_until is not None and d.ready_until <= horizon
        ]
        assumed: dict[str, set[str]] = collections.defaultdict(set)
        for d in self.dossiers:
            for f in d.findings:
                for fact in (f.evidence or {}).get("assumed", {}):
                    assumed[fact].add(d.id)
        return {
            "dossiers": len(self.dossiers),
            "verdicts": {v.value: verdicts.get(v.value, 0) for v in Verdict},
            # Case facts a rule had to assume (issue 13): fill these columns in cases.csv to check them.
            "assumptions": [
                {"column": fact, "dossiers": sorted(ids), "fill": f"the {fact} column of cases.csv"}
                for fact, ids in sorted(assumed.items())
            ],
            "top_blocking_reasons": [{"rule": r, "dossiers": n} for r, n in reasons.most_common(10)],
            f"ready_until_within_{UPCOMING_DAYS}_days": upcoming,
        }

    def to_dict(self, translator: Translator | None = None) -> dict[str, Any]:
        """The ``report.json`` document (``lang``: the language of the translated texts it adds)."""
        data: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION,
            "as_of": self.as_of.isoformat(),
            "profile": self.profile,
            "lang": translator.lang if translator is not None else "en",
            "summary": self.summary(),
            "dossiers": [d.to_dict(translator) for d in self.dossiers],
        }
        if self.changes is not None:
            data["changes"] = self.changes
        data["batch_files"] = [
            {"file": f.file, "status": f.status.value, "message": f.message} for f in self.batch_files
        ]
        data["case_problems"] = list(self.case_problems)
        return data


def finding_dict(finding: Finding, translator: Translator | None = None) -> dict[str, Any]:
    """A finding's JSON form plus its source's title and addresses and, when not English, its translation."""
    from validators.sources import source_info

    data = finding.to_dict()
    data["source_ref"] = source_info(finding.source).to_dict()
    translated = translator.translated(finding) if translator is not None else None
    if translated is not None:
        data["translated"] = translated
    return data


def render_json(report: RunReport, translator: Translator | None = None) -> str:
    """``report.json`` text."""
    return json.dumps(report.to_dict(translator), indent=2, ensure_ascii=False) + "\n"


CSV_COLUMNS = (
    "dossier",
    "row",
    "verdict",
    "ready_until",
    "file",
    "pages",
    "type",
    "accepted",
    "rejections",
    "expiry_date",
    "issue_date",
    "status",
    "message",
    "blocking",
    "warnings",
    "to_review",
    "messages",
    "actions",
)
CSV_BOM = "\ufeff"
"""Excel on Windows reads a CSV as UTF-8 only when it starts with this byte-order mark."""
_JOIN = " | "


FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
"""What makes a spreadsheet evaluate a cell (OWASP "CSV injection"; the full-width forms too)."""
_CELL_SPLITS = re.compile(r"([,;\t|])(\s*)(?=[=+\-@\uff1d\uff0b\uff0d\uff20])")
"""A separator a spreadsheet may split on (Belgian Excel uses ``;``) right before a formula prefix."""


def neutralise_cell(value: object) -> object:
    """A CSV cell no spreadsheet evaluates: text starting like a formula gets a leading ``'``.

    The same holds after a separator another locale may split on, since an unquoted ``a;=1+1`` is
    two cells in a ``;`` spreadsheet. Numbers and empty cells pass unchanged.

    >>> print(neutralise_cell('=HYPERLINK("http://x","y")'))
    '=HYPERLINK("http://x","y")
    >>> neutralise_cell("scan;=1+1.pdf"), neutralise_cell("2027-05-02"), neutralise_cell(3)
    ("scan;'=1+1.pdf", '2027-05-02', 3)
    """
    if not isinstance(value, str) or not value:
        return value
    text = _CELL_SPLITS.sub(r"\1\2'", value)
    if text.lstrip(" \n\x0b\x0c").startswith(FORMULA_PREFIXES) or text.startswith(("\t", "\r")):
        text = "'" + text
    return text


class _NeutralisingWriter:
    """A ``csv.writer`` whose every cell goes through :func:`neutralise_cell`."""

    def __init__(self, writer: Any) -> None:
        self._writer = writer

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([neutralise_cell(v) for v in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def _csv_writer(out: io.StringIO, sep: str) -> _NeutralisingWriter:
    """A CSV writer with the given one-character separator whose cells no spreadsheet evaluates."""
    if len(sep) != 1:
        raise ValueError(f"CSV separator must be one character, not {sep!r}")
    return _NeutralisingWriter(csv.writer(out, delimiter=sep, lineterminator="\r\n"))


def render_csv(report: RunReport, translator: Translator | None = None, sep: str = ",") -> str:
    """``report.csv``: one row per dossier (verdict, messages and actions in the report's language),
    one per document, one per file that could not be used. UTF-8 with a byte-order mark, for Excel."""
    from pipeline.i18n import Translator

    t = translator or Translator("en")
    out = io.StringIO()
    writer = _csv_writer(out, sep)
    writer.writerow(CSV_COLUMNS)

    def row(**cells: Any) -> None:
        writer.writerow([cells.get(column, "") for column in CSV_COLUMNS])

    for d in report.dossiers:
        failing = d.problems
        review = {
            (str(item.get("document")), str(item.get("field")))
            for f in failing
            if f.severity == Severity.BLOCKING
            for item in f.evidence.get("review") or ()
        }
        row(
            dossier=d.id,
            row="dossier",
            verdict=d.verdict.value,
            ready_until=d.ready_until.isoformat() if d.ready_until else "",
            blocking="; ".join(f.rule for f in failing if f.severity == Severity.BLOCKING),
            warnings="; ".join(f.rule for f in failing if f.severity == Severity.WARNING),
            to_review=len(review),
            messages=_JOIN.join(t.message(f)[0] for f in failing if f.severity != Severity.INFO),
            actions=_JOIN.join(dict.fromkeys(a for f in failing if f.severity != Severity.INFO
                                             if (a := t.action(f)[0]))),
        )
        for doc in d.documents:
            row(
                dossier=d.id,
                row="document",
                file=doc.file,
                pages=" ".join(str(p) for p in doc.pages),
                type=doc.type.value,
                accepted=str(doc.accepted).lower(),
                rejections="; ".join(r.code.value for r in doc.rejections),
                expiry_date=to_jsonable(doc.value("expiry_date")) or "",
                issue_date=to_jsonable(doc.value("issue_date")) or "",
                status="processed",
            )
        for info in d.files:
            if info.status.value != "processed":
                row(dossier=d.id, row="file", file=info.file, status=info.status.value, message=info.message)
    for info in report.batch_files:  # at a batch's root, in no dossier folder: listed, not checked
        row(row="batch_file", file=info.file, status=info.status.value, message=info.message)
    return CSV_BOM + out.getvalue()


def render_summary_csv(report: RunReport, sep: str = ",") -> str:
    """``summary.csv``: the batch at a glance (verdict counts, top blocking reasons, act-soon list)."""
    summary = report.summary()
    out = io.StringIO()
    writer = _csv_writer(out, sep)
    writer.writerow(["section", "key", "value"])
    writer.writerow(["run", "as_of", report.as_of.isoformat()])
    writer.writerow(["run", "profile", report.profile])
    writer.writerow(["run", "dossiers", summary["dossiers"]])
    for verdict, count in summary["verdicts"].items():
        writer.writerow(["verdict", verdict, count])
    for reason in summary["top_blocking_reasons"]:
        writer.writerow(["top_blocking_reason", reason["rule"], reason["dossiers"]])
    for soon in summary[f"ready_until_within_{UPCOMING_DAYS}_days"]:
        writer.writerow([f"ready_until_within_{UPCOMING_DAYS}_days", soon["id"], soon["ready_until"]])
    for problem in report.case_problems:
        writer.writerow(["case_problem", "", problem])
    return CSV_BOM + out.getvalue()


_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("pipeline", "templates"),
    autoescape=True,  # every value is escaped; the template never marks user data safe
    trim_blocks=True,
    lstrip_blocks=True,
    undefined=jinja2.StrictUndefined,
)


def render_html(
    report: RunReport, translator: Translator | None = None, evidence: EvidenceIndex | None = None
) -> str:
    """``report.html``: overview, act-soon list and one section per dossier, in the report's language."""
    from pipeline import __version__
    from pipeline.i18n import Translator
    from pipeline.view import run_view

    view = run_view(report, translator or Translator("en"), evidence)
    return _ENV.get_template("report.html.j2").render(version=__version__, **view)


@dataclasses.dataclass(frozen=True)
class ReportOptions:
    """How the reports are written: language of the HTML and CSV texts, CSV separator."""

    lang: str = "en"
    csv_sep: str = ","


def write_reports(report: RunReport, out: str, options: ReportOptions | None = None) -> list[str]:
    """Write report.json, report.csv, report.html and summary.csv into ``out`` (a folder or fsspec URL).

    Everything is rendered first, then all files (reports and evidence images) replace the previous
    ones together (pipeline.atomic): a failure (disk full, no rights) leaves the previous reports as
    they were.

    Args:
        report: The run report.
        out: Folder or fsspec URL.
        options: Language and CSV separator (English and ``,`` by default).

    Returns:
        The paths of the four reports.

    Raises:
        OSError: ``out`` cannot be written.
    """
    from pipeline.i18n import Translator

    options = options or ReportOptions()
    t = Translator(options.lang)
    index, images = evidence_files(report, out, t)
    reports = (
        render_json(report, t),
        render_csv(report, t, options.csv_sep),
        render_html(report, t, index),
        render_summary_csv(report, options.csv_sep),
    )
    files: dict[str, bytes | str] = {**images, **dict(zip(REPORT_FILES, reports, strict=True))}
    return write_files(out, files)[-len(REPORT_FILES):]


EVIDENCE_DIR = "evidence"
"""Folder beside report.html holding its thumbnails and crops (one sub-folder per dossier)."""


def evidence_files(
    report: RunReport, out: str, translator: Translator | None = None
) -> tuple[EvidenceIndex, dict[str, bytes]]:
    """The evidence images of every dossier as files beside the report, and where the report finds them.

    Images are named by their content hash (a crop shared by several fields is written once); links to
    input files are relative to the report folder when both are local, so the folder can be moved
    together with the batch.
    """
    from pipeline.i18n import Translator
    from pipeline.view import EvidenceIndex, Image, anchors

    t = translator or Translator("en")
    files: dict[str, bytes] = {}
    thumbs: dict[tuple[str, str, int], Image] = {}
    crops: dict[tuple[str, str, int, str], Image] = {}
    links: dict[tuple[str, str], str] = {}
    names = anchors([d.id for d in report.dossiers])
    local_out = None if "://" in out and not out.startswith("file://") else Path(out.removeprefix("file://"))
    for d in report.dossiers:
        for (file, page, name), image in d.evidence.items():
            path = f"{EVIDENCE_DIR}/{names[d.id]}/{hashlib.sha256(image.jpeg).hexdigest()[:16]}.jpg"
            files[path] = image.jpeg
            mrz = d.evidence.get((file, page, "mrz"))
            what = "" if name == "thumb" else "MRZ" if mrz is not None and mrz.jpeg == image.jpeg else t.word(
                "field", name)
            caption = f"{file} #{page}" + (f" · {what}" if what else "")
            shown = Image(src=path, caption=caption, width=image.width, height=image.height)
            if name == "thumb":
                thumbs[(d.id, file, page)] = shown
            else:
                crops[(d.id, file, page, name)] = shown
        if d.folder and local_out is not None:
            for info in d.files:
                target = Path(d.folder) / info.file
                links[(d.id, info.file)] = _relative_link(target, local_out)
    return EvidenceIndex(thumbs, crops, links), files


def _relative_link(target: Path, out: Path) -> str:
    """A link from ``out/report.html`` to ``target``: relative (URL-quoted), or ``file://`` across drives."""
    try:
        rel = os.path.relpath(target.resolve(), out.resolve())
    except ValueError:  # another drive (Windows)
        return target.resolve().as_uri()
    return urllib.parse.quote(os.fsencode(Path(rel).as_posix()))  # a non-UTF-8 name keeps its bytes
