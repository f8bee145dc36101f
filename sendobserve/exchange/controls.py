"""Signed control records: what travels besides the records themselves.

- ``Tombstone``: a record deleted (training, reflection, CPD, contact, discretion, case),
  naming the version it deleted (``base``) and the earlier versions that version followed.
- ``Decision``: a person's decision on a conflict (which version stays, or a merged one,
  or that a deleted record stays deleted), with who, in what role, and why.
- ``IssuedCertificate``: a Form 4 or Form 5 issued (serial, verification code, who
  signed, edition, date, drawings, and the issuing installation's fingerprint, which
  qualifies the serial: each installation numbers its own): not signed separately, the
  file's signature covers it.

The records and their signing are ``pki.controls`` (re-exported here). Tombstones and
decisions are each signed by the installation that made them: Ed25519 over
``sendobserve.control.v1\0`` and a canonical JSON statement naming the version (``v``),
the control kind and the installation's key (``control_statement``), so they can be
relayed by any store and still be checked: a file carrying one whose signature does not
verify is refused whole. One mechanism for every signed control record (the signed
erasure record uses the same context and statement shape): another kind adds a ``kind``
name and a body, and signs and verifies with ``sign_control`` / ``verify_control``.

The JSON sections (``certificates``, ``tombstones``, ``decisions``) are read when present:
payload schema 2 files written before they existed carry none and are still read.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sendobserve.model.domain import ObserverRole
from sendobserve.pki.canonical import b64 as _b64
from sendobserve.pki.controls import CERTIFICATE as CERTIFICATE
from sendobserve.pki.controls import DECISION_KINDS as DECISION_KINDS
from sendobserve.pki.controls import DELETED as DELETED
from sendobserve.pki.controls import MAX_CONTROL_HISTORY as MAX_CONTROL_HISTORY
from sendobserve.pki.controls import SECTIONS as SECTIONS
from sendobserve.pki.controls import TOMBSTONE_KINDS as TOMBSTONE_KINDS
from sendobserve.pki.controls import Decision as Decision
from sendobserve.pki.controls import IssuedCertificate as IssuedCertificate
from sendobserve.pki.controls import Tombstone as Tombstone
from sendobserve.pki.controls import certificate_digest as certificate_digest
from sendobserve.pki.controls import certificate_identity as certificate_identity
from sendobserve.pki.controls import certificate_record_id as certificate_record_id
from sendobserve.pki.controls import control_message as control_message
from sendobserve.pki.controls import control_statement as control_statement
from sendobserve.pki.controls import sign_control as sign_control
from sendobserve.pki.controls import verify_control as verify_control

if TYPE_CHECKING:
    from sendobserve.exchange.codec import ExportPayload, _Obj

# ---------------------------------------------------------------------------------------
# The payload's sections


def _signed_json(record: Tombstone | Decision) -> dict[str, Any]:
    return {**record.body(), "public_key": _b64(record.public_key),
            "signature": _b64(record.signature)}


def sections_json(payload: ExportPayload) -> dict[str, Any]:
    return {"certificates": [c.json() for c in payload.certificates],
            "tombstones": [_signed_json(t) for t in payload.tombstones],
            "decisions": [_signed_json(d) for d in payload.decisions]}


_SERIAL_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-")
_FINGERPRINT = re.compile(r"[A-Z2-7]{4}( [A-Z2-7]{4}){7}")


def _is_code(code: str) -> bool:
    """A verification code as ``pki.certificates.verification_code`` writes it
    ("7KQ2M-XW4PA"): letters and digits, in groups joined by hyphens."""
    return all(part.isascii() and part.isalnum() for part in code.split("-"))


def _serial_and_code(o: _Obj) -> tuple[str, str]:
    """A certificate's serial and verification code, as every record naming one has them."""
    from sendobserve.exchange.codec import _fail

    serial = o.text("serial", 32)
    if not set(serial) <= _SERIAL_CHARS:
        raise _fail(o.at("serial"), "expected a certificate serial (A-Z, 0-9, -)")
    code = o.text("verification_code", 16)
    if not _is_code(code):
        raise _fail(o.at("verification_code"), "expected letters and digits (groups joined by -)")
    return serial, code


def _digests(o: _Obj, key: str, fail: Callable[[str, str], Exception]) -> tuple[str, ...]:
    from sendobserve.exchange.codec import _DIGEST

    v = o.raw(key)
    if not isinstance(v, list) or len(v) > MAX_CONTROL_HISTORY or not all(
            isinstance(d, str) and _DIGEST.fullmatch(d) for d in v) or len(set(v)) != len(v) \
            or v != sorted(v):
        raise fail(o.at(key), f"expected up to {MAX_CONTROL_HISTORY} distinct SHA-256 "
                   "digests, in order")
    return tuple(v)


