"""Calibrate and evaluate the capture/quality gate on generated and external labelled images.

Usage::

    python -m tools.calibrate [--generated DIR] [--external ../shared/external/capture]
                                 [--count 200] [--seed 7] [--jobs 2] [--mrz-glare 20]

Prints, per set: precision/recall per rejection code, phone-photo recall, the false rejection
rate of genuine scans, and how often each phone-photo cue fired on photos and on scans; then
how often a reflection over the MRZ of generated identity scans is named (and clean zones read).
"""

from __future__ import annotations

import argparse
import collections
import csv
import dataclasses
import logging
import multiprocessing
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from pipeline.context import RunContext, RunOptions
from pipeline.engines import imaging
from pipeline.model import Page, RejectionCode
from pipeline.quality_config import DEFAULT, QualityThresholds
from pipeline.stages import intake, quality

log = logging.getLogger(__name__)

CAPTURE_CODES = frozenset({RejectionCode.PHONE_PHOTO.value, RejectionCode.SCREENSHOT.value})
PHOTO_LABELS = frozenset({"phone-photo", "phone_photo", "photo", "screenshot"})
UNLABELLED_ON_PHOTOS = frozenset({RejectionCode.LOW_RESOLUTION.value})
"""Findings the generated labels of phone photos do not cover (their resolution)."""


@dataclasses.dataclass(frozen=True, slots=True)
class Sample:
    """One labelled image and its measured metrics."""

    file: str
    label: str
    expected: frozenset[str]
    """Expected rejection codes; for the external set only the capture verdict is labelled."""
    page: Page
    metrics: imaging.ImageMetrics
    seconds: float
    capture_only: bool = False
    """Only the capture kind is labelled (external set): other codes on a photo are not judged."""


@dataclasses.dataclass(frozen=True, slots=True)
class Evaluation:
    """Headline numbers of one set (used by the tests to assert the bars)."""

    n: int
    phone_recall: float
    """Share of phone photos and screenshots rejected as ``phone_photo`` or ``screenshot``."""
    false_rejection: float
    """Share of genuine scans rejected for any code not expected for them."""
    capture_false_rejection: float
    """Share of genuine scans (and born-digital images) rejected as phone photo or screenshot."""
    per_code: dict[str, tuple[int, int, int]]
    """Code to ``(true positives, false positives, false negatives)``."""
    cues: dict[str, tuple[float, float]]
    """Cue to ``(share fired on photos, share fired on genuine scans)``."""
    seconds_per_page: float
    wrong: list[str]
    unlabelled: list[str] = dataclasses.field(default_factory=list)
    """Phone photos with a finding their labels say nothing about (not scored)."""
    seconds_max: float = 0.0
    """Slowest page (load + metrics)."""

    def recall(self, code: str) -> float:
        """Recall of one code (1.0 when no sample expects it)."""
        tp, _, fn = self.per_code.get(code, (0, 0, 0))
        return tp / (tp + fn) if tp + fn else 1.0

    def precision(self, code: str) -> float:
        """Precision of one code (1.0 when it never fired)."""
        tp, fp, _ = self.per_code.get(code, (0, 0, 0))
        return tp / (tp + fp) if tp + fp else 1.0


def _parse_codes(text: str) -> frozenset[str]:
    parts = text.replace(";", " ").replace(",", " ").replace("|", " ").split()
    return frozenset(p.strip() for p in parts if p.strip() and p.strip() not in ("-", "none", "accept"))


def page_for(path: Path, name: str) -> Page:
    """The Page that intake builds for an image file (DPI tag, EXIF, MIME): calibration sees what runs see."""
    ctx = RunContext(RunOptions(), Path(tempfile.gettempdir()))
    info, pages, _ = intake.ingest_file(path, name, path.parent, ctx)
    if not pages:
        raise ValueError(f"{name}: {info.message}")
    return pages[0]


def _measure(args: tuple[str, str, str, str, str]) -> Sample:
    path_s, name, label, codes, capture_only = args
    path = Path(path_s)
    page = page_for(path, name)
    t0 = time.perf_counter()
    metrics = imaging.measure(imaging.PagePixels(path, page.frame).working())
    seconds = time.perf_counter() - t0
    return Sample(name, label, _parse_codes(codes), page, metrics, seconds, capture_only == "1")


def load_set(folder: Path, jobs: int = 2) -> list[Sample]:
    """Measure every image listed in ``folder/labels.csv``.

    The generated set has ``expected_codes``; the external set only a ``label``
    (``phone-photo``, ``screenshot``, ``scan``, ``digital-born``), from which the expected
    capture code is derived.
    """
    with (folder / "labels.csv").open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    tasks: list[tuple[str, str, str, str, str]] = []
    for row in rows:
        label = (row.get("label") or "").strip()
        codes = row.get("expected_codes")
        capture_only = codes is None
        if codes is None:
            codes = "phone_photo" if label in PHOTO_LABELS else ""
        tasks.append((str(folder / row["file"]), row["file"], label, codes, "1" if capture_only else "0"))
    if jobs > 1:
        # spawn, not fork: a forked OpenCV thread pool can deadlock the workers.
        ctx = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx) as pool:
            return list(pool.map(_measure, tasks, chunksize=4))
    return [_measure(t) for t in tasks]


