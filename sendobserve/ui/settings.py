"""Installation settings, typed and declared once (QSettings: per user, per machine).

Domain data lives in the encrypted store; here only what belongs to this installation:
who the observer usually is and how soon the screen locks.
"""

from __future__ import annotations

from PySide6.QtCore import QSettings

from sendobserve.model.domain import ObserverRole

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

    @property
    def observer_name(self) -> str:
        return str(self._s.value("observer/name", "") or "")

    @observer_name.setter
    def observer_name(self, name: str) -> None:
        self._s.setValue("observer/name", name.strip())

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


ROLE_LABELS: dict[ObserverRole, str] = {
    ObserverRole.CO_MEDIATOR: "Co-mediator",
    ObserverRole.PPC: "PPC",
    ObserverRole.REGIONAL_MANAGER: "Regional manager",
    ObserverRole.SERVICE_DIRECTOR: "Service director",
    ObserverRole.MENTOR: "Mentor",
}
