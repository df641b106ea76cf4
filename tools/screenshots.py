"""Screenshots of a report in headless Chromium (Debian's), for the README: overview and one dossier.

Usage::

    python -m tools.screenshots REPORT_DIR OUT_DIR [--dossier ID] [--prefix NAME]

``REPORT_DIR`` holds ``report.html`` (opened from disk: no server, no network). Writes
``<prefix>-overview.png`` (the top of the page) and ``<prefix>-dossier.png`` (the dossier's section
with its first findings opened, so their crops show).
"""

from __future__ import annotations

import argparse
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

from PIL import Image

WIDTH = 1280
MAX_HEIGHT = 1500
EAGER_IMAGES = """Promise.all([...document.images].map(image => {
    image.loading = "eager";
    return image.complete ? 0 : new Promise(done => { image.onload = image.onerror = done; });
}))"""
"""Lazy images below the fold are loaded before a screenshot."""


def _shrink(path: Path) -> None:
    """256 colours are plenty for a page of text and badges: a third of the bytes in the repository."""
    with Image.open(path) as image:
        small = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    small.save(path, optimize=True)


def main(argv: Sequence[str] | None = None) -> int:
    """Write the screenshots; exit 1 without Chromium."""
    parser = argparse.ArgumentParser(prog="python -m tools.screenshots", description=__doc__.splitlines()[0])
    parser.add_argument("report", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--dossier", default=None, help="dossier to show (default: first to review, else first)")
    parser.add_argument("--prefix", default="report")
    parser.add_argument("--open", type=int, default=2, help="findings opened to show their evidence")
    args = parser.parse_args(argv)
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        print("chromium not found (apt-get install chromium)", file=sys.stderr)
        return 1
    from playwright.sync_api import sync_playwright

    args.out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": WIDTH, "height": 900}, device_scale_factor=1)
        page.goto((args.report / "report.html").resolve().as_uri())
        page.evaluate(EAGER_IMAGES)
        page.screenshot(path=str(args.out / f"{args.prefix}-overview.png"))
        row = (f"#overview-table tr[data-id='{args.dossier}']" if args.dossier
               else "#overview-table tr[data-verdict='needs_review']")
        if not args.dossier and page.locator(row).count() == 0:
            row = "#overview-table tr"  # no dossier to review: show the first one
        anchor = page.locator(f"{row} a").first.get_attribute("href")
        section = page.locator(str(anchor))
        for details in section.locator("details.finding").all()[: args.open]:
            details.evaluate("element => { element.open = true; }")
        section.scroll_into_view_if_needed()
        page.evaluate(EAGER_IMAGES)
        shot = args.out / f"{args.prefix}-dossier.png"
        section.screenshot(path=str(shot))
        with Image.open(shot) as image:  # the top of a long section is what the README needs
            image.crop((0, 0, image.width, min(image.height, MAX_HEIGHT))).save(shot)
        for name in (f"{args.prefix}-overview.png", f"{args.prefix}-dossier.png"):
            _shrink(args.out / name)
        browser.close()
    print(f"wrote {args.out}/{args.prefix}-overview.png and -dossier.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
