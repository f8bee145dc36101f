"""The hub under load on loopback: simulated installations pushing and pulling bundles
concurrently through two hub processes on one real PostgreSQL.

    PYTHONPATH=$PWD python bench/hub_load.py                     # 50 installations, 20,000 bundles
    PYTHONPATH=$PWD python bench/hub_load.py --installations 10 --bundles 1000   # a quick look
    HUB_TEST_DATABASE_URL=postgresql://… python bench/hub_load.py   # an existing server

Each simulated installation is a real Ed25519 identity and X25519 exchange key, enrolled
and approved through the hub's API (signed approvals by an admin installation), with a
scope of trainees; it pushes opaque bundles (random bytes of a sealed observation's size:
the hub never opens them) to every member who may see the trainee, and pulls its own
routes by cursor, fetching and checking every object. Installations alternate between the
two hub processes. At the end every installation pulls to the end of its routes, and
what it received is compared with what was routed to it: lost and duplicated counts,
and whether every installation converged. Prints throughput and p50/p99 latencies and
writes ``bench/results/hub_load.json``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import secrets
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey  # noqa: E402

from sendobserve.exchange.bundle import x25519_public_bytes  # noqa: E402
from sendobserve.hub import database, protocol, tls  # noqa: E402
from sendobserve.hub.client import HubClient  # noqa: E402
from sendobserve.hub.protocol import Approval, Role  # noqa: E402
from sendobserve.pki import certificates as pki  # noqa: E402
from sendobserve.pki.identity import Identity  # noqa: E402
from tests.hub.conftest import HubProcess, PgServer, _pg_bindir, free_port  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
BUNDLE_BYTES = (3_000, 12_000)  # a sealed observation is a few kilobytes


@dataclass
class Sim:
    name: str
    identity: Identity
    exchange_public: bytes
    hub_url: str
    scope: list[str]
    role: Role = Role.PPC
    cursor: str = "0"  # the hub's pull cursor
    received: list[str] = field(default_factory=list)  # sha256 of each object fetched
    push_ms: list[float] = field(default_factory=list)
    pull_ms: list[float] = field(default_factory=list)
    fetch_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def fingerprint(self) -> str:
        return protocol.compact_fingerprint(self.identity.public_key)


def _cluster(folder: Path) -> PgServer:
    import subprocess

    given = os.environ.get("HUB_TEST_DATABASE_URL")
    if given:
        return PgServer(given)
    bindir = _pg_bindir()
    if bindir is None:
        sys.exit("PostgreSQL is not installed (or set HUB_TEST_DATABASE_URL)")
    as_user: list[str] = []
    if os.geteuid() == 0:
        import pwd

        owner = pwd.getpwnam("postgres")
        os.chown(folder, owner.pw_uid, owner.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]
    datadir = folder / "data"
    port = free_port()
    subprocess.run([*as_user, str(bindir / "initdb"), "-D", str(datadir), "-A", "trust",
                    "-U", "postgres", "-E", "UTF8"], check=True, capture_output=True)
    with (datadir / "postgresql.conf").open("a") as conf:  # durable: fsync stays on
        conf.write(f"\nport = {port}\nlisten_addresses = '127.0.0.1'\n"
                   f"unix_socket_directories = '{folder}'\nmax_connections = 200\n")
    server = PgServer(f"postgresql://postgres@127.0.0.1:{port}/postgres", bindir, datadir,
                      as_user)
    server.start()
    return server


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _pull_all(sim: Sim, client: HubClient) -> None:
    while True:
        start = time.perf_counter()
        page = client.pull(sim.cursor, 200)
        sim.pull_ms.append((time.perf_counter() - start) * 1000)
        for item in page["items"]:
            start = time.perf_counter()
            data = client.fetch(item["sha256"])  # checks the SHA-256
            sim.fetch_ms.append((time.perf_counter() - start) * 1000)
            sim.received.append(hashlib.sha256(data).hexdigest())
            sim.cursor = str(item["cursor"])
        sim.cursor = str(page["next"])
        if not page["more"]:
            return


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--installations", type=int, default=50)
    parser.add_argument("--bundles", type=int, default=20_000)
    parser.add_argument("--trainees", type=int, default=50)
    parser.add_argument("--scope", type=int, default=5, help="trainees each member sees")
    parser.add_argument("--pull-every", type=int, default=50,
                        help="pushes between two pulls of one installation")
    args = parser.parse_args()
    rng = random.Random(14)

    work = Path(tempfile.mkdtemp(prefix="sendobserve-hub-load-"))
    server = _cluster(work)
    hubs: list[HubProcess] = []
    try:
        import sqlalchemy as sa

        dbname = f"hub_load_{uuid.uuid4().hex[:8]}"
        admin_engine = sa.create_engine(database.driver_url(server.admin_url),
                                        isolation_level="AUTOCOMMIT")
        with admin_engine.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{dbname}"'))
        db_url = server.url_for(dbname)
        database.init(db_url, "Load Test Provider")
        root = pki.create_root("Load Test Provider")
        issued = tls.issue_server_certificate(root, ["127.0.0.1"])
        (work / "hub.crt").write_bytes(issued.cert_pem)
        (work / "hub.key").write_bytes(issued.key_pem)
        hubs = [HubProcess(db_url, work / "hub.crt", work / "hub.key", issued.root_pem,
                           work / f"hub{i}.log") for i in range(2)]
        for hub in hubs:
            hub.start()
        for hub in hubs:
            hub.wait_ready(60)

        trainee_ids = [uuid.uuid4().hex for _ in range(args.trainees)]
        sims = []
        for i in range(args.installations):
            key = X25519PrivateKey.generate()
            role = Role.ADMIN if i == 0 else Role.PPC
            scope = trainee_ids if role is Role.ADMIN else rng.sample(trainee_ids, args.scope)
            sims.append(Sim(f"sim{i:02d}", Identity.generate(), x25519_public_bytes(key),
                            hubs[i % 2].url, scope, role))
        admin = sims[0]
        with HubClient(admin.hub_url, issued.root_pem, admin.identity) as client:
            client.enrol(admin.name, admin.exchange_public)
        database.bootstrap_admin(db_url, admin.fingerprint)
        with HubClient(admin.hub_url, issued.root_pem, admin.identity) as client:
            for sim in sims:  # the admin signs its own approval first, then everyone's
                if sim is not admin:
                    with HubClient(sim.hub_url, issued.root_pem, sim.identity) as own:
                        own.enrol(sim.name, sim.exchange_public)
                approval = Approval("Load Test Provider", sim.identity.public_key,
                                    sim.exchange_public, sim.role,
                                    None if sim is admin else tuple(sim.scope),
                                    "2026-03-01T09:00:00+00:00")
                client.approve(approval.to_bytes(), approval.sign(admin.identity))
            directory = {t: [m.fingerprint for m in protocol.trusted_members(
                client.recipients(t), [admin.fingerprint], t)] for t in trainee_ids}

        expected: dict[str, Counter[str]] = defaultdict(Counter)  # recipient -> sha counts
        expected_lock = threading.Lock()
        per_sim = args.bundles // len(sims)
        extra = args.bundles - per_sim * len(sims)

        def run(sim: Sim, count: int) -> None:
            local = random.Random(sim.name)
            with HubClient(sim.hub_url, issued.root_pem, sim.identity) as client:
                try:
                    choices = [t for t in sim.scope
                               if any(f != sim.fingerprint for f in directory[t])]
                    for n in range(count):
                        trainee = local.choice(choices)
                        to = [f for f in directory[trainee] if f != sim.fingerprint]
                        data = secrets.token_bytes(local.randint(*BUNDLE_BYTES))
                        start = time.perf_counter()
                        client.push(data, trainee, to)
                        sim.push_ms.append((time.perf_counter() - start) * 1000)
                        sha = hashlib.sha256(data).hexdigest()
                        with expected_lock:
                            for recipient in to:
                                expected[recipient][sha] += 1
                        if (n + 1) % args.pull_every == 0:
                            _pull_all(sim, client)
                except Exception as exc:  # counted and reported
                    sim.errors.append(f"{exc.__class__.__name__}: {exc}")

        threads = [threading.Thread(target=run, args=(s, per_sim + (1 if i < extra else 0)))
                   for i, s in enumerate(sims)]
        print(f"{len(sims)} installations, {args.bundles:,} bundles, {len(hubs)} hub "
              f"processes, {args.trainees} trainees ({args.scope} per member)…", flush=True)
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        busy = time.perf_counter() - started
        for sim in sims:  # everyone pulls to the end: convergence
            with HubClient(sim.hub_url, issued.root_pem, sim.identity) as client:
                _pull_all(sim, client)
        total = time.perf_counter() - started

        lost = duplicated = converged = 0
        for sim in sims:
            got = Counter(sim.received)
            want = set(expected.get(sim.fingerprint, Counter()))
            lost += len(want - set(got))
            duplicated += sum(c - 1 for c in got.values() if c > 1)
            converged += set(got) == want
        pushes = [ms for s in sims for ms in s.push_ms]
        fetches = [ms for s in sims for ms in s.fetch_ms]
        pulls = [ms for s in sims for ms in s.pull_ms]
        routed = sum(sum(c.values()) for c in expected.values())
        result: dict[str, Any] = {
            "installations": len(sims), "bundles_pushed": len(pushes),
            "routes": routed, "objects_fetched": len(fetches),
            "push_phase_s": round(busy, 2), "total_s": round(total, 2),
            "push_throughput_per_s": round(len(pushes) / busy, 1),
            "requests_per_s": round((len(pushes) + len(fetches) + len(pulls)) / total, 1),
            "push_ms": {"p50": round(statistics.median(pushes), 2),
                        "p99": round(_percentile(pushes, 0.99), 2)},
            "fetch_ms": {"p50": round(statistics.median(fetches), 2) if fetches else None,
                         "p99": round(_percentile(fetches, 0.99), 2)},
            "pull_page_ms": {"p50": round(statistics.median(pulls), 2),
                             "p99": round(_percentile(pulls, 0.99), 2)},
            "lost": lost, "duplicated": duplicated,
            "converged": f"{converged}/{len(sims)}",
            "errors": [e for s in sims for e in s.errors][:10],
            "cpus": os.cpu_count(), "load_average": os.getloadavg(),
        }
        print(json.dumps(result, indent=2))
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / "hub_load.json").write_text(json.dumps(result, indent=2))
        ok = lost == 0 and duplicated == 0 and converged == len(sims) and not result["errors"]
        return 0 if ok else 1
    finally:
        for hub in hubs:
            hub.stop()
        if server.restartable:
            server.stop()
        import shutil

        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
