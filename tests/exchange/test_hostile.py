"""Files made to rewrite what a store holds: each is refused with every store file
byte-identical, or kept as a visible conflict beside the version held here."""

from __future__ import annotations

import json
import uuid
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from sendobserve.cli import main
from sendobserve.exchange.apply import preview_import
from sendobserve.exchange.bundle import _seal_signed, open_bundle, seal
from sendobserve.exchange.codec import (
    ExportPayload,
    FormText,
    ObservationVersion,
    payload_json,
)
from sendobserve.exchange.errors import ExchangeError, ExchangeProblem
from sendobserve.exchange.merge import ObservationAction
from sendobserve.forms.registry import FormRegistry
from sendobserve.model.domain import Amendment, MarkChange, MarkState, ObservationState
from sendobserve.model.readiness import assess_readiness
from sendobserve.pki.identity import (
    Identity,
    exchange_public_key,
    load_or_create_exchange_key,
)
from sendobserve.pki.provenance import sign_origin
from sendobserve.storage import exchange as stored
from sendobserve.storage.repositories import in_session, load_practice_record
from sendobserve.storage.repositories.forms import load_registry
from tests.helpers import durable_snapshot

from .factories import CRITERIA, FORM3_YAML, FORM_VERSION
from .storekit import (
    FAST_KDF,
    PASS,
    TempStore,
    add_finalised_observation,
    add_observer,
    add_people,
    amend_observation,
)

MALLORY = "Mallory Example"


def _held(ts: TempStore, oid: uuid.UUID) -> ObservationVersion:
    with ts.session() as s:
        h = stored.stored_observations(s, [oid])[oid]
    return ObservationVersion.of(h.observation, h.marks, h.debrief_notes, h.amendments)


def _payload(ts: TempStore, mediator_id: uuid.UUID) -> ExportPayload:
    return open_bundle(ts.export(mediator_id), passphrase=PASS).payload


def _to_key_of(ts: TempStore, payload: ExportPayload, signer: Identity) -> bytes:
    """A file sealed for ``ts``'s public exchange key: no shared passphrase needed."""
    with ts.session() as s:
        key = load_or_create_exchange_key(stored.StoredSigningKey(s))
    return seal(payload, passphrase="anything at all, unknown", signing_key=signer,
                recipients=[exchange_public_key(key)], kdf_log2_n=FAST_KDF)


def _import_to_key(ts: TempStore, data: bytes) -> None:
    with ts.session() as s:
        key = load_or_create_exchange_key(stored.StoredSigningKey(s))
    ts.import_opened(open_bundle(data, recipient_key=key))


def _ready_counts(ts: TempStore, mediator_id: uuid.UUID) -> list[tuple[str, int, int]]:
    with ts.session() as s:
        record = load_practice_record(s, mediator_id)
    report = assess_readiness(record, FormRegistry.standard(), today=datetime.now(UTC).date())
    return [(c.id, len(c.demonstrated_in), len(c.development_needed))
            for c in report.criteria]


@pytest.fixture
def home(tmp_path: Path) -> tuple[TempStore, uuid.UUID, uuid.UUID]:
    """A store with one observation finalised here (signed by this installation)."""
    ts = TempStore.create(tmp_path / "home")
    trainee, ppc = add_people(ts)
    oid = add_finalised_observation(ts, trainee, ppc, "LA-1")
    return ts, trainee.id, oid


def _refused(ts: TempStore, data: bytes, match: str, *, to_key: bool = False) -> ExchangeError:
    ts.identity()  # the key rows exist before the snapshot, as they would in use
    with ts.session() as s:
        load_or_create_exchange_key(stored.StoredSigningKey(s))
    before = durable_snapshot(ts.data_dir)
    with pytest.raises(ExchangeError, match=match) as info:
        if to_key:
            _import_to_key(ts, data)
        else:
            ts.import_bytes(data)
    assert durable_snapshot(ts.data_dir) == before
    return info.value


def test_observations_finalised_here_carry_this_installations_signature(home: tuple[
        TempStore, uuid.UUID, uuid.UUID]) -> None:
    ts, trainee, oid = home
    payload = _payload(ts, trainee)
    (prov,) = payload.provenance
    assert prov.observation_id == oid and prov.public_key == ts.identity().public_key


