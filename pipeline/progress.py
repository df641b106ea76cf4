"""Progress of a run: a bar on a terminal (pages, dossiers, rate, time left), else one line per dossier.

The run reads every dossier first, so the display knows the number of pages to process before the
first one is done; pages of unchanged files come from the page cache and are counted apart (they
cost nothing, and counting them as done would make the rate and the time left a lie).
"""

from __future__ import annotations

import time
import types
from typing import Self

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn

from pipeline.model import Page
from pipeline.report import DossierReport


def printable(text: str) -> str:
    r"""A name from the file system that cannot rewrite the terminal (control characters escaped).

    >>> printable("007\x1b[2J")
    '007\\x1b[2J'
    """
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


def duration(seconds: float) -> str:
    """A short human duration.

    >>> duration(42.4), duration(125), duration(3725)
    ('42 s', '2 min 5 s', '1 h 2 min')
    """
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60} min"


class RunDisplay:
    """The command line's view of a run (a :class:`pipeline.api.RunProgress`).

    Args:
        console: Where to show it (stderr).
        enabled: False shows nothing (``--no-progress``).
    """

    def __init__(self, console: Console, *, enabled: bool = True) -> None:
        self.console = console
        self.enabled = enabled
        self.live = enabled and console.is_terminal
        self.dossiers = self.pages = self.cached = 0
        self.dossiers_done = self.pages_done = 0
        self.started = time.monotonic()
        self._bar: Progress | None = None
        self._task: TaskID | None = None

    def __enter__(self) -> Self:
        if self.live:
            self._bar = Progress(TextColumn("{task.fields[unit]}"), BarColumn(), MofNCompleteColumn(),
                                 TextColumn("{task.description}"), console=self.console, transient=False)
            self._bar.start()
            self._task = self._bar.add_task("reading the dossiers…", total=None, unit="pages")
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: types.TracebackType | None) -> None:
        if self._bar is not None:
            self._bar.stop()

    def rate(self) -> float | None:
        """Pages processed per second since the work was known (None before the first page)."""
        elapsed = time.monotonic() - self.started
        return self.pages_done / elapsed if self.pages_done and elapsed > 0 else None

    def left(self) -> float | None:
        """Seconds left at the current rate (None while unknown)."""
        rate = self.rate()
        return (self.pages - self.pages_done) / rate if rate else None

    def pace(self) -> str:
        """``3.1 pages/s · about 1 min 5 s left`` (what is known so far)."""
        parts = []
        rate, left = self.rate(), self.left()
        if rate is not None:
            parts.append(f"{rate:.1f} pages/s")
        if left is not None and self.pages_done < self.pages:
            parts.append(f"about {duration(left)} left")
        return " · ".join(parts)

    def summary(self) -> str:
        """The bar's text: ``12/50 dossiers · 3.1 pages/s · about 1 min 5 s left · 84 pages from the cache``."""
        cached = f"{self.cached} pages from the cache" if self.cached else ""
        return " · ".join(p for p in (f"{self.dossiers_done}/{self.dossiers} dossiers", self.pace(), cached) if p)

    def planned(self, dossiers: int, pages: int | None, cached: int) -> None:
        """Every dossier is read: the work is known (``pages`` None: the pages are read elsewhere)."""
        self.dossiers, self.pages, self.cached = dossiers, pages or 0, cached
        self.started = time.monotonic()
        self._refresh(total=pages)
        if self.enabled and not self.live:
            work = "the pages are read by the pool's workers" if pages is None else (
                f"{pages} pages to read, {cached} from the page cache")
            self.console.print(f"{dossiers} dossier{'s' * (dossiers != 1)}: {work}", highlight=False, soft_wrap=True)

    def page_done(self, page: Page) -> None:
        """One more page processed."""
        self.pages_done += 1
        self._refresh()

    def dossier_done(self, report: DossierReport) -> None:
        """One more dossier assembled: a line of its own when there is no terminal."""
        self.dossiers_done += 1
        self._refresh()
        if self.enabled and not self.live:
            pages = report.stats.get("pages", 0)
            done = f"{self.pages_done}/{self.pages} pages read" if self.pages else ""
            self.console.print(
                " · ".join(p for p in (
                    f"[{self.dossiers_done}/{self.dossiers}] {escape(printable(report.id))}: {report.verdict.value}, "
                    f"{pages} page{'s' * (pages != 1)}", done, self.pace()) if p),
                highlight=False, soft_wrap=True,
            )

    def _refresh(self, total: int | None = None) -> None:
        if self._bar is None or self._task is None:
            return
        if total is not None:
            self._bar.update(self._task, total=total)
        if not self.pages:  # nothing read here: count dossiers instead
            self._bar.update(self._task, total=self.dossiers or None, completed=self.dossiers_done,
                             description=escape(self.summary()), unit="dossiers")
            return
        self._bar.update(self._task, completed=self.pages_done, description=escape(self.summary()))
