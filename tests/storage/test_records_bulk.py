"""Whole practice records written at once: the real demo data, twice, and read back."""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import date
from decimal import Decimal

import pytest

from sendobserve.demo import build_demo
from sendobserve.errors import UserError
from sendobserve.forms.registry import FormRegistry
from sendobserve.model.domain import PracticeRecord
from sendobserve.model.validation import ValidationError
from sendobserve.paths import resources_dir
from sendobserve.storage.records import RECORD_TABLES
from sendobserve.storage.repositories import (
    load_practice_record,
    load_practice_records,
    put_practice_record,
)
from tests.storage.records_conftest import RecordsDb, db, repos

__all__ = ["db"]

TODAY = date(2026, 11, 2)


def store_standard_forms(db: RecordsDb) -> FormRegistry:
    registry = FormRegistry.standard()
    forms = repos(db).forms
    for path in sorted((resources_dir() / "forms").glob("*.yaml")):
        form = next(f for f in registry if path.name.startswith(f.form_id + "-"))
        forms.store(form.form_id, form.version, path.read_text(encoding="utf-8"))
    return registry


def counts(db: RecordsDb) -> dict[str, int]:
    return {t: db.count(t) for t in RECORD_TABLES}


def same_contents(a: PracticeRecord, b: PracticeRecord) -> None:
    """Equal field by field, ignoring the order of each collection."""
    assert a.mediator == b.mediator
    for f in fields(PracticeRecord):
        if f.name != "mediator":
            assert set(getattr(a, f.name)) == set(getattr(b, f.name)), f.name
            assert len(getattr(a, f.name)) == len(getattr(b, f.name)), f.name


def test_the_demo_goes_in_once_and_comes_back_whole(db: RecordsDb) -> None:
    registry = store_standard_forms(db)
    demo = build_demo(registry, today=TODAY)
    with db.sessions() as s:
        results = [put_practice_record(s, rec, today=TODAY) for rec in demo.records]
    assert all(r.changed for r in results)
    after_first = counts(db)
    assert after_first["observations"] == sum(len(r.observations) for r in demo.records) > 0
    assert after_first["marks"] == sum(len(r.marks) for r in demo.records) > 0
    # Idempotent: the second time adds nothing.
    with db.sessions() as s:
        again = [put_practice_record(s, rec, today=TODAY) for rec in demo.records]
    assert not any(r.changed for r in again)
    assert counts(db) == after_first
    db.reopen()
    with db.sessions() as s:
        loaded = load_practice_records(s)
    assert set(loaded) == {r.mediator.id for r in demo.records}
    for rec in demo.records:
        same_contents(loaded[rec.mediator.id], rec)
    # The repositories see the same thing.
    r = repos(db)
    ready = demo.by_name("Siobhán Ó Dálaigh")
    assert r.mediators.find("siob") == (ready.mediator,)
    assert r.cases.list_for_mediator(ready.mediator.id) == ready.cases


def test_missing_form_versions_and_bad_records_store_nothing(db: RecordsDb) -> None:
    demo = build_demo(FormRegistry.standard(), today=TODAY)
    ready = demo.by_name("Siobhán Ó Dálaigh")
    before = counts(db)
    with db.sessions() as s, pytest.raises(UserError, match="form versions are not stored"):
        put_practice_record(s, ready, today=TODAY)
    assert counts(db) == before
    store_standard_forms(db)
    before = counts(db)
    bad = replace(ready, cases=(replace(ready.cases[0], casework_hours=Decimal(-1)),
                                *ready.cases[1:]))
    with db.sessions() as s, pytest.raises(ValidationError, match="Casework hours"):
        put_practice_record(s, bad, today=TODAY)
    stranger = replace(ready, training=(replace(ready.training[0],
                                                mediator_id=demo.records[1].mediator.id),))
    with db.sessions() as s, pytest.raises(ValidationError, match="belongs to another mediator"):
        put_practice_record(s, stranger, today=TODAY)
    assert counts(db) == before
    with db.sessions() as s:
        put_practice_record(s, ready, today=TODAY)
        assert load_practice_record(s, ready.mediator.id).mediator == ready.mediator
