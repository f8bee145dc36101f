from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sendobserve.exchange.codec import (
    MAX_SIGNATURE_PNG,
    canonical_json,
    decode_payload,
    encode_payload,
    payload_json,
)
from sendobserve.exchange.errors import ExchangeError, ExchangeProblem
from sendobserve.model.domain import ObservationState

from .factories import sample_payload


def test_round_trip_is_exact() -> None:
    payload = sample_payload(3, n_observations=3)
    data = encode_payload(payload)
    assert decode_payload(data) == payload
    assert encode_payload(decode_payload(data)) == data  # canonical: stable bytes


def test_hours_travel_as_exact_decimal_strings() -> None:
    value = payload_json(sample_payload())
    assert value["cases"][0]["casework_hours"] == "4.1"


def _mutated(change: Any) -> bytes:
    value = payload_json(sample_payload())
    change(value)
    # ASCII with \u escapes: the same JSON, and the only way to write a lone surrogate.
    return json.dumps(value, sort_keys=True, separators=(",", ":")).encode("ascii")


def _set(path: tuple[Any, ...], new: Any) -> Any:
    def apply(value: Any) -> None:
        target = value
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = new
    return apply


CASES = [
    (_set(("observations", 0, "state"), "draft"), "observations[0].state"),
    (_set(("observations", 0, "state"), "signed"), "observations[0].state"),
    (_set(("observations", 0, "signature"), None), "observations[0].signature"),
    (_set(("observations", 0, "ordinal"), 0), "observations[0].ordinal"),
    (_set(("observations", 0, "ordinal"), True), "observations[0].ordinal"),
    (_set(("observations", 0, "case_id"), "0" * 32), "observations[0].case_id"),
    (_set(("observations", 0, "observer_id"), "not-an-id"), "observations[0].observer_id"),
    (_set(("observations", 0, "observed_on"), "2026-02-30"), "observations[0].observed_on"),
    (_set(("observations", 0, "created_at"), "2026-03-02T09:30:00"), "created_at"),
    (_set(("cases", 0, "casework_hours"), "1e3"), "cases[0].casework_hours"),
    (_set(("cases", 0, "casework_hours"), "-2"), "cases[0].casework_hours"),
    (_set(("cases", 0, "casework_hours"), "99999"), "cases[0].casework_hours"),
    (_set(("cases", 0, "reference"), ""), "cases[0].reference"),
    (_set(("cases", 0, "reference"), "x" * 101), "cases[0].reference"),
    (_set(("cases", 0, "reference"), "LA\x00-1"), "cases[0].reference"),
    (_set(("mediators", 0, "name"), "Two\nlines"), "mediators[0].name"),
    (_set(("mediators", 0, "professional_body"), "bar"), "mediators[0].professional_body"),
    (_set(("mediators", 0, "passported"), 1), "mediators[0].passported"),
    (_set(("marks", 0, "state"), "ticked"), "marks[0].state"),
    (_set(("marks", 0, "note"), "n" * 20_001), "marks[0].note"),
    (_set(("marks", 1, "criterion_id"), "f2.sk.reality_test"), "marks[1]"),
    (_set(("observations", 0, "signature", "drawing_png"), "bm90IGEgcG5n"), "drawing_png"),
    (_set(("observations", 0, "signature", "drawing_png"), "###"), "drawing_png"),
    (_set(("observations", 0, "signature", "drawing_png"),
          "A" * (MAX_SIGNATURE_PNG * 2)), "drawing_png"),
    (_set(("schema",), 3), "payload.schema"),
    (_set(("exported_by",), "Ann \ud800 Lee"), "payload.exported_by"),
    (_set(("mediators", 0, "name"), "Ann\udfff"), "mediators[0].name"),
    (_set(("observers", 0, "name"), "Ann\x85Lee"), "observers[0].name"),
    (_set(("observers", 0, "name"), "Ann \u202eeeL"), "observers[0].name"),
    (_set(("marks", 0, "note"), "fine\nbut \ud83d alone"), "marks[0].note"),
    (lambda v: v.pop("provenance"), "payload"),
    (_set(("surprise",), 1), "payload"),
    (lambda v: v["cases"][0].pop("kind"), "cases[0]"),
    (lambda v: v["observers"].append(dict(v["observers"][0], id="ab" * 16)), "observers[2]"),
    (lambda v: [v[k].clear() for k in ("observations", "marks", "debrief_notes", "cases",
                                        "observers", "provenance", "mediators")],
     "observations"),  # (a trainee's details alone may travel from schema 2)
    (lambda v: v["observations"].clear(), "marks[0].observation_id"),
    (lambda v: v["forms"].clear(), "observations[0].form_version"),
    (_set(("forms", 0, "yaml"), "form_id: [unclosed"), "forms[0].yaml"),
    (_set(("forms", 0, "version"), "acme-2024"), "forms[0]"),
    (_set(("marks", 0, "criterion_id"), "f9.made.up"), "marks[0].criterion_id"),
    (_set(("debrief_notes", 0, "criterion_id"), "f2.sk.x"), "debrief_notes[0].criterion_id"),
    (lambda v: v["mediators"].append(v["mediators"][0]), "mediators[1]"),
]


