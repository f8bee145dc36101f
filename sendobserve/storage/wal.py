"""Reads SQLite's write-ahead log (``-wal``) frame by frame to find damage SQLite would hide.

When SQLite opens a database it replays the log up to the first frame that fails (a
checksum that does not match, or salts that are not the current ones) and treats that
frame as the end of the log: every commit after it is dropped without a word. A crash in
the middle of a commit leaves exactly such a torn frame at the end, and dropping it is
right. A damaged frame *in the middle* looks the same to SQLite, but here the log goes
on: later frames of the current salts still chain correctly from the checksums written
before them, and at least one of them ends a commit. That is what ``scan_wal`` looks
for (PostgreSQL's recovery, like SQLite's, stops at the first bad record; this goes
further).

The format (sqlite.org/fileformat2.html#walformat): a 32-byte header (magic, version,
page size, checkpoint sequence, salt-1, salt-2, checksum-1, checksum-2) then frames of a
24-byte header (page number, database size after commit or 0, salt-1, salt-2,
checksum-1, checksum-2) and one page. Each frame's checksum covers the frame header's
first 8 bytes and the page, seeded by the checksum before it. SQLCipher encrypts the
page, and SQLite checksums the encrypted page, so no key is needed to read the log.

Damage is reported when any of these holds after the frame where SQLite's log ends:

* a later frame with the current salts, which is a commit frame, verifies against the
  checksum stored in the frame before it (the log continues past the damage); a kill
  cannot leave this, since SQLite appends frames in order;
* the failing frame is whole and differs from a frame that verifies by exactly one bit
  (in its page, its header or its stored checksum): a flipped bit, not a torn write;
* the failing frame verifies under the current chain but carries other salts (a salt
  was damaged: old frames from before the log restarted never chain from the new ones);
* the log header fails its own check while frames after it chain and commit.

A crash mid-commit leaves a final frame that is short, stale or half-written and never
any of the above, so the kill soaks open cleanly.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

WAL_HEADER_SIZE = 32
FRAME_HEADER_SIZE = 24
_MAGIC = 0x377F0682
_VERSION = 3007000
_MASK = 0xFFFFFFFF


@dataclass(frozen=True)
class WalReport:
    """What the scan found. ``damaged`` is None when the log is sound."""

    frames: int  # whole frames in the file
    valid_frames: int  # frames SQLite will replay (up to its end of log)
    damaged: str | None = None

    @property
    def ok(self) -> bool:
        return self.damaged is None


def _checksum(big_endian: bool, data: bytes, s0: int, s1: int) -> tuple[int, int]:
    words = struct.unpack(f"{'>' if big_endian else '<'}{len(data) // 4}I", data)
    for i in range(0, len(words), 2):
        s0 = (s0 + words[i] + s1) & _MASK
        s1 = (s1 + words[i + 1] + s0) & _MASK
    return s0, s1


def _one_bit_apart(
    big_endian: bool, data: bytes, seed: tuple[int, int], stored: tuple[int, int]
) -> bool:
    """Whether ``data`` (frame header's first 8 bytes + page), seeded by ``seed``, would give
    ``stored`` if one bit of the data or of ``stored`` were flipped back.

    The checksum is linear in the words (mod 2^32): word ``i`` of ``n`` pairs contributes
    M^(n-1-pair) applied to (1, 1) for the first of a pair and (0, 1) for the second,
    with M = [[1, 1], [1, 2]]. A flip of bit b moves a word by ±2^b.
    """
    computed = _checksum(big_endian, data, *seed)
    for k in (0, 1):  # the stored checksum itself took the flip
        diff = computed[k] ^ stored[k]
        if computed[1 - k] == stored[1 - k] and diff and diff & (diff - 1) == 0:
            return True
    delta = ((computed[0] - stored[0]) & _MASK, (computed[1] - stored[1]) & _MASK)
    steps = {}
    for b in range(32):
        steps[(1 << b) & _MASK] = b
        steps[(-(1 << b)) & _MASK] = b
    pairs = len(data) // 8
    m = (1, 0, 0, 1)  # M^0, as (a, b, c, d) for [[a, b], [c, d]]
    for _ in range(pairs):  # from the last pair backwards: M^0, M^1, ...
        a, b, c, d = m
        for coeff in ((a + b) & _MASK, (c + d) & _MASK), (b, d):
            # delta == coeff * step (mod 2^32) for some step = ±2^b ?
            for step in steps:
                if (coeff[0] * step) & _MASK == delta[0] and (coeff[1] * step) & _MASK == delta[1]:
                    return True
        m = ((a + c) & _MASK, (b + d) & _MASK, (a + 2 * c) & _MASK, (b + 2 * d) & _MASK)
    return False


def scan_wal(path: Path, page_size: int | None = None) -> WalReport:
    """Scan the log at ``path`` (a missing or empty file is a sound, empty log)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return WalReport(0, 0)
    if len(data) < WAL_HEADER_SIZE:
        return WalReport(0, 0)
    magic, version, size, _seq, salt1, salt2, h0, h1 = struct.unpack(">8I", data[:32])
    big_endian = bool(magic & 1)
    header_ok = (
        magic & ~1 & _MASK == _MAGIC
        and version == _VERSION
        and size >= 512
        and size & (size - 1) == 0
        and _checksum(big_endian, data[:24], 0, 0) == (h0, h1)
    )
    if page_size is None:
        page_size = size if header_ok else 4096
    frame_size = FRAME_HEADER_SIZE + page_size
    frames = (len(data) - WAL_HEADER_SIZE) // frame_size

    def frame(i: int) -> tuple[int, int, int, int, int, int, bytes]:
        start = WAL_HEADER_SIZE + i * frame_size
        pgno, commit, f_salt1, f_salt2, c0, c1 = struct.unpack(
            ">6I", data[start : start + FRAME_HEADER_SIZE]
        )
        body = data[start : start + 8] + data[start + FRAME_HEADER_SIZE : start + frame_size]
        return pgno, commit, f_salt1, f_salt2, c0, c1, body

    def chains(i: int, salts: tuple[int, int], seed: tuple[int, int]) -> bool:
        pgno, _commit, s1, s2, c0, c1, body = frame(i)
        return pgno != 0 and (s1, s2) == salts and _checksum(big_endian, body, *seed) == (c0, c1)

    def stored(i: int) -> tuple[int, int]:
        if i < 0:
            return (h0, h1)
        f = frame(i)
        return f[4], f[5]

    def later_commit_chains(start: int, salts: tuple[int, int]) -> int | None:
        for j in range(start, frames):
            if frame(j)[1] != 0 and chains(j, salts, stored(j - 1)):
                return j
        return None

    if not header_ok:  # SQLite ignores the whole log: was there anything in it?
        sizes = [page_size] if page_size is not None else [4096]
        if size != 4096 and 512 <= size <= 65536 and size & (size - 1) == 0:
            sizes.append(size)
        for endian in (False, True):
            big_endian = endian  # read by frame() and chains() above
            for candidate in sizes:
                frame_size = FRAME_HEADER_SIZE + candidate
                frames = (len(data) - WAL_HEADER_SIZE) // frame_size
                if frames < 2:
                    continue
                first = frame(0)
                found = later_commit_chains(1, (first[2], first[3]))
                if found is not None:
                    return WalReport(
                        frames,
                        0,
                        "its header is damaged, so the whole log would be ignored, yet it "
                        f"holds commits (frame {found + 1} of {frames})",
                    )
        return WalReport(max(frames, 0), 0)

    salts = (salt1, salt2)
    seed = (h0, h1)
    end = 0
    while end < frames and chains(end, salts, seed):
        seed = stored(end)
        end += 1
    valid = end
    while valid > 0 and frame(valid - 1)[1] == 0:  # replay stops at the last commit
        valid -= 1
    if end >= frames:
        return WalReport(frames, valid)
    pgno, _commit, s1, s2, c0, c1, body = frame(end)
    where = f"frame {end + 1} of {frames}"
    found = later_commit_chains(end + 1, salts)
    if found is not None:
        return WalReport(
            frames,
            valid,
            f"{where} is damaged and the log goes on after it (a commit at frame {found + 1}): "
            "the changes after it would be lost",
        )
    if (s1, s2) != salts:
        if pgno != 0 and _checksum(big_endian, body, *seed) == (c0, c1):
            return WalReport(frames, valid, f"{where} is damaged (its salt was changed)")
        return WalReport(frames, valid)  # an older log's frame: the normal end
    if _one_bit_apart(big_endian, body, seed, (c0, c1)):
        return WalReport(frames, valid, f"{where} is damaged (one bit changed)")
    return WalReport(frames, valid)  # torn by a crash mid-commit: never acknowledged
