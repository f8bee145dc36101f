"""Emitting signals from Python many times must not abort the interpreter at exit."""

from __future__ import annotations

import subprocess
import sys

CODE = """
from PySide6.QtCore import QCoreApplication, QObject, Signal
from sendobserve.ui.qt_compat import emit
app = QCoreApplication([])
class O(QObject):
    s = Signal(int)
o = O()
o.s.connect(lambda v: None)
for i in range(5000):
    emit(o.s, i)
print("ok")
"""


def test_five_thousand_emits_leave_a_clean_exit() -> None:
    result = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr[-500:]
    assert result.stdout.strip() == "ok"
