from pathlib import Path

from pytestqt.qtbot import QtBot

from PySide6.QtWidgets import QLabel

from sendobserve import __version__
from sendobserve.ui.shell.about import AboutDialog


def test_about_shows_version_folder_and_the_lgpl_note(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = AboutDialog(tmp_path / "data")
    qtbot.addWidget(dialog)
    labels = " ".join(label.text() for label in dialog.findChildren(QLabel))
    assert __version__ in labels
    assert str(tmp_path / "data") in labels
    text = dialog.licences.toPlainText()
    assert "LGPL-3.0-only" in text
    assert "replace them with your own build" in text
    assert "SQLCipher" in text and "ReportLab" in text and "DejaVu" in text
