"""Before the window: is there a screen to put it on? (Qt-free, checked before Qt loads.)

Without a display, Qt aborts the process with a message blaming an installed library; with
the X11 plugin and no ``libxcb-cursor0`` it aborts too. Both are checked here first so that
the person starting the app reads one sentence that says what to do.
"""

from __future__ import annotations

import ctypes.util
import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

NO_DISPLAY = (
    "There is no display to open the window on (neither DISPLAY nor WAYLAND_DISPLAY is set): "
    "start sendobserve from a desktop session, or use its commands (sendobserve --help)."
)
NO_XCB_CURSOR = (
    "The window needs the system library libxcb-cursor0, which is not installed "
    "(on Debian or Ubuntu: sudo apt install libxcb-cursor0)."
)
_WINDOWING = ("xcb", "wayland", "wayland-egl")


def display_problem(
    environ: Mapping[str, str] | None = None,
    platform: str | None = None,
    find_library: Callable[[str], str | None] = ctypes.util.find_library,
) -> str | None:
    """One sentence saying why the window cannot open here, or None if it should.

    Only Linux (and the BSDs) need a display server named in the environment; a platform
    chosen with ``QT_QPA_PLATFORM`` other than X11 or Wayland (``offscreen``, ``vnc``…) is
    the user's decision and is not second-guessed."""
    environ = os.environ if environ is None else environ
    platform = sys.platform if platform is None else platform
    if platform.startswith(("win", "darwin", "cygwin")):
        return None
    chosen = environ.get("QT_QPA_PLATFORM", "").split(";")[0].split(":")[0].strip()
    if chosen and chosen not in _WINDOWING:
        return None
    has_x = bool(environ.get("DISPLAY"))
    has_wayland = bool(environ.get("WAYLAND_DISPLAY"))
    if chosen == "xcb":
        usable = has_x
    elif chosen.startswith("wayland"):
        usable = has_wayland
    else:
        usable = has_x or has_wayland
    if not usable:
        return NO_DISPLAY
    uses_xcb = chosen == "xcb" or (not chosen and not has_wayland)
    if uses_xcb and find_library("xcb-cursor") is None and not _bundled("libxcb-cursor.so"):
        return NO_XCB_CURSOR
    return None


def _bundled(prefix: str) -> bool:
    """Whether the frozen app carries the library itself."""
    root = getattr(sys, "_MEIPASS", None)
    return root is not None and any(Path(str(root)).glob(f"{prefix}*"))
