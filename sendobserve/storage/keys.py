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

# What a key file may ask of scrypt. Anything outside is refused before any work: a
# damaged or planted file must not make an unlock take minutes or gigabytes.
SCRYPT_MIN_N = 2**10
SCRYPT_MAX_N = 2**20
SCRYPT_MAX_R = 32
SCRYPT_MAX_P = 16
SCRYPT_MAX_MEMORY = 2**30  # 128 * n * r bytes
SCRYPT_MAX_WORK = 16 * DEFAULT_SCRYPT.n * DEFAULT_SCRYPT.r  # n * r * p: 16 x the default


def scrypt_params_problem(n: int, r: int, p: int) -> str | None:
    """Why these scrypt parameters are refused, or None if they are within sane bounds."""
    if not (SCRYPT_MIN_N <= n <= SCRYPT_MAX_N) or n & (n - 1):
        return f"n = {n} is not a power of two between 2^10 and 2^20"
    if not 1 <= r <= SCRYPT_MAX_R:
        return f"r = {r} is outside 1–{SCRYPT_MAX_R}"
    if not 1 <= p <= SCRYPT_MAX_P:
        return f"p = {p} is outside 1–{SCRYPT_MAX_P}"
    if 128 * n * r > SCRYPT_MAX_MEMORY:
        return f"n = {n} with r = {r} would need {128 * n * r // 2**20} MiB"
    if n * r * p > SCRYPT_MAX_WORK:
        return f"n = {n}, r = {r}, p = {p} would take more than 16 times the usual time"
    return None


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

MIN_PASSPHRASE_SCORE = 3  # zxcvbn: 3 = "safely unguessable", ~10^8 guesses and more
_ESTIMATE_CHARS = 128  # zxcvbn's matching is quadratic: longer text is strong anyway
STRENGTH_HINTS = {
    0: "Very weak: it would be guessed at once.",
    1: "Weak: four or five random words are stronger and easier to remember.",
    2: "Fair, but still too easy to guess: add another word or two.",
    3: "Good.",
    4: "Strong.",
}


_APP_WORDS = ("sendobserve", "mediator", "mediation", "observation")


def _estimate(passphrase: str, user_inputs: tuple[str, ...] = ()) -> dict[str, Any]:
    from zxcvbn import zxcvbn

    result: dict[str, Any] = zxcvbn(passphrase[:_ESTIMATE_CHARS], user_inputs=list(user_inputs))
    return result


def passphrase_problem(passphrase: str, user_inputs: tuple[str, ...] = ()) -> str | None:
    """Why a new passphrase is refused, in plain words, or None.

    Besides a minimum length, the passphrase must score at least 3 of 4 on the zxcvbn
    estimator (common passwords, names, dates, keyboard patterns, repeats and l33t
    spellings all count against it); the reason says what is wrong and what would help.
    ``user_inputs`` are words the guesser would try first (the user's name, the app's).
    """
    if len(passphrase) < MIN_PASSPHRASE_LENGTH:
        return f"the passphrase must be at least {MIN_PASSPHRASE_LENGTH} characters long"
    if passphrase.strip() != passphrase:
        return "the passphrase must not start or end with a space"
    result = _estimate(passphrase, (*_APP_WORDS, *user_inputs))
    if int(result["score"]) >= MIN_PASSPHRASE_SCORE:
        return None
    feedback = result.get("feedback") or {}
    warning = str(feedback.get("warning") or "").strip()
    tips = [str(t).strip() for t in feedback.get("suggestions") or [] if str(t).strip()]
    reason = "this passphrase is too easy to guess"
    if warning:
        reason += ": " + warning[0].lower() + warning[1:].rstrip(".")
    advice = " ".join(t if t.endswith(".") else t + "." for t in tips)
    return (
        f"{reason}. {advice} Four or five random words, not a phrase anyone could know, "
        "are strong and easy to remember."
    ).replace("  ", " ")


def as_reason(problem: str) -> str:
    """A refusal from ``passphrase_problem`` as shown on screen: a capital, a full stop."""
    text = problem.strip()
    text = text[:1].upper() + text[1:]
    return text if text.endswith(".") else text + "."


