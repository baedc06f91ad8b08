"""Opening the real app on one page in AppTest (the pages' tests share it)."""

import re

from streamlit.testing.v1 import AppTest

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
