"""Drawn signatures for certificates: PNG bytes checked before they reach the store.

The app's signature pad and ``sendobserve print … --signer-drawing FILE`` both pass
through ``check_drawing``, so a certificate only ever stores (and prints) a real,
modest PNG. Pillow is imported lazily, as everywhere in ``reports``.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

from sendobserve.errors import UserError
from sendobserve.named_file import Unread, read_named_file

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
MAX_DRAWING_BYTES = 512 * 1024
MAX_DRAWING_SIZE = (2000, 1000)  # width, height in pixels


def check_drawing(data: bytes, what: str = "the drawn signature") -> bytes:
    """``data`` unchanged if it is a readable PNG within the limits, else ``UserError``."""
    max_w, max_h = MAX_DRAWING_SIZE
    if len(data) > MAX_DRAWING_BYTES:
        raise UserError(f"{what} is {len(data) // 1024} KiB; the limit is "
                        f"{MAX_DRAWING_BYTES // 1024} KiB",
                        hint="Export the signature smaller, or crop it.")
    if not data.startswith(PNG_MAGIC):
        raise UserError(f"{what} is not a PNG image", hint="Give a PNG file.")
    from PIL import Image

    from sendobserve.model.evidence import readable_image

    with readable_image(f"{what} is not a readable PNG image",
                        "The file is damaged; export it again."), \
            Image.open(io.BytesIO(data)) as image:
        width, height = image.size
        if width > max_w or height > max_h:
            raise UserError(f"{what} is {width}×{height} pixels; the limit is "
                            f"{max_w}×{max_h}", hint="Scale the signature down.")
        image.load()  # decodes every row: a truncated or corrupt file fails here
    if width < 1 or height < 1:
        raise UserError(f"{what} is an empty image")
    return data


def read_drawing(path: str | os.PathLike[str], what: str) -> bytes:
    """The checked PNG at ``path``: read at most one byte past the limit."""
    def refuse(why: Unread, target: Path, detail: str) -> UserError:
        if why is Unread.MISSING:
            return UserError(f"{what}: no such file {target}")
        if why is Unread.FOLDER:
            return UserError(f"{what}: {target} is a folder; give a PNG file")
        if why is Unread.TOO_BIG:
            return UserError(f"{what} ({target}) is larger than the limit of "
                             f"{MAX_DRAWING_BYTES // 1024} KiB",
                             hint="Export the signature smaller, or crop it.")
        return UserError(f"{what}: cannot read {target}: {detail}")

    data = read_named_file(path, refuse, limit=MAX_DRAWING_BYTES)
    return check_drawing(data, f"{what} ({Path(path).expanduser().name})")
