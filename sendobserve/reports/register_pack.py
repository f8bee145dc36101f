"""The register pack: what a provider submits for its panel each year.

For every panel member (accredited by Form 4 or passported by Form 5): a one-page
summary signed by the provider's signer — a new accreditation in the last 12 months is
summarised as the rules engine assessed it on the day of accreditation (Form 4: every
requirement with its numbers and discretions; Form 5: the passporting facts), an older
one by this year's re-registration check (§1.4.3) — plus ``manifest.json``, a signed
``manifest.pdf`` listing every file's SHA-256, and a signed panel declaration
(§1.4.2 ii, §1.6 A) naming who is on the panel and meets the standards. Each member's
Form 4 or Form 5 issued from this store is re-printed into the pack (the certificate flow
of ``reports.jobs``: same serial, verification code, signer and drawn signatures) and
listed with its SHA-256 in both manifests; one that cannot be re-printed is named with
the reason. Every PDF passes ``sendobserve verify``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sendobserve.errors import UserError
from sendobserve.reports import styles as st
from sendobserve.reports.packs import MM, WIDTH, ManifestContent, Row, _table, manifest_pdf
from sendobserve.reports.styles import CancelCheck, ProgressCallback, ReportCancelled

if TYPE_CHECKING:
    from sendobserve.model.domain import PracticeRecord
    from sendobserve.model.readiness import FormLookup
    from sendobserve.storage.db import Store
    from sendobserve.storage.repositories.certificates import IssuedCertificate

MANIFEST_FORMAT = "sendobserve-register-pack/1"
SUMMARY_TITLE = "Register pack: member summary"
DECLARATION_TITLE = "Panel declaration"


@dataclass(frozen=True)
class MemberSummary:
    name: str
    kind: str  # "Form 4 accreditation", "Form 5 passporting", "re-registration"
    as_of: date
    meets: bool
    requirements: tuple[tuple[str, str, str], ...]
    discretions: tuple[str, ...]
    forms: tuple[str, ...]  # "form2 v1 (3 observations)"
    certificates: tuple[str, ...]  # "Form 4 S4-2026-0001 issued 2026-02-03, signed by …"
    rules: str


def summarise(record: PracticeRecord, forms: FormLookup,
              issued: tuple[IssuedCertificate, ...], *, today: date) -> MemberSummary:
    """One member's summary, from the rules engine (nothing is re-decided here).

    A member accredited in the last 12 months is summarised by the assessment on the day
    their certificate was issued from this store; with no certificate issued here, the
    evidence is held elsewhere and they are not declared. Everyone else is summarised by
    this year's re-registration check.
    """
    from sendobserve.model.panel import RULES_FINGERPRINT, add_years
    from sendobserve.model.readiness import assess_readiness
    from sendobserve.model.renewal import assess_passport, assess_renewal

    m = record.mediator
    assert m.accredited_on is not None
    lines = tuple(f"Form {c.form_number} {c.serial} issued {c.issued_on.isoformat()}, "
                  f"signed by {c.signer_name} (code {c.verification_code})" for c in issued)
    used: tuple[str, ...] = ()
    report: Any
    form = 5 if m.passported else 4
    certificate = next((c for c in issued if c.form_number == form), None)
    if add_years(m.accredited_on, 1) > today:  # accredited in the last 12 months
        kind = "Form 5 passporting" if m.passported else "Form 4 accreditation"
        if certificate is None:
            return MemberSummary(
                name=m.name, kind=f"{kind} (evidence not in this store)",
                as_of=m.accredited_on, meets=False,
                requirements=((f"Form {form} issued from this store", "not met",
                               f"Accredited on {m.accredited_on.isoformat()}, but no Form "
                               f"{form} was issued from this store: the evidence is held "
                               "elsewhere."),),
                discretions=(), forms=(), certificates=lines, rules=RULES_FINGERPRINT)
        as_of = certificate.issued_on
        if m.passported:
            report = assess_passport(record, today=as_of)
            meets = report.eligible
        else:
            report = assess_readiness(record, forms, today=as_of)
            meets = report.ready
            used = tuple(f"{f} v{v} ({n} observations)" for f, v, n in report.forms_used)
    else:
        report, kind = assess_renewal(record, today=today), "re-registration"
        meets, as_of = report.ready, today
    discretions = tuple(
        f"{r.title}: {d.reason} (decided by {d.decided_by}, {d.decided_on.isoformat()})"
        for r in report.requirements for d in r.discretion)
    return MemberSummary(
        name=m.name, kind=kind, as_of=as_of, meets=meets,
        requirements=tuple((r.title, r.status.value.replace("_", " "), r.detail)
                           for r in report.requirements),
        discretions=discretions, forms=used, certificates=lines, rules=RULES_FINGERPRINT)


def summary_pdf(s: MemberSummary, batch: str) -> bytes:
    from reportlab.platypus import Paragraph, Spacer

    styles = st.styles()
    verdict = "Meets the requirements" if s.meets else "Does NOT meet the requirements"
    story: list[Any] = [
        Paragraph(st.esc(SUMMARY_TITLE), styles.h1),
        Paragraph(f"<b>{st.esc(s.name)}</b> · {st.esc(s.kind)} · as of "
                  f"{st.fmt_date(s.as_of)}", styles.body),
        Paragraph(f"<b>{verdict}</b> (rules {st.esc(s.rules)})", styles.body),
        Paragraph("Requirements", styles.h2),
        _table(("Requirement", "Status", "Detail"), [Row(r) for r in s.requirements],
               (60 * MM, 25 * MM, WIDTH - 85 * MM)),
        Paragraph("Discretions", styles.h2),
        *[Paragraph("• " + st.esc(d), styles.body) for d in s.discretions or ("none",)],
        Paragraph("Form versions", styles.h2),
        *[Paragraph("• " + st.esc(f), styles.body) for f in s.forms or ("—",)],
        Paragraph("Certificates", styles.h2),
        *[Paragraph("• " + st.esc(c), styles.body)
          for c in s.certificates or ("none issued from this store",)],
        Spacer(1, 40 * MM),
    ]
    return st.build_pdf(story, st.PdfMeta(title=SUMMARY_TITLE),
                        footer=st.standard_footer(f"Register pack {batch}"))


def declaration_pdf(organisation: str, signer: str, today: date,
                    members: list[tuple[str, str, bool]], batch: str) -> bytes:
    from reportlab.platypus import Paragraph, Spacer

    styles = st.styles()
    meeting = [m for m in members if m[2]]
    others = [m for m in members if not m[2]]
    story: list[Any] = [
        Paragraph(st.esc(DECLARATION_TITLE), styles.h1),
        Paragraph(
            f"I, <b>{st.esc(signer)}</b>, declare for <b>{st.esc(organisation)}</b> that the "
            f"{len(meeting)} mediators listed below are on its panel and, as recorded in its "
            f"records on {st.fmt_date(today)}, meet the standards of the College of Mediators "
            "and the Civil Mediation Council for SEND mediators (§1.4.2 ii, §1.6 A).",
            styles.body_serif),
        _table(("Mediator", "Basis"), [Row((n, k)) for n, k, _ in meeting],
               (70 * MM, WIDTH - 70 * MM), empty="nobody"),
    ]
    if others:
        story += [
            Paragraph("On the panel but NOT declared (requirements not met)", styles.h2),
            _table(("Mediator", "Basis"), [Row((n, k)) for n, k, _ in others],
                   (70 * MM, WIDTH - 70 * MM)),
        ]
    story.append(Spacer(1, 40 * MM))
    return st.build_pdf(story, st.PdfMeta(title=DECLARATION_TITLE),
                        footer=st.standard_footer(f"Register pack {batch}"))


@dataclass(frozen=True)
class RegisterPack:
    files: tuple[Path, ...]  # the members' summaries
    manifest: Path
    manifest_pdf: Path
    declaration: Path
    members: int
    declared: int
    certificates: tuple[Path, ...] = ()  # the Form 4/5 PDFs re-printed into the pack
    not_reprinted: tuple[str, ...] = ()  # "Form 4 S4-… of NAME: why", one a certificate


def reprint_certificate(store: Store, issued: IssuedCertificate) -> tuple[bytes | None, str]:
    """An issued Form 4 or 5 printed again through the certificate flow of
    ``reports.jobs`` (the same serial, date, verification code, signer and drawn
    signatures; the re-print is logged like any other): its signed PDF, or None and why
    it cannot be re-printed now (the evidence as of its issue no longer meets the rules,
    or its signer is not on record)."""
    from sendobserve.reports.build import CertificateRefused
    from sendobserve.reports.jobs import issue_certificate, plan_certificate

    plan = plan_certificate(store, issued.mediator_id, issued.form_number)
    if not plan.reprint:
        return None, "not issued from this store"
    if plan.reprint_signer is None:
        return None, f"its signer ({issued.signer_name}) is no longer on record"
    try:
        doc = issue_certificate(store, plan, plan.reprint_signer)
    except (CertificateRefused, UserError) as exc:
        return None, str(exc)
    if doc.serial != issued.serial:  # a re-print never makes a new certificate
        raise AssertionError(f"re-print of {issued.serial} came back as {doc.serial}")
    return doc.pdf, ""


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def build_register_pack(store: Store, *, out_dir: Path, signer: str,
                        today: date | None = None, organisation: str | None = None,
                        progress: ProgressCallback | None = None,
                        cancelled: CancelCheck | None = None) -> RegisterPack:
    """Write the pack into ``out_dir`` (empty or new). ``progress(done, total)`` is called
    per member; ``cancelled()`` is asked as often, and a True answer stops the pack with
    ``ReportCancelled`` before anything is written (re-prints made so far stay logged)."""
    from sqlalchemy import select

    from sendobserve.model.panel import RULES_FINGERPRINT
    from sendobserve.reports import pki, signing
    from sendobserve.reports.jobs import (
        ensure_signing_root,
        load_forms,
        root_organisation,
        write_atomically,
    )
    from sendobserve.storage.records import MediatorRecord
    from sendobserve.storage.repositories import load_practice_records
    from sendobserve.storage.repositories.certificates import CertificateRepository

    signer = signer.strip()
    if not signer:
        raise UserError("the register pack needs the name of the person who signs it")
    today = today or date.today()
    out_dir = Path(out_dir)
    if out_dir.exists() and any(out_dir.iterdir()):
        raise UserError(f"the folder {out_dir} is not empty; choose a new one")
    with store.session() as s:
        ids = list(s.scalars(select(MediatorRecord.id).where(
            MediatorRecord.accredited_on.is_not(None))))
        records = load_practice_records(s, ids)
    if not records:
        raise UserError("no mediator on the panel is accredited or passported yet")
    forms = load_forms(store)
    root = ensure_signing_root(store, organisation)
    organisation = organisation or root_organisation(root)
    creds = pki.issue_signer(root, signer)
    certs = CertificateRepository(store.session)
    batch = today.isoformat()
    files: list[tuple[str, bytes, dict[str, Any]]] = []
    reprints: list[tuple[str, bytes]] = []
    refused: list[str] = []
    ordered = sorted(records.values(), key=lambda r: (r.mediator.name.casefold(),
                                                      r.mediator.id.hex))
    for n, record in enumerate(ordered, start=1):
        if cancelled is not None and cancelled():
            raise ReportCancelled()
        issued = tuple(c for f in (4, 5)
                       if (c := certs.find(record.mediator.id, f)) is not None)
        summary = summarise(record, forms, issued, today=today)
        pdf = signing.sign_pdf(summary_pdf(summary, batch), creds, root.cert_pem,
                               serial=f"register-{batch}-{n:04d}")
        name = f"register-{batch}-{n:04d}.pdf"
        printed: list[dict[str, Any]] = []
        for c in issued:
            again, why = reprint_certificate(store, c)
            entry: dict[str, Any] = {
                "form": c.form_number, "serial": c.serial, "issued_on": c.issued_on.isoformat(),
                "verification_code": c.verification_code, "signer": c.signer_name}
            if again is None:
                refused.append(f"Form {c.form_number} {c.serial} of {record.mediator.name}: "
                               f"{why}")
                entry["not_reprinted"] = why
            else:
                file = f"register-{batch}-{n:04d}-form{c.form_number}.pdf"
                reprints.append((file, again))
                entry |= {"file": file, "sha256": _sha(again)}
            printed.append(entry)
        files.append((name, pdf, {
            "file": name, "sha256": _sha(pdf), "mediator_id": str(record.mediator.id),
            "mediator": summary.name, "kind": summary.kind, "as_of": summary.as_of.isoformat(),
            "meets": summary.meets, "discretions": list(summary.discretions),
            "form_versions": list(summary.forms), "certificates": [c.serial for c in issued],
            "signers": sorted({c.signer_name for c in issued}),
            "certificate_pdfs": printed,
            "requirements": [{"requirement": r[0], "status": r[1], "detail": r[2]}
                             for r in summary.requirements],
        }))
        if progress is not None:
            progress(n, len(ordered))
    if cancelled is not None and cancelled():
        raise ReportCancelled()
    declaration = signing.sign_pdf(
        declaration_pdf(organisation, signer, today,
                        [(f[2]["mediator"], f[2]["kind"], f[2]["meets"]) for f in files], batch),
        creds, root.cert_pem, serial=f"register-{batch}-declaration")
    manifest = {
        "format": MANIFEST_FORMAT, "organisation": organisation, "as_of": batch,
        "made_at": datetime.now(UTC).isoformat(timespec="seconds"), "signer": signer,
        "standards": "Professional Standards for Mediators Working With SEND; §1.4.2 ii, "
                     "§1.4.3, §1.6",
        "rules": RULES_FINGERPRINT,
        "members": [f[2] for f in files],
        "declaration": {"file": "declaration.pdf", "sha256": _sha(declaration)},
        "certificates_reprinted": len(reprints),
        "certificates_not_reprinted": refused,
    }
    manifest_bytes = (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode()
    declared = sum(1 for f in files if f[2]["meets"])
    summary_page = manifest_pdf(ManifestContent(
        f"Register pack {batch}",
        (f"Register pack of {organisation} as of {batch}: {len(files)} panel members, "
         f"{declared} declared as meeting the standards.",
         f"{len(reprints)} Form 4/5 certificates re-printed (same serial, verification code "
         "and signer as issued)."
         + (f" Not re-printed: {'; '.join(refused)}." if refused else ""),
         f"Signed by {signer}."),
        (*((f[0], f[2]["sha256"]) for f in files),
         *((file, _sha(pdf)) for file, pdf in reprints),
         ("declaration.pdf", _sha(declaration))),
        "manifest.json", _sha(manifest_bytes)))
    signed_manifest = signing.sign_pdf(summary_page, creds, root.cert_pem,
                                       serial=f"register-{batch}")
    out_dir.mkdir(parents=True, exist_ok=True)
    written = tuple(write_atomically(out_dir / name, pdf) for name, pdf, _ in files)
    certificates = tuple(write_atomically(out_dir / file, pdf) for file, pdf in reprints)
    decl_path = write_atomically(out_dir / "declaration.pdf", declaration)
    json_path = write_atomically(out_dir / "manifest.json", manifest_bytes)
    pdf_path = write_atomically(out_dir / "manifest.pdf", signed_manifest)
    return RegisterPack(written, json_path, pdf_path, decl_path, len(files), declared,
                        certificates, tuple(refused))
