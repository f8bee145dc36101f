"""Signed certificates: intact and trusted, altered, foreign roots."""

from __future__ import annotations

import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hs

from sendobserve.pki import certificates as pki
from sendobserve.reports import certificate, signing
from tests.reports import samples
from tests.reports.conftest import byte_range, page_count, pdf_text


def test_signed_certificate_is_intact_and_trusted_against_its_root(
    form4_signed: bytes, root: pki.RootCA
) -> None:
    result = signing.verify_pdf(form4_signed, [root.cert_pem])
    assert result.intact and result.trusted and result.ok
    assert result.signer_name == samples.SIGNER
    assert result.serial == "SO4-2026-000007"
    assert result.issuer == "Kestrel Dispute Resolution"
    assert result.signed_at is not None and result.signed_at.tzinfo is not None
    assert "Intact and trusted" in result.message


def test_signing_keeps_the_page_and_adds_a_visible_seal(
    form4_unsigned: bytes, form4_signed: bytes
) -> None:
    from pypdf import PdfReader

    assert page_count(form4_signed) == page_count(form4_unsigned) == 1
    assert form4_signed.startswith(form4_unsigned)  # an incremental update
    annots = PdfReader(io.BytesIO(form4_signed)).pages[0].get("/Annots")
    rects = [a.get_object()["/Rect"] for a in annots]
    assert any(
        abs(float(r[2]) - float(r[0])) > 100 and float(r[1]) > 0 for r in rects
    ), "the signature widget has no visible area"
    assert samples.MEDIATOR in pdf_text(form4_signed)


def test_a_root_nobody_trusts_is_not_trusted_but_still_intact(form4_signed: bytes) -> None:
    other = pki.create_root("Another Organisation")
    result = signing.verify_pdf(form4_signed, [other.cert_pem])
    assert result.intact and not result.trusted and not result.ok
    assert "NOT TRUSTED" in result.message
    assert not signing.verify_pdf(form4_signed, []).trusted


def test_a_signer_from_an_unknown_root_is_not_trusted_against_ours(root: pki.RootCA) -> None:
    rogue_root = pki.create_root("Kestrel Dispute Resolution")  # same name, different key
    rogue = pki.issue_signer(rogue_root, samples.SIGNER)
    pdf = signing.sign_pdf(certificate.form5_pdf(samples.form5()), rogue, rogue_root.cert_pem)
    result = signing.verify_pdf(pdf, [root.cert_pem])
    assert result.intact and not result.trusted


def test_an_unsigned_file_is_not_intact(form4_unsigned: bytes, root: pki.RootCA) -> None:
    result = signing.verify_pdf(form4_unsigned, [root.cert_pem])
    assert not result.intact and not result.ok
    assert "NOT SIGNED" in result.message


def test_content_appended_after_signing_is_reported(form4_signed: bytes, root: pki.RootCA) -> None:
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    buf = io.BytesIO(form4_signed)
    writer = IncrementalPdfFileWriter(buf)
    writer.root["/Lang"] = generic.TextStringObject("fr-FR")
    writer.update_root()
    writer.write_in_place()
    result = signing.verify_pdf(buf.getvalue(), [root.cert_pem])
    assert not result.intact and not result.ok
    assert "ALTERED" in result.message


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@given(position=hs.floats(min_value=0, max_value=1, exclude_max=True),
       flip=hs.integers(min_value=1, max_value=255))
def test_any_one_byte_change_in_the_signed_bytes_is_reported_altered(
    form4_signed: bytes, root: pki.RootCA, position: float, flip: int
) -> None:
    a, b, c, d = byte_range(form4_signed)
    signed_offsets = b + d
    k = int(position * signed_offsets)
    offset = a + k if k < b else c + (k - b)
    tampered = bytearray(form4_signed)
    tampered[offset] ^= flip
    result = signing.verify_pdf(bytes(tampered), [root.cert_pem])
    assert not result.intact, (offset, result)
    assert not result.ok and result.message


def test_a_change_inside_the_signature_value_is_reported(form4_signed: bytes,
                                                         root: pki.RootCA) -> None:
    a, b, c, _ = byte_range(form4_signed)
    tampered = bytearray(form4_signed)
    middle = (a + b + c) // 2  # inside the hex /Contents, outside the signed bytes
    tampered[middle] = ord("0") if tampered[middle] != ord("0") else ord("1")
    result = signing.verify_pdf(bytes(tampered), [root.cert_pem])
    assert not result.ok and not result.intact


def test_truncated_and_junk_files_are_reported_not_raised(form4_signed: bytes,
                                                          root: pki.RootCA) -> None:
    for junk in (b"", b"%PDF-1.7\n", b"hello", form4_signed[: len(form4_signed) // 2]):
        result = signing.verify_pdf(junk, [root.cert_pem])
        assert not result.ok and not result.intact


def test_signing_adds_no_personal_data_to_the_metadata(form4_signed: bytes) -> None:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(form4_signed))
    blob = " ".join(str(v) for v in (reader.metadata or {}).values())
    assert "accreditation certificate" in blob
    for part in ("Siobhán", "Dálaigh", "Łucja", "Żak", "Brien"):
        assert part not in blob


def test_signing_something_that_is_not_a_pdf_is_a_value_error(
    creds: pki.SignerCredentials, root: pki.RootCA
) -> None:
    import pytest

    with pytest.raises(ValueError, match="not a readable PDF"):
        signing.sign_pdf(b"hello", creds, root.cert_pem)
