"""Read and write form definitions as YAML, with errors that name the file and the line.

The file is parsed with ``yaml.compose`` (safe loader) into nodes, which keep their
line numbers, and validated by hand against the schema below before any
``FormDefinition`` is built. Every problem found is collected, so a provider fixing
a file sees all of them at once; the exception's message is the first one.

Schema (``?`` = optional)::

    form_id: form<N>            number: <N>            title: text
    version: lower-case slug    provider?: text|null   based_on?: version|null
    header: {mediator: text, observer: text, date: text, ordinal: text}
    notes?: text
    sections:                   # each kind at most once, in display order
      - kind: process_management | skills_and_knowledge | debrief_and_supervision
        title?: text            # defaults to the Standards' title for the kind
        criteria:               # at least one
          - id: f<N>.<pm|sk|db>.<slug>     # the section is part of the id
            text: text
            core: true|false
            notes_prompt?: true|false
            subitems?:          # at least one when present
              - {id: <criterion id>.<slug>, text: text}

Texts are one line: runs of whitespace (a wrapped YAML line) collapse to one space.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from sendobserve.errors import UserError
from sendobserve.forms.definition import (
    SECTION_TITLES,
    Criterion,
    FormDefinition,
    HeaderFields,
    Section,
    SectionKind,
    SubItem,
)

SECTION_CODES: dict[SectionKind, str] = {
    SectionKind.PROCESS_MANAGEMENT: "pm",
    SectionKind.SKILLS_AND_KNOWLEDGE: "sk",
    SectionKind.DEBRIEF_AND_SUPERVISION: "db",
}

FORM_ID_RE = re.compile(r"form([1-9][0-9]*)")
VERSION_RE = re.compile(r"[a-z0-9][a-z0-9._-]*")
SLUG = r"[a-z][a-z0-9_]*"

TOP_KEYS = (
    "form_id", "number", "title", "version", "provider", "based_on", "header", "notes",
    "sections",
)  # fmt: skip
TOP_REQUIRED = ("form_id", "number", "title", "version", "header", "sections")
HEADER_KEYS = ("mediator", "observer", "date", "ordinal")
SECTION_KEYS = ("kind", "title", "criteria")
CRITERION_KEYS = ("id", "text", "core", "notes_prompt", "subitems")
SUBITEM_KEYS = ("id", "text")

# libyaml's parser when present (same nodes and marks, faster); both are the safe loader.
_SAFE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_STR = "tag:yaml.org,2002:str"
_NULL = "tag:yaml.org,2002:null"
_BOOL = "tag:yaml.org,2002:bool"
_INT = "tag:yaml.org,2002:int"


@dataclass(frozen=True, slots=True)
class FormIssue:
    """One problem in a form file; ``line`` is 1-based, ``None`` for the whole file."""

    line: int | None
    message: str

    def format(self, source_name: str) -> str:
        if self.line is None:
            return f"{source_name}: {self.message}"
        return f"{source_name}, line {self.line}: {self.message}"


class FormFileError(UserError):
    """A form file that does not parse or does not follow the schema. Nothing was loaded."""

    def __init__(self, source_name: str, issues: Sequence[FormIssue]):
        if not issues:
            raise ValueError("FormFileError needs at least one issue")
        self.source_name = source_name
        self.issues = tuple(issues)
        more = len(self.issues) - 1
        hint = (
            f"{more} more problem{'s' if more > 1 else ''} in the same file: "
            f"run 'sendobserve forms check {source_name}' to see them all."
            if more
            else None
        )
        super().__init__(self.issues[0].format(source_name), hint=hint)


def load_form_file(path: str | Path) -> FormDefinition:
    """Load and validate one form file. Raises ``FormFileError`` naming the file."""
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")  # a BOM from a Windows editor is fine
    except FileNotFoundError:
        raise FormFileError(path.name, [FormIssue(None, "no such file")]) from None
    except UnicodeDecodeError as exc:
        issue = FormIssue(None, f"is not UTF-8 text (byte {exc.start})")
        raise FormFileError(path.name, [issue]) from None
    except OSError as exc:
        issue = FormIssue(None, f"cannot be read ({exc.strerror or exc})")
        raise FormFileError(path.name, [issue]) from None
    return load_form_text(text, path.name)


def load_form_text(text: str, source_name: str) -> FormDefinition:
    """Parse and validate YAML text; ``source_name`` is what error messages call it."""
    try:
        root = yaml.compose(text, Loader=_SAFE_LOADER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = exc.problem or exc.context or "not valid YAML"
        raise FormFileError(source_name, [FormIssue(line, f"not valid YAML: {problem}")]) from None
    except yaml.YAMLError as exc:  # a reader error (e.g. a control character) has no mark
        raise FormFileError(source_name, [FormIssue(None, f"not valid YAML: {exc}")]) from None
    if root is None:
        raise FormFileError(source_name, [FormIssue(None, "the file is empty")])
    validator = _Validator()
    definition = validator.form(root)
    if validator.issues or definition is None:
        issues = validator.issues or [FormIssue(_line(root), "not a valid form")]
        raise FormFileError(source_name, sorted(issues, key=lambda i: i.line or 0))
    return definition


# --------------------------------------------------------------------------- validation


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


_PLAIN_TYPES = {
    _NULL: "empty",
    _BOOL: "the yes/no value {!r}",
    _INT: "the number {}",
    "tag:yaml.org,2002:float": "the number {}",
    "tag:yaml.org,2002:timestamp": "the date {}",
}


def _describe(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    if node.tag == _STR:
        return f"the text {node.value!r}"
    if node.tag in _PLAIN_TYPES:
        return _PLAIN_TYPES[node.tag].format(node.value)
    tag = node.tag.replace("tag:yaml.org,2002:", "!!")
    return f"a value tagged {tag} (form files allow no tags)"


def _quote_hint(node: yaml.Node) -> str:
    """YAML reads yes, 12, 2024-01-01 as non-text; quoting makes them text."""
    plain = isinstance(node, yaml.ScalarNode) and node.tag in _PLAIN_TYPES and node.tag != _NULL
    return " (put it in quotes)" if plain else ""


def _one_line(text: str) -> str:
    return " ".join(text.split())


class _Validator:
    def __init__(self) -> None:
        self.issues: list[FormIssue] = []
        self._ids: dict[str, int] = {}

    def err(self, node: yaml.Node | int | None, message: str) -> None:
        line = node if isinstance(node, int) or node is None else _line(node)
        self.issues.append(FormIssue(line, message))

    # -- mappings

    def mapping(
        self, node: yaml.Node, what: str, allowed: Sequence[str], required: Sequence[str]
    ) -> dict[str, tuple[yaml.Node, yaml.Node]] | None:
        """Keys → (key node, value node); reports duplicates, unknown and missing keys."""
        if not isinstance(node, yaml.MappingNode):
            self.err(node, f"{what} must be a mapping of 'key: value' lines, not {_describe(node)}")
            return None
        out: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag != _STR:
                self.err(key_node, f"{what} has a key that is not a name: {_describe(key_node)}")
                continue
            key = key_node.value
            if key in out:
                self.err(key_node, f"{what} has the key '{key}' twice")
                continue
            if key not in allowed:
                close = difflib.get_close_matches(key, allowed, n=1)
                maybe = f" (did you mean '{close[0]}'?)" if close else ""
                self.err(
                    key_node,
                    f"unknown key '{key}' in {what}{maybe}; expected: {', '.join(allowed)}",
                )
                continue
            out[key] = (key_node, value_node)
        for key in required:
            if key not in out:
                self.err(node, f"{what} is missing '{key}'")
        return out

    # -- scalars

    def text(self, node: yaml.Node, what: str, *, one_line: bool = True) -> str | None:
        if not isinstance(node, yaml.ScalarNode) or node.tag != _STR:
            self.err(node, f"{what} must be text, not {_describe(node)}{_quote_hint(node)}")
            return None
        value = str(node.value)
        if one_line:
            value = _one_line(value)
        if not value.strip():
            self.err(node, f"{what} is empty")
            return None
        return value

    def optional_text(self, node: yaml.Node, what: str) -> str | None:
        if isinstance(node, yaml.ScalarNode) and node.tag == _NULL:
            return None
        return self.text(node, what)

    def boolean(self, node: yaml.Node, what: str) -> bool | None:
        if not isinstance(node, yaml.ScalarNode) or node.tag != _BOOL:
            self.err(node, f"{what} must be true or false, not {_describe(node)}")
            return None
        value = yaml.SafeLoader("").construct_object(node)
        return bool(value)

    def integer(self, node: yaml.Node, what: str) -> int | None:
        if not isinstance(node, yaml.ScalarNode) or node.tag != _INT:
            self.err(node, f"{what} must be a whole number, not {_describe(node)}")
            return None
        value = yaml.SafeLoader("").construct_object(node)
        return int(value)

    def sequence(self, node: yaml.Node, what: str) -> list[yaml.Node] | None:
        if not isinstance(node, yaml.SequenceNode):
            self.err(node, f"{what} must be a list ('- ' items), not {_describe(node)}")
            return None
        if not node.value:
            self.err(node, f"{what} is an empty list")
            return None
        return list(node.value)

    def get(
        self,
        fields: dict[str, tuple[yaml.Node, yaml.Node]],
        key: str,
        parse: Callable[[yaml.Node, str], Any],
        what: str,
    ) -> Any:
        if key not in fields:
            return None
        return parse(fields[key][1], what)

    # -- ids

    def claim_id(self, node: yaml.Node, ident: str, what: str) -> None:
        first = self._ids.get(ident)
        if first is not None:
            self.err(node, f"{what} id '{ident}' is used twice (first on line {first})")
        else:
            self._ids[ident] = _line(node)

    # -- the form

    def form(self, root: yaml.Node) -> FormDefinition | None:
        fields = self.mapping(root, "the form", TOP_KEYS, TOP_REQUIRED)
        if fields is None:
            return None
        form_id = self.get(fields, "form_id", self.text, "form_id")
        number = self.get(fields, "number", self.integer, "number")
        title = self.get(fields, "title", self.text, "title")
        version = self.get(fields, "version", self.text, "version")
        provider = self.get(fields, "provider", self.optional_text, "provider")
        based_on = self.get(fields, "based_on", self.optional_text, "based_on")
        notes = ""
        if "notes" in fields:
            notes_node = fields["notes"][1]
            if not (isinstance(notes_node, yaml.ScalarNode) and notes_node.tag == _NULL):
                notes = self.text(notes_node, "notes", one_line=False) or ""

        if form_id is not None:
            match = FORM_ID_RE.fullmatch(form_id)
            if match is None:
                self.err(fields["form_id"][1], f"form_id '{form_id}' must be form1, form2, …")
            elif number is not None and int(match.group(1)) != number:
                self.err(fields["number"][1], f"number {number} does not match form_id {form_id}")
        if number is not None and number < 1:
            self.err(fields["number"][1], f"number must be 1 or more, not {number}")
        for key, value in (("version", version), ("based_on", based_on)):
            if value is not None and not VERSION_RE.fullmatch(value):
                self.err(
                    fields[key][1],
                    f"{key} '{value}' must be lower-case letters, digits, '.', '-' or '_' "
                    "(e.g. acme-2024)",
                )
        if provider is not None and based_on is None:
            self.err(
                fields["provider"][1],
                "a provider's form must say which version it is based_on (e.g. standards-2018)",
            )
        if based_on is not None and provider is None:
            self.err(fields["based_on"][1], "based_on is set, so provider must name the provider")
        if based_on is not None and based_on == version:
            self.err(fields["based_on"][1], f"based_on is the form's own version '{version}'")

        header = self.get(fields, "header", self.header, "header")
        sections = None
        if "sections" in fields:
            sections = self.sections(fields["sections"][1], number)

        if (
            form_id is None
            or number is None
            or title is None
            or version is None
            or header is None
            or sections is None
            or self.issues
        ):
            return None
        return FormDefinition(
            form_id=form_id,
            number=number,
            title=title,
            version=version,
            provider=provider,
            based_on=based_on,
            header=header,
            sections=sections,
            source_note=notes,
        )

    def header(self, node: yaml.Node, what: str) -> HeaderFields | None:
        fields = self.mapping(node, what, HEADER_KEYS, HEADER_KEYS)
        if fields is None:
            return None
        values = {k: self.get(fields, k, self.text, f"header {k}") for k in HEADER_KEYS}
        if any(v is None for v in values.values()):
            return None
        return HeaderFields(
            mediator_label=values["mediator"],
            observer_label=values["observer"],
            date_label=values["date"],
            ordinal_label=values["ordinal"],
        )

    def sections(self, node: yaml.Node, number: int | None) -> tuple[Section, ...] | None:
        items = self.sequence(node, "sections")
        if items is None:
            return None
        seen: dict[SectionKind, int] = {}
        out: list[Section] = []
        for item in items:
            section = self.section(item, number, seen)
            if section is not None:
                out.append(section)
        return tuple(out) if len(out) == len(items) else None

    def section(
        self, node: yaml.Node, number: int | None, seen: dict[SectionKind, int]
    ) -> Section | None:
        fields = self.mapping(node, "a section", SECTION_KEYS, ("kind", "criteria"))
        if fields is None:
            return None
        kind: SectionKind | None = None
        if "kind" in fields:
            kind_node = fields["kind"][1]
            raw = self.text(kind_node, "section kind")
            if raw is not None:
                try:
                    kind = SectionKind(raw)
                except ValueError:
                    known = ", ".join(k.value for k in SectionKind)
                    self.err(kind_node, f"unknown section kind '{raw}'; expected one of: {known}")
            if kind is not None:
                if kind in seen:
                    first = seen[kind]
                    self.err(kind_node, f"section '{kind}' appears twice (first on line {first})")
                else:
                    seen[kind] = _line(kind_node)
        title = self.get(fields, "title", self.text, "section title")
        what = f"section {kind.value}" if kind else "a section"
        criteria: list[Criterion] = []
        nodes = self.get(fields, "criteria", self.sequence, f"the criteria of {what}") or []
        for crit_node in nodes:
            crit = self.criterion(crit_node, number, kind)
            if crit is not None:
                criteria.append(crit)
        if kind is None or ("title" in fields and title is None) or len(criteria) != len(nodes):
            return None
        if not criteria:
            return None
        return Section(kind=kind, title=title or SECTION_TITLES[kind], criteria=tuple(criteria))

    def criterion(
        self, node: yaml.Node, number: int | None, kind: SectionKind | None
    ) -> Criterion | None:
        fields = self.mapping(node, "a criterion", CRITERION_KEYS, ("id", "text", "core"))
        if fields is None:
            return None
        ident = self.get(fields, "id", self.text, "criterion id")
        what = f"criterion {ident}" if ident else "a criterion"
        if ident is not None:
            id_node = fields["id"][1]
            prefix = (
                f"f{number}.{SECTION_CODES[kind]}."
                if number is not None and kind is not None
                else None
            )
            if not re.fullmatch(rf"f[1-9][0-9]*\.(pm|sk|db)\.{SLUG}", ident):
                self.err(
                    id_node,
                    f"criterion id '{ident}' must look like "
                    f"{prefix or 'f2.sk.'}some_name (lower case, digits, '_')",
                )
                ident = None
            elif prefix is not None and not ident.startswith(prefix):
                self.err(
                    id_node,
                    f"criterion id '{ident}' must start with '{prefix}' in this form and section",
                )
                ident = None
            else:
                self.claim_id(id_node, ident, "criterion")
        text = self.get(fields, "text", self.text, f"the text of {what}")
        core = self.get(fields, "core", self.boolean, f"core of {what}")
        notes_prompt = self.get(fields, "notes_prompt", self.boolean, f"notes_prompt of {what}")
        subitems: list[SubItem] = []
        sub_nodes: list[yaml.Node] = []
        if "subitems" in fields:
            sub_nodes = self.sequence(fields["subitems"][1], f"the subitems of {what}") or []
            for sub_node in sub_nodes:
                sub = self.subitem(sub_node, ident)
                if sub is not None:
                    subitems.append(sub)
        if (
            ident is None
            or text is None
            or core is None
            or ("notes_prompt" in fields and notes_prompt is None)
            or ("subitems" in fields and (not sub_nodes or len(subitems) != len(sub_nodes)))
        ):
            return None
        return Criterion(
            id=ident,
            text=text,
            core=core,
            subitems=tuple(subitems),
            notes_prompt=bool(notes_prompt),
        )

    def subitem(self, node: yaml.Node, parent: str | None) -> SubItem | None:
        fields = self.mapping(node, "a sub-item", SUBITEM_KEYS, SUBITEM_KEYS)
        if fields is None:
            return None
        ident = self.get(fields, "id", self.text, "sub-item id")
        if ident is not None and parent is not None:
            id_node = fields["id"][1]
            if not re.fullmatch(rf"{re.escape(parent)}\.{SLUG}", ident):
                self.err(
                    id_node,
                    f"sub-item id '{ident}' must be its criterion's id and a name: "
                    f"{parent}.some_name",
                )
                ident = None
            else:
                self.claim_id(id_node, ident, "sub-item")
        text = self.get(fields, "text", self.text, f"the text of sub-item {ident or ''}".strip())
        if ident is None or text is None:
            return None
        return SubItem(id=ident, text=text)


# --------------------------------------------------------------------------- writing


class _FormDumper(yaml.SafeDumper):
    """SafeDumper that writes multi-line notes as a readable ``|`` block."""


def _str_representer(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    style = "|" if "\n" in data else None
    return dumper.represent_scalar(_STR, data, style=style)


_FormDumper.add_representer(str, _str_representer)


def form_to_data(definition: FormDefinition) -> dict[str, Any]:
    """The plain-data shape of a definition, in the file's key order."""
    sections: list[dict[str, Any]] = []
    for section in definition.sections:
        criteria: list[dict[str, Any]] = []
        for crit in section.criteria:
            entry: dict[str, Any] = {"id": crit.id, "text": crit.text, "core": crit.core}
            if crit.notes_prompt:
                entry["notes_prompt"] = True
            if crit.subitems:
                entry["subitems"] = [{"id": s.id, "text": s.text} for s in crit.subitems]
            criteria.append(entry)
        sections.append(
            {"kind": section.kind.value, "title": section.title, "criteria": criteria}
        )
    header = definition.header
    return {
        "form_id": definition.form_id,
        "number": definition.number,
        "title": definition.title,
        "version": definition.version,
        "provider": definition.provider,
        "based_on": definition.based_on,
        "header": {
            "mediator": header.mediator_label,
            "observer": header.observer_label,
            "date": header.date_label,
            "ordinal": header.ordinal_label,
        },
        "notes": definition.source_note or None,
        "sections": sections,
    }


def dump_form(definition: FormDefinition) -> str:
    """YAML text that ``load_form_text`` reads back to an equal definition."""
    return yaml.dump(
        form_to_data(definition),
        Dumper=_FormDumper,
        sort_keys=False,
        allow_unicode=True,
        width=100,
        default_flow_style=False,
    )
