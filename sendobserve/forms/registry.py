"""Every known version of every form, and the rules a provider's adaptation must follow.

A version, once added, never changes: an observation names ``(form_id, version)`` and
``get`` returns exactly that definition or fails loudly; nothing is re-mapped onto a
newer version.

Adaptation rules (Appendix A: forms "can be adapted ... though key mediation skills
and contextual knowledge components should remain"), checked against the version an
adaptation is ``based_on``:

- allowed: adding criteria or sub-items, rewording any text, reordering criteria,
  sub-items and sections, dropping a criterion or sub-item that is not core, making a
  criterion core;
- refused: dropping a core criterion, or a sub-item of a core criterion;
  making a core criterion non-core (else a later adaptation could drop it);
  moving a criterion to another section, or a sub-item to another criterion, or
  turning a criterion into a sub-item or back. An id is a place as well as a meaning:
  the section is part of a criterion's id, so a criterion that belongs elsewhere is a
  new criterion with a new id. Reusing an id with new wording is a rewording, and is
  allowed.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from sendobserve.errors import UserError
from sendobserve.forms.definition import SECTION_TITLES, Criterion, FormDefinition, SectionKind
from sendobserve.forms.loader import load_form_file

STANDARD_FORMS_DIR = "forms"
STANDARD_FORM_IDS = ("form1", "form2", "form3")


class UnknownFormVersion(UserError):
    """Asked for a form or a version that is not loaded."""

    def __init__(self, form_id: str, version: str | None, known: tuple[str, ...]):
        self.form_id = form_id
        self.version = version
        what = f"{form_id} version {version}" if version else form_id
        hint = (
            f"Known versions of {form_id}: {', '.join(known)}."
            if known
            else "No version of this form is loaded."
        )
        super().__init__(f"unknown form: {what}", hint=hint)


class FormAdaptationError(UserError):
    """A definition the registry refuses: broken adaptation rules or a clashing version."""

    def __init__(self, source_name: str, problems: list[str]):
        if not problems:
            raise ValueError("FormAdaptationError needs at least one problem")
        self.source_name = source_name
        self.problems = tuple(problems)
        more = len(problems) - 1
        hint = f"and {more} more problem{'s' if more > 1 else ''}" if more else None
        super().__init__(f"{source_name} {problems[0]}", hint=hint)


@dataclass(frozen=True, slots=True)
class FormDiff:
    """How an adaptation differs from its base, by id, for people reading a check."""

    added: tuple[str, ...]
    reworded: tuple[str, ...]
    dropped: tuple[str, ...]  # non-core only, or the adaptation is refused
    reordered: bool


def _places(form: FormDefinition) -> dict[str, tuple[SectionKind, str | None, str]]:
    """id → (section, parent criterion id or None, text) for criteria and sub-items."""
    out: dict[str, tuple[SectionKind, str | None, str]] = {}
    for section in form.sections:
        for crit in section.criteria:
            out[crit.id] = (section.kind, None, crit.text)
            for sub in crit.subitems:
                out[sub.id] = (section.kind, crit.id, sub.text)
    return out


def adaptation_problems(base: FormDefinition, adapted: FormDefinition) -> list[str]:
    """Why ``adapted`` may not replace ``base`` (empty when it may). Phrased to follow a
    file name: "form2-acme.yaml drops core criterion …"."""
    problems: list[str] = []
    if adapted.form_id != base.form_id or adapted.number != base.number:
        problems.append(
            f"is {adapted.form_id} (number {adapted.number}) but is based on "
            f"{base.form_id} (number {base.number})"
        )
        return problems
    old = _places(base)
    new = _places(adapted)
    new_crits: dict[str, Criterion] = {c.id: c for c in adapted.criteria()}
    for crit in base.criteria():
        if crit.core and crit.id not in new:
            problems.append(f"drops core criterion {crit.id} '{crit.text}'")
        if crit.core and crit.id in new_crits and not new_crits[crit.id].core:
            problems.append(f"makes core criterion {crit.id} '{crit.text}' non-core")
        for sub in crit.subitems:
            if crit.core and crit.id in new and sub.id not in new:
                problems.append(
                    f"drops core sub-item {sub.id} '{sub.text}' of criterion {crit.id}"
                )
    for ident, (kind, parent, text) in old.items():
        if ident not in new:
            continue
        new_kind, new_parent, _ = new[ident]
        if new_kind != kind:
            problems.append(
                f"moves {ident} '{text}' from {SECTION_TITLES[kind]} to "
                f"{SECTION_TITLES[new_kind]}; a criterion keeps its section (give the new "
                "place a new id)"
            )
        elif new_parent != parent:
            was = f"a sub-item of {parent}" if parent else "a criterion"
            now = f"a sub-item of {new_parent}" if new_parent else "a criterion"
            problems.append(f"makes {ident} '{text}' {now}; it is {was} in {base.version}")
    return problems


def diff_forms(base: FormDefinition, adapted: FormDefinition) -> FormDiff:
    old = _places(base)
    new = _places(adapted)
    common_old = [i for i in old if i in new]
    common_new = [i for i in new if i in old]
    old_sections = [s.kind for s in base.sections if s.kind in {t.kind for t in adapted.sections}]
    new_sections = [s.kind for s in adapted.sections if s.kind in {t.kind for t in base.sections}]
    return FormDiff(
        added=tuple(i for i in new if i not in old),
        reworded=tuple(i for i in common_new if new[i][2] != old[i][2]),
        dropped=tuple(i for i in old if i not in new),
        reordered=common_old != common_new or old_sections != new_sections,
    )


_PARSED: dict[tuple[Path, int, int], FormDefinition] = {}


def _load_cached(path: Path) -> FormDefinition:
    """Definitions are frozen, so a file parsed once is shared until it changes on disk:
    ``FormRegistry.standard()`` is then cheap enough to call wherever it is needed."""
    stat = path.stat()
    key = (path.resolve(), stat.st_mtime_ns, stat.st_size)
    if key not in _PARSED:
        _PARSED[key] = load_form_file(path)
    return _PARSED[key]


class FormRegistry:
    """The form versions this installation knows, and which one new observations use."""

    def __init__(self) -> None:
        self._forms: dict[str, dict[str, FormDefinition]] = {}
        self._defaults: dict[str, str] = {}
        # The Standards' own versions, shipped with the program: nothing stored can
        # replace or shadow them, and a file that calls itself the Standards' own must
        # keep every core criterion of each of them.
        self._shipped: set[tuple[str, str]] = set()

    # -- building

    @classmethod
    def standard(cls) -> FormRegistry:
        """The Standards' own Forms 1–3, shipped in the package's ``resources/forms``: every
        shipped edition keeps its forms there (an edition file only names them), so a new
        edition's forms load with no code change. Raises ``MissingResource`` (one clear
        sentence) if any of the Standards' forms is not there."""
        from sendobserve.paths import MissingResource, resource_path

        registry = cls.from_directory(resource_path(STANDARD_FORMS_DIR), shipped=True)
        for form_id in STANDARD_FORM_IDS:
            if not registry.versions(form_id):
                raise MissingResource(
                    "This installation of sendobserve is incomplete: the Standards' "
                    f"{form_id} is missing from its resources/{STANDARD_FORMS_DIR} folder. "
                    "Reinstall sendobserve."
                )
        return registry

    @classmethod
    def from_directory(cls, folder: Path, *, shipped: bool = False) -> FormRegistry:
        """Every ``*.yaml`` directly in ``folder``: standard versions first, then
        adaptations (which need their base), each group in file-name order. ``shipped``:
        these are the program's own files (the Standards' editions)."""
        registry = cls()
        loaded = [(path, _load_cached(path)) for path in sorted(folder.glob("*.yaml"))]
        for path, definition in sorted(loaded, key=lambda p: p[1].based_on is not None):
            registry.add(definition, source_name=path.name, shipped=shipped)
        return registry

    def add_edition_forms(self, paths: Iterable[Path], *, shipped: bool) -> None:
        """The form files an edition of the Standards lists (``Edition.form_files``)."""
        for path in sorted(paths, key=lambda p: _load_cached(p).based_on is not None):
            self.add(_load_cached(path), source_name=path.name, shipped=shipped)

    def is_shipped(self, form_id: str, version: str) -> bool:
        return (form_id, version) in self._shipped

    def add_file(self, path: str | Path, *, make_default: bool = False) -> FormDefinition:
        definition = load_form_file(path)
        self.add(definition, source_name=Path(path).name, make_default=make_default)
        return definition

    def problems(self, definition: FormDefinition) -> list[str]:
        """Why ``add`` would refuse ``definition`` (empty when it would accept it)."""
        existing = self._forms.get(definition.form_id, {}).get(definition.version)
        if existing is not None:
            if existing == definition:
                return []
            return [
                f"is {definition.form_id} version {definition.version}, which is already "
                "loaded with different content; a changed form needs a new version"
            ]
        if (definition.provider is None) != (definition.based_on is None):
            return ["must name both its provider and the version it is based_on, or neither"]
        if definition.based_on is None:
            # A file that calls itself the Standards' own (no provider, no base) and does
            # not ship with the program is held to every shipped edition of that form
            # (Appendix A: "key mediation skills and contextual knowledge components
            # should remain"), whatever it calls itself.
            problems: list[str] = []
            for version, shipped in self._forms.get(definition.form_id, {}).items():
                if (definition.form_id, version) in self._shipped:
                    problems += [
                        f"calls itself the Standards' own {definition.form_id} but {p}"
                        f" (of the Standards' version {version})"
                        for p in adaptation_problems(shipped, definition)
                    ]
            return problems
        base = self._forms.get(definition.form_id, {}).get(definition.based_on)
        if base is None:
            known = ", ".join(self.versions(definition.form_id)) or "none"
            return [
                f"is based on {definition.form_id} version {definition.based_on}, which is "
                f"not loaded (known: {known})"
            ]
        return adaptation_problems(base, definition)

    def add(
        self,
        definition: FormDefinition,
        *,
        source_name: str | None = None,
        make_default: bool = False,
        shipped: bool = False,
    ) -> None:
        """Add one version. Adding the identical version again is a no-op; anything the
        rules refuse raises ``FormAdaptationError`` and leaves the registry unchanged.
        ``shipped`` marks the program's own files (only ``standard()`` passes it)."""
        problems = [] if shipped and definition.based_on is None else self.problems(definition)
        if shipped and definition.based_on is None:
            existing = self._forms.get(definition.form_id, {}).get(definition.version)
            if existing is not None and existing != definition:
                problems = self.problems(definition)
        if problems:
            name = source_name or f"{definition.form_id} version {definition.version}"
            raise FormAdaptationError(name, problems)
        self._forms.setdefault(definition.form_id, {}).setdefault(
            definition.version, definition
        )
        if shipped:
            self._shipped.add((definition.form_id, definition.version))
        if make_default:
            self.set_default(definition.form_id, definition.version)

    def set_default(self, form_id: str, version: str) -> None:
        """New observations of ``form_id`` start on ``version`` (e.g. a provider's own)."""
        self.get(form_id, version)
        self._defaults[form_id] = version

    # -- reading

    def get(self, form_id: str, version: str) -> FormDefinition:
        try:
            return self._forms[form_id][version]
        except KeyError:
            raise UnknownFormVersion(form_id, version, self.versions(form_id)) from None

    def latest(self, form_id: str) -> FormDefinition:
        """The version new observations start on: the default adaptation if one is set,
        else the most recently added shipped standard version (a stored file calling
        itself standard never shadows the shipped ones)."""
        if form_id in self._defaults:
            return self.get(form_id, self._defaults[form_id])
        standards = [d for d in self._forms.get(form_id, {}).values() if d.provider is None]
        shipped = [d for d in standards if (d.form_id, d.version) in self._shipped]
        standards = shipped or standards
        if not standards:
            raise UnknownFormVersion(form_id, None, self.versions(form_id))
        return standards[-1]

    def versions(self, form_id: str) -> tuple[str, ...]:
        """In the order they were added."""
        return tuple(self._forms.get(form_id, {}))

    def form_ids(self) -> tuple[str, ...]:
        return tuple(sorted(self._forms, key=lambda f: (len(f), f)))

    def default_version(self, form_id: str) -> str:
        return self.latest(form_id).version

    def __iter__(self) -> Iterator[FormDefinition]:
        for form_id in self.form_ids():
            yield from self._forms[form_id].values()

    def __contains__(self, key: object) -> bool:
        if not (isinstance(key, tuple) and len(key) == 2):
            return False
        form_id, version = key
        return isinstance(form_id, str) and version in self._forms.get(form_id, {})

    def __len__(self) -> int:
        return sum(len(v) for v in self._forms.values())
