"""Text from files is shown as text: no link, image, HTML or Streamlit directive can come out of an upload."""

import re

from streamlit.testing.v1 import AppTest

from dashboard.safe import plain
from tests.conftest import ROOT

HOSTILE = '[Re-login here](http://evil.example/login) ![x](http://evil.example/i.png) <img src=x> :red[big] $x$'


def test_plain_escapes_every_markdown_construct_and_bounds_the_line():
    shown = plain(HOSTILE)
    assert "](" not in shown.replace("\\](", "").replace("\\(", "")
    assert not re.search(r"(?<!\\)[\[\]()<>!$]", shown)           # every special character escaped
    assert not re.search(r"[:.@](?!\u2060)", shown)                 # and no URL, www. name or address to link
    assert plain("a\nb") == "a b"
    long = plain("x" * 5000)
    assert len(long) < 700 and "more characters" in long


def test_an_uploaded_label_is_shown_escaped_in_the_error():
    at = AppTest.from_file(str(ROOT / "dashboard/app.py"), default_timeout=60)
    at.run()
    at.radio(key="belief_mode").set_value("Uploading a file").run()
    body = f'outcome,probability\n"{HOSTILE}",0.5\nDraw,0.25\nAway,0.25\n'.encode()
    at.file_uploader(key="belief_upload").set_value(("b.csv", body, "text/csv")).run()
    assert not at.exception
    message = at.error[0].value
    assert "Re\\-login here" in message and "\\]\\(http:\u2060//" in message      # the link's syntax is inert
    assert "\\<img" in message and ":\u2060red\\[" in message


def _failing_page() -> None:
    import streamlit as st

    from dashboard.safe import guarded

    def page() -> None:
        st.metric("shown before the failure", "1")
        raise ZeroDivisionError("detail that belongs in the log: /srv/secret/path")

    guarded(page)


def _stopping_page() -> None:
    import streamlit as st

    from dashboard.safe import guarded

    def page() -> None:
        st.info("stopped on purpose")
        st.stop()

    guarded(page)


def test_an_unexpected_error_at_the_page_boundary_is_one_line_and_a_log_entry(caplog):
    at = AppTest.from_function(_failing_page).run()
    assert not at.exception
    assert len(at.error) == 1 and "unexpected problem" in at.error[0].value and "secret" not in at.error[0].value
    assert at.metric[0].value == "1"
    assert any(r.exc_info and r.exc_info[0] is ZeroDivisionError for r in caplog.records)


def test_st_stop_passes_the_page_boundary_as_a_stop_not_an_error():
    at = AppTest.from_function(_stopping_page).run()
    assert not at.exception and not at.error and at.info[0].value == "stopped on purpose"
