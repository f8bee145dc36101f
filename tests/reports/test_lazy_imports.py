"""Importing the reports package (as the app does at start-up) loads no PDF library."""

from __future__ import annotations

import subprocess
import sys


def test_reportlab_pyhanko_and_cryptography_load_only_when_printing() -> None:
    code = """
import importlib, pkgutil, sys
import sendobserve.reports as pkg
for info in pkgutil.walk_packages(pkg.__path__, "sendobserve.reports."):
    importlib.import_module(info.name)
import sendobserve.cli
sendobserve.cli.build_parser()
heavy = sorted(m for m in sys.modules
               if m.split(".")[0] in ("reportlab", "pyhanko", "pyhanko_certvalidator", "PIL"))
print(heavy)
assert not heavy, heavy
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