IDENTITY_MARKERS = ("_passport_", "_id_card_", "_residence_card_")


def is_identity(name: str) -> bool:
    """True when a generated file name says the page is a passport, ID card or residence card."""
    return any(marker in name for marker in IDENTITY_MARKERS)


def _is_photo(s: Sample) -> bool:
    return bool(s.expected & CAPTURE_CODES) or s.label in PHOTO_LABELS


def evaluate(samples: Sequence[Sample], thresholds: QualityThresholds = DEFAULT) -> Evaluation:
    """Judge every sample with ``thresholds`` and count hits and misses."""
    counts: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0, 0])
    cue_hits: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0])
    photos = genuine = photo_hits = false_rej = capture_false = 0
    wrong: list[str] = []
    unlabelled: list[str] = []
    for s in samples:
        got = {r.code.value for r in quality.judge(s.page, s.metrics, thresholds)}
        if is_identity(s.file):
            # The lead applies the colour rule to identity documents only (after classification).
            measured = quality.apply_metrics(s.page, s.metrics, thresholds)
            if quality.greyscale_rejection(measured, thresholds) is not None:
                got.add(RejectionCode.GREYSCALE.value)
        photo = _is_photo(s)
        expected = set(s.expected)
        if photo and s.capture_only:
            # Only the capture kind is labelled: a defect found on a photo is neither right nor wrong.
            got = (got & CAPTURE_CODES) or got
        elif photo and UNLABELLED_ON_PHOTOS & got - expected:
            # The generator shrinks messenger photos to a 1280-1600 px frame (an A4 page at 70-110
            # dpi) without labelling their resolution: such a finding is listed, not scored.
            unlabelled.append(f"{s.file}: {sorted(UNLABELLED_ON_PHOTOS & got - expected)}")
            got -= UNLABELLED_ON_PHOTOS - expected
        if photo:
            # Either capture code is a correct verdict on a phone capture.
            if got & CAPTURE_CODES:
                expected = (expected - CAPTURE_CODES) | (got & CAPTURE_CODES)
            photos += 1
            photo_hits += bool(got & CAPTURE_CODES)
        elif not (s.expected - {RejectionCode.GREYSCALE.value}):
            genuine += 1
            false_rej += bool(got - expected)
            capture_false += bool(got & CAPTURE_CODES)
        for code in got | expected:
            c = counts[code]
            if code in got and code in expected:
                c[0] += 1
            elif code in got:
                c[1] += 1
            else:
                c[2] += 1
        if got != expected:
            wrong.append(f"{s.file}: expected {sorted(expected)} got {sorted(got)}")
        cues = quality.capture_cues(s.metrics, s.page.exif, thresholds)
        for name in ("exif_camera", "heic", "perspective", "strong_perspective", "background", "falloff", "floating"):
            if getattr(cues, name):
                cue_hits[name][0 if photo else 1] += 1
        if cues.image_cues >= thresholds.phone_min_cues:
            cue_hits[f"image_cues>={thresholds.phone_min_cues}"][0 if photo else 1] += 1
    return Evaluation(
        n=len(samples),
        phone_recall=photo_hits / photos if photos else 1.0,
        false_rejection=false_rej / genuine if genuine else 0.0,
        capture_false_rejection=capture_false / genuine if genuine else 0.0,
        per_code={k: (v[0], v[1], v[2]) for k, v in sorted(counts.items())},
        cues={
            k: (v[0] / photos if photos else 0.0, v[1] / genuine if genuine else 0.0)
            for k, v in sorted(cue_hits.items())
        },
        seconds_per_page=sum(s.seconds for s in samples) / max(1, len(samples)),
        wrong=wrong,
        unlabelled=unlabelled,
        seconds_max=max((s.seconds for s in samples), default=0.0),
    )


def format_report(name: str, ev: Evaluation, samples: Sequence[Sample]) -> str:
    """Plain-text report of one set."""
    labels = collections.Counter(s.label for s in samples)
    lines = [
        f"== {name}: {ev.n} images ({', '.join(f'{k}={v}' for k, v in sorted(labels.items()))})",
        f"phone-photo recall            {ev.phone_recall:7.1%}   (bar >= 98 %)",
        f"false rejection, genuine scan {ev.false_rejection:7.1%}   (bar <= 1 %; any unexpected code)",
        f"  of which phone/screenshot   {ev.capture_false_rejection:7.1%}",
        f"seconds per page (metrics)    {ev.seconds_per_page:7.3f}   (slowest {ev.seconds_max:.3f})",
        "code            precision  recall    tp   fp   fn",
    ]
    for code, (tp, fp, fn) in ev.per_code.items():
        lines.append(f"{code:15s} {ev.precision(code):8.1%} {ev.recall(code):7.1%} {tp:5d} {fp:4d} {fn:4d}")
    lines.append("cue                       on photos  on genuine scans")
    for cue, (on_p, on_s) in ev.cues.items():
        lines.append(f"{cue:25s} {on_p:8.1%} {on_s:12.1%}")
    if ev.wrong:
        lines.append("mismatches:")
        lines.extend(f"  {w}" for w in ev.wrong[:60])
    if ev.unlabelled:
        lines.append("not scored (phone photos whose labels say nothing about it):")
        lines.extend(f"  {w}" for w in ev.unlabelled)
    return "\n".join(lines)


