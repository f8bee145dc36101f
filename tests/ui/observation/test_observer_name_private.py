"""The observer's name never rests in the settings file: it is kept in the encrypted store.

The settings file is plain text in the user's profile (an INI file here, the registry or a
plist elsewhere); the test reads the file itself after a name has been typed and used.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings

from sendobserve.model.domain import CaseKind, TraineeRole
from sendobserve.storage.meta import get_meta
from sendobserve.ui.common.settings import (
    LEGACY_OBSERVER_NAME_KEY,
    OBSERVER_NAME_META,
    WorkspaceSettings,
)
from sendobserve.ui.common.tasks import Runner
from sendobserve.ui.shell.workspace import build_workspace
from tests.ui.conftest import reopen

NAME = "Dana Whitfield"


def _ini(tmp_path: Path) -> tuple[Path, QSettings]:
    path = tmp_path / "settings.ini"
    return path, QSettings(str(path), QSettings.Format.IniFormat)


def _file_text(settings: WorkspaceSettings, path: Path) -> str:
    settings.sync()
    return path.read_text(encoding="utf-8") if path.exists() else ""


def _in_store(store: Any) -> str | None:
    with store.session() as session:
        return get_meta(session, OBSERVER_NAME_META)


def test_a_name_typed_and_used_is_in_the_store_not_in_the_settings_file(
        qtbot: Any, store: Any, tmp_path: Path) -> None:
    path, qsettings = _ini(tmp_path)
    settings = WorkspaceSettings(qsettings)
    workspace = build_workspace(store, settings, runner=Runner(synchronous=True))
    qtbot.addWidget(workspace)
    service = workspace.service
    mediator = service.add_mediator("Rhys ap Dafydd")
    service.add_case(mediator.id, "SEN-2026-031", date(2026, 3, 2), CaseKind.MEDIATION,
                     TraineeRole.CO_MEDIATING, Decimal("2"))
    nav = workspace.navigation
    nav.reload()
    nav.trainee_list.setCurrentIndex(nav.trainee_list.model().index(0, 0))
    nav.case_list.setCurrentIndex(nav.case_list.model().index(0, 0))
    nav.observer_name.setText(NAME)
    opened: list[Any] = []
    nav.observationOpened.connect(lambda observation, *_: opened.append(observation))
    nav.start()  # the name is used: it goes on the form and is remembered

    assert len(opened) == 1
    assert service.observer(opened[0].observer_id).name == NAME
    assert settings.observer_name == NAME
    assert _in_store(store) == NAME
    text = _file_text(settings, path)
    assert "observer" in text  # the file is written (the role is there)…
    assert NAME not in text and "Whitfield" not in text  # …but not the name
    # Remembered across a restart, from the store.
    store = reopen(store)
    try:
        again = WorkspaceSettings(QSettings(str(path), QSettings.Format.IniFormat))
        assert again.observer_name == ""  # nothing to read in the file
        build_workspace(store, again, runner=Runner(synchronous=True)).deleteLater()
        assert again.observer_name == NAME
    finally:
        store.close()


def test_a_name_left_in_the_file_by_an_earlier_version_moves_into_the_store(
        qtbot: Any, store: Any, tmp_path: Path) -> None:
    path, qsettings = _ini(tmp_path)
    qsettings.setValue(LEGACY_OBSERVER_NAME_KEY, NAME)
    qsettings.setValue("lock/idle_minutes", 9)
    qsettings.sync()
    assert NAME in path.read_text(encoding="utf-8")
    settings = WorkspaceSettings(QSettings(str(path), QSettings.Format.IniFormat))
    assert settings.observer_name == NAME  # still known before the store opens
    workspace = build_workspace(store, settings, runner=Runner(synchronous=True))
    qtbot.addWidget(workspace)
    text = _file_text(settings, path)
    assert NAME not in text and "Whitfield" not in text
    assert "idle_minutes=9" in text  # the rest of the file is untouched
    assert _in_store(store) == NAME and settings.observer_name == NAME


def test_a_name_already_in_the_store_wins_over_an_old_file(
        qtbot: Any, store: Any, tmp_path: Path) -> None:
    _path, qsettings = _ini(tmp_path)
    first = WorkspaceSettings(qsettings)
    qtbot.addWidget(build_workspace(store, first, runner=Runner(synchronous=True)))
    first.observer_name = NAME
    stale = QSettings(str(tmp_path / "old.ini"), QSettings.Format.IniFormat)
    stale.setValue(LEGACY_OBSERVER_NAME_KEY, "Someone Else")
    older = WorkspaceSettings(stale)
    qtbot.addWidget(build_workspace(store, older, runner=Runner(synchronous=True)))
    assert older.observer_name == NAME
    assert "Someone Else" not in _file_text(older, tmp_path / "old.ini")


def test_without_a_store_the_name_is_held_in_memory_only(tmp_path: Path) -> None:
    path, qsettings = _ini(tmp_path)
    settings = WorkspaceSettings(qsettings)
    settings.observer_name = f"  {NAME} "
    settings.idle_lock_minutes = 3
    assert settings.observer_name == NAME
    text = _file_text(settings, path)
    assert "idle_minutes=3" in text and NAME not in text
