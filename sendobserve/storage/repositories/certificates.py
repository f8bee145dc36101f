"""The signing root and the certificates issued: ``PkiRepository`` is the store's
``PkiKeyStore``; ``CertificateRepository`` hands out serials and logs every print.

Serials read ``SO4-2026-000007``: form, year of issue, then a sequence per form and
year, counted by each installation for itself: a certificate is known by its serial and
its issuer (the issuing installation's fingerprint), so two laptops may both issue serial
N. A certificate is issued once per mediator and form; printing it again returns the same
serial, date and verification code and logs a re-print.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sendobserve.model.domain import utcnow
from sendobserve.pki.certificates import RootCA, fingerprint
from sendobserve.pki.controls import IssuedCertificate as IssuedCertificate
from sendobserve.storage.certificates import (
    CertificatePrintRecord,
    CertificateRecord,
    SigningRootRecord,
)
from sendobserve.storage.repositories._common import Sessions, as_factory


@dataclass(frozen=True, slots=True)
class CertificatePrint:
    serial: str
    kind: str  # "issue" | "reprint"
    printed_at: datetime
    issuer: str = ""


def _issued(r: CertificateRecord) -> IssuedCertificate:
    return IssuedCertificate(r.serial, r.form_number, r.mediator_id, r.signer_id, r.signer_name,
                             r.issued_on, r.verification_code, r.created_at, r.edition,
                             r.signer_drawing, r.mediator_drawing, r.issuer)


def own_issuer(session: Session) -> str:
    """This installation's fingerprint: the issuer of the certificates issued here (its
    signing identity is made if it was never needed before)."""
    from sendobserve.pki.identity import load_or_create_identity
    from sendobserve.storage.exchange import StoredSigningKey

    return load_or_create_identity(StoredSigningKey(session)).fingerprint


def format_serial(form_number: int, year: int, sequence: int) -> str:
    return f"SO{form_number}-{year}-{sequence:06d}"


class PkiRepository:
    """Loads and saves the local signing root (satisfies ``pki.certificates.PkiKeyStore``)."""

    def __init__(self, sessions: Sessions):
        self._sessions = as_factory(sessions)

    def load_root(self) -> RootCA | None:
        with self._sessions() as session:
            row = session.scalars(
                select(SigningRootRecord).order_by(SigningRootRecord.created_at.desc()).limit(1)
            ).first()
            if row is None:
                return None
            return RootCA(cert_pem=row.cert_pem.encode("ascii"),
                          key_pem=row.key_pem.encode("ascii"))

    def save_root(self, root: RootCA) -> None:
        from cryptography import x509
        from cryptography.x509.oid import NameOID

        cert = x509.load_pem_x509_certificate(root.cert_pem)
        orgs = cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
        with self._sessions() as session:
            session.add(SigningRootRecord(
                id=uuid.uuid4(),
                org_name=str(orgs[0].value) if orgs else "signing root",
                cert_pem=root.cert_pem.decode("ascii"),
                key_pem=root.key_pem.decode("ascii"),
                fingerprint=fingerprint(root.cert_pem),
                created_at=utcnow(),
            ))


def _first_issue(session: Session, mediator_id: uuid.UUID,
                 form_number: int) -> CertificateRecord | None:
    """The mediator's certificate on this form: the first issued (a re-print is it) of
    those that stand (not one a person's decision superseded, see ``exchange.decide``)."""
    return session.scalars(
        select(CertificateRecord)
        .where(CertificateRecord.mediator_id == mediator_id,
               CertificateRecord.form_number == form_number,
               CertificateRecord.superseded_by.is_(None))
        .order_by(CertificateRecord.created_at)
        .limit(1)
    ).first()


class CertificateRepository:
    def __init__(self, sessions: Sessions):
        self._sessions = as_factory(sessions)

    def find(self, mediator_id: uuid.UUID, form_number: int) -> IssuedCertificate | None:
        """The certificate already issued to this mediator on this form, if any: the one that
        stands (not one a person's decision superseded, see ``exchange.decide``)."""
        with self._sessions() as session:
            row = _first_issue(session, mediator_id, form_number)
            return None if row is None else _issued(row)

    def get(self, serial: str, issuer: str | None = None) -> IssuedCertificate | None:
        """The certificate with this serial issued by ``issuer``; without one, the first
        held with this serial (see ``with_serial`` for every one)."""
        found = self.with_serial(serial, issuer)
        return found[0] if found else None

    def with_serial(self, serial: str, issuer: str | None = None
                    ) -> tuple[IssuedCertificate, ...]:
        """Every certificate held with this printed serial (two installations may both
        have issued it), oldest first; or the one of ``issuer``."""
        with self._sessions() as session:
            stmt = select(CertificateRecord).where(CertificateRecord.serial == serial)
            if issuer is not None:
                stmt = stmt.where(CertificateRecord.issuer == issuer)
            rows = session.scalars(stmt.order_by(CertificateRecord.created_at,
                                                 CertificateRecord.issuer))
            return tuple(_issued(r) for r in rows)

    def issue_or_reprint(
        self,
        *,
        form_number: int,
        mediator_id: uuid.UUID,
        signer_id: uuid.UUID | None,
        signer_name: str,
        issued_on: date,
        code_for: Callable[[str], str],
        signer_drawing: bytes | None = None,
        mediator_drawing: bytes | None = None,
        issuer: str | None = None,
    ) -> tuple[IssuedCertificate, bool]:
        """The certificate (new, or the one issued before) and whether it is a re-print.

        ``code_for(serial)`` makes the verification code for a new serial. The drawings are
        stored with a new certificate only: a re-print returns the first issue's drawings
        and ignores those given, so it prints identically. The print is logged in the same
        transaction. A new serial is the next of ``issuer``'s own (default: this
        installation's), whatever other installations have issued.
        """
        with self._sessions() as session:
            row = _first_issue(session, mediator_id, form_number)
            reprint = row is not None
            if row is None:
                issuer = own_issuer(session) if issuer is None else issuer
                prefix = format_serial(form_number, issued_on.year, 0)[:-6]
                count = session.scalar(
                    select(func.count()).select_from(CertificateRecord)
                    .where(CertificateRecord.serial.like(f"{prefix}%"),
                           CertificateRecord.issuer == issuer)
                ) or 0
                serial = format_serial(form_number, issued_on.year, count + 1)
                while session.get(CertificateRecord, (serial, issuer)) is not None:
                    # Taken before issuers were recorded (a gap in the count).
                    count += 1
                    serial = format_serial(form_number, issued_on.year, count + 1)
                row = CertificateRecord(
                    serial=serial, issuer=issuer, form_number=form_number,
                    mediator_id=mediator_id,
                    signer_id=signer_id, signer_name=signer_name, issued_on=issued_on,
                    verification_code=code_for(serial), created_at=utcnow(),
                    signer_drawing=signer_drawing, mediator_drawing=mediator_drawing,
                )
                session.add(row)
                session.flush()
            session.add(CertificatePrintRecord(
                id=uuid.uuid4(), serial=row.serial, issuer=row.issuer,
                kind="reprint" if reprint else "issue", printed_at=utcnow(),
            ))
            return _issued(row), reprint

    def prints(self, serial: str, issuer: str | None = None) -> tuple[CertificatePrint, ...]:
        """The prints of the certificate with this serial (of ``issuer``, if given)."""
        with self._sessions() as session:
            stmt = select(CertificatePrintRecord).where(CertificatePrintRecord.serial == serial)
            if issuer is not None:
                stmt = stmt.where(CertificatePrintRecord.issuer == issuer)
            rows = session.scalars(stmt.order_by(CertificatePrintRecord.printed_at))
            return tuple(CertificatePrint(r.serial, r.kind, r.printed_at, r.issuer)
                         for r in rows)
