"""Filled observation forms, the readiness report and the portfolio."""

from __future__ import annotations

import io
import itertools
import threading
from dataclasses import replace

import pytest

from sendobserve.model.domain import MarkState
from sendobserve.reports import observation, portfolio, readiness
from sendobserve.reports.content import MarkRow, SectionContent
from sendobserve.reports.styles import ReportCancelled
from tests.reports import samples
from tests.reports.conftest import page_count, pdf_text

NAME_PARTS = ("Siobhán", "Dálaigh", "Łucja", "Żak", "Aoife", "O'Brien")


def _metadata_blob(pdf: bytes) -> str:
    from pypdf import PdfReader

    meta = PdfReader(io.BytesIO(pdf)).metadata or {}
    return " ".join(str(v) for v in meta.values())


def test_observation_shows_header_marks_subitems_notes_and_signature() -> None:
    content = samples.observation(2, form_number=3)
    pdf = observation.observation_pdf(content)
    text = pdf_text(pdf)
    assert "FORM 3" in text and "POST-MEDIATION" in text
    assert samples.MEDIATOR in text and "Aoife O'Brien (Co-mediator)" in text
    assert "24 March 2026 · 2nd Observation" in text
    assert "SEND-2026-022" in text and "standards-2018" in text
    # Glyph and word together; the parent heading precedes its indented sub-items.
    assert "✓ Demonstrated" in text and "△ Development needed" in text
    assert "○ Not yet seen" in text and "– Not applicable" in text
    parent = text.index("Create a safe environment:")
    assert parent < text.index("– Positive welcome") < text.index("– Show confidence")
    assert "Needs to slow down when summarising" in text
    assert "De-brief notes" in text and "Calm, warm opening" in text
    assert "Ticked the wrong row." in text
    assert "Manage introductions: Not yet seen → Demonstrated" in text
    assert "Signed by the observer" in text
    pages = page_count(pdf)
    assert f"Page {pages} of {pages}" in text
    assert not any(part in _metadata_blob(pdf) for part in NAME_PARTS)


def test_a_draft_observation_says_it_is_unsigned() -> None:
    content = replace(samples.observation(1, form_number=1), signature=None, state="Draft")
    text = pdf_text(observation.observation_pdf(content))
    assert "Not signed: this record is a draft." in text
    assert "1st Case" in text


def test_every_mark_state_prints_its_word() -> None:
    rows = tuple(MarkRow(f"Criterion {s.value}", s) for s in MarkState)
    content = replace(samples.observation(1),
                      sections=(SectionContent("Process Management", rows),))
    text = pdf_text(observation.observation_pdf(content))
    for word in ("Demonstrated", "Development needed", "Not applicable", "Not yet seen"):
        assert word in text


def test_readiness_lists_requirements_matrix_and_still_needed() -> None:
    content = samples.readiness(3)
    pdf = readiness.readiness_pdf(content)
    text = pdf_text(pdf)
    assert "Not yet ready" in text
    assert "Casework 12 h 10.5 h ✗ Not met 1.5 hours still to log" in text
    assert "Met by discretion" in text
    assert "Log 1.5 more hours of casework." in text
    assert "Form 1 — Pre-mediation" in text and "Form 2 — Mediation" in text
    assert "Gap" in text and "Over the period" in text
    assert "3 February 2026, case SEND-2026-014, Aoife O'Brien" in text
    assert not readiness.is_landscape(content)
    assert not any(part in _metadata_blob(pdf) for part in NAME_PARTS)


def test_readiness_turns_landscape_for_many_observations() -> None:
    from pypdf import PdfReader

    content = samples.readiness(9)
    assert readiness.is_landscape(content)
    pdf = readiness.readiness_pdf(content)
    box = PdfReader(io.BytesIO(pdf)).pages[0].mediabox
    assert float(box.width) > float(box.height)


def test_a_ready_mediator_reads_as_ready() -> None:
    content = replace(samples.readiness(3), ready=True, still_needed=())
    text = pdf_text(readiness.readiness_pdf(content))
    assert "All requirements are met" in text
    assert "Nothing: every requirement and criterion is met." in text


def test_portfolio_holds_every_part_with_contents_page_numbers() -> None:
    content = samples.portfolio(6)
    calls: list[tuple[int, int]] = []
    pdf = portfolio.portfolio_pdf(content, progress=lambda d, t: calls.append((d, t)))
    text = pdf_text(pdf)
    pages = page_count(pdf)
    assert pages >= 10
    assert f"Page {pages} of {pages}" in text
    for heading in ("PORTFOLIO OF SUPPORTED PRACTICE", "Contents", "1. Training",
                    "2. Case log", "3. Reflection on practice", "4. Observations (6)",
                    "5. Readiness for accreditation", "6. Discretions", "7. Declarations"):
        assert heading in text, heading
    assert "Total 52.5" in text and "4 cases" in text and "Total 2.5" in text
    assert text.count("Signed by the observer") == 6
    assert f"I, {samples.MEDIATOR}, confirm that this portfolio is a true record" in text
    # The contents gives the page each section starts on.
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    contents = " ".join(reader.pages[1].extract_text().split())
    decl_page = next(i for i, p in enumerate(reader.pages, start=1)
                     if "7. Declarations" in (p.extract_text() or "") and i > 2)
    # Page numbers are drawn at save time, so they extract after the footer, in order.
    numbers = [int(n) for n in contents.split(f"Page 2 of {pages}")[1].split()]
    assert len(numbers) == 3 + 1 + 6 + 4  # … readiness, discretions, declarations, evidence
    assert numbers == sorted(numbers)
    training_page = next(i for i, p in enumerate(reader.pages, start=1)
                         if "1. Training" in (p.extract_text() or "") and i > 2)
    assert numbers[0] == training_page == 3
    assert numbers[-2] == decl_page
    evidence_page = next(i for i, p in enumerate(reader.pages, start=1)
                         if "8. Evidence files (0)" in (p.extract_text() or "") and i > 2)
    assert numbers[-1] == evidence_page
    # Progress rises to exactly done == total, never beyond, never backwards.
    assert calls[-1][0] == calls[-1][1]
    assert all(b[0] >= a[0] for a, b in itertools.pairwise(calls))
    assert all(0 < d <= t for d, t in calls)
    assert not any(part in _metadata_blob(pdf) for part in NAME_PARTS)


def test_portfolio_cancel_stops_the_build() -> None:
    content = samples.portfolio(6)
    seen: list[tuple[int, int]] = []
    stop = threading.Event()

    def progress(done: int, total: int) -> None:
        seen.append((done, total))
        if done > total // 3:
            stop.set()

    with pytest.raises(ReportCancelled):
        portfolio.portfolio_pdf(content, progress=progress, cancelled=stop.is_set)
    last_done, total = seen[-1]
    # It ran past a third, then stopped at the next flowable: far short of the end.
    assert total // 3 < last_done < total // 2


def test_portfolio_cancelled_before_start_does_no_work() -> None:
    calls: list[tuple[int, int]] = []
    with pytest.raises(ReportCancelled):
        portfolio.portfolio_pdf(samples.portfolio(2), progress=lambda d, t: calls.append((d, t)),
                                cancelled=lambda: True)
    assert calls == []


def test_portfolio_runs_in_a_worker_thread() -> None:
    result: dict[str, bytes] = {}
    worker = threading.Thread(
        target=lambda: result.setdefault("pdf", portfolio.portfolio_pdf(samples.portfolio(3)))
    )
    worker.start()
    worker.join(timeout=60)
    assert result["pdf"].startswith(b"%PDF-")
