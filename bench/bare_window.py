"""The start-up and memory floors: a bare PySide6 QMainWindow, started and timed like the app.

    python bench/bare_window.py                  # the window alone
    python bench/bare_window.py --kdf N R P      # ... then the same scrypt as the app

Mirrors ``sendobserve --exit-after-start``: the same size as the app's main window,
shown, painted, "main window painted" printed from the event loop. With ``--kdf`` it then
derives a 32-byte key with ``hashlib.scrypt`` (OpenSSL, the least code there is for it)
at the store's parameters on a worker thread, as the app does, prints "key derived", and
quits: the memory floor for an app that derives its key in its own process. Nothing else
is imported.
"""

import hashlib
import sys
import threading

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow


def main() -> int:
    kdf = None
    if sys.argv[1:2] == ["--kdf"]:
        n, r, p = (int(v) for v in sys.argv[2:5])
        kdf = (n, r, p)
    app = QApplication(sys.argv[:1])
    window = QMainWindow()
    window.resize(960, 640)
    window.show()

    def finish() -> None:
        window.close()
        app.quit()

    def derive() -> None:
        assert kdf is not None
        n, r, p = kdf
        hashlib.scrypt(b"bench passphrase", salt=bytes(16), n=n, r=r, p=p,
                       maxmem=2 * 128 * n * r * p, dklen=32)

    def painted() -> None:
        print("main window painted", flush=True)
        if kdf is None:
            finish()
            return
        worker = threading.Thread(target=derive)
        worker.start()

        def check() -> None:
            if worker.is_alive():
                QTimer.singleShot(5, check)
                return
            print("key derived", flush=True)
            finish()

        check()

    window.repaint()
    QTimer.singleShot(0, painted)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
