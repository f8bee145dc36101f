"""Render the app icon from its SVG source into the sizes each OS needs.

Run after editing ``sendobserve/resources/icons/sendobserve.svg``; the outputs are committed so
that a build needs neither Qt's SVG renderer nor Pillow at build time:
``sendobserve/resources/icons/sendobserve-<N>.png`` (Linux, the window icon),
``sendobserve.ico`` (Windows) and ``sendobserve.icns`` (macOS).

    QT_QPA_PLATFORM=offscreen python packaging/make_icons.py
"""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image

from PySide6.QtCore import QBuffer, QIODevice, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ICONS = Path(__file__).resolve().parent.parent / "sendobserve" / "resources" / "icons"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512, 1024)


def render(renderer: QSvgRenderer, size: int) -> Image.Image:
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return Image.open(io.BytesIO(bytes(buffer.data().data()))).convert("RGBA")


def main() -> None:
    _app = QGuiApplication([])
    renderer = QSvgRenderer(str(ICONS / "sendobserve.svg"))
    images = {size: render(renderer, size) for size in SIZES}
    for size in (16, 32, 48, 64, 128, 256, 512):
        images[size].save(ICONS / f"sendobserve-{size}.png", optimize=True)
    images[256].save(
        ICONS / "sendobserve.ico", sizes=[(s, s) for s in (16, 24, 32, 48, 64, 128, 256)]
    )
    images[1024].save(ICONS / "sendobserve.icns")
    print(f"wrote icons to {ICONS.name}/")


if __name__ == "__main__":
    main()
