"""Observations: ticking in the room, durable undo/redo, de-brief notes, finalising,
amendments, and the history of every change.

Undo and redo are computed from the append-only ``mark_events`` table, not kept in
memory, so they survive a crash or a restart: replaying an observation's events in
order, a tick pushes onto the undo stack and empties the redo stack, an undo moves the
top of the undo stack to the redo stack, a redo moves it back, and an amendment empties
both (a finalised observation is only corrected by amendments).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Engine, delete, func, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Session, selectinload

from sendobserve.errors import UserError
from sendobserve.forms.loader import load_form_text
from sendobserve.model.domain import (
    Amendment,
    DebriefNote,
    Mark,
    MarkState,
    Observation,
    ObservationState,
    Signature,
    new_id,
    utcnow,
)
from sendobserve.model.validation import (
    ValidationError,
    validate_not_future,
    validate_required_text,
    validate_signature,
)
from sendobserve.storage.fsutil import raise_if_store_full
from sendobserve.storage.records import (
    AmendmentChangeRecord,
    AmendmentRecord,
    CaseRecord,
    DebriefNoteRecord,
    FormVersionRecord,
    MarkEventKind,
    MarkEventRecord,
    MarkRecord,
    ObservationRecord,
    ObserverRecord,
)
from sendobserve.storage.repositories import _convert
from sendobserve.storage.repositories._common import (
    ObservationLocked,
    RecordNotFound,
    SessionFactory,
    Sessions,
    as_factory,
)
from sendobserve.storage.repositories._convert import to_row


@dataclass(frozen=True, slots=True)
class MarkEdit:
    """One correction asked for in an amendment: this item should now read so."""

    criterion_id: str
    state: MarkState
    note: str = ""


@dataclass(frozen=True, slots=True)
class MarkEvent:
    """One change of one mark, as the history shows it: who, when, old → new, and why."""

    seq: int  # increases with time within a store
    observation_id: uuid.UUID
    criterion_id: str
    kind: MarkEventKind
    old_state: MarkState
    new_state: MarkState
    old_note: str
    new_note: str
    at: datetime
    by: str
    amendment_id: uuid.UUID | None = None


class ObservationRepository:
    def __init__(self, sessions: Sessions):
        self._sessions = as_factory(sessions)

    # ---- starting and reading -------------------------------------------------------

    def start(
        self,
        case_id: uuid.UUID,
        observer_id: uuid.UUID,
        form_id: str,
        form_version: str,
        *,
        observed_on: date | None = None,
        ordinal: int | None = None,
        observation_id: uuid.UUID | None = None,
        today: date | None = None,
    ) -> Observation:
        """A new DRAFT observation of ``case_id`` on the stored form version.

        ``observed_on`` defaults to the case's date, ``ordinal`` to ``suggest_ordinal``.
        The form version must already be stored (``FormVersionRepository.store``).
        """
        with self._sessions() as s:
            case = s.get(CaseRecord, case_id)
            if case is None:
                raise RecordNotFound("case", case_id)
            if s.get(ObserverRecord, observer_id) is None:
                raise RecordNotFound("observer", observer_id)
            if s.get(FormVersionRecord, (form_id, form_version)) is None:
                raise UserError(
                    f"Form {form_id} version {form_version} is not stored in this store",
                    hint="Store the form's definition before starting an observation on it.",
                )
            when = observed_on or case.case_date
            validate_not_future(when, label="The observation date", field="observed_on",
                                today=today)
            if ordinal is None:
                ordinal = _suggest_ordinal(s, case, form_id)
            elif ordinal < 1:
                raise ValidationError(
                    f"The ordinal must be 1 or more; got {ordinal}", field="ordinal"
                )
            now = utcnow()
            row = to_row(ObservationRecord, Observation(
                id=observation_id or new_id(),
                case_id=case.id,
                mediator_id=case.mediator_id,
                observer_id=observer_id,
                form_id=form_id,
                form_version=form_version,
                ordinal=ordinal,
                observed_on=when,
                created_at=now,
                updated_at=now,
            ))
            s.add(row)
            s.flush()
            return _convert.observation(row)

    def suggest_ordinal(self, case_id: uuid.UUID, form_id: str) -> int:
        """The ordinal a new observation of this case on this form should get.

        The same case already observed on this form (say by a second observer) keeps its
        number; otherwise one more than the highest this mediator has on this form.
        """
        with self._sessions() as s:
            case = s.get(CaseRecord, case_id)
            if case is None:
                raise RecordNotFound("case", case_id)
            return _suggest_ordinal(s, case, form_id)

    def get(self, observation_id: uuid.UUID) -> Observation:
        with self._sessions() as s:
            return _convert.observation(_get_row(s, observation_id))

    def list_for_mediator(self, mediator_id: uuid.UUID) -> tuple[Observation, ...]:
        """In the order they happened: date, then form, then ordinal."""
        with self._sessions() as s:
            rows = s.scalars(
                select(ObservationRecord)
                .where(ObservationRecord.mediator_id == mediator_id)
                .order_by(*OBSERVATION_ORDER)
            )
            return tuple(_convert.observation(r) for r in rows)

    def list_for_case(self, case_id: uuid.UUID) -> tuple[Observation, ...]:
        with self._sessions() as s:
            rows = s.scalars(
                select(ObservationRecord)
                .where(ObservationRecord.case_id == case_id)
                .order_by(*OBSERVATION_ORDER)
            )
            return tuple(_convert.observation(r) for r in rows)

    def marks(self, observation_id: uuid.UUID) -> tuple[Mark, ...]:
        """Every item with a mark; an item not listed is not yet seen and has no note."""
        with self._sessions() as s:
            _get_row(s, observation_id)
            rows = s.scalars(
                select(MarkRecord)
                .where(MarkRecord.observation_id == observation_id)
                .order_by(MarkRecord.criterion_id)
            )
            return tuple(_convert.mark(r) for r in rows)

    def discard_draft(self, observation_id: uuid.UUID) -> DraftCopy:
        """Delete a draft and everything in it; a finalised observation is never deleted
        (it is amended). Returns an exact copy of what was deleted, for ``restore_draft``
        (undo), in the same transaction as the delete."""
        with self._sessions() as s:
            row = _get_row(s, observation_id)
            _require_draft(row)
            copy = DraftCopy(observation_id, tuple(
                (kind, _columns(r))
                for kind, rows in (
                    (ObservationRecord, [row]),
                    (MarkRecord, s.scalars(select(MarkRecord).where(
                        MarkRecord.observation_id == observation_id))),
                    (MarkEventRecord, s.scalars(select(MarkEventRecord).where(
                        MarkEventRecord.observation_id == observation_id
                    ).order_by(MarkEventRecord.id))),
                    (DebriefNoteRecord, s.scalars(select(DebriefNoteRecord).where(
                        DebriefNoteRecord.observation_id == observation_id))),
                )
                for r in rows
            ))
            s.execute(delete(ObservationRecord).where(ObservationRecord.id == observation_id))
        return copy

    def restore_draft(self, copy: DraftCopy) -> Observation:
        """Put a discarded draft back exactly as it was (ids, marks, undo history, notes)."""
        with self._sessions() as s:
            if s.get(ObservationRecord, copy.observation_id) is not None:
                raise UserError("That draft is already back.")
            for kind, values in copy.rows:
                s.add(kind(**values))
                s.flush()  # in order: a mark event may point at an earlier one
            return _convert.observation(_get_row(s, copy.observation_id))

    # ---- ticking, undo, redo ----------------------------------------------------------

    def set_mark(
        self,
        observation_id: uuid.UUID,
        criterion_id: str,
        state: MarkState,
        note: str | None = None,
        *,
        by: str,
    ) -> Mark:
        """Set one item's mark and return it as committed. ``note=None`` keeps the note.

        Setting what is already there records nothing (no empty undo step). Refused with
        ``ObservationLocked`` once the observation is finalised.

        This is the tick, the one write made while the observer watches the room, so it is
        one transaction of plain SQL (statements SQLite keeps prepared): check the draft,
        read the old mark, write the mark, append the undo event, bump ``updated_at``;
        committed before this returns, or not at all. Behind a store's own ``session``
        it takes a pooled connection of the store's engine directly (a Session's set-up
        and commit cost more than the SQL); inside a caller's session (``in_session``) it
        runs on that session's connection, in the caller's transaction. Same rows and
        values as the ORM writes elsewhere in this file.
        """
        if not criterion_id.strip():
            raise ValidationError("The item to mark must be named", field="criterion_id")
        engine = _engine_behind(self._sessions)
        if engine is None:
            with self._sessions() as s:
                return _tick(_tick_connection(s), observation_id, criterion_id, state, note,
                             by)
        pooled = engine.raw_connection()
        try:
            db: Any = pooled.driver_connection
            db.execute("BEGIN")
            try:
                mark = _tick(db, observation_id, criterion_id, state, note, by)
                db.execute("COMMIT")
            except BaseException as exc:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise_if_store_full(exc, getattr(getattr(self._sessions, "__self__", None),
                                                 "data_dir", None))
                raise
            return mark
        finally:
            pooled.close()  # back to the pool

    def set_note(
        self, observation_id: uuid.UUID, criterion_id: str, note: str, *, by: str
    ) -> Mark:
        """Change only the note, keeping the state (not yet seen if never marked)."""
        with self._sessions() as s:
            current = _current_mark(s, observation_id, criterion_id)
            state, _ = _state_of(current)
        return self.set_mark(observation_id, criterion_id, state, note, by=by)

    def undo(self, observation_id: uuid.UUID, *, by: str) -> Mark | None:
        """Reverse the latest tick not yet undone; None when there is nothing to undo."""
        return self._step(observation_id, by=by, redo=False)

    def redo(self, observation_id: uuid.UUID, *, by: str) -> Mark | None:
        """Re-apply the latest undone tick; None when there is nothing to redo."""
        return self._step(observation_id, by=by, redo=True)

    def can_undo(self, observation_id: uuid.UUID) -> bool:
        with self._sessions() as s:
            obs = _get_row(s, observation_id)
            undo, _ = _stacks(s, observation_id)
            return obs.state == ObservationState.DRAFT.value and bool(undo)

    def can_redo(self, observation_id: uuid.UUID) -> bool:
        with self._sessions() as s:
            obs = _get_row(s, observation_id)
            _, redo = _stacks(s, observation_id)
            return obs.state == ObservationState.DRAFT.value and bool(redo)

    def _step(self, observation_id: uuid.UUID, *, by: str, redo: bool) -> Mark | None:
        with self._sessions() as s:
            obs = _get_row(s, observation_id)
            _require_draft(obs)
            undo_stack, redo_stack = _stacks(s, observation_id)
            stack = redo_stack if redo else undo_stack
            if not stack:
                return None
            target = s.get(MarkEventRecord, stack[-1])
            assert target is not None  # the replay just read its id
            if redo:
                to_state, to_note = MarkState(target.new_state), target.new_note
            else:
                to_state, to_note = MarkState(target.old_state), target.old_note
            current = _current_mark(s, observation_id, target.criterion_id)
            from_state, from_note = _state_of(current)
            now = utcnow()
            current = _write_mark(
                s, obs, current, target.criterion_id, to_state, to_note, now, by
            )
            s.add(
                MarkEventRecord(
                    observation_id=observation_id,
                    criterion_id=target.criterion_id,
                    kind=(MarkEventKind.REDO if redo else MarkEventKind.UNDO).value,
                    old_state=from_state.value,
                    new_state=to_state.value,
                    old_note=from_note,
                    new_note=to_note,
                    at=now,
                    by=by,
                    target_event_id=target.id,
                )
            )
            s.flush()
            return _mark_or_unseen(observation_id, target.criterion_id, current)

    # ---- de-brief notes -----------------------------------------------------------

    def set_debrief_note(
        self, observation_id: uuid.UUID, criterion_id: str, text: str
    ) -> DebriefNote:
        """Save the whole text of one de-brief topic's note (called as the observer types)."""
        with self._sessions() as s:
            obs = _get_row(s, observation_id)
            _require_draft(obs)
            now = utcnow()
            row = s.get(DebriefNoteRecord, (observation_id, criterion_id))
            if row is None:
                row = DebriefNoteRecord(
                    observation_id=observation_id, criterion_id=criterion_id, text=text,
                    updated_at=now,
                )
                s.add(row)
            elif row.text != text:
                row.text = text
                row.updated_at = now
            obs.updated_at = now
            s.flush()
            return _convert.debrief_note(row)

    def debrief_notes(self, observation_id: uuid.UUID) -> tuple[DebriefNote, ...]:
        with self._sessions() as s:
            _get_row(s, observation_id)
            rows = s.scalars(
                select(DebriefNoteRecord)
                .where(DebriefNoteRecord.observation_id == observation_id)
                .order_by(DebriefNoteRecord.criterion_id)
            )
            return tuple(_convert.debrief_note(r) for r in rows)

    # ---- finalising and amending ------------------------------------------------------

    def finalise(
        self, observation_id: uuid.UUID, signature: Signature, *, today: date | None = None
    ) -> Observation:
        """Sign a draft; from now on it is read-only and corrected only by amendments."""
        validate_signature(signature, today=today)
        with self._sessions() as s:
            row = _get_row(s, observation_id)
            _require_draft(row)
            if signature.signed_on < row.observed_on:
                raise ValidationError(
                    f"The signature date ({signature.signed_on.isoformat()}) is before the "
                    f"observation date ({row.observed_on.isoformat()})",
                    field="signed_on",
                )
            now = utcnow()
            row.state = ObservationState.FINALISED.value
            row.signature_name = signature.name.strip()
            row.signature_role = signature.role.value
            row.signature_signed_on = signature.signed_on
            row.signature_png = signature.drawing_png
            row.finalised_at = now
            row.updated_at = now
            s.flush()
            # The author's signature on what was finalised, so it travels with every copy.
            from sendobserve.storage.exchange import sign_finalised

            sign_finalised(s, row.id)
            return _convert.observation(row)

    def amend(
        self,
        observation_id: uuid.UUID,
        changes: Iterable[MarkEdit],
        reason: str,
        *,
        by: str,
    ) -> Amendment:
        """Correct a finalised observation. The marks change; what they were is kept in the
        amendment and in the history, and the observation's state becomes AMENDED."""
        reason = validate_required_text(reason, label="The reason for the amendment",
                                        field="reason")
        by = validate_required_text(by, label="Who is amending", field="amended_by")
        edits = list(changes)
        seen: set[str] = set()
        for edit in edits:
            if edit.criterion_id in seen:
                raise ValidationError(
                    f"The amendment changes {edit.criterion_id} twice", field="changes"
                )
            seen.add(edit.criterion_id)
        with self._sessions() as s:
            obs = _get_row(s, observation_id)
            if obs.state == ObservationState.DRAFT.value:
                raise UserError(
                    "A draft is edited directly; only a finalised observation is amended"
                )
            now = utcnow()
            amendment = to_row(AmendmentRecord, Amendment(
                id=new_id(), observation_id=observation_id, reason=reason, amended_by=by,
                amended_at=now, changes=()))
            change_rows: list[AmendmentChangeRecord] = []
            pending: list[tuple[MarkRecord | None, MarkEdit, MarkState, str]] = []
            for edit in edits:
                current = _current_mark(s, observation_id, edit.criterion_id)
                old_state, old_note = _state_of(current)
                if (old_state, old_note) == (edit.state, edit.note):
                    continue
                pending.append((current, edit, old_state, old_note))
            if not pending:
                raise ValidationError("The amendment changes nothing", field="changes")
            s.add(amendment)
            s.flush()
            for position, (current, edit, old_state, old_note) in enumerate(pending):
                _write_mark(s, obs, current, edit.criterion_id, edit.state, edit.note, now, by)
                change_rows.append(
                    AmendmentChangeRecord(
                        amendment_id=amendment.id, position=position,
                        criterion_id=edit.criterion_id, old_state=old_state.value,
                        new_state=edit.state.value, old_note=old_note, new_note=edit.note,
                    )
                )
                s.add(
                    MarkEventRecord(
                        observation_id=observation_id, criterion_id=edit.criterion_id,
                        kind=MarkEventKind.AMENDMENT.value, old_state=old_state.value,
                        new_state=edit.state.value, old_note=old_note, new_note=edit.note,
                        at=now, by=by, amendment_id=amendment.id,
                    )
                )
            s.add_all(change_rows)
            obs.state = ObservationState.AMENDED.value
            obs.updated_at = now
            s.flush()
            return _convert.amendment(amendment, change_rows)

    def amendments(self, observation_id: uuid.UUID) -> tuple[Amendment, ...]:
        """Oldest first."""
        with self._sessions() as s:
            _get_row(s, observation_id)
            rows = s.scalars(
                select(AmendmentRecord)
                .where(AmendmentRecord.observation_id == observation_id)
                .options(selectinload(AmendmentRecord.changes))
                .order_by(AmendmentRecord.amended_at, AmendmentRecord.id)
            )
            return tuple(_convert.amendment(r, list(r.changes)) for r in rows)

    def history(self, observation_id: uuid.UUID) -> tuple[MarkEvent, ...]:
        """Every change of every mark, oldest first: ticks, undos, redos and amendments."""
        with self._sessions() as s:
            _get_row(s, observation_id)
            rows = s.scalars(
                select(MarkEventRecord)
                .where(MarkEventRecord.observation_id == observation_id)
                .order_by(MarkEventRecord.id)
            )
            return tuple(_event(r) for r in rows)


