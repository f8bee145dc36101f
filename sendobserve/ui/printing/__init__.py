"""Print preview, printing and Save as PDF, and the controller behind the Print menu.

Pages are rasterised with PDFium (pypdfium2), so no QtPdf module is needed. Building a
PDF, rasterising it and painting it for the printer all run on the task runner's
worker; the dialogs only show results. ``PrintController`` is what other screens call
with a mediator or observation id: it asks who signs when it must, shows a refusal as
one clear message, and opens the preview.
"""

from __future__ import annotations

import html
import logging
import re
import threading
import uuid
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, QSize, Qt, Signal
from PySide6.QtGui import QImage, QKeySequence, QPainter, QPixmap, QShortcut
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from sendobserve.errors import UserError
from sendobserve.ui.common.geometry import remember_geometry
from sendobserve.ui.common.lock import FILE_DIALOG_OPTIONS
from sendobserve.ui.common.signature_pad import SignaturePad
from sendobserve.ui.common.tasks import Job, Runner

if TYPE_CHECKING:
    from sendobserve.model.domain import Observer
    from sendobserve.reports.jobs import CertificatePlan, IssuedDocument
    from sendobserve.services.changes import Written
    from sendobserve.storage.db import Store

log = logging.getLogger(__name__)

PREVIEW_DPI = 96.0
PRINT_MAX_DPI = 300
MAX_CACHED = 8  # rendered pages kept for scrolling back
ZOOM_STEPS = (0.25, 0.33, 0.5, 0.67, 0.75, 0.9, 1.0, 1.25, 1.5, 2.0, 3.0)
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


# --- progress with a Cancel that really stops the job ------------------------------------

class ProgressDialog(QDialog):
    """A title, a bar and Cancel for one runner ``Job``; the bar is busy until the first
    figure arrives, and Cancel (or Esc) asks the job to stop."""

    def __init__(self, title: str, job: Job, parent: QWidget | None = None,
                 *, cancellable: bool = True) -> None:
        super().__init__(parent)
        self.job = job
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.setMinimumWidth(420)
        layout = QVBoxLayout(self)
        self.label = QLabel(f"{title}…")
        self.label.setWordWrap(True)
        layout.addWidget(self.label)
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)
        self.bar.setAccessibleName("Progress")
        layout.addWidget(self.bar)
        buttons = QDialogButtonBox()
        self.cancel_button = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setAccessibleName("Cancel")
        self.cancel_button.setVisible(cancellable)
        self.cancel_button.clicked.connect(self._cancel)
        layout.addWidget(buttons)
        job.progressed.connect(self._changed)

    def _changed(self, done: int, total: int, _what: str = "") -> None:
        self.bar.setRange(0, max(total, 1))
        self.bar.setValue(done)

    def _cancel(self) -> None:
        self.job.cancel()
        self.cancel_button.setEnabled(False)
        self.label.setText("Stopping…")

    def reject(self) -> None:  # Esc or closing the window cancels too
        if self.cancel_button.isVisible() and self.cancel_button.isEnabled():
            self._cancel()

    def finish(self) -> None:
        self.job.progressed.disconnect(self._changed)
        # Stop the busy animation first: the style's animation must not outlive the bar.
        self.bar.setRange(0, max(1, self.bar.maximum()))
        self.done(QDialog.DialogCode.Accepted)
        self.deleteLater()


# --- the preview ---------------------------------------------------------------------------

