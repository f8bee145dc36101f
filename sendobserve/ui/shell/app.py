"""Start the desktop app: the main window at once, then first run or unlock, then records.

Start-up paints the real main window ("Opening your records…", store menus disabled)
before importing or doing anything slow; the storage stack is imported, the key derived
(scrypt) and the store opened, checked and backed up on a worker thread; the workspace is
built on the GUI thread when the store is open. Dialogs (first run, unlock) and errors
appear over the window.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QThreadPool, QTimer
from PySide6.QtGui import QGuiApplication, QIcon
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from sendobserve import APP_DISPLAY_NAME, APP_NAME, __version__
from sendobserve.errors import UserError
from sendobserve.paths import resolve_data_dir, resources_dir

if TYPE_CHECKING:
    from sendobserve.storage.db import Store
    from sendobserve.storage.keyring_cache import KeyCache, KeyringStatus
    from sendobserve.ui.shell.main_window import MainWindow


def ensure_application() -> QApplication:
    """The one QApplication; high-DPI scaling as the screen asks, the system's palette."""
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
        Qt.HighDpiScaleFactorRoundingPolicy.PassThrough
    )
    app = QApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_DISPLAY_NAME)
    app.setApplicationVersion(__version__)
    app.setOrganizationName(APP_NAME)
    from sendobserve.ui.common.palette import harden

    app.setPalette(harden(app.palette()))  # the system's palette, its weak pairs at 4.5:1
    from sendobserve.ui.common.focus_ring import install_focus_ring

    install_focus_ring(app)  # a 3:1 ring around whatever has the keyboard focus
    icon = resources_dir() / "icons" / "sendobserve-256.png"
    if icon.is_file():  # cosmetic: a missing icon is no reason not to start
        app.setWindowIcon(QIcon(str(icon)))
    return app


# What the worker found: ("open", Store), ("first-run", KeyringStatus) or
# ("unlock", KeyringStatus).
Found = tuple[str, Any]


def find_store(data_dir: Path, cache: KeyCache, secret: str | None = None) -> Found:
    """The slow, dialog-free part of start-up (no widgets: it runs on a worker thread).

    With ``secret``, unlock with it (scrypt) and open; otherwise open with the key in
    the OS keyring if there is one, or say which dialog is needed.
    """
    if secret is not None:
        return ("open", open_with_secret(data_dir, secret, cache))
    from sendobserve.storage import vault

    status = cache.status()
    if vault.init_blocker(data_dir) is None:
        return ("first-run", status)
    opened = vault.open_from_cache(data_dir, cache)
    if opened is not None:
        return ("open", opened.store)
    return ("unlock", status)


def open_with_secret(data_dir: Path, secret: str, cache: KeyCache) -> Store:
    """``vault.open_with_secret``, with the key derived before the store stack is imported.

    scrypt (deliberately) needs 128 MiB for about a third of a second. Deriving first,
    with only the key file's code loaded (no SQLAlchemy, SQLCipher or forms yet), keeps
    that moment's peak to the painted window plus scrypt, instead of the whole opened app
    plus scrypt. The buffer is freed when the derivation returns (OpenSSL frees it, and
    the C library hands a block that size straight back to the system), so the app does
    not hold it: ``bench/run.py`` reports the peak and the resident size once open. Kept
    in this process rather than a child: a child would need the same 128 MiB for the
    same moment, plus an interpreter of its own, and time to start one.
    """
    from sendobserve.storage import keys

    unlocked = None
    if keys.key_file_path(data_dir).exists():
        unlocked = keys.unlock_key_file(keys.read_key_file(data_dir), secret)
    from sendobserve.storage import vault

    if unlocked is None:  # no key file: the vault says what is missing, as it always has
        return vault.open_with_secret(data_dir, secret, cache).store
    store = vault.open_with_keys(data_dir, unlocked)
    try:
        key = next(k for k in unlocked.candidates() if keys.key_id(k) == store.key_id)
        cache.save(keys.read_key_file(data_dir).store_id, key)
    except BaseException:
        store.close()
        raise
    return store


def ask_for_store(data_dir: Path, cache: KeyCache, found: Found,
                  parent: QWidget | None = None) -> Store | None:
    """Run the first-run or unlock dialog ``found`` asks for; None if the user quits."""
    from sendobserve.storage.db import Store
    from sendobserve.ui.shell.dialogs import FirstRunDialog, UnlockDialog

    kind, value = found
    if kind == "open":
        assert isinstance(value, Store)
        return value
    status: KeyringStatus = value
    if kind == "first-run":
        from sendobserve.services.store import Created, create_store

        created: dict[str, Created] = {}

        def create(passphrase: str) -> str:
            made = create_store(data_dir, passphrase, cache)  # the same as 'sendobserve init'
            created["store"] = made
            if first.chosen_provider:
                from sendobserve.services.documents import set_provider_name

                set_provider_name(made.store, first.chosen_provider)
            return made.recovery_key

        first = FirstRunDialog(data_dir, create, status, parent)
        accepted = first.exec()
        if "store" not in created:
            return None
        if not accepted:
            created["store"].store.close()
            return None
        return created["store"].store

    def unlock(secret: str) -> Store:
        return open_with_secret(data_dir, secret, cache)

    dialog = UnlockDialog(data_dir, unlock, status, parent)
    if not dialog.exec():
        return None
    result = dialog.result_value
    assert isinstance(result, Store)
    return result


