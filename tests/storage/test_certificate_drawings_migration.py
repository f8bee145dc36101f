"""Migration 0005_certificate_drawings: two nullable PNG columns on ``certificates``, added
in batch mode without losing the certificates already issued."""

from __future__ import annotations

import uuid
from pathlib import Path

from alembic import command
from sqlalchemy import create_engine, inspect, text

from sendobserve.storage import engine as store_engine
from sendobserve.storage.base import Base
from sendobserve.storage.db import Store
from tests.storage.test_records_migration import clauses, diffs_from_metadata

ISSUED = {
    "serial": "SO4-2026-000001", "form_number": 4,
    "signer_name": "Tomasz Wiśniewski", "issued_on": "2026-11-22",
    "verification_code": "6QEBJ-CXRKJ", "created_at": "2026-11-22T13:59:00.000000+00:00",
}


def columns(store: Store) -> dict[str, bool]:
    return {c["name"]: c["nullable"] for c in inspect(store.engine).get_columns("certificates")}


def test_upgrade_from_0004_keeps_issued_certificates_without_drawings(store: Store) -> None:
    with store.engine.begin() as conn:
        command.downgrade(store_engine.alembic_config(conn), "0004_exchange")
    assert "signer_drawing" not in columns(store)
    # The mediator row as the 0004 schema has it (later revisions add columns the ORM
    # knows but this schema does not).
    mediator_id = uuid.uuid4()
    issued = {**ISSUED, "mediator_id": mediator_id.hex}
    with store.engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO mediators (id, name, name_folded, professional_body, passported,"
            " created_at, updated_at) VALUES (:id, 'A. Trainee', 'a trainee', 'none', 0,"
            " :at, :at)"), {"id": mediator_id.hex, "at": ISSUED["created_at"]})
        conn.execute(text(
            "INSERT INTO certificates (serial, form_number, mediator_id, signer_name, issued_on,"
            " verification_code, created_at) VALUES (:serial, :form_number, :mediator_id,"
            " :signer_name, :issued_on, :verification_code, :created_at)"), issued)
    with store.engine.begin() as conn:
        command.upgrade(store_engine.alembic_config(conn), "heads")
    cols = columns(store)
    assert cols["signer_drawing"] is True and cols["mediator_drawing"] is True
    with store.engine.connect() as conn:
        row = conn.execute(text(
            "SELECT serial, verification_code, signer_drawing, mediator_drawing "
            "FROM certificates")).one()
    assert tuple(row) == (ISSUED["serial"], ISSUED["verification_code"], None, None)
    assert diffs_from_metadata(store.engine) == []


def test_certificates_table_matches_create_all(store: Store, tmp_path: Path) -> None:
    reference = create_engine(f"sqlite:///{tmp_path / 'reference.db'}")
    diffs_from_metadata(store.engine)  # imports every storage module
    Base.metadata.create_all(reference, tables=[Base.metadata.tables["certificates"]])
    try:
        assert clauses(store.engine, "certificates") == clauses(reference, "certificates")
    finally:
        reference.dispose()
