"""What an evidence file may be: checked by content (PDFium, Pillow), never by name; size
and pixel limits; images re-encoded upright without their hidden details."""

from __future__ import annotations

import io
import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sendobserve.errors import UserError
from sendobserve.model.evidence import (
    JPEG,
    MAX_FILE_BYTES,
    PDF,
    PNG,
    EntryKind,
    EvidenceKind,
    check_content,
    check_kind,
    check_name,
    content_sha256,
    evidence_id,
    prepare_content,
)


def make_pdf(text: str = "Certificate of completion", pages: int = 1) -> bytes:
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    c = canvas.Canvas(out)
    for n in range(pages):
        c.drawString(72, 720, f"{text} — page {n + 1}")
        c.showPage()
    c.save()
    return out.getvalue()


def make_image(fmt: str = "PNG", size: tuple[int, int] = (120, 80), *,
               orientation: int | None = None, gps: bool = False) -> bytes:
    from PIL import Image

    image = Image.new("RGB", size, "white")
    image.paste((200, 20, 20), (0, 0, size[0] // 2, size[1] // 4))  # a red band, top left
    exif = Image.Exif()
    if orientation:
        exif[0x0112] = orientation
    if gps:
        exif[0x010F] = "PhoneMaker"
        exif[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0)}
    out = io.BytesIO()
    image.save(out, format=fmt, exif=exif.tobytes() if (orientation or gps) else b"")
    return out.getvalue()


def test_a_pdf_a_png_and_a_jpeg_are_recognised_by_content() -> None:
    assert check_content(make_pdf()) == PDF
    assert check_content(make_image("PNG")) == PNG
    assert check_content(make_image("JPEG")) == JPEG


@pytest.mark.parametrize(("data", "message"), [
    (b"", "is empty"),
    (b"%PDF-1.7\nnot really a PDF at all", "not a readable one"),
    (b"Dear panel, please find my certificate attached.", "not a PDF, PNG or JPEG"),
    (b"PK\x03\x04 a word document", "not a PDF, PNG or JPEG"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "not a readable PNG"),
    (b"\xff\xd8\xff\xe0" + b"\x00" * 40, "not a readable JPEG"),
    (b"GIF89a" + b"\x00" * 40, "not a PDF, PNG or JPEG"),
])
def test_anything_else_is_refused_with_one_sentence(data: bytes, message: str) -> None:
    with pytest.raises(UserError, match=message) as caught:
        check_content(data)
    assert caught.value.message.count(". ") == 0  # one sentence


def test_a_truncated_file_of_each_type_is_refused() -> None:
    for data in (make_pdf(), make_image("PNG", (400, 300)), make_image("JPEG", (400, 300))):
        with pytest.raises(UserError, match="not a readable"):
            check_content(data[: len(data) // 2])


def test_a_file_over_the_limit_is_refused_before_it_is_parsed() -> None:
    data = b"%PDF-1.4\n" + b"0" * MAX_FILE_BYTES
    with pytest.raises(UserError, match="at most 5 MB"):
        check_content(data)


def test_too_many_pixels_are_refused_before_decoding() -> None:
    from PIL import Image

    out = io.BytesIO()
    Image.new("1", (8000, 6000)).save(out, format="PNG")  # 48 million pixels, a small file
    assert len(out.getvalue()) < MAX_FILE_BYTES
    with pytest.raises(UserError, match="40 million"):
        check_content(out.getvalue())


def test_a_password_protected_pdf_is_refused() -> None:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for page in PdfReader(io.BytesIO(make_pdf())).pages:
        writer.add_page(page)
    writer.encrypt(user_password="secret", owner_password="owner")
    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(UserError, match="password"):
        check_content(out.getvalue())


def test_images_are_re_encoded_upright_without_their_hidden_details() -> None:
    from PIL import Image

    original = make_image("JPEG", (120, 80), orientation=6, gps=True)
    assert Image.open(io.BytesIO(original)).getexif()  # the camera's details are there
    kept, media_type = prepare_content(original)
    assert media_type == JPEG
    image = Image.open(io.BytesIO(kept))
    assert image.size == (80, 120)  # turned upright
    assert not image.getexif()
    assert b"PhoneMaker" not in kept and b"PhoneMaker" in original
    png, _ = prepare_content(make_image("PNG", gps=True))
    assert b"PhoneMaker" not in png and not Image.open(io.BytesIO(png)).getexif()


def test_an_unturned_jpeg_keeps_its_quality() -> None:
    from PIL import Image, ImageChops, ImageStat

    original = make_image("JPEG", (400, 300))
    kept, _ = prepare_content(original)
    a = Image.open(io.BytesIO(original)).convert("RGB")
    b = Image.open(io.BytesIO(kept)).convert("RGB")
    mean = ImageStat.Stat(ImageChops.difference(a, b)).mean
    assert max(mean) < 1.0  # the original quantisation is reused: no visible second loss


def test_a_pdf_is_kept_byte_for_byte() -> None:
    pdf = make_pdf(pages=3)
    assert prepare_content(pdf) == (pdf, PDF)


def test_the_id_is_the_entry_and_the_content() -> None:
    entry, other = uuid.uuid4(), uuid.uuid4()
    sha = content_sha256(b"x")
    assert evidence_id(EntryKind.TRAINING, entry, sha) == evidence_id(EntryKind.TRAINING,
                                                                        entry, sha)
    assert len({evidence_id(EntryKind.TRAINING, entry, sha),
                evidence_id(EntryKind.CPD, entry, sha),
                evidence_id(EntryKind.TRAINING, other, sha),
                evidence_id(EntryKind.TRAINING, entry, content_sha256(b"y"))}) == 4


def test_names_and_kinds() -> None:
    assert check_name("C:\\Users\\me\\Scans\\cert.pdf") == "cert.pdf"
    assert check_name("/home/me/outline\x07.pdf") == "outline.pdf"
    assert len(check_name("a" * 300 + ".pdf")) == 200 and check_name("a" * 300 + ".pdf"
                                                                     ).endswith(".pdf")
    with pytest.raises(UserError):
        check_name("  ")
    check_kind(EntryKind.TRAINING, EvidenceKind.COURSE_OUTLINE)
    with pytest.raises(UserError, match="A CPD certificate cannot be attached to a training"):
        check_kind(EntryKind.TRAINING, EvidenceKind.CPD_CERTIFICATE)


_VALID = [make_pdf(), make_image("PNG", (60, 40)), make_image("JPEG", (60, 40))]


@settings(max_examples=150, deadline=None)
@given(which=st.integers(0, 2), cuts=st.lists(st.tuples(st.integers(0, 4000),
                                                        st.binary(max_size=8)), max_size=4))
def test_mutated_files_are_accepted_or_refused_with_a_sentence(
        which: int, cuts: list[tuple[int, bytes]]) -> None:
    data = bytearray(_VALID[which])
    for at, junk in cuts:
        at %= max(len(data), 1)
        data[at:at + len(junk)] = junk
    try:
        media_type = check_content(bytes(data))
    except UserError as exc:
        assert exc.message.endswith(".")
    else:
        assert media_type in (PDF, PNG, JPEG)


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_never_crash_the_check(data: bytes) -> None:
    try:
        media_type = check_content(data)
    except UserError as exc:
        assert exc.message.endswith(".")
    else:
        assert media_type in (PDF, PNG, JPEG)
