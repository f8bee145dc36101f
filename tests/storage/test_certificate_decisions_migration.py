"""Migration 0021: certificates stored before it each stand (none superseded); going back
drops only the ``superseded_by`` columns, in place, keeping every certificate and print."""

from __future__ import annotations

from datetime import date

from alembic import command
from sqlalchemy import inspect

from sendobserve.storage.engine import alembic_config
from sendobserve.storage.repositories.certificates import CertificateRepository
from tests.storage.records_conftest import RecordsDb, add_mediator, add_observer, db, repos

__all__ = ["db"]  # the fixture, imported for pytest


def _columns(db: RecordsDb, table: str) -> set[str]:
    return {c["name"] for c in inspect(db.engine).get_columns(table)}


def test_certificates_and_their_prints_survive_going_back_and_forth(db: RecordsDb) -> None:
    r = repos(db)
    mediator, signer = add_mediator(r), add_observer(r)
    certs = CertificateRepository(db.sessions)
    issued, _ = certs.issue_or_reprint(form_number=4, mediator_id=mediator.id,
                                       signer_id=signer.id, signer_name=signer.name,
                                       issued_on=date(2026, 3, 2), code_for=lambda _s: "K7QF2XA9")
    certs.issue_or_reprint(form_number=4, mediator_id=mediator.id, signer_id=signer.id,
                           signer_name=signer.name, issued_on=date(2026, 3, 9),
                           code_for=lambda _s: "UNUSED00")  # a re-print, logged
    with db.engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0020_certificate_issuer_serial")
    for table in ("certificates", "certificate_conflicts"):
        assert "superseded_by" not in _columns(db, table)
    assert db.count("certificates") == 1 and db.count("certificate_prints") == 2
    with db.engine.begin() as conn:
        command.upgrade(alembic_config(conn), "heads")
    for table in ("certificates", "certificate_conflicts"):
        assert "superseded_by" in _columns(db, table)
    assert CertificateRepository(db.sessions).find(mediator.id, 4) == issued  # it stands
    assert [p.kind for p in CertificateRepository(db.sessions).prints(issued.serial)] == [
        "issue", "reprint"]