# The order observations happened in, wherever they are listed (the loaders' too).
OBSERVATION_ORDER = (
    ObservationRecord.observed_on,
    ObservationRecord.form_id,
    ObservationRecord.ordinal,
    ObservationRecord.created_at,
    ObservationRecord.id,
)


@dataclass(frozen=True)
class DraftCopy:
    """What ``discard_draft`` deleted, row by row, so that undo can put it back."""

    observation_id: uuid.UUID
    rows: tuple[tuple[type[Any], dict[str, Any]], ...]


def _columns(row: Any) -> dict[str, Any]:
    return {c.key: getattr(row, c.key) for c in sa_inspect(type(row)).column_attrs}


def _get_row(s: Session, observation_id: uuid.UUID) -> ObservationRecord:
    row = s.get(ObservationRecord, observation_id)
    if row is None:
        raise RecordNotFound("observation", observation_id)
    return row


def _require_draft(row: ObservationRecord) -> None:
    if row.state != ObservationState.DRAFT.value:
        raise ObservationLocked(row.id, row.state)


def _suggest_ordinal(s: Session, case: CaseRecord, form_id: str) -> int:
    same_case = s.scalar(
        select(func.min(ObservationRecord.ordinal)).where(
            ObservationRecord.case_id == case.id, ObservationRecord.form_id == form_id
        )
    )
    if same_case is not None:
        return same_case
    highest = s.scalar(
        select(func.max(ObservationRecord.ordinal)).where(
            ObservationRecord.mediator_id == case.mediator_id,
            ObservationRecord.form_id == form_id,
        )
    )
    return (highest or 0) + 1


