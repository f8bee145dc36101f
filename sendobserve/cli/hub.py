"""The organisation hub: ``sendobserve hub …`` and ``sendobserve sync``.

On the hub's host: ``hub init`` (schema), ``hub bootstrap-admin`` (the first admin),
``hub serve``. On the admin's computer: ``hub certificate`` (the hub's HTTPS certificate,
issued by the organisation's root in the admin's store), ``hub installations``, ``hub
approve``, ``hub revoke``. On every computer: ``hub join``, ``hub status``, ``sync``.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from sendobserve.cli._common import open_store_from_args
from sendobserve.errors import UserError
from sendobserve.named_file import read_named_file

DATABASE_ENV = "SENDOBSERVE_HUB_DATABASE"
ROLES = ("admin", "ppc", "observer", "trainee", "assessor")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "hub",
        help="the organisation's hub: set it up, run it, enrol installations",
        description="The organisation hub stores signed, encrypted exchange files in "
        "PostgreSQL so that laptops sync when they have a network. It never holds a key "
        "that opens them. Offline work never needs it.",
    )
    sub = parser.add_subparsers(dest="hub_command", metavar="ACTION", required=True)

    def database_option(p: argparse.ArgumentParser) -> None:
        p.add_argument("--database", metavar="URL",
                       help="postgresql://USER@HOST:PORT/DB (or set "
                       f"{DATABASE_ENV})")

    p = sub.add_parser("init", help="create or upgrade the hub's database schema",
                       description="Create (or upgrade) the hub's tables in an existing, empty "
                       "PostgreSQL database, and name the organisation. Safe to run twice.")
    database_option(p)
    p.add_argument("--organisation", required=True, metavar="NAME",
                   help="the organisation this hub serves, e.g. 'Acme Mediation'")
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("serve", help="run one hub process (HTTPS)",
                       description="Serve the hub over HTTPS until stopped. Several processes "
                       "(on one or more hosts) can serve the same database.")
    database_option(p)
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default "
                   "127.0.0.1; 0.0.0.0 for every interface)")
    p.add_argument("--port", type=int, default=8443)
    p.add_argument("--certificate", required=True, metavar="PEM",
                   help="the hub's certificate chain (from 'hub certificate')")
    p.add_argument("--key", required=True, metavar="PEM", help="the hub's private key")
    p.add_argument("--pool-size", type=int, default=10, help="database connections kept")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("bootstrap-admin",
                       help="on the hub's host: make a pending installation the first admin",
                       description="Approve the installation with this fingerprint as an admin "
                       "without another admin's signature. Run it once, on the hub's host, "
                       "after comparing the fingerprint with the admin in person.")
    database_option(p)
    p.add_argument("fingerprint", help="the admin installation's fingerprint")
    p.set_defaults(func=cmd_bootstrap)

    p = sub.add_parser("certificate",
                       help="issue the hub's HTTPS certificate from this store's root",
                       description="Write HUB.crt (chain), HUB.key and ROOT.pem into DIR. The "
                       "certificate is issued by the organisation's root kept in this store "
                       "(created on first use); clients pin ROOT.pem.")
    p.add_argument("--host", action="append", required=True, dest="hosts", metavar="NAME",
                   help="a name or IP address clients use for the hub (repeatable)")
    p.add_argument("--organisation", metavar="NAME",
                   help="the organisation's name, if this store has no root yet")
    p.add_argument("-o", "--output", required=True, metavar="DIR")
    p.set_defaults(func=cmd_certificate)

    p = sub.add_parser("join", help="link this installation to the hub and ask to join",
                       description="Ask to join the organisation's hub. Compare this "
                       "installation's fingerprint aloud with the admin, who approves it.")
    p.add_argument("url", help="https://HOST:PORT")
    p.add_argument("--root", required=True, metavar="ROOT.pem",
                   help="the organisation's root certificate (pinned: nothing else is trusted)")
    p.add_argument("--admin", action="append", required=True, dest="admins", metavar="FP",
                   help="the admin's fingerprint, as compared aloud (repeatable)")
    p.add_argument("--name", help="how this installation is named to the admin")
    p.set_defaults(func=cmd_join)

    p = sub.add_parser("status", help="this installation's hub, role and last sync")
    p.set_defaults(func=cmd_status)

    p = sub.add_parser("installations", help="admin: everyone who asked to join")
    p.set_defaults(func=cmd_installations)

    p = sub.add_parser("approve", help="admin: approve an installation with a role and scope",
                       description="Approve FINGERPRINT (compare it aloud first) with a role. "
                       "Trainees are named as in this store; --all-trainees for every one.")
    p.add_argument("fingerprint")
    p.add_argument("--role", required=True, choices=ROLES,
                   help="admin, ppc (PPC or mentor), observer, trainee, assessor (read-only)")
    scope = p.add_mutually_exclusive_group()
    scope.add_argument("--trainee", action="append", default=[], metavar="NAME_OR_ID",
                       help="a trainee it may see (repeatable)")
    scope.add_argument("--all-trainees", action="store_true")
    p.set_defaults(func=cmd_approve)

    p = sub.add_parser("revoke", help="admin: refuse an installation from now on",
                       description="Revoke a member (a lost or retired laptop): the hub "
                       "refuses it from now on, and the next sync sends a signed revocation "
                       "to every member, so what it signs from now on is refused everywhere, "
                       "by hub or by file. A pending request is turned down instead. Nothing "
                       "it sent is removed from anyone's records.")
    p.add_argument("fingerprint")
    p.add_argument("--reason", metavar="TEXT",
                   help="why, for the record every member keeps (required for a member)")
    p.set_defaults(func=cmd_revoke)

    p = subparsers.add_parser(
        "sync",
        help="sync with the organisation's hub (send, then receive)",
        description="Send each trainee's record and finalised observations to the members "
        "who may see that trainee, and this installation's revocations to every member; "
        "then receive and import what was sent here. Safe to interrupt: the next sync "
        "resumes. Nothing is deleted here because of the hub.",
    )
    p.set_defaults(func=cmd_sync)


def _server_parts() -> None:
    """The service's libraries are an extra: say how to get them, not a traceback."""
    import importlib.util

    missing = [name for name in ("starlette", "uvicorn", "psycopg")
               if importlib.util.find_spec(name) is None]
    if missing:
        raise UserError(f"the hub needs {', '.join(missing)}: install them with "
                        "pip install 'sendobserve[hub]'")


