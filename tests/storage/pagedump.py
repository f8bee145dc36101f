"""Every page of a SQLCipher file, decrypted by hand: live pages *and* free pages.

Searching the raw bytes of an encrypted file proves nothing, and a SQL query only sees
live rows. This decrypts each page with the store's raw data key (SQLCipher 4 defaults:
4096-byte pages, AES-256-CBC, an 80-byte reserve holding the 16-byte IV and the HMAC; the
first page starts after the 16-byte salt), so a test can search what a forensic reader
with the key would find, freed pages included. A write-ahead log, if any, is decrypted
frame by frame the same way.
"""

from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

PAGE = 4096
RESERVE = 80
IV = 16
SALT = 16
WAL_HEADER = 32
FRAME_HEADER = 24


def _decrypt_page(page: bytes, key: bytes, *, first: bool) -> bytes:
    start = SALT if first else 0
    body = page[start:PAGE - RESERVE]
    iv = page[PAGE - RESERVE:PAGE - RESERVE + IV]
    decryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
    return decryptor.update(body) + decryptor.finalize()


def decrypted_pages(path: Path, key: bytes) -> list[bytes]:
    data = path.read_bytes()
    assert len(data) % PAGE == 0, f"{path.name} is not a whole number of pages"
    return [_decrypt_page(data[i:i + PAGE], key, first=i == 0) for i in range(0, len(data), PAGE)]


def decrypted_wal_frames(path: Path, key: bytes) -> list[bytes]:
    if not path.exists():
        return []
    data = path.read_bytes()
    frames = []
    offset = WAL_HEADER
    while offset + FRAME_HEADER + PAGE <= len(data):
        page_no = int.from_bytes(data[offset:offset + 4], "big")
        page = data[offset + FRAME_HEADER:offset + FRAME_HEADER + PAGE]
        frames.append(_decrypt_page(page, key, first=page_no == 1))
        offset += FRAME_HEADER + PAGE
    return frames


def plaintext_of(path: Path, key: bytes) -> bytes:
    """The decrypted bytes of the database and of its write-ahead log, concatenated."""
    wal = path.with_name(path.name + "-wal")
    return b"".join(decrypted_pages(path, key) + decrypted_wal_frames(wal, key))


def contains(haystack: bytes, needle: str) -> bool:
    """UTF-8 or UTF-16 (SQLite stores text in the database's encoding)."""
    return any(needle.encode(enc) in haystack for enc in ("utf-8", "utf-16-le", "utf-16-be"))
