"""Export, import, identity and conflicts as whole steps on an open store: the use cases
``sendobserve export|import|identity|conflicts|export-csv`` and the app's exchange
dialogs share. Qt-free.

Each function opens its own unit(s) of work (so the app can call it on a worker thread)
and either finishes or changes nothing: an export file appears only complete; an import
file is opened and checked entirely before the store is read, and applied in one
transaction. Writes return what they changed (``Changes``).
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sendobserve.errors import UserError
from sendobserve.services import Done
from sendobserve.services.changes import NOTHING, Changes
from sendobserve.services.files import write_file

if TYPE_CHECKING:
    from sendobserve.exchange.apply import ImportPreview, ImportResult
    from sendobserve.exchange.bundle import OpenedBundle
    from sendobserve.exchange.codec import ExportPayload
    from sendobserve.exchange.conflicts import ObservationConflict, RecordConflict
    from sendobserve.exchange.controls import Decision
    from sendobserve.exchange.decide import CertificateConflict, TombstoneConflict
    from sendobserve.exchange.export import ExportScope
    from sendobserve.model.domain import Mediator
    from sendobserve.pki.identity import Identity, Revocation
    from sendobserve.services import Sessions
    from sendobserve.storage.db import Store
    from sendobserve.storage.erasure import ErasureResult
    from sendobserve.storage.exchange import KnownSigner


# --- identity ----------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class IdentityCard:
    """Who this installation signs as, its keys, and the signers it knows."""

    name: str | None
    fingerprint: str  # eight groups of four characters, to read aloud
    exchange_key: str
    signers: tuple[KnownSigner, ...] = ()
    revocations: dict[str, Revocation] | None = None


def identity_card(store: Sessions, *, set_name: str | None = None) -> Done[IdentityCard]:
    """This installation's identity (created on first use, in one transaction); with
    ``set_name``, the name its exports are signed with is set first."""
    from sendobserve.pki.identity import (
        exchange_public_key,
        load_or_create_exchange_key,
        load_or_create_identity,
        recipient_key_text,
    )
    from sendobserve.storage import exchange as stored

    with store.session() as session:
        keys = stored.StoredSigningKey(session)
        identity = load_or_create_identity(keys)
        exchange_key = load_or_create_exchange_key(keys)
        if set_name:
            stored.set_identity_name(session, set_name)
        card = IdentityCard(stored.identity_name(session), identity.fingerprint,
                            recipient_key_text(exchange_public_key(exchange_key)),
                            stored.known_signers(session), stored.revocations(session))
    return Done(card, Changes(settings=True) if set_name else NOTHING)


def identity_name(store: Sessions) -> str | None:
    """The name this installation's exports are signed with, if one is set."""
    from sendobserve.storage import exchange as stored

    with store.session() as session:
        return stored.identity_name(session)


def revoke_signer(store: Sessions, fingerprint: str, *, revoked_from: datetime, reason: str,
                  decided_by: str) -> Done[KnownSigner]:
    """Revoke a known signer's installation (a lost laptop) from ``revoked_from`` on."""
    from sendobserve.model.domain import utcnow
    from sendobserve.pki.identity import (
        Revocation,
        load_or_create_identity,
        normalise_fingerprint,
    )
    from sendobserve.storage import exchange as stored

    with store.session() as session:
        identity = load_or_create_identity(stored.StoredSigningKey(session))
        wanted = normalise_fingerprint(fingerprint)
        signer = stored.known_signer(session, wanted)
        if signer is None:
            raise UserError(f"no known signer has the fingerprint {wanted}",
                            hint="'sendobserve identity' lists the known signers.")
        if signer.public_key == identity.public_key:
            raise UserError("this installation cannot revoke its own key")
        stored.record_revocation(session, Revocation(
            signer.public_key, revoked_from, reason.strip(), decided_by.strip()),
            recorded_by=identity.fingerprint, at=utcnow())
    return Done(signer, Changes(trust=True))


