"""Batches in a bucket (moto's S3 server on 127.0.0.1): reports and page cache in the bucket, re-runs cost no OCR."""

from __future__ import annotations

import datetime as dt
import json
import socket
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import fsspec
import pytest
from PIL import Image, ImageDraw, ImageFont

from pipeline import api
from pipeline.context import RunOptions
from pipeline.engines.ocr import FakeOcrEngine
from pipeline.sources import fetch_to_local
from tests.pdfs import text_pdf

moto_server = pytest.importorskip("moto.server")
s3fs = pytest.importorskip("s3fs")

BUCKET = "hr-bucket"
AS_OF = dt.date(2026, 11, 25)
DOSSIERS = ("001-alpha", "002-bravo", "003-charlie")
PAGES = 2 * len(DOSSIERS)
REAL_STAGES = api.PAGE_STAGES
"""Each dossier: one scanned JPEG (OCR'd) and one born-digital PDF (never OCR'd)."""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def s3_url() -> Iterator[str]:
    """moto's S3 on a free local port; fake credentials; fsspec pointed at it."""
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=_free_port(), verbose=False)
    server.start()
    url = f"http://127.0.0.1:{server._port}"
    saved = dict(fsspec.config.conf.get("s3", {}))
    with pytest.MonkeyPatch.context() as mp:
        for key in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
            mp.delenv(key, raising=False)
        mp.setenv("AWS_ACCESS_KEY_ID", "testing")
        mp.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        mp.setenv("AWS_DEFAULT_REGION", "us-east-1")
        mp.setenv("AWS_ENDPOINT_URL", url)  # botocore/aiobotocore honour it; fsspec config below too
        fsspec.config.conf["s3"] = {"client_kwargs": {"endpoint_url": url}}
        s3fs.S3FileSystem.clear_instance_cache()
        fs = fsspec.filesystem("s3")
        fs.mkdir(BUCKET)
        try:
            yield url
        finally:
            fsspec.config.conf["s3"] = saved
            s3fs.S3FileSystem.clear_instance_cache()
            server.stop()


def _scan(path: Path, lines: list[str]) -> None:
    """A clean colour "scan" of a certificate (A4 at 200 dpi)."""
    img = Image.new("RGB", (1654, 2339), (250, 248, 240))
    draw = ImageDraw.Draw(img)
    try:
        font: Any = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 36)
    except OSError:
        font = ImageFont.load_default()
    for n, line in enumerate(lines):
        draw.text((150, 200 + 80 * n), line, fill=(20, 20, 20), font=font)
    img.save(path, dpi=(200, 200), quality=85)


