"""Calibrate and evaluate the capture gate on labelled images: generated families and every real set.

Usage::

    python -m tools.calibrate [--generated DIR] [--count 160] [--seed 7] [--real DIR ...]
                              [--jobs 2] [--identity N] [--cache DIR | --no-cache] [--no-fit]

For every set it prints, overall and per source (real sets: per source repository; generated set:
per capture family): how many phone photos are named as such (``phone_photo`` or ``screenshot``),
how many genuine pages are rejected for anything, and each labelled defect's recall, with each
code's precision. Rows labelled ``unsure`` are not scored.

Then it chooses thresholds on material and measures them on material they were not chosen on:

- **leave one source out**: for each real source, thresholds are fitted (:func:`fit`) on the
  generated *tune* families plus every other real source, and judged on the source left out;
- **generated families**: thresholds fitted on the tune half of the capture families (and the
  real sets) are judged on the held-out half.

Both figures are printed beside those of the shipped defaults. ``--identity N`` also runs N generated
identity scans, clean and with the defects judged by what the page must show (its whole MRZ, its legible
printed data), through the whole page pipeline. Metrics are cached per file content
and imaging code version (``~/.cache/dossier/calibrate``), so re-running after a change of thresholds
or checks costs no measurement.
"""

from __future__ import annotations

import argparse
import collections
import csv
import dataclasses
import hashlib
import inspect
import logging
import multiprocessing
import pickle
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from pipeline import capture_checks
from pipeline.context import RunContext, RunOptions
from pipeline.engines import imaging
from pipeline.model import Page, RejectionCode
from pipeline.quality_config import DEFAULT, QualityThresholds
from pipeline.stages import intake, quality

log = logging.getLogger(__name__)

CAPTURE_CODES = frozenset({RejectionCode.PHONE_PHOTO.value, RejectionCode.SCREENSHOT.value})
PHOTO_LABELS = frozenset({"phone-photo", "phone_photo", "photo", "screenshot"})
GENUINE_LABELS = frozenset({"scan", "digital-born", "born-digital", "accept"})
UNSCORED_LABELS = frozenset({"unsure"})
UNLABELLED_ON_PHOTOS = frozenset({RejectionCode.LOW_RESOLUTION.value})
"""Findings the generated labels of phone photos do not cover (a messenger copy's resolution)."""
IDENTITY_MARKERS = ("_passport_", "_id_card_", "_residence_card_")
REAL_SETS = (Path("../shared/external/capture"), Path("../shared/external/real/capture"))
GENUINE_WEIGHT = 5.0
"""A genuine page rejected costs as much as five missed defects when thresholds are fitted (the bars:
<= 1-5 % genuine rejected against >= 80-98 % of defects caught)."""

TUNABLE: dict[str, tuple[float, ...]] = {
    "background_chroma": (1.2, 1.5, 1.8, 2.2, 2.6, 3.0, 4.0),
    "falloff": (0.08, 0.10, 0.12, 0.14, 0.16, 0.20),
    "line_spread_deg": (0.6, 0.8, 1.0, 1.2, 1.5, 2.0),
    "strong_line_spread_deg": (2.0, 2.5, 3.0, 4.0, 99.0),
    "corner_deviation_deg": (1.0, 1.5, 2.0, 3.0, 4.0),
    "blur_edge_width": (3.6, 3.8, 4.0, 4.2, 4.5, 5.0),
    "glare_blob": (0.006, 0.009, 0.012, 0.02, 0.03),
    "glare_card": (0.004, 0.007, 0.01, 0.02, 0.04),
    "cut_lines": (1, 2, 3, 4),
    "cut_photo_border_run": (0.3, 0.4, 0.5, 0.6, 0.7),
    "min_dpi": (90.0, 100.0, 110.0, 120.0, 135.0, 150.0),
    "min_frame_px": (300.0, 400.0, 480.0, 560.0, 640.0),
}
"""The thresholds :func:`fit` chooses, with the values it tries (the others keep their defaults)."""


