"""Certificates and documents, the use cases the CLI and the app share: store in, PDF
bytes out. Qt-free.

The decisions (Form 4 refused while the readiness assessment has gaps, Form 5 while the
passporting assessment does, the portfolio unless verified by a PPC) are the functions of
``sendobserve.model`` the screens use; a re-print keeps its serial and its signer. This
module
strings them together with the store: load the record, assess readiness, issue or
re-print in one transaction, sign. Each function opens its own sessions, so the app
can call it from a worker thread.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from sendobserve.errors import UserError
from sendobserve.model.domain import Observation, Observer, PracticeRecord
from sendobserve.model.readiness import ReadinessReport, form4_refusal
from sendobserve.model.renewal import PassportReport, form5_refusal, passport_signer_refusal
from sendobserve.reports.build import FORM4_HINT, CertificateRefused
from sendobserve.reports.styles import CancelCheck, ProgressCallback
from sendobserve.services import Done
from sendobserve.services.changes import NOTHING, Changes
from sendobserve.services.readiness import assess, assess_form5, load_forms, load_record

if TYPE_CHECKING:
    from sendobserve.pki.certificates import RootCA
    from sendobserve.reports.content import EvidenceLine
    from sendobserve.services import Sessions

PROVIDER_NAME_NEEDED = (
    "The provider's name is not set, and it is printed on every Form 4 and Form 5: set it "
    "once with sendobserve provider \"NAME\" (in the app: File ▸ Provider's name…), or "
    "give --organisation NAME.")
FORM5_HINT = "Record the passporting facts on the mediator's page, then print again."
__all__ = ["FORM4_HINT", "FORM5_HINT"]


# --- documents without a certificate ------------------------------------------------------

def observation_document(store: Sessions, observation_id: uuid.UUID) -> bytes:
    """A filled Form 1, 2 or 3 on the form version it was made on."""
    return observation_document_of(store, observation_id)[0]


def observation_document_of(store: Sessions, observation_id: uuid.UUID
                            ) -> tuple[bytes, Observation]:
    """The filled form and the observation it shows."""
    from sendobserve.reports import build
    from sendobserve.reports.observation import observation_pdf
    from sendobserve.storage.repositories import ObservationRepository

    obs = ObservationRepository(store.session).get(observation_id)
    record = load_record(store, obs.mediator_id)
    return observation_pdf(build.observation_content(record, obs.id, load_forms(store))), obs


def readiness_document(store: Sessions, mediator_id: uuid.UUID, *,
                       today: date | None = None) -> tuple[bytes, ReadinessReport]:
    from sendobserve.reports import build
    from sendobserve.reports.readiness import readiness_pdf

    _record, report = assess(store, mediator_id, today=today)
    return readiness_pdf(build.readiness_content(report)), report


def portfolio_document(
    store: Sessions,
    mediator_id: uuid.UUID,
    verified_by: Observer,
    *,
    today: date | None = None,
    progress: ProgressCallback | None = None,
    cancelled: CancelCheck | None = None,
) -> tuple[bytes, int]:
    """The portfolio and how many observations it holds; ``ReportCancelled`` if stopped.

    Refused (``CertificateRefused``) unless the assessment is met and ``verified_by`` is a
    PPC: the same ``model.readiness.portfolio_refusal`` the screens use.
    """
    from sendobserve.reports import build
    from sendobserve.reports.portfolio import portfolio_pdf

    today = today or date.today()
    forms = load_forms(store)
    record, report = assess(store, mediator_id, today=today, forms=forms)
    content = build.portfolio_content(record, report, forms, verified_by=verified_by,
                                      prepared_on=today,
                                      evidence=evidence_lines(store, mediator_id))
    return portfolio_pdf(content, progress=progress, cancelled=cancelled), len(
        content.observations)


def evidence_lines(store: Sessions, mediator_id: uuid.UUID) -> list[EvidenceLine]:
    """The mediator's evidence files as the portfolio lists them."""
    from sendobserve.model.evidence import KIND_WORDS, MEDIA_WORDS
    from sendobserve.reports.content import EvidenceLine
    from sendobserve.services.evidence import entries

    return [EvidenceLine(f.name, KIND_WORDS[f.kind], e.label, MEDIA_WORDS[f.media_type],
                         f.size_text, f.sha256)
            for e in entries(store, mediator_id) for f in e.files]


