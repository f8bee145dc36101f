"""The third-party components sendobserve ships, with their licences and sources.

Shown in the About dialog and kept next to the frozen app. A test checks that every
runtime dependency in ``pyproject.toml`` is listed here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Component:
    name: str
    distribution: str  # the PyPI name (for the version), "" for parts with none
    licence: str
    source: str
    note: str = ""


QT_REPLACEMENT_NOTE = (
    "Qt and PySide6 are used under the GNU Lesser General Public License v3. Their source "
    "is available from the Qt Project (code.qt.io, download.qt.io) and PyPI's PySide6 "
    "source distributions. In the installed app the Qt and PySide6 libraries are separate "
    "shared libraries in the app's _internal/PySide6 folder (Qt/lib, Qt/plugins): you may "
    "replace them with your own build of the same Qt and PySide6 version, and the app will "
    "load yours. We will provide, on request, the object files needed to relink it."
)

COMPONENTS: tuple[Component, ...] = (
    Component("Qt 6 and PySide6", "PySide6-Essentials", "LGPL-3.0-only",
              "https://code.qt.io/", note=QT_REPLACEMENT_NOTE),
    Component("Shiboken 6", "shiboken6", "LGPL-3.0-only", "https://code.qt.io/"),
    Component("SQLCipher (with SQLite)", "sqlcipher3",
              "BSD-3-Clause (SQLCipher); public domain (SQLite); zlib-style (sqlcipher3)",
              "https://github.com/coleifer/sqlcipher3"),
    Component("SQLAlchemy", "SQLAlchemy", "MIT", "https://www.sqlalchemy.org/"),
    Component("Alembic", "alembic", "MIT", "https://alembic.sqlalchemy.org/"),
    Component("Mako", "Mako", "MIT", "https://www.makotemplates.org/"),
    Component("cryptography", "cryptography", "Apache-2.0 OR BSD-3-Clause",
              "https://github.com/pyca/cryptography"),
    Component("keyring", "keyring", "MIT", "https://github.com/jaraco/keyring"),
    Component("zxcvbn (passphrase strength)", "zxcvbn", "MIT",
              "https://github.com/dwolfhub/zxcvbn-python"),
    Component("platformdirs", "platformdirs", "MIT", "https://github.com/tox-dev/platformdirs"),
    Component("PyYAML", "PyYAML", "MIT", "https://pyyaml.org/"),
    Component("ReportLab", "reportlab", "BSD-3-Clause", "https://www.reportlab.com/opensource/"),
    Component("Pillow", "pillow", "MIT-CMU", "https://python-pillow.org/"),
    Component("pyHanko", "pyHanko", "MIT", "https://github.com/MatthiasValvekens/pyHanko"),
    Component("pyhanko-certvalidator", "pyhanko-certvalidator", "MIT",
              "https://github.com/MatthiasValvekens/certvalidator"),
    Component("asn1crypto", "asn1crypto", "MIT", "https://github.com/wbond/asn1crypto"),
    Component("pypdfium2 (with PDFium)", "pypdfium2",
              "Apache-2.0 OR BSD-3-Clause (pypdfium2); BSD-3-Clause and Apache-2.0 (PDFium)",
              "https://github.com/pypdfium2-team/pypdfium2"),
    Component("HTTPX (hub sync)", "httpx", "BSD-3-Clause", "https://github.com/encode/httpx"),
    Component("HTTP Core", "httpcore", "BSD-3-Clause", "https://github.com/encode/httpcore"),
    Component("h11", "h11", "MIT", "https://github.com/python-hyper/h11"),
    Component("AnyIO", "anyio", "MIT", "https://github.com/agronholm/anyio"),
    Component("idna", "idna", "BSD-3-Clause", "https://github.com/kjd/idna"),
    Component("certifi", "certifi", "MPL-2.0", "https://github.com/certifi/python-certifi"),
    Component("DejaVu fonts", "", "Bitstream Vera Fonts licence (DejaVu changes: public domain)",
              "https://dejavu-fonts.github.io/",
              note="The licence ships with the app: resources/fonts/LICENSE-DejaVu.txt."),
    Component("Python", "", "PSF-2.0", "https://www.python.org/"),
)


def component_version(component: Component) -> str:
    if not component.distribution:
        return ""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(component.distribution)
    except PackageNotFoundError:  # a frozen app may carry no package metadata
        return ""
