"""Signed control records, below the store (a deletion here signs its tombstone in the
delete's own transaction): ``Tombstone``, ``Decision`` and ``IssuedCertificate``, and the
one signing mechanism for control records (``sign_control`` / ``verify_control``).
How they travel (the payload's sections) is ``exchange.controls``.

Tombstones and decisions are each signed by the installation that made them: Ed25519 over
``sendobserve.control.v1\0`` and a canonical JSON statement naming the version (``v``),
the control kind and the installation's key (``control_statement``), so they can be
relayed by any store and still be checked. Another kind of control record adds a
``kind`` name and a body, and signs and verifies with ``sign_control`` /
``verify_control``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, ClassVar, Self

from sendobserve.model.domain import ObserverRole
from sendobserve.model.shapes import LOG_SHAPES
from sendobserve.pki.canonical import b64
from sendobserve.pki.identity import Identity, fingerprint, verify

_CONTROL_CONTEXT = b"sendobserve.control.v1\x00"
_LOG_KINDS: tuple[str, ...] = tuple(LOG_SHAPES)  # (the exchange's ``logs.LOG_KINDS``)
EVIDENCE = "evidence"  # an evidence file removed: its tombstone's base is the content's SHA-256
TOMBSTONE_KINDS: tuple[str, ...] = (*_LOG_KINDS, "case", EVIDENCE)
# What a decision can settle: every versioned record (also against a tombstone: keep it
# or let it stay deleted) and an observation's kept amendments.
# A certificate decision picks which of two certificates issued for one trainee and form
# stands (``certificate_record_id`` names the pair; the others stay, superseded).
CERTIFICATE = "certificate"
DECISION_KINDS: tuple[str, ...] = (*_LOG_KINDS, "mediator", "case", "observer",
                                   "observation", CERTIFICATE)
DELETED = "deleted"  # a decision's ``chosen`` when the record stays deleted
MAX_CONTROL_HISTORY = 1000
SECTIONS = ("certificates", "tombstones", "decisions")


def control_statement(kind: str, body: dict[str, Any], public_key: bytes) -> bytes:
    """The canonical statement an installation signs for one control record of ``kind``:
    ``{"v": 1, "kind": …, "installation": base64 key, …body}`` (a body's own ``kind`` is
    written ``record_kind``). The shape of the signed erasure record's statements, so both
    are one mechanism with one context."""
    from sendobserve.pki.canonical import canonical_json

    fields = {("record_kind" if k == "kind" else k): v for k, v in body.items()}
    return canonical_json({**fields, "v": 1, "kind": kind, "installation": b64(public_key)})


def control_message(kind: str, body: dict[str, Any], public_key: bytes) -> bytes:
    """The bytes signed: the context, then the statement."""
    return _CONTROL_CONTEXT + control_statement(kind, body, public_key)


def sign_control(identity: Identity, kind: str, body: dict[str, Any]) -> bytes:
    return identity.sign(control_message(kind, body, identity.public_key))


def verify_control(public_key: bytes, signature: bytes, kind: str,
                   body: dict[str, Any]) -> bool:
    if len(public_key) != 32:
        return False
    return verify(public_key, signature, control_message(kind, body, public_key))


class _SignedControl:
    """A control record signed by an installation: ``kind`` names it in the signed
    statement (``control_message``), ``body()`` is what it says."""

    __slots__ = ()
    CONTROL: ClassVar[str]
    public_key: bytes
    signature: bytes

    def body(self) -> dict[str, Any]:
        raise NotImplementedError

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.public_key)

    def verifies(self) -> bool:
        return verify_control(self.public_key, self.signature, self.CONTROL, self.body())

    def signed(self, identity: Identity) -> Self:
        from dataclasses import replace

        return replace(self, public_key=identity.public_key,  # type: ignore[type-var]
                       signature=sign_control(identity, self.CONTROL, self.body()))


@dataclass(frozen=True, slots=True)
class Tombstone(_SignedControl):
    CONTROL: ClassVar[str] = "tombstone"

    kind: str  # a ``TOMBSTONE_KINDS`` entry
    record_id: uuid.UUID  # for an evidence file, the file's id (``model.evidence``)
    mediator_id: uuid.UUID
    base: str  # digest of the version deleted
    history: tuple[str, ...]  # digests of the versions it followed (sorted)
    deleted_at: datetime
    deleted_by: str  # the installation's name for itself, or who deleted
    public_key: bytes = b""
    signature: bytes = b""

    def body(self) -> dict[str, Any]:
        from sendobserve.pki.canonical import timestamp_text

        return {"kind": self.kind, "record_id": self.record_id.hex,
                "mediator_id": self.mediator_id.hex, "base": self.base,
                "history": list(self.history), "deleted_at": timestamp_text(self.deleted_at),
                "deleted_by": self.deleted_by}

    @property
    def versions(self) -> frozenset[str]:
        """Every version this deletion removes (the base and what it followed)."""
        return frozenset({self.base, *self.history})

    def order_key(self) -> tuple[datetime, bytes]:
        """Two stores deleting the same record: the earliest tombstone is kept everywhere."""
        return (self.deleted_at, self.signature)


@dataclass(frozen=True, slots=True)
class Decision(_SignedControl):
    """A person's decision on a conflict, signed by the installation where it was taken."""

    CONTROL: ClassVar[str] = "decision"

    id: uuid.UUID
    kind: str  # a ``DECISION_KINDS`` entry
    record_id: uuid.UUID
    mediator_id: uuid.UUID
    chosen: str  # digest of the version that stays, or ``DELETED``
    version: dict[str, Any] | None  # the chosen version's fields (versioned records)
    retired: tuple[str, ...]  # what it replaces (sorted)
    reason: str
    decided_by: str
    role: ObserverRole
    experienced: bool  # the decider is an experienced SEND mediator (a Form 4 signer)
    decided_at: datetime
    public_key: bytes = b""
    signature: bytes = b""

    def body(self) -> dict[str, Any]:
        from sendobserve.pki.canonical import timestamp_text

        return {"id": self.id.hex, "kind": self.kind, "record_id": self.record_id.hex,
                "mediator_id": self.mediator_id.hex, "chosen": self.chosen,
                "version": self.version, "retired": list(self.retired),
                "reason": self.reason, "decided_by": self.decided_by,
                "role": self.role.value, "experienced": self.experienced,
                "decided_at": timestamp_text(self.decided_at)}



