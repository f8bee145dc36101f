"""Migration 0020_certificate_issuer_serial: the key of a certificate becomes its serial
and its issuer. Upgrading keeps every certificate, print and kept conflict (those issued
here get this installation's fingerprint, those received before get none); going back
keeps every one too, a second certificate with a serial already used getting its issuer's
tag appended; nothing else in the store changes either way."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic import command
from sqlalchemy import Engine, inspect, text

from sendobserve.model.domain import Mediator, ProfessionalBody
from sendobserve.pki.controls import IssuedCertificate
from sendobserve.pki.identity import Identity
from sendobserve.storage import exchange_controls as controls_store
from sendobserve.storage.engine import alembic_config
from sendobserve.storage.repositories import MediatorRepository, in_session
from sendobserve.storage.repositories.certificates import CertificateRepository
from tests.exchange.storekit import IGNORED_COLUMNS, IGNORED_TABLES, TempStore, add_people

TODAY = datetime.now(UTC).date()
CERTIFICATE_TABLES = {"certificates", "certificate_prints", "certificate_conflicts"}


def _dump(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    with engine.connect() as conn:
        out = {}
        for table in sorted(inspect(conn).get_table_names()):
            if table in IGNORED_TABLES:
                continue
            skip = IGNORED_COLUMNS.get(table, set())
            cols = [c["name"] for c in inspect(conn).get_columns(table)
                    if c["name"] not in skip]
            names = ", ".join(f'"{c}"' for c in cols)
            rows = conn.execute(text(f'SELECT {names} FROM "{table}"')).all()
            out[table] = sorted((tuple(r) for r in rows), key=repr)
        return out


def _rows(engine: Engine, table: str) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(text(f"SELECT * FROM {table}"))]


def _received(mediator: uuid.UUID, serial: str, code: str, issuer: str) -> IssuedCertificate:
    return IssuedCertificate(serial, 4, mediator, None, "Signer Elsewhere", TODAY, code,
                             datetime.now(UTC), "rules-2024", issuer=issuer)


def _filled(tmp_path: Path) -> tuple[TempStore, str, str, str]:
    """A store with a Form 4 issued here (printed twice), another installation's Form 4
    with the same serial for another trainee, and a third kept in conflict."""
    ts = TempStore.create(tmp_path / "store")
    trainee, ppc = add_people(ts)
    other = Mediator(id=uuid.uuid4(), name="Rhys ap Dafydd",
                     professional_body=ProfessionalBody.COM)
    elsewhere, third = Identity.generate().fingerprint, Identity.generate().fingerprint
    with ts.session() as s:
        MediatorRepository(s).add(other)
        certs = CertificateRepository(in_session(s))
        for _ in range(2):
            mine, _reprint = certs.issue_or_reprint(
                form_number=4, mediator_id=trainee.id, signer_id=ppc.id,
                signer_name=ppc.name, issued_on=TODAY, code_for=lambda _s: "K7QF2XA9")
        assert controls_store.store_certificate(
            s, _received(other.id, mine.serial, "ELSEWHERE1", elsewhere)) == "added"
        assert controls_store.store_certificate(
            s, _received(trainee.id, mine.serial, "THIRD0001", third)) == "conflict"
    return ts, mine.serial, elsewhere, third


def _tag(fingerprint: str) -> str:
    return fingerprint.replace(" ", "")[:16]


def test_going_back_and_forward_keeps_every_certificate_and_every_other_record(
        tmp_path: Path) -> None:
    ts, serial, elsewhere, _third = _filled(tmp_path)
    own = ts.identity().fingerprint
    before = ts.dump()
    assert {(r[0], r[1]) for r in before["certificates"]} == {(serial, own),
                                                             (serial, elsewhere)}
    with ts.open() as store:
        with store.engine.begin() as conn:
            command.downgrade(alembic_config(conn), "0016_privacy_reach")
        back = _dump(store.engine)
        certificates = {r["serial"]: r for r in _rows(store.engine, "certificates")}
        prints = _rows(store.engine, "certificate_prints")
        conflicts = _rows(store.engine, "certificate_conflicts")
    assert "issuer" not in next(iter(certificates.values()))
    # The one issued here keeps its serial; the other's carries its issuer's tag.
    assert set(certificates) == {serial, f"{serial}-{_tag(elsewhere)}"}
    assert certificates[serial]["verification_code"] == "K7QF2XA9"
    assert certificates[f"{serial}-{_tag(elsewhere)}"]["verification_code"] == "ELSEWHERE1"
    assert [(p["serial"], p["kind"]) for p in sorted(prints, key=lambda p: p["printed_at"])] \
        == [(serial, "issue"), (serial, "reprint")]
    assert [(c["serial"], c["verification_code"]) for c in conflicts] == [
        (serial, "THIRD0001")]  # alone in its table: it keeps its serial
    for table in set(before) - CERTIFICATE_TABLES:
        assert back[table] == before[table], table

    after = ts.dump()  # opening the store upgrades it again
    for table in set(before) - CERTIFICATE_TABLES:
        assert after[table] == before[table], table
    mine = [r for r in before["certificates"] if r[1] == own]
    assert [r for r in after["certificates"] if r[1] == own] == mine
    (theirs,) = [r for r in before["certificates"] if r[1] == elsewhere]
    (kept,) = [r for r in after["certificates"] if r[1] != own]
    # Its issuer did not survive the older schema: not known now, the rest as it was.
    assert kept[:2] == (f"{serial}-{_tag(elsewhere)}", "") and kept[2:] == theirs[2:]
    assert after["certificate_prints"] == before["certificate_prints"]
    (conflict,) = after["certificate_conflicts"]
    (conflict_before,) = before["certificate_conflicts"]
    assert conflict[:2] == (serial, "") and conflict[2:] == conflict_before[2:]
    with ts.session() as s:  # the panel-verdict triggers are there again
        names = set(s.scalars(text(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' "
            "AND tbl_name = 'certificates'")))
    assert names == {f"trg_panel_stale_certificates_{e}" for e in ("insert", "update",
                                                                    "delete")}


def test_certificates_issued_before_the_upgrade_get_this_installations_fingerprint(
        tmp_path: Path) -> None:
    """Also in a store that never needed its signing identity: it is made then."""
    ts, serial, _elsewhere, _third = _filled(tmp_path)
    with ts.open() as store, store.engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0016_privacy_reach")
        conn.execute(text("DELETE FROM installation_identity"))
    own = ts.identity().fingerprint  # opens (upgrades) the store, which made it
    with ts.session() as s:
        held = CertificateRepository(in_session(s)).with_serial(serial)
        assert [(c.issuer, c.verification_code) for c in held] == [(own, "K7QF2XA9")]
