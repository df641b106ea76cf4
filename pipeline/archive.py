"""Unpack the ``.zip`` files senders bundle their scans in, safely.

Nothing from the archive decides where a byte lands: each member is written to a numbered file in a
fresh folder, and its name inside the archive is only a label for the report. Every limit is checked
on the declared sizes first and enforced again while the bytes are written (headers can lie): member
count, bytes per member, total bytes for an archive and everything nested in it, the compression
ratio of large members, overlapping entries (a "non-recursive" zip bomb) and the nesting depth.
Absolute, drive-letter and ``..`` paths (zip-slip), symbolic links and encrypted members are refused.
"""

from __future__ import annotations

import dataclasses
import stat
import tempfile
import zipfile
from pathlib import Path, PurePosixPath

ZIP_MIME = "application/zip"
CHUNK = 1 << 20
RATIO_FLOOR_BYTES = 8 << 20
"""Members smaller than this unpack whatever their ratio (a white page compresses 1000:1)."""
LOCAL_HEADER_BYTES = 30


@dataclasses.dataclass(frozen=True, slots=True)
class ZipLimits:
    """Bounds for one archive and everything nested in it."""

    max_members: int = 1000
    max_total_bytes: int = 1 << 30
    max_member_bytes: int = 200 << 20
    max_ratio: int = 200
    max_depth: int = 2
    """An archive inside an archive is unpacked; one level deeper is not."""


@dataclasses.dataclass
class Budget:
    """What is left to unpack for one top-level archive (shared with the archives nested in it)."""

    members: int
    bytes: int


@dataclasses.dataclass(frozen=True, slots=True)
class Member:
    """One member of an archive: unpacked to ``path``, or refused with ``problem``."""

    name: str
    """Its path inside the archive (a label only: never used as a file system path)."""
    path: Path | None = None
    problem: str = ""


class ArchiveError(Exception):
    """The archive as a whole cannot be unpacked (corrupt, overlapping entries)."""


def _unsafe_name(name: str) -> str:
    """Why a member name must not be unpacked ("" when it is fine).

    >>> [_unsafe_name(n) for n in ("scans/a.jpg", "../a.jpg", "/etc/passwd", "C:\\\\x.jpg", "a\\\\..\\\\..\\\\b")]
    ['', 'its path leaves the archive', 'its path is absolute', 'its path is absolute', 'its path leaves the archive']
    """
    if "\x00" in name:
        return "its name holds a NUL byte"
    posix = name.replace("\\", "/")
    if posix.startswith("/") or (len(posix) > 1 and posix[1] == ":"):
        return "its path is absolute"
    if ".." in PurePosixPath(posix).parts:
        return "its path leaves the archive"
    return ""


def _is_symlink(info: zipfile.ZipInfo) -> bool:
    return info.create_system == 3 and stat.S_ISLNK(info.external_attr >> 16)


def _overlapping(infos: list[zipfile.ZipInfo]) -> bool:
    """True when a member's data runs into the next member's header (entries share compressed bytes)."""
    spans = sorted(
        (i.header_offset, i.header_offset + LOCAL_HEADER_BYTES + len(i.orig_filename.encode("utf-8", "replace"))
         + i.compress_size)
        for i in infos
    )
    return any(later[0] < earlier[1] for earlier, later in zip(spans, spans[1:], strict=False))


def unpack(archive: Path, into: Path, limits: ZipLimits, budget: Budget) -> tuple[list[Member], str]:
    """Unpack the files of ``archive`` into a new folder under ``into``.

    Args:
        archive: The zip file.
        into: Folder for the unpacked copies (a fresh sub-folder is made in it).
        limits: Bounds (see :class:`ZipLimits`).
        budget: What is left for this archive tree; decreased by what is unpacked.

    Returns:
        Every member that is a file, in archive order (unpacked or refused), and a note for the
        archive (members left out beyond the count limit).

    Raises:
        ArchiveError: the archive is corrupt or its entries overlap.
    """
    try:
        with zipfile.ZipFile(archive) as zf:
            infos = [i for i in zf.infolist() if not i.is_dir()]
            if _overlapping(infos):
                raise ArchiveError("its entries overlap (a zip bomb): refused")
            folder = Path(tempfile.mkdtemp(prefix="zip-", dir=into))
            members: list[Member] = []
            note = ""
            if len(infos) > budget.members:
                note = f"only the first {budget.members} of {len(infos)} files were unpacked (limit " \
                       f"{limits.max_members} per archive)"
                infos = infos[: budget.members]
            for index, info in enumerate(infos):
                budget.members -= 1
                members.append(_unpack_member(zf, info, folder / f"{index:05d}", limits, budget))
            return members, note
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
        raise ArchiveError(f"the zip file is corrupt or unreadable ({exc})") from exc


def _unpack_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path, limits: ZipLimits,
                   budget: Budget) -> Member:
    name = info.filename
    problem = _unsafe_name(name)
    if problem:
        return Member(name, problem=f"{problem}: refused")
    if _is_symlink(info):
        return Member(name, problem="symbolic link inside the archive: refused")
    if info.flag_bits & 0x1:
        return Member(name, problem="password-protected inside the archive: add the file itself, unprotected")
    limit = min(limits.max_member_bytes, budget.bytes)
    if info.file_size > limits.max_member_bytes:
        return Member(name, problem=f"unpacks to {info.file_size / 2**20:.0f} MiB, above the "
                                    f"{limits.max_member_bytes / 2**20:.0f} MiB limit: not unpacked")
    if info.file_size > budget.bytes:
        return Member(name, problem=f"not unpacked: the archive unpacks to more than "
                                    f"{limits.max_total_bytes / 2**20:.0f} MiB in all")
    if info.file_size > RATIO_FLOOR_BYTES and info.file_size > limits.max_ratio * max(info.compress_size, 1):
        ratio = info.file_size / max(info.compress_size, 1)
        return Member(name, problem=f"compression ratio {ratio:.0f}:1 is above {limits.max_ratio}:1 "
                                    "(a zip bomb?): not unpacked")
    written = 0
    try:
        with zf.open(info) as source, target.open("wb") as out:
            while block := source.read(CHUNK):
                written += len(block)
                if written > limit:  # the header lied about the size
                    raise _Overrun
                out.write(block)
    except _Overrun:
        target.unlink(missing_ok=True)
        budget.bytes -= limit
        return Member(name, problem="unpacks to more bytes than its header says (a zip bomb?): not unpacked")
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, NotImplementedError, RuntimeError) as exc:
        target.unlink(missing_ok=True)
        return Member(name, problem=f"cannot be unpacked ({exc})")
    budget.bytes -= written
    return Member(name, path=target)


class _Overrun(Exception):
    pass
