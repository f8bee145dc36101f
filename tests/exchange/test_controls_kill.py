"""A kill during the import of a file carrying tombstones, decisions, certificates and
case edits leaves the store as it was, or fully imported (one transaction)."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

from sendobserve.exchange.apply import CRASH_MID_CONTROLS
from sendobserve.exchange.decide import decide_record
from sendobserve.storage import exchange_controls as controls_store
from sendobserve.storage.repositories import CaseRepository, PracticeRepository, in_session
from sendobserve.storage.repositories.certificates import CertificateRepository
from tests.helpers import subprocess_env

from .storekit import PASS, TempStore, add_finalised_observation, add_people
from .test_controls import TODAY
from .test_exchange_cli import KILL_SCRIPT
from .test_whole_record import _export_record, _fill_logs, _record


def test_kill_while_applying_controls_leaves_the_store_as_before_or_fully_imported(
    tmp_path: Path,
) -> None:
    src, dest = TempStore.create(tmp_path / "src"), TempStore.create(tmp_path / "dest")
    trainee, ppc = add_people(src)
    add_finalised_observation(src, trainee, ppc, "LA-1")
    _fill_logs(src, trainee.id, ppc.id)
    dest.import_bytes(_export_record(src, trainee.id))
    record = _record(src, trainee.id)
    reflection, cpd = record.reflections[0], record.cpd[0]
    case = next(c for c in record.cases if c.reference == "LA-NO-OBS")
    # Both edit the CPD entry: a conflict; the source's PPC decides for the source's hours.
    for ts, hours in ((src, "5"), (dest, "6")):
        with ts.session() as s:
            PracticeRepository(in_session(s)).update(replace(cpd, hours=Decimal(hours)))
    src.import_bytes(_export_record(dest, trainee.id))
    with src.session() as s:
        decide_record(s, "cpd", cpd.id, keep="current", decided_by=ppc.name, reason="Diary")
        PracticeRepository(in_session(s)).delete(type(reflection), reflection.id)
        CaseRepository(in_session(s)).update(replace(case, reference="LA-RENAMED"))
        CertificateRepository(in_session(s)).issue_or_reprint(
            form_number=4, mediator_id=trainee.id, signer_id=ppc.id, signer_name=ppc.name,
            issued_on=TODAY, code_for=lambda serial: "K7QF2XA9")
    bundle = tmp_path / "f.sendobs"
    bundle.write_bytes(_export_record(src, trainee.id))
    before = dest.dump()
    argv = [sys.executable, "-c", KILL_SCRIPT, str(dest.data_dir), dest.key.hex(),
            str(bundle), PASS]
    # Killed after the control records are stored and before they are applied.
    killed = subprocess.run(argv, env=subprocess_env(SENDOBSERVE_CRASH_AT=CRASH_MID_CONTROLS),
                            capture_output=True, text=True, timeout=120)
    assert killed.returncode in (-9, 137), killed.stderr
    assert "imported" not in killed.stdout
    assert dest.dump() == before

    done = subprocess.run(argv, env=subprocess_env(), capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    after = _record(dest, trainee.id)
    assert after.reflections == ()
    assert next(c for c in after.cases if c.id == case.id).reference == "LA-RENAMED"
    assert [c.hours for c in after.cpd] == [Decimal("5")]
    with dest.session() as s:
        held = CertificateRepository(in_session(s)).find(trainee.id, 4)
        assert held is not None and held.verification_code == "K7QF2XA9"
        assert len(controls_store.decisions(s, mediator_id=trainee.id)) == 1
        assert set(controls_store.tombstones(s)) == {("reflections", reflection.id)}
    assert after.cpd and dest.dump()["record_conflicts"] == []
