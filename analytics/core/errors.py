"""The project's own error type: bad input that a user can fix."""

from __future__ import annotations


class InputError(ValueError):
    """Bad input, with a one-line message naming the source, the row or field, what was wrong
    and what is expected. Every reader and builder raises only this for malformed input."""

    def __init__(self, message: str, *, source: str | None = None) -> None:
        self.source = source
        super().__init__(f"{source}: {message}" if source else message)
