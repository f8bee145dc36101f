"""Importing an opened exchange file into the store: a preview first, then one transaction.

``preview_import`` only reads. ``apply_import`` recomputes the same plan inside the
caller's session and writes it; the caller's ``with store.session()`` block commits
once, so a crash or kill part-way leaves the store as it was (SQLite's WAL discards an
uncommitted transaction). The merge rules are in ``sendobserve.exchange.merge``.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy.orm import Session

from sendobserve.errors import UserError
from sendobserve.exchange.bundle import OpenedBundle
from sendobserve.exchange.codec import FormText, ObservationVersion, decode_version
from sendobserve.exchange.errors import ExchangeError, ExchangeProblem
from sendobserve.exchange.identity import Identity
from sendobserve.exchange.merge import (
    DetailDifference,
    ImportPlan,
    ObservationAction,
    plan_import,
)
from sendobserve.model.domain import ObservationState, utcnow
from sendobserve.storage import exchange as stored
from sendobserve.storage._crash import crash_point
from sendobserve.storage.repositories import (
    CaseRepository,
    FormVersionRepository,
    MediatorRepository,
    ObserverRepository,
    in_session,
)

CRASH_MID_APPLY = "exchange.import.mid_apply"


def observation_label(form_id: str, ordinal: int) -> str:
    """"Form 2, 1st observation" ("Form 1, 2nd case"): how a mediator names one."""
    suffix = "th" if 10 <= ordinal % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(
        ordinal % 10, "th")
    word = "case" if form_id == "form1" else "observation"
    return f"Form {form_id.removeprefix('form')}, {ordinal}{suffix} {word}"


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


@dataclass(frozen=True, slots=True)
class ObservationLine:
    observation_id: uuid.UUID
    label: str
    action: ObservationAction


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
            out.append(f"  {words[line.action]}: {line.label}")
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


def _plan(session: Session, opened: OpenedBundle) -> ImportPlan:
    p = opened.payload
    held = stored.stored_observations(session, [o.id for o in p.observations])
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
    return plan


def _form_label(f: FormText) -> str:
    return f"Form {f.form_id.removeprefix('form')} (version {f.version})"


def _preview(session: Session, opened: OpenedBundle, plan: ImportPlan,
             own: Identity | None) -> ImportPreview:
    p = opened.payload
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
    observers = {o.id: o.name for o in p.observers}
    cases = {c.id: c.reference for c in p.cases}
    lines = tuple(
        ObservationLine(
            op.observation_id,
            f"{observation_label(o.form_id, o.ordinal)}, case {cases[o.case_id]}, "
            f"{o.observed_on:%-d %b %Y} by {observers[o.observer_id]}",
            op.action,
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
        changes_store=plan.changes_store,
    )


def preview_import(session: Session, opened: OpenedBundle, *,
                   own: Identity | None = None) -> ImportPreview:
    """What importing ``opened`` would do. Reads only."""
    return _preview(session, opened, _plan(session, opened), own)


def apply_import(session: Session, opened: OpenedBundle, *,
                 own: Identity | None = None) -> ImportResult:
    """Import ``opened`` inside the caller's transaction (commit is the caller's block).

    Nothing at all is written when the store already holds everything and the file
    and its signer are already on record: importing a file twice changes nothing.
    """
    plan = _plan(session, opened)
    preview = _preview(session, opened, plan, own)
    counts = dict(
        added=plan.count(ObservationAction.ADD),
        updated=plan.count(ObservationAction.UPDATE),
        conflicts=plan.count(ObservationAction.CONFLICT),
        unchanged=plan.count(ObservationAction.ALREADY_HERE),
    )
    signer_on_record = stored.known_signer(session, opened.fingerprint) is not None
    if not plan.changes_store and preview.already_imported_at is not None \
            and signer_on_record:
        return ImportResult(preview=preview, written=False, **counts)

    try:
        _write(session, opened, plan)
    except ExchangeError:
        raise
    except UserError as exc:  # a record this store's own rules refuse (e.g. a future date)
        raise ExchangeError(
            ExchangeProblem.INVALID_PAYLOAD,
            f"The file cannot be stored here: {exc.message.rstrip('.')}; nothing was imported.",
            hint=exc.hint,
        ) from None
    return ImportResult(preview=preview, written=True, **counts)


def _write(session: Session, opened: OpenedBundle, plan: ImportPlan) -> None:
    sessions = in_session(session)
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
