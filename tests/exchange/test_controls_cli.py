"""`export --since-last-to`, `export --preview` counts of the new kinds, and `conflicts
list|resolve` on every kind, headless."""

from __future__ import annotations

from pathlib import Path

import pytest

from sendobserve.model.domain import MarkState
from tests.helpers import snapshot

from .factories import CRITERIA
from .storekit import add_finalised_observation, add_observer, add_people, amend_observation
from .test_exchange_cli import Installation, bundle_pass  # noqa: F401 - the fixture
from .test_whole_record import _export_record, _fill_logs


def test_since_last_to_sends_only_what_changed_and_says_when_nothing_did(
    tmp_path: Path, bundle_pass: Path, capsys: pytest.CaptureFixture[str],  # noqa: F811
) -> None:
    a = Installation(tmp_path, "a")
    trainee, ppc = add_people(a.temp)
    add_finalised_observation(a.temp, trainee, ppc, "LA-1")
    _fill_logs(a.temp, trainee.id, ppc.id)
    assert a.run("export", "--mediator", "siobhan", "--since-last-to", "Dev Patel",
                 "--preview") == 0
    out = capsys.readouterr().out
    assert "changed since the last export to Dev Patel" in out
    for kind in ("observations: 1", "reflections: 1", "certificates: 0", "deletions: 0",
                 "decisions: 0"):
        assert kind in out
    first = tmp_path / "first.sendobs"
    assert a.run("export", "--mediator", "siobhan", "--since-last-to", "Dev Patel",
                 "--bundle-passphrase-file", str(bundle_pass), "-o", str(first),
                 "--as", "Łucja Żak") == 0
    assert "Only what changed since the last export to Dev Patel" in capsys.readouterr().out
    before = snapshot(a.data_dir)
    assert a.run("export", "--mediator", "siobhan", "--since-last-to", "dev patel",
                 "--bundle-passphrase-file", str(bundle_pass), "-o",
                 str(tmp_path / "second.sendobs"), "--as", "Łucja Żak") == 1
    assert "has changed since the last export to dev patel" in capsys.readouterr().err
    assert snapshot(a.data_dir) == before and not (tmp_path / "second.sendobs").exists()
    assert a.run("export", "--mediator", "siobhan", "--since-last-to", "Dev Patel",
                 "--scope", "record", "--preview") == 1
    assert "scope of its own" in capsys.readouterr().err