def allow_erasure(store: Sessions, fingerprint: str, *, named_by: str) -> Done[str]:
    """Name an installation whose signed erasure records are applied here from now on
    (``storage.erasure_records.erasure_allowed``); the canonical fingerprint."""
    from sendobserve.storage import erasure_records

    if not named_by.strip():
        raise UserError("say who decides that this installation may erase here")
    with store.session() as session:
        try:
            fp = erasure_records.allow(session, fingerprint, named_by=named_by)
        except ValueError as exc:
            raise UserError(f"the fingerprint {fingerprint!r}: {exc}") from None
    return Done(fp, Changes(trust=True))


def disallow_erasure(store: Sessions, fingerprint: str) -> Done[None]:
    """No longer apply erasure records signed by ``fingerprint`` (named earlier)."""
    from sendobserve.storage import erasure_records

    with store.session() as session:
        if not erasure_records.disallow(session, fingerprint):
            raise UserError(f"{fingerprint!r} is not allowed to erase here")
    return Done(None, Changes(trust=True))


def erasure_authorities(store: Sessions) -> dict[str, tuple[str, datetime]]:
    """Fingerprint -> (who named it, when), for the installations allowed to erase here."""
    from sendobserve.storage import erasure_records

    with store.session() as session:
        return erasure_records.authorities(session)


def own_identity(store: Sessions) -> Identity | None:
    """This installation's signing identity, if it has one yet (reads only)."""
    from sendobserve.pki.identity import Identity
    from sendobserve.storage import exchange as stored

    with store.session() as session:
        raw = stored.StoredSigningKey(session).load_signing_key()
    return Identity.from_private_bytes(raw) if raw else None


# --- export ------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class ExportSummary:
    path: Path
    observations: int
    size: int
    signed_as: str
    fingerprint: str
    payload: ExportPayload
    changes: Changes = NOTHING
    scope: str = "observations"

    @property
    def counts(self) -> tuple[tuple[str, int], ...]:
        """What travelled, per kind (``payload_counts``)."""
        from sendobserve.exchange.export import payload_counts

        return tuple(payload_counts(self.payload).items())


_COUNT_WORDS = {
    "observations": ("observation", "observations"), "amendments": ("amendment", "amendments"),
    "cases": ("case", "cases"), "observers": ("observer", "observers"),
    "training": ("training course", "training courses"),
    "reflections": ("reflection", "reflections"), "cpd": ("CPD entry", "CPD entries"),
    "contacts": ("mentoring or supervision contact", "mentoring or supervision contacts"),
    "discretions": ("discretion", "discretions"),
    "author signatures": ("author's signature", "authors' signatures"),
    "evidence files": ("evidence file", "evidence files"),
    "certificates": ("certificate issued", "certificates issued"),
    "deletions": ("deletion", "deletions"),
    "decisions": ("decision on a conflict", "decisions on conflicts"),
}


def counts_text(counts: dict[str, int] | tuple[tuple[str, int], ...]) -> str:
    """"12 observations, 3 cases, 1 evidence file" (kinds with none left out)."""
    pairs = counts.items() if isinstance(counts, dict) else counts
    shown = [f"{n} {_COUNT_WORDS.get(kind, (kind, kind))[n != 1]}" for kind, n in pairs if n]
    return ", ".join(shown) if shown else "nothing"


def export_counts(store: Sessions, mediator_id: uuid.UUID, scope: str = "observations",
                  observer_id: uuid.UUID | None = None,
                  since_last_to: str | None = None) -> dict[str, int]:
    """The export dialog's preview: ``export_preview`` for a scope given by its name
    ("since_last" with the person's name in ``since_last_to``)."""
    from sendobserve.exchange.export import ExportScope

    return export_preview(store, mediator_id, scope=ExportScope(scope),
                          observer_id=observer_id,
                          since_last_to=_since_last_to(scope, since_last_to))


