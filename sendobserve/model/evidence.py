"""Evidence files: a training certificate, a course outline or a CPD certificate attached to
a training, CPD or case entry (§1.1: a mediator "should be able to evidence that the course
met the following criteria").

What a file may be is decided here, once, for the CLI, the app and the exchange decoder:

- **Type by content, never by name**: a PDF (``%PDF-`` at the start, and PDFium opens it
  with at least one page and no password), a PNG or a JPEG (Pillow decodes every row).
  Anything else is refused with one sentence, whatever its name ends with.
- **Size**: at most ``MAX_FILE_BYTES`` (5 MiB) a file. A one-page certificate scanned at
  300 dpi is 0.3–1.5 MB as a JPEG, a course outline PDF a few hundred KB; five MiB leaves
  room for a long scanned outline. At most ``MAX_FILES_BYTES`` (40 MiB) for one mediator,
  so their whole record still fits in one exchange file (its content is bounded at 64 MiB,
  and base64 makes 40 MiB about 53 MiB).
- **Images are re-encoded** before they are stored (``prepare_content``): what is kept is
  the pixels, turned upright, without the camera's hidden details (EXIF: the place a photo
  was taken, the device). A PDF is kept byte for byte.
- **Pixels**: at most ``MAX_PIXELS`` (40 million, an A4 page at 600 dpi is 35 million), so
  a small file cannot decode into gigabytes.

An evidence file's id is derived from the entry it is attached to and its content's
SHA-256 (``evidence_id``): the same file attached to the same entry on two laptops is one
record, so an import of it is idempotent. Pillow and PDFium are imported inside the
functions that need them, never at start-up.
"""

from __future__ import annotations

import hashlib
import io
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sendobserve.errors import UserError

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_FILES_BYTES = 40 * 1024 * 1024
MAX_PIXELS = 40_000_000
MAX_PDF_PAGES = 500
MAX_NAME = 200

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
MEDIA_TYPES = (PDF, PNG, JPEG)
SUFFIX = {PDF: ".pdf", PNG: ".png", JPEG: ".jpg"}
MEDIA_WORDS = {PDF: "PDF", PNG: "PNG image", JPEG: "JPEG image"}

_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_JPEG_MAGIC = b"\xff\xd8\xff"
_PDF_MAGIC = b"%PDF-"


class EntryKind(StrEnum):
    """What an evidence file is attached to."""

    TRAINING = "training"
    CPD = "cpd"
    CASE = "case"


class EvidenceKind(StrEnum):
    TRAINING_CERTIFICATE = "training_certificate"
    COURSE_OUTLINE = "course_outline"
    CPD_CERTIFICATE = "cpd_certificate"
    OTHER = "other"


KIND_WORDS = {
    EvidenceKind.TRAINING_CERTIFICATE: "Training certificate",
    EvidenceKind.COURSE_OUTLINE: "Course outline",
    EvidenceKind.CPD_CERTIFICATE: "CPD certificate",
    EvidenceKind.OTHER: "Other supporting document",
}
KIND_PHRASES = {
    EvidenceKind.TRAINING_CERTIFICATE: "a training certificate",
    EvidenceKind.COURSE_OUTLINE: "a course outline",
    EvidenceKind.CPD_CERTIFICATE: "a CPD certificate",
    EvidenceKind.OTHER: "another supporting document",
}
ENTRY_WORDS = {EntryKind.TRAINING: "training", EntryKind.CPD: "CPD entry",
               EntryKind.CASE: "case"}
# Which kinds of document fit which entry (the first is the one offered first).
KINDS_FOR = {
    EntryKind.TRAINING: (EvidenceKind.TRAINING_CERTIFICATE, EvidenceKind.COURSE_OUTLINE,
                         EvidenceKind.OTHER),
    EntryKind.CPD: (EvidenceKind.CPD_CERTIFICATE, EvidenceKind.COURSE_OUTLINE,
                    EvidenceKind.OTHER),
    EntryKind.CASE: (EvidenceKind.OTHER,),
}


@dataclass(frozen=True, slots=True)
class EvidenceFile:
    """One attached file, without its content (which the store keeps beside it)."""

    id: uuid.UUID
    mediator_id: uuid.UUID
    entry_kind: EntryKind
    entry_id: uuid.UUID
    kind: EvidenceKind
    name: str  # the file's name as attached, for people (never used to decide its type)
    media_type: str
    size: int
    sha256: str
    added_at: datetime
    added_by: str

    @property
    def size_text(self) -> str:
        return size_text(self.size)


def size_text(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / (1024 * 1024):.1f} MB".replace(".0 MB", " MB")


def evidence_id(entry_kind: EntryKind, entry_id: uuid.UUID, sha256: str) -> uuid.UUID:
    """The id of a file with content ``sha256`` attached to one entry (see the module)."""
    digest = hashlib.sha256(
        b"sendobserve evidence\x00" + entry_kind.value.encode() + b"\x00" + entry_id.bytes
        + bytes.fromhex(sha256)).digest()
    return uuid.UUID(bytes=digest[:16], version=4)


