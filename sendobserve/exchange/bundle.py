"""The ``.sendobs`` exchange file: a small plaintext header, then one AEAD ciphertext.

Layout (all integers big-endian), format version 1::

    offset size  field
         0    8  magic  b"SENDOBS\\x1a"
         8    2  format version (1)
        10    1  KDF id (1 = scrypt)
        11    1  scrypt log2(N)   (14..18 accepted; 17 written)
        12    1  scrypt r         (8)
        13    1  scrypt p         (1)
        14   16  scrypt salt
        30   12  passphrase slot: AES-256-GCM nonce
        42   48  passphrase slot: content key (32) wrapped by the scrypt key, + tag (16)
        90   12  payload nonce
       102    1  number of recipient slots R (0..4)
       103    8  ciphertext length L (16 .. MAX_BUNDLE_BYTES)
       111  92R  recipient slots: X25519 ephemeral public key (32), nonce (12),
                 content key wrapped by HKDF-SHA256(X25519 shared secret) + tag (48)
  111+92R    L   AES-256-GCM(content key, payload nonce, AAD = every header byte above)

The header holds nothing personal. The plaintext is zlib-compressed ``inner``:
signer's Ed25519 public key (32) | Ed25519 signature (64) | payload (canonical JSON,
see ``codec``); the signature covers ``SIGNING_CONTEXT + payload``. Signing inside the
encryption means only holders of the passphrase (or a recipient key) learn who signed.

Opening checks, in order, each with its own one-line ``ExchangeError``: size limit
(before reading the rest), magic, format version, header fields, exact length, key
unwrap (wrong passphrase), payload AEAD (altered), inflated size, signature, content.
"""

from __future__ import annotations

import os
import secrets
import struct
import unicodedata
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from sendobserve.exchange.codec import (
    ExportPayload,
    check_payload_size,
    decode_payload,
    encode_payload,
    json_elements,
)
from sendobserve.exchange.errors import ExchangeError, ExchangeProblem
from sendobserve.named_file import Unread, read_named_file
from sendobserve.pki.identity import (
    PUBLIC_KEY_BYTES,
    SIGNATURE_BYTES,
    Identity,
    fingerprint,
    verify,
)

MAGIC = b"SENDOBS\x1a"
FORMAT_VERSION = 1
SUPPORTED_VERSIONS = frozenset({FORMAT_VERSION})
FILE_SUFFIX = ".sendobs"

KDF_SCRYPT = 1
DEFAULT_LOG2_N = 17  # 128 MiB, about 0.4 s here: costly to guess, bearable to open
MIN_LOG2_N = 14
MAX_LOG2_N = 18  # a hostile header cannot make us spend more than 256 MiB and ~1 s
SCRYPT_R = 8
SCRYPT_P = 1
MIN_PASSPHRASE_CHARS = 8
MAX_RECIPIENTS = 4

MAX_BUNDLE_BYTES = 64 * 1024 * 1024
# After inflating, the content is bounded by what a real export can be (``codec``'s
# MAX_PAYLOAD_BYTES and MAX_JSON_ELEMENTS), checked chunk by chunk as it inflates: a small
# file that would inflate to millions of empty JSON objects is refused after a few MB.
_INFLATE_CHUNK = 1024 * 1024

SIGNING_CONTEXT = b"sendobserve.exchange.v1.payload\x00"
_RECIPIENT_INFO = b"sendobserve.exchange.v1.recipient\x00"

_FIXED = struct.Struct(">8sHBBBB16s12s48s12sBQ")
HEADER_BYTES = _FIXED.size  # 111
_SLOT = struct.Struct(">32s12s48s")
SLOT_BYTES = _SLOT.size  # 92
_KDF_PREFIX_BYTES = 30  # magic .. salt: bound into every key slot
_KEY_BYTES = 32
_TAG_BYTES = 16
_INNER_PREFIX = PUBLIC_KEY_BYTES + SIGNATURE_BYTES


@dataclass(frozen=True, slots=True)
class OpenedBundle:
    """A file that decrypted, verified and validated: safe to preview and import."""

    payload: ExportPayload
    payload_bytes: bytes  # the exact signed bytes
    signer_public_key: bytes
    fingerprint: str
    format_version: int

    @property
    def created_at(self) -> datetime:
        return self.payload.created_at


def _error(problem: ExchangeProblem, message: str, hint: str | None = None) -> ExchangeError:
    return ExchangeError(problem, message, hint=hint)


def _passphrase_bytes(passphrase: str) -> bytes:
    # NFC so that "é" typed on two keyboards gives the same key.
    try:
        return unicodedata.normalize("NFC", passphrase).encode("utf-8")
    except UnicodeEncodeError:
        raise _error(ExchangeProblem.BAD_INPUT,
                     "The file passphrase contains characters that are not text.") from None


