"""The export payload as JSON: exact encoding of the domain records, strict decoding.

Encoding is canonical (sorted keys, no whitespace, UTF-8) so the same records always
give the same bytes: the signature covers those bytes and the import layer can compare
versions by digest. Hours travel as decimal strings, never floats; timestamps as
ISO 8601 UTC; ids as lowercase hex UUIDs; signature drawings as base64 PNG.

Decoding trusts nothing, even from a correctly signed file (a signer may run another
version, or be careless): every field is type-checked, every enum and size is
bounded, ids are unique, every reference resolves, and only finalised observations
are accepted. A failure names the field, e.g. ``observations[2].observed_on``.

Text is text: no control characters (C0 or C1), no lone surrogates (JSON's ``\\ud800``
escapes can make them), and no bidirectional overrides in one-line fields such as names,
which could make a name read as another on screen.

Size is bounded before parsing: at most ``MAX_PAYLOAD_BYTES`` of JSON and at most
``MAX_JSON_ELEMENTS`` structural characters (``{``, ``[``, ``,``: an upper bound on the
values a parser would build), both far above what a real export holds and far below
what would exhaust memory. The bundle layer applies the same bounds while inflating.

Mediators, observers, cases, observation headers and the log records are written and
read field by field from their tables in ``model.shapes`` (``exchange.shaped``); a field
added to a table later travels only when it holds a value, so the schema number stays.

Schema 2 (written now) adds ``provenance``: for each observation whose author signed its
origin (``sendobserve.pki.provenance``), that Ed25519 signature, checked here
against the version in the file. Schema 1 files (no such section) are still read.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any, TypeVar

from sendobserve.errors import UserError
from sendobserve.exchange.controls import Decision as ConflictDecision
from sendobserve.exchange.controls import (
    IssuedCertificate,
    Tombstone,
    check_sections,
    read_sections,
    sections_json,
)
from sendobserve.exchange.errors import ExchangeError, ExchangeProblem
from sendobserve.exchange.evidence import FIELDS as EVIDENCE_FIELDS
from sendobserve.exchange.evidence import MAX_FILES as MAX_EVIDENCE_FILES
from sendobserve.exchange.evidence import EvidenceItem, item_json, read_item
from sendobserve.exchange.logs import LOG_KINDS, LogRecord, record_json
from sendobserve.exchange.shaped import expected_fields, from_json, to_json
from sendobserve.forms.loader import load_form_text
from sendobserve.model.domain import (
    Amendment,
    Case,
    Contact,
    Cpd,
    DebriefNote,
    Discretion,
    Mark,
    Mediator,
    Observation,
    ObservationState,
    Observer,
    Reflection,
    Training,
)
from sendobserve.model.shapes import (
    AMENDMENT,
    CASE,
    DEBRIEF_NOTE,
    LOG_SHAPES,
    MARK,
    MEDIATOR,
    OBSERVATION,
    OBSERVER,
    Shape,
)
from sendobserve.pki.canonical import canonical_json, timestamp_text
from sendobserve.pki.control import ControlRecordError, ErasureRecord
from sendobserve.pki.identity import Revocation
from sendobserve.pki.provenance import Provenance, verify_origin

PAYLOAD_SCHEMA = 2
READABLE_SCHEMAS = frozenset({1, 2})

# Limits: generous for real use, small enough that a hostile file cannot exhaust memory.
# Text limits match the store's column sizes, so an accepted file always fits.
MAX_NAME = 200  # a person's name
MAX_REFERENCE = 100  # a case reference, a PPC register entry
MAX_FORM_KEY = 64  # form ids and form versions
MAX_CRITERION = 128  # criterion and sub-item ids
MAX_TEXT = 20_000  # a note, a de-brief text, an amendment reason
MAX_SIGNATURE_PNG = 512 * 1024
MAX_FORM_YAML = 1024 * 1024
MAX_ITEMS = 200_000  # rows in any one list
MAX_HOURS = Decimal("10000")
MAX_ORDINAL = 1000
# Bounds checked before any JSON is parsed (see the module docstring). A 300-observation
# export is about 3 MB with 80,000 structural characters.
MAX_PAYLOAD_BYTES = 64 * 1024 * 1024
MAX_JSON_ELEMENTS = 1_000_000
_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_HOURS_TEXT = re.compile(r"\d{1,5}(\.\d{1,4})?")
_UUID_HEX = re.compile(r"[0-9a-f]{32}")
# C0 and C1 controls (tab and line breaks aside) and lone surrogates.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
# Bidirectional embeddings, overrides and isolates, and line/paragraph separators: not in
# a one-line field.
_ONE_LINE_FORBIDDEN = re.compile(r"[\r\n\t\u2028\u2029\u202a-\u202e\u2066-\u2069]")
EXPORTABLE_STATES = frozenset({ObservationState.FINALISED, ObservationState.AMENDED})


@dataclass(frozen=True, slots=True)
class FormText:
    """The YAML text of a form version the observations were made on, so the receiver can
    show them even without that version installed."""

    form_id: str
    version: str
    yaml_text: str


@dataclass(frozen=True, slots=True)
class RecordHistory:
    """The digests of earlier versions of one record the exporting store has held
    (``sendobserve.exchange.logs``)."""

    kind: str  # a ``logs.LOG_KINDS`` entry, or "mediator"
    id: uuid.UUID
    digests: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ExportPayload:
    """Everything one exchange file carries: finalised observations and what they need."""

    created_at: datetime
    exported_by: str  # the exporting person, as they named themselves
    mediators: tuple[Mediator, ...]
    observers: tuple[Observer, ...]
    cases: tuple[Case, ...]
    observations: tuple[Observation, ...]
    marks: tuple[Mark, ...] = ()
    debrief_notes: tuple[DebriefNote, ...] = ()
    amendments: tuple[Amendment, ...] = ()
    forms: tuple[FormText, ...] = ()
    provenance: tuple[Provenance, ...] = ()  # schema 2: authors' signatures on origins
    # Schema 2: the rest of the trainee's record, and each record's version history.
    training: tuple[Training, ...] = ()
    reflections: tuple[Reflection, ...] = ()
    cpd: tuple[Cpd, ...] = ()
    contacts: tuple[Contact, ...] = ()
    discretions: tuple[Discretion, ...] = ()
    history: tuple[RecordHistory, ...] = ()
    revocations: tuple[Revocation, ...] = ()  # installations revoked by the sender's store
    # Schema 2, read when present (``exchange.controls``): certificates issued, signed
    # tombstones of deleted records, people's signed decisions on conflicts.
    certificates: tuple[IssuedCertificate, ...] = ()
    tombstones: tuple[Tombstone, ...] = ()
    decisions: tuple[ConflictDecision, ...] = ()
    # Schema 2, present only when not empty: mediators erased on some installation, each
    # signed by it (``pki.control``), relayed by every store that holds them.
    erasures: tuple[ErasureRecord, ...] = ()
    schema: int = PAYLOAD_SCHEMA
    # Schema 2, when there are any: evidence files of the entries in the file.
    evidence: tuple[EvidenceItem, ...] = ()

    def log_records(self, kind: str) -> tuple[LogRecord, ...]:
        records: tuple[LogRecord, ...] = getattr(self, kind)
        return records

    @property
    def is_empty(self) -> bool:
        """Carries nothing to import. From schema 2 a file may carry only a trainee's
        details (a trainee with no record yet) or only control records (revocations),
        as the hub sends them."""
        return not (self.observations or any(self.log_records(k) for k in LOG_KINDS)
                    or (self.schema >= 2 and (self.cases or self.mediators
                                              or self.revocations or self.erasures))
                    or self.certificates or self.tombstones or self.decisions)


# ---------------------------------------------------------------------------------------
# Encoding


_dt = timestamp_text


def observation_json(o: Observation) -> dict[str, Any]:
    """An observation's header as it travels: also what its version digest is taken of."""
    return to_json(o)


