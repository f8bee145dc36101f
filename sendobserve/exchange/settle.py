"""Applying the control records (``exchange.controls``) to a store: tombstones, people's
decisions, certificates issued elsewhere. Everything runs in the caller's transaction.

An import first stores what the file carries (records by their history, see ``logs``;
tombstones; decisions; certificates), then ``settle`` brings the records in line with
the tombstones and decisions held, whatever order they arrived in:

- **Tombstones.** A record is deleted when the version held is one the tombstone deleted
  (its ``base``, or a version that base followed) and no version kept in conflict beside
  it is newer. A record edited elsewhere after or without seeing the deletion stays: the
  tombstone and the record together are a visible conflict (``list_tombstone_conflicts``)
  until a person decides. A case some observation refers to is never deleted (that is
  evidence): it stays in conflict. For one record the earliest tombstone is kept. An
  evidence file's tombstone (kind ``evidence``) always removes it: a file is never edited.
- **Decisions.** In the order they were taken (then by id): for a record (training,
  reflection, CPD, contact, discretion, mediator details, case, observer) the chosen
  version is applied as an incoming version whose history is the versions it retires
  (``logs.decide``): it replaces any of them held here and settles those kept in conflict.
  ``chosen = "deleted"`` deletes the retired versions like a tombstone; a decision that
  keeps a record retires the tombstone whose base it names. For an observation, the chosen
  version (current or kept here) becomes current and the retired kept versions go.
- **Certificate decisions.** Per trainee and form, followed in the same order from the
  certificate standing here (``certificate_outcome``): the chosen one stands when the
  decision knew the one standing; every one it retires is marked superseded by it, never
  deleted (``settle_certificates``).
- **Refused, and reported, not stored:** a tombstone or decision signed by an
  installation revoked here, dated from its revocation on; a decision by someone whose
  role may not decide (``model.deciders``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sendobserve.exchange.codec import ObservationVersion, decode_version
from sendobserve.exchange.controls import (
    CERTIFICATE,
    DELETED,
    Decision,
    IssuedCertificate,
    Tombstone,
    certificate_record_id,
)
from sendobserve.exchange.logs import (
    VERSIONED_SHAPES,
    RecordAction,
    Versioned,
    decide,
    record_digest,
    record_json,
)
from sendobserve.exchange.shaped import expected_fields, from_json
from sendobserve.model.deciders import decider_refusal
from sendobserve.model.vocabulary import day_text
from sendobserve.pki.canonical import canonical_json
from sendobserve.pki.controls import EVIDENCE
from sendobserve.storage import exchange as stored
from sendobserve.storage import exchange_controls as controls_store
from sendobserve.storage.evidence import remove_evidence

_EPOCH = "2000-01-01T00:00:00.000000+00:00"


def parse_version(kind: str, fields: dict[str, Any], path: str = "version") -> Versioned:
    """A record version from its ``record_json`` fields (strictly, as the codec reads:
    exactly the fields of its identity). What is not part of a version's identity (a
    creation time) is not in it; the record read carries a placeholder there."""
    from sendobserve.exchange.codec import _Obj

    shape = VERSIONED_SHAPES[kind]
    _Obj(fields, path, expected_fields(shape, fields, digest=True))  # exactly these fields
    value = dict(fields, **{f.name: _EPOCH for f in shape.fields if not f.digest})
    record: Versioned = from_json(shape, _Obj(value, path, expected_fields(shape, value)))
    return record


# ---------------------------------------------------------------------------------------
# What a file's control records would do (read only)


@dataclass(frozen=True, slots=True)
class ControlLine:
    what: str  # "tombstone" | "decision" | "certificate"
    label: str
    action: str  # "new", "already_here", "conflict", "issuer" (a certificate), "refused: …"

    @property
    def refused(self) -> bool:
        return self.action.startswith("refused")


def _revoked_at(session: Session, fingerprint: str, at: datetime) -> str | None:
    revoked = stored.revocations(session).get(fingerprint)
    if revoked is not None and at >= revoked.revoked_from:
        return (f"refused: signed by installation {fingerprint}, revoked from "
                f"{revoked.revoked_from:%Y-%m-%d %H:%M} UTC")
    return None


def tombstone_action(session: Session, t: Tombstone) -> str:
    if (why := _revoked_at(session, t.fingerprint, t.deleted_at)) is not None:
        return why
    held = controls_store.tombstones(session, keys=[(t.kind, t.record_id)]).get(
        (t.kind, t.record_id))
    if held is not None and held.order_key() <= t.order_key():
        return "already_here"
    return "new"


def decision_action(session: Session, d: Decision) -> str:
    if (why := _revoked_at(session, d.fingerprint, d.decided_at)) is not None:
        return why
    if (why := decider_refusal(d.role, d.experienced)) is not None:
        return f"refused: {why}"
    if any(k.id == d.id for k in controls_store.decisions(session, mediator_id=d.mediator_id)):
        return "already_here"
    return "new"


def certificate_label(c: IssuedCertificate) -> str:
    from sendobserve.model.vocabulary import issuer_text

    return (f"{c.kind} {c.serial} ({issuer_text(c.issuer)}) issued "
            f"{day_text(c.issued_on)}, signed by {c.signer_name}")


def plan_controls(session: Session, tombstones: tuple[Tombstone, ...],
                  decisions: tuple[Decision, ...],
                  certificates: tuple[IssuedCertificate, ...]) -> tuple[ControlLine, ...]:
    out = [ControlLine("tombstone", f"{t.kind} {t.record_id.hex[:12]} deleted "
                       f"{t.deleted_at:%Y-%m-%d} by {t.deleted_by}", tombstone_action(session, t))
           for t in tombstones]
    out += [ControlLine("decision", f"{d.kind} {d.record_id.hex[:12]}: "
                        + (f"Form {d.version['form_number']} {d.version['serial']} stands"
                           if d.kind == CERTIFICATE and d.version else
                           'stays deleted' if d.chosen == DELETED else 'keep ' + d.chosen[:12])
                        + f" ({d.decided_by}, {d.role.value.replace('_', ' ')}: {d.reason})",
                        decision_action(session, d)) for d in decisions]
    actions = {"added": "new", "already_here": "already_here", "conflict": "conflict",
               "issuer": "issuer",  # held; the file names the installation that issued it
               "clash": "refused: its serial names another certificate here"}
    out += [ControlLine("certificate", certificate_label(c),
                        actions[controls_store.certificate_action(session, c)])
            for c in certificates]
    return tuple(out)


def write_controls(session: Session, tombstones: tuple[Tombstone, ...],
                   decisions: tuple[Decision, ...],
                   certificates: tuple[IssuedCertificate, ...],
                   lines: tuple[ControlLine, ...]) -> None:
    """Store what ``plan_controls`` accepted (the refused are left out)."""
    refused = iter(line.refused for line in lines)
    for t in tombstones:
        if not next(refused):
            controls_store.keep_tombstone(session, t)
    for d in decisions:
        if not next(refused):
            controls_store.keep_decision(session, d)
    for c in certificates:
        if not next(refused):
            controls_store.store_certificate(session, c)


# ---------------------------------------------------------------------------------------
# Settling the records against what is held


def deleted_versions(session: Session, mediator_ids: set[uuid.UUID]
                     ) -> dict[tuple[str, uuid.UUID], frozenset[str]]:
    """Per record, the versions a tombstone or a "stays deleted" decision removes, unless a
    later decision kept the record (its tombstone is retired)."""
    out: dict[tuple[str, uuid.UUID], set[str]] = {}
    kept_over: dict[tuple[str, uuid.UUID], set[str]] = {}
    for mid in sorted(mediator_ids, key=lambda i: i.hex):
        for d in controls_store.decisions(session, mediator_id=mid):
            key = (d.kind, d.record_id)
            if d.chosen == DELETED:
                out.setdefault(key, set()).update(d.retired)
            else:
                kept_over.setdefault(key, set()).update(d.retired)
        for key, t in controls_store.tombstones(session, mediator_id=mid).items():
            if t.base not in kept_over.get(key, set()):
                out.setdefault(key, set()).update(t.versions)
    return {k: frozenset(v) for k, v in out.items()}


def _case_has_observations(session: Session, case_id: uuid.UUID) -> bool:
    from sendobserve.storage.records import ObservationRecord

    return bool(session.scalar(select(func.count()).select_from(ObservationRecord).where(
        ObservationRecord.case_id == case_id)))


def _delete_row(session: Session, kind: str, record_id: uuid.UUID) -> None:
    table, _convert = stored._LOG_TABLES[kind]
    row = session.get(table, record_id)
    if row is not None:
        session.delete(row)
        session.flush()


def settle(session: Session, mediator_ids: set[uuid.UUID]) -> None:
    """Apply the held decisions, then the held tombstones, to these mediators' records."""
    for mid in sorted(mediator_ids, key=lambda i: i.hex):
        settle_certificates(session, mid)
        for d in controls_store.decisions(session, mediator_id=mid):
            if d.kind == CERTIFICATE:
                continue  # settled above, per form
            if d.kind == "observation":
                _settle_observation(session, d)
            elif d.chosen != DELETED and d.version is not None:
                _settle_record(session, d)
    gone = deleted_versions(session, mediator_ids)
    for (kind, rid), versions in sorted(gone.items(), key=lambda kv: (kv[0][0], kv[0][1].hex)):
        if kind == EVIDENCE:  # never edited: its tombstone always applies
            remove_evidence(session, rid)
            continue
        held = stored.versioned_by_id(session, kind, [rid]).get(rid)
        if held is None:
            continue
        kept = stored.record_conflict_digests(session, [(kind, rid)]).get((kind, rid),
                                                                          frozenset())
        if record_digest(held) not in versions or not kept <= versions:
            continue  # edited after (or without seeing) the deletion: a visible conflict
        if kind == "case" and _case_has_observations(session, rid):
            continue  # evidence stays: a visible conflict
        _delete_row(session, kind, rid)
        stored.drop_record_conflicts(session, kind, rid)


