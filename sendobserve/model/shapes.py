"""Each record's shape, declared once: one field table per record kind.

The frozen dataclasses in ``model.domain`` say what a record *is*; the tables here say,
field by field, what every layer that moves a record needs to know about it: its type,
whether it may be empty, how long its text may be, whether it is trimmed when a person
types it, whether it is part of a version's identity, and how files written before the
field existed are read. Nothing else lists these records' fields by hand (the few
exceptions, such as the tick's plain SQL and the author's signed origin, are named in
ARCHITECTURE.md):

- ``storage.repositories._convert`` builds rows from records and records from rows by
  walking these tables (a row has one column per field, of the same name; a nested
  record, the observation's signature, has columns ``<field>_<name>``);
- ``storage.repositories.bulk`` and the repositories write rows through the same walk,
  after ``prepared`` trimmed the text a person typed and checked its length;
- ``exchange.shaped`` writes each field to the exchange file's JSON and reads it back,
  with the table's limits (a file that breaks one is refused, naming the field);
- ``exchange.logs`` takes a version's digest over the table's ``digest`` fields.

Adding a field to a record: the dataclass, the row's column, one migration and one
``Field`` here (ARCHITECTURE.md, "How to add a record field"). A test checks that every
table matches its dataclass and its row.

Qt-free and storage-free: this module may only import from ``model``.
"""

from __future__ import annotations

from dataclasses import MISSING, dataclass, replace
from dataclasses import fields as dataclass_fields
from enum import StrEnum
from typing import Any, TypeVar

from sendobserve.model.domain import (
    Amendment,
    Case,
    CaseKind,
    Contact,
    ContactKind,
    Cpd,
    CpdKind,
    DebriefNote,
    Discretion,
    Mark,
    MarkChange,
    MarkState,
    Mediator,
    Observation,
    ObservationState,
    Observer,
    ObserverRole,
    PassportRoute,
    ProfessionalBody,
    RecognisingBody,
    Reflection,
    Signature,
    TraineeRole,
    Training,
    TrainingKind,
)
from sendobserve.model.validation import ValidationError

R = TypeVar("R")

# Text limits: the store's column sizes, so that anything accepted fits and travels.
NAME = 200  # a person's name
REFERENCE = 100  # a case reference, a PPC register entry, a local authority
FORM_KEY = 64  # form ids and form versions
CRITERION = 128  # criterion and sub-item ids
LONG_TEXT = 20_000  # a summary, a note, a reason
MAX_ORDINAL = 1000


class FieldType(StrEnum):
    UUID = "uuid"
    TEXT = "text"
    DAY = "day"  # a calendar date
    MOMENT = "moment"  # a timezone-aware UTC timestamp
    HOURS = "hours"  # an exact Decimal
    BOOL = "bool"
    INT = "int"
    ENUM = "enum"
    PNG = "png"  # a drawn signature, PNG bytes
    RECORD = "record"  # a nested record with its own table (the observation's signature)
    ROWS = "rows"  # a tuple of nested records, each with its own table, in their order


class InFile(StrEnum):
    """How a field travels in an exchange file."""

    ALWAYS = "always"  # always written; a file without it is refused
    # Always written; a file without it (written before the field travelled) is read with
    # the field's default.
    READ_IF_PRESENT = "read_if_present"
    # Written only when it holds a value, read with its default when absent: a file (and
    # a version's digest) without a value is byte for byte what it was before the field
    # existed, so older installations still read it. How a new field is added.
    WHEN_SET = "when_set"


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    kind: FieldType  # the kind of value
    optional: bool = False  # may be None
    enum: type[StrEnum] | None = None  # FieldType.ENUM: the enum
    limit: int = 0  # FieldType.TEXT: at most this many characters
    multiline: bool = False  # TEXT: line breaks (and tabs) allowed
    blank: bool = False  # TEXT: may be empty (an optional one-line text is None instead)
    trim: bool = False  # TEXT: leading and trailing spaces dropped as a person types it
    low: int = 0  # INT: smallest value
    high: int = 0  # INT: largest value
    digest: bool = True  # part of a version's identity (a creation time is not)
    fixed: bool = False  # set when the record is made, never by an edit (ids, owner, created)
    column: str = ""  # the row's column, when not the field's name
    in_file: InFile = InFile.ALWAYS
    record: Shape | None = None  # RECORD, ROWS: the nested record's table


@dataclass(frozen=True, slots=True)
class Shape:
    """The field table of one record kind, in the dataclass's field order."""

    kind: str  # the record's name in the exchange file's history and conflicts
    cls: type[Any]
    fields: tuple[Field, ...]

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    def default(self, name: str) -> Any:
        """The dataclass's default for ``name`` (what a file without the field means)."""
        for f in dataclass_fields(self.cls):
            if f.name == name:
                if f.default is not MISSING:
                    return f.default
                if f.default_factory is not MISSING:
                    return f.default_factory()
        raise KeyError(f"{self.cls.__name__}.{name} has no default")