def _read_tombstone(value: Any, path: str) -> Tombstone:
    from sendobserve.exchange.codec import _DIGEST, MAX_NAME, _fail, _Obj

    o = _Obj(value, path, ("kind", "record_id", "mediator_id", "base", "history",
                           "deleted_at", "deleted_by", "public_key", "signature"))
    kind = o.text("kind", 32)
    if kind not in TOMBSTONE_KINDS:
        raise _fail(o.at("kind"), f"expected one of {', '.join(TOMBSTONE_KINDS)}")
    base = o.text("base", 64)
    if not _DIGEST.fullmatch(base):
        raise _fail(o.at("base"), "expected a SHA-256 digest")
    return Tombstone(kind, o.uuid("record_id"), o.uuid("mediator_id"), base,
                     _digests(o, "history", _fail), o.moment("deleted_at"),
                     o.text("deleted_by", MAX_NAME), o.raw_bytes("public_key", 32),
                     o.raw_bytes("signature", 64))


def _read_decision(value: Any, path: str) -> Decision:
    from sendobserve.exchange.codec import _DIGEST, MAX_NAME, MAX_TEXT, _fail, _Obj

    o = _Obj(value, path, ("id", "kind", "record_id", "mediator_id", "chosen", "version",
                           "retired", "reason", "decided_by", "role", "experienced",
                           "decided_at", "public_key", "signature"))
    kind = o.text("kind", 32)
    if kind not in DECISION_KINDS:
        raise _fail(o.at("kind"), f"expected one of {', '.join(DECISION_KINDS)}")
    chosen = o.text("chosen", 64)
    if chosen != DELETED and not _DIGEST.fullmatch(chosen):
        raise _fail(o.at("chosen"), f"expected a SHA-256 digest or {DELETED!r}")
    version = o.raw("version")
    if version is not None and not isinstance(version, dict):
        raise _fail(o.at("version"), "expected an object or null")
    return Decision(o.uuid("id"), kind, o.uuid("record_id"), o.uuid("mediator_id"), chosen,
                    version, _digests(o, "retired", _fail),
                    o.text("reason", MAX_TEXT, multiline=True),
                    o.text("decided_by", MAX_NAME), o.enum("role", ObserverRole),
                    o.boolean("experienced"), o.moment("decided_at"),
                    o.raw_bytes("public_key", 32), o.raw_bytes("signature", 64))


def _read_certificate(value: Any, path: str) -> IssuedCertificate:
    from sendobserve.exchange.codec import MAX_NAME, _fail, _Obj

    fields = ("serial", "form_number", "mediator_id", "signer_id", "signer_name",
              "issued_on", "verification_code", "created_at", "edition", "signer_drawing",
              "mediator_drawing")
    # ``issuer`` is written only when known: files from before it still read.
    has_issuer = isinstance(value, dict) and "issuer" in value
    o = _Obj(value, path, (*fields, "issuer") if has_issuer else fields)
    issuer = ""
    if has_issuer:
        issuer = o.text("issuer", 39)
        if not _FINGERPRINT.fullmatch(issuer):
            raise _fail(o.at("issuer"), "expected an installation's fingerprint (eight "
                        "groups of four letters A-Z and digits 2-7)")
    serial, code = _serial_and_code(o)
    return IssuedCertificate(
        serial=serial, form_number=o.integer("form_number", 4, 5),
        mediator_id=o.uuid("mediator_id"),
        signer_id=None if o.raw("signer_id") is None else o.uuid("signer_id"),
        signer_name=o.text("signer_name", MAX_NAME), issued_on=o.day("issued_on"),
        verification_code=code, created_at=o.moment("created_at"),
        edition=o.opt_text("edition", MAX_NAME), signer_drawing=o.png("signer_drawing"),
        mediator_drawing=o.png("mediator_drawing"), issuer=issuer)


def read_certificate_choice(value: Any, path: str) -> dict[str, Any]:
    """A certificate decision's ``version``: the identity of the certificate that stands
    (``IssuedCertificate.identity``), read strictly."""
    from sendobserve.exchange.codec import _fail, _Obj

    if not isinstance(value, dict):
        raise _fail(path, "expected the chosen certificate's serial, form, trainee and code")
    o = _Obj(value, path, ("serial", "form_number", "mediator_id", "verification_code"))
    serial, code = _serial_and_code(o)
    return certificate_identity(serial, o.integer("form_number", 4, 5), o.uuid("mediator_id"),
                                code)