def test_a_fabricated_amendment_that_rewrites_marks_is_refused(home: tuple[
        TempStore, uuid.UUID, uuid.UUID]) -> None:
    """The reported attack: a first-seen signer, a file encrypted only to this store's
    public key, the held observation plus one invented amendment id, every mark rewritten."""
    ts, trainee, oid = home
    payload = _payload(ts, trainee)
    now = datetime.now(UTC)
    invented = Amendment(id=uuid.uuid4(), observation_id=oid, reason="Tidy", amended_by=MALLORY,
                         amended_at=now, changes=(MarkChange(
                             CRITERIA[0], MarkState.DEMONSTRATED, MarkState.DEMONSTRATED,
                             "x", "y"),))
    forged = replace(
        payload,
        exported_by=MALLORY,
        observations=(replace(payload.observations[0], state=ObservationState.AMENDED,
                              updated_at=now),),
        marks=tuple(replace(m, state=MarkState.NOT_YET_SEEN, note="") for m in payload.marks),
        amendments=(invented,),
        provenance=(),  # no author signature: a receiver must not need one to be safe
    )
    before = _ready_counts(ts, trainee)
    _refused(ts, _to_key_of(ts, forged, Identity.generate()), "does not match what its author",
             to_key=True)
    assert _ready_counts(ts, trainee) == before


def test_a_fabricated_amendment_on_an_unsigned_observation_is_kept_beside_it(home: tuple[
        TempStore, uuid.UUID, uuid.UUID]) -> None:
    """An observation from before authors signed (no provenance row): the forged version
    does not continue the held one, so it is a visible conflict and the held one stays."""
    ts, trainee, oid = home
    with ts.session() as s:
        s.execute(text("DELETE FROM observation_provenance"))
    payload = replace(_payload(ts, trainee), provenance=())
    held = _held(ts, oid)
    before = _ready_counts(ts, trainee)
    now = datetime.now(UTC)
    invented = Amendment(id=uuid.uuid4(), observation_id=oid, reason="Tidy", amended_by=MALLORY,
                         amended_at=now, changes=(MarkChange(
                             CRITERIA[3], MarkState.DEMONSTRATED, MarkState.DEMONSTRATED,
                             "", "z"),))
    forged = replace(
        payload, exported_by=MALLORY,
        observations=(replace(payload.observations[0],
                              state=ObservationState.AMENDED,
                              updated_at=now),),
        marks=tuple(replace(m, state=MarkState.DEVELOPMENT_NEEDED) for m in payload.marks),
        amendments=(invented,))
    data = seal(forged, passphrase=PASS, signing_key=Identity.generate(), kdf_log2_n=FAST_KDF)
    result = ts.import_bytes(data)
    assert result.conflicts == 1 and result.updated == 0
    assert any("CONFLICT" in line for line in result.preview.lines())
    assert _held(ts, oid) == held  # the held version is still the current one
    assert _ready_counts(ts, trainee) == before
    with ts.session() as s:
        assert len(stored.conflict_versions(s, oid)) == 1


def test_moving_an_observation_to_another_trainee_case_or_signature_is_refused(
    home: tuple[TempStore, uuid.UUID, uuid.UUID],
) -> None:
    ts, trainee, _oid = home
    payload = _payload(ts, trainee)
    o = payload.observations[0]
    other_trainee = replace(payload.mediators[0], id=uuid.uuid4(), name="Someone Else")
    other_case = replace(payload.cases[0], id=uuid.uuid4(), mediator_id=other_trainee.id)
    moved = replace(payload, mediators=(other_trainee,), cases=(other_case,),
                    observations=(replace(o, case_id=other_case.id,
                                          mediator_id=other_trainee.id),), provenance=())
    resigned = replace(payload, provenance=(), observations=(
        replace(o, signature=replace(o.signature, name=MALLORY)),))  # type: ignore[arg-type]
    for forged in (moved, resigned):
        data = seal(forged, passphrase=PASS, signing_key=Identity.generate(),
                    kdf_log2_n=FAST_KDF)
        _refused(ts, data, "another trainee, case, observer, form, date or signature")


def test_claiming_another_author_is_refused(home: tuple[TempStore, uuid.UUID, uuid.UUID]) -> None:
    ts, trainee, oid = home
    payload = _payload(ts, trainee)
    mallory = Identity.generate()
    v = _held(ts, oid)
    claimed = replace(payload, provenance=(
        sign_origin(mallory, v.observation, v.marks, v.debrief_notes, v.amendments),))
    data = seal(claimed, passphrase=PASS, signing_key=mallory, kdf_log2_n=FAST_KDF)
    _refused(ts, data, "names another author")


