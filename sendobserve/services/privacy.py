"""Data protection: subject access, erasure and its signed record, leaving the panel, the
retention schedule (Qt-free).

The command line (``sendobserve subject-access``, ``erase``, ``left-panel``,
``retention``) and the app (File ▸ Data protection…, the trainee's record) call these; the
rules themselves are in ``storage.erasure``, ``storage.retention`` and
``model.retention``. Each takes an open store; each write returns ``Done``.
"""

from __future__ import annotations

import contextlib
import json
import uuid
from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING, Any

from sendobserve.errors import UserError
from sendobserve.model.vocabulary import day_text, fold_name
from sendobserve.services import Done
from sendobserve.services.changes import EVERYTHING, NOTHING, Changes

if TYPE_CHECKING:
    from sendobserve.model.retention import Event, Kind, RetentionPlan, Rule
    from sendobserve.services import Sessions
    from sendobserve.storage.db import Store
    from sendobserve.storage.erasure import ErasureResult


# --- subject access ----------------------------------------------------------------------

@dataclass(frozen=True)
class Person:
    """Whom a request is about: their name, and their ids as a mediator and as an
    observer (either may be None)."""

    name: str
    mediator_id: uuid.UUID | None
    observer_id: uuid.UUID | None = None


def resolve_person(store: Sessions, text: str) -> Person:
    """The person a request names (a name or a mediator's id): the mediator it resolves
    to, and the observer, mentor or signer under exactly that name. Neither is an error;
    two observers under the name are for a person to tell apart."""
    from sendobserve.storage.repositories import MediatorRepository, ObserverRepository

    mediator = None
    with contextlib.suppress(UserError):
        mediator = MediatorRepository(store.session).resolve(text)
    wanted = fold_name(mediator.name if mediator else text)
    observers = [o for o in ObserverRepository(store.session).find(text)
                 if fold_name(o.name) == wanted]
    if mediator is None and not observers:
        raise UserError(f"No mediator or observer called {text!r}",
                        hint="`sendobserve mediators` lists the mediators.")
    if len(observers) > 1:
        raise UserError(f"More than one observer is called {text!r}; answer for each by hand")
    observer = observers[0] if observers else None
    name = mediator.name if mediator else observer.name  # type: ignore[union-attr]
    return Person(name, mediator.id if mediator else None, observer.id if observer else None)


def import_sources(store: Sessions) -> list[str]:
    """One sentence per exchange file this store imported: who exported it, from which
    installation, when (a subject-access answer names where the data came from)."""
    from sqlalchemy import select

    from sendobserve.storage.exchange import ExchangeImportRecord

    with store.session() as session:
        rows = session.scalars(select(ExchangeImportRecord)).all()
        return [
            f"Imported on {day_text(r.imported_at)}: a file exported by {r.exported_by} "
            f"(installation {r.signer_fingerprint}) on {day_text(r.exported_at)}."
            for r in rows
        ]


@dataclass(frozen=True)
class SubjectAccess:
    """Everything the store holds about one person, table by table, and the files it
    came from; as JSON (machine-readable) and as a PDF (readable)."""

    person: Person
    made_on: date
    records: dict[str, list[dict[str, Any]]]
    sources: list[str]

    @property
    def count(self) -> int:
        return sum(len(rows) for rows in self.records.values())

    def json_bytes(self) -> bytes:
        p = self.person
        payload = {"person": p.name,
                   "mediator_id": str(p.mediator_id) if p.mediator_id else None,
                   "observer_id": str(p.observer_id) if p.observer_id else None,
                   "made_on": self.made_on.isoformat(), "sources": self.sources,
                   "records": self.records}
        return json.dumps(payload, indent=2, ensure_ascii=False, default=str).encode("utf-8")

    def pdf_bytes(self) -> bytes:
        from sendobserve.reports.subject_access import subject_access_pdf

        return subject_access_pdf(self.person.name, self.records, made_on=self.made_on,
                                  sources=self.sources)


def subject_access(store: Store, person: Person, *, made_on: date) -> SubjectAccess:
    """The answer to a subject-access request (UK GDPR Art. 15). Reads only."""
    from sendobserve.storage.erasure import subject_access as held

    return SubjectAccess(person, made_on,
                         held(store, person.mediator_id, observer_id=person.observer_id),
                         import_sources(store))


