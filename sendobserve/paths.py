"""Where the data lives (platformdirs by default, overridable for every command), and where
the app's own shipped files are (`resources_dir`)."""

from __future__ import annotations

import importlib.resources
import os
from pathlib import Path

import platformdirs

from sendobserve import APP_NAME
from sendobserve.errors import UserError

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


RESOURCES = "resources"


class MissingResource(UserError):
    """A file the app ships with (a form, a font, an icon) is not where it should be."""

    exit_code = 3


def resources_dir() -> Path:
    """The app's own files (forms, fonts, icons): the ``resources`` folder inside the
    ``sendobserve`` package, found through ``importlib.resources`` so that a checkout, an
    installed wheel and the frozen app (which unpacks the package beside its program) all
    read the same place. The only way code finds a shipped file."""
    root = importlib.resources.files("sendobserve") / RESOURCES
    if not isinstance(root, Path):  # e.g. imported from a zip: the files are not on disk
        raise MissingResource(_incomplete(RESOURCES))
    return root


def resource_path(*parts: str) -> Path:
    """``resources_dir() / parts``, or a clear ``MissingResource`` if it is not there."""
    path = resources_dir().joinpath(*parts)
    if not path.exists():
        raise MissingResource(_incomplete("/".join((RESOURCES, *parts))))
    return path


def _incomplete(what: str) -> str:
    return (
        f"This installation of sendobserve is incomplete: its file {what} is missing. "
        "Reinstall sendobserve."
    )


# The name before resources moved into the package; kept so older callers still work.
resource_dir = resources_dir
