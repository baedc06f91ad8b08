"""Streamlit entry point: `streamlit run dashboard/app.py`."""

from pathlib import Path

import streamlit as st

st.set_page_config(page_title="Market disagreement", layout="wide")
VIEWS = Path(__file__).resolve().parent / "views"
pages = [
    st.Page(VIEWS / "betting.py", title="Betting markets", default=True),
    st.Page(VIEWS / "options.py", title="Options"),
    st.Page(VIEWS / "learn.py", title="Learn"),
]
st.navigation(pages).run()
