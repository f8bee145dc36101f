"""A trainee's cases: list, add, edit (reference, date, kind, role, hours, local authority).

The same use cases as the record editor's Cases tab (``services.records``): the
repository validates and commits, a refused case stores nothing.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from datetime import date
from typing import Any

from sendobserve.cli._common import open_store_from_args
from sendobserve.model.domain import CaseKind, TraineeRole

KINDS = [k.value for k in CaseKind]
ROLES = [r.value for r in TraineeRole]
AUTHORITY_HELP = ("the local authority area the case arose in, e.g. Leeds (optional; at most "
                  "100 characters)")


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "cases",
        help="list, add or edit a trainee's cases (reference, role, hours, local authority)",
        description="A trainee's cases, as the Cases tab of the app's record editor keeps "
        "them. A case carries a reference, never a child's or a family's name.",
    )
    sub = p.add_subparsers(dest="cases_command", metavar="ACTION", required=True)

    q = sub.add_parser("list", help="the trainee's cases, oldest first",
                       description="List the cases of the mediator NAME_OR_ID: id (give the "
                       "first 8 characters to edit one), date, reference, kind, the "
                       "trainee's role, casework hours and local authority.")
    q.add_argument("mediator", metavar="NAME_OR_ID")
    q.add_argument("--json", action="store_true", help="print JSON instead of text")
    q.set_defaults(func=cmd_list)

    q = sub.add_parser("add", help="add a case",
                       description="Add a case for the mediator NAME_OR_ID. Nothing is "
                       "stored if any value is refused (a future date, hours out of range, "
                       "a blank reference, text too long).")
    q.add_argument("mediator", metavar="NAME_OR_ID")
    _case_options(q, adding=True)
    q.set_defaults(func=cmd_add)

    q = sub.add_parser("edit", help="change a case's details",
                       description="Change the case whose id starts with CASE (see "
                       "`sendobserve cases list NAME`); what is not given stays as it is. "
                       "--local-authority '' clears the local authority.")
    q.add_argument("mediator", metavar="NAME_OR_ID")
    q.add_argument("case", metavar="CASE", help="the start of the case's id")
    _case_options(q, adding=False)
    q.set_defaults(func=cmd_edit)


def _case_options(q: argparse.ArgumentParser, *, adding: bool) -> None:
    """A case's details: all but kind and local authority needed to add one; any of them
    to change one (what is not given stays)."""
    q.add_argument("--reference", required=adding, metavar="REF",
                   help="the service's case reference (never a child's name)")
    q.add_argument("--date", required=adding, metavar="YYYY-MM-DD", type=date.fromisoformat,
                   help="the case's date")
    q.add_argument("--kind", choices=KINDS,
                   default=CaseKind.MEDIATION.value if adding else None,
                   help="the kind of case" + (" (default: mediation)" if adding else ""))
    q.add_argument("--role", choices=ROLES, required=adding,
                   help="the trainee's part in the case")
    q.add_argument("--hours", required=adding, metavar="H", help="casework hours, e.g. 4.5")
    q.add_argument("--local-authority", metavar="AREA", help=AUTHORITY_HELP)


def _hours(text: str) -> Any:
    from sendobserve.model.validation import MAX_CASE_HOURS, validate_hours

    return validate_hours(text.strip().replace(",", "."), label="Casework hours",
                          maximum=MAX_CASE_HOURS, field="casework_hours")


def _line(case: Any) -> str:
    from sendobserve.model.vocabulary import CASE_KIND_LABELS, TRAINEE_ROLE_LABELS, fmt_hours

    return (f"{case.id.hex[:8]}  {case.case_date.isoformat()}  {case.reference}  "
            f"{CASE_KIND_LABELS[case.kind].lower()}  "
            f"{TRAINEE_ROLE_LABELS[case.trainee_role].lower()}  "
            f"{fmt_hours(case.casework_hours)} h  "
            f"local authority: {case.local_authority or '—'}")


def cmd_list(args: argparse.Namespace) -> int:
    from sendobserve.model.domain import Case
    from sendobserve.services import records
    from sendobserve.services.people import resolve_mediator

    with open_store_from_args(args) as store:
        mediator = resolve_mediator(store, args.mediator)
        cases = sorted(records.items(store, Case, mediator.id),
                       key=lambda c: (c.case_date, c.reference))
    if args.json:
        json.dump([{"id": c.id.hex, "reference": c.reference,
                    "case_date": c.case_date.isoformat(), "kind": c.kind.value,
                    "trainee_role": c.trainee_role.value,
                    "casework_hours": str(c.casework_hours),
                    "local_authority": c.local_authority} for c in cases],
                  sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
        return 0
    if not cases:
        print(f"{mediator.name} has no cases.")
        return 0
    print(f"Cases of {mediator.name} (CASE: give the first 8 characters of the id)")
    for c in cases:
        print(_line(c))
    return 0


def cmd_add(args: argparse.Namespace) -> int:
    from sendobserve.model.domain import Case, new_id
    from sendobserve.services import records
    from sendobserve.services.people import resolve_mediator

    hours = _hours(args.hours)
    with open_store_from_args(args) as store:
        mediator = resolve_mediator(store, args.mediator)
        case = Case(new_id(), mediator.id, args.reference, args.date, CaseKind(args.kind),
                    TraineeRole(args.role), hours, local_authority=args.local_authority)
        saved = records.save_item(store, case, new=True).value
    print(f"Added case {saved.reference} for {mediator.name}; id {saved.id.hex[:8]}.")
    print(_line(saved))
    return 0


def cmd_edit(args: argparse.Namespace) -> int:
    from sendobserve.errors import UserError
    from sendobserve.model.domain import Case
    from sendobserve.services import records
    from sendobserve.services.people import resolve_mediator

    hours = _hours(args.hours) if args.hours is not None else None
    with open_store_from_args(args) as store:
        mediator = resolve_mediator(store, args.mediator)
        wanted = args.case.strip().lower()
        found = [c for c in records.items(store, Case, mediator.id)
                 if wanted and c.id.hex.startswith(wanted)]
        if not found:
            raise UserError(f"{mediator.name} has no case whose id starts with {args.case!r}",
                            hint=f"See `sendobserve cases list {args.mediator}`.")
        if len(found) > 1:
            raise UserError(f"More than one case of {mediator.name} has an id starting with "
                            f"{args.case!r}", hint="Give more characters of the id.")
        changes: dict[str, Any] = {}
        for name, value in (("reference", args.reference), ("case_date", args.date),
                            ("casework_hours", hours),
                            ("kind", args.kind and CaseKind(args.kind)),
                            ("trainee_role", args.role and TraineeRole(args.role)),
                            ("local_authority", args.local_authority)):
            if value is not None:
                changes[name] = value
        if not changes:
            raise UserError("Nothing to change", hint="Give at least one of --reference, "
                            "--date, --kind, --role, --hours, --local-authority.")
        saved = records.save_item(store, replace(found[0], **changes), new=False).value
    print(f"Changed case {saved.reference} of {mediator.name}.")
    print(_line(saved))
    return 0
