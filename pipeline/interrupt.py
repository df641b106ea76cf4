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
import tempfile
import types
from collections.abc import Callable, Iterator
from pathlib import Path

EXIT_CODE = 130

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


def _children(pid: int | None = None) -> list[int]:
    """Process ids of the children of ``pid`` (ours by default; Linux /proc, none elsewhere)."""
    pids: list[int] = []
    for task in Path(f"/proc/{pid or os.getpid()}/task").glob("*/children"):
        with contextlib.suppress(OSError, ValueError):
            pids += [int(p) for p in task.read_text().split()]
    return pids


def _descendants() -> list[int]:
    """Our children, their children and so on, deepest first."""
    found: list[int] = []
    level = _children()
    while level:
        found = level + found
        level = [child for pid in level for child in _children(pid)]
    return found


def _stop_children() -> None:
    """Kill every descendant at once (SIGKILL): the temporary Prefect server answers SIGTERM with pages
    of shutdown tracebacks on the terminal it shares with us, and pdftoppm has nothing to save. Its
    database is SQLite, which rolls an interrupted transaction back on the next start."""
    for pid in _descendants():
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)


def stop_now(message: str, code: int = EXIT_CODE) -> None:
    """End the process: say ``message``, clean up, stop the children, exit ``code`` (never returns)."""
    logging.disable(logging.CRITICAL)  # no log line or traceback from threads being torn down
    with contextlib.suppress(Exception):  # straight to the descriptor: a progress display may own sys.stderr
        os.write(2, (message + "\n").encode("utf-8", "backslashreplace"))
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
