"""Remote sources through fsspec: mirror ``s3://bucket/prefix`` (or any fsspec URL) into a local folder."""

from __future__ import annotations

import hashlib
import json
import logging
import tempfile
from pathlib import Path

import fsspec

from pipeline.atomic import atomic_write
from pipeline.errors import InputFileError

log = logging.getLogger(__name__)


def mirror_dir(url: str) -> Path:
    """The local mirror folder of a URL (stable across runs, so unchanged files are not fetched again).

    Its name is the URL's last component, so a single dossier keeps its id.
    """
    digest = hashlib.sha256(url.rstrip("/").encode()).hexdigest()[:16]
    name = url.rstrip("/").rsplit("/", 1)[-1] or "root"
    return Path(tempfile.gettempdir()) / "dossier-sources" / digest / name


def fetch_to_local(url: str, target: Path | None = None) -> Path:
    """Copy every file under ``url`` into ``target`` (its mirror folder by default), keeping the tree.

    A file whose size and ETag/mtime did not change since the last fetch is not downloaded again.

    Raises:
        InputFileError: the URL cannot be listed (bad bucket, no credentials, nothing there).
    """
    target = target or mirror_dir(url)
    try:
        fs, root = fsspec.core.url_to_fs(url)
        listing = fs.find(root, detail=True)
    except Exception as exc:  # noqa: BLE001 - fsspec back-ends raise their own error types
        raise InputFileError(f"cannot list {url}: {exc}") from exc
    if not listing:
        raise InputFileError(f"{url} holds no files")
    root = root.rstrip("/")
    manifest_path = target.parent / f"{target.name}.manifest.json"
    manifest: dict[str, str] = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
    for name, info in sorted(listing.items()):
        rel = name[len(root) :].lstrip("/")
        local = target / rel
        tag = f"{info.get('size')}:{info.get('ETag') or info.get('mtime') or info.get('LastModified')}"
        if local.exists() and manifest.get(rel) == tag:
            continue
        local.parent.mkdir(parents=True, exist_ok=True)
        fs.get_file(name, str(local))
        manifest[rel] = tag
    wanted = {name[len(root) :].lstrip("/") for name in listing}
    for rel in sorted(set(manifest) - wanted):  # deleted at the source: delete here too
        (target / rel).unlink(missing_ok=True)
        del manifest[rel]
    atomic_write(manifest_path, json.dumps(manifest, indent=1, sort_keys=True))  # a torn one would refetch all
    log.info("fetched %s into %s", url, target)
    return target
