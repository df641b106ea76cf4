"""Typed models passed between the pipeline stages (internal; the report is the boundary)."""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import enum
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pipeline.mrz import MrzResult

BBox = tuple[int, int, int, int]
"""Pixel box ``(x0, y0, x1, y1)`` on the page image."""


class DocType(enum.StrEnum):
    """Document types of the public contract."""

    PASSPORT = "passport"
    ID_CARD = "id_card"
    RESIDENCE_CARD = "residence_card"
    CRIMINAL_RECORD = "criminal_record"
    APOSTILLE = "apostille"
    TRANSLATION = "translation"
    MEDICAL_CERTIFICATE = "medical_certificate"
    EMPLOYMENT_CONTRACT = "employment_contract"
    LEASE_AGREEMENT = "lease_agreement"
    BANK_STATEMENT = "bank_statement"
    HEALTH_INSURANCE = "health_insurance"
    ENROLLMENT_LETTER = "enrollment_letter"
    BIRTH_CERTIFICATE = "birth_certificate"
    MARRIAGE_CERTIFICATE = "marriage_certificate"
    OTHER = "other"


IDENTITY_TYPES = frozenset({DocType.PASSPORT, DocType.ID_CARD, DocType.RESIDENCE_CARD})
"""Identity documents: they carry an MRZ, and their copy must be in colour."""
PUBLIC_DOCUMENT_TYPES = frozenset({
    DocType.CRIMINAL_RECORD, DocType.BIRTH_CERTIFICATE, DocType.MARRIAGE_CERTIFICATE, DocType.MEDICAL_CERTIFICATE,
})
"""Certificates whose issuing state decides authentication (apostille) and criminal-record coverage."""


class RejectionCode(enum.StrEnum):
    """Why a page image cannot be used (public contract)."""

    PHONE_PHOTO = "phone_photo"
    SCREENSHOT = "screenshot"
    BLURRY = "blurry"
    LOW_RESOLUTION = "low_resolution"
    GLARE = "glare"
    TOO_DARK = "too_dark"
    OVEREXPOSED = "overexposed"
    CUT_OFF = "cut_off"
    GREYSCALE = "greyscale"
    UNREADABLE = "unreadable"


class FileStatus(enum.StrEnum):
    """What happened to an input file."""

    PROCESSED = "processed"
    UNSUPPORTED = "unsupported"
    ERROR = "error"


class Severity(enum.StrEnum):
    """How much a failing finding weighs on the verdict."""

    BLOCKING = "blocking"
    WARNING = "warning"
    INFO = "info"


class Status(enum.StrEnum):
    """Outcome of one rule on one dossier or document."""

    PASS = "pass"
    FAIL = "fail"
    NOT_EVALUABLE = "not_evaluable"


class Verdict(enum.StrEnum):
    """Readiness of a dossier (public contract)."""

    READY = "ready"
    NOT_READY = "not_ready"
    NEEDS_REVIEW = "needs_review"


class ActionKind(enum.StrEnum):
    """What kind of work a failing or not-evaluable finding asks for (the report groups actions by it)."""

    DOCUMENT_MISSING = "document_missing"
    """A required document (or its apostille, translation, certificate for a country) is not in the dossier."""
    DOCUMENT_TOO_OLD = "document_too_old"
    """A document is past its maximum age: a new one must be requested."""
    DOCUMENT_EXPIRES = "document_expires"
    """An identity document or card is not valid long enough: it must be renewed."""
    SCAN_UNUSABLE = "scan_unusable"
    """A page cannot be used (photo, blur, greyscale copy...): it must be scanned again."""
    FIELD_UNREADABLE = "field_unreadable"
    """A value was not read with confidence: a person confirms or corrects it (review form)."""
    CASE_DATA_MISSING = "case_data_missing"
    """A case fact is not given: fill its column in ``cases.csv`` (or ``case.toml``)."""
    PARAMETER_UNKNOWN = "parameter_unknown"
    """The rule pack lacks a parameter (a yearly amount...): set it, or check the source by hand."""
    TIMING = "timing"
    """A deadline or filing window is missed or near."""
    CONTENT = "content"
    """The content of a document does not meet the rule (the rule's own action says what to do)."""


class Category(enum.StrEnum):
    """Applicant categories of the public contract."""

    SINGLE_PERMIT = "single_permit"
    BLUE_CARD = "blue_card"
    PROFESSIONAL_CARD = "professional_card"
    STUDENT = "student"
    FAMILY_REUNIFICATION = "family_reunification"
    EU_CITIZEN = "eu_citizen"
    RENEWAL = "renewal"


