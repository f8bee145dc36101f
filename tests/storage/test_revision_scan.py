"""Opening a current store reads the migration names without importing Alembic.

``engine._scan_revisions`` reads ``revision``/``down_revision`` from the migration files; these
tests keep it equal to what Alembic reads, show that it hands over to Alembic for a file
it cannot read plainly, and that unlocking a current store never imports Alembic.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from sendobserve.storage import db, engine, vault
from tests.helpers import TEST_PASSPHRASE, subprocess_env


def test_scan_matches_alembic() -> None:
    script = engine._script()
    assert engine._scan_revisions() is not None
    assert set(db.head_revisions()) == set(script.get_heads())
    assert db.known_revisions() == {rev.revision for rev in script.walk_revisions()}


@pytest.mark.parametrize(
    ("text", "graph"),
    [
        ('revision = "b"\ndown_revision = ("a", "c")\n', {"b": ("a", "c")}),
        ('revision: str = "a"\ndown_revision: str | None = None  # first\n', {"a": ()}),
        ('revision = "a"\ndown_revision = compute()\n', None),  # not a literal: ask Alembic
        ('revision = "a"\nrevision = "b"\ndown_revision = None\n', None),
        ('down_revision = None\n', None),
    ],
)
def test_scan_reads_plain_files_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, graph: object
) -> None:
    (tmp_path / "versions").mkdir()
    (tmp_path / "versions" / "x.py").write_text(text, encoding="utf-8")
    monkeypatch.setattr(engine, "MIGRATIONS_DIR", tmp_path)
    assert engine._scan_revisions() == graph


def test_unlocking_a_current_store_does_not_import_alembic(
    initialised: vault.Initialised, data_dir: Path
) -> None:
    initialised.store.close()
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from sendobserve.storage import vault\n"
        f"store = vault.open_with_secret(Path({str(data_dir)!r}), {TEST_PASSPHRASE!r}).store\n"
        "store.close()\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'alembic'))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], env=subprocess_env(),
                         capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
