"""``sendobserve verify FILE.pdf [--trust ROOT.pem …]``: check a signed certificate offline.

Known roots are those given with ``--trust`` and, when this machine has a store that
opens without a prompt (a passphrase file or variable, or the OS keyring), the
store's own signing root. ``--no-store`` leaves the store alone. With the store, the
certificate is also looked up in its register by serial and the verification code
printed on it (two installations may both have issued a serial; the code tells them
apart), and the register's entry is shown with the installation that issued it, and
whether the certificate stands there or a person's decision superseded it (two
certificates issued for one trainee and form, see ``sendobserve conflicts``).

Exit status: 0 only for an intact file signed under a known root; 2 when the file is
intact but its signer is not from a known root; 3 when it is altered, damaged or not
signed; 1 for a usage problem (missing file, a --trust file that is not a certificate).
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sendobserve.errors import UserError
from sendobserve.model.vocabulary import day_text
from sendobserve.named_file import Unread, read_named_file

EXIT_OK = 0
EXIT_NOT_TRUSTED = 2
EXIT_ALTERED = 3


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "verify",
        help="check that a signed certificate PDF is intact and who signed it (offline)",
        description=(
            "Check a signed PDF offline: whether it is intact or altered, who signed it, and "
            "whether the signer's certificate comes from a known signing root. Exit status 0 "
            "only for an intact file from a known root; 2 not trusted; 3 altered or unsigned. "
            "With this machine's store, the certificate is looked up in its register by its "
            "serial and printed verification code, and shown with the installation that "
            "issued it (each installation numbers its own)."
        ),
    )
    parser.add_argument("file", metavar="FILE.pdf", help="the signed PDF to check")
    parser.add_argument(
        "--trust",
        metavar="ROOT.pem",
        action="append",
        default=[],
        help="a signing root certificate to trust (repeatable); export it from the issuing app",
    )
    parser.add_argument(
        "--no-store",
        action="store_true",
        help="do not also trust this machine's store's signing root",
    )
    parser.set_defaults(func=run)


@contextmanager
def _local_store(args: argparse.Namespace) -> Iterator[Any]:
    """The local store, if one opens without asking for anything (else None)."""
    from sendobserve.cli._common import data_dir_from_args, given_secret, key_cache
    from sendobserve.services.store import open_without_asking

    opened = None if args.no_store else open_without_asking(
        data_dir_from_args(args), lambda: given_secret(args), key_cache())
    if opened is None:
        yield None
        return
    with opened as store:
        yield store


def _register(store: Any, pdf: bytes, serial: str) -> None:
    """Print what this store's register holds for the certificate's serial and code."""
    from sendobserve.reports.signing import printed_verification_code
    from sendobserve.services.documents import certificate_standing, register_entries

    code = printed_verification_code(pdf)
    found = register_entries(store, serial, code=code)
    if found:
        for entry in found:
            print(f"  Register:    {entry.line()}")
        standing = certificate_standing(store, serial, code)
        if standing:
            print(f"  Here:        {standing}")
    elif code is not None and register_entries(store, serial):
        print(f"  Register:    no certificate here has serial {serial} with the code printed "
              f"on this file ({code}): check it with the organisation that issued it")
    else:
        print(f"  Register:    this store holds no certificate with serial {serial}")


def _read(path_text: str, what: str) -> bytes:
    def refuse(why: Unread, target: Path, detail: str) -> UserError:
        if why is Unread.MISSING:
            return UserError(f"{what} not found: {path_text}")
        if why is Unread.FOLDER:
            return UserError(f"{what} is a folder, not a file: {path_text}")
        return UserError(f"cannot read {what} {path_text}: {detail}")

    return read_named_file(path_text, refuse)


def run(args: argparse.Namespace) -> int:

    pdf = _read(args.file, "PDF")
    roots = [_read(p, "trusted root") for p in args.trust]
    with _local_store(args) as store:
        return _report(pdf, roots, store)


def _report(pdf: bytes, roots: list[bytes], store: Any) -> int:
    from sendobserve.reports.signing import verify_pdf
    from sendobserve.services.documents import signing_root_certificate

    store_root = None if store is None else signing_root_certificate(store)
    if store_root is not None:
        roots.append(store_root)
    try:
        result = verify_pdf(pdf, roots)
    except ValueError as exc:
        raise UserError(str(exc), hint="Give --trust a root certificate (.pem) exported "
                        "from the issuing organisation.") from None
    print(result.message)
    if result.signer_name:
        print(f"  Signed by:   {result.signer_name}")
    if result.issuer:
        print(f"  Issued by:   {result.issuer} (signing root)")
    if result.signed_at:
        signed = result.signed_at
        print(f"  Signed at:   {day_text(signed, long=True)} {signed:%H:%M %Z} "
              "(the signer's clock)")
    if result.serial:
        print(f"  Certificate: {result.serial}")
        if store is not None and result.intact:
            _register(store, pdf, result.serial)
    if result.ok:
        return EXIT_OK
    if result.intact:
        if not roots:
            print("  No trusted root was given: add --trust ROOT.pem "
                  "(exported with 'sendobserve signing export-root').")
        return EXIT_NOT_TRUSTED
    return EXIT_ALTERED
