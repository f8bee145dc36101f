"""The main window: the app's name and version for now; workspaces go in its centre."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow, QMessageBox, QWidget

from sendobserve import APP_DISPLAY_NAME, __version__
from sendobserve.storage.db import Store


class MainWindow(QMainWindow):
    """Holds the open store; ``set_central_widget`` is where a workspace is placed."""

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.setWindowTitle(f"{APP_DISPLAY_NAME} {__version__}")
        self.setAccessibleName(f"{APP_DISPLAY_NAME} main window")
        self.resize(960, 640)

        placeholder = QLabel(
            f"<h1>{APP_DISPLAY_NAME}</h1><p>Version {__version__}</p>"
            f"<p>Your records are open and encrypted at rest.</p>"
        )
        placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        placeholder.setAccessibleName(f"{APP_DISPLAY_NAME} version {__version__}")
        placeholder.setObjectName("placeholder")
        self.setCentralWidget(placeholder)

        file_menu = self.menuBar().addMenu("&File")
        quit_action = QAction("&Quit", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)
        help_menu = self.menuBar().addMenu("&Help")
        about = QAction(f"&About {APP_DISPLAY_NAME}", self)
        about.triggered.connect(self._about)
        help_menu.addAction(about)
        status = f"Store: {store.path}"
        if store.warnings:
            status += " — " + "; ".join(store.warnings)
        self.statusBar().showMessage(status)

    def set_central_widget(self, widget: QWidget) -> None:
        """Put a workspace in the centre (replacing the placeholder)."""
        self.setCentralWidget(widget)

    def _about(self) -> None:
        QMessageBox.about(
            self,
            f"About {APP_DISPLAY_NAME}",
            f"{APP_DISPLAY_NAME} {__version__}\n\nObservation and accreditation records for "
            "SEND mediators. Offline and encrypted.",
        )

    def closeEvent(self, event: object) -> None:
        self.store.close()
        super().closeEvent(event)  # type: ignore[arg-type]
