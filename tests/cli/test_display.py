"""No display, or no libxcb-cursor0: one sentence before Qt loads, never Qt's abort."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from sendobserve.cli._display import NO_DISPLAY, NO_XCB_CURSOR, display_problem
from tests.helpers import subprocess_env


def _found(name: str) -> str | None:
    return f"lib{name}.so.0"


def _missing(name: str) -> str | None:
    return None


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, NO_DISPLAY),
        ({"DISPLAY": ":0"}, None),
        ({"WAYLAND_DISPLAY": "wayland-0"}, None),
        ({"QT_QPA_PLATFORM": "xcb", "WAYLAND_DISPLAY": "wayland-0"}, NO_DISPLAY),
        ({"QT_QPA_PLATFORM": "wayland", "DISPLAY": ":0"}, NO_DISPLAY),
        ({"QT_QPA_PLATFORM": "wayland;xcb", "WAYLAND_DISPLAY": "w"}, None),
        ({"QT_QPA_PLATFORM": "offscreen"}, None),
        ({"QT_QPA_PLATFORM": "vnc:size=800x600"}, None),
    ],
)
def test_linux_needs_a_display_named_in_the_environment(
        env: dict[str, str], expected: str | None) -> None:
    assert display_problem(env, "linux", _found) == expected


def test_x11_without_libxcb_cursor_says_which_package() -> None:
    assert display_problem({"DISPLAY": ":0"}, "linux", _missing) == NO_XCB_CURSOR
    assert display_problem({"QT_QPA_PLATFORM": "xcb", "DISPLAY": ":0"}, "linux",
                           _missing) == NO_XCB_CURSOR
    # Wayland does not load the X11 plugin; other systems have no such library.
    assert display_problem({"WAYLAND_DISPLAY": "w"}, "linux", _missing) is None
    assert display_problem({}, "win32", _missing) is None
    assert display_problem({}, "darwin", _missing) is None


def test_starting_the_app_with_no_display_is_one_sentence(tmp_path: Path) -> None:
    env = subprocess_env()
    for name in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY"):
        env.pop(name, None)
    result = subprocess.run(
        [sys.executable, "-m", "sendobserve", "--data-dir", str(tmp_path / "d"),
         "--exit-after-start"],
        capture_output=True, text=True, env=env, timeout=120,
    )
    assert result.returncode == 2
    assert result.stderr.strip() == f"sendobserve: {NO_DISPLAY}"
    assert not (tmp_path / "d").exists()  # nothing was created
