"""This installation and the organisation's hub: join, sync, the admin's decisions, the
hub's certificate (Qt-free).

``sendobserve hub join|status|installations|approve|revoke|certificate`` and ``sendobserve
sync`` call these; the app's hub sync (``ui/exchange/hub_sync``) calls the same
``sync_with_hub``. The protocol and its rules are ``sendobserve.hub.sync``'s; this module
only opens the store's side of them and says what each write changed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from sendobserve.services import Done
from sendobserve.services.changes import NOTHING, Changes

if TYPE_CHECKING:
    from sendobserve.hub.protocol import Role
    from sendobserve.hub.sync import HubLink, SyncResult
    from sendobserve.hub.tls import ServerCertificate
    from sendobserve.storage.db import Store


def join(store: Store, url: str, root_pem: bytes, admins: Iterable[str], *,
         name: str | None = None) -> Done[dict[str, Any]]:
    """Link this store to the hub at ``url`` (its root pinned, the admins' fingerprints
    as compared aloud) and ask to join; the value is the hub's view of this installation
    (``pending`` until an admin approves). The link and the name are store settings."""
    from sendobserve.hub import sync

    return Done(sync.join(store, url, root_pem, admins, name=name), Changes(settings=True))


def link(store: Store) -> HubLink | None:
    """The hub this store is linked to, when it last synced and the last error; None if
    it is not linked. Reads only (no network)."""
    from sendobserve.hub import sync

    return sync.hub_link(store)


def me(store: Store) -> dict[str, Any]:
    """The hub's view of this installation: organisation, name, status, role, scope."""
    from sendobserve.hub import sync

    with sync.client_for(store) as client:
        return client.me()


def installations(store: Store) -> list[dict[str, Any]]:
    """Everyone who asked to join, as the hub lists them (admin only)."""
    from sendobserve.hub import sync

    return sync.installations(store)


def trainee_ids(store: Store, names_or_ids: Iterable[str]) -> tuple[str, ...]:
    """The hub's ids (hex) of the trainees a person named, sorted, each once."""
    from sendobserve.services.people import resolve_mediator

    return tuple(sorted({resolve_mediator(store, t).id.hex for t in names_or_ids}))


def approve(store: Store, fingerprint: str, role: Role, trainees: tuple[str, ...] | None
            ) -> dict[str, Any]:
    """Approve an installation with a role and the trainees (hub ids) it may see, or
    every trainee (None). The decision is the hub's: nothing in this store changes."""
    from sendobserve.hub import sync

    return sync.approve(store, fingerprint, role, trainees)


def refuse_or_revoke(store: Store, fingerprint: str, reason: str) -> Done[bool]:
    """Turn down a pending request (value False), or revoke a member (value True): the
    hub refuses it from now on, and this store keeps a signed revocation that its next
    sync sends to every member."""
    from sendobserve.hub import sync

    compact = "".join(ch for ch in fingerprint.upper() if ch.isalnum())
    listed = {i["fingerprint"]: i for i in sync.installations(store)}
    if compact in listed and listed[compact]["status"] == "pending":
        sync.refuse(store, compact)
        return Done(False, NOTHING)
    sync.revoke(store, compact, reason)
    return Done(True, Changes(trust=True))


def sync_with_hub(store: Store, *, progress: Callable[[str], None] | None = None
                  ) -> Done[SyncResult]:
    """Send, then receive, through the organisation's hub; what was imported names its
    trainees (anything in their record may have changed)."""
    from sendobserve.hub.sync import sync

    result = sync(store, progress=progress)
    if not result.imported:
        return Done(result, NOTHING)
    return Done(result, Changes(people=True, cases=True, observations=True, marks=True,
                                record=True, trust=True, forms=True,
                                mediators=frozenset(result.mediators)))


def server_certificate(store: Store, hosts: Iterable[str], *,
                       organisation: str | None = None) -> ServerCertificate:
    """The hub's HTTPS certificate for ``hosts``, issued by the organisation's root kept
    in this store (created on first use, named ``organisation``)."""
    from sendobserve.hub.tls import issue_server_certificate
    from sendobserve.services.documents import ensure_signing_root

    return issue_server_certificate(ensure_signing_root(store, organisation), list(hosts))


__all__ = ["approve", "installations", "join", "link", "me", "refuse_or_revoke",
           "server_certificate", "sync_with_hub", "trainee_ids"]
