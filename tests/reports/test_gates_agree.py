"""The print gates are the screens' assessments: for generated records, Form 4, Form 5 and
the portfolio are issued exactly when the assessment the screen shows says so."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from sendobserve.model import requirements as R
from sendobserve.model.domain import (
    ObserverRole,
    PassportRoute,
    PracticeRecord,
    RecognisingBody,
    TraineeRole,
    TrainingKind,
)
from sendobserve.model.readiness import assess_readiness, is_ppc
from sendobserve.model.renewal import FORM5_SIGNER_ROLES, assess_passport
from sendobserve.reports import build
from sendobserve.reports.content import CertificateIdentity
from tests.model.rules_factory import FORM2, STANDARD, TODAY, Builder, ready_builder

IDENTITY = CertificateIdentity("SO4-TEST-000001", "TEST-CODE")
REQUIREMENT_IDS = tuple(R.REQUIREMENTS)


@st.composite
def trainees(draw: st.DrawFn) -> PracticeRecord:
    """The ready baseline, then a few changes a real record might have (often not ready)."""

    def sometimes() -> bool:
        return draw(st.integers(0, 3)) == 0

    r = ready_builder()
    b = r.b
    extra = b.observer("Li Wei", ObserverRole.MENTOR, experienced=draw(st.booleans()))
    refs = ["OBS-1", "C-1", "C-2", "C-3"]
    for ref in refs:
        change = draw(st.sampled_from(["keep"] * 9 + ["drop", "role", "hours", "date"]))
        if change == "drop":
            b.observations = [o for o in b.observations if o.case_id != b.cases[ref].id]
            del b.cases[ref]
        elif change == "role":
            b.set_case(ref, trainee_role=draw(st.sampled_from(list(TraineeRole))))
        elif change == "hours":
            b.set_case(ref, casework_hours=draw(st.decimals(0, 8, places=2)))
        elif change == "date":
            b.set_case(ref, case_date=date(2025, 10, 1) + timedelta(days=draw(
                st.integers(0, 240))))
    if sometimes():
        b.training = [t for t in b.training if t.kind is not TrainingKind.SEND]
        b.course(TrainingKind.SEND, str(draw(st.sampled_from(["11.75", "12", "14"]))),
                 draw(st.sampled_from([RecognisingBody.CMC, RecognisingBody.OCN])),
                 date(2025, 9, 1) + timedelta(days=draw(st.integers(0, 200))))
    if sometimes():
        b.training = [t for t in b.training if t.kind is not TrainingKind.FOUNDATION]
        b.course(TrainingKind.FOUNDATION, str(draw(st.sampled_from(["39.75", "40"]))),
                 RecognisingBody.OCN, date(2024, 5, 1))
    if sometimes():
        b.reflections = []
        b.reflect(str(draw(st.sampled_from(["1.5", "2"]))),
                  with_whom=draw(st.sampled_from(["Ama Nwosu", "Li Wei", "Someone"])))
    if sometimes():
        b.contacts = []
        b.contact(draw(st.sampled_from([r.ppc, extra, None])))
    if draw(st.booleans()) and "C-2" in b.cases:
        b.observe("C-2", extra, FORM2, ordinal=7)
    for rid in draw(st.lists(st.sampled_from(REQUIREMENT_IDS), max_size=2)):
        b.discretion(rid, provider=draw(st.sampled_from(["", "Jo Rees"])),
                     mediator=draw(st.booleans()))
    return b.build()


@settings(max_examples=200, deadline=None)
@given(trainees())
def test_form4_and_the_portfolio_are_issued_exactly_when_the_screen_says_ready(
    record: PracticeRecord,
) -> None:
    report = assess_readiness(record, STANDARD, today=TODAY)  # what the screen shows
    eligible = {o.id for o in report.eligible_signers}
    issued_by = set()
    for signer in record.observers:
        try:
            content = build.form4_content(record, report, signer=signer, issued_on=TODAY,
                                          identity=IDENTITY)
        except build.CertificateRefused:
            continue
        issued_by.add(signer.id)
        # What the certificate states is what the screen counted.
        assert len(content.discretions) == sum(
            len(r.discretion) for r in report.requirements if r.discretion)
    assert bool(issued_by) == (report.ready and bool(eligible))
    assert issued_by == (eligible if report.ready else set())
    for verifier in record.observers:
        try:
            build.portfolio_content(record, report, STANDARD, verified_by=verifier,
                                    prepared_on=TODAY)
            printed = True
        except build.CertificateRefused:
            printed = False
        assert printed == (report.ready and is_ppc(verifier))


@st.composite
def passported(draw: st.DrawFn) -> PracticeRecord:
    b = Builder()
    b.observer("Ama Nwosu", draw(st.sampled_from(list(ObserverRole))),
               experienced=draw(st.booleans()))
    b.observer("Seán O'Brien", draw(st.sampled_from(list(ObserverRole))),
               experienced=draw(st.booleans()))
    route = draw(st.sampled_from([None, PassportRoute.PANEL, PassportRoute.PANEL,
                                  PassportRoute.PIONEER]))
    confirmed = draw(st.integers(0, 3)) > 0
    b.mediator = replace(
        b.mediator, passported=draw(st.booleans()) or route is not None,
        send_practice_since=draw(st.sampled_from([None, date(2012, 9, 1), date(2012, 9, 1)])),
        lead_since=draw(st.sampled_from([None, date(2015, 1, 1), TODAY - timedelta(days=200)])),
        passport_route=route,
        panel_confirmed_by="Jo Rees" if confirmed else None,
        panel_confirmed_on=TODAY - timedelta(days=5) if confirmed else None,
    )
    if draw(st.integers(0, 3)) > 0:
        b.course(TrainingKind.FOUNDATION, str(draw(st.sampled_from(["39.75", "40", "40"]))),
                 RecognisingBody.OCN, date(2009, 3, 1))
    for i in range(draw(st.integers(0, 7))):
        b.case(f"P-{i}", TODAY - timedelta(days=draw(st.integers(0, 420))),
               draw(st.sampled_from([TraineeRole.LEADING, TraineeRole.LEADING,
                                     TraineeRole.CO_MEDIATING])))
    for _ in range(draw(st.integers(0, 3))):
        b.log_cpd(str(draw(st.sampled_from(["0", "3", "20"]))),
                  TODAY - timedelta(days=draw(st.integers(0, 420))))
    if draw(st.booleans()):
        b.discretion(R.PASSPORT_FOUNDATION_TRAINING, provider=draw(st.sampled_from(["", "Jo"])),
                     mediator=draw(st.booleans()))
    return b.build()


@settings(max_examples=200, deadline=None)
@given(passported())
def test_form5_is_issued_exactly_when_the_passporting_screen_says_eligible(
    record: PracticeRecord,
) -> None:
    report = assess_passport(record, today=TODAY)  # what the passporting tab shows
    for signer in record.observers:
        may_declare = (signer.experienced_send or signer.role in FORM5_SIGNER_ROLES
                       or bool(signer.ppc_register_entry))
        try:
            content = build.form5_content(record, signer=signer, issued_on=TODAY,
                                          identity=IDENTITY)
            issued = True
        except build.CertificateRefused:
            issued = False
        assert issued == (report.eligible and may_declare)
        if issued:
            assert content.edition and content.route_note
            assert sum(r.status.value == "discretion" for r in report.requirements) == len(
                content.discretions)


def test_the_generated_records_reach_both_verdicts() -> None:
    """The strategies are worth running: they produce ready and not-ready records."""
    ready = assess_readiness(ready_builder().b.build(), STANDARD, today=TODAY)
    assert ready.ready
    b = ready_builder().b
    b.set_case("C-1", casework_hours=Decimal("0"))
    assert not assess_readiness(b.build(), STANDARD, today=TODAY).ready
