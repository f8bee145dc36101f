"""Evidence files: checking an attached file, and a whole record carrying them as an
exchange file (size, seal, open, import).

    PYTHONPATH=$PWD python bench/evidence.py [--files 4] [--size-mb 2] [--repeat 3]

Makes a noisy JPEG photo and a multi-page PDF of about ``--size-mb`` each (noise does not
compress: the worst case for size), times ``check_content`` and ``prepare_content`` on
them, then attaches ``--files`` of them (alternating) to the training and CPD entries of a
trainee in a real encrypted store, exports the whole record at the production scrypt cost,
opens it and imports it into a second new store; then removes one file on that store (a
signed tombstone) and imports its record back where the file came from, which removes it
there. Prints the median of ``--repeat`` runs. Not part of the test suite: timings on a
shared machine vary.
"""

from __future__ import annotations

import argparse
import io
import os
import secrets
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from sendobserve import demo
from sendobserve.exchange.apply import apply_import
from sendobserve.exchange.bundle import open_bundle, seal
from sendobserve.exchange.export import ExportScope, build_payload, payload_counts
from sendobserve.model.evidence import (
    MAX_FILE_BYTES,
    EntryKind,
    EvidenceKind,
    check_content,
    prepare_content,
)
from sendobserve.pki.identity import load_or_create_identity
from sendobserve.services import evidence
from sendobserve.storage import exchange as stored
from sendobserve.storage.db import create_store, open_store
from sendobserve.storage.repositories import MediatorRepository

PASS = "a long shared file passphrase"


def noisy_jpeg(target: int) -> bytes:
    from PIL import Image

    side = 800
    while True:
        image = Image.frombytes("RGB", (side, side), os.urandom(side * side * 3))
        out = io.BytesIO()
        image.save(out, format="JPEG", quality=85)
        if len(out.getvalue()) >= target * 0.9 or side > 4000:
            return out.getvalue()
        side = int(side * 1.25)


def noisy_pdf(target: int) -> bytes:
    """A PDF of pages each holding a different noisy photo (ReportLab stores a repeated
    image once), until about ``target`` bytes."""
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    c = canvas.Canvas(out)
    size = 0
    while size < target * 0.9:
        photo = noisy_jpeg(min(target // 4, 600_000))
        size += len(photo)
        c.drawString(72, 780, f"Course outline, page {c.getPageNumber()}")
        c.drawImage(ImageReader(io.BytesIO(photo)), 72, 200, 450, 450)
        c.showPage()
    c.save()
    return out.getvalue()


def timed(fn, repeat: int) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    times, value = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), value


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=4)
    parser.add_argument("--size-mb", type=float, default=2.0)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    target = min(int(args.size_mb * 1024 * 1024), MAX_FILE_BYTES - 64 * 1024)
    jpeg, pdf = noisy_jpeg(target), noisy_pdf(target)
    print(f"JPEG {len(jpeg) / 1e6:.2f} MB, PDF {len(pdf) / 1e6:.2f} MB")
    for name, data in (("JPEG", jpeg), ("PDF", pdf)):
        t, _ = timed(lambda d=data: check_content(d), args.repeat)
        print(f"check_content {name}: {t * 1000:.1f} ms")
        t, _ = timed(lambda d=data: prepare_content(d), args.repeat)
        print(f"prepare_content {name}: {t * 1000:.1f} ms")

    with tempfile.TemporaryDirectory() as root:
        key_a, key_b = secrets.token_bytes(32), secrets.token_bytes(32)
        create_store(Path(root, "a"), key_a).close()
        create_store(Path(root, "b"), key_b).close()
        a = open_store(Path(root, "a"), key_a, daily_backup=False)
        demo.fill_store(a, today=date.today())
        who = MediatorRepository(a.session).resolve(demo.PASSPORTED).id
        entries = [e for e in evidence.entries(a, who) if e.kind is not EntryKind.CASE]
        attach_times = []
        for i in range(args.files):
            entry = entries[i % len(entries)]
            data = pdf if i % 2 else jpeg
            if i >= 2:  # a different file each time (the id is the content's)
                data = noisy_pdf(target) if i % 2 else noisy_jpeg(target)
            kind = EvidenceKind.COURSE_OUTLINE
            start = time.perf_counter()
            evidence.attach(a, entry.kind, entry.id, data, name=f"f{i}", kind=kind,
                            added_by="bench")
            attach_times.append(time.perf_counter() - start)
        print(f"attach (read, check, re-encode, store): median "
              f"{statistics.median(attach_times) * 1000:.0f} ms over {args.files} files")
        with a.session() as s:
            identity = load_or_create_identity(stored.StoredSigningKey(s))
            payload = build_payload(s, who, exported_by="bench", scope=ExportScope.RECORD,
                                    record_history=False)
        counts = payload_counts(payload)
        stored_bytes = sum(len(i.content) for i in payload.evidence)
        t_seal, data = timed(lambda: seal(payload, passphrase=PASS, signing_key=identity),
                             args.repeat)
        print(f"whole record: {counts['evidence files']} evidence files "
              f"({stored_bytes / 1e6:.1f} MB stored), file {len(data) / 1e6:.1f} MB")
        print(f"seal: {t_seal:.2f} s")
        t_open, opened = timed(lambda: open_bundle(data, passphrase=PASS), args.repeat)
        print(f"open (decrypt, verify, decode, check every file): {t_open:.2f} s")
        b = open_store(Path(root, "b"), key_b, daily_backup=False)
        start = time.perf_counter()
        with b.session() as s:
            apply_import(s, opened)
        print(f"import into a new store: {time.perf_counter() - start:.2f} s")
        start = time.perf_counter()
        with b.session() as s:
            again = apply_import(s, opened)
        print(f"import again (nothing to do): {time.perf_counter() - start:.2f} s "
              f"(written: {again.written})")
        # A removal travels: one file removed where it arrived signs a tombstone; the
        # record sent back removes it on the laptop it came from.
        gone = evidence.list_files(b, who)[0]
        start = time.perf_counter()
        evidence.remove(b, gone.id)
        t_remove = time.perf_counter() - start
        with b.session() as s:
            identity_b = load_or_create_identity(stored.StoredSigningKey(s))
            back = build_payload(s, who, exported_by="bench-b", scope=ExportScope.RECORD)
        opened_back = open_bundle(seal(back, passphrase=PASS, signing_key=identity_b),
                                  passphrase=PASS)
        start = time.perf_counter()
        with a.session() as s:
            apply_import(s, opened_back)
        t_back = time.perf_counter() - start
        print(f"remove one file where it arrived (signs a tombstone): {t_remove * 1000:.0f} ms; "
              f"the record back ({len(back.tombstones)} deletion) imported where the file "
              f"came from: {t_back:.2f} s, files left there: "
              f"{len(evidence.list_files(a, who))} of {args.files}")
        a.close()
        b.close()


if __name__ == "__main__":
    main()
