"""Start the desktop app: first run or unlock, then the main window."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QMessageBox

from sendobserve import APP_DISPLAY_NAME, APP_NAME, __version__
from sendobserve.errors import UserError
from sendobserve.paths import resolve_data_dir
from sendobserve.storage import vault
from sendobserve.storage.db import Store
from sendobserve.storage.keyring_cache import KeyCache


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
    return app


def obtain_store(data_dir: Path, cache: KeyCache) -> Store | None:
    """Create or unlock the store through the dialogs; None if the user quits."""
    from sendobserve.ui.dialogs import FirstRunDialog, UnlockDialog

    status = cache.status()
    if vault.init_blocker(data_dir) is None:
        created: dict[str, vault.Initialised] = {}

        def create(passphrase: str) -> str:
            made = vault.initialise(data_dir, passphrase)
            created["store"] = made
            cache.save(made.store_id, made.data_key)
            return made.recovery_key

        first = FirstRunDialog(data_dir, create, status)
        accepted = first.exec()
        if "store" not in created:
            return None
        if not accepted:
            created["store"].store.close()
            return None
        return created["store"].store

    opened = vault.open_from_cache(data_dir, cache)
    if opened is not None:
        return opened.store

    def unlock(secret: str) -> Store:
        return vault.open_with_secret(data_dir, secret, cache).store

    dialog = UnlockDialog(data_dir, unlock, status)
    if not dialog.exec():
        return None
    result = dialog.result_value
    assert isinstance(result, Store)
    return result


def run(
    data_dir: str | None = None,
    *,
    secret: str | None = None,
    exit_after_start: bool = False,
) -> int:
    """The GUI entry point; returns the exit status.

    ``secret`` (from ``--passphrase-file`` or ``SENDOBSERVE_PASSPHRASE``) unlocks without
    the dialog. ``exit_after_start`` quits once the main window has painted, printing how
    long that took: a check that an installation starts, and the start-up benchmark's probe.
    """
    started = time.perf_counter()
    app = ensure_application()
    from sendobserve.ui.main_window import MainWindow

    folder = resolve_data_dir(data_dir)
    store: Store | None
    try:
        if secret is not None:
            store = vault.open_with_secret(folder, secret, KeyCache()).store
        else:
            store = obtain_store(folder, KeyCache())
    except UserError as exc:
        if exit_after_start:
            print(f"sendobserve: {exc.message}", file=sys.stderr)
        else:
            QMessageBox.critical(None, APP_DISPLAY_NAME, exc.message)
        return exc.exit_code
    if store is None:
        return 0
    from sendobserve.ui.workspace import build_workspace

    window = MainWindow(store)
    window.set_central_widget(build_workspace(store, runner=window.runner))
    window.show()
    if exit_after_start:
        def painted() -> None:
            elapsed = (time.perf_counter() - started) * 1000
            print(f"main window painted after {elapsed:.0f} ms", flush=True)
            window.close()
            app.quit()

        window.repaint()  # paint now, then quit from the event loop
        QTimer.singleShot(0, painted)
    return int(app.exec())
