"""Two stores that exchanged a whole record and then edited one reflection differently
(a conflict held on the second, where Dana Whitfield, a PPC, may decide it), for the trust
tests."""

from __future__ import annotations

import uuid
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from sendobserve.model.domain import Observer, ObserverRole
from sendobserve.storage.repositories import ObserverRepository, PracticeRepository, in_session

from .storekit import TempStore, add_finalised_observation, add_people
from .test_whole_record import _export_record, _fill_logs, _record


def two_stores(tmp_path: Path) -> tuple[TempStore, TempStore, Any]:
    a, b = TempStore.create(tmp_path / "a"), TempStore.create(tmp_path / "b")
    trainee, ppc = add_people(a)
    add_finalised_observation(a, trainee, ppc, "LA-1")
    _fill_logs(a, trainee.id, ppc.id)
    b.import_bytes(_export_record(a, trainee.id, "Pat on laptop A"))
    reflection = _record(a, trainee.id).reflections[0]
    for ts, hours in ((a, "2"), (b, "2.5")):
        with ts.session() as s:
            PracticeRepository(in_session(s)).update(replace(reflection, hours=Decimal(hours)))
    b.import_bytes(_export_record(a, trainee.id, "Pat on laptop A"))
    with b.session() as s:  # who decides conflicts on the second laptop (model.deciders)
        ObserverRepository(in_session(s)).add(Observer(uuid.uuid4(), "Dana Whitfield",
                                                       ObserverRole.PPC))
    return a, b, reflection
