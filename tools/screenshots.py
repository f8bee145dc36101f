"""Render the workspace's and the readiness view's screens offscreen (1x and 2x).

    python tools/screenshots.py [--out docs/screenshots]

Builds a temporary encrypted store filled with fictional people and cases, drives the
real widgets into each state (the readiness screens use the demo store of
``sendobserve demo``), and saves ``<screen>.png`` (100 %) and ``<screen>@2x.png``
(200 %, rendered with QT_SCALE_FACTOR=2 in a child process, since the factor is read
when Qt starts). Nothing here touches the user's own data or settings.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SCREENS = ("navigation", "checklist", "checklist-dark", "debrief", "review", "amended", "locked",
           "print-preview", "form4-refused", "export", "import-preview", "identity")
PASSPHRASE = "screenshots only"


def _open_store(data_dir: Path) -> Any:
    """A new encrypted store made the way ``sendobserve init`` makes one."""
    from sendobserve.services.documents import set_provider_name
    from sendobserve.storage import vault

    store = vault.initialise(data_dir, PASSPHRASE).store
    set_provider_name(store, "Northern SEND Mediation")  # fictional, as everyone here
    return store


def _fill(service: Any) -> dict[str, Any]:
    """Fictional trainees, cases and observations in each state the screens show."""
    from sendobserve.model.domain import (
        CaseKind,
        MarkState,
        ObserverRole,
        Signature,
        TraineeRole,
    )
    from sendobserve.services.workspace import MarkEdit

    names = ["Siobhán Ó Dálaigh", "Łucja Żak", "Aoife O'Brien", "Rhys ap Dafydd",
             "Bríd Nic Aodha", "Kwame Mensah-Boateng"]
    people = {name: service.add_mediator(name) for name in names}
    trainee = people["Siobhán Ó Dálaigh"]
    ppc = service.observer_named("Anjali Patel", ObserverRole.PPC)
    mentor = service.observer_named("Tomasz Wiśniewski", ObserverRole.MENTOR)
    c1 = service.add_case(trainee.id, "SEN-2026-003", date(2026, 1, 12), CaseKind.MEDIATION,
                          TraineeRole.OBSERVING, Decimal("3.5"))
    c2 = service.add_case(trainee.id, "SEN-2026-011", date(2026, 2, 20), CaseKind.MEDIATION,
                          TraineeRole.CO_MEDIATING, Decimal("4.5"))
    c3 = service.add_case(trainee.id, "DR-2026-004", date(2026, 3, 9),
                          CaseKind.DISAGREEMENT_RESOLUTION, TraineeRole.LEADING, Decimal("4"))
    done = service.start_observation(c1.id, ppc.id, "form2", 1, date(2026, 1, 12))
    items = [t.id for t in service.form(done.form_id, done.form_version).tick_items()]
    for n, item in enumerate(items):
        service.set_mark(done.id, item, MarkState.DEVELOPMENT_NEEDED if n % 9 == 4
                         else MarkState.DEMONSTRATED, "")
    service.finalise(done.id, Signature("Anjali Patel", ObserverRole.PPC, date(2026, 1, 12)))
    service.amend(done.id, [MarkEdit(items[4], MarkState.DEMONSTRATED,
                                     "Seen in the second joint meeting")],
                  "Ticked the wrong row in the room", "Anjali Patel")

    draft = service.start_observation(c2.id, ppc.id, "form2", 2, date(2026, 2, 20))
    for n, item in enumerate(items[:31]):
        state = (MarkState.DEVELOPMENT_NEEDED if n in (6, 19) else
                 MarkState.NOT_APPLICABLE if n == 2 else MarkState.DEMONSTRATED)
        service.set_mark(draft.id, item, state, "")
    service.set_mark(draft.id, items[6], MarkState.DEVELOPMENT_NEEDED,
                     "Agenda set by the local authority's officer; parents not asked")

    debrief = service.start_observation(c3.id, mentor.id, "form3", 1, date(2026, 3, 9))
    form3 = service.form(debrief.form_id, debrief.form_version)
    for item in [t.id for t in form3.tick_items()][:5]:
        service.set_mark(debrief.id, item, MarkState.DEMONSTRATED, "")
    service.save_debrief_note(debrief.id, "f3.db.strengths",
                              "Calm, clear opening; summarised both parties' concerns "
                              "without taking sides.")
    service.save_debrief_note(debrief.id, "f3.db.learning_plan",
                              "Shadow a Tribunal-linked case; read Chapter 11 of the Code.")
    return {"trainee": trainee, "cases": (c1, c2, c3), "done": done, "draft": draft,
            "debrief": debrief}


def _dark_palette() -> Any:
    from PySide6.QtGui import QColor, QPalette

    palette = QPalette()
    roles = {
        QPalette.ColorRole.Window: "#202124", QPalette.ColorRole.WindowText: "#e8eaed",
        QPalette.ColorRole.Base: "#17181a", QPalette.ColorRole.AlternateBase: "#2a2c30",
        QPalette.ColorRole.Text: "#e8eaed", QPalette.ColorRole.Button: "#2d2f33",
        QPalette.ColorRole.ButtonText: "#e8eaed", QPalette.ColorRole.Highlight: "#8ab4f8",
        QPalette.ColorRole.HighlightedText: "#111111", QPalette.ColorRole.Mid: "#5f6368",
        QPalette.ColorRole.PlaceholderText: "#9aa0a6", QPalette.ColorRole.ToolTipBase: "#2d2f33",
        QPalette.ColorRole.ToolTipText: "#e8eaed",
    }
    for role, colour in roles.items():
        palette.setColor(role, QColor(colour))
    return palette


def render(out: Path, suffix: str, size: tuple[int, int]) -> list[Path]:
    from PySide6.QtCore import QPointF, QSettings
    from PySide6.QtWidgets import QApplication

    from sendobserve.forms.registry import FormRegistry
    from sendobserve.model.domain import ObserverRole
    from sendobserve.services.store_workspace import StoreWorkspaceService
    from sendobserve.ui.common.settings import WorkspaceSettings
    from sendobserve.ui.common.tasks import Runner
    from sendobserve.ui.shell.workspace import Workspace

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setStyle("Fusion")
    saved: list[Path] = []
    with tempfile.TemporaryDirectory() as tmp:
        store = _open_store(Path(tmp) / "data")
        service = StoreWorkspaceService(store.session, FormRegistry.standard(),
                                        verify_passphrase=lambda p: p == PASSPHRASE,
                                        actor=lambda: "Anjali Patel")
        data = _fill(service)
        settings = WorkspaceSettings(QSettings(str(Path(tmp) / "settings.ini"),
                                               QSettings.Format.IniFormat))
        settings.observer_name = "Anjali Patel"
        settings.observer_role = ObserverRole.PPC
        workspace = Workspace(service, settings, Runner(synchronous=True))
        workspace.setWindowTitle("sendobserve")
        workspace.resize(*size)
        workspace.show()

        def shot(name: str) -> None:
            for _ in range(3):
                app.processEvents()
            path = out / f"{name}{suffix}.png"
            workspace.grab().save(str(path))
            saved.append(path)

        trainee, cases = data["trainee"], data["cases"]
        nav = workspace.navigation
        nav.search.setText("siobhan")
        nav.trainee_list.setFocus()
        shot("navigation")

        workspace.open_observation(data["draft"], trainee, cases[1])
        page = workspace.observation_page
        assert page is not None
        page.view.select_item(page.session.model.item_ids()[6])
        page.view.setFocus()
        shot("checklist")
        light = app.palette()
        app.setPalette(_dark_palette())
        shot("checklist-dark")
        app.setPalette(light)

        workspace.open_observation(data["debrief"], trainee, cases[2])
        shot("debrief")

        workspace.open_observation(data["draft"], trainee, cases[1])
        workspace.show_review()
        review = workspace.review_page
        assert review is not None
        review.pad.add_stroke([QPointF(30 + x * 4, 90 - 30 * ((x % 12) / 12.0) + (x % 5) * 3)
                               for x in range(60)], 2.5)
        review.pad.add_stroke([QPointF(60, 110), QPointF(260, 104)], 2.0)
        shot("review")

        workspace.open_observation(data["done"], trainee, cases[0])
        shot("amended")

        workspace.lock()
        shot("locked")
        workspace.close()
        _dialogs(store, Path(tmp), data, out, suffix, saved)
        store.close()
    return saved


def render_readiness(out: Path, suffix: str, size: tuple[int, int]) -> list[Path]:
    """The readiness screens and the record editor for each demo mediator (the store is
    filled as ``sendobserve demo`` fills it): readiness-*, renewal-*, passport-*, record-*,
    plus the gapped trainee with "gaps only", at the next gap, in a dark palette, and an
    entry refused with its message by the field."""
    from datetime import date

    from PySide6.QtWidgets import QApplication

    from sendobserve.demo import GAPS, PASSPORTED, READY, RENEWING, demo_id, fill_store
    from sendobserve.services.screens_trainee import TraineeRecord
    from sendobserve.storage.repositories import fold_name
    from sendobserve.ui.common.tasks import Runner
    from sendobserve.ui.trainee.readiness.view import (
        TAB_FORM4,
        TAB_PASSPORT,
        TAB_RENEWAL,
        ReadinessView,
    )
    from sendobserve.ui.trainee.record.editor import RecordEditor

    app = QApplication.instance() or QApplication(sys.argv[:1])
    today = date.today()
    saved: list[Path] = []

    def shot(widget: Any, name: str) -> None:
        for _ in range(3):
            app.processEvents()
        path = out / f"{name}{suffix}.png"
        widget.grab().save(str(path))
        saved.append(path)

    with tempfile.TemporaryDirectory() as tmp:
        store = _open_store(Path(tmp) / "data")
        try:
            fill_store(store, today=today)
            for name in (READY, GAPS, PASSPORTED, RENEWING):
                slug = fold_name(name).replace(" ", "-")
                view = ReadinessView(TraineeRecord.of(store), demo_id("mediator", name),
                                     runner=Runner(synchronous=True),
                                     today=lambda: today)
                view.resize(*size)
                view.show()
                view.tabs.setCurrentIndex(TAB_FORM4)
                shot(view, f"readiness-{slug}")
                if name in (RENEWING, PASSPORTED):
                    renewing = name == RENEWING
                    view.tabs.setCurrentIndex(TAB_RENEWAL if renewing else TAB_PASSPORT)
                    shot(view, f"{'renewal' if renewing else 'passport'}-{slug}")
                if name == GAPS:
                    view.next_gap()
                    shot(view, f"readiness-{slug}-next-gap")
                    view.gaps_only.setChecked(True)
                    shot(view, f"readiness-{slug}-gaps-only")
                    view.gaps_only.setChecked(False)
                    light = app.palette()
                    app.setPalette(_dark_palette())
                    shot(view, f"readiness-{slug}-dark")
                    app.setPalette(light)
                view.close()
                editor = RecordEditor(TraineeRecord.of(store), demo_id("mediator", name),
                                      today=lambda: today)
                editor.resize(*size)
                editor.show()
                shot(editor, f"record-{slug}")
                if name == PASSPORTED:
                    editor.tabs.setCurrentWidget(editor.details)
                    shot(editor, f"record-{slug}-details")
                if name == GAPS:
                    editor.select("cases", 2)
                    shot(editor, f"record-{slug}-cases")
                    dialog = editor.entry_dialog("cases", editor.selected("cases"))
                    dialog.show()
                    dialog.set_value("casework_hours", "-3")
                    dialog.submit()
                    shot(dialog, f"record-{slug}-refused-hours")
                    dialog.reject()
                editor.close()
        finally:
            store.close()
    return saved


def _dialogs(store: Any, tmp: Path, data: dict[str, Any], out: Path, suffix: str,
             saved: list[Path]) -> None:
    """The print and exchange dialogs, driven as a user would, each grabbed on its own."""
    from PySide6.QtWidgets import QApplication, QWidget

    from sendobserve.ui.common.tasks import Runner
    from sendobserve.ui.exchange.dialogs import ExchangeController
    from sendobserve.ui.printing import PrintController

    def shot(widget: QWidget | None, name: str) -> None:
        assert widget is not None, name
        widget.show()
        for _ in range(3):
            QApplication.processEvents()
        path = out / f"{name}{suffix}.png"
        widget.grab().save(str(path))
        saved.append(path)
        widget.close()

    printing = PrintController(store, Runner(synchronous=True))
    printing.preview_observation(data["done"].id)
    preview = printing.preview
    assert preview is not None
    preview.resize(860, 900)
    preview.show()
    QApplication.processEvents()
    preview.fit_to_width()
    shot(preview, "print-preview")
    printing.preview_form4(data["trainee"].id)  # one finalised observation: refused
    shot(printing.message, "form4-refused")
    shot(_signatures_dialog(data["trainee"].name), "certificate-signatures")

    exchange = ExchangeController(store, Runner(synchronous=True))
    exchange.start_export(data["trainee"].id)
    export = exchange.export_dialog
    assert export is not None
    export.signer.setText("Anjali Patel (PPC)")
    export.passphrase.setText("kettle on the windowsill")
    export.repeat.setText("kettle on the windowsill")
    export.path.setText(str(tmp / "siobhan.sendobs"))
    export.path.setModified(True)
    shot(export, "export")
    export._check()  # the Export button: writes the file
    if exchange.message is not None:
        exchange.message.close()
    other = _open_store(tmp / "other")
    try:
        importer = ExchangeController(other, Runner(synchronous=True))
        importer.check_file(str(tmp / "siobhan.sendobs"), "kettle on the windowsill")
        shot(importer.preview_dialog, "import-preview")
    finally:
        other.close()
    exchange.show_identity()
    shot(exchange.identity_dialog, "identity")


def _signatures_dialog(mediator_name: str) -> Any:
    """The Form 4 signatures dialog with the signer's drawing done, the mediator's to come."""
    import math

    from PySide6.QtCore import QPointF

    from sendobserve.ui.printing import CertificateSignaturesDialog

    dialog = CertificateSignaturesDialog(4, "Anjali Patel", "PPC", mediator_name)
    dialog.resize(620, dialog.sizeHint().height())
    points = [QPointF(30 + 3.2 * i, 62 - 26 * math.sin(i / 7) * math.exp(-i / 90)
                      + 8 * math.sin(i / 2.3)) for i in range(110)]
    dialog.signer_pad.add_stroke(points, 2.6)
    dialog.signer_pad.add_stroke([QPointF(60, 88), QPointF(250, 80)], 2.0)
    return dialog


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--child", choices=("1", "2"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    if args.child:
        scale = args.child
        # The same physical screen at 200 % has half the logical room.
        size = (1280, 800) if scale == "1" else (960, 600)
        suffix = "" if scale == "1" else "@2x"
        for path in render(args.out, suffix, size) + render_readiness(args.out, suffix, size):
            print(path.relative_to(args.out.parent.parent) if args.out.is_relative_to(ROOT)
                  else path)
        return 0
    for scale in ("1", "2"):
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen", QT_SCALE_FACTOR=scale,
                   PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
        subprocess.run([sys.executable, __file__, "--out", str(args.out), "--child", scale],
                       check=True, env=env)
    return 0


if __name__ == "__main__":
    sys.exit(main())
