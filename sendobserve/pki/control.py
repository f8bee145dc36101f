"""Signed control records: statements an installation signs so that they can travel through
any number of hands (exchange files, the hub) and still say who made them.

A control record is a canonical JSON *statement* and the Ed25519 signature of the
installation that made it, over ``CONTEXT + statement``. The statement names its kind and
the signer's public key, so a record relayed by another store or by the hub is checked
against the key inside it, never against whoever passed it on. It travels as two base64
strings (``{"statement": …, "signature": …}``) in an exchange file's payload and in the
hub's control route; both read it with ``ControlRecord.from_json`` and ``verified``.

The first kind is the **erasure record** (``ErasureRecord``): a mediator, by the store's
stable id and never by name, was erased on an installation at a moment, with or without the
certificates already issued. Whether a receiving store or the hub *acts* on a verified
record is their rule (``storage.erasure_records.erasure_allowed``, ``hub.erasures``), not
this module's. It sits below the store (with the keys) so the store can hold such records.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sendobserve.pki.canonical import b64, canonical_json, unb64
from sendobserve.pki.identity import Identity, fingerprint, verify

CONTEXT = b"sendobserve.control.v1\x00"
MAX_STATEMENT_BYTES = 4096
KIND_ERASURE = "erasure"


class ControlRecordError(ValueError):
    """A control record that is malformed, not canonical, or not signed by its key."""


def _canonical(obj: Mapping[str, Any]) -> bytes:
    try:
        return canonical_json(obj)
    except ValueError:  # NaN or infinity: never canonical
        raise ControlRecordError("the statement is not a canonical control statement") from None


_b64 = b64


def _unb64(text: Any, size: int | None = None) -> bytes:
    if not isinstance(text, str):
        raise ControlRecordError("expected base64 text")
    try:
        return unb64(text, size=size)
    except ValueError as exc:
        raise ControlRecordError(str(exc)) from None


@dataclass(frozen=True, slots=True)
class ControlRecord:
    """A statement and its signer's signature, as they travel."""

    statement: bytes
    signature: bytes

    def to_json(self) -> dict[str, str]:
        return {"statement": _b64(self.statement), "signature": _b64(self.signature)}

    @classmethod
    def from_json(cls, value: Any) -> ControlRecord:
        if not isinstance(value, dict) or set(value) != {"statement", "signature"}:
            raise ControlRecordError("a control record is {statement, signature}")
        statement = _unb64(value["statement"])
        if not 0 < len(statement) <= MAX_STATEMENT_BYTES:
            raise ControlRecordError("a control record's statement is too long")
        return cls(statement, _unb64(value["signature"], 64))

    def fields(self) -> dict[str, Any]:
        """The statement's fields, checked to be canonical JSON with a kind and a key."""
        try:
            obj = json.loads(self.statement.decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            raise ControlRecordError("the statement is not JSON") from None
        if not isinstance(obj, dict) or obj.get("v") != 1 \
                or not isinstance(obj.get("kind"), str) or _canonical(obj) != self.statement:
            raise ControlRecordError("the statement is not a canonical control statement")
        _unb64(obj.get("installation"), 32)
        return obj

    @property
    def kind(self) -> str:
        return str(self.fields()["kind"])

    @property
    def public_key(self) -> bytes:
        return _unb64(self.fields()["installation"], 32)

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.public_key)

    @property
    def signed(self) -> bool:
        """True when the key named inside the statement signed it."""
        try:
            key = self.public_key
        except ControlRecordError:
            return False
        return verify(key, self.signature, CONTEXT + self.statement)

    def verified(self) -> ControlRecord:
        if not self.signed:
            raise ControlRecordError("the control record is not signed by the installation "
                                     "it names")
        return self


def sign_statement(identity: Identity, fields: Mapping[str, Any]) -> ControlRecord:
    obj = {"v": 1, **fields, "installation": _b64(identity.public_key)}
    statement = _canonical(obj)
    return ControlRecord(statement, identity.sign(CONTEXT + statement))


def _moment(text: Any) -> datetime:
    if not isinstance(text, str):
        raise ControlRecordError("expected a timestamp")
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise ControlRecordError("expected an ISO 8601 timestamp") from None
    if value.tzinfo is None:
        raise ControlRecordError("a timestamp must say its time zone")
    return value.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class ErasureRecord:
    """A mediator (by the store's stable id, never by name) erased on one installation.

    ``certificates``: the certificates already issued were erased too (otherwise they and
    the mediator's row were kept as a register fact, and a receiving store does the same).
    """

    subject: uuid.UUID
    erased_at: datetime
    certificates: bool
    public_key: bytes
    record: ControlRecord

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.public_key)

    @property
    def trainee(self) -> str:
        """The subject as the hub routes it (32 hex digits)."""
        return self.subject.hex

    @classmethod
    def make(cls, identity: Identity, subject: uuid.UUID, *, erased_at: datetime,
             certificates: bool) -> ErasureRecord:
        record = sign_statement(identity, {
            "kind": KIND_ERASURE, "subject": subject.hex,
            "erased_at": erased_at.astimezone(UTC).isoformat(timespec="seconds"),
            "certificates": certificates,
        })
        return cls.read(record)

    @classmethod
    def read(cls, record: ControlRecord) -> ErasureRecord:
        """The erasure a *signed* control record states (``ControlRecordError`` otherwise)."""
        record.verified()
        obj = record.fields()
        if obj["kind"] != KIND_ERASURE or set(obj) != {
                "v", "kind", "subject", "erased_at", "certificates", "installation"}:
            raise ControlRecordError("not an erasure record")
        subject = obj["subject"]
        if not isinstance(subject, str) or len(subject) != 32:
            raise ControlRecordError("an erasure record names a mediator id (32 hex digits)")
        try:
            subject_id = uuid.UUID(hex=subject)
        except ValueError:
            raise ControlRecordError("an erasure record names a mediator id") from None
        if subject_id.hex != subject or not isinstance(obj["certificates"], bool):
            raise ControlRecordError("not an erasure record")
        return cls(subject_id, _moment(obj["erased_at"]), obj["certificates"],
                   record.public_key, record)

    def to_json(self) -> dict[str, str]:
        return self.record.to_json()

    @classmethod
    def from_json(cls, value: Any) -> ErasureRecord:
        return cls.read(ControlRecord.from_json(value))


__all__ = ["CONTEXT", "KIND_ERASURE", "ControlRecord", "ControlRecordError", "ErasureRecord",
           "sign_statement"]
