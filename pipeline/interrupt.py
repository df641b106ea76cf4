"""Ctrl-C: the process ends within seconds with exit code 130, one line and no traceback.

Waiting for the workers would take as long as their current pages (tesseract cannot be interrupted)
and Prefect's engine would log connection errors to a server that got the same Ctrl-C. So the first
SIGINT (or SIGTERM) ends the process at once: every page finished so far is already in the page
cache (entries are written atomically, so none is torn), the run's scratch folders are removed, child
processes (the temporary Prefect server, pdftoppm) are stopped, and the previous reports stay as they
were (they are only replaced after a completed run). Running the same command again continues from
the cache.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import signal
import sys
import tempfile
import time
import types
from collections.abc import Callable, Iterator
from pathlib import Path

EXIT_CODE = 130
CHILD_GRACE_S = 0.5
"""Time given to child processes to stop after SIGTERM before SIGKILL."""

_scratch: set[Path] = set()
_cleanups: list[Callable[[], None]] = []


def on_interrupt(cleanup: Callable[[], None]) -> None:
    """Run ``cleanup`` (quick, best effort) when the process is interrupted."""
    _cleanups.append(cleanup)


@contextlib.contextmanager
def scratch_dir(prefix: str = "dossier-") -> Iterator[Path]:
    """A temporary folder that is removed at the end of the block, and also when Ctrl-C ends the process."""
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        path = Path(tmp)
        _scratch.add(path)
        try:
            yield path
        finally:
            _scratch.discard(path)


def _children() -> list[int]:
    """Process ids of our child processes (Linux /proc; none elsewhere)."""
    pids: list[int] = []
    for task in Path(f"/proc/{os.getpid()}/task").glob("*/children"):
        with contextlib.suppress(OSError, ValueError):
            pids += [int(p) for p in task.read_text().split()]
    return pids


def _stop_children() -> None:
    children = _children()
    for pid in children:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + CHILD_GRACE_S
    alive = set(children)
    while alive and time.monotonic() < deadline:
        for pid in list(alive):
            with contextlib.suppress(ChildProcessError, OSError):
                done, _ = os.waitpid(pid, os.WNOHANG)
                if not done:
                    continue
            alive.discard(pid)
        time.sleep(0.02)
    for pid in alive:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)


def stop_now(message: str, code: int = EXIT_CODE) -> None:
    """End the process: say ``message``, clean up, stop the children, exit ``code`` (never returns)."""
    logging.disable(logging.CRITICAL)  # no log line or traceback from threads being torn down
    with contextlib.suppress(Exception):
        sys.stderr.write(message + "\n")
        sys.stderr.flush()
    for cleanup in _cleanups:
        with contextlib.suppress(Exception):
            cleanup()
    for path in list(_scratch):
        shutil.rmtree(path, ignore_errors=True)
    _stop_children()
    os._exit(code)


@contextlib.contextmanager
def exit_on_interrupt(message: Callable[[], str]) -> Iterator[None]:
    """Within the block, Ctrl-C (SIGINT, exit 130) or SIGTERM (exit 143) ends the process at once (see the
    module docstring).

    Args:
        message: Builds the line shown on stderr (e.g. how many pages are cached).
    """
    def handler(signum: int, frame: types.FrameType | None) -> None:
        stop_now(message(), 128 + signum)  # 130 for Ctrl-C, 143 for SIGTERM (the shell convention)

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
