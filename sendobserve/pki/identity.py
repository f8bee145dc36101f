"""An installation's signing identity: an Ed25519 key pair and a fingerprint people can read aloud.

The fingerprint is the first 160 bits of SHA-256 over the raw public key, written in
RFC 4648 base32 (A–Z and 2–7: no 0/O or 1/I/L to confuse) as eight groups of four,
e.g. ``K7QF M2XA …``. Two people compare it over the phone before trusting a signer.

The private key lives in the encrypted store; this module only needs something that
can load and save 32 raw bytes (``IdentityKeyStore``), so it is testable without one.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

PUBLIC_KEY_BYTES = 32
PRIVATE_KEY_BYTES = 32
SIGNATURE_BYTES = 64
_FINGERPRINT_CONTEXT = b"sendobserve.identity.v1\x00"


class IdentityKeyStore(Protocol):
    """Where the installation's private signing key is kept (the encrypted store)."""

    def load_signing_key(self) -> bytes | None:
        """The 32 raw private key bytes, or None when this installation has none yet."""
        ...

    def save_signing_key(self, private_key: bytes) -> None:
        """Keep the 32 raw private key bytes; called once, when the identity is created."""
        ...


def fingerprint(public_key: bytes) -> str:
    """Eight groups of four base32 characters identifying ``public_key``."""
    if len(public_key) != PUBLIC_KEY_BYTES:
        raise ValueError("an Ed25519 public key is 32 bytes")
    digest = hashlib.sha256(_FINGERPRINT_CONTEXT + public_key).digest()[:20]
    text = base64.b32encode(digest).decode("ascii")  # 160 bits -> exactly 32 chars, no padding
    return " ".join(text[i : i + 4] for i in range(0, 32, 4))


def normalise_fingerprint(text: str) -> str:
    """Accept what a person typed (any case, spaces or dashes) and give the canonical form."""
    compact = "".join(ch for ch in text.upper() if ch.isalnum())
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))


def verify(public_key: bytes, signature: bytes, message: bytes) -> bool:
    """True when ``signature`` is ``public_key``'s Ed25519 signature of ``message``."""
    if len(public_key) != PUBLIC_KEY_BYTES or len(signature) != SIGNATURE_BYTES:
        return False
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


@dataclass(frozen=True, slots=True)
class Identity:
    """This installation's signing key pair."""

    private_key: Ed25519PrivateKey

    @classmethod
    def generate(cls) -> Identity:
        return cls(Ed25519PrivateKey.generate())

    @classmethod
    def from_private_bytes(cls, raw: bytes) -> Identity:
        if len(raw) != PRIVATE_KEY_BYTES:
            raise ValueError("an Ed25519 private key is 32 bytes")
        return cls(Ed25519PrivateKey.from_private_bytes(raw))

    def private_bytes(self) -> bytes:
        return self.private_key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())

    @property
    def public_key(self) -> bytes:
        return self.private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.public_key)

    def sign(self, message: bytes) -> bytes:
        return self.private_key.sign(message)


def load_or_create_identity(store: IdentityKeyStore) -> Identity:
    """The installation's identity, created and saved on first use."""
    raw = store.load_signing_key()
    if raw is not None:
        return Identity.from_private_bytes(raw)
    identity = Identity.generate()
    store.save_signing_key(identity.private_bytes())
    return identity


# ---------------------------------------------------------------------------------------
# Exchange (recipient) keys: X25519, so a file can be opened without a shared passphrase.

_KEY_CHECK_BYTES = 3


def recipient_key_text(public_key: bytes) -> str:
    """An X25519 public key as 14 groups of four base32 characters, the last five of which
    are a checksum: a mistyped or truncated key is refused, never used."""
    if len(public_key) != PUBLIC_KEY_BYTES:
        raise ValueError("an X25519 public key is 32 bytes")
    check = hashlib.sha256(b"sendobserve.recipient.v1\x00" + public_key).digest()
    text = base64.b32encode(public_key + check[:_KEY_CHECK_BYTES]).decode("ascii")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def parse_recipient_key(text: str) -> bytes:
    """The 32 public key bytes from ``recipient_key_text`` output, as a person pasted it."""
    compact = "".join(ch for ch in text.upper() if ch.isalnum())
    try:
        raw = base64.b32decode(compact)
    except (ValueError, TypeError):
        raise ValueError("not an exchange key (letters A-Z and digits 2-7 only)") from None
    if len(raw) != PUBLIC_KEY_BYTES + _KEY_CHECK_BYTES:
        raise ValueError("an exchange key has 56 characters")
    key, check = raw[:PUBLIC_KEY_BYTES], raw[PUBLIC_KEY_BYTES:]
    expected = hashlib.sha256(b"sendobserve.recipient.v1\x00" + key).digest()
    if check != expected[:_KEY_CHECK_BYTES]:
        raise ValueError("the exchange key has a typing mistake (its checksum does not match)")
    return key


class ExchangeKeyStore(Protocol):
    """Where the installation's private X25519 exchange key is kept (the encrypted store)."""

    def load_exchange_key(self) -> bytes | None: ...

    def save_exchange_key(self, private_key: bytes) -> None: ...


def load_or_create_exchange_key(store: ExchangeKeyStore) -> X25519PrivateKey:
    """The installation's X25519 key for files encrypted to it, created on first use."""
    raw = store.load_exchange_key()
    if raw is not None:
        return X25519PrivateKey.from_private_bytes(raw)
    key = X25519PrivateKey.generate()
    store.save_exchange_key(key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption()))
    return key


def exchange_public_key(key: X25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


@dataclass(frozen=True, slots=True)
class Revocation:
    """An installation's signing key revoked (a lost laptop): files it signs dated from
    ``revoked_from`` on are refused; what it signed before stays, marked. Travels in
    exchange files like any record, signed by the installation that sends it."""

    public_key: bytes
    revoked_from: datetime
    reason: str
    decided_by: str

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.public_key)
