"""Reading a file a person named: one way, with the caller's sentences.

A drawn signature, an evidence file, an exchange file, a PDF to verify and a hub's root
certificate are all read from a path someone typed or chose. Each is read the same way:
refused before reading when the file is already larger than its limit, then read at most
one byte past it (a file that grows while it is read), with a missing file, a folder, a
refused permission and any other failure each told apart, so that the caller can say it
in its own words (``refuse``). Nothing else in the program opens such a path to read it.

Bottom of the layers: imports nothing of the program.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from enum import Enum
from pathlib import Path


class Unread(Enum):
    """Why a named file was not read."""

    MISSING = "missing"  # no such file
    FOLDER = "folder"  # a folder, not a file
    DENIED = "denied"  # not allowed to read it
    UNREADABLE = "unreadable"  # any other failure
    TOO_BIG = "too_big"  # larger than the limit: the detail is its size in bytes
    # (otherwise the detail is the system's words for what went wrong)


# ``refuse(why, path, detail)``: the exception to raise (the caller's sentence).
Refuse = Callable[[Unread, Path, str], Exception]


def read_named_file(path: str | os.PathLike[str], refuse: Refuse, *,
                    limit: int | None = None) -> bytes:
    """The bytes of the file at ``path`` (``~`` expanded), at most ``limit`` of them."""
    target = Path(path).expanduser()
    try:
        with target.open("rb") as handle:
            if limit is None:
                return handle.read()
            size = os.fstat(handle.fileno()).st_size
            if size > limit:
                raise refuse(Unread.TOO_BIG, target, str(size))
            data = handle.read(limit + 1)
    except FileNotFoundError as exc:
        raise refuse(Unread.MISSING, target, exc.strerror or str(exc)) from None
    except IsADirectoryError as exc:
        raise refuse(Unread.FOLDER, target, exc.strerror or str(exc)) from None
    except PermissionError as exc:
        raise refuse(Unread.DENIED, target, exc.strerror or str(exc)) from None
    except OSError as exc:
        raise refuse(Unread.UNREADABLE, target, exc.strerror or str(exc)) from None
    if len(data) > limit:
        raise refuse(Unread.TOO_BIG, target, str(len(data)))
    return data
