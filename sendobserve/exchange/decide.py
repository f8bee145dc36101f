"""People decide conflicts; the decision is a signed record that travels.

Three kinds of conflict are listed here besides the kept observation and record versions
of ``conflicts``: a record deleted on one laptop (its signed tombstone) and edited on
another (``list_tombstone_conflicts``), and two different certificates issued for one
trainee and form (``list_certificate_conflicts``: both kept, never overwritten).

``decide_record`` and ``decide_observation`` take a decision: keep the current version, a
kept one (by the first characters of its digest), a merged version (``merged``: the
record's fields, as ``conflicts`` lists them), or, against a tombstone, let the record
stay deleted (``keep="deleted"``). ``decide_certificate`` picks which of two
certificates for one trainee and form stands (``keep`` = "current" or a serial): the other
stays, superseded by the decision (``settle.settle_certificates``); the register and
``sendobserve verify`` show it marked (``superseded_certificates``,
``certificate_standing``). Only someone whose role may decide
(``model.deciders``), named as an observer held here, can. The decision is signed by this
installation (``exchange.controls.Decision``), kept, applied here at once
(``exchange.settle``) and carried by every whole-record export, so every store that
imports it converges on it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sendobserve.errors import UserError
from sendobserve.exchange.codec import ObservationVersion, decode_version
from sendobserve.exchange.controls import (
    CERTIFICATE,
    DELETED,
    Decision,
    IssuedCertificate,
    Tombstone,
    certificate_record_id,
)
from sendobserve.exchange.errors import ExchangeError
from sendobserve.exchange.logs import Versioned, record_digest, record_json
from sendobserve.exchange.settle import (
    _case_has_observations,
    certificate_label,
    parse_version,
    settle,
)
from sendobserve.model.deciders import decider_refusal
from sendobserve.model.domain import Mediator, Observer, utcnow
from sendobserve.model.validation import validate_required_text
from sendobserve.model.vocabulary import day_text
from sendobserve.pki.controls import EVIDENCE
from sendobserve.pki.identity import load_or_create_identity
from sendobserve.storage import exchange as stored
from sendobserve.storage import exchange_controls as controls_store
from sendobserve.storage.repositories import ObserverRepository, in_session

# ---------------------------------------------------------------------------------------
# Listing


@dataclass(frozen=True, slots=True)
class TombstoneConflict:
    """A record deleted elsewhere (or here) that is still held: edited after, or without
    seeing, the deletion."""

    kind: str
    record_id: uuid.UUID
    mediator_name: str
    current: dict[str, Any]
    current_digest: str
    tombstone: Tombstone

    def lines(self) -> list[str]:
        t = self.tombstone
        return [f"{self.mediator_name}: {self.kind} {self.record_id.hex}",
                f"  Deleted {t.deleted_at:%Y-%m-%d} by {t.deleted_by} (installation "
                f"{t.fingerprint}), but the version held here {self.current_digest[:12]} "
                "was edited after, or without seeing, the deletion",
                "  (decide with: sendobserve conflicts resolve --record "
                f"{self.kind}:{self.record_id.hex} --keep current|deleted --by NAME "
                "--reason TEXT)"]


@dataclass(frozen=True, slots=True)
class CertificateConflict:
    """Two (or more) certificates issued for one trainee and form: the one that stands
    here (``current``, what a re-print uses), those beside it no decision has settled
    (``kept``), and those a decision superseded (``superseded``: kept, marked)."""

    mediator_id: uuid.UUID
    mediator_name: str
    form_number: int
    current: IssuedCertificate
    kept: tuple[IssuedCertificate, ...]
    superseded: tuple[tuple[IssuedCertificate, Decision | None], ...] = ()

    @property
    def record_id(self) -> uuid.UUID:
        return certificate_record_id(self.mediator_id, self.form_number)

    @property
    def record(self) -> str:
        """How the command line names it: ``certificate:MEDIATOR_ID/FORM``."""
        return f"{CERTIFICATE}:{self.mediator_id.hex}/{self.form_number}"

    def lines(self) -> list[str]:
        out = [f"{self.mediator_name}: two certificates on Form {self.form_number}",
               f"  Stands: {certificate_label(self.current)} (code "
               f"{self.current.verification_code}; re-prints here use it)"]
        out += [f"  Also issued: {certificate_label(k)} (code {k.verification_code})"
                for k in self.kept]
        out += [f"  Superseded: {certificate_label(c)} (code {c.verification_code})"
                + (f", by {d.decided_by}'s decision of {d.decided_at:%Y-%m-%d}: {d.reason}"
                   if d else "") for c, d in self.superseded]
        out.append("  Both are kept; a person picks the one that stands (decide with: "
                   f"sendobserve conflicts resolve --record {self.record} --keep "
                   "current|SERIAL --by NAME --reason TEXT)")
        return out


def _mediator_name(session: Session, mediator_id: uuid.UUID) -> str:
    m = stored.mediators_by_id(session, [mediator_id]).get(mediator_id)
    return m.name if m else "?"


def live_tombstone(session: Session, kind: str, record_id: uuid.UUID) -> Tombstone | None:
    """The tombstone held for a record, unless a decision kept the record over it."""
    t = controls_store.tombstones(session, keys=[(kind, record_id)]).get((kind, record_id))
    if t is None:
        return None
    for d in controls_store.decisions(session, mediator_id=t.mediator_id):
        if (d.kind, d.record_id) == (kind, record_id) and d.chosen != DELETED \
                and t.base in d.retired:
            return None
    return t


def list_tombstone_conflicts(session: Session) -> tuple[TombstoneConflict, ...]:
    out = []
    for (kind, rid), t in sorted(controls_store.tombstones(session).items(),
                                 key=lambda kv: (kv[0][0], kv[0][1].hex)):
        if kind == EVIDENCE:
            continue  # an evidence file is never edited: its tombstone always applies
        held = stored.versioned_by_id(session, kind, [rid]).get(rid)
        if held is None or live_tombstone(session, kind, rid) is None:
            continue
        out.append(TombstoneConflict(kind, rid, _mediator_name(session, t.mediator_id),
                                     record_json(held), record_digest(held), t))
    return tuple(out)


def certificate_conflict(session: Session, mediator_id: uuid.UUID, form_number: int
                         ) -> CertificateConflict | None:
    """The trainee's certificates on that form, when more than one is held and one
    beside the one standing is not settled by a decision."""
    held = controls_store.held_certificates(session, mediator_id, form_number)
    current = next((h.certificate for h in held if h.stands), None)
    kept = tuple(h.certificate for h in held if h.kept and h.superseded_by is None)
    if current is None or not kept:
        return None
    by_id = {d.id: d for d in controls_store.decisions(session, mediator_id=mediator_id)
             if d.kind == CERTIFICATE}
    return CertificateConflict(
        mediator_id, _mediator_name(session, mediator_id), form_number, current, kept,
        tuple((h.certificate, by_id.get(h.superseded_by)) for h in held
              if h.superseded_by is not None))


def list_certificate_conflicts(session: Session) -> tuple[CertificateConflict, ...]:
    keys = {(c.mediator_id, c.form_number) for c in controls_store.kept_certificates(session)}
    out = []
    for mediator_id, form_number in sorted(keys, key=lambda k: (k[0].hex, k[1])):
        conflict = certificate_conflict(session, mediator_id, form_number)
        if conflict is not None:
            out.append(conflict)
    return tuple(out)


def superseded_line(c: IssuedCertificate, d: Decision | None) -> str:
    """A superseded certificate in words, for the register and the verification."""
    by = (f"{d.decided_by}'s decision of {day_text(d.decided_at)} ({d.reason})" if d
          else "a decision")
    return (f"{certificate_label(c)} (code {c.verification_code}): SUPERSEDED by {by}; "
            "kept, not re-printed")


def superseded_certificates(session: Session, mediator_id: uuid.UUID
                            ) -> tuple[tuple[IssuedCertificate, Decision | None], ...]:
    """The trainee's certificates a person's decision superseded (kept, marked), with it."""
    by_id = {d.id: d for d in controls_store.decisions(session, mediator_id=mediator_id)
             if d.kind == CERTIFICATE}
    return tuple((h.certificate, by_id.get(h.superseded_by))
                 for h in controls_store.held_certificates(session, mediator_id)
                 if h.superseded_by is not None)


def certificate_standing(session: Session, serial: str, code: str | None = None
                         ) -> str | None:
    """What this store holds of the certificate with ``serial`` (and the verification
    ``code`` printed on it: two installations may both have issued a serial), in words:
    that it stands, that a decision superseded it (and which one stands), or that it is
    in conflict with another; None when no such certificate is held here."""
    from sendobserve.storage.certificates import CertificateRecord

    found: list[Any] = []
    for table in (CertificateRecord, controls_store.CertificateConflictRecord):
        stmt = select(table).where(table.serial == serial)
        if code is not None:
            stmt = stmt.where(table.verification_code == code)
        found += session.scalars(stmt).all()
    if len(found) != 1:
        return None if not found else (
            f"{len(found)} certificates here have the serial {serial} (issued by different "
            "installations): the code printed on the certificate tells them apart")
    row = found[0]
    held = next(
        (h for h in controls_store.held_certificates(session, row.mediator_id, row.form_number)
         if (h.certificate.serial, h.certificate.issuer) == (row.serial, row.issuer)), None)
    if held is None:
        return None
    c = held.certificate
    others = controls_store.held_certificates(session, c.mediator_id, c.form_number)
    standing = next((h.certificate for h in others if h.stands), None)
    if held.stands:
        kept = sum(1 for h in others if h.kept and h.superseded_by is None)
        return ("stands: re-prints use it" + (
            f"; {kept} other certificate(s) for the same trainee and form are in conflict "
            "with it, for a person to decide" if kept else ""))
    if held.superseded_by is not None:
        decision = next((d for d in controls_store.decisions(session,
                                                             mediator_id=c.mediator_id)
                         if d.id == held.superseded_by), None)
        line = superseded_line(c, decision).split(": SUPERSEDED ", 1)[1]
        return (f"SUPERSEDED {line}" + (f"; {standing.serial} stands" if standing else ""))
    return ("in conflict: another certificate for the same trainee and form"
            + (f" ({standing.serial})" if standing else "") + " stands until a person "
            "decides")


# ---------------------------------------------------------------------------------------
# Deciding


def find_decider(session: Session, name: str) -> Observer:
    """The observer held here named ``name`` (exactly one), if their role may decide."""
    name = validate_required_text(name, label="Who decides", field="decided_by")
    found = ObserverRepository(in_session(session)).find(name)
    exact = [o for o in found if o.name.casefold() == name.casefold()]
    if len(exact) == 1:
        found = tuple(exact)
    if len(found) != 1:
        raise UserError(f"{name!r} names {len(found)} observers held here",
                        hint="A decision is taken by someone held here as an observer (a "
                        "PPC, mentor, manager or experienced SEND mediator): give their "
                        "full name.")
    decider = found[0]
    why = decider_refusal(decider.role, decider.experienced_send)
    if why is not None:
        raise UserError(f"{decider.name} may not decide a conflict: {why}")
    return decider


def _take(session: Session, decision: Decision) -> Decision:
    identity = load_or_create_identity(stored.StoredSigningKey(session))
    signed = decision.signed(identity)
    controls_store.keep_decision(session, signed)
    settle(session, {signed.mediator_id})
    stored.log_decision(session, kind=signed.kind, record_id=signed.record_id,
                        chosen=signed.chosen, retired=signed.retired,
                        decided_by=signed.decided_by, reason=signed.reason,
                        at=signed.decided_at)
    return signed


def _new_decision(kind: str, record_id: uuid.UUID, mediator_id: uuid.UUID, chosen: str,
                  version: dict[str, Any] | None, retired: set[str], decider: Observer,
                  reason: str, at: datetime | None) -> Decision:
    return Decision(uuid.uuid4(), kind, record_id, mediator_id, chosen, version,
                    tuple(sorted(retired - {chosen})), reason, decider.name, decider.role,
                    decider.experienced_send, at or utcnow())


def decide_record(session: Session, kind: str, record_id: uuid.UUID, *, keep: str,
                  decided_by: str, reason: str, merged: dict[str, Any] | None = None,
                  at: datetime | None = None) -> Decision:
    """Decide a record's conflict: ``keep`` is "current", (a prefix of) a kept version's
    digest, "deleted" (against a tombstone) or "merged" (then ``merged`` holds the fields)."""
    reason = validate_required_text(reason, label="The reason for the decision",
                                    field="reason")
    decider = find_decider(session, decided_by)
    current = stored.versioned_by_id(session, kind, [record_id]).get(record_id) \
        if kind in stored._LOG_TABLES else None
    kept = [r for r in stored.kept_record_versions(session)
            if r.kind == kind and r.record_id == record_id]
    tombstone = live_tombstone(session, kind, record_id)
    if current is None or not (kept or tombstone):
        raise UserError(f"No {kind} record {record_id.hex} is in conflict here")
    mediator_id = _owner(current, kept)
    retired = {record_digest(current), *(r.digest for r in kept)}
    if tombstone is not None:
        retired.add(tombstone.base)
    version: dict[str, Any] | None
    if keep == "deleted":
        if tombstone is None:
            raise UserError("Only a record deleted elsewhere can be left deleted",
                            hint="Keep 'current' or a kept version.")
        if kind == "case" and _case_has_observations(session, record_id):
            raise UserError("This case has observations and cannot be deleted",
                            hint="Keep 'current': the observations are evidence.")
        return _take(session, _new_decision(kind, record_id, mediator_id, DELETED, None,
                                            retired | tombstone.versions, decider, reason, at))
    if keep == "merged":
        if merged is None:
            raise UserError("A merged version needs its fields")
        try:
            chosen: Versioned = parse_version(kind, merged, "merged")
        except ExchangeError as exc:
            raise UserError(f"The merged version is not valid: {exc.message}") from None
        if chosen.id != record_id or getattr(chosen, "mediator_id", None) != getattr(
                current, "mediator_id", None):
            raise UserError("The merged version must keep the record's id and trainee")
    elif keep == "current":
        chosen = current
    else:
        matches = [r for r in kept if r.digest.startswith(keep.lower())]
        if len(matches) != 1:
            raise UserError(f"{keep!r} names {len(matches)} of the kept versions",
                            hint="Give 'current', 'deleted', 'merged' or more of the kept "
                            "version's digest.")
        import json

        chosen = parse_version(kind, json.loads(matches[0].version), "kept")
    version = record_json(chosen)
    return _take(session, _new_decision(kind, record_id, mediator_id, record_digest(chosen),
                                        version, retired, decider, reason, at))


def _owner(current: Versioned, kept: list[stored.KeptRecordVersion]) -> uuid.UUID:
    if isinstance(current, Mediator):
        return current.id
    if isinstance(current, Observer):  # an observer's conflict is kept with a trainee
        return kept[0].mediator_id
    return current.mediator_id


def decide_observation(session: Session, observation_id: uuid.UUID, *, keep: str,
                       decided_by: str, reason: str, at: datetime | None = None) -> Decision:
    """Decide between an observation's current version and those kept beside it."""
    reason = validate_required_text(reason, label="The reason for the decision",
                                    field="reason")
    decider = find_decider(session, decided_by)
    held = stored.stored_observations(session, [observation_id]).get(observation_id)
    if held is None or not held.conflicts:
        raise UserError(f"No observation {observation_id.hex} is in conflict here")
    current = ObservationVersion.of(held.observation, held.marks, held.debrief_notes,
                                    held.amendments)
    kept = [decode_version(b).digest for b in held.conflicts]
    if keep == "current":
        chosen = current.digest
    else:
        matches = [d for d in kept if d.startswith(keep.lower())]
        if len(matches) != 1:
            raise UserError(f"{keep!r} names {len(matches)} of the kept versions",
                            hint="Give 'current' or more of the kept version's digest.")
        chosen = matches[0]
    return _take(session, _new_decision("observation", observation_id,
                                        held.observation.mediator_id, chosen, None,
                                        {current.digest, *kept}, decider, reason, at))