def _current_mark(s: Session, observation_id: uuid.UUID, criterion_id: str) -> MarkRecord | None:
    return s.scalar(
        select(MarkRecord).where(
            MarkRecord.observation_id == observation_id, MarkRecord.criterion_id == criterion_id
        )
    )


def _state_of(row: MarkRecord | None) -> tuple[MarkState, str]:
    return (MarkState.NOT_YET_SEEN, "") if row is None else (MarkState(row.state), row.note)


def _write_mark(
    s: Session,
    obs: ObservationRecord,
    current: MarkRecord | None,
    criterion_id: str,
    state: MarkState,
    note: str,
    at: datetime,
    by: str,
) -> MarkRecord | None:
    """Make the stored mark read (state, note); "not yet seen" with no note is no row."""
    obs.updated_at = at
    if state == MarkState.NOT_YET_SEEN and note == "":
        if current is not None:
            s.delete(current)
        return None
    if current is None:
        current = MarkRecord(
            observation_id=obs.id, criterion_id=criterion_id, state=state.value, note=note,
            marked_at=at, marked_by=by,
        )
        s.add(current)
    else:
        current.state = state.value
        current.note = note
        current.marked_at = at
        current.marked_by = by
    return current


def _mark_or_unseen(
    observation_id: uuid.UUID, criterion_id: str, row: MarkRecord | None
) -> Mark:
    if row is None:
        return Mark(observation_id=observation_id, criterion_id=criterion_id,
                    state=MarkState.NOT_YET_SEEN)
    return _convert.mark(row)


