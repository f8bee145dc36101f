"""The local signing root, signer certificates and verification codes."""

from __future__ import annotations

import re

import pytest
from cryptography import x509
from hypothesis import given
from hypothesis import strategies as hs

from sendobserve.pki import certificates as pki
from tests.reports import samples


def test_signer_certificate_is_issued_by_the_root_for_signing_only(
    root: pki.RootCA, creds: pki.SignerCredentials
) -> None:
    root_cert = x509.load_pem_x509_certificate(root.cert_pem)
    cert = x509.load_pem_x509_certificate(creds.cert_pem)
    assert cert.issuer == root_cert.subject
    assert cert.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)[0].value == samples.SIGNER
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment
    assert not usage.key_cert_sign
    assert not cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert root_cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    cert.verify_directly_issued_by(root_cert)
    assert creds.chain_pem == (root.cert_pem,)
    assert b"PRIVATE KEY" not in root.cert_pem


def test_ensure_root_creates_once_and_then_reuses() -> None:
    class MemoryStore:
        def __init__(self) -> None:
            self.root: pki.RootCA | None = None
            self.saves = 0

        def load_root(self) -> pki.RootCA | None:
            return self.root

        def save_root(self, root: pki.RootCA) -> None:
            self.root = root
            self.saves += 1

    store = MemoryStore()
    first = pki.ensure_root(store, "Kestrel")
    again = pki.ensure_root(store, "Kestrel")
    assert first == again and store.saves == 1


def test_empty_names_are_refused(root: pki.RootCA) -> None:
    with pytest.raises(ValueError):
        pki.create_root("  ")
    with pytest.raises(ValueError):
        pki.issue_signer(root, "")


def test_fingerprint_is_sha256_in_pairs(root: pki.RootCA) -> None:
    assert re.fullmatch(r"([0-9A-F]{2}:){31}[0-9A-F]{2}", pki.fingerprint(root.cert_pem))


FACTS = (samples.MEDIATOR, "form4", "2026-06-12", samples.SIGNER)


def test_verification_code_shape_and_check(root: pki.RootCA) -> None:
    key = pki.verification_key(root)
    code = pki.verification_code("SO4-2026-000007", FACTS, key)
    assert re.fullmatch(r"[A-Z2-7]{5}-[A-Z2-7]{5}", code)
    assert pki.check_verification_code("SO4-2026-000007", FACTS, key, code)
    assert pki.check_verification_code("SO4-2026-000007", FACTS, key,
                                       code.lower().replace("-", ""))
    other_key = pki.verification_key(pki.create_root("Other"))
    assert pki.verification_code("SO4-2026-000007", FACTS, other_key) != code


@given(index=hs.integers(min_value=0, max_value=len(FACTS)), extra=hs.text(min_size=1))
def test_any_changed_fact_changes_the_code(index: int, extra: str) -> None:
    key = b"k" * 32
    facts = list(FACTS)
    serial = "SO4-2026-000007"
    base = pki.verification_code(serial, facts, key)
    if index == len(FACTS):
        serial = serial + extra.strip() if extra.strip() else serial + "X"
    else:
        facts[index] = facts[index] + (extra.strip() or "X")
    assert pki.verification_code(serial, facts, key) != base


@given(org=hs.text(hs.characters(codec="utf-8", exclude_categories=("Cs", "Cc")),
                   min_size=1, max_size=200).filter(str.strip),
       signer=hs.text(hs.characters(codec="utf-8", exclude_categories=("Cs", "Cc")),
                      min_size=1, max_size=120).filter(str.strip))
def test_names_of_any_allowed_length_make_a_root_and_a_signer(org: str, signer: str) -> None:
    """A provider's name may be 200 characters and a signer's long; X.509 allows 64 (UTF-8
    bytes) per name, so the certificate's names are cut (with an ellipsis), never an error."""
    from cryptography.x509.oid import NameOID

    root = pki.create_root(org)
    creds = pki.issue_signer(root, signer)
    root_cert = x509.load_pem_x509_certificate(root.cert_pem)
    for attr in root_cert.subject:
        assert 1 <= len(str(attr.value).encode("utf-8")) <= 64
    o = str(root_cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value)
    assert " ".join(org.split()).startswith(o.removesuffix("…").rstrip())
    signer_cert = x509.load_pem_x509_certificate(creds.cert_pem)
    cn = str(signer_cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value)
    assert len(cn.encode("utf-8")) <= 64
    assert " ".join(signer.split()).startswith(cn.removesuffix("…").rstrip())
