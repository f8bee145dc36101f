"""Reading a file a person named: each failure told apart, the limit kept before and
while reading, for the drawn signature, the evidence file, the exchange file, the PDF to
verify and the hub's root alike."""

from __future__ import annotations

import contextlib
import os
import threading
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sendobserve.named_file import Unread, read_named_file


class Refused(Exception):
    def __init__(self, why: Unread, target: Path, detail: str) -> None:
        super().__init__(why.value)
        self.why, self.target, self.detail = why, target, detail


def _refuse(why: Unread, target: Path, detail: str) -> Refused:
    return Refused(why, target, detail)


def test_a_missing_file_and_a_folder_are_told_apart(tmp_path: Path) -> None:
    with pytest.raises(Refused) as missing:
        read_named_file(tmp_path / "nothing.pdf", _refuse)
    assert missing.value.why is Unread.MISSING
    assert missing.value.target == tmp_path / "nothing.pdf"
    assert missing.value.detail  # the system's words, for the caller's sentence
    with pytest.raises(Refused) as folder:
        read_named_file(tmp_path, _refuse, limit=10)
    assert folder.value.why is Unread.FOLDER


def test_the_home_folder_is_expanded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / "root.pem").write_bytes(b"pem")
    assert read_named_file("~/root.pem", _refuse) == b"pem"


@settings(max_examples=40, deadline=None)
@given(size=st.integers(0, 64), limit=st.integers(0, 64))
def test_a_file_is_read_whole_exactly_when_it_is_within_the_limit(
        tmp_path_factory: pytest.TempPathFactory, size: int, limit: int) -> None:
    path = tmp_path_factory.mktemp("named") / "file.bin"
    data = os.urandom(size)
    path.write_bytes(data)
    if size <= limit:
        assert read_named_file(path, _refuse, limit=limit) == data
    else:
        with pytest.raises(Refused) as too_big:
            read_named_file(path, _refuse, limit=limit)
        assert too_big.value.why is Unread.TOO_BIG
        assert too_big.value.detail == str(size)  # refused before reading, by its size
    assert read_named_file(path, _refuse) == data  # no limit: all of it


def test_a_file_that_grows_while_it_is_read_is_refused_at_the_limit(tmp_path: Path) -> None:
    # A pipe has no size to refuse it by beforehand: the read stops one byte past the limit.
    pipe = tmp_path / "growing"
    os.mkfifo(pipe)

    def write() -> None:
        with contextlib.suppress(BrokenPipeError), pipe.open("wb") as out:
            out.write(b"x" * 4096)  # the reader may stop before all of it is taken

    writer = threading.Thread(target=write)
    writer.start()
    with pytest.raises(Refused) as too_big:
        read_named_file(pipe, _refuse, limit=100)
    writer.join(10)
    assert too_big.value.why is Unread.TOO_BIG
    assert too_big.value.detail == "101"
