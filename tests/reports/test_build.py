"""Report content filled from the domain: the demo records on the Standards' forms."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from uuid import uuid4

import pytest

from sendobserve.demo import GAP_IDS, GAPS, PASSPORTED, READY, DemoData, build_demo
from sendobserve.forms.registry import FormRegistry
from sendobserve.model.domain import (
    Discretion,
    MarkState,
    ObserverRole,
    PracticeRecord,
    TrainingKind,
)
from sendobserve.model.readiness import ReadinessReport, assess_readiness
from sendobserve.pki import certificates as pki
from sendobserve.reports import build, certificate, observation, portfolio, readiness
from tests.reports.conftest import pdf_text

TODAY = date(2026, 11, 22)


@pytest.fixture(scope="module")
def forms() -> FormRegistry:
    return FormRegistry.standard()


@pytest.fixture(scope="module")
def demo(forms: FormRegistry) -> DemoData:
    return build_demo(forms, today=TODAY)


def test_every_demo_observation_fills_its_own_form_version(
    forms: FormRegistry, demo: DemoData
) -> None:
    record = demo.by_name(READY)
    assert record.observations
    for obs in record.observations:
        content = build.observation_content(record, obs.id, forms)
        form = forms.get(obs.form_id, obs.form_version)
        rows = [r for s in content.sections for r in s.rows]
        parents = [c for c in form.criteria() if c.subitems]
        assert len(rows) == len(list(form.tick_items())) + len(parents)
        assert content.form_version == obs.form_version
        assert content.ordinal_label == form.header.ordinal_label
        marks = {m.criterion_id: m.state for m in record.marks if m.observation_id == obs.id}
        ticked = [r for r in rows if r.mark is not None]
        items = list(form.tick_items())
        assert [r.text for r in ticked] == [i.text for i in items]
        assert [r.mark for r in ticked] == [
            marks.get(i.id, MarkState.NOT_YET_SEEN) for i in items
        ]
        # Every parent heading is followed by its sub-items.
        for parent in parents:
            i = next(k for k, r in enumerate(rows) if r.text == parent.text and r.mark is None)
            subs = rows[i + 1 : i + 1 + len(parent.subitems)]
            assert [r.text for r in subs] == [s.text for s in parent.subitems]
            assert all(r.level == 1 for r in subs)


def test_form3_debrief_notes_and_signature_reach_the_pdf(
    forms: FormRegistry, demo: DemoData
) -> None:
    record = demo.by_name(READY)
    obs = next(o for o in record.observations if o.form_id == "form3")
    content = build.observation_content(record, obs.id, forms)
    notes = [n for n in record.debrief_notes if n.observation_id == obs.id]
    assert notes and len(content.debrief) == len(notes)
    text = pdf_text(observation.observation_pdf(content))
    for note in notes:
        assert " ".join(note.text.split()) in text
    assert obs.signature is not None and obs.signature.name in text
    assert READY in text


def test_unknown_observation_is_a_clear_error(forms: FormRegistry, demo: DemoData) -> None:
    import uuid

    with pytest.raises(build.UserError, match="no observation"):
        build.observation_content(demo.by_name(READY), uuid.uuid4(), forms)


def test_case_lines_are_in_date_order_with_their_observers(demo: DemoData) -> None:
    lines = build.case_lines(demo.by_name(READY))
    assert [c.case_date for c in lines] == sorted(c.case_date for c in lines)
    assert lines[-1].role == "Leading"
    active = [c for c in lines if c.role != "Observing"]
    assert active and all(c.observed_by for c in active)
    assert all("(" in who for c in lines for who in c.observed_by)


def _identity(name: str) -> build.CertificateIdentity:
    key = pki.verification_key(pki.create_root("Demo"))
    return build.certificate_identity("SO5-2026-000001", form_number=5, mediator_name=name,
                                      issued_on=TODAY, signer_name="Anjali Patel", key=key)


def test_form5_for_the_passported_mediator_prints(demo: DemoData) -> None:
    record = demo.by_name(PASSPORTED)
    signer = demo.observers[0]
    content = build.form5_content(record, signer=signer, issued_on=TODAY,
                                  identity=_identity(record.mediator.name))
    assert content.foundation == build.training_lines(record, TrainingKind.FOUNDATION)
    text = pdf_text(certificate.form5_pdf(content))
    assert "Aoife O'Brien has been successfully working as an SEND Mediator" in text
    assert "since 1 March 2009" in text and "since 1 September 2011" in text
    assert f"I, {signer.name}, confirm that Aoife O'Brien" in text
    assert "hours of CPD recorded in the last 12 months" in text


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"passported": False}, "not recorded as a passported mediator"),
        ({"send_practice_since": None}, "worked as an SEND mediator since"),
        ({"lead_since": None}, "lead SEND mediator since"),
    ],
)
def test_form5_is_refused_naming_what_is_missing(
    demo: DemoData, change: dict[str, object], says: str
) -> None:
    record = demo.by_name(PASSPORTED)
    record = replace(record, mediator=replace(record.mediator, **change))
    with pytest.raises(build.CertificateRefused, match=says) as info:
        build.form5_content(record, signer=demo.observers[0], issued_on=TODAY,
                            identity=_identity(record.mediator.name))
    assert info.value.exit_code != 0


def test_form5_without_foundation_training_is_refused(demo: DemoData) -> None:
    record = demo.by_name(PASSPORTED)
    record = replace(record, training=tuple(t for t in record.training
                                            if t.kind is not TrainingKind.FOUNDATION))
    assert "foundation training" in " ".join(build.form5_missing(record, today=TODAY))


def test_a_trainee_is_not_offered_form5(demo: DemoData) -> None:
    assert build.form5_missing(demo.by_name(READY), today=TODAY)[0].startswith(
        f"{READY} is not recorded as a passported mediator")


# --- Form 4, readiness and portfolio from the readiness engine ------------------------------


def _assess(forms: FormRegistry, record: PracticeRecord) -> ReadinessReport:
    return assess_readiness(record, forms, today=TODAY)


def _form4_identity(name: str, signer: str) -> build.CertificateIdentity:
    key = pki.verification_key(pki.create_root("Demo"))
    return build.certificate_identity("SO4-2026-000001", form_number=4, mediator_name=name,
                                      issued_on=TODAY, signer_name=signer, key=key)


def test_form4_for_the_ready_trainee_prints_the_engines_facts(
    forms: FormRegistry, demo: DemoData
) -> None:
    record = demo.by_name(READY)
    report = _assess(forms, record)
    assert report.ready
    signer = report.eligible_signers[0]
    content = build.form4_content(record, report, signer=signer, issued_on=TODAY,
                                  identity=_form4_identity(READY, signer.name))
    led = [c for c in record.cases if c.trainee_role.value == "leading"]
    assert content.final_case is not None and content.final_case.reference == led[-1].reference
    assert content.casework_hours == sum(
        (c.casework_hours for c in record.cases if c.trainee_role.value != "observing"),
        start=content.casework_hours * 0,
    )
    assert content.discretions == ()
    text = pdf_text(certificate.form4_pdf(content))
    assert f"I, {signer.name}, confirm that {READY} has met the standards" in text
    assert f"Casework: {build.fmt_hours(content.casework_hours)} hours" in text
    assert "DISCRETION" not in text


def test_form4_is_refused_with_gaps_and_names_them(forms: FormRegistry, demo: DemoData) -> None:
    record = demo.by_name(GAPS)
    report = _assess(forms, record)
    assert not report.ready
    signer = demo.observers[0]
    with pytest.raises(build.CertificateRefused) as info:
        build.form4_content(record, report, signer=signer, issued_on=TODAY,
                            identity=_form4_identity(GAPS, signer.name))
    message = str(info.value)
    for needed in report.still_needed:
        assert needed in message
    assert "discretion" in message and info.value.exit_code != 0


def test_a_discretion_on_each_gap_outside_1_3_is_not_applied_and_form4_is_refused(
    forms: FormRegistry, demo: DemoData
) -> None:
    # Appendix A: the criteria "should be demonstrated over the whole period"; §1.2 sets
    # the hours; the signer's eligibility is Appendix A's. None of them has discretion:
    # the Standards allow it only in §1.3 and §1.6 (B).
    record = demo.by_name(GAPS)
    gaps = [r for r in _assess(forms, record).requirements if not r.satisfied]
    outside = [r for r in gaps if r.id not in ("observed_first", "three_active_cases",
                                               "final_case_led")]
    assert outside, "the demo's gaps include requirements without discretion"
    discretions = tuple(
        Discretion(id=uuid4(), mediator_id=record.mediator.id, requirement_id=r.id,
                   decided_by="Anjali Patel", role=ObserverRole.PPC,
                   reason=f"Reason {i}", decided_on=TODAY,
                   provider_agreed_by="Chloé Martin-Dubois", mediator_agreed=True)
        for i, r in enumerate(gaps)
    )
    report = _assess(forms, replace(record, discretions=discretions))
    assert not report.ready
    for r in outside:
        req = report.requirement(r.id)
        assert req.status.value == "not_met"
        assert "is not applied: No discretion is allowed on" in req.detail
        assert f"({req.paragraph})" in req.detail
    with pytest.raises(build.CertificateRefused, match="Form 4 cannot be issued"):
        build.form4_content(record, report, signer=demo.observers[0], issued_on=TODAY,
                            identity=_form4_identity(GAPS, demo.observers[0].name))


def test_form4_with_a_1_3_discretion_states_it_with_every_party(
    forms: FormRegistry, demo: DemoData
) -> None:
    # §1.3: "taking a lead on the final case … This is, however, at the discretion of the
    # assessor, the provider and the mediator."
    record = demo.by_name(READY)
    last = max(record.cases, key=lambda c: c.case_date)
    record = replace(record, cases=tuple(
        replace(c, trainee_role=c.trainee_role.CO_MEDIATING) if c.id == last.id else c
        for c in record.cases))
    assert not _assess(forms, record).ready
    agreed = Discretion(uuid4(), record.mediator.id, "final_case_led", "Anjali Patel",
                        ObserverRole.PPC, "Co-led the final case with a PPC; the lead was shared.",
                        TODAY, "Chloé Martin-Dubois", True)
    without_mediator = replace(agreed, id=uuid4(), mediator_agreed=False)
    assert not _assess(forms, replace(record, discretions=(without_mediator,))).ready
    record = replace(record, discretions=(agreed,))
    report = _assess(forms, record)
    assert report.ready
    signer = report.eligible_signers[0]
    content = build.form4_content(record, report, signer=signer, issued_on=TODAY,
                                  identity=_form4_identity(READY, signer.name))
    assert [d.paragraph for d in content.discretions] == ["§1.3"]
    text = pdf_text(certificate.form4_pdf(content))
    assert "DISCRETION EXERCISED (§1.3 OF THE STANDARDS)" in text
    assert "Chloé Martin-Dubois for the provider; the mediator" in text
    assert "Judged under the Professional Standards for Mediators Working With SEND," in text


def test_form4_signer_must_be_eligible(forms: FormRegistry, demo: DemoData) -> None:
    record = demo.by_name(READY)
    report = _assess(forms, record)
    eligible = {o.id for o in report.eligible_signers}
    outsider = next(o for o in demo.observers if o.id not in eligible)
    with pytest.raises(build.CertificateRefused, match=f"{outsider.name} cannot sign Form 4"):
        build.form4_content(record, report, signer=outsider, issued_on=TODAY,
                            identity=_form4_identity(READY, outsider.name))


def test_form4_refuses_a_report_for_someone_else(forms: FormRegistry, demo: DemoData) -> None:
    report = _assess(forms, demo.by_name(READY))
    with pytest.raises(ValueError, match="another mediator"):
        build.form4_content(demo.by_name(GAPS), report, signer=report.eligible_signers[0],
                            issued_on=TODAY, identity=_form4_identity(GAPS, "x"))


def test_readiness_content_matrix_matches_the_engine(forms: FormRegistry, demo: DemoData) -> None:
    record = demo.by_name(GAPS)
    report = _assess(forms, record)
    content = build.readiness_content(report)
    assert [g.title for g in content.groups] == [
        "Form 1 — Pre-mediation", "Form 2 — Mediation", "Form 3 — Post-mediation"]
    counted = [o for o in record.observations if o.state.value != "draft"]
    for number, group in enumerate(content.groups, start=1):
        assert len(group.columns) == sum(1 for o in counted if o.form_id == f"form{number}")
        items = [r for r in group.rows if not r.heading]
        assert len(items) == sum(1 for c in report.criteria if c.form_number == number)
        assert all(len(r.cells) == len(group.columns) for r in group.rows)
    form2 = content.groups[1]
    gap_texts = {c.text for c in report.criteria if c.id in GAP_IDS}
    assert {r.text for r in form2.rows if not r.heading and not r.demonstrated} == gap_texts
    assert any(r.heading and r.text == "Create a safe environment:" for r in form2.rows)
    assert content.still_needed == report.still_needed and not content.ready
    assert sum(1 for r in content.requirements if not r.met) == sum(
        1 for r in report.requirements if not r.satisfied)
    text = pdf_text(readiness.readiness_pdf(content))
    assert "Not yet ready" in text and "Reality test proposals" in text


def test_portfolio_from_the_demo_holds_every_counted_observation(
    forms: FormRegistry, demo: DemoData
) -> None:
    record = demo.by_name(READY)
    report = _assess(forms, record)
    # §1.3: the sole provider's portfolio is examined "with the verification of their PPC".
    signer = next(o for o in demo.observers if o.role is ObserverRole.PPC)
    mentor = report.eligible_signers[0]
    assert mentor.role is not ObserverRole.PPC
    with pytest.raises(build.CertificateRefused, match="is not a PPC"):
        build.portfolio_content(record, report, forms, verified_by=mentor, prepared_on=TODAY)
    content = build.portfolio_content(record, report, forms, verified_by=signer,
                                      prepared_on=TODAY)
    counted = [o for o in record.observations if o.state.value != "draft"]
    assert len(content.observations) == len(counted)
    text = pdf_text(portfolio.portfolio_pdf(content))
    assert f"4. Observations ({len(counted)})" in text
    assert f"I, {signer.name}, have verified this portfolio" in text
    assert text.count("Signed by the observer") == len(counted)
