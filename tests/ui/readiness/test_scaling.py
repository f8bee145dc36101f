"""At 200 % (QT_SCALE_FACTOR=2, read when Qt starts, so in a child process) the matrix
still fits a 1280×800 window: no sideways scrolling, a readable criterion column."""

from __future__ import annotations

import json
import subprocess
import sys

from sendobserve.demo import GAPS
from sendobserve.storage import vault
from tests.helpers import REPO_ROOT, TEST_PASSPHRASE, subprocess_env
from tests.ui.readiness.conftest import mediator_id

CHILD = """
import json, sys
from datetime import date
from pathlib import Path
from PySide6.QtWidgets import QApplication
from sendobserve.storage import vault
from sendobserve.ui.readiness.data import InlineRunner
from sendobserve.ui.readiness.view import ReadinessView
import uuid
app = QApplication([])
store = vault.open_with_secret(Path(sys.argv[1]), sys.argv[2]).store
view = ReadinessView(store, uuid.UUID(sys.argv[3]), runner=InlineRunner())
view.resize(1280, 800)
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
}))
store.close()
"""


def test_readiness_screen_at_200_percent(initialised: vault.Initialised) -> None:
    from sendobserve.demo import fill_store
    from tests.ui.readiness.conftest import TODAY

    fill_store(initialised.store, today=TODAY)
    data_dir = initialised.store.data_dir
    initialised.store.close()
    result = subprocess.run(
        [sys.executable, "-c", CHILD, str(data_dir), TEST_PASSPHRASE, str(mediator_id(GAPS))],
        capture_output=True, text=True, timeout=120, cwd=REPO_ROOT,
        env=subprocess_env(QT_QPA_PLATFORM="offscreen", QT_SCALE_FACTOR="2"),
    )
    assert result.returncode == 0, result.stderr[-1500:]
    facts = json.loads(result.stdout.strip().splitlines()[-1])
    assert facts["ratio"] == 2.0
    assert facts["image"] == [2560, 1600]
    assert facts["sideways"] is False
    assert facts["criterion"] >= 26 * facts["char"]
    assert facts["panel_width"] >= 30 * facts["char"]
