"""The project's own error type: bad input that a user can fix."""

from __future__ import annotations


class InputError(ValueError):
    """Bad input, with a one-line message naming the source, the row or field, what was wrong
    and what is expected. Every reader and builder raises only this for malformed input."""

    def __init__(self, message: str, *, source: str | None = None) -> None:
        self.source = source
        text = f"{source}: {message}" if source else message
        super().__init__(" ".join(text.split()))     # one line, whatever a file's names hold (a quoted newline)


MESSAGE_LIMIT = 600       # characters of one error line, on the page and on stderr


def bounded(message: str, limit: int = MESSAGE_LIMIT) -> str:
    """One line of at most about `limit` characters: a message that lists a million bad labels stays readable."""
    line = " ".join(message.split())
    if len(line) <= limit:
        return line
    return f"{line[:limit].rstrip()} ... ({len(line) - limit:,} more characters)"
