"""Evidence files, for the CLI and the app: attach, list, read, save a copy, remove.

Every write is one unit of work and returns a ``Changes`` (``record`` for the trainee whose
entry it is), so an open record page refreshes. Bad input (a file that is too big, of the
wrong type, a PDF that is not one, a file that vanished, an entry that is not there)
raises ``UserError`` with one sentence before anything is written. What a file may be is
``model.evidence``; where it is kept is ``storage.evidence``.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sendobserve.errors import UserError
from sendobserve.model.domain import PracticeRecord, utcnow
from sendobserve.model.evidence import (
    ENTRY_WORDS,
    MAX_FILE_BYTES,
    MAX_FILES_BYTES,
    EntryKind,
    EvidenceFile,
    EvidenceKind,
    check_kind,
    check_name,
    content_sha256,
    evidence_id,
    prepare_content,
    size_text,
)
from sendobserve.model.vocabulary import day_text
from sendobserve.named_file import Unread, read_named_file
from sendobserve.services.changes import Changes

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from sendobserve.services import Sessions


@dataclass(frozen=True, slots=True)
class Entry:
    """A training, CPD or case entry that can carry evidence, with its files."""

    kind: EntryKind
    id: uuid.UUID
    label: str
    files: tuple[EvidenceFile, ...] = ()


def entry_label(record: PracticeRecord, kind: EntryKind, entry_id: uuid.UUID) -> str:
    """How a person names an entry: "Training: Foundation course (3–7 Mar 2025)"."""
    if kind is EntryKind.TRAINING:
        for t in record.training:
            if t.id == entry_id:
                return f"Training: {t.title} ({day_text(t.start_date)})"
    elif kind is EntryKind.CPD:
        for c in record.cpd:
            if c.id == entry_id:
                text = " ".join(c.description.split())
                short = text if len(text) <= 50 else text[:49] + "…"
                return f"CPD: {short or c.kind.value} ({day_text(c.done_on)})"
    else:
        for case in record.cases:
            if case.id == entry_id:
                return f"Case {case.reference} ({day_text(case.case_date)})"
    return f"{ENTRY_WORDS[kind].capitalize()} {entry_id.hex[:8]}"


def entries(store: Sessions, mediator_id: uuid.UUID) -> list[Entry]:
    """Every training, CPD and case entry of one mediator, each with its files."""
    from sendobserve.storage import evidence as stored
    from sendobserve.storage.repositories import load_practice_record

    with store.session() as session:
        record = load_practice_record(session, mediator_id)
        files = stored.list_evidence(session, mediator_id)
    by_entry: dict[tuple[EntryKind, uuid.UUID], list[EvidenceFile]] = {}
    for f in files:
        by_entry.setdefault((f.entry_kind, f.entry_id), []).append(f)
    keys = ([(EntryKind.TRAINING, t.id) for t in sorted(record.training,
                                                         key=lambda t: t.start_date)]
            + [(EntryKind.CPD, c.id) for c in sorted(record.cpd, key=lambda c: c.done_on)]
            + [(EntryKind.CASE, c.id) for c in sorted(record.cases, key=lambda c: c.case_date)])
    return [Entry(k, i, entry_label(record, k, i), tuple(by_entry.get((k, i), ())))
            for k, i in keys]


def list_files(store: Sessions, mediator_id: uuid.UUID) -> list[EvidenceFile]:
    from sendobserve.storage import evidence as stored

    with store.session() as session:
        return stored.list_evidence(session, mediator_id)


def read_path(path: str | os.PathLike[str]) -> bytes:
    """The bytes of the file at ``path``, read at most one byte past the limit; one
    sentence if it is missing, a folder, unreadable or too big."""
    def refuse(why: Unread, target: Path, detail: str) -> UserError:
        if why is Unread.MISSING:
            return UserError(f"The file {target} is not there (it may have been moved or "
                             "deleted); nothing was attached.")
        if why is Unread.FOLDER:
            return UserError(f"{target} is a folder; choose a PDF, PNG or JPEG file.")
        if why is Unread.TOO_BIG:
            return UserError(f"The file {target.name} is larger than "
                             f"{size_text(MAX_FILE_BYTES)}, the limit for an evidence file; "
                             "nothing was attached.",
                             hint="Scan it at a lower resolution, or save the PDF smaller.")
        return UserError(f"The file {target} cannot be read ({detail}); nothing "
                         "was attached.")

    return read_named_file(path, refuse, limit=MAX_FILE_BYTES)


def attach(store: Sessions, entry_kind: EntryKind, entry_id: uuid.UUID, data: bytes, *,
           name: str, kind: EvidenceKind, added_by: str) -> tuple[EvidenceFile, Changes]:
    """Attach ``data`` (checked by content, images re-encoded) to one entry."""
    from sendobserve.storage import evidence as stored

    shown = check_name(name)
    check_kind(entry_kind, kind)
    if not added_by.strip():
        raise UserError("Say who is attaching the file.")
    content, media_type = prepare_content(data, f"The file {shown}")
    sha256 = content_sha256(content)
    with store.session() as session:
        owner = stored.entry_owner(session, entry_kind, entry_id)
        if owner is None:
            raise UserError(f"There is no such {ENTRY_WORDS[entry_kind]} in this store; "
                            "nothing was attached.")
        file = EvidenceFile(
            id=evidence_id(entry_kind, entry_id, sha256), mediator_id=owner,
            entry_kind=entry_kind, entry_id=entry_id, kind=kind, name=shown,
            media_type=media_type, size=len(content), sha256=sha256, added_at=utcnow(),
            added_by=added_by.strip()[:200])
        if stored.held_ids(session, [file.id]):
            raise UserError(f"{shown} is already attached to this "
                            f"{ENTRY_WORDS[entry_kind]}; nothing was changed.")
        _withdraw_removal(session, file, shown)
        total = stored.total_size(session, owner)
        if total + file.size > MAX_FILES_BYTES:
            raise UserError(
                f"This trainee's evidence files would come to {size_text(total + file.size)}; "
                f"the limit is {size_text(MAX_FILES_BYTES)} (so the whole record still fits "
                "in one exchange file). Nothing was attached.",
                hint="Remove a file no longer needed, or attach a smaller scan.")
        stored.add_evidence(session, file, content)
    return file, Changes(record=True, mediators=frozenset({owner}))


def attach_path(store: Sessions, entry_kind: EntryKind, entry_id: uuid.UUID,
                path: str | os.PathLike[str], *, kind: EvidenceKind, added_by: str,
                name: str | None = None) -> tuple[EvidenceFile, Changes]:
    data = read_path(path)
    return attach(store, entry_kind, entry_id, data, name=name or Path(path).name, kind=kind,
                  added_by=added_by)


def get(store: Sessions, evidence_id_: uuid.UUID) -> tuple[EvidenceFile, bytes]:
    from sendobserve.storage import evidence as stored

    with store.session() as session:
        file = stored.get_evidence(session, evidence_id_)
        content = stored.evidence_content(session, evidence_id_)
    if file is None or content is None:
        raise UserError("That evidence file is no longer in the store.")
    return file, content


def find(store: Sessions, prefix: str) -> EvidenceFile:
    """One file from the start of its id, as ``sendobserve evidence list`` shows it."""
    from sendobserve.storage import evidence as stored

    with store.session() as session:
        found = stored.find_evidence(session, prefix.strip().lower())
    if not found:
        raise UserError(f"No evidence file has an id starting {prefix!r}.",
                        hint="`sendobserve evidence list NAME` shows them.")
    if len(found) > 1:
        raise UserError(f"{len(found)} evidence files have an id starting {prefix!r}; give "
                        "more of it.")
    return found[0]


def save_copy(store: Sessions, evidence_id_: uuid.UUID, target: str | os.PathLike[str], *,
              overwrite: bool = False) -> Path:
    """Write the file's content to ``target`` (a folder: its own name inside it),
    atomically; the path written. An existing file is replaced only with ``overwrite``."""
    from sendobserve.storage.fsutil import atomic_write_bytes, raise_if_disk_full

    file, content = get(store, evidence_id_)
    path = Path(target).expanduser()
    if path.is_dir():
        path = path / file.name
    if not path.parent.is_dir():
        raise UserError(f"The folder {path.parent} does not exist; nothing was saved.")
    if path.exists() and not overwrite:
        raise UserError(f"{path} already exists; nothing was saved.",
                        hint="Choose another name, or give --overwrite.")
    try:
        atomic_write_bytes(path, content, private=True)
    except OSError as exc:
        raise_if_disk_full(exc, path.parent)
        raise UserError(f"Cannot write {path} ({exc.strerror or exc}); nothing was "
                        "saved.") from None
    return path


def remove(store: Sessions, evidence_id_: uuid.UUID) -> tuple[EvidenceFile, Changes]:
    """Remove one file. If it may be held elsewhere (it, or its entry, has travelled), a
    signed tombstone in the same unit of work makes the removal travel with the record."""
    from sendobserve.storage import evidence as stored
    from sendobserve.storage.exchange_controls import note_evidence_removal

    with store.session() as session:
        file = stored.get_evidence(session, evidence_id_)
        if file is None:
            raise UserError("That evidence file is no longer in the store; nothing was "
                            "removed.")
        stored.remove_evidence(session, evidence_id_)
        note_evidence_removal(session, evidence_id=file.id, mediator_id=file.mediator_id,
                              sha256=file.sha256, entry_kind=file.entry_kind.value,
                              entry_id=file.entry_id)
    return file, Changes(record=True, mediators=frozenset({file.mediator_id}))


def _withdraw_removal(session: Session, file: EvidenceFile, shown: str) -> None:
    """The same document attached again to the same entry (it has the same id) after it
    was removed here: the removal's tombstone is withdrawn while no file has carried it,
    as for an undone delete. Once it has travelled, other laptops remove the file on
    their next import whatever this one holds, so attaching it again is refused with a
    way forward (the file, changed at all, is a new attachment)."""
    from sendobserve.pki.controls import EVIDENCE
    from sendobserve.storage.exchange_controls import note_restored, tombstone_sent, tombstones

    held = tombstones(session, keys=[(EVIDENCE, file.id)]).get((EVIDENCE, file.id))
    if held is None:
        return
    if not tombstone_sent(session, EVIDENCE, file.id):
        note_restored(session, EVIDENCE, file.id)
        return
    raise UserError(
        f"{shown} was removed from this {ENTRY_WORDS[file.entry_kind]} on "
        f"{day_text(held.deleted_at)} and that removal has already gone to other laptops, "
        "which will go on removing this exact file; nothing was attached.",
        hint="Attach a new scan or a re-saved copy of the document: a different file is a "
        "new attachment that travels.")


def find_entry(store: Sessions, mediator_id: uuid.UUID, prefix: str) -> Entry:
    """One of the mediator's entries from the start of its id, as the list shows it."""
    wanted = prefix.strip().lower().replace("-", "")
    if not wanted:
        raise UserError("Give the entry's id, as `sendobserve evidence list` shows it.")
    found = [e for e in entries(store, mediator_id) if e.id.hex.startswith(wanted)]
    if not found:
        raise UserError(f"This mediator has no training, CPD or case entry with an id "
                        f"starting {prefix!r}.",
                        hint="`sendobserve evidence list NAME` shows the entries.")
    if len(found) > 1:
        raise UserError(f"{len(found)} entries have an id starting {prefix!r}; give more of it.")
    return found[0]


def files_of_entry(store: Sessions, entry_kind: EntryKind, entry_id: uuid.UUID
                   ) -> list[EvidenceFile]:
    """The files attached to one entry, oldest first (without content)."""
    from sendobserve.storage import evidence as stored

    with store.session() as session:
        return stored.list_for_entry(session, entry_kind, entry_id)


def keep_for_undo(store: Sessions, entry_kind: EntryKind, entry_id: uuid.UUID
                  ) -> list[tuple[EvidenceFile, bytes]]:
    """The files of an entry about to be deleted, with their content, to put back on Undo."""
    from sendobserve.storage import evidence as stored

    with store.session() as session:
        return stored.files_of_entries(session, [(entry_kind, entry_id)])


def put_back(store: Sessions, files: list[tuple[EvidenceFile, bytes]]) -> Changes:
    """Put back files ``keep_for_undo`` kept (their entry is back), in one unit of work."""
    from sendobserve.storage import evidence as stored

    with store.session() as session:
        held = stored.held_ids(session, [f.id for f, _c in files])
        for file, content in files:
            if file.id not in held:
                stored.add_evidence(session, file, content)
    return Changes(record=True, mediators=frozenset(f.mediator_id for f, _c in files))
