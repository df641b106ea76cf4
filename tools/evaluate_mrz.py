"""Benchmark the MRZ reader and parser on the held-out evaluation data (never copied into the repo).

Usage::

    python -m tools.evaluate_mrz [--external ../shared/external/mrz] [--no-passporteye] [--json out.json]

Reports, for ``ground_truth.jsonl`` images: exact-MRZ rate, valid-read rate, accepted reads
(``valid=True``) whose expiry is wrong (must be 0) and seconds per image, next to PassportEye
on the same images when it is installed; and, for ``mrz_strings/mrz_strings.jsonl``, how many
strings are parsed (valid ones) or rejected (invalid ones) correctly.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import sys
import time
import warnings
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from pipeline import mrz

log = logging.getLogger(__name__)

DEFAULT_EXTERNAL = Path(__file__).resolve().parents[1].parent / "shared" / "external" / "mrz"
_FORMAT_ALIASES = {"FRA_ID_1988": "FRA_ID"}


def load_jsonl(path: Path) -> list[dict[str, Any]]:
    """Read one JSON object per line."""
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def expected_from_icao(parse: Mapping[str, Any]) -> dict[str, Any]:
    """Turn a fixture's ``icao_parse`` into the fields we compare."""
    fmt = _FORMAT_ALIASES.get(parse["format"], parse["format"])
    return {
        "format": fmt,
        "valid": bool(parse["all_checks_valid"]),
        "document_number": parse["document_number"],
        "birth_date": parse["birth_date"],
        "expiry_date": "" if fmt == "FRA_ID" else parse.get("expiry_date", ""),
        "checks": {k: bool(v) for k, v in parse["checks"].items()},
    }


def observed(result: mrz.MrzResult) -> dict[str, Any]:
    """Return the fields of a parse that :func:`expected_from_icao` describes."""
    return {
        "format": result.format,
        "valid": result.valid,
        "document_number": result.document_number,
        "birth_date": result.birth_date_raw,
        "expiry_date": "" if result.format == "FRA_ID" else result.expiry_date_raw,
        "checks": dict(result.checks),
    }


def evaluate_strings(rows: Iterable[Mapping[str, Any]], today: dt.date) -> tuple[int, int, list[str]]:
    """Parse every fixture string; return (correct, total, descriptions of the mismatches)."""
    correct, total, problems = 0, 0, []
    for row in rows:
        total += 1
        want = expected_from_icao(row["icao_parse"])
        got = observed(mrz.parse_mrz(row["mrz"], today=today))
        if got == want:
            correct += 1
        else:
            diff = {k: (want[k], got[k]) for k in want if want[k] != got[k]}
            problems.append(f"{row['format']} line {total}: {diff}")
    return correct, total, problems


def _expiry_raw(mrz_text: str) -> str | None:
    if not mrz_text:
        return None
    result = mrz.parse_mrz(mrz_text, repair=False)
    return result.expiry_date_raw or None


class ImageScore:
    """Counters for one reader over the images."""

    def __init__(self, name: str) -> None:
        """Start empty counters for reader ``name``."""
        self.name = name
        self.images = 0
        self.with_mrz = 0
        self.exact = 0
        self.valid = 0
        self.accepted_wrong_expiry = 0
        self.seconds = 0.0
        self.rows: list[str] = []

    def add(
        self, image: str, truth: str, read_text: str | None, valid: bool, expiry_raw: str | None, secs: float
    ) -> None:
        """Record one image."""
        self.images += 1
        self.seconds += secs
        exact = bool(truth) and read_text == truth
        if truth:
            self.with_mrz += 1
            self.exact += exact
        self.valid += valid
        wrong = valid and (not truth or expiry_raw != _expiry_raw(truth))
        self.accepted_wrong_expiry += wrong
        mark = "=" if exact or (not truth and not valid) else ("!" if wrong else "<")
        self.rows.append(f"{mark} {'valid' if valid else '     '} {secs:5.2f}s {image}")

    def summary(self) -> dict[str, Any]:
        """Counters as a dict."""
        return {
            "reader": self.name,
            "images": self.images,
            "images_with_mrz": self.with_mrz,
            "exact_mrz": self.exact,
            "exact_mrz_rate": round(self.exact / self.with_mrz, 3) if self.with_mrz else 0.0,
            "valid_reads": self.valid,
            "valid_read_rate": round(self.valid / self.with_mrz, 3) if self.with_mrz else 0.0,
            "accepted_wrong_expiry": self.accepted_wrong_expiry,
            "seconds_per_image": round(self.seconds / self.images, 2) if self.images else 0.0,
        }