def portfolio_plan(store: Sessions, mediator_id: uuid.UUID, *, today: date | None = None
                   ) -> tuple[ReadinessReport, str | None, tuple[Observer, ...]]:
    """The assessment, why the portfolio cannot be printed yet (or None), and who may
    verify it: the PPCs on record (§1.3, §1.4.2 i)."""
    from sendobserve.services.people import ppcs

    _record, report = assess(store, mediator_id, today=today)
    refusal = None
    if not report.ready:
        refusal = (f"The portfolio of {report.mediator_name} cannot be printed: "
                   + "; ".join(report.still_needed) + ".")
    return report, refusal, ppcs(store)


# --- certificates ------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class CertificatePlan:
    """What the app needs before asking who signs: refusal, re-print signer, candidates."""

    form_number: int
    record: PracticeRecord
    report: ReadinessReport | None  # None for Form 5
    refusal: str | None  # a clear sentence naming what is missing, or None
    hint: str | None
    reprint_signer: Observer | None  # a re-print keeps its signer
    candidates: tuple[Observer, ...]  # who may be chosen to sign
    # Already issued: a re-print keeps the first issue's drawn signatures, so the app
    # does not ask for new ones.
    reprint: bool = False
    passport: PassportReport | None = None  # Form 5's assessment

    @property
    def mediator_name(self) -> str:
        return self.record.mediator.name


@dataclass(frozen=True, slots=True)
class IssuedDocument:
    pdf: bytes
    form_number: int
    serial: str
    verification_code: str
    reprint: bool
    mediator_name: str
    signer_name: str
    drawn: int = 0  # how many drawn signatures the certificate carries (0, 1 or 2)
    changes: Changes = NOTHING


def reprint_signer(store: Sessions, mediator_id: uuid.UUID, form_number: int) -> Observer | None:
    """The signer of an already issued certificate: its verification code names them."""
    from sendobserve.storage.repositories import ObserverRepository
    from sendobserve.storage.repositories.certificates import CertificateRepository

    issued = CertificateRepository(store.session).find(mediator_id, form_number)
    if issued is None or issued.signer_id is None:
        return None
    return ObserverRepository(store.session).get(issued.signer_id)


def plan_certificate(store: Sessions, mediator_id: uuid.UUID, form_number: int, *,
                     today: date | None = None) -> CertificatePlan:
    """Whether Form 4 or 5 may be issued now, and who may sign it. Reads only."""
    from sendobserve.storage.repositories import ObserverRepository

    if form_number not in (4, 5):
        raise ValueError("only Form 4 and Form 5 are certificates")
    day = _judged_on(store, mediator_id, form_number, today)
    if form_number == 5:
        record, passport = assess_form5(store, mediator_id, today=day)
        refusal = form5_refusal(passport)
        return CertificatePlan(5, record, None, refusal, FORM5_HINT if refusal else None,
                               reprint_signer(store, mediator_id, 5),
                               tuple(o for o in ObserverRepository(store.session).list()
                                     if passport_signer_refusal(passport, o) is None),
                               _issued_before(store, mediator_id, 5), passport)
    record, report = assess(store, mediator_id, today=day)
    refusal = form4_refusal(report)
    candidates: Sequence[Observer] = report.eligible_signers
    return CertificatePlan(4, record, report, refusal, FORM4_HINT if refusal else None,
                           reprint_signer(store, mediator_id, 4), tuple(candidates),
                           _issued_before(store, mediator_id, 4))


def _judged_on(store: Sessions, mediator_id: uuid.UUID, form_number: int,
               today: date | None) -> date:
    """A certificate is judged as of its issue: a re-print as of the first issue's date
    (it keeps that date, and the facts it states are as of then)."""
    from sendobserve.storage.repositories.certificates import CertificateRepository

    issued = CertificateRepository(store.session).find(mediator_id, form_number)
    if issued is not None:
        return issued.issued_on
    return today or date.today()


def _issued_before(store: Sessions, mediator_id: uuid.UUID, form_number: int) -> bool:
    from sendobserve.storage.repositories.certificates import CertificateRepository

    return CertificateRepository(store.session).find(mediator_id, form_number) is not None


def certificate_standing(store: Sessions, serial: str, code: str | None = None
                         ) -> str | None:
    """Whether the certificate with ``serial`` (and the verification ``code`` printed on
    it) stands here, was superseded by a person's decision (two issued for one trainee
    and form), or is in conflict; None when this store holds no such certificate
    (``exchange.decide``). Reads only."""
    from sendobserve.exchange.decide import certificate_standing as standing

    wanted = None if code is None else code.strip().upper().replace(" ", "")
    with store.session() as session:
        return standing(session, serial.strip().upper(), wanted)


