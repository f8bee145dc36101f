"""Evidence files in the exchange: they travel with the whole record (export scope
``RECORD``), beside the training, CPD and case entries they are attached to.

In the payload (schema 2, section ``evidence``, written only when there is any, so a file
without evidence reads as before) each file is its details and its content in base64. The
decoder trusts nothing: the content is bounded before it is decoded (``MAX_FILE_BYTES``),
its SHA-256 must be the one given, its id must be the one derived from its entry and its
content (``model.evidence.evidence_id``), its type is checked by content exactly as when
it is attached, and the entry it names must travel in the same file.

An import adds a file not held here and leaves one held alone: the id is derived from the
entry and the content, so importing the same file twice, or the same document attached on
two laptops, is one record (idempotent, in any order). A file's details (its name, who
added it) never replace ours.

A removal travels: removing a file that has travelled (it, or its entry, left or entered
this store) signs a tombstone (``storage.exchange_controls.note_evidence_removal``, kind
``evidence``, base the content's SHA-256), carried like every other tombstone by whole
record and since-last files and the hub's record bundle. An import never adds a file a
tombstone held here, or accepted from the same file, covers (``plan_evidence``), and
``exchange.settle`` removes a held one. An evidence file is never edited, so its tombstone
cannot be in conflict: every store that has both ends without the file, in any order.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sendobserve.errors import UserError
from sendobserve.exchange.errors import ExchangeError
from sendobserve.model.evidence import (
    MAX_FILE_BYTES,
    MAX_NAME,
    EntryKind,
    EvidenceFile,
    EvidenceKind,
    check_content,
    content_sha256,
    evidence_id,
)

if TYPE_CHECKING:  # the codec reads files without the storage stack
    from sqlalchemy.orm import Session

FIELDS = ("id", "entry_kind", "entry_id", "kind", "name", "media_type", "sha256",
          "added_at", "added_by", "content")
MAX_FILES = 1000  # per exchange file; the content bound (64 MiB) comes first in practice
_MAX_BASE64 = (MAX_FILE_BYTES + 2) // 3 * 4


@dataclass(frozen=True, slots=True)
class EvidenceItem:
    """One evidence file as it travels: its details and its content."""

    file: EvidenceFile
    content: bytes


def item_json(item: EvidenceItem, timestamp: Callable[[Any], str]) -> dict[str, Any]:
    f = item.file
    return {
        "id": f.id.hex, "entry_kind": f.entry_kind.value, "entry_id": f.entry_id.hex,
        "kind": f.kind.value, "name": f.name, "media_type": f.media_type,
        "sha256": f.sha256, "added_at": timestamp(f.added_at), "added_by": f.added_by,
        "content": base64.b64encode(item.content).decode("ascii"),
    }


def read_item(o: Any, fail: Callable[[str, str], ExchangeError], *,
              mediator_of: Callable[[EntryKind, uuid.UUID], uuid.UUID | None]) -> EvidenceItem:
    """Read one file from a codec ``_Obj`` (fields already checked present); ``fail(path,
    what)`` makes the codec's error; ``mediator_of`` says whose entry it is in the file."""
    entry_kind = o.enum("entry_kind", EntryKind)
    entry_id = o.uuid("entry_id")
    raw = o.raw("content")
    if not isinstance(raw, str) or len(raw) > _MAX_BASE64:
        raise fail(o.at("content"), f"expected a file of at most {MAX_FILE_BYTES} bytes in "
                   "base64")
    try:
        content = base64.b64decode(raw.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise fail(o.at("content"), "expected base64 data") from None
    sha256 = o.text("sha256", 64)
    if content_sha256(content) != sha256:
        raise fail(o.at("sha256"), "is not the SHA-256 of the content")
    file_id = o.uuid("id")
    if file_id != evidence_id(entry_kind, entry_id, sha256):
        raise fail(o.at("id"), "is not the id of this content on this entry")
    try:
        media_type = check_content(content, "the file")
    except UserError as exc:
        raise fail(o.at("content"), exc.message.rstrip(".")) from None
    if o.raw("media_type") != media_type:
        raise fail(o.at("media_type"), f"the content is {media_type}")
    mediator_id = mediator_of(entry_kind, entry_id)
    if mediator_id is None:
        raise fail(o.at("entry_id"), f"refers to a {entry_kind.value} entry not in the file")
    return EvidenceItem(EvidenceFile(
        id=file_id, mediator_id=mediator_id, entry_kind=entry_kind, entry_id=entry_id,
        kind=o.enum("kind", EvidenceKind), name=o.text("name", MAX_NAME),
        media_type=media_type, size=len(content), sha256=sha256,
        added_at=o.moment("added_at"), added_by=o.text("added_by", MAX_NAME),
    ), content)


def items_for(session: Session, entries: Iterable[tuple[EntryKind, uuid.UUID]]
              ) -> tuple[EvidenceItem, ...]:
    """The evidence files attached to ``entries``, as they travel (an export)."""
    from sendobserve.storage import evidence as stored

    return tuple(EvidenceItem(f, content)
                 for f, content in stored.files_of_entries(session, list(entries)))


@dataclass(frozen=True, slots=True)
class EvidencePlan:
    new: tuple[EvidenceItem, ...]
    already_here: int

    @property
    def changes_store(self) -> bool:
        return bool(self.new)


def plan_evidence(session: Session, items: tuple[EvidenceItem, ...],
                  removed: Collection[uuid.UUID] = ()) -> EvidencePlan:
    """What an import adds: the files not held here and not ``removed`` (covered by a
    tombstone held here or accepted from the same file)."""
    from sendobserve.pki.controls import EVIDENCE
    from sendobserve.storage import evidence as stored
    from sendobserve.storage.exchange_controls import tombstones

    ids = [i.file.id for i in items]
    held = stored.held_ids(session, ids)
    gone = set(removed) | {rid for _k, rid in tombstones(
        session, keys=[(EVIDENCE, i) for i in ids])}
    new = tuple(i for i in items if i.file.id not in held and i.file.id not in gone)
    return EvidencePlan(new, len(items) - len(new))


def write_evidence(session: Session, plan: EvidencePlan) -> None:
    """Add the new files (after their entries are written, in the same transaction)."""
    from sendobserve.pki.controls import EVIDENCE
    from sendobserve.storage import evidence as stored
    from sendobserve.storage.exchange import remember_versions

    for item in plan.new:
        owner = stored.entry_owner(session, item.file.entry_kind, item.file.entry_id)
        if owner != item.file.mediator_id:  # pragma: no cover - entries never move trainee
            raise AssertionError("an evidence file's entry is not held for its trainee")
        stored.add_evidence(session, item.file, item.content)
        # It came from elsewhere: removing it here later must travel (a tombstone).
        remember_versions(session, EVIDENCE, item.file.id, [item.file.sha256])
