"""``sendobserve forms list``, ``forms check FILE…`` and ``forms add FILE``.

``check`` reads a provider's form file and reports every problem as ``FILE:LINE:
message`` (the shape editors jump to), then whether the registry would accept it as
an adaptation of the standard form. It only reads: nothing is written anywhere.
``add`` makes the same checks against the forms the store already holds, then stores
the file's exact text in the store (and, with ``--default``, starts new observations
on it). Observations already made keep the version they were made on.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from sendobserve.cli._common import print_json
from sendobserve.errors import UserError
from sendobserve.forms.definition import FormDefinition
from sendobserve.forms.loader import FormFileError, load_form_file
from sendobserve.forms.registry import FormAdaptationError, FormRegistry, diff_forms


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "forms",
        help="list the form versions, or check a provider's form file",
        description="Forms 1–3 as data: list the known versions, or check a provider's file.",
    )
    sub = parser.add_subparsers(dest="forms_command", metavar="ACTION", required=True)

    list_parser = sub.add_parser("list", help="the known forms, versions and item counts")
    list_parser.add_argument("--json", action="store_true", help="print JSON")
    list_parser.set_defaults(func=list_forms)

    check_parser = sub.add_parser(
        "check",
        help="validate a provider's form file (exit status 1 on any problem)",
        description="Validate form files against the schema and the adaptation rules. "
        "Problems are printed as FILE:LINE: message. Nothing is written.",
    )
    check_parser.add_argument("files", nargs="+", metavar="FILE", help="a form file (YAML)")
    check_parser.set_defaults(func=check_forms)

    add_parser = sub.add_parser(
        "add",
        help="store a provider's adapted form in the store (checked first)",
        description="Check FILE as 'forms check' does, against the forms this store already "
        "holds, then keep its exact text in the store so observations made on it can always "
        "be reopened as they were. With --default, new observations of that form start on "
        "this version. A file that does not validate, or that drops a core criterion, is "
        "refused and nothing is stored.",
    )
    add_parser.add_argument("file", metavar="FILE", help="a form file (YAML)")
    add_parser.add_argument(
        "--default", action="store_true", help="start new observations of this form on it"
    )
    add_parser.set_defaults(func=add_form)


def _summary(registry: FormRegistry, form: FormDefinition) -> dict[str, Any]:
    return {
        "form_id": form.form_id,
        "version": form.version,
        "title": form.title,
        "provider": form.provider,
        "based_on": form.based_on,
        "criteria": sum(1 for _ in form.criteria()),
        "tick_items": sum(1 for _ in form.tick_items()),
        "core": sum(1 for c in form.criteria() if c.core),
        "default": registry.default_version(form.form_id) == form.version,
    }


def list_forms(args: argparse.Namespace) -> int:
    registry = FormRegistry.standard()
    rows = [_summary(registry, form) for form in registry]
    if args.json:
        print_json(rows)
        return 0
    headings = ("FORM", "VERSION", "TITLE", "PROVIDER", "CRITERIA", "TICK ITEMS", "CORE", "")
    table = [headings] + [
        (
            r["form_id"],
            r["version"],
            r["title"],
            r["provider"] or "Standards",
            str(r["criteria"]),
            str(r["tick_items"]),
            str(r["core"]),
            "default" if r["default"] else "",
        )
        for r in rows
    ]
    widths = [max(len(row[i]) for row in table) for i in range(len(headings))]
    for row in table:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    return 0


def check_forms(args: argparse.Namespace) -> int:
    failed = 0
    for name in args.files:
        if not _check_one(Path(name)):
            failed += 1
    if len(args.files) > 1:
        print(f"{len(args.files) - failed} of {len(args.files)} files OK")
    return 1 if failed else 0


def _check_one(path: Path) -> bool:
    try:
        form = load_form_file(path)
    except FormFileError as exc:
        for issue in exc.issues:
            where = f"{path}:{issue.line}" if issue.line is not None else f"{path}"
            print(f"{where}: {issue.message}", file=sys.stderr)
        return False
    registry = FormRegistry.standard()
    try:
        registry.add(form, source_name=path.name)
    except FormAdaptationError as exc:
        for problem in exc.problems:
            print(f"{path}: {form.form_id} {form.version} {problem}", file=sys.stderr)
        return False
    counts = (
        f"{sum(1 for _ in form.criteria())} criteria, {sum(1 for _ in form.tick_items())} "
        "tick items"
    )
    if form.based_on is None:
        print(f"{path}: OK: {form.form_id} {form.version} (the Standards' own), {counts}")
        return True
    diff = diff_forms(registry.get(form.form_id, form.based_on), form)
    print(
        f"{path}: OK: {form.form_id} {form.version} by {form.provider}, based on "
        f"{form.based_on}; {counts}"
    )
    for label, ids in (("added", diff.added), ("reworded", diff.reworded),
                       ("dropped (not core)", diff.dropped)):  # fmt: skip
        if ids:
            print(f"  {label}: {', '.join(ids)}")
    if diff.reordered:
        print("  reordered")
    return True


def add_form(args: argparse.Namespace) -> int:
    from sendobserve.cli._common import open_store_from_args
    from sendobserve.services.forms import install_form

    path = Path(args.file)
    try:
        source = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UserError(f"cannot read the form file {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise UserError(f"the form file {path} is not UTF-8 text") from None
    with open_store_from_args(args) as store:
        form = install_form(store, source, path.name, make_default=args.default).value
    default = " New observations of this form start on it." if args.default else ""
    print(f"Stored {form.form_id} version {form.version} ({form.title}).{default}")
    return 0

