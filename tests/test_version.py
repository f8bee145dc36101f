"""The version is written once, in sendobserve/__init__.py, and everything reads it from there."""

import re
import tomllib
from pathlib import Path

import sendobserve

ROOT = Path(__file__).resolve().parent.parent


def test_pyproject_and_the_spec_take_the_version_from_the_package() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in pyproject["project"]
    assert pyproject["project"]["dynamic"] == ["version"]
    assert pyproject["tool"]["setuptools"]["dynamic"]["version"] == {
        "attr": "sendobserve.__version__"
    }
    spec = (ROOT / "packaging" / "sendobserve.spec").read_text(encoding="utf-8")
    assert '__version__ = "([^"]+)"' in spec
    assert re.fullmatch(r"\d+\.\d+\.\d+", sendobserve.__version__)


def test_importing_the_package_reads_no_package_metadata() -> None:
    """A metadata lookup cost about 50 ms of every start-up."""
    import subprocess
    import sys

    code = "import sys, sendobserve; print('importlib.metadata' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, check=True)
    assert out.stdout.strip() == "False"
