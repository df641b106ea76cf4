"""Throughput benchmark: ``python -m benchmarks.throughput --dossiers 10 50 200``.

For each size it generates a deterministic batch (``samples.generate``), runs the full pipeline with
the page cache off and prints pages/s, seconds per dossier, peak memory, the share of time per stage
and the extraction accuracy against the generator's truth. The baseline is naive full-page tesseract
(full resolution, the same languages, every page, no gate) on the same pages with the same number of
workers. Numbers depend on the machine: run it on the 2-core reference machine.
"""

from __future__ import annotations

import argparse
import collections
import concurrent.futures
import datetime as dt
import json
import multiprocessing
import os
import resource
import sys
import time
from pathlib import Path
from typing import Any

from pipeline import api
from pipeline.context import RunContext, RunOptions
from pipeline.engines.imaging import PagePixels
from pipeline.stages import intake
from tools import evaluate

AS_OF = dt.date(2026, 11, 25)
STAGE_GROUPS = {
    "intake": ("ingest_dossier",),
    "quality": ("check_image_quality", "check_identity_colour"),
    "ocr": ("run_ocr",),
    "mrz": ("read_mrz_zone",),
    "documents": ("settle_files", "classify_documents", "extract_fields", "link_documents"),
    "rules": ("evaluate_rules",),
}
"""Stage names (``stats.stage_seconds`` of each dossier) summed into the table's columns."""


def stage_shares(dossiers: list[dict[str, Any]]) -> dict[str, float]:
    """Share of the time spent in each group of stages, from the report's own stage timings."""
    spent: dict[str, float] = collections.defaultdict(float)
    for dossier in dossiers:
        for name, seconds in dossier["stats"].get("stage_seconds", {}).items():
            if "." in name:
                continue  # a part of a stage (``mrz_cpu.ocr``), already in the stage's total
            group = next((g for g, names in STAGE_GROUPS.items() if name in names), "other")
            spent[group] += seconds
    total = sum(spent.values()) or 1.0
    return {group: seconds / total for group, seconds in spent.items()}


def ensure_batch(size: int, seed: int, root: Path) -> Path:
    """The generated batch folder of this size and seed (generated once, then reused)."""
    from samples.generate import Options, write_batch

    out = root / f"n{size}-s{seed}"
    if not (out / "truth.json").exists():
        write_batch(out, size, seed, AS_OF, Options())
    return out


