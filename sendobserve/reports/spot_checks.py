"""A spot check (§1.4.2 ii), end to end: draw, build and sign each pack, write the
manifest, log the draw and its outcome in the store.

The population is every panel member (a mediator accredited by Form 4 or passported by
Form 5). The seed is given or drawn from the OS, and recorded in the manifest and the
log, so anyone can repeat the draw: ``draw_sample(population, size, seed)``.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from sendobserve.model.vocabulary import plural
from sendobserve.reports.packs import (
    EvidenceContent,
    Row,
)

if TYPE_CHECKING:
    from sendobserve.model.domain import PracticeRecord
    from sendobserve.reports.content import IssuedFacts

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

    def summary(self) -> str:
        """The draw in one sentence (the app and the command line say it)."""
        return (f"Spot check {str(self.check_id)[:8]}: {len(self.files)} of "
                f"{plural(self.population, 'panel member')} drawn with seed {self.seed}")



def evidence_content(record: PracticeRecord, certificates: Sequence[IssuedFacts], *,
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