def _settle_record(session: Session, d: Decision) -> None:
    assert d.version is not None
    chosen = parse_version(d.kind, d.version)
    key = (d.kind, d.record_id)
    ours = stored.versioned_by_id(session, d.kind, [d.record_id]).get(d.record_id)
    if ours is None:
        return  # not held here (yet): settled when it arrives
    plan = decide(chosen, frozenset(d.retired), ours,
                  stored.record_histories(session, [key]).get(key, frozenset()),
                  stored.record_conflict_digests(session, [key]).get(key, frozenset()))
    if getattr(ours, "mediator_id", None) != getattr(chosen, "mediator_id", None):
        return  # a record never moves to another trainee (the decoder refuses it too)
    if plan.action is RecordAction.UPDATE:
        from sendobserve.model.validation import validate_record

        validate_record(chosen)  # this store's own rules (e.g. no future dates)
        stored.write_versioned(session, d.kind, chosen)
    if plan.joins_history:
        stored.remember_versions(session, d.kind, d.record_id, plan.history)
    if plan.settles:
        stored.drop_record_conflicts(session, d.kind, d.record_id, plan.settles)
    if plan.action is RecordAction.CONFLICT:  # edited here after the decision was taken
        stored.keep_record_conflict(session, d.kind, chosen, plan.digest,
                                    canonical_json(record_json(chosen)), d.fingerprint,
                                    d.decided_at, mediator_id=d.mediator_id)


