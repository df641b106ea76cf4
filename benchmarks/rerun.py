"""Cold vs warm re-run of a 50-dossier batch: the page cache must make a re-check >= 20x faster.

Usage::

    python -m benchmarks.rerun [--batch DIR] [--count 50] [--seed 1] [--workers N] [--flow | --cli]

Without ``--batch`` the batch is generated with ``python -m samples.generate dossiers``. The cold run
starts from an empty cache folder; the warm run re-checks the same batch on the next day (a new
``--as-of`` must not invalidate the cache). OCR calls are counted at the engine (page OCR and MRZ).
With ``--cli`` both runs are ``dossier check`` commands as a user types them (the local Prefect
server started first in a temporary data folder, the warm process up, as on any day after the
first): wall and CPU of every process involved (:mod:`benchmarks.cli`); OCR calls are then not
counted (they happen in another process) but the report says how many pages came from the cache.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_THREAD_LIMIT", "1")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

from pipeline import api  # noqa: E402
from pipeline.context import RunOptions, default_workers  # noqa: E402
from pipeline.engines.ocr import TesseractEngine, TesserocrEngine  # noqa: E402
from pipeline.report import RunReport  # noqa: E402

TARGET_SPEEDUP = 20.0


class OcrCounter:
    """Counts OCR calls of both tesseract engines from every thread (page OCR and MRZ reads)."""

    ENGINES = (TesseractEngine, TesserocrEngine)

    def __init__(self) -> None:
        self.calls = 0
        self._lock = threading.Lock()
        self._real = {cls: cls.recognize for cls in self.ENGINES}

    def __enter__(self) -> OcrCounter:
        counter = self
        for cls, real in self._real.items():

            def counting(engine: Any, *args: Any, _real: Any = real, **kwargs: Any) -> Any:
                with counter._lock:
                    counter.calls += 1
                return _real(engine, *args, **kwargs)

            cls.recognize = counting  # type: ignore[method-assign,assignment]
        return self

    def __exit__(self, *exc: object) -> None:
        for cls, real in self._real.items():
            cls.recognize = real  # type: ignore[method-assign]


def generate(out: Path, count: int, seed: int) -> Path:
    """Generate a batch with the samples generator; returns the batch folder."""
    subprocess.run([sys.executable, "-m", "samples.generate", "dossiers", "--out", str(out), "--count", str(count),
                    "--seed", str(seed)], check=True)
    batch = out / "batch"
    return batch if batch.is_dir() else out


def runner(use_flow: bool) -> Callable[[Path, RunOptions], RunReport]:
    """The core (default) or the Prefect flow (``--flow``; includes the flow's own overhead)."""
    if not use_flow:
        return lambda path, options: api.run(path, options)
    from flows.check import run_check  # Prefect only when asked

    return lambda path, options: run_check(str(path), options)


def timed(
    run: Callable[[Path, RunOptions], RunReport], batch: Path, options: RunOptions
) -> tuple[float, int, RunReport]:
    """Seconds, OCR calls and report of one run."""
    with OcrCounter() as counter:
        started = time.perf_counter()
        report = run(batch, options)
        seconds = time.perf_counter() - started
    return seconds, counter.calls, report


def cli_runs(batch: Path, root: Path, workers: int, as_of: dt.date) -> int:
    """Cold and unchanged re-run as ``dossier check`` commands, server and warm process already up."""
    import json

    from benchmarks.cli import dossier
    from flows import server, warm

    env = dict(os.environ, XDG_DATA_HOME=str(root / "data"), OMP_THREAD_LIMIT="1")
    env.pop("PREFECT_API_URL", None)
    os.environ.update(XDG_DATA_HOME=env["XDG_DATA_HOME"])
    base = ["check", str(batch), "--workers", str(workers), "--no-progress", "--cache", str(root / "cache")]
    try:
        up = dossier(["server", "start"], env)
        print(f"server start: {up.wall_s:.1f} s wall (once)")
        first = next(p for p in sorted(batch.iterdir()) if p.is_dir())
        dossier(["check", str(first), "--out", str(root / "prime"), "--as-of", as_of.isoformat(), "--cache", "off",
                 "--no-progress"], env)  # brings the warm process up (once per machine, like the server)
        cold = dossier([*base, "--out", str(root / "cold"), "--as-of", as_of.isoformat()], env)
        later = (as_of + dt.timedelta(days=1)).isoformat()
        again = dossier([*base, "--out", str(root / "warm"), "--as-of", later], env)
    finally:
        warm.stop()
        server.stop()
    for run in (cold, again):
        if run.code != 0:
            print(f"exit {run.code}\n{run.stderr[-2000:]}")
            return 2
    reports = [json.loads((root / name / "report.json").read_text()) for name in ("cold", "warm")]
    pages = sum(d["stats"].get("pages", 0) for d in reports[0]["dossiers"])
    speedup = cold.wall_s / again.wall_s
    print(f"batch: {batch} ({len(reports[0]['dossiers'])} dossiers, {pages} pages), workers={workers}, dossier check")
    for label, run in (("cold", cold), ("warm", again)):
        print(f"{label}: {run.wall_s:8.2f} s wall  CPU {run.cpu_s:7.2f} s (dossier {run.client_cpu_s:.2f} + fork "
              f"{run.fork_cpu_s:.2f} + server {run.server_cpu_s:.2f})")
    print(f"end to end: {pages / cold.wall_s:.2f} pages/s first run")
    print(f"speed-up: {speedup:.1f}x wall, {cold.cpu_s / again.cpu_s:.1f}x CPU (bar: {TARGET_SPEEDUP:.0f}x)")
    same = [d["id"] for d in reports[0]["dossiers"]] == [d["id"] for d in reports[1]["dossiers"]]
    print(f"same dossiers in both runs: {same}")
    return 0 if speedup >= TARGET_SPEEDUP and same else 1


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; exit 1 when the warm run is not at least 20x faster."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.rerun", description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=Path, default=None, help="existing batch folder (default: generate one)")
    parser.add_argument("--count", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=min(default_workers(), 8))
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=dt.date(2026, 11, 25))
    how = parser.add_mutually_exclusive_group()
    how.add_argument("--flow", action="store_true", help="run through the Prefect flow instead of the core")
    how.add_argument("--cli", action="store_true", help="run `dossier check` commands, as a user does")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="dossier-bench-") as tmp:
        batch = args.batch or generate(Path(tmp) / "gen", args.count, args.seed)
        if args.cli:
            return cli_runs(batch, Path(tmp), args.workers, args.as_of)
        cache = Path(tmp) / "cache"
        options = RunOptions(as_of=args.as_of, workers=args.workers, cache=str(cache))
        run = runner(args.flow)
        cold_s, cold_ocr, cold = timed(run, batch, options)
        later = options.model_copy(update={"as_of": args.as_of + dt.timedelta(days=1)})
        warm_s, warm_ocr, warm = timed(run, batch, later)
    pages = sum(d.stats.get("pages", 0) for d in cold.dossiers)
    speedup = cold_s / warm_s if warm_s else float("inf")
    print(f"batch: {batch} ({len(cold.dossiers)} dossiers, {pages} pages), workers={args.workers}, "
          f"{'flow' if args.flow else 'core'}")
    print(f"cold: {cold_s:8.2f} s  OCR calls: {cold_ocr}")
    print(f"warm: {warm_s:8.2f} s  OCR calls: {warm_ocr}")
    print(f"speed-up: {speedup:.1f}x (bar: {TARGET_SPEEDUP:.0f}x)")
    same = [d.id for d in cold.dossiers] == [d.id for d in warm.dossiers]
    print(f"same dossiers in both runs: {same}")
    return 0 if speedup >= TARGET_SPEEDUP and warm_ocr == 0 and same else 1


if __name__ == "__main__":
    sys.exit(main())
