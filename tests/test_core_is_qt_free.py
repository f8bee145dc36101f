"""The core (forms, rules, keys, storage, reports, exchange, services) must run without Qt."""

import subprocess
import sys

CORE = [
    "sendobserve.model",
    "sendobserve.forms",
    "sendobserve.storage",
    "sendobserve.reports",
    "sendobserve.exchange",
    "sendobserve.pki",
    "sendobserve.services",
    "sendobserve.cli",
]


def test_importing_every_core_module_leaves_pyside6_unloaded() -> None:
    # A fresh interpreter: this test session may already have Qt loaded for UI tests.
    code = f"""
import importlib, pkgutil, sys
for name in {CORE!r}:
    pkg = importlib.import_module(name)
    for info in pkgutil.walk_packages(pkg.__path__, name + "."):
        if ".migrations.versions" in info.name:
            continue
        importlib.import_module(info.name)
import sendobserve.cli
sendobserve.cli.build_parser()
loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("PySide6", "shiboken6"))
print(loaded)
assert not loaded, loaded
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_building_the_command_line_imports_no_database_stack() -> None:
    """--help and every command's parser cost no SQLAlchemy or SQLCipher import (~0.3 s)."""
    code = (
        "import sys, sendobserve.cli as c; c.build_parser(); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('sqlalchemy', 'sqlcipher3')))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