def _scrypt(passphrase: str, salt: bytes, log2_n: int, r: int, p: int) -> bytes:
    kdf = Scrypt(salt=salt, length=_KEY_BYTES, n=2**log2_n, r=r, p=p)
    return kdf.derive(_passphrase_bytes(passphrase))


def _recipient_kek(shared: bytes, ephemeral_public: bytes, recipient_public: bytes) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(),
        length=_KEY_BYTES,
        salt=None,
        info=_RECIPIENT_INFO + ephemeral_public + recipient_public,
    ).derive(shared)


def x25519_public_bytes(key: X25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def check_passphrase(passphrase: str) -> None:
    if len(passphrase.strip()) < MIN_PASSPHRASE_CHARS:
        raise _error(
            ExchangeProblem.BAD_INPUT,
            f"The file passphrase must have at least {MIN_PASSPHRASE_CHARS} characters.",
            hint="Agree a passphrase with the person who will import the file, and tell it "
            "to them by another way than the file itself.",
        )


def seal(
    payload: ExportPayload,
    *,
    passphrase: str,
    signing_key: Identity,
    recipients: Sequence[bytes] = (),
    kdf_log2_n: int = DEFAULT_LOG2_N,
) -> bytes:
    """Sign ``payload`` with ``signing_key`` and encrypt it to ``passphrase`` (and to each
    32-byte X25519 public key in ``recipients``). Returns the whole file's bytes."""
    check_passphrase(passphrase)
    return _seal_signed(encode_payload(payload), passphrase=passphrase,
                        signing_key=signing_key, recipients=recipients, kdf_log2_n=kdf_log2_n)


def _seal_signed(
    payload_bytes: bytes,
    *,
    passphrase: str,
    signing_key: Identity,
    recipients: Sequence[bytes],
    kdf_log2_n: int,
) -> bytes:
    """Sign and encrypt payload bytes as they are (``seal`` validates them first; tests
    use this to make files of hostile content that is correctly signed)."""
    if not MIN_LOG2_N <= kdf_log2_n <= MAX_LOG2_N:
        raise ValueError(f"scrypt log2(N) must be {MIN_LOG2_N}..{MAX_LOG2_N}")
    if len(recipients) > MAX_RECIPIENTS:
        raise _error(ExchangeProblem.BAD_INPUT,
                     f"A file can be encrypted to at most {MAX_RECIPIENTS} recipient keys.")
    for key in recipients:
        if len(key) != _KEY_BYTES:
            raise _error(ExchangeProblem.BAD_INPUT, "A recipient key must be 32 bytes.")

    signature = signing_key.sign(SIGNING_CONTEXT + payload_bytes)
    inner = signing_key.public_key + signature + payload_bytes
    plaintext = zlib.compress(inner, 9)
    ciphertext_len = len(plaintext) + _TAG_BYTES
    if ciphertext_len > MAX_BUNDLE_BYTES - HEADER_BYTES - SLOT_BYTES * len(recipients):
        raise _error(ExchangeProblem.TOO_LARGE,
                     "These observations make a file larger than the exchange limit "
                     f"({MAX_BUNDLE_BYTES // (1024 * 1024)} MiB).",
                     hint="Export fewer observations at a time.")

    content_key = secrets.token_bytes(_KEY_BYTES)
    salt = secrets.token_bytes(16)
    kdf_prefix = struct.pack(">8sHBBBB16s", MAGIC, FORMAT_VERSION, KDF_SCRYPT, kdf_log2_n,
                             SCRYPT_R, SCRYPT_P, salt)
    kek = _scrypt(passphrase, salt, kdf_log2_n, SCRYPT_R, SCRYPT_P)
    pass_nonce = secrets.token_bytes(12)
    pass_wrapped = AESGCM(kek).encrypt(pass_nonce, content_key, kdf_prefix)
    payload_nonce = secrets.token_bytes(12)

    slots = bytearray()
    for recipient_public in recipients:
        ephemeral = X25519PrivateKey.generate()
        ephemeral_public = x25519_public_bytes(ephemeral)
        shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(recipient_public))
        slot_kek = _recipient_kek(shared, ephemeral_public, recipient_public)
        slot_nonce = secrets.token_bytes(12)
        wrapped = AESGCM(slot_kek).encrypt(slot_nonce, content_key, kdf_prefix + ephemeral_public)
        slots += _SLOT.pack(ephemeral_public, slot_nonce, wrapped)

    header = _FIXED.pack(MAGIC, FORMAT_VERSION, KDF_SCRYPT, kdf_log2_n, SCRYPT_R, SCRYPT_P,
                         salt, pass_nonce, pass_wrapped, payload_nonce, len(recipients),
                         ciphertext_len) + bytes(slots)
    ciphertext = AESGCM(content_key).encrypt(payload_nonce, plaintext, header)
    assert len(ciphertext) == ciphertext_len
    return header + ciphertext


