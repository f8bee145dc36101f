"""Every file dialog is Qt's own, never the platform's: a native dialog lives outside the
app's windows, where the lock can neither hide it nor take it out of the accessibility
tree. A source check, like the one for password fields."""

from __future__ import annotations

import ast
from pathlib import Path

import sendobserve.ui

UI = Path(sendobserve.ui.__file__).parent


def test_every_file_dialog_call_asks_for_qts_own_dialog() -> None:
    calls = []
    for path in sorted(UI.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and isinstance(node.func.value, ast.Name)
                    and node.func.value.id == "QFileDialog"
                    and node.func.attr.startswith("get")):
                options = [k for k in node.keywords if k.arg == "options"]
                ok = bool(options) and isinstance(options[0].value, ast.Name) \
                    and options[0].value.id == "FILE_DIALOG_OPTIONS"
                calls.append((f"{path.name}:{node.lineno}", ok))
    assert len(calls) >= 5  # the check found the calls it is about
    assert [where for where, ok in calls if not ok] == []
