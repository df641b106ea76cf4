"""OCR engine interface with a Tesseract implementation and a fake for tests (STYLE.md §3, §5)."""

from __future__ import annotations

import abc
import contextlib
import dataclasses
import logging
import os
import re
import shlex
import shutil
import subprocess
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from PIL import Image

from pipeline.errors import EngineError, MissingDependencyError
from pipeline.model import Word

log = logging.getLogger(__name__)

# OpenMP threads inside tesseract fight with our own parallelism (5x slower on 2 cores, measured
# here; OCRmyPDF sets the same): set before tesserocr or a tesseract process starts.
os.environ.setdefault("OMP_THREAD_LIMIT", "1")

__all__ = [
    "MIN_TESSERACT_VERSION",
    "FakeOcrEngine",
    "Glyph",
    "OcrEngine",
    "OcrText",
    "TesseractEngine",
    "TesserocrEngine",
    "default_engine",
    "Word",
    "check_tesseract",
]

MIN_TESSERACT_VERSION = (4, 1)
"""LSTM engine with ``tessedit_char_whitelist`` support (whitelists are ignored by 4.0's LSTM)."""

DEFAULT_TIMEOUT_S = 60.0


@dataclasses.dataclass(frozen=True, slots=True)
class OcrText:
    """What an engine read on one image."""

    text: str
    """Recognised text, lines separated by newlines."""
    words: tuple[Word, ...] = ()
    """Words with their boxes ``(x0, y0, x1, y1)`` and confidence in [0, 1]."""
    mean_confidence: float = 0.0
    """Mean word confidence in [0, 1] (0 when nothing was read)."""
    timed_out: bool = False
    """True when the engine was stopped by its timeout; the text is then empty."""

    def __post_init__(self) -> None:
        """Check the invariants."""
        if not 0.0 <= self.mean_confidence <= 1.0:
            raise ValueError("mean_confidence must be in [0, 1]")

    @classmethod
    def empty(cls, *, timed_out: bool = False) -> OcrText:
        """Return an empty result (nothing read, or a timeout)."""
        return cls(text="", words=(), mean_confidence=0.0, timed_out=timed_out)


@dataclasses.dataclass(frozen=True, slots=True)
class Glyph:
    """One recognised character with the engine's other candidates for it."""

    char: str
    confidence: float
    """Engine confidence in [0, 1] for ``char``."""
    bbox: tuple[int, int, int, int]
    """``(x0, y0, x1, y1)`` on the recognised image."""
    alternatives: tuple[str, ...] = ()
    """Other characters the engine considered here, best first (``char`` excluded)."""


GlyphLines = tuple[tuple[Glyph, ...], ...]
"""Recognised text lines, top to bottom, each a row of glyphs left to right."""


class OcrEngine(abc.ABC):
    """Reads text from an image; the only place that OCR libraries are called."""

    name: str = "ocr"

    @abc.abstractmethod
    def recognize(
        self,
        image: Image.Image,
        *,
        lang: str,
        psm: int,
        whitelist: str | None = None,
    ) -> OcrText:
        """Read the text of ``image``.

        Args:
            image: the page or crop.
            lang: tesseract language string, e.g. ``"eng"`` or ``"fra+nld"``.
            psm: tesseract page segmentation mode (6 = block, 7 = single line).
            whitelist: restrict recognised characters, e.g. ``"ABC...Z0123456789<"``.

        Returns:
            The recognised text; ``timed_out=True`` when the engine ran out of time.

        Raises:
            EngineError: the engine failed for reasons unrelated to the image content.

        """

    def prepare(self, lang: str, psm: int, count: int) -> None:  # noqa: B027 - optional hook, no-op by default
        """Load what ``count`` concurrent calls with these settings need, ahead of them (default: nothing)."""

    def warm_up(self, lang: str, psms: Sequence[int]) -> None:
        """Load what :meth:`recognize` needs for ``lang`` and ``psms`` now, for one call each."""
        for psm in psms:
            self.prepare(lang, psm, 1)

    def recognize_glyphs(self, image: Image.Image, *, lang: str, psm: int, whitelist: str | None = None) -> GlyphLines:
        """Read ``image`` character by character (for fixed-pitch text such as an MRZ).

        This default spreads each line of :meth:`recognize` over a fixed pitch with the word
        confidences and no alternatives; engines that see single characters override it.

        Returns:
            The lines, each a row of glyphs (empty on a timeout).

        """
        read = self.recognize(image, lang=lang, psm=psm, whitelist=whitelist)
        confidence = read.mean_confidence
        pitch = 10
        lines = []
        for n, line in enumerate(read.text.splitlines()):
            glyphs = tuple(
                Glyph(ch, confidence, (pitch * i, 20 * n, pitch * i + pitch - 2, 20 * n + 16))
                for i, ch in enumerate(line)
                if not ch.isspace()
            )
            if glyphs:
                lines.append(glyphs)
        return tuple(lines)


