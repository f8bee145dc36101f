"""Every runtime dependency we ship is named, with its licence, in the About dialog's list."""

import re
import tomllib
from pathlib import Path

from sendobserve.licences import COMPONENTS, component_version

ROOT = Path(__file__).resolve().parent.parent


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_every_runtime_dependency_is_listed_with_a_licence() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    deps = project["dependencies"]
    wanted = {_norm(re.split(r"[<>=!~\[; ]", dep, maxsplit=1)[0]) for dep in deps}
    listed = {_norm(c.distribution) for c in COMPONENTS if c.distribution}
    assert wanted <= listed, sorted(wanted - listed)
    assert all(c.licence and c.source.startswith("https://") for c in COMPONENTS)


def test_installed_versions_are_found() -> None:
    qt = next(c for c in COMPONENTS if c.distribution == "PySide6-Essentials")
    assert re.match(r"\d+\.\d+", component_version(qt))
