"""The app's writes say what they changed: an import names the trainees in its file and
nobody else; an import that changes nothing, and removing a demo that is not there,
change nothing."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sendobserve.demo import GAPS, READY, fill_store
from sendobserve.services.changes import EVERYTHING, NOTHING
from sendobserve.services.exchange import export_to_file, open_for_import
from sendobserve.services.screens_writes import import_file, remove_demo_data
from sendobserve.storage.db import Store
from sendobserve.storage.repositories import MediatorRepository
from tests.helpers import FILE_PASSPHRASE


def test_an_import_names_the_trainees_its_file_carries(pair: tuple[Store, Store],
                                                        tmp_path: Path) -> None:
    a, b = pair
    ready = MediatorRepository(a.session).resolve(READY)
    other = MediatorRepository(a.session).resolve(GAPS)
    file = tmp_path / "ready.sendobs"
    export_to_file(a, ready.id, file, passphrase=FILE_PASSPHRASE, exported_by="PPC")
    first = import_file(b, open_for_import(b, file, passphrase=FILE_PASSPHRASE))
    assert first.value.written
    assert first.changes.mediators == {ready.id}
    assert first.changes.touches(ready.id) and not first.changes.touches(other.id)
    assert first.changes.observations and first.changes.marks and not first.changes.everything

    again = import_file(b, open_for_import(b, file, passphrase=FILE_PASSPHRASE))
    assert not again.value.written
    assert again.changes == NOTHING


def test_removing_the_demo_touches_every_list_once(store: Store) -> None:
    assert remove_demo_data(store, today=date(2026, 6, 1)).changes == NOTHING
    fill_store(store, today=date(2026, 6, 1))
    removed = remove_demo_data(store, today=date(2026, 6, 1))
    assert removed.value and removed.changes == EVERYTHING
