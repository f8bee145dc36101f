"""Report content filled from the domain: the demo records on the Standards' forms."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from sendobserve.demo import PASSPORTED, READY, DemoData, build_demo
from sendobserve.forms.registry import FormRegistry
from sendobserve.model.domain import MarkState, TrainingKind
from sendobserve.reports import build, certificate, observation, pki
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
    assert "foundation training" in " ".join(build.form5_missing(record))


def test_a_trainee_is_not_offered_form5(demo: DemoData) -> None:
    assert build.form5_missing(demo.by_name(READY)) == [
        f"{READY} is not recorded as a passported mediator"
    ]