# --------------------------------------------------------------------------- tesseract

_VERSION_RE = re.compile(r"tesseract\s+v?(\d+)\.(\d+)", re.IGNORECASE)


def _tesseract_cmd() -> str:
    import pytesseract

    return str(pytesseract.pytesseract.tesseract_cmd)


def tesseract_version(cmd: str | None = None) -> tuple[int, int]:
    """Return the (major, minor) version of the tesseract binary.

    Raises:
        MissingDependencyError: the binary is missing or does not answer.

    """
    cmd = cmd or _tesseract_cmd()
    if shutil.which(cmd) is None:
        raise MissingDependencyError(f"tesseract not found ({cmd!r}); install it, e.g. `apt-get install tesseract-ocr`")
    try:
        proc = subprocess.run([cmd, "--version"], capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise MissingDependencyError(f"tesseract ({cmd!r}) cannot be run: {e}") from e
    match = _VERSION_RE.search(proc.stdout + proc.stderr)
    if not match:
        raise MissingDependencyError(f"cannot read the tesseract version from {cmd!r} --version")
    return int(match.group(1)), int(match.group(2))


def list_languages(tessdata_dir: Path | None = None, cmd: str | None = None) -> set[str]:
    """Return the language packs tesseract can load (from ``tessdata_dir`` if given)."""
    args = [cmd or _tesseract_cmd()]
    if tessdata_dir is not None:
        args += ["--tessdata-dir", str(tessdata_dir)]
    args.append("--list-langs")
    try:
        proc = subprocess.run(args, capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise MissingDependencyError(f"tesseract --list-langs failed: {e}") from e
    return {line.strip() for line in proc.stdout.splitlines()[1:] if line.strip()}


def check_tesseract(langs: Iterable[str], *, tessdata_dir: Path | None = None) -> tuple[int, int]:
    """Startup check: binary present, version >= :data:`MIN_TESSERACT_VERSION`, language packs.

    Args:
        langs: needed language packs, e.g. ``["eng", "fra"]`` (``"fra+nld"`` is split).
        tessdata_dir: check the packs in this folder instead of tesseract's default.

    Returns:
        The tesseract version.

    Raises:
        MissingDependencyError: with a message that says what to install.

    """
    version = tesseract_version()
    if version < MIN_TESSERACT_VERSION:
        raise MissingDependencyError(
            f"tesseract {version[0]}.{version[1]} is too old; "
            f"{MIN_TESSERACT_VERSION[0]}.{MIN_TESSERACT_VERSION[1]} or newer is needed"
        )
    wanted = {part for lang in langs for part in lang.split("+") if part}
    missing = sorted(wanted - list_languages(tessdata_dir))
    if missing:
        where = f" in {tessdata_dir}" if tessdata_dir else ""
        raise MissingDependencyError(
            f"tesseract language pack(s) missing{where}: {', '.join(missing)}; "
            f"install e.g. `apt-get install {' '.join('tesseract-ocr-' + m for m in missing)}`"
        )
    return version


def _bbox(row: Mapping[str, Sequence[Any]], i: int) -> tuple[int, int, int, int]:
    x, y = int(row["left"][i]), int(row["top"][i])
    return x, y, x + int(row["width"][i]), y + int(row["height"][i])


def ocr_text_from_data(data: Mapping[str, Sequence[Any]]) -> OcrText:
    """Build an :class:`OcrText` from pytesseract ``image_to_data(output_type=DICT)`` output.

    Lines are rebuilt from the (block, paragraph, line) numbers; words are joined by spaces.
    """
    words: list[Word] = []
    lines: dict[tuple[int, int, int], list[str]] = {}
    for i, raw in enumerate(data.get("text", [])):
        text = str(raw).strip()
        if not text:
            continue
        try:
            conf = float(data["conf"][i])
        except (TypeError, ValueError):
            conf = -1.0
        words.append(Word(text=text, bbox=_bbox(data, i), confidence=max(0.0, min(1.0, conf / 100.0))))
        key = (int(data["block_num"][i]), int(data["par_num"][i]), int(data["line_num"][i]))
        lines.setdefault(key, []).append(text)
    mean = sum(w.confidence for w in words) / len(words) if words else 0.0
    return OcrText(
        text="\n".join(" ".join(v) for _, v in sorted(lines.items())),
        words=tuple(words),
        mean_confidence=mean,
    )


class TesseractEngine(OcrEngine):
    """Tesseract through pytesseract ``image_to_data``, one thread per process, with a timeout."""

    name = "tesseract"

    def __init__(
        self,
        *,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        tessdata_dir: Path | None = None,
        extra_config: str = "",
    ) -> None:
        """Create the engine.

        Args:
            timeout_s: per-call limit; a timeout gives an empty ``OcrText(timed_out=True)``.
            tessdata_dir: folder with the ``.traineddata`` files (``--tessdata-dir``).
            extra_config: more tesseract command-line options.

        """
        self.timeout_s = timeout_s
        self.tessdata_dir = tessdata_dir
        self.extra_config = extra_config

    def _config(self, psm: int, whitelist: str | None) -> str:
        parts = [f"--psm {int(psm)}"]
        if self.tessdata_dir is not None:
            parts.append(f"--tessdata-dir {shlex.quote(str(self.tessdata_dir))}")
        if whitelist:
            parts.append(f"-c tessedit_char_whitelist={shlex.quote(whitelist)}")
        if self.extra_config:
            parts.append(self.extra_config)
        return " ".join(parts)

    def recognize(
        self,
        image: Image.Image,
        *,
        lang: str,
        psm: int,
        whitelist: str | None = None,
    ) -> OcrText:
        """Run tesseract on ``image`` (see :meth:`OcrEngine.recognize`)."""
        import pytesseract

        # pytesseract hands os.environ to its subprocess; OpenMP threads inside tesseract
        # fight with our own process-level parallelism (OCRmyPDF sets the same limit).
        os.environ["OMP_THREAD_LIMIT"] = "1"
        try:
            data = pytesseract.image_to_data(
                image,
                lang=lang,
                config=self._config(psm, whitelist),
                output_type=pytesseract.Output.DICT,
                timeout=self.timeout_s,
            )
        except RuntimeError as e:
            if "timeout" in str(e).lower():
                log.warning("tesseract timed out after %.0f s (lang=%s, psm=%d)", self.timeout_s, lang, psm)
                return OcrText.empty(timed_out=True)
            raise EngineError(f"tesseract failed: {e}") from e
        except pytesseract.TesseractNotFoundError as e:
            raise MissingDependencyError("tesseract not found; install `tesseract-ocr`") from e
        except pytesseract.TesseractError as e:
            raise EngineError(f"tesseract exited with status {e.status}: {e.message}") from e
        return ocr_text_from_data(data)


# --------------------------------------------------------------------------- tesserocr


def system_tessdata() -> Path | None:
    """The tessdata folder of the Debian ``tesseract-ocr`` packages (or ``$TESSDATA_PREFIX``)."""
    candidates = [os.environ.get("TESSDATA_PREFIX", "")]
    candidates += sorted((str(p) for p in Path("/usr/share/tesseract-ocr").glob("*/tessdata")), reverse=True)
    for candidate in candidates:
        if candidate and (Path(candidate) / "eng.traineddata").exists():
            return Path(candidate)
    return None


class TesserocrEngine(OcrEngine):
    """Tesseract's C API through ``tesserocr``: the models stay loaded, in a pool shared by all threads.

    Loading eng+fra+nld+deu costs ~0.4 s, which the command-line engine pays on every call (more
    than the recognition of a whole certificate page at 150 dpi); here it is paid once per
    concurrent call, and :meth:`prepare` can pay it ahead (the warm process does, so that its
    forks find the models loaded). Each loaded model serves one call at a time.
    """

    name = "tesserocr"

    def __init__(self, *, timeout_s: float = DEFAULT_TIMEOUT_S, tessdata_dir: Path | None = None) -> None:
        """Create the engine.

        Args:
            timeout_s: per-call limit; a timeout gives an empty ``OcrText(timed_out=True)``.
            tessdata_dir: folder with the ``.traineddata`` files (default: the system's).

        Raises:
            MissingDependencyError: no tessdata folder was found.
        """
        import tesserocr  # noqa: F401 - fail here, not on the first page, when it is missing

        self.timeout_s = timeout_s
        found = tessdata_dir or system_tessdata()
        if found is None:
            raise MissingDependencyError("no tessdata folder found: apt-get install tesseract-ocr tesseract-ocr-eng")
        self.tessdata_dir = found
        self._idle: dict[tuple[str, int], list[Any]] = {}
        self._lock = threading.Lock()

    def _load(self, lang: str, psm: int) -> Any:
        import tesserocr

        try:
            return tesserocr.PyTessBaseAPI(path=f"{self.tessdata_dir}/", lang=lang, psm=psm)
        except RuntimeError as e:
            raise MissingDependencyError(f"tesseract cannot load {lang!r} from {self.tessdata_dir}: {e}") from e

    @contextlib.contextmanager
    def _api(self, lang: str, psm: int) -> Iterator[Any]:
        """A loaded model for this call alone (taken from the pool, or loaded), returned afterwards."""
        key = (lang, psm)
        with self._lock:
            idle = self._idle.setdefault(key, [])
            api = idle.pop() if idle else None
        if api is None:
            api = self._load(lang, psm)
        try:
            yield api
        finally:
            with self._lock:
                self._idle[key].append(api)

    def prepare(self, lang: str, psm: int, count: int) -> None:
        """Load the model for ``count`` concurrent calls now (instead of on the first pages)."""
        with self._lock:
            missing = count - len(self._idle.setdefault((lang, psm), []))
        loaded = [self._load(lang, psm) for _ in range(max(0, missing))]
        with self._lock:
            self._idle[(lang, psm)].extend(loaded)

    def recognize(
        self,
        image: Image.Image,
        *,
        lang: str,
        psm: int,
        whitelist: str | None = None,
    ) -> OcrText:
        """Run tesseract on ``image`` (see :meth:`OcrEngine.recognize`)."""
        with self._api(lang, psm) as api:
            return self._recognize(api, image, lang, psm, whitelist)

    def _recognize(self, api: Any, image: Image.Image, lang: str, psm: int, whitelist: str | None) -> OcrText:
        import tesserocr

        api.SetVariable("tessedit_char_whitelist", whitelist or "")
        api.SetImage(image)
        if not api.Recognize(timeout=int(self.timeout_s * 1000)):
            log.warning("tesseract timed out after %.0f s (lang=%s, psm=%d)", self.timeout_s, lang, psm)
            api.Clear()
            return OcrText.empty(timed_out=True)
        words: list[Word] = []
        lines: dict[tuple[int, int], list[str]] = {}
        level = tesserocr.RIL.WORD
        iterator = api.GetIterator()
        line_no = 0
        block_no = 0
        for item in tesserocr.iterate_level(iterator, level):
            try:
                text = (item.GetUTF8Text(level) or "").strip()
            except RuntimeError:  # "No text returned" for an empty word box
                text = ""
            if item.IsAtBeginningOf(tesserocr.RIL.BLOCK):
                block_no += 1
            if item.IsAtBeginningOf(tesserocr.RIL.TEXTLINE):
                line_no += 1
            if not text:
                continue
            box = item.BoundingBox(level)
            if box is None:
                continue
            conf = max(0.0, min(1.0, item.Confidence(level) / 100.0))
            words.append(Word(text=text, bbox=(box[0], box[1], box[2], box[3]), confidence=conf))
            lines.setdefault((block_no, line_no), []).append(text)
        api.Clear()
        mean = sum(w.confidence for w in words) / len(words) if words else 0.0
        return OcrText(
            text="\n".join(" ".join(v) for _, v in sorted(lines.items())),
            words=tuple(words),
            mean_confidence=mean,
        )

    def recognize_glyphs(self, image: Image.Image, *, lang: str, psm: int, whitelist: str | None = None) -> GlyphLines:
        """Read ``image`` symbol by symbol with the LSTM's other choices (``lstm_choice_mode=2``)."""
        import tesserocr

        with self._api(lang, psm) as api:
            api.SetVariable("tessedit_char_whitelist", whitelist or "")
            api.SetVariable("lstm_choice_mode", "2")
            api.SetImage(image)
            ok = api.Recognize(timeout=int(self.timeout_s * 1000))
            api.SetVariable("lstm_choice_mode", "0")
            if not ok:
                log.warning("tesseract timed out after %.0f s (lang=%s, psm=%d)", self.timeout_s, lang, psm)
                api.Clear()
                return ()
            lines: list[list[Glyph]] = []
            level = tesserocr.RIL.SYMBOL
            for item in tesserocr.iterate_level(api.GetIterator(), level):
                try:
                    char = item.GetUTF8Text(level) or ""
                except RuntimeError:  # "No text returned" for an empty box
                    continue
                box = item.BoundingBox(level)
                if not char.strip() or box is None:
                    continue
                if item.IsAtBeginningOf(tesserocr.RIL.TEXTLINE) or not lines:
                    lines.append([])
                choices = item.GetChoiceIterator()
                others = [c.GetUTF8Text() for c in choices] if choices is not None else []
                alternatives = tuple(dict.fromkeys(o for o in others if o and o != char))
                conf = max(0.0, min(1.0, item.Confidence(level) / 100.0))
                lines[-1].append(Glyph(char, conf, (box[0], box[1], box[2], box[3]), alternatives))
            api.Clear()
        return tuple(tuple(line) for line in lines if line)


def default_engine(*, timeout_s: float = DEFAULT_TIMEOUT_S, tessdata_dir: Path | None = None) -> OcrEngine:
    """The fastest engine available: the C API when ``tesserocr`` is installed, else the command line."""
    try:
        return TesserocrEngine(timeout_s=timeout_s, tessdata_dir=tessdata_dir)
    except ImportError:
        log.info("tesserocr is not installed: using the tesseract command line (slower)")
        return TesseractEngine(timeout_s=timeout_s, tessdata_dir=tessdata_dir)


# --------------------------------------------------------------------------- fake


class FakeOcrEngine(OcrEngine):
    """Returns canned text, for tests (STYLE.md §8 tier 1)."""

    name = "fake"

    def __init__(self, text: str | Sequence[str] = "", *, confidence: float = 0.9, timed_out: bool = False) -> None:
        """Create the fake.

        Args:
            text: the text to return, or a sequence returned call after call (the last repeats).
            confidence: word confidence reported.
            timed_out: simulate a timeout (empty text, ``timed_out=True``).

        """
        self._texts = [text] if isinstance(text, str) else list(text) or [""]
        self.confidence = confidence
        self.timed_out = timed_out
        self.calls: list[dict[str, Any]] = []

    def recognize(
        self,
        image: Image.Image,
        *,
        lang: str,
        psm: int,
        whitelist: str | None = None,
    ) -> OcrText:
        """Return the next canned text (see :meth:`OcrEngine.recognize`)."""
        self.calls.append({"size": image.size, "lang": lang, "psm": psm, "whitelist": whitelist})
        if self.timed_out:
            return OcrText.empty(timed_out=True)
        text = self._texts[min(len(self.calls) - 1, len(self._texts) - 1)]
        words = tuple(
            Word(text=w, bbox=(0, 10 * n, 10 * len(w), 10 * n + 10), confidence=self.confidence)
            for n, line in enumerate(text.splitlines())
            for w in line.split()
        )
        return OcrText(text=text, words=words, mean_confidence=self.confidence if words else 0.0)
