"""Text that came from a file (labels, event names, file names, error messages quoting them) shown as plain text:
Markdown and HTML in it are escaped, so an uploaded label can never render a link or fetch an image, and every
message is one bounded line."""

from __future__ import annotations

import logging
import re
from typing import Callable

import streamlit as st

from analytics.core.errors import bounded

# every ASCII character Markdown, GitHub's extensions and Streamlit's directives (:red[...], $...$) give meaning to
_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-!|<>~$&=\"'%^])")
# The page links bare URLs, www. names and e-mail addresses even when they are escaped: an invisible word joiner
# after ':', '.' and '@' reads the same and breaks every such pattern
_AUTOLINK_PARTS = {":": ":\u2060", ".": ".\u2060", "@": "@\u2060"}
LOG = logging.getLogger("market_disagreement")


def plain(text: str) -> str:
    """`text` as one bounded line whose Markdown renders exactly as the characters themselves."""
    escaped = _SPECIAL.sub(r"\\\1", bounded(str(text)))
    return "".join(_AUTOLINK_PARTS.get(c, c) for c in escaped)


def error(text: str) -> None:
    st.error(plain(text))


def warning(text: str) -> None:
    st.warning(plain(text))


def info(text: str) -> None:
    st.info(plain(text))


def success(text: str) -> None:
    st.success(plain(text))


def caption(text: str) -> None:
    st.caption(plain(text))


def guarded(page: Callable[[], object]) -> None:
    """The page boundary: an unexpected error becomes one line for the user (what they entered is kept in the
    session) and its traceback goes to the server's log, never a Streamlit exception box. st.stop and st.rerun are
    not errors (BaseException) and pass through."""
    try:
        page()
    except Exception:  # noqa: BLE001 - the boundary itself
        LOG.exception("page failed")
        error("This page hit an unexpected problem and stopped; what you entered is kept. Change the last input, "
              "or reload the page.")
