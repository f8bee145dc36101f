"""Render the readiness screens for every demo mediator, at 100 % and 200 %.

    python tools/readiness_screenshots.py [--out DIR]

Makes a temporary encrypted store, fills it with the demo (``sendobserve demo``), and
saves for each mediator ``readiness-<who>.png`` plus the re-registration, passporting
and record-editor tabs, and a "gaps only" and a dark-palette view of the trainee with
gaps. The 200 % set (``…@2x.png``) is rendered in a child process with
QT_SCALE_FACTOR=2, since Qt reads the factor when it starts. Offscreen; nothing here
touches the user's own data.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PASSPHRASE = "screenshots only"


def _slug(name: str) -> str:
    from sendobserve.storage.repositories import fold_name

    return fold_name(name).replace(" ", "-")


def render(out: Path, suffix: str) -> list[Path]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    sys.path.insert(0, str(ROOT))
    from PySide6.QtGui import QColor, QPalette
    from PySide6.QtWidgets import QApplication

    from sendobserve.demo import GAPS, PASSPORTED, READY, RENEWING, demo_id, fill_store
    from sendobserve.storage import keys, vault
    from sendobserve.ui.readiness.data import InlineRunner
    from sendobserve.ui.readiness.view import TAB_PASSPORT, TAB_RENEWAL, ReadinessView
    from sendobserve.ui.record.editor import RecordEditor

    app = QApplication.instance() or QApplication([])
    today = date.today()
    saved: list[Path] = []
    with tempfile.TemporaryDirectory() as tmp:
        made = vault.initialise(Path(tmp) / "data", PASSPHRASE,
                                scrypt=keys.ScryptParams(n=2**14, r=8, p=1))
        store = made.store
        try:
            fill_store(store, today=today)

            def shot(widget: object, name: str) -> None:
                app.processEvents()
                path = out / f"{name}{suffix}.png"
                widget.grab().save(str(path))  # type: ignore[attr-defined]
                saved.append(path)

            for name in (READY, GAPS, PASSPORTED, RENEWING):
                view = ReadinessView(store, demo_id("mediator", name), runner=InlineRunner(),
                                     today=lambda: today)
                view.resize(1280, 800)
                view.show()
                view.tabs.setCurrentIndex(0)
                shot(view, f"readiness-{_slug(name)}")
                if name in (RENEWING, PASSPORTED):
                    view.tabs.setCurrentIndex(TAB_RENEWAL if name == RENEWING else TAB_PASSPORT)
                    shot(view, f"{'renewal' if name == RENEWING else 'passport'}-{_slug(name)}")
                if name == GAPS:
                    view.next_gap()
                    shot(view, f"readiness-{_slug(name)}-next-gap")
                    view.gaps_only.setChecked(True)
                    shot(view, f"readiness-{_slug(name)}-gaps-only")
                    view.gaps_only.setChecked(False)
                view.close()
                editor = RecordEditor(store, demo_id("mediator", name), today=lambda: today)
                editor.resize(1100, 600)
                editor.show()
                shot(editor, f"record-{_slug(name)}")
                if name == GAPS:
                    editor.select("cases", 2)
                    shot(editor, f"record-{_slug(name)}-cases")
                    dialog = editor.entry_dialog("cases", editor.selected("cases"))
                    dialog.show()
                    dialog.set_value("casework_hours", "-3")
                    dialog.submit()
                    shot(dialog, f"record-{_slug(name)}-refused-hours")
                    dialog.reject()
                editor.close()

            dark = QPalette()
            for role, colour in ((QPalette.ColorRole.Window, "#232629"),
                                 (QPalette.ColorRole.WindowText, "#eff0f1"),
                                 (QPalette.ColorRole.Base, "#1b1e20"),
                                 (QPalette.ColorRole.AlternateBase, "#2a2e32"),
                                 (QPalette.ColorRole.Text, "#eff0f1"),
                                 (QPalette.ColorRole.Button, "#31363b"),
                                 (QPalette.ColorRole.ButtonText, "#eff0f1"),
                                 (QPalette.ColorRole.PlaceholderText, "#9a9ea3")):
                dark.setColor(role, QColor(colour))
            QApplication.setPalette(dark)
            view = ReadinessView(store, demo_id("mediator", GAPS), runner=InlineRunner(),
                                 today=lambda: today)
            view.resize(1280, 800)
            view.show()
            shot(view, f"readiness-{_slug(GAPS)}-dark")
            view.close()
        finally:
            store.close()
    return saved


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--only-scale", choices=("1", "2"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    if args.only_scale:
        for path in render(args.out, "" if args.only_scale == "1" else "@2x"):
            print(path)
        return 0
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen",
               PYTHONPATH=os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH"))
                                          if p))
    for scale in ("1", "2"):
        child = dict(env, QT_SCALE_FACTOR=scale)
        result = subprocess.run([sys.executable, __file__, "--out", str(args.out),
                                 "--only-scale", scale], env=child, check=False)
        if result.returncode:
            return result.returncode
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
