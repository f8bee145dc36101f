"""Correctly signed files of mutated content: imported or refused, never a crash, and a
refusal never changes a store file. The full run (2,000 files) is
``python -m tests.exchange.payload_fuzz 2000``."""

from __future__ import annotations

from pathlib import Path

import pytest

from .payload_fuzz import run


@pytest.mark.slow
def test_120_signed_mutated_files_import_or_are_refused_cleanly(tmp_path: Path) -> None:
    outcome = run(120, 20261130, tmp_path)
    assert outcome.total == 120
    assert outcome.crashes == []
    assert outcome.changed_on_refusal == 0
    # The mutations reach the decoder's refusals and also make files it accepts.
    assert outcome.refused["invalid_payload"] > 60
    assert outcome.accepted > 0