def _jsonable(value: Any) -> Any:
    """Turn dates, enums, paths and tuples into JSON-ready values."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [_jsonable(v) for v in value]
    return value


@dataclasses.dataclass(frozen=True, slots=True)
class Word:
    """One recognised word with its box on the page image."""

    text: str
    bbox: BBox
    confidence: float
    """Engine confidence in [0, 1]."""


@dataclasses.dataclass(frozen=True, slots=True)
class Rejection:
    """A reason a page image cannot be used, with the metric that decided it."""

    code: RejectionCode
    message: str
    evidence: Mapping[str, float | str | bool] = dataclasses.field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON form as in the contract."""
        return {"code": self.code.value, "message": self.message, "evidence": _jsonable(self.evidence)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Rejection:
        """Inverse of :meth:`to_dict`."""
        return cls(RejectionCode(data["code"]), data["message"], dict(data.get("evidence", {})))


@dataclasses.dataclass(frozen=True, slots=True)
class Field:
    """One extracted value with its confidence and where it was read."""

    value: str | dt.date | bool | int | float
    confidence: float
    """In [0, 1]; below the review threshold the value is not taken as fact."""
    source: str
    """How it was read: ``mrz``, ``viz`` (visual zone), ``text`` (text layer) or ``ocr``."""
    page: int | None = None
    """1-based page of the file."""
    bbox: BBox | None = None
    raw: str = ""
    basis: str = ""
    """The kind of evidence the value rests on (``label:issue``, ``closing-line``, ``mrz+viz`` ...):
    the key of the calibration table that turns it into a measured confidence (``pipeline.calibration``)."""
    reviewer: str = ""
    """Who confirmed or corrected the value (``review.json``); empty when it was only read."""
    reviewed_on: dt.date | None = None
    original: str | dt.date | bool | int | float | None = None
    """The value as read, kept when a person confirmed or corrected it."""

    def __post_init__(self) -> None:
        if not 0.0 <= self.confidence <= 1.0:
            raise ValueError(f"confidence {self.confidence} not in [0, 1]")

    def to_dict(self) -> dict[str, Any]:
        """JSON form; a date value is marked so that :meth:`from_dict` restores it."""
        data: dict[str, Any] = _jsonable(dataclasses.asdict(self))
        data["is_date"] = isinstance(self.value, dt.date)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Field:
        """Inverse of :meth:`to_dict`."""
        value = data["value"]
        if data.get("is_date"):
            value = dt.date.fromisoformat(value)
        bbox = data.get("bbox")
        reviewed_on = data.get("reviewed_on")
        original = data.get("original")
        if original is not None and data.get("is_date"):
            original = dt.date.fromisoformat(original)
        return cls(
            value=value,
            confidence=float(data["confidence"]),
            source=data["source"],
            page=data.get("page"),
            bbox=(bbox[0], bbox[1], bbox[2], bbox[3]) if bbox else None,
            raw=data.get("raw", ""),
            basis=data.get("basis", ""),
            reviewer=data.get("reviewer", ""),
            reviewed_on=dt.date.fromisoformat(reviewed_on) if reviewed_on else None,
            original=original,
        )


@dataclasses.dataclass(frozen=True, slots=True)
class PageMrz:
    """The machine-readable zone found on a page: parsed once, with where it is and how sure the read is."""

    result: MrzResult
    """The parsed zone with every check digit's verdict (centuries as of the run that read it:
    use ``result.on(as_of)`` for another evaluation date)."""
    bbox: BBox | None = None
    """The zone on the upright page image (None when read from a text layer)."""
    confidence: float = 0.0
    """In [0, 1]: >= 0.8 only when every check digit passes."""
    source: str = "image"
    """``image`` (read from the raster) or ``text`` (found in a born-digital text layer)."""

    def __post_init__(self) -> None:
        if not 0.0 <= self.confidence <= 1.0:
            raise ValueError(f"confidence {self.confidence} not in [0, 1]")

    def to_dict(self) -> dict[str, Any]:
        """JSON form (the page cache stores it)."""
        return {"result": self.result.to_dict(), "bbox": list(self.bbox) if self.bbox else None,
                "confidence": self.confidence, "source": self.source}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PageMrz:
        """Inverse of :meth:`to_dict`."""
        bbox = data.get("bbox")
        return cls(MrzResult.from_dict(dict(data["result"])), (bbox[0], bbox[1], bbox[2], bbox[3]) if bbox else None,
                   float(data["confidence"]), data.get("source", "image"))


@dataclasses.dataclass(frozen=True, slots=True)
class InputFile:
    """One file found in a dossier folder and what intake made of it."""

    file: str
    """Path relative to the dossier folder, with ``/`` separators."""
    sha256: str
    size: int
    mime: str
    status: FileStatus
    message: str = ""
    page_count: int = 0

    def to_dict(self) -> dict[str, Any]:
        """JSON form (the contract's ``files`` entries plus detail)."""
        return _jsonable(dataclasses.asdict(self))


@dataclasses.dataclass(frozen=True, slots=True)
class EvidenceImage:
    """A small JPEG shown in the report as evidence (a page thumbnail or the crop a value was read from)."""

    jpeg: bytes
    width: int
    height: int

    def to_dict(self) -> dict[str, Any]:
        """JSON form (base64: the page cache is JSON)."""
        return {"jpeg": base64.b64encode(self.jpeg).decode("ascii"), "width": self.width, "height": self.height}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> EvidenceImage:
        """Inverse of :meth:`to_dict`."""
        return cls(base64.b64decode(data["jpeg"]), int(data["width"]), int(data["height"]))


@dataclasses.dataclass(frozen=True, slots=True)
class PageEvidence:
    """What the report shows of a page, made once from the decoded raster and cached with the page."""

    thumb: EvidenceImage
    """The whole page, small (colour: a greyscale copy shows as such)."""
    view: EvidenceImage
    """The page in grey at the OCR size: the dossier stage cuts the line of each value read from it."""
    scale: float
    """``view`` pixels per full-resolution pixel (word and MRZ boxes are full-resolution)."""
    mrz: EvidenceImage | None = None
    """The machine-readable zone, cut from the full-resolution raster (its characters are small)."""

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {"thumb": self.thumb.to_dict(), "view": self.view.to_dict(), "scale": self.scale,
                "mrz": self.mrz.to_dict() if self.mrz is not None else None}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PageEvidence:
        """Inverse of :meth:`to_dict`."""
        mrz = data.get("mrz")
        return cls(EvidenceImage.from_dict(data["thumb"]), EvidenceImage.from_dict(data["view"]),
                   float(data["scale"]), EvidenceImage.from_dict(mrz) if mrz else None)


@dataclasses.dataclass(frozen=True, slots=True)
class Page:
    """One page of an input file: a raster image, a text layer, or both."""

    file: str
    """Dossier-relative path of the file the page comes from."""
    sha256: str
    """Content hash of that file (cache key; files are referred to, never embedded)."""
    number: int
    """1-based page number within the file."""
    image: Path | None = None
    """Raster of the page: the original image file or one extracted to the work folder."""
    frame: int = 0
    """Frame of ``image`` (multi-page TIFF)."""
    text_layer: str = ""
    """Text of a born-digital PDF page; such a page is never judged as a photo."""
    dpi: float | None = None
    """Effective resolution when known (PDF page size or image tag)."""
    exif: Mapping[str, str] = dataclasses.field(default_factory=dict)
    """EXIF tags of the source image, by tag name."""
    rejections: tuple[Rejection, ...] = ()
    quality: Mapping[str, float] = dataclasses.field(default_factory=dict)
    """Quality metrics measured on the page (kept visible, never collapsed to a score)."""
    text: str = ""
    """The page's text: the text layer, or OCR output for an accepted raster page."""
    words: tuple[Word, ...] = ()
    text_confidence: float = 0.0
    ocr_timed_out: bool = False
    mrz: PageMrz | None = None
    """The machine-readable zone read on the page, parsed once (None: the page shows none)."""
    seconds: Mapping[str, float] = dataclasses.field(default_factory=dict)
    """Time each page stage took on this page, by stage name (empty when answered from the cache)."""
    evidence: PageEvidence | None = None
    """Thumbnail and reduced view for the report (None: the page has no raster)."""

    def __post_init__(self) -> None:
        if self.number < 1:
            raise ValueError("page numbers are 1-based")

    @property
    def has_text_layer(self) -> bool:
        """True for born-digital pages."""
        return bool(self.text_layer.strip())

    @property
    def accepted(self) -> bool:
        """True when no rejection was raised on the page."""
        return not self.rejections

    @property
    def ref(self) -> str:
        """``file#page`` reference used in findings."""
        return f"{self.file}#{self.number}"

    def to_dict(self) -> dict[str, Any]:
        """JSON form (the page cache stores it)."""
        data: dict[str, Any] = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        data["rejections"] = [r.to_dict() for r in self.rejections]
        data["words"] = [[w.text, list(w.bbox), w.confidence] for w in self.words]
        data["mrz"] = self.mrz.to_dict() if self.mrz is not None else None
        data["evidence"] = self.evidence.to_dict() if self.evidence is not None else None
        return _jsonable(data)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Page:
        """Inverse of :meth:`to_dict`."""
        values = dict(data)
        values["image"] = Path(values["image"]) if values.get("image") else None
        values["rejections"] = tuple(Rejection.from_dict(r) for r in values.get("rejections", ()))
        values["words"] = tuple(Word(t, (b[0], b[1], b[2], b[3]), c) for t, b, c in values.get("words", ()))
        values["mrz"] = PageMrz.from_dict(values["mrz"]) if values.get("mrz") else None
        values["evidence"] = PageEvidence.from_dict(values["evidence"]) if values.get("evidence") else None
        return cls(**values)


@dataclasses.dataclass(frozen=True, slots=True)
class Document:
    """One logical document: a run of pages of one file with one type."""

    file: str
    pages: tuple[int, ...]
    type: DocType
    type_confidence: float
    rejections: tuple[Rejection, ...] = ()
    fields: Mapping[str, Field] = dataclasses.field(default_factory=dict)
    language: str | None = None
    """ISO 639-1 code of the main language of the document, when recognised."""
    cues: tuple[str, ...] = ()
    """Phrases that decided the type (for review)."""
    type_basis: str = ""
    """The kind of evidence the type rests on (``title``, ``mrz``, ``phrases`` ...), for calibration."""
    type_review: Field | None = None
    """Set when a person confirmed or corrected the type (``review.json``): who, when, what was read."""
    unread_pages: tuple[int, ...] = ()
    """Pages whose OCR was stopped by its timeout (``Page.ocr_timed_out``): their text was not read."""

    @property
    def accepted(self) -> bool:
        """False when any page of the document was rejected."""
        return not self.rejections

    @property
    def ref(self) -> str:
        """``file#first-page`` reference used in findings."""
        return f"{self.file}#{self.pages[0]}"

    def value(self, name: str) -> Any:
        """The value of a field, or None when it was not extracted."""
        found = self.fields.get(name)
        return None if found is None else found.value

    def to_dict(self) -> dict[str, Any]:
        """JSON form as in the contract."""
        return {
            "file": self.file,
            "pages": list(self.pages),
            "type": self.type.value,
            "accepted": self.accepted,
            "rejections": [r.to_dict() for r in self.rejections],
            "fields": {k: _jsonable(f.value) for k, f in self.fields.items()},
            "confidence": {"type": round(self.type_confidence, 3)}
            | {k: round(f.confidence, 3) for k, f in self.fields.items()},
            "language": self.language,
            "evidence": {
                k: {"source": f.source, "page": f.page, "bbox": _jsonable(f.bbox), "raw": f.raw, "basis": f.basis}
                | ({"reviewer": f.reviewer, "reviewed_on": _jsonable(f.reviewed_on), "read": _jsonable(f.original)}
                   if f.reviewer else {})
                for k, f in self.fields.items()
            }
            | {"type": {"basis": self.type_basis, "cues": list(self.cues)}},
        }


@dataclasses.dataclass(frozen=True, slots=True)
class Finding:
    """The result of one rule on a dossier (frictionless-style: data, never an exception)."""

    rule: str
    severity: Severity
    status: Status
    message: str
    source: str
    documents: tuple[str, ...] = ()
    action: str = ""
    """What to do about it, in words a clerk can follow (failing findings)."""
    note: str = ""
    boundary_note: str = ""
    """Set when counting methods disagree on this case, so a person decides."""
    valid_until: dt.date | None = None
    """Last date on which this date rule still passes (feeds ``ready_until``)."""
    evidence: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    kind: ActionKind | None = None
    """What kind of work the finding asks for (None for passes)."""
    values: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    """The named values the message template was filled with (translations fill their own template)."""

    def to_dict(self) -> dict[str, Any]:
        """JSON form as in the contract (extra keys only added)."""
        data = {
            "rule": self.rule,
            "severity": self.severity.value,
            "status": self.status.value,
            "message": self.message,
            "source": self.source,
            "documents": list(self.documents),
        }
        for key in ("action", "note", "boundary_note"):
            if getattr(self, key):
                data[key] = getattr(self, key)
        if self.valid_until is not None:
            data["valid_until"] = self.valid_until.isoformat()
        if self.evidence:
            data["evidence"] = _jsonable(self.evidence)
        if self.kind is not None:
            data["kind"] = self.kind.value
        if self.values:
            data["values"] = _jsonable(self.values)
        return data


def to_jsonable(value: Any) -> Any:
    """Public wrapper of the JSON conversion used by the report writers."""
    return _jsonable(value)
