"""The readiness report: per-dossier results and the JSON, CSV and HTML writers (CONTRACT.md)."""

from __future__ import annotations

import collections
import csv
import dataclasses
import datetime as dt
import io
import json
from collections.abc import Sequence
from typing import Any

import fsspec
import jinja2

from pipeline.case import CaseFacts
from pipeline.model import Document, Finding, InputFile, Severity, Status, Verdict, to_jsonable

SCHEMA_VERSION = 1
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

    def summary(self) -> dict[str, Any]:
        """Counts by verdict, the most frequent blocking reasons, dossiers to act on soon."""
        verdicts = collections.Counter(d.verdict.value for d in self.dossiers)
        reasons = collections.Counter(
            f.rule
            for d in self.dossiers
            for f in d.findings
            if f.severity == Severity.BLOCKING and f.status != Status.PASS
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


def render_csv(report: RunReport) -> str:
    """``report.csv``: one summary row per dossier, one row per document, one per unread file."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, extrasaction="ignore")
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
    return out.getvalue()


def render_summary_csv(report: RunReport) -> str:
    """``summary.csv``: the batch at a glance (verdict counts, top blocking reasons, act-soon list)."""
    summary = report.summary()
    out = io.StringIO()
    writer = csv.writer(out)
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
    return out.getvalue()


_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("pipeline", "templates"),
    autoescape=jinja2.select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def render_html(report: RunReport) -> str:
    """``report.html``: readable by an HR clerk (verdict, what to do, documents, files)."""
    return _ENV.get_template("report.html.j2").render(report=report, summary=report.summary())


def write_reports(report: RunReport, out: str) -> list[str]:
    """Write report.json, report.csv, report.html and summary.csv into ``out`` (a folder or fsspec URL)."""
    fs, root = fsspec.core.url_to_fs(out)
    fs.makedirs(root, exist_ok=True)
    written = []
    for name, text in (("report.json", render_json(report)), ("report.csv", render_csv(report)),
                       ("report.html", render_html(report)), ("summary.csv", render_summary_csv(report))):
        target = f"{root.rstrip('/')}/{name}"
        with fs.open(target, "w", encoding="utf-8") as handle:
            handle.write(text)
        written.append(target)
    return written
