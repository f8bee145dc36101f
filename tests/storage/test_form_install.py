"""A provider's adapted form stored in the store: checked first, kept verbatim, used by default
for new observations, and never re-mapping observations made on another version."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from sendobserve.cli import main
from sendobserve.forms.definition import FormDefinition
from sendobserve.forms.loader import dump_form
from sendobserve.forms.registry import FormAdaptationError, FormRegistry
from sendobserve.model.domain import (
    Case,
    CaseKind,
    Mediator,
    Observer,
    ObserverRole,
    TraineeRole,
    new_id,
)
from sendobserve.paths import resources_dir
from sendobserve.storage import vault
from sendobserve.storage.db import Store
from sendobserve.storage.repositories import (
    CaseRepository,
    FormVersionRepository,
    MediatorRepository,
    ObservationRepository,
    ObserverRepository,
    install_form,
    load_registry,
)
from tests.helpers import TEST_PASSPHRASE, durable_snapshot

ACME = resources_dir() / "forms" / "examples" / "form2-acme-2024.yaml"


def _dropping(criterion_id: str) -> str:
    """A provider's Form 2 that leaves out ``criterion_id``."""
    base = FormRegistry.standard().get("form2", "standards-2018")
    sections = tuple(
        dataclasses.replace(
            section, criteria=tuple(c for c in section.criteria if c.id != criterion_id)
        )
        for section in base.sections
    )
    adapted: FormDefinition = dataclasses.replace(
        base, version="lax-1", provider="Lax Mediation", based_on="standards-2018",
        sections=sections,
    )
    return dump_form(adapted)


def test_an_adaptation_is_stored_verbatim_and_becomes_the_default(store: Store) -> None:
    source = ACME.read_text(encoding="utf-8")
    form = install_form(store.session, source, ACME.name, make_default=True)
    assert (form.form_id, form.version) == ("form2", "acme-2024")
    stored = FormVersionRepository(store.session).get("form2", "acme-2024")
    assert stored is not None and stored.source == source
    registry = load_registry(store.session)
    assert registry.latest("form2").version == "acme-2024"
    assert registry.latest("form1").version == "standards-2018"
    # The same file again changes nothing.
    install_form(store.session, source, ACME.name, make_default=True)
    assert len(FormVersionRepository(store.session).list()) == 1


def test_an_adaptation_without_default_leaves_new_observations_on_the_standard(
    store: Store,
) -> None:
    install_form(store.session, ACME.read_text(encoding="utf-8"), ACME.name, make_default=False)
    registry = load_registry(store.session)
    assert ("form2", "acme-2024") in registry
    assert registry.latest("form2").version == "standards-2018"


def test_dropping_a_core_criterion_is_refused_by_name_and_stores_nothing(
    initialised: vault.Initialised,
) -> None:
    store = initialised.store
    with pytest.raises(FormAdaptationError) as info:
        install_form(store.session, _dropping("f2.sk.reality_test"), "lax.yaml",
                     make_default=True)
    assert "f2.sk.reality_test" in info.value.message
    assert "Reality test proposals" in info.value.message
    assert FormVersionRepository(store.session).list() == ()
    assert load_registry(store.session).latest("form2").version == "standards-2018"


def test_old_observations_keep_their_version_when_the_default_changes(store: Store) -> None:
    standard = FormRegistry.standard().get("form2", "standards-2018")
    FormVersionRepository(store.session).ensure(standard)
    mediator = MediatorRepository(store.session).add(Mediator(id=new_id(), name="Ana Lima"))
    observer = ObserverRepository(store.session).add(
        Observer(id=new_id(), name="Gwen Ellis", role=ObserverRole.PPC)
    )
    case = CaseRepository(store.session).add(Case(
        id=new_id(), mediator_id=mediator.id, reference="SEND-1", case_date=date(2026, 3, 2),
        kind=CaseKind.MEDIATION, trainee_role=TraineeRole.CO_MEDIATING,
        casework_hours=Decimal("4"),
    ))
    before = ObservationRepository(store.session).start(case.id, observer.id, "form2",
                                                        "standards-2018")
    install_form(store.session, ACME.read_text(encoding="utf-8"), ACME.name, make_default=True)
    again = ObservationRepository(store.session).get(before.id)
    assert again.form_version == "standards-2018"
    registry = load_registry(store.session)
    assert registry.get("form2", again.form_version) == standard


def test_cli_forms_add(initialised: vault.Initialised, monkeypatch: pytest.MonkeyPatch,
                       capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    data_dir = initialised.store.data_dir
    initialised.store.close()
    monkeypatch.setenv("SENDOBSERVE_PASSPHRASE", TEST_PASSPHRASE)
    assert main(["--data-dir", str(data_dir), "forms", "add", str(ACME), "--default"]) == 0
    assert "Stored form2 version acme-2024" in capsys.readouterr().out

    bad = tmp_path / "lax.yaml"
    bad.write_text(_dropping("f2.sk.smart_agreement"), encoding="utf-8")
    before = durable_snapshot(data_dir)
    assert main(["--data-dir", str(data_dir), "forms", "add", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "drops core criterion f2.sk.smart_agreement" in err
    assert durable_snapshot(data_dir) == before
