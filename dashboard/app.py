"""Streamlit entry point: `streamlit run dashboard/app.py`."""

import logging
from pathlib import Path

import streamlit as st

from dashboard import safe

LOG = logging.getLogger("market_disagreement")

st.set_page_config(page_title="Market disagreement", layout="wide")
VIEWS = Path(__file__).resolve().parent / "views"
pages = [
    st.Page(VIEWS / "betting.py", title="Betting markets", default=True),
    st.Page(VIEWS / "options.py", title="Options"),
    st.Page(VIEWS / "track.py", title="Track record"),
    st.Page(VIEWS / "journal.py", title="Journal"),
    st.Page(VIEWS / "batch.py", title="Batch results"),
    st.Page(VIEWS / "learn.py", title="Learn"),
]
try:
    st.navigation(pages).run()
except Exception:  # noqa: BLE001 - the page boundary: one line for the user, the traceback for the log
    LOG.exception("page failed")
    safe.error("This page hit an unexpected problem and stopped; what you entered is kept. Change the last input, "
               "or reload the page.")