def obtain_store(data_dir: Path, cache: KeyCache, parent: QWidget | None = None) -> Store | None:
    """Create or unlock the store through the dialogs; None if the user quits."""
    return ask_for_store(data_dir, cache, find_store(data_dir, cache), parent)


def _prepare_workspace_modules() -> None:
    """Import what the workspace and the window's controllers need (no widgets made), so
    the worker, not the GUI thread, pays for it."""
    import sendobserve.ui.exchange.dialogs
    import sendobserve.ui.printing
    import sendobserve.ui.shell.workspace  # noqa: F401


class _Startup:
    """The steps after the first paint, each a callback on the GUI thread."""

    def __init__(self, app: QApplication, window: MainWindow, folder: Path, secret: str | None,
                 exit_after_start: bool, started: float) -> None:
        self.app = app
        self.window = window
        self.folder = folder
        self.secret = secret
        self.exit_after_start = exit_after_start
        self.started = started
        self.cache: KeyCache | None = None
        self.unclaimed: list[Store] = []  # opened by the worker, not yet in the window
        self.crash: BaseException | None = None

    def ms(self) -> float:
        return (time.perf_counter() - self.started) * 1000

    def painted(self) -> None:
        if self.exit_after_start:
            print(f"main window painted after {self.ms():.0f} ms", flush=True)
        from sendobserve.ui.common.tasks import startup_runner

        startup_runner().op(self._find).success(self.found).failure(self.failed).run()

    def _find(self) -> Found:  # on the worker
        from sendobserve.storage.keyring_cache import KeyCache

        self.cache = KeyCache()
        secret, self.secret = self.secret, None  # used once
        found = find_store(self.folder, self.cache, secret)
        if found[0] == "open":
            self.unclaimed.append(found[1])
        _prepare_workspace_modules()
        return found

    def found(self, found: Found) -> None:
        if not self.window.isVisible():  # closed while opening: nothing to show it in
            self._close_unclaimed()
            return
        assert self.cache is not None
        try:
            store = ask_for_store(self.folder, self.cache, found, self.window)
        except UserError as exc:
            self.failed(exc)
            return
        if store is None:  # the user chose to quit
            self._close_unclaimed()
            self._finish(0)
            return
        from sendobserve.ui.shell.workspace import build_workspace

        try:
            workspace = build_workspace(store, runner=self.window.runner)
        except BaseException:
            store.close()
            raise
        finally:
            if store in self.unclaimed:
                self.unclaimed.remove(store)
        self.window.open_store(store, workspace)
        from sendobserve.ui.shell.integrity_checks import start_integrity_checks

        start_integrity_checks(self.window, store)
        if self.exit_after_start:
            print(f"records opened after {self.ms():.0f} ms", flush=True)
            self._finish(0)

    def failed(self, exc: BaseException) -> None:
        self._close_unclaimed()
        if not isinstance(exc, UserError):
            self.crash = exc  # raised from run(), as before the window came first
            self._finish(1)
            return
        if self.exit_after_start or not self.window.isVisible():
            print(f"sendobserve: {exc.message}", file=sys.stderr)
        else:
            QMessageBox.critical(self.window, APP_DISPLAY_NAME, exc.message)
        self._finish(exc.exit_code)

    def _finish(self, code: int) -> None:
        """Close the window and end the event loop with ``code``. Closing the last window
        would also post a quit (status 0) that outlives this loop: not here."""
        quits = self.app.quitOnLastWindowClosed()
        self.app.setQuitOnLastWindowClosed(False)
        try:
            self.window.close()
        finally:
            self.app.setQuitOnLastWindowClosed(quits)
        self.app.exit(code)

    def _close_unclaimed(self) -> None:
        while self.unclaimed:
            self.unclaimed.pop().close()


def run(
    data_dir: str | None = None,
    *,
    secret: str | None = None,
    exit_after_start: bool = False,
) -> int:
    """The GUI entry point; returns the exit status.

    ``secret`` (from ``--passphrase-file`` or ``SENDOBSERVE_PASSPHRASE``) unlocks without
    the dialog; the variable is removed from the environment before anything else, and
    the secret is forgotten once the store is open. ``exit_after_start`` prints "main
    window painted after N ms" at the main window's first paint and "records opened
    after N ms" once the store is open and the workspace in place, then quits: a check
    that an installation starts and opens its store, and the start-up benchmark's probe.
    """
    started = time.perf_counter()
    from sendobserve.environment import PASSPHRASE_ENV, drop_from_environment

    drop_from_environment(PASSPHRASE_ENV)  # read already (``secret``): not kept for life
    app = ensure_application()
    from sendobserve.ui.shell.main_window import MainWindow

    folder = resolve_data_dir(data_dir)
    window = MainWindow(data_dir=folder)  # "Opening your records…"
    window.show()
    window.repaint()  # paint now; the slow work starts from the event loop, after it
    startup = _Startup(app, window, folder, secret, exit_after_start, started)
    QTimer.singleShot(0, startup.painted)
    from sendobserve.storage import integrity

    # The whole-file checks and the daily backup run after the records open
    # (ui.integrity_checks), not before: a large store opens as fast as a small one.
    integrity.defer_whole_file_checks()
    try:
        status = int(app.exec())
        # Closed while the worker was still opening: let it finish, then close what it opened.
        QThreadPool.globalInstance().waitForDone()
    finally:
        integrity.defer_whole_file_checks(False)
    startup._close_unclaimed()
    window.deleteLater()
    if startup.crash is not None:
        raise startup.crash
    return status
