"""Content-hash cache of per-page work (quality verdict, MRZ, OCR): unchanged files are never OCR'd twice.

The key is the file's SHA-256, the page number and a digest of everything that shapes the result:
the options that matter, the tesseract version and the source code of the page stages. A new
``--as-of`` does not change the key (dates are evaluated after the cache), so re-validation of an
unchanged batch on a later day costs no OCR. Entries live in a local folder or any fsspec URL
(``s3://bucket/cache``), one small JSON file each, written atomically where the file system allows.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import logging
import os
from pathlib import Path
from typing import Any

import fsspec

from pipeline.context import RunOptions
from pipeline.model import InputFile, Page

log = logging.getLogger(__name__)

_PAGE_STAGE_MODULES = (
    "api.py", "stages/intake.py", "stages/quality.py", "stages/mrz_zone.py", "stages/ocr.py", "engines/imaging.py",
    "stages/evidence.py", "engines/jpeg.py",
    "engines/mrz_reader.py", "engines/ocr.py", "quality_config.py", "mrz.py", "model.py",
)
"""Sources whose change must invalidate cached pages (``api.py`` holds the page stage list)."""


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
        return [dataclasses.replace(p, file=info.file, image=None, seconds={}) for p in pages]

    def put_file(self, pages: list[Page]) -> None:
        """Record that these processed pages are all of one file (after every page was processed)."""
        if pages:
            self._write(self._file_path(pages[0].sha256), {"pages": [p.to_dict() for p in pages]})

    def put(self, page: Page) -> None:
        """Store a processed page."""
        self._write(self._path(page), page.to_dict())

    def _write(self, path: str, data: dict[str, Any]) -> None:
        """Write to a temporary name, then move, where the file system can (no torn entries)."""
        self._fs.makedirs(path.rsplit("/", 1)[0], exist_ok=True)
        payload = json.dumps(data, ensure_ascii=False)
        if "file" in self._fs.protocol:
            tmp = f"{path}.{os.getpid()}.tmp"
            with self._fs.open(tmp, "w", encoding="utf-8") as handle:
                handle.write(payload)
            Path(tmp).replace(path)
        else:  # object stores write whole objects: no torn entries to fear
            with self._fs.open(path, "w", encoding="utf-8") as handle:
                handle.write(payload)
