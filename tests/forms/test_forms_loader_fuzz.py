"""Whatever a provider's editor does to a form file, the loader answers with a
FormFileError naming a line in the file (or none), never a crash."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from sendobserve.forms.definition import FormDefinition
from sendobserve.forms.loader import FormFileError, load_form_text
from sendobserve.paths import resources_dir

ORIGINAL = (resources_dir() / "forms" / "form3-standards-2018.yaml").read_text(encoding="utf-8")
LINES = ORIGINAL.splitlines(keepends=True)
JUNK = st.text(alphabet=" \t-:#'\"[]{}&*!|>%@,?abcfz0129.\n", max_size=12)


@st.composite
def edited(draw: st.DrawFn) -> str:
    lines = list(LINES)
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["delete", "duplicate", "insert", "splice", "swap"]))
        if action == "delete":
            del lines[i]
        elif action == "duplicate":
            lines.insert(i, lines[i])
        elif action == "insert":
            lines.insert(i, draw(JUNK) + "\n")
        elif action == "splice":
            at = draw(st.integers(0, len(lines[i])))
            lines[i] = lines[i][:at] + draw(JUNK) + lines[i][at:]
        else:
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        if not lines:
            break
    return "".join(lines)


@settings(max_examples=200, deadline=None)
@given(edited())
def test_edited_files_load_or_fail_with_a_line(text: str) -> None:
    try:
        form = load_form_text(text, "form3-edited.yaml")
    except FormFileError as exc:
        last = text.count("\n") + 1
        for issue in exc.issues:
            assert issue.line is None or 1 <= issue.line <= last, issue
        assert exc.message.startswith("form3-edited.yaml")
    else:
        assert isinstance(form, FormDefinition)


def test_the_loader_uses_only_the_safe_yaml_loader() -> None:
    source = (Path(__file__).parents[2] / "sendobserve" / "forms" / "loader.py").read_text()
    calls = re.findall(r"yaml\.(\w+)\(", source)
    assert set(calls) <= {"compose", "dump", "SafeLoader", "ScalarNode"}, calls
    assert "Loader=yaml.Loader" not in source and "UnsafeLoader" not in source
    assert "FullLoader" not in source
