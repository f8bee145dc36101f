"""The readiness engine on the real Forms 1–3 (and the example adaptation) from resources/."""

from __future__ import annotations

from rules_factory import TODAY, Ready, ready_builder

from sendobserve.forms.registry import FormRegistry
from sendobserve.model import requirements as R
from sendobserve.model.domain import MarkState
from sendobserve.model.outcome import Status
from sendobserve.model.readiness import CriterionStatus, assess_readiness
from sendobserve.paths import resources_dir

STANDARD_IDS = ("form1", "form2", "form3")


def observed_on_standard_forms(forms: FormRegistry, *, leave_out: str = "") -> Ready:
    """The ready trainee, observed on the shipped forms; ``leave_out`` is only development
    needed."""
    r = ready_builder(observe_all=False)
    for n, (ref, who) in enumerate([("C-1", r.co), ("C-2", r.co), ("C-3", r.ppc)], start=1):
        for form_id in STANDARD_IDS:
            d = forms.latest(form_id)
            items = [t.id for t in d.tick_items() if t.id != leave_out]
            marks = {leave_out: MarkState.DEVELOPMENT_NEEDED} if leave_out in {
                t.id for t in d.tick_items()} else None
            r.b.observe(ref, who, d, demonstrated=items, marks=marks, ordinal=n)
    return r


def test_every_tick_item_of_the_standard_forms_is_a_criterion_to_demonstrate() -> None:
    forms = FormRegistry.standard()
    report = assess_readiness(ready_builder(observe_all=False).b.build(), forms, today=TODAY)
    expected = [
        (forms.latest(f).number, t.id) for f in STANDARD_IDS for t in forms.latest(f).tick_items()
    ]
    assert [(c.form_number, c.id) for c in report.criteria] == expected
    assert all(c.status is CriterionStatus.NOT_SEEN for c in report.criteria)
    groups = {g.id: g.subitem_ids for g in report.criterion_groups}
    # Appendix A's three criteria with sub-items keep their parent visible.
    assert sorted(len(v) for v in groups.values()) == [2, 2, 4]
    assert "Demonstrate: Reality test proposals (Form 2)" in report.still_needed
    assert "Demonstrate: Create a safe environment: Show confidence (Form 2)" in (
        report.still_needed
    )


def test_a_trainee_observed_on_every_standard_criterion_is_ready() -> None:
    forms = FormRegistry.standard()
    report = assess_readiness(observed_on_standard_forms(forms).b.build(), forms, today=TODAY)
    assert report.ready, report.still_needed
    assert report.figures["criteria_total"] == sum(
        len(list(forms.latest(f).tick_items())) for f in STANDARD_IDS
    )


def test_reality_testing_seen_only_as_development_needed_is_the_one_gap() -> None:
    forms = FormRegistry.standard()
    reality = next(
        t.id for t in forms.latest("form2").tick_items() if t.text == "Reality test proposals"
    )
    r = observed_on_standard_forms(forms, leave_out=reality)
    report = assess_readiness(r.b.build(), forms, today=TODAY)
    assert report.still_needed == ("Demonstrate: Reality test proposals (Form 2)",)
    assert report.requirement(R.CRITERIA_DEMONSTRATED).status is Status.NOT_MET


def test_the_example_adaptation_adds_a_criterion_that_must_be_demonstrated() -> None:
    forms = FormRegistry.standard()
    acme = forms.add_file(resources_dir() / "forms" / "examples" / "form2-acme-2024.yaml")
    r = observed_on_standard_forms(forms)
    standard_ids = {t.id for t in forms.get("form2", "standards-2018").tick_items()}
    added = [t for t in acme.tick_items() if t.id not in standard_ids]
    assert added, "the example adaptation adds at least one criterion"
    r.b.observe("C-3", r.ppc, acme, demonstrated=[t.id for t in acme.tick_items()
                                                  if t.id not in {a.id for a in added}])
    report = assess_readiness(r.b.build(), forms, today=TODAY)
    assert not report.ready
    assert report.still_needed == tuple(
        f"Demonstrate: {t.text} (Form 2)" for t in added
    )
    r.b.observe("C-3", r.ppc, acme, ordinal=4)
    assert assess_readiness(r.b.build(), forms, today=TODAY).ready

