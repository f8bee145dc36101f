"""Form 4 and Form 5 as a reader (and pypdf) sees them."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hs

from sendobserve.reports import certificate
from sendobserve.reports.content import SignatureBlock
from tests.reports import samples
from tests.reports.conftest import page_count, pdf_text

NAME_PARTS = ("Siobhán", "Dálaigh", "Łucja", "Żak", "Aoife", "O'Brien", "Brien")


def test_form4_prints_names_hours_dates_and_declaration(form4_unsigned: bytes) -> None:
    text = pdf_text(form4_unsigned)
    assert "FORM 4" in text
    assert "ACCREDITED MEDIATOR" in text
    assert "Special Educational Needs and Disability" in text
    assert f"This is to certify that {samples.MEDIATOR} has completed the training" in text
    assert (
        f"I, {samples.SIGNER}, confirm that {samples.MEDIATOR} has met the standards of the "
        "College of Mediators and the Civil Mediation Council to be accredited as an SEND "
        "Mediator." in text
    )
    assert "Aoife O'Brien (Co-mediator)" in text
    # Hours as recorded (Decimal, no float noise) and dates in words.
    for fragment in ("40 hours", "12.5 hours", "Casework: 14 hours", "Reflection: 2.5 hours",
                     "Cases taken an active part in: 3",
                     "4.25", "16–20 September 2024", "3–5 November 2025", "12 June 2026",
                     "2 Jun 2026", "10 Mar 2026"):
        assert fragment in text, fragment
    assert f"Final case led by {samples.MEDIATOR} on 2 June 2026" in text
    assert "observed by Łucja Żak (PPC)" in text
    assert "SO4-2026-000007" in text and "7KQ2M-XW4PA" in text
    assert "Page 1 of 1" in text
    assert "DISCRETION" not in text
    assert page_count(form4_unsigned) == 1


def test_form4_states_each_discretion_and_still_fits_one_page() -> None:
    pdf = certificate.form4_pdf(samples.form4(discretions=True))
    text = pdf_text(pdf)
    assert "DISCRETION EXERCISED" in text
    assert "Three cases actively taken part in" in text
    assert "closed early by agreement" in text
    # §1.3: "at the discretion of the assessor, the provider and the mediator": the
    # certificate names each party and the paragraph.
    assert ("agreed by Łucja Żak (PPC), assessor; Jo Rees for the provider; the mediator,"
            " 10 June 2026") in text
    assert "(§1.3)" in text
    assert page_count(pdf) == 1


def test_form4_with_many_cases_flows_onto_numbered_pages() -> None:
    base = samples.form4(discretions=True)
    many = base.cases * 8
    pdf = certificate.form4_pdf(replace(base, cases=many))
    pages = page_count(pdf)
    assert pages >= 2
    text = pdf_text(pdf)
    assert f"Page {pages} of {pages}" in text
    assert "accredited as an SEND Mediator" in text


def test_form5_follows_the_source_wording() -> None:
    pdf = certificate.form5_pdf(samples.form5())
    text = pdf_text(pdf)
    assert "FORM 5" in text and "(Passported)" in text
    assert (
        f"This is to certify that {samples.MEDIATOR} has been successfully working as an SEND "
        "Mediator to a high standard since 1 May 1994." in text
    )
    assert "worked as lead SEND mediator since 1 September 1998" in text
    assert "maintain a caseload of 3 cases per year minimum" in text
    assert "Training provider: Family Mediators Association" in text
    assert "SPECIALISED TRAINING IN SEND MEDIATION (IF APPLICABLE) Not applicable." in text
    assert "They undertake relevant CPD on an annual basis." in text
    assert (
        f"I, {samples.SIGNER}, confirm that {samples.MEDIATOR} has achieved and maintains a "
        "high standard of practice" in text
    )
    assert page_count(pdf) == 1


@pytest.mark.parametrize("build", [
    lambda: certificate.form4_pdf(samples.form4()),
    lambda: certificate.form4_pdf(samples.form4(discretions=True)),
    lambda: certificate.form5_pdf(samples.form5()),
])
def test_metadata_describes_the_document_not_the_person(build: object) -> None:
    from pypdf import PdfReader

    pdf = build()  # type: ignore[operator]
    reader = PdfReader(io.BytesIO(pdf))
    meta = {str(k): str(v) for k, v in (reader.metadata or {}).items()}
    assert meta["/Title"].startswith("SEND mediator accreditation certificate")
    blob = " ".join(meta.values())
    for part in NAME_PARTS:
        assert part not in blob, (part, meta)
    assert reader.xmp_metadata is None


def test_signatures_are_placed_as_images_and_absent_ones_leave_lines(
    form4_unsigned: bytes,
) -> None:
    from pypdf import PdfReader

    with_images = PdfReader(io.BytesIO(form4_unsigned)).pages[0].images
    assert len(with_images) == 2
    blank = certificate.form4_pdf(samples.form4(signatures=False))
    assert len(PdfReader(io.BytesIO(blank)).pages[0].images) == 0
    assert samples.SIGNER in pdf_text(blank)


def test_a_signature_that_is_not_a_png_is_refused_with_the_name() -> None:
    bad = replace(samples.form4(), signer=SignatureBlock(samples.SIGNER, "PPC", b"not a png"))
    with pytest.raises(ValueError, match="Łucja Żak"):
        certificate.form4_pdf(bad)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=hs.text(
        alphabet=hs.characters(codec="utf-8", categories=("L", "Zs", "Pd", "Po")),
        min_size=1,
        max_size=60,
    ).filter(lambda s: s.strip() and "\\" not in s),
    hours=hs.decimals(min_value=0, max_value=999, places=2, allow_nan=False),
)
def test_any_name_prints_or_is_refused_naming_the_characters(name: str, hours: Decimal) -> None:
    from sendobserve.reports.styles import SERIF_BOLD, unprintable

    content = replace(samples.form4(), mediator_name=name, casework_hours=hours,
                      issued_on=date(2026, 1, 1))
    missing = unprintable(name, SERIF_BOLD)
    if missing:
        with pytest.raises(ValueError, match="cannot print"):
            certificate.form4_pdf(content)
        return
    pdf = certificate.form4_pdf(content)
    assert pdf.startswith(b"%PDF-")
    assert page_count(pdf) >= 1


def test_a_name_in_a_script_the_font_lacks_is_refused() -> None:
    with pytest.raises(ValueError, match="中"):
        certificate.form4_pdf(replace(samples.form4(), mediator_name="王中"))
    with pytest.raises(ValueError, match="cannot print"):
        certificate.form5_pdf(replace(samples.form5(), signer=SignatureBlock("李", "PPC")))


LATIN_NAME_CHARS = (
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
    "áéíóúÁÉÍÓÚàèìòùâêîôûäëïöüÿçñøåæœßÀÈÌÒÙÂÊÎÔÛÄËÏÖÜÇÑØÅÆŒ"
    "ąćęłńśźżĄĆĘŁŃŚŹŻčďěňřšťůžČĎĚŇŘŠŤŮŽőűŐŰğışĞİŞ"
    "'-"
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    words=hs.lists(hs.text(alphabet=LATIN_NAME_CHARS, min_size=1, max_size=12),
                   min_size=1, max_size=3)
)
def test_european_names_come_back_out_of_the_pdf_exactly(words: list[str]) -> None:
    name = " ".join(words)
    pdf = certificate.form4_pdf(replace(samples.form4(), mediator_name=name))
    assert f"This is to certify that {name} has completed" in pdf_text(pdf)
