"""The accuracy comparison against the generator's truth (used by the benchmarks)."""

from __future__ import annotations

from tools import evaluate


def _truth(number: str = "X1234567", mrz: list[str] | None = None) -> dict:
    fields = {"expiry_date": "2031-05-02", "issue_date": "2021-05-03", "document_number": number, "mrz": mrz or []}
    file = {
        "file": "p.jpg",
        "expected_status": "processed",
        "documents": [{"type": "passport", "pages": [1], "fields": fields}],
    }
    return {"dossiers": [{"id": "001", "expected_verdict": "not_ready", "files": [file]}]}


def _report(fields: dict) -> dict:
    doc = {"file": "p.jpg", "pages": [1], "type": "passport", "fields": fields}
    return {
        "dossiers": [
            {
                "id": "001",
                "verdict": "not_ready",
                "files": [{"file": "p.jpg", "status": "processed"}],
                "documents": [doc],
            }
        ]
    }


def test_dates_and_mrz_are_counted() -> None:
    truth = _truth(mrz=["P<UTO...", "X1234567..."])
    good = {"expiry_date": "2031-05-02", "issue_date": "2021-05-03", "mrz_valid": True, "document_number": "X1234567"}
    c = evaluate.compare(_report(good), truth)["counts"]
    assert (c["expiry_date_ok"], c["issue_date_ok"], c["mrz_ok"], c["mrz_total"]) == (1, 1, 1, 1)
    printed_only = {"expiry_date": "2031-05-02"}
    result = evaluate.compare(_report(printed_only), truth)
    assert result["counts"].get("mrz_ok", 0) == 0 and result["counts"]["mrz_total"] == 1
    assert any("MRZ not read" in m for m in result["misses"])


def test_fields_the_pages_do_not_print_are_not_counted() -> None:
    """A card scanned front only: its truth has no issue date and no MRZ, so neither is scored."""
    truth = _truth()
    truth["dossiers"][0]["files"][0]["documents"][0]["fields"]["issue_date"] = None
    c = evaluate.compare(_report({"expiry_date": "2031-05-02"}), truth)["counts"]
    assert "issue_date_total" not in c and "mrz_total" not in c and c["expiry_date_ok"] == 1