def passphrase_strength(passphrase: str) -> tuple[int, str]:
    """The zxcvbn score (0–4; 0 also when too short) and a one-line hint."""
    if len(passphrase) < MIN_PASSPHRASE_LENGTH:
        return 0, f"Too short: use at least {MIN_PASSPHRASE_LENGTH} characters."
    score = int(_estimate(passphrase, _APP_WORDS)["score"])
    return score, STRENGTH_HINTS[score]


# --- key file ------------------------------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: Any, length: int | None = None) -> bytes:
    if not isinstance(text, str) or len(text) > 1024:
        raise ValueError("expected base64 text")
    data = base64.b64decode(text.encode("ascii"), validate=True)
    if length is not None and len(data) != length:
        raise ValueError("wrong length")
    return data


def _int(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError("expected a whole number")
    return value


_SALT_BYTES = 16
_NONCE_BYTES = 12
_WRAPPED_BYTES = KEY_BYTES + 16  # AES-GCM adds a 16-byte tag
_MAC_BYTES = 32


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
    # A MAC per slot under a key derived from the master key: checked at each unlock so a
    # damaged slot is found while the other secret still opens the store. A slot whose
    # check fails keeps its old MAC when the file is rewritten, so the damage stays found.
    slot_macs: dict[str, bytes] = field(default_factory=dict)

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


def _slot_mac(store_id: str, master_key: bytes, slot: Slot) -> bytes:
    mac_key = hmac.new(master_key, b"sendobserve key file slot check", hashlib.sha256).digest()
    doc = {"store_id": store_id, "name": slot.name, **_slot_to_json(slot)}
    message = json.dumps(doc, sort_keys=True, separators=(",", ":")).encode("utf-8")
    return hmac.new(mac_key, message, hashlib.sha256).digest()


def slot_intact(key_file: KeyFile, master_key: bytes, name: str) -> bool | None:
    """Whether the slot ``name`` passes its check (None: the file has no checks yet)."""
    if not key_file.slot_macs:
        return None
    slot = key_file.slots.get(name)
    mac = key_file.slot_macs.get(name)
    if slot is None or mac is None:
        return False
    return hmac.compare_digest(mac, _slot_mac(key_file.store_id, master_key, slot))


def with_slot_checks(key_file: KeyFile, master_key: bytes, *, renew: tuple[str, ...]) -> KeyFile:
    """``key_file`` with a check for each slot in ``renew`` (the slots just written, or all
    of them when the file had none); every other slot keeps the check it had."""
    macs = dict(key_file.slot_macs)
    for name in renew:
        if name in key_file.slots:
            macs[name] = _slot_mac(key_file.store_id, master_key, key_file.slots[name])
    return replace(key_file, slot_macs=macs)


SLOT_DAMAGE_WARNINGS = {
    SLOT_RECOVERY: (
        "the recovery slot of the key file is damaged, so your recovery key would no longer "
        "open this store; make a new recovery key now with 'sendobserve key recovery' "
        "while the passphrase still works"
    ),
    SLOT_PASSPHRASE: (
        "the passphrase slot of the key file is damaged, so your passphrase would no longer "
        "open this store; set a new one now with 'sendobserve passphrase change' while the "
        "recovery key still works"
    ),
}


def slot_warnings(key_file: KeyFile, master_key: bytes) -> tuple[str, ...]:
    """A plain warning for each slot that fails its check."""
    return tuple(
        SLOT_DAMAGE_WARNINGS[name]
        for name in (SLOT_PASSPHRASE, SLOT_RECOVERY)
        if slot_intact(key_file, master_key, name) is False
    )


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
    key_file = with_slot_checks(key_file, master, renew=(SLOT_PASSPHRASE, SLOT_RECOVERY))
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
    renewed = replace(key_file, slots={**key_file.slots, SLOT_PASSPHRASE: slot})
    # A file without checks gets them for every slot; otherwise only the new slot's check
    # is made, and a damaged recovery slot keeps failing its own.
    renew = (SLOT_PASSPHRASE,) if key_file.slot_macs else tuple(renewed.slots)
    return with_slot_checks(renewed, master_key, renew=renew)


def with_new_recovery_key(key_file: KeyFile, master_key: bytes) -> tuple[KeyFile, str]:
    """A new recovery slot (the old recovery key stops working); the new key, shown once."""
    recovery = new_recovery_key()
    secret = parse_recovery_key(recovery)
    assert secret is not None
    params = key_file.slots.get(SLOT_RECOVERY, key_file.slots[SLOT_PASSPHRASE]).scrypt
    slot = make_slot(key_file.store_id, SLOT_RECOVERY, secret, master_key, params)
    renewed = replace(key_file, slots={**key_file.slots, SLOT_RECOVERY: slot})
    renew = (SLOT_RECOVERY,) if key_file.slot_macs else tuple(renewed.slots)
    return with_slot_checks(renewed, master_key, renew=renew), recovery


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
    if key_file.slot_macs:
        doc["slot_macs"] = {name: _b64(mac) for name, mac in sorted(key_file.slot_macs.items())}
    return (json.dumps(doc, indent=2, sort_keys=True) + "\n").encode("utf-8")


def _parse_wrapped(doc: Any) -> WrappedDataKey:
    if not isinstance(doc, dict) or not isinstance(doc.get("key_id"), str):
        raise ValueError("bad data key entry")
    return WrappedDataKey(
        doc["key_id"], _unb64(doc["nonce"], _NONCE_BYTES), _unb64(doc["wrapped"], _WRAPPED_BYTES)
    )


def key_file_from_bytes(data: bytes, *, where: Path) -> KeyFile:
    if len(data) > 64 * 1024:
        raise KeyFileError(f"the key file {where} is damaged (far too large)")
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
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
        if version != KEY_FILE_VERSION or isinstance(version, bool):
            raise ValueError("unknown version")
        store_id = doc["store_id"]
        if not isinstance(store_id, str) or not 0 < len(store_id) <= 64:
            raise ValueError("store id")
        slots = {}
        for name, s in doc["slots"].items():
            if name not in (SLOT_PASSPHRASE, SLOT_RECOVERY) or s.get("kdf") != "scrypt":
                raise ValueError("slot")
            params = ScryptParams(_int(s["n"]), _int(s["r"]), _int(s["p"]))
            problem = scrypt_params_problem(params.n, params.r, params.p)
            if problem:
                raise KeyFileError(
                    f"the key file {where} is damaged or not safe to use: its {name} slot asks "
                    f"for scrypt with {problem}; nothing was tried"
                )
            slots[name] = Slot(
                name,
                params,
                _unb64(s["salt"], _SALT_BYTES),
                _unb64(s["nonce"], _NONCE_BYTES),
                _unb64(s["wrapped"], _WRAPPED_BYTES),
            )
        keys = doc["data_keys"]
        current = _parse_wrapped(keys["current"])
        pending = None if keys.get("pending") is None else _parse_wrapped(keys["pending"])
        macs: dict[str, bytes] = {}
        raw_macs = doc.get("slot_macs")
        if raw_macs is not None:
            for name, mac in raw_macs.items():
                if not isinstance(name, str):
                    raise ValueError("mac")
                try:
                    macs[name] = _unb64(mac, _MAC_BYTES)
                except (ValueError, binascii.Error):
                    macs[name] = b""  # a damaged check: reported as such at unlock
    except KeyFileError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError, binascii.Error):
        raise KeyFileError(f"the key file {where} is damaged (a field is missing or bad)") from None
    if SLOT_PASSPHRASE not in slots and SLOT_RECOVERY not in slots:
        raise KeyFileError(f"the key file {where} is damaged (it has no slots)")
    return KeyFile(store_id, slots, current, pending, version, macs)


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
    warnings: tuple[str, ...] = ()  # a slot that fails its check: say so plainly

    def candidates(self) -> list[bytes]:
        return [self.current] + ([self.pending] if self.pending is not None else [])


def _try_slot(key_file: KeyFile, name: str, secret: bytes) -> bytes | None:
    slot = key_file.slots.get(name)
    if slot is None:
        return None
    problem = scrypt_params_problem(slot.scrypt.n, slot.scrypt.r, slot.scrypt.p)
    if problem:
        raise KeyFileError(f"the key file's {name} slot asks for scrypt with {problem}")
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
    return UnlockedKeys(
        key_file, master, slot_used, current, pending, slot_warnings(key_file, master)
    )