def _stacks(s: Session, observation_id: uuid.UUID) -> tuple[list[int], list[int]]:
    """Replay the history into (undo stack, redo stack) of tick event ids.

    Reads three narrow columns, not whole rows: an observation ticked for an hour has
    hundreds of events and undo must stay instant.
    """
    undo: list[int] = []
    redo: list[int] = []
    rows = s.execute(
        select(MarkEventRecord.id, MarkEventRecord.kind, MarkEventRecord.target_event_id)
        .where(MarkEventRecord.observation_id == observation_id)
        .order_by(MarkEventRecord.id)
    )
    for event_id, kind, target in rows:
        if kind == MarkEventKind.TICK.value:
            undo.append(event_id)
            redo.clear()
        elif kind == MarkEventKind.UNDO.value and undo and undo[-1] == target:
            redo.append(undo.pop())
        elif kind == MarkEventKind.REDO.value and redo and redo[-1] == target:
            undo.append(redo.pop())
        elif kind == MarkEventKind.AMENDMENT.value:
            undo.clear()
            redo.clear()
    return undo, redo


def _event(r: MarkEventRecord) -> MarkEvent:
    return MarkEvent(
        seq=r.id,
        observation_id=r.observation_id,
        criterion_id=r.criterion_id,
        kind=MarkEventKind(r.kind),
        old_state=MarkState(r.old_state),
        new_state=MarkState(r.new_state),
        old_note=r.old_note,
        new_note=r.new_note,
        at=r.at,
        by=r.by,
        amendment_id=r.amendment_id,
    )


