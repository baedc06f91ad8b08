"""A user's clicks in a real browser against a real server (issue 26 target: each under 1 s on a quiet machine):
changing the underlying on the Options page, moving the Kelly slider and switching to the season view on the
Betting page, each timed from the click to the server's `script_finished` message for that rerun (the server's
answer) and to the page being idle again with its content drawn (what the user waits for); medians of 3. And a new
median for the Options page's view, timed to the headline KL showing it and to the order ticket showing it (the
page's run draws the belief's numbers and charts; the trades are worked out in a worker process and drawn by a
poll, then a second full-page run), with the server's own run times from its run log (MARKET_RUN_LOG); medians
of 6."""

from __future__ import annotations

import functools
import shutil
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from analytics.scoring.discrete import HEADLINE_LABEL
from bench.timing import show
from tests.e2e.conftest import start_server, stop_server
from tests.e2e.sessions import APP_IDLE, ARGS
from tests.e2e.test_sessions import RUN_LINE

REPEATS = 3


class _Finished:
    """The times the server said a rerun finished, read off the page's websocket."""

    def __init__(self, page: Any) -> None:
        self.times: list[float] = []
        page.on("websocket", lambda socket: socket.on("framereceived", self._frame))

    def _frame(self, payload: bytes | str) -> None:
        if isinstance(payload, str):
            return
        message = ForwardMsg()
        message.ParseFromString(payload)
        if message.WhichOneof("type") == "script_finished":
            self.times.append(time.perf_counter())

    def after(self, page: Any, start: float, timeout_s: float = 120.0) -> float:
        deadline = time.perf_counter() + timeout_s
        while time.perf_counter() < deadline:
            later = [t for t in self.times if t > start]
            if later:
                return later[0] - start
            page.wait_for_timeout(10)
        raise TimeoutError("no rerun finished")


def _timed(page: Any, finished: _Finished, act: Callable[[], None], drawn: str) -> tuple[float, float]:
    start = time.perf_counter()
    act()
    server = finished.after(page, start)
    page.wait_for_function(APP_IDLE, timeout=120_000)
    page.locator(drawn).first.wait_for(timeout=120_000)
    return server, time.perf_counter() - start


def _option(page: Any, label: str, option_text: str) -> Callable[[], None]:
    def act() -> None:
        page.get_by_role("option").filter(has_text=option_text).first.click()
    page.locator('[data-testid="stSelectbox"]').filter(has_text=label).first.click()
    page.get_by_role("option").filter(has_text=option_text).first.wait_for()
    return act


def _shown_when(page: Any, start: float, locator: Any, before: str, timeout_s: float = 120.0) -> float:
    """Seconds from `start` until `locator`'s text is no longer `before` (polled every 5 ms)."""
    deadline = time.perf_counter() + timeout_s
    while time.perf_counter() < deadline:
        if locator.inner_text() != before:
            return time.perf_counter() - start
        page.wait_for_timeout(5)
    raise TimeoutError("the text never changed")


def _view_change(page: Any, finished: _Finished, median: float) -> tuple[float, float, float, float]:
    """Type a new median for the view: seconds until the headline KL shows it, until the order ticket does, the
    server's answer and the page idle."""
    headline = page.locator('[data-testid="stMetric"]').filter(has_text=HEADLINE_LABEL).first
    ticket = page.locator('[data-testid="stMetric"]').filter(has_text="Growth of the ticket").first
    kl_before, ticket_before = headline.inner_text(), ticket.inner_text()
    box = page.get_by_label("Median", exact=True)
    box.fill(f"{median:.2f}")
    start = time.perf_counter()
    box.press("Enter")
    kl = _shown_when(page, start, headline, kl_before)
    traded = _shown_when(page, start, ticket, ticket_before)
    server = finished.after(page, start)
    page.wait_for_function(APP_IDLE, timeout=120_000)
    return kl, traded, server, time.perf_counter() - start


def run() -> None:
    from playwright.sync_api import sync_playwright

    print("browser walk (headless Chromium against `streamlit run`; target: each under 1 s)")
    run_log = Path(tempfile.mkdtemp()) / "runs.log"
    proc, url = start_server({"MARKET_RUN_LOG": str(run_log)})
    results: dict[str, list[tuple[float, float]]] = {"underlying": [], "kelly": [], "season": []}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=shutil.which("chromium"), headless=True, args=ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 1000})
            finished = _Finished(page)
            page.goto(f"{url}/options")
            page.locator('[data-testid="stPlotlyChart"] .main-svg').first.wait_for(timeout=120_000)
            page.wait_for_function(APP_IDLE, timeout=120_000)
            for ticker in ["QQQ", "SPY"] * REPEATS:
                act = _option(page, "Underlying", ticker)
                results["underlying"].append(_timed(page, finished, act, '[data-testid="stPlotlyChart"] .main-svg'))
            page.get_by_text("A view (median and range)", exact=True).click()
            page.locator('[data-testid="stMetric"]').filter(has_text="Growth of the ticket").first.wait_for(
                timeout=120_000)
            page.wait_for_function(APP_IDLE, timeout=120_000)
            logged = len(run_log.read_text())
            views = [_view_change(page, finished, median) for median in [705.0, 700.0, 710.0, 695.0, 702.0, 707.0]]
            view_runs = [float(seconds) for *_, seconds in RUN_LINE.findall(run_log.read_text()[logged:])]
            page.goto(url)
            page.locator('[data-testid="stMetric"]').first.wait_for(timeout=120_000)
            page.wait_for_function(APP_IDLE, timeout=120_000)
            slider = page.locator('[data-testid="stSlider"]').filter(has_text="Kelly fraction").get_by_role("slider")
            for key in ["ArrowLeft", "ArrowRight"] * REPEATS:
                slider.focus()
                results["kelly"].append(_timed(page, finished, functools.partial(page.keyboard.press, key),
                                               '[data-testid="stMetric"]'))
            for label in ["Whole file (season view)", "One event"] * REPEATS:
                radio = page.get_by_text(label, exact=True)
                results["season"].append(_timed(page, finished, radio.click, '[data-testid="stMetric"]'))
            browser.close()
    finally:
        stop_server(proc)
    for index, what in enumerate(("the headline KL shows it", "the order ticket shows it", "server answer",
                                  "page idle and drawn")):
        show(f"Options: a new median for the view, {what}", statistics.median(v[index] for v in views))
    show("Options: a new median for the view, the server's full-page runs (run log: after the change, then the "
         "one drawing its trades)", statistics.median(view_runs))
    for name, what in (("underlying", "Options: change the underlying"), ("kelly", "Betting: move the Kelly slider"),
                       ("season", "Betting: season view and back")):
        server = statistics.median(r[0] for r in results[name])
        shown = statistics.median(r[1] for r in results[name])
        show(f"{what}, server answer", server)
        show(f"{what}, page idle and drawn", shown)
