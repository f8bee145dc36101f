"""Every kind of conflict as one shape for a screen: which record, its versions side by
side (who wrote each and when), what differs, and the choices a person may take. Qt-free.

Four kinds are listed (``exchange.conflicts`` and ``exchange.decide`` find them):

- an **observation** amended differently on two laptops: keep the version held here or
  a kept one;
- a **record** (training, reflection, CPD, contact, discretion, mediator details, case,
  observer) edited differently: keep one, or (two versions) write a merged one;
- a **deletion**: a record deleted on one laptop and edited on another: keep it, or let
  it stay deleted;
- a **certificate**: two Form 4s (or 5s) issued for one trainee: pick the one that stands.

``decide`` takes a decision on any of them through the one door for each kind
(``services.exchange.decide_conflict``, ``decide_certificate_conflict``,
``services.trust.decide_merged``): a signed decision that travels. A refused decision (a
role that may not decide, no reason) raises ``UserError`` and changes nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sendobserve.errors import UserError
from sendobserve.model.vocabulary import day_text, issuer_text, moment_text
from sendobserve.services import Done, Sessions
from sendobserve.services.changes import Changes

if TYPE_CHECKING:
    from sendobserve.exchange.conflicts import ObservationConflict, RecordConflict
    from sendobserve.exchange.controls import IssuedCertificate
    from sendobserve.exchange.decide import CertificateConflict, TombstoneConflict

OBSERVATION, RECORD, DELETION, CERTIFICATE = "observation", "record", "deletion", "certificate"
KIND_WORDS = {"training": "Training", "reflections": "Reflection", "cpd": "CPD",
              "contacts": "Mentoring or supervision", "discretions": "Discretion",
              "mediator": "Mediator details", "case": "Case", "observer": "Observer"}
_HIDDEN_FIELDS = frozenset({"id", "mediator_id"})


@dataclass(frozen=True, slots=True)
class Version:
    """One side of a conflict."""

    letter: str  # "A", "B", …: A is the version held here (current)
    title: str  # "held here (current)", "kept from a file", "deleted", …
    source: str  # who wrote it and when, in words
    keep: str  # what ``decide`` takes to keep it
    choice: str  # the choice in words: "Keep B (kept from a file)"


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    values: tuple[str, ...]  # one per version, in the versions' order

    @property
    def differs(self) -> bool:
        return len(set(self.values)) > 1


@dataclass(frozen=True, slots=True)
class ConflictView:
    kind: str  # OBSERVATION | RECORD | DELETION | CERTIFICATE
    record_kind: str  # the decision's kind: "observation", "reflections", "certificate", …
    record_id: uuid.UUID  # the record (a certificate conflict: the trainee's id)
    trainee: str
    what: str  # which record, in words
    versions: tuple[Version, ...]
    fields: tuple[Field, ...]  # what differs first
    form_number: int | None = None  # a certificate conflict's form

    @property
    def kind_label(self) -> str:
        if self.kind == OBSERVATION:
            return "Observation"
        if self.kind == CERTIFICATE:
            return f"Certificate (Form {self.form_number})"
        words = KIND_WORDS.get(self.record_kind, self.record_kind)
        return f"Deleted and edited: {words}" if self.kind == DELETION else words

    @property
    def mergeable(self) -> bool:
        """A merged version can be written: a record conflict between exactly two."""
        return self.kind == RECORD and len(self.versions) == 2

    @property
    def differing(self) -> int:
        return sum(1 for f in self.fields if f.differs)

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.kind, self.record_kind, self.record_id.hex)


def _text(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return f"{moment_text(value)} UTC"
    return str(value)


def _fields(rows: Sequence[tuple[str, tuple[Any, ...]]]) -> tuple[Field, ...]:
    fields = [Field(name if "(" in name else name.replace("_", " "),
                    tuple(_text(v) for v in values)) for name, values in rows]
    return tuple(sorted(fields, key=lambda f: not f.differs))  # stable: what differs first


def _amended(amendments: Sequence[Any]) -> str:
    if not amendments:
        return "as finalised (not amended)"
    return "amended by " + "; ".join(
        f"{a.amended_by} on {moment_text(a.amended_at)} UTC ({a.reason})"
        for a in amendments)


def _signer(names: dict[str, str], fingerprint: str) -> str:
    name = names.get(fingerprint)
    return f"{name} (installation {fingerprint})" if name else f"installation {fingerprint}"


_NAMING_FIELDS = ("title", "reference", "name", "requirement_id", "reflected_on", "done_on",
                  "met_on", "start_date")


def _describe(kind: str, record_id: uuid.UUID, fields: dict[str, Any]) -> str:
    """Which record, in words: "Training 'Foundation' (53446dbb…)"."""
    words = KIND_WORDS.get(kind, kind)
    named = next((fields[f] for f in _NAMING_FIELDS if fields.get(f)), None)
    if named is None:
        return f"{words} {record_id.hex[:12]}"
    text = " ".join(str(named).split())
    text = text if len(text) <= 48 else text[:47] + "…"
    return f"{words} “{text}” ({record_id.hex[:8]}…)"


def _letter(i: int) -> str:
    return chr(ord("A") + i)


# ---------------------------------------------------------------------------------------
# Each kind as a view


def observation_view(c: ObservationConflict,
                     wording: dict[str, str] | None = None) -> ConflictView:
    """``wording``: each tick item's text by its id (a criterion is shown by its words)."""
    versions = [Version("A", "held here (current)", _amended(c.current_amendments), "current",
                        "Keep A (the version held here)")]
    versions += [Version(_letter(i + 1), f"kept from a file (version {k.digest[:12]})",
                         _amended(k.amendments), k.digest,
                         f"Keep {_letter(i + 1)} (version {k.digest[:12]}, from a file)")
                 for i, k in enumerate(c.kept)]
    current: dict[str, str] = {}
    for k in c.kept:
        for d in k.differences:
            current[d.criterion_id] = _mark(d.current, d.current_note)
    rows: list[tuple[str, tuple[Any, ...]]] = []
    for criterion in sorted(current):
        values = [current[criterion]]
        for k in c.kept:
            diff = next((d for d in k.differences if d.criterion_id == criterion), None)
            values.append(current[criterion] if diff is None
                          else _mark(diff.kept, diff.kept_note))
        text = (wording or {}).get(criterion)
        if text:
            text = " ".join(text.split())
            text = text if len(text) <= 60 else text[:59] + "…"
        rows.append((f"{text} ({criterion})" if text else criterion, tuple(values)))
    rows.append(("amendments", tuple(str(len(v)) for v in (
        c.current_amendments, *(k.amendments for k in c.kept)))))
    return ConflictView(OBSERVATION, "observation", c.observation_id, c.mediator_name,
                        c.label, tuple(versions), _fields(rows))