# ---- the tick's plain SQL (``set_mark``) ----------------------------------------------
# Column values exactly as the records' types store them: ids as 32 hex characters
# (``GUID``), times as UTC ISO 8601 with microseconds (``UTCDateTime``).

_TICK_READ = (
    "SELECT o.state, m.state, m.note, m.marked_at, f.sha256, f.form_id, f.version"
    " FROM observations o JOIN form_versions f"
    " ON f.form_id = o.form_id AND f.version = o.form_version LEFT JOIN marks m"
    " ON m.observation_id = o.id AND m.criterion_id = ? WHERE o.id = ?"
)
_FORM_SOURCE = "SELECT source FROM form_versions WHERE form_id = ? AND version = ?"
# A stored form version's tick item ids, by the SHA-256 of its YAML (a stored version never
# changes, so this is read and parsed once a process, not once a tick).
_ITEM_IDS: dict[str, frozenset[str]] = {}
_TICK_DELETE = "DELETE FROM marks WHERE observation_id = ? AND criterion_id = ?"
_TICK_UPSERT = (
    "INSERT INTO marks (observation_id, criterion_id, state, note, marked_at, marked_by)"
    " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (observation_id, criterion_id) DO UPDATE SET"
    " state = excluded.state, note = excluded.note, marked_at = excluded.marked_at,"
    " marked_by = excluded.marked_by"
)
_TICK_EVENT = (
    "INSERT INTO mark_events (observation_id, criterion_id, kind, old_state, new_state,"
    " old_note, new_note, at, by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_TICK_TOUCH = "UPDATE observations SET updated_at = ? WHERE id = ?"
_TICK_KIND = MarkEventKind.TICK.value
_DRAFT = ObservationState.DRAFT.value


def _engine_behind(sessions: SessionFactory) -> Engine | None:
    """The engine of a store whose own ``session`` method ``sessions`` is (each call a new
    unit of work, so the tick may take a connection of its own); None for anything else,
    such as ``in_session``, whose calls share the caller's transaction."""
    owner = getattr(sessions, "__self__", None)
    if owner is None or getattr(sessions, "__name__", None) != "session":
        return None
    engine = getattr(owner, "engine", None)
    return engine if isinstance(engine, Engine) else None


def _tick_connection(s: Session) -> Any:
    """The DB-API connection under ``s``, inside the session's transaction (begun here if
    it was not). Anything the session still holds unwritten is flushed first, and what it
    has loaded is expired after, so ORM objects never contradict the plain SQL."""
    s.flush()
    if s.identity_map:
        s.expire_all()
    return s.connection().connection.driver_connection


def _tick(db: Any, observation_id: uuid.UUID, criterion_id: str, state: MarkState,
          note: str | None, by: str) -> Mark:
    """``set_mark``'s statements, on ``db`` inside a transaction its caller ends."""
    oid = observation_id.hex
    # 1. The observation exists and is still a draft, and 2. its mark as it is now ("not
    # yet seen" with no note is no row): one statement.
    found = db.execute(_TICK_READ, (criterion_id, oid)).fetchone()
    if found is None:
        raise RecordNotFound("observation", observation_id)
    if found[0] != _DRAFT:
        raise ObservationLocked(observation_id, found[0])
    sha256, form_id, version = found[4:7]
    if criterion_id not in _item_ids(db, sha256, form_id, version):
        raise ValidationError(
            f"{criterion_id!r} is not an item of form {form_id} version {version}, the form "
            "this observation is made on", field="criterion_id")
    current = None if found[1] is None else found[1:4]
    old_state, old_note = ((MarkState.NOT_YET_SEEN, "") if current is None
                           else (MarkState(current[0]), current[1]))
    new_note = old_note if note is None else note
    if state == old_state and new_note == old_note:  # nothing to record: no empty undo step
        return _tick_mark(observation_id, criterion_id, current)
    now = utcnow()
    at = _tick_time(now)
    cleared = state is MarkState.NOT_YET_SEEN and new_note == ""
    # 3. The mark itself.
    if cleared:
        db.execute(_TICK_DELETE, (oid, criterion_id))
    else:
        db.execute(_TICK_UPSERT, (oid, criterion_id, state.value, new_note, at, by))
    # 4. The undo step, in the same transaction: undo survives a crash.
    db.execute(_TICK_EVENT, (oid, criterion_id, _TICK_KIND, old_state.value, state.value,
                             old_note, new_note, at, by))
    # 5. The observation changed now. (Anything else a tick must keep in step, such as a
    # stored summary, is one more statement here, inside the same transaction.)
    db.execute(_TICK_TOUCH, (at, oid))
    if cleared:
        return Mark(observation_id=observation_id, criterion_id=criterion_id,
                    state=MarkState.NOT_YET_SEEN)
    return Mark(observation_id=observation_id, criterion_id=criterion_id, state=state,
                note=new_note, marked_at=now)


def _item_ids(db: Any, sha256: str, form_id: str, version: str) -> frozenset[str]:
    ids = _ITEM_IDS.get(sha256)
    if ids is None:
        (source,) = db.execute(_FORM_SOURCE, (form_id, version)).fetchone()
        definition = load_form_text(source, f"form {form_id} version {version}")
        ids = _ITEM_IDS[sha256] = frozenset(item.id for item in definition.tick_items())
    return ids


def _tick_time(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def _tick_mark(observation_id: uuid.UUID, criterion_id: str, row: Any) -> Mark:
    if row is None:
        return Mark(observation_id=observation_id, criterion_id=criterion_id,
                    state=MarkState.NOT_YET_SEEN)
    return Mark(observation_id=observation_id, criterion_id=criterion_id,
                state=MarkState(row[0]), note=row[1],
                marked_at=datetime.fromisoformat(row[2]).astimezone(UTC))
