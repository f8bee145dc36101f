"""Observations: ticking, durable undo/redo, locking, amendments and their history."""

from __future__ import annotations

import re
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from sendobserve.errors import UserError
from sendobserve.model.domain import (
    MarkState,
    ObservationState,
    ObserverRole,
    Signature,
    TraineeRole,
)
from sendobserve.model.validation import ValidationError
from sendobserve.storage.repositories import (
    MarkEdit,
    MarkEventKind,
    ObservationLocked,
    ObservationRepository,
    RecordNotFound,
    in_session,
)
from tests.storage.records_conftest import (
    FORM2_YAML,
    A,
    B,
    C,
    RecordsDb,
    add_case,
    add_mediator,
    add_observer,
    db,
    repos,
    start_draft,
)

__all__ = ["db"]

D = MarkState.DEMONSTRATED
DN = MarkState.DEVELOPMENT_NEEDED
NA = MarkState.NOT_APPLICABLE
NYS = MarkState.NOT_YET_SEEN
SIGNATURE = Signature(
    name="Aisha Patel", role=ObserverRole.PPC, signed_on=date(2026, 3, 2),
    drawing_png=b"\x89PNG\r\n\x1a\nfake-but-bytes",
)


def as_dict(marks: tuple[object, ...]) -> dict[str, tuple[MarkState, str]]:
    return {m.criterion_id: (m.state, m.note) for m in marks}  # type: ignore[attr-defined]


def test_start_a_draft_pins_the_form_version(db: RecordsDb) -> None:
    r = repos(db)
    obs = start_draft(r)
    assert obs.state is ObservationState.DRAFT
    assert (obs.form_id, obs.form_version, obs.ordinal) == ("form2", "test-1", 1)
    assert obs.observed_on == date(2026, 3, 2)  # the case's date
    db.reopen()
    r = repos(db)
    assert r.observations.get(obs.id) == obs
    stored = r.forms.get(obs.form_id, obs.form_version)
    assert stored is not None and stored.source == FORM2_YAML


def test_start_refuses_an_unstored_form_version_and_unknown_ids(db: RecordsDb) -> None:
    r = repos(db)
    m = add_mediator(r)
    o = add_observer(r)
    c = add_case(r, m.id)
    with pytest.raises(UserError, match="Form form9 version v1 is not stored"):
        r.observations.start(c.id, o.id, "form9", "v1")
    r.forms.store("form2", "test-1", FORM2_YAML)
    with pytest.raises(RecordNotFound, match="No observer"):
        r.observations.start(c.id, m.id, "form2", "test-1")
    with pytest.raises(ValidationError, match="in the future"):
        r.observations.start(c.id, o.id, "form2", "test-1", observed_on=date(2026, 3, 3),
                             today=date(2026, 3, 2))
    assert db.count("observations") == 0


def test_ordinal_suggested_from_existing_observations(db: RecordsDb) -> None:
    r = repos(db)
    m = add_mediator(r)
    ppc = add_observer(r)
    co = add_observer(r, "Tom Hughes", ObserverRole.CO_MEDIATOR)
    for form in ("form1", "form2", "form3"):
        r.forms.store(form, "v1", f"form_id: {form}\n")
    c1 = add_case(r, m.id, date(2026, 1, 5), role=TraineeRole.OBSERVING)
    c2 = add_case(r, m.id, date(2026, 2, 5))
    c3 = add_case(r, m.id, date(2026, 3, 5), role=TraineeRole.LEADING)
    assert r.observations.suggest_ordinal(c1.id, "form1") == 1
    assert r.observations.start(c1.id, ppc.id, "form1", "v1").ordinal == 1
    assert r.observations.start(c2.id, ppc.id, "form1", "v1").ordinal == 2
    assert r.observations.start(c2.id, ppc.id, "form2", "v1").ordinal == 1
    # A second observer on the same case and form gets the same number.
    assert r.observations.start(c2.id, co.id, "form2", "v1").ordinal == 1
    assert r.observations.suggest_ordinal(c3.id, "form1") == 3
    assert r.observations.suggest_ordinal(c3.id, "form2") == 2
    assert r.observations.suggest_ordinal(c3.id, "form3") == 1
    # An explicit ordinal wins; the next suggestion follows it.
    assert r.observations.start(c3.id, ppc.id, "form2", "v1", ordinal=5).ordinal == 5
    c4 = add_case(r, m.id, date(2026, 4, 5))
    assert r.observations.suggest_ordinal(c4.id, "form2") == 6
    # Another mediator counts from 1.
    other = add_case(r, add_mediator(r, "Ann Lee").id)
    assert r.observations.suggest_ordinal(other.id, "form2") == 1
    # Same date: Form 1 before Form 2, then by ordinal.
    assert [(o.form_id, o.ordinal) for o in r.observations.list_for_case(c2.id)] == [
        ("form1", 2), ("form2", 1), ("form2", 1)
    ]
    assert len(r.observations.list_for_mediator(m.id)) == 5


