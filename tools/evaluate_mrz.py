"""Measure the MRZ reader and parser on every MRZ set of the external evaluation data (never copied in).

Usage::

    OMP_THREAD_LIMIT=1 python -m tools.evaluate_mrz [--external ../shared/external] [--no-passporteye]
        [--sets mrz real/mrz] [--verbose] [--json out.json]

Every ``ground_truth.jsonl`` under ``--external`` whose folder is an MRZ set (``mrz/`` specimens,
``real/mrz/`` template passports) is read image by image. Per set and per source (the specimens'
repository, the templates' country) it prints: images with a zone, **exact** zones (every line
character for character), **trusted** reads, **trusted and exact**, **wrong but trusted** (a
trusted read that differs from the truth in any character, or any trusted read on an image
without a zone: must be 0), reads whose check digits pass, and seconds per image (mean / max) in
CPU time of this process and its children (``time.process_time`` plus ``RUSAGE_CHILDREN``: the
same measure for our in-process tesseract and PassportEye's tesseract processes) and in wall
time, with our CPU time per stage (detect, rectify, OCR, search). PassportEye (when installed:
``pip install passporteye`` in a dev venv, never a project dependency) reads the same images;
its ``valid`` stands for trusted. The string fixtures (``mrz/mrz_strings``) check the parser.

Run it on a quiet machine with one tesseract thread (``OMP_THREAD_LIMIT=1``): CPU seconds are
comparable across runs, wall seconds only when nothing else runs.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import logging
import resource
import sys
import time
import warnings
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from pipeline import mrz

log = logging.getLogger(__name__)

DEFAULT_EXTERNAL = Path(__file__).resolve().parents[1].parent / "shared" / "external"
MRZ_SETS = ("mrz", "real/mrz")
"""Folders (under the external root) that hold MRZ images with a ``ground_truth.jsonl``."""
STAGES = ("detect", "rectify", "ocr", "search")
_FORMAT_ALIASES = {"FRA_ID_1988": "FRA_ID"}


def load_jsonl(path: Path) -> list[dict[str, Any]]:
    """Read one JSON object per line."""
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


# --------------------------------------------------------------------------- strings


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


# --------------------------------------------------------------------------- images


@dataclasses.dataclass(frozen=True, slots=True)
class Sample:
    """One image with its ground truth."""

    set: str
    """The MRZ set (folder under the external root), e.g. ``real/mrz``."""
    source: str
    """Where it comes from within the set: the repository folder or the template's country."""
    path: Path
    truth: str
    """The zone's lines joined by newlines; empty for an image without a zone."""


@dataclasses.dataclass(frozen=True, slots=True)
class Outcome:
    """What a reader made of one image."""

    text: str | None
    trusted: bool
    valid: bool
    cpu: float
    wall: float
    stages: Mapping[str, float] = dataclasses.field(default_factory=dict)
    calls: int = 0
    reasons: tuple[str, ...] = ()


Reader = Callable[[Path], tuple[str | None, bool, bool, Mapping[str, float], int, tuple[str, ...]]]
"""Path -> (text, trusted, valid, CPU seconds per stage, OCR calls, reasons)."""


def discover(external: Path, sets: Iterable[str] = MRZ_SETS) -> list[Sample]:
    """Every image of every MRZ set under ``external`` that is present."""
    samples = []
    for name in sets:
        truth = external / name / "ground_truth.jsonl"
        if not truth.is_file():
            log.warning("MRZ set %s absent (%s)", name, truth)
            continue
        for row in load_jsonl(truth):
            image = str(row["image"])
            source = str(row.get("country") or image.split("/", 1)[0])
            samples.append(Sample(name, source, external / name / image, str(row.get("mrz") or "")))
    return samples


def _cpu() -> float:
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def measure(run: Reader, path: Path) -> Outcome:
    """Run one reader on one image, timing it."""
    cpu0, wall0 = _cpu(), time.perf_counter()
    text, trusted, valid, stages, calls, reasons = run(path)
    return Outcome(text, trusted, valid, _cpu() - cpu0, time.perf_counter() - wall0, stages, calls, reasons)


