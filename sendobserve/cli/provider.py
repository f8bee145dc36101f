"""``sendobserve provider [NAME]``: the provider's name on Form 4 and Form 5, set once."""

from __future__ import annotations

import argparse
from typing import Any

from sendobserve.cli._common import open_store_from_args


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "provider",
        help="show or set the provider's name printed on Form 4 and Form 5",
        description="The provider organisation (or sole provider) that issues Form 4 and "
        "Form 5 certificates. Set it once; with no NAME, show it. 'print form4 "
        "--organisation' overrides it for one certificate.",
    )
    p.add_argument("name", metavar="NAME", nargs="?", help="the provider's name to set")
    p.set_defaults(func=cmd_provider)


def cmd_provider(args: argparse.Namespace) -> int:
    from sendobserve.services import documents

    with open_store_from_args(args) as store:
        if args.name is None:
            name = documents.provider_name(store)
            print(name if name else "The provider's name is not set yet: "
                  "sendobserve provider \"NAME\" sets it.")
            return 0
        name = documents.set_provider_name(store, args.name).value
    print(f"The provider's name is now: {name}")
    return 0