def evaluate_mrz_glare(count: int, seed: int) -> str:
    """Generate ``count`` identity scans (passports, card backs; 150-400 dpi), each clean and with a
    small reflection over the MRZ (``samples.capture.mrz_glare``), run the pipeline on them and
    report how many clean zones are read and how many reflections are named."""
    import datetime as dt

    import numpy as np

    from pipeline import api
    from pipeline.context import RunOptions
    from samples import capture
    from samples.render import IdentityDocument, render_card, render_passport
    from samples.texts import COUNTRIES, Person

    states = sorted(COUNTRIES)
    with tempfile.TemporaryDirectory(prefix="mrz-glare-") as tmp:
        folder = Path(tmp) / "dossier"
        folder.mkdir()
        for i in range(count):
            rng = np.random.default_rng([seed, i])
            state = states[i % len(states)]
            person = Person(
                "Martin", "Alex", "F" if i % 2 else "M", dt.date(1985 + i % 15, 1 + i % 12, 1 + i % 28), "City", state
            )
            kind = "passport" if i % 3 else "id_card"
            doc = IdentityDocument(
                kind, person, state, f"X{1000000 + i}", dt.date(2022, 3, 1), dt.date(2032, 2, 28), "City"
            )
            dpi = (150, 200, 300, 400)[i % 4]
            page = render_passport(doc, dpi) if kind == "passport" else render_card(doc, "back", dpi)
            scan = capture.as_flatbed_scan(page, dpi, True, rng)
            burnt, _ = capture.mrz_glare(scan, rng)
            (folder / f"{i:03d}_{kind}_clean.jpg").write_bytes(capture.encode(scan, "jpeg", 90))
            (folder / f"{i:03d}_{kind}_glare.jpg").write_bytes(capture.encode(burnt, "jpeg", 90))
        report = api.run_dossier(folder, RunOptions(as_of=dt.date(2026, 11, 25), cache="off"))
    counts: collections.Counter[str] = collections.Counter()
    for d in report.documents:
        clean = d.file.endswith("_clean.jpg")
        glare = [r for r in d.rejections if r.code is RejectionCode.GLARE]
        valid = bool(d.fields.get("mrz_valid") and d.fields["mrz_valid"].value is True)
        if clean:
            counts["clean"] += 1
            counts["clean_valid"] += valid
            counts["clean_rejected"] += bool(d.rejections)
        else:
            counts["glare"] += 1
            counts["glare_unreadable"] += not valid
            counts["glare_named"] += bool(glare)
            counts["glare_named_mrz"] += any(r.evidence.get("where") == "mrz" for r in glare)
    return (
        f"== MRZ glare ({count} identity scans, clean and with a reflection over the MRZ)\n"
        f"clean: MRZ read and valid {counts['clean_valid']}/{counts['clean']}, "
        f"rejected {counts['clean_rejected']}/{counts['clean']}\n"
        f"reflection: MRZ unreadable {counts['glare_unreadable']}/{counts['glare']}, named glare "
        f"{counts['glare_named']}/{counts['glare']} ({counts['glare_named_mrz']} by the MRZ check, "
        f"the rest page-wide)"
    )


def generate(out: Path, count: int, seed: int) -> None:
    """Run ``samples.generate capture`` into ``out``."""
    cmd = [
        sys.executable,
        "-m",
        "samples.generate",
        "capture",
        "--out",
        str(out),
        "--count",
        str(count),
        "--seed",
        str(seed),
    ]
    subprocess.run(cmd, check=True)


def main(argv: Iterable[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(prog="python -m tools.calibrate", description=__doc__.splitlines()[0])
    parser.add_argument("--generated", type=Path, help="existing generated set (else generated into a temp dir)")
    parser.add_argument("--external", type=Path, default=Path("../shared/external/capture"))
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--skip-generated", action="store_true")
    parser.add_argument("--mrz-glare", type=int, default=20, metavar="N", help="identity scans for the MRZ glare check")
    args = parser.parse_args(list(argv) if argv is not None else None)
    logging.basicConfig(level=logging.WARNING)
    if not args.skip_generated:
        with tempfile.TemporaryDirectory(prefix="capture-") as tmp:
            folder = args.generated
            if folder is None or not (folder / "labels.csv").exists():
                folder = folder or Path(tmp)
                generate(folder, args.count, args.seed)
            samples = load_set(folder, args.jobs)
            print(format_report(f"generated ({folder})", evaluate(samples), samples))
    if args.mrz_glare:
        print(evaluate_mrz_glare(args.mrz_glare, args.seed))
    if (args.external / "labels.csv").exists():
        samples = load_set(args.external, args.jobs)
        print(format_report(f"external ({args.external})", evaluate(samples), samples))
    else:
        print(f"external set not found at {args.external}; skipped")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