def peak_memory_mb() -> float:
    """Peak resident memory of this process in MiB (tesseract runs inside it, through its C API).

    ``VmHWM`` is the high-water mark of this process's own memory; ``ru_maxrss`` would also count
    what the parent held when it forked this process, and a forked helper (pdftoppm) the same.
    """
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds() -> float:
    """CPU seconds of this process and its reaped children (tesseract threads and command-line calls)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def run_pipeline_isolated(batch: Path, workers: int) -> dict[str, Any]:
    """:func:`run_pipeline` in a fresh process, so its peak memory is its own (not an earlier size's)."""
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        return pool.submit(_run_and_measure, batch, workers).result()


def _run_and_measure(batch: Path, workers: int) -> dict[str, Any]:
    row = run_pipeline(batch, workers)
    row["peak_mb"] = peak_memory_mb()
    return row


def run_pipeline(batch: Path, workers: int) -> dict[str, Any]:
    """One timed run of the full pipeline on a generated batch."""
    options = RunOptions(as_of=AS_OF, workers=workers, cache="off")
    cpu_before = cpu_seconds()
    started = time.perf_counter()
    report = api.run(batch / "batch", options)
    seconds = time.perf_counter() - started
    cpu = cpu_seconds() - cpu_before
    data = report.to_dict()
    pages = sum(d["stats"]["pages"] for d in data["dossiers"])
    truth = json.loads((batch / "truth.json").read_text())
    counts = evaluate.compare(data, truth)["counts"]
    return {
        "dossiers": len(data["dossiers"]),
        "pages": pages,
        "seconds": seconds,
        "cpu_s": cpu,
        "pages_per_s": pages / seconds,
        "s_per_dossier": seconds / len(data["dossiers"]),
        "stage_share": stage_shares(data["dossiers"]),
        "type_accuracy": counts.get("accepted_type_ok", 0) / max(1, counts.get("accepted_docs", 0)),
        "issue_date_exact": counts.get("issue_date_ok", 0) / max(1, counts.get("issue_date_total", 0)),
        "expiry_date_exact": counts.get("expiry_date_ok", 0) / max(1, counts.get("expiry_date_total", 0)),
        "mrz_read": counts.get("mrz_ok", 0) / max(1, counts.get("mrz_total", 0)),
        "false_ready": counts.get("false_ready", 0),
    }


def run_baseline(batch: Path, workers: int, langs: str) -> dict[str, Any]:
    """Naive full-page tesseract on every page at full resolution (the "before" picture).

    Text-layer PDF pages are rendered and OCR'd like the others: a naive tool reads every page.
    """
    from pipeline.engines.ocr import TesseractEngine
    from pipeline.engines.pdfrender import render_page

    engine = TesseractEngine()
    options = RunOptions(as_of=AS_OF, workers=workers, cache="off")
    pages: list[tuple[Path, Any]] = []
    root = batch / "batch"
    ctx = RunContext(options, batch / "work-baseline")
    cpu_before = cpu_seconds()
    started = time.perf_counter()
    for source in intake.discover(root):
        pages.extend((source.path, page) for page in intake.ingest_dossier(source, ctx).pages)

    def read(item: tuple[Path, Any]) -> int:
        folder, page = item
        if page.image is None:
            if not page.text_layer:
                return 0  # a blank PDF page: nothing to read
            image = render_page(folder / page.file, page.number, dpi=options.pdf_render_dpi)
        else:
            image = PagePixels(page.image, page.frame, pdf_dpi=options.pdf_render_dpi).full
        return len(engine.recognize(image, lang=langs, psm=3).text)

    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(read, pages))
    seconds = time.perf_counter() - started
    return {"pages": len(pages), "seconds": seconds, "cpu_s": cpu_seconds() - cpu_before,
            "pages_per_s": len(pages) / seconds}


def main(argv: list[str] | None = None) -> int:
    """Print the throughput table for each batch size."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dossiers", type=int, nargs="+", default=[10, 50, 200])
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--root", type=Path, default=Path("/tmp/dossier-bench"), help="generated batches")
    parser.add_argument("--baseline-max", type=int, default=50, help="largest size that also runs the baseline")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    results = []
    for size in args.dossiers:
        batch = ensure_batch(size, args.seed, args.root)
        row = run_pipeline_isolated(batch, args.workers)
        if size <= args.baseline_max:
            base = run_baseline(batch, args.workers, RunOptions().ocr_langs)
            row["baseline_pages_per_s"] = base["pages_per_s"]
            row["baseline_cpu_s"] = base["cpu_s"]
            row["speedup"] = row["pages_per_s"] / base["pages_per_s"]
        results.append(row)
        shares = " ".join(f"{k} {v:.0%}" for k, v in row["stage_share"].items())
        print(
            f"N={size:>3}  pages={row['pages']:>5}  {row['seconds']:7.1f} s (CPU {row['cpu_s']:.1f} s, baseline "
            f"{row.get('baseline_cpu_s', float('nan')):.1f} s)  {row['pages_per_s']:.2f} pages/s  "
            f"{row['s_per_dossier']:.2f} s/dossier  baseline {row.get('baseline_pages_per_s', float('nan')):.2f} "
            f"pages/s (x{row.get('speedup', float('nan')):.2f})  peak {row['peak_mb']:.0f} MiB  "
            f"type {row['type_accuracy']:.1%}  "
            f"issue {row['issue_date_exact']:.1%}  expiry {row['expiry_date_exact']:.1%}  mrz {row['mrz_read']:.1%}  "
            f"false-ready {row['false_ready']}\n       time per stage: {shares}",
            flush=True,
        )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
