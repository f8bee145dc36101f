"""How long a tick takes, key press to committed mark shown: python tools/bench_ticks.py

A real encrypted store in a temporary folder, the real checklist page offscreen; each
key press commits one mark (WAL, synchronous=FULL) before the model shows it.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main() -> int:
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from sendobserve.forms.registry import FormRegistry
    from sendobserve.model.domain import CaseKind, ObserverRole, TraineeRole
    from sendobserve.storage import keys, vault
    from sendobserve.ui.observation import ObservationSession
    from sendobserve.ui.observation_page import ObservationPage
    from sendobserve.ui.store_service import StoreWorkspaceService

    app = QApplication(sys.argv[:1])
    with tempfile.TemporaryDirectory() as tmp:
        store = vault.initialise(Path(tmp) / "data", "bench only passphrase",
                                 scrypt=keys.ScryptParams(n=2**14, r=8, p=1)).store
        service = StoreWorkspaceService(store.session, FormRegistry.standard(),
                                        lambda _p: False, lambda: "Bench")
        mediator = service.add_mediator("Bench Trainee")
        case = service.add_case(mediator.id, "BENCH-1", date(2026, 1, 5), CaseKind.MEDIATION,
                                TraineeRole.LEADING, Decimal("3"))
        observer = service.observer_named("Bench", ObserverRole.PPC)
        observation = service.start_observation(case.id, observer.id, "form2", 1,
                                                date(2026, 1, 5))
        page = ObservationPage(ObservationSession(service, observation), "bench")
        page.resize(1280, 800)
        page.show()
        app.processEvents()
        presses = [Qt.Key.Key_1, Qt.Key.Key_2, Qt.Key.Key_3]
        timings = []
        for n in range(300):
            started = time.perf_counter()
            QTest.keyClick(page.view, presses[n % 3])
            timings.append((time.perf_counter() - started) * 1000)
            QTest.keyClick(page.view, Qt.Key.Key_J if (n // 39) % 2 == 0 else Qt.Key.Key_K)
        store.close()
    timings.sort()
    print(f"key press to committed, shown mark: median {statistics.median(timings):.1f} ms, "
          f"95th percentile {timings[int(len(timings) * 0.95)]:.1f} ms, "
          f"max {timings[-1]:.1f} ms over {len(timings)} ticks")
    return 0


if __name__ == "__main__":
    sys.exit(main())
