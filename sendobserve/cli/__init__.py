"""The command line: ``sendobserve [global options] COMMAND …``.

Every module in this package whose name does not start with ``_`` is a command
group: it defines ``register(subparsers)``, which adds its sub-command(s) and sets
``func`` (``args -> int``) with ``set_defaults``. Modules are found by name, so
adding a command never edits a shared list.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Sequence
from typing import NoReturn

from sendobserve import __version__
from sendobserve.errors import UserError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sendobserve",
        description=(
            "Observation and accreditation records for SEND mediators, offline and "
            "encrypted. With no command, starts the desktop app."
        ),
        epilog="Run 'sendobserve COMMAND --help' for a command's own options.",
    )
    parser.add_argument("--version", action="version", version=f"sendobserve {__version__}")
    add_global_options(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        module.register(sub)
    return parser


def add_global_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        help="the data folder (default: the platform's user data folder; "
        "or set SENDOBSERVE_DATA_DIR)",
    )
    parser.add_argument(
        "--exit-after-start",
        action="store_true",
        help="start the desktop app, paint the main window, then quit (checks an install)",
    )
    parser.add_argument(
        "--passphrase-file",
        metavar="FILE",
        help="read the passphrase from FILE (headless use; or set SENDOBSERVE_PASSPHRASE)",
    )


def _run_gui(args: argparse.Namespace) -> int:
    from sendobserve.cli._display import display_problem

    problem = display_problem()  # before Qt loads: Qt would abort with a misleading message
    if problem:
        print(f"sendobserve: {problem}", file=sys.stderr)
        return 2
    from sendobserve.cli._common import given_secret
    from sendobserve.ui.shell.app import run

    try:
        secret = given_secret(args)
    except UserError as exc:
        print(f"sendobserve: {exc.message}", file=sys.stderr)
        return exc.exit_code
    return int(run(data_dir=args.data_dir, secret=secret, exit_after_start=args.exit_after_start))


class _NotOnlyGlobalOptions(Exception):
    pass


class _GlobalOptionsParser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise _NotOnlyGlobalOptions(message)


def _desktop_app_args(argv: Sequence[str] | None) -> argparse.Namespace | None:
    """The arguments if they only start the desktop app (global options, no command, no
    --help or --version); else None. Lets the app start without importing every command
    module (some import the storage stack: half a second before the window could show)."""
    light = _GlobalOptionsParser(add_help=False)
    add_global_options(light)
    try:
        args, rest = light.parse_known_args(argv)
    except _NotOnlyGlobalOptions:
        return None
    return None if rest else args


def main(argv: Sequence[str] | None = None) -> int:
    if argv is None:  # this process's own command line, so its own environment
        from sendobserve.environment import take_passphrase_from_environment

        take_passphrase_from_environment()
    gui_args = _desktop_app_args(argv)
    if gui_args is not None:
        return _run_gui(gui_args)
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        return _run_gui(args)
    try:
        return int(args.func(args) or 0)
    except UserError as exc:
        print(f"sendobserve: {exc.message}", file=sys.stderr)
        if exc.hint:
            print(exc.hint, file=sys.stderr)
        return exc.exit_code
    except BrokenPipeError:
        # The reader went away (``… | head``): not an error of ours. Point stdout at
        # devnull so the interpreter's final flush does not complain again.
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print("sendobserve: interrupted; nothing was half-written.", file=sys.stderr)
        return 130
