"""Storage for the rulebook: migration 0006 (the parties to a discretion, the passporting
route, the edition per practice period), and forms that call themselves the Standards'."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import date

import pytest
from alembic import command
from sqlalchemy import text

from sendobserve.forms.definition import FormDefinition
from sendobserve.forms.loader import dump_form
from sendobserve.forms.registry import FormAdaptationError, FormRegistry
from sendobserve.model import requirements as R
from sendobserve.model.domain import Mediator, PassportRoute, TraineeRole
from sendobserve.model.outcome import Status
from sendobserve.model.readiness import assess_readiness, case_order_key
from sendobserve.model.validation import ValidationError
from sendobserve.storage import engine as store_engine
from sendobserve.storage import vault
from sendobserve.storage.db import Store
from sendobserve.storage.repositories import (
    FormVersionRepository,
    MediatorRepository,
    install_form,
    load_practice_record,
    load_registry,
)
from tests.helpers import durable_snapshot
from tests.storage.records_conftest import RecordsDb, add_case, add_mediator, db, repos
from tests.storage.test_records_migration import diffs_from_metadata

__all__ = ["db"]  # the fixture, imported for pytest


def test_upgrade_to_0006_keeps_old_discretions_but_does_not_apply_them(store: Store) -> None:
    with store.engine.begin() as conn:
        command.downgrade(store_engine.alembic_config(conn), "0005_certificate_drawings")
    mid = uuid.uuid4()
    with store.engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO mediators (id, name, name_folded, professional_body, passported,"
            " created_at, updated_at) VALUES (:id, 'A. Trainee', 'a trainee', 'none', 0,"
            " '2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00')"), {"id": mid.hex})
        # One recorded under the old, too broad rules: a discretion on casework hours.
        conn.execute(text(
            "INSERT INTO discretions (id, mediator_id, requirement_id, decided_by, role,"
            " reason, decided_on) VALUES (:id, :m, 'casework_hours', 'A. Patel', 'ppc',"
            " 'Long cases', '2026-02-01'), (:id2, :m, 'final_case_led', 'A. Patel', 'ppc',"
            " 'Shared lead', '2026-02-01')"),
            {"id": uuid.uuid4().hex, "id2": uuid.uuid4().hex, "m": mid.hex})
    with store.engine.begin() as conn:
        command.upgrade(store_engine.alembic_config(conn), "heads")
    assert diffs_from_metadata(store.engine) == []
    with store.session() as s:
        record = load_practice_record(s, mid)
    # Never lose data: both are kept, with no provider or mediator agreement recorded.
    assert sorted(d.requirement_id for d in record.discretions) == [
        "casework_hours", "final_case_led"]
    assert all(d.provider_agreed_by == "" and not d.mediator_agreed
               for d in record.discretions)
    assert record.mediator.rules_edition is None and record.mediator.passport_route is None
    report = assess_readiness(record, FormRegistry.standard(), today=date(2026, 6, 1))
    casework = report.requirement(R.CASEWORK_HOURS)
    led = report.requirement(R.FINAL_CASE_LED)
    assert casework.status is Status.NOT_MET and "No discretion is allowed" in casework.detail
    assert led.status is Status.NOT_MET
    assert "the agreement of the provider and the mediator is not recorded" in led.detail


def test_the_mediators_route_confirmation_and_edition_round_trip(store: Store) -> None:
    repo = MediatorRepository(store.session)
    m = repo.add(Mediator(uuid.uuid4(), "Aoife Byrne", passported=True))
    changed = dataclasses.replace(
        m, passport_route=PassportRoute.PANEL, panel_confirmed_by=" Jo Rees ",
        panel_confirmed_on=date(2026, 1, 5), rules_edition="standards-2018-v1")
    saved = repo.update(changed, today=date(2026, 6, 1))
    assert repo.get(m.id) == saved
    assert saved.panel_confirmed_by == "Jo Rees"
    with pytest.raises(ValidationError, match="Unknown edition of the Standards") as info:
        repo.update(dataclasses.replace(saved, rules_edition="standards-1999"))
    assert info.value.field == "rules_edition"
    assert repo.get(m.id) == saved


def _calling_itself_standard(version: str, *, drop: str | None = None) -> str:
    base = FormRegistry.standard().get("form2", "standards-2018")
    sections = tuple(
        dataclasses.replace(section, criteria=tuple(
            c for c in section.criteria if c.id != drop))
        for section in base.sections
    )
    fake: FormDefinition = dataclasses.replace(base, version=version, sections=sections)
    return dump_form(fake)


def test_a_file_calling_itself_the_standards_cannot_drop_a_core_criterion(
    initialised: vault.Initialised,
) -> None:
    # Appendix A: forms "can be adapted … though key mediation skills and contextual
    # knowledge components should remain" — whatever a file calls itself.
    store = initialised.store
    load_registry(store.session)  # a first read opens the WAL: not a change
    before = durable_snapshot(store.data_dir)
    with pytest.raises(FormAdaptationError) as info:
        install_form(store.session, _calling_itself_standard("standards-2018b",
                                                             drop="f2.sk.reality_test"),
                     "standards.yaml", make_default=True)
    assert "calls itself the Standards' own form2" in info.value.message
    assert "f2.sk.reality_test" in info.value.message
    assert FormVersionRepository(store.session).list() == ()
    assert durable_snapshot(store.data_dir) == before


def test_a_stored_standard_claiming_version_never_shadows_the_shipped_one(store: Store) -> None:
    # Keeping every criterion, it may be stored, but it is not what new observations use
    # unless chosen as the default; and the shipped version cannot be replaced.
    install_form(store.session, _calling_itself_standard("standards-2026"), "x.yaml",
                 make_default=False)
    registry = load_registry(store.session)
    assert ("form2", "standards-2026") in registry
    assert registry.latest("form2").version == "standards-2018"
    assert registry.is_shipped("form2", "standards-2018")
    assert not registry.is_shipped("form2", "standards-2026")
    changed = _calling_itself_standard("standards-2018").replace(
        "Reality test proposals", "Reality-test proposals")
    with pytest.raises(FormAdaptationError, match="already loaded with different content"):
        install_form(store.session, changed, "same-version.yaml", make_default=False)


def test_same_day_cases_are_listed_and_numbered_in_the_rules_order(db: RecordsDb) -> None:
    # §1.2: "observe … before progressing to co-working and finally taking a lead": the
    # store lists and numbers cases in the one order the rules use for the final case,
    # whatever order they were typed in.
    r = repos(db)
    m = add_mediator(r)
    day = date(2026, 3, 3)
    led = add_case(r, m.id, day, "3", TraineeRole.LEADING, "L")
    co = add_case(r, m.id, day, "3", TraineeRole.CO_MEDIATING, "C")
    seen = add_case(r, m.id, day, "3", TraineeRole.OBSERVING, "O")
    assert r.cases.list_for_mediator(m.id) == (seen, co, led)
    assert [r.cases.ordinal_of(c.id) for c in (seen, co, led)] == [1, 2, 3]
    assert list(r.cases.list_for_mediator(m.id)) == sorted((led, co, seen),
                                                           key=case_order_key)
