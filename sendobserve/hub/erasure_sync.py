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
from typing import TYPE_CHECKING

from sendobserve.hub.client import HubClient, HubRefused
from sendobserve.storage import erasure_records

if TYPE_CHECKING:
    from sendobserve.storage.db import Store

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
