"""Keys: a random data key opens the database; a key file beside it keeps that key wrapped.

Layout (LUKS-like, two levels so that neither a passphrase change nor a data-key
rotation needs the other secret):

* the **master key** (random, 256 bits) is wrapped once per *slot*: ``passphrase`` and
  ``recovery``, each with AES-GCM under a key derived by scrypt from that secret;
* the **data key** (random, 256 bits; SQLCipher's raw key) is wrapped by the master
  key. During a rotation the file holds the ``current`` data key and a ``pending``
  one; unlocking tries current, then pending, so a kill at any moment leaves a store
  that one of them opens.

Every AES-GCM use binds the file format version, the store id and what is wrapped
(slot name or key id) as associated data, so pieces cannot be swapped between files
or slots. The file is JSON, written atomically.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
import unicodedata
import uuid
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from sendobserve.storage.errors import KeyFileError, WrongKeyError
from sendobserve.storage.fsutil import atomic_write_bytes

KEY_FILE_NAME = "sendobserve.key"
KEY_FILE_FORMAT = "sendobserve-keyfile"
KEY_FILE_VERSION = 1
KEY_BYTES = 32
SLOT_PASSPHRASE = "passphrase"
SLOT_RECOVERY = "recovery"
MIN_PASSPHRASE_LENGTH = 8


@dataclass(frozen=True)
class ScryptParams:
    """scrypt cost, stored with each slot so it can be raised later without breaking old files."""

    n: int = 2**17  # 128 MiB, about 0.4 s here: the OWASP recommendation for scrypt
    r: int = 8
    p: int = 1


DEFAULT_SCRYPT = ScryptParams()


def new_key() -> bytes:
    return secrets.token_bytes(KEY_BYTES)


def key_id(data_key: bytes) -> str:
    """A public fingerprint of a data key: tells which wrapped key a database belongs to."""
    return hmac.new(data_key, b"sendobserve data key id", hashlib.sha256).hexdigest()[:32]


def sqlcipher_key_literal(data_key: bytes) -> str:
    """The raw-key form SQLCipher takes: no passphrase KDF on each open."""
    return f"x'{data_key.hex()}'"


# --- recovery key -------------------------------------------------------------------------

_RECOVERY_SECRET_BYTES = 20  # 160 bits
_RECOVERY_CHECK_BYTES = 5
_RECOVERY_GROUP = 5
_B32_FIXES = str.maketrans({"0": "O", "1": "I", "8": "B"})


def _recovery_checksum(raw: bytes) -> bytes:
    return hashlib.sha256(b"sendobserve recovery key" + raw).digest()[:_RECOVERY_CHECK_BYTES]


def new_recovery_key() -> str:
    """A printable recovery key: 8 groups of 5 base32 characters, the last 8 a checksum."""
    raw = secrets.token_bytes(_RECOVERY_SECRET_BYTES)
    text = base64.b32encode(raw + _recovery_checksum(raw)).decode("ascii")
    return "-".join(text[i : i + _RECOVERY_GROUP] for i in range(0, len(text), _RECOVERY_GROUP))


def _normalise_recovery(text: str) -> str:
    return "".join(ch for ch in text.upper() if ch not in " -\t\r\n").translate(_B32_FIXES)


def looks_like_recovery_key(text: str) -> bool:
    """Has the recovery key's shape (length and alphabet), typo or not."""
    norm = _normalise_recovery(text)
    total = _RECOVERY_SECRET_BYTES + _RECOVERY_CHECK_BYTES
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
    return len(norm) == total * 8 // 5 and all(c in alphabet for c in norm)


def parse_recovery_key(text: str) -> bytes | None:
    """The recovery secret, or None when the text is not a recovery key or has a typo."""
    if not looks_like_recovery_key(text):
        return None
    try:
        decoded = base64.b32decode(_normalise_recovery(text))
    except binascii.Error:
        return None
    raw, check = decoded[:_RECOVERY_SECRET_BYTES], decoded[_RECOVERY_SECRET_BYTES:]
    if not hmac.compare_digest(check, _recovery_checksum(raw)):
        return None
    return raw


