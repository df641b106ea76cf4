"""Content-hash cache of per-page work (quality verdict, MRZ, OCR): unchanged files are never OCR'd twice.

The key is the file's SHA-256, the page number and a digest of everything that shapes the result:
the options that matter, the tesseract version and the source code of the page stages. A new
``--as-of`` does not change the key (dates are evaluated after the cache), so re-validation of an
unchanged batch on a later day costs no OCR. Entries live in a local folder or any fsspec URL
(``s3://bucket/cache``), one small JSON file each, written atomically where the file system allows.

Entries hold personal data (OCR text and MRZ lines of passports), so a local cache is private to
its user (folders 0700, files 0600) and entries unused for ``RETENTION_DAYS`` are deleted
(``dossier cache prune``, and automatically at most once a day by a run).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
import hashlib
import json
import logging
import os
import time
from pathlib import Path
from typing import Any

import fsspec

from pipeline.atomic import TEMP_SUFFIX, atomic_write
from pipeline.context import RunOptions
from pipeline.model import InputFile, Page

log = logging.getLogger(__name__)

_PAGE_STAGE_MODULES = (
    "api.py", "stages/intake.py", "stages/quality.py", "stages/mrz_zone.py", "stages/ocr.py", "engines/imaging.py",
    "stages/evidence.py", "engines/jpeg.py",
    "engines/mrz_reader.py", "engines/ocr.py", "quality_config.py", "mrz.py", "model.py",
)
"""Sources whose change must invalidate cached pages (``api.py`` holds the page stage list)."""


RETENTION_DAYS = 30
"""Entries not used for this many days are deleted (``dossier cache prune --older-than``'s default)."""
PRUNE_EVERY_S = 24 * 3600
"""A run prunes a local cache at most this often (a stamp file records the last time)."""
PRUNE_STAMP = ".last-prune"
PRIVATE_DIR, PRIVATE_FILE = 0o700, 0o600


def default_cache_dir() -> str:
    """``$DOSSIER_CACHE`` or the user's cache folder."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return os.environ.get("DOSSIER_CACHE") or str(Path(base) / "dossier" / "pages")


@functools.cache
def code_version() -> str:
    """Digest of the page-stage sources (a code change invalidates what it could change)."""
    root = Path(__file__).parent
    digest = hashlib.sha256()
    for name in _PAGE_STAGE_MODULES:
        path = root / name
        digest.update(name.encode())
        digest.update(path.read_bytes() if path.exists() else b"-")
    return digest.hexdigest()[:16]


def settings_digest(options: RunOptions, engine_id: str) -> str:
    """Digest of the settings that change page results (not the evaluation date or the profile)."""
    relevant = {
        "ocr_langs": options.ocr_langs,
        "ocr_long_side": options.ocr_long_side,
        "pdf_render_dpi": options.pdf_render_dpi,
        "engine": engine_id,
        "code": code_version(),
    }
    return hashlib.sha256(json.dumps(relevant, sort_keys=True).encode()).hexdigest()[:16]


@dataclasses.dataclass
class PageCache:
    """Processed pages by content hash, in a folder or bucket prefix."""

    location: str
    settings: str
    hits: int = 0
    misses: int = 0

    def __post_init__(self) -> None:
        self._fs, self._root = fsspec.core.url_to_fs(self.location)
        self._root = self._root.rstrip("/")
        self._local = "file" in self._fs.protocol
        if self._local:
            _make_private(Path(self._root))
        else:
            self._fs.makedirs(self._root, exist_ok=True)

    def _path(self, page: Page) -> str:
        return f"{self._root}/{page.sha256[:2]}/{page.sha256}-{page.number:05d}-{self.settings}.json"

    def get(self, page: Page) -> Page | None:
        """The cached result for this page of this content, relabelled with the page's current file name."""
        path = self._path(page)
        try:
            with self._fs.open(path, "r", encoding="utf-8") as handle:
                data: dict[str, Any] = json.load(handle)
            cached = Page.from_dict(data)
        except FileNotFoundError:
            self.misses += 1
            return None
        except (OSError, ValueError, KeyError, TypeError):  # a torn or foreign entry: recompute
            log.warning("ignoring unreadable cache entry %s", path)
            self.misses += 1
            return None
        self.hits += 1
        self._touch(path)
        # The same bytes may sit under another name or in another dossier: keep this page's identity.
        return dataclasses.replace(cached, file=page.file, image=page.image, frame=page.frame, seconds={})

    def _file_path(self, sha256: str) -> str:
        return f"{self._root}/{sha256[:2]}/{sha256}-file-{self.settings}.json"

    def get_file(self, info: InputFile) -> list[Page] | None:
        """Every processed page of a file whose pages were all cached, relabelled with its current name.

        Intake asks first, so an unchanged file is neither decoded nor split into pages again.
        """
        try:
            with self._fs.open(self._file_path(info.sha256), "r", encoding="utf-8") as handle:
                data: dict[str, Any] = json.load(handle)
            pages = [Page.from_dict(p) for p in data["pages"]]
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError):
            log.warning("ignoring unreadable cache entry for a file")
            return None
        self.hits += len(pages)
        self._touch(self._file_path(info.sha256))
        return [dataclasses.replace(p, file=info.file, image=None, seconds={}) for p in pages]

    def put_file(self, pages: list[Page]) -> None:
        """Record that these processed pages are all of one file (after every page was processed)."""
        if pages:
            self._write(self._file_path(pages[0].sha256), {"pages": [_entry(p) for p in pages]})

    def put(self, page: Page) -> None:
        """Store a processed page."""
        self._write(self._path(page), _entry(page))

    def _write(self, path: str, data: dict[str, Any]) -> None:
        """Store an entry; a cache that cannot be written (disk full, no rights) never stops a run."""
        try:
            self._store(path, json.dumps(data, ensure_ascii=False))
        except (OSError, ValueError) as exc:
            log.warning("page cache: cannot write an entry (%s); the run goes on without it", exc)

    def _store(self, path: str, payload: str) -> None:
        """Write to a unique temporary name, then rename, where the file system can (no torn entries)."""
        if self._local:
            folder = Path(path).parent
            folder.mkdir(mode=PRIVATE_DIR, exist_ok=True)
            atomic_write(path, payload, mode=PRIVATE_FILE, durable=False)
        else:  # object stores write whole objects: no torn entries to fear
            self._fs.makedirs(path.rsplit("/", 1)[0], exist_ok=True)
            with self._fs.open(path, "w", encoding="utf-8") as handle:
                handle.write(payload)

    def _touch(self, path: str) -> None:
        """Mark an entry as used (retention counts from the last use; object stores keep the write time)."""
        if self._local:
            with contextlib.suppress(OSError):
                os.utime(path)

    def prune(self, older_than: dt.timedelta) -> PruneResult:
        """Delete entries not used (locally) or written (object stores) within ``older_than``.

        Temporary files a killed run left behind go too.
        """
        cutoff = time.time() - older_than.total_seconds()
        result = PruneResult()
        for path, info in self._fs.find(self._root, detail=True).items():
            name = path.rsplit("/", 1)[-1]
            if not (name.endswith(".json") or name.endswith(TEMP_SUFFIX)):
                continue
            if _modified(info) < cutoff:
                try:
                    self._fs.rm_file(path)
                except FileNotFoundError:
                    continue
                result.removed += 1
                result.bytes += int(info.get("size") or 0)
            else:
                result.kept += 1
        if self._local:
            for folder in sorted(Path(self._root).glob("??"), reverse=True):
                with contextlib.suppress(OSError):
                    folder.rmdir()  # only when empty
        return result

    def prune_if_due(self, older_than: dt.timedelta = dt.timedelta(days=RETENTION_DAYS)) -> PruneResult | None:
        """Prune a local cache when the last pruning is more than a day old (None when not due)."""
        if not self._local:
            return None
        stamp = Path(self._root) / PRUNE_STAMP
        try:
            if time.time() - stamp.stat().st_mtime < PRUNE_EVERY_S:
                return None
        except FileNotFoundError:
            pass
        result = self.prune(older_than)
        stamp.touch(mode=PRIVATE_FILE)
        os.utime(stamp)
        if result.removed:
            log.info("page cache: %d entries unused for %d days deleted", result.removed, older_than.days)
        return result


