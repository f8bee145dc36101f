"""The panel's chart: re-registrations falling due in each of the next 12 months.

Drawn with ReportLab's chart library (already kept for the certificates), rendered to
SVG so the app shows it with Qt's SVG module and a PDF could embed the same drawing.
Every chart comes with its text alternative: the same figures as one sentence per bar,
for screen readers and for anyone who would rather read than look.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from sendobserve.model.vocabulary import month_text, month_word


def month_label(first: date) -> str:
    return month_text(first)


def renewals_text(months: Sequence[tuple[date, int]]) -> str:
    """The chart as words: "Re-registrations due: Dec 2026: 3; Jan 2027: none; …"."""
    if not months:
        return "No months to show."
    total = sum(n for _, n in months)
    parts = [f"{month_label(m)}: {n if n else 'none'}" for m, n in months]
    return (f"Re-registrations due in the next {len(months)} months: {total} in all. "
            + "; ".join(parts) + ".")


def renewals_svg(months: Sequence[tuple[date, int]], *, width: int = 520,
                 height: int = 200) -> bytes:
    """A bar chart of re-registrations due per month, as SVG bytes."""
    from reportlab.graphics import renderSVG
    from reportlab.graphics.charts.barcharts import VerticalBarChart
    from reportlab.graphics.shapes import Drawing, Rect, String
    from reportlab.lib import colors

    drawing = Drawing(width, height)
    drawing.add(Rect(0, 0, width, height, fillColor=colors.white, strokeColor=None))
    chart = VerticalBarChart()
    chart.x, chart.y = 36, 34
    chart.width, chart.height = width - 50, height - 62
    counts = [n for _, n in months] or [0]
    chart.data = [counts]
    chart.categoryAxis.categoryNames = [f"{month_word(m)}\n{m.year}" if i == 0 or m.month == 1
                                        else month_word(m) for i, (m, _) in enumerate(months)]
    chart.categoryAxis.labels.fontSize = 8
    chart.categoryAxis.labels.dy = -2
    top = max(counts)
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = max(4, top + (4 - top % 4 if top % 4 else 0))
    chart.valueAxis.valueStep = max(1, chart.valueAxis.valueMax // 4)
    chart.valueAxis.labels.fontSize = 8
    chart.bars[0].fillColor = colors.HexColor("#2f6f9f")
    chart.bars[0].strokeColor = None
    chart.barLabelFormat = lambda v: str(int(v)) if v else ""
    chart.barLabels.fontSize = 8
    chart.barLabels.nudge = 6
    drawing.add(chart)
    drawing.add(String(36, height - 14, "Re-registrations due per month", fontSize=10,
                       fontName="Helvetica-Bold"))
    svg: str = renderSVG.drawToString(drawing)
    # ReportLab clips the drawing to its own box with an SVG clipPath, which small SVG
    # renderers (Qt's SVG Tiny among them) paint as a black rectangle: the box is the
    # whole drawing, so the clip is dropped.
    svg = re.sub(r"<clipPath.*?</clipPath>", "", svg, flags=re.DOTALL)
    svg = svg.replace(' style="clip-path: url(#clip)"', "")
    return svg.encode("utf-8")