# --- passphrase strength --------------------------------------------------------------------


def passphrase_problem(passphrase: str) -> str | None:
    """Why a new passphrase is refused, or None."""
    if len(passphrase) < MIN_PASSPHRASE_LENGTH:
        return f"the passphrase must be at least {MIN_PASSPHRASE_LENGTH} characters long"
    if passphrase.strip() != passphrase:
        return "the passphrase must not start or end with a space"
    return None


def passphrase_strength(passphrase: str) -> tuple[int, str]:
    """A rough 0–4 score and a hint; enough to steer people towards a few random words."""
    length = len(passphrase)
    kinds = sum(
        any(test(c) for c in passphrase)
        for test in (str.islower, str.isupper, str.isdigit, lambda c: not c.isalnum())
    )
    distinct = len(set(passphrase))
    score = 0
    if length >= MIN_PASSPHRASE_LENGTH:
        score = 1
    if length >= 12 and distinct >= 6:
        score = 2
    if length >= 16 and distinct >= 8:
        score = 3
    if length >= 20 and distinct >= 10 and (kinds >= 2 or " " in passphrase):
        score = 4
    hints = {
        0: f"Too short: use at least {MIN_PASSPHRASE_LENGTH} characters.",
        1: "Weak: four or five random words are stronger and easier to remember.",
        2: "Fair: a longer passphrase would be safer.",
        3: "Good.",
        4: "Strong.",
    }
    return score, hints[score]


# --- key file ------------------------------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: Any) -> bytes:
    if not isinstance(text, str):
        raise ValueError("expected base64 text")
    return base64.b64decode(text.encode("ascii"), validate=True)


@dataclass(frozen=True)
class Slot:
    """The master key wrapped under a secret-derived key."""

    name: str
    scrypt: ScryptParams
    salt: bytes
    nonce: bytes
    wrapped: bytes


@dataclass(frozen=True)
class WrappedDataKey:
    key_id: str
    nonce: bytes
    wrapped: bytes


@dataclass(frozen=True)
class KeyFile:
    store_id: str
    slots: dict[str, Slot]
    current: WrappedDataKey
    pending: WrappedDataKey | None = None
    version: int = field(default=KEY_FILE_VERSION)

    def known_key_ids(self) -> set[str]:
        ids = {self.current.key_id}
        if self.pending is not None:
            ids.add(self.pending.key_id)
        return ids


def key_file_path(data_dir: Path) -> Path:
    return data_dir / KEY_FILE_NAME


def _slot_aad(store_id: str, name: str) -> bytes:
    return f"{KEY_FILE_FORMAT}:v{KEY_FILE_VERSION}:{store_id}:slot:{name}".encode()


def _data_key_aad(store_id: str, kid: str) -> bytes:
    return f"{KEY_FILE_FORMAT}:v{KEY_FILE_VERSION}:{store_id}:data-key:{kid}".encode()


def _derive(secret: bytes, salt: bytes, params: ScryptParams) -> bytes:
    return Scrypt(salt=salt, length=KEY_BYTES, n=params.n, r=params.r, p=params.p).derive(secret)


def _passphrase_bytes(passphrase: str) -> bytes:
    return unicodedata.normalize("NFC", passphrase).encode("utf-8")


def make_slot(
    store_id: str, name: str, secret: bytes, master_key: bytes, params: ScryptParams
) -> Slot:
    salt = secrets.token_bytes(16)
    nonce = secrets.token_bytes(12)
    kek = _derive(secret, salt, params)
    wrapped = AESGCM(kek).encrypt(nonce, master_key, _slot_aad(store_id, name))
    return Slot(name, params, salt, nonce, wrapped)


def wrap_data_key(store_id: str, master_key: bytes, data_key: bytes) -> WrappedDataKey:
    kid = key_id(data_key)
    nonce = secrets.token_bytes(12)
    wrapped = AESGCM(master_key).encrypt(nonce, data_key, _data_key_aad(store_id, kid))
    return WrappedDataKey(kid, nonce, wrapped)