def _ours() -> Callable[[Path], tuple[str | None, bool, str | None]]:
    from pipeline.engines.mrz_reader import MrzReader, read_mrz

    reader = MrzReader()

    def run(path: Path) -> tuple[str | None, bool, str | None]:
        read = read_mrz(path, reader=reader)
        if read.result is None:
            return None, False, None
        return read.result.mrz_text, read.result.valid, read.result.expiry_date_raw

    return run


def _passporteye() -> Callable[[Path], tuple[str | None, bool, str | None]] | None:
    try:
        from passporteye import read_mrz as pe_read_mrz
    except Exception as e:  # noqa: BLE001 - any import failure means "not available"
        log.warning("PassportEye not available: %s", e)
        return None

    def run(path: Path) -> tuple[str | None, bool, str | None]:
        try:
            found = pe_read_mrz(str(path))
        except Exception as e:  # noqa: BLE001 - a third-party crash is a failed read
            log.warning("PassportEye crashed on %s: %s", path.name, e)
            return None, False, None
        if found is None:
            return None, False, None
        data = found.to_dict()
        text = "\n".join(x.strip() for x in str(data.get("raw_text", "")).splitlines() if x.strip())
        valid = bool(getattr(found, "valid", False))
        return text, valid, str(data.get("expiration_date") or "") or None

    return run


def evaluate_images(external: Path, with_passporteye: bool = True) -> list[ImageScore]:
    """Run our reader (and PassportEye) on every image of ``ground_truth.jsonl``."""
    rows = load_jsonl(external / "ground_truth.jsonl")
    Runner = Callable[[Path], tuple[str | None, bool, str | None]]
    readers: list[tuple[ImageScore, Runner]] = [(ImageScore("dossier"), _ours())]
    if with_passporteye:
        pe = _passporteye()
        if pe is not None:
            readers.append((ImageScore("passporteye"), pe))
    for row in rows:
        path = external / row["image"]
        truth = row.get("mrz") or ""
        for score, run in readers:
            started = time.perf_counter()
            text, valid, expiry = run(path)
            score.add(row["image"], truth, text, valid, expiry, time.perf_counter() - started)
    return [s for s, _ in readers]


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--external", type=Path, default=DEFAULT_EXTERNAL, help="folder with ground_truth.jsonl")
    parser.add_argument("--no-passporteye", action="store_true", help="skip the PassportEye comparison")
    parser.add_argument("--no-images", action="store_true", help="only the string fixtures")
    parser.add_argument("--verbose", "-v", action="store_true", help="one line per image")
    parser.add_argument("--json", type=Path, help="also write the summary as JSON")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    warnings.filterwarnings("ignore", category=FutureWarning)  # PassportEye on recent scikit-image
    external: Path = args.external
    if not (external / "ground_truth.jsonl").is_file():
        print(f"evaluation data not found in {external}", file=sys.stderr)
        return 2
    summary: dict[str, Any] = {}
    strings = external / "mrz_strings" / "mrz_strings.jsonl"
    if strings.is_file():
        correct, total, problems = evaluate_strings(load_jsonl(strings), dt.date.today())
        summary["strings"] = {"correct": correct, "total": total}
        print(f"strings: {correct}/{total} parsed or rejected correctly")
        for p in problems:
            print(f"  {p}")
    if not args.no_images:
        for score in evaluate_images(external, with_passporteye=not args.no_passporteye):
            s = score.summary()
            summary[score.name] = s
            print(
                f"{s['reader']:12s} exact {s['exact_mrz']}/{s['images_with_mrz']} ({s['exact_mrz_rate']:.0%})  "
                f"valid {s['valid_reads']}  accepted-wrong-expiry {s['accepted_wrong_expiry']}  "
                f"{s['seconds_per_image']:.2f} s/image"
            )
            if args.verbose:
                for row in score.rows:
                    print(f"   {row}")
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
