"""Erasure and removing the demo follow a certificate by its whole key (serial and
issuer): they take the mediator's certificate and its prints, and leave another trainee's
certificate with the same serial from another installation, and its prints, as they
were."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

from sendobserve.model.domain import Mediator, Observer, ObserverRole, ProfessionalBody
from sendobserve.pki.identity import Identity
from sendobserve.storage.erasure import erase_mediator
from sendobserve.storage.repositories import MediatorRepository, ObserverRepository, in_session
from sendobserve.storage.repositories.certificates import CertificateRepository
from tests.exchange.storekit import TempStore, add_people

TODAY = datetime.now(UTC).date()


def test_erasing_with_certificates_takes_only_that_certificate_and_its_prints(
        tmp_path: Path) -> None:
    ts = TempStore.create(tmp_path / "store")
    erased, ppc = add_people(ts)
    stays = Mediator(id=uuid.uuid4(), name="Rhys ap Dafydd",
                     professional_body=ProfessionalBody.COM)
    elsewhere = Identity.generate().fingerprint
    with ts.session() as s:
        MediatorRepository(s).add(stays)
        certs = CertificateRepository(in_session(s))
        for mediator, issuer in ((erased.id, None), (stays.id, elsewhere),
                                 (stays.id, elsewhere)):
            certs.issue_or_reprint(form_number=4, mediator_id=mediator, signer_id=ppc.id,
                                   signer_name=ppc.name, issued_on=TODAY,
                                   code_for=lambda serial: "K7QF2XA9", issuer=issuer)
    own = ts.identity().fingerprint
    with ts.open() as store:
        certs = CertificateRepository(store.session)
        (mine,) = certs.with_serial(f"SO4-{TODAY.year}-000001", own)
        (theirs,) = certs.with_serial(mine.serial, elsewhere)
        assert len(certs.prints(mine.serial)) == 3
        result = erase_mediator(store, erased.id, keep_certificates=False)
        assert result.rows_deleted["certificates"] == 1
        assert result.rows_deleted["certificate_prints"] == 1
        assert certs.with_serial(mine.serial) == (theirs,)
        assert [p.kind for p in certs.prints(mine.serial)] == ["issue", "reprint"]
        assert {p.issuer for p in certs.prints(mine.serial)} == {elsewhere}


def test_removing_the_demo_leaves_another_installations_certificate_with_its_serial(
        tmp_path: Path) -> None:
    """The demo's Form 4 and its prints go; another trainee's Form 4 with the same serial,
    issued by another installation and re-printed here, stays with its print."""
    from sendobserve.demo import READY, demo_id, fill_store, remove_demo

    ts = TempStore.create(tmp_path / "store")
    with ts.open() as store:
        fill_store(store, today=TODAY)
    other = Mediator(id=uuid.uuid4(), name="Amara Okafor",
                     professional_body=ProfessionalBody.COM)
    ppc = Observer(id=uuid.uuid4(), name="Dev Patel", role=ObserverRole.PPC)
    elsewhere = Identity.generate().fingerprint
    with ts.session() as s:
        MediatorRepository(s).add(other)
        ObserverRepository(s).add(ppc)
        certs = CertificateRepository(in_session(s))
        for mediator, issuer in ((demo_id("mediator", READY), None), (other.id, elsewhere)):
            certs.issue_or_reprint(form_number=4, mediator_id=mediator, signer_id=ppc.id,
                                   signer_name=ppc.name, issued_on=TODAY,
                                   code_for=lambda serial: "K7QF2XA9", issuer=issuer)
    with ts.open() as store:
        certs = CertificateRepository(store.session)
        serial = f"SO4-{TODAY.year}-000001"
        assert len(certs.with_serial(serial)) == 2
        removed = remove_demo(store, today=TODAY)
        assert removed["certificates"] == 1 and removed["certificate_prints"] == 1
        (kept,) = certs.with_serial(serial)
        assert (kept.mediator_id, kept.issuer) == (other.id, elsewhere)
        assert [p.issuer for p in certs.prints(serial)] == [elsewhere]
