"""The readiness report: per-dossier results and the JSON, CSV and HTML writers (CONTRACT.md)."""

from __future__ import annotations

import collections
import csv
import dataclasses
import datetime as dt
import io
import json
import re
from collections.abc import Iterable, Sequence
from typing import Any

import jinja2

from pipeline.atomic import write_files
from pipeline.case import CaseFacts
from pipeline.model import Document, Finding, InputFile, Severity, Status, Verdict, to_jsonable

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

    def to_dict(self) -> dict[str, Any]:
        """JSON form with the contract's keys."""
        return {
            "id": self.id,
            "verdict": self.verdict.value,
            "ready_until": self.ready_until.isoformat() if self.ready_until else None,
            "case": self.case.to_dict(),
            "findings": [f.to_dict() for f in self.findings],
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
            for rule in {f.rule for f in d.findings if f.severity == Severity.BLOCKING and f.status != Status.PASS}
        )
        horizon = self.as_of + dt.timedelta(days=UPCOMING_DAYS)
        upcoming = [
            {"id": d.id, "ready_until": d.ready_until.isoformat()}
            for d in sorted(self.dossiers, key=lambda d: d.ready_until or dt.date.max)
            if d.ready_until is not None and d.ready_until <= horizon
        ]
        return {
            "dossiers": len(self.dossiers),
            "verdicts": {v.value: verdicts.get(v.value, 0) for v in Verdict},
            "top_blocking_reasons": [{"rule": r, "dossiers": n} for r, n in reasons.most_common(10)],
            f"ready_until_within_{UPCOMING_DAYS}_days": upcoming,
        }

    def to_dict(self) -> dict[str, Any]:
        """The ``report.json`` document."""
        data: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION,
            "as_of": self.as_of.isoformat(),
            "profile": self.profile,
            "summary": self.summary(),
            "dossiers": [d.to_dict() for d in self.dossiers],
        }
        if self.changes is not None:
            data["changes"] = self.changes
        data["batch_files"] = [
            {"file": f.file, "status": f.status.value, "message": f.message} for f in self.batch_files
        ]
        data["case_problems"] = list(self.case_problems)
        return data


def render_json(report: RunReport) -> str:
    """``report.json`` text."""
    return json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n"


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
)


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


def render_csv(report: RunReport) -> str:
    """``report.csv``: one summary row per dossier, one row per document, one per unread file."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, extrasaction="ignore")
    writer.writer = _NeutralisingWriter(writer.writer)  # type: ignore[assignment]
    writer.writeheader()
    for d in report.dossiers:
        failing = [f for f in d.findings if f.status != Status.PASS]
        writer.writerow(
            {
                "dossier": d.id,
                "row": "dossier",
                "verdict": d.verdict.value,
                "ready_until": d.ready_until.isoformat() if d.ready_until else "",
                "blocking": "; ".join(f.rule for f in failing if f.severity == Severity.BLOCKING),
                "warnings": "; ".join(f.rule for f in failing if f.severity == Severity.WARNING),
            }
        )
        for doc in d.documents:
            writer.writerow(
                {
                    "dossier": d.id,
                    "row": "document",
                    "file": doc.file,
                    "pages": " ".join(str(p) for p in doc.pages),
                    "type": doc.type.value,
                    "accepted": str(doc.accepted).lower(),
                    "rejections": "; ".join(r.code.value for r in doc.rejections),
                    "expiry_date": to_jsonable(doc.value("expiry_date")) or "",
                    "issue_date": to_jsonable(doc.value("issue_date")) or "",
                    "status": "processed",
                }
            )
        for info in d.files:
            if info.status.value != "processed":
                writer.writerow(
                    {
                        "dossier": d.id,
                        "row": "file",
                        "file": info.file,
                        "status": info.status.value,
                        "message": info.message,
                    }
                )
    for info in report.batch_files:  # at a batch's root, in no dossier folder: listed, not checked
        writer.writerow({"row": "batch_file", "file": info.file, "status": info.status.value, "message": info.message})
    return out.getvalue()


def render_summary_csv(report: RunReport) -> str:
    """``summary.csv``: the batch at a glance (verdict counts, top blocking reasons, act-soon list)."""
    summary = report.summary()
    out = io.StringIO()
    writer = _NeutralisingWriter(csv.writer(out))
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
    return out.getvalue()


_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("pipeline", "templates"),
    autoescape=True,  # every template here is HTML (``report.html.j2``): escape by construction
    trim_blocks=True,
    lstrip_blocks=True,
)


def render_html(report: RunReport) -> str:
    """``report.html``: readable by an HR clerk (verdict, what to do, documents, files)."""
    return _ENV.get_template("report.html.j2").render(report=report, summary=report.summary())


def write_reports(report: RunReport, out: str) -> list[str]:
    """Write report.json, report.csv, report.html and summary.csv into ``out`` (a folder or fsspec URL).

    All four are rendered first and replace the previous ones together (pipeline.atomic): a failure
    (disk full, no rights) leaves the previous reports as they were.

    Raises:
        OSError: ``out`` cannot be written.
    """
    renderers = (render_json, render_csv, render_html, render_summary_csv)
    texts = {name: render(report) for name, render in zip(REPORT_FILES, renderers, strict=True)}
    return write_files(out, texts)
