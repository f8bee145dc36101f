"""File ▸ Sync with hub, and the status bar's "Last synced …" line.

The sync itself (``services.screens_writes.sync_with_hub``) runs on the window's runner,
never on the GUI thread, and what its imports changed goes out on the window's change
signal: ticking goes on while it sends and receives (each of its writes is one short
transaction). Once the store is linked to a hub it also runs by itself, 20 s after the
store opens and then every ten minutes; when the hub cannot be reached it only says so in
the status line. Nothing here decides anything: a sync is the same as ``sendobserve sync``.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLabel, QMainWindow, QMessageBox

from sendobserve.model.vocabulary import moment_text

if TYPE_CHECKING:
    from sendobserve.services import Done
    from sendobserve.storage.db import Store
    from sendobserve.ui.common.tasks import Job, Runner

AUTO_SYNC_MS = 10 * 60 * 1000
FIRST_SYNC_MS = 20 * 1000  # after opening: let the person start working first
log = logging.getLogger(__name__)


def _when(moment: datetime | None) -> str:
    if moment is None:
        return "never"
    local = moment.astimezone()
    if local.date() == datetime.now().astimezone().date():
        return f"today {local:%H:%M}"
    return moment_text(local)


class HubSyncController(QObject):
    """Owns the Sync action's behaviour and the status line for one open store."""

    def __init__(self, store: Store, runner: Runner, window: QMainWindow,
                 action: QAction) -> None:
        super().__init__(window)
        self.store = store
        self.runner = runner
        self.window = window
        self.action = action
        self.running = False
        self.label = QLabel(window)
        self.label.setObjectName("hubSyncStatus")
        window.statusBar().addPermanentWidget(self.label)
        self.timer = QTimer(self)
        self.timer.setInterval(AUTO_SYNC_MS)
        self.timer.timeout.connect(lambda: self.sync_now(quiet=True))
        self.first = QTimer(self)
        self.first.setSingleShot(True)
        self.first.setInterval(FIRST_SYNC_MS)
        self.first.timeout.connect(lambda: self.sync_now(quiet=True))
        self.refresh()

    def _show(self, text: str) -> None:
        self.label.setText(text)
        self.label.setAccessibleName(f"Hub sync: {text}")
        self.label.setVisible(bool(text))

    def refresh(self) -> None:
        """Read the link (quick) and show when it last synced; start the timer if linked."""
        from sendobserve.hub.sync import hub_link

        link = hub_link(self.store)
        self.action.setEnabled(link is not None)
        if link is None:
            self.action.setToolTip("Not linked to an organisation's hub "
                                   "(sendobserve hub join)")
            self._show("")
            return
        text = f"Last synced: {_when(link.last_synced_at)}"
        if link.last_error:
            text += f" — last attempt failed: {link.last_error}"
        self._show(text)
        if not self.timer.isActive():
            self.timer.start()
            self.first.start()

    def sync_now(self, *, quiet: bool = False) -> None:
        if self.running or self.store.closed:
            return
        from sendobserve.hub.sync import hub_link
        from sendobserve.services.screens_writes import sync_with_hub

        if hub_link(self.store) is None:
            return
        self.running = True
        self.action.setEnabled(False)
        self._show("Syncing with the hub…")
        store = self.store

        def work(job: Job) -> Done[Any]:
            return sync_with_hub(store, progress=lambda text: job.report(0, 0, text))

        self.runner.job(work).progress(lambda _done, _total, text: self._show(text)) \
            .success(lambda written: self._done(written.value, None, quiet)) \
            .failure(lambda exc: self._done(None, exc, quiet)).owned_by(self.label).run()

    def _done(self, result: Any, error: BaseException | None, quiet: bool) -> None:
        from sendobserve.errors import UserError

        self.running = False
        self.refresh()
        if error is None:
            self.window.statusBar().showMessage(f"Synced: {result.summary()}.", 10_000)
            return
        if not isinstance(error, UserError):  # a fault of ours: say so, keep the window
            log.error("sync with the hub failed", exc_info=error)
            self._show(f"{self.label.text()} — sync failed: {error}")
        if not quiet:
            QMessageBox.warning(self.window, "Sync with hub",
                                str(error) if isinstance(error, UserError)
                                else f"The sync failed: {error}. Nothing was lost.")
