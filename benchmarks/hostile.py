"""Hostile input: what refusing each bomb costs, what the hostile batch costs, how fast Ctrl-C stops a run.

    .venv/bin/python -m benchmarks.hostile [--trials 5]

Each bomb is checked alone in a fresh process (peak memory is per process): CPU seconds and peak
resident memory (VmHWM) of a one-file dossier, against the same process with an ordinary one-page
scan as the baseline. Ctrl-C: a child process checks two sample dossiers with an OCR engine that
takes 0.4 s a call; SIGINT once a page is cached; seconds until the process is gone. Numbers on a
shared machine vary with its load: prefer CPU seconds and memory; rerun on a quiet machine.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

ONE_FILE = """
import datetime as dt, json, resource, sys, time
from pathlib import Path
from pipeline import api
from pipeline.context import RunOptions
from pipeline.engines.ocr import FakeOcrEngine
from tests.hostile import content
name, folder = sys.argv[1], Path(sys.argv[2])
builders = {**content.CASES, **content.BOMBS, **content.ZIPS}
folder.mkdir(parents=True)
(folder / name).write_bytes(builders[name]())
options = RunOptions(as_of=dt.date(2026, 11, 25), workers=1, cache="off")
cpu = time.process_time()
report = api.run(folder, options, engine=FakeOcrEngine(""))
cpu = time.process_time() - cpu
hwm = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM"))
first = report.dossiers[0].files[0]
print(json.dumps({"cpu": cpu, "hwm_mib": hwm / 1024, "status": first.status.value, "message": first.message[:70],
                  "entries": len(report.dossiers[0].files)}))
"""


def _one_file(name: str) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        done = subprocess.run([sys.executable, "-c", ONE_FILE, name, str(Path(tmp) / "d")], cwd=ROOT,
                              capture_output=True, text=True, check=True,
                              env={**os.environ, "PYTHONPATH": str(ROOT), "OMP_THREAD_LIMIT": "1"})
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def bombs() -> None:
    """One line per bomb and zip case, with the ordinary scan first as the baseline."""
    from tests.hostile import content

    print("| file | status | CPU s | peak MiB | entries | message |")
    print("|---|---|---:|---:|---:|---|")
    for name in ["cmyk.jpg", *content.BOMBS, *content.ZIPS]:
        r = _one_file(name)
        print(f"| {name} | {r['status']} | {r['cpu']:.2f} | {r['hwm_mib']:.0f} | {r['entries']} | {r['message']} |")


def batch() -> None:
    """The whole hostile batch of tests/hostile (98 cases), fake OCR, 2 workers, cache off."""
    import datetime as dt

    from pipeline import api
    from pipeline.context import RunOptions
    from pipeline.engines.ocr import FakeOcrEngine
    from tests.hostile import batch as hostile

    with tempfile.TemporaryDirectory() as tmp:
        root = hostile.build(Path(tmp))
        options = RunOptions(as_of=dt.date(2026, 11, 25), workers=2, cache="off", max_pages_per_file=5,
                             max_archive_members=50, max_archive_bytes=16 << 20,
                             exclude=(str((root / hostile.REPORTS).resolve()),))
        wall, cpu = time.monotonic(), time.process_time()
        report = api.run(root, options, engine=FakeOcrEngine(""))
        wall, cpu = time.monotonic() - wall, time.process_time() - cpu
    files = sum(len(d.files) for d in report.dossiers) + len(report.batch_files)
    print(f"hostile batch: {len(report.dossiers)} dossiers, {files} entries, {wall:.1f} s wall, {cpu:.1f} s CPU "
          f"(main process; pdftoppm children not counted)")


def ctrl_c(trials: int) -> None:
    """Seconds from SIGINT to the end of the process, over ``trials`` runs."""
    from tests.hostile.test_faults import CHILD

    samples = ROOT / "samples" / "batch"
    delays = []
    for _ in range(trials):
        with tempfile.TemporaryDirectory() as tmp:
            batch = Path(tmp) / "batch"
            for name in ("001-patel", "003-tahiri"):
                (batch / name).mkdir(parents=True)
                for scan in (samples / name).iterdir():
                    if scan.suffix in (".jpg", ".png"):
                        (batch / name / scan.name).write_bytes(scan.read_bytes())
            cache = Path(tmp) / "cache"
            process = subprocess.Popen([sys.executable, "-c", CHILD, str(batch), str(Path(tmp) / "out"), str(cache)],
                                       cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            while not list(cache.rglob("*.json")):
                time.sleep(0.05)
            started = time.monotonic()
            process.send_signal(signal.SIGINT)
            process.wait()
            delays.append(time.monotonic() - started)
            assert process.returncode == 130, process.returncode
    print(f"Ctrl-C to exit over {trials} runs: min {min(delays):.2f} s, median {statistics.median(delays):.2f} s, "
          f"max {max(delays):.2f} s (exit code 130 each time)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=5, help="Ctrl-C trials")
    args = parser.parse_args()
    bombs()
    batch()
    ctrl_c(args.trials)


if __name__ == "__main__":
    main()
