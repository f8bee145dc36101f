"""A command is argument parsing, one service call and printing: no module of
``sendobserve.cli`` reaches the store itself (``sendobserve.storage``, or SQLAlchemy
under it). The store is created, opened and changed through ``sendobserve.services``
(``services.store`` for the store file and its keys), the same functions the app calls.

Every import counts: at the top, inside a function, or for type checking only.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import sendobserve.cli

CLI = Path(sendobserve.cli.__file__).parent
FORBIDDEN = ("sendobserve.storage", "sqlalchemy")

# Modules allowed to import a forbidden name, each with the reason. Empty: even `init`,
# which makes the store file before any store exists, calls services.store.create_store.
ALLOWED: dict[str, set[str]] = {}


def forbidden_imports(source: str) -> list[tuple[int, str]]:
    """(line, module) for every import of the storage stack in ``source``."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        for name in names:
            if any(name == f or name.startswith(f + ".") for f in FORBIDDEN):
                found.append((node.lineno, name))
                break
    return found


@pytest.mark.parametrize("path", sorted(CLI.glob("*.py")), ids=lambda p: p.name)
def test_a_command_module_reaches_the_store_only_through_services(path: Path) -> None:
    found = [(line, name) for line, name in forbidden_imports(path.read_text("utf-8"))
             if name not in ALLOWED.get(path.name, set())]
    assert not found, (
        f"cli/{path.name} imports the storage stack directly "
        f"({', '.join(f'line {n}: {m}' for n, m in found)}): call a function of "
        "sendobserve.services instead (the one the app calls for the same action)")


@pytest.mark.parametrize("source", [
    "from sendobserve.storage import vault",
    "from sendobserve.storage.repositories import MediatorRepository",
    "import sendobserve.storage.fsutil",
    "from sendobserve import storage",
    "def f():\n    from sqlalchemy import select\n",
    "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
    "    from sendobserve.storage.db import Store\n",
])
def test_the_check_sees_every_way_of_importing_the_store(source: str) -> None:
    assert forbidden_imports(source)


def test_the_check_lets_services_and_the_model_through() -> None:
    assert not forbidden_imports(
        "from sendobserve.services.store import open_store\n"
        "from sendobserve.model.vocabulary import fold_name\nimport argparse\n")
