"""The other screens' reads on a real store."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from sendobserve.demo import GAPS, READY, fill_store
from sendobserve.services import screens_reads as reads
from sendobserve.storage.db import Store

TODAY = date(2026, 6, 1)


def test_lists_choices_and_verdicts_come_from_one_place(store: Store) -> None:
    fill_store(store, today=TODAY)
    names = [m.name for m in reads.mediators(store)]
    assert READY in names and GAPS in names
    ready = next(m for m in reads.mediators(store) if m.name == READY)
    assert reads.mediator(store, ready.id) == ready
    offered, signer, _observers = reads.export_choices(store)
    assert [m.name for m in offered] == names and signer == ""
    reported: list[tuple[int, int]] = []
    verdicts = reads.panel(store, today=TODAY, progress=lambda n, t: reported.append((n, t)))
    assert {v.mediator_id for v in verdicts} == {m.id for m in offered}
    assert reported and reported[-1][0] == reported[-1][1]
    plan, people = reads.retention_choices(store, today=TODAY)
    assert [p.name for p in people] == names and plan.items is not None


def test_a_subject_access_report_lists_what_the_store_holds(store: Store, tmp_path: Path) -> None:
    fill_store(store, today=TODAY)
    ready = next(m for m in reads.mediators(store) if m.name == READY)
    target = tmp_path / "report.pdf"
    count = reads.save_subject_access(store, ready.id, READY, target, made_on=TODAY)
    held = json.loads(target.with_suffix(".json").read_text("utf-8"))
    assert target.read_bytes().startswith(b"%PDF")
    assert held["person"] == READY
    assert count == sum(len(rows) for rows in held["records"].values()) > 0


def test_private_settings_live_in_the_store(store: Store) -> None:
    meta = reads.StoreMeta(store)
    assert meta.get("observer_name") is None
    meta.set("observer_name", "Anjali Patel")
    assert reads.StoreMeta(store).get("observer_name") == "Anjali Patel"  # read back fresh
