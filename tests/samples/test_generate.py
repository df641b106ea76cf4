"""Tests of the sample generator: determinism, MRZ check digits, capture metadata and truth coverage."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from pypdf import PdfReader

from samples import capture, generate
from samples.render import IdentityDocument, render_passport
from samples.texts import Person

AS_OF = dt.date(2026, 11, 25)
CONTRACT_CODES = {
    "phone_photo",
    "screenshot",
    "blurry",
    "low_resolution",
    "glare",
    "too_dark",
    "overexposed",
    "cut_off",
    "greyscale",
    "unreadable",
}


def _check(data: str) -> int:
    """ICAO 9303 7-3-1 check digit, written independently of samples.mrz."""
    values = {**{str(d): d for d in range(10)}, **{chr(65 + i): 10 + i for i in range(26)}, "<": 0}
    return sum(values[c] * (7, 3, 1)[i % 3] for i, c in enumerate(data)) % 10


def _assert_td3_valid(line1: str, line2: str) -> None:
    assert len(line1) == len(line2) == 44
    assert line1[0] == "P"
    assert int(line2[9]) == _check(line2[0:9])
    assert int(line2[19]) == _check(line2[13:19])
    assert int(line2[27]) == _check(line2[21:27])
    assert line2[42] == "<" or int(line2[42]) == _check(line2[28:42])
    assert int(line2[43]) == _check(line2[0:10] + line2[13:20] + line2[21:43])


def _assert_td1_valid(lines: list[str]) -> None:
    l1, l2, l3 = lines
    assert len(l1) == len(l2) == len(l3) == 30
    assert int(l1[14]) == _check(l1[5:14])
    assert int(l2[6]) == _check(l2[0:6])
    assert int(l2[14]) == _check(l2[8:14])
    assert int(l2[29]) == _check(l1[5:30] + l2[0:7] + l2[8:15] + l2[18:29])


def _hashes(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """A small compact batch generated once for the module."""
    out = tmp_path_factory.mktemp("gen")
    generate.main(["dossiers", "--out", str(out), "--count", "5", "--seed", "11", "--compact"])
    return out, json.loads((out / "truth.json").read_text(encoding="utf-8"))


def test_icao_specimen_check_digits() -> None:
    """The writer reproduces the ICAO 9303 specimen passport MRZ."""
    from samples import mrz

    lines = mrz.td3(
        issuing_state="UTO",
        surname="Eriksson",
        given_names="Anna Maria",
        number="L898902C3",
        nationality="UTO",
        birth_date=dt.date(1974, 8, 12),
        sex="F",
        expiry_date=dt.date(2012, 4, 15),
        personal_number="ZE184226B",
    )
    assert lines == ("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10")
    _assert_td3_valid(*lines)


def test_same_seed_same_page_bytes() -> None:
    """Same seed gives the same scan bytes; another seed differs."""
    person = Person("Weiß", "Lena", "F", dt.date(1990, 1, 2), "Berlin", "D")
    doc = IdentityDocument("passport", person, "D", "C01X00T47", dt.date(2021, 5, 3), dt.date(2031, 5, 2), "Berlin")
    page = render_passport(doc, 100)
    first = capture.encode(capture.as_flatbed_scan(page, 100, True, np.random.default_rng(5)), "png")
    second = capture.encode(capture.as_flatbed_scan(page, 100, True, np.random.default_rng(5)), "png")
    other = capture.encode(capture.as_flatbed_scan(page, 100, True, np.random.default_rng(6)), "png")
    assert first == second
    assert first != other
    assert doc.mrz_lines()[1][10:13] == "D<<"  # Germany's ICAO exception


def test_batch_is_deterministic(batch: tuple[Path, dict], tmp_path: Path) -> None:
    """Regenerating with the same seed gives byte-identical dossier files."""
    out, truth = batch
    generate.main(["dossiers", "--out", str(tmp_path), "--count", "2", "--seed", "11", "--compact"])
    for dossier in truth["dossiers"][:2]:  # each dossier has its own random stream
        assert _hashes(tmp_path / "batch" / dossier["id"]) == _hashes(out / "batch" / dossier["id"])


def test_mrz_in_truth_has_valid_check_digits(batch: tuple[Path, dict]) -> None:
    """Every passport and card MRZ in the truth passes an independent check."""
    _, truth = batch
    seen = set()
    for dossier in truth["dossiers"]:
        for entry in dossier["files"]:
            for doc in entry["documents"]:
                if doc["type"] == "passport":
                    _assert_td3_valid(*doc["fields"]["mrz"])
                    seen.add("td3")
                elif doc["type"] in ("id_card", "residence_card") and doc["fields"]["mrz"]:
                    _assert_td1_valid(doc["fields"]["mrz"])
                    seen.add("td1")
    assert seen == {"td1", "td3"}


def test_truth_covers_every_file(batch: tuple[Path, dict]) -> None:
    """Every file on disk is in the truth, with its pages covered by documents."""
    out, truth = batch
    root = out / "batch"
    assert not (root / "truth.json").exists()
    assert {d["id"] for d in truth["dossiers"]} == {p.name for p in root.iterdir() if p.is_dir()}
    for dossier in truth["dossiers"]:
        on_disk = {p.name for p in (root / dossier["id"]).iterdir()}
        assert on_disk == {f["file"] for f in dossier["files"]}
        for entry in dossier["files"]:
            path = root / dossier["id"] / entry["file"]
            if entry["expected_status"] != "processed":
                continue
            if path.suffix == ".pdf":
                pages = len(PdfReader(path).pages)
            else:
                with Image.open(path) as im:
                    pages = getattr(im, "n_frames", 1)
            assert pages == entry["pages"]
            covered = sorted(p for doc in entry["documents"] for p in doc["pages"])
            assert covered == list(range(1, pages + 1))
            assert set(entry["expected_rejections"]) <= CONTRACT_CODES
            for doc in entry["documents"]:
                assert {
                    "expiry_date",
                    "issue_date",
                    "birth_date",
                    "document_number",
                    "nationality",
                    "surname",
                    "given_names",
                    "language",
                } <= set(doc["fields"])


def test_batch_content(batch: tuple[Path, dict]) -> None:
    """The batch has its intended outcomes, a 3-page bundle, junk files and cases.csv."""
    out, truth = batch
    outcomes = [d["outcome"] for d in truth["dossiers"]]
    assert outcomes == [
        "complete",
        "passport_expires_soon",
        "phone_photo_passport",
        "untranslated_spanish_certificate",
        "complete",
    ]
    files = [f for d in truth["dossiers"] for f in d["files"]]
    bundles = [[doc["type"] for doc in f["documents"]] for f in files]
    assert ["criminal_record", "apostille", "translation"] in bundles
    assert {f["expected_status"] for f in files} == {"processed", "unsupported", "error"}
    phone = [f for f in files if f["capture"] and f["capture"]["kind"] == "phone"]
    assert phone and all("phone_photo" in f["expected_rejections"] for f in phone)
    with (out / "batch" / "cases.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == [
        "dossier",
        "category",
        "nationality",
        "entry_date",
        "application_date",
        "residence_countries",
    ]
    assert [r["dossier"] for r in rows] == [d["id"] for d in truth["dossiers"]]
    passport = next(doc for f in files for doc in f["documents"] if doc["type"] == "passport")
    assert dt.date.fromisoformat(passport["fields"]["expiry_date"]) > AS_OF


def test_born_digital_pdf_has_text(batch: tuple[Path, dict]) -> None:
    """Born-digital PDFs carry a text layer."""
    out, truth = batch
    digital = [
        (d["id"], f["file"])
        for d in truth["dossiers"]
        for f in d["files"]
        if f["capture"] and f["capture"]["text_layer"]
    ]
    assert digital
    dossier, name = digital[0]
    text = PdfReader(out / "batch" / dossier / name).pages[0].extract_text()
    assert len(text) > 200


def test_phone_photo_and_scan_metadata() -> None:
    """Phone photos carry or strip EXIF; scans carry a DPI tag and no EXIF."""
    person = Person("Sharma", "Priya", "F", dt.date(1994, 5, 17), "Pune", "IND")
    doc = IdentityDocument("passport", person, "IND", "Z4829173", dt.date(2021, 3, 13), dt.date(2031, 3, 12), "Pune")
    page = render_passport(doc, 120)
    with_exif = capture.as_phone_photo(page, np.random.default_rng(1), exif=True, long_side=1200)
    stripped = capture.as_phone_photo(page, np.random.default_rng(1), exif=False)
    scan = capture.as_flatbed_scan(page, 120, True, np.random.default_rng(1))
    im = Image.open(io.BytesIO(capture.encode(with_exif, "jpeg")))
    assert im.getexif()[0x010F]  # Make
    assert im.getexif().get_ifd(0x8769)[0x829D]  # FNumber
    im = Image.open(io.BytesIO(capture.encode(stripped, "jpeg")))
    assert not im.getexif() and 1280 <= max(im.size) <= 1600
    im = Image.open(io.BytesIO(capture.encode(scan, "jpeg")))
    assert not im.getexif() and round(im.info["dpi"][0]) == 120
    assert with_exif.codes == ("phone_photo",) and scan.codes == ()


def test_defects_return_contract_codes() -> None:
    """Each defect injector returns its contract rejection code."""
    person = Person("Rossi", "Marco", "M", dt.date(1988, 2, 29), "Roma", "ITA")
    doc = IdentityDocument("passport", person, "ITA", "YA1234567", dt.date(2020, 1, 1), dt.date(2030, 1, 1), "Roma")
    scan = capture.as_flatbed_scan(render_passport(doc, 150), 150, True, np.random.default_rng(2))
    for name, defect in capture.DEFECTS.items():
        out, code = defect(scan, np.random.default_rng(3))
        assert code == name and code in CONTRACT_CODES and out.codes == (code,)
    low, _ = capture.low_resolution(scan, np.random.default_rng(3))
    assert 58 <= low.effective_dpi <= 91
    grey, _ = capture.greyscale(scan, np.random.default_rng(3))
    assert grey.image.mode == "L"
    cut, _ = capture.cut_off(scan, np.random.default_rng(3))
    assert cut.image.size != scan.image.size


@pytest.mark.skipif(not os.environ.get("SAMPLES_SLOW"), reason="set SAMPLES_SLOW=1 (renders ~13 full-size images)")
def test_capture_set_labels(tmp_path: Path) -> None:
    """The capture benchmark writes labels.csv covering every image."""
    generate.main(["capture", "--out", str(tmp_path), "--count", "2", "--seed", "1"])
    with (tmp_path / "labels.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == ["file", "label", "expected_codes", "family", "split", "layout", "layout_split"]
    assert {r["family"] for r in rows} <= {f.name for f in (*capture.SCANNER_FAMILIES, *capture.PHONE_FAMILIES)}
    assert {r["split"] for r in rows} == {"tune", "heldout"}
    assert {r["file"] for r in rows} | {"labels.csv"} == {p.name for p in tmp_path.iterdir()}
    assert {r["label"] for r in rows} >= {"accept", "phone_photo", *capture.DEFECTS}