def test_set_mark_returns_what_is_committed(db: RecordsDb) -> None:
    r = repos(db)
    obs = start_draft(r)
    mark = r.observations.set_mark(obs.id, "f2.sk.reality_test", D, "clear and kind", by="AP")
    assert (mark.state, mark.note) == (D, "clear and kind")
    # The note is kept when only the state changes, and set_note keeps the state.
    assert r.observations.set_mark(obs.id, "f2.sk.reality_test", DN, by="AP").note == (
        "clear and kind"
    )
    assert r.observations.set_note(obs.id, "f2.pm.intro", "to watch", by="AP").state is NYS
    db.reopen()
    r = repos(db)
    assert as_dict(r.observations.marks(obs.id)) == {
        "f2.pm.intro": (NYS, "to watch"),
        "f2.sk.reality_test": (DN, "clear and kind"),
    }
    # Clearing a mark with no note leaves no row: not yet seen.
    r.observations.set_mark(obs.id, "f2.pm.intro", NYS, "", by="AP")
    assert [m.criterion_id for m in r.observations.marks(obs.id)] == ["f2.sk.reality_test"]
    # Setting what is already there is not a step to undo.
    before = len(r.observations.history(obs.id))
    r.observations.set_mark(obs.id, "f2.sk.reality_test", DN, by="AP")
    assert len(r.observations.history(obs.id)) == before


def test_undo_and_redo_survive_a_restart_between_every_step(db: RecordsDb) -> None:
    obs = start_draft(repos(db))

    def step(action: str, *args: object) -> object:
        db.reopen()  # a fresh engine and connection each time: only what is on disk counts
        observations = repos(db).observations
        return getattr(observations, action)(obs.id, *args, by="AP")

    step("set_mark", A, D)
    step("set_mark", B, DN, "needs work")
    step("set_mark", A, NA)
    assert step("undo") is not None  # a: NA -> D
    assert step("undo") is not None  # b: DN -> unseen
    db.reopen()
    r = repos(db)
    assert as_dict(r.observations.marks(obs.id)) == {A: (D, "")}
    assert r.observations.can_undo(obs.id) and r.observations.can_redo(obs.id)
    redone = step("redo")  # b comes back with its note
    assert redone is not None
    assert (redone.criterion_id, redone.state, redone.note) == (  # type: ignore[attr-defined]
        B, DN, "needs work"
    )
    step("set_mark", C, D)  # a new tick forgets what could be redone
    assert step("redo") is None
    db.reopen()
    r = repos(db)
    assert as_dict(r.observations.marks(obs.id)) == {
        A: (D, ""), B: (DN, "needs work"), C: (D, "")
    }
    assert not r.observations.can_redo(obs.id)
    for _ in range(3):
        assert r.observations.undo(obs.id, by="AP") is not None
    assert r.observations.undo(obs.id, by="AP") is None
    assert r.observations.marks(obs.id) == ()
    kinds = [e.kind for e in r.observations.history(obs.id)]
    assert kinds == [MarkEventKind.TICK] * 3 + [MarkEventKind.UNDO] * 2 + [
        MarkEventKind.REDO, MarkEventKind.TICK
    ] + [MarkEventKind.UNDO] * 3


