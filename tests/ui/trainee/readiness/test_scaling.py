"""At 200 % (QT_SCALE_FACTOR=2, read when Qt starts, so in a child process) the matrix
never scrolls sideways and keeps a readable criterion column, in a large window and on a
laptop screen at 200 % (960×600 logical), where the requirements move under the matrix."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from sendobserve.demo import GAPS, READY
from sendobserve.storage import vault
from tests.helpers import REPO_ROOT, TEST_PASSPHRASE, subprocess_env
from tests.ui.trainee.readiness.conftest import mediator_id

CHILD = """
import json, sys
from datetime import date
from pathlib import Path
from PySide6.QtWidgets import QApplication
from sendobserve.storage import vault
from sendobserve.services.screens_trainee import TraineeRecord
from sendobserve.ui.common.tasks import Runner
from sendobserve.ui.trainee.readiness.view import ReadinessView
import uuid
app = QApplication([])
store = vault.open_with_secret(Path(sys.argv[1]), sys.argv[2]).store
view = ReadinessView(TraineeRecord.of(store), uuid.UUID(sys.argv[3]),
                     runner=Runner(synchronous=True))
view.resize(int(sys.argv[4]), int(sys.argv[5]))
view.show()
app.processEvents()
table = view.table
image = view.grab()
print(json.dumps({
    "ratio": view.devicePixelRatioF(),
    "image": [image.width(), image.height()],
    "sideways": table.horizontalScrollBar().isVisible(),
    "criterion": table.columnWidth(0),
    "char": table.fontMetrics().averageCharWidth(),
    "panel_width": view.panel_scroll.width(),
    "side_by_side": view.splitter.orientation().name == "Horizontal",
}))
store.close()
"""


@pytest.mark.parametrize(
    ("who", "size", "side_by_side"),
    [(GAPS, (1280, 800), True), (READY, (960, 600), False)],
)
def test_readiness_screen_at_200_percent(
    initialised: vault.Initialised, who: str, size: tuple[int, int], side_by_side: bool
) -> None:
    from sendobserve.demo import fill_store
    from tests.ui.trainee.readiness.conftest import TODAY

    fill_store(initialised.store, today=TODAY)
    data_dir = initialised.store.data_dir
    initialised.store.close()
    result = subprocess.run(
        [sys.executable, "-c", CHILD, str(data_dir), TEST_PASSPHRASE, str(mediator_id(who)),
         str(size[0]), str(size[1])],
        capture_output=True, text=True, timeout=120, cwd=REPO_ROOT,
        env=subprocess_env(QT_QPA_PLATFORM="offscreen", QT_SCALE_FACTOR="2"),
    )
    assert result.returncode == 0, result.stderr[-1500:]
    facts = json.loads(result.stdout.strip().splitlines()[-1])
    assert facts["ratio"] == 2.0
    assert facts["image"] == [size[0] * 2, size[1] * 2]
    assert facts["sideways"] is False
    assert facts["criterion"] >= 26 * facts["char"]
    assert facts["side_by_side"] is side_by_side
    if side_by_side:
        assert facts["panel_width"] >= 30 * facts["char"]
