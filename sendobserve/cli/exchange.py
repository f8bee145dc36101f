"""Exchange commands: export, import, identity, export-csv.

The file passphrase is the one two people agree for one exchange, not the store's
passphrase: it comes from ``--bundle-passphrase-file`` or, at a terminal, a prompt.
An import opens and checks the whole file before the store is even unlocked, shows
what it will do, and asks (unless ``--yes``); it then writes in one transaction.
"""

from __future__ import annotations

import argparse
import csv
import getpass
import io
import sys
from pathlib import Path
from typing import Any

from sendobserve.cli._common import open_store_from_args, read_secret_file
from sendobserve.errors import UserError

BUNDLE_PASSPHRASE_ENV = "SENDOBSERVE_BUNDLE_PASSPHRASE"


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "export",
        help="export a mediator's finalised observations to a signed, encrypted .sendobs file",
        description="Write the finalised observations of one mediator, with the case, "
        "observer and form records they need and nothing else, to FILE.sendobs: signed by "
        "this installation and encrypted to a passphrase you agree with the recipient.",
    )
    p.add_argument("--mediator", required=True, metavar="NAME_OR_ID",
                   help="the mediator (trainee) whose observations to export")
    p.add_argument("--bundle-passphrase-file", metavar="F",
                   help="read the file passphrase from F (or set "
                   f"{BUNDLE_PASSPHRASE_ENV}; asked for at a terminal)")
    p.add_argument("-o", "--output", metavar="FILE.sendobs",
                   help="the file to write (needed unless --preview)")
    p.add_argument("--as", dest="signer_name", metavar="NAME",
                   help="your name as the importer will see it (default: the name set "
                   "with 'sendobserve identity --set-name')")
    p.add_argument("--to-key", action="append", default=[], metavar="KEY",
                   help="also encrypt to this exchange key (shown by 'sendobserve identity' "
                   "on the recipient's installation); may be repeated")
    p.add_argument("--force", action="store_true", help="replace FILE if it exists")
    p.add_argument("--scope", choices=("observations", "record", "observer"),
                   default="observations",
                   help="observations: the finalised observations (default); record: the "
                   "trainee's whole record (every case with role and hours, training, "
                   "reflection, CPD, mentoring and supervision, discretions, passporting "
                   "facts), each with its version history; observer: only what --observer "
                   "wrote")
    p.add_argument("--observer", metavar="NAME_OR_ID",
                   help="with --scope observer: whose observations")
    p.add_argument("--preview", action="store_true",
                   help="say what would travel (counts per kind) and write nothing")
    p.set_defaults(func=cmd_export)

    p = subparsers.add_parser(
        "import",
        help="import a .sendobs file: shows who signed it and what changes, then asks",
        description="Check FILE completely (passphrase, integrity, signature, content), show "
        "who signed it and what it will add or change, and after confirmation apply it in "
        "one transaction. Importing the same file twice changes nothing.",
    )
    p.add_argument("file", metavar="FILE.sendobs")
    p.add_argument("--bundle-passphrase-file", metavar="F",
                   help=f"read the file passphrase from F (or set {BUNDLE_PASSPHRASE_ENV}); "
                   "without one, the file is opened with this installation's exchange key")
    p.add_argument("--yes", action="store_true", help="import without asking")
    p.set_defaults(func=cmd_import)

    p = subparsers.add_parser(
        "identity",
        help="show this installation's signing fingerprint (to compare aloud)",
        description="Show the fingerprint of this installation's signing key, created on "
        "first use, and the signers whose files this store has imported.",
    )
    p.add_argument("--set-name", metavar="NAME",
                   help="the name your exports are signed with, e.g. 'Łucja Żak (PPC)'")
    p.add_argument("--revoke", metavar="FINGERPRINT",
                   help="revoke a known signer's installation (a lost laptop): files it "
                   "signs from --from on are refused here and, once this store's next file "
                   "is imported, by every store that knows this one; what it signed before "
                   "stays, marked. Needs --from, --reason and --by")
    p.add_argument("--from", dest="revoke_from", metavar="YYYY-MM-DD[THH:MM]",
                   help="with --revoke: from when (UTC)")
    p.add_argument("--reason", metavar="TEXT", help="with --revoke: why")
    p.add_argument("--by", metavar="NAME",
                   help="with --revoke or --allow-erasure: who decides")
    p.add_argument("--allow-erasure", metavar="FINGERPRINT",
                   help="allow this installation (the provider's admin or PPC laptop, its "
                   "fingerprint compared aloud) to erase a mediator here: its signed erasure "
                   "records, in any file or from the hub, are applied. Needs --by")
    p.add_argument("--disallow-erasure", metavar="FINGERPRINT",
                   help="stop applying erasure records signed by this installation")
    p.set_defaults(func=cmd_identity)

    p = subparsers.add_parser(
        "conflicts",
        help="list records edited differently on two machines (both versions kept); "
        "decide one",
        description="list (the default): each observation that arrived amended differently "
        "from how it was amended here, and each training, reflection, CPD, contact, "
        "discretion or mediator record edited differently: the current version, every "
        "kept version, and where they differ. Both stay; the current one is what readiness "
        "and certificates use. resolve: a person decides which version of a record stays "
        "(--record KIND:ID --keep current|DIGEST --by NAME --reason TEXT); the others join "
        "its history, so the decision travels in the next file this store sends.",
    )
    p.add_argument("action", nargs="?", choices=("list", "resolve"), default="list")
    p.add_argument("--record", metavar="KIND:ID", help="e.g. reflections:3f2a… (from list)")
    p.add_argument("--keep", metavar="current|DIGEST",
                   help="'current', or the first characters of a kept version's digest")
    p.add_argument("--by", metavar="NAME", help="who decides")
    p.add_argument("--reason", metavar="TEXT", help="why")
    p.set_defaults(func=cmd_conflicts)

    p = subparsers.add_parser(
        "export-csv",
        help="write marks or hours as CSV (no notes unless asked)",
        description="Write one mediator's (or every mediator's) marks or hours as CSV for "
        "a provider's own records. Notes, reflections and signature drawings are left out "
        "unless --include-notes is given.",
    )
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument("--mediator", metavar="NAME_OR_ID")
    who.add_argument("--all", action="store_true", help="every mediator in the store")
    p.add_argument("--what", choices=("marks", "hours"), required=True)
    p.add_argument("--include-notes", action="store_true")
    p.add_argument("-o", "--output", required=True, metavar="FILE.csv")
    p.add_argument("--force", action="store_true", help="replace FILE if it exists")
    p.set_defaults(func=cmd_export_csv)


