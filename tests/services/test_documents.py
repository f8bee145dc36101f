"""Certificates as use cases: what an issue, a re-print and a setting say they changed."""

from __future__ import annotations

import pytest

from sendobserve.demo import GAPS, READY
from sendobserve.errors import UserError
from sendobserve.reports.build import CertificateRefused
from sendobserve.services import documents
from sendobserve.services.changes import Changes
from sendobserve.storage.db import Store
from sendobserve.storage.repositories import MediatorRepository
from tests.helpers import durable_snapshot
from tests.services.conftest import TODAY, mediator_id


def test_a_first_issue_changes_the_certificates_and_the_accreditation(
        demo_store: Store) -> None:
    plan = documents.plan_certificate(demo_store, mediator_id(READY), 4, today=TODAY)
    first = documents.issue_certificate(demo_store, plan, plan.candidates[0], today=TODAY)
    trainee = frozenset({mediator_id(READY)})
    assert first.changes == Changes(certificates=True, people=True, mediators=trainee)
    assert MediatorRepository(demo_store.session).get(mediator_id(READY)).accredited_on == TODAY
    again = documents.plan_certificate(demo_store, mediator_id(READY), 4, today=TODAY)
    reprint = documents.issue_certificate(demo_store, again, plan.candidates[0], today=TODAY)
    assert reprint.reprint and reprint.serial == first.serial
    assert reprint.changes == Changes(certificates=True, mediators=trainee)


def test_a_refused_issue_changes_nothing(demo_store: Store) -> None:
    plan = documents.plan_certificate(demo_store, mediator_id(GAPS), 4, today=TODAY)
    assert plan.refusal
    before = durable_snapshot(demo_store.data_dir)
    signer = next(iter(documents.plan_certificate(
        demo_store, mediator_id(READY), 4, today=TODAY).candidates))
    with pytest.raises(CertificateRefused):
        documents.issue_certificate(demo_store, plan, signer, today=TODAY)
    assert durable_snapshot(demo_store.data_dir) == before


def test_the_provider_name_is_a_setting(store: Store) -> None:
    done = documents.set_provider_name(store, "  Northern   SEND Mediation ")
    assert done.value == "Northern SEND Mediation" and done.changes == Changes(settings=True)
    assert documents.provider_name(store) == "Northern SEND Mediation"
    with pytest.raises(UserError):
        documents.set_provider_name(store, "   ")
    assert documents.provider_name(store) == "Northern SEND Mediation"
