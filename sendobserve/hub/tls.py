"""HTTPS for the hub: a server certificate issued by the organisation's own root
(``pki.certificates``, kept in the admin's encrypted store), and clients that trust that root
and nothing else (no public CAs: a certificate bought elsewhere for the same name fails).
"""

from __future__ import annotations

import ipaddress
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sendobserve.pki.certificates import RootCA

SERVER_VALIDITY = timedelta(days=825)


@dataclass(frozen=True, slots=True)
class ServerCertificate:
    cert_pem: bytes  # the hub's certificate followed by the root's (the chain to serve)
    key_pem: bytes
    root_pem: bytes  # what clients pin


def issue_server_certificate(root: RootCA, hosts: Sequence[str], *,
                             now: datetime | None = None) -> ServerCertificate:
    """A TLS server certificate for ``hosts`` (names or IP addresses), signed by ``root``."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    names = [h.strip() for h in hosts if h.strip()]
    if not names:
        raise ValueError("name at least one host the hub is reached by")
    alt: list[x509.GeneralName] = []
    for host in names:
        try:
            alt.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            alt.append(x509.DNSName(host))
    root_cert = x509.load_pem_x509_certificate(root.cert_pem)
    root_key = serialization.load_pem_private_key(root.key_pem, password=None)
    if not isinstance(root_key, ec.EllipticCurvePrivateKey):
        raise ValueError("the organisation's root key is not an EC key")
    start = (now or datetime.now(UTC)) - timedelta(minutes=10)
    end = min(start + SERVER_VALIDITY, root_cert.not_valid_after_utc)
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])]))
        .issuer_name(root_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=False, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=False,
            crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectAlternativeName(alt), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
            root_key.public_key()), critical=False)
        .sign(root_key, hashes.SHA256())
    )
    return ServerCertificate(
        cert_pem=cert.public_bytes(serialization.Encoding.PEM) + root.cert_pem,
        key_pem=key.private_bytes(serialization.Encoding.PEM,
                                  serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()),
        root_pem=root.cert_pem,
    )


def pinned_context(root_pem: bytes) -> ssl.SSLContext:
    """A client TLS context that trusts only ``root_pem`` and checks the host name."""
    # With cadata given, the system's CA store is not loaded: only this root is trusted.
    context = ssl.create_default_context(cadata=root_pem.decode("ascii"))
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


def root_from_pem(text: bytes) -> bytes:
    """The first certificate of a PEM file, checked to be a CA; what a client pins."""
    from cryptography import x509

    try:
        cert = x509.load_pem_x509_certificate(text)
    except ValueError:
        raise ValueError("not a PEM certificate") from None
    try:
        constraints = cert.extensions.get_extension_for_class(x509.BasicConstraints).value
    except x509.ExtensionNotFound:
        constraints = None
    if constraints is None or not constraints.ca:
        raise ValueError("that certificate is not an organisation's root (not a CA)")
    from cryptography.hazmat.primitives import serialization

    return cert.public_bytes(serialization.Encoding.PEM)