def _mark(state: Any, note: str) -> str:
    from sendobserve.model.vocabulary import mark_label

    word = "no mark" if state is None else mark_label(state)
    return f"{word} — {note}" if note else word


def record_view(c: RecordConflict, names: dict[str, str]) -> ConflictView:
    versions = [Version("A", "held here (current)", "the version readiness and certificates "
                        "use here", "current", "Keep A (the version held here)")]
    versions += [Version(_letter(i + 1), "kept from a file",
                         f"received {moment_text(k.received_at)} UTC in a file signed by "
                         f"{_signer(names, k.signer_fingerprint)}", k.digest,
                         f"Keep {_letter(i + 1)} (received {day_text(k.received_at)})")
                 for i, k in enumerate(c.kept)]
    names_ = sorted((set(c.current) | {f for k in c.kept for f in k.fields}) - _HIDDEN_FIELDS)
    rows = [(n, (c.current.get(n), *(k.fields.get(n) for k in c.kept))) for n in names_]
    return ConflictView(RECORD, c.kind, c.record_id, c.mediator_name,
                        _describe(c.kind, c.record_id, c.current), tuple(versions),
                        _fields(rows))


def deletion_view(c: TombstoneConflict, names: dict[str, str]) -> ConflictView:
    t = c.tombstone
    versions = (
        Version("A", "held here (edited)", "edited after, or without seeing, the deletion",
                "current", "Keep A (the record as held here)"),
        Version("B", "deleted", f"deleted {moment_text(t.deleted_at)} UTC"
                + ("" if t.deleted_by == "this installation" else f" by {t.deleted_by}")
                + f", signed by {_signer(names, t.fingerprint)}", "deleted",
                "Keep B (the record stays deleted)"))
    rows = [(n, (c.current.get(n), "(deleted)"))
            for n in sorted(set(c.current) - _HIDDEN_FIELDS)]
    return ConflictView(DELETION, c.kind, c.record_id, c.mediator_name,
                        _describe(c.kind, c.record_id, c.current), versions, _fields(rows))


