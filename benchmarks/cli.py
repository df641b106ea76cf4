"""Run ``dossier`` as a user does (a separate process) and measure wall time and CPU of every process.

CPU is counted where it is spent: the ``dossier`` process itself (with its tesseract threads and
helper processes), the warm fork that ran the check (its CPU lands in the warm process's
``cutime``/``cstime`` once it is reaped), and the local Prefect server (and its children). On a
shared machine wall time follows the neighbours' load; CPU seconds do much less, so benchmarks
report both.
"""

from __future__ import annotations

import dataclasses
import os
import resource
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from flows import server, warm

TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


@dataclasses.dataclass(frozen=True)
class Measured:
    """One ``dossier`` command."""

    code: int
    wall_s: float
    client_cpu_s: float
    """The ``dossier`` process and its children (everything, when the run happened there)."""
    fork_cpu_s: float
    """The warm fork that ran the check (0 when it ran in the ``dossier`` process)."""
    server_cpu_s: float
    """The local Prefect server while the command ran."""
    stderr: str

    @property
    def cpu_s(self) -> float:
        """All CPU the run cost on this machine."""
        return self.client_cpu_s + self.fork_cpu_s + self.server_cpu_s


def _proc_cpu(pid: int | None, children: bool) -> float:
    """CPU seconds of a process (plus its reaped children) from ``/proc`` (0 when unknown)."""
    if pid is None:
        return 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    # after the ")" field 0 is the state: utime, stime, cutime, cstime are fields 11..14
    ticks = int(fields[11]) + int(fields[12])
    if children:
        ticks += int(fields[13]) + int(fields[14])
    return ticks / TICK


def _daemons() -> tuple[int | None, int | None]:
    local = server.read_state()
    process = warm.read_state()
    return (local.pid if local and local.is_running() else None,
            process.pid if process and warm.is_running(process) else None)


def command() -> list[str]:
    """The installed ``dossier`` script of this interpreter (as users start it), else the launcher module."""
    script = Path(sys.executable).parent / "dossier"
    return [str(script)] if script.exists() else [sys.executable, "-m", "pipeline.launch"]


def dossier(args: Sequence[str], env: Mapping[str, str] | None = None, timeout_s: float = 3600) -> Measured:
    """Run ``dossier ARGS`` (this interpreter's) and measure it."""
    server_pid, warm_pid = _daemons()
    server_before = _proc_cpu(server_pid, children=True)
    fork_before = _proc_cpu(warm_pid, children=True) - _proc_cpu(warm_pid, children=False)
    usage_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run([*command(), *args], env=dict(env or os.environ),
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, timeout=timeout_s, check=False)
    wall = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    client = (usage.ru_utime + usage.ru_stime) - (usage_before.ru_utime + usage_before.ru_stime)
    new_server, new_warm = _daemons()
    fork = 0.0
    if new_warm is not None and new_warm == warm_pid:
        fork = (_proc_cpu(warm_pid, children=True) - _proc_cpu(warm_pid, children=False)) - fork_before
    served = _proc_cpu(new_server, children=True) - (server_before if new_server == server_pid else 0.0)
    return Measured(done.returncode, wall, client, fork, served, done.stderr)
