"""Evidence files of one training, CPD or case entry: attach, preview, save a copy, remove.

The record editor's *Evidence…* button opens ``EvidenceDialog`` for the selected entry. The
list is a Qt item model; the preview shows an image scaled to fit, or a PDF's first page
(PDFium, as the print preview renders). Reading a file, checking it (Pillow, PDFium) and
rendering run on the window's task runner; each write emits the window's change signal
(when it has one) with the ``Changes`` the service returned, and ``changed`` here.
Everything works from the keyboard; every control has a name that carries its state.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListView,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from sendobserve.errors import UserError
from sendobserve.model.evidence import (
    KIND_WORDS,
    KINDS_FOR,
    MAX_FILE_BYTES,
    MEDIA_WORDS,
    PDF,
    EntryKind,
    EvidenceFile,
    EvidenceKind,
    size_text,
)
from sendobserve.model.vocabulary import day_text
from sendobserve.ui.common.a11y import LiveLabel
from sendobserve.ui.common.lock import FILE_DIALOG_OPTIONS
from sendobserve.ui.common.tasks import Runner

PREVIEW_SIZE = 420  # pixels, the longer side
_ROOT = QModelIndex()
FILE_FILTER = "Certificates and outlines (*.pdf *.png *.jpg *.jpeg);;All files (*)"


def describe(file: EvidenceFile) -> str:
    return (f"{KIND_WORDS[file.kind]}: {file.name} ({MEDIA_WORDS[file.media_type]}, "
            f"{file.size_text}), added by {file.added_by} on {day_text(file.added_at)}")


class EvidenceListModel(QAbstractListModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._files: list[EvidenceFile] = []

    def set_files(self, files: list[EvidenceFile]) -> None:
        self.beginResetModel()
        self._files = list(files)
        self.endResetModel()

    def file(self, row: int) -> EvidenceFile | None:
        return self._files[row] if 0 <= row < len(self._files) else None

    def files(self) -> list[EvidenceFile]:
        return list(self._files)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._files)

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        file = self.file(index.row()) if index.isValid() else None
        if file is None:
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole,
                    Qt.ItemDataRole.ToolTipRole):
            return describe(file)
        return None


def render_preview(file: EvidenceFile, content: bytes) -> QImage:
    """The image, or the PDF's first page, scaled to ``PREVIEW_SIZE`` (a worker's job:
    QImage only)."""
    if file.media_type == PDF:
        from sendobserve.ui.printing import page_sizes, rasterise

        width, height = page_sizes(content)[0]
        dpi = max(18.0, min(150.0, PREVIEW_SIZE * 72.0 / max(width, height, 1.0)))
        image = rasterise(content, dpi, pages=[0])[0]
    else:
        image = QImage.fromData(content)
    if image.isNull():
        raise UserError("This file cannot be shown.")
    return image.scaled(PREVIEW_SIZE, PREVIEW_SIZE, Qt.AspectRatioMode.KeepAspectRatio,
                        Qt.TransformationMode.SmoothTransformation)


class _Source:
    """The service's ``store`` argument from a Store or a session factory."""

    def __init__(self, source: Any) -> None:
        self.session = getattr(source, "session", source)


