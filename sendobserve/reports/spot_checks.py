"""A spot check (§1.4.2 ii), end to end: draw, build and sign each pack, write the
manifest, log the draw and its outcome in the store.

The population is every panel member (a mediator accredited by Form 4 or passported by
Form 5). The seed is given or drawn from the OS, and recorded in the manifest and the
log, so anyone can repeat the draw: ``draw_sample(population, size, seed)``.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from sendobserve.errors import UserError
from sendobserve.reports.packs import (
    EvidenceContent,
    ManifestContent,
    Row,
    draw_sample,
    evidence_pack_pdf,
    manifest_pdf,
)
from sendobserve.reports.styles import CancelCheck, ProgressCallback, ReportCancelled

if TYPE_CHECKING:
    from sendobserve.model.domain import PracticeRecord
    from sendobserve.storage.db import Store
    from sendobserve.storage.repositories.certificates import IssuedCertificate

MANIFEST_FORMAT = "sendobserve-spot-check/1"


@dataclass(frozen=True)
class SpotCheckResult:
    check_id: uuid.UUID
    seed: int
    population: int
    files: tuple[Path, ...]
    manifest: Path
    manifest_pdf: Path
    met: dict[str, bool]  # member name -> meets re-registration


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def evidence_content(record: PracticeRecord, certificates: list[IssuedCertificate], *,
                     today: date, seed: int, check_id: str) -> EvidenceContent:
    from sendobserve.model.renewal import assess_renewal

    report = assess_renewal(record, today=today)
    w = report.window
    in_window = [c for c in record.cpd if c.done_on in w]
    return EvidenceContent(
        mediator=record.mediator.name,
        as_of=today,
        window=w.label(),
        met=report.ready,
        requirements=tuple((r.title, r.status.value.replace("_", " "), r.detail)
                           for r in report.requirements),
        still_needed=report.still_needed,
        cpd=tuple(Row((c.done_on.isoformat(), c.kind.value.replace("_", " "), str(c.hours),
                       c.description)) for c in sorted(in_window, key=lambda c: c.done_on)),
        cpd_total=sum((c.hours for c in in_window), Decimal(0)),
        cases=tuple(Row((c.case_date.isoformat(), c.reference,
                         c.trainee_role.value.replace("_", " "), str(c.casework_hours)))
                    for c in sorted(record.cases, key=lambda c: c.case_date)
                    if c.case_date in w),
        contacts=tuple(Row((c.met_on.isoformat(), c.kind.value, c.with_whom))
                       for c in sorted(record.contacts, key=lambda c: c.met_on)
                       if c.met_on in w),
        certificates=tuple(Row((str(c.form_number), c.serial, c.issued_on.isoformat(),
                                c.signer_name, c.verification_code)) for c in certificates),
        accredited_on=record.mediator.accredited_on,
        passported=record.mediator.passported,
        seed=seed,
        check_id=check_id,
    )


def run_spot_check(store: Store, *, size: int, out_dir: Path, signer: str,
                   seed: int | None = None, today: date | None = None,
                   organisation: str | None = None,
                   progress: ProgressCallback | None = None,
                   cancelled: CancelCheck | None = None) -> SpotCheckResult:
    """Draw ``size`` panel members and write a signed pack for each, plus the manifest.

    ``progress(done, total)`` is called per pack; ``cancelled()`` is asked as often, and a
    True answer stops with ``ReportCancelled`` before any file is written or the draw is
    logged (a draw is logged with its outcome, once its packs exist)."""
    from sqlalchemy import select

    from sendobserve.reports import pki, signing
    from sendobserve.reports.jobs import ensure_signing_root, write_atomically
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
            "file": name, "sha256": _sha(pdf), "mediator_id": str(mid),
            "mediator": record.mediator.name, "meets_re_registration": content.met,
            "still_needed": list(content.still_needed),
            "certificates": [c.serial for c in issued],
        }))
        if progress is not None:
            progress(n, len(sample))
    if cancelled is not None and cancelled():
        raise ReportCancelled()
    manifest = {
        "format": MANIFEST_FORMAT,
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
        "manifest.json", _sha(manifest_bytes)))
    signed_summary = signing.sign_pdf(summary, creds, root.cert_pem, serial=f"spot-{short}")
    out_dir.mkdir(parents=True, exist_ok=True)
    written = [write_atomically(out_dir / name, pdf) for name, pdf, _ in packs]
    json_path = write_atomically(out_dir / "manifest.json", manifest_bytes)
    pdf_path = write_atomically(out_dir / "manifest.pdf", signed_summary)
    with store.session() as s:
        s.add(SpotCheckRecord(
            id=check_id, drawn_at=datetime.now(UTC), seed=str(seed),
            population=len(population), sample=json.dumps([u.hex for u in sample]),
            signer=signer, outcome=json.dumps(
                [{"mediator_id": p[2]["mediator_id"], "meets": p[2]["meets_re_registration"],
                  "sha256": p[2]["sha256"]} for p in packs]),
            manifest_sha256=_sha(manifest_bytes)))
    return SpotCheckResult(check_id, seed, len(population), tuple(written), json_path, pdf_path,
                           {str(p[2]["mediator"]): bool(p[2]["meets_re_registration"])
                            for p in packs})