def test_conflicts_lists_and_resolves_an_observation_with_a_role_check(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    a = Installation(tmp_path, "a")
    other = Installation(tmp_path, "b")
    trainee, ppc = add_people(a.temp)
    oid = add_finalised_observation(a.temp, trainee, ppc, "LA-1")
    other.temp.import_bytes(_export_record(a.temp, trainee.id))
    amend_observation(a.temp, oid, CRITERIA[1], MarkState.DEMONSTRATED, "Łucja Żak")
    amend_observation(other.temp, oid, CRITERIA[1], MarkState.NOT_APPLICABLE, "Łucja Żak")
    a.temp.import_bytes(_export_record(other.temp, trainee.id))
    add_observer(a.temp, "Dev Patel")
    assert a.run("conflicts") == 0
    listing = capsys.readouterr().out
    assert f"--record observation:{oid.hex}" in listing and "Kept version" in listing
    before = snapshot(a.data_dir)
    assert a.run("conflicts", "resolve", "--record", f"observation:{oid.hex}", "--keep",
                 "current", "--by", "Dev Patel", "--reason", "Mine") == 1
    assert "may not decide" in capsys.readouterr().err
    assert a.run("conflicts", "resolve", "--record", f"nonsense:{oid.hex}", "--keep",
                 "current", "--by", "Łucja Żak", "--reason", "Mine") == 1
    assert "is not a kind of record" in capsys.readouterr().err
    assert snapshot(a.data_dir) == before
    assert a.run("conflicts", "resolve", "--record", f"observation:{oid.hex}", "--keep",
                 "current", "--by", "Łucja Żak", "--reason", "Matches the recording") == 0
    assert "signed by this installation" in capsys.readouterr().out
    assert a.run("conflicts") == 0
    assert "No conflicting versions" in capsys.readouterr().out


def test_a_merged_version_written_from_the_listing_settles_a_record_conflict(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    import json
    from dataclasses import replace
    from decimal import Decimal

    from sendobserve.storage.repositories import PracticeRepository, in_session

    from .test_whole_record import _record

    a, b = Installation(tmp_path, "a"), Installation(tmp_path, "b")
    trainee, ppc = add_people(a.temp)
    add_finalised_observation(a.temp, trainee, ppc, "LA-1")
    _fill_logs(a.temp, trainee.id, ppc.id)
    b.temp.import_bytes(_export_record(a.temp, trainee.id))
    reflection = _record(a.temp, trainee.id).reflections[0]
    for inst, hours in ((a, "2"), (b, "2.5")):
        with inst.temp.session() as s:
            PracticeRepository(in_session(s)).update(replace(reflection, hours=Decimal(hours)))
    a.temp.import_bytes(_export_record(b.temp, trainee.id))
    assert a.run("conflicts") == 0
    listing = capsys.readouterr().out
    line = next(ln for ln in listing.splitlines() if "Current version as JSON" in ln)
    fields = json.loads(line.split(": ", 1)[1])
    assert fields["hours"] == "2"
    merged = tmp_path / "merged.json"
    merged.write_text(json.dumps(dict(fields, hours="2.25")), encoding="utf-8")
    assert a.run("conflicts", "resolve", "--record", f"reflections:{reflection.id.hex}",
                 "--keep", "merged", "--merged", str(merged), "--by", "Łucja Żak",
                 "--reason", "Both were rounded") == 0
    capsys.readouterr()
    assert _record(a.temp, trainee.id).reflections[0].hours == Decimal("2.25")
    b.temp.import_bytes(_export_record(a.temp, trainee.id))
    assert _record(b.temp, trainee.id).reflections[0].hours == Decimal("2.25")
    assert b.run("conflicts") == 0
    assert "No conflicting versions" in capsys.readouterr().out


def test_conflicts_lists_two_certificates_as_decidable_and_resolves_by_serial(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    from datetime import timedelta

    from sendobserve.model.domain import utcnow
    from sendobserve.storage.repositories import in_session
    from sendobserve.storage.repositories.certificates import CertificateRepository

    a, b = Installation(tmp_path, "a"), Installation(tmp_path, "b")
    trainee, ppc = add_people(a.temp)
    add_finalised_observation(a.temp, trainee, ppc, "LA-1")
    b.temp.import_bytes(_export_record(a.temp, trainee.id))
    serials = []
    for store, code, days in ((a.temp, "AAAA1111", 0), (b.temp, "BBBB2222", 366)):
        with store.session() as s:
            serials.append(CertificateRepository(in_session(s)).issue_or_reprint(
                form_number=4, mediator_id=trainee.id, signer_id=ppc.id,
                signer_name=ppc.name, issued_on=utcnow().date() - timedelta(days=days),
                code_for=lambda _s, c=code: c)[0].serial)
    a.temp.import_bytes(_export_record(b.temp, trainee.id))
    assert a.run("conflicts") == 0
    listing = capsys.readouterr().out
    record = f"certificate:{trainee.id.hex}/4"
    assert "two certificates on Form 4" in listing and f"--record {record}" in listing
    before = snapshot(a.data_dir)
    assert a.run("conflicts", "resolve", "--record", record, "--keep", "SO4-1999-000009",
                 "--by", ppc.name, "--reason", "The PPC's") == 1
    assert "is not the serial" in capsys.readouterr().err
    assert a.run("conflicts", "resolve", "--record", f"certificate:{trainee.id.hex}/7",
                 "--keep", serials[1], "--by", ppc.name, "--reason", "The PPC's") == 1
    assert "does not name a trainee's certificate" in capsys.readouterr().err
    assert snapshot(a.data_dir) == before
    assert a.run("conflicts", "resolve", "--record", record, "--keep", serials[1], "--by",
                 ppc.name, "--reason", "Issued first, on the PPC's laptop") == 0
    assert f"Form 4 {serials[1]} stands" in capsys.readouterr().out
    assert a.run("conflicts") == 0
    assert "No conflicting versions" in capsys.readouterr().out
    with a.temp.session() as s:
        assert CertificateRepository(in_session(s)).find(trainee.id, 4).serial == serials[1]
