"""Where the server's time goes: with MARKET_RUN_LOG naming a file, each page run appends one line, `<UTC time>
session=<id> page=<title> run=<n> seconds=<wall time of the run>` (run 1 is a session's first page). Operators read
it to see slow pages under load; the ten-session browser test reads it for the server's own answer time, which a
browser's clock cannot give when the browsers themselves are short of CPU. Nothing is written without the
variable."""

from __future__ import annotations

import logging
import os
import time
from typing import Callable

import streamlit as st

RUN_LOG_VARIABLE = "MARKET_RUN_LOG"
_LOG = logging.getLogger("market_disagreement.runs")


def _configured() -> bool:
    """A file handler on the run log, once per process, when MARKET_RUN_LOG is set."""
    target = os.environ.get(RUN_LOG_VARIABLE, "").strip()
    if not target:
        return False
    if not _LOG.handlers:
        handler = logging.FileHandler(target, encoding="utf-8")        # appends; logging's lock orders threads
        handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
        _LOG.addHandler(handler)
        _LOG.setLevel(logging.INFO)
        _LOG.propagate = False
    return True


def _title(page: object) -> str:
    # a page made outside `streamlit run` (bare mode) has no title yet: its property raises AttributeError
    return str(getattr(page, "title", "page")).replace(" ", "_")


def run_logged(run: Callable[[], object], page: object) -> None:
    """`run()` (a page), timed into the run log when one is configured; st.stop and st.rerun pass through."""
    if not _configured():
        run()
        return
    runs = int(st.session_state.get("_run_count", 0)) + 1
    st.session_state["_run_count"] = runs
    context = st.runtime.scriptrunner.get_script_run_ctx()
    session = context.session_id if context is not None else "-"
    started = time.perf_counter()
    try:
        run()
    finally:
        _LOG.info("session=%s page=%s run=%d seconds=%.3f", session, _title(page), runs,
                  time.perf_counter() - started)