@dataclass(frozen=True, slots=True)
class _Header:
    raw: bytes
    log2_n: int
    r: int
    p: int
    salt: bytes
    pass_nonce: bytes
    pass_wrapped: bytes
    payload_nonce: bytes
    slots: tuple[tuple[bytes, bytes, bytes], ...]
    ciphertext: bytes


def _parse(data: bytes, max_bytes: int) -> _Header:
    if len(data) > max_bytes:
        raise _too_large(len(data), max_bytes)
    if len(data) < len(MAGIC):
        if MAGIC.startswith(data) and data:
            raise _truncated()
        raise _not_a_bundle()
    if data[: len(MAGIC)] != MAGIC:
        raise _not_a_bundle()
    if len(data) < len(MAGIC) + 2:
        raise _truncated()
    (version,) = struct.unpack_from(">H", data, len(MAGIC))
    if version not in SUPPORTED_VERSIONS:
        readable = ", ".join(str(v) for v in sorted(SUPPORTED_VERSIONS))
        newer = "a newer" if version > FORMAT_VERSION else "an unknown"
        raise _error(
            ExchangeProblem.UNSUPPORTED_VERSION,
            f"This file uses exchange format version {version}; this version of sendobserve "
            f"reads format version {readable}.",
            hint=f"It was probably made by {newer} version of sendobserve: update this one, "
            "or ask for the file to be exported again.",
        )
    if len(data) < HEADER_BYTES:
        raise _truncated()
    (_, _, kdf, log2_n, r, p, salt, pass_nonce, pass_wrapped, payload_nonce, n_slots,
     ciphertext_len) = _FIXED.unpack_from(data)
    if kdf != KDF_SCRYPT or not MIN_LOG2_N <= log2_n <= MAX_LOG2_N or r != SCRYPT_R \
            or p != SCRYPT_P or n_slots > MAX_RECIPIENTS:
        raise _error(ExchangeProblem.BAD_HEADER,
                     "The file's header is damaged or was altered; nothing was imported.")
    if ciphertext_len > max_bytes:
        raise _too_large(ciphertext_len, max_bytes)
    if ciphertext_len < _TAG_BYTES:
        raise _error(ExchangeProblem.BAD_HEADER,
                     "The file's header is damaged or was altered; nothing was imported.")
    body_start = HEADER_BYTES + SLOT_BYTES * n_slots
    expected = body_start + ciphertext_len
    if len(data) < expected:
        raise _truncated()
    if len(data) > expected:
        raise _error(ExchangeProblem.ALTERED,
                     "The file has extra bytes after its end: it was altered or damaged; "
                     "nothing was imported.")
    slots = tuple(
        _SLOT.unpack_from(data, HEADER_BYTES + i * SLOT_BYTES) for i in range(n_slots)
    )
    return _Header(
        raw=data[:body_start],
        log2_n=log2_n,
        r=r,
        p=p,
        salt=salt,
        pass_nonce=pass_nonce,
        pass_wrapped=pass_wrapped,
        payload_nonce=payload_nonce,
        slots=slots,
        ciphertext=data[body_start:],
    )


def _too_large(size: int, limit: int) -> ExchangeError:
    return _error(
        ExchangeProblem.TOO_LARGE,
        f"The file is too large to be an exchange file ({size:,} bytes; the limit is "
        f"{limit:,}).",
        hint="Ask for the observations to be exported in smaller files.",
    )


def _truncated() -> ExchangeError:
    return _error(
        ExchangeProblem.TRUNCATED,
        "The file is incomplete (cut short while copying?); nothing was imported.",
        hint="Copy it again from the original.",
    )


def _not_a_bundle() -> ExchangeError:
    return _error(ExchangeProblem.NOT_A_BUNDLE,
                  f"This is not a sendobserve exchange file ({FILE_SUFFIX}).")


def _altered() -> ExchangeError:
    return _error(
        ExchangeProblem.ALTERED,
        "The file was altered or damaged after it was made; nothing was imported.",
        hint="Ask for it to be exported again.",
    )


def _unwrap_with_passphrase(header: _Header, passphrase: str) -> bytes:
    kek = _scrypt(passphrase, header.salt, header.log2_n, header.r, header.p)
    try:
        return AESGCM(kek).decrypt(header.pass_nonce, header.pass_wrapped,
                                   header.raw[:_KDF_PREFIX_BYTES])
    except InvalidTag:
        raise _error(
            ExchangeProblem.WRONG_KEY,
            "Wrong passphrase for this file (or its header was altered); nothing was imported.",
            hint="Check the passphrase with the person who exported it.",
        ) from None


