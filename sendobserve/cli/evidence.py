"""Evidence files: attach a training certificate, a course outline or a CPD certificate to
a training, CPD or case entry; list, save a copy, remove."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from sendobserve.cli._common import open_store_from_args, print_json
from sendobserve.model.evidence import (
    KIND_PHRASES,
    KIND_WORDS,
    MAX_FILE_BYTES,
    MAX_FILES_BYTES,
    MEDIA_WORDS,
    EvidenceKind,
    size_text,
)


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "evidence",
        help="attach certificates and course outlines to training, CPD and case entries",
        description="Evidence files (§1.1: a mediator should be able to evidence that a "
        "course met the criteria): a PDF, PNG or JPEG, checked by its content (not its "
        f"name), at most {size_text(MAX_FILE_BYTES)} a file and {size_text(MAX_FILES_BYTES)} "
        "for one mediator. Images are re-encoded without their hidden details (where a "
        "photo was taken). Files are kept inside the encrypted store, listed in the "
        "portfolio and the subject-access report, and travel with the whole record in "
        "exchange files.",
    )
    sub = p.add_subparsers(dest="evidence_command", metavar="ACTION", required=True)

    q = sub.add_parser("list", help="a mediator's entries and the files attached to each",
                       description="List the mediator's training, CPD and case entries, each "
                       "with its id and the evidence files attached (id, kind, name, type, "
                       "size, SHA-256).")
    q.add_argument("mediator", metavar="NAME_OR_ID")
    q.add_argument("--json", action="store_true", help="print JSON instead of text")
    q.set_defaults(func=cmd_list)

    kinds = ", ".join(k.value for k in EvidenceKind)
    q = sub.add_parser("add", help="attach a file to a training, CPD or case entry",
                       description="Attach FILE to the entry whose id starts with ENTRY (see "
                       "`sendobserve evidence list NAME`). Nothing is written if the file is "
                       "too big, not a PDF, PNG or JPEG, damaged, or already attached.")
    q.add_argument("mediator", metavar="NAME_OR_ID")
    q.add_argument("entry", metavar="ENTRY", help="the start of the entry's id")
    q.add_argument("file", metavar="FILE")
    q.add_argument("--kind", choices=[k.value for k in EvidenceKind], metavar="KIND",
                   help=f"what the document is: {kinds} (default: the first that fits the "
                   "entry: a training certificate, a CPD certificate, or other for a case)")
    q.add_argument("--by", metavar="NAME",
                   help="who attaches it (default: the mediator)")
    q.add_argument("--name", metavar="NAME", help="the name to show (default: the file's)")
    q.set_defaults(func=cmd_add)

    q = sub.add_parser("export", help="save a copy of an evidence file",
                       description="Write the evidence file whose id starts with ID to PATH "
                       "(a folder: under its own name there).")
    q.add_argument("evidence", metavar="ID")
    q.add_argument("--to", metavar="PATH", required=True)
    q.add_argument("--overwrite", action="store_true", help="replace an existing file")
    q.set_defaults(func=cmd_export)

    q = sub.add_parser("remove", help="remove an evidence file from the store",
                       description="Remove the evidence file whose id starts with ID. If "
                       "it (or its entry) has travelled, the removal is signed by this "
                       "installation and travels with the record (whole-record and "
                       "since-last files, the hub), so other laptops remove it too and a file "
                       "still carrying it does not bring it back.")
    q.add_argument("evidence", metavar="ID")
    q.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    q.set_defaults(func=cmd_remove)


def _mediator(store: Any, text: str) -> Any:
    from sendobserve.services.people import resolve_mediator

    return resolve_mediator(store, text)


def cmd_list(args: argparse.Namespace) -> int:
    from sendobserve.services import evidence

    with open_store_from_args(args) as store:
        mediator = _mediator(store, args.mediator)
        found = evidence.entries(store, mediator.id)
    if args.json:
        print_json([{
            "entry": e.kind.value, "id": e.id.hex, "label": e.label,
            "files": [{"id": f.id.hex, "kind": f.kind.value, "name": f.name,
                       "media_type": f.media_type, "size": f.size, "sha256": f.sha256,
                       "added_at": f.added_at.isoformat(), "added_by": f.added_by}
                      for f in e.files]} for e in found])
        return 0
    if not found:
        print(f"{mediator.name} has no training, CPD or case entries to attach evidence to.")
        return 0
    print(f"Evidence of {mediator.name} (ENTRY and ID: give the first 8 characters)")
    for e in found:
        print(f"{e.id.hex[:8]}  {e.label}")
        for f in e.files:
            print(f"    {f.id.hex[:8]}  {KIND_WORDS[f.kind]}: {f.name} "
                  f"({MEDIA_WORDS[f.media_type]}, {f.size_text}) SHA-256 {f.sha256}")
    return 0


def cmd_add(args: argparse.Namespace) -> int:
    from sendobserve.model.evidence import KINDS_FOR
    from sendobserve.services import evidence

    with open_store_from_args(args) as store:
        mediator = _mediator(store, args.mediator)
        entry = evidence.find_entry(store, mediator.id, args.entry)
        kind = EvidenceKind(args.kind) if args.kind else KINDS_FOR[entry.kind][0]
        file, _changes = evidence.attach_path(store, entry.kind, entry.id, args.file,
                                              kind=kind, added_by=args.by or mediator.name,
                                              name=args.name)
    print(f"Attached {file.name} ({MEDIA_WORDS[file.media_type]}, {file.size_text}) as "
          f"{KIND_PHRASES[file.kind]} to {entry.label}; id {file.id.hex[:8]}.")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from sendobserve.services import evidence

    with open_store_from_args(args) as store:
        file = evidence.find(store, args.evidence)
        path = evidence.save_copy(store, file.id, args.to, overwrite=args.overwrite)
    print(f"Saved {file.name} to {path}.")
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    from sendobserve.errors import UserError
    from sendobserve.services import evidence

    with open_store_from_args(args) as store:
        file = evidence.find(store, args.evidence)
        if not args.yes:
            if not sys.stdin.isatty():
                raise UserError("Give --yes to remove an evidence file without a terminal; "
                                "nothing was removed.")
            answer = input(f"Remove {file.name} ({KIND_PHRASES[file.kind]})? [y/N] ")
            if answer.strip().lower() not in ("y", "yes"):
                print("Nothing was removed.")
                return 1
        evidence.remove(store, file.id)
    print(f"Removed {file.name}.")
    return 0
