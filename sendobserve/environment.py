"""Secrets given through the environment, taken out of it as the program starts.

Shared by the command line and the desktop app (which sits above it): a program started
as ``sendobserve`` takes these variables out of its own environment at once, so child
processes do not inherit them, and on Linux and macOS the bytes the kernel shows as the
process's start-up environment (``/proc/<pid>/environ``) are overwritten. A passphrase
file stays the better way: the variable is still in the environment of whatever started
the program.
"""

from __future__ import annotations

import ctypes
import os

PASSPHRASE_ENV = "SENDOBSERVE_PASSPHRASE"
NEW_PASSPHRASE_ENV = "SENDOBSERVE_NEW_PASSPHRASE"

_taken: dict[str, str] = {}  # secrets taken out of this process's environment


def drop_from_environment(name: str) -> str | None:
    """Remove ``name`` from this process's environment and return its value (None if it
    was not set). On POSIX the value's bytes are first overwritten where the C library
    holds them: for a variable the process started with, that is the start-up block the
    kernel shows in ``/proc/<pid>/environ``."""
    value = os.environ.get(name)
    if value is None:
        return None
    if os.name == "posix":
        libc = ctypes.CDLL(None)
        libc.getenv.restype = ctypes.c_void_p
        libc.getenv.argtypes = [ctypes.c_char_p]
        libc.strlen.restype = ctypes.c_size_t
        libc.strlen.argtypes = [ctypes.c_void_p]
        where = libc.getenv(os.fsencode(name))
        if where:
            ctypes.memset(where, 0, libc.strlen(where))
    os.environ.pop(name, None)  # and unsetenv()
    return value


# Every secret the program reads from its environment; each is taken out as it starts.
SECRET_ENVS = (PASSPHRASE_ENV, NEW_PASSPHRASE_ENV, "SENDOBSERVE_BUNDLE_PASSPHRASE")


def take_passphrase_from_environment() -> None:
    """Take ``SENDOBSERVE_PASSPHRASE`` (and the new-passphrase and file-passphrase
    variables) out of the environment, keeping their values for ``environment_secret``
    (called once, as the program starts)."""
    for name in SECRET_ENVS:
        value = drop_from_environment(name)
        if value:
            _taken[name] = value


def environment_secret(name: str) -> str | None:
    """A secret given through the environment: taken out at start, or still there (a
    caller that did not go through ``main``)."""
    return _taken.get(name) or os.environ.get(name) or None
