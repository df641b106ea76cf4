"""Extraction accuracy against generated ground truth: ``python -m tools.evaluate BATCH TRUTH``.

Prints document-type accuracy, exact issue/expiry dates, per-file status agreement, and verdicts
(the number of dossiers reported ``ready`` that should not be must be 0). Documents on pages that the
generator meant to be rejected are counted apart: their content is not read by design.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import json
import sys
import time
from pathlib import Path
from typing import Any

DATE_FIELDS = ("issue_date", "expiry_date")


def _find(predicted: list[dict[str, Any]], file: str, pages: list[int]) -> dict[str, Any] | None:
    """The predicted document of ``file`` that holds the first page of a true document."""
    for doc in predicted:
        if doc["file"] == file and pages[0] in doc["pages"]:
            return doc
    return None


def compare(report: dict[str, Any], truth: dict[str, Any]) -> dict[str, Any]:
    """Compare a ``report.json`` dict with a generator ``truth.json`` dict."""
    counts: collections.Counter[str] = collections.Counter()
    misses: list[str] = []
    by_id = {d["id"]: d for d in report["dossiers"]}
    for t_dossier in truth["dossiers"]:
        got = by_id.get(t_dossier["id"])
        if got is None:
            misses.append(f"{t_dossier['id']}: dossier missing from the report")
            continue
        verdict = got["verdict"]
        counts["dossiers"] += 1
        counts["verdict_agrees"] += verdict == t_dossier["expected_verdict"]
        if verdict == "ready" and t_dossier["expected_verdict"] != "ready":
            counts["false_ready"] += 1
            misses.append(f"{t_dossier['id']}: reported ready, expected {t_dossier['expected_verdict']}")
        files = {f["file"]: f for f in got["files"]}
        for t_file in t_dossier["files"]:
            counts["files"] += 1
            status = files.get(t_file["file"], {}).get("status")
            counts["file_status_agrees"] += status == t_file["expected_status"]
            rejected = bool(t_file.get("expected_rejections"))
            for t_doc in t_file.get("documents", []):
                group = "rejected" if rejected else "accepted"
                doc = _find(got["documents"], t_file["file"], t_doc["pages"])
                counts[f"{group}_docs"] += 1
                if doc is not None and doc["type"] == t_doc["type"]:
                    counts[f"{group}_type_ok"] += 1
                elif not rejected:
                    misses.append(f"{t_dossier['id']}/{t_file['file']}#{t_doc['pages'][0]}: type "
                                  f"{doc['type'] if doc else None}, expected {t_doc['type']}")
                if rejected:
                    continue
                for name in DATE_FIELDS:
                    want = t_doc["fields"].get(name)
                    if not want:
                        continue
                    counts[f"{name}_total"] += 1
                    value = (doc or {}).get("fields", {}).get(name)
                    if value == want:
                        counts[f"{name}_ok"] += 1
                    else:
                        misses.append(f"{t_dossier['id']}/{t_file['file']}#{t_doc['pages'][0]} "
                                      f"({t_doc['type']}): {name} {value}, expected {want}")
                if t_doc["fields"].get("mrz"):
                    # The zone is read and its check digits pass, with the right document number.
                    counts["mrz_total"] += 1
                    got_fields = (doc or {}).get("fields", {})
                    number = t_doc["fields"].get("document_number")
                    if got_fields.get("mrz_valid") is True and got_fields.get("document_number") == number:
                        counts["mrz_ok"] += 1
                    else:
                        misses.append(f"{t_dossier['id']}/{t_file['file']}#{t_doc['pages'][0]} "
                                      f"({t_doc['type']}): MRZ not read")
    return {"counts": dict(counts), "misses": misses}


def _rate(counts: dict[str, int], ok: str, total: str) -> str:
    n = counts.get(total, 0)
    return f"{counts.get(ok, 0)}/{n} ({100 * counts.get(ok, 0) / n:.1f} %)" if n else "n/a"


def main(argv: list[str] | None = None) -> int:
    """Run the pipeline on a generated batch (or read its report) and print the accuracy table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("batch", type=Path, help="generated batch folder (samples.generate dossiers)")
    parser.add_argument("truth", type=Path, help="its truth.json")
    parser.add_argument("--report", type=Path, help="use this report.json instead of running the pipeline")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--cache", default="off", help="page cache location ('off' by default: measure OCR)")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every miss")
    args = parser.parse_args(argv)
    truth = json.loads(args.truth.read_text())
    seconds = 0.0
    if args.report:
        report = json.loads(args.report.read_text())
    else:
        from pipeline import api
        from pipeline.context import RunOptions

        options = RunOptions(as_of=dt.date.fromisoformat(truth["as_of"]), workers=args.workers, cache=args.cache)
        started = time.monotonic()
        report = api.run(args.batch, options).to_dict()
        seconds = time.monotonic() - started
    result = compare(report, truth)
    c = result["counts"]
    rows = [
        ("document type (accepted pages)", _rate(c, "accepted_type_ok", "accepted_docs")),
        ("document type (rejected pages)", _rate(c, "rejected_type_ok", "rejected_docs")),
        ("issue_date exact", _rate(c, "issue_date_ok", "issue_date_total")),
        ("expiry_date exact", _rate(c, "expiry_date_ok", "expiry_date_total")),
        ("MRZ read, checks pass", _rate(c, "mrz_ok", "mrz_total")),
        ("file status agrees", _rate(c, "file_status_agrees", "files")),
        ("verdict agrees", _rate(c, "verdict_agrees", "dossiers")),
        ("reported ready but should not be", str(c.get("false_ready", 0))),
    ]
    if seconds:
        rows.append(("seconds", f"{seconds:.1f}"))
    width = max(len(r[0]) for r in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    if args.verbose:
        print("\n".join(result["misses"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
