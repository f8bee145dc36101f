"""UI test fixtures: the real encrypted store (``store`` from tests/conftest.py), the
shipped forms, real widgets offscreen, and a synchronous task runner."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSettings

from sendobserve.forms.registry import FormRegistry
from sendobserve.model.domain import CaseKind, ObserverRole, TraineeRole
from sendobserve.services.changes import Changes
from sendobserve.services.store_workspace import StoreWorkspaceService
from sendobserve.storage import vault
from sendobserve.storage.db import Store
from sendobserve.storage.errors import WrongKeyError
from sendobserve.ui.common.settings import WorkspaceSettings
from sendobserve.ui.common.tasks import Runner
from tests.helpers import TEST_PASSPHRASE

PASSPHRASE = TEST_PASSPHRASE
OBSERVER = "Dana Whitfield"


def passphrase_opens(data_dir: Path, secret: str) -> bool:
    """The lock's check: the key file's own unlock (scrypt + AES-GCM), nothing stubbed."""
    try:
        vault.unlock(data_dir, secret)
    except WrongKeyError:
        return False
    return True


def make_service(store: Store, forms: FormRegistry,
                 changed: Callable[[Changes], None] | None = None) -> StoreWorkspaceService:
    """The workspace's door on ``store``; ``changed``: the runner's ``announce``, as in
    ``build_workspace``."""
    return StoreWorkspaceService(store.session, forms,
                                 verify_passphrase=lambda p: passphrase_opens(store.data_dir, p),
                                 actor=lambda: OBSERVER, changed=changed)


def reopen(store: Store) -> Store:
    """Close the store and open it again from its folder, as after a restart."""
    store.close()
    return vault.open_with_secret(store.data_dir, PASSPHRASE).store


@pytest.fixture(autouse=True)
def _own_settings_folder(tmp_path_factory: pytest.TempPathFactory) -> None:
    """QSettings() (window geometry…) in a folder of this test, never the user's own."""
    folder = str(tmp_path_factory.mktemp("qsettings"))
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, folder)


@pytest.fixture(scope="session")
def forms() -> FormRegistry:
    return FormRegistry.standard()


@pytest.fixture
def service(store: Store, forms: FormRegistry, runner: Runner) -> StoreWorkspaceService:
    """The door, announcing its writes on the ``runner`` fixture's change signal."""
    return make_service(store, forms, runner.announce)


@pytest.fixture
def settings(tmp_path: Path, qapp: Any) -> WorkspaceSettings:
    return WorkspaceSettings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))


@pytest.fixture
def runner(qapp: Any) -> Runner:
    return Runner(synchronous=True)


@pytest.fixture
def draft(service: StoreWorkspaceService) -> Any:
    """A trainee, a case and a draft Form 2 observation on it."""
    mediator = service.add_mediator("Siobhán Ó Dálaigh")
    case = service.add_case(mediator.id, "SEN-2026-014", date(2026, 3, 2), CaseKind.MEDIATION,
                            TraineeRole.CO_MEDIATING, Decimal("4.5"))
    observer = service.observer_named(OBSERVER, ObserverRole.PPC)
    return service.start_observation(case.id, observer.id, "form2", 1, date(2026, 3, 2))
