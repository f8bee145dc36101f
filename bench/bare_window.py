"""The start-up floor: a bare PySide6 QMainWindow, started and timed like the app.

Same size as the app's main window, same probe (``sendobserve.ui.bench_probe`` prints the
monotonic time once the first paint pass is done, then quits), nothing else imported.
"""

import sys
import time

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow


def mark(phase: str) -> None:
    print(f"bench {phase} {time.monotonic():.6f}", flush=True)


class FirstPaint(QObject):
    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        self.app = app
        self.seen = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not self.seen and event.type() == QEvent.Type.Paint and isinstance(
            watched, QMainWindow
        ):
            self.seen = True
            mark("paint-event")
            QTimer.singleShot(0, self.done)
        return False

    def done(self) -> None:
        mark("painted")
        self.app.quit()


def main() -> int:
    app = QApplication(sys.argv[:1])
    mark("qt-ready")
    app.installEventFilter(FirstPaint(app))
    window = QMainWindow()
    window.resize(960, 640)
    window.show()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