def content_sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def check_name(name: str) -> str:
    """A file name to show: its last path part, trimmed, without control characters."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    cleaned = "".join(ch for ch in base if ch.isprintable())
    if not cleaned:
        raise UserError("Give the evidence file a name.")
    if len(cleaned) > MAX_NAME:
        stem, dot, suffix = cleaned.rpartition(".")
        cleaned = (stem[:MAX_NAME - len(suffix) - 1] + dot + suffix
                   if dot and len(suffix) < 10 else cleaned[:MAX_NAME])
    return cleaned


def check_kind(entry_kind: EntryKind, kind: EvidenceKind) -> None:
    if kind not in KINDS_FOR[entry_kind]:
        allowed = " or ".join(KIND_PHRASES[k] for k in KINDS_FOR[entry_kind])
        phrase = KIND_PHRASES[kind]
        raise UserError(f"{phrase[0].upper()}{phrase[1:]} cannot be attached to a "
                        f"{ENTRY_WORDS[entry_kind]}; it takes {allowed}.")


def check_content(data: bytes, what: str = "The file") -> str:
    """The media type of ``data`` if it is a PDF, PNG or JPEG within the limits; else
    ``UserError`` with one sentence saying what is wrong. Reads only."""
    if not data:
        raise UserError(f"{what} is empty.")
    if len(data) > MAX_FILE_BYTES:
        raise UserError(f"{what} is {size_text(len(data))}; an evidence file can be at most "
                        f"{size_text(MAX_FILE_BYTES)}.",
                        hint="Scan it at a lower resolution, or save the PDF smaller.")
    if data.startswith(_PDF_MAGIC):
        _check_pdf(data, what)
        return PDF
    if data.startswith(_PNG_MAGIC):
        _check_image(data, what, "PNG")
        return PNG
    if data.startswith(_JPEG_MAGIC):
        _check_image(data, what, "JPEG")
        return JPEG
    raise UserError(f"{what} is not a PDF, PNG or JPEG file (its content is checked, not "
                    "its name).",
                    hint="Save or scan the document as a PDF, or photograph it as a JPEG.")


def _check_pdf(data: bytes, what: str) -> None:
    import pypdfium2

    try:
        document = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise UserError(f"{what} is a PDF protected by a password; attach a copy without "
                            "one.") from None
        raise UserError(f"{what} starts like a PDF but is not a readable one.",
                        hint="The file is damaged or incomplete; save it again.") from None
    try:
        pages = len(document)
    finally:
        document.close()
    if pages < 1:
        raise UserError(f"{what} is a PDF without pages.")
    if pages > MAX_PDF_PAGES:
        raise UserError(f"{what} has {pages} pages; an evidence file can have at most "
                        f"{MAX_PDF_PAGES}.")


def _open_image(data: bytes, what: str, expected: str) -> Any:
    """The decoded Pillow image (every row read), checked for format and pixel count."""
    from PIL import Image

    with readable_image(f"{what} is not a readable {expected} image.",
                        "The file is damaged or incomplete; save it again."):
        image = Image.open(io.BytesIO(data))
        if image.format != expected:
            raise UserError(f"{what} starts like a {expected} image but is not one.")
        width, height = image.size
        if width < 1 or height < 1:
            raise UserError(f"{what} is an empty image.")
        if width * height > MAX_PIXELS:
            raise UserError(f"{what} is {width}×{height} pixels; an evidence image can have "
                            f"at most {MAX_PIXELS // 1_000_000} million.",
                            hint="Scan it at a lower resolution.")
        image.load()  # decodes every row: a truncated or corrupt file fails here
    return image


@contextmanager
def readable_image(message: str, hint: str) -> Iterator[None]:
    """What Pillow raises on a damaged, truncated or hostile image file, as ``message``
    (a ``UserError`` raised inside passes as it is)."""
    from PIL import Image, UnidentifiedImageError

    try:
        yield
    except UserError:
        raise
    except (OSError, ValueError, SyntaxError, UnidentifiedImageError,
            Image.DecompressionBombError):
        raise UserError(message, hint=hint) from None


def _check_image(data: bytes, what: str, expected: str) -> None:
    _open_image(data, what, expected).close()


def prepare_content(data: bytes, what: str = "The file") -> tuple[bytes, str]:
    """What the store keeps of an attached file, and its media type: a PDF as it is, an
    image re-encoded upright without its hidden details (see the module)."""
    media_type = check_content(data, what)
    if media_type == PDF:
        return data, media_type
    from PIL import ImageOps

    expected = "PNG" if media_type == PNG else "JPEG"
    image = _open_image(data, what, expected)
    try:
        turned = image.getexif().get(0x0112, 1) not in (1, None)  # EXIF orientation
        upright = ImageOps.exif_transpose(image) if turned else image
        icc = image.info.get("icc_profile")  # colours, not a hidden detail about anyone
        out = io.BytesIO()
        if media_type == PNG:
            upright.save(out, format="PNG", optimize=True, icc_profile=icc)
        else:
            if upright.mode not in ("RGB", "L", "CMYK"):
                upright = upright.convert("RGB")
            # Unturned, the original quantisation is kept: no second loss of quality.
            upright.save(out, format="JPEG", quality=90 if turned else "keep", optimize=True,
                         icc_profile=icc)
    finally:
        image.close()
    result = out.getvalue()
    if len(result) > MAX_FILE_BYTES:
        raise UserError(f"{what} is {size_text(len(result))} once its hidden details are "
                        f"removed; an evidence file can be at most {size_text(MAX_FILE_BYTES)}.",
                        hint="Scan it at a lower resolution.")
    return result, media_type
