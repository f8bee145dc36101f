"""The binding's reference bugs must not abort the app after long use (see qt_compat)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

CODE = """
import sendobserve.ui  # installs the work-around
from PySide6.QtCore import QCoreApplication, QModelIndex, QObject, QStringListModel, Signal, Qt
app = QCoreApplication([])
class O(QObject):
    s = Signal(int)
o = O()
o.s.connect(lambda v: None)
model = QStringListModel(["a"])
index = model.index(0, 0)
for i in range(200_000):  # far more than the references None and True start with
    o.s.emit(i)
    index.data(Qt.ItemDataRole.DecorationRole)
    QModelIndex().data()
print("ok")
"""


def test_two_hundred_thousand_emits_and_empty_variants_exit_cleanly() -> None:
    result = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True,
                            timeout=120, cwd=ROOT, env={"PYTHONPATH": str(ROOT)})
    assert result.returncode == 0, result.stderr[-800:]
    assert result.stdout.strip() == "ok"


def test_the_work_around_is_used_exactly_where_the_binding_needs_it() -> None:
    """On a binding with the bug the loop aborts without the work-around; on a healthy one
    (the pinned versions exclude 6.12.0) the work-around must leave the interpreter alone."""
    probe = subprocess.run(
        [sys.executable, "-c", "from sendobserve.ui.common import qt_compat as q; "
         "import PySide6.QtCore as c; app = c.QCoreApplication([]); "
         "print(q.emit_drops_true() or q.none_variant_drops_none())"],
        capture_output=True, text=True, timeout=60, cwd=ROOT, env={"PYTHONPATH": str(ROOT)})
    assert probe.returncode == 0, probe.stderr[-800:]
    if probe.stdout.strip() != "True":
        installed = subprocess.run(
            [sys.executable, "-c", "import sendobserve.ui; "
             "from sendobserve.ui.common import qt_compat; "
             "print(qt_compat._installed)"],
            capture_output=True, text=True, timeout=60, cwd=ROOT, env={"PYTHONPATH": str(ROOT)})
        assert installed.stdout.strip() == "False", installed.stderr[-800:]
        return
    raw = CODE.replace("import sendobserve.ui  # installs the work-around\n", "")
    result = subprocess.run([sys.executable, "-c", raw], capture_output=True, text=True,
                            timeout=120, cwd=ROOT)
    assert result.returncode != 0
    assert "dealloc" in result.stderr
