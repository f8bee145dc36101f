"""``sendobserve rules``: the edition of the Standards in force, requirement by requirement.

Reads the shipped edition files only (no store), unless ``--mediator`` asks which edition
one mediator's practice period is judged under (and ``--set`` records another).
"""

from __future__ import annotations

import argparse
from datetime import date
from typing import Any

from sendobserve.cli._common import add_as_of, print_json, today
from sendobserve.errors import UserError


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "rules",
        help="the rules applied: the edition of the Standards in force, requirement by "
        "requirement",
        description="Print an edition of the Professional Standards for Mediators Working "
        "With SEND as this program applies it: each requirement with its paragraph, "
        "threshold and whether discretion is allowed (and who must agree), who may sign, and "
        "every decision this program takes where the Standards are silent. Without options: "
        "the edition in force today. Editions are files in sendobserve/resources/editions/.",
    )
    p.add_argument("--edition", metavar="ID", help="print this edition instead")
    add_as_of(p, "the edition in force on this date")
    p.add_argument("--list", action="store_true", help="list the editions known")
    p.add_argument("--mediator", metavar="NAME_OR_ID",
                   help="the edition this mediator's practice period is judged under (opens "
                   "the store)")
    p.add_argument("--set", metavar="ID", dest="set_edition",
                   help="with --mediator: record this edition for their practice period "
                   "('default' for the one in force when it began)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_rules)


def cmd_rules(args: argparse.Namespace) -> int:
    from sendobserve.model.rulebook import shipped_rulebook

    book = shipped_rulebook()
    day = today(args)
    if args.set_edition and not args.mediator:
        raise UserError("--set needs --mediator NAME", hint="sendobserve rules --mediator "
                        "NAME --set EDITION")
    if args.list:
        rows = [e.to_json() | {"in_force_today": e is book.in_force_on(day)} for e in book]
        if args.json:
            print_json(rows)
        else:
            for e, row in zip(book, rows, strict=True):
                mark = "*" if row["in_force_today"] else " "
                print(f"{mark} {e.id:<22} in force from {e.in_force_from.isoformat()}  "
                      f"{e.label}")
        return 0
    if args.mediator:
        return _for_mediator(args, day)
    edition = book.get(args.edition) if args.edition else book.in_force_on(day)
    if args.json:
        print_json(edition_json(edition))
    else:
        print(render_edition(edition), end="")
    return 0


def _for_mediator(args: argparse.Namespace, today: date) -> int:

    from sendobserve.cli._common import open_store_from_args
    from sendobserve.model.readiness import edition_for_period, practice_start
    from sendobserve.services.people import resolve_mediator
    from sendobserve.services.readiness import load_record
    from sendobserve.services.records import set_rules_edition

    with open_store_from_args(args) as store:
        mediator = resolve_mediator(store, args.mediator)
        if args.set_edition:
            wanted = None if args.set_edition == "default" else args.set_edition
            set_rules_edition(store, mediator.id, wanted)
        record = load_record(store, mediator.id)
    edition = edition_for_period(record, today)
    start = practice_start(record, edition, today)
    how = "recorded for their practice period" if record.mediator.rules_edition else (
        "in force when their practice period began" if start else
        "in force today (their practice period has not begun)")
    if args.json:
        print_json({"mediator": record.mediator.name, "edition": edition.to_json(),
                    "recorded": record.mediator.rules_edition is not None,
                    "practice_start": start.isoformat() if start else None})
    else:
        print(f"{record.mediator.name} is judged under {edition.id} ({edition.label}), {how}.")
    return 0


def edition_json(edition: Any) -> dict[str, Any]:
    from sendobserve.model.outcome import fmt_hours

    return {
        **edition.to_json(),
        "forms": dict(edition.forms),
        "requirements": [
            {
                "id": r.id,
                "applies_to": r.applies_to,
                "title": r.title,
                "paragraph": r.paragraph,
                "quote": r.quote,
                "threshold": fmt_hours(r.threshold) if r.threshold is not None else None,
                "discretion": (
                    {"place": r.discretion,
                     "paragraph": edition.discretion[r.discretion].paragraph,
                     "parties": list(edition.discretion[r.discretion].parties)}
                    if r.discretion else None
                ),
            }
            for r in edition.requirements.values()
        ],
        "discretion": [
            {"id": p.id, "paragraph": p.paragraph, "quote": p.quote, "parties": list(p.parties)}
            for p in edition.discretion.values()
        ],
        "signers": dict(edition.signers),
        "decisions": [d.to_json() for d in edition.decisions],
    }


_HEADINGS = {
    "accreditation": "Accreditation (Form 4)",
    "renewal": "Annual re-registration",
    "passport": "Passporting (Form 5)",
}


def render_edition(edition: Any) -> str:
    from sendobserve.model.outcome import fmt_hours

    lines = [
        f"{edition.label}",
        f"Edition {edition.id}, in force from {edition.in_force_from.isoformat()}; forms: "
        + ", ".join(f"{k} {v}" for k, v in edition.forms.items()),
    ]
    for applies, heading in _HEADINGS.items():
        lines += ["", heading]
        for r in edition.requirements.values():
            if r.applies_to != applies:
                continue
            figure = f"  [threshold {fmt_hours(r.threshold)}]" if r.threshold is not None else ""
            lines.append(f"  {r.paragraph:<16} {r.title}{figure}")
            place = edition.discretion_for(r.id)
            lines.append(
                f"{'':19}discretion: {place.paragraph}, agreed by {place.parties_text}"
                if place else f"{'':19}no discretion"
            )
    lines += ["", "Discretion is allowed only here"]
    for p in edition.discretion.values():
        lines.append(f"  {p.paragraph}: agreed by {p.parties_text}. “{p.quote}”")
    if edition.signers:
        lines += ["", "Who signs"]
        lines += [f"  {k}: {v}" for k, v in edition.signers.items()]
    lines += ["", "Decisions of this program where the Standards are silent"]
    for d in edition.decisions:
        lines.append(f"  {d.id} ({d.paragraph}): {d.decision}")
        lines.append(f"{'':4}Reason: {d.reason}")
    return "\n".join(lines) + "\n"
