"""Small file operations that survive a crash: write-to-temp, fsync, rename, fsync the folder.

Everything the program writes that holds records or keys goes through here, so that it is
private to the user (folders 0700, files 0600 where the platform has such modes) and
whole after a kill: ``atomic_write_bytes`` for a file written at once (``stage_bytes`` +
``replace_durably`` when the rename waits for something else), ``replace_durably`` for a
file built under a temporary name, ``copy_file_durably`` for a copy. Also here: the one
full-disk translation (``raise_if_store_full``, ``raise_if_disk_full``).
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import sys
from pathlib import Path

from sendobserve.storage._crash import crash_point

PRIVATE_FILE_MODE = 0o600
PRIVATE_DIR_MODE = 0o700
_FULL_ERRNOS = {errno.ENOSPC, errno.EFBIG, getattr(errno, "EDQUOT", errno.ENOSPC)}
DISK_FULL_MESSAGE = (
    "the disk is full{where}: nothing was changed. Free some space (empty the bin, move "
    "large files) and try again"
)


def is_disk_full(exc: BaseException) -> bool:
    """Whether ``exc`` says the disk or quota is full (an OS error or SQLite's SQLITE_FULL)."""
    if isinstance(exc, OSError) and exc.errno in _FULL_ERRNOS:
        return True
    text = str(exc).lower()
    return "database or disk is full" in text or "no space left" in text


def disk_full_message(where: Path | None = None) -> str:
    return DISK_FULL_MESSAGE.format(where=f" ({where})" if where is not None else "")


def raise_if_disk_full(exc: BaseException, where: Path | None = None) -> None:
    """Turn a full-disk error into ``DiskFullError``; any other error is left to the caller."""
    if is_disk_full(exc):
        from sendobserve.storage.errors import DiskFullError

        raise DiskFullError(disk_full_message(where)) from None


def raise_if_store_full(exc: BaseException, data_dir: Path | None) -> None:
    """The one full-disk translation for a failed write to the store (``Store.session`` and
    the tick's own connection): ``DiskFullError`` with the plain sentence when the disk is
    full; any other error is left to the caller.

    SQLite says "database or disk is full", but may also report a full disk as another
    operational error ("disk I/O error" when its shared-memory index cannot grow): for an
    ``OperationalError`` (SQLAlchemy's or the driver's) the disk itself is asked.
    """
    if not isinstance(exc, Exception):
        return
    operational = any(k.__name__ == "OperationalError" for k in type(exc).__mro__)
    if is_disk_full(exc) or (operational and data_dir is not None and disk_full_at(data_dir)):
        from sendobserve.storage.errors import DiskFullError

        raise DiskFullError(disk_full_message(data_dir)) from None


def disk_full_at(folder: Path, probe_bytes: int = 64 * 1024) -> bool:
    """Whether ``folder``'s disk has no room for a small write (tried, then removed).

    SQLite reports a full disk in several ways ("database or disk is full", but also "disk
    I/O error" when its shared-memory index cannot grow); asking the disk is the sure way.
    """
    probe = Path(folder) / f".space-probe-{os.getpid()}"
    try:
        fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE_MODE)
    except OSError as exc:
        return exc.errno in _FULL_ERRNOS
    try:
        try:
            view = memoryview(bytes(probe_bytes))
            while view:  # local file systems reserve the space at write(): no fsync needed
                view = view[os.write(fd, view) :]
        except OSError as exc:
            return exc.errno in _FULL_ERRNOS
        return False
    finally:
        os.close(fd)
        with contextlib.suppress(OSError):
            probe.unlink()


def make_private_dir(directory: Path) -> None:
    """Create ``directory`` (and missing parents) readable by this user only."""
    directory = Path(directory)
    missing = []
    probe = directory
    while not probe.exists() and probe != probe.parent:
        missing.append(probe)
        probe = probe.parent
    directory.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)
    if sys.platform != "win32":
        for made in missing:  # mkdir's mode is masked by the umask; say it again
            with contextlib.suppress(OSError):
                os.chmod(made, PRIVATE_DIR_MODE)