def _uuid(name: str, *, optional: bool = False, fixed: bool = False) -> Field:
    return Field(name, FieldType.UUID, optional=optional, fixed=fixed)


_ID = Field("id", FieldType.UUID, fixed=True)
_OWNER = Field("mediator_id", FieldType.UUID, fixed=True)  # a record never changes hands


def _line(name: str, limit: int, *, optional: bool = False, trim: bool = True,
          in_file: InFile = InFile.ALWAYS) -> Field:
    """One line of text a person types (a name, a reference): trimmed, never empty."""
    return Field(name, FieldType.TEXT, optional=optional, limit=limit, trim=trim,
                 in_file=in_file)


def _prose(name: str, *, limit: int = LONG_TEXT) -> Field:
    """Free text: several lines, may be empty."""
    return Field(name, FieldType.TEXT, limit=limit, multiline=True, blank=True)


def _enum(name: str, enum: type[StrEnum], *, optional: bool = False,
          in_file: InFile = InFile.ALWAYS) -> Field:
    return Field(name, FieldType.ENUM, optional=optional, enum=enum, in_file=in_file)


def _day(name: str, *, optional: bool = False, in_file: InFile = InFile.ALWAYS) -> Field:
    return Field(name, FieldType.DAY, optional=optional, in_file=in_file)


def _created(name: str = "created_at") -> Field:
    return Field(name, FieldType.MOMENT, digest=False, fixed=True)


_HOURS = Field("hours", FieldType.HOURS)
_BOOL = FieldType.BOOL

MEDIATOR = Shape("mediator", Mediator, (
    _ID,
    _line("name", NAME),
    _enum("professional_body", ProfessionalBody),
    Field("passported", _BOOL),
    _day("send_practice_since", optional=True),
    _day("lead_since", optional=True),
    _day("accredited_on", optional=True),
    _created(),
    # The rulebook's facts (§1.6): files written before they travelled lack them.
    Field("rules_edition", FieldType.TEXT, optional=True, limit=FORM_KEY,
          in_file=InFile.READ_IF_PRESENT),
    _enum("passport_route", PassportRoute, optional=True, in_file=InFile.READ_IF_PRESENT),
    _line("panel_confirmed_by", NAME, optional=True, in_file=InFile.READ_IF_PRESENT),
    _day("panel_confirmed_on", optional=True, in_file=InFile.READ_IF_PRESENT),
))

OBSERVER = Shape("observer", Observer, (
    _ID,
    _line("name", NAME),
    _enum("role", ObserverRole),
    Field("experienced_send", _BOOL),
    _line("ppc_register_entry", REFERENCE, optional=True),
    _created(),
))

CASE = Shape("case", Case, (
    _ID,
    _OWNER,
    _line("reference", REFERENCE),
    _day("case_date"),
    _enum("kind", CaseKind),
    _enum("trainee_role", TraineeRole),
    Field("casework_hours", FieldType.HOURS),
    _created(),
    _line("local_authority", REFERENCE, optional=True, in_file=InFile.WHEN_SET),
))

SIGNATURE = Shape("signature", Signature, (
    Field("name", FieldType.TEXT, limit=NAME),
    _enum("role", ObserverRole),
    _day("signed_on"),
    Field("drawing_png", FieldType.PNG, optional=True, column="png"),
))

# The observation's header: who, what, when, its state and signature. Its marks, notes
# and amendments travel as their own lists.
OBSERVATION = Shape("observation", Observation, (
    _ID,
    _uuid("case_id"),
    _uuid("mediator_id"),
    _uuid("observer_id"),
    Field("form_id", FieldType.TEXT, limit=FORM_KEY),
    Field("form_version", FieldType.TEXT, limit=FORM_KEY),
    Field("ordinal", FieldType.INT, low=1, high=MAX_ORDINAL),
    _day("observed_on"),
    _enum("state", ObservationState),
    Field("signature", FieldType.RECORD, optional=True, record=SIGNATURE),
    _created(),
    Field("updated_at", FieldType.MOMENT),
    Field("finalised_at", FieldType.MOMENT, optional=True),
))

TRAINING = Shape("training", Training, (
    _ID,
    _OWNER,
    _enum("kind", TrainingKind),
    _line("title", NAME),
    _line("provider", NAME),
    _enum("recognising_body", RecognisingBody),
    _day("start_date"),
    _day("end_date"),
    _HOURS,
))

