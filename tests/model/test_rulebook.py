"""The Standards as one versioned rulebook (``resources/editions/``), and a second edition
that loads from files alone."""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from sendobserve.demo import READY, build_demo
from sendobserve.forms.registry import FormRegistry
from sendobserve.model import requirements as R
from sendobserve.model.outcome import Status
from sendobserve.model.readiness import assess_readiness, edition_for_period, practice_start
from sendobserve.model.rulebook import (
    RulebookError,
    load_edition,
    load_rulebook,
    shipped_rulebook,
)

TEST_EDITIONS = Path(__file__).parent / "editions"
TODAY = date(2026, 11, 22)


def test_the_shipped_edition_is_the_2018_standards_with_every_requirement() -> None:
    book = shipped_rulebook()
    assert [e.id for e in book] == ["standards-2018-v1"]
    e = book.in_force_on(TODAY)
    assert e.version == "1" and e.published == "May 2018"
    assert set(e.requirements) == set(R.REQUIREMENTS)
    # The constants code may name stay equal to the file the engine reads.
    for rid, value in [
        (R.FOUNDATION_TRAINING, R.FOUNDATION_MIN_HOURS),
        (R.SEND_TRAINING, R.SEND_TRAINING_MIN_HOURS),
        (R.CASEWORK_HOURS, R.CASEWORK_MIN_HOURS),
        (R.REFLECTION_HOURS, R.REFLECTION_MIN_HOURS),
        (R.THREE_ACTIVE_CASES, Decimal(R.MIN_ACTIVE_CASES)),
        (R.RENEWAL_CPD_HOURS, R.RENEWAL_CPD_MIN_HOURS),
        (R.RENEWAL_CASES, Decimal(R.RENEWAL_MIN_CASES)),
        (R.PASSPORT_FOUNDATION_TRAINING, R.PASSPORT_FOUNDATION_MIN_HOURS),
        (R.PASSPORT_LEAD_CASES, Decimal(R.PASSPORT_MIN_LED_CASES_PER_YEAR)),
    ]:
        assert e.threshold(rid) == value, rid
    assert e.forms == {"form1": "standards-2018", "form2": "standards-2018",
                       "form3": "standards-2018"}


def test_discretion_exists_only_where_the_standards_place_it() -> None:
    e = shipped_rulebook().in_force_on(TODAY)
    # §1.3: "Normally, after a period of observation, a mediator will actively participate
    # in three cases, taking a lead on the final case … This is, however, at the discretion
    # of the assessor, the provider and the mediator."
    # §1.6 (B): "Discretion may be exercised in circumstances where passporting is
    # appropriate" (pioneers who "may not have undertaken training themselves").
    with_discretion = {rid: e.discretion_for(rid) for rid in e.requirements
                       if e.discretion_for(rid) is not None}
    assert set(with_discretion) == {
        R.OBSERVED_FIRST, R.THREE_ACTIVE_CASES, R.FINAL_CASE_LED,
        R.PASSPORT_FOUNDATION_TRAINING,
    }
    assert with_discretion[R.FINAL_CASE_LED].parties == ("assessor", "provider", "mediator")
    assert with_discretion[R.FINAL_CASE_LED].paragraph == "§1.3"
    assert with_discretion[R.PASSPORT_FOUNDATION_TRAINING].paragraph == "§1.6 (B)"


def test_every_decision_has_its_paragraph_and_reason_and_is_shown_where_it_applies() -> None:
    e = shipped_rulebook().in_force_on(TODAY)
    assert len(e.decisions) >= 10
    for d in e.decisions:
        assert d.paragraph and d.decision and d.reason, d.id
        assert d.sentence.startswith(f"Decision of this program ({d.paragraph}): ")
    ids = {d.id for d in e.decisions}
    # The ones the issue names where the Standards are silent.
    assert {"debrief_observed_case", "empty_debrief", "foundation_courses_add_up",
            "renewal_case_kinds", "renewal_membership", "twelve_months",
            "same_day_order"} <= ids
    demo = build_demo(FormRegistry.standard(), today=TODAY)
    report = assess_readiness(demo.by_name(READY), FormRegistry.standard(), today=TODAY)
    debrief = report.requirement(R.DEBRIEF_EACH_CASE)
    assert any("A finalised Form 3 counts as the de-brief" in s for s in debrief.decisions)
    assert report.to_json()["requirements"][0]["decisions"]