@dataclasses.dataclass(frozen=True, slots=True)
class Sample:
    """One labelled image and its measured metrics."""

    set: str
    """``generated`` or the real set's folder name."""
    source: str
    """Source repository (real sets) or capture family (generated set)."""
    file: str
    label: str
    expected: frozenset[str]
    """Expected rejection codes (for phone photos: ``phone_photo``; either capture code counts)."""
    page: Page
    metrics: imaging.ImageMetrics
    cpu_seconds: float
    """CPU time of decoding and measuring (this process only)."""
    split: str = ""
    """``tune`` or ``heldout`` (generated families); empty for real sets."""
    layout: str = ""
    """Layout family of the generated document (``samples.layouts``; ``-`` for receipts), else empty."""
    layout_split: str = ""
    """``tune`` or ``heldout`` for that layout family."""
    identity: tuple[str, ...] = ()
    """Rejection codes of the ``identity`` checks (MRZ and printed fields), when the page went through the
    whole page pipeline (``--pipeline``); they need OCR, so thresholds are not fitted on them."""

    @property
    def is_photo(self) -> bool:
        """A phone capture: a photo or a screenshot."""
        return self.label in PHOTO_LABELS or bool(self.expected & CAPTURE_CODES)

    @property
    def scored(self) -> bool:
        """Labelled firmly (``unsure`` rows are not scored)."""
        return self.label not in UNSCORED_LABELS

    @property
    def defects(self) -> frozenset[str]:
        """Expected codes other than the capture kind."""
        return self.expected - CAPTURE_CODES


def parse_codes(text: str) -> frozenset[str]:
    """Codes of a label cell (``;``, ``,`` or ``|`` separated; ``none``/``accept`` mean none)."""
    parts = text.replace(";", " ").replace(",", " ").replace("|", " ").split()
    return frozenset(p for p in parts if p not in ("-", "none", "accept"))


def page_for(path: Path, name: str) -> Page:
    """The Page that intake builds for an image file (DPI tag, EXIF, MIME): calibration sees what runs see."""
    ctx = RunContext(RunOptions(), Path(tempfile.gettempdir()))
    info, pages, _ = intake.ingest_file(path, name, path.parent, ctx)
    if not pages:
        raise ValueError(f"{name}: {info.message}")
    return pages[0]


def code_version() -> str:
    """Digest of the measuring code: cached metrics are reused only while it is unchanged."""
    return hashlib.sha256(inspect.getsource(imaging).encode()).hexdigest()[:12]


def pipeline_version() -> str:
    """Digest of the code behind the identity checks (OCR, MRZ reader, identity stage, checks)."""
    from pipeline.engines import mrz_reader, ocr
    from pipeline.stages import identity_capture

    sources = (imaging, capture_checks, identity_capture, mrz_reader, ocr)
    return hashlib.sha256("".join(inspect.getsource(m) for m in sources).encode()).hexdigest()[:12]


def identity_codes(path: Path, page: Page) -> tuple[str, ...]:
    """Codes the ``identity`` checks give a page that went through every page stage (OCR included)."""
    import datetime as dt

    from pipeline import api
    from pipeline.work import PageWork

    ctx = RunContext(RunOptions(as_of=dt.date(2026, 11, 25), cache="off"), Path(tempfile.gettempdir()))
    work = PageWork.of(page, ctx, api.default_engine(ctx.options))
    done = page
    for stage in api.PAGE_STAGES:
        done = stage(done, work)
    return tuple(
        r.code.value for r in done.rejections if str(r.evidence.get("check", "")).startswith("identity.")
    )


