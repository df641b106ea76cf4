"""The hostile batch, checked once: 0 crashes, every entry reported once, nothing merged, every output escaped."""

from __future__ import annotations

import csv
import datetime as dt
import html.parser
import io
import json
import os
import re
from pathlib import Path
from typing import Any

import pytest

from pipeline import api
from pipeline.context import RunOptions
from pipeline.engines.ocr import FakeOcrEngine
from pipeline.model import FileStatus
from pipeline.report import render_csv, render_html, render_summary_csv, write_reports
from tests.hostile import batch as hostile
from tests.hostile import content

UNSUPPORTED, ERROR, PROCESSED = FileStatus.UNSUPPORTED, FileStatus.ERROR, FileStatus.PROCESSED
CORPUS_OPTIONS = dict(as_of=dt.date(2026, 11, 25), workers=2, cache="off", max_pages_per_file=5,
                      max_archive_members=50, max_archive_bytes=16 << 20)

CONTENT_EXPECTED: dict[str, tuple[FileStatus, str]] = {
    "zero.pdf": (ERROR, "empty file"),
    "zero.jpg": (ERROR, "empty file"),
    "truncated.jpg": (ERROR, "corrupt or truncated"),
    "truncated.png": (ERROR, "corrupt or truncated"),
    "truncated.tif": (ERROR, "corrupt or truncated"),
    "truncated.pdf": (ERROR, "corrupt or truncated"),
    "garbage.pdf": (ERROR, "corrupt or truncated"),
    "bad-xref.pdf": (ERROR, "corrupt or truncated"),
    "locked.pdf": (ERROR, "password-protected"),
    "owner-only.pdf": (PROCESSED, ""),
    "no-pages.pdf": (ERROR, "no pages"),
    "five-hundred-pages.pdf": (PROCESSED, "only the first 5 of 500 pages were checked"),
    "bomb.png": (ERROR, "too large to read safely"),
    "absurd-aspect.png": (PROCESSED, ""),
    "one-pixel.png": (PROCESSED, ""),
    "polyglot-jpeg-pdf.jpg": (PROCESSED, ""),
    "pdf-with-tail.pdf": (PROCESSED, ""),
    "jpeg-named.pdf": (PROCESSED, "named .pdf but the content is image/jpeg"),
    "png-named.jpg": (PROCESSED, "named .jpg but the content is image/png"),
    "pdf-named.jpg": (PROCESSED, "named .jpg but the content is application/pdf"),
    "text-named.pdf": (UNSUPPORTED, "is not a scan"),
    "page.html.png": (UNSUPPORTED, "text/html is not a scan"),
    "contract.docx": (ERROR, "zip file is corrupt"),
    "animation.gif": (UNSUPPORTED, "image/gif is not a scan"),
    "drawing.svg": (UNSUPPORTED, "is not a scan"),
    "photo.webp": (PROCESSED, ""),
    "scan.bmp": (PROCESSED, ""),
    "cmyk.jpg": (PROCESSED, ""),
    "sixteen-bit.png": (PROCESSED, ""),
    "palette.png": (PROCESSED, ""),
    "multi-bad-frame.tif": (PROCESSED, ""),
    "exif-garbage.jpg": (PROCESSED, ""),
    ".DS_Store": (UNSUPPORTED, "is not a scan"),
    "x" * 240 + ".jpg": (PROCESSED, ""),
    # Decompression bombs on every decode path: refused from their headers, before any pixel is decoded.
    "pdf-page-4000pt.pdf": (ERROR, "page 1 is 141 x 141 cm: rendering it at 300 dpi would make 278 megapixels"),
    "pdf-image-60000px.pdf": (ERROR, "page 1 holds an image of 60000 x 60000 pixels"),
    "pdf-lying-page-count.pdf": (PROCESSED, ""),
    "tiff-frame2-20000px.tif": (ERROR, "frame 2 is too large to read safely (400 megapixels, limit 150)"),
    "tiff-500-frames.tif": (PROCESSED, "only the first 5 of 500 frames were checked"),
    "heic-20000px.heic": (ERROR, "too large to read safely"),
    "png-ztxt-bomb.png": (ERROR, "Decompressed data too large"),
    "png-ztxt-after-pixels.png": (ERROR, "Decompressed data too large"),
    "png-iccp-bomb.png": (ERROR, "Decompressed data too large"),
    # Zip files: unpacked safely, each member reported as name.zip/member.
    "scans.zip": (PROCESSED, "zip file: 3 files unpacked"),
    "zip-slip.zip": (PROCESSED, "zip file: 5 files unpacked"),
    "zip-symlink.zip": (PROCESSED, "zip file: 2 files unpacked"),
    "zip-encrypted.zip": (PROCESSED, "zip file: 1 file unpacked"),
    "zip-bomb-ratio.zip": (PROCESSED, "zip file: 1 file unpacked"),
    "zip-bomb-total.zip": (PROCESSED, "zip file: 3 files unpacked"),
    "zip-lying-size.zip": (PROCESSED, "zip file: 1 file unpacked"),
    "zip-overlapping.zip": (ERROR, "its entries overlap (a zip bomb): refused"),
    "zip-nested.zip": (PROCESSED, "zip file: 1 file unpacked"),
    "zip-many-members.zip": (PROCESSED, "only the first 50 of 80 files were unpacked"),
    "zip-truncated.zip": (ERROR, "zip file is corrupt"),
    "zip-empty.zip": (PROCESSED, "zip file: 0 files unpacked"),
    # Names and links.
    "passeport-\\xe9t\\xe9-latin1.jpg": (PROCESSED, ""),
    "link-outside.jpg": (ERROR, "outside the dossier folder: refused"),
    "link-dir-outside": (ERROR, "outside the dossier folder: refused"),
    "broken-link.pdf": (ERROR, "not a file"),
    "link-inside.png": (PROCESSED, ""),
    "named-pipe.jpg": (ERROR, "not a regular file"),
}
MEMBERS_EXPECTED: dict[str, tuple[FileStatus, str]] = {
    "scans.zip/passport.jpg": (PROCESSED, ""),
    "scans.zip/contract.pdf": (PROCESSED, ""),
    "scans.zip/__MACOSX/._passport.jpg": (UNSUPPORTED, "is not a scan"),
    "zip-slip.zip/../../escaped.jpg": (ERROR, "its path leaves the archive: refused"),
    "zip-slip.zip//etc/cron.d/evil.jpg": (ERROR, "its path is absolute: refused"),
    "zip-slip.zip/C:\\Windows\\evil.jpg": (ERROR, "its path is absolute: refused"),
    "zip-slip.zip/ok/../../../up.jpg": (ERROR, "its path leaves the archive: refused"),
    "zip-slip.zip/fine.jpg": (PROCESSED, ""),
    "zip-symlink.zip/passport.jpg": (ERROR, "symbolic link inside the archive: refused"),
    "zip-symlink.zip/real.jpg": (PROCESSED, ""),
    "zip-encrypted.zip/locked.jpg": (ERROR, "password-protected inside the archive"),
    "zip-bomb-ratio.zip/white-page.bmp": (ERROR, "compression ratio 1029:1 is above 200:1"),
    "zip-bomb-total.zip/part0.bin": (UNSUPPORTED, "is not a scan"),
    "zip-bomb-total.zip/part2.bin": (ERROR, "the archive unpacks to more than 16 MiB in all"),
    "zip-lying-size.zip/liar.jpg": (ERROR, "Bad CRC-32"),
    "zip-nested.zip/level1.zip": (PROCESSED, "zip file: 1 file unpacked"),
    "zip-nested.zip/level1.zip/level2.zip": (ERROR, "a zip file nested more than 2 deep: not unpacked"),
    "zip-many-members.zip/note-049.txt": (UNSUPPORTED, "is not a scan"),
}


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The batch checked once (reports written into its own ``reports`` folder), then checked again."""
    base = tmp_path_factory.mktemp("hostile")
    root = hostile.build(base)
    out = root / hostile.REPORTS
    options = RunOptions(**{**CORPUS_OPTIONS, "cache": str(base / "cache")}, exclude=(str(out.resolve()),))
    report = api.run(root, options, engine=FakeOcrEngine("nothing useful"))
    write_reports(report, str(out))
    again = api.run(root, options, engine=FakeOcrEngine("nothing useful"))  # pages from the cache
    return {"root": root, "base": base, "report": report, "data": json.loads((out / "report.json").read_text()),
            "again": again, "out": out}


def _dossier(run: dict[str, Any], display: str) -> dict[str, Any]:
    matches = [d for d in run["data"]["dossiers"] if d["id"] == display]
    assert len(matches) == 1, (display, [d["id"] for d in run["data"]["dossiers"]])
    return matches[0]


def _files(run: dict[str, Any], dossier: str) -> dict[str, dict[str, Any]]:
    files = _dossier(run, dossier)["files"]
    by_name = {f["file"]: f for f in files}
    assert len(by_name) == len(files), "a file is listed twice"
    return by_name


def test_the_corpus_is_large_enough() -> None:
    assert len(hostile.all_cases()) >= 70  # the issue asks for 70 in all; faults and case data come on top
    assert set(CONTENT_EXPECTED) == {*content.CASES, *content.BOMBS, *content.ZIPS,
                                     "passeport-\\xe9t\\xe9-latin1.jpg", "link-outside.jpg", "link-dir-outside",
                                     "broken-link.pdf", "link-inside.png", "named-pipe.jpg"}


@pytest.mark.parametrize("name", CONTENT_EXPECTED)
def test_content(run: dict[str, Any], name: str) -> None:
    status, needle = CONTENT_EXPECTED[name]
    entry = _files(run, "odd-dossier")[name]
    assert entry["status"] == status.value, entry
    assert needle in entry["message"], entry


@pytest.mark.parametrize("name", MEMBERS_EXPECTED)
def test_zip_members(run: dict[str, Any], name: str) -> None:
    status, needle = MEMBERS_EXPECTED[name]
    entry = _files(run, "odd-dossier")[name]
    assert entry["status"] == status.value, entry
    assert needle in entry["message"], entry


def test_zip_slip_writes_nothing_outside(run: dict[str, Any]) -> None:
    base: Path = run["base"]
    assert not list(base.rglob("escaped.jpg")) and not list(base.rglob("up.jpg"))
    assert not Path("/etc/cron.d/evil.jpg").exists()


def test_every_file_on_disk_is_reported_once(run: dict[str, Any]) -> None:
    root: Path = run["root"]
    for dossier in run["data"]["dossiers"]:
        if dossier["error"]:
            continue
        folder = Path(os.fsdecode(os.fsencode(root) + b"/" + dossier["id"].encode("utf-8", "surrogateescape")))
        if not folder.exists():  # an id with escaped undecodable bytes: find the folder by its display name
            folder = next(p for p in root.iterdir() if p.name.encode("utf-8", "surrogateescape")
                          .decode("utf-8", "backslashreplace") == dossier["id"])
        on_disk = set()
        for dirpath, dirnames, filenames in os.walk(folder):
            base = Path(dirpath)
            for name in filenames + [d for d in dirnames if (base / d).is_symlink()]:
                rel = (base / name).relative_to(folder).as_posix()
                on_disk.add(rel.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace"))
        listed = {f["file"] for f in dossier["files"]}
        assert on_disk - {"case.toml"} <= listed, (dossier["id"], on_disk - listed)
        assert all(f["message"] or f["status"] == "processed" for f in dossier["files"])


@pytest.mark.parametrize("case", hostile.NAME_CASES, ids=lambda c: c.case)
def test_hostile_file_names(run: dict[str, Any], case: hostile.FileCase) -> None:
    entry = _files(run, "names")[case.display]
    assert entry["status"] == case.status.value and case.needle in entry["message"]


@pytest.mark.parametrize("case", hostile.DOSSIER_CASES, ids=lambda c: c.case)
def test_hostile_dossiers(run: dict[str, Any], case: hostile.DossierCase) -> None:
    dossier = _dossier(run, case.display)
    if case.error:
        assert case.error in (dossier["error"] or ""), dossier["error"]
        assert dossier["verdict"] == "not_ready"
        assert [f["rule"] for f in dossier["findings"]] == ["dossier.readable"]
    else:
        assert dossier["error"] is None
        assert [f["file"] for f in dossier["files"]] == ([] if case.case == "structure.empty-dossier"
                                                         else ["contract.pdf"])


@pytest.mark.parametrize("case", hostile.ROOT_CASES, ids=lambda c: c.case)
def test_batch_root_entries_are_listed_not_merged(run: dict[str, Any], case: hostile.RootCase) -> None:
    entries = [f for f in run["data"]["batch_files"] if f["file"] == case.name]
    assert len(entries) == 1 and entries[0]["status"] == case.status.value
    assert case.needle in entries[0]["message"]


def test_one_dossier_per_folder(run: dict[str, Any]) -> None:
    """Nothing merged: one dossier per folder (the report folder left out), sorted, none twice."""
    ids = [d["id"] for d in run["data"]["dossiers"]]
    expected = {"odd-dossier", "names", "plain"} | {c.display for c in hostile.DOSSIER_CASES}
    assert sorted(ids) == sorted(expected)
    assert hostile.REPORTS not in ids
    assert {d["id"]: d["case"]["category"] for d in run["data"]["dossiers"]}["plain"] == "single_permit"


def test_case_rows_naming_no_folder_are_reported(run: dict[str, Any]) -> None:
    assert tuple(run["data"]["case_problems"]) == hostile.CASE_PROBLEMS
    assert run["report"].incomplete


def test_out_inside_the_batch_is_left_out(run: dict[str, Any]) -> None:
    """The second run does not read its own reports: the same dossiers, the same files."""
    first = {d.id: [f.file for f in d.files] for d in run["report"].dossiers}
    again = {d.id: [f.file for f in d.files] for d in run["again"].dossiers}
    assert again == first
    assert all(not f.file.startswith(hostile.REPORTS) for f in run["again"].batch_files)


class _Tags(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.attributes: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attributes.update(name for name, _ in attrs)


TEMPLATE_TAGS = {
    tag.lower()
    for template in (Path(__file__).parents[2] / "pipeline" / "templates").glob("*.j2")
    for tag in re.findall(r"<([A-Za-z][A-Za-z0-9]*)[\s>/]", template.read_text(encoding="utf-8"))
}
"""Every tag the templates themselves write; anything else in a report came from the input."""


def test_html_holds_no_markup_from_input(run: dict[str, Any]) -> None:
    text = render_html(run["report"])
    parser = _Tags()
    parser.feed(text)
    assert parser.tags <= TEMPLATE_TAGS, parser.tags - TEMPLATE_TAGS
    assert not {a for a in parser.attributes if a.startswith("on")}
    assert "<img src=x" not in text and "<svg onload" not in text and "<b>[/]" not in text
    assert "&lt;img src=x onerror=alert(1)&gt;.pdf" in text
    assert "&amp;lt;b&amp;gt;already-escaped&amp;amp;.pdf" in text  # escaped once more, shown as named


SPLITTERS = (",", ";", "\t")
"""The separators a spreadsheet may split a line on, whatever the file says."""


def _cells(text: str) -> list[str]:
    cells = []
    for row in csv.reader(io.StringIO(text)):
        for cell in row:
            cells.append(cell)
            pieces = [cell]
            for sep in SPLITTERS:  # what a spreadsheet splitting on another separator would see
                pieces = [p for piece in pieces for p in piece.split(sep)]
            cells.extend(pieces)
    return cells


@pytest.mark.parametrize("render", [render_csv, render_summary_csv], ids=["report.csv", "summary.csv"])
def test_no_csv_cell_is_a_live_formula(run: dict[str, Any], render: Any) -> None:
    cells = _cells(render(run["report"]))
    live = [c for c in cells if c.lstrip(" ").startswith(("=", "+", "-", "@", "\t", "\r"))]
    assert live == []
    if render is render_csv:
        assert "'=HYPERLINK(\"http:\\\\evil\",\"click\").pdf" in cells and "scan;'=1+1.pdf" in cells


def test_json_keeps_names_as_they_are(run: dict[str, Any]) -> None:
    names = _files(run, "names")
    assert "esc\x1b[31mred\x1b]0;title\x07.pdf" in names and "new\nline\rcarriage.pdf" in names
    raw = (run["out"] / "report.json").read_bytes()
    assert b"\x1b" not in raw and json.loads(raw) == run["data"]  # control characters are \u-escaped


def test_thousand_files(tmp_path: Path) -> None:
    root = tmp_path / "big"
    root.mkdir()
    for i in range(1000):
        (root / f"note-{i:04d}.txt").write_bytes(b"scan me later\n")
    result = api.run(root, RunOptions(**CORPUS_OPTIONS), engine=FakeOcrEngine(""))  # type: ignore[arg-type]
    files = result.dossiers[0].files
    assert len(files) == 1000
    assert {f.status for f in files} == {FileStatus.UNSUPPORTED}
