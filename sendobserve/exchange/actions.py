"""Export, import and identity as whole steps on an open store, for the app. Qt-free.

Each function opens its own session (so the app can call it on a worker thread) and
either finishes or changes nothing: an export file appears only complete; an import
file is opened and checked entirely before the store is read, and applied in one
transaction.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sendobserve.errors import UserError
from sendobserve.exchange.apply import ImportPreview, ImportResult, apply_import, preview_import
from sendobserve.exchange.bundle import (
    FILE_SUFFIX,
    OpenedBundle,
    check_passphrase,
    open_bundle,
    read_bundle_file,
)
from sendobserve.exchange.errors import ExchangeError, ExchangeProblem
from sendobserve.exchange.export import export_bundle
from sendobserve.exchange.identity import (
    Identity,
    exchange_public_key,
    load_or_create_exchange_key,
    load_or_create_identity,
    recipient_key_text,
)

if TYPE_CHECKING:
    from sendobserve.storage.db import Store


@dataclass(frozen=True, slots=True)
class IdentityCard:
    """What the identity dialog shows: who this installation signs as, and its keys."""

    name: str | None
    fingerprint: str  # eight groups of four characters, to read aloud
    exchange_key: str


@dataclass(frozen=True, slots=True)
class ExportSummary:
    path: Path
    observations: int
    size: int
    signed_as: str
    fingerprint: str


@dataclass(frozen=True, slots=True)
class PendingImport:
    """An opened, checked file and what importing it would do; nothing written yet."""

    opened: OpenedBundle
    preview: ImportPreview


def identity_card(store: Store) -> IdentityCard:
    """This installation's identity (created on first use, in one transaction)."""
    from sendobserve.storage import exchange as stored

    with store.session() as session:
        keys = stored.StoredSigningKey(session)
        identity = load_or_create_identity(keys)
        exchange_key = load_or_create_exchange_key(keys)
        return IdentityCard(stored.identity_name(session), identity.fingerprint,
                            recipient_key_text(exchange_public_key(exchange_key)))


def export_to_file(store: Store, mediator_id: uuid.UUID, path: str | os.PathLike[str], *,
                   passphrase: str, exported_by: str) -> ExportSummary:
    """Seal the mediator's finalised observations into ``path`` (replaced if it exists).

    ``exported_by`` is remembered as this installation's name when none is set yet.
    """
    from sendobserve.storage import exchange as stored

    target = Path(path)
    if target.suffix != FILE_SUFFIX:
        target = target.with_name(target.name + FILE_SUFFIX)
    exported_by = exported_by.strip()
    if not exported_by:
        raise UserError("Say who is exporting: the importer sees this name with the file.")
    check_passphrase(passphrase)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise UserError(f"No such folder: {folder}")
    with store.session() as session:
        identity = load_or_create_identity(stored.StoredSigningKey(session))
        if not stored.identity_name(session):
            stored.set_identity_name(session, exported_by)
        data, payload = export_bundle(session, mediator_id, passphrase=passphrase,
                                      identity=identity, exported_by=exported_by)
        if not payload.observations:  # raised inside: the new identity is not kept either
            raise UserError("This trainee has no finalised observations to export; no file "
                            "was written.", hint="Finalise an observation first.")
    from sendobserve.storage.fsutil import atomic_write_bytes

    try:
        atomic_write_bytes(target, data)
    except OSError as exc:
        raise UserError(f"Could not write {target}: {exc.strerror or exc}") from None
    return ExportSummary(target, len(payload.observations), len(data), exported_by,
                         identity.fingerprint)


def _own_identity(store: Store) -> Identity | None:
    from sendobserve.storage import exchange as stored

    with store.session() as session:
        raw = stored.StoredSigningKey(session).load_signing_key()
    return Identity.from_private_bytes(raw) if raw else None


def open_for_import(store: Store, path: str | os.PathLike[str],
                    passphrase: str | None) -> PendingImport:
    """Read and check the whole file, then preview it. Writes nothing.

    Without a passphrase the file is opened with this installation's exchange key.
    """
    from sendobserve.storage import exchange as stored

    data = read_bundle_file(path)
    if passphrase:
        opened = open_bundle(data, passphrase=passphrase)
    else:
        with store.session() as session:
            raw = stored.StoredSigningKey(session).load_exchange_key()
        if raw is None:
            raise ExchangeError(ExchangeProblem.WRONG_KEY,
                                "Type the file passphrase: this installation has no exchange "
                                "key to open it with; nothing was imported.")
        from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

        opened = open_bundle(data, recipient_key=X25519PrivateKey.from_private_bytes(raw))
    own = _own_identity(store)
    with store.session() as session:
        preview = preview_import(session, opened, own=own)
    return PendingImport(opened, preview)


def apply_pending(store: Store, pending: PendingImport) -> ImportResult:
    """Import it in one transaction (the plan is recomputed inside it); then finish any
    erasure the file carried (the log truncated, every backup rewritten)."""
    own = _own_identity(store)
    with store.session() as session:
        result = apply_import(session, pending.opened, own=own)
    if any(e.applies for e in result.preview.erasures):
        from sendobserve.storage.erasure import complete_erasures

        complete_erasures(store)
    return result
