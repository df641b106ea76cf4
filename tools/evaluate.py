"""Accuracy against generated ground truth: ``python -m tools.evaluate BATCH TRUTH [--report-out FILE]``.

Prints document-type accuracy, exact dates, per-file status agreement, verdicts (the number of
dossiers reported ``ready`` that should not be must be 0, and the share of ``needs_review``), and a
reliability table per field (confidence bucket -> how often the value was right). Documents on pages
that the generator meant to be rejected are counted apart: their content is not read by design.

Each generated document names its layout family (``samples/layouts.py``); ``--split`` reports the
documents of the families the extraction was tuned on and the held-out ones separately (and the
dossiers whose documents all come from one side), so a figure measured on material the thresholds
were fitted to is never presented alone.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import json
import sys
import time
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

DATE_FIELDS = ("issue_date", "expiry_date")
RELIABILITY_FIELDS = ("type", "issue_date", "expiry_date", "birth_date", "valid_from", "valid_to", "start_date")
"""Fields whose confidence is scored against the truth in the reliability tables."""
TRUTH_NAMES = {"valid_from": "start_date", "valid_to": "end_date"}
"""Pipeline field -> truth field where the generator names a field otherwise (insurance periods)."""
BUCKETS = (0.0, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.0001)


def _find(predicted: list[dict[str, Any]], file: str, pages: list[int]) -> dict[str, Any] | None:
    """The predicted document of ``file`` that holds the first page of a true document."""
    for doc in predicted:
        if doc["file"] == file and pages[0] in doc["pages"]:
            return doc
    return None


def _blocking(dossier: Mapping[str, Any]) -> list[str]:
    return sorted(
        {
            f"{f['rule']}:{f['status']}"
            for f in dossier.get("findings", ())
            if f["severity"] == "blocking" and f["status"] != "pass"
        }
    )


def _split_of(t_dossier: Mapping[str, Any], heldout: frozenset[str] | None) -> str:
    """``tuned``, ``heldout`` or ``mixed`` for a dossier by the families of its documents."""
    if heldout is None:
        return "all"
    families = {doc.get("family") for file in t_dossier["files"] for doc in file.get("documents", ())}
    families.discard(None)
    if not families:
        return "tuned"
    inside = {f in heldout for f in families}
    return "heldout" if inside == {True} else "tuned" if inside == {False} else "mixed"


def _observations(doc: Mapping[str, Any] | None, t_doc: Mapping[str, Any]) -> Iterator[tuple[str, float, bool]]:
    """(field, confidence, right) for every scored field the pipeline reported on a true document."""
    if doc is None:
        return
    confidence = doc.get("confidence", {})
    if "type" in confidence:
        yield "type", float(confidence["type"]), doc["type"] == t_doc["type"]
    if doc["type"] != t_doc["type"]:
        return
    for name in RELIABILITY_FIELDS[1:]:
        got = doc.get("fields", {}).get(name)
        if got is None or name not in confidence:
            continue
        want = t_doc["fields"].get(TRUTH_NAMES.get(name, name))
        yield name, float(confidence[name]), want is not None and got == want


def compare(report: dict[str, Any], truth: dict[str, Any], heldout: Iterable[str] | None = None) -> dict[str, Any]:
    """Compare a ``report.json`` dict with a generator ``truth.json`` dict.

    Args:
        report: The pipeline's report.
        truth: The generator's truth.
        heldout: Layout families kept out of tuning; None reports everything as one set.

    Returns:
        ``counts`` (overall), ``by_split`` (the same counts per split when ``heldout`` is given),
        ``observations`` (split, field, confidence, right) for the reliability tables, and ``misses``.
    """
    held = frozenset(heldout) if heldout is not None else None
    counts: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    observations: list[tuple[str, str, float, bool]] = []
    misses: list[str] = []
    by_id = {d["id"]: d for d in report["dossiers"]}
    for t_dossier in truth["dossiers"]:
        got = by_id.get(t_dossier["id"])
        if got is None:
            misses.append(f"{t_dossier['id']}: dossier missing from the report")
            continue
        dossier_split = _split_of(t_dossier, held)
        verdict, expected = got["verdict"], t_dossier["expected_verdict"]
        dossier_counts = [counts["all"]] + ([counts[dossier_split]] if dossier_split != "all" else [])
        for c in dossier_counts:
            c["dossiers"] += 1
            c["verdict_agrees"] += verdict == expected
            c["needs_review"] += verdict == "needs_review"
            c["false_ready"] += verdict == "ready" and expected != "ready"
        if verdict != expected:
            misses.append(
                f"{t_dossier['id']} ({t_dossier.get('outcome', '?')}): verdict {verdict}, expected "
                f"{expected}; blocking: {', '.join(_blocking(got)) or '-'}"
            )
        files = {f["file"]: f for f in got["files"]}
        for t_file in t_dossier["files"]:
            status = files.get(t_file["file"], {}).get("status")
            for c in dossier_counts:
                c["files"] += 1
                c["file_status_agrees"] += status == t_file["expected_status"]
            rejected = bool(t_file.get("expected_rejections"))
            for t_doc in t_file.get("documents", []):
                family = t_doc.get("family")
                split = "all" if held is None else ("heldout" if family in held else "tuned")
                doc = _find(got["documents"], t_file["file"], t_doc["pages"])
                where = f"{t_dossier['id']}/{t_file['file']}#{t_doc['pages'][0]} ({t_doc['type']}, {family})"
                _count_document(counts, split, rejected, doc, t_doc, where, misses)
                if not rejected:
                    observations += [(split, *obs) for obs in _observations(doc, t_doc)]
    return {
        "counts": dict(counts["all"]),
        "by_split": {k: dict(v) for k, v in counts.items() if k != "all"},
        "observations": observations,
        "misses": misses,
    }


def _count_document(
    counts: Mapping[str, collections.Counter[str]],
    split: str,
    rejected: bool,
    doc: Mapping[str, Any] | None,
    t_doc: Mapping[str, Any],
    where: str,
    misses: list[str],
) -> None:
    targets = [counts["all"]] + ([counts[split]] if split != "all" else [])
    group = "rejected" if rejected else "accepted"
    for c in targets:
        c[f"{group}_docs"] += 1
        c[f"{group}_type_ok"] += doc is not None and doc["type"] == t_doc["type"]
    if (doc is None or doc["type"] != t_doc["type"]) and not rejected:
        misses.append(f"{where}: type {doc['type'] if doc else None}")
    if rejected:
        return
    for name in DATE_FIELDS:
        want = t_doc["fields"].get(name)
        if not want:
            continue
        value = (doc or {}).get("fields", {}).get(name)
        for c in targets:
            c[f"{name}_total"] += 1
            c[f"{name}_ok"] += value == want
        if value != want:
            misses.append(f"{where}: {name} {value}, expected {want}")
    if t_doc["fields"].get("mrz"):
        # The zone is read and its check digits pass, with the right document number.
        got_fields = (doc or {}).get("fields", {})
        number = t_doc["fields"].get("document_number")
        ok = got_fields.get("mrz_valid") is True and got_fields.get("document_number") == number
        for c in targets:
            c["mrz_total"] += 1
            c["mrz_ok"] += ok
        if not ok:
            misses.append(f"{where}: MRZ not read")


def reliability(
    observations: Iterable[tuple[str, str, float, bool]], split: str | None = None
) -> dict[str, list[tuple[str, int, int]]]:
    """Per field: (confidence bucket, readings, right) rows, for one split or all of them."""
    table: dict[str, dict[int, list[int]]] = collections.defaultdict(lambda: collections.defaultdict(lambda: [0, 0]))
    for obs_split, name, confidence, right in observations:
        if split is not None and obs_split != split:
            continue
        index = next(i for i in range(len(BUCKETS) - 1) if confidence < BUCKETS[i + 1])
        cell = table[name][index]
        cell[0] += 1
        cell[1] += right
    out: dict[str, list[tuple[str, int, int]]] = {}
    for name in RELIABILITY_FIELDS:
        if name in table:
            rows = []
            for index, (n, ok) in sorted(table[name].items()):
                high = min(BUCKETS[index + 1], 1.0)
                rows.append((f"{BUCKETS[index]:.2f}–{high:.2f}", n, ok))
            out[name] = rows
    return out


def _rate(counts: Mapping[str, int], ok: str, total: str) -> str:
    n = counts.get(total, 0)
    return f"{counts.get(ok, 0)}/{n} ({100 * counts.get(ok, 0) / n:.1f} %)" if n else "n/a"


def table_rows(c: Mapping[str, int]) -> list[tuple[str, str]]:
    """The printed accuracy table of one set of counts."""
    return [
        ("document type (accepted pages)", _rate(c, "accepted_type_ok", "accepted_docs")),
        ("document type (rejected pages)", _rate(c, "rejected_type_ok", "rejected_docs")),
        ("issue_date exact", _rate(c, "issue_date_ok", "issue_date_total")),
        ("expiry_date exact", _rate(c, "expiry_date_ok", "expiry_date_total")),
        ("MRZ read, checks pass", _rate(c, "mrz_ok", "mrz_total")),
        ("file status agrees", _rate(c, "file_status_agrees", "files")),
        ("verdict agrees", _rate(c, "verdict_agrees", "dossiers")),
        ("needs_review", _rate(c, "needs_review", "dossiers")),
        ("reported ready but should not be", str(c.get("false_ready", 0))),
    ]


def markdown_reliability(tables: Mapping[str, list[tuple[str, int, int]]]) -> str:
    """A reliability table (field | bucket | readings | right) as Markdown, for the README."""
    lines = ["| field | confidence | readings | observed accuracy |", "|---|---|---:|---:|"]
    for name, rows in tables.items():
        for bucket, n, ok in rows:
            lines.append(f"| {name} | {bucket} | {n} | {100 * ok / n:.1f} % |")
    return "\n".join(lines)


def run_pipeline(batch: Path, as_of: dt.date, workers: int, cache: str) -> tuple[dict[str, Any], float]:
    """Run the pipeline on a batch; returns the report dict and the wall seconds."""
    from pipeline import api
    from pipeline.context import RunOptions

    options = RunOptions(as_of=as_of, workers=workers, cache=cache)
    started = time.monotonic()
    report = api.run(batch, options).to_dict()
    return report, time.monotonic() - started


def main(argv: list[str] | None = None) -> int:
    """Run the pipeline on a generated batch (or read its report) and print the accuracy tables."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("batch", type=Path, help="generated batch folder (samples.generate dossiers)")
    parser.add_argument("truth", type=Path, help="its truth.json")
    parser.add_argument("--report", type=Path, help="use this report.json instead of running the pipeline")
    parser.add_argument("--report-out", type=Path, help="save the pipeline's report.json here")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--cache", default="off", help="page cache location ('off' by default: measure OCR)")
    parser.add_argument(
        "--split",
        action="store_true",
        help="report tuned and held-out layout families apart (samples.layouts.HELD_OUT)",
    )
    parser.add_argument("--markdown", action="store_true", help="print the reliability tables as Markdown")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every miss")
    args = parser.parse_args(argv)
    truth = json.loads(args.truth.read_text())
    seconds = 0.0
    if args.report:
        report = json.loads(args.report.read_text())
    else:
        report, seconds = run_pipeline(args.batch, dt.date.fromisoformat(truth["as_of"]), args.workers, args.cache)
        if args.report_out:
            args.report_out.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n")
    heldout = None
    if args.split:
        from samples.layouts import HELD_OUT

        heldout = HELD_OUT
    result = compare(report, truth, heldout)
    sets = [("all", result["counts"])] + sorted(result["by_split"].items())
    names = [name for name, _ in sets]
    rows = {name: dict(table_rows(c)) for name, c in sets}
    width = max(len(r) for r in rows["all"])
    print(f"{'':<{width}}  " + "  ".join(f"{n:<22}" for n in names))
    for key in rows["all"]:
        print(f"{key:<{width}}  " + "  ".join(f"{rows[n].get(key, 'n/a'):<22}" for n in names))
    if seconds:
        print(f"{'seconds':<{width}}  {seconds:.1f}")
    for split in ["all"] if heldout is None else ["tuned", "heldout"]:
        tables = reliability(result["observations"], None if split == "all" else split)
        print(f"\nreliability ({split}): confidence bucket -> observed accuracy")
        if args.markdown:
            print(markdown_reliability(tables))
            continue
        for name, table in tables.items():
            cells = "  ".join(f"{bucket}: {ok}/{n}" for bucket, n, ok in table)
            print(f"  {name:<12} {cells}")
    if args.verbose:
        print("\n" + "\n".join(result["misses"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
