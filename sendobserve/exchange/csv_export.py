"""Marks and hours as CSV, for a provider's own records and spreadsheets.

Data-minimised by default: no notes, de-brief text, reflection summaries or
signature drawings unless ``include_notes`` is asked for; only finalised
observations. Cells that a spreadsheet would run as a formula (``=``, ``+``, ``-``,
``@``, tab, CR) are prefixed with ``'``: names and notes can come from other people's
files. Hours are written exactly as stored (Decimal), never as floats.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence

from sendobserve.exchange.codec import EXPORTABLE_STATES
from sendobserve.model.domain import PracticeRecord

MARK_COLUMNS = (
    "mediator", "case_reference", "case_date", "trainee_role", "form_id", "form_version",
    "ordinal", "observed_on", "observation_state", "observer", "observer_role",
    "criterion_id", "criterion", "mark",
)
HOURS_COLUMNS = ("mediator", "category", "kind", "date", "hours", "detail")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def write_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """CSV text with the formula guard on every cell (also for the panel's list)."""
    return _write(header, rows)


def _write(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return out.getvalue()


def marks_csv(
    records: Iterable[PracticeRecord],
    *,
    include_notes: bool = False,
    criterion_text: Mapping[str, str] | None = None,
) -> str:
    """One row per mark of every finalised observation, sorted by case date and form."""
    texts = criterion_text or {}
    header = [*MARK_COLUMNS, *(["note"] if include_notes else [])]
    rows: list[tuple[object, ...]] = []
    for record in records:
        cases = {c.id: c for c in record.cases}
        observers = {o.id: o for o in record.observers}
        observations = {o.id: o for o in record.observations if o.state in EXPORTABLE_STATES}
        for mark in record.marks:
            obs = observations.get(mark.observation_id)
            if obs is None:
                continue
            case = cases.get(obs.case_id)
            observer = observers.get(obs.observer_id)
            row: tuple[object, ...] = (
                record.mediator.name,
                case.reference if case else "",
                case.case_date.isoformat() if case else "",
                case.trainee_role.value if case else "",
                obs.form_id, obs.form_version, obs.ordinal, obs.observed_on.isoformat(),
                obs.state.value,
                observer.name if observer else "",
                observer.role.value if observer else "",
                mark.criterion_id, texts.get(mark.criterion_id, ""), mark.state.value,
            )
            rows.append(row + ((mark.note,) if include_notes else ()))
    rows.sort(key=lambda r: (str(r[0]), str(r[2]), str(r[1]), str(r[4]), str(r[6]), str(r[11])))
    return _write(header, rows)


def hours_csv(records: Iterable[PracticeRecord], *, include_notes: bool = False) -> str:
    """Casework, training, reflection, CPD and mentoring/supervision hours, one row each."""
    rows: list[tuple[object, ...]] = []
    for record in records:
        name = record.mediator.name
        for c in record.cases:
            rows.append((name, "casework", c.trainee_role.value, c.case_date.isoformat(),
                         c.casework_hours, c.reference))
        for t in record.training:
            rows.append((name, "training", t.kind.value, t.end_date.isoformat(), t.hours,
                         f"{t.title} — {t.provider} ({t.recognising_body.value})"))
        for r in record.reflections:
            rows.append((name, "reflection", "", r.reflected_on.isoformat(), r.hours,
                         r.summary if include_notes else ""))
        for cpd in record.cpd:
            rows.append((name, "cpd", cpd.kind.value, cpd.done_on.isoformat(), cpd.hours,
                         cpd.description if include_notes else ""))
        for contact in record.contacts:
            rows.append((name, contact.kind.value, "", contact.met_on.isoformat(),
                         contact.hours, contact.notes if include_notes else ""))
    rows.sort(key=lambda r: (str(r[0]), str(r[3]), str(r[1]), str(r[2]), str(r[5])))
    return _write(HOURS_COLUMNS, rows)
