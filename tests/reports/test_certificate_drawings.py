"""Drawn signatures on Form 4 and Form 5: checked PNGs, stored with the first issue, printed
above the lines, kept by a re-print; the signed file still verifies."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sendobserve.cli import main
from sendobserve.demo import PASSPORTED, READY
from sendobserve.errors import UserError
from sendobserve.reports import signing
from sendobserve.reports.drawings import MAX_DRAWING_BYTES, check_drawing
from sendobserve.services import documents as jobs
from sendobserve.storage import vault
from sendobserve.storage.db import Store
from sendobserve.storage.repositories import MediatorRepository
from sendobserve.storage.repositories.certificates import CertificateRepository, PkiRepository
from tests.helpers import TEST_PASSPHRASE, snapshot
from tests.reports.samples import drawn_signature
from tests.reports.test_print_cli import cli  # noqa: F401  (the loaded demo store fixture)


def image_xobjects(pdf: bytes) -> list[tuple[int, int]]:
    """(width, height) of every image XObject drawn on the last page."""
    from pypdf import PdfReader

    page = PdfReader(io.BytesIO(pdf)).pages[-1]
    found: list[tuple[int, int]] = []
    xobjects = page["/Resources"].get_object().get("/XObject")
    for ref in (xobjects.get_object().values() if xobjects is not None else ()):
        obj = ref.get_object()
        if obj.get("/Subtype") == "/Image":
            found.append((int(obj["/Width"]), int(obj["/Height"])))
    return found


def soft_masks(pdf: bytes) -> int:
    from pypdf import PdfReader

    xobjects = PdfReader(io.BytesIO(pdf)).pages[-1]["/Resources"]["/XObject"].get_object()
    return sum(1 for x in xobjects.values() if "/SMask" in x.get_object())


def png(width: int, height: int, mode: str = "RGBA") -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new(mode, (width, height), (0, 0, 0, 0) if mode == "RGBA" else 0).save(buf, "PNG")
    return buf.getvalue()


def _open(folder: Path) -> Store:
    return vault.open_with_secret(folder / "data", TEST_PASSPHRASE).store


def test_issue_with_drawings_prints_both_and_verifies(
    cli: tuple[Path, list[str]],  # noqa: F811
) -> None:
    folder, _base = cli
    signer_png, mediator_png = drawn_signature(1), drawn_signature(4, 300, 150)
    store = _open(folder)
    try:
        mediator = MediatorRepository(store.session).resolve(READY)
        plan = jobs.plan_certificate(store, mediator.id, 4)
        assert not plan.reprint and plan.refusal is None
        issued = jobs.issue_certificate(store, plan, plan.candidates[0],
                                        signer_drawing=signer_png, mediator_drawing=mediator_png)
        root = PkiRepository(store.session).load_root()
        record = CertificateRepository(store.session).get(issued.serial)
    finally:
        store.close()
    assert issued.drawn == 2
    assert sorted(image_xobjects(issued.pdf)) == [(300, 150), (420, 120)]
    assert soft_masks(issued.pdf) == 2  # the transparent background is kept, not black
    assert record is not None
    assert (record.signer_drawing, record.mediator_drawing) == (signer_png, mediator_png)
    assert root is not None
    result = signing.verify_pdf(issued.pdf, [root.cert_pem])
    assert result.intact and result.trusted, result.message


def test_without_drawings_the_lines_stay_blank(
    cli: tuple[Path, list[str]],  # noqa: F811
) -> None:
    folder, _base = cli
    store = _open(folder)
    try:
        mediator = MediatorRepository(store.session).resolve(READY)
        plan = jobs.plan_certificate(store, mediator.id, 4)
        issued = jobs.issue_certificate(store, plan, plan.candidates[0])
    finally:
        store.close()
    assert issued.drawn == 0 and image_xobjects(issued.pdf) == []


def test_reprint_keeps_serial_and_the_first_drawings(
    cli: tuple[Path, list[str]], capsys: pytest.CaptureFixture[str],  # noqa: F811
) -> None:
    folder, base = cli
    first_png, mediator_png, other_png = drawn_signature(2), drawn_signature(3), png(50, 20)
    (folder / "s.png").write_bytes(first_png)
    (folder / "m.png").write_bytes(mediator_png)
    (folder / "other.png").write_bytes(other_png)
    assert main([*base, "print", "form5", PASSPORTED, "--signer", "Anjali Patel",
                 "--signer-drawing", str(folder / "s.png"),
                 "--mediator-drawing", str(folder / "m.png"), "-o", str(folder / "a.pdf")]) == 0
    first = capsys.readouterr().out
    assert first.startswith("Issued Form 5 SO5-")
    # Re-printed with a different drawing given: the first issue's drawings are kept.
    assert main([*base, "print", "form5", PASSPORTED, "--signer-drawing",
                 str(folder / "other.png"), "-o", str(folder / "b.pdf")]) == 0
    second = capsys.readouterr().out
    assert second.startswith("Re-printed Form 5 SO5-")
    assert "keeps the drawn signatures of the first issue" in second
    assert first.split()[3] == second.split()[3]  # the serial
    a, b = (folder / "a.pdf").read_bytes(), (folder / "b.pdf").read_bytes()
    assert sorted(image_xobjects(a)) == sorted(image_xobjects(b)) == [(420, 120), (420, 120)]
    from pypdf import PdfReader

    def streams(pdf: bytes) -> list[bytes]:
        page = PdfReader(io.BytesIO(pdf)).pages[-1]
        xobjects = page["/Resources"]["/XObject"].get_object()
        return sorted(x.get_object().get_data() for x in xobjects.values()
                      if x.get_object().get("/Subtype") == "/Image")

    assert streams(a) == streams(b)
    assert main([*base, "verify", str(folder / "b.pdf")]) == 0


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (lambda d: d.joinpath("x.png").write_bytes(b"GIF89a not a png") and "x.png",
         "is not a PNG image"),
        (lambda d: d.joinpath("x.png").write_bytes(drawn_signature()[:200]) and "x.png",
         "is not a readable PNG image"),
        (lambda d: d.joinpath("x.png").write_bytes(png(2001, 50)) and "x.png",
         "2001×50 pixels; the limit is 2000×1000"),
        (lambda d: d.joinpath("x.png").write_bytes(png(400, 1001)) and "x.png",
         "400×1001 pixels"),
        (lambda d: d.joinpath("x.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(MAX_DRAWING_BYTES))
         and "x.png", "larger than the limit of 512 KiB"),
        (lambda d: "missing.png", "no such file"),
        (lambda d: ".", "is a folder"),
    ],
)
def test_a_bad_drawing_is_refused_and_changes_nothing(
    cli: tuple[Path, list[str]], capsys: pytest.CaptureFixture[str],  # noqa: F811
    make, says,  # type: ignore[no-untyped-def]
) -> None:
    folder, base = cli
    name = make(folder)
    before = snapshot(folder)
    for flag in ("--signer-drawing", "--mediator-drawing"):
        assert main([*base, "print", "form4", READY, flag, str(folder / name),
                     "-o", str(folder / "f4.pdf")]) == 1
        err = capsys.readouterr().err
        assert says in err and flag in err
        assert len(err.strip().splitlines()) <= 2  # one clear line (and perhaps a hint)
        assert snapshot(folder) == before  # no PDF, no issue, no backup, no root


def test_issue_certificate_checks_drawings_itself(
    cli: tuple[Path, list[str]],  # noqa: F811
) -> None:
    folder, _base = cli
    store = _open(folder)
    try:
        mediator = MediatorRepository(store.session).resolve(READY)
        plan = jobs.plan_certificate(store, mediator.id, 4)
        with pytest.raises(UserError, match="not a PNG"):
            jobs.issue_certificate(store, plan, plan.candidates[0], mediator_drawing=b"junk")
        assert CertificateRepository(store.session).find(mediator.id, 4) is None
    finally:
        store.close()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=300))
def test_check_drawing_refuses_arbitrary_bytes(data: bytes) -> None:
    with pytest.raises(UserError):
        check_drawing(b"\x89PNG\r\n\x1a\n" + data)


@pytest.mark.parametrize(("w", "h"), [(1, 1), (2000, 1000), (640, 200)])
def test_check_drawing_accepts_pngs_within_the_limits(w: int, h: int) -> None:
    data = png(w, h)
    assert check_drawing(data) is data