def test_reusing_an_amendment_id_of_another_observation_is_refused(tmp_path: Path) -> None:
    ts = TempStore.create(tmp_path / "home")
    trainee, ppc = add_people(ts)
    first = add_finalised_observation(ts, trainee, ppc, "LA-1")
    amend_observation(ts, first, CRITERIA[1], MarkState.DEMONSTRATED, "Łucja Żak")
    taken = _held(ts, first).amendments[0].id
    other = TempStore.create(tmp_path / "other")
    t2, p2 = add_people(other, mediator_name="Ann Other")
    second = add_finalised_observation(other, t2, p2, "LA-2")
    amend_observation(other, second, CRITERIA[1], MarkState.DEMONSTRATED, "Ann")
    payload = _payload(other, t2.id)
    forged = replace(payload, amendments=tuple(replace(a, id=taken) for a in payload.amendments),
                     provenance=())
    data = seal(forged, passphrase=PASS, signing_key=Identity.generate(), kdf_log2_n=FAST_KDF)
    _refused(ts, data, "reuses the id of an amendment")


def test_an_amendment_from_an_older_version_is_a_conflict_never_replacing(
    tmp_path: Path,
) -> None:
    """Two installations amend the same observation: each keeps its own as current and
    the other's beside it; both versions carry the same author signature."""
    a, b = TempStore.create(tmp_path / "a"), TempStore.create(tmp_path / "b")
    trainee, ppc = add_people(a)
    oid = add_finalised_observation(a, trainee, ppc, "LA-1")
    b.import_bytes(a.export(trainee.id))
    amend_observation(a, oid, CRITERIA[1], MarkState.DEMONSTRATED, "Łucja Żak")
    amend_observation(b, oid, CRITERIA[2], MarkState.DEVELOPMENT_NEEDED, "Siobhán")
    ours_a, ours_b = _held(a, oid), _held(b, oid)
    ra = a.import_bytes(b.export(trainee.id))
    rb = b.import_bytes(a.export(trainee.id))
    assert ra.conflicts == rb.conflicts == 1
    assert _held(a, oid) == ours_a and _held(b, oid) == ours_b
    for ts, other in ((a, ours_b), (b, ours_a)):
        with ts.session() as s:
            assert stored.conflict_versions(s, oid) == (other.to_bytes(),)


def test_provenance_survives_re_export_through_a_third_installation(tmp_path: Path) -> None:
    a, b, c = (TempStore.create(tmp_path / n) for n in "abc")
    trainee, ppc = add_people(a)
    oid = add_finalised_observation(a, trainee, ppc, "LA-1")
    amend_observation(a, oid, CRITERIA[0], MarkState.DEVELOPMENT_NEEDED, "Łucja Żak")
    b.import_bytes(a.export(trainee.id, "Łucja Żak"))
    opened = open_bundle(b.export(trainee.id, "Dev Patel"), passphrase=PASS)
    assert opened.signer_public_key == b.identity().public_key
    with c.session() as s:
        preview = preview_import(s, opened)
    assert preview.observations[0].author == a.identity().fingerprint
    assert any(a.identity().fingerprint in line for line in preview.lines())
    c.import_opened(opened)
    with c.session() as s:
        assert stored.provenance_of(s, [oid])[oid].public_key == a.identity().public_key
    # And the author signature still verifies after the amendment, on every store.
    assert open_bundle(c.export(trainee.id), passphrase=PASS).payload.provenance[0] \
        .public_key == a.identity().public_key


def _own_standard_form(ts: TempStore, trainee: uuid.UUID, version: str,
                       extra: str = "") -> ExportPayload:
    payload = _payload(ts, trainee)
    yaml = FORM3_YAML.replace(f"version: {FORM_VERSION}", f"version: {version}") + extra
    return replace(payload, forms=(FormText("form3", version, yaml),), provenance=(),
                   observations=tuple(replace(o, id=uuid.uuid4(), form_version=version)
                                      for o in payload.observations),
                   marks=(), debrief_notes=())


