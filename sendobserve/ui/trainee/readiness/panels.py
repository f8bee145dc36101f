"""Requirement panels: Form 4 readiness, annual re-registration, passporting (Form 5).

Each requirement is one row: a status with glyph and word (never colour alone), its
title, the short figure ("casework 9.5 of 12 h") and the engine's sentence with the
numbers. Under them, "still needed" as a plain list. All text is set as plain text:
names and references are data, never markup.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QLabel,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from sendobserve.model import requirements as R
from sendobserve.model.outcome import RequirementResult, Status, fmt_hours
from sendobserve.model.readiness import ReadinessReport
from sendobserve.model.renewal import PassportReport, RenewalReport
from sendobserve.model.rulebook import Edition, default_edition
from sendobserve.model.vocabulary import day_text
from sendobserve.ui.trainee.style import STATUS_GLYPH, STATUS_WORD, status_colour

# requirement id → (what, figure key, unit) for the short figure; the threshold is the
# edition's (the one the result was judged under).
_FIGURES: dict[str, tuple[str, str, str]] = {
    R.FOUNDATION_TRAINING: ("foundation", "foundation_hours", "h"),
    R.SEND_TRAINING: ("SEND training", "send_training_hours", "h"),
    R.CASEWORK_HOURS: ("casework", "casework_hours", "h"),
    R.REFLECTION_HOURS: ("reflection", "reflection_hours", "h"),
    R.THREE_ACTIVE_CASES: ("active cases", "active_cases", ""),
    R.CRITERIA_DEMONSTRATED: ("criteria", "criteria_demonstrated", ""),
    R.RENEWAL_CPD_HOURS: ("CPD", "cpd_hours", "h"),
    R.RENEWAL_CASES: ("cases", "cases", ""),
    R.PASSPORT_FOUNDATION_TRAINING: ("foundation", "foundation_hours", "h"),
}


def short_figure(result: RequirementResult, edition: Edition | None = None) -> str:
    """"casework 9.5 of 12 h", "active cases 2 of 3", or "" when there is no figure."""
    spec = _FIGURES.get(result.id)
    if spec is None:
        return ""
    what, key, unit = spec
    have = result.figures.get(key)
    need: Decimal | int
    if result.id == R.CRITERIA_DEMONSTRATED:
        need = int(result.figures.get("criteria_total") or 0)  # type: ignore[arg-type]
    else:
        threshold = (edition or default_edition()).threshold(result.id)
        need = int(threshold) if unit == "" else threshold
    if not isinstance(have, (int, Decimal)) or isinstance(have, bool):
        return ""
    def num(v: Decimal | int) -> str:
        return fmt_hours(v) if isinstance(v, Decimal) else str(v)
    return f"{what} {num(have)} of {num(need)}" + (f" {unit}" if unit else "")


def _label(text: str, *, bold: bool = False, wrap: bool = True) -> QLabel:
    label = QLabel()
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setText(text)
    label.setWordWrap(wrap)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if bold:
        font = label.font()
        font.setBold(True)
        label.setFont(font)
    return label


class RequirementList(QWidget):
    """Rows of requirements, then the "still needed" list; ``show_results`` refills it."""

    def __init__(self, heading: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self.verdict = _label("", bold=True)
        self.verdict.setObjectName("verdict")
        self._layout.addWidget(self.verdict)
        # Which edition of the Standards the verdict is under (and the practice period).
        self.edition = _label("")
        self.edition.setObjectName("edition")
        self._layout.addWidget(self.edition)
        # What is still needed comes first: it is the question asked at a de-brief.
        self.needed_heading = _label("Still needed", bold=True)
        self._layout.addWidget(self.needed_heading)
        self.needed = _label("")
        self.needed.setObjectName("stillNeeded")
        self._layout.addWidget(self.needed)
        self._layout.addSpacing(self.fontMetrics().height() // 2)
        self.heading = _label(heading, bold=True)
        self._layout.addWidget(self.heading)
        self._grid_host = QWidget()
        self._grid = QGridLayout(self._grid_host)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setColumnStretch(1, 1)
        self._grid.setVerticalSpacing(self.fontMetrics().height() // 2)
        self._layout.addWidget(self._grid_host)
        self._layout.addStretch(1)
        self.rows: dict[str, tuple[QLabel, QLabel]] = {}  # id → (status, text)
        self.notes: dict[str, QLabel] = {}  # id → the program's decisions that apply
        self.needed_items: tuple[str, ...] = ()

    def show_results(
        self, verdict: str, ok: bool, results: Iterable[RequirementResult],
        still_needed: Sequence[str], edition: Edition | None = None, period: str = "",
    ) -> None:
        self._shown = (verdict, ok, list(results), still_needed)  # recoloured on a theme change
        results = self._shown[2]
        pal = self.palette()
        self.verdict.setText(verdict)
        self.edition.setText(
            f"Judged under the {edition.label} [{edition.id}]{period}." if edition else "")
        self.edition.setVisible(edition is not None)
        colour = status_colour(Status.MET if ok else Status.NOT_MET, pal)
        self._colour(self.verdict, colour)
        results = list(results)
        if [r.id for r in results] != list(self.rows):
            # A different set of requirements: rebuild the rows (otherwise relabel them,
            # which is what a refresh after an edit needs and is much cheaper).
            while self._grid.count():
                item = self._grid.takeAt(0)
                widget = item.widget() if item is not None else None
                if widget is not None:
                    widget.deleteLater()
            self.rows = {}
            self.notes = {}
            for row, r in enumerate(results):
                status = _label("", bold=True, wrap=False)
                status.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
                text = _label("")
                text.setObjectName(f"requirement:{r.id}")
                # The program's decisions where the Standards are silent, set apart from
                # the verdict: smaller and in the muted text colour.
                note = _label("")
                note.setObjectName(f"decisions:{r.id}")
                font = note.font()
                font.setPointSizeF(font.pointSizeF() * 0.9)
                note.setFont(font)
                self._colour(note, pal.color(QPalette.ColorRole.PlaceholderText))
                cell = QWidget()
                column = QVBoxLayout(cell)
                column.setContentsMargins(0, 0, 0, 0)
                column.setSpacing(1)
                column.addWidget(text)
                column.addWidget(note)
                self._grid.addWidget(status, row, 0)
                self._grid.addWidget(cell, row, 1)
                self.rows[r.id] = (status, text)
                self.notes[r.id] = note
        for r in results:
            status, text = self.rows[r.id]
            status.setText(f"{STATUS_GLYPH[r.status]} {STATUS_WORD[r.status]}")
            self._colour(status, status_colour(r.status, pal))
            figure = short_figure(r, edition)
            decisions = "\n".join(f"{d[:1].lower()}{d[1:]}" for d in r.decisions)
            text.setText(f"{r.title}" + (f"  ({figure})" if figure else "") + f"\n{r.detail}")
            text.setToolTip(f"{r.paragraph} of the Standards")
            note = self.notes[r.id]
            note.setText(decisions)
            note.setVisible(bool(decisions))
            sentence = f"{r.title}: {STATUS_WORD[r.status].lower()}." + (
                f" {figure}." if figure else "") + f" {r.detail}"
            for w in (status, text):
                w.setAccessibleName(sentence)
                w.setAccessibleDescription(decisions)
        if still_needed:
            self.needed_heading.setText("Still needed")
            # A list with a hanging indent; every sentence escaped (names are data).
            self.needed.setTextFormat(Qt.TextFormat.RichText)
            self.needed.setText(
                "<ul style='margin-left:0; -qt-list-indent:1'>"
                + "".join(f"<li>{html.escape(s)}</li>" for s in still_needed) + "</ul>")
            self.needed_items = tuple(still_needed)
        else:
            self.needed_heading.setText("Nothing more is needed.")
            self.needed.setText("")
            self.needed_items = ()
        self.needed.setVisible(bool(still_needed))
        self.needed.setAccessibleName(
            "Still needed: " + "; ".join(still_needed) if still_needed else "Nothing more needed")

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        shown = getattr(self, "_shown", None)
        if event.type() == QEvent.Type.PaletteChange and shown is not None:
            self.show_results(*shown)  # the status colours follow the new palette

    @staticmethod
    def _colour(label: QLabel, colour: object) -> None:
        pal = label.palette()
        pal.setColor(QPalette.ColorRole.WindowText, colour)
        label.setPalette(pal)

    def text_of(self, requirement_id: str) -> str:
        status, text = self.rows[requirement_id]
        return f"{status.text()} {text.text()}"


class ReadinessPanel(RequirementList):
    """Form 4: every requirement with its numbers, and what is still needed."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Requirements for Form 4", parent)

    def show_report(self, report: ReadinessReport) -> None:
        needed = report.still_needed
        if report.ready:
            verdict = f"{STATUS_GLYPH[Status.MET]} Ready for Form 4"
        else:
            n = len(needed)
            verdict = (f"{STATUS_GLYPH[Status.NOT_MET]} Not ready for Form 4 — "
                       f"{n} thing{'s' if n != 1 else ''} still needed")
        period = (f"; practice period from {day_text(report.practice_start, long=True)}"
                  if report.practice_start else
                  "; the practice period begins after the SEND-specific training")
        self.show_results(verdict, report.ready, report.requirements, needed, report.edition,
                          period)