REFLECTION = Shape("reflections", Reflection, (
    _ID,
    _OWNER,
    _day("reflected_on"),
    _HOURS,
    _line("with_whom", NAME),
    _prose("summary"),
))

CPD = Shape("cpd", Cpd, (
    _ID,
    _OWNER,
    _day("done_on"),
    _HOURS,
    _enum("kind", CpdKind),
    _prose("description"),
))

CONTACT = Shape("contacts", Contact, (
    _ID,
    _OWNER,
    _enum("kind", ContactKind),
    _day("met_on"),
    _line("with_whom", NAME),
    _uuid("observer_id", optional=True),
    _HOURS,
    _prose("notes"),
))

DISCRETION = Shape("discretions", Discretion, (
    _ID,
    _OWNER,
    _line("requirement_id", FORM_KEY),
    _line("decided_by", NAME),
    _enum("role", ObserverRole),
    _prose("reason"),
    _day("decided_on"),
    # The parties the edition asks for (§1.3: assessor, provider and mediator). Empty
    # until the provider agreed; read as free text, as it always was.
    Field("provider_agreed_by", FieldType.TEXT, limit=NAME, multiline=True, blank=True,
          trim=True),
    Field("mediator_agreed", _BOOL),
))

# The observation's body: its marks, de-brief notes and the changes an amendment made.
MARK = Shape("mark", Mark, (
    Field("observation_id", FieldType.UUID, fixed=True),
    Field("criterion_id", FieldType.TEXT, limit=CRITERION, fixed=True),
    _enum("state", MarkState),
    _prose("note"),
    Field("marked_at", FieldType.MOMENT),
))

DEBRIEF_NOTE = Shape("debrief_note", DebriefNote, (
    Field("observation_id", FieldType.UUID, fixed=True),
    Field("criterion_id", FieldType.TEXT, limit=CRITERION, fixed=True),
    _prose("text"),
    Field("updated_at", FieldType.MOMENT),
))

MARK_CHANGE = Shape("mark_change", MarkChange, (
    Field("criterion_id", FieldType.TEXT, limit=CRITERION),
    _enum("old_state", MarkState),
    _enum("new_state", MarkState),
    _prose("old_note"),
    _prose("new_note"),
))

# A correction to a finalised observation; its changes are rows of their own (stored in
# a child table in their order, travelling as a list).
AMENDMENT = Shape("amendment", Amendment, (
    _ID,
    Field("observation_id", FieldType.UUID, fixed=True),
    Field("reason", FieldType.TEXT, limit=LONG_TEXT, multiline=True),
    Field("amended_by", FieldType.TEXT, limit=NAME),
    Field("amended_at", FieldType.MOMENT),
    Field("changes", FieldType.ROWS, record=MARK_CHANGE),
))

# The practice-period log, by the name of its list in the exchange file.
LOG_SHAPES: dict[str, Shape] = {s.kind: s for s in (TRAINING, REFLECTION, CPD, CONTACT,
                                                     DISCRETION)}
SHAPES: tuple[Shape, ...] = (MEDIATOR, OBSERVER, CASE, OBSERVATION, *LOG_SHAPES.values(),
                              MARK, DEBRIEF_NOTE, MARK_CHANGE, AMENDMENT)
SHAPE_OF: dict[type[Any], Shape] = {s.cls: s for s in (*SHAPES, SIGNATURE)}


def shape_of(record: object) -> Shape:
    return SHAPE_OF[type(record)]


def clean(record: R) -> R:
    """``record`` as a person meant it: text fields marked ``trim`` without surrounding
    spaces (an optional one that is left blank: None). Repositories and the bulk writer
    store records cleaned; the exchange stores what the file says."""
    shape = SHAPE_OF[type(record)]
    changes: dict[str, Any] = {}
    for f in shape.fields:
        if f.trim:
            value = getattr(record, f.name)
            if isinstance(value, str):
                trimmed: str | None = value.strip()
                if f.optional and not trimmed:
                    trimmed = None
                if trimmed != value:
                    changes[f.name] = trimmed
    return replace(record, **changes) if changes else record  # type: ignore[type-var]


def check_lengths(record: object) -> None:
    """Refuse text longer than its field's table allows (the column's size, and what the
    exchange file accepts): stored, it could never be exported."""
    for f in SHAPE_OF[type(record)].fields:
        value = getattr(record, f.name)
        if f.kind is FieldType.TEXT and isinstance(value, str) and len(value) > f.limit:
            raise ValidationError(
                f"The {f.name.replace('_', ' ')} is longer than {f.limit:,} characters "
                f"({len(value):,})", field=f.name)


def prepared(record: R) -> R:
    """``record`` cleaned and its lengths checked: what a repository stores."""
    record = clean(record)
    check_lengths(record)
    return record