def provider_name(store: Sessions) -> str | None:
    """The provider's name set for this store (printed on Form 4 and 5), if any."""
    from sendobserve.storage.meta import META_PROVIDER_NAME, get_meta

    with store.session() as session:
        return get_meta(session, META_PROVIDER_NAME)


def set_provider_name(store: Sessions, name: str) -> Done[str]:
    """Set the provider's name once (it can be corrected later); returns it as stored."""
    from sendobserve.storage.meta import META_PROVIDER_NAME, set_meta

    name = " ".join(name.split())
    if not name:
        raise UserError("Type the provider's name: the organisation (or sole provider) "
                        "that Form 4 and Form 5 are issued by.")
    if len(name) > 200:
        raise UserError("The provider's name is too long (200 characters at most).")
    with store.session() as session:
        set_meta(session, META_PROVIDER_NAME, name)
    return Done(name, Changes(settings=True))


def ensure_signing_root(store: Sessions, organisation: str | None) -> RootCA:
    """The store's signing root; a new one is named after ``organisation``, else the
    provider's name set for the store. With neither, nothing is made: a placeholder name
    would be printed on certificates and signed into every pack."""
    from sendobserve.pki.certificates import ensure_root
    from sendobserve.storage.repositories.certificates import PkiRepository

    keys = PkiRepository(store.session)
    existing = keys.load_root()
    if existing is not None:
        return existing
    name = organisation or provider_name(store)
    if not name:
        raise UserError(PROVIDER_NAME_NEEDED)
    return ensure_root(keys, name)


def signing_root_certificate(store: Sessions) -> bytes | None:
    """The store's signing root certificate (PEM), if one was made; never its key."""
    from sendobserve.storage.repositories.certificates import PkiRepository

    root = PkiRepository(store.session).load_root()
    return None if root is None else root.cert_pem


def root_organisation(root: RootCA) -> str:
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    orgs = x509.load_pem_x509_certificate(root.cert_pem).subject.get_attributes_for_oid(
        NameOID.ORGANIZATION_NAME)
    return str(orgs[0].value) if orgs else ""


def issue_certificate(
    store: Sessions,
    plan: CertificatePlan,
    signer: Observer,
    *,
    organisation: str | None = None,
    today: date | None = None,
    deliver: Callable[[bytes], None] | None = None,
    signer_drawing: bytes | None = None,
    mediator_drawing: bytes | None = None,
) -> IssuedDocument:
    """Issue (or re-print) Form 4 or 5 signed by ``signer``; log it in one transaction.

    ``signer_drawing`` and ``mediator_drawing`` are the drawn signatures (PNG, checked by
    ``drawings.check_drawing``), stored with a new certificate and printed above the
    lines. A re-print keeps the first issue's serial, date, code, signer *and drawings*
    (the ones given are not used), so it is identical in content.

    ``deliver`` runs inside that transaction with the signed PDF: if it raises (the CLI
    could not write the file), the issue is not logged either.
    """
    from sendobserve.pki import certificates as pki
    from sendobserve.reports import build, certificate, signing
    from sendobserve.reports.content import CertificateIdentity
    from sendobserve.storage.repositories import in_session
    from sendobserve.storage.repositories.certificates import CertificateRepository

    today = today or date.today()
    form_number = plan.form_number
    # The gate is the assessment as it stands now, never a plan made earlier.
    plan = plan_certificate(store, plan.record.mediator.id, form_number, today=today)
    record, report = plan.record, plan.report
    if plan.refusal:
        raise CertificateRefused(plan.refusal, hint=plan.hint)
    if plan.reprint_signer is not None and plan.reprint_signer.id != signer.id:
        raise UserError(
            f"Form {form_number} was issued to {record.mediator.name} signed by "
            f"{plan.reprint_signer.name}; a re-print keeps its signer",
            hint="Re-print it with the same signer.")
    if report is not None:
        refusal = form4_refusal(report, signer)
        if refusal:
            raise CertificateRefused(refusal)
    if plan.passport is not None:
        refusal = form5_refusal(plan.passport, signer)
        if refusal:
            raise CertificateRefused(refusal)
    from sendobserve.reports.drawings import check_drawing

    if signer_drawing is not None:
        check_drawing(signer_drawing, f"the drawn signature of {signer.name}")
    if mediator_drawing is not None:
        check_drawing(mediator_drawing, f"the drawn signature of {record.mediator.name}")
    # The name given now, else the provider's name set for the store; never a placeholder.
    organisation = organisation or provider_name(store)
    if not organisation:
        raise UserError(PROVIDER_NAME_NEEDED)
    root = ensure_signing_root(store, organisation)
    key = pki.verification_key(root)
    creds = pki.issue_signer(root, signer.name)
    with store.session() as session:
        certs = CertificateRepository(in_session(session))

        def code_for(serial: str) -> str:
            facts = (f"form{form_number}", record.mediator.name, today.isoformat(), signer.name)
            return pki.verification_code(serial, facts, key)

        issued, reprint = certs.issue_or_reprint(
            form_number=form_number, mediator_id=record.mediator.id, signer_id=signer.id,
            signer_name=signer.name, issued_on=today, code_for=code_for,
            signer_drawing=signer_drawing, mediator_drawing=mediator_drawing)
        if not reprint:
            _record_accreditation(session, record.mediator.id, issued.issued_on)
        identity = CertificateIdentity(issued.serial, issued.verification_code)
        if report is None:
            unsigned = certificate.form5_pdf(build.form5_content(
                record, signer=signer, issued_on=issued.issued_on, identity=identity,
                organisation=organisation, signer_drawing=issued.signer_drawing,
                mediator_drawing=issued.mediator_drawing, passport=plan.passport))
        else:
            unsigned = certificate.form4_pdf(build.form4_content(
                record, report, signer=signer, issued_on=issued.issued_on, identity=identity,
                organisation=organisation, signer_drawing=issued.signer_drawing,
                mediator_drawing=issued.mediator_drawing))
        pdf = signing.sign_pdf(unsigned, creds, root.cert_pem, serial=issued.serial)
        if deliver is not None:
            deliver(pdf)
    return IssuedDocument(pdf, form_number, issued.serial, issued.verification_code, reprint,
                          record.mediator.name, signer.name,
                          drawn=(issued.signer_drawing is not None)
                          + (issued.mediator_drawing is not None),
                          changes=Changes(certificates=True, people=not reprint,
                                          mediators=frozenset({record.mediator.id})))


