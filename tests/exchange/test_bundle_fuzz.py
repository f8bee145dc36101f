"""Mutated exchange files: every one is refused with an ExchangeError, never anything else."""

from __future__ import annotations

import random
import struct
from collections import Counter
from collections.abc import Callable

import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from sendobserve.exchange.bundle import HEADER_BYTES, MAGIC, open_bundle, seal, x25519_public_bytes
from sendobserve.exchange.errors import ExchangeError, ExchangeProblem
from sendobserve.pki.identity import Identity

from .factories import sample_payload

PASS = "correct horse battery staple"

# Header fields worth rewriting on purpose: (offset, struct format).
FIELDS = [(8, ">H"), (10, ">B"), (11, ">B"), (12, ">B"), (13, ">B"), (102, ">B"),
          (103, ">Q")]


def _bit_flip(rng: random.Random, data: bytes) -> bytes:
    out = bytearray(data)
    # Half the flips land in the header and recipient slots, where parsing happens.
    span = min(len(data), HEADER_BYTES + 92) if rng.random() < 0.5 else len(data)
    pos = rng.randrange(span)
    out[pos] ^= 1 << rng.randrange(8)
    return bytes(out)


def _truncate(rng: random.Random, data: bytes) -> bytes:
    return data[: rng.randrange(len(data))]


def _insert(rng: random.Random, data: bytes) -> bytes:
    pos = rng.randrange(len(data) + 1)
    return data[:pos] + rng.randbytes(rng.randint(1, 64)) + data[pos:]


def _delete(rng: random.Random, data: bytes) -> bytes:
    pos = rng.randrange(len(data))
    return data[:pos] + data[pos + rng.randint(1, 64):]


def _overwrite(rng: random.Random, data: bytes) -> bytes:
    pos = rng.randrange(len(data))
    chunk = rng.randbytes(rng.randint(1, 32))
    return data[:pos] + chunk + data[pos + len(chunk):]


def _field(rng: random.Random, data: bytes) -> bytes:
    offset, fmt = rng.choice(FIELDS)
    size = struct.calcsize(fmt)
    if len(data) < offset + size:  # an earlier mutation cut the header short
        return _truncate(rng, data)
    limit = 2 ** (8 * size) - 1
    value = rng.choice([0, 1, 2, limit, limit // 2, rng.randint(0, limit),
                        len(data), len(data) - HEADER_BYTES + 1, 2**32, 2**63])
    out = bytearray(data)
    struct.pack_into(fmt, out, offset, value % (limit + 1))
    return bytes(out)


def _append(rng: random.Random, data: bytes) -> bytes:
    return data + rng.randbytes(rng.randint(1, 16))


def _garbage(rng: random.Random, data: bytes) -> bytes:
    start = MAGIC + struct.pack(">H", 1) if rng.random() < 0.7 else b""
    return start + rng.randbytes(rng.randint(0, 400))


Mutator = Callable[[random.Random, bytes], bytes]
MUTATORS: list[Mutator] = [_bit_flip, _bit_flip, _truncate, _insert, _delete, _overwrite,
                           _field, _field, _append, _garbage]


def _mutate(rng: random.Random, data: bytes, others: list[bytes]) -> bytes:
    out = data
    for _ in range(rng.choice([1, 1, 1, 2, 3])):
        if rng.random() < 0.05 and others:  # a splice: this header, another file's body
            other = rng.choice(others)
            out = out[:HEADER_BYTES] + other[HEADER_BYTES:]
        elif len(out) < 2:
            out = _garbage(rng, out)
        else:
            out = rng.choice(MUTATORS)(rng, out)
    return out


def _run(n: int, seed: int, opener: Callable[[bytes], object], files: list[bytes]) -> Counter[str]:
    rng = random.Random(seed)
    outcomes: Counter[str] = Counter()
    for i in range(n):
        original = files[i % len(files)]
        mutated = _mutate(rng, original, [f for f in files if f is not original])
        if mutated == original:
            continue
        try:
            opener(mutated)
        except ExchangeError as exc:
            assert exc.message and "\n" not in exc.message
            outcomes[exc.problem.value] += 1
        else:  # pragma: no cover - would be a forgery accepted
            pytest.fail(f"mutated file #{i} was accepted")
        # Any other exception type propagates and fails the test with its traceback.
    return outcomes


@pytest.mark.slow
def test_1500_mutated_files_opened_by_recipient_key_all_refused(signer: Identity) -> None:
    key = X25519PrivateKey.generate()
    recipients = [x25519_public_bytes(key)]
    files = [seal(sample_payload(s, n_observations=s), passphrase=PASS, signing_key=signer,
                  recipients=recipients, kdf_log2_n=14) for s in (1, 2, 3)]
    outcomes = _run(1500, 20261122, lambda d: open_bundle(d, recipient_key=key), files)
    assert sum(outcomes.values()) >= 1450
    # The mutators reach every kind of refusal the parser has, not just one.
    assert {p.value for p in (ExchangeProblem.TRUNCATED, ExchangeProblem.ALTERED,
                              ExchangeProblem.BAD_HEADER, ExchangeProblem.WRONG_KEY,
                              ExchangeProblem.UNSUPPORTED_VERSION, ExchangeProblem.TOO_LARGE,
                              ExchangeProblem.NOT_A_BUNDLE)} <= set(outcomes)


@pytest.mark.slow
def test_200_mutated_files_opened_by_passphrase_all_refused(signer: Identity) -> None:
    files = [seal(sample_payload(s), passphrase=PASS, signing_key=signer, kdf_log2_n=14)
             for s in (4, 5)]
    outcomes = _run(200, 7, lambda d: open_bundle(d, passphrase=PASS), files)
    assert sum(outcomes.values()) >= 190
    assert outcomes[ExchangeProblem.WRONG_KEY.value] > 0
    assert outcomes[ExchangeProblem.ALTERED.value] > 0
