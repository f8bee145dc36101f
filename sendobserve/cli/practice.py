"""Practice-period commands: demo, mediators, readiness, renewal."""

from __future__ import annotations

import argparse
from datetime import date
from typing import Any

from sendobserve.cli._common import add_as_of, open_store_from_args, print_json, today


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "demo",
        help="fill the store with a fictional practice period (safe to run twice)",
        description="Add four fictional mediators with their observers, cases, observations, "
        "training, reflection, CPD and mentoring: one ready for Form 4, one with gaps, one "
        "passported and one due for re-registration. Every record has a fixed id, so "
        "running it again adds nothing. --remove takes the demo out again.",
    )
    p.add_argument("--remove", action="store_true",
                   help="remove the demo mediators and everything the demo recorded for them "
                   "(refused, changing nothing, if records were added to them since)")
    p.set_defaults(func=cmd_demo)

    p = subparsers.add_parser(
        "mediators",
        help="list the mediators in the store",
        description="List every mediator with whether they are ready for Form 4 today.",
    )
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.set_defaults(func=cmd_mediators)

    p = subparsers.add_parser(
        "readiness",
        help="what a trainee has demonstrated and what is still needed for Form 4",
        description="Assess one mediator against the accreditation requirements of the "
        "Standards (training, casework, reflection, cases, de-briefs, every criterion of "
        "Forms 1–3, an eligible signer). NAME_OR_ID is a name (or its unique start) or an id.",
    )
    _report_options(p)
    p.set_defaults(func=cmd_readiness)

    p = subparsers.add_parser(
        "renewal",
        help="annual re-registration check (and Form 5 facts for a passported mediator)",
        description="Check the last 12 months: at least 20 hours of CPD, at least three "
        "cases, mentoring or supervision accessed. For a passported mediator, also the facts "
        "Form 5 certifies.",
    )
    _report_options(p)
    p.set_defaults(func=cmd_renewal)


def _report_options(p: argparse.ArgumentParser) -> None:
    """One mediator's assessment: whom, as text or JSON, as on when."""
    p.add_argument("mediator", metavar="NAME_OR_ID")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    add_as_of(p, "assess as on this date")


def cmd_demo(args: argparse.Namespace) -> int:
    from sendobserve.services.screens_writes import add_demo_data, remove_demo_data

    if args.remove:
        change, done = remove_demo_data, "Removed"
        none = "There are no demo records in the store; nothing was removed."
    else:
        change, done = add_demo_data, "Added"
        none = "The demo records are already in the store; nothing was added."
    with open_store_from_args(args) as store:
        counts = change(store, today=date.today()).value
    if not counts:
        print(none)
        return 0
    print(f"{done} the demo practice period:")
    for table, count in sorted(counts.items()):
        print(f"  {count:5d}  {table}")
    return 0


def cmd_mediators(args: argparse.Namespace) -> int:
    from sendobserve.services.readiness import mediator_overview

    with open_store_from_args(args) as store:
        overview = mediator_overview(store, today=today(args))
    rows: list[dict[str, Any]] = [
        {
            "id": str(o.mediator.id),
            "name": o.mediator.name,
            "ready_for_form4": o.ready_for_form4,
            "passported": o.mediator.passported,
        }
        for o in overview
    ]
    if args.json:
        print_json(rows)
        return 0
    if not rows:
        print("No mediators yet. Add one in the app, or run 'sendobserve demo'.")
        return 0
    width = max(len(r["name"]) for r in rows)
    print(f"{'NAME'.ljust(width)}  FORM 4 READY  PASSPORTED  ID")
    for r in rows:
        print(
            f"{r['name'].ljust(width)}  {'yes' if r['ready_for_form4'] else 'no':12}  "
            f"{'yes' if r['passported'] else 'no':10}  {r['id']}"
        )
    return 0


def _load_one(args: argparse.Namespace) -> Any:
    """The named trainee's record and its three assessments (``services.readiness``)."""
    from sendobserve.services.people import resolve_mediator
    from sendobserve.services.readiness import load_readiness

    with open_store_from_args(args) as store:
        mediator = resolve_mediator(store, args.mediator)
        return load_readiness(store, mediator.id, today=today(args))


def cmd_readiness(args: argparse.Namespace) -> int:
    from sendobserve.model.readiness import render_readiness_text

    report = _load_one(args).readiness
    if args.json:
        print_json(report.to_json())
    else:
        print(render_readiness_text(report))
    return 0


def cmd_renewal(args: argparse.Namespace) -> int:
    from sendobserve.model.renewal import render_passport_text, render_renewal_text

    data = _load_one(args)
    renewal = data.renewal
    passport = data.passport if data.record.mediator.passported else None
    if args.json:
        out = renewal.to_json()
        if passport is not None:
            out["passport"] = passport.to_json()
        print_json(out)
    else:
        print(render_renewal_text(renewal))
        if passport is not None:
            print()
            print(render_passport_text(passport))
    return 0
