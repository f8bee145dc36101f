"""The signature pad: strokes by mouse, clear, undo stroke, PNG export."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QImage

from sendobserve.ui.signature_pad import SignaturePad


def test_mouse_strokes_undo_clear_and_png(qtbot: Any) -> None:
    pad = SignaturePad()
    qtbot.addWidget(pad)
    pad.resize(400, 180)
    pad.show()
    qtbot.waitExposed(pad)
    assert pad.is_empty() and pad.to_png() is None
    qtbot.mousePress(pad, Qt.MouseButton.LeftButton, pos=QPoint(20, 100))
    for x in range(30, 200, 10):
        qtbot.mouseMove(pad, QPoint(x, 100 - x // 5))
    qtbot.mouseRelease(pad, Qt.MouseButton.LeftButton, pos=QPoint(200, 60))
    pad.add_stroke([QPointF(50, 120), QPointF(150, 130)])
    assert pad.stroke_count() == 2
    png = pad.to_png()
    assert png is not None and png.startswith(b"\x89PNG\r\n\x1a\n")
    image = QImage.fromData(png)
    assert 150 < image.width() < 260  # cropped to the drawing, not the whole pad
    assert any(image.pixelColor(x, y).alpha() > 0
               for x in range(image.width()) for y in range(image.height()))
    pad.setFocus()
    qtbot.keyClick(pad, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert pad.stroke_count() == 1
    pad.clear()
    assert pad.is_empty() and pad.to_png() is None