def test_a_file_cannot_install_its_own_standard_form(home: tuple[
        TempStore, uuid.UUID, uuid.UUID]) -> None:
    ts, trainee, _oid = home
    with ts.session() as s:
        before = load_registry(in_session(s)).default_version("form3")
    forged = _own_standard_form(ts, trainee, "standards-2099")
    data = seal(forged, passphrase=PASS, signing_key=Identity.generate(), kdf_log2_n=FAST_KDF)
    err = _refused(ts, data, "as if it were the Standards' own")
    assert err.problem is ExchangeProblem.BAD_INPUT
    with ts.session() as s:
        assert load_registry(in_session(s)).default_version("form3") == before


def test_a_file_cannot_rewrite_a_standard_form_under_its_own_name(home: tuple[
        TempStore, uuid.UUID, uuid.UUID]) -> None:
    """The Standards' own version name with other text (a criterion reworded): refused,
    even by a store that has not stored that version's text yet."""
    ts, trainee, _oid = home
    fresh = TempStore.create(ts.data_dir.parent / "fresh")
    at = FORM3_YAML.index("text: ")
    altered = FORM3_YAML[:at] + "text: Not what the Standards say. " + FORM3_YAML[at + 6:]
    forged = replace(_own_standard_form(ts, trainee, FORM_VERSION),
                     forms=(FormText("form3", FORM_VERSION, altered),))
    data = seal(forged, passphrase=PASS, signing_key=Identity.generate(), kdf_log2_n=FAST_KDF)
    for store in (ts, fresh):
        _refused(store, data, "differs from the Standards' own version")


def _surrogate_file(name_field: str) -> bytes:
    """A correctly signed file whose exporter name holds a lone surrogate (JSON escape)."""
    from .factories import sample_payload

    value = payload_json(sample_payload(3))
    value[name_field] = "Ann \ud800 Lee"
    raw = json.dumps(value, sort_keys=True, separators=(",", ":")).encode("ascii")
    return _seal_signed(raw, passphrase=PASS, signing_key=Identity.generate(), recipients=(),
                        kdf_log2_n=FAST_KDF)


def test_a_name_with_a_lone_surrogate_is_refused_in_the_preview_without_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    from sendobserve.storage import vault
    from tests.helpers import FAST_SCRYPT, TEST_PASSPHRASE

    data_dir = tmp_path / "store"
    vault.initialise(data_dir, TEST_PASSPHRASE, scrypt=FAST_SCRYPT).store.close()
    passfile = tmp_path / "store.pass"
    passfile.write_text(TEST_PASSPHRASE, encoding="utf-8")
    bundle_pass = tmp_path / "bundle.pass"
    bundle_pass.write_text(PASS, encoding="utf-8")
    path = tmp_path / "surrogate.sendobs"
    path.write_bytes(_surrogate_file("exported_by"))
    before = durable_snapshot(data_dir)
    code = main(["--data-dir", str(data_dir), "--passphrase-file", str(passfile), "import",
                 str(path), "--bundle-passphrase-file", str(bundle_pass)])
    err = capsys.readouterr().err
    assert code == 1
    assert "exported_by" in err and "not text" in err and "Traceback" not in err
    assert durable_snapshot(data_dir) == before


def test_an_import_never_changes_the_version_new_observations_start_on(
    tmp_path: Path,
) -> None:
    """A whole, honest file from another installation: the form it carries is the
    Standards' own and the store's default stays what it was."""
    a, b = TempStore.create(tmp_path / "a"), TempStore.create(tmp_path / "b")
    trainee, ppc = add_people(a)
    add_finalised_observation(a, trainee, ppc, "LA-1")
    co = add_observer(a, "Dev Patel")
    add_finalised_observation(a, trainee, co, "LA-2", seed=1)
    with b.session() as s:
        before = load_registry(in_session(s)).default_version("form3")
    result = b.import_bytes(a.export(trainee.id))
    assert result.added == 2
    assert result.preview.count(ObservationAction.ADD) == 2
    with b.session() as s:
        assert load_registry(in_session(s)).default_version("form3") == before


def test_signed_content_older_than_the_author_allows_is_not_news(home: tuple[
        TempStore, uuid.UUID, uuid.UUID]) -> None:
    """Re-importing the store's own file after an amendment here changes nothing."""
    ts, trainee, oid = home
    old = ts.export(trainee)
    amend_observation(ts, oid, CRITERIA[0], MarkState.DEVELOPMENT_NEEDED, "Łucja Żak")
    held = _held(ts, oid)
    result = ts.import_bytes(old)
    assert result.unchanged == 1 and _held(ts, oid) == held
