"""The readiness engine, rule by rule, with the edges the Standards make matter."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest
from rules_factory import (
    FORM1,
    FORM2,
    FORM2_V2,
    FORM3,
    STANDARD,
    TODAY,
    Forms,
    Ready,
    ready_builder,
)

from sendobserve.model import requirements as R
from sendobserve.model.domain import (
    ContactKind,
    MarkState,
    ObservationState,
    ObserverRole,
    RecognisingBody,
    TraineeRole,
    TrainingKind,
)
from sendobserve.model.outcome import Status
from sendobserve.model.readiness import (
    CriterionStatus,
    ReadinessReport,
    assess_readiness,
    render_readiness_text,
)


def assess(r: Ready, forms: Forms = STANDARD) -> ReadinessReport:
    return assess_readiness(r.b.build(), forms, today=TODAY)


def test_the_baseline_trainee_is_ready_with_nothing_needed() -> None:
    r = ready_builder()
    report = assess(r)
    # Form 4's facts come with the verdict.
    assert report.eligible_signers == (r.ppc,)
    assert report.final_case_id == r.b.cases["C-3"].id
    assert [(t.end_date, t.hours) for t in report.foundation_training] == [
        (date(2024, 5, 1), Decimal(40))
    ]
    assert [c.reference for c in report.cases] == ["OBS-1", "C-1", "C-2", "C-3"]
    assert [o.observer_name for o in report.cases[3].observations] == ["Ama Nwosu"] * 3
    assert [(q.id, q.status) for q in report.requirements] == [
        (rid, Status.MET) for rid in R.ACCREDITATION_IDS
    ]
    assert report.ready
    assert report.still_needed == ()
    # 4.1 + 4.1 + 3.8 is exactly 12 (floats would make it 11.999999999999998).
    assert report.requirement(R.CASEWORK_HOURS).detail.startswith("12 of 12 hours")


Mutation = Callable[[Ready], None]


def hours(*h: str) -> Mutation:
    def m(r: Ready) -> None:
        for ref, value in zip(("C-1", "C-2", "C-3"), h, strict=True):
            r.b.set_case(ref, casework_hours=Decimal(value))

    return m


def training(*courses: tuple[TrainingKind, str, RecognisingBody]) -> Mutation:
    def m(r: Ready) -> None:
        r.b.training.clear()
        for kind, h, body in courses:
            r.b.course(kind, h, body)

    return m


FOUND = TrainingKind.FOUNDATION
SEND = TrainingKind.SEND
CMC, COM, OCN, OTHER = (
    RecognisingBody.CMC,
    RecognisingBody.COM,
    RecognisingBody.OCN,
    RecognisingBody.OTHER,
)
SEND12 = (SEND, "12", CMC)
FOUND40 = (FOUND, "40", OCN)


def reflections(*h: str) -> Mutation:
    def m(r: Ready) -> None:
        r.b.reflections.clear()
        for value in h:
            r.b.reflect(value)

    return m


def move_case(ref: str, on: date, role: TraineeRole | None = None) -> Mutation:
    def m(r: Ready) -> None:
        r.b.set_case(ref, case_date=on)
        if role is not None:
            r.b.set_case(ref, trainee_role=role)

    return m


def drop_case(ref: str) -> Mutation:
    def m(r: Ready) -> None:
        case = r.b.cases.pop(ref)
        gone = {o.id for o in r.b.observations if o.case_id == case.id}
        r.b.observations = [o for o in r.b.observations if o.id not in gone]

    return m


def final_case_observed_by(**observer: object) -> Mutation:
    """Re-observe C-3 by someone else only."""

    def m(r: Ready) -> None:
        c3 = r.b.cases["C-3"].id
        r.b.observations = [o for o in r.b.observations if o.case_id != c3]
        who = r.b.observer("Kai Lee", **observer)  # type: ignore[arg-type]
        for d in (FORM1, FORM2, FORM3):
            r.b.observe("C-3", who, d, ordinal=3)
        # Ama still observes the trainee once so the signer stays eligible.
        r.b.observe("C-1", r.ppc, FORM2, ordinal=1)

    return m


def drop_form3_for(ref: str) -> Mutation:
    def m(r: Ready) -> None:
        cid = r.b.cases[ref].id
        r.b.observations = [
            o for o in r.b.observations if not (o.case_id == cid and o.form_id == "form3")
        ]

    return m


def only_dev_needed(item: str) -> Mutation:
    def m(r: Ready) -> None:
        r.b.marks = [
            mk if mk.criterion_id != item else
            mk.__class__(mk.observation_id, item, MarkState.DEVELOPMENT_NEEDED, "Practise this")
            for mk in r.b.marks
        ]

    return m


def signer(change: Callable[[Ready], None]) -> Mutation:
    return change


def ppc_never_observed(r: Ready) -> None:
    # Ama mentors, is experienced, but the final case was observed by another PPC.
    final_case_observed_by(role=ObserverRole.PPC, ppc_entry="COM-PPC-7")(r)
    r.b.observations = [o for o in r.b.observations if o.observer_id != r.ppc.id]


def ppc_not_mentor(r: Ready) -> None:
    r.b.contacts.clear()


def ppc_supervision_only(r: Ready) -> None:
    r.b.contacts.clear()
    r.b.contact(r.ppc, ContactKind.SUPERVISION)


def mentoring_without_observer_link(r: Ready) -> None:
    r.b.contacts.clear()
    r.b.contact(None)


def final_observation_draft(r: Ready) -> None:
    c3 = r.b.cases["C-3"].id
    r.b.observations = [
        o.__class__(**{**{f: getattr(o, f) for f in o.__slots__}, "state": ObservationState.DRAFT})
        if o.case_id == c3
        else o
        for o in r.b.observations
    ]


def nothing(r: Ready) -> None:
    pass


CASES: list[tuple[str, Mutation, str, Status, str]] = [
    # id, mutation, requirement, expected status, a phrase the detail must contain
    ("casework 11.9", hours("4", "4", "3.9"), R.CASEWORK_HOURS, Status.NOT_MET, "11.9 of 12"),
    ("casework 12.0", hours("4", "4", "4.0"), R.CASEWORK_HOURS, Status.MET, "12 of 12"),
    ("casework decimals", hours("4.1", "4.1", "3.8"), R.CASEWORK_HOURS, Status.MET, "12 of 12"),
    ("casework 11.99", hours("4", "4", "3.99"), R.CASEWORK_HOURS, Status.NOT_MET, "11.99"),
    ("observing hours don't count", hours("4", "4", "3.5"), R.CASEWORK_HOURS, Status.NOT_MET,
     "3 hours observing not counted"),
    ("foundation 39.9", training((FOUND, "39.9", OCN), SEND12), R.FOUNDATION_TRAINING,
     Status.NOT_MET, "39.9 of 40"),
    ("foundation 20+20", training((FOUND, "20", CMC), (FOUND, "20", COM), SEND12),
     R.FOUNDATION_TRAINING, Status.MET, "40 of 40"),
    ("no foundation", training(SEND12), R.FOUNDATION_TRAINING, Status.NOT_MET, "0 of 40"),
    ("send 12 CMC", training(FOUND40, (SEND, "12", CMC)), R.SEND_TRAINING, Status.MET, "12 of 12"),
    ("send 6 CMC + 6 COM", training(FOUND40, (SEND, "6", CMC), (SEND, "6", COM)),
     R.SEND_TRAINING, Status.MET, "12 of 12"),
    ("send 12 by OCN", training(FOUND40, (SEND, "12", OCN)), R.SEND_TRAINING, Status.NOT_MET,
     "12 hours from providers not recognised"),
    ("send 11.5 CMC + 4 other", training(FOUND40, (SEND, "11.5", CMC), (SEND, "4", OTHER)),
     R.SEND_TRAINING, Status.NOT_MET, "11.5 of 12"),
    ("send 11.9", training(FOUND40, (SEND, "11.9", COM)), R.SEND_TRAINING, Status.NOT_MET, "11.9"),
    ("reflection 1.9", reflections("1.9"), R.REFLECTION_HOURS, Status.NOT_MET, "1.9 of 2"),
    ("reflection 2", reflections("2"), R.REFLECTION_HOURS, Status.MET, "2 of 2"),
    ("reflection 0.7+0.7+0.6", reflections("0.7", "0.7", "0.6"), R.REFLECTION_HOURS, Status.MET,
     "2 of 2"),
    ("no observed case", drop_case("OBS-1"), R.OBSERVED_FIRST, Status.NOT_MET,
     "No observed case"),
    ("observed after co-working", move_case("OBS-1", date(2026, 2, 15)), R.OBSERVED_FIRST,
     Status.NOT_MET, "came before any observed case"),
    ("observed same day as first co-work", move_case("OBS-1", date(2026, 2, 1)),
     R.OBSERVED_FIRST, Status.MET, "before the first active case"),
    ("two active cases", drop_case("C-2"), R.THREE_ACTIVE_CASES, Status.NOT_MET,
     "2 active cases of 3"),
    ("observing is not active", move_case("C-1", date(2026, 2, 1), TraineeRole.OBSERVING),
     R.THREE_ACTIVE_CASES, Status.NOT_MET, "2 active cases"),
    ("last case co-mediated", move_case("C-2", date(2026, 5, 1)), R.FINAL_CASE_LED,
     Status.NOT_MET, "C-2 (2026-05-01), was co-mediated"),
    ("final case by PPC on register", final_case_observed_by(
        role=ObserverRole.PPC, ppc_entry="COM-PPC-7"), R.FINAL_CASE_OBSERVED, Status.MET,
     "Kai Lee (PPC)"),
    ("final case by experienced manager", final_case_observed_by(
        role=ObserverRole.REGIONAL_MANAGER, experienced=True), R.FINAL_CASE_OBSERVED, Status.MET,
     "Kai Lee (regional manager)"),
    ("final case by PPC without register entry", final_case_observed_by(role=ObserverRole.PPC),
     R.FINAL_CASE_OBSERVED, Status.NOT_MET, "none is an experienced SEND mediator"),
    ("final case by co-mediator", final_case_observed_by(), R.FINAL_CASE_OBSERVED,
     Status.NOT_MET, "observed only by Kai Lee (co-mediator)"),
    ("final observation draft", final_observation_draft, R.FINAL_CASE_OBSERVED, Status.NOT_MET,
     "3 draft observations not counted"),
    ("no Form 3 for C-2", drop_form3_for("C-2"), R.DEBRIEF_EACH_CASE, Status.NOT_MET,
     "missing for C-2 (2026-03-01)"),
    ("dev needed only", only_dev_needed("f2.reality"), R.CRITERIA_DEMONSTRATED, Status.NOT_MET,
     "1 seen only as development needed"),
    ("signer never observed", ppc_never_observed, R.FORM4_SIGNER, Status.NOT_MET,
     "Ama Nwosu has not observed the trainee"),
    ("signer not mentor", ppc_not_mentor, R.FORM4_SIGNER, Status.NOT_MET,
     "Ama Nwosu has no mentoring of the trainee recorded"),
    ("supervision is not mentoring", ppc_supervision_only, R.FORM4_SIGNER, Status.NOT_MET,
     "no mentoring of the trainee recorded"),
    ("mentoring not linked to an observer", mentoring_without_observer_link, R.FORM4_SIGNER,
     Status.NOT_MET, "no mentoring of the trainee recorded"),
    ("signer eligible", nothing, R.FORM4_SIGNER, Status.MET, "Ama Nwosu (PPC)"),
]


@pytest.mark.parametrize(
    ("mutate", "rid", "status", "phrase"),
    [pytest.param(m, rid, s, p, id=name) for name, m, rid, s, p in CASES],
)
def test_rule(mutate: Mutation, rid: str, status: Status, phrase: str) -> None:
    r = ready_builder()
    mutate(r)
    report = assess(r)
    req = report.requirement(rid)
    assert req.status is status, req.detail
    assert phrase in req.detail
    if status is Status.NOT_MET:
        assert req.still_needed, "a requirement not met must say what is still needed"
        assert not report.ready
        assert set(req.still_needed) <= set(report.still_needed) or rid in (
            R.FINAL_CASE_LED, R.FINAL_CASE_OBSERVED
        )
    else:
        assert req.still_needed == ()
        assert report.ready, report.still_needed  # each edge alone keeps the trainee ready


@pytest.mark.parametrize(
    ("mutate", "sentence"),
    [
        (hours("4", "4", "1.5"), "Log 2.5 more hours of casework"),
        (hours("4", "4", "3"), "Log 1 more hour of casework"),
        (reflections("1.9"), "Log 0.1 more hours of reflection on practice"),
        (only_dev_needed("f2.reality"), "Demonstrate: Reality test proposals (Form 2)"),
        (only_dev_needed("f2.safe.confidence"),
         "Demonstrate: Create a safe environment: Show confidence (Form 2)"),
        (drop_case("C-2"), "Take an active part (co-mediating or leading) in 1 more case"),
        (drop_form3_for("C-1"), "Record a Form 3 de-brief for case C-1 (2026-02-01)"),
        (ppc_not_mentor, "Record mentoring with Ama Nwosu, who has observed you, so that they"
                         " can sign Form 4"),
    ],
)
def test_still_needed_reads_as_plain_sentences(mutate: Mutation, sentence: str) -> None:
    r = ready_builder()
    mutate(r)
    assert sentence in assess(r).still_needed


def test_final_case_neither_led_nor_well_observed_reads_as_one_sentence() -> None:
    r = ready_builder()
    move_case("C-2", date(2026, 5, 1))(r)  # the co-mediated C-2 becomes the last case
    report = assess(r)
    assert report.requirement(R.FINAL_CASE_OBSERVED).status is Status.NOT_MET
    assert "co-mediator" in report.requirement(R.FINAL_CASE_OBSERVED).detail
    assert report.still_needed == (
        "Lead a case observed by a PPC or an experienced SEND mediator",
    )


def test_criterion_seen_only_as_development_needed_is_not_demonstrated() -> None:
    r = ready_builder()
    only_dev_needed("f2.reality")(r)
    report = assess(r)
    c = report.criterion("f2.reality")
    assert c.status is CriterionStatus.DEVELOPMENT_NEEDED
    assert c.demonstrated_in == ()
    assert [s.note for s in c.development_needed] == ["Practise this"] * 3
    assert {s.observation.case_reference for s in c.development_needed} == {"C-1", "C-2", "C-3"}


def test_criterion_never_seen_and_not_applicable() -> None:
    r = ready_builder(observe_all=False)
    r.b.observe("C-1", r.co, FORM2, marks={"f2.reality": MarkState.NOT_APPLICABLE},
                demonstrated=["f2.arena"])
    report = assess(r)
    assert report.criterion("f2.reality").status is CriterionStatus.NOT_APPLICABLE
    assert report.criterion("f2.safe.welcome").status is CriterionStatus.NOT_SEEN
    assert report.criterion("f2.arena").status is CriterionStatus.DEMONSTRATED
    # Forms never used still list their (latest) criteria as needed.
    assert report.criterion("f1.contact").status is CriterionStatus.NOT_SEEN
    assert "Demonstrate: Close file (Form 3)" in report.still_needed


def test_demonstrated_in_names_observation_case_and_observer() -> None:
    report = assess(ready_builder())
    refs = [s.observation for s in report.criterion("f2.reality").demonstrated_in]
    assert [(o.observed_on, o.case_reference, o.ordinal, o.observer_name, o.observer_role)
            for o in refs] == [
        (date(2026, 2, 1), "C-1", 1, "Seán O'Brien", ObserverRole.CO_MEDIATOR),
        (date(2026, 3, 1), "C-2", 2, "Seán O'Brien", ObserverRole.CO_MEDIATOR),
        (date(2026, 4, 1), "C-3", 3, "Ama Nwosu", ObserverRole.PPC),
    ]


def test_a_draft_observation_does_not_count_and_says_so() -> None:
    r = ready_builder(observe_all=False)
    for ref, who in (("C-1", r.co), ("C-2", r.co), ("C-3", r.ppc)):
        for d in (FORM1, FORM3):
            r.b.observe(ref, who, d)
        r.b.observe(ref, who, FORM2, demonstrated=[t.id for t in FORM2.tick_items()
                                                 if t.id != "f2.reality"])
    baseline = assess(r)
    assert baseline.requirement(R.CRITERIA_DEMONSTRATED).status is Status.NOT_MET
    r.b.observe("C-3", r.ppc, FORM2, state=ObservationState.DRAFT, ordinal=4)
    report = assess(r)
    req = report.requirement(R.CRITERIA_DEMONSTRATED)
    assert req.status is Status.NOT_MET
    assert "1 draft observation not counted" in req.detail
    assert report.criterion("f2.reality").status is CriterionStatus.NOT_SEEN
    assert "1 draft observation not counted until finalised." in report.notes
    assert report.figures["draft_observations_not_counted"] == 1


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (MarkState.DEMONSTRATED, MarkState.DEVELOPMENT_NEEDED, CriterionStatus.DEVELOPMENT_NEEDED),
        (MarkState.DEVELOPMENT_NEEDED, MarkState.DEMONSTRATED, CriterionStatus.DEMONSTRATED),
    ],
)
def test_an_amendment_supersedes_its_original(
    old: MarkState, new: MarkState, expected: CriterionStatus
) -> None:
    r = ready_builder(observe_all=False)
    for ref, who in (("C-1", r.co), ("C-2", r.co), ("C-3", r.ppc)):
        for d in (FORM1, FORM3):
            r.b.observe(ref, who, d)
    others = [t.id for t in FORM2.tick_items() if t.id != "f2.reality"]
    target = r.b.observe("C-3", r.ppc, FORM2, demonstrated=others, marks={"f2.reality": old})
    for ref in ("C-1", "C-2"):
        r.b.observe(ref, r.co, FORM2, demonstrated=others)
    before = assess(r)
    assert before.criterion("f2.reality").demonstrated is (old is MarkState.DEMONSTRATED)
    r.b.amend(target, {"f2.reality": (old, new)})
    report = assess(r)
    c = report.criterion("f2.reality")
    assert c.status is expected
    sightings = c.demonstrated_in or c.development_needed
    assert [s.observation.amended for s in sightings] == [True]
    assert sightings[0].observation.state is ObservationState.AMENDED
    assert report.ready is (new is MarkState.DEMONSTRATED)


def test_a_discretion_turns_not_met_into_discretion_visibly() -> None:
    r = ready_builder()
    drop_case("C-2")(r)
    r.b.set_case("C-1", casework_hours=Decimal("8.2"))
    r.b.discretion(R.THREE_ACTIVE_CASES, "Ama Nwosu", "Second case was a two-day mediation")
    report = assess(r)
    req = report.requirement(R.THREE_ACTIVE_CASES)
    assert req.status is Status.DISCRETION
    assert "2 active cases of 3" in req.detail
    # §1.3: "This is, however, at the discretion of the assessor, the provider and the
    # mediator": the detail names all three parties, not only who decided.
    assert ("Ama Nwosu (PPC), assessor; Jo Rees for the provider; the mediator on 2026-05-01:"
            " Second case was a two-day mediation") in req.detail
    assert [d.decided_by for d in req.discretion] == ["Ama Nwosu"]
    assert report.ready
    assert report.still_needed == ()
    assert report.to_json()["requirements"][5]["status"] == "discretion"


def test_a_discretion_on_a_met_requirement_changes_nothing() -> None:
    r = ready_builder()
    plain = assess(r)
    r.b.discretion(R.CASEWORK_HOURS)
    report = assess(r)
    assert report.requirement(R.CASEWORK_HOURS) == plain.requirement(R.CASEWORK_HOURS)
    assert report.requirement(R.CASEWORK_HOURS).status is Status.MET


def test_a_discretion_for_another_requirement_does_not_apply() -> None:
    r = ready_builder()
    drop_case("C-2")(r)
    r.b.discretion(R.FINAL_CASE_LED)
    report = assess(r)
    assert report.requirement(R.THREE_ACTIVE_CASES).status is Status.NOT_MET
    assert not report.ready


def test_a_form_version_with_an_added_criterion_must_be_demonstrated() -> None:
    forms = Forms(FORM1, FORM2, FORM2_V2, FORM3)
    r = ready_builder()
    # Used only v1 so far: the added criterion is not in play.
    assert assess(r, forms).ready
    # One observation on the provider's v2, without the new criterion ticked.
    v1_items = [t.id for t in FORM2.tick_items()]
    r.b.observe("C-3", r.ppc, FORM2_V2, demonstrated=v1_items, ordinal=4)
    report = assess(r, forms)
    c = report.criterion("f2.acme_local")
    assert c.versions == ("v2",)
    assert c.status is CriterionStatus.NOT_SEEN
    assert report.criterion("f2.reality").versions == ("v1", "v2")
    assert "Demonstrate: Explain local offer (Form 2)" in report.still_needed
    assert not report.ready
    # A mark for that id on a v1 observation is not re-mapped onto v2.
    r.b.observe("C-2", r.co, FORM2, demonstrated=["f2.acme_local"], ordinal=5)
    assert not assess(r, forms).criterion("f2.acme_local").demonstrated
    r.b.observe("C-3", r.ppc, FORM2_V2, demonstrated=["f2.acme_local"], ordinal=6)
    assert assess(r, forms).ready


def test_a_form_never_used_is_assessed_on_its_latest_version() -> None:
    forms = Forms(FORM1, FORM2, FORM2_V2, FORM3)
    r = ready_builder(observe_all=False)
    report = assess(r, forms)
    assert report.criterion("f2.acme_local").versions == ("v2",)


def test_sub_items_parent_is_demonstrated_only_when_all_sub_items_are() -> None:
    r = ready_builder(observe_all=False)
    for ref, who in (("C-1", r.co), ("C-2", r.co), ("C-3", r.ppc)):
        for d in (FORM2, FORM3):
            r.b.observe(ref, who, d)
    others = [t.id for t in FORM1.tick_items() if not t.id.startswith("f1.determine")]
    o1 = r.b.observe("C-1", r.co, FORM1, demonstrated=[*others, "f1.determine.info"])
    report = assess(r)
    (group,) = [g for g in report.criterion_groups if g.id == "f1.determine"]
    assert group.subitem_ids == ("f1.determine.info", "f1.determine.attend")
    assert not group.demonstrated and group.demonstrated_in == ()
    assert report.requirement(R.CRITERIA_DEMONSTRATED).status is Status.NOT_MET
    assert "Demonstrate: Determine: who should attend the meeting (Form 1)" in report.still_needed
    # The other sub-item in a different observation: each is shown, the parent counts as
    # demonstrated over the period, but no single observation saw it whole.
    r.b.observe("C-2", r.co, FORM1, demonstrated=["f1.determine.attend"], ordinal=2)
    report = assess(r)
    (group,) = [g for g in report.criterion_groups if g.id == "f1.determine"]
    assert group.demonstrated and group.demonstrated_in == ()
    assert report.requirement(R.CRITERIA_DEMONSTRATED).status is Status.MET
    # Both in one observation: that observation saw the parent whole.
    o3 = r.b.observe("C-3", r.ppc, FORM1, ordinal=3)
    (group,) = [g for g in assess(r).criterion_groups if g.id == "f1.determine"]
    assert [o.observation_id for o in group.demonstrated_in] == [o3.id]
    assert o1.id not in {o.observation_id for o in group.demonstrated_in}


def test_a_mark_on_a_parent_with_sub_items_is_ignored() -> None:
    r = ready_builder(observe_all=False)
    r.b.observe("C-1", r.co, FORM1, demonstrated=["f1.determine"])
    report = assess(r)
    assert not report.criterion("f1.determine.info").demonstrated
    assert "f1.determine" not in {c.id for c in report.criteria}


def test_things_dated_after_today_do_not_count() -> None:
    r = ready_builder()
    r.b.case("C-4", date(2026, 7, 1), TraineeRole.CO_MEDIATING, "2")
    r.b.course(TrainingKind.SEND, "1", RecognisingBody.CMC, end=date(2026, 9, 1))
    report = assess(r)
    assert report.ready  # the co-mediated C-4 would otherwise be the (unled) final case
    assert "1 case dated after today not counted." in report.notes
    assert report.requirement(R.SEND_TRAINING).figures["send_training_hours"] == 12


def test_an_observation_on_an_unknown_form_version_is_reported_not_guessed() -> None:
    r = ready_builder()
    r.b.observe("C-3", r.ppc, FORM2_V2, ordinal=4)
    report = assess(r)  # STANDARD does not know v2
    assert "Observations on unknown form form2 version v2 not counted." in report.notes
    assert "f2.acme_local" not in {c.id for c in report.criteria}


def test_json_shape() -> None:
    r = ready_builder()
    drop_case("C-2")(r)
    data = json.loads(json.dumps(assess(r).to_json()))
    assert data["ready"] is False
    assert {"ready", "requirements", "criteria", "still_needed", "figures", "cases"} <= set(data)
    assert [q["id"] for q in data["requirements"]] == list(R.ACCREDITATION_IDS)
    three = data["requirements"][5]
    assert three["status"] == "not_met" and three["figures"]["active_cases"] == 2
    assert data["figures"]["casework_hours"] == "7.9"
    crit = next(c for c in data["criteria"] if c["id"] == "f2.reality")
    assert crit["form"] == "form2" and crit["text"] == "Reality test proposals"
    assert crit["demonstrated_in"][0]["observer"] == "Seán O'Brien"
    assert crit["demonstrated_in"][0]["case_reference"] == "C-1"
    assert data["still_needed"] == [
        "Log 4.1 more hours of casework",
        "Take an active part (co-mediating or leading) in 1 more case",
    ]


def test_text_rendering_names_the_verdict_and_the_gaps() -> None:
    r = ready_builder()
    only_dev_needed("f2.reality")(r)
    text = render_readiness_text(assess(r))
    assert "NOT READY for Form 4" in text
    assert "[~] Reality test proposals" in text
    assert "  - Demonstrate: Reality test proposals (Form 2)" in text
    assert "READY for Form 4" in render_readiness_text(assess(ready_builder()))


def test_no_eligible_signer_is_listed_when_the_mentor_never_observed() -> None:
    r = ready_builder()
    ppc_never_observed(r)
    report = assess(r)
    assert report.eligible_signers == ()
    assert report.to_json()["eligible_signers"] == []
    assert report.still_needed == (
        "Be observed at least once by your mentor Ama Nwosu, so that they can sign Form 4",
    )


def test_observed_but_not_yet_active_meets_observed_first_only() -> None:
    r = ready_builder(observe_all=False)
    for ref in ("C-1", "C-2", "C-3"):
        drop_case(ref)(r)
    report = assess(r)
    assert report.requirement(R.OBSERVED_FIRST).status is Status.MET
    assert report.requirement(R.THREE_ACTIVE_CASES).detail.startswith("0 active cases of 3")
    for rid in (R.FINAL_CASE_LED, R.FINAL_CASE_OBSERVED, R.DEBRIEF_EACH_CASE):
        assert report.requirement(rid).status is Status.NOT_MET
        assert "No active case yet" in report.requirement(rid).detail


def test_discretions_dated_after_today_do_not_apply_and_several_are_all_named() -> None:
    r = ready_builder()
    drop_case("C-2")(r)
    r.b.set_case("C-1", casework_hours=Decimal("8.2"))
    r.b.discretion(R.THREE_ACTIVE_CASES, "Later Person", "Not yet decided", on=date(2026, 7, 1))
    assert assess(r).requirement(R.THREE_ACTIVE_CASES).status is Status.NOT_MET
    r.b.discretion(R.THREE_ACTIVE_CASES, "Ama Nwosu", "Long case", on=date(2026, 5, 2))
    r.b.discretion(R.THREE_ACTIVE_CASES, "Chloé Martin", "Agreed by provider", on=date(2026, 5, 1))
    req = assess(r).requirement(R.THREE_ACTIVE_CASES)
    assert req.status is Status.DISCRETION
    assert [d.decided_by for d in req.discretion] == ["Chloé Martin", "Ama Nwosu"]
    assert "Later Person" not in req.detail


def test_an_observation_by_someone_not_in_the_record_still_counts_but_is_named_so() -> None:
    r = ready_builder()
    stranger = r.b.observer("Nobody Known")
    r.b.observers.remove(stranger)
    r.b.observe("C-1", stranger, FORM2, ordinal=9)
    report = assess(r)
    names = {s.observation.observer_name for s in report.criterion("f2.reality").demonstrated_in}
    assert "unknown observer" in names
    assert report.ready
