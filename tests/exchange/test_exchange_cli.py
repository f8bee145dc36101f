"""The exchange commands end to end, on real stores made by 'init'."""

from __future__ import annotations

import random
import re
import subprocess
import sys
from pathlib import Path

import pytest

from sendobserve.cli import main
from sendobserve.exchange.bundle import seal
from sendobserve.storage import vault
from tests.helpers import FAST_SCRYPT, TEST_PASSPHRASE, snapshot, subprocess_env

from .factories import sample_payload
from .storekit import PASS, TempStore, add_finalised_observation, add_observer, add_people
from .test_bundle_fuzz import _mutate

BUNDLE_PASS = "our shared exchange phrase"


class Installation:
    """A store made the way a user makes one, driven through the CLI."""

    def __init__(self, root: Path, name: str) -> None:
        self.data_dir = root / name
        created = vault.initialise(self.data_dir, TEST_PASSPHRASE, scrypt=FAST_SCRYPT)
        self.data_key = created.data_key
        created.store.close()
        self.passfile = root / f"{name}.pass"
        self.passfile.write_text(TEST_PASSPHRASE + "\n", encoding="utf-8")

    def run(self, *argv: str) -> int:
        return main(["--data-dir", str(self.data_dir), "--passphrase-file", str(self.passfile),
                     *argv])

    @property
    def temp(self) -> TempStore:
        return TempStore(self.data_dir, self.data_key)


@pytest.fixture
def bundle_pass(tmp_path: Path) -> Path:
    path = tmp_path / "bundle.pass"
    path.write_text(BUNDLE_PASS + "\n", encoding="utf-8")
    return path