def _database(args: argparse.Namespace) -> str:
    url = args.database or os.environ.get(DATABASE_ENV)
    if not url:
        raise UserError(f"name the hub's database: --database URL (or set {DATABASE_ENV})")
    return str(url)


def cmd_init(args: argparse.Namespace) -> int:
    _server_parts()
    from sendobserve.hub import database

    organisation = database.init(_database(args), args.organisation)
    print(f"The hub's database is ready for {organisation}.")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    _server_parts()
    from sendobserve.hub import server

    for path in (args.certificate, args.key):
        if not Path(path).is_file():
            raise UserError(f"no such file: {path}")
    print(f"Serving the hub on https://{args.host}:{args.port} (Ctrl+C stops it)",
          file=sys.stderr)
    server.serve(_database(args), host=args.host, port=args.port,
                 certificate=args.certificate, key=args.key, pool_size=args.pool_size)
    return 0


def cmd_bootstrap(args: argparse.Namespace) -> int:
    _server_parts()
    from sendobserve.hub import database

    name = database.bootstrap_admin(_database(args), args.fingerprint)
    print(f"{name} is now the organisation's admin.")
    return 0


def cmd_certificate(args: argparse.Namespace) -> int:
    from sendobserve.pki.certificates import fingerprint
    from sendobserve.services import hub
    from sendobserve.services.files import write_file

    out = Path(args.output)
    out.mkdir(parents=True, exist_ok=True)
    with open_store_from_args(args) as store:
        issued = hub.server_certificate(store, args.hosts, organisation=args.organisation)
    key_path = out / "hub.key"
    write_file(key_path, issued.key_pem)  # 0600
    write_file(out / "hub.crt", issued.cert_pem, private=False)
    write_file(out / "root.pem", issued.root_pem, private=False)
    print(f"Wrote {out / 'hub.crt'}, {key_path} (keep it secret) and {out / 'root.pem'}.")
    print(f"Root fingerprint (clients check it): {fingerprint(issued.root_pem)}")
    return 0


