"""Atomic writes: a reader (or the next run) sees the old file or the new one, never a torn one.

A local file is written to a unique temporary name in its own folder, flushed to disk (fsync) and
renamed over the target; a failure (disk full, no rights, Ctrl-C, kill -9) leaves the previous file
untouched. Object stores (``s3://``) write whole objects, so a plain write is already atomic there.
"""

from __future__ import annotations

import contextlib
import fcntl
import glob
import os
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path

import fsspec

LOCK_NAME = ".dossier-write.lock"
"""Held while a set of reports is committed: two runs on one ``--out`` never interleave their files."""
TEMP_SUFFIX = ".tmp"
_UMASK = os.umask(0)
os.umask(_UMASK)


def _default_mode() -> int:
    return 0o666 & ~_UMASK


def encode(data: bytes | str) -> bytes:
    r"""UTF-8 bytes of a text; a lone surrogate (an undecodable name, a broken PDF string) becomes ``\udcxx``
    text instead of failing the whole write (in JSON that is the same character, escaped)."""
    return data.encode("utf-8", "backslashreplace") if isinstance(data, str) else data


def is_local(url: str) -> bool:
    """True for a plain path or a ``file://`` URL."""
    return "://" not in url or url.startswith("file://")


def _local_path(url: str) -> Path:
    return Path(url.removeprefix("file://"))


def _write_temp(folder: Path, name: str, data: bytes, mode: int, durable: bool = True) -> Path:
    """Write ``data`` to a new unique file beside ``folder/name`` (flushed to disk when ``durable``)."""
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=TEMP_SUFFIX)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fchmod(handle.fileno(), mode)
            if durable:
                os.fsync(handle.fileno())
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def _fsync_dir(folder: Path) -> None:
    """Make the renames in ``folder`` durable (a crash right after keeps the new names)."""
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:  # some file systems do not sync folders; the rename is still atomic
        pass
    finally:
        os.close(fd)


def atomic_write(path: str | Path, data: bytes | str, *, mode: int | None = None, durable: bool = True) -> None:
    """Replace one file atomically (a local path: temporary file, fsync, rename; a URL: one put).

    Args:
        path: The file to write (its folder must exist).
        data: Its new content (``str`` is written as UTF-8).
        mode: Permission bits of the new file (default: 0666 minus the umask).
        durable: fsync before the rename; without it a power cut may lose the new file (never tear
            it): enough for a cache that recomputes what it cannot read.
    """
    payload = encode(data)
    target = str(path)
    if not is_local(target):
        fs, root = fsspec.core.url_to_fs(target)
        fs.pipe_file(root, payload)
        return
    local = _local_path(target)
    tmp = _write_temp(local.parent, local.name, payload, _default_mode() if mode is None else mode, durable)
    try:
        tmp.replace(local)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    if durable:
        _fsync_dir(local.parent)


@contextlib.contextmanager
def _folder_lock(folder: Path) -> Iterator[None]:
    """Exclusive lock on ``folder`` for one commit (released by the kernel if the process dies)."""
    with (folder / LOCK_NAME).open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _remove_stale_temps(targets: Iterator[Path]) -> None:
    """Temporary files a killed run left behind (only ever present while the lock is held)."""
    for target in targets:
        for stale in target.parent.glob(f".{glob.escape(target.name)}.*{TEMP_SUFFIX}"):
            stale.unlink(missing_ok=True)


def write_files(folder: str, files: Mapping[str, bytes | str]) -> list[str]:
    """Write several files into ``folder`` as one set: all of them are replaced, or none.

    Every new file is written and flushed first; only when all succeeded are they renamed over the
    old ones, under a lock on the folder, so a failed or concurrent run never leaves a mix.

    Args:
        folder: A local folder or fsspec URL (created when missing).
        files: Path relative to ``folder`` (``evidence/a.png`` makes its sub-folder) -> content.

    Returns:
        The written paths (URLs stay URLs), in the order given.

    Raises:
        OSError: the folder cannot be created or written (the previous files are unchanged).
        ValueError: a name leaves ``folder`` (absolute, or with ``..``).
    """
    payloads = {name: encode(data) for name, data in files.items()}
    for name in payloads:
        if name.startswith("/") or ".." in name.split("/"):
            raise ValueError(f"{name!r} leaves the report folder")
    if not is_local(folder):
        fs, root = fsspec.core.url_to_fs(folder)
        written = []
        for name, payload in payloads.items():
            url = f"{root.rstrip('/')}/{name}"
            fs.makedirs(url.rsplit("/", 1)[0], exist_ok=True)
            fs.pipe_file(url, payload)
            written.append(url)
        return written
    local = _local_path(folder)
    local.mkdir(parents=True, exist_ok=True)
    targets = [local / name for name in payloads]
    mode = _default_mode()
    with _folder_lock(local):
        _remove_stale_temps(iter(targets))
        temps: list[tuple[Path, Path]] = []
        try:
            for target, payload in zip(targets, payloads.values(), strict=True):
                target.parent.mkdir(parents=True, exist_ok=True)
                temps.append((_write_temp(target.parent, target.name, payload, mode), target))
            for tmp, target in temps:
                tmp.replace(target)
        finally:
            for tmp, _ in temps:
                tmp.unlink(missing_ok=True)
        for parent in {target.parent for target in targets}:
            _fsync_dir(parent)
    return [str(target) for target in targets]


def probe_writable(folder: str) -> None:
    """Check, without leaving anything behind, that files can be created in ``folder`` (or where it
    would be created).

    Raises:
        OSError: with the reason (read-only, no rights, a file in the way, a pseudo file system).
    """
    if not is_local(folder):
        return
    path = _local_path(folder).absolute()
    while not path.exists() and path != path.parent:
        path = path.parent
    if not path.is_dir():
        raise NotADirectoryError(20, "a file is in the way", str(path))
    fd, name = tempfile.mkstemp(dir=path, prefix=".dossier-probe-", suffix=TEMP_SUFFIX)
    os.close(fd)
    Path(name).unlink()
