"""An open finalised observation follows the change signal: amended elsewhere (an import,
a sync) it shows the new mark; a change about another trainee leaves it alone."""

from __future__ import annotations

from typing import Any

from sendobserve.demo import GAPS, READY
from sendobserve.model.domain import MarkState, ObservationState
from sendobserve.services.changes import Changes
from sendobserve.storage.db import Store
from sendobserve.storage.repositories import MarkEdit, MediatorRepository, ObservationRepository
from sendobserve.ui.common.settings import WorkspaceSettings
from sendobserve.ui.common.tasks import Runner
from tests.ui.screens import main_window


def test_an_open_finalised_observation_shows_an_amendment_made_elsewhere(
        qtbot: Any, store: Store, forms: Any, settings: WorkspaceSettings,
        runner: Runner) -> None:
    _window, workspace = main_window(qtbot, store, forms, settings, runner)
    people = MediatorRepository(store.session)
    ready, gaps = people.resolve(READY), people.resolve(GAPS)
    observations = ObservationRepository(store.session)
    final = next(o for o in observations.list_for_mediator(ready.id)
                 if o.state is ObservationState.FINALISED)
    workspace.open_observation(final, ready, None)
    session = workspace.session
    assert session is not None and session.is_final
    item = next(i for i, m in session.service.marks(final.id).items()
                      if m.state is MarkState.DEMONSTRATED)
    model = session.model

    observations.amend(final.id, [MarkEdit(item, MarkState.DEVELOPMENT_NEEDED, "On review")],
                       "Corrected at the panel", by="Anjali Patel")  # as an import would
    runner.announce(Changes(observations=True, mediators=frozenset({gaps.id})))
    assert model.state_of(item) is MarkState.DEMONSTRATED  # another trainee's news

    runner.announce(Changes(observations=True, mediators=frozenset({ready.id})))
    assert model.state_of(item) is MarkState.DEVELOPMENT_NEEDED
    assert session.observation.state is ObservationState.AMENDED
