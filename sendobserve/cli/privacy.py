"""Data-protection commands: subject access and erasure for one mediator."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import Any

from sendobserve.cli._common import add_as_of, open_store_from_args, today
from sendobserve.cli._sealed import (
    add_sealing_options,
    new_file_passphrase,
    recipient_keys,
    sealed_output,
)
from sendobserve.model.vocabulary import day_text


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "subject-access",
        help="everything the store holds about one person, as JSON and a readable PDF",
        description="Answer a subject-access request (UK GDPR Art. 15): every record the "
        "store holds about the person NAME — as a mediator, and as an observer, mentor or "
        "signer under exactly that name — table by table with every field, and the "
        "installations whose files were imported. Writes JSON and/or PDF.",
    )
    p.add_argument("mediator", metavar="NAME_OR_ID")
    p.add_argument("--json", metavar="FILE", help="write the machine-readable copy here")
    p.add_argument("--pdf", metavar="FILE", help="write the readable report here")
    p.set_defaults(func=cmd_subject_access)

    p = subparsers.add_parser(
        "erase",
        help="erase one mediator from the store and every backup; send the signed record",
        description="Answer an erasure request (UK GDPR Art. 17): delete every record about "
        "the mediator NAME_OR_ID from the live store (freed pages overwritten, the log "
        "checkpointed and truncated) and rewrite every backup the same way; a backup that "
        "does not open with the store's key is removed. Certificates already issued are "
        "kept with the mediator's name as a register fact unless --certificates is given. "
        "The erasure is kept as a record signed by this installation (the mediator's id, "
        "never the name): every file this store exports carries it, 'sendobserve sync' "
        "sends it to the hub (which drops the files it holds about the mediator), and "
        "--record FILE.sendobs writes it alone to a file for other laptops. They apply it "
        "when this installation may erase there (see 'sendobserve identity "
        "--allow-erasure'). Without NAME_OR_ID, --record writes the erasure records this "
        "store holds.",
    )
    p.add_argument("mediator", metavar="NAME_OR_ID", nargs="?")
    p.add_argument("--certificates", action="store_true",
                   help="erase issued certificates too (only where the provider need not "
                   "keep them)")
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    p.add_argument("--record", metavar="FILE.sendobs",
                   help="also write the signed erasure record(s) to this exchange file")
    add_sealing_options(p, when="with --record: ")
    p.set_defaults(func=cmd_erase)

    p = subparsers.add_parser(
        "left-panel",
        help="record the day a mediator left the panel (a retention event), or clear it",
        description="Record the day the mediator NAME_OR_ID left the provider's panel. "
        "Retention periods set to count from left_panel (sendobserve retention --set "
        "KIND=YEARS@left_panel) start that day; nothing is due for a mediator still on the "
        "panel. The date stays in this store (it does not travel in exchange files).",
    )
    p.add_argument("mediator", metavar="NAME_OR_ID")
    when = p.add_mutually_exclusive_group(required=True)
    when.add_argument("--on", metavar="YYYY-MM-DD", type=date.fromisoformat,
                      help="the day they left")
    when.add_argument("--clear", action="store_true", help="they are on the panel again")
    p.set_defaults(func=cmd_left_panel)

    register_retention(subparsers)


def cmd_subject_access(args: argparse.Namespace) -> int:
    from sendobserve.errors import UserError
    from sendobserve.services.files import write_file
    from sendobserve.services.privacy import resolve_person, subject_access

    if not args.json and not args.pdf:
        raise UserError("Say where to write the answer: --json FILE, --pdf FILE, or both")
    with open_store_from_args(args) as store:
        answer = subject_access(store, resolve_person(store, args.mediator),
                                made_on=date.today())
    if args.json:
        write_file(args.json, answer.json_bytes())
    if args.pdf:
        write_file(args.pdf, answer.pdf_bytes())
    print(f"{answer.count} records about {answer.person.name} in {len(answer.records)} "
          "kinds written.")
    return 0


def cmd_erase(args: argparse.Namespace) -> int:
    from sendobserve.errors import UserError
    from sendobserve.services.files import write_file
    from sendobserve.services.people import resolve_mediator
    from sendobserve.services.privacy import (
        erase_mediator,
        erasure_records_file,
        finish_erasures,
    )

    if args.mediator is None and not args.record:
        raise UserError("Name the mediator to erase, or give --record FILE.sendobs to write "
                        "the erasure records this store holds")
    target = _record_target(args) if args.record else None
    with open_store_from_args(args) as store:
        for done in finish_erasures(store).value:  # one a crash or an import left to finish
            print(f"Finished an earlier erasure of mediator {done.mediator_id}.")
        if args.mediator is not None:
            mediator = resolve_mediator(store, args.mediator)
            if not args.yes:
                if not sys.stdin.isatty():
                    raise UserError("Erasure cannot be undone: add --yes to confirm it")
                answer = input(f"Erase every record about {mediator.name}, here and in every "
                               "backup? This cannot be undone. Type the name to confirm: ")
                if answer.strip().casefold() != mediator.name.casefold():
                    print("Nothing was erased.")
                    return 1
            result = erase_mediator(store, mediator.id,
                                    keep_certificates=not args.certificates).value
            for line in result.summary_lines():
                print(line)
        if target is not None:
            output, passphrase, recipients = target
            data, count = erasure_records_file(store, signer_name=args.signer_name,
                                               passphrase=passphrase, recipients=recipients)
            write_file(output, data, replace=args.force)
            print(f"Wrote {count} erasure record(s) to {output}: importing it on another "
                  "laptop erases there too, if this installation may erase there.")
    return 0


def _record_target(args: argparse.Namespace) -> tuple[Path, str, tuple[bytes, ...]]:
    """Everything about the --record file checked before anything is erased."""
    output = sealed_output(args.record, args, which="the record file",
                           unchanged="nothing was erased or written")
    recipients = recipient_keys(args)
    return output, new_file_passphrase(args), recipients


def cmd_left_panel(args: argparse.Namespace) -> int:
    from sendobserve.services.people import resolve_mediator
    from sendobserve.services.privacy import set_left_panel

    with open_store_from_args(args) as store:
        mediator = resolve_mediator(store, args.mediator)
        set_left_panel(store, mediator.id, None if args.clear else args.on)
    if args.clear:
        print(f"{mediator.name} is on the panel: no leaving date.")
    else:
        print(f"{mediator.name} left the panel on {day_text(args.on, long=True)}; retention "
              "periods counted from leaving the panel start that day.")
    return 0


def register_retention(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "retention",
        help="the retention schedule: what would go and why; apply it; set periods",
        description="Show the retention schedule (how long each kind of record is kept, "
        "counted from which event, and why) and what is due to go today. Nothing changes "
        "unless --apply is given; applying removes the due records in one transaction and "
        "logs what kinds and how many, never their content. Backups roll over within seven "
        "days. Set a period with --set KIND=YEARS[@EVENT] or KIND=keep; events: record, "
        "accreditation, last_activity, left_panel (the day recorded with 'sendobserve "
        "left-panel').",
    )
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--dry-run", action="store_true", help="show what would go (the default)")
    mode.add_argument("--apply", action="store_true", help="remove what is due now")
    p.add_argument("--set", metavar="KIND=YEARS[@EVENT]", action="append", default=[],
                   help="change one kind's period (repeatable); stored in the store")
    add_as_of(p, "plan as on this date")
    p.set_defaults(func=cmd_retention)


def cmd_retention(args: argparse.Namespace) -> int:
    from sendobserve.model.retention import parse_setting
    from sendobserve.services.privacy import (
        apply_retention,
        retention_plan,
        set_retention_periods,
    )

    changes = [parse_setting(text) for text in args.set]  # all checked before any change
    as_of = today(args)
    with open_store_from_args(args) as store:
        if changes:
            set_retention_periods(store, changes)
        plan = retention_plan(store, today=as_of)
        print(f"Retention as of {day_text(as_of, long=True)}:")
        for kind, rule in plan.schedule.items():
            print(f"  {kind.value}: {rule.describe()}. {rule.reason}")
        print()
        for line in plan.lines():
            print(f"  {line}")
        if args.apply and plan.items:
            done = apply_retention(store, plan).value
            print(f"Removed or cleared {sum(done.values())} records; logged without content.")
        elif plan.items:
            print("Nothing was changed. Run with --apply to remove what is due.")
    return 0
