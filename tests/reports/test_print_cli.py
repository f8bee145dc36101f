"""``sendobserve print …`` and ``signing export-root`` on a real encrypted store with the demo."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date
from pathlib import Path
from uuid import uuid4

import pytest

from sendobserve.cli import main
from sendobserve.demo import GAPS, PASSPORTED, READY, build_demo
from sendobserve.forms.registry import FormRegistry
from sendobserve.model.domain import Discretion, ObserverRole
from sendobserve.model.readiness import assess_readiness
from sendobserve.paths import resources_dir
from sendobserve.storage import vault
from sendobserve.storage.repositories import FormVersionRepository, put_practice_record
from tests.helpers import FAST_SCRYPT, TEST_PASSPHRASE, snapshot
from tests.reports.conftest import page_count, pdf_text


def _load(data_dir: Path, *, discretions_for: str | None = None) -> None:
    forms = FormRegistry.standard()
    created = vault.initialise(data_dir, TEST_PASSPHRASE, scrypt=FAST_SCRYPT)
    store = created.store
    try:
        repo = FormVersionRepository(store.session)
        for path in sorted((resources_dir() / "forms").glob("form*-standards-2018.yaml")):
            definition = forms.get(path.stem.split("-")[0], "standards-2018")
            repo.store(definition.form_id, definition.version, path.read_text(encoding="utf-8"))
        demo = build_demo(forms, today=date.today())
        with store.session() as session:
            for record in demo.records:
                if record.mediator.name == discretions_for:
                    gaps = assess_readiness(record, forms, today=date.today()).requirements
                    record = replace(record, discretions=tuple(
                        Discretion(uuid4(), record.mediator.id, r.id, "Anjali Patel",
                                   ObserverRole.PPC, f"Agreed for {r.id} by all three.",
                                   date.today(), "Chloé Martin-Dubois", True)
                        for r in gaps if not r.satisfied
                        and r.id in ("observed_first", "three_active_cases",
                                     "final_case_led")))
                put_practice_record(session, record)
    finally:
        store.close()


@pytest.fixture
def cli(tmp_path: Path) -> tuple[Path, list[str]]:
    data = tmp_path / "data"
    _load(data)
    secret = tmp_path / "pass.txt"
    secret.write_text(TEST_PASSPHRASE, encoding="utf-8")
    return tmp_path, ["--data-dir", str(data), "--passphrase-file", str(secret)]


def test_form4_prints_signed_and_verifies_against_the_store_and_the_exported_root(
    cli: tuple[Path, list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    folder, base = cli
    out = folder / "f4.pdf"
    assert main([*base, "print", "form4", READY, "-o", str(out)]) == 0
    said = capsys.readouterr().out
    assert "Issued Form 4 SO4-" in said and "Verification code:" in said
    pdf = out.read_bytes()
    assert page_count(pdf) == 1
    text = pdf_text(pdf)
    assert f"I, Tomasz Wiśniewski, confirm that {READY} has met the standards" in text
    assert main([*base, "verify", str(out)]) == 0  # the store's root is known
    assert "Intact and trusted: signed by Tomasz Wiśniewski." in capsys.readouterr().out
    root = folder / "root.pem"
    assert main([*base, "signing", "export-root", "-o", str(root)]) == 0
    assert b"PRIVATE KEY" not in root.read_bytes()
    assert main(["--data-dir", str(folder / "elsewhere"), "verify", str(out),
                 "--trust", str(root)]) == 0
    assert main(["--data-dir", str(folder / "elsewhere"), "verify", str(out)]) == 2


def test_reprint_keeps_the_serial_and_code(
    cli: tuple[Path, list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    folder, base = cli
    assert main([*base, "print", "form4", READY, "-o", str(folder / "a.pdf")]) == 0
    first = capsys.readouterr().out
    assert main([*base, "print", "form4", READY, "-o", str(folder / "b.pdf")]) == 0
    second = capsys.readouterr().out
    assert second.startswith("Re-printed Form 4")
    serial = first.split("Form 4 ")[1].split(" ")[0]
    code = first.split("Verification code: ")[1].strip()
    for name in ("a.pdf", "b.pdf"):
        text = pdf_text((folder / name).read_bytes())
        assert serial in text and code in text
    # The code names the signer, so a re-print cannot change who signed.
    assert main([*base, "print", "form4", READY, "--signer", "Anjali Patel",
                 "-o", str(folder / "c.pdf")]) == 1
    assert "a re-print keeps its signer" in capsys.readouterr().err
    assert not (folder / "c.pdf").exists()


def test_form4_with_gaps_is_refused_and_changes_nothing(
    cli: tuple[Path, list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    folder, base = cli
    assert main([*base, "print", "readiness", GAPS, "-o", str(folder / "r.pdf")]) == 0
    capsys.readouterr()
    before = snapshot(folder)
    assert main([*base, "print", "form4", GAPS, "-o", str(folder / "f4.pdf")]) == 1
    err = capsys.readouterr().err
    assert f"Form 4 cannot be issued for {GAPS}" in err
    assert "Demonstrate: Reality test proposals (Form 2)" in err
    assert "discretion" in err
    assert snapshot(folder) == before  # no PDF, no issue logged, no root created


def test_form4_is_refused_when_discretions_cover_gaps_the_standards_give_none(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Appendix A: the criteria "should be demonstrated over the whole period"; §1.2: "a
    # further 2 hours of reflection". Discretion exists only in §1.3 and §1.6 (B) (the
    # store refuses any other), so §1.3 discretions over her number of cases and the final
    # case, agreed by all three, still leave Form 4 refused.
    _load(tmp_path / "data", discretions_for=GAPS)
    secret = tmp_path / "pass.txt"
    secret.write_text(TEST_PASSPHRASE, encoding="utf-8")
    out = tmp_path / "f4.pdf"
    argv = ["--data-dir", str(tmp_path / "data"), "--passphrase-file", str(secret),
            "print", "form4", GAPS, "--signer", "Anjali Patel", "-o", str(out)]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert f"Form 4 cannot be issued for {GAPS}" in err
    assert "Demonstrate: Reality test proposals (Form 2)" in err
    assert not out.exists()


def test_form5_only_for_the_passported_mediator(
    cli: tuple[Path, list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    folder, base = cli
    out = folder / "f5.pdf"
    assert main([*base, "print", "form5", PASSPORTED, "--signer", "Anjali Patel",
                 "-o", str(out)]) == 0
    text = pdf_text(out.read_bytes())
    assert "FORM 5" in text and f"{PASSPORTED} has been successfully working" in text
    capsys.readouterr()
    assert main([*base, "print", "form5", READY, "--signer", "Anjali Patel",
                 "-o", str(folder / "no.pdf")]) == 1
    assert "not recorded as a passported mediator" in capsys.readouterr().err
    assert not (folder / "no.pdf").exists()


def test_readiness_portfolio_and_observation(
    cli: tuple[Path, list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    from pypdf import PdfReader

    folder, base = cli
    assert main([*base, "print", "readiness", GAPS, "-o", str(folder / "r.pdf")]) == 0
    assert "Not yet ready" in pdf_text((folder / "r.pdf").read_bytes())
    assert main([*base, "print", "portfolio", READY, "-o", str(folder / "p.pdf")]) == 0
    assert "(9 observations)" in capsys.readouterr().out
    assert "PORTFOLIO OF SUPPORTED PRACTICE" in pdf_text((folder / "p.pdf").read_bytes())
    demo = build_demo(FormRegistry.standard(), today=date.today())
    obs = demo.by_name(READY).observations[0]
    assert main([*base, "print", "observation", str(obs.id), "-o", str(folder / "o.pdf")]) == 0
    text = pdf_text((folder / "o.pdf").read_bytes())
    assert f"FORM {obs.form_id[-1]}" in text and READY in text
    reader = PdfReader(io.BytesIO((folder / "o.pdf").read_bytes()))
    assert READY not in str(reader.metadata)


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["print", "form4", "Nobody Atall", "-o", "{folder}/x.pdf"], "No mediator called"),
        (["print", "observation", "not-an-id", "-o", "{folder}/x.pdf"], "not an observation id"),
        (["print", "readiness", READY, "-o", "{folder}/missing/x.pdf"], "does not exist"),
        (["print", "form4", READY, "--signer", "Gareth Llewellyn", "-o", "{folder}/x.pdf"],
         "cannot sign Form 4"),
    ],
)
def test_bad_requests_are_clear_and_write_nothing(
    cli: tuple[Path, list[str]], capsys: pytest.CaptureFixture[str], argv: list[str], says: str
) -> None:
    folder, base = cli
    main([*base, "print", "readiness", READY, "-o", str(folder / "warm.pdf")])  # daily backup
    capsys.readouterr()
    before = snapshot(folder)
    assert main([*base, *[a.format(folder=folder) for a in argv]]) == 1
    assert says in capsys.readouterr().err
    assert snapshot(folder) == before


def test_the_provider_name_set_once_is_printed_on_form4(
    cli: tuple[Path, list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    from sendobserve.services.documents import DEFAULT_ORG

    folder, base = cli
    assert main([*base, "provider"]) == 0
    assert "not set yet" in capsys.readouterr().out
    assert main([*base, "provider", "  "]) == 1  # a blank name is refused
    assert main([*base, "provider", "Northern  SEND Mediation"]) == 0
    assert "Northern SEND Mediation" in capsys.readouterr().out
    out = folder / "f4.pdf"
    assert main([*base, "print", "form4", READY, "-o", str(out)]) == 0
    text = pdf_text(out.read_bytes())
    assert "Northern SEND Mediation" in text
    assert DEFAULT_ORG not in text


def test_the_first_form4_makes_the_mediator_accredited_that_day(
    cli: tuple[Path, list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    """Issuing Form 4 records the accreditation (re-registration and the panel count from
    it), in the same transaction as the certificate; a re-print does not move it."""
    from sendobserve.storage.repositories import MediatorRepository

    folder, base = cli
    data = folder / "data"

    def accredited_on(name: str) -> date | None:
        store = vault.open_with_secret(data, TEST_PASSPHRASE).store
        try:
            return MediatorRepository(store.session).resolve(name).accredited_on
        finally:
            store.close()

    assert accredited_on(READY) is None
    assert main([*base, "print", "form4", READY, "-o", str(folder / "a.pdf")]) == 0
    assert accredited_on(READY) == date.today()
    assert main([*base, "print", "form4", READY, "-o", str(folder / "b.pdf")]) == 0
    assert capsys.readouterr().out.count("Re-printed Form 4") == 1
    assert accredited_on(READY) == date.today()
    assert main([*base, "print", "form4", GAPS, "-o", str(folder / "c.pdf")]) == 1
    assert accredited_on(GAPS) is None  # a refusal records nothing
