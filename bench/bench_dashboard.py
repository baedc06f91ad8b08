"""Dashboard: time to first render of the Options page and rerun after changing a control (AppTest, median).
Issue 6 target: rerun under 300 ms for a 200-strike chain."""

from __future__ import annotations

import statistics
import time

from streamlit import cache_data
from streamlit.testing.v1 import AppTest

from bench.timing import show
from tests.conftest import ROOT

APP = str(ROOT / "dashboard/app.py")


def run() -> None:
    print("dashboard (AppTest, in process; issue 6 target: rerun < 300 ms)")
    first, reruns = [], []
    for attempt in range(3):
        cache_data.clear()                              # a cold start each time
        at = AppTest.from_file(APP, default_timeout=120)
        at.run()
        start = time.perf_counter()
        at.switch_page("views/options.py").run()     # fits every expiry of the default snapshot (uncached)
        first.append(time.perf_counter() - start)
        for median in (700.0, 705.0, 698.0):
            start = time.perf_counter()
            at.number_input(key="view_median").set_value(median + attempt).run()
            reruns.append(time.perf_counter() - start)
    show("Options page, first render (SPY, 5 expiries fitted)", statistics.median(first))
    show("Options page, rerun after changing the view's median", statistics.median(reruns))
