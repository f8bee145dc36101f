"""The print preview: pages rasterised on the runner's worker as they scroll into view,
zoom, Print (painted on the worker, with progress and Cancel) and Save as PDF (all or
nothing).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QSize, Qt, Signal
from PySide6.QtGui import QImage, QKeySequence, QPixmap, QShortcut
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
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
from sendobserve.ui.common.progress import ProgressDialog
from sendobserve.ui.common.tasks import Runner
from sendobserve.ui.printing.pages import (
    PREVIEW_DPI,
    page_sizes,
    paint_pages,
    rasterise,
)

MAX_CACHED = 8  # rendered pages kept for scrolling back
ZOOM_STEPS = (0.25, 0.33, 0.5, 0.67, 0.75, 0.9, 1.0, 1.25, 1.5, 2.0, 3.0)


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
        from sendobserve.services.files import write_file

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

        self.runner.op(lambda: write_file(target, self.pdf)).success(saved) \
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


