"""One 2-page dossier as a user checks it: ``dossier check`` with a cold and with a warm page cache.

Usage::

    python -m benchmarks.single [--runs 3] [--modes warm,server,off]

Each mode is a value of ``DOSSIER_SERVER`` (see ``pipeline/launch.py``): ``warm`` (the default: the
local Prefect server up, the check run in a fork of the warm process), ``server`` (the server up,
the check run in the ``dossier`` process: Prefect and the pipeline imported on every run) and
``off`` (no local server: Prefect starts a temporary one per run). The local server lives in a
temporary data folder, is started before the timed runs ("server already up") and stopped at the
end. Bars (issue 16): <= 4 s with a cold page cache, <= 2 s cached, in ``warm`` mode.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from benchmarks.cli import Measured, dossier
from flows import server, warm

SAMPLES = Path(__file__).resolve().parents[1] / "samples" / "batch"
PAGES = (SAMPLES / "004-rodriguez" / "passeport.jpg", SAMPLES / "001-patel" / "medisch_attest.png")
"""A passport photo page and a medical certificate: two raster pages, both read in full."""
COLD_BAR_S, CACHED_BAR_S = 4.0, 2.0


def line(label: str, runs: list[Measured]) -> str:
    """Median wall and CPU of some runs."""
    wall = statistics.median(r.wall_s for r in runs)
    cpu = statistics.median(r.cpu_s for r in runs)
    parts = " + ".join(f"{name} {statistics.median(getattr(r, attr) for r in runs):.2f}" for name, attr in
                       (("dossier", "client_cpu_s"), ("fork", "fork_cpu_s"), ("server", "server_cpu_s")))
    return f"  {label:7s} wall {wall:6.2f} s   CPU {cpu:6.2f} s ({parts})"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; exit 1 when ``warm`` misses a bar."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.single", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="cached runs per mode (median)")
    parser.add_argument("--modes", default="warm,server", help="comma-separated DOSSIER_SERVER values")
    args = parser.parse_args(argv)
    ok = True
    with tempfile.TemporaryDirectory(prefix="dossier-single-") as tmp:
        root = Path(tmp)
        folder = root / "dossier"
        folder.mkdir()
        for page in PAGES:
            shutil.copy(page, folder / page.name)
        env = dict(os.environ, XDG_DATA_HOME=str(root / "data"), OMP_THREAD_LIMIT="1")
        env.pop("PREFECT_API_URL", None)
        os.environ.update(XDG_DATA_HOME=env["XDG_DATA_HOME"])
        first = dossier(["server", "start"], env)
        print(f"server start: {first.wall_s:.1f} s wall (once; the first run of the day says so)")
        try:
            for mode in args.modes.split(","):
                run_env = dict(env, DOSSIER_SERVER=mode)
                check = ["check", str(folder), "--out", str(root / "out"), "--as-of", "2026-11-25", "--no-progress"]
                if mode == "warm":  # bring the warm process up (once per machine, like the server)
                    dossier([*check, "--cache", "off"], run_env)
                colds = []
                for n in range(args.runs):
                    colds.append(dossier([*check, "--cache", str(root / f"cache-{mode}-{n}")], run_env))
                warm_cache = ["--cache", str(root / f"cache-{mode}-0")]
                cached = [dossier([*check, *warm_cache], run_env) for _ in range(args.runs)]
                failed = [r for r in colds + cached if r.code != 0]
                if failed:
                    print(f"{mode}: exit {failed[0].code}\n{failed[0].stderr}")
                    return 2
                print(f"DOSSIER_SERVER={mode}")
                print(line("cold", colds))
                print(line("cached", cached))
                if mode == "warm":
                    ok = (statistics.median(r.wall_s for r in colds) <= COLD_BAR_S
                          and statistics.median(r.wall_s for r in cached) <= CACHED_BAR_S)
        finally:
            warm.stop()
            server.stop()
    print(f"bars (warm): cold <= {COLD_BAR_S:.0f} s, cached <= {CACHED_BAR_S:.0f} s wall: {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