class PrintPreviewDialog(QDialog):
    """Rendered pages with zoom, page n of m, Print… and Save as PDF…."""

    saved = Signal(str)
    printed = Signal(int)

    def __init__(self, pdf_bytes: bytes, title: str, parent: QWidget | None = None, *,
                 runner: Runner | None = None, file_name: str = "document.pdf") -> None:
        super().__init__(parent)
        self.pdf = pdf_bytes
        self.title = title
        self.file_name = file_name
        self.runner = runner if runner is not None else Runner(self)
        self.sizes: list[tuple[float, float]] = []  # points, from PDFium
        self.cache: dict[int, tuple[float, QImage]] = {}  # page -> (dpi, image)
        self._rendering = False
        self.page_labels: list[QLabel] = []
        self.zoom = 1.0
        self.fit_width = True
        self.last_error = ""
        self.setWindowTitle(f"Print preview — {title}")
        self.setAccessibleName(f"Print preview of {title}")
        remember_geometry(self, "print-preview", QSize(860, 900))

        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.zoom_out_button = self._button("Zoom out", "Zoom out (Ctrl+minus)", self.zoom_out)
        self.zoom_in_button = self._button("Zoom in", "Zoom in (Ctrl+plus)", self.zoom_in)
        self.fit_button = self._button("Fit width", "Fit the page width (Ctrl+0)",
                                       self.fit_to_width)
        self.zoom_label = QLabel("")
        self.zoom_label.setMinimumWidth(48)
        self.page_label = QLabel("Rendering…")
        self.page_label.setAccessibleName("Page number")
        self.page_label.setMinimumWidth(110)
        for w in (self.zoom_out_button, self.zoom_in_button, self.fit_button, self.zoom_label):
            bar.addWidget(w)
        bar.addStretch(1)
        bar.addWidget(self.page_label)
        bar.addStretch(1)
        self.save_button = self._button("Save as PDF…", "Save as PDF (Ctrl+S)", self.save_as)
        self.print_button = self._button("Print…", "Print (Ctrl+P)", self.print_)
        self.print_button.setDefault(True)
        close = self._button("Close", "Close the preview", self.reject)
        for w in (self.save_button, self.print_button, close):
            bar.addWidget(w)
        layout.addLayout(bar)

        self.pages_area = QScrollArea()
        self.pages_area.setAccessibleName(f"Pages of {title}")
        self.pages_area.setWidgetResizable(True)
        self.pages_area.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.pages_area.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.pages_area.setStyleSheet("QScrollArea { background: palette(mid); }")
        self.pages_widget = QWidget()
        self.pages_widget.setObjectName("pages")
        self.pages_widget.setStyleSheet("#pages { background: palette(mid); }")
        self.pages_layout = QVBoxLayout(self.pages_widget)
        self.pages_layout.setSpacing(16)
        self.pages_area.setWidget(self.pages_widget)
        self.pages_area.verticalScrollBar().valueChanged.connect(self._scrolled)
        layout.addWidget(self.pages_area, 1)
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.setAccessibleName("Rendering the pages")
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Status")
        layout.addWidget(self.progress)
        layout.addWidget(self.status)

        for keys, slot in (
            (QKeySequence.StandardKey.Print, self.print_),
            (QKeySequence.StandardKey.Save, self.save_as),
            (QKeySequence.StandardKey.ZoomIn, self.zoom_in),
            (QKeySequence("Ctrl+="), self.zoom_in),
            (QKeySequence.StandardKey.ZoomOut, self.zoom_out),
            (QKeySequence("Ctrl+0"), self.fit_to_width),
            (QKeySequence(Qt.Key.Key_PageDown), self.next_page),
            (QKeySequence(Qt.Key.Key_PageUp), self.previous_page),
        ):
            shortcut = QShortcut(keys, self)
            shortcut.activated.connect(slot)
        self._set_busy(True)
        self.runner.op(lambda: page_sizes(self.pdf)).success(self._pages_ready) \
            .failure(self._render_failed).owned_by(self).run()

    def _button(self, text: str, accessible: str, slot: Callable[[], None]) -> QPushButton:
        button = QPushButton(text)
        button.setAccessibleName(accessible)
        button.setAutoDefault(False)
        button.clicked.connect(slot)
        return button

    def _set_busy(self, busy: bool) -> None:
        for b in (self.save_button, self.print_button, self.zoom_in_button,
                  self.zoom_out_button, self.fit_button):
            b.setEnabled(not busy)
        self.progress.setRange(0, 0 if busy else 1)  # no animation left running when idle
        self.progress.setVisible(busy)

    # --- pages ------------------------------------------------------------------------
    # Only the pages in view are rasterised, at the zoom shown (sharp at any zoom), and a
    # few are kept: a long portfolio never holds every page as an image.
    @property
    def page_total(self) -> int:
        return len(self.sizes)

    def page_image(self, number: int) -> QImage | None:
        """The rendered image of 1-based page ``number``, if it is rendered."""
        cached = self.cache.get(number - 1)
        return cached[1] if cached else None

    def _pages_ready(self, sizes: list[tuple[float, float]]) -> None:
        self.sizes = sizes
        for label in self.page_labels:
            label.deleteLater()
        self.page_labels = []
        for n in range(len(sizes)):
            label = QLabel()
            label.setAccessibleName(f"Page {n + 1} of {len(sizes)}")
            label.setStyleSheet("background: white; border: 1px solid #888;")
            self.pages_layout.addWidget(label, 0, Qt.AlignmentFlag.AlignHCenter)
            self.page_labels.append(label)
        self._set_busy(False)
        self._apply_zoom()
        self.print_button.setFocus()

    def _render_failed(self, exc: BaseException) -> None:
        self._rendering = False
        self.progress.setRange(0, 1)
        self.progress.setVisible(False)
        self.last_error = f"The pages could not be shown: {exc}"
        self.status.setText(self.last_error)
        self.save_button.setEnabled(True)  # the PDF itself is fine to save

    def _ratio(self) -> float:
        return max(1.0, self.devicePixelRatioF())

    def _dpi(self) -> float:
        return PREVIEW_DPI * self.zoom * self._ratio()

    def _apply_zoom(self) -> None:
        if not self.sizes:
            return
        if self.fit_width:
            margins = self.pages_layout.contentsMargins()
            room = self.pages_area.viewport().width() - margins.left() - margins.right() - 8
            widest = max(w for w, _h in self.sizes) * PREVIEW_DPI / 72.0
            self.zoom = max(0.25, min(3.0, room / max(1.0, widest)))
        scale = PREVIEW_DPI / 72.0 * self.zoom
        for n, (label, (w, h)) in enumerate(zip(self.page_labels, self.sizes, strict=True)):
            label.setFixedSize(round(w * scale), round(h * scale))
            self._show_page(n)
        self.zoom_label.setText(f"{round(self.zoom * 100)} %")
        self.zoom_label.setAccessibleName(f"Zoom {round(self.zoom * 100)} percent")
        self._update_page_label()
        self._render_visible()

    def _show_page(self, n: int) -> None:
        label = self.page_labels[n]
        cached = self.cache.get(n)
        if cached is None:
            label.clear()
            return
        ratio = self._ratio()
        image = cached[1]
        want = label.size() * ratio
        if image.size() != want:  # rendered at another zoom: shown scaled until re-rendered
            image = image.scaled(want, Qt.AspectRatioMode.IgnoreAspectRatio,
                                 Qt.TransformationMode.SmoothTransformation)
        pixmap = QPixmap.fromImage(image)
        pixmap.setDevicePixelRatio(ratio)
        label.setPixmap(pixmap)

    def _visible_pages(self) -> list[int]:
        tops = self._page_tops()
        if not tops:
            return []
        value = self.pages_area.verticalScrollBar().value()
        height = max(1, self.pages_area.viewport().height())
        low, high = value - height // 2, value + height + height // 2
        return [n for n, top in enumerate(tops)
                if top <= high and top + self.page_labels[n].height() >= low]

    def _render_visible(self) -> None:
        """Rasterise the pages in view that are missing or at another zoom, on the worker;
        one batch at a time, and look again when it is done."""
        if self._rendering or not self.sizes:
            return
        dpi = self._dpi()
        visible = self._visible_pages()
        missing = [n for n in visible if abs(self.cache.get(n, (0.0,))[0] - dpi) > 0.5]
        if not missing:
            return
        self._rendering = True
        pdf = self.pdf
        self.runner.op(lambda: rasterise(pdf, dpi, missing)) \
            .success(lambda images: self._rendered(dpi, missing, images)) \
            .failure(self._render_failed).owned_by(self).run()

    def _rendered(self, dpi: float, pages: list[int], images: list[QImage]) -> None:
        self._rendering = False
        for n, image in zip(pages, images, strict=True):
            self.cache[n] = (dpi, image)
            self._show_page(n)
        keep = set(self._visible_pages())
        for n in [n for n in self.cache if n not in keep][:max(0, len(self.cache) - MAX_CACHED)]:
            del self.cache[n]
            self.page_labels[n].clear()
        self._render_visible()  # the view may have moved or zoomed meanwhile

    def zoom_in(self) -> None:
        self.fit_width = False
        self.zoom = next((z for z in ZOOM_STEPS if z > self.zoom + 0.01), ZOOM_STEPS[-1])
        self._apply_zoom()

    def zoom_out(self) -> None:
        self.fit_width = False
        self.zoom = next((z for z in reversed(ZOOM_STEPS) if z < self.zoom - 0.01),
                         ZOOM_STEPS[0])
        self._apply_zoom()

    def fit_to_width(self) -> None:
        self.fit_width = True
        self._apply_zoom()

    def _page_tops(self) -> list[int]:
        """Where each page starts in the scrolled area, from the pages' fixed sizes (the
        layout may not have placed them yet right after a zoom)."""
        tops, y = [], self.pages_layout.contentsMargins().top()
        for label in self.page_labels:
            tops.append(y)
            y += label.height() + self.pages_layout.spacing()
        return tops

    def current_page(self) -> int:
        """The 1-based page at the top of the view."""
        tops = self._page_tops()
        if not tops:
            return 0
        top = self.pages_area.verticalScrollBar().value() + self.pages_layout.spacing()
        return max(1, sum(1 for t in tops if t <= top))

    def go_to_page(self, number: int) -> None:
        tops = self._page_tops()
        if not tops:
            return
        number = max(1, min(number, len(tops)))
        self.pages_layout.activate()  # the scroll range must already fit the new sizes
        # ...and the scrolled widget must have taken them: it is resized on a posted
        # layout request, and until then the range is the old one (the last pages of a
        # long document were out of reach right after it opened).
        QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
        self.pages_area.verticalScrollBar().setValue(tops[number - 1]
                                                     - self.pages_layout.spacing() // 2)
        self._update_page_label(forced=number)

    def next_page(self) -> None:
        self.go_to_page(self.current_page() + 1)

    def previous_page(self) -> None:
        self.go_to_page(self.current_page() - 1)

    def _update_page_label(self, *_args: object, forced: int | None = None) -> None:
        if not self.page_labels:
            return
        current = forced if forced is not None else self.current_page()
        text = f"Page {current} of {len(self.page_labels)}"
        self.page_label.setText(text)
        self.page_label.setAccessibleName(text)

    def _scrolled(self, _value: int) -> None:
        self._update_page_label()
        self._render_visible()

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        if self.fit_width:
            self._apply_zoom()

    # --- save and print ---------------------------------------------------------------
    def ask_save_path(self) -> str | None:
        """The file chosen in the system's Save dialog (a separate method so a test can
        answer it)."""
        name, _filter = QFileDialog.getSaveFileName(
            self, "Save as PDF", str(Path.home() / self.file_name), "PDF files (*.pdf)",
            options=FILE_DIALOG_OPTIONS)
        return name or None

    def save_as(self) -> None:
        if not self.save_button.isEnabled():
            return
        path = self.ask_save_path()
        if path:
            self.save_to(path)

    def save_to(self, path: str | Path) -> None:
        """Write the PDF there, all or nothing, off the GUI thread."""
        from sendobserve.reports.jobs import write_atomically

        target = Path(path)
        if target.suffix.lower() != ".pdf":
            target = target.with_name(target.name + ".pdf")
        self.status.setText(f"Saving {target.name}…")

        def saved(written: Path) -> None:
            self.status.setText(f"Saved {written}")
            self.saved.emit(str(written))

        def failed(exc: BaseException) -> None:
            self.last_error = exc.message if isinstance(exc, UserError) else str(exc)
            self.status.setText(f"Not saved: {self.last_error}")
            QMessageBox.warning(self, "Not saved", self.last_error)

        self.runner.op(lambda: write_atomically(target, self.pdf)).success(saved) \
            .failure(failed).owned_by(self).run()

    def make_printer(self) -> QPrinter:
        from PySide6.QtGui import QPageLayout, QPageSize

        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName(self.title)
        printer.setFullPage(True)  # the PDF pages carry their own margins
        printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
        printer.setPageOrientation(QPageLayout.Orientation.Portrait)
        return printer

    def print_(self) -> None:
        if not self.print_button.isEnabled():
            return
        printer = self.make_printer()
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle(f"Print {self.title}")
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.print_to(printer)

    def print_to(self, printer: QPrinter) -> None:
        """Paint every page at the printer's resolution on the worker, with progress."""
        op = self.runner.job(
            lambda job: paint_pages(self.pdf, printer, job.report, job.cancelled))
        self.print_progress = ProgressDialog(f"Printing {self.title}", op.job, self)
        self.print_progress.open()
        self._set_busy(True)

        def done(pages: int) -> None:
            self.print_progress.finish()
            self._set_busy(False)
            self.status.setText(f"Sent {pages} page(s) to {printer.printerName() or 'the printer'}")
            self.printed.emit(pages)

        def failed(exc: BaseException) -> None:
            from sendobserve.reports.styles import ReportCancelled

            self.print_progress.finish()
            self._set_busy(False)
            if isinstance(exc, ReportCancelled):
                self.status.setText("Printing cancelled.")
                return
            self.last_error = exc.message if isinstance(exc, UserError) else str(exc)
            self.status.setText(f"Not printed: {self.last_error}")
            QMessageBox.warning(self, "Not printed", self.last_error)

        op.success(done).failure(failed).owned_by(self).run()


# --- who signs ---------------------------------------------------------------------------

class SignerDialog(QDialog):
    """Choose one person from a short list (Form 4/5 signer, the portfolio's verifier)."""

    def __init__(self, candidates: Sequence[Observer], title: str, explanation: str,
                 parent: QWidget | None = None, *, ok_text: str = "Sign and preview") -> None:
        from sendobserve.reports.build import ROLE_LABELS

        super().__init__(parent)
        self.candidates = tuple(candidates)
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.setMinimumWidth(440)
        layout = QVBoxLayout(self)
        label = QLabel(explanation)
        label.setWordWrap(True)
        layout.addWidget(label)
        self.list = QListWidget()
        self.list.setAccessibleName("People who may sign")
        for person in self.candidates:
            extra = " · experienced SEND mediator" if person.experienced_send else ""
            item = QListWidgetItem(f"{person.name} — {ROLE_LABELS[person.role]}{extra}")
            item.setData(Qt.ItemDataRole.UserRole, person.id)
            self.list.addItem(item)
        self.list.setCurrentRow(0)
        rows = max(1, min(6, len(self.candidates)))
        self.list.setFixedHeight(rows * max(self.list.sizeHintForRow(0), 20) + 8)
        self.list.itemActivated.connect(lambda _i: self.accept())
        label.setBuddy(self.list)
        layout.addWidget(self.list)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(ok_text)
        ok.setAccessibleName(ok_text.replace("&", ""))
        self.ok_button = ok
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def chosen(self) -> Observer | None:
        row = self.list.currentRow()
        return self.candidates[row] if 0 <= row < len(self.candidates) else None


# --- the drawn signatures ---------------------------------------------------------------

def _within_limits(png: bytes | None) -> bytes | None:
    """A pad's PNG scaled down (aspect kept) if a stroke dragged far outside the pad made it
    larger than a certificate accepts (``reports.drawings.MAX_DRAWING_SIZE``)."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice

    from sendobserve.reports.drawings import MAX_DRAWING_SIZE

    if png is None:
        return None
    image = QImage.fromData(png)
    max_w, max_h = MAX_DRAWING_SIZE
    if image.width() <= max_w and image.height() <= max_h:
        return png
    image = image.scaled(max_w, max_h, Qt.AspectRatioMode.KeepAspectRatio,
                         Qt.TransformationMode.SmoothTransformation)
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")  # type: ignore[call-overload]  # stubs say bytes; str works
    return bytes(data.data())


class CertificateSignaturesDialog(QDialog):
    """The signer's, then the mediator's, drawn signature for a new Form 4 or 5.

    Both are drawn here (mouse, pen or finger), or the certificate is issued with blank
    lines — but only when "Issue without drawn signatures" is ticked, never by default.
    A re-print never asks: it keeps the first issue's drawings.
    """

    def __init__(self, form_number: int, signer_name: str, signer_role: str,
                 mediator_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        title = f"Signatures on Form {form_number}"
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.setMinimumWidth(560)
        layout = QVBoxLayout(self)
        intro = QLabel(
            f"{signer_name} signs first, then {mediator_name}. The drawings are printed above "
            "the signature lines and kept with the certificate, so a re-print shows the same "
            "ones. The PDF is also signed digitally.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.signer_pad, self.signer_clear, self.signer_undo = self._pad_box(
            layout, f"&1  {signer_name} — {signer_role}", signer_name)
        self.mediator_pad, self.mediator_clear, self.mediator_undo = self._pad_box(
            layout, f"&2  {mediator_name} — Mediator", mediator_name)
        self.without_drawings = QCheckBox("Issue &without drawn signatures (the lines stay blank)")
        self.without_drawings.setAccessibleName("Issue without drawn signatures")
        self.without_drawings.toggled.connect(self._update)
        layout.addWidget(self.without_drawings)
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        layout.addWidget(self.hint)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        self.issue_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.issue_button.setText("&Sign and preview")
        self.issue_button.setAccessibleName("Sign and preview")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.signer_pad.changed.connect(self._update)
        self.mediator_pad.changed.connect(self._update)
        self.setTabOrder(self.signer_pad, self.signer_undo)
        self.setTabOrder(self.signer_undo, self.signer_clear)
        self.setTabOrder(self.signer_clear, self.mediator_pad)
        self.setTabOrder(self.mediator_pad, self.mediator_undo)
        self.setTabOrder(self.mediator_undo, self.mediator_clear)
        self.setTabOrder(self.mediator_clear, self.without_drawings)
        self.signer_pad.setFocus()
        self._update()

    def _pad_box(self, layout: QVBoxLayout, title: str,
                 who: str) -> tuple[SignaturePad, QPushButton, QPushButton]:
        box = QGroupBox(title)
        inner = QVBoxLayout(box)
        pad = SignaturePad()
        # However wide the dialog grows, the PNG stays within the 2000×1000 px limit.
        pad.setMaximumWidth(960)
        pad.setAccessibleName(f"Signature of {who}")
        pad.setAccessibleDescription(
            f"{who} draws their signature with a mouse, pen or finger. Ctrl+Z removes the last "
            "stroke, Ctrl+Shift+Z puts it back; Delete clears.")
        inner.addWidget(pad)
        row = QHBoxLayout()
        row.addStretch(1)
        undo = QPushButton("Undo stroke")
        undo.setAccessibleName(f"Undo the last stroke of {who}'s signature")
        undo.setToolTip("Ctrl+Z in the pad")
        undo.clicked.connect(pad.undo_stroke)
        clear = QPushButton("Clear")
        clear.setAccessibleName(f"Clear {who}'s signature")
        clear.setToolTip("Delete in the pad")
        clear.clicked.connect(pad.clear)
        for button in (undo, clear):
            button.setAutoDefault(False)
            row.addWidget(button)
        inner.addLayout(row)
        layout.addWidget(box)
        # The group's mnemonic (Alt+1, Alt+2) moves the focus into its pad.
        box.setFocusProxy(pad)
        return pad, clear, undo

    def _update(self, *_args: object) -> None:
        without = self.without_drawings.isChecked()
        for pad, clear, undo in ((self.signer_pad, self.signer_clear, self.signer_undo),
                                 (self.mediator_pad, self.mediator_clear, self.mediator_undo)):
            pad.setEnabled(not without)
            clear.setEnabled(not without and not pad.is_empty())
            undo.setEnabled(not without and not pad.is_empty())
        missing = [who for who, pad in (("the signer", self.signer_pad),
                                        ("the mediator", self.mediator_pad)) if pad.is_empty()]
        ready = without or not missing
        self.issue_button.setEnabled(ready)
        if without:
            self.hint.setText("The certificate will be issued with blank signature lines.")
        elif missing:
            self.hint.setText("Still to sign: " + " and ".join(missing) + ".")
        else:
            self.hint.setText("Both have signed.")

    def drawings(self) -> tuple[bytes | None, bytes | None]:
        """(signer's PNG, mediator's PNG); both None when issued without drawings."""
        if self.without_drawings.isChecked():
            return None, None
        return _within_limits(self.signer_pad.to_png()), _within_limits(self.mediator_pad.to_png())

    def accept(self) -> None:
        if self.issue_button.isEnabled():  # Enter in the pad must not skip a signature
            super().accept()


# --- the controller ------------------------------------------------------------------------

def _safe_file_name(*parts: str) -> str:
    text = " ".join(p for p in parts if p)
    keep = "".join(ch if ch.isalnum() or ch in " -_" else " " for ch in text)
    return "-".join(keep.split()) + ".pdf"


class PrintController(QObject):
    """The app's print actions, for a mediator or an observation id.

    Every step that reads the store or builds a PDF runs on ``runner``; the dialogs it
    opens are kept as attributes (``preview``, ``message``, ``signer_dialog``,
    ``progress``) so the screen that owns it, and tests, can reach them.
    """

    previewOpened = Signal(object)  # PrintPreviewDialog
    refused = Signal(str)
    failed = Signal(str)

    def __init__(self, store: Store, runner: Runner | None = None,
                 parent: QWidget | None = None, *, today: date | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.runner = runner if runner is not None else Runner(self)
        self.parent_widget = parent
        self.today = today
        self.preview: PrintPreviewDialog | None = None
        self.message: QMessageBox | None = None
        self.signer_dialog: SignerDialog | None = None
        self.signatures_dialog: CertificateSignaturesDialog | None = None
        self.progress: ProgressDialog | None = None

    # --- public actions ---------------------------------------------------------------
    def preview_observation(self, observation_id: uuid.UUID) -> None:
        from sendobserve.reports.jobs import observation_document

        self._build("Preparing the observation",
                    lambda _job: observation_document(self.store, observation_id),
                    lambda pdf: self._show(pdf, "Observation", "observation"))

    def preview_readiness(self, mediator_id: uuid.UUID) -> None:
        from sendobserve.reports.jobs import readiness_document

        def show(result: tuple[bytes, Any]) -> None:
            pdf, report = result
            self._show(pdf, f"Readiness report — {report.mediator_name}",
                       _safe_file_name("readiness", report.mediator_name))

        self._build("Preparing the readiness report",
                    lambda _job: readiness_document(self.store, mediator_id, today=self.today),
                    show)

    def preview_form4(self, mediator_id: uuid.UUID) -> None:
        self._certificate(mediator_id, 4)

    def preview_form5(self, mediator_id: uuid.UUID) -> None:
        self._certificate(mediator_id, 5)

    def preview_portfolio(self, mediator_id: uuid.UUID) -> None:
        from sendobserve.reports.build import PORTFOLIO_HINT
        from sendobserve.reports.jobs import portfolio_plan

        def chosen_verifier(result: tuple[Any, str | None, tuple[Observer, ...]]) -> None:
            report, refusal, eligible = result
            if refusal:
                self._refuse(refusal, PORTFOLIO_HINT)
                return
            if not eligible:
                self._refuse(
                    f"Nobody is recorded who may verify {report.mediator_name}'s portfolio.",
                    "A sole provider's portfolio is verified by their PPC (§1.3, §1.4.2 i). "
                    "Add the PPC as an observer first.")
                return
            if len(eligible) == 1:
                self._portfolio(mediator_id, eligible[0], report.mediator_name)
                return
            self._ask_signer(eligible, "Who verifies the portfolio?",
                             f"Choose the PPC who verifies {report.mediator_name}'s portfolio.",
                             lambda who: self._portfolio(mediator_id, who,
                                                         report.mediator_name))

        self._build("Checking the records",
                    lambda _job: portfolio_plan(self.store, mediator_id, today=self.today),
                    chosen_verifier, cancellable=False)

    # --- steps ------------------------------------------------------------------------
    def _portfolio(self, mediator_id: uuid.UUID, verifier: Observer, name: str) -> None:
        from sendobserve.reports.jobs import portfolio_document

        def run(job: Job) -> tuple[bytes, int]:
            return portfolio_document(self.store, mediator_id, verifier, today=self.today,
                                      progress=job.report, cancelled=job.cancelled)

        self._build(f"Laying out the portfolio of {name}", run,
                    lambda result: self._show(result[0], f"Portfolio — {name}",
                                              _safe_file_name("portfolio", name)),
                    cancellable=True)

    def _certificate(self, mediator_id: uuid.UUID, form_number: int) -> None:
        from sendobserve.reports.jobs import plan_certificate, provider_name

        if provider_name(self.store) is None:  # asked once, before the first certificate
            self.ask_provider_name(lambda: self._certificate(mediator_id, form_number))
            return

        def planned(plan: CertificatePlan) -> None:
            if plan.refusal:
                self._refuse(plan.refusal, plan.hint or "")
                return
            if plan.reprint_signer is not None:
                self._issue(plan, plan.reprint_signer)  # keeps the first issue's drawings
                return
            if not plan.candidates:
                self._refuse(
                    f"Nobody is recorded who may sign Form {form_number} for "
                    f"{plan.mediator_name}.",
                    "Form 4 is signed by an experienced SEND mediator who observed and "
                    "mentored them and supported their reflection; Form 5 by an experienced "
                    "mediator, a PPC or a manager of the provider. Add them as an observer "
                    "first.")
                return
            purpose = ("the experienced SEND mediators who observed and mentored "
                       f"{plan.mediator_name} and supported their reflection"
                       if form_number == 4
                       else "experienced mediators, PPCs and managers of the provider (§1.6)")
            self._ask_signer(plan.candidates, f"Who signs Form {form_number}?",
                             f"Form {form_number} for {plan.mediator_name} is signed "
                             f"digitally by the person you choose. Listed: {purpose}.",
                             lambda who: self._ask_drawings(plan, who),
                             ok_text="Sign and preview" if plan.reprint
                             else "&Next: drawn signatures")

        self._build(f"Checking Form {form_number}",
                    lambda _job: plan_certificate(self.store, mediator_id, form_number,
                                                  today=self.today),
                    planned, cancellable=False)

    def ask_provider_name(self, then: Callable[[], None] | None = None) -> None:
        """The provider's name for Form 4 and 5 (File ▸ Provider's name…, or before the
        first certificate); ``then`` runs once it is saved."""
        from sendobserve.reports.jobs import provider_name, set_provider_name
        from sendobserve.ui.common.provider import ProviderNameDialog

        dialog = ProviderNameDialog(provider_name(self.store),
                                    lambda name: set_provider_name(self.store, name),
                                    self.parent_widget)
        self.provider_dialog = dialog
        if then is not None:
            dialog.accepted.connect(then)
        dialog.open()

    def _ask_drawings(self, plan: CertificatePlan, signer: Observer) -> None:
        """The two drawn signatures of a first issue (a re-print keeps its own)."""
        from sendobserve.reports.build import ROLE_LABELS

        if plan.reprint:
            self._issue(plan, signer)
            return
        dialog = CertificateSignaturesDialog(plan.form_number, signer.name,
                                             ROLE_LABELS[signer.role], plan.mediator_name,
                                             self.parent_widget)
        self.signatures_dialog = dialog

        def accepted() -> None:
            signer_png, mediator_png = dialog.drawings()
            self._issue(plan, signer, signer_png, mediator_png)

        dialog.accepted.connect(accepted)
        dialog.open()

    def _issue(self, plan: CertificatePlan, signer: Observer, signer_drawing: bytes | None = None,
               mediator_drawing: bytes | None = None) -> None:
        from sendobserve.services.screens_writes import issue_certificate

        def show(written: Written[IssuedDocument]) -> None:
            issued = written.value
            what = "Re-print of" if issued.reprint else "Issued"
            dialog = self._show(
                issued.pdf,
                f"Form {issued.form_number} {issued.serial} — {issued.mediator_name}",
                _safe_file_name(f"form{issued.form_number}", issued.mediator_name,
                                issued.serial))
            dialog.status.setText(
                f"{what} Form {issued.form_number} {issued.serial}, signed by "
                f"{issued.signer_name}. Verification code: {issued.verification_code}")

        self._build(f"Signing Form {plan.form_number}",
                    lambda _job: issue_certificate(self.store, plan, signer, today=self.today,
                                                   signer_drawing=signer_drawing,
                                                   mediator_drawing=mediator_drawing),
                    show, cancellable=False)

    def _ask_signer(self, candidates: Sequence[Observer], title: str, explanation: str,
                    then: Callable[[Observer], None], *,
                    ok_text: str = "Sign and preview") -> None:
        dialog = SignerDialog(candidates, title, explanation, self.parent_widget,
                              ok_text=ok_text)
        self.signer_dialog = dialog

        def accepted() -> None:
            who = dialog.chosen()
            if who is not None:
                then(who)

        dialog.accepted.connect(accepted)
        dialog.open()

    def _build(self, title: str, work: Callable[[Job], Any],
               then: Callable[[Any], object], *, cancellable: bool = False) -> None:
        """Run ``work(job)`` on the runner behind a progress dialog; a result carrying
        ``Changes`` (a certificate issued) is announced by the runner."""
        op = self.runner.job(work)
        progress = ProgressDialog(title, op.job, self.parent_widget, cancellable=cancellable)
        self.progress = progress
        progress.open()

        def done(value: Any) -> None:
            progress.finish()
            then(value)

        def failed(exc: BaseException) -> None:
            from sendobserve.reports.build import CertificateRefused
            from sendobserve.reports.styles import ReportCancelled

            progress.finish()
            if isinstance(exc, ReportCancelled):
                self.failed.emit("cancelled")
                return
            if isinstance(exc, CertificateRefused):
                self._refuse(exc.message, exc.hint or "")
                return
            if isinstance(exc, UserError):
                self._error(exc.message, exc.hint or "")
                return
            log.error("printing failed", exc_info=exc)
            self._error(f"The PDF could not be made: {exc}", "")

        op.success(done).failure(failed).run()

    def _show(self, pdf: bytes, title: str, file_name: str) -> PrintPreviewDialog:
        dialog = PrintPreviewDialog(pdf, title, self.parent_widget, runner=self.runner,
                                    file_name=file_name)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.preview = dialog
        dialog.open()
        self.previewOpened.emit(dialog)
        return dialog

    def _refuse(self, text: str, hint: str) -> None:
        """One message: the headline, then what is missing as a list, then the way on.

        A Warning, not Information: the certificate was not issued and the user must act.
        """
        head, sep, rest = text.partition(": ")
        items = [i.strip().rstrip(".") for i in rest.split("; ")] if sep else []
        if len(items) > 1:
            listed = "".join(f"<li>{html.escape(i)}</li>" for i in items)
            self._message(QMessageBox.Icon.Warning, "Not yet", f"{head}. Still needed:",
                          f"<ul>{listed}</ul><p>{html.escape(hint)}</p>", rich=True)
        else:
            self._message(QMessageBox.Icon.Warning, "Not yet", text, hint)
        self.refused.emit(text)

    def _error(self, text: str, hint: str) -> None:
        self._message(QMessageBox.Icon.Warning, "Could not print", text, hint)
        self.failed.emit(text)

    def _message(self, icon: QMessageBox.Icon, title: str, text: str, hint: str, *,
                 rich: bool = False) -> None:
        shown = html.escape(text) if rich else text
        box = QMessageBox(icon, title, shown, QMessageBox.StandardButton.Ok, self.parent_widget)
        box.setTextFormat(Qt.TextFormat.RichText if rich else Qt.TextFormat.PlainText)
        if hint:
            box.setInformativeText(hint if rich else html.escape(hint))
        box.setAccessibleName(title)
        plain = re.sub(r"<[^>]+>", " ", hint) if rich else hint
        box.setAccessibleDescription(html.unescape(f"{text} {plain}").strip())
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.message = box
        box.open()

