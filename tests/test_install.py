"""Installs anywhere: a wheel built from the source tree carries the app's own files.

The wheel is built from a copy of what a clean clone has (``pyproject.toml``, ``README.md``
and the ``sendobserve`` package), installed with ``--no-deps --no-index`` into a fresh
virtual environment, and run from a folder outside the checkout with no ``PYTHONPATH``, so
only the installed copy can be imported. The dependencies come from the environment running
the tests (added to the new environment's path; its own ``.pth`` files, such as an
editable install of this project, are not processed). Offline throughout.

Then a file of the install is removed, and the command that needs it must say so in one
sentence, with no traceback.
"""

from __future__ import annotations

import os
import shutil
import site
import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from pathlib import Path

import pytest

from tests.helpers import REPO_ROOT

pytestmark = pytest.mark.slow

READY = "Siobhán Ó Dálaigh"
PASSPHRASE = "install test passphrase 2026"


def _copy_source(dest: Path) -> Path:
    src = dest / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO_ROOT / name, src / name)
    shutil.copytree(
        REPO_ROOT / "sendobserve",
        src / "sendobserve",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
    )
    return src


def _build(src: Path, out: Path) -> tuple[Path, Path]:
    """Build the wheel and the sdist with the setuptools already installed (no network)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
         "--no-index", "-w", str(out), str(src)],
        check=True, cwd=out, env=env, capture_output=True,
    )
    subprocess.run(
        [sys.executable, "-c",
         "import sys; from setuptools import build_meta as b; b.build_sdist(sys.argv[1])",
         str(out)],
        check=True, cwd=src, env=env, capture_output=True,
    )
    (wheel,) = out.glob("sendobserve-*.whl")
    (sdist,) = out.glob("sendobserve-*.tar.gz")
    return wheel, sdist


def _shipped_files() -> set[str]:
    root = REPO_ROOT / "sendobserve" / "resources"
    return {
        "sendobserve/resources/" + p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file()
    }


def _make_venv(where: Path, wheel: Path) -> Path:
    """A fresh venv holding only the wheel; the test environment's packages on its path."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(where)], check=True)
    python = where / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()
    ours = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"],
            *site.getsitepackages()}
    Path(purelib, "_test_dependencies.pth").write_text(
        "".join(f"{p}\n" for p in sorted(ours) if Path(p).is_dir()), encoding="utf-8"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps",
         "--no-index", str(wheel)],
        check=True, env=env, capture_output=True,
    )
    return where / "bin"


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    if sys.platform == "win32":  # the venv layout below is the POSIX one
        pytest.skip("the install test runs on Linux and macOS")
    base = tmp_path_factory.mktemp("install")
    out = base / "dist"
    out.mkdir()
    wheel, sdist = _build(_copy_source(base), out)
    bin_dir = _make_venv(base / "venv", wheel)
    home = base / "home"
    home.mkdir()
    return {"base": base, "wheel": wheel, "sdist": sdist, "bin": bin_dir, "home": home}


def _run(installed: dict[str, Path], *args: str, check: bool = True
         ) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "SENDOBSERVE_DATA_DIR", "SENDOBSERVE_CRASH_AT")}
    env.update(
        HOME=str(installed["home"]),
        SENDOBSERVE_PASSPHRASE=PASSPHRASE,
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
        QT_QPA_PLATFORM="offscreen",
    )
    result = subprocess.run(
        [str(installed["bin"] / "sendobserve"), *args],
        cwd=installed["home"], env=env, capture_output=True, text=True, timeout=300,
    )
    if check:
        assert result.returncode == 0, (args, result.stdout, result.stderr)
    return result


def test_the_wheel_and_the_sdist_carry_every_shipped_file(installed: dict[str, Path]) -> None:
    shipped = _shipped_files()
    assert "sendobserve/resources/forms/form1-standards-2018.yaml" in shipped
    assert "sendobserve/resources/fonts/DejaVuSerif.ttf" in shipped
    with zipfile.ZipFile(installed["wheel"]) as wheel:
        in_wheel = set(wheel.namelist())
    assert shipped <= in_wheel, sorted(shipped - in_wheel)
    with tarfile.open(installed["sdist"]) as sdist:
        in_sdist = {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}
    assert shipped <= in_sdist, sorted(shipped - in_sdist)


def test_the_installed_app_runs_the_first_commands(installed: dict[str, Path]) -> None:
    data = str(installed["base"] / "data")
    where = subprocess.run(
        [str(installed["bin"] / "python"), "-c",
         "import sendobserve.paths as p; print(p.__file__); print(p.resources_dir())"],
        cwd=installed["home"], env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"},
        check=True, capture_output=True, text=True,
    ).stdout.split()
    venv = str(installed["base"] / "venv")
    assert all(line.startswith(venv) for line in where), where  # not this checkout

    forms = _run(installed, "forms", "list").stdout
    assert all(f"form{n}" in forms for n in (1, 2, 3)), forms
    assert "recovery key" in _run(installed, "--data-dir", data, "init").stdout.lower()
    _run(installed, "--data-dir", data, "demo")
    ready = _run(installed, "--data-dir", data, "readiness", READY, "--json").stdout
    assert '"ready": true' in ready
    pdf = installed["base"] / "f4.pdf"
    _run(installed, "--data-dir", data, "print", "form4", READY, "-o", str(pdf))
    assert pdf.read_bytes().startswith(b"%PDF")
    _run(installed, "--data-dir", data, "verify", str(pdf))
    started = _run(installed, "--data-dir", data, "--exit-after-start")
    assert "records opened" in started.stdout, started


def _one_clear_sentence(result: subprocess.CompletedProcess[str], *words: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, lines
    assert "incomplete" in lines[0] and "Reinstall" in lines[0], lines
    assert all(word in lines[0] for word in words), lines


def test_a_missing_file_of_the_install_is_one_clear_sentence(
        installed: dict[str, Path]) -> None:
    # Runs after the commands above (pytest keeps file order): it breaks the install.
    resources = Path(subprocess.run(
        [str(installed["bin"] / "python"), "-c",
         "import sendobserve.paths as p; print(p.resources_dir())"],
        cwd=installed["home"], env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"},
        check=True, capture_output=True, text=True,
    ).stdout.strip())
    data = str(installed["base"] / "data-broken")
    _run(installed, "--data-dir", data, "init")

    (resources / "fonts" / "DejaVuSans.ttf").unlink()
    _run(installed, "--data-dir", data, "demo")
    _one_clear_sentence(
        _run(installed, "--data-dir", data, "print", "form4", READY, "-o",
             str(installed["base"] / "x.pdf"), check=False),
        "DejaVuSans.ttf",
    )
    assert not (installed["base"] / "x.pdf").exists()

    (resources / "forms" / "form2-standards-2018.yaml").unlink()
    _one_clear_sentence(_run(installed, "forms", "list", check=False), "form2")
    _one_clear_sentence(_run(installed, "--data-dir", data, "demo", check=False), "form2")

    shutil.rmtree(resources / "forms")
    _one_clear_sentence(_run(installed, "forms", "list", check=False), "resources/forms")