def _since_last_to(scope: str, name: str | None) -> str | None:
    """The person a "changed since the last export to" scope names (None for another)."""
    if scope != "since_last":
        return None
    name = (name or "").strip()
    if not name:
        raise UserError("Type the name of the person the file is for: what they have "
                        "not been sent yet will travel.")
    return name


def export_preview(store: Sessions, mediator_id: uuid.UUID, *, scope: ExportScope,
                   observer_id: uuid.UUID | None = None,
                   since_last_to: str | None = None) -> dict[str, int]:
    """What an export would carry, as counts per kind. Writes nothing."""
    from sendobserve.exchange.export import build_payload, payload_counts

    with store.session() as session:
        payload = build_payload(session, mediator_id, exported_by="preview", scope=scope,
                                observer_id=observer_id, record_history=False,
                                since_last_to=since_last_to)
    return payload_counts(payload)


def export_file(
    store: Sessions,
    mediator_id: uuid.UUID,
    path: str | os.PathLike[str],
    *,
    passphrase: str,
    exported_by: str,
    recipients: tuple[bytes, ...] = (),
    scope: ExportScope | None = None,
    observer_id: uuid.UUID | None = None,
    replace: bool = True,
    remember_name: bool = False,
    refuse_empty: bool = False,
    since_last_to: str | None = None,
    sent_to: str | None = None,
) -> ExportSummary:
    """Seal the mediator's records into ``path`` (signed, encrypted to ``passphrase`` and
    to each X25519 ``recipients`` key), written whole or not at all.

    ``remember_name``: keep ``exported_by`` as this installation's name when none is set
    yet (the app's export dialog). ``refuse_empty``: refuse, writing nothing, when there
    is no finalised observation to send. ``replace=False`` refuses an existing file.
    ``since_last_to`` (the SINCE_LAST scope): only what that person has not been sent;
    ``sent_to``: record what this file sends to that person.
    """
    from sendobserve.exchange.bundle import check_passphrase
    from sendobserve.exchange.export import ExportScope, export_bundle
    from sendobserve.pki.identity import load_or_create_identity
    from sendobserve.storage import exchange as stored

    target = Path(path)
    exported_by = exported_by.strip()
    if not exported_by:
        raise UserError("Say who is exporting: the importer sees this name with the file.")
    check_passphrase(passphrase)
    with store.session() as session:
        identity = load_or_create_identity(stored.StoredSigningKey(session))
        if remember_name and not stored.identity_name(session):
            stored.set_identity_name(session, exported_by)
        data, payload = export_bundle(session, mediator_id, passphrase=passphrase,
                                      identity=identity, exported_by=exported_by,
                                      recipients=recipients,
                                      scope=scope or ExportScope.OBSERVATIONS,
                                      observer_id=observer_id, since_last_to=since_last_to,
                                      sent_to=sent_to)
        if refuse_empty and not payload.observations and (
                scope in (None, ExportScope.OBSERVATIONS, ExportScope.OBSERVER)):
            # Raised inside: a new identity is not kept either.
            raise UserError("This trainee has no finalised observations to export; no file "
                            "was written.", hint="Finalise an observation first.")
    write_file(target, data, replace=replace)
    # The versions that left are remembered (their history travels on).
    return ExportSummary(target, len(payload.observations), len(data), exported_by,
                         identity.fingerprint, payload,
                         Changes(trust=True, mediators=frozenset({mediator_id})),
                         (scope or ExportScope.OBSERVATIONS).value)


