"""A small local certificate authority for signing certificates offline.

pyHanko refuses a self-signed certificate as its own trust root, so an
organisation (or a sole provider) has one root, kept in the encrypted store, that
issues a signing certificate to each signer. The root certificate (never its key)
can be exported so that others may choose to trust it.

Keys are ECDSA P-256: fast to make and to sign with, and accepted by PDF readers.
Key PEM is unencrypted PKCS#8 because it only ever rests inside the encrypted store.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

# Signatures are checked against "now" when no timestamp authority is used (PAdES
# B-B, offline), so the certificates are long-lived: a framed certificate must still
# verify years later.
ROOT_VALIDITY = timedelta(days=365 * 30)
SIGNER_VALIDITY = timedelta(days=365 * 25)
_BACKDATE = timedelta(minutes=10)  # tolerate a slightly slow clock on another machine


@dataclass(frozen=True, slots=True)
class RootCA:
    cert_pem: bytes
    key_pem: bytes


@dataclass(frozen=True, slots=True)
class SignerCredentials:
    """A signer's key and certificate, plus the chain up to (and including) the root."""

    signer_name: str
    cert_pem: bytes
    key_pem: bytes
    chain_pem: tuple[bytes, ...]


class PkiKeyStore(Protocol):
    """Where the root lives: the encrypted store implements this."""

    def load_root(self) -> RootCA | None: ...

    def save_root(self, root: RootCA) -> None: ...


def _now(now: datetime | None) -> datetime:
    return (now or datetime.now(UTC)).astimezone(UTC)


# X.509 limits an organisation or common name to 64 (RFC 5280's upper bounds; counted in
# UTF-8 bytes by the library); a provider's name may be longer (200), and is printed in
# full on the certificate itself.
NAME_LIMIT = 64


def fit_name(text: str, limit: int = NAME_LIMIT) -> str:
    """``text`` cut to at most ``limit`` UTF-8 bytes, with an ellipsis when cut."""
    text = " ".join(text.split())
    if len(text.encode("utf-8")) <= limit:
        return text
    room = limit - len("…".encode())
    while len(text.encode("utf-8")) > room:
        text = text[:-1]
    return text.rstrip() + "…"


def create_root(org_name: str, *, now: datetime | None = None) -> RootCA:
    """A new root CA named after the organisation (or the sole provider)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    if not org_name.strip():
        raise ValueError("the organisation name for the signing root is empty")
    start = _now(now) - _BACKDATE
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, fit_name(org_name)),
            x509.NameAttribute(NameOID.COMMON_NAME,
                               fit_name(f"{fit_name(org_name, 40)} certificate signing root")),
        ]
    )
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + ROOT_VALIDITY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            key_usage(certificates=True),
            critical=True,
        )
        .add_extension(ski, critical=False)
        .sign(key, hashes.SHA256())
    )
    return RootCA(
        cert_pem=cert.public_bytes(serialization.Encoding.PEM),
        key_pem=key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
    )


def key_usage(*, certificates: bool = False, signatures: bool = False,
              non_repudiation: bool = False) -> Any:
    """A key's usage: issuing certificates (and their revocation lists), signing, or
    signing with non-repudiation; never encryption or key agreement."""
    from cryptography import x509

    return x509.KeyUsage(
        digital_signature=signatures,
        content_commitment=non_repudiation,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=certificates,
        crl_sign=certificates,
        encipher_only=False,
        decipher_only=False,
    )


def root_parts(root: RootCA) -> tuple[Any, Any]:
    """``root``'s certificate and EC private key (cryptography objects)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    root_cert = x509.load_pem_x509_certificate(root.cert_pem)
    root_key = serialization.load_pem_private_key(root.key_pem, password=None)
    if not isinstance(root_key, ec.EllipticCurvePrivateKey):
        raise ValueError("the root's key is not an EC key")
    return root_cert, root_key


