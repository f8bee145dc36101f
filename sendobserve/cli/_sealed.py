"""What the commands that write or read a sealed exchange file (``.sendobs``) share: the
file passphrase (``--bundle-passphrase-file``, ``SENDOBSERVE_BUNDLE_PASSPHRASE`` or a
prompt), the recipients' exchange keys (``--to-key``), the signer's name (``--as``), and
the checks on the file to write, all made before the store is opened.

``sendobserve export`` writes a trainee's records; ``sendobserve erase --record`` writes
the signed erasure records. Their options are one set, named once here.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from sendobserve.cli._common import read_secret_file
from sendobserve.errors import UserError

BUNDLE_PASSPHRASE_ENV = "SENDOBSERVE_BUNDLE_PASSPHRASE"


def add_sealing_options(parser: argparse.ArgumentParser, when: str = "") -> None:
    """``--bundle-passphrase-file``, ``--as``, ``--to-key`` and ``--force``; ``when`` says
    which option they go with, if they are not the command's own (``"with --record: "``)."""
    parser.add_argument("--bundle-passphrase-file", metavar="F",
                        help=f"{when}read the file passphrase from F (or set "
                        f"{BUNDLE_PASSPHRASE_ENV}; asked for at a terminal)")
    parser.add_argument("--as", dest="signer_name", metavar="NAME",
                        help=f"{when}your name as the importer will see it (default: the "
                        "name set with 'sendobserve identity --set-name')")
    parser.add_argument("--to-key", action="append", default=[], metavar="KEY",
                        help=f"{when}also encrypt to this exchange key (shown by 'sendobserve "
                        "identity' on the recipient's installation); may be repeated")
    parser.add_argument("--force", action="store_true", help=f"{when}replace FILE if it exists")


def given_bundle_passphrase(args: argparse.Namespace) -> str | None:
    if args.bundle_passphrase_file:
        return read_secret_file(args.bundle_passphrase_file)
    from sendobserve.environment import environment_secret

    return environment_secret(BUNDLE_PASSPHRASE_ENV)


def bundle_passphrase(args: argparse.Namespace, *, confirm: bool) -> str:
    """The file passphrase given, or typed at a terminal (twice when ``confirm``)."""
    given = given_bundle_passphrase(args)
    if given is not None:
        return given
    if sys.stdin is None or not sys.stdin.isatty():
        raise UserError("no file passphrase given: use --bundle-passphrase-file F "
                        f"(or set {BUNDLE_PASSPHRASE_ENV})")
    first = getpass.getpass("File passphrase: ")
    if confirm and getpass.getpass("Type it again: ") != first:
        raise UserError("the two passphrases differ; nothing was written")
    return first


def new_file_passphrase(args: argparse.Namespace) -> str:
    """The passphrase a new file is sealed with: confirmed, and long enough."""
    from sendobserve.exchange.bundle import check_passphrase

    passphrase = bundle_passphrase(args, confirm=True)
    check_passphrase(passphrase)
    return passphrase


def recipient_keys(args: argparse.Namespace) -> tuple[bytes, ...]:
    """The exchange keys given with ``--to-key``, each checked."""
    from sendobserve.pki.identity import parse_recipient_key

    recipients = []
    for text in args.to_key:
        try:
            recipients.append(parse_recipient_key(text))
        except ValueError as exc:
            raise UserError(f"--to-key {text!r}: {exc}") from None
    return tuple(recipients)


def sealed_output(path: str, args: argparse.Namespace, *, which: str, unchanged: str) -> Path:
    """The file to write: it ends in ``.sendobs`` and is new, or ``--force`` was given.
    ``which`` names it in the message ("the output file"); ``unchanged`` says what a
    refusal left alone ("nothing was written")."""
    from sendobserve.exchange.bundle import FILE_SUFFIX

    output = Path(path)
    if output.suffix != FILE_SUFFIX:
        raise UserError(f"{which} should end in {FILE_SUFFIX}: {output}")
    if output.exists() and not args.force:
        raise UserError(f"{output} already exists; {unchanged}",
                        hint="Choose another name, or add --force to replace it.")
    return output
