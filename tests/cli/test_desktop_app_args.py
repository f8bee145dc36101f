"""With no command, ``sendobserve`` starts the app without importing every command module."""

from __future__ import annotations

import subprocess
import sys

import pytest

from sendobserve.cli import _desktop_app_args
from tests.helpers import subprocess_env


@pytest.mark.parametrize(
    ("argv", "starts_app"),
    [
        ([], True),
        (["--data-dir", "D"], True),
        (["--data-dir=D", "--exit-after-start"], True),
        (["--passphrase-file", "F", "--data-dir", "D"], True),
        (["status"], False),
        (["--data-dir", "D", "status"], False),
        (["--help"], False),
        (["-h"], False),
        (["--version"], False),
        (["--data-dir"], False),  # the full parser says what is missing
        (["--no-such-option"], False),
        (["--data-dir", "D", "demo", "--help"], False),
    ],
)
def test_only_global_options_start_the_app_directly(argv: list[str], starts_app: bool) -> None:
    args = _desktop_app_args(argv)
    assert (args is not None) == starts_app
    if args is not None and "--data-dir" in argv:
        assert args.data_dir == "D"


def test_the_app_path_imports_no_storage_before_the_window() -> None:
    """What runs before the first paint: argument parsing, the secret, the app modules."""
    code = (
        "import sys; import sendobserve.cli as c; "
        "a = c._desktop_app_args(['--data-dir', 'D', '--exit-after-start']); "
        "from sendobserve.cli._common import given_secret; given_secret(a); "
        "import sendobserve.ui.shell.app, sendobserve.ui.shell.main_window; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('sqlalchemy', 'sqlcipher3', 'alembic', 'reportlab', 'pyhanko', 'keyring') "
        "or m.startswith(('sendobserve.storage', 'sendobserve.cli.store', "
        "'sendobserve.cli.exchange', 'sendobserve.ui.printing', "
        "'sendobserve.ui.shell.workspace'))))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env=subprocess_env(QT_QPA_PLATFORM="offscreen"), timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