def cmd_join(args: argparse.Namespace) -> int:
    from sendobserve.services import hub

    root = read_named_file(args.root, lambda _why, _target, detail: UserError(
        f"cannot read {args.root}: {detail}"))
    with open_store_from_args(args) as store:
        answer = hub.join(store, args.url, root, args.admins, name=args.name).value
    _print_me(answer)
    if answer["status"] == "pending":
        print("Read the fingerprint above to the admin; once approved, run 'sendobserve sync'.")
    return 0


def _print_me(me: dict[str, Any]) -> None:
    from sendobserve.hub.protocol import spaced

    print(f"Organisation: {me['organisation']}")
    print(f"This installation: {me['name']}  {spaced(me['fingerprint'])}")
    scope = "every trainee" if me["trainees"] is None else f"{len(me['trainees'])} trainee(s)"
    role = f"{me['role']}, {scope}" if me["role"] else "no role yet"
    print(f"Status: {me['status']} ({role})")


def cmd_status(args: argparse.Namespace) -> int:
    from sendobserve.services import hub

    with open_store_from_args(args) as store:
        link = hub.link(store)
        if link is None:
            print("Not linked to a hub (see 'sendobserve hub join --help').")
            return 0
        print(f"Hub: {link.url}")
        when = f"{link.last_synced_at:%Y-%m-%d %H:%M} UTC" if link.last_synced_at else "never"
        print(f"Last synced: {when}")
        if link.last_error:
            print(f"Last attempt failed: {link.last_error}")
        _print_me(hub.me(store))
    return 0


def cmd_installations(args: argparse.Namespace) -> int:
    from sendobserve.hub.protocol import spaced
    from sendobserve.services import hub

    with open_store_from_args(args) as store:
        rows = hub.installations(store)
    for row in rows:
        scope = "all" if row["trainees"] is None else str(len(row["trainees"]))
        print(f"{spaced(row['fingerprint'])}  {row['status']:<8}  {row['role'] or '-':<8}  "
              f"trainees: {scope:<4}  {row['name']}")
    return 0


def cmd_approve(args: argparse.Namespace) -> int:
    from sendobserve.hub.protocol import Role, spaced
    from sendobserve.services import hub

    role = Role(args.role)
    with open_store_from_args(args) as store:
        trainees: tuple[str, ...] | None = None
        if not args.all_trainees and role is not Role.ADMIN:
            if not args.trainee:
                raise UserError("name the trainees it may see (--trainee, repeatable) or "
                                "give --all-trainees")
            trainees = hub.trainee_ids(store, args.trainee)
        answer = hub.approve(store, args.fingerprint, role, trainees)
    print(f"Approved {answer['name']} ({spaced(answer['fingerprint'])}) as {answer['role']}.")
    return 0


def cmd_revoke(args: argparse.Namespace) -> int:
    from sendobserve.services import hub

    with open_store_from_args(args) as store:
        revoked = hub.refuse_or_revoke(store, args.fingerprint, args.reason or "").value
    if not revoked:
        print("Turned down: the hub refuses that installation from now on.")
        return 0
    print("Revoked: the hub refuses that installation from now on, and the next sync sends "
          "the revocation to every member. Nothing it sent is removed from anyone's "
          "records.")
    return 0


def cmd_sync(args: argparse.Namespace) -> int:
    from sendobserve.services.hub import sync_with_hub

    with open_store_from_args(args) as store:
        result = sync_with_hub(store).value
    print(f"Synced: {result.summary()}.")
    for line in result.refused:
        print(f"  refused {line}")
    return 0
