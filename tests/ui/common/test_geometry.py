"""A sensible first size for the screen, each window's geometry remembered, and the print
preview fitting a 1280×800 laptop screen."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from PySide6.QtGui import QGuiApplication

from sendobserve.ui.shell.main_window import MainWindow
from tests.helpers import subprocess_env


def test_the_first_size_fits_the_screen_and_the_window_reopens_as_left(qtbot: Any) -> None:
    room = QGuiApplication.primaryScreen().availableGeometry().size()
    window = MainWindow()
    qtbot.addWidget(window)
    assert window.width() <= room.width() and window.height() <= room.height()
    assert window.width() >= min(1440, int(room.width() * 0.9)) - 1  # not cramped
    window.show()
    window.resize(700, 560)
    window.close()

    again = MainWindow()
    qtbot.addWidget(again)
    assert (again.width(), again.height()) == (700, 560)


def test_the_windows_fit_a_1280_by_800_laptop_screen(tmp_path: Path) -> None:
    """On a real 1280×800 screen (the offscreen platform told so): the main window and the
    print preview of a real A4 document fit, with room for a title bar."""
    screens = tmp_path / "screens.json"
    screens.write_text(json.dumps({"screens": [{
        "name": "laptop", "x": 0, "y": 0, "width": 1280, "height": 800,
        "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}), encoding="utf-8")
    code = (
        "import io; from PySide6.QtWidgets import QApplication; app = QApplication([]);"
        "from reportlab.pdfgen.canvas import Canvas; b = io.BytesIO(); c = Canvas(b);"
        "c.drawString(72, 720, 'page'); c.showPage(); c.save();"
        "from sendobserve.ui.shell.main_window import MainWindow;"
        "from sendobserve.ui.printing import PrintPreviewDialog;"
        "from sendobserve.ui.common.tasks import Runner;"
        "w = MainWindow(); p = PrintPreviewDialog(b.getvalue(), 'x', w,"
        " runner=Runner(synchronous=True));"
        "print(w.width(), w.height(), p.width(), p.height())"
    )
    env = subprocess_env(QT_QPA_PLATFORM=f"offscreen:configfile={screens}",
                         XDG_CONFIG_HOME=str(tmp_path / "config"), HOME=str(tmp_path))
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    main_w, main_h, preview_w, preview_h = map(int, result.stdout.split())
    assert main_w <= 1280 * 0.9 and main_h <= 800 * 0.9
    assert main_w >= 1100 and main_h >= 700  # and not cramped
    assert preview_h <= 800 * 0.9 and preview_w <= 1280
