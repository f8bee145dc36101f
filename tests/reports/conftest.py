"""Shared, expensive fixtures: one signing root and one signed Form 4 per session."""

from __future__ import annotations

import io
import re

import pytest

from sendobserve.pki import certificates as pki
from sendobserve.reports import certificate, signing
from tests.reports import samples


def pdf_text(pdf: bytes) -> str:
    """All pages' text, whitespace collapsed so that wrapped lines still match."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text() or "" for page in reader.pages).split())


def page_count(pdf: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


def byte_range(pdf: bytes) -> tuple[int, int, int, int]:
    match = re.search(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", pdf)
    assert match, "no /ByteRange in the signed file"
    a, b, c, d = (int(x) for x in match.groups())
    return a, b, c, d


@pytest.fixture(scope="session")
def root() -> pki.RootCA:
    return pki.create_root("Kestrel Dispute Resolution")


@pytest.fixture(scope="session")
def creds(root: pki.RootCA) -> pki.SignerCredentials:
    return pki.issue_signer(root, samples.SIGNER)


@pytest.fixture(scope="session")
def form4_unsigned() -> bytes:
    return certificate.form4_pdf(samples.form4())


@pytest.fixture(scope="session")
def form4_signed(form4_unsigned: bytes, creds: pki.SignerCredentials, root: pki.RootCA) -> bytes:
    return signing.sign_pdf(form4_unsigned, creds, root.cert_pem, serial="SO4-2026-000007")