@pytest.mark.parametrize(("change", "where"), CASES)
def test_invalid_content_is_refused_naming_the_field(change: Any, where: str) -> None:
    with pytest.raises(ExchangeError) as info:
        decode_payload(_mutated(change))
    assert info.value.problem is ExchangeProblem.INVALID_PAYLOAD
    assert where in info.value.message
    assert "\n" not in info.value.message


@pytest.mark.parametrize("data", [
    b"", b"\xff\xfe", b"[]", b"null", b'{"schema": 1.0}', b'{"schema": NaN}',
    b'{"a": 1, "a": 2}', b"[" * 100_000,
    # Found by the content fuzz: a schema that is a list or an object (unhashable).
    b'{"schema": []}', b'{"schema": {"a": 1}}',
])
def test_malformed_json_is_refused(data: bytes) -> None:
    with pytest.raises(ExchangeError) as info:
        decode_payload(data)
    assert info.value.problem is ExchangeProblem.INVALID_PAYLOAD


def test_a_draft_cannot_be_exported() -> None:
    payload = sample_payload()
    draft = replace(payload.observations[0], state=ObservationState.DRAFT)
    with pytest.raises(ExchangeError, match="only finalised"):
        encode_payload(replace(payload, observations=(draft, *payload.observations[1:])))


def test_records_not_needed_by_any_observation_are_refused() -> None:
    # Data minimisation is checked on both sides: an exporter cannot leak extra people.
    value = json.loads(encode_payload(sample_payload(n_observations=1)))
    assert len(value["observers"]) == 1
    extra = sample_payload(5, n_observations=2)
    value["observers"].append(payload_json(extra)["observers"][1])
    with pytest.raises(ExchangeError, match="not needed"):
        decode_payload(canonical_json(value))


# Text as the codec accepts it: no controls or surrogates; in names also no line or
# paragraph separators and no bidirectional overrides or isolates.
_BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_names = st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp"),
                                        blacklist_characters=_BIDI), min_size=1,
                 max_size=60).filter(lambda s: s.strip() != "")
_notes = st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs"))
                 | st.sampled_from("\n\r\t"), max_size=200)
_hours = st.decimals(min_value=0, max_value=9999, places=2, allow_nan=False,
                     allow_infinity=False)


@settings(max_examples=80, deadline=None)
@given(name=_names, observer_name=_names, reference=_names, note=_notes, hours=_hours)
def test_any_valid_content_round_trips_exactly(name: str, observer_name: str, reference: str,
                                               note: str, hours: Decimal) -> None:
    base = sample_payload(4)
    payload = replace(
        base,
        mediators=(replace(base.mediators[0], name=name),),
        observers=tuple(replace(o, name=observer_name) for o in base.observers),
        cases=tuple(replace(c, reference=reference[:100], casework_hours=hours)
                    for c in base.cases),
        marks=tuple(replace(m, note=note) for m in base.marks),
    )
    data = encode_payload(payload)
    assert decode_payload(data) == payload
    assert json.loads(data)["cases"][0]["casework_hours"] == str(hours)