NOT_CACHED = ("image", "frame", "seconds", "exif")
"""Page fields a re-run does not need: where this run kept the raster, its timings, and the camera's
EXIF tags (read by the quality gate only). The rest (quality verdict and metrics, text, words, MRZ)
is what the dossier stages read."""


def _entry(page: Page) -> dict[str, Any]:
    data = page.to_dict()
    for name in NOT_CACHED:
        data.pop(name, None)
    return data


@dataclasses.dataclass
class PruneResult:
    """What one pruning did."""

    removed: int = 0
    kept: int = 0
    bytes: int = 0
    """Bytes freed."""


def _modified(info: dict[str, Any]) -> float:
    """Modification time of an fsspec listing entry, as a UNIX timestamp (local files and S3)."""
    value = info.get("mtime") or info.get("LastModified") or info.get("last_modified") or info.get("created")
    if isinstance(value, dt.datetime):
        return value.timestamp()
    try:
        return float(value) if value is not None else time.time()
    except (TypeError, ValueError):
        return time.time()


def _make_private(root: Path) -> None:
    """Create the cache folder readable by its owner only; tighten one made by an older version."""
    root.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    if root.stat().st_mode & 0o077 == 0:
        return
    try:
        root.chmod(PRIVATE_DIR)
        for dirpath, dirnames, filenames in os.walk(root):
            for name in dirnames:
                (Path(dirpath) / name).chmod(PRIVATE_DIR)
            for name in filenames:
                (Path(dirpath) / name).chmod(PRIVATE_FILE)
    except OSError as exc:  # another user's folder: still usable, but say so
        log.warning("cannot make the page cache %s private (%s): it holds OCR text of passports", root, exc)
