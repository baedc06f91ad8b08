"""AppTest drives the real Streamlit app: select data, upload a belief, change the method."""

import json
import math

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from analytics.beliefs.discrete import DiscreteBelief
from analytics.beliefs.spec import NamedBelief
from analytics.betting.odds_files import OddsRequest
from analytics.scoring.discrete import score_named_belief
from data.files import read_text_file
from data.market_files import markets_from_text
from tests.conftest import ROOT

APP = str(ROOT / "dashboard/app.py")
E0 = ROOT / "data/snapshots/odds/football-data_E0_2324.csv"


def app() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    return at


def metric(at, label_start):
    for m in at.metric:
        if m.label.startswith(label_start):
            return m
    raise AssertionError(f"no metric {label_start!r}: {[m.label for m in at.metric]}")


def bits(text):
    return float(text.split()[0])


def expected_score(event, method, belief_probs, bookmaker="B365"):
    markets = markets_from_text(read_text_file(E0), "x", OddsRequest(bookmaker=bookmaker), method)
    market = next(m for m in markets if m.event == event)
    belief = NamedBelief("b", DiscreteBelief(market.labels, np.asarray(belief_probs)))
    return score_named_belief(belief, market)


def test_opens_on_bundled_data_and_belief_equal_to_rounded_market():
    at = app()
    assert at.title[0].value == "Betting markets"
    kl = metric(at, "Kelly (log-utility) edge, KL(belief || market)")
    assert bits(kl.value) < 1e-3   # the table starts at the market, rounded to 0.1 %


def test_upload_belief_and_change_method_match_analytics():
    at = app()
    at.radio(key="belief_mode").set_value("Uploading a file").run()
    at.file_uploader(key="belief_upload").set_value(
        ("belief.csv", b"outcome,probability\nHome,20%\nDraw,20%\nAway,60%\n", "text/csv")).run()
    assert not at.exception and not at.error
    event = at.selectbox(key="event").value
    for method in ("shin", "power", "multiplicative"):
        at.selectbox(key="method").set_value(method).run()
        want = expected_score(event, method, [0.2, 0.2, 0.6])
        shown = metric(at, "Kelly (log-utility) edge")
        assert bits(shown.value) == pytest.approx(want.kl_bits, abs=5e-5)
        assert shown.value == f"{want.kl_bits:.4f} bits"
        tradable = metric(at, "Kelly growth at tradable prices")
        assert tradable.value == f"{want.tradable.growth_nats / math.log(2):.4f} bits"
    charts = at.get("plotly_chart")
    assert {json.loads(c.proto.spec)["layout"]["title"]["text"] for c in charts} >= {"Market vs belief",
                                                                                   "Where the disagreement lives"}


def test_bad_upload_shows_error_and_keeps_previous_belief():
    at = app()
    at.radio(key="belief_mode").set_value("Uploading a file").run()
    at.file_uploader(key="belief_upload").set_value(
        ("good.csv", b"outcome,probability\nHome,0.5\nDraw,0.3\nAway,0.2\n", "text/csv")).run()
    good = metric(at, "Kelly (log-utility) edge").value
    at.file_uploader(key="belief_upload").set_value(
        ("bad.csv", b"outcome,probability\nHome,0.5\nDraw,-0.3\nAway,0.2\n", "text/csv")).run()
    assert not at.exception
    assert any("bad.csv" in e.value and "row 3" in e.value for e in at.error)
    assert metric(at, "Kelly (log-utility) edge").value == good


def test_unmatched_belief_label_is_named_on_another_snapshot():
    at = app()
    at.selectbox(key="bundle").set_value("Polymarket: next president of South Korea, 2025").run()
    assert not at.exception
    at.radio(key="belief_mode").set_value("Uploading a file").run()
    # the market has zero for no one, but an unmatched label is an error that names it
    at.file_uploader(key="belief_upload").set_value(
        ("b.csv", b"outcome,probability\nLee Jae-myung,0.9\nNobody,0.1\n", "text/csv")).run()
    assert any("Nobody" in e.value for e in at.error)


def test_season_view_and_learn_page():
    at = app()
    season = metric(at, "Mean KL(PSC || B365) per match")
    assert bits(season.value) > 0
    at.switch_page("views/learn.py").run()
    assert not at.exception
    at.slider(key="swan_q").set_value(1.0).run()
    assert metric(at, "Kelly (log-utility) edge").value == "6.6439 bits"
    assert metric(at, "Reverse KL").value == "∞ (infinite)"
