"""Rasterising a PDF with PDFium (pypdfium2) and painting it for a printer.

Safe on a worker thread: pages become ``QImage`` (never ``QPixmap``), and every PDFium
call goes through one lock, PDFium not being thread-safe. No QtPdf module is needed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtPrintSupport import QPrinter

from sendobserve.errors import UserError

PREVIEW_DPI = 96.0
PRINT_MAX_DPI = 300
_PDFIUM = threading.Lock()  # PDFium is not thread-safe; every call goes through this lock


# --- rasterising (safe on a worker thread: QImage, never QPixmap) ------------------------

def page_count(pdf: bytes) -> int:
    import pypdfium2

    with _PDFIUM:
        document = pypdfium2.PdfDocument(pdf)
        try:
            return len(document)
        finally:
            document.close()


def page_sizes(pdf: bytes) -> list[tuple[float, float]]:
    """Each page's (width, height) in points, without rendering anything."""
    import pypdfium2

    with _PDFIUM:
        document = pypdfium2.PdfDocument(pdf)
        try:
            sizes = (document.get_page_size(n) for n in range(len(document)))
            return [(float(w), float(h)) for w, h in sizes]
        finally:
            document.close()


def rasterise(pdf: bytes, dpi: float, pages: Sequence[int] | None = None) -> list[QImage]:
    """Pages of ``pdf`` (all, or the 0-based ``pages``) as images at ``dpi``."""
    import pypdfium2

    images: list[QImage] = []
    with _PDFIUM:
        document = pypdfium2.PdfDocument(pdf)
        try:
            wanted = range(len(document)) if pages is None else pages
            for n in wanted:
                page = document[n]
                bitmap = page.render(scale=dpi / 72.0, rev_byteorder=True, prefer_bgrx=True)
                image = QImage(bytes(bitmap.buffer), bitmap.width, bitmap.height,
                               bitmap.stride, QImage.Format.Format_RGBX8888).copy()
                image.setDotsPerMeterX(round(dpi / 0.0254))
                image.setDotsPerMeterY(round(dpi / 0.0254))
                bitmap.close()
                page.close()
                images.append(image)
        finally:
            document.close()
    return images


def paint_pages(pdf: bytes, printer: QPrinter, progress: Callable[[int, int], None] | None = None,
                cancelled: Callable[[], bool] | None = None) -> int:
    """Paint every page onto ``printer``, each rasterised at the printer's resolution
    (at most ``PRINT_MAX_DPI``) and fitted to the paper. Returns the pages printed."""
    from sendobserve.reports.styles import ReportCancelled

    total = page_count(pdf)
    dpi = float(min(printer.resolution(), PRINT_MAX_DPI))
    painter = QPainter()
    if not painter.begin(printer):
        raise UserError("The printer could not be opened; nothing was printed.")
    printed = 0
    try:
        for n in range(total):
            if cancelled is not None and cancelled():
                printer.abort()
                raise ReportCancelled()
            image = rasterise(pdf, dpi, [n])[0]
            if n:
                printer.newPage()
            area = painter.viewport()
            size = image.size().scaled(area.size(), Qt.AspectRatioMode.KeepAspectRatio)
            x = area.x() + (area.width() - size.width()) // 2
            y = area.y() + (area.height() - size.height()) // 2
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            painter.drawImage(x, y, image.scaled(size, Qt.AspectRatioMode.KeepAspectRatio,
                                                 Qt.TransformationMode.SmoothTransformation))
            printed += 1
            if progress is not None:
                progress(printed, total)
    finally:
        if painter.isActive():
            painter.end()
    return printed


