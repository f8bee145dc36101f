#!/usr/bin/env python3
"""Damage the key file at random and unlock it: a clear message or a clean unlock, never a
traceback, never a long wait.

Each try starts from a good key file and makes one damage: a flipped bit, a random byte,
a cut, a deleted line, or one JSON value replaced by something hostile (huge or negative
numbers such as p = 1,048,576 or n = 2^31, wrong types, long text) or removed. Then it
unlocks with the passphrase and with the recovery key. Outcomes per unlock: ``opened``
(with or without a warning about a damaged slot), ``refused`` (a StoreError: one clear
line), ``traceback`` (anything else; must be 0). The slowest unlock is reported.

    python tools/fuzz_keyfile.py --tries 200
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sendobserve.storage import keys, vault  # noqa: E402
from sendobserve.storage.errors import StoreError  # noqa: E402

PASSPHRASE = "correct horse battery staple"
HOSTILE: list[Any] = [
    2**31,
    1_048_576,
    2**20 + 1,
    -1,
    0,
    2**64,
    1e308,
    True,
    None,
    "",
    "AAAA",
    "x" * 5000,
    [],
    {},
    [1, 2],
    {"kdf": "scrypt"},
    "=====",
    "AAAAAAAAAAAAAAAAAAAAAA==",
]


def _leaves(doc: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [path] if path else []
    if isinstance(doc, dict):
        for k, v in doc.items():
            out += _leaves(v, (*path, k))
    return out


def _set(doc: Any, path: tuple[Any, ...], value: Any, delete: bool) -> None:
    for k in path[:-1]:
        doc = doc[k]
    if delete:
        del doc[path[-1]]
    else:
        doc[path[-1]] = value


def damage(good: bytes, rng: random.Random) -> tuple[str, bytes]:
    kind = rng.choice(["flip", "byte", "cut", "line", "value", "value", "drop"])
    data = bytearray(good)
    if kind == "flip":
        data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
    elif kind == "byte":
        data[rng.randrange(len(data))] = rng.randrange(256)
    elif kind == "cut":
        del data[rng.randrange(len(data)) :]
    elif kind == "line":
        lines = bytes(data).split(b"\n")
        del lines[rng.randrange(len(lines))]
        data = bytearray(b"\n".join(lines))
    else:
        doc = json.loads(good)
        path = rng.choice(_leaves(doc))
        _set(doc, path, rng.choice(HOSTILE), delete=kind == "drop")
        data = bytearray(json.dumps(doc).encode())
    return kind, bytes(data)


def run(tries: int, seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    counts = {"opened": 0, "opened_with_warning": 0, "refused": 0, "tracebacks": 0}
    failures: list[str] = []
    slowest = 0.0
    with tempfile.TemporaryDirectory(prefix="keyfuzz-") as tmp:
        data_dir = Path(tmp) / "data"
        created = vault.initialise(data_dir, PASSPHRASE, scrypt=keys.ScryptParams(n=2**14))
        created.store.close()
        key_path = keys.key_file_path(data_dir)
        good = key_path.read_bytes()
        for _ in range(tries):
            kind, damaged = damage(good, rng)
            for secret in (PASSPHRASE, created.recovery_key):
                key_path.write_bytes(damaged)
                started = time.perf_counter()
                try:
                    unlocked = vault.unlock(data_dir, secret)
                except StoreError as exc:
                    counts["refused"] += 1
                    if "\n" in exc.message or not exc.message:
                        failures.append(f"{kind}: unclear message {exc.message!r}")
                except Exception:
                    counts["tracebacks"] += 1
                    failures.append(f"{kind}: {traceback.format_exc(limit=4)}")
                else:
                    counts["opened_with_warning" if unlocked.warnings else "opened"] += 1
                slowest = max(slowest, time.perf_counter() - started)
    return {
        **counts,
        "tries": tries,
        "unlocks": 2 * tries,
        "seed": seed,
        "slowest_unlock_seconds": round(slowest, 3),
        "failures": failures[:20],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true", help="one JSON line")
    args = parser.parse_args(argv)
    result = run(args.tries, args.seed)
    if args.json:
        print(json.dumps(result))
    else:
        for name, value in result.items():
            if name != "failures":
                print(f"{name:>24}: {value}")
        for failure in result["failures"]:
            print(failure)
    return 0 if result["tracebacks"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