def issue_leaf(root: RootCA, subject: Callable[[Any], list[Any]], validity: timedelta, *,
               now: datetime | None, non_repudiation: bool,
               extensions: Callable[[Any], Sequence[tuple[Any, bool]]] = lambda _key: ()
               ) -> tuple[Any, Any]:
    """A new P-256 key and its certificate from ``root``: not a CA, valid from ten minutes
    before ``now`` for ``validity`` (never past the root's own end), for digital signatures
    (and non-repudiation when asked), naming the root's key. ``subject(root_cert)`` gives
    the subject's name attributes; ``extensions(key)`` any more (extension, critical)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec

    root_cert, root_key = root_parts(root)
    start = _now(now) - _BACKDATE
    end = min(start + validity, root_cert.not_valid_after_utc)
    key = ec.generate_private_key(ec.SECP256R1())
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name(subject(root_cert)))
        .issuer_name(root_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            key_usage(signatures=True, non_repudiation=non_repudiation),
            critical=True,
        )
    )
    for extension, critical in extensions(key):
        builder = builder.add_extension(extension, critical=critical)
    cert = builder.add_extension(
        x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()), False
    ).sign(root_key, hashes.SHA256())
    return cert, key


def issue_signer(
    root: RootCA, signer_name: str, *, now: datetime | None = None
) -> SignerCredentials:
    """A signing certificate for one person (digitalSignature + nonRepudiation)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
    from cryptography.x509.oid import NameOID

    if not signer_name.strip():
        raise ValueError("the signer's name is empty")

    def subject(root_cert: Any) -> list[Any]:
        org = root_cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
        attrs = [x509.NameAttribute(NameOID.COMMON_NAME, fit_name(signer_name))]
        if org:
            attrs.insert(0, x509.NameAttribute(NameOID.ORGANIZATION_NAME, str(org[0].value)))
        return attrs

    cert, key = issue_leaf(
        root, subject, SIGNER_VALIDITY, now=now, non_repudiation=True,
        extensions=lambda key: ((x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                                 False),))
    return SignerCredentials(
        signer_name=signer_name.strip(),
        cert_pem=cert.public_bytes(serialization.Encoding.PEM),
        key_pem=key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
        chain_pem=(root.cert_pem,),
    )


def ensure_root(store: PkiKeyStore, org_name: str) -> RootCA:
    """The store's root, created and saved on first use."""
    root = store.load_root()
    if root is None:
        root = create_root(org_name)
        store.save_root(root)
    return root


def fingerprint(cert_pem: bytes) -> str:
    """SHA-256 fingerprint of a certificate, as people compare them: 'AB:CD:…'."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes

    digest = x509.load_pem_x509_certificate(cert_pem).fingerprint(hashes.SHA256())
    return ":".join(f"{b:02X}" for b in digest)


def verification_key(root: RootCA) -> bytes:
    """A secret for verification codes, derived from the root key (so it needs no storage)."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"sendobserve verification code"
    ).derive(root.key_pem)


def verification_code(serial: str, facts: Sequence[str], key: bytes) -> str:
    """A short code ('7KQ2M-XW4PA') binding a serial to the certificate's facts.

    HMAC-SHA256 over the serial and the facts (mediator, form, issue date, signer),
    keyed by the organisation's secret: whoever holds the store can confirm that a
    paper copy's serial and name belong together; nobody else can forge a code.
    Base32 has no 0/1/8/9, so it survives being read aloud or retyped.
    """
    message = "\x1f".join([serial.strip(), *(f.strip() for f in facts)]).encode("utf-8")
    digest = hmac.new(key, message, hashlib.sha256).digest()
    code = base64.b32encode(digest).decode("ascii")[:10]
    return f"{code[:5]}-{code[5:]}"


def check_verification_code(serial: str, facts: Sequence[str], key: bytes, code: str) -> bool:
    expected = verification_code(serial, facts, key)
    given = code.strip().upper().replace(" ", "")
    if "-" not in given and len(given) == 10:
        given = f"{given[:5]}-{given[5:]}"
    return hmac.compare_digest(expected, given)
