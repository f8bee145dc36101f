"""Where each record came from, for subject access: the imported file that brought or last
changed it (its signer and when it was imported) and, for a finalised observation, the
installation that signed it when finalising (``observation_provenance``)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sendobserve.model.sources import SOURCE_KEY
from sendobserve.pki.identity import fingerprint
from sendobserve.storage.exchange import ExchangeImportRecord, ObservationProvenanceRecord
from sendobserve.storage.privacy_log import RecordSourceRecord

# Rows whose source is their observation's.
_OF_OBSERVATION = ("marks", "mark_events", "debrief_notes", "amendments",
                   "observation_conflicts", "observation_provenance")
TRACKED = ("mediators", "cases", "observations", "training", "reflections", "cpd",
           "contacts", "discretions")


def note_sources(session: Session, items: Iterable[tuple[str, uuid.UUID, uuid.UUID]], *,
                 payload_sha256: str, signer_fingerprint: str, at: datetime) -> None:
    """Record that the file ``payload_sha256`` brought each (table, record id, mediator id)."""
    for table, record_id, mediator_id in items:
        key = (table, record_id, payload_sha256)
        if session.get(RecordSourceRecord, key) is None:
            session.add(RecordSourceRecord(
                table_name=table, record_id=record_id, payload_sha256=payload_sha256,
                mediator_id=mediator_id, signer_fingerprint=signer_fingerprint,
                imported_at=at))
    session.flush()


def _hex(value: Any) -> str | None:
    if isinstance(value, str) and len(value) == 32:
        return value
    return None


def sources_of(session: Session, held: Mapping[str, Sequence[Mapping[str, Any]]]
               ) -> dict[tuple[str, str], dict[str, Any]]:
    """(table, row id hex) -> its source, for the rows subject access found: ``signed_by``
    (the installation that finalised an observation, when known) and ``imported`` (each
    file that brought or changed it: from which installation, exported by whom, when)."""
    exporters = {r.payload_sha256: (r.exported_by, r.exported_at)
                 for r in session.scalars(select(ExchangeImportRecord))}
    imports: dict[tuple[str, str], list[dict[str, Any]]] = {}
    ids = {uuid.UUID(hex=h) for table in TRACKED for row in held.get(table, ())
           if (h := _hex(row.get("id"))) is not None}
    for chunk in _chunks(sorted(ids)):
        for r in session.scalars(select(RecordSourceRecord).where(
                RecordSourceRecord.record_id.in_(chunk)).order_by(
                RecordSourceRecord.imported_at)):
            by, exported_at = exporters.get(r.payload_sha256, (None, None))
            imports.setdefault((r.table_name, r.record_id.hex), []).append({
                "from_installation": r.signer_fingerprint, "exported_by": by,
                "exported_at": exported_at.isoformat() if exported_at else None,
                "imported_at": r.imported_at.isoformat()})
    observation_ids = [uuid.UUID(hex=h) for row in held.get("observations", ())
                       if (h := _hex(row.get("id"))) is not None]
    authors: dict[str, str] = {}
    for chunk in _chunks(observation_ids):
        for p in session.scalars(select(ObservationProvenanceRecord).where(
                ObservationProvenanceRecord.observation_id.in_(chunk))):
            authors[p.observation_id.hex] = fingerprint(bytes(p.public_key))
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for table in TRACKED:
        for row in held.get(table, ()):
            h = _hex(row.get("id"))
            if h is not None:
                out[(table, h)] = {"signed_by": authors.get(h) if table == "observations"
                                   else None, "imported": imports.get((table, h), [])}
    return out


def source_of_row(table: str, row: Mapping[str, Any],
                  sources: Mapping[tuple[str, str], dict[str, Any]],
                  amendment_owner: Mapping[str, str]) -> dict[str, Any] | None:
    """The source a row answers to: its own, or its observation's (a mark, a note…)."""
    h = _hex(row.get("id"))
    if table in TRACKED and h is not None:
        return sources.get((table, h))
    owner = _hex(row.get("observation_id"))
    if owner is None and table == "amendment_changes":
        owner = amendment_owner.get(_hex(row.get("amendment_id")) or "")
    if owner is not None:
        return sources.get(("observations", owner))
    return None


def _chunks(values: list[uuid.UUID], size: int = 500) -> list[list[uuid.UUID]]:
    return [values[i:i + size] for i in range(0, len(values), size)]


def with_sources(session: Session, held: Mapping[str, Sequence[Mapping[str, Any]]]
                 ) -> dict[str, list[dict[str, Any]]]:
    """``held`` with each row's source under ``SOURCE_KEY`` (None: nothing to say)."""
    sources = sources_of(session, held)
    owners = {h: o for row in held.get("amendments", ())
              if (h := _hex(row.get("id"))) and (o := _hex(row.get("observation_id")))}
    return {table: [{**row, SOURCE_KEY: source_of_row(table, row, sources, owners)}
                    for row in rows]
            for table, rows in held.items()}