@dataclasses.dataclass(slots=True)
class Tally:
    """Counters of one reader over a group of images."""

    images: int = 0
    with_mrz: int = 0
    exact: int = 0
    trusted: int = 0
    trusted_exact: int = 0
    wrong_trusted: int = 0
    valid: int = 0
    cpu: list[float] = dataclasses.field(default_factory=list)
    wall: list[float] = dataclasses.field(default_factory=list)
    stages: dict[str, float] = dataclasses.field(default_factory=dict)
    calls: int = 0

    def add(self, sample: Sample, out: Outcome) -> str:
        """Count one image; return its mark: ``=`` exact, ``!`` wrong but trusted, ``<`` otherwise."""
        exact = bool(sample.truth) and out.text == sample.truth
        wrong = out.trusted and not exact
        self.images += 1
        self.with_mrz += bool(sample.truth)
        self.exact += exact
        self.trusted += out.trusted
        self.trusted_exact += out.trusted and exact
        self.wrong_trusted += wrong
        self.valid += out.valid
        self.cpu.append(out.cpu)
        self.wall.append(out.wall)
        self.calls += out.calls
        for stage, secs in out.stages.items():
            self.stages[stage] = self.stages.get(stage, 0.0) + secs
        return "!" if wrong else ("=" if exact or (not sample.truth and not out.trusted) else "<")

    def summary(self) -> dict[str, Any]:
        """The counters and timings as a dict."""
        n = max(self.images, 1)
        return {
            "images": self.images,
            "with_mrz": self.with_mrz,
            "exact": self.exact,
            "exact_rate": round(self.exact / self.with_mrz, 3) if self.with_mrz else 0.0,
            "trusted": self.trusted,
            "trusted_exact": self.trusted_exact,
            "wrong_but_trusted": self.wrong_trusted,
            "valid": self.valid,
            "cpu_mean_s": round(sum(self.cpu) / n, 3),
            "cpu_max_s": round(max(self.cpu, default=0.0), 3),
            "wall_mean_s": round(sum(self.wall) / n, 3),
            "wall_max_s": round(max(self.wall, default=0.0), 3),
            "cpu_stage_mean_s": {k: round(v / n, 3) for k, v in self.stages.items()},
            "ocr_calls_mean": round(self.calls / n, 2),
        }


def _ours() -> Reader:
    from pipeline.engines.mrz_reader import MrzReader, read_mrz

    reader = MrzReader()
    reader.engine.warm_up(reader.lang, (6, 7))  # loading the model once is no image's time

    def run(path: Path) -> tuple[str | None, bool, bool, Mapping[str, float], int, tuple[str, ...]]:
        read = read_mrz(path, reader=reader)
        text = read.result.mrz_text if read.result is not None else None
        return text, read.trusted, read.valid, read.timings, read.ocr_calls, read.reasons

    return run


def _passporteye() -> Reader | None:
    try:
        from passporteye import read_mrz as pe_read_mrz
    except Exception as e:  # noqa: BLE001 - any import failure means "not available"
        log.warning("PassportEye not available (pip install passporteye in a dev venv): %s", e)
        return None

    def run(path: Path) -> tuple[str | None, bool, bool, Mapping[str, float], int, tuple[str, ...]]:
        try:
            found = pe_read_mrz(str(path))
        except Exception as e:  # noqa: BLE001 - a third-party crash is a failed read
            log.warning("PassportEye crashed on %s: %s", path.name, e)
            return None, False, False, {}, 0, ()
        if found is None:
            return None, False, False, {}, 0, ()
        data = found.to_dict()
        text = "\n".join(x.strip() for x in str(data.get("raw_text", "")).splitlines() if x.strip())
        valid = bool(getattr(found, "valid", False))
        return text, valid, valid, {}, 0, ()

    return run


