"""The hostile batch: hostile names, structure and case data around the content corpus, with what a
report must say about each case (built fresh by the tests, never committed)."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

from pipeline.model import FileStatus
from tests.hostile import content
from tests.pdfs import text_pdf

UNSUPPORTED, ERROR, PROCESSED = FileStatus.UNSUPPORTED, FileStatus.ERROR, FileStatus.PROCESSED


@dataclasses.dataclass(frozen=True)
class FileCase:
    """A file inside a dossier: the report lists it under ``display`` with ``status`` and ``needle``."""

    case: str
    dossier: str
    name: str | bytes
    """Its name on disk (bytes: not valid UTF-8)."""
    display: str
    status: FileStatus
    needle: str = ""


@dataclasses.dataclass(frozen=True)
class DossierCase:
    """A dossier folder: reported under ``display``; ``error`` says why it could not be checked ("" = it was)."""

    case: str
    name: str | bytes
    display: str
    error: str = ""


@dataclasses.dataclass(frozen=True)
class RootCase:
    """An entry at the batch root that is no dossier: listed in ``batch_files`` with a status."""

    case: str
    name: str
    status: FileStatus
    needle: str


PDF = text_pdf(["EMPLOYMENT CONTRACT between the employer and the employee"] * 3)
LONG_ASCII = "n" * 251 + ".pdf"  # 255 bytes, the longest name ext4 allows
LONG_UTF8 = "é" * 125 + ".pdf"  # 254 bytes in UTF-8, 129 characters

NAME_CASES = [
    FileCase("names.html-markup", "names", "<img src=x onerror=alert(1)>.pdf", "<img src=x onerror=alert(1)>.pdf",
             PROCESSED),
    FileCase("names.html-entity", "names", "&lt;b&gt;already-escaped&amp;.pdf", "&lt;b&gt;already-escaped&amp;.pdf",
             PROCESSED),
    FileCase("names.quotes", "names", "\"quoted\" & 'single'.pdf", "\"quoted\" & 'single'.pdf", PROCESSED),
    FileCase("names.formula-equals", "names", '=HYPERLINK("http:\\\\evil","click").pdf',
             '=HYPERLINK("http:\\\\evil","click").pdf', PROCESSED),
    FileCase("names.formula-plus", "names", "+SUM(1+1).pdf", "+SUM(1+1).pdf", PROCESSED),
    FileCase("names.formula-minus", "names", "-2+3.pdf", "-2+3.pdf", PROCESSED),
    FileCase("names.formula-at", "names", "@SUM(A1).pdf", "@SUM(A1).pdf", PROCESSED),
    FileCase("names.formula-after-semicolon", "names", "scan;=1+1.pdf", "scan;=1+1.pdf", PROCESSED),
    FileCase("names.formula-after-tab", "names", "\t=1+1.pdf", "\t=1+1.pdf", PROCESSED),
    FileCase("names.rich-markup", "names", "[link=http:evil]click[bold red].pdf",
             "[link=http:evil]click[bold red].pdf", PROCESSED),
    FileCase("names.control-escape", "names", "esc\x1b[31mred\x1b]0;title\x07.pdf",
             "esc\x1b[31mred\x1b]0;title\x07.pdf", PROCESSED),
    FileCase("names.control-newline", "names", "new\nline\rcarriage.pdf", "new\nline\rcarriage.pdf", PROCESSED),
    FileCase("names.bidi-override", "names", "invoice\u202efdp.exe.pdf", "invoice\u202efdp.exe.pdf", PROCESSED),
    FileCase("names.255-bytes-ascii", "names", LONG_ASCII, LONG_ASCII, PROCESSED),
    FileCase("names.254-bytes-utf8", "names", LONG_UTF8, LONG_UTF8, PROCESSED),
    FileCase("names.not-utf8", "names", b"attestation-\xe9t\xe9.pdf", "attestation-\\xe9t\\xe9.pdf", PROCESSED),
    FileCase("names.nfc", "names", "caf\u00e9.pdf", "caf\u00e9.pdf", PROCESSED),
    FileCase("names.nfd-twin", "names", "cafe\u0301.pdf", "cafe\u0301.pdf", PROCESSED),
    FileCase("names.leading-space-trailing-dot", "names", " leading space.", " leading space.", PROCESSED),
]
"""Hostile file names, each a valid one-page PDF: listed as they are, escaped in every output."""

DOSSIER_CASES = [
    DossierCase("names.html-markup-folder", "<svg onload=alert(1)>", "<svg onload=alert(1)>"),
    DossierCase("names.formula-folder", '=HYPERLINK("http:\\\\evil","CLICK")', '=HYPERLINK("http:\\\\evil","CLICK")'),
    DossierCase("names.rich-markup-folder", "[bold red]styled[blink]", "[bold red]styled[blink]"),
    DossierCase("names.not-utf8-folder", b"dossier-caf\xe9", "dossier-caf\\xe9"),
    DossierCase("names.control-folder", "tab\there\x1b[31mred", "tab\there\x1b[31mred"),
    DossierCase("names.255-bytes-folder", "d" * 255, "d" * 255),
    DossierCase("structure.empty-dossier", "empty-dossier", "empty-dossier"),
    DossierCase("structure.symlink-dossier-inside", "link-to-plain", "link-to-plain"),
    DossierCase("structure.symlink-dossier-outside", "link-to-elsewhere", "link-to-elsewhere",
                "symbolic link to a folder outside the batch: refused"),
    DossierCase("structure.symlink-dossier-loop", "link-to-batch", "link-to-batch",
                "symbolic link to the batch folder itself"),
    DossierCase("case-data.bad-row", "bad-case-row", "bad-case-row",
                "cases.csv row 3, column category: 'astronaut' is not a category"),
    DossierCase("case-data.markup-value", "markup-case-value", "markup-case-value",
                "'<b>[/]' is not an ICAO country code"),
    DossierCase("case-data.entry-2031", "typo-year", "typo-year",
                "entry_date 2031-05-01 is more than 12 months after the application date"),
    DossierCase("case-data.latin1-toml", "latin1-toml", "latin1-toml", "latin1-toml/case.toml is not UTF-8 text"),
    DossierCase("case-data.binary-toml", "binary-toml", "binary-toml", "binary-toml/case.toml is not a text file"),
]
"""Hostile dossier folders and their case data; each is its own dossier, never merged."""

ROOT_CASES = [
    RootCase("structure.thumbs-db", "Thumbs.db", UNSUPPORTED, "system file"),
    RootCase("structure.ds-store", ".DS_Store", UNSUPPORTED, "system file"),
    RootCase("structure.desktop-ini", "desktop.ini", UNSUPPORTED, "system file"),
    RootCase("structure.apple-double", "._007-sharma", UNSUPPORTED, "system file"),
    RootCase("structure.office-lock", "~$cases.xlsx", UNSUPPORTED, "system file"),
    RootCase("structure.macosx-folder", "__MACOSX", UNSUPPORTED, "system folder"),
    RootCase("structure.hidden-folder", ".git", UNSUPPORTED, "system folder"),
    RootCase("structure.stray-scan", "stray-passport.jpg", ERROR, "outside any dossier folder"),
    RootCase("structure.broken-root-link", "broken-link", ERROR, "not a folder"),
]
"""Entries at the batch root: listed in ``batch_files``, never merged into a dossier."""

CASES_CSV = (
    "dossier;category;nationality;entry_date\r\n"
    "plain;single_permit;IND;2026-10-01\r\n"
    "bad-case-row;astronaut;IND;\r\n"
    "markup-case-value;student;<b>[/];\r\n"
    "typo-year;student;MAR;2031-05-01\r\n"
    "missing-folder;student;MAR;\r\n"
    "=cmd|' /C calc'!A0;student;MAR;\r\n"
)
"""Belgian Excel's ``;`` in Windows-1252, one bad row per dossier, rows naming no folder."""