def mark_json(m: Mark) -> dict[str, Any]:
    return to_json(m)


def debrief_note_json(n: DebriefNote) -> dict[str, Any]:
    return to_json(n)


def amendment_json(a: Amendment) -> dict[str, Any]:
    return to_json(a)


def provenance_json(p: Provenance) -> dict[str, Any]:
    return {
        "observation_id": p.observation_id.hex,
        "public_key": base64.b64encode(p.public_key).decode("ascii"),
        "signature": base64.b64encode(p.signature).decode("ascii"),
    }


def payload_json(payload: ExportPayload) -> dict[str, Any]:
    value = {
        "schema": payload.schema,
        "created_at": _dt(payload.created_at),
        "exported_by": payload.exported_by,
        "mediators": [to_json(m) for m in payload.mediators],
        "observers": [to_json(o) for o in payload.observers],
        "cases": [to_json(c) for c in payload.cases],
        "observations": [observation_json(o) for o in payload.observations],
        "marks": [mark_json(m) for m in payload.marks],
        "debrief_notes": [debrief_note_json(n) for n in payload.debrief_notes],
        "amendments": [amendment_json(a) for a in payload.amendments],
        "forms": [
            {"form_id": f.form_id, "version": f.version, "yaml": f.yaml_text}
            for f in payload.forms
        ],
    }
    if payload.schema >= 2:
        value["provenance"] = [provenance_json(p) for p in payload.provenance]
        for kind in LOG_KINDS:
            value[kind] = [record_json(r) for r in payload.log_records(kind)]
        value["history"] = [{"kind": h.kind, "id": h.id.hex, "digests": list(h.digests)}
                            for h in payload.history]
        value["revocations"] = [
            {"public_key": base64.b64encode(r.public_key).decode("ascii"),
             "revoked_from": _dt(r.revoked_from), "reason": r.reason,
             "decided_by": r.decided_by} for r in payload.revocations]
        if payload.evidence:  # only then, so a file without evidence reads as before
            value["evidence"] = [item_json(e, _dt) for e in payload.evidence]
        value.update(sections_json(payload))
        if payload.erasures:  # absent when empty, so older readers still read the file
            value["erasures"] = [e.to_json() for e in payload.erasures]
    elif (payload.evidence or payload.provenance or payload.history or payload.revocations
          or payload.certificates or payload.tombstones or payload.decisions
          or payload.erasures or any(payload.log_records(k) for k in LOG_KINDS)):
        raise ValueError("schema 1 carries observations only")
    return value


