"""ORM rows for signing and certificates: the local signing root, issued certificates and
every print of them. They never leave ``sendobserve.storage``.

The root's private key rests here, inside the encrypted database, and nowhere else.
A certificate is issued once per mediator and form: re-printing keeps its serial,
date and verification code, and each print (or re-print) is logged.

Each installation numbers its own certificates, so a serial is unique only together with
the installation that issued it (``issuer``, its fingerprint; migration
``0020_certificate_issuer_serial``): two laptops can both issue ``SO4-2026-000001`` and a
store holds both. ``issuer`` is empty for a certificate received before issuers travelled
(its issuer is not known); the printed serial and code are never changed.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from sendobserve.storage.base import GUID, Base, ISODate, UTCDateTime


class SigningRootRecord(Base):
    __tablename__ = "signing_roots"
    __table_args__ = (
        CheckConstraint("length(trim(org_name)) > 0", name="org_name_not_blank"),
    )

    id: Mapped[uuid.UUID] = mapped_column(GUID(), primary_key=True)
    org_name: Mapped[str] = mapped_column(String(200))
    cert_pem: Mapped[str] = mapped_column(Text)
    key_pem: Mapped[str] = mapped_column(Text)
    fingerprint: Mapped[str] = mapped_column(String(95))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CertificateRecord(Base):
    __tablename__ = "certificates"
    __table_args__ = (
        CheckConstraint("form_number IN (4, 5)", name="form_number"),
        CheckConstraint("length(trim(signer_name)) > 0", name="signer_name_not_blank"),
        # The certificate of one mediator on one form: a re-print finds it here.
        Index("ix_certificates_mediator_form", "mediator_id", "form_number"),
    )

    serial: Mapped[str] = mapped_column(String(32), primary_key=True)
    # The fingerprint of the installation that issued it ('' : received before issuers
    # travelled, not known).
    issuer: Mapped[str] = mapped_column(String(39), primary_key=True)
    form_number: Mapped[int] = mapped_column(Integer)
    mediator_id: Mapped[uuid.UUID] = mapped_column(
        GUID(), ForeignKey("mediators.id", ondelete="RESTRICT")
    )
    signer_id: Mapped[uuid.UUID | None] = mapped_column(
        GUID(), ForeignKey("observers.id", ondelete="RESTRICT"), nullable=True
    )
    signer_name: Mapped[str] = mapped_column(String(200))
    issued_on: Mapped[date] = mapped_column(ISODate())
    verification_code: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The drawn signatures (PNG) of the first issue, so a re-print is identical in content.
    # NULL: issued without a drawing (or before migration 0005_certificate_drawings).
    signer_drawing: Mapped[bytes | None] = mapped_column(LargeBinary(), nullable=True)
    mediator_drawing: Mapped[bytes | None] = mapped_column(LargeBinary(), nullable=True)
    # The rulebook edition the certificate was issued under, when it came with the record
    # (migration 0014_exchange_controls; NULL: issued here, read from the mediator's record).
    edition: Mapped[str | None] = mapped_column(String(200), nullable=True)
    # Two certificates issued for one mediator and form (on two laptops): a person's signed
    # decision chose another one, which stands; this one stays, superseded by that decision
    # (its id; migration 0021_certificate_decisions). NULL: it stands.
    superseded_by: Mapped[uuid.UUID | None] = mapped_column(GUID(), nullable=True)


class CertificatePrintRecord(Base):
    __tablename__ = "certificate_prints"
    __table_args__ = (
        CheckConstraint("kind IN ('issue', 'reprint')", name="kind"),
        ForeignKeyConstraint(["serial", "issuer"],
                             ["certificates.serial", "certificates.issuer"],
                             ondelete="RESTRICT"),
        # Print history of one certificate, oldest first.
        Index("ix_certificate_prints_serial", "serial", "issuer", "printed_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(GUID(), primary_key=True)
    serial: Mapped[str] = mapped_column(String(32))
    issuer: Mapped[str] = mapped_column(String(39))
    kind: Mapped[str] = mapped_column(String(8))
    printed_at: Mapped[datetime] = mapped_column(UTCDateTime())


CERTIFICATE_TABLES: tuple[str, ...] = ("signing_roots", "certificates", "certificate_prints")
"""The tables migration ``0003_pki`` creates, in dependency order (``0005_certificate_drawings``
adds the two drawing columns to ``certificates``)."""
