"""``sendobserve print form4|form5|readiness|portfolio NAME_OR_ID -o FILE.pdf``,
``sendobserve print observation OBSERVATION_ID -o FILE.pdf`` and
``sendobserve signing export-root -o ROOT.pem``.

Certificates are signed (PAdES) by the signer under the store's local root, which is
created on first use. Form 4 is refused while the readiness assessment is not met (a
discretion counts only where the Standards allow one, §1.3, agreed by every party); Form 5
while the passporting assessment is not; the portfolio unless verified by a PPC.
A refusal writes nothing. A certificate's serial is kept on re-print; every print is
logged. Drawn signatures (``--signer-drawing``/``--mediator-drawing``) are checked before
the store is opened and stored with the first issue; a re-print keeps those. The PDF is
written to a temporary file and renamed only once the store has
committed, so a failure leaves neither a half-written file nor a logged issue.
"""

from __future__ import annotations

import argparse
import sys
import uuid
from datetime import date
from typing import Any

from sendobserve.errors import UserError
from sendobserve.services.files import PendingFile


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "print",
        help="print a certificate, an observation, the readiness report or the portfolio",
        description=(
            "Write a PDF. Form 4 and Form 5 are digitally signed by the signer under this "
            "store's signing root; check them with 'sendobserve verify'."
        ),
    )
    sub = p.add_subparsers(dest="what", metavar="WHAT", required=True)
    for what, help_text in (
        ("form4", "the signed Form 4 accreditation certificate (refused while gaps remain)"),
        ("form5", "the signed Form 5 certificate for a passported mediator (refused unless "
         "the passporting assessment is met)"),
        ("readiness", "the readiness report: requirements, criteria matrix, still needed"),
        ("portfolio", "the sole provider's portfolio for the assessor panel (refused while "
         "gaps remain; verified by their PPC)"),
    ):
        c = sub.add_parser(what, help=help_text, description=help_text)
        c.add_argument("mediator", metavar="NAME_OR_ID", help="the mediator's name or id")
        _output(c)
        if what in ("form4", "form5"):
            c.add_argument("--signer", metavar="NAME_OR_ID",
                           help="who signs (Form 4: an eligible signer, default the only "
                           "one; Form 5: an experienced mediator, a PPC or a manager)")
            c.add_argument("--organisation", metavar="NAME",
                           help="the provider organisation printed on the certificate and "
                           "named in a new signing root")
            c.add_argument("--signer-drawing", metavar="PNG",
                           help="the signer's drawn signature (PNG, at most 512 KiB and "
                           "2000×1000 px), printed above their line; stored with the first "
                           "issue, which every re-print keeps")
            c.add_argument("--mediator-drawing", metavar="PNG",
                           help="the mediator's drawn signature (PNG, same limits)")
        if what == "portfolio":
            c.add_argument("--verified-by", metavar="NAME_OR_ID",
                           help="the PPC who verifies the portfolio (§1.3, §1.4.2 i; "
                           "default: the one PPC on record)")
        c.set_defaults(func=run)
    c = sub.add_parser("observation", help="a filled Form 1, 2 or 3",
                       description="A filled Form 1, 2 or 3 on the version it was made on.")
    c.add_argument("observation", metavar="OBSERVATION_ID")
    _output(c)
    c.set_defaults(func=run)

    s = subparsers.add_parser(
        "signing",
        help="the store's signing root: export it so others can trust your certificates",
        description="The local signing root that issues the signers' certificates.",
    )
    ssub = s.add_subparsers(dest="signing_command", metavar="COMMAND", required=True)
    e = ssub.add_parser("export-root", help="write the root certificate (never its key)")
    _output(e, "ROOT.pem")
    e.add_argument("--organisation", metavar="NAME", help="names a root created now")
    e.set_defaults(func=run_export_root)


def _output(parser: argparse.ArgumentParser, metavar: str = "FILE.pdf") -> None:
    parser.add_argument("-o", "--output", metavar=metavar, required=True,
                        help="where to write it (replaced if it exists)")