def encode_payload(payload: ExportPayload) -> bytes:
    """Canonical UTF-8 JSON bytes of ``payload``, validated exactly as an importer would.

    Validating on the way out means an exporter can never produce a file its own
    version would refuse.
    """
    data = canonical_json(payload_json(payload))
    decode_payload(data)
    return data


# ---------------------------------------------------------------------------------------
# Decoding


def _fail(path: str, what: str) -> ExchangeError:
    return ExchangeError(
        ExchangeProblem.INVALID_PAYLOAD,
        f"The file's content is not valid: {path}: {what}.",
        hint="It was signed correctly but made by an incompatible or faulty program; "
        "nothing was imported.",
    )


_E = TypeVar("_E", bound=StrEnum)
_T = TypeVar("_T")


class _Obj:
    """A JSON object being read field by field; unknown or missing fields are errors."""

    def __init__(self, value: Any, path: str, fields: Iterable[str]) -> None:
        if not isinstance(value, dict):
            raise _fail(path, "expected an object")
        expected = set(fields)
        extra = sorted(set(value) - expected)
        if extra:
            raise _fail(path, f"unknown field {extra[0]!r}")
        missing = sorted(expected - set(value))
        if missing:
            raise _fail(path, f"missing field {missing[0]!r}")
        self.value: dict[str, Any] = value
        self.path = path

    def at(self, key: str) -> str:
        return f"{self.path}.{key}"

    def raw(self, key: str) -> Any:
        return self.value[key]

    def text(self, key: str, limit: int, *, multiline: bool = False, empty: bool = False) -> str:
        v = self.value[key]
        if not isinstance(v, str):
            raise _fail(self.at(key), "expected text")
        if len(v) > limit:
            raise _fail(self.at(key), f"longer than {limit} characters")
        if not empty and not v.strip():
            raise _fail(self.at(key), "must not be empty")
        if _CONTROL.search(v) or (not multiline and _ONE_LINE_FORBIDDEN.search(v)):
            raise _fail(self.at(key), "contains control characters or characters that "
                        "are not text")
        return v

    def opt_text(self, key: str, limit: int) -> str | None:
        return None if self.value[key] is None else self.text(key, limit)

    def boolean(self, key: str) -> bool:
        v = self.value[key]
        if not isinstance(v, bool):
            raise _fail(self.at(key), "expected true or false")
        return v

    def integer(self, key: str, low: int, high: int) -> int:
        v = self.value[key]
        if isinstance(v, bool) or not isinstance(v, int) or not low <= v <= high:
            raise _fail(self.at(key), f"expected a whole number from {low} to {high}")
        return v

    def uuid(self, key: str) -> uuid.UUID:
        v = self.value[key]
        if not isinstance(v, str) or not _UUID_HEX.fullmatch(v):
            raise _fail(self.at(key), "expected an id (32 lowercase hex digits)")
        return uuid.UUID(hex=v)

    def enum(self, key: str, kind: type[_E]) -> _E:
        v = self.value[key]
        try:
            return kind(v)
        except (ValueError, TypeError):
            allowed = ", ".join(e.value for e in kind)
            raise _fail(self.at(key), f"expected one of {allowed}") from None

    def day(self, key: str) -> date:
        v = self.value[key]
        if not isinstance(v, str) or len(v) != 10:
            raise _fail(self.at(key), "expected a date (YYYY-MM-DD)")
        try:
            return date.fromisoformat(v)
        except ValueError:
            raise _fail(self.at(key), "expected a date (YYYY-MM-DD)") from None

    def opt_day(self, key: str) -> date | None:
        return None if self.value[key] is None else self.day(key)

    def moment(self, key: str) -> datetime:
        v = self.value[key]
        if not isinstance(v, str) or not 19 <= len(v) <= 40:
            raise _fail(self.at(key), "expected an ISO 8601 timestamp")
        try:
            parsed = datetime.fromisoformat(v)
        except ValueError:
            raise _fail(self.at(key), "expected an ISO 8601 timestamp") from None
        if parsed.tzinfo is None:
            raise _fail(self.at(key), "timestamp has no time zone")
        return parsed.astimezone(UTC)

    def opt_moment(self, key: str) -> datetime | None:
        return None if self.value[key] is None else self.moment(key)

    def hours(self, key: str) -> Decimal:
        v = self.value[key]
        if not isinstance(v, str) or not _HOURS_TEXT.fullmatch(v):
            raise _fail(self.at(key), "expected hours as a decimal string such as \"2.5\"")
        try:
            value = Decimal(v)
        except InvalidOperation:  # pragma: no cover - the pattern already rules this out
            raise _fail(self.at(key), "expected hours") from None
        if value > MAX_HOURS:
            raise _fail(self.at(key), f"more than {MAX_HOURS} hours")
        return value

    def _base64(self, key: str, most: int, too_long: str, not_base64: str) -> bytes:
        """The bytes of base64 text at ``key``, its length bounded before decoding."""
        v = self.value[key]
        if not isinstance(v, str) or len(v) > (most * 4) // 3 + 4:
            raise _fail(self.at(key), too_long)
        try:
            return base64.b64decode(v.encode("ascii"), validate=True)
        except (binascii.Error, UnicodeEncodeError, ValueError):
            raise _fail(self.at(key), not_base64) from None

    def png(self, key: str) -> bytes | None:
        if self.value[key] is None:
            return None
        raw = self._base64(key, MAX_SIGNATURE_PNG,
                           f"expected a PNG of at most {MAX_SIGNATURE_PNG} bytes",
                           "expected base64 PNG data")
        if not raw.startswith(_PNG_MAGIC):
            raise _fail(self.at(key), "is not a PNG image")
        return raw

    def raw_bytes(self, key: str, size: int) -> bytes:
        raw = self._base64(key, size, f"expected {size} bytes in base64", "expected base64 data")
        if len(raw) != size:
            raise _fail(self.at(key), f"expected {size} bytes in base64")
        return raw

    def items(self, key: str) -> list[Any]:
        v = self.value[key]
        if not isinstance(v, list):
            raise _fail(self.at(key), "expected a list")
        if len(v) > MAX_ITEMS:
            raise _fail(self.at(key), f"more than {MAX_ITEMS} entries")
        return v


