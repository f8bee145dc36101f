"""What every command that touches the store shares: where it is, and how to unlock it.

The secret (passphrase or recovery key) comes from, in order: ``--passphrase-file``,
``SENDOBSERVE_PASSPHRASE``, the data key cached in a trusted OS keyring (for opening
only), and finally an interactive prompt — only when stdin is a terminal, so a
script without a secret fails with a clear message instead of hanging.

A program started as ``sendobserve`` takes ``SENDOBSERVE_PASSPHRASE`` out of its own
environment as it starts (``sendobserve.environment``): child processes do not
inherit it, and on Linux and macOS the bytes the kernel shows as the process's start-up
environment (``/proc/<pid>/environ``) are overwritten. The desktop app does the same
before its window opens. A passphrase file stays the better way: the variable is still
in the environment of whatever started the program.
"""

from __future__ import annotations

import argparse
import getpass
import sys
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sendobserve.environment import PASSPHRASE_ENV, environment_secret
from sendobserve.errors import UserError
from sendobserve.paths import resolve_data_dir

# The services that open the store are imported where they are used (they load the
# storage stack, about half a second): the desktop app reads its secret through here
# before its first paint.
if TYPE_CHECKING:
    from datetime import date

    from sendobserve.services.store import KeyCache, Store, UnlockedKeys



def data_dir_from_args(args: argparse.Namespace) -> Path:
    return resolve_data_dir(getattr(args, "data_dir", None))


def parse_uuid(text: str) -> uuid.UUID | None:
    """An id as typed (hex, with or without hyphens), or None if it is not one."""
    try:
        return uuid.UUID(text.strip())
    except ValueError:
        return None


def read_secret_file(path: str) -> str:
    try:
        with open(path, encoding="utf-8") as handle:
            value = handle.read()
    except OSError as exc:
        raise UserError(f"cannot read the passphrase file {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise UserError(f"the passphrase file {path} is not UTF-8 text") from None
    return value.removesuffix("\n").removesuffix("\r")


def given_secret(args: argparse.Namespace) -> str | None:
    """The secret given without a prompt (file or environment), if any."""
    path = getattr(args, "passphrase_file", None)
    if path:
        return read_secret_file(path)
    return environment_secret(PASSPHRASE_ENV)


def _interactive() -> bool:
    return sys.stdin is not None and sys.stdin.isatty()


def require_secret(args: argparse.Namespace, prompt: str = "Passphrase or recovery key: ") -> str:
    secret = given_secret(args)
    if secret is not None:
        return secret
    if _interactive():
        return getpass.getpass(prompt)
    raise UserError(
        f"no passphrase given: set {PASSPHRASE_ENV} or use --passphrase-file FILE "
        "(or run in a terminal to be asked)"
    )


def ask_new_passphrase(given: str | None, what: str = "new passphrase") -> str:
    """A new passphrase: the given one, or typed twice at a terminal; checked for length."""
    from sendobserve.services.store import passphrase_problem, passphrase_strength

    if given is None:
        if not _interactive():
            raise UserError(
                f"no {what} given: use a passphrase file or the environment variable "
                "(see --help)"
            )
        first = getpass.getpass(f"Choose a {what}: ")
        problem = passphrase_problem(first)
        if problem:
            raise UserError(problem)
        _score, hint = passphrase_strength(first)
        print(f"Strength: {hint}", file=sys.stderr)
        if getpass.getpass(f"Type the {what} again: ") != first:
            raise UserError("the two passphrases differ; nothing was changed")
        given = first
    problem = passphrase_problem(given)
    if problem:
        raise UserError(problem)
    return given


def key_cache() -> KeyCache:
    from sendobserve.services.store import key_cache as cache

    return cache()


def unlock_from_args(args: argparse.Namespace) -> UnlockedKeys:
    from sendobserve.services.store import unlock

    return unlock(data_dir_from_args(args), require_secret(args))


def open_store_from_args(args: argparse.Namespace, *, use_keyring: bool = True) -> Store:
    """Resolve the data folder, unlock (keyring cache or secret) and open the store."""
    from sendobserve.services.store import open_store

    return open_store(data_dir_from_args(args), secret=given_secret(args),
                      ask=lambda: require_secret(args),
                      cache=key_cache() if use_keyring else None)


# --- options and output several commands share -----------------------------------------

def add_as_of(parser: argparse.ArgumentParser, what: str = "as on this date") -> None:
    """``--as-of YYYY-MM-DD``: judge as on another day (``today(args)`` reads it)."""
    from datetime import date

    parser.add_argument("--as-of", metavar="YYYY-MM-DD", type=date.fromisoformat,
                        help=f"{what} (default: today)")


def today(args: argparse.Namespace) -> date:
    """The day a command judges as on: ``--as-of``, else today."""
    from datetime import date

    as_of: date | None = getattr(args, "as_of", None)
    return as_of or date.today()


def print_json(data: Any) -> None:
    """``--json`` output: indented, non-ASCII as it is, one newline at the end."""
    import json

    json.dump(data, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")
