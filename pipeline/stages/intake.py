"""Intake: find dossiers, type every file by content, split it into pages; never lose a file."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import logging
import os
import stat
import struct
import time
import warnings
from collections.abc import Collection, Iterator, Sequence
from pathlib import Path
from typing import Protocol

import pypdf
import pypdf.errors
from PIL import ExifTags, Image, UnidentifiedImageError

from pipeline import archive
from pipeline.atomic import LOCK_NAME
from pipeline.case import CASE_FILES, CASE_TOML, CASES_CSV
from pipeline.context import RunContext
from pipeline.engines import filetype, imaging, pdfrender
from pipeline.errors import InputFileError
from pipeline.model import FileStatus, InputFile, Page, RejectionCode
from pipeline.report import EVIDENCE_DIR, REPORT_FILES
from pipeline.review import REVIEW_FILE, Review, read_review
from pipeline.work import DossierWork

log = logging.getLogger(__name__)

try:  # HEIC is what iPhones write: reading it is part of recognising phone photos.
    import pillow_heif
except ImportError:  # pragma: no cover - optional at run time
    log.warning("pillow-heif is not installed: HEIC photos will be reported as unreadable")
else:
    pillow_heif.register_heif_opener()

TEXT_LAYER_MIN_CHARS = 30
"""A PDF page with fewer extractable characters is treated as a scan (stray OCR'd page numbers)."""


WATCH_MARKERS = frozenset({".complete", "READY"})
"""Files a sender drops to say a dossier folder is complete (``dossier watch``)."""
NOT_DOCUMENTS = CASE_FILES | WATCH_MARKERS | {REVIEW_FILE}
"""Control files: never reported as documents or unsupported files."""


class FileCache(Protocol):
    """What intake needs of the page cache: all processed pages of an unchanged file."""

    def get_file(self, info: InputFile) -> list[Page] | None:
        """The file's processed pages, or None."""


@dataclasses.dataclass(frozen=True, slots=True)
class DossierSource:
    """One dossier folder to check."""

    id: str
    path: Path
    problem: str = ""
    """Why the folder is not read at all (a symlink leaving the batch); the dossier is reported unreadable."""


@dataclasses.dataclass(frozen=True, slots=True)
class Intake:
    """What intake found in one dossier folder."""

    files: tuple[InputFile, ...]
    pages: tuple[Page, ...]
    """Pages still to be processed (the page stages)."""
    cached: tuple[Page, ...] = ()
    """Pages of unchanged files, processed already (from the page cache): no page stage runs on them."""
    seconds: float = 0.0
    """Time intake took."""
    review: Review | None = None
    """The dossier's ``review.json``: values a person confirmed or corrected."""
    review_error: str = ""
    """Why ``review.json`` could not be used (empty when absent or fine)."""
    problem: str = ""
    """Why the dossier folder could not be read (its report says so; the batch goes on)."""

    def in_order(self, processed: Sequence[Page]) -> list[Page]:
        """The cached pages and ``processed`` together, in file and page order."""
        rank = {f.file: n for n, f in enumerate(self.files)}
        return sorted([*self.cached, *processed], key=lambda p: (rank.get(p.file, len(rank)), p.file, p.number))


@dataclasses.dataclass(frozen=True, slots=True)
class Survey:
    """What lies under the checked path: the dossiers, and what belongs to none of them."""

    sources: tuple[DossierSource, ...]
    loose: tuple[InputFile, ...] = ()
    """Entries at a batch's root that are not dossier folders: listed in the report, never checked."""


SYSTEM_NAMES = frozenset({
    "thumbs.db", "ehthumbs.db", "desktop.ini", ".ds_store", ".localized", "icon\r", ".directory",
    "__macosx", "$recycle.bin", "system volume information", "@eadir", "#recycle", "lost+found",
})
"""Files and folders that operating systems, NAS boxes and archivers leave behind (lower case)."""


def is_system_entry(name: str) -> bool:
    """True for hidden entries and the litter of Windows, macOS, Office and NAS boxes.

    >>> [is_system_entry(n) for n in ("Thumbs.db", "._scan.jpg", "~$lease.docx", "@eaDir", "007-sharma")]
    [True, True, True, True, False]
    """
    return name.startswith((".", "~$")) or name.lower() in SYSTEM_NAMES


def display_name(rel: str) -> str:
    r"""A file name that is valid UTF-8: undecodable bytes are shown as ``\xNN`` escapes.

    >>> display_name(b"caf\xe9.jpg".decode("utf-8", "surrogateescape"))
    'caf\\xe9.jpg'
    """
    return rel.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _is_excluded(path: Path, exclude: Collection[Path]) -> bool:
    return bool(exclude) and path.resolve() in exclude


def survey(root: Path, exclude: Collection[Path] = (), *, one_dossier: bool = False) -> Survey:
    """Split ``root`` into dossiers: its sub-folders when it has any (or ``cases.csv``), else itself.

    A folder holding ``case.toml`` is one dossier, sub-folders included (``case.toml`` describes a
    single dossier; an empty one marks a dossier with sub-folders). Otherwise a folder with
    sub-folders is a batch, split by its folders whatever else lies at its root: stray files, system litter
    (``Thumbs.db``, ``.DS_Store``) and broken links are listed as loose entries, never merged into a
    dossier. A symlinked dossier folder is followed when its target stays inside the batch and
    refused (reported as an unreadable dossier) otherwise.

    Args:
        root: The checked folder.
        exclude: Resolved folders to leave out (the report folder when it lies inside the input).
        one_dossier: ``root`` is one dossier whatever it holds.

    Raises:
        InputFileError: the path does not exist, is not a folder or cannot be listed.
    """
    exclude = {*exclude, *(Path(e.path).resolve() for e in _scandir(root) if _is_report_folder(Path(e.path)))}
    if not root.exists():
        raise InputFileError(f"{display_name(str(root))} does not exist")
    if not root.is_dir():
        raise InputFileError(f"{display_name(str(root))} is a file: pass the dossier folder (or a batch of folders)")
    try:
        entries = sorted((e for e in os.scandir(root) if not _is_excluded(Path(e.path), exclude)),
                         key=lambda e: e.name)
    except OSError as exc:
        raise InputFileError(f"cannot read {display_name(str(root))}: {exc.strerror or exc}") from exc
    top = root.resolve()

    def is_folder(entry: os.DirEntry[str]) -> bool:
        try:
            return entry.is_dir(follow_symlinks=True)
        except OSError:
            return False

    single = one_dossier or (root / CASE_TOML).is_file() or \
        not any(is_folder(e) and not is_system_entry(e.name) for e in entries)
    if single and (one_dossier or not (root / CASES_CSV).is_file()):
        return Survey((DossierSource(display_name(top.name), root),))
    sources: list[DossierSource] = []
    loose: list[InputFile] = []
    used: set[str] = set()
    for entry in entries:
        name, path = display_name(entry.name), Path(entry.path)
        if entry.name in NOT_DOCUMENTS:
            continue
        if is_system_entry(entry.name):
            kind = "folder" if is_folder(entry) else "file"
            loose.append(_loose(name, FileStatus.UNSUPPORTED, f"hidden or system {kind}: not a dossier, not checked"))
        elif entry.is_symlink() and is_folder(entry):
            target = path.resolve()
            if top.is_relative_to(target):
                problem = "symbolic link to the batch folder itself (or a folder holding it): refused"
            elif not target.is_relative_to(top):
                problem = "symbolic link to a folder outside the batch: refused (copy that folder into the batch)"
            else:
                problem = ""
            sources.append(DossierSource(_unique(name, used), path, problem))
        elif is_folder(entry):
            sources.append(DossierSource(_unique(name, used), path))
        elif entry.is_symlink():
            loose.append(_loose(name, FileStatus.ERROR, "symbolic link at the batch root to something that is not "
                                "a folder: not checked"))
        else:
            loose.append(_loose(name, FileStatus.ERROR, "file at the batch root, outside any dossier folder: not "
                                "checked (move it into its dossier's folder)"))
    return Survey(tuple(sources), tuple(loose))


REPORT_OUTPUTS = frozenset(REPORT_FILES) | {
    EVIDENCE_DIR, "changes.json", "history", LOCK_NAME, ".watch-journal.jsonl", ".watch.lock"
}
"""What ``dossier`` check, schedule and watch write into a report folder."""


def _scandir(root: Path) -> list[os.DirEntry[str]]:
    try:
        return list(os.scandir(root))
    except OSError:
        return []


def _is_report_folder(path: Path) -> bool:
    """A folder holding an earlier run's reports and nothing else (written inside the input by an
    older version, or by ``--out`` pointing there): never a dossier."""
    try:
        if not path.is_dir():
            return False
        names = {e.name for e in os.scandir(path)}
    except OSError:
        return False
    return "report.json" in names and names <= REPORT_OUTPUTS


def _loose(name: str, status: FileStatus, message: str) -> InputFile:
    return InputFile(file=name, sha256="", size=0, mime="", status=status, message=message)


def _unique(name: str, used: set[str]) -> str:
    """A dossier id not used yet (two raw names can display alike once undecodable bytes are escaped)."""
    candidate, n = name, 1
    while candidate in used:
        n += 1
        candidate = f"{name} ({n})"
    used.add(candidate)
    return candidate


def discover(root: Path, exclude: Collection[Path] = ()) -> list[DossierSource]:
    """The dossiers under ``root`` (itself, or its sub-folders for a batch), sorted by id (see :func:`survey`).

    Raises:
        InputFileError: the path does not exist, is not a folder or cannot be listed.
    """
    return list(survey(root, exclude).sources)


@dataclasses.dataclass
class _Walk:
    """Every entry below a dossier folder, and the sub-folders that could not be listed."""

    root: Path
    exclude: Collection[Path] = ()
    unreadable: list[tuple[Path, str]] = dataclasses.field(default_factory=list)

    def __iter__(self) -> Iterator[tuple[Path, str]]:
        """(path, display name) of every file, sorted; symlinks included, not followed."""
        def failed(exc: OSError) -> None:
            if exc.filename is None or Path(exc.filename) == self.root:
                raise InputFileError(f"cannot read the dossier folder: {exc.strerror or exc}") from exc
            self.unreadable.append((Path(exc.filename), exc.strerror or str(exc)))

        for dirpath, dirnames, filenames in os.walk(self.root, onerror=failed, followlinks=False):
            base = Path(dirpath)
            dirnames[:] = sorted(d for d in dirnames
                                 if not _is_excluded(base / d, self.exclude) and not _is_report_folder(base / d))
            for name in sorted(filenames) + [d for d in dirnames if (base / d).is_symlink()]:
                path = base / name
                yield path, display_name(path.relative_to(self.root).as_posix())


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _png_has_exif(path: Path) -> bool:
    """Whether a PNG file holds an ``eXIf`` chunk, from its chunk headers (the image data is skipped).

    Pillow finds an ``eXIf`` chunk placed after the image data only by decoding the whole image, which
    intake must not do (the page stages decode each page once): 0.06 s for an A4 scan at 300 dpi.
    """
    with path.open("rb") as handle:
        handle.seek(8)  # the signature
        while len(head := handle.read(8)) == 8:
            length, kind = struct.unpack(">I4s", head)
            if kind == b"eXIf":
                return True
            if kind == b"IEND":
                return False
            handle.seek(length + 4, io.SEEK_CUR)  # the chunk's data and CRC
    return False


def _exif(image: Image.Image, mime: str, path: Path) -> dict[str, str]:
    """EXIF tags by name, camera sub-IFD and GPS included; ``_mime`` records the container."""
    tags: dict[str, str] = {"_mime": mime}
    if image.format == "PNG" and "exif" not in image.info and not _png_has_exif(path):
        return tags
    try:
        exif = image.getexif()
        items = list(exif.items())
        for ifd in (ExifTags.IFD.Exif, ExifTags.IFD.GPSInfo):
            sub = exif.get_ifd(ifd)
            if sub:
                items.extend(sub.items())
                if ifd == ExifTags.IFD.GPSInfo:
                    tags["GPSInfo"] = "present"
    except Exception:  # noqa: BLE001 - broken EXIF is common; the pixels may still be fine
        log.debug("unreadable EXIF", exc_info=True)
        return tags
    for key, value in items:
        name = ExifTags.TAGS.get(key, str(key))
        if isinstance(value, bytes) or name in ("MakerNote", "UserComment"):
            continue
        tags.setdefault(name, str(value)[:200])
    return tags


def _tag_dpi(image: Image.Image) -> float | None:
    dpi = image.info.get("dpi")
    if not dpi:
        return None
    try:
        value = float(dpi[0])
    except (TypeError, ValueError, IndexError):
        return None
    return None if round(value) in imaging.DEFAULT_DPI_TAGS or value < 1 else value


class _FileProblem(Exception):
    """Content problem of one file: becomes an ``error`` status, never aborts the run."""


def _check_size(image: Image.Image, ctx: RunContext, where: str = "image") -> None:
    """Refuse a decompression bomb from its header, before any pixel is decoded.

    The limit is checked here rather than through Pillow's global ``MAX_IMAGE_PIXELS``, so one
    run's options never leak into another (threads, tests).
    """
    limit = ctx.options.max_image_pixels
    pixels = image.width * image.height
    if pixels > limit:
        raise _FileProblem(
            f"{where} is too large to read safely ({pixels / 1e6:.0f} megapixels, limit {limit / 1e6:.0f}); "
            "scan at 300-600 dpi instead"
        )


def _image_pages(path: Path, rel: str, sha: str, mime: str, ctx: RunContext) -> tuple[list[Page], str]:
    """One page per frame, from the file's headers only: the page stages decode the pixels, once.

    A file whose pixels turn out to be corrupt gets an ``error`` status after decoding
    (:func:`settle_files`).
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(path)
        with image:
            frames = getattr(image, "n_frames", 1)
            limit = ctx.options.max_pages_per_file
            pages = []
            for frame in range(min(frames, limit)):
                try:
                    image.seek(frame)
                except (OSError, EOFError, ValueError) as exc:
                    raise _FileProblem(f"frame {frame + 1} of {frames} is corrupt ({exc})") from exc
                _check_size(image, ctx, f"frame {frame + 1}" if frames > 1 else "image")
                pages.append(
                    Page(
                        file=rel, sha256=sha, number=frame + 1, image=path, frame=frame,
                        dpi=_tag_dpi(image), exif=_exif(image, mime, path),
                    )
                )
    except Image.DecompressionBombError as exc:
        raise _FileProblem(f"image is too large to read safely ({exc}); scan at 300-600 dpi instead") from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise _FileProblem(f"the image is corrupt or truncated ({exc})") from exc
    note = f"only the first {limit} of {frames} frames were checked" if frames > limit else ""
    return pages, note


MAX_XOBJECT_DEPTH = 4
"""Form XObjects nested deeper than this are not searched for images (a self-referencing form loops)."""


def _image_sizes(resources: object, depth: int = 0) -> Iterator[tuple[int, int]]:
    """Declared ``(width, height)`` of every image XObject a page (or its forms) draws, without decoding."""
    try:
        xobjects = resources.get_object().get("/XObject")  # type: ignore[attr-defined]
        items = list(xobjects.get_object().values()) if xobjects is not None else []
    except Exception:  # noqa: BLE001 - a broken resource dictionary: rendering will tell
        return
    for item in items:
        try:
            xobject = item.get_object()
            subtype = xobject.get("/Subtype")
            if subtype == "/Image":
                yield int(xobject.get("/Width", 0)), int(xobject.get("/Height", 0))
            elif subtype == "/Form" and depth < MAX_XOBJECT_DEPTH and "/Resources" in xobject:
                yield from _image_sizes(xobject["/Resources"], depth + 1)
        except Exception:  # noqa: BLE001
            continue


def _check_pdf_page_size(page: pypdf.PageObject, number: int, ctx: RunContext) -> None:
    """Refuse a page whose images declare more pixels than the bomb limit, before pypdf or poppler decode them."""
    limit = ctx.options.max_image_pixels
    for width, height in _image_sizes(page.get("/Resources")):
        if width * height > limit:
            raise _FileProblem(
                f"page {number} holds an image of {width} x {height} pixels ({width * height / 1e6:.0f} megapixels, "
                f"limit {limit / 1e6:.0f}): too large to read safely"
            )


def _check_render_size(page: pypdf.PageObject, number: int, ctx: RunContext) -> None:
    """Refuse to render a page that would exceed the bomb limit at the render resolution (a 444-byte PDF
    may declare a 4000 x 4000 pt page: 278 megapixels at 300 dpi)."""
    try:
        unit = float(page.get("/UserUnit", 1) or 1)
        box = page.cropbox
        width_in, height_in = abs(float(box.width)) * unit / 72, abs(float(box.height)) * unit / 72
    except Exception as exc:  # noqa: BLE001
        raise _FileProblem(f"page {number} has no usable size ({type(exc).__name__})") from exc
    dpi, limit = ctx.options.pdf_render_dpi, ctx.options.max_image_pixels
    pixels = width_in * dpi * height_in * dpi
    if pixels > limit:
        raise _FileProblem(
            f"page {number} is {width_in * 2.54:.0f} x {height_in * 2.54:.0f} cm: rendering it at {dpi} dpi would "
            f"make {pixels / 1e6:.0f} megapixels (limit {limit / 1e6:.0f}); not a document page"
        )


def _is_blank(page: pypdf.PageObject) -> bool:
    """True when the page draws nothing (no content stream, or an empty one)."""
    try:
        contents = page.get_contents()
        return contents is None or not contents.get_data().strip()
    except Exception:  # noqa: BLE001 - when in doubt, render it
        return False


def _pdf_pages(path: Path, rel: str, sha: str, ctx: RunContext) -> tuple[list[Page], str]:
    try:
        reader = pypdf.PdfReader(path)
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")
            except (NotImplementedError, pypdf.errors.PdfReadError, pypdf.errors.DependencyError) as exc:
                raise _FileProblem(f"encrypted PDF that cannot be opened ({exc})") from exc
            if not opened:
                raise _FileProblem("the PDF is password-protected: save an unprotected copy and add that")
        count = len(reader.pages)
    except _FileProblem:
        raise
    except Exception as exc:  # noqa: BLE001 - pypdf's failure modes on broken files are many
        raise _FileProblem(f"the PDF is corrupt or truncated ({type(exc).__name__}: {exc})") from exc
    if count == 0:
        raise _FileProblem("the PDF has no pages")
    note = ""
    if count > ctx.options.max_pages_per_file:
        note = f"only the first {ctx.options.max_pages_per_file} of {count} pages were checked"
    pages = []
    for index in range(min(count, ctx.options.max_pages_per_file)):
        number = index + 1
        try:
            pdf_page = reader.pages[index]
            text = pdf_page.extract_text() or ""
        except Exception as exc:  # noqa: BLE001
            raise _FileProblem(f"page {number} cannot be read ({type(exc).__name__}: {exc})") from exc
        if len("".join(text.split())) >= TEXT_LAYER_MIN_CHARS:
            pages.append(Page(file=rel, sha256=sha, number=number, text_layer=text, text=text, dpi=None))
            continue
        if _is_blank(pdf_page):  # nothing drawn: nothing to render, judge or read
            pages.append(Page(file=rel, sha256=sha, number=number, dpi=None))
            continue
        _check_pdf_page_size(pdf_page, number, ctx)  # bombs refused from the headers, before any decode
        # Pixels are not decoded here: the page stages decode (or render) each page once, in parallel.
        embedded = pdfrender.embedded_image(pdf_page)
        if embedded is None:
            _check_render_size(pdf_page, number, ctx)
        dpi = embedded.ppi if embedded is not None else float(ctx.options.pdf_render_dpi)
        pages.append(Page(file=rel, sha256=sha, number=number, image=path, frame=index, dpi=dpi,
                          exif={"_mime": filetype.PDF}))
    return pages, note



def _suffix_note(rel: str, mime: str) -> str:
    """Say so when the name suggests another type than the content (the content wins)."""
    suffix = Path(rel).suffix.lower().lstrip(".")
    expected = {"pdf": "application/pdf", "jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png",
                "tif": "image/tiff", "tiff": "image/tiff", "heic": "image/heic"}.get(suffix)
    if expected and expected != mime:
        return f"named .{suffix} but the content is {mime}"
    return ""


def ingest_file(
    path: Path, rel: str, root: Path, ctx: RunContext, cache: FileCache | None = None
) -> tuple[InputFile, list[Page], bool]:
    """Type one file by content and split it into pages. Problems become a status, never an exception.

    Args:
        path: The file (or symlink) on disk.
        rel: Its path relative to the dossier folder.
        root: The dossier folder (symlinks must stay inside it).
        ctx: Run context (limits, work folder).
        cache: Processed pages of unchanged files: such a file's pages come back processed.

    Returns:
        The file's entry, its pages, and whether they came processed from the cache.
    """
    def status(st: FileStatus, message: str, sha: str = "", size: int = 0, mime: str = "") -> InputFile:
        return InputFile(file=rel, sha256=sha, size=size, mime=mime, status=st, message=message)

    if path.is_symlink():
        target = path.resolve()
        if not target.is_relative_to(root.resolve()):
            return status(FileStatus.ERROR, "symbolic link to a file outside the dossier folder: refused"), [], False
        if not target.is_file():
            return status(FileStatus.ERROR, "symbolic link to something that is not a file"), [], False
    try:
        st = path.stat()
        if not stat.S_ISREG(st.st_mode):
            return status(FileStatus.ERROR, "not a regular file (a device, pipe or socket): not read"), [], False
        size = st.st_size
        if size == 0:
            return status(FileStatus.ERROR, "empty file (0 bytes)", mime="inode/x-empty"), [], False
        if size > ctx.options.max_file_bytes:
            limit = ctx.options.max_file_bytes // (1024 * 1024)
            return status(FileStatus.ERROR, f"file is {size / 2**20:.0f} MiB, above the {limit} MiB limit",
                          size=size), [], False
        with path.open("rb") as handle:
            head = handle.read(8192)
        sha = _sha256(path)
    except OSError as exc:
        return status(FileStatus.ERROR, f"cannot read the file ({exc.strerror or exc})"), [], False
    mime = filetype.sniff(head)
    note = _suffix_note(rel, mime)
    if cache is not None and mime in filetype.IMAGE_TYPES | {filetype.PDF}:
        known = InputFile(file=rel, sha256=sha, size=size, mime=mime, status=FileStatus.PROCESSED)
        cached = cache.get_file(known)
        if cached is not None:
            return dataclasses.replace(known, message=note, page_count=len(cached)), cached, True
    if mime == archive.ZIP_MIME:  # unpacked by the caller, member by member
        info = InputFile(file=rel, sha256=sha, size=size, mime=mime, status=FileStatus.PROCESSED, message=note)
        return info, [], False
    if mime != filetype.PDF and mime not in filetype.IMAGE_TYPES:
        return status(FileStatus.UNSUPPORTED, f"{mime} is not a scan (PDF, JPEG, PNG, TIFF or HEIC expected)",
                      sha, size, mime), [], False
    try:
        if mime == filetype.PDF:
            pages, extra = _pdf_pages(path, rel, sha, ctx)
        else:
            pages, extra = _image_pages(path, rel, sha, mime, ctx)
    except _FileProblem as exc:
        return status(FileStatus.ERROR, "; ".join(m for m in (str(exc), note) if m), sha, size, mime), [], False
    message = "; ".join(m for m in (note, extra) if m)
    info = InputFile(file=rel, sha256=sha, size=size, mime=mime, status=FileStatus.PROCESSED,
                     message=message, page_count=len(pages))
    return info, pages, False


def ingest_dossier(source: DossierSource, ctx: RunContext, cache: FileCache | None = None) -> Intake:
    """Every file of one dossier folder (nested folders and zip files included) with its pages.

    Args:
        source: The dossier folder.
        ctx: Run context.
        cache: Processed pages of unchanged files (by content hash): such files are not decoded again.

    Never raises: a folder that cannot be read sets ``problem``; a sub-folder that cannot be read,
    and a file intake fails on, are listed as ``error`` entries.
    """
    started = time.perf_counter()
    if source.problem:
        return Intake((), (), problem=source.problem)
    files: list[InputFile] = []
    pages: list[Page] = []
    cached: list[Page] = []
    walk = _Walk(source.path, frozenset(Path(p) for p in ctx.options.exclude))
    try:
        for path, rel in walk:
            if rel in NOT_DOCUMENTS:
                continue
            try:
                for info, file_pages, from_cache in _ingest_entry(path, rel, source.path, ctx, cache):
                    files.append(info)
                    (cached if from_cache else pages).extend(file_pages)
            except Exception as exc:  # noqa: BLE001 - one file never takes down its dossier
                log.warning("intake failed on a file (%s)", type(exc).__name__)
                log.debug("intake failed on %s", rel, exc_info=True)
                files.append(_loose(rel, FileStatus.ERROR, f"this file could not be read ({type(exc).__name__})"))
    except InputFileError as exc:
        return Intake(tuple(files), (), seconds=round(time.perf_counter() - started, 4), problem=str(exc))
    for folder, reason in walk.unreadable:
        rel = display_name(folder.relative_to(source.path).as_posix()) + "/"
        message = f"folder cannot be read ({reason}): the files in it were not checked"
        files.append(_loose(rel, FileStatus.ERROR, message))
    log.info("dossier %s: %d files, %d pages (%d from the cache)", source.id, len(files), len(pages) + len(cached),
             len(cached))
    review, review_error = read_review(source.path)
    return Intake(tuple(files), tuple(pages), tuple(cached), round(time.perf_counter() - started, 4), review,
                  review_error)


def _ingest_entry(
    path: Path, rel: str, root: Path, ctx: RunContext, cache: FileCache | None,
    budget: archive.Budget | None = None, depth: int = 0,
) -> Iterator[tuple[InputFile, list[Page], bool]]:
    """One file, or a zip file and then each of its members as ``name.zip/member`` (nested zips too).

    Each with its pages and whether they came processed from the page cache.
    """
    info, pages, from_cache = ingest_file(path, rel, root, ctx, cache)
    if info.mime != archive.ZIP_MIME or info.status != FileStatus.PROCESSED:
        yield info, pages, from_cache
        return
    limits = archive.ZipLimits(max_members=ctx.options.max_archive_members,
                               max_total_bytes=ctx.options.max_archive_bytes,
                               max_member_bytes=ctx.options.max_file_bytes)
    if depth >= limits.max_depth:
        yield dataclasses.replace(info, status=FileStatus.ERROR, message=f"a zip file nested more than "
                                  f"{limits.max_depth} deep: not unpacked"), [], False
        return
    budget = budget or archive.Budget(limits.max_members, limits.max_total_bytes)
    try:
        members, note = archive.unpack(path, ctx.work_dir, limits, budget)
    except archive.ArchiveError as exc:
        yield dataclasses.replace(info, status=FileStatus.ERROR, message=str(exc)), [], False
        return
    summary = f"zip file: {len(members)} file{'s' if len(members) != 1 else ''} unpacked and listed as {rel}/..."
    yield dataclasses.replace(info, message="; ".join(m for m in (summary, note) if m)), [], False
    for member in members:
        member_rel = f"{rel}/{display_name(member.name)}"
        if member.path is None:
            yield _loose(member_rel, FileStatus.ERROR, member.problem), [], False
        else:
            yield from _ingest_entry(member.path, member_rel, member.path.parent, ctx, cache, budget, depth + 1)


def settle_files(work: DossierWork) -> DossierWork:
    """Dossier stage: a file whose pixels could not be decoded is an ``error``, not a document.

    Intake reads headers only; the page stages decode each raster once, and a corrupt or truncated
    one comes back as an ``unreadable`` page. When every page of a file is unreadable, the file
    gets the decoder's message as an ``error`` status and its pages leave the dossier.
    """
    broken: dict[str, str] = {}
    for info in work.files:
        own = [p for p in work.pages if p.file == info.file]
        errors = [r for p in own for r in p.rejections if r.code is RejectionCode.UNREADABLE]
        if own and len(errors) >= len(own):
            broken[info.file] = str(errors[0].evidence.get("error", "the image cannot be decoded"))
    if not broken:
        return work
    files = tuple(
        dataclasses.replace(f, status=FileStatus.ERROR, message="; ".join(m for m in (broken[f.file], f.message) if m))
        if f.file in broken else f
        for f in work.files
    )
    pages = tuple(p for p in work.pages if p.file not in broken)
    return dataclasses.replace(work, files=files, pages=pages)