def test_finalised_observation_is_read_only(db: RecordsDb) -> None:
    r = repos(db)
    obs = start_draft(r)
    r.observations.set_mark(obs.id, A, D, by="AP")
    r.observations.set_debrief_note(obs.id, "f3.db.goals", "Agreed two goals")
    with pytest.raises(ValidationError, match="The signer's name must not be empty"):
        r.observations.finalise(obs.id, Signature("", ObserverRole.PPC, date(2026, 3, 2)))
    with pytest.raises(ValidationError, match=r"signature date \(2026-03-01\) is before the obs"):
        r.observations.finalise(obs.id, Signature("AP", ObserverRole.PPC, date(2026, 3, 1)))
    assert r.observations.get(obs.id).state is ObservationState.DRAFT
    final = r.observations.finalise(obs.id, SIGNATURE)
    assert final.state is ObservationState.FINALISED and final.signature == SIGNATURE
    assert final.finalised_at is not None
    db.reopen()
    r = repos(db)
    assert r.observations.get(obs.id).signature == SIGNATURE  # PNG bytes intact
    for attempt in (
        lambda: r.observations.set_mark(obs.id, A, DN, by="AP"),
        lambda: r.observations.set_note(obs.id, A, "later", by="AP"),
        lambda: r.observations.undo(obs.id, by="AP"),
        lambda: r.observations.redo(obs.id, by="AP"),
        lambda: r.observations.set_debrief_note(obs.id, "f3.db.goals", "changed"),
        lambda: r.observations.finalise(obs.id, SIGNATURE),
        lambda: r.observations.discard_draft(obs.id),
    ):
        with pytest.raises(ObservationLocked, match="finalised and cannot be changed"):
            attempt()
    assert not r.observations.can_undo(obs.id)
    assert as_dict(r.observations.marks(obs.id)) == {A: (D, "")}
    assert [n.text for n in r.observations.debrief_notes(obs.id)] == ["Agreed two goals"]


def test_amendment_keeps_the_original_and_the_history(db: RecordsDb) -> None:
    r = repos(db)
    obs = start_draft(r)
    r.observations.set_mark(obs.id, A, D, "good", by="Aisha Patel")
    r.observations.set_mark(obs.id, B, DN, by="Aisha Patel")
    with pytest.raises(UserError, match="only a finalised observation is amended"):
        r.observations.amend(obs.id, [MarkEdit(A, NA)], "typo", by="Aisha Patel")
    r.observations.finalise(obs.id, SIGNATURE)
    before_events = db.count("mark_events")
    with pytest.raises(ValidationError, match="The reason for the amendment must not be empty"):
        r.observations.amend(obs.id, [MarkEdit(B, D)], "  ", by="Aisha Patel")
    with pytest.raises(ValidationError, match="The amendment changes nothing"):
        r.observations.amend(obs.id, [MarkEdit(A, D, "good")], "no-op", by="Aisha Patel")
    with pytest.raises(ValidationError, match=r"changes f2\.pm\.b twice"):
        r.observations.amend(obs.id, [MarkEdit(B, D), MarkEdit(B, NA)], "x", by="AP")
    assert db.count("amendments") == 0 and db.count("mark_events") == before_events

    amendment = r.observations.amend(
        obs.id,
        [MarkEdit(B, D, "seen in the second session"), MarkEdit(A, D, "good")],
        "Ticked the wrong row in the room",
        by="Aisha Patel",
    )
    assert amendment.reason == "Ticked the wrong row in the room"
    assert amendment.amended_by == "Aisha Patel"
    assert [(c.criterion_id, c.old_state, c.new_state, c.old_note, c.new_note)
            for c in amendment.changes] == [(B, DN, D, "", "seen in the second session")]
    db.reopen()
    r = repos(db)
    got = r.observations.get(obs.id)
    assert got.state is ObservationState.AMENDED and got.signature == SIGNATURE
    assert as_dict(r.observations.marks(obs.id))[B] == (D, "seen in the second session")
    assert r.observations.amendments(obs.id) == (amendment,)
    last = r.observations.history(obs.id)[-1]
    assert (last.kind, last.criterion_id, last.old_state, last.new_state, last.by,
            last.amendment_id) == (MarkEventKind.AMENDMENT, B, DN, D, "Aisha Patel",
                                   amendment.id)
    assert last.at == amendment.amended_at
    # The original tick is still in the history, untouched.
    first_b = next(e for e in r.observations.history(obs.id) if e.criterion_id == B)
    assert (first_b.kind, first_b.new_state) == (MarkEventKind.TICK, DN)
    # A second amendment is allowed, still locked for ticking.
    r.observations.amend(obs.id, [MarkEdit(A, NA)], "Not applicable after all", by="Tom")
    assert len(r.observations.amendments(obs.id)) == 2
    with pytest.raises(ObservationLocked, match="amended"):
        r.observations.set_mark(obs.id, A, D, by="AP")


