from __future__ import annotations

import itertools
import random
from dataclasses import replace
from datetime import timedelta
from functools import reduce

from hypothesis import given, settings
from hypothesis import strategies as st

from sendobserve.exchange.codec import ObservationVersion, decode_version, versions_of
from sendobserve.exchange.merge import (
    ObservationAction,
    form_sha256,
    merge_heads,
    order_heads,
    plan_import,
    supersedes,
)
from sendobserve.model.domain import MarkState

from .factories import CRITERIA, T0, amend, case, mediator, observation, observer, sample_payload


def _version_tree(seed: int, shape: list[int]) -> list[ObservationVersion]:
    """A finalised observation and versions amended from earlier ones.

    ``shape[i]`` picks which earlier version the i-th amendment starts from, so the
    versions form a tree: branches are machines that amended independently.
    """
    rng = random.Random(seed)
    med = mediator(rng)
    c = case(rng, med, "LA-1")
    o, marks, notes = observation(rng, c, observer(rng, "Ann Lee"), seed=seed)
    versions = [ObservationVersion.of(o, marks, notes, ())]
    for i, parent_pick in enumerate(shape):
        parent = versions[parent_pick % len(versions)]
        # An amendment is made after the version it starts from.
        after = max((a.amended_at for a in parent.amendments), default=T0)
        new_o, new_marks, amendment = amend(
            parent.observation, parent.marks, rng, criterion=CRITERIA[i % len(CRITERIA)],
            new_state=list(MarkState)[(i + seed + 1) % 4], by=f"Amender {i}",
            at=after + timedelta(days=1, minutes=rng.randrange(10_000)), reason=f"Fix {i}")
        versions.append(ObservationVersion.of(new_o, new_marks, parent.debrief_notes,
                                              (*parent.amendments, amendment)))
    return versions


def _maximal(versions: list[ObservationVersion]) -> set[str]:
    return {v.digest for v in versions if not any(supersedes(w, v) for w in versions)}


def _fold(versions: list[ObservationVersion]) -> frozenset[str]:
    heads = reduce(merge_heads, versions, ())
    return frozenset(v.digest for v in heads)


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10_000), shape=st.lists(st.integers(0, 50), max_size=5),
       picks=st.lists(st.integers(0, 50), min_size=1, max_size=4), data=st.randoms())
def test_any_import_order_gives_the_same_heads_and_keeps_every_branch(
    seed: int, shape: list[int], picks: list[int], data: random.Random
) -> None:
    tree = _version_tree(seed, shape)
    seen = [tree[p % len(tree)] for p in picks]
    expected = _fold(seen)
    for order in itertools.islice(itertools.permutations(seen), 24):
        assert _fold(list(order)) == expected
    # Nothing that was seen is lost: every maximal version is a head, and only those.
    assert set(expected) == _maximal(seen)
    # Importing any of them again changes nothing.
    heads = reduce(merge_heads, seen, ())
    again = data.choice(seen)
    assert [v.digest for v in merge_heads(heads, again)] == [v.digest for v in heads]
    # The current head only ever moves forward: it is the first version seen, or one
    # that continues it.
    first = seen[0]
    assert heads[0] == first or supersedes(heads[0], first) or any(
        supersedes(heads[0], h) for h in seen)


def test_two_machines_amending_differently_keep_both_versions() -> None:
    base, here, there = _version_tree(3, [0, 0])
    heads = merge_heads(merge_heads((), base), here)
    assert [v.digest for v in heads] == [here.digest]  # a later version replaces the older
    heads = merge_heads(heads, there)
    assert {v.digest for v in heads} == {here.digest, there.digest}
    assert heads[0] is here  # the version held here stays current; the other is kept
    assert order_heads([there, here])[0] is there


def test_a_fabricated_amendment_id_does_not_supersede() -> None:
    """A version that carries the held amendments plus an invented one, but whose marks do
    not follow from replaying it, is kept beside the held version, never replacing it."""
    base, here = _version_tree(4, [0])
    rng = random.Random(1)
    _o, _m, invented = amend(here.observation, here.marks, rng, criterion=CRITERIA[0],
                             new_state=MarkState.NOT_YET_SEEN, by="Mallory",
                             at=T0 + timedelta(days=30), reason="Because")
    # Every mark rewritten to "development needed", which the invented amendment does not say.
    rewritten = tuple(replace(m, state=MarkState.DEVELOPMENT_NEEDED) for m in here.marks)
    forged = ObservationVersion.of(here.observation, rewritten, here.debrief_notes,
                                   (*here.amendments, invented))
    assert not supersedes(forged, here)
    heads = merge_heads((here,), forged)
    assert heads[0] is here and {v.digest for v in heads} == {here.digest, forged.digest}
    # The same for a version that moves the observation to another observer.
    moved = _o, _m
    other = replace(here.observation, observer_id=base.observation.case_id)
    honest_marks = moved[1]
    relabelled = ObservationVersion.of(other, honest_marks, here.debrief_notes,
                                       (*here.amendments, invented))
    assert not supersedes(relabelled, here)
    # While the honest version of the same amendment does supersede.
    honest = ObservationVersion.of(_o, honest_marks, here.debrief_notes,
                                   (*here.amendments, invented))
    assert supersedes(honest, here)


def test_version_bytes_round_trip() -> None:
    for v in _version_tree(5, [0, 1, 0]):
        assert decode_version(v.to_bytes()) == v
        assert decode_version(v.to_bytes()).digest == v.digest


def test_plan_reports_new_known_differing_and_conflicting() -> None:
    payload = sample_payload(9, n_observations=2)
    empty = plan_import(payload, mediators={}, observers={}, cases={}, heads={},
                        form_digests={})
    assert empty.changes_store
    assert empty.count(ObservationAction.ADD) == 2
    assert len(empty.new_forms) == 1

    held = versions_of(payload)
    renamed = replace(payload.mediators[0], name="Siobhan O'Daly")
    same = plan_import(
        payload,
        mediators={renamed.id: renamed},
        observers={o.id: o for o in payload.observers},
        cases={c.id: c for c in payload.cases},
        heads={v.observation.id: (v,) for v in held},
        form_digests={("form3", "standards-2018"): form_sha256(payload.forms[0].yaml_text)},
    )
    assert not same.changes_store
    assert same.count(ObservationAction.ALREADY_HERE) == 2
    assert [(d.kind, d.label, d.fields) for d in same.differences] == [
        ("mediator", "Siobhan O'Daly", ("name",))]
