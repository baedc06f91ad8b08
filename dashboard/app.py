"""Streamlit entry point: `streamlit run dashboard/app.py`."""

from pathlib import Path

import streamlit as st

from dashboard import safe
from dashboard.runlog import run_logged
from dashboard.state import keep_settings

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
keep_settings()
page = st.navigation(pages)
run_logged(lambda: safe.guarded(page.run), page)