CASE_PROBLEMS = ("cases.csv names \"=cmd|' /C calc'!A0\", which is not a dossier folder here",
                 "cases.csv names 'missing-folder', which is not a dossier folder here")
REPORTS = "reports"
"""The report folder, inside the batch (left out of intake: ``RunOptions.exclude``)."""


def build(base: Path) -> Path:
    """Write the hostile batch under ``base``; return the batch folder (content cases in ``odd-dossier``)."""
    batch = base / "batch"
    content.build(batch / "odd-dossier", base / "elsewhere")
    names = batch / "names"
    names.mkdir()
    for case in NAME_CASES:
        name = os.fsdecode(case.name) if isinstance(case.name, bytes) else case.name  # bytes: undecodable
        (names / name).write_bytes(PDF)
    plain = batch / "plain"
    plain.mkdir()
    (plain / "contract.pdf").write_bytes(PDF)
    for case in DOSSIER_CASES:
        path = batch / (os.fsdecode(case.name) if isinstance(case.name, bytes) else case.name)
        if case.case == "structure.symlink-dossier-inside":
            path.symlink_to(plain, target_is_directory=True)
        elif case.case == "structure.symlink-dossier-outside":
            (base / "elsewhere-dossier").mkdir()
            (base / "elsewhere-dossier" / "their-passport.pdf").write_bytes(PDF)
            path.symlink_to(base / "elsewhere-dossier", target_is_directory=True)
        elif case.case == "structure.symlink-dossier-loop":
            path.symlink_to(batch, target_is_directory=True)
        else:
            path.mkdir()
            if case.case != "structure.empty-dossier":
                (path / "contract.pdf").write_bytes(PDF)
    (batch / "latin1-toml" / "case.toml").write_bytes('category = "student"\n# r\xe9sidence\n'.encode("latin-1"))
    (batch / "binary-toml" / "case.toml").write_bytes(b"\x00\x01\x02\xff binary")
    for case in ROOT_CASES:
        if case.name in ("__MACOSX", ".git"):
            (batch / case.name).mkdir()
            (batch / case.name / "inner.jpg").write_bytes(content.CASES["cmyk.jpg"]())
        elif case.name == "broken-link":
            (batch / case.name).symlink_to(base / "nowhere")
        else:
            (batch / case.name).write_bytes(content.CASES["cmyk.jpg"]() if case.name.endswith(".jpg") else b"\0junk")
    (batch / "cases.csv").write_bytes(CASES_CSV.encode("cp1252"))
    (batch / REPORTS).mkdir()
    return batch


def all_cases() -> list[str]:
    """Every case id of the hostile batch (content cases are named after their file)."""
    file_cases = [f"content.{name}" for name in {**content.CASES, **content.BOMBS, **content.ZIPS}]
    return (file_cases + [c.case for c in NAME_CASES] + [c.case for c in DOSSIER_CASES]
            + [c.case for c in ROOT_CASES])
