"""Reading user files from disk with limits; parsing is analytics' job."""

from __future__ import annotations

from pathlib import Path

from analytics.core.errors import InputError
from analytics.core.text import check_size, decode_text


def read_text_file(path: str | Path) -> str:
    """The file's text; a missing, oversized or binary file is an InputError naming it."""
    p = Path(path)
    name = str(path)
    if not p.exists():
        raise InputError("no such file", source=name)
    if not p.is_file():
        raise InputError("is not a file", source=name)
    check_size(p.stat().st_size, name)
    return decode_text(p.read_bytes(), name)
