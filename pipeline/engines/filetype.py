"""File type by content (libmagic), never by name."""

from __future__ import annotations

import functools
import logging

import magic

from pipeline.errors import MissingDependencyError

log = logging.getLogger(__name__)

PDF = "application/pdf"
IMAGE_TYPES = frozenset(
    {"image/jpeg", "image/png", "image/tiff", "image/heic", "image/heif", "image/webp", "image/bmp"}
)
"""Raster formats we read; anything else is ``unsupported``."""


@functools.cache
def _detector() -> magic.Magic:
    try:
        return magic.Magic(mime=True)
    except (ImportError, magic.MagicException) as exc:  # pragma: no cover - depends on the system
        raise MissingDependencyError(
            "libmagic is missing: install the Debian package libmagic1 (apt-get install libmagic1)"
        ) from exc


def sniff(head: bytes) -> str:
    """MIME type of a file from its first bytes (2 KiB or more is plenty).

    >>> sniff(b"%PDF-1.7\\n")
    'application/pdf'
    >>> sniff(b"\\x89PNG\\r\\n\\x1a\\n\\x00\\x00\\x00\\rIHDR" + bytes(17))
    'image/png'
    """
    mime = _detector().from_buffer(head)
    return str(mime).split(";")[0].strip() or "application/octet-stream"
