"""Exchange timings: ``PYTHONPATH=. python -m bench.exchange_codec [N]``.

Seals and opens a file of N observations (each with its own 20 kB signature drawing) at
the production scrypt cost, then imports it into a real store in a temp folder, twice.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from sendobserve.exchange.bundle import open_bundle, seal
from sendobserve.pki.identity import Identity
from tests.exchange.factories import sample_payload
from tests.exchange.storekit import PASS, TempStore


def main(n: int) -> None:
    base = sample_payload(1, n_observations=n)
    payload = replace(base, observations=tuple(
        replace(o, signature=replace(o.signature, drawing_png=b"\x89PNG\r\n\x1a\n"
                                     + os.urandom(20_000)))
        for o in base.observations))
    signer = Identity.generate()
    t = time.perf_counter()
    data = seal(payload, passphrase=PASS, signing_key=signer)
    sealed = time.perf_counter() - t
    t = time.perf_counter()
    opened = open_bundle(data, passphrase=PASS)
    opening = time.perf_counter() - t
    print(f"{n} observations, {len(payload.marks)} marks: file {len(data):,} bytes; "
          f"seal {sealed:.2f} s, open {opening:.2f} s (scrypt 2^17 each)")
    with tempfile.TemporaryDirectory() as folder:
        store = TempStore.create(Path(folder) / "store")
        t = time.perf_counter()
        first = store.import_opened(opened)
        applied = time.perf_counter() - t
        t = time.perf_counter()
        again = store.import_opened(opened)
        repeated = time.perf_counter() - t
    print(f"import into a new store: {applied:.2f} s ({first.added} added); "
          f"same file again: {repeated:.2f} s (written: {again.written})")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 300)
