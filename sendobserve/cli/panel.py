"""Panel commands: the whole panel at a glance, and the check of its stored verdicts."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from sendobserve.cli._common import add_as_of, open_store_from_args, print_json, today

PANEL_COLUMNS = (
    "name", "status", "needed", "last_observation", "ppc", "mentor", "re_registration_due",
    "due_in_days", "cases", "id",
)


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "panel",
        help="every mediator's stage: in training, ready, accredited, due, lapsed",
        description="One line per mediator: in training (and what is still needed), ready "
        "for Form 4 (Form 5 if passported), accredited, passported, re-registration due in N "
        "days, or lapsed; the last observation, PPC and mentor. Verdicts are kept in the "
        "store and assessed again only for mediators whose evidence changed.",
    )
    out = p.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print JSON instead of a table")
    out.add_argument("--csv", action="store_true", help="print CSV instead of a table")
    p.add_argument("--status", metavar="STATUS", action="append",
                   help="only this stage (repeatable), e.g. 'in training' or 'lapsed'")
    add_as_of(p)
    p.set_defaults(func=cmd_panel)

    p = subparsers.add_parser(
        "check",
        help="assess every mediator again and compare with the stored panel verdicts",
        description="The consistency check of the panel: every mediator is assessed from "
        "the evidence by the rules engine and compared with the stored verdict the panel "
        "would show. Writes nothing. Exit status 0 when every stored verdict agrees, 1 if "
        "any differs (the panel is then wrong: report it; 'sendobserve panel' assesses the "
        "listed mediators again after their next change).",
    )
    add_as_of(p)
    p.set_defaults(func=cmd_check)

    p = subparsers.add_parser(
        "spot-check",
        help="draw panel members at random and write a signed evidence pack for each",
        description="The spot check of §1.4.2 ii: draw SIZE of the panel's accredited or "
        "passported mediators at random (reproducibly: the seed is printed, written into "
        "the manifest and logged in the store; give --seed to repeat a draw), and write "
        "into an empty folder one signed PDF per member (the re-registration check of the "
        "last 12 months with its CPD log, cases, mentoring and supervision, and their "
        "certificates), manifest.json, and manifest.pdf: signed, listing every file's "
        "SHA-256. Check any of the PDFs with 'sendobserve verify'.",
    )
    p.add_argument("--size", type=int, required=True, metavar="N", help="members to draw")
    p.add_argument("--seed", type=int, metavar="N",
                   help="repeat a draw with this seed (default: a new random seed)")
    _pack_options(p, "who signs the packs (the provider's admin or lead PPC)", "the packs")
    p.set_defaults(func=cmd_spot_check)

    p = subparsers.add_parser(
        "register-pack",
        help="the panel's yearly register submission: summaries, manifest, declaration",
        description="Write into an empty folder, for every accredited or passported mediator, "
        "a signed one-page summary (a Form 4 or Form 5 accreditation of the last 12 months as "
        "assessed on its day, with hours, cases, discretions, form versions and the "
        "certificate's signer; otherwise this year's re-registration check), their Form 4 or "
        "Form 5 issued from this store re-printed (same serial, verification code and "
        "signer; the re-print is logged), manifest.json, a signed manifest.pdf listing every "
        "file's SHA-256, and a signed panel declaration (§1.4.2 ii, §1.6 A). Check the PDFs "
        "with 'sendobserve verify'.",
    )
    _pack_options(p, "who signs the pack and the declaration", "the pack")
    p.set_defaults(func=cmd_register_pack)


def _pack_options(p: argparse.ArgumentParser, signer: str, written: str) -> None:
    """What a signed pack written into a folder needs: who signs it, where, as on when."""
    p.add_argument("--signer", required=True, metavar="NAME", help=signer)
    p.add_argument("-o", "--output", required=True, metavar="DIR",
                   help=f"an empty or new folder for {written}")
    add_as_of(p)


def cmd_panel(args: argparse.Namespace) -> int:
    from sendobserve.errors import UserError
    from sendobserve.model.panel import PanelStatus, panel_row
    from sendobserve.services.panel import verdicts

    day = today(args)
    wanted: set[PanelStatus] = set()
    for text in args.status or ():
        try:
            wanted.add(PanelStatus(text.strip().lower().replace("form 4", "Form 4")))
        except ValueError:
            names = ", ".join(f"'{s.value}'" for s in PanelStatus)
            raise UserError(f"unknown status '{text}': use one of {names}") from None
    with open_store_from_args(args) as store:
        found = verdicts(store, today=day)
    rows = [panel_row(v, day) for v in found]
    if wanted:
        rows = [r for r in rows if r.status in wanted]
    data = [r.to_json() for r in rows]
    if args.json:
        print_json({"as_of": day.isoformat(), "mediators": data})
        return 0
    if args.csv:
        from sendobserve.exchange.csv_export import write_csv

        table = [[d["status_text"] if c == "status" else d[c] for c in PANEL_COLUMNS]
                 for d in data]
        sys.stdout.write(write_csv(PANEL_COLUMNS, table))
        return 0
    if not rows:
        print("No mediators yet." if not wanted else "No mediator is at that stage.")
        return 0
    name_w = max(4, *(len(d["name"]) for d in data))
    status_w = max(6, *(len(d["status_text"]) for d in data))
    print(f"{'NAME'.ljust(name_w)}  {'STATUS'.ljust(status_w)}  LAST SEEN   PPC / MENTOR"
          "  ·  STILL NEEDED")
    for d in data:
        who = " / ".join(x for x in (d["ppc"], d["mentor"]) if x) or "—"
        line = (f"{d['name'].ljust(name_w)}  {d['status_text'].ljust(status_w)}  "
                f"{d['last_observation'] or '—':10}  {who}")
        print(line + (f"  ·  {d['needed']}" if d["needed"] else ""))
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from sendobserve.services.panel import check

    day = today(args)
    with open_store_from_args(args) as store:
        result = check(store, today=day)
    print(f"{result.mediators} mediators: {result.current} stored verdicts current, "
          f"{result.to_assess} to be assessed when next read.")
    if result.ok:
        print("Every current stored verdict agrees with a full assessment of the evidence.")
        return 0
    print(f"{len(result.mismatches)} stored verdicts DIFFER from a full assessment:")
    for mid, name, fields in result.mismatches:
        print(f"  {name} ({mid}): {', '.join(fields)}")
    return 1


def cmd_spot_check(args: argparse.Namespace) -> int:
    from pathlib import Path

    from sendobserve.services.packs import run_spot_check

    with open_store_from_args(args) as store:
        result = run_spot_check(store, size=args.size, out_dir=Path(args.output),
                                signer=args.signer, seed=args.seed, today=today(args))
    print(f"{result.summary()} (repeat with --seed {result.seed}).")
    for name, met in result.met.items():
        print(f"  {name}: {'meets' if met else 'does NOT meet'} re-registration")
    print(f"Packs, manifest.json and the signed manifest.pdf in {result.manifest.parent}")
    return 0


def cmd_register_pack(args: argparse.Namespace) -> int:
    from pathlib import Path

    from sendobserve.services.packs import build_register_pack

    with open_store_from_args(args) as store:
        pack = build_register_pack(store, out_dir=Path(args.output), signer=args.signer,
                                   today=today(args))
    print(f"{pack.summary()}; summaries, declaration.pdf, manifest.json and the signed "
          f"manifest.pdf in {pack.manifest.parent}")
    for line in pack.not_reprinted:
        print(f"  not re-printed: {line}")
    return 0