def _given_bundle_passphrase(args: argparse.Namespace) -> str | None:
    if args.bundle_passphrase_file:
        return read_secret_file(args.bundle_passphrase_file)
    from sendobserve.environment import environment_secret

    return environment_secret(BUNDLE_PASSPHRASE_ENV)


def _bundle_passphrase(args: argparse.Namespace, *, confirm: bool) -> str:
    given = _given_bundle_passphrase(args)
    if given is not None:
        return given
    if sys.stdin is None or not sys.stdin.isatty():
        raise UserError("no file passphrase given: use --bundle-passphrase-file F "
                        f"(or set {BUNDLE_PASSPHRASE_ENV})")
    first = getpass.getpass("File passphrase: ")
    if confirm and getpass.getpass("Type it again: ") != first:
        raise UserError("the two passphrases differ; nothing was written")
    return first


def _write_new_file(path: Path, data: bytes, *, force: bool) -> None:
    """Write all of ``data`` or nothing: a temporary file renamed into place."""
    if path.exists() and not force:
        raise UserError(f"{path} already exists; nothing was written",
                        hint="Choose another name, or add --force to replace it.")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise UserError(f"no such folder: {folder}")
    from sendobserve.storage.fsutil import atomic_write_bytes

    try:
        atomic_write_bytes(path, data)
    except OSError as exc:
        raise UserError(f"could not write {path}: {exc.strerror or exc}") from None