def export_to_file(store: Sessions, mediator_id: uuid.UUID, path: str | os.PathLike[str], *,
                   passphrase: str, exported_by: str, scope: str = "observations",
                   observer_id: uuid.UUID | None = None,
                   since_last_to: str | None = None) -> ExportSummary:
    """The app's export: the mediator's finalised observations into ``path`` (``.sendobs``
    added when missing; replaced if it exists), refused when there are none, and
    ``exported_by`` kept as this installation's name when none is set yet. The scope
    "since_last" sends what ``since_last_to`` has not been sent yet (refused, writing
    nothing, when that is nothing) and remembers what it sent them."""
    from sendobserve.exchange.bundle import FILE_SUFFIX

    target = Path(path)
    if target.suffix != FILE_SUFFIX:
        target = target.with_name(target.name + FILE_SUFFIX)
    from sendobserve.exchange.export import ExportScope

    return export_file(store, mediator_id, target, passphrase=passphrase,
                       exported_by=exported_by, remember_name=True, refuse_empty=True,
                       scope=ExportScope(scope), observer_id=observer_id,
                       since_last_to=_since_last_to(scope, since_last_to))


# --- import ------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class PendingImport:
    """An opened, checked file and what importing it would do; nothing written yet."""

    opened: OpenedBundle
    preview: ImportPreview


@dataclass(frozen=True, slots=True)
class ImportDone:
    result: ImportResult
    changes: Changes
    # Erasures the file carried, finished after the commit (log, file, every backup).
    erased: tuple[ErasureResult, ...] = ()


def open_with_passphrase(data: bytes, passphrase: str) -> OpenedBundle:
    """Open and check a whole file with its passphrase; needs no store (so a bad file is
    refused before the store is even unlocked)."""
    from sendobserve.exchange.bundle import open_bundle

    return open_bundle(data, passphrase=passphrase)


def open_with_exchange_key(store: Sessions, data: bytes) -> OpenedBundle:
    """Open a file sent to this installation's exchange key (``ExchangeError`` with
    ``WRONG_KEY`` when it has none, or the file was not sent to it)."""
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

    from sendobserve.exchange.bundle import open_bundle
    from sendobserve.exchange.errors import ExchangeError, ExchangeProblem
    from sendobserve.storage import exchange as stored

    with store.session() as session:
        raw = stored.StoredSigningKey(session).load_exchange_key()
    if raw is None:
        raise ExchangeError(ExchangeProblem.WRONG_KEY,
                            "Type the file passphrase: this installation has no exchange "
                            "key to open it with; nothing was imported.")
    return open_bundle(data, recipient_key=X25519PrivateKey.from_private_bytes(raw))


def preview_import(store: Sessions, opened: OpenedBundle) -> PendingImport:
    """What importing the opened file would do. Writes nothing."""
    from sendobserve.exchange.apply import preview_import as preview

    own = own_identity(store)
    with store.session() as session:
        return PendingImport(opened, preview(session, opened, own=own))


def open_for_import(store: Sessions, path: str | os.PathLike[str],
                    passphrase: str | None) -> PendingImport:
    """Read and check the whole file, then preview it. Writes nothing.

    Without a passphrase the file is opened with this installation's exchange key.
    """
    from sendobserve.exchange.bundle import read_bundle_file

    data = read_bundle_file(path)
    opened = (open_with_passphrase(data, passphrase) if passphrase
              else open_with_exchange_key(store, data))
    return preview_import(store, opened)


def import_changes(opened: OpenedBundle, result: ImportResult) -> Changes:
    """What an import changed: every kind it carries, for the trainees it names."""
    if not result.written:
        return NOTHING
    erased = frozenset(e.record.subject for e in result.preview.erasures if e.applies)
    return Changes(people=True, cases=True, observations=True, marks=True, record=True,
                   forms=True, trust=True, certificates=bool(erased),
                   mediators=frozenset(m.id for m in opened.payload.mediators) | erased)


def apply_pending(store: Store, pending: PendingImport) -> ImportDone:
    """Import it in one transaction (the plan is recomputed inside it); then finish any
    erasure the file carried (the log truncated, the file vacuumed, every backup
    rewritten: ``storage.erasure.complete_erasures``)."""
    from sendobserve.exchange.apply import apply_import

    own = own_identity(store)
    with store.session() as session:
        result = apply_import(session, pending.opened, own=own)
    erased: tuple[ErasureResult, ...] = ()
    if any(e.applies for e in result.preview.erasures):
        from sendobserve.storage.erasure import complete_erasures

        erased = tuple(complete_erasures(store))
    return ImportDone(result, import_changes(pending.opened, result), erased)


