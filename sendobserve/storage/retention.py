"""Applying the retention schedule to the store: the plan from ``model.retention``, carried
out in one transaction with freed content overwritten, and logged without the content.

The rolling backups are not rewritten by retention: they are at most seven days old and
roll over on their own, so a record retention removed is gone from every copy within a week.
(Erasure, which cannot wait, rewrites them: ``storage.erasure``.)
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from sendobserve.errors import UserError
from sendobserve.model.retention import (
    Kind,
    RetentionPlan,
    Rule,
    plan_retention,
    schedule_from_json,
    schedule_to_json,
)
from sendobserve.model.validation import ValidationError
from sendobserve.storage.db import Store
from sendobserve.storage.exchange import ExchangeImportRecord
from sendobserve.storage.meta import get_meta, set_meta
from sendobserve.storage.privacy_log import PanelLeavingRecord, PrivacyLogRecord
from sendobserve.storage.records import (
    LOG_ROWS,
    AmendmentChangeRecord,
    AmendmentRecord,
    CaseRecord,
    DebriefNoteRecord,
    MarkEventRecord,
    MarkRecord,
    MediatorRecord,
    ObservationRecord,
)
from sendobserve.storage.repositories.loading import load_practice_records

META_SCHEDULE = "retention_schedule"

def load_schedule(session: Session) -> dict[Kind, Rule]:
    return schedule_from_json(get_meta(session, META_SCHEDULE))


def save_schedule(store: Store, schedule: dict[Kind, Rule]) -> None:
    with store.session() as session:
        set_meta(session, META_SCHEDULE, schedule_to_json(schedule))


def left_panel_dates(session: Session) -> dict[uuid.UUID, date]:
    """Mediator id -> the day they left the panel (the ``left_panel`` retention event)."""
    return {r.mediator_id: r.left_on for r in session.scalars(select(PanelLeavingRecord))}


def left_panel_on(session: Session, mediator_id: uuid.UUID) -> date | None:
    row = session.get(PanelLeavingRecord, mediator_id)
    return None if row is None else row.left_on


def set_left_panel(session: Session, mediator_id: uuid.UUID, day: date | None, *,
                   today: date | None = None) -> None:
    """Record (or, with ``None``, clear) the day a mediator left the panel, in the caller's
    transaction. A day after ``today`` is refused: leaving is recorded once it happened."""
    today = today or date.today()
    if session.get(MediatorRecord, mediator_id) is None:
        raise UserError(f"there is no mediator with the id {mediator_id} in this store")
    if day is not None and day > today:
        raise ValidationError(f"The leaving date ({day.isoformat()}) is after today; record "
                              "it once the mediator has left", field="left_on")
    row = session.get(PanelLeavingRecord, mediator_id)
    if day is None:
        if row is not None:
            session.delete(row)
    elif row is None:
        session.add(PanelLeavingRecord(mediator_id=mediator_id, left_on=day,
                                       recorded_at=datetime.now(UTC)))
    else:
        row.left_on, row.recorded_at = day, datetime.now(UTC)
    session.flush()


def plan_for_store(store: Store, *, today: date) -> RetentionPlan:
    with store.session() as session:
        schedule = load_schedule(session)
        records = load_practice_records(session).values()
        imports = [(row.payload_sha256, row.imported_at.date())
                   for row in session.scalars(select(ExchangeImportRecord))]
        return plan_retention(records, schedule, today=today, import_log=imports,
                              left_panel=left_panel_dates(session))


def apply_retention(store: Store, plan: RetentionPlan) -> dict[str, int]:
    """Carry out ``plan`` in one transaction; the number of records removed or cleared per
    kind (also written to the privacy log, without any content)."""
    by_kind: dict[Kind, list[Any]] = {}
    for item in plan.items:
        by_kind.setdefault(item.kind, []).append(item)
    done = {kind.value: len(items) for kind, items in by_kind.items()}
    # One connection for the whole unit of work, so secure_delete covers every page it frees.
    with store.engine.connect() as conn:
        raw = conn.connection.driver_connection  # pragmas outside any transaction
        assert raw is not None
        raw.execute("PRAGMA secure_delete = ON").fetchall()
        try:
            with Session(bind=conn, expire_on_commit=False) as s:
                evidence = _evidence_going(s, by_kind)
                if evidence:
                    done["evidence_files"] = evidence
                _carry_out(s, by_kind)
                s.add(PrivacyLogRecord(
                    at=datetime.now(UTC).isoformat(timespec="seconds"), action="retention",
                    subject_id=None,
                    summary=json.dumps({"as_of": plan.today.isoformat(), "removed": done}),
                ))
                s.commit()
            raw.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
        finally:
            raw.execute("PRAGMA secure_delete = OFF").fetchall()
    return done


def _carry_out(s: Session, by_kind: dict[Kind, list[Any]]) -> None:
    obs_ids = [i.item_id for i in by_kind.get(Kind.OBSERVATIONS, [])]
    noted = [i.item_id for i in by_kind.get(Kind.NOTES, [])]
    for chunk in _chunks(noted):
        s.execute(update(MarkRecord).where(MarkRecord.observation_id.in_(chunk)).values(note=""))
        s.execute(update(MarkEventRecord).where(MarkEventRecord.observation_id.in_(chunk))
                  .values(old_note="", new_note=""))
        s.execute(update(DebriefNoteRecord).where(DebriefNoteRecord.observation_id.in_(chunk))
                  .values(text=""))
        amendments = select(AmendmentRecord.id).where(AmendmentRecord.observation_id.in_(chunk))
        s.execute(update(AmendmentChangeRecord)
                  .where(AmendmentChangeRecord.amendment_id.in_(amendments))
                  .values(old_note="", new_note=""))
    for chunk in _chunks(obs_ids):
        s.execute(delete(ObservationRecord).where(ObservationRecord.id.in_(chunk)))
    for chunk in _chunks([i.item_id for i in by_kind.get(Kind.CASES, [])]):
        s.execute(delete(CaseRecord).where(CaseRecord.id.in_(chunk)))
    for item in by_kind.get(Kind.PRACTICE_LOGS, []):
        table: Any = LOG_ROWS[item.table]
        s.execute(delete(table).where(table.id == item.item_id))
    for chunk in _chunks([i.item_id for i in by_kind.get(Kind.IMPORT_LOG, [])]):
        s.execute(delete(ExchangeImportRecord).where(ExchangeImportRecord.payload_sha256.in_(chunk)))


def _evidence_going(s: Session, by_kind: dict[Kind, list[Any]]) -> int:
    """How many evidence files go with the entries the plan removes (``EVIDENCE_FOLLOWS``:
    the store's foreign keys take them with their entry)."""
    from sendobserve.model.evidence import EntryKind
    from sendobserve.storage.evidence import count_for_entries

    logs = by_kind.get(Kind.PRACTICE_LOGS, [])
    return (count_for_entries(s, EntryKind.TRAINING,
                              [i.item_id for i in logs if i.table == "training"])
            + count_for_entries(s, EntryKind.CPD, [i.item_id for i in logs if i.table == "cpd"])
            + count_for_entries(s, EntryKind.CASE,
                                [i.item_id for i in by_kind.get(Kind.CASES, [])]))


def _chunks(values: list[Any], size: int = 500) -> list[list[Any]]:
    return [values[i:i + size] for i in range(0, len(values), size)]
