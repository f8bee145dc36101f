"""At 200 % (QT_SCALE_FACTOR=2) rows keep their logical size: twice the pixels."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

CODE = """
import sendobserve.ui
from PySide6.QtWidgets import QApplication
app = QApplication([])
from sendobserve.ui.observation.checklist_model import ChecklistModel
from sendobserve.ui.observation.checklist_view import ChecklistView
from sendobserve.forms.registry import FormRegistry
FORM2 = FormRegistry.standard().latest("form2")
view = ChecklistView()
view.setModel(ChecklistModel(FORM2))
view.resize(480, 600)  # a narrow window: long criteria wrap onto more lines
view.show()
app.processEvents()
rows = [view.visualRect(i) for i in view.model().tick_indexes()]
image = view.grab()
print(view.devicePixelRatioF(), min(r.height() for r in rows), max(r.height() for r in rows),
      image.width() / view.width())
"""


def run(scale: str) -> list[float]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", QT_SCALE_FACTOR=scale,
               PYTHONPATH=str(ROOT))
    result = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True,
                            env=env, cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr[-800:]
    return [float(x) for x in result.stdout.split()]


def test_rows_are_finger_sized_and_wrap_at_100_and_200_percent() -> None:
    ratio1, low1, high1, px1 = run("1")
    ratio2, low2, high2, px2 = run("2")
    assert (ratio1, ratio2) == (1.0, 2.0)
    assert low1 >= 44 and low2 >= 44  # logical pixels: 88 device pixels at 200 %
    assert high1 > low1 and high2 > low2  # long criteria wrap rather than being cut off
    assert px2 == 2 * px1
