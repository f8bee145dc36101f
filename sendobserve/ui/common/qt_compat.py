"""Work-arounds for bugs in the Qt binding, each detected at run time, not assumed.

PySide6 6.12.0 on Python 3.11 drops references to the singletons it hands back:
``SignalInstance.emit()`` returns ``True`` without a new reference, and every
QVariant-returning call that yields ``None`` (``QModelIndex.data()`` for a role the
model does not answer, ``QComboBox.currentData()`` with no data, …) returns ``None``
without one. Each call takes one reference away; a delegate painting a list does
hundreds per frame, so within minutes the count reaches zero and the interpreter aborts
("none_dealloc: deallocating None" / "bool_dealloc"). That would be a crash in the
middle of an observation.

``None``, ``True`` and ``False`` are static objects that CPython never frees while it
runs; Python 3.12 made them immortal for this very reason. When the probes below see
the bug, ``install()`` gives the three objects a very large reference count (2**40:
at a million lost references a second that lasts twelve days), which is what 3.12
does. It is a no-op on Python 3.12+ and on a binding without the bug.
"""

from __future__ import annotations

import ctypes
import sys

from PySide6.QtCore import QModelIndex, QObject, Signal

HEADROOM = 1 << 40
_installed = False


class _Probe(QObject):
    ping = Signal()


def emit_drops_true() -> bool:
    probe = _Probe()
    before = sys.getrefcount(True)
    for _ in range(16):
        probe.ping.emit()
    lost = before - sys.getrefcount(True)
    _give_back(True, lost)
    return lost >= 16


def none_variant_drops_none() -> bool:
    index = QModelIndex()
    before = sys.getrefcount(None)
    for _ in range(16):
        index.data()
    lost = before - sys.getrefcount(None)
    _give_back(None, lost)
    return lost >= 16


def _give_back(obj: object, count: int) -> None:
    if count > 0:
        ctypes.c_ssize_t.from_address(id(obj)).value += count


def install() -> bool:
    """Pin None/True/False when the binding drops references to them; True if it did."""
    global _installed
    if _installed:
        return True
    if sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return False
    if not (emit_drops_true() or none_variant_drops_none()):
        return False
    for singleton in (None, True, False):
        ctypes.c_ssize_t.from_address(id(singleton)).value += HEADROOM
    _installed = True
    return True
