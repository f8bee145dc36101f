"""Correctly signed files of mutated content, imported into a real store.

The outer fuzz (``test_bundle_fuzz``) attacks the container; this one attacks what a
signer can put inside it: every mutation is signed and sealed properly, so it reaches
the decoder and, when the decoder accepts it, the import. The base files are exports of
the target store itself (so mutations meet observations held there) and of another
store. Each import either succeeds, or is refused with an ``ExchangeError`` and every
store file byte-identical; anything else is a crash.

Run in the suite with a small count (``test_payload_fuzz``); the full run:

    PYTHONPATH=$PWD python -m tests.exchange.payload_fuzz 2000
"""

from __future__ import annotations

import json
import random
import sys
import tempfile
import time
import traceback
import uuid
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from sendobserve.exchange.apply import apply_import
from sendobserve.exchange.bundle import _seal_signed, open_bundle, x25519_public_bytes
from sendobserve.exchange.codec import canonical_json, encode_payload
from sendobserve.exchange.decide import decide_record
from sendobserve.exchange.errors import ExchangeError
from sendobserve.exchange.export import ExportScope, build_payload
from sendobserve.exchange.logs import record_digest, record_json
from sendobserve.model.domain import (
    Contact,
    ContactKind,
    MarkState,
    RecognisingBody,
    Reflection,
    Training,
    TrainingKind,
)
from sendobserve.pki.identity import Identity
from sendobserve.storage import exchange as stored
from sendobserve.storage.repositories import PracticeRepository, in_session
from sendobserve.storage.repositories.certificates import CertificateRepository
from tests.helpers import durable_snapshot

from .factories import tiny_png
from .storekit import (
    PASS,
    TempStore,
    add_finalised_observation,
    add_observer,
    add_people,
    amend_observation,
)

STRANGE: list[Any] = [
    None, True, False, 0, -1, 1, 2**31, 2**63, 10**30, "", " ", "x" * 300, "x" * 20_001,
    "Ann \ud800 Lee", "\udfff", "a\x00b", "a\x85b", "Ann \u202e eeL", "line\u2028break",
    "2026-02-30", "2026-03-02", "2026-03-02T09:30:00", "2026-03-02T09:30:00+00:00",
    "9999-12-31T23:59:59.999999+00:00", "0.00001", "1E+1", "99999", "10000.0001",
    "demonstrated", "development_needed", "not_yet_seen", "draft", "amended", "finalised",
    "form1", "form3", "standards-2018", "AAAA", "ab" * 16, "AB" * 16, [], {}, [[[[]]]],
    {"a": 1},
]


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            out.extend(_paths(v, (*prefix, k)))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out.extend(_paths(v, (*prefix, i)))
    return out