def parse_certificate_record(text: str) -> tuple[uuid.UUID, int]:
    """``MEDIATOR_ID/FORM`` (as ``conflicts list`` prints it) → (mediator id, form)."""
    from sendobserve.storage.repositories._common import parse_uuid

    mid, _, form = text.strip().partition("/")
    mediator_id = parse_uuid(mid.strip())
    if mediator_id is None or form.strip() not in ("4", "5"):
        raise UserError(f"{text!r} does not name a trainee's certificate",
                        hint="Give certificate:TRAINEE_ID/4 (or /5), as 'sendobserve "
                        "conflicts' lists it.")
    return mediator_id, int(form)


def decide_certificate(session: Session, mediator_id: uuid.UUID, form_number: int, *,
                       keep: str, decided_by: str, reason: str,
                       at: datetime | None = None) -> Decision:
    """Pick which of the certificates issued for one trainee and form stands: ``keep``
    is "current" (the one standing here) or the serial of another one held. The others
    stay, superseded by the decision; a re-print uses the one that stands."""
    reason = validate_required_text(reason, label="The reason for the decision",
                                    field="reason")
    decider = find_decider(session, decided_by)
    conflict = certificate_conflict(session, mediator_id, form_number)
    if conflict is None:
        raise UserError(f"No two certificates on Form {form_number} are in conflict here "
                        "for that trainee")
    held = controls_store.held_certificates(session, mediator_id, form_number)
    if keep.strip().lower() == "current":
        chosen = conflict.current
    else:
        matches = [h.certificate for h in held
                   if h.certificate.serial.casefold() == keep.strip().casefold()]
        if len(matches) != 1:
            raise UserError(f"{keep!r} is not the serial of a certificate on Form "
                            f"{form_number} held for that trainee",
                            hint="Give 'current' or a serial 'sendobserve conflicts' lists.")
        chosen = matches[0]
    retired = {h.certificate.digest for h in held}
    return _take(session, _new_decision(
        CERTIFICATE, certificate_record_id(mediator_id, form_number), mediator_id,
        chosen.digest, chosen.identity(), retired, decider, reason, at))


def record_kind(text: str) -> str:
    """A kind as typed on the command line (``reflections``, ``case``, ``observation``)."""
    kinds = {*stored._LOG_TABLES, "observation", CERTIFICATE}
    if text not in kinds:
        raise UserError(f"{text!r} is not a kind of record",
                        hint="One of: " + ", ".join(sorted(kinds)))
    return text