def cmd_identity(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from sendobserve.exchange.identity import (
        Revocation,
        exchange_public_key,
        load_or_create_exchange_key,
        load_or_create_identity,
        normalise_fingerprint,
        recipient_key_text,
    )
    from sendobserve.model.domain import utcnow
    from sendobserve.storage import exchange as stored

    name = args.set_name.strip() if args.set_name else None
    if args.set_name is not None and not name:
        raise UserError("the name must not be empty")
    revoke_from = None
    if args.revoke:
        if not (args.revoke_from and (args.reason or "").strip() and (args.by or "").strip()):
            raise UserError("--revoke needs --from, --reason and --by")
        try:
            revoke_from = datetime.fromisoformat(args.revoke_from).replace(tzinfo=UTC)
        except ValueError:
            raise UserError(f"--from {args.revoke_from!r}: expected YYYY-MM-DD or "
                            "YYYY-MM-DDTHH:MM") from None
    if args.allow_erasure and not (args.by or "").strip():
        raise UserError("--allow-erasure needs --by (who decides)")
    from sendobserve.storage import erasure_records

    with open_store_from_args(args) as store, store.session() as session:
        keys = stored.StoredSigningKey(session)
        identity = load_or_create_identity(keys)
        exchange_key = load_or_create_exchange_key(keys)
        if name:
            stored.set_identity_name(session, name)
        if args.allow_erasure:
            try:
                fp = erasure_records.allow(session, args.allow_erasure, named_by=args.by)
            except ValueError as exc:
                raise UserError(f"--allow-erasure {args.allow_erasure!r}: {exc}") from None
            print(f"Erasure records signed by {fp} are applied here from now on.")
        if args.disallow_erasure:
            if not erasure_records.disallow(session, args.disallow_erasure):
                raise UserError(f"{args.disallow_erasure!r} is not allowed to erase here")
            print(f"Erasure records signed by {args.disallow_erasure} are no longer applied "
                  "here.")
        allowed = erasure_records.authorities(session)
        if args.revoke and revoke_from is not None:
            wanted = normalise_fingerprint(args.revoke)
            signer = stored.known_signer(session, wanted)
            if signer is None:
                raise UserError(f"no known signer has the fingerprint {wanted}",
                                hint="'sendobserve identity' lists the known signers.")
            if signer.public_key == identity.public_key:
                raise UserError("this installation cannot revoke its own key")
            stored.record_revocation(session, Revocation(
                signer.public_key, revoke_from, args.reason.strip(), args.by.strip()),
                recorded_by=identity.fingerprint, at=utcnow())
            print(f"Revoked {wanted} ({signer.name}) from {revoke_from:%Y-%m-%d %H:%M} UTC.")
        current = stored.identity_name(session)
        signers = stored.known_signers(session)
        revoked = stored.revocations(session)
    print(f"This installation signs as: {current or '(no name set: use --set-name NAME)'}")
    print(f"Fingerprint: {identity.fingerprint}")
    print("Read it aloud to the person importing your files; they compare it with theirs.")
    print(f"Exchange key: {recipient_key_text(exchange_public_key(exchange_key))}")
    print("Give it to people who send you files (export --to-key): you then open their "
          "files without a shared passphrase. It is public; it opens nothing by itself.")
    if signers:
        print("Signers whose files this store has imported:")
        for s in signers:
            r = revoked.get(s.fingerprint)
            mark = (f"  REVOKED from {r.revoked_from:%Y-%m-%d %H:%M} UTC ({r.reason}; "
                    f"{r.decided_by})" if r else "")
            print(f"  {s.fingerprint}  {s.name}  (first {s.first_seen_at:%Y-%m-%d}, "
                  f"last {s.last_seen_at:%Y-%m-%d}){mark}")
    if allowed:
        print("Installations allowed to erase here (besides this one and the hub's admins):")
        for fp, (by, at) in sorted(allowed.items()):
            print(f"  {fp}  (named by {by} on {at:%Y-%m-%d})")
    return 0


def _resolve_observer(observers: Any, text: str) -> Any:
    """An observer's id from an id or a name typed on the command line."""
    from sendobserve.storage.repositories._common import parse_uuid

    as_id = parse_uuid(text.strip())
    if as_id is not None:
        return observers.get(as_id).id
    found = observers.find(text)
    if len(found) != 1:
        names = ", ".join(o.name for o in found[:5]) or "none"
        raise UserError(f"--observer {text!r} matches {len(found)} observers ({names})",
                        hint="Give more of the name, or the observer's id.")
    return found[0].id


def cmd_export(args: argparse.Namespace) -> int:
    from sendobserve.exchange.bundle import FILE_SUFFIX, check_passphrase
    from sendobserve.exchange.export import export_bundle
    from sendobserve.exchange.identity import load_or_create_identity, parse_recipient_key
    from sendobserve.storage import exchange as stored
    from sendobserve.storage.repositories import MediatorRepository, in_session

    recipients = []
    for text in args.to_key:
        try:
            recipients.append(parse_recipient_key(text))
        except ValueError as exc:
            raise UserError(f"--to-key {text!r}: {exc}") from None
    from sendobserve.exchange.export import ExportScope, build_payload, payload_counts
    from sendobserve.storage.repositories import ObserverRepository

    scope = ExportScope(args.scope)
    if (scope is ExportScope.OBSERVER) != bool(args.observer):
        raise UserError("--observer goes with --scope observer, and it needs one")
    if args.preview:
        with open_store_from_args(args) as store, store.session() as session:
            mediator = MediatorRepository(in_session(session)).resolve(args.mediator)
            observer_id = (_resolve_observer(ObserverRepository(in_session(session)), args.observer)
                           if args.observer else None)
            payload = build_payload(session, mediator.id, exported_by="preview", scope=scope,
                                    observer_id=observer_id, record_history=False)
        print(f"Would export, for {mediator.name} ({scope.value}):")
        for kind, count in payload_counts(payload).items():
            print(f"  {kind}: {count}")
        return 0
    if not args.output:
        raise UserError("say where to write the file: -o FILE.sendobs (or --preview)")
    output = Path(args.output)
    if output.suffix != FILE_SUFFIX:
        raise UserError(f"the output file should end in {FILE_SUFFIX}: {output}")
    if output.exists() and not args.force:
        raise UserError(f"{output} already exists; nothing was written",
                        hint="Choose another name, or add --force to replace it.")
    passphrase = _bundle_passphrase(args, confirm=True)
    check_passphrase(passphrase)
    with open_store_from_args(args) as store, store.session() as session:
        mediator = MediatorRepository(in_session(session)).resolve(args.mediator)
        observer_id = (_resolve_observer(ObserverRepository(in_session(session)), args.observer)
                       if args.observer else None)
        identity = load_or_create_identity(stored.StoredSigningKey(session))
        signer_name = (args.signer_name or "").strip() or stored.identity_name(session)
        if not signer_name:
            raise UserError("say who is exporting: add --as NAME",
                            hint="Or set it once with: sendobserve identity --set-name NAME")
        data, payload = export_bundle(session, mediator.id, passphrase=passphrase,
                                      identity=identity, exported_by=signer_name,
                                      recipients=tuple(recipients), scope=scope,
                                      observer_id=observer_id)
    _write_new_file(output, data, force=args.force)
    print(f"Exported {len(payload.observations)} finalised observation(s) of "
          f"{mediator.name} to {output} ({len(data):,} bytes).")
    others = {k: n for k, n in payload_counts(payload).items()
              if n and k not in ("observations", "author signatures")}
    if others:
        print("With: " + ", ".join(f"{n} {k}" for k, n in others.items()) + ".")
    print(f"Signed by {signer_name}, fingerprint {identity.fingerprint}.")
    print("Tell the recipient the file passphrase by another way than the file itself.")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from sendobserve.exchange.apply import apply_import, preview_import
    from sendobserve.exchange.bundle import OpenedBundle, open_bundle, read_bundle_file
    from sendobserve.exchange.errors import ExchangeError, ExchangeProblem
    from sendobserve.exchange.identity import Identity, load_or_create_exchange_key
    from sendobserve.storage import exchange as stored

    data = read_bundle_file(args.file)
    passphrase = _given_bundle_passphrase(args)
    opened: OpenedBundle | None = None
    if passphrase is not None:
        # The whole file is checked before the store is unlocked: a bad file touches nothing.
        opened = open_bundle(data, passphrase=passphrase)
    with open_store_from_args(args) as store:
        with store.session() as session:
            keys = stored.StoredSigningKey(session)
            raw = keys.load_signing_key()
            own = Identity.from_private_bytes(raw) if raw else None
            if opened is None:
                exchange_raw = keys.load_exchange_key()
                try:
                    if exchange_raw is None:
                        raise ExchangeError(ExchangeProblem.WRONG_KEY, "no exchange key here")
                    opened = open_bundle(
                        data,
                        recipient_key=load_or_create_exchange_key(keys),
                    )
                except ExchangeError as exc:
                    if exc.problem is not ExchangeProblem.WRONG_KEY:
                        raise
                    opened = open_bundle(data, passphrase=_bundle_passphrase(args,
                                                                             confirm=False))
            preview = preview_import(session, opened, own=own)
        for line in preview.lines():
            print(line)
        if not preview.changes_store and preview.already_imported_at is not None:
            return 0
        if not args.yes:
            if sys.stdin is None or not sys.stdin.isatty():
                raise UserError("not imported: add --yes to import without being asked")
            answer = input("Import this file? [y/N] ").strip().lower()
            if answer not in ("y", "yes"):
                print("Not imported; nothing was changed.")
                return 1
        with store.session() as session:
            result = apply_import(session, opened, own=own)
        if any(e.applies for e in result.preview.erasures):
            from sendobserve.storage.erasure import complete_erasures

            for done in complete_erasures(store):
                print(f"Erased mediator {done.mediator_id} as the file's erasure record asks:")
                for line in done.summary_lines():
                    print(f"  {line}")
    print(f"Imported: {result.added} new, {result.updated} updated, {result.conflicts} in "
          f"conflict (both versions kept), {result.unchanged} already here.")
    return 0


def cmd_conflicts(args: argparse.Namespace) -> int:
    from sendobserve.exchange.conflicts import (
        list_conflicts,
        list_record_conflicts,
        resolve_record_conflict,
    )
    from sendobserve.storage.repositories._common import parse_uuid

    if args.action == "resolve":
        kind, _, rid = (args.record or "").partition(":")
        record_id = parse_uuid(rid.strip())
        if record_id is None or not kind or not args.keep or not args.by or not args.reason:
            raise UserError("resolve needs --record KIND:ID, --keep, --by and --reason",
                            hint="'sendobserve conflicts' lists them with their ids.")
        with open_store_from_args(args) as store, store.session() as session:
            resolve_record_conflict(session, kind.strip(), record_id, keep=args.keep,
                                    decided_by=args.by, reason=args.reason)
        print(f"Decided: {kind} {record_id.hex} keeps {args.keep}; the other versions are "
              "retired here and in every store that imports this store's next file.")
        return 0
    with open_store_from_args(args) as store, store.session() as session:
        conflicts = list_conflicts(session)
        records = list_record_conflicts(session)
    if not conflicts and not records:
        print("No conflicting versions: every record has one version here.")
        return 0
    for conflict in conflicts:
        for line in conflict.lines():
            print(line)
    for record in records:
        for line in record.lines():
            print(line)
        print(f"  (decide with: sendobserve conflicts resolve --record "
              f"{record.kind}:{record.record_id.hex} --keep current|DIGEST --by NAME "
              "--reason TEXT)")
    return 0


def cmd_export_csv(args: argparse.Namespace) -> int:
    from sendobserve.exchange.csv_export import hours_csv, marks_csv
    from sendobserve.storage.repositories import (
        MediatorRepository,
        in_session,
        load_practice_records,
    )

    output = Path(args.output)
    if output.exists() and not args.force:
        raise UserError(f"{output} already exists; nothing was written",
                        hint="Choose another name, or add --force to replace it.")
    with open_store_from_args(args) as store, store.session() as session:
        ids = None
        if args.mediator:
            ids = [MediatorRepository(in_session(session)).resolve(args.mediator).id]
        records = list(load_practice_records(session, ids).values())
    if args.what == "marks":
        text = marks_csv(records, include_notes=args.include_notes)
    else:
        text = hours_csv(records, include_notes=args.include_notes)
    _write_new_file(output, text.encode("utf-8"), force=args.force)
    rows = sum(1 for _ in csv.reader(io.StringIO(text))) - 1  # notes may span lines
    print(f"Wrote {rows} row(s) to {output}.")
    return 0
