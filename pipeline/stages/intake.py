"""Intake: find dossiers, type every file by content, split it into pages; never lose a file."""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import os
import time
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Protocol

import pypdf
import pypdf.errors
from PIL import ExifTags, Image, UnidentifiedImageError

from pipeline.case import CASE_FILES, CASES_CSV
from pipeline.context import RunContext
from pipeline.engines import filetype, imaging, pdfrender
from pipeline.errors import InputFileError
from pipeline.model import FileStatus, InputFile, Page, RejectionCode
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

    def in_order(self, processed: Sequence[Page]) -> list[Page]:
        """The cached pages and ``processed`` together, in file and page order."""
        rank = {f.file: n for n, f in enumerate(self.files)}
        return sorted([*self.cached, *processed], key=lambda p: (rank.get(p.file, len(rank)), p.file, p.number))


def is_batch(root: Path) -> bool:
    """A batch holds ``cases.csv`` or only sub-folders; anything else is one dossier."""
    if (root / CASES_CSV).is_file():
        return True
    entries = [e for e in root.iterdir() if not e.name.startswith(".")]
    return bool(entries) and all(e.is_dir() and not e.is_symlink() for e in entries)


def discover(root: Path) -> list[DossierSource]:
    """The dossiers under ``root`` (itself, or its sub-folders for a batch), sorted by id.

    Raises:
        InputFileError: the path does not exist or is not a folder.
    """
    if not root.exists():
        raise InputFileError(f"{root} does not exist")
    if not root.is_dir():
        raise InputFileError(f"{root} is a file: pass the dossier folder (or a batch of folders)")
    if is_batch(root):
        subs = [e for e in root.iterdir() if e.is_dir() and not e.is_symlink() and not e.name.startswith(".")]
        return [DossierSource(e.name, e) for e in sorted(subs, key=lambda e: e.name)]
    return [DossierSource(root.resolve().name, root)]


def display_name(rel: str) -> str:
    r"""A file name that is valid UTF-8: undecodable bytes are shown as ``\xNN`` escapes.

    >>> display_name(b"caf\xe9.jpg".decode("utf-8", "surrogateescape"))
    'caf\\xe9.jpg'
    """
    return rel.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _walk(root: Path) -> Iterator[tuple[Path, str]]:
    """Every entry below ``root`` as (path, display name), sorted, symlinks included (not followed)."""
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames.sort()
        base = Path(dirpath)
        for name in sorted(filenames) + sorted(d for d in dirnames if (base / d).is_symlink()):
            path = base / name
            yield path, display_name(path.relative_to(root).as_posix())


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _exif(image: Image.Image, mime: str) -> dict[str, str]:
    """EXIF tags by name, camera sub-IFD and GPS included; ``_mime`` records the container."""
    tags: dict[str, str] = {"_mime": mime}
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
                        dpi=_tag_dpi(image), exif=_exif(image, mime),
                    )
                )
    except Image.DecompressionBombError as exc:
        raise _FileProblem(f"image is too large to read safely ({exc}); scan at 300-600 dpi instead") from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise _FileProblem(f"the image is corrupt or truncated ({exc})") from exc
    note = f"only the first {limit} of {frames} frames were checked" if frames > limit else ""
    return pages, note


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
        # Pixels are not decoded here: the page stages decode (or render) each page once, in parallel.
        embedded = pdfrender.embedded_image(pdf_page)
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
) -> tuple[InputFile, list[Page]]:
    """Type one file by content and split it into pages. Problems become a status, never an exception.

    Args:
        path: The file (or symlink) on disk.
        rel: Its path relative to the dossier folder.
        root: The dossier folder (symlinks must stay inside it).
        ctx: Run context (limits, work folder).
        cache: Processed pages of unchanged files: such a file's pages come back processed.
    """
    info, pages, _ = _ingest_file(path, rel, root, ctx, cache)
    return info, pages


def _ingest_file(
    path: Path, rel: str, root: Path, ctx: RunContext, cache: FileCache | None
) -> tuple[InputFile, list[Page], bool]:
    """:func:`ingest_file`, and whether the pages came processed from the cache."""
    def status(st: FileStatus, message: str, sha: str = "", size: int = 0, mime: str = "") -> InputFile:
        return InputFile(file=rel, sha256=sha, size=size, mime=mime, status=st, message=message)

    if path.is_symlink():
        target = path.resolve()
        if not target.is_relative_to(root.resolve()):
            return status(FileStatus.ERROR, "symbolic link to a file outside the dossier folder: refused"), [], False
        if not target.is_file():
            return status(FileStatus.ERROR, "symbolic link to something that is not a file"), [], False
    try:
        size = path.stat().st_size
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
    """Every file of one dossier folder (nested folders included) with its pages.

    Args:
        source: The dossier folder.
        ctx: Run context.
        cache: Processed pages of unchanged files (by content hash): such files are not decoded again.
    """
    started = time.perf_counter()
    files: list[InputFile] = []
    pages: list[Page] = []
    cached: list[Page] = []
    for path, rel in _walk(source.path):
        if rel in NOT_DOCUMENTS:
            continue
        info, file_pages, from_cache = _ingest_file(path, rel, source.path, ctx, cache)
        files.append(info)
        (cached if from_cache else pages).extend(file_pages)
    log.info("dossier %s: %d files, %d pages (%d from the cache)", source.id, len(files), len(pages) + len(cached),
             len(cached))
    review, review_error = read_review(source.path)
    return Intake(tuple(files), tuple(pages), tuple(cached), round(time.perf_counter() - started, 4), review,
                  review_error)


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
