"""The exact text of every form version an observation was made on.

A version, once stored, never changes: storing different text under the same
(form_id, version) is refused, so an observation always reopens on what it was made on.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from sendobserve.errors import UserError
from sendobserve.forms.definition import FormDefinition
from sendobserve.forms.registry import FormRegistry
from sendobserve.model.domain import utcnow
from sendobserve.storage.meta import StoreMetaRecord, set_meta
from sendobserve.storage.records import FormVersionRecord
from sendobserve.storage.repositories._common import Sessions, as_factory, unit_of_work


@dataclass(frozen=True, slots=True)
class StoredFormVersion:
    form_id: str
    version: str
    source: str  # the YAML text, exactly as loaded
    sha256: str  # of the UTF-8 source, hex
    stored_at: datetime


class FormVersionConflict(UserError):
    """Two different texts claim the same form id and version."""


def source_sha256(source: str) -> str:
    return hashlib.sha256(source.encode("utf-8")).hexdigest()


class FormVersionRepository:
    def __init__(self, sessions: Sessions):
        self._sessions = as_factory(sessions)

    def store(self, form_id: str, version: str, source: str) -> StoredFormVersion:
        """Keep ``source`` for (form_id, version). Storing the same text again is a no-op."""
        if not form_id.strip() or not version.strip():
            raise UserError("A form needs an id and a version to be stored")
        digest = source_sha256(source)
        with self._sessions() as s:
            row = s.get(FormVersionRecord, (form_id, version))
            if row is None:
                row = FormVersionRecord(
                    form_id=form_id,
                    version=version,
                    source=source,
                    sha256=digest,
                    stored_at=utcnow(),
                )
                s.add(row)
                s.flush()
            elif row.sha256 != digest:
                raise FormVersionConflict(
                    f"Form {form_id} version {version} is already stored with different content",
                    hint="Give an adapted form a version name of its own.",
                )
            return _stored(row)

    def ensure(self, definition: FormDefinition) -> StoredFormVersion:
        """Store ``definition`` in its one canonical text (``dump_form``), once.

        Every caller that stores a parsed definition goes through here, so the demo, the
        workspace and an import from another installation all write the same bytes for the
        same version, and never trip over ``FormVersionConflict`` with each other.
        """
        from sendobserve.forms.loader import dump_form

        existing = self.get(definition.form_id, definition.version)
        if existing is not None:
            return existing
        return self.store(definition.form_id, definition.version, dump_form(definition))

    def get(self, form_id: str, version: str) -> StoredFormVersion | None:
        with self._sessions() as s:
            row = s.get(FormVersionRecord, (form_id, version))
            return None if row is None else _stored(row)

    def list(self) -> tuple[StoredFormVersion, ...]:
        with self._sessions() as s:
            rows = s.scalars(
                select(FormVersionRecord).order_by(
                    FormVersionRecord.form_id, FormVersionRecord.stored_at
                )
            )
            return tuple(_stored(r) for r in rows)


def _stored(row: FormVersionRecord) -> StoredFormVersion:
    return StoredFormVersion(
        form_id=row.form_id,
        version=row.version,
        source=row.source,
        sha256=row.sha256,
        stored_at=row.stored_at,
    )


DEFAULT_KEY_PREFIX = "form_default."


def load_registry(sessions: Sessions) -> FormRegistry:
    """The forms this store works with: the Standards' own, every version stored with its
    records (a provider's adaptations among them), and the store's choice of default.

    Versions are added base-first, so an adaptation finds the version it is based on.
    """
    from sendobserve.forms.loader import load_form_text

    registry = FormRegistry.standard()
    with unit_of_work(sessions) as s:
        stored = FormVersionRepository(s).list()
        rows = s.scalars(
            select(StoreMetaRecord).where(StoreMetaRecord.key.startswith(DEFAULT_KEY_PREFIX))
        )
        defaults = {row.key.removeprefix(DEFAULT_KEY_PREFIX): row.value for row in rows}
    parsed = [
        load_form_text(v.source, f"{v.form_id} {v.version} (stored)")
        for v in stored
        if (v.form_id, v.version) not in registry
    ]
    for definition in sorted(parsed, key=lambda d: d.based_on is not None):
        registry.add(definition, source_name=f"{definition.form_id} {definition.version}")
    for form_id, version in defaults.items():
        if (form_id, version) in registry:
            registry.set_default(form_id, version)
    return registry


def install_form(
    sessions: Sessions, source: str, source_name: str, *, make_default: bool
) -> FormDefinition:
    """Check a provider's form text against the forms in use and store it (one transaction).

    Refused (``FormFileError``/``FormAdaptationError``, nothing stored) if the file does not
    validate or drops, demotes or moves a core criterion. ``make_default`` makes new
    observations of that form start on it; observations already made keep their version.
    """
    from sendobserve.forms.loader import load_form_text

    sessions = as_factory(sessions)
    definition = load_form_text(source, source_name)
    registry = load_registry(sessions)
    registry.add(definition, source_name=source_name)  # raises before anything is written
    with sessions() as s:
        FormVersionRepository(s).store(definition.form_id, definition.version, source)
        if make_default:
            set_meta(s, DEFAULT_KEY_PREFIX + definition.form_id, definition.version)
    return definition
