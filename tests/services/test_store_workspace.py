"""The workspace's door on the real store tells what each write changed, after it is
committed, naming the trainee (the tick included, without another query)."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import pytest

from sendobserve.forms.registry import FormRegistry
from sendobserve.model.domain import (
    CaseKind,
    MarkState,
    ObserverRole,
    Signature,
    TraineeRole,
)
from sendobserve.services.changes import Changes
from sendobserve.services.store_workspace import StoreWorkspaceService
from sendobserve.services.workspace import MarkEdit
from sendobserve.storage.db import Store
from sendobserve.storage.repositories import ObservationLocked, ObservationRepository

DAY = date(2026, 1, 5)


@pytest.fixture
def told() -> list[Changes]:
    return []


@pytest.fixture
def service(store: Store, told: list[Changes]) -> StoreWorkspaceService:
    return StoreWorkspaceService(store.session, FormRegistry.standard(), lambda _p: False,
                                 actor=lambda: "Dana", changed=told.append)


def _started(service: StoreWorkspaceService) -> tuple[uuid.UUID, uuid.UUID, str]:
    mediator = service.add_mediator("Trainee One")
    case = service.add_case(mediator.id, "REF-1", DAY, CaseKind.MEDIATION,
                            TraineeRole.LEADING, Decimal("3"))
    observer = service.observer_named("Dana Whitfield", ObserverRole.PPC)
    observation = service.start_observation(case.id, observer.id, "form2", 1, DAY)
    item = next(service.form("form2", observation.form_version).tick_items()).id
    return mediator.id, observation.id, item


def test_each_write_names_its_kind_and_trainee(service: StoreWorkspaceService,
                                               told: list[Changes]) -> None:
    mediator_id, observation_id, item = _started(service)
    trainee = frozenset({mediator_id})
    assert told[0] == Changes(people=True, mediators=trainee)  # the trainee added
    assert told[1] == Changes(cases=True, mediators=trainee)
    assert told[2] == Changes(people=True)  # the observer, added on first use
    assert told[3] == Changes(observations=True, mediators=trainee)
    told.clear()
    service.set_mark(observation_id, item, MarkState.DEMONSTRATED, "")
    service.save_debrief_note(observation_id, item.rsplit(".", 1)[0], "Talked it through.")
    assert told == [Changes(marks=True, mediators=trainee)] * 2


def test_the_tick_is_told_only_once_it_is_on_disk(store: Store, told: list[Changes],
                                                  service: StoreWorkspaceService) -> None:
    _mediator_id, observation_id, item = _started(service)
    on_disk: list[MarkState | None] = []

    def look(_changes: Changes) -> None:  # reads in a unit of work of its own
        marks = ObservationRepository(store.session).marks(observation_id)
        on_disk.append(next((m.state for m in marks if m.criterion_id == item), None))

    service._changed = look
    service.set_mark(observation_id, item, MarkState.DEVELOPMENT_NEEDED, "")
    assert on_disk == [MarkState.DEVELOPMENT_NEEDED]


def test_an_undo_with_nothing_to_undo_tells_nothing(service: StoreWorkspaceService,
                                                    told: list[Changes]) -> None:
    _mediator_id, observation_id, item = _started(service)
    told.clear()
    assert service.undo(observation_id) is None
    assert told == []
    service.set_mark(observation_id, item, MarkState.DEMONSTRATED, "")
    assert service.undo(observation_id) is not None
    assert service.redo(observation_id) is not None
    assert len(told) == 3 and all(c.marks for c in told)


def test_a_refused_write_tells_nothing(store: Store, told: list[Changes]) -> None:
    quiet = StoreWorkspaceService(store.session, FormRegistry.standard(), lambda _p: False)
    _mediator_id, observation_id, item = _finalised(quiet)
    service = StoreWorkspaceService(store.session, FormRegistry.standard(), lambda _p: False,
                                    changed=told.append)
    with pytest.raises(ObservationLocked):
        service.set_mark(observation_id, item, MarkState.DEVELOPMENT_NEEDED, "")
    assert told == []


def _finalised(service: StoreWorkspaceService) -> tuple[uuid.UUID, uuid.UUID, str]:
    mediator_id, observation_id, item = _started(service)
    for tick in service.form("form2", service.observation(observation_id).form_version
                             ).tick_items():
        service.set_mark(observation_id, tick.id, MarkState.DEMONSTRATED, "")
    service.finalise(observation_id, Signature("Dana Whitfield", ObserverRole.PPC, DAY))
    return mediator_id, observation_id, item


def test_finalise_and_amend_name_the_observations_trainee(
        store: Store, told: list[Changes]) -> None:
    first = StoreWorkspaceService(store.session, FormRegistry.standard(), lambda _p: False)
    mediator_id, observation_id, item = _started(first)
    for tick in first.form("form2", first.observation(observation_id).form_version
                           ).tick_items():
        first.set_mark(observation_id, tick.id, MarkState.DEMONSTRATED, "")
    # A second door (another window, a restart) learns the trainee when it shows it.
    second = StoreWorkspaceService(store.session, FormRegistry.standard(), lambda _p: False,
                                   changed=told.append)
    second.observation(observation_id)
    signature = Signature("Dana Whitfield", ObserverRole.PPC, DAY)
    second.finalise(observation_id, signature)
    second.amend(observation_id, [MarkEdit(item, MarkState.DEVELOPMENT_NEEDED, "On review.")],
                 "Reviewed the recording", "Dana Whitfield")
    trainee = frozenset({mediator_id})
    assert told == [Changes(observations=True, mediators=trainee),
                    Changes(observations=True, marks=True, mediators=trainee)]
