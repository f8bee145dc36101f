"""Spot checks and the register pack from the Panel menu.

Both dialogs call what ``sendobserve spot-check`` and ``sendobserve register-pack`` call
(``reports.spot_checks.run_spot_check``, ``reports.register_pack.build_register_pack``),
on the window's task runner with a progress bar and a Cancel that really stops the job
(nothing is written, and no draw is logged, when it is cancelled). The spot check's seed
is drawn when the dialog opens and shown before anything is drawn; it goes into the
manifest and the store's log, and typing an earlier seed repeats that draw.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from sendobserve.errors import UserError
from sendobserve.ui.common.lock import FILE_DIALOG_OPTIONS
from sendobserve.ui.common.progress import ProgressDialog
from sendobserve.ui.common.tasks import Job, Runner

SEED_LIMIT = 2**63


def new_seed() -> int:
    return secrets.randbelow(SEED_LIMIT)


class _PackDialog(QDialog):
    """Signer, folder, Go; the job on the runner with progress; the outcome in the dialog."""

    title = ""
    go_text = ""
    started = Signal()  # the job is about to run (its progress dialog is open)

    def __init__(self, store: Any, runner: Runner, *, signer: str = "",
                 today: Callable[[], date] = date.today,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.runner = runner
        self._today = today
        self.setWindowTitle(self.title)
        self.setAccessibleName(self.title)
        self.setMinimumWidth(560)
        self.layout_ = QVBoxLayout(self)
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.layout_.addWidget(self.intro)
        self.form = QFormLayout()
        self.layout_.addLayout(self.form)
        self.signer = QLineEdit(signer)
        self.signer.setAccessibleName("Signed by")
        self.signer.setPlaceholderText("the provider's admin or lead PPC")
        self.folder = QLineEdit()
        self.folder.setAccessibleName("Folder for the packs (empty or new)")
        self.browse = QPushButton("C&hoose…")
        self.browse.setAccessibleName("Choose the folder for the packs")
        self.browse.clicked.connect(self._choose)
        self.error = QLabel("")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("font-weight: bold;")
        self.error.setVisible(False)
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByKeyboard
                                           | Qt.TextInteractionFlag.TextSelectableByMouse)
        self.outcome = QLabel("")
        self.outcome.setWordWrap(True)
        self.outcome.setVisible(False)
        self.outcome.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByKeyboard
                                             | Qt.TextInteractionFlag.TextSelectableByMouse)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Close)
        self.go = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.go.setText(self.go_text)
        self.go.setAccessibleName(self.go_text.replace("&", ""))
        close = self.buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setAccessibleName("Close")
        self.buttons.accepted.connect(self.start)
        self.buttons.rejected.connect(self.reject)
        self.progress: ProgressDialog | None = None
        self.result: Any = None
        self.busy = False

    def _finish_layout(self) -> None:
        self.form.addRow("Signed &by:", self.signer)
        row = QWidget()
        line = QHBoxLayout(row)
        line.setContentsMargins(0, 0, 0, 0)
        line.addWidget(self.folder, 1)
        line.addWidget(self.browse)
        self.form.addRow("&Folder:", row)
        self.layout_.addWidget(self.error)
        self.layout_.addWidget(self.outcome)
        self.layout_.addWidget(self.buttons)

    def _choose(self) -> None:
        chosen = QFileDialog.getExistingDirectory(
            self, "Folder for the packs", self.folder.text() or str(Path.home()),
            options=FILE_DIALOG_OPTIONS)
        if chosen:
            self.folder.setText(chosen)

    def problem(self) -> str | None:
        if not self.signer.text().strip():
            return "Type the name of the person who signs the packs."
        if not self.folder.text().strip():
            return "Choose an empty or new folder for the packs."
        folder = Path(self.folder.text().strip()).expanduser()
        if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
            return f"The folder {folder} is not empty; choose a new one."
        return None

    def _say(self, error: str = "", outcome: str = "") -> None:
        """Show a problem or the outcome (each heard as it reads; hidden when empty)."""
        for label, said in ((self.error, error), (self.outcome, outcome)):
            label.setText(said)
            label.setAccessibleName(said)
            label.setVisible(bool(said))

    def start(self) -> None:
        """Check the request, then run the job on the runner with a progress dialog."""
        if self.busy:
            return
        problem = self.problem()
        if problem:
            self._say(error=problem)
            return
        self._say()
        self.result = None
        op = self.runner.job(self.work(Path(self.folder.text().strip()).expanduser(),
                                       self.signer.text().strip()))
        self.progress = ProgressDialog(self.title, op.job, self)
        self.progress.open()
        self.busy = True
        self.go.setEnabled(False)
        self.started.emit()
        op.success(self._done).failure(self._failed).owned_by(self).run()

    def work(self, folder: Path, signer: str) -> Callable[[Job], Any]:
        """The job, run on the runner's worker: it reports progress and polls Cancel
        through its ``Job``."""
        raise NotImplementedError

    def describe(self, result: Any) -> str:
        raise NotImplementedError

    def _stop(self) -> None:
        self.busy = False
        self.go.setEnabled(True)
        if self.progress is not None:
            self.progress.finish()
            self.progress = None

    def _done(self, result: Any) -> None:
        self._stop()
        self.result = result
        self._say(outcome=self.describe(result))
        self.outcome.setFocus()

    def _failed(self, exc: BaseException) -> None:
        from sendobserve.reports.styles import ReportCancelled

        self._stop()
        if isinstance(exc, ReportCancelled):
            self._say(error="Cancelled: nothing was written and nothing logged.")
        elif isinstance(exc, UserError):
            self._say(error=exc.message)
        else:
            self._say(error=f"Not written: {exc}")
        self.error.setFocus()


class SpotCheckDialog(_PackDialog):
    title = "Spot check"
    go_text = "&Draw and write packs"

    def __init__(self, store: Any, runner: Runner, *, population: int, signer: str = "",
                 today: Callable[[], date] = date.today,
                 parent: QWidget | None = None) -> None:
        super().__init__(store, runner, signer=signer, today=today, parent=parent)
        self.population = population
        self.intro.setText(
            f"A spot check (§1.4.2 ii) draws at random from the {population} panel members "
            "(accredited or passported) and writes for each a signed evidence pack "
            "(this year's re-registration check with the CPD log, cases, mentoring and "
            "supervision, and their certificates), plus a signed manifest. The seed is "
            "recorded in the manifest and in the store's log: the same seed repeats the "
            "same draw.")
        self.sample_size = QSpinBox()
        self.sample_size.setRange(1, max(1, population))
        self.sample_size.setValue(min(max(1, population), 5))
        self.sample_size.setAccessibleName(f"Sample size, of {population} panel members")
        self.seed = QLineEdit(str(new_seed()))
        self.seed.setAccessibleName("Seed of the draw")
        self.new_seed_button = QPushButton("&New seed")
        self.new_seed_button.setAccessibleName("Draw a new seed")
        self.new_seed_button.clicked.connect(lambda: self.seed.setText(str(new_seed())))
        seed_row = QWidget()
        line = QHBoxLayout(seed_row)
        line.setContentsMargins(0, 0, 0, 0)
        line.addWidget(self.seed, 1)
        line.addWidget(self.new_seed_button)
        self.form.addRow("Sample &size:", self.sample_size)
        self.form.addRow("S&eed:", seed_row)
        self._finish_layout()
        self.go.setEnabled(population > 0)
        if population == 0:
            self._say(error="No mediator on the panel is accredited or passported yet: "
                            "there is nobody to spot-check.")

    def seed_value(self) -> int | None:
        text = self.seed.text().strip()
        if not text.isdigit() or int(text) >= SEED_LIMIT:
            return None
        return int(text)

    def problem(self) -> str | None:
        if self.seed_value() is None:
            return f"The seed is a whole number from 0 to {SEED_LIMIT - 1}."
        return super().problem()

    def work(self, folder: Path, signer: str) -> Callable[[Job], Any]:
        from sendobserve.services.packs import run_spot_check

        size, seed, today = self.sample_size.value(), self.seed_value(), self._today()
        store = self.store
        return lambda job: run_spot_check(store, size=size, out_dir=folder, signer=signer,
                                          seed=seed, today=today, progress=job.report,
                                          cancelled=job.cancelled)

    def describe(self, result: Any) -> str:
        meets = sum(1 for met in result.met.values() if met)
        lines = [f"{result.summary()} (logged in the store).",
                 f"{meets} of {len(result.files)} meet the annual re-registration "
                 "requirements."]
        lines += [f"• {name}: {'meets' if met else 'does NOT meet'} re-registration"
                  for name, met in result.met.items()]
        lines.append(f"Packs, manifest.json and the signed manifest.pdf are in "
                     f"{result.manifest.parent}.")
        return "\n".join(lines)


class RegisterPackDialog(_PackDialog):
    title = "Register pack"
    go_text = "&Write the register pack"

    def __init__(self, store: Any, runner: Runner, *, members: int, signer: str = "",
                 today: Callable[[], date] = date.today,
                 parent: QWidget | None = None) -> None:
        super().__init__(store, runner, signer=signer, today=today, parent=parent)
        self.members = members
        self.intro.setText(
            f"The yearly register pack of the {members} panel members: a signed summary "
            "each (a new accreditation as assessed on its day, otherwise this year's "
            "re-registration check), their Form 4 or Form 5 re-printed (same serial, "
            "verification code and signer), a signed panel declaration (§1.4.2 ii, §1.6 A) "
            "and a signed manifest of every file. Anyone can check the PDFs with "
            "'sendobserve verify'.")
        self._finish_layout()
        self.go.setEnabled(members > 0)
        if members == 0:
            self._say(error="No mediator on the panel is accredited or passported yet.")

    def work(self, folder: Path, signer: str) -> Callable[[Job], Any]:
        from sendobserve.services.packs import build_register_pack

        today, store = self._today(), self.store
        return lambda job: build_register_pack(store, out_dir=folder, signer=signer,
                                               today=today, progress=job.report,
                                               cancelled=job.cancelled)

    def describe(self, result: Any) -> str:
        lines = [f"{result.summary()}."]
        lines += [f"• Not re-printed: {line}" for line in result.not_reprinted]
        lines.append(f"Summaries, declaration.pdf, manifest.json and the signed manifest.pdf "
                     f"are in {result.manifest.parent}.")
        return "\n".join(lines)


def panel_members(store: Any) -> int:
    """How many mediators are on the panel (accredited or passported)."""
    from sendobserve.services.panel import members

    return members(store)