def _measure(task: tuple[str, str, str, str, bool]) -> tuple[Page, imaging.ImageMetrics, float, tuple[str, ...]]:
    path_s, name, cache_dir, version, through = task
    path = Path(path_s)
    page = page_for(path, name)
    cached = Path(cache_dir) / f"{page.sha256}-{page.frame}-{version}.pkl" if cache_dir else None
    if cached is not None and cached.exists():
        metrics, cpu = pickle.loads(cached.read_bytes())
    else:
        t0 = time.process_time()
        metrics = imaging.measure(imaging.PagePixels(path, page.frame).working())
        cpu = time.process_time() - t0
        if cached is not None:
            cached.parent.mkdir(parents=True, exist_ok=True)
            cached.write_bytes(pickle.dumps((metrics, cpu)))
    identity: tuple[str, ...] = ()
    if through:
        stored = Path(cache_dir) / f"{page.sha256}-{page.frame}-id-{pipeline_version()}.pkl" if cache_dir else None
        if stored is not None and stored.exists():
            identity = pickle.loads(stored.read_bytes())
        else:
            identity = identity_codes(path, page)
            if stored is not None:
                stored.write_bytes(pickle.dumps(identity))
    return page, metrics, cpu, identity


@dataclasses.dataclass(frozen=True, slots=True)
class Row:
    """One row of a labels file, before measuring."""

    path: Path
    file: str
    label: str
    expected: frozenset[str]
    source: str
    split: str = ""
    layout: str = ""
    layout_split: str = ""


def read_labels(folder: Path) -> list[Row]:
    """Rows of ``folder/labels.csv``.

    The generated set has ``expected_codes``, ``family`` and ``split``; the real sets a ``label``
    (``phone-photo``, ``screenshot``, ``scan``, ``born-digital``/``digital-born``, ``unsure``), an
    optional ``defect`` and their ``source_repo``.
    """
    with (folder / "labels.csv").open(newline="", encoding="utf-8") as fh:
        records = list(csv.DictReader(fh))
    rows = []
    for r in records:
        label = (r.get("label") or "").strip()
        if "expected_codes" in r:
            expected = parse_codes(r["expected_codes"] or "")
        else:
            expected = parse_codes(r.get("defect") or "")
            if label in PHOTO_LABELS:
                expected |= {RejectionCode.PHONE_PHOTO.value}
        source = r.get("source_repo") or r.get("family") or folder.name
        rows.append(
            Row(folder / r["file"], r["file"], label, expected, source, r.get("split", ""), r.get("layout", ""),
                r.get("layout_split", ""))
        )  # fmt: skip
    return rows


def is_identity_candidate(row: Row) -> bool:
    """Pages worth the whole pipeline for the identity checks: identity pages by name or source."""
    return is_identity(row.file) or "passport" in row.file.lower() or "PassportEye" in row.source


def load_set(
    folder: Path, jobs: int = 2, cache: Path | None = None, name: str | None = None, pipeline: bool = False
) -> list[Sample]:
    """Measure every image listed in ``folder/labels.csv`` (metrics cached per content and code version).

    With ``pipeline``, identity pages also go through every page stage (OCR, MRZ) for the identity checks.
    """
    rows = read_labels(folder)
    version = code_version()
    tasks = [(str(r.path), r.file, str(cache) if cache else "", version, pipeline and is_identity_candidate(r))
             for r in rows]  # fmt: skip
    if jobs > 1:
        # spawn, not fork: a forked OpenCV thread pool can deadlock the workers.
        with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
            measured = list(pool.map(_measure, tasks, chunksize=4))
    else:
        measured = [_measure(t) for t in tasks]
    set_name = name or folder.name
    return [
        Sample(set_name, r.source, r.file, r.label, r.expected, page, metrics, cpu, r.split, r.layout, r.layout_split,
               identity)  # fmt: skip
        for r, (page, metrics, cpu, identity) in zip(rows, measured, strict=True)
    ]


def is_identity(name: str) -> bool:
    """True when a generated file name says the page is a passport, ID card or residence card."""
    return any(marker in name for marker in IDENTITY_MARKERS)