def _progress_to_stderr(done: int, total: int) -> None:
    if sys.stderr.isatty():
        print(f"\r  laying out… {100 * done // max(total, 1):3d}%", end="", file=sys.stderr)
        if done >= total:
            print(file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    from sendobserve.cli._common import open_store_from_args

    pending = PendingFile(args.output)
    # Before the store opens (which may migrate or back up): a bad PNG changes nothing.
    drawings = _read_drawings(args)
    with open_store_from_args(args) as store:
        try:
            message = _print(args, store, pending, drawings)
        finally:
            pending.discard()
    print(message)
    return 0


def _read_drawings(args: argparse.Namespace) -> tuple[bytes | None, bytes | None]:
    from sendobserve.reports.drawings import read_drawing

    signer = getattr(args, "signer_drawing", None)
    mediator = getattr(args, "mediator_drawing", None)
    return (read_drawing(signer, "--signer-drawing") if signer else None,
            read_drawing(mediator, "--mediator-drawing") if mediator else None)


def _print(args: argparse.Namespace, store: Any, pending: PendingFile,
           drawings: tuple[bytes | None, bytes | None] = (None, None)) -> str:
    from sendobserve.services import documents, people

    today = date.today()
    if args.what == "observation":
        observation_id = _parse_uuid(args.observation, "observation id")
        pdf, obs = documents.observation_document_of(store, observation_id)
        pending.write(pdf)
        pending.commit()
        return f"Wrote Form {obs.form_id.removeprefix('form')} observation to {pending.path}"

    mediator = people.resolve_mediator(store, args.mediator)
    if args.what in ("form4", "form5"):
        return _certificate(args, store, pending, mediator.id, today, drawings)
    if args.what == "readiness":
        pdf, report = documents.readiness_document(store, mediator.id, today=today)
        pending.write(pdf)
        pending.commit()
        verdict = "ready for Form 4" if report.ready else "not yet ready"
        return f"Wrote the readiness report for {mediator.name} ({verdict}) to {pending.path}"
    # §1.3, §1.4.2 i: the sole provider's PPC verifies the portfolio.
    verifier = _pick_signer(store, args.verified_by, people.ppcs(store),
                            "verify the portfolio (a PPC)")
    pdf, count = documents.portfolio_document(store, mediator.id, verifier, today=today,
                                         progress=_progress_to_stderr)
    pending.write(pdf)
    pending.commit()
    return f"Wrote the portfolio for {mediator.name} ({count} observations) to {pending.path}"


def _parse_uuid(text: str, what: str) -> uuid.UUID:
    from sendobserve.cli._common import parse_uuid

    parsed = parse_uuid(text)
    if parsed is None:
        raise UserError(f"{text!r} is not an {what}")
    return parsed


def _pick_signer(store: Any, given: str | None, eligible: Any, purpose: str) -> Any:
    from sendobserve.services.people import resolve_observer

    if given:
        return resolve_observer(store, given)
    if len(eligible) == 1:
        return eligible[0]
    if not eligible:
        raise UserError(f"Nobody is recorded who may {purpose}",
                        hint="Give --signer (or --verified-by) NAME.")
    raise UserError(f"More than one person may {purpose}: "
                    + ", ".join(o.name for o in eligible),
                    hint="Choose one with --signer (or --verified-by) NAME.")


def _certificate(args: argparse.Namespace, store: Any, pending: PendingFile,
                 mediator_id: uuid.UUID, today: date,
                 drawings: tuple[bytes | None, bytes | None]) -> str:
    from sendobserve.reports import build
    from sendobserve.services import documents

    form_number = 4 if args.what == "form4" else 5
    plan = documents.plan_certificate(store, mediator_id, form_number, today=today)
    if plan.refusal:
        raise build.CertificateRefused(plan.refusal, hint=plan.hint)
    signer = plan.reprint_signer
    if signer is not None and args.signer is not None:
        chosen = _pick_signer(store, args.signer, (), f"sign Form {form_number}")
        if chosen.id != signer.id:
            raise UserError(
                f"Form {form_number} was issued to {plan.mediator_name} signed by "
                f"{signer.name}; a re-print keeps its signer",
                hint="Leave out --signer to re-print it.",
            )
    if signer is None:
        eligible = plan.report.eligible_signers if plan.report is not None else ()
        signer = _pick_signer(store, args.signer, eligible, f"sign Form {form_number}")
    signer_drawing, mediator_drawing = drawings
    issued = documents.issue_certificate(store, plan, signer, organisation=args.organisation,
                                    today=today, deliver=pending.write,
                                    signer_drawing=signer_drawing,
                                    mediator_drawing=mediator_drawing)
    pending.commit()  # the issue and its print are committed: now the file appears
    what = "Re-printed" if issued.reprint else "Issued"
    message = (f"{what} Form {form_number} {issued.serial} for {issued.mediator_name}, "
               f"signed by {issued.signer_name}: {pending.path}\nVerification code: "
               f"{issued.verification_code}")
    if issued.reprint and (signer_drawing or mediator_drawing):
        message += ("\nA re-print keeps the drawn signatures of the first issue; the "
                    "drawings given were not used.")
    return message


def run_export_root(args: argparse.Namespace) -> int:
    from sendobserve.cli._common import open_store_from_args
    from sendobserve.pki.certificates import fingerprint
    from sendobserve.services import documents

    pending = PendingFile(args.output)
    with open_store_from_args(args) as store:
        try:
            root = documents.ensure_signing_root(store, args.organisation)
            pending.write(root.cert_pem)
            pending.commit()
        finally:
            pending.discard()
    print(f"Wrote the signing root certificate of {documents.root_organisation(root)} to "
          f"{pending.path}")
    print(f"SHA-256 fingerprint: {fingerprint(root.cert_pem)}")
    return 0
