"""Importing an opened exchange file into the store: a preview first, then one transaction.

``preview_import`` only reads. ``apply_import`` recomputes the same plan inside the
caller's session and writes it; the caller's ``with store.session()`` block commits
once, so a crash or kill part-way leaves the store as it was (SQLite's WAL discards an
uncommitted transaction). The merge rules are in ``sendobserve.exchange.merge``.

An import changes only what its signer may change. Refused whole, with nothing written:
a file that gives an observation held here another trainee, case, observer, form,
ordinal, date or signature; one whose observation does not match what its author signed
here, or names another author; one that reuses an amendment id of another observation;
and one carrying a form version that claims to be the Standards' own without being it
(no provider) or an adaptation the rules refuse. Imported form versions never become the
version new observations start on.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from sqlalchemy.orm import Session

from sendobserve.errors import UserError
from sendobserve.exchange.bundle import OpenedBundle
from sendobserve.exchange.codec import (
    FormText,
    ObservationVersion,
    decode_version,
    versions_of,
)
from sendobserve.exchange.errors import ExchangeError, ExchangeProblem
from sendobserve.exchange.evidence import EvidencePlan, plan_evidence, write_evidence
from sendobserve.exchange.logs import (
    KIND_OF,
    LOG_KINDS,
    RecordAction,
    RecordPlan,
    Versioned,
    decide,
    record_digest,
    record_json,
)
from sendobserve.exchange.merge import (
    DetailDifference,
    ImportPlan,
    ObservationAction,
    plan_import,
)
from sendobserve.exchange.settle import (
    ControlLine,
    deleted_versions,
    plan_controls,
    settle,
    tombstone_action,
    write_controls,
)
from sendobserve.forms.loader import load_form_text
from sendobserve.forms.registry import FormAdaptationError, FormRegistry
from sendobserve.model import vocabulary
from sendobserve.model.domain import (
    Case,
    Mediator,
    ObservationState,
    Observer,
    utcnow,
)
from sendobserve.model.validation import validate_record
from sendobserve.model.vocabulary import day_text
from sendobserve.pki.canonical import canonical_json
from sendobserve.pki.control import ErasureRecord
from sendobserve.pki.controls import EVIDENCE
from sendobserve.pki.identity import Identity, Revocation, fingerprint
from sendobserve.pki.provenance import Provenance, identity_fields, verify_origin
from sendobserve.storage import exchange as stored
from sendobserve.storage._crash import crash_point
from sendobserve.storage.repositories import (
    CaseRepository,
    FormVersionRepository,
    MediatorRepository,
    ObserverRepository,
)
from sendobserve.storage.repositories.forms import load_registry

CRASH_MID_APPLY = "exchange.import.mid_apply"
CRASH_MID_CONTROLS = "exchange.import.mid_controls"  # stored, not yet settled


def observation_label(form_id: str, ordinal: int) -> str:
    """"Form 2, 1st observation" ("Form 1, 2nd case"): how a mediator names one."""
    word = "case" if form_id == "form1" else "observation"
    return f"Form {form_id.removeprefix('form')}, {vocabulary.ordinal(ordinal)} {word}"


class SignerStatus(StrEnum):
    NEW = "new"  # first file from this key: compare the fingerprint before trusting it
    KNOWN = "known"
    THIS_INSTALLATION = "this_installation"


@dataclass(frozen=True, slots=True)
class SignerInfo:
    name: str  # as the exporter named themselves in this file
    fingerprint: str
    status: SignerStatus
    known_as: str | None = None  # the name last seen with this key, when known
    first_seen_at: datetime | None = None
    # Another key already signed files under this name: a new laptop, or an impostor.
    name_used_by_other_key: bool = False
    # Revoked from this moment (a lost laptop): this file was signed before it, so it is
    # accepted, marked (a file signed from then on is refused).
    revoked_from: datetime | None = None


@dataclass(frozen=True, slots=True)
class ObservationLine:
    observation_id: uuid.UUID
    label: str
    action: ObservationAction
    # Fingerprint of the installation that finalised it, when the file or store says.
    author: str | None = None


@dataclass(frozen=True, slots=True)
class RecordCount:
    kind: str
    added: int
    updated: int
    conflicts: int
    unchanged: int

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind]


KIND_LABELS = {"training": "Training", "reflections": "Reflection", "cpd": "CPD",
               "contacts": "Mentoring and supervision", "discretions": "Discretions",
               "mediator": "Mediator details", "case": "Cases", "observer": "Observers",
               "evidence": "Evidence files"}


@dataclass(frozen=True, slots=True)
class ErasureLine:
    record: ErasureRecord
    applies: bool
    reason: str
    held_name: str | None  # the mediator's name here, when this store holds them


@dataclass(frozen=True, slots=True)
class ImportPreview:
    signer: SignerInfo
    exported_at: datetime
    format_version: int
    new_mediators: tuple[str, ...]
    new_observers: tuple[str, ...]
    new_cases: tuple[str, ...]
    new_forms: tuple[str, ...]
    observations: tuple[ObservationLine, ...]
    differences: tuple[DetailDifference, ...]
    differing_forms: tuple[str, ...]
    already_imported_at: datetime | None
    changes_store: bool
    # The rest of the record (schema 2): per kind, how many are new, updated, in
    # conflict (kept beside ours) and already here; and the records in conflict.
    record_counts: tuple[RecordCount, ...] = ()
    record_conflicts: tuple[str, ...] = ()
    content_schema: int = 1
    # Revocations carried by the file, each with whether this import applies it.
    revocations: tuple[tuple[Revocation, bool], ...] = ()
    # Tombstones, decisions and certificates the file carries, with what each does.
    controls: tuple[ControlLine, ...] = ()
    # Erasure records carried by the file and not yet held here, each with whether this
    # import applies it, why, and the mediator's name when this store holds them.
    erasures: tuple[ErasureLine, ...] = ()

    def count(self, action: ObservationAction) -> int:
        return sum(1 for line in self.observations if line.action is action)

    def lines(self) -> list[str]:
        """The preview as plain text lines (CLI, and the dialog's details)."""
        s = self.signer
        status = {
            SignerStatus.NEW: "FIRST TIME SEEN: compare this fingerprint with them",
            SignerStatus.KNOWN: f"known since {s.first_seen_at:%Y-%m-%d}"
            if s.first_seen_at else "known",
            SignerStatus.THIS_INSTALLATION: "this installation",
        }[s.status]
        out = [f"Signed by: {s.name}", f"Fingerprint: {s.fingerprint} ({status})"]
        if s.known_as and s.known_as != s.name:
            out.append(f"  (this key was last seen named {s.known_as!r})")
        if s.name_used_by_other_key:
            out.append(f"  WARNING: files signed as {s.name!r} came from another key before: "
                       "check the fingerprint with them before importing.")
        if s.revoked_from is not None:
            out.append(f"  REVOKED installation (from {s.revoked_from:%Y-%m-%d %H:%M} UTC): "
                       "this file is dated before that, so it is accepted, marked.")
        for r, applies in self.revocations:
            out.append(f"Revokes installation {r.fingerprint} from "
                       f"{r.revoked_from:%Y-%m-%d %H:%M} UTC ({r.reason}; {r.decided_by})"
                       + ("" if applies else ": NOT applied, its sender is not known here "
                          "yet"))
        for e in self.erasures:
            who = e.held_name or f"mediator {e.record.subject} (not held here)"
            out.append(f"Erases {who}: erased on installation {e.record.fingerprint} on "
                       f"{e.record.erased_at:%Y-%m-%d %H:%M} UTC"
                       + ("" if e.record.certificates else ", issued certificates kept")
                       + (f" ({e.reason})" if e.applies else f": NOT applied, {e.reason}"))
        out.append(f"Exported: {self.exported_at:%Y-%m-%d %H:%M} UTC")
        if self.already_imported_at is not None:
            out.append(f"This file was already imported on {self.already_imported_at:%Y-%m-%d}.")
        for title, items in (("New mediators", self.new_mediators),
                             ("New observers", self.new_observers),
                             ("New cases", self.new_cases),
                             ("New form versions", self.new_forms)):
            if items:
                out.append(f"{title}: {', '.join(items)}")
        words = {
            ObservationAction.ADD: "add",
            ObservationAction.UPDATE: "update (later amendments)",
            ObservationAction.CONFLICT: "CONFLICT (amended differently; both versions kept)",
            ObservationAction.ALREADY_HERE: "already here",
        }
        out.append(f"Observations: {len(self.observations)} "
                   f"({self.count(ObservationAction.ADD)} new, "
                   f"{self.count(ObservationAction.UPDATE)} updated, "
                   f"{self.count(ObservationAction.CONFLICT)} in conflict, "
                   f"{self.count(ObservationAction.ALREADY_HERE)} already here)")
        for line in self.observations:
            author = (f" (finalised on installation {line.author})" if line.author
                      else " (finalised before installations signed observations)")
            out.append(f"  {words[line.action]}: {line.label}{author}")
        for c in self.record_counts:
            out.append(f"{c.label}: {c.added} new, {c.updated} updated, {c.conflicts} in "
                       f"conflict, {c.unchanged} already here")
        for label in self.record_conflicts:
            out.append(f"  CONFLICT (edited differently; ours kept, theirs kept beside): "
                       f"{label}")
        words_of = {"new": "new", "already_here": "already here",
                    "conflict": "CONFLICT (another is held: both kept)",
                    "issuer": "already here; the file names the installation that issued it"}
        for control in self.controls:
            out.append(f"{control.what.capitalize()}: {control.label}: "
                       + (control.action.upper() if control.refused
                          else words_of[control.action]))
        for d in self.differences:
            out.append(f"Kept this store's details of {d.kind} {d.label!r}; the file differs "
                       f"in: {', '.join(d.fields)}")
        for form in self.differing_forms:
            out.append(f"Kept this store's text of form {form}; the file's text differs")
        if not self.changes_store:
            out.append("Nothing to import: this store already holds everything in the file.")
        return out


@dataclass(frozen=True, slots=True)
class ImportResult:
    preview: ImportPreview
    added: int
    updated: int
    conflicts: int
    unchanged: int
    written: bool  # False when nothing at all was written


def _payload_sha256(opened: OpenedBundle) -> str:
    return hashlib.sha256(opened.payload_bytes).hexdigest()


def _refuse(message: str, hint: str | None = None) -> ExchangeError:
    return ExchangeError(ExchangeProblem.BAD_INPUT, f"{message}; nothing was imported.",
                         hint=hint or "The file may have been made to rewrite records held "
                         "here: do not import it, and ask its sender about it.")


def _check_rights(session: Session, opened: OpenedBundle,
                  held: dict[uuid.UUID, stored.StoredObservation],
                  authors: dict[uuid.UUID, Provenance]) -> None:
    """Refuse a file that would change what an observation held here is, or who made it."""
    p = opened.payload
    incoming_authors = {v.observation_id: v for v in p.provenance}
    for i, version in enumerate(versions_of(p)):
        o = version.observation
        here = held.get(o.id)
        if here is None:
            continue
        label = f"observation {i + 1} in the file"
        if identity_fields(o) != identity_fields(here.observation):
            raise _refuse(f"The file gives {label}, held here, another trainee, case, "
                          "observer, form, date or signature")
        author = authors.get(o.id)
        theirs = incoming_authors.get(o.id)
        if author is not None and theirs is not None \
                and theirs.public_key != author.public_key:
            raise _refuse(f"The file names another author for {label} than the "
                          f"installation that finalised it ({author.fingerprint})")
        if author is not None and not verify_origin(author, o, version.marks,
                                                    version.debrief_notes, version.amendments):
            raise _refuse(f"{label.capitalize()} does not match what its author "
                          f"({author.fingerprint}) signed when finalising it")
    amendment_owner = stored.amendment_owners(session, [a.id for a in p.amendments])
    for a in p.amendments:
        owner = amendment_owner.get(a.id)
        if owner is not None and owner != a.observation_id:
            raise _refuse("The file reuses the id of an amendment of another observation")
    _check_forms(session, opened)


def _check_forms(session: Session, opened: OpenedBundle) -> None:
    """A form version from a file is the Standards' own exactly as shipped, or an
    adaptation the rules accept; anything else is refused."""
    registry = load_registry(session)
    standard = FormRegistry.standard()
    for f in opened.payload.forms:
        key = (f.form_id, f.version)
        if key in standard:  # the Standards' own version: the file's text must be it
            if load_form_text(f.yaml_text, f"{f.form_id} {f.version}") \
                    != standard.get(f.form_id, f.version):
                raise _refuse(f"The file's text of form {f.form_id} {f.version} differs from "
                              "the Standards' own version of that name")
            continue
        if key in registry:
            continue  # ours is kept (a differing text is reported, never stored)
        definition = load_form_text(f.yaml_text, f"{f.form_id} {f.version}")
        if definition.provider is None:
            raise _refuse(
                f"The file carries form {f.form_id} {f.version} as if it were the "
                "Standards' own, but it is not a version of the Standards this installation "
                "knows",
                hint="A provider's own form names its provider and the version it is "
                "based on. If the Standards have a new version, update sendobserve.",
            )
        try:
            registry.add(definition, source_name=f"{f.form_id} {f.version} (in the file)")
        except FormAdaptationError as exc:
            raise _refuse(f"The file's form {f.form_id} {f.version} is not an adaptation "
                          f"the Standards allow ({exc.message.rstrip('.')})") from None


def _check_not_revoked(session: Session, opened: OpenedBundle) -> Revocation | None:
    """Refuse a file its signer signed after being revoked; the revocation, if earlier."""
    revoked = stored.revocations(session).get(opened.fingerprint)
    if revoked is not None and opened.payload.created_at >= revoked.revoked_from:
        raise ExchangeError(
            ExchangeProblem.BAD_SIGNATURE,
            f"This file is signed by an installation revoked from "
            f"{revoked.revoked_from:%Y-%m-%d %H:%M} UTC ({revoked.reason.strip()[:200]}; "
            f"{revoked.decided_by}); nothing was imported.",
            hint="Files it signed before that date are kept. Ask for the records to be sent "
            "again from another installation.",
        )
    return revoked


def _revocations_applied(session: Session, opened: OpenedBundle
                         ) -> tuple[tuple[Revocation, bool], ...]:
    """A file's revocations apply when its signer was known here before this file, never
    to this installation's own key."""
    if not opened.payload.revocations:
        return ()
    trusted = stored.known_signer(session, opened.fingerprint) is not None
    own = stored.StoredSigningKey(session).load_signing_key()
    own_public = Identity.from_private_bytes(own).public_key if own else None
    return tuple((r, trusted and r.public_key != own_public)
                 for r in opened.payload.revocations)


def _erasures_carried(session: Session, opened: OpenedBundle) -> tuple[ErasureLine, ...]:
    """The file's erasure records not yet held here, each with whether it applies
    (``storage.erasure_records.erasure_allowed``: who may erase here)."""
    from sendobserve.storage import erasure_records

    lines = []
    for record in opened.payload.erasures:
        if erasure_records.is_held(session, record):
            continue
        verdict = erasure_records.erasure_allowed(session, record)
        held = stored.mediators_by_id(session, [record.subject]).get(record.subject)
        lines.append(ErasureLine(record, verdict.allowed, verdict.reason,
                                 held.name if held else None))
    return tuple(lines)


def _check_not_erased(session: Session, opened: OpenedBundle) -> None:
    """Refuse a file that carries a mediator erased here, or erased by this very file; and
    one that would erase a mediator held here on the word of an installation not allowed
    to erase here."""
    from sendobserve.storage import erasure_records

    carried = _erasures_carried(session, opened)
    for line in carried:
        if line.held_name is not None and not line.applies:
            raise ExchangeError(
                ExchangeProblem.BAD_SIGNATURE,
                f"This file carries an erasure of a mediator held here, signed by an "
                f"installation that may not erase here ({line.reason}); nothing was "
                "imported.",
                hint="Only the provider's admin or PPC installations may erase. If the "
                "provider decided this one may, compare its fingerprint with them and name "
                "it with `sendobserve identity --allow-erasure`.",
            )
    erased = set(erasure_records.erased_subjects(session))
    erased |= {e.record.subject for e in carried if e.applies}
    p = opened.payload
    people = {m.id for m in p.mediators} | {c.mediator_id for c in p.cases}
    if people & erased:
        raise ExchangeError(
            ExchangeProblem.BAD_INPUT,
            "This file carries the records of a mediator whose records were erased; "
            "nothing was imported.",
            hint="An erasure reaches every copy: ask the sender to import the erasure "
            "record (any file from this installation carries it) before sending again.",
        )


def _plan(session: Session, opened: OpenedBundle) -> ImportPlan:
    _check_not_revoked(session, opened)
    _check_not_erased(session, opened)
    p = opened.payload
    held = stored.stored_observations(session, [o.id for o in p.observations])
    authors = stored.provenance_of(session, list(held))
    _check_rights(session, opened, held, authors)
    heads: dict[uuid.UUID, tuple[ObservationVersion, ...]] = {}
    for oid, obs in held.items():
        if obs.observation.state is ObservationState.DRAFT:
            raise ExchangeError(
                ExchangeProblem.BAD_INPUT,
                f"Observation {oid} is a draft in this store and finalised in the file; "
                "nothing was imported.",
                hint="Finalise or discard the draft here, then import again.",
            )
        current = ObservationVersion.of(obs.observation, obs.marks, obs.debrief_notes,
                                        obs.amendments)
        heads[oid] = (current, *(decode_version(v) for v in obs.conflicts))
    plan = plan_import(
        p,
        mediators=stored.mediators_by_id(session, [m.id for m in p.mediators]),
        observers=stored.observers_by_id(session, [o.id for o in p.observers]),
        cases=stored.cases_by_id(session, [c.id for c in p.cases]),
        heads=heads,
        form_digests=stored.form_digests(session, [(f.form_id, f.version) for f in p.forms]),
    )
    for d in plan.differences:
        if d.kind == "case" and "mediator_id" in d.fields:
            raise ExchangeError(
                ExchangeProblem.BAD_INPUT,
                f"Case {d.label!r} belongs to another mediator in this store; nothing was "
                "imported.",
            )
    if p.schema >= 2:  # these travel with a history: merged, not just reported
        plan = replace(plan, differences=tuple(
            d for d in plan.differences if d.kind not in ("mediator", "case", "observer")))
        gone = deleted_versions(session, {m.id for m in p.mediators})
        observed = {o.case_id for o in p.observations}
        plan = replace(plan, new_cases=tuple(
            c for c in plan.new_cases if c.id in observed
            or record_digest(c) not in gone.get(("case", c.id), frozenset())))
    return plan


def _plan_records(session: Session, opened: OpenedBundle) -> tuple[RecordPlan, ...]:
    """Each training, reflection, CPD, contact, discretion and mediator record in the
    file, with what importing it does (``logs.decide``)."""
    p = opened.payload
    if p.schema < 2:
        return ()
    incoming: list[Versioned] = [*p.mediators, *p.cases, *p.observers]
    for kind in LOG_KINDS:
        incoming.extend(p.log_records(kind))
    gone = deleted_versions(session, {m.id for m in p.mediators})
    observed = {o.case_id for o in p.observations}
    keys = [(KIND_OF[type(r)], r.id) for r in incoming]
    histories = stored.record_histories(session, keys)
    conflicts = stored.record_conflict_digests(session, keys)
    sent = {(h.kind, h.id): frozenset(h.digests) for h in p.history}
    held: dict[str, dict[uuid.UUID, Versioned]] = {}
    for kind in (*LOG_KINDS, "mediator", "case", "observer"):
        ids = [rid for k, rid in keys if k == kind]
        held[kind] = stored.versioned_by_id(session, kind, ids) if ids else {}
    plans = []
    for record, key in zip(incoming, keys, strict=True):
        ours = held[key[0]].get(record.id)
        if ours is not None and getattr(ours, "mediator_id", None) \
                != getattr(record, "mediator_id", None):
            raise _refuse(f"The file moves a {KIND_LABELS[key[0]].lower()} record held here "
                          "to another trainee")
        plan = decide(record, sent.get(key, frozenset()), ours,
                      histories.get(key, frozenset()), conflicts.get(key, frozenset()))
        if ours is None and plan.digest in gone.get(key, frozenset()) \
                and record.id not in observed:  # deleted here: it stays deleted
            plan = replace(plan, action=RecordAction.ALREADY_HERE, joins_history=False)
        plans.append(plan)
    return tuple(plans)


def _record_label(plan: RecordPlan) -> str:
    r = plan.record
    if isinstance(r, Mediator):
        return f"mediator details of {r.name}"
    if isinstance(r, Case):
        return f"case {r.reference}"
    if isinstance(r, Observer):
        return f"observer {r.name}"
    when = next((getattr(r, f) for f in ("start_date", "reflected_on", "done_on", "met_on",
                                         "decided_on") if hasattr(r, f)), None)
    return f"{KIND_LABELS[plan.kind].lower()} of {when}"


def _record_counts(plans: tuple[RecordPlan, ...]) -> tuple[RecordCount, ...]:
    out = []
    for kind in ("mediator", "case", "observer", *LOG_KINDS):
        mine = [p.action for p in plans if p.kind == kind]
        if kind in ("mediator", "case", "observer") and all(
                a in (RecordAction.ALREADY_HERE, RecordAction.ADD) for a in mine):
            continue  # new ones are listed above; unchanged ones need no line
        if mine:
            out.append(RecordCount(kind, mine.count(RecordAction.ADD),
                                   mine.count(RecordAction.UPDATE),
                                   mine.count(RecordAction.CONFLICT),
                                   mine.count(RecordAction.ALREADY_HERE)))
    return tuple(out)


def _revocations_change_store(session: Session,
                              revocations: tuple[tuple[Revocation, bool], ...]) -> bool:
    held = stored.revocations(session)
    return any(applies and (r.fingerprint not in held
                            or r.revoked_from < held[r.fingerprint].revoked_from)
               for r, applies in revocations)


def _records_change_store(plans: tuple[RecordPlan, ...]) -> bool:
    return any(p.action is not RecordAction.ALREADY_HERE or p.settles for p in plans)


def _form_label(f: FormText) -> str:
    return f"Form {f.form_id.removeprefix('form')} (version {f.version})"


def _plan_evidence(session: Session, opened: OpenedBundle,
                   records: tuple[RecordPlan, ...]) -> EvidencePlan:
    """The file's evidence files whose entry this store holds or the import adds: an entry
    deleted here (a tombstone keeps it deleted) takes its files with it."""
    from sendobserve.storage.evidence import entry_owner

    added = {(r.kind, r.record.id) for r in records if r.action is RecordAction.ADD}
    items = tuple(i for i in opened.payload.evidence
                  if (i.file.entry_kind.value, i.file.entry_id) in added
                  or entry_owner(session, i.file.entry_kind, i.file.entry_id) is not None)
    # A file removed elsewhere, whose signed removal the same file carries, is not added.
    removed = [t.record_id for t in opened.payload.tombstones if t.kind == EVIDENCE
               and not tombstone_action(session, t).startswith("refused")]
    return plan_evidence(session, items, removed)


def _preview(session: Session, opened: OpenedBundle, plan: ImportPlan,
             own: Identity | None, records: tuple[RecordPlan, ...] = (),
             evidence: EvidencePlan | None = None) -> ImportPreview:
    p = opened.payload
    evidence = evidence or _plan_evidence(session, opened, records)
    evidence_count = (RecordCount("evidence", len(evidence.new), 0, 0, evidence.already_here),
                      ) if p.evidence else ()
    controls = plan_controls(session, p.tombstones, p.decisions, p.certificates)
    known = stored.known_signer(session, opened.fingerprint)
    if own is not None and own.public_key == opened.signer_public_key:
        signer = SignerInfo(p.exported_by, opened.fingerprint, SignerStatus.THIS_INSTALLATION)
    elif known is not None:
        signer = SignerInfo(p.exported_by, opened.fingerprint, SignerStatus.KNOWN,
                            known.name, known.first_seen_at)
    else:
        same_name = any(k.name.casefold() == p.exported_by.casefold()
                        for k in stored.known_signers(session))
        signer = SignerInfo(p.exported_by, opened.fingerprint, SignerStatus.NEW,
                            name_used_by_other_key=same_name)
    revoked = stored.revocations(session).get(opened.fingerprint)
    if revoked is not None:
        signer = replace(signer, revoked_from=revoked.revoked_from)
    revocations = _revocations_applied(session, opened)
    erasures = _erasures_carried(session, opened)
    observers = {o.id: o.name for o in p.observers}
    cases = {c.id: c.reference for c in p.cases}
    authors = {v.observation_id: v.public_key for v in p.provenance}
    authors.update((k, v.public_key) for k, v in
                   stored.provenance_of(session, list(authors) + [
                       o.id for o in p.observations]).items())
    lines = tuple(
        ObservationLine(
            op.observation_id,
            f"{observation_label(o.form_id, o.ordinal)}, case {cases[o.case_id]}, "
            f"{day_text(o.observed_on)} by {observers[o.observer_id]}",
            op.action,
            fingerprint(authors[o.id]) if o.id in authors else None,
        )
        for op, o in zip(plan.observations, p.observations, strict=True)
    )
    return ImportPreview(
        signer=signer,
        exported_at=p.created_at,
        format_version=opened.format_version,
        new_mediators=tuple(m.name for m in plan.new_mediators),
        new_observers=tuple(o.name for o in plan.new_observers),
        new_cases=tuple(c.reference for c in plan.new_cases),
        new_forms=tuple(_form_label(f) for f in plan.new_forms),
        observations=lines,
        differences=plan.differences,
        differing_forms=tuple(_form_label(f) for f in plan.differing_forms),
        already_imported_at=stored.imported_at(session, _payload_sha256(opened)),
        changes_store=plan.changes_store or _records_change_store(records)
        or evidence.changes_store
        or _revocations_change_store(session, revocations)
        or any(c.action in ("new", "conflict", "issuer") for c in controls)
        or any(e.applies for e in erasures),
        controls=controls,
        record_counts=_record_counts(records) + evidence_count,
        content_schema=p.schema,
        revocations=revocations,
        erasures=erasures,
        record_conflicts=tuple(_record_label(r) for r in records
                               if r.action is RecordAction.CONFLICT),
    )


def preview_import(session: Session, opened: OpenedBundle, *,
                   own: Identity | None = None) -> ImportPreview:
    """What importing ``opened`` would do. Reads only."""
    return _preview(session, opened, _plan(session, opened), own,
                    _plan_records(session, opened))


def apply_import(session: Session, opened: OpenedBundle, *,
                 own: Identity | None = None) -> ImportResult:
    """Import ``opened`` inside the caller's transaction (commit is the caller's block).

    Nothing at all is written when the store already holds everything and the file
    and its signer are already on record: importing a file twice changes nothing.
    """
    plan = _plan(session, opened)
    records = _plan_records(session, opened)
    evidence = _plan_evidence(session, opened, records)
    preview = _preview(session, opened, plan, own, records, evidence)
    counts = dict(
        added=plan.count(ObservationAction.ADD),
        updated=plan.count(ObservationAction.UPDATE),
        conflicts=plan.count(ObservationAction.CONFLICT),
        unchanged=plan.count(ObservationAction.ALREADY_HERE),
    )
    signer_on_record = stored.known_signer(session, opened.fingerprint) is not None
    if not preview.changes_store and preview.already_imported_at is not None \
            and signer_on_record:
        return ImportResult(preview=preview, written=False, **counts)

    try:
        _write(session, opened, plan)
        _write_records(session, opened, records)
        write_evidence(session, evidence)
        for revocation, applies in preview.revocations:
            if applies:
                stored.record_revocation(session, revocation, recorded_by=opened.fingerprint,
                                         at=utcnow())
        p = opened.payload
        write_controls(session, p.tombstones, p.decisions, p.certificates,
                       plan_controls(session, p.tombstones, p.decisions, p.certificates))
        crash_point(CRASH_MID_CONTROLS)
        settle(session, {m.id for m in p.mediators})
        _apply_erasures(session, opened, preview.erasures)
        _note_sources(session, opened, plan, records)
    except ExchangeError:
        raise
    except UserError as exc:  # a record this store's own rules refuse (e.g. a future date)
        raise ExchangeError(
            ExchangeProblem.INVALID_PAYLOAD,
            f"The file cannot be stored here: {exc.message.rstrip('.')}; nothing was imported.",
            hint=exc.hint,
        ) from None
    return ImportResult(preview=preview, written=True, **counts)


def _note_sources(session: Session, opened: OpenedBundle, plan: ImportPlan,
                  records: tuple[RecordPlan, ...]) -> None:
    """Which records this file brought or changed, for subject access (``storage.sources``)."""
    from sendobserve.storage.sources import note_sources

    p = opened.payload
    mediator_of = {o.id: o.mediator_id for o in p.observations}
    items: list[tuple[str, uuid.UUID, uuid.UUID]] = []
    items += [("mediators", m.id, m.id) for m in plan.new_mediators]
    items += [("cases", c.id, c.mediator_id) for c in plan.new_cases]
    items += [("observations", op.observation_id, mediator_of[op.observation_id])
              for op in plan.observations if op.changes_store and op.incoming_current]
    for r in records:
        if r.action in (RecordAction.ADD, RecordAction.UPDATE):
            record = r.record
            if isinstance(record, Mediator):
                items.append(("mediators", record.id, record.id))
            elif isinstance(record, Observer):
                continue  # an observer belongs to no mediator (subject access finds them)
            else:
                items.append((r.kind, record.id, record.mediator_id))
    if items:
        note_sources(session, items, payload_sha256=_payload_sha256(opened),
                     signer_fingerprint=opened.fingerprint, at=utcnow())


def _apply_erasures(session: Session, opened: OpenedBundle,
                    erasures: tuple[ErasureLine, ...]) -> None:
    """Keep each erasure that applies and delete its mediator's rows in this transaction;
    the caller finishes it after committing (``storage.erasure.complete_erasures``: the
    log truncated, the file vacuumed, every backup rewritten)."""
    from sendobserve.storage import erasure_records
    from sendobserve.storage.erasure import erase_in_transaction

    for line in erasures:
        if not line.applies:
            continue
        erasure_records.hold(session, line.record, received_from=opened.fingerprint)
        session.flush()
        erase_in_transaction(session, line.record.subject,
                             keep_certificates=not line.record.certificates)
        session.expire_all()


def _write(session: Session, opened: OpenedBundle, plan: ImportPlan) -> None:
    sessions = session
    forms = FormVersionRepository(sessions)
    for form in plan.new_forms:
        forms.store(form.form_id, form.version, form.yaml_text)
    mediators = MediatorRepository(sessions)
    for mediator in plan.new_mediators:
        mediators.add(mediator)
    observers = ObserverRepository(sessions)
    for observer in plan.new_observers:
        observers.add(observer)
    cases = CaseRepository(sessions)
    for case in plan.new_cases:
        cases.add(case)

    changing = [op for op in plan.observations if op.changes_store]
    for i, op in enumerate(changing):
        if i == len(changing) // 2:
            crash_point(CRASH_MID_APPLY)
        current, *others = op.heads_after
        if op.incoming_current:
            stored.write_observation(session, current.observation, current.marks,
                                     current.debrief_notes, current.amendments)
        stored.replace_conflicts(session, op.observation_id,
                                 {v.digest: v.to_bytes() for v in others})

    # An author's signature is kept when it verifies the version current here (a file's
    # signature on a version only kept as a conflict is not this observation's author).
    incoming = {v.observation_id: v for v in opened.payload.provenance}
    held_authors = stored.provenance_of(session, list(incoming))
    for op in plan.observations:
        prov = incoming.get(op.observation_id)
        if prov is None or op.observation_id in held_authors:
            continue
        current = op.heads_after[0]
        if verify_origin(prov, current.observation, current.marks, current.debrief_notes,
                         current.amendments):
            stored.keep_provenance(session, prov)

    now = utcnow()
    stored.remember_signer(session, opened.fingerprint, opened.signer_public_key,
                           opened.payload.exported_by, now)
    stored.log_import(session, payload_sha256=_payload_sha256(opened),
                      signer_fingerprint=opened.fingerprint,
                      exported_by=opened.payload.exported_by,
                      exported_at=opened.payload.created_at, at=now,
                      added=plan.count(ObservationAction.ADD),
                      updated=plan.count(ObservationAction.UPDATE),
                      conflicts=plan.count(ObservationAction.CONFLICT))


def _write_records(session: Session, opened: OpenedBundle,
                   plans: tuple[RecordPlan, ...]) -> None:
    now = utcnow()
    for plan in plans:
        record = plan.record
        if plan.action in (RecordAction.ADD, RecordAction.UPDATE):
            validate_record(record)
            if not (plan.action is RecordAction.ADD
                    and isinstance(record, Mediator | Case | Observer)):
                stored.write_versioned(session, plan.kind, record)  # (new ones: added above)
        if plan.joins_history:
            stored.remember_versions(session, plan.kind, record.id, plan.history)
        if plan.settles:
            stored.drop_record_conflicts(session, plan.kind, record.id, plan.settles)
        if plan.action is RecordAction.CONFLICT:
            stored.keep_record_conflict(session, plan.kind, record, plan.digest,
                                        canonical_json(record_json(record)),
                                        opened.fingerprint, now,
                                        mediator_id=opened.payload.mediators[0].id
                                        if isinstance(record, Observer) else None)