class RenewalPanel(QWidget):
    """Annual re-registration (§1.4.3): CPD, cases and support in the last 12 months."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        self.intro = _label("")
        layout.addWidget(self.intro)
        self.requirements = RequirementList("Requirements for re-registration")
        layout.addWidget(self.requirements)
        self.cpd_heading = _label("CPD in the last 12 months", bold=True)
        layout.addWidget(self.cpd_heading)
        self.cpd = _label("")
        self.cpd.setObjectName("cpdLog")
        layout.addWidget(self.cpd)
        layout.addStretch(1)

    def show_report(self, report: RenewalReport, cpd_lines: Sequence[str], accredited: bool,
                    ) -> None:
        self.intro.setText(
            f"The 12 months from {report.window.label().replace(' to ', ' to ')}."
            + ("" if accredited else " Re-registration applies once accredited; shown for"
               " planning.")
        )
        verdict = (f"{STATUS_GLYPH[Status.MET]} Meets the annual requirements" if report.ready
                   else f"{STATUS_GLYPH[Status.NOT_MET]} Does not yet meet the annual"
                   " requirements")
        self.requirements.show_results(verdict, report.ready, report.requirements,
                                       report.still_needed, report.edition)
        self.cpd.setText("\n".join(cpd_lines) if cpd_lines else "No CPD logged in this period.")


class PassportPanel(QWidget):
    """Passporting (§1.6, Form 5): the facts Form 5 prints, and what is missing."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        self.facts_heading = _label("Form 5 facts", bold=True)
        layout.addWidget(self.facts_heading)
        self.facts = _label("")
        self.facts.setObjectName("form5Facts")
        layout.addWidget(self.facts)
        self.requirements = RequirementList("Requirements for passporting")
        layout.addWidget(self.requirements)
        self.years_heading = _label("Year by year (as far as the records go)", bold=True)
        layout.addWidget(self.years_heading)
        self.years = _label("")
        self.years.setObjectName("years")
        layout.addWidget(self.years)
        sep = QFrame()
        sep.setFrameShape(QFrame.Shape.NoFrame)
        layout.addWidget(sep)
        layout.addStretch(1)

    def show_report(self, report: PassportReport, passported: bool) -> None:
        def when(d: date | None) -> str:
            return day_text(d, long=True) if d is not None else "not recorded"

        lines = [
            f"Working as a SEND mediator since: {when(report.send_practice_since)}",
            f"Lead SEND mediator since: {when(report.lead_since)}",
        ]
        for t in report.foundation_training:
            lines.append(f"Foundation training: {when(t.end_date)}, {t.provider},"
                         f" {fmt_hours(t.hours)} h")
        if not report.foundation_training:
            lines.append("Foundation training: not recorded")
        for t in report.send_training:
            lines.append(f"Specialised SEND training: {when(t.end_date)}, {t.provider}")
        if report.route is not None:
            lines.append(
                "Route: (A) on a provider's panel, confirmed by "
                f"{report.panel_confirmed_by or 'nobody yet'} on "
                f"{when(report.panel_confirmed_on)}" if report.route.value == "a"
                else "Route: (B) a pioneer")
        if not passported:
            lines.append("(Not marked as passported: shown for information.)")
        self.facts.setText("\n".join(lines))
        verdict = (f"{STATUS_GLYPH[Status.MET]} Eligible for Form 5" if report.eligible
                   else f"{STATUS_GLYPH[Status.NOT_MET]} Not yet eligible for Form 5")
        self.requirements.show_results(verdict, report.eligible, report.requirements,
                                       report.still_needed, report.edition)
        judged = [y for y in report.years if y.judged]
        rows = [f"{y.window.label()}:  {y.cases_led} led,  {fmt_hours(y.cpd_hours)} h CPD"
                for y in judged]
        earlier = len(report.years) - len(judged)
        if earlier:
            rows.append(f"({earlier} earlier year{'s' if earlier != 1 else ''} before the"
                        " records begin)")
        self.years.setText("\n".join(rows) if rows else "No year can be judged yet.")
