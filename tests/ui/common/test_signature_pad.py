"""The signature pad: strokes by mouse, clear, undo stroke, PNG export."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QImage

from sendobserve.ui.common.signature_pad import SignaturePad


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
    qtbot.keyClick(pad, Qt.Key.Key_Z,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert pad.stroke_count() == 2 and pad.to_png() == png  # the same drawing back
    pad.clear()
    assert pad.is_empty() and pad.to_png() is None
    pad.redo_stroke()
    assert pad.stroke_count() == 1  # clearing can be undone stroke by stroke
    pad.add_stroke([QPointF(10, 10), QPointF(20, 20)])
    pad.redo_stroke()  # a new stroke ends what could be redone
    assert pad.stroke_count() == 2


def test_touch_and_pen_draw_strokes(qtbot: Any) -> None:
    from PySide6.QtGui import QInputDevice, QPointingDevice, QTabletEvent
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    pad = SignaturePad()
    qtbot.addWidget(pad)
    pad.resize(400, 180)
    pad.show()
    finger = QTest.createTouchDevice()
    QTest.touchEvent(pad, finger).press(0, QPoint(20, 50)).commit()
    QTest.touchEvent(pad, finger).move(0, QPoint(80, 60)).commit()
    QTest.touchEvent(pad, finger).release(0, QPoint(120, 40)).commit()
    assert pad.stroke_count() == 1

    pen = QPointingDevice("pen", 1, QInputDevice.DeviceType.Stylus,
                          QPointingDevice.PointerType.Pen,
                          QInputDevice.Capability.Position | QInputDevice.Capability.Pressure,
                          1, 3)

    def tablet(kind: QTabletEvent.Type, x: float, pressure: float) -> None:
        event = QTabletEvent(kind, pen, QPointF(x, 100), QPointF(x, 100), pressure, 0.0, 0.0,
                             0.0, 0.0, 0.0, Qt.KeyboardModifier.NoModifier,
                             Qt.MouseButton.LeftButton, Qt.MouseButton.LeftButton)
        QApplication.sendEvent(pad, event)

    tablet(QTabletEvent.Type.TabletPress, 30, 0.2)
    tablet(QTabletEvent.Type.TabletMove, 60, 0.9)
    tablet(QTabletEvent.Type.TabletRelease, 90, 0.0)
    assert pad.stroke_count() == 2
    widths = [w for _p, w in pad._strokes[-1]]
    assert widths[1] > widths[0]  # pressure makes the line heavier
    assert pad.to_png() is not None
