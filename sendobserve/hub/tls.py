"""HTTPS for the hub: a server certificate issued by the organisation's own root
(``pki.certificates``, kept in the admin's encrypted store), and clients that trust that root
and nothing else (no public CAs: a certificate bought elsewhere for the same name fails).
"""

from __future__ import annotations

import ipaddress
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sendobserve.pki.certificates import RootCA, issue_leaf

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
    from cryptography.hazmat.primitives import serialization
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
    cert, key = issue_leaf(
        root, lambda _root: [x509.NameAttribute(NameOID.COMMON_NAME, names[0])],
        SERVER_VALIDITY, now=now, non_repudiation=False,
        extensions=lambda _key: (
            (x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False),
            (x509.SubjectAlternativeName(alt), False)))
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
