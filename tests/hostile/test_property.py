"""Property: ``dossier check`` on any folder tree with any file bytes raises nothing and reports every file."""

from __future__ import annotations

import io
import json
import os
import tempfile
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from pipeline.case import CASE_FILES
from pipeline.errors import ExitCode
from pipeline.stages.intake import NOT_DOCUMENTS, display_name
from tests.hostile.helpers import CONTRACT, run_cli


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 60), (240, 240, 240)).save(buffer, "PNG")
    return buffer.getvalue()


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("inner/scan.png", _png())
        zf.writestr("../escape.png", _png())
    return buffer.getvalue()


VALID = [b"", CONTRACT, _png(), _zip(), b"%PDF-1.7\n", b"PK\x03\x04", b"\xff\xd8\xff\xe0", b"II*\x00"]
NAME_CHARS = st.characters(blacklist_characters="/\x00", blacklist_categories=("Cs",))
names = st.text(NAME_CHARS, min_size=1, max_size=24).filter(lambda n: n not in (".", "..") and len(n.encode()) < 200)
raw_names = st.binary(min_size=1, max_size=16).filter(lambda b: b"/" not in b and b"\x00" not in b
                                                      and b not in (b".", b".."))
contents = st.one_of(st.sampled_from(VALID), st.binary(max_size=600),
                     st.sampled_from(VALID).flatmap(lambda v: st.binary(max_size=64).map(lambda tail: v + tail)))


@st.composite
def trees(draw: st.DrawFn, depth: int = 0) -> dict[bytes, object]:
    """A folder: name (bytes, any encoding) -> file bytes or a sub-folder."""
    entries: dict[bytes, object] = {}
    for _ in range(draw(st.integers(0, 5 if depth == 0 else 3))):
        name = draw(st.one_of(names.map(os.fsencode), raw_names))
        if depth < 2 and draw(st.booleans()):
            entries[name] = draw(trees(depth + 1))
        else:
            entries[name] = draw(contents)
    return entries


def _write(folder: Path, tree: dict[bytes, object]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, item in tree.items():
        path = folder / os.fsdecode(name)  # undecodable bytes ride along as surrogates
        if isinstance(item, dict):
            _write(path, item)
        else:
            path.write_bytes(item)  # type: ignore[arg-type]


def _files_on_disk(root: Path) -> list[tuple[str, ...]]:
    found = []
    for dirpath, _, filenames in os.walk(root):
        for name in filenames:
            rel = (Path(dirpath) / name).relative_to(root)
            found.append(tuple(display_name(part) for part in rel.parts))
    return found


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tree=trees())
def test_any_tree_is_checked_and_fully_reported(tree: dict[bytes, object], monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    with tempfile.TemporaryDirectory(prefix="prop-") as tmp:
        root = Path(tmp) / "input"
        _write(root, tree)
        out = Path(tmp) / "out"
        cli = run_cli(["check", str(root), "--out", str(out), "--cache", "off", "--as-of", "2026-11-25",
                       "--no-progress"], monkeypatch, capsys)
        assert cli.code in (0, ExitCode.DOSSIER_UNREADABLE, ExitCode.CONFIG), cli.err
        assert "Traceback" not in cli.err
        if cli.code == ExitCode.CONFIG:  # only a cases.csv the run cannot use at all stops it, before any work
            assert "cases.csv" in cli.err and cli.runs == 0
            return
        data = json.loads((out / "report.json").read_text())
        listed = {(d["id"], f["file"]) for d in data["dossiers"] for f in d["files"]}
        loose = {f["file"] for f in data["batch_files"]}
        ids = {d["id"] for d in data["dossiers"]}
        single = ids == {"input"} and not loose
        for parts in _files_on_disk(root):
            rel = "/".join(parts)
            if parts[-1] in NOT_DOCUMENTS or (len(parts) == 1 and parts[0] in CASE_FILES):
                continue
            if single:
                assert ("input", rel) in listed, rel
            elif parts[0] in loose:
                continue
            else:
                assert len(parts) > 1 and parts[0] in ids, rel
                assert (parts[0], "/".join(parts[1:])) in listed or parts[1] in NOT_DOCUMENTS, rel
