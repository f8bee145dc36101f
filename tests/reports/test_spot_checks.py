"""Spot checks (§1.4.2 ii) on a real store: a reproducible draw, signed packs that
'sendobserve verify' accepts, a manifest whose hashes match, and the draw logged."""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import text

from sendobserve import demo
from sendobserve.errors import UserError
from sendobserve.reports.packs import draw_sample
from sendobserve.services.packs import run_spot_check
from sendobserve.storage.db import Store
from sendobserve.storage.repositories import MediatorRepository
from tests.helpers import durable_snapshot

TODAY = date(2026, 11, 30)


@given(st.lists(st.uuids(), max_size=40, unique=True), st.integers(0, 50),
       st.integers(0, 2**63 - 1))
def test_the_draw_is_reproducible_and_ignores_the_order_given(
        ids: list[uuid.UUID], size: int, seed: int) -> None:
    first = draw_sample(ids, size, seed)
    assert first == draw_sample(list(reversed(ids)), size, seed)
    assert len(first) == min(size, len(ids)) and len(set(first)) == len(first)
    assert set(first) <= set(ids)


@pytest.fixture
def panel(store: Store) -> Store:
    demo.fill_store(store, today=TODAY)
    repo = MediatorRepository(store.session)
    for m in repo.list():  # three panel members: the renewing one and two more
        if m.name in (demo.READY, demo.PASSPORTED):
            repo.update(replace(m, accredited_on=TODAY - timedelta(days=200)), today=TODAY)
    return store


def _verify(pdf: Path, data_dir: Path) -> int:
    from sendobserve.cli import main

    return main(["--data-dir", str(data_dir), "verify", str(pdf)])


def test_a_spot_check_writes_signed_packs_and_a_manifest_and_logs_the_draw(
        panel: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    from tests.helpers import TEST_PASSPHRASE

    out = tmp_path / "check"
    result = run_spot_check(panel, size=2, out_dir=out, signer="Dana Whitfield", seed=42,
                            today=TODAY)
    assert result.seed == 42 and result.population == 3 and len(result.files) == 2
    manifest = json.loads(result.manifest.read_text())
    assert manifest["seed"] == 42 and manifest["size"] == 2 and manifest["population"] == 3
    population = [uuid.UUID(hex=h) for h in manifest["population_ids"]]
    drawn = [uuid.UUID(m["mediator_id"]) for m in manifest["members"]]
    assert drawn == draw_sample(population, 2, 42)  # anyone can repeat it
    for member, path in zip(manifest["members"], result.files, strict=True):
        assert hashlib.sha256(path.read_bytes()).hexdigest() == member["sha256"]
    from tests.reports.conftest import pdf_text

    summary = pdf_text(result.manifest_pdf.read_bytes())
    assert "seed 42" in summary.replace("\n", " ")
    assert hashlib.sha256(result.manifest.read_bytes()).hexdigest() in summary.replace("\n", "")
    pack = pdf_text(result.files[0].read_bytes())
    assert "CPD log" in pack and "Mentoring and supervision" in pack
    panel.close()
    monkeypatch.setenv("SENDOBSERVE_PASSPHRASE", TEST_PASSPHRASE)
    for pdf in (result.manifest_pdf, *result.files):
        assert _verify(pdf, panel.data_dir) == 0
        assert "Intact and trusted: signed by Dana Whitfield" in capsys.readouterr().out
    # A tampered pack is refused.
    bad = tmp_path / "bad.pdf"
    data = bytearray(result.files[0].read_bytes())
    data[len(data) // 2] ^= 0x01
    bad.write_bytes(bytes(data))
    assert _verify(bad, panel.data_dir) != 0


def test_the_draw_and_its_outcome_are_logged(panel: Store, tmp_path: Path) -> None:
    result = run_spot_check(panel, size=5, out_dir=tmp_path / "c", signer="Dana Whitfield",
                            seed=7, today=TODAY)
    with panel.engine.connect() as conn:
        row = conn.execute(text("SELECT seed, population, sample, signer, outcome,"
                                " manifest_sha256 FROM spot_checks WHERE id = :i"),
                           {"i": result.check_id.hex}).one()
    assert row.seed == "7" and row.population == 3 and row.signer == "Dana Whitfield"
    assert len(json.loads(row.sample)) == 3  # all of them: fewer members than asked
    assert {o["meets"] for o in json.loads(row.outcome)} <= {True, False}
    assert row.manifest_sha256 == hashlib.sha256(result.manifest.read_bytes()).hexdigest()


def test_bad_requests_are_refused_and_change_nothing(panel: Store, tmp_path: Path) -> None:
    full = tmp_path / "full"
    full.mkdir()
    (full / "other.txt").write_text("keep me")
    before = durable_snapshot(tmp_path)
    with pytest.raises(UserError, match="not empty"):
        run_spot_check(panel, size=1, out_dir=full, signer="Dana", today=TODAY)
    with pytest.raises(UserError, match="name of the person"):
        run_spot_check(panel, size=1, out_dir=tmp_path / "x", signer="  ", today=TODAY)
    with pytest.raises(UserError, match="at least 1"):
        run_spot_check(panel, size=0, out_dir=tmp_path / "x", signer="Dana", today=TODAY)
    assert durable_snapshot(tmp_path) == before
    with panel.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM spot_checks")).scalar() == 0


def test_a_panel_with_nobody_accredited_has_nobody_to_check(store: Store, tmp_path: Path) -> None:
    with pytest.raises(UserError, match="nobody to spot-check"):
        run_spot_check(store, size=1, out_dir=tmp_path / "x", signer="Dana", today=TODAY)


def test_a_cancelled_spot_check_writes_and_logs_nothing(panel: Store, tmp_path: Path) -> None:
    from sendobserve.reports.styles import ReportCancelled

    seen: list[tuple[int, int]] = []
    with pytest.raises(ReportCancelled):
        run_spot_check(panel, size=3, out_dir=tmp_path / "c", signer="Dana", seed=3,
                       today=TODAY, progress=lambda d, t: seen.append((d, t)),
                       cancelled=lambda: len(seen) == 1)
    assert seen == [(1, 3)]
    assert not (tmp_path / "c").exists()  # no pack, no manifest, not even the folder
    with panel.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM spot_checks")).scalar() == 0
    run_spot_check(panel, size=3, out_dir=tmp_path / "c", signer="Dana", seed=3, today=TODAY,
                   progress=lambda d, t: seen.append((d, t)))
    assert seen[1:] == [(1, 3), (2, 3), (3, 3)]
