"""AppTest: the Batch results page on the bundled snapshots and on an uploaded result with several days."""

import io

import pandas as pd
from streamlit.testing.v1 import AppTest

from tests.dashboard.pages import open_page


def batch_page() -> AppTest:
    return open_page("batch.py", timeout=180)


def test_bundled_snapshots_give_a_term_structure():
    at = batch_page()
    assert at.title[0].value == "Batch results" and not at.error
    assert at.selectbox(key="batch_underlying").value in {"AAPL", "QQQ", "SPY", "TSLA", "^SPX"}
    assert len(at.get("plotly_chart")) >= 2
    shown = at.dataframe[-1].value                        # the whole result, every column in words
    assert not [name for name in shown.columns if "_" in name], list(shown.columns)


def test_an_uploaded_result_shows_its_days():
    rows = []
    for day, sd in (("2026-03-02", 5.0), ("2026-03-03", 5.5), ("2026-03-04", 7.0)):
        rows.append({"underlying": "XYZ", "asof": day, "expiry": "2026-06-18", "forward": 100.0, "sd": sd,
                     "t_years": 0.3, "q05": 90.0, "q25": 96.0, "q50": 100.0, "q75": 104.0, "q95": 110.0,
                     "surprise_bits": None if day == "2026-03-02" else 0.01, "error": None})
    rows.append({"underlying": "XYZ", "asof": "2026-03-04", "expiry": "2026-09-18", "error": "only 3 usable quotes"})
    buffer = io.BytesIO()
    pd.DataFrame(rows).to_parquet(buffer, index=False)
    at = batch_page()
    at.radio(key="batch_source").set_value("Upload a batch result (.parquet)").run()
    at.file_uploader(key="batch_upload").set_value(("r.parquet", buffer.getvalue(), "application/octet-stream")).run()
    assert not at.exception and not at.error
    assert any("1 chains could not be fitted" in e.label for e in at.expander)
    assert len(at.get("plotly_chart")) == 3              # term structure, quantile fan, news per day
    at.file_uploader(key="batch_upload").set_value(("bad.parquet", b"not parquet", "application/octet-stream")).run()
    assert not at.exception and len(at.error) == 1
