"""Where the data lives: platformdirs by default, overridable for every command."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

from sendobserve import APP_NAME

DATA_DIR_ENV = "SENDOBSERVE_DATA_DIR"


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False, roaming=True))


def resolve_data_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """``--data-dir`` wins, then ``SENDOBSERVE_DATA_DIR``, then the platform's user data folder."""
    if explicit:
        return Path(explicit).expanduser().resolve()
    env = os.environ.get(DATA_DIR_ENV)
    if env:
        return Path(env).expanduser().resolve()
    return default_data_dir()


def resource_dir() -> Path:
    """The shipped ``resources/`` folder (forms, fonts, icons), also inside a frozen app."""
    import sys

    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"
