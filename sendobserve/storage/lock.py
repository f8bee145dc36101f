"""One sendobserve per data folder: an OS advisory lock held while a store is open.

Whole-file operations (restore, key rotation) replace or rewrite the database and
must not pull it from under another running copy of the app. The OS drops the lock
when the process dies, so a crash never leaves the folder locked.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import IO

from sendobserve.storage.errors import StoreBusyError

LOCK_FILE_NAME = "sendobserve.lock"


class DataDirLock:
    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / LOCK_FILE_NAME
        self._handle: IO[bytes] | None = None
        self._created = False

    def acquire(self) -> None:
        self._created = not self.path.exists()
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_BINARY", 0), 0o600)
        handle = os.fdopen(fd, "a+b")  # held open for the lock's lifetime
        try:
            if sys.platform == "win32":
                import msvcrt

                handle.seek(0)
                msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
            else:
                import fcntl

                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            raise StoreBusyError(
                f"the store in {self.path.parent} is open in another sendobserve; close it first"
            ) from None
        self._handle = handle

    def release(self, *, undo_create: bool = False) -> None:
        """Let go; ``undo_create`` also removes the lock file if this lock made it, so a
        refused open leaves the folder exactly as it found it."""
        handle, self._handle = self._handle, None
        if handle is None:
            return
        try:
            if sys.platform == "win32":
                import msvcrt

                handle.seek(0)
                msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
            else:
                import fcntl

                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
        finally:
            handle.close()
            if undo_create and self._created:
                self.path.unlink(missing_ok=True)

    @property
    def held(self) -> bool:
        return self._handle is not None


