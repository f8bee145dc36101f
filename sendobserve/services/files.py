"""Writing a file a person named (a PDF, an exchange file, a CSV): one rule for every use
case, the CLI and the app.

All of the data or nothing (``storage.fsutil.atomic_write_bytes``: a temporary file
beside it, fsynced, renamed, the folder synced), and one clear sentence when the name is
a folder, the folder is missing, the file exists and may not be replaced, or the disk
refuses.
"""

from __future__ import annotations

import os
from pathlib import Path

from sendobserve.errors import UserError


def write_file(path: str | os.PathLike[str], data: bytes, *, replace: bool = True,
               private: bool = True) -> Path:
    """Put all of ``data`` at ``path`` or nothing (readable by its owner only unless not
    ``private``: a certificate meant to be handed out); returns the path written."""
    target = Path(path).expanduser()
    if target.is_dir():
        raise UserError(f"{target} is a folder; give a file name")
    if not replace and target.exists():
        raise UserError(f"{target} already exists; nothing was written",
                        hint="Choose another name, or add --force to replace it.")
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise UserError(f"the folder for {target} does not exist")
    from sendobserve.storage.fsutil import atomic_write_bytes

    try:
        atomic_write_bytes(target, data, private=private)
    except OSError as exc:
        raise UserError(f"could not write {target}: {exc.strerror or exc}") from None
    return target


class PendingFile:
    """A file written beside its destination and moved into place only on ``commit``:
    for a document whose issue is committed to the store after it is laid out, so that
    a failure leaves neither a half-written file nor a logged issue."""

    def __init__(self, destination: str) -> None:
        self.path = Path(destination).expanduser()
        folder = self.path.parent if str(self.path.parent) else Path(".")
        if self.path.is_dir():
            raise UserError(f"{destination} is a folder; give a file name")
        if not folder.is_dir():
            raise UserError(f"the folder for {destination} does not exist")
        self._tmp: Path | None = None
        self._folder = folder

    def write(self, data: bytes) -> None:
        from sendobserve.storage.fsutil import stage_bytes

        try:
            self._tmp = stage_bytes(self.path, data)
        except OSError as exc:
            raise UserError(f"cannot write {self.path}: {exc.strerror or exc}") from None

    def commit(self) -> None:
        from sendobserve.storage.fsutil import replace_durably

        assert self._tmp is not None
        replace_durably(self._tmp, self.path)
        self._tmp = None

    def discard(self) -> None:
        if self._tmp is not None:
            self._tmp.unlink(missing_ok=True)
            self._tmp = None
