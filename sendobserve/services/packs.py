"""The panel's signed packs as whole steps on an open store: a spot check (§1.4.2 ii) and
the register pack. The content and the PDFs are ``reports.spot_checks``,
``reports.register_pack`` and ``reports.packs``; here the members are chosen from the
store, each pack is signed with the store's root and the files are written whole.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import uuid
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sendobserve.errors import UserError
from sendobserve.model.vocabulary import fold_name, plural
from sendobserve.reports.packs import ManifestContent, draw_sample, evidence_pack_pdf, manifest_pdf
from sendobserve.reports.register_pack import (
    MANIFEST_FORMAT as REGISTER_FORMAT,
)
from sendobserve.reports.register_pack import (
    RegisterPack,
    declaration_pdf,
    summarise,
    summary_pdf,
)
from sendobserve.reports.spot_checks import (
    MANIFEST_FORMAT as SPOT_CHECK_FORMAT,
)
from sendobserve.reports.spot_checks import SpotCheckResult, evidence_content
from sendobserve.reports.styles import CancelCheck, ProgressCallback, ReportCancelled
from sendobserve.services.documents import (
    ensure_signing_root,
    issue_certificate,
    plan_certificate,
    root_organisation,
)
from sendobserve.services.files import write_file
from sendobserve.services.readiness import load_forms

if TYPE_CHECKING:
    from sendobserve.services import Sessions
    from sendobserve.storage.repositories.certificates import IssuedCertificate


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def run_spot_check(store: Sessions, *, size: int, out_dir: Path, signer: str,
                   seed: int | None = None, today: date | None = None,
                   organisation: str | None = None,
                   progress: ProgressCallback | None = None,
                   cancelled: CancelCheck | None = None) -> SpotCheckResult:
    """Draw ``size`` panel members and write a signed pack for each, plus the manifest.

    ``progress(done, total)`` is called per pack; ``cancelled()`` is asked as often, and a
    True answer stops with ``ReportCancelled`` before any file is written or the draw is
    logged (a draw is logged with its outcome, once its packs exist)."""
    from sqlalchemy import select

    from sendobserve.pki import certificates as pki
    from sendobserve.reports import signing
    from sendobserve.storage.records import MediatorRecord
    from sendobserve.storage.repositories import load_practice_records
    from sendobserve.storage.verdicts import SpotCheckRecord

    signer = signer.strip()
    if not signer:
        raise UserError("the spot check needs the name of the person who signs the packs")
    if size < 1:
        raise UserError("the sample size must be at least 1")
    today = today or date.today()
    seed = secrets.randbelow(2**63) if seed is None else seed
    with store.session() as s:
        population = list(s.scalars(select(MediatorRecord.id).where(
            MediatorRecord.accredited_on.is_not(None))))
    if not population:
        raise UserError("no mediator on the panel is accredited or passported yet: "
                        "there is nobody to spot-check")
    out_dir = Path(out_dir)
    if out_dir.exists() and any(out_dir.iterdir()):
        raise UserError(f"the folder {out_dir} is not empty; choose a new one")
    sample = draw_sample(population, size, seed)
    check_id = uuid.uuid4()
    short = check_id.hex[:8]
    root = ensure_signing_root(store, organisation)
    creds = pki.issue_signer(root, signer)
    from sendobserve.storage.repositories.certificates import CertificateRepository

    with store.session() as s:
        records = load_practice_records(s, sample)
    certs = CertificateRepository(store.session)
    packs: list[tuple[str, bytes, dict[str, object]]] = []
    for n, mid in enumerate(sample, start=1):
        if cancelled is not None and cancelled():
            raise ReportCancelled()
        record = records[mid]
        issued = [c for form in (4, 5) if (c := certs.find(mid, form)) is not None]
        content = evidence_content(record, issued, today=today, seed=seed, check_id=short)
        pdf = signing.sign_pdf(evidence_pack_pdf(content), creds, root.cert_pem,
                               serial=f"spot-{short}-{n:03d}")
        name = f"spot-check-{short}-{n:03d}.pdf"
        packs.append((name, pdf, {
            "file": name, "sha256": sha256_hex(pdf), "mediator_id": str(mid),
            "mediator": record.mediator.name, "meets_re_registration": content.met,
            "still_needed": list(content.still_needed),
            "certificates": [c.serial for c in issued],
        }))
        if progress is not None:
            progress(n, len(sample))
    if cancelled is not None and cancelled():
        raise ReportCancelled()
    manifest = {
        "format": SPOT_CHECK_FORMAT,
        "check_id": str(check_id),
        "standards": "§1.4.2 ii spot check; re-registration evidence of §1.4.3",
        "drawn_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "as_of": today.isoformat(),
        "seed": seed,
        "method": "random.Random(seed).sample(population sorted by id hex, size)",
        "population": len(population),
        "population_ids": sorted(u.hex for u in population),
        "size": len(sample),
        "signer": signer,
        "members": [p[2] for p in packs],
    }
    manifest_bytes = (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode()
    lines = (
        f"Spot check {check_id} of the panel (§1.4.2 ii), as of {today.isoformat()}.",
        f"{len(sample)} of {len(population)} panel members drawn with seed {seed} "
        f"(random.Random(seed).sample over the members sorted by id).",
        f"{sum(1 for p in packs if p[2]['meets_re_registration'])} of {len(sample)} meet the "
        "annual re-registration requirements (§1.4.3).",
        f"Signed by {signer}.",
    )
    summary = manifest_pdf(ManifestContent(
        f"Spot check {short}", lines, tuple((p[0], p[2]["sha256"]) for p in packs),  # type: ignore[misc]
        "manifest.json", sha256_hex(manifest_bytes)))
    signed_summary = signing.sign_pdf(summary, creds, root.cert_pem, serial=f"spot-{short}")
    out_dir.mkdir(parents=True, exist_ok=True)
    written = [write_file(out_dir / name, pdf) for name, pdf, _ in packs]
    json_path = write_file(out_dir / "manifest.json", manifest_bytes)
    pdf_path = write_file(out_dir / "manifest.pdf", signed_summary)
    with store.session() as s:
        s.add(SpotCheckRecord(
            id=check_id, drawn_at=datetime.now(UTC), seed=str(seed),
            population=len(population), sample=json.dumps([u.hex for u in sample]),
            signer=signer, outcome=json.dumps(
                [{"mediator_id": p[2]["mediator_id"], "meets": p[2]["meets_re_registration"],
                  "sha256": p[2]["sha256"]} for p in packs]),
            manifest_sha256=sha256_hex(manifest_bytes)))
    return SpotCheckResult(check_id, seed, len(population), tuple(written), json_path, pdf_path,
                           {str(p[2]["mediator"]): bool(p[2]["meets_re_registration"])
                            for p in packs})


def reprint_certificate(store: Sessions, issued: IssuedCertificate) -> tuple[bytes | None, str]:
    """An issued Form 4 or 5 printed again through the certificate flow (the same serial,
    date, verification code, signer and drawn signatures; the re-print is logged like any
    other): its signed PDF, or None and why it cannot be re-printed now (the evidence as of
    its issue no longer meets the rules, or its signer is not on record)."""
    from sendobserve.reports.build import CertificateRefused

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


def build_register_pack(store: Sessions, *, out_dir: Path, signer: str,
                        today: date | None = None, organisation: str | None = None,
                        progress: ProgressCallback | None = None,
                        cancelled: CancelCheck | None = None) -> RegisterPack:
    """Write the pack into ``out_dir`` (empty or new): each accredited member's summary,
    their Form 4/5 re-printed, the signed declaration and manifest. ``progress(done,
    total)`` is called per member; ``cancelled()`` is asked as often, and a True answer
    stops the pack with ``ReportCancelled`` before anything is written (re-prints made so
    far stay logged)."""
    from sqlalchemy import select

    from sendobserve.model.panel import RULES_FINGERPRINT
    from sendobserve.pki import certificates as pki
    from sendobserve.reports import signing
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
    ordered = sorted(records.values(), key=lambda r: (fold_name(r.mediator.name),
                                                      r.mediator.id.hex))
    for n, record in enumerate(ordered, start=1):
        if cancelled is not None and cancelled():
            raise ReportCancelled()
        issued = tuple(c for f in (4, 5)
                       if (c := certs.find(record.mediator.id, f)) is not None)
        summary = summarise(record, forms, issued, today=today)
        superseded = _superseded(store, record.mediator.id)
        if superseded:  # kept, marked: a person's decision chose the one that stands
            summary = replace(summary, certificates=summary.certificates
                              + tuple(line for _serial, line in superseded))
        pdf = signing.sign_pdf(summary_pdf(summary, batch), creds, root.cert_pem,
                               serial=f"register-{batch}-{n:04d}")
        name = f"register-{batch}-{n:04d}.pdf"
        printed: list[dict[str, Any]] = []
        for c in issued:
            again, why = reprint_certificate(store, c)
            entry: dict[str, Any] = {
                "form": c.form_number, "serial": c.serial, "issuer": c.issuer,
                "issued_on": c.issued_on.isoformat(),
                "verification_code": c.verification_code, "signer": c.signer_name}
            if again is None:
                refused.append(f"Form {c.form_number} {c.serial} of {record.mediator.name}: "
                               f"{why}")
                entry["not_reprinted"] = why
            else:
                file = f"register-{batch}-{n:04d}-form{c.form_number}.pdf"
                reprints.append((file, again))
                entry |= {"file": file, "sha256": sha256_hex(again)}
            printed.append(entry)
        files.append((name, pdf, {
            "file": name, "sha256": sha256_hex(pdf), "mediator_id": str(record.mediator.id),
            "mediator": summary.name, "kind": summary.kind, "as_of": summary.as_of.isoformat(),
            "meets": summary.meets, "discretions": list(summary.discretions),
            "form_versions": list(summary.forms), "certificates": [c.serial for c in issued],
            "signers": sorted({c.signer_name for c in issued}),
            "superseded_certificates": [serial for serial, _line in superseded],
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
        "format": REGISTER_FORMAT, "organisation": organisation, "as_of": batch,
        "made_at": datetime.now(UTC).isoformat(timespec="seconds"), "signer": signer,
        "standards": "Professional Standards for Mediators Working With SEND; §1.4.2 ii, "
                     "§1.4.3, §1.6",
        "rules": RULES_FINGERPRINT,
        "members": [f[2] for f in files],
        "declaration": {"file": "declaration.pdf", "sha256": sha256_hex(declaration)},
        "certificates_reprinted": len(reprints),
        "certificates_not_reprinted": refused,
    }
    manifest_bytes = (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode()
    declared = sum(1 for f in files if f[2]["meets"])
    summary_page = manifest_pdf(ManifestContent(
        f"Register pack {batch}",
        (f"Register pack of {organisation} as of {batch}: "
         f"{plural(len(files), 'panel member')}, {declared} declared as meeting the standards.",
         f"{plural(len(reprints), 'Form 4/5 certificate')} re-printed (same serial, "
         "verification code and signer as issued)."
         + (f" Not re-printed: {'; '.join(refused)}." if refused else ""),
         f"Signed by {signer}."),
        (*((f[0], f[2]["sha256"]) for f in files),
         *((file, sha256_hex(pdf)) for file, pdf in reprints),
         ("declaration.pdf", sha256_hex(declaration))),
        "manifest.json", sha256_hex(manifest_bytes)))
    signed_manifest = signing.sign_pdf(summary_page, creds, root.cert_pem,
                                       serial=f"register-{batch}")
    out_dir.mkdir(parents=True, exist_ok=True)
    written = tuple(write_file(out_dir / name, pdf) for name, pdf, _ in files)
    certificates = tuple(write_file(out_dir / file, pdf) for file, pdf in reprints)
    decl_path = write_file(out_dir / "declaration.pdf", declaration)
    json_path = write_file(out_dir / "manifest.json", manifest_bytes)
    pdf_path = write_file(out_dir / "manifest.pdf", signed_manifest)
    return RegisterPack(written, json_path, pdf_path, decl_path, len(files), declared,
                        certificates, tuple(refused))


def _superseded(store: Sessions, mediator_id: uuid.UUID) -> tuple[tuple[str, str], ...]:
    """(serial, line) of each of the trainee's certificates a decision superseded."""
    from sendobserve.exchange.decide import superseded_certificates, superseded_line

    with store.session() as session:
        return tuple((c.serial, superseded_line(c, d))
                     for c, d in superseded_certificates(session, mediator_id))
