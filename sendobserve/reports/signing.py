"""PAdES signing and offline verification of certificates (pyHanko).

Signing is PAdES B-B: no timestamp authority and no revocation fetching, because the
app never goes online. The visible part of the signature is drawn with ReportLab in
the embedded DejaVu font, since pyHanko's own stamp text is limited to Latin-1 and
cannot print "Łucja Żak".

Verification answers two separate questions: is the file *intact* (every byte
covered by the signature, no change after signing), and is it *trusted* (the
signer's certificate chains to one of the given roots)?
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sendobserve.model.vocabulary import moment_text
from sendobserve.pki.certificates import SignerCredentials
from sendobserve.reports import styles as st
from sendobserve.reports.certificate import SEAL_BOX

FIELD_NAME = "CertificateSignature"
_REASON_PREFIX = "Issue of certificate"
_SERIAL_RE = re.compile(r"^" + _REASON_PREFIX + r" (?P<serial>\S+)")


@dataclass(frozen=True, slots=True)
class VerifyResult:
    intact: bool  # the signed bytes are unchanged and nothing was added after signing
    trusted: bool  # the signer chains to a trusted root
    signer_name: str | None
    signed_at: datetime | None
    serial: str | None  # the certificate serial named when signing
    message: str  # one line a person can act on
    issuer: str | None = None  # the organisation whose signing root issued the signer


    @property
    def ok(self) -> bool:
        return self.intact and self.trusted


def _seal_pdf(width: float, height: float, signer: str, when: datetime, serial: str) -> bytes:
    """The visible signature's appearance as a one-page PDF of exactly the box's size."""
    st.register_fonts()
    from reportlab.lib import colors
    from reportlab.pdfgen.canvas import Canvas

    buf = io.BytesIO()
    c = Canvas(buf, pagesize=(width, height), pageCompression=1)
    c.setStrokeColor(colors.HexColor(st.ACCENT))
    c.setLineWidth(0.8)
    c.roundRect(0.6, 0.6, width - 1.2, height - 1.2, 3)
    c.setFillColor(colors.HexColor(st.MUTED))
    c.setFont(st.SANS, 6.5)
    c.drawString(7, height - 11, "Digitally signed (PAdES) by")
    c.setFillColor(colors.HexColor(st.INK))
    size = 9.5
    from reportlab.pdfbase.pdfmetrics import stringWidth

    while size > 6 and stringWidth(signer, st.SANS_BOLD, size) > width - 14:
        size -= 0.5
    c.setFont(st.SANS_BOLD, size)
    c.drawString(7, height - 23, signer)
    c.setFillColor(colors.HexColor(st.MUTED))
    c.setFont(st.SANS, 6.5)
    stamp = f"{moment_text(when.astimezone(UTC))} UTC"
    c.drawString(7, 6, f"{stamp} · {serial}" if serial else stamp)
    c.showPage()
    c.save()
    return buf.getvalue()


def _bytes_page_content(data: bytes) -> Any:
    """A pyHanko ``PdfContent`` that imports page 1 of an in-memory PDF."""
    import binascii
    import uuid

    from pyhanko.pdf_utils.content import PdfContent
    from pyhanko.pdf_utils.layout import BoxConstraints
    from pyhanko.pdf_utils.reader import PdfFileReader

    class _BytesPdfPage(PdfContent):
        def render(self) -> bytes:
            writer = self._ensure_writer
            reader = PdfFileReader(io.BytesIO(data))
            xobj = writer.import_page_as_xobject(reader, page_ix=0)
            name = b"/Seal" + binascii.hexlify(uuid.uuid4().bytes)
            self.resources.xobject[name.decode("ascii")] = xobj
            x1, y1, x2, y2 = xobj.get_object()["/BBox"]
            self.box = BoxConstraints(width=abs(x1 - x2), height=abs(y1 - y2))
            return name + b" Do"

    return _BytesPdfPage()


def sign_pdf(
    pdf: bytes,
    creds: SignerCredentials,
    root_cert_pem: bytes,
    *,
    serial: str = "",
    box: tuple[float, float, float, float] = SEAL_BOX,
    page: int = -1,
) -> bytes:
    """Sign ``pdf`` as ``creds``; the visible signature goes in ``box`` on ``page`` (-1: last).

    ``serial`` is written into the signature's reason, inside the signed bytes, so that
    ``verify_pdf`` can report which certificate a file claims to be. Raises ValueError
    for input that is not a PDF.
    """
    from pyhanko.keys import load_private_key_from_pemder_data
    from pyhanko.pdf_utils import layout
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign import fields, signers
    from pyhanko.stamp import StaticStampStyle
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    cert = _load_cert(creds.cert_pem)
    key = load_private_key_from_pemder_data(creds.key_pem, passphrase=None)
    chain = [_load_cert(p) for p in (*creds.chain_pem, root_cert_pem)]
    signer = signers.SimpleSigner(
        signing_cert=cert,
        signing_key=key,
        cert_registry=SimpleCertificateStore.from_certs(chain),  # type: ignore[no-untyped-call]
    )
    try:
        n_pages = int(PdfFileReader(io.BytesIO(pdf)).root["/Pages"]["/Count"])
    except Exception as exc:  # the parser raises several kinds for non-PDF input
        raise ValueError("cannot sign: the input is not a readable PDF") from exc
    on_page = n_pages - 1 if page < 0 else page
    x1, y1, x2, y2 = (round(v) for v in box)
    seal = _seal_pdf(x2 - x1, y2 - y1, creds.signer_name, datetime.now(UTC), serial)
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=f"{_REASON_PREFIX} {serial}".strip() if serial else _REASON_PREFIX,
        certify=True,  # a certifying signature: no later change is permitted
        docmdp_permissions=fields.MDPPerm.NO_CHANGES,
    )
    pdf_signer = signers.PdfSigner(
        meta,
        signer,
        stamp_style=StaticStampStyle(
            border_width=0,
            background=_bytes_page_content(seal),
            # The seal is drawn at the box's exact size: no margins, no scaling.
            background_layout=layout.SimpleBoxLayoutRule(
                x_align=layout.AxisAlignment.ALIGN_MIN,
                y_align=layout.AxisAlignment.ALIGN_MIN,
                margins=layout.Margins(0, 0, 0, 0),
                inner_content_scaling=layout.InnerScaling.NO_SCALING,
            ),
        ),
        new_field_spec=fields.SigFieldSpec(
            sig_field_name=FIELD_NAME, on_page=on_page, box=(x1, y1, x2, y2)
        ),
    )
    out = pdf_signer.sign_pdf(writer)
    return bytes(out.getvalue())


def _load_cert(pem: bytes) -> Any:
    from asn1crypto import pem as asn1_pem
    from asn1crypto import x509 as asn1_x509

    if asn1_pem.detect(pem):
        _, _, der = asn1_pem.unarmor(pem)
    else:
        der = pem
    return asn1_x509.Certificate.load(der)


def load_trust_roots(pems: Sequence[bytes]) -> list[Any]:
    """Parse trusted root certificates; a file that is not a certificate raises ValueError."""
    roots = []
    for pem in pems:
        try:
            cert = _load_cert(pem)
            cert.native  # noqa: B018 - forces a full parse, so junk fails here
        except Exception as exc:
            raise ValueError("a trusted root is not a PEM or DER certificate") from exc
        roots.append(cert)
    return roots


def verify_pdf(pdf: bytes, trusted_roots: Sequence[bytes]) -> VerifyResult:
    """Check a signed PDF offline. Never raises for bad input: it reports it."""
    roots = load_trust_roots(trusted_roots)
    _import_validation()  # outside the guard: a broken install must not read as "altered"
    try:
        return _verify(pdf, roots)
    except Exception as exc:  # damaged files fail in many ways deep inside the parser
        return VerifyResult(
            intact=False,
            trusted=False,
            signer_name=None,
            signed_at=None,
            serial=None,
            message=f"ALTERED or damaged: the file cannot be read as a signed PDF ({_brief(exc)}).",
        )


def _brief(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:120]


def _import_validation() -> None:
    import logging

    import pyhanko.sign.validation
    import pyhanko_certvalidator

    del pyhanko, pyhanko_certvalidator
    # pyHanko logs every failed check at WARNING; the result object says it all.
    logging.getLogger("pyhanko").setLevel(logging.ERROR)
    logging.getLogger("pyhanko_certvalidator").setLevel(logging.ERROR)


def _verify(pdf: bytes, roots: list[Any]) -> VerifyResult:
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.errors import SignatureValidationError
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    signatures = reader.embedded_signatures
    if not signatures:
        return VerifyResult(False, False, None, None, None,
                            "NOT SIGNED: the file carries no digital signature.")
    sig = signatures[-1]
    padding = _padding_problem(pdf, sig.byte_range)
    if padding is not None:
        return VerifyResult(False, False, None, None, None, f"ALTERED: {padding}.")
    reason = sig.sig_object.get("/Reason")
    match = _SERIAL_RE.match(str(reason)) if reason is not None else None
    serial = match.group("serial") if match else None
    vc = ValidationContext(
        trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail"
    )
    try:
        status = validate_pdf_signature(sig, vc)
    except SignatureValidationError as exc:
        return VerifyResult(False, False, None, None, serial,
                            f"ALTERED: the signature does not match the file ({_brief(exc)}).")
    signer_name = _common_name(status.signing_cert)
    issuer = _issuer_org(status.signing_cert)
    signed_at = status.signer_reported_dt
    whole_file = status.coverage == SignatureCoverageLevel.ENTIRE_FILE and len(signatures) == 1
    intact = bool(status.intact and status.valid and whole_file)
    trusted = bool(status.trusted) and intact
    who = signer_name or "an unnamed signer"
    if not (status.intact and status.valid):
        message = "ALTERED: the file was changed after it was signed."
    elif not whole_file:
        message = "ALTERED: content was added to the file after it was signed."
    elif not trusted:
        message = (f"Intact, but NOT TRUSTED: signed by {who}, whose certificate does not "
                   "come from a known signing root.")
    else:
        message = f"Intact and trusted: signed by {who}."
    return VerifyResult(intact, trusted, signer_name, signed_at, serial, message, issuer)


def _padding_problem(pdf: bytes, byte_range: Any) -> str | None:
    """Why the unsigned gap (the hex /Contents) is not exactly the signature followed by
    zero padding, or None. The signature covers everything but this gap; the padding
    after the DER-encoded signature must be untouched zeros, or the file was changed."""
    try:
        a, b, c, _d = (int(x) for x in byte_range)
    except (TypeError, ValueError):
        return "the signature's byte range cannot be read"
    gap = pdf[a + b : c] if 0 <= a + b < c <= len(pdf) else b""
    if len(gap) < 4 or gap[:1] != b"<" or gap[-1:] != b">":
        return "the signature's contents are not where the byte range says"
    hex_text = gap[1:-1]
    try:
        raw = bytes.fromhex(hex_text.decode("ascii"))
    except (UnicodeDecodeError, ValueError):
        return "the signature's contents are not plain hexadecimal"
    if len(raw) < 2 or raw[0] != 0x30:
        return "the signature's contents do not start with a signature"
    if raw[1] < 0x80:
        total = 2 + raw[1]
    else:
        count = raw[1] & 0x7F
        if not 1 <= count <= 4 or len(raw) < 2 + count:
            return "the signature's length cannot be read"
        total = 2 + count + int.from_bytes(raw[2 : 2 + count], "big")
    if total > len(raw):
        return "the signature is longer than the space kept for it"
    if any(raw[total:]):
        return "bytes in the signature's zero padding were changed after it was signed"
    return None


def _common_name(cert: Any) -> str | None:
    if cert is None:
        return None
    try:
        name = cert.subject.native.get("common_name")
    except Exception:
        return None
    return str(name) if name else None


def _issuer_org(cert: Any) -> str | None:
    if cert is None:
        return None
    try:
        issuer = cert.issuer.native
    except Exception:
        return None
    name = issuer.get("organization_name") or issuer.get("common_name")
    return str(name) if name else None


# As ``pki.certificates.verification_code`` writes it (base32: A-Z, 2-7), printed after the
# "Verification code" label (PDFium may read the labels before their values).
_PRINTED_CODE = re.compile(r"Verification code.*?\b([A-Z2-7]{5}-[A-Z2-7]{5})\b", re.DOTALL)


def printed_verification_code(pdf: bytes) -> str | None:
    """The verification code printed on a certificate's first page, as PDFium reads the
    text (None when there is none, or the file is not a PDF it opens). With the serial it
    names one certificate, even where two installations issued the same serial."""
    import pypdfium2

    try:
        document = pypdfium2.PdfDocument(pdf)
    except pypdfium2.PdfiumError:
        return None
    try:
        if len(document) == 0:
            return None
        page = document[0]
        text = page.get_textpage().get_text_range()
    finally:
        document.close()
    match = _PRINTED_CODE.search(text)
    return match.group(1) if match else None
