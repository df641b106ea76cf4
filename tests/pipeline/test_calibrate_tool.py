"""``tools.calibrate``: label files of both kinds are read as the report needs them (no image measured)."""

from __future__ import annotations

from pathlib import Path

from tools import calibrate


def test_generated_labels_keep_capture_and_layout_families(tmp_path: Path) -> None:
    (tmp_path / "labels.csv").write_text(
        "file,label,expected_codes,family,split,layout,layout_split\n"
        "a.jpg,accept,,office-mfp,tune,form,tune\n"
        "b.jpg,reject-cut_off,cut_off,messenger,heldout,twocol,heldout\n"
        "c.jpg,accept,,home-flatbed,heldout,-,\n",
        encoding="utf-8",
    )
    rows = calibrate.read_labels(tmp_path)
    assert [(r.source, r.split, r.layout, r.layout_split) for r in rows] == [
        ("office-mfp", "tune", "form", "tune"),
        ("messenger", "heldout", "twocol", "heldout"),
        ("home-flatbed", "heldout", "-", ""),
    ]
    assert rows[1].expected == frozenset({"cut_off"})


def test_real_labels_name_phone_photos_and_leave_unsure_unscored(tmp_path: Path) -> None:
    (tmp_path / "labels.csv").write_text(
        "file,label,defect,source_repo\n"
        "r/1.jpg,phone-photo,cut_off,owner/receipts\n"
        "r/2.jpg,scan,none,owner/scans\n"
        "r/3.jpg,unsure,glare,owner/scans\n",
        encoding="utf-8",
    )
    rows = calibrate.read_labels(tmp_path)
    assert rows[0].expected == frozenset({"phone_photo", "cut_off"}) and rows[0].source == "owner/receipts"
    assert rows[1].expected == frozenset() and rows[2].label in calibrate.UNSCORED_LABELS


def test_identity_variant_of_a_file_name() -> None:
    assert calibrate.identity_variant("003_id_card_clean.png") == "clean"
    assert calibrate.identity_variant("004_passport_mrz_glare.png") == "mrz_glare"
    assert calibrate.identity_variant("005_id_card_mrz_cut.png") == "mrz_cut"