def unwrap_data_key(store_id: str, master_key: bytes, wrapped: WrappedDataKey) -> bytes:
    try:
        data_key = AESGCM(master_key).decrypt(
            wrapped.nonce, wrapped.wrapped, _data_key_aad(store_id, wrapped.key_id)
        )
    except InvalidTag:
        raise KeyFileError("the key file is damaged: a data key does not decrypt") from None
    if key_id(data_key) != wrapped.key_id:
        raise KeyFileError("the key file is damaged: a data key does not match its id")
    return data_key


@dataclass(frozen=True)
class NewKeys:
    """What ``init`` creates; the recovery key is shown once and never stored."""

    key_file: KeyFile
    master_key: bytes
    data_key: bytes
    recovery_key: str


def create_key_file_material(
    passphrase: str, *, scrypt: ScryptParams = DEFAULT_SCRYPT, store_id: str | None = None
) -> NewKeys:
    problem = passphrase_problem(passphrase)
    if problem:
        raise WrongKeyError(problem)
    sid = store_id or uuid.uuid4().hex
    master = new_key()
    data_key = new_key()
    recovery = new_recovery_key()
    recovery_secret = parse_recovery_key(recovery)
    assert recovery_secret is not None
    slots = {
        SLOT_PASSPHRASE: make_slot(
            sid, SLOT_PASSPHRASE, _passphrase_bytes(passphrase), master, scrypt
        ),
        SLOT_RECOVERY: make_slot(sid, SLOT_RECOVERY, recovery_secret, master, scrypt),
    }
    key_file = KeyFile(sid, slots, wrap_data_key(sid, master, data_key))
    return NewKeys(key_file, master, data_key, recovery)


def with_new_passphrase(
    key_file: KeyFile, master_key: bytes, passphrase: str, *, scrypt: ScryptParams | None = None
) -> KeyFile:
    problem = passphrase_problem(passphrase)
    if problem:
        raise WrongKeyError(problem)
    params = scrypt or key_file.slots[SLOT_PASSPHRASE].scrypt
    slot = make_slot(
        key_file.store_id, SLOT_PASSPHRASE, _passphrase_bytes(passphrase), master_key, params
    )
    return replace(key_file, slots={**key_file.slots, SLOT_PASSPHRASE: slot})


# --- serialisation -----------------------------------------------------------------------


def _slot_to_json(slot: Slot) -> dict[str, Any]:
    return {
        "kdf": "scrypt",
        "n": slot.scrypt.n,
        "r": slot.scrypt.r,
        "p": slot.scrypt.p,
        "salt": _b64(slot.salt),
        "nonce": _b64(slot.nonce),
        "wrapped": _b64(slot.wrapped),
    }


def _wrapped_to_json(w: WrappedDataKey | None) -> dict[str, Any] | None:
    if w is None:
        return None
    return {"key_id": w.key_id, "nonce": _b64(w.nonce), "wrapped": _b64(w.wrapped)}


def key_file_to_bytes(key_file: KeyFile) -> bytes:
    doc = {
        "format": KEY_FILE_FORMAT,
        "version": key_file.version,
        "store_id": key_file.store_id,
        "slots": {name: _slot_to_json(s) for name, s in sorted(key_file.slots.items())},
        "data_keys": {
            "current": _wrapped_to_json(key_file.current),
            "pending": _wrapped_to_json(key_file.pending),
        },
    }
    return (json.dumps(doc, indent=2, sort_keys=True) + "\n").encode("utf-8")


def _parse_wrapped(doc: Any) -> WrappedDataKey:
    if not isinstance(doc, dict) or not isinstance(doc.get("key_id"), str):
        raise ValueError("bad data key entry")
    return WrappedDataKey(doc["key_id"], _unb64(doc["nonce"]), _unb64(doc["wrapped"]))