def _rows(parent: _Obj, key: str, read: Callable[[Any, str], _T]) -> tuple[_T, ...]:
    return tuple(read(item, f"{key}[{i}]") for i, item in enumerate(parent.items(key)))


def _reader(shape: Shape) -> Callable[[Any, str], Any]:
    """Read one record of ``shape`` (a mediator, an observer, a case, a log entry)."""
    def read(value: Any, path: str) -> Any:
        return from_json(shape, _Obj(value, path, expected_fields(shape, value)))
    return read


_read_mediator: Callable[[Any, str], Mediator] = _reader(MEDIATOR)
_read_observer: Callable[[Any, str], Observer] = _reader(OBSERVER)
_read_case: Callable[[Any, str], Case] = _reader(CASE)


def _read_observation(value: Any, path: str) -> Observation:
    o = _Obj(value, path, expected_fields(OBSERVATION, value))
    state = o.enum("state", ObservationState)
    if state not in EXPORTABLE_STATES:
        raise _fail(o.at("state"), "only finalised observations can be exchanged")
    if o.raw("signature") is None:
        raise _fail(o.at("signature"), "a finalised observation must be signed")
    if o.opt_moment("finalised_at") is None:
        raise _fail(o.at("finalised_at"), "a finalised observation needs its finalising time")
    observation: Observation = from_json(OBSERVATION, o)
    return observation


_read_mark: Callable[[Any, str], Mark] = _reader(MARK)
_read_debrief_note: Callable[[Any, str], DebriefNote] = _reader(DEBRIEF_NOTE)
_read_amendment: Callable[[Any, str], Amendment] = _reader(AMENDMENT)


