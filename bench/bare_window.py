"""The start-up floor: a bare PySide6 QMainWindow, started and timed like the app.

Mirrors ``sendobserve --exit-after-start``: the same size as the app's main window,
shown, painted, then a line printed from the event loop and quit. Nothing else imported.
"""

import sys

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow


def main() -> int:
    app = QApplication(sys.argv[:1])
    window = QMainWindow()
    window.resize(960, 640)
    window.show()

    def painted() -> None:
        print("main window painted", flush=True)
        window.close()
        app.quit()

    window.repaint()
    QTimer.singleShot(0, painted)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
