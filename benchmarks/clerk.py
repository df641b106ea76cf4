"""The clerk's desk on a 50-dossier batch: review loop re-evaluation time, OCR calls, report size.

Usage::

    python -m benchmarks.clerk [--batch DIR] [--cache DIR] [--count 50] [--seed 12] [--workers N]

Without ``--batch`` the batch is generated with ``python -m samples.generate dossiers``; without
``--cache`` a cold run fills a temporary page cache first (the slow part: every page is OCR'd once).
Then, on a copy of the batch, every dossier with review items gets a ``review.json`` confirming what
was read (a date the scan did not show is entered as the evaluation date minus 30 days), and each
such dossier is checked again on its own: the bars are 0 OCR calls and < 1 s of CPU per dossier.
Last, the reports are written in English, French and Dutch: each must stay under 15 MB.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

os.environ.setdefault("OMP_THREAD_LIMIT", "1")

from benchmarks.rerun import OcrCounter, generate  # noqa: E402
from pipeline import api  # noqa: E402
from pipeline.case import Cases  # noqa: E402
from pipeline.context import RunOptions, default_workers  # noqa: E402
from pipeline.report import DossierReport, ReportOptions, write_reports  # noqa: E402
from pipeline.review import REVIEW_FILE  # noqa: E402

MAX_CPU_S = 1.0
MAX_REPORT_MB = 15.0


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (tesseract runs in-process or as children)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def review_items(dossier: DossierReport, as_of: dt.date) -> list[dict[str, object]]:
    """Confirm what was read for every review item of a dossier (enter a date where nothing was read)."""
    hashes = {f.file: f.sha256 for f in dossier.files}
    items = []
    for finding in dossier.problems:
        for entry in finding.evidence.get("review") or ():
            file, _, page = str(entry["document"]).partition("#")
            read = entry.get("read")
            value = read.isoformat() if isinstance(read, dt.date) else read
            if value is None and str(entry["field"]).endswith("_date"):
                value = (as_of - dt.timedelta(days=30)).isoformat()
            if value is None or file not in hashes:
                continue
            items.append({"file": file, "sha256": hashes[file], "page": int(page) if page.isdigit() else None,
                          "field": entry["field"], "value": str(value), "read": "" if read is None else str(read),
                          "decision": "confirm" if read is not None else "correct"})
    return items


def folder_mb(folder: Path) -> float:
    """Size of every file under ``folder`` in MB."""
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; exit 1 when a bar is missed."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.clerk", description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=Path, default=None, help="existing batch folder (default: generate one)")
    parser.add_argument("--cache", type=Path, default=None, help="page cache already filled for this batch")
    parser.add_argument("--count", type=int, default=50)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--workers", type=int, default=min(default_workers(), 8))
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=dt.date(2026, 11, 25))
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="dossier-clerk-") as tmp:
        work = Path(tmp)
        source = args.batch or generate(work / "gen", args.count, args.seed)
        batch = work / "batch"
        shutil.copytree(source, batch)  # review files go into a copy, never into the given batch
        options = RunOptions(as_of=args.as_of, workers=args.workers, cache=str(args.cache or work / "cache"))
        started = time.perf_counter()
        with OcrCounter() as counter:
            report = api.run(batch, options)
        print(f"batch: {source} ({len(report.dossiers)} dossiers, "
              f"{sum(d.stats.get('pages', 0) for d in report.dossiers)} pages): first run "
              f"{time.perf_counter() - started:.1f} s, {counter.calls} OCR calls")

        cases = api.load_cases(batch, api.intake.survey(batch).sources, options).facts
        reviewed, worst_cpu, total_calls = 0, 0.0, 0
        for dossier in report.dossiers:
            items = review_items(dossier, args.as_of)
            if not items:
                continue
            folder = batch / dossier.id
            (folder / REVIEW_FILE).write_text(json.dumps({
                "review_version": 1, "dossier": dossier.id, "reviewer": "Benchmark", "reviewed_on":
                args.as_of.isoformat(), "items": items}), encoding="utf-8")
            with OcrCounter() as counter:
                cpu, wall = cpu_seconds(), time.perf_counter()
                again = api.run(folder, options, cases=Cases({dossier.id: cases[dossier.id]}) if dossier.id in cases
                                else None).dossiers[0]
                cpu, wall = cpu_seconds() - cpu, time.perf_counter() - wall
            reviewed += 1
            worst_cpu, total_calls = max(worst_cpu, cpu), total_calls + counter.calls
            print(f"  {dossier.id}: {len(items)} item(s) reviewed, {dossier.verdict.value} -> {again.verdict.value}"
                  f", {cpu:.2f} s CPU, {wall:.2f} s wall, {counter.calls} OCR calls, "
                  f"hash {hashlib.sha256((folder / REVIEW_FILE).read_bytes()).hexdigest()[:8]}")
        print(f"review loop: {reviewed} dossiers re-checked, worst {worst_cpu:.2f} s CPU (bar {MAX_CPU_S:.0f} s), "
              f"{total_calls} OCR calls (bar 0)")

        sizes = {}
        for lang in ("en", "fr", "nl"):
            out = work / f"report-{lang}"
            write_reports(report, str(out), ReportOptions(lang=lang, csv_sep=";"))
            sizes[lang] = folder_mb(out)
        images = sum(1 for _ in (work / "report-en").rglob("*.jpg"))
        print("report size: " + ", ".join(f"{lang} {mb:.1f} MB" for lang, mb in sizes.items())
              + f" ({images} images; bar {MAX_REPORT_MB:.0f} MB)")
    ok = worst_cpu < MAX_CPU_S and total_calls == 0 and max(sizes.values()) < MAX_REPORT_MB
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