@pytest.fixture(scope="module")
def batch_url(s3_url: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """Upload a small batch to ``s3://hr-bucket/dossiers``."""
    root = tmp_path_factory.mktemp("upload") / "dossiers"
    for i, name in enumerate(DOSSIERS):
        folder = root / name
        folder.mkdir(parents=True)
        _scan(folder / "casier.jpg", ["EXTRAIT DE CASIER JUDICIAIRE", f"Delivre le 0{i + 1}/10/2026", name])
        (folder / "contrat.pdf").write_bytes(text_pdf(["CONTRAT DE TRAVAIL", "Employeur: ACME NV", name]))
    fs = fsspec.filesystem("s3")
    fs.put(str(root), f"{BUCKET}/dossiers", recursive=True)
    return f"s3://{BUCKET}/dossiers"


class Killed(BaseException):
    """Stands for SIGKILL/Ctrl-C mid-batch: not an Exception, so nothing in the run catches it."""


class Spy:
    """Counts pages computed (cache misses reach the quality stage) and OCR calls; can 'kill' the run."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, *, kill_after: int | None = None) -> None:
        self.engine = FakeOcrEngine("EXTRAIT DE CASIER JUDICIAIRE\nDelivre le 01/10/2026")
        self.computed = 0
        self.kill_after = kill_after
        self._lock = threading.Lock()

        def counting(page: Any, *args: Any, **kwargs: Any) -> Any:
            with self._lock:
                if self.kill_after is not None and self.computed >= self.kill_after:
                    raise Killed("killed mid-batch")
                self.computed += 1
            return REAL_STAGES[0](page, *args, **kwargs)

        monkeypatch.setattr(api, "PAGE_STAGES", (counting, *REAL_STAGES[1:]))
        monkeypatch.setattr(api, "default_engine", lambda options: self.engine)

    @property
    def ocr_calls(self) -> int:
        return len(self.engine.calls)


def _objects(prefix: str) -> list[str]:
    fs = fsspec.filesystem("s3")
    fs.invalidate_cache()
    return sorted(p for p in fs.find(f"{BUCKET}/{prefix}"))


def _read_json(path: str) -> dict[str, Any]:
    with fsspec.open(f"s3://{path}", "r") as handle:
        return dict(json.load(handle))


def _page_entries(prefix: str) -> list[str]:
    """Cached pages (the cache also keeps one entry per completed file)."""
    return [o for o in _objects(prefix) if "-file-" not in o]


@pytest.fixture()
def prefect_backend(prefect_harness: None) -> None:
    """The session's shared Prefect test server (tests/flows/conftest.py)."""


def test_reprocess_from_bucket_to_bucket_with_cache_in_bucket(
    batch_url: str, prefect_backend: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from flows.scheduled import reprocess

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # private mirror folder
    out, cache = f"s3://{BUCKET}/reports", f"s3://{BUCKET}/cache"

    cold = Spy(monkeypatch)
    first = reprocess.fn(batch_url, out, cache=cache, as_of=AS_OF, workers=2)
    assert (cold.computed, cold.ocr_calls) == (PAGES, len(DOSSIERS))
    names = {p.rsplit("/", 1)[-1] for p in _objects("reports") if "/history/" not in p and "/evidence/" not in p}
    assert names == {"report.json", "report.csv", "report.html", "summary.csv", "changes.json"}
    assert any(p.endswith(".jpg") for p in _objects("reports/evidence"))  # thumbnails and crops beside it
    assert len([p for p in _objects("reports/history") if p.endswith("/report.json")]) == 1
    assert len(_page_entries("cache")) == PAGES
    assert first["changes"]["first_run"] and first["changes"]["new"] == list(DOSSIERS)

    warm = Spy(monkeypatch)
    second = reprocess.fn(batch_url, out, cache=cache, as_of=AS_OF + dt.timedelta(days=1), workers=2)
    assert (warm.computed, warm.ocr_calls) == (0, 0)  # every page answered by the cache in the bucket
    changes = second["changes"]
    assert not changes["first_run"] and changes["previous_as_of"] == "2026-11-25"
    assert changes["counts"]["unchanged"] == len(DOSSIERS) and changes["new"] == []
    with fsspec.open(f"{out}/report.json", "r") as handle:
        report = json.load(handle)
    assert report["as_of"] == "2026-11-26" and [d["id"] for d in report["dossiers"]] == list(DOSSIERS)
    assert report["changes"]["counts"]["unchanged"] == len(DOSSIERS)
    runs = [p for p in _objects("reports/history") if p.endswith("/report.json")]
    assert len(runs) == 2  # each run keeps its own history/<UTC timestamp>/ folder
    assert sorted(_read_json(p)["as_of"] for p in runs) == ["2026-11-25", "2026-11-26"]


def test_kill_mid_batch_then_rerun_redoes_only_unfinished_pages(
    batch_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    local = fetch_to_local(batch_url, tmp_path / "mirror" / "dossiers")
    options = RunOptions(as_of=AS_OF, cache=f"s3://{BUCKET}/cache-kill", workers=1)

    killed = Spy(monkeypatch, kill_after=4)
    with pytest.raises(Killed):
        api.run(local, options)
    assert killed.computed == 4
    assert len(_page_entries("cache-kill")) == 4  # finished pages are safe in the bucket

    rerun = Spy(monkeypatch)
    report = api.run(local, options)
    assert rerun.computed == PAGES - 4  # only the unfinished pages
    assert [d.id for d in report.dossiers] == list(DOSSIERS)
    assert all(d.stats["pages"] == 2 for d in report.dossiers)

    fresh = Spy(monkeypatch)  # nothing lost: same result as an uninterrupted run without cache
    reference = api.run(local, options.model_copy(update={"cache": "off"}))
    assert fresh.computed == PAGES
    assert [d.to_dict() | {"stats": None} for d in report.dossiers] == [
        d.to_dict() | {"stats": None} for d in reference.dossiers]