def _get(value: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        value = value[key]
    return value


def _ids(value: Any) -> list[str]:
    found = []
    for path in _paths(value):
        leaf = _get(value, path)
        if isinstance(leaf, str) and len(leaf) == 32 and all(c in "0123456789abcdef"
                                                            for c in leaf):
            found.append(leaf)
    return found


def mutate_value(rng: random.Random, value: Any) -> Any:
    """One to three structural mutations of a payload's JSON value (in place, returned)."""
    for _ in range(rng.choice([1, 1, 2, 3])):
        paths = [p for p in _paths(value) if p]
        if not paths:
            return value
        path = rng.choice(paths)
        parent, key = _get(value, path[:-1]), path[-1]
        roll = rng.random()
        if roll < 0.35:
            parent[key] = rng.choice(STRANGE)
        elif roll < 0.5:  # an id from elsewhere in the file: cross-wired references
            ids = _ids(value)
            parent[key] = rng.choice(ids) if ids else uuid.uuid4().hex
        elif roll < 0.6:
            parent[key] = uuid.uuid4().hex
        elif roll < 0.7 and isinstance(parent, dict):
            del parent[key]
        elif roll < 0.8 and isinstance(parent, list):
            parent.insert(rng.randrange(len(parent) + 1), json.loads(json.dumps(parent[key])))
        elif roll < 0.85 and isinstance(parent, list):
            parent.pop(key)
        elif roll < 0.9 and isinstance(parent, dict):
            parent["surprise_" + str(rng.randrange(9))] = rng.choice(STRANGE)
        else:  # the same kind of leaf from another record
            leaf = _get(value, path)
            same = [p for p in paths if p != path and type(_get(value, p)) is type(leaf)
                    and not isinstance(leaf, dict | list)]
            if same:
                parent[key] = _get(value, rng.choice(same))
    return value


def mutate_text(rng: random.Random, data: bytes) -> bytes:
    """A byte-level edit of the JSON text (the signature is made after it)."""
    out = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        pos = rng.randrange(len(out))
        choice = rng.random()
        if choice < 0.4:
            out[pos] = rng.choice(b'{}[]",:0123456789aex\\ ')
        elif choice < 0.7:
            del out[pos: pos + rng.randint(1, 40)]
        else:
            out[pos:pos] = rng.choice([b"{", b"[", b'"\\ud800"', b",", b"null", b"\\u0000",
                                       b"1e999", b"-0", b"\xff"])
    return bytes(out)


def _files(folder: Path) -> dict[str, bytes]:
    """The store's files as ``durable_snapshot`` gives them, less an *empty* ``-wal``:
    SQLite creates the log file empty when a connection opens the store and deletes it
    when the last one closes, so whether an empty one exists says nothing about records."""
    return {name: data for name, data in durable_snapshot(folder).items()
            if data or not name.endswith("-wal")}


@dataclass
class Outcome:
    accepted: int = 0
    refused: Counter[str] = field(default_factory=Counter)
    crashes: list[str] = field(default_factory=list)
    changed_on_refusal: int = 0

    @property
    def total(self) -> int:
        return self.accepted + sum(self.refused.values()) + len(self.crashes)


def base_stores(root: Path) -> tuple[TempStore, list[bytes]]:
    """The target store and the payload bytes the mutations start from: its own export
    (observations held there, one amended) and another installation's."""
    home, other = TempStore.create(root / "home"), TempStore.create(root / "other")
    trainee, ppc = add_people(home)
    first = add_finalised_observation(home, trainee, ppc, "LA-1")
    co = add_observer(home, "Dev Patel")
    add_finalised_observation(home, trainee, co, "LA-2", seed=1)
    amend_observation(home, first, "f3.pm.case_records", MarkState.DEMONSTRATED, "Łucja Żak")
    t2, p2 = add_people(other, mediator_name="Ann Other")
    add_finalised_observation(other, t2, p2, "LA-9", seed=2)
    day = datetime.now(UTC).date() - timedelta(days=3)
    with home.session() as s:
        practice = PracticeRepository(in_session(s))
        practice.add(Training(uuid.uuid4(), trainee.id, TrainingKind.SEND, "SEND module",
                              "Acme", RecognisingBody.CMC, day, day, Decimal("12")))
        practice.add(Reflection(uuid.uuid4(), trainee.id, day, Decimal("1"), "Ann Lee",
                                "Notes."))
        practice.add(Contact(uuid.uuid4(), trainee.id, ContactKind.MENTORING, day,
                             "Łucja Żak", ppc.id, Decimal("1"), ""))
    from sendobserve.model.evidence import EntryKind, EvidenceKind
    from sendobserve.services import evidence
    from tests.model.test_evidence import make_image

    with home.open() as store:  # an evidence file, so the whole record carries that section
        entry = next(e for e in evidence.entries(store, trainee.id)
                     if e.kind is EntryKind.TRAINING)
        evidence.attach(store, entry.kind, entry.id, make_image("PNG", (24, 16)),
                        name="certificate.png", kind=EvidenceKind.TRAINING_CERTIFICATE,
                        added_by="Łucja Żak")
    bases = [open_bundle(ts.export(m), passphrase=PASS).payload_bytes
             for ts, m in ((home, trainee.id), (other, t2.id))]
    with home.session() as s:  # the whole record, with version histories
        whole = build_payload(s, trainee.id, exported_by="Łucja Żak",
                              scope=ExportScope.RECORD)
    bases.append(encode_payload(whole))
    # And with the control records: a certificate issued (with drawings), a signed
    # tombstone of a record that travelled, a person's signed decision on a conflict.
    training, reflection = whole.training[0], whole.reflections[0]
    with home.session() as s:
        CertificateRepository(in_session(s)).issue_or_reprint(
            form_number=4, mediator_id=trainee.id, signer_id=ppc.id, signer_name=ppc.name,
            issued_on=day, code_for=lambda serial: "K7QF2XA9", signer_drawing=tiny_png(1),
            mediator_drawing=tiny_png(2))
        PracticeRepository(in_session(s)).delete(Reflection, reflection.id)
        other_version = replace(training, hours=Decimal("13"))
        stored.keep_record_conflict(s, "training", other_version, record_digest(other_version),
                                    canonical_json(record_json(other_version)),
                                    "AAAA BBBB", datetime.now(UTC))
        decide_record(s, "training", training.id, keep="current", decided_by=ppc.name,
                      reason="The certificate says 12 hours")
        controlled = build_payload(s, trainee.id, exported_by="Łucja Żak",
                                   scope=ExportScope.RECORD)
    # And an evidence file removed after it travelled (its signed tombstone, kind
    # "evidence"), and a second file attached, so one file carries both.
    with home.open() as store:
        (held,) = evidence.list_files(store, trainee.id)
        evidence.remove(store, held.id)
        evidence.attach(store, EntryKind.TRAINING, held.entry_id, make_image("PNG", (8, 8)),
                        name="outline.png", kind=EvidenceKind.COURSE_OUTLINE,
                        added_by="Łucja Żak")
    with home.session() as s:
        controlled = build_payload(s, trainee.id, exported_by="Łucja Żak",
                                   scope=ExportScope.RECORD)
    assert controlled.certificates and controlled.tombstones and controlled.decisions
    assert {t.kind for t in controlled.tombstones} == {"reflections", "evidence"}
    assert controlled.evidence and all(c.issuer for c in controlled.certificates)
    bases.append(encode_payload(controlled))
    return home, bases


def run(n: int, seed: int, root: Path) -> Outcome:
    rng = random.Random(seed)
    home, bases = base_stores(root)
    key = X25519PrivateKey.generate()
    recipients = [x25519_public_bytes(key)]
    signers = [Identity.generate() for _ in range(3)]
    outcome = Outcome()
    with home.open() as store:
        for i in range(n):
            base = rng.choice(bases)
            if rng.random() < 0.8:
                value = json.loads(base)
                if rng.random() < 0.4:  # no author signatures: as an older version writes
                    value["provenance"] = []
                value = mutate_value(rng, value)
                data = json.dumps(value, sort_keys=True, separators=(",", ":"),
                                  ensure_ascii=rng.random() < 0.5).encode("utf-8",
                                                                          "surrogatepass")
            else:
                data = mutate_text(rng, base)
            sealed = _seal_signed(data, passphrase=PASS, signing_key=rng.choice(signers),
                                  recipients=recipients, kdf_log2_n=14)
            before = _files(home.data_dir)
            try:
                opened = open_bundle(sealed, recipient_key=key)
                with store.session() as session:
                    apply_import(session, opened)
            except ExchangeError as exc:
                outcome.refused[exc.problem.value] += 1
                if "\n" in exc.message or not exc.message:
                    outcome.crashes.append(f"#{i}: message not one line: {exc.message!r}")
                if _files(home.data_dir) != before:
                    outcome.changed_on_refusal += 1
            except Exception:
                outcome.crashes.append(f"#{i}: {traceback.format_exc(limit=6)}")
            else:
                outcome.accepted += 1
    return outcome


def main(argv: list[str]) -> int:
    n = int(argv[0]) if argv else 2000
    seed = int(argv[1]) if len(argv) > 1 else 20261130
    t = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        outcome = run(n, seed, Path(folder))
    took = time.perf_counter() - t
    print(f"{outcome.total} correctly signed files of mutated content, seed {seed}, "
          f"{took:.0f} s: {outcome.accepted} accepted, {sum(outcome.refused.values())} "
          f"refused, {len(outcome.crashes)} crashes, {outcome.changed_on_refusal} refusals "
          "that changed a store file")
    for problem, count in outcome.refused.most_common():
        print(f"  refused as {problem}: {count}")
    for crash in outcome.crashes[:5]:
        print(crash)
    return 1 if outcome.crashes or outcome.changed_on_refusal else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