# --- conflicts ---------------------------------------------------------------------------

def conflicts(store: Sessions) -> tuple[tuple[ObservationConflict, ...],
                                        tuple[RecordConflict, ...]]:
    """Observations and records held in more than one version here. Reads only."""
    from sendobserve.exchange.conflicts import list_conflicts, list_record_conflicts

    with store.session() as session:
        return list_conflicts(session), list_record_conflicts(session)


def control_conflicts(store: Sessions) -> tuple[tuple[TombstoneConflict, ...],
                                                tuple[CertificateConflict, ...]]:
    """Records deleted elsewhere but edited here (or without seeing the deletion), and
    two certificates issued for one trainee and form (``exchange.decide``). Reads only."""
    from sendobserve.exchange.decide import list_certificate_conflicts, list_tombstone_conflicts

    with store.session() as session:
        return list_tombstone_conflicts(session), list_certificate_conflicts(session)


def decide_conflict(store: Sessions, kind: str, record_id: uuid.UUID, *, keep: str,
                    decided_by: str, reason: str, merged: dict[str, Any] | None = None
                    ) -> Done[Decision]:
    """A person whose role may decide (``model.deciders``) settles a conflict of an
    observation or a record: ``keep`` is "current", a kept version's digest, "deleted"
    (against a tombstone) or "merged" (``merged``: the record's fields). The decision is
    signed by this installation and travels (``exchange.decide``)."""
    from sendobserve.exchange.decide import decide_observation, decide_record, record_kind

    kind = record_kind(kind.strip())
    with store.session() as session:
        if kind == "observation":
            decision = decide_observation(session, record_id, keep=keep,
                                          decided_by=decided_by, reason=reason)
        else:
            decision = decide_record(session, kind, record_id, keep=keep,
                                     decided_by=decided_by, reason=reason, merged=merged)
    return Done(decision, decision_changes(decision))


def decide_certificate_conflict(store: Sessions, mediator_id: uuid.UUID, form_number: int,
                                *, keep: str, decided_by: str, reason: str) -> Done[Decision]:
    """A person whose role may decide picks which of two certificates issued for one
    trainee and form stands: ``keep`` is "current" or the other one's serial. The other
    stays, superseded by the signed decision, which travels (``exchange.decide``)."""
    from sendobserve.exchange.decide import decide_certificate

    with store.session() as session:
        decision = decide_certificate(session, mediator_id, form_number, keep=keep,
                                      decided_by=decided_by, reason=reason)
    return Done(decision, decision_changes(decision))


def decision_changes(decision: Decision) -> Changes:
    """What taking ``decision`` changed, for the screens (``services.changes``)."""
    flags = {"observation": {"observations": True, "marks": True},
             "case": {"cases": True}, "observer": {"people": True},
             "mediator": {"people": True},
             "certificate": {"certificates": True}}.get(decision.kind, {"record": True})
    return Changes(trust=True, mediators=frozenset({decision.mediator_id}), **flags)


# --- CSV ---------------------------------------------------------------------------------

def practice_csv(store: Sessions, what: str, *, mediator_id: uuid.UUID | None = None,
                 include_notes: bool = False) -> str:
    """One mediator's (or every mediator's) marks or hours as CSV text."""
    from sendobserve.exchange.csv_export import hours_csv, marks_csv
    from sendobserve.storage.repositories import load_practice_records

    with store.session() as session:
        ids = [mediator_id] if mediator_id is not None else None
        records = list(load_practice_records(session, ids).values())
    if what == "marks":
        return marks_csv(records, include_notes=include_notes)
    return hours_csv(records, include_notes=include_notes)


def mediator_of(store: Sessions, name_or_id: str) -> Mediator:
    from sendobserve.services.people import resolve_mediator

    return resolve_mediator(store, name_or_id)
