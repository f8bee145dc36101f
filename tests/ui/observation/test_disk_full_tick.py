"""A tick on a full disk shows "Not saved — the disk is full", never "Saved", and the same
tick works once space returns (a real small disk: tmpfs, mounted as root)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sendobserve.model.domain import MarkState
from sendobserve.storage.db import Store
from sendobserve.ui.observation.session import ObservationSession, SaveStatus
from tests.storage.test_disk_full import _fill, _free
from tests.ui.conftest import make_service, reopen

PUNCTUAL = "f2.pm.arrive_punctually"
pytestmark = pytest.mark.skipif(
    sys.platform != "linux" or os.geteuid() != 0, reason="mounts a small tmpfs (root, Linux)"
)


@pytest.fixture
def data_dir(tmp_path: Path) -> Iterator[Path]:
    """The store's folder on a 6 MB disk of its own."""
    mount = tmp_path / "disk"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=6m", "tmpfs", str(mount)], check=True)
    try:
        yield mount / "data"
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_tick_on_a_full_disk_is_not_shown_as_saved(
    qapp: Any, store: Store, forms: Any, service: Any, draft: Any, data_dir: Path
) -> None:
    session = ObservationSession(service, draft)
    statuses: list[tuple[str, str]] = []
    session.saveStatusChanged.connect(lambda s, t: statuses.append((s, t)))
    _fill(data_dir.parent)
    assert session.set_state(PUNCTUAL, MarkState.DEMONSTRATED) is None
    assert statuses[-1][0] == SaveStatus.FAILED
    assert statuses[-1][1].startswith("Not saved — the disk is full")
    assert ("saved", "Saved") not in statuses
    assert session.model.state_of(PUNCTUAL) is MarkState.NOT_YET_SEEN

    _free(data_dir.parent)
    mark = session.set_state(PUNCTUAL, MarkState.DEMONSTRATED)
    assert mark is not None and statuses[-1] == ("saved", "Saved")
    fresh = reopen(store)
    try:
        assert make_service(fresh, forms).marks(draft.id)[PUNCTUAL].state is MarkState.DEMONSTRATED
    finally:
        fresh.close()
