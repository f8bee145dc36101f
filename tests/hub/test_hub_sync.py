"""Three laptops and an admin desktop that never exchange a file converge through the
hub: two hub processes on one real PostgreSQL, real HTTPS on 127.0.0.1, real stores."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sendobserve.hub.protocol import Role
from sendobserve.model.domain import MarkState, ObserverRole
from tests.exchange.factories import CRITERIA
from tests.exchange.storekit import add_finalised_observation, amend_observation

from .orgkit import Installation, hub_counts, make_admin, observer, roster, trainees

MAX_ROUNDS = 6


def test_three_laptops_and_an_admin_converge_through_two_hub_processes(
        start_hubs: Any, hub_db: str, org_pki: tuple[Path, Path, bytes], tmp_path: Path
) -> None:
    hub1, hub2 = start_hubs(2)
    root = org_pki[2]
    t1, t2 = trainees("Siobhán Ó Dálaigh", "Rhys ap Dafydd")

    admin = make_admin(tmp_path, hub1.url, hub_db, root)
    ppc = Installation.create(tmp_path, "Łucja Żak PPC")  # mentor of both trainees
    obs_b = Installation.create(tmp_path, "Observer B")  # co-mediator on Siobhán's cases
    obs_c = Installation.create(tmp_path, "Observer C")  # co-mediator on Rhys's cases
    for laptop in (ppc, obs_b, obs_c):
        assert laptop.join(hub2.url, root, admin.fingerprint)["status"] == "pending"
    admin.approve(ppc, Role.PPC, (t1.id, t2.id))
    admin.approve(obs_b, Role.OBSERVER, (t1.id,))
    admin.approve(obs_c, Role.OBSERVER, (t2.id,))

    everyone = (admin, ppc, obs_b, obs_c)
    for laptop in everyone:
        roster(laptop.ts, [t1, t2] if laptop in (admin, ppc) else
               [t1] if laptop is obs_b else [t2],
               observer(laptop.name, ObserverRole.PPC if laptop is ppc
                        else ObserverRole.CO_MEDIATOR))
    # Offline, in the rooms: each laptop finalises its own observations.
    ppc_t1 = add_finalised_observation(ppc.ts, t1, _observer_of(ppc), "LA-0001", seed=1)
    ppc_t2 = add_finalised_observation(ppc.ts, t2, _observer_of(ppc), "LA-0002", seed=2)
    b_t1 = add_finalised_observation(obs_b.ts, t1, _observer_of(obs_b), "LA-0003", seed=3)
    c_t2 = add_finalised_observation(obs_c.ts, t2, _observer_of(obs_c), "LA-0004", seed=4)

    # Back in the office: laptops alternate between the two hub processes. A record that
    # merged in something of a laptop's own goes out again, so it takes a few rounds.
    for rnd in range(MAX_ROUNDS):
        sent = sum(laptop.sync((hub1, hub2)[(i + rnd) % 2].url).uploaded
                   for i, laptop in enumerate(everyone))
        if sent == 0:
            break
    assert sent == 0 and rnd < MAX_ROUNDS - 1  # quiet within a bounded number of rounds

    assert admin.observation_ids() == {ppc_t1, ppc_t2, b_t1, c_t2}  # the admin sees all
    assert ppc.observation_ids() == {ppc_t1, ppc_t2, b_t1, c_t2}
    assert obs_b.observation_ids() == {ppc_t1, b_t1}  # only Siobhán's
    assert obs_c.observation_ids() == {ppc_t2, c_t2}  # only Rhys's
    assert obs_b.mediator_ids() == {t1.id} and obs_c.mediator_ids() == {t2.id}
    assert admin.records() == ppc.records()  # the same rows, byte for byte

    # A further round moves nothing: pushes are idempotent, nothing comes back.
    objects_before = hub_counts(hub_db)
    for laptop in everyone:
        result = laptop.sync()
        assert (result.uploaded, result.received, result.refused) == (0, 0, [])
    assert hub_counts(hub_db) == objects_before
    _n_objects, n_routes, distinct = objects_before
    assert n_routes == distinct  # no route twice

    # An amendment on one laptop reaches everyone who may see it, once.
    amend_observation(obs_b.ts, b_t1, CRITERIA[0], MarkState.NOT_APPLICABLE, by="Observer B")
    assert obs_b.sync(hub1.url).uploaded == 1  # to admin and ppc (one object, two slots)
    for laptop in (admin, ppc):
        result = laptop.sync(hub2.url)
        assert (result.received, result.imported) == (1, 1)
    assert admin.records() == ppc.records()
    assert admin.records()["amendments"] == obs_b.records()["amendments"] != []
    for laptop in everyone:
        assert laptop.outbox() == 0
        assert all(outcome != "refused" for _, outcome in laptop.received())


def _observer_of(laptop: Installation) -> Any:
    from sendobserve.storage.repositories import ObserverRepository, in_session

    with laptop.ts.session() as s:
        return next(o for o in ObserverRepository(in_session(s)).list()
                    if o.name == laptop.name)