# --- erasure -----------------------------------------------------------------------------

def erase_mediator(store: Store, mediator_id: uuid.UUID, *,
                   keep_certificates: bool = True) -> Done[ErasureResult]:
    """Erase one mediator here and in every backup (UK GDPR Art. 17), keeping the signed
    erasure record that carries it to other copies."""
    from sendobserve.storage import erasure

    return Done(erasure.erase_mediator(store, mediator_id,
                                       keep_certificates=keep_certificates), EVERYTHING)


def finish_erasures(store: Store) -> Done[list[ErasureResult]]:
    """Finish any erasure a crash or an import left half-done (log, vacuum, backups)."""
    from sendobserve.storage.erasure import complete_erasures

    done = complete_erasures(store)
    return Done(done, EVERYTHING if done else NOTHING)


def erasure_records_file(store: Sessions, *, signer_name: str | None, passphrase: str,
                         recipients: tuple[bytes, ...] = ()) -> tuple[bytes, int]:
    """A sealed exchange file carrying only the erasure records this store holds, signed
    by this installation (as ``signer_name``, else its own name), and how many it
    carries. Importing it elsewhere erases there, where this installation may erase."""
    from sendobserve.exchange.bundle import seal
    from sendobserve.exchange.export import erasure_payload
    from sendobserve.pki.identity import load_or_create_identity
    from sendobserve.storage import exchange as stored

    with store.session() as session:
        identity = load_or_create_identity(stored.StoredSigningKey(session))
        signer = (signer_name or "").strip() or stored.identity_name(session)
        if not signer:
            raise UserError("say who is sending the record: add --as NAME",
                            hint="Or set it once with: sendobserve identity --set-name NAME")
        payload = erasure_payload(session, exported_by=signer)
    data = seal(payload, passphrase=passphrase, signing_key=identity, recipients=recipients)
    return data, len(payload.erasures)


# --- leaving the panel, retention ----------------------------------------------------------

def left_panel_on(store: Sessions, mediator_id: uuid.UUID) -> date | None:
    """The day the mediator left the provider's panel, if recorded (a retention event)."""
    from sendobserve.storage.retention import left_panel_on as recorded

    with store.session() as session:
        return recorded(session, mediator_id)


def set_left_panel(store: Sessions, mediator_id: uuid.UUID, day: date | None, *,
                   today: date | None = None) -> Done[date | None]:
    """Record (or, with None, clear) the day the mediator left the panel; a day after
    ``today`` is refused. It stays in this store (it does not travel)."""
    from sendobserve.storage.retention import set_left_panel as record

    with store.session() as session:
        record(session, mediator_id, day, today=today)
    return Done(day, Changes(people=True, mediators=frozenset({mediator_id})))


def set_retention_periods(
    store: Store, settings: list[tuple[Kind, int | None, Event | None]]
) -> Done[dict[Kind, Rule]]:
    """Change the periods of some kinds of record (``model.retention.parse_setting``'s
    KIND, YEARS, EVENT; an EVENT of None keeps the kind's); the schedule as saved."""
    from sendobserve.storage.retention import load_schedule, save_schedule

    with store.session() as session:
        schedule = load_schedule(session)
    for kind, years, event in settings:
        schedule[kind] = replace(schedule[kind], years=years,
                                 counted_from=event or schedule[kind].counted_from,
                                 reason="Set by the provider.")
    save_schedule(store, schedule)
    return Done(schedule, Changes(settings=True))


def retention_plan(store: Store, *, today: date) -> RetentionPlan:
    """The schedule and what it says may go ``today``. Reads only."""
    from sendobserve.storage.retention import plan_for_store

    return plan_for_store(store, today=today)


def apply_retention(store: Store, plan: RetentionPlan) -> Done[dict[str, int]]:
    """Remove what ``plan`` says is due, in one transaction; how many of each kind (the
    privacy log keeps the counts, never the content)."""
    from sendobserve.storage import retention

    done = retention.apply_retention(store, plan)
    return Done(done, EVERYTHING if any(done.values()) else NOTHING)


__all__ = ["Person", "SubjectAccess", "apply_retention", "erase_mediator",
           "erasure_records_file", "finish_erasures", "import_sources", "left_panel_on",
           "resolve_person", "retention_plan", "set_left_panel", "set_retention_periods",
           "subject_access"]
