"""Syncing a store with its organisation's hub: push what others in scope should have,
pull what was routed here, import it through the exchange layer. Qt-free.

- **What travels.** Per trainee, from one load of the record (``trainee_payloads``): a
  *record* bundle (the mediator's details, every case, every log record with their
  histories: a trainee with no finalised observation yet is shared too) and one bundle
  per finalised observation. Besides, one *control* bundle carries this store's signed
  control records (``CONTROL_RECORDS``: revocations today) to every member, whatever
  their trainee scope. Each is signed by this installation and encrypted to at most
  four members' exchange keys per object, with a random passphrase nobody keeps.
- **Push** is idempotent by content hash. The sealed bytes are first written to the
  outbox in the store, then uploaded; a retry after a dropped connection or a killed hub
  sends the *same* bytes, which the hub stores once. What reached whom is remembered by
  the digest of the content, so unchanged content is never sent twice and a change is.
- **Pull** follows the hub's cursor (commit order): each bundle is fetched, checked
  (SHA-256, signature, signer is a member vouched for by a trusted admin, the trainee is
  the one routed; a control bundle carries control records and nothing of any trainee)
  and imported with ``apply_import``, the same path as a file, in one transaction
  together with the new cursor, so a cut anywhere resumes exactly where it stopped, and
  importing twice changes nothing. A member the admin vouched for counts as a known
  signer, so its revocations apply: a revocation synced from the hub refuses what the
  revoked installation signs from then on, by hub or by file.
- **Nothing is deleted locally** because the hub says so: pull only ever adds or updates
  through the exchange rules (which keep conflicting versions), and the control records
  apply only through those rules, signed. A signed erasure record is applied only when
  its *signer* may erase here (``hub.erasure_sync``, ``storage.erasure_records``): the hub
  merely relays it.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from sendobserve.errors import UserError
from sendobserve.exchange.bundle import MAX_RECIPIENTS, MIN_LOG2_N, open_bundle, seal
from sendobserve.exchange.codec import ExportPayload, payload_json
from sendobserve.exchange.errors import ExchangeError
from sendobserve.hub import protocol, tls
from sendobserve.hub.client import HubClient, HubRefused
from sendobserve.hub.protocol import Member, Role
from sendobserve.model.domain import utcnow
from sendobserve.pki.canonical import canonical_json
from sendobserve.pki.identity import (
    Identity,
    exchange_public_key,
    load_or_create_exchange_key,
    load_or_create_identity,
)
from sendobserve.storage import hub_sync as records

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

    from sendobserve.storage.db import Store

_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
Progress = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class HubLink:
    url: str
    root_pem: bytes
    trusted_admins: tuple[str, ...]
    cursor: str  # the hub's pull cursor ("0": from the start)
    last_synced_at: datetime | None
    last_error: str | None


@dataclass(slots=True)
class SyncResult:
    uploaded: int = 0  # objects sent (a retry of an already stored one counts too)
    received: int = 0  # bundles pulled
    imported: int = 0  # bundles that added or changed something
    unchanged: int = 0
    refused: list[str] = field(default_factory=list)  # one line per refused bundle
    # The trainees an imported bundle added to or changed (open screens refresh them).
    mediators: set[uuid.UUID] = field(default_factory=set)
    finished_at: datetime | None = None
    erasures_sent: int = 0  # signed erasure records the hub acted on
    erasures_applied: int = 0  # erasure records from others applied here


    def summary(self) -> str:
        text = (f"sent {self.uploaded} bundle(s); received {self.received}: "
                f"{self.imported} imported, {self.unchanged} already here")
        if self.refused:
            text += f", {len(self.refused)} refused"
        if self.erasures_sent or self.erasures_applied:
            text += (f"; erasures: {self.erasures_sent} sent, {self.erasures_applied} "
                     "applied here")
        return text


def load_link(session: Session) -> HubLink | None:
    row = session.get(records.HubLinkRecord, 1)
    if row is None:
        return None
    return HubLink(row.url, row.root_pem.encode("ascii"), tuple(json.loads(row.trusted_admins)),
                   row.pull_cursor, row.last_synced_at, row.last_error)


def _link_row(session: Session) -> records.HubLinkRecord:
    row = session.get(records.HubLinkRecord, 1)
    if row is None:
        raise UserError("this installation is not linked to a hub",
                        hint="Run 'sendobserve hub join URL --root ROOT.pem --admin FP'.")
    return row


def hub_link(store: Store) -> HubLink | None:
    with store.session() as session:
        return load_link(session)


def _identity(session: Session) -> tuple[Identity, X25519PrivateKey]:
    from sendobserve.storage import exchange as stored

    keys = stored.StoredSigningKey(session)
    identity = load_or_create_identity(keys)
    return identity, load_or_create_exchange_key(keys)


def _name(session: Session, identity: Identity) -> str:
    from sendobserve.storage import exchange as stored

    return stored.identity_name(session) or f"installation {identity.fingerprint[:9]}"


def join(store: Store, url: str, root_pem: bytes, trusted_admins: Iterable[str], *,
         name: str | None = None) -> dict[str, Any]:
    """Link this store to a hub and ask to join. ``trusted_admins``: the admin
    fingerprints compared aloud (at least one). Returns the hub's view of this
    installation (status ``pending`` until an admin approves)."""
    from sendobserve.hub.client import check_url
    from sendobserve.storage import exchange as stored

    url = check_url(url)
    try:
        root = tls.root_from_pem(root_pem)
    except ValueError as exc:
        raise UserError(f"the organisation's root certificate: {exc}") from None
    admins = sorted({"".join(ch for ch in a.upper() if ch.isalnum()) for a in trusted_admins})
    if not admins or any(len(a) != 32 for a in admins):
        raise UserError("give the admin's fingerprint (eight groups of four characters), "
                        "as compared aloud with them")
    with store.session() as session:
        identity, exchange_key = _identity(session)
        if name and name.strip():
            stored.set_identity_name(session, name.strip())
        shown_name = _name(session, identity)
    with HubClient(url, root, identity) as client:
        answer = client.enrol(shown_name, exchange_public_key(exchange_key))
    with store.session() as session:
        row = session.get(records.HubLinkRecord, 1)
        if row is None:
            session.add(records.HubLinkRecord(
                slot=1, url=url, root_pem=root.decode("ascii"), trusted_admins=json.dumps(admins),
                pull_cursor="0", joined_at=utcnow()))
        else:
            if row.url != url:
                row.pull_cursor = "0"  # another hub's cursor means nothing here
            row.url, row.root_pem, row.trusted_admins = url, root.decode("ascii"), \
                json.dumps(admins)
    return answer


def client_for(store: Store) -> HubClient:
    with store.session() as session:
        link = load_link(session)
        if link is None:
            raise UserError("this installation is not linked to a hub",
                            hint="Run 'sendobserve hub join URL --root ROOT.pem --admin FP'.")
        identity, _ = _identity(session)
    return HubClient(link.url, link.root_pem, identity)


# ---------------------------------------------------------------------------------------
# Push

ControlReader = Callable[["Session"], tuple[Any, ...]]


def _revocations(session: Session) -> tuple[Any, ...]:
    from sendobserve.storage.exchange import revocations

    return tuple(r for _fp, r in sorted(revocations(session).items()))


CONTROL_RECORDS: dict[str, ControlReader] = {"revocations": _revocations}
"""The signed control records that go to every member, by ``ExportPayload`` field: the
field's name and what this store holds of that kind (sorted, so unchanged records give
the same content). A new kind plugs in by (1) its field on ``ExportPayload`` with the
codec, (2) its rule in ``exchange.apply.apply_import``, (3) one entry here. The hub needs
no change (it routes control bundles without opening them), and a control bundle that
carries any other field is refused on arrival."""

_PAYLOAD_FRAME = ("created_at", "exported_by", "schema")


def content_digest(payload: ExportPayload) -> str:
    """What makes two exports 'the same content': the payload without when and by whom,
    and without the erasure records it relays (they reach the hub by their own route; a
    new one must not make every observation look changed). An observation's bundle is
    told by its observation (with its marks, notes, amendments, case, observer, form and
    author's signature), not by the mediator's details it carries along: those are the
    record bundle's, so a change to them resends the record, not every observation."""
    normal = replace(payload, created_at=_EPOCH, exported_by="hub", erasures=())
    if payload.observations:
        normal = replace(normal, mediators=(), history=())
    # The canonical bytes, unchecked: this payload is sealed (and checked) only if sent.
    return hashlib.sha256(canonical_json(payload_json(normal))).hexdigest()


def control_payload(session: Session, exported_by: str) -> ExportPayload | None:
    """This store's control records as one payload with no trainee in it; None if none."""
    held: dict[str, Any] = {name: read(session) for name, read in CONTROL_RECORDS.items()}
    if not any(held.values()):
        return None
    return ExportPayload(created_at=utcnow(), exported_by=exported_by, mediators=(),
                         observers=(), cases=(), observations=(), **held)


def carries_only_control_records(payload: ExportPayload) -> bool:
    return all(not getattr(payload, f.name) for f in fields(payload)
               if f.name not in _PAYLOAD_FRAME and f.name not in CONTROL_RECORDS) \
        and any(getattr(payload, name) for name in CONTROL_RECORDS)


def _trainees(session: Session, scope: tuple[str, ...] | None) -> list[uuid.UUID]:
    """Every trainee in scope this store holds, with or without observations."""
    from sendobserve.storage.records import MediatorRecord

    ids = session.scalars(select(MediatorRecord.id).order_by(MediatorRecord.id)).all()
    return [i for i in ids if scope is None or i.hex in scope]


def _hub_payloads(session: Session, mediator_id: uuid.UUID, exported_by: str,
                  observation_ids: set[uuid.UUID] | None = None) -> list[ExportPayload]:
    """The record bundle's payload and each observation's (all, or ``observation_ids``),
    from one load of the record."""
    from sendobserve.exchange.export import trainee_payloads

    cut = trainee_payloads(session, mediator_id, exported_by=exported_by,
                           observation_ids=observation_ids)
    return [cut.record, *cut.observations.values()]


def _mark_sent(session: Session, digest: str, recipients: Iterable[str], sha256: str) -> None:
    for recipient in set(recipients):
        if session.get(records.HubSentRecord, (digest, recipient)) is None:
            session.add(records.HubSentRecord(digest=digest, recipient=recipient, sha256=sha256,
                                              sent_at=utcnow()))
    session.flush()


def _upload_outbox(store: Store, client: HubClient, result: SyncResult,
                   progress: Progress | None) -> None:
    with store.session() as session:
        waiting = [(r.sha256, r.digest, r.trainee, json.loads(r.recipients), bytes(r.data))
                   for r in session.scalars(select(records.HubOutboxRecord).order_by(
                       records.HubOutboxRecord.created_at))]
    for sha, digest, trainee, recipients, data in waiting:
        try:
            client.push(data, None if trainee is None else trainee.hex, recipients)
        except HubRefused as exc:
            # e.g. a recipient revoked since: seal again next time for whoever is left.
            result.refused.append(f"upload {sha[:12]}: {exc.reason}")
            with store.session() as session:
                session.execute(delete(records.HubOutboxRecord).where(
                    records.HubOutboxRecord.sha256 == sha))
            continue
        result.uploaded += 1
        with store.session() as session:
            _mark_sent(session, digest, recipients, sha)
            session.execute(delete(records.HubOutboxRecord).where(
                records.HubOutboxRecord.sha256 == sha))
        if progress:
            progress(f"Sent {result.uploaded} bundle(s)…")


def _directory(client: HubClient, link: HubLink, trainee: str | None,
               cache: dict[str | None, list[Member]]) -> list[Member]:
    """The trusted members who may see ``trainee``; with None, every trusted member."""
    if trainee not in cache:
        cache[trainee] = protocol.trusted_members(client.recipients(trainee),
                                                  link.trusted_admins, trainee)
    return cache[trainee]


def _seal_missing(session: Session, identity: Identity, payload: ExportPayload,
                  trainee: uuid.UUID | None, members: list[Member]) -> int:
    """Seal ``payload`` for the members it has not reached yet, into the outbox."""
    digest = content_digest(payload)
    done = set(session.scalars(select(records.HubSentRecord.recipient).where(
        records.HubSentRecord.digest == digest)))
    missing = [m for m in members if m.fingerprint not in done]
    for i in range(0, len(missing), MAX_RECIPIENTS):
        group = missing[i:i + MAX_RECIPIENTS]
        data = seal(payload, passphrase=secrets.token_urlsafe(32), signing_key=identity,
                    recipients=[m.exchange_key for m in group], kdf_log2_n=MIN_LOG2_N)
        session.add(records.HubOutboxRecord(
            sha256=hashlib.sha256(data).hexdigest(), digest=digest, trainee=trainee,
            recipients=json.dumps([m.fingerprint for m in group]), data=data,
            created_at=utcnow()))
    return len(missing)


def push(store: Store, client: HubClient, link: HubLink, me: dict[str, Any],
         result: SyncResult, directory: dict[str | None, list[Member]],
         progress: Progress | None = None) -> None:
    _upload_outbox(store, client, result, progress)  # what a cut left behind, same bytes
    if not Role(me["role"]).may_push:
        return
    own = me["fingerprint"]
    scope = None if Role(me["role"]).sees_all or me["trainees"] is None \
        else tuple(me["trainees"])
    with store.session() as session:
        identity, _ = _identity(session)
        exported_by = _name(session, identity)
        work = _trainees(session, scope)
        control = control_payload(session, exported_by)
    if control is not None:
        members = [m for m in _directory(client, link, None, directory)
                   if m.fingerprint != own]
        with store.session() as session:
            sealed = _seal_missing(session, identity, control, None, members)
        if sealed:
            _upload_outbox(store, client, result, progress)
    for mediator_id in work:
        members = [m for m in _directory(client, link, mediator_id.hex, directory)
                   if m.fingerprint != own]
        if not members:
            continue
        with store.session() as session:
            sealed = sum(_seal_missing(session, identity, payload, mediator_id, members)
                         for payload in _hub_payloads(session, mediator_id, exported_by))
        if sealed:  # sealed and committed: now send them (a cut leaves them queued)
            _upload_outbox(store, client, result, progress)


# ---------------------------------------------------------------------------------------
# Pull


def _check_opened(opened: Any, trainee: str | None, signer_ok: bool) -> str | None:
    if not signer_ok:
        return (f"signed by {opened.fingerprint}, which no trusted admin has approved"
                + ("" if trainee is None else " for this trainee"))
    payload = opened.payload
    if trainee is None:
        if not carries_only_control_records(payload):
            return "a bundle routed to every member carries more than control records"
        return None
    mediators = {m.id.hex for m in payload.mediators}
    observed = {o.mediator_id.hex for o in payload.observations}
    if mediators | observed != {trainee}:
        return "the bundle holds another trainee than the one it was routed for"
    return None


def pull(store: Store, client: HubClient, link: HubLink, me: dict[str, Any],
         result: SyncResult, directory: dict[str | None, list[Member]],
         progress: Progress | None = None, page: int = 100) -> None:
    with store.session() as session:
        identity, exchange_key = _identity(session)
        cursor = _link_row(session).pull_cursor
    own = me["fingerprint"]
    while True:
        answer = client.pull(cursor, page)
        items = answer["items"]
        for item in items:
            position, sha = str(item["cursor"]), str(item["sha256"])
            trainee = None if item["trainee"] is None else str(item["trainee"])
            with store.session() as session:
                seen = session.get(records.HubReceivedRecord, sha) is not None
            if seen:
                _advance(store, position)
                cursor = position
                continue
            data = client.fetch(sha)
            result.received += 1
            reason: str | None = None
            opened: Any = None
            signer: Member | None = None
            try:
                opened = open_bundle(data, recipient_key=exchange_key)
                members = _directory(client, link, trainee, directory)
                compact = protocol.compact_fingerprint(opened.signer_public_key)
                signer = next((m for m in members if m.fingerprint == compact
                               and m.public_key == opened.signer_public_key), None)
                reason = _check_opened(opened, trainee, compact == own or signer is not None)
            except ExchangeError as exc:
                reason = exc.message
            try:
                outcome = _receive(store, opened if reason is None else None, signer,
                                   identity, item, reason)
            except UserError as exc:  # refused by the import rules: rolled back, recorded
                reason = exc.message
                outcome = _receive(store, None, None, identity, item, reason)
            cursor = position
            if outcome == "refused":
                result.refused.append(f"bundle {sha[:12]}: {reason}")
            elif outcome == "imported":
                result.imported += 1
                result.mediators.update(m.id for m in opened.payload.mediators)
            else:
                result.unchanged += 1
            if progress:
                progress(f"Received {result.received} bundle(s)…")
        if str(answer["next"]) != cursor:  # items out of this installation's scope
            cursor = str(answer["next"])
            _advance(store, cursor)
        if not answer.get("more"):
            return


def _receive(store: Store, opened: Any, signer: Member | None, identity: Identity,
             item: dict[str, Any], reason: str | None) -> str:
    """Import ``opened`` (or record why not) with the new cursor, in one transaction."""
    from sendobserve.exchange.apply import apply_import
    from sendobserve.storage import exchange as stored

    seq, sha = int(item["seq"]), str(item["sha256"])
    trainee = None if item["trainee"] is None else str(item["trainee"])
    outcome = "refused"
    with store.session() as session:
        if opened is not None:
            if signer is not None:
                # A trusted admin signed this member's approval: as good as comparing its
                # fingerprint on a first file, so its control records apply here.
                stored.remember_signer(session, opened.fingerprint, signer.public_key,
                                       opened.payload.exported_by, utcnow())
            imported = apply_import(session, opened, own=identity)
            changed = imported.written and imported.preview.changes_store
            outcome = "imported" if changed else "unchanged"
            _mark_echo(session, opened.payload, identity,
                       [*item["recipients"], str(item["uploader"])], sha)
        session.add(records.HubReceivedRecord(
            sha256=sha, seq=seq, trainee=trainee, outcome=outcome, reason=reason,
            received_at=utcnow()))
        _link_row(session).pull_cursor = str(item["cursor"])
    return outcome


def _mark_echo(session: Session, incoming: ExportPayload, identity: Identity,
               holders: list[str], sha: str) -> None:
    """Never echo back what every holder of this bundle already has: where what this
    store would now send is the very content received, it has reached them all. Where
    the import merged in something of this store's own, it differs, and goes out."""
    from sendobserve.exchange.export import build_payload, trainee_payloads

    name = _name(session, identity)
    mine: ExportPayload | None
    try:
        if not incoming.mediators:
            mine = control_payload(session, name)
        elif incoming.observations:  # (push seals one observation per bundle)
            mine = replace(build_payload(
                session, incoming.mediators[0].id, exported_by=name,
                observation_ids={o.id for o in incoming.observations}), revocations=())
        else:
            mine = trainee_payloads(session, incoming.mediators[0].id, exported_by=name,
                                    observation_ids=()).record
    except ExchangeError:  # nothing of it to send from here: nothing to mark
        return
    wanted = content_digest(replace(incoming, revocations=()) if incoming.mediators
                            else incoming)
    if mine is not None and content_digest(mine) == wanted:
        _mark_sent(session, wanted, holders, sha)


def _advance(store: Store, cursor: str) -> None:
    with store.session() as session:
        _link_row(session).pull_cursor = cursor


# ---------------------------------------------------------------------------------------


def sync(store: Store, *, progress: Progress | None = None, page: int = 100) -> SyncResult:
    """One full sync: send, then receive. Raises ``HubUnreachable`` / ``HubRefused``
    (remembered as the link's last error); whatever finished before stays finished."""
    result = SyncResult()
    client = client_for(store)
    try:
        with store.session() as session:
            link = load_link(session)
        assert link is not None
        me = client.me()
        if me.get("status") != protocol.Status.APPROVED:
            raise UserError("this installation is waiting for the organisation's admin to "
                            "approve it", hint=f"Read this fingerprint to the admin: "
                            f"{protocol.spaced(me['fingerprint'])}")
        with store.session() as session:
            own_exchange = exchange_public_key(_identity(session)[1])
        if protocol.unb64(str(me["exchange_key"])) != own_exchange:
            raise UserError("the hub lists another exchange key for this installation than "
                            "its own; nothing was sent or received",
                            hint="Tell the organisation's admin: the hub may have been "
                            "tampered with.")
        _ensure_self_approval(client, me)
        directory: dict[str | None, list[Member]] = {}
        if progress:
            progress("Sending…")
        from sendobserve.hub import erasure_sync

        erasing = erasure_sync.ErasureSync()
        erasure_sync.send(store, client, erasing)
        push(store, client, link, me, result, directory, progress)
        if progress:
            progress("Receiving…")
        erasure_sync.receive(store, client, link.trusted_admins, erasing)
        result.erasures_sent, result.erasures_applied = erasing.sent, erasing.applied
        result.refused.extend(erasing.refused)
        pull(store, client, link, me, result, directory, progress, page)
    except UserError as exc:
        with store.session() as session:
            row = session.get(records.HubLinkRecord, 1)
            if row is not None:
                row.last_error = exc.message
        raise
    finally:
        client.close()
    result.finished_at = utcnow()
    with store.session() as session:
        row = _link_row(session)
        row.last_synced_at = result.finished_at
        row.last_error = None
    return result


def _ensure_self_approval(client: HubClient, me: dict[str, Any]) -> None:
    """The first admin (made so on the hub's host) signs its own approval once, binding
    its exchange key: members trust it by the fingerprint they compared, and then only
    the keys it signed."""
    if me.get("role") == Role.ADMIN and me.get("approved_by") != me["fingerprint"] \
            and me.get("status") == protocol.Status.APPROVED:
        _send_approval(client, me, me["fingerprint"], Role.ADMIN, None)


def approve(store: Store, fingerprint: str, role: Role, trainees: tuple[str, ...] | None
            ) -> dict[str, Any]:
    """Sign and send an approval (this installation must be an admin)."""
    compact = "".join(ch for ch in fingerprint.upper() if ch.isalnum())
    with client_for(store) as client:
        me = client.me()
        if compact != me["fingerprint"]:
            _ensure_self_approval(client, me)
        return _send_approval(client, me, compact, role, trainees)


def _send_approval(client: HubClient, me: dict[str, Any], compact: str, role: Role,
                   trainees: tuple[str, ...] | None) -> dict[str, Any]:
    wanted = [i for i in client.installations() if i["fingerprint"] == compact]
    if not wanted:
        raise UserError(f"no installation {protocol.spaced(compact)} has asked to join")
    entry = wanted[0]
    public_key = protocol.unb64(entry["public_key"], size=32)
    exchange_key = protocol.unb64(entry["exchange_key"], size=32)
    if protocol.compact_fingerprint(public_key) != compact or not \
            protocol.exchange_key_is_bound(public_key, exchange_key,
                                           protocol.unb64(entry["exchange_key_signature"])):
        raise UserError("the hub's entry for that installation is not signed by it; "
                        "nothing was approved", hint="The hub may have been tampered with.")
    approval = protocol.Approval(
        organisation=str(me["organisation"]),
        public_key=public_key,
        exchange_key=exchange_key,
        role=role, trainees=None if trainees is None else tuple(sorted(trainees)),
        approved_at=utcnow().isoformat(timespec="seconds"))
    return client.approve(approval.to_bytes(), approval.sign(client.identity))


# ---------------------------------------------------------------------------------------
# The admin's decisions


def installations(store: Store) -> list[dict[str, Any]]:
    """Everyone who asked to join, as the hub lists them (admin only)."""
    with client_for(store) as client:
        return client.installations()


def refuse(store: Store, fingerprint: str) -> dict[str, Any]:
    """Turn down a pending request to join: the hub refuses that installation from now
    on. It never was a member, so nothing of its is in anyone's records to revoke."""
    compact = "".join(ch for ch in fingerprint.upper() if ch.isalnum())
    with client_for(store) as client:
        wanted = [i for i in client.installations() if i["fingerprint"] == compact]
        if not wanted:
            raise UserError(f"no installation {protocol.spaced(compact)} has asked to join")
        if wanted[0]["status"] != protocol.Status.PENDING:
            raise UserError(f"{wanted[0]['name']} is not waiting for a decision "
                            f"({wanted[0]['status']}); revoke it instead")
        return client.revoke(compact)


def revoke(store: Store, fingerprint: str, reason: str) -> dict[str, Any]:
    """Revoke a member (a lost or retired laptop): the hub refuses it from now on, and
    this store records a signed revocation from this moment, which the next sync sends
    to every member as a control record. Wherever it arrives, whatever that installation
    signs from now on is refused, by hub or by file; what it signed before stays, marked.
    Nothing is removed from anyone's records."""
    from sendobserve.pki.identity import Revocation
    from sendobserve.storage import exchange as stored

    reason = reason.strip()
    if not reason:
        raise UserError("say why (for the record every member keeps), e.g. 'laptop lost'")
    compact = "".join(ch for ch in fingerprint.upper() if ch.isalnum())
    with client_for(store) as client:
        me = client.me()
        if compact == me["fingerprint"]:
            raise UserError("an admin cannot revoke itself (ask another admin)")
        wanted = [i for i in client.installations() if i["fingerprint"] == compact]
        if not wanted:
            raise UserError(f"no installation {protocol.spaced(compact)} is known to the hub")
        public_key = protocol.unb64(wanted[0]["public_key"], size=32)
        if protocol.compact_fingerprint(public_key) != compact:
            raise UserError("the hub's entry for that installation does not match its "
                            "fingerprint; nothing was revoked",
                            hint="The hub may have been tampered with.")
        answer = client.revoke(compact)
    with store.session() as session:
        identity, _ = _identity(session)
        stored.record_revocation(session, Revocation(
            public_key, utcnow(), reason, _name(session, identity)),
            recorded_by=identity.fingerprint, at=utcnow())
    return {**answer, "name": wanted[0]["name"]}
