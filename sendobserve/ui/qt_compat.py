"""Work-arounds for bugs in the Qt binding, each detected at run time, not assumed.

PySide6 6.12.0 on Python 3.11: ``SignalInstance.emit()`` returns ``True`` without
taking a reference to it, so every emit from Python drops one reference to ``True``.
After enough emits (a few hundred in a test run, thousands in a long session) the
interpreter aborts with "bool_dealloc: deallocating True or False". Python 3.12+ has
immortal booleans and is unaffected. ``emit()`` below gives the reference back when
the bug is present; call it instead of ``signal.emit(...)`` everywhere in the UI.
"""

from __future__ import annotations

import ctypes
import sys
from typing import Any

from PySide6.QtCore import QObject, Signal


class _Probe(QObject):
    ping = Signal()


def _emit_drops_a_reference() -> bool:
    probe = _Probe()
    before = sys.getrefcount(True)
    for _ in range(8):
        probe.ping.emit()
    lost = before - sys.getrefcount(True)
    for _ in range(max(0, lost)):  # give back what the probe itself took
        ctypes.pythonapi.Py_IncRef(ctypes.py_object(True))
    return lost >= 8


EMIT_DROPS_REFERENCE = _emit_drops_a_reference()


def emit(signal: Any, *args: Any) -> None:
    """``signal.emit(*args)``, compensating the reference PySide drops when it does."""
    result = signal.emit(*args)
    if EMIT_DROPS_REFERENCE and isinstance(result, bool):
        ctypes.pythonapi.Py_IncRef(ctypes.py_object(result))