@dataclass(frozen=True, slots=True)
class IssuedCertificate:
    """A Form 4 or Form 5 issued somewhere: a re-print anywhere keeps serial and code."""

    serial: str
    form_number: int  # 4 or 5
    mediator_id: uuid.UUID
    signer_id: uuid.UUID | None
    signer_name: str
    issued_on: date
    verification_code: str
    created_at: datetime
    edition: str | None  # the rulebook edition the mediator's record was assessed under
    signer_drawing: bytes | None = None
    mediator_drawing: bytes | None = None
    # The fingerprint of the installation that issued it: each numbers its own, so a
    # serial is known together with its issuer. '' : not known (received before issuers
    # travelled); the JSON carries it only when known, so such files read as before.
    issuer: str = ""

    @property
    def kind(self) -> str:
        return f"Form {self.form_number}"

    def identity(self) -> dict[str, Any]:
        """What identifies this certificate (its serial, and the trainee, form and
        verification code it was issued with): a certificate decision names it by this."""
        return certificate_identity(self.serial, self.form_number, self.mediator_id,
                                    self.verification_code)

    @property
    def digest(self) -> str:
        return certificate_digest(self.identity())

    @property
    def key(self) -> str:
        """What tells this certificate from another issued with the same serial."""
        return f"{self.serial} {self.issuer}" if self.issuer else self.serial

    def same_certificate(self, other: IssuedCertificate) -> bool:
        """The same certificate (an issuer not known matches any): the same serial for the
        same mediator and form with the same verification code (a code is a keyed digest
        of the serial and the certificate's facts by its issuer's key)."""
        return (self.serial, self.mediator_id, self.form_number, self.verification_code) == (
            other.serial, other.mediator_id, other.form_number, other.verification_code) \
            and (not self.issuer or not other.issuer or self.issuer == other.issuer)

    def json(self) -> dict[str, Any]:
        from sendobserve.pki.canonical import timestamp_text

        return {"serial": self.serial, "form_number": self.form_number,
                "mediator_id": self.mediator_id.hex,
                "signer_id": None if self.signer_id is None else self.signer_id.hex,
                "signer_name": self.signer_name, "issued_on": self.issued_on.isoformat(),
                "verification_code": self.verification_code,
                "created_at": timestamp_text(self.created_at), "edition": self.edition,
                "signer_drawing": None if self.signer_drawing is None
                else b64(self.signer_drawing),
                "mediator_drawing": None if self.mediator_drawing is None
                else b64(self.mediator_drawing),
                **({"issuer": self.issuer} if self.issuer else {})}


# ---------------------------------------------------------------------------------------
# Certificates in a decision

# Fixed: the id of "the certificate of trainee M on form N" must be the same everywhere.
_CERTIFICATE_IDS = uuid.UUID("5e3d0b52-8d2c-4c1e-9a57-3f1c0b7e4a21")


def certificate_record_id(mediator_id: uuid.UUID, form_number: int) -> uuid.UUID:
    """The record a certificate decision is about: one trainee's certificate on one form
    (the same id on every installation)."""
    return uuid.uuid5(_CERTIFICATE_IDS, f"{mediator_id.hex}/form{form_number}")


def certificate_identity(serial: str, form_number: int, mediator_id: uuid.UUID,
                         verification_code: str) -> dict[str, Any]:
    return {"serial": serial, "form_number": form_number, "mediator_id": mediator_id.hex,
            "verification_code": verification_code}


def certificate_digest(identity: dict[str, Any]) -> str:
    """SHA-256 of a certificate's identity (canonical JSON): a decision's ``chosen`` and
    ``retired`` name certificates by it."""
    import hashlib

    from sendobserve.pki.canonical import canonical_json

    return hashlib.sha256(canonical_json(identity)).hexdigest()
