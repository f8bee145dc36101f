"""Keyboard rules with real key presses: Escape goes back everywhere (a search field clears
first), Return in the unlock dialog unlocks wherever Tab has been, Enter in *Your name*
starts, and an action that cannot run says why."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QPushButton

from sendobserve.demo import GAPS
from sendobserve.storage.db import Store
from sendobserve.ui.common.settings import WorkspaceSettings
from sendobserve.ui.common.tasks import Runner
from sendobserve.ui.shell.dialogs import UnlockDialog
from sendobserve.ui.shell.workspace import TraineePage
from tests.ui.screens import activate, main_window

ESC = Qt.Key.Key_Escape


def _key(qtbot: Any, key: Qt.Key, mods: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
         ) -> None:
    widget = QApplication.focusWidget()
    assert widget is not None, "nothing has the keyboard focus"
    qtbot.keyClick(widget, key, mods)


def test_escape_goes_back_on_every_page_and_clears_a_search_first(
        qtbot: Any, store: Store, forms: Any, settings: WorkspaceSettings,
        runner: Runner) -> None:
    window, workspace = main_window(qtbot, store, forms, settings, runner)
    nav = workspace.navigation
    assert window.focusWidget() is nav.search  # typing a name works at once

    nav.search.setText("lucja")
    nav.trainee_list.setFocus()
    _key(qtbot, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    page = workspace.pages.currentWidget()
    assert isinstance(page, TraineePage)
    readiness = page.trainee_screen.readiness
    assert QApplication.focusWidget() is readiness.table  # the matrix, not a container

    _key(qtbot, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.focusWidget() is readiness.search
    qtbot.keyClicks(readiness.search, "reality")
    _key(qtbot, ESC)
    assert readiness.search.text() == ""  # cleared, still on the page
    assert workspace.pages.currentWidget() is page
    _key(qtbot, ESC)
    assert workspace.pages.currentWidget() is nav  # the empty field: back

    # The checklist and its review page go back with Escape too.
    nav.search.setText(GAPS)
    nav.observer_name.setText("Dana Whitfield")
    nav.observer_name.setFocus()
    _key(qtbot, Qt.Key.Key_Return)  # Enter in "Your name" starts the observation
    assert workspace.observation_page is not None, nav.message.text()
    assert QApplication.focusWidget() is workspace.observation_page.view
    _key(qtbot, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert workspace.pages.currentWidget() is workspace.review_page
    assert QApplication.focusWidget() is workspace.review_page.name
    _key(qtbot, ESC)
    assert workspace.pages.currentWidget() is workspace.observation_page
    _key(qtbot, ESC)
    assert workspace.pages.currentWidget() is nav
    assert workspace.observation_page is None


def test_an_action_that_cannot_run_says_why(
        qtbot: Any, store: Store, forms: Any, settings: WorkspaceSettings,
        runner: Runner) -> None:
    window, workspace = main_window(qtbot, store, forms, settings, runner)
    nav = workspace.navigation
    nav.search.setText(GAPS)
    nav.observation_list.setCurrentIndex(nav.observations.index(-1, 0))
    nav.open_button.click()
    assert "Choose one of Łucja Żak's observations" in nav.message.text()
    assert nav.message.accessibleName().endswith(nav.message.text())  # heard as shown

    nav.observer_name.setText("Dana Whitfield")
    nav.start()
    page = workspace.observation_page
    assert page is not None
    page.view.setFocus()
    _key(qtbot, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)  # amend, on a draft
    assert "Amend is for finalised observations" in window.statusBar().currentMessage()


def test_return_in_the_unlock_dialog_unlocks_even_after_tab_passed_quit(
        qtbot: Any, tmp_path: Any) -> None:
    tried: list[str] = []

    def unlock(secret: str) -> object:
        tried.append(secret)
        return object()

    dialog = UnlockDialog(tmp_path, unlock)
    qtbot.addWidget(dialog)
    activate(qtbot, dialog)
    assert QApplication.focusWidget() is dialog.secret
    quit_button = next(b for b in dialog.findChildren(QPushButton) if b.text() == "&Quit")
    for _ in range(12):  # a full round of Tab, over Quit and back
        _key(qtbot, Qt.Key.Key_Tab)
        assert not quit_button.isDefault()
    dialog.secret.setFocus()
    qtbot.keyClicks(dialog.secret, "my passphrase")
    _key(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: tried == ["my passphrase"], timeout=10000)
    assert dialog.result() == dialog.DialogCode.Accepted


def test_a_tick_moves_on_unless_the_setting_is_off(
        qtbot: Any, store: Store, forms: Any, settings: WorkspaceSettings,
        runner: Runner) -> None:
    _window, workspace = main_window(qtbot, store, forms, settings, runner)
    nav = workspace.navigation
    assert nav.advance.isChecked()  # on by default
    nav.search.setText(GAPS)
    nav.observer_name.setText("Dana Whitfield")
    nav.start()
    page = workspace.observation_page
    assert page is not None
    items = page.session.model.item_ids()
    page.view.setFocus()
    _key(qtbot, Qt.Key.Key_1)
    assert page.view.current_item_id() == items[1]
    _key(qtbot, Qt.Key.Key_Backspace)  # clearing stays put
    assert page.view.current_item_id() == items[1]
    workspace.show_navigation()

    nav.advance.setChecked(False)  # remembered on this computer
    assert settings.advance_after_tick is False
    nav.start()  # another draft, with the setting off
    page = workspace.observation_page
    assert page is not None
    page.view.setFocus()
    _key(qtbot, Qt.Key.Key_1)
    assert page.session.model.state_of(items[0]).value == "demonstrated"
    assert page.view.current_item_id() == items[0]  # stays
