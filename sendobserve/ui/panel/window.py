"""Opening the panel from the main window: one panel window per main window, kept."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QMainWindow

from sendobserve.model.panel import Verdict
from sendobserve.ui.panel.view import PanelView


def panel_loader(store: Any, today: Callable[[], date] = date.today) -> Callable[
    [Callable[[int, int], None]], list[Verdict]
]:
    """What the panel runs on the worker: stored verdicts, the stale ones assessed again."""
    from sendobserve.services.screens_reads import panel

    def load(progress: Callable[[int, int], None]) -> list[Verdict]:
        return panel(store, today=today(), progress=progress)

    return load


def show_panel(window: QMainWindow) -> PanelView | None:
    """Show (and reload) the panel of ``window``'s open store; Enter opens the trainee
    on the window's workspace."""
    store = getattr(window, "store", None)
    if store is None:
        return None
    view: PanelView | None = getattr(window, "panel_view", None)
    if view is None:
        view = PanelView(panel_loader(store), window.runner, parent=window)  # type: ignore[attr-defined]
        view.setWindowFlag(Qt.WindowType.Window, True)
        view.resize(1100, 640)
        view.openTraineeRequested.connect(lambda mid: _open_trainee(window, store, mid))
        window.panel_view = view  # type: ignore[attr-defined]
    view.follower.stale = False  # reloaded below, once
    view.show()
    view.raise_()
    view.activateWindow()
    view.reload()
    return view


def _open_trainee(window: QMainWindow, store: Any, mediator_id: uuid.UUID) -> None:
    from sendobserve.services.screens_reads import mediator

    workspace = window.centralWidget()
    show = getattr(workspace, "show_trainee", None)
    if not callable(show):
        return
    show(mediator(store, mediator_id))
    window.raise_()
    window.activateWindow()


def _signer(window: QMainWindow) -> str:
    """The name typed as "observer" on the trainees page, as a first guess of who signs."""
    field = getattr(getattr(window.centralWidget(), "navigation", None), "observer_name", None)
    text = getattr(field, "text", None)
    return str(text()) if callable(text) else ""


def show_spot_check(window: QMainWindow) -> QDialog | None:
    """The spot-check dialog of ``window``'s open store (non-modal, one at a time)."""
    from sendobserve.ui.panel.packs import SpotCheckDialog, panel_members

    return _show_pack(window, lambda store, runner: SpotCheckDialog(
        store, runner, population=panel_members(store), signer=_signer(window),
        parent=window))


def show_register_pack(window: QMainWindow) -> QDialog | None:
    """The register-pack dialog of ``window``'s open store (non-modal)."""
    from sendobserve.ui.panel.packs import RegisterPackDialog, panel_members

    return _show_pack(window, lambda store, runner: RegisterPackDialog(
        store, runner, members=panel_members(store), signer=_signer(window), parent=window))


def _show_pack(window: QMainWindow, make: Callable[[Any, Any], QDialog]) -> QDialog | None:
    """``make(store, runner)``'s dialog, opened and deleted when closed; None without a
    store open."""
    store = getattr(window, "store", None)
    if store is None:
        return None
    dialog = make(store, window.runner)  # type: ignore[attr-defined]
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog
