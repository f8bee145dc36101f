from __future__ import annotations

import struct
import tracemalloc
import zlib
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from sendobserve.exchange import bundle, codec
from sendobserve.exchange.bundle import (
    FORMAT_VERSION,
    HEADER_BYTES,
    MAGIC,
    OpenedBundle,
    open_bundle,
    read_bundle_file,
    seal,
    x25519_public_bytes,
)
from sendobserve.exchange.codec import encode_payload
from sendobserve.exchange.errors import ExchangeError, ExchangeProblem
from sendobserve.pki.identity import Identity

from .factories import sample_payload

PASS = "correct horse battery staple"
FAST = 14  # the cheapest scrypt cost a reader accepts: keeps the suite quick


def _seal(signer: Identity, **kw: object) -> bytes:
    return seal(sample_payload(), passphrase=PASS, signing_key=signer, kdf_log2_n=FAST,
                **kw)  # type: ignore[arg-type]


def test_round_trip_with_passphrase(signer: Identity) -> None:
    payload = sample_payload(7, n_observations=3)
    data = seal(payload, passphrase=PASS, signing_key=signer, kdf_log2_n=FAST)
    opened = open_bundle(data, passphrase=PASS)
    assert isinstance(opened, OpenedBundle)
    assert opened.payload == payload
    assert opened.payload_bytes == encode_payload(payload)
    assert opened.signer_public_key == signer.public_key
    assert opened.fingerprint == signer.fingerprint
    assert opened.format_version == FORMAT_VERSION
    assert opened.created_at == payload.created_at


def test_default_cost_round_trip(signer: Identity) -> None:
    data = seal(sample_payload(), passphrase=PASS, signing_key=signer)
    assert data[11] == bundle.DEFAULT_LOG2_N
    assert open_bundle(data, passphrase=PASS).payload == sample_payload()


def test_round_trip_to_a_recipient_key_and_still_by_passphrase(signer: Identity) -> None:
    alice, bob = X25519PrivateKey.generate(), X25519PrivateKey.generate()
    data = _seal(signer, recipients=[x25519_public_bytes(alice), x25519_public_bytes(bob)])
    assert open_bundle(data, recipient_key=bob).payload == sample_payload()
    assert open_bundle(data, recipient_key=alice).payload == sample_payload()
    assert open_bundle(data, passphrase=PASS).payload == sample_payload()
    with pytest.raises(ExchangeError) as info:
        open_bundle(data, recipient_key=X25519PrivateKey.generate())
    assert info.value.problem is ExchangeProblem.WRONG_KEY


def test_header_carries_nothing_personal(signer: Identity) -> None:
    data = _seal(signer)
    header = data[:HEADER_BYTES]
    assert header.startswith(MAGIC)
    for secret in (b"Siobh", "Siobhán".encode(), b"LA-2026", b"form3", signer.public_key[:8]):
        assert secret not in data  # not in the header, nor readable in the ciphertext


def test_each_file_is_encrypted_afresh(signer: Identity) -> None:
    assert _seal(signer) != _seal(signer)


def test_wrong_passphrase_is_one_clear_line(signer: Identity) -> None:
    with pytest.raises(ExchangeError) as info:
        open_bundle(_seal(signer), passphrase=PASS + "!")
    assert info.value.problem is ExchangeProblem.WRONG_KEY
    assert info.value.message.startswith("Wrong passphrase")
    assert "\n" not in info.value.message


def test_short_passphrase_is_refused_when_exporting(signer: Identity) -> None:
    with pytest.raises(ExchangeError, match="at least 8"):
        seal(sample_payload(), passphrase="short", signing_key=signer, kdf_log2_n=FAST)


@pytest.mark.parametrize("version", [0, 2, 7, 65535])
def test_unknown_format_version_names_both_versions(signer: Identity, version: int) -> None:
    data = bytearray(_seal(signer))
    struct.pack_into(">H", data, len(MAGIC), version)
    with pytest.raises(ExchangeError) as info:
        open_bundle(bytes(data), passphrase=PASS)
    assert info.value.problem is ExchangeProblem.UNSUPPORTED_VERSION
    assert f"format version {version};" in info.value.message
    assert "reads format version 1" in info.value.message


def test_truncated_at_every_length_is_refused(signer: Identity) -> None:
    data = _seal(signer)
    problems = set()
    for cut in range(0, len(data)):
        with pytest.raises(ExchangeError) as info:
            open_bundle(data[:cut], recipient_key=X25519PrivateKey.generate())
        problems.add(info.value.problem)
    assert problems == {ExchangeProblem.NOT_A_BUNDLE, ExchangeProblem.TRUNCATED}


def test_oversized_file_is_refused_before_reading_it(signer: Identity, tmp_path: Path) -> None:
    big = tmp_path / "big.sendobs"
    with big.open("wb") as f:
        f.write(_seal(signer))
        f.truncate(bundle.MAX_BUNDLE_BYTES + 1)  # sparse: huge on paper, nothing read
    with pytest.raises(ExchangeError) as info:
        read_bundle_file(big)
    assert info.value.problem is ExchangeProblem.TOO_LARGE
    with pytest.raises(ExchangeError) as info:
        open_bundle(b"\0" * 2048, passphrase=PASS, max_bytes=1024)
    assert info.value.problem is ExchangeProblem.TOO_LARGE


def test_header_claiming_a_huge_body_is_refused(signer: Identity) -> None:
    data = bytearray(_seal(signer))
    struct.pack_into(">Q", data, HEADER_BYTES - 8, 2**63)
    with pytest.raises(ExchangeError) as info:
        open_bundle(bytes(data), passphrase=PASS)
    assert info.value.problem is ExchangeProblem.TOO_LARGE


def test_not_a_bundle(tmp_path: Path) -> None:
    with pytest.raises(ExchangeError) as info:
        open_bundle(b"%PDF-1.7 not an exchange file", passphrase=PASS)
    assert info.value.problem is ExchangeProblem.NOT_A_BUNDLE
    with pytest.raises(ExchangeError, match="No such file"):
        read_bundle_file(tmp_path / "missing.sendobs")


def _reseal_inner(data: bytes, passphrase: str, new_inner: bytes) -> bytes:
    """Re-encrypt a file's plaintext as someone who knows the passphrase could."""
    header = bundle._parse(data, bundle.MAX_BUNDLE_BYTES)
    key = bundle._unwrap_with_passphrase(header, passphrase)
    ciphertext = AESGCM(key).encrypt(header.payload_nonce, zlib.compress(new_inner), b"")
    raw = bytearray(header.raw)
    struct.pack_into(">Q", raw, HEADER_BYTES - 8, len(ciphertext))
    ciphertext = AESGCM(key).encrypt(header.payload_nonce, zlib.compress(new_inner), bytes(raw))
    return bytes(raw) + ciphertext


def _inner(data: bytes) -> bytes:
    header = bundle._parse(data, bundle.MAX_BUNDLE_BYTES)
    key = bundle._unwrap_with_passphrase(header, PASS)
    return zlib.decompress(AESGCM(key).decrypt(header.payload_nonce, header.ciphertext,
                                               header.raw))


def test_payload_changed_by_a_passphrase_holder_fails_the_signature(signer: Identity) -> None:
    data = _seal(signer)
    inner = _inner(data)
    forged = inner.replace(b'"casework_hours":"4.1"', b'"casework_hours":"9.1"')
    assert forged != inner
    with pytest.raises(ExchangeError) as info:
        open_bundle(_reseal_inner(data, PASS, forged), passphrase=PASS)
    assert info.value.problem is ExchangeProblem.BAD_SIGNATURE


def test_signed_but_invalid_content_is_refused(signer: Identity) -> None:
    data = _seal(signer)
    body = b'{"schema":1}'
    inner = signer.public_key + signer.sign(bundle.SIGNING_CONTEXT + body) + body
    with pytest.raises(ExchangeError) as info:
        open_bundle(_reseal_inner(data, PASS, inner), passphrase=PASS)
    assert info.value.problem is ExchangeProblem.INVALID_PAYLOAD


def _bomb_inner(signer: Identity, objects: int) -> bytes:
    """``[{},{},…]`` with ``objects`` empty objects, deflated as it is made (never whole)."""
    deflater = zlib.compressobj(9)
    parts = [deflater.compress(signer.public_key + bytes(64) + b"[")]
    block = b"{}," * 1_000_000
    for _ in range(objects // 1_000_000):
        parts.append(deflater.compress(block))
    parts.append(deflater.compress(b"{}]"))
    parts.append(deflater.flush())
    return b"".join(parts)


def _reseal_deflated(data: bytes, deflated: bytes) -> bytes:
    header = bundle._parse(data, bundle.MAX_BUNDLE_BYTES)
    key = bundle._unwrap_with_passphrase(header, PASS)
    raw = bytearray(header.raw)
    struct.pack_into(">Q", raw, HEADER_BYTES - 8, len(deflated) + 16)
    return bytes(raw) + AESGCM(key).encrypt(header.payload_nonce, deflated, bytes(raw))


def test_compression_bomb_is_refused_before_it_is_inflated(signer: Identity) -> None:
    """The reported bomb: ~131 KB inflating to 44.7 million empty JSON objects (134 MB).
    Refused as too large after a few MB, never parsed, memory bounded."""
    deflated = _bomb_inner(signer, 44_700_000)
    assert len(deflated) < 200_000
    data = _reseal_deflated(_seal(signer), deflated)
    tracemalloc.start()
    try:
        with pytest.raises(ExchangeError) as info:
            open_bundle(data, passphrase=PASS)
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert info.value.problem is ExchangeProblem.TOO_LARGE
    assert "more entries than an exchange file can have" in info.value.message
    assert peak < 32 * 1024 * 1024, peak


def test_content_larger_than_a_real_export_is_refused(signer: Identity) -> None:
    """Few JSON elements but more bytes than an export can be: refused on size."""
    deflater = zlib.compressobj(9)
    parts = [deflater.compress(signer.public_key + bytes(64) + b'"')]
    for _ in range(65):
        parts.append(deflater.compress(b"a" * (1024 * 1024)))
    parts.append(deflater.compress(b'"') + deflater.flush())
    data = _reseal_deflated(_seal(signer), b"".join(parts))
    with pytest.raises(ExchangeError) as info:
        open_bundle(data, passphrase=PASS)
    assert info.value.problem is ExchangeProblem.TOO_LARGE
    assert "larger than an exchange file can be" in info.value.message


def test_an_exporter_cannot_make_what_an_importer_would_refuse() -> None:
    """The element bound is checked on the way out too (``encode_payload`` decodes)."""
    payload = sample_payload(3, n_observations=1)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(codec, "MAX_JSON_ELEMENTS", 10)
        with pytest.raises(ExchangeError) as info:
            codec.encode_payload(payload)
    assert info.value.problem is ExchangeProblem.TOO_LARGE
