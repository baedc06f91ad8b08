"""Dashboard reruns in AppTest (in process, medians): the cold first render of the Options page, the rerun after a
view change (target under 100 ms) and the time until that view's trades, worked out off the run, are shown; on the
Betting page the rerun after a belief-table edit and after a margin-method change (target under 100 ms each)."""

from __future__ import annotations

import statistics
import time
from typing import Callable

from streamlit import cache_data
from streamlit.testing.v1 import AppTest

from bench.timing import show
from dashboard.background import POLL_SECONDS
from dashboard.state import method_key, typed_belief_key
from tests.conftest import ROOT
from tests.dashboard.pages import with_trades

APP = str(ROOT / "dashboard/app.py")
VIEW = "A view (median and range)"


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def options_page() -> tuple[list[float], list[float], list[float]]:
    """The cold first render, the rerun after a new median (the trades are worked out off the run), and the time
    from the new median to its trades shown (the page run again every POLL_SECONDS, as the browser's poll does)."""
    first, reruns, traded = [], [], []
    for attempt in range(3):
        cache_data.clear()                              # a cold start each time
        at = AppTest.from_file(APP, default_timeout=120)
        at.run()
        first.append(timed(at.switch_page("views/options.py").run))   # every expiry fitted, cold
        with_trades(at.radio(key="belief_kind").set_value(VIEW).run())
        key = f"view_median:SPY_20260211_chain.csv:{at.selectbox(key='expiry').value}"
        for median in (700.0, 705.0, 698.0):
            start = time.perf_counter()
            reruns.append(timed(at.number_input(key=key).set_value(median + attempt).run))
            with_trades(at)            # a user reads the new numbers before the next change
            traded.append(time.perf_counter() - start)
    return first, reruns, traded


def betting_page() -> tuple[list[float], list[float]]:
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    key = typed_belief_key(str(at.selectbox(key="bundle").value), str(at.selectbox(key="event").value))
    edits, methods = [], []
    for home in (50.0, 45.0, 55.0, 40.0, 60.0):
        at.session_state[key] = [home, 25.0, 100.0 - 25.0 - home]         # what the table's on_change stores
        edits.append(timed(at.run))
    for method in ("power", "shin", "multiplicative", "odds_ratio", "shin"):
        methods.append(timed(at.selectbox(key=method_key(str(at.selectbox(key="bundle").value)))
                                 .set_value(method).run))
    return edits, methods


def run() -> None:
    print("dashboard (AppTest, in process; targets: reruns < 100 ms)")
    first, view_reruns, traded = options_page()
    edits, methods = betting_page()
    show("Options page, cold first render (SPY, 5 expiries fitted)", statistics.median(first))
    show("Options page, rerun after changing the view's median", statistics.median(view_reruns))
    show(f"Options page, the same view's trades shown (polled every {POLL_SECONDS:g} s)", statistics.median(traded))
    show("Betting page, rerun after a belief-table edit", statistics.median(edits))
    show("Betting page, rerun after a margin-method change", statistics.median(methods))