def verdict(s: Sample, t: QualityThresholds = DEFAULT) -> set[str]:
    """The codes the gate gives a sample (with the identity colour rule where the file name says identity)."""
    got = {r.code.value for r in capture_checks.judge(s.page, s.metrics, t)} | set(s.identity)
    # The dossier stage applies the colour rule to identity documents only (after classification).
    if is_identity(s.file) and quality.greyscale_rejection(quality.apply_metrics(s.page, s.metrics, t), t):
        got.add(RejectionCode.GREYSCALE.value)
    if s.is_photo and s.set == "generated":
        # The generator's messenger copies are shrunk without a resolution label: not scored.
        got -= UNLABELLED_ON_PHOTOS - s.expected
    return got


@dataclasses.dataclass
class Score:
    """Counts of one group of samples."""

    photos: int = 0
    photos_named: int = 0
    genuine: int = 0
    genuine_rejected: int = 0
    defects: collections.Counter[str] = dataclasses.field(default_factory=collections.Counter)
    """Labelled defects by code."""
    caught: collections.Counter[str] = dataclasses.field(default_factory=collections.Counter)
    """Labelled defects whose code the gate gave."""
    fired: collections.Counter[str] = dataclasses.field(default_factory=collections.Counter)
    """Codes the gate gave (scored rows)."""
    right: collections.Counter[str] = dataclasses.field(default_factory=collections.Counter)
    """... of which the row's labels expected."""
    wrong: list[str] = dataclasses.field(default_factory=list)

    def add(self, s: Sample, got: set[str]) -> None:
        """Count one sample."""
        if not s.scored:
            return
        problems = []
        if s.is_photo:
            self.photos += 1
            named = bool(got & CAPTURE_CODES)
            self.photos_named += named
            if not named:
                problems.append("not named a phone photo")
        elif not s.defects:
            self.genuine += 1
            self.genuine_rejected += bool(got)
            if got:
                problems.append("genuine page rejected")
        for code in s.defects:
            self.defects[code] += 1
            self.caught[code] += code in got
            if code not in got:
                problems.append(f"{code} missed")
        for code in got:
            self.fired[code] += 1
            ok = code in s.expected or (code in CAPTURE_CODES and s.is_photo)
            self.right[code] += ok
        if problems:
            self.wrong.append(f"{s.source}/{s.file}: {', '.join(problems)}; got {sorted(got) or 'nothing'}")

    @property
    def photo_recall(self) -> float:
        """Share of phone photos named as such (1.0 when there are none)."""
        return self.photos_named / self.photos if self.photos else 1.0

    @property
    def false_rejection(self) -> float:
        """Share of genuine pages rejected for anything."""
        return self.genuine_rejected / self.genuine if self.genuine else 0.0

    @property
    def defect_recall(self) -> float:
        """Share of labelled defects caught (all kinds pooled)."""
        total = sum(self.defects.values())
        return sum(self.caught.values()) / total if total else 1.0

    def recall(self, code: str) -> float:
        """Recall of one defect kind (1.0 when none is labelled)."""
        return self.caught[code] / self.defects[code] if self.defects[code] else 1.0

    def precision(self, code: str) -> float:
        """Share of a code's rejections that the labels expected (1.0 when it never fired)."""
        return self.right[code] / self.fired[code] if self.fired[code] else 1.0

    def cost(self) -> float:
        """What :func:`fit` minimises: genuine pages rejected (weighted), photos and defects missed."""
        missed = sum(self.defects.values()) - sum(self.caught.values())
        return GENUINE_WEIGHT * self.genuine_rejected + (self.photos - self.photos_named) + missed


def score(samples: Iterable[Sample], t: QualityThresholds = DEFAULT) -> Score:
    """Judge every sample with ``t`` and count."""
    out = Score()
    for s in samples:
        out.add(s, verdict(s, t))
    return out


