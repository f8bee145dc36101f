"""The hub service: a Starlette app over the hub's PostgreSQL database. Stateless: any
number of processes can serve one database (every fact is in PostgreSQL).

Every route but ``/healthz`` needs a signed request (``protocol``). Routes::

    GET  /healthz                       200 when the database answers, else 503
    POST /v1/enrol                      ask to join (an unknown key may call this)
    GET  /v1/me                         this installation's status, role and scope
    GET  /v1/installations              admin: everyone who asked, with status
    POST /v1/approve                    admin: a signed approval statement
    POST /v1/revoke                     admin: refuse an installation from now on
    GET  /v1/recipients?trainee=ID      approved members who may see that trainee
    GET  /v1/recipients                 every approved member (for control records)
    PUT  /v1/objects/SHA256?trainee=ID&to=FP…   store a bundle, route it (idempotent)
    PUT  /v1/objects/SHA256?to=FP…      store a control record, route it to members
    GET  /v1/pull?after=CURSOR&limit=N  what was routed to me after the cursor
    GET  /v1/objects/SHA256             the bytes, if routed to me or uploaded by me
    POST /v1/erasures                   a signed erasure record: drop that trainee's bundles
    GET  /v1/erasures?after=SEQ         the erasure records kept (``hub.erasures``)

**Routing.** A bundle names its trainee and goes to members whose scope includes it. A
*control record* (a signed exchange file carrying only revocations, tombstones,
erasures…: no trainee's record) names no trainee and may go to any approved member;
the hub cannot tell the kinds apart (it never decrypts), and does not need to: each
laptop checks the signer and applies the records through the import rules.

**Commit order without a lock.** Pushes run concurrently. Each route row carries its
transaction's id (``commit_order``, see ``schema``); a pull returns rows in
``(commit_order, seq)`` order, only those below the oldest transaction still running.
Every transaction below that horizon has finished, so no route can later appear behind
a cursor that has passed it; a route committed meanwhile shows on the next pull.

The hub never decrypts: it checks sizes, hashes, signatures of requests and approvals,
roles and scopes, and stores what it is given byte for byte.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, Row, and_, func, or_, select, text, tuple_
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import DBAPIError
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sendobserve.hub import database, protocol
from sendobserve.hub import erasures as hub_erasures
from sendobserve.hub.protocol import Approval, AuthError, Role, Status, b64, unb64
from sendobserve.hub.schema import installations, objects, request_nonces, routes

_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_TRAINEE = re.compile(r"^[0-9a-f]{32}$")
_FINGERPRINT = re.compile(r"^[A-Z2-7]{32}$")
_CURSOR = re.compile(r"^(\d{1,19})\.(\d{1,19})$")
MAX_PULL = 500


def cursor_text(commit_order: int, seq: int) -> str:
    return f"{commit_order}.{seq}"


def parse_cursor(text_: str) -> tuple[int, int]:
    """A pull cursor: ``"0"`` (from the start) or ``"ORDER.SEQ"`` as the hub gave it."""
    if text_ == "0":
        return (0, 0)
    found = _CURSOR.match(text_)
    if found is None:
        raise HubError(400, "the pull cursor is not one this hub gave (an older version's? "
                            "update sendobserve on this computer)")
    return int(found.group(1)), int(found.group(2))


class HubError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True, slots=True)
class Caller:
    fingerprint: str
    public_key: bytes
    row: Row[Any] | None

    @property
    def role(self) -> Role:
        assert self.row is not None and self.row.role is not None
        return Role(self.row.role)

    def may_see(self, trainee: str | None) -> bool:
        return _may_see(self.row, trainee)


def _may_see(row: Row[Any] | None, trainee: str | None) -> bool:
    """``trainee`` None: a control record, for every approved member."""
    if row is None or row.status != Status.APPROVED or row.role is None:
        return False
    if trainee is None or Role(row.role).sees_all or row.trainees is None:
        return True
    return trainee in row.trainees


def _now() -> datetime:
    return datetime.now(UTC)


class Hub:
    """The service's logic, synchronous (run on Starlette's thread pool)."""

    def __init__(self, engine: Engine, organisation: str):
        self.engine = engine
        self.organisation = organisation

    # -- authentication ------------------------------------------------------------------

    def authenticate(self, conn: Connection, headers: Mapping[str, str], method: str,
                     path: str, body: bytes, *, allow_unknown: bool = False,
                     allow_pending: bool = False) -> Caller:
        """The caller, with its nonce recorded in ``conn``'s transaction: the request's own,
        so a request that fails leaves no trace and one that succeeds cannot be replayed."""
        try:
            signed = protocol.check_request(headers, method, path, body)
        except AuthError as exc:
            raise HubError(401, str(exc)) from None
        fp = signed.fingerprint
        fresh = conn.execute(insert(request_nonces).values(
            fingerprint=fp, nonce=signed.nonce, seen_at=_now()
        ).on_conflict_do_nothing().returning(request_nonces.c.nonce)).first()
        if fresh is None:
            raise HubError(401, "replayed request refused (this nonce was already used)")
        if random.random() < 0.01:  # keep the table small; expired nonces are useless
            cutoff = _now() - timedelta(seconds=3 * protocol.MAX_CLOCK_SKEW)
            conn.execute(request_nonces.delete().where(request_nonces.c.seen_at < cutoff))
        row = conn.execute(select(installations).where(
            installations.c.fingerprint == fp)).first()
        if row is None:
            if allow_unknown:
                return Caller(fp, signed.public_key, None)
            raise HubError(403, "this installation is not enrolled with the hub "
                                "(run 'sendobserve hub join')")
        if row.status == Status.REVOKED:
            raise HubError(403, "this installation was revoked by the organisation")
        if row.status == Status.PENDING and not (allow_pending or allow_unknown):
            raise HubError(403, "this installation is waiting for an admin's approval")
        return Caller(fp, signed.public_key, row)

    @staticmethod
    def _require_admin(caller: Caller) -> None:
        if caller.row is None or caller.row.status != Status.APPROVED \
                or caller.role is not Role.ADMIN:
            raise HubError(403, "only an admin installation may do this")

    # -- enrolment -----------------------------------------------------------------------

    def enrol(self, conn: Connection, caller: Caller, body: Mapping[str, Any]) -> dict[str, Any]:
        try:
            name = str(body["name"]).strip()[:200]
            exchange_key = unb64(str(body["exchange_key"]), size=32)
            binding = unb64(str(body["binding"]), size=64)
        except (KeyError, ValueError):
            raise HubError(400, "an enrolment needs a name, a 32-byte exchange key and its "
                                "signature") from None
        if not protocol.exchange_key_is_bound(caller.public_key, exchange_key, binding):
            raise HubError(400, "the exchange key is not signed by this installation")
        if not name:
            raise HubError(400, "an enrolment needs a name")
        if caller.row is None:
            conn.execute(insert(installations).values(
                fingerprint=caller.fingerprint, public_key=caller.public_key,
                exchange_key=exchange_key, exchange_key_signature=binding, name=name,
                status=Status.PENDING,
                requested_at=_now()).on_conflict_do_nothing())
        row = conn.execute(select(installations).where(
            installations.c.fingerprint == caller.fingerprint)).one()
        return self._describe(row)

    def _describe(self, row: Row[Any]) -> dict[str, Any]:
        return {
            "fingerprint": row.fingerprint, "name": row.name, "status": row.status,
            "role": row.role, "trainees": row.trainees, "organisation": self.organisation,
            "public_key": b64(row.public_key), "exchange_key": b64(row.exchange_key),
            "exchange_key_signature": b64(row.exchange_key_signature),
            "requested_at": row.requested_at.isoformat(), "approved_by": row.approved_by,
        }

    def me(self, caller: Caller) -> dict[str, Any]:
        assert caller.row is not None
        return self._describe(caller.row)

    def list_installations(self, conn: Connection, caller: Caller) -> dict[str, Any]:
        self._require_admin(caller)
        rows = conn.execute(select(installations).order_by(
            installations.c.requested_at)).all()
        return {"installations": [self._describe(r) for r in rows]}

    def approve(self, conn: Connection, caller: Caller, body: Mapping[str, Any]) -> dict[str, Any]:
        self._require_admin(caller)
        try:
            statement = unb64(str(body["approval"]))
            signature = unb64(str(body["signature"]), size=64)
            approval = Approval.from_bytes(statement)
        except (KeyError, ValueError):
            raise HubError(400, "not a signed approval statement") from None
        if not protocol.approval_is_signed_by(statement, signature, caller.public_key):
            raise HubError(400, "the approval is not signed by this admin")
        if approval.organisation != self.organisation:
            raise HubError(400, f"the approval is for {approval.organisation!r}, "
                                f"not this hub's organisation {self.organisation!r}")
        if approval.trainees is not None and not all(_TRAINEE.match(t)
                                                     for t in approval.trainees):
            raise HubError(400, "a trainee id in the approval is not a mediator id")
        fp = protocol.compact_fingerprint(approval.public_key)
        row = conn.execute(select(installations).where(
            installations.c.fingerprint == fp).with_for_update()).first()
        if row is None:
            raise HubError(404, "no such installation has asked to join")
        if row.status == Status.REVOKED:
            raise HubError(409, "that installation was revoked; it must enrol again "
                                "with a new identity")
        if bytes(row.exchange_key) != approval.exchange_key:
            raise HubError(409, "the approval names another exchange key than the one "
                                "the installation enrolled with")
        conn.execute(installations.update().where(installations.c.fingerprint == fp).values(
            status=Status.APPROVED, role=approval.role.value,
            trainees=None if approval.trainees is None else list(approval.trainees),
            approval=statement, approval_signature=signature,
            approved_by=caller.fingerprint, decided_at=_now()))
        row = conn.execute(select(installations).where(
            installations.c.fingerprint == fp)).one()
        return self._describe(row)

    def revoke(self, conn: Connection, caller: Caller, body: Mapping[str, Any]) -> dict[str, Any]:
        self._require_admin(caller)
        fp = "".join(ch for ch in str(body.get("fingerprint", "")).upper() if ch.isalnum())
        if fp == caller.fingerprint:
            raise HubError(400, "an admin cannot revoke itself (ask another admin)")
        done = conn.execute(installations.update().where(
            installations.c.fingerprint == fp).values(
            status=Status.REVOKED, decided_at=_now()).returning(installations.c.name)).first()
        if done is None:
            raise HubError(404, "no such installation")
        return {"fingerprint": fp, "status": Status.REVOKED.value}

    # -- routing -------------------------------------------------------------------------

    def _members(self, conn: Connection, trainee: str | None) -> list[Row[Any]]:
        rows = conn.execute(select(installations).where(
            installations.c.status == Status.APPROVED)).all()
        return [r for r in rows if _may_see(r, trainee)]

    def recipients(self, conn: Connection, caller: Caller, trainee: str | None
                   ) -> dict[str, Any]:
        """Who may see ``trainee``; with None, every approved member."""
        if trainee is not None and not _TRAINEE.match(trainee):
            raise HubError(400, "trainee must be a mediator id (32 hex digits)")
        if not caller.may_see(trainee):
            raise HubError(403, "this trainee is outside this installation's scope")
        admins: dict[str, bytes] = {}
        members = self._members(conn, trainee)
        approvers = {r.approved_by for r in members if r.approved_by}
        if approvers:
            admins = {r.fingerprint: bytes(r.public_key) for r in conn.execute(
                select(installations.c.fingerprint, installations.c.public_key).where(
                    installations.c.fingerprint.in_(approvers)))}
        return {"trainee": trainee, "members": [{
            "fingerprint": r.fingerprint, "name": r.name, "role": r.role,
            "public_key": b64(r.public_key), "exchange_key": b64(r.exchange_key),
            "approval": None if r.approval is None else b64(r.approval),
            "approval_signature": None if r.approval_signature is None
            else b64(r.approval_signature),
            "approved_by": b64(admins[r.approved_by]) if r.approved_by in admins else None,
        } for r in members]}

    def push(self, conn: Connection, caller: Caller, sha256: str, trainee: str | None,
             to: list[str], body: bytes) -> dict[str, Any]:
        """Store ``body`` once and route it to ``to``: for ``trainee``, to members who may
        see it; for None (a control record), to any approved member."""
        if not _SHA256.match(sha256):
            raise HubError(400, "an object is named by its SHA-256 (64 lowercase hex digits)")
        if trainee is not None and not _TRAINEE.match(trainee):
            raise HubError(400, "trainee must be a mediator id (32 hex digits)")
        if not to or len(to) > 64 or not all(_FINGERPRINT.match(t) for t in to):
            raise HubError(400, "name the recipients by their fingerprints")
        if not caller.role.may_push:
            raise HubError(403, "a read-only installation cannot upload")
        if not caller.may_see(trainee):
            raise HubError(403, "this trainee is outside this installation's scope")
        if hashlib.sha256(body).hexdigest() != sha256:
            raise HubError(400, "the upload's bytes do not match its SHA-256 (cut short?)")
        hub_erasures.guard_push(conn, trainee)
        members = {r.fingerprint for r in self._members(conn, trainee)}
        outside = sorted(set(to) - members)
        if outside:
            raise HubError(403, "recipient(s) not enrolled or outside the trainee's scope: "
                           + ", ".join(protocol.spaced(t) for t in outside)
                           if trainee is not None else
                           "recipient(s) not approved members: "
                           + ", ".join(protocol.spaced(t) for t in outside))
        new_object = conn.execute(insert(objects).values(
            sha256=sha256, size=len(body), data=body, uploaded_by=caller.fingerprint,
            trainee=trainee, created_at=_now()
        ).on_conflict_do_nothing().returning(objects.c.sha256)).first() is not None
        if not new_object:
            existing = conn.execute(select(objects.c.trainee).where(
                objects.c.sha256 == sha256)).scalar_one()
            if existing != trainee:
                raise HubError(409, "this object is already stored for another trainee")
        now = _now()  # no lock: commit_order and the pull horizon keep the order
        added = conn.execute(insert(routes).values([
            {"sha256": sha256, "recipient": r, "trainee": trainee, "created_at": now}
            for r in sorted(set(to))
        ]).on_conflict_do_nothing().returning(routes.c.seq)).all()
        return {"sha256": sha256, "new_object": new_object, "new_routes": len(added)}

    def pull(self, conn: Connection, caller: Caller, after: str, limit: int) -> dict[str, Any]:
        """Routes to the caller after the cursor ``after`` (``"ORDER.SEQ"``, or ``"0"``),
        in commit order, up to the horizon below which every transaction has finished."""
        position = parse_cursor(after)
        limit = max(1, min(limit, MAX_PULL))
        rows = conn.execute(
            select(routes.c.seq, routes.c.commit_order, routes.c.sha256, routes.c.trainee,
                   objects.c.uploaded_by, objects.c.size)
            .join(objects, objects.c.sha256 == routes.c.sha256)
            .where(and_(routes.c.recipient == caller.fingerprint,
                        tuple_(routes.c.commit_order, routes.c.seq) > tuple_(*position),
                        routes.c.commit_order < func.hub_pull_horizon()))
            .order_by(routes.c.commit_order, routes.c.seq).limit(limit + 1)).all()
        more = len(rows) > limit
        rows = rows[:limit]
        shas = sorted({r.sha256 for r in rows})
        recipients: dict[str, list[str]] = {}
        if shas:
            for sha, recipient in conn.execute(
                    select(routes.c.sha256, routes.c.recipient).where(
                        routes.c.sha256.in_(shas)).order_by(routes.c.recipient)):
                recipients.setdefault(sha, []).append(recipient)
        items = [{"cursor": cursor_text(r.commit_order, r.seq), "seq": r.seq,
                  "sha256": r.sha256, "trainee": r.trainee, "uploader": r.uploaded_by,
                  "size": r.size, "recipients": recipients.get(r.sha256, [])}
                 for r in rows if caller.may_see(r.trainee)]
        last = cursor_text(rows[-1].commit_order, rows[-1].seq) if rows else after
        return {"items": items, "next": last, "more": more}

    def fetch(self, conn: Connection, caller: Caller, sha256: str) -> bytes:
        if not _SHA256.match(sha256):
            raise HubError(400, "an object is named by its SHA-256")
        row = conn.execute(select(objects.c.data, objects.c.trainee).where(and_(
            objects.c.sha256 == sha256,
            or_(objects.c.uploaded_by == caller.fingerprint,
                select(func.count()).select_from(routes).where(and_(
                    routes.c.sha256 == sha256,
                    routes.c.recipient == caller.fingerprint)).scalar_subquery() > 0)))
        ).first()
        if row is None or not caller.may_see(row.trainee):
            raise HubError(404, "no such object for this installation")
        return bytes(row.data)

    def healthy(self) -> bool:
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except DBAPIError:
            return False
        return True


# ---------------------------------------------------------------------------------------
# HTTP


def _path(request: Request) -> str:
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


async def _read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise HubError(413, "the upload is larger than the hub accepts")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise HubError(413, "the upload is larger than the hub accepts")
        chunks.append(chunk)
    return b"".join(chunks)


def _json(body: bytes) -> dict[str, Any]:
    try:
        value = json.loads(body or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise HubError(400, "the request body is not JSON") from None
    if not isinstance(value, dict):
        raise HubError(400, "the request body is not a JSON object")
    return value


Handler = Callable[[Request], Awaitable[Response]]


def _whole_number(request: Request, name: str, default: str) -> int:
    """The query parameter ``name`` as a whole number; a 400 that names it if not."""
    try:
        return int(request.query_params.get(name, default))
    except ValueError:
        raise HubError(400, f"{name} is a whole number") from None


def create_app(engine: Engine, organisation: str) -> Starlette:
    hub = Hub(engine, organisation)
    Work = Callable[[Connection, Request, bytes], Any]

    def endpoint(work: Work, *, limit: int = protocol.MAX_JSON_BYTES,
                 reads_only: bool = False) -> Handler:
        """One request = one transaction: the nonce, the checks and the change commit (or
        roll back) together. A read's transaction only records its nonce, so it does not
        wait for the disk (losing that nonce in a crash would allow replaying a read)."""
        def run(request: Request, body: bytes) -> Any:
            with engine.begin() as conn:
                if reads_only:
                    conn.execute(text("SET LOCAL synchronous_commit TO OFF"))
                return work(conn, request, body)

        async def handle(request: Request) -> Response:
            try:
                body = await _read_body(request, limit)
                result = await run_in_threadpool(run, request, body)
            except HubError as exc:
                return JSONResponse({"error": exc.message}, status_code=exc.status)
            except DBAPIError:
                return JSONResponse({"error": "the hub's database is unavailable; try again"},
                                    status_code=503)
            if isinstance(result, bytes):
                return Response(result, media_type="application/octet-stream")
            return JSONResponse(result)
        return handle

    def auth(conn: Connection, request: Request, body: bytes, **kwargs: bool) -> Caller:
        return hub.authenticate(conn, request.headers, request.method, _path(request), body,
                                **kwargs)

    def enrol(conn: Connection, request: Request, body: bytes) -> dict[str, Any]:
        return hub.enrol(conn, auth(conn, request, body, allow_unknown=True), _json(body))

    def me(conn: Connection, request: Request, body: bytes) -> dict[str, Any]:
        return hub.me(auth(conn, request, body, allow_pending=True))

    def listing(conn: Connection, request: Request, body: bytes) -> dict[str, Any]:
        return hub.list_installations(conn, auth(conn, request, body))

    def approve(conn: Connection, request: Request, body: bytes) -> dict[str, Any]:
        return hub.approve(conn, auth(conn, request, body), _json(body))

    def revoke(conn: Connection, request: Request, body: bytes) -> dict[str, Any]:
        return hub.revoke(conn, auth(conn, request, body), _json(body))

    def recipients(conn: Connection, request: Request, body: bytes) -> dict[str, Any]:
        return hub.recipients(conn, auth(conn, request, body),
                              request.query_params.get("trainee"))

    def push(conn: Connection, request: Request, body: bytes) -> dict[str, Any]:
        caller = auth(conn, request, body)
        return hub.push(conn, caller, request.path_params["sha256"],
                        request.query_params.get("trainee"),
                        request.query_params.getlist("to"), body)

    def fetch(conn: Connection, request: Request, body: bytes) -> bytes:
        return hub.fetch(conn, auth(conn, request, body), request.path_params["sha256"])

    def pull(conn: Connection, request: Request, body: bytes) -> dict[str, Any]:
        caller = auth(conn, request, body)
        return hub.pull(conn, caller, request.query_params.get("after", "0"),
                        _whole_number(request, "limit", "100"))

    def erase(conn: Connection, request: Request, body: bytes) -> dict[str, Any]:
        return hub_erasures.act_on(conn, auth(conn, request, body), _json(body))

    def erasure_list(conn: Connection, request: Request, body: bytes) -> dict[str, Any]:
        caller = auth(conn, request, body)
        return hub_erasures.listing(conn, caller, _whole_number(request, "after", "0"))

    async def healthz(request: Request) -> Response:
        ok = await run_in_threadpool(hub.healthy)
        return JSONResponse({"status": "ok" if ok else "database unavailable",
                             "organisation": organisation}, status_code=200 if ok else 503)

    return Starlette(routes=[
        Route("/healthz", healthz, methods=["GET"]),
        Route("/v1/enrol", endpoint(enrol), methods=["POST"]),
        Route("/v1/me", endpoint(me, reads_only=True), methods=["GET"]),
        Route("/v1/installations", endpoint(listing, reads_only=True), methods=["GET"]),
        Route("/v1/approve", endpoint(approve), methods=["POST"]),
        Route("/v1/revoke", endpoint(revoke), methods=["POST"]),
        Route("/v1/recipients", endpoint(recipients, reads_only=True), methods=["GET"]),
        Route("/v1/pull", endpoint(pull, reads_only=True), methods=["GET"]),
        Route("/v1/objects/{sha256}", endpoint(push, limit=protocol.MAX_OBJECT_BYTES),
              methods=["PUT"]),
        Route("/v1/objects/{sha256}", endpoint(fetch, reads_only=True), methods=["GET"]),
        Route("/v1/erasures", endpoint(erase), methods=["POST"]),
        Route("/v1/erasures", endpoint(erasure_list, reads_only=True), methods=["GET"]),
    ])


def serve(database_url: str, *, host: str, port: int, certificate: str | None,
          key: str | None, pool_size: int = 10) -> None:
    """Run one hub process until it is stopped (SIGTERM / Ctrl+C)."""
    import uvicorn

    engine = database.connect(database_url, pool_size=pool_size)
    organisation = database.prepare_to_serve(engine)
    app = create_app(engine, organisation)
    config = uvicorn.Config(app, host=host, port=port, ssl_certfile=certificate,
                            ssl_keyfile=key, log_level="warning", access_log=False,
                            timeout_graceful_shutdown=5)
    uvicorn.Server(config).run()
