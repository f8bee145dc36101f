"""About sendobserve: version, where the data is, and the licences of what it ships."""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from sendobserve import APP_DISPLAY_NAME, __version__
from sendobserve.licences import COMPONENTS, QT_REPLACEMENT_NOTE, component_version


def licences_html() -> str:
    rows = []
    for c in COMPONENTS:
        version = component_version(c)
        cells = (
            f"<b>{html.escape(c.name)}</b> {html.escape(version)}",
            html.escape(c.licence),
            html.escape(c.source),
        )
        rows.append("<tr>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>")
    return (
        "<table cellpadding='4'><tr><th align='left'>Component</th>"
        "<th align='left'>Licence</th><th align='left'>Source</th></tr>"
        + "".join(rows)
        + "</table><p>" + html.escape(QT_REPLACEMENT_NOTE) + "</p>"
    )


class AboutDialog(QDialog):
    def __init__(self, data_dir: Path, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(f"About {APP_DISPLAY_NAME}")
        self.setAccessibleName(f"About {APP_DISPLAY_NAME}")
        self.resize(720, 520)
        layout = QVBoxLayout(self)

        title = QLabel(f"<h2>{APP_DISPLAY_NAME} {html.escape(__version__)}</h2>")
        title.setAccessibleName(f"{APP_DISPLAY_NAME} version {__version__}")
        layout.addWidget(title)

        about = QLabel(
            "Observation and accreditation records for SEND mediators: Forms 1–3 in the room, "
            "readiness at the de-brief, signed Form 4 and Form 5 certificates. Works offline; "
            "everything is stored encrypted."
        )
        about.setWordWrap(True)
        layout.addWidget(about)

        folder = QLabel(f"Data folder: {html.escape(str(data_dir))}")
        folder.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                       | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        folder.setAccessibleName(f"Data folder {data_dir}")
        folder.setWordWrap(True)
        layout.addWidget(folder)

        self.licences = QTextBrowser()
        self.licences.setAccessibleName("Licences of the bundled components")
        self.licences.setOpenExternalLinks(False)
        self.licences.setHtml(licences_html())
        layout.addWidget(self.licences, 1)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        layout.addWidget(buttons)