def fit(samples: Sequence[Sample], base: QualityThresholds = DEFAULT, passes: int = 2) -> QualityThresholds:
    """Choose the :data:`TUNABLE` thresholds on ``samples`` (coordinate descent on :meth:`Score.cost`).

    Each threshold in turn takes the value of its grid that costs least with the others fixed; ties
    keep the value nearest the current one. Samples are weighted so that every source counts the same
    in sum (a source of 60 receipts does not outvote one of 6 book pages).
    """
    scored = [s for s in samples if s.scored]
    by_source = collections.Counter((s.set, s.source) for s in scored)
    groups: dict[tuple[str, str], list[Sample]] = collections.defaultdict(list)
    for s in scored:
        groups[(s.set, s.source)].append(s)

    def cost(t: QualityThresholds) -> float:
        return sum(score(g, t).cost() / by_source[key] for key, g in groups.items())

    def with_value(t: QualityThresholds, name: str, value: float) -> QualityThresholds:
        return dataclasses.replace(t, **{name: value})  # type: ignore[arg-type]

    current = base
    for _ in range(passes):
        for name, grid in TUNABLE.items():
            now = getattr(current, name)
            best = min(grid, key=lambda v: (cost(with_value(current, name, v)), abs(v - now)))
            current = with_value(current, name, best)
    return current


# --------------------------------------------------------------------------- reports


def _pct(num: int, den: int) -> str:
    return f"{num}/{den} ({num / den:.0%})" if den else "-"


def score_line(label: str, sc: Score) -> str:
    """One line: photos named, genuine rejected, defects caught."""
    defects = sum(sc.defects.values())
    return (
        f"{label:42s} photos named {_pct(sc.photos_named, sc.photos):>14s}   genuine rejected "
        f"{_pct(sc.genuine_rejected, sc.genuine):>14s}   defects caught {_pct(sum(sc.caught.values()), defects):>14s}"
    )


def code_table(sc: Score) -> list[str]:
    """Recall and precision per code."""
    lines = ["  code             recall            precision"]
    for code in sorted(set(sc.defects) | set(sc.fired) - CAPTURE_CODES):
        lines.append(
            f"  {code:15s} {_pct(sc.caught[code], sc.defects[code]):>16s}  {_pct(sc.right[code], sc.fired[code]):>16s}"
        )
    return lines


def report_set(name: str, samples: Sequence[Sample], t: QualityThresholds = DEFAULT, wrong: int = 40) -> str:
    """Overall and per-source scores of one set, codes, mismatches and CPU time."""
    total = score(samples, t)
    unsure = sum(not s.scored for s in samples)
    lines = [f"== {name}: {len(samples)} images ({unsure} unsure, not scored)", score_line("all", total)]
    for source in sorted({s.source for s in samples}):
        lines.append(score_line(f"  {source}", score([s for s in samples if s.source == source], t)))
    lines += code_table(total)
    cpu = [s.cpu_seconds for s in samples]
    mean = sum(cpu) / len(cpu)
    lines.append(f"  CPU seconds per page (decode + metrics, one core): mean {mean:.3f}, max {max(cpu):.3f}")
    if total.wrong:
        lines.append("  mismatches:")
        lines += [f"    {w}" for w in total.wrong[:wrong]]
    return "\n".join(lines)


def leave_one_source_out(
    real: Sequence[Sample], tune: Sequence[Sample], fitter: Callable[[Sequence[Sample]], QualityThresholds] = fit
) -> tuple[Score, list[str]]:
    """For each real source: thresholds fitted without it (on ``tune`` and the other sources), judged on it."""
    pooled = Score()
    lines = []
    for key in sorted({(s.set, s.source) for s in real}):
        held = [s for s in real if (s.set, s.source) == key]
        rest = [s for s in real if (s.set, s.source) != key]
        t = fitter([*tune, *rest])
        sc = score(held, t)
        for s in held:
            pooled.add(s, verdict(s, t))
        lines.append(score_line(f"  {key[0]}/{key[1]}", sc))
    return pooled, lines


