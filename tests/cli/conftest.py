"""The demo store the command-line tests work on."""

from __future__ import annotations

from pathlib import Path

import pytest

from sendobserve.cli import main
from sendobserve.storage import vault
from tests.helpers import TEST_PASSPHRASE


@pytest.fixture
def demo_dir(initialised: vault.Initialised, monkeypatch: pytest.MonkeyPatch,
             capsys: pytest.CaptureFixture[str]) -> Path:
    """A store filled by ``sendobserve demo``, closed; the passphrase in the environment,
    as a person running commands would set it."""
    data_dir = initialised.store.data_dir
    initialised.store.close()
    monkeypatch.setenv("SENDOBSERVE_PASSPHRASE", TEST_PASSPHRASE)
    monkeypatch.delenv("SENDOBSERVE_DATA_DIR", raising=False)
    assert main(["--data-dir", str(data_dir), "demo"]) == 0
    assert "Added the demo practice period" in capsys.readouterr().out
    return data_dir