def evaluate_images(
    samples: list[Sample], with_passporteye: bool = True, verbose: bool = False
) -> dict[str, dict[str, dict[str, Tally]]]:
    """Run our reader (and PassportEye) on every sample.

    Returns:
        ``{reader: {"set": {set: tally}, "source": {"set/source": tally}, "all": {"all": tally}}}``.

    """
    readers: list[tuple[str, Reader]] = [("dossier", _ours())]
    if with_passporteye:
        pe = _passporteye()
        if pe is not None:
            readers.append(("passporteye", pe))
    tallies: dict[str, dict[str, dict[str, Tally]]] = {
        name: {"all": {}, "set": {}, "source": {}} for name, _ in readers
    }
    for sample in samples:
        for name, run in readers:
            out = measure(run, sample.path)
            groups = tallies[name]
            keys = (("all", "all"), ("set", sample.set), ("source", f"{sample.set}/{sample.source}"))
            marks = [groups[kind].setdefault(key, Tally()).add(sample, out) for kind, key in keys]
            if verbose:
                why = "; ".join(out.reasons) if out.reasons and not out.trusted else ""
                print(
                    f"  {name:11s} {marks[0]} {'trusted' if out.trusted else '       '} cpu {out.cpu:5.2f}s "
                    f"wall {out.wall:5.2f}s {sample.set}/{sample.path.name} {why}",
                    flush=True,
                )
    return tallies


def _line(label: str, s: Mapping[str, Any]) -> str:
    stages = s["cpu_stage_mean_s"]
    per_stage = " ".join(f"{k} {stages[k]:.3f}" for k in STAGES if k in stages)
    return (
        f"{label:22s} exact {s['exact']:3d}/{s['with_mrz']:<3d} ({s['exact_rate']:6.1%})  trusted {s['trusted']:3d}  "
        f"trusted&exact {s['trusted_exact']:3d}  wrong-but-trusted {s['wrong_but_trusted']}  "
        f"cpu mean/max {s['cpu_mean_s']:.2f}/{s['cpu_max_s']:.2f} s  "
        f"wall {s['wall_mean_s']:.2f}/{s['wall_max_s']:.2f} s"
        + (f"  [cpu/stage {per_stage}; ocr calls {s['ocr_calls_mean']:.1f}]" if per_stage else "")
    )


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--external", type=Path, default=DEFAULT_EXTERNAL, help="the external evaluation root")
    parser.add_argument("--sets", nargs="+", default=list(MRZ_SETS), help="MRZ sets (folders) to read")
    parser.add_argument("--no-passporteye", action="store_true", help="skip the PassportEye comparison")
    parser.add_argument("--no-images", action="store_true", help="only the string fixtures")
    parser.add_argument("--sources", action="store_true", help="also one line per source (leave-one-out view)")
    parser.add_argument("--verbose", "-v", action="store_true", help="one line per image")
    parser.add_argument("--json", type=Path, help="also write the summary as JSON")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    warnings.filterwarnings("ignore", category=FutureWarning)  # PassportEye on recent scikit-image
    external: Path = args.external
    if not external.is_dir():
        print(f"evaluation data not found in {external}", file=sys.stderr)
        return 2
    summary: dict[str, Any] = {}
    strings = external / "mrz" / "mrz_strings" / "mrz_strings.jsonl"
    if strings.is_file():
        correct, total, problems = evaluate_strings(load_jsonl(strings), dt.date.today())
        summary["strings"] = {"correct": correct, "total": total}
        print(f"strings (mrz/mrz_strings): {correct}/{total} parsed or rejected correctly")
        for p in problems:
            print(f"  {p}")
    if not args.no_images:
        samples = discover(external, args.sets)
        if not samples:
            print(f"no MRZ images under {external}", file=sys.stderr)
            return 2
        tallies = evaluate_images(samples, with_passporteye=not args.no_passporteye, verbose=args.verbose)
        for reader, groups in tallies.items():
            print(f"{reader}:")
            summary[reader] = {kind: {k: t.summary() for k, t in found.items()} for kind, found in groups.items()}
            for kind in ("all", "set", "source") if args.sources else ("all", "set"):
                for key, tally in sorted(groups[kind].items()):
                    print("  " + _line(key, tally.summary()))
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