class EvidenceDialog(QDialog):
    """The files attached to one entry. ``runner``: the window's task runner (tests pass a
    synchronous one); ``added_by``: who attaches (the trainee, by default)."""

    changed = Signal(object)  # the Changes of a write

    def __init__(self, source: Any, entry_kind: EntryKind, entry_id: uuid.UUID, label: str,
                 *, added_by: str, runner: Runner | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store: Any = _Source(source)  # what the service calls .session() on
        self.entry_kind = entry_kind
        self.entry_id = entry_id
        self.label = label
        self.added_by = added_by
        self.runner: Runner = runner or Runner(self, synchronous=True)
        self.confirm = self._ask
        self.choose_file = self._choose_file
        self.choose_target = self._choose_target
        self.setWindowTitle(f"Evidence — {label}")
        self.setObjectName("evidenceDialog")

        heading = QLabel(f"Evidence files of {label}")
        heading.setTextFormat(Qt.TextFormat.PlainText)
        heading.setWordWrap(True)
        rules = QLabel(f"A PDF, PNG or JPEG of at most {size_text(MAX_FILE_BYTES)}, checked "
                       "by its content. Photos are kept without the details a camera hides "
                       "in them (such as where they were taken).")
        rules.setTextFormat(Qt.TextFormat.PlainText)
        rules.setWordWrap(True)
        self.model = EvidenceListModel(self)
        self.list = QListView()
        self.list.setModel(self.model)
        self.list.setObjectName("evidenceList")
        self.list.setAccessibleName(f"Evidence files of {label}")
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.list.selectionModel().currentRowChanged.connect(lambda *_: self._current_changed())
        self.preview = QLabel()
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setMinimumSize(PREVIEW_SIZE // 2, PREVIEW_SIZE // 2)
        self.preview.setTextFormat(Qt.TextFormat.PlainText)
        self.preview.setWordWrap(True)
        scroll = QScrollArea()
        scroll.setWidget(self.preview)
        scroll.setWidgetResizable(True)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        scroll.setMinimumWidth(PREVIEW_SIZE + 24)

        self.kind = QComboBox()
        self.kind.setObjectName("evidenceKind")
        for k in KINDS_FOR[entry_kind]:
            self.kind.addItem(KIND_WORDS[k], k.value)
        self.kind.setAccessibleName("Kind of document to attach")
        kind_label = QLabel("&Kind of document:")
        kind_label.setBuddy(self.kind)
        self.attach_button = QPushButton("&Attach a file…")
        self.attach_button.setAccessibleName("Attach a file")
        self.attach_button.clicked.connect(self.attach)
        self.save_button = QPushButton("&Save a copy…")
        self.save_button.clicked.connect(self.save_copy)
        self.remove_button = QPushButton("&Remove…")
        self.remove_button.clicked.connect(self.remove)
        close = QPushButton("Close")
        close.setAccessibleName("Close")
        close.clicked.connect(self.accept)
        self.message = LiveLabel("Evidence", alert=True)
        self.message.setWordWrap(True)

        left = QVBoxLayout()
        left.addWidget(heading)
        left.addWidget(rules)
        left.addWidget(self.list, 1)
        row = QHBoxLayout()
        row.addWidget(kind_label)
        row.addWidget(self.kind, 1)
        left.addLayout(row)
        buttons = QHBoxLayout()
        for b in (self.attach_button, self.save_button, self.remove_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(close)
        left.addLayout(buttons)
        left.addWidget(self.message)
        layout = QHBoxLayout(self)
        layout.addLayout(left, 1)
        layout.addWidget(scroll)
        self.reload()
        self.list.setFocus()

    # --- reading ----------------------------------------------------------------------
    def reload(self, select: uuid.UUID | None = None) -> None:
        from sendobserve.services import evidence

        current = self.current() if select is None else None
        keep = select or (current.id if current else None)
        files = evidence.files_of_entry(self.store, self.entry_kind, self.entry_id)
        self.model.set_files(files)
        rows = [i for i, f in enumerate(files) if f.id == keep] or ([0] if files else [])
        if rows:
            self.list.setCurrentIndex(self.model.index(rows[0], 0))
        self._current_changed()

    def current(self) -> EvidenceFile | None:
        index = self.list.currentIndex()
        return self.model.file(index.row()) if index.isValid() else None

    def _current_changed(self) -> None:
        file = self.current()
        has = file is not None
        self.save_button.setEnabled(has)
        self.remove_button.setEnabled(has)
        what = f" {file.name}" if file else ""
        self.save_button.setAccessibleName(f"Save a copy of{what}" if has
                                           else "Save a copy (choose a file first)")
        self.remove_button.setAccessibleName(f"Remove{what}" if has
                                             else "Remove (choose a file first)")
        n = self.model.rowCount()
        self.list.setAccessibleName(f"Evidence files of {self.label}: {n} "
                                    f"file{'s' if n != 1 else ''}")
        if file is None:
            self._show_text("No evidence file is attached yet." if not n
                            else "Choose a file to preview it.")
            return
        self._show_text(f"Preparing the preview of {file.name}…")
        chosen = file.id

        def work() -> QImage:
            from sendobserve.services import evidence

            shown, content = evidence.get(self.store, chosen)
            return render_preview(shown, content)

        def shown(image: QImage) -> None:
            current = self.current()
            if current is None or current.id != chosen:
                return  # another file was chosen meanwhile
            self.preview.setPixmap(QPixmap.fromImage(image))
            self.preview.setAccessibleName(f"Preview of {current.name}"
                                           + (", first page" if current.media_type == PDF
                                              else ""))

        self.runner.op(work).success(shown).failure(self._failed).owned_by(self).run()

    def _show_text(self, text: str) -> None:
        self.preview.clear()
        self.preview.setText(text)
        self.preview.setAccessibleName(f"Preview: {text}")

    def _failed(self, exc: BaseException) -> None:
        message = getattr(exc, "message", None) or str(exc)
        self.message.setText(f"⚠ {message}")

    def _emit(self, changes: Any) -> None:
        self.changed.emit(changes)
        self.runner.announce(changes)

    # --- writing ----------------------------------------------------------------------
    def _choose_file(self) -> str:
        path, _ = QFileDialog.getOpenFileName(self, "Attach evidence", str(Path.home()),
                                              FILE_FILTER, options=FILE_DIALOG_OPTIONS)
        return path

    def _choose_target(self, name: str) -> str:
        path, _ = QFileDialog.getSaveFileName(self, "Save a copy of the evidence file",
                                              str(Path.home() / name), "All files (*)",
                                              options=FILE_DIALOG_OPTIONS)
        return path

    def _ask(self, title: str, question: str) -> bool:
        answer = QMessageBox.question(
            self, title, question,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    def attach(self, path: str | None = None) -> None:
        from sendobserve.services import evidence

        path = path if isinstance(path, str) else self.choose_file()
        if not path:
            return
        kind = EvidenceKind(self.kind.currentData())
        self.message.setText(f"Checking {Path(path).name}…")
        self.attach_button.setEnabled(False)

        def work() -> tuple[EvidenceFile, Any]:
            return evidence.attach_path(self.store, self.entry_kind,
                                        self.entry_id, path, kind=kind, added_by=self.added_by)

        def done(result: tuple[EvidenceFile, Any]) -> None:
            file, changes = result
            self.attach_button.setEnabled(True)
            self.reload(select=file.id)
            self.message.setText(f"Attached {file.name} ({MEDIA_WORDS[file.media_type]}, "
                                 f"{file.size_text}).")
            self._emit(changes)

        def failed(exc: BaseException) -> None:
            self.attach_button.setEnabled(True)
            self._failed(exc)

        self.runner.op(work).success(done).failure(failed).owned_by(self).run()

    def save_copy(self, target: str | None = None) -> None:
        """Write a copy of the chosen file (read from the store and written on the
        runner: a file may be 5 MB)."""
        from sendobserve.services import evidence

        file = self.current()
        if file is None:
            self.message.setText("Choose a file to save a copy of.")
            return
        target = target if isinstance(target, str) else self.choose_target(file.name)
        if not target:
            return
        store, chosen, where = self.store, file.id, target
        self.runner.op(  # the dialog asked before replacing an existing file
            lambda: evidence.save_copy(store, chosen, where, overwrite=True)
        ).success(lambda written: self.message.setText(
            f"Saved a copy of {file.name} to {written}.")
        ).failure(self._failed).owned_by(self).run()

    def remove(self) -> None:
        from sendobserve.services import evidence

        file = self.current()
        if file is None:
            self.message.setText("Choose a file to remove.")
            return
        if not self.confirm("Remove evidence file",
                            f"Remove {file.name} from {self.label}? If it has been "
                            "shared, the removal is shared with the record too."):
            return
        store, chosen = self.store, file.id

        def removed(result: tuple[EvidenceFile, Any]) -> None:
            gone, changes = result
            self.reload()
            self.message.setText(f"Removed {gone.name}.")
            self._emit(changes)

        self.runner.op(lambda: evidence.remove(store, chosen)).success(removed) \
            .failure(self._failed).owned_by(self).run()
