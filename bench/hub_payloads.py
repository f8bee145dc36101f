"""What a hub sync reads to decide what to send, for one trainee with many observations:
one ``build_payload`` per observation (each loading the whole record: quadratic) against
``trainee_payloads`` (the record loaded once). Same payloads, compared by content digest.

    PYTHONPATH=$PWD python bench/hub_payloads.py [--observations 25 50 100] [--repeat 3]

Builds, in a real encrypted store in a temp folder, one trainee with N finalised Form 3
observations (each its own case, every item marked, a drawn signature), then times both
ways of cutting them and prints the median of ``--repeat`` runs. Not part of the test
suite: timings on a shared machine vary.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sendobserve.exchange.export import build_payload, trainee_payloads  # noqa: E402
from sendobserve.hub.sync import content_digest  # noqa: E402
from tests.exchange.storekit import (  # noqa: E402
    TempStore,
    add_finalised_observation,
    add_people,
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--observations", type=int, nargs="+", default=[25, 50, 100])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print("observations  per-observation build_payload  trainee_payloads  speed-up")
    for n in args.observations:
        with tempfile.TemporaryDirectory(prefix="sendobserve-payloads-") as folder:
            ts = TempStore.create(Path(folder) / "store")
            trainee, ppc = add_people(ts)
            ids = [add_finalised_observation(ts, trainee, ppc, f"LA-{i:04d}", seed=i)
                   for i in range(n)]
            old_times, new_times = [], []
            for _ in range(args.repeat):
                with ts.session() as s:
                    start = time.perf_counter()
                    old = {i: build_payload(s, trainee.id, exported_by="x",
                                            observation_ids={i}) for i in ids}
                    old_times.append(time.perf_counter() - start)
                    start = time.perf_counter()
                    new = trainee_payloads(s, trainee.id, exported_by="x").observations
                    new_times.append(time.perf_counter() - start)
                same = {i: content_digest(p) for i, p in old.items()} == \
                    {i: content_digest(p) for i, p in new.items()}
                if not same:
                    print("the two ways gave different payloads", file=sys.stderr)
                    return 1
            a, b = statistics.median(old_times), statistics.median(new_times)
            print(f"{n:>12}  {a:>29.2f} s  {b:>14.2f} s  {a / b:>7.1f}×")
    return 0


if __name__ == "__main__":
    sys.exit(main())
