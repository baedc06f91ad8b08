"""Opening the real app on one page in AppTest (the pages' tests share it)."""

import re
import time

from streamlit.testing.v1 import AppTest

from dashboard.background import POLL_SECONDS
from tests.conftest import ROOT

APP = str(ROOT / "dashboard/app.py")


def open_page(view: str | None = None, timeout: float = 120) -> AppTest:
    """The app run once, then switched to dashboard/views/<view> (the default page when None), with no exception."""
    at = AppTest.from_file(APP, default_timeout=timeout)
    at.run()
    if view is not None:
        at.switch_page(f"views/{view}").run()
    assert not at.exception, at.exception
    return at


def margin_method(at: AppTest):  # noqa: ANN201 - AppTest's selectbox element
    """The Betting page's margin-removal box (keyed by the odds file it belongs to)."""
    return next(box for box in at.selectbox if box.label == "Margin removal")


def shown(markdown: str) -> str:
    """What a reader sees of an escaped message (file text is shown with its Markdown escaped)."""
    return re.sub(r"\\(.)", r"\1", markdown).replace("\u2060", "")


WORKING = "Working out the trades"      # the Options page's slot while its trades are worked out off the run


def with_trades(at: AppTest, timeout: float = 60) -> AppTest:
    """The page run again until the trades it works out off its run are shown, as the waiting slot's poll does in
    a browser; fails if they are not shown within `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while any(WORKING in box.value for box in at.info):
        assert time.monotonic() < deadline, f"no trades after {timeout} s"
        time.sleep(POLL_SECONDS)
        at.run()
    assert not at.exception, at.exception
    return at