def keep_private(data_dir: Path) -> None:
    """Take group and other access away from the data folder and what it holds (a store
    made by an earlier version, or copied in, may be readable by other accounts). Only
    files this user owns are changed; anything that cannot be changed is left."""
    if sys.platform == "win32":
        return
    uid = os.getuid()
    folders = [Path(data_dir), Path(data_dir) / "backups"]
    for folder in folders:
        try:
            entries = [folder, *folder.iterdir()]
        except OSError:
            continue
        for entry in entries:
            with contextlib.suppress(OSError):
                st = entry.lstat()
                if st.st_uid != uid or not st.st_mode & 0o077:
                    continue
                if entry.is_dir() and not entry.is_symlink():
                    os.chmod(entry, PRIVATE_DIR_MODE)
                elif entry.is_file() and not entry.is_symlink():
                    os.chmod(entry, st.st_mode & 0o700)


def make_private(path: Path) -> None:
    """Make an existing file readable by this user only (a no-op on Windows)."""
    if sys.platform != "win32":
        os.chmod(path, PRIVATE_FILE_MODE)


def fsync_dir(directory: Path) -> None:
    """Make a rename or a new file in ``directory`` durable (a no-op on Windows)."""
    if sys.platform == "win32":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY if sys.platform != "win32" else os.O_RDWR)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def stage_bytes(path: Path, data: bytes, *, private: bool = True) -> Path:
    """Write ``data`` to a temporary file beside ``path``, fsynced, and return its name:
    ``replace_durably(staged, path)`` then puts it in place (or unlink it to give up).

    The file is 0600 unless ``private`` is False (a document meant to be shared, such as
    a PDF the user saves, then gets the usual 0666 less the umask). A failure (a full
    disk) removes the temporary file.
    """
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    mode = PRIVATE_FILE_MODE if private else 0o666
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0), mode)
    try:
        try:
            if private and sys.platform != "win32":
                os.fchmod(fd, PRIVATE_FILE_MODE)  # in case a stale temporary file was there
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fsync(fd)
        finally:
            os.close(fd)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def atomic_write_bytes(
    path: Path, data: bytes, *, crash_name: str = "atomic-write", private: bool = True
) -> None:
    """Replace ``path`` with ``data`` so that a kill at any moment leaves old or new, whole
    (``stage_bytes``, then ``replace_durably``). A failure leaves ``path`` as it was."""
    tmp = stage_bytes(path, data, private=private)
    crash_point(f"{crash_name}:before-rename")
    replace_durably(tmp, Path(path))
    crash_point(f"{crash_name}:after-rename")


def replace_durably(source: Path, target: Path) -> None:
    """Rename the finished file ``source`` over ``target`` and make the rename durable
    (the file's contents must already be fsynced: ``fsync_file``)."""
    os.replace(source, target)
    fsync_dir(Path(target).parent)


def copy_file_durably(source: Path, target: Path) -> None:
    """Copy ``source`` to ``target`` (0600, fsynced, its folder fsynced); a failure removes
    the partial copy."""
    target = Path(target)
    try:
        with open(source, "rb") as src:
            fd = os.open(
                target,
                os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0),
                PRIVATE_FILE_MODE,
            )
            with os.fdopen(fd, "wb") as dst:
                if sys.platform != "win32":
                    os.fchmod(dst.fileno(), PRIVATE_FILE_MODE)
                shutil.copyfileobj(src, dst, 1 << 20)
                dst.flush()
                os.fsync(dst.fileno())
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    fsync_dir(target.parent)


def check_writable_dir(directory: Path) -> str | None:
    """Why ``directory`` cannot hold the store, or None if it can (creating it if needed)."""
    try:
        make_private_dir(directory)
    except OSError as exc:
        if is_disk_full(exc):
            return disk_full_message(directory)
        return f"cannot create the data folder {directory}: {exc.strerror or exc}"
    if not directory.is_dir():
        return f"the data folder {directory} is not a folder"
    probe = directory / f".write-test-{os.getpid()}"
    try:
        with open(probe, "wb") as handle:
            handle.write(b"x")
        probe.unlink()
    except OSError as exc:
        probe.unlink(missing_ok=True)
        if is_disk_full(exc):
            return disk_full_message(directory)
        return f"cannot write to the data folder {directory}: {exc.strerror or exc}"
    return None
