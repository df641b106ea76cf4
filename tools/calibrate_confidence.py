"""Count how often each kind of reading is right, for ``pipeline/calibration.json``.

    python -m samples.generate dossiers --out /tmp/cal --count 60 --seed 21 --families tuned
    python -m tools.evaluate /tmp/cal/batch /tmp/cal/truth.json --cache /tmp/cache --report-out /tmp/cal/report.json
    python -m tools.calibrate_confidence /tmp/cal/report.json /tmp/cal/truth.json [more pairs] \\
        --out pipeline/calibration.json

Only batches of the tuning families may be counted (the tool refuses held-out families): the held-out
ones are what the reliability table in the README is measured on.
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from pipeline.names import NameMatch, compare, tokens
from tools.evaluate import TRUTH_NAMES, _find

FIELDS = ("issue_date", "expiry_date", "birth_date", "valid_from", "valid_to", "start_date", "end_date",
          "issuing_country", "holder_name", "amount", "coverage_amount", "target_language", "source_issue_date")


def _right(name: str, got: Any, t_doc: Mapping[str, Any]) -> bool | None:
    """Whether a reported value is right; None when the truth does not say."""
    fields = t_doc["fields"]
    if name == "holder_name":
        truth = f"{fields.get('surname') or ''} {fields.get('given_names') or ''}".strip()
        return compare(tokens(str(got)), tokens(truth)) is NameMatch.SAME if truth else None
    if name == "issuing_country":
        want = fields.get("issuing_country")
        return None if want is None else str(got).replace("DEU", "D") == str(want).replace("DEU", "D")
    if name in ("amount", "coverage_amount"):
        want = fields.get("amount")
        return None if want is None else int(got) == int(want)
    want = fields.get(TRUTH_NAMES.get(name, name))
    return None if want is None else got == want


def observations(report: Mapping[str, Any], truth: Mapping[str, Any]) -> Iterator[tuple[str, str, bool]]:
    """(field, basis, right) for every reading of an accepted page the truth can judge."""
    by_id = {d["id"]: d for d in report["dossiers"]}
    for t_dossier in truth["dossiers"]:
        got = by_id.get(t_dossier["id"])
        if got is None:
            continue
        for t_file in t_dossier["files"]:
            if t_file.get("expected_rejections"):
                continue
            for t_doc in t_file.get("documents", []):
                doc = _find(got["documents"], t_file["file"], t_doc["pages"])
                if doc is None:
                    continue
                evidence = doc.get("evidence", {})
                type_basis = evidence.get("type", {}).get("basis")
                if type_basis:
                    yield "type", f"{doc['type']}:{type_basis}", doc["type"] == t_doc["type"]
                if doc["type"] != t_doc["type"]:
                    continue
                for name in FIELDS:
                    basis = evidence.get(name, {}).get("basis")
                    if name not in doc["fields"] or not basis:
                        continue
                    right = _right(name, doc["fields"][name], t_doc)
                    if right is not None:
                        yield name, basis, right


def count(pairs: Sequence[tuple[Mapping[str, Any], Mapping[str, Any]]]) -> dict[str, dict[str, list[int]]]:
    """``{field: {basis: [readings, right]}}`` over report/truth pairs."""
    table: dict[str, dict[str, list[int]]] = collections.defaultdict(lambda: collections.defaultdict(lambda: [0, 0]))
    for report, truth in pairs:
        for name, basis, right in observations(report, truth):
            cell = table[name][basis]
            cell[0] += 1
            cell[1] += right
    return {name: dict(sorted(kinds.items())) for name, kinds in sorted(table.items())}


def main(argv: list[str] | None = None) -> int:
    """Count readings of report/truth pairs and write the calibration table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("files", nargs="+", type=Path, help="REPORT TRUTH [REPORT TRUTH ...]")
    parser.add_argument("--out", type=Path, default=Path("pipeline/calibration.json"))
    args = parser.parse_args(argv)
    if len(args.files) % 2:
        parser.error("give report/truth pairs")
    pairs = []
    for report_path, truth_path in zip(args.files[::2], args.files[1::2], strict=True):
        truth = json.loads(truth_path.read_text(encoding="utf-8"))
        if truth.get("families") not in ("classic", "tuned"):
            parser.error(f"{truth_path}: families {truth.get('families')!r}; count tuning families only")
        pairs.append((json.loads(report_path.read_text(encoding="utf-8")), truth))
    table = count(pairs)
    args.out.write_text(json.dumps(table, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    for name, kinds in table.items():
        n = sum(v[0] for v in kinds.values())
        ok = sum(v[1] for v in kinds.values())
        print(f"{name:<18} {len(kinds):>3} kinds  {ok}/{n} right")
    return 0


if __name__ == "__main__":
    sys.exit(main())