def _read_form(value: Any, path: str) -> FormText:
    o = _Obj(value, path, ("form_id", "version", "yaml"))
    return FormText(
        form_id=o.text("form_id", MAX_FORM_KEY),
        version=o.text("version", MAX_FORM_KEY),
        yaml_text=o.text("yaml", MAX_FORM_YAML, multiline=True),
    )


def _read_provenance(value: Any, path: str) -> Provenance:
    o = _Obj(value, path, ("observation_id", "public_key", "signature"))
    return Provenance(
        observation_id=o.uuid("observation_id"),
        public_key=o.raw_bytes("public_key", 32),
        signature=o.raw_bytes("signature", 64),
    )


def _log_reader(kind: str) -> Callable[[Any, str], LogRecord]:
    return _reader(LOG_SHAPES[kind])


_HISTORY_KINDS = frozenset({*LOG_KINDS, "mediator", "case", "observer"})
_DIGEST = re.compile(r"[0-9a-f]{64}")
MAX_HISTORY = 1000


def _read_history(value: Any, path: str) -> RecordHistory:
    o = _Obj(value, path, ("kind", "id", "digests"))
    kind = o.text("kind", 32)
    if kind not in _HISTORY_KINDS:
        raise _fail(o.at("kind"), f"expected one of {', '.join(sorted(_HISTORY_KINDS))}")
    digests = o.raw("digests")
    if not isinstance(digests, list) or len(digests) > MAX_HISTORY or not all(
            isinstance(d, str) and _DIGEST.fullmatch(d) for d in digests) \
            or len(set(digests)) != len(digests):
        raise _fail(o.at("digests"), f"expected up to {MAX_HISTORY} distinct SHA-256 digests")
    return RecordHistory(kind, o.uuid("id"), tuple(digests))


def _read_revocation(value: Any, path: str) -> Revocation:
    o = _Obj(value, path, ("public_key", "revoked_from", "reason", "decided_by"))
    return Revocation(
        public_key=o.raw_bytes("public_key", 32),
        revoked_from=o.moment("revoked_from"),
        reason=o.text("reason", MAX_TEXT, multiline=True),
        decided_by=o.text("decided_by", MAX_NAME),
    )


def _read_erasure(value: Any, path: str) -> ErasureRecord:
    try:
        return ErasureRecord.from_json(value)
    except ControlRecordError as exc:
        raise _fail(path, str(exc)) from None


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key {key!r}")
        result[key] = value
    return result


def _no_floats(text: str) -> Any:
    raise ValueError("numbers with a fraction are not used in this format")


def _no_constants(text: str) -> Any:
    raise ValueError(f"{text} is not valid JSON")


def _unique(rows: Iterable[_T], key: Callable[[_T], object], path: str) -> None:
    seen: set[object] = set()
    for i, row in enumerate(rows):
        k = key(row)
        if k in seen:
            raise _fail(f"{path}[{i}]", "appears twice")
        seen.add(k)


def _form_item_ids(forms: tuple[FormText, ...]) -> dict[tuple[str, str], frozenset[str]]:
    """Each form text parsed as the app parses it; the ids of its criteria and items."""
    result = {}
    for i, f in enumerate(forms):
        try:
            definition = load_form_text(f.yaml_text, f"forms[{i}]")
        except UserError as exc:
            raise _fail(f"forms[{i}].yaml", exc.message.rstrip(".")) from None
        if (definition.form_id, definition.version) != (f.form_id, f.version):
            raise _fail(f"forms[{i}]", f"the text is of {definition.form_id} "
                        f"{definition.version}, not {f.form_id} {f.version}")
        ids = {t.id for t in definition.tick_items()} | {c.id for c in definition.criteria()}
        result[(f.form_id, f.version)] = frozenset(ids)
    return result