def _unwrap_with_recipient_key(header: _Header, key: X25519PrivateKey) -> bytes:
    own_public = x25519_public_bytes(key)
    for ephemeral_public, nonce, wrapped in header.slots:
        try:
            shared = key.exchange(X25519PublicKey.from_public_bytes(ephemeral_public))
        except ValueError:  # a low-order point: an altered slot
            continue
        slot_kek = _recipient_kek(shared, ephemeral_public, own_public)
        try:
            return AESGCM(slot_kek).decrypt(nonce, wrapped,
                                            header.raw[:_KDF_PREFIX_BYTES] + ephemeral_public)
        except InvalidTag:
            continue
    raise _error(
        ExchangeProblem.WRONG_KEY,
        "This file was not encrypted to this installation's key (or it was altered).",
        hint="Open it with the passphrase instead.",
    )


def _inflate(plaintext: bytes) -> bytes:
    """zlib-inflate at most ``_INFLATE_CHUNK`` bytes at a time, refusing as soon as the
    content outgrows a real export (bytes or JSON elements), before it is all in memory."""
    inflater = zlib.decompressobj()
    chunks: list[bytes] = []
    size = elements = 0
    pending = plaintext
    try:
        while True:
            chunk = inflater.decompress(pending, _INFLATE_CHUNK)
            pending = inflater.unconsumed_tail
            size += len(chunk)
            elements += json_elements(chunk)
            check_payload_size(size - _INNER_PREFIX, elements)
            chunks.append(chunk)
            if inflater.eof or (not chunk and not pending):
                break
    except zlib.error:
        raise _error(ExchangeProblem.INVALID_PAYLOAD,
                     "The file's content cannot be unpacked; nothing was imported.") from None
    if not inflater.eof or inflater.unused_data:
        raise _error(ExchangeProblem.INVALID_PAYLOAD,
                     "The file's content is incomplete; nothing was imported.")
    return b"".join(chunks)


def open_bundle(
    data: bytes,
    *,
    passphrase: str | None = None,
    recipient_key: X25519PrivateKey | None = None,
    max_bytes: int = MAX_BUNDLE_BYTES,
) -> OpenedBundle:
    """Decrypt, verify and validate an exchange file, or raise ``ExchangeError``."""
    if (passphrase is None) == (recipient_key is None):
        raise ValueError("give exactly one of passphrase or recipient_key")
    header = _parse(data, max_bytes)
    if passphrase is not None:
        content_key = _unwrap_with_passphrase(header, passphrase)
    else:
        assert recipient_key is not None
        content_key = _unwrap_with_recipient_key(header, recipient_key)
    try:
        plaintext = AESGCM(content_key).decrypt(header.payload_nonce, header.ciphertext,
                                                header.raw)
    except InvalidTag:
        raise _altered() from None
    inner = _inflate(plaintext)
    if len(inner) < _INNER_PREFIX:
        raise _error(ExchangeProblem.INVALID_PAYLOAD,
                     "The file's content is incomplete; nothing was imported.")
    signer = inner[:PUBLIC_KEY_BYTES]
    signature = inner[PUBLIC_KEY_BYTES:_INNER_PREFIX]
    payload_bytes = inner[_INNER_PREFIX:]
    if not verify(signer, signature, SIGNING_CONTEXT + payload_bytes):
        raise _error(
            ExchangeProblem.BAD_SIGNATURE,
            "The file's signature does not match its content; nothing was imported.",
            hint="Someone may have forged or tampered with it: ask the exporter to send it "
            "again.",
        )
    payload = decode_payload(payload_bytes)
    return OpenedBundle(
        payload=payload,
        payload_bytes=payload_bytes,
        signer_public_key=signer,
        fingerprint=fingerprint(signer),
        format_version=FORMAT_VERSION,
    )


def read_bundle_file(path: str | os.PathLike[str], *, max_bytes: int = MAX_BUNDLE_BYTES) -> bytes:
    """Read an exchange file, refusing an oversized one before reading it all."""
    def refuse(why: Unread, target: Path, detail: str) -> ExchangeError:
        if why is Unread.TOO_BIG:
            return _too_large(int(detail), max_bytes)
        return _error(ExchangeProblem.BAD_INPUT, {
            Unread.MISSING: f"No such file: {path}",
            Unread.FOLDER: f"That is a folder, not a file: {path}",
            Unread.DENIED: f"Not allowed to read {path}",
        }.get(why, f"Could not read {path}: {detail}"))

    return read_named_file(path, refuse, limit=max_bytes)
