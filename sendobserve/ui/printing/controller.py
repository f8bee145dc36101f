"""``PrintController``: the Print menu's actions for a mediator or an observation id.

Every step that reads the store or builds a PDF runs on the window's runner behind a
progress dialog; it asks who signs when it must, shows a refusal as one clear message,
opens the preview, and a certificate issued goes out on the change signal.
"""

from __future__ import annotations

import html
import logging
import re
import uuid
from collections.abc import Callable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QMessageBox,
    QWidget,
)

from sendobserve.errors import UserError
from sendobserve.ui.common.progress import ProgressDialog, run_behind_progress
from sendobserve.ui.common.tasks import Job, Runner
from sendobserve.ui.printing.preview import PrintPreviewDialog
from sendobserve.ui.printing.signers import CertificateSignaturesDialog, SignerDialog

if TYPE_CHECKING:
    from sendobserve.model.domain import Observer
    from sendobserve.services import Done
    from sendobserve.services.documents import CertificatePlan, IssuedDocument
    from sendobserve.storage.db import Store

log = logging.getLogger(__name__)


# --- the controller ------------------------------------------------------------------------

def _safe_file_name(*parts: str) -> str:
    text = " ".join(p for p in parts if p)
    keep = "".join(ch if ch.isalnum() or ch in " -_" else " " for ch in text)
    return "-".join(keep.split()) + ".pdf"


