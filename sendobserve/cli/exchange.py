"""Exchange commands: export, import, identity, export-csv.

The file passphrase is the one two people agree for one exchange, not the store's
passphrase: it comes from ``--bundle-passphrase-file`` or, at a terminal, a prompt.
An import opens and checks the whole file before the store is even unlocked, shows
what it will do, and asks (unless ``--yes``); it then writes in one transaction.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from pathlib import Path
from typing import Any

from sendobserve.cli._common import open_store_from_args
from sendobserve.cli._sealed import (
    BUNDLE_PASSPHRASE_ENV,
    add_sealing_options,
    bundle_passphrase,
    given_bundle_passphrase,
    new_file_passphrase,
    recipient_keys,
    sealed_output,
)
from sendobserve.errors import UserError


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
    p.add_argument("-o", "--output", metavar="FILE.sendobs",
                   help="the file to write (needed unless --preview)")
    add_sealing_options(p)
    p.add_argument("--scope", choices=("observations", "record", "observer"),
                   default="observations",
                   help="observations: the finalised observations (default); record: the "
                   "trainee's whole record (every case with role and hours, training, "
                   "reflection, CPD, mentoring and supervision, discretions, passporting "
                   "facts, certificates issued, signed deletions and decisions), each with "
                   "its version history; observer: only what --observer wrote")
    p.add_argument("--observer", metavar="NAME_OR_ID",
                   help="with --scope observer: whose observations")
    p.add_argument("--since-last-to", metavar="NAME",
                   help="only what changed in the trainee's whole record since the last "
                   "export to NAME (everything, the first time); what is sent is recorded "
                   "for NAME")
    p.add_argument("--to", dest="sent_to", metavar="NAME",
                   help="record what this file sends to NAME (for a later --since-last-to)")
    p.add_argument("--preview", action="store_true",
                   help="say what would travel (counts per kind, also certificates, "
                   "deletions and decisions) and write nothing")
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
        "from how it was amended here; each training, reflection, CPD, contact, "
        "discretion, case, observer or mediator record edited differently; each record "
        "deleted on one machine and edited on another; two certificates issued for one "
        "trainee and form. Both stay; the current one is what readiness and certificates "
        "use. resolve: a person decides which version stays (--record KIND:ID --keep "
        "current|DIGEST|deleted|merged --by NAME --reason TEXT), or which certificate "
        "stands (--record certificate:TRAINEE_ID/FORM --keep current|SERIAL: the other "
        "stays, superseded, and a re-print uses the one that stands). Only a PPC, mentor, "
        "regional manager, service director or experienced SEND mediator held here as an "
        "observer may decide. The decision is signed by this installation and travels in "
        "every whole-record file this store sends, so every store converges on it.",
    )
    p.add_argument("action", nargs="?", choices=("list", "resolve"), default="list")
    p.add_argument("--record", metavar="KIND:ID",
                   help="e.g. reflections:3f2a…, case:…, observation:…, "
                   "certificate:TRAINEE_ID/4 (from list)")
    p.add_argument("--keep", metavar="current|DIGEST|deleted|merged|SERIAL",
                   help="'current', the first characters of a kept version's digest, "
                   "'deleted' (a record deleted elsewhere stays deleted), 'merged' (with "
                   "--merged) or, for a certificate, the serial of the one that stands")
    p.add_argument("--merged", metavar="FILE.json",
                   help="with --keep merged: the record's fields as JSON ('list' prints the "
                   "current version's, to edit)")
    p.add_argument("--by", metavar="NAME", help="who decides (an observer held here)")
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


def cmd_identity(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from sendobserve.services import exchange

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
    with open_store_from_args(args) as store:
        if args.allow_erasure:
            fp = exchange.allow_erasure(store, args.allow_erasure, named_by=args.by).value
            print(f"Erasure records signed by {fp} are applied here from now on.")
        if args.disallow_erasure:
            exchange.disallow_erasure(store, args.disallow_erasure)
            print(f"Erasure records signed by {args.disallow_erasure} are no longer applied "
                  "here.")
        allowed = exchange.erasure_authorities(store)
        if args.revoke and revoke_from is not None:
            signer = exchange.revoke_signer(store, args.revoke, revoked_from=revoke_from,
                                            reason=args.reason, decided_by=args.by).value
            print(f"Revoked {signer.fingerprint} ({signer.name}) from "
                  f"{revoke_from:%Y-%m-%d %H:%M} UTC.")
        card = exchange.identity_card(store, set_name=name).value
    print(f"This installation signs as: {card.name or '(no name set: use --set-name NAME)'}")
    print(f"Fingerprint: {card.fingerprint}")
    print("Read it aloud to the person importing your files; they compare it with theirs.")
    print(f"Exchange key: {card.exchange_key}")
    print("Give it to people who send you files (export --to-key): you then open their "
          "files without a shared passphrase. It is public; it opens nothing by itself.")
    if card.signers:
        revoked = card.revocations or {}
        print("Signers whose files this store has imported:")
        for s in card.signers:
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


def cmd_export(args: argparse.Namespace) -> int:
    from sendobserve.exchange.export import ExportScope
    from sendobserve.services import exchange
    from sendobserve.services.people import resolve_observer

    recipients = recipient_keys(args)
    scope = ExportScope(args.scope)
    if (scope is ExportScope.OBSERVER) != bool(args.observer):
        raise UserError("--observer goes with --scope observer, and it needs one")
    since = (args.since_last_to or "").strip() or None
    if since is not None:
        if args.scope != "observations":
            raise UserError("--since-last-to is a scope of its own: leave out --scope")
        scope = ExportScope.SINCE_LAST
    if args.preview:
        with open_store_from_args(args) as store:
            mediator = exchange.mediator_of(store, args.mediator)
            observer_id = (resolve_observer(store, args.observer).id if args.observer else None)
            counts = exchange.export_preview(store, mediator.id, scope=scope,
                                             observer_id=observer_id, since_last_to=since)
        what = f"changed since the last export to {since}" if since else scope.value
        print(f"Would export, for {mediator.name} ({what}):")
        for kind, count in counts.items():
            print(f"  {kind}: {count}")
        return 0
    if not args.output:
        raise UserError("say where to write the file: -o FILE.sendobs (or --preview)")
    output = sealed_output(args.output, args, which="the output file",
                           unchanged="nothing was written")
    passphrase = new_file_passphrase(args)
    with open_store_from_args(args) as store:
        mediator = exchange.mediator_of(store, args.mediator)
        observer_id = (resolve_observer(store, args.observer).id if args.observer else None)
        signer_name = (args.signer_name or "").strip() or exchange.identity_name(store)
        if not signer_name:
            raise UserError("say who is exporting: add --as NAME",
                            hint="Or set it once with: sendobserve identity --set-name NAME")
        summary = exchange.export_file(store, mediator.id, output, passphrase=passphrase,
                                       exported_by=signer_name, recipients=recipients,
                                       scope=scope, observer_id=observer_id,
                                       replace=args.force, since_last_to=since,
                                       sent_to=(args.sent_to or "").strip() or None)
    from sendobserve.exchange.export import payload_counts

    if since:
        print(f"Only what changed since the last export to {since}.")
    print(f"Exported {summary.observations} finalised observation(s) of "
          f"{mediator.name} to {output} ({summary.size:,} bytes).")
    others = {k: n for k, n in payload_counts(summary.payload).items()
              if n and k not in ("observations", "author signatures")}
    if others:
        print("With: " + ", ".join(f"{n} {k}" for k, n in others.items()) + ".")
    print(f"Signed by {signer_name}, fingerprint {summary.fingerprint}.")
    print("Tell the recipient the file passphrase by another way than the file itself.")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from sendobserve.exchange.bundle import OpenedBundle, read_bundle_file
    from sendobserve.exchange.errors import ExchangeError, ExchangeProblem
    from sendobserve.services import exchange

    data = read_bundle_file(args.file)
    passphrase = given_bundle_passphrase(args)
    opened: OpenedBundle | None = None
    if passphrase is not None:
        # The whole file is checked before the store is unlocked: a bad file touches nothing.
        opened = exchange.open_with_passphrase(data, passphrase)
    with open_store_from_args(args) as store:
        if opened is None:
            try:
                opened = exchange.open_with_exchange_key(store, data)
            except ExchangeError as exc:
                if exc.problem is not ExchangeProblem.WRONG_KEY:
                    raise
                opened = exchange.open_with_passphrase(
                    data, bundle_passphrase(args, confirm=False))
        pending = exchange.preview_import(store, opened)
        preview = pending.preview
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
        done = exchange.apply_pending(store, pending)
        result = done.result
        for erased in done.erased:
            print(f"Erased mediator {erased.mediator_id} as the file's erasure record asks:")
            for line in erased.summary_lines():
                print(f"  {line}")
    print(f"Imported: {result.added} new, {result.updated} updated, {result.conflicts} in "
          f"conflict (both versions kept), {result.unchanged} already here.")
    return 0


def _resolve_certificate(args: argparse.Namespace, text: str) -> int:
    from sendobserve.exchange.decide import parse_certificate_record
    from sendobserve.services import exchange

    mediator_id, form_number = parse_certificate_record(text)
    if not args.keep or not args.by or not args.reason:
        raise UserError("resolve needs --record certificate:TRAINEE_ID/FORM, --keep "
                        "current|SERIAL, --by and --reason",
                        hint="'sendobserve conflicts' lists them.")
    with open_store_from_args(args) as store:
        decision = exchange.decide_certificate_conflict(
            store, mediator_id, form_number, keep=args.keep, decided_by=args.by,
            reason=args.reason).value
    serial = (decision.version or {}).get("serial", "?")
    print(f"Decided: Form {form_number} {serial} stands for that trainee "
          f"({decision.decided_by}, {decision.role.value.replace('_', ' ')}); the other "
          "certificate stays, superseded. The decision is signed by this installation and "
          "travels in its next whole-record file.")
    return 0


def cmd_conflicts(args: argparse.Namespace) -> int:
    import json

    from sendobserve.cli._common import parse_uuid
    from sendobserve.services import exchange

    if args.action == "resolve":
        kind, _, rid = (args.record or "").partition(":")
        if kind.strip() == "certificate":
            return _resolve_certificate(args, rid)
        record_id = parse_uuid(rid.strip())
        if record_id is None or not kind or not args.keep or not args.by or not args.reason:
            raise UserError("resolve needs --record KIND:ID, --keep, --by and --reason",
                            hint="'sendobserve conflicts' lists them with their ids.")
        merged = None
        if args.keep == "merged":
            if not args.merged:
                raise UserError("--keep merged needs --merged FILE.json")
            try:
                merged = json.loads(Path(args.merged).read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise UserError(f"--merged {args.merged}: cannot read it as JSON ({exc})"
                                ) from None
            if not isinstance(merged, dict):
                raise UserError(f"--merged {args.merged}: expected a JSON object")
        with open_store_from_args(args) as store:
            decision = exchange.decide_conflict(store, kind, record_id, keep=args.keep,
                                                decided_by=args.by, reason=args.reason,
                                                merged=merged).value
        kept = "stays deleted" if decision.chosen == "deleted" else \
            f"keeps version {decision.chosen[:12]}"
        print(f"Decided: {decision.kind} {record_id.hex} {kept} ({decision.decided_by}, "
              f"{decision.role.value.replace('_', ' ')}). The decision is signed by this "
              "installation and travels in its next whole-record file.")
        return 0
    with open_store_from_args(args) as store:
        conflicts, records = exchange.conflicts(store)
        deleted, certificates = exchange.control_conflicts(store)
    if not (conflicts or records or deleted or certificates):
        print("No conflicting versions: every record has one version here.")
        return 0
    for conflict in conflicts:
        for line in conflict.lines():
            print(line)
        print(f"  (decide with: sendobserve conflicts resolve --record "
              f"observation:{conflict.observation_id.hex} --keep current|DIGEST --by NAME "
              "--reason TEXT)")
    for lines in (*(d.lines() for d in deleted), *(c.lines() for c in certificates)):
        for line in lines:
            print(line)
    for record in records:
        for line in record.lines():
            print(line)
        print(f"  Current version as JSON (to edit into --merged): "
              f"{json.dumps(record.current, ensure_ascii=False, sort_keys=True)}")
        print(f"  (decide with: sendobserve conflicts resolve --record "
              f"{record.kind}:{record.record_id.hex} --keep current|DIGEST|merged --by NAME "
              "--reason TEXT)")
    return 0


def cmd_export_csv(args: argparse.Namespace) -> int:
    from sendobserve.services import exchange
    from sendobserve.services.files import write_file

    output = Path(args.output)
    if output.exists() and not args.force:
        raise UserError(f"{output} already exists; nothing was written",
                        hint="Choose another name, or add --force to replace it.")
    with open_store_from_args(args) as store:
        mediator_id = exchange.mediator_of(store, args.mediator).id if args.mediator else None
        text = exchange.practice_csv(store, args.what, mediator_id=mediator_id,
                                     include_notes=args.include_notes)
    write_file(output, text.encode("utf-8"), replace=args.force)
    rows = sum(1 for _ in csv.reader(io.StringIO(text))) - 1  # notes may span lines
    print(f"Wrote {rows} row(s) to {output}.")
    return 0
