"""Drop 20 dossiers into a watched inbox while they are being copied: none lost, none processed twice.

Usage::

    python -m benchmarks.watch [--count 20] [--stable 1.0] [--real]

A writer thread copies dossiers in chunks (some with a ``READY`` marker), the watcher runs in
another thread; halfway through, the watcher is "killed" (its callback raises a BaseException
mid-dossier) and restarted. With ``--real`` each dossier is checked by the core (``api.run``) on
a generated sample batch instead of a counting fake.
"""

from __future__ import annotations

import argparse
import collections
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from pipeline.watch import watch


class Killed(BaseException):
    """Stands for a kill of the watcher process in the middle of a dossier."""


def copy_slowly(source: Path, target: Path, chunk: int = 64 * 1024, pause: float = 0.01) -> None:
    """Copy a dossier folder file by file and chunk by chunk, as a slow network copy would."""
    target.mkdir(parents=True)
    for path in sorted(p for p in source.rglob("*") if p.is_file()):
        dest = target / path.relative_to(source)
        dest.parent.mkdir(parents=True, exist_ok=True)
        with path.open("rb") as src, dest.open("wb") as out:
            while block := src.read(chunk):
                out.write(block)
                out.flush()
                time.sleep(pause)


def synthetic(root: Path, count: int) -> list[Path]:
    """Small fake dossiers (two files each) for the counting mode."""
    folders = []
    for i in range(count):
        folder = root / f"{i:03d}-dossier"
        folder.mkdir(parents=True)
        (folder / "passport.jpg").write_bytes(bytes([i % 256]) * 300_000)
        (folder / "casier.pdf").write_bytes(b"%PDF-1.4\n" + bytes(200_000))
        folders.append(folder)
    return folders


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; exit 1 when a dossier was lost or processed twice."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.watch", description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=20)
    parser.add_argument("--stable", type=float, default=1.0, help="stable_seconds of the watcher")
    parser.add_argument("--real", action="store_true", help="check each dossier with the core")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="dossier-watch-") as tmp:
        root = Path(tmp)
        inbox, out = root / "inbox", root / "out"
        inbox.mkdir()
        if args.real:
            import datetime as dt
            import subprocess

            from pipeline.context import RunOptions
            from pipeline.watch import report_process

            subprocess.run([sys.executable, "-m", "samples.generate", "dossiers", "--out", str(root / "gen"),
                            "--count", str(args.count), "--seed", "3", "--compact"], check=True)
            sources = sorted(p for p in (root / "gen" / "batch").iterdir() if p.is_dir())
            inner: Callable[[Path, Path], None] = report_process(
                RunOptions(as_of=dt.date(2026, 11, 25), cache=str(root / "cache"), workers=2))
        else:
            sources = synthetic(root / "src", args.count)

            def inner(folder: Path, target: Path) -> None:
                (target / "report.json").write_text("{}")

        completed: collections.Counter[str] = collections.Counter()
        attempts: collections.Counter[str] = collections.Counter()
        kill_at = sources[len(sources) // 2].name
        killed = threading.Event()

        def process(folder: Path, target: Path) -> None:
            attempts[folder.name] += 1
            if folder.name == kill_at and not killed.is_set():
                killed.set()
                raise Killed(folder.name)
            inner(folder, target)
            completed[folder.name] += 1

        def writer() -> None:
            for i, src in enumerate(sources):
                copy_slowly(src, inbox / src.name)
                if i % 4 == 0:
                    (inbox / src.name / "READY").write_text("")

        started = time.perf_counter()
        copier = threading.Thread(target=writer)
        copier.start()
        restarts = 0
        while True:
            try:
                stop = threading.Event()
                done = threading.Event()

                def stop_when_all_copied(stop: threading.Event = stop, done: threading.Event = done) -> None:
                    copier.join()
                    while not done.is_set() and sum(completed.values()) < len(sources):
                        time.sleep(0.1)
                    stop.set()

                stopper = threading.Thread(target=stop_when_all_copied, daemon=True)
                stopper.start()
                watch(inbox, out, process=process, stable_seconds=args.stable, poll_seconds=0.2, stop=stop)
                done.set()
                break
            except Killed:
                done.set()
                restarts += 1
                print(f"watcher killed while processing {kill_at}; restarting")
        seconds = time.perf_counter() - started
        copier.join()
    lost = [s.name for s in sources if completed[s.name] == 0]
    doubled = [name for name, n in completed.items() if n > 1]
    print(f"dossiers dropped: {len(sources)}; completed: {sum(completed.values())}; attempts: "
          f"{sum(attempts.values())} (1 killed); restarts: {restarts}")
    print(f"lost: {lost or 'none'}; processed twice: {doubled or 'none'}; wall time: {seconds:.1f} s "
          f"({'core' if args.real else 'fake callback'}, stable_seconds={args.stable})")
    shutil.rmtree(root, ignore_errors=True)
    return 0 if not lost and not doubled else 1


if __name__ == "__main__":
    sys.exit(main())
