"""The signing root and issued certificates in a real encrypted store (migration 0003_pki)."""

from __future__ import annotations

import uuid
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import IntegrityError

import sendobserve.storage.records  # noqa: F401  (registers the tables the FKs refer to)
from sendobserve.model.domain import Mediator
from sendobserve.pki import certificates as pki
from sendobserve.storage import vault
from sendobserve.storage.base import Base
from sendobserve.storage.certificates import CERTIFICATE_TABLES
from sendobserve.storage.db import Store, head_revisions
from sendobserve.storage.repositories import MediatorRepository
from sendobserve.storage.repositories.certificates import (
    CertificateRepository,
    IssuedCertificate,
    PkiRepository,
)
from tests.helpers import TEST_PASSPHRASE


def _table_sql(engine: Engine, table: str) -> str:
    with engine.connect() as conn:
        sql = conn.execute(
            text("SELECT sql FROM sqlite_master WHERE name=:n"), {"n": table}
        ).scalar_one()
    return " ".join(str(sql).replace("\n", " ").split())


def test_migration_builds_exactly_what_the_orm_declares(store: Store) -> None:
    assert store.schema_revision() in head_revisions()
    reference = create_engine("sqlite://")
    Base.metadata.create_all(reference)
    for table in CERTIFICATE_TABLES:
        assert _table_sql(store.engine, table) == _table_sql(reference, table), table
    with store.engine.connect() as conn:
        indexes = {r[0] for r in conn.execute(text(
            "SELECT name FROM sqlite_master WHERE type='index' AND tbl_name IN "
            "('certificates', 'certificate_prints') AND sql IS NOT NULL"))}
    assert indexes == {"ix_certificates_mediator_form", "ix_certificate_prints_serial"}


def test_the_root_is_created_once_kept_encrypted_and_survives_reopening(
    store: Store, data_dir: Path
) -> None:
    repo = PkiRepository(store.session)
    assert repo.load_root() is None
    root = pki.ensure_root(repo, "Kestrel Dispute Resolution")
    assert pki.ensure_root(repo, "ignored") == root
    key_marker = root.key_pem.splitlines()[1]
    assert key_marker not in store.path.read_bytes()  # the key rests encrypted
    store.close()
    reopened = vault.open_with_secret(data_dir, TEST_PASSPHRASE).store
    try:
        assert PkiRepository(reopened.session).load_root() == root
    finally:
        reopened.close()


def _mediator(store: Store, name: str) -> Mediator:
    return MediatorRepository(store.session).add(Mediator(id=uuid.uuid4(), name=name))


def test_reprint_keeps_serial_date_and_code_and_every_print_is_logged(store: Store) -> None:
    certs = CertificateRepository(store.session)
    first = _mediator(store, "Siobhán Ó Dálaigh")
    second = _mediator(store, "Łucja Żak")
    codes = iter(["AAAAA-BBBBB", "CCCCC-DDDDD", "EEEEE-FFFFF"])

    def issue(m: Mediator, on: date, form: int = 4) -> tuple[IssuedCertificate, bool]:
        return certs.issue_or_reprint(form_number=form, mediator_id=m.id, signer_id=None,
                                      signer_name="Tomasz Wiśniewski", issued_on=on,
                                      code_for=lambda _serial: next(codes))

    issued, reprint = issue(first, date(2026, 11, 22))
    assert not reprint and issued.serial == "SO4-2026-000001"
    again, reprint = issue(first, date(2027, 1, 5))  # printed again next year
    assert reprint and again == issued
    other, _ = issue(second, date(2026, 11, 23))
    assert other.serial == "SO4-2026-000002"
    form5, _ = issue(second, date(2026, 11, 23), form=5)
    assert form5.serial == "SO5-2026-000001"
    assert [p.kind for p in certs.prints("SO4-2026-000001")] == ["issue", "reprint"]
    assert certs.find(first.id, 4) == issued and certs.find(first.id, 5) is None
    assert certs.get("SO4-2026-000002") == other


def test_a_certificate_for_an_unknown_mediator_is_refused_and_logs_nothing(store: Store) -> None:
    certs = CertificateRepository(store.session)
    with pytest.raises(IntegrityError, match="FOREIGN KEY"):
        certs.issue_or_reprint(form_number=4, mediator_id=uuid.uuid4(), signer_id=None,
                               signer_name="X", issued_on=date(2026, 1, 1),
                               code_for=lambda s: "AAAAA-BBBBB")
    with store.engine.connect() as conn:
        for table in ("certificates", "certificate_prints"):
            assert conn.execute(text(f"SELECT count(*) FROM {table}")).scalar() == 0
