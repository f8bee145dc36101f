"""SENDOBSERVE_PASSPHRASE is used once and dropped: the program does not carry it in its
environment for the rest of its life (children would inherit it; on Linux any process of
the same account could read it in /proc/<pid>/environ).

Each case runs in a fresh interpreter started with the variable, as a person or a script
would start the program, and looks at its own environment afterwards.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from sendobserve.storage import vault
from tests.helpers import TEST_PASSPHRASE, subprocess_env

PROC = Path("/proc/self/environ")


def _run(script: str, passphrase: str, **extra: str) -> subprocess.CompletedProcess[str]:
    env = subprocess_env(SENDOBSERVE_PASSPHRASE=passphrase, QT_QPA_PLATFORM="offscreen",
                         **extra)
    return subprocess.run([sys.executable, "-c", script], env=env,
                          capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL)


def _script(*parts: str) -> str:
    return "".join(textwrap.dedent(part) for part in parts)


AFTERWARDS = """
    import os
    from pathlib import Path
    secret = {secret!r}
    print("environ:", "SENDOBSERVE_PASSPHRASE" in os.environ)
    proc = Path("/proc/self/environ")
    if proc.exists():
        print("proc:", secret.encode() in proc.read_bytes())
"""


def _afterwards(out: str) -> dict[str, bool]:
    found = {}
    for line in out.splitlines():
        if line.startswith(("environ:", "proc:")):
            key, _, value = line.partition(":")
            found[key] = value.strip() == "True"
    return found


def test_the_desktop_app_opens_with_it_then_has_dropped_it(
        initialised: vault.Initialised) -> None:
    data_dir = initialised.store.data_dir
    initialised.store.close()
    script = _script(f"""
        import sys
        sys.argv = ["sendobserve", "--data-dir", {str(data_dir)!r}, "--exit-after-start"]
        from sendobserve.cli import main
        print("status:", main())
    """, AFTERWARDS.format(secret=TEST_PASSPHRASE))
    result = _run(script, TEST_PASSPHRASE)
    assert result.returncode == 0, result.stderr
    assert "records opened after" in result.stdout  # the passphrase did its work…
    assert "status: 0" in result.stdout
    found = _afterwards(result.stdout)
    assert found["environ"] is False  # …and is gone
    if PROC.exists():
        assert found["proc"] is False


def test_a_command_uses_it_then_has_dropped_it(initialised: vault.Initialised) -> None:
    data_dir = initialised.store.data_dir
    initialised.store.close()
    script = _script(f"""
        import sys
        sys.argv = ["sendobserve", "--data-dir", {str(data_dir)!r}, "status"]
        from sendobserve.cli import main
        print("status:", main())
    """, AFTERWARDS.format(secret=TEST_PASSPHRASE))
    result = _run(script, TEST_PASSPHRASE)
    assert result.returncode == 0, result.stderr
    assert "status: 0" in result.stdout and "(up to date)" in result.stdout
    found = _afterwards(result.stdout)
    assert found["environ"] is False
    if PROC.exists():
        assert found["proc"] is False


def test_the_app_started_directly_drops_it_too(initialised: vault.Initialised) -> None:
    """``sendobserve.ui.shell.app.run`` (the path the frozen app's smoke test takes) reads the
    secret it is given and removes the variable before its window opens."""
    data_dir = initialised.store.data_dir
    initialised.store.close()
    script = _script(f"""
        from sendobserve.ui.shell.app import run
        print("status:", run({str(data_dir)!r}, secret={TEST_PASSPHRASE!r},
                             exit_after_start=True))
    """, AFTERWARDS.format(secret=TEST_PASSPHRASE))
    result = _run(script, TEST_PASSPHRASE)
    assert result.returncode == 0, result.stderr
    assert "records opened after" in result.stdout
    assert _afterwards(result.stdout)["environ"] is False


@pytest.mark.skipif(not PROC.exists(), reason="/proc/<pid>/environ is Linux's")
def test_the_start_up_environment_block_no_longer_shows_it() -> None:
    secret = "a long and quite particular passphrase 7741"
    script = _script("""
        from sendobserve.environment import drop_from_environment
        print("value:", drop_from_environment("SENDOBSERVE_PASSPHRASE"))
        print("again:", drop_from_environment("SENDOBSERVE_PASSPHRASE"))
    """, AFTERWARDS.format(secret=secret))
    # Control: without the drop, the kernel's copy shows it.
    before = _run(_script(AFTERWARDS.format(secret=secret)), secret)
    assert _afterwards(before.stdout) == {"environ": True, "proc": True}
    result = _run(script, secret, SENDOBSERVE_OTHER="kept")
    assert result.returncode == 0, result.stderr
    assert f"value: {secret}" in result.stdout and "again: None" in result.stdout
    assert _afterwards(result.stdout) == {"environ": False, "proc": False}


def test_the_new_and_the_file_passphrases_are_dropped_too(
        initialised: vault.Initialised) -> None:
    """SENDOBSERVE_NEW_PASSPHRASE (passphrase change) and SENDOBSERVE_BUNDLE_PASSPHRASE
    (export and import) are secrets too: used, then gone from the environment."""
    data_dir = initialised.store.data_dir
    initialised.store.close()
    new = "Ferns unfold slowly under granite skies 7"
    bundle = "Quiet lanterns drift over the harbour 42"
    script = _script(f"""
        import os, sys
        from pathlib import Path
        sys.argv = ["sendobserve", "--data-dir", {str(data_dir)!r}, "passphrase", "change"]
        from sendobserve.cli import main
        print("status:", main())
        for name, secret in (("SENDOBSERVE_NEW_PASSPHRASE", {new!r}),
                             ("SENDOBSERVE_BUNDLE_PASSPHRASE", {bundle!r})):
            print(name, "environ:", name in os.environ)
            proc = Path("/proc/self/environ")
            if proc.exists():
                print(name, "proc:", secret.encode() in proc.read_bytes())
        from sendobserve.environment import environment_secret
        print("kept for the command:", environment_secret("SENDOBSERVE_BUNDLE_PASSPHRASE")
              == {bundle!r})
    """)
    result = _run(script, TEST_PASSPHRASE, SENDOBSERVE_NEW_PASSPHRASE=new,
                  SENDOBSERVE_BUNDLE_PASSPHRASE=bundle)
    assert result.returncode == 0, result.stderr
    assert "status: 0" in result.stdout
    assert "environ: True" not in result.stdout and "proc: True" not in result.stdout
    assert "kept for the command: True" in result.stdout
    assert vault.unlock(data_dir, new)  # the new passphrase was used
