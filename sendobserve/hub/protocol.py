"""What the hub and its clients share: request signing, roles, fingerprints, approvals.

Every request is signed by the installation's Ed25519 identity (no passwords anywhere).
The signed message binds the method, the path with its query, the SHA-256 of the body, a
timestamp and a random nonce::

    sendobserve.hub.v1\\n METHOD \\n /path?query \\n sha256(body) hex \\n unix-time \\n nonce

The hub refuses a timestamp more than ``MAX_CLOCK_SKEW`` seconds away from its clock and
a nonce it has seen from the same key (a replay). An *approval* is the admin's signed
statement that an installation (its signing and exchange keys) belongs to the
organisation with a role and a trainee scope; clients check it before encrypting to that
installation, so the hub cannot slip in a key of its own.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sendobserve.pki.canonical import b64 as b64
from sendobserve.pki.canonical import unb64 as unb64
from sendobserve.pki.identity import Identity, fingerprint, verify

PROTOCOL = b"sendobserve.hub.v1"
APPROVAL_CONTEXT = b"sendobserve.hub.approval.v1\x00"
ENROL_CONTEXT = b"sendobserve.hub.exchange-key.v1\x00"
MAX_CLOCK_SKEW = 300  # seconds either way
NONCE_HEX_CHARS = 32

HEADER_KEY = "sendobserve-key"
HEADER_TIME = "sendobserve-time"
HEADER_NONCE = "sendobserve-nonce"
HEADER_SIGNATURE = "sendobserve-signature"

MAX_OBJECT_BYTES = 64 * 1024 * 1024 + 4096  # an exchange file's limit, plus header room
MAX_JSON_BYTES = 256 * 1024


class Role(StrEnum):
    """What an enrolled installation may do. Everyone sees only the trainees in scope
    (an admin sees every trainee); an assessor only reads."""

    ADMIN = "admin"
    PPC = "ppc"  # practice-period coordinator or mentor
    OBSERVER = "observer"
    TRAINEE = "trainee"
    ASSESSOR = "assessor"  # external, read-only spot checks

    @property
    def may_push(self) -> bool:
        return self is not Role.ASSESSOR

    @property
    def sees_all(self) -> bool:
        return self is Role.ADMIN


class Status(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REVOKED = "revoked"


def compact_fingerprint(public_key: bytes) -> str:
    """The fingerprint without its spaces: how the protocol and URLs name an installation."""
    return fingerprint(public_key).replace(" ", "")


def spaced(compact: str) -> str:
    """A compact fingerprint in the groups of four people read aloud."""
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))


def body_digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def signed_message(method: str, path: str, body_sha256: str, timestamp: int, nonce: str) -> bytes:
    return b"\n".join([
        PROTOCOL, method.upper().encode("ascii"), path.encode("utf-8"),
        body_sha256.encode("ascii"), str(timestamp).encode("ascii"), nonce.encode("ascii"),
    ])


def sign_request(identity: Identity, method: str, path: str, body: bytes,
                 *, now: float | None = None, nonce: str | None = None) -> dict[str, str]:
    """The four headers that authenticate one request (``path`` includes its query)."""
    timestamp = int(time.time() if now is None else now)
    nonce = nonce or secrets.token_hex(NONCE_HEX_CHARS // 2)
    message = signed_message(method, path, body_digest(body), timestamp, nonce)
    return {
        HEADER_KEY: b64(identity.public_key),
        HEADER_TIME: str(timestamp),
        HEADER_NONCE: nonce,
        HEADER_SIGNATURE: b64(identity.sign(message)),
    }


@dataclass(frozen=True, slots=True)
class SignedRequest:
    public_key: bytes
    timestamp: int
    nonce: str

    @property
    def fingerprint(self) -> str:
        return compact_fingerprint(self.public_key)


class AuthError(Exception):
    """A request whose signature headers are missing, malformed, stale or wrong."""


def check_request(headers: Mapping[str, str], method: str, path: str, body: bytes,
                  *, now: float | None = None) -> SignedRequest:
    """The signer of a request, or ``AuthError`` saying why it is refused (replay is
    the caller's check: it needs the database)."""
    try:
        key = unb64(headers[HEADER_KEY], size=32)
        timestamp = int(headers[HEADER_TIME])
        nonce = headers[HEADER_NONCE]
        signature = unb64(headers[HEADER_SIGNATURE], size=64)
    except KeyError as exc:
        raise AuthError(f"unsigned request (no {exc.args[0]} header)") from None
    except ValueError:
        raise AuthError("malformed signature headers") from None
    if len(nonce) != NONCE_HEX_CHARS or any(c not in "0123456789abcdef" for c in nonce):
        raise AuthError("malformed nonce")
    current = time.time() if now is None else now
    if abs(current - timestamp) > MAX_CLOCK_SKEW:
        raise AuthError("the request's clock is more than five minutes off the hub's "
                        "(check the computer's date and time)")
    if not verify(key, signature, signed_message(method, path, body_digest(body), timestamp,
                                                 nonce)):
        raise AuthError("bad request signature")
    return SignedRequest(key, timestamp, nonce)


# ---------------------------------------------------------------------------------------
# Approvals


def canonical(obj: Mapping[str, Any]) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


@dataclass(frozen=True, slots=True)
class Approval:
    """An admin's statement: this installation is ours, with this role and scope."""

    organisation: str
    public_key: bytes
    exchange_key: bytes
    role: Role
    trainees: tuple[str, ...] | None  # mediator ids (hex); None: every trainee
    approved_at: str

    def to_bytes(self) -> bytes:
        return canonical({
            "v": 1,
            "organisation": self.organisation,
            "installation": b64(self.public_key),
            "exchange_key": b64(self.exchange_key),
            "role": self.role.value,
            "trainees": None if self.trainees is None else sorted(self.trainees),
            "approved_at": self.approved_at,
        })

    @classmethod
    def from_bytes(cls, data: bytes) -> Approval:
        try:
            obj = json.loads(data)
            trainees = obj["trainees"]
            approval = cls(
                organisation=str(obj["organisation"]),
                public_key=unb64(obj["installation"], size=32),
                exchange_key=unb64(obj["exchange_key"], size=32),
                role=Role(obj["role"]),
                trainees=None if trainees is None else tuple(str(t) for t in trainees),
                approved_at=str(obj["approved_at"]),
            )
        except (ValueError, KeyError, TypeError):
            raise ValueError("not an approval statement") from None
        if obj.get("v") != 1 or approval.to_bytes() != data:
            raise ValueError("not a canonical approval statement")
        return approval

    def sign(self, admin: Identity) -> bytes:
        return admin.sign(APPROVAL_CONTEXT + self.to_bytes())

    def may_see(self, trainee: str) -> bool:
        return self.role.sees_all or self.trainees is None or trainee in self.trainees


def sign_exchange_key(identity: Identity, exchange_key: bytes) -> bytes:
    """The installation's own statement that ``exchange_key`` is its exchange key: sent
    when enrolling, kept by the hub, checked by the admin before approving."""
    return identity.sign(ENROL_CONTEXT + exchange_key)


def exchange_key_is_bound(public_key: bytes, exchange_key: bytes, signature: bytes) -> bool:
    return verify(public_key, signature, ENROL_CONTEXT + exchange_key)


def approval_is_signed_by(statement: bytes, signature: bytes, admin_key: bytes) -> bool:
    return verify(admin_key, signature, APPROVAL_CONTEXT + statement)


@dataclass(frozen=True, slots=True)
class Member:
    """One entry of the hub's directory, as a client receives it."""

    fingerprint: str  # compact
    name: str
    role: Role
    public_key: bytes
    exchange_key: bytes
    approval: bytes | None  # None only for the bootstrap admin
    approval_signature: bytes | None
    approved_by: bytes | None  # the approving admin's public key

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> Member:
        def opt(name: str, size: int | None = None) -> bytes | None:
            value = obj.get(name)
            return None if value is None else unb64(str(value), size=size)

        return cls(
            fingerprint=str(obj["fingerprint"]), name=str(obj["name"]),
            role=Role(obj["role"]), public_key=unb64(obj["public_key"], size=32),
            exchange_key=unb64(obj["exchange_key"], size=32),
            approval=opt("approval"), approval_signature=opt("approval_signature", 64),
            approved_by=opt("approved_by", 32),
        )


def trusted_members(members: Iterable[Member], trusted_admins: Iterable[str],
                    trainee: str | None = None) -> list[Member]:
    """The members whose membership a trusted admin vouches for.

    ``trusted_admins`` are the compact fingerprints compared aloud when joining. A member
    is trusted when its approval statement names exactly its keys and role and is signed
    by a trusted admin: one of the pinned admins (which sign their own), or an admin
    approved that way in turn. With ``trainee``, an approved member's signed scope must also
    include that trainee. Anything else, whatever the hub says, is left out.
    """
    pending = list(members)
    pinned = set(trusted_admins)
    admins: dict[str, bytes] = {}
    trusted: list[Member] = []
    progress = True
    while progress:
        progress = False
        for member in list(pending):
            ok = False
            if member.approval and member.approval_signature and member.approved_by:
                approver = compact_fingerprint(member.approved_by)
                # A pinned admin vouches for itself: its own signature binds its exchange
                # key, so the hub cannot swap in a key of its own for it either.
                self_signed = member.role is Role.ADMIN and member.fingerprint in pinned \
                    and member.approved_by == member.public_key
                key = member.public_key if self_signed else admins.get(approver)
                if key is not None and approval_is_signed_by(
                        member.approval, member.approval_signature, key):
                    try:
                        approval = Approval.from_bytes(member.approval)
                    except ValueError:
                        approval = None
                    ok = approval is not None and approval.public_key == member.public_key \
                        and approval.exchange_key == member.exchange_key \
                        and approval.role is member.role \
                        and (trainee is None or approval.may_see(trainee))
            if ok:
                pending.remove(member)
                trusted.append(member)
                progress = True
                if member.role is Role.ADMIN:
                    admins[member.fingerprint] = member.public_key
    return trusted