def _settle_observation(session: Session, d: Decision) -> None:
    held = stored.stored_observations(session, [d.record_id]).get(d.record_id)
    if held is None:
        return
    current = ObservationVersion.of(held.observation, held.marks, held.debrief_notes,
                                    held.amendments)
    kept = {v.digest: v for v in (decode_version(b) for b in held.conflicts)}
    retired = set(d.retired)
    if current.digest == d.chosen:
        chosen = current
    elif d.chosen in kept and current.digest in retired:
        chosen = kept[d.chosen]
        stored.write_observation(session, chosen.observation, chosen.marks,
                                 chosen.debrief_notes, chosen.amendments)
    else:
        return  # the chosen version is not here yet, or this store holds a later one
    # What stays kept: versions the decision did not know of (the replaced current one is
    # always among those it retires, see above).
    stored.replace_conflicts(session, d.record_id, {
        k: v.to_bytes() for k, v in kept.items() if k not in retired and k != chosen.digest})


def certificate_outcome(held: tuple[controls_store.HeldCertificate, ...],
                        decisions: tuple[Decision, ...]
                        ) -> tuple[str | None, dict[str, uuid.UUID]]:
    """Which certificate stands (its digest) and which are superseded (digest → the
    decision that retired it), for one mediator and form.

    From the one standing now, the decisions are followed in the order they were taken
    (then by id, the same order everywhere): a decision whose chosen certificate is held
    makes it stand when the one standing is among those it retires (it knew of it);
    every certificate it retires is superseded, by the latest decision that retired it.
    Two decisions that each knew both certificates: the later one stands on every store,
    whatever order they arrived in. A certificate no decision retired, beside the one
    standing, is still in conflict."""
    digests = {h.certificate.digest for h in held}
    standing = next((h.certificate.digest for h in held if h.stands), None)
    superseded: dict[str, uuid.UUID] = {}
    for d in decisions:
        if d.chosen not in digests:
            continue  # its certificate has not arrived yet: settled when it does
        if standing is None or standing == d.chosen or standing in d.retired:
            standing = d.chosen
        for digest in d.retired:
            if digest in digests:
                superseded[digest] = d.id
        if standing is not None:
            superseded.pop(standing, None)
    return standing, superseded


def settle_certificates(session: Session, mediator_id: uuid.UUID) -> None:
    """Bring the mediator's certificates in line with the certificate decisions held."""
    decisions = [d for d in controls_store.decisions(session, mediator_id=mediator_id)
                 if d.kind == CERTIFICATE]
    for form_number in sorted({d.version["form_number"] for d in decisions
                               if d.version is not None}):
        record_id = certificate_record_id(mediator_id, form_number)
        held = controls_store.held_certificates(session, mediator_id, form_number)
        standing, superseded = certificate_outcome(
            held, tuple(d for d in decisions if d.record_id == record_id))
        for h in held:
            stands = h.certificate.digest == standing
            by = superseded.get(h.certificate.digest)
            if (stands, by) != (h.stands, h.superseded_by):
                controls_store.set_certificate_standing(
                    session, h.certificate.serial, h.certificate.issuer, stands=stands,
                    superseded_by=by)
