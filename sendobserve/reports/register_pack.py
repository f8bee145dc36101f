"""The register pack: what a provider submits for its panel each year.

For every panel member (accredited by Form 4 or passported by Form 5): a one-page
summary signed by the provider's signer — a new accreditation in the last 12 months is
summarised as the rules engine assessed it on the day of accreditation (Form 4: every
requirement with its numbers and discretions; Form 5: the passporting facts), an older
one by this year's re-registration check (§1.4.3) — plus ``manifest.json``, a signed
``manifest.pdf`` listing every file's SHA-256, and a signed panel declaration
(§1.4.2 ii, §1.6 A) naming who is on the panel and meets the standards. Each member's
Form 4 or Form 5 issued from this store is re-printed into the pack (the certificate flow
of ``services.documents``: same serial, verification code, signer and drawn signatures) and
listed with its SHA-256 in both manifests; one that cannot be re-printed is named with
the reason. Every PDF passes ``sendobserve verify``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sendobserve.model.vocabulary import day_text, plural
from sendobserve.reports import styles as st
from sendobserve.reports.packs import MM, WIDTH, Row, _table

if TYPE_CHECKING:
    from sendobserve.model.domain import PracticeRecord
    from sendobserve.model.readiness import FormLookup
    from sendobserve.reports.content import IssuedFacts

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
              issued: Sequence[IssuedFacts], *, today: date) -> MemberSummary:
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
    from sendobserve.model.vocabulary import issuer_text

    # A serial with its issuer: two installations may both have issued serial N.
    lines = tuple(f"Form {c.form_number} {c.serial} ({issuer_text(c.issuer)}) issued "
                  f"{day_text(c.issued_on)}, signed by {c.signer_name} "
                  f"(code {c.verification_code})" for c in issued)
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
                               f"Accredited on {day_text(m.accredited_on)}, but no Form "
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
            used = tuple(f"{f} version {v} ({plural(n, 'observation')})"
                         for f, v, n in report.forms_used)
    else:
        report, kind = assess_renewal(record, today=today), "re-registration"
        meets, as_of = report.ready, today
    discretions = tuple(
        f"{r.title}: {d.reason} (decided by {d.decided_by}, {day_text(d.decided_on)})"
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

    def summary(self) -> str:
        """What the pack holds, in one sentence (the app and the command line say it)."""
        return (f"Register pack: {plural(self.members, 'panel member')}, {self.declared} "
                "declared as meeting the standards, "
                f"{plural(len(self.certificates), 'Form 4/5 certificate')} re-printed")