def _check_references(p: ExportPayload) -> None:
    _unique(p.mediators, lambda m: m.id, "mediators")
    _unique(p.observers, lambda o: o.id, "observers")
    _unique(p.cases, lambda c: c.id, "cases")
    _unique(p.observations, lambda o: o.id, "observations")
    _unique(p.amendments, lambda a: a.id, "amendments")
    _unique(p.marks, lambda m: (m.observation_id, m.criterion_id), "marks")
    _unique(p.debrief_notes, lambda n: (n.observation_id, n.criterion_id), "debrief_notes")
    _unique(p.forms, lambda f: (f.form_id, f.version), "forms")
    _unique(p.provenance, lambda v: v.observation_id, "provenance")
    for kind in LOG_KINDS:
        _unique(p.log_records(kind), lambda r: r.id, kind)
    _unique(p.history, lambda h: (h.kind, h.id), "history")
    _unique(p.revocations, lambda r: r.public_key, "revocations")
    _unique(p.evidence, lambda e: e.file.id, "evidence")
    _unique(p.erasures, lambda e: e.record.statement, "erasures")
    if p.is_empty:
        raise _fail("observations", "the file carries no observations")
    mediators = {m.id for m in p.mediators}
    observers = {o.id for o in p.observers}
    cases = {c.id: c for c in p.cases}
    for kind in LOG_KINDS:
        for i, r in enumerate(p.log_records(kind)):
            if r.mediator_id not in mediators:
                raise _fail(f"{kind}[{i}].mediator_id", "refers to a mediator not in the file")
    for i, contact in enumerate(p.contacts):
        if contact.observer_id is not None and contact.observer_id not in observers:
            raise _fail(f"contacts[{i}].observer_id", "refers to an observer not in the file")
    ids_of = {kind: {r.id for r in p.log_records(kind)} for kind in LOG_KINDS}
    ids_of["mediator"] = set(mediators)
    ids_of["case"], ids_of["observer"] = set(cases), set(observers)
    check_sections(p, mediators, observers)
    for i, h in enumerate(p.history):
        if h.id not in ids_of[h.kind]:
            raise _fail(f"history[{i}].id", f"refers to a {h.kind} record not in the file")
    for i, c in enumerate(p.cases):
        if c.mediator_id not in mediators:
            raise _fail(f"cases[{i}].mediator_id", "refers to a mediator not in the file")
    for i, o in enumerate(p.observations):
        case = cases.get(o.case_id)
        if case is None:
            raise _fail(f"observations[{i}].case_id", "refers to a case not in the file")
        if case.mediator_id != o.mediator_id:
            raise _fail(f"observations[{i}].mediator_id", "is not the mediator of its case")
        if o.observer_id not in observers:
            raise _fail(f"observations[{i}].observer_id", "refers to an observer not in the file")
    item_ids = _form_item_ids(p.forms)
    for i, o in enumerate(p.observations):
        if (o.form_id, o.form_version) not in item_ids:
            raise _fail(f"observations[{i}].form_version", "its form text is not in the file")
    observation_ids = {o.id for o in p.observations}
    form_of = {o.id: (o.form_id, o.form_version) for o in p.observations}
    marked: tuple[tuple[str, list[tuple[uuid.UUID, str]]], ...] = (
        ("marks", [(m.observation_id, m.criterion_id) for m in p.marks]),
        ("debrief_notes", [(n.observation_id, n.criterion_id) for n in p.debrief_notes]),
        ("amendments", [(a.observation_id, ch.criterion_id) for a in p.amendments
                        for ch in a.changes]),
    )
    for name, pairs in marked:
        for i, (oid, criterion_id) in enumerate(pairs):
            key = form_of.get(oid)
            if key is not None and criterion_id not in item_ids[key]:
                raise _fail(f"{name}[{i}].criterion_id",
                            f"{criterion_id!r} is not an item of {key[0]} {key[1]}")
    children: tuple[tuple[str, list[uuid.UUID]], ...] = (
        ("marks", [m.observation_id for m in p.marks]),
        ("debrief_notes", [n.observation_id for n in p.debrief_notes]),
        ("amendments", [a.observation_id for a in p.amendments]),
    )
    for name, parents in children:
        for i, parent in enumerate(parents):
            if parent not in observation_ids:
                raise _fail(f"{name}[{i}].observation_id", "refers to an observation not in "
                            "the file")
    if p.provenance:
        versions = {v.observation.id: v for v in versions_of(p)}
        for i, prov in enumerate(p.provenance):
            version = versions.get(prov.observation_id)
            if version is None:
                raise _fail(f"provenance[{i}].observation_id", "refers to an observation not "
                            "in the file")
            if not verify_origin(prov, version.observation, version.marks,
                                 version.debrief_notes, version.amendments):
                raise ExchangeError(
                    ExchangeProblem.BAD_SIGNATURE,
                    f"The author's signature on observation {i + 1} in the file does not "
                    "match it: its marks or details were changed after it was finalised, "
                    "without an amendment that says so; nothing was imported.",
                    hint="Ask for the file to be exported again from the observer's "
                    "installation.",
                )
    # Data minimisation: nothing the observations (and, from schema 2, the rest of the
    # trainee's record: its cases and contacts) do not need.
    used_mediators = {o.mediator_id for o in p.observations}
    used_cases = {o.case_id for o in p.observations}
    used_observers = {o.observer_id for o in p.observations}
    if p.schema >= 2:
        for kind in LOG_KINDS:
            used_mediators |= {r.mediator_id for r in p.log_records(kind)}
        used_mediators |= {c.mediator_id for c in p.cases}  # a whole record's cases
        used_cases |= {c.id for c in p.cases}
        used_observers |= {c.observer_id for c in p.contacts if c.observer_id is not None}
        used_observers |= {c.signer_id for c in p.certificates if c.signer_id is not None}
        used_mediators |= {c.mediator_id for c in p.certificates}
        used_mediators |= {t.mediator_id for t in p.tombstones}
        used_mediators |= {d.mediator_id for d in p.decisions}
        if len(p.mediators) == 1 and not used_mediators:
            # A trainee's details alone: a record with nothing in it yet (the hub shares
            # a trainee before their first observation).
            used_mediators = {p.mediators[0].id}
    for name, ids, used in (("mediators", [m.id for m in p.mediators], used_mediators),
                            ("cases", [c.id for c in p.cases], used_cases),
                            ("observers", [o.id for o in p.observers], used_observers)):
        for i, row_id in enumerate(ids):
            if row_id not in used:
                raise _fail(f"{name}[{i}]", "is not needed by any observation in the file")


