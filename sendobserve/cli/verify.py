"""``sendobserve verify FILE.pdf [--trust ROOT.pem …]``: check a signed certificate offline.

Exit status: 0 only for an intact file signed under a known root; 2 when the file is
intact but its signer is not from a known root; 3 when it is altered, damaged or not
signed; 1 for a usage problem (missing file, a --trust file that is not a certificate).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from sendobserve.errors import UserError

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
            "only for an intact file from a known root; 2 not trusted; 3 altered or unsigned."
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
    parser.set_defaults(func=run)


def _read(path_text: str, what: str) -> bytes:
    path = Path(path_text)
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise UserError(f"{what} not found: {path_text}") from None
    except IsADirectoryError:
        raise UserError(f"{what} is a folder, not a file: {path_text}") from None
    except OSError as exc:
        raise UserError(f"cannot read {what} {path_text}: {exc.strerror}") from None


def run(args: argparse.Namespace) -> int:
    from sendobserve.reports.signing import verify_pdf

    pdf = _read(args.file, "PDF")
    roots = [_read(p, "trusted root") for p in args.trust]
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
        print(f"  Signed at:   {result.signed_at:%d %B %Y %H:%M %Z} (the signer's clock)")
    if result.serial:
        print(f"  Certificate: {result.serial}")
    if result.ok:
        return EXIT_OK
    if result.intact:
        if not roots:
            print("  No trusted root was given: add --trust ROOT.pem.")
        return EXIT_NOT_TRUSTED
    return EXIT_ALTERED