def threshold_changes(t: QualityThresholds, base: QualityThresholds = DEFAULT) -> str:
    """The fitted thresholds that differ from the defaults."""
    diffs = [f"{n} {getattr(base, n)} -> {getattr(t, n)}" for n in TUNABLE if getattr(t, n) != getattr(base, n)]
    return ", ".join(diffs) or "none (the defaults)"


def generate(out: Path, count: int, seed: int) -> None:
    """Run ``samples.generate capture`` into ``out``."""
    cmd = [sys.executable, "-m", "samples.generate", "capture", "--out", str(out), "--count", str(count)]
    subprocess.run([*cmd, "--seed", str(seed)], check=True)


def main(argv: Iterable[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(prog="python -m tools.calibrate", description=__doc__.splitlines()[0])
    parser.add_argument("--generated", type=Path, help="existing generated set (else generated into a temp dir)")
    parser.add_argument("--count", type=int, default=160)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--real", type=Path, nargs="*", default=list(REAL_SETS), help="real labelled sets")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "dossier" / "calibrate")
    parser.add_argument("--no-cache", action="store_true")
    parser.add_argument("--no-fit", action="store_true", help="report the defaults only (no LOSO, no family split)")
    parser.add_argument(
        "--pipeline", action="store_true", help="identity pages through every page stage (OCR, MRZ): identity checks"
    )
    parser.add_argument("--identity", type=int, default=0, metavar="N", help="identity scans judged through OCR")
    args = parser.parse_args(list(argv) if argv is not None else None)
    logging.basicConfig(level=logging.WARNING)
    cache = None if args.no_cache else args.cache
    real: list[Sample] = []
    for folder in args.real:
        if (folder / "labels.csv").exists():
            name = "/".join(folder.parts[-2:]) if folder.parent.name == "real" else folder.name
            samples = load_set(folder, args.jobs, cache, name=name, pipeline=args.pipeline)
            real += samples
            print(report_set(f"real set {folder}", samples))
        else:
            print(f"real set not found at {folder}; skipped")
    generated: list[Sample] = []
    with tempfile.TemporaryDirectory(prefix="capture-") as tmp:
        folder = args.generated
        if folder is None or not (folder / "labels.csv").exists():
            folder = folder or Path(tmp)
            generate(folder, args.count, args.seed)
        generated = load_set(folder, args.jobs, cache, name="generated", pipeline=args.pipeline)
    tune = [s for s in generated if s.split != "heldout"]
    heldout = [s for s in generated if s.split == "heldout"]
    print(report_set(f"generated ({len(tune)} tune, {len(heldout)} held out), default thresholds", generated))
    if args.identity:
        print(evaluate_identity(args.identity, args.seed))
    if args.no_fit:
        return 0
    print("== generated families: thresholds fitted on the tune families and the real sets")
    fitted = fit([*tune, *real])
    print(f"  fitted: {threshold_changes(fitted)}")
    for label, part in (("tune families", tune), ("held-out families", heldout)):
        print(score_line(f"  {label}, defaults", score(part, DEFAULT)))
        print(score_line(f"  {label}, fitted", score(part, fitted)))
    sc = score(heldout, fitted)
    print("\n".join(code_table(sc)))
    laid_out = [s for s in generated if s.layout_split]
    if laid_out:
        print("== generated layout families (samples.layouts): the documents' look, tune vs held-out")
        for label, part in (("tune layouts", [s for s in laid_out if s.layout_split == "tune"]),
                            ("held-out layouts", [s for s in laid_out if s.layout_split == "heldout"])):  # fmt: skip
            print(score_line(f"  {label}, defaults", score(part, DEFAULT)))
            print(score_line(f"  {label}, fitted", score(part, fitted)))
        for layout in sorted({s.layout for s in laid_out}):
            print(score_line(f"    {layout}", score([s for s in laid_out if s.layout == layout], DEFAULT)))
    if real:
        print("== real sets, leave one source out (fitted on the tune families and the other sources)")
        pooled, lines = leave_one_source_out(real, tune)
        print("\n".join(lines))
        print(score_line("  all sources, each judged by thresholds fitted without it", pooled))
        print(score_line("  all sources, defaults", score(real, DEFAULT)))
    return 0


IDENTITY_VARIANTS = ("clean", "field_glare", "mrz_cut", "cut_off", "mrz_glare")
"""What :func:`evaluate_identity` makes of each identity scan: the clean page and one defect each."""


def identity_variant(file: str) -> str:
    """The variant an :func:`evaluate_identity` file name ends with (its kind may hold an underscore).

    >>> identity_variant("003_id_card_clean.png"), identity_variant("004_passport_mrz_glare.png")
    ('clean', 'mrz_glare')
    """
    stem = file.rsplit(".", 1)[0]
    return next(v for v in IDENTITY_VARIANTS if stem.endswith(f"_{v}"))


def evaluate_identity(count: int, seed: int) -> str:
    """Judge identity pages by what they must show, through the whole page pipeline (OCR and MRZ included).

    Generates ``count`` identity scans (passports and card backs, 150-400 dpi, a scanner family each),
    each clean and with a broad reflection over its printed data (``field_glare``), cut off just above or
    through its MRZ (``mrz_cut``), cut off on a random side (``cut_off``) and with a small reflection over
    the MRZ (``mrz_glare``), and reports how many clean pages are accepted and how many defects are named
    with the right code, and by which check.
    """
    import datetime as dt

    import numpy as np

    from pipeline import api
    from samples import capture
    from samples.render import IdentityDocument, render_card, render_passport
    from samples.texts import COUNTRIES, Person

    defects = {
        "field_glare": capture.field_glare,
        "mrz_cut": capture.mrz_cut,
        "cut_off": capture.cut_off,
        "mrz_glare": capture.mrz_glare,
    }
    states = sorted(COUNTRIES)
    with tempfile.TemporaryDirectory(prefix="identity-") as tmp:
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
            scanner = capture.SCANNER_FAMILIES[i % len(capture.SCANNER_FAMILIES)]
            scan = capture.as_flatbed_scan(page, dpi, True, rng, margin=False, scanner=scanner)
            (folder / f"{i:03d}_{kind}_clean.png").write_bytes(capture.encode(scan, "png"))
            for name, defect in defects.items():
                if name == "field_glare" and kind != "passport":
                    continue  # a TD1 card prints its data on the front, not above the MRZ of its back
                out, _ = defect(scan, rng)
                (folder / f"{i:03d}_{kind}_{name}.png").write_bytes(capture.encode(out, "png"))
        report = api.run_dossier(folder, RunOptions(as_of=dt.date(2026, 11, 25), cache="off"))
    expected = {"field_glare": "glare", "mrz_cut": "cut_off", "cut_off": "cut_off", "mrz_glare": "glare"}
    counts: collections.Counter[str] = collections.Counter()
    checks: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    for d in report.documents:
        variant = identity_variant(d.file)
        counts[variant] += 1
        codes = {r.code.value for r in d.rejections}
        if variant == "clean":
            counts["clean_accepted"] += not codes
            for r in d.rejections:
                checks["clean"][str(r.evidence.get("check", r.code.value))] += 1
        elif expected[variant] in codes:
            counts[f"{variant}_caught"] += 1
            for r in d.rejections:
                if r.code.value == expected[variant]:
                    checks[variant][str(r.evidence.get("check", r.code.value))] += 1
    lines = [f"== identity pages judged by what they must show ({count} scans, the whole page pipeline)"]
    lines.append(f"  clean pages accepted       {counts['clean_accepted']}/{counts['clean']}  {dict(checks['clean'])}")
    for variant in IDENTITY_VARIANTS[1:]:
        caught = counts[f"{variant}_caught"]
        named = f"{caught}/{counts[variant]}"
        lines.append(f"  {variant:12s} named {expected[variant]:8s} {named}  {dict(checks[variant])}")
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