def certificate_view(c: CertificateConflict) -> ConflictView:
    certs: list[IssuedCertificate] = [c.current, *c.kept]
    versions = [Version("A", f"stands here: {c.current.serial}",
                        _issued(c.current), "current",
                        f"Keep A ({c.current.serial} stands)")]
    versions += [Version(_letter(i + 1), f"also issued: {k.serial}", _issued(k), k.serial,
                         f"Keep {_letter(i + 1)} ({k.serial} stands)")
                 for i, k in enumerate(c.kept)]
    rows: list[tuple[str, tuple[Any, ...]]] = [
        ("serial", tuple(x.serial for x in certs)),
        # Each installation numbers its own: the serial is known with its issuer.
        ("issued by", tuple(issuer_text(x.issuer) for x in certs)),
        ("issued on", tuple(day_text(x.issued_on) for x in certs)),
        ("signed by", tuple(x.signer_name for x in certs)),
        ("verification code", tuple(x.verification_code for x in certs)),
        ("edition", tuple(x.edition for x in certs)),
        ("drawn signatures", tuple((x.signer_drawing is not None)
                                   + (x.mediator_drawing is not None) for x in certs)),
    ]
    what = f"Form {c.form_number}: {len(certs)} certificates issued"
    if c.superseded:
        what += f" ({len(c.superseded)} more superseded by earlier decisions)"
    return ConflictView(CERTIFICATE, CERTIFICATE, c.mediator_id, c.mediator_name, what,
                        tuple(versions), _fields(rows), form_number=c.form_number)


def _issued(c: IssuedCertificate) -> str:
    return (f"issued {day_text(c.issued_on)} (recorded {moment_text(c.created_at)} UTC), "
            f"signed by {c.signer_name}")


# ---------------------------------------------------------------------------------------
# The door


def conflict_views(store: Sessions) -> tuple[ConflictView, ...]:
    """Every conflict held here, of every kind. Reads only."""
    from sendobserve.exchange.conflicts import list_conflicts, list_record_conflicts
    from sendobserve.exchange.decide import list_certificate_conflicts, list_tombstone_conflicts
    from sendobserve.services.readiness import load_forms
    from sendobserve.storage import exchange as stored

    wording = {item.id: item.text for form in load_forms(store) for item in form.tick_items()}
    with store.session() as session:
        names = {s.fingerprint: s.name for s in stored.known_signers(session)}
        return (*(observation_view(c, wording) for c in list_conflicts(session)),
                *(record_view(c, names) for c in list_record_conflicts(session)),
                *(deletion_view(c, names) for c in list_tombstone_conflicts(session)),
                *(certificate_view(c) for c in list_certificate_conflicts(session)))


def decide(store: Sessions, view: ConflictView, keep: str, *, decided_by: str,
           reason: str) -> Done[str]:
    """Take a decision on ``view``: ``keep`` is one of its versions' ``keep``. Returns
    what was decided, in words."""
    from sendobserve.services import exchange

    version = next((v for v in view.versions if v.keep == keep), None)
    if version is None:
        raise UserError("Choose which version stays.")
    if view.kind == CERTIFICATE:
        assert view.form_number is not None
        done = exchange.decide_certificate_conflict(
            store, view.record_id, view.form_number, keep=keep, decided_by=decided_by,
            reason=reason)
    else:
        done = exchange.decide_conflict(store, view.record_kind, view.record_id, keep=keep,
                                        decided_by=decided_by, reason=reason)
    return Done(f"{version.choice.replace('Keep ', 'Kept ', 1)}: {view.trainee}, "
                f"{view.what}", done.changes)


def decide_merged(store: Sessions, view: ConflictView, take_b: frozenset[str], *,
                  decided_by: str, reason: str) -> Done[str]:
    """Write a merged version of a record conflict: A with the fields in ``take_b`` (as
    the view names them) from B."""
    from sendobserve.services import trust

    if not view.mergeable:
        raise UserError("A merged version can be written for a record kept in two "
                        "versions; keep one of them instead.")
    changes: Changes = trust.decide_merged(
        store, view.record_kind, view.record_id,
        from_kept=frozenset(name.replace(" ", "_") for name in take_b),
        decided_by=decided_by, reason=reason)
    return Done(f"Wrote a merged version: {view.trainee}, {view.what}", changes)
