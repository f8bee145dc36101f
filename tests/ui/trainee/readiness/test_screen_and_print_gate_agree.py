"""For every demo mediator, in a real encrypted store: the verdict the readiness screen
loads (``load_readiness``) is the verdict of the print gates (``services.documents``)."""

from __future__ import annotations

import pytest

from sendobserve.demo import GAPS, PASSPORTED, READY, RENEWING
from sendobserve.model.readiness import is_ppc
from sendobserve.services import documents as jobs
from sendobserve.services.screens_trainee import load_readiness
from sendobserve.storage.db import Store
from sendobserve.storage.repositories import load_registry
from tests.ui.trainee.readiness.conftest import NAMES, TODAY, mediator_id


@pytest.mark.parametrize("name", NAMES)
def test_the_screen_and_the_print_gates_agree(demo_store: Store, name: str) -> None:
    mid = mediator_id(name)
    screen = load_readiness(demo_store.session, mid, load_registry(demo_store.session), TODAY)
    form4 = jobs.plan_certificate(demo_store, mid, 4, today=TODAY)
    form5 = jobs.plan_certificate(demo_store, mid, 5, today=TODAY)
    report, refusal, verifiers = jobs.portfolio_plan(demo_store, mid, today=TODAY)
    assert (form4.refusal is None) == screen.readiness.ready
    assert form4.report is not None
    assert form4.report.to_json() == screen.readiness.to_json()
    assert tuple(form4.candidates) == screen.readiness.eligible_signers
    assert (form5.refusal is None) == screen.passport.eligible
    assert form5.passport is not None
    assert form5.passport.to_json() == screen.passport.to_json()
    assert (refusal is None) == screen.readiness.ready
    assert all(is_ppc(v) for v in verifiers)
    assert report.edition is screen.readiness.edition is not None
    # What the demo is for: one of each.
    expected = {READY: (True, False), GAPS: (False, False), PASSPORTED: (False, True),
                RENEWING: (False, False)}[name]
    assert (screen.readiness.ready, screen.passport.eligible) == expected


def test_issuing_refuses_what_the_screen_refuses_and_writes_nothing(demo_store: Store) -> None:
    from tests.helpers import snapshot

    mid = mediator_id(GAPS)
    plan = jobs.plan_certificate(demo_store, mid, 4, today=TODAY)
    signer = next(iter(demo_store_observers(demo_store)))
    counts = demo_store.table_counts()
    files = snapshot(demo_store.data_dir)
    with pytest.raises(jobs.CertificateRefused, match=f"Form 4 cannot be issued for {GAPS}"):
        jobs.issue_certificate(demo_store, plan, signer, today=TODAY)
    assert demo_store.table_counts() == counts and snapshot(demo_store.data_dir) == files


def test_a_stale_plan_cannot_issue_what_the_assessment_now_refuses(demo_store: Store) -> None:
    """The gate is the assessment at the moment of issue, not a plan made earlier."""
    from dataclasses import replace

    mid = mediator_id(READY)
    plan = jobs.plan_certificate(demo_store, mid, 5, today=TODAY)
    assert plan.refusal is not None  # a trainee, not passported
    forged = replace(plan, refusal=None)
    signer = next(iter(demo_store_observers(demo_store)))
    with pytest.raises(jobs.CertificateRefused, match="Form 5 cannot be issued"):
        jobs.issue_certificate(demo_store, forged, signer, today=TODAY)


def demo_store_observers(store: Store) -> list[object]:
    from sendobserve.storage.repositories import ObserverRepository

    return list(ObserverRepository(store.session).list())