def check_payload_size(size: int, elements: int) -> None:
    """Refuse JSON larger than any real export before it is parsed (or inflated further)."""
    if size > MAX_PAYLOAD_BYTES:
        raise ExchangeError(
            ExchangeProblem.TOO_LARGE,
            f"The file's content is larger than an exchange file can be (more than "
            f"{MAX_PAYLOAD_BYTES:,} bytes unpacked); nothing was imported.",
            hint="Ask for the observations to be exported in smaller files.",
        )
    if elements > MAX_JSON_ELEMENTS:
        raise ExchangeError(
            ExchangeProblem.TOO_LARGE,
            f"The file's content has more entries than an exchange file can have (more "
            f"than {MAX_JSON_ELEMENTS:,}); nothing was imported.",
            hint="Ask for the observations to be exported in smaller files.",
        )


def json_elements(data: bytes) -> int:
    """An upper bound on the values parsing ``data`` would build (fast: three byte counts)."""
    return data.count(b"{") + data.count(b"[") + data.count(b",")


def _parse_json(data: bytes) -> Any:
    check_payload_size(len(data), json_elements(data))
    try:
        text = data.decode("utf-8")
        value = json.loads(
            text,
            object_pairs_hook=_no_duplicate_keys,
            parse_float=_no_floats,
            parse_constant=_no_constants,
        )
    except UnicodeDecodeError:
        raise _fail("payload", "is not UTF-8 text") from None
    except (ValueError, RecursionError) as exc:
        raise _fail("payload", f"is not valid JSON ({str(exc)[:80]})") from None
    return value


def decode_payload(data: bytes) -> ExportPayload:
    """Parse and validate payload bytes; anything wrong raises ``ExchangeError``."""
    value = _parse_json(data)
    schema = value.get("schema") if isinstance(value, dict) else None
    sections: dict[str, Any] = {}
    if schema == 2:  # isinstance(value, dict)
        value, sections = read_sections(value)
    if not isinstance(schema, int) or isinstance(schema, bool) \
            or schema not in READABLE_SCHEMAS:
        readable = " or ".join(str(v) for v in sorted(READABLE_SCHEMAS))
        raise _fail("payload.schema", f"content schema {str(schema)[:20]!r} is not the "
                    f"{readable} this version reads")
    fields = ["schema", "created_at", "exported_by", "mediators", "observers", "cases",
              "observations", "marks", "debrief_notes", "amendments", "forms"]
    if schema >= 2:
        fields.extend(["provenance", *LOG_KINDS, "history", "revocations"])
        if isinstance(value, dict) and "evidence" in value:
            fields.append("evidence")
        if isinstance(value, dict) and "erasures" in value:
            fields.append("erasures")
    top = _Obj(value, "payload", fields)
    logs: dict[str, Any] = ({kind: _rows(top, kind, _log_reader(kind)) for kind in LOG_KINDS}
                            if schema >= 2 else {})
    payload = ExportPayload(
        schema=schema,
        created_at=top.moment("created_at"),
        exported_by=top.text("exported_by", MAX_NAME),
        mediators=_rows(top, "mediators", _read_mediator),
        observers=_rows(top, "observers", _read_observer),
        cases=_rows(top, "cases", _read_case),
        observations=_rows(top, "observations", _read_observation),
        marks=_rows(top, "marks", _read_mark),
        debrief_notes=_rows(top, "debrief_notes", _read_debrief_note),
        amendments=_rows(top, "amendments", _read_amendment),
        forms=_rows(top, "forms", _read_form),
        provenance=_rows(top, "provenance", _read_provenance) if schema >= 2 else (),
        **logs,
        history=_rows(top, "history", _read_history) if schema >= 2 else (),
        revocations=_rows(top, "revocations", _read_revocation) if schema >= 2 else (),
        **sections,
        erasures=(_rows(top, "erasures", _read_erasure) if "erasures" in fields else ()),
    )
    if "evidence" in fields:
        payload = replace(payload, evidence=_read_evidence(top, payload))
    _check_references(payload)
    return payload


