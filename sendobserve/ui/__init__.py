"""The desktop app (PySide6). The only package that imports Qt."""

from sendobserve.ui.common import qt_compat

# Before any widget exists: PySide6 6.12 on Python 3.11 drops references to None/True
# (see qt_compat); without this the app aborts after some minutes of use.
qt_compat.install()