class PrintController(QObject):
    """The app's print actions, for a mediator or an observation id.

    Every step that reads the store or builds a PDF runs on ``runner``; the dialogs it
    opens are kept as attributes (``preview``, ``message``, ``signer_dialog``,
    ``progress``) so the screen that owns it, and tests, can reach them.
    """

    previewOpened = Signal(object)  # PrintPreviewDialog
    refused = Signal(str)
    failed = Signal(str)

    def __init__(self, store: Store, runner: Runner | None = None,
                 parent: QWidget | None = None, *, today: date | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.runner = runner if runner is not None else Runner(self)
        self.parent_widget = parent
        self.today = today
        self.preview: PrintPreviewDialog | None = None
        self.message: QMessageBox | None = None
        self.signer_dialog: SignerDialog | None = None
        self.signatures_dialog: CertificateSignaturesDialog | None = None
        self.progress: ProgressDialog | None = None

    # --- public actions ---------------------------------------------------------------
    def preview_observation(self, observation_id: uuid.UUID) -> None:
        from sendobserve.services.documents import observation_document

        self._build("Preparing the observation",
                    lambda _job: observation_document(self.store, observation_id),
                    lambda pdf: self._show(pdf, "Observation", "observation"))

    def preview_readiness(self, mediator_id: uuid.UUID) -> None:
        from sendobserve.services.documents import readiness_document

        def show(result: tuple[bytes, Any]) -> None:
            pdf, report = result
            self._show(pdf, f"Readiness report — {report.mediator_name}",
                       _safe_file_name("readiness", report.mediator_name))

        self._build("Preparing the readiness report",
                    lambda _job: readiness_document(self.store, mediator_id, today=self.today),
                    show)

    def preview_form4(self, mediator_id: uuid.UUID) -> None:
        self._certificate(mediator_id, 4)

    def preview_form5(self, mediator_id: uuid.UUID) -> None:
        self._certificate(mediator_id, 5)

    def preview_portfolio(self, mediator_id: uuid.UUID) -> None:
        from sendobserve.reports.build import PORTFOLIO_HINT
        from sendobserve.services.documents import portfolio_plan

        def chosen_verifier(result: tuple[Any, str | None, tuple[Observer, ...]]) -> None:
            report, refusal, eligible = result
            if refusal:
                self._refuse(refusal, PORTFOLIO_HINT)
                return
            if not eligible:
                self._refuse(
                    f"Nobody is recorded who may verify {report.mediator_name}'s portfolio.",
                    "A sole provider's portfolio is verified by their PPC (§1.3, §1.4.2 i). "
                    "Add the PPC as an observer first.")
                return
            if len(eligible) == 1:
                self._portfolio(mediator_id, eligible[0], report.mediator_name)
                return
            self._ask_signer(eligible, "Who verifies the portfolio?",
                             f"Choose the PPC who verifies {report.mediator_name}'s portfolio.",
                             lambda who: self._portfolio(mediator_id, who,
                                                         report.mediator_name))

        self._build("Checking the records",
                    lambda _job: portfolio_plan(self.store, mediator_id, today=self.today),
                    chosen_verifier, cancellable=False)

    # --- steps ------------------------------------------------------------------------
    def _portfolio(self, mediator_id: uuid.UUID, verifier: Observer, name: str) -> None:
        from sendobserve.services.documents import portfolio_document

        def run(job: Job) -> tuple[bytes, int]:
            return portfolio_document(self.store, mediator_id, verifier, today=self.today,
                                      progress=job.report, cancelled=job.cancelled)

        self._build(f"Laying out the portfolio of {name}", run,
                    lambda result: self._show(result[0], f"Portfolio — {name}",
                                              _safe_file_name("portfolio", name)),
                    cancellable=True)

    def _certificate(self, mediator_id: uuid.UUID, form_number: int) -> None:
        from sendobserve.services.documents import plan_certificate, provider_name

        if provider_name(self.store) is None:  # asked once, before the first certificate
            self.ask_provider_name(lambda: self._certificate(mediator_id, form_number))
            return

        def planned(plan: CertificatePlan) -> None:
            if plan.refusal:
                self._refuse(plan.refusal, plan.hint or "")
                return
            if plan.reprint_signer is not None:
                self._issue(plan, plan.reprint_signer)  # keeps the first issue's drawings
                return
            if not plan.candidates:
                self._refuse(
                    f"Nobody is recorded who may sign Form {form_number} for "
                    f"{plan.mediator_name}.",
                    "Form 4 is signed by an experienced SEND mediator who observed and "
                    "mentored them and supported their reflection; Form 5 by an experienced "
                    "mediator, a PPC or a manager of the provider. Add them as an observer "
                    "first.")
                return
            purpose = ("the experienced SEND mediators who observed and mentored "
                       f"{plan.mediator_name} and supported their reflection"
                       if form_number == 4
                       else "experienced mediators, PPCs and managers of the provider (§1.6)")
            self._ask_signer(plan.candidates, f"Who signs Form {form_number}?",
                             f"Form {form_number} for {plan.mediator_name} is signed "
                             f"digitally by the person you choose. Listed: {purpose}.",
                             lambda who: self._ask_drawings(plan, who),
                             ok_text="Sign and preview" if plan.reprint
                             else "&Next: drawn signatures")

        self._build(f"Checking Form {form_number}",
                    lambda _job: plan_certificate(self.store, mediator_id, form_number,
                                                  today=self.today),
                    planned, cancellable=False)

    def ask_provider_name(self, then: Callable[[], None] | None = None) -> None:
        """The provider's name for Form 4 and 5 (File ▸ Provider's name…, or before the
        first certificate); ``then`` runs once it is saved."""
        from sendobserve.services.documents import provider_name, set_provider_name
        from sendobserve.ui.common.provider import ProviderNameDialog

        def save(name: str) -> str:
            done = set_provider_name(self.store, name)
            self.runner.announce(done.changes)
            return done.value

        dialog = ProviderNameDialog(provider_name(self.store), save, self.parent_widget)
        self.provider_dialog = dialog
        if then is not None:
            dialog.accepted.connect(then)
        dialog.open()

    def _ask_drawings(self, plan: CertificatePlan, signer: Observer) -> None:
        """The two drawn signatures of a first issue (a re-print keeps its own)."""
        from sendobserve.model.vocabulary import ROLE_LABELS

        if plan.reprint:
            self._issue(plan, signer)
            return
        dialog = CertificateSignaturesDialog(plan.form_number, signer.name,
                                             ROLE_LABELS[signer.role], plan.mediator_name,
                                             self.parent_widget)
        self.signatures_dialog = dialog

        def accepted() -> None:
            signer_png, mediator_png = dialog.drawings()
            self._issue(plan, signer, signer_png, mediator_png)

        dialog.accepted.connect(accepted)
        dialog.open()

    def _issue(self, plan: CertificatePlan, signer: Observer, signer_drawing: bytes | None = None,
               mediator_drawing: bytes | None = None) -> None:
        from sendobserve.services.screens_writes import issue_certificate

        def show(written: Done[IssuedDocument]) -> None:
            issued = written.value
            what = "Re-print of" if issued.reprint else "Issued"
            dialog = self._show(
                issued.pdf,
                f"Form {issued.form_number} {issued.serial} — {issued.mediator_name}",
                _safe_file_name(f"form{issued.form_number}", issued.mediator_name,
                                issued.serial))
            dialog.status.setText(
                f"{what} Form {issued.form_number} {issued.serial}, signed by "
                f"{issued.signer_name}. Verification code: {issued.verification_code}")

        self._build(f"Signing Form {plan.form_number}",
                    lambda _job: issue_certificate(self.store, plan, signer, today=self.today,
                                                   signer_drawing=signer_drawing,
                                                   mediator_drawing=mediator_drawing),
                    show, cancellable=False)

    def _ask_signer(self, candidates: Sequence[Observer], title: str, explanation: str,
                    then: Callable[[Observer], None], *,
                    ok_text: str = "Sign and preview") -> None:
        dialog = SignerDialog(candidates, title, explanation, self.parent_widget,
                              ok_text=ok_text)
        self.signer_dialog = dialog

        def accepted() -> None:
            who = dialog.chosen()
            if who is not None:
                then(who)

        dialog.accepted.connect(accepted)
        dialog.open()

    def _build(self, title: str, work: Callable[[Job], Any],
               then: Callable[[Any], object], *, cancellable: bool = False) -> None:
        """Run ``work(job)`` on the runner behind a progress dialog; a result carrying
        ``Changes`` (a certificate issued) is announced by the runner."""
        def failed(exc: BaseException) -> None:
            from sendobserve.reports.build import CertificateRefused
            from sendobserve.reports.styles import ReportCancelled

            if isinstance(exc, ReportCancelled):
                self.failed.emit("cancelled")
                return
            if isinstance(exc, CertificateRefused):
                self._refuse(exc.message, exc.hint or "")
                return
            if isinstance(exc, UserError):
                self._error(exc.message, exc.hint or "")
                return
            log.error("printing failed", exc_info=exc)
            self._error(f"The PDF could not be made: {exc}", "")

        self.progress = run_behind_progress(self.runner.job(work), title, self.parent_widget,
                                            then, failed, cancellable=cancellable)

    def _show(self, pdf: bytes, title: str, file_name: str) -> PrintPreviewDialog:
        dialog = PrintPreviewDialog(pdf, title, self.parent_widget, runner=self.runner,
                                    file_name=file_name)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.preview = dialog
        dialog.open()
        self.previewOpened.emit(dialog)
        return dialog

    def _refuse(self, text: str, hint: str) -> None:
        """One message: the headline, then what is missing as a list, then the way on.

        A Warning, not Information: the certificate was not issued and the user must act.
        """
        head, sep, rest = text.partition(": ")
        items = [i.strip().rstrip(".") for i in rest.split("; ")] if sep else []
        if len(items) > 1:
            listed = "".join(f"<li>{html.escape(i)}</li>" for i in items)
            self._message(QMessageBox.Icon.Warning, "Not yet", f"{head}. Still needed:",
                          f"<ul>{listed}</ul><p>{html.escape(hint)}</p>", rich=True)
        else:
            self._message(QMessageBox.Icon.Warning, "Not yet", text, hint)
        self.refused.emit(text)

    def _error(self, text: str, hint: str) -> None:
        self._message(QMessageBox.Icon.Warning, "Could not print", text, hint)
        self.failed.emit(text)

    def _message(self, icon: QMessageBox.Icon, title: str, text: str, hint: str, *,
                 rich: bool = False) -> None:
        shown = html.escape(text) if rich else text
        box = QMessageBox(icon, title, shown, QMessageBox.StandardButton.Ok, self.parent_widget)
        box.setTextFormat(Qt.TextFormat.RichText if rich else Qt.TextFormat.PlainText)
        if hint:
            box.setInformativeText(hint if rich else html.escape(hint))
        box.setAccessibleName(title)
        plain = re.sub(r"<[^>]+>", " ", hint) if rich else hint
        box.setAccessibleDescription(html.unescape(f"{text} {plain}").strip())
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.message = box
        box.open()