def test_refused_writes_leave_the_files_byte_identical(db: RecordsDb) -> None:
    r = repos(db)
    obs = start_draft(r)
    r.observations.set_mark(obs.id, A, D, by="AP")
    locked = start_draft(r)
    r.observations.finalise(locked.id, SIGNATURE)
    before = db.file_bytes()
    refusals = [
        (lambda: r.observations.set_mark(locked.id, A, DN, by="AP"), ObservationLocked),
        (lambda: r.observations.set_mark(obs.id, " ", DN, by="AP"), ValidationError),
        (lambda: r.observations.amend(obs.id, [MarkEdit(A, NA)], "x", by="AP"), UserError),
        (lambda: r.observations.amend(locked.id, [], "nothing", by="AP"), ValidationError),
        (lambda: r.observations.finalise(obs.id, Signature(" ", ObserverRole.PPC,
                                                           date(2026, 3, 2))), ValidationError),
        (lambda: r.observations.start(obs.case_id, obs.observer_id, "form2", "nope"), UserError),
    ]
    for attempt, error in refusals:
        with pytest.raises(error):
            attempt()
    assert db.file_bytes() == before


def test_a_tick_on_an_item_not_in_the_form_is_refused_and_changes_nothing(
        db: RecordsDb) -> None:
    r = repos(db)
    obs = start_draft(r)
    r.observations.set_mark(obs.id, A, D, "kept", by="AP")
    form3_item = "f3.pm.arrange_review"  # an item, but of another form
    before = db.file_bytes()
    for item in ("f2.pm.not_on_this_form", form3_item, "a"):
        with pytest.raises(ValidationError, match=re.escape(
                f"'{item}' is not an item of form form2 version test-1")) as refused:
            r.observations.set_mark(obs.id, item, DN, "no", by="AP")
        assert refused.value.field == "criterion_id"
        with pytest.raises(ValidationError, match="is not an item of form form2"):
            r.observations.set_note(obs.id, item, "no", by="AP")
    # Inside a caller's unit of work too (the same statements on its connection).
    with db.sessions() as s, pytest.raises(ValidationError, match="is not an item"):
        ObservationRepository(in_session(s)).set_mark(obs.id, form3_item, D, by="AP")
    assert db.file_bytes() == before
    assert as_dict(r.observations.marks(obs.id)) == {A: (D, "kept")}
    assert len(r.observations.history(obs.id)) == 1


def test_the_database_refuses_to_rewrite_history(db: RecordsDb) -> None:
    r = repos(db)
    obs = start_draft(r)
    r.observations.set_mark(obs.id, A, D, by="AP")
    r.observations.finalise(obs.id, SIGNATURE)
    r.observations.amend(obs.id, [MarkEdit(A, NA)], "wrong row", by="AP")
    for statement in (
        "UPDATE mark_events SET by = 'someone else'",
        "UPDATE amendments SET reason = 'another reason'",
        "UPDATE amendment_changes SET old_state = 'not_applicable'",
    ):
        with db.engine.connect() as conn, pytest.raises(DBAPIError, match="append-only"):
            conn.execute(text(statement))
    assert [e.by for e in r.observations.history(obs.id)] == ["AP", "AP"]
    assert r.observations.amendments(obs.id)[0].reason == "wrong row"


def test_debrief_notes_saved_as_typed(db: RecordsDb) -> None:
    r = repos(db)
    obs = start_draft(r)
    for typed in ("A", "Ag", "Agreed next steps"):
        note = r.observations.set_debrief_note(obs.id, "f3.db.next", typed)
    assert note.text == "Agreed next steps"
    r.observations.set_debrief_note(obs.id, "f3.db.goals", "")
    db.reopen()
    assert [(n.criterion_id, n.text) for n in repos(db).observations.debrief_notes(obs.id)] == [
        ("f3.db.goals", ""), ("f3.db.next", "Agreed next steps")
    ]


def test_discard_draft_removes_it_and_its_marks(db: RecordsDb) -> None:
    r = repos(db)
    obs = start_draft(r)
    r.observations.set_mark(obs.id, A, D, by="AP")
    r.observations.set_debrief_note(obs.id, "n", "x")
    r.observations.discard_draft(obs.id)
    for table in ("observations", "marks", "mark_events", "debrief_notes"):
        assert db.count(table) == 0, table
    with pytest.raises(RecordNotFound):
        r.observations.get(obs.id)