def test_identity_prints_a_stable_fingerprint(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    inst = Installation(tmp_path, "a")
    assert inst.run("identity", "--set-name", "Łucja Żak (PPC)") == 0
    first = capsys.readouterr().out
    assert inst.run("identity") == 0
    second = capsys.readouterr().out
    fp = re.search(r"Fingerprint: ((?:[A-Z2-7]{4} ){7}[A-Z2-7]{4})", first)
    assert fp and fp.group(1) in second
    assert "Łucja Żak (PPC)" in second


def test_export_then_import_with_preview(tmp_path: Path, bundle_pass: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    a, b = Installation(tmp_path, "a"), Installation(tmp_path, "b")
    trainee, ppc = add_people(a.temp)
    add_finalised_observation(a.temp, trainee, ppc, "LA-9")
    out = tmp_path / "for-b.sendobs"
    assert a.run("export", "--mediator", "siobhan", "--bundle-passphrase-file",
                 str(bundle_pass), "-o", str(out), "--as", "Łucja Żak") == 0
    assert "Exported 1 finalised observation" in capsys.readouterr().out

    # Without --yes and without a terminal: shows the preview, imports nothing.
    before = snapshot(b.data_dir)
    assert b.run("import", str(out), "--bundle-passphrase-file", str(bundle_pass)) == 1
    captured = capsys.readouterr()
    assert "Signed by: Łucja Żak" in captured.out and "--yes" in captured.err
    assert b.temp.dump()["observations"] == []
    assert b.run("import", str(out), "--bundle-passphrase-file", str(bundle_pass),
                 "--yes") == 0
    assert "Imported: 1 new" in capsys.readouterr().out
    assert len(b.temp.dump()["observations"]) == 1
    assert snapshot(b.data_dir) != before
    assert b.run("conflicts") == 0
    assert "No conflicting versions" in capsys.readouterr().out


def test_refused_files_leave_every_store_file_byte_identical(
    tmp_path: Path, bundle_pass: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from sendobserve.pki.identity import Identity

    b = Installation(tmp_path, "b")
    good = seal(sample_payload(2), passphrase=BUNDLE_PASS, signing_key=Identity.generate(),
                kdf_log2_n=14)
    assert b.run("import", "--yes", "--bundle-passphrase-file", str(bundle_pass),
                 _write(tmp_path / "good.sendobs", good)) == 0
    capsys.readouterr()
    before = snapshot(b.data_dir)
    rng = random.Random(99)
    wrong = tmp_path / "wrong.pass"
    wrong.write_text("not the passphrase at all", encoding="utf-8")
    cases = [(good, wrong)] + [(_mutate(rng, good, []), bundle_pass) for _ in range(120)]
    refused = 0
    for data, passfile in cases:
        if data == good:
            continue
        path = _write(tmp_path / "bad.sendobs", data)
        code = b.run("import", "--yes", "--bundle-passphrase-file", str(passfile), path)
        err = capsys.readouterr().err
        assert code == 1, err
        assert err.startswith("sendobserve: ") and "Traceback" not in err
        assert snapshot(b.data_dir) == before
        refused += 1
    assert refused >= 110


def _write(path: Path, data: bytes) -> str:
    path.write_bytes(data)
    return str(path)


def test_export_csv_minimised(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a = Installation(tmp_path, "a")
    trainee, ppc = add_people(a.temp)
    add_finalised_observation(a.temp, trainee, ppc, "LA-7")
    out = tmp_path / "marks.csv"
    assert a.run("export-csv", "--mediator", trainee.name, "--what", "marks", "-o",
                 str(out)) == 0
    text = out.read_text(encoding="utf-8")
    assert "LA-7" in text and "Checked understanding" not in text
    assert a.run("export-csv", "--all", "--what", "hours", "-o", str(out)) == 1  # exists
    assert "already exists" in capsys.readouterr().err


KILL_SCRIPT = """
import sys
from pathlib import Path
from sendobserve.exchange.apply import apply_import
from sendobserve.exchange.bundle import open_bundle
from sendobserve.storage.db import open_store
data_dir, key_hex, bundle, passphrase = sys.argv[1:]
opened = open_bundle(Path(bundle).read_bytes(), passphrase=passphrase)
store = open_store(Path(data_dir), bytes.fromhex(key_hex), daily_backup=False)
with store.session() as session:
    apply_import(session, opened)
store.close()
print("imported")
"""


def test_kill_during_import_leaves_the_store_as_before_or_fully_imported(
    tmp_path: Path,
) -> None:
    src = TempStore.create(tmp_path / "src")
    trainee, ppc = add_people(src)
    for i in range(4):
        add_finalised_observation(src, trainee, ppc if i % 2 else add_observer(src, f"O {i}"),
                                  f"LA-{i}", seed=i)
    data = src.export(trainee.id)
    bundle = _write(tmp_path / "f.sendobs", data)
    dest = TempStore.create(tmp_path / "dest")
    other, other_ppc = add_people(dest, mediator_name="Another Trainee")
    add_finalised_observation(dest, other, other_ppc, "HERE-1")
    before = dest.dump()
    argv = [sys.executable, "-c", KILL_SCRIPT, str(dest.data_dir), dest.key.hex(), bundle, PASS]

    killed = subprocess.run(argv, env=subprocess_env(SENDOBSERVE_CRASH_AT=
                                                     "exchange.import.mid_apply"),
                            capture_output=True, text=True, timeout=120)
    assert killed.returncode in (-9, 137), killed.stderr
    assert "imported" not in killed.stdout
    assert dest.dump() == before

    done = subprocess.run(argv, env=subprocess_env(), capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    # Fully imported: exactly what was there plus what a fresh store gets from the file.
    reference = TempStore.create(tmp_path / "reference")
    reference.import_bytes(data)
    after, imported = dest.dump(), reference.dump()
    assert len(after["observations"]) == 5
    for table in after:
        assert set(after[table]) == set(before[table]) | set(imported[table]), table


def test_export_to_an_exchange_key_opens_without_a_shared_passphrase(
    tmp_path: Path, bundle_pass: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a, b, c = (Installation(tmp_path, n) for n in "abc")
    assert b.run("identity") == 0
    key = re.search(r"Exchange key: ((?:[A-Z2-7]{4} ){13}[A-Z2-7]{4})",
                    capsys.readouterr().out)
    assert key
    trainee, ppc = add_people(a.temp)
    add_finalised_observation(a.temp, trainee, ppc, "LA-3")
    out = tmp_path / "to-b.sendobs"
    assert a.run("export", "--mediator", trainee.name, "--bundle-passphrase-file",
                 str(bundle_pass), "-o", str(out), "--as", "Ann", "--to-key",
                 key.group(1).lower()) == 0
    capsys.readouterr()
    assert b.run("import", str(out), "--yes") == 0
    assert "Imported: 1 new" in capsys.readouterr().out
    # Another installation has no key for it, and no passphrase was given: refused cleanly.
    assert c.run("identity") == 0
    capsys.readouterr()
    before = snapshot(c.data_dir)
    assert c.run("import", str(out), "--yes") == 1
    assert "no file passphrase given" in capsys.readouterr().err
    assert c.temp.dump()["observations"] == []
    assert snapshot(c.data_dir) == before
    # A mistyped key is refused before anything is written.
    typo = key.group(1)[:-1] + ("A" if key.group(1)[-1] != "A" else "B")
    assert a.run("export", "--mediator", trainee.name, "--bundle-passphrase-file",
                 str(bundle_pass), "-o", str(tmp_path / "x.sendobs"), "--as", "Ann",
                 "--to-key", typo) == 1
    assert "typing mistake" in capsys.readouterr().err
    assert not (tmp_path / "x.sendobs").exists()


def test_identity_revoke_marks_a_known_signer_and_refuses_unknown_ones(
    tmp_path: Path, bundle_pass: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    a, b = Installation(tmp_path, "a"), Installation(tmp_path, "b")
    trainee, ppc = add_people(a.temp)
    add_finalised_observation(a.temp, trainee, ppc, "LA-9")
    out = tmp_path / "for-b.sendobs"
    assert a.run("export", "--mediator", "siobhan", "--bundle-passphrase-file",
                 str(bundle_pass), "-o", str(out), "--as", "Siobhán") == 0
    assert b.run("import", str(out), "--bundle-passphrase-file", str(bundle_pass),
                 "--yes") == 0
    assert a.run("identity") == 0
    fp = re.search(r"Fingerprint: ((?:[A-Z2-7]{4} ){7}[A-Z2-7]{4})",
                   capsys.readouterr().out)
    assert fp
    before = snapshot(b.data_dir)
    assert b.run("identity", "--revoke", "AAAA BBBB", "--from", "2026-01-01", "--reason",
                 "Lost", "--by", "Łucja Żak") == 1
    assert "no known signer" in capsys.readouterr().err
    assert b.run("identity", "--revoke", fp.group(1), "--from", "2026-01-01") == 1
    assert "--revoke needs" in capsys.readouterr().err
    assert snapshot(b.data_dir) == before
    assert b.run("identity", "--revoke", fp.group(1).lower(), "--from", "2026-01-01",
                 "--reason", "Laptop stolen", "--by", "Łucja Żak") == 0
    assert b.run("identity") == 0
    listing = capsys.readouterr().out
    assert f"{fp.group(1)}  Siobhán" in listing
    assert "REVOKED from 2026-01-01 00:00 UTC (Laptop stolen; Łucja Żak)" in listing
