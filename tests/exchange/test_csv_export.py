from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import date
from decimal import Decimal

from sendobserve.exchange.csv_export import hours_csv, marks_csv
from sendobserve.model.domain import (
    Cpd,
    CpdKind,
    ObservationState,
    PracticeRecord,
    RecognisingBody,
    Reflection,
    Training,
    TrainingKind,
)

from .factories import sample_payload, tiny_png


def _record(seed: int = 1) -> PracticeRecord:
    p = sample_payload(seed, n_observations=2)
    mid = p.mediators[0].id
    return PracticeRecord(
        mediator=p.mediators[0], observers=p.observers, cases=p.cases,
        observations=p.observations, marks=p.marks, debrief_notes=p.debrief_notes,
        training=(Training(id=p.cases[0].id, mediator_id=mid, kind=TrainingKind.SEND,
                           title="SEND law", provider="Acme", recognising_body=RecognisingBody.COM,
                           start_date=date(2026, 1, 5), end_date=date(2026, 1, 6),
                           hours=Decimal("12.0")),),
        reflections=(Reflection(id=p.cases[1].id, mediator_id=mid, reflected_on=date(2026, 3, 9),
                                hours=Decimal("1.25"), with_whom="PPC",
                                summary="=HYPERLINK(\"x\") private thoughts"),),
        cpd=(Cpd(id=p.observations[0].id, mediator_id=mid, done_on=date(2026, 4, 1),
                 hours=Decimal("3"), kind=CpdKind.READING, description="Code of Practice"),),
    )


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_marks_csv_has_one_row_per_mark_and_no_notes_by_default() -> None:
    record = _record()
    text = marks_csv([record])
    rows = _rows(text)
    assert len(rows) == len(record.marks)
    assert "note" not in rows[0]
    assert "Clear summary" not in text
    assert tiny_png(1)[8:] not in text.encode()
    assert {r["observer"] for r in rows} == {"Łucja Żak", "Dev Patel"}
    by_crit = {(r["case_reference"], r["criterion_id"]): r["mark"] for r in rows}
    for m in record.marks:
        obs = next(o for o in record.observations if o.id == m.observation_id)
        case = next(c for c in record.cases if c.id == obs.case_id)
        assert by_crit[(case.reference, m.criterion_id)] == m.state.value


def test_marks_csv_notes_only_when_asked_and_drafts_left_out() -> None:
    record = _record()
    draft = replace(record.observations[1], state=ObservationState.DRAFT)
    record = replace(record, observations=(record.observations[0], draft))
    rows = _rows(marks_csv([record], include_notes=True))
    assert {r["observation_state"] for r in rows} == {"finalised"}
    assert "Clear summary;\nchecked understanding." in {r["note"] for r in rows}


def test_hours_csv_exact_decimals_and_minimised_text() -> None:
    text = hours_csv([_record()])
    rows = _rows(text)
    assert [(r["category"], r["hours"]) for r in rows] == [
        ("training", "12.0"), ("casework", "4.1"), ("casework", "4.1"),
        ("reflection", "1.25"), ("cpd", "3"),
    ]
    assert "private thoughts" not in text and "Code of Practice" not in text
    with_notes = _rows(hours_csv([_record()], include_notes=True))
    reflection = next(r for r in with_notes if r["category"] == "reflection")
    assert reflection["detail"].startswith("'=HYPERLINK")  # not run as a formula