# ---- property: any sequence of set_mark / undo / redo matches a plain model ----------

ITEMS = (A, B, C)
NOTES = (None, "", "note", "other")
actions = st.lists(
    st.one_of(
        st.tuples(st.just("set"), st.sampled_from(ITEMS), st.sampled_from(list(MarkState)),
                  st.sampled_from(NOTES)),
        st.tuples(st.just("undo")),
        st.tuples(st.just("redo")),
    ),
    max_size=25,
)


class ReferenceModel:
    """The obvious in-memory editor: a dict and two stacks of (item, before, after)."""

    def __init__(self) -> None:
        self.marks: dict[str, tuple[MarkState, str]] = {}
        self.undo: list[tuple[str, tuple[MarkState, str], tuple[MarkState, str]]] = []
        self.redo: list[tuple[str, tuple[MarkState, str], tuple[MarkState, str]]] = []

    def get(self, item: str) -> tuple[MarkState, str]:
        return self.marks.get(item, (NYS, ""))

    def put(self, item: str, value: tuple[MarkState, str]) -> None:
        if value == (NYS, ""):
            self.marks.pop(item, None)
        else:
            self.marks[item] = value

    def set(self, item: str, state: MarkState, note: str | None) -> None:
        before = self.get(item)
        after = (state, before[1] if note is None else note)
        if after != before:
            self.put(item, after)
            self.undo.append((item, before, after))
            self.redo.clear()

    def step(self, redo: bool) -> None:
        source, target = (self.redo, self.undo) if redo else (self.undo, self.redo)
        if source:
            item, before, after = source.pop()
            self.put(item, after if redo else before)
            target.append((item, before, after))


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(script=actions)
def test_any_sequence_of_ticks_undos_and_redos_matches_the_model(
    db: RecordsDb, script: list[tuple[object, ...]]
) -> None:
    r = repos(db)
    obs = start_draft(r)  # a fresh observation per example, in the same encrypted store
    model = ReferenceModel()
    for action in script:
        if action[0] == "set":
            _, item, state, note = action
            r.observations.set_mark(obs.id, item, state, note, by="AP")  # type: ignore[arg-type]
            model.set(item, state, note)  # type: ignore[arg-type]
        else:
            redo = action[0] == "redo"
            (r.observations.redo if redo else r.observations.undo)(obs.id, by="AP")
            model.step(redo)
        assert r.observations.can_undo(obs.id) == bool(model.undo)
        assert r.observations.can_redo(obs.id) == bool(model.redo)
    assert as_dict(r.observations.marks(obs.id)) == model.marks


def _table_rows(db: RecordsDb) -> dict[str, list[tuple[object, ...]]]:
    with db.engine.connect() as conn:
        return {
            table: sorted(conn.execute(text(f"SELECT * FROM {table}")).all(), key=repr)
            for table in ("observations", "marks", "mark_events", "debrief_notes")
        }


@settings(max_examples=6, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ticks=st.lists(st.tuples(st.sampled_from((A, B, C)),
                                st.sampled_from((D, DN, NA, NYS))), max_size=8),
       undos=st.integers(min_value=0, max_value=3))
def test_a_discarded_draft_comes_back_exactly_with_undo(
        db: RecordsDb, ticks: list[tuple[str, MarkState]], undos: int) -> None:
    r = repos(db)
    obs = start_draft(r)
    for item, state in ticks:
        r.observations.set_mark(obs.id, item, state, by="AP")
    for _ in range(undos):
        r.observations.undo(obs.id, by="AP")
    r.observations.set_debrief_note(obs.id, "n", "kept")
    before = _table_rows(db)
    copy = r.observations.discard_draft(obs.id)
    assert _table_rows(db) == {table: [] for table in before}
    with pytest.raises(RecordNotFound):
        r.observations.get(obs.id)
    restored = r.observations.restore_draft(copy)
    assert restored.id == obs.id and restored.state is ObservationState.DRAFT
    assert _table_rows(db) == before  # every row, ids and undo history included
    with pytest.raises(UserError, match="already back"):
        r.observations.restore_draft(copy)
    r.observations.discard_draft(obs.id)  # leave the store as the next example expects