def key_file_from_bytes(data: bytes, *, where: Path) -> KeyFile:
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise KeyFileError(f"the key file {where} is damaged (not readable JSON)") from None
    if not isinstance(doc, dict) or doc.get("format") != KEY_FILE_FORMAT:
        raise KeyFileError(f"{where} is not a sendobserve key file")
    version = doc.get("version")
    if isinstance(version, int) and version > KEY_FILE_VERSION:
        raise KeyFileError(
            f"the key file {where} was written by a newer version of sendobserve "
            f"(format {version}); install that version or newer"
        )
    try:
        if version != KEY_FILE_VERSION:
            raise ValueError("unknown version")
        store_id = doc["store_id"]
        if not isinstance(store_id, str):
            raise ValueError("store id")
        slots = {}
        for name, s in doc["slots"].items():
            if s.get("kdf") != "scrypt":
                raise ValueError("kdf")
            params = ScryptParams(int(s["n"]), int(s["r"]), int(s["p"]))
            slots[name] = Slot(
                name, params, _unb64(s["salt"]), _unb64(s["nonce"]), _unb64(s["wrapped"])
            )
        keys = doc["data_keys"]
        current = _parse_wrapped(keys["current"])
        pending = None if keys.get("pending") is None else _parse_wrapped(keys["pending"])
    except (KeyError, TypeError, ValueError, AttributeError, binascii.Error):
        raise KeyFileError(f"the key file {where} is damaged (a field is missing or bad)") from None
    if SLOT_PASSPHRASE not in slots and SLOT_RECOVERY not in slots:
        raise KeyFileError(f"the key file {where} is damaged (it has no slots)")
    return KeyFile(store_id, slots, current, pending, version)


def read_key_file(data_dir: Path) -> KeyFile:
    path = key_file_path(data_dir)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise KeyFileError(
            f"the key file {path} is missing: without it the database cannot be opened; "
            "put back the copy you saved, or restore the data folder from a copy"
        ) from None
    except OSError as exc:
        raise KeyFileError(f"cannot read the key file {path}: {exc.strerror or exc}") from None
    return key_file_from_bytes(data, where=path)


def write_key_file(data_dir: Path, key_file: KeyFile) -> None:
    atomic_write_bytes(key_file_path(data_dir), key_file_to_bytes(key_file), crash_name="keyfile")


# --- unlocking ----------------------------------------------------------------------------


@dataclass(frozen=True)
class UnlockedKeys:
    """The outcome of a successful unlock: which slot opened it and the data key(s)."""

    key_file: KeyFile
    master_key: bytes
    slot: str
    current: bytes
    pending: bytes | None

    def candidates(self) -> list[bytes]:
        return [self.current] + ([self.pending] if self.pending is not None else [])


def _try_slot(key_file: KeyFile, name: str, secret: bytes) -> bytes | None:
    slot = key_file.slots.get(name)
    if slot is None:
        return None
    kek = _derive(secret, slot.salt, slot.scrypt)
    try:
        return AESGCM(kek).decrypt(slot.nonce, slot.wrapped, _slot_aad(key_file.store_id, name))
    except InvalidTag:
        return None


def unlock_key_file(key_file: KeyFile, secret: str) -> UnlockedKeys:
    """Open the key file with the passphrase or the recovery key (either may be given)."""
    master: bytes | None = None
    slot_used = SLOT_PASSPHRASE
    recovery = parse_recovery_key(secret)
    if recovery is not None:
        master = _try_slot(key_file, SLOT_RECOVERY, recovery)
        slot_used = SLOT_RECOVERY
    if master is None and secret:
        master = _try_slot(key_file, SLOT_PASSPHRASE, _passphrase_bytes(secret))
        slot_used = SLOT_PASSPHRASE
    if master is None:
        if recovery is None and looks_like_recovery_key(secret):
            raise WrongKeyError(
                "that recovery key has a typo (its checksum does not match); check each group"
            )
        if recovery is not None:
            raise WrongKeyError("that recovery key does not belong to this store")
        raise WrongKeyError("wrong passphrase or recovery key")
    current = unwrap_data_key(key_file.store_id, master, key_file.current)
    pending = (
        None
        if key_file.pending is None
        else unwrap_data_key(key_file.store_id, master, key_file.pending)
    )
    return UnlockedKeys(key_file, master, slot_used, current, pending)