def _read_evidence(top: _Obj, p: ExportPayload) -> tuple[EvidenceItem, ...]:
    """The evidence files, each attached to a training, CPD or case entry in the file."""
    from sendobserve.model.evidence import EntryKind

    owners = {(EntryKind.TRAINING, t.id): t.mediator_id for t in p.training}
    owners.update(((EntryKind.CPD, c.id), c.mediator_id) for c in p.cpd)
    owners.update(((EntryKind.CASE, c.id), c.mediator_id) for c in p.cases)
    if len(top.items("evidence")) > MAX_EVIDENCE_FILES:
        raise _fail(top.at("evidence"), f"more than {MAX_EVIDENCE_FILES} files")
    return _rows(top, "evidence", lambda v, path: read_item(
        _Obj(v, path, EVIDENCE_FIELDS), _fail,
        mediator_of=lambda kind, entry: owners.get((kind, entry))))


@dataclass(frozen=True, slots=True)
class ObservationVersion:
    """One finalised observation with everything that can differ between two machines:
    its marks, de-brief notes and amendments. Compared across machines by ``digest``."""

    observation: Observation
    marks: tuple[Mark, ...] = ()
    debrief_notes: tuple[DebriefNote, ...] = ()
    amendments: tuple[Amendment, ...] = ()

    @classmethod
    def of(
        cls,
        observation: Observation,
        marks: Iterable[Mark],
        debrief_notes: Iterable[DebriefNote],
        amendments: Iterable[Amendment],
    ) -> ObservationVersion:
        """Normalised order, so that equal content always gives equal digests."""
        return cls(
            observation=observation,
            marks=tuple(sorted(marks, key=lambda m: m.criterion_id)),
            debrief_notes=tuple(sorted(debrief_notes, key=lambda n: n.criterion_id)),
            amendments=tuple(sorted(amendments, key=lambda a: (a.amended_at, a.id.hex))),
        )

    @property
    def amendment_ids(self) -> frozenset[uuid.UUID]:
        return frozenset(a.id for a in self.amendments)

    def to_bytes(self) -> bytes:
        return canonical_json({
            "observation": observation_json(self.observation),
            "marks": [mark_json(m) for m in self.marks],
            "debrief_notes": [debrief_note_json(n) for n in self.debrief_notes],
            "amendments": [amendment_json(a) for a in self.amendments],
        })

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.to_bytes()).hexdigest()


def decode_version(data: bytes) -> ObservationVersion:
    """Read back ``ObservationVersion.to_bytes()`` (a kept conflicting version)."""
    value = _parse_json(data)
    top = _Obj(value, "version", ("observation", "marks", "debrief_notes", "amendments"))
    observation = _read_observation(top.raw("observation"), "version.observation")
    version = ObservationVersion.of(
        observation,
        _rows(top, "marks", _read_mark),
        _rows(top, "debrief_notes", _read_debrief_note),
        _rows(top, "amendments", _read_amendment),
    )
    owners = {m.observation_id for m in version.marks}
    owners |= {n.observation_id for n in version.debrief_notes}
    owners |= {a.observation_id for a in version.amendments}
    if owners - {observation.id}:
            raise _fail("version", "rows of another observation")
    return version


def versions_of(payload: ExportPayload) -> tuple[ObservationVersion, ...]:
    """Each observation in ``payload`` with its own marks, notes and amendments."""
    marks: dict[uuid.UUID, list[Mark]] = {}
    notes: dict[uuid.UUID, list[DebriefNote]] = {}
    amendments: dict[uuid.UUID, list[Amendment]] = {}
    for m in payload.marks:
        marks.setdefault(m.observation_id, []).append(m)
    for n in payload.debrief_notes:
        notes.setdefault(n.observation_id, []).append(n)
    for a in payload.amendments:
        amendments.setdefault(a.observation_id, []).append(a)
    return tuple(
        ObservationVersion.of(o, marks.get(o.id, ()), notes.get(o.id, ()),
                              amendments.get(o.id, ()))
        for o in payload.observations
    )
