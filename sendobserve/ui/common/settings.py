"""Installation settings, typed and declared once (QSettings: per user, per machine).

Domain data lives in the encrypted store; the settings file holds nothing about anyone:
only the observer's usual role and how soon the screen locks. The observer's name, which
is personal data, is remembered inside the encrypted store (``attach_private``: the
store's ``store_meta`` table); until a store is attached it is held in memory only. A
name left in the settings file by an earlier version moves into the store when one is
attached, and is deleted from the file.
"""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import QSettings

from sendobserve.model import vocabulary
from sendobserve.model.domain import ObserverRole

LEGACY_OBSERVER_NAME_KEY = "observer/name"  # where earlier versions kept it, in clear
OBSERVER_NAME_META = "observer_name"  # its key in the store's store_meta table


class PrivateValues(Protocol):
    """Values kept inside the encrypted store."""

    def get(self, key: str) -> str | None: ...

    def set(self, key: str, value: str) -> None: ...

SETTINGS_VERSION = 1
DEFAULT_IDLE_MINUTES = 5


def _as_int(value: object, default: int) -> int:
    """QSettings hands back strings from INI files and ints from the registry."""
    try:
        return int(str(value))
    except ValueError:
        return default


class WorkspaceSettings:
    def __init__(self, settings: QSettings | None = None):
        self._s = settings if settings is not None else QSettings()
        if _as_int(self._s.value("workspace/version", 0), 0) < SETTINGS_VERSION:
            self._s.setValue("workspace/version", SETTINGS_VERSION)  # upgrades go here
        self._private: PrivateValues | None = None
        # Read (never written) from an earlier version's file until a store takes it over.
        self._observer_name = str(self._s.value(LEGACY_OBSERVER_NAME_KEY, "") or "").strip()

    def attach_private(self, values: PrivateValues) -> None:
        """Keep the observer's name in ``values`` (the open store) from now on. A name
        typed before, or left in the settings file by an earlier version, moves there if
        the store has none; the settings file's copy is then deleted."""
        self._private = values
        stored = values.get(OBSERVER_NAME_META)
        if not stored and self._observer_name:
            values.set(OBSERVER_NAME_META, self._observer_name)
        if self._s.contains(LEGACY_OBSERVER_NAME_KEY):
            self._s.remove(LEGACY_OBSERVER_NAME_KEY)
            self._s.sync()

    @property
    def observer_name(self) -> str:
        if self._private is not None:
            return self._private.get(OBSERVER_NAME_META) or ""
        return self._observer_name

    @observer_name.setter
    def observer_name(self, name: str) -> None:
        name = name.strip()
        if self._private is not None:
            if name != self.observer_name:
                self._private.set(OBSERVER_NAME_META, name)
        else:
            self._observer_name = name

    @property
    def observer_role(self) -> ObserverRole:
        value = str(self._s.value("observer/role", ObserverRole.CO_MEDIATOR.value))
        try:
            return ObserverRole(value)
        except ValueError:
            return ObserverRole.CO_MEDIATOR

    @observer_role.setter
    def observer_role(self, role: ObserverRole) -> None:
        self._s.setValue("observer/role", role.value)

    @property
    def idle_lock_minutes(self) -> int:
        """0 turns the idle lock off; Ctrl+L still locks."""
        value = _as_int(self._s.value("lock/idle_minutes", DEFAULT_IDLE_MINUTES),
                        DEFAULT_IDLE_MINUTES)
        return max(0, value)

    @idle_lock_minutes.setter
    def idle_lock_minutes(self, minutes: int) -> None:
        self._s.setValue("lock/idle_minutes", int(minutes))

    @property
    def advance_after_tick(self) -> bool:
        """A tick moves to the next item (on unless turned off)."""
        return str(self._s.value("checklist/advance_after_tick", "true")).lower() in (
            "true", "1")

    @advance_after_tick.setter
    def advance_after_tick(self, on: bool) -> None:
        self._s.setValue("checklist/advance_after_tick", "true" if on else "false")

    def sync(self) -> None:
        self._s.sync()


ROLE_LABELS = vocabulary.ROLE_LABELS  # the one list of role names (``model.vocabulary``)