def _test_book(tmp_path: Path) -> Path:
    """The shipped editions plus the test edition, as files in one folder (no code)."""
    folder = tmp_path / "editions"
    shutil.copytree(TEST_EDITIONS, folder)
    for f in (Path(__file__).parents[2] / "sendobserve" / "resources" / "editions").glob("*.yaml"):
        shutil.copy(f, folder / f.name)
    return folder


def test_a_revised_edition_loads_from_files_alone_and_judges_new_periods(
    tmp_path: Path,
) -> None:
    book = load_rulebook(_test_book(tmp_path))
    assert [e.id for e in book] == ["standards-2018-v1", "standards-test-v2"]
    v2 = book.get("standards-test-v2")
    assert v2.threshold(R.CASEWORK_HOURS) == Decimal(14)  # the changed threshold
    # Her observations were made on the 2018 forms.
    record = build_demo(FormRegistry.standard(), today=TODAY).by_name(READY)
    forms = FormRegistry.standard()
    forms.add_edition_forms(v2.form_files, shipped=True)  # its Form 2 adds a criterion
    assert "f2.sk.test_new_duty" in {t.id for t in forms.get("form2", "test-v2").tick_items()}

    # The ready demo trainee's practice period began after the test edition came in
    # (2025-09-01): by default she is judged under it.
    start = practice_start(record, v2, TODAY)
    assert start is not None and start > v2.in_force_from
    assert edition_for_period(record, TODAY, book) is v2
    report = assess_readiness(record, forms, today=TODAY, rulebook=book)
    assert report.edition is v2
    casework = report.requirement(R.CASEWORK_HOURS)
    assert casework.status is Status.NOT_MET and "12.5 of 14 hours" in casework.detail
    new = report.criterion("f2.sk.test_new_duty")
    assert not new.demonstrated and new.versions == ("test-v2",)
    assert "Demonstrate: Explain the new duty of the test revision (Form 2)" in (
        report.still_needed)
    assert report.to_json()["edition"]["id"] == "standards-test-v2"

    # The edition recorded for her period wins: under 2018 she is ready.
    pinned = replace(record, mediator=replace(record.mediator,
                                              rules_edition="standards-2018-v1"))
    old = assess_readiness(pinned, forms, today=TODAY, rulebook=book)
    assert old.edition is book.get("standards-2018-v1") and old.ready
    with pytest.raises(KeyError):
        old.criterion("f2.sk.test_new_duty")

    # A period that began before the revision keeps the edition in force then.
    assert book.in_force_on(date(2025, 8, 31)).id == "standards-2018-v1"
    assert book.in_force_on(date(2025, 9, 1)).id == "standards-test-v2"


@pytest.mark.parametrize(
    ("edit", "says"),
    [
        (lambda t: t.replace("id: casework_hours", "id: casework_minutes"),
         "requirement casework_minutes: is not a requirement this program knows how to check"),
        (lambda t: t.replace("    threshold: 14\n", ""),
         "requirement casework_hours: needs a threshold"),
        (lambda t: t.replace("discretion: pioneer", "discretion: everywhere"),
         "discretion 'everywhere' is not listed under discretion"),
        (lambda t: t.replace("parties: [assessor, provider, mediator]", "parties: [anyone]"),
         "parties must be some of assessor, provider, mediator"),
        (lambda t: t.replace("in_force_from: 2025-09-01", "in_force_from: soon"),
         "in_force_from: must be a date"),
        (lambda t: t.replace("forms/form2-test-v2.yaml", "forms/missing.yaml"),
         "missing.yaml does not exist beside the edition"),
        (lambda t: t.replace("applies_to: [renewal_cases]", "applies_to: [nothing]"),
         "applies to unknown nothing"),
    ],
)
def test_a_broken_edition_file_is_refused_naming_the_file_and_field(
    tmp_path: Path, edit: object, says: str
) -> None:
    folder = tmp_path / "e"
    shutil.copytree(TEST_EDITIONS, folder)
    path = folder / "standards-test-v2.yaml"
    path.write_text(edit(path.read_text(encoding="utf-8")),  # type: ignore[operator]
                    encoding="utf-8")
    with pytest.raises(RulebookError) as info:
        load_edition(path)
    assert str(info.value).startswith("standards-test-v2.yaml: ")
    assert says in str(info.value)


def test_two_files_claiming_one_edition_are_refused(tmp_path: Path) -> None:
    folder = _test_book(tmp_path)
    shutil.copy(folder / "standards-2018-v1.yaml", folder / "copy.yaml")
    with pytest.raises(RulebookError, match="edition standards-2018-v1 is already loaded"):
        load_rulebook(folder)
