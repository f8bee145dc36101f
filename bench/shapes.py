"""Rows to records and records to the exchange file's JSON, walked from the field tables
(``model.shapes``), against a floor: the same record built by hand from the same values.

    PYTHONPATH=$PWD python bench/shapes.py [--rows 20000] [--rounds 9]

CPU time (``time.process_time``) per record, median of interleaved rounds; the floor
does the least the job needs (read each column, convert the enums, call the dataclass),
so the ratio is what walking a table costs on top of that.
"""

from __future__ import annotations

import argparse
import statistics
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from sendobserve.exchange.shaped import to_json
from sendobserve.model.domain import (
    Case,
    CaseKind,
    Observation,
    ObservationState,
    ObserverRole,
    Signature,
    TraineeRole,
)
from sendobserve.storage.repositories import _convert

NOW = datetime.now(UTC)
CASE_ROW = SimpleNamespace(
    id=uuid.uuid4(), mediator_id=uuid.uuid4(), reference="LA-1", case_date=date(2026, 1, 2),
    kind="mediation", trainee_role="leading", casework_hours=Decimal("2.5"), created_at=NOW,
    local_authority=None)
OBSERVATION_ROW = SimpleNamespace(
    id=uuid.uuid4(), case_id=uuid.uuid4(), mediator_id=uuid.uuid4(), observer_id=uuid.uuid4(),
    form_id="form3", form_version="2018.1", ordinal=1, observed_on=date(2026, 1, 2),
    state="finalised", signature_name="Ann Lee", signature_role="ppc",
    signature_signed_on=date(2026, 1, 2), signature_png=None, created_at=NOW, updated_at=NOW,
    finalised_at=NOW)


def case_floor(r: Any) -> Case:
    return Case(r.id, r.mediator_id, r.reference, r.case_date, CaseKind(r.kind),
                TraineeRole(r.trainee_role), r.casework_hours, r.created_at, r.local_authority)


def observation_floor(r: Any) -> Observation:
    signature = None
    if r.signature_name is not None:
        signature = Signature(r.signature_name, ObserverRole(r.signature_role),
                              r.signature_signed_on, r.signature_png)
    return Observation(r.id, r.case_id, r.mediator_id, r.observer_id, r.form_id,
                       r.form_version, r.ordinal, r.observed_on, ObservationState(r.state),
                       signature, r.created_at, r.updated_at, r.finalised_at)


def case_json_floor(c: Case) -> dict[str, Any]:
    return {"id": c.id.hex, "mediator_id": c.mediator_id.hex, "reference": c.reference,
            "case_date": c.case_date.isoformat(), "kind": c.kind.value,
            "trainee_role": c.trainee_role.value,
            "casework_hours": format(c.casework_hours, "f"),
            "created_at": c.created_at.astimezone(UTC).isoformat(timespec="microseconds")}


def per_record(fn: Callable[[Any], Any], arg: Any, n: int) -> float:
    start = time.process_time()
    for _ in range(n):
        fn(arg)
    return (time.process_time() - start) / n * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=9)
    args = parser.parse_args()
    case = _convert.case(CASE_ROW)
    figures = (
        ("case row → record", _convert.case, case_floor, CASE_ROW),
        ("observation row → record", _convert.observation, observation_floor,
         OBSERVATION_ROW),
        ("case → file JSON", to_json, case_json_floor, case),
    )
    for name, ours, floor, arg in figures:
        assert ours(arg) == floor(arg)  # the same result, or the floor is not a floor
        timed: dict[str, list[float]] = {"ours": [], "floor": []}
        for _ in range(args.rounds):
            timed["ours"].append(per_record(ours, arg, args.rows))
            timed["floor"].append(per_record(floor, arg, args.rows))
        o, f = statistics.median(timed["ours"]), statistics.median(timed["floor"])
        print(f"{name:28} {o:6.2f} µs CPU   floor {f:6.2f} µs   ratio {o / f:4.2f}")


if __name__ == "__main__":
    main()
