"""Erasure through the hub, on the laptop's side: send the signed erasure records this
store holds (the hub drops the trainee's bundles), and receive the ones others sent.

A received record is applied with the store's own rule (``storage.erasure_records.
erasure_allowed``), where the hub's directory may vouch for the signer: a member whose
admin or PPC role an approval signed by an admin pinned here attests
(``protocol.trusted_members``), never the hub's word alone. Applying is the import's
transaction (the rows deleted, the record kept, the cursor moved), then
``complete_erasures`` truncates the log, vacuums and rewrites every backup.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sendobserve.hub import protocol
from sendobserve.hub.client import HubClient, HubRefused
from sendobserve.hub.protocol import Role
from sendobserve.pki.control import ControlRecord, ControlRecordError, ErasureRecord
from sendobserve.storage import erasure_records
from sendobserve.storage.meta import get_meta, set_meta

if TYPE_CHECKING:
    from sendobserve.storage.db import Store

CURSOR_KEY = "hub_erasure_cursor"


@dataclass(slots=True)
class ErasureSync:
    sent: int = 0
    applied: int = 0
    refused: list[str] = field(default_factory=list)


def send(store: Store, client: HubClient, outcome: ErasureSync) -> None:
    """Every erasure record held here that the hub has not acknowledged yet: this store's
    own (retried until the hub takes it) and those received in files (relayed once: the
    hub may not know their signer)."""
    with store.session() as session:
        waiting = [(r, erasure_records.received_from(session, r))
                   for r in erasure_records.not_sent_to_hub(session)]
    for record, relayed_from in waiting:
        try:
            client.send_erasure(record.to_json())
        except HubRefused as exc:  # e.g. made by a laptop the hub does not let erase
            if relayed_from is None:
                outcome.refused.append(f"erasure of {record.subject}: {exc.reason}")
                continue
            with store.session() as session:  # relayed once; the signer's own store retries
                erasure_records.mark_sent_to_hub(session, record)
            continue
        outcome.sent += 1
        with store.session() as session:
            erasure_records.mark_sent_to_hub(session, record)


def _vouched(client: HubClient, trusted_admins: tuple[str, ...], trainee: str) -> set[str]:
    try:
        members = client.recipients(trainee)
    except HubRefused:  # the trainee is outside this installation's scope
        return set()
    return {m.fingerprint for m in protocol.trusted_members(members, trusted_admins, trainee)
            if m.role in (Role.ADMIN, Role.PPC)}


def receive(store: Store, client: HubClient, trusted_admins: tuple[str, ...],
            outcome: ErasureSync) -> None:
    """Apply the erasure records the hub kept since this store last looked."""
    from sendobserve.storage.erasure import complete_erasures, erase_in_transaction

    with store.session() as session:
        cursor = int(get_meta(session, CURSOR_KEY) or 0)
    while True:
        answer = client.erasures(cursor)
        for item in answer["items"]:
            seq = int(item["seq"])
            record, reason = _read(item)
            with store.session() as session:
                if record is not None and not erasure_records.is_held(session, record):
                    verdict = erasure_records.erasure_allowed(
                        session, record,
                        vouched=_vouched(client, trusted_admins, record.trainee))
                    if verdict.allowed:
                        erasure_records.hold(session, record,
                                             received_from=record.fingerprint)
                        erasure_records.mark_sent_to_hub(session, record)  # it came from there
                        erase_in_transaction(session, record.subject,
                                             keep_certificates=not record.certificates)
                        outcome.applied += 1
                    else:
                        reason = verdict.reason
                if reason is not None:
                    outcome.refused.append(f"erasure record {seq}: {reason}")
                set_meta(session, CURSOR_KEY, str(seq))
            cursor = seq
        if not answer.get("more"):
            break
    if outcome.applied:
        complete_erasures(store)


def _read(item: dict[str, Any]) -> tuple[ErasureRecord | None, str | None]:
    try:
        record = ErasureRecord.read(ControlRecord.from_json(
            {"statement": item["statement"], "signature": item["signature"]}))
    except (ControlRecordError, KeyError) as exc:
        return None, f"not a signed erasure record ({exc})"
    if record.trainee != item.get("trainee"):
        return None, "the hub lists it for another trainee than the record names"
    return record, None