def _check_certificate_decision(d: Decision, path: str) -> None:
    """A certificate decision names the certificate that stands (its identity, whose
    digest is ``chosen``), for the trainee and form its ``record_id`` names."""
    from sendobserve.exchange.codec import _fail

    if d.chosen == DELETED:
        raise _fail(f"{path}.chosen", "a certificate is never deleted: one is chosen")
    choice = read_certificate_choice(d.version, f"{path}.version")
    if choice != d.version:
        raise _fail(f"{path}.version", "is not written as a certificate's identity")
    if certificate_digest(choice) != d.chosen:
        raise _fail(f"{path}.version", "is not the certificate it names")
    if choice["mediator_id"] != d.mediator_id.hex:
        raise _fail(f"{path}.mediator_id", "is not the trainee of its certificate")
    if certificate_record_id(d.mediator_id, choice["form_number"]) != d.record_id:
        raise _fail(f"{path}.record_id", "is not that trainee's certificate on that form")


def read_sections(top: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split the payload object into (without the control sections, the sections read)."""
    from sendobserve.exchange.codec import _Obj, _rows

    present = {k: top[k] for k in SECTIONS if k in top}
    rest = {k: v for k, v in top.items() if k not in present}
    o = _Obj(present, "payload", tuple(present))
    readers: dict[str, Callable[[Any, str], Any]] = {
        "certificates": _read_certificate, "tombstones": _read_tombstone,
        "decisions": _read_decision}
    return rest, {k: _rows(o, k, readers[k]) for k in present}


def check_sections(p: ExportPayload, mediators: set[uuid.UUID],
                   observers: set[uuid.UUID]) -> None:
    """References, uniqueness and signatures of the control sections (the codec's
    ``_check_references`` calls this)."""
    from sendobserve.exchange.codec import _fail, _unique
    from sendobserve.exchange.errors import ExchangeError, ExchangeProblem

    _unique(p.certificates, lambda c: c.key, "certificates")
    _unique(p.tombstones, lambda t: (t.kind, t.record_id, t.signature), "tombstones")
    _unique(p.decisions, lambda d: d.id, "decisions")
    owners: tuple[tuple[str, list[uuid.UUID]], ...] = (
        ("certificates", [c.mediator_id for c in p.certificates]),
        ("tombstones", [t.mediator_id for t in p.tombstones]),
        ("decisions", [d.mediator_id for d in p.decisions]))
    for name, ids in owners:
        for i, mediator_id in enumerate(ids):
            if mediator_id not in mediators:
                raise _fail(f"{name}[{i}].mediator_id", "refers to a mediator not in the file")
    for i, c in enumerate(p.certificates):
        if c.signer_id is not None and c.signer_id not in observers:
            raise _fail(f"certificates[{i}].signer_id", "refers to an observer not in the file")
    from sendobserve.exchange.logs import record_digest
    from sendobserve.exchange.settle import parse_version

    for i, d in enumerate(p.decisions):
        if d.kind == CERTIFICATE:
            _check_certificate_decision(d, f"decisions[{i}]")
            continue
        if d.kind == "observation" or d.chosen == DELETED:
            if d.version is not None:
                raise _fail(f"decisions[{i}].version", "must be null for this decision")
        elif d.version is None:
            raise _fail(f"decisions[{i}].version", "the chosen version is missing")
        elif record_digest(parse_version(d.kind, d.version, f"decisions[{i}].version")) \
                != d.chosen:
            raise _fail(f"decisions[{i}].version", "is not the version it names")
        if d.kind != "observation" and d.version is not None \
                and d.version.get("id") != d.record_id.hex:
            raise _fail(f"decisions[{i}].version", "is a version of another record")
        owner = None if d.version is None else d.version.get(
            "id" if d.kind == "mediator" else "mediator_id")
        if owner is not None and owner != d.mediator_id.hex:
            raise _fail(f"decisions[{i}].mediator_id", "is not the trainee of its record")
    signed: tuple[tuple[str, tuple[Tombstone | Decision, ...]], ...] = (
        ("tombstones", p.tombstones), ("decisions", p.decisions))
    for name, records in signed:
        for i, record in enumerate(records):
            if not record.verifies():
                raise ExchangeError(
                    ExchangeProblem.BAD_SIGNATURE,
                    f"The installation's signature on {name}[{i}] in the file does not match "
                    "it: it was changed after it was signed; nothing was imported.",
                    hint="Ask for the file to be exported again.")