@dataclass(frozen=True, slots=True)
class RegisterEntry:
    """A certificate this store holds, as the register names it: its serial with the
    installation that issued it (each numbers its own)."""

    form_number: int
    serial: str
    issuer: str  # the issuing installation's fingerprint ('' : not recorded)
    mediator_name: str
    issued_on: date
    signer_name: str
    verification_code: str
    kept: bool = False  # kept beside another for the same trainee and form (a conflict)

    def line(self) -> str:
        from sendobserve.model.vocabulary import day_text, issuer_text

        return (f"Form {self.form_number} {self.serial} ({issuer_text(self.issuer)}) for "
                f"{self.mediator_name}, issued {day_text(self.issued_on, long=True)}, signed by "
                f"{self.signer_name}, code {self.verification_code}"
                + (" (kept beside another: a conflict)" if self.kept else ""))


def register_entries(store: Sessions, serial: str, *, code: str | None = None
                     ) -> tuple[RegisterEntry, ...]:
    """The certificates held here with ``serial`` (issued here or received, current or
    kept in conflict), each with its issuer; with ``code`` (as printed), only the one(s)
    it belongs to: a serial and its printed code name one certificate, even where two
    installations issued the same serial."""
    from sqlalchemy import select

    from sendobserve.storage import exchange as stored
    from sendobserve.storage.certificates import CertificateRecord
    from sendobserve.storage.exchange_controls import CertificateConflictRecord

    wanted = None if code is None else code.strip().upper().replace(" ", "")
    out = []
    with store.session() as session:
        tables: tuple[tuple[Any, bool], ...] = (
            (CertificateRecord, False), (CertificateConflictRecord, True))
        for table, kept in tables:
            rows = session.scalars(select(table).where(table.serial == serial.strip())
                                   .order_by(table.created_at, table.issuer)).all()
            names = stored.mediators_by_id(session, [r.mediator_id for r in rows])
            out += [RegisterEntry(r.form_number, r.serial, r.issuer,
                                  names[r.mediator_id].name if r.mediator_id in names
                                  else "?", r.issued_on, r.signer_name, r.verification_code,
                                  kept)
                    for r in rows if wanted is None or r.verification_code == wanted]
    return tuple(out)


def _record_accreditation(session: Any, mediator_id: uuid.UUID, issued_on: date) -> None:
    """The first Form 4 or Form 5 issued makes the mediator accredited from that day, in
    the same transaction as the certificate (re-registration is counted from it; the
    panel's stage reads it). An accreditation date already recorded is kept."""
    from sendobserve.storage.records import MediatorRecord

    row = session.get(MediatorRecord, mediator_id)
    if row is not None and row.accredited_on is None:
        row.accredited_on = issued_on
