import uuid

from hypothesis import given
from hypothesis import strategies as st

from sendobserve.services.changes import EVERYTHING, NOTHING, Changes

flags = st.builds(
    Changes,
    people=st.booleans(), cases=st.booleans(), observations=st.booleans(),
    marks=st.booleans(), record=st.booleans(), certificates=st.booleans(),
    forms=st.booleans(), settings=st.booleans(), trust=st.booleans(),
    mediators=st.frozensets(st.uuids(), max_size=3),
)


@given(flags, flags)
def test_combining_keeps_every_flag_and_mediator_of_both(a: Changes, b: Changes) -> None:
    both = a | b
    assert both.mediators == a.mediators | b.mediators
    for name in ("people", "cases", "observations", "marks", "record", "certificates",
                 "forms", "settings", "trust"):
        assert getattr(both, name) == (getattr(a, name) or getattr(b, name))
    assert both.any == (a.any or b.any)


def test_a_change_to_one_trainee_leaves_another_trainees_page_alone() -> None:
    one, other = uuid.uuid4(), uuid.uuid4()
    change = Changes(marks=True, mediators=frozenset({one}))
    assert change.touches(one)
    assert not change.touches(other)
    assert EVERYTHING.touches(other)
    assert not NOTHING.any
