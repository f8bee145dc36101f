"""Signed requests and approvals, without a hub: what is accepted and what is refused."""

from __future__ import annotations

import dataclasses
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sendobserve.hub import protocol
from sendobserve.hub.protocol import Approval, AuthError, Member, Role
from sendobserve.pki.identity import Identity

ALICE = Identity.generate()
NOW = 1_800_000_000


def _headers(method: str = "PUT", path: str = "/v1/objects/ab?to=X", body: bytes = b"data"
             ) -> dict[str, str]:
    return protocol.sign_request(ALICE, method, path, body, now=NOW)


def test_a_signed_request_names_its_signer() -> None:
    signed = protocol.check_request(_headers(), "PUT", "/v1/objects/ab?to=X", b"data", now=NOW)
    assert signed.public_key == ALICE.public_key
    assert signed.fingerprint == ALICE.fingerprint.replace(" ", "")


@settings(max_examples=60, deadline=None)
@given(part=st.sampled_from(["method", "path", "body", "time"]), flip=st.integers(0, 255))
def test_changing_any_signed_part_is_refused(part: str, flip: int) -> None:
    method, path, body, now = "PUT", "/v1/objects/ab?to=X", b"data", NOW
    headers = _headers(method, path, body)
    if part == "method":
        method = "GET"
    elif part == "path":
        path = path + chr(ord("a") + flip % 26)
    elif part == "body":
        body = body + bytes([flip])
    else:
        headers[protocol.HEADER_TIME] = str(NOW + 1 + flip)
    with pytest.raises(AuthError, match="bad request signature"):
        protocol.check_request(headers, method, path, body, now=now)


def test_stale_missing_and_malformed_headers_are_refused() -> None:
    headers = _headers()
    with pytest.raises(AuthError, match="clock"):
        protocol.check_request(headers, "PUT", "/v1/objects/ab?to=X", b"data",
                               now=NOW + protocol.MAX_CLOCK_SKEW + 1)
    for name in (protocol.HEADER_KEY, protocol.HEADER_SIGNATURE, protocol.HEADER_NONCE):
        partial = {k: v for k, v in headers.items() if k != name}
        with pytest.raises(AuthError, match="unsigned"):
            protocol.check_request(partial, "PUT", "/v1/objects/ab?to=X", b"data", now=NOW)
    for name, value in ((protocol.HEADER_KEY, "!!"), (protocol.HEADER_NONCE, "Z" * 32),
                        (protocol.HEADER_TIME, "soon")):
        with pytest.raises(AuthError, match="malformed"):
            protocol.check_request({**headers, name: value}, "PUT", "/v1/objects/ab?to=X",
                                   b"data", now=NOW)
    assert abs(int(protocol.sign_request(ALICE, "GET", "/", b"")["sendobserve-time"])
               - time.time()) < 5


def _member(identity: Identity, role: Role, approver: Identity | None,
            trainees: tuple[str, ...] | None = None, *, lie_role: Role | None = None
            ) -> Member:
    exchange = bytes(range(32))
    approval = Approval("Org", identity.public_key, exchange, role, trainees,
                        "2026-03-01T09:00:00+00:00")
    return Member(
        fingerprint=protocol.compact_fingerprint(identity.public_key), name="m",
        role=lie_role or role, public_key=identity.public_key, exchange_key=exchange,
        approval=None if approver is None else approval.to_bytes(),
        approval_signature=None if approver is None else approval.sign(approver),
        approved_by=None if approver is None else approver.public_key)


def test_only_members_vouched_for_by_a_trusted_admin_are_trusted() -> None:
    admin, deputy, ppc, rogue_admin, sneaky = (Identity.generate() for _ in range(5))
    members = [
        _member(admin, Role.ADMIN, admin),  # the first admin: pinned, signs its own
        _member(deputy, Role.ADMIN, admin),  # an admin approved by the admin
        _member(ppc, Role.PPC, deputy, ("a" * 32,)),  # approved by that deputy
        _member(rogue_admin, Role.ADMIN, rogue_admin),  # says admin; nobody pinned it
        _member(sneaky, Role.PPC, admin, lie_role=Role.ADMIN),  # the hub lies about its role
    ]
    pinned = [protocol.compact_fingerprint(admin.public_key)]
    trusted = {m.public_key for m in protocol.trusted_members(members, pinned)}
    assert trusted == {admin.public_key, deputy.public_key, ppc.public_key}
    # The hub swaps the pinned admin's exchange key for one of its own: not believed, and
    # neither is anyone the admin vouched for (the chain starts at the pinned admin).
    swapped = [dataclasses.replace(members[0], exchange_key=bytes(32)), *members[1:]]
    assert protocol.trusted_members(swapped, pinned) == []
    unsigned = [dataclasses.replace(members[0], approval=None), *members[1:]]
    assert protocol.trusted_members(unsigned, pinned) == []
    # A scope the approval does not sign is not believed either.
    scoped = {m.public_key for m in protocol.trusted_members(members, pinned, "b" * 32)}
    assert scoped == {admin.public_key, deputy.public_key}
    # Nothing is trusted without a pinned admin.
    assert protocol.trusted_members(members, []) == []


def test_an_approval_round_trips_only_in_canonical_form() -> None:
    approval = Approval("Org", ALICE.public_key, bytes(32), Role.ASSESSOR, ("c" * 32,), "t")
    assert Approval.from_bytes(approval.to_bytes()) == approval
    with pytest.raises(ValueError):
        Approval.from_bytes(approval.to_bytes().replace(b'{"', b'{ "', 1))
    with pytest.raises(ValueError):
        Approval.from_bytes(b"[]")
    assert not approval.may_see("d" * 32) and approval.may_see("c" * 32)
    assert not Role.ASSESSOR.may_push and Role.OBSERVER.may_push and Role.ADMIN.sees_all
