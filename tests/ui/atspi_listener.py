"""What a screen reader hears from the running app, through the real AT-SPI bus.

Run by the system Python (it needs ``pyatspi``, which is not on PyPI), not by the app's:
``python3 tests/ui/atspi_listener.py OUT.jsonl``. It listens to the events a screen reader
speaks from — focus moving, a name changing (live status and errors), an alert or
announcement — and writes one JSON line per event with the object's role, name,
description and states, until it receives SIGTERM. A line ``{"event": "ready"}`` says it
is listening. The test (``test_atspi.py``) drives the app with real key presses and reads
this transcript as the stand-in for speech.
"""

from __future__ import annotations

import json
import signal
import sys

import pyatspi  # type: ignore[import-not-found]

EVENTS = (
    "object:state-changed:focused",
    "object:property-change:accessible-name",
    "object:announcement",
    "object:text-changed:insert",
    "object:active-descendant-changed",
    "window:activate",
)
# A focused list or table is spoken with its current item: what is selected in it.
CONTAINERS = {"list", "table", "tree", "tree table"}


def selected(source: object) -> list[str]:
    try:
        selection = source.querySelection()  # type: ignore[attr-defined]
    except NotImplementedError:
        return []
    names = []
    for i in range(min(selection.nSelectedChildren, 3)):
        child = selection.getSelectedChild(i)
        if child is not None:
            names.append(child.name)
    return names


def main(path: str) -> None:
    with open(path, "a", encoding="utf-8", buffering=1) as out:
        listen(out)


def listen(out: object) -> None:
    def write(record: dict[str, object]) -> None:
        out.write(json.dumps(record, ensure_ascii=False) + "\n")  # type: ignore[attr-defined]

    def heard(event: object) -> None:
        kind = str(getattr(event, "type", ""))
        if kind == "object:state-changed:focused" and not getattr(event, "detail1", 0):
            return  # focus leaving is not spoken
        source = getattr(event, "source", None)
        try:
            app = source.getApplication().name if source is not None else ""
            states = source.getState().getStates() if source is not None else []
            record = {
                "event": kind,
                "app": app,
                "role": source.getRoleName() if source is not None else "",
                "name": source.name if source is not None else "",
                "description": source.description if source is not None else "",
                "states": sorted(pyatspi.stateToString(s) for s in states),
                "data": str(getattr(event, "any_data", "") or ""),
            }
            if record["role"] in CONTAINERS:
                record["selected"] = selected(source)
        except Exception as exc:  # an object gone before it was read
            record = {"event": kind, "error": repr(exc)}
        write(record)

    for kind in EVENTS:
        pyatspi.Registry.registerEventListener(heard, kind)
    signal.signal(signal.SIGTERM, lambda *_: pyatspi.Registry.stop())
    write({"event": "ready"})
    pyatspi.Registry.start()


if __name__ == "__main__":
    main(sys.argv[1])
