"""Small file operations that survive a crash: write-to-temp, fsync, rename, fsync the folder."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from sendobserve.storage._crash import crash_point


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


def atomic_write_bytes(path: Path, data: bytes, *, crash_name: str = "atomic-write") -> None:
    """Replace ``path`` with ``data`` so that a kill at any moment leaves old or new, whole."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0), 0o600)
    try:
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            view = view[written:]
        os.fsync(fd)
    finally:
        os.close(fd)
    crash_point(f"{crash_name}:before-rename")
    os.replace(tmp, path)
    fsync_dir(path.parent)
    crash_point(f"{crash_name}:after-rename")


def check_writable_dir(directory: Path) -> str | None:
    """Why ``directory`` cannot hold the store, or None if it can (creating it if needed)."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return f"cannot create the data folder {directory}: {exc.strerror or exc}"
    if not directory.is_dir():
        return f"the data folder {directory} is not a folder"
    probe = directory / f".write-test-{os.getpid()}"
    try:
        with open(probe, "wb") as handle:
            handle.write(b"x")
        probe.unlink()
    except OSError as exc:
        return f"cannot write to the data folder {directory}: {exc.strerror or exc}"
    return None
