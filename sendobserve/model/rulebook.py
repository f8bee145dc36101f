"""The Standards as data: one file per edition, and the rules the engine reads from it.

An edition of the *Professional Standards for Mediators Working With SEND* is a YAML file
in ``resources/editions/`` (found through ``sendobserve.paths.resource_dir()``)::

    edition: standards-2018-v1          # a stable id, recorded per practice period
    title: …                            # the document's title
    version: "1"                        # the Standards' own version
    published: May 2018
    in_force_from: 2018-05-01           # the edition in force on a day is the latest
                                        # whose in_force_from is on or before it
    forms: {form1: standards-2018, …}   # Forms 1–3 of the edition: form id → version
    form_files: [forms/form2-x.yaml]    # optional, for an edition loaded from elsewhere:
                                        # its form files, relative to the edition file
                                        # (a shipped edition keeps its forms in
                                        # resources/forms/, where the registry loads them)
    requirements:                       # every requirement the program checks
      - id: foundation_training         # one of ``sendobserve.model.requirements``
        applies_to: accreditation       # accreditation | renewal | passport
        title: …                        # what the screens and certificates print
        paragraph: "§1.1"
        quote: "…"                      # the Standards' words
        threshold: 40                   # hours or a count, where the rule has a figure
        discretion: practice_shape      # optional: the discretion place that covers it
    discretion:                         # the only places discretion is allowed
      - {id: practice_shape, paragraph: "§1.3", quote: "…",
         parties: [assessor, provider, mediator]}
    signers: {form4: "…", form5: "…", portfolio: "…"}
    decisions:                          # where the Standards are silent
      - {id: …, applies_to: [requirement ids], paragraph: "…", decision: "…", reason: "…"}

A revised edition is a new file (and its forms): no code changes, as long as it names the
same requirements (a requirement the program has no check for is refused with the file's
name). Pure apart from reading the files; Qt-free.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Final

import yaml

from sendobserve.errors import UserError

EDITIONS_DIR: Final = "editions"
APPLIES_TO: Final = ("accreditation", "renewal", "passport")
PARTIES: Final = ("assessor", "provider", "mediator")
PARTY_LABELS: Final = {
    "assessor": "the assessor",
    "provider": "the provider",
    "mediator": "the mediator",
}


class RulebookError(UserError):
    """An edition file the program cannot use; the message names the file and the field."""


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    applies_to: str
    title: str
    paragraph: str
    quote: str = ""
    threshold: Decimal | None = None
    discretion: str | None = None  # the id of the discretion place that covers it


@dataclass(frozen=True, slots=True)
class DiscretionPlace:
    id: str
    paragraph: str
    quote: str
    parties: tuple[str, ...]

    @property
    def parties_text(self) -> str:
        labels = [PARTY_LABELS[p] for p in self.parties]
        if len(labels) == 1:
            return labels[0]
        return ", ".join(labels[:-1]) + " and " + labels[-1]


@dataclass(frozen=True, slots=True)
class Decision:
    """A rule the program chose where the Standards are silent."""

    id: str
    applies_to: tuple[str, ...]
    paragraph: str
    decision: str
    reason: str

    @property
    def sentence(self) -> str:
        return f"Decision of this program ({self.paragraph}): {self.decision}"

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "applies_to": list(self.applies_to),
            "paragraph": self.paragraph,
            "decision": self.decision,
            "reason": self.reason,
        }


@dataclass(frozen=True, slots=True)
class Edition:
    id: str
    title: str
    version: str
    published: str
    in_force_from: date
    forms: Mapping[str, str]
    requirements: Mapping[str, Rule]
    discretion: Mapping[str, DiscretionPlace]
    decisions: tuple[Decision, ...]
    signers: Mapping[str, str] = field(default_factory=dict)
    form_files: tuple[Path, ...] = ()
    source: str = ""

    @property
    def label(self) -> str:
        return f"{self.title}, version {self.version} ({self.published})"

    def rule(self, requirement_id: str) -> Rule:
        try:
            return self.requirements[requirement_id]
        except KeyError:
            raise KeyError(f"{self.id} has no requirement {requirement_id}") from None

    def threshold(self, requirement_id: str) -> Decimal:
        value = self.rule(requirement_id).threshold
        if value is None:
            raise KeyError(f"{self.id}: requirement {requirement_id} has no threshold")
        return value

    def count(self, requirement_id: str) -> int:
        return int(self.threshold(requirement_id))

    def ids(self, applies_to: str) -> tuple[str, ...]:
        return tuple(r.id for r in self.requirements.values() if r.applies_to == applies_to)

    def discretion_for(self, requirement_id: str) -> DiscretionPlace | None:
        rule = self.requirements.get(requirement_id)
        if rule is None or rule.discretion is None:
            return None
        return self.discretion[rule.discretion]

    def decisions_for(self, requirement_id: str) -> tuple[Decision, ...]:
        return tuple(d for d in self.decisions if requirement_id in d.applies_to)

    def decision(self, decision_id: str) -> Decision:
        return next(d for d in self.decisions if d.id == decision_id)

    def no_discretion_sentence(self, requirement_id: str) -> str:
        """Why a discretion on this requirement is refused, naming its paragraph."""
        rule = self.requirements.get(requirement_id)
        what = f"“{rule.title}” ({rule.paragraph})" if rule else f"“{requirement_id}”"
        places = "; ".join(
            f"{p.paragraph}: {', '.join(self._titles_under(p.id))}"
            for p in self.discretion.values()
        )
        return (
            f"No discretion is allowed on {what}: the Standards allow discretion only"
            f" in {places}"
        )

    def _titles_under(self, place_id: str) -> list[str]:
        return [r.title[:1].lower() + r.title[1:] for r in self.requirements.values()
                if r.discretion == place_id]

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "version": self.version,
            "published": self.published,
            "in_force_from": self.in_force_from.isoformat(),
        }


@dataclass(frozen=True, slots=True)
class Rulebook:
    """Every edition known, oldest first."""

    editions: tuple[Edition, ...]

    def __iter__(self) -> Iterator[Edition]:
        return iter(self.editions)

    def get(self, edition_id: str) -> Edition:
        for e in self.editions:
            if e.id == edition_id:
                return e
        known = ", ".join(e.id for e in self.editions)
        raise RulebookError(
            f"unknown edition of the Standards: {edition_id}", hint=f"Known: {known}."
        )

    def in_force_on(self, day: date) -> Edition:
        """The latest edition in force on ``day`` (the earliest if ``day`` is before all)."""
        current = self.editions[0]
        for e in self.editions:
            if e.in_force_from <= day:
                current = e
        return current

    def with_editions(self, more: Iterable[Edition]) -> Rulebook:
        return Rulebook(_ordered([*self.editions, *more]))


def _ordered(editions: list[Edition]) -> tuple[Edition, ...]:
    seen: dict[str, Edition] = {}
    for e in editions:
        if e.id in seen:
            raise RulebookError(
                f"{e.source}: edition {e.id} is already loaded from {seen[e.id].source}"
            )
        seen[e.id] = e
    if not seen:
        raise RulebookError("no edition of the Standards is loaded")
    return tuple(sorted(seen.values(), key=lambda e: (e.in_force_from, e.id)))


# --- Loading ------------------------------------------------------------------------------


class _Reader:
    def __init__(self, name: str):
        self.name = name

    def fail(self, where: str, message: str) -> RulebookError:
        return RulebookError(f"{self.name}: {where}: {message}")

    def text(self, data: Mapping[str, Any], key: str, where: str, *, required: bool = True
             ) -> str:
        value = data.get(key)
        if value is None and not required:
            return ""
        if not isinstance(value, (str, int)) or not str(value).strip():
            raise self.fail(where, f"'{key}' must be non-empty text")
        return str(value).strip()

    def mapping(self, value: object, where: str) -> Mapping[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(where, "must be a mapping")
        return value

    def listing(self, value: object, where: str) -> list[Any]:
        if not isinstance(value, list):
            raise self.fail(where, "must be a list")
        return value


def load_edition(path: Path) -> Edition:
    """One edition file; ``RulebookError`` naming the file and field for anything wrong."""
    from sendobserve.model.requirements import REQUIREMENTS

    rd = _Reader(path.name)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise RulebookError(f"{path.name}: cannot be read as YAML: {exc}") from None
    top = rd.mapping(raw, "the file")
    edition_id = rd.text(top, "edition", "top")
    in_force = top.get("in_force_from")
    if not isinstance(in_force, date):
        raise rd.fail("in_force_from", "must be a date (YYYY-MM-DD)")
    forms = {str(k): str(v) for k, v in rd.mapping(top.get("forms"), "forms").items()}
    for form_id in ("form1", "form2", "form3"):
        if form_id not in forms:
            raise rd.fail("forms", f"must name the version of {form_id}")

    places: dict[str, DiscretionPlace] = {}
    for i, item in enumerate(rd.listing(top.get("discretion", []), "discretion"), 1):
        m = rd.mapping(item, f"discretion {i}")
        pid = rd.text(m, "id", f"discretion {i}")
        parties = tuple(str(p) for p in rd.listing(m.get("parties"), f"discretion {pid}"))
        bad = [p for p in parties if p not in PARTIES]
        if bad or not parties:
            raise rd.fail(f"discretion {pid}", f"parties must be some of {', '.join(PARTIES)}")
        places[pid] = DiscretionPlace(
            pid, rd.text(m, "paragraph", f"discretion {pid}"),
            rd.text(m, "quote", f"discretion {pid}", required=False), parties,
        )

    rules: dict[str, Rule] = {}
    for i, item in enumerate(rd.listing(top.get("requirements"), "requirements"), 1):
        m = rd.mapping(item, f"requirement {i}")
        rid = rd.text(m, "id", f"requirement {i}")
        where = f"requirement {rid}"
        if rid not in REQUIREMENTS:
            raise rd.fail(where, "is not a requirement this program knows how to check")
        if rid in rules:
            raise rd.fail(where, "is listed twice")
        applies = rd.text(m, "applies_to", where)
        if applies not in APPLIES_TO:
            raise rd.fail(where, f"applies_to must be one of {', '.join(APPLIES_TO)}")
        threshold: Decimal | None = None
        if m.get("threshold") is not None:
            try:
                threshold = Decimal(str(m["threshold"]))
            except InvalidOperation:
                raise rd.fail(where, "threshold must be a number") from None
            if not threshold.is_finite() or threshold < 0:
                raise rd.fail(where, "threshold must be a number of 0 or more")
        place = m.get("discretion")
        if place is not None and place not in places:
            raise rd.fail(where, f"discretion '{place}' is not listed under discretion")
        rules[rid] = Rule(
            rid, applies, rd.text(m, "title", where), rd.text(m, "paragraph", where),
            rd.text(m, "quote", where, required=False), threshold,
            str(place) if place is not None else None,
        )
    missing = [rid for rid in REQUIREMENTS if rid not in rules]
    if missing:
        raise rd.fail("requirements", f"must include {', '.join(missing)}")
    for rid in _THRESHOLD_NEEDED:
        if rules[rid].threshold is None:
            raise rd.fail(f"requirement {rid}", "needs a threshold")

    decisions: list[Decision] = []
    for i, item in enumerate(rd.listing(top.get("decisions", []), "decisions"), 1):
        m = rd.mapping(item, f"decision {i}")
        did = rd.text(m, "id", f"decision {i}")
        applies_to = tuple(str(a) for a in rd.listing(m.get("applies_to", []), f"decision {did}"))
        unknown = [a for a in applies_to if a not in rules]
        if unknown:
            raise rd.fail(f"decision {did}", f"applies to unknown {', '.join(unknown)}")
        decisions.append(Decision(
            did, applies_to, rd.text(m, "paragraph", f"decision {did}"),
            rd.text(m, "decision", f"decision {did}"), rd.text(m, "reason", f"decision {did}"),
        ))
    signers = {str(k): str(v) for k, v in rd.mapping(top.get("signers", {}), "signers").items()}
    form_files = tuple(
        (path.parent / str(f)).resolve()
        for f in rd.listing(top.get("form_files", []), "form_files")
    )
    for f in form_files:
        if not f.is_file():
            raise rd.fail("form_files", f"{f.name} does not exist beside the edition")
    return Edition(
        id=edition_id,
        title=rd.text(top, "title", "top"),
        version=rd.text(top, "version", "top"),
        published=rd.text(top, "published", "top"),
        in_force_from=in_force,
        forms=forms,
        requirements=rules,
        discretion=places,
        decisions=tuple(decisions),
        signers=signers,
        form_files=form_files,
        source=path.name,
    )


_THRESHOLD_NEEDED: Final = (
    "foundation_training", "send_training", "casework_hours", "reflection_hours",
    "three_active_cases", "renewal_cpd_hours", "renewal_cases", "passport_foundation_training",
    "passport_lead_cases",
)


def load_rulebook(folder: Path) -> Rulebook:
    """Every ``*.yaml`` edition directly in ``folder``."""
    return Rulebook(_ordered([load_edition(p) for p in sorted(folder.glob("*.yaml"))]))


@functools.cache
def shipped_rulebook() -> Rulebook:
    """The editions that ship with the program (cannot be replaced by a stored file)."""
    from sendobserve.paths import resource_dir

    rulebook = load_rulebook(resource_dir() / EDITIONS_DIR)
    for edition in rulebook:
        if edition.form_files:  # the forms layer loads resources/forms/ only
            raise RulebookError(
                f"the shipped edition {edition.id} lists form_files; a shipped edition's "
                "forms belong in resources/forms/"
            )
    return rulebook


def default_edition() -> Edition:
    """The edition in force today; used where no record says otherwise."""
    return shipped_rulebook().in_force_on(date.today())
